"""Our XDR codec against stellar-sdk's, an independent implementation.

Both are generated from the Stellar `.x` files, by different generators, so
values that encode to the same bytes and read back as the same value on both
sides are strong evidence each got the wire format right.  Values come from
the schema-driven strategies in `strategies.py`: every arm and field, integers
at their extremes, byte strings at their length limits.  Values are compared
field by field (`assert_same_value`), not only as bytes, so swapped fields or
a sign error would show.

stellar-sdk 16.1.1 speaks a slightly newer schema than protocol 25.  Every
difference is an addition on the sdk's side (`SDK_ONLY_ENUM_MEMBERS` and the
union arms they select, checked below against ../shared/xdr), which p25 values
never use, so no arm had to be left out of generation.  Our decoder must
refuse those additions, as stellar-core v25 does.
"""
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings

from stellarcore import xdr
from tests.xdr import strategies
from tests.xdr._helpers import (
    SDK_ONLY_ENUM_MEMBERS, TOP_TYPES, assert_same_value, codec, encode, mutate,
    real_seeds, sdk_type_of, strategy_seeds, texpr_of,
)

# (union, arm xdr name) pairs whose wire format differs between the sdk and
# the p25 schema, never generated.  Empty: every difference is an sdk addition.
SDK_SCHEMA_DIFFERENCES = frozenset()

# More types worth a second implementation's opinion: the ones hashed or
# signed (headers, results, tx sets, auth preimages), config settings, the
# recursive ones, and two typedef codecs.
MORE_TYPES = (
    "LedgerHeader", "LedgerHeaderHistoryEntry", "TransactionResult", "TransactionResultPair",
    "GeneralizedTransactionSet", "TransactionSignaturePayload", "HashIDPreimage",
    "SorobanAuthorizationEntry", "SorobanTransactionData", "ConfigSettingEntry",
    "ClaimPredicate", "SCPQuorumSet", "SCSpecEntry", "LedgerEntryChanges", "SCVec",
)
TYPES = TOP_TYPES + MORE_TYPES

EXAMPLES = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# The sdk's pure-Python decoder takes milliseconds for a kilobytes-big meta:
# fewer examples of the biggest types keep this file fast.
FEWER = {"LedgerCloseMeta": 100, "TransactionMeta": 200, "StellarMessage": 200}


def _run(type_name, body):
    """Run `body(value)` as a hypothesis test over `type_name`'s values."""
    values = strategies.values_of(type_name, SDK_SCHEMA_DIFFERENCES)
    n = FEWER.get(type_name, EXAMPLES.max_examples)
    settings(EXAMPLES, max_examples=n)(given(values)(body))()


@pytest.mark.parametrize("type_name", TYPES)
def test_sdk_reads_our_encoding(type_name):
    """(a) Bytes we write, the sdk decodes to the same value and re-encodes
    to the same bytes."""
    sdk_type = sdk_type_of(type_name)

    def body(value):
        b = encode(type_name, value)
        theirs = sdk_type.from_xdr_bytes(b)
        assert_same_value(texpr_of(type_name), value, theirs)
        assert theirs.to_xdr_bytes() == b

    _run(type_name, body)


@pytest.mark.parametrize("type_name", TYPES)
def test_we_read_sdk_encoding(type_name):
    """(b) Bytes the sdk writes (from a value it decoded), we decode to the
    value we started from and re-encode to the original bytes."""
    sdk_type = sdk_type_of(type_name)
    ours = codec(type_name)

    def body(value):
        original = encode(type_name, value)
        sdk_bytes = sdk_type.from_xdr_bytes(original).to_xdr_bytes()
        decoded = ours.from_xdr(sdk_bytes)
        assert decoded == value
        assert encode(type_name, decoded) == original

    _run(type_name, body)


# ---- every type, every arm: a few examples each, for the types no one thinks
# to list above and the arms a random draw of a big type rarely reaches.

NON_UNION_TYPES = sorted(n for n, spec in xdr.SCHEMA.items() if spec[0] in ("struct", "typedef"))
UNION_TYPES = sorted(n for n, spec in xdr.SCHEMA.items() if spec[0] == "union")


def _both_ways(type_name):
    sdk_type = sdk_type_of(type_name)
    ours = codec(type_name)

    def check(value):
        b = encode(type_name, value)
        theirs = sdk_type.from_xdr_bytes(b)
        assert_same_value(texpr_of(type_name), value, theirs)
        again = theirs.to_xdr_bytes()
        assert again == b
        assert encode(type_name, ours.from_xdr(again)) == b

    return check


@pytest.mark.parametrize("type_name", NON_UNION_TYPES)
def test_every_type_round_trips_through_sdk(type_name):
    values = strategies.values_of(type_name, SDK_SCHEMA_DIFFERENCES)
    settings(EXAMPLES, max_examples=5)(given(values)(_both_ways(type_name)))()


@pytest.mark.parametrize("union_name", UNION_TYPES)
def test_every_union_arm_round_trips_through_sdk(union_name):
    check = _both_ways(union_name)
    for disc in strategies.union_cases(union_name):
        values = strategies.arm_values(union_name, disc, SDK_SCHEMA_DIFFERENCES)
        settings(EXAMPLES, max_examples=3)(given(values)(check))()


# ---- the schema differences

def test_sdk_only_enum_members_are_the_whole_difference():
    """Our enums are the sdk's minus exactly SDK_ONLY_ENUM_MEMBERS."""
    found = {}
    for name, spec in xdr.SCHEMA.items():
        if spec[0] != "enum":
            continue
        ours = dict(spec[1])
        theirs = {m.name: int(m) for m in sdk_type_of(name)}
        assert {k: theirs.get(k) for k in ours} == ours, f"{name} differs beyond additions"
        extra = set(theirs.values()) - set(ours.values())
        if extra:
            found[name] = extra
    assert found == SDK_ONLY_ENUM_MEMBERS


def test_sdk_only_enum_members_are_not_protocol_25(shared):
    """None of the sdk's additions appears in the p25 `.x` files."""
    text = "\n".join(p.read_text() for p in sorted(shared("xdr").glob("*.x")))
    for enum_name, values in SDK_ONLY_ENUM_MEMBERS.items():
        assert re.search(rf"\benum {enum_name}\b", text), enum_name
        added = [m.name for m in sdk_type_of(enum_name) if int(m) in values]
        assert added and not [n for n in added if re.search(rf"\b{n}\b", text)], added


def _u32(n):
    return (n & 0xFFFFFFFF).to_bytes(4, "big")


# Encodings only the sdk's newer schema accepts.
SDK_ONLY = {
    "SCVal": _u32(22) + _u32(3) + b"abc\0",                 # SCV_EXECUTABLE_TAG
    "ConfigSettingEntry": _u32(17) + _u32(0),               # CONFIG_SETTING_FROZEN_LEDGER_KEYS
    "TransactionResult": bytes(8) + _u32(-18) + _u32(0),    # txFROZEN_KEY_ACCESSED
    "ClaimClaimableBalanceResult": _u32(-6),                # ..._TRUSTLINE_FROZEN
    "StellarValueExt": _u32(2) + bytes(64) + _u32(25)       # STELLAR_VALUE_EMPTY_TX_SET
    + _u32(0) + bytes(32) + _u32(0),
}


@pytest.mark.parametrize("type_name", sorted(SDK_ONLY))
def test_sdk_only_values_are_refused(type_name):
    b = SDK_ONLY[type_name]
    assert sdk_type_of(type_name).from_xdr_bytes(b).to_xdr_bytes() == b
    with pytest.raises(xdr.XdrError, match="no arm for discriminant|not a value of enum"):
        codec(type_name).from_xdr(b)


# ---- mutated input: what each side accepts

MUTATED_INPUTS = 3000

# Where the sdk is laxer than xdrpp (and us): it reads any nonzero bool or
# optional flag as true and ignores padding bytes.
SDK_LAXER = re.compile(r"bool must be 0 or 1|nonzero padding bytes")
ENUM_REFUSAL = re.compile(r"(-?\d+) is not a value of enum (\w+)|union (\w+) has no arm for discriminant (-?\d+)")


def _refusal_is_an_sdk_addition(reason):
    m = ENUM_REFUSAL.search(reason)
    if not m:
        return False
    if m.group(2):
        value, enum_name = int(m.group(1)), m.group(2)
    else:
        spec = xdr.SCHEMA[m.group(3)]
        if spec[3][0] != "enum":
            return False
        value, enum_name = int(m.group(4)), spec[3][1]
    return value in SDK_ONLY_ENUM_MEMBERS.get(enum_name, ())


@pytest.mark.parametrize("type_name", TOP_TYPES)
def test_mutated_inputs_agree_with_sdk(type_name):
    """On mutated encodings, we accept nothing the sdk refuses, read what we
    both accept the same way, and refuse what only the sdk accepts for a
    known reason only (its laxness, or its newer schema)."""
    rng = random.Random(f"sdk-{type_name}")
    seeds = strategy_seeds(type_name) + list(real_seeds(type_name))
    ours_t, sdk_t = codec(type_name), sdk_type_of(type_name)
    for _ in range(MUTATED_INPUTS):
        data = mutate(rng, rng.choice(seeds), seeds)
        try:
            ours, refusal = ours_t.from_xdr(data), None
        except xdr.XdrError as e:
            ours, refusal = None, e.reason
        try:
            theirs = sdk_t.from_xdr_bytes(data)
        except Exception:   # the sdk raises ValueError, struct.error, xdrlib3 errors...
            theirs = None
        if ours is not None:
            assert theirs is not None, f"we accept what the sdk refuses: {data.hex()}"
            assert_same_value(texpr_of(type_name), ours, theirs)
        elif theirs is not None:
            assert SDK_LAXER.search(refusal) or _refusal_is_an_sdk_addition(refusal), \
                f"only the sdk accepts {data.hex()}; we said: {refusal}"
