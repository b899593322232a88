"""stellarcore.soroban.rent (stellar-core's glue around the rent formula)
against facts we did not write:

* the host, end to end: when it creates a contract code entry (Wasm upload)
  or a contract instance, it writes their TTL entries (key hash, minimum
  live-until) and charges rent on sizes it computes itself - for code
  including the module memory size (PARITY_TRAPS S11). Our TTL key, our
  minimum live-until, and `fees.compute_rent_fee` over the record
  `rent_change_without_modification` builds for a new entry, sized by
  `ledger_entry_size_for_rent`, must give the same;
* stellar-core's ledger-close-meta files (../shared): every contract
  data/code entry they touch has its TTL under the key we derive;
* stellar-core v25.0.1 sources, cited per test (LedgerTypeUtils.cpp,
  TransactionUtils.cpp, ExtendFootprintTTLOpFrame.cpp,
  RestoreFootprintOpFrame.cpp, InMemorySorobanState.cpp) and
  soroban-env-host (ledger_info.rs, tests/fees.rs ttl_entry_size).
"""
import types

import pytest

from stellarcore import xdr
from stellarcore.soroban import bridge, fees, rent
from stellarcore.util.meta import change_key
from tests.conftest import shared_path
from tests.soroban import _harness as h

LT = xdr.LedgerEntryType
CDD = xdr.ContractDataDurability
U32 = 2**32 - 1
PROTOCOLS = (23, 24, 25)

needs_bridge = pytest.mark.skipif(not bridge.available(),
                                  reason=f"Soroban bridge library not built: {bridge.unavailable_reason()}")
needs_shared = pytest.mark.skipif(h.shared_missing_reason() is not None,
                                  reason=h.shared_missing_reason() or "")


def data_key(durability, name=b"k"):
    return xdr.LedgerKey(contractData=xdr.LedgerKeyContractData(
        contract=h.contract_address(b"\x03" * 32), key=h.sym(name.decode()), durability=durability))


def data_entry(durability, payload=b"v"):
    k = data_key(durability).contractData
    return xdr.LedgerEntry(lastModifiedLedgerSeq=5, ext=xdr.LedgerEntryExt(v=0), data=xdr.LedgerEntryData(
        contractData=xdr.ContractDataEntry(ext=xdr.ExtensionPoint(v=0), contract=k.contract, key=k.key,
                                           durability=durability,
                                           val=xdr.SCVal(bytes=payload))))


def code_entry(wasm=b"\x00asm\x01\x00\x00\x00"):
    return xdr.LedgerEntry(lastModifiedLedgerSeq=5, ext=xdr.LedgerEntryExt(v=0), data=xdr.LedgerEntryData(
        contractCode=xdr.ContractCodeEntry(ext=xdr.ContractCodeEntryExt(v=0), hash=h.sha256(wasm), code=wasm)))


def archival(min_persistent=4096, min_temp=16, max_ttl=535_680):
    return xdr.StateArchivalSettings(minPersistentTTL=min_persistent, minTemporaryTTL=min_temp,
                                     maxEntryTTL=max_ttl)


NO_COST_PARAMS = types.SimpleNamespace()   # any use of the cost params fails


# ------------------------------------------------- kinds (LedgerTypeUtils.h)

def test_entry_kinds_of_keys_and_entry_data():
    persistent, temporary = data_key(CDD.PERSISTENT), data_key(CDD.TEMPORARY)
    code = h.code_key(b"\x01" * 32)
    account = xdr.LedgerKey(account=xdr.LedgerKeyAccount(accountID=h.account_id()))
    assert [rent.is_soroban_entry(k) for k in (persistent, temporary, code, account)] == [True, True, True, False]
    assert [rent.is_persistent_entry(k) for k in (persistent, temporary, code, account)] == [True, False, True, False]
    assert [rent.is_temporary_entry(k) for k in (persistent, temporary, code, account)] == [False, True, False, False]
    assert [rent.is_contract_code_entry(k) for k in (persistent, temporary, code, account)] == [False, False, True, False]
    # the same templates take LedgerEntryData
    assert rent.is_temporary_entry(data_entry(CDD.TEMPORARY).data)
    assert rent.is_persistent_entry(code_entry().data)


# ------------------------------------------------- TTL keys and entries

def test_ttl_key_is_sha256_of_the_key_xdr():
    """LedgerTypeUtils.cpp getTTLKey: keyHash = sha256(xdr_to_opaque(key))."""
    k = data_key(CDD.PERSISTENT)
    t = rent.ttl_key(k)
    assert t.type == LT.TTL and t.ttl.keyHash == h.sha256(k.to_xdr())
    assert rent.ttl_key(k.to_xdr()) == t
    assert rent.ttl_key_of_entry(data_entry(CDD.PERSISTENT)) == t


def test_ttl_key_only_for_contract_entries():
    with pytest.raises(ValueError):
        rent.ttl_key(xdr.LedgerKey(account=xdr.LedgerKeyAccount(accountID=h.account_id())))


def test_ttl_entry_is_the_hosts_ttl_entry_size():
    """getTTLEntryForTTLKey; soroban-env-host tests/fees.rs ttl_entry_size:
    a TTL LedgerEntry is TTL_ENTRY_SIZE (48) bytes, what rent charges per
    extension."""
    t = rent.ttl_key(h.code_key(b"\x02" * 32))
    e = rent.ttl_entry_for_ttl_key(t, 1234)
    assert e.data.ttl.keyHash == t.ttl.keyHash and e.data.ttl.liveUntilLedgerSeq == 1234
    assert e.lastModifiedLedgerSeq == 0
    assert len(e.to_xdr()) == fees.TTL_ENTRY_SIZE == 48


def test_is_live_includes_the_live_until_ledger():
    """isLive: liveUntilLedgerSeq >= cutoff (InvokeHostFunctionTests 'entry
    accessible when currentLedger == liveUntilLedger')."""
    e = rent.ttl_entry_for_ttl_key(rent.ttl_key(data_key(CDD.TEMPORARY)), 100)
    assert rent.is_live(e, 99) and rent.is_live(e, 100) and not rent.is_live(e, 101)
    with pytest.raises(ValueError):
        rent.is_live(data_entry(CDD.TEMPORARY), 1)


@pytest.mark.parametrize("name", ["ledger-close-meta-v2-protocol-23-soroban",
                                  "ledger-close-meta-enable-classic-events-v2-protocol-24-soroban"])
def test_ttl_keys_in_stellar_core_meta(name):
    """Every contract data/code entry stellar-core's meta touches comes with
    a TTL entry under our TTL key."""
    lcm = xdr.LedgerCloseMeta.from_xdr(
        shared_path("testdata", "ledger-close-meta-xdr", name + ".xdr").read_bytes()).xdr_value()
    contract_keys, ttl_hashes = set(), set()
    for tp in lcm.txProcessing:
        m = tp.txApplyProcessing.v4
        for changes in [m.txChangesBefore, m.txChangesAfter] + [op.changes for op in m.operations]:
            for c in changes:
                k = change_key(c)
                if k.type == LT.TTL:
                    ttl_hashes.add(bytes(k.ttl.keyHash))
                elif rent.is_soroban_entry(k):
                    contract_keys.add(k.to_xdr())
    assert contract_keys
    assert {rent.ttl_key_hash(k) for k in contract_keys} <= ttl_hashes


# ------------------------------------------------- live-until ledgers

def test_restored_live_until():
    """RestoreFootprintOpFrame / InvokeHostFunction autorestore:
    ledgerSeq + minPersistentTTL - 1, in uint32 (PARITY_TRAPS S13)."""
    assert rent.restored_live_until_ledger(1000, archival(min_persistent=4096)) == 1000 + 4095
    assert rent.restored_live_until_ledger(U32, archival(min_persistent=2)) == 0    # wraps like core
    assert rent.restored_live_until_ledger(5, archival(min_persistent=0)) == 4


def test_extended_live_until_and_skip_rule():
    """ExtendFootprintTTLOpFrame: target = ledgerSeq + extendTo; entries whose
    live-until is already >= the target are skipped (InvokeHostFunctionTests
    'conditional TTL extension': no change for key3)."""
    assert rent.extended_live_until_ledger(50, 10_100) == 10_150
    assert rent.extended_live_until_ledger(U32, 1) == 0
    assert rent.extends_ttl(10_149, 10_150)
    assert not rent.extends_ttl(10_150, 10_150) and not rent.extends_ttl(60_000, 10_150)


def test_min_and_max_live_until_host_rule():
    """soroban-env-host ledger_info.rs: seq + (ttl - 1 saturating at 0),
    failing past u32; stellar-core 'TTL threshold': a new persistent entry
    lives until LCL + minPersistentTTL - 1."""
    s = archival(min_persistent=4096, min_temp=16, max_ttl=535_680)
    assert rent.min_live_until_ledger(1000, s, persistent=True) == 1000 + 4095
    assert rent.min_live_until_ledger(1000, s, persistent=False) == 1000 + 15
    assert rent.max_live_until_ledger(1000, s) == 1000 + 535_679
    assert rent.min_live_until_ledger(1000, archival(min_persistent=0), persistent=True) == 1000
    assert rent.min_live_until_ledger(U32, s, persistent=False) is None
    assert rent.max_live_until_ledger(U32 - 535_679, s) == U32
    assert rent.max_live_until_ledger(U32 - 535_678, s) is None


# ------------------------------------------------- sizes and rent changes

def test_data_entry_rent_size_is_its_xdr_size():
    e = data_entry(CDD.PERSISTENT)
    size = len(e.to_xdr())
    assert rent.ledger_entry_size_for_rent(e, size, 25, NO_COST_PARAMS) == size


def test_code_entry_before_p23_is_its_xdr_size():
    """ledgerEntrySizeForRent: the module memory counts from protocol 23 only."""
    e = code_entry()
    assert rent.ledger_entry_size_for_rent(e, 77, 22, NO_COST_PARAMS) == 77


def test_code_entry_rent_size_capped_at_uint32(monkeypatch):
    """ledgerEntrySizeForRent: min(xdr size + memory size, UINT32_MAX) in uint64."""
    monkeypatch.setattr(bridge, "contract_code_memory_size_for_rent", lambda *a: U32 - 10)
    cfg = types.SimpleNamespace(cpu_cost_params=b"", mem_cost_params=b"")
    assert rent.ledger_entry_size_for_rent(code_entry(), 10, 23, cfg) == U32
    assert rent.ledger_entry_size_for_rent(code_entry(), 11, 23, cfg) == U32
    assert rent.ledger_entry_size_for_rent(code_entry(), 9, 23, cfg) == U32 - 1


def test_cost_params_passed_as_xdr(monkeypatch):
    """The host gets the on-chain cost params (SorobanNetworkConfig's
    cpu/mem_cost_params_xdr, or raw params) and the ledger's protocol."""
    seen = []
    monkeypatch.setattr(bridge, "contract_code_memory_size_for_rent",
                        lambda proto, entry, cpu, mem: seen.append((proto, cpu, mem)) or 5)
    cpu = [xdr.ContractCostParamEntry(constTerm=1, linearTerm=2)]
    cfg = types.SimpleNamespace(cpu_cost_params=cpu, mem_cost_params=b"mem")
    assert rent.ledger_entry_size_for_rent(code_entry(), 10, 24, cfg) == 15
    assert seen == [(24, xdr.ContractCostParams.to_xdr(cpu), b"mem")]
    seen.clear()
    cfg2 = types.SimpleNamespace(cpu_cost_params_xdr=lambda: b"c", mem_cost_params_xdr=lambda: b"m")
    rent.ledger_entry_size_for_rent(code_entry(), 10, 25, cfg2)
    assert seen == [(25, b"c", b"m")]


def test_state_size_of_code_uses_at_least_p23(monkeypatch):
    """InMemorySorobanState contractCodeSizeForRent: max(ledgerVersion, 23)."""
    seen = []
    monkeypatch.setattr(bridge, "contract_code_memory_size_for_rent",
                        lambda proto, *a: seen.append(proto) or 100)
    cfg = types.SimpleNamespace(cpu_cost_params=b"", mem_cost_params=b"")
    e = code_entry()
    assert rent.contract_code_size_for_state(e, 21, cfg) == len(e.to_xdr()) + 100
    assert rent.contract_code_size_for_state(e, 25, cfg) == len(e.to_xdr()) + 100
    assert seen == [23, 25]
    with pytest.raises(ValueError):
        rent.contract_code_size_for_state(data_entry(CDD.PERSISTENT), 23, cfg)


@pytest.mark.parametrize("durability,persistent", [(CDD.PERSISTENT, True), (CDD.TEMPORARY, False)])
def test_rent_change_records(durability, persistent):
    """createEntryRentChangeWithoutModification: an extension keeps the size
    and moves the TTL; a restore (no old live-until) is a new entry with old
    size and live-until 0 (PARITY_TRAPS S13)."""
    e = data_entry(durability)
    ext = rent.extension_rent_change(e, 60, 500, 900, 25, NO_COST_PARAMS)
    assert (ext.is_persistent, ext.is_code_entry, ext.old_size_bytes, ext.new_size_bytes,
            ext.old_live_until_ledger, ext.new_live_until_ledger) == (persistent, False, 60, 60, 500, 900)
    res = rent.restoration_rent_change(e, 60, 1099, 25, NO_COST_PARAMS)
    assert (res.is_persistent, res.old_size_bytes, res.new_size_bytes,
            res.old_live_until_ledger, res.new_live_until_ledger) == (persistent, 0, 60, 0, 1099)


def test_code_rent_change_is_persistent_code(monkeypatch):
    monkeypatch.setattr(bridge, "contract_code_memory_size_for_rent", lambda *a: 1000)
    cfg = types.SimpleNamespace(cpu_cost_params=b"", mem_cost_params=b"")
    c = rent.extension_rent_change(code_entry(), 60, 500, 900, 23, cfg)
    assert (c.is_persistent, c.is_code_entry, c.old_size_bytes, c.new_size_bytes) == (True, True, 1060, 1060)


def test_rent_fee_uses_the_network_rent_configuration():
    cfg = types.SimpleNamespace(rent_fee_configuration=lambda: __import__(
        "stellarcore.soroban.bridge_types", fromlist=["x"]).RentFeeConfiguration(500, 1000, 10, 10_000, 100_000))
    ch = rent.extension_rent_change(data_entry(CDD.PERSISTENT), 1, 100_000, 300_000, 25, NO_COST_PARAMS)
    # soroban-env-host tests/fees.rs, 'Minimal size': 20 rent + 24 TTL bytes + 10 TTL write
    assert rent.rent_fee([ch], cfg, 50_000) == 54


# ------------------------------------------------- against the host, end to end

@needs_bridge
@needs_shared
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_new_entries_rent_as_the_host_charges(proto):
    """Upload a Wasm, then create a contract from it: the host writes the
    code entry / the instance entry with TTLs at the minimum persistent
    live-until, and charges rent for them as new entries. Our TTL keys,
    live-until, rent sizes (code: XDR + module memory with the on-chain cost
    params) and rent fee agree with what it did."""
    seq = 1000
    li = h.ledger_info(proto, seq=seq)
    rent_cfg = h.rent_fee_config()
    cfg = types.SimpleNamespace(cpu_cost_params=li.cpu_cost_params, mem_cost_params=li.mem_cost_params,
                                rent_fee_configuration=lambda: rent_cfg)
    settings = archival(min_persistent=li.min_persistent_entry_ttl, min_temp=li.min_temp_entry_ttl,
                        max_ttl=li.max_entry_ttl)
    src = h.account_id()
    wasm = h.read_wasm(h.ADD_I32)
    wh = h.sha256(wasm)
    salt = b"\x0b" * 32
    cid = h.contract_id_from_address(src, salt)
    ledger = h.Ledger()

    def run(fn, resources, auth=()):
        les, ttls = ledger.inputs(resources)
        r = bridge.invoke_host_function(fn, resources, src, li, auth_entries=auth, ledger_entries=les,
                                        ttl_entries=ttls, instruction_limit=resources.instructions,
                                        rent_fee_config=rent_cfg)
        ledger.apply(r.modified_ledger_entries)
        written = [xdr.LedgerEntry.from_xdr(b) for b in r.modified_ledger_entries]
        return r, [e for e in written if e.data.type != LT.TTL], [e for e in written if e.data.type == LT.TTL]

    def expected_rent(entries):
        changes = [rent.rent_change_without_modification(
            e, len(e.to_xdr()), None, rent.min_live_until_ledger(seq, settings, True), proto, cfg)
            for e in entries]
        return fees.compute_rent_fee(changes, rent_cfg, seq)

    for fn, res, auth, kind in [
        (h.upload_fn(wasm), h.resources(read_write=[h.code_key(wh)]), (), LT.CONTRACT_CODE),
        (h.create_fn(src, salt, wh), h.resources(read_only=[h.code_key(wh)], read_write=[h.instance_key(cid)]),
         [h.create_auth(src, salt, wh)], LT.CONTRACT_DATA),
    ]:
        r, entries, ttls = run(fn, res, auth)
        assert [e.data.type for e in entries] == [kind]
        from stellarcore.util.types import ledger_entry_key
        assert [t.data.ttl.keyHash for t in ttls] == [rent.ttl_key(ledger_entry_key(entries[0])).ttl.keyHash]
        assert ttls[0].data.ttl.liveUntilLedgerSeq == rent.min_live_until_ledger(seq, settings, True)
        assert r.rent_fee == expected_rent(entries)
        if kind == LT.CONTRACT_CODE:
            xdr_size = len(entries[0].to_xdr())
            assert rent.ledger_entry_size_for_rent(entries[0], xdr_size, proto, cfg) > xdr_size
