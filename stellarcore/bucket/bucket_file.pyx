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
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memcpy, memmove
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int32_t
from stellarcore.crypto.csha256 cimport sha256_init, sha256_update, sha256_final

import os

from stellarcore.xdr.errors import XdrError

cdef extern from "<unistd.h>" nogil:
    int fsync(int fd)

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
        self.f = fopen(os.fsencode(self.path), b"wb")
        if self.f == NULL:
            raise OSError(f"cannot create bucket file {self.path}")
        self.cap = WRITE_CHUNK
        self.buf = <uint8_t *>malloc(self.cap)
        if self.buf == NULL:
            fclose(self.f)
            self.f = NULL
            raise MemoryError()
        sha256_init(&self.sha)

    def __dealloc__(self):
        if self.f != NULL:
            fclose(self.f)
        free(self.buf)

    cdef int _flush(self) noexcept nogil:
        if self.used:
            sha256_update(&self.sha, self.buf, self.used)
            if fwrite(self.buf, 1, self.used, self.f) != self.used:
                self.err = ERR_IO
                return -1
            self.used = 0
        return 0

    cdef int _raw(self, const uint8_t *p, size_t n) noexcept nogil:
        if self.used + n > self.cap:
            if self._flush() < 0:
                return -1
            if n > self.cap:
                sha256_update(&self.sha, p, n)
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
        sha256_final(&self.sha, out)
        return out[:32]

    def abort(self):
        """Close and delete the partial file."""
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
