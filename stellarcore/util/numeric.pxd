# cython: language_level=3
"""C-level cores of stellar-core util/numeric.cpp on unsigned __int128.

Why a .pxd of inline functions: the exchange math (transactions/
offer_exchange.pyx) needs these at C speed without a cross-module call, and
both modules must share one definition of the uint128 semantics
(overflow = "cannot", PARITY_TRAPS D5). numeric.pyx wraps them for Python.

Conventions: each core returns 1 (ok) / 0 (result out of range) and writes
its result through a pointer; a failed stellar-core releaseAssertOrThrow
(bad argument) raises RuntimeError (return -1).
"""
cimport cython
from libc.stdint cimport int64_t, uint64_t, int32_t, uint32_t
from libc cimport stdint

cdef extern from *:
    """
    typedef unsigned __int128 sc_uint128_t;
    """
    ctypedef unsigned long long uint128_t "sc_uint128_t"

cdef enum:
    ROUND_DOWN_C = 0
    ROUND_UP_C = 1



@cython.cdivision(True)
cdef inline uint128_t u128_max() noexcept:
    return ~(<uint128_t>0)


@cython.cdivision(True)
cdef inline object u128_to_py(uint128_t x):
    return ((<object>(<uint64_t>(x >> 64))) << 64) | (<object>(<uint64_t>x))


@cython.cdivision(True)
cdef inline uint128_t py_to_u128(object v) except? 0:
    if v < 0 or v >> 128:
        raise OverflowError("value out of range for uint128")
    cdef uint64_t lo = <uint64_t>(v & 0xFFFFFFFFFFFFFFFF)
    cdef uint64_t hi = <uint64_t>(v >> 64)
    return ((<uint128_t>hi) << 64) | lo


@cython.cdivision(True)
cdef inline int c_big_divide_unsigned(uint64_t* result, uint64_t a, uint64_t b, uint64_t c,
                                      int rounding) except -1:
    """bigDivideUnsigned: (a*b)/c rounded; 0 when it exceeds UINT64_MAX."""
    if c == 0:
        raise RuntimeError("bigDivideUnsigned: C must be positive")
    cdef uint128_t x
    cdef uint128_t p = (<uint128_t>a) * b
    if rounding == ROUND_DOWN_C:
        x = p // c
    else:
        # a*b + c - 1 cannot overflow: a*b <= (2^64-1)^2 = 2^128 - 2^65 + 1
        x = (p + c - 1) // c
    result[0] = <uint64_t>x
    return 1 if x <= stdint.UINT64_MAX else 0


@cython.cdivision(True)
cdef inline int c_big_divide(int64_t* result, int64_t a, int64_t b, int64_t c,
                             int rounding) except -1:
    """bigDivide: A*B/C for A, B >= 0, C > 0; 0 when it exceeds INT64_MAX."""
    cdef uint64_t r2 = 0
    if not (a >= 0 and b >= 0 and c > 0):
        raise RuntimeError("bigDivide: invalid arguments")
    cdef int res = c_big_divide_unsigned(&r2, <uint64_t>a, <uint64_t>b, <uint64_t>c, rounding)
    if res:
        res = 1 if r2 <= <uint64_t>stdint.INT64_MAX else 0
        result[0] = <int64_t>r2
    return res


@cython.cdivision(True)
cdef inline int64_t c_big_divide_or_throw(int64_t a, int64_t b, int64_t c, int rounding) except? -1:
    cdef int64_t r = 0
    if not c_big_divide(&r, a, b, c, rounding):
        raise OverflowError("overflow while performing bigDivide")
    return r


@cython.cdivision(True)
cdef inline int c_big_divide_unsigned_128(uint64_t* result, uint128_t a, uint64_t b,
                                          int rounding) except -1:
    """bigDivideUnsigned128: a/b rounded, a uint128."""
    cdef uint128_t x
    if b == 0:
        raise RuntimeError("bigDivideUnsigned128: B must be nonzero")
    if rounding == ROUND_UP_C and a > u128_max() - (<uint128_t>b - 1):
        return 0
    if rounding == ROUND_DOWN_C:
        x = a // b
    else:
        x = (a + b - 1) // b
    result[0] = <uint64_t>x
    return 1 if x <= stdint.UINT64_MAX else 0


@cython.cdivision(True)
cdef inline int c_big_divide_128(int64_t* result, uint128_t a, int64_t b, int rounding) except -1:
    """bigDivide128: a/B for B > 0; 0 when it exceeds INT64_MAX."""
    cdef uint64_t r2 = 0
    if b <= 0:
        raise RuntimeError("bigDivide128: B must be positive")
    cdef int res = c_big_divide_unsigned_128(&r2, a, <uint64_t>b, rounding)
    if res:
        res = 1 if r2 <= <uint64_t>stdint.INT64_MAX else 0
        result[0] = <int64_t>r2
    return res


@cython.cdivision(True)
cdef inline int64_t c_big_divide_or_throw_128(uint128_t a, int64_t b, int rounding) except? -1:
    cdef int64_t r = 0
    if not c_big_divide_128(&r, a, b, rounding):
        raise OverflowError("overflow while performing bigDivide")
    return r


@cython.cdivision(True)
cdef inline uint128_t c_big_multiply(int64_t a, int64_t b) except? 0:
    """bigMultiply: a*b in uint128 for a, b >= 0."""
    if a < 0 or b < 0:
        raise RuntimeError("bigMultiply: negative argument")
    return (<uint128_t><uint64_t>a) * (<uint64_t>b)


@cython.cdivision(True)
cdef inline int c_huge_divide(int64_t* result, int32_t a, uint128_t B, uint128_t C,
                              int rounding) except -1:
    """hugeDivide: a*B/C with a int32, B and C uint128, C <= INT32_MAX*INT64_MAX,
    evaluated through B = Q*C + R so no intermediate exceeds uint128."""
    cdef uint128_t i64_max = <uint128_t><uint64_t>stdint.INT64_MAX
    cdef uint128_t i32_max = <uint128_t><uint32_t>stdint.INT32_MAX
    if a < 0:
        raise RuntimeError("hugeDivide: a must be non-negative")
    if C == 0:
        raise RuntimeError("hugeDivide: C must be nonzero")
    if C > i32_max * i64_max:
        raise RuntimeError("hugeDivide: C out of range")
    cdef uint128_t Q = B // C
    cdef uint128_t R = B % C
    if Q > i64_max:
        return 0
    cdef uint128_t A = <uint128_t><uint32_t>a
    cdef uint128_t res
    if rounding == ROUND_DOWN_C:
        res = A * Q + A * R // C
    else:
        res = A * Q + (A * R + C - 1) // C
    if res <= i64_max:
        result[0] = <int64_t><uint64_t>res
        return 1
    return 0


@cython.cdivision(True)
cdef inline int c_bits128(uint128_t x) noexcept:
    """uint128_bits: index of the highest set bit + 1 (0 for 0)."""
    cdef int n = 0
    while x != 0:
        x >>= 1
        n += 1
    return n


@cython.cdivision(True)
cdef inline uint64_t c_big_square_root_ceil(uint64_t a, uint64_t b) except? 0:
    """ceil(sqrt(a*b)) by stellar-core's integer Babylonian iteration."""
    if a == 0 or b == 0:
        return 0
    cdef uint128_t R = (<uint128_t>a) * b - 1
    cdef int num_bits = c_bits128(R) // 2 + 1
    cdef uint64_t x = stdint.UINT64_MAX if num_bits >= 64 else ((<uint64_t>1) << num_bits)
    cdef uint64_t prev = 0
    cdef uint64_t y
    cdef uint128_t temp
    while x != prev:
        prev = x
        y = 0
        if not c_big_divide_unsigned_128(&y, R, x, ROUND_UP_C):
            raise RuntimeError("Overflow during bigSquareRoot")
        if stdint.UINT64_MAX - x <= y:
            temp = 1
            temp += x
            temp += y
            x = <uint64_t>(temp // 2)
        else:
            x = (x + y + 1) // 2
    return x


@cython.cdivision(True)
cdef inline uint64_t c_big_square_root(uint64_t a, uint64_t b) except? 0:
    """bigSquareRoot: x with x*x <= a*b < (x+1)*(x+1)."""
    cdef uint64_t s = c_big_square_root_ceil(a, b)
    if (<uint128_t>s) * s <= (<uint128_t>a) * b:
        return s
    return s - 1
