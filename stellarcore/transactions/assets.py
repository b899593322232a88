"""Asset validity and conversions (stellar-core util/types.cpp isAssetValid,
TransactionUtils assetToTrustLineAsset...).

Why one place: payments, trust operations, offers and claimable balances
all reject malformed asset codes with their own MALFORMED code, by the
same rule.
"""
from __future__ import annotations

from stellarcore import xdr

_NATIVE = xdr.AssetType.ASSET_TYPE_NATIVE
_POOL_SHARE = xdr.AssetType.ASSET_TYPE_POOL_SHARE
LIQUIDITY_POOL_FEE_V18 = 30


def asset_is_valid(asset, ledger_version: int = 23) -> bool:
    """isAssetValid for Asset, TrustLineAsset and ChangeTrustAsset: codes
    are ASCII letters and digits then only zero padding; alphanum4 needs
    one character, alphanum12 more than four; a pool share (of a
    ChangeTrustAsset) needs two valid assets in order and fee 30."""
    t = asset.type
    if t == _NATIVE:
        return True
    if t == xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4:
        code, lo = asset.alphaNum4.assetCode, 1
    elif t == xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM12:
        code, lo = asset.alphaNum12.assetCode, 5
    elif t == _POOL_SHARE:
        lp = asset.xdr_value()
        if not isinstance(lp, xdr.LiquidityPoolParameters):
            return True  # a TrustLineAsset's pool share (a PoolID): valid from protocol 18
        cp = lp.constantProduct
        return (asset_is_valid(cp.assetA) and asset_is_valid(cp.assetB)
                and cp.assetA < cp.assetB and cp.fee == LIQUIDITY_POOL_FEE_V18)
    else:
        return False
    n = 0
    zeros = False
    for c in code:
        if c == 0:
            zeros = True
        elif zeros:
            return False
        elif not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122):
            return False
        else:
            n += 1
    return n >= lo
