# cython: language_level=3, boundscheck=False, wraparound=False
"""Ed25519 signature verification with a process-wide result cache.

As stellar-core's PubKeyUtils::verifySig (crypto/SecretKey.cpp): the cache
key is BLAKE2b-256(public key || signature || message), the cache holds at
most 250,000 results and evicts a random entry when full, and hits and
misses are counted.  Verifying is a pure function, so caching it cannot
change an outcome.  A signature that is not 64 bytes is invalid without a
lookup.

`verify_many` checks a batch: cache hits first, then the misses in parallel
on every core with the GIL released (libsodium straight from C).
"""
import os
import random as _random
import threading

from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy

from stellarcore.crypto.sodium cimport c_generichash, verify_raw

DEF_CACHE_SIZE = 250_000


cdef class VerifySigCache:
    """Bounded map of cache key -> bool with random eviction.

    `index` maps a key to (its slot in `keys` << 1) | result, so a hit costs
    one dict lookup; `keys` lets eviction pick a random entry.
    """
    cdef dict index
    cdef list keys
    cdef readonly Py_ssize_t capacity
    cdef public unsigned long long hits
    cdef public unsigned long long misses
    cdef object rng

    def __init__(self, Py_ssize_t capacity=DEF_CACHE_SIZE):
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self.index = {}
        self.keys = []
        self.hits = 0
        self.misses = 0
        self.rng = _random.Random()

    def seed(self, s):
        """Make eviction repeatable (tests), as stellar-core's seedVerifySigCache."""
        self.rng.seed(s)

    cdef int get(self, bytes key):
        """1 or 0 for a cached result, -1 when absent."""
        cdef object v = self.index.get(key)
        if v is None:
            return -1
        return (<Py_ssize_t>v) & 1

    cdef put(self, bytes key, bint ok):
        cdef Py_ssize_t i
        cdef object old = self.index.get(key)
        if old is not None:
            self.index[key] = ((<Py_ssize_t>old) & ~1) | ok
            return
        if len(self.keys) >= self.capacity:
            i = self.rng.randrange(len(self.keys))
            del self.index[self.keys[i]]
            self.keys[i] = key
        else:
            i = len(self.keys)
            self.keys.append(key)
        self.index[key] = (i << 1) | ok

    def lookup(self, bytes key):
        """The cached result for a cache key, or None."""
        cdef int r = self.get(key)
        return None if r < 0 else bool(r)

    def clear(self):
        self.index.clear()
        del self.keys[:]

    def flush_counts(self):
        """(hits, misses) since the last flush, then reset them (as stellar-core)."""
        h, m = self.hits, self.misses
        self.hits = self.misses = 0
        return h, m

    def __len__(self):
        return len(self.keys)


cdef VerifySigCache _cache = VerifySigCache()


def cache():
    """The process-wide cache."""
    return _cache


cdef bytes _cache_key(bytes pk, bytes sig, const unsigned char *msg, size_t mlen):
    """BLAKE2b-256(pk || sig || msg)."""
    cdef unsigned char out[32]
    cdef unsigned char stackbuf[512]
    cdef unsigned char *buf = stackbuf
    cdef size_t n = 96 + mlen
    if n > sizeof(stackbuf):
        buf = <unsigned char *>malloc(n)
        if buf == NULL:
            raise MemoryError()
    memcpy(buf, PyBytes_AS_STRING(pk), 32)
    memcpy(buf + 32, PyBytes_AS_STRING(sig), 64)
    if mlen:
        memcpy(buf + 96, msg, mlen)
    c_generichash(out, 32, buf, n, NULL, 0)
    if buf != stackbuf:
        free(buf)
    return (<char *>out)[:32]


cdef inline bint _msg_ptr(object message, Py_buffer *view, const unsigned char **p,
                         size_t *n) except -1:
    """Pointer to a message's bytes: directly for bytes, else through a buffer
    view the caller releases (returns True when it must)."""
    if type(message) is bytes:
        p[0] = <const unsigned char *>PyBytes_AS_STRING(message)
        n[0] = PyBytes_GET_SIZE(message)
        return False
    PyObject_GetBuffer(message, view, PyBUF_SIMPLE)
    p[0] = <const unsigned char *>view.buf
    n[0] = view.len
    return True


def verify_sig(bytes public_key, bytes signature, object message):
    """True if `signature` is a valid ed25519 signature of `message` (any
    bytes-like) by `public_key` (32 raw bytes).  Results are cached
    process-wide."""
    cdef const unsigned char *m
    cdef size_t n
    cdef Py_buffer view
    cdef bint release, ok
    cdef int r
    if PyBytes_GET_SIZE(signature) != 64:
        return False
    if PyBytes_GET_SIZE(public_key) != 32:
        raise ValueError("public key must be 32 bytes")
    release = _msg_ptr(message, &view, &m, &n)
    try:
        key = _cache_key(public_key, signature, m, n)
        r = _cache.get(key)
        if r >= 0:
            _cache.hits += 1
            return r == 1
        ok = verify_raw(<const unsigned char *>PyBytes_AS_STRING(public_key),
                        <const unsigned char *>PyBytes_AS_STRING(signature), m, n)
    finally:
        if release:
            PyBuffer_Release(&view)
    _cache.misses += 1
    _cache.put(key, ok)
    return ok


# ---------------------------------------------------------------- batches

cdef struct Job:
    const unsigned char *pk
    const unsigned char *sig
    const unsigned char *msg
    size_t mlen
    bint ok


cdef void _run(Job *jobs, Py_ssize_t start, Py_ssize_t stop) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(start, stop):
        jobs[i].ok = verify_raw(jobs[i].pk, jobs[i].sig, jobs[i].msg, jobs[i].mlen)


cdef class _Slice:
    """One worker thread's share of a batch (the pointers stay valid: the
    caller holds the bytes objects until every share is done)."""
    cdef Job *jobs
    cdef Py_ssize_t start, stop

    def __call__(self):
        with nogil:
            _run(self.jobs, self.start, self.stop)


_pool = None
_pool_lock = threading.Lock()


def _executor():
    global _pool
    with _pool_lock:
        if _pool is None:
            from concurrent.futures import ThreadPoolExecutor
            _pool = ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 1) - 1),
                                       thread_name_prefix="sigverify")
        return _pool


def verify_many(items, threads=None):
    """Check a list of (public key, signature, message) triples of bytes.

    Returns a list of bools in the same order.  Cached results are used and
    new ones stored; the uncached ones are verified on `threads` threads
    (default: every CPU) without the GIL.
    """
    cdef Py_ssize_t n = len(items), i, nmiss = 0, per, t, lo
    cdef Job *jobs
    cdef list out = [None] * n
    cdef list keys = [None] * n
    cdef list miss_at = []
    cdef list keep = []
    cdef bytes pk, sig, msg
    cdef int r
    if threads is None:
        threads = os.cpu_count() or 1
    jobs = <Job *>malloc(max(n, 1) * sizeof(Job))
    if jobs == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            pk, sig, msg = items[i]
            if PyBytes_GET_SIZE(sig) != 64:
                out[i] = False
                continue
            if PyBytes_GET_SIZE(pk) != 32:
                raise ValueError(f"item {i}: public key must be 32 bytes")
            key = _cache_key(pk, sig, <const unsigned char *>PyBytes_AS_STRING(msg),
                             PyBytes_GET_SIZE(msg))
            r = _cache.get(key)
            if r >= 0:
                _cache.hits += 1
                out[i] = r == 1
                continue
            keys[i] = key
            jobs[nmiss].pk = <const unsigned char *>PyBytes_AS_STRING(pk)
            jobs[nmiss].sig = <const unsigned char *>PyBytes_AS_STRING(sig)
            jobs[nmiss].msg = <const unsigned char *>PyBytes_AS_STRING(msg)
            jobs[nmiss].mlen = PyBytes_GET_SIZE(msg)
            miss_at.append(i)
            keep.append((pk, sig, msg))
            nmiss += 1
        t = max(1, min(<Py_ssize_t>threads, nmiss // 16 or 1))
        if t == 1:
            with nogil:
                _run(jobs, 0, nmiss)
        else:
            per = (nmiss + t - 1) // t
            shares = []
            for lo in range(per, nmiss, per):       # others take the tail...
                s = _Slice()
                s.jobs, s.start, s.stop = jobs, lo, min(lo + per, nmiss)
                shares.append(_executor().submit(s))
            with nogil:                             # ...this thread the head
                _run(jobs, 0, min(per, nmiss))
            for f in shares:
                f.result()
        for t in range(nmiss):
            i = miss_at[t]
            out[i] = bool(jobs[t].ok)
            _cache.misses += 1
            _cache.put(keys[i], jobs[t].ok)
    finally:
        free(jobs)
    return out
