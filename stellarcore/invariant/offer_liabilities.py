"""An offer's buying and selling liabilities (stellar-core
TransactionUtils getOfferBuyingLiabilities/getOfferSellingLiabilities, i.e.
OfferExchange exchangeV10WithoutPriceErrorThresholds with every limit but
the offer's amount at INT64_MAX and NORMAL rounding).

Why its own copy: the invariant must not depend on the DEX engine it
checks; this is the 20-line slice of exchangeV10 that the liabilities use,
with the same uint128 arithmetic and the same overflow throws.
"""
from __future__ import annotations

INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1


def _big_divide(a: int, b: int, c: int, round_up: bool) -> int:
    """bigDivideOrThrow(A, B, C): A*B/C in uint128, result must fit int64."""
    if a < 0 or b < 0 or c <= 0:
        raise RuntimeError("bigDivide: invalid arguments")
    x = (a * b + c - 1) // c if round_up else (a * b) // c
    if x > INT64_MAX:
        raise OverflowError("overflow while performing bigDivide")
    return x


def _big_divide_128(a: int, b: int, round_up: bool) -> int:
    """bigDivideOrThrow128(a, B)."""
    if b <= 0:
        raise RuntimeError("bigDivide128: invalid arguments")
    x = (a + b - 1) // b if round_up else a // b
    if x > INT64_MAX:
        raise OverflowError("overflow while performing bigDivide")
    return x


def exchange_v10_normal(n: int, d: int, max_wheat_send: int, max_wheat_receive: int,
                        max_sheep_send: int, max_sheep_receive: int):
    """exchangeV10WithoutPriceErrorThresholds(..., RoundingType::NORMAL):
    (wheatReceive, sheepSend, wheatStays)."""
    if n < 0 or d < 0 or min(max_wheat_send, max_wheat_receive, max_sheep_send, max_sheep_receive) < 0:
        raise RuntimeError("bigMultiply: negative argument")
    wheat_value = min(max_wheat_send * n, max_sheep_receive * d)
    sheep_value = min(max_sheep_send * d, max_wheat_receive * n)
    wheat_stays = wheat_value > sheep_value
    if wheat_stays:
        if n > d:
            wheat_receive = _big_divide_128(sheep_value, n, False)
            sheep_send = _big_divide(wheat_receive, n, d, True)
        else:
            sheep_send = _big_divide_128(sheep_value, d, False)
            wheat_receive = _big_divide(sheep_send, d, n, False)
    else:
        if n > d:
            wheat_receive = _big_divide_128(wheat_value, n, False)
            sheep_send = _big_divide(wheat_receive, n, d, False)
        else:
            sheep_send = _big_divide_128(wheat_value, d, False)
            wheat_receive = _big_divide(sheep_send, d, n, True)
    if wheat_receive < 0 or wheat_receive > min(max_wheat_receive, max_wheat_send):
        raise RuntimeError("wheatReceive out of bounds")
    if sheep_send < 0 or sheep_send > min(max_sheep_receive, max_sheep_send):
        raise RuntimeError("sheepSend out of bounds")
    return wheat_receive, sheep_send, wheat_stays


def offer_liabilities(offer) -> tuple:
    """(buying, selling) liabilities of an OfferEntry."""
    wheat, sheep, _ = exchange_v10_normal(offer.price.n, offer.price.d, offer.amount,
                                          INT64_MAX, INT64_MAX, INT64_MAX)
    return sheep, wheat
