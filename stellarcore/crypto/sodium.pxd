# cython: language_level=3
"""C-level access to libsodium (the copy bundled in PyNaCl), for code that
must run without the GIL (batch verification) or without Python overhead."""

ctypedef int (*verify_detached_fn)(const unsigned char *sig, const unsigned char *m,
                                   unsigned long long mlen, const unsigned char *pk) noexcept nogil
ctypedef int (*generichash_fn)(unsigned char *out, size_t outlen, const unsigned char *inp,
                               unsigned long long inlen, const unsigned char *key,
                               size_t keylen) noexcept nogil

cdef verify_detached_fn c_verify_detached
cdef generichash_fn c_generichash

cdef bint verify_raw(const unsigned char *pk, const unsigned char *sig,
                     const unsigned char *msg, size_t mlen) noexcept nogil
