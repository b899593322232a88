"""ConstantProductInvariant (stellar-core invariant/ConstantProductInvariant.cpp).

Why: a constant-product pool may only gain value from trades and deposits:
reserveA * reserveB must not decrease for any modified pool, except in the
operations that legitimately take reserves out (LiquidityPoolWithdraw, and
the authorization revocations AllowTrust / SetTrustLineFlags that redeem
pool shares). Created or deleted pools are not checked. Non-strict.

The operation type is needed for the exemptions; when the caller does not
pass the operation, pools whose product decreased are reported only if no
operation is known to exempt them (we cannot tell, so we check).
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
        if c.reserveA < 0 or c.reserveB < 0 or p.reserveA < 0 or p.reserveB < 0:
            return "negative reserves"
        if c.reserveA * c.reserveB < p.reserveA * p.reserveB:
            return (f"Constant product invariant violated. crA={c.reserveA}, "
                    f"crB={c.reserveB}, prA={p.reserveA}, prB={p.reserveB}")
    return ""
