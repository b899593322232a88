"""Model-based property test of the DEX (issue "DEX: offers, order-book
crossing, path payments and liquidity pools"): after any random sequence of
offer, path-payment, liquidity-pool and trust-revocation operations,

1. every account's and trustline's buying/selling liabilities equal the sum
   of the liabilities of that account's offers, each computed here from
   stellar-core's definition (TransactionUtils getOfferBuyingLiabilities /
   getOfferSellingLiabilities = OfferExchange.cpp
   exchangeV10WithoutPriceErrorThresholds(price, amount, INT64_MAX,
   INT64_MAX, INT64_MAX, NORMAL)), re-written below with Python ints;
2. the book is never crossed (see `check_book_not_crossed` for the exact
   stellar-core semantics);
3. lumens are conserved: native balances + native pool reserves + native
   claimable balances + feePool == totalCoins, and totalCoins never moves;
   each credit asset's supply (trustlines + pool reserves + claimable
   balances) is conserved too, since the issuer never trades here;
4. every offer has amount > 0, and numSubEntries counts offers + trustlines
   (pool-share lines count 2, ChangeTrustOpFrame) + signers + data;
5. results: the tx is txSUCCESS or txFAILED (never an exception or
   txINTERNAL_ERROR), the op result arm is the op's own, MALFORMED exactly
   when stellar-core's doCheckValid says so, and a failed tx changes
   nothing but the source account's fee and sequence number.

Everything is computed from the raw ledger entries in the root store, never
through the engine's functions. The engine's own invariants are switched
off so these checks are the ones that fire (test_model_catches_* proves
they do by breaking the engine on purpose).
"""
from __future__ import annotations

from fractions import Fraction

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, settings, strategies as st  # noqa: E402
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule  # noqa: E402

from stellarcore import xdr  # noqa: E402
from tests.transactions import dexscen as D  # noqa: E402
from tests.transactions.harness import TestLedger, credit, native, tx_envelope  # noqa: E402

INT64_MAX = (1 << 63) - 1
INT32_MAX = (1 << 31) - 1
LET = xdr.LedgerEntryType
AT = xdr.AssetType
OT = xdr.OperationType
TC = xdr.TransactionResultCode
OC = xdr.OperationResultCode
TLF = xdr.TrustLineFlags
PASSIVE = xdr.OfferEntryFlags.PASSIVE_FLAG

N_ACTORS = 4
ACTOR_NAMES = [f"dexmodel{i}" for i in range(N_ACTORS)]
CODES = ["USD", "EUR", "BTC"]


# -- stellar-core's offer liabilities, written out with Python ints ------------
def _div(a: int, b: int, up: bool) -> int:
    return -((-a) // b) if up else a // b


def exchange_v10_without_thresholds_normal(n: int, d: int, max_wheat_send: int, max_wheat_receive: int,
                                           max_sheep_send: int, max_sheep_receive: int):
    """OfferExchange.cpp exchangeV10WithoutPriceErrorThresholds, RoundingType::NORMAL:
    (wheatReceive, sheepSend, wheatStays)."""
    wheat_value = min(max_wheat_send * n, max_sheep_receive * d)
    sheep_value = min(max_sheep_send * d, max_wheat_receive * n)
    wheat_stays = wheat_value > sheep_value
    if wheat_stays:
        if n > d:
            wheat_receive = sheep_value // n
            sheep_send = _div(wheat_receive * n, d, True)
        else:
            sheep_send = sheep_value // d
            wheat_receive = _div(sheep_send * d, n, False)
    else:
        if n > d:
            wheat_receive = wheat_value // n
            sheep_send = _div(wheat_receive * n, d, False)
        else:
            sheep_send = wheat_value // d
            wheat_receive = _div(sheep_send * d, n, True)
    assert 0 <= wheat_receive <= min(max_wheat_receive, max_wheat_send)
    assert 0 <= sheep_send <= min(max_sheep_receive, max_sheep_send)
    return wheat_receive, sheep_send, wheat_stays


def offer_liabilities(offer):
    """(buying, selling) liabilities of an offer: getOfferBuyingLiabilities is
    numSheepSend, getOfferSellingLiabilities numWheatReceived."""
    wr, ss, _ = exchange_v10_without_thresholds_normal(offer.price.n, offer.price.d, offer.amount,
                                                      INT64_MAX, INT64_MAX, INT64_MAX)
    return ss, wr


# -- reading the ledger raw ------------------------------------------------------
def asset_key(a) -> bytes:
    return a.to_xdr()


def tl_asset_key(tla) -> bytes:
    """A TrustLineAsset's bytes as the equal Asset's bytes (same XDR layout
    for native/alphanum arms)."""
    return tla.to_xdr()


def all_entries(L):
    return list(L.root_store.entries.values())


def all_offers(L):
    store = L.root_store.offers
    return [store.get(k) for k in list(store.keys())]


def snapshot(L) -> dict:
    snap = {k: e.to_xdr() for k, e in L.root_store.entries.items()}
    store = L.root_store.offers
    for k in store.keys():
        snap[k] = store.get(k).to_xdr()
    snap["idPool"] = L.header.idPool  # a failed offer op must not consume an offer ID
    return snap


def price_double(p) -> float:
    """PARITY_TRAPS D2: stellar-core orders the book by double(n)/double(d)."""
    return float(p.n) / float(p.d)


def canonical_pair(a, b):
    """Assets in LiquidityPoolParameters order (native < alphanum4 < alphanum12, code, issuer)."""
    def k(x):
        if x.type == AT.ASSET_TYPE_NATIVE:
            return (0, b"", b"")
        an = x.alphaNum4 if x.type == AT.ASSET_TYPE_CREDIT_ALPHANUM4 else x.alphaNum12
        return (int(x.type), an.assetCode, an.issuer.ed25519)
    return (a, b) if k(a) < k(b) else (b, a)


# -- valid result codes -----------------------------------------------------------
INNER_ENUM = {
    OT.MANAGE_SELL_OFFER: xdr.ManageSellOfferResultCode,
    OT.CREATE_PASSIVE_SELL_OFFER: xdr.ManageSellOfferResultCode,
    OT.MANAGE_BUY_OFFER: xdr.ManageBuyOfferResultCode,
    OT.PATH_PAYMENT_STRICT_RECEIVE: xdr.PathPaymentStrictReceiveResultCode,
    OT.PATH_PAYMENT_STRICT_SEND: xdr.PathPaymentStrictSendResultCode,
    OT.LIQUIDITY_POOL_DEPOSIT: xdr.LiquidityPoolDepositResultCode,
    OT.LIQUIDITY_POOL_WITHDRAW: xdr.LiquidityPoolWithdrawResultCode,
    OT.ALLOW_TRUST: xdr.AllowTrustResultCode,
}
# outer codes an op of these types can legitimately end with after the tx
# passed its own checks (OperationFrame::apply / createEntryWithPossibleSponsorship)
OUTER_OK = {OC.opINNER, OC.opEXCEEDED_WORK_LIMIT, OC.opTOO_MANY_SUBENTRIES, OC.opTOO_MANY_SPONSORING}


def expect_malformed(op) -> bool:
    """stellar-core's doCheckValid for the ops generated here (valid assets)."""
    t = op.body.type
    b = op.body.xdr_value()
    if t in (OT.MANAGE_SELL_OFFER, OT.MANAGE_BUY_OFFER, OT.CREATE_PASSIVE_SELL_OFFER):
        amount = b.buyAmount if t == OT.MANAGE_BUY_OFFER else b.amount
        offer_id = 0 if t == OT.CREATE_PASSIVE_SELL_OFFER else b.offerID
        return (b.selling == b.buying or amount < 0 or b.price.n <= 0 or b.price.d <= 0
                or (offer_id == 0 and amount == 0) or offer_id < 0)
    if t == OT.PATH_PAYMENT_STRICT_RECEIVE:
        return b.destAmount <= 0 or b.sendMax <= 0
    if t == OT.PATH_PAYMENT_STRICT_SEND:
        return b.sendAmount <= 0 or b.destMin <= 0
    return None  # not tracked


# -- strategies -------------------------------------------------------------------
# distinct prices whose doubles tie (PARITY_TRAPS D2: the book is ordered by
# double(n)/double(d), then offer ID), on both sides of 1
TIED_PRICES = [(INT32_MAX - i, INT32_MAX - 1 - i) for i in range(3)] + \
              [(INT32_MAX - 1 - i, INT32_MAX - i) for i in range(3)]
_small_price = st.tuples(st.integers(1, 6), st.integers(1, 6))
prices = st.one_of(
    _small_price, _small_price, _small_price,            # dense book near 1: lots of crossing
    st.integers(1, 1000).map(lambda k: (k, k + 1)),
    st.tuples(st.integers(1, INT32_MAX), st.integers(1, INT32_MAX)),
    st.sampled_from([(1, INT32_MAX), (INT32_MAX, 1), (INT32_MAX, INT32_MAX), (INT32_MAX, INT32_MAX - 1),
                     (INT32_MAX - 1, INT32_MAX), (3, 7), (7, 3)]),
    st.sampled_from([(0, 1), (1, 0), (-1, 2)]),        # MALFORMED
    st.sampled_from(TIED_PRICES), st.sampled_from(TIED_PRICES),
)
_moderate = st.integers(1, 10**6)
amounts = st.one_of(
    st.integers(1, 100), _moderate, _moderate, _moderate,
    st.integers(10**6, 10**12),
    st.integers(1, INT64_MAX),
    st.sampled_from([INT64_MAX, INT64_MAX - 1, 1 << 62, 10**15, 0, -1, 1, 2]),
)
asset_idx = st.integers(0, len(CODES))  # 0 = native


class DexModel(RuleBasedStateMachine):
    """One ledger; each rule applies one single-operation transaction."""

    def __init__(self):
        super().__init__()
        L = self.L = TestLedger(invariants=False)
        self.issuer = L.root.create("dexmodel-issuer", 10**11)
        D.set_flags(self.issuer, xdr.AccountFlags.AUTH_REVOCABLE_FLAG)
        self.assets = [native()] + [credit(c, self.issuer) for c in CODES]
        usd, eur = self.assets[1], self.assets[2]
        self.pools = [canonical_pair(native(), usd), canonical_pair(usd, eur)]
        self.pool_ids = [D.pool_id(a, b) for a, b in self.pools]
        xlm = [10**13, 10**10, L.min_balance(7) + 10**6, 10**12]
        credit_amounts = [[1 << 62, 10**12, 10**6], [10**9, 10**15, 5000], [10**5, 10**6, 10**7],
                          [10**10, 10**7, 10**10]]
        self.actors = []
        for i, name in enumerate(ACTOR_NAMES):
            a = L.root.create(name, xlm[i])
            for j, asset in enumerate(self.assets[1:]):
                limit = 10**7 + 10**6 if (i == 3 and j == 1) else INT64_MAX  # one nearly full line
                D.fund(self.issuer, a, asset, credit_amounts[i][j], limit)
            for pa, pb in self.pools:
                D.change_trust(a, D.pool_share_asset(pa, pb))
            self.actors.append(a)
        self.total_coins = L.header.totalCoins
        self.supply = self.credit_supply()
        self.check_all()

    # -- applying -------------------------------------------------------------
    def apply(self, source, op):
        L = self.L
        before = snapshot(L)
        src_key = D.account_key(source.id)
        env = tx_envelope(source, source.seq + 1, [op])
        r = L.apply(env)
        assert r.code in (TC.txSUCCESS, TC.txFAILED), r.result
        res = r.op_results[0]
        assert res.code in OUTER_OK, res.code
        op_type = op.body.type
        if res.code == OC.opINNER:
            # CreatePassiveSellOfferOpFrame runs on the converted ManageSellOfferOp
            # (ManageSellOfferOpHolder), so its result arm is MANAGE_SELL_OFFER
            arm = OT.MANAGE_SELL_OFFER if op_type == OT.CREATE_PASSIVE_SELL_OFFER else op_type
            assert res.tr.type == arm, (res.tr.type, op_type)
            code = res.tr.xdr_value().code
            enum = INNER_ENUM[op_type]
            assert code in list(enum), code
            mal = expect_malformed(op)
            if mal is not None:
                assert (code.name.endswith("_MALFORMED")) == mal, (code, op)
            if r.ok:
                assert int(code) == 0
        if r.ok and op_type in CLAIMING_OPS:
            check_claim_atoms(op, D.op_result(r), before, L, source.id)
        if not r.ok:
            after = snapshot(L)
            changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
            assert changed <= {src_key}, f"failed tx {res} changed {len(changed)} entries"
        self.last = r
        return r

    def actor(self, i):
        return self.actors[i % N_ACTORS]

    def pick_offer_id(self, acc, target, idx):
        if target == "new":
            return 0
        if target == "bogus":
            return self.L.header.idPool + 1 + idx
        if target == "other":  # an existing offer of somebody else: NOT_FOUND
            others = [o.data.offer for o in all_offers(self.L) if o.data.offer.sellerID != acc.id]
            return others[idx % len(others)].offerID if others else 0
        mine = D.offers_of(self.L, acc)
        return mine[idx % len(mine)].offerID if mine else 0

    # -- rules ------------------------------------------------------------------
    _offer_args = dict(who=st.integers(0, N_ACTORS - 1), selling=asset_idx, buying=asset_idx, p=prices,
                       amount=amounts, which=st.sampled_from(["new", "new", "existing", "existing", "existing",
                                                              "bogus", "other"]),
                       idx=st.integers(0, 50))

    @rule(**_offer_args)
    def sell_offer(self, **kw):
        self.offer("sell", **kw)

    @rule(**_offer_args)
    def buy_offer(self, **kw):
        self.offer("buy", **kw)

    @rule(**_offer_args)
    def passive_offer(self, **kw):
        self.offer("passive", **kw)

    def offer(self, kind, who, selling, buying, p, amount, which, idx):
        acc = self.actor(who)
        s, b = self.assets[selling], self.assets[buying]
        pr = D.price(*p)
        if kind == "passive":
            op = D.op_create_passive_sell_offer(s, b, pr, amount)
        else:
            oid = self.pick_offer_id(acc, which, idx)
            if kind == "sell":
                op = D.op_manage_sell_offer(oid, s, b, pr, amount)
            else:
                op = D.op_manage_buy_offer(oid, s, b, pr, amount)
        self.apply(acc, op)

    _pp_args = dict(who=st.integers(0, N_ACTORS - 1), to=st.integers(0, N_ACTORS - 1), send=asset_idx,
                    dest=asset_idx, path=st.lists(asset_idx, max_size=2), amount=amounts, limit=amounts)

    @rule(**_pp_args)
    def strict_send(self, **kw):
        self.path_payment(True, **kw)

    @rule(**_pp_args)
    def strict_receive(self, **kw):
        self.path_payment(False, **kw)

    def path_payment(self, strict_send, who, to, send, dest, path, amount, limit):
        acc, dst = self.actor(who), self.actor(to)
        sa, da = self.assets[send], self.assets[dest]
        pa = [self.assets[i] for i in path]
        if strict_send:
            op = D.op_path_payment_strict_send(dst, sa, amount, da, limit, pa)
        else:
            op = D.op_path_payment_strict_receive(dst, sa, limit, da, amount, pa)
        self.apply(acc, op)

    @rule(who=st.integers(0, N_ACTORS - 1), asset=st.integers(1, len(CODES)),
          flag=st.sampled_from([0, TLF.AUTHORIZED_FLAG, TLF.AUTHORIZED_FLAG,
                                TLF.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG]))
    def allow_trust(self, who, asset, flag):
        self.apply(self.issuer, D.op_allow_trust(self.actor(who), self.assets[asset], int(flag)))

    @rule(who=st.integers(0, N_ACTORS - 1), pool=st.integers(0, 1), max_a=amounts, max_b=amounts,
          bounds=st.one_of(st.just(((1, INT32_MAX), (INT32_MAX, 1))), st.tuples(prices, prices)))
    def deposit(self, who, pool, max_a, max_b, bounds):
        lo, hi = bounds
        self.apply(self.actor(who), D.op_liquidity_pool_deposit(self.pool_ids[pool], max_a, max_b,
                                                                D.price(*lo), D.price(*hi)))

    @rule(who=st.integers(0, N_ACTORS - 1), pool=st.integers(0, 1), frac=st.fractions(0, 1),
          extra=st.integers(-1, 1), min_a=st.integers(0, 10), min_b=st.integers(0, 10))
    def withdraw(self, who, pool, frac, extra, min_a, min_b):
        acc = self.actor(who)
        share = D.trustline_entry(acc, D.pool_share_asset(*self.pools[pool]))
        have = share.balance if share is not None else 0
        amount = max(1, int(have * frac)) + extra
        self.apply(acc, D.op_liquidity_pool_withdraw(self.pool_ids[pool], amount, min_a, min_b))

    # -- the properties -----------------------------------------------------------
    @invariant()
    def check_all(self):
        L = self.L
        entries = all_entries(L)
        offers = [e.data.offer for e in all_offers(L)]
        check_offers_and_liabilities(L, entries, offers, self.issuer)
        check_book_not_crossed(offers)
        check_lumens(L, entries, self.total_coins)
        assert self.credit_supply() == self.supply, "credit asset supply changed"

    def credit_supply(self) -> dict:
        """Per credit asset: trustline balances + pool reserves + claimable balances."""
        out = {asset_key(a): 0 for a in self.assets[1:]}
        for e in all_entries(self.L):
            t = e.data.type
            if t == LET.TRUSTLINE:
                tl = e.data.trustLine
                k = tl_asset_key(tl.asset)
                if k in out:
                    out[k] += tl.balance
            elif t == LET.LIQUIDITY_POOL:
                cp = e.data.liquidityPool.body.constantProduct
                for a, r in ((cp.params.assetA, cp.reserveA), (cp.params.assetB, cp.reserveB)):
                    if asset_key(a) in out:
                        out[asset_key(a)] += r
            elif t == LET.CLAIMABLE_BALANCE:
                cb = e.data.claimableBalance
                if asset_key(cb.asset) in out:
                    out[asset_key(cb.asset)] += cb.amount
        return out


def check_offers_and_liabilities(L, entries, offers, issuer):
    """Properties 1 and 4."""
    native_key = asset_key(native())
    want = {}      # (account ed25519, asset bytes) -> [buying, selling]
    n_offers = {}
    for o in offers:
        assert o.amount > 0, f"offer {o.offerID} has amount {o.amount}"
        assert o.price.n > 0 and o.price.d > 0
        assert o.selling != o.buying
        buy, sell = offer_liabilities(o)
        seller = o.sellerID.ed25519
        want.setdefault((seller, asset_key(o.buying)), [0, 0])[0] += buy
        want.setdefault((seller, asset_key(o.selling)), [0, 0])[1] += sell
        n_offers[seller] = n_offers.get(seller, 0) + 1
    have = {}
    sub = {}
    for e in entries:
        t = e.data.type
        if t == LET.ACCOUNT:
            a = e.data.account
            li = (a.ext.v1.liabilities.buying, a.ext.v1.liabilities.selling) if a.ext.v == 1 else (0, 0)
            have[(a.accountID.ed25519, native_key)] = li
            sub[a.accountID.ed25519] = sub.get(a.accountID.ed25519, 0) + len(a.signers)
        elif t == LET.TRUSTLINE:
            tl = e.data.trustLine
            who = tl.accountID.ed25519
            if tl.asset.type == AT.ASSET_TYPE_POOL_SHARE:
                sub[who] = sub.get(who, 0) + 2
                assert tl.ext.v == 0 or (tl.ext.v1.liabilities.buying, tl.ext.v1.liabilities.selling) == (0, 0)
                continue
            sub[who] = sub.get(who, 0) + 1
            li = (tl.ext.v1.liabilities.buying, tl.ext.v1.liabilities.selling) if tl.ext.v == 1 else (0, 0)
            have[(who, tl_asset_key(tl.asset))] = li
            assert tl.balance >= li[1] and tl.limit - tl.balance >= li[0], "trustline liabilities exceed"
        elif t == LET.DATA:
            who = e.data.data.accountID.ed25519
            sub[who] = sub.get(who, 0) + 1
    issuer_ed = issuer.id.ed25519
    for k, (buy, sell) in want.items():
        if k[0] == issuer_ed and k[1] != native_key:
            continue  # the issuer keeps no trustline (nor liabilities) for its own asset
        assert k in have, f"offer backed by a missing account/trustline {k}"
        assert tuple(have[k]) == (buy, sell), f"liabilities {tuple(have[k])} != offers' {(buy, sell)} at {k[1]!r}"
    for k, li in have.items():
        if k not in want:
            assert tuple(li) == (0, 0), f"liabilities {tuple(li)} without offers at {k[1]!r}"
    for e in entries:
        if e.data.type == LET.ACCOUNT:
            a = e.data.account
            who = a.accountID.ed25519
            expect = sub.get(who, 0) + n_offers.get(who, 0)
            assert a.numSubEntries == expect, f"numSubEntries {a.numSubEntries} != {expect}"


def check_book_not_crossed(offers):
    """Property 2. For every pair of assets (A, B): take the best offer
    selling A for B and the best selling B for A in stellar-core's book
    order, (double(n)/double(d), offerID) (LedgerTxn loadBestOffer,
    PARITY_TRAPS D2); then price1 * price2 >= 1 exactly, and == 1 only if
    one of the two is passive.

    Why this holds in stellar-core v25 (no exclusions were needed):
    - ManageOfferOpFrameBase::doApply only places the remainder of the
      taking offer when convertWithOffersAndPools returned ePartial (the
      opposite book ran out) or eFilterStopBadPrice, whose filter compares
      *exactly* (Price operator>/>=): `(passive && o.price >= maxWheatPrice)
      || o.price > maxWheatPrice`. So the opposite best offer o left in the
      book satisfies o.price * price > 1, or == 1 for a passive taker.
      Comparing exactly against the double-ordered best is the same as
      comparing all offers, except between distinct prices whose doubles
      tie, where the best is the lower offer ID - checked the same way here.
    - eFilterStopCrossSelf fails the op (MANAGE_*_CROSS_SELF, rolled back).
    - When exchangeV10's price-error threshold zeroes a trade, the maker
      stays (wheatStays), convertWithOffers sets needMore = !wheatStays and
      returns eOK, so sheepStays = false and the taker's amount is 0: the
      taker is NOT placed (OfferExchange.cpp convertWithOffers,
      ManageOfferOpFrameBase.cpp "case ConvertResult::eOK"). A stuck
      crossed pair therefore cannot arise from the thresholds either.
    - Path payments, deletes, revocations (removeOffersByAccountAndAsset)
      and pool ops only remove offers or shrink amounts.
    The one legitimate exception is PARITY_TRAPS D2 (LedgerTxn
    loadBestOffer / isBetterOffer order by double, then offer ID): a taker
    X stops at the double-best opposite offer Z (z > 1/x exactly) while an
    offer Y with y < 1/x < z but double(y) == double(z) (and a higher ID)
    sits behind it; once Z is taken (say by a path payment) Y is the best
    and X * Y < 1 exactly. Then double(1/x) == double(y) by monotonic
    rounding, so a crossed top is allowed exactly when one side's price
    and the other's inverse round to the same double (the crossing is
    invisible at the precision stellar-core orders the book with)."""
    best = {}
    for o in offers:
        k = (asset_key(o.selling), asset_key(o.buying))
        cur = best.get(k)
        if cur is None or (price_double(o.price), o.offerID) < (price_double(cur.price), cur.offerID):
            best[k] = o
    for (s, b), o1 in best.items():
        o2 = best.get((b, s))
        if o2 is None or s > b:
            continue
        prod = Fraction(o1.price.n, o1.price.d) * Fraction(o2.price.n, o2.price.d)
        passive = bool(o1.flags & PASSIVE) or bool(o2.flags & PASSIVE)
        if prod < 1 or (prod == 1 and not passive):
            p1, p2 = o1.price, o2.price
            if (float(p1.n) / float(p1.d) == float(p2.d) / float(p2.n)
                    or float(p2.n) / float(p2.d) == float(p1.d) / float(p1.n)):
                continue  # D2: below double resolution (see above)
        assert prod > 1 or (prod == 1 and passive), (
            f"crossed book: offer {o1.offerID} {o1.price.n}/{o1.price.d} (passive={bool(o1.flags & PASSIVE)}) vs "
            f"offer {o2.offerID} {o2.price.n}/{o2.price.d} (passive={bool(o2.flags & PASSIVE)})")


CLAIMING_OPS = {OT.MANAGE_SELL_OFFER, OT.MANAGE_BUY_OFFER, OT.CREATE_PASSIVE_SELL_OFFER,
                OT.PATH_PAYMENT_STRICT_RECEIVE, OT.PATH_PAYMENT_STRICT_SEND}


def check_claim_atoms(op, result, before: dict, L, source_id):
    """Every order-book atom of a successful op crossed an offer that was in
    the book, at that maker's price:
    - manage offers (RoundingType::NORMAL): the maker's price is within the
      taker's limit, exactly (the filter: o.price > maxWheatPrice stops,
      >= for a passive taker), and the trade is within 1% of the maker's
      price both ways (applyPriceErrorThresholds / checkPriceErrorBound
      with canFavorWheat = false);
    - path payments: the maker (wheat seller) is never worse off than 1%
      (checkPriceErrorBound with canFavorWheat = true);
    - the maker's offer shrank by at least amountSold, or is gone."""
    t = op.body.type
    b = op.body.xdr_value()
    if t in (OT.MANAGE_SELL_OFFER, OT.MANAGE_BUY_OFFER, OT.CREATE_PASSIVE_SELL_OFFER):
        atoms = result.success.offersClaimed
        # maxWheatPrice = 1/(stored sell price); a buy offer stores 1/price
        lim_n, lim_d = (b.price.n, b.price.d) if t == OT.MANAGE_BUY_OFFER else (b.price.d, b.price.n)
        passive = t == OT.CREATE_PASSIVE_SELL_OFFER
        if t != OT.CREATE_PASSIVE_SELL_OFFER and b.offerID:
            old = before.get(D.offer_key(source_id, b.offerID))
            passive = bool(old is not None and xdr.LedgerEntry.from_xdr(old).data.offer.flags & PASSIVE)
        normal = True
    else:
        atoms = result.success.offers
        normal = False
    for atom in atoms:
        if atom.type != xdr.ClaimAtomType.CLAIM_ATOM_TYPE_ORDER_BOOK:
            continue
        a = atom.orderBook
        k = D.offer_key(a.sellerID, a.offerID)
        assert k in before, f"claimed offer {a.offerID} was not in the book"
        o = xdr.LedgerEntry.from_xdr(before[k]).data.offer
        assert o.selling == a.assetSold and o.buying == a.assetBought
        n, d = o.price.n, o.price.d
        sold, bought = a.amountSold, a.amountBought
        assert 0 <= sold <= o.amount and bought >= 0
        if normal:
            if passive:
                assert n * lim_d < lim_n * d, f"passive taker crossed offer {a.offerID} at/over its price"
            else:
                assert n * lim_d <= lim_n * d, f"taker crossed offer {a.offerID} over its price"
        if sold > 0 and bought > 0:
            lhs, rhs = 100 * n * sold, 100 * d * bought
            favored_maker = rhs > lhs
            if normal or not favored_maker:
                assert abs(lhs - rhs) <= n * sold, f"offer {a.offerID} crossed {sold}/{bought} beyond 1% of {n}/{d}"
        elif normal:
            assert sold == 0 and bought == 0, f"one-sided atom {sold}/{bought} in a NORMAL cross"
        now = L.load(k)
        assert now is None or now.data.offer.amount <= o.amount - sold


def check_lumens(L, entries, total_coins):
    """Property 3: ConservationOfLumens over the whole ledger."""
    h = L.header
    assert h.totalCoins == total_coins
    s = h.feePool
    for e in entries:
        t = e.data.type
        if t == LET.ACCOUNT:
            assert e.data.account.balance >= 0
            s += e.data.account.balance
        elif t == LET.LIQUIDITY_POOL:
            cp = e.data.liquidityPool.body.constantProduct
            for a, r in ((cp.params.assetA, cp.reserveA), (cp.params.assetB, cp.reserveB)):
                if a.type == AT.ASSET_TYPE_NATIVE:
                    s += r
        elif t == LET.CLAIMABLE_BALANCE:
            cb = e.data.claimableBalance
            if cb.asset.type == AT.ASSET_TYPE_NATIVE:
                s += cb.amount
    assert s == total_coins, f"lumens not conserved: {s - total_coins:+d}"


DexModel.TestCase.settings = settings(max_examples=120, stateful_step_count=50, deadline=None,
                                      suppress_health_check=list(HealthCheck))
TestDexModel = DexModel.TestCase


# -- the checks can fail ----------------------------------------------------------
def _cross_scenario(m: DexModel):
    a0, a1 = m.actors[0], m.actors[1]
    usd, eur = m.assets[1], m.assets[2]
    m.apply(a0, D.op_manage_sell_offer(0, usd, eur, D.price(1, 1), 1000))
    m.apply(a1, D.op_manage_sell_offer(0, eur, usd, D.price(3, 2), 500))   # rests: 3/2 * 1 > 1
    r = m.apply(m.actors[3], D.op_manage_sell_offer(0, eur, usd, D.price(1, 1), 100))  # takes 100 of a0's
    assert r.ok and len(D.op_result(r).success.offersClaimed) == 1
    assert D.offers_of(m.L, a0)[0].amount == 900


def test_model_catches_missing_liabilities(monkeypatch):
    """Offers placed without acquireLiabilities break property 1."""
    from stellarcore.transactions import offer_exchange as ox
    m = DexModel()
    monkeypatch.setattr(ox, "acquire_liabilities", lambda ltx, header, le: None)
    m.apply(m.actors[0], D.op_manage_sell_offer(0, m.assets[1], m.assets[2], D.price(1, 1), 1000))
    with pytest.raises(AssertionError, match="liabilities"):
        m.check_all()


def _corrupt(m: DexModel, what: str):
    """Write an inconsistent entry straight into the ledger."""
    L = m.L
    a1 = m.actors[1]
    if what == "crossed book":
        o = D.offers_of(L, a1)[0]
        le = D.load_offer_entry(L, a1, o.offerID)
        le.data.offer.price = D.price(1, 2)
    elif what == "lumens":
        le = a1.entry()
        le.data.account.balance += 1
    elif what == "numSubEntries":
        le = a1.entry()
        le.data.account.numSubEntries += 1
    elif what == "amount":
        o = D.offers_of(L, a1)[0]
        le = D.load_offer_entry(L, a1, o.offerID)
        le.data.offer.amount = 0
    elif what == "supply":
        le = L.load(D.trustline_key(a1.id, D.tl_asset(m.assets[3])))
        le.data.trustLine.balance -= 1
    L.put(le)


@pytest.mark.parametrize("what,match", [("crossed book", "crossed book"), ("lumens", "lumens"),
                                        ("numSubEntries", "numSubEntries"), ("amount", "amount 0"),
                                        ("supply", "supply")])
def test_model_catches_corruption(what, match):
    """Each property fires on a ledger broken on purpose (after a legal cross)."""
    m = DexModel()
    _cross_scenario(m)
    m.check_all()
    _corrupt(m, what)
    with pytest.raises(AssertionError, match=match):
        if what == "crossed book":  # (the new price also breaks the liabilities, checked first)
            check_book_not_crossed([e.data.offer for e in all_offers(m.L)])
        m.check_all()


# ExchangeTests.cpp "ExchangeV10" rows (amounts large enough that the 1%
# thresholds never bite, so exchangeV10 == exchangeV10WithoutPriceErrorThresholds)
SEND_ROWS = [((3, 2), 3000, 4501, 3000, 4500), ((3, 2), 3000, 4500, 3000, 4500), ((3, 2), 3000, 4499, 2999, 4499),
             ((3, 2), 2999, 4499, 2999, 4498), ((3, 2), 2999, 4498, 2998, 4497),
             ((2, 3), 3000, 2001, 3000, 2000), ((2, 3), 3000, 2000, 3000, 2000), ((2, 3), 3000, 1999, 2998, 1999),
             ((2, 3), 2999, 2000, 2999, 1999), ((2, 3), 2999, 1999, 2998, 1999)]
RECEIVE_ROWS = [((3, 2), 3000, 4501, 3000, 4500), ((3, 2), 3000, 4500, 3000, 4500), ((3, 2), 3000, 4499, 2999, 4498),
                ((3, 2), 2999, 4499, 2999, 4499), ((3, 2), 2999, 4498, 2998, 4497),
                ((2, 3), 3000, 2001, 3000, 2000), ((2, 3), 3000, 2000, 3000, 2000), ((2, 3), 3000, 1999, 2999, 1999)]


@pytest.mark.parametrize("p,max_wheat_send,max_sheep_send,wheat,sheep", SEND_ROWS)
def test_formula_limited_by_sends(p, max_wheat_send, max_sheep_send, wheat, sheep):
    r = exchange_v10_without_thresholds_normal(p[0], p[1], max_wheat_send, INT64_MAX, max_sheep_send, INT64_MAX)
    assert r == (wheat, sheep, max_wheat_send * p[0] > max_sheep_send * p[1])


@pytest.mark.parametrize("p,max_wheat_receive,max_sheep_receive,wheat,sheep", RECEIVE_ROWS)
def test_formula_limited_by_receives(p, max_wheat_receive, max_sheep_receive, wheat, sheep):
    r = exchange_v10_without_thresholds_normal(p[0], p[1], INT64_MAX, max_wheat_receive, INT64_MAX,
                                               max_sheep_receive)
    assert r == (wheat, sheep, max_sheep_receive * p[1] > max_wheat_receive * p[0])


def test_double_tie_leaves_exactly_crossed_top():
    """PARITY_TRAPS D2 as a state the model must accept: makers at
    z = (M-1)/(M-2) (older) and y = M/(M-1) (newer) tie as doubles, so
    loadBestOffer returns z first; a taker at x = (M-1)/M (limit 1/x = y)
    stops on z (z > y exactly) and rests. A path payment then takes z, and
    the top of the book is y vs x with y * x == 1 exactly, neither passive:
    legitimate in stellar-core, and only the double-tie exclusion of
    check_book_not_crossed lets it through."""
    M = INT32_MAX
    m = DexModel()
    a0, a1, a2, a3 = m.actors
    usd, eur = m.assets[1], m.assets[2]
    for acc, p in ((a0, (M - 1, M - 2)), (a1, (M, M - 1))):
        r = m.apply(acc, D.op_manage_sell_offer(0, eur, usd, D.price(*p), 1000))
        assert r.ok and not D.op_result(r).success.offersClaimed
    r = m.apply(a3, D.op_manage_sell_offer(0, usd, eur, D.price(M - 1, M), 500))
    assert r.ok and not D.op_result(r).success.offersClaimed  # stopped on z, not crossing y
    assert [o.amount for o in D.offers_of(m.L, a3)] == [500]
    r = m.apply(a2, D.op_path_payment_strict_receive(a2, usd, 2000, eur, 1000))
    assert r.ok and [a.orderBook.sellerID for a in D.op_result(r).success.offers] == [a0.id]
    assert D.offers_of(m.L, a0) == [] and [o.amount for o in D.offers_of(m.L, a1)] == [1000]
    m.check_all()  # the exactly crossed top y * x == 1 is accepted (D2)
    tops = [D.offers_of(m.L, a1)[0], D.offers_of(m.L, a3)[0]]
    assert Fraction(tops[0].price.n, tops[0].price.d) * Fraction(tops[1].price.n, tops[1].price.d) == 1
