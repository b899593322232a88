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
from tests.transactions.dexscen import (AF, INT64_MAX, OT, Market, OfferState, OpFailed,
                                        allow_maintain_liabilities, apply_op, balance, change_trust,
                                        deny_trust, expect_code, make_op, op_path_payment_strict_receive,
                                        path_pay, pay, price, require_op, set_flags)
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


# -- scenarios with offers ------------------------------------------------------------
# A scenario is the C++ section's setup and expectations in a compact form:
#   accounts  "name=N ..."                 created with minBalanceN (or =raw:AMOUNT)
#   trust     "name:asset/limit,asset ..." ChangeTrust (limit defaults to `limit`)
#   fund      "name:asset=amount ..."      the asset's gateway pays
#   offers    [(label, owner, selling, buying, (n, d), amount)] in creation order
#   pay       (source, dest, send asset, sendMax|sendAmount, dest asset,
#              destAmount|destMin, "path ...")
#   error     the expected result code, or
#   atoms     [(label, sold, bought)]      TestMarketOffer::exchanged
#   changes   {label: remaining amount, or None for deleted}
#   balances  "name: asset=value ...; ..."  xlm=N-K means minBalanceN - K*txfee
#   maintain  [(issuer, account, asset)]   before paying: AUTH_REQUIRED|REVOCABLE on the
#                                          issuer, then allowMaintainLiabilities
#   merge     an account merged into root before paying
#   (atoms None: the C++ section checks balances and offers only)
def scn(accounts, trust, fund, offers, pay, balances="", error=None, atoms=None, changes=None, limit=20,
        maintain=(), merge=None):
    return dict(accounts=accounts, trust=trust, fund=fund, offers=offers, pay=pay, balances=balances,
                error=error, atoms=None if atoms is None else list(atoms), changes=changes or {}, limit=limit,
                maintain=list(maintain), merge=merge)


def variant(sc, **kw):
    """A copy of a scenario with some fields replaced."""
    out = dict(sc)
    out.update(kw)
    return out


def _assets(W):
    return {"xlm": XLM, "idr": W.idr, "cur1": W.cur1, "cur2": W.cur2, "usd": W.usd, "cur3": W.cur3,
            "cur4": W.cur4}


def _issuer(W, asset_name):
    return W.gateway if asset_name in ("idr", "cur1", "cur2") else W.gateway2


def setup_scenario(W, sc):
    """Create the accounts, trustlines, balances and offers of a scenario.
    Returns (accounts by name, Market, offers by label)."""
    A = _assets(W)
    accs = {"root": W.L.root, "gateway": W.gateway, "gateway2": W.gateway2}
    for tok in sc["accounts"].split():
        name, n = tok.split("=")
        accs[name] = W.create(name, int(n[4:]) if n.startswith("raw:") else W.mb[int(n)])
    for tok in sc["trust"].split():
        name, lines = tok.split(":")
        for line in lines.split(","):
            asset, _, lim = line.partition("/")
            change_trust(accs[name], A[asset], int(lim) if lim else sc["limit"])
    for tok in sc["fund"].split():
        name, spec = tok.split(":")
        asset, amount = spec.split("=")
        pay(_issuer(W, asset), accs[name], A[asset], int(amount))
    market = Market(W.L)
    offers = {}
    for label, owner, selling, buying, (n, d), amount in sc["offers"]:
        st = OfferState(A[selling], A[buying], price(n, d), amount)
        o = market.require_changes_with_offer([], lambda: market.add_offer(accs[owner], st))
        if label:
            offers[label] = o
    return accs, market, offers


def check_balances(W, accs, spec):
    A = _assets(W)
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        name, _, vals = part.partition(":")
        acc = accs[name.strip()]
        for tok in vals.split():
            asset, v = tok.split("=")
            if asset == "xlm" and "-" in v:
                n, k = v.split("-")
                want = W.mb[int(n)] - int(k) * FEE
            else:
                want = int(v)
            assert balance(acc, A[asset]) == want, (name, asset, balance(acc, A[asset]), want)


def run_scenario(W, sc, strict_send=False):
    """Set up, pay (strict receive, or strict send), check the result code or
    the claim atoms and offer changes, then the balances. Returns the result."""
    from tests.transactions.dexscen import path_pay_strict_send
    A = _assets(W)
    accs, market, offers = setup_scenario(W, sc)
    src, dst, send, send_n, dest, dest_n, path = sc["pay"]
    path_assets = [A[p] for p in path.split()]
    for issuer, acc, asset in sc["maintain"]:
        set_flags(accs[issuer], AF.AUTH_REQUIRED_FLAG | AF.AUTH_REVOCABLE_FLAG)
        allow_maintain_liabilities(accs[issuer], accs[acc], A[asset])
    if sc["merge"]:
        merge(accs[sc["merge"]], W.L.root)
    fn = path_pay_strict_send if strict_send else path_pay

    def do():
        return fn(accs[src], accs[dst], A[send], send_n, A[dest], dest_n, path_assets)
    res = None
    if sc["error"] is not None:
        with expect_code(sc["error"]):
            market.require_changes([], do)
    else:
        changes = [offers[k].deleted() if v is None else offers[k].with_amount(v)
                   for k, v in sc["changes"].items()]
        res = market.require_changes(changes, do)
        if sc["atoms"] is not None:
            assert list(res.success.offers) == [offers[k].exchanged(s, b) for k, s, b in sc["atoms"]]
        assert res.success.last == xdr.SimplePaymentResult(destination=accs[dst].id, asset=A[dest],
                                                            amount=(res.success.last.amount if strict_send
                                                                    else dest_n))
    check_balances(W, accs, sc["balances"])
    return res


# the market makers' chain cur1 -> cur2 -> cur3 -> cur4 (mmXY sells CURy for CURx)
_CHAIN_TRUST = "mm12:cur1,cur2 mm23:cur2,cur3 mm34:cur3,cur4"
_P4 = "cur1 cur2 cur3 cur4"


def _not_enough(a, b, c):
    return scn("source=1 destination=1 mm12=3 mm23=3 mm34=3",
               "source:cur1 " + _CHAIN_TRUST + " destination:cur4",
               "source:cur1=10 mm12:cur2=10 mm23:cur3=10 mm34:cur4=10",
               [("o1", "mm12", "cur2", "cur1", (1, 1), a), ("o2", "mm23", "cur3", "cur2", (1, 1), b),
                ("o3", "mm34", "cur4", "cur3", (1, 1), c)],
               ("source", "destination", "cur1", 10, "cur4", 10, _P4),
               "source: xlm=1-2 cur1=10 cur2=0 cur3=0 cur4=0; mm12: xlm=3-3 cur1=0 cur2=10;"
               "mm23: xlm=3-3 cur2=0 cur3=10; mm34: xlm=3-3 cur3=0 cur4=10; destination: xlm=1-1 cur4=0",
               error=PP.PATH_PAYMENT_STRICT_RECEIVE_TOO_FEW_OFFERS)


_ALL3_10 = dict(atoms=[("o1", 10, 10), ("o2", 10, 10), ("o3", 10, 10)],
                changes={"o1": None, "o2": None, "o3": None})
_WHOLE = "source=4 destination=1 "
_T200 = dict(limit=200)

RECEIVE_SCENARIOS = {
    # strict receive walks backwards: its "first exchange" is the last hop (cur3 -> cur4)
    "not enough offers for first exchange": _not_enough(10, 10, 9),
    "not enough offers for middle exchange": _not_enough(10, 9, 10),
    "not enough offers for last exchange": _not_enough(9, 10, 10),
    "crosses own offer for first exchange": scn(
        "source=3 destination=1 mm23=3 mm34=3",
        "source:cur1,cur2 mm23:cur2,cur3 mm34:cur3,cur4 destination:cur4",
        "source:cur1=10 source:cur2=10 mm23:cur3=10 mm34:cur4=10",
        [(None, "source", "cur2", "cur1", (1, 1), 10), ("o2", "mm23", "cur3", "cur2", (1, 1), 10),
         ("o3", "mm34", "cur4", "cur3", (1, 1), 10)],
        ("source", "destination", "cur1", 10, "cur4", 10, _P4),
        "source: xlm=3-4 cur1=10 cur2=10 cur3=0 cur4=0; mm23: xlm=3-3 cur2=0 cur3=10;"
        "mm34: xlm=3-3 cur3=0 cur4=10; destination: xlm=1-1 cur4=0",
        error=PP.PATH_PAYMENT_STRICT_RECEIVE_OFFER_CROSS_SELF),
    "crosses own offer for middle exchange": scn(
        "source=4 destination=1 mm12=3 mm34=3",
        "source:cur1,cur2,cur3 mm12:cur1,cur2 mm34:cur3,cur4 destination:cur4",
        "source:cur1=10 mm12:cur2=10 source:cur3=10 mm34:cur4=10",
        [("o1", "mm12", "cur2", "cur1", (1, 1), 10), (None, "source", "cur3", "cur2", (1, 1), 10),
         ("o3", "mm34", "cur4", "cur3", (1, 1), 10)],
        ("source", "destination", "cur1", 10, "cur4", 10, _P4),
        "source: xlm=4-5 cur1=10 cur2=0 cur3=10 cur4=0; mm12: xlm=3-3 cur1=0 cur2=10;"
        "mm34: xlm=3-3 cur3=0 cur4=10; destination: xlm=1-1 cur4=0",
        error=PP.PATH_PAYMENT_STRICT_RECEIVE_OFFER_CROSS_SELF),
    "crosses own offer for last exchange": scn(
        "source=4 destination=1 mm12=3 mm23=3",
        "source:cur1,cur3,cur4 mm12:cur1,cur2 mm23:cur2,cur3 destination:cur4",
        "source:cur1=10 mm12:cur2=10 mm23:cur3=10 source:cur4=10",
        [("o1", "mm12", "cur2", "cur1", (1, 1), 10), ("o2", "mm23", "cur3", "cur2", (1, 1), 10),
         (None, "source", "cur4", "cur3", (1, 1), 10)],
        ("source", "destination", "cur1", 10, "cur4", 10, _P4),
        "source: xlm=4-5 cur1=10 cur2=0 cur3=0 cur4=10; mm12: xlm=3-3 cur1=0 cur2=10;"
        "mm23: xlm=3-3 cur2=0 cur3=10; destination: xlm=1-1 cur4=0",
        error=PP.PATH_PAYMENT_STRICT_RECEIVE_OFFER_CROSS_SELF),
    "does not cross own offer if better is available for first exchange": scn(
        "source=3 destination=1 mm12=3 mm23=3 mm34=3",
        "source:cur1/30,cur2/30 " + _CHAIN_TRUST + " destination:cur4",
        "source:cur1=10 source:cur2=10 mm12:cur2=10 mm23:cur3=10 mm34:cur4=10",
        [(None, "source", "cur2", "cur1", (100, 99), 10), ("o1", "mm12", "cur2", "cur1", (1, 1), 10),
         ("o2", "mm23", "cur3", "cur2", (1, 1), 10), ("o3", "mm34", "cur4", "cur3", (1, 1), 10)],
        ("source", "destination", "cur1", 10, "cur4", 10, _P4),
        "source: xlm=3-4 cur1=0 cur2=10 cur3=0 cur4=0; mm12: xlm=3-3 cur1=10 cur2=0;"
        "mm23: xlm=3-3 cur2=10 cur3=0; mm34: xlm=3-3 cur3=10 cur4=0; destination: xlm=1-1 cur4=10",
        **_ALL3_10),
    "does not cross own offer if better is available for middle exchange": scn(
        "source=4 destination=1 mm12=3 mm23=3 mm34=3",
        "source:cur1/30,cur2/30,cur3/30 " + _CHAIN_TRUST + " destination:cur4",
        "source:cur1=10 mm12:cur2=10 source:cur3=10 mm23:cur3=10 mm34:cur4=10",
        [("o1", "mm12", "cur2", "cur1", (1, 1), 10), ("o2", "mm23", "cur3", "cur2", (1, 1), 10),
         (None, "source", "cur3", "cur2", (100, 99), 10), ("o3", "mm34", "cur4", "cur3", (1, 1), 10)],
        ("source", "destination", "cur1", 10, "cur4", 10, _P4),
        "source: xlm=4-5 cur1=0 cur2=0 cur3=10 cur4=0; mm12: xlm=3-3 cur1=10 cur2=0;"
        "mm23: xlm=3-3 cur2=10 cur3=0; mm34: xlm=3-3 cur3=10 cur4=0; destination: xlm=1-1 cur4=10",
        **_ALL3_10),
    "does not cross own offer if better is available for last exchange": scn(
        "source=4 destination=1 mm12=3 mm23=3 mm34=3",
        "source:cur1/30,cur3/30,cur4/30 " + _CHAIN_TRUST + " destination:cur4",
        "source:cur1=10 mm12:cur2=10 mm23:cur3=10 source:cur4=10 mm34:cur4=10",
        [("o1", "mm12", "cur2", "cur1", (1, 1), 10), ("o2", "mm23", "cur3", "cur2", (1, 1), 10),
         ("o3", "mm34", "cur4", "cur3", (1, 1), 10), (None, "source", "cur4", "cur3", (100, 99), 10)],
        ("source", "destination", "cur1", 10, "cur4", 10, _P4),
        "source: xlm=4-5 cur1=0 cur2=0 cur3=0 cur4=10; mm12: xlm=3-3 cur1=10 cur2=0;"
        "mm23: xlm=3-3 cur2=10 cur3=0; mm34: xlm=3-3 cur3=10 cur4=0; destination: xlm=1-1 cur4=10",
        **_ALL3_10),
    "over send max with real path": scn(
        _WHOLE + "mm12=3 mm23=3 mm34=3", "source:cur1 " + _CHAIN_TRUST + " destination:cur4",
        "source:cur1=80 mm12:cur2=40 mm23:cur3=20 mm34:cur4=10",
        [("o1", "mm12", "cur2", "cur1", (2, 1), 40), ("o2", "mm23", "cur3", "cur2", (2, 1), 20),
         ("o3", "mm34", "cur4", "cur3", (2, 1), 10)],
        ("source", "destination", "cur1", 10, "cur4", 10, _P4),
        "source: xlm=4-2 cur1=80 cur2=0 cur3=0 cur4=0; mm12: xlm=3-3 cur1=0 cur2=40;"
        "mm23: xlm=3-3 cur2=0 cur3=20; mm34: xlm=3-3 cur3=0 cur4=10; destination: xlm=1-1 cur4=0",
        error=PP.PATH_PAYMENT_STRICT_RECEIVE_OVER_SENDMAX, **_T200),
    "crosses destination offer for first exchange": scn(
        "source=1 destination=4 mm23=3 mm34=3",
        "source:cur1 mm23:cur2,cur3 mm34:cur3,cur4 destination:cur1,cur2,cur4",
        "source:cur1=10 destination:cur2=10 mm23:cur3=10 mm34:cur4=10",
        [("o1", "destination", "cur2", "cur1", (1, 1), 10), ("o2", "mm23", "cur3", "cur2", (1, 1), 10),
         ("o3", "mm34", "cur4", "cur3", (1, 1), 10)],
        ("source", "destination", "cur1", 10, "cur4", 10, _P4),
        "source: xlm=1-2 cur1=0 cur2=0 cur3=0 cur4=0; mm23: xlm=3-3 cur2=10 cur3=0;"
        "mm34: xlm=3-3 cur3=10 cur4=0; destination: xlm=4-4 cur1=10 cur2=0 cur3=0 cur4=10",
        **_ALL3_10),
    "crosses destination offer for middle exchange": scn(
        "source=1 destination=4 mm12=3 mm34=3",
        "source:cur1 mm12:cur1,cur2 mm34:cur3,cur4 destination:cur2,cur3,cur4",
        "source:cur1=10 mm12:cur2=10 destination:cur3=10 mm34:cur4=10",
        [("o1", "mm12", "cur2", "cur1", (1, 1), 10), ("o2", "destination", "cur3", "cur2", (1, 1), 10),
         ("o3", "mm34", "cur4", "cur3", (1, 1), 10)],
        ("source", "destination", "cur1", 10, "cur4", 10, _P4),
        "source: xlm=1-2 cur1=0 cur2=0 cur3=0 cur4=0; mm12: xlm=3-3 cur1=10 cur2=0;"
        "mm34: xlm=3-3 cur3=10 cur4=0; destination: xlm=4-4 cur1=0 cur2=10 cur3=0 cur4=10",
        **_ALL3_10),
    "crosses destination offer for last exchange": scn(
        "source=1 destination=4 mm12=3 mm23=3",
        "source:cur1 mm12:cur1,cur2 mm23:cur2,cur3 destination:cur3,cur4",
        "source:cur1=10 mm12:cur2=10 mm23:cur3=10 destination:cur4=10",
        [("o1", "mm12", "cur2", "cur1", (1, 1), 10), ("o2", "mm23", "cur3", "cur2", (1, 1), 10),
         ("o3", "destination", "cur4", "cur3", (1, 1), 10)],
        ("source", "destination", "cur1", 10, "cur4", 10, _P4),
        "source: xlm=1-2 cur1=0 cur2=0 cur3=0 cur4=0; mm12: xlm=3-3 cur1=10 cur2=0;"
        "mm23: xlm=3-3 cur2=10 cur3=0; destination: xlm=4-3 cur1=0 cur2=0 cur3=10 cur4=10",
        **_ALL3_10),
    "uses whole best offer for first exchange": scn(
        _WHOLE + "mm12a=3 mm12b=3 mm23=3 mm34=3",
        "source:cur1 mm12a:cur1,cur2 mm12b:cur1,cur2 mm23:cur2,cur3 mm34:cur3,cur4 destination:cur4",
        "source:cur1=80 mm12a:cur2=40 mm12b:cur2=40 mm23:cur3=20 mm34:cur4=10",
        [("o1a", "mm12a", "cur2", "cur1", (2, 1), 10), ("o1b", "mm12b", "cur2", "cur1", (2, 1), 40),
         ("o2", "mm23", "cur3", "cur2", (2, 1), 20), ("o3", "mm34", "cur4", "cur3", (2, 1), 10)],
        ("source", "destination", "cur1", 80, "cur4", 10, _P4),
        "source: xlm=4-2 cur1=0 cur2=0 cur3=0 cur4=0; mm12a: xlm=3-3 cur1=20 cur2=30;"
        "mm12b: xlm=3-3 cur1=60 cur2=10; mm23: xlm=3-3 cur2=40 cur3=0; mm34: xlm=3-3 cur3=20 cur4=0;"
        "destination: xlm=1-1 cur4=10",
        atoms=[("o1a", 10, 20), ("o1b", 30, 60), ("o2", 20, 40), ("o3", 10, 20)],
        changes={"o1a": None, "o1b": 10, "o2": None, "o3": None}, **_T200),
    "uses whole best offer for second exchange": scn(
        _WHOLE + "mm12=3 mm23a=3 mm23b=3 mm34=3",
        "source:cur1 mm12:cur1,cur2 mm23a:cur2,cur3 mm23b:cur2,cur3 mm34:cur3,cur4 destination:cur4",
        "source:cur1=80 mm12:cur2=40 mm23a:cur3=20 mm23b:cur3=20 mm34:cur4=10",
        [("o1", "mm12", "cur2", "cur1", (2, 1), 40), ("o2a", "mm23a", "cur3", "cur2", (2, 1), 15),
         ("o2b", "mm23b", "cur3", "cur2", (2, 1), 10), ("o3", "mm34", "cur4", "cur3", (2, 1), 10)],
        ("source", "destination", "cur1", 80, "cur4", 10, _P4),
        "source: xlm=4-2 cur1=0 cur2=0 cur3=0 cur4=0; mm12: xlm=3-3 cur1=80 cur2=0;"
        "mm23a: xlm=3-3 cur2=30 cur3=5; mm34: xlm=3-3 cur3=20 cur4=0;"
        "destination: xlm=1-1 cur4=10",
        atoms=[("o1", 40, 80), ("o2a", 15, 30), ("o2b", 5, 10), ("o3", 10, 20)],
        changes={"o1": None, "o2a": None, "o2b": 5, "o3": None}, **_T200),
    "uses whole best offer for last exchange": scn(
        _WHOLE + "mm12=3 mm23=3 mm34a=3 mm34b=3",
        "source:cur1 mm12:cur1,cur2 mm23:cur2,cur3 mm34a:cur3,cur4 mm34b:cur3,cur4 destination:cur4",
        "source:cur1=80 mm12:cur2=40 mm23:cur3=20 mm34a:cur4=10 mm34b:cur4=10",
        [("o1", "mm12", "cur2", "cur1", (2, 1), 40), ("o2", "mm23", "cur3", "cur2", (2, 1), 20),
         ("o3a", "mm34a", "cur4", "cur3", (2, 1), 2), ("o3b", "mm34b", "cur4", "cur3", (2, 1), 10)],
        ("source", "destination", "cur1", 80, "cur4", 10, _P4),
        "source: xlm=4-2 cur1=0 cur2=0 cur3=0 cur4=0; mm12: xlm=3-3 cur1=80 cur2=0;"
        "mm23: xlm=3-3 cur2=40 cur3=0; mm34a: xlm=3-3 cur3=4 cur4=8; mm34b: xlm=3-3 cur3=16 cur4=2;"
        "destination: xlm=1-1 cur4=10",
        atoms=[("o1", 40, 80), ("o2", 20, 40), ("o3a", 2, 4), ("o3b", 8, 16)],
        changes={"o1": None, "o2": None, "o3a": None, "o3b": 2}, **_T200),
    "takes all offers, one offer per exchange": scn(
        _WHOLE + "mm12=3 mm23=3 mm34=3", "source:cur1 " + _CHAIN_TRUST + " destination:cur4",
        "source:cur1=80 mm12:cur2=40 mm23:cur3=20 mm34:cur4=10",
        [("o1", "mm12", "cur2", "cur1", (2, 1), 40), ("o2", "mm23", "cur3", "cur2", (2, 1), 20),
         ("o3", "mm34", "cur4", "cur3", (2, 1), 10)],
        ("source", "destination", "cur1", 80, "cur4", 10, _P4),
        "source: xlm=4-2 cur1=0 cur2=0 cur3=0 cur4=0; mm12: xlm=3-3 cur1=80 cur2=0;"
        "mm23: xlm=3-3 cur2=40 cur3=0; mm34: xlm=3-3 cur3=20 cur4=0; destination: xlm=1-1 cur4=10",
        atoms=[("o1", 40, 80), ("o2", 20, 40), ("o3", 10, 20)],
        changes={"o1": None, "o2": None, "o3": None}, **_T200),
    "takes all offers, multiple offers per exchange V10": scn(
        _WHOLE + "mm12=5 mm23=5 mm34=5", "source:cur1 " + _CHAIN_TRUST + " destination:cur4",
        "source:cur1=59 mm12:cur2=35 mm23:cur3=23 mm34:cur4=16",
        [("o1a", "mm12", "cur2", "cur1", (3, 2), 10), ("o1b", "mm12", "cur2", "cur1", (2, 1), 16),
         ("o1c", "mm12", "cur2", "cur1", (4, 3), 9), ("o2a", "mm23", "cur3", "cur2", (2, 1), 5),
         ("o2b", "mm23", "cur3", "cur2", (3, 2), 6), ("o2c", "mm23", "cur3", "cur2", (4, 3), 12),
         ("o3a", "mm34", "cur4", "cur3", (4, 3), 9), ("o3b", "mm34", "cur4", "cur3", (3, 2), 6),
         ("o3c", "mm34", "cur4", "cur3", (2, 1), 1)],
        ("source", "destination", "cur1", 59, "cur4", 16, _P4),
        "source: xlm=4-2 cur1=0 cur2=0 cur3=0 cur4=0; mm12: xlm=5-5 cur1=59 cur2=0;"
        "mm23: xlm=5-5 cur2=35 cur3=0; mm34: xlm=5-5 cur3=23 cur4=0; destination: xlm=1-1 cur4=16",
        atoms=[("o1c", 9, 12), ("o1a", 10, 15), ("o1b", 16, 32), ("o2c", 12, 16), ("o2b", 6, 9),
               ("o2a", 5, 10), ("o3a", 9, 12), ("o3b", 6, 9), ("o3c", 1, 2)],
        changes={k: None for k in ("o1a", "o1b", "o1c", "o2a", "o2b", "o2c", "o3a", "o3b", "o3c")}, **_T200),
    "takes best offers, multiple offers per exchange V10": scn(
        _WHOLE + "mm12=5 mm23=5 mm34=5", "source:cur1 " + _CHAIN_TRUST + " destination:cur4",
        "source:cur1=58 mm12:cur2=35 mm23:cur3=23 mm34:cur4=16",
        [("o1a", "mm12", "cur2", "cur1", (3, 2), 10), ("o1b", "mm12", "cur2", "cur1", (2, 1), 16),
         ("o1c", "mm12", "cur2", "cur1", (4, 3), 9), ("o2a", "mm23", "cur3", "cur2", (2, 1), 5),
         ("o2b", "mm23", "cur3", "cur2", (3, 2), 6), ("o2c", "mm23", "cur3", "cur2", (4, 3), 12),
         ("o3a", "mm34", "cur4", "cur3", (4, 3), 9), ("o3b", "mm34", "cur4", "cur3", (3, 2), 6),
         ("o3c", "mm34", "cur4", "cur3", (2, 1), 1)],
        ("source", "destination", "cur1", 51, "cur4", 15, _P4),
        "source: xlm=4-2 cur1=7 cur2=0 cur3=0 cur4=0; mm12: xlm=5-5 cur1=51 cur2=4;"
        "mm23: xlm=5-5 cur2=31 cur3=2; mm34: xlm=5-5 cur3=21 cur4=1; destination: xlm=1-1 cur4=15",
        atoms=[("o1c", 9, 12), ("o1a", 10, 15), ("o1b", 12, 24), ("o2c", 12, 16), ("o2b", 6, 9),
               ("o2a", 3, 6), ("o3a", 9, 12), ("o3b", 6, 9)],
        changes={"o1a": None, "o1b": 4, "o1c": None, "o2a": 2, "o2b": None, "o2c": None, "o3a": None,
                 "o3b": None, "o3c": 1}, **_T200),
}


for _k, _m in (("first", [("gateway", "mm12a", "cur2"), ("gateway", "mm12b", "cur2")]),
               ("second", [("gateway2", "mm23a", "cur3"), ("gateway2", "mm23b", "cur3")]),
               ("last", [("gateway2", "mm34a", "cur4"), ("gateway2", "mm34b", "cur4")])):
    _base = RECEIVE_SCENARIOS[f"uses whole best offer for {_k} exchange"]
    RECEIVE_SCENARIOS[f"uses whole best offer for {_k} exchange (authorized to maintain liabilities)"] = \
        variant(_base, maintain=_m)


def _loop(merge_issuer=None):
    """"path payment uses all offers in a loop": cur1 -> cur2 -> cur3 -> cur1 -> cur2
    crosses o1 twice; from protocol 13 the issuers may be gone."""
    return scn("source=4 destination=1 mm12=3 mm23=3 mm31=3",
               "source:cur1 mm12:cur1,cur2 mm23:cur2,cur3 mm31:cur3,cur1 destination:cur2",
               "source:cur1=8000 mm12:cur2=8000 mm23:cur3=8000 mm31:cur1=8000",
               [("o1", "mm12", "cur2", "cur1", (2, 1), 1000), ("o2", "mm23", "cur3", "cur2", (2, 1), 1000),
                ("o3", "mm31", "cur1", "cur3", (2, 1), 1000)],
               ("source", "destination", "cur1", 2000, "cur2", 10, "cur1 cur2 cur3 cur1 cur2"),
               "source: xlm=4-2 cur1=7840 cur2=0 cur3=0; mm12: xlm=3-3 cur1=180 cur2=7910 cur3=0;"
               "mm23: xlm=3-3 cur1=0 cur2=80 cur3=7960; mm31: xlm=3-3 cur1=7980 cur2=0 cur3=40;"
               "destination: xlm=1-1 cur1=0 cur2=10 cur3=0",
               atoms=[("o1", 80, 160), ("o2", 40, 80), ("o3", 20, 40), ("o1", 10, 20)],
               changes={"o1": 910, "o2": 960, "o3": 980}, limit=16000, merge=merge_issuer)


RECEIVE_SCENARIOS["uses all offers in a loop (no issuers missing)"] = _loop()
RECEIVE_SCENARIOS["uses all offers in a loop (outside issuers missing)"] = _loop("gateway")
RECEIVE_SCENARIOS["uses all offers in a loop (inside issuers missing)"] = _loop("gateway2")


@pytest.mark.parametrize("name", list(RECEIVE_SCENARIOS))
def test_offer_scenarios(W, name):
    run_scenario(W, RECEIVE_SCENARIOS[name])


RECEIVE_SCENARIOS["rounding: exchangeV10 recalculate sheepValue: 1 offer"] = scn(
    "source=1 mm=4 destination=1", "source:cur1/2 mm:cur1/2,cur2/2000 destination:cur2/1001",
    "source:cur1=2 mm:cur2=2000", [("o1", "mm", "cur2", "cur1", (1, 1000), 2000)],
    ("source", "destination", "cur1", 2, "cur2", 1001, "cur1 cur2"),
    "source: cur1=0; mm: cur1=2 cur2=999; destination: cur2=1001", changes={"o1": None})
RECEIVE_SCENARIOS["rounding: exchangeV10 recalculate sheepValue: 2 offers"] = scn(
    "source=1 mm=4 destination=1", "source:cur1/7 mm:cur1/10,cur2/10000 destination:cur2/6001",
    "source:cur1=7 mm:cur2=10000",
    [("o1", "mm", "cur2", "cur1", (1, 1000), 5000), ("o2", "mm", "cur2", "cur1", (1, 1000), 5000)],
    ("source", "destination", "cur1", 7, "cur2", 6001, "cur1 cur2"),
    "source: cur1=0; mm: cur1=7 cur2=3999; destination: cur2=6001", changes={"o1": None, "o2": 3000})


def _liabilities_world(W, dest_offer: bool):
    """"liabilities": source sells cur1 for xlm (50), or the destination
    buys xlm with cur2 (50); mm12 sells 100 cur2 for cur1."""
    sc = scn("source=2 destination=2 mm12=3", "source:cur1 mm12:cur1,cur2 destination:cur2",
             "source:cur1=100 mm12:cur2=100" + (" destination:cur2=100" if dest_offer else ""),
             [("o", "destination", "xlm", "cur2", (1, 1), 50) if dest_offer else
              ("o", "source", "cur1", "xlm", (1, 1), 50), ("o2", "mm12", "cur2", "cur1", (1, 1), 100)],
             None, limit=200)
    return setup_scenario(W, sc)


@pytest.mark.parametrize("dest_offer,code", [
    (False, PP.PATH_PAYMENT_STRICT_RECEIVE_UNDERFUNDED),   # cannot pay balance below selling liabilities
    (True, PP.PATH_PAYMENT_STRICT_RECEIVE_LINE_FULL),      # balance + buying liabilities would exceed the limit
], ids=["selling liabilities", "buying liabilities"])
def test_liabilities(W, dest_offer, code):
    accs, _, _ = _liabilities_world(W, dest_offer)
    with expect_code(code):
        path_pay(accs["source"], accs["destination"], W.cur1, 51, W.cur2, 51, [W.cur1, W.cur2])
    path_pay(accs["source"], accs["destination"], W.cur1, 50, W.cur2, 50, [W.cur1, W.cur2])


def rounding_errors_world(W):
    """"path payment with rounding errors": seller sells CNY for XLM at 2000/29."""
    issuer = W.create("issuer", 5999999400)
    source = W.create("source", 1989999000)
    destination = W.create("destination", 499999700)
    seller = W.create("seller", 20999999300)
    cny = credit("CNY", issuer)
    change_trust(destination, cny, INT64_MAX)
    change_trust(seller, cny, 1000000000000)
    pay(issuer, seller, cny, 1700000000)
    market = Market(W.L)
    p = price(2000, 29)
    offer = market.require_changes_with_offer([], lambda: market.add_offer(seller, OfferState(cny, XLM, p, 145000000)))
    return source, destination, seller, cny, market, offer


def test_with_rounding_errors(W):
    source, destination, seller, cny, market, offer = rounding_errors_world(W)
    res = market.require_changes([offer.with_amount(145000000 - 20000000)],
                                 lambda: path_pay(source, destination, XLM, 1382068965, cny, 20000000, []))
    # 1379310345 = round up(20000000 * price)
    assert list(res.success.offers) == [offer.exchanged(20000000, 1379310345)]
    assert source.balance == 1989999000 - 100 - 1379310345
    assert balance(seller, cny) == 1680000000
    assert balance(destination, cny) == 20000000


def _int64_world(W):
    a1 = W.create("A1", W.mb[4])
    a2 = W.create("A2", W.mb[4])
    for a in (a1, a2):
        for asset in (W.idr, W.cur1, W.cur2):
            change_trust(a, asset, INT64_MAX)
    return a1, a2


def test_issue_more_than_int64_max(W):
    """"transact more than INT64_MAX in a path payment": the gateway issues
    2 * INT64_MAX of CUR2 in one payment (IDR -> CUR2 -> CUR1 -> CUR2)."""
    from tests.transactions.dexscen import create_passive_offer, manage_offer
    a1, a2 = _int64_world(W)
    pay(W.gateway, a1, W.idr, INT64_MAX)
    pay(W.gateway, a2, W.cur1, INT64_MAX)
    manage_offer(W.gateway, 0, W.cur2, W.idr, price(1, 1), INT64_MAX)
    manage_offer(a2, 0, W.cur1, W.cur2, price(1, 1), INT64_MAX)
    create_passive_offer(W.gateway, W.cur2, W.cur1, price(1, 1), INT64_MAX)
    assert balance(a1, W.cur2) == 0 and balance(a2, W.cur2) == 0
    path_pay(a1, a1, W.idr, INT64_MAX, W.cur2, INT64_MAX, [W.cur2, W.cur1])
    assert balance(a1, W.cur2) == INT64_MAX
    assert balance(a2, W.cur2) == INT64_MAX


def test_burn_more_than_int64_max(W):
    """a1 and a2 burn 2 * INT64_MAX of CUR2 (CUR2 -> IDR -> CUR2 -> CUR1)."""
    from tests.transactions.dexscen import create_passive_offer, manage_offer
    a1, a2 = _int64_world(W)
    pay(W.gateway, a1, W.cur2, INT64_MAX)
    pay(W.gateway, a2, W.cur2, INT64_MAX)
    manage_offer(W.gateway, 0, W.idr, W.cur2, price(1, 1), INT64_MAX)
    create_passive_offer(a2, W.cur2, W.idr, price(1, 1), INT64_MAX)
    manage_offer(W.gateway, 0, W.cur1, W.cur2, price(1, 1), INT64_MAX)
    assert balance(a1, W.cur2) == INT64_MAX and balance(a2, W.cur2) == INT64_MAX
    path_pay(a1, W.gateway, W.cur2, INT64_MAX, W.cur1, INT64_MAX, [W.idr, W.cur2])
    assert balance(a1, W.cur2) == 0
    assert balance(a2, W.cur2) == 0


@pytest.mark.parametrize("missing", ["send", "middle", "last"])
def test_issuer_missing(W, missing):
    """"issuer missing": from protocol 13 no issuer check, the empty book
    gives TOO_FEW_OFFERS."""
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
    with expect_code(PP.PATH_PAYMENT_STRICT_RECEIVE_TOO_FEW_OFFERS):
        path_pay(source, destination, W.idr, 11, W.usd, 11, path)
    require_balances({source: [(XLM, W.mb[1] - 2 * FEE), (W.idr, 10), (W.usd, 0)],
                      destination: [(XLM, W.mb[1] - FEE), (W.idr, 0), (W.usd, 0)]})


def test_crossed_offers_release_sponsorships_allowing_payment_to_succeed(W):
    """"crossed offers release sponsorships allowing payment to succeed for
    source": crossing the offer payor sponsors frees payor's reserve."""
    from tests.transactions.dexscen import op_begin_sponsoring, op_end_sponsoring, op_manage_sell_offer
    from tests.transactions.harness import op_payment as h_op_payment, tx_envelope
    L = W.L
    min_bal1 = L.min_balance(1)
    payor = W.create("payor", min_bal1)
    payee = W.create("payee", min_bal1 + FEE)
    change_trust(payee, W.usd, 10000)
    mm = W.create("mm", min_bal1 + FEE + 10000)
    change_trust(mm, W.usd, 10000)
    pay(W.gateway2, mm, W.usd, 10000)
    env = tx_envelope(L.root, L.root.seq + 1, [
        op_begin_sponsoring(mm, source=payor),
        op_manage_sell_offer(0, W.usd, XLM, price(1, 1), 10000, source=mm),
        op_end_sponsoring(source=mm)], signers=[L.root, payor, mm])
    assert L.apply(env).ok
    pay(L.root, payor, XLM, FEE)
    r = L.apply(payor.tx([h_op_payment(payee, 10000)]))
    assert r.op_code(0) == xdr.PaymentResultCode.PAYMENT_UNDERFUNDED
    pay(L.root, payor, XLM, FEE)
    path_pay(payor, payee, XLM, 10000, W.usd, 10000)


def test_max_offers_to_cross_is_one_budget(W, monkeypatch):
    """PARITY_TRAPS D3 (PathPaymentStrictReceiveOpFrame::doApply): each hop
    may cross MAX_OFFERS_TO_CROSS minus the atoms already in the result, and
    CROSSED_TOO_MANY is opEXCEEDED_WORK_LIMIT. The exchange is stubbed: the
    first hop crosses 400 offers, the second reports the limit."""
    check_offer_budget(W, monkeypatch, strict_send=False)


def check_offer_budget(W, monkeypatch, strict_send):
    import enum
    from stellarcore.transactions.operations import path_payment as pp
    from tests.transactions.dexscen import claim_offer_atom, op_path_payment_strict_send
    source = W.create("source", W.mb[1])
    destination = W.create("destination", W.mb[1])
    change_trust(source, W.cur1, 1000)
    change_trust(destination, W.cur3, 1000)
    pay(W.gateway, source, W.cur1, 100)

    class Fake:
        RoundingType = enum.IntEnum("RoundingType", "NORMAL PATH_PAYMENT_STRICT_SEND PATH_PAYMENT_STRICT_RECEIVE")
        OfferFilterResult = enum.IntEnum("OfferFilterResult", "KEEP STOP_BAD_PRICE STOP_CROSS_SELF")
        ConvertResult = enum.IntEnum("ConvertResult",
                                     "OK PARTIAL FILTER_STOP_BAD_PRICE FILTER_STOP_CROSS_SELF CROSSED_TOO_MANY")
        calls = []

        @classmethod
        def convert_with_offers_and_pools(cls, ltx, sheep, max_send, wheat, max_recv, round_type, flt, trail,
                                          max_offers):
            cls.calls.append((sheep, wheat, max_offers, round_type.name))
            # the filter stops at the source's own offers only
            mine = xdr.LedgerEntry(lastModifiedLedgerSeq=1, ext=xdr.LedgerEntryExt(0), data=xdr.LedgerEntryData(
                offer=xdr.OfferEntry(sellerID=source.id, offerID=1, selling=wheat, buying=sheep, amount=1,
                                     price=price(1, 1), flags=0, ext=xdr.OfferEntryExt(0))))
            assert flt(mine) == cls.OfferFilterResult.STOP_CROSS_SELF
            mine.data.offer.sellerID = destination.id
            assert flt(mine) == cls.OfferFilterResult.KEEP
            if len(cls.calls) == 2:
                return cls.ConvertResult.CROSSED_TOO_MANY, 0, 0
            trail.extend(claim_offer_atom(W.gateway, i + 1, wheat, 0, sheep, 0) for i in range(400))
            return cls.ConvertResult.OK, (max_send if strict_send else 1), (1 if strict_send else max_recv)

    monkeypatch.setattr(pp, "_ox", lambda: Fake)
    if strict_send:
        op = op_path_payment_strict_send(destination, W.cur1, 10, W.cur3, 1, [W.cur2])
        hops = [(W.cur1, W.cur2), (W.cur2, W.cur3)]
        rnd = "PATH_PAYMENT_STRICT_SEND"
    else:
        op = op_path_payment_strict_receive(destination, W.cur1, 10, W.cur3, 1, [W.cur2])
        hops = [(W.cur2, W.cur3), (W.cur1, W.cur2)]
        rnd = "PATH_PAYMENT_STRICT_RECEIVE"
    with expect_code(xdr.OperationResultCode.opEXCEEDED_WORK_LIMIT):
        apply_op(source, op)
    assert Fake.calls == [(hops[0][0], hops[0][1], 1000, rnd), (hops[1][0], hops[1][1], 600, rnd)]


# -- "path payment with cycle" ----------------------------------------------------------
def _times(x: int, p) -> int:
    """The C++ test's operator*(int64_t, Price): round down, sign kept."""
    m = abs(x) * p[0] // p[1]
    return -m if x < 0 else m


def run_cycle(W, name, rotation, strict_send):
    """Three market makers C0..C2, Ci selling assets[i] for assets[i+2] at
    `price`; S pays D assets[0] through [assets[1], assets[2]] (the asset
    ring rotated `rotation` times, as the C++ SECTION loop does).
    Receive: paymentAmount 1e8, offers 8e8, sendMax = k * payment.
    Send: sendAmount 1e8, offers 1e9, destMin as the C++ table."""
    from collections import deque
    from tests.transactions.dexscen import load_offer, manage_offer, path_pay_strict_send
    base = 100000000
    offer_amount = 10 * base if strict_send else 8 * base
    initial = 2 * offer_amount
    if strict_send:
        table = {"arbitrage": ((1, 2), base * 8, False),
                 "anti-arbitrage": ((2, 1), base // 8 + 1, True),
                 "anti-arbitrage with low destmin": ((2, 1), base // 8, False)}
        p, amount, fails = table[name]
    else:
        table = {"arbitrage": ((1, 2), 1, False), "anti-arbitrage": ((2, 1), 1, True),
                 "anti-arbitrage with big sendmax": ((2, 1), 8, False)}
        p, max_mult, fails = table[name]
        amount = base
    assets = deque([XLM, W.usd, W.idr])

    def setup(acc_name):
        acc = W.create(acc_name, initial)
        change_trust(acc, W.idr, INT64_MAX)
        pay(W.gateway, acc, W.idr, initial)
        change_trust(acc, W.usd, INT64_MAX)
        pay(W.gateway2, acc, W.usd, initial)
        return acc

    source, destination = setup("S"), setup("D")
    accounts = deque(setup(f"C{i}") for i in range(3))
    offers = deque(manage_offer(accounts[i], 0, assets[i], assets[(i + 2) % 3], price(*p), offer_amount)
                   for i in range(3))
    for _ in range(rotation):
        for d in (assets, accounts, offers):
            d.rotate(1)

    def check_asset(acc, i, diff, fees):
        if assets[i] == XLM:
            assert acc.balance == initial + diff - fees * FEE
        else:
            assert balance(acc, assets[i]) == initial + diff

    def check_assets(acc, i, diff, fees):
        for k in range(3):
            check_asset(acc, k, diff if k == i else 0, fees)

    path = [assets[1], assets[2]]
    code = PP.PATH_PAYMENT_STRICT_RECEIVE_OVER_SENDMAX
    if strict_send:
        from tests.transactions.test_path_payment_strict_send import PS
        code = PS.PATH_PAYMENT_STRICT_SEND_UNDER_DESTMIN

    def do():
        if strict_send:
            path_pay_strict_send(source, destination, assets[0], base, assets[0], amount, path)
        else:
            path_pay(source, destination, assets[0], max_mult * base, assets[0], amount, path)
    if fails:
        with expect_code(code):
            do()
    else:
        do()
    dest_mult = 0 if fails else 1
    seller = (0, 1) if fails else (1, 1)
    buyer = (seller[0] * p[0], seller[1] * p[1])
    for j in range(3):
        index = (3 - j) % 3
        check_asset(accounts[index], index, _times(-amount, seller), 3)
        assert load_offer(W.L, accounts[index], offers[index]).amount == offer_amount + _times(-amount, seller)
        check_asset(accounts[index], (index + 2) % 3, _times(amount, buyer), 3)
        check_asset(accounts[index], (index + 1) % 3, 0, 3)
        seller = (seller[0] * p[0], seller[1] * p[1])
        buyer = (buyer[0] * p[0], buyer[1] * p[1])
    check_assets(source, 0, _times(-amount, seller), 3)
    check_assets(destination, 0, amount * dest_mult, 2)


@pytest.mark.parametrize("rotation", [0, 1, 2], ids=["xlm-usd-idr", "idr-xlm-usd", "usd-idr-xlm"])
@pytest.mark.parametrize("name", ["arbitrage", "anti-arbitrage", "anti-arbitrage with big sendmax"])
def test_cycle(W, name, rotation):
    run_cycle(W, name, rotation, strict_send=False)


# -- "crossed sponsored offers" ---------------------------------------------------------
# amount crossed -> (offer states by index: None deleted / remaining amount,
#                    {account: (numSubEntries, numSponsoring, numSponsored)})
_SPONSOR_IS_PAYMENT_PARTY = {
    50: ((50, 100, 100), {"a1": (4, 0, 2), "a2": (3, 0, 1), "b": (2, 3, 0), "c": (2, 0, 0)}),
    100: ((None, 100, 100), {"a1": (3, 0, 1), "a2": (3, 0, 1), "b": (2, 2, 0), "c": (2, 0, 0)}),
    150: ((None, 50, 100), {"a1": (3, 0, 1), "a2": (3, 0, 1), "b": (2, 2, 0), "c": (2, 0, 0)}),
    200: ((None, None, 100), {"a1": (2, 0, 0), "a2": (3, 0, 1), "b": (2, 1, 0), "c": (2, 0, 0)}),
    250: ((None, None, 50), {"a1": (2, 0, 0), "a2": (3, 0, 1), "b": (2, 1, 0), "c": (2, 0, 0)}),
    300: ((None, None, None), {"a1": (2, 0, 0), "a2": (2, 0, 0), "b": (2, 0, 0), "c": (2, 0, 0)}),
}
_SPONSOR_IS_OTHER_MAKER = {
    50: ((50, 100, 100), {"a1": (4, 1, 2), "a2": (3, 2, 1), "b": (2, 0, 0), "c": (2, 0, 0)}),
    100: ((None, 100, 100), {"a1": (3, 1, 1), "a2": (3, 1, 1), "b": (2, 0, 0), "c": (2, 0, 0)}),
    150: ((None, 50, 100), {"a1": (3, 1, 1), "a2": (3, 1, 1), "b": (2, 0, 0), "c": (2, 0, 0)}),
    200: ((None, None, 100), {"a1": (2, 1, 0), "a2": (3, 0, 1), "b": (2, 0, 0), "c": (2, 0, 0)}),
    250: ((None, None, 50), {"a1": (2, 1, 0), "a2": (3, 0, 1), "b": (2, 0, 0), "c": (2, 0, 0)}),
    300: ((None, None, None), {"a1": (2, 0, 0), "a2": (2, 0, 0), "b": (2, 0, 0), "c": (2, 0, 0)}),
}


def _sponsored_offers_world(W, selling, buying, sponsors):
    """prepareAccount x4, three 1:1 offers of 100 (o1, o2 by a1, o3 by a2),
    then doRevokeSponsorship moves each offer's reserve to its sponsor."""
    from stellarcore.ledger.keys import offer_key
    from tests.transactions.dexscen import op_begin_sponsoring, op_end_sponsoring
    from tests.transactions.harness import tx_envelope

    def op_revoke_entry(key):
        return make_op(OT.REVOKE_SPONSORSHIP, xdr.RevokeSponsorshipOp(
            xdr.RevokeSponsorshipType.REVOKE_SPONSORSHIP_LEDGER_ENTRY, xdr.LedgerKey.from_xdr(key)))
    accs = {}
    for name in ("a1", "a2", "b", "c"):
        acc = W.create({"a1": "accA1", "a2": "accA2", "b": "accB", "c": "accC"}[name], W.L.min_balance(10))
        change_trust(acc, W.usd, INT64_MAX)
        change_trust(acc, W.idr, INT64_MAX)
        pay(W.gateway2, acc, W.usd, 1000)
        pay(W.gateway, acc, W.idr, 1000)
        accs[name] = acc
    market = Market(W.L)
    st = OfferState(selling, buying, price(1, 1), 100)
    offers = [market.require_changes_with_offer([], lambda o=owner: market.add_offer(accs[o], st))
              for owner in ("a1", "a1", "a2")]
    for o, sponsor in zip(offers, sponsors):
        owner = accs["a1"] if o.seller == accs["a1"].id else accs["a2"]
        env = tx_envelope(owner, owner.seq + 1, [
            op_begin_sponsoring(owner, source=accs[sponsor]),
            op_revoke_entry(offer_key(owner.id, o.offer_id)),
            op_end_sponsoring()], signers=[owner, accs[sponsor]])
        assert W.L.apply(env).ok
    return accs, market, offers


def _check_sponsored_cross(W, accs, market, offers, amount, table, sponsors, payor, payee, selling, buying):
    from stellarcore.ledger import balances as B
    from tests.transactions.dexscen import load_offer_entry
    states, counts = table[amount]
    changes = [o.deleted() if s is None else o.with_amount(s) for o, s in zip(offers, states) if s != 100]
    market.require_changes(changes, lambda: path_pay(accs[payor], accs[payee], buying, amount, selling, amount))
    for o, s, sponsor in zip(offers, states, sponsors):
        if s is not None:
            assert B.entry_sponsor(load_offer_entry(W.L, o.seller, o.offer_id)) == accs[sponsor].id
    for name, (sub, sponsoring, sponsored) in counts.items():
        a = accs[name].entry().data.account
        assert (a.numSubEntries, B.num_sponsoring(a), B.num_sponsored(a)) == (sub, sponsoring, sponsored), name


_PAIRS = {"non-native for non-native": ("usd", "idr"), "native for non-native": ("usd", "xlm"),
          "non-native for native": ("xlm", "usd")}


@pytest.mark.parametrize("amount", sorted(_SPONSOR_IS_PAYMENT_PARTY))
@pytest.mark.parametrize("pair", list(_PAIRS))
@pytest.mark.parametrize("party", ["source", "dest"])
def test_crossed_sponsored_offers_sponsor_is_source_or_dest(W, party, pair, amount):
    A = _assets(W)
    selling, buying = (A[x] for x in _PAIRS[pair])
    sponsors = ("b", "b", "b")
    accs, market, offers = _sponsored_offers_world(W, selling, buying, sponsors)
    payor, payee = ("b", "c") if party == "source" else ("c", "b")
    _check_sponsored_cross(W, accs, market, offers, amount, _SPONSOR_IS_PAYMENT_PARTY, sponsors, payor, payee,
                           selling, buying)


@pytest.mark.parametrize("amount", sorted(_SPONSOR_IS_OTHER_MAKER))
@pytest.mark.parametrize("pair", list(_PAIRS))
def test_crossed_sponsored_offers_sponsor_is_other_offer_account(W, pair, amount):
    A = _assets(W)
    selling, buying = (A[x] for x in _PAIRS[pair])
    sponsors = ("a2", "a2", "a1")
    accs, market, offers = _sponsored_offers_world(W, selling, buying, sponsors)
    _check_sponsored_cross(W, accs, market, offers, amount, _SPONSOR_IS_OTHER_MAKER, sponsors, "b", "c",
                           selling, buying)


# -- classic events -------------------------------------------------------------------------
def _event_summary(ev):
    """(name, addresses..., amount) of a SAC transfer/mint/burn event."""
    v0 = ev.body.v0
    t = list(v0.topics)
    addrs = tuple(x.address for x in t[1:-1])
    data = v0.data
    amount = data.i128.lo if data.xdr_arm() == "i128" else None
    return (bytes(t[0].sym).decode(),) + addrs + (amount,)


@pytest.mark.parametrize("to_issuer", [False, True], ids=["transfer", "burn at the issuer"])
def test_events(W, to_issuer):
    """PathPaymentStrictReceiveOpFrame::doApply: eventsForClaimAtoms (per atom,
    source -> seller of what the seller bought, seller -> source of what it
    sold), then the source -> destination transfer of destAsset with the
    issuer check (a destination issuer makes it a burn)."""
    from tests.transactions.dexscen import manage_offer
    from stellarcore.transactions.events import account_address
    source = W.create("source", W.mb[1])
    destination = W.create("destination", W.mb[1])
    mm = W.create("mm12", W.mb[3])
    change_trust(source, W.cur1, 100)
    change_trust(mm, W.cur1, 100)
    change_trust(mm, W.cur2, 100)
    change_trust(destination, W.cur2, 100)
    pay(W.gateway, source, W.cur1, 20)
    pay(W.gateway, mm, W.cur2, 20)
    manage_offer(mm, 0, W.cur2, W.cur1, price(1, 2), 20)
    dest = W.gateway if to_issuer else destination
    r = apply_op(source, op_path_payment_strict_receive(dest, W.cur1, 20, W.cur2, 10))
    evs = [_event_summary(e) for e in r.meta.v4.operations[0].events]
    S, M, D = (account_address(a.id) for a in (source, mm, dest))
    last = ("burn", S, 10) if to_issuer else ("transfer", S, D, 10)
    assert evs == [("transfer", S, M, 5), ("transfer", M, S, 10), last]
