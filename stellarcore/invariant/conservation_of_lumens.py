"""ConservationOfLumens (stellar-core invariant/ConservationOfLumens.cpp).

Why: an operation may move lumens between accounts, native claimable
balances, liquidity-pool reserves and (Soroban) native SAC balances, but
never create or destroy them; only inflation could, and inflation is
disabled from protocol 12. So the sum of native balance changes and the
header's totalCoins and feePool changes must all be zero. Non-strict in
stellar-core (logs in production, throws under test).

The SAC contract-data term needs the network ID (the native SAC's contract
ID is derived from it); without one it counts as 0, which is exact for
classic operations (they never touch contract data).
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.invariant.base import AT, INT64_MAX, T, OperationContext
from stellarcore.invariant.sac import lumen_contract_info

NAME = "ConservationOfLumens"
STRICT = False

_V = xdr.SCValType


def _sac_amount(entry, info) -> int:
    if entry is None:
        return 0
    val = entry.data.contractData.val
    if val.type == _V.SCV_MAP and val.map:
        first = val.map[0]
        if first.key == info.amount_symbol and first.val.type == _V.SCV_I128:
            lo, hi = first.val.i128.lo, first.val.i128.hi
            if lo > INT64_MAX or hi > 0:
                return INT64_MAX  # wrong, but it trips the invariant
            return lo
    return 0


def delta_native_balance(prev, cur, info=None) -> int:
    """calculateDeltaBalance: the native-balance change of one entry."""
    e = cur if cur is not None else prev
    t = e.data.type
    if t == T.ACCOUNT:
        return (cur.data.account.balance if cur is not None else 0) - \
            (prev.data.account.balance if prev is not None else 0)
    if t == T.CLAIMABLE_BALANCE:
        if e.data.claimableBalance.asset.type != AT.ASSET_TYPE_NATIVE:
            return 0
        return (cur.data.claimableBalance.amount if cur is not None else 0) - \
            (prev.data.claimableBalance.amount if prev is not None else 0)
    if t == T.LIQUIDITY_POOL:
        cb = cur.data.liquidityPool.body.constantProduct if cur is not None else None
        pb = prev.data.liquidityPool.body.constantProduct if prev is not None else None
        params = (cb if cb is not None else pb).params
        d = 0
        if params.assetA.type == AT.ASSET_TYPE_NATIVE:
            d += (cb.reserveA if cb is not None else 0) - (pb.reserveA if pb is not None else 0)
        if params.assetB.type == AT.ASSET_TYPE_NATIVE:
            d += (cb.reserveB if cb is not None else 0) - (pb.reserveB if pb is not None else 0)
        return d
    if t == T.CONTRACT_DATA and info is not None:
        cd = e.data.contractData
        if cd.contract.type != xdr.SCAddressType.SC_ADDRESS_TYPE_CONTRACT or \
                bytes(cd.contract.contractId) != info.contract_id or \
                cd.key.type != _V.SCV_VEC or not cd.key.vec:
            return 0
        if not (cd.key.vec[0] == info.balance_symbol):
            return 0
        return _sac_amount(cur, info) - _sac_amount(prev, info)
    return 0


def _inflation_payouts(op_result):
    """The payouts of a successful Inflation result, or None when the
    operation is not Inflation."""
    if op_result is None or op_result.code != xdr.OperationResultCode.opINNER:
        return None
    tr = op_result.tr
    if tr.type != xdr.OperationType.INFLATION:
        return None
    res = tr.inflationResult
    if res.code != xdr.InflationResultCode.INFLATION_SUCCESS:
        return 0
    return sum(p.amount for p in res.payouts)


def check(ctx: OperationContext) -> str:
    prev_h, cur_h = ctx.header_before, ctx.header_after
    d_total = cur_h.totalCoins - prev_h.totalCoins
    d_fee = cur_h.feePool - prev_h.feePool
    info = lumen_contract_info(bytes(ctx.network_id)) if ctx.network_id is not None else None
    d_bal = 0
    for _k, prev, cur in ctx.entries:
        d_bal += delta_native_balance(prev, cur, info)

    payouts = _inflation_payouts(ctx.op_result)
    if payouts is not None:
        if d_total != payouts + d_fee:
            return (f"LedgerHeader totalCoins change ({d_total}) did not match"
                    f" feePool change ({d_fee}) plus inflation payouts ({payouts})")
        if d_bal != payouts:
            return (f"LedgerEntry account balances change ({d_bal}) "
                    f"did not match inflation payouts ({payouts})")
        return ""
    if d_total != 0:
        return (f"LedgerHeader totalCoins changed from {prev_h.totalCoins} to"
                f" {cur_h.totalCoins} without inflation")
    if d_fee != 0:
        return (f"LedgerHeader feePool changed from {prev_h.feePool} to"
                f" {cur_h.feePool} without inflation")
    if d_bal != 0:
        return f"LedgerEntry account balances changed by {d_bal} without inflation"
    return ""
