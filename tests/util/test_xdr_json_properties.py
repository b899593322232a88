"""Properties of the JSON form over schema-generated values, and fuzzing of
JSON input (JSON arrives from users and files: any document must end as a
value or one JsonFormError)."""
import copy
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stellarcore import xdr
from stellarcore.util import xdr_json
from stellarcore.util.xdr_json import JsonFormError
from tests.xdr.strategies import values_of

TYPES = ["LedgerEntry", "LedgerKey", "TransactionEnvelope", "TransactionMeta", "SCVal",
         "SCPEnvelope", "BucketEntry", "StellarMessage", "LedgerCloseMeta", "ConfigSettingEntry",
         "TransactionResult", "LedgerEntryChanges"]

PROPS = settings(max_examples=120, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("type_name", TYPES)
def test_json_is_a_fixpoint(type_name):
    """value -> JSON -> value -> JSON gives the same JSON and the same XDR bytes,
    except where stellar-core's rendering is lossy (documented in xdr_json)."""
    codec = xdr.lookup(type_name)

    @PROPS
    @given(values_of(type_name))
    def check(value):
        j = xdr_json.to_json(value, type_name)
        text = json.dumps({type_name: j})
        back = xdr_json.loads(text, type_name)
        assert xdr_json.to_json(back, type_name) == j
        if not _lossy(j):
            assert codec.to_xdr(back) == codec.to_xdr(value)

    check()


def _lossy(j):
    """True if the JSON holds a form that stellar-core's rendering can't tell
    apart: asset codes (AlphaNum4 vs 12, NUL cut), bare 64-hex strings that
    may be an SCAddress claimable balance id, or an Asset printed INVALID."""
    if isinstance(j, dict):
        if "assetCode" in j:
            return True
        return any(_lossy(v) for v in j.values())
    if isinstance(j, list):
        return any(_lossy(v) for v in j)
    return isinstance(j, str) and (j == "INVALID" or len(j) == 64)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "v", "v0", "v1", "v2", "code", "sym", "u32", "vec", "ext",
                         "ledgerHeader", "header", "hash", "tx", "x"]), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(TYPES), JSON)
def test_random_json_is_a_value_or_one_error(type_name, doc):
    try:
        xdr_json.from_json(doc, type_name)
    except JsonFormError:
        pass


def _mutate(doc, rng):
    """Change one node of a JSON document: drop a key, retype or bend a value."""
    nodes = []

    def walk(o):
        if isinstance(o, dict):
            for k in o:
                nodes.append((o, k))
                walk(o[k])
        elif isinstance(o, list):
            for i in range(len(o)):
                nodes.append((o, i))
                walk(o[i])
    walk(doc)
    if not nodes:
        return doc
    parent, key = rng.choice(nodes)
    choice = rng.randrange(6)
    if choice == 0 and isinstance(parent, dict):
        del parent[key]
    elif choice == 1:
        parent[key] = rng.choice([None, True, -1, 2**64, "x", "NATIVE", [], {}])
    elif choice == 2 and isinstance(parent[key], int) and not isinstance(parent[key], bool):
        parent[key] = parent[key] + rng.choice([-1, 1, 2**32, -2**63])
    elif choice == 3 and isinstance(parent[key], str):
        s = parent[key]
        parent[key] = s[:-1] if rng.random() < 0.5 else s + "A"
    elif choice == 4 and isinstance(parent, dict):
        parent[key + "x"] = parent[key]
    else:
        parent[key] = copy.deepcopy(rng.choice(nodes)[0])
    return doc


def test_mutated_real_meta_json(shared):
    docs = [json.loads(p.read_text()) for p in sorted(
        shared("testdata", "ledger-close-meta").glob("*.json"))]
    rng = random.Random(51)
    outcomes = {"value": 0, "error": 0}
    for i in range(600):
        doc = _mutate(copy.deepcopy(docs[i % len(docs)]), rng)
        try:
            xdr_json.from_json(doc, "LedgerCloseMeta")
            outcomes["value"] += 1
        except JsonFormError:
            outcomes["error"] += 1
    assert outcomes["error"] > 0 and outcomes["value"] > 0
