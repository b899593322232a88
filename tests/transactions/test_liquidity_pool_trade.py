"""Trading against liquidity pools, against stellar-core's
LiquidityPoolTradeTests.cpp ("liquidity pool trade": "without offers" and
testLiquidityPoolTrading for both asset orders; "liquidity pool id") and the
trading half of UpgradesTests.cpp "upgrade flags".

Pools are used only by path payments, a hop goes all through the pool or
all through the book, and the book wins only with a strictly better price
(PARITY_TRAPS D1); the pool's 30 bps fee rounds against the taker; the
offer-crossing budget covers the pool too (D3). Expected values are
stellar-core's: result codes, claim atoms, balances and checkLiquidityPool.
The offers and path payments are other modules' operations: without them
(or the exchange module) these tests are skipped.
"""
from __future__ import annotations

import importlib.util

import pytest

from stellarcore import xdr
from stellarcore.crypto import ids
from stellarcore.ledger import balances as B
from tests.transactions import dexscen
from tests.transactions.dexscen import claim_pool_atom, expect_code, manage_offer, path_pay, path_pay_strict_send
from tests.transactions.harness import credit
from tests.transactions.test_change_trust import INT64_MAX, change_trust, check_pool, ok, pool_id_of, pool_share
from tests.transactions.test_liquidity_pool_deposit import (WIDE, P, World, deposit, set_header_flags,
                                                            sorted_pair)

OT = xdr.OperationType
OC = xdr.OperationResultCode
CAT = xdr.ClaimAtomType
PR = xdr.PathPaymentStrictReceiveResultCode
PS = xdr.PathPaymentStrictSendResultCode
HF = xdr.LedgerHeaderFlags
AT = xdr.AssetType
DELETED = dexscen.DELETED


@pytest.fixture(autouse=True)
def _needs_dex():
    missing = [t.name for t in (OT.MANAGE_SELL_OFFER, OT.PATH_PAYMENT_STRICT_RECEIVE, OT.PATH_PAYMENT_STRICT_SEND)
               if t not in dexscen.OPERATION_FRAMES]
    if importlib.util.find_spec("stellarcore.transactions.offer_exchange") is None:
        missing.append("offer_exchange")
    if missing:
        pytest.skip("pool trading needs " + ", ".join(missing))


# == helpers ==========================================================================
class Trading(World):
    """testLiquidityPoolTrading(app, cur1, cur2): with swap, "cur1" is CUR2
    and "cur2" is CUR1, so every scenario runs with both asset orders; the
    pool's (assetA, assetB) is the ordered pair, and amounts given in
    (cur1, cur2) order are swapped into (A, B) order when cur2 < cur1."""

    def __init__(self, swap: bool):
        super().__init__()
        if swap:
            self.cur1, self.cur2 = self.cur2, self.cur1
        self.in_order = self.cur1.to_xdr() < self.cur2.to_xdr()
        a, b = sorted_pair(self.cur1, self.cur2)
        self.share12 = pool_share(a, b)
        self.pool12 = pool_id_of(self.share12)

    def account(self, name, n=10, lines=(), funds=None):
        """root->create(name, minBal(n)), changeTrust(INT64_MAX) for each line, root pays funds."""
        acc = self.root.create(name, self.min_bal(n))
        for line in lines:
            ok(acc.apply([change_trust(line, INT64_MAX)]))
        for asset, amount in (funds or {}).items():
            ok(self.root.pay(acc, amount, asset))
        return acc

    def check_pool12(self, reserve1, reserve2, total, count):
        ra, rb = (reserve1, reserve2) if self.in_order else (reserve2, reserve1)
        check_pool(self.L, self.pool12, ra, rb, total, count)

    def deposit12(self, acc, amount1, amount2, mn=WIDE[0], mx=WIDE[1]):
        a, b = (amount1, amount2) if self.in_order else (amount2, amount1)
        deposit(acc, self.pool12, a, b, mn, mx)

    def asset3(self):
        return credit("CUR3", self.root)


def funded(w, name, assets, amount=10000, n=10, share=False):
    lines = list(assets) + ([w.share12] if share else [])
    return w.account(name, n, lines, {a: amount for a in assets})


def atom_types(res):
    return [a.type for a in res.success.offers]


SWAPS = pytest.mark.parametrize("swap", [False, True], ids=["CUR1,CUR2", "CUR2,CUR1"])


# == testLiquidityPoolTrading: "chooses best price" =====================================
# (title, a1's offers (price, amount) selling cur2 for cur1, pool deposit (cur1, cur2), expected atom types)
BEST_PRICE_ROWS = [
    # buying 10 cur2 costs 20 cur1 on the book; 1000*1000/990 = 1010.1 so 11 cur1 in the pool
    ("pool has strictly better price", [((2, 1), 4), ((2, 1), 6)], (1000, 1000),
     [CAT.CLAIM_ATOM_TYPE_LIQUIDITY_POOL]),
    # 19 cur1 on both: the pool wins ties
    ("both prices equal", [((1, 1), 1), ((2, 1), 9)], (1800, 1000), [CAT.CLAIM_ATOM_TYPE_LIQUIDITY_POOL]),
    # 20 cur1 on the book, 2000*1000/990 = 2020.2 so 21 in the pool
    ("book has strictly better price", [((2, 1), 4), ((2, 1), 6)], (2000, 1000),
     [CAT.CLAIM_ATOM_TYPE_ORDER_BOOK, CAT.CLAIM_ATOM_TYPE_ORDER_BOOK]),
]


@SWAPS
@pytest.mark.parametrize("title,offers,pool_amounts,types", BEST_PRICE_ROWS, ids=[r[0] for r in BEST_PRICE_ROWS])
def test_chooses_best_price(swap, title, offers, pool_amounts, types):
    w = Trading(swap)
    a1 = funded(w, "a1", (w.cur1, w.cur2), share=True)
    a2 = funded(w, "a2", (w.cur1, w.cur2), share=True)
    for (n, d), amount in offers:
        manage_offer(a1, 0, w.cur2, w.cur1, P(n, d), amount)
    w.deposit12(a1, *pool_amounts)
    res = path_pay(a2, a2, w.cur1, 100, w.cur2, 10)
    assert atom_types(res) == types


# == "max offers to cross" ================================================================
@pytest.fixture
def reduced_limits(monkeypatch):
    """TempReduceLimitsForTesting(100, 10)."""
    monkeypatch.setattr(B, "ACCOUNT_SUBENTRY_LIMIT", 100)
    monkeypatch.setattr(B, "MAX_OFFERS_TO_CROSS", 10)


@SWAPS
@pytest.mark.parametrize("section", ["order book succeeds when crossing limit",
                                     "order book fails when crossing one above limit",
                                     "liquidity pool succeeds when crossing limit",
                                     "liquidity pool fails when crossing one above limit"])
def test_max_offers_to_cross(swap, section, reduced_limits):
    w = Trading(swap)
    cur1, cur2, cur3 = w.cur1, w.cur2, w.asset3()
    a1 = w.account("a1", 2000, (cur1, cur2, cur3, w.share12), {cur1: 10000, cur2: 10000, cur3: 10000})
    a2 = w.account("a2", 2000, (cur1, cur2, cur3), {cur1: 10000, cur2: 10000, cur3: 10000})
    a3 = w.account("a3", 10, (cur1, cur2, cur3), {cur1: 10000, cur2: 10000, cur3: 10000})
    for _ in range(5):
        manage_offer(a1, 0, cur3, cur2, P(1, 1), 1)
        manage_offer(a2, 0, cur3, cur2, P(1, 1), 1)

    if section == "order book succeeds when crossing limit":
        manage_offer(a1, 0, cur2, cur1, P(1, 1), 10)
        path_pay(a3, a3, cur1, 2000, cur3, 9, [cur2])
    elif section == "order book fails when crossing one above limit":
        manage_offer(a1, 0, cur2, cur1, P(1, 1), 10)
        with expect_code(OC.opEXCEEDED_WORK_LIMIT):
            path_pay(a3, a1, cur1, 2000, cur3, 10, [cur2])
    elif section == "liquidity pool succeeds when crossing limit":
        w.deposit12(a1, 100, 2000)
        path_pay(a3, a3, cur1, 2000, cur3, 9, [cur2])
    else:
        # the pool can't be crossed for cur1->cur2: cur2->cur3 used the budget
        w.deposit12(a1, 100, 2000)
        with expect_code(OC.opEXCEEDED_WORK_LIMIT):  # no offers in the book
            path_pay(a3, a3, cur1, 2000, cur3, 10, [cur2])
        offer_id = manage_offer(a3, 0, cur2, cur1, P(1, 1), 10)
        with expect_code(OC.opEXCEEDED_WORK_LIMIT):  # the offer in the book is a self trade
            path_pay(a3, a3, cur1, 2000, cur3, 10, [cur2])
        manage_offer(a3, offer_id, cur2, cur1, P(1, 1), 0, DELETED)
        manage_offer(a1, 0, cur2, cur1, P(1, 1), 10)
        with expect_code(OC.opEXCEEDED_WORK_LIMIT):  # the offer in the book exceeds the work limit
            path_pay(a3, a3, cur1, 2000, cur3, 10, [cur2])


# == fee, excess reserves, empty pools, pools yielding nothing ==========================
def _payer_and_payee(w, mm_funds=10000, payer_funds=10000):
    a1 = w.account("a1", 10, (w.cur1,), {w.cur1: payer_funds})
    a2 = w.account("a2", 10, (w.cur2,))
    mm12 = w.account("mm12", 10, (w.cur1, w.cur2, w.share12), {w.cur1: mm_funds, w.cur2: mm_funds})
    return a1, a2, mm12


@SWAPS
@pytest.mark.parametrize("strict_send", [True, False], ids=["strict send", "strict receive"])
def test_liquidity_pool_charges_the_correct_fee(swap, strict_send):
    """Sending 1000 receives 1000 only after the fee: 0.3% of 1003 is
    999.91 < 1000 and of 1004 is 1000.98 > 1000, so 1004 is needed."""
    w = Trading(swap)
    a1, a2, mm12 = _payer_and_payee(w)
    w.deposit12(mm12, 1000, 2000)
    if strict_send:
        with expect_code(PS.PATH_PAYMENT_STRICT_SEND_UNDER_DESTMIN):
            path_pay_strict_send(a1, a2, w.cur1, 1004, w.cur2, 1001)
        path_pay_strict_send(a1, a2, w.cur1, 1004, w.cur2, 1000)
    else:
        with expect_code(PR.PATH_PAYMENT_STRICT_RECEIVE_OVER_SENDMAX):
            path_pay(a1, a2, w.cur1, 1003, w.cur2, 1000)
        path_pay(a1, a2, w.cur1, 1004, w.cur2, 1000)


@SWAPS
@pytest.mark.parametrize("strict_send", [True, False], ids=["strict send", "strict receive"])
def test_trade_fails_due_to_excess_reserves(swap, strict_send):
    w = Trading(swap)
    a1, a2, mm12 = _payer_and_payee(w, mm_funds=INT64_MAX)
    w.deposit12(mm12, INT64_MAX - 10, INT64_MAX - 10)
    if strict_send:
        with expect_code(PS.PATH_PAYMENT_STRICT_SEND_TOO_FEW_OFFERS):
            path_pay_strict_send(a1, a2, w.cur1, 11, w.cur2, 9)
        path_pay_strict_send(a1, a2, w.cur1, 10, w.cur2, 9)
    else:
        with expect_code(PR.PATH_PAYMENT_STRICT_RECEIVE_TOO_FEW_OFFERS):
            path_pay(a1, a2, w.cur1, 11, w.cur2, 10)
        path_pay(a1, a2, w.cur1, 10, w.cur2, 9)


@SWAPS
@pytest.mark.parametrize("strict_send", [True, False], ids=["strict send", "strict receive"])
def test_payment_through_empty_liquidity_pools(swap, strict_send):
    w = Trading(swap)
    cur1, cur2, cur3 = w.cur1, w.cur2, w.asset3()
    share23 = pool_share(*sorted_pair(cur2, cur3))
    a1 = w.account("a1", 10, (cur1,), {cur1: 10000})
    a2 = w.account("a2", 10, (cur2, cur3))
    w.account("mm12", 10, (cur1, cur2, w.share12), {cur1: INT64_MAX, cur2: INT64_MAX})
    w.account("mm23", 10, (cur2, cur3, share23), {cur2: INT64_MAX, cur3: INT64_MAX})
    if strict_send:
        for dest, path in ((cur2, []), (cur3, [cur2])):
            with expect_code(PS.PATH_PAYMENT_STRICT_SEND_TOO_FEW_OFFERS):
                path_pay_strict_send(a1, a2, cur1, 100, dest, 1, path)
    else:
        for dest, path in ((cur2, []), (cur3, [cur2])):
            with expect_code(PR.PATH_PAYMENT_STRICT_RECEIVE_TOO_FEW_OFFERS):
                path_pay(a1, a2, cur1, INT64_MAX, dest, 100, path)


@SWAPS
def test_payment_through_pool_that_yields_nothing(swap):
    """Selling 1 to a pool yields 0, which means the book is used instead;
    the book is empty: TOO_FEW_OFFERS (not possible with strict receive)."""
    w = Trading(swap)
    a1, a2, mm12 = _payer_and_payee(w, mm_funds=INT64_MAX)
    w.deposit12(mm12, 1000, 1000)
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_TOO_FEW_OFFERS):
        path_pay_strict_send(a1, a2, w.cur1, 1, w.cur2, 1)


@SWAPS
def test_payment_through_pool_after_offer_that_yields_nothing(swap):
    w = Trading(swap)
    cur1, cur2, cur3 = w.cur1, w.cur2, w.asset3()
    share23 = pool_share(*sorted_pair(cur2, cur3))
    a1 = w.account("a1", 10, (cur1,), {cur1: 10000})
    a2 = w.account("a2", 10, (cur3,))
    mm12 = w.account("mm12", 10, (cur1, cur2, w.share12), {cur1: 10000, cur2: 10000})
    manage_offer(mm12, 0, cur2, cur1, P(2, 1), 10)
    mm23 = w.account("mm23", 10, (cur2, cur3, share23), {cur2: INT64_MAX, cur3: INT64_MAX})
    deposit(mm23, pool_id_of(share23), 100, 100, *WIDE)  # equal amounts: the order does not matter
    # selling 1 CUR1 (to the book, the pool is empty) yields 0 CUR2
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_UNDER_DESTMIN):
        path_pay_strict_send(a1, a2, cur1, 1, cur2, 1)
    # the first hop yields 0, so the second hop has 0 as input: there are
    # always enough offers to send 0, hence UNDER_DESTMIN, not TOO_FEW_OFFERS
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_UNDER_DESTMIN):
        path_pay_strict_send(a1, a2, cur1, 1, cur3, 1, [cur2])


# == who participates in the pool ===========================================================
def _pay_10_for_9(w, a1, a2, strict_send):
    if strict_send:
        path_pay_strict_send(a1, a2, w.cur1, 10, w.cur2, 9)
    else:
        path_pay(a1, a2, w.cur1, 10, w.cur2, 9)


@SWAPS
@pytest.mark.parametrize("strict_send", [True, False], ids=["strict send", "strict receive"])
@pytest.mark.parametrize("who", ["sender", "destination", "market maker"])
def test_payment_through_a_pool_that_someone_participates_in(swap, strict_send, who):
    w = Trading(swap)
    cur1, cur2 = w.cur1, w.cur2
    if who == "sender":
        a1 = funded(w, "a1", (cur1, cur2), share=True)
        w.deposit12(a1, 1000, 1000)
        a2 = w.account("a2", 10, (cur2,))
    elif who == "destination":
        a1 = w.account("a1", 10, (cur1,), {cur1: 10000})
        a2 = funded(w, "a2", (cur1, cur2), share=True)
        w.deposit12(a2, 1000, 1000)
    else:
        a1, a2, mm12 = _payer_and_payee(w)
        manage_offer(mm12, 0, cur2, cur1, P(10, 9), 10)
        w.deposit12(mm12, 1000, 1000)
    _pay_10_for_9(w, a1, a2, strict_send)
    w.check_pool12(1010, 991, 1000, 1)


@SWAPS
@pytest.mark.parametrize("strict_send", [True, False], ids=["strict send", "strict receive"])
@pytest.mark.parametrize("self_trade", [False, True], ids=["no self trade", "self trade"])
def test_order_book_is_better_but_there_is_a_self_trade(swap, strict_send, self_trade):
    w = Trading(swap)
    cur1, cur2 = w.cur1, w.cur2
    a1 = funded(w, "a1", (cur1, cur2), share=True)
    w.deposit12(a1, 1000, 1000)
    a2 = w.account("a2", 10, (cur2,))
    mm12 = funded(w, "mm12", (cur1, cur2), share=True)
    manage_offer(a1 if self_trade else mm12, 0, cur2, cur1, P(1, 1), 10)
    _pay_10_for_9(w, a1, a2, strict_send)
    if self_trade:
        w.check_pool12(1010, 991, 1000, 2)
    else:
        w.check_pool12(1000, 1000, 1000, 2)


@SWAPS
def test_payment_would_receive_more_than_the_reserve(swap):
    w = Trading(swap)
    a1, a2, mm12 = _payer_and_payee(w, payer_funds=INT64_MAX)
    w.deposit12(mm12, 1000, 1000)
    for amount in (1001, 1000):  # strictly above the reserve, at the reserve
        with expect_code(PR.PATH_PAYMENT_STRICT_RECEIVE_TOO_FEW_OFFERS):
            path_pay(a1, a2, w.cur1, INT64_MAX, w.cur2, amount)
    path_pay(a1, a2, w.cur1, INT64_MAX, w.cur2, 999)
    w.check_pool12(1003007, 1, 1000, 1)


@SWAPS
def test_payment_into_pool_would_be_larger_than_int64_max(swap):
    w = Trading(swap)
    a1, a2, mm12 = _payer_and_payee(w, mm_funds=INT64_MAX // 2, payer_funds=INT64_MAX)
    w.deposit12(mm12, INT64_MAX // 2, INT64_MAX // 2)
    with expect_code(PR.PATH_PAYMENT_STRICT_RECEIVE_TOO_FEW_OFFERS):
        path_pay(a1, a2, w.cur1, INT64_MAX, w.cur2, INT64_MAX // 2 - 1)


# == "cross the same pair twice in the same direction" ========================================
# (title, mm12's offer selling cur2 for cur1 (price, amount),
#  strict send of 100 CUR1: (UNDER_DESTMIN at destMin, succeeds at destMin),
#  strict receive of that many CUR2: (OVER_SENDMAX at sendMax, succeeds at sendMax),
#  pool12's (cur1, cur2) reserves after either)
TWICE_ROWS = [
    ("liquidity pool both times", ((1, 1), 1000), (257, 256), (106, 107), None),
    ("liquidity pool once, order book once, strict send prefers liquidity pool on first hop", ((11, 20), 1000),
     (330, 329), (99, 100), (1100, 1819)),
    ("liquidity pool once, order book once, strict send indifferent on first hop", ((100, 181), 1000),
     (328, 327), (99, 100), (1100, 1819)),
    ("liquidity pool once, order book once, strict send prefers order book on first hop", ((1, 2), 350),
     (333, 332), (90, 91), None),
    ("order book both times", ((1, 2), 1000), (401, 400), (99, 100), (1000, 2000)),
]
# where the two operations leave different reserves: (strict send, strict receive)
#  - both times the pool: 100 then 181 CUR1 sold -> (1281, 1563); strict
#    receive buys 256 then 148 CUR2 -> (1255, 1596)
#  - book first: strict send sells 100 to the book then 200 to the pool ->
#    (1200, 1668); strict receive buys 332 from the book then 166 from the
#    pool -> (1091, 1834)
TWICE_RESERVES = {
    "liquidity pool both times": ((1281, 1563), (1255, 1596)),
    "liquidity pool once, order book once, strict send prefers order book on first hop": ((1200, 1668),
                                                                                          (1091, 1834)),
}


def _twice_world(swap):
    w = Trading(swap)
    cur1, cur2, cur3 = w.cur1, w.cur2, w.asset3()
    a1 = w.account("a1", 10, (cur1,), {cur1: 10000})
    a2 = w.account("a2", 10, (cur2,))
    mm12 = w.account("mm12", 10, (cur1, cur2, w.share12), {cur1: 10000, cur2: 10000})
    mm23 = w.account("mm23", 10, (cur2, cur3), {cur2: 10000, cur3: 10000})
    manage_offer(mm23, 0, cur3, cur2, P(1, 1), 1000)
    mm31 = w.account("mm31", 10, (cur1, cur3), {cur1: 10000, cur3: 10000})
    manage_offer(mm31, 0, cur1, cur3, P(1, 1), 1000)
    return w, cur3, a1, a2, mm12


@SWAPS
@pytest.mark.parametrize("strict_send", [True, False], ids=["strict send", "strict receive"])
@pytest.mark.parametrize("title,offer,send_row,recv_row,reserves", TWICE_ROWS, ids=[r[0] for r in TWICE_ROWS])
def test_cross_the_same_pair_twice_in_the_same_direction(swap, strict_send, title, offer, send_row, recv_row,
                                                         reserves):
    """Path cur1 -> cur2 -> cur3 -> cur1 -> cur2: pool12 (1000, 2000) or
    mm12's offer serves each cur1/cur2 hop, whichever is better at the time
    (strict receive converts the hops from the destination back)."""
    w, cur3, a1, a2, mm12 = _twice_world(swap)
    cur1, cur2 = w.cur1, w.cur2
    (n, d), amount = offer
    manage_offer(mm12, 0, cur2, cur1, P(n, d), amount)
    w.deposit12(mm12, 1000, 2000)
    path = [cur2, cur3, cur1]
    dest_amount = send_row[1]
    if strict_send:
        with expect_code(PS.PATH_PAYMENT_STRICT_SEND_UNDER_DESTMIN):
            path_pay_strict_send(a1, a2, cur1, 100, cur2, send_row[0], path)
        path_pay_strict_send(a1, a2, cur1, 100, cur2, dest_amount, path)
    else:
        with expect_code(PR.PATH_PAYMENT_STRICT_RECEIVE_OVER_SENDMAX):
            path_pay(a1, a2, cur1, recv_row[0], cur2, dest_amount, path)
        path_pay(a1, a2, cur1, recv_row[1], cur2, dest_amount, path)
    if reserves is None:
        reserves = TWICE_RESERVES[title][0 if strict_send else 1]
    w.check_pool12(*reserves, 1414, 1)


@SWAPS
@pytest.mark.parametrize("strict_send", [True, False], ids=["strict send", "strict receive"])
def test_cross_the_same_pair_twice_liquidity_pool_both_times_fails_on_second_hop(swap, strict_send):
    w, cur3, a1, a2, mm12 = _twice_world(swap)
    cur1, cur2, root = w.cur1, w.cur2, w.root
    path = [cur2, cur3, cur1]
    if strict_send:
        # higher balances for this test
        ok(root.pay(mm12, INT64_MAX - 10000, cur1))
        ok(root.pay(mm12, INT64_MAX - 10000, cur2))
        w.deposit12(mm12, INT64_MAX - 1000, INT64_MAX - 1000)
        # the first pass sells 501 CUR1 leaving pool12 with INT64_MAX + 501,
        # INT64_MAX - 1499; the second sells 499, leaving INT64_MAX, INT64_MAX - 1996
        with expect_code(PS.PATH_PAYMENT_STRICT_SEND_TOO_FEW_OFFERS):
            path_pay_strict_send(a1, a2, cur1, 502, cur2, 1, path)
        path_pay_strict_send(a1, a2, cur1, 501, cur2, 1, path)
        w.check_pool12(INT64_MAX, INT64_MAX - 1996, INT64_MAX - 1000, 1)
    else:
        ok(root.pay(a1, INT64_MAX - 10000, cur1))
        w.deposit12(mm12, 1000, 2000)
        # the first pass buys 998 CUR2 leaving (2000, 1002); the second buys
        # 1000 CUR2 leaving (1005010, 2)
        with expect_code(PR.PATH_PAYMENT_STRICT_RECEIVE_TOO_FEW_OFFERS):
            path_pay(a1, a2, cur1, INT64_MAX, cur2, 999, path)
        path_pay(a1, a2, cur1, INT64_MAX, cur2, 998, path)
        w.check_pool12(1005010, 2, 1414, 1)


# == "cross the same pair twice in opposite directions" =======================================
@SWAPS
@pytest.mark.parametrize("strict_send", [True, False], ids=["strict send", "strict receive"])
def test_cross_the_same_pair_twice_in_opposite_directions(swap, strict_send):
    """cur1 -> cur2 -> cur1 through pool12 (1000, 2000) both times."""
    w = Trading(swap)
    cur1, cur2 = w.cur1, w.cur2
    a1 = w.account("a1", 10, (cur1,), {cur1: 10000})
    a2 = w.account("a2", 10, (cur1,))
    mm12 = w.account("mm12", 10, (cur1, cur2, w.share12), {cur1: 10000, cur2: 10000})
    w.deposit12(mm12, 1000, 2000)
    if strict_send:
        with expect_code(PS.PATH_PAYMENT_STRICT_SEND_UNDER_DESTMIN):
            path_pay_strict_send(a1, a2, cur1, 100, cur1, 100, [cur2])
        path_pay_strict_send(a1, a2, cur1, 100, cur1, 99, [cur2])
    else:
        with expect_code(PR.PATH_PAYMENT_STRICT_RECEIVE_OVER_SENDMAX):
            path_pay(a1, a2, cur1, 100, cur1, 100, [cur2])
        path_pay(a1, a2, cur1, 100, cur1, 99, [cur2])
    w.check_pool12(1001, 2000, 1414, 1)


# == "liquidity pool trade": "without offers" ===================================================
# (title, strict receive?, send asset name, send amount, dest asset name, dest amount)
WITHOUT_OFFERS_ROWS = [
    ("both non-native, strict receive, pool sells cur1", False, "cur2", 112, "cur1", 100),
    ("both non-native, strict receive, pool sells cur2", False, "cur1", 112, "cur2", 100),
    ("one native, strict receive, pool sells cur1", False, "native", 112, "cur1", 100),
    ("one native, strict receive, pool sells native", False, "cur1", 112, "native", 100),
    ("both non-native, strict send, pool sells cur1", True, "cur2", 112, "cur1", 100),
    ("both non-native, strict send, pool sells cur2", True, "cur1", 112, "cur2", 100),
    ("one native, strict send, pool sells cur1", True, "native", 112, "cur1", 100),
    ("one native, strict send, pool sells native", True, "cur1", 112, "native", 100),
]


@pytest.mark.parametrize("limit", ["satisfies limit", "at limit", "fails due to limit"])
@pytest.mark.parametrize("title,strict_send,send_name,send_amount,dest_name,dest_amount", WITHOUT_OFFERS_ROWS,
                         ids=[r[0] for r in WITHOUT_OFFERS_ROWS])
def test_without_offers(limit, title, strict_send, send_name, send_amount, dest_name, dest_amount):
    w = Trading(False)
    L = w.L
    lines = (w.cur1, w.cur2, w.share12, w.share_n1)
    a1 = w.account("a1", 10, lines, {w.cur1: 10000, w.cur2: 10000})
    a2 = w.account("a2", 10, lines, {w.cur1: 10000, w.cur2: 10000})
    deposit(a1, w.pool12, 1000, 1000, *WIDE)
    deposit(a1, w.pool_n1, 1000, 1000, *WIDE)
    send, dest = getattr(w, send_name), getattr(w, dest_name)
    pool_id = pool_id_of(pool_share(*sorted_pair(send, dest)))

    if limit == "fails due to limit":
        if strict_send:
            with expect_code(PS.PATH_PAYMENT_STRICT_SEND_UNDER_DESTMIN):
                path_pay_strict_send(a2, a2, send, send_amount, dest, dest_amount + 1)
        else:
            with expect_code(PR.PATH_PAYMENT_STRICT_RECEIVE_OVER_SENDMAX):
                path_pay(a2, a2, send, send_amount - 1, dest, dest_amount)
        return

    def bal(acc, asset):
        return acc.balance if asset.type == AT.ASSET_TYPE_NATIVE else dexscen.balance(acc, asset)

    before1 = (bal(a1, send), bal(a1, dest))
    before2 = [bal(a2, send), bal(a2, dest)]
    # a2 pays the fee in lumens
    if send.type == AT.ASSET_TYPE_NATIVE:
        before2[0] -= 100
    elif dest.type == AT.ASSET_TYPE_NATIVE:
        before2[1] -= 100
    extra = 1 if limit == "satisfies limit" else 0
    if strict_send:
        res = path_pay_strict_send(a2, a2, send, send_amount, dest, dest_amount - extra)
    else:
        res = path_pay(a2, a2, send, send_amount + extra, dest, dest_amount)
    assert list(res.success.offers) == [claim_pool_atom(pool_id, dest, dest_amount, send, send_amount)]
    assert (bal(a1, send), bal(a1, dest)) == before1
    assert (bal(a2, send), bal(a2, dest)) == (before2[0] - send_amount, before2[1] + dest_amount)
    cp = dexscen.load_pool(L, pool_id)
    if dest == cp.params.assetA and send == cp.params.assetB:
        assert (cp.reserveA, cp.reserveB) == (1000 - dest_amount, 1000 + send_amount)
    else:
        assert dest == cp.params.assetB and send == cp.params.assetA
        assert (cp.reserveA, cp.reserveB) == (1000 + send_amount, 1000 - dest_amount)


# == UpgradesTests.cpp "upgrade flags": the trading flag =========================================
def test_upgrade_flags_disable_trading():
    w = World()
    L, root, cur1 = w.L, w.root, w.cur1
    ok(root.apply([change_trust(w.share_n1, INT64_MAX)]))
    deposit(root, w.pool_n1, 1000, 1000, P(1, 1), P(1, 1))
    a1 = root.create("a1", w.min_bal(0))

    def pay_one():
        return path_pay(root, a1, cur1, 2, w.native, 1)

    before = a1.balance
    pay_one()
    assert a1.balance == before + 1
    set_header_flags(L, HF.DISABLE_LIQUIDITY_POOL_TRADING_FLAG)
    with expect_code(PR.PATH_PAYMENT_STRICT_RECEIVE_TOO_FEW_OFFERS):
        pay_one()
    set_header_flags(L, 0)
    before = a1.balance
    pay_one()
    assert a1.balance == before + 1
    set_header_flags(L, HF.DISABLE_LIQUIDITY_POOL_TRADING_FLAG | HF.DISABLE_LIQUIDITY_POOL_WITHDRAWAL_FLAG)
    with expect_code(PR.PATH_PAYMENT_STRICT_RECEIVE_TOO_FEW_OFFERS):
        pay_one()


# == "liquidity pool id" ==========================================================================
ACC1 = bytes.fromhex("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
ACC2 = bytes.fromhex("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")
POOL_ID_ROWS = [
    # NATIVE and ALPHANUM4 / ALPHANUM12 (short and full length)
    (None, ("AbC", ACC1), "c17f36fbd210e43dca1cda8edc5b6c0f825fcb72b39f0392fd6309844d77ff7d"),
    (None, ("AbCd", ACC1), "80e0c5dc79ed76bb7e63681f6456136762f0d01ede94bb379dbc793e66db35e6"),
    (None, ("AbCdEfGhIjK", ACC1), "d2306c6e8532f99418e9d38520865e1c1059cddb6793da3cc634224f2ffb5bd4"),
    (None, ("AbCdEfGhIjKl", ACC1), "807e9e66653b5fda4dd4e672ff64a929fc5fdafe152eeadc07bb460c4849d711"),
    # ALPHANUM4 and ALPHANUM4
    (("AbC", ACC1), ("aBc", ACC1), "0239013ab016985fc3ab077d165a9b21b822efa013fdd422381659e76aec505b"),
    (("AbCd", ACC1), ("aBc", ACC1), "cadb490d15b4333890377cd17400acf7681e14d6d949869ffa1fbbad7a6d2fde"),
    (("AbC", ACC1), ("aBcD", ACC1), "a938f8f346f3aff41d2e03b05137ef1955a723861802a4042f51f0f816e0db36"),
    (("AbCd", ACC1), ("aBcD", ACC1), "c89646bb6db726bfae784ab66041abbf54747cf4b6b16dff2a5c05830ad9c16b"),
    # ALPHANUM12 and ALPHANUM12
    (("AbCdEfGhIjK", ACC1), ("aBcDeFgHiJk", ACC1), "88dc054dd0f8146bac0e691095ce2b90cd902b499761d22b1c94df120ca0b060"),
    (("AbCdEfGhIjKl", ACC1), ("aBcDeFgHiJk", ACC1),
     "09672910d891e658219d2f33a8885a542b2a5a09e9f486461201bd278a3e92a4"),
    (("AbCdEfGhIjK", ACC1), ("aBcDeFgHiJkl", ACC1),
     "63501addf8a5a6522eac996226069190b5226c71cfdda22347022418af1948a0"),
    (("AbCdEfGhIjKl", ACC1), ("aBcDeFgHiJkl", ACC1),
     "e851197a0148e949bdc03d52c53821b9afccc0fadfdc41ae01058c14c252e03b"),
    # same code, different issuer
    (("aBc", ACC1), ("aBc", ACC2), "5d7188454299529856586e81ea385d2c131c6afdd9d58c82e9aa558c16522fea"),
    (("aBcD", ACC1), ("aBcD", ACC2), "00d152f5f6b7e46eaf558576512207ea835a332f17ca777fba3cb835ef7dc1ef"),
    (("aBcDeFgHiJk", ACC1), ("aBcDeFgHiJk", ACC2), "cad65154300f087e652981fa5f76aa469b43ad53e9a5d348f1f93da57193d022"),
    (("aBcDeFgHiJkL", ACC1), ("aBcDeFgHiJkL", ACC2),
     "93fa82ecaabe987461d1e3c8e0fd6510558b86ac82a41f7c70b112281be90c71"),
    # ALPHANUM4 before ALPHANUM12 whatever the issuer or code
    (("aBc", ACC1), ("aBcDeFgHiJk", ACC2), "c0d4c87bbaade53764b904fde2901a0353af437e9d3a976f1252670b85a36895"),
    (("aBcD", ACC1), ("aBcDeFgHiJk", ACC2), "1ee5aa0f0e6b8123c2da6592389481f64d816bfe3c3c06be282b0cdb0971f840"),
    (("aBc", ACC1), ("aBcDeFgHiJkL", ACC2), "a87bc151b119c1ea289905f0cb3cf95be7b0f096a0b6685bf2dcae70f9515d53"),
    (("aBcD", ACC1), ("aBcDeFgHiJkL", ACC2), "3caf78118d6cabd42618eef47bbc2da8abe7fe42539b4b502f08766485592a81"),
    (("aBc", ACC2), ("aBcDeFgHiJk", ACC1), "befb7f966ae63adcfde6a6670478bb7d936c29849e25e3387bb9e74566e3a29f"),
    (("aBcD", ACC2), ("aBcDeFgHiJk", ACC1), "593cc996c3f0d32e165fcbee9fdc5dba6ab05140a4a9254e08ad8cb67fe657a1"),
    (("aBc", ACC2), ("aBcDeFgHiJkL", ACC1), "d66af9b7417547c3dc000617533405349d1f622015daf3e9bad703ea34ee1d17"),
    (("aBcD", ACC2), ("aBcDeFgHiJkL", ACC1), "c1c7a4b9db6e3754cae3017f72b6b7c93198f593182c541bcab3795c6413a677"),
]


def _asset(spec):
    if spec is None:
        return xdr.Asset(AT.ASSET_TYPE_NATIVE)
    code, issuer = spec
    return credit(code, xdr.PublicKey(ed25519=issuer))


@pytest.mark.parametrize("x,y,hex_id", POOL_ID_ROWS, ids=[r[2][:8] for r in POOL_ID_ROWS])
def test_liquidity_pool_id(x, y, hex_id):
    """getPoolID(x, y, 30) == getPoolID(y, x, 30) == the expected hash."""
    from stellarcore.transactions.offer_exchange import LIQUIDITY_POOL_FEE_V18, get_pool_id
    a, b = _asset(x), _asset(y)
    assert a.to_xdr() < b.to_xdr()
    assert get_pool_id(a, b, LIQUIDITY_POOL_FEE_V18) == bytes.fromhex(hex_id)
    assert get_pool_id(b, a, LIQUIDITY_POOL_FEE_V18) == bytes.fromhex(hex_id)
    assert ids.liquidity_pool_id(pool_share(a, b).liquidityPool) == bytes.fromhex(hex_id)
