"""Exchange math and the crossing loop (stellarcore.transactions.offer_exchange)
against stellar-core's src/transactions/test/ExchangeTests.cpp: "ExchangeV10",
"Adjust Offer", "Check price error bounds", "getPoolWithdrawalAmount",
"Exchange with liquidity pools" (the pre-V10 "Exchange" case covers
exchangeV2/V3, which protocol 23 never runs). Properties are the claims
stellar-core proves in OfferExchange.cpp's comments.
"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stellarcore.transactions import offer_exchange as X
from stellarcore.transactions.offer_exchange import RoundingType as R

INT32_MAX = (1 << 31) - 1
INT64_MAX = (1 << 63) - 1
NORMAL = R.NORMAL
SEND = R.PATH_PAYMENT_STRICT_SEND
RECV = R.PATH_PAYMENT_STRICT_RECEIVE


def _check_favour(p, wheat_stays, wheat_receive, sheep_send):
    n, d = p
    if wheat_stays:
        assert sheep_send * d >= wheat_receive * n
    else:
        assert sheep_send * d <= wheat_receive * n


# -- ExchangeV10 --------------------------------------------------------------------
# (price, maxWheatSend, maxSheepSend, wheatReceive, sheepSend)
LIMITED_BY_WHEAT_SEND_AND_SHEEP_SEND = [
    ((3, 2), 3000, 4501, 3000, 4500), ((3, 2), 3000, 4500, 3000, 4500), ((3, 2), 3000, 4499, 2999, 4499),
    ((3, 2), 2999, 4499, 2999, 4498), ((3, 2), 2999, 4498, 2998, 4497),
    ((2, 3), 3000, 2001, 3000, 2000), ((2, 3), 3000, 2000, 3000, 2000), ((2, 3), 3000, 1999, 2998, 1999),
    ((2, 3), 2999, 2000, 2999, 1999), ((2, 3), 2999, 1999, 2998, 1999),
]


@pytest.mark.parametrize("p,mws,mss,wr,ss", LIMITED_BY_WHEAT_SEND_AND_SHEEP_SEND)
def test_v10_limited_by_max_wheat_send_and_max_sheep_send(p, mws, mss, wr, ss):
    res = X.exchange_v10(*p, mws, INT64_MAX, mss, INT64_MAX, NORMAL)
    assert res == (wr, ss, mws * p[0] > mss * p[1])
    _check_favour(p, res[2], wr, ss)


# (price, maxWheatReceive, maxSheepReceive, wheatReceive, sheepSend)
LIMITED_BY_WHEAT_RECEIVE_AND_SHEEP_RECEIVE = [
    ((3, 2), 3000, 4501, 3000, 4500), ((3, 2), 3000, 4500, 3000, 4500), ((3, 2), 3000, 4499, 2999, 4498),
    ((3, 2), 2999, 4499, 2999, 4499), ((3, 2), 2999, 4498, 2998, 4497),
    ((2, 3), 3000, 2001, 3000, 2000), ((2, 3), 3000, 2000, 3000, 2000), ((2, 3), 3000, 1999, 2999, 1999),
    ((2, 3), 2999, 2000, 2998, 1999), ((2, 3), 2999, 1999, 2999, 1999),
]


@pytest.mark.parametrize("p,mwr,msr,wr,ss", LIMITED_BY_WHEAT_RECEIVE_AND_SHEEP_RECEIVE)
def test_v10_limited_by_max_wheat_receive_and_max_sheep_receive(p, mwr, msr, wr, ss):
    res = X.exchange_v10(*p, INT64_MAX, mwr, INT64_MAX, msr, NORMAL)
    assert res == (wr, ss, msr * p[1] > mwr * p[0])
    _check_favour(p, res[2], wr, ss)


# (price, maxWheatSend, maxWheatReceive, wheatReceive, sheepSend)
LIMITED_BY_WHEAT_SEND_AND_WHEAT_RECEIVE = [
    ((3, 2), 3000, 3001, 3000, 4500), ((3, 2), 3000, 3000, 3000, 4500), ((3, 2), 3000, 2999, 2999, 4499),
    ((2, 3), 3000, 3001, 3000, 2000), ((2, 3), 3000, 3000, 3000, 2000), ((2, 3), 3000, 2999, 2998, 1999),
    # "Threshold": exchange nothing if thresholds exceeded; large enough offers pass
    ((3, 2), 28, 27, 0, 0), ((3, 2), 28, 26, 26, 39), ((3, 2), 52, 51, 51, 77), ((3, 2), 52, 50, 50, 75),
]


@pytest.mark.parametrize("p,mws,mwr,wr,ss", LIMITED_BY_WHEAT_SEND_AND_WHEAT_RECEIVE)
def test_v10_limited_by_max_wheat_send_and_max_wheat_receive(p, mws, mwr, wr, ss):
    res = X.exchange_v10(*p, mws, mwr, INT64_MAX, INT64_MAX, NORMAL)
    assert res == (wr, ss, mws > mwr)
    _check_favour(p, res[2], wr, ss)


# (price, maxSheepSend, maxSheepReceive, wheatReceive, sheepSend)
LIMITED_BY_SHEEP_SEND_AND_SHEEP_RECEIVE = [
    ((3, 2), 4500, 4501, 3000, 4500), ((3, 2), 4500, 4500, 3000, 4500), ((3, 2), 4500, 4499, 2999, 4498),
    ((2, 3), 2000, 2001, 3000, 2000), ((2, 3), 2000, 2000, 3000, 2000), ((2, 3), 2000, 1999, 2999, 1999),
]


@pytest.mark.parametrize("p,mss,msr,wr,ss", LIMITED_BY_SHEEP_SEND_AND_SHEEP_RECEIVE)
def test_v10_limited_by_max_sheep_send_and_max_sheep_receive(p, mss, msr, wr, ss):
    res = X.exchange_v10(*p, INT64_MAX, INT64_MAX, mss, msr, NORMAL)
    assert res == (wr, ss, msr > mss)
    _check_favour(p, res[2], wr, ss)


# "Rounding for PATH_PAYMENT_STRICT_RECEIVE": (price, maxWheatSend, maxWheatReceive, round, wr, ss)
STRICT_RECEIVE_ROUNDING = [
    ((3, 2), 28, 27, NORMAL, 0, 0), ((3, 2), 28, 27, RECV, 27, 41),          # no thresholding
    ((3, 2), 150, 101, NORMAL, 101, 152), ((3, 2), 150, 101, RECV, 101, 152),  # unchanged, wheat more valuable
    ((2, 3), 150, 101, NORMAL, 100, 67), ((2, 3), 150, 101, RECV, 101, 68),    # can increase, sheep more valuable
]


@pytest.mark.parametrize("p,mws,mwr,rnd,wr,ss", STRICT_RECEIVE_ROUNDING)
def test_v10_rounding_for_strict_receive(p, mws, mwr, rnd, wr, ss):
    assert X.exchange_v10(*p, mws, mwr, INT64_MAX, INT64_MAX, rnd) == (wr, ss, mws > mwr)


# "Rounding for PATH_PAYMENT_STRICT_SEND": (price, maxWheatSend, maxWheatReceive, maxSheepSend, round, wr, ss)
STRICT_SEND_ROUNDING = [
    ((3, 2), 28, INT64_MAX, 41, NORMAL, 0, 0), ((3, 2), 28, INT64_MAX, 41, SEND, 27, 41),
    ((3, 2), 97, INT64_MAX, 145, NORMAL, 96, 144), ((3, 2), 97, INT64_MAX, 145, SEND, 96, 145),
    ((2, 3), 97, 95, INT64_MAX, NORMAL, 94, 63), ((2, 3), 97, 95, INT64_MAX, SEND, 95, INT64_MAX),
    ((2, 1), 1, INT64_MAX, 1, NORMAL, 0, 0), ((2, 1), 1, INT64_MAX, 1, SEND, 0, 1),  # send nonzero, receive zero
]


@pytest.mark.parametrize("p,mws,mwr,mss,rnd,wr,ss", STRICT_SEND_ROUNDING)
def test_v10_rounding_for_strict_send(p, mws, mwr, mss, rnd, wr, ss):
    res = X.exchange_v10(*p, mws, mwr, mss, INT64_MAX, rnd)
    if mwr == INT64_MAX:
        assert res[2]
    else:
        assert res[2] == (mws * p[0] > min(mss * p[1], mwr * p[0]))
    assert res[:2] == (wr, ss)


def test_v10_strict_send_adjust_precondition():
    assert X.adjust_offer(3, 2, 97, INT64_MAX) == 97


def test_v10_without_thresholds_and_thresholds_compose():
    raw = X.exchange_v10_without_price_error_thresholds(3, 2, 28, 27, INT64_MAX, INT64_MAX, NORMAL)
    assert raw == (27, 41, True)
    assert X.apply_price_error_thresholds(3, 2, 27, 41, True, NORMAL) == (0, 0, True)
    assert X.apply_price_error_thresholds(3, 2, 27, 41, True, RECV) == (27, 41, True)
    with pytest.raises(RuntimeError):  # favored sheep when wheat stays
        X.apply_price_error_thresholds(3, 2, 27, 40, True, NORMAL)
    with pytest.raises(RuntimeError):  # favored wheat when sheep stays
        X.apply_price_error_thresholds(3, 2, 27, 41, False, NORMAL)
    with pytest.raises(RuntimeError):  # strict send never sells no sheep
        X.apply_price_error_thresholds(3, 2, 0, 0, True, SEND)


# -- Adjust Offer -------------------------------------------------------------------------
ADJUST_LIMITS = [
    ((1, 1000), 2001, INT64_MAX, 2000), ((1, 1000), 2000, INT64_MAX, 2000), ((1, 1000), 1999, INT64_MAX, 1000),
    ((1, 1000), 2000, 3, 2000), ((1, 1000), 2000, 2, 2000), ((1, 1000), 2000, 1, 1000),
    ((1000, 1), 401, INT64_MAX, 401), ((1000, 1), 400, INT64_MAX, 400), ((1000, 1), 399, INT64_MAX, 399),
    ((1000, 1), 400, 400 * 1000 + 1, 400), ((1000, 1), 400, 400 * 1000, 400), ((1000, 1), 400, 400 * 1000 - 1, 399),
    # Thresholds affect some small offers but not all, and not large ones
    ((3, 2), 29, INT64_MAX, 0), ((3, 2), 28, INT64_MAX, 28), ((3, 2), 27, INT64_MAX, 0), ((3, 2), 26, INT64_MAX, 26),
    ((3, 2), 51, INT64_MAX, 51), ((3, 2), 50, INT64_MAX, 50),
]


@pytest.mark.parametrize("p,mws,msr,expected", ADJUST_LIMITS)
def test_adjust_offer_limits(p, mws, msr, expected):
    assert X.adjust_offer(*p, mws, msr) == expected


ADJUST_TWICE = [
    ((7, 3), 429, INT64_MAX, 429), ((7, 3), 428, INT64_MAX, 428), ((7, 3), 427, INT64_MAX, 427),
    ((7, 3), 428, 999, 428), ((7, 3), 428, 998, 427), ((7, 3), 428, 997, 427),
    ((3, 7), 1001, INT64_MAX, 1001), ((3, 7), 1000, INT64_MAX, 999), ((3, 7), 999, INT64_MAX, 999),
    ((3, 7), 1000, 429, 999), ((3, 7), 1000, 428, 999), ((3, 7), 1000, 427, 997),
]


@pytest.mark.parametrize("p,mws,msr,expected", ADJUST_TWICE)
def test_adjusting_offer_again_has_no_effect(p, mws, msr, expected):
    assert X.adjust_offer(*p, mws, msr) == expected
    assert X.adjust_offer(*p, expected, msr) == expected


# -- Check price error bounds ----------------------------------------------------------------
BOUNDS = [((1, 1), 1000, 1010, 990), ((5, 2), 1000, 2525, 2475), ((2, 5), 1000, 404, 396),
          ((7, 3), 1000, 2356, 2310), ((3, 7), 1000, 432, 425)]


@pytest.mark.parametrize("can_favor_wheat", [False, True])
@pytest.mark.parametrize("p,wr,high,low", BOUNDS)
def test_check_price_error_bounds(p, wr, high, low, can_favor_wheat):
    assert X.check_price_error_bound(*p, wr, high + 1, can_favor_wheat) == can_favor_wheat
    assert X.check_price_error_bound(*p, wr, high, can_favor_wheat)
    assert X.check_price_error_bound(*p, wr, low, can_favor_wheat)
    assert not X.check_price_error_bound(*p, wr, low - 1, can_favor_wheat)


def test_get_pool_withdrawal_amount():
    from stellarcore.transactions.pool_share import pool_withdrawal_amount
    assert pool_withdrawal_amount(5, 10, 6) == 3
    assert pool_withdrawal_amount(4, 5, 9) == 7
    assert pool_withdrawal_amount(INT64_MAX, INT64_MAX, INT64_MAX) == INT64_MAX


# -- Exchange with liquidity pools -----------------------------------------------------------
POOL_THROWS = [
    (100, 50, 100, INT64_MAX, -1, SEND), (100, INT64_MAX, 100, 50, -1, RECV),                # fee < 0
    (100, 50, 100, INT64_MAX, 10000, SEND), (100, INT64_MAX, 100, 50, 10000, RECV),          # fee == max
    (100, 50, 100, INT64_MAX, INT32_MAX, SEND), (100, INT64_MAX, 100, 50, INT32_MAX, RECV),  # fee > max
    (100, 50, 100, INT64_MAX - 1, 0, SEND), (100, 50, 100, 0, 0, SEND),    # strict send, bounded receive
    (100, INT64_MAX - 1, 100, 50, 0, RECV), (100, 0, 100, 50, 0, RECV),    # strict receive, bounded send
    (100, 50, 100, 50, 0, NORMAL),                                         # not a path payment
]


@pytest.mark.parametrize("args", POOL_THROWS)
def test_pool_error_conditions(args):
    with pytest.raises(RuntimeError):
        X.exchange_with_pool(*args)


# (reservesToPool, maxSendToPool, reservesFromPool, maxReceiveFromPool, fee, round, success, toPool, fromPool)
POOL_CASES = [
    # strict send failure cases: overflowing the to-pool reserve (low reserves, high send)
    (100, INT64_MAX - 100, 100, INT64_MAX, 0, SEND, True, INT64_MAX - 100, 99),
    (100, INT64_MAX - 99, 100, INT64_MAX, 0, SEND, False, 0, 0),
    # ... high reserves, low send
    (INT64_MAX - 100, 100, INT64_MAX - 100, INT64_MAX, 0, SEND, True, 100, 99),
    (INT64_MAX - 99, 100, INT64_MAX - 100, INT64_MAX, 0, SEND, False, 0, 0),
    # fromPool == 0
    (100, 2, 100, INT64_MAX, 0, SEND, True, 2, 1),
    (100, 1, 100, INT64_MAX, 0, SEND, False, 0, 0),
    # strict receive failure cases: depleting the reserve
    (100, INT64_MAX, 100, 99, 0, RECV, True, 9900, 99),
    (100, INT64_MAX, 100, 100, 0, RECV, False, 0, 0),
    (100, INT64_MAX, INT64_MAX // 100, INT64_MAX // 100 - 1, 0, RECV, True, INT64_MAX - 107, INT64_MAX // 100 - 1),
    (100, INT64_MAX, INT64_MAX // 100, INT64_MAX // 100, 0, RECV, False, 0, 0),
    # hugeDivide: B / C > INT64_MAX, and the result overflowing
    (INT64_MAX // 100, INT64_MAX, 101 * 10000 + 1, 101 * 10000, 0, RECV, False, 0, 0),
    (INT64_MAX // 100, INT64_MAX, 10000 + 1, 10000, 0, RECV, False, 0, 0),
    # the pool would receive more than it has room for
    (INT64_MAX - 100, INT64_MAX, INT64_MAX // 2, 49, 0, RECV, True, 98, 49),
    (INT64_MAX - 100, INT64_MAX, INT64_MAX // 2, 50, 0, RECV, False, 0, 0),
    # No fees, strict send
    (100, 100, 100, INT64_MAX, 0, SEND, True, 100, 50),
    (100, 50, 100, INT64_MAX, 0, SEND, True, 50, 33),
    (100, 0, 100, INT64_MAX, 0, SEND, False, 0, 0),
    (100, INT64_MAX - 99, 100, INT64_MAX, 0, SEND, False, 0, 0),
    # No fees, strict receive
    (100, INT64_MAX, 100, 50, 0, RECV, True, 100, 50),
    (100, INT64_MAX, 100, 33, 0, RECV, True, 50, 33),
    (100, INT64_MAX, 100, 0, 0, RECV, True, 0, 0),
    (100, INT64_MAX, 100, 100, 0, RECV, False, 0, 0),
    # 30 bps fee actually charges 30 bps (31 on the gross amount)
    (10000, 10031, 20000, INT64_MAX, 30, SEND, True, 10031, 10000),
    (10000, INT64_MAX, 20000, 10000, 30, RECV, True, 10031, 10000),
]


@pytest.mark.parametrize("rt,ms,rf,mr,fee,rnd,success,to_pool,from_pool", POOL_CASES)
def test_exchange_with_pool(rt, ms, rf, mr, fee, rnd, success, to_pool, from_pool):
    ok, tp, fp = X.exchange_with_pool(rt, ms, rf, mr, fee, rnd)
    assert ok == success
    if ok:
        assert (tp, fp) == (to_pool, from_pool)


# -- liabilities of an offer in the book ------------------------------------------------------
def test_offer_liabilities_are_the_limitless_exchange():
    """getOffer{Buying,Selling}Liabilities: exchangeV10WithoutPriceErrorThresholds
    with every limit but the amount at INT64_MAX (numbers: the 3/2 and 2/3
    rows of the ExchangeV10 tables)."""
    from stellarcore import xdr
    def offer(n, d, amount):
        return xdr.OfferEntry(sellerID=xdr.PublicKey(ed25519=b"\1" * 32), offerID=1, selling=xdr.Asset(0),
                              buying=xdr.Asset(0), amount=amount, price=xdr.Price(n=n, d=d), flags=0,
                              ext=xdr.OfferEntryExt(0))
    assert (X.get_offer_selling_liabilities(offer(3, 2, 3000)), X.get_offer_buying_liabilities(offer(3, 2, 3000))) == (3000, 4500)
    assert (X.get_offer_selling_liabilities(offer(2, 3, 2999)), X.get_offer_buying_liabilities(offer(2, 3, 2999))) == (2999, 1999)
    # liabilities ignore the 1% threshold: adjustOffer(3/2, 27) is 0 ("Adjust
    # Offer" Thresholds row) yet the offer still holds floor(27 * 3 / 2) = 40
    assert X.adjust_offer(3, 2, 27, INT64_MAX) == 0
    assert (X.get_offer_selling_liabilities(offer(3, 2, 27)), X.get_offer_buying_liabilities(offer(3, 2, 27))) == (27, 40)


def test_pool_id_is_order_independent():
    from stellarcore import xdr
    from stellarcore.crypto.ids import constant_product_pool_id
    native = xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE)
    usd = xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                    xdr.AlphaNum4(assetCode=b"USD\0", issuer=xdr.PublicKey(ed25519=b"\2" * 32)))
    assert X.get_pool_id(native, usd, 30) == X.get_pool_id(usd, native, 30) == constant_product_pool_id(native, usd, 30)


# -- properties (stellar-core's proofs in OfferExchange.cpp) ---------------------------------
PROPS = settings(max_examples=300, deadline=None)
price = st.tuples(st.integers(1, INT32_MAX), st.integers(1, INT32_MAX))
small_price = st.tuples(st.integers(1, 20), st.integers(1, 20))
amount = st.one_of(st.integers(0, 10 ** 6), st.integers(0, INT64_MAX))


@PROPS
@given(st.one_of(price, small_price), amount, amount, amount, amount)
def test_prop_v10_normal(p, mws, mwr, mss, msr):
    """Limits hold; the staying side is favoured; both or neither move."""
    try:
        wr, ss, stays = X.exchange_v10(*p, mws, mwr, mss, msr, NORMAL)
    except OverflowError:
        return
    assert 0 <= wr <= min(mws, mwr) and 0 <= ss <= min(mss, msr)
    assert (wr == 0) == (ss == 0)
    if wr:
        _check_favour(p, stays, wr, ss)
        assert X.check_price_error_bound(*p, wr, ss, False)


@PROPS
@given(st.one_of(price, small_price), amount, amount)
def test_prop_adjust_offer_idempotent(p, mws, msr):
    a = X.adjust_offer(*p, mws, msr)
    assert 0 <= a <= mws
    assert X.adjust_offer(*p, a, msr) == a
