"""Reserves, balances, liabilities and entry extensions (stellar-core
transactions/TransactionUtils.cpp), for protocol 23 and later.

Why here and not in transactions/: every operation, the fee pass and the
invariants need the same arithmetic, and it depends only on entries and the
header. Functions take XDR entries (LedgerEntry or the inner AccountEntry /
TrustLineEntry where stellar-core does) and mutate them in place where
stellar-core's do. Protocol gates below 23 are dropped (scope: p23+), so
every "from protocol 10/14/19" rule simply holds.
"""
from __future__ import annotations

from stellarcore import xdr

INT64_MAX = (1 << 63) - 1
_T = xdr.LedgerEntryType
_AUTHORIZED = xdr.TrustLineFlags.AUTHORIZED_FLAG
_AUTH_MAINTAIN = xdr.TrustLineFlags.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG
_TL_CLAWBACK = xdr.TrustLineFlags.TRUSTLINE_CLAWBACK_ENABLED_FLAG
_POOL_SHARE = xdr.AssetType.ASSET_TYPE_POOL_SHARE
ACCOUNT_SUBENTRY_LIMIT = 1000
MAX_OFFERS_TO_CROSS = 1000


class InvalidAuthorization(RuntimeError):
    """stellar-core's checkAuthorization throw: a balance touched on a
    trustline not even authorized to maintain liabilities."""


def add_balance_raw(balance: int, delta: int, max_balance: int = INT64_MAX):
    """stellar::addBalance(int64&, delta, max): the new balance or None."""
    if delta == 0:
        return balance
    if delta < -balance:
        return None
    if max_balance - balance < delta:
        return None
    return balance + delta


# -- extensions ---------------------------------------------------------
def prepare_account_ext_v1(acc) -> "xdr.AccountEntryExtensionV1":
    if acc.ext.v == 0:
        acc.ext = xdr.AccountEntryExt(1, xdr.AccountEntryExtensionV1(
            liabilities=xdr.Liabilities(buying=0, selling=0), ext=xdr.AccountEntryExtensionV1Ext(0)))
    return acc.ext.v1


def prepare_account_ext_v2(acc) -> "xdr.AccountEntryExtensionV2":
    v1 = prepare_account_ext_v1(acc)
    if v1.ext.v == 0:
        v1.ext = xdr.AccountEntryExtensionV1Ext(2, xdr.AccountEntryExtensionV2(
            numSponsored=0, numSponsoring=0, signerSponsoringIDs=[None] * len(acc.signers),
            ext=xdr.AccountEntryExtensionV2Ext(0)))
    return v1.ext.v2


def prepare_account_ext_v3(acc) -> "xdr.AccountEntryExtensionV3":
    v2 = prepare_account_ext_v2(acc)
    if v2.ext.v == 0:
        v2.ext = xdr.AccountEntryExtensionV2Ext(3, xdr.AccountEntryExtensionV3(
            ext=xdr.ExtensionPoint(0), seqLedger=0, seqTime=0))
    return v2.ext.v3


def has_account_ext_v2(acc) -> bool:
    return acc.ext.v == 1 and acc.ext.v1.ext.v == 2


def has_account_ext_v3(acc) -> bool:
    return has_account_ext_v2(acc) and acc.ext.v1.ext.v2.ext.v == 3


def account_ext_v2(acc):
    return acc.ext.v1.ext.v2


def prepare_trustline_ext_v1(tl) -> "xdr.TrustLineEntryV1":
    if tl.ext.v == 0:
        tl.ext = xdr.TrustLineEntryExt(1, xdr.TrustLineEntryV1(
            liabilities=xdr.Liabilities(buying=0, selling=0), ext=xdr.TrustLineEntryV1Ext(0)))
    return tl.ext.v1


def prepare_trustline_ext_v2(tl) -> "xdr.TrustLineEntryExtensionV2":
    v1 = prepare_trustline_ext_v1(tl)
    if v1.ext.v == 0:
        v1.ext = xdr.TrustLineEntryV1Ext(2, xdr.TrustLineEntryExtensionV2(
            liquidityPoolUseCount=0, ext=xdr.TrustLineEntryExtensionV2Ext(0)))
    return v1.ext.v2


def has_trustline_ext_v2(tl) -> bool:
    return tl.ext.v == 1 and tl.ext.v1.ext.v == 2


def prepare_ledger_entry_ext_v1(le) -> "xdr.LedgerEntryExtensionV1":
    if le.ext.v == 0:
        le.ext = xdr.LedgerEntryExt(1, xdr.LedgerEntryExtensionV1(
            sponsoringID=None, ext=xdr.LedgerEntryExtensionV1Ext(0)))
    return le.ext.v1


def entry_sponsor(le):
    """The sponsoring AccountID of an entry, or None."""
    return le.ext.v1.sponsoringID if le.ext.v == 1 else None


# -- sponsorship counts -------------------------------------------------
def num_sponsoring(acc) -> int:
    return acc.ext.v1.ext.v2.numSponsoring if has_account_ext_v2(acc) else 0


def num_sponsored(acc) -> int:
    return acc.ext.v1.ext.v2.numSponsored if has_account_ext_v2(acc) else 0


# -- reserves and balances ---------------------------------------------
def min_balance_for(header, num_sub_entries: int, n_sponsoring: int, n_sponsored: int) -> int:
    eff = 2 + num_sub_entries + n_sponsoring - n_sponsored
    if eff < 0:
        raise RuntimeError("unexpected account state")
    return eff * header.baseReserve


def min_balance(header, acc) -> int:
    """getMinBalance: (2 + subentries + sponsoring - sponsored) * baseReserve."""
    if acc.ext.v == 1 and acc.ext.v1.ext.v == 2:
        v2 = acc.ext.v1.ext.v2
        return min_balance_for(header, acc.numSubEntries, v2.numSponsoring, v2.numSponsored)
    return (2 + acc.numSubEntries) * header.baseReserve


def account_liabilities(acc):
    """(buying, selling) of an AccountEntry."""
    if acc.ext.v == 0:
        return 0, 0
    li = acc.ext.v1.liabilities
    return li.buying, li.selling


def trustline_liabilities(tl):
    if tl.ext.v == 0:
        return 0, 0
    li = tl.ext.v1.liabilities
    return li.buying, li.selling


def selling_liabilities(le) -> int:
    d = le.data
    if d.type == _T.ACCOUNT:
        return account_liabilities(d.account)[1]
    if d.type == _T.TRUSTLINE:
        return trustline_liabilities(d.trustLine)[1]
    raise RuntimeError("Unknown LedgerEntry type")


def buying_liabilities(le) -> int:
    d = le.data
    if d.type == _T.ACCOUNT:
        return account_liabilities(d.account)[0]
    if d.type == _T.TRUSTLINE:
        return trustline_liabilities(d.trustLine)[0]
    raise RuntimeError("Unknown LedgerEntry type")


def is_authorized(tl) -> bool:
    return (tl.flags & _AUTHORIZED) != 0


def is_authorized_to_maintain_liabilities(tl) -> bool:
    if tl.asset.type == _POOL_SHARE:
        return True
    return (tl.flags & (_AUTHORIZED | _AUTH_MAINTAIN)) != 0


def is_clawback_enabled_on_trustline(tl) -> bool:
    return (tl.flags & _TL_CLAWBACK) != 0


def check_authorization(tl) -> None:
    if not is_authorized_to_maintain_liabilities(tl):
        raise InvalidAuthorization("Invalid authorization")


def available_balance(header, le) -> int:
    """getAvailableBalance: what an entry may send (reserve and selling
    liabilities held back)."""
    d = le.data
    if d.type == _T.ACCOUNT:
        acc = d.account
        return acc.balance - min_balance(header, acc) - account_liabilities(acc)[1]
    if d.type == _T.TRUSTLINE:
        tl = d.trustLine
        check_authorization(tl)
        return tl.balance - trustline_liabilities(tl)[1]
    raise RuntimeError("Unknown LedgerEntry type")


def max_amount_receive(header, le) -> int:
    d = le.data
    if d.type == _T.ACCOUNT:
        acc = d.account
        return INT64_MAX - (acc.balance + account_liabilities(acc)[0])
    if d.type == _T.TRUSTLINE:
        tl = d.trustLine
        check_authorization(tl)
        return tl.limit - tl.balance - trustline_liabilities(tl)[0]
    raise RuntimeError("Unknown LedgerEntry type")


def minimum_limit(header, le) -> int:
    tl = le.data.trustLine
    return tl.balance + trustline_liabilities(tl)[0]


def add_account_balance(header, acc, delta: int) -> bool:
    """addBalance on an account entry (reserve and liabilities respected)."""
    if delta == 0:
        return True
    new = add_balance_raw(acc.balance, delta)
    if new is None:
        return False
    buying, selling = account_liabilities(acc)
    if delta < 0 and new - min_balance(header, acc) < selling:
        return False
    if new > INT64_MAX - buying:
        return False
    acc.balance = new
    return True


def add_trustline_balance_skip_auth(header, tl, delta: int) -> bool:
    new = add_balance_raw(tl.balance, delta, tl.limit)
    if new is None:
        return False
    buying, selling = trustline_liabilities(tl)
    if new < selling:
        return False
    if new > tl.limit - buying:
        return False
    tl.balance = new
    return True


def add_balance(header, le, delta: int) -> bool:
    """stellar-core addBalance(header, entry, delta) for accounts and trustlines."""
    d = le.data
    if d.type == _T.ACCOUNT:
        return add_account_balance(header, d.account, delta)
    if d.type == _T.TRUSTLINE:
        if delta == 0:
            return True
        check_authorization(d.trustLine)
        return add_trustline_balance_skip_auth(header, d.trustLine, delta)
    raise RuntimeError("Unknown LedgerEntry type")


def add_buying_liabilities(header, le, delta: int) -> bool:
    d = le.data
    buying = buying_liabilities(le)
    if delta == 0:
        return True
    if d.type == _T.ACCOUNT:
        acc = d.account
        new = add_balance_raw(buying, delta, INT64_MAX - acc.balance)
        if new is None:
            return False
        prepare_account_ext_v1(acc).liabilities.buying = new
        return True
    if d.type == _T.TRUSTLINE:
        tl = d.trustLine
        check_authorization(tl)
        new = add_balance_raw(buying, delta, tl.limit - tl.balance)
        if new is None:
            return False
        prepare_trustline_ext_v1(tl).liabilities.buying = new
        return True
    raise RuntimeError("Unknown LedgerEntry type")


def add_selling_liabilities(header, le, delta: int) -> bool:
    d = le.data
    selling = selling_liabilities(le)
    if delta == 0:
        return True
    if d.type == _T.ACCOUNT:
        acc = d.account
        max_l = acc.balance - min_balance(header, acc)
        if max_l < 0:
            return False
        new = add_balance_raw(selling, delta, max_l)
        if new is None:
            return False
        prepare_account_ext_v1(acc).liabilities.selling = new
        return True
    if d.type == _T.TRUSTLINE:
        tl = d.trustLine
        check_authorization(tl)
        new = add_balance_raw(selling, delta, tl.balance)
        if new is None:
            return False
        prepare_trustline_ext_v1(tl).liabilities.selling = new
        return True
    raise RuntimeError("Unknown LedgerEntry type")


# -- sequence numbers ----------------------------------------------------
def starting_sequence_number(ledger_seq: int) -> int:
    if ledger_seq > 0x7FFFFFFF:
        raise RuntimeError("overflowed getStartingSequenceNumber")
    return ledger_seq << 32


def update_account_on_seq_update(header, acc) -> None:
    """maybeUpdateAccountOnLedgerSeqUpdate: stamp seqLedger/seqTime (p19+),
    materializing extensions v1..v3 (PARITY_TRAPS T5)."""
    v3 = prepare_account_ext_v3(acc)
    v3.seqLedger = header.ledgerSeq
    v3.seqTime = header.scpValue.closeTime


def generate_id(header) -> int:
    header.idPool += 1
    return header.idPool
