"""Strict decoding: every malformed input ends in one XdrError naming where.

The rules are RFC 4506's plus the limits of the schema: no truncation, no
trailing bytes, zero padding, bools 0 or 1, only declared enum values and
union arms, lengths within their maximum, and a bounded nesting depth.
"""
import struct
import tracemalloc

import pytest

from stellarcore import xdr
from stellarcore.xdr import XdrError

u32 = lambda v: struct.pack(">I", v)  # noqa: E731
i32 = lambda v: struct.pack(">i", v)  # noqa: E731

SCV = xdr.SCValType


def err(T, data):
    with pytest.raises(XdrError) as e:
        T.from_xdr(data)
    return e.value


def test_truncated_names_the_field():
    good = xdr.LedgerHeader().to_xdr()
    e = err(xdr.LedgerHeader, good[:-4])
    assert "truncated" in e.reason
    assert e.path == "LedgerHeader.ext"


def test_trailing_bytes():
    e = err(xdr.SCVal, xdr.SCVal(SCV.SCV_VOID).to_xdr() + b"\0\0\0\0")
    assert "trailing" in e.reason


def test_nonzero_padding():
    e = err(xdr.SCVal, i32(SCV.SCV_SYMBOL) + u32(1) + b"a\0\0\1")
    assert "padding" in e.reason and e.path == "SCVal.sym"


def test_bool_must_be_zero_or_one():
    assert xdr.SCVal.from_xdr(i32(SCV.SCV_BOOL) + u32(1)).b is True
    e = err(xdr.SCVal, i32(SCV.SCV_BOOL) + u32(2))
    assert "bool" in e.reason


def test_unknown_enum_value():
    e = err(xdr.SCVal, i32(99))
    assert "SCValType" in e.reason


def test_union_discriminant_without_arm():
    # LedgerCloseMeta switches on int v with arms 0, 1, 2 only
    e = err(xdr.LedgerCloseMeta, i32(3) + b"\0" * 64)
    assert "no arm" in e.reason


def test_optional_flag_must_be_zero_or_one():
    e = err(xdr.SCVal, i32(SCV.SCV_VEC) + u32(2))
    assert "bool" in e.reason


def test_length_above_declared_maximum():
    # SCSymbol is string<32>
    e = err(xdr.SCVal, i32(SCV.SCV_SYMBOL) + u32(33) + b"a" * 36)
    assert "exceeds the maximum 32" in e.reason
    # Operation operations<MAX_OPS_PER_TX = 100>
    tx = xdr.Transaction()
    data = bytearray(tx.to_xdr())
    # operations length sits after source(36) fee(4) seq(8) cond(4) memo(4)
    data[56:60] = u32(101)
    e = err(xdr.Transaction, bytes(data))
    assert "exceeds the maximum 100" in e.reason and e.path == "Transaction.operations"


def test_untrusted_length_does_not_allocate():
    """A length of 2**31 in a 10-byte input fails before any allocation."""
    data = u32(0x80000000) + b"\0" * 6
    tracemalloc.start()
    try:
        for T in (xdr.LedgerEntryChanges, xdr.SCVec, xdr.SCBytes):
            with pytest.raises(XdrError):
                T.from_xdr(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_nesting_limit():
    """Nesting deeper than the documented limit is refused, not a stack overflow."""
    def nested(n):
        return (i32(SCV.SCV_VEC) + u32(1) + u32(1)) * n + i32(SCV.SCV_VOID)
    v = xdr.SCVal.from_xdr(nested(300))  # 900 levels counted as xdrpp counts
    assert v.to_xdr() == nested(300)
    e = err(xdr.SCVal, nested(100000))
    assert "nesting deeper" in e.reason


def test_buffer_inputs():
    data = xdr.SCVal(SCV.SCV_U64, 7).to_xdr()
    for src in (data, bytearray(data), memoryview(data), memoryview(b"xx" + data)[2:]):
        assert xdr.SCVal.from_xdr(src).u64 == 7
    with pytest.raises(XdrError):
        xdr.SCVal.from_xdr("not bytes")


def test_base64_input():
    v = xdr.SCVal(SCV.SCV_I32, -5)
    assert xdr.SCVal.from_xdr_base64(v.to_xdr_base64()) == v
    with pytest.raises(XdrError):
        xdr.SCVal.from_xdr_base64("!!!")


def _nested_scval(levels):
    v = xdr.SCVal(SCV.SCV_VOID)
    for _ in range(levels):
        v = xdr.SCVal(SCV.SCV_VEC, [v])
    return v


def test_encoder_and_comparison_refuse_exactly_what_the_decoder_refuses():
    """Each SCVal nesting is 3 levels as xdrpp counts (union, optional, vector):
    333 of them plus the innermost value fit in 1,000; 334 do not."""
    ok, too_deep = _nested_scval(333), _nested_scval(334)
    assert xdr.SCVal.from_xdr(ok.to_xdr()) == ok
    for op in (too_deep.to_xdr, lambda: too_deep == _nested_scval(334), lambda: hash(too_deep)):
        with pytest.raises(XdrError, match="nesting deeper"):
            op()


def test_values_built_far_deeper_fail_cleanly():
    """Values only Python code can build (the decoder refuses them) still end in
    XdrError for encode and compare, never a C stack overflow."""
    p = xdr.ClaimPredicate(xdr.ClaimPredicateType.CLAIM_PREDICATE_UNCONDITIONAL)
    for _ in range(20000):
        p = xdr.ClaimPredicate(xdr.ClaimPredicateType.CLAIM_PREDICATE_NOT, p)
    with pytest.raises(XdrError):
        p.to_xdr()
    with pytest.raises(XdrError):
        p.compare(p)


def test_freeing_deep_values_repeatedly():
    """Regression: deallocating nested values deeper than CPython's trashcan
    threshold (50) once corrupted the heap (trashcan on non-GC types)."""
    data = _nested_scval(333).to_xdr()
    for _ in range(300):
        v = xdr.SCVal.from_xdr(data)
        del v
    for _ in range(50):
        p = xdr.ClaimPredicate(xdr.ClaimPredicateType.CLAIM_PREDICATE_UNCONDITIONAL)
        for _ in range(2000):
            p = xdr.ClaimPredicate(xdr.ClaimPredicateType.CLAIM_PREDICATE_NOT, p)
        del p
