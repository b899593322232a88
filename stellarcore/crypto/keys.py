"""Ed25519 keys as stellar-core's SecretKey and PublicKey use them.

Signing and raw verification go to libsodium (crypto/sodium.pyx);
`PublicKey.verify` goes through the process-wide verification cache
(crypto/verify.pyx).  The deterministic keys stellar-core's tests use are
here too: `SecretKey.for_test_account(name)` (txtest::getAccount: the name
padded with '.' to 32 bytes is the seed) and `SecretKey.root(network_id)`
(the network's root account: the network ID is the seed).
"""
from __future__ import annotations

import os

from stellarcore import xdr
from stellarcore.crypto import sodium, strkey
from stellarcore.crypto.verify import verify_sig


def signature_hint(ed25519: bytes) -> bytes:
    """The last 4 bytes of a key (SignatureUtils::getHint)."""
    return bytes(ed25519[-4:])


class PublicKey:
    """An ed25519 public key (32 bytes)."""

    __slots__ = ("ed25519",)

    def __init__(self, ed25519: bytes):
        ed25519 = bytes(ed25519)
        if len(ed25519) != 32:
            raise ValueError("an ed25519 public key is 32 bytes")
        self.ed25519 = ed25519

    @classmethod
    def from_strkey(cls, text: str) -> "PublicKey":
        return cls(strkey.decode("G", text))

    @classmethod
    def from_xdr_key(cls, pk: "xdr.PublicKey") -> "PublicKey":
        return cls(pk.ed25519)

    def strkey(self) -> str:
        return strkey.encode("G", self.ed25519)

    def to_xdr_key(self) -> "xdr.PublicKey":
        return xdr.PublicKey(ed25519=self.ed25519)

    def hint(self) -> bytes:
        return signature_hint(self.ed25519)

    def verify(self, signature: bytes, message) -> bool:
        """Check a signature (cached process-wide)."""
        return verify_sig(self.ed25519, bytes(signature), message)

    def __eq__(self, other):
        return isinstance(other, PublicKey) and other.ed25519 == self.ed25519

    def __hash__(self):
        return hash(self.ed25519)

    def __repr__(self):
        return f"PublicKey({self.strkey()})"


class SecretKey:
    """An ed25519 secret key, kept as its 32-byte seed."""

    __slots__ = ("_seed", "_sk", "public_key")

    def __init__(self, seed: bytes):
        seed = bytes(seed)
        if len(seed) != 32:
            raise ValueError("an ed25519 seed is 32 bytes")
        pk, sk = sodium.seed_keypair(seed)
        self._seed = seed
        self._sk = sk
        self.public_key = PublicKey(pk)

    @classmethod
    def from_seed(cls, seed: bytes) -> "SecretKey":
        return cls(seed)

    @classmethod
    def random(cls) -> "SecretKey":
        return cls(os.urandom(32))

    @classmethod
    def from_strkey_seed(cls, text: str) -> "SecretKey":
        return cls(strkey.decode("S", text))

    @classmethod
    def for_test_account(cls, name: str) -> "SecretKey":
        """stellar-core's txtest::getAccount(name)."""
        seed = name.encode()
        if len(seed) > 32:
            raise ValueError("test account names are at most 32 bytes")
        return cls(seed.ljust(32, b"."))

    @classmethod
    def root(cls, network_id: bytes) -> "SecretKey":
        """The root account of a network: the network ID is the seed."""
        return cls(network_id)

    @property
    def seed(self) -> bytes:
        return self._seed

    def strkey_seed(self) -> str:
        return strkey.encode("S", self._seed)

    def strkey_public(self) -> str:
        return self.public_key.strkey()

    def sign(self, message) -> bytes:
        """A 64-byte ed25519 signature of `message`."""
        return sodium.sign_detached(self._sk, message)

    def sign_decorated(self, message) -> "xdr.DecoratedSignature":
        return xdr.DecoratedSignature(hint=self.public_key.hint(), signature=self.sign(message))

    def __eq__(self, other):
        return isinstance(other, SecretKey) and other._seed == self._seed

    def __hash__(self):
        return hash(self._seed)

    def __repr__(self):
        return f"SecretKey(public={self.public_key.strkey()})"  # never the seed
