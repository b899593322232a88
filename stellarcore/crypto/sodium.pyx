# cython: language_level=3
"""libsodium, called directly.

PyNaCl (the chosen ed25519/curve25519 dependency) links libsodium into its
extension module and exports its symbols; this module looks the functions up
in that already-loaded library with dlsym, so hot paths (signature checks,
the verification cache's BLAKE2b key, batch verification with the GIL
released) call libsodium straight from C.  Nothing else is linked or
installed.  stellar-core uses the same library (libsodium's
crypto_sign_verify_detached before protocol 25; see README.md for why its
switch to ed25519-dalek's verify_strict at protocol 25 accepts the same
signatures).
"""
from libc.string cimport memcpy

import nacl._sodium as _nacl_sodium
import nacl.bindings  # noqa: F401 - importing it runs sodium_init()

cdef extern from "<dlfcn.h>" nogil:
    void *dlopen(const char *filename, int flags)
    void *dlsym(void *handle, const char *symbol)
    int RTLD_NOW
    int RTLD_NOLOAD
    int RTLD_GLOBAL

ctypedef int (*sign_detached_fn)(unsigned char *sig, unsigned long long *siglen,
                                 const unsigned char *m, unsigned long long mlen,
                                 const unsigned char *sk) noexcept nogil
ctypedef int (*seed_keypair_fn)(unsigned char *pk, unsigned char *sk,
                                const unsigned char *seed) noexcept nogil

cdef verify_detached_fn c_verify_detached = NULL
cdef generichash_fn c_generichash = NULL
cdef sign_detached_fn c_sign_detached = NULL
cdef seed_keypair_fn c_seed_keypair = NULL


cdef void *_lookup(void *handle, bytes name) except NULL:
    cdef void *p = dlsym(handle, name)
    if p == NULL:
        raise ImportError(f"libsodium function {name.decode()} not found in PyNaCl's library")
    return p


cdef _load():
    global c_verify_detached, c_generichash, c_sign_detached, c_seed_keypair
    path = _nacl_sodium.__file__.encode()
    cdef void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD)
    if h == NULL:
        raise ImportError("PyNaCl's libsodium is not loaded")
    c_verify_detached = <verify_detached_fn>_lookup(h, b"crypto_sign_verify_detached")
    c_generichash = <generichash_fn>_lookup(h, b"crypto_generichash")
    c_sign_detached = <sign_detached_fn>_lookup(h, b"crypto_sign_detached")
    c_seed_keypair = <seed_keypair_fn>_lookup(h, b"crypto_sign_seed_keypair")


_load()


cdef bint verify_raw(const unsigned char *pk, const unsigned char *sig,
                     const unsigned char *msg, size_t mlen) noexcept nogil:
    return c_verify_detached(sig, msg, mlen, pk) == 0


cdef inline const unsigned char *_ptr(bytes b):
    return <const unsigned char *>(<char *>b)


def verify_detached(bytes public_key, bytes signature, const unsigned char[::1] message):
    """libsodium's crypto_sign_verify_detached; False for malformed sizes."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    cdef size_t n = message.shape[0]
    cdef const unsigned char *m = &message[0] if n else <const unsigned char *>b""
    return verify_raw(_ptr(public_key), _ptr(signature), m, n)


def sign_detached(bytes secret_key, const unsigned char[::1] message):
    """A 64-byte ed25519 signature; `secret_key` is libsodium's 64-byte form."""
    if len(secret_key) != 64:
        raise ValueError("secret key must be 64 bytes")
    cdef unsigned char sig[64]
    cdef size_t n = message.shape[0]
    cdef const unsigned char *m = &message[0] if n else <const unsigned char *>b""
    if c_sign_detached(sig, NULL, m, n, _ptr(secret_key)) != 0:
        raise ValueError("crypto_sign_detached failed")
    return (<char *>sig)[:64]


def seed_keypair(bytes seed):
    """(public key, 64-byte secret key) for a 32-byte seed."""
    if len(seed) != 32:
        raise ValueError("seed must be 32 bytes")
    cdef unsigned char pk[32]
    cdef unsigned char sk[64]
    if c_seed_keypair(pk, sk, _ptr(seed)) != 0:
        raise ValueError("crypto_sign_seed_keypair failed")
    return (<char *>pk)[:32], (<char *>sk)[:64]


def blake2b_256(const unsigned char[::1] data):
    """BLAKE2b with a 32-byte output (libsodium's crypto_generichash default)."""
    cdef unsigned char out[32]
    cdef size_t n = data.shape[0]
    c_generichash(out, 32, &data[0] if n else <const unsigned char *>b"", n, NULL, 0)
    return (<char *>out)[:32]
