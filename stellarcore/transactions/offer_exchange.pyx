# cython: language_level=3, boundscheck=False, wraparound=False
"""Offer exchange: the rounding rules of crossing offers and trading with
liquidity pools, and the order-book crossing loop (stellar-core
transactions/OfferExchange.cpp, plus TransactionUtils' offer-liability
helpers acquireLiabilities / releaseLiabilities / getOffer*Liabilities).

Why Cython and uint128: these rules are consensus-critical - which offer
stays in the book, who the rounding favours, the 1% price-error threshold
and when a division "cannot" happen (PARITY_TRAPS D5) decide balances and
result codes byte for byte. The arithmetic runs in C on int64 and
unsigned __int128 exactly as stellar-core does (cores shared with
stellarcore/util/numeric.pxd); overflow in a bigDivideOrThrow raises
OverflowError, a stellar-core "this should never happen" throw raises
RuntimeError.

Orientation (stellar-core's): we sell sheep to buy wheat; the offers we
cross sell wheat for sheep. Protocol 23+ only: exchangeV10, crossOfferV10,
CLAIM_ATOM_TYPE_ORDER_BOOK atoms, pools from p18.

Python API (names fixed by the DEX contract, see the issue notes):
  RoundingType, exchange_v10(n, d, max_wheat_send, max_wheat_receive,
  max_sheep_send, max_sheep_receive, round) -> (wheat_received, sheep_send,
  wheat_stays); exchange_v10_without_price_error_thresholds(...) (same);
  apply_price_error_thresholds(n, d, wheat_receive, sheep_send, wheat_stays,
  round) -> same triple; adjust_offer(n, d, max_wheat_send,
  max_sheep_receive) -> int; check_price_error_bound(n, d, wheat_receive,
  sheep_send, can_favor_wheat) -> bool; exchange_with_pool(reserves_to_pool,
  max_send_to_pool, reserves_from_pool, max_receive_from_pool, fee_bps,
  round) -> (ok, to_pool, from_pool) (the two amounts as stellar-core's
  out-parameters are left, 0 when never written);
  get_offer_buying_liabilities(offer) / get_offer_selling_liabilities(offer)
  (a LedgerEntry or an OfferEntry); acquire_liabilities / release_liabilities
  (ltx, header, offer_le); can_sell_at_most / can_buy_at_most(header,
  account_le, asset, trustline) (trustline: ledger.trustline wrapper or
  None); adjust_offer_entry(header, offer_le, account_le, wheat, wheat_line,
  sheep, sheep_line) (the in-place overload crossOfferV10 uses);
  OfferFilterResult, ConvertResult, convert_with_offers_and_pools(ltx, sheep,
  max_sheep_send, wheat, max_wheat_receive, round, filter, offer_trail,
  max_offers_to_cross) -> (ConvertResult, sheep_send, wheat_received);
  get_pool_id(x, y, fee_bps), is_pool_trading_disabled(header),
  LIQUIDITY_POOL_FEE_V18.
"""
from __future__ import annotations

import enum

from libc.stdint cimport int64_t, int32_t, uint64_t
from libc cimport stdint

from stellarcore.util.numeric cimport (
    uint128_t, u128_to_py, c_big_multiply, c_big_divide_or_throw, c_big_divide_or_throw_128,
    c_huge_divide, ROUND_DOWN_C, ROUND_UP_C,
)

from stellarcore import xdr
from stellarcore.crypto.ids import constant_product_pool_id
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key, liquidity_pool_key, offer_key
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.ledger.sponsorship import remove_entry_with_possible_sponsorship
from stellarcore.ledger.trustline import load_trustline

INT64_MAX = (1 << 63) - 1
LIQUIDITY_POOL_FEE_V18 = 30
_NATIVE = xdr.AssetType.ASSET_TYPE_NATIVE
_CAT = xdr.ClaimAtomType
_TRADING_DISABLED = int(xdr.LedgerHeaderFlags.DISABLE_LIQUIDITY_POOL_TRADING_FLAG)


class RoundingType(enum.IntEnum):
    NORMAL = 0
    PATH_PAYMENT_STRICT_SEND = 1
    PATH_PAYMENT_STRICT_RECEIVE = 2


class OfferFilterResult(enum.IntEnum):
    KEEP = 0
    STOP_BAD_PRICE = 1
    STOP_CROSS_SELF = 2


class ConvertResult(enum.IntEnum):
    OK = 0
    PARTIAL = 1
    FILTER_STOP_BAD_PRICE = 2
    FILTER_STOP_CROSS_SELF = 3
    CROSSED_TOO_MANY = 4


class CrossOfferResult(enum.IntEnum):
    OFFER_PARTIAL = 0
    OFFER_TAKEN = 1
    OFFER_CANT_CONVERT = 2


cdef enum:
    R_NORMAL = 0
    R_STRICT_SEND = 1
    R_STRICT_RECEIVE = 2


cdef struct ExRes:
    int64_t wheat_receive
    int64_t sheep_send
    bint wheat_stays


# -- exchangeV10 -----------------------------------------------------------------------
cdef inline uint128_t _offer_value(int64_t price_n, int64_t price_d, int64_t max_send,
                                   int64_t max_receive) except? 0:
    """calculateOfferValue: min(maxSend * priceN, maxReceive * priceD)."""
    cdef uint128_t send_value = c_big_multiply(max_send, price_n)
    cdef uint128_t receive_value = c_big_multiply(max_receive, price_d)
    return send_value if send_value < receive_value else receive_value


cdef inline int _check_round(int r) except -1:
    if r != R_NORMAL and r != R_STRICT_SEND and r != R_STRICT_RECEIVE:
        raise RuntimeError("Invalid rounding type")
    return 0


cdef int c_exchange_v10_without_thresholds(int32_t n, int32_t d, int64_t max_wheat_send,
                                           int64_t max_wheat_receive, int64_t max_sheep_send,
                                           int64_t max_sheep_receive, int rnd, ExRes* out) except -1:
    """exchangeV10WithoutPriceErrorThresholds (see stellar-core's proofs
    before exchangeV10 for why each rounding direction is chosen)."""
    cdef uint128_t wheat_value = _offer_value(n, d, max_wheat_send, max_sheep_receive)
    cdef uint128_t sheep_value = _offer_value(d, n, max_sheep_send, max_wheat_receive)
    cdef bint wheat_stays = wheat_value > sheep_value
    cdef int64_t wheat_receive, sheep_send
    _check_round(rnd)
    if wheat_stays:
        if rnd == R_STRICT_SEND:
            wheat_receive = c_big_divide_or_throw_128(sheep_value, n, ROUND_DOWN_C)
            sheep_send = max_sheep_send if max_sheep_send < max_sheep_receive else max_sheep_receive
        elif n > d or rnd == R_STRICT_RECEIVE:  # wheat is more valuable
            wheat_receive = c_big_divide_or_throw_128(sheep_value, n, ROUND_DOWN_C)
            sheep_send = c_big_divide_or_throw(wheat_receive, n, d, ROUND_UP_C)
        else:  # sheep is more valuable
            sheep_send = c_big_divide_or_throw_128(sheep_value, d, ROUND_DOWN_C)
            wheat_receive = c_big_divide_or_throw(sheep_send, d, n, ROUND_DOWN_C)
    else:
        if n > d:  # wheat is more valuable
            wheat_receive = c_big_divide_or_throw_128(wheat_value, n, ROUND_DOWN_C)
            sheep_send = c_big_divide_or_throw(wheat_receive, n, d, ROUND_DOWN_C)
        else:  # sheep is more valuable
            sheep_send = c_big_divide_or_throw_128(wheat_value, d, ROUND_DOWN_C)
            wheat_receive = c_big_divide_or_throw(sheep_send, d, n, ROUND_UP_C)
    if wheat_receive < 0 or wheat_receive > min(max_wheat_receive, max_wheat_send):
        raise RuntimeError("wheatReceive out of bounds")
    if sheep_send < 0 or sheep_send > min(max_sheep_receive, max_sheep_send):
        raise RuntimeError("sheepSend out of bounds")
    out.wheat_receive = wheat_receive
    out.sheep_send = sheep_send
    out.wheat_stays = wheat_stays
    return 0


cdef bint c_check_price_error_bound(int32_t n, int32_t d, int64_t wheat_receive,
                                    int64_t sheep_send, bint can_favor_wheat) except? 0:
    """checkPriceErrorBound: |100*n*wheat - 100*d*sheep| <= n*wheat, and
    with canFavorWheat any error in the wheat seller's favour passes."""
    cdef int64_t err_n = <int64_t>100 * n
    cdef int64_t err_d = <int64_t>100 * d
    cdef uint128_t lhs = c_big_multiply(err_n, wheat_receive)
    cdef uint128_t rhs = c_big_multiply(err_d, sheep_send)
    if can_favor_wheat and rhs > lhs:
        return True
    cdef uint128_t abs_diff = (lhs - rhs) if lhs > rhs else (rhs - lhs)
    cdef uint128_t cap = c_big_multiply(n, wheat_receive)
    return abs_diff <= cap


cdef int c_apply_price_error_thresholds(int32_t n, int32_t d, int rnd, ExRes* r) except -1:
    """applyPriceErrorThresholds, in place on r."""
    cdef uint128_t wheat_receive_value, sheep_send_value
    _check_round(rnd)
    if r.wheat_receive > 0 and r.sheep_send > 0:
        wheat_receive_value = c_big_multiply(r.wheat_receive, n)
        sheep_send_value = c_big_multiply(r.sheep_send, d)
        if r.wheat_stays and sheep_send_value < wheat_receive_value:
            raise RuntimeError("favored sheep when wheat stays")
        if not r.wheat_stays and sheep_send_value > wheat_receive_value:
            raise RuntimeError("favored wheat when sheep stays")
        if rnd == R_NORMAL:
            if not c_check_price_error_bound(n, d, r.wheat_receive, r.sheep_send, False):
                r.sheep_send = 0
                r.wheat_receive = 0
        elif not c_check_price_error_bound(n, d, r.wheat_receive, r.sheep_send, True):
            raise RuntimeError("exceeded price error bound")
    else:
        if rnd == R_STRICT_SEND:
            if r.sheep_send == 0:
                raise RuntimeError("invalid amount of sheep sent")
        else:
            r.wheat_receive = 0
            r.sheep_send = 0
    return 0


cdef int c_exchange_v10(int32_t n, int32_t d, int64_t max_wheat_send, int64_t max_wheat_receive,
                        int64_t max_sheep_send, int64_t max_sheep_receive, int rnd,
                        ExRes* out) except -1:
    """exchangeV10."""
    c_exchange_v10_without_thresholds(n, d, max_wheat_send, max_wheat_receive, max_sheep_send,
                                      max_sheep_receive, rnd, out)
    c_apply_price_error_thresholds(n, d, rnd, out)
    return 0


cdef int64_t c_adjust_offer(int32_t n, int32_t d, int64_t max_wheat_send,
                            int64_t max_sheep_receive) except? -1:
    """adjustOffer: what a limitless buyer would take of this offer."""
    cdef ExRes r
    c_exchange_v10(n, d, max_wheat_send, stdint.INT64_MAX, stdint.INT64_MAX, max_sheep_receive,
                   R_NORMAL, &r)
    return r.wheat_receive


def exchange_v10(int32_t n, int32_t d, int64_t max_wheat_send, int64_t max_wheat_receive,
                 int64_t max_sheep_send, int64_t max_sheep_receive, int round):
    """exchangeV10 -> (wheat_received, sheep_send, wheat_stays)."""
    cdef ExRes r
    c_exchange_v10(n, d, max_wheat_send, max_wheat_receive, max_sheep_send, max_sheep_receive,
                   round, &r)
    return r.wheat_receive, r.sheep_send, bool(r.wheat_stays)


def exchange_v10_without_price_error_thresholds(int32_t n, int32_t d, int64_t max_wheat_send,
                                                int64_t max_wheat_receive, int64_t max_sheep_send,
                                                int64_t max_sheep_receive, int round):
    """exchangeV10WithoutPriceErrorThresholds -> (wheat_received, sheep_send, wheat_stays)."""
    cdef ExRes r
    c_exchange_v10_without_thresholds(n, d, max_wheat_send, max_wheat_receive, max_sheep_send,
                                      max_sheep_receive, round, &r)
    return r.wheat_receive, r.sheep_send, bool(r.wheat_stays)


def apply_price_error_thresholds(int32_t n, int32_t d, int64_t wheat_receive, int64_t sheep_send,
                                 bint wheat_stays, int round):
    """applyPriceErrorThresholds -> (wheat_received, sheep_send, wheat_stays)."""
    cdef ExRes r
    r.wheat_receive = wheat_receive
    r.sheep_send = sheep_send
    r.wheat_stays = wheat_stays
    c_apply_price_error_thresholds(n, d, round, &r)
    return r.wheat_receive, r.sheep_send, bool(r.wheat_stays)


def adjust_offer(int32_t n, int32_t d, int64_t max_wheat_send, int64_t max_sheep_receive) -> int:
    """adjustOffer(price, maxWheatSend, maxSheepReceive)."""
    return c_adjust_offer(n, d, max_wheat_send, max_sheep_receive)


def check_price_error_bound(int32_t n, int32_t d, int64_t wheat_receive, int64_t sheep_send,
                            bint can_favor_wheat) -> bool:
    """checkPriceErrorBound."""
    return bool(c_check_price_error_bound(n, d, wheat_receive, sheep_send, can_favor_wheat))


# -- exchange with a constant-product pool ---------------------------------------------------
cdef int c_exchange_with_pool(int64_t reserves_to_pool, int64_t max_send_to_pool, int64_t* to_pool,
                              int64_t reserves_from_pool, int64_t max_receive_from_pool,
                              int64_t* from_pool, int32_t fee_bps, int rnd) except -1:
    """exchangeWithPool (amounts only): 1 if the trade can happen. "ToPool"
    is the sheep (we send it), "FromPool" the wheat. Strict send fixes
    toPool and rounds fromPool down; strict receive fixes fromPool and
    rounds toPool up; both through hugeDivide so no full product is formed
    (PARITY_TRAPS D5)."""
    cdef int32_t max_bps = 10000
    cdef uint128_t denominator
    cdef int res
    if fee_bps < 0 or max_bps <= fee_bps:
        raise RuntimeError("Liquidity pool fee out of range")
    if reserves_to_pool <= 0 or reserves_from_pool <= 0:
        raise RuntimeError("non-positive reserve in exchangeWithPool")
    if rnd == R_STRICT_SEND:
        if max_receive_from_pool != stdint.INT64_MAX:
            raise RuntimeError("strict send with bounded receive?")
        max_receive_from_pool = reserves_from_pool
        if max_send_to_pool > stdint.INT64_MAX - reserves_to_pool:
            return 0
        to_pool[0] = max_send_to_pool
        denominator = c_big_multiply(max_bps, reserves_to_pool) + c_big_multiply(max_bps - fee_bps, to_pool[0])
        res = c_huge_divide(from_pool, max_bps - fee_bps, c_big_multiply(reserves_from_pool, to_pool[0]),
                            denominator, ROUND_DOWN_C)
        if res and from_pool[0] > max_receive_from_pool:
            raise RuntimeError("received too much from pool")
        if res and from_pool[0] < 0:
            raise RuntimeError("fromPool is negative")
        return 1 if (res and from_pool[0] != 0) else 0
    elif rnd == R_STRICT_RECEIVE:
        if max_send_to_pool != stdint.INT64_MAX:
            raise RuntimeError("strict receive with bounded send?")
        max_send_to_pool = stdint.INT64_MAX - reserves_to_pool
        if max_receive_from_pool >= reserves_from_pool:
            return 0
        from_pool[0] = max_receive_from_pool
        res = c_huge_divide(to_pool, max_bps, c_big_multiply(reserves_to_pool, from_pool[0]),
                            c_big_multiply(reserves_from_pool - from_pool[0], max_bps - fee_bps),
                            ROUND_UP_C)
        if res and to_pool[0] < 0:
            raise RuntimeError("toPool is negative")
        return 1 if (res and to_pool[0] <= max_send_to_pool) else 0
    raise RuntimeError("Invalid rounding type")


def exchange_with_pool(int64_t reserves_to_pool, int64_t max_send_to_pool, int64_t reserves_from_pool,
                       int64_t max_receive_from_pool, int32_t fee_bps, int round):
    """exchangeWithPool -> (ok, to_pool, from_pool)."""
    cdef int64_t to_pool = 0
    cdef int64_t from_pool = 0
    ok = c_exchange_with_pool(reserves_to_pool, max_send_to_pool, &to_pool, reserves_from_pool,
                              max_receive_from_pool, &from_pool, fee_bps, round)
    return bool(ok), to_pool, from_pool


def get_pool_id(x, y, int fee_bps) -> bytes:
    """getPoolID: the constant-product pool of x and y (in xdr order)."""
    if y < x:
        x, y = y, x
    return constant_product_pool_id(x, y, fee_bps)


def is_pool_trading_disabled(header) -> bool:
    """isPoolTradingDisabled: header ext v1 flag DISABLE_LIQUIDITY_POOL_TRADING_FLAG."""
    return header.ext.v == 1 and (header.ext.v1.flags & _TRADING_DISABLED) != 0


# -- offer liabilities (TransactionUtils) ----------------------------------------------------
cdef inline object _offer_entry(object offer):
    return offer.data.offer if hasattr(offer, "data") else offer


def get_offer_buying_liabilities(offer) -> int:
    """getOfferBuyingLiabilities: the sheep a limitless buyer would pay."""
    cdef ExRes r
    oe = _offer_entry(offer)
    c_exchange_v10_without_thresholds(oe.price.n, oe.price.d, oe.amount, stdint.INT64_MAX,
                                      stdint.INT64_MAX, stdint.INT64_MAX, R_NORMAL, &r)
    return r.sheep_send


def get_offer_selling_liabilities(offer) -> int:
    """getOfferSellingLiabilities: the wheat a limitless buyer would take."""
    cdef ExRes r
    oe = _offer_entry(offer)
    c_exchange_v10_without_thresholds(oe.price.n, oe.price.d, oe.amount, stdint.INT64_MAX,
                                      stdint.INT64_MAX, stdint.INT64_MAX, R_NORMAL, &r)
    return r.wheat_receive


def _acquire_or_release(ltx, header, offer_le, bint is_acquire):
    """acquireOrReleaseLiabilities: buying side first, then selling; each
    loads (records) the seller's account or trustline."""
    oe = offer_le.data.offer
    if oe.buying == oe.selling:
        raise RuntimeError("buying and selling same asset")
    seller = oe.sellerID
    buying_l = get_offer_buying_liabilities(oe)
    selling_l = get_offer_selling_liabilities(oe)
    if not is_acquire:
        buying_l = -buying_l
        selling_l = -selling_l
    if oe.buying.type == _NATIVE:
        acc = ltx.load(account_key(seller))
        if acc is None:
            raise RuntimeError("account does not exist")
        if not B.add_buying_liabilities(header, acc, buying_l):
            raise RuntimeError("could not add buying liabilities")
    else:
        tl = load_trustline(ltx, seller, oe.buying)
        if tl is None:
            raise RuntimeError("trustline does not exist")
        if not tl.add_buying_liabilities(header, buying_l):
            raise RuntimeError("could not add buying liabilities")
    if oe.selling.type == _NATIVE:
        acc = ltx.load(account_key(seller))
        if acc is None:
            raise RuntimeError("account does not exist")
        if not B.add_selling_liabilities(header, acc, selling_l):
            raise RuntimeError("could not add selling liabilities")
    else:
        tl = load_trustline(ltx, seller, oe.selling)
        if tl is None:
            raise RuntimeError("trustline does not exist")
        if not tl.add_selling_liabilities(header, selling_l):
            raise RuntimeError("could not add selling liabilities")


def acquire_liabilities(ltx, header, offer_le) -> None:
    """acquireLiabilities (throws where stellar-core does)."""
    _acquire_or_release(ltx, header, offer_le, True)


def release_liabilities(ltx, header, offer_le) -> None:
    """releaseLiabilities."""
    _acquire_or_release(ltx, header, offer_le, False)


def can_sell_at_most(header, account_le, asset, trustline) -> int:
    """canSellAtMost: native above the reserve; a line only if authorized
    to maintain liabilities."""
    if asset.type == _NATIVE:
        return max(B.available_balance(header, account_le), 0)
    if trustline is not None and trustline.is_authorized_to_maintain_liabilities():
        return max(trustline.available_balance(header), 0)
    return 0


def can_buy_at_most(header, account_le, asset, trustline) -> int:
    """canBuyAtMost."""
    if asset.type == _NATIVE:
        return max(B.max_amount_receive(header, account_le), 0)
    return max(trustline.max_amount_receive(header), 0) if trustline is not None else 0


def adjust_offer_entry(header, offer_le, account_le, wheat, wheat_line, sheep, sheep_line) -> None:
    """adjustOffer(header, offer, account, wheat, wheatLine, sheep,
    sheepLine): shrink the offer to what its owner can deliver and receive."""
    oe = offer_le.data.offer
    max_wheat_send = min(oe.amount, can_sell_at_most(header, account_le, wheat, wheat_line))
    max_sheep_receive = can_buy_at_most(header, account_le, sheep, sheep_line)
    oe.amount = c_adjust_offer(oe.price.n, oe.price.d, max_wheat_send, max_sheep_receive)


# -- crossing --------------------------------------------------------------------------------
def _claim_offer_atom(seller, offer_id, wheat, wheat_received, sheep, sheep_send):
    return xdr.ClaimAtom(_CAT.CLAIM_ATOM_TYPE_ORDER_BOOK, xdr.ClaimOfferAtom(
        sellerID=seller, offerID=offer_id, assetSold=wheat, amountSold=wheat_received,
        assetBought=sheep, amountBought=sheep_send))


def _cross_offer_v10(ltx, offer_le, int64_t max_wheat_received, int64_t max_sheep_send, int rnd,
                     list offer_trail):
    """crossOfferV10 -> (CrossOfferResult, wheat_received, sheep_send,
    wheat_stays). Releases the maker's liabilities before computing what it
    can sell and buy, re-acquires them on what stays, and always appends a
    claim atom, even for a zero exchange (PARITY_TRAPS D4)."""
    cdef ExRes r
    if not (max_wheat_received > 0 and max_sheep_send > 0):
        raise RuntimeError("crossOfferV10: nothing to cross")
    header = ltx.get_header()
    oe = offer_le.data.offer
    sheep = oe.buying
    wheat = oe.selling
    seller = oe.sellerID
    offer_id = oe.offerID
    if ltx.load_without_record(account_key(seller)) is None:
        raise RuntimeError("invalid database state: offer must have matching account")

    release_liabilities(ltx, header, offer_le)

    account_b = None
    if wheat.type == _NATIVE or sheep.type == _NATIVE:
        account_b = ltx.load(account_key(seller))
    sheep_line = None if sheep.type == _NATIVE else load_trustline(ltx, seller, sheep)
    wheat_line = None if wheat.type == _NATIVE else load_trustline(ltx, seller, wheat)

    # No effect from protocol 10 on; stellar-core keeps it as a safeguard.
    adjust_offer_entry(header, offer_le, account_b, wheat, wheat_line, sheep, sheep_line)

    max_wheat_send = min(oe.amount, can_sell_at_most(header, account_b, wheat, wheat_line))
    max_sheep_receive = can_buy_at_most(header, account_b, sheep, sheep_line)
    c_exchange_v10(oe.price.n, oe.price.d, max_wheat_send, max_wheat_received, max_sheep_send,
                   max_sheep_receive, rnd, &r)

    if r.sheep_send != 0:
        ok = (B.add_balance(header, account_b, r.sheep_send) if sheep.type == _NATIVE
              else sheep_line.add_balance(header, r.sheep_send))
        if not ok:
            raise RuntimeError("overflowed sheep balance")
    if r.wheat_receive != 0:
        ok = (B.add_balance(header, account_b, -r.wheat_receive) if wheat.type == _NATIVE
              else wheat_line.add_balance(header, -r.wheat_receive))
        if not ok:
            raise RuntimeError("overflowed wheat balance")

    if r.wheat_stays:
        oe.amount -= r.wheat_receive
        adjust_offer_entry(header, offer_le, account_b, wheat, wheat_line, sheep, sheep_line)
    else:
        oe.amount = 0
    res = CrossOfferResult.OFFER_TAKEN if oe.amount == 0 else CrossOfferResult.OFFER_PARTIAL

    okey = offer_key(seller, offer_id)
    inner = LedgerTxn(ltx)
    try:
        iheader = inner.get_header()
        o = inner.load(okey)
        if res == CrossOfferResult.OFFER_TAKEN:
            acc = inner.load(account_key(seller))
            remove_entry_with_possible_sponsorship(inner, iheader, o, acc)
            inner.erase(okey)
        else:
            acquire_liabilities(inner, iheader, o)
        inner.commit()
    finally:
        inner.rollback()

    offer_trail.append(_claim_offer_atom(seller, offer_id, wheat, r.wheat_receive, sheep, r.sheep_send))
    return res, r.wheat_receive, r.sheep_send, bool(r.wheat_stays)


def _convert_with_offers(ltx_outer, sheep, int64_t max_sheep_send, wheat, int64_t max_wheat_receive,
                         int rnd, filter, list offer_trail, int64_t max_offers_to_cross):
    """convertWithOffers -> (ConvertResult, sheep_send, wheat_received).
    Each offer is crossed in its own child LedgerTxn, committed only when
    crossed; a stop (filter, work limit) rolls the loaded offer back. The
    work-limit check comes after the filter and before crossing
    (PARITY_TRAPS D3)."""
    if offer_trail:
        raise RuntimeError("convertWithOffers: offerTrail must start empty")
    cdef int64_t sheep_send = 0
    cdef int64_t wheat_received = 0
    cdef bint need_more = max_wheat_receive > 0 and max_sheep_send > 0
    if need_more and max_offers_to_cross == 0:
        return ConvertResult.CROSSED_TOO_MANY, 0, 0

    while need_more:
        ltx = LedgerTxn(ltx_outer)
        try:
            offer_le = ltx.load_best_offer(sheep, wheat)
            if offer_le is None:
                break
            if filter is not None:
                fr = filter(offer_le)
                if fr == OfferFilterResult.STOP_BAD_PRICE:
                    return ConvertResult.FILTER_STOP_BAD_PRICE, sheep_send, wheat_received
                if fr == OfferFilterResult.STOP_CROSS_SELF:
                    return ConvertResult.FILTER_STOP_CROSS_SELF, sheep_send, wheat_received
                if fr != OfferFilterResult.KEEP:
                    raise RuntimeError("unexpected filter result")
            if len(offer_trail) >= max_offers_to_cross:
                return ConvertResult.CROSSED_TOO_MANY, sheep_send, wheat_received

            cor, num_wheat, num_sheep, wheat_stays = _cross_offer_v10(
                ltx, offer_le, max_wheat_receive, max_sheep_send, rnd, offer_trail)
            need_more = not wheat_stays
            if not (0 <= num_sheep <= max_sheep_send and 0 <= num_wheat <= max_wheat_receive):
                raise RuntimeError("crossOfferV10 exchanged out of bounds")
            if cor == CrossOfferResult.OFFER_CANT_CONVERT:
                return ConvertResult.PARTIAL, sheep_send, wheat_received
            ltx.commit()
        finally:
            ltx.rollback()

        sheep_send += num_sheep
        max_sheep_send -= num_sheep
        wheat_received += num_wheat
        max_wheat_receive -= num_wheat

        need_more = need_more and max_wheat_receive > 0 and max_sheep_send > 0
        if not need_more:
            return ConvertResult.OK, sheep_send, wheat_received
        elif cor == CrossOfferResult.OFFER_PARTIAL:
            return ConvertResult.PARTIAL, sheep_send, wheat_received
    return (ConvertResult.PARTIAL if need_more else ConvertResult.OK), sheep_send, wheat_received


def _exchange_with_pool_ltx(ltx_outer, to_pool_asset, int64_t max_send_to_pool, from_pool_asset,
                            int64_t max_receive_from_pool, int rnd, int64_t max_offers_to_cross):
    """The ledger-level exchangeWithPool -> (ok, to_pool, from_pool): only for
    path payments, never when trading is disabled or no offer may be
    crossed any more, never with an empty pool; on success the pool's
    reserves move and the child LedgerTxn is committed (PARITY_TRAPS D1)."""
    cdef int64_t to_pool = 0
    cdef int64_t from_pool = 0
    ltx = LedgerTxn(ltx_outer)
    try:
        if is_pool_trading_disabled(ltx.get_header()):
            return False, 0, 0
        if rnd == R_NORMAL:
            return False, 0, 0
        if max_offers_to_cross == 0:
            return False, 0, 0
        pool_id = get_pool_id(to_pool_asset, from_pool_asset, LIQUIDITY_POOL_FEE_V18)
        lp = ltx.load(liquidity_pool_key(pool_id))
        if lp is None:
            return False, 0, 0
        cp = lp.data.liquidityPool.body.constantProduct
        if cp.reserveA <= 0 or cp.reserveB <= 0:
            return False, 0, 0
        if to_pool_asset == cp.params.assetA and from_pool_asset == cp.params.assetB:
            ok = c_exchange_with_pool(cp.reserveA, max_send_to_pool, &to_pool, cp.reserveB,
                                      max_receive_from_pool, &from_pool, LIQUIDITY_POOL_FEE_V18, rnd)
            if ok:
                new_a = B.add_balance_raw(cp.reserveA, to_pool)
                new_b = B.add_balance_raw(cp.reserveB, -from_pool)
                if new_a is None or new_b is None:
                    raise RuntimeError("could not update reserves")
                cp.reserveA = new_a
                cp.reserveB = new_b
        elif from_pool_asset == cp.params.assetA and to_pool_asset == cp.params.assetB:
            ok = c_exchange_with_pool(cp.reserveB, max_send_to_pool, &to_pool, cp.reserveA,
                                      max_receive_from_pool, &from_pool, LIQUIDITY_POOL_FEE_V18, rnd)
            if ok:
                new_a = B.add_balance_raw(cp.reserveA, -from_pool)
                new_b = B.add_balance_raw(cp.reserveB, to_pool)
                if new_a is None or new_b is None:
                    raise RuntimeError("could not update reserves")
                cp.reserveA = new_a
                cp.reserveB = new_b
        else:
            raise RuntimeError("Invalid liquidity pool assets")
        if ok:
            ltx.commit()
        return bool(ok), to_pool, from_pool
    finally:
        ltx.rollback()


def _should_convert_with_offers(pool_exchange, book_sheep_send, book_wheat_received, convert_res) -> bool:
    """shouldConvertWithOffers: the book only when there is no pool trade,
    or the book succeeded at a strictly better price
    (pool.send * book.recv > pool.recv * book.send, exact)."""
    if pool_exchange is not None:
        if convert_res != ConvertResult.OK:
            return False
        pool_sheep_send, pool_wheat_received = pool_exchange
        return pool_sheep_send * book_wheat_received > pool_wheat_received * book_sheep_send
    return True


def convert_with_offers_and_pools(ltx_outer, sheep, int64_t max_sheep_send, wheat, int64_t max_wheat_receive,
                                  round, filter, list offer_trail, int64_t max_offers_to_cross):
    """convertWithOffersAndPools: buy wheat with sheep, all through the order
    book or all through the pool (PARITY_TRAPS D1). The pool's result is
    computed in a LedgerTxn that is always rolled back, the book's in one
    that is committed only if the book wins; otherwise the pool trade is
    done for real and yields a single liquidity-pool claim atom.
    -> (ConvertResult, sheep_send, wheat_received); atoms go to offer_trail."""
    cdef int rnd = round
    _check_round(rnd)
    if offer_trail:
        raise RuntimeError("convertWithOffersAndPools: offerTrail must start empty")

    pool_exchange = None
    ltx_pool = LedgerTxn(ltx_outer)
    try:
        ok, p_send, p_recv = _exchange_with_pool_ltx(ltx_pool, sheep, max_sheep_send, wheat,
                                                     max_wheat_receive, rnd, max_offers_to_cross)
        if ok:
            pool_exchange = (p_send, p_recv)
    finally:
        ltx_pool.rollback()

    ltx_book = LedgerTxn(ltx_outer)
    try:
        temp_trail = []
        res, b_send, b_recv = _convert_with_offers(ltx_book, sheep, max_sheep_send, wheat, max_wheat_receive,
                                                   rnd, filter, temp_trail, max_offers_to_cross)
        if _should_convert_with_offers(pool_exchange, b_send, b_recv, res):
            offer_trail.extend(temp_trail)
            ltx_book.commit()
            return res, b_send, b_recv
    finally:
        ltx_book.rollback()

    offer_trail.clear()
    _, sheep_send, wheat_received = _exchange_with_pool_ltx(ltx_outer, sheep, max_sheep_send, wheat,
                                                            max_wheat_receive, rnd, max_offers_to_cross)
    offer_trail.append(xdr.ClaimAtom(_CAT.CLAIM_ATOM_TYPE_LIQUIDITY_POOL, xdr.ClaimLiquidityAtom(
        liquidityPoolID=get_pool_id(sheep, wheat, LIQUIDITY_POOL_FEE_V18), assetSold=wheat,
        amountSold=wheat_received, assetBought=sheep, amountBought=sheep_send)))
    return ConvertResult.OK, sheep_send, wheat_received
