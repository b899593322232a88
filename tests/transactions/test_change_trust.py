"""ChangeTrust, against stellar-core's ChangeTrustTests.cpp ("change trust",
"change trust pool share trustline") and the pool-share trustline rules of
ChangeTrustOpFrame.cpp. Expected values are stellar-core's (result codes,
limits, numSubEntries, liquidityPoolUseCount, poolSharesTrustLineCount,
available balances after a reserve increase).

The first section holds the helpers the trust / claimable-balance test
files share (op builders as in src/test/TxTests.cpp; direct ledger edits
standing in for ops other engineers are still writing: SetOptions flags,
offers' liabilities, pool deposits and withdrawals).
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.crypto import ids
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key, claimable_balance_key, liquidity_pool_key, offer_key, trustline_key
from stellarcore.transactions.operation_frame import OPERATION_FRAMES
from tests.transactions.harness import TestLedger, account_id_of, credit, make_op, muxed, native, tx_envelope

OT = xdr.OperationType
OC = xdr.OperationResultCode
TC = xdr.TransactionResultCode
CT = xdr.ChangeTrustResultCode
AT = xdr.AssetType
AF = xdr.AccountFlags
TLF = xdr.TrustLineFlags
PT = xdr.ClaimPredicateType
INT64_MAX = (1 << 63) - 1
UINT32_MAX = (1 << 32) - 1
FEE = 100
AUTHORIZED = TLF.AUTHORIZED_FLAG
MAINTAIN = TLF.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG
TL_CLAWBACK = TLF.TRUSTLINE_CLAWBACK_ENABLED_FLAG


# == shared helpers =============================================================
def require_op(op_type):
    if op_type not in OPERATION_FRAMES:
        pytest.skip(f"{op_type.name} not implemented yet")


def ct_asset(a) -> "xdr.ChangeTrustAsset":
    return a if isinstance(a, xdr.ChangeTrustAsset) else xdr.ChangeTrustAsset.from_xdr(a.to_xdr())


def pool_share(a, b, fee=30) -> "xdr.ChangeTrustAsset":
    """makeChangeTrustAssetPoolShare (without its order check)."""
    return xdr.ChangeTrustAsset(AT.ASSET_TYPE_POOL_SHARE, xdr.LiquidityPoolParameters(
        xdr.LiquidityPoolType.LIQUIDITY_POOL_CONSTANT_PRODUCT,
        xdr.LiquidityPoolConstantProductParameters(assetA=a, assetB=b, fee=fee)))


def pool_id_of(ct) -> bytes:
    return ids.liquidity_pool_id(ct.liquidityPool)


def tl_asset(a) -> "xdr.TrustLineAsset":
    if isinstance(a, xdr.ChangeTrustAsset) and a.type == AT.ASSET_TYPE_POOL_SHARE:
        return xdr.TrustLineAsset(AT.ASSET_TYPE_POOL_SHARE, pool_id_of(a))
    return xdr.TrustLineAsset.from_xdr(a.to_xdr())


def change_trust(line, limit, source=None):
    return make_op(OT.CHANGE_TRUST, xdr.ChangeTrustOp(line=ct_asset(line), limit=limit), source)


def allow_trust(trustor, asset, authorize, source=None):
    if asset.type == AT.ASSET_TYPE_CREDIT_ALPHANUM4:
        code = xdr.AssetCode(AT.ASSET_TYPE_CREDIT_ALPHANUM4, asset.alphaNum4.assetCode)
    else:
        code = xdr.AssetCode(AT.ASSET_TYPE_CREDIT_ALPHANUM12, asset.alphaNum12.assetCode)
    return make_op(OT.ALLOW_TRUST, xdr.AllowTrustOp(trustor=account_id_of(trustor), asset=code,
                                                     authorize=authorize), source)


def set_trust_line_flags(trustor, asset, set_flags=0, clear_flags=0, source=None):
    return make_op(OT.SET_TRUST_LINE_FLAGS, xdr.SetTrustLineFlagsOp(
        trustor=account_id_of(trustor), asset=asset, clearFlags=clear_flags, setFlags=set_flags), source)


def deny_op(variant, trustor, asset, source=None):
    """TestAccount::denyTrust for AllowTrust (V=0) or SetTrustLineFlags (V=1)."""
    if variant == 0:
        return allow_trust(trustor, asset, 0, source)
    return set_trust_line_flags(trustor, asset, clear_flags=AUTHORIZED | MAINTAIN, source=source)


def allow_op(variant, trustor, asset, source=None):
    if variant == 0:
        return allow_trust(trustor, asset, AUTHORIZED, source)
    return set_trust_line_flags(trustor, asset, set_flags=AUTHORIZED, clear_flags=MAINTAIN, source=source)


def maintain_op(variant, trustor, asset, source=None):
    if variant == 0:
        return allow_trust(trustor, asset, MAINTAIN, source)
    return set_trust_line_flags(trustor, asset, set_flags=MAINTAIN, clear_flags=AUTHORIZED, source=source)


def clawback(from_, asset, amount, source=None):
    f = from_ if isinstance(from_, xdr.MuxedAccount) else muxed(from_)
    return make_op(OT.CLAWBACK, xdr.ClawbackOp(asset=asset, from_=f, amount=amount), source)


def pred_unconditional():
    return xdr.ClaimPredicate(PT.CLAIM_PREDICATE_UNCONDITIONAL)


def pred_abs(t):
    return xdr.ClaimPredicate(PT.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME, t)


def pred_rel(t):
    return xdr.ClaimPredicate(PT.CLAIM_PREDICATE_BEFORE_RELATIVE_TIME, t)


def pred_and(a, b):
    return xdr.ClaimPredicate(PT.CLAIM_PREDICATE_AND, [a, b])


def pred_or(a, b):
    return xdr.ClaimPredicate(PT.CLAIM_PREDICATE_OR, [a, b])


def pred_not(a):
    return xdr.ClaimPredicate(PT.CLAIM_PREDICATE_NOT, a)


def claimant(dest, pred=None):
    return xdr.Claimant(xdr.ClaimantType.CLAIMANT_TYPE_V0,
                        xdr.ClaimantV0(destination=account_id_of(dest), predicate=pred or pred_unconditional()))


def create_cb(asset, amount, claimants, source=None):
    return make_op(OT.CREATE_CLAIMABLE_BALANCE, xdr.CreateClaimableBalanceOp(
        asset=asset, amount=amount, claimants=list(claimants)), source)


def claim_cb(balance_id, source=None):
    return make_op(OT.CLAIM_CLAIMABLE_BALANCE, xdr.ClaimClaimableBalanceOp(balanceID=balance_id), source)


def clawback_cb(balance_id, source=None):
    return make_op(OT.CLAWBACK_CLAIMABLE_BALANCE, xdr.ClawbackClaimableBalanceOp(balanceID=balance_id), source)


def begin_sponsoring(sponsored, source=None):
    return make_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES,
                   xdr.BeginSponsoringFutureReservesOp(sponsoredID=account_id_of(sponsored)), source)


def end_sponsoring(source=None):
    return make_op(OT.END_SPONSORING_FUTURE_RESERVES, None, source)


def apply_ops(L, source, ops, signers=None):
    """A transaction from `source` (TestAccount) with `ops`, signed by `signers`."""
    env = tx_envelope(source, source.seq + 1, ops, signers=signers)
    return L.apply(env)


def ok(r, i=0):
    assert r.ok, (r.code, [x for x in r.op_results])
    return r


def fails(r, code, i=0):
    assert r.code == TC.txFAILED, r.code
    assert r.op_code(i) == code, (r.op_code(i), code)
    return r


def set_account_flags(L, acc, set_flags=0, clear_flags=0):
    """SetOptions' effect on the account flags (the op is not ours)."""
    e = L.load(account_key(acc.id))
    e.data.account.flags = (e.data.account.flags & ~clear_flags) | set_flags
    L.put(e)


def edit_account(L, acc, fn):
    e = L.load(account_key(acc.id))
    fn(e.data.account)
    L.put(e)


def edit_trustline(L, acc, asset, fn):
    e = L.load(trustline_key(acc.id, tl_asset(asset)))
    fn(e.data.trustLine)
    L.put(e)


def trustline(acc, asset):
    e = acc.ledger.load(trustline_key(acc.id, tl_asset(asset)))
    return None if e is None else e.data.trustLine


def use_count(acc, asset) -> int:
    tl = trustline(acc, asset)
    return tl.ext.v1.ext.v2.liquidityPoolUseCount if B.has_trustline_ext_v2(tl) else 0


def pool(L, pid):
    e = L.load(liquidity_pool_key(pid))
    return None if e is None else e.data.liquidityPool.body.constantProduct


def check_pool(L, pid, reserve_a, reserve_b, total_shares, tl_count):
    """checkLiquidityPool."""
    cp = pool(L, pid)
    assert (cp.reserveA, cp.reserveB, cp.totalPoolShares, cp.poolSharesTrustLineCount) == (
        reserve_a, reserve_b, total_shares, tl_count)


def sponsor_counts(acc):
    """(numSponsoring, numSponsored)."""
    a = acc.entry().data.account
    return B.num_sponsoring(a), B.num_sponsored(a)


def entry_sponsor(L, key):
    e = L.load(key)
    return B.entry_sponsor(e)


def available(acc) -> int:
    return B.available_balance(acc.ledger.header, acc.entry())


def cb_entry(L, balance_id):
    e = L.load(claimable_balance_key(balance_id))
    return None if e is None else e.data.claimableBalance


def put_offer(L, seller, offer_id, selling, buying, amount):
    """An offer at price 1/1 with its liabilities and subentry (ManageSellOffer's
    effect): selling and buying liabilities are both `amount`."""
    o = xdr.OfferEntry(sellerID=seller.id, offerID=offer_id, selling=selling, buying=buying, amount=amount,
                       price=xdr.Price(n=1, d=1), flags=0, ext=xdr.OfferEntryExt(0))
    L.put(xdr.LedgerEntry(lastModifiedLedgerSeq=L.header.ledgerSeq, data=xdr.LedgerEntryData(offer=o),
                          ext=xdr.LedgerEntryExt(0)))
    for asset, sell in ((selling, True), (buying, False)):
        if asset.type == AT.ASSET_TYPE_NATIVE:
            def f(a, sell=sell):
                li = B.prepare_account_ext_v1(a).liabilities
                if sell:
                    li.selling += amount
                else:
                    li.buying += amount
            edit_account(L, seller, f)
        elif account_id_of(seller) != (asset.alphaNum4.issuer if asset.type == AT.ASSET_TYPE_CREDIT_ALPHANUM4
                                       else asset.alphaNum12.issuer):
            def g(t, sell=sell):
                li = B.prepare_trustline_ext_v1(t).liabilities
                if sell:
                    li.selling += amount
                else:
                    li.buying += amount
            edit_trustline(L, seller, asset, g)
    edit_account(L, seller, lambda a: setattr(a, "numSubEntries", a.numSubEntries + 1))
    return offer_key(seller.id, offer_id)


def _is_issuer(acc, asset):
    if asset.type == AT.ASSET_TYPE_NATIVE:
        return False
    iss = asset.alphaNum4.issuer if asset.type == AT.ASSET_TYPE_CREDIT_ALPHANUM4 else asset.alphaNum12.issuer
    return iss == acc.id


def move_pool(L, acc, ct, amount_a, amount_b, shares):
    """LiquidityPoolDeposit's (positive) or LiquidityPoolWithdraw's (negative)
    effect on the depositor's lines, the pool and the pool-share line."""
    cp_params = ct.liquidityPool.constantProduct
    for asset, amount in ((cp_params.assetA, amount_a), (cp_params.assetB, amount_b)):
        if asset.type == AT.ASSET_TYPE_NATIVE:
            edit_account(L, acc, lambda a, amount=amount: setattr(a, "balance", a.balance - amount))
        elif not _is_issuer(acc, asset):
            edit_trustline(L, acc, asset, lambda t, amount=amount: setattr(t, "balance", t.balance - amount))
    pid = pool_id_of(ct)
    e = L.load(liquidity_pool_key(pid))
    cp = e.data.liquidityPool.body.constantProduct
    cp.reserveA += amount_a
    cp.reserveB += amount_b
    cp.totalPoolShares += shares
    L.put(e)
    edit_trustline(L, acc, ct, lambda t: setattr(t, "balance", t.balance + shares))


def set_pool(L, ct, reserve_a, reserve_b):
    """The pool's reserves after trades (PathPayment's effect on the pool)."""
    e = L.load(liquidity_pool_key(pool_id_of(ct)))
    cp = e.data.liquidityPool.body.constantProduct
    cp.reserveA, cp.reserveB = reserve_a, reserve_b
    L.put(e)


def world(accounts=(("gw", 2),)):
    """TestLedger with root and named accounts created with minBalance(n)."""
    L = TestLedger()
    out = [L]
    for name, n in accounts:
        out.append(L.root.create(name, L.min_balance(n)))
    return out


# == "change trust" ===========================================================
def test_basic():
    L, gw = world()
    root = L.root
    idr = credit("IDR", gw)
    fails(root.apply([change_trust(idr, 0)]), CT.CHANGE_TRUST_INVALID_LIMIT)
    ok(root.apply([change_trust(idr, 100)]))
    assert root.num_sub_entries == 1
    ok(gw.pay(root, 90, idr))
    for limit in (89, 0):
        fails(root.apply([change_trust(idr, limit)]), CT.CHANGE_TRUST_INVALID_LIMIT)
    ok(root.apply([change_trust(idr, 90)]))
    assert trustline(root, idr).limit == 90
    ok(root.pay(gw, 90, idr))
    ok(root.apply([change_trust(idr, 0)]))
    assert trustline(root, idr) is None
    assert root.num_sub_entries == 0


def test_new_trustline_flags_follow_issuer():
    """AUTHORIZED unless the issuer has AUTH_REQUIRED; clawback copied."""
    rows = [(0, AUTHORIZED), (AF.AUTH_REQUIRED_FLAG, 0),
            (AF.AUTH_REVOCABLE_FLAG | AF.AUTH_CLAWBACK_ENABLED_FLAG, AUTHORIZED | TL_CLAWBACK),
            (AF.AUTH_REQUIRED_FLAG | AF.AUTH_REVOCABLE_FLAG | AF.AUTH_CLAWBACK_ENABLED_FLAG, TL_CLAWBACK)]
    for issuer_flags, tl_flags in rows:
        L, gw, a = world((("gw", 2), ("a", 2)))
        set_account_flags(L, gw, issuer_flags)
        idr = credit("IDR", gw)
        ok(a.apply([change_trust(idr, 10)]))
        tl = trustline(a, idr)
        assert (tl.flags, tl.balance, tl.limit, tl.ext.v) == (tl_flags, 0, 10, 0)


def test_issuer_does_not_exist():
    L, gw = world()
    root = L.root
    fails(root.apply([change_trust(credit("IDR", L.account("non-existing")), 100)]), CT.CHANGE_TRUST_NO_ISSUER)
    idr = credit("IDR", gw)
    ok(root.apply([change_trust(idr, 100)]))
    del L.root_store.entries[account_key(gw.id)]  # gateway merged away; the line stays
    fails(root.apply([change_trust(idr, 99)]), CT.CHANGE_TRUST_NO_ISSUER)
    # deleting does not look at the issuer
    ok(root.apply([change_trust(idr, 0)]))


def test_trusting_self_and_native_are_malformed():
    L, gw = world()
    idr = credit("IDR", gw)
    fails(gw.apply([change_trust(idr, 50)]), CT.CHANGE_TRUST_MALFORMED)
    fails(gw.apply([change_trust(native(), INT64_MAX - 1)]), CT.CHANGE_TRUST_MALFORMED)
    fails(gw.apply([change_trust(idr, -1)]), CT.CHANGE_TRUST_MALFORMED)
    bad = credit("IDR", gw)
    bad.alphaNum4.assetCode = b"\0IDR"
    fails(L.root.apply([change_trust(bad, 10)]), CT.CHANGE_TRUST_MALFORMED)
    # paying self still works and the issuer has no line
    before = gw.balance
    ok(gw.pay(gw, 50, idr))
    assert gw.balance == before - FEE
    assert trustline(gw, idr) is None


@pytest.mark.parametrize("extra, expected", [(0, CT.CHANGE_TRUST_LOW_RESERVE), (FEE + 1, CT.CHANGE_TRUST_SUCCESS)])
def test_native_selling_liabilities_count_against_reserve(extra, expected):
    """acc1 created with minBalance(2) + 2*fee + 500 - 1 sells 500 XLM; a new
    line needs one more reserve than is available until it gets fee + 1."""
    L, gw = world()
    idr = credit("IDR", gw)
    acc1 = L.root.create("acc1", L.min_balance(2) + 2 * FEE + 500 - 1)
    put_offer(L, acc1, 1, native(), credit("CUR1", acc1), 500)
    edit_account(L, acc1, lambda a: setattr(a, "balance", a.balance - FEE))  # the offer tx's fee
    if extra:
        ok(L.root.pay(acc1, extra))
    r = acc1.apply([change_trust(idr, 1000)])
    if expected == CT.CHANGE_TRUST_SUCCESS:
        ok(r)
    else:
        fails(r, expected)


def test_native_buying_liabilities_do_not_count():
    L, gw = world()
    idr = credit("IDR", gw)
    acc1 = L.root.create("acc1", L.min_balance(2) + 2 * FEE + 500 - 1)
    put_offer(L, acc1, 1, credit("CUR1", acc1), native(), 500)
    ok(acc1.apply([change_trust(idr, 1000)]))


def test_limit_not_below_buying_liabilities():
    L, gw = world()
    idr = credit("IDR", gw)
    acc1 = L.root.create("acc1", L.min_balance(2) + 10 * FEE)
    ok(acc1.apply([change_trust(idr, 1000)]))
    put_offer(L, acc1, 1, native(), idr, 500)
    ok(acc1.apply([change_trust(idr, 500)]))
    for limit in (499, 0):
        fails(acc1.apply([change_trust(idr, limit)]), CT.CHANGE_TRUST_INVALID_LIMIT)


@pytest.mark.parametrize("reserves_left", [1])
def test_too_many_subentries(reserves_left):
    """tooManySubentries: numSubEntries at the limit minus what one op needs
    (a credit line needs one, so there is no "one reserve left" case)."""
    L, gw = world()
    acc1 = L.root.create("acc1", L.min_balance(0))
    ok(L.root.pay(acc1, 10 ** 15))
    idr, usd = credit("IDR", gw), credit("USD", gw)
    edit_account(L, acc1, lambda a: setattr(a, "numSubEntries", 1000 - reserves_left))
    ok(acc1.apply([change_trust(idr, 1)]))
    fails(acc1.apply([change_trust(usd, 1)]), OC.opTOO_MANY_SUBENTRIES)


def test_too_many_subentries_due_to_num_sponsoring():
    L, gw = world()
    acc1 = L.root.create("acc1", L.min_balance(0))
    ok(L.root.pay(acc1, available(L.root) - FEE))
    idr, usd = credit("IDR", gw), credit("USD", gw)

    def f(a):
        B.prepare_account_ext_v2(a).numSponsoring = UINT32_MAX - 1 - 50
        a.numSubEntries = 50
    edit_account(L, acc1, f)
    ok(acc1.apply([change_trust(idr, 1)]))
    fails(acc1.apply([change_trust(usd, 1)]), OC.opTOO_MANY_SUBENTRIES)


def test_create_and_delete_in_same_tx():
    L, gw = world()
    idr = credit("IDR", gw)
    r = ok(L.root.apply([change_trust(idr, 100), change_trust(idr, 0)]))
    assert trustline(L.root, idr) is None
    # an entry created and erased in one transaction leaves no trace in the tx
    assert L.root.num_sub_entries == 0
    assert len(r.meta.v4.operations) == 2


def test_sponsored_trustline_create_modify_remove():
    """createModifyAndRemoveSponsoredEntry for changeTrust: the sponsor's
    numSponsoring and the owner's numSponsored/numSubEntries move by 1."""
    require_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES)
    L, gw, acc2 = world((("gw", 2), ("a2", 0)))
    root = L.root
    idr = credit("IDR", gw)
    key = trustline_key(acc2.id, idr)
    ok(apply_ops(L, root, [begin_sponsoring(acc2), change_trust(idr, 1000, acc2), end_sponsoring(acc2)],
                 signers=[root, acc2]))
    assert entry_sponsor(L, key) == root.id
    assert acc2.num_sub_entries == 1 and sponsor_counts(acc2) == (0, 1) and sponsor_counts(root) == (1, 0)
    ok(root.pay(acc2, L.min_balance(0)))
    ok(acc2.apply([change_trust(idr, 999)]))
    ok(acc2.apply([change_trust(idr, 1001)]))
    assert entry_sponsor(L, key) == root.id and trustline(acc2, idr).limit == 1001
    ok(acc2.apply([change_trust(idr, 0)]))
    assert acc2.num_sub_entries == 0 and sponsor_counts(acc2) == (0, 0) and sponsor_counts(root) == (0, 0)


def test_sponsor_with_insufficient_balance():
    """createSponsoredEntryButSponsorHasInsufficientBalance: LOW_RESERVE."""
    require_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES)
    L, gw, acc1, acc2 = world((("gw", 2), ("a1", 0), ("a2", 0)))
    ok(L.root.pay(acc1, L.min_balance(1) - 1 - L.min_balance(0)))
    idr = credit("IDR", gw)
    r = apply_ops(L, acc1, [begin_sponsoring(acc2), change_trust(idr, 1000, acc2), end_sponsoring(acc2)],
                  signers=[acc1, acc2])
    fails(r, CT.CHANGE_TRUST_LOW_RESERVE, 1)


# == "change trust pool share trustline" ========================================
def test_pool_share_malformed():
    L, gw = world()
    root = L.root
    idr, usd = credit("IDR", gw), credit("USD", gw)
    for line in (pool_share(idr, usd, 29), pool_share(usd, idr), pool_share(idr, native()), pool_share(idr, idr)):
        fails(root.apply([change_trust(line, 10)]), CT.CHANGE_TRUST_MALFORMED)
    fails(root.apply([change_trust(pool_share(idr, usd), 0)]), CT.CHANGE_TRUST_INVALID_LIMIT)


POOL_CASES = [  # (assetA, assetB) by name: gateway's, root's own, native
    ("new pool with two non-native assets", ("gw:IDR", "gw:USD"), False),
    ("existing pool with two non-native assets", ("gw:IDR", "gw:USD"), True),
    ("new pool with a native asset", ("native", "gw:IDR"), False),
    ("existing pool with a native asset", ("native", "gw:IDR"), True),
    ("pool with two alphanum12 assets", ("gw:IDR12", "gw:USD12"), False),
    ("new pool with one issuer asset", ("gw:IDR", "root:USD"), False),
    ("existing pool with one issuer asset", ("gw:IDR", "root:USD"), True),
    ("new pool with two issuer assets", ("root:IDR", "root:USD"), False),
    ("existing pool with two issuer assets", ("root:IDR", "root:USD"), True),
]


def _asset(name, L, gw):
    if name == "native":
        return native()
    who, code = name.split(":")
    return credit(code, gw if who == "gw" else L.root)


@pytest.mark.parametrize("title, names, start_with_pool", POOL_CASES, ids=[c[0] for c in POOL_CASES])
def test_pool_share_trustline(title, names, start_with_pool):
    L, gw = world()
    root = L.root
    a, b = (_asset(n, L, gw) for n in names)
    if b.to_xdr() < a.to_xdr():
        a, b = b, a
    share = pool_share(a, b)
    pid = pool_id_of(share)
    if start_with_pool:
        acc1 = root.create("a1", L.min_balance(4) + 3 * FEE)
        for x in (a, b):
            if x.type != AT.ASSET_TYPE_NATIVE:
                ok(acc1.apply([change_trust(x, 10)]))
        ok(acc1.apply([change_trust(share, 10)]))
    set_account_flags(L, gw, AF.AUTH_REQUIRED_FLAG)  # root's asset lines start unauthorized
    root_a, root_b = _is_issuer(root, a), _is_issuer(root, b)
    if not root_a or not root_b:
        fails(root.apply([change_trust(share, 10)]), CT.CHANGE_TRUST_TRUST_LINE_MISSING)
    has_a = a.type != AT.ASSET_TYPE_NATIVE and not root_a
    has_b = b.type != AT.ASSET_TYPE_NATIVE and not root_b
    if has_a:
        ok(root.apply([change_trust(a, 10)]))
        fails(root.apply([change_trust(share, 10)]), CT.CHANGE_TRUST_NOT_AUTH_MAINTAIN_LIABILITIES)
        ok(gw.apply([allow_trust(root, a, MAINTAIN)]))
    if has_b:
        fails(root.apply([change_trust(share, 10)]), CT.CHANGE_TRUST_TRUST_LINE_MISSING)
        ok(root.apply([change_trust(b, 10)]))
        fails(root.apply([change_trust(share, 10)]), CT.CHANGE_TRUST_NOT_AUTH_MAINTAIN_LIABILITIES)
        ok(gw.apply([allow_trust(root, b, MAINTAIN)]))

    pre = root.num_sub_entries
    ok(root.apply([change_trust(share, 10)]))
    assert root.num_sub_entries - pre == 2
    assert trustline(root, share).flags == 0
    for has, x in ((has_a, a), (has_b, b)):
        if has:
            assert use_count(root, x) == 1
    assert pool(L, pid).poolSharesTrustLineCount == (2 if start_with_pool else 1)
    assert pool(L, pid).params == share.liquidityPool.constantProduct
    for has, x in ((has_a, a), (has_b, b)):
        if has:
            fails(root.apply([change_trust(x, 0)]), CT.CHANGE_TRUST_CANNOT_DELETE)

    if has_a:  # a second pool using assetA
        set_account_flags(L, gw, clear_flags=AF.AUTH_REQUIRED_FLAG)
        z = credit("ZZZ12", gw)
        ok(root.apply([change_trust(z, 10)]))
        share_az = pool_share(a, z)
        ok(root.apply([change_trust(share_az, 10)]))
        assert use_count(root, a) == 2
        assert pool(L, pool_id_of(share_az)).poolSharesTrustLineCount == 1
        ok(root.apply([change_trust(share_az, 0)]))
        assert pool(L, pool_id_of(share_az)) is None
        assert use_count(root, a) == 1

    for has, x in ((has_a, a), (has_b, b)):
        if has:
            ok(gw.apply([allow_trust(root, x, AUTHORIZED)]))
            ok(gw.pay(root, 10, x))
    move_pool(L, root, share, 10, 10, 10)  # liquidityPoolDeposit(10, 10)
    for limit in (9, 0):
        fails(root.apply([change_trust(share, limit)]), CT.CHANGE_TRUST_INVALID_LIMIT)
    ok(root.apply([change_trust(share, 11)]))
    move_pool(L, root, share, -10, -10, -10)  # liquidityPoolWithdraw(10)

    post = root.num_sub_entries
    ok(root.apply([change_trust(share, 0)]))
    assert trustline(root, share) is None
    assert root.num_sub_entries == post - 2
    for has, x in ((has_a, a), (has_b, b)):
        if has:
            assert use_count(root, x) == 0
    assert (pool(L, pid) is not None) == start_with_pool
    for has, x in ((has_a, a), (has_b, b)):
        if has:
            ok(root.pay(gw, 10, x))
            ok(root.apply([change_trust(x, 0)]))


@pytest.mark.parametrize("reserves_left", [2, 3])
def test_pool_share_too_many_subentries(reserves_left):
    L, gw = world()
    idr, usd = credit("IDR", gw), credit("USD", gw)
    acc1 = L.root.create("acc1", L.min_balance(3))
    ok(acc1.apply([change_trust(idr, 1)]))
    ok(acc1.apply([change_trust(usd, 1)]))
    ok(L.root.pay(acc1, 10 ** 15))
    edit_account(L, acc1, lambda a: setattr(a, "numSubEntries", 1000 - reserves_left))
    ok(acc1.apply([change_trust(pool_share(idr, usd), 1)]))
    fails(acc1.apply([change_trust(pool_share(native(), idr), 1)]), OC.opTOO_MANY_SUBENTRIES)
    # a failed pool-share op leaves the asset lines' use counts alone
    assert use_count(acc1, idr) == 1


def test_pool_share_low_reserve():
    L, gw = world()
    idr, usd = credit("IDR", gw), credit("USD", gw)
    acc1 = L.root.create("acc1", L.min_balance(3))
    ok(acc1.apply([change_trust(idr, 10)]))
    ok(acc1.apply([change_trust(usd, 10)]))
    share = pool_share(idr, usd)
    fails(acc1.apply([change_trust(share, 10)]), CT.CHANGE_TRUST_LOW_RESERVE)
    assert pool(L, pool_id_of(share)) is None and use_count(acc1, idr) == 0
    ok(L.root.pay(acc1, L.min_balance(0)))
    ok(acc1.apply([change_trust(share, 10)]))


def test_delete_pool_share_trustline_below_reserve():
    """After the reserve doubles, acc1 (2 account + 2 asset-line + 2 pool-line
    reserves, nothing available) is at -600000000 and deleting the pool-share
    line (op from acc1 in a tx paid by root) brings it to -200000000."""
    L, gw = world()
    root = L.root
    idr, usd = credit("IDR", gw), credit("USD", gw)
    share = pool_share(idr, usd)
    acc1 = root.create("acc1", L.min_balance(5))
    for line in (idr, usd, share):
        ok(acc1.apply([change_trust(line, 1)]))
    ok(acc1.pay(root, available(acc1) - FEE))
    assert available(acc1) == 0
    L.header.baseReserve *= 2
    assert available(acc1) == -600000000
    ok(apply_ops(L, root, [change_trust(share, 0, acc1)], signers=[root, acc1]))
    assert available(acc1) == -200000000


def test_delete_sponsored_pool_share_trustline_below_reserve():
    require_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES)
    L, gw = world()
    root = L.root
    idr, usd = credit("IDR", gw), credit("USD", gw)
    share = pool_share(idr, usd)
    acc1 = root.create("acc1", L.min_balance(5))
    ok(acc1.apply([change_trust(idr, 1)]))
    ok(acc1.apply([change_trust(usd, 1)]))
    sp = root.create("sponsoringAcc", L.min_balance(5))
    ok(apply_ops(L, sp, [begin_sponsoring(acc1), change_trust(share, 1, acc1), end_sponsoring(acc1)],
                 signers=[sp, acc1]))
    ok(acc1.pay(root, available(acc1) - FEE))
    ok(sp.pay(root, available(sp) - FEE))
    L.header.baseReserve *= 2
    assert available(acc1) == -400000000 and available(sp) == -400000000
    ok(apply_ops(L, root, [change_trust(share, 0, acc1)], signers=[root, acc1]))
    assert available(acc1) == -400000000 and available(sp) == 0


def test_sponsored_pool_share_trustline_by_issuer_of_both_assets():
    require_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES)
    L, gw = world()
    idr, usd = credit("IDR", gw), credit("USD", gw)
    share = pool_share(idr, usd)
    acc1 = L.root.create("acc1", L.min_balance(4))
    ok(acc1.apply([change_trust(idr, 10)]))
    ok(acc1.apply([change_trust(usd, 10)]))
    ok(acc1.pay(L.root, available(acc1) - FEE))
    ok(L.root.pay(gw, 3 * FEE))  # stellar-core applies this tx without charging its fee
    ok(apply_ops(L, gw, [begin_sponsoring(acc1), change_trust(share, 10, acc1), end_sponsoring(acc1)],
                 signers=[gw, acc1]))
    assert entry_sponsor(L, trustline_key(acc1.id, tl_asset(share))) == gw.id
    assert acc1.num_sub_entries == 4 and sponsor_counts(acc1) == (0, 2) and sponsor_counts(gw) == (2, 0)
