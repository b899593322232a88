"""ManageSellOffer / CreatePassiveSellOffer against stellar-core's
OfferTests.cpp ("create offer", "liabilities match created offer"), the
protocol 10+ branches only (we are p23+). Scenario set-up, amounts, prices
and every expected value (result codes, offer states, balances,
liabilities) are stellar-core's; the harness checks the invariants
(liabilities match offers, conservation of lumens...) after every op.

Each stellar-core SECTION leaf is one test (Catch2 re-runs the set-up per
leaf); `World` is the shared set-up of "create offer".
"""
from __future__ import annotations

import pytest

from tests.transactions.dexscen import (AF, DELETED_STATE, INT64_MAX, MSO, OC, TLF, Market, OfferState, OT,
                                        TestLedger, allow_maintain_liabilities, balance, change_trust, credit,
                                        expect_code, liabilities, load_offer, manage_offer, native, pay, price,
                                        require_op, set_flags, xdr)

TXFEE = 100


@pytest.fixture(autouse=True)
def _needs_ops():
    require_op(OT.MANAGE_SELL_OFFER)


class World:
    """The set-up of TEST_CASE "create offer"."""

    def __init__(self):
        self.L = L = TestLedger()
        self.root = L.root
        self.tl_balance = 100000
        self.tl_limit = self.tl_balance * 10
        self.min_balance2 = L.min_balance(2) + 20 * TXFEE
        self.issuer = self.root.create("issuer", self.min_balance2 * 10)
        self.xlm = native()
        self.idr = credit("IDR", self.issuer)
        self.usd = credit("USD", self.issuer)
        self.market = Market(L)

    def mb(self, n: int) -> int:
        """getLastMinBalance(n)."""
        return self.L.min_balance(n)

    def account(self, name, bal, trust=(), limit=None):
        a = self.root.create(name, bal)
        for asset in trust:
            change_trust(a, asset, self.tl_limit if limit is None else limit)
        return a

    def pay(self, to, asset, amount):
        pay(self.issuer, to, asset, amount)


def S(selling, buying, p, amount, passive=False):
    return OfferState(selling, buying, p, amount, passive)


ONE = price(1, 1)


# == passive offer ===================================================================
@pytest.fixture
def passive_world():
    w = World()
    require_op(OT.CREATE_PASSIVE_SELL_OFFER)
    w.a1 = w.account("A", w.min_balance2 * 2, (w.idr, w.usd))
    w.b1 = w.account("B", w.min_balance2 * 2, (w.idr, w.usd))
    w.pay(w.a1, w.idr, w.tl_balance)
    w.pay(w.b1, w.usd, w.tl_balance)
    m = w.market
    w.first = m.require_changes_with_offer([], lambda: m.add_offer(w.a1, S(w.idr, w.usd, ONE, 100)))
    w.second = m.require_changes_with_offer([], lambda: m.add_offer(w.b1, S(w.usd, w.idr, ONE, 100, True)))
    return w


def test_passive_offer_does_not_cross_same_price(passive_world):
    w = passive_world
    assert load_offer(w.L, w.b1, w.second.offer_id).flags == xdr.OfferEntryFlags.PASSIVE_FLAG


def test_create_passive_offer_with_better_price(passive_world):
    w, m = passive_world, passive_world.market
    m.require_changes_with_offer([w.first.deleted()], lambda: m.add_offer(
        w.b1, S(w.usd, w.idr, price(99, 100), 100, True), DELETED_STATE))


def test_modify_passive_offer_higher_price(passive_world):
    w, m = passive_world, passive_world.market
    m.require_changes_with_offer([], lambda: m.update_offer(
        w.b1, w.second.offer_id, S(w.usd, w.idr, price(100, 99), 100, True)))


def test_modify_passive_offer_lower_price(passive_world):
    w, m = passive_world, passive_world.market
    m.require_changes_with_offer([w.first.deleted()], lambda: m.update_offer(
        w.b1, w.second.offer_id, S(w.usd, w.idr, price(99, 100), 100, True), DELETED_STATE))


def test_passive_result_is_manage_sell_offer_result(passive_world):
    """CreatePassiveSellOffer applies as ManageSellOffer: its result's arm
    is MANAGE_SELL_OFFER (applyCreatePassiveOffer reads
    tr().manageSellOfferResult())."""
    from tests.transactions.dexscen import apply_op, op_create_passive_sell_offer
    w = passive_world
    r = apply_op(w.b1, op_create_passive_sell_offer(w.usd, w.idr, price(100, 99), 10))
    assert r.op_results[0].tr.type == OT.MANAGE_SELL_OFFER


# == create offer errors ==============================================================
def test_error_no_trustline_for_selling():
    w = World()
    a1 = w.account("A", w.min_balance2)
    with expect_code(MSO.MANAGE_SELL_OFFER_SELL_NO_TRUST):
        w.market.require_changes_with_offer([], lambda: w.market.add_offer(a1, S(w.idr, w.usd, ONE, 100)))


def test_no_issuer_for_selling_is_fine_from_v13():
    w = World()
    a1 = w.account("A", w.min_balance2, (w.idr,))
    w.pay(a1, w.idr, w.tl_limit)
    from tests.transactions.dexscen import apply_op, make_op
    apply_op(w.issuer, make_op(OT.ACCOUNT_MERGE, w.root.muxed))
    w.market.require_changes_with_offer([], lambda: w.market.add_offer(a1, S(w.idr, w.xlm, ONE, 100)))


def test_error_no_amount_of_asset():
    w = World()
    a1 = w.account("A", w.min_balance2, (w.idr,))
    with expect_code(MSO.MANAGE_SELL_OFFER_UNDERFUNDED):
        w.market.require_changes_with_offer([], lambda: w.market.add_offer(a1, S(w.idr, w.usd, ONE, 100)))


def test_error_no_trustline_for_buying():
    w = World()
    a1 = w.account("A", w.min_balance2, (w.idr,))
    w.pay(a1, w.idr, w.tl_limit)
    with expect_code(MSO.MANAGE_SELL_OFFER_BUY_NO_TRUST):
        w.market.require_changes_with_offer([], lambda: w.market.add_offer(a1, S(w.idr, w.usd, ONE, 100)))


def test_no_issuer_for_buying_is_fine_from_v13():
    w = World()
    a1 = w.account("A", w.min_balance2, (w.idr,))
    w.pay(a1, w.idr, 100)
    from tests.transactions.dexscen import apply_op, make_op
    apply_op(w.issuer, make_op(OT.ACCOUNT_MERGE, w.root.muxed))
    w.market.require_changes_with_offer([], lambda: w.market.add_offer(a1, S(w.xlm, w.idr, ONE, 100)))


def test_error_low_reserve():
    w = World()
    a1 = w.account("A", w.min_balance2, (w.idr, w.usd))
    w.pay(a1, w.idr, w.tl_limit)
    with expect_code(MSO.MANAGE_SELL_OFFER_LOW_RESERVE):
        w.market.require_changes_with_offer([], lambda: w.market.add_offer(a1, S(w.idr, w.usd, ONE, 100)))


@pytest.mark.parametrize("usd_limit", ["tl_limit", "int64_max"])
def test_error_trustline_filled_up(usd_limit):
    w = World()
    limit = w.tl_limit if usd_limit == "tl_limit" else INT64_MAX
    a1 = w.account("A", w.min_balance2, (w.idr,))
    change_trust(a1, w.usd, limit)
    w.pay(a1, w.idr, w.tl_limit)
    w.pay(a1, w.usd, limit)
    pay(w.root, a1, w.xlm, w.min_balance2)
    with expect_code(MSO.MANAGE_SELL_OFFER_LINE_FULL):
        w.market.require_changes_with_offer([], lambda: w.market.add_offer(a1, S(w.idr, w.usd, ONE, 100)))


def test_error_amount_zero_is_malformed():
    w = World()
    a1 = w.account("A", w.min_balance2, (w.idr, w.usd))
    w.pay(a1, w.idr, w.tl_limit)
    w.pay(a1, w.usd, w.tl_limit)
    pay(w.root, a1, w.xlm, w.min_balance2)
    with expect_code(MSO.MANAGE_SELL_OFFER_MALFORMED):
        w.market.require_changes_with_offer([], lambda: w.market.add_offer(a1, S(w.idr, w.usd, ONE, 0)))


@pytest.mark.parametrize("n,d", [(-1, -1), (-1, 1), (0, -1), (-1, 0), (0, 0), (0, 1), (1, -1), (1, 0)])
def test_error_invalid_prices(n, d):
    w = World()
    a = w.account("A", w.min_balance2 * 2, (w.idr,))
    with expect_code(MSO.MANAGE_SELL_OFFER_MALFORMED):
        w.market.require_changes_with_offer([], lambda: w.market.add_offer(a, S(w.xlm, w.idr, price(n, d), 150)))


def test_error_negative_offer_id():
    """"negative offerID": MALFORMED from protocol 15."""
    w = World()
    a1 = w.account("A", w.min_balance2 * 2, (w.idr, w.usd))
    w.pay(a1, w.idr, 1000)
    with expect_code(MSO.MANAGE_SELL_OFFER_MALFORMED):
        manage_offer(a1, -1, w.idr, w.usd, ONE, 100)


@pytest.mark.parametrize("sell,buy", [("idr", "idr"), ("xlm", "xlm")])
def test_error_same_assets_malformed(sell, buy):
    w = World()
    a1 = w.account("A", w.min_balance2 * 2, (w.idr,))
    with expect_code(MSO.MANAGE_SELL_OFFER_MALFORMED):
        manage_offer(a1, 0, getattr(w, sell), getattr(w, buy), ONE, 100)


# == update offer ======================================================================
@pytest.fixture
def update_world():
    w = World()
    w.a1 = w.account("A", w.mb(3) + 10000, (w.usd, w.idr))
    w.pay(w.a1, w.idr, w.tl_balance)
    m = w.market
    w.offer = m.require_changes_with_offer([], lambda: m.add_offer(w.a1, S(w.idr, w.usd, ONE, 100)))
    return w


def _cancel(w):
    m = w.market
    m.require_changes_with_offer([], lambda: m.update_offer(
        w.a1, w.offer.offer_id, S(w.idr, w.usd, ONE, 0), DELETED_STATE))


def test_cancel_offer(update_world):
    w = update_world
    n = w.a1.num_sub_entries
    _cancel(w)
    assert w.a1.num_sub_entries == n - 1
    assert liabilities(w.a1, w.idr) == (0, 0) and liabilities(w.a1, w.usd) == (0, 0)


def test_cancel_offer_with_full_buying_trust_line(update_world):
    w = update_world
    usd_buying = liabilities(w.a1, w.usd)[0]
    assert usd_buying == 100
    w.pay(w.a1, w.usd, w.tl_limit - usd_buying)
    with expect_code(xdr.PaymentResultCode.PAYMENT_LINE_FULL):
        w.pay(w.a1, w.usd, 1)
    _cancel(w)


@pytest.mark.parametrize("p,amount", [((1, 2), 100), ((1, 1), 10)], ids=["price", "amount"])
def test_update_price_or_amount(update_world, p, amount):
    w, m = update_world, update_world.market
    m.require_changes_with_offer([], lambda: m.update_offer(w.a1, w.offer.offer_id,
                                                            S(w.idr, w.usd, price(*p), amount)))


def test_update_selling_buying_assets(update_world):
    w, m = update_world, update_world.market
    w.pay(w.a1, w.usd, w.tl_balance)
    m.require_changes_with_offer([], lambda: m.update_offer(w.a1, w.offer.offer_id, S(w.usd, w.idr, ONE, 10)))
    assert liabilities(w.a1, w.usd) == (0, 10) and liabilities(w.a1, w.idr) == (10, 0)


@pytest.mark.parametrize("amount", [100, 0], ids=["update", "delete"])
def test_update_or_delete_non_existent_offer(update_world, amount):
    w, m = update_world, update_world.market
    with expect_code(MSO.MANAGE_SELL_OFFER_NOT_FOUND):
        m.require_changes_with_offer([], lambda: m.update_offer(w.a1, w.offer.offer_id + 1,
                                                                S(w.idr, w.usd, ONE, amount)))


# == create offer: idr <-> xlm =========================================================
@pytest.fixture
def create_world():
    w = World()
    w.nb_offers = 22
    w.a1 = w.account("A", w.mb(3 + w.nb_offers) + 10000, (w.usd, w.idr))
    w.pay(w.a1, w.idr, w.tl_balance)
    return w


@pytest.mark.parametrize("sell", ["xlm", "idr"], ids=["idr->xlm", "xlm->idr"])
def test_create_native_offer(create_world, sell):
    w, m = create_world, create_world.market
    selling, buying = (w.xlm, w.idr) if sell == "xlm" else (w.idr, w.xlm)
    m.require_changes_with_offer([], lambda: m.add_offer(w.a1, S(selling, buying, price(3, 2), 100)))


@pytest.fixture
def crossing_world(create_world):
    w, m = create_world, create_world.market
    w.a1_offer = m.require_changes_with_offer([], lambda: m.add_offer(w.a1, S(w.idr, w.xlm, ONE, w.tl_balance)))
    return w


def _check_crossed(w, b1, actual_payment, offer_amount):
    b1_before, a1_before = b1.balance, w.a1.balance
    w.market.add_offer(b1, S(w.xlm, w.idr, ONE, offer_amount), DELETED_STATE)
    w.market.require_balances({
        w.a1: [(w.xlm, a1_before + actual_payment), (w.idr, w.tl_balance - actual_payment)],
        b1: [(w.xlm, b1_before - TXFEE - actual_payment), (w.idr, actual_payment)]})


def test_crossing_small_offer_low_reserve(crossing_world):
    w = crossing_world
    b1 = w.root.create("B", w.mb(1) + TXFEE * 2 + 1000)
    change_trust(b1, w.idr, 1000000000000000000)
    with expect_code(MSO.MANAGE_SELL_OFFER_LOW_RESERVE):
        w.market.require_changes_with_offer([], lambda: w.market.add_offer(b1, S(w.xlm, w.idr, ONE, 1000)))


def test_crossing_oversell_cross_and_create(crossing_world):
    w = crossing_world
    delta = 100
    b1 = w.root.create("B", w.mb(2) + TXFEE * 2 + w.tl_balance - delta)
    change_trust(b1, w.idr, 1000000000000000000)
    actual = w.tl_balance - delta
    with expect_code(MSO.MANAGE_SELL_OFFER_UNDERFUNDED):
        _check_crossed(w, b1, actual, actual + 1)
    pay(w.root, b1, w.xlm, TXFEE)
    _check_crossed(w, b1, actual, actual)


# == create offer: multiple offers ======================================================
AUTH_STATES = ["authorized", "buy_maintain", "sell_maintain"]


@pytest.fixture
def multi_world(create_world):
    w, m = create_world, create_world.market
    w.b1 = w.account("B", w.mb(3) + 10000, (w.idr, w.usd))
    w.price = price(3, 2)
    w.offers = [m.require_changes_with_offer([], lambda: m.add_offer(w.a1, S(w.idr, w.usd, w.price, 100)))
                for _ in range(w.nb_offers)]
    return w


def _maybe_maintain(w, auth):
    if auth == "authorized":
        return
    set_flags(w.issuer, AF.AUTH_REQUIRED_FLAG | AF.AUTH_REVOCABLE_FLAG)
    allow_maintain_liabilities(w.issuer, w.a1, w.usd if auth == "buy_maintain" else w.idr)


@pytest.mark.parametrize("auth", AUTH_STATES)
def test_multiple_offers_does_not_cross(multi_world, auth):
    w, m = multi_world, multi_world.market
    _maybe_maintain(w, auth)
    w.pay(w.b1, w.usd, 20000)
    m.require_changes_with_offer([], lambda: m.add_offer(w.b1, S(w.usd, w.idr, price(2, 1), 40)))


def test_multiple_offers_crosses_own(multi_world):
    w, m = multi_world, multi_world.market
    w.pay(w.a1, w.usd, 20000)
    pay(w.a1, w.issuer, w.idr, 50000)
    with expect_code(MSO.MANAGE_SELL_OFFER_CROSS_SELF):
        m.require_changes_with_offer([], lambda: m.add_offer(w.a1, S(w.usd, w.idr, price(2, 3), 150)))


@pytest.mark.parametrize("auth", AUTH_STATES)
def test_multiple_offers_crosses_and_removes_first(multi_world, auth):
    w, m = multi_world, multi_world.market
    _maybe_maintain(w, auth)
    w.pay(w.b1, w.usd, 20000)
    m.require_changes_with_offer([w.offers[0].deleted(), w.offers[1]], lambda: m.add_offer(
        w.b1, S(w.usd, w.idr, price(2, 3), 150), DELETED_STATE))


@pytest.mark.parametrize("auth", AUTH_STATES)
@pytest.mark.parametrize("amount,seventh,balances", [
    # removes first six and changes seventh
    (1009, 28, ((1008, 99328), (18992, 672))),
    # removes first six and removes seventh by adjustment (1/54 > 3/200)
    (1010, None, ((1010, 99327), (18990, 673))),
], ids=["changes-seventh", "removes-seventh-by-adjustment"])
def test_multiple_offers_crosses_six(multi_world, auth, amount, seventh, balances):
    w, m = multi_world, multi_world.market
    _maybe_maintain(w, auth)
    w.pay(w.b1, w.usd, 20000)
    m.require_balances({w.a1: [(w.usd, 0), (w.idr, 100000)], w.b1: [(w.usd, 20000), (w.idr, 0)]})
    changes = [o.deleted() for o in w.offers[:6]]
    changes.append(w.offers[6].with_amount(seventh) if seventh else w.offers[6].deleted())
    m.require_changes_with_offer(changes, lambda: m.add_offer(w.b1, S(w.usd, w.idr, price(1, 2), amount),
                                                              DELETED_STATE))
    (a_usd, a_idr), (b_usd, b_idr) = balances
    m.require_balances({w.a1: [(w.usd, a_usd), (w.idr, a_idr)], w.b1: [(w.usd, b_usd), (w.idr, b_idr)]})


@pytest.mark.parametrize("auth", AUTH_STATES)
def test_multiple_offers_removes_all_and_remains(multi_world, auth):
    w, m = multi_world, multi_world.market
    _maybe_maintain(w, auth)
    w.pay(w.b1, w.usd, 20000)
    removed = [o.deleted() for o in w.offers]
    offer = m.require_changes_with_offer(removed, lambda: m.add_offer(
        w.b1, S(w.usd, w.idr, price(1, 2), 10000), S(w.usd, w.idr, price(1, 2), 6700)))
    m.require_balances({w.a1: [(w.usd, 3300), (w.idr, 97800)], w.b1: [(w.usd, 16700), (w.idr, 2200)]})
    assert liabilities(w.b1, w.usd) == (0, 6700) and liabilities(w.b1, w.idr) == (3350, 0)
    assert offer.offer_id == w.offers[-1].offer_id + 1


@pytest.mark.parametrize("auth", AUTH_STATES)
def test_multiple_offers_small_amount_crosses(multi_world, auth):
    w, m = multi_world, multi_world.market
    _maybe_maintain(w, auth)
    w.pay(w.b1, w.usd, 20000)
    changed = w.offers[0]
    for _ in range(10):
        changed = changed.with_amount(changed.state.amount - 6)
        m.require_changes_with_offer([changed], lambda: m.add_offer(w.b1, S(w.usd, w.idr, price(1, 2), 10),
                                                                    DELETED_STATE))
    m.require_balances({w.a1: [(w.usd, 90), (w.idr, 99940)], w.b1: [(w.usd, 19910), (w.idr, 60)]})


def test_multiple_offers_claim_atoms(multi_world):
    """The offersClaimed of "removes first and ..." (makeClaimAtom of each
    crossed offer: what the maker sold and bought)."""
    w = multi_world
    w.pay(w.b1, w.usd, 20000)
    from tests.transactions.dexscen import manage_offer_result
    res = manage_offer_result(w.b1, 0, w.usd, w.idr, price(1, 2), 1009)
    expected = [w.offers[i].exchanged(100, 150) for i in range(6)] + [w.offers[6].exchanged(72, 108)]
    assert list(res.success.offersClaimed) == expected
    assert res.success.offer.effect == xdr.ManageOfferEffect.MANAGE_OFFER_DELETED


# == create offer: offers with limit when buying ========================================
def test_offers_with_limit_when_buying_source_account_limit(create_world):
    w, m = create_world, create_world.market
    mult = 1000000
    c1 = w.root.create("C", w.mb(3) + 1000)
    change_trust(c1, w.idr, 2000 * mult)
    w.pay(c1, w.idr, 1000 * mult)
    change_trust(c1, w.usd, INT64_MAX)
    m.require_changes_with_offer([], lambda: m.add_offer(c1, S(w.idr, w.usd, price(9, 1), 1000 * mult)))
    b1 = w.root.create("B", w.mb(3) + 1000)
    change_trust(b1, w.idr, 101 * mult)
    w.pay(b1, w.idr, 100 * mult)
    change_trust(b1, w.usd, INT64_MAX)
    w.pay(b1, w.usd, 20000 * mult)
    with expect_code(MSO.MANAGE_SELL_OFFER_LINE_FULL):
        m.add_offer(b1, S(w.usd, w.idr, price(1, 100), 200 * mult), DELETED_STATE)


# == create offer: issuer offers =========================================================
@pytest.fixture
def issuer_world(create_world):
    w, m = create_world, create_world.market
    w.offer_a1 = m.require_changes_with_offer([], lambda: m.add_offer(w.a1, S(w.idr, w.usd, price(3, 2), 100)))
    return w


def test_issuer_creates_offer_claimed_by_somebody_else(issuer_world):
    w, m = issuer_world, issuer_world.market
    gw = m.require_changes_with_offer([], lambda: m.add_offer(w.issuer, S(w.idr, w.usd, price(9, 10), 100)))
    assert liabilities(w.issuer) == (0, 0)  # the issuer's own assets carry no liabilities
    w.pay(w.a1, w.usd, 1000)
    m.require_changes_with_offer([gw.deleted()], lambda: m.add_offer(w.a1, S(w.usd, w.idr, ONE, 90),
                                                                     DELETED_STATE))
    m.require_balances({w.a1: [(w.usd, 910), (w.idr, w.tl_balance + 100)]})


def test_issuer_claims_offer_from_somebody_else(issuer_world):
    w, m = issuer_world, issuer_world.market
    m.require_changes_with_offer([w.offer_a1.deleted()], lambda: m.add_offer(
        w.issuer, S(w.usd, w.idr, price(2, 3), 150), DELETED_STATE))
    m.require_balances({w.a1: [(w.usd, 150), (w.idr, w.tl_balance - 100)]})


# == crossing offers with rounding ========================================================
@pytest.fixture
def rounding_world():
    w = World()
    w.bid = S(w.xlm, w.idr, price(500, 2061), 8224563625)
    w.ask = S(w.idr, w.xlm, price(2551, 625), 2000000000)
    w.asking = w.root.create("asking offer account", 10000000000)
    w.bidding = w.root.create("bidding offer account", 10000000000)
    change_trust(w.asking, w.idr, 1000000000000)
    change_trust(w.bidding, w.idr, 1000000000000)
    w.pay(w.asking, w.idr, 100000000000)
    return w


def test_rounding_bid_before_ask_uses_bid_price(rounding_world):
    w, m = rounding_world, rounding_world.market
    bid = m.require_changes_with_offer([], lambda: m.add_offer(w.bidding, w.bid))
    m.require_changes_with_offer([bid.deleted()], lambda: m.add_offer(w.asking, w.ask, w.ask.with_amount(4715278)))


def test_rounding_ask_before_bid_uses_ask_price(rounding_world):
    w, m = rounding_world, rounding_world.market
    ask = m.require_changes_with_offer([], lambda: m.add_offer(w.asking, w.ask))
    m.require_changes_with_offer([ask.deleted()], lambda: m.add_offer(w.bidding, w.bid,
                                                                      w.bid.with_amount(61363625)))


# == updated offers respect reserve ========================================================
def test_updated_offers_respect_reserve():
    w = World()
    m = w.market
    a1 = w.root.create("A", w.mb(2) + 3 * TXFEE + 110)
    change_trust(a1, w.usd, w.tl_limit)
    offer = m.require_changes_with_offer([], lambda: m.add_offer(a1, S(w.xlm, w.usd, ONE, 110)))
    with expect_code(MSO.MANAGE_SELL_OFFER_UNDERFUNDED):
        m.update_offer(a1, offer.offer_id, S(w.xlm, w.usd, ONE, 111))
    m.check_current_offers()


# == new offer is not created if it does not satisfy thresholds =============================
def test_new_offer_not_created_below_thresholds():
    w = World()
    m = w.market
    seller = w.root.create("wheat", w.mb(3) + 10000)
    change_trust(seller, w.idr, INT64_MAX)
    change_trust(seller, w.usd, INT64_MAX)
    w.pay(seller, w.idr, 1000)
    n = seller.num_sub_entries
    m.require_changes_with_offer([], lambda: m.add_offer(seller, S(w.idr, w.usd, price(3, 2), 27), DELETED_STATE))
    assert seller.num_sub_entries == n


# == max liabilities =========================================================================
@pytest.mark.parametrize("first_sells_usd", [False, True], ids=["buying non-native", "selling non-native"])
def test_max_liabilities(first_sells_usd):
    w = World()
    m = w.market
    acc1 = w.root.create("acc1", w.mb(2) + 10000)
    acc2 = w.root.create("acc2", w.mb(2) + 10000)
    change_trust(acc1, w.usd, 1000)
    change_trust(acc2, w.usd, 1000)
    w.pay(acc2, w.usd, 1000)
    maker, taker = (acc2, acc1) if first_sells_usd else (acc1, acc2)
    mk = (w.usd, w.xlm) if first_sells_usd else (w.xlm, w.usd)
    offer = m.require_changes_with_offer([], lambda: m.add_offer(maker, S(mk[0], mk[1], ONE, 1000)))
    m.require_changes_with_offer([offer.deleted()], lambda: m.add_offer(taker, S(mk[1], mk[0], ONE, 1000),
                                                                        DELETED_STATE))


# == cannot create offer that would lead to excess liabilities ==================================
def test_excess_liabilities_native_selling():
    w = World()
    m = w.market
    acc1 = w.root.create("acc1", w.mb(2) + TXFEE)
    change_trust(acc1, w.usd, 2000)
    pay(w.root, acc1, w.xlm, 500 + TXFEE)
    with expect_code(MSO.MANAGE_SELL_OFFER_UNDERFUNDED):
        m.add_offer(acc1, S(w.xlm, w.usd, ONE, 501))
    pay(w.root, acc1, w.xlm, TXFEE)
    m.require_changes_with_offer([], lambda: m.add_offer(acc1, S(w.xlm, w.usd, ONE, 500)))
    # with an existing offer
    pay(w.root, acc1, w.xlm, 500 + TXFEE + w.L.header.baseReserve)
    with expect_code(MSO.MANAGE_SELL_OFFER_UNDERFUNDED):
        m.add_offer(acc1, S(w.xlm, w.usd, ONE, 501))
    pay(w.root, acc1, w.xlm, TXFEE)
    m.require_changes_with_offer([], lambda: m.add_offer(acc1, S(w.xlm, w.usd, ONE, 500)))
    assert liabilities(acc1) == (0, 1000)


def test_excess_liabilities_native_buying():
    w = World()
    m = w.market
    mb = w.mb(3)
    acc1 = w.root.create("acc1", mb + TXFEE)
    change_trust(acc1, w.usd, INT64_MAX)
    w.pay(acc1, w.usd, INT64_MAX)
    pay(w.root, acc1, w.xlm, 2 * TXFEE)
    with expect_code(MSO.MANAGE_SELL_OFFER_LINE_FULL):
        m.add_offer(acc1, S(w.usd, w.xlm, ONE, INT64_MAX - mb - TXFEE + 1))
    pay(w.root, acc1, w.xlm, TXFEE)
    o1 = m.require_changes_with_offer([], lambda: m.add_offer(acc1, S(w.usd, w.xlm, ONE, INT64_MAX - mb - TXFEE)))
    m.require_changes_with_offer([], lambda: m.update_offer(acc1, o1.offer_id,
                                                            S(w.usd, w.xlm, ONE, INT64_MAX - mb - 500)))
    pay(w.root, acc1, w.xlm, TXFEE)
    with expect_code(MSO.MANAGE_SELL_OFFER_LINE_FULL):
        m.add_offer(acc1, S(w.usd, w.xlm, ONE, 501))
    pay(w.root, acc1, w.xlm, TXFEE)
    m.require_changes_with_offer([], lambda: m.add_offer(acc1, S(w.usd, w.xlm, ONE, 500)))


def test_excess_liabilities_non_native_selling():
    w = World()
    m = w.market
    acc1 = w.root.create("acc1", w.mb(3) + 10000)
    change_trust(acc1, w.usd, 2000)
    for _ in range(2):  # without, then with an existing offer
        w.pay(acc1, w.usd, 500)
        with expect_code(MSO.MANAGE_SELL_OFFER_UNDERFUNDED):
            m.add_offer(acc1, S(w.usd, w.xlm, ONE, 501))
        m.require_changes_with_offer([], lambda: m.add_offer(acc1, S(w.usd, w.xlm, ONE, 500)))
    assert liabilities(acc1, w.usd) == (0, 1000)


def test_excess_liabilities_non_native_buying():
    w = World()
    m = w.market
    acc1 = w.root.create("acc1", w.mb(3) + 10000)
    change_trust(acc1, w.usd, 1000)
    w.pay(acc1, w.usd, 500)
    for limit in (None, 1500):
        if limit:
            change_trust(acc1, w.usd, limit)
        with expect_code(MSO.MANAGE_SELL_OFFER_LINE_FULL):
            m.add_offer(acc1, S(w.xlm, w.usd, ONE, 501))
        m.require_changes_with_offer([], lambda: m.add_offer(acc1, S(w.xlm, w.usd, ONE, 500)))
    assert liabilities(acc1, w.usd) == (1000, 0)


def test_modify_excess_liabilities_native_selling():
    w = World()
    m = w.market
    acc1 = w.root.create("acc1", w.mb(2) + TXFEE)
    change_trust(acc1, w.usd, 2000)
    pay(w.root, acc1, w.xlm, 500 + TXFEE)
    o1 = m.require_changes_with_offer([], lambda: m.add_offer(acc1, S(w.xlm, w.usd, ONE, 250)))
    pay(w.root, acc1, w.xlm, TXFEE)
    with expect_code(MSO.MANAGE_SELL_OFFER_UNDERFUNDED):
        m.update_offer(acc1, o1.offer_id, S(w.xlm, w.usd, ONE, 501))
    pay(w.root, acc1, w.xlm, TXFEE)
    m.require_changes_with_offer([], lambda: m.update_offer(acc1, o1.offer_id, S(w.xlm, w.usd, ONE, 500)))
    pay(w.root, acc1, w.xlm, 500 + TXFEE + w.L.header.baseReserve)
    o2 = m.require_changes_with_offer([], lambda: m.add_offer(acc1, S(w.xlm, w.usd, ONE, 250)))
    pay(w.root, acc1, w.xlm, TXFEE)
    with expect_code(MSO.MANAGE_SELL_OFFER_UNDERFUNDED):
        m.update_offer(acc1, o2.offer_id, S(w.xlm, w.usd, ONE, 501))
    pay(w.root, acc1, w.xlm, TXFEE)
    m.require_changes_with_offer([], lambda: m.update_offer(acc1, o2.offer_id, S(w.xlm, w.usd, ONE, 500)))


# == cannot create unauthorized offer ============================================================
@pytest.mark.parametrize("flag_op", ["allow_trust", "set_trust_line_flags"])
def test_cannot_create_unauthorized_offer(flag_op):
    from tests.transactions.dexscen import apply_op, op_allow_trust, op_set_trust_line_flags
    w = World()
    m = w.market
    acc1 = w.root.create("acc1", w.mb(2) + 10000)
    set_flags(w.issuer, AF.AUTH_REQUIRED_FLAG | AF.AUTH_REVOCABLE_FLAG)
    change_trust(acc1, w.idr, w.tl_limit)
    if flag_op == "allow_trust":
        apply_op(w.issuer, op_allow_trust(acc1, w.idr, TLF.AUTHORIZED_FLAG))
        w.pay(acc1, w.idr, 1)
        apply_op(w.issuer, op_allow_trust(acc1, w.idr, 0))
    else:
        apply_op(w.issuer, op_set_trust_line_flags(acc1, w.idr, set_flags=TLF.AUTHORIZED_FLAG))
        w.pay(acc1, w.idr, 1)
        apply_op(w.issuer, op_set_trust_line_flags(acc1, w.idr, clear_flags=TLF.AUTHORIZED_FLAG))
    with expect_code(MSO.MANAGE_SELL_OFFER_SELL_NOT_AUTHORIZED):
        m.add_offer(acc1, S(w.idr, w.xlm, ONE, 1))
    with expect_code(MSO.MANAGE_SELL_OFFER_BUY_NOT_AUTHORIZED):
        m.add_offer(acc1, S(w.xlm, w.idr, ONE, 1))


# == offer with excess liabilities that does not meet thresholds =====================================
def test_excess_liabilities_below_thresholds_create_fails():
    w = World()
    acc1 = w.root.create("acc1", w.mb(3) + 10000)
    change_trust(acc1, w.usd, 1)
    change_trust(acc1, w.idr, 1)
    w.pay(acc1, w.usd, 1)
    with expect_code(MSO.MANAGE_SELL_OFFER_LINE_FULL):
        w.market.add_offer(acc1, S(w.usd, w.idr, price(3, 2), 27))


def test_excess_liabilities_below_thresholds_modify_fails():
    w = World()
    m = w.market
    acc1 = w.root.create("acc1", w.mb(3) + 10000)
    change_trust(acc1, w.usd, 2)
    change_trust(acc1, w.idr, 3)
    w.pay(acc1, w.usd, 2)
    o = m.require_changes_with_offer([], lambda: m.add_offer(acc1, S(w.usd, w.idr, price(3, 2), 2)))
    with expect_code(MSO.MANAGE_SELL_OFFER_LINE_FULL):
        m.update_offer(acc1, o.offer_id, S(w.usd, w.idr, price(3, 2), 27))
    m.check_current_offers()


# == large offer id ==================================================================================
@pytest.mark.parametrize("amount", [1, 0], ids=["modify", "erase"])
def test_large_offer_id_not_found(amount):
    w = World()
    acc1 = w.root.create("acc1", w.mb(3) + 10000)
    change_trust(acc1, w.usd, INT64_MAX)
    change_trust(acc1, w.idr, INT64_MAX)
    w.pay(acc1, w.usd, 1000)
    w.pay(acc1, w.idr, 1000)
    with expect_code(MSO.MANAGE_SELL_OFFER_NOT_FOUND):
        w.market.update_offer(acc1, INT64_MAX, S(w.usd, w.idr, ONE, amount))


# == sponsorship =====================================================================================
def test_sponsorship_create_modify_remove():
    from tests.transactions.dexscen import offer_key, op_manage_sell_offer
    from tests.transactions.test_sponsorship import (create_modify_and_remove_sponsored_entry,
                                                     sponsored_entry_insufficient_balance)
    w = World()
    acc1 = w.root.create("a1", w.mb(1) - 1)
    acc2 = w.root.create("a2", w.min_balance2 + 2 * TXFEE)
    change_trust(acc2, w.usd, INT64_MAX)
    change_trust(acc2, w.idr, INT64_MAX)
    w.pay(acc2, w.usd, 10000)
    w.pay(acc2, w.idr, 10000)
    sponsored_entry_insufficient_balance(w.L, acc1, acc2, op_manage_sell_offer(0, w.usd, w.idr, ONE, 1000),
                                         MSO.MANAGE_SELL_OFFER_LOW_RESERVE)
    create_modify_and_remove_sponsored_entry(
        w.L, acc2, op_manage_sell_offer(0, w.usd, w.idr, ONE, 1000), op_manage_sell_offer(1, w.usd, w.idr, ONE, 999),
        op_manage_sell_offer(1, w.usd, w.idr, ONE, 1001), op_manage_sell_offer(1, w.usd, w.idr, ONE, 0),
        offer_key(acc2.id, 1))


# == liabilities match created offer ====================================================================
LIABILITY_CASES = [
    # maximum limits
    (INT64_MAX, INT64_MAX, 2, (1, 2)), (INT64_MAX, INT64_MAX, INT64_MAX - 1, (1, 2)),
    (INT64_MAX, INT64_MAX, 101, (3, 7)), (INT64_MAX, INT64_MAX, 1, (1, 1)),
    (INT64_MAX, INT64_MAX, INT64_MAX, (1, 1)), (INT64_MAX, INT64_MAX, 1, (2, 1)),
    (INT64_MAX, INT64_MAX, INT64_MAX // 2, (2, 1)), (INT64_MAX, INT64_MAX, 101, (7, 3)),
    # minimum limits
    (2, 1, 2, (1, 2)), (101, 44, 101, (3, 7)), (1, 1, 1, (1, 1)), (1, 2, 1, (2, 1)),
    (INT64_MAX // 2, INT64_MAX - 1, INT64_MAX // 2, (2, 1)), (101, 236, 101, (7, 3)),
]


@pytest.mark.parametrize("selling_balance,buying_limit,amount,pr", LIABILITY_CASES)
def test_liabilities_match_created_offer(selling_balance, buying_limit, amount, pr):
    """"liabilities match created offer": the offer's selling liabilities
    equal its amount, and crossing it fully moves exactly its liabilities
    (adjustOffer / getOffer*Liabilities are the exchange module's, checked
    on their own against ExchangeTests)."""
    from stellarcore.transactions import offer_exchange as ox
    L = TestLedger()
    m = Market(L)
    issuer = L.root.create("issuer", L.min_balance(0) + 1000 * TXFEE)
    cur1, cur2 = credit("CUR1", issuer), credit("CUR2", issuer)
    p = price(*pr)
    a1 = L.root.create("a1", L.min_balance(3) + 1000 * TXFEE)
    change_trust(a1, cur1, INT64_MAX)
    change_trust(a1, cur2, buying_limit)
    pay(issuer, a1, cur1, selling_balance)
    remain = ox.adjust_offer(p.n, p.d, amount, buying_limit)
    assert remain > 0
    offer = m.require_changes_with_offer([], lambda: m.add_offer(a1, S(cur1, cur2, p, amount),
                                                                 S(cur1, cur2, p, remain)))
    from tests.transactions.dexscen import load_offer_entry
    le = load_offer_entry(L, a1, offer.offer_id)
    buying, selling = ox.get_offer_buying_liabilities(le), ox.get_offer_selling_liabilities(le)
    assert selling == le.data.offer.amount
    a2 = L.root.create("a2", L.min_balance(3) + 1000 * TXFEE)
    change_trust(a2, cur1, INT64_MAX)
    change_trust(a2, cur2, INT64_MAX)
    pay(issuer, a2, cur2, INT64_MAX)
    cross_amount = -(-amount * p.n // p.d)
    if cross_amount < INT64_MAX:
        cross_amount += 1
    cross_price = price(p.d, p.n)
    cross_remain = ox.adjust_offer(cross_price.n, cross_price.d, cross_amount - buying, INT64_MAX - selling)
    expected_cross = S(cur2, cur1, cross_price, cross_remain) if cross_remain > 0 else DELETED_STATE
    m.require_changes_with_offer([offer.deleted()], lambda: m.add_offer(
        a2, S(cur2, cur1, cross_price, cross_amount), expected_cross))
    assert balance(a1, cur1) == selling_balance - selling
    assert balance(a1, cur2) == buying
    assert balance(a2, cur1) == selling
    assert balance(a2, cur2) == INT64_MAX - buying
