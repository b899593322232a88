"""Pool-share trustline bookkeeping shared by ChangeTrust and the trust-flag
operations (stellar-core transactions/TransactionUtils.cpp:
decrementLiquidityPoolUseCount, decrementPoolSharesTrustLineCount,
getPoolWithdrawalAmount, removeOffersAndPoolShareTrustLines).

Why here: a pool-share trustline ties three kinds of entry together - the
liquidity pool (poolSharesTrustLineCount, deleted when it reaches 0) and
the owner's trustlines of the pool's two assets (liquidityPoolUseCount,
which blocks their deletion). ChangeTrust maintains the links when the
owner adds or drops the line; revoking authorization on one of the assets
(AllowTrust / SetTrustLineFlags) drops every such line of the owner and
redeems its shares into claimable balances (PARITY_TRAPS D6).

The by-account queries go through `LedgerTxn.keys_with_prefix` (every
root store answers it). stellar-core iterates an unordered map there
(PARITY_TRAPS C5); we use key order, which yields the same ledger state.
"""
from __future__ import annotations

import enum

from stellarcore import xdr
from stellarcore.crypto import ids
from stellarcore.ledger import balances as B
from stellarcore.ledger import sponsorship as S
from stellarcore.ledger.keys import account_key, account_id_bytes, liquidity_pool_key, offer_key, trustline_key
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.ledger.assets import is_issuer
from stellarcore.transactions import events as E

INT32_MAX = (1 << 31) - 1
INT64_MAX = (1 << 63) - 1
UINT32_MAX = (1 << 32) - 1
_AT = xdr.AssetType
_T = xdr.LedgerEntryType
_TL_PREFIX = _T.TRUSTLINE.to_bytes(4, "big")
_POOL_SHARE = _AT.ASSET_TYPE_POOL_SHARE.to_bytes(4, "big")


class RemoveResult(enum.IntEnum):
    SUCCESS = 0
    LOW_RESERVE = 1
    TOO_MANY_SPONSORING = 2


def change_trust_to_trustline_asset(ct_asset) -> "xdr.TrustLineAsset":
    """changeTrustAssetToTrustLineAsset: a pool share becomes its pool ID."""
    if ct_asset.type == _AT.ASSET_TYPE_POOL_SHARE:
        return xdr.TrustLineAsset(_AT.ASSET_TYPE_POOL_SHARE, ids.liquidity_pool_id(ct_asset.liquidityPool))
    return xdr.TrustLineAsset.from_xdr(ct_asset.to_xdr())


def constant_product(pool_le):
    return pool_le.data.liquidityPool.body.constantProduct


# -- counters ---------------------------------------------------------------
def decrement_liquidity_pool_use_count(ltx_outer, asset, account_id) -> None:
    """decrementLiquidityPoolUseCount: the owner's trustline of one pool
    asset (none for native or the owner's own asset) is loaded for write."""
    ltx = LedgerTxn(ltx_outer)
    try:
        if not is_issuer(account_id, asset) and asset.type != _AT.ASSET_TYPE_NATIVE:
            tl_le = ltx.load(trustline_key(account_id, asset))
            if tl_le is None:
                raise RuntimeError("asset trustline is missing")
            tl = tl_le.data.trustLine
            if not B.has_trustline_ext_v2(tl):
                raise RuntimeError("liquidityPoolUseCount is negative")
            v2 = tl.ext.v1.ext.v2
            v2.liquidityPoolUseCount -= 1
            if v2.liquidityPoolUseCount < 0:
                raise RuntimeError("liquidityPoolUseCount is negative")
        ltx.commit()
    finally:
        ltx.rollback()


def decrement_pool_shares_trustline_count(ltx, pool_id: bytes, pool_le) -> None:
    """decrementPoolSharesTrustLineCount: the pool goes with its last line."""
    cp = constant_product(pool_le)
    cp.poolSharesTrustLineCount -= 1
    if cp.poolSharesTrustLineCount == 0:
        ltx.erase(liquidity_pool_key(pool_id))
    elif cp.poolSharesTrustLineCount < 0:
        raise RuntimeError("poolSharesTrustLineCount is negative")


def pool_withdrawal_amount(shares: int, total_shares: int, reserve: int) -> int:
    """getPoolWithdrawalAmount: floor(shares * reserve / totalShares)."""
    if shares > total_shares:
        raise RuntimeError("Invalid amountPoolShares")
    r = shares * reserve // total_shares
    if r > INT64_MAX:
        raise RuntimeError("overflow in bigDivide")
    return r


def pool_share_trustline_keys(ltx, account_id, asset) -> list:
    """getPoolShareTrustLinesByAccountAndAsset: keys of the account's live
    pool-share trustlines whose pool holds `asset`."""
    prefix = _TL_PREFIX + account_id_bytes(account_id) + _POOL_SHARE
    out = []
    for k in ltx.keys_with_prefix(prefix):
        tl_le = ltx.load_without_record(k)
        if tl_le is None:
            continue
        pool_le = ltx.load_without_record(liquidity_pool_key(tl_le.data.trustLine.asset.liquidityPoolID))
        if pool_le is None:
            raise RuntimeError("liquidity pool is missing")
        params = constant_product(pool_le).params
        if params.assetA == asset or params.assetB == asset:
            out.append(k)
    return out


# -- revocation -------------------------------------------------------------------
def _remove_offers_by_account_and_asset(ltx_outer, account_id, asset) -> None:
    """removeOffersByAccountAndAsset: every offer of the account buying or
    selling `asset` releases its liabilities, returns its reserve (to the
    sponsor if sponsored) and is erased."""
    from stellarcore.transactions.offer_exchange import release_liabilities
    ltx = LedgerTxn(ltx_outer)
    try:
        header = ltx.header
        for offer_le in ltx.load_offers_by_account_and_asset(account_id, asset):
            o = offer_le.data.offer
            if o.sellerID != account_id:
                raise RuntimeError("Offer not owned by expected account")
            if not (o.buying == asset or o.selling == asset):
                raise RuntimeError("Offer not buying or selling expected asset")
            release_liabilities(ltx, header, offer_le)
            acc = ltx.load(account_key(account_id))
            S.remove_entry_with_possible_sponsorship(ltx, header, offer_le, acc)
            ltx.erase(offer_key(account_id, o.offerID))
        ltx.commit()
    finally:
        ltx.rollback()


def _trustline_backer(tl_le):
    """getTrustLineBacker: the line's sponsor, else its owner."""
    sponsor = B.entry_sponsor(tl_le)
    return sponsor if sponsor is not None else tl_le.data.trustLine.accountID


def _redeem_into_claimable_balance(ltx, account_id, pool_id, asset, amount, balance_id, backer,
                                   events) -> RemoveResult:
    """The redeemIntoClaimableBalance lambda of removeOffersAndPoolShareTrustLines."""
    if amount == 0:
        return RemoveResult.SUCCESS
    if is_issuer(account_id, asset):
        events.burn(asset, E.liquidity_pool_address(pool_id), amount)
        return RemoveResult.SUCCESS
    unconditional = xdr.ClaimPredicate(xdr.ClaimPredicateType.CLAIM_PREDICATE_UNCONDITIONAL)
    cb = xdr.ClaimableBalanceEntry(
        balanceID=balance_id,
        claimants=[xdr.Claimant(xdr.ClaimantType.CLAIMANT_TYPE_V0,
                                xdr.ClaimantV0(destination=account_id, predicate=unconditional))],
        asset=asset, amount=amount, ext=xdr.ClaimableBalanceEntryExt(0))
    le = xdr.LedgerEntry(lastModifiedLedgerSeq=0, data=xdr.LedgerEntryData(claimableBalance=cb),
                         ext=xdr.LedgerEntryExt(0))
    events.transfer(asset, E.liquidity_pool_address(pool_id), E.claimable_balance_address(balance_id),
                    amount, False)
    if asset.type != _AT.ASSET_TYPE_NATIVE:
        tl_le = ltx.load(trustline_key(account_id, asset))
        if B.is_clawback_enabled_on_trustline(tl_le.data.trustLine):
            set_claimable_balance_clawback_enabled(cb)
    header = ltx.header
    if S.load_sponsoring_id(ltx, backer) is not None:
        # the backer is in a sponsorship sandwich: its sponsor pays instead
        backer_le = ltx.load(account_key(backer))
        res = S.create_entry_with_possible_sponsorship(ltx, header, le, backer_le)
        if res == S.SponsorshipResult.LOW_RESERVE:
            return RemoveResult.LOW_RESERVE
        if res == S.SponsorshipResult.TOO_MANY_SPONSORING:
            return RemoveResult.TOO_MANY_SPONSORING
        if res != S.SponsorshipResult.SUCCESS:
            raise RuntimeError("Unexpected result from canEstablishEntrySponsorship")
    else:
        # takes over the reserve the pool-share line held, even below the minimum balance
        backer_le = ltx.load(account_key(backer))
        if S.num_sponsoring(backer_le) > UINT32_MAX - S.multiplier(le):
            raise RuntimeError("no numSponsoring available for revoke")
        S.establish_entry_sponsorship(le, backer_le, None)
    ltx.create(le)
    return RemoveResult.SUCCESS


def set_claimable_balance_clawback_enabled(cb) -> None:
    """setClaimableBalanceClawbackEnabled."""
    if cb.ext.v != 0:
        raise RuntimeError("unexpected ClaimableBalanceEntry ext version")
    cb.ext = xdr.ClaimableBalanceEntryExt(1, xdr.ClaimableBalanceEntryExtensionV1(
        ext=xdr.ClaimableBalanceEntryExtensionV1Ext(0),
        flags=xdr.ClaimableBalanceFlags.CLAIMABLE_BALANCE_CLAWBACK_ENABLED_FLAG))


def remove_offers_and_pool_share_trustlines(ltx_outer, account_id, asset, tx_source_id, tx_seq: int,
                                            op_index: int, events) -> RemoveResult:
    """removeOffersAndPoolShareTrustLines: called when `account_id` loses
    authorization to maintain liabilities in `asset`."""
    _remove_offers_by_account_and_asset(ltx_outer, account_id, asset)
    ltx = LedgerTxn(ltx_outer)
    try:
        keys = pool_share_trustline_keys(ltx, account_id, asset)
        for k in keys:
            tl_le = ltx.load(k)
            tl = tl_le.data.trustLine
            pool_id = bytes(tl.asset.liquidityPoolID)
            balance = tl.balance
            backer = _trustline_backer(tl_le)
            owner = ltx.load(account_key(account_id))
            S.remove_entry_with_possible_sponsorship(ltx, ltx.header, tl_le, owner)
            ltx.erase(k)

            pool_le = ltx.load(liquidity_pool_key(pool_id))
            cp = constant_product(pool_le)
            if balance != 0:
                amounts = []
                for a, reserve in ((cp.params.assetA, cp.reserveA), (cp.params.assetB, cp.reserveB)):
                    amount = pool_withdrawal_amount(balance, cp.totalPoolShares, reserve)
                    amounts.append(amount)
                    balance_id = ids.pool_revoke_balance_id(tx_source_id, tx_seq, op_index, pool_id, a)
                    res = _redeem_into_claimable_balance(ltx, account_id, pool_id, a, amount, balance_id,
                                                         backer, events)
                    if res != RemoveResult.SUCCESS:
                        return res
                cp.totalPoolShares -= balance
                cp.reserveA -= amounts[0]
                cp.reserveB -= amounts[1]
            asset_a = cp.params.assetA.copy()
            asset_b = cp.params.assetB.copy()
            decrement_liquidity_pool_use_count(ltx, asset_a, account_id)
            decrement_liquidity_pool_use_count(ltx, asset_b, account_id)
            pool_le = ltx.load(liquidity_pool_key(pool_id))
            decrement_pool_shares_trustline_count(ltx, pool_id, pool_le)
        ltx.commit()
        return RemoveResult.SUCCESS
    finally:
        ltx.rollback()
