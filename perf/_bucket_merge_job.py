"""One merge in a fresh process, printing its peak RSS (for the memory
figure of perf/test_bucket_merge.py and tests/bucket/test_merge_memory.py).

    python -m perf._bucket_merge_job OLD NEW OUT
"""
import json
import resource
import sys
import time

from stellarcore.bucket.merge import merge_files


def _hwm_kb():
    """Peak resident set of this process (VmHWM: unlike ru_maxrss it is
    not inherited from the process that forked us)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(old, new, out):
    before = _hwm_kb()
    t = time.perf_counter()
    digest, objects, nbytes = merge_files(old, new, out, hot=False, keep_tombstones=True,
                                          max_protocol=25)
    secs = time.perf_counter() - t
    peak = _hwm_kb()
    print(json.dumps({"hash": digest.hex(), "objects": objects, "bytes": nbytes, "seconds": secs,
                      "rss_before_kb": before, "peak_rss_kb": peak}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
