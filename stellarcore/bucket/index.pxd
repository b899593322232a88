# cython: language_level=3
"""C API of stellarcore.bucket.index: the BucketListDB per-bucket index.

See index.pyx for the design and the file format."""
from libc.stdint cimport uint8_t, uint16_t, uint32_t, uint64_t, int64_t
from stellarcore.bucket.keys cimport KeyBuf

cdef enum:
    NUM_TYPES = 10          # LedgerEntryType ACCOUNT..TTL
    NUM_TD = 11             # LedgerEntryTypeAndDurability
    NUM_KINDS = 3           # LIVE/DEAD/INIT (hot archive: ARCHIVED/LIVE)


# A binary fuse filter with 16-bit fingerprints over 64-bit key hashes
# (3-wise, segmented; false-positive rate about 2^-16).
cdef struct Fuse:
    uint64_t seed
    uint32_t seg_len
    uint32_t seg_mask
    uint32_t seg_count_len
    uint32_t array_len
    uint16_t *fp            # NULL: no filter (fewer than 2 keys)


# The per-bucket entry cache (stellar-core's RandomEvictionCache): a hash
# table (linear probing) of entries, plus a dense array of them to pick
# eviction candidates from.  Each entry is one malloc'd block: this header,
# the order key, the record.
cdef struct CacheEntry:
    uint64_t hash
    uint64_t stamp          # last use
    size_t pos              # index in `dense`
    uint32_t klen
    uint32_t rlen


cdef struct Cache:
    CacheEntry **table      # mask + 1 slots, NULL = empty; NULL table = no cache
    CacheEntry **dense      # cap entries, `count` used
    size_t mask
    size_t cap
    size_t count
    size_t nbytes
    uint64_t clock
    uint64_t rng


cdef uint64_t key_hash(const uint8_t *p, Py_ssize_t n) noexcept nogil
cdef bint fuse_contains(const Fuse *f, uint64_t key) noexcept nogil


cdef class BucketIndex:
    cdef readonly bytes bucket_hash
    cdef readonly object path            # the bucket file
    cdef readonly bint hot
    cdef readonly uint64_t file_size
    cdef readonly uint32_t page_size     # 0: individual index (one range per record)
    cdef readonly uint64_t num_records   # entries indexed (METAENTRY excluded)
    cdef Py_ssize_t n                    # ranges: records or pages
    cdef Py_ssize_t stride               # keys per range: 1 (individual) or 2 (lo, hi)
    cdef uint8_t *blob                   # the order keys, back to back
    cdef uint64_t blob_len
    cdef uint64_t *koff                  # n*stride + 1 offsets into blob
    cdef uint64_t *offs                  # n + 1 file offsets (offs[n]: end of the last record)
    cdef Fuse filt
    cdef uint64_t counts[NUM_TD * NUM_KINDS]
    cdef uint64_t sizes[NUM_TD * NUM_KINDS]
    cdef int64_t tstart[NUM_TYPES]
    cdef int64_t tend[NUM_TYPES]
    cdef dict pools                      # Asset XDR -> tuple of PoolIDs (live buckets)
    cdef int fd
    cdef uint8_t *rbuf                   # the last range read
    cdef size_t rcap
    cdef uint64_t rbuf_off
    cdef uint64_t rbuf_len
    cdef KeyBuf kb                       # scratch: order key of a record read
    cdef Cache cache
    cdef const uint8_t *found            # set by _find: the record found
    cdef uint32_t found_len
    cdef readonly uint64_t stat_lookups, stat_filter_negatives, stat_false_positives
    cdef readonly uint64_t stat_reads, stat_cache_hits, stat_cache_misses

    cdef int _open(self) except -1
    cdef void _cache_free(self) noexcept
    cdef void _cache_evict(self) noexcept nogil
    cdef int _key_cmp(self, Py_ssize_t j, const uint8_t *k, Py_ssize_t kn) noexcept nogil
    cdef Py_ssize_t _lower_bound(self, Py_ssize_t lo, const uint8_t *k, Py_ssize_t kn) noexcept nogil
    cdef int _read_range(self, Py_ssize_t i) except -1
    cdef int _find(self, const uint8_t *k, Py_ssize_t kn, uint64_t h, Py_ssize_t *start) except -1
    cdef const uint8_t *_cache_get(self, const uint8_t *k, Py_ssize_t kn, uint64_t h,
                                   uint32_t *rlen) noexcept nogil
    cdef int _cache_put(self, const uint8_t *k, Py_ssize_t kn, uint64_t h,
                        const uint8_t *rec, uint32_t rlen) noexcept nogil
