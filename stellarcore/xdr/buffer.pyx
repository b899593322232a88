# cython: language_level=3, boundscheck=False, wraparound=False
"""Reader and Writer for XDR, plus the out-of-line error paths.

The Reader reads from anything with the buffer protocol (bytes, bytearray,
memoryview, mmap) without copying it.  The Writer packs into one growing
buffer and hands out `bytes` once at the end.
"""
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE
from cpython.bytes cimport PyBytes_FromStringAndSize, PyBytes_AS_STRING, PyBytes_GET_SIZE, PyBytes_CheckExact
from cpython.mem cimport PyMem_Malloc, PyMem_Realloc, PyMem_Free
from libc.string cimport memcpy, memset, memcmp

from stellarcore.xdr.errors import XdrError

cdef bytes _ZEROS = b"\0\0\0\0"


cdef class Reader:
    """A cursor over XDR bytes.  Holds a buffer view of its source."""

    def __cinit__(self, source):
        if PyBytes_CheckExact(source):
            self.source = source
            self.buf = <const unsigned char *>PyBytes_AS_STRING(source)
            self.end = PyBytes_GET_SIZE(source)
            self.has_view = False
        else:
            try:
                PyObject_GetBuffer(source, &self.view, PyBUF_SIMPLE)
            except (TypeError, BufferError):
                raise XdrError(f"cannot read XDR from {type(source).__name__}") from None
            self.has_view = True
            self.source = source
            self.buf = <const unsigned char *>self.view.buf
            self.end = self.view.len
        self.pos = 0

    def __dealloc__(self):
        if self.has_view:
            PyBuffer_Release(&self.view)
            self.has_view = False

    @property
    def position(self):
        return self.pos

    @property
    def remaining(self):
        return self.end - self.pos

    def skip(self, Py_ssize_t n):
        if n < 0 or n > self.end - self.pos:
            fail_truncated(self, n)
        self.pos += n

    def read_bytes(self, Py_ssize_t n):
        if n < 0 or n > self.end - self.pos:
            fail_truncated(self, n)
        out = PyBytes_FromStringAndSize(<const char *>self.buf + self.pos, n)
        self.pos += n
        return out

    def read_uint32(self):
        return rd_u32(self)

    def expect_end(self):
        if self.pos != self.end:
            raise XdrError(f"{self.end - self.pos} trailing bytes after the value")


cdef class Writer:
    """A growable output buffer."""

    def __cinit__(self, Py_ssize_t capacity=256):
        if capacity < 16:
            capacity = 16
        self.buf = <unsigned char *>PyMem_Malloc(capacity)
        if self.buf == NULL:
            raise MemoryError()
        self.cap = capacity
        self.pos = 0
        self.depth = 0

    def __dealloc__(self):
        if self.buf != NULL:
            PyMem_Free(self.buf)
            self.buf = NULL

    cdef int grow(self, Py_ssize_t n) except -1:
        cdef Py_ssize_t need = self.pos + n
        cdef Py_ssize_t cap = self.cap
        cdef unsigned char *nb
        while cap < need:
            cap *= 2
        nb = <unsigned char *>PyMem_Realloc(self.buf, cap)
        if nb == NULL:
            raise MemoryError()
        self.buf = nb
        self.cap = cap
        return 0

    cdef bytes value(self):
        return PyBytes_FromStringAndSize(<const char *>self.buf, self.pos)

    def getvalue(self):
        return self.value()

    def clear(self):
        self.pos = 0
        self.depth = 0

    def __len__(self):
        return self.pos

    def write_bytes(self, const unsigned char[:] data):
        wr_raw(self, &data[0] if data.shape[0] else NULL, data.shape[0])

    def write_uint32(self, uint32_t v):
        wr_u32(self, v)


# ---------------------------------------------------------------- errors

cdef int fail_truncated(Reader r, Py_ssize_t need) except -1:
    raise XdrError(f"truncated input: need {need} bytes at offset {r.pos}, "
                   f"{r.end - r.pos} left")


cdef int fail_bad_bool(Reader r, uint32_t v) except -1:
    raise XdrError(f"bool must be 0 or 1, got {v}")


cdef int fail_padding(Reader r) except -1:
    raise XdrError("nonzero padding bytes")


cdef int fail_too_long(uint64_t n, uint64_t limit) except -1:
    raise XdrError(f"length {n} exceeds the maximum {limit}")


cdef int fail_depth() except -1:
    raise XdrError(f"nesting deeper than {MAX_DEPTH} levels")


cdef int fail_enum(str name, int64_t v) except -1:
    raise XdrError(f"{v} is not a value of enum {name}")


cdef int fail_union(str name, int64_t v) except -1:
    raise XdrError(f"union {name} has no arm for discriminant {v}")


cdef int fail_length(object v, Py_ssize_t want) except -1:
    raise XdrError(f"fixed-length opaque needs {want} bytes, got {len(v)}")


cdef int fail_type(object v, str want) except -1:
    raise XdrError(f"expected {want}, got {type(v).__name__}")


cdef int fail_none(str want) except -1:
    raise XdrError(f"missing value (None) where {want} is required")


# ---------------------------------------------------------------- opaque data

cdef inline int _check_pad(Reader r, Py_ssize_t start, Py_ssize_t pad) except -1:
    if pad and memcmp(r.buf + start, <const char *>_ZEROS, pad) != 0:
        fail_padding(r)
    return 0


cdef bytes rd_opaque_fixed(Reader r, Py_ssize_t n):
    cdef Py_ssize_t padded = (n + 3) & ~3
    cdef bytes out
    if r.end - r.pos < padded:
        fail_truncated(r, padded)
    out = PyBytes_FromStringAndSize(<const char *>r.buf + r.pos, n)
    _check_pad(r, r.pos + n, padded - n)
    r.pos += padded
    return out


cdef bytes rd_opaque_var(Reader r, uint32_t limit):
    cdef uint32_t n = rd_u32(r)
    if n > limit:
        fail_too_long(n, limit)
    return rd_opaque_fixed(r, n)


cdef int wr_raw(Writer w, const unsigned char *p, Py_ssize_t n) except -1:
    if w.cap - w.pos < n:
        w.grow(n)
    if n:
        memcpy(w.buf + w.pos, p, n)
    w.pos += n
    return 0


cdef inline int _wr_padded(Writer w, const unsigned char *p, Py_ssize_t n) except -1:
    cdef Py_ssize_t padded = (n + 3) & ~3
    if w.cap - w.pos < padded:
        w.grow(padded)
    if n:
        memcpy(w.buf + w.pos, p, n)
    if padded != n:
        memset(w.buf + w.pos + n, 0, padded - n)
    w.pos += padded
    return 0


cdef int wr_opaque_fixed(Writer w, object v, Py_ssize_t n) except -1:
    if not isinstance(v, bytes):
        if v is None:
            fail_none("bytes")
        fail_type(v, "bytes")
    if PyBytes_GET_SIZE(v) != n:
        fail_length(v, n)
    return _wr_padded(w, <const unsigned char *>PyBytes_AS_STRING(v), n)


cdef int wr_opaque_var(Writer w, object v, uint32_t limit) except -1:
    cdef Py_ssize_t n
    if not isinstance(v, bytes):
        if v is None:
            fail_none("bytes")
        fail_type(v, "bytes")
    n = PyBytes_GET_SIZE(v)
    if <uint64_t>n > limit:
        fail_too_long(n, limit)
    wr_u32(w, <uint32_t>n)
    return _wr_padded(w, <const unsigned char *>PyBytes_AS_STRING(v), n)


# ---------------------------------------------------------------- ordering

cdef int cmp_bytes(object a, object b) except -2:
    """Lexicographic, unsigned, a proper prefix first (std::lexicographical_compare)."""
    if a is None or b is None:
        if a is None and b is None:
            return 0
        return -1 if a is None else 1
    if a == b:
        return 0
    return -1 if a < b else 1


cdef int cmp_py(object a, object b) except -2:
    """Order of Python ints, bools and bytes, which matches xdrpp's for them."""
    if a == b:
        return 0
    return -1 if a < b else 1
