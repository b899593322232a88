"""stellarcore.util.numeric against stellar-core's src/util/test/BigDivideTests.cpp
("big divide", "bigDivide 128bit by 64bit", "bigSquareRoot tests", "huge divide")
and, as properties, against exact integer arithmetic with stellar-core's
uint128 ranges (PARITY_TRAPS D5: overflow is "cannot", never a silent success).
"""
import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stellarcore.util import numeric as N
from stellarcore.util.numeric import ROUND_DOWN, ROUND_UP

INT32_MAX = (1 << 31) - 1
UINT32_MAX = (1 << 32) - 1
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1
UINT128_MAX = (1 << 128) - 1

SIGNED = [0, 1, 2, 3, 1000, INT32_MAX - 1, INT32_MAX, INT64_MAX - 1, INT64_MAX]
UNSIGNED = [0, 1, 2, 3, 1000, INT32_MAX - 1, INT32_MAX, UINT32_MAX - 1, UINT32_MAX,
            INT64_MAX - 1, INT64_MAX, UINT64_MAX - 1, UINT64_MAX]


# -- "big divide": a*b/c WHEN ... tables ----------------------------------------
def _verify_signed(a, b, c, down, up):
    assert N.big_divide_or_throw(a, b, c, ROUND_UP) == up
    assert N.big_divide(a, b, c, ROUND_UP) == (True, up)
    assert N.big_divide_or_throw(a, b, c, ROUND_DOWN) == down
    assert N.big_divide(a, b, c, ROUND_DOWN) == (True, down)


def _verify_unsigned(a, b, c, down, up):
    assert N.big_divide_unsigned(a, b, c, ROUND_UP) == (True, up)
    assert N.big_divide_unsigned(a, b, c, ROUND_DOWN) == (True, down)


# (when, down, up) exactly as BigDivideTests.cpp's TEST(...) lines
WHEN_TABLE = [
    ("a == 0", lambda a, b, c: a == 0, lambda a, b, c: 0, lambda a, b, c: 0),
    ("b == 0", lambda a, b, c: b == 0, lambda a, b, c: 0, lambda a, b, c: 0),
    ("a,b <= INT32_MAX && c == 1", lambda a, b, c: a <= INT32_MAX and b <= INT32_MAX and c == 1,
     lambda a, b, c: a * b, lambda a, b, c: a * b),
    ("b == 1 && c == 2", lambda a, b, c: b == 1 and c == 2, lambda a, b, c: a // 2, lambda a, b, c: (a + 1) // 2),
    ("b == 1 && c == 3", lambda a, b, c: b == 1 and c == 3, lambda a, b, c: a // 3, lambda a, b, c: (a + 2) // 3),
    ("a == 1 && 0 < b < c", lambda a, b, c: a == 1 and 0 < b < c, lambda a, b, c: 0, lambda a, b, c: 1),
    ("a == 1 && b == c", lambda a, b, c: a == 1 and b == c, lambda a, b, c: 1, lambda a, b, c: 1),
    ("a == c && b > 0", lambda a, b, c: a == c and b > 0, lambda a, b, c: b, lambda a, b, c: b),
]


@pytest.mark.parametrize("name,when,down,up", WHEN_TABLE, ids=[w[0] for w in WHEN_TABLE])
def test_big_divide_when(name, when, down, up):
    n = 0
    for a, b, c in itertools.product(SIGNED, repeat=3):
        if c != 0 and when(a, b, c):
            _verify_signed(a, b, c, down(a, b, c), up(a, b, c))
            n += 1
    for a, b, c in itertools.product(UNSIGNED, repeat=3):
        if c != 0 and when(a, b, c):
            _verify_unsigned(a, b, c, down(a, b, c), up(a, b, c))
            n += 1
    assert n > 0


def test_big_divide_upper_limits_and_overflows():
    _verify_signed(INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX)
    _verify_unsigned(UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX)
    for r in (ROUND_UP, ROUND_DOWN):
        with pytest.raises(OverflowError):
            N.big_divide_or_throw(INT64_MAX, INT64_MAX, 1, r)
        assert N.big_divide(INT64_MAX, INT64_MAX, 1, r) == (False, 0)
        assert N.big_divide_unsigned(UINT64_MAX, UINT64_MAX, 1, r)[0] is False


def test_big_divide_rounding_up_overflows():
    with pytest.raises(OverflowError):
        N.big_divide_or_throw(2753074036095, 6700417, 2, ROUND_UP)
    assert N.big_divide(2753074036095, 6700417, 2, ROUND_UP)[0] is False
    assert N.big_divide(2753074036095, 6700417, 2, ROUND_DOWN) == (True, INT64_MAX)
    assert N.big_divide_or_throw(2753074036095, 6700417, 2, ROUND_DOWN) == INT64_MAX
    assert N.big_divide_unsigned(145295143558111, 253921, 2, ROUND_UP)[0] is False
    assert N.big_divide_unsigned(145295143558111, 253921, 2, ROUND_DOWN) == (True, UINT64_MAX)


def test_big_divide_asserts():
    """releaseAssertOrThrow((A >= 0) && (B >= 0) && (C > 0))."""
    for args in [(-1, 1, 1), (1, -1, 1), (1, 1, 0), (1, 1, -1)]:
        with pytest.raises(RuntimeError):
            N.big_divide(*args, ROUND_DOWN)
    with pytest.raises(RuntimeError):
        N.big_divide_unsigned(1, 1, 0, ROUND_DOWN)
    with pytest.raises(RuntimeError):
        N.big_multiply(-1, 2)


# -- "bigDivide 128bit by 64bit" ----------------------------------------------------
def _sv(a, b, r, expected):
    assert N.big_divide_128(a, b, r) == (True, expected)
    assert N.big_divide_or_throw_128(a, b, r) == expected


def _sfail(a, b, r):
    assert N.big_divide_128(a, b, r) == (False, 0)
    with pytest.raises(OverflowError):
        N.big_divide_or_throw_128(a, b, r)


def _uv(a, b, r, expected):
    assert N.big_divide_unsigned_128(a, b, r) == (True, expected)


def _ufail(a, b, r):
    assert N.big_divide_unsigned_128(a, b, r)[0] is False


def test_big_divide_128_identities():
    for v in SIGNED:
        for r in (ROUND_UP, ROUND_DOWN):
            _sv(v, 1, r, v)
        if v != 0:
            _sv(v + 1, v, ROUND_UP, 2)
            _sv(v + 1, v, ROUND_DOWN, 2 if v == 1 else 1)
            _sv(v, v, ROUND_UP, 1)
            _sv(v, v, ROUND_DOWN, 1)
            _sv(v - 1, v, ROUND_UP, 0 if v == 1 else 1)
            _sv(v - 1, v, ROUND_DOWN, 0)
            if v > 1:
                _sv(v, v - 1, ROUND_UP, 2)
                _sv(v, v - 1, ROUND_DOWN, 2 if v == 2 else 1)
            if v < INT64_MAX:
                _sv(v, v + 1, ROUND_UP, 1)
                _sv(v, v + 1, ROUND_DOWN, 0)
    for v1, v2 in itertools.product(SIGNED, repeat=2):
        if v2 > 0:
            _sv(N.big_multiply(v1, v2), v2, ROUND_UP, v1)
            _sv(N.big_multiply(v1, v2), v2, ROUND_DOWN, v1)
    for v in UNSIGNED:
        for r in (ROUND_UP, ROUND_DOWN):
            _uv(v, 1, r, v)
        if v != 0:
            _uv(v + 1, v, ROUND_UP, 2)
            _uv(v + 1, v, ROUND_DOWN, 2 if v == 1 else 1)
            _uv(v, v, ROUND_UP, 1)
            _uv(v, v, ROUND_DOWN, 1)
            _uv(v - 1, v, ROUND_UP, 0 if v == 1 else 1)
            _uv(v - 1, v, ROUND_DOWN, 0)
            if v > 1:
                _uv(v, v - 1, ROUND_UP, 2)
                _uv(v, v - 1, ROUND_DOWN, 2 if v == 2 else 1)
            if v < UINT64_MAX:
                _uv(v, v + 1, ROUND_UP, 1)
                _uv(v, v + 1, ROUND_DOWN, 0)
    for v1, v2 in itertools.product(UNSIGNED, repeat=2):
        if v2 > 0:
            _uv(N.big_multiply_unsigned(v1, v2), v2, ROUND_UP, v1)
            _uv(N.big_multiply_unsigned(v1, v2), v2, ROUND_DOWN, v1)


def test_big_divide_128_overflow_threshold():
    t = N.big_multiply(INT64_MAX, 2)
    _sfail(t + 2, 2, ROUND_UP)
    _sfail(t + 2, 2, ROUND_DOWN)
    _sfail(t + 1, 2, ROUND_UP)
    _sv(t + 1, 2, ROUND_DOWN, INT64_MAX)
    _sv(t, 2, ROUND_UP, INT64_MAX)
    _sv(t, 2, ROUND_DOWN, INT64_MAX)
    u = N.big_multiply_unsigned(UINT64_MAX, 2)
    _ufail(u + 2, 2, ROUND_UP)
    _ufail(u + 2, 2, ROUND_DOWN)
    _ufail(u + 1, 2, ROUND_UP)
    _uv(u + 1, 2, ROUND_DOWN, UINT64_MAX)
    _uv(u, 2, ROUND_UP, UINT64_MAX)
    _uv(u, 2, ROUND_DOWN, UINT64_MAX)


def test_big_divide_128_upper_limits():
    ul = N.big_multiply_unsigned(UINT64_MAX, UINT64_MAX)
    _ufail(UINT128_MAX, UINT64_MAX, ROUND_UP)
    _ufail(UINT128_MAX, UINT64_MAX, ROUND_DOWN)
    _ufail(ul + UINT64_MAX, UINT64_MAX, ROUND_DOWN)
    _uv(ul + UINT64_MAX - 1, UINT64_MAX, ROUND_DOWN, UINT64_MAX)
    _ufail(ul + 1, UINT64_MAX, ROUND_UP)
    _uv(ul + 1, UINT64_MAX, ROUND_DOWN, UINT64_MAX)
    _uv(ul, UINT64_MAX, ROUND_UP, UINT64_MAX)
    _uv(ul, UINT64_MAX, ROUND_DOWN, UINT64_MAX)

    sl = N.big_multiply(INT64_MAX, INT64_MAX)
    _sfail(UINT128_MAX, INT64_MAX, ROUND_UP)
    _sfail(UINT128_MAX, INT64_MAX, ROUND_DOWN)
    _sfail(sl + INT64_MAX, INT64_MAX, ROUND_DOWN)
    _sv(sl + INT64_MAX - 1, INT64_MAX, ROUND_DOWN, INT64_MAX)
    _sfail(sl + 1, INT64_MAX, ROUND_UP)
    _sv(sl + 1, INT64_MAX, ROUND_DOWN, INT64_MAX)
    _sv(sl, INT64_MAX, ROUND_UP, INT64_MAX)
    _sv(sl, INT64_MAX, ROUND_DOWN, INT64_MAX)

    _ufail(UINT128_MAX - UINT64_MAX, UINT64_MAX, ROUND_UP)
    _ufail(UINT128_MAX - UINT64_MAX, UINT64_MAX, ROUND_DOWN)
    _sfail(UINT128_MAX - INT64_MAX, INT64_MAX, ROUND_UP)
    _sfail(UINT128_MAX - INT64_MAX, INT64_MAX, ROUND_DOWN)


def test_big_divide_128_asserts():
    with pytest.raises(RuntimeError):
        N.big_divide_128(5, 0, ROUND_DOWN)
    with pytest.raises(RuntimeError):
        N.big_divide_128(5, -1, ROUND_DOWN)
    with pytest.raises(RuntimeError):
        N.big_divide_unsigned_128(5, 0, ROUND_UP)
    with pytest.raises(OverflowError):
        N.big_divide_128(UINT128_MAX + 1, 1, ROUND_DOWN)


# -- "bigSquareRoot tests" ------------------------------------------------------------
def test_big_square_root_small():
    roots = [0]
    for i in range(1, 11):
        roots += [i] * (2 * i + 1)
    for i in range(11):
        for j in range(11):
            assert N.big_square_root(i, j) == roots[i * j]


def test_big_square_root_large():
    assert N.big_square_root(UINT64_MAX, 1) == (1 << 32) - 1
    assert N.big_square_root(UINT32_MAX, 1) == (1 << 16) - 1
    assert N.big_square_root(UINT64_MAX, UINT64_MAX) == UINT64_MAX
    assert N.big_square_root(UINT32_MAX, UINT32_MAX) == UINT32_MAX
    assert N.big_square_root(UINT64_MAX, UINT32_MAX) == 281474976677887
    assert (1 << 16) * ((1 << 32) - 1) != 281474976677887


# -- "huge divide" ----------------------------------------------------------------------
def test_huge_divide_matches_big_divide():
    v32, v64 = [], []
    for i in range(10):
        v32 += [i, INT32_MAX - i]
        v64 += [i, INT32_MAX - i, INT64_MAX - i]
    for a in v32:
        for b in v64:
            for c in v64:
                if c == 0:
                    continue
                for r in (ROUND_UP, ROUND_DOWN):
                    big = N.big_divide(a, b, c, r)
                    huge = N.huge_divide(a, b, c, r)
                    assert big[0] == huge[0]
                    if big[0]:
                        assert big[1] == huge[1]


def test_huge_divide_uint128_values():
    max_c = INT32_MAX * INT64_MAX
    ok = [
        (INT64_MAX, 1, UINT128_MAX, 1 << 65, ROUND_DOWN),
        (0, 1, 1, max_c, ROUND_DOWN),
        (1, 1, 1, max_c, ROUND_UP),
        (1, INT32_MAX, INT64_MAX, max_c, ROUND_DOWN),
        (1, INT32_MAX, INT64_MAX, max_c, ROUND_UP),
        (17179869192, 1, UINT128_MAX, max_c, ROUND_DOWN),
        (17179869193, 1, UINT128_MAX, max_c, ROUND_UP),
        (9223372023969873914, (1 << 29) - 1, UINT128_MAX, max_c, ROUND_DOWN),
        (9223372023969873915, (1 << 29) - 1, UINT128_MAX, max_c, ROUND_UP),
    ]
    for expected, a, b, c, r in ok:
        assert N.huge_divide(a, b, c, r) == (True, expected)
    fail = [
        (1, UINT128_MAX, 1, ROUND_DOWN),
        (1, UINT128_MAX, 1, ROUND_UP),
        (1, UINT128_MAX, 1 << 65, ROUND_UP),
        (1 << 29, UINT128_MAX, max_c, ROUND_DOWN),
        (1 << 29, UINT128_MAX, max_c, ROUND_UP),
    ]
    for a, b, c, r in fail:
        assert N.huge_divide(a, b, c, r) == (False, 0)


def test_huge_divide_asserts():
    max_c = INT32_MAX * INT64_MAX
    for a, b, c in [(-1, 1, 1), (1, 1, 0), (1, 1, max_c + 1)]:
        with pytest.raises(RuntimeError):
            N.huge_divide(a, b, c, ROUND_DOWN)


# -- properties against exact arithmetic ----------------------------------------------
PROPS = settings(max_examples=400, deadline=None)
i64 = st.integers(0, INT64_MAX)
u64 = st.integers(0, UINT64_MAX)
u128 = st.integers(0, UINT128_MAX)
rounding = st.sampled_from([ROUND_DOWN, ROUND_UP])
# amounts near the edges are where overflow lives
edgy64 = st.one_of(i64, st.integers(INT64_MAX - 1000, INT64_MAX), st.integers(0, 1000),
                   st.integers(INT32_MAX - 10, INT32_MAX + 10))


def _exact(num, den, r):
    return num // den if r == ROUND_DOWN else -((-num) // den)


@PROPS
@given(edgy64, edgy64, edgy64.filter(lambda c: c > 0), rounding)
def test_prop_big_divide(a, b, c, r):
    x = _exact(a * b, c, r)
    assert N.big_divide(a, b, c, r) == ((True, x) if x <= INT64_MAX else (False, 0))


@PROPS
@given(u64, u64, u64.filter(lambda c: c > 0), rounding)
def test_prop_big_divide_unsigned(a, b, c, r):
    x = _exact(a * b, c, r)
    assert N.big_divide_unsigned(a, b, c, r) == ((True, x) if x <= UINT64_MAX else (False, 0))


@PROPS
@given(st.one_of(u128, st.integers(UINT128_MAX - 1000, UINT128_MAX)), edgy64.filter(lambda b: b > 0), rounding)
def test_prop_big_divide_128(a, b, r):
    x = _exact(a, b, r)
    ok = x <= INT64_MAX and not (r == ROUND_UP and a + b - 1 > UINT128_MAX)
    assert N.big_divide_128(a, b, r) == ((True, x) if ok else (False, 0))


@PROPS
@given(st.integers(0, INT32_MAX), u128, st.integers(1, INT32_MAX * INT64_MAX), rounding)
def test_prop_huge_divide(a, b, c, r):
    """hugeDivide is exact a*B/C whenever Q = B/C fits int64 (the
    decomposition never overflows); it fails when Q > INT64_MAX even if
    a == 0 (stellar-core's early return)."""
    x = _exact(a * b, c, r)
    q = b // c
    ok = q <= INT64_MAX and x <= INT64_MAX
    assert N.huge_divide(a, b, c, r) == ((True, x) if ok else (False, 0))


@PROPS
@given(u64, u64)
def test_prop_big_square_root(a, b):
    assert N.big_square_root(a, b) == math.isqrt(a * b)


@PROPS
@given(i64, i64)
def test_prop_big_multiply(a, b):
    assert N.big_multiply(a, b) == a * b
