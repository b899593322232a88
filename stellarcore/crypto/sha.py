"""SHA-256, HMAC-SHA256 and the single-block HKDF stellar-core uses.

As stellar-core's crypto/SHA.cpp: `sha256` and a streaming `SHA256`;
`sub_sha256(seed, counter)` = SHA256(seed || XDR uint64 counter)
(PARITY_TRAPS X6: 8 bytes, big-endian); `xdr_sha256(value)` = SHA-256 of a
value's XDR; HMAC-SHA256 with a constant-time verify; and
`hkdf_extract(ikm)` = HMAC(key = 32 zero bytes, ikm),
`hkdf_expand(key, info)` = HMAC(key, info || 0x01) (one output block), the
forms the overlay handshake derives its MAC keys with.
"""
from __future__ import annotations

import hashlib
import hmac as _hmac
import struct

from stellarcore.crypto.sodium import blake2b_256

ZERO_KEY = bytes(32)


def sha256(data) -> bytes:
    return hashlib.sha256(data).digest()


class SHA256:
    """Streaming SHA-256 (stellar-core's `SHA256` with add/finish)."""

    __slots__ = ("_h", "_done")

    def __init__(self):
        self._h = hashlib.sha256()
        self._done = False

    def add(self, data) -> "SHA256":
        if self._done:
            raise ValueError("SHA256 already finished")
        self._h.update(data)
        return self

    update = add

    def finish(self) -> bytes:
        if self._done:
            raise ValueError("SHA256 already finished")
        self._done = True
        return self._h.digest()

    def reset(self):
        self._h = hashlib.sha256()
        self._done = False


def sub_sha256(seed: bytes, counter: int) -> bytes:
    """SHA-256(seed || uint64 counter, big-endian), as stellar-core's subSha256."""
    return hashlib.sha256(seed + struct.pack(">Q", counter)).digest()


def xdr_sha256(value, codec=None) -> bytes:
    """SHA-256 of the XDR of `value` (a generated type, or any value with `codec`)."""
    return hashlib.sha256(value.to_xdr() if codec is None else codec.to_xdr(value)).digest()


def hmac_sha256(key: bytes, data) -> bytes:
    if len(key) != 32:
        raise ValueError("HMAC-SHA256 key must be 32 bytes")
    return _hmac.new(key, data, hashlib.sha256).digest()


def hmac_sha256_verify(mac: bytes, key: bytes, data) -> bool:
    """Constant-time check of a MAC."""
    return _hmac.compare_digest(mac, hmac_sha256(key, data))


def hkdf_extract(ikm) -> bytes:
    """Unsalted HKDF-extract: HMAC(32 zero bytes, ikm)."""
    return hmac_sha256(ZERO_KEY, ikm)


def hkdf_expand(key: bytes, info) -> bytes:
    """Single-block HKDF-expand: HMAC(key, info || 0x01)."""
    return hmac_sha256(key, bytes(info) + b"\x01")


def blake2(data) -> bytes:
    """BLAKE2b-256 (stellar-core's `BLAKE2`); not used for consensus."""
    return blake2b_256(bytes(data))
