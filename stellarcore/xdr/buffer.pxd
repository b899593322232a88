# cython: language_level=3
"""The one reader and one writer every XDR codec uses.

Generated codecs `cimport` these and call the inline `rd_*` / `wr_*`
functions, which compile to a bounds check and a byte swap.  Error paths are
out-of-line functions that raise `XdrError`, so the inline code stays small.
"""
from libc.stdint cimport int32_t, uint32_t, int64_t, uint64_t

cdef extern from *:
    """
    #include <string.h>
    #include <stdint.h>
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    #define SC_BE32(x) (x)
    #define SC_BE64(x) (x)
    #else
    #define SC_BE32(x) __builtin_bswap32(x)
    #define SC_BE64(x) __builtin_bswap64(x)
    #endif
    static inline uint32_t sc_ld32(const unsigned char *p) {
        uint32_t v; memcpy(&v, p, 4); return SC_BE32(v); }
    static inline uint64_t sc_ld64(const unsigned char *p) {
        uint64_t v; memcpy(&v, p, 8); return SC_BE64(v); }
    static inline void sc_st32(unsigned char *p, uint32_t v) {
        v = SC_BE32(v); memcpy(p, &v, 4); }
    static inline void sc_st64(unsigned char *p, uint64_t v) {
        v = SC_BE64(v); memcpy(p, &v, 8); }
    """
    uint32_t sc_ld32(const unsigned char *p) nogil
    uint64_t sc_ld64(const unsigned char *p) nogil
    void sc_st32(unsigned char *p, uint32_t v) nogil
    void sc_st64(unsigned char *p, uint64_t v) nogil

# Nesting limit of decoding, counted as xdrpp's depth_checker counts (every
# struct, union, array and optional is one level; scalars and byte strings are
# none).  stellar-core rejects transactions deeper than 500 at validation, so
# anything a ledger can hold is well inside it.
cdef enum:
    MAX_DEPTH = 1000


cdef class Reader:
    cdef const unsigned char *buf
    cdef Py_ssize_t pos
    cdef Py_ssize_t end
    cdef Py_buffer view
    cdef bint has_view
    cdef object source


cdef class Writer:
    cdef unsigned char *buf
    cdef Py_ssize_t pos
    cdef Py_ssize_t cap
    cdef int depth          # nesting of the value being written (see enter_w)
    cdef int grow(self, Py_ssize_t n) except -1
    cdef bytes value(self)


# -- out-of-line failures (each raises XdrError and returns -1)
cdef int fail_truncated(Reader r, Py_ssize_t need) except -1
cdef int fail_bad_bool(Reader r, uint32_t v) except -1
cdef int fail_padding(Reader r) except -1
cdef int fail_too_long(uint64_t n, uint64_t limit) except -1
cdef int fail_depth() except -1
cdef int fail_enum(str name, int64_t v) except -1
cdef int fail_union(str name, int64_t v) except -1
cdef int fail_length(object v, Py_ssize_t want) except -1
cdef int fail_type(object v, str want) except -1
cdef int fail_none(str want) except -1


# -- reading

cdef inline uint32_t rd_u32(Reader r) except? 0xFFFFFFFF:
    cdef uint32_t v
    if r.end - r.pos < 4:
        fail_truncated(r, 4)
    v = sc_ld32(r.buf + r.pos)
    r.pos += 4
    return v


cdef inline int32_t rd_i32(Reader r) except? -2147483648:
    cdef uint32_t v
    if r.end - r.pos < 4:
        fail_truncated(r, 4)
    v = sc_ld32(r.buf + r.pos)
    r.pos += 4
    return <int32_t>v


cdef inline uint64_t rd_u64(Reader r) except? 0xFFFFFFFFFFFFFFFF:
    cdef uint64_t v
    if r.end - r.pos < 8:
        fail_truncated(r, 8)
    v = sc_ld64(r.buf + r.pos)
    r.pos += 8
    return v


cdef inline int64_t rd_i64(Reader r) except? -0x7FFFFFFFFFFFFFFF:
    cdef uint64_t v
    if r.end - r.pos < 8:
        fail_truncated(r, 8)
    v = sc_ld64(r.buf + r.pos)
    r.pos += 8
    return <int64_t>v


cdef inline bint rd_bool(Reader r) except -1:
    cdef uint32_t v = rd_u32(r)
    if v > 1:
        fail_bad_bool(r, v)
    return v


cdef bytes rd_opaque_fixed(Reader r, Py_ssize_t n)
cdef bytes rd_opaque_var(Reader r, uint32_t limit)


cdef inline uint32_t rd_len(Reader r, uint32_t limit, Py_ssize_t min_elem) except? 0xFFFFFFFF:
    """Read an array length; refuse it before anything is allocated for it."""
    cdef uint32_t n = rd_u32(r)
    if n > limit:
        fail_too_long(n, limit)
    if <uint64_t>n * <uint64_t>min_elem > <uint64_t>(r.end - r.pos):
        fail_truncated(r, <Py_ssize_t>(<uint64_t>n * <uint64_t>min_elem))
    return n


cdef inline int enter(int depth) except -1:
    if depth >= MAX_DEPTH:
        fail_depth()
    return depth + 1


# -- writing

cdef inline int enter_w(Writer w) except -1:
    """Count one level of nesting while encoding, as `enter` does while
    decoding, so the encoder refuses exactly the values the decoder would."""
    if w.depth >= MAX_DEPTH:
        fail_depth()
    w.depth += 1
    return 0


cdef inline int wr_u32(Writer w, uint32_t v) except -1:
    if w.cap - w.pos < 4:
        w.grow(4)
    sc_st32(w.buf + w.pos, v)
    w.pos += 4
    return 0


cdef inline int wr_i32(Writer w, int32_t v) except -1:
    if w.cap - w.pos < 4:
        w.grow(4)
    sc_st32(w.buf + w.pos, <uint32_t>v)
    w.pos += 4
    return 0


cdef inline int wr_u64(Writer w, uint64_t v) except -1:
    if w.cap - w.pos < 8:
        w.grow(8)
    sc_st64(w.buf + w.pos, v)
    w.pos += 8
    return 0


cdef inline int wr_i64(Writer w, int64_t v) except -1:
    if w.cap - w.pos < 8:
        w.grow(8)
    sc_st64(w.buf + w.pos, <uint64_t>v)
    w.pos += 8
    return 0


cdef inline int wr_bool(Writer w, bint v) except -1:
    return wr_u32(w, 1 if v else 0)


cdef int wr_opaque_fixed(Writer w, object v, Py_ssize_t n) except -1
cdef int wr_opaque_var(Writer w, object v, uint32_t limit) except -1
cdef int wr_raw(Writer w, const unsigned char *p, Py_ssize_t n) except -1


# -- comparing, with xdrpp's `operator<` semantics (see runtime docs)

cdef inline int cmp_u64(uint64_t a, uint64_t b) noexcept:
    return (a > b) - (a < b)


cdef inline int cmp_i64(int64_t a, int64_t b) noexcept:
    return (a > b) - (a < b)


cdef int cmp_bytes(object a, object b) except -2
cdef int cmp_py(object a, object b) except -2
