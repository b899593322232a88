"""BeginSponsoringFutureReserves, EndSponsoringFutureReserves and
RevokeSponsorship, against stellar-core v25's
BeginSponsoringFutureReservesTests.cpp, EndSponsoringFutureReservesTests.cpp
and RevokeSponsorshipTests.cpp (protocol 23+ sections), plus the
sponsorship helpers of SponsorshipTestUtils.cpp that SetOptions, ManageData
and AccountMerge tests share (imported from here).

Expected values (result codes, numSubEntries, numSponsoring, numSponsored,
sponsoring IDs, ledger-entry extension versions) are stellar-core's. Where
its scenario builds an entry with an operation we do not own (ChangeTrust,
ManageOffer, CreateClaimableBalance), the entry is written straight into the
ledger with the counts that operation leaves (one reserve per trustline,
offer and data entry, two per pool-share trustline, one per claimant), so
these tests exercise only the operations of this module.
"""
from __future__ import annotations

import hashlib

import pytest

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import (account_key, claimable_balance_key, data_key, liquidity_pool_key, offer_key,
                                     pool_share_trustline_key, trustline_key)
from tests.transactions import harness
from tests.transactions.harness import (GENESIS_BASE_FEE, account_id_of, credit, make_op, muxed, native,
                                        op_create_account, tx_envelope)

TC = xdr.TransactionResultCode
OC = xdr.OperationResultCode
OT = xdr.OperationType
RS = xdr.RevokeSponsorshipResultCode
BS = xdr.BeginSponsoringFutureReservesResultCode
ES = xdr.EndSponsoringFutureReservesResultCode
SK = xdr.SignerKeyType
UINT32_MAX = 0xFFFFFFFF
INT64_MAX = (1 << 63) - 1
TXFEE = GENESIS_BASE_FEE
ACCOUNT_SUBENTRY_LIMIT = 1000


# =============================================================================
# operation builders (stellar-core TxTests.cpp)
# =============================================================================
def signer_key(who) -> "xdr.SignerKey":
    if isinstance(who, xdr.SignerKey):
        return who
    return xdr.SignerKey(SK.SIGNER_KEY_TYPE_ED25519, account_id_of(who).ed25519)


def make_signer(who, weight: int) -> "xdr.Signer":
    """TxTests makeSigner."""
    return xdr.Signer(key=signer_key(who), weight=weight)


def op_set_options(source=None, **kw):
    """setOptions(...): fields of SetOptionsOp (inflationDest, clearFlags,
    setFlags, masterWeight, lowThreshold, medThreshold, highThreshold,
    homeDomain, signer)."""
    if "inflationDest" in kw and kw["inflationDest"] is not None:
        kw["inflationDest"] = account_id_of(kw["inflationDest"])
    return make_op(OT.SET_OPTIONS, xdr.SetOptionsOp(**kw), source)


def op_manage_data(name, value, source=None):
    name = name.encode("latin-1") if isinstance(name, str) else name
    return make_op(OT.MANAGE_DATA, xdr.ManageDataOp(dataName=name, dataValue=value), source)


def op_bump(bump_to: int, source=None):
    return make_op(OT.BUMP_SEQUENCE, xdr.BumpSequenceOp(bumpTo=bump_to), source)


def op_merge(dest, source=None):
    return make_op(OT.ACCOUNT_MERGE, dest if isinstance(dest, xdr.MuxedAccount) else muxed(dest), source)


def op_inflation(source=None):
    return make_op(OT.INFLATION, None, source)


def op_begin(sponsored, source=None):
    return make_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES,
                   xdr.BeginSponsoringFutureReservesOp(sponsoredID=account_id_of(sponsored)), source)


def op_end(source=None):
    return make_op(OT.END_SPONSORING_FUTURE_RESERVES, None, source)


def op_revoke_entry(key, source=None):
    """revokeSponsorship(LedgerKey); `key` may be LedgerKey bytes."""
    lk = xdr.LedgerKey.from_xdr(key) if isinstance(key, (bytes, bytearray)) else key
    return make_op(OT.REVOKE_SPONSORSHIP,
                   xdr.RevokeSponsorshipOp(xdr.RevokeSponsorshipType.REVOKE_SPONSORSHIP_LEDGER_ENTRY, lk), source)


def op_revoke_signer(account, key, source=None):
    """revokeSponsorship(accountID, signerKey)."""
    sg = xdr.RevokeSponsorshipOpSigner(accountID=account_id_of(account), signerKey=signer_key(key))
    return make_op(OT.REVOKE_SPONSORSHIP,
                   xdr.RevokeSponsorshipOp(xdr.RevokeSponsorshipType.REVOKE_SPONSORSHIP_SIGNER, sg), source)


def tx_from_ops(source, ops, keys=()):
    """transactionFrameFromOps(networkID, source, ops, keys): signed by the
    source and `keys`, at the source's next sequence number."""
    signers = [source] + [k for k in keys if account_id_of(k) != account_id_of(source)]
    return tx_envelope(source, source.seq + 1, ops, signers=signers)


def apply_ops(L, source, ops, keys=()):
    return L.apply(tx_from_ops(source, ops, keys))


def op_inner(r, i: int):
    """The inner result union of operation i (e.g. an AccountMergeResult)."""
    return r.op_results[i].tr.xdr_value()


# =============================================================================
# SponsorshipTestUtils.cpp checkSponsorship
# =============================================================================
def _v0_ext_expected(ae) -> None:
    """validateExpectedAccountV0Ext (p19+): an account with a v3 extension
    (any account whose sequence number moved) has zero counts; otherwise
    it has no extension at all."""
    if B.has_account_ext_v3(ae):
        assert ae.ext.v1.ext.v2.numSponsoring == 0
        assert ae.ext.v1.ext.v2.numSponsored == 0
    else:
        assert ae.ext.v == 0


def check_entry_sponsorship(L, key: bytes, le_ext: int, sponsor) -> None:
    """checkSponsorship(ltx, LedgerKey, leExt, sponsoringID)."""
    le = L.load(key)
    assert le is not None
    assert le.ext.v == le_ext
    if le_ext == 1:
        want = None if sponsor is None else account_id_of(sponsor)
        assert le.ext.v1.sponsoringID == want


def check_signer_sponsorship(L, acc, key, ae_ext: int, sponsor) -> None:
    """checkSponsorship(ltx, accountID, signerKey, aeExt, sponsoringID)."""
    ae = L.load(account_key(account_id_of(acc))).data.account
    key = signer_key(key)
    n = [s.key for s in ae.signers].index(key)
    if ae_ext == 0:
        _v0_ext_expected(ae)
    elif ae_ext == 1:
        assert ae.ext.v == 1 and ae.ext.v1.ext.v == 0
    elif ae_ext == 2:
        assert ae.ext.v == 1 and ae.ext.v1.ext.v == 2
        want = None if sponsor is None else account_id_of(sponsor)
        assert ae.ext.v1.ext.v2.signerSponsoringIDs[n] == want


def check_sponsorship(L, acc, le_ext: int, sponsor, num_sub: int, ae_ext: int,
                      num_sponsoring: int, num_sponsored: int) -> None:
    """checkSponsorship(ltx, acc, leExt, sponsoringID, numSubEntries, aeExt,
    numSponsoring, numSponsored)."""
    key = account_key(account_id_of(acc))
    check_entry_sponsorship(L, key, le_ext, sponsor)
    ae = L.load(key).data.account
    assert ae.numSubEntries == num_sub
    if ae_ext == 0:
        _v0_ext_expected(ae)
    elif ae_ext == 1:
        assert ae.ext.v == 1
    elif ae_ext == 2:
        assert ae.ext.v == 1 and ae.ext.v1.ext.v == 2
        v2 = ae.ext.v1.ext.v2
        assert (v2.numSponsoring, v2.numSponsored) == (num_sponsoring, num_sponsored)


# =============================================================================
# direct ledger setup (the effect of operations owned elsewhere)
# =============================================================================
def _edit_account(acc, fn) -> None:
    le = acc.entry()
    fn(le.data.account)
    acc.ledger.put(le)


def _sponsor_entry(le, owner, sponsor, mult: int, owner_sponsored: bool = True) -> None:
    """establishEntrySponsorship's effect on a new entry and both accounts."""
    if sponsor is None:
        return
    B.prepare_ledger_entry_ext_v1(le).sponsoringID = sponsor.id

    def inc_sponsoring(a):
        B.prepare_account_ext_v2(a).numSponsoring += mult
    _edit_account(sponsor, inc_sponsoring)
    if owner_sponsored:
        def inc_sponsored(a):
            B.prepare_account_ext_v2(a).numSponsored += mult
        _edit_account(owner, inc_sponsored)


def _new_entry(L, **data):
    return xdr.LedgerEntry(lastModifiedLedgerSeq=L.header.ledgerSeq, data=xdr.LedgerEntryData(**data),
                           ext=xdr.LedgerEntryExt(0))


def _add_subentries(acc, n: int) -> None:
    def inc(a):
        a.numSubEntries += n
    _edit_account(acc, inc)


def setup_trustline(owner, asset, sponsor=None, limit: int = 1000, balance: int = 0) -> bytes:
    """ChangeTrust's effect: an authorized trustline, one subentry (paid by
    `sponsor` when given). Returns its key."""
    L = owner.ledger
    tl = xdr.TrustLineEntry(accountID=owner.id, asset=xdr.TrustLineAsset.from_xdr(asset.to_xdr()),
                            balance=balance, limit=limit, flags=xdr.TrustLineFlags.AUTHORIZED_FLAG,
                            ext=xdr.TrustLineEntryExt(0))
    le = _new_entry(L, trustLine=tl)
    _add_subentries(owner, 1)
    _sponsor_entry(le, owner, sponsor, 1)
    L.put(le)
    return trustline_key(owner.id, asset)


def setup_pool_share_trustline(owner, pool_id: bytes, sponsor=None) -> bytes:
    """ChangeTrust(pool share)'s effect on the owner: two subentries. (The
    pool and the asset trustlines' use counts are not needed by
    RevokeSponsorship.)"""
    L = owner.ledger
    tl = xdr.TrustLineEntry(accountID=owner.id,
                            asset=xdr.TrustLineAsset(xdr.AssetType.ASSET_TYPE_POOL_SHARE, pool_id),
                            balance=0, limit=1, flags=0, ext=xdr.TrustLineEntryExt(0))
    le = _new_entry(L, trustLine=tl)
    _add_subentries(owner, 2)
    _sponsor_entry(le, owner, sponsor, 2)
    L.put(le)
    return pool_share_trustline_key(owner.id, pool_id)


def setup_offer(owner, selling, buying, amount: int, sponsor=None) -> bytes:
    """ManageSellOffer's effect for an offer that crossed nothing: the entry
    (offerID from the header's idPool), one subentry, selling liabilities."""
    L = owner.ledger
    L.header.idPool += 1
    offer_id = L.header.idPool
    of = xdr.OfferEntry(sellerID=owner.id, offerID=offer_id, selling=selling, buying=buying, amount=amount,
                        price=xdr.Price(n=1, d=1), flags=0, ext=xdr.OfferEntryExt(0))
    le = _new_entry(L, offer=of)
    _add_subentries(owner, 1)
    _sponsor_entry(le, owner, sponsor, 1)
    L.put(le)
    if selling.type == xdr.AssetType.ASSET_TYPE_NATIVE:
        def sell(a):
            B.prepare_account_ext_v1(a).liabilities.selling += amount
        _edit_account(owner, sell)
    if buying.type == xdr.AssetType.ASSET_TYPE_NATIVE:
        def buy(a):
            B.prepare_account_ext_v1(a).liabilities.buying += amount
        _edit_account(owner, buy)
    return offer_key(owner.id, offer_id)


def setup_claimable_balance(creator, claimants, sponsor=None, amount: int = 1):
    """CreateClaimableBalance's effect: a native balance with one reserve per
    claimant, paid by `sponsor` or else by the creator. Returns its key."""
    L = creator.ledger
    L.header.idPool += 1
    balance_id = xdr.ClaimableBalanceID(xdr.ClaimableBalanceIDType.CLAIMABLE_BALANCE_ID_TYPE_V0,
                                        hashlib.sha256(b"cb%d" % L.header.idPool).digest())
    pred = xdr.ClaimPredicate(xdr.ClaimPredicateType.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME, INT64_MAX)
    cl = [xdr.Claimant(xdr.ClaimantType.CLAIMANT_TYPE_V0,
                       xdr.ClaimantV0(destination=account_id_of(c), predicate=pred)) for c in claimants]
    cb = xdr.ClaimableBalanceEntry(balanceID=balance_id, claimants=cl, asset=native(), amount=amount,
                                   ext=xdr.ClaimableBalanceEntryExt(0))
    le = _new_entry(L, claimableBalance=cb)
    _sponsor_entry(le, creator, sponsor or creator, len(cl), owner_sponsored=False)

    def debit(a):
        a.balance -= amount
    _edit_account(creator, debit)
    L.put(le)
    return claimable_balance_key(balance_id)


def set_num_sponsoring(acc, num_sponsoring: int, num_sub_entries=None) -> None:
    """The tooManySponsoring/tooManySubentries setup edits."""
    def f(a):
        B.prepare_account_ext_v2(a).numSponsoring = num_sponsoring
        if num_sub_entries is not None:
            a.numSubEntries = num_sub_entries
    _edit_account(acc, f)


def set_num_sub_entries(acc, n: int) -> None:
    def f(a):
        a.numSubEntries = n
    _edit_account(acc, f)


# =============================================================================
# SponsorshipTestUtils.cpp scenario drivers
# =============================================================================
def sponsored_entry_insufficient_balance(L, sponsoring, sponsored, op, inner_code) -> None:
    """createSponsoredEntryButSponsorHasInsufficientBalance."""
    r = apply_ops(L, L.root, [op_begin(sponsored, source=sponsoring), _with_source(op, sponsored),
                              op_end(source=sponsored)], keys=[sponsoring, sponsored])
    assert r.code == TC.txFAILED
    assert r.op_code(1) == inner_code


def _with_source(op, who):
    op = op.copy()
    op.sourceAccount = muxed(who)
    return op


def _reserves_for(op) -> int:
    """getNumReservesRequiredForOperation."""
    t = op.body.type
    if t == OT.REVOKE_SPONSORSHIP:
        rs = op.body.revokeSponsorshipOp
        if rs.type == xdr.RevokeSponsorshipType.REVOKE_SPONSORSHIP_LEDGER_ENTRY:
            lk = rs.ledgerKey
            if lk.type == xdr.LedgerEntryType.ACCOUNT or (
                    lk.type == xdr.LedgerEntryType.TRUSTLINE
                    and lk.trustLine.asset.type == xdr.AssetType.ASSET_TYPE_POOL_SHARE):
                return 2
    if t == OT.CREATE_ACCOUNT:
        return 2
    return 1


def create_modify_and_remove_sponsored_entry(L, sponsored, op_create, op_modify1, op_modify2, op_remove,
                                             entry_key=None, signer=None) -> None:
    """createModifyAndRemoveSponsoredEntry: the root sponsors the entry's
    creation; modifying it (also inside another account's sandwich) keeps
    the root as sponsor; removing it releases both counts."""
    root = L.root
    nse = sponsored.num_sub_entries
    a2 = root.create("cmarseAcc1", L.min_balance(0) + TXFEE)
    n = _reserves_for(op_create)

    def check():
        if entry_key is not None:
            check_entry_sponsorship(L, entry_key, 1, root)
        else:
            check_signer_sponsorship(L, sponsored, signer, 2, root)

    r = apply_ops(L, root, [op_begin(sponsored), _with_source(op_create, sponsored),
                            op_end(source=sponsored)], keys=[sponsored])
    assert r.ok, r.result
    check()
    check_sponsorship(L, sponsored, 0, None, nse + n, 2, 0, n)
    check_sponsorship(L, root, 0, None, 0, 2, n, 0)

    r = apply_ops(L, root, [_with_source(op_modify1, sponsored)], keys=[sponsored])
    assert r.ok, r.result
    check()
    check_sponsorship(L, sponsored, 0, None, nse + n, 2, 0, n)
    check_sponsorship(L, root, 0, None, 0, 2, n, 0)

    r = apply_ops(L, root, [op_begin(sponsored, source=a2), _with_source(op_modify2, sponsored),
                            op_end(source=sponsored)], keys=[a2, sponsored])
    assert r.ok, r.result
    check()
    check_sponsorship(L, sponsored, 0, None, nse + n, 2, 0, n)
    check_sponsorship(L, root, 0, None, 0, 2, n, 0)
    check_sponsorship(L, a2, 0, None, 0, 0, 0, 0)

    r = apply_ops(L, root, [_with_source(op_remove, sponsored)], keys=[sponsored])
    assert r.ok, r.result
    if entry_key is not None:
        assert L.load(entry_key) is None
    check_sponsorship(L, sponsored, 0, None, nse, 2, 0, 0)
    check_sponsorship(L, root, 0, None, 0, 2, 0, 0)


TOO_MANY_SPONSORING_SETUPS = [
    # (name, numSponsoring = UINT32_MAX - reserves - extra, numSubEntries)
    ("too many sponsoring", 0, None),
    ("too many sponsoring but due to subentries", 50, 50),
]


def too_many_sponsoring(L, successful_acc, fail_acc, successful_op, fail_op, reserves_first: int,
                        extra: int, num_sub) -> None:
    """tooManySponsoring: the root (sponsor) has room for the first op's
    reserves only; the second op fails with opTOO_MANY_SPONSORING."""
    root = L.root
    set_num_sponsoring(root, UINT32_MAX - reserves_first - extra, num_sub)
    r = apply_ops(L, root, [op_begin(successful_acc), successful_op, op_end(source=successful_acc)],
                  keys=[successful_acc])
    assert r.ok, r.result
    r = apply_ops(L, root, [op_begin(fail_acc), fail_op, op_end(source=fail_acc)], keys=[fail_acc])
    assert r.code == TC.txFAILED
    assert r.op_code(1) == OC.opTOO_MANY_SPONSORING


TOO_MANY_SUBENTRIES_SETUPS = [
    # (name, numSponsoring (None: untouched), numSubEntries given the reserves r)
    ("too many subentries", None, lambda r: ACCOUNT_SUBENTRY_LIMIT - r),
    ("too many subentries due to numSponsoring", lambda r: UINT32_MAX - r - 50, lambda r: 50),
]


def too_many_subentries(L, acc, op1, op2, reserves_first: int, sponsoring_fn, sub_fn) -> None:
    """tooManySubentries: the account has room for the first op's
    reserves only; the second fails with opTOO_MANY_SUBENTRIES."""
    root = L.root
    root.pay(acc, root.balance - L.min_balance(0) - 100 - TXFEE)
    if sponsoring_fn is None:
        set_num_sub_entries(acc, sub_fn(reserves_first))
    else:
        set_num_sponsoring(acc, sponsoring_fn(reserves_first), sub_fn(reserves_first))
    r = acc.apply([op1])
    assert r.ok, r.result
    r = acc.apply([op2])
    assert r.code == TC.txFAILED
    assert r.op_code(0) == OC.opTOO_MANY_SUBENTRIES


# =============================================================================
# BeginSponsoringFutureReservesTests.cpp / EndSponsoringFutureReservesTests.cpp
# =============================================================================
@pytest.fixture
def L():
    return harness.TestLedger()


def test_begin_malformed(L):
    r = apply_ops(L, L.root, [op_begin(L.root)])
    assert r.code == TC.txFAILED
    assert r.op_code(0) == BS.BEGIN_SPONSORING_FUTURE_RESERVES_MALFORMED


def test_begin_already_sponsored(L):
    a1 = L.root.create("a1", L.min_balance(0))
    r = apply_ops(L, L.root, [op_begin(a1), op_begin(a1)])
    assert r.code == TC.txFAILED
    assert [r.op_code(0), r.op_code(1)] == [BS.BEGIN_SPONSORING_FUTURE_RESERVES_SUCCESS,
                                            BS.BEGIN_SPONSORING_FUTURE_RESERVES_ALREADY_SPONSORED]


def test_begin_left_open_is_bad_sponsorship(L):
    a1 = L.root.create("a1", L.min_balance(0))
    r = apply_ops(L, L.root, [op_begin(a1)])
    assert r.code == TC.txBAD_SPONSORSHIP


@pytest.mark.parametrize("order", ["sponsoring account is sponsored", "sponsored account is sponsoring"])
def test_begin_recursive(L, order):
    root = L.root
    a1 = root.create("a1", L.min_balance(0))
    a2 = root.create("a2", L.min_balance(0))
    if order == "sponsoring account is sponsored":
        ops = [op_begin(a1), op_begin(a2, source=a1), op_end(source=a2), op_end(source=a1)]
    else:
        ops = [op_begin(a2, source=a1), op_begin(a1), op_end(source=a2), op_end(source=a1)]
    r = apply_ops(L, root, ops, keys=[a1, a2])
    assert r.code == TC.txFAILED
    assert [r.op_code(0), r.op_code(1)] == [BS.BEGIN_SPONSORING_FUTURE_RESERVES_SUCCESS,
                                            BS.BEGIN_SPONSORING_FUTURE_RESERVES_RECURSIVE]


def test_begin_end_success(L):
    a1 = L.root.create("a1", L.min_balance(0))
    r = apply_ops(L, L.root, [op_begin(a1), op_end(source=a1)], keys=[a1])
    assert r.ok
    assert [r.op_code(0), r.op_code(1)] == [BS.BEGIN_SPONSORING_FUTURE_RESERVES_SUCCESS,
                                            ES.END_SPONSORING_FUTURE_RESERVES_SUCCESS]
    # nothing of the sandwich reaches the ledger
    assert all(len(m.changes) == 0 for m in r.meta.v4.operations)


def test_one_sponsor_two_sandwiches(L):
    """The SPONSORSHIP_COUNTER counts open sandwiches of one sponsor; it
    goes when the last one ends (EndSponsoringFutureReservesOpFrame)."""
    root = L.root
    a1 = root.create("a1", L.min_balance(0))
    a2 = root.create("a2", L.min_balance(0))
    r = apply_ops(L, root, [op_begin(a1), op_begin(a2), op_end(source=a1), op_end(source=a2)], keys=[a1, a2])
    assert r.ok
    r = apply_ops(L, root, [op_begin(a1), op_begin(a2), op_end(source=a1)], keys=[a1])
    assert r.code == TC.txBAD_SPONSORSHIP


def test_end_not_sponsored(L):
    L.root.create("a1", L.min_balance(0))
    r = apply_ops(L, L.root, [op_end()])
    assert r.code == TC.txFAILED
    assert r.op_code(0) == ES.END_SPONSORING_FUTURE_RESERVES_NOT_SPONSORED


def test_sponsoring_op_then_failure_leaves_nothing(L):
    """A sandwich left open after a sponsored op: txBAD_SPONSORSHIP, and
    the sponsored signer is not added."""
    a1 = L.root.create("a1", L.min_balance(1))
    r = apply_ops(L, L.root, [op_begin(a1), op_set_options(source=a1, signer=make_signer(L.account("S1"), 1))],
                  keys=[a1])
    assert r.code == TC.txBAD_SPONSORSHIP
    assert a1.entry().data.account.signers == []
    check_sponsorship(L, L.root, 0, None, 0, 0, 0, 0)


def test_sponsored_entry_before_first_sponsored_signer(L):
    """add sponsored entry before adding first sponsored signer: the account
    already has extension v2 when the sponsored signer is added (the
    sponsored entry is a data entry here; stellar-core uses a trustline)."""
    root = L.root
    a1 = root.create("a1", L.min_balance(0))
    r = apply_ops(L, root, [op_begin(a1), op_manage_data("d", b"v", source=a1), op_end(source=a1)], keys=[a1])
    assert r.ok
    check_entry_sponsorship(L, data_key(a1.id, b"d"), 1, root)
    signer = make_signer(L.account("S1"), 1)
    r = apply_ops(L, root, [op_begin(a1), op_set_options(source=a1, signer=signer), op_end(source=a1)], keys=[a1])
    assert r.ok
    check_signer_sponsorship(L, a1, signer.key, 2, root)
    check_sponsorship(L, a1, 0, None, 2, 2, 0, 2)


def test_sponsorship_with_v3_precondition(L):
    """sponsorships with precondition that uses v3 extension: an account with
    extension v2 (from a sponsored entry) gets seqLedger from BumpSequence,
    and minSeqLedgerGap reads it."""
    from tests.transactions.txscen import check_valid, v2_cond, v2_tx
    root = L.root
    a1 = root.create("a1", L.min_balance(0) + 301)
    setup_trustline(a1, credit("CUR1", root), sponsor=root)
    check_entry_sponsorship(L, trustline_key(a1.id, credit("CUR1", root)), 1, root)
    r = a1.apply([op_bump(0)])  # sets seqLedger
    assert r.ok
    seq_ledger = a1.entry().data.account.ext.v1.ext.v2.ext.v3.seqLedger
    tx = v2_tx(a1, v2_cond(min_seq_ledger_gap=1))
    assert L.header.ledgerSeq == seq_ledger + 1
    # the harness's header is the closing ledger, one past the bump's ledger
    assert check_valid(L, tx).result.code == TC.txSUCCESS
    L.header.ledgerSeq -= 1  # the ledger the bump happened in: gap not reached
    assert check_valid(L, tx).result.code == TC.txBAD_MIN_SEQ_AGE_OR_GAP
    L.header.ledgerSeq += 1


# =============================================================================
# RevokeSponsorshipTests.cpp
# =============================================================================
def _claimant_key(L, owner, sponsor=None):
    return setup_claimable_balance(owner, [owner], sponsor=sponsor)


# -- entry is not sponsored, account is not sponsored: no-op -------------------
def test_revoke_not_sponsored_account_noop(L):
    a1 = L.root.create("a1", L.min_balance(1))
    r = apply_ops(L, a1, [op_revoke_entry(account_key(a1.id))])
    assert r.ok
    check_entry_sponsorship(L, account_key(a1.id), 0, None)
    check_sponsorship(L, a1, 0, None, 0, 0, 0, 0)


def test_revoke_not_sponsored_trustline_noop(L):
    a1 = L.root.create("a1", L.min_balance(2))
    key = setup_trustline(a1, credit("CUR1", L.root))
    r = apply_ops(L, a1, [op_revoke_entry(key)])
    assert r.ok
    check_entry_sponsorship(L, key, 0, None)
    check_sponsorship(L, a1, 0, None, 1, 0, 0, 0)


def test_revoke_not_sponsored_signer_noop(L):
    a1 = L.root.create("a1", L.min_balance(2))
    signer = make_signer(L.account("S1"), 1)
    assert a1.apply([op_set_options(signer=signer)]).ok
    r = apply_ops(L, a1, [op_revoke_signer(a1, signer.key)])
    assert r.ok
    check_signer_sponsorship(L, a1, signer.key, 0, None)
    check_sponsorship(L, a1, 0, None, 1, 0, 0, 0)


def test_revoke_not_sponsored_claimable_balance_only_transferable(L):
    a1 = L.root.create("a1", L.min_balance(2))
    key = _claimant_key(L, a1)
    r = apply_ops(L, a1, [op_revoke_entry(key)])
    assert r.code == TC.txFAILED
    assert r.op_code(0) == RS.REVOKE_SPONSORSHIP_ONLY_TRANSFERABLE
    check_entry_sponsorship(L, key, 1, a1)
    check_sponsorship(L, a1, 0, None, 0, 2, 1, 0)


# -- entry is not sponsored, account is sponsored: establish -------------------
def test_revoke_establish_account(L):
    root = L.root
    a1 = root.create("a1", L.min_balance(1))
    r = apply_ops(L, a1, [op_begin(a1, source=root), op_revoke_entry(account_key(a1.id)), op_end()], keys=[root])
    assert r.ok, r.result
    check_entry_sponsorship(L, account_key(a1.id), 1, root)
    check_sponsorship(L, a1, 1, root, 0, 2, 0, 2)


def test_revoke_establish_trustline(L):
    root = L.root
    a1 = root.create("a1", L.min_balance(2))
    key = setup_trustline(a1, credit("CUR1", root))
    r = apply_ops(L, a1, [op_begin(a1, source=root), op_revoke_entry(key), op_end()], keys=[root])
    assert r.ok, r.result
    check_entry_sponsorship(L, key, 1, root)
    check_sponsorship(L, a1, 0, None, 1, 2, 0, 1)
    check_sponsorship(L, root, 0, None, 0, 2, 1, 0)


@pytest.mark.parametrize("has_sponsored_entry", [True, False])
def test_revoke_establish_signer(L, has_sponsored_entry):
    root = L.root
    a1 = root.create("a1", L.min_balance(2))
    signer = make_signer(L.account("S1"), 1)
    assert a1.apply([op_set_options(signer=signer)]).ok
    if has_sponsored_entry:  # guarantees the account has extension v2 first
        setup_trustline(a1, credit("CUR1", root), sponsor=root)
    r = apply_ops(L, a1, [op_begin(a1, source=root), op_revoke_signer(a1, signer.key), op_end()], keys=[root])
    assert r.ok, r.result
    check_signer_sponsorship(L, a1, signer.key, 2, root)
    if has_sponsored_entry:
        check_sponsorship(L, a1, 0, None, 2, 2, 0, 2)
        check_sponsorship(L, root, 0, None, 0, 2, 2, 0)
    else:
        check_sponsorship(L, a1, 0, None, 1, 2, 0, 1)
        check_sponsorship(L, root, 0, None, 0, 2, 1, 0)


def test_revoke_transfer_claimable_balance_to_sponsor_of_account(L):
    root = L.root
    a1 = root.create("a1", L.min_balance(2))
    key = _claimant_key(L, a1)
    r = apply_ops(L, a1, [op_begin(a1, source=root), op_revoke_entry(key), op_end()], keys=[root])
    assert r.ok, r.result
    check_entry_sponsorship(L, key, 1, root)
    check_sponsorship(L, a1, 0, None, 0, 2, 0, 0)


# -- entry is sponsored, sponsor is not sponsored: remove ----------------------
def test_revoke_remove_account(L):
    root = L.root
    a1 = L.account("a1")
    r = apply_ops(L, root, [op_begin(a1), op_create_account(a1.id, L.min_balance(2)), op_end(source=a1)], keys=[a1])
    assert r.ok, r.result
    r = apply_ops(L, root, [op_revoke_entry(account_key(a1.id))])
    assert r.ok, r.result
    check_entry_sponsorship(L, account_key(a1.id), 1, None)
    check_sponsorship(L, a1, 1, None, 0, 2, 0, 0)
    check_sponsorship(L, root, 0, None, 0, 2, 0, 0)


def test_revoke_remove_trustline(L):
    root = L.root
    a1 = root.create("a1", L.min_balance(1))
    key = setup_trustline(a1, credit("CUR1", root), sponsor=root)
    r = apply_ops(L, root, [op_revoke_entry(key)])
    assert r.ok, r.result
    check_entry_sponsorship(L, key, 1, None)
    check_sponsorship(L, a1, 0, None, 1, 2, 0, 0)
    check_sponsorship(L, root, 0, None, 0, 2, 0, 0)


def test_revoke_remove_signer(L):
    root = L.root
    a1 = root.create("a1", L.min_balance(1))
    signer = make_signer(L.account("S1"), 1)
    r = apply_ops(L, root, [op_begin(a1), op_set_options(source=a1, signer=signer), op_end(source=a1)], keys=[a1])
    assert r.ok, r.result
    r = apply_ops(L, root, [op_revoke_signer(a1, signer.key)])
    assert r.ok, r.result
    check_signer_sponsorship(L, a1, signer.key, 2, None)
    check_sponsorship(L, a1, 0, None, 1, 2, 0, 0)
    check_sponsorship(L, root, 0, None, 0, 2, 0, 0)


def test_revoke_remove_claimable_balance_only_transferable(L):
    root = L.root
    a1 = root.create("a1", L.min_balance(1))
    key = _claimant_key(L, a1, sponsor=root)
    r = apply_ops(L, root, [op_revoke_entry(key)])
    assert r.code == TC.txFAILED
    assert r.op_code(0) == RS.REVOKE_SPONSORSHIP_ONLY_TRANSFERABLE
    check_entry_sponsorship(L, key, 1, root)
    check_sponsorship(L, a1, 0, None, 0, 0, 0, 0)


# -- entry is sponsored by root; root's sponsor S decides the outcome ---------
def _sponsored_by_root(L, kind, a1):
    """An a1 entry of `kind` sponsored by the root; returns the revoke op
    (source root) and the entry key (or signer key) with a1's subentries."""
    root = L.root
    if kind == "account":
        r = apply_ops(L, root, [op_begin(a1), op_create_account(a1.id, L.min_balance(2)), op_end(source=a1)],
                      keys=[a1])
        assert r.ok, r.result
        return op_revoke_entry(account_key(a1.id)), account_key(a1.id), 0
    if kind == "trust line":
        key = setup_trustline(a1, credit("CUR1", root), sponsor=root)
        return op_revoke_entry(key), key, 1
    if kind == "signer":
        signer = make_signer(L.account("S1"), 1)
        r = apply_ops(L, root, [op_begin(a1), op_set_options(source=a1, signer=signer), op_end(source=a1)],
                      keys=[a1])
        assert r.ok, r.result
        return op_revoke_signer(a1, signer.key), signer.key, 1
    if kind == "data":
        r = apply_ops(L, root, [op_begin(a1), op_manage_data("test", b"", source=a1), op_end(source=a1)],
                      keys=[a1])
        assert r.ok, r.result
        key = data_key(a1.id, b"test")
        return op_revoke_entry(key), key, 1
    if kind == "offer":
        cur1 = credit("CUR1", root)
        setup_trustline(a1, cur1, limit=INT64_MAX)
        key = setup_offer(a1, native(), cur1, 10, sponsor=root)
        return op_revoke_entry(key), key, 2
    if kind == "claimable balance":
        key = _claimant_key(L, a1, sponsor=root)
        return op_revoke_entry(key), key, 0
    raise AssertionError(kind)


def _check_sponsor(L, kind, a1, key, sponsor):
    if kind == "signer":
        check_signer_sponsorship(L, a1, key, 2, sponsor)
    else:
        check_entry_sponsorship(L, key, 1, sponsor)


TRANSFER_KINDS = ["account", "trust line", "signer", "claimable balance", "data", "offer"]


@pytest.mark.parametrize("kind", TRANSFER_KINDS)
def test_revoke_transfer_to_sponsor_of_sponsor(L, kind):
    """sponsor is sponsored: the entry moves to the sponsor's sponsor a2."""
    root = L.root
    a1 = L.account("a1") if kind == "account" else root.create("a1", L.min_balance(3 if kind == "offer" else 0)
                                                                  + (1 if kind == "claimable balance" else 0))
    a2 = root.create("a2", L.min_balance(2))
    revoke, key, nse = _sponsored_by_root(L, kind, a1)
    r = apply_ops(L, root, [op_begin(root, source=a2), revoke, op_end()], keys=[a2])
    assert r.ok, r.result
    _check_sponsor(L, kind, a1, key, a2)
    if kind == "account":
        check_sponsorship(L, a1, 1, a2, 0, 2, 0, 2)
        check_sponsorship(L, a2, 0, None, 0, 2, 2, 0)
    elif kind == "claimable balance":
        check_sponsorship(L, a1, 0, None, 0, 0, 0, 0)
        check_sponsorship(L, a2, 0, None, 0, 2, 1, 0)
    else:
        check_sponsorship(L, a1, 0, None, nse, 2, 0, 1)
        check_sponsorship(L, a2, 0, None, 0, 2, 1, 0)
        check_sponsorship(L, root, 0, None, 0, 2, 0, 0)


@pytest.mark.parametrize("kind", ["account", "trust line", "signer", "data", "offer"])
def test_revoke_sponsor_sponsored_by_owner_removes(L, kind):
    """sponsor is sponsored by owner: the owner pays again."""
    root = L.root
    a1 = L.account("a1") if kind == "account" else root.create("a1", L.min_balance(3 if kind == "offer" else 1))
    revoke, key, nse = _sponsored_by_root(L, kind, a1)
    r = apply_ops(L, root, [op_begin(root, source=a1), revoke, op_end()], keys=[a1])
    assert r.ok, r.result
    _check_sponsor(L, kind, a1, key, None)
    check_sponsorship(L, a1, 1 if kind == "account" else 0, None, nse, 2, 0, 0)
    check_sponsorship(L, root, 0, None, 0, 2, 0, 0)


# -- failures -------------------------------------------------------------------
def test_revoke_does_not_exist(L):
    root = L.root
    a1 = root.create("a1", L.min_balance(1))
    cur1 = credit("CUR1", root)
    # trustline
    r = apply_ops(L, a1, [op_revoke_entry(trustline_key(a1.id, cur1))])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, RS.REVOKE_SPONSORSHIP_DOES_NOT_EXIST)
    # offer key with the wrong account
    a2 = root.create("a2", L.min_balance(3))
    setup_trustline(a2, cur1, limit=INT64_MAX)
    okey = setup_offer(a2, native(), cur1, 10)
    offer_id = xdr.LedgerKey.from_xdr(okey).offer.offerID
    r = apply_ops(L, a2, [op_revoke_entry(offer_key(a1.id, offer_id))])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, RS.REVOKE_SPONSORSHIP_DOES_NOT_EXIST)
    check_sponsorship(L, a2, 0, None, 2, 1, 0, 0)
    # signer of an unknown account, then an unknown signer of a known account
    s1 = L.account("S1")
    signer = make_signer(s1, 1)
    r = apply_ops(L, a1, [op_revoke_signer(s1, signer.key)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, RS.REVOKE_SPONSORSHIP_DOES_NOT_EXIST)
    r = apply_ops(L, a1, [op_revoke_signer(a1, signer.key)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, RS.REVOKE_SPONSORSHIP_DOES_NOT_EXIST)
    check_sponsorship(L, a1, 0, None, 0, 0, 0, 0)
    check_sponsorship(L, root, 0, None, 0, 0, 0, 0)


@pytest.mark.parametrize("is_sponsored", [True, False])
@pytest.mark.parametrize("entry_test", [True, False])
def test_revoke_not_sponsor(L, is_sponsored, entry_test):
    root = L.root
    cur1 = credit("CUR1", root)
    a1 = root.create("a1", L.min_balance(2))
    a2 = root.create("a2", L.min_balance(1))
    signer = make_signer(L.account("S1"), 1)
    if is_sponsored:
        if entry_test:
            setup_trustline(a1, cur1, sponsor=root)
        else:
            r = apply_ops(L, root, [op_begin(a1), op_set_options(source=a1, signer=signer), op_end(source=a1)],
                          keys=[a1])
            assert r.ok
        check_sponsorship(L, a1, 0, root, 1, 2, 0, 1)
    elif entry_test:
        setup_trustline(a1, cur1)
    else:
        assert a1.apply([op_set_options(signer=signer)]).ok
    op = op_revoke_entry(trustline_key(a1.id, cur1)) if entry_test else op_revoke_signer(a1, signer.key)
    r = apply_ops(L, a2, [op])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, RS.REVOKE_SPONSORSHIP_NOT_SPONSOR)
    if is_sponsored:
        # remove the sponsorship: NOT_SPONSOR also for a v1 entry without sponsor
        remove = op_revoke_entry(trustline_key(a1.id, cur1)) if entry_test else op_revoke_signer(a1, signer.key)
        assert apply_ops(L, root, [remove]).ok
        check_sponsorship(L, a1, 0, None, 1, 2, 0, 0)
        r = apply_ops(L, a2, [op])
        assert (r.code, r.op_code(0)) == (TC.txFAILED, RS.REVOKE_SPONSORSHIP_NOT_SPONSOR)


@pytest.mark.parametrize("entry_test", [True, False])
@pytest.mark.parametrize("action", ["transfer sponsorship", "remove sponsorship", "establish sponsorship"])
def test_revoke_low_reserve(L, entry_test, action):
    root = L.root
    cur1 = credit("CUR1", root)
    signer = make_signer(L.account("S1"), 1)
    a1 = root.create("a1", L.min_balance(2 if action == "establish sponsorship" else 0))
    a2 = root.create("a2", L.min_balance(0))
    if action == "establish sponsorship":
        if entry_test:
            setup_trustline(a1, cur1)
        else:
            assert a1.apply([op_set_options(signer=signer)]).ok
    elif entry_test:
        setup_trustline(a1, cur1, sponsor=root)
    else:
        r = apply_ops(L, root, [op_begin(a1), op_set_options(source=a1, signer=signer), op_end(source=a1)],
                      keys=[a1])
        assert r.ok
    if action == "establish sponsorship":
        revoke = (op_revoke_entry(trustline_key(a1.id, cur1), source=a1) if entry_test
                  else op_revoke_signer(a1, signer.key, source=a1))
        r = apply_ops(L, root, [op_begin(a1, source=a2), revoke, op_end(source=a1)], keys=[a1, a2])
        idx = 1
    else:
        revoke = op_revoke_entry(trustline_key(a1.id, cur1)) if entry_test else op_revoke_signer(a1, signer.key)
        if action == "transfer sponsorship":
            r = apply_ops(L, root, [op_begin(root, source=a2), revoke, op_end()], keys=[a2])
            idx = 1
        else:
            r = apply_ops(L, root, [revoke])
            idx = 0
    assert r.code == TC.txFAILED
    assert r.op_code(idx) == RS.REVOKE_SPONSORSHIP_LOW_RESERVE


def _too_many_sponsoring_cases(L, what):
    """(successful acc, fail acc, successful op, fail op, reserves) of
    RevokeSponsorshipTests' "too many sponsoring" sections."""
    root = L.root
    a1 = root.create("a1", L.min_balance(3))
    if what == "account":
        a2 = root.create("a2", L.min_balance(3))
        return (a2, a1, op_revoke_entry(account_key(a2.id), source=a2),
                op_revoke_entry(account_key(a1.id), source=a1), 2)
    if what == "signer":
        s1, s2 = make_signer(L.account("S1"), 1), make_signer(L.account("S2"), 1)
        assert a1.apply([op_set_options(signer=s1)]).ok
        assert a1.apply([op_set_options(signer=s2)]).ok
        return (a1, a1, op_revoke_signer(a1, s1.key, source=a1), op_revoke_signer(a1, s2.key, source=a1), 1)
    if what == "trustline":
        k1 = setup_trustline(a1, credit("CUR1", root))
        k2 = setup_trustline(a1, credit("CUR2", root))
        return a1, a1, op_revoke_entry(k2, source=a1), op_revoke_entry(k1, source=a1), 1
    if what == "claimable balance":
        k1 = _claimant_key(L, a1)
        k2 = _claimant_key(L, a1)
        return a1, a1, op_revoke_entry(k1, source=a1), op_revoke_entry(k2, source=a1), 1
    if what == "pool share trustline":
        root.pay(a1, L.min_balance(2))
        k12 = setup_pool_share_trustline(a1, hashlib.sha256(b"pool12").digest())
        kn1 = setup_pool_share_trustline(a1, hashlib.sha256(b"poolNative1").digest())
        return a1, a1, op_revoke_entry(kn1, source=a1), op_revoke_entry(k12, source=a1), 2
    raise AssertionError(what)


@pytest.mark.parametrize("setup", TOO_MANY_SPONSORING_SETUPS, ids=lambda s: s[0])
@pytest.mark.parametrize("one_left", [False, True], ids=["no space left", "one reserve left"])
@pytest.mark.parametrize("what", ["account", "signer", "trustline", "claimable balance", "pool share trustline"])
def test_revoke_too_many_sponsoring(L, what, one_left, setup):
    ok_acc, fail_acc, ok_op, fail_op, reserves = _too_many_sponsoring_cases(L, what)
    if one_left and reserves == 1:
        pytest.skip("stellar-core runs the one-reserve-left case only for multi-reserve entries")
    too_many_sponsoring(L, ok_acc, fail_acc, ok_op, fail_op, reserves + (1 if one_left else 0), setup[1], setup[2])


def _invalid_assets(issuer):
    """TestUtils getInvalidAssets."""
    out = []

    def a4(code: bytes):
        return xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                         xdr.AlphaNum4(assetCode=code.ljust(4, b"\0"), issuer=issuer.id))
    out.append(a4(b"\n"))
    out.append(a4(b"\0a"))
    out.append(a4(b"\0"))
    for v in range(123, 140):
        out.append(a4(bytes([v if v < 128 else (127 - v) & 0xFF])))
    out.append(xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM12,
                         xdr.AlphaNum12(assetCode=b"aaaa".ljust(12, b"\0"), issuer=issuer.id)))
    return out


def _malformed_keys(L, a1, a2):
    root = L.root
    out = [
        ("native trust line", trustline_key(root.id, native())),
        ("issuer trust line", trustline_key(root.id, credit("CUR1", root))),
        ("invalid offer id", offer_key(a1.id, -1)),
        ("zero offer id", offer_key(a1.id, 0)),
        ("empty data name", data_key(a1.id, b"")),
        ("control char in data name", data_key(a1.id, b"\n")),
        ("liquidity pool key", liquidity_pool_key(b"\0" * 32)),
    ]
    out += [("invalid asset %d" % i, trustline_key(a2.id, asset)) for i, asset in enumerate(_invalid_assets(a1))]
    soroban = [
        xdr.LedgerKey(contractCode=xdr.LedgerKeyContractCode(hash=b"\0" * 32)),
        xdr.LedgerKey(ttl=xdr.LedgerKeyTtl(keyHash=b"\0" * 32)),
        xdr.LedgerKey(configSetting=xdr.LedgerKeyConfigSetting(
            configSettingID=xdr.ConfigSettingID.CONFIG_SETTING_CONTRACT_MAX_SIZE_BYTES)),
    ]
    out += [("soroban %d" % i, k.to_xdr()) for i, k in enumerate(soroban)]
    return out


def test_revoke_malformed(L):
    """native trust line, issuer trust line, invalid input: all
    REVOKE_SPONSORSHIP_MALFORMED at checkValid (plus the Soroban key
    types, which doCheckValid also rejects)."""
    from tests.transactions.txscen import check_valid
    a1 = L.root.create("a1", L.min_balance(5))
    a2 = L.root.create("a2", L.min_balance(1))
    for name, key in _malformed_keys(L, a1, a2):
        res = check_valid(L, tx_from_ops(a1, [op_revoke_entry(key)]))
        assert res.result.code == TC.txFAILED, name
        assert res.result.results[0].tr.xdr_value().code == RS.REVOKE_SPONSORSHIP_MALFORMED, name


def test_revoke_pool_share_trustline_key_is_valid(L):
    """A pool-share trustline key is well formed from protocol 18: a missing
    one is DOES_NOT_EXIST at apply, not MALFORMED."""
    a1 = L.root.create("a1", L.min_balance(1))
    r = apply_ops(L, a1, [op_revoke_entry(pool_share_trustline_key(a1.id, b"\0" * 32))])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, RS.REVOKE_SPONSORSHIP_DOES_NOT_EXIST)


def test_revoke_noop_records_entry(L):
    """A no-op revoke still loads the entry for write (ltx.load): it is in
    the operation meta as STATE + UPDATED (PARITY_TRAPS L7)."""
    a1 = L.root.create("a1", L.min_balance(1))
    r = apply_ops(L, a1, [op_revoke_entry(account_key(a1.id))])
    assert r.ok
    changes = r.meta.v4.operations[0].changes
    assert [c.type for c in changes] == [xdr.LedgerEntryChangeType.LEDGER_ENTRY_STATE,
                                         xdr.LedgerEntryChangeType.LEDGER_ENTRY_UPDATED]


# =============================================================================
# the same scenarios with the real ChangeTrust / CreateClaimableBalance ops
# (cross-checks the direct setup above against those operations)
# =============================================================================
def op_change_trust(asset, limit: int, source=None):
    line = xdr.ChangeTrustAsset.from_xdr(asset.to_xdr())
    return make_op(OT.CHANGE_TRUST, xdr.ChangeTrustOp(line=line, limit=limit), source)


def op_create_claimable_balance(asset, amount: int, claimants, source=None):
    pred = xdr.ClaimPredicate(xdr.ClaimPredicateType.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME, INT64_MAX)
    cl = [xdr.Claimant(xdr.ClaimantType.CLAIMANT_TYPE_V0,
                       xdr.ClaimantV0(destination=account_id_of(c), predicate=pred)) for c in claimants]
    return make_op(OT.CREATE_CLAIMABLE_BALANCE,
                   xdr.CreateClaimableBalanceOp(asset=asset, amount=amount, claimants=cl), source)


def test_real_ops_trustline_transfer_then_remove(L):
    from tests.transactions.txscen import require_op
    require_op(OT.CHANGE_TRUST)
    root = L.root
    cur1 = credit("CUR1", root)
    a1 = root.create("a1", L.min_balance(0))
    a2 = root.create("a2", L.min_balance(2))
    r = apply_ops(L, root, [op_begin(a1), op_change_trust(cur1, 1000, source=a1), op_end(source=a1)], keys=[a1])
    assert r.ok, r.result
    key = trustline_key(a1.id, cur1)
    check_entry_sponsorship(L, key, 1, root)
    check_sponsorship(L, a1, 0, None, 1, 2, 0, 1)
    r = apply_ops(L, root, [op_begin(root, source=a2), op_revoke_entry(key), op_end()], keys=[a2])
    assert r.ok, r.result
    check_entry_sponsorship(L, key, 1, a2)
    check_sponsorship(L, a2, 0, None, 0, 2, 1, 0)
    check_sponsorship(L, root, 0, None, 0, 2, 0, 0)
    # a1 (minBalance(0)) cannot take the reserve back: LOW_RESERVE
    r = apply_ops(L, a2, [op_revoke_entry(key)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, RS.REVOKE_SPONSORSHIP_LOW_RESERVE)
    assert root.pay(a1, L.min_balance(0)).ok
    r = apply_ops(L, a2, [op_revoke_entry(key)])
    assert r.ok, r.result
    check_entry_sponsorship(L, key, 1, None)
    check_sponsorship(L, a1, 0, None, 1, 2, 0, 0)


def test_real_ops_claimable_balance_only_transferable(L):
    from tests.transactions.txscen import require_op
    require_op(OT.CREATE_CLAIMABLE_BALANCE)
    root = L.root
    a1 = root.create("a1", L.min_balance(0) + 1)
    a2 = root.create("a2", L.min_balance(2))
    r = apply_ops(L, root, [op_begin(a1), op_create_claimable_balance(native(), 1, [a1], source=a1),
                            op_end(source=a1)], keys=[a1])
    assert r.ok, r.result
    balance_id = op_inner(r, 1).balanceID
    key = claimable_balance_key(balance_id)
    check_entry_sponsorship(L, key, 1, root)
    r = apply_ops(L, root, [op_revoke_entry(key)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, RS.REVOKE_SPONSORSHIP_ONLY_TRANSFERABLE)
    r = apply_ops(L, root, [op_begin(root, source=a2), op_revoke_entry(key), op_end()], keys=[a2])
    assert r.ok, r.result
    check_entry_sponsorship(L, key, 1, a2)
    check_sponsorship(L, a1, 0, None, 0, 0, 0, 0)
    check_sponsorship(L, a2, 0, None, 0, 2, 1, 0)
    check_sponsorship(L, root, 0, None, 0, 2, 0, 0)
