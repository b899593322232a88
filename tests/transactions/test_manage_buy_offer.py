"""ManageBuyOffer against stellar-core's ManageBuyOfferTests.cpp ("manage
buy offer failure modes", "manage buy offer liabilities", "manage buy
offer exactly crosses existing offers", "manage buy offer releases
liabilities before modify"), protocol 23+. Expected values (codes, offer
IDs, liabilities) are stellar-core's.
"""
from __future__ import annotations

import pytest

from tests.transactions.dexscen import (AF, INT64_MAX, MBO, OT, TLF, TestLedger, allow_trust, apply_op,
                                        change_trust, credit, deny_trust, expect_code, liabilities, load_offer,
                                        make_op, manage_buy_offer, manage_offer, muxed, native, op_manage_buy_offer,
                                        pay, price, require_op, set_flags, UPDATED, DELETED, xdr)

TXFEE = 100


@pytest.fixture(autouse=True)
def _needs_op():
    require_op(OT.MANAGE_BUY_OFFER)


class W:
    """The set-up of "manage buy offer failure modes"."""

    def __init__(self):
        self.L = L = TestLedger()
        self.root = L.root
        self.mbf = lambda n: L.min_balance(n) + 100 * TXFEE
        self.issuer1 = self.root.create("issuer1", self.mbf(0))
        self.issuer2 = self.root.create("issuer2", self.mbf(0))
        self.xlm = native()
        self.cur1 = credit("CUR1", self.issuer1)
        self.cur2 = credit("CUR2", self.issuer2)


def _invalid_asset():
    return xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                     xdr.AlphaNum4(assetCode=b"\0\0\0\0", issuer=xdr.PublicKey(ed25519=b"\0" * 32)))


# == check valid =====================================================================
@pytest.mark.parametrize("case", ["selling invalid", "buying invalid", "same asset", "negative amount",
                                  "price n 0", "price n -1", "price d 0", "price d -1", "delete and create",
                                  "negative offerID"])
def test_check_valid_malformed(case):
    w = W()
    a1 = w.root.create("a1", w.mbf(1))
    c1, c2, xlm = w.cur1, w.cur2, w.xlm
    args = {
        "selling invalid": (0, _invalid_asset(), xlm, (1, 1), 1),
        "buying invalid": (0, xlm, _invalid_asset(), (1, 1), 1),
        "same asset": (0, c1, c1, (1, 1), 1),
        "negative amount": (0, c1, c2, (1, 1), -1),
        "price n 0": (0, c1, c2, (0, 1), 1),
        "price n -1": (0, c1, c2, (-1, 1), 1),
        "price d 0": (0, c1, c2, (1, 0), 1),
        "price d -1": (0, c1, c2, (1, -1), 1),
        "delete and create": (0, c1, c2, (1, 1), 0),
        "negative offerID": (-1, c1, xlm, (1, 1), 1),
    }[case]
    oid, sell, buy, p, amt = args
    with expect_code(MBO.MANAGE_BUY_OFFER_MALFORMED):
        manage_buy_offer(a1, oid, sell, buy, price(*p), amt)


# == check offer valid ================================================================
@pytest.mark.parametrize("sell_cur1", [True, False], ids=["sell no issuer", "buy no issuer"])
def test_no_issuer_is_fine(sell_cur1):
    w = W()
    a1 = w.root.create("a1", w.mbf(3))
    change_trust(a1, w.cur1, INT64_MAX)
    pay(w.issuer1, a1, w.cur1, 1)
    apply_op(w.issuer1, make_op(OT.ACCOUNT_MERGE, w.root.muxed))
    if sell_cur1:
        manage_buy_offer(a1, 0, w.cur1, w.xlm, price(1, 1), 1)
    else:
        manage_buy_offer(a1, 0, w.xlm, w.cur1, price(1, 1), 1)


def test_sell_no_trust():
    w = W()
    a1 = w.root.create("a1", w.mbf(1))
    with expect_code(MBO.MANAGE_BUY_OFFER_SELL_NO_TRUST):
        manage_buy_offer(a1, 0, w.cur1, w.xlm, price(1, 1), 1)


def test_sell_no_balance():
    w = W()
    a1 = w.root.create("a1", w.mbf(1))
    change_trust(a1, w.cur1, INT64_MAX)
    with expect_code(MBO.MANAGE_BUY_OFFER_UNDERFUNDED):
        manage_buy_offer(a1, 0, w.cur1, w.xlm, price(1, 1), 1)


def test_sell_not_authorized():
    w = W()
    set_flags(w.issuer1, AF.AUTH_REQUIRED_FLAG | AF.AUTH_REVOCABLE_FLAG)
    a1 = w.root.create("a1", w.mbf(1))
    change_trust(a1, w.cur1, INT64_MAX)
    allow_trust(w.issuer1, a1, w.cur1)
    pay(w.issuer1, a1, w.cur1, 1)
    deny_trust(w.issuer1, a1, w.cur1)
    with expect_code(MBO.MANAGE_BUY_OFFER_SELL_NOT_AUTHORIZED):
        manage_buy_offer(a1, 0, w.cur1, w.xlm, price(1, 1), 1)


def test_buy_no_trust():
    w = W()
    a1 = w.root.create("a1", w.mbf(1))
    with expect_code(MBO.MANAGE_BUY_OFFER_BUY_NO_TRUST):
        manage_buy_offer(a1, 0, w.xlm, w.cur2, price(1, 1), 1)


def test_buy_not_authorized():
    w = W()
    set_flags(w.issuer2, AF.AUTH_REQUIRED_FLAG)
    a1 = w.root.create("a1", w.mbf(1))
    change_trust(a1, w.cur2, INT64_MAX)
    with expect_code(MBO.MANAGE_BUY_OFFER_BUY_NOT_AUTHORIZED):
        manage_buy_offer(a1, 0, w.xlm, w.cur2, price(1, 1), 1)


def _funded(w, name, bal, lim2=INT64_MAX, pay1=1, pay2=1):
    a = w.root.create(name, bal)
    change_trust(a, w.cur1, INT64_MAX)
    change_trust(a, w.cur2, lim2)
    if pay1:
        pay(w.issuer1, a, w.cur1, pay1)
    if pay2:
        pay(w.issuer2, a, w.cur2, pay2)
    return a


def test_offer_must_exist_and_be_owned():
    w = W()
    a1 = _funded(w, "a1", w.mbf(3))
    with expect_code(MBO.MANAGE_BUY_OFFER_NOT_FOUND):
        manage_buy_offer(a1, 1, w.cur1, w.cur2, price(1, 1), 1)
    a2 = _funded(w, "a2", w.mbf(3))
    assert manage_buy_offer(a2, 0, w.cur1, w.cur2, price(1, 1), 1) == 1
    assert manage_buy_offer(a2, 1, w.cur1, w.cur2, price(1, 1), 1, UPDATED) == 1
    with expect_code(MBO.MANAGE_BUY_OFFER_NOT_FOUND):
        manage_buy_offer(a1, 1, w.cur1, w.cur2, price(1, 1), 1)


# == compute offer exchange parameters ====================================================
def test_reserve():
    w = W()
    mb = w.L.min_balance(3) + 3 * TXFEE
    a1 = _funded(w, "a1", mb - 1)
    with expect_code(MBO.MANAGE_BUY_OFFER_LOW_RESERVE):
        manage_buy_offer(a1, 0, w.cur1, w.cur2, price(1, 1), 1)
    a2 = _funded(w, "a2", mb)
    assert manage_buy_offer(a2, 0, w.cur1, w.cur2, price(1, 1), 1) == 1


def test_buying_liabilities():
    w = W()
    a1 = _funded(w, "a1", w.mbf(4), lim2=2000, pay1=INT64_MAX, pay2=1000)
    assert manage_buy_offer(a1, 0, w.cur1, w.cur2, price(1, 1), 500) == 1
    with expect_code(MBO.MANAGE_BUY_OFFER_LINE_FULL):
        manage_buy_offer(a1, 0, w.cur1, w.cur2, price(1, 1), 501)
    assert manage_buy_offer(a1, 0, w.cur1, w.cur2, price(1, 1), 500) == 2


def test_selling_liabilities():
    w = W()
    a1 = _funded(w, "a1", w.mbf(4), pay1=1000, pay2=0)
    assert manage_buy_offer(a1, 0, w.cur1, w.cur2, price(1, 1), 500) == 1
    with expect_code(MBO.MANAGE_BUY_OFFER_UNDERFUNDED):
        manage_buy_offer(a1, 0, w.cur1, w.cur2, price(1, 1), 501)
    assert manage_buy_offer(a1, 0, w.cur1, w.cur2, price(1, 1), 500) == 2


# == manage buy offer liabilities ============================================================
@pytest.mark.parametrize("buy_amount,p,expected_buying,expected_selling", [
    # wheat stays, no rounding
    (20, (2, 5), 20, 8), (20, (1, 2), 20, 10), (20, (1, 1), 20, 20), (20, (2, 1), 20, 40), (20, (5, 2), 20, 50),
    # wheat stays, rounding
    (21, (2, 5), 20, 8), (21, (1, 2), 20, 10), (21, (2, 1), 21, 42), (21, (5, 2), 21, 53),
    # sheep stays
    (INT64_MAX, (1, 1), INT64_MAX, INT64_MAX),
    (INT64_MAX, (2, 1), INT64_MAX // 2, INT64_MAX - 1),
    (INT64_MAX, (5, 2), INT64_MAX * 2 // 5, INT64_MAX - 2),
    # zero liabilities
    (1, (1, 2), 0, 0),
])
def test_offer_liabilities(buy_amount, p, expected_buying, expected_selling):
    """getOfferBuyingLiabilities / getOfferSellingLiabilities of the op."""
    from stellarcore.transactions.operations.manage_offer import ManageBuyOfferOpFrame
    from tests.transactions.harness import credit as cr
    from stellarcore.crypto.keys import SecretKey
    k1, k2 = SecretKey.for_test_account("x1"), SecretKey.for_test_account("x2")
    op = op_manage_buy_offer(0, cr("CUR1", k1), cr("CUR2", k2), price(*p), buy_amount, source=k1)
    frame = ManageBuyOfferOpFrame(op, None, 0)
    assert frame.offer_buying_liabilities() == expected_buying
    assert frame.offer_selling_liabilities() == expected_selling


# == exactly crosses existing offers ===========================================================
@pytest.mark.parametrize("p", [(2, 5), (1, 2), (1, 1), (2, 1), (5, 2)])
def test_exactly_crosses_existing_offers(p):
    require_op(OT.MANAGE_SELL_OFFER)
    L = TestLedger()
    root = L.root
    issuer = root.create("issuer", L.min_balance(0) + 100 * TXFEE)
    a1 = root.create("a1", L.min_balance(3) + 100 * TXFEE)
    a2 = root.create("a2", L.min_balance(3) + 100 * TXFEE)
    cur1, cur2 = credit("CUR1", issuer), credit("CUR2", issuer)
    change_trust(a1, cur1, INT64_MAX)
    pay(issuer, a1, cur1, INT64_MAX)
    change_trust(a1, cur2, INT64_MAX)
    change_trust(a2, cur1, INT64_MAX)
    change_trust(a2, cur2, INT64_MAX)
    pay(issuer, a2, cur2, INT64_MAX)
    offer_id = manage_offer(a1, 0, cur1, cur2, price(*p), 20)
    manage_buy_offer(a2, 0, cur2, cur1, price(*p), 20, DELETED)
    assert load_offer(L, a1, offer_id) is None
