"""stellar-core's transaction scenarios, run unchanged over BucketListRoot.

The scenario functions are the project's ports of stellar-core v25.0.1
tests (each file cites its TEST_CASEs: OfferTests / AllowTrustTests
"pull offers on revocation", SetTrustLineFlagsTests "revoke from pool"
(pool-share trustlines found through BucketListDB's asset -> pool map,
PARITY_TRAPS D6), LiquidityPoolWithdrawTests, LiquidityPoolDepositTests,
ManageBuyOfferTests, PathPaymentTests, ChangeTrustTests, ClaimableBalanceTests);
their assertions are stellar-core's expected values. Here the tests' ledger
(TestLedger) stands on a BucketListRoot instead of InMemoryRoot: every
ledger it closes goes through LiveBucketList.add_batch and `advance`, so
reads come from BucketListDB snapshots, offers from SQLite and Soroban
types from the in-memory state, as on a node. Each scenario then also
runs over InMemoryRoot, and the final ledgers must be equal: the live
entries of the bucket list (scanned newest bucket first) equal the
InMemoryRoot's entries, and a root restarted on that bucket list with an
empty database reads them back.
"""
from __future__ import annotations

import importlib

import pytest

from stellarcore import xdr
from stellarcore.bucket.bucket_list import LiveBucketList
from stellarcore.bucket.manager import BucketManager
from stellarcore.database import Database
from stellarcore.ledger.bucket_root import BucketListRoot, scan_live_buckets
from stellarcore.ledger.ledger_txn import DELETED, InMemoryRoot
from stellarcore.ledger.order_book import OFFER_KEY_PREFIX
from tests.ledger.soroban_entries import CostConfig
from tests.transactions import harness

NO_CODE_CFG = CostConfig(b"", b"")


class _SetupWrites:
    """TestLedger's direct writes (`root_store.entries[k] = e`, `del ...`)
    as writes into the root's pending batch."""

    def __init__(self, root):
        self.root = root

    def __setitem__(self, key, entry):
        self.root.put(entry)

    def __delitem__(self, key):
        self.root.commit_child({key: None}, {key: DELETED}, self.root.header)


class HarnessBucketRoot(BucketListRoot):
    """A BucketListRoot with what TestLedger asks of its root beyond the
    RootStore calls, and a bucket list of its own."""

    @property
    def entries(self):
        return _SetupWrites(self)

    def close_ledger(self):
        h = self.header
        self.bucket_list.add_batch(self.bucket_manager, h.ledgerSeq, h.ledgerVersion, *self.last_delta)
        self.advance(self.bucket_list, soroban_config=NO_CODE_CFG)


def _bucket_factory(tmp_path, made):
    def make(header, entries=(), offers=None):
        d = tmp_path / f"node{len(made)}"
        manager = BucketManager(d / "buckets", do_fsync=False)
        bucket_list = LiveBucketList()
        genesis = header.copy()
        genesis.ledgerSeq -= 1
        root = HarnessBucketRoot.open(Database(str(d / "node.db")), manager, bucket_list, genesis,
                                      soroban_config=NO_CODE_CFG)
        root.bucket_list = bucket_list
        root.header = header          # TestLedger's header: the ledger being closed
        for e in entries:
            root.put(e)
        made.append(root)
        return root
    return make


def _memory_factory(made):
    def make(*a, **kw):
        made.append(InMemoryRoot(*a, **kw))
        return made[-1]
    return make


def _patch_close(monkeypatch):
    original = harness.TestLedger.close_ledger

    def close_ledger(self, seconds=5):
        if isinstance(self.root_store, HarnessBucketRoot):
            self.root_store.close_ledger()
        original(self, seconds)
    monkeypatch.setattr(harness.TestLedger, "close_ledger", close_ledger)


def _path_payment_world():
    mod = importlib.import_module("tests.transactions.test_path_payment")
    mod.require_op(mod.OT.PATH_PAYMENT_STRICT_RECEIVE)
    return {"W": mod.World(harness.TestLedger())}


# (module, test function, arguments, fixtures built by hand)
SCENARIOS = [
    ("test_revoke_offers", "test_dont_pull_orders_until_deny_trust",
     dict(flag_op="set_trust_line_flags", maintain_on_buying=True, deny="selling"), None),
    ("test_revoke_offers", "test_pull_sponsored_offers_when_authorization_is_revoked",
     dict(flag_op="allow_trust", sponsor_is_issuer=False), None),
    ("test_set_trust_line_flags", "test_revoke_from_multiple_pools", dict(v=1), None),
    ("test_set_trust_line_flags", "test_revoke_after_deposit",
     dict(v=0, test_clawback=False, one_native=True, pool_remains=True), None),
    ("test_set_trust_line_flags", "test_trade_then_revoke", dict(v=1, one_native=False), None),
    ("test_set_trust_line_flags", "test_sponsored_pool_share_trustline_no_sandwich", dict(v=1), None),
    ("test_liquidity_pool_withdraw", "test_both_non_native_without_liabilities", {}, None),
    ("test_liquidity_pool_withdraw", "test_large_deposit_trade_withdraw", dict(deposit_size=1013), None),
    ("test_liquidity_pool_deposit", "test_deposit_and_withdraw_events", {}, None),
    ("test_manage_buy_offer", "test_selling_liabilities", {}, None),
    ("test_manage_offer", "test_sponsorship_create_modify_remove", {}, None),
    ("test_path_payment", "test_destination_is_issuer_and_does_not_exist_simple_path", {}, _path_payment_world),
    ("test_change_trust", "test_issuer_does_not_exist", {}, None),
    ("test_claimable_balance", "test_merge_sponsoring_account", {}, None),
]


def _run(module, name, kwargs, fixtures):
    fn = getattr(importlib.import_module(f"tests.transactions.{module}"), name)
    fn(**kwargs, **(fixtures() if fixtures else {}))


def _live_entries(bucket_list):
    """{key: LedgerEntry XDR} of a live bucket list: the first record of a
    key, newest bucket first, tombstones hiding older versions."""
    from stellarcore.bucket.keys import ledger_key_of_entry
    seen, out = set(), {}
    for rec in scan_live_buckets(bucket_list):
        kind = int.from_bytes(rec[:4], "big", signed=True)
        if kind == -1:
            continue
        if kind == 1:
            seen.add(rec[4:])
            continue
        k = ledger_key_of_entry(rec[4:])
        if k not in seen:
            seen.add(k)
            out[k] = rec[4:]
    return out


def _memory_entries(root):
    out = {k: e.to_xdr() for k, e in root.entries.items()}
    out.update({k: root.offers.get(k).to_xdr() for k in root.offers.keys()})
    return out


@pytest.mark.parametrize("module,name,kwargs,fixtures", SCENARIOS, ids=[f"{m}.{n}" for m, n, _, _ in SCENARIOS])
def test_scenario_over_bucket_list_root(monkeypatch, tmp_path, module, name, kwargs, fixtures):
    memory_roots, bucket_roots = [], []
    with monkeypatch.context() as m:
        m.setattr(harness, "InMemoryRoot", _memory_factory(memory_roots))
        _run(module, name, kwargs, fixtures)
    _patch_close(monkeypatch)
    monkeypatch.setattr(harness, "InMemoryRoot", _bucket_factory(tmp_path, bucket_roots))
    try:
        _run(module, name, kwargs, fixtures)
        assert len(bucket_roots) == len(memory_roots) >= 1
        for mem, root in zip(memory_roots, bucket_roots):
            root.close_ledger()        # whatever the scenario wrote after its last close
            expect = _memory_entries(mem)
            assert _live_entries(root.bucket_list) == expect
            again = BucketListRoot.open(Database(":memory:"), root.bucket_manager, root.bucket_list, root.header,
                                        soroban_config=NO_CODE_CFG)
            for k, e in expect.items():
                assert again.get_entry(k).to_xdr() == e
            offers = {k for k in expect if k[:4] == OFFER_KEY_PREFIX}
            assert len(again.offers) == len(offers)
    finally:
        for root in bucket_roots:
            root.db.close()
            root.bucket_manager.shutdown()


def test_harness_ledger_really_stands_on_buckets(monkeypatch, tmp_path):
    """The patch is in force: entries are read from BucketListDB."""
    made = []
    _patch_close(monkeypatch)
    monkeypatch.setattr(harness, "InMemoryRoot", _bucket_factory(tmp_path, made))
    L = harness.TestLedger()
    a = L.root.create("A", L.min_balance(0) + 1000)
    (root,) = made
    key = xdr.LedgerKey(account=xdr.LedgerKeyAccount(accountID=a.id)).to_xdr()
    assert root.last_delta == ([], [], [])
    assert xdr.LedgerEntry.from_xdr(root.snapshot.load(key)).data.account.balance == L.min_balance(0) + 1000
    assert root.soroban_state.ledger_seq == root.header.ledgerSeq - 1
    root.db.close()
    root.bucket_manager.shutdown()
