"""ConstantProductInvariant (stellar-core invariant/ConstantProductInvariant.cpp).

Why: a constant-product pool may only gain value from trades and deposits:
reserveA * reserveB must not decrease for any modified pool, except in the
operations that legitimately take reserves out (LiquidityPoolWithdraw, and
the authorization revocations AllowTrust / SetTrustLineFlags that redeem
pool shares). Created or deleted pools are not checked. Non-strict.

The operation type is needed for the exemptions. When the caller does not
pass the operation, a pool whose totalPoolShares decreased is taken as
exempt: only the three exempt operations burn pool shares (a withdrawal, or
a revocation redeeming them), deposits mint shares and trades keep them.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.invariant.base import T, OperationContext

NAME = "ConstantProductInvariant"
STRICT = False

_OT = xdr.OperationType
_EXEMPT = (_OT.LIQUIDITY_POOL_WITHDRAW, _OT.SET_TRUST_LINE_FLAGS, _OT.ALLOW_TRUST)


def check(ctx: OperationContext) -> str:
    op = ctx.operation
    if op is not None and op.body.type in _EXEMPT:
        return ""
    for _k, prev, cur in ctx.entries:
        if prev is None or cur is None or cur.data.type != T.LIQUIDITY_POOL:
            continue
        c = cur.data.liquidityPool.body.constantProduct
        p = prev.data.liquidityPool.body.constantProduct
        if op is None and c.totalPoolShares < p.totalPoolShares:
            continue
        if c.reserveA < 0 or c.reserveB < 0 or p.reserveA < 0 or p.reserveB < 0:
            return "negative reserves"
        if c.reserveA * c.reserveB < p.reserveA * p.reserveB:
            return (f"Constant product invariant violated. crA={c.reserveA}, "
                    f"crB={c.reserveB}, prA={p.reserveA}, prB={p.reserveB}")
    return ""
