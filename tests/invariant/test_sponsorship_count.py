"""SponsorshipCountIsValid, after stellar-core src/invariant/test/
SponsorshipCountIsValidTests.cpp "sponsorship invariant": for creating /
erasing a sponsored entry or signer, every combination of (update
numSponsoring, update numSponsored, set the sponsoring ID) except
all-false holds only when all three are done; plus the update (transfer)
sections and "create one, erase another"."""
import itertools

import pytest

from stellarcore import xdr
from stellarcore.ledger import balances as B
from tests.invariant import builders as b

NAME = "SponsorshipCountIsValid"
COMBOS = [c for c in itertools.product([True, False], repeat=3) if any(c)]

SPONSORING = b.account_id("sponsoring")
SPONSORED = b.account_id("sponsored")
SPONSORING2 = b.account_id("sponsoring2")


def _mult(le):
    """testutil::computeMultiplier: account 2, pool-share trustline 2, other
    sub-entries 1, claimable balance = number of claimants."""
    t = le.data.type
    if t == xdr.LedgerEntryType.ACCOUNT:
        return 2
    if t == xdr.LedgerEntryType.TRUSTLINE:
        return 2 if le.data.trustLine.asset.type == xdr.AssetType.ASSET_TYPE_POOL_SHARE else 1
    if t == xdr.LedgerEntryType.CLAIMABLE_BALANCE:
        return len(le.data.claimableBalance.claimants)
    return 1


def create_entry(kind, owner):
    if kind == "account":
        return b.account(owner)
    if kind == "trustline":
        return b.trustline(owner, b.credit("USD"), 5)
    if kind == "pool_trustline":
        return b.trustline(owner, b.pool_share_asset(b"\3" * 32), 0, flags=0)
    if kind == "offer":
        return b.offer(owner, b.credit("USD"), b.NATIVE, 10)
    if kind == "data":
        return b.data(owner)
    if kind == "claimable_balance":
        return b.claimable_balance(b.NATIVE, 10, [b.claimant(b.account_id()), b.claimant(b.account_id())],
                                   sponsor=None)
    raise ValueError(kind)


def do_num_sponsoring(le, delta, update=True):
    le = le.copy()
    v2 = B.prepare_account_ext_v2(le.data.account)
    if update:
        v2.numSponsoring += delta
    return le


def do_num_sponsored(le, delta, update=True):
    le = le.copy()
    v2 = B.prepare_account_ext_v2(le.data.account)
    if update:
        v2.numSponsored += delta
    return le


def do_sponsoring(le, sponsor, update=True):
    le = le.copy()
    v1 = B.prepare_ledger_entry_ext_v1(le)
    if update:
        v1.sponsoringID = sponsor
    return le


def do_add_signer(le, sponsor, update=True, seed="s"):
    le = le.copy()
    acc = le.data.account
    v2 = B.prepare_account_ext_v2(acc)
    if update:
        s = b.signer(seed)
        keys = [x.key.to_xdr() for x in acc.signers]
        n = sum(1 for k in keys if k < s.key.to_xdr())
        acc.signers.insert(n, s)
        v2.signerSponsoringIDs.insert(n, sponsor)
    return le


def do_update_signer(le, prev_sponsor, new_sponsor):
    le = le.copy()
    ids = le.data.account.ext.v1.ext.v2.signerSponsoringIDs
    i = next(i for i, x in enumerate(ids) if x is not None and x == prev_sponsor)
    ids[i] = new_sponsor
    return le


@pytest.mark.parametrize("upd_ing,upd_ed,upd_sp", COMBOS)
def test_create_sponsored_entry(upd_ing, upd_ed, upd_sp):
    expected = upd_ing and upd_ed and upd_sp
    # ACCOUNT: the new account is its own "sponsored" side (mult 2)
    entry = do_sponsoring(create_entry("account", SPONSORED), SPONSORING, upd_sp)
    entry = do_num_sponsored(entry, 2, upd_ed)
    init_sponsoring = b.account(SPONSORING)
    sponsoring = do_num_sponsoring(init_sponsoring, 2, upd_ing)
    assert b.holds(NAME, b.created(entry) + b.modified([(sponsoring, init_sponsoring)])) == expected

    for kind in ("trustline", "pool_trustline", "offer", "data"):
        entry = do_sponsoring(create_entry(kind, SPONSORED), SPONSORING, upd_sp)
        m = _mult(entry)
        init_sponsoring = b.account(SPONSORING)
        sponsoring = do_num_sponsoring(init_sponsoring, m, upd_ing)
        init_sponsored = b.account(SPONSORED)
        sponsored = do_num_sponsored(init_sponsored, m, upd_ed)
        delta = b.created(entry) + b.modified([(sponsoring, init_sponsoring), (sponsored, init_sponsored)])
        assert b.holds(NAME, delta) == expected, kind

    if upd_ing or upd_sp:
        entry = do_sponsoring(create_entry("claimable_balance", SPONSORED), SPONSORING, upd_sp)
        init_sponsoring = b.account(SPONSORING)
        sponsoring = do_num_sponsoring(init_sponsoring, _mult(entry), upd_ing)
        assert b.holds(NAME, b.created(entry) + b.modified([(sponsoring, init_sponsoring)])) == \
            (upd_ing and upd_sp)


@pytest.mark.parametrize("upd_ing,upd_ed,upd_sp", COMBOS)
def test_create_sponsored_signer(upd_ing, upd_ed, upd_sp):
    init_entry = b.account(SPONSORED, signers=b.sorted_signers([1, 2]), ext_v2=True)
    entry = do_num_sponsored(init_entry, 1, upd_ed)
    entry = do_add_signer(entry, SPONSORING, upd_sp)
    init_sponsoring = b.account(SPONSORING)
    sponsoring = do_num_sponsoring(init_sponsoring, 1, upd_ing)
    assert b.holds(NAME, b.modified([(entry, init_entry), (sponsoring, init_sponsoring)])) == \
        (upd_ing and upd_ed and upd_sp)


def test_update_sponsored_entry():
    # ACCOUNT
    init_entry = create_entry("account", SPONSORED)
    entry1 = do_num_sponsored(do_sponsoring(init_entry, SPONSORING), 2)
    entry2 = do_sponsoring(entry1, SPONSORING2)
    init1 = b.account(SPONSORING, ext_v2=True)
    s1 = do_num_sponsoring(init1, 2)
    init2 = b.account(SPONSORING2, ext_v2=True)
    s2 = do_num_sponsoring(init2, 2)
    assert b.holds(NAME, b.modified([(entry1, init_entry), (s1, init1)]))
    assert b.holds(NAME, b.modified([(entry2, entry1), (init1, s1), (s2, init2)]))
    assert b.holds(NAME, b.modified([(init_entry, entry2), (init2, s2)]))

    for kind in ("trustline", "offer", "data", "pool_trustline"):
        init_entry = create_entry(kind, SPONSORED)
        entry1 = do_sponsoring(init_entry, SPONSORING)
        entry2 = do_sponsoring(entry1, SPONSORING2)
        m = _mult(init_entry)
        init1 = b.account(SPONSORING, ext_v2=True)
        s1 = do_num_sponsoring(init1, m)
        init2 = b.account(SPONSORING2, ext_v2=True)
        s2 = do_num_sponsoring(init2, m)
        init_sd = b.account(SPONSORED, ext_v2=True)
        sd = do_num_sponsored(init_sd, m)
        assert b.holds(NAME, b.modified([(entry1, init_entry), (s1, init1), (sd, init_sd)]))
        assert b.holds(NAME, b.modified([(entry2, entry1), (init1, s1), (s2, init2)]))
        assert b.holds(NAME, b.modified([(init_entry, entry2), (init2, s2), (init_sd, sd)]))
        # a transfer that forgets the old sponsor's counter
        assert not b.holds(NAME, b.modified([(entry2, entry1), (s2, init2)]))

    # CLAIMABLE_BALANCE
    init_entry = create_entry("claimable_balance", SPONSORED)
    entry1 = do_sponsoring(init_entry, SPONSORING)
    entry2 = do_sponsoring(entry1, SPONSORING2)
    m = _mult(entry1)
    assert m == 2
    init1 = b.account(SPONSORING, ext_v2=True)
    s1 = do_num_sponsoring(init1, m)
    init2 = b.account(SPONSORING2, ext_v2=True)
    s2 = do_num_sponsoring(init2, m)
    assert b.holds(NAME, b.modified([(entry1, init_entry), (s1, init1)]))
    assert b.holds(NAME, b.modified([(entry2, entry1), (init1, s1), (s2, init2)]))
    assert b.holds(NAME, b.modified([(init_entry, entry2), (init2, s2)]))


def test_update_sponsored_signer():
    init_entry = b.account(SPONSORED, ext_v2=True)
    entry1 = do_add_signer(do_num_sponsored(init_entry, 1), SPONSORING)
    entry2 = do_update_signer(entry1, SPONSORING, SPONSORING2)
    init1 = b.account(SPONSORING, ext_v2=True)
    s1 = do_num_sponsoring(init1, 1)
    init2 = b.account(SPONSORING2, ext_v2=True)
    s2 = do_num_sponsoring(init2, 1)
    assert b.holds(NAME, b.modified([(entry1, init_entry), (s1, init1)]))
    assert b.holds(NAME, b.modified([(entry2, entry1), (init1, s1), (s2, init2)]))
    assert b.holds(NAME, b.modified([(init_entry, entry2), (init2, s2)]))


@pytest.mark.parametrize("upd_ing,upd_ed,upd_sp", COMBOS)
def test_erase_sponsored_entry(upd_ing, upd_ed, upd_sp):
    expected = upd_ing and upd_ed and upd_sp
    init_entry = do_num_sponsored(do_sponsoring(create_entry("account", SPONSORED), SPONSORING, upd_sp),
                                  2, upd_ed)
    init_sponsoring = do_num_sponsoring(b.account(SPONSORING, ext_v2=True), 2)
    sponsoring = do_num_sponsoring(init_sponsoring, -2, upd_ing)
    assert b.holds(NAME, b.deleted(init_entry) + b.modified([(sponsoring, init_sponsoring)])) == expected

    for kind in ("trustline", "pool_trustline", "offer", "data"):
        init_entry = do_sponsoring(create_entry(kind, SPONSORED), SPONSORING, upd_sp)
        m = _mult(init_entry)
        init_sponsoring = do_num_sponsoring(b.account(SPONSORING, ext_v2=True), m)
        sponsoring = do_num_sponsoring(init_sponsoring, -m, upd_ing)
        init_sponsored = do_num_sponsored(b.account(SPONSORED, ext_v2=True), m)
        sponsored = do_num_sponsored(init_sponsored, -m, upd_ed)
        delta = b.deleted(init_entry) + b.modified([(sponsoring, init_sponsoring), (sponsored, init_sponsored)])
        assert b.holds(NAME, delta) == expected, kind

    if upd_ing or upd_sp:
        init_entry = do_sponsoring(create_entry("claimable_balance", SPONSORED), SPONSORING, upd_sp)
        m = _mult(init_entry)
        init_sponsoring = do_num_sponsoring(b.account(SPONSORING, ext_v2=True), m)
        sponsoring = do_num_sponsoring(init_sponsoring, -m, upd_ing)
        assert b.holds(NAME, b.deleted(init_entry) + b.modified([(sponsoring, init_sponsoring)])) == \
            (upd_ing and upd_sp)


@pytest.mark.parametrize("upd_ing,upd_ed,upd_sp", COMBOS)
def test_erase_sponsored_signer(upd_ing, upd_ed, upd_sp):
    entry = b.account(SPONSORED, signers=b.sorted_signers([1]), ext_v2=True)
    init_entry = do_add_signer(do_num_sponsored(entry, 1, upd_ed), SPONSORING, upd_sp)
    sponsoring = b.account(SPONSORING)
    init_sponsoring = do_num_sponsoring(sponsoring, 1, upd_ing)
    assert b.holds(NAME, b.modified([(entry, init_entry), (sponsoring, init_sponsoring)])) == \
        (upd_ing and upd_ed and upd_sp)


def test_create_one_erase_another():
    entry1 = do_sponsoring(create_entry("data", SPONSORED), SPONSORING)
    init_entry2 = do_sponsoring(create_entry("offer", SPONSORED), SPONSORING)
    assert b.holds(NAME, b.created(entry1) + b.deleted(init_entry2))


def test_messages():
    from stellarcore.invariant.base import str_key
    entry = do_sponsoring(create_entry("data", SPONSORED), SPONSORING)
    init_sponsoring = b.account(SPONSORING)
    sponsoring = do_num_sponsoring(init_sponsoring, 1)
    # sponsored account missing from the delta
    assert b.run(NAME, b.created(entry) + b.modified([(sponsoring, init_sponsoring)])) == (
        f"Change in Account {str_key(SPONSORED)} numSponsored (0) does not"
        " match change in number of sponsored entries (1)")
    # sponsor present but counter not moved
    init_sd = b.account(SPONSORED)
    sd = do_num_sponsored(init_sd, 1)
    assert b.run(NAME, b.created(entry) + b.modified([(init_sponsoring, init_sponsoring), (sd, init_sd)])) == (
        f"Change in Account {str_key(SPONSORING)} numSponsoring (0) does not"
        " match change in number of sponsored entries (1)")


def test_sponsored_pool_or_contract_entry_throws():
    """getMult throws for types that cannot be sponsored."""
    p = b.pool(b.NATIVE, b.credit("USD"))
    B.prepare_ledger_entry_ext_v1(p).sponsoringID = SPONSORING
    with pytest.raises(RuntimeError):
        b.run(NAME, b.created(p))
    # unsponsored ones are fine
    assert b.holds(NAME, b.created(b.pool(b.NATIVE, b.credit("USD"))))

