import pytest

from stellarcore.bucket.manager import BucketManager


@pytest.fixture
def manager(tmp_path):
    m = BucketManager(tmp_path / "buckets", do_fsync=False)
    yield m
    m.shutdown()
