"""Order keys (stellarcore.bucket.keys) against xdrpp's ordering of LedgerKeys.

stellar-core sorts bucket entries with `BucketEntryIdCmp`: METAENTRY first,
then `LedgerEntryIdCmp`, which compares the LedgerEntryType and then the key
fields with xdrpp's `operator<` -- the same as `operator<` of the entries'
LedgerKeys (bucket/LedgerCmp.h, PARITY_TRAPS X1/B2).  Our XDR classes
implement that operator (`compare()`, `<`; see tests/xdr/test_ordering.py),
so every check here is: comparing order keys as bytes gives the sign of
`LedgerKey.compare`, equal order keys mean equal LedgerKeys, and
`ledger_key_of_entry` is stellar-core's LedgerEntryKey byte for byte.

The generated values aim at the places a byte encoding can go wrong: byte
strings made of 0x00, 0x01, 0xFE, 0xFF and 'a' (escapes, proper prefixes),
extreme and negative integers, every union arm, nested SCVal vectors, maps
and contract instances, keys that share long prefixes.
"""
import itertools
import random
import struct

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from stellarcore import xdr
from stellarcore.bucket import keys as K
from stellarcore.util.types import ledger_entry_key
from tests.conftest import SHARED
from tests.xdr import strategies as S

SCV = xdr.SCValType
LT = xdr.LedgerEntryType
BET = xdr.BucketEntryType
HAT = xdr.HotArchiveBucketEntryType

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def sign(x):
    return (x > 0) - (x < 0)


def bcmp(a, b):
    return (a > b) - (a < b)


def be32(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


# ---------------------------------------------------------------- strategies

def _edges(lo, hi, extra=()):
    return st.one_of(st.sampled_from(sorted({lo, lo + 1, -1 if lo < 0 else 0, 0, 1, hi - 1, hi, *extra})),
                     st.integers(lo, hi))


i32s = _edges(-2**31, 2**31 - 1)
u32s = _edges(0, 2**32 - 1, (2**31 - 1, 2**31))
i64s = _edges(-2**63, 2**63 - 1, (-2**31, 2**31, 2**32))
u64s = _edges(0, 2**64 - 1, (2**63 - 1, 2**63))

# Byte strings over a tiny alphabet, so draws collide, share prefixes and
# contain the escape byte 0x00 and its companion 0xFF.
_ALPHABET = [0x00, 0x01, 0xFE, 0xFF, 0x61]


def adv_bytes(max_size, long_ok=True):
    small = st.lists(st.sampled_from(_ALPHABET), max_size=min(max_size, 6)).map(bytes)
    if not long_ok:
        return small
    return st.one_of(small, small.map(lambda b: (b * 20)[:max_size]), st.binary(max_size=min(max_size, 70)))


hashes = st.one_of(
    st.sampled_from([b"\x00" * 32, b"\x00" * 31 + b"\x01", b"\x00" * 31 + b"\xff",
                     b"\x7f" + b"\xff" * 31, b"\x80" + b"\x00" * 31, b"\xff" * 32]),
    st.binary(min_size=32, max_size=32))
accounts = hashes.map(lambda h: xdr.PublicKey(ed25519=h))
balance_ids = hashes.map(lambda h: xdr.ClaimableBalanceID(v0=h))
codes4 = st.one_of(st.sampled_from([b"USD\x00", b"USDC", b"\x00\x00\x00\x00", b"\xff\xff\xff\xff"]),
                   st.binary(min_size=4, max_size=4))
codes12 = st.one_of(st.sampled_from([b"USD" + b"\x00" * 9, b"LONGASSET\x00\x00\x00", b"\xff" * 12]),
                    st.binary(min_size=12, max_size=12))

trustline_assets = st.one_of(
    st.just(xdr.TrustLineAsset(xdr.AssetType.ASSET_TYPE_NATIVE)),
    st.builds(lambda c, i: xdr.TrustLineAsset(alphaNum4=xdr.AlphaNum4(assetCode=c, issuer=i)), codes4, accounts),
    st.builds(lambda c, i: xdr.TrustLineAsset(alphaNum12=xdr.AlphaNum12(assetCode=c, issuer=i)), codes12, accounts),
    hashes.map(lambda h: xdr.TrustLineAsset(liquidityPoolID=h)),
)

sc_addresses = st.one_of(
    accounts.map(lambda a: xdr.SCAddress(accountId=a)),
    hashes.map(lambda h: xdr.SCAddress(contractId=h)),
    st.builds(lambda i, h: xdr.SCAddress(muxedAccount=xdr.MuxedEd25519Account(id=i, ed25519=h)), u64s, hashes),
    balance_ids.map(lambda b: xdr.SCAddress(claimableBalanceId=b)),
    hashes.map(lambda h: xdr.SCAddress(liquidityPoolId=h)),
)


def scv(t, v=None):
    return xdr.SCVal(t) if v is None else xdr.SCVal(t, v)


sc_errors = st.one_of(
    u32s.map(lambda c: xdr.SCError(xdr.SCErrorType.SCE_CONTRACT, c)),
    st.builds(lambda t, c: xdr.SCError(t, c),
              st.sampled_from([t for t in xdr.SCErrorType if t != xdr.SCErrorType.SCE_CONTRACT]),
              st.sampled_from(list(xdr.SCErrorCode))),
)
executables = st.one_of(hashes.map(lambda h: xdr.ContractExecutable(wasm_hash=h)),
                        st.just(xdr.ContractExecutable(xdr.ContractExecutableType.CONTRACT_EXECUTABLE_STELLAR_ASSET)))

sc_leaves = st.one_of(
    st.booleans().map(lambda b: scv(SCV.SCV_BOOL, b)),
    st.sampled_from([SCV.SCV_VOID, SCV.SCV_LEDGER_KEY_CONTRACT_INSTANCE]).map(scv),
    sc_errors.map(lambda e: scv(SCV.SCV_ERROR, e)),
    u32s.map(lambda v: scv(SCV.SCV_U32, v)),
    i32s.map(lambda v: scv(SCV.SCV_I32, v)),
    st.builds(scv, st.sampled_from([SCV.SCV_U64, SCV.SCV_TIMEPOINT, SCV.SCV_DURATION]), u64s),
    i64s.map(lambda v: scv(SCV.SCV_I64, v)),
    st.builds(lambda h, l: scv(SCV.SCV_U128, xdr.UInt128Parts(hi=h, lo=l)), u64s, u64s),
    st.builds(lambda h, l: scv(SCV.SCV_I128, xdr.Int128Parts(hi=h, lo=l)), i64s, u64s),
    st.builds(lambda a, b, c, d: scv(SCV.SCV_U256, xdr.UInt256Parts(hi_hi=a, hi_lo=b, lo_hi=c, lo_lo=d)),
              u64s, u64s, u64s, u64s),
    st.builds(lambda a, b, c, d: scv(SCV.SCV_I256, xdr.Int256Parts(hi_hi=a, hi_lo=b, lo_hi=c, lo_lo=d)),
              i64s, u64s, u64s, u64s),
    adv_bytes(200).map(lambda b: scv(SCV.SCV_BYTES, b)),
    adv_bytes(200).map(lambda b: scv(SCV.SCV_STRING, b)),
    adv_bytes(32).map(lambda b: scv(SCV.SCV_SYMBOL, b)),
    sc_addresses.map(lambda a: scv(SCV.SCV_ADDRESS, a)),
    i64s.map(lambda n: scv(SCV.SCV_LEDGER_KEY_NONCE, xdr.SCNonceKey(nonce=n))),
    executables.map(lambda e: scv(SCV.SCV_CONTRACT_INSTANCE, xdr.SCContractInstance(executable=e))),
)


def _containers(inner):
    entries = st.builds(lambda k, v: xdr.SCMapEntry(key=k, val=v), inner, inner)
    maps = st.one_of(st.none(), st.lists(entries, max_size=3))
    return st.one_of(
        st.one_of(st.none(), st.lists(inner, max_size=3)).map(lambda v: scv(SCV.SCV_VEC, v)),
        maps.map(lambda m: scv(SCV.SCV_MAP, m)),
        st.builds(lambda e, m: scv(SCV.SCV_CONTRACT_INSTANCE, xdr.SCContractInstance(executable=e, storage=m)),
                  executables, maps),
    )


sc_vals = st.recursive(sc_leaves, _containers, max_leaves=10)


def _lk(arm, **fields):
    cls = {"account": xdr.LedgerKeyAccount, "trustLine": xdr.LedgerKeyTrustLine,
           "offer": xdr.LedgerKeyOffer, "data": xdr.LedgerKeyData,
           "claimableBalance": xdr.LedgerKeyClaimableBalance,
           "liquidityPool": xdr.LedgerKeyLiquidityPool, "contractData": xdr.LedgerKeyContractData,
           "contractCode": xdr.LedgerKeyContractCode, "configSetting": xdr.LedgerKeyConfigSetting,
           "ttl": xdr.LedgerKeyTtl}[arm]
    return xdr.LedgerKey(**{arm: cls(**fields)})


KEYS_BY_TYPE = [                              # indexed by LedgerEntryType
    accounts.map(lambda a: _lk("account", accountID=a)),
    st.builds(lambda a, t: _lk("trustLine", accountID=a, asset=t), accounts, trustline_assets),
    st.builds(lambda a, o: _lk("offer", sellerID=a, offerID=o), accounts, i64s),
    st.builds(lambda a, n: _lk("data", accountID=a, dataName=n), accounts, adv_bytes(64)),
    balance_ids.map(lambda b: _lk("claimableBalance", balanceID=b)),
    hashes.map(lambda h: _lk("liquidityPool", liquidityPoolID=h)),
    st.builds(lambda c, k, d: _lk("contractData", contract=c, key=k, durability=d),
              sc_addresses, sc_vals, st.sampled_from(list(xdr.ContractDataDurability))),
    hashes.map(lambda h: _lk("contractCode", hash=h)),
    st.sampled_from(list(xdr.ConfigSettingID)).map(lambda i: _lk("configSetting", configSettingID=i)),
    hashes.map(lambda h: _lk("ttl", keyHash=h)),
]
adversarial_keys = st.one_of(KEYS_BY_TYPE)
# ---- families of near-identical keys
# Independent draws mostly differ early (type, account); a family is a key
# and small tweaks of it (one byte more or less in a string, an integer off
# by one or negated, one element added to, dropped from or changed in a
# nested vector or map, ...), so comparisons reach deep into the keys.

_TWEAK_BYTES = [0x00, 0x01, 0xFE, 0xFF, 0x61]
_INTS = {SCV.SCV_U32: (0, 2**32 - 1), SCV.SCV_I32: (-2**31, 2**31 - 1), SCV.SCV_U64: (0, 2**64 - 1),
         SCV.SCV_I64: (-2**63, 2**63 - 1), SCV.SCV_TIMEPOINT: (0, 2**64 - 1),
         SCV.SCV_DURATION: (0, 2**64 - 1)}
_PARTS = {SCV.SCV_U128: (xdr.UInt128Parts, ("hi", "lo"), (False, False)),
          SCV.SCV_I128: (xdr.Int128Parts, ("hi", "lo"), (True, False)),
          SCV.SCV_U256: (xdr.UInt256Parts, ("hi_hi", "hi_lo", "lo_hi", "lo_lo"), (False,) * 4),
          SCV.SCV_I256: (xdr.Int256Parts, ("hi_hi", "hi_lo", "lo_hi", "lo_lo"), (True, False, False, False))}


def _tweak_bytes(rnd, b, limit):
    op = rnd.randrange(4)
    if op == 0 and len(b) < limit:
        return b + bytes([rnd.choice(_TWEAK_BYTES)])
    if op == 1 and b:
        return b[:-1]
    if op == 2 and b:
        i = rnd.randrange(len(b))
        return b[:i] + bytes([rnd.choice(_TWEAK_BYTES)]) + b[i + 1:]
    if len(b) < limit:
        i = rnd.randrange(len(b) + 1)
        return b[:i] + bytes([rnd.choice(_TWEAK_BYTES)]) + b[i:]
    return b[:-1]


def _tweak_fixed(rnd, b):
    i = rnd.choice([0, len(b) - 1, rnd.randrange(len(b))])
    return b[:i] + bytes([rnd.choice(_TWEAK_BYTES + [b[i] ^ 0x80])]) + b[i + 1:]


def _tweak_int(rnd, v, lo, hi):
    c = rnd.choice([v + 1, v - 1, -v, -v - 1, lo, hi, 0, -1, v ^ (1 << 31)])
    return min(max(c, lo), hi)


def _small_scval(rnd):
    t = rnd.choice(list(SCV))
    if t == SCV.SCV_BOOL:
        return scv(t, rnd.random() < 0.5)
    if t in (SCV.SCV_VOID, SCV.SCV_LEDGER_KEY_CONTRACT_INSTANCE):
        return scv(t)
    if t in _INTS:
        lo, hi = _INTS[t]
        return scv(t, rnd.choice([lo, -1 if lo else 1, 0, hi]))
    if t in _PARTS:
        cls, names, signed = _PARTS[t]
        return scv(t, cls(**{n: rnd.choice([-1, 0, 1] if sg else [0, 1, 2**64 - 1])
                             for n, sg in zip(names, signed)}))
    if t in (SCV.SCV_BYTES, SCV.SCV_STRING, SCV.SCV_SYMBOL):
        return scv(t, bytes(rnd.choice(_TWEAK_BYTES) for _ in range(rnd.randrange(3))))
    if t == SCV.SCV_ERROR:
        return scv(t, xdr.SCError(0, rnd.choice([0, 1, 2**32 - 1])))
    if t == SCV.SCV_ADDRESS:
        return scv(t, xdr.SCAddress(contractId=bytes([rnd.choice(_TWEAK_BYTES)]) * 32))
    if t == SCV.SCV_CONTRACT_INSTANCE:
        return scv(t, xdr.SCContractInstance(
            executable=xdr.ContractExecutable(xdr.ContractExecutableType.CONTRACT_EXECUTABLE_STELLAR_ASSET),
            storage=rnd.choice([None, []])))
    if t == SCV.SCV_LEDGER_KEY_NONCE:
        return scv(t, xdr.SCNonceKey(nonce=rnd.choice([-2**63, -1, 0, 1])))
    return scv(t, rnd.choice([None, []]))          # vec, map


def _tweak_list(rnd, items, make, tweak):
    items = list(items)
    op = rnd.randrange(4)
    if op == 0 or not items:
        items.insert(rnd.randrange(len(items) + 1) if rnd.random() < 0.3 else len(items), make())
    elif op == 1:
        items.pop(rnd.randrange(len(items)) if rnd.random() < 0.3 else -1)
    else:
        i = rnd.randrange(len(items))
        items[i] = tweak(items[i])
    return items


def _tweak_map(rnd, entries):
    def make():
        return xdr.SCMapEntry(key=_small_scval(rnd), val=_small_scval(rnd))

    def tweak(e):
        if rnd.random() < 0.5:
            return xdr.SCMapEntry(key=tweak_scval(rnd, e.key), val=e.val)
        return xdr.SCMapEntry(key=e.key, val=tweak_scval(rnd, e.val))
    if entries is None or rnd.random() < 0.1:
        return [] if entries is None else None
    return _tweak_list(rnd, entries, make, tweak)


def tweak_scval(rnd, v):
    t = v.type
    if rnd.random() < 0.1:
        return _small_scval(rnd)
    x = v.xdr_value()
    if t == SCV.SCV_BOOL:
        return scv(t, not x)
    if t in _INTS:
        return scv(t, _tweak_int(rnd, x, *_INTS[t]))
    if t in _PARTS:
        cls, names, signed = _PARTS[t]
        vals = {n: getattr(x, n) for n in names}
        i = rnd.randrange(len(names))
        lo, hi = (-2**63, 2**63 - 1) if signed[i] else (0, 2**64 - 1)
        vals[names[i]] = _tweak_int(rnd, vals[names[i]], lo, hi)
        return scv(t, cls(**vals))
    if t in (SCV.SCV_BYTES, SCV.SCV_STRING, SCV.SCV_SYMBOL):
        return scv(t, _tweak_bytes(rnd, x, 32 if t == SCV.SCV_SYMBOL else 200))
    if t == SCV.SCV_VEC:
        if x is None or rnd.random() < 0.1:
            return scv(t, [] if x is None else None)
        return scv(t, _tweak_list(rnd, x, lambda: _small_scval(rnd), lambda e: tweak_scval(rnd, e)))
    if t == SCV.SCV_MAP:
        return scv(t, _tweak_map(rnd, x))
    if t == SCV.SCV_ADDRESS:
        return scv(t, _tweak_address(rnd, x))
    if t == SCV.SCV_CONTRACT_INSTANCE:
        if rnd.random() < 0.3:
            ex = x.executable
            if ex.type == 0 and rnd.random() < 0.7:
                ex = xdr.ContractExecutable(wasm_hash=_tweak_fixed(rnd, ex.wasm_hash))
            elif ex.type == 0:
                ex = xdr.ContractExecutable(xdr.ContractExecutableType.CONTRACT_EXECUTABLE_STELLAR_ASSET)
            else:
                ex = xdr.ContractExecutable(wasm_hash=b"\x00" * 32)
            return scv(t, xdr.SCContractInstance(executable=ex, storage=x.storage))
        return scv(t, xdr.SCContractInstance(executable=x.executable, storage=_tweak_map(rnd, x.storage)))
    if t == SCV.SCV_LEDGER_KEY_NONCE:
        return scv(t, xdr.SCNonceKey(nonce=_tweak_int(rnd, x.nonce, -2**63, 2**63 - 1)))
    if t == SCV.SCV_ERROR:
        if x.type == 0:
            return scv(t, xdr.SCError(0, _tweak_int(rnd, x.contractCode, 0, 2**32 - 1)))
        return scv(t, xdr.SCError(x.type, rnd.choice(list(xdr.SCErrorCode))))
    return _small_scval(rnd)


def _tweak_address(rnd, a):
    x = a.xdr_value()
    if a.type == 0:
        return xdr.SCAddress(accountId=xdr.PublicKey(ed25519=_tweak_fixed(rnd, x.ed25519)))
    if a.type == 2:
        if rnd.random() < 0.5:
            return xdr.SCAddress(muxedAccount=xdr.MuxedEd25519Account(
                id=_tweak_int(rnd, x.id, 0, 2**64 - 1), ed25519=x.ed25519))
        return xdr.SCAddress(muxedAccount=xdr.MuxedEd25519Account(id=x.id, ed25519=_tweak_fixed(rnd, x.ed25519)))
    if a.type == 3:
        return xdr.SCAddress(claimableBalanceId=xdr.ClaimableBalanceID(v0=_tweak_fixed(rnd, x.v0)))
    return xdr.SCAddress(a.type, _tweak_fixed(rnd, x))


def _tweak_account(rnd, a):
    return xdr.PublicKey(ed25519=_tweak_fixed(rnd, a.ed25519))


def tweak_key(rnd, k):
    t = k.type
    x = k.xdr_value()
    if t == LT.ACCOUNT:
        return _lk("account", accountID=_tweak_account(rnd, x.accountID))
    if t == LT.TRUSTLINE:
        a = x.asset
        if rnd.random() < 0.2:
            return _lk("trustLine", accountID=_tweak_account(rnd, x.accountID), asset=a)
        if a.type == 1:
            a = xdr.TrustLineAsset(alphaNum4=xdr.AlphaNum4(assetCode=_tweak_fixed(rnd, a.alphaNum4.assetCode),
                                                           issuer=a.alphaNum4.issuer))
        elif a.type == 2:
            a = xdr.TrustLineAsset(alphaNum12=xdr.AlphaNum12(assetCode=a.alphaNum12.assetCode,
                                                             issuer=_tweak_account(rnd, a.alphaNum12.issuer)))
        elif a.type == 3:
            a = xdr.TrustLineAsset(liquidityPoolID=_tweak_fixed(rnd, a.liquidityPoolID))
        else:
            a = xdr.TrustLineAsset(alphaNum4=xdr.AlphaNum4(assetCode=b"\x00" * 4, issuer=x.accountID))
        return _lk("trustLine", accountID=x.accountID, asset=a)
    if t == LT.OFFER:
        return _lk("offer", sellerID=x.sellerID, offerID=_tweak_int(rnd, x.offerID, -2**63, 2**63 - 1))
    if t == LT.DATA:
        return _lk("data", accountID=x.accountID, dataName=_tweak_bytes(rnd, x.dataName, 64))
    if t == LT.CLAIMABLE_BALANCE:
        return _lk("claimableBalance", balanceID=xdr.ClaimableBalanceID(v0=_tweak_fixed(rnd, x.balanceID.v0)))
    if t == LT.CONTRACT_DATA:
        r = rnd.random()
        if r < 0.1:
            return _lk("contractData", contract=x.contract, key=x.key, durability=1 - x.durability)
        if r < 0.2:
            return _lk("contractData", contract=_tweak_address(rnd, x.contract), key=x.key,
                       durability=x.durability)
        return _lk("contractData", contract=x.contract, key=tweak_scval(rnd, x.key), durability=x.durability)
    if t == LT.CONFIG_SETTING:
        return _lk("configSetting", configSettingID=rnd.choice(list(xdr.ConfigSettingID)))
    arm = {LT.LIQUIDITY_POOL: ("liquidityPool", "liquidityPoolID"), LT.CONTRACT_CODE: ("contractCode", "hash"),
           LT.TTL: ("ttl", "keyHash")}[t]
    return _lk(arm[0], **{arm[1]: _tweak_fixed(rnd, getattr(x, arm[1]))})


def _family(base, rnd, size):
    out = [base]
    while len(out) < size:
        out.append(tweak_key(rnd, rnd.choice(out)))
    return out


key_families = st.builds(_family, st.one_of(KEYS_BY_TYPE), st.randoms(use_true_random=False),
                         st.integers(2, 10))

# the schema-driven generator too (every arm, full value ranges)
ledger_keys = st.one_of(adversarial_keys, S.values_of("LedgerKey"))

# Lists whose members share their type most of the time, so comparisons get
# past the discriminant.
same_type_lists = st.sampled_from(range(10)).flatmap(
    lambda t: st.lists(KEYS_BY_TYPE[t], min_size=2, max_size=6))
key_lists = st.one_of(st.lists(ledger_keys, min_size=2, max_size=8), same_type_lists, key_families,
                      key_families)


@st.composite
def entry_for_key(draw, key):
    """A random LedgerEntry (body from the schema generator) with `key`'s identity."""
    t = int(key.type)
    if t == LT.CONFIG_SETTING:
        cs = draw(S.arm_values("ConfigSettingEntry", int(key.configSetting.configSettingID)))
        data = xdr.LedgerEntryData(configSetting=cs)
    else:
        data = draw(S.arm_values("LedgerEntryData", t))
        arm = data.xdr_value()
        if t == LT.ACCOUNT:
            arm.accountID = key.account.accountID
        elif t == LT.TRUSTLINE:
            arm.accountID, arm.asset = key.trustLine.accountID, key.trustLine.asset
        elif t == LT.OFFER:
            arm.sellerID, arm.offerID = key.offer.sellerID, key.offer.offerID
        elif t == LT.DATA:
            arm.accountID, arm.dataName = key.data.accountID, key.data.dataName
        elif t == LT.CLAIMABLE_BALANCE:
            arm.balanceID = key.claimableBalance.balanceID
        elif t == LT.LIQUIDITY_POOL:
            arm.liquidityPoolID = key.liquidityPool.liquidityPoolID
        elif t == LT.CONTRACT_DATA:
            cd = key.contractData
            arm.contract, arm.key, arm.durability = cd.contract, cd.key, cd.durability
        elif t == LT.CONTRACT_CODE:
            arm.hash = key.contractCode.hash
        elif t == LT.TTL:
            arm.keyHash = key.ttl.keyHash
    return xdr.LedgerEntry(lastModifiedLedgerSeq=draw(u32s), data=data,
                           ext=draw(S.values_of("LedgerEntryExt")))


ledger_entries = st.one_of(ledger_keys.flatmap(entry_for_key), S.values_of("LedgerEntry"))
metas = S.values_of("BucketMetadata")


def _bucket_entry_for(draw, k, hot):
    kind = draw(st.sampled_from(["meta", "entry", "entry", "key", "key"]))
    if kind == "meta":
        m = draw(metas)
        return xdr.HotArchiveBucketEntry(metaEntry=m) if hot else xdr.BucketEntry(metaEntry=m)
    if kind == "key":
        return xdr.HotArchiveBucketEntry(key=k) if hot else xdr.BucketEntry(deadEntry=k)
    e = draw(st.one_of(entry_for_key(k), S.values_of("LedgerEntry")) if draw(st.booleans())
             else entry_for_key(k))
    if hot:
        return xdr.HotArchiveBucketEntry(archivedEntry=e)
    return xdr.BucketEntry(draw(st.sampled_from([BET.LIVEENTRY, BET.INITENTRY])), e)


@st.composite
def bucket_entries(draw, hot=False):
    return _bucket_entry_for(draw, draw(ledger_keys), hot)


@st.composite
def bucket_entry_lists(draw, hot=False):
    ks = draw(st.one_of(st.lists(ledger_keys, min_size=2, max_size=8), key_families))
    return [_bucket_entry_for(draw, k, hot) for k in ks]


def bucket_entry_id_cmp(a, b):
    """stellar-core's BucketEntryIdCmp as a three-way compare, in Python: a
    meta entry first, otherwise LedgerEntryIdCmp = compare the LedgerKeys."""
    ka, kb = _python_key(a), _python_key(b)
    if ka is None or kb is None:
        return (ka is not None) - (kb is not None)
    return ka.compare(kb)


def _python_key(be):
    arm = be.xdr_arm()
    if arm == "metaEntry":
        return None
    if arm in ("deadEntry", "key"):
        return be.xdr_value()
    return ledger_entry_key(be.xdr_value())


# ---------------------------------------------------------------- LedgerKeys

@SETTINGS
@given(key_lists)
def test_order_keys_order_like_xdrpp(ks):
    oks = [K.ledger_key_order_key(k.to_xdr()) for k in ks]
    for (a, oa), (b, ob) in itertools.combinations(zip(ks, oks), 2):
        assert bcmp(oa, ob) == a.compare(b), (a, b)
        assert (oa == ob) == (a == b)


@SETTINGS
@given(key_lists)
def test_sorting_by_order_key_is_sorting_by_xdrpp(ks):
    by_key = sorted(ks, key=lambda k: K.ledger_key_order_key(k.to_xdr()))
    for a, b in zip(by_key, by_key[1:]):
        assert not b < a


@SETTINGS
@given(ledger_keys)
def test_order_key_is_deterministic_and_nonempty(k):
    raw = k.to_xdr()
    ok = K.ledger_key_order_key(raw)
    assert ok and ok == K.ledger_key_order_key(bytes(raw))
    assert K.ledger_key_order_key(bytearray(raw)) == ok
    assert K.ledger_key_order_key(memoryview(raw)) == ok
    assert ok[0] == int(k.type)


def test_handpicked_orders():
    acct = xdr.PublicKey(ed25519=b"\x01" * 32)
    c = xdr.SCAddress(contractId=b"\x02" * 32)
    P = xdr.ContractDataDurability.PERSISTENT
    T = xdr.ContractDataDurability.TEMPORARY

    def cd(key, d=P):
        return _lk("contractData", contract=c, key=key, durability=d)

    def vec(*items):
        return scv(SCV.SCV_VEC, list(items))

    ascending = [
        _lk("account", accountID=acct),
        _lk("offer", sellerID=acct, offerID=-2**63),
        _lk("offer", sellerID=acct, offerID=-1),
        _lk("offer", sellerID=acct, offerID=0),
        _lk("offer", sellerID=acct, offerID=2**63 - 1),
        _lk("data", accountID=acct, dataName=b""),
        _lk("data", accountID=acct, dataName=b"\x00"),
        _lk("data", accountID=acct, dataName=b"\x00\x00"),
        _lk("data", accountID=acct, dataName=b"\x00\x01"),
        _lk("data", accountID=acct, dataName=b"\x01"),
        _lk("data", accountID=acct, dataName=b"a"),
        _lk("data", accountID=acct, dataName=b"a\x00"),
        _lk("data", accountID=acct, dataName=b"a\xff"),
        _lk("data", accountID=acct, dataName=b"b"),
        _lk("data", accountID=acct, dataName=b"\xff"),
        _lk("data", accountID=acct, dataName=b"\xff\x00"),
        cd(scv(SCV.SCV_BOOL, False), T),
        cd(scv(SCV.SCV_BOOL, False)),
        cd(scv(SCV.SCV_BOOL, True), T),
        cd(scv(SCV.SCV_VOID)),
        cd(scv(SCV.SCV_U32, 2**32 - 1)),
        cd(scv(SCV.SCV_I32, -2**31)),
        cd(scv(SCV.SCV_I32, -1)),
        cd(scv(SCV.SCV_I32, 0)),
        cd(scv(SCV.SCV_I128, xdr.Int128Parts(hi=-1, lo=2**64 - 1))),
        cd(scv(SCV.SCV_I128, xdr.Int128Parts(hi=0, lo=0))),
        cd(scv(SCV.SCV_BYTES, b"")),
        cd(scv(SCV.SCV_BYTES, b"\x00")),
        cd(scv(SCV.SCV_BYTES, b"\x00" * 5)),
        cd(scv(SCV.SCV_BYTES, b"\x00\xff")),
        cd(scv(SCV.SCV_BYTES, b"\x01")),
        cd(scv(SCV.SCV_VEC, None)),
        cd(vec()),
        cd(vec(scv(SCV.SCV_U32, 1))),
        cd(vec(scv(SCV.SCV_U32, 1), scv(SCV.SCV_U32, 0))),
        cd(vec(scv(SCV.SCV_U32, 2))),
        cd(vec(vec())),
        cd(scv(SCV.SCV_MAP, None)),
        cd(scv(SCV.SCV_MAP, [])),
        cd(scv(SCV.SCV_LEDGER_KEY_CONTRACT_INSTANCE)),
        _lk("contractCode", hash=b"\x00" * 32),
        _lk("configSetting", configSettingID=xdr.ConfigSettingID.CONFIG_SETTING_CONTRACT_MAX_SIZE_BYTES),
        _lk("configSetting", configSettingID=xdr.ConfigSettingID.CONFIG_SETTING_SCP_TIMING),
        _lk("ttl", keyHash=b"\x00" * 32),
    ]
    for a, b in zip(ascending, ascending[1:]):
        assert a < b                                  # the XDR classes agree ...
        assert K.ledger_key_order_key(a.to_xdr()) < K.ledger_key_order_key(b.to_xdr()), (a, b)


def _scval_family(base, rnd, size):
    out = [base]
    while len(out) < size:
        out.append(tweak_scval(rnd, rnd.choice(out)))
    return out


@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.builds(_scval_family, st.one_of(sc_leaves, sc_vals), st.randoms(use_true_random=False),
                 st.integers(2, 12)),
       st.lists(st.sampled_from(list(xdr.ContractDataDurability)), min_size=12, max_size=12),
       sc_addresses)
def test_contract_data_keys_order_like_xdrpp(vals, durabilities, contract):
    """Near-identical SCVal keys (the durability after the key differs too,
    so a byte string's terminator is compared against what follows it)."""
    ks = [_lk("contractData", contract=contract, key=v, durability=d) for v, d in zip(vals, durabilities)]
    oks = [K.ledger_key_order_key(k.to_xdr()) for k in ks]
    for (a, oa), (b, ob) in itertools.combinations(zip(ks, oks), 2):
        assert bcmp(oa, ob) == a.compare(b), (a, b)


# ---------------------------------------------------------------- LedgerEntries

@SETTINGS
@given(ledger_entries)
def test_entry_key_matches_its_ledger_key(e):
    raw = e.to_xdr()
    lk = ledger_entry_key(e)
    assert K.ledger_key_of_entry(raw) == lk.to_xdr()
    assert K.ledger_entry_order_key(raw) == K.ledger_key_order_key(lk.to_xdr())


@SETTINGS
@given(st.one_of(st.lists(ledger_keys, min_size=1, max_size=5), key_families).flatmap(
    lambda ks: st.tuples(*[entry_for_key(k) for k in ks + ks[:1]])))
def test_entries_order_like_ledger_entry_id_cmp(es):
    oks = [K.ledger_entry_order_key(e.to_xdr()) for e in es]
    for (a, oa), (b, ob) in itertools.combinations(zip(es, oks), 2):
        assert bcmp(oa, ob) == ledger_entry_key(a).compare(ledger_entry_key(b))


@pytest.mark.parametrize("t", list(LT))
def test_every_entry_type(t):
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(S.arm_values("LedgerEntryData", int(t)), u32s)
    def check(data, seq):
        e = xdr.LedgerEntry(lastModifiedLedgerSeq=seq, data=data)
        raw = e.to_xdr()
        lk = ledger_entry_key(e).to_xdr()
        assert K.ledger_key_of_entry(raw) == lk
        assert K.ledger_entry_order_key(raw) == K.ledger_key_order_key(lk)
    check()


def test_contract_code_ext_v1_is_skipped():
    h = bytes(range(32))
    cost = xdr.ContractCodeCostInputs(**{f: 0xFFFFFFFF for f in (
        "nInstructions", "nFunctions", "nGlobals", "nTableEntries", "nTypes", "nDataSegments",
        "nElemSegments", "nImports", "nExports", "nDataSegmentBytes")})
    for ext in (xdr.ContractCodeEntryExt(0), xdr.ContractCodeEntryExt(v1=xdr.ContractCodeEntryV1(costInputs=cost))):
        e = xdr.LedgerEntry(data=xdr.LedgerEntryData(contractCode=xdr.ContractCodeEntry(ext=ext, hash=h, code=b"\0asm")))
        assert K.ledger_key_of_entry(e.to_xdr()) == _lk("contractCode", hash=h).to_xdr()
        assert K.ledger_entry_order_key(e.to_xdr()) == bytes([7]) + h


# ---------------------------------------------------------------- bucket entries

@SETTINGS
@given(bucket_entry_lists())
def test_bucket_entries_order_like_bucket_entry_id_cmp(bes):
    oks = [K.bucket_entry_order_key(b.to_xdr()) for b in bes]
    for (a, oa), (b, ob) in itertools.combinations(zip(bes, oks), 2):
        assert bcmp(oa, ob) == bucket_entry_id_cmp(a, b)
        assert K.compare_bucket_entries(a.to_xdr(), b.to_xdr()) == bucket_entry_id_cmp(a, b)


@SETTINGS
@given(bucket_entry_lists(hot=True))
def test_hot_archive_entries_order_like_bucket_entry_id_cmp(bes):
    oks = [K.hot_archive_entry_order_key(b.to_xdr()) for b in bes]
    for (a, oa), (b, ob) in itertools.combinations(zip(bes, oks), 2):
        assert bcmp(oa, ob) == bucket_entry_id_cmp(a, b)
        assert K.compare_bucket_entries(a.to_xdr(), b.to_xdr(), hot=True) == bucket_entry_id_cmp(a, b)


@SETTINGS
@given(bucket_entries())
def test_bucket_entry_ledger_key(be):
    k = _python_key(be)
    got = K.bucket_entry_ledger_key(be.to_xdr())
    assert got == (None if k is None else k.to_xdr())


@SETTINGS
@given(bucket_entries(hot=True))
def test_hot_archive_entry_ledger_key(be):
    k = _python_key(be)
    got = K.hot_archive_entry_ledger_key(be.to_xdr())
    assert got == (None if k is None else k.to_xdr())


@SETTINGS
@given(ledger_keys.flatmap(lambda k: st.tuples(st.just(k), entry_for_key(k), entry_for_key(k))), metas)
def test_dead_live_init_of_one_key_are_equal_and_meta_is_first(ke, meta):
    # LedgerCmp.h: METAENTRY sorts below all other entries; DEAD/LIVE/INIT
    # (ARCHIVED/LIVE in the hot archive) of one key are the same identity.
    k, e1, e2 = ke
    live = xdr.BucketEntry(BET.LIVEENTRY, e1).to_xdr()
    init = xdr.BucketEntry(BET.INITENTRY, e2).to_xdr()
    dead = xdr.BucketEntry(deadEntry=k).to_xdr()
    m = xdr.BucketEntry(metaEntry=meta).to_xdr()
    ok = K.ledger_key_order_key(k.to_xdr())
    assert K.bucket_entry_order_key(live) == K.bucket_entry_order_key(init) == K.bucket_entry_order_key(dead) == ok
    assert K.bucket_entry_order_key(m) == b"" < ok
    for x in (live, init, dead):
        assert K.compare_bucket_entries(m, x) == -1 and K.compare_bucket_entries(x, m) == 1
        assert K.compare_bucket_entries(x, dead) == 0
        assert K.bucket_entry_ledger_key(x) == k.to_xdr()
    assert K.compare_bucket_entries(m, m) == 0
    assert K.bucket_entry_ledger_key(m) is None

    archived = xdr.HotArchiveBucketEntry(archivedEntry=e1).to_xdr()
    restored = xdr.HotArchiveBucketEntry(key=k).to_xdr()
    hm = xdr.HotArchiveBucketEntry(metaEntry=meta).to_xdr()
    assert K.hot_archive_entry_order_key(archived) == K.hot_archive_entry_order_key(restored) == ok
    assert K.hot_archive_entry_order_key(hm) == b""
    assert K.hot_archive_entry_ledger_key(archived) == K.hot_archive_entry_ledger_key(restored) == k.to_xdr()
    assert K.hot_archive_entry_ledger_key(hm) is None


# ---------------------------------------------------------------- real data

LCM_DIR = SHARED / "testdata" / "ledger-close-meta-xdr"
LCM_FILES = sorted(LCM_DIR.glob("*.xdr")) if LCM_DIR.is_dir() else []


def _walk(v, entries, ledger_keys_out):
    if isinstance(v, xdr.LedgerEntry):
        entries.append(v)
    elif isinstance(v, xdr.LedgerKey):
        ledger_keys_out.append(v)
    if isinstance(v, list):
        for x in v:
            _walk(x, entries, ledger_keys_out)
    elif hasattr(v, "xdr_fields"):
        for _, x in v.xdr_fields():
            _walk(x, entries, ledger_keys_out)
    elif hasattr(v, "xdr_value"):
        _walk(v.xdr_value(), entries, ledger_keys_out)


@pytest.fixture(scope="module")
def real_entries_and_keys():
    if not LCM_FILES:
        pytest.skip(f"reference data not available: {LCM_DIR} (../shared is absent)")
    entries, lks = [], []
    for p in LCM_FILES:
        _walk(xdr.LedgerCloseMeta.from_xdr(p.read_bytes()), entries, lks)
    assert entries and lks
    return entries, lks


def test_real_entries(real_entries_and_keys):
    entries, lks = real_entries_and_keys
    types = set()
    for e in entries:
        raw = e.to_xdr()
        lk = ledger_entry_key(e).to_xdr()
        assert K.ledger_key_of_entry(raw) == lk
        assert K.ledger_entry_order_key(raw) == K.ledger_key_order_key(lk)
        assert K.bucket_entry_order_key(xdr.BucketEntry(BET.LIVEENTRY, e).to_xdr()) == K.ledger_key_order_key(lk)
        types.add(e.data.type)
    for k in lks:
        assert K.bucket_entry_ledger_key(xdr.BucketEntry(deadEntry=k).to_xdr()) == k.to_xdr()
    # the metas hold accounts, trustlines, contract data and TTLs as entries,
    # contract data and code as keys (footprints)
    assert {LT.ACCOUNT, LT.TRUSTLINE, LT.CONTRACT_DATA, LT.TTL} <= types
    assert {LT.CONTRACT_DATA, LT.CONTRACT_CODE} <= {k.type for k in lks}


def test_real_keys_sort_like_xdrpp(real_entries_and_keys):
    entries, lks = real_entries_and_keys
    all_keys = lks + [ledger_entry_key(e) for e in entries]
    uniq = {k.to_xdr(): k for k in all_keys}
    ordered = sorted(uniq.values())                         # xdrpp operator<
    oks = [K.ledger_key_order_key(k.to_xdr()) for k in ordered]
    # strictly increasing along the xdrpp order: both total orders agree on every pair
    assert all(a < b for a, b in zip(oks, oks[1:]))
    assert len(ordered) >= 15


# ---------------------------------------------------------------- malformed input

FUNCS = [K.ledger_key_order_key, K.ledger_entry_order_key, K.bucket_entry_order_key,
         K.hot_archive_entry_order_key, K.ledger_key_of_entry, K.bucket_entry_ledger_key,
         K.hot_archive_entry_ledger_key]


def _outcome(f, data):
    try:
        return f(data)
    except xdr.XdrError as e:
        assert str(e)
        return e


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=120))
def test_random_bytes_never_crash(data):
    for f in FUNCS:
        _outcome(f, data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=16).map(lambda b: b"\x00\x00\x00\x06" + b"\x00\x00\x00\x01" + b"\x07" * 32 + b))
def test_random_contract_data_tails_never_crash(data):
    for f in (K.ledger_key_order_key, K.bucket_entry_order_key):
        _outcome(f, data)
        _outcome(f, b"\x00\x00\x00\x01" + data)


@SETTINGS
@given(ledger_keys)
def test_every_truncation_of_a_ledger_key_raises(k):
    raw = k.to_xdr()
    dead = xdr.BucketEntry(deadEntry=k).to_xdr()
    for i in range(len(raw)):
        with pytest.raises(xdr.XdrError):
            K.ledger_key_order_key(raw[:i])
        with pytest.raises(xdr.XdrError):
            K.bucket_entry_order_key(dead[:4 + i])
        with pytest.raises(xdr.XdrError):
            K.bucket_entry_ledger_key(dead[:4 + i])
    with pytest.raises(xdr.XdrError, match="trailing"):
        K.ledger_key_order_key(raw + b"\0\0\0\0")
    with pytest.raises(xdr.XdrError, match="trailing"):
        K.bucket_entry_order_key(dead + b"\0\0\0\0")


def _key_end(e):
    """Offset just past the key fields of LedgerEntry `e` in its XDR."""
    lk = ledger_entry_key(e).to_xdr()
    t = e.data.type
    extra = 0
    if t == LT.CONTRACT_DATA:
        extra = 4
    elif t == LT.CONTRACT_CODE:
        extra = len(e.data.contractCode.ext.to_xdr())
    return 4 + len(lk) + extra


@SETTINGS
@given(ledger_entries)
def test_truncated_entries_raise_until_the_key_is_complete(e):
    raw = e.to_xdr()
    end = _key_end(e)
    full = K.ledger_entry_order_key(raw)
    live = xdr.BucketEntry(BET.LIVEENTRY, e).to_xdr()
    for i in range(len(raw) + 1):
        if i < end:
            with pytest.raises(xdr.XdrError, match="truncated"):
                K.ledger_entry_order_key(raw[:i])
            with pytest.raises(xdr.XdrError, match="truncated"):
                K.bucket_entry_order_key(live[:4 + i])
            with pytest.raises(xdr.XdrError, match="truncated"):
                K.ledger_key_of_entry(raw[:i])
        else:   # the body after the key is not read
            assert K.ledger_entry_order_key(raw[:i]) == full
            assert K.bucket_entry_order_key(live[:4 + i]) == full


def _mutations(raw, rnd):
    out = []
    for _ in range(12):
        b = bytearray(raw)
        op = rnd.randrange(4)
        i = rnd.randrange(len(b)) if b else 0
        if op == 0 and b:
            b[i] = rnd.choice([0, 1, 0x7F, 0x80, 0xFF, rnd.randrange(256)])
        elif op == 1 and len(b) >= 4:
            j = i & ~3
            b[j:j + 4] = rnd.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x02", b"\x00\x00\x00\x16",
                                     b"\x80\x00\x00\x00", b"\x00\x00\x00\x00"])
        elif op == 2:
            b[i:i] = rnd.choice([b"\x00\x00\x00\x00", b"\x00\x00\x00\x01"])
        else:
            del b[i:i + rnd.choice([1, 4])]
        out.append(bytes(b))
    return out


@SETTINGS
@given(ledger_keys, st.randoms(use_true_random=False))
def test_mutated_keys_accepted_exactly_when_the_decoder_accepts(k, rnd):
    """On a LedgerKey (all of it is key) we refuse exactly what the decoder refuses."""
    for m in _mutations(k.to_xdr(), rnd):
        try:
            v = xdr.LedgerKey.from_xdr(m)
        except xdr.XdrError:
            with pytest.raises(xdr.XdrError):
                K.ledger_key_order_key(m)
            with pytest.raises(xdr.XdrError):
                K.bucket_entry_ledger_key(b"\x00\x00\x00\x01" + m)
        else:
            assert K.ledger_key_order_key(m) == K.ledger_key_order_key(v.to_xdr())
            assert K.bucket_entry_ledger_key(b"\x00\x00\x00\x01" + m) == m


@SETTINGS
@given(st.one_of(bucket_entries(), bucket_entries(hot=True)), st.randoms(use_true_random=False))
def test_mutated_bucket_entries_agree_with_the_decoder(be, rnd):
    """Whatever the decoder accepts gives the key of the decoded value; what
    we refuse, the decoder refuses (we read less of an entry, never more)."""
    hot = isinstance(be, xdr.HotArchiveBucketEntry)
    cls = type(be)
    okf = K.hot_archive_entry_order_key if hot else K.bucket_entry_order_key
    lkf = K.hot_archive_entry_ledger_key if hot else K.bucket_entry_ledger_key
    for m in _mutations(be.to_xdr(), rnd):
        ok, lk = _outcome(okf, m), _outcome(lkf, m)
        assert isinstance(ok, xdr.XdrError) == isinstance(lk, xdr.XdrError)
        try:
            v = cls.from_xdr(m)
        except xdr.XdrError:
            continue
        assert not isinstance(ok, xdr.XdrError), ok
        pk = _python_key(v)
        assert lk == (None if pk is None else pk.to_xdr())
        assert ok == (b"" if pk is None else K.ledger_key_order_key(pk.to_xdr()))


def test_error_messages_name_the_type_and_the_cause():
    acct = b"\x00\x00\x00\x00" + b"\x01" * 32
    cases = [
        (K.ledger_key_order_key, b"\x00\x00\x00\x0a", "LedgerKey", "10 is not a value of enum LedgerEntryType"),
        (K.ledger_key_order_key, b"\x00\x00\x00\x00\x00\x00\x00\x01", "LedgerKey",
         "1 is not a value of enum PublicKeyType"),
        (K.ledger_key_order_key, b"\x00\x00\x00\x00" + acct[:20], "LedgerKey", "truncated input"),
        (K.ledger_key_order_key, b"\x00\x00\x00\x00" + acct + b"\x00", "LedgerKey", "1 trailing bytes"),
        (K.ledger_key_order_key, b"\x00\x00\x00\x03" + acct + be32(65) + b"a" * 68, "LedgerKey",
         "length 65 exceeds the maximum 64"),
        (K.ledger_key_order_key, b"\x00\x00\x00\x03" + acct + be32(1) + b"a\x00\x01\x00", "LedgerKey",
         "nonzero padding"),
        (K.bucket_entry_order_key, be32(3), "BucketEntry", "3 is not a value of enum BucketEntryType"),
        (K.bucket_entry_order_key, be32(-2), "BucketEntry", "-2 is not a value of enum BucketEntryType"),
        (K.hot_archive_entry_order_key, be32(2), "HotArchiveBucketEntry",
         "2 is not a value of enum HotArchiveBucketEntryType"),
        (K.bucket_entry_order_key, be32(-1) + be32(25) + be32(2), "BucketEntry",
         "union BucketMetadataExt has no arm for discriminant 2"),
        (K.bucket_entry_order_key, be32(-1) + be32(25) + be32(0) + b"\0", "BucketEntry", "trailing"),
        (K.ledger_entry_order_key, be32(1) + be32(6) + be32(1), "LedgerEntry",
         "union ExtensionPoint has no arm for discriminant 1"),
        (K.ledger_entry_order_key, be32(1) + be32(7) + be32(2), "LedgerEntry",
         "union ContractCodeEntryExt has no arm for discriminant 2"),
        (K.ledger_entry_order_key, be32(1) + be32(8) + be32(17), "LedgerEntry",
         "17 is not a value of enum ConfigSettingID"),
        (K.ledger_key_order_key, be32(6) + be32(1) + b"\x07" * 32 + be32(0) + be32(2), "LedgerKey",
         "bool must be 0 or 1, got 2"),
        (K.ledger_key_order_key, be32(6) + be32(1) + b"\x07" * 32 + be32(22), "LedgerKey",
         "22 is not a value of enum SCValType"),
        (K.ledger_key_order_key, be32(6) + be32(1) + b"\x07" * 32 + be32(16) + be32(1) + be32(0x7FFFFFFF),
         "LedgerKey", "truncated input"),
    ]
    for f, data, path, msg in cases:
        with pytest.raises(xdr.XdrError) as ei:
            f(data)
        assert ei.value.path == path
        assert msg in ei.value.reason, (ei.value.reason, msg)
        # the decoder refuses the same input
        cls = {"LedgerKey": xdr.LedgerKey, "BucketEntry": xdr.BucketEntry,
               "HotArchiveBucketEntry": xdr.HotArchiveBucketEntry, "LedgerEntry": xdr.LedgerEntry}[path]
        with pytest.raises(xdr.XdrError):
            cls.from_xdr(data)


def test_not_bytes_like_is_a_type_error():
    for f in FUNCS:
        with pytest.raises(TypeError):
            f("not bytes")


# ---------------------------------------------------------------- nesting depth

_CONTRACT = be32(1) + b"\x07" * 32           # SCAddress contract
_LEAVES = {
    "void": be32(1),
    "error": be32(2) + be32(0) + be32(5),                            # SCError adds a level
    "u128": be32(9) + b"\x00" * 16,                                  # UInt128Parts adds a level
    "address": be32(18) + be32(0) + be32(0) + b"\x01" * 32,          # SCAddress + PublicKey
    "instance": be32(19) + be32(0) + b"\x02" * 32 + be32(0),         # struct + ContractExecutable
    "nonce": be32(21) + b"\x00" * 8,
}


_DEPTH = [3, 4, 4, 5]     # levels each container kind of _nest adds
_LEAF_DEPTH = {"void": 1, "error": 2, "u128": 2, "address": 3, "instance": 3, "nonce": 2}


def _nest(kinds, leaf):
    """An SCVal with containers of `kinds` (0 vec, 1 map key, 2 map value,
    3 instance storage; outermost last) around `leaf`."""
    v = leaf
    for kind in kinds:
        if kind == 0:
            v = be32(16) + be32(1) + be32(1) + v
        elif kind == 1:
            v = be32(17) + be32(1) + be32(1) + v + be32(1)
        elif kind == 2:
            v = be32(17) + be32(1) + be32(1) + be32(1) + v
        else:
            v = be32(19) + be32(1) + be32(1) + be32(1) + v + be32(1)
    return v


def _wrappers(scval):
    key = be32(6) + _CONTRACT + scval + be32(1)
    entry = be32(7) + be32(6) + be32(0) + _CONTRACT + scval + be32(1) + be32(1) + be32(0)
    return [
        (xdr.LedgerKey, K.ledger_key_order_key, key),
        (xdr.LedgerEntry, K.ledger_entry_order_key, entry),
        (xdr.BucketEntry, K.bucket_entry_order_key, be32(1) + key),
        (xdr.BucketEntry, K.bucket_entry_order_key, be32(0) + entry),
        (xdr.HotArchiveBucketEntry, K.hot_archive_entry_order_key, be32(1) + key),
        (xdr.HotArchiveBucketEntry, K.hot_archive_entry_order_key, be32(0) + entry),
    ]


@pytest.mark.parametrize("leaf", sorted(_LEAVES))
def test_depth_limit_is_the_decoders(leaf):
    """Nesting is counted as the decoder counts it, so both refuse exactly the
    same inputs at the 1,000-level limit, whatever the containers."""
    rnd = random.Random(leaf)
    seen = set()
    for _ in range(8):
        kinds = [rnd.randrange(4) for _ in range(400)]
        for n in range(len(kinds)):
            depth = sum(_DEPTH[k] for k in kinds[:n]) + _LEAF_DEPTH[leaf]   # of the SCVal alone
            if not 990 <= depth <= 1000:
                continue
            for cls, f, data in _wrappers(_nest(kinds[:n], _LEAVES[leaf])):
                try:
                    cls.from_xdr(data)
                    dec_ok = True
                except xdr.XdrError as e:
                    assert "nesting deeper" in e.reason
                    dec_ok = False
                try:
                    f(data)
                    ok = True
                except xdr.XdrError as e:
                    assert "nesting deeper than 1000 levels" in e.reason
                    ok = False
                assert ok == dec_ok, (cls, n, depth)
                seen.add(ok)
    assert seen == {True, False}      # the limit was crossed
