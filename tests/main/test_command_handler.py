"""The admin HTTP commands against stellar-core v25's CommandHandler.cpp,
ApplicationImpl::getJsonInfo and docs/software/commands.md (routes, texts,
parameters, JSON shapes), with a small fake Application (the interface of
the issue notes).  Transactions and results are built with stellar-sdk.
"""
import base64
import json
from urllib.parse import quote

import pytest
from hypothesis import given, settings, strategies as st
from stellar_sdk import Account, Keypair, TransactionBuilder
from stellar_sdk.xdr import TransactionEnvelope as SdkEnvelope

from stellarcore import xdr
from stellarcore.main.command_handler import (
    LOG_PARTITIONS, WELCOME_HTML, CommandHandler, fast, styled,
)
from stellarcore.main.config import Config

PASSPHRASE = "Test SDF Network ; September 2015"
SEED = "SDQVDISRYN2JXBS7ICL7QJAEKB3HWBJFP2QECXG7GZICAHBK4UNJCWK2"


# --- a fake Application ---------------------------------------------------

class FakeLedgerManager:
    def __init__(self, seq=7, version=25, flags=0):
        ext = xdr.LedgerHeaderExt(v=1, v1=xdr.LedgerHeaderExtensionV1(flags=flags)) if flags \
            else xdr.LedgerHeaderExt(v=0)
        header = xdr.LedgerHeader(ledgerVersion=version, ledgerSeq=seq, baseFee=100,
                                  baseReserve=100000000, maxTxSetSize=1000,
                                  scpValue=xdr.StellarValue(closeTime=1_700_000_000), ext=ext)
        self.last_closed = xdr.LedgerHeaderHistoryEntry(hash=bytes(range(32)), header=header)

    def state_name(self):
        return "Synced!"

    def seconds_since_last_ledger_close(self):
        return 3

    def last_closed_has(self):
        return {"currentBuckets": [{"curr": "00" * 32, "snap": "11" * 32, "next": {"state": 0}}]}


class FakeUpgrades:
    def to_json(self):
        return "{}"


class FakeHerder:
    def __init__(self):
        self.received, self.reply = [], ("PENDING", None)
        self.closes, self.upgrade_params = [], None
        self.upgrades = FakeUpgrades()

    def recv_transaction(self, env):
        self.received.append(env)
        return self.reply

    def manual_close(self, close_time=None, ledger_seq=None):
        self.closes.append((close_time, ledger_seq))
        return f"Manually closed ledger with sequence number {ledger_seq or 8} and closeTime 0"

    def set_upgrades(self, params):
        self.upgrade_params = params

    def state_name(self):
        return "HERDER_TRACKING_NETWORK_STATE"

    def tracking_consensus_ledger_index(self):
        return 7

    def get_json_quorum_info(self, node, summary, full_keys, index):
        return {"node": "self", "qset": {"agree": 1, "ledger": index, "phase": "EXTERNALIZE"}}

    def get_json_info(self, limit, full_keys):
        return {"you": "self", "scp": {}, "queue": None, "limit": limit}

    def get_json_transitive_quorum_info(self, node, summary, full_keys):
        return {"nodes": [{"node": "self"}]}

    def get_upgrades_json(self):
        return self.upgrades.to_json()


class FakeApp:
    def __init__(self, standalone=True, **lm):
        cfg = Config()
        cfg.NETWORK_PASSPHRASE = PASSPHRASE
        from stellarcore.crypto.keys import SecretKey
        cfg.NODE_SEED = SecretKey.from_strkey_seed(SEED)
        cfg.VALIDATOR_NAMES[cfg.NODE_SEED.strkey_public()] = "self"
        cfg.RUN_STANDALONE = standalone
        cfg.NODE_IS_VALIDATOR = True
        cfg.MANUAL_CLOSE = True
        self.config = cfg
        self.ledger_manager = FakeLedgerManager(**lm)
        self.herder = FakeHerder()
        self.overlay = None
        self.database = self.bucket_manager = self.clock = None


def get(handler, target, body=""):
    return handler.handle(target, body)


@pytest.fixture
def app():
    return FakeApp()


@pytest.fixture
def h(app):
    return CommandHandler(app)


def sdk_envelope(v0=False):
    kp = Keypair.from_secret(SEED)
    tx = (TransactionBuilder(Account(kp.public_key, 1), PASSPHRASE, base_fee=100, v1=not v0)
          .append_bump_sequence_op(5).set_timeout(0).build())
    tx.sign(kp)
    return tx.to_xdr()


# --- routing (http::server::handle_request) --------------------------------

def test_unknown_command_is_the_welcome_page(h):
    assert get(h, "/nope") == (404, "text/html", WELCOME_HTML)
    assert get(h, "/") == (404, "text/html", WELCOME_HTML)


def test_malformed_escape_is_bad_request(h):
    assert get(h, "/info%4")[0] == 400
    assert get(h, "/info%zz")[0] == 400


def test_standalone_has_no_network_routes(app):
    h = CommandHandler(app)
    for cmd in ("peers", "quorum", "scp", "bans", "connect", "droppeer", "unban"):
        assert get(h, f"/{cmd}")[0] == 404, cmd
    h2 = CommandHandler(FakeApp(standalone=False))
    for cmd in ("peers", "quorum", "scp", "bans"):
        assert get(h2, f"/{cmd}")[0] == 200, cmd


# --- /info ------------------------------------------------------------------

def test_info_shape(h):
    status, ctype, text = get(h, "/info")
    assert (status, ctype) == (200, "application/json")
    assert text.endswith("}\n") and text.startswith("{\n   \"info\" : {")
    info = json.loads(text)["info"]
    # ApplicationImpl::getJsonInfo's members (no status / flags / invariant failures here)
    assert set(info) == {"build", "protocol_version", "state", "ledger", "peers", "network",
                         "quorum"}
    assert info["protocol_version"] == 25 and info["state"] == "Synced!"
    assert info["network"] == PASSPHRASE
    assert info["ledger"] == {"num": 7, "hash": bytes(range(32)).hex(), "closeTime": 1_700_000_000,
                              "version": 25, "baseFee": 100, "baseReserve": 100000000,
                              "maxTxSetSize": 1000, "age": 3}
    assert info["peers"] == {"pending_count": 0, "authenticated_count": 0}
    # quorum of the ledger before the tracked one (7 - 1)
    assert info["quorum"]["qset"]["ledger"] == 6


def test_info_flags_and_verbose():
    h = CommandHandler(FakeApp(flags=1))
    info = json.loads(get(h, "/info?compact=false")[2])["info"]
    assert info["ledger"]["flags"] == 1
    assert info["ledger"]["bucketlist"] == [{"curr": "00" * 32, "snap": "11" * 32}]
    info = json.loads(get(h, "/info")[2])["info"]
    assert "bucketlist" not in info["ledger"]


# --- /tx ----------------------------------------------------------------------

def test_tx_pending_is_fast_writer_json(app, h):
    blob = sdk_envelope()
    status, ctype, text = get(h, "/tx?blob=" + quote(blob, safe=""))
    assert text == '{"status":"PENDING"}\n'
    env = app.herder.received[0]
    assert env.to_xdr() == base64.b64decode(blob)


def test_tx_error_carries_the_result(app, h):
    result = xdr.TransactionResult(feeCharged=100, result=xdr.TransactionResultResult(
        code=xdr.TransactionResultCode.txBAD_SEQ))
    app.herder.reply = ("ERROR", result)
    # '=' padding is dropped by parseParams; the decoder does not need it
    doc = json.loads(get(h, "/tx?blob=" + quote(sdk_envelope().rstrip("="), safe=""))[2])
    assert doc["status"] == "ERROR"
    assert xdr.TransactionResult.from_xdr(base64.b64decode(doc["error"])) == result
    assert set(doc) == {"status", "error"}


@pytest.mark.parametrize("status", ["DUPLICATE", "TRY_AGAIN_LATER", "FILTERED"])
def test_tx_other_statuses(app, h, status):
    app.herder.reply = (status, None)
    assert json.loads(get(h, "/tx?blob=" + quote(sdk_envelope(), safe=""))[2]) == {"status": status}


def test_tx_v0_envelope_is_converted_to_v1(app, h):
    blob = sdk_envelope(v0=True)
    assert SdkEnvelope.from_xdr(blob).type.value == 0
    get(h, "/tx?blob=" + quote(blob, safe=""))
    env = app.herder.received[0]
    assert env.type == xdr.EnvelopeType.ENVELOPE_TYPE_TX
    # the signature still verifies: same hash as the v0 form (CAP-15)
    kp = Keypair.from_secret(SEED)
    from stellarcore.crypto.txhash import contents_hash, network_id
    h_v1 = contents_hash(env, network_id(PASSPHRASE))
    assert kp.verify(h_v1, env.v1.signatures[0].signature) is None


def test_tx_raw_plus_is_a_space(app, h):
    """server::url_decode turns an unescaped '+' into ' ', which the base64
    decoder skips: a blob with a raw '+' is corrupted, as in stellar-core."""
    blob = sdk_envelope(v0=True)
    assert "+" in blob
    assert "exception" in json.loads(get(h, "/tx?blob=" + blob)[2])
    assert app.herder.received == []


def test_tx_errors(h):
    assert json.loads(get(h, "/tx")[2]) == {
        "exception": "Must specify a tx blob: tx?blob=<tx in xdr format>"}
    doc = json.loads(get(h, "/tx?blob=AAAA")[2])
    assert list(doc) == ["exception"]


# --- /manualclose --------------------------------------------------------------

def test_manualclose(app, h):
    assert get(h, "/manualclose")[2].startswith("Manually closed ledger")
    assert app.herder.closes == [(None, None)]
    get(h, "/manualclose?ledgerSeq=9&closeTime=1700000100")
    assert app.herder.closes[-1] == (1700000100, 9)
    assert json.loads(get(h, "/manualclose?ledgerSeq=x")[2]) == {
        "exception": "Failed to parse 'ledgerSeq' argument"}
    assert json.loads(get(h, "/manualclose?ledgerSeq=4294967296")[2]) == {
        "exception": "Failed to parse 'ledgerSeq' argument"}


def test_manualclose_parameters_need_standalone():
    app = FakeApp(standalone=False)
    doc = json.loads(get(CommandHandler(app), "/manualclose?ledgerSeq=9")[2])
    assert doc == {"exception": "The 'manualclose' command accepts parameters only if the "
                                "configuration includes RUN_STANDALONE=true."}
    assert app.herder.closes == []


# --- /ll, /metrics, /clearmetrics, /logrotate, /maintenance --------------------

def test_ll(h):
    doc = json.loads(get(h, "/ll")[2])
    assert list(doc) == sorted(LOG_PARTITIONS) and len(doc) == 15
    assert json.loads(get(h, "/ll?level=DEBUG")[2]) == {"Global": "Debug"}
    assert json.loads(get(h, "/ll")[2])["Herder"] == "Debug"
    assert json.loads(get(h, "/ll?level=error&partition=herder")[2]) == {"Herder": "Error"}
    assert json.loads(get(h, "/ll")[2])["Herder"] == "Error"
    assert json.loads(get(h, "/ll?level=info&partition=nope")[2]) == {
        "exception": "not a valid partition"}
    get(h, "/ll?level=info")


def test_small_commands(h):
    assert json.loads(get(h, "/metrics")[2]) == {"metrics": {}}
    assert get(h, "/clearmetrics?domain=scp")[2] == "Cleared scp metrics!"
    assert get(h, "/clearmetrics")[2] == "Cleared  metrics!"
    assert get(h, "/logrotate")[2] == "Log rotate..."
    assert get(h, "/maintenance")[2] == "No work performed"
    assert get(h, "/maintenance?queue=true")[2] == "Done"


# --- /upgrades ------------------------------------------------------------------

def test_upgrades(app, h):
    assert get(h, "/upgrades")[2] == "mode required"
    assert get(h, "/upgrades?mode=x")[2] == "Unknown mode: x"
    assert get(h, "/upgrades?mode=get")[2] == "{}"
    assert get(h, "/upgrades?mode=set&upgradetime=soon")[2] == \
        "could not parse upgradetime: 'soon'"
    get(h, "/upgrades?mode=set&upgradetime=2024-01-01T00:00:00Z&basefee=200&protocolversion=25")
    p = app.herder.upgrade_params
    assert p["upgrade_time"] == 1704067200
    assert (p["base_fee"], p["protocol_version"], p["base_reserve"]) == (200, 25, None)
    get(h, "/upgrades?mode=clear")
    assert app.herder.upgrade_params == {}
    assert json.loads(get(h, "/upgrades?mode=set&upgradetime=2024-01-01T00:00:00Z&basefee=-1")
                      [2]) == {"exception": "Failed to parse 'basefee' argument"}


# --- network routes ------------------------------------------------------------------

def test_network_routes_without_peers():
    h = CommandHandler(FakeApp(standalone=False))
    # jsoncpp prints an element nothing was appended to as null
    assert json.loads(get(h, "/peers")[2]) == {
        "authenticated_peers": {"inbound": None, "outbound": None},
        "pending_peers": {"inbound": None, "outbound": None}}
    assert json.loads(get(h, "/quorum")[2])["node"] == "self"
    assert json.loads(get(h, "/quorum?node=$nobody")[2]) == {"exception": "unknown name"}
    assert json.loads(get(h, "/quorum?transitive=true")[2]) == {"nodes": [{"node": "self"}]}
    assert json.loads(get(h, "/scp?limit=5")[2])["limit"] == 5
    assert json.loads(get(h, "/scp")[2])["limit"] == 2
    assert json.loads(get(h, "/bans")[2]) == {"bans": None}
    assert get(h, "/droppeer")[2] == "Must specify at least peer id: droppeer?node=NODE_ID"
    assert get(h, "/unban")[2] == "Must specify at least peer id: unban?node=NODE_ID"
    assert get(h, "/connect")[2] == "Must specify a peer and port: connect&peer=PEER&port=PORT"


def test_soroban_info_and_proposed_settings(h):
    assert get(h, "/sorobaninfo")[2] == "Soroban is not active in current ledger version"
    assert "Must specify a ConfigUpgradeSetKey blob" in get(h, "/dumpproposedsettings")[2]


def test_manual_cmd_runs_config_commands(h):
    assert json.loads(h.manual_cmd("ll?level=info&partition=Herder")) == {"Herder": "Info"}


# --- jsoncpp's writers -------------------------------------------------------------

def test_styled_writer_layout():
    assert styled({}) == "{}\n"
    assert styled({"a": [], "b": None, "c": True, "d": "x"}) == \
        '{\n   "a" : [],\n   "b" : null,\n   "c" : true,\n   "d" : "x"\n}\n'
    # short arrays of scalars stay on one line, long ones (>= 74 columns) do not
    assert styled({"v": [1, 2]}) == '{\n   "v" : [ 1, 2 ]\n}\n'
    long = ["G" * 30, "H" * 30, "I" * 30]
    assert styled({"v": long}) == ('{\n   "v" : [\n      "' + "G" * 30 + '",\n      "' + "H" * 30
                                   + '",\n      "' + "I" * 30 + '"\n   ]\n}\n')
    assert styled([{"a": 1}]) == '[\n   {\n      "a" : 1\n   }\n]\n'
    assert fast({"b": 1, "a": [1, None]}) == '{"a":[1,null],"b":1}\n'


# --- robustness ---------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["info", "tx", "manualclose", "ll", "upgrades", "metrics", "peers",
                        "quorum", "scp", "clearmetrics", "sorobaninfo", "dumpproposedsettings",
                        "getledgerentry", "maintenance", "x"]),
       st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_any_request_gets_an_answer(cmd, params):
    h = CommandHandler(FakeApp(standalone=len(params) % 2 == 0))
    status, ctype, text = h.handle(f"/{cmd}?{params}")
    assert status in (200, 400, 404) and isinstance(text, str)


def test_upgrades_with_the_herders_upgrades_object():
    """Without set_upgrades/get_upgrades_json the handler drives
    herder.upgrades (herder/upgrades.py): UpgradeParameters, the node's max
    protocol, toDebugJson for mode=get."""
    upgrades_mod = pytest.importorskip("stellarcore.herder.upgrades")
    app = FakeApp()
    herder = type("H", (), {})()
    herder.upgrades = upgrades_mod.Upgrades()
    app.herder = herder
    h = CommandHandler(app)
    assert get(h, "/upgrades?mode=set&upgradetime=2024-01-01T00:00:00Z&basefee=200")[2] == ""
    p = herder.upgrades.get_parameters()
    assert (p.upgrade_time, p.base_fee, p.protocol_version) == (1704067200, 200, None)
    doc = json.loads(get(h, "/upgrades?mode=get")[2])
    assert doc["fee"] == {"data": 200, "nullopt": False} and doc["time"] == 1704067200
    assert json.loads(get(h, "/upgrades?mode=set&upgradetime=2024-01-01T00:00:00Z"
                             "&protocolversion=26")[2]) == {
        "exception": "Protocol version error: supported is up to 25, passed is 26"}
    get(h, "/upgrades?mode=clear")
    assert herder.upgrades.get_parameters().is_empty()
