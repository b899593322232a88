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
  OfferFilterResult, ConvertResult (convert_with_offers_and_pools follows
  in the next commit);
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
