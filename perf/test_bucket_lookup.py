"""BucketListDB point lookups on a large live bucket list.

    python -m pytest perf/test_bucket_lookup.py          # 10,000,000 entries
    python -m pytest perf --benchmark-disable -q          # smoke: 20,000 entries
    STELLARCORE_PERF_BL_ENTRIES=1000000 python -m pytest perf/test_bucket_lookup.py

The list: ACCOUNT entries (96-byte records) spread over the 21 buckets of a
live list as a real list spreads them (level i holding ~4^i of the
entries, half in curr and half in snap, level 10 only a curr: ~75% at level
10, ~19% at level 9, ...), written directly as sorted bucket files with
RecordWriter in one pass (keys are made in order, each assigned to a bucket
by a hash), then adopted by a BucketManager with BucketListDB's default
configuration: individual indexes under 20 MB, 16 KiB page indexes and
binary fuse filters above (levels 8-10 at 10M entries), indexes saved.
Every key is in one bucket only, so a hit searches every bucket above the
one holding it (mostly level 10: about 20 filter probes, one binary search,
one page pread and walk); a miss probes all 21 filters.  The files were just
written, so the page cache holds them (as on a node whose RAM holds the
bucket list).  No entry cache (BUCKETLIST_DB_MEMORY_FOR_CACHING = 0).

Groups (the benchmark time is a batch of 10,000 calls; per-call
percentiles over 100,000 timed calls are in `extra_info`, in µs):
  * bl-point-hit   - `LiveBucketListSnapshot.load` of present keys;
  * bl-point-miss  - `load` of absent keys;
  * bl-bulk-1000   - `load_keys` of 1,000 present keys (µs per key in extra_info).
Target: p99 < 50 µs for hits and misses.
"""
import bisect
import os
import random
import shutil
import struct
import time

import pytest

from stellarcore.bucket import bucketlistdb
from stellarcore.bucket.bucket_file import RecordWriter
from stellarcore.bucket.entries import BucketMetadata, LIVEENTRY
from stellarcore.bucket.manager import BucketManager
from stellarcore.bucket.snapshot import LiveBucketListSnapshot

FULL_ENTRIES = 10_000_000
SMOKE_ENTRIES = 20_000
TIMED_CALLS = 100_000
BATCH = 10_000
SUFFIX = bytes(range(100, 124))          # the last 24 bytes of every account ID
_KEY_HEAD = struct.pack(">ii", 0, 0)     # LedgerKey ACCOUNT, PUBLIC_KEY_TYPE_ED25519


def _entries(config):
    env = os.environ.get("STELLARCORE_PERF_BL_ENTRIES")
    if env:
        return int(env)
    return SMOKE_ENTRIES if config.getoption("benchmark_disable", False) else FULL_ENTRIES


def _layout():
    """(level, 'curr'|'snap', weight) of the 21 buckets."""
    out = []
    for level in range(10):
        out.append((level, "curr", 4 ** level / 2))
        out.append((level, "snap", 4 ** level / 2))
    out.append((10, "curr", 4 ** 10))
    return out


def _template():
    """A LIVEENTRY record of an AccountEntry; ID at 16..48, balance at 48."""
    body = (struct.pack(">iIii", LIVEENTRY, 1, 0, 0) + bytes(32) +
            struct.pack(">qqIIII", 0, 1 << 32, 0, 0, 0, 0) + b"\x01\0\0\0" +
            struct.pack(">Iii", 0, 0, 0))       # signers, AccountEntry ext, LedgerEntry ext
    assert len(body) == 96
    return bytearray(body)


class _Snapshot:
    """What LiveBucketListSnapshot needs of a bucket list."""
    HOT = False

    def __init__(self, buckets):
        self._buckets = buckets

    def buckets(self):
        return iter(self._buckets)


@pytest.fixture(scope="module")
def bucket_list(request, tmp_path_factory):
    n = _entries(request.config)
    step = (1 << 64) // (n + 2)
    d = tmp_path_factory.mktemp("bl-lookup")
    m = BucketManager(d / "buckets", do_fsync=False)
    layout = _layout()
    total = sum(w for _, _, w in layout)
    cum, acc = [], 0.0
    for _, _, w in layout:
        acc += w
        cum.append(int(acc / total * (1 << 24)))
    cum[-1] = 1 << 24
    t0 = time.perf_counter()
    writers = [RecordWriter(m.tmp_path(f"perf{j}")) for j in range(len(layout))]
    meta = BucketMetadata.for_fresh(23, False).record()
    for w in writers:
        w.write(meta)
    rec = _template()
    pack = struct.Struct(">Q24sq").pack_into
    pick = bisect.bisect_right
    mask = (1 << 64) - 1
    writes = [w.write for w in writers]
    for k in range(n):
        pack(rec, 16, k * step, SUFFIX, k)
        writes[pick(cum, ((k * 0x9E3779B97F4A7C15) & mask) >> 40)](rec)
    t1 = time.perf_counter()
    bucketlistdb.install(m)                      # stellar-core's defaults
    buckets = []
    for (level, which, _), w in zip(layout, writers):
        digest = w.finish()
        buckets.append((level, which, m.adopt_file(w.path, digest)))
    t2 = time.perf_counter()
    snap = LiveBucketListSnapshot(_Snapshot(buckets), m)
    info = {
        "entries": n,
        "bucket_bytes": sum(b.size for _, _, b in buckets),
        "write_s": round(t1 - t0, 1),
        "index_s": round(t2 - t1, 1),
        "page_indexed_buckets": sum(1 for _, _, b in buckets if b.index.is_page_index),
        "largest_bucket_entries": max(b.index.num_records for _, _, b in buckets),
        "index_memory_mb": round(sum(b.index.memory_bytes for _, _, b in buckets) / 2 ** 20, 1),
    }
    rng = random.Random(7)
    hits = [_KEY_HEAD + struct.pack(">Q", k * step) + SUFFIX
            for k in (rng.randrange(n) for _ in range(TIMED_CALLS))]
    misses = [_KEY_HEAD + struct.pack(">Q", k * step + 1) + SUFFIX
              for k in (rng.randrange(n) for _ in range(TIMED_CALLS))]
    for k in (0, n - 1, n // 2):                 # right answers
        e = snap.load(_KEY_HEAD + struct.pack(">Q", k * step) + SUFFIX)
        assert e is not None and struct.unpack_from(">q", e, 44)[0] == k
    assert snap.load(misses[0]) is None
    yield snap, hits, misses, info
    m.shutdown()
    shutil.rmtree(d, ignore_errors=True)


def _percentiles(fn, keys):
    pc = time.perf_counter_ns
    lat = []
    for k in keys:
        t = pc()
        fn(k)
        lat.append(pc() - t)
    lat.sort()
    n = len(lat)
    q = lambda p: round(lat[min(n - 1, int(p * n))] / 1000, 2)
    return {"p50_us": q(0.50), "p90_us": q(0.90), "p99_us": q(0.99), "p999_us": q(0.999),
            "max_us": round(lat[-1] / 1000, 2), "mean_us": round(sum(lat) / n / 1000, 2)}


def _point(benchmark, bucket_list, which):
    snap, hits, misses, info = bucket_list
    keys = hits if which == "hit" else misses
    load = snap.load
    for k in keys[:2000]:                        # warm up
        load(k)
    stats = _percentiles(load, keys)
    batch = keys[:BATCH]

    def run():
        for k in batch:
            load(k)
    benchmark.pedantic(run, rounds=5, iterations=1)
    found = sum(1 for k in keys[:1000] if load(k) is not None)
    assert found == (1000 if which == "hit" else 0)
    benchmark.extra_info.update(info)
    benchmark.extra_info.update(stats, calls_per_round=BATCH, target_p99_us=50,
                                target_met=stats["p99_us"] < 50)
    print(f"\n{which}: {info['entries']:,} entries: {stats}")


@pytest.mark.benchmark(group="bl-point-hit")
def test_point_lookup_hits(benchmark, bucket_list):
    _point(benchmark, bucket_list, "hit")


@pytest.mark.benchmark(group="bl-point-miss")
def test_point_lookup_misses(benchmark, bucket_list):
    _point(benchmark, bucket_list, "miss")


@pytest.mark.benchmark(group="bl-bulk-1000")
def test_bulk_load_1000(benchmark, bucket_list):
    snap, hits, _, info = bucket_list
    batches = [hits[i:i + 1000] for i in range(0, 20_000, 1000)]
    used = []

    def run():
        used.append(batches[len(used) % len(batches)])
        return snap.load_keys(used[-1])
    res = benchmark.pedantic(run, rounds=20, iterations=1)
    assert len(res) == len(set(used[-1]))
    t = time.perf_counter()
    for b in batches:
        snap.load_keys(b)
    per_key = (time.perf_counter() - t) / (len(batches) * 1000) * 1e6
    benchmark.extra_info.update(info)
    benchmark.extra_info.update(keys_per_call=1000, us_per_key=round(per_key, 2))
