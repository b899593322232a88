# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The per-entry loop of the eviction scan, in C without the GIL.

The eviction scan (eviction.py) reads up to `evictionScanSize` bytes of
bucket files every ledger.  This module walks one bucket file from a byte
offset, record by record, counting the bytes it reads (each record's 4-byte
mark included) against the budget, and stops after the record that uses
the budget up (that record is still processed) or at the end of the file.
Records are never decoded: the kind and the entry type are read from the
first words of the raw BucketEntry, and only the CONTRACT_DATA and
CONTRACT_CODE entries get their LedgerKey extracted (keys.pyx) and the
SHA-256 of that key computed (the keyHash of their TTL key).  Python
objects are built only for the entries that may be evicted.

The rules (stellar-core v25 `LiveBucketSnapshot::scanForEviction`):

* only INITENTRY and LIVEENTRY records are candidates (METAENTRY and
  DEADENTRY records are read and counted, nothing more);
* a candidate is a temporary CONTRACT_DATA entry, or, when
  `persistent_too` (protocol 23 and later), any CONTRACT_DATA or
  CONTRACT_CODE entry;
* the position recorded for a candidate is the file offset just after it.
"""
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int32_t
from stellarcore.bucket.bucket_file cimport (RecordReader, REC_OK, REC_EOF, REC_ERROR,
                                             record_kind)
from stellarcore.bucket.keys cimport (KeyBuf, keybuf_init, keybuf_free, keybuf_raise,
                                      bucket_entry_ledger_key_nogil)
from stellarcore.crypto.csha256 cimport Sha256, sha256_init, sha256_update, sha256_final

__all__ = ["scan_bucket_file", "SCAN_EOF", "SCAN_COMPLETE"]

cdef enum:
    K_LIVE = 0
    K_INIT = 2
    T_CONTRACT_DATA = 6
    T_CONTRACT_CODE = 7
    D_TEMPORARY = 0

cdef enum:
    R_EOF = 0
    R_COMPLETE = 1
    R_CANDIDATE = 2
    R_READ_ERROR = 3
    R_KEY_ERROR = 4

# scan_bucket_file() statuses
SCAN_EOF = R_EOF              # the file ended before the budget did
SCAN_COMPLETE = R_COMPLETE    # the budget is used up

# LedgerKey XDR of a TTL key: the type (TTL = 9), then the 32-byte keyHash.
cdef bytes _TTL_KEY_HEAD = b"\x00\x00\x00\x09"


cdef struct ScanState:
    uint64_t offset           # file offset just after the last record read
    uint64_t budget           # bytes still to read
    uint64_t scanned          # bytes read so far
    bint done                 # the budget is used up
    bint temporary            # the candidate is a temporary entry
    unsigned char ttl_hash[32]


cdef inline uint32_t _ld32(const uint8_t *p) noexcept nogil:
    return (<uint32_t>p[0] << 24) | (<uint32_t>p[1] << 16) | (<uint32_t>p[2] << 8) | p[3]


cdef int _advance(RecordReader rd, ScanState *st, KeyBuf *kb,
                  bint persistent_too) noexcept nogil:
    """Read records until one is a candidate (R_CANDIDATE: `rd.rec` is it,
    `kb` its LedgerKey; `st.done` says whether it also used the budget up),
    the budget is used up (R_COMPLETE), the file ends (R_EOF) or an error."""
    cdef int r
    cdef uint64_t n
    cdef int32_t kind, etype
    cdef bint cand
    cdef Py_ssize_t klen
    cdef Sha256 sha
    while True:
        r = rd.next()
        if r == REC_EOF:
            return R_EOF
        if r == REC_ERROR:
            return R_READ_ERROR
        n = rd.pos - st.offset
        st.offset = rd.pos
        st.scanned += n
        cand = False
        kind = record_kind(rd.rec)
        if kind == K_LIVE or kind == K_INIT:
            # BucketEntry: kind, then LedgerEntry: lastModifiedLedgerSeq, data.type
            etype = <int32_t>_ld32(rd.rec + 8) if rd.rec_len >= 12 else -1
            if etype == T_CONTRACT_DATA or etype == T_CONTRACT_CODE or etype == -1:
                klen = bucket_entry_ledger_key_nogil(rd.rec, rd.rec_len, kb)
                if klen < 0:
                    return R_KEY_ERROR
                if etype == T_CONTRACT_CODE:
                    st.temporary = False
                else:
                    # LedgerKey CONTRACT_DATA ends with the durability
                    st.temporary = _ld32(kb.data + klen - 4) == D_TEMPORARY
                cand = st.temporary or persistent_too
                if cand:
                    sha256_init(&sha)
                    sha256_update(&sha, kb.data, <size_t>klen)
                    sha256_final(&sha, st.ttl_hash)
        if n >= st.budget:
            st.budget = 0
            st.done = True
        else:
            st.budget -= n
        if cand:
            return R_CANDIDATE
        if st.done:
            return R_COMPLETE


def scan_bucket_file(path, uint64_t offset, uint64_t budget, bint persistent_too):
    """Scan a bucket file from `offset` for at most `budget` bytes.

    Returns (status, end_offset, bytes_read, candidates): status is
    SCAN_COMPLETE if the budget was used up (the record that crossed it
    included), SCAN_EOF if the file ended first; end_offset is the offset
    just after the last record read (`offset` if none); candidates is a list
    of (ledger_key_xdr, ttl_key_xdr, entry_xdr, offset_after, temporary) in
    file order, entry_xdr being the LedgerEntry XDR.  A zero budget reads
    nothing (status SCAN_COMPLETE).  Raises BucketFileError / XdrError on a
    malformed file.
    """
    cdef ScanState st
    cdef KeyBuf kb
    cdef RecordReader rd
    cdef int r
    cdef list out = []
    st.offset = offset
    st.budget = budget
    st.scanned = 0
    st.done = False
    st.temporary = False
    if budget == 0:
        return SCAN_COMPLETE, offset, 0, out
    rd = RecordReader(path)
    keybuf_init(&kb, 512)
    try:
        if rd.seek(offset) < 0:
            rd.raise_error()
        while True:
            with nogil:
                r = _advance(rd, &st, &kb, persistent_too)
            if r == R_CANDIDATE:
                out.append(((<const char *>kb.data)[:kb.len],
                            _TTL_KEY_HEAD + (<const char *>st.ttl_hash)[:32],
                            (<const char *>rd.rec + 4)[:rd.rec_len - 4],
                            st.offset,
                            bool(st.temporary)))
                if st.done:
                    r = R_COMPLETE
                    break
            else:
                break
        if r == R_READ_ERROR:
            rd.raise_error()
        if r == R_KEY_ERROR:
            keybuf_raise(&kb, "BucketEntry")
    finally:
        keybuf_free(&kb)
        rd.close()
    return r, st.offset, st.scanned, out
