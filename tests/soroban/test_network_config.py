"""SorobanNetworkConfig: the settings protocol upgrades write, loading them,
validity rules, the state-size window. Facts from stellar-core v25.0.1
(src/ledger/NetworkConfig.cpp/.h, src/herder/test/UpgradesTests.cpp,
src/transactions/test/InvokeHostFunctionTests.cpp); fees through the
Soroban host (bridge)."""
import pytest
from hypothesis import given, settings, strategies as st

from stellarcore import xdr
from stellarcore.ledger.ledger_txn import InMemoryRoot
from stellarcore.soroban import bridge, bridge_types as bt
from stellarcore.soroban import network_config as nc
from stellarcore.soroban import network_config_testing as nct
from tests.soroban._netcfg import CS, config, genesis_root, next_ledger, set_window, setting, window

CT = xdr.ContractCostType
I = nc.InitialSorobanNetworkConfig
M = nc.MinimumSorobanNetworkConfig

needs_bridge = pytest.mark.skipif(not bridge.available(), reason=f"Soroban bridge unavailable: "
                                  f"{bridge.unavailable_reason()}")


# ------------------------------------------------------------------ genesis / protocol upgrades

@pytest.mark.parametrize("protocol,count,cost_types", [
    (20, 14, 23), (21, 14, 45), (22, 14, 70), (23, 17, 70), (24, 17, 70), (25, 17, 85)])
def test_genesis_settings_per_protocol(protocol, count, cost_types):
    # UpgradesTests "upgrade to version 25 and check cost types": 70 cost
    # types up to Bls12381FrInv before 25, 85 up to Bn254FrInv from 25.
    root = genesis_root(protocol)
    assert len(root.entries) == count
    cfg = config(root)
    assert len(cfg.cpu_cost_params) == len(cfg.mem_cost_params) == cost_types
    assert cost_types == nc.num_cost_types(protocol)
    # every entry passes isValidConfigSettingEntry at its protocol
    for le in root.entries.values():
        assert nc.is_valid_config_setting_entry(le.data.configSetting, protocol)
        # created in a committed child LedgerTxn, which stamps ledgerSeq 1
        assert le.lastModifiedLedgerSeq == 1


def test_genesis_p25_values_are_the_initial_ones():
    cfg = config(genesis_root(25))
    assert cfg.max_contract_size_bytes == 2_000
    assert cfg.max_contract_data_key_size_bytes == 200
    assert cfg.max_contract_data_entry_size_bytes == 2_000
    assert (cfg.ledger_max_instructions, cfg.tx_max_instructions) == (2_500_000, 2_500_000)
    assert cfg.fee_rate_per_instructions_increment == 100
    assert cfg.tx_memory_limit == 2_000_000
    assert (cfg.tx_max_disk_read_entries, cfg.tx_max_disk_read_bytes) == (3, 3_200)
    assert (cfg.tx_max_write_ledger_entries, cfg.tx_max_write_bytes) == (2, 3_200)
    assert (cfg.fee_disk_read_ledger_entry, cfg.fee_write_ledger_entry, cfg.fee_disk_read_1kb) == (5_000, 20_000, 1_000)
    # Protcol23UpgradedConfig overwrote the rent settings
    assert cfg.soroban_state_target_size_bytes == 3_000_000_000
    assert (cfg.rent_fee_1kb_soroban_state_size_low, cfg.rent_fee_1kb_soroban_state_size_high) == (-17_000, 10_000)
    assert cfg.soroban_state_rent_fee_growth_factor == 1
    s = cfg.state_archival_settings
    assert (s.persistentRentRateDenominator, s.tempRentRateDenominator) == (1_215, 2_430)
    assert (s.maxEntryTTL, s.minPersistentTTL, s.minTemporaryTTL) == (1_054_080, 4_096, 16)
    assert (s.evictionScanSize, s.maxEntriesToArchive, s.startingEvictionScanLevel) == (100_000, 100, 6)
    assert (s.liveSorobanStateSizeWindowSampleSize, s.liveSorobanStateSizeWindowSamplePeriod) == (30, 64)
    assert cfg.fee_historical_1kb == 100
    assert (cfg.tx_max_contract_events_size_bytes, cfg.fee_contract_events_size_1kb) == (200, 200)
    assert (cfg.tx_max_size_bytes, cfg.ledger_max_transaction_sizes_bytes, cfg.fee_transaction_size_1kb) == (
        10_000, 10_000, 2_000)
    assert cfg.ledger_max_tx_count == 1
    assert cfg.ledger_max_dependent_tx_clusters == 1
    # txMaxFootprintEntries starts as the old txMaxDiskReadEntries
    assert cfg.tx_max_footprint_entries == 3
    assert cfg.fee_flat_rate_write_1kb == 3_500
    assert (cfg.ledger_target_close_time_milliseconds, cfg.nomination_timeout_initial_milliseconds,
            cfg.nomination_timeout_increment_milliseconds, cfg.ballot_timeout_initial_milliseconds,
            cfg.ballot_timeout_increment_milliseconds) == (5000, 1000, 1000, 1000, 1000)
    it = cfg.eviction_iterator
    assert (it.bucketListLevel, it.isCurrBucket, it.bucketFileOffset) == (6, True, 0)
    assert cfg.average_soroban_state_size == 0


def test_genesis_p22_rent_settings_are_the_p20_ones():
    cfg = config(genesis_root(22))
    assert cfg.soroban_state_target_size_bytes == 30 * 1024 ** 3
    assert (cfg.rent_fee_1kb_soroban_state_size_low, cfg.rent_fee_1kb_soroban_state_size_high) == (1_000, 10_000)
    assert cfg.state_archival_settings.persistentRentRateDenominator == 252_480
    # p23 settings are not read before p23
    assert cfg.tx_max_footprint_entries == cfg.fee_flat_rate_write_1kb == 0


def test_recalibrated_v20_costs_and_later_overrides():
    p20 = config(genesis_root(20))
    assert (p20.cpu_cost_params[CT.DispatchHostFunction].constTerm, p20.cpu_cost_params[CT.ValDeser].linearTerm) == (295, 4369)
    assert p20.cpu_cost_params[CT.WasmInsnExec].constTerm == 4  # not re-calibrated
    assert (p20.mem_cost_params[CT.VmInstantiation].constTerm, p20.mem_cost_params[CT.VmInstantiation].linearTerm) == (132773, 4903)
    p21 = config(genesis_root(21))
    # v21 re-prices VmCachedInstantiation after the re-calibration
    c = p21.cpu_cost_params[CT.VmCachedInstantiation]
    assert (c.constTerm, c.linearTerm) == (41142, 634)
    assert p21.cpu_cost_params[CT.VmInstantiation].constTerm == 417482
    assert p21.cpu_cost_params[CT.VerifyEcdsaSecp256r1Sig].constTerm == 3000906
    p25 = config(genesis_root(25))
    b = p25.cpu_cost_params[CT.Bn254Pairing]
    assert (b.constTerm, b.linearTerm) == (5263916, 392472814)
    assert p25.mem_cost_params[CT.Bn254FrToU256].constTerm == 312


def test_overrides_change_initial_entries():
    o = nc.SorobanConfigOverrides(soroban_high_limit_override=True, minimum_persistent_entry_lifetime=77,
                                  override_eviction_params=True, eviction_scan_size=5,
                                  max_entries_to_archive=9, starting_eviction_scan_level=2)
    cfg = config(genesis_root(25, o))
    t = nc.TestOverrideSorobanNetworkConfig
    assert cfg.max_contract_size_bytes == 128_000 == t.MAX_CONTRACT_SIZE
    assert cfg.ledger_max_instructions == 25_000_000_000
    assert cfg.tx_max_disk_read_entries == 300 and cfg.ledger_max_disk_read_entries == 30_000
    assert cfg.ledger_max_tx_count == 100
    s = cfg.state_archival_settings
    assert (s.maxEntryTTL, s.minPersistentTTL) == (6_307_200, 77)
    assert (s.evictionScanSize, s.maxEntriesToArchive, s.startingEvictionScanLevel) == (5, 9, 2)
    assert cfg.eviction_iterator.bucketListLevel == 2
    assert cfg.tx_max_footprint_entries == 300


def _pre_soroban_root(seq=10):
    return InMemoryRoot(xdr.LedgerHeader(ledgerVersion=19, ledgerSeq=seq))


def _version_upgrade(root, new, **kw):
    prev = root.header.ledgerVersion
    ltx = next_ledger(root)
    ltx.header.ledgerVersion = new
    nc.apply_soroban_version_upgrade(ltx, prev, new, **kw)
    ltx.commit()


def test_configuration_initialized_in_version_upgrade():
    # UpgradesTests "configuration initialized in version upgrade": the
    # window holds 30 copies of the bucket list size at the upgrade.
    root = _pre_soroban_root()
    assert nc.read_config_setting(root, CS.CONFIG_SETTING_CONTRACT_MAX_SIZE_BYTES, required=False) is None
    _version_upgrade(root, 20, bucket_list_size=123_456)
    assert setting(root, CS.CONFIG_SETTING_CONTRACT_MAX_SIZE_BYTES).contractMaxSizeBytes == I.MAX_CONTRACT_SIZE
    assert window(root) == [123_456] * 30
    assert config(root).average_soroban_state_size == 123_456
    # not re-calibrated on a real upgrade
    assert config(root).cpu_cost_params[CT.DispatchHostFunction].constTerm == 310
    assert {le.lastModifiedLedgerSeq for le in root.entries.values()} == {11}


def test_parallel_and_scp_settings_appear_at_23_and_recompute_state_size():
    # UpgradesTests "parallel Soroban settings upgrade", "protocol 23
    # upgrade sets default SCP timing values"; Upgrades::applyVersionUpgrade
    # recomputes the in-memory state size for every upgrade to 23+.
    root = _pre_soroban_root()
    for v in (20, 21, 22):
        _version_upgrade(root, v)
    assert nc.read_config_setting(root, CS.CONFIG_SETTING_CONTRACT_PARALLEL_COMPUTE_V0, required=False) is None
    calls = []

    def recompute(cfg, version):
        calls.append((cfg.ledger_max_dependent_tx_clusters, version))
        return 4242

    _version_upgrade(root, 23, recompute_state_size=recompute)
    assert calls == [(1, 23)]
    cfg = config(root)
    assert cfg.ledger_max_dependent_tx_clusters == I.LEDGER_MAX_DEPENDENT_TX_CLUSTERS
    assert cfg.ledger_target_close_time_milliseconds == 5000
    assert window(root) == [4242] * 30
    _version_upgrade(root, 24, recompute_state_size=lambda c, v: 7)
    assert window(root) == [7] * 30
    assert len(config(root).cpu_cost_params) == 70
    _version_upgrade(root, 25, recompute_state_size=lambda c, v: 7)
    assert len(config(root).cpu_cost_params) == 85
    with pytest.raises(nc.NetworkConfigError):
        ltx = next_ledger(root)
        ltx.header.ledgerVersion = 26
        nc.apply_soroban_version_upgrade(ltx, 25, 26)  # needs the recomputation


def test_one_jump_upgrade_equals_step_by_step():
    # createLedgerEntriesForV20 validates against 20 so a jump past 20 works.
    a = _pre_soroban_root()
    _version_upgrade(a, 25, recompute_state_size=lambda c, v: 0)
    b = _pre_soroban_root()
    for v in range(20, 26):
        _version_upgrade(b, v, recompute_state_size=lambda c, v: 0)
    assert {k: e.data for k, e in a.entries.items()} == {k: e.data for k, e in b.entries.items()}


def test_version_upgrade_needs_the_new_header_version():
    root = _pre_soroban_root()
    with pytest.raises(nc.NetworkConfigError):
        nc.apply_soroban_version_upgrade(next_ledger(root), 19, 20)


def test_missing_entry_is_an_error():
    root = genesis_root(22)
    del root.entries[nc.config_setting_key(CS.CONFIG_SETTING_CONTRACT_EVENTS_V0)]
    with pytest.raises(nc.NetworkConfigError, match="CONTRACT_EVENTS"):
        config(root)


def test_config_setting_key_equals_xdr_key():
    for sid in CS:
        assert nc.config_setting_key(sid) == xdr.LedgerKey(
            configSetting=xdr.LedgerKeyConfigSetting(configSettingID=sid)).to_xdr()


# ------------------------------------------------------------------ validity

def _entry(**kw):
    return xdr.ConfigSettingEntry(**kw)


def _valid(entry, version=25):
    return nc.is_valid_config_setting_entry(entry, version)


@pytest.fixture(scope="module")
def p25():
    root = genesis_root(25)
    return {sid: setting(root, sid).copy() for sid in CS}


def test_minimums_of_single_values():
    assert _valid(_entry(contractMaxSizeBytes=2000)) and not _valid(_entry(contractMaxSizeBytes=1999))
    assert _valid(_entry(contractDataKeySizeBytes=200)) and not _valid(_entry(contractDataKeySizeBytes=199))
    assert _valid(_entry(contractDataEntrySizeBytes=2000)) and not _valid(_entry(contractDataEntrySizeBytes=1999))
    assert _valid(_entry(contractExecutionLanes=xdr.ConfigSettingContractExecutionLanesV0(ledgerMaxTxCount=0)))
    assert _valid(_entry(liveSorobanStateSizeWindow=[]))
    assert _valid(_entry(evictionIterator=xdr.EvictionIterator()))


@pytest.mark.parametrize("field,value,ok", [
    ("txMaxInstructions", M.TX_MAX_INSTRUCTIONS - 1, False),
    ("ledgerMaxInstructions", 2_499_999, False),     # below txMaxInstructions
    ("txMemoryLimit", M.MEMORY_LIMIT - 1, False),
    ("feeRatePerInstructionsIncrement", -1, False),
    ("feeRatePerInstructionsIncrement", 0, True),
])
def test_compute_rules(p25, field, value, ok):
    e = p25[CS.CONFIG_SETTING_CONTRACT_COMPUTE_V0].copy()
    setattr(e.contractCompute, field, value)
    assert _valid(e) is ok


@pytest.mark.parametrize("field,value,ok", [
    ("txMaxDiskReadEntries", 2, False), ("ledgerMaxDiskReadEntries", 2, False),
    ("txMaxDiskReadBytes", 3199, False), ("ledgerMaxDiskReadBytes", 3199, False),
    ("txMaxWriteLedgerEntries", 1, False), ("ledgerMaxWriteLedgerEntries", 1, False),
    ("txMaxWriteBytes", 3199, False), ("ledgerMaxWriteBytes", 3199, False),
    ("feeDiskReadLedgerEntry", -1, False), ("feeWriteLedgerEntry", -1, False),
    ("feeDiskRead1KB", -1, False), ("sorobanStateTargetSizeBytes", 0, False),
    ("rentFee1KBSorobanStateSizeHigh", -1, False),
    ("rentFee1KBSorobanStateSizeLow", -(1 << 62), True),   # unchecked
    ("sorobanStateRentFeeGrowthFactor", 0, True),
])
def test_ledger_cost_rules(p25, field, value, ok):
    e = p25[CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_V0].copy()
    setattr(e.contractLedgerCost, field, value)
    assert _valid(e) is ok


@pytest.mark.parametrize("field,value,ok", [
    ("maxEntryTTL", M.MAXIMUM_ENTRY_LIFETIME - 1, False),
    ("minTemporaryTTL", 15, False), ("minPersistentTTL", 9, False),
    ("minPersistentTTL", 1_054_080, False),   # maxEntryTTL must exceed it
    ("minTemporaryTTL", 1_054_080, False),
    ("minPersistentTTL", 1_054_079, True),
    ("persistentRentRateDenominator", 0, False), ("tempRentRateDenominator", 0, False),
    ("maxEntriesToArchive", 0, True),
    ("liveSorobanStateSizeWindowSampleSize", 0, False),
    ("liveSorobanStateSizeWindowSamplePeriod", 0, False),
    ("evictionScanSize", 0, True),
    ("startingEvictionScanLevel", 0, False), ("startingEvictionScanLevel", 10, True),
    ("startingEvictionScanLevel", 11, False),
])
def test_state_archival_rules(p25, field, value, ok):
    e = p25[CS.CONFIG_SETTING_STATE_ARCHIVAL].copy()
    setattr(e.stateArchivalSettings, field, value)
    assert _valid(e) is ok


def test_bandwidth_events_historical_rules(p25):
    b = p25[CS.CONFIG_SETTING_CONTRACT_BANDWIDTH_V0].copy()
    b.contractBandwidth.txMaxSizeBytes = 9_999
    assert not _valid(b)
    b.contractBandwidth.txMaxSizeBytes = 20_000   # above ledgerMaxTxsSizeBytes 10,000
    assert not _valid(b)
    b.contractBandwidth.ledgerMaxTxsSizeBytes = 20_000
    assert _valid(b)
    b.contractBandwidth.feeTxSize1KB = -1
    assert not _valid(b)
    ev = p25[CS.CONFIG_SETTING_CONTRACT_EVENTS_V0].copy()
    ev.contractEvents.txMaxContractEventsSizeBytes = 199
    assert not _valid(ev)
    h = _entry(contractHistoricalData=xdr.ConfigSettingContractHistoricalDataV0(feeHistorical1KB=-1))
    assert not _valid(h)


def test_p23_settings_rules(p25):
    pc = _entry(contractParallelCompute=xdr.ConfigSettingContractParallelComputeV0(ledgerMaxDependentTxClusters=10))
    assert _valid(pc, 23) and not _valid(pc, 22)     # UpgradesTests "config upgrade validation for protocol 23"
    for n, ok in ((0, False), (1, True), (127, True), (128, False)):
        pc.contractParallelCompute.ledgerMaxDependentTxClusters = n
        assert _valid(pc, 23) is ok
    ext = p25[CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_EXT_V0].copy()
    assert _valid(ext, 23) and not _valid(ext, 22)
    ext.contractLedgerCostExt.txMaxFootprintEntries = 2
    assert not _valid(ext)
    scp = p25[CS.CONFIG_SETTING_SCP_TIMING].copy()
    assert _valid(scp, 23) and not _valid(scp, 22)
    t = scp.contractSCPTiming
    for field, lo, hi in (("ledgerTargetCloseTimeMilliseconds", 4000, 5000),
                          ("nominationTimeoutInitialMilliseconds", 750, 2500),
                          ("nominationTimeoutIncrementMilliseconds", 750, 2000),
                          ("ballotTimeoutInitialMilliseconds", 750, 2500),
                          ("ballotTimeoutIncrementMilliseconds", 750, 2000)):
        keep = getattr(t, field)
        for v, ok in ((lo - 1, False), (lo, True), (hi, True), (hi + 1, False)):
            setattr(t, field, v)
            assert _valid(scp) is ok, (field, v)
        setattr(t, field, keep)


@pytest.mark.parametrize("version", range(20, 26))
def test_cost_params_size_per_protocol(p25, version):
    cpu = p25[CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS].contractCostParamsCpuInsns
    n = nc.num_cost_types(version)
    assert nc.is_valid_cost_params(cpu[:n], version)
    assert not nc.is_valid_cost_params(cpu[:n - 1], version)
    assert not nc.is_valid_cost_params(cpu[:n] + [cpu[0]], version)
    bad = [p.copy() for p in cpu[:n]]
    bad[3].linearTerm = -1
    assert not nc.is_valid_cost_params(bad, version)


def test_non_upgradeable_settings():
    assert {sid for sid in CS if nc.is_non_upgradeable_config_setting_entry(sid)} == {
        CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW, CS.CONFIG_SETTING_EVICTION_ITERATOR}
    assert nc.is_non_upgradeable_config_setting_entry(_entry(evictionIterator=xdr.EvictionIterator()))


# ------------------------------------------------------------------ the state-size window

def test_snapshot_only_on_sample_ledgers_and_records_only_then():
    root = genesis_root(23)
    set_window(root, range(30))
    ltx = next_ledger(root, 65)
    nc.maybe_snapshot_soroban_state_size(65, 999, ltx)
    assert ltx.get_changes() == []   # not a sample ledger: nothing recorded
    ltx.commit()
    assert window(root) == list(range(30))
    ltx = next_ledger(root, 128)
    nc.maybe_snapshot_soroban_state_size(128, 999, ltx)
    ltx.commit()
    # drop the oldest, append the size (before this ledger's changes)
    assert window(root) == list(range(1, 30)) + [999]
    le = root.entries[nc.config_setting_key(CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW)]
    assert le.lastModifiedLedgerSeq == 128
    assert config(root).average_soroban_state_size == (sum(range(1, 30)) + 999) // 30


def test_snapshot_before_p23_uses_the_bucket_list_size():
    root = genesis_root(22)
    ltx = next_ledger(root, 64)
    with pytest.raises(nc.NetworkConfigError):
        nc.maybe_snapshot_soroban_state_size(64, 5, ltx)
    nc.maybe_snapshot_soroban_state_size(64, 5, ltx, bucket_list_size=77)
    ltx.commit()
    assert window(root) == [0] * 29 + [77]
    # before Soroban nothing happens
    pre = _pre_soroban_root()
    nc.maybe_snapshot_soroban_state_size(64, 5, next_ledger(pre, 64))


def test_sample_period_is_read_from_the_ledger():
    root = genesis_root(25)
    ltx = next_ledger(root, 7)
    ltx.load(nc.config_setting_key(CS.CONFIG_SETTING_STATE_ARCHIVAL)).data.configSetting \
        .stateArchivalSettings.liveSorobanStateSizeWindowSamplePeriod = 7
    nc.maybe_snapshot_soroban_state_size(7, 31, ltx)
    ltx.commit()
    assert window(root)[-1] == 31


def test_window_resize_and_recompute():
    # UpgradesTests "modify liveSorobanStateSizeWindowSampleSize"
    root = genesis_root(25)
    set_window(root, range(30))

    def resize_to(n):
        ltx = next_ledger(root)
        ltx.load(nc.config_setting_key(CS.CONFIG_SETTING_STATE_ARCHIVAL)).data.configSetting \
            .stateArchivalSettings.liveSorobanStateSizeWindowSampleSize = n
        nc.maybe_update_soroban_state_size_window_size(ltx)
        ltx.commit()

    resize_to(20)
    assert window(root) == list(range(10, 30))
    set_window(root, range(30))
    resize_to(40)
    assert window(root) == [0] * 11 + list(range(1, 30))
    assert config(root).average_soroban_state_size == sum(range(1, 30)) // 40
    resize_to(40)   # same size: unchanged
    assert len(window(root)) == 40
    ltx = next_ledger(root)
    nc.update_recomputed_soroban_state_size(555, ltx)
    ltx.commit()
    assert window(root) == [555] * 40


def test_average_saturates_and_needs_samples():
    assert nc.average_state_size([1, 2, 4]) == 2
    top = (1 << 64) - 1
    assert nc.average_state_size([top, top]) == top // 2
    with pytest.raises(nc.NetworkConfigError):
        nc.average_state_size([])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 1 << 40), min_size=1, max_size=50), st.integers(1, 60))
def test_resize_keeps_newest_samples(samples, new_size):
    root = genesis_root(23)
    set_window(root, samples)
    ltx = next_ledger(root)
    ltx.load(nc.config_setting_key(CS.CONFIG_SETTING_STATE_ARCHIVAL)).data.configSetting \
        .stateArchivalSettings.liveSorobanStateSizeWindowSampleSize = new_size
    nc.maybe_update_soroban_state_size_window_size(ltx)
    ltx.commit()
    w = window(root)
    assert len(w) == new_size
    keep = min(new_size, len(samples))
    assert w[new_size - keep:] == samples[len(samples) - keep:]
    assert all(v == samples[0] for v in w[:new_size - keep])


def test_update_eviction_iterator():
    root = genesis_root(25)
    ltx = next_ledger(root, 9)
    nc.update_eviction_iterator(ltx, xdr.EvictionIterator(bucketListLevel=8, isCurrBucket=False,
                                                          bucketFileOffset=1 << 40))
    ltx.commit()
    it = config(root).eviction_iterator
    assert (it.bucketListLevel, it.isCurrBucket, it.bucketFileOffset) == (8, False, 1 << 40)
    assert root.entries[nc.config_setting_key(CS.CONFIG_SETTING_EVICTION_ITERATOR)].lastModifiedLedgerSeq == 9


# ------------------------------------------------------------------ host values

def test_fee_configuration_write_fee_switches_at_23():
    cfg = config(genesis_root(25))
    cfg._fee_rent_1kb = 1234   # as if computed (the p22 host is not linked)
    assert cfg.fee_configuration(23).fee_per_write_1kb == 3_500
    assert cfg.fee_configuration(22).fee_per_write_1kb == 1234
    f = cfg.fee_configuration(25)
    assert (f.fee_per_instruction_increment, f.fee_per_disk_read_entry, f.fee_per_write_entry,
            f.fee_per_disk_read_1kb, f.fee_per_historical_1kb, f.fee_per_contract_event_1kb,
            f.fee_per_transaction_size_1kb) == (100, 5_000, 20_000, 1_000, 100, 200, 2_000)
    r = cfg.rent_fee_configuration()
    assert (r.fee_per_write_1kb, r.fee_per_rent_1kb, r.fee_per_write_entry,
            r.persistent_rent_rate_denominator, r.temporary_rent_rate_denominator) == (3_500, 1234, 20_000, 1_215, 2_430)
    w = cfg.rent_write_fee_configuration()
    assert (w.state_target_size_bytes, w.rent_fee_1kb_state_size_low, w.rent_fee_1kb_state_size_high,
            w.state_size_rent_fee_growth_factor) == (3_000_000_000, -17_000, 10_000, 1)


def test_ledger_info_and_max_resources():
    root = genesis_root(25)
    cfg = config(root)
    h = xdr.LedgerHeader(ledgerVersion=25, ledgerSeq=77, baseReserve=5_000_000)
    h.scpValue.closeTime = 1_700_000_000
    info = cfg.ledger_info(h, b"\x01" * 32)
    assert (info.protocol_version, info.sequence_number, info.timestamp, info.base_reserve) == (
        25, 77, 1_700_000_000, 5_000_000)
    assert (info.memory_limit, info.min_temp_entry_ttl, info.min_persistent_entry_ttl, info.max_entry_ttl) == (
        2_000_000, 16, 4_096, 1_054_080)
    assert xdr.ContractCostParams.from_xdr(info.cpu_cost_params) == cfg.cpu_cost_params
    assert xdr.ContractCostParams.from_xdr(info.mem_cost_params) == cfg.mem_cost_params
    assert cfg.max_ledger_resources() == (1, 2_500_000, 10_000, 3_200, 3_200, 3, 2)
    cfg.ledger_max_dependent_tx_clusters = 4
    assert cfg.max_ledger_resources()[1] == 10_000_000
    cfg.ledger_max_instructions = 1 << 62
    assert cfg.max_ledger_resources()[1] == (1 << 63) - 1   # saturating


def test_copy_and_equality():
    a = config(genesis_root(25))
    b = a.copy()
    assert a == b
    b.state_archival_settings.minPersistentTTL = 11
    assert a != b and a.state_archival_settings.minPersistentTTL == 4_096
    c = a.copy()
    c.cpu_cost_params[0].constTerm = 5
    assert a != c and a.cpu_cost_params[0].constTerm == 4
    d = a.copy()
    d.average_soroban_state_size = 99   # not part of stellar-core's operator==
    assert a == d


@needs_bridge
def test_rent_write_fee_from_the_host():
    # InvokeHostFunctionTests "Soroban non-refundable resource fees are
    # stable": 1000 is the host's minimum rent write fee (a small state).
    cfg = config(genesis_root(25))
    assert cfg.fee_rent_1kb == 1000
    cfg2 = config(genesis_root(25))
    cfg2.average_soroban_state_size = 3_000_000_000
    assert cfg2.fee_rent_1kb == 10_000   # at the target size: the high fee
    cfg3 = config(genesis_root(25))
    cfg3.average_soroban_state_size = 6_000_000_000
    assert cfg3.fee_rent_1kb > 10_000   # past the target it grows


@needs_bridge
@pytest.mark.parametrize("protocol", [23, 24, 25])
def test_non_refundable_fees_are_stable(protocol):
    # InvokeHostFunctionTests "Soroban non-refundable resource fees are
    # stable" (SorobanTest with test limits, then the fee settings changed).
    root = genesis_root(protocol)
    ltx = next_ledger(root)
    nct.override_for_test(ltx)

    def fees(cfg):
        cfg.fee_rate_per_instructions_increment = 1000
        cfg.fee_disk_read_ledger_entry = 2000
        cfg.fee_write_ledger_entry = 3000
        cfg.fee_disk_read_1kb = 4000
        cfg.fee_historical_1kb = 6000
        cfg.fee_transaction_size_1kb = 8000
        cfg.fee_flat_rate_write_1kb = 1000

    nct.modify_soroban_network_config(ltx, fees)
    fee_cfg = config(ltx).fee_configuration(protocol)
    base = 1758 + 16_352

    def non_refundable(**res):
        res.setdefault("transaction_size_bytes", 1196)
        r = bt.TransactionResources(**res)
        return bridge.compute_transaction_resource_fee(protocol, r, fee_cfg)[0]

    assert non_refundable() == base
    assert non_refundable(instructions=12_345_678) == 1_234_568 + base
    # six footprint entries add 216 bytes; from p23 only writes cost (in-memory reads are free)
    assert non_refundable(transaction_size_bytes=1196 + 216) == base + 2954
    assert non_refundable(transaction_size_bytes=1196 + 216, write_entries=6) == base + 2954 + 3000 * 6
    assert non_refundable(disk_read_bytes=5 * 1024 + 1) == 20_004 + base
    assert non_refundable(write_bytes=5 * 1024 + 1) == 5001 + base
