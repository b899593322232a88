"""PathPaymentStrictSend against stellar-core v25's
PathPaymentStrictSendTests.cpp ("pathpayment strict send", "pathpayment
strict send uses all offers in a loop"), protocol 23+.

Same vocabulary as test_path_payment.py (the world is the C++ test's:
gate1 issues IDR, CUR1, CUR2; gate2 issues USD, CUR3, CUR4; both start with
minBalance5). Besides the claim atoms themselves, successful crossings are
checked with the C++ file's checkClaimedOffers: the atoms are in path order,
the first hop's atoms bought exactly sendAmount, the last hop's sold at
least destMin, and within a hop each atom is at a strictly worse price than
the previous one.
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.transactions.operations import path_payment  # noqa: F401  (registers the ops)
from tests.transactions.dexscen import (AF, INT64_MAX, OT, balance, change_trust,
                                        deny_trust, expect_code, path_pay_strict_send, pay, require_op,
                                        set_flags)
from tests.transactions.harness import TestLedger, credit, native
from tests.transactions.test_path_payment import RECEIVE_SCENARIOS as RS
from tests.transactions.test_path_payment import _P4, invalid_asset, merge, require_balances, run_scenario, scn, variant

PS = xdr.PathPaymentStrictSendResultCode
FEE = 100
XLM = native()


class World:
    """PathPaymentStrictSendTests' world."""

    def __init__(self, L: TestLedger):
        self.L = L
        self.mb = [L.min_balance(n) + 10 * FEE for n in range(6)]  # minBalance, minBalance1..5
        self.gateway = L.root.create("gate1", self.mb[5])
        self.gateway2 = L.root.create("gate2", self.mb[5])
        self.idr = credit("IDR", self.gateway)
        self.cur1 = credit("CUR1", self.gateway)
        self.cur2 = credit("CUR2", self.gateway)
        self.usd = credit("USD", self.gateway2)
        self.cur3 = credit("CUR3", self.gateway2)
        self.cur4 = credit("CUR4", self.gateway2)

    def create(self, name, bal):
        return self.L.root.create(name, bal)


@pytest.fixture
def W():
    require_op(OT.PATH_PAYMENT_STRICT_SEND)
    return World(TestLedger())


def _atom_fields(a):
    v = a.orderBook if a.type == xdr.ClaimAtomType.CLAIM_ATOM_TYPE_ORDER_BOOK else a.liquidityPool
    return v.assetBought, v.amountBought, v.assetSold, v.amountSold


def check_claimed_offers(actual, expected, send_amount, dest_min):
    """checkClaimedOffers (PathPaymentStrictSendTests.cpp)."""
    actual = list(actual)
    assert actual == list(expected)
    for lhs, rhs in zip(actual, actual[1:]):
        if lhs.type != rhs.type:
            raise AssertionError("adjacent atoms of different types")
        lb, lbn, ls, lsn = _atom_fields(lhs)
        rb, rbn, rs, rsn = _atom_fields(rhs)
        if not (lb == rb and ls == rs):
            continue
        assert lsn != 0
        assert not (lbn * rsn > lsn * rbn)
    if actual:
        src_asset = _atom_fields(actual[0])[0]
        sent = 0
        for a in actual:
            b, bn, _, _ = _atom_fields(a)
            if b != src_asset:
                break
            sent += bn
        assert sent == send_amount
        dest_asset = _atom_fields(actual[-1])[2]
        got = 0
        for a in reversed(actual):
            _, _, s, sn = _atom_fields(a)
            if s != dest_asset:
                break
            got += sn
        assert got >= dest_min


# -- validity -------------------------------------------------------------------
@pytest.mark.parametrize("field", ["send amount", "destination minimum"])
def test_amount_constraints(W, field):
    source = W.create("source", W.mb[1])
    destination = W.create("destination", W.mb[0])
    for i, amount in enumerate((0, -1), start=1):
        send, dest_min = (amount, 1) if field == "send amount" else (1, amount)
        with expect_code(PS.PATH_PAYMENT_STRICT_SEND_MALFORMED):
            path_pay_strict_send(source, destination, XLM, send, XLM, dest_min)
        require_balances({source: [(XLM, W.mb[1] - i * FEE)], destination: [(XLM, W.mb[0])]})


def test_currency_invalid(W):
    source = W.create("source", W.mb[1])
    destination = W.create("destination", W.mb[0])
    bad = invalid_asset()
    for i, (send, dest, path) in enumerate([(bad, XLM, []), (XLM, bad, []), (XLM, XLM, [bad])], start=1):
        with expect_code(PS.PATH_PAYMENT_STRICT_SEND_MALFORMED):
            path_pay_strict_send(source, destination, send, 10, dest, 10, path)
        require_balances({source: [(XLM, W.mb[1] - i * FEE)], destination: [(XLM, W.mb[0])]})


# -- single-asset payments ----------------------------------------------------------
def test_send_amount_too_big(W):
    a = W.create("a", W.mb[1])
    dest = W.create("destination", W.mb[1])
    change_trust(a, W.idr, INT64_MAX)
    change_trust(dest, W.idr, INT64_MAX)
    pay(W.gateway, a, W.idr, 10)
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_UNDERFUNDED):
        path_pay_strict_send(a, dest, XLM, W.mb[1] + 1, XLM, 20)
    require_balances({a: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)], dest: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_UNDERFUNDED):
        path_pay_strict_send(a, W.gateway, W.idr, 11, W.idr, 20)
    require_balances({a: [(XLM, W.mb[1] - 3 * FEE), (W.idr, 10)], dest: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})


def test_source_does_not_have_trustline(W):
    src = W.create("no-source-trust", W.mb[0])
    destination = W.create("destination", W.mb[1])
    change_trust(destination, W.idr, 20)
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_SRC_NO_TRUST):
        path_pay_strict_send(src, W.gateway, W.idr, 1, W.idr, 1)
    require_balances({src: [(XLM, W.mb[0] - FEE), (W.idr, 0)], destination: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_SRC_NO_TRUST):
        path_pay_strict_send(src, destination, W.idr, 1, W.idr, 1)
    require_balances({src: [(XLM, W.mb[0] - 2 * FEE), (W.idr, 0)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})


def test_source_is_not_authorized(W):
    src = W.create("no-authorized-source-trust", W.mb[1])
    destination = W.create("destination", W.mb[1])
    change_trust(src, W.idr, 20)
    pay(W.gateway, src, W.idr, 10)
    change_trust(destination, W.idr, 20)
    set_flags(W.gateway, AF.AUTH_REQUIRED_FLAG | AF.AUTH_REVOCABLE_FLAG)
    deny_trust(W.gateway, src, W.idr)
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_SRC_NOT_AUTHORIZED):
        path_pay_strict_send(src, W.gateway, W.idr, 10, W.idr, 10)
    require_balances({src: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)], destination: [(XLM, W.mb[1] - FEE)]})
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_SRC_NOT_AUTHORIZED):
        path_pay_strict_send(src, destination, W.idr, 10, W.idr, 10)
    require_balances({src: [(XLM, W.mb[1] - 3 * FEE), (W.idr, 10)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})


def test_destination_does_not_exist(W):
    source = W.create("source", W.mb[1])
    change_trust(source, W.idr, 20)
    pay(W.gateway, source, W.idr, 10)
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_NO_DESTINATION):
        path_pay_strict_send(source, W.L.account("non-existing-destination"), W.idr, 10, W.idr, 10)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)]})


def test_destination_is_issuer_and_does_not_exist_simple_path(W):
    source = W.create("source", W.mb[1])
    change_trust(source, W.idr, 20)
    pay(W.gateway, source, W.idr, 10)
    merge(W.gateway, W.L.root)
    res = path_pay_strict_send(source, W.gateway, W.idr, 10, W.idr, 10)
    assert list(res.success.offers) == []
    assert res.success.last == xdr.SimplePaymentResult(destination=W.gateway.id, asset=W.idr, amount=10)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 0)]})


def test_destination_is_issuer_and_does_not_exist_complex_path(W):
    source = W.create("source", W.mb[1])
    change_trust(source, W.idr, 20)
    pay(W.gateway, source, W.idr, 10)
    merge(W.gateway, W.L.root)
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_NO_DESTINATION):
        path_pay_strict_send(source, W.gateway, W.idr, 10, W.usd, 10)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10), (W.usd, 0)]})


def test_destination_does_not_have_trustline(W):
    source = W.create("source", W.mb[1])
    nt = W.create("no-destination-trust", W.mb[0])
    change_trust(source, W.idr, 20)
    pay(W.gateway, source, W.idr, 10)
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_NO_TRUST):
        path_pay_strict_send(W.gateway, nt, W.idr, 1, W.idr, 1)
    require_balances({source: [(XLM, W.mb[1] - FEE), (W.idr, 10)], nt: [(XLM, W.mb[0]), (W.idr, 0)]})
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_NO_TRUST):
        path_pay_strict_send(source, nt, W.idr, 1, W.idr, 1)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)], nt: [(XLM, W.mb[0]), (W.idr, 0)]})


def test_destination_is_not_authorized(W):
    source = W.create("source", W.mb[1])
    dest = W.create("no-authorized-destination-trust", W.mb[1])
    change_trust(source, W.idr, 20)
    pay(W.gateway, source, W.idr, 10)
    change_trust(dest, W.idr, 20)
    set_flags(W.gateway, AF.AUTH_REQUIRED_FLAG | AF.AUTH_REVOCABLE_FLAG)
    deny_trust(W.gateway, dest, W.idr)
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_NOT_AUTHORIZED):
        path_pay_strict_send(W.gateway, dest, W.idr, 10, W.idr, 10)
    require_balances({source: [(XLM, W.mb[1] - FEE), (W.idr, 10)], dest: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_NOT_AUTHORIZED):
        path_pay_strict_send(source, dest, W.idr, 10, W.idr, 10)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)],
                      dest: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})


@pytest.mark.parametrize("limit,start", [(20, 10), (INT64_MAX, INT64_MAX - 10)], ids=["line full", "line overflow"])
def test_destination_line_full(W, limit, start):
    source = W.create("source", W.mb[1])
    destination = W.create("destination", W.mb[1])
    change_trust(source, W.idr, 20)
    change_trust(destination, W.idr, limit)
    pay(W.gateway, source, W.idr, 11)
    pay(W.gateway, destination, W.idr, start)
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_LINE_FULL):
        path_pay_strict_send(W.gateway, destination, W.idr, 11, W.idr, 11)
    require_balances({source: [(XLM, W.mb[1] - FEE), (W.idr, 11)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, start)]})
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_LINE_FULL):
        path_pay_strict_send(source, destination, W.idr, 11, W.idr, 11)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 11)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, start)]})


def test_under_destination_minimum_xlm(W):
    source = W.create("source", W.mb[0])
    destination = W.create("destination", W.mb[0])
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_UNDER_DESTMIN):
        path_pay_strict_send(source, destination, XLM, 10, XLM, 11)
    require_balances({source: [(XLM, W.mb[0] - FEE)], destination: [(XLM, W.mb[0])]})


def test_under_destination_minimum_asset(W):
    source = W.create("source", W.mb[1])
    destination = W.create("destination", W.mb[1])
    change_trust(source, W.idr, 10)
    change_trust(destination, W.idr, 10)
    pay(W.gateway, source, W.idr, 10)
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_UNDER_DESTMIN):
        path_pay_strict_send(source, destination, W.idr, 9, W.idr, 10)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})


def test_to_self_xlm(W):
    account = W.create("account", W.mb[0] + FEE + 20)
    path_pay_strict_send(account, account, XLM, 20, XLM, 20)
    require_balances({account: [(XLM, W.mb[0] + 20)]})


def test_to_self_asset(W):
    account = W.create("account", W.mb[1] + 2 * FEE)
    change_trust(account, W.idr, 20)
    pay(W.gateway, account, W.idr, 10)
    res = path_pay_strict_send(account, account, W.idr, 10, W.idr, 10)
    assert list(res.success.offers) == []
    assert res.success.last == xdr.SimplePaymentResult(destination=account.id, asset=W.idr, amount=10)
    require_balances({account: [(W.idr, 10)]})


def test_to_self_asset_over_the_limit(W):
    """The source is debited first, so 19 + 2 never exceeds the limit of 20."""
    account = W.create("account", W.mb[1] + 2 * FEE)
    change_trust(account, W.idr, 20)
    pay(W.gateway, account, W.idr, 19)
    path_pay_strict_send(account, account, W.idr, 2, W.idr, 2)
    require_balances({account: [(W.idr, 19)]})


# -- scenarios with offers (same engine as test_path_payment.py) ---------------------
def _send(sc, send_amount, dest_min, path="cur2 cur3", error=None, **kw):
    """A strict-send section whose setup is the strict-receive section's."""
    src, dst, send, _, dest, _, _ = sc["pay"]
    return variant(sc, pay=(src, dst, send, send_amount, dest, dest_min, path), error=error, **kw)


def _not_enough(a, b, c):
    """Strict send walks forwards: its first exchange is cur1 -> cur2."""
    return variant(RS["not enough offers for first exchange"],
                   offers=[("o1", "mm12", "cur2", "cur1", (1, 1), a), ("o2", "mm23", "cur3", "cur2", (1, 1), b),
                           ("o3", "mm34", "cur4", "cur3", (1, 1), c)],
                   pay=("source", "destination", "cur1", 10, "cur4", 10, "cur2 cur3"),
                   error=PS.PATH_PAYMENT_STRICT_SEND_TOO_FEW_OFFERS)


_TAKES = RS["takes best offers, multiple offers per exchange V10"]
_TAKES_CHANGES = {"o1a": None, "o1b": 2, "o1c": None, "o2a": 1, "o2b": None, "o2c": None, "o3a": None,
                  "o3b": None}
_TAKES_ATOMS = [("o1c", 9, 12), ("o1a", 10, 15), ("o1b", 14, 28), ("o2c", 12, 16), ("o2b", 6, 9),
                ("o2a", 4, 8), ("o3a", 9, 12), ("o3b", 6, 9), ("o3c", 0, 1)]

SEND_SCENARIOS = {
    "not enough offers for first exchange": _not_enough(9, 10, 10),
    "not enough offers for middle exchange": _not_enough(10, 9, 10),
    "not enough offers for last exchange": _not_enough(10, 10, 9),
    **{f"crosses own offer for {k} exchange": _send(RS[f"crosses own offer for {k} exchange"], 10, 10,
                                                    error=PS.PATH_PAYMENT_STRICT_SEND_OFFER_CROSS_SELF)
       for k in ("first", "middle", "last")},
    **{f"does not cross own offer if better is available for {k} exchange":
       _send(RS[f"does not cross own offer if better is available for {k} exchange"], 10, 10)
       for k in ("first", "middle", "last")},
    "under destination minimum with real path": _send(RS["over send max with real path"], 10, 10, _P4,
                                                      error=PS.PATH_PAYMENT_STRICT_SEND_UNDER_DESTMIN),
    **{f"crosses destination offer for {k} exchange": _send(RS[f"crosses destination offer for {k} exchange"],
                                                            10, 10)
       for k in ("first", "middle", "last")},
    **{f"uses whole best offer for {k} exchange": _send(RS[f"uses whole best offer for {k} exchange"], 80, 10)
       for k in ("first", "second", "last")},
    "takes all offers, one offer per exchange": _send(RS["takes all offers, one offer per exchange"], 80, 10),
    "takes all offers, multiple offers per exchange": _send(
        RS["takes all offers, multiple offers per exchange V10"], 59, 16, _P4),
    "takes best offers, multiple offers per exchange": _send(
        _TAKES, 55, 15, _P4, changes=dict(_TAKES_CHANGES, o3c=1), atoms=_TAKES_ATOMS,
        balances="source: xlm=4-2 cur1=3 cur2=0 cur3=0 cur4=0; mm12: xlm=5-5 cur1=55 cur2=2;"
                 "mm23: xlm=5-5 cur2=33 cur3=1; mm34: xlm=5-5 cur3=22 cur4=1; destination: xlm=1-1 cur4=15"),
    "takes best offers, multiple offers per exchange, last offer sends nothing": _send(
        variant(_TAKES, accounts=_TAKES["accounts"] + " mm34b=5",
                trust=_TAKES["trust"] + " mm34b:cur3/2,cur4", fund=_TAKES["fund"] + " mm34b:cur4=1",
                offers=_TAKES["offers"][:8] + [("o3c", "mm34b", "cur4", "cur3", (2, 1), 1)]),
        55, 15, _P4, changes=dict(_TAKES_CHANGES, o3c=None), atoms=_TAKES_ATOMS,
        balances="source: xlm=4-2 cur1=3 cur2=0 cur3=0 cur4=0; mm12: xlm=5-5 cur1=55 cur2=2;"
                 "mm23: xlm=5-5 cur2=33 cur3=1; mm34: xlm=5-4 cur3=21 cur4=1; mm34b: xlm=5-3 cur3=1 cur4=1;"
                 "destination: xlm=1-1 cur4=15"),
}


def _loop(merge_issuer=None):
    """"pathpayment strict send uses all offers in a loop"."""
    return scn("source=4 destination=1 mm12=3 mm23=3 mm31=3",
               "source:cur1 mm12:cur1,cur2 mm23:cur2,cur3 mm31:cur3,cur1 destination:cur3",
               "source:cur1=8000 mm12:cur2=8000 mm23:cur3=8000 mm31:cur1=8000",
               [("o1", "mm12", "cur2", "cur1", (2, 1), 1000), ("o2", "mm23", "cur3", "cur2", (2, 1), 1000),
                ("o3", "mm31", "cur1", "cur3", (2, 1), 1000)],
               ("source", "destination", "cur1", 1280, "cur3", 10, "cur2 cur3 cur1 cur2"),
               "source: xlm=4-2 cur1=6720 cur2=0 cur3=0; mm12: xlm=3-3 cur1=1440 cur2=7280 cur3=0;"
               "mm23: xlm=3-3 cur1=0 cur2=720 cur3=7640; mm31: xlm=3-3 cur1=7840 cur2=0 cur3=320;"
               "destination: xlm=1-1 cur1=0 cur2=0 cur3=40",
               atoms=[("o1", 640, 1280), ("o2", 320, 640), ("o3", 160, 320), ("o1", 80, 160), ("o2", 40, 80)],
               changes={"o1": 280, "o2": 640, "o3": 840}, limit=16000, merge=merge_issuer)


SEND_SCENARIOS["uses all offers in a loop (no issuers missing)"] = _loop()
SEND_SCENARIOS["uses all offers in a loop (outside issuers missing)"] = _loop("gateway")
SEND_SCENARIOS["uses all offers in a loop (inside issuers missing)"] = _loop("gateway2")


@pytest.mark.parametrize("name", list(SEND_SCENARIOS))
def test_offer_scenarios(W, name):
    sc = SEND_SCENARIOS[name]
    res = run_scenario(W, sc, strict_send=True)
    if res is not None:
        _, _, _, send_amount, _, dest_min, _ = sc["pay"]
        check_claimed_offers(res.success.offers, res.success.offers, send_amount, dest_min)


SEND_SCENARIOS["rounding: exchangeV10 recalculate sheepValue: 1 offer"] = scn(
    "source=1 mm=4 destination=1", "source:cur1/3 mm:cur1/2000,cur2/2000 destination:cur2/2000",
    "source:cur1=3 mm:cur2=2000", [("o1", "mm", "cur2", "cur1", (5, 3), 3)],
    ("source", "destination", "cur1", 3, "cur2", 1, ""),
    "source: cur1=0; mm: cur1=3 cur2=1999; destination: cur2=1", changes={"o1": None})
SEND_SCENARIOS["rounding: exchangeV10 recalculate sheepValue: 2 offers"] = scn(
    "source=1 mm=4 destination=1", "source:cur1/100 mm:cur1/2000,cur2/2000 destination:cur2/2000",
    "source:cur1=100 mm:cur2=2000",
    [("o1", "mm", "cur2", "cur1", (5, 3), 3), ("o2", "mm", "cur2", "cur1", (5, 3), 6)],
    ("source", "destination", "cur1", 8, "cur2", 1, ""),
    "source: cur1=92; mm: cur1=8 cur2=1996; destination: cur2=4", changes={"o1": None, "o2": None})


def test_rounding_send_some_receive_nothing(W):
    """"rounding / send some, receive nothing": the last atom buys 1 and sells 0."""
    sc = scn("source=1 mm=4 destination=1", "source:cur1/100 mm:cur1/2000,cur2/2000 destination:cur2/2000",
             "source:cur1=100 mm:cur2=2000",
             [("o1", "mm", "cur2", "cur1", (5, 3), 3), ("o2", "mm", "cur2", "cur1", (5, 3), 6)],
             ("source", "destination", "cur1", 6, "cur2", 1, ""),
             "source: cur1=94; mm: cur1=6 cur2=1997; destination: cur2=3", changes={"o1": None, "o2": 6})
    res = run_scenario(W, sc, strict_send=True)
    last = res.success.offers[-1].orderBook
    assert (last.amountSold, last.amountBought) == (0, 1)


@pytest.mark.parametrize("dest_offer,code", [
    (False, PS.PATH_PAYMENT_STRICT_SEND_UNDERFUNDED),
    (True, PS.PATH_PAYMENT_STRICT_SEND_LINE_FULL),
], ids=["selling liabilities", "buying liabilities"])
def test_liabilities(W, dest_offer, code):
    from tests.transactions.test_path_payment import _liabilities_world
    accs, _, _ = _liabilities_world(W, dest_offer)
    with expect_code(code):
        path_pay_strict_send(accs["source"], accs["destination"], W.cur1, 51, W.cur2, 51, [W.cur1, W.cur2])
    path_pay_strict_send(accs["source"], accs["destination"], W.cur1, 50, W.cur2, 50, [W.cur1, W.cur2])


def test_with_rounding_errors(W):
    from tests.transactions.test_path_payment import rounding_errors_world
    source, destination, seller, cny, market, offer = rounding_errors_world(W)
    res = market.require_changes(
        [offer.with_amount(145000000 - 20039999)],
        lambda: path_pay_strict_send(source, destination, XLM, 1382068965, cny, 20039999, []))
    # 20039999 = floor(1382068965 * 29 / 2000)
    expected = [offer.exchanged(20039999, 1382068965)]
    check_claimed_offers(res.success.offers, expected, 1382068965, 20039999)
    assert source.balance == 1989999000 - 100 - 1382068965
    assert balance(seller, cny) == 1700000000 - 20039999
    assert balance(destination, cny) == 20039999


@pytest.mark.parametrize("missing", ["send", "middle", "last"])
def test_issuer_missing(W, missing):
    source = W.create("source", W.mb[1])
    destination = W.create("destination", W.mb[1])
    change_trust(source, W.idr, 20)
    change_trust(destination, W.usd, 20)
    pay(W.gateway, source, W.idr, 10)
    path = []
    if missing == "send":
        merge(W.gateway, W.L.root)
    elif missing == "middle":
        path = [credit("BTC", W.L.account("missing"))]
    else:
        merge(W.gateway2, W.L.root)
    with expect_code(PS.PATH_PAYMENT_STRICT_SEND_TOO_FEW_OFFERS):
        path_pay_strict_send(source, destination, W.idr, 10, W.usd, 10, path)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10), (W.usd, 0)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, 0), (W.usd, 0)]})


def test_max_offers_to_cross_is_one_budget(W, monkeypatch):
    """PARITY_TRAPS D3 for PathPaymentStrictSendOpFrame::doApply (stubbed exchange)."""
    from tests.transactions.test_path_payment import check_offer_budget
    check_offer_budget(W, monkeypatch, strict_send=True)


@pytest.mark.parametrize("rotation", [0, 1, 2], ids=["xlm-usd-idr", "idr-xlm-usd", "usd-idr-xlm"])
@pytest.mark.parametrize("name", ["arbitrage", "anti-arbitrage", "anti-arbitrage with low destmin"])
def test_cycle(W, name, rotation):
    """"with cycle" (PathPaymentStrictSendTests)."""
    from tests.transactions.test_path_payment import run_cycle
    run_cycle(W, name, rotation, strict_send=True)
