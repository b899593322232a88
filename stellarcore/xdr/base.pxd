# cython: language_level=3
"""Base classes of every generated XDR type, and the helpers generated code
shares (object encode/compare with None checks, enum coercion).
"""
cimport cython
from libc.stdint cimport int32_t, uint32_t, int64_t, uint64_t
from stellarcore.xdr.buffer cimport Reader, Writer, fail_none, enter_w, enter


@cython.no_gc
cdef class XdrBase:
    cdef int _enc(self, Writer w) except -1
    cdef object _dec(self, Reader r, int depth)
    cdef int _cmp(self, object other, int depth) except -2


@cython.no_gc
cdef class XdrStruct(XdrBase):
    pass


@cython.no_gc
cdef class XdrUnion(XdrBase):
    cdef int64_t _d      # the discriminant, valid for the union's switch type
    cdef object _v       # the active arm's value (None for a void arm)


ctypedef int (*enc_fn)(Writer w, object v) except -1
ctypedef object (*dec_fn)(Reader r, int depth)
ctypedef int (*cmp_fn)(object a, object b, int depth) except -2


cdef class AliasCodec:
    """Codec of a typedef whose target is not a class (e.g. `Hash`)."""
    cdef enc_fn enc
    cdef dec_fn dec
    cdef cmp_fn cmp
    cdef readonly str name


cdef AliasCodec make_alias(str name, enc_fn enc, dec_fn dec, cmp_fn cmp)


cdef inline int enc_obj(Writer w, XdrBase v, str want) except -1:
    """Encode a nested struct/union: one nesting level, None refused."""
    if v is None:
        fail_none(want)
    enter_w(w)
    v._enc(w)
    w.depth -= 1
    return 0


cdef inline int cmp_obj(XdrBase a, XdrBase b, int depth) except -2:
    """Compare nested values, one nesting level deeper (counted as decoding
    counts, so any value that can be encoded can be compared)."""
    if a is None or b is None:
        if a is None and b is None:
            return 0
        return -1 if a is None else 1
    return a._cmp(b, enter(depth))


cdef int32_t enum_value(dict members, object v, str name) except? -2147483648
cdef int push_path(object exc, str segment) except -1
cdef int push_index(object exc, Py_ssize_t i) except -1
cdef int push_arm(object exc, XdrUnion u) except -1
cdef object encode_error(object exc, str segment)
