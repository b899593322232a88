"""getledgerentry / getledgerentryraw as stellar-core v25's QueryServer
(src/main/QueryServer.cpp, docs/software/commands.md "HTTP Query Server"):
states live / archived / not-found with liveUntilLedgerSeq, input order,
the 404 texts; fed by dict-backed snapshots.
"""
import base64
import hashlib
import json
from urllib.parse import quote

import pytest

from stellarcore import xdr
from stellarcore.main.command_handler import CommandHandler, QueryHandler
from tests.main.test_command_handler import FakeApp

SEQ = 100


class DictSnapshot:
    def __init__(self, entries):
        self.entries = {e_key(e): e.to_xdr() for e in entries}

    def load_keys(self, keys):
        return {k: self.entries[k] for k in keys if k in self.entries}


def e_key(e) -> bytes:
    d = e.data
    if d.type == xdr.LedgerEntryType.ACCOUNT:
        return xdr.LedgerKey(account=xdr.LedgerKeyAccount(accountID=d.account.accountID)).to_xdr()
    if d.type == xdr.LedgerEntryType.CONTRACT_DATA:
        cd = d.contractData
        return xdr.LedgerKey(contractData=xdr.LedgerKeyContractData(
            contract=cd.contract, key=cd.key, durability=cd.durability)).to_xdr()
    if d.type == xdr.LedgerEntryType.CONTRACT_CODE:
        return xdr.LedgerKey(contractCode=xdr.LedgerKeyContractCode(hash=d.contractCode.hash)).to_xdr()
    return xdr.LedgerKey(ttl=xdr.LedgerKeyTtl(keyHash=d.ttl.keyHash)).to_xdr()


def account(n):
    return xdr.LedgerEntry(lastModifiedLedgerSeq=5, data=xdr.LedgerEntryData(
        account=xdr.AccountEntry(accountID=xdr.PublicKey(ed25519=bytes([n]) * 32), balance=10)))


def contract_data(n, durability):
    return xdr.LedgerEntry(lastModifiedLedgerSeq=5, data=xdr.LedgerEntryData(
        contractData=xdr.ContractDataEntry(
            contract=xdr.SCAddress(contractId=bytes([n]) * 32),
            key=xdr.SCVal(u32=n), durability=durability, val=xdr.SCVal(u32=7))))


def code(n):
    return xdr.LedgerEntry(lastModifiedLedgerSeq=5, data=xdr.LedgerEntryData(
        contractCode=xdr.ContractCodeEntry(hash=bytes([n]) * 32, code=b"\0asm")))


def ttl_of(entry, live_until):
    return xdr.LedgerEntry(lastModifiedLedgerSeq=5, data=xdr.LedgerEntryData(ttl=xdr.TTLEntry(
        keyHash=hashlib.sha256(e_key(entry)).digest(), liveUntilLedgerSeq=live_until)))


P, D = xdr.ContractDataDurability.PERSISTENT, xdr.ContractDataDurability.TEMPORARY
ACC, MISSING_ACC = account(1), account(2)
LIVE_P, EXPIRED_P, EXPIRED_T, LIVE_T = (contract_data(1, P), contract_data(2, P),
                                        contract_data(3, D), contract_data(4, D))
ARCHIVED_CODE, MISSING_CODE = code(9), code(8)


class QueryApp(FakeApp):
    def __init__(self):
        super().__init__()
        live = [ACC, LIVE_P, EXPIRED_P, EXPIRED_T, LIVE_T, ttl_of(LIVE_P, SEQ), ttl_of(EXPIRED_P, SEQ - 1),
                ttl_of(EXPIRED_T, SEQ - 1), ttl_of(LIVE_T, SEQ + 50)]
        self.live, self.hot = DictSnapshot(live), DictSnapshot([ARCHIVED_CODE])

    def query_snapshots(self, ledger_seq):
        if ledger_seq not in (None, SEQ):
            return None
        return SEQ, self.live, self.hot


def b64key(entry):
    return quote(base64.b64encode(e_key(entry)).decode(), safe="")


@pytest.fixture
def q():
    return QueryHandler(QueryApp())


def post(q, route, keys, extra=""):
    body = "&".join(f"key={b64key(e)}" for e in keys) + extra
    return q.handle(f"/{route}", body)


def test_getledgerentry_states_in_input_order(q):
    order = [EXPIRED_T, ACC, LIVE_P, MISSING_CODE, EXPIRED_P, ARCHIVED_CODE, MISSING_ACC, LIVE_T]
    status, ctype, text = post(q, "getledgerentry", order)
    assert (status, ctype) == (200, "application/json") and text.endswith("}\n")
    doc = json.loads(text)
    assert doc["ledgerSeq"] == SEQ
    b64 = lambda e: base64.b64encode(e.to_xdr()).decode()  # noqa: E731
    assert doc["entries"] == [
        {"state": "not-found"},                                       # expired temporary
        {"entry": b64(ACC), "state": "live"},                         # classic: no TTL field
        {"entry": b64(LIVE_P), "state": "live", "liveUntilLedgerSeq": SEQ},
        {"state": "not-found"},
        {"entry": b64(EXPIRED_P), "state": "archived", "liveUntilLedgerSeq": 0},
        {"entry": b64(ARCHIVED_CODE), "state": "archived", "liveUntilLedgerSeq": 0},  # hot archive
        {"state": "not-found"},
        {"entry": b64(LIVE_T), "state": "live", "liveUntilLedgerSeq": SEQ + 50},
    ]


def test_getledgerentry_errors(q):
    assert q.handle("/getledgerentry", "") == (
        404, "text/html", "Must specify key in POST body: key=<LedgerKey in base64 XDR format>\n")
    ttl_key = quote(base64.b64encode(e_key(ttl_of(LIVE_P, 1))).decode(), safe="")
    assert q.handle("/getledgerentry", f"key={ttl_key}")[2] == "TTL keys are not allowed\n"
    assert post(q, "getledgerentry", [ACC, ACC])[2] == "Duplicate keys\n"
    assert post(q, "getledgerentry", [ACC], f"&ledgerSeq={SEQ - 3}") == (
        404, "text/html", "Ledger not found\n")
    assert json.loads(post(q, "getledgerentry", [ACC], f"&ledgerSeq={SEQ}")[2])["ledgerSeq"] == SEQ
    status, _, text = q.handle("/getledgerentry", "key=AAAA")
    assert status == 404 and text.startswith("exception: ")
    assert q.handle("/nothing")[0] == 404


def test_getledgerentryraw(q):
    doc = json.loads(post(q, "getledgerentryraw", [MISSING_ACC, LIVE_P, ACC])[2])
    assert doc["ledgerSeq"] == SEQ
    found = [base64.b64decode(e["entry"]) for e in doc["entries"]]
    assert sorted(found) == sorted([ACC.to_xdr(), LIVE_P.to_xdr()])
    # keys in LedgerKey order: the account before the contract data
    assert found[0] == ACC.to_xdr()
    assert json.loads(post(q, "getledgerentryraw", [MISSING_ACC])[2]) == {"ledgerSeq": SEQ}
    status, _, text = q.handle("/getledgerentryraw", "")
    assert status == 404 and "Must specify ledger key in POST body" in text


def test_query_routes_are_also_on_the_command_port():
    h = CommandHandler(QueryApp())
    assert json.loads(h.handle(f"/getledgerentry?key={b64key(ACC)}")[2])["entries"][0]["state"] \
        == "live"
