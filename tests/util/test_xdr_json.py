"""stellar-core's JSON form for the cases the shared meta files do not show.

Expected renderings follow stellar-core v25.0.1 src/util/XDRCereal.cpp
(cereal_override for PublicKey, SCAddress, ConfigUpgradeSetKey,
MuxedAccount, cerealPoolAsset) and XDRCereal.h (assets, enums, optionals,
opaque as hex); the files in ../shared cover the rest (test_ledger_close_meta).
"""
import json

import pytest

from stellarcore import xdr
from stellarcore.crypto import strkey
from stellarcore.util import xdr_json
from stellarcore.util.xdr_json import JsonFormError

K1 = bytes(range(32))
K2 = bytes(range(32, 64))
G1 = strkey.encode("G", K1)
G2 = strkey.encode("G", K2)
C1 = strkey.encode("C", K1)
T = xdr.AssetType


def rt(value, type_name):
    """JSON of `value`, checked to read back as `value`."""
    j = xdr_json.to_json(value, type_name)
    assert xdr_json.from_json(j, type_name) == value
    return j


def test_muxed_account_forms():
    plain = xdr.MuxedAccount(ed25519=K1)
    assert rt(plain, "MuxedAccount") == G1
    muxed = xdr.MuxedAccount(med25519=xdr.MuxedAccountMed25519(id=2**64 - 1, ed25519=K1))
    assert rt(muxed, "MuxedAccount") == {"id": 2**64 - 1, "accountID": G1}


def test_asset_forms():
    issuer = xdr.PublicKey(ed25519=K2)
    a4 = xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=b"USD\0", issuer=issuer))
    a12 = xdr.Asset(alphaNum12=xdr.AlphaNum12(assetCode=b"LONGCODE\0\0\0\0", issuer=issuer))
    assert rt(xdr.Asset(T.ASSET_TYPE_NATIVE), "Asset") == "NATIVE"
    assert rt(a4, "Asset") == {"assetCode": "USD", "issuer": G2}
    assert rt(a12, "Asset") == {"assetCode": "LONGCODE", "issuer": G2}
    full4 = xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=b"ABCD", issuer=issuer))
    assert rt(full4, "Asset") == {"assetCode": "ABCD", "issuer": G2}


def test_asset_code_lossy_cases_are_deterministic():
    issuer = xdr.PublicKey(ed25519=K2)
    short12 = xdr.Asset(alphaNum12=xdr.AlphaNum12(assetCode=b"AB" + b"\0" * 10, issuer=issuer))
    j = xdr_json.to_json(short12, "Asset")
    assert j == {"assetCode": "AB", "issuer": G2}       # stellar-core prints the same as AlphaNum4
    back = xdr_json.from_json(j, "Asset")
    assert back.type == T.ASSET_TYPE_CREDIT_ALPHANUM4   # documented choice: <= 4 bytes
    cut = xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=b"A\0BC", issuer=issuer))
    assert xdr_json.to_json(cut, "Asset")["assetCode"] == "A"   # cut at the first NUL


def test_pool_share_assets():
    pool_id = b"\x42" * 32
    tla = xdr.TrustLineAsset(T.ASSET_TYPE_POOL_SHARE, pool_id)
    assert rt(tla, "TrustLineAsset") == pool_id.hex()
    cp = xdr.LiquidityPoolConstantProductParameters(
        assetA=xdr.Asset(T.ASSET_TYPE_NATIVE),
        assetB=xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=b"EUR\0", issuer=xdr.PublicKey(ed25519=K1))),
        fee=30)
    cta = xdr.ChangeTrustAsset(T.ASSET_TYPE_POOL_SHARE, xdr.LiquidityPoolParameters(
        xdr.LiquidityPoolType.LIQUIDITY_POOL_CONSTANT_PRODUCT, cp))
    assert rt(cta, "ChangeTrustAsset") == {
        "assetA": "NATIVE", "assetB": {"assetCode": "EUR", "issuer": G1}, "fee": 30}


def test_sc_address_forms():
    A = xdr.SCAddressType
    assert rt(xdr.SCAddress(A.SC_ADDRESS_TYPE_ACCOUNT, xdr.PublicKey(ed25519=K1)), "SCAddress") == G1
    assert rt(xdr.SCAddress(A.SC_ADDRESS_TYPE_CONTRACT, K1), "SCAddress") == C1
    muxed = xdr.SCAddress(A.SC_ADDRESS_TYPE_MUXED_ACCOUNT, xdr.MuxedEd25519Account(id=5, ed25519=K2))
    assert rt(muxed, "SCAddress") == {"id": 5, "ed25519": K2.hex()}
    lp = xdr.SCAddress(A.SC_ADDRESS_TYPE_LIQUIDITY_POOL, K2)
    assert rt(lp, "SCAddress") == K2.hex()
    cb = xdr.SCAddress(A.SC_ADDRESS_TYPE_CLAIMABLE_BALANCE, xdr.ClaimableBalanceID(
        xdr.ClaimableBalanceIDType.CLAIMABLE_BALANCE_ID_TYPE_V0, K2))
    assert xdr_json.to_json(cb, "SCAddress") == K2.hex()   # printed like a pool id (lossy)


def test_config_upgrade_set_key_and_contract_event_id():
    k = xdr.ConfigUpgradeSetKey(contractID=K1, contentHash=K2)
    assert rt(k, "ConfigUpgradeSetKey") == {"contractID": C1, "contentHash": K2.hex()}
    # a bare ContractID (Hash) is hex, e.g. ContractEvent.contractID
    ev = xdr.ContractEvent(contractID=K1)
    assert rt(ev, "ContractEvent")["contractID"] == K1.hex()


def test_scalars_enums_optionals():
    v = xdr.SCVal(xdr.SCValType.SCV_BOOL, True)
    assert rt(v, "SCVal") == {"type": "SCV_BOOL", "b": True}
    assert rt(xdr.SCVal(xdr.SCValType.SCV_VEC, None), "SCVal") == {"type": "SCV_VEC", "vec": None}
    big = xdr.SCVal(xdr.SCValType.SCV_U64, 2**64 - 1)
    assert json.loads(json.dumps(rt(big, "SCVal")))["u64"] == 2**64 - 1   # exact, no float
    i128 = xdr.SCVal(xdr.SCValType.SCV_I128, xdr.Int128Parts(hi=-2**63, lo=2**64 - 1))
    assert rt(i128, "SCVal") == {"type": "SCV_I128", "i128": {"hi": -2**63, "lo": 2**64 - 1}}
    # a union over `int v` prints the number; a void arm is the discriminant alone
    assert rt(xdr.ExtensionPoint(), "ExtensionPoint") == {"v": 0}


def test_non_utf8_strings_survive():
    v = xdr.SCVal(xdr.SCValType.SCV_STRING, b"\xff\xfeok")
    text = xdr_json.dumps(v, "SCVal")
    assert xdr_json.loads(text, "SCVal") == v


def test_wrapper_and_bare_input_both_accepted():
    h = xdr.LedgerHeader(ledgerSeq=9)
    bare = xdr_json.to_json(h, "LedgerHeader")
    assert xdr_json.from_json({"LedgerHeader": bare}, "LedgerHeader") == h
    assert xdr_json.from_json(bare, "LedgerHeader") == h
    assert xdr_json.loads(xdr_json.dumps(h, "LedgerHeader"), "LedgerHeader") == h


def test_typedef_of_array():
    changes = [xdr.LedgerEntryChange(xdr.LedgerEntryChangeType.LEDGER_ENTRY_REMOVED,
                                     xdr.LedgerKey(account=xdr.LedgerKeyAccount(
                                         accountID=xdr.PublicKey(ed25519=K1))))]
    j = rt(changes, "LedgerEntryChanges")
    assert j == [{"type": "LEDGER_ENTRY_REMOVED",
                  "removed": {"type": "ACCOUNT", "account": {"accountID": G1}}}]


def test_exponent_integers_from_jq():
    """jq 1.6 prints 10**18 as 1e+18; it is still exactly an integer."""
    h = xdr_json.loads('{"hi": 1e+18, "lo": 0}', "Int128Parts")
    assert h.hi == 10**18
    with pytest.raises(JsonFormError):
        xdr_json.loads('{"hi": 1.5, "lo": 0}', "Int128Parts")


@pytest.mark.parametrize("doc, message", [
    ({"type": "SCV_U32"}, "missing arm"),
    ({"type": "SCV_NOPE"}, "not a member"),
    ({"type": "SCV_U32", "u32": -1}, "out of range"),
    ({"type": "SCV_U32", "u32": 1, "extra": 2}, "unexpected key"),
    ({"type": "SCV_SYMBOL", "sym": "x" * 33}, "exceeds the maximum"),
    ({"type": "SCV_BYTES", "bytes": "abc"}, "hex"),
    ({"type": "SCV_ADDRESS", "address": "GBAD"}, "strkey"),
    ({"type": "SCV_BOOL", "b": 1}, "true or false"),
    ([], "expected an object"),
])
def test_bad_json_is_one_clear_error(doc, message):
    with pytest.raises(JsonFormError, match=message):
        xdr_json.from_json(doc, "SCVal")


def test_bad_json_path():
    with pytest.raises(JsonFormError) as e:
        xdr_json.from_json({"type": "SCV_VEC", "vec": [{"type": "SCV_U32"}]}, "SCVal")
    assert e.value.path == "SCVal.vec[0]"
