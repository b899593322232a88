"""StrKey: Stellar's base32 text form of keys and hashes (SEP-23).

    version byte (kind << 3) || payload || CRC16-XModem(little-endian), base32

Decoding is strict, as SEP-23 and stellar-core require: uppercase only, no
`=` padding, the exact length of the kind, zero unused trailing bits (a
canonical encoding: re-encoding gives back the same text), a matching
checksum, and a payload of the right form for its kind.
"""
from __future__ import annotations

import base64
import binascii
import struct

# kind letter -> (version number, description)
KINDS = {
    "G": 6,    # ed25519 public key
    "S": 18,   # ed25519 secret seed
    "M": 12,   # muxed account: ed25519 key + uint64 id
    "T": 19,   # pre-authorized transaction hash
    "X": 23,   # sha256 hash (hash-x signer)
    "P": 15,   # ed25519 signed payload
    "C": 2,    # contract id
    "L": 11,   # liquidity pool id
    "B": 1,    # claimable balance id (type byte + hash)
}
_KIND_OF_VERSION = {v << 3: k for k, v in KINDS.items()}

_FIXED_LEN = {"G": 32, "S": 32, "T": 32, "X": 32, "C": 32, "L": 32, "M": 40, "B": 33}
MAX_SIGNED_PAYLOAD = 64


class StrKeyError(ValueError):
    """A string that is not a valid StrKey of the expected kind."""


def crc16_xmodem(data: bytes) -> int:
    """CRC16-XModem (polynomial 0x1021, initial value 0), as binascii computes it."""
    return binascii.crc_hqx(data, 0)


def _check_payload(kind: str, payload: bytes) -> None:
    n = _FIXED_LEN.get(kind)
    if n is not None:
        if len(payload) != n:
            raise StrKeyError(f"{kind} strkey payload must be {n} bytes, got {len(payload)}")
        if kind == "B" and payload[0] != 0:
            raise StrKeyError("claimable balance strkey has an unknown id type")
        return
    if kind == "P":
        # ed25519 key (32) || XDR opaque<64>: uint32 length, data, zero padding
        if len(payload) < 36:
            raise StrKeyError("signed payload strkey too short")
        (ln,) = struct.unpack(">I", payload[32:36])
        if ln == 0 or ln > MAX_SIGNED_PAYLOAD:
            raise StrKeyError(f"signed payload length {ln} out of range 1..{MAX_SIGNED_PAYLOAD}")
        padded = (ln + 3) & ~3
        if len(payload) != 36 + padded:
            raise StrKeyError("signed payload strkey has the wrong length")
        if any(payload[36 + ln:]):
            raise StrKeyError("signed payload strkey has nonzero padding")
        return
    raise StrKeyError(f"unknown strkey kind {kind!r}")


def encode(kind: str, payload: bytes) -> str:
    """Encode `payload` as a StrKey of `kind` ("G", "S", "M", ...)."""
    if kind not in KINDS:
        raise StrKeyError(f"unknown strkey kind {kind!r}")
    payload = bytes(payload)
    _check_payload(kind, payload)
    body = bytes([KINDS[kind] << 3]) + payload
    body += struct.pack("<H", crc16_xmodem(body))
    return base64.b32encode(body).decode("ascii").rstrip("=")


def decode_any(text: str) -> tuple[str, bytes]:
    """Decode a StrKey of any kind: returns (kind letter, payload)."""
    if not isinstance(text, str):
        raise StrKeyError("a strkey must be a string")
    if not text or not text.isascii() or not text.isalnum() or text != text.upper():
        raise StrKeyError("strkey must be uppercase base32 without padding")
    if len(text) % 8 in (1, 3, 6):
        raise StrKeyError("strkey has an impossible base32 length")
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except binascii.Error:
        raise StrKeyError("strkey is not valid base32") from None
    if len(raw) < 3:
        raise StrKeyError("strkey too short")
    body, crc = raw[:-2], raw[-2:]
    if struct.pack("<H", crc16_xmodem(body)) != crc:
        raise StrKeyError("strkey checksum mismatch")
    kind = _KIND_OF_VERSION.get(body[0])
    if kind is None:
        raise StrKeyError(f"unknown strkey version byte {body[0]}")
    payload = body[1:]
    _check_payload(kind, payload)
    # unused trailing bits must be zero: only the canonical text decodes
    if base64.b32encode(raw).decode("ascii").rstrip("=") != text:
        raise StrKeyError("strkey is not canonically encoded")
    return kind, payload


def decode(kind: str, text: str) -> bytes:
    """Decode a StrKey that must be of `kind`; returns its payload."""
    got, payload = decode_any(text)
    if got != kind:
        raise StrKeyError(f"expected a {kind} strkey, got a {got} strkey")
    return payload


# ---- convenience forms of the composite kinds

def encode_muxed(ed25519: bytes, mux_id: int) -> str:
    """M... from a key and a 64-bit id (payload: key || big-endian id)."""
    return encode("M", bytes(ed25519) + struct.pack(">Q", mux_id))


def decode_muxed(text: str) -> tuple[bytes, int]:
    payload = decode("M", text)
    return payload[:32], struct.unpack(">Q", payload[32:])[0]


def encode_signed_payload(ed25519: bytes, payload: bytes) -> str:
    n = len(payload)
    body = bytes(ed25519) + struct.pack(">I", n) + bytes(payload) + b"\0" * (-n % 4)
    return encode("P", body)


def decode_signed_payload(text: str) -> tuple[bytes, bytes]:
    body = decode("P", text)
    (n,) = struct.unpack(">I", body[32:36])
    return body[:32], body[36:36 + n]
