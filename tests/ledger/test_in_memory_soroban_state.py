"""The in-memory Soroban state against stellar-core v25.0.1.

stellar-core has no unit test file for InMemorySorobanState; its behaviour
is pinned by scenarios in other suites, reproduced here with our own
entries:
  * bucket/test/BucketIndexTests.cpp "soroban cache population": the state
    kept by per-ledger updates equals the state rebuilt from the live ledger,
    entry for entry and TTL for TTL;
  * bucket/test/BucketListTests.cpp (the live Soroban state size window
    test): CONTRACT_DATA + CONTRACT_CODE entries with TTLs added every
    ledger, the size grows with each batch;
  * transactions/test/InvokeHostFunctionTests.cpp ("in-memory state size
    tracking" block of the archival tests): data sizes are XDR sizes through
    create, grow, shrink, delete and eviction;
  * herder/test/UpgradesTests.cpp "upgrades affect in-memory Soroban state
    state size": code sizes are ledgerEntrySizeForRent at protocol 23 even
    before 23, and memory cost upgrades (ParseWasmInstructions x2, x3, /10)
    change them through recomputeContractCodeSize.
Sizes are checked against the Soroban host (bridge) and XDR sizes; keys and
TTL keys against xdr.LedgerKey encodings. The error cases are stellar-core's
releaseAssertOrThrow checks in InMemorySorobanState.cpp.
"""
import random

import pytest

from stellarcore import xdr
from stellarcore.ledger import in_memory_soroban_state as ims
from stellarcore.ledger.in_memory_soroban_state import (
    ContractCodeSizeUnavailable, InMemorySorobanState, InMemorySorobanStateError, SorobanStateSnapshot,
)
from stellarcore.soroban import bridge

from tests.conftest import shared_path
from tests.ledger.soroban_entries import (
    PARSE_WASM_INSTRUCTIONS, TEMPORARY, CostConfig, Header, code_entry, cost_inputs, data_entry,
    host_code_size, key_of, network_cost_config, ttl_entry, ttl_hash, ttl_key_of, xdr_size,
)

needs_host = pytest.mark.skipif(not bridge.available(),
                                reason=f"Soroban bridge library not built: {bridge.unavailable_reason()}")
# Cost parameters are only read for CONTRACT_CODE entries.
NO_CODE_CFG = CostConfig(b"", b"")


@pytest.fixture(scope="module")
def cfg():
    return network_cost_config()


def state_at(seq, entries=(), version=25, config=NO_CODE_CFG):
    s = InMemorySorobanState()
    s.initialize_from_entries(entries, ledger_seq=seq, ledger_version=version, config=config)
    return s


def dump(s):
    """Everything observable, for 'state untouched' checks."""
    return (s.ledger_seq, s.get_size() if not s._pending else None, s.contract_data_state_size,
            s.contract_code_state_size, sorted((r[0].to_xdr(), r[1], r[2], r[3]) for r in s.records()),
            dict(s._pending))


# ------------------------------------------------------------ keys and types

def test_in_memory_types_are_contract_data_code_and_ttl():
    """isInMemoryType: CONTRACT_DATA, CONTRACT_CODE, TTL; not CONFIG_SETTING
    (PARITY_TRAPS S11) nor classic entries."""
    d, c = data_entry(), code_entry()
    assert ims.is_in_memory_type(key_of(d))
    assert ims.is_in_memory_type(key_of(c))
    assert ims.is_in_memory_type(ttl_key_of(d))
    cfg_key = xdr.LedgerKey(configSetting=xdr.LedgerKeyConfigSetting(
        configSettingID=xdr.ConfigSettingID.CONFIG_SETTING_CONTRACT_COMPUTE_V0))
    assert not ims.is_in_memory_type(cfg_key.to_xdr())
    acc = xdr.LedgerKey(account=xdr.LedgerKeyAccount(accountID=xdr.PublicKey(ed25519=b"\1" * 32)))
    assert not ims.is_in_memory_type(acc)
    assert ims.is_in_memory_type(xdr.LedgerKey.from_xdr(key_of(d)))


@pytest.mark.parametrize("durability", [xdr.ContractDataDurability.PERSISTENT, TEMPORARY])
def test_keys_and_ttl_keys_match_the_schema(durability):
    """contract_data_key/contract_code_key equal LedgerEntryKey's XDR; the
    TTL key is getTTLKey: sha256 of the key XDR."""
    d = data_entry(contract=9, name=b"balance", durability=durability, value=b"x" * 7)
    c = code_entry(b"wasm bytes")
    assert ims.contract_data_key(d.data.contractData) == key_of(d)
    assert ims.contract_code_key(c.data.contractCode) == key_of(c)
    assert ims.ttl_key_hash(key_of(d)) == ttl_hash(d)
    assert ims.ttl_key(key_of(c)) == ttl_key_of(c)
    with pytest.raises(InMemorySorobanStateError):
        ims.ttl_key_hash(ttl_key_of(d))


# ------------------------------------------------------------ reads

def test_get_returns_entries_and_rebuilt_ttls():
    d = data_entry(value=b"v", last_modified=4)
    t = ttl_entry(d, 1000, last_modified=5)
    s = state_at(7, [d, t])
    assert s.get(key_of(d)) is d
    assert s.get(ttl_key_of(d)) == t
    assert s.get_entry_and_ttl(key_of(d)) == (d, t)
    assert s.has_ttl(ttl_key_of(d))
    other = data_entry(name=b"other")
    assert s.get(key_of(other)) is None
    assert s.get(ttl_key_of(other)) is None
    assert s.get_entry_and_ttl(key_of(other)) == (None, None)
    assert not s.has_ttl(ttl_key_of(other))
    assert s.ledger_seq == 7
    s.assert_last_closed_ledger(7)
    with pytest.raises(InMemorySorobanStateError):
        s.assert_last_closed_ledger(8)


def test_get_rejects_other_key_types():
    s = state_at(1)
    acc = xdr.LedgerKey(account=xdr.LedgerKeyAccount(accountID=xdr.PublicKey(ed25519=b"\1" * 32))).to_xdr()
    with pytest.raises(InMemorySorobanStateError):
        s.get(acc)
    with pytest.raises(InMemorySorobanStateError):
        s.has_ttl(key_of(data_entry()))      # hasTTL takes TTL keys only
    with pytest.raises(InMemorySorobanStateError):
        s.get_entry_and_ttl(ttl_key_of(data_entry()))


def test_entry_without_ttl_has_no_ttl_and_its_ttl_cannot_be_read():
    """createContractDataEntry without a TTL leaves the default TTLData:
    hasTTL is false and getTTL asserts (stellar-core only checks for
    orphaned TTLs, not for entries without one)."""
    d = data_entry()
    s = state_at(1)
    s.update_state([d], [], [], Header(2, 25), NO_CODE_CFG)
    assert s.get(key_of(d)) is d
    assert not s.has_ttl(ttl_key_of(d))
    with pytest.raises(InMemorySorobanStateError):
        s.get(ttl_key_of(d))
    # its TTL can still be created later
    s.update_state([ttl_entry(d, 50, 3)], [], [], Header(3, 25), NO_CODE_CFG)
    assert s.get(ttl_key_of(d)) == ttl_entry(d, 50, 3)


def test_ttl_half_default_is_corrupt():
    """TTLData::isDefault: liveUntil 0 iff lastModified 0."""
    d = data_entry()
    s = state_at(1, [d, ttl_entry(d, 100, last_modified=0)])
    with pytest.raises(InMemorySorobanStateError):
        s.get(ttl_key_of(d))
    with pytest.raises(InMemorySorobanStateError):
        s.has_ttl(ttl_key_of(d))


# ------------------------------------------------------------ initialization

def test_initialization_adopts_ttls_arriving_before_their_entries():
    """stellar-core scans CONTRACT_DATA, then TTL, then CONTRACT_CODE: code
    TTLs always arrive first and wait in mPendingTTLs."""
    d1, d2 = data_entry(name=b"a"), data_entry(name=b"b")
    c = code_entry(b"code")
    s = InMemorySorobanState()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ims, "_memory_size_for_rent", lambda p, e, cost: 1000)
        s.initialize_from_entries([ttl_entry(d1, 10), d1, d2, ttl_entry(c, 30), ttl_entry(d2, 20), c],
                                  ledger_seq=9, ledger_version=25, config=NO_CODE_CFG)
    assert [s.get(ttl_key_of(e)).data.ttl.liveUntilLedgerSeq for e in (d1, d2, c)] == [10, 20, 30]
    assert s.get_size() == xdr_size(d1) + xdr_size(d2) + xdr_size(c) + 1000
    assert not s._pending


def test_initialization_first_version_wins_and_dead_entries_shadow():
    """The bucket scan goes newest bucket first: the first version of a key
    is kept (`if (!get(lk))`, `if (!hasTTL(lk))`), and a DEADENTRY hides the
    older live versions of its key (shouldAddToMap)."""
    new, old = data_entry(value=b"new", last_modified=8), data_entry(value=b"old", last_modified=3)
    gone = data_entry(name=b"gone")
    BE, T = xdr.BucketEntry, xdr.BucketEntryType
    stream = [
        BE(T.METAENTRY, xdr.BucketMetadata(ledgerVersion=25, ext=xdr.BucketMetadataExt(v=0))),
        BE(T.LIVEENTRY, new), BE(T.LIVEENTRY, ttl_entry(new, 90, 8)),
        BE(T.DEADENTRY, xdr.LedgerKey.from_xdr(key_of(gone))),
        BE(T.DEADENTRY, xdr.LedgerKey.from_xdr(ttl_key_of(gone))),
        BE(T.INITENTRY, old), BE(T.LIVEENTRY, ttl_entry(old, 40, 3)),
        BE(T.LIVEENTRY, gone), BE(T.LIVEENTRY, ttl_entry(gone, 77)),
    ]
    s = state_at(8, stream)
    assert s.get(key_of(new)) is new
    assert s.get(ttl_key_of(new)) == ttl_entry(new, 90, 8)
    assert s.get(key_of(gone)) is None
    assert s.contract_data_count == 1
    assert s.get_size() == xdr_size(new)


def test_initialization_ignores_classic_entries_and_accepts_xdr_bytes():
    acc = xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=xdr.LedgerEntryData(account=xdr.AccountEntry(
        accountID=xdr.PublicKey(ed25519=b"\2" * 32), balance=1, seqNum=1, numSubEntries=0, inflationDest=None,
        flags=0, homeDomain=b"", thresholds=b"\1\0\0\0", signers=[], ext=xdr.AccountEntryExt(v=0))),
        ext=xdr.LedgerEntryExt(v=0))
    d = data_entry()
    s = state_at(3, [acc, d.to_xdr(), ttl_entry(d, 5).to_xdr()])
    assert s.get(key_of(d)) == d
    assert s.contract_data_count == 1 and s.contract_code_count == 0


def test_initialization_before_soroban_loads_nothing():
    """initializeStateFromSnapshot only scans from SOROBAN_PROTOCOL_VERSION
    (20); the ledger sequence is recorded either way."""
    d = data_entry()
    s = state_at(12, [d, ttl_entry(d, 5)], version=19, config=None)
    assert s.is_empty() and s.ledger_seq == 12


def test_initialization_errors_leave_the_state_empty():
    d = data_entry()
    s = state_at(1, [d, ttl_entry(d, 5)])
    with pytest.raises(InMemorySorobanStateError):         # not empty
        s.initialize_from_entries([], ledger_seq=2, ledger_version=25, config=NO_CODE_CFG)
    assert s.get(key_of(d)) is d
    fresh = InMemorySorobanState()
    with pytest.raises(InMemorySorobanStateError):         # orphaned TTL
        fresh.initialize_from_entries([d, ttl_entry(d, 5), ttl_entry(data_entry(name=b"x"), 5)],
                                      ledger_seq=2, ledger_version=25, config=NO_CODE_CFG)
    assert fresh.is_empty() and fresh.ledger_seq == 0 and fresh.get_size() == 0
    with pytest.raises(InMemorySorobanStateError):         # no config from protocol 20
        fresh.initialize_from_entries([], ledger_seq=2, ledger_version=20, config=None)


# ------------------------------------------------------------ updates

def test_update_order_is_init_then_live_then_dead():
    """updateState: creates first (TTL before or after its entry), then
    updates (a TTL created this ledger may be bumped), then deletes; dead TTL
    keys are ignored (a TTL goes with its entry)."""
    a, b = data_entry(name=b"a", value=b"1"), data_entry(name=b"b", value=b"22")
    s = state_at(1)
    s.update_state([ttl_entry(a, 10, 2), a, b, ttl_entry(b, 11, 2)], [ttl_entry(a, 15, 2)], [], Header(2, 25),
                   NO_CODE_CFG)
    assert s.get(ttl_key_of(a)) == ttl_entry(a, 15, 2)
    a2 = data_entry(name=b"a", value=b"longer value", last_modified=3)
    s.update_state([], [a2], [key_of(b), ttl_key_of(b)], Header(3, 25), NO_CODE_CFG)
    assert s.get(key_of(a2)) is a2
    assert s.get(ttl_key_of(a)) == ttl_entry(a, 15, 2)         # the data update keeps the TTL
    assert s.get(key_of(b)) is None and s.get(ttl_key_of(b)) is None
    assert s.get_size() == xdr_size(a2)
    assert s.ledger_seq == 3


def test_update_ignores_classic_entries_and_before_soroban_only_advances():
    d = data_entry()
    s = state_at(1)
    s.update_state([d], [], [], Header(2, 19), None)
    assert s.is_empty() and s.ledger_seq == 2
    acc_key = xdr.LedgerKey(account=xdr.LedgerKeyAccount(accountID=xdr.PublicKey(ed25519=b"\3" * 32)))
    s.update_state([], [], [acc_key], Header(3, 25), NO_CODE_CFG)
    assert s.ledger_seq == 3


def test_data_sizes_follow_xdr_sizes_through_create_resize_delete_evict():
    """InvokeHostFunctionTests.cpp in-memory size tracking: put 20 keys,
    grow them, grow/shrink, delete a quarter, create/update/delete, evict the
    rest; after each ledger the data size is the sum of the XDR sizes of the
    live entries, and it returns to the base size at the end."""
    rng = random.Random(8)
    base = data_entry(contract=200, name=b"instance", value=b"i" * 50)
    s = state_at(10, [base, ttl_entry(base, 10_000)])
    base_size = s.get_size()
    assert base_size == xdr_size(base)
    live = {}
    seq = [10]

    def close(init=(), upd=(), dead=()):
        seq[0] += 1
        s.update_state(list(init), list(upd), list(dead), Header(seq[0], 25), NO_CODE_CFG)
        assert s.get_size() == base_size + sum(xdr_size(e) for e in live.values())

    def put(i, n):
        e = data_entry(name=b"key%d" % i, value=bytes(rng.randrange(256) for _ in range(n)), last_modified=seq[0] + 1)
        return e

    init = []
    for i in range(20):
        live[i] = put(i, 8)
        init += [live[i], ttl_entry(live[i], 100, seq[0] + 1)]
    close(init)
    for sizes in ([40] * 20, [10 if i % 2 == 0 else 100 for i in range(20)]):
        upd = []
        for i, n in enumerate(sizes):
            live[i] = put(i, n)
            upd.append(live[i])
        close(upd=upd)
    dead = [key_of(live.pop(i)) for i in range(5)]
    close(dead=dead + [ttl_key_of(k) for k in dead])
    init, upd, dead = [], [], []
    for i in range(20):
        if i < 5:
            live[i] = put(i, 3)
            init += [live[i], ttl_entry(live[i], 100, seq[0] + 1)]
        elif i % 3 == 0:
            dead.append(key_of(live.pop(i)))
        else:
            live[i] = put(i, 2 if i % 3 == 1 else 70)
            upd.append(live[i])
    close(init, upd, dead)
    assert s.get_size() > base_size
    evicted = [key_of(e) for e in live.values()] + [ttl_key_of(e) for e in live.values()]
    live.clear()
    close(dead=evicted)
    assert s.get_size() == base_size


def _bad_update(s, init=(), live=(), dead=(), seq=None, version=25, config=NO_CODE_CFG):
    before = dump(s)
    with pytest.raises(InMemorySorobanStateError) as e:
        s.update_state(list(init), list(live), list(dead), Header(seq or s.ledger_seq + 1, version), config)
    assert dump(s) == before, "a failed update must leave the state untouched"
    return str(e.value)


def test_update_errors_leave_the_state_untouched():
    """Each releaseAssertOrThrow of updateState, with valid changes before
    the failing one (they must be undone)."""
    a, b = data_entry(name=b"a"), data_entry(name=b"b", value=b"b")
    s = state_at(5, [a, ttl_entry(a, 100, 5)])
    new = data_entry(name=b"new")
    valid = [new, ttl_entry(new, 9, 6)]
    bumped = [data_entry(name=b"a", value=b"changed", last_modified=6), ttl_entry(a, 500, 6)]
    assert "TTL" in _bad_update(s, init=valid + [ttl_entry(b, 7, 6)], live=bumped)        # TTL without its entry
    assert "created twice" in _bad_update(s, init=valid + [a])                            # duplicate create
    assert "created twice" in _bad_update(s, init=valid + [ttl_entry(a, 8, 6)])           # duplicate TTL create
    assert "created twice" in _bad_update(s, init=[ttl_entry(b, 1, 6), ttl_entry(b, 2, 6), b])
    assert "does not exist" in _bad_update(s, init=valid, live=bumped, dead=[key_of(b)])  # delete missing
    assert "does not exist" in _bad_update(s, init=valid, live=[b])                       # update missing
    assert "does not exist" in _bad_update(s, init=valid, live=[ttl_entry(b, 5, 6)])      # TTL of nothing
    assert "does not exist" in _bad_update(s, init=valid, dead=[key_of(a), key_of(a)])    # deleted twice
    assert "cannot apply ledger 7" in _bad_update(s, seq=7)                               # gap
    assert "cannot apply ledger 5" in _bad_update(s, seq=5)                               # replay
    assert "config" in _bad_update(s, init=valid, config=None)
    s.update_state(valid, bumped, [], Header(6, 25), NO_CODE_CFG)                          # still usable
    assert s.get(ttl_key_of(a)).data.ttl.liveUntilLedgerSeq == 500


def test_code_update_needs_a_ttl_and_code_delete_needs_the_entry(monkeypatch):
    """updateContractCode asserts the stored TTL is set; deleteContractCode
    that the entry exists."""
    monkeypatch.setattr(ims, "_memory_size_for_rent", lambda p, e, cost: 100)
    c = code_entry(b"c1")
    s = state_at(1)
    s.update_state([c], [], [], Header(2, 25), NO_CODE_CFG)
    assert "without a TTL" in _bad_update(s, live=[code_entry(b"c1", 3)])
    assert "does not exist" in _bad_update(s, dead=[key_of(code_entry(b"other"))])
    assert "created twice" in _bad_update(s, init=[c])
    s.update_state([ttl_entry(c, 60, 3)], [code_entry(b"c1", 3)], [], Header(3, 25), NO_CODE_CFG)
    s.update_state([], [], [key_of(c)], Header(4, 25), NO_CODE_CFG)
    assert s.is_empty() and s.get_size() == 0


def test_size_overflow_is_refused(monkeypatch):
    """updateStateSizeOnEntryUpdate keeps each total in [0, INT64_MAX]."""
    d = data_entry()
    s = state_at(1)
    s._data_size = ims._INT64_MAX - 1
    _bad_update(s, init=[d, ttl_entry(d, 5, 2)])


def test_manual_advance_sets_the_ledger():
    s = state_at(1)
    s.manually_advance_ledger_header(Header(40, 25))
    assert s.ledger_seq == 40
    s.update_state([], [], [], Header(41, 25), NO_CODE_CFG)


# ------------------------------------------------------------ code sizes (host)

@needs_host
@pytest.mark.parametrize("version", [22, 23, 24, 25])
def test_code_size_is_xdr_plus_host_memory_size_at_least_p23(cfg, version):
    """contractCodeSizeForRent: ledgerEntrySizeForRent(entry, xdr_size,
    max(ledgerVersion, 23)): XDR size + the host's
    contract_code_memory_size_for_rent. Before protocol 23 the state is sized
    as in 23 (UpgradesTests: the size does not change on the upgrade)."""
    entries = [code_entry(b"\0asm" + bytes(range(200))), code_entry(b"x" * 3000, inputs=cost_inputs(40))]
    s = state_at(1, config=cfg)
    s.update_state(entries + [ttl_entry(e, 99, 2) for e in entries], [], [], Header(2, version), cfg)
    for e in entries:
        expected = host_code_size(e, cfg, 23)
        assert expected > xdr_size(e)
        assert s.contract_code_size(key_of(e)) == expected
    assert s.get_size() == s.contract_code_state_size == sum(host_code_size(e, cfg, 23) for e in entries)
    # TTL entries are not counted
    assert s.contract_data_state_size == 0


@needs_host
def test_code_cost_inputs_change_the_size(cfg):
    """The v1 extension's cost inputs are what the host sizes a module by."""
    small = code_entry(b"same code", inputs=cost_inputs(1))
    big = code_entry(b"same code", inputs=cost_inputs(500))
    assert host_code_size(big, cfg, 25) > host_code_size(small, cfg, 25)
    s = state_at(1, [small, ttl_entry(small, 9)], config=cfg)
    s.update_state([], [big], [], Header(2, 25), cfg)
    assert s.get_size() == host_code_size(big, cfg, 25)


@needs_host
def test_memory_cost_upgrades_recompute_code_sizes(cfg):
    """UpgradesTests.cpp: ParseWasmInstructions memory terms x2, then x3,
    then /10 (integer division); recomputeContractCodeSize resizes every code
    entry, data entries are untouched, and the new sizes are
    ledgerEntrySizeForRent under the new parameters."""
    codes = [code_entry(b"code %d" % i * (50 + 40 * i), inputs=cost_inputs(5 + i)) for i in range(6)]
    d = data_entry(value=b"d" * 100)
    entries = codes + [d] + [ttl_entry(e, 1000) for e in codes + [d]]
    s = state_at(5, entries, version=23, config=cfg)
    sizes = [s.get_size()]
    steps = []
    for step in (lambda t: t * 2, lambda t: t * 3, lambda t: t // 10):
        steps.append(step)
        upgraded = network_cost_config({PARSE_WASM_INSTRUCTIONS: _chain(list(steps))})
        s.recompute_contract_code_size(upgraded, 23)
        assert s.get_size() == xdr_size(d) + sum(host_code_size(c, upgraded, 23) for c in codes)
        assert s.contract_data_state_size == xdr_size(d)
        sizes.append(s.get_size())
    assert sizes[1] > sizes[0] and sizes[2] > sizes[1] and sizes[3] < sizes[0]


def _chain(steps):
    """Each upgrade scales the parameters left by the previous one."""
    def scale(t):
        for step in steps:
            t = step(t)
        return t
    return scale


@needs_host
def test_recompute_failure_changes_nothing(cfg, monkeypatch):
    codes = [code_entry(b"a" * 10), code_entry(b"b" * 20)]
    s = state_at(1, codes + [ttl_entry(c, 9) for c in codes], config=cfg)
    before = dump(s)
    calls = []

    def flaky(p, e, cost):
        calls.append(1)
        if len(calls) == 2:
            raise bridge.HostError("boom", bridge.ERR_HOST)
        return 5
    monkeypatch.setattr(ims, "_memory_size_for_rent", flaky)
    with pytest.raises(bridge.HostError):
        s.recompute_contract_code_size(cfg, 25)
    assert dump(s) == before


def test_code_size_is_capped_at_uint32(monkeypatch):
    """ledgerEntrySizeForRent: min(xdr size + memory size, UINT32_MAX)."""
    monkeypatch.setattr(ims, "_memory_size_for_rent", lambda p, e, cost: 0xFFFFFFFF - 3)
    c = code_entry(b"big")
    s = state_at(1, [c, ttl_entry(c, 3)])
    assert s.contract_code_size(key_of(c)) == 0xFFFFFFFF


def test_code_sizes_use_max_of_ledger_version_and_23(monkeypatch):
    seen = []
    monkeypatch.setattr(ims, "_memory_size_for_rent", lambda p, e, cost: seen.append(p) or 1)
    for v in (20, 22, 23, 25):
        c = code_entry(b"v%d" % v)
        state_at(1, [c, ttl_entry(c, 3)], version=v)
    assert seen == [23, 23, 23, 25]


def test_code_entries_without_the_bridge_raise_a_clear_error(monkeypatch):
    monkeypatch.setattr(bridge, "available", lambda: False)
    monkeypatch.setattr(bridge, "unavailable_reason", lambda: "not built here")
    d, c = data_entry(), code_entry()
    s = state_at(1, [d, ttl_entry(d, 4)])                 # data needs no host
    with pytest.raises(ContractCodeSizeUnavailable, match="not built here"):
        s.update_state([c, ttl_entry(c, 4, 2)], [], [], Header(2, 25), NO_CODE_CFG)
    assert s.ledger_seq == 1 and s.get(key_of(c)) is None
    with pytest.raises(ContractCodeSizeUnavailable):
        InMemorySorobanState().initialize_from_entries([c], ledger_seq=1, ledger_version=25, config=NO_CODE_CFG)


@needs_host
def test_state_size_grows_with_each_batch(cfg):
    """BucketListTests.cpp (live Soroban state size window): every ledger
    adds 10 CONTRACT_DATA/CONTRACT_CODE entries with TTLs at 100'000; the
    state size strictly increases and is the sum of the rent sizes."""
    rng = random.Random(3)
    s = state_at(1, config=cfg)
    expected, sizes = 0, []
    for seq in range(2, 12):
        batch = []
        for i in range(10):
            if rng.random() < 0.5:
                e = data_entry(contract=seq, name=b"k%d" % i, value=rng.randbytes(rng.randrange(64)),
                               last_modified=seq)
                expected += xdr_size(e)
            else:
                e = code_entry(rng.randbytes(rng.randrange(1, 400)), last_modified=seq)
                expected += host_code_size(e, cfg, 25)
            batch += [e, ttl_entry(e, 100_000, seq)]
        s.update_state(batch, [], [], Header(seq, 25), cfg)
        sizes.append(s.get_size())
        assert sizes[-1] == expected
    assert sizes == sorted(set(sizes))


# ------------------------------------------------------------ snapshots

def test_snapshot_is_read_only_and_does_not_follow_updates():
    """The copy stellar-core takes for the snapshot invariants."""
    a = data_entry(name=b"a", value=b"1")
    s = state_at(1, [a, ttl_entry(a, 10)])
    snap = s.snapshot()
    assert isinstance(snap, SorobanStateSnapshot)
    assert not hasattr(snap, "update_state") and not hasattr(snap, "recompute_contract_code_size")
    a2 = data_entry(name=b"a", value=b"22222", last_modified=2)
    b = data_entry(name=b"b")
    s.update_state([b, ttl_entry(b, 4, 2)], [a2, ttl_entry(a, 99, 2)], [], Header(2, 25), NO_CODE_CFG)
    assert snap.get(key_of(a)) is a and snap.get(ttl_key_of(a)) == ttl_entry(a, 10)
    assert snap.get(key_of(b)) is None
    assert snap.ledger_seq == 1 and snap.get_size() == xdr_size(a)
    assert s.get(key_of(a)) is a2 and s.get_size() == xdr_size(a2) + xdr_size(b)


# ------------------------------------------------------------ stellar-core's own entries

@pytest.mark.parametrize("name", ["ledger-close-meta-v2-protocol-23-soroban.xdr",
                                  "ledger-close-meta-v2-protocol-24-soroban.xdr"])
def test_entries_written_by_stellar_core(name):
    """The CONTRACT_DATA and TTL entries a stellar-core ledger created and
    restored (tx meta CREATED/RESTORED) as that ledger's init entries: get
    gives them back byte for byte, including the TTL entries stellar-core
    wrote, which we rebuild from the record."""
    m = xdr.LedgerCloseMeta.from_xdr(shared_path("testdata", "ledger-close-meta-xdr", name).read_bytes()).xdr_value()
    header = m.ledgerHeader.header
    CT = xdr.LedgerEntryChangeType
    init = []
    for tp in m.txProcessing:
        for op in tp.txApplyProcessing.xdr_value().operations:
            for c in op.changes:
                if c.xdr_disc() in (CT.LEDGER_ENTRY_CREATED, CT.LEDGER_ENTRY_RESTORED):
                    e = c.xdr_value()
                    if ims.is_in_memory_type(key_of(e)):
                        init.append(e)
    assert len(init) == 4
    s = state_at(header.ledgerSeq - 1)
    s.update_state(init, [], [], header, NO_CODE_CFG)
    for e in init:
        assert s.get(key_of(e)).to_xdr() == e.to_xdr()
    assert s.get_size() == sum(xdr_size(e) for e in init if e.data.type != xdr.LedgerEntryType.TTL)


# ------------------------------------------------------------ fed by LedgerTxn

def _header(seq):
    return xdr.LedgerHeader(
        ledgerVersion=25, previousLedgerHash=bytes(32),
        scpValue=xdr.StellarValue(txSetHash=bytes(32), closeTime=0, upgrades=[],
                                  ext=xdr.StellarValueExt(v=0)),
        txSetResultHash=bytes(32), bucketListHash=bytes(32), ledgerSeq=seq, totalCoins=0, feePool=0,
        inflationSeq=0, idPool=0, baseFee=100, baseReserve=5_000_000, maxTxSetSize=100,
        skipList=[bytes(32)] * 4, ext=xdr.LedgerHeaderExt(v=0))


def test_fed_by_ledger_txn_changes():
    """The three lists a committed LedgerTxn yields (InMemoryRoot.last_delta,
    stellar-core getAllEntries: entries for INIT/LIVE, key bytes for DEAD)
    are what update_state takes; the state then serves what the root holds."""
    from stellarcore.ledger.ledger_txn import InMemoryRoot, LedgerTxn
    a, b = data_entry(name=b"a", value=b"1"), data_entry(name=b"b", value=b"2")
    root = InMemoryRoot(_header(10), [a, ttl_entry(a, 100), b, ttl_entry(b, 100)])
    s = state_at(10, root.entries.values())
    ltx = LedgerTxn(root)
    ltx.header.ledgerSeq = 11
    c = data_entry(name=b"c", value=b"3")
    ltx.create(c)
    ltx.create(ttl_entry(c, 50))
    ltx.load(key_of(a)).data.contractData.val = xdr.SCVal(xdr.SCValType.SCV_BYTES, b"updated")
    ltx.erase(key_of(b))
    ltx.erase(ttl_key_of(b))
    ltx.commit()
    init, live, dead = root.last_delta
    s.update_state(init, live, dead, root.header, NO_CODE_CFG)
    assert s.last_closed_ledger_seq == 11
    for k in (key_of(a), ttl_key_of(a), key_of(b), ttl_key_of(b), key_of(c), ttl_key_of(c)):
        want = root.get_entry(k)
        got = s.get(k)
        assert (got.to_xdr() if got else None) == (want.to_xdr() if want else None)
    assert s.get_size() == sum(xdr_size(e) for e in root.entries.values() if e.data.type != xdr.LedgerEntryType.TTL)
