"""Searchable snapshots of the bucket lists (BucketListDB queries).

As stellar-core's SearchableLiveBucketListSnapshot /
SearchableHotArchiveBucketListSnapshot: a snapshot holds the Bucket objects
of one ledger's list (curr then snap, level 0 down, empties left out) and
their indexes, so it stays valid and unchanged while the list moves on
(a bucket file deleted meanwhile stays readable through its index's open
descriptor).  Keys and results are raw XDR:

* `load(key)`: the LedgerEntry of LedgerKey `key`, searching newest bucket
  first and stopping at the first bucket holding the key; a tombstone there
  (DEADENTRY; HOT_ARCHIVE_LIVE in the hot archive) means absent -> None.
  In the hot archive the LedgerEntry is the archived entry.
* `load_keys(keys)`: the same for many keys, bucket by bucket as
  stellar-core's loadKeys: {key: LedgerEntry} for the keys present.
* `load_record(key)` / `load_records(keys)`: the raw BucketEntry /
  HotArchiveBucketEntry found first, tombstones included.
* `load_pool_share_trustlines_by_account_and_asset(account_id, asset)`
  (live list).

The lookups run in C (index.pyx); a snapshot may be shared by threads.
"""
import struct

from stellarcore.bucket import bucketlistdb
from stellarcore.bucket.index import load_entries, load_entry, load_record

_TRUSTLINE = struct.pack(">i", 1)            # LedgerEntryType TRUSTLINE
_POOL_SHARE = struct.pack(">i", 3)           # AssetType ASSET_TYPE_POOL_SHARE


def _factory_of(manager, factory):
    if factory is not None:
        return factory
    if manager is None:
        raise ValueError("a snapshot needs a BucketManager or an index factory")
    if manager.index_factory is None:
        bucketlistdb.install(manager)
    return manager.index_factory


class SearchableBucketListSnapshot:
    HOT = False

    def __init__(self, bucket_list, manager=None, *, factory=None, ledger_seq=None,
                 memory_for_caching=None):
        """Snapshot `bucket_list` as it is now.  Buckets without an index get
        one from `factory` (default: the manager's, installing BucketListDB
        with the default configuration if it has none).  `memory_for_caching`
        (bytes; default the factory's configuration) sizes the ACCOUNT caches
        of page-indexed live buckets that have none yet."""
        if bucket_list.HOT != self.HOT:
            raise TypeError(f"{type(self).__name__} needs a "
                            f"{'hot archive' if self.HOT else 'live'} bucket list")
        self.ledger_seq = ledger_seq
        buckets = [(level, which, b) for level, which, b in bucket_list.buckets() if not b.is_empty]
        need = [b for _, _, b in buckets if b.index is None]
        if need:
            f = _factory_of(manager, factory)
            for b in need:
                bucketlistdb.ensure_index(b, f)
        for level, which, b in buckets:
            if b.index.hot != self.HOT:
                raise ValueError(f"{b!r} (level {level} {which}) is a "
                                 f"{'hot archive' if b.index.hot else 'live'} bucket")
        self._levels = tuple(buckets)
        self._indexes = tuple(b.index for _, _, b in buckets)
        if not self.HOT:
            if memory_for_caching is None:
                f = factory or (manager.index_factory if manager is not None else None)
                memory_for_caching = f.config.memory_for_caching if f is not None else 0
            if memory_for_caching:
                bucketlistdb.init_caches([b for _, _, b in buckets], memory_for_caching)

    def buckets(self):
        """(level, 'curr'|'snap', Bucket) of the non-empty buckets, newest first."""
        return self._levels

    def load(self, key):
        """LedgerEntry XDR of LedgerKey XDR `key`, or None (absent or deleted)."""
        return load_entry(self._indexes, key)

    def load_keys(self, keys):
        """{LedgerKey XDR: LedgerEntry XDR} for those of `keys` present."""
        return load_entries(self._indexes, keys)

    def load_record(self, key):
        """Raw bucket record of `key` in the newest bucket holding it
        (tombstones included), or None."""
        return load_record(self._indexes, key)

    def load_records(self, keys):
        """{key: raw record} for the keys some bucket holds, tombstones included."""
        return load_entries(self._indexes, keys, raw=True)


class LiveBucketListSnapshot(SearchableBucketListSnapshot):
    HOT = False

    def load_pool_share_trustlines_by_account_and_asset(self, account_id, asset):
        """The live pool-share trustlines of `account_id` (AccountID XDR) in
        the pools holding `asset` (Asset XDR), as LedgerEntry XDR in key
        order (stellar-core's loadPoolShareTrustLinesByAccountAndAsset: the
        pools come from every bucket's asset -> pool IDs map, which records
        INITENTRY pools only; the trustline keys are then bulk-loaded, so
        deleted trustlines and stale pool IDs drop out)."""
        account_id = bytes(account_id)
        asset = bytes(asset)
        if len(account_id) != 36 or account_id[:4] != b"\0\0\0\0":
            raise ValueError("account_id must be the XDR of an ed25519 AccountID")
        pools = set()
        for idx in self._indexes:
            pools.update(idx.pool_ids_by_asset(asset))
        keys = [_TRUSTLINE + account_id + _POOL_SHARE + p for p in pools]
        found = load_entries(self._indexes, keys)
        return [found[k] for k in sorted(found)]      # one account: PoolID order


class HotArchiveBucketListSnapshot(SearchableBucketListSnapshot):
    HOT = True
