"""Two large sorted live buckets for the merge benchmark, written directly
with RecordWriter: `old` holds accounts 0, 2, 4, ... (LIVE); `new` holds
half of those again (updated, LIVE), a quarter of them deleted (DEAD) and
as many new odd-numbered accounts (INIT) — so the merge exercises every
path: one side only, equal keys, and the INIT/DEAD rules."""
import struct

from stellarcore.bucket.bucket_file import RecordWriter
from stellarcore.bucket.entries import BucketMetadata, DEADENTRY, INITENTRY, LIVEENTRY

_TAIL = bytes(range(100, 124))


def _account(n, balance, ledger):
    aid = struct.pack(">Q", n) + _TAIL
    return (struct.pack(">Ii", ledger, 0) + struct.pack(">i", 0) + aid +
            struct.pack(">qqIIII", balance, n << 32, 0, 0, 0, 0) + b"\x01\x00\x00\x00" +
            struct.pack(">Ii", 0, 0) + struct.pack(">i", 0))


def _key(n):
    return struct.pack(">ii", 0, 0) + struct.pack(">Q", n) + _TAIL


def write_pair(old_path, new_path, entries):
    """Write both buckets of `entries` entries each; returns their sizes."""
    meta = BucketMetadata(23, 0).record()
    w = RecordWriter(old_path)
    w.write(meta)
    live, dead, init = struct.pack(">i", LIVEENTRY), struct.pack(">i", DEADENTRY), struct.pack(">i", INITENTRY)
    for i in range(entries):
        w.write(live + _account(2 * i, 1000 + i, 5))
    w.finish()
    w = RecordWriter(new_path)
    w.write(meta)
    # new: for every pair of old accounts (4j, 4j+2): 4j updated or deleted, 4j+1 created
    for j in range(entries // 2):
        n = 4 * j
        if j % 2 == 0:
            w.write(live + _account(n, 7, 9))
        else:
            w.write(dead + _key(n))
        w.write(init + _account(n + 1, 3, 9))
    w.finish()
