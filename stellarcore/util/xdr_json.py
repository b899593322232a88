"""stellar-core's JSON rendering of XDR values, both directions.

The definition is stellar-core's `xdrToCerealString` (util/XDRCereal.h,
util/XDRCereal.cpp) on top of xdrpp's cereal adaptor:

  * structs: an object of their fields, names exactly as in the `.x` files;
  * unions: the discriminant under the switch variable's name (an enum's
    member name, or a number for an `int` switch), then the active arm under
    its name; a void arm is the discriminant alone;
  * enums: the member name (`txSUCCESS`, `PERSISTENT`);
  * optionals: `null` or the bare value;
  * opaque data, fixed or variable: lowercase hex; strings: the string;
  * integers of every width: plain JSON numbers (never through floats);
  * arrays: JSON arrays;
  * overrides for Stellar types: PublicKey (also AccountID, NodeID) as a `G`
    strkey; SCAddress as a `G`/`C` strkey, `{id, ed25519}` for a muxed
    account and hex for claimable-balance and liquidity-pool ids;
    MuxedAccount as a `G` strkey or `{id, accountID}`; ConfigUpgradeSetKey as
    `{contractID: C..., contentHash}`; Asset / TrustLineAsset /
    ChangeTrustAsset as `"NATIVE"`, `{assetCode, issuer}`, a pool id in hex
    (TrustLineAsset) or `{assetA, assetB, fee}` (ChangeTrustAsset).

The rendering loses information in a few places stellar-core's does too; the
way back takes these choices (documented, deterministic):
  * an asset code of at most 4 bytes (even an empty one, from an all-zero
    code) reads back as AlphaNum4, a longer one as AlphaNum12 (stellar-core prints both as the bare code, cut at the first
    NUL byte);
  * a 64-hex-digit SCAddress reads back as a liquidity pool id (claimable
    balance ids print the same way);
  * ChangeTrustAsset's pool form reads back as a constant-product pool.

Strings are bytes in XDR; they render as text decoded from UTF-8 with
`surrogateescape`, so bytes that are not UTF-8 survive a round trip through
`dumps`/`loads` (and are written raw, as stellar-core writes them).
"""
from __future__ import annotations

import decimal
import json

from stellarcore import xdr
from stellarcore.crypto import strkey
from stellarcore.xdr import SCHEMA, XdrError

_ENUM_NAME = {}   # enum type name -> {value: member name}
_ENUM_VALUE = {}  # enum type name -> {member name: value}
for _n, _d in SCHEMA.items():
    if _d[0] == "enum":
        _ENUM_NAME[_n] = {v: m for m, v in _d[1]}
        _ENUM_VALUE[_n] = {m: v for m, v in _d[1]}

_INT_RANGE = {
    "int": (-(1 << 31), (1 << 31) - 1),
    "uint": (0, (1 << 32) - 1),
    "hyper": (-(1 << 63), (1 << 63) - 1),
    "uhyper": (0, (1 << 64) - 1),
}


class JsonFormError(XdrError):
    """JSON that is not stellar-core's rendering of a value of the asked type."""


# ================================================================ to JSON

def to_json(value, type_name):
    """The JSON value (dicts, lists, str, int...) stellar-core renders for `value`."""
    return _out(_named(type_name), value)


def dumps(value, type_name, compact=False):
    """Text exactly as stellar-core's `xdrToCerealString(value, type_name)` lays it
    out: the value wrapped in `{"<type_name>": ...}`, indented by 4 spaces."""
    doc = {type_name: to_json(value, type_name)}
    if compact:
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(doc, ensure_ascii=False, indent=4)


def _named(type_name):
    d = SCHEMA.get(type_name)
    if d is None:
        raise KeyError(f"no XDR type named {type_name!r}")
    if d[0] == "typedef":
        return d[1]
    if d[0] == "enum":
        return ("enum", type_name)
    return ("class", type_name)


def _out(t, v):
    k = t[0]
    if k in _INT_RANGE:
        return int(v)
    if k == "bool":
        return bool(v)
    if k == "enum":
        name = _ENUM_NAME[t[1]].get(int(v))
        return name if name is not None else str(int(v))
    if k == "opaque":
        return v.hex()
    if k == "string":
        return v.decode("utf-8", "surrogateescape")
    if k == "array":
        return [_out(t[3], x) for x in v]
    if k == "optional":
        return None if v is None else _out(t[1], v)
    return _out_class(t[1], v)


def _out_class(name, v):
    special = _OUT_OVERRIDES.get(name)
    if special is not None:
        return special(v)
    d = SCHEMA[name]
    if d[0] == "struct":
        return {xname: _out(te, getattr(v, pname)) for xname, pname, te in d[1]}
    return _out_union(d, v)


def _out_union(d, v):
    _, disc_name, _, disc_t, arms, default = d
    disc = v.xdr_disc()
    out = {disc_name: _out(disc_t, disc)}
    arm = _arm_of(d, int(disc))
    if arm is not None and arm[0] is not None:
        out[arm[0]] = _out(arm[2], v.xdr_value())
    return out


def _arm_of(d, disc):
    """(xdr name, python name, type) of the arm for `disc`, or None if none."""
    for cases, xname, pname, te in d[4]:
        if disc in cases:
            return (xname, pname, te)
    return d[5]


def _out_public_key(pk):
    return strkey.encode("G", pk.ed25519)


def _out_muxed_account(m):
    if m.type == xdr.CryptoKeyType.KEY_TYPE_ED25519:
        return strkey.encode("G", m.ed25519)
    med = m.med25519
    return {"id": med.id, "accountID": strkey.encode("G", med.ed25519)}


def _out_sc_address(a):
    T = xdr.SCAddressType
    t = a.type
    if t == T.SC_ADDRESS_TYPE_CONTRACT:
        return strkey.encode("C", a.contractId)
    if t == T.SC_ADDRESS_TYPE_ACCOUNT:
        return _out_public_key(a.accountId)
    if t == T.SC_ADDRESS_TYPE_MUXED_ACCOUNT:
        return {"id": a.muxedAccount.id, "ed25519": a.muxedAccount.ed25519.hex()}
    if t == T.SC_ADDRESS_TYPE_CLAIMABLE_BALANCE:
        return a.claimableBalanceId.v0.hex()
    return a.liquidityPoolId.hex()


def _out_config_upgrade_set_key(k):
    return {"contractID": strkey.encode("C", k.contractID), "contentHash": k.contentHash.hex()}


def _asset_code(code):
    end = code.find(b"\0")
    return (code if end < 0 else code[:end]).decode("utf-8", "surrogateescape")


def _out_asset_common(a):
    T = xdr.AssetType
    if a.type == T.ASSET_TYPE_NATIVE:
        return "NATIVE"
    if a.type == T.ASSET_TYPE_CREDIT_ALPHANUM4:
        an = a.alphaNum4
    elif a.type == T.ASSET_TYPE_CREDIT_ALPHANUM12:
        an = a.alphaNum12
    else:
        return None
    return {"assetCode": _asset_code(an.assetCode), "issuer": _out_public_key(an.issuer)}


def _out_asset(a):
    r = _out_asset_common(a)
    return "INVALID" if r is None else r


def _out_trustline_asset(a):
    r = _out_asset_common(a)
    return a.liquidityPoolID.hex() if r is None else r


def _out_change_trust_asset(a):
    r = _out_asset_common(a)
    if r is not None:
        return r
    cp = a.liquidityPool.constantProduct
    return {"assetA": _out_asset(cp.assetA), "assetB": _out_asset(cp.assetB), "fee": cp.fee}


_OUT_OVERRIDES = {
    "PublicKey": _out_public_key,
    "MuxedAccount": _out_muxed_account,
    "SCAddress": _out_sc_address,
    "ConfigUpgradeSetKey": _out_config_upgrade_set_key,
    "Asset": _out_asset,
    "TrustLineAsset": _out_trustline_asset,
    "ChangeTrustAsset": _out_change_trust_asset,
}


# ================================================================ from JSON

def from_json(obj, type_name):
    """The value of type `type_name` whose stellar-core JSON is `obj`.

    `obj` may be the bare rendering or stellar-core's `{"<type_name>": ...}`
    wrapper.  Raises JsonFormError naming the path of the first problem.
    """
    t = _named(type_name)
    if isinstance(obj, dict) and len(obj) == 1 and type_name in obj and not _bare_is_wrapper(t, type_name):
        obj = obj[type_name]
    return _in(t, obj, [type_name])


def loads(text, type_name):
    try:
        obj = json.loads(text, parse_float=_no_float, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise JsonFormError(f"invalid JSON: {e}") from None
    return from_json(obj, type_name)


def _no_float(s):
    """Accept a number written with a fraction or exponent only if it is exactly
    an integer (jq 1.6 prints 10**18 as `1e+18`); parsed exactly, never as a float."""
    try:
        d = decimal.Decimal(s)
    except decimal.InvalidOperation:
        d = None
    if d is None or not d.is_finite() or d != d.to_integral_value():
        raise JsonFormError(f"non-integer number {s!r} (XDR has no floating point)")
    return int(d)


def _no_constant(s):
    raise JsonFormError(f"{s} is not a valid XDR value")


def _bare_is_wrapper(t, type_name):
    """True if the bare form of the type itself could be `{type_name: ...}`."""
    if t[0] != "class":
        return False
    d = SCHEMA[t[1]]
    if d[0] == "struct":
        return len(d[1]) == 1 and d[1][0][0] == type_name
    return d[1] == type_name


def _fail(path, msg):
    err = JsonFormError(msg)
    for seg in path:
        err.segments.append(seg)
    raise err


def _in(t, o, path):
    k = t[0]
    if k in _INT_RANGE:
        if not isinstance(o, int) or isinstance(o, bool):
            _fail(path, f"expected an integer, got {_jtype(o)}")
        lo, hi = _INT_RANGE[k]
        if not lo <= o <= hi:
            _fail(path, f"{o} out of range for {k}")
        return o
    if k == "bool":
        if not isinstance(o, bool):
            _fail(path, f"expected true or false, got {_jtype(o)}")
        return o
    if k == "enum":
        return _in_enum(t[1], o, path)
    if k == "opaque":
        b = _in_hex(o, path)
        fixed, size = t[1], t[2]
        if fixed and len(b) != size:
            _fail(path, f"expected {size} bytes of hex, got {len(b)}")
        if not fixed and size is not None and len(b) > size:
            _fail(path, f"{len(b)} bytes exceed the maximum {size}")
        return b
    if k == "string":
        if not isinstance(o, str):
            _fail(path, f"expected a string, got {_jtype(o)}")
        b = o.encode("utf-8", "surrogateescape")
        if t[1] is not None and len(b) > t[1]:
            _fail(path, f"string of {len(b)} bytes exceeds the maximum {t[1]}")
        return b
    if k == "array":
        if not isinstance(o, list):
            _fail(path, f"expected an array, got {_jtype(o)}")
        fixed, size, et = t[1], t[2], t[3]
        if fixed and len(o) != size:
            _fail(path, f"expected {size} elements, got {len(o)}")
        if not fixed and size is not None and len(o) > size:
            _fail(path, f"{len(o)} elements exceed the maximum {size}")
        return [_in(et, x, path + [f"[{i}]"]) for i, x in enumerate(o)]
    if k == "optional":
        return None if o is None else _in(t[1], o, path)
    return _in_class(t[1], o, path)


def _jtype(o):
    if o is None:
        return "null"
    return {bool: "a boolean", int: "a number", str: "a string", list: "an array",
            dict: "an object"}.get(type(o), type(o).__name__)


def _in_hex(o, path):
    if not isinstance(o, str):
        _fail(path, f"expected a hex string, got {_jtype(o)}")
    if len(o) % 2 or any(c not in "0123456789abcdefABCDEF" for c in o):
        _fail(path, "expected hex digits")
    return bytes.fromhex(o)


def _in_enum(name, o, path):
    if isinstance(o, str):
        v = _ENUM_VALUE[name].get(o)
        if v is None:
            try:  # stellar-core prints an unnamed value as its number in a string
                v = int(o)
            except ValueError:
                _fail(path, f"{o!r} is not a member of enum {name}")
    elif isinstance(o, int) and not isinstance(o, bool):
        v = o
    else:
        _fail(path, f"expected a {name} name, got {_jtype(o)}")
    if v not in _ENUM_NAME[name]:
        _fail(path, f"{o!r} is not a member of enum {name}")
    return getattr(xdr, name)(v)


def _in_class(name, o, path):
    special = _IN_OVERRIDES.get(name)
    if special is not None:
        return special(o, path)
    d = SCHEMA[name]
    cls = getattr(xdr, name)
    if not isinstance(o, dict):
        _fail(path, f"expected an object for {name}, got {_jtype(o)}")
    if d[0] == "struct":
        known = {xname for xname, _, _ in d[1]}
        extra = [key for key in o if key not in known]
        if extra:
            _fail(path, f"unknown field {extra[0]!r} in {name}")
        kwargs = {}
        for xname, pname, te in d[1]:
            if xname not in o:
                _fail(path, f"missing field {xname!r} of {name}")
            kwargs[pname] = _in(te, o[xname], path + [xname])
        return cls(**kwargs)
    _, disc_name, disc_py, disc_t, arms, default = d
    if disc_name not in o:
        _fail(path, f"missing discriminant {disc_name!r} of {name}")
    disc = _in(disc_t, o[disc_name], path + [disc_name])
    arm = _arm_of(d, int(disc))
    if arm is None:
        _fail(path, f"{name} has no arm for {disc_name}={o[disc_name]!r}")
    allowed = {disc_name} | ({arm[0]} if arm[0] else set())
    extra = [key for key in o if key not in allowed]
    if extra:
        _fail(path, f"unexpected key {extra[0]!r} for {disc_name}={o[disc_name]!r}")
    if arm[0] is None:
        return cls(disc)
    if arm[0] not in o:
        _fail(path, f"missing arm {arm[0]!r} of {name}")
    return cls(disc, _in(arm[2], o[arm[0]], path + [arm[0]]))


def _in_strkey(kind, o, path):
    if not isinstance(o, str):
        _fail(path, f"expected a {kind} strkey, got {_jtype(o)}")
    try:
        return strkey.decode(kind, o)
    except strkey.StrKeyError as e:
        _fail(path, str(e))


def _in_public_key(o, path):
    return xdr.PublicKey(ed25519=_in_strkey("G", o, path))


def _in_muxed_account(o, path):
    if isinstance(o, dict):
        _expect_keys(o, ("id", "accountID"), path)
        return xdr.MuxedAccount(med25519=xdr.MuxedAccountMed25519(
            id=_in(("uhyper",), o["id"], path + ["id"]),
            ed25519=_in_strkey("G", o["accountID"], path + ["accountID"])))
    return xdr.MuxedAccount(ed25519=_in_strkey("G", o, path))


def _expect_keys(o, keys, path):
    if set(o) != set(keys):
        _fail(path, f"expected exactly the keys {', '.join(keys)}")


def _in_sc_address(o, path):
    T = xdr.SCAddressType
    if isinstance(o, dict):
        _expect_keys(o, ("id", "ed25519"), path)
        return xdr.SCAddress(T.SC_ADDRESS_TYPE_MUXED_ACCOUNT, xdr.MuxedEd25519Account(
            id=_in(("uhyper",), o["id"], path + ["id"]),
            ed25519=_in(("opaque", True, 32), o["ed25519"], path + ["ed25519"])))
    if isinstance(o, str) and o.startswith("C"):
        return xdr.SCAddress(T.SC_ADDRESS_TYPE_CONTRACT, _in_strkey("C", o, path))
    if isinstance(o, str) and o.startswith("G"):
        return xdr.SCAddress(T.SC_ADDRESS_TYPE_ACCOUNT, _in_public_key(o, path))
    return xdr.SCAddress(T.SC_ADDRESS_TYPE_LIQUIDITY_POOL, _in(("opaque", True, 32), o, path))


def _in_config_upgrade_set_key(o, path):
    if not isinstance(o, dict):
        _fail(path, f"expected an object, got {_jtype(o)}")
    _expect_keys(o, ("contractID", "contentHash"), path)
    return xdr.ConfigUpgradeSetKey(
        contractID=_in_strkey("C", o["contractID"], path + ["contractID"]),
        contentHash=_in(("opaque", True, 32), o["contentHash"], path + ["contentHash"]))


def _in_asset_common(cls, o, path):
    """NATIVE or a credit asset of `cls`; None if `o` is neither form."""
    T = xdr.AssetType
    if o == "NATIVE":
        return cls(T.ASSET_TYPE_NATIVE)
    if isinstance(o, dict) and set(o) == {"assetCode", "issuer"}:
        code = o["assetCode"]
        if not isinstance(code, str):
            _fail(path + ["assetCode"], "expected a string")
        raw = code.encode("utf-8", "surrogateescape")
        if len(raw) > 12 or b"\0" in raw:
            _fail(path + ["assetCode"], "asset code must be at most 12 bytes, without NUL")
        issuer = _in_public_key(o["issuer"], path + ["issuer"])
        if len(raw) <= 4:
            return cls(T.ASSET_TYPE_CREDIT_ALPHANUM4,
                       xdr.AlphaNum4(assetCode=raw.ljust(4, b"\0"), issuer=issuer))
        return cls(T.ASSET_TYPE_CREDIT_ALPHANUM12,
                   xdr.AlphaNum12(assetCode=raw.ljust(12, b"\0"), issuer=issuer))
    return None


def _in_asset(o, path):
    r = _in_asset_common(xdr.Asset, o, path)
    if r is None:
        _fail(path, 'expected "NATIVE" or {"assetCode", "issuer"}')
    return r


def _in_trustline_asset(o, path):
    r = _in_asset_common(xdr.TrustLineAsset, o, path)
    if r is None:
        r = xdr.TrustLineAsset(xdr.AssetType.ASSET_TYPE_POOL_SHARE,
                               _in(("opaque", True, 32), o, path))
    return r


def _in_change_trust_asset(o, path):
    r = _in_asset_common(xdr.ChangeTrustAsset, o, path)
    if r is not None:
        return r
    if not isinstance(o, dict) or set(o) != {"assetA", "assetB", "fee"}:
        _fail(path, 'expected "NATIVE", {"assetCode", "issuer"} or {"assetA", "assetB", "fee"}')
    cp = xdr.LiquidityPoolConstantProductParameters(
        assetA=_in_asset(o["assetA"], path + ["assetA"]),
        assetB=_in_asset(o["assetB"], path + ["assetB"]),
        fee=_in(("int",), o["fee"], path + ["fee"]))
    return xdr.ChangeTrustAsset(xdr.AssetType.ASSET_TYPE_POOL_SHARE, xdr.LiquidityPoolParameters(
        xdr.LiquidityPoolType.LIQUIDITY_POOL_CONSTANT_PRODUCT, cp))


_IN_OVERRIDES = {
    "PublicKey": _in_public_key,
    "MuxedAccount": _in_muxed_account,
    "SCAddress": _in_sc_address,
    "ConfigUpgradeSetKey": _in_config_upgrade_set_key,
    "Asset": _in_asset,
    "TrustLineAsset": _in_trustline_asset,
    "ChangeTrustAsset": _in_change_trust_asset,
}
