"""StrKey against SEP-23's own test cases (stellar-protocol ecosystem/sep-0023.md,
"Tests") and against stellar-sdk for random keys."""
import os

import pytest

from stellarcore.crypto import strkey
from stellarcore.crypto.strkey import StrKeyError

KEY = bytes.fromhex("3f0c34bf93ad0d9971d04ccc90f705511c838aad9734a4a2fb0d7a03fc7fe89a")
G = "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ"


def test_sep23_valid_cases():
    assert strkey.decode("G", G) == KEY
    assert strkey.decode_muxed("MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUQ") == (KEY, 0)
    assert strkey.decode_muxed("MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAJLK") == \
        (KEY, 9223372036854775808)
    p32 = bytes(range(1, 33))
    assert strkey.decode_signed_payload(
        "PA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAQACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6IBZGM"
    ) == (KEY, p32)
    assert strkey.decode_signed_payload(
        "PA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAOQCAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUAAAAFGBU"
    ) == (KEY, p32[:29])
    assert strkey.decode("C", "CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA") == KEY
    assert strkey.decode("L", "LA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUPJN") == KEY
    assert strkey.decode("B", "BAAD6DBUX6J22DMZOHIEZTEQ64CVCHEDRKWZONFEUL5Q26QD7R76RGR4TU") == b"\0" + KEY


def test_sep23_valid_cases_encode_back():
    assert strkey.encode("G", KEY) == G
    assert strkey.encode_muxed(KEY, 9223372036854775808) == \
        "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAJLK"
    assert strkey.encode_signed_payload(KEY, bytes(range(1, 30))) == \
        "PA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAOQCAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUAAAAFGBU"
    assert strkey.encode("B", b"\0" + KEY) == "BAAD6DBUX6J22DMZOHIEZTEQ64CVCHEDRKWZONFEUL5Q26QD7R76RGR4TU"


SEP23_INVALID = [
    "GAAAAAAAACGC6",
    "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUR",
    "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZA",
    "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUACUSI",
    "G47QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVP2I",
    "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAJLKA",
    "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAAV75I",
    "M47QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUQ",
    "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUK===",
    "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUO",
    "PA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAQACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6IAAAAAAAAPM",
    "PA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAOQCAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4Z2PQ",
    "PA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAOQCAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DXFH6",
    "BAAD6DBUX6J22DMZOHIEZTEQ64CVCHEDRKWZONFEUL5Q26QD7R76RGR4TV",
    "BAAT6DBUX6J22DMZOHIEZTEQ64CVCHEDRKWZONFEUL5Q26QD7R76RGXACA",
]


@pytest.mark.parametrize("text", SEP23_INVALID)
def test_sep23_invalid_cases(text):
    with pytest.raises(StrKeyError):
        strkey.decode_any(text)


@pytest.mark.parametrize("text", [G.lower(), G[:-1] + "A", " " + G, G + "\n", "", "G" * 56])
def test_other_malformed(text):
    with pytest.raises(StrKeyError):
        strkey.decode_any(text)


def test_wrong_kind_rejected():
    with pytest.raises(StrKeyError, match="expected a S strkey"):
        strkey.decode("S", G)


def test_agrees_with_stellar_sdk_on_random_keys():
    sdk = pytest.importorskip("stellar_sdk")
    from stellar_sdk import StrKey
    for _ in range(200):
        k = os.urandom(32)
        assert strkey.encode("G", k) == StrKey.encode_ed25519_public_key(k)
        assert strkey.encode("S", k) == StrKey.encode_ed25519_secret_seed(k)
        assert strkey.encode("T", k) == StrKey.encode_pre_auth_tx(k)
        assert strkey.encode("X", k) == StrKey.encode_sha256_hash(k)
        assert strkey.encode("C", k) == StrKey.encode_contract(k)
        assert strkey.decode("G", StrKey.encode_ed25519_public_key(k)) == k
    assert sdk


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.text(max_size=80), st.text(alphabet=B32 + "=a1", max_size=120)))
def test_any_text_is_a_key_or_one_error(text):
    try:
        kind, payload = strkey.decode_any(text)
    except StrKeyError:
        return
    assert strkey.encode(kind, payload) == text   # only canonical text decodes


@settings(max_examples=2000, deadline=None)
@given(st.sampled_from("GSMTXPCLB"), st.binary(min_size=32, max_size=33), st.data())
def test_mutating_one_character_never_decodes_to_the_same_key(kind, raw, data):
    if kind == "B":
        payload = b"\0" + raw[:32]
    elif kind == "M":
        payload = raw[:32] + b"\1" * 8
    elif kind == "P":
        payload = raw[:32] + b"\0\0\0\4" + raw[:4]
    else:
        payload = raw[:32]
    text = strkey.encode(kind, payload)
    i = data.draw(st.integers(0, len(text) - 1))
    c = data.draw(st.sampled_from(B32).filter(lambda ch: ch != text[i]))
    bad = text[:i] + c + text[i + 1:]
    try:
        assert strkey.decode_any(bad) != (kind, payload)
    except StrKeyError:
        pass
