# cython: language_level=3
"""SHA-256 callable from C without the GIL (bucket files are hashed while
they are written, inside merge loops that release the GIL)."""

cdef struct Sha256:
    unsigned char state[256]   # opaque: OpenSSL SHA256_CTX or libsodium's state

cdef int sha256_init(Sha256 *ctx) noexcept nogil
cdef int sha256_update(Sha256 *ctx, const unsigned char *data, size_t n) noexcept nogil
cdef int sha256_final(Sha256 *ctx, unsigned char *out32) noexcept nogil
