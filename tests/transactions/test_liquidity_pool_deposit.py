"""LiquidityPoolDeposit, against stellar-core's LiquidityPoolDepositTests.cpp
("liquidity pool deposit") and the deposit half of UpgradesTests.cpp
"upgrade flags". Expected values are stellar-core's: result codes, the
depositor's balances, and checkLiquidityPool's (reserveA, reserveB,
totalPoolShares, poolSharesTrustLineCount), including the rounding cases
(sqrt of the product for a first deposit, floor/ceil bigDivide for later
ones, the int64 overflow of one side's share computation).

The first section holds the helpers the liquidity-pool test files share
(op builders as in src/test/TxTests.cpp liquidityPoolDeposit /
liquidityPoolWithdraw, the "world" of the stellar-core tests, offers).
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.transactions import events as E
from stellarcore.transactions.operations import liquidity_pool  # noqa: F401  (registers the ops)
from tests.transactions import dexscen
from tests.transactions.harness import credit, native, op_payment
from tests.transactions.test_change_trust import (AF, AUTHORIZED, FEE, INT64_MAX, MAINTAIN, OC, allow_trust,
                                                  change_trust, check_pool, fails, ok, pool_id_of, pool_share,
                                                  set_account_flags, trustline, world)
from stellarcore.ledger import balances as B

D = xdr.LiquidityPoolDepositResultCode
W = xdr.LiquidityPoolWithdrawResultCode
HF = xdr.LedgerHeaderFlags
INT32_MAX = (1 << 31) - 1


# == shared helpers ==============================================================
def P(n, d) -> "xdr.Price":
    return xdr.Price(n=n, d=d)


WIDE = (P(1, INT32_MAX), P(INT32_MAX, 1))  # the tests' "any price" bounds


lp_deposit = dexscen.op_liquidity_pool_deposit  # TxTests.cpp liquidityPoolDeposit
lp_withdraw = dexscen.op_liquidity_pool_withdraw  # TxTests.cpp liquidityPoolWithdraw


def deposit(acc, pool_id, max_a, max_b, min_price=None, max_price=None):
    """TestAccount::liquidityPoolDeposit expecting success."""
    mn, mx = (min_price, max_price) if min_price is not None else WIDE
    return ok(acc.apply([lp_deposit(pool_id, max_a, max_b, mn, mx)]))


def withdraw(acc, pool_id, amount, min_a, min_b):
    return ok(acc.apply([lp_withdraw(pool_id, amount, min_a, min_b)]))


def tl_balance(acc, asset) -> int:
    """getTrustlineBalance (an asset or a pool-share ChangeTrustAsset)."""
    return trustline(acc, asset).balance


def balance_of(acc, asset) -> int:
    return acc.balance if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE else tl_balance(acc, asset)


def available_native(acc) -> int:
    return B.available_balance(acc.ledger.header, acc.entry())


def set_header_flags(L, flags: int) -> None:
    """A flags upgrade (LEDGER_UPGRADE_FLAGS): the header's ext v1 flags."""
    L.header.ext = xdr.LedgerHeaderExt(1, xdr.LedgerHeaderExtensionV1(
        flags=flags, ext=xdr.LedgerHeaderExtensionV1Ext(0)))


def sorted_pair(x, y):
    """The pool's (assetA, assetB): the lesser XDR first (makeChangeTrustAssetPoolShare)."""
    return (x, y) if x.to_xdr() < y.to_xdr() else (y, x)


class World:
    """The stellar-core tests' world: root issues CUR1 and CUR2; pool12 is
    (CUR1, CUR2) and poolNative1 is (native, CUR1), both at fee 30."""

    def __init__(self, accounts=()):
        L, *accs = world(tuple(accounts))
        self.L, self.root, self.accs = L, L.root, accs
        self.native = native()
        self.cur1, self.cur2 = credit("CUR1", L.root), credit("CUR2", L.root)
        self.share12 = pool_share(self.cur1, self.cur2)
        self.pool12 = pool_id_of(self.share12)
        self.share_n1 = pool_share(self.native, self.cur1)
        self.pool_n1 = pool_id_of(self.share_n1)

    def min_bal(self, n: int) -> int:
        return self.L.min_balance(n)


# -- offers ----------------------------------------------------------------------
def create_offer(acc, selling, buying, amount) -> int:
    """TestAccount::manageOffer(0, selling, buying, Price{1, 1}, amount): the offer ID."""
    return dexscen.manage_offer(acc, 0, selling, buying, P(1, 1), amount)


def delete_offer(acc, offer_id, selling, buying) -> None:
    """manageOffer(id, selling, buying, Price{1, 1}, 0, MANAGE_OFFER_DELETED)."""
    dexscen.manage_offer(acc, offer_id, selling, buying, P(1, 1), 0, dexscen.DELETED)


# == "validity checks" =============================================================
MALFORMED_ROWS = [
    ("bad maxAmountA 0", 0, 100, (1, 1), (1, 1)),
    ("bad maxAmountA -1", -1, 100, (1, 1), (1, 1)),
    ("bad maxAmountB 0", 100, 0, (1, 1), (1, 1)),
    ("bad maxAmountB -1", 100, -1, (1, 1), (1, 1)),
    ("bad minPrice.n 0", 100, 100, (0, 1), (1, 1)),
    ("bad minPrice.n -1", 100, 100, (-1, 1), (1, 1)),
    ("bad minPrice.d 0", 100, 100, (1, 0), (1, 1)),
    ("bad minPrice.d -1", 100, 100, (1, -1), (1, 1)),
    ("bad maxPrice.n 0", 100, 100, (1, 1), (0, 1)),
    ("bad maxPrice.n -1", 100, 100, (1, 1), (-1, 1)),
    ("bad maxPrice.d 0", 100, 100, (1, 1), (1, 0)),
    ("bad maxPrice.d -1", 100, 100, (1, 1), (1, -1)),
    ("minPrice > maxPrice", 100, 100, (2, 1), (1, 1)),
]


@pytest.mark.parametrize("title,max_a,max_b,mn,mx", MALFORMED_ROWS, ids=[r[0] for r in MALFORMED_ROWS])
def test_validity_checks(title, max_a, max_b, mn, mx):
    w = World()
    fails(w.root.apply([lp_deposit(b"\0" * 32, max_a, max_b, P(*mn), P(*mx))]), D.LIQUIDITY_POOL_DEPOSIT_MALFORMED)


# == "both non-native without liabilities" =========================================
def test_both_non_native_without_liabilities():
    w = World()
    L, root, cur1, cur2, share12, pool12 = w.L, w.root, w.cur1, w.cur2, w.share12, w.pool12
    set_account_flags(L, root, AF.AUTH_REQUIRED_FLAG)

    def bad(acc, code, max_a=400, max_b=900, mn=P(1, 1), mx=P(1, 1)):
        fails(acc.apply([lp_deposit(pool12, max_a, max_b, mn, mx)]), code)

    # depositing into an empty pool
    a1 = root.create("a1", w.min_bal(10))
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_NO_TRUST)
    ok(a1.apply([change_trust(cur1, 2000)]))
    ok(a1.apply([change_trust(cur2, 2000)]))
    ok(root.apply([allow_trust(a1, cur1, MAINTAIN)]))
    ok(root.apply([allow_trust(a1, cur2, MAINTAIN)]))
    ok(a1.apply([change_trust(share12, 1)]))
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_NOT_AUTHORIZED)
    ok(root.apply([allow_trust(a1, cur1, AUTHORIZED)]))
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_NOT_AUTHORIZED)
    ok(root.apply([allow_trust(a1, cur2, AUTHORIZED)]))
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_UNDERFUNDED)
    ok(root.pay(a1, 800, cur1))
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_UNDERFUNDED)
    ok(root.pay(a1, 1800, cur2))
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_BAD_PRICE)
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_LINE_FULL, mn=P(4, 9), mx=P(4, 9))
    ok(a1.apply([change_trust(share12, 600)]))
    deposit(a1, pool12, 400, 900, P(4, 9), P(4, 9))
    assert (tl_balance(a1, cur1), tl_balance(a1, cur2), tl_balance(a1, share12)) == (400, 900, 600)
    check_pool(L, pool12, 400, 900, 600, 1)

    # depositing into a non-empty pool
    a2 = root.create("a2", w.min_bal(10))
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_NO_TRUST)
    ok(a2.apply([change_trust(cur1, INT64_MAX)]))
    ok(a2.apply([change_trust(cur2, INT64_MAX)]))
    ok(root.apply([allow_trust(a2, cur1, MAINTAIN)]))
    ok(root.apply([allow_trust(a2, cur2, MAINTAIN)]))
    ok(a2.apply([change_trust(share12, 1)]))
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_NOT_AUTHORIZED)
    ok(root.apply([allow_trust(a2, cur1, AUTHORIZED)]))
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_NOT_AUTHORIZED)
    ok(root.apply([allow_trust(a2, cur2, AUTHORIZED)]))
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_UNDERFUNDED)
    ok(root.pay(a2, INT64_MAX, cur1))
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_UNDERFUNDED)
    ok(root.pay(a2, INT64_MAX, cur2))
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_BAD_PRICE)
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_LINE_FULL, mn=P(4, 9), mx=P(4, 9))
    ok(a2.apply([change_trust(share12, INT64_MAX)]))
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_POOL_FULL, INT64_MAX, INT64_MAX, *WIDE)
    deposit(a2, pool12, 101, 151, P(3, 9), P(5, 9))
    assert tl_balance(a2, cur1) == INT64_MAX - 67
    assert tl_balance(a2, cur2) == INT64_MAX - 150
    assert tl_balance(a2, share12) == 100
    check_pool(L, pool12, 467, 1050, 700, 2)


# == "one non-native without liabilities" ==========================================
def test_one_non_native_without_liabilities():
    w = World()
    L, root, cur1, share, pool = w.L, w.root, w.cur1, w.share_n1, w.pool_n1
    set_account_flags(L, root, AF.AUTH_REQUIRED_FLAG)

    def bad(acc, code, mn=P(1, 1), mx=P(1, 1), max_a=1, max_b=INT32_MAX):
        fails(acc.apply([lp_deposit(pool, max_a, max_b, mn, mx)]), code)

    # depositing into an empty pool
    a1 = root.create("a1", w.min_bal(3) + 6 * 100)
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_NO_TRUST)
    ok(a1.apply([change_trust(cur1, INT64_MAX)]))
    ok(root.apply([allow_trust(a1, cur1, MAINTAIN)]))
    ok(a1.apply([change_trust(share, 1)]))
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_NOT_AUTHORIZED)
    ok(root.apply([allow_trust(a1, cur1, AUTHORIZED)]))
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_UNDERFUNDED)
    ok(root.pay(a1, w.min_bal(10)))
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_UNDERFUNDED)
    ok(root.pay(a1, INT64_MAX, cur1))
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_BAD_PRICE)
    bad(a1, D.LIQUIDITY_POOL_DEPOSIT_LINE_FULL, P(1, INT32_MAX), P(1, INT32_MAX))
    ok(a1.apply([change_trust(share, INT64_MAX)]))
    before = a1.balance
    deposit(a1, pool, 1, INT32_MAX, P(1, INT32_MAX), P(1, INT32_MAX))
    assert a1.balance == before - 100 - 1
    assert tl_balance(a1, cur1) == INT64_MAX - INT32_MAX
    assert tl_balance(a1, share) == 46340
    check_pool(L, pool, 1, INT32_MAX, 46340, 1)

    # depositing into a non-empty pool
    a2 = root.create("a2", w.min_bal(3) + 6 * 100)
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_NO_TRUST)
    ok(a2.apply([change_trust(cur1, INT64_MAX)]))
    ok(root.apply([allow_trust(a2, cur1, MAINTAIN)]))
    ok(a2.apply([change_trust(share, 1)]))
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_NOT_AUTHORIZED)
    ok(root.apply([allow_trust(a2, cur1, AUTHORIZED)]))
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_UNDERFUNDED)
    ok(root.pay(a2, w.min_bal(10) + 5000000000))
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_UNDERFUNDED)
    ok(root.pay(a2, INT64_MAX, cur1))
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_BAD_PRICE)
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_LINE_FULL, *WIDE)
    ok(a2.apply([change_trust(share, INT64_MAX)]))
    bad(a2, D.LIQUIDITY_POOL_DEPOSIT_POOL_FULL, *WIDE, max_a=5000000000, max_b=INT64_MAX)
    before = a2.balance
    deposit(a2, pool, 1, INT32_MAX, *WIDE)
    assert a2.balance == before - 100 - 1
    assert tl_balance(a2, cur1) == INT64_MAX - INT32_MAX
    assert tl_balance(a2, share) == 46340
    check_pool(L, pool, 2, 2 * INT32_MAX, 92680, 2)


# == "pool share calculation overflows for one asset" ================================
SECOND = INT64_MAX - 1000
SHARES = 6148914691236516538  # floor(600 * (INT64_MAX - 1000) / 900)
# a1's first deposit (A, B, price); stellar-core's expected a2 debits (CUR1,
# CUR2), pool reserves after a2's deposit, a2's withdrawal minimums, a2's lines
# after it, the reserves left, and a1's lines after withdrawing the rest
OVERFLOW_ROWS = [
    ("assetB fail", (900, 400, P(9, 4)), (9223372036854774807, 4099276460824344359),
     (9223372036854775707, 4099276460824344759), (9223372036854774807, 4099276460824344358),
     (INT64_MAX, INT64_MAX - 1), (900, 401), (1000, 1001)),
    ("assetA fail", (400, 900, P(4, 9)), (4099276460824344359, 9223372036854774807),
     (4099276460824344759, 9223372036854775707), (4099276460824344358, 9223372036854774807),
     (INT64_MAX - 1, INT64_MAX), (401, 900), (1001, 1000)),
]


@pytest.mark.parametrize("title,first,debits,reserves,mins,a2_lines,left,a1_lines", OVERFLOW_ROWS,
                         ids=[r[0] for r in OVERFLOW_ROWS])
def test_pool_share_calculation_overflows_for_one_asset(title, first, debits, reserves, mins, a2_lines, left,
                                                        a1_lines):
    """totalPoolShares * maxAmount / reserve overflows int64 for the side
    whose reserve is 400 and that side is ignored; the reserves grow by
    ceil(shares * reserve / 600); withdrawing everything leaves one unit of
    rounding in the pool, for a1."""
    from stellarcore.util.numeric import ROUND_DOWN, big_divide
    assert not big_divide(600, INT64_MAX, 400, ROUND_DOWN)[0]
    w = World()
    L, root, cur1, cur2, share12, pool12 = w.L, w.root, w.cur1, w.cur2, w.share12, w.pool12
    a1 = root.create("a1", w.min_bal(10))
    a2 = root.create("a2", w.min_bal(10))
    for acc in (a1, a2):
        for line in (cur1, cur2, share12):
            ok(acc.apply([change_trust(line, INT64_MAX)]))
    ok(root.pay(a1, 1000, cur1))
    ok(root.pay(a1, 1000, cur2))
    ok(root.pay(a2, INT64_MAX, cur1))
    ok(root.pay(a2, INT64_MAX, cur2))

    amount_a, amount_b, price = first
    deposit(a1, pool12, amount_a, amount_b, price, price)
    check_pool(L, pool12, amount_a, amount_b, 600, 2)
    deposit(a2, pool12, SECOND, SECOND, *WIDE)
    assert tl_balance(a2, share12) == SHARES
    assert (tl_balance(a2, cur1), tl_balance(a2, cur2)) == (INT64_MAX - debits[0], INT64_MAX - debits[1])
    check_pool(L, pool12, *reserves, SHARES + 600, 2)

    withdraw(a2, pool12, SHARES, *mins)
    assert tl_balance(a2, share12) == 0
    assert (tl_balance(a2, cur1), tl_balance(a2, cur2)) == a2_lines
    check_pool(L, pool12, *left, 600, 2)

    withdraw(a1, pool12, 600, *left)
    assert tl_balance(a1, share12) == 0
    assert (tl_balance(a1, cur1), tl_balance(a1, cur2)) == a1_lines
    check_pool(L, pool12, 0, 0, 0, 2)


# == "underfunded due to liabilities" ===============================================
@pytest.mark.parametrize("which", ["assetA", "assetB", "native"])
def test_underfunded_due_to_liabilities(which):
    w = World()
    L, root, cur1, cur2 = w.L, w.root, w.cur1, w.cur2
    a1 = root.create("a1", w.min_bal(10))
    buying = credit("BUY1", root)
    for line in (cur1, cur2, buying):
        ok(a1.apply([change_trust(line, 1)]))
    ok(root.pay(a1, 1, cur1))
    ok(root.pay(a1, 1, cur2))
    ok(a1.apply([change_trust(w.share12, 2)]))
    reserve = L.header.baseReserve

    def underfunded_test(selling):
        is_native = selling.type == xdr.AssetType.ASSET_TYPE_NATIVE
        pool = w.pool_n1 if is_native else w.pool12
        if is_native:
            # leave enough for fees and the offer
            ok(a1.apply([op_payment(root, available_native(a1) - FEE * 3 - reserve - 1)]))
        offer_id = create_offer(a1, selling, buying, 1)
        fails(a1.apply([lp_deposit(pool, 1, 1, P(1, 1), P(1, 1))]), D.LIQUIDITY_POOL_DEPOSIT_UNDERFUNDED)
        if is_native:
            ok(root.pay(a1, FEE * 2))  # the fees of the next two ops
        delete_offer(a1, offer_id, selling, buying)
        deposit(a1, pool, 1, 1, P(1, 1), P(1, 1))

    if which == "native":
        ok(a1.apply([change_trust(w.share_n1, 2)]))
        underfunded_test(w.native)
        check_pool(L, w.pool_n1, 1, 1, 1, 1)
        # again, with an existing pool
        ok(root.pay(a1, w.min_bal(10)))
        ok(root.pay(a1, 1, cur1))
        underfunded_test(w.native)
        check_pool(L, w.pool_n1, 2, 2, 2, 1)
    else:
        selling = cur1 if which == "assetA" else cur2
        underfunded_test(selling)
        check_pool(L, w.pool12, 1, 1, 1, 1)
        ok(root.pay(a1, 1, cur1))
        ok(root.pay(a1, 1, cur2))
        underfunded_test(selling)
        check_pool(L, w.pool12, 2, 2, 2, 1)


# == "bad price in existing pool due to 0 calculated deposit amounts for both assets"
def test_bad_price_from_zero_deposit_amounts():
    w = World()
    L, root, pool12 = w.L, w.root, w.pool12
    a1 = root.create("a1", w.min_bal(10))
    ok(a1.apply([change_trust(w.cur1, 10000)]))
    ok(a1.apply([change_trust(w.cur2, 10000)]))
    ok(a1.apply([change_trust(w.share12, 1000)]))
    ok(root.pay(a1, 10000, w.cur1))
    ok(root.pay(a1, 10000, w.cur2))
    deposit(a1, pool12, 500, 1000, P(1, 2), P(1, 2))
    check_pool(L, pool12, 500, 1000, 707, 1)
    fails(a1.apply([lp_deposit(pool12, 100, 1, P(2, 3), P(4, 1))]), D.LIQUIDITY_POOL_DEPOSIT_BAD_PRICE)


# == UpgradesTests.cpp "upgrade flags" (deposit and withdraw) ==========================
def test_upgrade_flags_disable_deposit_and_withdraw():
    w = World()
    L, root, pool = w.L, w.root, w.pool_n1

    def dep():
        return root.apply([lp_deposit(pool, 1, 1, P(1, 1), P(1, 1))])

    def wd():
        return root.apply([lp_withdraw(pool, 1, 0, 0)])

    fails(dep(), D.LIQUIDITY_POOL_DEPOSIT_NO_TRUST)
    set_header_flags(L, HF.DISABLE_LIQUIDITY_POOL_DEPOSIT_FLAG)
    fails(dep(), OC.opNOT_SUPPORTED)
    fails(wd(), W.LIQUIDITY_POOL_WITHDRAW_NO_TRUST)
    set_header_flags(L, HF.DISABLE_LIQUIDITY_POOL_WITHDRAWAL_FLAG)
    fails(wd(), OC.opNOT_SUPPORTED)
    set_header_flags(L, 0)
    fails(dep(), D.LIQUIDITY_POOL_DEPOSIT_NO_TRUST)
    fails(wd(), W.LIQUIDITY_POOL_WITHDRAW_NO_TRUST)
    set_header_flags(L, HF.DISABLE_LIQUIDITY_POOL_DEPOSIT_FLAG | HF.DISABLE_LIQUIDITY_POOL_WITHDRAWAL_FLAG)
    fails(dep(), OC.opNOT_SUPPORTED)
    fails(wd(), OC.opNOT_SUPPORTED)
    set_header_flags(L, 0)
    ok(root.apply([change_trust(w.share_n1, INT64_MAX)]))
    deposit(root, pool, 1000, 1000, P(1, 1), P(1, 1))
    check_pool(L, pool, 1000, 1000, 1000, 1)
    # the trading flag does not disable deposits or withdrawals
    set_header_flags(L, HF.DISABLE_LIQUIDITY_POOL_TRADING_FLAG)
    withdraw(root, pool, 10, 10, 10)
    deposit(root, pool, 10, 10, P(1, 1), P(1, 1))


# == classic events (EventManager eventForTransferWithIssuerCheck) ====================
def _events(r):
    return [(e.body.v0.topics, e.body.v0.data) for e in r.meta.v4.operations[0].events]


def test_deposit_and_withdraw_events():
    """A holder's deposit is two transfers to the pool address and its
    withdrawal two transfers back (the amounts may carry the muxed id);
    the issuer's are mints into and burns out of the pool."""
    w = World()
    L, root, cur1, share, pool = w.L, w.root, w.cur1, w.share_n1, w.pool_n1
    a1 = root.create("a1", w.min_bal(10))
    ok(a1.apply([change_trust(cur1, INT64_MAX)]))
    ok(a1.apply([change_trust(share, INT64_MAX)]))
    ok(root.pay(a1, 1000, cur1))
    lp = E.address_val(E.liquidity_pool_address(pool))
    acc = E.address_val(E.account_address(a1.id))
    nat, c1 = E.sep11_asset_string(w.native), E.sep11_asset_string(cur1)

    r = deposit(a1, pool, 100, 400, P(1, 4), P(1, 4))
    assert _events(r) == [([E.symbol("transfer"), acc, lp, nat], E.i128(100)),
                          ([E.symbol("transfer"), acc, lp, c1], E.i128(400))]

    # a muxed source: the withdrawal's transfers carry to_muxed_id
    src = xdr.MuxedAccount(med25519=xdr.MuxedAccountMed25519(id=7, ed25519=a1.id.ed25519))
    r = ok(a1.apply([lp_withdraw(pool, 100, 50, 200, source=src)]))
    muxed_data = [xdr.SCVal(xdr.SCValType.SCV_MAP, [
        xdr.SCMapEntry(key=E.symbol("amount"), val=E.i128(v)),
        xdr.SCMapEntry(key=E.symbol("to_muxed_id"), val=E.u64(7))]) for v in (50, 200)]
    assert _events(r) == [([E.symbol("transfer"), lp, acc, nat], muxed_data[0]),
                          ([E.symbol("transfer"), lp, acc, c1], muxed_data[1])]
    check_pool(L, pool, 50, 200, 100, 1)

    ok(root.apply([change_trust(share, INT64_MAX)]))
    rt = E.address_val(E.account_address(root.id))
    r = deposit(root, pool, 50, 200, P(1, 4), P(1, 4))
    assert _events(r) == [([E.symbol("transfer"), rt, lp, nat], E.i128(50)),
                          ([E.symbol("mint"), lp, c1], E.i128(200))]
    r = withdraw(root, pool, 100, 50, 200)
    assert _events(r) == [([E.symbol("transfer"), lp, rt, nat], E.i128(50)),
                          ([E.symbol("burn"), lp, c1], E.i128(200))]
    check_pool(L, pool, 50, 200, 100, 2)
