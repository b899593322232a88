"""BucketListDB wiring: which index a bucket gets, where it is kept, caches.

As stellar-core's BucketIndexUtils (`createIndex`, `loadIndex`,
`getPageSize`) and `LiveBucketIndex::maybeInitializeCache`, with its
configuration knobs:

* BUCKETLIST_DB_INDEX_CUTOFF (default 20 MB): live buckets smaller than this
  get an individual index (every key), larger ones a page index;
* BUCKETLIST_DB_INDEX_PAGE_SIZE_EXPONENT (default 14, 16 KiB pages; 0 means
  individual indexes for every live bucket); hot-archive buckets always get
  a page index, of 16 KiB when the exponent is 0 (as stellar-core);
* BUCKETLIST_DB_PERSIST_INDEX (default on): indexes are saved next to the
  bucket as `bucket-<hex>.index`.  stellar-core persists only page (disk)
  indexes -- its small-bucket index is rebuilt at every start -- and so do
  we by default (`persist_individual=False`);
* BUCKETLIST_DB_MEMORY_FOR_CACHING (default 0, no cache): the memory budget
  of the ACCOUNT entry caches of page-indexed live buckets.

`install(manager)` sets the manager's `index_factory`, which loads a saved
index when it matches the bucket (hash, size, format, page size) and
otherwise builds one and saves it atomically (temporary file renamed).
"""
import logging
import os

from stellarcore.bucket.bucket import index_filename
from stellarcore.bucket.entries import HOT_ARCHIVE
from stellarcore.bucket.index import (CorruptIndexError, ForeignIndexError, IndexFileError,
                                      LedgerEntryTypeAndDurability, build_index, load_index)

log = logging.getLogger(__name__)

MB = 1024 * 1024
DEFAULT_HOT_ARCHIVE_PAGE_SIZE = 16384


class IndexConfig:
    __slots__ = ("cutoff_bytes", "page_size_exponent", "persist", "persist_individual",
                 "memory_for_caching")

    def __init__(self, *, cutoff_bytes=20 * MB, page_size_exponent=14, persist=True,
                 persist_individual=False, memory_for_caching=0):
        if not 0 <= page_size_exponent <= 31:
            raise ValueError("page size exponent must be in 0..31")
        self.cutoff_bytes = cutoff_bytes
        self.page_size_exponent = page_size_exponent
        self.persist = persist
        self.persist_individual = persist_individual
        self.memory_for_caching = memory_for_caching

    @classmethod
    def from_core_config(cls, *, index_cutoff_mb=20, page_size_exponent=14, persist_index=True,
                         memory_for_caching_mb=0):
        """From stellar-core's BUCKETLIST_DB_* values (sizes in MB)."""
        return cls(cutoff_bytes=index_cutoff_mb * MB, page_size_exponent=page_size_exponent,
                   persist=persist_index, memory_for_caching=memory_for_caching_mb * MB)

    def page_size(self, bucket_size, hot=False):
        """Page size of a bucket's index; 0 for an individual index."""
        exp = self.page_size_exponent
        if hot:
            return (1 << exp) if exp else DEFAULT_HOT_ARCHIVE_PAGE_SIZE
        if exp == 0 or bucket_size < self.cutoff_bytes:
            return 0
        return 1 << exp

    def __repr__(self):
        return ("IndexConfig(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
                + ")")


def is_hot(bucket):
    """Whether a bucket holds hot-archive entries (its METAENTRY says so)."""
    return bucket.metadata.list_type == HOT_ARCHIVE


def index_path(bucket_dir, bucket):
    return os.path.join(bucket_dir, index_filename(bucket.hex))


class IndexFactory:
    """bucket -> BucketIndex: load the saved index if usable, else build
    (and save) it.  The BucketManager calls it for every adopted bucket."""

    def __init__(self, bucket_dir, tmp_dir=None, config=None, *, do_fsync=False):
        self.bucket_dir = os.fspath(bucket_dir)
        self.tmp_dir = os.fspath(tmp_dir) if tmp_dir is not None else self.bucket_dir
        self.config = config or IndexConfig()
        self.do_fsync = do_fsync
        self.built = 0
        self.loaded = 0

    def _persists(self, page_size):
        return self.config.persist and (page_size != 0 or self.config.persist_individual)

    def __call__(self, bucket):
        if bucket.is_empty:
            return None
        page_size = self.config.page_size(bucket.size, is_hot(bucket))
        path = index_path(self.bucket_dir, bucket)
        if self._persists(page_size):
            try:
                idx = load_index(path, bucket.path, bucket.hash, page_size)
                self.loaded += 1
                return idx
            except FileNotFoundError:
                pass
            except (CorruptIndexError, ForeignIndexError) as e:
                log.warning("rebuilding bucket index: %s", e)
            except IndexFileError as e:
                log.info("rebuilding bucket index: %s", e)
        idx = build_index(bucket.path, bucket.hash, page_size)
        self.built += 1
        if self._persists(page_size):
            idx.save(path, tmp_dir=self.tmp_dir, do_fsync=self.do_fsync)
        return idx


def install(manager, config=None):
    """Make `manager` index every bucket it adopts (BucketListDB on)."""
    factory = IndexFactory(manager.bucket_dir, manager.tmp_dir, config,
                           do_fsync=manager.do_fsync)
    manager.index_factory = factory
    return factory


def ensure_index(bucket, factory):
    """The bucket's index, made with `factory` if it has none yet."""
    if bucket.is_empty:
        return None
    idx = bucket.index
    if idx is None:
        idx = factory(bucket)
        bucket.index = idx
    return idx


def account_bytes(idx):
    return idx.entry_type_sizes()[LedgerEntryTypeAndDurability.ACCOUNT]


def init_caches(buckets, memory_for_caching):
    """`LiveBucketIndex::maybeInitializeCache` for every page-indexed live
    bucket of a list (an iterable of Buckets, their indexes made): a bucket
    whose index has no cache yet gets one of as many ACCOUNT entries as its
    share of the list's ACCOUNT bytes buys of `memory_for_caching` bytes
    (every account in it when the whole list's accounts fit)."""
    indexes = [b.index for b in buckets if not b.is_empty and b.index is not None
               and not b.index.hot]
    if memory_for_caching <= 0:
        return
    total = sum(account_bytes(i) for i in indexes)
    for idx in indexes:
        if not idx.is_page_index or idx.has_cache:
            continue
        accounts = idx.entry_type_counts()[LedgerEntryTypeAndDurability.ACCOUNT]
        if accounts == 0:
            continue
        if total < memory_for_caching:
            idx.init_cache(accounts)
        else:
            mine = account_bytes(idx)
            budget = memory_for_caching * (mine / total)
            n = int(budget / (mine / accounts))
            if n > 0:
                idx.init_cache(n)
