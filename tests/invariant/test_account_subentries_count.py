"""AccountSubEntriesCountIsValid, after stellar-core src/invariant/test/
AccountSubEntriesCountIsValidTests.cpp: "Create account with no
subentries" and "Create account then add signers and subentries" (a random
walk of add / modify / delete, each step first without updating
numSubEntries — must fail when the count should move — then with it)."""
import random

import pytest

from stellarcore import xdr
from stellarcore.invariant.base import str_key
from tests.invariant import builders as b

NAME = "AccountSubEntriesCountIsValid"


def _mult(le):
    if le.data.type == xdr.LedgerEntryType.TRUSTLINE and \
            le.data.trustLine.asset.type == xdr.AssetType.ASSET_TYPE_POOL_SHARE:
        return 2
    return 1


def test_create_account_with_no_subentries():
    for _ in range(20):
        le = b.account(ext_v2=random.random() < 0.5)
        assert b.holds(NAME, b.created(le))
        assert b.holds(NAME, b.deleted(le))


def _random_subentry(rng, owner):
    kind = rng.choice(["offer", "trustline", "pool_trustline", "data"])
    if kind == "offer":
        return b.offer(owner, b.credit(f"A{rng.randint(0, 999)}"), b.NATIVE, rng.randint(1, 1000))
    if kind == "trustline":
        return b.trustline(owner, b.credit(f"T{rng.randint(0, 10**6)}"), 0)
    if kind == "pool_trustline":
        return b.trustline(owner, b.pool_share_asset(rng.randbytes(32)), 0, flags=0)
    return b.data(owner, name=f"d{rng.randint(0, 10**6)}".encode())


def _modified_subentry(rng, se):
    """Same key, other contents (generateRandomModifiedSubEntry)."""
    new = se.copy()
    t = se.data.type
    if t == xdr.LedgerEntryType.OFFER:
        new.data.offer.amount = rng.randint(1, 1000)
    elif t == xdr.LedgerEntryType.TRUSTLINE:
        new.data.trustLine.balance = rng.randint(0, 1000)
    else:
        new.data.data.dataValue = rng.randbytes(8)
    return new


def _step(acc_cur, acc_prev, delta_n, others):
    """updateAccountSubEntries: without the count update the invariant fails
    iff the count should have moved; with it, it holds."""
    if delta_n != 0:
        assert not b.holds(NAME, others + b.modified([(acc_cur, acc_prev)]))
        msg = b.run(NAME, others + b.modified([(acc_cur, acc_prev)]))
        assert f"numSubEntries (0) does not match change in number of subentries ({delta_n})" in msg
    acc_cur.data.account.numSubEntries += delta_n
    assert b.holds(NAME, others + b.modified([(acc_cur, acc_prev)]))


def _signer_sponsors(acc):
    ext = acc.ext
    if ext.v == 1 and ext.v1.ext.v == 2:
        return ext.v1.ext.v2.signerSponsoringIDs
    return None


@pytest.mark.parametrize("seed", range(25))
def test_random_walk_of_signers_and_subentries(seed):
    rng = random.Random(seed)
    le = b.account(ext_v2=rng.random() < 0.5)
    assert b.holds(NAME, b.created(le))
    owner = le.data.account.accountID
    subentries = []
    for _ in range(50):
        change = rng.randint(-1, 2)
        prev = le.copy()
        acc = le.data.account
        if change > 0 or acc.numSubEntries == 0:
            if len(acc.signers) < 20 and rng.random() < 0.3:
                s = b.signer(rng.random(), rng.randint(1, 255))
                acc.signers.append(s)
                acc.signers.sort(key=lambda x: x.key.to_xdr())
                sp = _signer_sponsors(acc)
                if sp is not None:
                    sp.append(None)
                _step(le, prev, 1, [])
            else:
                se = _random_subentry(rng, owner)
                subentries.append(se)
                _step(le, prev, _mult(se), b.created(se))
        elif change == 0:
            if acc.signers and (not subentries or rng.random() < 0.3):
                i = rng.randrange(len(acc.signers))
                acc.signers[i] = xdr.Signer(key=acc.signers[i].key, weight=rng.randint(1, 255))
                _step(le, prev, 0, [])
            elif subentries:
                i = rng.randrange(len(subentries))
                se2 = _modified_subentry(rng, subentries[i])
                _step(le, prev, 0, b.modified([(se2, subentries[i])]))
                subentries[i] = se2
        else:
            if acc.signers and (not subentries or rng.random() < 0.3):
                i = rng.randrange(len(acc.signers))
                del acc.signers[i]
                sp = _signer_sponsors(acc)
                if sp is not None:
                    del sp[i]
                _step(le, prev, -1, [])
            elif subentries:
                se = subentries.pop(rng.randrange(len(subentries)))
                _step(le, prev, -_mult(se), b.deleted(se))
    acc = le.data.account
    if acc.numSubEntries != len(acc.signers):
        # deleting the account alone leaves sub-entries behind
        assert not b.holds(NAME, b.deleted(le))
    assert b.holds(NAME, b.deleted(le, *subentries))


def test_pool_share_trustline_counts_two():
    acc = b.account()
    aid = acc.data.account.accountID
    tl = b.trustline(aid, b.pool_share_asset(b"\7" * 32), flags=0)
    acc2 = acc.copy()
    acc2.data.account.numSubEntries = 1
    assert b.run(NAME, b.modified([(acc2, acc)]) + b.created(tl)) == (
        f"Change in Account {str_key(aid)}"
        " numSubEntries (1) does not match change in number of subentries (2)")
    acc2.data.account.numSubEntries = 2
    assert b.holds(NAME, b.modified([(acc2, acc)]) + b.created(tl))


def test_subentry_of_account_not_in_delta_fails():
    """A created offer whose seller's account is not in the delta: the
    seller's numSubEntries change is 0 but one sub-entry appeared."""
    o = b.offer(b.account_id(), b.credit("X"), b.NATIVE, 10)
    assert not b.holds(NAME, b.created(o))


def test_claimable_balances_and_pools_are_not_subentries():
    cb = b.claimable_balance(b.NATIVE, 5, [b.claimant(b.account_id())], sponsor=b.account_id())
    p = b.pool(b.NATIVE, b.credit("USD"))
    assert b.holds(NAME, b.created(cb, p))


def test_deleted_account_with_other_subentries_message():
    acc = b.account(num_sub_entries=3, signers=b.sorted_signers([1]))
    assert b.run(NAME, b.deleted(acc)) == (
        f"Change in Account {str_key(acc.data.account.accountID)} numSubEntries (-3) does not"
        " match change in number of subentries (-1)")
