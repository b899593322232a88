"""Test-only Soroban settings, as stellar-core's test harness makes them.

Why: stellar-core's tests (and the LedgerCloseMeta files in ../shared they
wrote) run on a genesis ledger that already has the Soroban settings of its
protocol (`USE_CONFIG_FOR_GENESIS`, SorobanNetworkConfig::
initializeGenesisLedgerForTesting, test build: with the re-calibrated
protocol-20 costs), and `SorobanTest` then raises the limits through a
settings upgrade (overrideSorobanNetworkConfigForTest). Reproducing their
meta needs exactly those entries.

`modify_soroban_network_config` builds the ConfigUpgradeSet the way
stellar-core's TxGenerator does (every upgradeable setting read from the
ledger, the fields `copySorobanNetworkConfigToUpgradeConfig` copies taken
from the modified config, cost params only when changed) and applies it.
stellar-core gets the set onto the ledger with four ledgers of contract
transactions first; that part is not reproduced here.
"""
from __future__ import annotations

import hashlib

from stellarcore import xdr
from stellarcore.soroban import config_upgrade as cu
from stellarcore.soroban import network_config as nc

CS = xdr.ConfigSettingID
_UINT32_MAX = 0xFFFFFFFF

# The re-calibrated protocol-20 costs (updateRecalibratedCostTypesForV20).
RECALIBRATED_V20_CPU_COSTS = (
    ("DispatchHostFunction", 295, 0), ("VisitObject", 60, 0), ("ValSer", 221, 26),
    ("ValDeser", 331, 4369), ("ComputeSha256Hash", 3636, 7013),
    ("ComputeEd25519PubKey", 40256, 0), ("VerifyEd25519Sig", 377551, 4059),
    ("VmInstantiation", 417482, 45712), ("VmCachedInstantiation", 417482, 45712),
    ("InvokeVmFunction", 1945, 0), ("ComputeKeccak256Hash", 6481, 5943),
    ("DecodeEcdsaCurve256Sig", 711, 0), ("RecoverEcdsaSecp256k1Key", 2314804, 0),
    ("Int256AddSub", 4176, 0), ("Int256Mul", 4716, 0), ("Int256Div", 4680, 0),
    ("Int256Pow", 4256, 0), ("Int256Shift", 884, 0), ("ChaCha20DrawBytes", 1059, 502),
)
RECALIBRATED_V20_MEM_COSTS = (
    ("VmInstantiation", 132773, 4903), ("VmCachedInstantiation", 132773, 4903),
)


def update_recalibrated_cost_types_for_v20(ltx):
    """Overwrite the protocol-20 cost types with their re-calibrated values
    (within the current size of each cost-params setting)."""
    def cpu(cs):
        p = cs.contractCostParamsCpuInsns
        cs.contractCostParamsCpuInsns = nc.apply_cost_table(p, len(p), RECALIBRATED_V20_CPU_COSTS)

    def mem(cs):
        p = cs.contractCostParamsMemBytes
        cs.contractCostParamsMemBytes = nc.apply_cost_table(p, len(p), RECALIBRATED_V20_MEM_COSTS)

    child = nc._child_ltx(ltx)
    for sid, update in ((CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS, cpu),
                        (CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_MEMORY_BYTES, mem)):
        le = child.load(nc.config_setting_key(sid))
        if le is None:
            child.rollback()
            raise nc.NetworkConfigError(f"missing CONFIG_SETTING entry {CS(sid).name}")
        update(le.data.configSetting)
    child.commit()


def initialize_genesis_ledger_for_testing(genesis_protocol: int, ltx, overrides=nc.PRODUCTION,
                                          initial_state_size: int = 0):
    """SorobanNetworkConfig::initializeGenesisLedgerForTesting (test build):
    the settings of every protocol up to `genesis_protocol`, created in
    `ltx` whose header is the genesis header (ledgerSeq 1). The protocol-20
    entries are created with the header temporarily at 20, as stellar-core
    does. `initial_state_size` is the (empty) bucket list's size: 0."""
    header = ltx.header
    if genesis_protocol >= nc.SOROBAN_PROTOCOL_VERSION:
        header.ledgerVersion = nc.SOROBAN_PROTOCOL_VERSION
        nc.create_ledger_entries_for_v20(ltx, initial_state_size, overrides)
        update_recalibrated_cost_types_for_v20(ltx)
        header.ledgerVersion = genesis_protocol
    if genesis_protocol >= 21:
        nc.create_cost_types_for_v21(ltx)
    if genesis_protocol >= 22:
        nc.create_cost_types_for_v22(ltx)
    if genesis_protocol >= 23:
        nc.create_and_update_ledger_entries_for_v23(ltx)
    if genesis_protocol >= 25:
        nc.create_cost_types_for_v25(ltx)


def set_soroban_network_config_for_test(cfg, ledger_version=None):
    """setSorobanNetworkConfigForTest: the limits SorobanTest runs with
    (mutates `cfg`, a SorobanNetworkConfig)."""
    cfg.max_contract_size_bytes = 64 * 1024
    cfg.max_contract_data_entry_size_bytes = 64 * 1024
    cfg.tx_max_size_bytes = 100 * 1024
    cfg.ledger_max_transaction_sizes_bytes = cfg.tx_max_size_bytes * 10
    cfg.tx_max_instructions = 100_000_000
    cfg.ledger_max_instructions = cfg.tx_max_instructions * 10
    cfg.tx_memory_limit = 100 * 1024 * 1024
    cfg.tx_max_disk_read_entries = 40
    cfg.tx_max_disk_read_bytes = 200 * 1024
    cfg.tx_max_write_ledger_entries = 20
    cfg.tx_max_write_bytes = 100 * 1024
    cfg.ledger_max_disk_read_entries = cfg.tx_max_disk_read_entries * 10
    cfg.ledger_max_disk_read_bytes = cfg.tx_max_disk_read_bytes * 10
    cfg.ledger_max_write_ledger_entries = cfg.tx_max_write_ledger_entries * 10
    cfg.ledger_max_write_bytes = cfg.tx_max_write_bytes * 10
    cfg.state_archival_settings.minPersistentTTL = 20
    cfg.state_archival_settings.maxEntryTTL = 6_312_000
    cfg.ledger_max_tx_count = 100
    cfg.tx_max_contract_events_size_bytes = 10_000
    if ledger_version is None or ledger_version >= 23:
        cfg.tx_max_footprint_entries = cfg.tx_max_disk_read_entries


def _apply_copied_fields(setting, u):
    """Set on `setting` the fields copySorobanNetworkConfigToUpgradeConfig
    takes from the modified config `u`; returns False for a cost-params
    setting (decided by the caller)."""
    sid = setting.xdr_disc()
    if sid == CS.CONFIG_SETTING_CONTRACT_MAX_SIZE_BYTES:
        setting.contractMaxSizeBytes = u.max_contract_size_bytes
    elif sid == CS.CONFIG_SETTING_CONTRACT_COMPUTE_V0:
        c = setting.contractCompute
        c.ledgerMaxInstructions = u.ledger_max_instructions
        c.txMaxInstructions = u.tx_max_instructions
        c.feeRatePerInstructionsIncrement = u.fee_rate_per_instructions_increment
        c.txMemoryLimit = u.tx_memory_limit
    elif sid == CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_V0:
        c = setting.contractLedgerCost
        c.ledgerMaxDiskReadEntries = u.ledger_max_disk_read_entries
        c.ledgerMaxDiskReadBytes = u.ledger_max_disk_read_bytes
        c.ledgerMaxWriteLedgerEntries = u.ledger_max_write_ledger_entries
        c.ledgerMaxWriteBytes = u.ledger_max_write_bytes
        c.txMaxDiskReadEntries = u.tx_max_disk_read_entries
        c.txMaxDiskReadBytes = u.tx_max_disk_read_bytes
        c.txMaxWriteLedgerEntries = u.tx_max_write_ledger_entries
        c.txMaxWriteBytes = u.tx_max_write_bytes
        c.feeDiskReadLedgerEntry = u.fee_disk_read_ledger_entry
        c.feeWriteLedgerEntry = u.fee_write_ledger_entry
        c.feeDiskRead1KB = u.fee_disk_read_1kb
        c.rentFee1KBSorobanStateSizeLow = u.rent_fee_1kb_soroban_state_size_low
        c.rentFee1KBSorobanStateSizeHigh = u.rent_fee_1kb_soroban_state_size_high
    elif sid == CS.CONFIG_SETTING_CONTRACT_HISTORICAL_DATA_V0:
        setting.contractHistoricalData.feeHistorical1KB = u.fee_historical_1kb
    elif sid == CS.CONFIG_SETTING_CONTRACT_EVENTS_V0:
        setting.contractEvents.txMaxContractEventsSizeBytes = u.tx_max_contract_events_size_bytes
    elif sid == CS.CONFIG_SETTING_CONTRACT_BANDWIDTH_V0:
        b = setting.contractBandwidth
        b.ledgerMaxTxsSizeBytes = u.ledger_max_transaction_sizes_bytes
        b.txMaxSizeBytes = u.tx_max_size_bytes
        b.feeTxSize1KB = u.fee_transaction_size_1kb
    elif sid == CS.CONFIG_SETTING_CONTRACT_DATA_KEY_SIZE_BYTES:
        setting.contractDataKeySizeBytes = u.max_contract_data_key_size_bytes
    elif sid == CS.CONFIG_SETTING_CONTRACT_DATA_ENTRY_SIZE_BYTES:
        setting.contractDataEntrySizeBytes = u.max_contract_data_entry_size_bytes
    elif sid == CS.CONFIG_SETTING_STATE_ARCHIVAL:
        setting.stateArchivalSettings = u.state_archival_settings.copy()
    elif sid == CS.CONFIG_SETTING_CONTRACT_EXECUTION_LANES:
        setting.contractExecutionLanes.ledgerMaxTxCount = u.ledger_max_tx_count
    elif sid == CS.CONFIG_SETTING_CONTRACT_PARALLEL_COMPUTE_V0:
        setting.contractParallelCompute.ledgerMaxDependentTxClusters = u.ledger_max_dependent_tx_clusters
    elif sid == CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_EXT_V0:
        e = setting.contractLedgerCostExt
        e.txMaxFootprintEntries = u.tx_max_footprint_entries
        e.feeWrite1KB = u.fee_flat_rate_write_1kb
    elif sid == CS.CONFIG_SETTING_SCP_TIMING:
        t = setting.contractSCPTiming
        t.ledgerTargetCloseTimeMilliseconds = u.ledger_target_close_time_milliseconds
        t.nominationTimeoutInitialMilliseconds = u.nomination_timeout_initial_milliseconds
        t.nominationTimeoutIncrementMilliseconds = u.nomination_timeout_increment_milliseconds
        t.ballotTimeoutInitialMilliseconds = u.ballot_timeout_initial_milliseconds
        t.ballotTimeoutIncrementMilliseconds = u.ballot_timeout_increment_milliseconds


def upgrade_set_for_modified_config(ltx, base, updated) -> "xdr.ConfigUpgradeSet":
    """The ConfigUpgradeSet stellar-core's test harness builds to move the
    ledger from `base` to `updated` (TxGenerator::
    getConfigUpgradeSetFromLoadConfig): every upgradeable setting in ID
    order, the p23 ones only when present, cost params only if changed."""
    entries = []
    for sid in CS:
        if nc.is_non_upgradeable_config_setting_entry(sid):
            continue
        current = nc.read_config_setting(ltx, sid, required=False)
        if current is None:
            if sid in (CS.CONFIG_SETTING_CONTRACT_PARALLEL_COMPUTE_V0,
                       CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_EXT_V0, CS.CONFIG_SETTING_SCP_TIMING):
                continue
            raise nc.NetworkConfigError(f"missing CONFIG_SETTING entry {sid.name}")
        setting = current.copy()
        if sid == CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS:
            if base.cpu_cost_params == updated.cpu_cost_params:
                continue
            setting.contractCostParamsCpuInsns = [p.copy() for p in updated.cpu_cost_params]
        elif sid == CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_MEMORY_BYTES:
            if base.mem_cost_params == updated.mem_cost_params:
                continue
            setting.contractCostParamsMemBytes = [p.copy() for p in updated.mem_cost_params]
        else:
            _apply_copied_fields(setting, updated)
        entries.append(setting)
    return xdr.ConfigUpgradeSet(updatedEntry=entries)


def modify_soroban_network_config(ltx, modify, recompute_state_size=None):
    """modifySorobanNetworkConfig's effect on the settings: `modify(cfg)`
    changes a copy of the current SorobanNetworkConfig, the resulting set
    must be valid for apply, and is applied to `ltx`. Returns the set."""
    base = nc.SorobanNetworkConfig.load_from_ledger(ltx)
    updated = base.copy()
    modify(updated)
    upgrade_set = upgrade_set_for_modified_config(ltx, base, updated)
    key = xdr.ConfigUpgradeSetKey(contractID=b"\0" * 32,
                                  contentHash=hashlib.sha256(upgrade_set.to_xdr()).digest())
    frame = cu.ConfigUpgradeSetFrame(upgrade_set, key, ltx.get_header().ledgerVersion)
    validity = frame.is_valid_for_apply()
    if validity != cu.UpgradeValidity.VALID:
        raise nc.NetworkConfigError(f"the modified config is not a valid upgrade ({validity.name})")
    frame.apply_to(ltx, recompute_state_size)
    return upgrade_set


def override_for_test(ltx, recompute_state_size=None):
    """overrideSorobanNetworkConfigForTest (SorobanTest's default
    useTestLimits): raise the limits to set_soroban_network_config_for_test's."""
    version = ltx.get_header().ledgerVersion
    return modify_soroban_network_config(
        ltx, lambda cfg: set_soroban_network_config_for_test(cfg, version), recompute_state_size)


def store_config_upgrade_set(ltx, upgrade_set, *, expired=False,
                             durability=xdr.ContractDataDurability.TEMPORARY,
                             contract_id=hashlib.sha256(b"contract_id").digest()):
    """Put `upgrade_set` on the ledger as stellar-core's test helper
    makeConfigUpgradeSet does (a CONTRACT_DATA entry plus its TTL, live
    forever or already expired); returns its ConfigUpgradeSetKey."""
    raw = upgrade_set.to_xdr() if hasattr(upgrade_set, "to_xdr") else bytes(upgrade_set)
    content_hash = hashlib.sha256(raw).digest()
    data = xdr.ContractDataEntry(
        ext=xdr.ExtensionPoint(0), contract=xdr.SCAddress(contractId=contract_id),
        key=xdr.SCVal(bytes=content_hash), durability=durability, val=xdr.SCVal(bytes=raw))
    le = xdr.LedgerEntry(lastModifiedLedgerSeq=0, data=xdr.LedgerEntryData(contractData=data),
                         ext=xdr.LedgerEntryExt(0))
    lk = xdr.LedgerKey(contractData=xdr.LedgerKeyContractData(
        contract=data.contract, key=data.key, durability=durability)).to_xdr()
    ttl = xdr.LedgerEntry(lastModifiedLedgerSeq=0, data=xdr.LedgerEntryData(ttl=xdr.TTLEntry(
        keyHash=cu.ttl_key_of(lk)[4:], liveUntilLedgerSeq=0 if expired else _UINT32_MAX)),
        ext=xdr.LedgerEntryExt(0))
    ltx.create(le)
    ltx.create(ttl)
    return xdr.ConfigUpgradeSetKey(contractID=contract_id, contentHash=content_hash)
