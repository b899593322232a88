"""Bad configurations: one ConfigError naming the key, never a traceback.

The messages are stellar-core v25's (src/main/Config.cpp readInt/readBool/
readString/readArray: "invalid 'KEY'", "bad 'KEY'", "'KEY' must be an
array", "invalid element of 'KEY'"; "Unknown configuration entry: 'KEY'").
"""
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from stellarcore.main.config import Config, ConfigError
from stellarcore.main.config_keys import SCALAR_KEYS, SPECIAL_KEYS

VALID_QSET = ('UNSAFE_QUORUM=true\nFAILURE_SAFETY=0\n[QUORUM_SET]\nTHRESHOLD_PERCENT=100\n'
              'VALIDATORS=["GDKXE2OZMJIPOSLNA6N6F2BVCI3O777I2OOC4BV7VOYUEHYX7RTRYA7Y"]\n')


def err(text):
    with pytest.raises(ConfigError) as e:
        Config.from_string(text)
    return str(e.value), e.value.key


@pytest.mark.parametrize("text,message,key", [
    ("FOO=1", "Unknown configuration entry: 'FOO'", "FOO"),
    ("[HTTP]\nPORT=1", "Unknown configuration entry: 'HTTP'", "HTTP"),
    # ARTIFICIALLY_SKIP_CONNECTION_ADJUSTMENT_FOR_TESTING is only in stellar-core's
    # list of testing options, not among the keys it reads
    ("ARTIFICIALLY_SKIP_CONNECTION_ADJUSTMENT_FOR_TESTING=true",
     "Unknown configuration entry", "ARTIFICIALLY_SKIP_CONNECTION_ADJUSTMENT_FOR_TESTING"),
    ('HTTP_PORT="11626"', "invalid 'HTTP_PORT'", "HTTP_PORT"),
    ("HTTP_PORT=true", "invalid 'HTTP_PORT'", "HTTP_PORT"),
    ("HTTP_PORT=11626.0", "invalid 'HTTP_PORT'", "HTTP_PORT"),
    ("HTTP_PORT=70000", "bad 'HTTP_PORT'", "HTTP_PORT"),
    ("HTTP_PORT=-1", "bad 'HTTP_PORT'", "HTTP_PORT"),
    ("PEER_PORT=0", "bad 'PEER_PORT'", "PEER_PORT"),
    ("FAILURE_SAFETY=-2", "bad 'FAILURE_SAFETY'", "FAILURE_SAFETY"),
    ("WORKER_THREADS=1", "bad 'WORKER_THREADS'", "WORKER_THREADS"),
    ("CATCHUP_RECENT=4294967295", "bad 'CATCHUP_RECENT'", "CATCHUP_RECENT"),
    ("TESTING_STARTING_EVICTION_SCAN_LEVEL=11", "bad 'TESTING_STARTING_EVICTION_SCAN_LEVEL'",
     "TESTING_STARTING_EVICTION_SCAN_LEVEL"),
    ('RUN_STANDALONE="true"', "invalid 'RUN_STANDALONE'", "RUN_STANDALONE"),
    ("RUN_STANDALONE=1", "invalid 'RUN_STANDALONE'", "RUN_STANDALONE"),
    ("NETWORK_PASSPHRASE=5", "invalid 'NETWORK_PASSPHRASE'", "NETWORK_PASSPHRASE"),
    ('KNOWN_PEERS="a"', "'KNOWN_PEERS' must be an array", "KNOWN_PEERS"),
    ("KNOWN_PEERS=[1]", "invalid element of 'KNOWN_PEERS'", "KNOWN_PEERS"),
    ("LOADGEN_BYTE_COUNT_FOR_TESTING=[-1]", "bad 'LOADGEN_BYTE_COUNT_FOR_TESTING'",
     "LOADGEN_BYTE_COUNT_FOR_TESTING"),
    ("FLOOD_OP_RATE_PER_LEDGER=0", "bad value for FLOOD_OP_RATE_PER_LEDGER",
     "FLOOD_OP_RATE_PER_LEDGER"),
    ("FLOOD_ARB_TX_DAMPING_FACTOR=1.5", "bad value for FLOOD_ARB_TX_DAMPING_FACTOR",
     "FLOOD_ARB_TX_DAMPING_FACTOR"),
    ("MAX_DEX_TX_OPERATIONS_IN_TX_SET=50", "must be either 0 or at least 102",
     "MAX_DEX_TX_OPERATIONS_IN_TX_SET"),
    ("HISTOGRAM_WINDOW_SIZE=7", "HISTOGRAM_WINDOW_SIZE must divide 300 evenly",
     "HISTOGRAM_WINDOW_SIZE"),
    ("HISTOGRAM_WINDOW_SIZE=0", "HISTOGRAM_WINDOW_SIZE must divide 300 evenly",
     "HISTOGRAM_WINDOW_SIZE"),
    ("TESTING_MINIMUM_PERSISTENT_ENTRY_LIFETIME=5", "MINIMUM_PERSISTENT_ENTRY_LIFETIME",
     "TESTING_MINIMUM_PERSISTENT_ENTRY_LIFETIME"),
    ('DATABASE="postgresql://dbname=stellar user=postgres password=secret"',
     "only SQLite is supported", "DATABASE"),
    ('METADATA_OUTPUT_STREAM="fd:x"', "'fd:N' needs a file descriptor number",
     "METADATA_OUTPUT_STREAM"),
    ("BACKFILL_STELLAR_ASSET_EVENTS=true", "BACKFILL_STELLAR_ASSET_EVENTS requires "
     "EMIT_CLASSIC_EVENTS", "BACKFILL_STELLAR_ASSET_EVENTS"),
    ("PEER_READING_CAPACITY=200", "PEER_READING_CAPACITY must be greater than "
     "PEER_FLOOD_READING_CAPACITY", "PEER_READING_CAPACITY"),
    ("FLOW_CONTROL_SEND_MORE_BATCH_SIZE=300\nPEER_READING_CAPACITY=1000",
     "FLOW_CONTROL_SEND_MORE_BATCH_SIZE can't be greater", "FLOW_CONTROL_SEND_MORE_BATCH_SIZE"),
    ("EXPERIMENTAL_PARALLEL_LEDGER_APPLY=true", "does not support SQLite",
     "EXPERIMENTAL_PARALLEL_LEDGER_APPLY"),
    ("OP_APPLY_SLEEP_TIME_DURATION_FOR_TESTING=[1]", "must be defined together",
     "OP_APPLY_SLEEP_TIME_WEIGHT_FOR_TESTING"),
    ("LOADGEN_BYTE_COUNT_FOR_TESTING=[1]\nLOADGEN_BYTE_COUNT_DISTRIBUTION_FOR_TESTING=[1]",
     "ARTIFICIALLY_GENERATE_LOAD_FOR_TESTING must be set true",
     "ARTIFICIALLY_GENERATE_LOAD_FOR_TESTING"),
    ('NODE_SEED="GDKXE2OZMJIPOSLNA6N6F2BVCI3O777I2OOC4BV7VOYUEHYX7RTRYA7Y"',
     "NODE_SEED: invalid secret seed", "NODE_SEED"),
    ('NODE_SEED="$self"', "aliases only store public keys", "NODE_SEED"),
    ('NODE_NAMES=["GDKXE2OZMJIPOSLNA6N6F2BVCI3O777I2OOC4BV7VOYUEHYX7RTRYA7Y a", '
     '"GCUCJTIYXSOXKBSNFGNFWW5MUQ54HKRPGJUTQFJ5RQXZXNOLNXYDHRAP a"]', "name already used: a",
     "NODE_NAMES"),
    ('NODE_NAMES=["GDKXE2OZMJIPOSLNA6N6F2BVCI3O777I2OOC4BV7VOYUEHYX7RTRYA7Y a", '
     '"GDKXE2OZMJIPOSLNA6N6F2BVCI3O777I2OOC4BV7VOYUEHYX7RTRYA7Y b"]', "naming node twice: b",
     "NODE_NAMES"),
    ('NODE_NAMES=["GBAD a"]', "invalid public key in 'NODE_NAMES'", "NODE_NAMES"),
    ('PREFERRED_PEER_KEYS=["$nobody"]', "unknown key in config: $nobody", "PREFERRED_PEER_KEYS"),
    ('[HISTORY.a]\nget="x"\nfoo="y"', "Unknown HISTORY-table entry: 'foo', within [HISTORY.a]",
     "HISTORY"),
    ('[HISTORY.a]\nget=1', "invalid 'HISTORY.a.get'", "HISTORY.a.get"),
    ('HISTORY="x"', "incomplete HISTORY block", "HISTORY"),
    ("[QUORUM_SET]\nTHRESHOLD_PERCENT=101\nVALIDATORS=[]", "invalid THRESHOLD_PERCENT",
     "QUORUM_SET"),
    ("[QUORUM_SET]\nTHRESHOLD_PERCENT=50", "invalid quorum set definition", "QUORUM_SET"),
    ('[QUORUM_SET]\nVALIDATORS=["$x"]', "unknown key in config: $x", "QUORUM_SET"),
    ("[QUORUM_SET]\nINNER=5", "invalid quorum set, should be a group while parsing 'INNER'",
     "QUORUM_SET"),
    ("QUORUM_SET=5", "invalid entry in quorum set definition", "QUORUM_SET"),
    ('VALIDATORS=["x"]', "malformed VALIDATORS", "VALIDATORS"),
    ('HOME_DOMAINS=[{HOME_DOMAIN="a", QUALITY="HIGH", X=1}]',
     "Unknown field 'X' in HOME_DOMAINS", "HOME_DOMAINS"),
    ('HOME_DOMAINS=[{HOME_DOMAIN="a", QUALITY="HIGH"}, {HOME_DOMAIN="a", QUALITY="LOW"}]',
     "Malformed HOME_DOMAINS: duplicate 'a'", "HOME_DOMAINS"),
    # an empty file: the generated quorum set is empty, so archives cannot block it
    ("", "SCP unsafe: quorum can be reached without validators with an archive",
     "UNSAFE_QUORUM"),
    ("UNSAFE_QUORUM=true", "no validators defined in VALIDATORS/QUORUM_SET", "QUORUM_SET"),
    ("HTTP_PORT = = 1", "TOML syntax error", None),
])
def test_error_names_the_key(text, message, key):
    msg, k = err(text)
    assert message in msg
    assert k == key
    if key is not None and not key.startswith("HISTORY."):
        assert key in msg or key in ("NODE_NAMES", "HISTORY", "QUORUM_SET", "VALIDATORS",
                                     "HOME_DOMAINS")


def test_a_password_in_a_postgres_url_is_not_echoed():
    msg, _ = err('DATABASE="postgresql://dbname=stellar user=postgres password=secret"')
    assert "secret" not in msg and "'postgresql'" in msg


def test_quorum_safety():
    """validateConfig: FAILURE_SAFETY=0 and thresholds under the default need UNSAFE_QUORUM."""
    keys = ["GDKXE2OZMJIPOSLNA6N6F2BVCI3O777I2OOC4BV7VOYUEHYX7RTRYA7Y",
            "GCUCJTIYXSOXKBSNFGNFWW5MUQ54HKRPGJUTQFJ5RQXZXNOLNXYDHRAP",
            "GC2V2EFSXN6SQTWVYA5EPJPBWWIMSD2XQNKUOHGEKB535AQE2I6IXV2Z",
            "GDUTST3TG4MNDLY6WLB5CIASIBZAWWWJKZDHA4HFEVKQOVTYQ2F5GKYZ"]
    # 4 validators at the default 67%: threshold 3, default FAILURE_SAFETY 4 - 3 = 1
    four = f"[QUORUM_SET]\nVALIDATORS={json.dumps(keys)}\n"
    c = Config.from_string(four)
    assert (c.QUORUM_SET.threshold, c.FAILURE_SAFETY) == (3, 1)
    # 3 validators at 67%: threshold 3, FAILURE_SAFETY 0 -> unsafe
    three = f"[QUORUM_SET]\nVALIDATORS={json.dumps(keys[:3])}\n"
    msg, key = err(three)
    assert "SCP unsafe" in msg and key == "FAILURE_SAFETY"
    Config.from_string("UNSAFE_QUORUM=true\n" + three)
    msg, key = err("[QUORUM_SET]\nTHRESHOLD_PERCENT=50\n" f"VALIDATORS={json.dumps(keys)}\n")
    assert "THRESHOLD_PERCENT is too low" in msg and key == "QUORUM_SET"
    msg, key = err("FAILURE_SAFETY=2\n" + four)
    assert "FAILURE_SAFETY incompatible with QUORUM_SET" in msg and key == "FAILURE_SAFETY"


def test_missing_file_and_wrapping(tmp_path):
    with pytest.raises(ConfigError, match="No config file .*nope.cfg found"):
        Config.load(tmp_path / "nope.cfg")
    p = tmp_path / "bad.cfg"
    p.write_text("HTTP_PORT=-5\n" + VALID_QSET)
    with pytest.raises(ConfigError, match=re.escape(f"Failed to parse '{p}' :bad 'HTTP_PORT'")):
        Config.load(p)


def test_every_known_key_reads_its_default():
    """Writing each scalar key's default back is accepted (types and ranges agree)."""
    for key, (kind, default, _lo, _hi, attr) in SCALAR_KEYS.items():
        value = list(default) if isinstance(default, tuple) else default
        if key in ("DATABASE", "UNSAFE_QUORUM", "FAILURE_SAFETY"):
            continue
        text = f"{key}={_toml(value)}\n{VALID_QSET}"
        c = Config.from_string(text)
        if key not in ("MAX_ADDITIONAL_PEER_CONNECTIONS", "MAX_PENDING_CONNECTIONS",
                       "TARGET_PEER_CONNECTIONS"):    # derived by adjust()
            assert getattr(c, attr or key) == value, key


# --- hypothesis: any input is a Config or one ConfigError -------------------

def _toml(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if not isinstance(v, float) or v == v else "nan"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


_names = st.sampled_from(sorted(SCALAR_KEYS) + sorted(SPECIAL_KEYS)
                         + ["THRESHOLD_PERCENT", "NOT_A_KEY", "HOME_DOMAIN", "QUALITY"])
_scalars = st.one_of(st.booleans(), st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1),
                     st.floats(allow_nan=True), st.text(max_size=60),
                     st.sampled_from(["GDKXE2OZMJIPOSLNA6N6F2BVCI3O777I2OOC4BV7VOYUEHYX7RTRYA7Y",
                                      "$self", "@GD", "HIGH", "LOW", "sqlite3://x.db",
                                      "fd:3", "PAYMENT"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_names, inner, max_size=4)), max_leaves=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_names, _values, max_size=6), st.booleans())
def test_random_documents_never_crash(doc, with_qset):
    text = "\n".join(f"{k} = {_toml(v)}" for k, v in doc.items())
    if with_qset and "QUORUM_SET" not in doc and "UNSAFE_QUORUM" not in doc \
            and "FAILURE_SAFETY" not in doc:
        text += "\n" + VALID_QSET
    try:
        Config.from_string(text)
    except ConfigError as e:
        assert str(e)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_random_text_never_crashes(text):
    try:
        Config.from_string(text)
    except ConfigError as e:
        assert str(e)
