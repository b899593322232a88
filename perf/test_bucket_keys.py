"""Cost of a bucket order key (stellarcore.bucket.keys) against decoding.

Run only on request (pyproject's testpaths is ``tests``):

    python -m pytest perf/test_bucket_keys.py                          # measure
    python -m pytest perf/test_bucket_keys.py --benchmark-disable -q   # smoke

Two workloads, each a LIVEENTRY BucketEntry as a merge reads it:

* ``account``: a classic AccountEntry (home domain, one signer, ext v1 with
  liabilities);
* ``contract-data``: a Stellar Asset Contract balance, the most common
  Soroban entry: key ``[Symbol("Balance"), Address(account)]``, value a map
  ``{amount: i128, authorized: true, clawback: false}``, persistent.

Per workload (one pytest-benchmark group each):

* ``c-loop``: the order key computed 1,000 times in C without the GIL, as a
  merge loop does (`keys._repeat`); ``extra_info["ns_per_key"]`` is the
  median divided by 1,000 when timing ran;
* ``python``: `keys.bucket_entry_order_key(bytes)`, one Python call;
* ``decode``: the baseline, `xdr.BucketEntry.from_xdr(bytes)` (what comparing
  decoded values would need first, before even comparing).
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.bucket import keys

LOOP = 1000

SCV = xdr.SCValType


def account_entry() -> bytes:
    acct = xdr.PublicKey(ed25519=bytes(range(32)))
    signer = xdr.Signer(key=xdr.SignerKey(ed25519=bytes(range(32, 64))), weight=1)
    ae = xdr.AccountEntry(
        accountID=acct, balance=1_234_567_890, seqNum=(12345 << 32) + 7, numSubEntries=3,
        flags=0, homeDomain=b"example.com", thresholds=b"\x01\x00\x00\x00", signers=[signer],
        ext=xdr.AccountEntryExt(v1=xdr.AccountEntryExtensionV1(
            liabilities=xdr.Liabilities(buying=0, selling=10))))
    e = xdr.LedgerEntry(lastModifiedLedgerSeq=123456, data=xdr.LedgerEntryData(account=ae))
    return xdr.BucketEntry(xdr.BucketEntryType.LIVEENTRY, e).to_xdr()


def contract_data_entry() -> bytes:
    holder = xdr.SCAddress(accountId=xdr.PublicKey(ed25519=bytes(range(1, 33))))
    key = xdr.SCVal(SCV.SCV_VEC, [xdr.SCVal(SCV.SCV_SYMBOL, b"Balance"), xdr.SCVal(SCV.SCV_ADDRESS, holder)])
    val = xdr.SCVal(SCV.SCV_MAP, [
        xdr.SCMapEntry(key=xdr.SCVal(SCV.SCV_SYMBOL, b"amount"),
                       val=xdr.SCVal(SCV.SCV_I128, xdr.Int128Parts(hi=0, lo=10_000_000))),
        xdr.SCMapEntry(key=xdr.SCVal(SCV.SCV_SYMBOL, b"authorized"), val=xdr.SCVal(SCV.SCV_BOOL, True)),
        xdr.SCMapEntry(key=xdr.SCVal(SCV.SCV_SYMBOL, b"clawback"), val=xdr.SCVal(SCV.SCV_BOOL, False)),
    ])
    cd = xdr.ContractDataEntry(contract=xdr.SCAddress(contractId=b"\xab" * 32), key=key,
                               durability=xdr.ContractDataDurability.PERSISTENT, val=val)
    e = xdr.LedgerEntry(lastModifiedLedgerSeq=123456, data=xdr.LedgerEntryData(contractData=cd))
    return xdr.BucketEntry(xdr.BucketEntryType.LIVEENTRY, e).to_xdr()


WORKLOADS = {"account": account_entry(), "contract-data": contract_data_entry()}


def _check(data):
    v = xdr.BucketEntry.from_xdr(data)
    from stellarcore.util.types import ledger_entry_key
    lk = ledger_entry_key(v.liveEntry).to_xdr()
    assert keys.bucket_entry_order_key(data) == keys.ledger_key_order_key(lk)
    assert keys._repeat("bucket_entry", data, 1) == len(keys.bucket_entry_order_key(data))


def _median(benchmark):
    stats = getattr(benchmark, "stats", None)
    return stats.stats.median if stats is not None else None


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_c_loop(benchmark, name):
    data = WORKLOADS[name]
    _check(data)
    benchmark.group = f"order-key-{name}"
    benchmark.extra_info.update(impl="bucket_entry_order_key_nogil x1000 (C loop)", payload=len(data))
    benchmark(keys._repeat, "bucket_entry", data, LOOP)
    med = _median(benchmark)
    if med is not None:
        benchmark.extra_info["ns_per_key"] = round(med / LOOP * 1e9, 1)


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_python_call(benchmark, name):
    data = WORKLOADS[name]
    benchmark.group = f"order-key-{name}"
    benchmark.extra_info.update(impl="keys.bucket_entry_order_key", payload=len(data))
    benchmark(keys.bucket_entry_order_key, data)


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_decode_baseline(benchmark, name):
    data = WORKLOADS[name]
    benchmark.group = f"order-key-{name}"
    benchmark.extra_info.update(impl="xdr.BucketEntry.from_xdr (baseline)", payload=len(data))
    benchmark(xdr.BucketEntry.from_xdr, data)
