"""Peak memory of a merge does not grow with the buckets: a separate
process merging two 300,000-entry buckets (about 55 MB of input) stays far
below 256 MB, and within a few MB of the same process merging 3,000."""
import json
import os
import subprocess
import sys

from perf.bucket_data import write_pair

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _peak_mb(tmp_path, n):
    old, new = str(tmp_path / f"o{n}"), str(tmp_path / f"n{n}")
    write_pair(old, new, n)
    job = subprocess.run([sys.executable, "-m", "perf._bucket_merge_job", old, new,
                          str(tmp_path / f"out{n}")], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return json.loads(job.stdout)["peak_rss_kb"] / 1024


def test_merge_memory_is_bounded(tmp_path):
    small = _peak_mb(tmp_path, 3_000)
    large = _peak_mb(tmp_path, 300_000)
    assert large < 256
    assert large - small < 16
