"""Entry, header and delta builders for the invariant tests (the role of
stellar-core's InvariantTestUtils / LedgerTestUtils generators).

Deltas are lists of (key bytes, previous, current), the shape
`LedgerTxn.get_delta()` yields; `update(cur, prev)` mirrors stellar-core's
makeUpdateList pairs.
"""
from __future__ import annotations

import hashlib
import itertools

from stellarcore import xdr
from stellarcore.invariant import InvariantDoesNotHold, InvariantManager
from stellarcore.invariant.base import OperationContext
from stellarcore.ledger import balances as B
from stellarcore.util.types import ledger_entry_key

LEDGER_SEQ = 2
BASE_RESERVE = 100_000_000     # stellar-core genesis baseReserve (getTestConfig)
TOTAL_COINS = 1_000_000_000_000_000_000
AT = xdr.AssetType
T = xdr.LedgerEntryType

_counter = itertools.count(1)


def header(seq=LEDGER_SEQ, total_coins=TOTAL_COINS, fee_pool=0, version=25, base_reserve=BASE_RESERVE):
    return xdr.LedgerHeader(ledgerVersion=version, ledgerSeq=seq, totalCoins=total_coins, feePool=fee_pool,
                            baseFee=100, baseReserve=base_reserve, maxTxSetSize=100)


def account_id(seed=None):
    if seed is None:
        seed = next(_counter)
    raw = hashlib.sha256(repr(seed).encode()).digest()
    return xdr.PublicKey(xdr.PublicKeyType.PUBLIC_KEY_TYPE_ED25519, raw)


NATIVE = xdr.Asset(AT.ASSET_TYPE_NATIVE)


def credit(code: str, issuer=None):
    if issuer is None:
        issuer = account_id(("issuer", code))
    c = code.encode()
    if len(c) <= 4:
        return xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=c.ljust(4, b"\0"), issuer=issuer))
    return xdr.Asset(alphaNum12=xdr.AlphaNum12(assetCode=c.ljust(12, b"\0"), issuer=issuer))


def tl_asset(asset):
    return xdr.TrustLineAsset.from_xdr(asset.to_xdr())


def pool_share_asset(pool_id: bytes):
    return xdr.TrustLineAsset(AT.ASSET_TYPE_POOL_SHARE, pool_id)


def entry(data_arm: str, value, seq=LEDGER_SEQ, sponsor=None):
    le = xdr.LedgerEntry(lastModifiedLedgerSeq=seq, data=xdr.LedgerEntryData(**{data_arm: value}),
                         ext=xdr.LedgerEntryExt(0))
    if sponsor is not None:
        B.prepare_ledger_entry_ext_v1(le).sponsoringID = sponsor
    return le


def account(aid=None, balance=10 * BASE_RESERVE, num_sub_entries=0, signers=(), seq_num=1, flags=0,
            home_domain=b"", seq=LEDGER_SEQ, sponsor=None, ext_v2=False, **kw):
    acc = xdr.AccountEntry(accountID=aid or account_id(), balance=balance, seqNum=seq_num,
                           numSubEntries=num_sub_entries, flags=flags, homeDomain=home_domain,
                           thresholds=b"\x01\x00\x00\x00", signers=list(signers),
                           ext=xdr.AccountEntryExt(0))
    if ext_v2 or kw:
        v2 = B.prepare_account_ext_v2(acc)
        v2.numSponsoring = kw.get("num_sponsoring", 0)
        v2.numSponsored = kw.get("num_sponsored", 0)
        if "signer_sponsors" in kw:
            v2.signerSponsoringIDs = list(kw["signer_sponsors"])
    if "liabilities" in kw:
        buying, selling = kw["liabilities"]
        v1 = B.prepare_account_ext_v1(acc)
        v1.liabilities = xdr.Liabilities(buying=buying, selling=selling)
    return entry("account", acc, seq, sponsor)


def signer(seed, weight=1):
    raw = hashlib.sha256(b"signer" + repr(seed).encode()).digest()
    return xdr.Signer(key=xdr.SignerKey(xdr.SignerKeyType.SIGNER_KEY_TYPE_ED25519, raw), weight=weight)


def sorted_signers(seeds, weight=1):
    s = [signer(x, weight) for x in seeds]
    s.sort(key=lambda x: x.key.to_xdr())
    return s


def trustline(aid, asset, balance=0, limit=1_000_000, flags=xdr.TrustLineFlags.AUTHORIZED_FLAG,
              liabilities=None, seq=LEDGER_SEQ, sponsor=None, pool_use_count=None):
    if isinstance(asset, xdr.Asset):
        asset = tl_asset(asset)
    tl = xdr.TrustLineEntry(accountID=aid, asset=asset, balance=balance, limit=limit, flags=flags,
                            ext=xdr.TrustLineEntryExt(0))
    if liabilities is not None:
        v1 = B.prepare_trustline_ext_v1(tl)
        v1.liabilities = xdr.Liabilities(buying=liabilities[0], selling=liabilities[1])
    if pool_use_count is not None:
        B.prepare_trustline_ext_v2(tl).liquidityPoolUseCount = pool_use_count
    return entry("trustLine", tl, seq, sponsor)


def offer(seller, selling, buying, amount, price=(1, 1), offer_id=None, flags=0, seq=LEDGER_SEQ, sponsor=None):
    oe = xdr.OfferEntry(sellerID=seller, offerID=offer_id if offer_id is not None else next(_counter),
                        selling=selling, buying=buying, amount=amount,
                        price=xdr.Price(n=price[0], d=price[1]), flags=flags, ext=xdr.OfferEntryExt(0))
    return entry("offer", oe, seq, sponsor)


def data(aid, name=b"name", value=b"v", seq=LEDGER_SEQ, sponsor=None):
    de = xdr.DataEntry(accountID=aid, dataName=name, dataValue=value, ext=xdr.DataEntryExt(0))
    return entry("data", de, seq, sponsor)


UNCONDITIONAL = xdr.ClaimPredicate(xdr.ClaimPredicateType.CLAIM_PREDICATE_UNCONDITIONAL)


def claimant(dest, predicate=UNCONDITIONAL):
    return xdr.Claimant(v0=xdr.ClaimantV0(destination=dest, predicate=predicate))


def claimable_balance(asset, amount, claimants, sponsor, balance_id=None, seq=LEDGER_SEQ, cb_flags=None):
    bid = xdr.ClaimableBalanceID(xdr.ClaimableBalanceIDType.CLAIMABLE_BALANCE_ID_TYPE_V0,
                                 balance_id or hashlib.sha256(repr(next(_counter)).encode()).digest())
    ext = xdr.ClaimableBalanceEntryExt(0)
    if cb_flags is not None:
        ext = xdr.ClaimableBalanceEntryExt(1, xdr.ClaimableBalanceEntryExtensionV1(
            ext=xdr.ClaimableBalanceEntryExtensionV1Ext(0), flags=cb_flags))
    cbe = xdr.ClaimableBalanceEntry(balanceID=bid, claimants=list(claimants), asset=asset, amount=amount, ext=ext)
    return entry("claimableBalance", cbe, seq, sponsor)


def pool(asset_a, asset_b, reserve_a=0, reserve_b=0, shares=0, tl_count=1, pool_id=None, seq=LEDGER_SEQ, fee=30):
    params = xdr.LiquidityPoolConstantProductParameters(assetA=asset_a, assetB=asset_b, fee=fee)
    if pool_id is None:
        from stellarcore.crypto import ids
        pool_id = bytes(ids.constant_product_pool_id(asset_a, asset_b))
    body = xdr.LiquidityPoolEntryBody(constantProduct=xdr.LiquidityPoolEntryConstantProduct(
        params=params, reserveA=reserve_a, reserveB=reserve_b, totalPoolShares=shares,
        poolSharesTrustLineCount=tl_count))
    return entry("liquidityPool", xdr.LiquidityPoolEntry(liquidityPoolID=pool_id, body=body), seq)


# -- deltas -------------------------------------------------------------------
def key_of(le) -> bytes:
    return ledger_entry_key(le).to_xdr()


def update(cur, prev):
    """One delta row; key from whichever side exists."""
    return (key_of(cur if cur is not None else prev), prev, cur)


def created(*entries):
    return [update(e, None) for e in entries]


def deleted(*entries):
    return [update(None, e) for e in entries]


def modified(pairs):
    """pairs of (current, previous), as makeUpdateList(current, previous)."""
    return [update(c, p) for c, p in pairs]


def run(name, delta, hdr_before=None, hdr_after=None, **kw):
    """The message of invariant `name` on `delta` ("" if it holds)."""
    from stellarcore.invariant import manager
    hb = hdr_before or header()
    ha = hdr_after or hb
    ctx = OperationContext.build(hb, ha, delta, kw.pop("events", None), kw.pop("operation", None),
                                 kw.pop("op_result", None), kw.pop("network_id", None))
    for n, _s, fn in manager.ALL:
        if n == name:
            return fn(ctx)
    raise KeyError(name)


def holds(name, delta, **kw) -> bool:
    """stellar-core InvariantTestUtils::store's verdict with only `name`
    enabled, through the manager (so the exception path is exercised)."""
    hb = kw.pop("hdr_before", None) or header()
    ha = kw.pop("hdr_after", None) or hb
    mgr = InvariantManager([name])
    try:
        mgr.check_operation_apply(hb, ha, delta, **kw)
    except InvariantDoesNotHold as e:
        assert e.name == name
        return False
    return True
