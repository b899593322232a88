"""Reserve sponsorship (CAP-33), as stellar-core's
transactions/SponsorshipUtils.cpp.

Why: creating or removing any sub-entry, signer, account or claimable
balance goes through these functions, and they decide which account's
reserve pays and which counters move (numSubEntries, numSponsoring,
numSponsored, signerSponsoringIDs). The "is there an active sponsorship
for this account" question is answered by the internal SPONSORSHIP entry
that BeginSponsoringFutureReserves creates in the transaction's LedgerTxn.

Functions take LedgerEntry objects owned by the caller's LedgerTxn and
mutate them in place. The `*_with_possible_sponsorship` entry points load
what they need (recording it, as stellar-core's loadAccount does).
Impossible states raise RuntimeError, as stellar-core throws.
"""
from __future__ import annotations

import enum

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key, sponsorship_key

UINT32_MAX = 0xFFFFFFFF
_T = xdr.LedgerEntryType


class SponsorshipResult(enum.IntEnum):
    SUCCESS = 0
    LOW_RESERVE = 1
    TOO_MANY_SUBENTRIES = 2
    TOO_MANY_SPONSORING = 3
    TOO_MANY_SPONSORED = 4


def num_sponsored(le) -> int:
    return B.num_sponsored(le.data.account)


def num_sponsoring(le) -> int:
    return B.num_sponsoring(le.data.account)


def _increase_valid(acc_le, mult: int) -> bool:
    return num_sponsoring(acc_le) + acc_le.data.account.numSubEntries + mult <= UINT32_MAX


def _too_many_sponsoring(acc_le, mult: int) -> bool:
    if num_sponsoring(acc_le) > UINT32_MAX - mult:
        return True
    return not _increase_valid(acc_le, mult)


def _too_many_subentries(acc_le, mult: int) -> bool:
    if acc_le.data.account.numSubEntries > B.ACCOUNT_SUBENTRY_LIMIT - mult:
        return True
    return not _increase_valid(acc_le, mult)


def _can_establish(lh, sponsoring, sponsored, mult: int) -> SponsorshipResult:
    if B.available_balance(lh, sponsoring) < mult * lh.baseReserve:
        return SponsorshipResult.LOW_RESERVE
    if _too_many_sponsoring(sponsoring, mult):
        return SponsorshipResult.TOO_MANY_SPONSORING
    if sponsored is not None and num_sponsored(sponsored) > UINT32_MAX - mult:
        return SponsorshipResult.TOO_MANY_SPONSORED
    return SponsorshipResult.SUCCESS


def _can_remove(lh, sponsoring, sponsored, mult: int) -> SponsorshipResult:
    if num_sponsoring(sponsoring) < mult:
        raise RuntimeError("insufficient numSponsoring")
    if sponsored is not None and num_sponsored(sponsored) < mult:
        raise RuntimeError("insufficient numSponsored")
    if sponsored is not None and B.available_balance(lh, sponsored) < mult * lh.baseReserve:
        return SponsorshipResult.LOW_RESERVE
    return SponsorshipResult.SUCCESS


def _can_transfer(lh, old_sponsoring, new_sponsoring, mult: int) -> SponsorshipResult:
    r = _can_remove(lh, old_sponsoring, None, mult)
    if r != SponsorshipResult.SUCCESS:
        return r
    return _can_establish(lh, new_sponsoring, None, mult)


def _account_is_sponsor(sponsoring_id, sponsoring_le) -> None:
    if sponsoring_id is None or sponsoring_id != sponsoring_le.data.account.accountID:
        raise RuntimeError("sponsorship doesn't match")


def multiplier(le) -> int:
    """computeMultiplier: reserves an entry costs."""
    t = le.data.type
    if t == _T.ACCOUNT:
        return 2
    if t == _T.TRUSTLINE:
        return 2 if le.data.trustLine.asset.type == xdr.AssetType.ASSET_TYPE_POOL_SHARE else 1
    if t == _T.OFFER or t == _T.DATA:
        return 1
    if t == _T.CLAIMABLE_BALANCE:
        return len(le.data.claimableBalance.claimants)
    raise RuntimeError("Invalid LedgerEntry type in SponsorshipUtils")


def is_subentry(le) -> bool:
    t = le.data.type
    if t == _T.ACCOUNT or t == _T.CLAIMABLE_BALANCE:
        return False
    if t in (_T.TRUSTLINE, _T.OFFER, _T.DATA):
        return True
    raise RuntimeError("Invalid LedgerEntry type in SponsorshipUtils")


def signer_sponsor(acc, n: int):
    """The sponsoring AccountID of signer n, or None."""
    if B.has_account_ext_v2(acc):
        return acc.ext.v1.ext.v2.signerSponsoringIDs[n]
    return None


class SignerSponsored(enum.Enum):
    DOES_NOT_EXIST = 0
    SPONSORED = 1
    NOT_SPONSORED = 2


def is_signer_sponsored(n: int, sponsoring_le, sponsored_le) -> SignerSponsored:
    acc = sponsored_le.data.account
    if n >= len(acc.signers):
        return SignerSponsored.DOES_NOT_EXIST
    sid = signer_sponsor(acc, n)
    if sid is not None:
        _account_is_sponsor(sid, sponsoring_le)
        return SignerSponsored.SPONSORED
    return SignerSponsored.NOT_SPONSORED


# -- can* checks ----------------------------------------------------------
def can_establish_entry_sponsorship(lh, le, sponsoring, sponsored) -> SponsorshipResult:
    if le.ext.v == 1 and le.ext.v1.sponsoringID is not None:
        raise RuntimeError("sponsoring sponsored entry")
    return _can_establish(lh, sponsoring, sponsored, multiplier(le))


def can_remove_entry_sponsorship(lh, le, sponsoring, sponsored) -> SponsorshipResult:
    if le.ext.v == 0 or le.ext.v1.sponsoringID is None:
        raise RuntimeError("removing sponsorship on unsponsored entry")
    _account_is_sponsor(le.ext.v1.sponsoringID, sponsoring)
    return _can_remove(lh, sponsoring, sponsored, multiplier(le))


def can_transfer_entry_sponsorship(lh, le, old_sponsoring, new_sponsoring) -> SponsorshipResult:
    if le.ext.v == 0 or le.ext.v1.sponsoringID is None:
        raise RuntimeError("transferring sponsorship on unsponsored entry")
    _account_is_sponsor(le.ext.v1.sponsoringID, old_sponsoring)
    return _can_transfer(lh, old_sponsoring, new_sponsoring, multiplier(le))


def can_establish_signer_sponsorship(lh, n, sponsoring, sponsored) -> SponsorshipResult:
    if is_signer_sponsored(n, sponsoring, sponsored) != SignerSponsored.NOT_SPONSORED:
        raise RuntimeError("bad signer sponsorship")
    return _can_establish(lh, sponsoring, sponsored, 1)


def can_remove_signer_sponsorship(lh, n, sponsoring, sponsored) -> SponsorshipResult:
    if is_signer_sponsored(n, sponsoring, sponsored) != SignerSponsored.SPONSORED:
        raise RuntimeError("bad signer sponsorship")
    return _can_remove(lh, sponsoring, sponsored, 1)


def can_transfer_signer_sponsorship(lh, n, old_sponsoring, new_sponsoring, sponsored) -> SponsorshipResult:
    if is_signer_sponsored(n, old_sponsoring, sponsored) != SignerSponsored.SPONSORED:
        raise RuntimeError("bad signer sponsorship")
    return _can_transfer(lh, old_sponsoring, new_sponsoring, 1)


# -- mutations ------------------------------------------------------------
def establish_entry_sponsorship(le, sponsoring, sponsored) -> None:
    mult = multiplier(le)
    B.prepare_ledger_entry_ext_v1(le).sponsoringID = sponsoring.data.account.accountID
    B.prepare_account_ext_v2(sponsoring.data.account).numSponsoring += mult
    if sponsored is not None:
        B.prepare_account_ext_v2(sponsored.data.account).numSponsored += mult


def remove_entry_sponsorship(le, sponsoring, sponsored) -> None:
    ext = le.ext.v1
    _account_is_sponsor(ext.sponsoringID, sponsoring)
    ext.sponsoringID = None
    mult = multiplier(le)
    B.account_ext_v2(sponsoring.data.account).numSponsoring -= mult
    if sponsored is not None:
        B.account_ext_v2(sponsored.data.account).numSponsored -= mult


def transfer_entry_sponsorship(le, old_sponsoring, new_sponsoring) -> None:
    ext = le.ext.v1
    _account_is_sponsor(ext.sponsoringID, old_sponsoring)
    mult = multiplier(le)
    ext.sponsoringID = new_sponsoring.data.account.accountID
    B.prepare_account_ext_v2(new_sponsoring.data.account).numSponsoring += mult
    B.account_ext_v2(old_sponsoring.data.account).numSponsoring -= mult


def establish_signer_sponsorship(n, sponsoring, sponsored) -> None:
    v2 = B.prepare_account_ext_v2(sponsored.data.account)
    ids = v2.signerSponsoringIDs
    ids[n] = sponsoring.data.account.accountID
    v2.signerSponsoringIDs = ids
    v2.numSponsored += 1
    B.prepare_account_ext_v2(sponsoring.data.account).numSponsoring += 1


def remove_signer_sponsorship(n, sponsoring, sponsored) -> None:
    v2 = B.account_ext_v2(sponsored.data.account)
    ids = v2.signerSponsoringIDs
    _account_is_sponsor(ids[n], sponsoring)
    ids[n] = None
    v2.signerSponsoringIDs = ids
    v2.numSponsored -= 1
    B.account_ext_v2(sponsoring.data.account).numSponsoring -= 1


def transfer_signer_sponsorship(n, old_sponsoring, new_sponsoring, sponsored) -> None:
    v2 = B.account_ext_v2(sponsored.data.account)
    ids = v2.signerSponsoringIDs
    _account_is_sponsor(ids[n], old_sponsoring)
    ids[n] = new_sponsoring.data.account.accountID
    v2.signerSponsoringIDs = ids
    B.prepare_account_ext_v2(new_sponsoring.data.account).numSponsoring += 1
    B.account_ext_v2(old_sponsoring.data.account).numSponsoring -= 1


def can_create_entry_without_sponsorship(lh, le, acc) -> SponsorshipResult:
    if le.data.type != _T.ACCOUNT:
        mult = multiplier(le)
        if _too_many_subentries(acc, mult):
            return SponsorshipResult.TOO_MANY_SUBENTRIES
        if B.available_balance(lh, acc) < mult * lh.baseReserve:
            return SponsorshipResult.LOW_RESERVE
    else:
        if le.data.account.balance < B.min_balance(lh, acc.data.account):
            return SponsorshipResult.LOW_RESERVE
    return SponsorshipResult.SUCCESS


def can_create_entry_with_sponsorship(lh, le, sponsoring, sponsored) -> SponsorshipResult:
    if sponsored is not None and is_subentry(le):
        if _too_many_subentries(sponsored, multiplier(le)):
            return SponsorshipResult.TOO_MANY_SUBENTRIES
    return can_establish_entry_sponsorship(lh, le, sponsoring, sponsored)


def can_remove_entry_without_sponsorship(lh, le, acc) -> None:
    if le.data.type != _T.ACCOUNT and acc.data.account.numSubEntries < multiplier(le):
        raise RuntimeError("invalid account state")


def can_remove_entry_with_sponsorship(lh, le, sponsoring, sponsored) -> None:
    mult = multiplier(le)
    if num_sponsoring(sponsoring) < mult:
        raise RuntimeError("invalid sponsoring account state")
    if le.data.type == _T.ACCOUNT and (sponsored is None or le != sponsored):
        raise RuntimeError("invalid sponsored account")
    if sponsored is not None and ((le.data.type != _T.ACCOUNT and sponsored.data.account.numSubEntries < mult)
                                  or num_sponsored(sponsored) < mult):
        raise RuntimeError("invalid sponsored account state")


def can_create_signer_without_sponsorship(lh, acc) -> SponsorshipResult:
    if _too_many_subentries(acc, 1):
        return SponsorshipResult.TOO_MANY_SUBENTRIES
    if B.available_balance(lh, acc) < lh.baseReserve:
        return SponsorshipResult.LOW_RESERVE
    return SponsorshipResult.SUCCESS


def can_create_signer_with_sponsorship(lh, n, sponsoring, sponsored) -> SponsorshipResult:
    if _too_many_subentries(sponsored, 1):
        return SponsorshipResult.TOO_MANY_SUBENTRIES
    return can_establish_signer_sponsorship(lh, n, sponsoring, sponsored)


def can_remove_signer_without_sponsorship(lh, acc) -> None:
    if acc.data.account.numSubEntries < 1:
        raise RuntimeError("invalid account state")


def can_remove_signer_with_sponsorship(lh, sponsoring, sponsored) -> None:
    if num_sponsoring(sponsoring) < 1:
        raise RuntimeError("invalid sponsoring account state")
    if sponsored.data.account.numSubEntries < 1 or num_sponsored(sponsored) < 1:
        raise RuntimeError("invalid sponsored account state")


def create_entry_without_sponsorship(le, acc) -> None:
    if is_subentry(le):
        acc.data.account.numSubEntries += multiplier(le)


def create_entry_with_sponsorship(le, sponsoring, sponsored) -> None:
    if sponsored is not None:
        create_entry_without_sponsorship(le, sponsored)
    establish_entry_sponsorship(le, sponsoring, sponsored)


def remove_entry_without_sponsorship(le, acc) -> None:
    if le.data.type != _T.ACCOUNT:
        acc.data.account.numSubEntries -= multiplier(le)


def remove_entry_with_sponsorship(le, sponsoring, sponsored) -> None:
    if sponsored is not None:
        remove_entry_without_sponsorship(le, sponsored)
    remove_entry_sponsorship(le, sponsoring, sponsored)


def create_signer_without_sponsorship(acc) -> None:
    acc.data.account.numSubEntries += 1


def create_signer_with_sponsorship(n, sponsoring, sponsored) -> None:
    create_signer_without_sponsorship(sponsored)
    establish_signer_sponsorship(n, sponsoring, sponsored)


def remove_signer_without_sponsorship(n, acc) -> None:
    ae = acc.data.account
    ae.numSubEntries -= 1
    if B.has_account_ext_v2(ae):
        v2 = ae.ext.v1.ext.v2
        ids = v2.signerSponsoringIDs
        del ids[n]
        v2.signerSponsoringIDs = ids
    signers = ae.signers
    del signers[n]
    ae.signers = signers


def remove_signer_with_sponsorship(n, sponsoring, sponsored) -> None:
    remove_signer_sponsorship(n, sponsoring, sponsored)
    remove_signer_without_sponsorship(n, sponsored)


# -- entry points used by operations -------------------------------------
def load_sponsoring_id(ltx, sponsored_id):
    """The account sponsoring `sponsored_id`'s future reserves, loading the
    SPONSORSHIP internal entry for write as stellar-core's loadSponsorship."""
    se = ltx.load(sponsorship_key(sponsored_id))
    return None if se is None else se.value


def create_entry_with_possible_sponsorship(ltx, header, le, acc) -> SponsorshipResult:
    """createEntryWithPossibleSponsorship: `le` is the new entry, `acc` the
    account creating it (for ACCOUNT entries, the new account itself is the
    sponsored one)."""
    sponsored = le if le.data.type == _T.ACCOUNT else acc
    sponsoring_id = load_sponsoring_id(ltx, sponsored.data.account.accountID)
    if le.data.type == _T.CLAIMABLE_BALANCE:
        sponsored = None
    if sponsoring_id is not None:
        sponsoring = ltx.load(account_key(sponsoring_id))
        res = can_create_entry_with_sponsorship(header, le, sponsoring, sponsored)
        if res == SponsorshipResult.SUCCESS:
            create_entry_with_sponsorship(le, sponsoring, sponsored)
    elif sponsored is None:
        res = can_create_entry_with_sponsorship(header, le, acc, None)
        if res == SponsorshipResult.SUCCESS:
            create_entry_with_sponsorship(le, acc, None)
    else:
        res = can_create_entry_without_sponsorship(header, le, sponsored)
        if res == SponsorshipResult.SUCCESS:
            create_entry_without_sponsorship(le, sponsored)
    return res


def remove_entry_with_possible_sponsorship(ltx, header, le, acc) -> None:
    """removeEntryWithPossibleSponsorship: `acc` is the owning account
    (for a claimable balance, the account claiming or clawing it back)."""
    sponsor = B.entry_sponsor(le)
    if sponsor is not None:
        sponsored = None if le.data.type == _T.CLAIMABLE_BALANCE else acc
        if acc.data.account.accountID == sponsor:
            if le.data.type != _T.CLAIMABLE_BALANCE:
                raise RuntimeError("sponsoringID == sourceAccount for non-CLAIMABLE_BALANCE entry")
            can_remove_entry_with_sponsorship(header, le, acc, sponsored)
            remove_entry_with_sponsorship(le, acc, sponsored)
        else:
            sponsoring = ltx.load(account_key(sponsor))
            can_remove_entry_with_sponsorship(header, le, sponsoring, sponsored)
            remove_entry_with_sponsorship(le, sponsoring, sponsored)
    else:
        can_remove_entry_without_sponsorship(header, le, acc)
        remove_entry_without_sponsorship(le, acc)


def create_signer_with_possible_sponsorship(ltx, header, n, acc) -> SponsorshipResult:
    """createSignerWithPossibleSponsorship for signer n already inserted in
    acc's signers (and signerSponsoringIDs, if acc has ext v2)."""
    sponsoring_id = load_sponsoring_id(ltx, acc.data.account.accountID)
    if sponsoring_id is not None:
        sponsoring = ltx.load(account_key(sponsoring_id))
        res = can_create_signer_with_sponsorship(header, n, sponsoring, acc)
        if res == SponsorshipResult.SUCCESS:
            create_signer_with_sponsorship(n, sponsoring, acc)
    else:
        res = can_create_signer_without_sponsorship(header, acc)
        if res == SponsorshipResult.SUCCESS:
            create_signer_without_sponsorship(acc)
    return res


def remove_signer_with_possible_sponsorship(ltx, header, n, acc) -> None:
    sponsoring_id = signer_sponsor(acc.data.account, n)
    if sponsoring_id is not None:
        sponsoring = ltx.load(account_key(sponsoring_id))
        can_remove_signer_with_sponsorship(header, sponsoring, acc)
        remove_signer_with_sponsorship(n, sponsoring, acc)
    else:
        can_remove_signer_without_sponsorship(header, acc)
        remove_signer_without_sponsorship(n, acc)
