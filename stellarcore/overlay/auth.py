"""Peer authentication as stellar-core's overlay/PeerAuth.cpp does it.

Each node has one ephemeral Curve25519 key for all its connections,
certified by its ed25519 node key in an `AuthCert`:
    sig = sign(sha256(networkID || ENVELOPE_TYPE_AUTH || expiration || pubkey))
valid for an hour and refreshed when less than half an hour is left.

Per connection, with A the side that called (WE_CALLED_REMOTE) and B the
acceptor, both derive K = HKDF_extract(X25519(a, B) || A || B) (the
`local_first` rule of crypto.curve25519) and then
    K_AB = HKDF_expand(K, 0x00 || nonce_A || nonce_B)   A's sending key
    K_BA = HKDF_expand(K, 0x01 || nonce_B || nonce_A)   B's sending key
Written from each side's view: the sending key starts with 0 for the
initiator (then local nonce, remote nonce) and 1 for the acceptor (then
local, remote); receiving keys mirror it.
"""
from __future__ import annotations

import struct
import time
from collections import OrderedDict

from stellarcore import xdr
from stellarcore.crypto import curve25519
from stellarcore.crypto.keys import PublicKey, SecretKey
from stellarcore.crypto.sha import hkdf_expand, sha256

EXPIRATION_LIMIT = 3600      # PeerAuth.cpp expirationLimit
ENVELOPE_TYPE_AUTH = 3       # xdr EnvelopeType

WE_CALLED_REMOTE = 0         # Peer::PeerRole
REMOTE_CALLED_US = 1


def cert_hash(network_id: bytes, expiration: int, pubkey: bytes) -> bytes:
    """sha256(XDR(networkID, ENVELOPE_TYPE_AUTH, uint64 expiration, Curve25519Public))."""
    return sha256(bytes(network_id) + struct.pack(">iQ", ENVELOPE_TYPE_AUTH, expiration) + bytes(pubkey))


def make_auth_cert(node_key: SecretKey, network_id: bytes, pubkey: bytes, now: int) -> "xdr.AuthCert":
    expiration = int(now) + EXPIRATION_LIMIT
    sig = node_key.sign(cert_hash(network_id, expiration, pubkey))
    return xdr.AuthCert(pubkey=xdr.Curve25519Public(key=bytes(pubkey)), expiration=expiration, sig=sig)


def sending_mac_key(shared: bytes, local_nonce: bytes, remote_nonce: bytes, role: int) -> bytes:
    prefix = b"\x00" if role == WE_CALLED_REMOTE else b"\x01"
    return hkdf_expand(shared, prefix + bytes(local_nonce) + bytes(remote_nonce))


def receiving_mac_key(shared: bytes, local_nonce: bytes, remote_nonce: bytes, role: int) -> bytes:
    prefix = b"\x01" if role == WE_CALLED_REMOTE else b"\x00"
    return hkdf_expand(shared, prefix + bytes(remote_nonce) + bytes(local_nonce))


class PeerAuth:
    """The node's ECDH key, its cert, and the per-connection MAC keys."""

    SHARED_KEY_CACHE = 0xFFFF

    def __init__(self, node_key: SecretKey, network_id: bytes, clock=time.time,
                 ecdh_secret: bytes | None = None):
        self.node_key = node_key
        self.network_id = bytes(network_id)
        self.clock = clock
        self.ecdh_secret = ecdh_secret if ecdh_secret is not None else curve25519.random_secret()
        self.ecdh_public = curve25519.derive_public(self.ecdh_secret)
        self._cert = make_auth_cert(node_key, self.network_id, self.ecdh_public, self.now())
        self._cache: OrderedDict = OrderedDict()

    def now(self) -> int:
        return int(self.clock())

    def get_auth_cert(self) -> "xdr.AuthCert":
        if self._cert.expiration < self.now() + EXPIRATION_LIMIT // 2:
            self._cert = make_auth_cert(self.node_key, self.network_id, self.ecdh_public, self.now())
        return self._cert

    def verify_remote_auth_cert(self, remote_node: bytes, cert) -> str | None:
        """None when valid, else why not (expired / bad signature)."""
        if cert.expiration < self.now():
            return "auth cert expired"
        h = cert_hash(self.network_id, cert.expiration, cert.pubkey.key)
        if not PublicKey(bytes(remote_node)).verify(bytes(cert.sig), h):
            return "auth cert signature invalid"
        return None

    def shared_key(self, remote_public: bytes, role: int) -> bytes:
        k = (bytes(remote_public), role)
        v = self._cache.get(k)
        if v is None:
            v = curve25519.derive_shared_key(self.ecdh_secret, self.ecdh_public, bytes(remote_public),
                                             role == WE_CALLED_REMOTE)
            self._cache[k] = v
            if len(self._cache) > self.SHARED_KEY_CACHE:
                self._cache.popitem(last=False)
        return v

    def mac_keys(self, remote_public: bytes, local_nonce: bytes, remote_nonce: bytes,
                 role: int) -> tuple[bytes, bytes]:
        """(sending key, receiving key) for one connection."""
        k = self.shared_key(remote_public, role)
        return (sending_mac_key(k, local_nonce, remote_nonce, role),
                receiving_mac_key(k, local_nonce, remote_nonce, role))
