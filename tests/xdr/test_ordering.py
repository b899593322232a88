"""Ordering of XDR values is xdrpp's generated `operator<` (PARITY_TRAPS X1).

stellar-core sorts bucket entries, LedgerKey sets, SCP ballots and the
nomination candidate set with it.  Each expectation below follows from
xdrpp/types.h (stellar-core v25.0.1 pins xdrpp 8e1fe06): struct_lt_helper
compares fields in order, unions compare `_xdr_discriminant()` first, integers
compare as C++ integers, `opaque_vec`/`xstring`/`xvector` compare with
std::lexicographical_compare, and a null `pointer` is less than a non-null one.
None of it is the order of the XDR bytes.
"""
import random

from stellarcore import xdr

SCV = xdr.SCValType


def sc(t, v=None):
    return xdr.SCVal(t) if v is None else xdr.SCVal(t, v)


def test_signed_integers_compare_numerically_not_bytewise():
    neg, pos = sc(SCV.SCV_I64, -1), sc(SCV.SCV_I64, 1)
    assert neg < pos
    assert neg.to_xdr() > pos.to_xdr()          # byte order would say the opposite
    assert xdr.Int128Parts(hi=-1, lo=2**64 - 1) < xdr.Int128Parts(hi=0, lo=0)


def test_unsigned_integers_compare_numerically():
    assert sc(SCV.SCV_U64, 2**63) > sc(SCV.SCV_U64, 2**63 - 1)


def test_union_discriminant_first():
    # SCV_U32 = 3 sorts before SCV_I32 = 4 whatever the values
    assert sc(SCV.SCV_U32, 2**32 - 1) < sc(SCV.SCV_I32, -2**31)
    # a negative discriminant (enum value) sorts first: txFAILED(-1) < txSUCCESS(0)
    C = xdr.TransactionResultCode
    failed = xdr.TransactionResultResult(code=C.txFAILED, results=[])
    ok = xdr.TransactionResultResult(code=C.txSUCCESS, results=[])
    assert failed < ok


def test_variable_opaque_is_lexicographic_prefix_first():
    # length is not compared first: b"b" > b"ab" although it is shorter
    assert sc(SCV.SCV_BYTES, b"ab") < sc(SCV.SCV_BYTES, b"abc") < sc(SCV.SCV_BYTES, b"b")
    assert sc(SCV.SCV_BYTES, b"") < sc(SCV.SCV_BYTES, b"\x00")
    # bytes compare unsigned
    assert sc(SCV.SCV_BYTES, b"\x7f") < sc(SCV.SCV_BYTES, b"\x80")


def test_strings_compare_like_std_string():
    assert sc(SCV.SCV_SYMBOL, b"Z") < sc(SCV.SCV_SYMBOL, b"a")
    assert sc(SCV.SCV_STRING, b"a") < sc(SCV.SCV_STRING, b"a\x00")


def test_vectors_are_lexicographic():
    def vec(*vals):
        return sc(SCV.SCV_VEC, [sc(SCV.SCV_U32, v) for v in vals])
    assert vec(1, 2) < vec(1, 2, 0) < vec(1, 3) < vec(2)
    assert not vec(1, 2) < vec(1, 2)


def test_null_optional_first():
    assert sc(SCV.SCV_VEC, None) < sc(SCV.SCV_VEC, [])
    signer_ids = lambda *x: xdr.AccountEntryExtensionV2(signerSponsoringIDs=list(x))  # noqa: E731
    k = xdr.PublicKey(ed25519=b"\0" * 32)
    assert signer_ids(None) < signer_ids(k)
    assert signer_ids(None, k) < signer_ids(k, None)


def test_structs_compare_field_by_field():
    a = xdr.LedgerKeyData(accountID=xdr.PublicKey(ed25519=b"\1" * 32), dataName=b"zzz")
    b = xdr.LedgerKeyData(accountID=xdr.PublicKey(ed25519=b"\2" * 32), dataName=b"aaa")
    assert a < b                       # the first field decides


def test_total_order_consistent_with_equality():
    rng = random.Random(7)
    vals = []
    for _ in range(300):
        t = rng.choice([SCV.SCV_U32, SCV.SCV_I64, SCV.SCV_BYTES, SCV.SCV_VOID])
        if t == SCV.SCV_U32:
            vals.append(sc(t, rng.randrange(4)))
        elif t == SCV.SCV_I64:
            vals.append(sc(t, rng.randrange(-3, 3)))
        elif t == SCV.SCV_BYTES:
            vals.append(sc(t, bytes(rng.randrange(3) for _ in range(rng.randrange(3)))))
        else:
            vals.append(sc(t))
    s = sorted(vals)
    for x, y in zip(s, s[1:]):
        assert x <= y and not y < x
        assert (x == y) == (x.compare(y) == 0)
