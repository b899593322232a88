"""AccountSubEntriesCountIsValid (stellar-core
invariant/AccountSubEntriesCountIsValid.cpp).

Why: an account's numSubEntries drives its reserve, so every change to it
must be explained by signers added/removed on the account itself and by
trustlines (pool-share trustlines count 2), offers and data entries the
account owns appearing or disappearing in the same operation. A deleted
account must have had no sub-entries other than signers. Non-strict.
"""
from __future__ import annotations

from stellarcore.invariant.base import AT, T, OperationContext, str_key

NAME = "AccountSubEntriesCountIsValid"
STRICT = False


class _Change:
    __slots__ = ("num_sub_entries", "signers", "calculated", "account_id")

    def __init__(self, account_id):
        self.account_id = account_id
        self.num_sub_entries = 0
        self.signers = 0
        self.calculated = 0


def _weight(le) -> int:
    if le.data.type == T.TRUSTLINE and le.data.trustLine.asset.type == AT.ASSET_TYPE_POOL_SHARE:
        return 2
    return 1


def _calculate_delta(prev, cur) -> int:
    return (_weight(cur) if cur is not None else 0) - (_weight(prev) if prev is not None else 0)


def _owner(le):
    t = le.data.type
    if t == T.ACCOUNT:
        return le.data.account.accountID
    if t == T.TRUSTLINE:
        return le.data.trustLine.accountID
    if t == T.OFFER:
        return le.data.offer.sellerID
    if t == T.DATA:
        return le.data.data.accountID
    return None  # claimable balances, pools, Soroban entries: not sub-entries


def check(ctx: OperationContext) -> str:
    changes: dict = {}

    def change_for(account_id) -> _Change:
        k = account_id.ed25519
        c = changes.get(k)
        if c is None:
            c = changes[k] = _Change(account_id)
        return c

    for _k, prev, cur in ctx.entries:
        e = cur if cur is not None else prev
        owner = _owner(e)
        if owner is None:
            continue
        c = change_for(owner)
        if e.data.type == T.ACCOUNT:
            c.num_sub_entries = (cur.data.account.numSubEntries if cur is not None else 0) - \
                (prev.data.account.numSubEntries if prev is not None else 0)
            c.signers = (len(cur.data.account.signers) if cur is not None else 0) - \
                (len(prev.data.account.signers) if prev is not None else 0)
            c.calculated += c.signers
        else:
            c.calculated += _calculate_delta(prev, cur)

    for c in changes.values():
        if c.num_sub_entries != c.calculated:
            return (f"Change in Account {str_key(c.account_id)} numSubEntries ({c.num_sub_entries}) does not"
                    f" match change in number of subentries ({c.calculated})")

    for _k, prev, cur in ctx.entries:
        if cur is not None or prev.data.type != T.ACCOUNT:
            continue
        acc = prev.data.account
        c = change_for(acc.accountID)
        num_signers = acc.numSubEntries + c.num_sub_entries - c.signers
        if num_signers != len(acc.signers):
            other = acc.numSubEntries - len(acc.signers)
            return f"Deleted Account {str_key(acc.accountID)} has {other} subentries other than signers"
    return ""
