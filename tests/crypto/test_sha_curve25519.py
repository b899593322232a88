"""Hashes and key agreement against published test vectors."""
import hashlib

import pytest

from stellarcore.crypto import curve25519
from stellarcore.crypto.sha import (SHA256, blake2, hkdf_expand, hkdf_extract, hmac_sha256,
                                    hmac_sha256_verify, sha256, sub_sha256)


def test_sha256_vectors():
    # FIPS 180-2 appendix B.1
    assert sha256(b"abc").hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    h = SHA256().add(b"a").add(b"bc")
    assert h.finish() == sha256(b"abc")
    with pytest.raises(ValueError):
        h.finish()


def test_sub_sha256_appends_a_big_endian_uint64():
    """PARITY_TRAPS X6: SHA256(seed || XDR uint64 counter)."""
    assert sub_sha256(b"seed", 1) == hashlib.sha256(b"seed" + b"\0" * 7 + b"\1").digest()


def test_hkdf_rfc5869_case3():
    """RFC 5869 test case 3: SHA-256, no salt (HashLen zeros), empty info."""
    ikm = b"\x0b" * 22
    prk = hkdf_extract(ikm)
    assert prk.hex() == "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04"
    okm = hkdf_expand(prk, b"")
    assert okm.hex() == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"


def test_hmac_verify_is_strict():
    key = b"k" * 32
    mac = hmac_sha256(key, b"msg")
    assert hmac_sha256_verify(mac, key, b"msg")
    assert not hmac_sha256_verify(mac, key, b"msh")
    assert not hmac_sha256_verify(mac[:-1] + bytes([mac[-1] ^ 1]), key, b"msg")
    with pytest.raises(ValueError):
        hmac_sha256(b"short", b"msg")


def test_blake2_is_blake2b_256():
    assert blake2(b"") == hashlib.blake2b(b"", digest_size=32).digest()


def test_x25519_rfc7748():
    """RFC 7748 section 6.1."""
    a = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    b = bytes.fromhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
    assert curve25519.derive_public(a).hex() == \
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
    assert curve25519.derive_public(b).hex() == \
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
    pa, pb = curve25519.derive_public(a), curve25519.derive_public(b)
    # both sides derive the same key; the order of the publics is the caller's
    ka = curve25519.derive_shared_key(a, pa, pb, local_first=True)
    kb = curve25519.derive_shared_key(b, pb, pa, local_first=False)
    shared = bytes.fromhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
    assert ka == kb == hkdf_extract(shared + pa + pb)


def test_sealed_box_round_trip_and_tamper():
    sec = curve25519.random_secret()
    pub = curve25519.derive_public(sec)
    box = curve25519.encrypt(pub, b"survey data")
    assert curve25519.decrypt(sec, box) == b"survey data"
    with pytest.raises(ValueError):
        curve25519.decrypt(sec, box[:-1] + bytes([box[-1] ^ 1]))
    with pytest.raises(ValueError):
        curve25519.decrypt(curve25519.random_secret(), box)
