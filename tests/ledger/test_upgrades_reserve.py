"""A base-reserve upgrade and the offers it no longer lets stand
(prepareLiabilities), reproducing stellar-core's
src/herder/test/UpgradesTests.cpp TEST_CASE_VERSIONS("upgrade base
reserve") at protocol 25 with our ledger and transactions.

The scenarios build accounts, trustlines and offers with real transactions
(tests/transactions harness), run the upgrade the way the ledger close does
(ledger.upgrades.apply_upgrades in a LedgerTxn) and check stellar-core's
expected offers (TestMarket requireChanges: SAME or DELETED) and
liabilities. Its `submitTx` applies the sponsorship-transfer transactions
without charging a fee (tx->apply alone); here the fee is handed back
after those transactions for the same balances.
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.ledger.keys import account_key, offer_key
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.ledger.upgrades import OfferUpdate, apply_upgrades, prepare_liabilities
from tests.transactions.dexscen import (AF, change_trust, liabilities, load_offer, manage_offer, pay, price,
                                        require_op, allow_maintain_liabilities, set_flags)
from tests.transactions.harness import TestLedger, credit, make_op, native, tx_envelope

OT = xdr.OperationType
TX_FEE = 100
SAME = "SAME"
DELETED = "DELETED"


@pytest.fixture(autouse=True)
def _ops_present():
    for op in (OT.MANAGE_SELL_OFFER, OT.REVOKE_SPONSORSHIP, OT.BEGIN_SPONSORING_FUTURE_RESERVES):
        require_op(op)


def reserve_upgrade(v: int) -> bytes:
    return xdr.LedgerUpgrade(newBaseReserve=v).to_xdr()


def execute_upgrade(L: TestLedger, blob: bytes) -> list:
    """executeUpgrade: close a ledger whose value carries the upgrade."""
    ltx = LedgerTxn(L.root_store)
    metas = apply_upgrades(ltx, [blob], max_protocol_version=25)
    ltx.commit()
    L.close_ledger()
    return metas


class Market:
    """stellar-core's TestMarket bookkeeping: every offer with the state
    it must have after the upgrade."""

    def __init__(self, L: TestLedger):
        self.L = L
        self.offers = []  # (seller, offer id, (selling, buying, price, amount) or DELETED)

    def add_offer(self, acc, selling, buying, after=SAME):
        oid = manage_offer(acc, 0, selling, buying, price(2, 1), 1000)
        state = (selling, buying, price(2, 1), 1000) if after == SAME else DELETED
        self.offers.append((acc, oid, state))
        return oid

    def require_changes(self, action):
        action()
        for acc, oid, state in self.offers:
            o = load_offer(self.L, acc, oid)
            if state == DELETED:
                assert o is None, f"offer {oid} should have been deleted"
            else:
                assert o is not None, f"offer {oid} should remain"
                assert (o.selling, o.buying, o.price, o.amount) == state


class Scenario:
    """The common setup of the TEST_CASE: root, an issuer with CUR1/CUR2."""

    def __init__(self):
        self.L = TestLedger(protocol=25)
        self.root = self.L.root
        self.issuer = self.root.create("issuer", self.min_balance(0) + 100 * TX_FEE)
        self.cur1 = credit("CUR1", self.issuer)
        self.cur2 = credit("CUR2", self.issuer)
        self.market = Market(self.L)

    def min_balance(self, n: int) -> int:
        return self.L.min_balance(n)

    @property
    def reserve(self) -> int:
        return self.L.header.baseReserve

    def fund(self, acc):
        change_trust(acc, self.cur1, 12000)
        change_trust(acc, self.cur2, 12000)
        pay(self.issuer, acc, self.cur1, 4000)
        pay(self.issuer, acc, self.cur2, 4000)

    def create_offers(self, acc, delete_native_sells=False):
        """createOffers: 12 offers, two per ordered pair of the three assets."""
        n, c1, c2 = native(), self.cur1, self.cur2
        sells_native = DELETED if delete_native_sells else SAME
        for selling, buying, after in ((n, c1, sells_native), (c1, n, SAME), (n, c2, sells_native),
                                       (c2, n, SAME), (c1, c2, SAME), (c2, c1, SAME)):
            self.market.add_offer(acc, selling, buying, after)
            self.market.add_offer(acc, selling, buying, after)

    def upgrade(self, new_reserve):
        metas = execute_upgrade(self.L, reserve_upgrade(new_reserve))
        assert self.L.header.baseReserve == new_reserve
        return metas

    def submit_without_fee(self, source, ops, signers):
        """submitTx: apply a transaction, fee handed back (see module doc)."""
        before = source.balance
        r = self.L.apply(tx_envelope(source, source.seq + 1, ops, signers=signers))
        assert r.ok, r.result
        e = source.entry()
        e.data.account.balance = before
        self.L.put(e)


def op_revoke_offer(seller, offer_id, source):
    lk = xdr.LedgerKey.from_xdr(offer_key(seller.id, offer_id))
    return make_op(OT.REVOKE_SPONSORSHIP, xdr.RevokeSponsorshipOp(
        xdr.RevokeSponsorshipType.REVOKE_SPONSORSHIP_LEDGER_ENTRY, lk), source)


def op_begin(sponsored, source):
    return make_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES,
                   xdr.BeginSponsoringFutureReservesOp(sponsoredID=sponsored.id), source)


def op_end(source):
    return make_op(OT.END_SPONSORING_FUTURE_RESERVES, None, source)


def sponsorship_counts(acc):
    a = acc.entry().data.account
    if a.ext.v == 1 and a.ext.v1.ext.v == 2:
        v2 = a.ext.v1.ext.v2
        return v2.numSponsoring, v2.numSponsored
    return 0, 0


# ---------------------------------------------------------------- decrease


def test_decrease_reserve_keeps_offers_and_liabilities():
    """SECTION("decrease reserve"): nothing is recomputed."""
    s = Scenario()
    a1 = s.root.create("A", s.min_balance(14) + 4000 + 14 * TX_FEE)
    s.fund(a1)
    s.create_offers(a1)
    s.market.require_changes(lambda: s.upgrade(s.reserve // 2))
    assert liabilities(a1) == (8000, 4000)
    assert liabilities(a1, s.cur1) == (8000, 4000)
    assert liabilities(a1, s.cur2) == (8000, 4000)


# ---------------------------------------------------------------- increase


def _increase_reserve_from_v10(maintain_only: bool, flip_sponsorship: bool):
    s = Scenario()
    a1 = s.root.create("A", 2 * s.min_balance(14) + 3999 + 14 * TX_FEE)
    s.fund(a1)
    a2 = s.root.create("B", 2 * s.min_balance(14) + 4000 + 14 * TX_FEE)
    s.fund(a2)
    s.create_offers(a1, delete_native_sells=True)
    s.create_offers(a2)
    if maintain_only:
        set_flags(s.issuer, AF.AUTH_REQUIRED_FLAG | AF.AUTH_REVOCABLE_FLAG)
        allow_maintain_liabilities(s.issuer, a1, s.cur1)
    if flip_sponsorship:
        ops_a1 = [op_begin(a2, a1)]
        ops_a2 = [op_begin(a1, a2)]
        for seller, oid, _ in s.market.offers:
            if seller is a2:
                ops_a1.append(op_revoke_offer(a2, oid, a2))
            else:
                ops_a2.append(op_revoke_offer(a1, oid, a1))
        ops_a1.append(op_end(a2))
        ops_a2.append(op_end(a1))
        s.submit_without_fee(a1, ops_a1, [a1, a2])
        s.submit_without_fee(a2, ops_a2, [a2, a1])
        assert sponsorship_counts(a1) == (12, 12)
        assert sponsorship_counts(a2) == (12, 12)
    s.market.require_changes(lambda: s.upgrade(2 * s.reserve))
    assert liabilities(a1) == (8000, 0)
    assert liabilities(a1, s.cur1) == (4000, 4000)
    assert liabilities(a1, s.cur2) == (4000, 4000)
    assert liabilities(a2) == (8000, 4000)
    assert liabilities(a2, s.cur1) == (8000, 4000)
    assert liabilities(a2, s.cur2) == (8000, 4000)
    return s, a1, a2


def test_increase_reserve_authorized():
    """SECTION("increase reserve") / SECTION("authorized")."""
    s, a1, a2 = _increase_reserve_from_v10(False, False)
    # the 4 erased offers were a1's subentries
    assert a1.num_sub_entries == 14 - 4
    assert a2.num_sub_entries == 14


def test_increase_reserve_authorized_to_maintain_liabilities():
    """SECTION("authorized to maintain liabilities")."""
    _increase_reserve_from_v10(True, False)


def test_increase_reserve_swap_sponsorship_of_orders():
    """SECTION("sponsorships") / SECTION("swap sponsorship of orders"):
    a2 sponsored a1's 4 erased offers, so a2 sponsors 4 fewer."""
    s, a1, a2 = _increase_reserve_from_v10(False, True)
    assert sponsorship_counts(a1) == (12, 8)
    assert sponsorship_counts(a2) == (8, 12)


def _sponsors_all_offers(sponsoring_seed, sponsored_seed, sponsoring_pulls: bool, sponsored_pulls: bool):
    """accSponsorsAllOffersTest via sponsorshipTestsBySeed."""
    s = Scenario()
    sponsoring = s.root.create(sponsoring_seed, 2 * s.min_balance(27) + 4000 + 15 * TX_FEE)
    sponsored = s.root.create(sponsored_seed, s.min_balance(14) + 3999 + 15 * TX_FEE)
    sponsored2 = s.root.create("C", 2 * s.min_balance(13) + 3999 + 15 * TX_FEE)
    for acc in (sponsoring, sponsored, sponsored2):
        s.fund(acc)
    s.create_offers(sponsoring, sponsoring_pulls)
    s.create_offers(sponsored, sponsored_pulls)
    s.create_offers(sponsored2, True)

    ops = [op_begin(sponsored, sponsoring), op_begin(sponsored2, sponsoring)]
    for seller, oid, _ in s.market.offers:
        if seller is sponsored:
            ops.append(op_revoke_offer(sponsored, oid, sponsored))
    last_seller, last_id, _ = s.market.offers[-1]
    assert last_seller is sponsored2
    ops.append(op_revoke_offer(sponsored2, last_id, sponsored2))
    ops += [op_end(sponsored), op_end(sponsored2)]
    s.submit_without_fee(sponsoring, ops, [sponsoring, sponsored, sponsored2])
    assert sponsorship_counts(sponsored)[1] == 12
    assert sponsorship_counts(sponsored2)[1] == 1
    assert sponsorship_counts(sponsoring)[0] == 13

    r = s.reserve
    pay(sponsored, s.root, native(), r * 8 if sponsored_pulls else r * 8 - 1)
    if sponsoring_pulls:
        pay(sponsoring, s.root, native(), 1)
    pay(sponsored2, s.root, native(), r)

    s.market.require_changes(lambda: s.upgrade(2 * r))

    if sponsored_pulls:
        assert liabilities(sponsored) == (8000, 0)
        assert liabilities(sponsored, s.cur1) == (4000, 4000)
        assert liabilities(sponsored, s.cur2) == (4000, 4000)
        assert sponsorship_counts(sponsored)[1] == 8
        assert sponsorship_counts(sponsoring)[0] == 9
    else:
        assert liabilities(sponsored) == (8000, 4000)
        assert liabilities(sponsored, s.cur1) == (8000, 4000)
        assert liabilities(sponsored, s.cur2) == (8000, 4000)
        assert sponsorship_counts(sponsored)[1] == 12
        assert sponsorship_counts(sponsoring)[0] == 13
    if sponsoring_pulls:
        assert liabilities(sponsoring) == (8000, 0)
        assert liabilities(sponsoring, s.cur1) == (4000, 4000)
        assert liabilities(sponsoring, s.cur2) == (4000, 4000)
    else:
        assert liabilities(sponsoring) == (8000, 4000)
        assert liabilities(sponsoring, s.cur1) == (8000, 4000)
        assert liabilities(sponsoring, s.cur2) == (8000, 4000)
    assert liabilities(sponsored2) == (8000, 0)
    assert liabilities(sponsored2, s.cur1) == (4000, 4000)
    assert liabilities(sponsored2, s.cur2) == (4000, 4000)


# "account A is sponsored" / "account B is sponsored": swapping the seeds
# swaps which account comes first in the offers-by-account order; the
# minimum balances taken before any erasure make the order irrelevant.
@pytest.mark.parametrize("sponsoring_seed,sponsored_seed", [("B", "A"), ("A", "B")],
                         ids=["account A is sponsored", "account B is sponsored"])
@pytest.mark.parametrize("sponsoring_pulls,sponsored_pulls", [(True, True), (False, False), (True, False),
                                                              (False, True)],
                         ids=["sponsored and sponsoring accounts get offers pulled on upgrade",
                              "no offers pulled", "offers for sponsored account pulled",
                              "offers for sponsoring account pulled"])
def test_sponsorships(sponsoring_seed, sponsored_seed, sponsoring_pulls, sponsored_pulls):
    """SECTION("sponsorships") / sponsorshipTestsBySeed. stellar-core's
    section names pair the flags as (sponsoringAccPullOffers,
    sponsoredAccPullOffers) = (true, false) for "offers for sponsored
    account pulled"; kept as written there."""
    _sponsors_all_offers(sponsoring_seed, sponsored_seed, sponsoring_pulls, sponsored_pulls)


# ---------------------------------------------------------------- meta and details


def test_reserve_raise_records_every_offer_and_account_with_offers():
    """loadAllOffers and loadAccount load for write: every offer and every
    account with offers is in the upgrade's changes (STATE then UPDATED,
    lastModifiedLedgerSeq moved to the upgrade ledger) even when unchanged;
    erased offers are STATE then REMOVED."""
    s = Scenario()
    a1 = s.root.create("A", 2 * s.min_balance(14) + 3999 + 14 * TX_FEE)
    s.fund(a1)
    s.create_offers(a1, delete_native_sells=True)
    seq = s.L.header.ledgerSeq
    new_reserve = 2 * s.reserve
    metas = s.upgrade(new_reserve)
    assert len(metas) == 1
    assert metas[0].upgrade == xdr.LedgerUpgrade(newBaseReserve=new_reserve)
    CT = xdr.LedgerEntryChangeType
    changes = metas[0].changes
    removed = [c.removed for c in changes if c.type == CT.LEDGER_ENTRY_REMOVED]
    updated = [c.updated for c in changes if c.type == CT.LEDGER_ENTRY_UPDATED]
    assert len(removed) == 4 and all(k.type == xdr.LedgerEntryType.OFFER for k in removed)
    updated_offers = [e for e in updated if e.data.type == xdr.LedgerEntryType.OFFER]
    assert len(updated_offers) == 8
    assert all(e.lastModifiedLedgerSeq == seq for e in updated)
    accounts = [e.data.account.accountID for e in updated if e.data.type == xdr.LedgerEntryType.ACCOUNT]
    assert accounts == [a1.id]
    # the issuer and root have no offers: not touched
    states = [c.state for c in changes if c.type == CT.LEDGER_ENTRY_STATE]
    assert len(states) == len(removed) + len(updated)


def test_reserve_raise_without_offers_changes_only_the_header():
    s = Scenario()
    metas = s.upgrade(2 * s.reserve)
    assert metas[0].changes == []


def test_all_offers_of_an_asset_erased_leaves_its_liabilities():
    """prepareLiabilities sets liabilities only for the assets named by a
    remaining offer (its final loop runs over `liabilities`, filled by the
    kept offers): an account whose only offers sell native for CUR1 and are
    all erased keeps its native selling and CUR1 buying liabilities."""
    s = Scenario()
    a1 = s.root.create("A", 2 * s.min_balance(3) + 1999 + 3 * TX_FEE)
    change_trust(a1, s.cur1, 12000)
    ids = [manage_offer(a1, 0, native(), s.cur1, price(2, 1), 1000) for _ in range(2)]
    assert liabilities(a1) == (0, 2000)
    assert liabilities(a1, s.cur1) == (4000, 0)
    s.upgrade(2 * s.reserve)
    assert all(load_offer(s.L, a1, i) is None for i in ids)
    assert liabilities(a1) == (0, 2000)
    assert liabilities(a1, s.cur1) == (4000, 0)
    assert a1.num_sub_entries == 1


def test_prepare_liabilities_report_counts():
    s = Scenario()
    a1 = s.root.create("A", 2 * s.min_balance(14) + 3999 + 14 * TX_FEE)
    s.fund(a1)
    s.create_offers(a1, delete_native_sells=True)
    ltx = LedgerTxn(s.L.root_store)
    ltx.header.baseReserve *= 2
    report = prepare_liabilities(ltx)
    ltx.rollback()
    assert report.offers[OfferUpdate.ERASE] == 4
    assert report.offers[OfferUpdate.UNCHANGED] == 8
    assert report.changed_accounts == {s.L.load(account_key(a1.id)).data.account.accountID.to_xdr()}
    assert report.changed_trustlines == 2


# ---------------------------------------------------------------- ledgers written directly
#
# stellar-core's "upgrade to version 10" cases (liabilities overflow, offer
# rounding, thresholds) start from offers no protocol-23 transaction could
# leave behind; they are written straight into the ledger here and the
# reserve raise runs prepareLiabilities over them. Trustline liabilities
# start at the totals of the offers as written, since from protocol 11 on a
# trustline's liabilities may only shrink ("invalid liabilities delta").

def _direct_ledger():
    from stellarcore.crypto.keys import SecretKey
    from tests.transactions.harness import TestAccount
    L = TestLedger(protocol=25)
    issuer = TestAccount(L, SecretKey.for_test_account("issuer"))
    a1 = TestAccount(L, SecretKey.for_test_account("A"))
    return L, issuer, a1


def _put_account(L, acc, balance, num_sub_entries):
    L.put(xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=xdr.LedgerEntryData(account=xdr.AccountEntry(
        accountID=acc.id, balance=balance, seqNum=1 << 32, numSubEntries=num_sub_entries, inflationDest=None,
        flags=0, homeDomain=b"", thresholds=b"\x01\x00\x00\x00", signers=[], ext=xdr.AccountEntryExt(0))),
        ext=xdr.LedgerEntryExt(0)))


def _put_trustline(L, acc, asset, balance, limit, buying=0, selling=0):
    tl = xdr.TrustLineEntry(accountID=acc.id, asset=xdr.TrustLineAsset.from_xdr(asset.to_xdr()), balance=balance,
                            limit=limit, flags=xdr.TrustLineFlags.AUTHORIZED_FLAG, ext=xdr.TrustLineEntryExt(0))
    if buying or selling:
        tl.ext = xdr.TrustLineEntryExt(1, xdr.TrustLineEntryV1(
            liabilities=xdr.Liabilities(buying=buying, selling=selling), ext=xdr.TrustLineEntryV1Ext(0)))
    L.put(xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=xdr.LedgerEntryData(trustLine=tl),
                          ext=xdr.LedgerEntryExt(0)))


def _put_offer(L, acc, offer_id, selling, buying, p, amount):
    L.put(xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=xdr.LedgerEntryData(offer=xdr.OfferEntry(
        sellerID=acc.id, offerID=offer_id, selling=selling, buying=buying, amount=amount, price=p, flags=0,
        ext=xdr.OfferEntryExt(0))), ext=xdr.LedgerEntryExt(0)))
    return offer_id


def _totals(offers, asset):
    """(buying, selling) the offers as written commit of `asset`."""
    from stellarcore.transactions.offer_exchange import get_offer_buying_liabilities, get_offer_selling_liabilities
    buying = selling = 0
    for selling_asset, buying_asset, p, amount in offers:
        o = xdr.OfferEntry(selling=selling_asset, buying=buying_asset, price=p, amount=amount)
        if buying_asset == asset:
            buying += get_offer_buying_liabilities(o)
        if selling_asset == asset:
            selling += get_offer_selling_liabilities(o)
    return buying, selling


def _setup_direct(offers, balances, limits):
    L, issuer, a1 = _direct_ledger()
    cur1, cur2 = credit("CUR1", issuer), credit("CUR2", issuer)
    offers = [(cur1 if s == 1 else cur2, cur1 if b == 1 else cur2, p, amount) for s, b, p, amount in offers]
    _put_account(L, a1, 10_000 * TX_FEE + 100 * L.header.baseReserve, 2 + len(offers))
    for asset, bal, lim in ((cur1, balances[0], limits[0]), (cur2, balances[1], limits[1])):
        buying, selling = _totals(offers, asset)
        _put_trustline(L, a1, asset, bal, lim, min(buying, lim - bal), min(selling, bal))
    ids = [_put_offer(L, a1, i + 1, *o) for i, o in enumerate(offers)]
    return L, a1, cur1, cur2, ids


def test_liabilities_overflow_all_invalid():
    """"upgrade to version 10" / "liabilities overflow" / "non-native for
    non-native, all invalid": per-asset totals that overflow int64 erase
    every offer of the asset."""
    big = (1 << 63) - 1
    L, a1, cur1, cur2, ids = _setup_direct(
        [(1, 2, price(2, 1), big // 3)] * 2 + [(2, 1, price(2, 1), big // 3)] * 2,
        balances=(big // 3, big // 3), limits=(big, big))
    execute_upgrade(L, reserve_upgrade(2 * L.header.baseReserve))
    assert all(load_offer(L, a1, i) is None for i in ids)
    assert a1.num_sub_entries == 2


def test_offers_that_need_rounding_are_rounded():
    """"adjust offers" / "offers that need rounding are rounded": price 2/3,
    202 becomes 201; liabilities CUR1 (0, 402), CUR2 (268, 0)."""
    L, a1, cur1, cur2, ids = _setup_direct(
        [(1, 2, price(2, 3), 201), (1, 2, price(2, 3), 202)], balances=(500, 0), limits=(1000, 1000))
    execute_upgrade(L, reserve_upgrade(2 * L.header.baseReserve))
    assert load_offer(L, a1, ids[0]).amount == 201
    assert load_offer(L, a1, ids[1]).amount == 201
    assert liabilities(a1) == (0, 0)
    assert liabilities(a1, cur1) == (0, 402)
    assert liabilities(a1, cur2) == (268, 0)


def test_offers_that_do_not_satisfy_thresholds_are_deleted():
    """"adjust offers" / "offers that do not satisfy thresholds are
    deleted": at price 3/2, 27 rounds to nothing, 28 stays."""
    L, a1, cur1, cur2, ids = _setup_direct(
        [(1, 2, price(3, 2), 27), (1, 2, price(3, 2), 28), (2, 1, price(3, 2), 27), (2, 1, price(3, 2), 28)],
        balances=(500, 500), limits=(1000, 1000))
    ltx = LedgerTxn(L.root_store)
    ltx.header.baseReserve *= 2
    report = prepare_liabilities(ltx)
    ltx.commit()
    assert report.offers[OfferUpdate.ADJUSTED_TO_ZERO] == 2
    assert load_offer(L, a1, ids[0]) is None and load_offer(L, a1, ids[2]) is None
    assert load_offer(L, a1, ids[1]).amount == 28 and load_offer(L, a1, ids[3]).amount == 28
    assert liabilities(a1) == (0, 0)
    assert liabilities(a1, cur1) == (42, 28)
    assert liabilities(a1, cur2) == (42, 28)
    assert a1.num_sub_entries == 4


def test_trustline_liabilities_may_not_grow():
    """From protocol 11 a positive trustline delta throws ("invalid
    liabilities delta"): the whole upgrade is skipped, nothing changes."""
    L, issuer, a1 = _direct_ledger()
    cur1, cur2 = credit("CUR1", issuer), credit("CUR2", issuer)
    _put_account(L, a1, 100 * L.header.baseReserve, 3)
    _put_trustline(L, a1, cur1, 500, 1000)          # no liabilities recorded
    _put_trustline(L, a1, cur2, 0, 1000)
    _put_offer(L, a1, 1, cur1, cur2, price(1, 1), 100)
    old = L.header.baseReserve
    assert execute_upgrade(L, reserve_upgrade(2 * old)) == []
    assert L.header.baseReserve == old
    assert load_offer(L, a1, 1).amount == 100


def test_buying_total_overflow_alone_erases():
    """shouldDeleteOffer: an overflowed total (nullptr in stellar-core) is
    always excess - here the CUR2 buying total of two offers overflows while
    their CUR1 selling total fits the balance."""
    big = (1 << 63) - 1
    L, a1, cur1, cur2, ids = _setup_direct([(1, 2, price(2, 1), big // 3)] * 2,
                                           balances=(big, 0), limits=(big, big))
    metas = execute_upgrade(L, reserve_upgrade(2 * L.header.baseReserve))
    assert len(metas) == 1
    assert all(load_offer(L, a1, i) is None for i in ids)
