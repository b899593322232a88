# cython: language_level=3
from libc.stdio cimport FILE
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int32_t
from stellarcore.crypto.csha256 cimport Sha256

cdef extern from "<pthread.h>" nogil:
    ctypedef struct pthread_t:
        pass
    ctypedef struct pthread_mutex_t:
        pass
    ctypedef struct pthread_cond_t:
        pass

cdef struct Hasher:
    # SHA-256 on a second thread: the writer hands it each full buffer
    # (after writing it) and goes on filling the other buffer.
    Sha256 sha
    pthread_mutex_t mu
    pthread_cond_t cv
    const uint8_t *job
    size_t job_len
    int pending
    int stop

# RecordReader.next() results
cdef enum:
    REC_EOF = 0
    REC_OK = 1
    REC_ERROR = -1

cdef class RecordReader:
    cdef FILE *f
    cdef uint8_t *buf
    cdef size_t cap, start, end
    cdef bint at_eof
    cdef readonly object path
    cdef const uint8_t *rec        # payload of the current record (no mark)
    cdef uint32_t rec_len
    cdef uint64_t rec_offset       # file offset of the current record's mark
    cdef uint64_t pos              # file offset just past the current record
    cdef int err                   # why next() returned REC_ERROR
    cdef int _fill(self, size_t want) noexcept nogil
    cdef int next(self) noexcept nogil
    cdef int seek(self, uint64_t offset) noexcept nogil
    cdef raise_error(self)

cdef class RecordWriter:
    cdef FILE *f
    cdef uint8_t *buf
    cdef uint8_t *spare
    cdef size_t cap, used
    cdef Hasher *h
    cdef pthread_t thread
    cdef bint threaded
    cdef readonly object path
    cdef readonly uint64_t objects
    cdef readonly uint64_t bytes_written
    cdef int err
    cdef int _flush(self) noexcept nogil
    cdef void _wait_idle(self) noexcept nogil
    cdef void _stop_thread(self) noexcept nogil
    cdef int _start_thread(self) noexcept nogil
    cdef int _raw(self, const uint8_t *p, size_t n) noexcept nogil
    cdef int put(self, const uint8_t *p, uint32_t n) noexcept nogil
    cdef int put_with_kind(self, int32_t kind, const uint8_t *p, uint32_t n) noexcept nogil
    cdef raise_error(self)

cdef inline int32_t record_kind(const uint8_t *p) noexcept nogil:
    return <int32_t>((<uint32_t>p[0] << 24) | (<uint32_t>p[1] << 16) |
                     (<uint32_t>p[2] << 8) | <uint32_t>p[3])
