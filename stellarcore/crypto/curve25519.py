"""Curve25519 key agreement as the overlay handshake uses it
(stellar-core crypto/Curve25519.cpp), and sealed boxes for surveys.

The shared key of two peers is HKDF-extract(q || publicA || publicB) where
q is the X25519 shared point and A is the side that called first
(`local_first`), so both peers derive the same key.
"""
from __future__ import annotations

import os

from nacl import bindings as _nb
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey as _NaclPublicKey, SealedBox

from stellarcore.crypto.sha import hkdf_extract


def random_secret() -> bytes:
    return os.urandom(32)


def derive_public(secret: bytes) -> bytes:
    return _nb.crypto_scalarmult_base(bytes(secret))


def derive_shared_key(local_secret: bytes, local_public: bytes, remote_public: bytes,
                      local_first: bool) -> bytes:
    """The 32-byte HMAC key both sides of a connection agree on."""
    if len(remote_public) != 32:
        raise ValueError("a curve25519 public key is 32 bytes")
    try:
        q = _nb.crypto_scalarmult(bytes(local_secret), bytes(remote_public))
    except CryptoError:
        raise ValueError("could not derive a shared key (invalid remote key)") from None
    a, b = (local_public, remote_public) if local_first else (remote_public, local_public)
    return hkdf_extract(q + bytes(a) + bytes(b))


def encrypt(remote_public: bytes, plaintext: bytes) -> bytes:
    """A sealed box for `remote_public` (crypto_box_seal)."""
    return SealedBox(_NaclPublicKey(bytes(remote_public))).encrypt(bytes(plaintext))


def decrypt(local_secret: bytes, encrypted: bytes) -> bytes:
    """Open a sealed box (crypto_box_seal_open); ValueError if it does not open."""
    try:
        return SealedBox(PrivateKey(bytes(local_secret))).decrypt(bytes(encrypted))
    except CryptoError:
        raise ValueError("curve25519 decryption failed") from None
