"""The in-memory Soroban state (stellarcore.ledger.in_memory_soroban_state)
at 1,000,000 entries, against a plain dict baseline.

    python -m pytest perf/test_in_memory_soroban_state.py -s        # 1M entries
    python -m pytest perf --benchmark-disable -q                     # smoke: 20,000
    STELLARCORE_PERF_SOROBAN_ENTRIES=200000 python -m pytest perf/test_in_memory_soroban_state.py

The state: N CONTRACT_DATA entries shaped as Stellar Asset Contract
balances (key [Symbol("Balance"), Address(holder)], value a 3-entry map)
plus N/1000 CONTRACT_CODE entries (1-8 KiB of code, v1 cost inputs, sized
by the host), each with its TTL. The baseline is what a state without
stellar-core's structure would be: one dict LedgerKey XDR -> LedgerEntry
holding entries and TTL entries, no sizes, no checks.

Groups (one round = one batch; µs per call in extra_info["us_per_op"]):
  * ims-get-data     - 10,000 get() of present CONTRACT_DATA keys;
  * ims-get-ttl      - 10,000 get() of their TTL keys (ours rebuilds the
                       TTL LedgerEntry from the record);
  * ims-get-miss     - 10,000 get() of absent CONTRACT_DATA keys;
  * ims-entry+ttl    - 10,000 get_entry_and_ttl() (baseline: two lookups);
  * ims-ledger       - one ledger's update: 1,000 created entries + TTLs,
                       1,000 updated entries, 1,000 TTL bumps, 1,000 deleted
                       entries + TTL keys, 5 code updates (ours: update_state
                       with sizes, checks and the undo journal; baseline:
                       dict stores and pops with the same key encoding);
  * ims-init         - initialize_from_entries of the whole state, one round
                       (baseline: building the dict);
  * ims-snapshot     - snapshot() (baseline: dict copy).
"""
import collections
import hashlib
import os
import random
import resource
import struct

import pytest

from stellarcore import xdr
from stellarcore.ledger import in_memory_soroban_state as ims
from stellarcore.ledger.in_memory_soroban_state import InMemorySorobanState
from stellarcore.soroban import bridge

pytestmark = pytest.mark.skipif(not bridge.available(),
                                reason=f"Soroban bridge not built: {bridge.unavailable_reason()}")

FULL_ENTRIES = 1_000_000
SMOKE_ENTRIES = 20_000
BATCH = 10_000
PER_LEDGER = 1_000
SEQ = 60_000_000
VERSION = 25
SCV = xdr.SCValType
Header = collections.namedtuple("Header", "ledgerSeq ledgerVersion")


def _count(config):
    env = os.environ.get("STELLARCORE_PERF_SOROBAN_ENTRIES")
    if env:
        return int(env)
    return SMOKE_ENTRIES if config.getoption("benchmark_disable", False) else FULL_ENTRIES


def _balance_template():
    """LedgerEntry XDR of a SAC balance; the holder's 32 bytes are patched."""
    holder = xdr.SCAddress(accountId=xdr.PublicKey(ed25519=b"\xee" * 32))
    key = xdr.SCVal(SCV.SCV_VEC, [xdr.SCVal(SCV.SCV_SYMBOL, b"Balance"), xdr.SCVal(SCV.SCV_ADDRESS, holder)])
    val = xdr.SCVal(SCV.SCV_MAP, [
        xdr.SCMapEntry(key=xdr.SCVal(SCV.SCV_SYMBOL, b"amount"),
                       val=xdr.SCVal(SCV.SCV_I128, xdr.Int128Parts(hi=0, lo=10_000_000))),
        xdr.SCMapEntry(key=xdr.SCVal(SCV.SCV_SYMBOL, b"authorized"), val=xdr.SCVal(SCV.SCV_BOOL, True)),
        xdr.SCMapEntry(key=xdr.SCVal(SCV.SCV_SYMBOL, b"clawback"), val=xdr.SCVal(SCV.SCV_BOOL, False)),
    ])
    cd = xdr.ContractDataEntry(ext=xdr.ExtensionPoint(v=0), contract=xdr.SCAddress(contractId=b"\xab" * 32),
                               key=key, durability=xdr.ContractDataDurability.PERSISTENT, val=val)
    raw = xdr.LedgerEntry(lastModifiedLedgerSeq=SEQ, data=xdr.LedgerEntryData(contractData=cd),
                          ext=xdr.LedgerEntryExt(v=0)).to_xdr()
    at = raw.index(b"\xee" * 32)
    return raw[:at], raw[at + 32:]


_HEAD, _TAIL = _balance_template()


def balance(i, last_modified=SEQ):
    raw = struct.pack(">I", last_modified) + _HEAD[4:] + struct.pack(">QQQQ", i, i, i, i) + _TAIL
    return xdr.LedgerEntry.from_xdr(raw)


def code(i, last_modified=SEQ):
    rng = random.Random(i)
    blob = rng.randbytes(rng.randrange(1024, 8192))
    inputs = xdr.ContractCodeCostInputs(
        ext=xdr.ExtensionPoint(v=0), nInstructions=len(blob) // 3, nFunctions=40, nGlobals=3, nTableEntries=5,
        nTypes=20, nDataSegments=2, nElemSegments=1, nImports=12, nExports=10, nDataSegmentBytes=300)
    cc = xdr.ContractCodeEntry(ext=xdr.ContractCodeEntryExt(v1=xdr.ContractCodeEntryV1(
        ext=xdr.ExtensionPoint(v=0), costInputs=inputs)), hash=hashlib.sha256(blob).digest(), code=blob)
    return xdr.LedgerEntry(lastModifiedLedgerSeq=last_modified, data=xdr.LedgerEntryData(contractCode=cc),
                           ext=xdr.LedgerEntryExt(v=0))


def key_of(e):
    d = e.data
    if d.type == xdr.LedgerEntryType.CONTRACT_DATA:
        return ims.contract_data_key(d.contractData)
    return ims.contract_code_key(d.contractCode)


def ttl_of(key, live_until, last_modified=SEQ):
    return xdr.LedgerEntry(lastModifiedLedgerSeq=last_modified, data=xdr.LedgerEntryData(
        ttl=xdr.TTLEntry(keyHash=hashlib.sha256(key).digest(), liveUntilLedgerSeq=live_until)),
        ext=xdr.LedgerEntryExt(v=0))


class World:
    """The entries, the state, the baseline dict and query keys."""

    def __init__(self, n):
        from tests.ledger.soroban_entries import network_cost_config
        self.cfg = network_cost_config()
        self.n = n
        self.entries = []
        for i in range(n):
            e = balance(i)
            self.entries += [e, ttl_of(key_of(e), SEQ + 100_000 + i % 5000)]
        for i in range(max(1, n // 1000)):
            e = code(i)
            self.entries += [ttl_of(key_of(e), SEQ + 500_000), e]    # TTL first, as the bucket scan has it
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.state = InMemorySorobanState()
        self.state.initialize_from_entries(self.entries, ledger_seq=SEQ, ledger_version=VERSION, config=self.cfg)
        self.state_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0
        self.baseline = {}
        apply_baseline(self.baseline, self.entries, [], [])
        rng = random.Random(1)
        self.hit_keys = [key_of(self.entries[2 * rng.randrange(n)]) for _ in range(BATCH)]
        self.ttl_keys = [ims.ttl_key(k) for k in self.hit_keys]
        self.miss_keys = [key_of(balance(n + 10_000_000 + i)) for i in range(BATCH)]
        self.next_new = n          # balances n.. are created by the ledger benchmarks
        self.created = []          # created by the previous ledger, deleted by the next
        self.seq = SEQ


def apply_baseline(d, init, live, dead):
    """The plain dict: LedgerKey XDR -> entry, TTL entries stored on their own."""
    ttl = xdr.LedgerEntryType.TTL
    for e in init:
        if e.data.type == ttl:
            d[b"\0\0\0\x09" + e.data.ttl.keyHash] = e
        else:
            d[key_of(e)] = e
    for e in live:
        if e.data.type == ttl:
            d[b"\0\0\0\x09" + e.data.ttl.keyHash] = e
        else:
            d[key_of(e)] = e
    for k in dead:
        d.pop(k, None)


@pytest.fixture(scope="module")
def world(request):
    return World(_count(request.config))


def _per_op(benchmark, n):
    if benchmark.stats:
        benchmark.extra_info["us_per_op"] = round(benchmark.stats.stats.median / n * 1e6, 3)


# ------------------------------------------------------------------ lookups

@pytest.mark.benchmark(group="ims-get-data")
def test_get_data_ours(benchmark, world):
    get = world.state.get
    out = benchmark(lambda: [get(k) for k in world.hit_keys])
    assert all(e is not None for e in out)
    _per_op(benchmark, BATCH)


@pytest.mark.benchmark(group="ims-get-data")
def test_get_data_dict(benchmark, world):
    get = world.baseline.get
    out = benchmark(lambda: [get(k) for k in world.hit_keys])
    assert all(e is not None for e in out)
    _per_op(benchmark, BATCH)


@pytest.mark.benchmark(group="ims-get-ttl")
def test_get_ttl_ours(benchmark, world):
    get = world.state.get
    out = benchmark(lambda: [get(k) for k in world.ttl_keys])
    assert out[0] == world.baseline[world.ttl_keys[0]]
    _per_op(benchmark, BATCH)


@pytest.mark.benchmark(group="ims-get-ttl")
def test_get_ttl_dict(benchmark, world):
    get = world.baseline.get
    benchmark(lambda: [get(k) for k in world.ttl_keys])
    _per_op(benchmark, BATCH)


@pytest.mark.benchmark(group="ims-get-miss")
def test_get_miss_ours(benchmark, world):
    get = world.state.get
    out = benchmark(lambda: [get(k) for k in world.miss_keys])
    assert not any(out)
    _per_op(benchmark, BATCH)


@pytest.mark.benchmark(group="ims-get-miss")
def test_get_miss_dict(benchmark, world):
    get = world.baseline.get
    benchmark(lambda: [get(k) for k in world.miss_keys])
    _per_op(benchmark, BATCH)


@pytest.mark.benchmark(group="ims-entry+ttl")
def test_entry_and_ttl_ours(benchmark, world):
    f = world.state.get_entry_and_ttl
    out = benchmark(lambda: [f(k) for k in world.hit_keys])
    assert out[0][1] == world.baseline[world.ttl_keys[0]]
    _per_op(benchmark, BATCH)


@pytest.mark.benchmark(group="ims-entry+ttl")
def test_entry_and_ttl_dict(benchmark, world):
    get = world.baseline.get
    pairs = list(zip(world.hit_keys, world.ttl_keys))
    benchmark(lambda: [(get(k), get(t)) for k, t in pairs])
    _per_op(benchmark, BATCH)


# ------------------------------------------------------------------ one ledger

def _next_ledger(world):
    """The changes of the next ledger (built outside the timed part): the
    previous ledger's creations are deleted, so the state keeps its size."""
    world.seq += 1
    seq = world.seq
    rng = random.Random(seq)
    init = []
    new = []
    for _ in range(PER_LEDGER):
        e = balance(world.next_new, seq)
        world.next_new += 1
        k = key_of(e)
        new.append(k)
        init += [ttl_of(k, seq + 10_000, seq), e]
    live = []
    for _ in range(PER_LEDGER):
        i = rng.randrange(world.n)
        live.append(balance(i, seq))
        live.append(ttl_of(key_of(live[-1]), seq + 200_000, seq))
    for j in range(5):
        live.append(code(j, seq))
    dead = []
    for k in world.created:
        dead += [k, ims.ttl_key(k)]
    world.created = new
    return init, live, dead, Header(seq, VERSION)


@pytest.mark.benchmark(group="ims-ledger")
def test_ledger_update_ours(benchmark, world):
    state = world.state

    def setup():
        return _next_ledger(world), {}
    benchmark.pedantic(lambda init, live, dead, h: state.update_state(init, live, dead, h, world.cfg),
                       setup=setup, rounds=15, warmup_rounds=1)
    assert state.ledger_seq == world.seq
    _per_op(benchmark, 1)


@pytest.mark.benchmark(group="ims-ledger")
def test_ledger_update_dict(benchmark, world):
    d = dict(world.baseline)

    def setup():
        return _next_ledger(world), {}
    benchmark.pedantic(lambda init, live, dead, h: apply_baseline(d, init, live, dead),
                       setup=setup, rounds=15, warmup_rounds=1)
    _per_op(benchmark, 1)


# ------------------------------------------------------------------ whole state

@pytest.mark.benchmark(group="ims-init")
def test_initialize_ours(benchmark, world):
    def build():
        s = InMemorySorobanState()
        s.initialize_from_entries(world.entries, ledger_seq=SEQ, ledger_version=VERSION, config=world.cfg)
        return s
    s = benchmark.pedantic(build, rounds=2, iterations=1)
    assert s.contract_data_count == world.n
    benchmark.extra_info["entries"] = len(world.entries)
    benchmark.extra_info["state_rss_kib"] = world.state_kib
    benchmark.extra_info["size_bytes"] = s.get_size()


@pytest.mark.benchmark(group="ims-init")
def test_initialize_dict(benchmark, world):
    def build():
        d = {}
        apply_baseline(d, world.entries, [], [])
        return d
    benchmark.pedantic(build, rounds=2, iterations=1)


@pytest.mark.benchmark(group="ims-snapshot")
def test_snapshot_ours(benchmark, world):
    snap = benchmark.pedantic(world.state.snapshot, rounds=5, iterations=1)
    assert snap.get_size() == world.state.get_size()


@pytest.mark.benchmark(group="ims-snapshot")
def test_snapshot_dict(benchmark, world):
    benchmark.pedantic(lambda: dict(world.baseline), rounds=5, iterations=1)
