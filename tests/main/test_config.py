"""Configuration files, checked against stellar-core v25's own files and tests.

The shared configs are stellar-core's docs/*.cfg (../shared/testdata/configs);
the scenarios are src/main/test/ConfigTests.cpp (TEST_CASEs named below).
The network ID is checked with stellar-sdk.
"""
import hashlib

import pytest
from stellar_sdk import Keypair, Network

from stellarcore import xdr
from stellarcore.crypto import strkey
from stellarcore.main.command_handler import styled
from stellarcore.main.config import STANDALONE_PASSPHRASE, Config, ConfigError
from stellarcore.main.config_quorum import CRITICAL, HIGH, LOW, MEDIUM
from tests.conftest import shared_path

UINT64_MAX = (1 << 64) - 1
SDF_TESTNET = ["GDKXE2OZMJIPOSLNA6N6F2BVCI3O777I2OOC4BV7VOYUEHYX7RTRYA7Y",
               "GCUCJTIYXSOXKBSNFGNFWW5MUQ54HKRPGJUTQFJ5RQXZXNOLNXYDHRAP",
               "GC2V2EFSXN6SQTWVYA5EPJPBWWIMSD2XQNKUOHGEKB535AQE2I6IXV2Z"]


def cfg_file(name):
    return shared_path("testdata", "configs", name)


def g(key: bytes) -> str:
    return strkey.encode("G", key)


# --- "load example configs": every file stellar-core ships loads ----------

def test_standalone_cfg():
    c = Config.load(cfg_file("stellar-core_standalone.cfg"))
    assert (c.HTTP_PORT, c.PUBLIC_HTTP_PORT, c.RUN_STANDALONE) == (8080, False, True)
    assert c.NETWORK_PASSPHRASE == "Test SDF Network ; September 2015"
    assert c.network_id == Network(c.NETWORK_PASSPHRASE).network_id()
    seed = "SDQVDISRYN2JXBS7ICL7QJAEKB3HWBJFP2QECXG7GZICAHBK4UNJCWK2"
    assert c.NODE_SEED.strkey_public() == Keypair.from_secret(seed).public_key
    assert c.VALIDATOR_NAMES == {c.NODE_SEED.strkey_public(): "self"}
    assert c.NODE_IS_VALIDATOR and c.FORCE_SCP
    assert c.DATABASE == "sqlite3://stellar.db" and c.sqlite_path == "stellar.db"
    assert c.COMMANDS == ["ll?level=debug"]
    assert (c.FAILURE_SAFETY, c.UNSAFE_QUORUM) == (0, True)
    assert c.QUORUM_SET == xdr.SCPQuorumSet(threshold=1, validators=[c.NODE_SEED.public_key.to_xdr_key()])
    assert c.quorum_json() == {"t": 1, "v": ["self"]}


def test_testnet_cfg():
    c = Config.load(cfg_file("stellar-core_testnet.cfg"))
    assert not c.NODE_IS_VALIDATOR and not c.FORCE_SCP
    assert c.HTTP_PORT == 11626
    # one home domain, HIGH: a simple majority of its three validators
    assert c.QUORUM_SET.threshold == 2
    assert sorted(g(v.ed25519) for v in c.QUORUM_SET.validators) == sorted(SDF_TESTNET)
    assert c.KNOWN_PEERS == [f"core-testnet{i}.stellar.org" for i in (1, 2, 3)]
    assert sorted(c.HISTORY) == ["sdftest1", "sdftest2", "sdftest3"]
    h = c.HISTORY["sdftest2"]
    assert h.get_cmd == ("curl -sf http://history.stellar.org/prd/core-testnet/core_testnet_002/"
                         "{0} -o {1}") and h.put_cmd == "" and h.mkdir_cmd == ""
    assert c.FAILURE_SAFETY == 1            # 3 top-level entries - threshold 2
    assert c.VALIDATOR_WEIGHT_CONFIG is None  # not a validator


def test_testnet_validator_cfg():
    c = Config.load(cfg_file("stellar-core_testnet_validator.cfg"))
    assert c.NODE_IS_VALIDATOR and c.NODE_HOME_DOMAIN == "example.com"
    # self (MEDIUM) nests under the HIGH testnet org: {2, [{2,[sdf x3]}, self]}
    assert c.quorum_json() == {"t": 2, "v": ["self", {"t": 2, "v": ["sdftest2", "sdftest3",
                                                                      "sdftest1"]}]}
    vwc = c.VALIDATOR_WEIGHT_CONFIG
    assert len(vwc.validator_entries) == 4
    assert vwc.quality_weights == {HIGH: UINT64_MAX, MEDIUM: UINT64_MAX // 20, LOW: 0}


def test_example_cfg():
    c = Config.load(cfg_file("stellar-core_example.cfg"))
    assert c.LOG_FILE_PATH == "stellar-core-{datetime:%Y-%m-%d_%H-%M-%S}.log"
    assert (c.HISTOGRAM_WINDOW_SIZE, c.BUCKET_DIR_PATH, c.ENTRY_CACHE_SIZE) == (30, "buckets", 100000)
    assert (c.HTTP_MAX_CLIENT, c.HTTP_QUERY_PORT, c.QUERY_THREAD_POOL_SIZE) == (128, 0, 4)
    assert c.QUERY_SNAPSHOT_LEDGERS == 5
    assert c.COMMANDS == ["ll?level=info&partition=Herder"]
    assert c.is_production_network
    assert c.resolve_node_id("$eliza") == strkey.decode(
        "G", "GA22N4YGO7IJDRF2SISA5KHULGYYKDXBQGYIWUVNMSNHF5G2DNBKP3M5")
    assert c.VALIDATOR_NAMES["GCDENOCHA6TQL6DFC4FS54HIH7RP7XR7VZCQZFANMGLT2WXJ7D7KGV2P"] == "hal9000"
    assert (c.FLOOD_OP_RATE_PER_LEDGER, c.FLOOD_ARB_TX_DAMPING_FACTOR) == (1.0, 0.8)
    assert c.MAX_DEX_TX_OPERATIONS_IN_TX_SET is None          # 0 means "no limit"
    assert c.PREFERRED_PEERS == ["127.0.0.1:7000", "127.0.0.1:8000"]
    assert len(c.PREFERRED_PEER_KEYS) == 3 and len(c.SURVEYOR_KEYS) == 2
    assert c.resolve_node_id("$optional_common_name") in c.PREFERRED_PEER_KEYS
    # KNOWN_PEERS from the key, then the validators' ADDRESSes
    assert c.KNOWN_PEERS == [f"core-testnet{i}.stellar.org" for i in (1, 2, 3)] * 2
    assert c.HISTORY["local"].put_cmd == "cp {0} /var/lib/stellar-core/history/vs/{1}"
    assert len(c.HISTORY) == 4
    assert c.INVARIANT_CHECKS[0] == "AccountSubEntriesCountIsValid" and len(c.INVARIANT_CHECKS) == 6
    assert c.MAXIMUM_LEDGER_CLOSETIME_DRIFT == 70
    assert c.OUTBOUND_TX_QUEUE_BYTE_LIMIT == 3145728
    assert c.TESTING_STARTING_EVICTION_SCAN_LEVEL == 6
    assert c.EXCLUDE_TRANSACTIONS_CONTAINING_OPERATION_TYPE == []
    # adjust(): MAX_ADDITIONAL_PEER_CONNECTIONS -1 -> 8 * TARGET_PEER_CONNECTIONS
    assert c.MAX_ADDITIONAL_PEER_CONNECTIONS == 64
    assert c.MAX_OUTBOUND_PENDING_CONNECTIONS + c.MAX_INBOUND_PENDING_CONNECTIONS >= c.MAX_PENDING_CONNECTIONS


def test_example_validators_cfg_generated_quorum():
    """TEST_CASE("load validators config"): the generated quorum set, printed
    by Config::toString, is exactly stellar-core's expected text."""
    c = Config.load(cfg_file("stellar-core_example_validators.cfg"))
    expected = """{
   "t" : 4,
   "v" : [
      {
         "t" : 3,
         "v" : [
            {
               "t" : 4,
               "v" : [
                  "i1",
                  "j1",
                  {
                     "t" : 3,
                     "v" : [
                        "h1",
                        "f1",
                        "g1",
                        {
                           "t" : 2,
                           "v" : [ "e1", "e2", "e3" ]
                        }
                     ]
                  },
                  {
                     "t" : 2,
                     "v" : [ "d2", "d1" ]
                  },
                  {
                     "t" : 2,
                     "v" : [ "c2", "c1" ]
                  }
               ]
            },
            {
               "t" : 2,
               "v" : [ "K1", "K2", "K3" ]
            },
            {
               "t" : 2,
               "v" : [ "a2", "a3", "a1" ]
            },
            {
               "t" : 2,
               "v" : [ "b1", "b2", "b3" ]
            }
         ]
      },
      {
         "t" : 2,
         "v" : [ "N3", "N1", "N2" ]
      },
      {
         "t" : 2,
         "v" : [ "L3", "L1", "L2" ]
      },
      {
         "t" : 2,
         "v" : [ "M1", "M2", "M3" ]
      }
   ]
}
"""
    assert styled(c.quorum_json()) == expected
    assert len(c.KNOWN_PEERS) == 13
    assert len(c.PREFERRED_PEERS) == 2          # the 2 other "domainA" validators
    assert len(c.HISTORY) == 20


def test_example_validators_weight_config():
    """TEST_CASE("load validators config") SECTION("VALIDATOR_WEIGHT_CONFIG")."""
    c = Config.load(cfg_file("stellar-core_example_validators.cfg"))
    vwc = c.VALIDATOR_WEIGHT_CONFIG
    assert len(vwc.validator_entries) == 30
    e2 = vwc.validator_entries[strkey.decode("G", "GCBEPQHP3D42OHQMA54NRF3E4BAJ6T7NZP7Q7URI2VWNQDJPXTDA3SBJ")]
    assert (e2.name, e2.home_domain, e2.quality, e2.has_history) == ("e2", "domainE", LOW, False)
    d1 = vwc.validator_entries[strkey.decode("G", "GDD3QN464732BXOZ7UZ43I5KR76X5YPNCUZMUCI4HJXRYQL4EJR6QAZL")]
    assert (d1.name, d1.home_domain, d1.quality, d1.has_history) == ("d1", "domainD", MEDIUM, False)
    me = vwc.validator_entries[c.node_id]
    assert (me.name, me.home_domain, me.quality, me.has_history) == ("self", "domainA", HIGH, False)
    assert vwc.home_domain_sizes == {
        "domainA": 3, "domainB": 3, "domainC": 2, "domainD": 2, "domainE": 3, "domainF": 1,
        "domainG": 1, "domainH": 1, "domainI": 1, "domainJ": 1, "domainK": 3, "domainL": 3,
        "domainM": 3, "domainN": 3}
    assert vwc.quality_weights == {LOW: 0, MEDIUM: UINT64_MAX // 1600, HIGH: UINT64_MAX // 40,
                                   CRITICAL: UINT64_MAX}


# --- TEST_CASE("resolve node id") ------------------------------------------

@pytest.fixture
def named():
    c = Config()
    for i, k in enumerate(SDF_TESTNET, 1):
        c.VALIDATOR_NAMES[k] = f"core-testnet{i}"
    return c


@pytest.mark.parametrize("text,expected", [
    ("", None), ("@", None), ("$", None),
    ("@GD", [SDF_TESTNET[0]]), ("@gd", None), ("@GC", SDF_TESTNET[1:]),
    ("$core-testnet1", [SDF_TESTNET[0]]), ("$CORE-TESTNET1", None), ("$core", None),
    (SDF_TESTNET[0], [SDF_TESTNET[0]]), ("GDKXE2OZMJIPOSLNA6N6F2BVCI3O7", None),
    (SDF_TESTNET[0].lower(), None),
    ("SDTTOKJOEJXDBLATFZNTQRVA5MSCECMPOPC7CCCGL6AE5DKA7YCBJYJQ", None),
    ("TDTTOKJOEJXDBLATFZNTQRVA5MSCECMPOPC7CCCGL6AE5DKA7YCBJYJQ", None),
])
def test_resolve_node_id(named, text, expected):
    k = named.resolve_node_id(text)
    if expected is None:
        assert k is None
    else:
        assert g(k) in expected


# --- TEST_CASE("bad validators configs") -----------------------------------

BAD_VALIDATORS_PATTERN = """
NODE_SEED="SA7FGJMMUIHNE3ZPI2UO5I632A7O5FBAZTXFAIEVFA4DSSGLHXACLAIT a3"
{NODE_HOME_DOMAIN}
NODE_IS_VALIDATOR=true
EXPERIMENTAL_PARALLEL_LEDGER_APPLY=false
[[HOME_DOMAINS]]
HOME_DOMAIN="domainA"
QUALITY="HIGH"
[[HOME_DOMAINS]]
HOME_DOMAIN="domainB"
QUALITY="HIGH"
[[HOME_DOMAINS]]
HOME_DOMAIN="domainC"
QUALITY="MEDIUM"
[[HOME_DOMAINS]]
QUALITY="HIGH"
HOME_DOMAIN="domainE"
[[HOME_DOMAINS]]
QUALITY="LOW"
HOME_DOMAIN="domainF"
[[VALIDATORS]]
NAME="a1"
{A1_HOME_DOMAIN}
PUBLIC_KEY="GDUTST3TG4MNDLY6WLB5CIASIBZAWWWJKZDHA4HFEVKQOVTYQ2F5GKYZ"
{A1_QUALITY}
{A1_HISTORY}
[[VALIDATORS]]
NAME="a2"
HOME_DOMAIN="domainA"
PUBLIC_KEY="GBVZFVEARURUJTN5ABZPKW36FHKVJK2GHXEVY2SZCCNU5I3CQMTZ3OES"
HISTORY="curl a2"
[[VALIDATORS]]
NAME="b1"
HOME_DOMAIN="domainB"
PUBLIC_KEY="GCWA2U5S4EL4NJDU2FS4UUMNMUDUBCGGYEEY2DMOOLKT74AZR6RKWSMG"
HISTORY="curl b1"
[[VALIDATORS]]
NAME="b2"
HOME_DOMAIN="domainB"
PUBLIC_KEY="GDKL7ZSRR65GTILCE3BNO6XPCPAPGVYIMO3NIWSR6E7YS52KTJY6ZJL5"
HISTORY="curl b2"
[[VALIDATORS]]
NAME="b3"
HOME_DOMAIN="domainB"
PUBLIC_KEY="GDXSTS4LLXNPIA4YWRGMZZU625CLVUNIZQJYXMKBF2K6K4EXGANW46CJ"
HISTORY="curl b3"
[[VALIDATORS]]
NAME="K1"
HOME_DOMAIN="domainK"
QUALITY="HIGH"
PUBLIC_KEY="GBM2Y4JYEPVF2LAQ7KFOE6WBFOQLVVJETYRMIZYNSEGV6LNETOZHYXET"
HISTORY="curl k1"
[[VALIDATORS]]
NAME="K2"
HOME_DOMAIN="domainK"
QUALITY="HIGH"
PUBLIC_KEY="GBPD75VDOJVGMTTHTTU7NZ5DLGPKWAS3D7ZPQYCODTUKLE6N6JDWFECH"
HISTORY="curl k2"
[[VALIDATORS]]
NAME="K3"
HOME_DOMAIN="domainK"
QUALITY="HIGH"
PUBLIC_KEY="GBSGVVDQZ2JEHEQUYY5PLUZNSULTAKAVWIPA4J4ADRHAPFPKSZWZ3UVW"
ADDRESS="3.k"
HISTORY="curl k3"
[[VALIDATORS]]
NAME="c1"
HOME_DOMAIN="domainC"
PUBLIC_KEY="GDDKZKC6I4QHFJFIHQCET7FDOYK6B4D7FXCNCIJNI6REKOQZTQTKOZ7N"
HISTORY="curl c1"
{OTHER_VALIDATORS}
"""

BAD_VALIDATORS_OTHER = """
[[VALIDATORS]]
NAME="e1"
HOME_DOMAIN="domainE"
PUBLIC_KEY="GAU3H4KHUR54GWNHUJLEKT25RX6NVOZZGB55MLFWHWDFSP6H3QCQSMOA"
HISTORY="curl e1"
[[VALIDATORS]]
NAME="e2"
HOME_DOMAIN="domainE"
PUBLIC_KEY="GCBEPQHP3D42OHQMA54NRF3E4BAJ6T7NZP7Q7URI2VWNQDJPXTDA3SBJ"
HISTORY="curl e2"
[[VALIDATORS]]
NAME="e3"
HOME_DOMAIN="domainE"
PUBLIC_KEY="GDQ3GWCV4UH72MYZU5OCYVQCMIKMMKS6SWCI2OIRAIAISS5KCQCJTG37"
HISTORY="curl e3"
[[VALIDATORS]]
NAME="g1"
HOME_DOMAIN="domainG"
{QUALITY_G}
ADDRESS="1.g"
PUBLIC_KEY="GCWD2OTEJXLIDSOFSTWDPM5IDY27ZGEXIUIBGGA45Q2VXGQ2QAEBG7ZS"
"""

NHD, HD, HIST, QUAL_G = ('NODE_HOME_DOMAIN="domainA"', 'HOME_DOMAIN="domainA"',
                         'HISTORY="curl a1"', 'QUALITY="LOW"')


@pytest.mark.parametrize("name,nhd,hd,hist,a1_quality,other,qual_g,error", [
    ("sanity check", NHD, HD, HIST, "", BAD_VALIDATORS_OTHER, QUAL_G, None),
    ("sanity check", NHD, HD, HIST, "", "", "", None),
    ("missing NODE_HOME_DOMAIN", "", HD, HIST, "", BAD_VALIDATORS_OTHER, QUAL_G,
     "NODE_HOME_DOMAIN must be set"),
    ("missing HOME_DOMAIN", NHD, "", HIST, "", BAD_VALIDATORS_OTHER, QUAL_G,
     "malformed VALIDATORS entry 'a1'"),
    ("HIGH must have archive", NHD, HD, "", "", BAD_VALIDATORS_OTHER, QUAL_G,
     "critical and high quality must have an archive"),
    ("quality already defined", NHD, HD, HIST, 'QUALITY="HIGH"', BAD_VALIDATORS_OTHER, QUAL_G,
     "quality already defined in home domain 'domainA'"),
    ("need 3 for HIGH", 'NODE_HOME_DOMAIN="domainAA"', HD, HIST, "", BAD_VALIDATORS_OTHER,
     QUAL_G, "no matching HOME_DOMAINS"),
    ("unknown quality", NHD, HD, HIST, "", BAD_VALIDATORS_OTHER, 'QUALITY="OTHER"',
     "Unknown QUALITY 'OTHER'"),
    ("missing quality", NHD, HD, HIST, "", BAD_VALIDATORS_OTHER, "", "(missing quality)"),
])
def test_bad_validators_configs(name, nhd, hd, hist, a1_quality, other, qual_g, error):
    text = (BAD_VALIDATORS_PATTERN.replace("{NODE_HOME_DOMAIN}", nhd)
            .replace("{A1_HOME_DOMAIN}", hd).replace("{A1_HISTORY}", hist)
            .replace("{A1_QUALITY}", a1_quality)
            .replace("{OTHER_VALIDATORS}", other.replace("{QUALITY_G}", qual_g)))
    if error is None:
        Config.from_string(text)
    else:
        with pytest.raises(ConfigError, match=_re(error)):
            Config.from_string(text)


def _re(s):
    import re
    return re.escape(s)


# --- TEST_CASE("nesting level") ----------------------------------------------

def _node_seed_public(i):
    from stellarcore.crypto.keys import SecretKey
    return SecretKey(hashlib.sha256(f"NODE_SEED_{i}".encode()).digest()).strkey_public()


@pytest.mark.parametrize("nesting", range(10))
def test_nesting_level(nesting):
    text = "UNSAFE_QUORUM=true"
    section = ""
    for level in range(nesting + 1):
        text += (f'\n[QUORUM_SET{section}]\nTHRESHOLD_PERCENT=50\nVALIDATORS=[\n'
                 f'"{_node_seed_public(level * 2)} {chr(65 + level * 2)}",\n'
                 f'"{_node_seed_public(level * 2 + 1)} {chr(65 + level * 2 + 1)}"\n]\n')
        section += ".1"
    if nesting <= 4:                      # MAXIMUM_QUORUM_NESTING_LEVEL
        c = Config.from_string(text)
        # ceil(entries * 50%): 2 validators -> 1; 2 validators + an inner set -> 2
        assert c.QUORUM_SET.threshold == (1 if nesting == 0 else 2)
        assert len(c.QUORUM_SET.validators) == 2
    else:
        with pytest.raises(ConfigError, match="too many levels in quorum set"):
            Config.from_string(text)


# --- TEST_CASE("operation filter configuration") ---------------------------

@pytest.mark.parametrize("ops", [[t] for t in xdr.OperationType]
                         + [list(reversed(xdr.OperationType))[:7], []])
def test_operation_filter(ops):
    names = ", ".join(f'"{o.name}"' for o in ops)
    c = Config.from_string(
        f'UNSAFE_QUORUM=true\nEXCLUDE_TRANSACTIONS_CONTAINING_OPERATION_TYPE=[{names}]\n'
        f'[QUORUM_SET]\nTHRESHOLD_PERCENT=100\nVALIDATORS=["{_node_seed_public(0)} A"]\n')
    assert c.EXCLUDE_TRANSACTIONS_CONTAINING_OPERATION_TYPE == list(ops)


def test_operation_filter_unknown_name():
    with pytest.raises(ConfigError, match="invalid element of 'EXCLUDE_TRANSACTIONS"):
        Config.from_string('EXCLUDE_TRANSACTIONS_CONTAINING_OPERATION_TYPE=["PAYMENTS"]')


# --- "reject all low quality validators config", "skip validator checks" ---

LOW_OR_SKIP = """
NODE_SEED="SA7FGJMMUIHNE3ZPI2UO5I632A7O5FBAZTXFAIEVFA4DSSGLHXACLAIT a3"
NODE_HOME_DOMAIN="domain"
NODE_IS_VALIDATOR=true
UNSAFE_QUORUM=true
{EXTRA}
[[HOME_DOMAINS]]
HOME_DOMAIN="domain"
QUALITY="{QUALITY}"
[[VALIDATORS]]
NAME="a1"
HOME_DOMAIN="domain"
PUBLIC_KEY="GDUTST3TG4MNDLY6WLB5CIASIBZAWWWJKZDHA4HFEVKQOVTYQ2F5GKYZ"
[[VALIDATORS]]
NAME="a2"
HOME_DOMAIN="domain"
PUBLIC_KEY="GBVZFVEARURUJTN5ABZPKW36FHKVJK2GHXEVY2SZCCNU5I3CQMTZ3OES"
"""


def test_reject_all_low_quality_validators():
    with pytest.raises(ConfigError, match="At least one validator must have a quality level "
                                          "higher than LOW"):
        Config.from_string(LOW_OR_SKIP.replace("{EXTRA}", "").replace("{QUALITY}", "LOW"))


def test_skip_validator_checks():
    text = LOW_OR_SKIP.replace("{EXTRA}", "SKIP_HIGH_CRITICAL_VALIDATOR_CHECKS_FOR_TESTING=true")
    c = Config.from_string(text.replace("{QUALITY}", "HIGH"))
    assert c.QUORUM_SET.threshold == 2 and len(c.QUORUM_SET.validators) == 3
    with pytest.raises(ConfigError, match="must have an archive"):
        Config.from_string(LOW_OR_SKIP.replace("{EXTRA}", "").replace("{QUALITY}", "HIGH"))


# --- the default standalone configuration ---------------------------------

def test_default_standalone_persists_its_identity(tmp_path):
    a = Config.default_standalone(tmp_path / "data")
    b = Config.default_standalone(tmp_path / "data")
    assert a.NODE_SEED == b.NODE_SEED
    assert (tmp_path / "data" / "node-seed").stat().st_mode & 0o777 == 0o600
    assert a.NETWORK_PASSPHRASE == STANDALONE_PASSPHRASE == "Standalone Network ; February 2017"
    assert a.network_id == Network(STANDALONE_PASSPHRASE).network_id()
    assert a.RUN_STANDALONE and a.NODE_IS_VALIDATOR and not a.MANUAL_CLOSE
    assert a.QUORUM_SET == xdr.SCPQuorumSet(threshold=1, validators=[a.NODE_SEED.public_key.to_xdr_key()])
    assert a.DATABASE == f"sqlite3://{tmp_path / 'data' / 'stellar.db'}"
    assert a.BUCKET_DIR_PATH == str(tmp_path / "data" / "buckets")
    assert a.HTTP_PORT == 11626 and not a.PUBLIC_HTTP_PORT
    a.check_for_node()
    c = Config.default_standalone(tmp_path / "other")
    assert c.NODE_SEED != a.NODE_SEED


def test_default_standalone_refuses_a_bad_seed_file(tmp_path):
    (tmp_path / "node-seed").write_text("not a seed\n")
    with pytest.raises(ConfigError, match="not a secret seed"):
        Config.default_standalone(tmp_path)
