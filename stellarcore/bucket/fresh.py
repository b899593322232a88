"""Fresh buckets: the level-0 batch of a ledger, sorted and written.

As stellar-core's `LiveBucket::fresh` / `HotArchiveBucket::fresh`: created
entries become INITENTRY, updated ones LIVEENTRY, erased keys DEADENTRY
(hot archive: archived entries HOT_ARCHIVE_ARCHIVED, restored keys
HOT_ARCHIVE_LIVE); all sorted with BucketEntryIdCmp after the METAENTRY,
and two records for one key are an error.  An empty batch still gives a
bucket holding only the METAENTRY.  Before protocol 11 (a protocol-0
genesis ledger) there is no METAENTRY and created entries are LIVEENTRY.
"""
from stellarcore.bucket import keys
from stellarcore.bucket.bucket_file import RecordWriter
from stellarcore.bucket.entries import (BucketMetadata, DEADENTRY,
                                        FIRST_PROTOCOL_SUPPORTING_INITENTRY_AND_METAENTRY,
                                        HOT_ARCHIVE_ARCHIVED, HOT_ARCHIVE_LIVE, INITENTRY, LIVEENTRY,
                                        record_kind, with_kind)


def _raw(x):
    return x if isinstance(x, (bytes, bytearray, memoryview)) else x.to_xdr()


def live_records(init_entries, live_entries, dead_keys):
    """Raw BucketEntry records of a live batch (unsorted)."""
    out = [with_kind(INITENTRY, _raw(e)) for e in init_entries]
    out += [with_kind(LIVEENTRY, _raw(e)) for e in live_entries]
    out += [with_kind(DEADENTRY, _raw(k)) for k in dead_keys]
    return out


def hot_records(archived_entries, restored_keys):
    """Raw HotArchiveBucketEntry records of a hot-archive batch (unsorted)."""
    out = [with_kind(HOT_ARCHIVE_ARCHIVED, _raw(e)) for e in archived_entries]
    out += [with_kind(HOT_ARCHIVE_LIVE, _raw(k)) for k in restored_keys]
    return out


def sort_records(records, hot):
    """Records in BucketEntryIdCmp order; ValueError on a repeated key."""
    order_key = keys.hot_archive_entry_order_key if hot else keys.bucket_entry_order_key
    keyed = sorted(((order_key(bytes(r)), bytes(r)) for r in records), key=lambda kr: kr[0])
    for (a, _), (b, _) in zip(keyed, keyed[1:]):
        if a == b:
            raise ValueError("two entries for one ledger key in a bucket batch")
    return [r for _, r in keyed]


def write_fresh(path, protocol, records, hot, do_fsync=False):
    """Write a fresh bucket; returns (hash, objects, bytes)."""
    with_meta = hot or protocol >= FIRST_PROTOCOL_SUPPORTING_INITENTRY_AND_METAENTRY
    if not with_meta:
        records = [with_kind(LIVEENTRY, bytes(r)[4:]) if record_kind(bytes(r)) == INITENTRY else r
                   for r in records]
    sorted_records = sort_records(records, hot)
    w = RecordWriter(path)
    try:
        if with_meta:
            w.write(BucketMetadata.for_fresh(protocol, hot).record())
        for r in sorted_records:
            w.write(r)
        digest = w.finish(do_fsync)
    except BaseException:
        w.abort()
        raise
    return digest, w.objects, w.bytes_written
