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
from tests.transactions.dexscen import (AF, INT64_MAX, OT, change_trust,
                                        deny_trust, expect_code, path_pay_strict_send, pay, require_op,
                                        set_flags)
from tests.transactions.harness import TestLedger, credit, native
from tests.transactions.test_path_payment import invalid_asset, merge, require_balances

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
