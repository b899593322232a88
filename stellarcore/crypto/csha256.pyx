# cython: language_level=3
"""SHA-256 for C code that runs without the GIL.

Python's `hashlib` already carries OpenSSL's libcrypto (with the SHA
extensions of modern CPUs, about 1.5 GB/s); this module finds
`SHA256_Init/Update/Final` in that already-loaded library with dlsym, so
bucket merges can hash their output in the same C loop that writes it.  If
libcrypto cannot be found it falls back to libsodium's
`crypto_hash_sha256_*` (the copy bundled in PyNaCl), which is portable but
slower.  Both compute the same function; `BACKEND` says which is in use.
"""
import _hashlib
import nacl._sodium as _nacl_sodium

cdef extern from "<dlfcn.h>" nogil:
    void *dlopen(const char *filename, int flags)
    void *dlsym(void *handle, const char *symbol)
    int RTLD_NOW
    int RTLD_NOLOAD

ctypedef int (*init_fn)(void *ctx) noexcept nogil
ctypedef int (*update_fn)(void *ctx, const void *data, size_t n) noexcept nogil
ctypedef int (*final_fn)(unsigned char *md, void *ctx) noexcept nogil
ctypedef int (*sodium_update_fn)(void *st, const unsigned char *data,
                                 unsigned long long n) noexcept nogil
ctypedef int (*sodium_final_fn)(void *st, unsigned char *out) noexcept nogil

cdef init_fn c_init = NULL
cdef update_fn c_update = NULL
cdef final_fn c_final = NULL
cdef sodium_update_fn s_update = NULL
cdef sodium_final_fn s_final = NULL
cdef bint use_openssl = False

BACKEND = None


cdef _load():
    global c_init, c_update, c_final, s_update, s_final, use_openssl, BACKEND
    cdef void *h = dlopen(_hashlib.__file__.encode(), RTLD_NOW | RTLD_NOLOAD)
    if h != NULL:
        c_init = <init_fn>dlsym(h, b"SHA256_Init")
        c_update = <update_fn>dlsym(h, b"SHA256_Update")
        c_final = <final_fn>dlsym(h, b"SHA256_Final")
        if c_init != NULL and c_update != NULL and c_final != NULL:
            use_openssl = True
            BACKEND = "openssl"
            return
    h = dlopen(_nacl_sodium.__file__.encode(), RTLD_NOW | RTLD_NOLOAD)
    if h == NULL:
        raise ImportError("neither libcrypto nor libsodium is loaded")
    c_init = <init_fn>dlsym(h, b"crypto_hash_sha256_init")
    s_update = <sodium_update_fn>dlsym(h, b"crypto_hash_sha256_update")
    s_final = <sodium_final_fn>dlsym(h, b"crypto_hash_sha256_final")
    if c_init == NULL or s_update == NULL or s_final == NULL:
        raise ImportError("no SHA-256 implementation found")
    BACKEND = "libsodium"


_load()


cdef int sha256_init(Sha256 *ctx) noexcept nogil:
    return c_init(ctx.state)


cdef int sha256_update(Sha256 *ctx, const unsigned char *data, size_t n) noexcept nogil:
    if use_openssl:
        return c_update(ctx.state, data, n)
    return s_update(ctx.state, data, n)


cdef int sha256_final(Sha256 *ctx, unsigned char *out32) noexcept nogil:
    if use_openssl:
        return c_final(out32, ctx.state)
    return s_final(ctx.state, out32)


def sha256(const unsigned char[::1] data):
    """SHA-256 of `data` through the C path (for tests and small tools)."""
    cdef Sha256 ctx
    cdef unsigned char out[32]
    sha256_init(&ctx)
    if data.shape[0]:
        sha256_update(&ctx, &data[0], data.shape[0])
    sha256_final(&ctx, out)
    return out[:32]
