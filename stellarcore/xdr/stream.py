"""Record-marked XDR streams: the framing of bucket files, history archive
files and the LedgerCloseMeta output stream.

Each record is a 4-byte big-endian length whose high bit (RFC 5531's
last-fragment bit) is set, followed by that many bytes of XDR.  As
stellar-core's XDRInputFileStream does, the reader ignores the high bit and
does not support multi-fragment records; the writer always sets it.  A
stream that ends cleanly between records is complete; one that ends inside a
record raises XdrError.

Works on any binary file object (files, gzip files, sockets' makefile(),
BytesIO, pipes).
"""
from __future__ import annotations

import io
import struct

from stellarcore.xdr.errors import XdrError

LAST_FRAGMENT = 0x80000000
_MARK = struct.Struct(">I")


def _read_exact(f, n):
    """Read exactly n bytes; fewer only at end of stream."""
    buf = f.read(n)
    if buf is None:
        buf = b""
    if len(buf) == n:
        return buf
    parts = [buf]
    got = len(buf)
    while got < n:
        chunk = f.read(n - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


class _StreamFile:
    """The file handling both stream directions share."""

    mode = "rb"

    @classmethod
    def open(cls, path, **kw):
        return cls(open(path, cls.mode, buffering=1 << 16), **kw)

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class XdrInputStream(_StreamFile):
    """Reads records from a binary file object.

    `size_limit` (bytes, 0 = none) stops reading at a record larger than it,
    as stellar-core's readOne does.  `hasher` (anything with `update`) sees
    every record's mark and bytes, for files whose hash covers the framing.
    """

    def __init__(self, fileobj, size_limit=0, hasher=None):
        self.f = fileobj
        self.size_limit = size_limit
        self.hasher = hasher
        self.records = 0

    def read_record(self):
        """The next record's bytes, or None at a clean end of the stream."""
        mark = _read_exact(self.f, 4)
        if not mark:
            return None
        if len(mark) < 4:
            raise XdrError(f"record {self.records}: truncated record mark")
        (n,) = _MARK.unpack(mark)
        n &= 0x7FFFFFFF
        if self.size_limit and n > self.size_limit:
            raise XdrError(f"record {self.records}: {n} bytes exceed the limit {self.size_limit}")
        data = _read_exact(self.f, n)
        if len(data) < n:
            raise XdrError(f"record {self.records}: truncated: {len(data)} of {n} bytes")
        if self.hasher is not None:
            self.hasher.update(mark)
            self.hasher.update(data)
        self.records += 1
        return data

    def read_one(self, codec):
        """Decode the next record as `codec` (an XDR class or typedef codec)."""
        data = self.read_record()
        if data is None:
            return None
        try:
            return codec.from_xdr(data)
        except XdrError as e:
            e.push(f"record {self.records - 1}")
            raise

    def __iter__(self):
        while True:
            data = self.read_record()
            if data is None:
                return
            yield data

    def values(self, codec):
        """Iterate over the decoded records."""
        while True:
            v = self.read_one(codec)
            if v is None:
                return
            yield v


class XdrOutputStream(_StreamFile):
    """Writes records to a binary file object (call `flush`/`close` as usual)."""

    def __init__(self, fileobj, hasher=None):
        self.f = fileobj
        self.hasher = hasher
        self.bytes_written = 0
        self.records = 0

    mode = "wb"

    def write_record(self, data):
        n = len(data)
        if n > 0x7FFFFFFF:
            raise XdrError(f"record of {n} bytes is too large to frame")
        mark = _MARK.pack(n | LAST_FRAGMENT)
        self.f.write(mark)
        self.f.write(data)
        if self.hasher is not None:
            self.hasher.update(mark)
            self.hasher.update(data)
        self.bytes_written += 4 + n
        self.records += 1

    def write_one(self, value, codec=None):
        """Encode `value` (with `codec` for typedef values) and write it."""
        self.write_record(value.to_xdr() if codec is None else codec.to_xdr(value))

    def flush(self):
        self.f.flush()


def read_records(data: bytes):
    """All records of an in-memory stream, as a list of bytes."""
    return list(XdrInputStream(io.BytesIO(data)))


def frame(records) -> bytes:
    """An in-memory stream of the given records."""
    out = io.BytesIO()
    w = XdrOutputStream(out)
    for r in records:
        w.write_record(r)
    return out.getvalue()
