"""PathPaymentStrictReceive against stellar-core v25's PathPaymentTests.cpp
("pathpayment", "path payment uses all offers in a loop"), protocol 23+.

The world is the C++ test's: root, two gateways (gate: IDR, CUR1, CUR2;
gate2: USD, CUR3, CUR4), market makers mmXY selling CURy for CURx, every
setup step through the real operations (ChangeTrust, Payment, ManageSellOffer,
SetOptions, AllowTrust, AccountMerge), invariants after each one. Expected
result codes, balances, offer states and claim atoms are the C++ test's
(TestMarketOffer::exchanged gives the atoms from the maker's side).
Sections that only exist below protocol 10/13 (NO_ISSUER, pre-V10 rounding)
are left out; "issuer missing" is TOO_FEW_OFFERS from protocol 13.
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.transactions.operations import path_payment  # noqa: F401  (registers the ops)
from tests.transactions.dexscen import (AF, DELETED_STATE, INT64_MAX, OT, Market, OfferState, OpFailed,
                                        allow_maintain_liabilities, apply_op, balance, change_trust,
                                        deny_trust, expect_code, make_op, op_path_payment_strict_receive,
                                        op_result, path_pay, pay, price, require_op, set_flags)
from tests.transactions.harness import TestLedger, credit, muxed, native

PP = xdr.PathPaymentStrictReceiveResultCode
FEE = 100
XLM = native()


class World:
    """PathPaymentTests' world (TEST_CASE "pathpayment" preamble)."""

    def __init__(self, L: TestLedger):
        self.L = L
        self.min_balance_no_tx = L.min_balance(0)
        self.mb = [L.min_balance(n) + 10 * FEE for n in range(6)]  # minBalance, minBalance1..5
        payment_amount = self.mb[3]
        more_payment = payment_amount // 2
        gateway_payment = self.mb[2] + more_payment
        self.gateway = L.root.create("gate", gateway_payment)
        self.gateway2 = L.root.create("gate2", gateway_payment)
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
    require_op(OT.PATH_PAYMENT_STRICT_RECEIVE)
    return World(TestLedger())


def code_of(fn):
    """The failure code of fn (None on success)."""
    try:
        fn()
    except OpFailed as e:
        return e.code
    return None


def require_balances(spec):
    """TestMarket::requireBalances: {account: [(asset, balance), ...]}."""
    for acc, pairs in spec.items():
        for asset, bal in pairs:
            assert balance(acc, asset) == bal, (asset, balance(acc, asset), bal)


def merge(acc, into):
    apply_op(acc, make_op(OT.ACCOUNT_MERGE, muxed(into)))


def invalid_asset():
    """makeInvalidAsset: alphanum4 with an all-zero code."""
    return xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                     xdr.AlphaNum4(assetCode=b"\0" * 4, issuer=xdr.PublicKey(ed25519=b"\0" * 32)))


# -- validity -------------------------------------------------------------------
MALFORMED_CASES = {
    # section: (send asset, sendMax, dest asset, destAmount, path)
    "destination amount 0": ("idr", 10, "idr", 0, ()),
    "destination amount negative": ("idr", 10, "idr", -1, ()),
    "send max 0": ("idr", 0, "idr", 10, ()),
    "send max negative": ("idr", -1, "idr", 10, ()),
    "send currency invalid": ("bad", 10, "idr", 10, ()),
    "destination currency invalid": ("idr", 10, "bad", 10, ()),
    "destination path currency invalid": ("idr", 10, "idr", 10, ("bad",)),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_CASES))
def test_malformed(W, case):
    send, send_max, dest, dest_amount, path = MALFORMED_CASES[case]
    a = {"idr": W.idr, "bad": invalid_asset()}
    source = W.create("source", W.mb[1])
    destination = W.create("destination", W.mb[0])
    change_trust(source, W.idr, 20)
    pay(W.gateway, source, W.idr, 10)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_MALFORMED):
        path_pay(source, destination, a[send], send_max, a[dest], dest_amount, [a[p] for p in path])
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10), (W.usd, 0)],
                      destination: [(XLM, W.mb[0]), (W.idr, 0), (W.usd, 0)]})


# -- single-asset payments: balances, trust, authorization ---------------------
def test_dest_amount_too_big_for_xlm(W):
    a = W.create("a", W.mb[1])
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_LINE_FULL):
        path_pay(W.L.root, a, XLM, 20, XLM, INT64_MAX)


def test_dest_amount_too_big_for_asset(W):
    a = W.create("a", W.mb[1])
    change_trust(a, W.idr, INT64_MAX)
    pay(W.gateway, a, W.idr, 10)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_LINE_FULL):
        path_pay(W.gateway, a, W.idr, 20, W.idr, INT64_MAX)


def test_xlm_with_not_enough_funds(W):
    m = W.create("minimum-account", W.min_balance_no_tx + 2 * FEE + 20)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_UNDERFUNDED):
        path_pay(m, W.L.root, XLM, FEE + 21, XLM, FEE + 21)
    require_balances({m: [(XLM, W.min_balance_no_tx + FEE + 20), (W.idr, 0), (W.usd, 0)]})


def test_asset_with_not_enough_funds(W):
    m = W.create("minimum-account", W.mb[1])
    destination = W.create("destination", W.mb[1])
    change_trust(m, W.idr, 20)
    change_trust(destination, W.idr, 20)
    pay(W.gateway, m, W.idr, 10)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_UNDERFUNDED):
        path_pay(m, W.gateway, W.idr, 11, W.idr, 11)
    require_balances({m: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_UNDERFUNDED):
        path_pay(m, destination, W.idr, 11, W.idr, 11)
    require_balances({m: [(XLM, W.mb[1] - 3 * FEE), (W.idr, 10)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})


def test_source_does_not_have_trustline(W):
    src = W.create("no-source-trust", W.mb[0])
    destination = W.create("destination", W.mb[1])
    change_trust(destination, W.idr, 20)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_SRC_NO_TRUST):
        path_pay(src, W.gateway, W.idr, 1, W.idr, 1)
    require_balances({src: [(XLM, W.mb[0] - FEE), (W.idr, 0)], destination: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_SRC_NO_TRUST):
        path_pay(src, destination, W.idr, 1, W.idr, 1)
    require_balances({src: [(XLM, W.mb[0] - 2 * FEE), (W.idr, 0)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})


@pytest.mark.parametrize("revoke", ["deny trust", "allow maintain liabilities"])
def test_source_is_not_authorized(W, revoke):
    src = W.create("no-authorized-source-trust", W.mb[1])
    destination = W.create("destination", W.mb[1])
    change_trust(src, W.idr, 20)
    pay(W.gateway, src, W.idr, 10)
    change_trust(destination, W.idr, 20)
    set_flags(W.gateway, AF.AUTH_REQUIRED_FLAG | AF.AUTH_REVOCABLE_FLAG)
    (deny_trust if revoke == "deny trust" else allow_maintain_liabilities)(W.gateway, src, W.idr)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_SRC_NOT_AUTHORIZED):
        path_pay(src, W.gateway, W.idr, 10, W.idr, 10)
    require_balances({src: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)], destination: [(XLM, W.mb[1] - FEE)]})
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_SRC_NOT_AUTHORIZED):
        path_pay(src, destination, W.idr, 10, W.idr, 10)
    require_balances({src: [(XLM, W.mb[1] - 3 * FEE), (W.idr, 10)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})


def test_destination_does_not_exist(W):
    source = W.create("source", W.mb[1])
    change_trust(source, W.idr, 20)
    pay(W.gateway, source, W.idr, 10)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_NO_DESTINATION):
        path_pay(source, W.L.account("non-existing-destination"), W.idr, 10, W.idr, 10)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)]})


def test_destination_is_issuer_and_does_not_exist_simple_path(W):
    """shouldBypassIssuerCheck: credits go back to a merged issuer."""
    source = W.create("source", W.mb[1])
    change_trust(source, W.idr, 20)
    pay(W.gateway, source, W.idr, 10)
    merge(W.gateway, W.L.root)
    res = path_pay(source, W.gateway, W.idr, 10, W.idr, 10)
    assert list(res.success.offers) == []
    assert res.success.last == xdr.SimplePaymentResult(destination=W.gateway.id, asset=W.idr, amount=10)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 0)]})


def test_destination_is_issuer_and_does_not_exist_complex_path(W):
    source = W.create("source", W.mb[1])
    change_trust(source, W.idr, 20)
    pay(W.gateway, source, W.idr, 10)
    merge(W.gateway, W.L.root)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_NO_DESTINATION):
        path_pay(source, W.gateway, W.idr, 10, W.usd, 10)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10), (W.usd, 0)]})


def test_destination_does_not_have_trustline(W):
    source = W.create("source", W.mb[1])
    nt = W.create("no-destination-trust", W.mb[0])
    change_trust(source, W.idr, 20)
    pay(W.gateway, source, W.idr, 10)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_NO_TRUST):
        path_pay(W.gateway, nt, W.idr, 1, W.idr, 1)
    require_balances({source: [(XLM, W.mb[1] - FEE), (W.idr, 10)], nt: [(XLM, W.mb[0]), (W.idr, 0)]})
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_NO_TRUST):
        path_pay(source, nt, W.idr, 1, W.idr, 1)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)], nt: [(XLM, W.mb[0]), (W.idr, 0)]})


@pytest.mark.parametrize("revoke", ["deny trust", "allow maintain liabilities"])
def test_destination_is_not_authorized(W, revoke):
    source = W.create("source", W.mb[1])
    dest = W.create("no-authorized-destination-trust", W.mb[1])
    change_trust(source, W.idr, 20)
    pay(W.gateway, source, W.idr, 10)
    change_trust(dest, W.idr, 20)
    set_flags(W.gateway, AF.AUTH_REQUIRED_FLAG | AF.AUTH_REVOCABLE_FLAG)
    (deny_trust if revoke == "deny trust" else allow_maintain_liabilities)(W.gateway, dest, W.idr)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_NOT_AUTHORIZED):
        path_pay(W.gateway, dest, W.idr, 10, W.idr, 10)
    require_balances({source: [(XLM, W.mb[1] - FEE), (W.idr, 10)], dest: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_NOT_AUTHORIZED):
        path_pay(source, dest, W.idr, 10, W.idr, 10)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)],
                      dest: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})


@pytest.mark.parametrize("limit,start", [(20, 10), (INT64_MAX, INT64_MAX - 10)], ids=["line full", "line overflow"])
def test_destination_line_full(W, limit, start):
    source = W.create("source", W.mb[1])
    destination = W.create("destination", W.mb[1])
    change_trust(source, W.idr, 20)
    change_trust(destination, W.idr, limit)
    pay(W.gateway, source, W.idr, 10)
    pay(W.gateway, destination, W.idr, start)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_LINE_FULL):
        path_pay(W.gateway, destination, W.idr, 1, W.idr, 11)
    require_balances({source: [(XLM, W.mb[1] - FEE), (W.idr, 10)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, start)]})
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_LINE_FULL):
        path_pay(source, destination, W.idr, 11, W.idr, 11)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, start)]})


def test_over_send_max_xlm(W):
    source = W.create("source", W.mb[0])
    destination = W.create("destination", W.mb[0])
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_OVER_SENDMAX):
        path_pay(source, destination, XLM, 10, XLM, 11)
    require_balances({source: [(XLM, W.mb[0] - FEE)], destination: [(XLM, W.mb[0])]})


def test_over_send_max_asset(W):
    source = W.create("source", W.mb[1])
    destination = W.create("destination", W.mb[1])
    change_trust(source, W.idr, 10)
    change_trust(destination, W.idr, 10)
    pay(W.gateway, source, W.idr, 10)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_OVER_SENDMAX):
        path_pay(source, destination, W.idr, 9, W.idr, 10)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, 0)]})


def test_to_self_xlm(W):
    account = W.create("account", W.mb[0] + FEE + 20)
    path_pay(account, account, XLM, 20, XLM, 20)
    require_balances({account: [(XLM, W.mb[0] + 20)]})


def test_to_self_asset(W):
    account = W.create("account", W.mb[1] + 2 * FEE)
    change_trust(account, W.idr, 20)
    pay(W.gateway, account, W.idr, 10)
    res = path_pay(account, account, W.idr, 10, W.idr, 10)
    assert list(res.success.offers) == []
    require_balances({account: [(W.idr, 10)]})


def test_to_self_asset_over_the_limit(W):
    account = W.create("account", W.mb[1] + 2 * FEE)
    change_trust(account, W.idr, 20)
    pay(W.gateway, account, W.idr, 19)
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_LINE_FULL):
        path_pay(account, account, W.idr, 2, W.idr, 2)
    require_balances({account: [(W.idr, 19)]})


def test_is_dex_operation():
    """isDexOperation: a path, or two different assets."""
    from stellarcore.transactions.operations.path_payment import PathPaymentStrictReceiveOpFrame as F
    L = TestLedger()
    gw = L.root
    idr, usd = credit("IDR", gw), credit("USD", gw)

    class _Tx:
        source_account = muxed(gw)
        source_id = gw.id

    def frame(send, dest, path=()):
        return F(op_path_payment_strict_receive(gw, send, 1, dest, 1, path), _Tx, 0)
    assert not frame(idr, idr).is_dex_operation
    assert frame(idr, usd).is_dex_operation
    assert frame(idr, idr, [idr]).is_dex_operation
