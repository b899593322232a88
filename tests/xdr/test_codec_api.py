"""The Python face of generated types: construction, access, equality,
hashing, repr, copying, typedef codecs and encode-time validation."""
import copy
import pickle

import pytest

from stellarcore import xdr
from stellarcore.xdr import XdrError

KEY = b"\x11" * 32


def account_id(b=KEY):
    return xdr.PublicKey(ed25519=b)


def test_struct_keywords_defaults_and_attributes():
    h = xdr.LedgerHeader(ledgerVersion=25, baseFee=100)
    assert h.ledgerVersion == 25 and h.baseFee == 100
    assert h.previousLedgerHash == bytes(32)          # fixed opaque defaults to zeros
    assert h.skipList == [bytes(32)] * 4              # fixed array of its default
    assert h.scpValue.upgrades == []                  # nested struct default-constructed
    h.ledgerSeq = 7
    assert h.ledgerSeq == 7
    with pytest.raises(TypeError):
        xdr.LedgerHeader(notAField=1)
    with pytest.raises(OverflowError):
        h.ledgerSeq = -1                              # uint32 field


def test_keyword_named_fields_get_a_trailing_underscore():
    # `from` is a Python keyword (TimeSlicedSurveyRequest... uses `from` nowhere,
    # but the generator maps any keyword this way); check via the schema
    names = [f[1] for d in xdr.SCHEMA.values() if d[0] == "struct" for f in d[1]]
    import keyword
    assert not any(keyword.iskeyword(n) for n in names)


def test_enum_fields_are_intenums_and_validated():
    e = xdr.LedgerEntry()
    cd = xdr.ContractDataEntry(durability=xdr.ContractDataDurability.TEMPORARY)
    assert cd.durability is xdr.ContractDataDurability.TEMPORARY
    cd.durability = 1
    assert cd.durability is xdr.ContractDataDurability.PERSISTENT
    with pytest.raises(XdrError):
        cd.durability = 7
    assert isinstance(e.data.type, xdr.LedgerEntryType)


def test_union_construction_forms():
    a4 = xdr.AlphaNum4(assetCode=b"USD\0", issuer=account_id())
    by_kw = xdr.Asset(type=xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4, alphaNum4=a4)
    by_arm = xdr.Asset(alphaNum4=a4)
    by_pos = xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4, a4)
    assert by_kw == by_arm == by_pos
    assert by_kw.alphaNum4 is a4 and by_kw.alphaNum12 is None
    assert by_kw.xdr_arm() == "alphaNum4" and by_kw.xdr_value() is a4
    native = xdr.Asset()                         # default: the first case
    assert native.type == xdr.AssetType.ASSET_TYPE_NATIVE and native.xdr_value() is None
    with pytest.raises(XdrError):
        xdr.Asset(type=xdr.AssetType.ASSET_TYPE_NATIVE, alphaNum4=a4)
    with pytest.raises(XdrError):
        xdr.Asset(type=xdr.AssetType.ASSET_TYPE_POOL_SHARE)   # no such arm in Asset


def test_union_arm_shared_by_several_cases_needs_the_discriminant():
    # TransactionResultResult: `results` for both txSUCCESS and txFAILED
    with pytest.raises(TypeError):
        xdr.TransactionResultResult(results=[])
    r = xdr.TransactionResultResult(code=xdr.TransactionResultCode.txFAILED, results=[])
    assert r.results == []


def test_setting_the_discriminant_resets_the_arm_to_its_zero_value():
    v = xdr.SCVal(xdr.SCValType.SCV_U32, 5)
    v.type = xdr.SCValType.SCV_I64
    assert v.i64 == 0 and v.u32 is None
    v.i64 = -3
    assert xdr.SCVal.from_xdr(v.to_xdr()).i64 == -3


def test_equality_hash_copy_pickle():
    e1 = xdr.SCVal(xdr.SCValType.SCV_SYMBOL, b"abc")
    e2 = xdr.SCVal.from_xdr(e1.to_xdr())
    assert e1 == e2 and hash(e1) == hash(e2) and e1 is not e2
    assert e1 != xdr.SCVal(xdr.SCValType.SCV_SYMBOL, b"abd")
    assert (e1 == "abc") is False
    h = xdr.LedgerHeader(ledgerSeq=3)
    c = copy.deepcopy(h)
    c.scpValue.closeTime = 99
    assert h.scpValue.closeTime == 0 and c != h
    assert pickle.loads(pickle.dumps(h)) == h
    assert h.copy() == h and {h: 1}[h.copy()] == 1


def test_repr_is_readable():
    r = repr(xdr.SCVal(xdr.SCValType.SCV_U32, 5))
    assert r == "SCVal(type=<SCValType.SCV_U32: 3>, u32=5)"
    assert repr(xdr.LedgerKeyTtl(keyHash=b"\0" * 32)).startswith("LedgerKeyTtl(keyHash=b'\\x00")


def test_typedef_aliases_and_codecs():
    assert xdr.AccountID is xdr.PublicKey and xdr.NodeID is xdr.PublicKey
    assert xdr.Hash.to_xdr(b"\1" * 32) == b"\1" * 32
    assert xdr.Hash.from_xdr(b"\2" * 32) == b"\2" * 32
    assert xdr.uint64.from_xdr(b"\xff" * 8) == 2**64 - 1
    assert xdr.SequenceNumber.to_xdr(-1) == b"\xff" * 8
    assert xdr.SponsorshipDescriptor.to_xdr(None) == b"\0\0\0\0"
    with pytest.raises(XdrError):
        xdr.Hash.to_xdr(b"short")
    assert xdr.lookup("Hash") is xdr.Hash
    assert xdr.lookup("LedgerHeader") is xdr.LedgerHeader
    with pytest.raises(KeyError):
        xdr.lookup("NoSuchType")


def test_encode_errors_name_the_path():
    env = xdr.TransactionEnvelope(type=xdr.EnvelopeType.ENVELOPE_TYPE_TX)
    env.v1.tx.operations.append(xdr.Operation())
    env.v1.tx.operations.append("not an operation")
    with pytest.raises(XdrError) as e:
        env.to_xdr()
    assert e.value.path == "TransactionEnvelope.v1.tx.operations[1]"
    bad = xdr.AlphaNum4(assetCode=b"US", issuer=account_id())
    with pytest.raises(XdrError, match="4 bytes"):
        bad.to_xdr()
    too_many = xdr.Transaction(operations=[xdr.Operation()] * 101)
    with pytest.raises(XdrError, match="exceeds the maximum 100"):
        too_many.to_xdr()
    v = xdr.SCVal(xdr.SCValType.SCV_U32, 2**32)
    with pytest.raises(XdrError):
        v.to_xdr()


def test_writer_and_reader_streaming_api():
    w = xdr.Writer()
    xdr.SCVal(xdr.SCValType.SCV_U32, 1).encode_into(w)
    xdr.Hash.encode_into(b"\3" * 32, w)
    r = xdr.Reader(w.getvalue())
    assert xdr.SCVal.decode_from(r).u32 == 1
    assert xdr.Hash.decode_from(r) == b"\3" * 32
    r.expect_end()


def test_enums_encode_alone():
    C = xdr.TransactionResultCode
    assert C.txFAILED.to_xdr() == b"\xff\xff\xff\xff"      # int32 -1
    assert C.from_xdr(b"\xff\xff\xff\xff") is C.txFAILED
    assert xdr.lookup("AssetType") is xdr.AssetType
    with pytest.raises(XdrError, match="not a value"):
        xdr.AssetType.from_xdr(b"\0\0\0\x09")
    with pytest.raises(XdrError, match="trailing"):
        xdr.AssetType.from_xdr(b"\0\0\0\0\0")
