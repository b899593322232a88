"""Bytes on the wire: record-marked frames and `AuthenticatedMessage` v0.

A frame is a 4-byte big-endian record mark (xdrpp sets the top "last
fragment" bit when writing; stellar-core clears it when reading and never
looks at it) followed by the body.  stellar-core (TCPPeer::getIncomingMsgLength)
drops a peer whose length is 0, above MAX_UNAUTH_MESSAGE_SIZE (0x1000)
before authentication, or above MAX_MESSAGE_SIZE (16 MiB) at any time.

The body is `AuthenticatedMessage` v0:
    uint32 v (=0) | uint64 sequence | StellarMessage | HmacSha256Mac (32 bytes)
so the StellarMessage is exactly body[12:-32].  We build and take apart
that layout by hand (the mac is fixed-size), which is the same bytes as
encoding the whole union and spares one object per message on the hot path.
MAC = HMAC-SHA256(key, XDR(uint64 seq) || XDR(StellarMessage)) (overlay/Hmac.cpp);
HELLO and ERROR_MSG go with sequence 0 and a zero MAC and do not advance
the sending sequence.
"""
from __future__ import annotations

import hmac as _hmac
import struct

MAX_MESSAGE_SIZE = 16 * 1024 * 1024     # Peer.h
MAX_UNAUTH_MESSAGE_SIZE = 0x1000         # TCPPeer.h
HEADER = 4
ZERO_MAC = bytes(32)
_V0 = b"\x00\x00\x00\x00"
_pack_q = struct.Struct(">Q").pack
_pack_mark = struct.Struct(">I").pack
_unpack_q = struct.Struct(">Q").unpack_from
_hmac_digest = _hmac.digest
_compare = _hmac.compare_digest

# MessageType values that are never MAC'd (Hmac::setAuthenticatedMessageBody)
ERROR_MSG = 0
HELLO = 13


class FrameError(Exception):
    """A framing violation; its text is the drop reason."""


class FrameReader:
    """Accumulates received bytes and cuts them into frame bodies."""

    __slots__ = ("_buf", "_pos")

    def __init__(self):
        self._buf = bytearray()
        self._pos = 0

    def feed(self, data) -> None:
        if self._pos and self._pos == len(self._buf):
            self._buf.clear()
            self._pos = 0
        self._buf += data

    def buffered(self) -> int:
        return len(self._buf) - self._pos

    def next_frame(self, authenticated: bool):
        """The next complete body, None if incomplete; FrameError if unacceptable."""
        buf, pos = self._buf, self._pos
        if len(buf) - pos < HEADER:
            return None
        length = ((buf[pos] & 0x7F) << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3]
        if length == 0 or length > MAX_MESSAGE_SIZE or (not authenticated and length > MAX_UNAUTH_MESSAGE_SIZE):
            raise FrameError(f"message size unacceptable: {length}"
                             + ("" if authenticated else " while not authenticated"))
        end = pos + HEADER + length
        if len(buf) < end:
            return None
        body = bytes(buf[pos + HEADER:end])
        if end == len(buf):
            buf.clear()
            self._pos = 0
        else:
            self._pos = end
            if end > 1 << 20:     # compact now and then
                del buf[:end]
                self._pos = 0
        return body


def frame(body: bytes) -> bytes:
    return _pack_mark(0x80000000 | len(body)) + body


def mac_of(key: bytes, seq: int, msg_xdr: bytes) -> bytes:
    return _hmac_digest(key, _pack_q(seq) + msg_xdr, "sha256")


def encode_authenticated(msg_xdr: bytes, seq: int, key: bytes | None) -> bytes:
    """A whole frame for one StellarMessage; key None: unMAC'd (HELLO/ERROR)."""
    if key is None:
        body = _V0 + bytes(8) + msg_xdr + ZERO_MAC
    else:
        s = _pack_q(seq)
        body = _V0 + s + msg_xdr + _hmac_digest(key, s + msg_xdr, "sha256")
    return _pack_mark(0x80000000 | len(body)) + body


class BadAuthenticatedMessage(Exception):
    pass


def split_authenticated(body: bytes):
    """(sequence, message bytes, mac) of an AuthenticatedMessage body."""
    if len(body) < 4 + 8 + 4 + 32:
        raise BadAuthenticatedMessage("received corrupt XDR")
    if body[:4] != _V0:
        raise BadAuthenticatedMessage("received corrupt XDR")
    return _unpack_q(body, 4)[0], body[12:-32], body[-32:]


def message_type_of(msg_xdr: bytes) -> int:
    return int.from_bytes(msg_xdr[:4], "big", signed=True)


class MacState:
    """Per-connection HMAC keys and sequence numbers (overlay/Hmac.cpp)."""

    __slots__ = ("send_key", "recv_key", "send_seq", "recv_seq")

    def __init__(self):
        self.send_key = None
        self.recv_key = None
        self.send_seq = 0
        self.recv_seq = 0

    def set_keys(self, send_key: bytes, recv_key: bytes) -> None:
        if self.send_key is None:
            self.send_key = send_key
        if self.recv_key is None:
            self.recv_key = recv_key

    def seal(self, msg_type: int, msg_xdr: bytes) -> bytes:
        """Frame a message, MAC'ing all but HELLO and ERROR_MSG."""
        if msg_type == HELLO or msg_type == ERROR_MSG:
            return encode_authenticated(msg_xdr, 0, None)
        key = self.send_key if self.send_key is not None else ZERO_MAC
        out = encode_authenticated(msg_xdr, self.send_seq, key)
        self.send_seq += 1
        return out

    def check(self, seq: int, msg_xdr: bytes, mac: bytes) -> str | None:
        """None when the MAC and sequence are right, else the error text."""
        if seq != self.recv_seq:
            return "unexpected auth sequence"
        if self.recv_key is None:
            return "receive mac key is zero"
        if not _compare(mac, _hmac_digest(self.recv_key, _pack_q(seq) + msg_xdr, "sha256")):
            return "unexpected MAC"
        self.recv_seq += 1
        return None
