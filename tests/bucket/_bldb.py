"""Entries of every LedgerEntryType, built with our XDR classes, for the
BucketListDB tests; and a reference model of a bucket list's live state."""
import hashlib
import struct

from stellarcore import xdr
from stellarcore.bucket.bucket_file import RecordWriter
from stellarcore.bucket.entries import BucketMetadata, with_kind
from stellarcore.bucket.fresh import sort_records
from stellarcore.bucket.keys import ledger_key_of_entry

ACCOUNT, TRUSTLINE, OFFER, DATA, CLAIMABLE_BALANCE, LIQUIDITY_POOL, CONTRACT_DATA, \
    CONTRACT_CODE, CONFIG_SETTING, TTL = range(10)
ALL_TYPES = tuple(range(10))
NATIVE = xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE)


def pk(n):
    return xdr.PublicKey(ed25519=hashlib.sha256(b"pk%d" % n).digest())


def h32(*parts):
    return hashlib.sha256(b"/".join(str(p).encode() for p in parts)).digest()


def alnum4(code, issuer):
    return xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=code.ljust(4, b"\0"), issuer=pk(issuer)))


def alnum12(code, issuer):
    return xdr.Asset(alphaNum12=xdr.AlphaNum12(assetCode=code.ljust(12, b"\0"), issuer=pk(issuer)))


ASSETS = [NATIVE, alnum4(b"USD", 1), alnum4(b"EUR", 2), alnum12(b"LONGASSET", 3)]


def sc_key(i):
    """Contract data keys of many SCVal shapes (distinct for distinct i)."""
    k = i % 9
    if k == 0:
        return xdr.SCVal(sym=b"k%d" % i)
    if k == 1:
        return xdr.SCVal(u32=i)
    if k == 2:
        return xdr.SCVal(i64=-7 * i)
    if k == 3:
        return xdr.SCVal(bytes=b"\0" * (i % 4) + i.to_bytes(3, "big"))
    if k == 4:
        return xdr.SCVal(str=b"s%d" % i)
    if k == 5:
        return xdr.SCVal(vec=[xdr.SCVal(u32=i), xdr.SCVal(sym=b"x")])
    if k == 6:
        return xdr.SCVal(map=[xdr.SCMapEntry(key=xdr.SCVal(u32=1), val=xdr.SCVal(i64=i))])
    if k == 7:
        return xdr.SCVal(address=xdr.SCAddress(accountId=pk(i)))
    return xdr.SCVal(i128=xdr.Int128Parts(hi=-i, lo=i))


def pool_entry(ident, version, asset_a, asset_b):
    return xdr.LiquidityPoolEntry(
        liquidityPoolID=h32("lp", ident),
        body=xdr.LiquidityPoolEntryBody(constantProduct=xdr.LiquidityPoolEntryConstantProduct(
            params=xdr.LiquidityPoolConstantProductParameters(assetA=asset_a, assetB=asset_b,
                                                              fee=30),
            reserveA=version, reserveB=1, totalPoolShares=1, poolSharesTrustLineCount=1)))


def data_of(t, ident, version):
    """LedgerEntryData of type t for identity `ident` (version varies the body)."""
    if t == ACCOUNT:
        return xdr.LedgerEntryData(account=xdr.AccountEntry(
            accountID=pk(ident), balance=version, seqNum=ident << 32, thresholds=b"\x01\0\0\0"))
    if t == TRUSTLINE:
        j = ident // 20
        if j % 3 == 2:
            asset = xdr.TrustLineAsset(liquidityPoolID=h32("lp", j))
        elif j % 3 == 1:
            asset = xdr.TrustLineAsset(alphaNum12=xdr.AlphaNum12(assetCode=b"TL%09d" % j + b"\0",
                                                                 issuer=pk(j)))
        else:
            asset = xdr.TrustLineAsset(alphaNum4=xdr.AlphaNum4(assetCode=b"T%03d" % (j % 1000),
                                                               issuer=pk(j)))
        return xdr.LedgerEntryData(trustLine=xdr.TrustLineEntry(
            accountID=pk(ident % 20), asset=asset, balance=version, limit=10 ** 12))
    if t == OFFER:
        return xdr.LedgerEntryData(offer=xdr.OfferEntry(
            sellerID=pk(ident % 7), offerID=ident, selling=NATIVE, buying=ASSETS[1],
            amount=version, price=xdr.Price(n=1, d=2)))
    if t == DATA:
        return xdr.LedgerEntryData(data=xdr.DataEntry(
            accountID=pk(ident % 5), dataName=b"n" * (ident % 3) + b"%d" % ident,
            dataValue=struct.pack(">Q", version)))
    if t == CLAIMABLE_BALANCE:
        return xdr.LedgerEntryData(claimableBalance=xdr.ClaimableBalanceEntry(
            balanceID=xdr.ClaimableBalanceID(v0=h32("cb", ident)), claimants=[], asset=NATIVE,
            amount=version))
    if t == LIQUIDITY_POOL:
        return xdr.LedgerEntryData(liquidityPool=pool_entry(
            ident, version, ASSETS[ident % 4], ASSETS[(ident + 1) % 4]))
    if t == CONTRACT_DATA:
        return xdr.LedgerEntryData(contractData=xdr.ContractDataEntry(
            contract=xdr.SCAddress(contractId=h32("c", ident % 3)), key=sc_key(ident),
            durability=xdr.ContractDataDurability(ident % 2), val=xdr.SCVal(u64=version)))
    if t == CONTRACT_CODE:
        return xdr.LedgerEntryData(contractCode=xdr.ContractCodeEntry(
            hash=h32("code", ident), code=b"\0asm" + struct.pack(">Q", version)))
    if t == CONFIG_SETTING:
        v = version & 0xFFFFFFFF
        arm = ("contractMaxSizeBytes", "contractDataKeySizeBytes",
               "contractDataEntrySizeBytes")[ident % 3]
        return xdr.LedgerEntryData(configSetting=xdr.ConfigSettingEntry(**{arm: v}))
    if t == TTL:
        return xdr.LedgerEntryData(ttl=xdr.TTLEntry(keyHash=h32("ttl", ident),
                                                    liveUntilLedgerSeq=version & 0xFFFFFFFF))
    raise ValueError(t)


def identities(t):
    """How many distinct keys data_of(t, ...) can make (CONFIG_SETTING: 3)."""
    return 3 if t == CONFIG_SETTING else None


def entry(t, ident, version, last_modified=1):
    """LedgerEntry XDR."""
    return xdr.LedgerEntry(lastModifiedLedgerSeq=last_modified,
                           data=data_of(t, ident, version)).to_xdr()


def key_of(entry_xdr):
    """LedgerKey XDR of a LedgerEntry XDR."""
    return ledger_key_of_entry(entry_xdr)


def key(t, ident):
    return key_of(entry(t, ident, 0))


def persistent_entry(ident, version, last_modified=1):
    """A persistent CONTRACT_DATA (odd ident) or CONTRACT_CODE (even) entry."""
    if ident % 2:
        return entry(CONTRACT_DATA, ident, version, last_modified)   # ident % 2 == 1: PERSISTENT
    return entry(CONTRACT_CODE, ident, version, last_modified)


def write_bucket(path, records, *, hot=False, protocol=23):
    """Write raw records (kind + body) as a sorted bucket file; its hash."""
    w = RecordWriter(path)
    w.write(BucketMetadata.for_fresh(protocol, hot).record())
    for r in sort_records(records, hot):
        w.write(r)
    return w.finish()


__all__ = ["entry", "key", "key_of", "write_bucket", "with_kind", "ALL_TYPES", "ASSETS", "pk",
           "h32", "persistent_entry", "pool_entry"]
