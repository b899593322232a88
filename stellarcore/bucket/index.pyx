# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""BucketListDB: the per-bucket index and point lookups, in C.

As stellar-core's LiveBucketIndex / HotArchiveBucketIndex / DiskIndex (v25):
every non-empty bucket gets an index built by one sequential scan of its
file (records never become Python objects: order keys come from keys.pxd).
Two kinds:

* individual index (page_size 0; live buckets under the size cutoff): the
  order key of every entry and the file offset of its record;
* page index (page_size 2^k; big buckets, and every hot-archive bucket as in
  stellar-core): the file is cut into pages at record boundaries -- a page
  starts with the first record at or past the next multiple of the page
  size -- and each page keeps its first and last order key and its offset.

Ranges (records or pages) tile the file, so range i is exactly
[offs[i], offs[i+1]) and one pread fetches it.  Both kinds also keep a
binary fuse filter (16-bit fingerprints, false positives about 1 in
65,536) over a 64-bit hash of every order key, checked before anything
else so that a filter miss touches neither the key arrays nor the file;
the file offsets where each LedgerEntryType starts and ends
(`get_range_for_type`); counts and byte sizes per LedgerEntryTypeAndDurability
and entry kind; and, for live buckets, stellar-core's asset -> pool IDs map
built from INITENTRY liquidity pools (for
loadPoolShareTrustLinesByAccountAndAsset).

A lookup: order key of the LedgerKey, its hash, [cache], filter, binary
search, pread of the range, walk of its records comparing order keys.
Everything runs with the GIL held and without calling back into Python, so
an index (its read buffer, cache and counters) is safe to share between
threads; reads use pread on a descriptor opened when the index is made, so
a bucket file deleted later (garbage collection) stays readable while a
snapshot holds its index.

Index file (`bucket-<hex>.index`; ours, not stellar-core's cereal format):
  "SCBLDBIX", u32 native 0x01020304 (byte-order check), then little-endian:
  u32 format version, u32 flags (1 hot, 2 filter), u32 page size,
  32-byte bucket hash, u64 bucket file size, u64 entries, u64 ranges,
  u64 keys, u64 key bytes, u64 filter seed, u32 segment length,
  u32 segment count length, u32 filter slots, u32 0, u64 pool map bytes;
  then, each padded to 8 bytes: counts and sizes (2 x 11 x 3 u64), type
  ranges (10 x 2 i64, -1 when absent), key offsets ((keys+1) u64), file
  offsets ((ranges+1) u64), key bytes, fingerprints (u16), pool map
  (u32 asset length, Asset XDR, u32 count, PoolIDs); then the SHA-256 of all
  the preceding bytes.  The arrays are in the host's byte order (the check
  word says which).  An index whose version, byte order, bucket hash,
  bucket size or page size differs from what is expected is stale or
  foreign (`StaleIndexError`, `ForeignIndexError`); one that fails its
  checksum or structure checks is corrupt (`CorruptIndexError`); callers
  rebuild in every case.
"""
from libc.stdint cimport uint8_t, uint16_t, uint32_t, uint64_t, int64_t
from libc.stdlib cimport malloc, calloc, realloc, free, qsort
from libc.string cimport memcpy, memcmp, memset
from libc.math cimport log, floor, round
from libc.errno cimport errno, EINTR
from posix.types cimport off_t
from cpython.bytes cimport PyBytes_FromStringAndSize, PyBytes_AS_STRING, PyBytes_GET_SIZE

from stellarcore.bucket.bucket_file cimport RecordReader, REC_EOF, REC_ERROR, record_kind
from stellarcore.bucket.keys cimport (KeyBuf, keybuf_init, keybuf_free, keybuf_raise,
                                      order_key_cmp, keybuf_cmp, ledger_key_order_key_into,
                                      bucket_entry_order_key_nogil,
                                      hot_archive_entry_order_key_nogil)

import enum
import hashlib
import os
import struct

from stellarcore.bucket.bucket_file import BucketFileError
from stellarcore.bucket.keys import ledger_key_order_key as order_key
from stellarcore.util.fs import write_atomically

cdef extern from "<unistd.h>" nogil:
    ssize_t pread(int fd, void *buf, size_t count, off_t offset)
    int close(int fd)

cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    static inline uint64_t scix_mulhi(uint64_t a, uint64_t b) {
        return (uint64_t)(((unsigned __int128)a * b) >> 64);
    }
    static inline uint64_t scix_rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
    /* murmur3's 64-bit finalizer */
    static inline uint64_t scix_fmix(uint64_t h) {
        h ^= h >> 33; h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 33; return h;
    }
    /* 64-bit hash of a byte string: murmur3-style word mixing, then fmix.
       Words are read little-endian so the hash (and so a saved filter) does
       not depend on the host. */
    static inline uint64_t scix_ld64le(const uint8_t *p) {
        return (uint64_t)p[0] | ((uint64_t)p[1] << 8) | ((uint64_t)p[2] << 16) |
               ((uint64_t)p[3] << 24) | ((uint64_t)p[4] << 32) | ((uint64_t)p[5] << 40) |
               ((uint64_t)p[6] << 48) | ((uint64_t)p[7] << 56);
    }
    static uint64_t scix_hash(const uint8_t *p, size_t n) {
        uint64_t h = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)n * 0xC2B2AE3D27D4EB4FULL);
        uint64_t w;
        size_t i = 0, j;
        for (; i + 8 <= n; i += 8) {
            w = scix_ld64le(p + i) * 0x87C37B91114253D5ULL;
            h ^= scix_rotl(w, 31) * 0x4CF5AD432745937FULL;
            h = scix_rotl(h, 27) * 5 + 0x52DCE729ULL;
        }
        if (i < n) {
            w = 0;
            for (j = 0; i + j < n; j++) w |= (uint64_t)p[i + j] << (8 * j);
            w *= 0x87C37B91114253D5ULL;
            h ^= scix_rotl(w, 31) * 0x4CF5AD432745937FULL;
        }
        return scix_fmix(h ^ (uint64_t)n);
    }
    static int scix_cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return (x > y) - (x < y);
    }
    #define SCIX_NONE ((uint64_t)-1)
    #define SCIX_SEED0 0x5343424C44424958ULL
    #define SCIX_XSMUL 0x2545F4914F6CDD1DULL
    """
    uint64_t mulhi "scix_mulhi"(uint64_t a, uint64_t b) nogil
    uint64_t fmix "scix_fmix"(uint64_t h) nogil
    uint64_t scix_hash(const uint8_t *p, size_t n) nogil
    int cmp_u64 "scix_cmp_u64"(const void *a, const void *b) noexcept nogil
    const uint64_t NONE "SCIX_NONE"
    const uint64_t SEED0 "SCIX_SEED0"
    const uint64_t XSMUL "SCIX_XSMUL"

cdef enum:
    T_LIQUIDITY_POOL = 5
    T_CONTRACT_DATA = 6
    K_TOMBSTONE = 1          # DEADENTRY / HOT_ARCHIVE_LIVE
    K_INIT = 2
    MAX_SEGMENT = 262144
    FILTER_ATTEMPTS = 64

FORMAT_VERSION = 1
MAGIC = b"SCBLDBIX"
_MARK = struct.pack("=I", 0x01020304)
_HEAD = struct.Struct("<III32sQQQQQQIIIIQ")
HEADER_SIZE = len(MAGIC) + 4 + _HEAD.size
_U32 = struct.Struct("<I")


class LedgerEntryTypeAndDurability(enum.IntEnum):
    """stellar-core's counter categories (CONTRACT_DATA split by durability)."""
    ACCOUNT = 0
    TRUSTLINE = 1
    OFFER = 2
    DATA = 3
    CLAIMABLE_BALANCE = 4
    LIQUIDITY_POOL = 5
    TEMPORARY_CONTRACT_DATA = 6
    PERSISTENT_CONTRACT_DATA = 7
    CONTRACT_CODE = 8
    CONFIG_SETTING = 9
    TTL = 10


class IndexFileError(ValueError):
    """An index file that cannot be used (the caller rebuilds it)."""


class StaleIndexError(IndexFileError):
    """Written by another format version, byte order or page size."""


class ForeignIndexError(IndexFileError):
    """The index of another bucket (hash or size differ)."""


class CorruptIndexError(IndexFileError):
    """Truncated, damaged, or inconsistent with its bucket file."""


cdef uint64_t key_hash(const uint8_t *p, Py_ssize_t n) noexcept nogil:
    return scix_hash(p, <size_t>n)


# ---------------------------------------------------------------- growable buffers

cdef struct Grow:
    uint8_t *p
    size_t len
    size_t cap


cdef int grow_reserve(Grow *g, size_t extra) noexcept nogil:
    cdef size_t want = g.len + extra
    cdef size_t cap
    cdef uint8_t *np
    if want <= g.cap:
        return 0
    cap = g.cap * 2 if g.cap else 4096
    while cap < want:
        cap *= 2
    np = <uint8_t *>realloc(g.p, cap)
    if np == NULL:
        return -1
    g.p = np
    g.cap = cap
    return 0


cdef inline int grow_put(Grow *g, const void *src, size_t n) noexcept nogil:
    if grow_reserve(g, n) < 0:
        return -1
    if n:
        memcpy(g.p + g.len, src, n)
    g.len += n
    return 0


cdef inline int grow_u64(Grow *g, uint64_t v) noexcept nogil:
    return grow_put(g, &v, 8)


cdef inline uint32_t ld32be(const uint8_t *p) noexcept nogil:
    return (<uint32_t>p[0] << 24) | (<uint32_t>p[1] << 16) | (<uint32_t>p[2] << 8) | p[3]


# ---------------------------------------------------------------- binary fuse filter

cdef int fuse_params(Fuse *f, uint64_t n) noexcept nogil:
    """Size a 3-wise binary fuse filter for n keys (Graf & Lemire's
    segment length and size factor); -1 if n is too large for u32 slots."""
    cdef int64_t seg_len, cap, segs, array_len
    cdef double factor
    f.seed = 0
    f.fp = NULL
    if n < 2:
        f.seg_len = f.seg_mask = f.seg_count_len = f.array_len = 0
        return 0
    if n >= (<uint64_t>1 << 31):
        return -1
    seg_len = (<int64_t>1) << <int>floor(log(<double>n) / log(3.33) + 2.25)
    if seg_len > MAX_SEGMENT:
        seg_len = MAX_SEGMENT
    factor = 0.875 + 0.25 * log(1000000.0) / log(<double>n)
    if factor < 1.125:
        factor = 1.125
    cap = <int64_t>round(<double>n * factor)
    segs = (cap + seg_len - 1) // seg_len - 2
    if segs < 1:
        segs = 1
    array_len = (segs + 2) * seg_len
    f.seg_len = <uint32_t>seg_len
    f.seg_mask = <uint32_t>(seg_len - 1)
    f.seg_count_len = <uint32_t>(segs * seg_len)
    f.array_len = <uint32_t>array_len
    return 0


cdef inline void fuse_slots(const Fuse *f, uint64_t h, uint32_t *s) noexcept nogil:
    """The three slots of mixed hash h: one in each of three consecutive segments."""
    cdef uint32_t h0 = <uint32_t>mulhi(h, f.seg_count_len)
    s[0] = h0
    s[1] = (h0 + f.seg_len) ^ (<uint32_t>(h >> 18) & f.seg_mask)
    s[2] = (h0 + 2 * f.seg_len) ^ (<uint32_t>h & f.seg_mask)


cdef inline uint16_t fuse_fingerprint(uint64_t h) noexcept nogil:
    return <uint16_t>(h ^ (h >> 32))


cdef bint fuse_contains(const Fuse *f, uint64_t key) noexcept nogil:
    cdef uint64_t h
    cdef uint32_t s[3]
    if f.fp == NULL:
        return True
    h = fmix(key + f.seed)
    fuse_slots(f, h, s)
    return (fuse_fingerprint(h) ^ f.fp[s[0]] ^ f.fp[s[1]] ^ f.fp[s[2]]) == 0


cdef int fuse_build(Fuse *f, uint64_t *keys, size_t n) noexcept nogil:
    """Fill f (sized by fuse_params for n) so that every key is contained:
    the peeling construction.  Each slot counts its keys (count << 2) and
    XORs their mixed hashes and their position numbers (0-2); slots holding
    one key are peeled repeatedly, and fingerprints are assigned in reverse
    peeling order.  Retries with the next seed on failure (rare), removing
    duplicate key hashes after a few failures.  0, or -1 out of memory, -2
    no seed worked."""
    cdef size_t m = f.array_len
    cdef uint8_t *cnt = NULL
    cdef uint64_t *xh = NULL
    cdef uint32_t *queue = NULL
    cdef uint32_t *st_slot = NULL
    cdef uint8_t *st_pos = NULL
    cdef uint16_t *fp = NULL
    cdef size_t i, qn, sn, j, w
    cdef uint64_t h, seed = SEED0
    cdef uint32_t s[3]
    cdef uint32_t slot, t
    cdef uint8_t pos
    cdef int attempt, rc = -2
    cdef bint bad
    if n < 2 or m == 0:
        f.fp = NULL
        return 0
    cnt = <uint8_t *>malloc(m)
    xh = <uint64_t *>malloc(m * 8)
    queue = <uint32_t *>malloc(m * 4)
    st_slot = <uint32_t *>malloc(n * 4)
    st_pos = <uint8_t *>malloc(n)
    fp = <uint16_t *>calloc(m, 2)
    if cnt == NULL or xh == NULL or queue == NULL or st_slot == NULL or st_pos == NULL or fp == NULL:
        rc = -1
        attempt = FILTER_ATTEMPTS
    else:
        attempt = 0
    while attempt < FILTER_ATTEMPTS:
        seed = fmix(SEED0 + <uint64_t>attempt)
        attempt += 1
        if attempt == 4:                            # equal key hashes never peel
            qsort(keys, n, 8, cmp_u64)
            w = 1
            for i in range(1, n):
                if keys[i] != keys[w - 1]:
                    keys[w] = keys[i]
                    w += 1
            n = w
            if n < 2:                               # one distinct hash: all keys alike
                break
        memset(cnt, 0, m)
        memset(xh, 0, m * 8)
        bad = False
        for i in range(n):
            h = fmix(keys[i] + seed)
            fuse_slots(f, h, s)
            for j in range(3):
                if cnt[s[j]] >= 0xFC:
                    bad = True
                    break
                cnt[s[j]] += 4
                cnt[s[j]] ^= <uint8_t>j
                xh[s[j]] ^= h
            if bad:
                break
        if bad:
            continue
        qn = 0
        for i in range(m):
            if (cnt[i] >> 2) == 1:
                queue[qn] = <uint32_t>i
                qn += 1
        sn = 0
        while qn > 0:
            qn -= 1
            slot = queue[qn]
            if (cnt[slot] >> 2) != 1:
                continue
            h = xh[slot]
            pos = cnt[slot] & 3
            cnt[slot] = 0
            st_slot[sn] = slot
            st_pos[sn] = pos
            sn += 1
            fuse_slots(f, h, s)
            for j in range(3):
                if j == pos:
                    continue
                t = s[j]
                cnt[t] -= 4
                cnt[t] ^= <uint8_t>j
                xh[t] ^= h
                if (cnt[t] >> 2) == 1:
                    queue[qn] = t
                    qn += 1
        if sn != n:
            continue
        memset(fp, 0, m * 2)
        i = sn
        while i > 0:
            i -= 1
            slot = st_slot[i]
            h = xh[slot]
            fuse_slots(f, h, s)
            fp[s[st_pos[i]]] = 0
            fp[s[st_pos[i]]] = fuse_fingerprint(h) ^ fp[s[0]] ^ fp[s[1]] ^ fp[s[2]]
        rc = 0
        break
    if rc == -2 and n < 2:                          # duplicates only: an exact 1-key filter
        rc = 0
        fp[0] = 0
    free(cnt)
    free(xh)
    free(queue)
    free(st_slot)
    free(st_pos)
    if rc == 0:
        f.seed = seed
        f.fp = fp
        if n < 2:                                   # degenerate: no filter at all
            free(fp)
            f.fp = NULL
    else:
        free(fp)
        f.fp = NULL
    return rc


# ---------------------------------------------------------------- the build

cdef enum:
    E_NONE = 0
    E_READ = 1
    E_KEY = 2
    E_UNSORTED = 3
    E_META = 4
    E_NOMEM = 5
    E_POOL = 6
    E_FILTER = 7
    E_KIND = 8


cdef struct Build:
    Grow blob
    Grow koff
    Grow offs
    Grow hashes
    Grow pools
    uint64_t counts[NUM_TD * NUM_KINDS]
    uint64_t sizes[NUM_TD * NUM_KINDS]
    int64_t tstart[NUM_TYPES]
    int64_t tend[NUM_TYPES]
    int last_type
    uint32_t page_size
    uint64_t page_upper
    uint64_t n
    uint64_t records
    uint64_t end
    bint hot
    int err
    uint64_t err_off
    Fuse filt


cdef inline int type_and_durability(const uint8_t *ok, Py_ssize_t n) noexcept nogil:
    cdef int t = ok[0]
    if t < T_CONTRACT_DATA:
        return t
    if t == T_CONTRACT_DATA:
        return 6 if ok[n - 1] == 0 else 7       # ContractDataDurability: TEMPORARY = 0
    return t + 1


cdef Py_ssize_t asset_len(const uint8_t *p, Py_ssize_t left) noexcept nogil:
    """Length of the Asset XDR at p, or -1."""
    cdef uint32_t t
    cdef Py_ssize_t n
    if left < 4:
        return -1
    t = ld32be(p)
    if t == 0:
        n = 4
    elif t == 1:
        n = 4 + 4 + 36
    elif t == 2:
        n = 4 + 12 + 36
    else:
        return -1
    if n > left or (n > 4 and ld32be(p + n - 36) != 0):   # PublicKeyType ed25519
        return -1
    return n


cdef int note_pool(Build *b, const uint8_t *rec, Py_ssize_t n) noexcept nogil:
    """An INITENTRY liquidity pool: record (assetA, pool) and (assetB, pool).
    Record: kind, lastModified, type, PoolID, body type, params {assetA, assetB, fee}."""
    cdef Py_ssize_t at = 4 + 4 + 4 + 32
    cdef Py_ssize_t la, lb
    cdef uint32_t u
    if n < at + 4 or ld32be(rec + at) != 0:      # LIQUIDITY_POOL_CONSTANT_PRODUCT
        return -1
    at += 4
    la = asset_len(rec + at, n - at)
    if la < 0:
        return -1
    lb = asset_len(rec + at + la, n - at - la)
    if lb < 0:
        return -1
    u = <uint32_t>la
    if (grow_put(&b.pools, &u, 4) < 0 or grow_put(&b.pools, rec + at, la) < 0 or
            grow_put(&b.pools, rec + 12, 32) < 0):
        return -2
    u = <uint32_t>lb
    if (grow_put(&b.pools, &u, 4) < 0 or grow_put(&b.pools, rec + at + la, lb) < 0 or
            grow_put(&b.pools, rec + 12, 32) < 0):
        return -2
    return 0


cdef int build_scan(RecordReader r, Build *b, KeyBuf *cur, KeyBuf *prev) noexcept nogil:
    cdef int rc, kind, t, td, pr
    cdef bint first = True, have_prev = False
    cdef const uint8_t *rec
    cdef uint32_t n
    cdef uint64_t off, zero = 0
    cdef Py_ssize_t kl
    cdef KeyBuf tmp
    cdef uint64_t *ko
    if grow_u64(&b.koff, zero) < 0:
        b.err = E_NOMEM
        return -1
    while True:
        rc = r.next()
        if rc == REC_EOF:
            break
        if rc == REC_ERROR:
            b.err = E_READ
            return -1
        rec = r.rec
        n = r.rec_len
        off = r.rec_offset
        kind = record_kind(rec)
        b.err_off = off
        if kind == -1:
            if not first:
                b.err = E_META
                return -1
            first = False
            if n >= 16 and ld32be(rec + 8) == 1 and ld32be(rec + 12) == 1:
                b.hot = True                    # BucketMetadata ext v1: HOT_ARCHIVE
            if bucket_entry_order_key_nogil(rec, n, cur) < 0:
                b.err = E_KEY
                return -1
            continue
        first = False
        if b.hot:
            kl = hot_archive_entry_order_key_nogil(rec, n, cur)
        else:
            kl = bucket_entry_order_key_nogil(rec, n, cur)
        if kl < 0:
            b.err = E_KEY
            return -1
        if kl == 0:
            b.err = E_META
            return -1
        if have_prev and keybuf_cmp(prev, cur) >= 0:
            b.err = E_UNSORTED
            return -1
        t = cur.data[0]
        if t >= NUM_TYPES or kind < 0 or kind >= NUM_KINDS:
            b.err = E_KIND
            return -1
        td = type_and_durability(cur.data, kl)
        b.counts[td * NUM_KINDS + kind] += 1
        b.sizes[td * NUM_KINDS + kind] += n
        if t != b.last_type:
            if b.last_type >= 0:
                b.tend[b.last_type] = <int64_t>off
            b.tstart[t] = <int64_t>off
            b.last_type = t
        if grow_u64(&b.hashes, scix_hash(cur.data, <size_t>kl)) < 0:
            b.err = E_NOMEM
            return -1
        if b.page_size == 0:
            if (grow_put(&b.blob, cur.data, kl) < 0 or grow_u64(&b.koff, b.blob.len) < 0 or
                    grow_u64(&b.offs, off) < 0):
                b.err = E_NOMEM
                return -1
            b.n += 1
        elif off >= b.page_upper:               # a new page: lo = hi = this key
            b.page_upper = (off & ~(<uint64_t>b.page_size - 1)) + b.page_size
            if (grow_put(&b.blob, cur.data, kl) < 0 or grow_u64(&b.koff, b.blob.len) < 0 or
                    grow_put(&b.blob, cur.data, kl) < 0 or grow_u64(&b.koff, b.blob.len) < 0 or
                    grow_u64(&b.offs, off) < 0):
                b.err = E_NOMEM
                return -1
            b.n += 1
        else:                                   # same page: replace its hi key
            ko = <uint64_t *>b.koff.p
            b.blob.len = ko[b.koff.len // 8 - 2]
            b.koff.len -= 8
            if grow_put(&b.blob, cur.data, kl) < 0 or grow_u64(&b.koff, b.blob.len) < 0:
                b.err = E_NOMEM
                return -1
        if kind == K_INIT and t == T_LIQUIDITY_POOL and not b.hot:
            pr = note_pool(b, rec, n)
            if pr < 0:
                b.err = E_POOL if pr == -1 else E_NOMEM
                return -1
        b.records += 1
        have_prev = True
        tmp = cur[0]
        cur[0] = prev[0]
        prev[0] = tmp
    b.end = r.pos
    if b.last_type >= 0:
        b.tend[b.last_type] = <int64_t>b.end
    if grow_u64(&b.offs, b.end) < 0:
        b.err = E_NOMEM
        return -1
    if fuse_params(&b.filt, b.records) < 0:
        b.err = E_FILTER
        return -1
    rc = fuse_build(&b.filt, <uint64_t *>b.hashes.p, b.records)
    if rc < 0:
        b.err = E_NOMEM if rc == -1 else E_FILTER
        return -1
    return 0


cdef dict _pools_from(const uint8_t *p, size_t n):
    cdef size_t at = 0
    cdef uint32_t al
    cdef dict out = {}
    while at < n:
        memcpy(&al, p + at, 4)
        asset = PyBytes_FromStringAndSize(<const char *>p + at + 4, al)
        pool = PyBytes_FromStringAndSize(<const char *>p + at + 4 + al, 32)
        lst = out.get(asset)
        if lst is None:
            out[asset] = [pool]
        else:
            lst.append(pool)
        at += 4 + al + 32
    return {a: tuple(v) for a, v in out.items()}


def build_index(path, bucket_hash, unsigned int page_size=0):
    """Index the bucket file at `path` (one sequential scan, without the
    GIL).  `page_size` 0 makes an individual index, else a power of two:
    the page size.  Whether the bucket is a hot-archive bucket is read from
    its METAENTRY.  Raises BucketFileError / XdrError for a malformed or
    unsorted file."""
    if page_size & (page_size - 1):
        raise ValueError("page size must be 0 or a power of two")
    cdef RecordReader r = RecordReader(path)
    cdef Build b
    cdef KeyBuf cur, prev
    cdef int rc
    cdef BucketIndex idx
    memset(&b, 0, sizeof(Build))
    b.page_size = page_size
    b.last_type = -1
    for i in range(NUM_TYPES):
        b.tstart[i] = -1
        b.tend[i] = -1
    keybuf_init(&cur, 256)
    keybuf_init(&prev, 256)
    try:
        with nogil:
            rc = build_scan(r, &b, &cur, &prev)
        if rc < 0:
            if b.err == E_READ:
                r.raise_error()
            if b.err == E_KEY:
                try:
                    keybuf_raise(&cur, "HotArchiveBucketEntry" if b.hot else "BucketEntry")
                except Exception as e:
                    raise BucketFileError(f"{r.path}: bad record at offset {b.err_off}: {e}") from e
            if b.err == E_NOMEM:
                raise MemoryError()
            msg = {E_UNSORTED: "records not in strictly increasing key order",
                   E_META: "METAENTRY that is not the first record",
                   E_POOL: "malformed liquidity pool entry",
                   E_FILTER: "could not build the key filter",
                   E_KIND: "unexpected entry kind or type"}.get(b.err, "error")
            raise BucketFileError(f"{r.path}: {msg} at offset {b.err_off}")
        idx = BucketIndex.__new__(BucketIndex)
        idx.bucket_hash = bytes(bucket_hash)
        idx.path = os.fspath(path)
        idx.hot = b.hot
        idx.file_size = b.end
        idx.page_size = page_size
        idx.num_records = b.records
        idx.n = <Py_ssize_t>b.n
        idx.stride = 1 if page_size == 0 else 2
        idx.blob = b.blob.p
        idx.blob_len = b.blob.len
        b.blob.p = NULL
        idx.koff = <uint64_t *>b.koff.p
        b.koff.p = NULL
        idx.offs = <uint64_t *>b.offs.p
        b.offs.p = NULL
        idx.filt = b.filt
        b.filt.fp = NULL
        memcpy(idx.counts, b.counts, sizeof(b.counts))
        memcpy(idx.sizes, b.sizes, sizeof(b.sizes))
        memcpy(idx.tstart, b.tstart, sizeof(b.tstart))
        memcpy(idx.tend, b.tend, sizeof(b.tend))
        idx.pools = None if b.hot else _pools_from(b.pools.p, b.pools.len)
        idx._open()
        return idx
    finally:
        keybuf_free(&cur)
        keybuf_free(&prev)
        free(b.blob.p)
        free(b.koff.p)
        free(b.offs.p)
        free(b.hashes.p)
        free(b.pools.p)
        free(b.filt.fp)
        r.close()


# ---------------------------------------------------------------- the index

cdef bytes _raw(const void *p, size_t n):
    if n == 0:
        return b""
    return PyBytes_FromStringAndSize(<const char *>p, n)


cdef void *_copy_in(bytes data, size_t at, size_t n) except NULL:
    cdef void *p = malloc(n if n else 1)
    if p == NULL:
        raise MemoryError()
    if n:
        memcpy(p, PyBytes_AS_STRING(data) + at, n)
    return p


def _pad8(n):
    return (-n) & 7


cdef class BucketIndex:
    """The index of one bucket file (see the module docstring)."""

    def __cinit__(self):
        self.fd = -1
        self.rbuf_off = NONE
        keybuf_init(&self.kb, 256)

    def __dealloc__(self):
        if self.fd >= 0:
            close(self.fd)
        free(self.blob)
        free(self.koff)
        free(self.offs)
        free(self.filt.fp)
        free(self.rbuf)
        keybuf_free(&self.kb)
        self._cache_free()

    def __init__(self):
        raise TypeError("use build_index() or load_index()")

    cdef int _open(self) except -1:
        self.fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        return 0

    # -- properties -----------------------------------------------------------
    @property
    def is_page_index(self):
        return self.page_size != 0

    @property
    def num_ranges(self):
        """Records (individual index) or pages (page index)."""
        return self.n

    @property
    def has_filter(self):
        return self.filt.fp != NULL

    @property
    def filter_bytes(self):
        return self.filt.array_len * 2 if self.filt.fp != NULL else 0

    @property
    def memory_bytes(self):
        """Approximate heap held (keys, offsets, filter, cache)."""
        return (self.blob_len + 8 * (self.n * self.stride + 1) + 8 * (self.n + 1) +
                self.filter_bytes + self.rcap + self.cache.nbytes)

    def stats(self):
        return {"lookups": self.stat_lookups, "filter_negatives": self.stat_filter_negatives,
                "false_positives": self.stat_false_positives, "reads": self.stat_reads,
                "cache_hits": self.stat_cache_hits, "cache_misses": self.stat_cache_misses}

    def get_range_for_type(self, int t):
        """(start, end) file offsets of the records of LedgerEntryType t
        (end: the next type's first record, or the end of the file), or None."""
        if not 0 <= t < NUM_TYPES or self.tstart[t] < 0:
            return None
        return (self.tstart[t], self.tend[t])

    def counts_by_kind(self):
        """{(LedgerEntryTypeAndDurability, entry kind): (count, bytes)} for
        the nonzero cells; bytes are XDR sizes of the entries (no marks)."""
        out = {}
        for td in range(NUM_TD):
            for k in range(NUM_KINDS):
                if self.counts[td * NUM_KINDS + k]:
                    out[(LedgerEntryTypeAndDurability(td), k)] = (
                        self.counts[td * NUM_KINDS + k], self.sizes[td * NUM_KINDS + k])
        return out

    def entry_type_counts(self):
        """stellar-core's BucketEntryCounters.entryTypeCounts (every kind)."""
        return {LedgerEntryTypeAndDurability(td): sum(self.counts[td * NUM_KINDS + k]
                                                      for k in range(NUM_KINDS))
                for td in range(NUM_TD)}

    def entry_type_sizes(self):
        """stellar-core's BucketEntryCounters.entryTypeSizes (every kind)."""
        return {LedgerEntryTypeAndDurability(td): sum(self.sizes[td * NUM_KINDS + k]
                                                      for k in range(NUM_KINDS))
                for td in range(NUM_TD)}

    def pool_ids_by_asset(self, asset):
        """PoolIDs of the liquidity pools INITed in this bucket that hold
        `asset` (Asset XDR), in file order; () for hot-archive buckets."""
        if self.pools is None:
            return ()
        return self.pools.get(bytes(asset), ())

    @property
    def asset_pool_map(self):
        return dict(self.pools) if self.pools is not None else None

    # -- search ---------------------------------------------------------------
    cdef int _key_cmp(self, Py_ssize_t j, const uint8_t *k, Py_ssize_t kn) noexcept nogil:
        cdef uint64_t a = self.koff[j]
        return order_key_cmp(self.blob + a, <Py_ssize_t>(self.koff[j + 1] - a), k, kn)

    cdef Py_ssize_t _lower_bound(self, Py_ssize_t lo, const uint8_t *k, Py_ssize_t kn) noexcept nogil:
        """The first range at or after lo whose last key is >= k."""
        cdef Py_ssize_t hi = self.n, mid
        cdef Py_ssize_t last = self.stride - 1
        while lo < hi:
            mid = (lo + hi) >> 1
            if self._key_cmp(mid * self.stride + last, k, kn) < 0:
                lo = mid + 1
            else:
                hi = mid
        return lo

    cdef int _read_range(self, Py_ssize_t i) except -1:
        cdef uint64_t off = self.offs[i]
        cdef uint64_t ln = self.offs[i + 1] - off
        cdef size_t done = 0
        cdef ssize_t got
        cdef uint8_t *nb
        if self.rbuf_off == off and self.rbuf_len == ln:
            return 0
        if self.fd < 0:
            raise ValueError("bucket index is not open")
        if ln > self.rcap:
            nb = <uint8_t *>realloc(self.rbuf, ln)
            if nb == NULL:
                raise MemoryError()
            self.rbuf = nb
            self.rcap = ln
        self.rbuf_off = NONE
        while done < ln:
            got = pread(self.fd, self.rbuf + done, ln - done, <off_t>(off + done))
            if got < 0:
                if errno == EINTR:
                    continue
                raise OSError(errno, os.strerror(errno), self.path)
            if got == 0:
                raise BucketFileError(f"{self.path}: file ends at {off + done}, "
                                      f"before the end of an indexed range")
            done += <size_t>got
        self.stat_reads += 1
        self.rbuf_off = off
        self.rbuf_len = ln
        return 0

    cdef int _find(self, const uint8_t *k, Py_ssize_t kn, uint64_t h, Py_ssize_t *start) except -1:
        """Look the order key k (hash h) up: 1 with `found`/`found_len` set
        to the record (valid until the next call), or 0.  `start` is a
        lower bound on the range index, updated for sorted bulk searches."""
        cdef bint use_cache = self.cache.table != NULL and k[0] == 0     # ACCOUNT
        cdef const uint8_t *c
        cdef uint32_t rl, mark, rn
        cdef Py_ssize_t i, kl
        cdef uint64_t p, end
        cdef int cmpv
        self.stat_lookups += 1
        if use_cache:
            c = self._cache_get(k, kn, h, &rl)
            if c != NULL:
                self.stat_cache_hits += 1
                self.found = c
                self.found_len = rl
                return 1
        if self.n == 0:
            return 0
        if not fuse_contains(&self.filt, h):
            self.stat_filter_negatives += 1
            return 0
        i = self._lower_bound(start[0], k, kn)
        start[0] = i
        if i >= self.n or self._key_cmp(i * self.stride, k, kn) > 0:
            self.stat_false_positives += 1
            return 0
        self._read_range(i)
        p = 0
        end = self.rbuf_len
        while p + 4 <= end:
            mark = ld32be(self.rbuf + p)
            rn = mark & 0x7fffffff
            if rn < 4 or (rn & 3) or p + 4 + rn > end:
                raise CorruptIndexError(f"{self.path}: index ranges do not match the "
                                        f"bucket's records (offset {self.rbuf_off + p})")
            if self.hot:
                kl = hot_archive_entry_order_key_nogil(self.rbuf + p + 4, rn, &self.kb)
            else:
                kl = bucket_entry_order_key_nogil(self.rbuf + p + 4, rn, &self.kb)
            if kl < 0:
                keybuf_raise(&self.kb, "HotArchiveBucketEntry" if self.hot else "BucketEntry")
            cmpv = order_key_cmp(self.kb.data, kl, k, kn)
            if cmpv == 0:
                self.found = self.rbuf + p + 4
                self.found_len = rn
                if use_cache:
                    self.stat_cache_misses += 1
                    self._cache_put(k, kn, h, self.found, rn)
                return 1
            if cmpv > 0:
                break
            p += 4 + rn
        if self.stride == 1:
            raise CorruptIndexError(f"{self.path}: indexed key not found at its offset "
                                    f"{self.rbuf_off}")
        self.stat_false_positives += 1
        return 0

    def lookup(self, key):
        """The raw record (BucketEntry / HotArchiveBucketEntry XDR, tombstones
        included) of LedgerKey XDR `key` in this bucket, or None."""
        cdef bytes kb = key if type(key) is bytes else bytes(key)
        cdef KeyBuf q
        cdef Py_ssize_t kl, start = 0
        keybuf_init(&q, 128)
        try:
            kl = ledger_key_order_key_into(<const uint8_t *>PyBytes_AS_STRING(kb),
                                           PyBytes_GET_SIZE(kb), &q)
            if self._find(q.data, kl, key_hash(q.data, kl), &start):
                return PyBytes_FromStringAndSize(<const char *>self.found, self.found_len)
            return None
        finally:
            keybuf_free(&q)

    def maybe_contains(self, key):
        """The filter's answer for LedgerKey XDR `key` (False: surely absent)."""
        cdef bytes kb = key if type(key) is bytes else bytes(key)
        cdef KeyBuf q
        cdef Py_ssize_t kl
        keybuf_init(&q, 128)
        try:
            kl = ledger_key_order_key_into(<const uint8_t *>PyBytes_AS_STRING(kb),
                                           PyBytes_GET_SIZE(kb), &q)
            return fuse_contains(&self.filt, key_hash(q.data, kl))
        finally:
            keybuf_free(&q)

    def order_keys(self):
        """The keys held: every order key (individual index) or each page's
        (first, last) order keys (page index), with the range's file offset."""
        out = []
        for i in range(self.n):
            if self.stride == 1:
                out.append((_raw(self.blob + self.koff[i], self.koff[i + 1] - self.koff[i]),
                            self.offs[i]))
            else:
                out.append(((_raw(self.blob + self.koff[2 * i], self.koff[2 * i + 1] - self.koff[2 * i]),
                             _raw(self.blob + self.koff[2 * i + 1], self.koff[2 * i + 2] - self.koff[2 * i + 1])),
                            self.offs[i]))
        return out

    # -- cache ----------------------------------------------------------------
    cdef void _cache_free(self) noexcept:
        cdef size_t i
        if self.cache.table != NULL:
            for i in range(self.cache.count):
                free(self.cache.dense[i])
        free(self.cache.table)
        free(self.cache.dense)
        memset(&self.cache, 0, sizeof(Cache))

    def init_cache(self, size_t max_entries):
        """Give this index a cache of at most `max_entries` ACCOUNT records
        (0 removes it), as stellar-core's RandomEvictionCache: when full, of
        two entries picked at random the less recently used is evicted."""
        cdef size_t slots = 4
        self._cache_free()
        if max_entries == 0:
            return
        while slots < 2 * max_entries:
            slots *= 2
        self.cache.table = <CacheEntry **>calloc(slots, sizeof(CacheEntry *))
        self.cache.dense = <CacheEntry **>malloc(max_entries * sizeof(CacheEntry *))
        if self.cache.table == NULL or self.cache.dense == NULL:
            self._cache_free()
            raise MemoryError()
        self.cache.mask = slots - 1
        self.cache.cap = max_entries
        self.cache.rng = 0x9E3779B97F4A7C15

    @property
    def has_cache(self):
        return self.cache.table != NULL

    @property
    def max_cache_size(self):
        return self.cache.cap

    @property
    def cache_size(self):
        return self.cache.count

    @property
    def cache_bytes(self):
        """Bytes held by cached entries (headers, keys, records)."""
        return self.cache.nbytes

    cdef const uint8_t *_cache_get(self, const uint8_t *k, Py_ssize_t kn, uint64_t h,
                                   uint32_t *rlen) noexcept nogil:
        cdef size_t i = h & self.cache.mask
        cdef CacheEntry *e
        while True:
            e = self.cache.table[i]
            if e == NULL:
                return NULL
            if e.hash == h and e.klen == <uint32_t>kn and memcmp(<uint8_t *>(e + 1), k, kn) == 0:
                self.cache.clock += 1
                e.stamp = self.cache.clock
                rlen[0] = e.rlen
                return <uint8_t *>(e + 1) + e.klen
            i = (i + 1) & self.cache.mask

    cdef void _cache_evict(self) noexcept nogil:
        """Evict the older of two random entries (backward-shift deletion)."""
        cdef Cache *c = &self.cache
        cdef CacheEntry *a
        cdef CacheEntry *b
        cdef CacheEntry *v
        cdef size_t i, j, home
        c.rng ^= c.rng >> 12
        c.rng ^= c.rng << 25
        c.rng ^= c.rng >> 27
        a = c.dense[mulhi(c.rng * XSMUL, c.count)]
        c.rng ^= c.rng >> 12
        c.rng ^= c.rng << 25
        c.rng ^= c.rng >> 27
        b = c.dense[mulhi(c.rng * XSMUL, c.count)]
        v = a if a.stamp <= b.stamp else b
        i = v.hash & c.mask
        while c.table[i] != v:
            i = (i + 1) & c.mask
        j = i
        while True:
            j = (j + 1) & c.mask
            if c.table[j] == NULL:
                break
            home = c.table[j].hash & c.mask
            # move table[j] into the hole at i unless its home lies in (i, j]
            if (i <= j and (home <= i or home > j)) or (i > j and home <= i and home > j):
                c.table[i] = c.table[j]
                i = j
        c.table[i] = NULL
        c.count -= 1
        c.dense[v.pos] = c.dense[c.count]
        c.dense[v.pos].pos = v.pos
        c.nbytes -= sizeof(CacheEntry) + v.klen + v.rlen
        free(v)

    cdef int _cache_put(self, const uint8_t *k, Py_ssize_t kn, uint64_t h,
                        const uint8_t *rec, uint32_t rlen) noexcept nogil:
        """Insert a record not in the cache (callers look it up first)."""
        cdef Cache *c = &self.cache
        cdef CacheEntry *e = <CacheEntry *>malloc(sizeof(CacheEntry) + kn + rlen)
        cdef size_t i
        if e == NULL:
            return -1
        if c.count == c.cap:
            self._cache_evict()
        e.hash = h
        c.clock += 1
        e.stamp = c.clock
        e.klen = <uint32_t>kn
        e.rlen = rlen
        memcpy(<uint8_t *>(e + 1), k, kn)
        memcpy(<uint8_t *>(e + 1) + kn, rec, rlen)
        e.pos = c.count
        c.dense[c.count] = e
        c.count += 1
        i = h & c.mask
        while c.table[i] != NULL:
            i = (i + 1) & c.mask
        c.table[i] = e
        c.nbytes += sizeof(CacheEntry) + kn + rlen
        return 0

    # -- equality (tests: a reloaded index equals the built one) ------------------
    def __eq__(self, other):
        if not isinstance(other, BucketIndex):
            return NotImplemented
        return self._state() == (<BucketIndex>other)._state()

    __hash__ = None

    def _state(self):
        return (self.bucket_hash, self.hot, self.file_size, self.page_size, self.num_records,
                self.n, self.stride, _raw(self.blob, self.blob_len),
                _raw(self.koff, 8 * (self.n * self.stride + 1)), _raw(self.offs, 8 * (self.n + 1)),
                self.filt.seed, self.filt.seg_len, self.filt.seg_count_len, self.filt.array_len,
                _raw(self.filt.fp, 2 * self.filt.array_len) if self.filt.fp != NULL else None,
                _raw(self.counts, sizeof(self.counts)), _raw(self.sizes, sizeof(self.sizes)),
                _raw(self.tstart, sizeof(self.tstart)), _raw(self.tend, sizeof(self.tend)),
                self.pools)

    def __repr__(self):
        kind = f"page {self.page_size}" if self.page_size else "individual"
        return (f"BucketIndex({self.bucket_hash.hex()[:12]}…, {kind}, "
                f"{self.num_records} entries{', hot' if self.hot else ''})")

    # -- persistence ------------------------------------------------------------
    def to_bytes(self):
        """The index file's contents (format in the module docstring)."""
        cdef uint64_t nk = self.n * self.stride
        cdef bint has_filter = self.filt.fp != NULL
        pools = bytearray()
        if self.pools is not None:
            for asset, ids in self.pools.items():
                pools += _U32.pack(len(asset)) + asset + _U32.pack(len(ids)) + b"".join(ids)
        flags = (1 if self.hot else 0) | (2 if has_filter else 0)
        head = MAGIC + _MARK + _HEAD.pack(
            FORMAT_VERSION, flags, self.page_size, self.bucket_hash, self.file_size,
            self.num_records, self.n, nk, self.blob_len, self.filt.seed if has_filter else 0,
            self.filt.seg_len if has_filter else 0, self.filt.seg_count_len if has_filter else 0,
            self.filt.array_len if has_filter else 0, 0, len(pools))
        parts = [head,
                 _raw(self.counts, sizeof(self.counts)), _raw(self.sizes, sizeof(self.sizes)),
                 _raw(self.tstart, sizeof(self.tstart)), _raw(self.tend, sizeof(self.tend))]
        for sec in (_raw(self.koff, 8 * (nk + 1)), _raw(self.offs, 8 * (self.n + 1)),
                    _raw(self.blob, self.blob_len),
                    _raw(self.filt.fp, 2 * self.filt.array_len) if has_filter else b"",
                    bytes(pools)):
            parts.append(sec)
            parts.append(bytes(_pad8(len(sec))))
        body = b"".join(parts)
        return body + hashlib.sha256(body).digest()

    def save(self, path, *, tmp_dir=None, bint do_fsync=False):
        """Write the index file atomically: a temporary file (in `tmp_dir`,
        default beside `path`) renamed into place."""
        write_atomically(path, self.to_bytes(), durable=do_fsync, tmp_dir=tmp_dir)


def load_index(index_path, bucket_path, bucket_hash, expected_page_size=None):
    """Load a saved index of the bucket at `bucket_path` (hash
    `bucket_hash`).  Raises StaleIndexError, ForeignIndexError or
    CorruptIndexError when it cannot be used (FileNotFoundError when absent)."""
    with open(index_path, "rb") as f:
        data = f.read()
    return _parse(data, os.fspath(bucket_path), bytes(bucket_hash), expected_page_size,
                  os.fspath(index_path))


cdef BucketIndex _parse(bytes data, str bucket_path, bytes bucket_hash, expected_page_size,
                        str where):
    cdef BucketIndex idx
    cdef size_t at, n_, nk, i
    cdef uint64_t *ko
    cdef uint64_t *of
    cdef Fuse chk
    if len(data) < len(MAGIC) or data[:len(MAGIC)] != MAGIC:
        raise CorruptIndexError(f"{where}: not a bucket index file")
    if len(data) < HEADER_SIZE + 32:
        raise CorruptIndexError(f"{where}: truncated ({len(data)} bytes)")
    (version, flags, page_size, h, file_size, records, n, nk_, blob_len, seed, seg_len,
     seg_count_len, array_len, _zero, pools_len) = _HEAD.unpack_from(data, len(MAGIC) + 4)
    if version != FORMAT_VERSION:
        raise StaleIndexError(f"{where}: index format version {version}, not {FORMAT_VERSION}")
    if data[len(MAGIC):len(MAGIC) + 4] != _MARK:
        raise StaleIndexError(f"{where}: written on a host of another byte order")
    if hashlib.sha256(data[:len(data) - 32]).digest() != data[len(data) - 32:]:
        raise CorruptIndexError(f"{where}: checksum mismatch (truncated or damaged)")
    if h != bucket_hash:
        raise ForeignIndexError(f"{where}: index of bucket {h.hex()}, not {bucket_hash.hex()}")
    actual_size = os.path.getsize(bucket_path)
    if file_size != actual_size:
        raise ForeignIndexError(f"{where}: indexes a {file_size}-byte file, the bucket has "
                                f"{actual_size} bytes")
    if expected_page_size is not None and page_size != expected_page_size:
        raise StaleIndexError(f"{where}: page size {page_size}, expected {expected_page_size}")
    if page_size & (page_size - 1):
        raise CorruptIndexError(f"{where}: page size {page_size} is not a power of two")
    stride = 1 if page_size == 0 else 2
    if nk_ != n * stride or n > records or blob_len > len(data) or array_len > len(data):
        raise CorruptIndexError(f"{where}: inconsistent header")
    sec = [8 * NUM_TD * NUM_KINDS, 8 * NUM_TD * NUM_KINDS, 8 * NUM_TYPES, 8 * NUM_TYPES]
    pads = [8 * (nk_ + 1), 8 * (n + 1), blob_len, 2 * array_len, pools_len]
    total = HEADER_SIZE + sum(sec) + sum(x + ((-x) & 7) for x in pads) + 32
    if total != len(data):
        raise CorruptIndexError(f"{where}: {len(data)} bytes, the header implies {total}")
    idx = BucketIndex.__new__(BucketIndex)
    idx.bucket_hash = bucket_hash
    idx.path = bucket_path
    idx.hot = bool(flags & 1)
    idx.file_size = file_size
    idx.page_size = page_size
    idx.num_records = records
    idx.n = n
    idx.stride = stride
    at = HEADER_SIZE
    memcpy(idx.counts, PyBytes_AS_STRING(data) + at, sec[0])
    at += sec[0]
    memcpy(idx.sizes, PyBytes_AS_STRING(data) + at, sec[1])
    at += sec[1]
    memcpy(idx.tstart, PyBytes_AS_STRING(data) + at, sec[2])
    at += sec[2]
    memcpy(idx.tend, PyBytes_AS_STRING(data) + at, sec[3])
    at += sec[3]
    idx.koff = <uint64_t *>_copy_in(data, at, pads[0])
    at += pads[0] + _pad8(pads[0])
    idx.offs = <uint64_t *>_copy_in(data, at, pads[1])
    at += pads[1] + _pad8(pads[1])
    idx.blob = <uint8_t *>_copy_in(data, at, blob_len)
    idx.blob_len = blob_len
    at += blob_len + _pad8(blob_len)
    if flags & 2:
        idx.filt.fp = <uint16_t *>_copy_in(data, at, pads[3])
        idx.filt.seed = seed
        idx.filt.seg_len = seg_len
        idx.filt.seg_mask = seg_len - 1
        idx.filt.seg_count_len = seg_count_len
        idx.filt.array_len = array_len
    at += pads[3] + _pad8(pads[3])
    pools_raw = data[at:at + pools_len]
    # structure checks: what a lookup relies on
    fuse_params(&chk, records)
    if (flags & 2) and (chk.seg_len != seg_len or chk.seg_count_len != seg_count_len or
                        chk.array_len != array_len or seg_len == 0):
        raise CorruptIndexError(f"{where}: filter parameters do not match {records} entries")
    total_count = 0
    for i in range(NUM_TD * NUM_KINDS):
        total_count += idx.counts[i]
    if total_count != records:
        raise CorruptIndexError(f"{where}: counters do not add up to {records} entries")
    ko = idx.koff
    of = idx.offs
    nk = nk_
    n_ = n
    if ko[0] != 0 or ko[nk] != blob_len:
        raise CorruptIndexError(f"{where}: key offsets out of range")
    for i in range(nk):
        if ko[i + 1] <= ko[i]:
            raise CorruptIndexError(f"{where}: empty or misplaced key {i}")
    for i in range(1, nk):
        c = idx._key_cmp(i - 1, idx.blob + ko[i], <Py_ssize_t>(ko[i + 1] - ko[i]))
        if c > 0 or (c == 0 and (stride == 1 or i % 2 == 0)):
            raise CorruptIndexError(f"{where}: keys out of order at {i}")
    if of[n_] != file_size:
        raise CorruptIndexError(f"{where}: ranges do not end at the end of the file")
    for i in range(n_):
        if of[i + 1] <= of[i]:
            raise CorruptIndexError(f"{where}: file offsets out of order at {i}")
    for t in range(NUM_TYPES):
        if (idx.tstart[t] < 0) != (idx.tend[t] < 0) or idx.tend[t] > <int64_t>file_size:
            raise CorruptIndexError(f"{where}: bad range for type {t}")
    if idx.hot:
        if pools_len:
            raise CorruptIndexError(f"{where}: pool map in a hot-archive index")
        idx.pools = None
    else:
        idx.pools = _parse_pools(pools_raw, where)
    idx._open()
    return idx


cdef dict _parse_pools(bytes raw, str where):
    cdef dict out = {}
    at, n = 0, len(raw)
    try:
        while at < n:
            (al,) = _U32.unpack_from(raw, at)
            asset = raw[at + 4:at + 4 + al]
            (cnt,) = _U32.unpack_from(raw, at + 4 + al)
            at += 8 + al
            ids = tuple(raw[at + 32 * i:at + 32 * i + 32] for i in range(cnt))
            at += 32 * cnt
            if len(asset) != al or at > n or asset in out:
                raise ValueError
            out[asset] = ids
    except (ValueError, struct.error):
        raise CorruptIndexError(f"{where}: malformed pool map") from None
    return out


# ---------------------------------------------------------------- searching a list

cdef BucketIndex _first_holding(tuple indexes, key):
    """The first of `indexes` (newest bucket first) holding LedgerKey XDR
    `key`, its record left in `found`/`found_len`; None if none does."""
    cdef bytes kb = key if type(key) is bytes else bytes(key)
    cdef KeyBuf q
    cdef Py_ssize_t kl, start
    cdef uint64_t h
    cdef BucketIndex idx
    keybuf_init(&q, 128)
    try:
        kl = ledger_key_order_key_into(<const uint8_t *>PyBytes_AS_STRING(kb),
                                       PyBytes_GET_SIZE(kb), &q)
        h = key_hash(q.data, kl)
        for idx in indexes:
            start = 0
            if idx._find(q.data, kl, h, &start):
                return idx
        return None
    finally:
        keybuf_free(&q)


def load_record(tuple indexes, key):
    """The raw record of LedgerKey XDR `key` in the first of `indexes`
    (newest bucket first) that holds it, tombstones included; or None."""
    cdef BucketIndex idx = _first_holding(indexes, key)
    if idx is None:
        return None
    return PyBytes_FromStringAndSize(<const char *>idx.found, idx.found_len)


def load_entry(tuple indexes, key):
    """The LedgerEntry XDR of LedgerKey XDR `key`: searched newest bucket
    first, stopping at the first bucket holding the key; None when that
    record is a tombstone (DEADENTRY, HOT_ARCHIVE_LIVE) or no bucket has it."""
    cdef BucketIndex idx = _first_holding(indexes, key)
    if idx is None or record_kind(idx.found) == K_TOMBSTONE:
        return None
    return PyBytes_FromStringAndSize(<const char *>idx.found + 4, idx.found_len - 4)


def load_entries(tuple indexes, keys, bint raw=False):
    """Bulk load, as stellar-core's loadKeys: the keys are sorted by order
    key, then each bucket (newest first) is searched for the keys still
    unresolved, in order (each search starts where the previous one ended);
    a key found -- live or tombstone -- is resolved.  Returns
    {LedgerKey XDR: LedgerEntry XDR} for the live keys (`raw`: {key: raw
    record} for every key found, tombstones included)."""
    cdef list items = []
    cdef Py_ssize_t m, j, a, w, nalive, start
    cdef const uint8_t **kp = NULL
    cdef Py_ssize_t *kl = NULL
    cdef uint64_t *kh = NULL
    cdef Py_ssize_t *alive = NULL
    cdef BucketIndex idx
    cdef bytes ok
    cdef dict result = {}
    for key in keys:
        kb = key if type(key) is bytes else bytes(key)
        items.append((order_key(kb), kb))
    items.sort()
    if items:
        w = 1
        for j in range(1, len(items)):
            if items[j][0] != items[w - 1][0]:
                items[w] = items[j]
                w += 1
        del items[w:]
    m = len(items)
    if m == 0:
        return result
    kp = <const uint8_t **>malloc(m * sizeof(uint8_t *))
    kl = <Py_ssize_t *>malloc(m * sizeof(Py_ssize_t))
    kh = <uint64_t *>malloc(m * 8)
    alive = <Py_ssize_t *>malloc(m * sizeof(Py_ssize_t))
    try:
        if kp == NULL or kl == NULL or kh == NULL or alive == NULL:
            raise MemoryError()
        for j in range(m):
            ok = items[j][0]
            kp[j] = <const uint8_t *>PyBytes_AS_STRING(ok)
            kl[j] = PyBytes_GET_SIZE(ok)
            kh[j] = key_hash(kp[j], kl[j])
            alive[j] = j
        nalive = m
        for idx in indexes:
            if nalive == 0:
                break
            start = 0
            w = 0
            for a in range(nalive):
                j = alive[a]
                if idx._find(kp[j], kl[j], kh[j], &start):
                    if raw:
                        result[items[j][1]] = PyBytes_FromStringAndSize(
                            <const char *>idx.found, idx.found_len)
                    elif record_kind(idx.found) != K_TOMBSTONE:
                        result[items[j][1]] = PyBytes_FromStringAndSize(
                            <const char *>idx.found + 4, idx.found_len - 4)
                else:
                    alive[w] = j
                    w += 1
            nalive = w
        return result
    finally:
        free(kp)
        free(kl)
        free(kh)
        free(alive)
