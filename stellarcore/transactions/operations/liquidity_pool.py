"""LiquidityPoolDeposit and LiquidityPoolWithdraw (stellar-core
transactions/LiquidityPoolDepositOpFrame.cpp and
LiquidityPoolWithdrawOpFrame.cpp), protocol 23 and later.

Why the care: the amounts moved are consensus-critical integer arithmetic.
A deposit into an empty pool takes exactly maxAmountA/maxAmountB and mints
floor(sqrt(A*B)) shares (bigSquareRoot over the 128-bit product); into a
non-empty pool it mints min(floor(total*maxA/resA), floor(total*maxB/resB))
shares (a side whose division overflows int64 is ignored, PARITY_TRAPS D5)
and takes ceil(shares*reserve/total) of each asset, so rounding always
favours the pool. A withdrawal pays floor(shares*reserve/total) of each
asset (getPoolWithdrawalAmount). Failure codes follow stellar-core's check
order (UNDERFUNDED, then BAD_PRICE, then LINE_FULL, then POOL_FULL).

Entries are loaded for write exactly where stellar-core loads them (the
pool-share line, the pool, the asset lines, the source account when an
asset is native): they appear in the meta as STATE+UPDATED even when an
amount is zero (PARITY_TRAPS L7). The issuer of an asset holds it through
the issuer trustline wrapper: unlimited, always authorized, and its
transfers to/from the pool are mint/burn events.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key, liquidity_pool_key, pool_share_trustline_key
from stellarcore.ledger.trustline import load_trustline
from stellarcore.transactions import events as E
from stellarcore.transactions.operation_frame import OperationFrame, register
from stellarcore.transactions.pool_share import pool_withdrawal_amount

INT64_MAX = B.INT64_MAX
_NATIVE = xdr.AssetType.ASSET_TYPE_NATIVE
_D = xdr.LiquidityPoolDepositResultCode
_W = xdr.LiquidityPoolWithdrawResultCode
_HF = xdr.LedgerHeaderFlags


# -- helpers shared by both operations ---------------------------------------
def is_ledger_header_flag_set(header, flag) -> bool:
    """isLedgerHeaderFlagSet: flags live in the header's ext v1."""
    return header.ext.v == 1 and (header.ext.v1.flags & flag) != 0


def _numeric():
    """Helper A's util/numeric (bigDivide, bigSquareRoot), imported when first
    needed so this module registers before the Cython module is built."""
    from stellarcore.util import numeric
    return numeric


def _big_divide(a: int, b: int, c: int, round_up: bool):
    """bigDivide(result, A, B, C, rounding) -> (ok, result)."""
    n = _numeric()
    return n.big_divide(a, b, c, n.ROUND_UP if round_up else n.ROUND_DOWN)


def _big_square_root(a: int, b: int) -> int:
    """bigSquareRoot: x with x*x <= a*b < (x+1)*(x+1)."""
    return _numeric().big_square_root(a, b)


def _constant_product(pool_le):
    return pool_le.data.liquidityPool.body.constantProduct


def _is_bad_price(amount_a: int, amount_b: int, min_price, max_price) -> bool:
    """isBadPrice: A/B outside [minPrice, maxPrice], cross-multiplied.
    bigMultiply of two non-negative int64s is an exact 128-bit product, which
    Python's integers give without rounding or overflow."""
    return (amount_a == 0 or amount_b == 0
            or amount_a * min_price.d < amount_b * min_price.n
            or amount_a * max_price.d > amount_b * max_price.n)


def _min_among_valid(x: int, x_valid: bool, y: int, y_valid: bool):
    """minAmongValid: (ok, value)."""
    if x_valid and y_valid:
        return True, min(x, y)
    if x_valid:
        return True, x
    if y_valid:
        return True, y
    return False, 0


# -- LiquidityPoolDeposit -------------------------------------------------------
@register(xdr.OperationType.LIQUIDITY_POOL_DEPOSIT)
class LiquidityPoolDepositOpFrame(OperationFrame):
    """LiquidityPoolDepositOpFrame."""

    def is_op_supported(self, header) -> bool:
        return not is_ledger_header_flag_set(header, _HF.DISABLE_LIQUIDITY_POOL_DEPOSIT_FLAG)

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        mn, mx = b.minPrice, b.maxPrice
        if (b.maxAmountA <= 0 or b.maxAmountB <= 0 or mn.n <= 0 or mn.d <= 0 or mx.n <= 0 or mx.d <= 0
                # minPrice > maxPrice, cross-multiplied in int64 (cannot overflow)
                or mn.n * mx.d > mn.d * mx.n):
            self.set_code(_D.LIQUIDITY_POOL_DEPOSIT_MALFORMED)
            return False
        return True

    def _deposit_into_empty_pool(self, available_a, available_b, available_limit_shares):
        """depositIntoEmptyPool -> (amountA, amountB, shares) or None (code set)."""
        b = self.body
        amount_a, amount_b = b.maxAmountA, b.maxAmountB
        if available_a < amount_a or available_b < amount_b:
            self.set_code(_D.LIQUIDITY_POOL_DEPOSIT_UNDERFUNDED)
            return None
        if _is_bad_price(amount_a, amount_b, b.minPrice, b.maxPrice):
            self.set_code(_D.LIQUIDITY_POOL_DEPOSIT_BAD_PRICE)
            return None
        shares = _big_square_root(amount_a, amount_b)
        if available_limit_shares < shares:
            self.set_code(_D.LIQUIDITY_POOL_DEPOSIT_LINE_FULL)
            return None
        return amount_a, amount_b, shares

    def _deposit_into_non_empty_pool(self, available_a, available_b, available_limit_shares, cp):
        """depositIntoNonEmptyPool -> (amountA, amountB, shares) or None (code set)."""
        b = self.body
        ok_a, shares_a = _big_divide(cp.totalPoolShares, b.maxAmountA, cp.reserveA, False)
        ok_b, shares_b = _big_divide(cp.totalPoolShares, b.maxAmountB, cp.reserveB, False)
        ok, shares = _min_among_valid(shares_a, ok_a, shares_b, ok_b)
        if not ok:
            raise RuntimeError("both shares calculations overflowed")
        ok_a, amount_a = _big_divide(shares, cp.reserveA, cp.totalPoolShares, True)
        ok_b, amount_b = _big_divide(shares, cp.reserveB, cp.totalPoolShares, True)
        if not (ok_a and ok_b):
            raise RuntimeError("amount overflowed")
        if available_a < amount_a or available_b < amount_b:
            self.set_code(_D.LIQUIDITY_POOL_DEPOSIT_UNDERFUNDED)
            return None
        if _is_bad_price(amount_a, amount_b, b.minPrice, b.maxPrice):
            self.set_code(_D.LIQUIDITY_POOL_DEPOSIT_BAD_PRICE)
            return None
        if available_limit_shares < shares:
            self.set_code(_D.LIQUIDITY_POOL_DEPOSIT_LINE_FULL)
            return None
        return amount_a, amount_b, shares

    def do_apply(self, ltx, op_meta) -> bool:
        b = self.body
        pool_id = bytes(b.liquidityPoolID)
        # a pool-share line is never an issuer line: a plain load
        tl_pool = ltx.load(pool_share_trustline_key(self.source_id, pool_id))
        if tl_pool is None:
            self.set_code(_D.LIQUIDITY_POOL_DEPOSIT_NO_TRUST)
            return False
        pool_le = ltx.load(liquidity_pool_key(pool_id))  # exists while a line does
        cp = _constant_product(pool_le)
        asset_a, asset_b = cp.params.assetA, cp.params.assetB
        if asset_a == asset_b:
            raise RuntimeError("Depositing to invalid liquidity pool")

        # loadTrustLineIfNotNative (TrustLineWrapper: the issuer case included)
        tl_a = None if asset_a.type == _NATIVE else load_trustline(ltx, self.source_id, asset_a)
        tl_b = None if asset_b.type == _NATIVE else load_trustline(ltx, self.source_id, asset_b)
        if (asset_a.type != _NATIVE and tl_a is None) or (asset_b.type != _NATIVE and tl_b is None):
            raise RuntimeError("Invalid ledger state")
        if (tl_a is not None and not tl_a.is_authorized()) or (tl_b is not None and not tl_b.is_authorized()):
            self.set_code(_D.LIQUIDITY_POOL_DEPOSIT_NOT_AUTHORIZED)
            return False

        source = None
        if asset_a.type == _NATIVE or asset_b.type == _NATIVE:
            source = ltx.load(account_key(self.source_id))

        header = ltx.header
        available_a = tl_a.available_balance(header) if tl_a is not None else B.available_balance(header, source)
        available_b = tl_b.available_balance(header) if tl_b is not None else B.available_balance(header, source)
        available_limit_shares = B.max_amount_receive(header, tl_pool)
        if cp.totalPoolShares != 0:
            amounts = self._deposit_into_non_empty_pool(available_a, available_b, available_limit_shares, cp)
        else:
            amounts = self._deposit_into_empty_pool(available_a, available_b, available_limit_shares)
        if amounts is None:
            return False
        amount_a, amount_b, shares = amounts

        if (INT64_MAX - amount_a < cp.reserveA or INT64_MAX - amount_b < cp.reserveB
                or INT64_MAX - shares < cp.totalPoolShares):
            self.set_code(_D.LIQUIDITY_POOL_DEPOSIT_POOL_FULL)
            return False
        if amount_a <= 0 or amount_b <= 0 or shares <= 0:
            raise RuntimeError("must deposit positive amounts and receive a positive amount of pool shares")

        for tl, amount in ((tl_a, amount_a), (tl_b, amount_b)):
            ok = tl.add_balance(header, -amount) if tl is not None else B.add_balance(header, source, -amount)
            if not ok:
                raise RuntimeError("insufficient balance")
        cp.reserveA += amount_a
        cp.reserveB += amount_b
        if not B.add_balance(header, tl_pool, shares):
            raise RuntimeError("insufficient pool share limit")
        cp.totalPoolShares += shares

        src = E.muxed_account_address(self.source_account)
        lp = E.liquidity_pool_address(pool_id)
        op_meta.events.transfer_with_issuer_check(asset_a, src, lp, amount_a, False)
        op_meta.events.transfer_with_issuer_check(asset_b, src, lp, amount_b, False)
        self.set_code(_D.LIQUIDITY_POOL_DEPOSIT_SUCCESS)
        return True


# -- LiquidityPoolWithdraw ------------------------------------------------------
@register(xdr.OperationType.LIQUIDITY_POOL_WITHDRAW)
class LiquidityPoolWithdrawOpFrame(OperationFrame):
    """LiquidityPoolWithdrawOpFrame."""

    def is_op_supported(self, header) -> bool:
        return not is_ledger_header_flag_set(header, _HF.DISABLE_LIQUIDITY_POOL_WITHDRAWAL_FLAG)

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        if b.amount <= 0 or b.minAmountA < 0 or b.minAmountB < 0:
            self.set_code(_W.LIQUIDITY_POOL_WITHDRAW_MALFORMED)
            return False
        return True

    def _try_add_asset_balance(self, ltx, header, asset, min_amount: int, amount: int) -> bool:
        """tryAddAssetBalance: UNDER_MINIMUM before the line is loaded."""
        if amount < min_amount:
            self.set_code(_W.LIQUIDITY_POOL_WITHDRAW_UNDER_MINIMUM)
            return False
        if asset.type == _NATIVE:
            ok = B.add_balance(header, self.load_source_account(ltx), amount)
        else:
            # the line exists while the pool-share line does, and is at least
            # authorized to maintain liabilities (revocation redeems the shares)
            ok = load_trustline(ltx, self.source_id, asset).add_balance(header, amount)
        if not ok:
            self.set_code(_W.LIQUIDITY_POOL_WITHDRAW_LINE_FULL)
            return False
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        b = self.body
        pool_id = bytes(b.liquidityPoolID)
        tl_pool = ltx.load(pool_share_trustline_key(self.source_id, pool_id))
        if tl_pool is None:
            self.set_code(_W.LIQUIDITY_POOL_WITHDRAW_NO_TRUST)
            return False
        header = ltx.header
        if B.available_balance(header, tl_pool) < b.amount:
            self.set_code(_W.LIQUIDITY_POOL_WITHDRAW_UNDERFUNDED)
            return False
        pool_le = ltx.load(liquidity_pool_key(pool_id))  # exists while a line does
        cp = _constant_product(pool_le)

        amount_a = pool_withdrawal_amount(b.amount, cp.totalPoolShares, cp.reserveA)
        if not self._try_add_asset_balance(ltx, header, cp.params.assetA, b.minAmountA, amount_a):
            return False
        amount_b = pool_withdrawal_amount(b.amount, cp.totalPoolShares, cp.reserveB)
        if not self._try_add_asset_balance(ltx, header, cp.params.assetB, b.minAmountB, amount_b):
            return False

        if not B.add_balance(header, tl_pool, -b.amount):
            raise RuntimeError("pool withdrawal invalid")
        for name, delta in (("totalPoolShares", b.amount), ("reserveA", amount_a), ("reserveB", amount_b)):
            new = B.add_balance_raw(getattr(cp, name), -delta)
            if new is None:
                raise RuntimeError(f"insufficient {name}")
            setattr(cp, name, new)

        src = E.muxed_account_address(self.source_account)
        lp = E.liquidity_pool_address(pool_id)
        op_meta.events.transfer_with_issuer_check(cp.params.assetA, lp, src, amount_a, True)
        op_meta.events.transfer_with_issuer_check(cp.params.assetB, lp, src, amount_b, True)
        self.set_code(_W.LIQUIDITY_POOL_WITHDRAW_SUCCESS)
        return True
