"""Keys and signatures, against stellar-sdk (an independent implementation)."""
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stellarcore.crypto import strkey
from stellarcore.crypto.keys import PublicKey, SecretKey, signature_hint

sdk = pytest.importorskip("stellar_sdk")
from stellar_sdk import Keypair, MuxedAccount, StrKey  # noqa: E402
from stellar_sdk.exceptions import BadSignatureError  # noqa: E402


def test_keys_agree_with_sdk():
    for _ in range(50):
        seed = os.urandom(32)
        ours, theirs = SecretKey(seed), Keypair.from_raw_ed25519_seed(seed)
        assert ours.strkey_seed() == theirs.secret
        assert ours.strkey_public() == theirs.public_key
        assert SecretKey.from_strkey_seed(theirs.secret) == ours
        assert ours.public_key.hint() == theirs.signature_hint()


def test_signatures_verify_both_ways():
    for _ in range(50):
        seed, msg = os.urandom(32), os.urandom(os.urandom(1)[0])
        ours, theirs = SecretKey(seed), Keypair.from_raw_ed25519_seed(seed)
        sig = ours.sign(msg)
        assert sig == theirs.sign(msg)                 # ed25519 is deterministic
        theirs.verify(msg, sig)                        # raises if bad
        assert ours.public_key.verify(theirs.sign(msg), msg)


def test_tampering_is_rejected():
    key = SecretKey.random()
    msg = b"pay 10 XLM"
    sig = key.sign(msg)
    pk = key.public_key
    assert pk.verify(sig, msg)
    assert not pk.verify(sig, msg + b"0")
    assert not pk.verify(bytes([sig[0] ^ 1]) + sig[1:], msg)
    assert not SecretKey.random().public_key.verify(sig, msg)
    assert not pk.verify(sig[:63], msg)                 # wrong size: invalid, no error
    theirs = Keypair.from_public_key(pk.strkey())
    with pytest.raises(BadSignatureError):
        theirs.verify(msg + b"0", sig)


def test_muxed_contract_signed_payload_strkeys_agree_with_sdk():
    for i in range(100):
        k = os.urandom(32)
        mux_id = int.from_bytes(os.urandom(8), "big")
        m = strkey.encode_muxed(k, mux_id)
        theirs = MuxedAccount(StrKey.encode_ed25519_public_key(k), mux_id)
        assert m == theirs.account_muxed
        assert strkey.decode_muxed(theirs.account_muxed) == (k, mux_id)
        c = StrKey.encode_contract(k)
        assert strkey.encode("C", k) == c and strkey.decode("C", c) == k
        payload = os.urandom(1 + i % 64)
        p = strkey.encode_signed_payload(k, payload)
        sdk_raw = k + len(payload).to_bytes(4, "big") + payload + b"\0" * (-len(payload) % 4)
        assert p == StrKey.encode_ed25519_signed_payload(sdk_raw)
        assert StrKey.decode_ed25519_signed_payload(p) == sdk_raw
        assert strkey.decode_signed_payload(p) == (k, payload)


def test_hint_is_the_last_four_bytes():
    assert signature_hint(bytes(range(32))) == bytes([28, 29, 30, 31])


def test_secret_never_printed():
    key = SecretKey.random()
    assert key.strkey_seed() not in repr(key)


@settings(max_examples=2000, deadline=None)
@given(st.binary(min_size=0, max_size=80), st.binary(min_size=0, max_size=80), st.binary(max_size=64))
def test_fuzzed_signatures_and_keys_never_crash(pk, sig, msg):
    """Any bytes as key and signature: a bool (or a ValueError for a key of
    the wrong size), never a crash."""
    try:
        r = PublicKey(pk).verify(sig, msg)
    except ValueError:
        assert len(pk) != 32
        return
    assert r in (True, False)
    if len(sig) != 64:
        assert r is False
