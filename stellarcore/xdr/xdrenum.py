"""Base of the generated enums: an IntEnum that also encodes itself.

Enum values inside structs and unions are handled by the Cython codec; this
gives a lone enum value the same `to_xdr()` / `from_xdr()` calls every other
XDR type has.
"""
import base64
import struct
from enum import IntEnum

from stellarcore.xdr.errors import XdrError

_I32 = struct.Struct(">i")


class XdrEnum(IntEnum):
    def to_xdr(self):
        return _I32.pack(self)

    def to_xdr_base64(self):
        return base64.b64encode(self.to_xdr()).decode("ascii")

    def encode_into(self, writer):
        writer.write_bytes(self.to_xdr())

    @classmethod
    def from_xdr(cls, data):
        raw = bytes(data)
        if len(raw) != 4:
            what = "truncated input" if len(raw) < 4 else f"{len(raw) - 4} trailing bytes after the value"
            raise XdrError(what, [cls.__name__])
        return cls._member(_I32.unpack(raw)[0])

    @classmethod
    def from_xdr_base64(cls, data):
        try:
            raw = base64.b64decode(data, validate=True)
        except (ValueError, TypeError) as e:
            raise XdrError(f"invalid base64: {e}") from None
        return cls.from_xdr(raw)

    @classmethod
    def decode_from(cls, reader):
        return cls._member(_I32.unpack(reader.read_bytes(4))[0])

    @classmethod
    def _member(cls, v):
        m = cls._value2member_map_.get(v)
        if m is None:
            raise XdrError(f"{v} is not a value of enum {cls.__name__}", [cls.__name__])
        return m
