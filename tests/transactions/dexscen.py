"""Shared DEX scenario helpers for the offer, path-payment and liquidity-pool
tests, mirroring stellar-core's src/test/TxTests.cpp (manageOffer,
manageBuyOffer, createPassiveOffer, pathPayment, pathPaymentStrictSend,
liquidityPoolDeposit/Withdraw, applyManageOffer...), src/test/TestAccount.cpp
and src/test/TestMarket.cpp.

Why a module of its own: four test files port stellar-core's DEX tests and
all of them need the same vocabulary - op builders, "apply and expect this
effect" helpers that check what stellar-core's applyManageOffer checks
(the offer in the ledger equals the offer in the result, the offer ID is
the next idPool value, a failure leaves idPool alone), and TestMarket's
bookkeeping of which offers exist after each step. Expected values always
come from stellar-core's tests, never from our own output.

Failures: stellar-core's test helpers throw ex_<RESULT_CODE>; ours raise
`OpFailed` carrying the code, so `with expect_code(MSO.MANAGE_SELL_OFFER_
UNDERFUNDED): manage_offer(...)` reads like REQUIRE_THROWS_AS.

Other helpers' test files may add functions at the END of this file.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import pytest

from stellarcore import xdr
from stellarcore.crypto import ids
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key, liquidity_pool_key, offer_key, trustline_key
from stellarcore.transactions import operations  # noqa: F401  (registers the ops)
from stellarcore.transactions.operation_frame import OPERATION_FRAMES
from tests.transactions.harness import (Applied, TestAccount, TestLedger, account_id_of, credit, make_op,
                                        muxed, native)

OT = xdr.OperationType
OC = xdr.OperationResultCode
TC = xdr.TransactionResultCode
AT = xdr.AssetType
MSO = xdr.ManageSellOfferResultCode
MBO = xdr.ManageBuyOfferResultCode
EFF = xdr.ManageOfferEffect
CAT = xdr.ClaimAtomType
TLF = xdr.TrustLineFlags
AF = xdr.AccountFlags
PASSIVE_FLAG = xdr.OfferEntryFlags.PASSIVE_FLAG
INT64_MAX = (1 << 63) - 1
INT32_MAX = (1 << 31) - 1
CREATED = EFF.MANAGE_OFFER_CREATED
UPDATED = EFF.MANAGE_OFFER_UPDATED
DELETED = EFF.MANAGE_OFFER_DELETED

def require_op(op_type):
    """Skip unless the operation is implemented (the DEX lands in pieces)."""
    if op_type not in OPERATION_FRAMES:
        pytest.skip(f"{op_type.name} not implemented yet")


# -- assets and prices --------------------------------------------------------
def price(n: int, d: int) -> "xdr.Price":
    return xdr.Price(n=n, d=d)


def tl_asset(a) -> "xdr.TrustLineAsset":
    """An Asset / pool-share ChangeTrustAsset as a TrustLineAsset."""
    if isinstance(a, xdr.TrustLineAsset):
        return a
    if isinstance(a, xdr.ChangeTrustAsset) and a.type == AT.ASSET_TYPE_POOL_SHARE:
        return xdr.TrustLineAsset(AT.ASSET_TYPE_POOL_SHARE, ids.liquidity_pool_id(a.liquidityPool))
    return xdr.TrustLineAsset.from_xdr(a.to_xdr())


def ct_asset(a) -> "xdr.ChangeTrustAsset":
    return a if isinstance(a, xdr.ChangeTrustAsset) else xdr.ChangeTrustAsset.from_xdr(a.to_xdr())


def pool_share_asset(a, b, fee: int = 30) -> "xdr.ChangeTrustAsset":
    """makeChangeTrustAssetPoolShare (assets in the order given; a < b for a valid pool)."""
    return xdr.ChangeTrustAsset(AT.ASSET_TYPE_POOL_SHARE, xdr.LiquidityPoolParameters(
        xdr.LiquidityPoolType.LIQUIDITY_POOL_CONSTANT_PRODUCT,
        xdr.LiquidityPoolConstantProductParameters(assetA=a, assetB=b, fee=fee)))


def pool_id(a, b, fee: int = 30) -> bytes:
    """The PoolID of the constant-product pool of a and b (given in canonical order)."""
    return ids.constant_product_pool_id(a, b, fee)


# -- operation builders (TxTests.cpp) -------------------------------------------
def op_manage_sell_offer(offer_id: int, selling, buying, p, amount: int, source=None):
    """txtest::manageOffer(offerId, selling, buying, price, amount)."""
    return make_op(OT.MANAGE_SELL_OFFER, xdr.ManageSellOfferOp(
        selling=selling, buying=buying, amount=amount, price=p, offerID=offer_id), source)


def op_manage_buy_offer(offer_id: int, selling, buying, p, buy_amount: int, source=None):
    """txtest::manageBuyOffer(offerId, selling, buying, price, buyAmount)."""
    return make_op(OT.MANAGE_BUY_OFFER, xdr.ManageBuyOfferOp(
        selling=selling, buying=buying, buyAmount=buy_amount, price=p, offerID=offer_id), source)


def op_create_passive_sell_offer(selling, buying, p, amount: int, source=None):
    """txtest::createPassiveOffer(selling, buying, price, amount)."""
    return make_op(OT.CREATE_PASSIVE_SELL_OFFER, xdr.CreatePassiveSellOfferOp(
        selling=selling, buying=buying, amount=amount, price=p), source)


def _dest(to):
    return to if isinstance(to, xdr.MuxedAccount) else muxed(to)


def op_path_payment_strict_receive(to, send_asset, send_max: int, dest_asset, dest_amount: int,
                                   path=(), source=None):
    """txtest::pathPayment(to, sendCur, sendMax, destCur, destAmount, path)."""
    return make_op(OT.PATH_PAYMENT_STRICT_RECEIVE, xdr.PathPaymentStrictReceiveOp(
        sendAsset=send_asset, sendMax=send_max, destination=_dest(to), destAsset=dest_asset,
        destAmount=dest_amount, path=list(path)), source)


def op_path_payment_strict_send(to, send_asset, send_amount: int, dest_asset, dest_min: int,
                                path=(), source=None):
    """txtest::pathPaymentStrictSend(to, sendCur, sendAmount, destCur, destMin, path)."""
    return make_op(OT.PATH_PAYMENT_STRICT_SEND, xdr.PathPaymentStrictSendOp(
        sendAsset=send_asset, sendAmount=send_amount, destination=_dest(to), destAsset=dest_asset,
        destMin=dest_min, path=list(path)), source)


def op_liquidity_pool_deposit(pool: bytes, max_a: int, max_b: int, min_price, max_price, source=None):
    return make_op(OT.LIQUIDITY_POOL_DEPOSIT, xdr.LiquidityPoolDepositOp(
        liquidityPoolID=pool, maxAmountA=max_a, maxAmountB=max_b, minPrice=min_price,
        maxPrice=max_price), source)


def op_liquidity_pool_withdraw(pool: bytes, amount: int, min_a: int, min_b: int, source=None):
    return make_op(OT.LIQUIDITY_POOL_WITHDRAW, xdr.LiquidityPoolWithdrawOp(
        liquidityPoolID=pool, amount=amount, minAmountA=min_a, minAmountB=min_b), source)


def op_change_trust(line, limit: int = INT64_MAX, source=None):
    return make_op(OT.CHANGE_TRUST, xdr.ChangeTrustOp(line=ct_asset(line), limit=limit), source)


def op_payment(to, asset, amount: int, source=None):
    return make_op(OT.PAYMENT, xdr.PaymentOp(destination=_dest(to), asset=asset, amount=amount), source)


def op_allow_trust(trustor, asset, authorize: int, source=None):
    if asset.type == AT.ASSET_TYPE_CREDIT_ALPHANUM4:
        code = xdr.AssetCode(AT.ASSET_TYPE_CREDIT_ALPHANUM4, asset.alphaNum4.assetCode)
    else:
        code = xdr.AssetCode(AT.ASSET_TYPE_CREDIT_ALPHANUM12, asset.alphaNum12.assetCode)
    return make_op(OT.ALLOW_TRUST, xdr.AllowTrustOp(trustor=account_id_of(trustor), asset=code,
                                                     authorize=authorize), source)


def op_set_trust_line_flags(trustor, asset, set_flags: int = 0, clear_flags: int = 0, source=None):
    return make_op(OT.SET_TRUST_LINE_FLAGS, xdr.SetTrustLineFlagsOp(
        trustor=account_id_of(trustor), asset=asset, clearFlags=clear_flags, setFlags=set_flags), source)


def op_set_flags(set_flags: int = 0, clear_flags: int = 0, source=None):
    """SetOptions changing only the account flags (AUTH_REQUIRED, AUTH_REVOCABLE...)."""
    return make_op(OT.SET_OPTIONS, xdr.SetOptionsOp(
        inflationDest=None, clearFlags=clear_flags or None, setFlags=set_flags or None, masterWeight=None,
        lowThreshold=None, medThreshold=None, highThreshold=None, homeDomain=None, signer=None), source)


def op_begin_sponsoring(sponsored, source=None):
    return make_op(OT.BEGIN_SPONSORING_FUTURE_RESERVES,
                   xdr.BeginSponsoringFutureReservesOp(sponsoredID=account_id_of(sponsored)), source)


def op_end_sponsoring(source=None):
    return make_op(OT.END_SPONSORING_FUTURE_RESERVES, None, source)


# -- applying, stellar-core applyTx style ---------------------------------------
class OpFailed(AssertionError):
    """stellar-core's ex_<CODE>: the transaction failed with `code` (the
    first failing operation's inner or outer code, or the tx code)."""

    def __init__(self, code, applied: Applied):
        super().__init__(f"failed with {code!r}")
        self.code = code
        self.applied = applied


def failure_code(r: Applied):
    if r.code == TC.txFAILED:
        for i, res in enumerate(r.op_results):
            if res.code != OC.opINNER:
                return res.code
            c = res.tr.xdr_value().code
            if int(c) != 0:
                return c
    return r.code


@contextlib.contextmanager
def expect_code(code):
    """REQUIRE_THROWS_AS(f(), ex_<code>)."""
    with pytest.raises(OpFailed) as ei:
        yield ei
    assert ei.value.code == code, (ei.value.code, code)


def apply_ops(acc: TestAccount, ops, signers=None) -> Applied:
    """Apply a tx of `ops` from `acc`; raise OpFailed unless it succeeds."""
    from tests.transactions.harness import tx_envelope
    env = tx_envelope(acc, acc.seq + 1, list(ops), signers=signers)
    r = acc.ledger.apply(env)
    if not r.ok:
        raise OpFailed(failure_code(r), r)
    return r


def apply_op(acc: TestAccount, op) -> Applied:
    return apply_ops(acc, [op])


def op_result(r: Applied, i: int = 0):
    """The inner result (ManageSellOfferResult, PathPaymentStrictReceiveResult...) of op i."""
    return r.op_results[i].tr.xdr_value()


def id_pool(L: TestLedger) -> int:
    return L.header.idPool


def change_trust(acc: TestAccount, asset, limit: int = INT64_MAX) -> Applied:
    return apply_op(acc, op_change_trust(asset, limit))


def pay(acc: TestAccount, to, asset, amount: int) -> Applied:
    return apply_op(acc, op_payment(to, asset, amount))


def allow_trust(issuer: TestAccount, trustor, asset, authorize: int = TLF.AUTHORIZED_FLAG) -> Applied:
    return apply_op(issuer, op_allow_trust(trustor, asset, authorize))


def deny_trust(issuer: TestAccount, trustor, asset) -> Applied:
    return apply_op(issuer, op_allow_trust(trustor, asset, 0))


def allow_maintain_liabilities(issuer: TestAccount, trustor, asset) -> Applied:
    return apply_op(issuer, op_allow_trust(trustor, asset, TLF.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG))


def set_flags(acc: TestAccount, set_flags: int = 0, clear_flags: int = 0) -> Applied:
    return apply_op(acc, op_set_flags(set_flags, clear_flags))


def fund(issuer: TestAccount, acc: TestAccount, asset, amount: int, limit: int = INT64_MAX) -> None:
    """changeTrust then the issuer pays (amount 0: the trustline only)."""
    if trustline_entry(acc, asset) is None:
        change_trust(acc, asset, limit)
    if amount:
        pay(issuer, acc, asset, amount)


def _check_offer_effect(acc, res, expected_id, expected_price, selling, buying, passive=None):
    """What applyCreateOfferHelper / applyManageBuyOffer check after success."""
    eff = res.success.offer.effect
    if eff in (CREATED, UPDATED):
        o = load_offer(acc.ledger, acc, expected_id)
        assert o is not None, "offer not in the ledger"
        assert o == res.success.offer.offer
        assert o.price == expected_price
        assert o.selling == selling and o.buying == buying
        if passive:
            assert o.flags & PASSIVE_FLAG
    else:
        assert load_offer(acc.ledger, acc, expected_id) is None
    return eff


def _apply_offer_op(acc, op, offer_id, expected_effect, expected_price, selling, buying, passive=None,
                    return_created_only=False):
    L = acc.ledger
    last = id_pool(L)
    expected_id = offer_id if offer_id else last + 1
    try:
        r = apply_op(acc, op)
    except OpFailed:
        assert id_pool(L) == last, "idPool moved on a failed offer op"
        raise
    res = op_result(r)
    eff = _check_offer_effect(acc, res, expected_id, expected_price, selling, buying, passive)
    assert eff == expected_effect, (eff, expected_effect)
    if return_created_only:
        return res.success.offer.offer.offerID if eff == CREATED else 0
    return res.success.offer.offer.offerID if eff != DELETED else 0


def manage_offer(acc: TestAccount, offer_id: int, selling, buying, p, amount: int,
                 expected_effect=CREATED) -> int:
    """TestAccount::manageOffer (applyManageOffer): the offer ID, 0 if deleted."""
    op = op_manage_sell_offer(offer_id, selling, buying, p, amount)
    return _apply_offer_op(acc, op, offer_id, expected_effect, p, selling, buying)


def manage_buy_offer(acc: TestAccount, offer_id: int, selling, buying, p, buy_amount: int,
                     expected_effect=CREATED) -> int:
    """TestAccount::manageBuyOffer (applyManageBuyOffer): the stored price is 1/p."""
    op = op_manage_buy_offer(offer_id, selling, buying, p, buy_amount)
    return _apply_offer_op(acc, op, offer_id, expected_effect, price(p.d, p.n), selling, buying)


def create_passive_offer(acc: TestAccount, selling, buying, p, amount: int, expected_effect=CREATED) -> int:
    """TestAccount::createPassiveOffer (applyCreatePassiveOffer): ID if created, else 0."""
    op = op_create_passive_sell_offer(selling, buying, p, amount)
    return _apply_offer_op(acc, op, 0, expected_effect, p, selling, buying, passive=True,
                           return_created_only=True)


def manage_offer_result(acc: TestAccount, offer_id: int, selling, buying, p, amount: int):
    """Apply a ManageSellOffer and return its ManageSellOfferResult (no effect check)."""
    return op_result(apply_op(acc, op_manage_sell_offer(offer_id, selling, buying, p, amount)))


def path_pay(acc: TestAccount, to, send_asset, send_max: int, dest_asset, dest_amount: int, path=()):
    """TestAccount::pay(dest, sendCur, sendMax, destCur, destAmount, path): the result."""
    return op_result(apply_op(acc, op_path_payment_strict_receive(to, send_asset, send_max, dest_asset,
                                                                  dest_amount, path)))


def path_pay_strict_send(acc: TestAccount, to, send_asset, send_amount: int, dest_asset, dest_min: int,
                         path=()):
    """TestAccount::pathPaymentStrictSend: the result."""
    return op_result(apply_op(acc, op_path_payment_strict_send(to, send_asset, send_amount, dest_asset,
                                                               dest_min, path)))


def liquidity_pool_deposit(acc: TestAccount, pool: bytes, max_a: int, max_b: int, min_price, max_price):
    return apply_op(acc, op_liquidity_pool_deposit(pool, max_a, max_b, min_price, max_price))


def liquidity_pool_withdraw(acc: TestAccount, pool: bytes, amount: int, min_a: int, min_b: int):
    return apply_op(acc, op_liquidity_pool_withdraw(pool, amount, min_a, min_b))


# -- reading the ledger ---------------------------------------------------------
def load_offer(L: TestLedger, seller, offer_id: int):
    """The OfferEntry (copy) or None."""
    e = L.load(offer_key(account_id_of(seller), offer_id))
    return None if e is None else e.data.offer


def load_offer_entry(L: TestLedger, seller, offer_id: int):
    """The whole LedgerEntry (sponsorship ext included) or None."""
    return L.load(offer_key(account_id_of(seller), offer_id))


def trustline_entry(acc: TestAccount, asset):
    e = acc.ledger.load(trustline_key(acc.id, tl_asset(asset)))
    return None if e is None else e.data.trustLine


def balance(acc: TestAccount, asset=None) -> int:
    """Native balance, or the trustline balance (0 without a trustline)."""
    if asset is None or (isinstance(asset, xdr.Asset) and asset.type == AT.ASSET_TYPE_NATIVE):
        return acc.balance
    tl = trustline_entry(acc, asset)
    return 0 if tl is None else tl.balance


def liabilities(acc: TestAccount, asset=None):
    """(buying, selling) liabilities of the account (native) or of its trustline."""
    if asset is None or (isinstance(asset, xdr.Asset) and asset.type == AT.ASSET_TYPE_NATIVE):
        return B.account_liabilities(acc.entry().data.account)
    tl = trustline_entry(acc, asset)
    return (0, 0) if tl is None else B.trustline_liabilities(tl)


def buying_liabilities(acc: TestAccount, asset=None) -> int:
    return liabilities(acc, asset)[0]


def selling_liabilities(acc: TestAccount, asset=None) -> int:
    return liabilities(acc, asset)[1]


def available_balance(acc: TestAccount) -> int:
    """TestAccount::getAvailableBalance (native)."""
    return B.available_balance(acc.ledger.header, acc.entry())


def load_pool(L: TestLedger, pool: bytes):
    """The constant-product body of a pool (reserveA/B, totalPoolShares...) or None."""
    e = L.load(liquidity_pool_key(pool))
    return None if e is None else e.data.liquidityPool.body.constantProduct


def offers_of(L: TestLedger, seller) -> list:
    """Every OfferEntry of a seller in the ledger (by offer ID)."""
    from stellarcore.ledger.order_book import seller_prefix
    store = L.root_store.offers
    out = [store.get(k).data.offer for k in store.keys_of_seller(seller_prefix(account_id_of(seller)))]
    return sorted(out, key=lambda o: o.offerID)


# -- claim atoms ----------------------------------------------------------------
def claim_offer_atom(seller, offer_id: int, asset_sold, amount_sold: int, asset_bought,
                     amount_bought: int) -> "xdr.ClaimAtom":
    """makeClaimAtom (p18+: CLAIM_ATOM_TYPE_ORDER_BOOK), from the maker's side."""
    return xdr.ClaimAtom(CAT.CLAIM_ATOM_TYPE_ORDER_BOOK, xdr.ClaimOfferAtom(
        sellerID=account_id_of(seller), offerID=offer_id, assetSold=asset_sold, amountSold=amount_sold,
        assetBought=asset_bought, amountBought=amount_bought))


def claim_pool_atom(pool: bytes, asset_sold, amount_sold: int, asset_bought,
                    amount_bought: int) -> "xdr.ClaimAtom":
    """A ClaimLiquidityAtom: what the pool sold and bought."""
    return xdr.ClaimAtom(CAT.CLAIM_ATOM_TYPE_LIQUIDITY_POOL, xdr.ClaimLiquidityAtom(
        liquidityPoolID=pool, assetSold=asset_sold, amountSold=amount_sold, assetBought=asset_bought,
        amountBought=amount_bought))


# -- TestMarket -----------------------------------------------------------------
@dataclass
class OfferState:
    """TestMarket's OfferState; amount 0 with DELETED_STATE means deleted."""
    selling: "xdr.Asset"
    buying: "xdr.Asset"
    price: "xdr.Price"
    amount: int
    passive: bool = False

    @classmethod
    def of(cls, o) -> "OfferState":
        return cls(o.selling, o.buying, o.price, o.amount, bool(o.flags & PASSIVE_FLAG))

    def with_amount(self, amount: int) -> "OfferState":
        return OfferState(self.selling, self.buying, self.price, amount, self.passive)


SAME = None        # OfferState::SAME
DELETED_STATE = "DELETED"   # OfferState::DELETED


@dataclass
class MarketOffer:
    """TestMarketOffer: key (seller, offer ID) and the state expected after."""
    seller: "xdr.PublicKey"
    offer_id: int
    state: object  # OfferState or DELETED_STATE

    def exchanged(self, sold: int, bought: int) -> "xdr.ClaimAtom":
        """TestMarketOffer::exchanged: the claim atom of crossing this offer."""
        s = self.state
        return claim_offer_atom(self.seller, self.offer_id, s.selling, sold, s.buying, bought)

    def deleted(self) -> "MarketOffer":
        return MarketOffer(self.seller, self.offer_id, DELETED_STATE)

    def with_amount(self, amount: int) -> "MarketOffer":
        return MarketOffer(self.seller, self.offer_id, self.state.with_amount(amount))


@dataclass
class Market:
    """stellar-core's TestMarket: tracks the offers a scenario expects in the
    ledger and checks them after each step."""
    L: TestLedger
    offers: dict = field(default_factory=dict)  # (seller ed25519, id) -> OfferState
    last_added_id: int = 0

    def _key(self, seller, offer_id):
        return (account_id_of(seller).ed25519, offer_id)

    def add_offer(self, acc: TestAccount, state: OfferState, finished=SAME) -> MarketOffer:
        """TestMarket::addOffer (passive states use CreatePassiveSellOffer)."""
        deleted = finished == DELETED_STATE
        eff = DELETED if deleted else CREATED
        if state.passive:
            oid = create_passive_offer(acc, state.selling, state.buying, state.price, state.amount, eff)
        else:
            oid = manage_offer(acc, 0, state.selling, state.buying, state.price, state.amount, eff)
        if deleted:
            assert oid == 0
        else:
            if self.last_added_id:
                assert oid == self.last_added_id + 1
            self.last_added_id = oid
        return MarketOffer(acc.id, oid, state if finished is SAME else finished)

    def update_offer(self, acc: TestAccount, offer_id: int, state: OfferState, finished=SAME) -> MarketOffer:
        """TestMarket::updateOffer."""
        deleted = finished == DELETED_STATE
        eff = DELETED if deleted else UPDATED
        oid = manage_offer(acc, offer_id, state.selling, state.buying, state.price, state.amount, eff)
        assert oid == (0 if deleted else offer_id)
        return MarketOffer(acc.id, offer_id, state if finished is SAME else finished)

    def require_changes(self, changes, fn=None):
        """TestMarket::requireChanges: run fn (if any); the offers in
        `changes` took their new states, every other offer is unchanged.
        On a failure in fn, the current offers must be unchanged."""
        result = None
        if fn is not None:
            try:
                result = fn()
            except BaseException:
                self.check_current_offers()
                raise
        self._apply_changes(list(changes))
        return result

    def require_changes_with_offer(self, changes, fn) -> MarketOffer:
        """TestMarket::requireChangesWithOffer: fn returns the new MarketOffer."""
        try:
            o = fn()
        except BaseException:
            self.check_current_offers()
            raise
        self._apply_changes(list(changes) + [o])
        return o

    def _apply_changes(self, changes):
        new = dict(self.offers)
        deleted = []
        for c in changes:
            k = self._key(c.seller, c.offer_id)
            if c.state == DELETED_STATE:
                new.pop(k, None)
                deleted.append(k)
            else:
                new[k] = c.state
        self._check_state(new, deleted)
        self.offers = new

    def check_current_offers(self):
        self._check_state(self.offers, [])

    def _check_state(self, offers, deleted):
        for (ed, oid), st in offers.items():
            o = load_offer(self.L, xdr.PublicKey(ed25519=ed), oid)
            assert o is not None, f"offer {oid} missing"
            assert OfferState.of(o) == st, (oid, OfferState.of(o), st)
        for ed, oid in deleted:
            assert load_offer(self.L, xdr.PublicKey(ed25519=ed), oid) is None, f"offer {oid} still there"

    def require_balances(self, spec):
        """TestMarket::requireBalances: {account: [(asset, balance), ...]}."""
        for acc, pairs in spec.items():
            for asset, bal in pairs:
                if asset.type == AT.ASSET_TYPE_NATIVE:
                    assert acc.balance == bal, (asset, acc.balance, bal)
                else:
                    tl = trustline_entry(acc, asset)
                    assert tl is not None or bal == 0
                    if tl is not None:
                        assert tl.balance == bal, (asset, tl.balance, bal)


__all__ = [n for n in dir() if not n.startswith("_")]
