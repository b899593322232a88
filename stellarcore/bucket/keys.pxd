# cython: language_level=3
"""C API of stellarcore.bucket.keys: order keys over raw XDR bytes.

An *order key* is a byte string whose memcmp order (a proper prefix first)
is stellar-core's `BucketEntryIdCmp` / `LedgerEntryIdCmp` order, and which is
equal for two entries exactly when their LedgerKeys are equal.  See keys.pyx.

Every `*_nogil` function reads `n` bytes at `p`, writes its result into
`kb` from offset 0 (`kb.data[0:kb.len]`, growing it with realloc when
needed) and returns the length written, or -1 with `kb.err` (a KEY_ERR_*
code) and the other `err_*` fields set; `keybuf_raise` turns that into an
`XdrError`.  The `*_into` twins raise directly.  A zeroed KeyBuf is a valid
empty buffer; free it with `keybuf_free`.  A merge loop keeps one KeyBuf per
input stream and calls e.g. `bucket_entry_order_key_nogil(rec, len, &kb)`
for every record: no allocation once the buffer has grown to the longest
key, no Python objects, no GIL needed.

Length 0 means a METAENTRY (order keys and LedgerKeys of real entries are
never empty).
"""
from libc.stdint cimport uint8_t, int64_t
from libc.string cimport memcmp

# KeyBuf.err
cdef enum:
    KEY_OK = 0
    KEY_ERR_TRUNCATED = 1     # err_value: bytes needed, err_left: bytes left
    KEY_ERR_ENUM = 2          # err_value: the value, err_type: the enum
    KEY_ERR_UNION = 3         # err_value: the discriminant, err_type: the union
    KEY_ERR_BOOL = 4          # err_value: the value
    KEY_ERR_PADDING = 5
    KEY_ERR_TOO_LONG = 6      # err_value: the length, err_limit: the maximum
    KEY_ERR_DEPTH = 7
    KEY_ERR_TRAILING = 8      # err_left: how many
    KEY_ERR_NOMEM = 9


cdef struct KeyBuf:
    unsigned char *data
    Py_ssize_t len
    Py_ssize_t cap
    int err
    Py_ssize_t err_pos        # input offset of the failure
    Py_ssize_t err_left
    int64_t err_value
    int64_t err_limit
    const char *err_type


ctypedef Py_ssize_t (*key_fn)(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil


cdef int keybuf_init(KeyBuf *kb, Py_ssize_t cap) except -1
cdef void keybuf_free(KeyBuf *kb) noexcept nogil
cdef int keybuf_raise(KeyBuf *kb, str type_name) except -1

# Order keys.
cdef Py_ssize_t ledger_key_order_key_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil
cdef Py_ssize_t ledger_entry_order_key_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil
cdef Py_ssize_t bucket_entry_order_key_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil
cdef Py_ssize_t hot_archive_entry_order_key_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil

# LedgerKey XDR (stellar-core's LedgerEntryKey).
cdef Py_ssize_t ledger_key_of_entry_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil
cdef Py_ssize_t bucket_entry_ledger_key_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil
cdef Py_ssize_t hot_archive_entry_ledger_key_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil

# The same, raising XdrError (MemoryError when out of memory).
cdef Py_ssize_t ledger_key_order_key_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1
cdef Py_ssize_t ledger_entry_order_key_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1
cdef Py_ssize_t bucket_entry_order_key_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1
cdef Py_ssize_t hot_archive_entry_order_key_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1
cdef Py_ssize_t ledger_key_of_entry_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1
cdef Py_ssize_t bucket_entry_ledger_key_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1
cdef Py_ssize_t hot_archive_entry_ledger_key_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1


cdef inline int order_key_cmp(const unsigned char *a, Py_ssize_t na,
                              const unsigned char *b, Py_ssize_t nb) noexcept nogil:
    """-1, 0 or 1: memcmp order, a proper prefix first (Python bytes order)."""
    cdef Py_ssize_t m = na if na < nb else nb
    cdef int r = 0
    if m > 0:
        r = memcmp(a, b, <size_t>m)
    if r != 0:
        return -1 if r < 0 else 1
    return (na > nb) - (na < nb)


cdef inline int keybuf_cmp(const KeyBuf *a, const KeyBuf *b) noexcept nogil:
    """order_key_cmp of the keys held by two KeyBufs."""
    return order_key_cmp(a.data, a.len, b.data, b.len)
