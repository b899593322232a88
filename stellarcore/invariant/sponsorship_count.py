"""SponsorshipCountIsValid (stellar-core invariant/SponsorshipCountIsValid.cpp).

Why: numSponsoring/numSponsored feed every reserve computation, so their
changes must equal what the sponsorship descriptors in the delta say: an
entry sponsored by S adds its multiplier (account 2, pool-share trustline 2,
other trustline/offer/data 1, claimable balance = number of claimants) to
S's numSponsoring and, except for claimable balances, to the owner's
numSponsored; each sponsored signer adds 1 to both. Accounts whose counters
should have moved but are absent from the delta are caught too.
Non-strict.
"""
from __future__ import annotations

from stellarcore.invariant.base import AT, T, OperationContext, str_key
from stellarcore.ledger.balances import has_account_ext_v2

NAME = "SponsorshipCountIsValid"
STRICT = False


def _mult(le) -> int:
    t = le.data.type
    if t == T.ACCOUNT:
        return 2
    if t == T.TRUSTLINE:
        return 2 if le.data.trustLine.asset.type == AT.ASSET_TYPE_POOL_SHARE else 1
    if t == T.OFFER or t == T.DATA:
        return 1
    if t == T.CLAIMABLE_BALANCE:
        return len(le.data.claimableBalance.claimants)
    raise RuntimeError("invalid LedgerEntry type")


def _account_id(le):
    t = le.data.type
    if t == T.ACCOUNT:
        return le.data.account.accountID
    if t == T.TRUSTLINE:
        return le.data.trustLine.accountID
    if t == T.OFFER:
        return le.data.offer.sellerID
    if t == T.DATA:
        return le.data.data.accountID
    raise RuntimeError("invalid LedgerEntry type")


def _update(le, sponsoring: dict, sponsored: dict, ids: dict, sign: int) -> None:
    if le.ext.v == 1 and le.ext.v1.sponsoringID is not None:
        s = le.ext.v1.sponsoringID
        m = sign * _mult(le)
        ids[s.ed25519] = s
        sponsoring[s.ed25519] = sponsoring.get(s.ed25519, 0) + m
        if le.data.type != T.CLAIMABLE_BALANCE:
            a = _account_id(le)
            ids[a.ed25519] = a
            sponsored[a.ed25519] = sponsored.get(a.ed25519, 0) + m
    if le.data.type == T.ACCOUNT:
        ae = le.data.account
        if has_account_ext_v2(ae):
            me = ae.accountID.ed25519
            for s in ae.ext.v1.ext.v2.signerSponsoringIDs:
                if s is not None:
                    ids[s.ed25519] = s
                    ids[me] = ae.accountID
                    sponsoring[s.ed25519] = sponsoring.get(s.ed25519, 0) + sign
                    sponsored[me] = sponsored.get(me, 0) + sign


def _counts(le):
    if le is None:
        return 0, 0
    ae = le.data.account
    if has_account_ext_v2(ae):
        v2 = ae.ext.v1.ext.v2
        return v2.numSponsoring, v2.numSponsored
    return 0, 0


def check(ctx: OperationContext) -> str:
    sponsoring: dict = {}
    sponsored: dict = {}
    ids: dict = {}
    for _k, prev, cur in ctx.entries:
        if cur is not None:
            _update(cur, sponsoring, sponsored, ids, 1)
        if prev is not None:
            _update(prev, sponsoring, sponsored, ids, -1)

    for _k, prev, cur in ctx.entries:
        e = cur if cur is not None else prev
        if e.data.type != T.ACCOUNT:
            continue
        c_ing, c_ed = _counts(cur)
        p_ing, p_ed = _counts(prev)
        d_ing, d_ed = c_ing - p_ing, c_ed - p_ed
        aid = e.data.account.accountID
        key = aid.ed25519
        if sponsoring.get(key, 0) != d_ing:
            return (f"Change in Account {str_key(aid)} numSponsoring ({d_ing}) does not"
                    f" match change in number of sponsored entries ({sponsoring.get(key, 0)})")
        if sponsored.get(key, 0) != d_ed:
            return (f"Change in Account {str_key(aid)} numSponsored ({d_ed}) does not"
                    f" match change in number of sponsored entries ({sponsored.get(key, 0)})")
        sponsoring.pop(key, None)
        sponsored.pop(key, None)

    for key, v in sponsoring.items():
        if v != 0:
            return (f"Change in Account {str_key(ids[key])} numSponsoring (0) does not"
                    f" match change in number of sponsored entries ({v})")
    for key, v in sponsored.items():
        if v != 0:
            return (f"Change in Account {str_key(ids[key])} numSponsored (0) does not"
                    f" match change in number of sponsored entries ({v})")
    return ""
