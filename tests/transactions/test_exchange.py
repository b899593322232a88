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


# == the crossing loop on a ledger ================================================================
# Offers are made with ManageSellOffer (the maker's side as stellar-core's
# TestMarket builds it); convertWithOffersAndPools is then called directly on
# a LedgerTxn, as ManageOffer / PathPayment do.
from stellarcore import xdr  # noqa: E402
from stellarcore.ledger.ledger_txn import LedgerTxn  # noqa: E402
from tests.transactions import dexscen as D  # noqa: E402
from tests.transactions.harness import TestLedger, credit, native  # noqa: E402

CR = X.ConvertResult
F = X.OfferFilterResult


def _keep(_offer_le):
    return F.KEEP


@pytest.fixture
def market():
    D.require_op(xdr.OperationType.MANAGE_SELL_OFFER)
    L = TestLedger()
    issuer = L.root.create("issuer", 10 ** 10)
    idr, usd = credit("IDR", issuer), credit("USD", issuer)
    return L, issuer, idr, usd


def _maker(L, issuer, name, idr, usd, idr_amount=0):
    acc = L.root.create(name, L.min_balance(3) + 10 ** 7)
    D.fund(issuer, acc, idr, idr_amount)
    D.fund(issuer, acc, usd, 0)
    return acc


def _convert(L, sheep, max_sheep_send, wheat, max_wheat_receive, rnd=NORMAL, filt=_keep, max_offers=1000,
             commit=True):
    ltx = LedgerTxn(L.root_store)
    trail = []
    try:
        res = X.convert_with_offers_and_pools(ltx, sheep, max_sheep_send, wheat, max_wheat_receive, rnd, filt,
                                              trail, max_offers)
        changes = ltx.get_changes()
        if commit:
            ltx.commit()
    finally:
        ltx.rollback()
    return res, trail, changes


# OfferTests "wheat stays or sheep stays": (wheatPrice, maxWheatSend, maxSheepSend);
# exchangeV10 and adjustOffer are the oracle there too.
WHEAT_OR_SHEEP_STAYS = [((3, 2), 3000, 4501), ((3, 2), 3000, 4500), ((2, 3), 3000, 2001), ((2, 3), 3000, 2000),
                        ((3, 2), 3000, 4499), ((2, 3), 3000, 1999)]


@pytest.mark.parametrize("p,max_wheat_send,max_sheep_send", WHEAT_OR_SHEEP_STAYS)
def test_cross_wheat_stays_or_sheep_stays(market, p, max_wheat_send, max_sheep_send):
    L, issuer, idr, usd = market
    wheat_seller = _maker(L, issuer, "wheat", idr, usd, max_wheat_send)
    wr, ss, stays = X.exchange_v10(*p, max_wheat_send, INT64_MAX, max_sheep_send, INT64_MAX, NORMAL)
    adj = X.adjust_offer(*p, max_wheat_send, INT64_MAX)
    remaining = X.adjust_offer(*p, adj - wr, INT64_MAX) if stays else 0
    oid = D.manage_offer(wheat_seller, 0, idr, usd, D.price(*p), max_wheat_send)

    (res, sheep_send, wheat_received), trail, _ = _convert(L, usd, max_sheep_send, idr, INT64_MAX)

    assert (sheep_send, wheat_received) == (ss, wr)
    # wheat stays: done; sheep stays: the book is empty with sheep left unless all was sent
    assert res == (CR.OK if stays or ss == max_sheep_send else CR.PARTIAL)
    assert trail == [D.claim_offer_atom(wheat_seller, oid, idr, wr, usd, ss)]
    o = D.load_offer(L, wheat_seller, oid)
    if remaining:
        assert o.amount == remaining
        assert D.liabilities(wheat_seller, idr) == (0, remaining)
        assert D.liabilities(wheat_seller, usd) == (X.get_offer_buying_liabilities(o), 0)
    else:
        assert o is None
        assert D.liabilities(wheat_seller, idr) == (0, 0) and D.liabilities(wheat_seller, usd) == (0, 0)
        assert wheat_seller.num_sub_entries == 2
    assert D.balance(wheat_seller, idr) == max_wheat_send - wr
    assert D.balance(wheat_seller, usd) == ss


def test_cross_zero_exchange_still_records_and_claims(market):
    """PARITY_TRAPS D4: 28 IDR @ 3/2 against a taker wanting 27 exchanges
    nothing (ExchangeV10 "Threshold" row), yet the offer is crossed: its
    liabilities are released and re-acquired (entries recorded) and a zero
    claim atom is appended."""
    L, issuer, idr, usd = market
    maker = _maker(L, issuer, "maker", idr, usd, 28)
    oid = D.manage_offer(maker, 0, idr, usd, D.price(3, 2), 28)
    before = D.liabilities(maker, idr), D.liabilities(maker, usd)
    (res, ss, wr), trail, changes = _convert(L, usd, INT64_MAX, idr, 27)
    assert (res, ss, wr) == (CR.OK, 0, 0)
    assert trail == [D.claim_offer_atom(maker, oid, idr, 0, usd, 0)]
    assert D.load_offer(L, maker, oid).amount == 28
    assert (D.liabilities(maker, idr), D.liabilities(maker, usd)) == before == ((0, 28), (42, 0))
    updated = [c.updated.data for c in changes if c.type == xdr.LedgerEntryChangeType.LEDGER_ENTRY_UPDATED]
    assert {d.type for d in updated} == {xdr.LedgerEntryType.OFFER, xdr.LedgerEntryType.TRUSTLINE}


def _two_makers(market):
    L, issuer, idr, usd = market
    m1 = _maker(L, issuer, "m1", idr, usd, 100)
    m2 = _maker(L, issuer, "m2", idr, usd, 100)
    o1 = D.manage_offer(m1, 0, idr, usd, D.price(1, 1), 100)
    o2 = D.manage_offer(m2, 0, idr, usd, D.price(2, 1), 100)
    return L, idr, usd, (m1, o1), (m2, o2)


def test_cross_best_offer_first_then_next(market):
    L, idr, usd, (m1, o1), (m2, o2) = _two_makers(market)
    (res, ss, wr), trail, _ = _convert(L, usd, 300, idr, INT64_MAX)
    assert (res, ss, wr) == (CR.OK, 300, 200)
    assert trail == [D.claim_offer_atom(m1, o1, idr, 100, usd, 100), D.claim_offer_atom(m2, o2, idr, 100, usd, 200)]
    assert D.load_offer(L, m1, o1) is None and D.load_offer(L, m2, o2) is None


def test_cross_partial_offer_stops(market):
    """An offer that stays ends the loop (OK), its remainder re-adjusted."""
    L, idr, usd, (m1, o1), (m2, o2) = _two_makers(market)
    (res, ss, wr), trail, _ = _convert(L, usd, 150, idr, INT64_MAX)
    assert (res, ss, wr) == (CR.OK, 150, 125)
    assert trail[-1] == D.claim_offer_atom(m2, o2, idr, 25, usd, 50)
    assert D.load_offer(L, m2, o2).amount == 75
    assert D.liabilities(m2, idr) == (0, 75) and D.liabilities(m2, usd) == (150, 0)


def test_cross_book_exhausted_is_partial(market):
    L, idr, usd, (m1, o1), (m2, o2) = _two_makers(market)
    (res, ss, wr), trail, _ = _convert(L, usd, 10 ** 6, idr, INT64_MAX)
    assert (res, ss, wr) == (CR.PARTIAL, 300, 200) and len(trail) == 2


@pytest.mark.parametrize("stop,expected", [(F.STOP_BAD_PRICE, CR.FILTER_STOP_BAD_PRICE),
                                           (F.STOP_CROSS_SELF, CR.FILTER_STOP_CROSS_SELF)])
def test_cross_filter_stops_before_second_offer(market, stop, expected):
    L, idr, usd, (m1, o1), (m2, o2) = _two_makers(market)

    def filt(offer_le):
        return F.KEEP if offer_le.data.offer.offerID == o1 else stop
    (res, ss, wr), trail, changes = _convert(L, usd, 300, idr, INT64_MAX, filt=filt)
    assert (res, ss, wr) == (expected, 100, 100)
    assert trail == [D.claim_offer_atom(m1, o1, idr, 100, usd, 100)]
    # the stopped offer was loaded in a rolled-back LedgerTxn: not recorded
    recorded_offers = {c.state.data.offer.offerID for c in changes
                       if c.type == xdr.LedgerEntryChangeType.LEDGER_ENTRY_STATE
                       and c.state.data.type == xdr.LedgerEntryType.OFFER}
    assert recorded_offers == {o1}
    assert D.load_offer(L, m2, o2).amount == 100


def test_cross_work_limit(market):
    """PARITY_TRAPS D3: trail.size() >= max after loading and filtering the
    next offer gives CROSSED_TOO_MANY with what was crossed so far; 0 fails
    fast; a filter stop wins over the limit."""
    L, idr, usd, (m1, o1), (m2, o2) = _two_makers(market)
    (res, ss, wr), trail, _ = _convert(L, usd, 300, idr, INT64_MAX, max_offers=1, commit=False)
    assert (res, ss, wr) == (CR.CROSSED_TOO_MANY, 100, 100) and len(trail) == 1
    (res, ss, wr), trail, changes = _convert(L, usd, 300, idr, INT64_MAX, max_offers=0, commit=False)
    assert (res, ss, wr, trail, changes) == (CR.CROSSED_TOO_MANY, 0, 0, [], [])

    def filt(offer_le):
        return F.KEEP if offer_le.data.offer.offerID == o1 else F.STOP_BAD_PRICE
    (res, ss, wr), trail, _ = _convert(L, usd, 300, idr, INT64_MAX, filt=filt, max_offers=1, commit=False)
    assert res == CR.FILTER_STOP_BAD_PRICE
    # nothing to do: no limit check at all
    (res, ss, wr), trail, _ = _convert(L, usd, 0, idr, INT64_MAX, max_offers=0, commit=False)
    assert (res, ss, wr, trail) == (CR.OK, 0, 0, [])


# -- pools (PARITY_TRAPS D1) ---------------------------------------------------------------------
@pytest.fixture
def pool_market(market):
    """A 10000 XLM / 20000 USD constant-product pool (ExchangeTests "30 bps
    fee" reserves: strict send of 10031 XLM yields exactly 10000 USD)."""
    D.require_op(xdr.OperationType.LIQUIDITY_POOL_DEPOSIT)
    L, issuer, idr, usd = market
    xlm = native()
    lp = L.root.create("lp", L.min_balance(4) + 10 ** 8)
    D.fund(issuer, lp, usd, 20000)
    D.change_trust(lp, D.pool_share_asset(xlm, usd))
    pool = D.pool_id(xlm, usd)
    D.liquidity_pool_deposit(lp, pool, 10000, 20000, D.price(1, 2), D.price(1, 2))
    cp = D.load_pool(L, pool)
    assert (cp.reserveA, cp.reserveB) == (10000, 20000)
    return L, issuer, xlm, usd, pool


def test_pool_only_strict_send(pool_market):
    L, issuer, xlm, usd, pool = pool_market
    (res, ss, wr), trail, _ = _convert(L, xlm, 10031, usd, INT64_MAX, rnd=SEND, filt=None)
    assert (res, ss, wr) == (CR.OK, 10031, 10000)
    assert trail == [D.claim_pool_atom(pool, usd, 10000, xlm, 10031)]
    cp = D.load_pool(L, pool)
    assert (cp.reserveA, cp.reserveB) == (20031, 10000)


def test_pool_only_strict_receive(pool_market):
    L, issuer, xlm, usd, pool = pool_market
    (res, ss, wr), trail, _ = _convert(L, xlm, INT64_MAX, usd, 10000, rnd=RECV, filt=None)
    assert (res, ss, wr) == (CR.OK, 10031, 10000)
    assert trail == [D.claim_pool_atom(pool, usd, 10000, xlm, 10031)]


def test_pool_never_used_with_normal_rounding(pool_market):
    L, issuer, xlm, usd, pool = pool_market
    (res, ss, wr), trail, changes = _convert(L, xlm, 10031, usd, INT64_MAX, rnd=NORMAL, filt=None)
    assert (res, ss, wr, trail) == (CR.PARTIAL, 0, 0, [])
    assert changes == []


def test_pool_skipped_when_trading_disabled_or_no_work_left(pool_market):
    L, issuer, xlm, usd, pool = pool_market
    (res, ss, wr), trail, _ = _convert(L, xlm, 10031, usd, INT64_MAX, rnd=SEND, filt=None, max_offers=0,
                                       commit=False)
    assert (res, ss, wr, trail) == (CR.CROSSED_TOO_MANY, 0, 0, [])
    L.root_store.header.ext = xdr.LedgerHeaderExt(1, xdr.LedgerHeaderExtensionV1(
        flags=xdr.LedgerHeaderFlags.DISABLE_LIQUIDITY_POOL_TRADING_FLAG, ext=xdr.LedgerHeaderExtensionV1Ext(0)))
    (res, ss, wr), trail, _ = _convert(L, xlm, 10031, usd, INT64_MAX, rnd=SEND, filt=None, commit=False)
    assert (res, ss, wr, trail) == (CR.PARTIAL, 0, 0, [])


def _book_offer(L, issuer, usd, xlm, p, amount):
    mm = L.root.create("mm", L.min_balance(3) + 10 ** 8)
    D.fund(issuer, mm, usd, amount)
    return mm, D.manage_offer(mm, 0, usd, xlm, p, amount)


def test_book_wins_only_when_strictly_better(pool_market):
    """The book is used only if pool.send * book.recv > pool.recv * book.send."""
    L, issuer, xlm, usd, pool = pool_market
    # 1 XLM per USD: 10031 XLM buys 10031 USD from the book, better than the pool's 10000
    mm, oid = _book_offer(L, issuer, usd, xlm, D.price(1, 1), 20000)
    (res, ss, wr), trail, _ = _convert(L, xlm, 10031, usd, INT64_MAX, rnd=SEND, filt=None)
    assert (res, ss, wr) == (CR.OK, 10031, 10031)
    assert trail == [D.claim_offer_atom(mm, oid, usd, 10031, xlm, 10031)]
    cp = D.load_pool(L, pool)
    assert (cp.reserveA, cp.reserveB) == (10000, 20000)


def test_equal_price_goes_to_the_pool(pool_market):
    L, issuer, xlm, usd, pool = pool_market
    # 10031 XLM per 10000 USD: the book would give exactly the pool's 10000
    mm, oid = _book_offer(L, issuer, usd, xlm, D.price(10031, 10000), 20000)
    (res, ss, wr), trail, _ = _convert(L, xlm, 10031, usd, INT64_MAX, rnd=SEND, filt=None)
    assert (res, ss, wr) == (CR.OK, 10031, 10000)
    assert trail == [D.claim_pool_atom(pool, usd, 10000, xlm, 10031)]
    assert D.load_offer(L, mm, oid).amount == 20000


def test_pool_used_when_book_only_partial(pool_market):
    """A book result other than OK loses to any pool trade."""
    L, issuer, xlm, usd, pool = pool_market
    mm, oid = _book_offer(L, issuer, usd, xlm, D.price(1, 2), 10)
    (res, ss, wr), trail, _ = _convert(L, xlm, INT64_MAX, usd, 10000, rnd=RECV, filt=None)
    assert (res, ss, wr) == (CR.OK, 10031, 10000)
    assert trail == [D.claim_pool_atom(pool, usd, 10000, xlm, 10031)]
    assert D.load_offer(L, mm, oid).amount == 10


# -- pool exchange against exact integer arithmetic (PARITY_TRAPS D5) ----------------------------
reserve = st.one_of(st.integers(1, 10 ** 6), st.integers(1, INT64_MAX), st.integers(INT64_MAX - 10 ** 6, INT64_MAX))
fee = st.sampled_from([0, 1, 30, 9999])


@PROPS
@given(reserve, st.one_of(st.integers(0, 10 ** 6), st.integers(0, INT64_MAX)), reserve, fee)
def test_prop_pool_strict_send_exact(r_to, to_pool, r_from, fee_bps):
    """fromPool = floor((10000-fee)*Rfrom*toPool / (10000*Rto + (10000-fee)*toPool)),
    refused when toPool would overflow the reserve or nothing comes out."""
    ok, tp, fp = X.exchange_with_pool(r_to, to_pool, r_from, INT64_MAX, fee_bps, SEND)
    if to_pool > INT64_MAX - r_to:
        assert not ok
        return
    f = 10000 - fee_bps
    exact = f * r_from * to_pool // (10000 * r_to + f * to_pool)
    assert exact <= r_from
    assert ok == (exact != 0)
    if ok:
        assert (tp, fp) == (to_pool, exact)


@PROPS
@given(reserve, reserve, st.one_of(st.integers(0, 10 ** 6), st.integers(0, INT64_MAX)), fee)
def test_prop_pool_strict_receive_exact(r_to, r_from, from_pool, fee_bps):
    """toPool = ceil(10000*Rto*fromPool / ((Rfrom-fromPool)*(10000-fee))), refused
    when it would empty the pool, when B/C > INT64_MAX inside hugeDivide, or
    when the pool's reserve could not take it."""
    ok, tp, fp = X.exchange_with_pool(r_to, INT64_MAX, r_from, from_pool, fee_bps, RECV)
    if from_pool >= r_from:
        assert not ok
        return
    b = r_to * from_pool
    c = (r_from - from_pool) * (10000 - fee_bps)
    exact = -((-10000 * b) // c)
    expected_ok = b // c <= INT64_MAX and exact <= INT64_MAX and exact <= INT64_MAX - r_to
    assert ok == expected_ok
    if ok:
        assert (tp, fp) == (exact, from_pool)


@PROPS
@given(st.one_of(price, small_price), amount, amount, amount, amount)
def test_prop_v10_normal_agrees_with_the_invariants_copy(p, mws, mwr, mss, msr):
    """The liabilities invariant keeps its own exchangeV10 NORMAL slice; both
    must agree (else the invariant would flag correct ledgers)."""
    from stellarcore.invariant.offer_liabilities import exchange_v10_normal
    try:
        ours = X.exchange_v10_without_price_error_thresholds(*p, mws, mwr, mss, msr, NORMAL)
    except OverflowError:
        with pytest.raises(OverflowError):
            exchange_v10_normal(*p, mws, mwr, mss, msr)
        return
    assert ours == exchange_v10_normal(*p, mws, mwr, mss, msr)
