"""LiquidityPoolWithdraw, against stellar-core's LiquidityPoolWithdrawTests.cpp
("liquidity pool withdraw") and TxTests.cpp depositTradeWithdrawTest.
Expected values are stellar-core's: result codes (MALFORMED, NO_TRUST,
UNDERFUNDED, UNDER_MINIMUM, LINE_FULL incl. native and buying-liability
limits), balances, and checkLiquidityPool's (reserveA, reserveB,
totalPoolShares, poolSharesTrustLineCount) after floor-rounded withdrawals
(getPoolWithdrawalAmount), issuer deposits/withdrawals and zero-amount sides.
"""
from __future__ import annotations

import importlib.util
import random

import pytest

from stellarcore import xdr
from stellarcore.ledger.keys import trustline_key
from tests.transactions import dexscen
from tests.transactions.test_change_trust import (AF, AUTHORIZED, INT64_MAX, MAINTAIN, allow_trust, change_trust,
                                                  check_pool, fails, ok, pool, tl_asset)
from tests.transactions.test_liquidity_pool_deposit import (WIDE, P, World, create_offer, delete_offer,
                                                            deposit, lp_withdraw, tl_balance, withdraw)

W = xdr.LiquidityPoolWithdrawResultCode
D = xdr.LiquidityPoolDepositResultCode
CT = xdr.LedgerEntryChangeType


def world():
    w = World((("acc1", 10),))
    return w, w.accs[0]


# == "malformed" =====================================================================
@pytest.mark.parametrize("amount,min_a,min_b", [(0, 1, 1), (1, -1, 1), (1, 1, -1)])
def test_malformed(amount, min_a, min_b):
    w, acc1 = world()
    fails(acc1.apply([lp_withdraw(b"\0" * 32, amount, min_a, min_b)]), W.LIQUIDITY_POOL_WITHDRAW_MALFORMED)


# == "both non-native without liabilities" ===========================================
def test_both_non_native_without_liabilities():
    w, acc1 = world()
    L, root, cur1, cur2, share12, pool12 = w.L, w.root, w.cur1, w.cur2, w.share12, w.pool12

    def bad(code, amount, min_a=0, min_b=0):
        fails(acc1.apply([lp_withdraw(pool12, amount, min_a, min_b)]), code)

    def lines():
        return tl_balance(acc1, cur1), tl_balance(acc1, cur2), tl_balance(acc1, share12)

    bad(W.LIQUIDITY_POOL_WITHDRAW_NO_TRUST, 1)
    ok(acc1.apply([change_trust(cur1, 200)]))
    ok(acc1.apply([change_trust(cur2, 50)]))
    ok(root.pay(acc1, 200, cur1))
    ok(root.pay(acc1, 50, cur2))
    ok(acc1.apply([change_trust(share12, 100)]))
    bad(W.LIQUIDITY_POOL_WITHDRAW_UNDERFUNDED, 1)
    deposit(acc1, pool12, 200, 50, P(4, 1), P(4, 1))
    bad(W.LIQUIDITY_POOL_WITHDRAW_UNDER_MINIMUM, 100, 201, 0)
    bad(W.LIQUIDITY_POOL_WITHDRAW_UNDER_MINIMUM, 100, 0, 51)
    ok(acc1.apply([change_trust(cur1, 1)]))
    bad(W.LIQUIDITY_POOL_WITHDRAW_LINE_FULL, 2)
    ok(acc1.apply([change_trust(cur2, 1)]))
    bad(W.LIQUIDITY_POOL_WITHDRAW_LINE_FULL, 2)
    ok(acc1.apply([change_trust(cur1, 200)]))
    ok(acc1.apply([change_trust(cur2, 50)]))

    # withdrawal works even when only authorized to maintain liabilities
    dexscen.set_flags(root, AF.AUTH_REVOCABLE_FLAG)
    ok(root.apply([allow_trust(acc1, cur1, MAINTAIN)]))
    ok(root.apply([allow_trust(acc1, cur2, MAINTAIN)]))
    withdraw(acc1, pool12, 50, 100, 25)
    assert lines() == (100, 25, 50)
    check_pool(L, pool12, 100, 25, 50, 1)

    # a different depositor
    ok(root.apply([change_trust(share12, 50)]))
    deposit(root, pool12, 100, 25, P(4, 1), P(4, 1))
    check_pool(L, pool12, 200, 50, 100, 2)
    # empty the pool-share trustline
    withdraw(acc1, pool12, 50, 100, 25)
    assert lines() == (200, 50, 0)
    check_pool(L, pool12, 100, 25, 50, 2)
    # empty the pool
    withdraw(root, pool12, 50, 100, 25)
    check_pool(L, pool12, 0, 0, 0, 2)

    # a deposit/withdraw where rounding comes into play
    ok(root.apply([allow_trust(acc1, cur1, AUTHORIZED)]))
    ok(root.apply([allow_trust(acc1, cur2, AUTHORIZED)]))
    deposit(acc1, pool12, 90, 24, P(90, 24), P(90, 24))  # sqrt(90*24) ~ 46.48 -> 46
    assert lines() == (110, 26, 46)
    check_pool(L, pool12, 90, 24, 46, 2)
    withdraw(acc1, pool12, 2, 0, 0)  # floor(2/46*90) = 3, floor(2/46*24) = 1
    assert lines() == (113, 27, 44)
    check_pool(L, pool12, 87, 23, 44, 2)
    withdraw(acc1, pool12, 44, 0, 0)
    assert lines() == (200, 50, 0)
    check_pool(L, pool12, 0, 0, 0, 2)


# == "one non-native without liabilities" =============================================
def test_one_non_native_without_liabilities():
    w, acc1 = world()
    L, root, cur1, share, pool_id = w.L, w.root, w.cur1, w.share_n1, w.pool_n1

    def bad(code, amount, min_a=0, min_b=0):
        fails(acc1.apply([lp_withdraw(pool_id, amount, min_a, min_b)]), code)

    bad(W.LIQUIDITY_POOL_WITHDRAW_NO_TRUST, 1)
    ok(acc1.apply([change_trust(cur1, 200)]))
    ok(root.pay(acc1, 200, cur1))
    ok(acc1.apply([change_trust(share, 100)]))
    bad(W.LIQUIDITY_POOL_WITHDRAW_UNDERFUNDED, 1)
    deposit(acc1, pool_id, 50, 200, P(1, 4), P(1, 4))
    bad(W.LIQUIDITY_POOL_WITHDRAW_UNDER_MINIMUM, 100, 51, 0)
    bad(W.LIQUIDITY_POOL_WITHDRAW_UNDER_MINIMUM, 100, 0, 201)
    ok(acc1.apply([change_trust(cur1, 1)]))
    bad(W.LIQUIDITY_POOL_WITHDRAW_LINE_FULL, 2)
    ok(acc1.apply([change_trust(cur1, 200)]))

    before = acc1.balance
    withdraw(acc1, pool_id, 50, 25, 100)
    assert acc1.balance == before - 100 + 25
    assert (tl_balance(acc1, cur1), tl_balance(acc1, share)) == (100, 50)
    check_pool(L, pool_id, 25, 100, 50, 1)

    # a different depositor
    ok(root.apply([change_trust(share, 50)]))
    deposit(root, pool_id, 25, 100, P(1, 4), P(1, 4))
    check_pool(L, pool_id, 50, 200, 100, 2)
    # empty the pool-share trustline
    before = acc1.balance
    withdraw(acc1, pool_id, 50, 25, 100)
    assert acc1.balance == before - 100 + 25
    assert (tl_balance(acc1, cur1), tl_balance(acc1, share)) == (200, 0)
    check_pool(L, pool_id, 25, 100, 50, 2)
    # empty the other pool-share trustline
    before = root.balance
    withdraw(root, pool_id, 50, 25, 100)
    assert root.balance == before - 100 + 25
    assert tl_balance(root, share) == 0
    check_pool(L, pool_id, 0, 0, 0, 2)


# == "line full on native balance" =================================================
def test_line_full_on_native_balance():
    w, acc1 = world()
    root, cur1, cur2, pool_id = w.root, w.cur1, w.cur2, w.pool_n1
    ok(acc1.apply([change_trust(cur1, INT64_MAX)]))
    ok(root.pay(acc1, 1000, cur1))
    ok(acc1.apply([change_trust(w.share_n1, INT64_MAX)]))
    deposit(acc1, pool_id, 1000, 1000, P(1, 1), P(1, 1))
    # cur2, so the failures are due to the native balance and not cur1
    ok(acc1.apply([change_trust(cur2, INT64_MAX)]))
    ok(root.pay(acc1, INT64_MAX, cur2))
    # the native line is full (minus the fee paid for this op)
    create_offer(acc1, cur2, w.native, INT64_MAX - acc1.balance)
    # enough room for the fee of the op above and of this one
    withdraw(acc1, pool_id, 200, 200, 0)
    # at the limit: no more than the fee can be withdrawn
    fails(acc1.apply([lp_withdraw(pool_id, 101, 101, 0)]), W.LIQUIDITY_POOL_WITHDRAW_LINE_FULL)


# == "withdraw into account with liabilities" ========================================
def test_withdraw_into_account_with_liabilities():
    w, acc1 = world()
    root, cur1, cur2, pool12 = w.root, w.cur1, w.cur2, w.pool12
    for line in (cur1, cur2):
        ok(acc1.apply([change_trust(line, 100)]))
        ok(root.pay(acc1, 100, line))
    ok(acc1.apply([change_trust(w.share12, 100)]))
    deposit(acc1, pool12, 100, 100, P(1, 1), P(1, 1))

    for line, amount in ((cur1, 100), (cur2, 99)):
        offer_id = create_offer(acc1, w.native, line, amount)
        fails(acc1.apply([lp_withdraw(pool12, 1, 1, 0)]), W.LIQUIDITY_POOL_WITHDRAW_LINE_FULL)
        delete_offer(acc1, offer_id, w.native, line)
        withdraw(acc1, pool12, 1, 1, 0)


# == issuer deposits and withdrawals ==================================================
def test_both_non_native_issuer_deposit_and_withdraw():
    w, acc1 = world()
    L, root, cur1, cur2, share12, pool12 = w.L, w.root, w.cur1, w.cur2, w.share12, w.pool12
    ok(root.apply([change_trust(share12, INT64_MAX)]))
    deposit(root, pool12, INT64_MAX, INT64_MAX, P(1, 1), P(1, 1))
    check_pool(L, pool12, INT64_MAX, INT64_MAX, INT64_MAX, 1)
    # pool full
    for line in (cur1, cur2):
        ok(acc1.apply([change_trust(line, 1)]))
        ok(root.pay(acc1, 1, line))
    ok(acc1.apply([change_trust(share12, 1)]))
    fails(acc1.apply([dexscen.op_liquidity_pool_deposit(pool12, 1, 1, P(1, 1), P(1, 1))]),
          D.LIQUIDITY_POOL_DEPOSIT_POOL_FULL)
    withdraw(root, pool12, INT64_MAX, INT64_MAX, 1)
    check_pool(L, pool12, 0, 0, 0, 2)
    ok(root.apply([change_trust(share12, 0)]))
    check_pool(L, pool12, 0, 0, 0, 1)


def test_one_non_native_issuer_deposit_and_withdraw():
    w, acc1 = world()
    L, root, share, pool_id = w.L, w.root, w.share_n1, w.pool_n1
    ok(root.apply([change_trust(share, INT64_MAX)]))
    deposit(root, pool_id, 1000, 1000, P(1, 1), P(1, 1))
    withdraw(root, pool_id, 1000, 1000, 1000)
    check_pool(L, pool_id, 0, 0, 0, 1)
    ok(root.apply([change_trust(share, 0)]))
    assert pool(L, pool_id) is None


# == zero-amount sides ==================================================================
def _updated_keys(r) -> set:
    """Keys the operation loaded for write (STATE + UPDATED in its meta)."""
    from stellarcore.ledger.ledger_txn import entry_key_bytes
    return {entry_key_bytes(c.updated) for c in r.meta.v4.operations[0].changes
            if c.type == CT.LEDGER_ENTRY_UPDATED}


def test_both_non_native_one_asset_withdraw_is_zero():
    w, acc1 = world()
    L, root, cur1, cur2, share12, pool12 = w.L, w.root, w.cur1, w.cur2, w.share12, w.pool12

    def lines():
        return tl_balance(acc1, cur1), tl_balance(acc1, cur2), tl_balance(acc1, share12)

    ok(acc1.apply([change_trust(cur1, 10)]))
    ok(acc1.apply([change_trust(cur2, 10)]))
    ok(root.pay(acc1, 1, cur1))
    ok(root.pay(acc1, 10, cur2))
    ok(acc1.apply([change_trust(share12, 4)]))
    deposit(acc1, pool12, 1, 10, P(1, 10), P(1, 10))
    assert lines() == (0, 0, 3)
    check_pool(L, pool12, 1, 10, 3, 1)
    r = withdraw(acc1, pool12, 2, 0, 6)
    check_pool(L, pool12, 1, 4, 1, 1)
    # the zero-amount side's trustline is still loaded for write (PARITY_TRAPS L7)
    assert trustline_key(acc1.id, tl_asset(cur1)) in _updated_keys(r)
    withdraw(acc1, pool12, 1, 1, 4)
    assert lines() == (1, 10, 0)
    check_pool(L, pool12, 0, 0, 0, 1)

    # now make assetB withdraw 0
    ok(root.pay(acc1, 9, cur1))
    ok(acc1.pay(root, 9, cur2))
    deposit(acc1, pool12, 10, 1, P(10, 1), P(10, 1))
    assert lines() == (0, 0, 3)
    check_pool(L, pool12, 10, 1, 3, 1)
    r = withdraw(acc1, pool12, 2, 6, 0)
    check_pool(L, pool12, 4, 1, 1, 1)
    assert trustline_key(acc1.id, tl_asset(cur2)) in _updated_keys(r)
    withdraw(acc1, pool12, 1, 4, 1)
    assert lines() == (10, 1, 0)
    check_pool(L, pool12, 0, 0, 0, 1)


def test_native_asset_withdraw_is_zero():
    w, acc1 = world()
    L, root, cur1, share, pool_id = w.L, w.root, w.cur1, w.share_n1, w.pool_n1
    ok(acc1.apply([change_trust(cur1, 10)]))
    ok(root.pay(acc1, 10, cur1))
    ok(acc1.apply([change_trust(share, 4)]))
    before = acc1.balance
    deposit(acc1, pool_id, 1, 10, P(1, 10), P(1, 10))
    assert acc1.balance == before - 100 - 1
    assert (tl_balance(acc1, cur1), tl_balance(acc1, share)) == (0, 3)
    check_pool(L, pool_id, 1, 10, 3, 1)
    withdraw(acc1, pool_id, 2, 0, 6)
    check_pool(L, pool_id, 1, 4, 1, 1)
    before = acc1.balance
    withdraw(acc1, pool_id, 1, 1, 4)
    assert acc1.balance == before - 100 + 1
    assert (tl_balance(acc1, cur1), tl_balance(acc1, share)) == (10, 0)
    check_pool(L, pool_id, 0, 0, 0, 1)


# == "large deposit/withdraw test" (TxTests.cpp depositTradeWithdrawTest) ===============
def deposit_trade_withdraw(deposit_size: int, trades) -> None:
    """Two accounts deposit `deposit_size` of each asset; root trades
    through the pool (PathPaymentStrictReceive to itself, sending CUR1 when
    the flag is set); the accounts withdraw everything in reverse order and
    drop their pool-share lines, which deletes the pool."""
    w = World()
    L, root, cur1, cur2, share12, pool12 = w.L, w.root, w.cur1, w.cur2, w.share12, w.pool12
    deposits = []
    total = 0
    for n in range(2):
        acc = root.create(f"account{n}", w.min_bal(10))
        for line in (cur1, cur2, share12):
            ok(acc.apply([change_trust(line, INT64_MAX)]))
        ok(root.pay(acc, deposit_size, cur1))
        ok(root.pay(acc, deposit_size, cur2))
        deposit(acc, pool12, deposit_size, deposit_size, *WIDE)
        total += deposit_size
        check_pool(L, pool12, total, total, total, n + 1)
        deposits.append((acc, deposit_size))
    for send_cur1, amount in trades:
        send, recv = (cur1, cur2) if send_cur1 else (cur2, cur1)
        dexscen.path_pay(root, root, send, INT64_MAX, recv, amount)
    for acc, shares in reversed(deposits):
        withdraw(acc, pool12, shares, 0, 0)
    check_pool(L, pool12, 0, 0, 0, 2)
    left = 2
    for acc, _ in deposits:
        ok(acc.apply([change_trust(share12, 0)]))
        left -= 1
        if left > 0:
            check_pool(L, pool12, 0, 0, 0, left)
    assert pool(L, pool12) is None


def _random_trades(seed: int):
    """Catch's uniform_int_distribution(5, 25): the number of trades and each
    size; even sizes send CUR1."""
    rng = random.Random(seed)
    return [(size % 2 == 0, size) for size in (rng.randint(5, 25) for _ in range(rng.randint(5, 25)))]


@pytest.mark.parametrize("deposit_size", range(1000, 1050))
def test_large_deposit_trade_withdraw(deposit_size):
    if (xdr.OperationType.PATH_PAYMENT_STRICT_RECEIVE not in dexscen.OPERATION_FRAMES
            or importlib.util.find_spec("stellarcore.transactions.offer_exchange") is None):
        pytest.skip("trading through a pool needs PathPaymentStrictReceive and the exchange module")
    deposit_trade_withdraw(deposit_size, _random_trades(deposit_size))
