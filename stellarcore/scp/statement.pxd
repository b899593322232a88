# cython: language_level=3
cimport cython


@cython.no_gc
cdef class Statement:
    cdef public object env
    cdef public bytes node
    cdef public unsigned long long slot
    cdef public int type
    cdef public bytes qset_hash
    cdef public object qset
    # PREPARE/CONFIRM: the ballot; EXTERNALIZE: the commit
    cdef public unsigned int b_n
    cdef public bytes b_v
    cdef public bint has_p
    cdef public unsigned int p_n
    cdef public bytes p_v
    cdef public bint has_pp
    cdef public unsigned int pp_n
    cdef public bytes pp_v
    cdef public unsigned int nC, nH, nPrepared, nCommit
    cdef public tuple votes, accepted
