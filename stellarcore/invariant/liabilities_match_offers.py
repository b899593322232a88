"""LiabilitiesMatchOffers (stellar-core invariant/LiabilitiesMatchOffers.cpp).

Why: buying/selling liabilities on accounts and trustlines are caches of the
sum over the owner's offers; the DEX relies on them to keep balances able to
honour every offer. Checked from the delta alone, as stellar-core does:

1. a trustline not authorized (AUTHORIZED_FLAG clear) must not have its
   liabilities increase if it is authorized to maintain liabilities, and must
   have none at all otherwise;
2. per (account, asset), the change in the entry's liabilities equals the
   change in the liabilities of that account's offers in the delta (offers
   whose seller is the asset's issuer carry no liabilities for it);
3. every account or trustline in the delta (accounts only if new, or if
   their balance decreased or a liability increased) keeps
   balance >= minBalance + selling (accounts) / balance >= selling
   (trustlines) and room for its buying liabilities below INT64_MAX / limit.

Non-strict. Protocol >= 10 forms only (scope p23+).
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.invariant.base import AT, INT64_MAX, T, OperationContext, to_json
from stellarcore.ledger.assets import is_issuer, to_trustline_asset as asset_to_trustline_asset
from stellarcore.invariant.offer_liabilities import offer_liabilities
from stellarcore.ledger.balances import (buying_liabilities, is_authorized,
                                         is_authorized_to_maintain_liabilities, min_balance,
                                         selling_liabilities)

NAME = "LiabilitiesMatchOffers"
STRICT = False

_NATIVE_TL = xdr.TrustLineAsset(AT.ASSET_TYPE_NATIVE)


def _check_authorized(prev, cur) -> str:
    if cur is None or cur.data.type != T.TRUSTLINE:
        return ""
    tl = cur.data.trustLine
    if is_authorized(tl):
        return ""
    if is_authorized_to_maintain_liabilities(tl):
        cs, cb = selling_liabilities(cur), buying_liabilities(cur)
        if prev is not None:
            s_inc = cs > selling_liabilities(prev)
            b_inc = cb > buying_liabilities(prev)
        else:
            s_inc, b_inc = cs > 0, cb > 0
        if s_inc or b_inc:
            return f"Liabilities increased on unauthorized trust line {to_json(tl, 'TrustLineEntry')}"
    elif selling_liabilities(cur) > 0 or buying_liabilities(cur) > 0:
        return f"Unauthorized trust line has liabilities {to_json(tl, 'TrustLineEntry')}"
    return ""


def _add(delta: dict, account_id, asset, buying: int, selling: int) -> None:
    k = (account_id.ed25519, asset.to_xdr())
    rec = delta.get(k)
    if rec is None:
        rec = delta[k] = [account_id, asset, 0, 0]
    rec[2] += buying
    rec[3] += selling


def _accumulate(delta: dict, le, sign: int) -> None:
    if le is None:
        return
    t = le.data.type
    if t == T.ACCOUNT:
        _add(delta, le.data.account.accountID, _NATIVE_TL,
             -sign * buying_liabilities(le), -sign * selling_liabilities(le))
    elif t == T.TRUSTLINE:
        tl = le.data.trustLine
        _add(delta, tl.accountID, tl.asset, -sign * buying_liabilities(le), -sign * selling_liabilities(le))
    elif t == T.OFFER:
        oe = le.data.offer
        buying, selling = offer_liabilities(oe)
        if not is_issuer(oe.sellerID, oe.selling):
            _add(delta, oe.sellerID, asset_to_trustline_asset(oe.selling), 0, sign * selling)
        if not is_issuer(oe.sellerID, oe.buying):
            _add(delta, oe.sellerID, asset_to_trustline_asset(oe.buying), sign * buying, 0)


def _should_check_account(prev, cur) -> bool:
    if prev is None:
        return True
    if cur.data.account.balance < prev.data.account.balance:
        return True
    return selling_liabilities(cur) > selling_liabilities(prev) or \
        buying_liabilities(cur) > buying_liabilities(prev)


def _check_balance_and_limit(header, prev, cur) -> str:
    if cur is None:
        return ""
    t = cur.data.type
    if t == T.ACCOUNT:
        if _should_check_account(prev, cur):
            acc = cur.data.account
            selling, buying = selling_liabilities(cur), buying_liabilities(cur)
            if acc.balance < min_balance(header, acc) + selling or INT64_MAX - acc.balance < buying:
                return f"Balance not compatible with liabilities for {to_json(acc, 'AccountEntry')}"
    elif t == T.TRUSTLINE:
        tl = cur.data.trustLine
        selling, buying = selling_liabilities(cur), buying_liabilities(cur)
        if tl.balance < selling or tl.limit - tl.balance < buying:
            return f"Balance not compatible with liabilities for {to_json(tl, 'TrustLineEntry')}"
    return ""


def check(ctx: OperationContext) -> str:
    delta: dict = {}
    for _k, prev, cur in ctx.entries:
        msg = _check_authorized(prev, cur)
        if msg:
            return msg
        _accumulate(delta, cur, 1)
        _accumulate(delta, prev, -1)

    # std::map<AccountID, std::map<TrustLineAsset, Liabilities>> order: the
    # XDR bytes of ed25519 ids and of non-pool assets sort as xdrpp's <.
    for k in sorted(delta):
        account_id, asset, buying, selling = delta[k]
        if buying != 0:
            return ("Change in buying liabilities differed from change in total buying liabilities of "
                    f"offers by {buying} for {to_json(account_id, 'account')} in {to_json(asset, 'asset')}")
        if selling != 0:
            return ("Change in selling liabilities differed from change in total selling liabilities of "
                    f"offers by {selling} for {to_json(account_id, 'account')} in {to_json(asset, 'asset')}")

    header = ctx.header_after
    for _k, prev, cur in ctx.entries:
        msg = _check_balance_and_limit(header, prev, cur)
        if msg:
            return msg
    return ""
