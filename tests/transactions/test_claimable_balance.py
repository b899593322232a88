"""Create/Claim/ClawbackClaimableBalance, against stellar-core's
ClaimableBalanceTests.cpp ("claimableBalance") and
ClawbackClaimableBalanceTests.cpp: result codes and their order, the
predicate validity and evaluation tables (relative times fixed at
creation, claimed one day later), balances and reserves moved by create
and claim, balance IDs (tx source + tx seq + op index), sponsorship
counts, and the transfer/mint/burn/clawback events of each op.
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.crypto import ids
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key, claimable_balance_key
from stellarcore.transactions import events as E
from tests.transactions.harness import credit, native
from tests.transactions.test_change_trust import (AF, FEE, INT64_MAX, OC, OT, TC, UINT32_MAX, allow_trust, apply_ops,
                                                  available, begin_sponsoring, cb_entry, change_trust, claim_cb,
                                                  claimant, clawback_cb, create_cb, edit_account, end_sponsoring,
                                                  entry_sponsor, fails, ok, pred_abs, pred_and, pred_not, pred_or,
                                                  pred_rel, pred_unconditional, put_offer, require_op,
                                                  set_account_flags, sponsor_counts, trustline, world)

CC = xdr.CreateClaimableBalanceResultCode
CL = xdr.ClaimClaimableBalanceResultCode
CB = xdr.ClawbackClaimableBalanceResultCode
DAY = 86400


def simple_pred(levels):
    """makeSimplePredicate: an OR tree of `levels` over absBefore(INT64_MAX)."""
    if levels == 0:
        return pred_abs(INT64_MAX)
    p = simple_pred(levels - 1)
    return pred_or(p, p.copy())


def balance_id(tx_source, seq, op_index=0):
    return ids.claimable_balance_id(tx_source.id, seq, op_index)


def create(acc, asset, amount, claimants, **kw):
    """TestAccount::createClaimableBalance: the ID of (acc, its tx seq, 0)."""
    r = ok(acc.apply([create_cb(asset, amount, claimants)], **kw))
    bid = r.op_results[0].tr.createClaimableBalanceResult.balanceID
    assert bid == balance_id(acc, acc.seq)
    return bid


class World:
    def __init__(self):
        L, acc1, acc2, issuer = world((("acc1", 3), ("acc2", 3), ("issuer", 3)))
        self.L, self.root, self.acc1, self.acc2, self.issuer = L, L.root, acc1, acc2, issuer
        self.usd = credit("USD", issuer)
        ok(acc2.apply([change_trust(self.usd, INT64_MAX)]))
        self.valid = [claimant(acc2, simple_pred(3))]

    def prepare(self, asset, amount):
        """balanceTestByAsset's preamble, with its failure codes on the way."""
        acc1, issuer, usd = self.acc1, self.issuer, self.usd
        is_native = asset.type == xdr.AssetType.ASSET_TYPE_NATIVE
        if not is_native:
            fails(acc1.apply([create_cb(asset, amount, self.valid)]), CC.CREATE_CLAIMABLE_BALANCE_NO_TRUST)
        set_account_flags(self.L, issuer, AF.AUTH_REQUIRED_FLAG)
        ok(acc1.apply([change_trust(usd, INT64_MAX)]))
        if not is_native:
            fails(acc1.apply([create_cb(asset, amount, self.valid)]), CC.CREATE_CLAIMABLE_BALANCE_NOT_AUTHORIZED)
        ok(issuer.apply([allow_trust(acc1, usd, 1)]))
        fails(acc1.apply([create_cb(asset, amount, self.valid)]), CC.CREATE_CLAIMABLE_BALANCE_UNDERFUNDED)
        self.fund(asset, amount)
        # 3 reserves: account (2) + trustline (1); two claimants need 2 more
        fails(acc1.apply([create_cb(asset, amount, [claimant(self.acc2, simple_pred(3)),
                                                    claimant(issuer, simple_pred(3))])]),
              CC.CREATE_CLAIMABLE_BALANCE_LOW_RESERVE)

    def fund(self, asset, amount):
        if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE:
            ok(self.root.pay(self.acc1, amount))
        else:
            ok(self.issuer.pay(self.acc1, amount, self.usd))

    def asset_balance(self, acc, asset):
        if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE:
            return available(acc)
        return trustline(acc, asset).balance

    def create_and_claim(self, asset, amount, claimants):
        """validateBalancesOnCreateAndClaim (no sponsorship, no merge)."""
        acc1, acc2, L = self.acc1, self.acc2, self.L
        is_native = asset.type == xdr.AssetType.ASSET_TYPE_NATIVE
        reserve = len(claimants) * L.header.baseReserve
        native_before, claim_before = available(acc1), self.asset_balance(acc2, asset)
        asset_before = self.asset_balance(acc1, asset)
        root_before = available(self.root)
        sponsoring_before = sponsor_counts(acc1)[0]
        bid = create(acc1, asset, amount, claimants)
        assert is_native or asset_before - amount == self.asset_balance(acc1, asset)
        assert available(acc1) == native_before - (amount if is_native else 0) - reserve - FEE
        assert available(self.root) == root_before
        assert self.asset_balance(acc2, asset) == claim_before
        assert sponsor_counts(acc1) == (sponsoring_before + len(claimants), 0)
        assert entry_sponsor(L, claimable_balance_key(bid)) == acc1.id
        after_create = available(acc1)
        ok(acc2.apply([claim_cb(bid)]))
        assert available(acc1) == after_create + reserve
        fee = FEE if is_native else 0
        assert self.asset_balance(acc2, asset) == claim_before + amount - fee
        assert cb_entry(L, bid) is None
        return bid


ASSETS = ["native", "non-native"]


def _asset_amount(w, which):
    return (native(), 2 * w.L.header.baseReserve) if which == "native" else (w.usd, 100)


@pytest.mark.parametrize("which", ASSETS)
@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_predicate_levels(which, level):
    w = World()
    asset, amount = _asset_amount(w, which)
    w.prepare(asset, amount)
    bid = create(w.acc1, asset, amount, [claimant(w.acc2, simple_pred(level))])
    ok(w.acc2.apply([claim_cb(bid)]))


@pytest.mark.parametrize("which", ASSETS)
@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_number_of_claimants(which, n):
    w = World()
    asset, amount = _asset_amount(w, which)
    w.prepare(asset, amount)
    if n > 1:
        ok(w.root.pay(w.acc1, w.L.header.baseReserve * (n - 1)))
    claimants = [claimant(w.acc2, simple_pred(3))] + [claimant(w.L.account(str(i)), simple_pred(3))
                                                      for i in range(1, n)]
    w.create_and_claim(asset, amount, claimants)


def _invalid_predicates():
    deep = pred_and(pred_or(simple_pred(0), simple_pred(0)), pred_or(simple_pred(0), simple_pred(0)))
    return {
        "and size": xdr.ClaimPredicate(xdr.ClaimPredicateType.CLAIM_PREDICATE_AND, [simple_pred(1)]),
        "or size": xdr.ClaimPredicate(xdr.ClaimPredicateType.CLAIM_PREDICATE_OR, [simple_pred(1)]),
        "absBefore": pred_abs(-1),
        "relBefore": pred_rel(-1),
        "null not": pred_not(None),
        "not nested": pred_not(pred_rel(-1)),
        "height": pred_or(deep, pred_not(deep)),
    }


@pytest.mark.parametrize("which", ASSETS)
def test_validity(which):
    w = World()
    asset, amount = _asset_amount(w, which)
    w.prepare(asset, amount)
    M = CC.CREATE_CLAIMABLE_BALANCE_MALFORMED
    for bad_amount in (0, -1):
        fails(w.acc1.apply([create_cb(asset, bad_amount, w.valid)]), M)
    fails(w.acc1.apply([create_cb(asset, amount, [])]), M)
    fails(w.acc1.apply([create_cb(asset, amount, w.valid + [w.valid[0].copy()])]), M)
    for name, pred in _invalid_predicates().items():
        fails(w.acc1.apply([create_cb(asset, amount, [claimant(w.acc2, pred)])]), M)
    bad = credit("USD", w.issuer)
    bad.alphaNum4.assetCode = b"\0SD\0"
    fails(w.acc1.apply([create_cb(bad, 100, w.valid)]), M)


def _claim_predicates(c):
    """makePredicate / the named predicates of the "claim balance" section:
    created at closeTime c, claimed at c + DAY."""
    nxt = c + DAY
    abs_false, abs_true = pred_abs(nxt), pred_abs(nxt + 1)
    rel_false, rel_true = pred_rel(DAY), pred_rel(DAY + 1)
    abs_after_true, abs_after_false = pred_not(abs_false), pred_not(abs_true)
    rel_after_true, rel_after_false = pred_not(rel_false), pred_not(rel_true)

    def make(kind, sat):
        if kind == "and":
            return pred_and(pred_abs(nxt + 1 if sat else nxt), rel_true)
        if kind == "or":
            return pred_or(pred_abs(nxt + 1 if sat else nxt), rel_false)
        return pred_not(make("and", not sat))
    cp = lambda l, r, is_and: pred_and(l, r) if is_and else pred_or(l, r)  # noqa: E731
    not_satisfied = {
        "not unconditional": pred_not(pred_unconditional()),
        "absBefore": abs_false, "relBefore": rel_false,
        "and": make("and", False), "or": make("or", False), "NOT": make("not", False),
        "complex": cp(cp(rel_false, abs_after_false, False), cp(abs_after_true, abs_true, True), True),
        "complex 2": cp(pred_not(rel_after_true), abs_after_true, True),
        "complex 3": cp(cp(cp(rel_false, abs_false, False), cp(abs_false, rel_false, False), False),
                        cp(cp(abs_false, rel_false, False), cp(rel_false, abs_false, False), False), False),
        "complex 4": cp(cp(abs_after_false, abs_false, False), cp(rel_after_false, rel_false, False), False),
    }
    satisfied = {
        "unconditional": pred_unconditional(), "absBefore": abs_true, "absAfter": abs_after_true,
        "relBefore": rel_true, "relAfter": rel_after_true, "relBefore max": pred_rel(INT64_MAX),
        "and": make("and", True), "or": make("or", True), "NOT": make("not", True),
        "complex 1": cp(cp(rel_true, abs_after_false, False), cp(abs_after_true, abs_true, True), True),
        "complex 2": pred_not(cp(abs_after_false, abs_false, False)),
        "complex 3": cp(cp(cp(rel_true, abs_true, True), cp(abs_true, rel_true, True), True),
                        cp(cp(abs_true, rel_true, True), cp(rel_true, abs_true, True), True), True),
        "complex 4": cp(cp(cp(rel_false, abs_false, False), cp(abs_false, rel_false, False), False),
                        cp(cp(abs_true, rel_false, False), cp(rel_false, abs_false, False), False), False),
        "complex 5": cp(cp(abs_after_true, abs_true, True), cp(rel_after_true, rel_true, True), True),
    }
    return not_satisfied, satisfied


@pytest.mark.parametrize("which", ASSETS)
def test_claim_predicates(which):
    w = World()
    asset, amount = _asset_amount(w, which)
    w.prepare(asset, amount)
    names = _claim_predicates(0)
    for expect_ok, table_i in ((False, 0), (True, 1)):
        for name in names[table_i]:
            L = w.L
            c = L.header.scpValue.closeTime
            pred = _claim_predicates(c)[table_i][name]
            bid = create(w.acc1, asset, amount, [claimant(w.acc2, pred)])
            stored = cb_entry(L, bid).claimants[0].v0.predicate
            assert xdr.ClaimPredicateType.CLAIM_PREDICATE_BEFORE_RELATIVE_TIME not in _types(stored), name
            L.header.scpValue.closeTime = c + DAY  # the creating ledger closed; claim one day later
            r = w.acc2.apply([claim_cb(bid)])
            if expect_ok:
                ok(r)
            else:
                fails(r, CL.CLAIM_CLAIMABLE_BALANCE_CANNOT_CLAIM)
                ok(w.root.pay(w.acc1, L.header.baseReserve))  # the next balance's reserve
            w.fund(asset, amount)
            ok(w.root.pay(w.acc1, 10 * FEE))


def _types(p):
    out = {p.type}
    for sub in (p.andPredicates if p.type == xdr.ClaimPredicateType.CLAIM_PREDICATE_AND else
                p.orPredicates if p.type == xdr.ClaimPredicateType.CLAIM_PREDICATE_OR else
                [p.notPredicate] if p.type == xdr.ClaimPredicateType.CLAIM_PREDICATE_NOT else []):
        out |= _types(sub)
    return out


def test_relative_predicate_saturates_and_converts():
    """relativeToAbsolute: closeTime + rel, INT64_MAX on overflow."""
    w = World()
    c = w.L.header.scpValue.closeTime
    bid = create(w.root, native(), 1, [claimant(w.acc2, pred_not(pred_rel(INT64_MAX))),
                                       claimant(w.acc1, pred_and(pred_rel(5), pred_unconditional()))])
    cl = cb_entry(w.L, bid).claimants
    assert cl[0].v0.predicate == pred_not(pred_abs(INT64_MAX))
    assert cl[1].v0.predicate == pred_and(pred_abs(c + 5), pred_unconditional())


@pytest.mark.parametrize("which", ASSETS)
def test_balance_does_not_exist_and_no_destination_match(which):
    w = World()
    asset, amount = _asset_amount(w, which)
    w.prepare(asset, amount)
    bid = create(w.acc1, asset, amount, w.valid)
    zero = xdr.ClaimableBalanceID(xdr.ClaimableBalanceIDType.CLAIMABLE_BALANCE_ID_TYPE_V0, b"\0" * 32)
    fails(w.acc1.apply([claim_cb(zero)]), CL.CLAIM_CLAIMABLE_BALANCE_DOES_NOT_EXIST)
    fails(w.issuer.apply([claim_cb(bid)]), CL.CLAIM_CLAIMABLE_BALANCE_CANNOT_CLAIM)


@pytest.mark.parametrize("which", ASSETS)
def test_multiple_create_and_claims_and_seq_in_id(which):
    w = World()
    asset, amount = _asset_amount(w, which)
    w.prepare(asset, amount)
    first = create(w.acc1, asset, amount, w.valid)
    ok(w.root.pay(w.acc1, w.L.min_balance(1)))
    w.fund(asset, amount)
    w.create_and_claim(asset, amount, w.valid)
    assert cb_entry(w.L, first) is not None  # same parameters, other seq: other ID


@pytest.mark.parametrize("which", ASSETS)
@pytest.mark.parametrize("same_tx", [False, True])
def test_created_by_is_claimant(which, same_tx):
    w = World()
    asset, amount = _asset_amount(w, which)
    w.prepare(asset, amount)
    acc1 = w.acc1
    pre_native = acc1.balance
    pre_asset = 0 if which == "native" else trustline(acc1, asset).balance
    if same_tx:
        bid = balance_id(acc1, acc1.seq + 1, 0)
        ok(acc1.apply([create_cb(asset, amount, [claimant(acc1, simple_pred(3))]), claim_cb(bid)]))
    else:
        ok(acc1.apply([claim_cb(create(acc1, asset, amount, [claimant(acc1, simple_pred(3))]))]))
    assert acc1.balance == pre_native - 2 * FEE
    assert (0 if which == "native" else trustline(acc1, asset).balance) == pre_asset


def test_claim_trustline_issues():
    w = World()
    acc2, issuer, usd = w.acc2, w.issuer, w.usd
    ok(issuer.pay(acc2, INT64_MAX, usd))
    acc3 = w.root.create("acc3", w.L.min_balance(3))
    bid = create(acc2, usd, INT64_MAX - 100, [claimant(acc3, simple_pred(3))])
    fails(acc3.apply([claim_cb(bid)]), CL.CLAIM_CLAIMABLE_BALANCE_NO_TRUST)
    set_account_flags(w.L, issuer, AF.AUTH_REQUIRED_FLAG)
    ok(acc3.apply([change_trust(usd, INT64_MAX)]))
    fails(acc3.apply([claim_cb(bid)]), CL.CLAIM_CLAIMABLE_BALANCE_NOT_AUTHORIZED)
    ok(issuer.apply([allow_trust(acc3, usd, 1)]))
    ok(issuer.pay(acc3, 101, usd))
    fails(acc3.apply([claim_cb(bid)]), CL.CLAIM_CLAIMABLE_BALANCE_LINE_FULL)
    ok(acc3.pay(issuer, 1, usd))
    ok(acc3.apply([claim_cb(bid)]))
    assert trustline(acc3, usd).balance == INT64_MAX


def test_native_line_full():
    w = World()
    issuer = w.issuer
    put_offer(w.L, issuer, 1, w.usd, native(), INT64_MAX - issuer.balance)
    amount = issuer.balance
    ok(w.root.pay(w.acc2, amount))
    bid = create(w.acc2, native(), amount, [claimant(issuer, simple_pred(3))])
    fails(issuer.apply([claim_cb(bid)]), CL.CLAIM_CLAIMABLE_BALANCE_LINE_FULL)


def test_multiple_creates_in_tx_index_in_hash():
    w = World()
    acc1 = w.acc1
    ok(w.root.pay(acc1, w.L.min_balance(1)))
    r = ok(acc1.apply([create_cb(native(), 1, w.valid), create_cb(native(), 2, w.valid)]))
    for i, amount in enumerate((1, 2)):
        bid = balance_id(acc1, acc1.seq, i)
        assert r.op_results[i].tr.createClaimableBalanceResult.balanceID == bid
        e = cb_entry(w.L, bid)
        assert (e.asset, e.amount, e.balanceID, e.ext.v) == (native(), amount, bid, 0)


def test_multiple_claimants_claim_in_same_tx():
    w = World()
    acc2, issuer = w.acc2, w.issuer
    bid = create(w.acc1, native(), 1, w.valid + [claimant(w.root, simple_pred(2))])
    acc2_before, issuer_before = acc2.balance, issuer.balance
    r = apply_ops(w.L, acc2, [claim_cb(bid), claim_cb(bid, issuer)], signers=[acc2, issuer])
    assert r.code == TC.txFAILED
    assert r.op_code(0) == CL.CLAIM_CLAIMABLE_BALANCE_SUCCESS
    assert r.op_code(1) == CL.CLAIM_CLAIMABLE_BALANCE_DOES_NOT_EXIST
    assert acc2.balance == acc2_before - 2 * FEE
    assert issuer.balance == issuer_before


def test_tx_account_differs_from_op_account():
    """The ID hashes the tx source and its seq, not the op source."""
    w = World()
    acc1, acc2 = w.acc1, w.acc2
    ok(w.root.pay(acc2, w.L.min_balance(1)))
    ok(apply_ops(w.L, acc1, [create_cb(native(), 1, w.valid, acc2)], signers=[acc1, acc2]))
    bid = balance_id(acc1, acc1.seq, 0)
    ok(acc2.apply([claim_cb(bid)]))


def test_tx_account_used_in_hash():
    w = World()
    acc_a = w.root.create("accA", w.L.min_balance(3))
    acc_b = w.root.create("accB", w.L.min_balance(4))
    edit_account(w.L, acc_a, lambda a: setattr(a, "seqNum", acc_b.seq))  # accA.bumpSequence(accB's seq)
    id1 = create(acc_b, native(), 100, w.valid)
    ok(apply_ops(w.L, acc_a, [create_cb(native(), 100, w.valid, acc_b)], signers=[acc_a, acc_b]))
    id2 = balance_id(acc_a, acc_a.seq, 0)
    assert id1 != id2
    ok(w.acc2.apply([claim_cb(id1)]))
    ok(w.acc2.apply([claim_cb(id2)]))


def test_source_account_is_issuer():
    w = World()
    eur = credit("EUR", w.issuer)
    r_before = w.issuer.balance
    bid = create(w.issuer, eur, 100, [claimant(w.issuer, pred_unconditional())])
    r = ok(w.issuer.apply([claim_cb(bid)]))
    assert w.issuer.balance == r_before - 2 * FEE
    # issuer -> balance is a mint, balance -> issuer a burn
    ev = r.meta.v4.operations[0].events
    assert ev[0].body.v0.topics[0] == E.symbol("burn")
    assert ev[0].body.v0.topics[1] == E.address_val(E.claimable_balance_address(bid))


def test_create_and_claim_events():
    w = World()
    w.prepare(w.usd, 100)
    r = ok(w.acc1.apply([create_cb(w.usd, 100, w.valid)]))
    bid = balance_id(w.acc1, w.acc1.seq)
    cba = E.address_val(E.claimable_balance_address(bid))
    ev = r.meta.v4.operations[0].events
    assert [e.body.v0.topics for e in ev] == [[E.symbol("transfer"), E.address_val(E.account_address(w.acc1.id)),
                                               cba, E.sep11_asset_string(w.usd)]]
    assert ev[0].body.v0.data == E.i128(100)
    r = ok(w.acc2.apply([claim_cb(bid)]))
    ev = r.meta.v4.operations[0].events
    assert [e.body.v0.topics for e in ev] == [[E.symbol("transfer"), cba, E.address_val(E.account_address(w.acc2.id)),
                                               E.sep11_asset_string(w.usd)]]


def test_too_many_sponsoring_without_sandwich():
    """The creator sponsors its balances: numSponsoring near UINT32_MAX."""
    for n in (1, 3):
        w = World()
        claimants = w.valid + [claimant(w.root, simple_pred(1)), claimant(w.acc1, simple_pred(1))][:n - 1]
        ok(w.root.pay(w.acc1, w.L.min_balance(10)))
        ok(w.root.pay(w.acc1, available(w.root) // 2))
        edit_account(w.L, w.acc1, lambda a: setattr(B.prepare_account_ext_v2(a), "numSponsoring", UINT32_MAX - n))
        ok(w.acc1.apply([create_cb(native(), 1, claimants)]))
        fails(w.acc1.apply([create_cb(native(), 1, claimants)]), OC.opTOO_MANY_SPONSORING)


def test_create_is_sponsored_and_claim_returns_reserve():
    require_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES)
    w = World()
    L, root, acc1, acc2 = w.L, w.root, w.acc1, w.acc2
    ok(root.pay(acc1, 1000))
    acc1_before, root_before = available(acc1), available(root)
    r = ok(apply_ops(L, root, [begin_sponsoring(acc1), create_cb(native(), 100, w.valid, acc1),
                               end_sponsoring(acc1)], signers=[root, acc1]))
    bid = balance_id(root, root.seq, 1)
    assert r.op_results[1].tr.createClaimableBalanceResult.balanceID == bid
    assert entry_sponsor(L, claimable_balance_key(bid)) == root.id
    assert available(root) == root_before - L.header.baseReserve - 3 * FEE
    assert available(acc1) == acc1_before - 100
    assert sponsor_counts(root) == (1, 0) and sponsor_counts(acc1) == (0, 0)
    after = available(root)
    ok(acc2.apply([claim_cb(bid)]))
    assert available(root) == after + L.header.baseReserve and sponsor_counts(root) == (0, 0)


def test_claim_is_sponsored_changes_nothing_for_the_balance():
    require_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES)
    w = World()
    bid = create(w.acc1, native(), 100, w.valid)
    acc1_after = available(w.acc1)
    acc2_before = w.acc2.balance
    ok(apply_ops(w.L, w.root, [begin_sponsoring(w.acc2), claim_cb(bid, w.acc2), end_sponsoring(w.acc2)],
                 signers=[w.root, w.acc2]))
    assert available(w.acc1) == acc1_after + w.L.header.baseReserve
    assert w.acc2.balance == acc2_before + 100  # the fee was root's


def test_merge_sponsoring_account():
    require_op(OT.ACCOUNT_MERGE)
    w = World()
    create(w.acc1, native(), 1, w.valid)
    r = w.acc1.apply([xdr.Operation(sourceAccount=None, body=xdr.OperationBody(
        OT.ACCOUNT_MERGE, xdr.MuxedAccount(ed25519=w.root.id.ed25519)))])
    fails(r, xdr.AccountMergeResultCode.ACCOUNT_MERGE_IS_SPONSOR)


def test_op_source_last_modified_updated_on_claim_of_sponsored_balance():
    require_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES)
    for is_clawback in (False, True):
        w = World()
        L, root, acc2, issuer = w.L, w.root, w.acc2, w.issuer
        if is_clawback:
            set_account_flags(L, issuer, AF.AUTH_CLAWBACK_ENABLED_FLAG | AF.AUTH_REVOCABLE_FLAG)
        idr = credit("IDR", issuer)
        ok(acc2.apply([change_trust(idr, 1)]))
        ok(issuer.pay(acc2, 1, idr))
        ok(apply_ops(L, root, [begin_sponsoring(acc2), create_cb(idr, 1, w.valid, acc2), end_sponsoring(acc2)],
                     signers=[root, acc2]))
        bid = balance_id(root, root.seq, 1)
        who = issuer if is_clawback else acc2
        op = clawback_cb(bid, who) if is_clawback else claim_cb(bid, who)
        seq = L.header.ledgerSeq
        ok(apply_ops(L, root, [op], signers=[root, who]))
        assert L.load(account_key(who.id)).lastModifiedLedgerSeq == seq


# == ClawbackClaimableBalanceTests ===================================================
class CWorld:
    def __init__(self):
        L, a1, gw = world((("A1", 4), ("gw", 4)))
        self.L, self.root, self.a1, self.gw = L, L.root, a1, gw
        self.idr = credit("IDR", gw)
        set_account_flags(L, gw, AF.AUTH_CLAWBACK_ENABLED_FLAG | AF.AUTH_REVOCABLE_FLAG)
        ok(a1.apply([change_trust(self.idr, 1000)]))
        ok(gw.pay(a1, 100, self.idr))
        self.to_gw = claimant(gw, pred_unconditional())


def test_clawback_basic():
    w = CWorld()
    bid = create(w.a1, w.idr, 99, [w.to_gw])
    assert cb_entry(w.L, bid).ext.v == 1 and cb_entry(w.L, bid).ext.v1.flags == 1
    r = ok(w.gw.apply([clawback_cb(bid)]))
    ev = r.meta.v4.operations[0].events
    assert [e.body.v0.topics for e in ev] == [[E.symbol("clawback"),
                                               E.address_val(E.claimable_balance_address(bid)),
                                               E.sep11_asset_string(w.idr)]]
    assert ev[0].body.v0.data == E.i128(99)
    assert sponsor_counts(w.a1) == (0, 0)
    fails(w.gw.apply([claim_cb(bid)]), CL.CLAIM_CLAIMABLE_BALANCE_DOES_NOT_EXIST)
    fails(w.gw.apply([clawback_cb(bid)]), CB.CLAWBACK_CLAIMABLE_BALANCE_DOES_NOT_EXIST)


def test_clawback_alphanum12():
    w = CWorld()
    a12 = credit("DOLLAR", w.gw)
    ok(w.a1.apply([change_trust(a12, 1000)]))
    ok(w.gw.pay(w.a1, 100, a12))
    ok(w.gw.apply([clawback_cb(create(w.a1, a12, 99, [w.to_gw]))]))


@pytest.mark.parametrize("sponsor", ["gw", "root"])
def test_clawback_sponsored_balance(sponsor):
    require_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES)
    w = CWorld()
    acc = w.gw if sponsor == "gw" else w.root
    ok(apply_ops(w.L, acc, [begin_sponsoring(w.a1, acc), create_cb(w.idr, 100, [w.to_gw], w.a1),
                            end_sponsoring(w.a1)], signers=[acc, w.a1]))
    bid = balance_id(acc, acc.seq, 1)
    assert entry_sponsor(w.L, claimable_balance_key(bid)) == acc.id
    assert w.a1.num_sub_entries == 1 and sponsor_counts(w.a1) == (0, 0)
    assert sponsor_counts(acc) == (1, 0)
    ok(w.gw.apply([clawback_cb(bid)]))
    assert sponsor_counts(acc) == (0, 0)
    fails(w.gw.apply([clawback_cb(bid)]), CB.CLAWBACK_CLAIMABLE_BALANCE_DOES_NOT_EXIST)


def test_issuer_claimable_balance():
    w = CWorld()
    set_account_flags(w.L, w.gw, clear_flags=AF.AUTH_CLAWBACK_ENABLED_FLAG)
    id1 = create(w.gw, w.idr, 100, [claimant(w.a1, pred_unconditional())])
    fails(w.gw.apply([clawback_cb(id1)]), CB.CLAWBACK_CLAIMABLE_BALANCE_NOT_CLAWBACK_ENABLED)
    set_account_flags(w.L, w.gw, AF.AUTH_CLAWBACK_ENABLED_FLAG)
    id2 = create(w.gw, w.idr, 100, [w.to_gw])
    ok(w.gw.apply([clawback_cb(id2)]))
    ok(w.a1.apply([change_trust(w.idr, 1000)]))
    ok(w.a1.apply([claim_cb(id1)]))
    assert trustline(w.a1, w.idr).balance == 200


def test_clawback_not_issuer():
    w = CWorld()
    nat = create(w.a1, native(), 1, [w.to_gw])
    fails(w.gw.apply([clawback_cb(nat)]), CB.CLAWBACK_CLAIMABLE_BALANCE_NOT_ISSUER)
    ok(w.root.pay(w.a1, w.L.min_balance(2)))
    b4 = create(w.a1, w.idr, 99, [w.to_gw])
    fails(w.root.apply([clawback_cb(b4)]), CB.CLAWBACK_CLAIMABLE_BALANCE_NOT_ISSUER)
    a12 = credit("DOLLAR", w.gw)
    ok(w.a1.apply([change_trust(a12, 1000)]))
    ok(w.gw.pay(w.a1, 100, a12))
    b12 = create(w.a1, a12, 99, [w.to_gw])
    fails(w.root.apply([clawback_cb(b12)]), CB.CLAWBACK_CLAIMABLE_BALANCE_NOT_ISSUER)


def test_clawback_not_enabled():
    w = CWorld()
    set_account_flags(w.L, w.gw, clear_flags=AF.AUTH_CLAWBACK_ENABLED_FLAG)
    usd = credit("USD", w.gw)
    ok(w.a1.apply([change_trust(usd, 1000)]))
    ok(w.gw.pay(w.a1, 100, usd))
    bid = create(w.a1, usd, 100, [w.to_gw])
    assert cb_entry(w.L, bid).ext.v == 0
    fails(w.gw.apply([clawback_cb(bid)]), CB.CLAWBACK_CLAIMABLE_BALANCE_NOT_CLAWBACK_ENABLED)
    ok(w.gw.apply([claim_cb(bid)]))
