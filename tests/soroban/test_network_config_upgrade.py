"""ConfigUpgradeSet: finding it on the ledger, validity, applying it, and
stellar-core's soroban-settings JSON files. Scenarios from stellar-core
v25.0.1 src/herder/test/UpgradesTests.cpp ("config upgrade validation",
"config upgrade validation for protocol 23", "config upgrades applied to
ledger", "upgrade state size window", "upgrades affect in-memory Soroban
state state size"); settings files from ../shared (stellar-core's
soroban-settings/)."""
import hashlib
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from stellarcore import xdr
from stellarcore.soroban import config_upgrade as cu
from stellarcore.soroban import network_config as nc
from stellarcore.soroban import network_config_testing as nct
from tests.conftest import shared_path
from tests.soroban._netcfg import CS, config, genesis_root, next_ledger, set_window, setting, window

V = cu.UpgradeValidity
SETTINGS_FILES = ["pubnet_phase%d.json" % i for i in range(1, 8)] + [
    "testnet_settings_enable_upgrades.json", "testnet_settings_upgrade.json"]


def _max_size_set(n):
    return xdr.ConfigUpgradeSet(updatedEntry=[xdr.ConfigSettingEntry(contractMaxSizeBytes=n)])


def _stored(root, upgrade_set, **kw):
    """makeConfigUpgradeSet: store the set, return its frame (or None)."""
    ltx = next_ledger(root)
    key = nct.store_config_upgrade_set(ltx, upgrade_set, **kw)
    ltx.commit()
    return key, cu.ConfigUpgradeSetFrame.make_from_key(root, key)


def _apply(root, frame, recompute=None):
    ltx = next_ledger(root)
    assert frame.is_valid_for_apply() == V.VALID
    frame.apply_to(ltx, recompute)
    ltx.commit()


# ------------------------------------------------------------------ "config upgrade validation"

@pytest.fixture
def p20():
    return genesis_root(20)


def test_expired_or_persistent_entry_gives_no_set(p20):
    assert _stored(p20, _max_size_set(32768), expired=True)[1] is None
    assert _stored(p20, _max_size_set(32768), durability=xdr.ContractDataDurability.PERSISTENT)[1] is None


def test_valid_set(p20):
    key, frame = _stored(p20, _max_size_set(32768))
    assert frame.is_valid_for_apply() == V.VALID
    assert frame.key == key and frame.ledger_version == 20
    assert cu.parse_config_upgrade_set(base64_decode(frame.encode_as_string())) == _max_size_set(32768)


def base64_decode(s):
    import base64
    return base64.b64decode(s)


def test_unknown_key_gives_no_set(p20):
    key = xdr.ConfigUpgradeSetKey(contractID=b"\5" * 32, contentHash=b"\5" * 32)
    assert cu.ConfigUpgradeSetFrame.make_from_key(p20, key) is None


@pytest.mark.parametrize("entries", [
    [],                                                            # no updated entries
    [xdr.ConfigSettingEntry(contractMaxSizeBytes=3000)] * 2,       # duplicate entries
    [xdr.ConfigSettingEntry(contractDataKeySizeBytes=300),         # not ordered
     xdr.ConfigSettingEntry(contractMaxSizeBytes=3000)],
])
def test_bad_xdr(p20, entries):
    _, frame = _stored(p20, xdr.ConfigUpgradeSet(updatedEntry=entries))
    assert frame.is_valid_for_apply() == V.XDR_INVALID


def test_hash_must_match(p20):
    s = _max_size_set(32768)
    frame = cu.ConfigUpgradeSetFrame(s, xdr.ConfigUpgradeSetKey(contractID=b"\0" * 32, contentHash=b"\1" * 32), 20)
    assert frame.is_valid_for_apply() == V.XDR_INVALID


def test_invalid_deserialization_gives_no_set(p20):
    # the stored bytes are not a ConfigUpgradeSet
    _, frame = _stored(p20, b"\x07" * 32)
    assert frame is None


def test_bad_value_and_non_upgradeable(p20):
    assert _stored(p20, _max_size_set(0))[1].is_valid_for_apply() == V.INVALID
    window_set = xdr.ConfigUpgradeSet(updatedEntry=[xdr.ConfigSettingEntry(liveSorobanStateSizeWindow=[1])])
    assert _stored(p20, window_set)[1].is_valid_for_apply() == V.INVALID


def test_consistency_with_the_scheduled_upgrade(p20):
    _, a = _stored(p20, _max_size_set(32768))
    _, b = _stored(p20, _max_size_set(12345))
    assert a.is_consistent_with(cu.ConfigUpgradeSetFrame.make_from_key(p20, a.key))
    assert not a.is_consistent_with(b)
    assert not a.is_consistent_with(None)


@pytest.mark.parametrize("protocol,clusters,expected", [(23, 10, V.VALID), (22, 10, V.INVALID), (23, 0, V.INVALID)])
def test_parallel_compute_upgrade_validity(protocol, clusters, expected):
    # "config upgrade validation for protocol 23"
    root = genesis_root(protocol)
    s = xdr.ConfigUpgradeSet(updatedEntry=[xdr.ConfigSettingEntry(
        contractParallelCompute=xdr.ConfigSettingContractParallelComputeV0(ledgerMaxDependentTxClusters=clusters))])
    assert _stored(root, s)[1].is_valid_for_apply() == expected


def test_no_ttl_entry_is_an_invariant_violation(p20):
    ltx = next_ledger(p20)
    key = nct.store_config_upgrade_set(ltx, _max_size_set(32768))
    lk = cu.config_upgrade_set_ledger_key(key).to_xdr()
    ltx.erase(cu.ttl_key_of(lk))
    with pytest.raises(nc.NetworkConfigError):
        cu.ConfigUpgradeSetFrame.make_from_key(ltx, key)


def test_ttl_live_until_the_current_ledger_is_live(p20):
    ltx = next_ledger(p20, 50)
    key = nct.store_config_upgrade_set(ltx, _max_size_set(32768))
    ttl = ltx.load(cu.ttl_key_of(cu.config_upgrade_set_ledger_key(key).to_xdr()))
    ttl.data.ttl.liveUntilLedgerSeq = 50
    assert cu.ConfigUpgradeSetFrame.make_from_key(ltx, key) is not None
    ltx.header.ledgerSeq = 51
    assert cu.ConfigUpgradeSetFrame.make_from_key(ltx, key) is None


# ------------------------------------------------------------------ "config upgrades applied to ledger"

def test_known_set_is_applied_and_needed_only_once(p20):
    _, frame = _stored(p20, _max_size_set(32768))
    assert frame.upgrade_needed(p20)
    _apply(p20, frame)
    assert config(p20).max_contract_size_bytes == 32768
    assert not frame.upgrade_needed(p20)
    le = p20.entries[nc.config_setting_key(CS.CONFIG_SETTING_CONTRACT_MAX_SIZE_BYTES)]
    assert le.lastModifiedLedgerSeq == p20.header.ledgerSeq


def test_upgrade_not_needed_before_soroban():
    from stellarcore.ledger.ledger_txn import InMemoryRoot
    frame = cu.ConfigUpgradeSetFrame(_max_size_set(32768), xdr.ConfigUpgradeSetKey(), 19)
    assert not frame.upgrade_needed(InMemoryRoot(xdr.LedgerHeader(ledgerVersion=19)))


def test_multi_item_set(p20):
    m = nc.MinimumSorobanNetworkConfig
    s = xdr.ConfigUpgradeSet(updatedEntry=[
        xdr.ConfigSettingEntry(contractCompute=xdr.ConfigSettingContractComputeV0(
            ledgerMaxInstructions=m.TX_MAX_INSTRUCTIONS, txMaxInstructions=m.TX_MAX_INSTRUCTIONS,
            feeRatePerInstructionsIncrement=111, txMemoryLimit=m.MEMORY_LIMIT)),
        xdr.ConfigSettingEntry(contractHistoricalData=xdr.ConfigSettingContractHistoricalDataV0(feeHistorical1KB=555)),
    ])
    _apply(p20, _stored(p20, s)[1])
    cfg = config(p20)
    assert (cfg.fee_rate_per_instructions_increment, cfg.fee_historical_1kb) == (111, 555)
    assert cfg.ledger_max_instructions == cfg.tx_max_instructions == m.TX_MAX_INSTRUCTIONS


def test_value_below_minimum_is_rejected(p20):
    def set_tx_max_write_bytes(v):
        lc = setting(p20, CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_V0).copy()
        lc.contractLedgerCost.txMaxWriteBytes = v
        return _stored(p20, xdr.ConfigUpgradeSet(updatedEntry=[lc]))[1]

    _apply(p20, set_tx_max_write_bytes(3200))
    assert set_tx_max_write_bytes(3199).is_valid_for_apply() == V.INVALID
    assert config(p20).tx_max_write_bytes == 3200


def _sample_size_set(root, n):
    sas = setting(root, CS.CONFIG_SETTING_STATE_ARCHIVAL).copy()
    sas.stateArchivalSettings.liveSorobanStateSizeWindowSampleSize = n
    return xdr.ConfigUpgradeSet(updatedEntry=[sas])


@pytest.mark.parametrize("new_size,expected", [
    (20, list(range(10, 30))),                       # "decrease size": the 10 oldest dropped
    (40, [0] * 11 + list(range(1, 30))),            # "increase size": 10 copies of the oldest
])
def test_window_sample_size_upgrade(new_size, expected):
    root = genesis_root(20)
    set_window(root, range(30))
    _apply(root, _stored(root, _sample_size_set(root, new_size))[1])
    assert window(root) == expected
    assert config(root).average_soroban_state_size == sum(expected) // new_size


@pytest.mark.parametrize("new_size", [0, 30])
def test_window_sample_size_upgrade_without_effect(new_size):
    # "upgrade size to 0" (invalid) and "upgrade to same size"
    root = genesis_root(20)
    set_window(root, range(30))
    _, frame = _stored(root, _sample_size_set(root, new_size))
    if frame.is_valid_for_apply() == V.VALID:
        ltx = next_ledger(root)
        frame.apply_to(ltx)
        # same size: the window entry is not even loaded
        assert nc.config_setting_key(CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW) not in [
            k for k, _, _ in ltx.get_delta()]
        ltx.commit()
    assert window(root) == list(range(30))
    assert config(root).state_archival_settings.liveSorobanStateSizeWindowSampleSize == 30


def test_upgrade_state_size_window_scenario():
    # UpgradesTests "upgrade state size window": after one snapshot of
    # 81297 the window is 29 zeros and the size; an upgrade to 11 samples
    # keeps 10 zeros and the size.
    root = genesis_root(25)
    ltx = next_ledger(root, 64)
    nc.maybe_snapshot_soroban_state_size(64, 81297, ltx)
    ltx.commit()
    assert window(root) == [0] * 29 + [81297]
    ltx = next_ledger(root)
    nct.modify_soroban_network_config(
        ltx, lambda c: setattr(c.state_archival_settings, "liveSorobanStateSizeWindowSampleSize", 11))
    ltx.commit()
    assert window(root) == [0] * 10 + [81297]
    assert config(root).average_soroban_state_size == 81297 // 11


@pytest.mark.parametrize("protocol", [22, 23])
def test_memory_cost_upgrade_recomputes_the_state_size(protocol):
    # "upgrades affect in-memory Soroban state state size": the in-memory
    # size is recomputed with the new memory costs; from p23 every window
    # slot becomes that size, in p22 the window is unchanged.
    root = genesis_root(protocol)
    set_window(root, range(30))
    seen = []

    def recompute(cfg, version):
        seen.append((cfg.mem_cost_params[xdr.ContractCostType.ParseWasmInstructions].constTerm, version))
        return 31337

    def double(cfg):
        p = cfg.mem_cost_params[xdr.ContractCostType.ParseWasmInstructions]
        p.constTerm *= 2
        p.linearTerm *= 2

    ltx = next_ledger(root)
    upgrade_set = nct.modify_soroban_network_config(ltx, double, recompute)
    ltx.commit()
    assert CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_MEMORY_BYTES in [e.xdr_disc() for e in upgrade_set.updatedEntry]
    assert CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS not in [e.xdr_disc() for e in upgrade_set.updatedEntry]
    assert seen == [(17564 * 2, protocol)]   # the settings already upgraded
    assert window(root) == ([31337] * 30 if protocol >= 23 else list(range(30)))
    with pytest.raises(nc.NetworkConfigError):   # the recomputation is required
        nct.modify_soroban_network_config(next_ledger(root), double)


def test_memory_and_window_size_upgrade_together():
    # "upgrade memory settings and window size in p23": resize, then overwrite
    root = genesis_root(23)

    def both(cfg):
        cfg.state_archival_settings.liveSorobanStateSizeWindowSampleSize = 60
        cfg.mem_cost_params[xdr.ContractCostType.ParseWasmInstructions].linearTerm *= 3

    ltx = next_ledger(root)
    nct.modify_soroban_network_config(ltx, both, lambda c, v: 99)
    ltx.commit()
    assert window(root) == [99] * 60


# ------------------------------------------------------------------ the settings files

def _load_json(name):
    return json.loads(shared_path("testdata", "soroban-settings", name).read_text())


@pytest.mark.parametrize("name", SETTINGS_FILES)
def test_settings_file_parses_and_round_trips(name):
    upgrade_set = cu.config_upgrade_set_from_json(_load_json(name))
    raw = upgrade_set.to_xdr()
    assert cu.parse_config_upgrade_set(raw) == upgrade_set
    # XDR -> JSON (current names) -> XDR
    assert cu.config_upgrade_set_from_json(cu.config_upgrade_set_to_json(upgrade_set)) == upgrade_set
    ids = [int(e.xdr_disc()) for e in upgrade_set.updatedEntry]
    assert ids == sorted(set(ids))   # valid XDR for a ConfigUpgradeSet
    protocols = [v for v in range(20, 26)
                 if all(nc.is_valid_config_setting_entry(e, v) for e in upgrade_set.updatedEntry)]
    if name == "pubnet_phase1.json":
        assert protocols == [20]         # 23 cost types
    elif name == "testnet_settings_upgrade.json":
        assert protocols == [23, 24]     # 70 cost types and the p23 settings
    else:
        assert protocols == list(range(20, 26))


@pytest.mark.parametrize("name", ["testnet_settings_upgrade.json", "testnet_settings_enable_upgrades.json"])
def test_current_format_files_are_written_back_byte_for_byte(name):
    text = shared_path("testdata", "soroban-settings", name).read_text()
    upgrade_set = cu.config_upgrade_set_from_json(text)
    assert json.dumps(cu.config_upgrade_set_to_json(upgrade_set), indent=2) == text.rstrip("\n")


def test_pubnet_history_then_protocol_23():
    """Mainnet's settings phases applied through stored ConfigUpgradeSets,
    across version upgrades, then the protocol-23 rent overwrite."""
    root = genesis_root(20)

    def phase(i):
        s = cu.config_upgrade_set_from_json(_load_json(f"pubnet_phase{i}.json"))
        _, frame = _stored(root, s)
        assert frame.upgrade_needed(root)
        _apply(root, frame, recompute=lambda c, v: 0)   # phase 1 carries memory costs
        assert not frame.upgrade_needed(root)

    def version(v):
        ltx = next_ledger(root)
        prev = ltx.header.ledgerVersion
        ltx.header.ledgerVersion = v
        nc.apply_soroban_version_upgrade(ltx, prev, v, recompute_state_size=lambda c, ver: 0)
        ltx.commit()

    for i in (1, 2, 3):
        phase(i)
    version(21)
    for i in (4, 5):
        phase(i)
    version(22)
    for i in (6, 7):
        phase(i)
    cfg = config(root)
    assert cfg.max_contract_size_bytes == 131072           # phase 5
    assert cfg.max_contract_data_key_size_bytes == 250      # phase 4
    assert cfg.ledger_max_instructions == 500_000_000       # phase 2
    assert cfg.ledger_max_disk_read_bytes == 3_500_000      # phase 7
    assert (cfg.tx_max_disk_read_entries, cfg.tx_max_write_ledger_entries) == (100, 50)
    assert cfg.tx_max_contract_events_size_bytes == 16384   # phase 6
    assert cfg.soroban_state_target_size_bytes == 14_500_000_000
    assert (cfg.rent_fee_1kb_soroban_state_size_low, cfg.rent_fee_1kb_soroban_state_size_high) == (8510, 12116)
    assert cfg.soroban_state_rent_fee_growth_factor == 5000
    s = cfg.state_archival_settings
    assert (s.minPersistentTTL, s.persistentRentRateDenominator, s.evictionScanSize) == (2_073_600, 2103, 500_000)
    assert len(cfg.cpu_cost_params) == 70    # phase 1's 23 types, extended by 21 and 22
    assert cfg.cpu_cost_params[xdr.ContractCostType.WasmInsnExec].constTerm == 4
    version(23)
    cfg = config(root)
    assert cfg.soroban_state_target_size_bytes == 3_000_000_000
    assert (cfg.rent_fee_1kb_soroban_state_size_low, cfg.rent_fee_1kb_soroban_state_size_high) == (-17_000, 10_000)
    assert cfg.soroban_state_rent_fee_growth_factor == 5000   # not overwritten
    assert cfg.state_archival_settings.persistentRentRateDenominator == 1215
    assert cfg.tx_max_footprint_entries == 100   # the old txMaxDiskReadEntries
    # testnet's current settings apply at 23, not at 25 (70 cost types)
    testnet = cu.config_upgrade_set_from_json(_load_json("testnet_settings_upgrade.json"))
    _, frame = _stored(root, testnet)
    _apply(root, frame, recompute=lambda c, v: 0)   # carries memory cost params
    assert config(root).ledger_max_dependent_tx_clusters == 2
    version(25)
    root.header.ledgerSeq += 1
    assert cu.ConfigUpgradeSetFrame(testnet, frame.key, 25).is_valid_for_apply() == V.INVALID


@pytest.mark.parametrize("bad,message", [
    ("[]", "updated_entry"),
    ('{"updated_entry": [{"nope": 1}]}', "unknown setting"),
    ('{"updated_entry": [{"contract_max_size_bytes": -1}]}', "out of range"),
    ('{"updated_entry": [{"contract_max_size_bytes": 1.5}]}', "integer"),
    ('{"updated_entry": [{"contract_max_size_bytes": true}]}', "integer"),
    ('{"updated_entry": [{"contract_historical_data_v0": {}}]}', "missing"),
    ('{"updated_entry": [{"contract_historical_data_v0": {"fee_historical1_kb": 1, "x": 2}}]}', "unknown field"),
    ('{"updated_entry": [{"contract_cost_params_cpu_instructions": [{"ext": "v1", "const_term": 1, '
     '"linear_term": 1}]}]}', "v0"),
    ('{"updated_entry": [{"eviction_iterator": {"bucket_list_level": 1, "is_curr_bucket": 1, '
     '"bucket_file_offset": 0}}]}', "true or false"),
    ("{", "not JSON"),
])
def test_json_errors_are_clear(bad, message):
    with pytest.raises(cu.ConfigUpgradeSetError, match=message):
        cu.config_upgrade_set_from_json(bad)


# ------------------------------------------------------------------ parser properties

def _valid_encodings():
    root = genesis_root(25)
    entries = [setting(root, sid).copy() for sid in CS]
    return st.lists(st.sampled_from(entries), max_size=4).map(
        lambda es: xdr.ConfigUpgradeSet(updatedEntry=es).to_xdr())


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), _valid_encodings()), st.data())
def test_parser_never_crashes(raw, data):
    # Truncate or flip bytes of (possibly valid) encodings: either the
    # exact bytes decode (strict decoding re-encodes to the same bytes) or
    # one ConfigUpgradeSetError.
    if raw and data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw = raw[:i] + bytes([raw[i] ^ data.draw(st.integers(1, 255))]) + raw[i + 1:]
    if raw and data.draw(st.booleans()):
        raw = raw[:data.draw(st.integers(0, len(raw)))]
    try:
        s = cu.parse_config_upgrade_set(raw)
    except cu.ConfigUpgradeSetError as e:
        assert str(e).startswith("malformed ConfigUpgradeSet XDR")
    else:
        assert s.to_xdr() == raw


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(st.binary(max_size=120), _valid_encodings()))
def test_stored_bytes_never_crash_make_from_key(raw):
    root = genesis_root(25)
    ltx = next_ledger(root)
    key = nct.store_config_upgrade_set(ltx, raw)
    frame = cu.ConfigUpgradeSetFrame.make_from_key(ltx, key)
    if frame is not None:
        assert frame.to_xdr() == raw
        assert frame.is_valid_for_apply() in (V.VALID, V.INVALID, V.XDR_INVALID)
    ltx.rollback()


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(1 << 70), 1 << 70) | st.floats(allow_nan=False)
    | st.text(max_size=8) | st.sampled_from(["v0", "12", "-3", "contract_max_size_bytes"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["updated_entry", "contract_max_size_bytes", "contract_compute_v0",
                         "ledger_max_instructions", "ext", "const_term", "linear_term",
                         "contract_cost_params_cpu_instructions", "state_archival", "x"]),
        children, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_json_parser_never_crashes(obj):
    try:
        s = cu.config_upgrade_set_from_json(obj)
    except cu.ConfigUpgradeSetError:
        return
    assert cu.parse_config_upgrade_set(s.to_xdr()) == s


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_json_round_trip_of_random_settings(data):
    root = genesis_root(25)
    entries = []
    for sid in sorted(data.draw(st.sets(st.sampled_from(list(CS)), max_size=5))):
        e = setting(root, sid).copy()
        v = e.xdr_value()
        if hasattr(v, "xdr_fields"):
            for attr, cur in v.xdr_fields():
                if isinstance(cur, bool):
                    setattr(v, attr, data.draw(st.booleans()))
                elif isinstance(cur, int):
                    # within every field's range, whatever its sign
                    top = (1 << 63) - 1 if cu._is_64bit(type(v), attr) else (1 << 31) - 1
                    setattr(v, attr, data.draw(st.integers(0, top)))
        entries.append(e)
    s = xdr.ConfigUpgradeSet(updatedEntry=entries)
    assert cu.config_upgrade_set_from_json(json.loads(json.dumps(cu.config_upgrade_set_to_json(s)))) == s
    assert hashlib.sha256(s.to_xdr()).digest() == hashlib.sha256(
        cu.config_upgrade_set_from_json(cu.config_upgrade_set_to_json(s)).to_xdr()).digest()


def test_resize_then_snapshot_on_the_same_ledger():
    # PARITY_TRAPS S12: a sample-size upgrade resizes the window and the
    # shift-and-push of that ledger (taken after the upgrades) still happens.
    root = genesis_root(25)
    set_window(root, range(30))
    ltx = next_ledger(root, 128)
    nct.modify_soroban_network_config(
        ltx, lambda c: setattr(c.state_archival_settings, "liveSorobanStateSizeWindowSampleSize", 5))
    nc.maybe_snapshot_soroban_state_size(128, 1000, ltx)
    ltx.commit()
    assert window(root) == [26, 27, 28, 29, 1000]
