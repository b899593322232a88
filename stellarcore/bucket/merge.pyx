# cython: language_level=3
"""The streaming bucket merge, in C without the GIL.

Two sorted bucket files in, one sorted bucket file out, its SHA-256
computed while writing; entries are never decoded, only their order keys
(keys.pyx) compared, so memory stays at the read and write buffers
whatever the bucket sizes.  The rules are stellar-core v25's
(`BucketBase::merge`, `LiveBucket::mergeCasesWithEqualKeys`,
`HotArchiveBucket::mergeCasesWithEqualKeys`, `BucketOutputIterator::put`),
protocol 12 and later (no shadows):

live buckets, equal keys (CAP-20):
  old DEAD + new INIT  -> LIVE (the new entry)
  old INIT + new LIVE  -> INIT (the new entry)
  old INIT + new DEAD  -> nothing (annihilation)
  old non-DEAD + new INIT -> malformed bucket (error)
  otherwise            -> the new entry
hot-archive buckets: the new entry always wins.
Tombstones (DEAD; HOT_ARCHIVE_LIVE) are dropped only when the output is not
to keep them (the bottom level).  INIT is never normalized to LIVE.
"""
from libc.stdint cimport uint8_t, uint32_t, int32_t
from stellarcore.bucket.bucket_file cimport (RecordReader, RecordWriter, REC_OK, REC_EOF,
                                             REC_ERROR, record_kind)
from stellarcore.bucket.keys cimport (KeyBuf, keybuf_init, keybuf_free, keybuf_raise,
                                      bucket_entry_order_key_nogil,
                                      hot_archive_entry_order_key_nogil, keybuf_cmp)

import os

from stellarcore.bucket.entries import (BucketMetadata, FIRST_PROTOCOL_SUPPORTING_INITENTRY_AND_METAENTRY,
                                        merged_metadata)
from stellarcore.bucket.bucket_file import BucketFileError


class MergeError(BucketFileError):
    """Inputs a merge cannot combine (unsorted, malformed, protocol too new)."""


cdef enum:
    K_META = -1
    K_LIVE = 0        # LIVEENTRY / HOT_ARCHIVE_ARCHIVED
    K_DEAD = 1        # DEADENTRY / HOT_ARCHIVE_LIVE
    K_INIT = 2

cdef enum:
    E_NONE = 0
    E_READ_OLD = 1
    E_READ_NEW = 2
    E_KEY_OLD = 3
    E_KEY_NEW = 4
    E_UNSORTED_OLD = 5
    E_UNSORTED_NEW = 6
    E_INIT_OVER_LIVE = 7
    E_WRITE = 8
    E_KIND_OLD = 9
    E_KIND_NEW = 10


cdef class _Input:
    """One input stream: the current record and its order key, plus the
    previous key to check the input is strictly sorted."""
    cdef RecordReader reader
    cdef bint done
    cdef bint hot
    cdef int32_t kind
    cdef KeyBuf key
    cdef KeyBuf prev
    cdef object meta

    def __cinit__(self, path, bint hot):
        self.hot = hot
        keybuf_init(&self.key, 256)
        keybuf_init(&self.prev, 256)
        self.meta = BucketMetadata()
        if path is None:
            self.done = True
            return
        self.reader = RecordReader(path)
        cdef int r = self.reader.next()
        if r == REC_ERROR:
            self.reader.raise_error()
        if r == REC_EOF:
            self.done = True
            return
        if record_kind(self.reader.rec) == K_META:
            self.meta = BucketMetadata.from_record(
                (<const char *>self.reader.rec)[:self.reader.rec_len])
            r = self.reader.next()
            if r == REC_ERROR:
                self.reader.raise_error()
            if r == REC_EOF:
                self.done = True
                return
        if self._load() < 0:
            keybuf_raise(&self.key, "HotArchiveBucketEntry" if hot else "BucketEntry")
        if self.kind == K_META:
            raise MergeError(f"{path}: METAENTRY after the first record")

    def __dealloc__(self):
        keybuf_free(&self.key)
        keybuf_free(&self.prev)

    cdef int _load(self) noexcept nogil:
        """Order key and kind of the record just read; -1 on a bad entry."""
        cdef Py_ssize_t n
        self.kind = record_kind(self.reader.rec)
        if self.hot:
            n = hot_archive_entry_order_key_nogil(self.reader.rec, self.reader.rec_len, &self.key)
        else:
            n = bucket_entry_order_key_nogil(self.reader.rec, self.reader.rec_len, &self.key)
        return -1 if n < 0 else 0

    cdef int advance(self) noexcept nogil:
        """Move to the next record: 0 ok or done, -1 read error, -2 bad
        entry, -3 not strictly after the previous record."""
        cdef KeyBuf t
        cdef int r = self.reader.next()
        if r == REC_ERROR:
            return -1
        if r == REC_EOF:
            self.done = True
            return 0
        t = self.prev
        self.prev = self.key
        self.key = t
        if self._load() < 0:
            return -2
        if self.kind == K_META or keybuf_cmp(&self.prev, &self.key) >= 0:
            return -3
        return 0


cdef inline int _put(RecordWriter w, _Input src, int32_t as_kind, bint keep) noexcept nogil:
    # K_DEAD is the tombstone of both kinds: DEADENTRY and HOT_ARCHIVE_LIVE are 1
    if not keep and as_kind == K_DEAD:
        return 0
    if as_kind == src.kind:
        return w.put(src.reader.rec, src.reader.rec_len)
    return w.put_with_kind(as_kind, src.reader.rec, src.reader.rec_len)


cdef int _merge_loop(_Input o, _Input n, RecordWriter w, bint keep, bint hot,
                     size_t *old_count, size_t *new_count) noexcept nogil:
    cdef int c, r
    cdef int adv_o, adv_n
    while not (o.done and n.done):
        adv_o = adv_n = 0
        if n.done:
            c = -1
        elif o.done:
            c = 1
        else:
            c = keybuf_cmp(&o.key, &n.key)
        if c < 0:
            if o.kind != K_LIVE and o.kind != K_DEAD and (hot or o.kind != K_INIT):
                return E_KIND_OLD
            if _put(w, o, o.kind, keep) < 0:
                return E_WRITE
            adv_o = 1
        elif c > 0:
            if n.kind != K_LIVE and n.kind != K_DEAD and (hot or n.kind != K_INIT):
                return E_KIND_NEW
            if _put(w, n, n.kind, keep) < 0:
                return E_WRITE
            adv_n = 1
        else:
            adv_o = adv_n = 1
            if hot:
                r = _put(w, n, n.kind, keep)
            elif n.kind == K_INIT:
                if o.kind != K_DEAD:
                    return E_INIT_OVER_LIVE
                r = _put(w, n, K_LIVE, keep)
            elif o.kind == K_INIT:
                if n.kind == K_LIVE:
                    r = _put(w, n, K_INIT, keep)
                else:
                    r = 0          # INIT + DEAD annihilate
            else:
                r = _put(w, n, n.kind, keep)
            if r < 0:
                return E_WRITE
        if adv_o:
            old_count[0] += 1
            r = o.advance()
            if r < 0:
                return E_READ_OLD if r == -1 else (E_KEY_OLD if r == -2 else E_UNSORTED_OLD)
        if adv_n:
            new_count[0] += 1
            r = n.advance()
            if r < 0:
                return E_READ_NEW if r == -1 else (E_KEY_NEW if r == -2 else E_UNSORTED_NEW)
    return E_NONE


def read_metadata(path):
    """The BucketMetadata of a bucket file (version 0, ext v0 if it has none)."""
    if path is None:
        return BucketMetadata()
    r = RecordReader(path)
    try:
        rec = r.read()
    finally:
        r.close()
    if rec is None or len(rec) < 4 or rec[:4] != b"\xff\xff\xff\xff":
        return BucketMetadata()
    return BucketMetadata.from_record(rec)


def merge_files(old_path, new_path, out_path, *, bint hot, bint keep_tombstones,
                unsigned int max_protocol, bint do_fsync=False):
    """Merge two bucket files (None for an empty bucket) into `out_path`.

    Returns `(hash, objects, bytes)` of the output, or None when the output
    is the empty bucket (two empty inputs: no file is left behind)."""
    cdef _Input o = _Input(old_path, hot)
    cdef _Input n = _Input(new_path, hot)
    meta = merged_metadata(o.meta, n.meta, max_protocol)
    # Before protocol 11 buckets carry no METAENTRY (stellar-core's
    # BucketOutputIterator writes none); such buckets come only from a
    # protocol-0 genesis ledger and hold LIVE entries only. Shadows (merges
    # of ledgers applied before protocol 12) never occur: every ledger this
    # node applies is at protocol 23 or later.
    cdef bint with_meta = meta.ledger_version >= FIRST_PROTOCOL_SUPPORTING_INITENTRY_AND_METAENTRY
    if not with_meta and o.done and n.done:
        return None
    cdef RecordWriter w = RecordWriter(out_path)
    cdef int err
    cdef size_t old_count = 0, new_count = 0
    cdef bint keep = keep_tombstones
    try:
        if with_meta:
            w.write(meta.record())
        with nogil:
            err = _merge_loop(o, n, w, keep, hot, &old_count, &new_count)
        if err != E_NONE:
            _raise(err, o, n, w, old_path, new_path)
        digest = w.finish(do_fsync)
    except BaseException:
        w.abort()
        raise
    return digest, w.objects, w.bytes_written


cdef _raise(int err, _Input o, _Input n, RecordWriter w, old_path, new_path):
    name = "HotArchiveBucketEntry" if o.hot else "BucketEntry"
    if err == E_READ_OLD:
        o.reader.raise_error()
    if err == E_READ_NEW:
        n.reader.raise_error()
    if err == E_KEY_OLD:
        keybuf_raise(&o.key, name)
    if err == E_KEY_NEW:
        keybuf_raise(&n.key, name)
    if err == E_UNSORTED_OLD:
        raise MergeError(f"{old_path}: entries out of order or repeated at offset {o.reader.rec_offset}")
    if err == E_UNSORTED_NEW:
        raise MergeError(f"{new_path}: entries out of order or repeated at offset {n.reader.rec_offset}")
    if err == E_INIT_OVER_LIVE:
        raise MergeError("Malformed bucket: old non-DEAD + new INIT.")
    if err == E_KIND_OLD:
        raise MergeError(f"{old_path}: unknown entry kind at offset {o.reader.rec_offset}")
    if err == E_KIND_NEW:
        raise MergeError(f"{new_path}: unknown entry kind at offset {n.reader.rec_offset}")
    w.raise_error()
