# cython: language_level=3, boundscheck=False, wraparound=False
"""stellar-core util/numeric.cpp: 128-bit multiply-divide with explicit
rounding, hugeDivide and the integer square root.

Why not plain Python ints: stellar-core computes in uint128 and reports a
result outside int64/uint64 as "cannot" (the bool is false), and callers
turn that into "no exchange" or a failure code (PARITY_TRAPS D5). With
unbounded ints it is easy to quietly succeed where stellar-core fails, so
every function here keeps stellar-core's ranges: arguments are int64 /
uint64 (a Python int outside the C type raises OverflowError, as the C++
type could not hold it), 128-bit values are Python ints in [0, 2**128).

Python API (stellar-core name in brackets):
  big_divide(a, b, c, rounding) -> (ok, value)          [bigDivide]
  big_divide_unsigned(a, b, c, rounding) -> (ok, value) [bigDivideUnsigned]
  big_divide_or_throw(a, b, c, rounding) -> int         [bigDivideOrThrow; OverflowError]
  big_divide_128(a128, b, rounding) -> (ok, value)      [bigDivide128]
  big_divide_unsigned_128(a128, b, rounding)            [bigDivideUnsigned128]
  big_divide_or_throw_128(a128, b, rounding) -> int     [bigDivideOrThrow128]
  big_multiply(a, b) / big_multiply_unsigned(a, b)      [bigMultiply(Unsigned)] -> uint128 int
  huge_divide(a32, b128, c128, rounding) -> (ok, value) [hugeDivide]
  big_square_root(a, b) -> int                          [bigSquareRoot]
  saturating_multiply, is_representable_as_int64, double_to_clamped_uint32
A failed releaseAssertOrThrow raises RuntimeError. `value` is 0 when not ok.
"""
from __future__ import annotations

import enum
import math

from libc.stdint cimport int64_t, uint64_t, int32_t

from stellarcore.util.numeric cimport (
    uint128_t, py_to_u128, u128_to_py,
    c_big_divide, c_big_divide_unsigned, c_big_divide_128, c_big_divide_unsigned_128,
    c_huge_divide, c_big_square_root,
)


class Rounding(enum.IntEnum):
    ROUND_DOWN = 0
    ROUND_UP = 1


ROUND_DOWN = Rounding.ROUND_DOWN
ROUND_UP = Rounding.ROUND_UP
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1
INT32_MAX = (1 << 31) - 1
UINT128_MAX = (1 << 128) - 1


cdef inline int _rounding(object r) except -1:
    if r == 0 or r == 1:
        return r
    raise ValueError("rounding must be ROUND_DOWN or ROUND_UP")


def big_divide(int64_t a, int64_t b, int64_t c, rounding):
    """bigDivide: A*B/C (A, B >= 0, C > 0) -> (ok, value); not ok when the
    result exceeds INT64_MAX."""
    cdef int64_t r = 0
    if c_big_divide(&r, a, b, c, _rounding(rounding)):
        return True, r
    return False, 0


def big_divide_unsigned(uint64_t a, uint64_t b, uint64_t c, rounding):
    """bigDivideUnsigned -> (ok, value); not ok above UINT64_MAX."""
    cdef uint64_t r = 0
    if c_big_divide_unsigned(&r, a, b, c, _rounding(rounding)):
        return True, r
    return False, 0


def big_divide_or_throw(int64_t a, int64_t b, int64_t c, rounding) -> int:
    """bigDivideOrThrow: OverflowError where bigDivide is not ok."""
    cdef int64_t r = 0
    if not c_big_divide(&r, a, b, c, _rounding(rounding)):
        raise OverflowError("overflow while performing bigDivide")
    return r


def big_divide_128(a, int64_t b, rounding):
    """bigDivide128: a (uint128) / B (B > 0) -> (ok, value)."""
    cdef int64_t r = 0
    if c_big_divide_128(&r, py_to_u128(a), b, _rounding(rounding)):
        return True, r
    return False, 0


def big_divide_unsigned_128(a, uint64_t b, rounding):
    """bigDivideUnsigned128 -> (ok, value)."""
    cdef uint64_t r = 0
    if c_big_divide_unsigned_128(&r, py_to_u128(a), b, _rounding(rounding)):
        return True, r
    return False, 0


def big_divide_or_throw_128(a, int64_t b, rounding) -> int:
    """bigDivideOrThrow128."""
    cdef int64_t r = 0
    if not c_big_divide_128(&r, py_to_u128(a), b, _rounding(rounding)):
        raise OverflowError("overflow while performing bigDivide")
    return r


def big_multiply(int64_t a, int64_t b) -> int:
    """bigMultiply: a*b as uint128 (a, b >= 0)."""
    if a < 0 or b < 0:
        raise RuntimeError("bigMultiply: negative argument")
    return u128_to_py((<uint128_t><uint64_t>a) * (<uint64_t>b))


def big_multiply_unsigned(uint64_t a, uint64_t b) -> int:
    """bigMultiplyUnsigned."""
    return u128_to_py((<uint128_t>a) * b)


def huge_divide(int32_t a, b, c, rounding):
    """hugeDivide: a*B/C (a int32 >= 0; B, C uint128, 0 < C <=
    INT32_MAX*INT64_MAX) -> (ok, value); not ok above INT64_MAX."""
    cdef int64_t r = 0
    if c_huge_divide(&r, a, py_to_u128(b), py_to_u128(c), _rounding(rounding)):
        return True, r
    return False, 0


def big_square_root(uint64_t a, uint64_t b) -> int:
    """bigSquareRoot: floor(sqrt(a*b))."""
    return c_big_square_root(a, b)


def saturating_multiply(int64_t a, int64_t b) -> int:
    """saturatingMultiply: a*b capped at INT64_MAX (a, b >= 0)."""
    if a < 0 or b < 0:
        raise ValueError("saturatingMultiply requires non-negative inputs")
    if a == 0 or b == 0:
        return 0
    if a > INT64_MAX // b:
        return INT64_MAX
    return a * b


def is_representable_as_int64(double d) -> bool:
    """isRepresentableAsInt64."""
    return d >= <double>(-(1 << 63)) and d < <double>INT64_MAX


def double_to_clamped_uint32(double d) -> int:
    """doubleToClampedUint32: NaN -> UINT32_MAX, else clamp then truncate."""
    if math.isnan(d):
        return 0xFFFFFFFF
    return int(min(max(d, 0.0), 4294967295.0))
