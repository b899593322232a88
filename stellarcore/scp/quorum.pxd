# cython: language_level=3
cimport cython


@cython.no_gc
cdef class QSet:
    cdef readonly unsigned int threshold
    cdef readonly tuple validators
    cdef readonly tuple inner
    cdef Py_hash_t _hash

cpdef bint is_quorum_slice(QSet q, object nodes)
cpdef bint is_v_blocking(QSet q, object nodes)
cpdef bint is_quorum(QSet q, dict qsets)
cpdef bint is_quorum_groups(QSet q, dict groups)
