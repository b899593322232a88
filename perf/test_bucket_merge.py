"""The streaming bucket merge against its floor: reading the same bytes and
hashing them with SHA-256.

    python -m pytest perf/test_bucket_merge.py        # two 1,000,000-entry buckets
    python -m pytest perf --benchmark-disable -q       # smoke: 20,000 entries
    STELLARCORE_PERF_MERGE_ENTRIES=N python -m pytest perf/test_bucket_merge.py

Groups `bucket-merge`: `merge` is `merge_files` (two input files -> one
output file with its SHA-256, in C without the GIL); `floor` reads both
input files in 1 MiB chunks and feeds them to hashlib.sha256 (OpenSSL).
The figures in extra_info: entries/s (input entries), MB/s (input bytes),
and for the merge the peak RSS of a separate process doing only the merge.
Target: merge at least half the speed of the floor; peak memory < 256 MB.
"""
import hashlib
import json
import os
import subprocess
import sys

import pytest

from perf.bucket_data import write_pair
from stellarcore.bucket.merge import merge_files

FULL, SMOKE = 1_000_000, 20_000
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    env = os.environ.get("STELLARCORE_PERF_MERGE_ENTRIES")
    n = int(env) if env else (SMOKE if request.config.getoption("benchmark_disable", False) else FULL)
    d = tmp_path_factory.mktemp("merge")
    old, new = str(d / "old.xdr"), str(d / "new.xdr")
    write_pair(old, new, n)
    return n, old, new, d


def _floor(paths):
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb", buffering=0) as f:
            while True:
                b = f.read(1 << 20)
                if not b:
                    break
                h.update(b)
    return h.digest()


def _info(benchmark, n, old, new):
    size = os.path.getsize(old) + os.path.getsize(new)
    med = benchmark.stats.stats.median if benchmark.stats else None
    if med:
        benchmark.extra_info.update(entries_per_s=round(2 * n / med), mb_per_s=round(size / med / 1e6, 1))
    benchmark.extra_info.update(input_entries=2 * n, input_bytes=size)


@pytest.mark.benchmark(group="bucket-merge")
def test_merge(benchmark, pair):
    n, old, new, d = pair
    out = str(d / "out.xdr")
    res = benchmark.pedantic(lambda: merge_files(old, new, out, hot=False, keep_tombstones=True,
                                                 max_protocol=25), rounds=5, iterations=1)
    assert res[0] == hashlib.sha256(open(out, "rb").read()).digest()
    _info(benchmark, n, old, new)
    job = subprocess.run([sys.executable, "-m", "perf._bucket_merge_job", old, new, out + ".2"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    r = json.loads(job.stdout)
    benchmark.extra_info.update(peak_rss_mb=round(r["peak_rss_kb"] / 1024, 1),
                                rss_before_merge_mb=round(r["rss_before_kb"] / 1024, 1),
                                output_entries=r["objects"])


@pytest.mark.benchmark(group="bucket-merge")
def test_floor_read_and_sha256(benchmark, pair):
    n, old, new, _ = pair
    benchmark.pedantic(lambda: _floor([old, new]), rounds=5, iterations=1)
    _info(benchmark, n, old, new)
