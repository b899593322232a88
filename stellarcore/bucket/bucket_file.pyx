# cython: language_level=3
"""Bucket files: record-marked XDR streams read and written from C.

A bucket file is what stellar-core's XDROutputFileStream writes: for each
entry a 4-byte big-endian record mark (length with the high "last
fragment" bit set) and the entry's XDR.  The bucket's hash is SHA-256 of
the whole file, marks included.  Merges and index builds walk millions of
records, so both directions live here as C loops over stdio buffers that
run without the GIL; the records themselves stay raw bytes (the merge never
decodes an entry into Python objects).
"""
from libc.stdio cimport FILE, fopen, fclose, fread, fwrite, fflush, ferror

cdef extern from "<stdio.h>" nogil:
    int fseeko(FILE *f, long long offset, int whence)
    int fileno(FILE *f)
from libc.stdlib cimport malloc, calloc, realloc, free
from libc.string cimport memcpy, memmove
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int32_t
from stellarcore.crypto.csha256 cimport sha256_init, sha256_update, sha256_final
from stellarcore.bucket.bucket_file cimport Hasher, pthread_t, pthread_mutex_t, pthread_cond_t

import os

from stellarcore.xdr.errors import XdrError

cdef extern from "<unistd.h>" nogil:
    int fsync(int fd)

cdef extern from "<pthread.h>" nogil:
    int pthread_create(pthread_t *t, const void *attr, void *(*fn)(void *) noexcept nogil,
                       void *arg)
    int pthread_join(pthread_t t, void **ret)
    int pthread_mutex_init(pthread_mutex_t *m, const void *attr)
    int pthread_mutex_destroy(pthread_mutex_t *m)
    int pthread_mutex_lock(pthread_mutex_t *m)
    int pthread_mutex_unlock(pthread_mutex_t *m)
    int pthread_cond_init(pthread_cond_t *c, const void *attr)
    int pthread_cond_destroy(pthread_cond_t *c)
    int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
    int pthread_cond_broadcast(pthread_cond_t *c)


cdef void *_hash_worker(void *arg) noexcept nogil:
    """Hash each buffer handed over, in order, until told to stop."""
    cdef Hasher *h = <Hasher *>arg
    cdef const uint8_t *p
    cdef size_t n
    pthread_mutex_lock(&h.mu)
    while True:
        while not h.pending and not h.stop:
            pthread_cond_wait(&h.cv, &h.mu)
        if h.pending:
            p = h.job
            n = h.job_len
            pthread_mutex_unlock(&h.mu)
            sha256_update(&h.sha, p, n)
            pthread_mutex_lock(&h.mu)
            h.pending = 0
            pthread_cond_broadcast(&h.cv)
        elif h.stop:
            break
    pthread_mutex_unlock(&h.mu)
    return NULL

# The largest record accepted.  stellar-core bounds entries far below this
# (a contract code entry is at most the network's max wasm size, 128 KiB on
# mainnet); a larger mark means a corrupt file, refused before allocating.
cdef enum:
    MAX_RECORD = 64 * 1024 * 1024
    READ_CHUNK = 1024 * 1024
    WRITE_CHUNK = 1024 * 1024

cdef enum:
    ERR_NONE = 0
    ERR_TRUNCATED = 1
    ERR_TOO_BIG = 2
    ERR_IO = 3
    ERR_NOMEM = 4
    ERR_SHORT = 5

cdef dict _MESSAGES = {
    ERR_TRUNCATED: "truncated record",
    ERR_TOO_BIG: "record mark larger than any valid entry",
    ERR_IO: "I/O error",
    ERR_NOMEM: "out of memory",
    ERR_SHORT: "record shorter than 4 bytes or not a multiple of 4",
}


class BucketFileError(XdrError):
    """A bucket file that is not a well-formed record-marked stream."""


cdef class RecordReader:
    """Sequential reader of a record-marked file; `next()` exposes each
    record in place (`rec`, `rec_len`) until the following call."""

    def __cinit__(self, path):
        self.path = os.fspath(path)
        self.f = fopen(os.fsencode(self.path), b"rb")
        if self.f == NULL:
            raise FileNotFoundError(2, "cannot open bucket file", self.path)
        self.cap = READ_CHUNK
        self.buf = <uint8_t *>malloc(self.cap)
        if self.buf == NULL:
            fclose(self.f)
            self.f = NULL
            raise MemoryError()

    def __dealloc__(self):
        if self.f != NULL:
            fclose(self.f)
        free(self.buf)

    def close(self):
        if self.f != NULL:
            fclose(self.f)
            self.f = NULL

    cdef int _fill(self, size_t want) noexcept nogil:
        """Make at least `want` bytes available from `start`; 0 if the file
        ends first, -1 on error."""
        cdef size_t avail = self.end - self.start
        cdef size_t n
        cdef uint8_t *nb
        if avail >= want:
            return 1
        if want > self.cap:
            nb = <uint8_t *>realloc(self.buf, want + READ_CHUNK)
            if nb == NULL:
                self.err = ERR_NOMEM
                return -1
            self.buf = nb
            self.cap = want + READ_CHUNK
        if self.start:
            memmove(self.buf, self.buf + self.start, avail)
            self.start = 0
            self.end = avail
        while self.end < want and not self.at_eof:
            n = fread(self.buf + self.end, 1, self.cap - self.end, self.f)
            if n == 0:
                if ferror(self.f):
                    self.err = ERR_IO
                    return -1
                self.at_eof = True
            self.end += n
        return 1 if self.end - self.start >= want else 0

    cdef int next(self) noexcept nogil:
        cdef int r
        cdef uint32_t mark, n
        cdef const uint8_t *p
        if self.f == NULL:
            self.err = ERR_IO
            return REC_ERROR
        r = self._fill(4)
        if r < 0:
            return REC_ERROR
        if r == 0:
            if self.end != self.start:
                self.err = ERR_TRUNCATED
                return REC_ERROR
            return REC_EOF
        p = self.buf + self.start
        mark = (<uint32_t>p[0] << 24) | (<uint32_t>p[1] << 16) | (<uint32_t>p[2] << 8) | p[3]
        n = mark & 0x7fffffff
        if n > MAX_RECORD:
            self.err = ERR_TOO_BIG
            return REC_ERROR
        if n < 4 or (n & 3):
            self.err = ERR_SHORT
            return REC_ERROR
        r = self._fill(4 + n)
        if r <= 0:
            if r == 0:
                self.err = ERR_TRUNCATED
            return REC_ERROR
        self.rec = self.buf + self.start + 4
        self.rec_len = n
        self.rec_offset = self.pos
        self.pos += 4 + n
        self.start += 4 + n
        return REC_OK

    cdef int seek(self, uint64_t offset) noexcept nogil:
        if fseeko(self.f, offset, 0) != 0:
            self.err = ERR_IO
            return -1
        self.start = self.end = 0
        self.at_eof = False
        self.pos = offset
        return 0

    cdef raise_error(self):
        raise BucketFileError(f"{self.path}: {_MESSAGES.get(self.err, 'error')} "
                              f"at offset {self.pos}")

    def read(self):
        """The next record's bytes, or None at the end of the file."""
        cdef int r = self.next()
        if r == REC_EOF:
            return None
        if r == REC_ERROR:
            self.raise_error()
        return (<const char *>self.rec)[:self.rec_len]

    def seek_to(self, offset):
        if self.seek(offset) < 0:
            self.raise_error()

    @property
    def position(self):
        """File offset of the next record."""
        return self.pos

    def __iter__(self):
        return self

    def __next__(self):
        r = self.read()
        if r is None:
            raise StopIteration
        return r


cdef class RecordWriter:
    """Writes records with their marks and hashes the bytes as they go."""

    def __cinit__(self, path):
        self.path = os.fspath(path)
        self.cap = WRITE_CHUNK
        self.buf = <uint8_t *>malloc(self.cap)
        self.h = <Hasher *>calloc(1, sizeof(Hasher))
        if self.buf == NULL or self.h == NULL:
            raise MemoryError()
        self.f = fopen(os.fsencode(self.path), b"wb")
        if self.f == NULL:
            raise OSError(f"cannot create bucket file {self.path}")
        sha256_init(&self.h.sha)

    def __dealloc__(self):
        self._stop_thread()
        if self.f != NULL:
            fclose(self.f)
        free(self.buf)
        free(self.spare)
        free(self.h)

    cdef void _wait_idle(self) noexcept nogil:
        """Wait until the hashing thread has no buffer in hand."""
        if self.threaded:
            pthread_mutex_lock(&self.h.mu)
            while self.h.pending:
                pthread_cond_wait(&self.h.cv, &self.h.mu)
            pthread_mutex_unlock(&self.h.mu)

    cdef void _stop_thread(self) noexcept nogil:
        if self.threaded:
            pthread_mutex_lock(&self.h.mu)
            self.h.stop = 1
            pthread_cond_broadcast(&self.h.cv)
            pthread_mutex_unlock(&self.h.mu)
            pthread_join(self.thread, NULL)
            pthread_cond_destroy(&self.h.cv)
            pthread_mutex_destroy(&self.h.mu)
            self.threaded = False

    cdef int _start_thread(self) noexcept nogil:
        """From the first full buffer on, hash on a second thread (small
        buckets never start one)."""
        self.spare = <uint8_t *>malloc(self.cap)
        if self.spare == NULL:
            return -1
        pthread_mutex_init(&self.h.mu, NULL)
        pthread_cond_init(&self.h.cv, NULL)
        if pthread_create(&self.thread, NULL, _hash_worker, self.h) != 0:
            pthread_cond_destroy(&self.h.cv)
            pthread_mutex_destroy(&self.h.mu)
            free(self.spare)
            self.spare = NULL
            return -1
        self.threaded = True
        return 0

    cdef int _flush(self) noexcept nogil:
        """Write the buffer; hash it here or hand it to the hashing thread
        (which reads it while this thread fills the other buffer)."""
        cdef uint8_t *t
        if not self.used:
            return 0
        if fwrite(self.buf, 1, self.used, self.f) != self.used:
            self.err = ERR_IO
            return -1
        if not self.threaded and self.used == self.cap:
            self._start_thread()
        if self.threaded:
            pthread_mutex_lock(&self.h.mu)
            while self.h.pending:
                pthread_cond_wait(&self.h.cv, &self.h.mu)
            self.h.job = self.buf
            self.h.job_len = self.used
            self.h.pending = 1
            pthread_cond_broadcast(&self.h.cv)
            pthread_mutex_unlock(&self.h.mu)
            t = self.buf
            self.buf = self.spare
            self.spare = t
        else:
            sha256_update(&self.h.sha, self.buf, self.used)
        self.used = 0
        return 0

    cdef int _raw(self, const uint8_t *p, size_t n) noexcept nogil:
        if self.used + n > self.cap:
            if self._flush() < 0:
                return -1
            if n > self.cap:
                self._wait_idle()
                sha256_update(&self.h.sha, p, n)
                if fwrite(p, 1, n, self.f) != n:
                    self.err = ERR_IO
                    return -1
                return 0
        memcpy(self.buf + self.used, p, n)
        self.used += n
        return 0

    cdef int put(self, const uint8_t *p, uint32_t n) noexcept nogil:
        cdef uint8_t mark[4]
        cdef uint32_t m = n | 0x80000000u
        mark[0] = m >> 24
        mark[1] = (m >> 16) & 0xff
        mark[2] = (m >> 8) & 0xff
        mark[3] = m & 0xff
        if self._raw(mark, 4) < 0 or self._raw(p, n) < 0:
            return -1
        self.objects += 1
        self.bytes_written += 4 + n
        return 0

    cdef int put_with_kind(self, int32_t kind, const uint8_t *p, uint32_t n) noexcept nogil:
        """A record whose first 4 bytes (the entry-type discriminant) are
        replaced by `kind` (e.g. INITENTRY written as LIVEENTRY)."""
        cdef uint8_t head[8]
        cdef uint32_t m = n | 0x80000000u
        cdef uint32_t k = <uint32_t>kind
        head[0] = m >> 24
        head[1] = (m >> 16) & 0xff
        head[2] = (m >> 8) & 0xff
        head[3] = m & 0xff
        head[4] = k >> 24
        head[5] = (k >> 16) & 0xff
        head[6] = (k >> 8) & 0xff
        head[7] = k & 0xff
        if self._raw(head, 8) < 0 or self._raw(p + 4, n - 4) < 0:
            return -1
        self.objects += 1
        self.bytes_written += 4 + n
        return 0

    cdef raise_error(self):
        raise BucketFileError(f"{self.path}: {_MESSAGES.get(self.err, 'error')}")

    def write(self, const uint8_t[::1] record):
        if record.shape[0] < 4 or record.shape[0] & 3:
            raise ValueError("an XDR record is a positive multiple of 4 bytes")
        if self.f == NULL:
            raise ValueError("writer is closed")
        if self.put(&record[0], record.shape[0]) < 0:
            self.raise_error()

    def finish(self, bint do_fsync=False):
        """Flush, close and return the SHA-256 of everything written."""
        cdef unsigned char out[32]
        if self.f == NULL:
            raise ValueError("writer is closed")
        cdef int r = self._flush()
        self._wait_idle()
        self._stop_thread()
        if r == 0 and fflush(self.f) != 0:
            r = -1
        if r == 0 and do_fsync and fsync(fileno(self.f)) != 0:
            r = -1
        if fclose(self.f) != 0:
            r = -1
        self.f = NULL
        if r < 0:
            self.err = ERR_IO
            self.raise_error()
        sha256_final(&self.h.sha, out)
        return out[:32]

    def abort(self):
        """Close and delete the partial file."""
        self._stop_thread()
        if self.f != NULL:
            fclose(self.f)
            self.f = NULL
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def iter_records(path):
    """Every record of a record-marked file, as bytes."""
    r = RecordReader(path)
    try:
        yield from r
    finally:
        r.close()
