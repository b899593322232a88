"""SetTrustLineFlags, against stellar-core's SetTrustLineFlagsTests.cpp:
"set trustline flags" (flag arithmetic, validity, CANT_REVOKE, INVALID_STATE)
and "revoke from pool" for both revoking ops (AllowTrust and
SetTrustLineFlags): pool shares redeemed into claimable balances whose
IDs hash (tx source, tx seq, op index, pool, asset) under
ENVELOPE_TYPE_POOL_REVOKE_OP_ID, withdrawal amounts rounded down, no
balance for the trustor's own asset or a zero amount, pools deleted with
their last line, use counts released, and the balances sponsored by the
line's sponsor (or the sandwich's sponsor).

Deposits and trades are applied to the ledger directly (LiquidityPoolDeposit
and PathPayment belong to other modules); the pool states are the ones the
stellar-core test asserts with checkLiquidityPool.
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.crypto import ids
from stellarcore.transactions import events as E
from tests.transactions.harness import credit, native
from tests.transactions.test_change_trust import (AF, AUTHORIZED, FEE, INT64_MAX, MAINTAIN, OC, OT, TL_CLAWBACK,
                                                  UINT32_MAX, _is_issuer, allow_trust, apply_ops, available,
                                                  begin_sponsoring, change_trust, check_pool, claim_cb, clawback,
                                                  clawback_cb, deny_op, edit_account, end_sponsoring, entry_sponsor,
                                                  fails, move_pool, ok, pool, pool_id_of, pool_share, require_op,
                                                  set_account_flags, set_pool, set_trust_line_flags,
                                                  sponsor_counts, tl_asset, trustline, use_count, world)
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import claimable_balance_key, trustline_key
from tests.transactions.harness import op_payment

C = xdr.SetTrustLineFlagsResultCode
CC = xdr.ClaimClaimableBalanceResultCode
CBC = xdr.ClawbackClaimableBalanceResultCode
START = 20000


# == "set trustline flags" ===========================================================
def setup():
    L, gw, a1, a2 = world((("gw", 4), ("A1", 4), ("A2", 4)))
    ok(L.root.pay(a1, 10000))
    idr = credit("IDR", gw)
    set_account_flags(L, gw, AF.AUTH_REVOCABLE_FLAG)
    ok(a1.apply([change_trust(idr, INT64_MAX)]))  # authorized: gw is not auth required
    return L, gw, a1, a2, idr


def test_small_test():
    L, gw, a1, a2, idr = setup()
    ok(gw.pay(a1, 5, idr))
    ok(a1.pay(gw, 1, idr))
    ok(gw.apply([set_trust_line_flags(a1, idr, MAINTAIN, AUTHORIZED)]))
    assert trustline(a1, idr).flags == MAINTAIN
    fails(a1.pay(gw, START, idr), xdr.PaymentResultCode.PAYMENT_SRC_NOT_AUTHORIZED)


def test_empty_flags_is_noop():
    L, gw, a1, a2, idr = setup()
    before = trustline(a1, idr).flags
    r = ok(gw.apply([set_trust_line_flags(a1, idr)]))
    assert trustline(a1, idr).flags == before == AUTHORIZED
    # still a set_authorized(true) event
    assert r.meta.v4.operations[0].events[0].body.v0.data.b is True


def test_clear_clawback():
    L, gw, a1, a2, idr = setup()
    set_account_flags(L, gw, AF.AUTH_CLAWBACK_ENABLED_FLAG)
    ok(a2.apply([change_trust(idr, INT64_MAX)]))
    ok(gw.pay(a2, 100, idr))
    ok(gw.apply([clawback(a2, idr, 25)]))
    ok(gw.apply([set_trust_line_flags(a2, idr, clear_flags=TL_CLAWBACK)]))
    assert trustline(a2, idr).flags == AUTHORIZED
    fails(gw.apply([clawback(a2, idr, 25)]), xdr.ClawbackResultCode.CLAWBACK_NOT_CLAWBACK_ENABLED)


def test_upgrade_auth_when_not_revocable():
    # authorized -> maintain (revocable) -> authorized (not revocable)
    L, gw, a1, a2, idr = setup()
    ok(gw.apply([set_trust_line_flags(a1, idr, MAINTAIN, AUTHORIZED)]))
    set_account_flags(L, gw, clear_flags=AF.AUTH_REVOCABLE_FLAG)
    ok(gw.apply([set_trust_line_flags(a1, idr, AUTHORIZED, MAINTAIN)]))
    assert trustline(a1, idr).flags == AUTHORIZED
    # 0 -> authorized, 0 -> maintain
    for target in (AUTHORIZED, MAINTAIN):
        L, gw, a1, a2, idr = setup()
        ok(gw.apply([set_trust_line_flags(a1, idr, clear_flags=AUTHORIZED | MAINTAIN)]))
        set_account_flags(L, gw, clear_flags=AF.AUTH_REVOCABLE_FLAG)
        ok(gw.apply([set_trust_line_flags(a1, idr, target)]))
        assert trustline(a1, idr).flags == target


@pytest.mark.parametrize("first, second", [(AUTHORIZED, MAINTAIN), (MAINTAIN, AUTHORIZED)])
def test_invalid_state(first, second):
    L, gw, a1, a2, idr = setup()
    set_account_flags(L, gw, AF.AUTH_REQUIRED_FLAG)
    ok(a2.apply([change_trust(idr, INT64_MAX)]))
    ok(gw.apply([set_trust_line_flags(a2, idr, first)]))
    fails(gw.apply([set_trust_line_flags(a2, idr, second)]), C.SET_TRUST_LINE_FLAGS_INVALID_STATE)


def test_cant_revoke():
    L, gw, a1, a2, idr = setup()
    set_account_flags(L, gw, clear_flags=AF.AUTH_REVOCABLE_FLAG)
    fails(gw.apply([set_trust_line_flags(a1, idr, clear_flags=AUTHORIZED)]), C.SET_TRUST_LINE_FLAGS_CANT_REVOKE)
    L, gw, a1, a2, idr = setup()
    ok(gw.apply([set_trust_line_flags(a1, idr, MAINTAIN, AUTHORIZED)]))
    set_account_flags(L, gw, clear_flags=AF.AUTH_REVOCABLE_FLAG)
    fails(gw.apply([set_trust_line_flags(a1, idr, clear_flags=MAINTAIN)]), C.SET_TRUST_LINE_FLAGS_CANT_REVOKE)


def test_no_trust():
    L, gw, a1, a2, idr = setup()
    fails(gw.apply([set_trust_line_flags(a2, idr)]), C.SET_TRUST_LINE_FLAGS_NO_TRUST_LINE)


def _invalid_assets(issuer):
    """testutil::getInvalidAssets: bad characters, non-trailing zeros, too short codes."""
    out = []
    for raw in (b"\x7f\0\0\0", b"\0A\0\0", b"A\0B\0", b"\0\0\0\0", b"$AB\0"):
        a = credit("A", issuer)
        a.alphaNum4.assetCode = raw
        out.append(a)
    for raw in (b"ABCD\0\0\0\0\0\0\0\0", b"ABCDE\0F\0\0\0\0\0", b"ABCDEFGHIJK\x80"):
        a = credit("ABCDEFGH", issuer)
        a.alphaNum12.assetCode = raw
        out.append(a)
    return out


def test_malformed():
    L, gw, a1, a2, idr = setup()
    cases = [set_trust_line_flags(a1, idr, AUTHORIZED | MAINTAIN),
             set_trust_line_flags(a1, idr, TL_CLAWBACK),
             set_trust_line_flags(a1, native()),
             set_trust_line_flags(a1, idr, AUTHORIZED, AUTHORIZED | MAINTAIN),
             set_trust_line_flags(a1, idr, AUTHORIZED, AUTHORIZED),
             set_trust_line_flags(a1, idr, 8),
             set_trust_line_flags(a1, idr, clear_flags=8),
             set_trust_line_flags(gw, idr)]
    cases += [set_trust_line_flags(a1, bad) for bad in _invalid_assets(gw)]
    for op in cases:
        fails(gw.apply([op]), C.SET_TRUST_LINE_FLAGS_MALFORMED)
    fails(a1.apply([set_trust_line_flags(gw, idr)]), C.SET_TRUST_LINE_FLAGS_MALFORMED)


# == "revoke from pool" ================================================================
VARIANTS = [1, 0]  # SetTrustLineFlags, AllowTrust


class Pools:
    """The "revoke from pool" world: root issues CUR1/CUR2 and is revocable."""

    def __init__(self):
        L, acc1, wrong = world((("acc1", 10), ("wrong", 0)))
        self.L, self.root, self.acc1, self.wrong = L, L.root, acc1, wrong
        self.cur1, self.cur2 = credit("CUR1", L.root), credit("CUR2", L.root)
        set_account_flags(L, L.root, AF.AUTH_REVOCABLE_FLAG)

    def issuer_of(self, asset):
        return self.acc1 if _is_issuer(self.acc1, asset) else self.root

    def deposit(self, account, a, b, amount_a=200, amount_b=50, shares=100):
        """depositIntoPool: lines of 2x the amounts, funded, then deposit."""
        assert a.to_xdr() < b.to_xdr()
        for asset, amount in ((a, amount_a), (b, amount_b)):
            if asset.type != xdr.AssetType.ASSET_TYPE_NATIVE and not _is_issuer(account, asset):
                ok(account.apply([change_trust(asset, amount * 2)]))
                ok(self.issuer_of(asset).pay(account, amount, asset))
        ct = pool_share(a, b)
        ok(account.apply([change_trust(ct, 100)]))
        move_pool(self.L, account, ct, amount_a, amount_b, shares)
        return ct

    def revoke(self, variant, account, asset, cts, num_cbs, source=None):
        """revoke(): subentries drop by 2 per pool line, the trustor sponsors
        `num_cbs` new balances, no pool-share line is left."""
        source = source or self.root
        pre_sub, pre_sp = account.num_sub_entries, sponsor_counts(account)[0]
        r = ok(source.apply([deny_op(variant, account, asset)]))
        assert pre_sub == account.num_sub_entries + 2 * len(cts)
        assert pre_sp == sponsor_counts(account)[0] - num_cbs
        for ct in cts:
            assert trustline(account, ct) is None
        return r, source.seq

    def redeem(self, test_clawback, claimant, tx_source, asset, pid, seq, op_index, expected):
        """redeemBalance: the right ID works, wrong envelope/op/source IDs do not."""
        bid = ids.pool_revoke_balance_id(tx_source.id, seq, op_index, pid, asset)
        wrong_env = xdr.ClaimableBalanceID(xdr.ClaimableBalanceIDType.CLAIMABLE_BALANCE_ID_TYPE_V0,
                                           ids.operation_id(tx_source.id, seq, op_index))
        wrong_ids = [wrong_env, ids.pool_revoke_balance_id(tx_source.id, seq, op_index + 1, pid, asset),
                     ids.pool_revoke_balance_id(self.wrong.id, seq, op_index, pid, asset)]
        root = self.root
        if test_clawback:
            for w in wrong_ids:
                fails(root.apply([clawback_cb(w)]), CBC.CLAWBACK_CLAIMABLE_BALANCE_DOES_NOT_EXIST)
            if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE:
                fails(root.apply([clawback_cb(bid)]), CBC.CLAWBACK_CLAIMABLE_BALANCE_NOT_ISSUER)
            else:
                ok(root.apply([clawback_cb(bid)]))
            return
        for w in wrong_ids:
            fails(claimant.apply([claim_cb(w)]), CC.CLAIM_CLAIMABLE_BALANCE_DOES_NOT_EXIST)
        if asset.type != xdr.AssetType.ASSET_TYPE_NATIVE:
            fails(root.apply([clawback_cb(bid)]), CBC.CLAWBACK_CLAIMABLE_BALANCE_NOT_CLAWBACK_ENABLED)
        pre = self.balance(claimant, asset)
        ok(claimant.apply([claim_cb(bid)]))
        fee = FEE if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE else 0
        assert pre + expected - fee == self.balance(claimant, asset)

    def no_balance(self, claimant, tx_source, asset, pid, seq, op_index=0):
        bid = ids.pool_revoke_balance_id(tx_source.id, seq, op_index, pid, asset)
        fails(claimant.apply([claim_cb(bid)]), CC.CLAIM_CLAIMABLE_BALANCE_DOES_NOT_EXIST)

    @staticmethod
    def balance(acc, asset):
        return acc.balance if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE else trustline(acc, asset).balance


@pytest.mark.parametrize("v", VARIANTS)
@pytest.mark.parametrize("test_clawback", [False, True])
@pytest.mark.parametrize("one_native", [False, True])
@pytest.mark.parametrize("pool_remains", [False, True])
def test_revoke_after_deposit(v, test_clawback, one_native, pool_remains):
    P = Pools()
    L, root, acc1 = P.L, P.root, P.acc1
    if test_clawback:
        set_account_flags(L, root, AF.AUTH_CLAWBACK_ENABLED_FLAG)
    a, b = (native(), P.cur1) if one_native else (P.cur1, P.cur2)
    ct = P.deposit(acc1, a, b)
    pid = pool_id_of(ct)
    check_pool(L, pid, 200, 50, 100, 1)
    if pool_remains:
        acc2 = root.create("acc2", L.min_balance(10))
        P.deposit(acc2, a, b)
        check_pool(L, pid, 400, 100, 200, 2)
    r, seq = P.revoke(v, acc1, b, [ct], 2)
    for x in (a, b):
        if x.type != xdr.AssetType.ASSET_TYPE_NATIVE:
            assert use_count(acc1, x) == 0
    if pool_remains:
        check_pool(L, pid, 200, 50, 100, 1)
    else:
        assert pool(L, pid) is None
    # events: LP -> balance transfers for A then B, then set_authorized(false)
    ev = r.meta.v4.operations[0].events
    lp = E.address_val(E.liquidity_pool_address(pid))
    for i, (x, amount) in enumerate(((a, 200), (b, 50))):
        cb = E.address_val(E.claimable_balance_address(ids.pool_revoke_balance_id(root.id, seq, 0, pid, x)))
        assert ev[i].body.v0.topics == [E.symbol("transfer"), lp, cb, E.sep11_asset_string(x)]
        assert ev[i].body.v0.data == E.i128(amount)
    assert ev[2].body.v0.topics[0] == E.symbol("set_authorized") and len(ev) == 3
    ok(root.apply([allow_trust(acc1, b, AUTHORIZED)]))
    P.redeem(test_clawback, acc1, root, a, pid, seq, 0, 200)
    P.redeem(test_clawback, acc1, root, b, pid, seq, 0, 50)


@pytest.mark.parametrize("v", VARIANTS)
def test_op_num_and_tx_account_in_hash(v):
    P = Pools()
    L, root, acc1 = P.L, P.root, P.acc1
    ct = P.deposit(acc1, native(), P.cur1)
    pid = pool_id_of(ct)
    check_pool(L, pid, 200, 50, 100, 1)
    ok(apply_ops(L, acc1, [op_payment(acc1, 1, source=root), deny_op(v, acc1, P.cur1, source=root)],
                 signers=[acc1, root]))
    seq = acc1.seq  # the revoking tx: acc1's, op index 1
    ok(root.apply([allow_trust(acc1, P.cur1, AUTHORIZED)]))
    P.redeem(False, acc1, acc1, native(), pid, seq, 1, 200)
    P.redeem(False, acc1, acc1, P.cur1, pid, seq, 1, 50)


@pytest.mark.parametrize("v", VARIANTS)
@pytest.mark.parametrize("issuer_side", ["A", "B"])
def test_no_balance_for_trustors_own_asset(v, issuer_side):
    """"claimable balance created for issuer": the trustor's own asset is
    burned (event from the pool), only the other asset becomes a balance."""
    P = Pools()
    L, root, acc1 = P.L, P.root, P.acc1
    own = credit("BTC" if issuer_side == "A" else "USD1", acc1)
    a, b = (own, P.cur1) if issuer_side == "A" else (P.cur1, own)
    ct = P.deposit(acc1, a, b)
    pid = pool_id_of(ct)
    r, seq = P.revoke(v, acc1, P.cur1, [ct], 1)
    assert use_count(acc1, P.cur1) == 0 and pool(L, pid) is None
    ev = r.meta.v4.operations[0].events
    own_amount = 200 if issuer_side == "A" else 50
    burn = [e for e in ev if e.body.v0.topics[0] == E.symbol("burn")]
    assert len(burn) == 1 and burn[0].body.v0.data == E.i128(own_amount)
    assert burn[0].body.v0.topics[1] == E.address_val(E.liquidity_pool_address(pid))
    ok(root.apply([allow_trust(acc1, P.cur1, AUTHORIZED)]))
    P.redeem(False, acc1, root, P.cur1, pid, seq, 0, 50 if issuer_side == "A" else 200)
    P.no_balance(acc1, root, own, pid, seq)
    assert sponsor_counts(acc1)[0] == 0


ROUNDING = [  # (title, assets, send assetA?, reserves after the trade, claim asset index, amount, num CBs)
    ("trade down assetB - non-native", ("cur1", "cur2"), True, (400 + 39720, 1), 0, (39720 + 400) // 2, 1),
    ("trade down assetA - non-native", ("cur1", "cur2"), False, (1, 100 + 40021), 1, (40021 + 100) // 2, 1),
    ("trade down assetB - native", ("native", "cur2"), True, (400 + 39720, 1), 0, (39720 + 400) // 2, 1),
    ("trade down assetA - native", ("native", "cur2"), False, (1, 100 + 40021), 1, (40021 + 100) // 2, 1),
    ("revoked account is issuer of assetA", ("acc1:BTC", "cur2"), True, (400 + 39720, 1), None, 0, 0),
    ("revoked account is issuer of assetB", ("cur2", "acc1:USD1"), False, (1, 100 + 40021), None, 0, 0),
]


@pytest.mark.parametrize("v", VARIANTS)
@pytest.mark.parametrize("title, names, send_a, reserves, claim_i, amount, n_cbs", ROUNDING,
                         ids=[r[0] for r in ROUNDING])
def test_revoke_one_less_balance_due_to_rounding(v, title, names, send_a, reserves, claim_i, amount, n_cbs):
    P = Pools()
    L, root, acc1 = P.L, P.root, P.acc1
    named = {"cur1": P.cur1, "cur2": P.cur2, "native": native(), "acc1:BTC": credit("BTC", acc1),
             "acc1:USD1": credit("USD1", acc1)}
    a, b = named[names[0]], named[names[1]]
    ct = P.deposit(acc1, a, b)
    pid = pool_id_of(ct)
    acc2 = root.create("acc2", L.min_balance(10))
    P.deposit(acc2, a, b)
    check_pool(L, pid, 400, 100, 200, 2)
    set_pool(L, ct, *reserves)  # root's path payment to acc1 through the pool
    received, got = (b, 99) if send_a else (a, 399)
    if not _is_issuer(acc1, received):
        if received.type == xdr.AssetType.ASSET_TYPE_NATIVE:
            edit_account(L, acc1, lambda x: setattr(x, "balance", x.balance + got))
        else:
            ok(root.pay(acc1, got, received))
    P.revoke(v, acc1, P.cur2, [ct], n_cbs)
    if send_a:
        check_pool(L, pid, reserves[0] - reserves[0] // 2, 1, 100, 1)
    else:
        check_pool(L, pid, 1, reserves[1] - reserves[1] // 2, 100, 1)
    seq = root.seq
    ok(root.apply([allow_trust(acc1, P.cur2, AUTHORIZED)]))
    if claim_i is None:
        P.no_balance(acc1, root, a, pid, seq)
        P.no_balance(acc1, root, b, pid, seq)
    else:
        claim_asset, other = (a, b) if claim_i == 0 else (b, a)
        if claim_asset.type != xdr.AssetType.ASSET_TYPE_NATIVE:
            ok(acc1.apply([change_trust(claim_asset, amount + trustline(acc1, claim_asset).balance)]))
        P.redeem(False, acc1, root, claim_asset, pid, seq, 0, amount)
        P.no_balance(acc1, root, other, pid, seq)
    assert sponsor_counts(acc1)[0] == 0


@pytest.mark.parametrize("v", VARIANTS)
def test_revoke_from_zero_balance_pool_share_trustline(v):
    P = Pools()
    L, root, acc1 = P.L, P.root, P.acc1
    share12 = pool_share(P.cur1, P.cur2)
    pid = pool_id_of(share12)
    for line in (P.cur1, P.cur2, share12):
        ok(acc1.apply([change_trust(line, 1)]))
    check_pool(L, pid, 0, 0, 0, 1)
    r, seq = P.revoke(v, acc1, P.cur1, [share12], 0)
    assert use_count(acc1, P.cur1) == 0 and use_count(acc1, P.cur2) == 0
    assert pool(L, pid) is None
    assert len(r.meta.v4.operations[0].events) == 1  # only set_authorized
    P.no_balance(acc1, root, P.cur1, pid, seq)
    P.no_balance(acc1, root, P.cur2, pid, seq)
    assert sponsor_counts(acc1)[0] == 0


@pytest.mark.parametrize("v", VARIANTS)
@pytest.mark.parametrize("one_native", [False, True])
def test_trade_then_revoke(v, one_native):
    """"trade with pool, revoke": (445, 90, 200, 2) -> (223, 45, 100, 1), balances of 222 and 45."""
    P = Pools()
    L, root, acc1 = P.L, P.root, P.acc1
    a, b = (native(), P.cur2) if one_native else (P.cur1, P.cur2)
    ct = P.deposit(acc1, a, b)
    pid = pool_id_of(ct)
    acc2 = root.create("acc2", L.min_balance(10))
    P.deposit(acc2, a, b)
    set_pool(L, ct, 445, 90)
    P.revoke(v, acc1, b, [ct], 2)
    check_pool(L, pid, 223, 45, 100, 1)
    seq = root.seq
    ok(root.apply([allow_trust(acc1, b, AUTHORIZED)]))
    P.redeem(False, acc1, root, a, pid, seq, 0, 222)
    P.redeem(False, acc1, root, b, pid, seq, 0, 45)


@pytest.mark.parametrize("v", VARIANTS)
def test_revoke_from_multiple_pools(v):
    P = Pools()
    L, root = P.L, P.root
    usd, btc, eur = credit("usd", root), credit("btc", root), credit("eur", root)
    shares = {k: pool_share(x, y) for k, (x, y) in {"btcusd": (btc, usd), "eurusd": (eur, usd),
                                                     "btceur": (btc, eur)}.items()}
    pids = {k: pool_id_of(s) for k, s in shares.items()}
    for i in range(3):
        acc = root.create(f"account{i}", L.min_balance(10))
        P.deposit(acc, btc, usd)
        P.deposit(acc, eur, usd)
        P.deposit(acc, btc, eur)
    for pid in pids.values():
        check_pool(L, pid, 600, 150, 300, 3)
    _, seq = P.revoke(v, acc, btc, [shares["btcusd"], shares["btceur"]], 4)
    ok(root.apply([allow_trust(acc, btc, AUTHORIZED)]))
    P.redeem(False, acc, root, btc, pids["btcusd"], seq, 0, 200)
    P.redeem(False, acc, root, btc, pids["btceur"], seq, 0, 200)
    P.redeem(False, acc, root, usd, pids["btcusd"], seq, 0, 50)
    P.redeem(False, acc, root, eur, pids["btceur"], seq, 0, 50)
    assert (use_count(acc, btc), use_count(acc, usd), use_count(acc, eur)) == (0, 1, 1)
    check_pool(L, pids["btcusd"], 400, 100, 200, 2)
    check_pool(L, pids["eurusd"], 600, 150, 300, 3)
    check_pool(L, pids["btceur"], 400, 100, 200, 2)


# -- sponsorships ---------------------------------------------------------------------------
class Sponsored(Pools):
    def __init__(self):
        super().__init__()
        self.acc2 = self.root.create("acc2", self.L.min_balance(3))
        self.acc3 = self.root.create("acc3", self.L.min_balance(3))
        self.share12 = pool_share(self.cur1, self.cur2)
        self.pid = pool_id_of(self.share12)

    def deposit_maybe_sponsored(self, sponsored: bool):
        L, root, acc1, acc3 = self.L, self.root, self.acc1, self.acc3
        ok(acc1.apply([change_trust(self.cur1, 10)]))
        ok(acc1.apply([change_trust(self.cur2, 10)]))
        ok(root.pay(acc1, 10, self.cur1))
        ok(root.pay(acc1, 10, self.cur2))
        if sponsored:
            require_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES)
            ok(apply_ops(L, acc3, [begin_sponsoring(acc1), change_trust(self.share12, 10, acc1),
                                   end_sponsoring(acc1)], signers=[acc3, acc1]))
            assert entry_sponsor(L, trustline_key(acc1.id, tl_asset(self.share12))) == acc3.id
            assert acc1.num_sub_entries == 4 and sponsor_counts(acc1) == (0, 2) and sponsor_counts(acc3) == (2, 0)
            ok(acc3.pay(root, available(acc3) - FEE))
        else:
            ok(acc1.apply([change_trust(self.share12, 10)]))
            assert acc1.num_sub_entries == 4
        move_pool(L, acc1, self.share12, 10, 10, 10)
        check_pool(L, self.pid, 10, 10, 10, 1)
        ok(acc1.pay(root, available(acc1) - FEE))

    def claim_and_validate(self, tx_source, seq, op_index):
        L, root, acc1 = self.L, self.root, self.acc1
        ok(root.pay(acc1, L.min_balance(2)))
        ok(root.apply([allow_trust(acc1, self.cur1, AUTHORIZED)]))
        self.redeem(False, acc1, tx_source, self.cur1, self.pid, seq, op_index, 10)
        self.redeem(False, acc1, tx_source, self.cur2, self.pid, seq, op_index, 10)
        assert use_count(acc1, self.cur1) == 0 and use_count(acc1, self.cur2) == 0
        assert trustline(acc1, self.share12) is None and pool(L, self.pid) is None

    def revoke_in_sandwich(self, v, sponsoring, sponsored, success, n_lines):
        """submitRevokeInSandwich: [sponsoring begins for sponsored, root revokes
        acc1's CUR1, sponsored ends]; its fee is given back first since
        stellar-core applies it without charging one."""
        require_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES)
        L, root, acc1 = self.L, self.root, self.acc1
        op = deny_op(v, acc1, self.cur1, source=root)
        signers = [sponsoring, sponsored] + ([root] if sponsoring is not root else [])
        pre_sub = acc1.num_sub_entries
        pre_sp = sponsor_counts(sponsoring)[0]
        line_sponsored = sponsor_counts(acc1)[1] > 0
        ok(root.pay(sponsoring, 3 * FEE)) if sponsoring is not root else None
        r = apply_ops(L, sponsoring, [begin_sponsoring(sponsored, sponsoring), op, end_sponsoring(sponsored)],
                      signers=signers)
        if not success:
            fails(r, xdr.AllowTrustResultCode.ALLOW_TRUST_LOW_RESERVE if v == 0
                  else C.SET_TRUST_LINE_FLAGS_LOW_RESERVE, 1)
            return r
        ok(r)
        assert pre_sub == acc1.num_sub_entries + 2 * n_lines
        delta = 0 if line_sponsored and sponsoring is self.acc3 else 2
        assert pre_sp == sponsor_counts(sponsoring)[0] - delta
        return r


@pytest.mark.parametrize("v", VARIANTS)
@pytest.mark.parametrize("increase_reserve", [False, True])
def test_no_sandwich_on_revoke(v, increase_reserve):
    """The trustor sponsors the balances with the reserve its pool-share line
    held, even below the (raised) minimum balance."""
    S = Sponsored()
    S.deposit_maybe_sponsored(False)
    if increase_reserve:
        S.L.header.baseReserve *= 2
    ok(S.root.apply([deny_op(v, S.acc1, S.cur1)]))
    assert S.acc1.num_sub_entries == 2 and sponsor_counts(S.acc1) == (2, 0)
    bid = ids.pool_revoke_balance_id(S.root.id, S.root.seq, 0, S.pid, S.cur1)
    assert entry_sponsor(S.L, claimable_balance_key(bid)) == S.acc1.id
    S.claim_and_validate(S.root, S.root.seq, 0)


@pytest.mark.parametrize("v", VARIANTS)
def test_sponsored_pool_share_trustline_no_sandwich(v):
    S = Sponsored()
    S.deposit_maybe_sponsored(True)
    ok(S.root.apply([deny_op(v, S.acc1, S.cur1)]))
    assert S.acc1.num_sub_entries == 2 and sponsor_counts(S.acc1) == (0, 0)
    assert S.acc3.num_sub_entries == 0 and sponsor_counts(S.acc3) == (2, 0)
    S.claim_and_validate(S.root, S.root.seq, 0)


SANDWICH = [  # (title, sponsored line?, raise reserve?, sponsoring, sponsored, success, prep)
    ("same reserve - sponsored account is the sponsor of the pool share trustline", True, False, "acc2", "acc3",
     True, None),
    ("same reserve - sandwich on revoke - success", False, False, "acc2", "acc1", True, None),
    ("same reserve - issuer sandwich on revoke - success", False, False, "root", "acc1", True, None),
    ("same reserve - issuer sandwich on revoke - fail", False, False, "root", "acc1", False, "root_broke"),
    ("same reserve - sandwich on revoke - fail", False, False, "acc2", "acc1", False, "acc2_broke"),
    ("same reserve - sponsoring account is the sponsor of the pool share trustline", True, False, "acc3", "acc1",
     True, "fund_acc3"),
    ("increase reserve - sandwich on revoke - success", False, True, "acc2", "acc1", True, "fund_acc2"),
    ("increase reserve - issuer sandwich on revoke - success", False, True, "root", "acc1", True, None),
    ("increase reserve - issuer sandwich on revoke - fail", False, True, "root", "acc1", False, "root_minbal1"),
    ("increase reserve - sandwich on revoke - fail", False, True, "acc2", "acc1", False, None),
    ("increase reserve - sponsored account is the sponsor of the pool share trustline - fail", True, True, "acc2",
     "acc3", False, None),
    ("increase reserve - sponsoring account is the sponsor of the pool share trustline", True, True, "acc3",
     "acc1", True, "fund_acc3"),
]


@pytest.mark.parametrize("v", VARIANTS)
@pytest.mark.parametrize("title, line_sponsored, raise_reserve, sponsoring, sponsored, success, prep", SANDWICH,
                         ids=[s[0] for s in SANDWICH])
def test_revoke_in_sandwich(v, title, line_sponsored, raise_reserve, sponsoring, sponsored, success, prep):
    S = Sponsored()
    S.deposit_maybe_sponsored(line_sponsored)
    accs = {"root": S.root, "acc1": S.acc1, "acc2": S.acc2, "acc3": S.acc3}
    L = S.L
    if prep == "root_broke":
        ok(S.root.pay(S.acc2, available(S.root) - FEE * 4))
    elif prep == "acc2_broke":
        ok(S.acc2.pay(S.root, available(S.acc2) - FEE * 4))
    elif prep == "root_minbal1":
        ok(S.root.pay(S.acc2, available(S.root) - L.min_balance(1)))
    if raise_reserve:
        L.header.baseReserve *= 2
    if prep == "fund_acc3":
        ok(S.root.pay(S.acc3, L.min_balance(1)))
    elif prep == "fund_acc2":
        ok(S.root.pay(S.acc2, L.min_balance(1)))
    S.revoke_in_sandwich(v, accs[sponsoring], accs[sponsored], success, 1)
    if success:
        S.claim_and_validate(accs[sponsoring], accs[sponsoring].seq, 1)


@pytest.mark.parametrize("v", VARIANTS)
def test_line_owned_by_one_issuer_sponsored_by_the_other(v):
    require_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES)
    P = Pools()
    L, root, acc1 = P.L, P.root, P.acc1
    usd = credit("USD", acc1)
    share = pool_share(P.cur1, usd)
    pid = pool_id_of(share)
    ok(acc1.apply([change_trust(P.cur1, 100)]))
    ok(root.pay(acc1, 10, P.cur1))
    ok(apply_ops(L, root, [begin_sponsoring(acc1), change_trust(share, 10, acc1), end_sponsoring(acc1)],
                 signers=[root, acc1]))
    assert acc1.num_sub_entries == 3 and sponsor_counts(acc1) == (0, 2) and sponsor_counts(root) == (2, 0)
    move_pool(L, acc1, share, 10, 10, 10)
    pre = sponsor_counts(root)[0]
    _, seq = P.revoke(v, acc1, P.cur1, [share], 0)
    assert pre == sponsor_counts(root)[0] + 1  # one balance (cur1) instead of the 2-reserve line
    assert use_count(acc1, P.cur1) == 0 and pool(L, pid) is None
    ok(root.apply([allow_trust(acc1, P.cur1, AUTHORIZED)]))
    P.redeem(False, acc1, root, P.cur1, pid, seq, 0, 10)
    P.no_balance(acc1, root, usd, pid, seq)
    assert sponsor_counts(acc1)[0] == 0


@pytest.mark.parametrize("v", VARIANTS)
@pytest.mark.parametrize("two_balances, reserves_left", [(False, 1), (True, 2), (True, 3)])
def test_too_many_sponsoring(v, two_balances, reserves_left):
    """tooManySponsoring with root sponsoring acc1 in a sandwich: the first
    revoke fits in root's numSponsoring, the second gives opTOO_MANY_SPONSORING."""
    require_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES)
    P = Pools()
    L, root, acc1 = P.L, P.root, P.acc1
    if two_balances:
        cur3 = credit("CUR3", root)
        P.deposit(acc1, P.cur1, P.cur2)
        P.deposit(acc1, P.cur2, cur3)
    else:
        P.deposit(acc1, P.cur1, credit("eur", acc1))
        P.deposit(acc1, P.cur2, credit("usd", acc1))
    edit_account(L, root, lambda a: setattr(B.prepare_account_ext_v2(a), "numSponsoring",
                                            UINT32_MAX - reserves_left))
    for i, asset in enumerate((P.cur1, P.cur2)):
        r = apply_ops(L, root, [begin_sponsoring(acc1, root), deny_op(v, acc1, asset, source=root),
                                end_sponsoring(acc1)], signers=[root, acc1])
        if i == 0:
            ok(r)
        else:
            fails(r, OC.opTOO_MANY_SPONSORING, 1)
