"""Shared test fixtures.

Reference data produced by stellar-core lives in ../shared beside the
project.  A fresh clone has no ../shared: tests that need it skip with a
reason instead of failing.
"""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = pathlib.Path(os.environ.get("STELLARCORE_SHARED", ROOT.parent / "shared"))


def shared_path(*parts):
    """Path inside ../shared, or skip the calling test when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"reference data not available: {p} (../shared is absent)")
    return p


@pytest.fixture
def shared():
    return shared_path
