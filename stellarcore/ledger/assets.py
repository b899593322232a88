"""Assets and strings as stellar-core judges them (util/types.cpp
isAssetValid, isStringValid, getIssuer, isIssuer; TransactionUtils
assetToTrustLineAsset).

Why one place, in ledger/: operations reject malformed assets with their
own MALFORMED codes, the invariants check entries by the same rules, and
the trustline view needs the issuer - all from the same functions.
"""
from __future__ import annotations

from stellarcore import xdr

_NATIVE = xdr.AssetType.ASSET_TYPE_NATIVE
_POOL_SHARE = xdr.AssetType.ASSET_TYPE_POOL_SHARE
LIQUIDITY_POOL_FEE_V18 = 30


def asset_issuer(asset):
    """The issuer of a credit Asset / TrustLineAsset, or None."""
    t = asset.type
    if t == xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4:
        return asset.alphaNum4.issuer
    if t == xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM12:
        return asset.alphaNum12.issuer
    return None


def is_issuer(account_id, asset) -> bool:
    """isIssuer: false for native (and pool shares)."""
    issuer = asset_issuer(asset)
    return issuer is not None and issuer == account_id


def to_trustline_asset(asset) -> "xdr.TrustLineAsset":
    """assetToTrustLineAsset (same XDR for the native and credit arms)."""
    return xdr.TrustLineAsset.from_xdr(asset.to_xdr())


def is_string_valid(s) -> bool:
    """isStringValid: every byte printable ASCII (0x20..0x7e)."""
    if isinstance(s, str):
        s = s.encode("latin-1")
    return all(0x20 <= c < 0x7F for c in bytes(s))


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
