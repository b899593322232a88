"""The Soroban network configuration (stellar-core ledger/NetworkConfig).

Why this exists: every Soroban limit and fee lives in the ledger as one
CONFIG_SETTING entry per `ConfigSettingID` (0..16 in protocol 25), changed
only by protocol upgrades (the `create_*` functions below) and by validator
voted ConfigUpgradeSets (`config_upgrade.py`). `SorobanNetworkConfig` is the
decoded, read-only view the transaction code uses, with stellar-core's
accessor names in snake_case; `fee_configuration`, `rent_fee_configuration`
and `ledger_info` turn it into the values the Soroban host takes.

Ledger access: entries are read through `read_config_setting` (one place),
which accepts our LedgerTxn (`load_without_record`) or any store with
`get_entry(key_bytes)`. Writes always go through a child `LedgerTxn` that
is committed, as stellar-core's helpers open a nested LedgerTxn: a child
commit stamps `lastModifiedLedgerSeq` with the header's ledgerSeq, which is
part of the entry (and of the bucket-list hash).

Host formulas are never reimplemented here: the rent write fee per 1KB
(`fee_rent_1kb`) comes from the host through the bridge, computed on first
use (the bridge hosts protocols 23-25 only).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from stellarcore import xdr
from stellarcore.soroban import bridge_types

CS = xdr.ConfigSettingID
CT = xdr.ContractCostType

SOROBAN_PROTOCOL_VERSION = 20
PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION = 23
# The newest protocol we implement (stellar-core's CURRENT_LEDGER_PROTOCOL_VERSION).
CURRENT_LEDGER_PROTOCOL_VERSION = 25
# LiveBucketList::kNumLevels: the starting eviction level must be below it.
BUCKET_LIST_LEVELS = 11
# A protocol-level cap on ledgerMaxDependentTxClusters (strictly below it).
MAX_LEDGER_DEPENDENT_TX_CLUSTERS = 128

_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1


class NetworkConfigError(RuntimeError):
    """A missing or malformed CONFIG_SETTING entry, or an update stellar-core
    refuses (it throws std::runtime_error / releaseAssertOrThrow there too)."""


# ------------------------------------------------------------- bounds


class MinimumSorobanNetworkConfig:
    """Lower bounds an upgraded setting must respect (isValidConfigSettingEntry)."""
    TX_MAX_READ_LEDGER_ENTRIES = 3
    TX_MAX_READ_BYTES = 3_200
    TX_MAX_WRITE_LEDGER_ENTRIES = 2
    TX_MAX_WRITE_BYTES = 3_200
    TX_MAX_SIZE_BYTES = 10_000
    TX_MAX_INSTRUCTIONS = 2_500_000
    MEMORY_LIMIT = 2_000_000
    MAX_CONTRACT_DATA_KEY_SIZE_BYTES = 200
    MAX_CONTRACT_DATA_ENTRY_SIZE_BYTES = 2_000
    MAX_CONTRACT_SIZE = 2_000
    MINIMUM_TEMP_ENTRY_LIFETIME = 16
    MINIMUM_PERSISTENT_ENTRY_LIFETIME = 10
    MAXIMUM_ENTRY_LIFETIME = 1_054_080  # 61 days
    MAX_ENTRIES_TO_ARCHIVE = 0
    BUCKETLIST_SIZE_WINDOW_SAMPLE_SIZE = 1
    BUCKETLIST_WINDOW_SAMPLE_PERIOD = 1
    EVICTION_SCAN_SIZE = 0
    STARTING_EVICTION_LEVEL = 1
    TX_MAX_CONTRACT_EVENTS_SIZE_BYTES = 200
    LEDGER_TARGET_CLOSE_TIME_MILLISECONDS = 4000
    NOMINATION_TIMEOUT_INITIAL_MILLISECONDS = 750
    NOMINATION_TIMEOUT_INCREMENT_MILLISECONDS = 750
    BALLOT_TIMEOUT_INITIAL_MILLISECONDS = 750
    BALLOT_TIMEOUT_INCREMENT_MILLISECONDS = 750


class MaximumSorobanNetworkConfig:
    """Upper bounds of the SCP timing settings."""
    LEDGER_TARGET_CLOSE_TIME_MILLISECONDS = 5000
    NOMINATION_TIMEOUT_INITIAL_MILLISECONDS = 2500
    NOMINATION_TIMEOUT_INCREMENT_MILLISECONDS = 2000
    BALLOT_TIMEOUT_INITIAL_MILLISECONDS = 2500
    BALLOT_TIMEOUT_INCREMENT_MILLISECONDS = 2000


class InitialSorobanNetworkConfig:
    """Values written when a setting first appears in a protocol upgrade.
    They are part of consensus: never change them."""
    _M = MinimumSorobanNetworkConfig
    MAX_CONTRACT_SIZE = _M.MAX_CONTRACT_SIZE
    MAX_CONTRACT_DATA_KEY_SIZE_BYTES = _M.MAX_CONTRACT_DATA_KEY_SIZE_BYTES
    MAX_CONTRACT_DATA_ENTRY_SIZE_BYTES = _M.MAX_CONTRACT_DATA_ENTRY_SIZE_BYTES
    TX_MAX_INSTRUCTIONS = _M.TX_MAX_INSTRUCTIONS
    LEDGER_MAX_INSTRUCTIONS = TX_MAX_INSTRUCTIONS
    FEE_RATE_PER_INSTRUCTIONS_INCREMENT = 100
    MEMORY_LIMIT = _M.MEMORY_LIMIT
    TX_MAX_READ_LEDGER_ENTRIES = _M.TX_MAX_READ_LEDGER_ENTRIES
    TX_MAX_READ_BYTES = _M.TX_MAX_READ_BYTES
    TX_MAX_WRITE_LEDGER_ENTRIES = _M.TX_MAX_WRITE_LEDGER_ENTRIES
    TX_MAX_WRITE_BYTES = _M.TX_MAX_WRITE_BYTES
    LEDGER_MAX_READ_LEDGER_ENTRIES = TX_MAX_READ_LEDGER_ENTRIES
    LEDGER_MAX_READ_BYTES = TX_MAX_READ_BYTES
    LEDGER_MAX_WRITE_LEDGER_ENTRIES = TX_MAX_WRITE_LEDGER_ENTRIES
    LEDGER_MAX_WRITE_BYTES = TX_MAX_WRITE_BYTES
    FEE_READ_LEDGER_ENTRY = 5_000
    FEE_WRITE_LEDGER_ENTRY = 20_000
    FEE_READ_1KB = 1_000
    BUCKET_LIST_TARGET_SIZE_BYTES = 30 * 1024 * 1024 * 1024
    BUCKET_LIST_FEE_1KB_BUCKET_LIST_LOW = 1_000
    BUCKET_LIST_FEE_1KB_BUCKET_LIST_HIGH = 10_000
    STATE_SIZE_RENT_FEE_GROWTH_FACTOR = 1
    BUCKET_LIST_SIZE_WINDOW_SAMPLE_SIZE = 30
    BUCKET_LIST_WINDOW_SAMPLE_PERIOD = 64
    FEE_HISTORICAL_1KB = 100
    TX_MAX_SIZE_BYTES = _M.TX_MAX_SIZE_BYTES
    LEDGER_MAX_TRANSACTION_SIZES_BYTES = TX_MAX_SIZE_BYTES
    FEE_TRANSACTION_SIZE_1KB = 2_000
    TX_MAX_CONTRACT_EVENTS_SIZE_BYTES = _M.TX_MAX_CONTRACT_EVENTS_SIZE_BYTES
    FEE_CONTRACT_EVENTS_SIZE_1KB = 200
    MAXIMUM_ENTRY_LIFETIME = _M.MAXIMUM_ENTRY_LIFETIME
    MINIMUM_PERSISTENT_ENTRY_LIFETIME = 4_096
    MINIMUM_TEMP_ENTRY_LIFETIME = 16
    EVICTION_SCAN_SIZE = 100_000
    MAX_ENTRIES_TO_ARCHIVE = 100
    STARTING_EVICTION_SCAN_LEVEL = 6
    PERSISTENT_RENT_RATE_DENOMINATOR = 252_480
    TEMP_RENT_RATE_DENOMINATOR = 2_524_800
    LEDGER_MAX_TX_COUNT = 1
    LEDGER_MAX_DEPENDENT_TX_CLUSTERS = 1
    FEE_LEDGER_WRITE_1KB = 3_500
    LEDGER_TARGET_CLOSE_TIME_MILLISECONDS = 5000
    NOMINATION_TIMEOUT_INITIAL_MILLISECONDS = 1000
    NOMINATION_TIMEOUT_INCREMENT_MILLISECONDS = 1000
    BALLOT_TIMEOUT_INITIAL_MILLISECONDS = 1000
    BALLOT_TIMEOUT_INCREMENT_MILLISECONDS = 1000
    del _M


class Protocol23UpgradedConfig:
    """Rent settings the protocol-23 upgrade overwrites on every network."""
    SOROBAN_STATE_TARGET_SIZE_BYTES = 3_000_000_000
    RENT_FEE_1KB_SOROBAN_STATE_SIZE_LOW = -17_000
    RENT_FEE_1KB_SOROBAN_STATE_SIZE_HIGH = 10_000
    PERSISTENT_RENT_RATE_DENOMINATOR = 1_215
    TEMP_RENT_RATE_DENOMINATOR = 2_430


class TestOverrideSorobanNetworkConfig:
    """High limits written instead of the initial ones when stellar-core's
    TESTING_SOROBAN_HIGH_LIMIT_OVERRIDE is set."""
    __test__ = False  # not a pytest class
    LEDGER_LIMIT_MULTIPLIER = 100
    _I = InitialSorobanNetworkConfig
    MAX_CONTRACT_SIZE = _I.MAX_CONTRACT_SIZE * 64
    MAX_CONTRACT_DATA_KEY_SIZE_BYTES = _I.MAX_CONTRACT_DATA_KEY_SIZE_BYTES * 1000
    MAX_CONTRACT_DATA_ENTRY_SIZE_BYTES = _I.MAX_CONTRACT_DATA_ENTRY_SIZE_BYTES * 1000
    TX_MAX_INSTRUCTIONS = _I.TX_MAX_INSTRUCTIONS * 100
    LEDGER_MAX_INSTRUCTIONS = TX_MAX_INSTRUCTIONS * LEDGER_LIMIT_MULTIPLIER
    MEMORY_LIMIT = _I.MEMORY_LIMIT * 100
    TX_MAX_READ_LEDGER_ENTRIES = _I.TX_MAX_READ_LEDGER_ENTRIES * 100
    TX_MAX_READ_BYTES = _I.TX_MAX_READ_BYTES * 1000
    TX_MAX_WRITE_LEDGER_ENTRIES = _I.TX_MAX_WRITE_LEDGER_ENTRIES * 100
    TX_MAX_WRITE_BYTES = _I.TX_MAX_WRITE_BYTES * 1000
    LEDGER_MAX_READ_LEDGER_ENTRIES = TX_MAX_READ_LEDGER_ENTRIES * LEDGER_LIMIT_MULTIPLIER
    LEDGER_MAX_READ_BYTES = TX_MAX_READ_BYTES * LEDGER_LIMIT_MULTIPLIER
    LEDGER_MAX_WRITE_LEDGER_ENTRIES = TX_MAX_WRITE_LEDGER_ENTRIES * LEDGER_LIMIT_MULTIPLIER
    LEDGER_MAX_WRITE_BYTES = TX_MAX_WRITE_BYTES * LEDGER_LIMIT_MULTIPLIER
    TX_MAX_SIZE_BYTES = _I.TX_MAX_SIZE_BYTES * 50
    LEDGER_MAX_TRANSACTION_SIZES_BYTES = TX_MAX_SIZE_BYTES * LEDGER_LIMIT_MULTIPLIER
    TX_MAX_CONTRACT_EVENTS_SIZE_BYTES = _I.TX_MAX_CONTRACT_EVENTS_SIZE_BYTES * 20
    MAXIMUM_ENTRY_LIFETIME = 6_307_200  # 1 year
    LEDGER_MAX_TX_COUNT = _I.LEDGER_MAX_TX_COUNT * LEDGER_LIMIT_MULTIPLIER
    del _I


@dataclass(frozen=True)
class SorobanConfigOverrides:
    """stellar-core's Config knobs that change the entries written at a
    protocol upgrade (all off in a production node and in getTestConfig()):
    TESTING_SOROBAN_HIGH_LIMIT_OVERRIDE, TESTING_MINIMUM_PERSISTENT_ENTRY_LIFETIME
    (0 = unset), OVERRIDE_EVICTION_PARAMS_FOR_TESTING and its three values."""
    soroban_high_limit_override: bool = False
    minimum_persistent_entry_lifetime: int = 0
    override_eviction_params: bool = False
    eviction_scan_size: int = InitialSorobanNetworkConfig.EVICTION_SCAN_SIZE
    max_entries_to_archive: int = InitialSorobanNetworkConfig.MAX_ENTRIES_TO_ARCHIVE
    starting_eviction_scan_level: int = InitialSorobanNetworkConfig.STARTING_EVICTION_SCAN_LEVEL


PRODUCTION = SorobanConfigOverrides()


# ------------------------------------------------------------- ledger access

_CONFIG_SETTING_KEY_PREFIX = struct.pack(">I", xdr.LedgerEntryType.CONFIG_SETTING)


def config_setting_key(setting_id) -> bytes:
    """LedgerKey XDR of the CONFIG_SETTING entry `setting_id` (equals
    `xdr.LedgerKey(configSetting=xdr.LedgerKeyConfigSetting(...)).to_xdr()`)."""
    return _CONFIG_SETTING_KEY_PREFIX + struct.pack(">I", int(setting_id))


def store_get(store, key: bytes):
    """An entry of `store` by key bytes, read-only: a LedgerTxn's
    load_without_record, or a root's get_entry."""
    if hasattr(store, "load_without_record"):
        return store.load_without_record(key)
    return store.get_entry(key)


def read_config_setting(store, setting_id, required=True):
    """The ConfigSettingEntry `setting_id` of `store` (read-only), or None
    when absent and not `required` (stellar-core releaseAssertOrThrow)."""
    le = store_get(store, config_setting_key(setting_id))
    if le is None:
        if required:
            raise NetworkConfigError(f"missing CONFIG_SETTING entry {CS(setting_id).name}")
        return None
    return le.data.configSetting


def store_header(store):
    """The current header of a LedgerTxn or a root store."""
    if hasattr(store, "get_header"):
        return store.get_header()
    return store.header


def config_setting_ledger_entry(setting) -> "xdr.LedgerEntry":
    """A fresh CONFIG_SETTING LedgerEntry holding `setting`."""
    return xdr.LedgerEntry(lastModifiedLedgerSeq=0,
                           data=xdr.LedgerEntryData(configSetting=setting),
                           ext=xdr.LedgerEntryExt(0))


def _child_ltx(ltx):
    # Imported here so this module stays importable without the compiled
    # ledger package (reading a config only needs a store).
    from stellarcore.ledger.ledger_txn import LedgerTxn
    return LedgerTxn(ltx)


def _create_config_setting(ltx, setting, version_to_validate_against: int):
    """createConfigSettingEntry: validate, then create in a committed child."""
    if not is_valid_config_setting_entry(setting, version_to_validate_against):
        raise NetworkConfigError(f"invalid ConfigSettingEntry {setting.xdr_disc().name}")
    child = _child_ltx(ltx)
    child.create(config_setting_ledger_entry(setting))
    child.commit()


def _update_config_setting(ltx, setting_id, update):
    """Load `setting_id` for write in a committed child and let `update`
    mutate its ConfigSettingEntry (every stellar-core update helper does
    exactly this: the load alone records the entry as LIVE)."""
    child = _child_ltx(ltx)
    le = child.load(config_setting_key(setting_id))
    if le is None:
        child.rollback()
        raise NetworkConfigError(f"missing CONFIG_SETTING entry {CS(setting_id).name}")
    update(le.data.configSetting)
    child.commit()


# ------------------------------------------------------------- validity


def _protocol_from(version: int, start: int) -> bool:
    return version >= start


def num_cost_types(ledger_version: int) -> int:
    """How many ContractCostType entries a cost-params setting must have."""
    if ledger_version < 21:
        return CT.ChaCha20DrawBytes + 1
    if ledger_version < 22:
        return CT.VerifyEcdsaSecp256r1Sig + 1
    if ledger_version < 25:
        return CT.Bls12381FrInv + 1
    return CT.Bn254FrInv + 1


def is_valid_cost_params(params, ledger_version: int) -> bool:
    """isValidCostParams: exactly the protocol's cost types, no negative term."""
    if len(params) != num_cost_types(ledger_version):
        return False
    return all(p.constTerm >= 0 and p.linearTerm >= 0 for p in params)


def _valid_ledger_cost(c) -> bool:
    m = MinimumSorobanNetworkConfig
    return (c.txMaxDiskReadEntries >= m.TX_MAX_READ_LEDGER_ENTRIES
            and c.ledgerMaxDiskReadEntries >= c.txMaxDiskReadEntries
            and c.txMaxDiskReadBytes >= m.TX_MAX_READ_BYTES
            and c.ledgerMaxDiskReadBytes >= c.txMaxDiskReadBytes
            and c.txMaxWriteLedgerEntries >= m.TX_MAX_WRITE_LEDGER_ENTRIES
            and c.ledgerMaxWriteLedgerEntries >= c.txMaxWriteLedgerEntries
            and c.txMaxWriteBytes >= m.TX_MAX_WRITE_BYTES
            and c.ledgerMaxWriteBytes >= c.txMaxWriteBytes
            and c.feeDiskReadLedgerEntry >= 0
            and c.feeWriteLedgerEntry >= 0
            and c.feeDiskRead1KB >= 0
            and c.sorobanStateTargetSizeBytes > 0
            and c.rentFee1KBSorobanStateSizeHigh >= 0
            and c.sorobanStateRentFeeGrowthFactor >= 0)


def _valid_state_archival(s) -> bool:
    m = MinimumSorobanNetworkConfig
    return (s.maxEntryTTL >= m.MAXIMUM_ENTRY_LIFETIME
            and s.minTemporaryTTL >= m.MINIMUM_TEMP_ENTRY_LIFETIME
            and s.minPersistentTTL >= m.MINIMUM_PERSISTENT_ENTRY_LIFETIME
            and s.persistentRentRateDenominator > 0
            and s.tempRentRateDenominator > 0
            and s.maxEntriesToArchive >= m.MAX_ENTRIES_TO_ARCHIVE
            and s.liveSorobanStateSizeWindowSampleSize >= m.BUCKETLIST_SIZE_WINDOW_SAMPLE_SIZE
            and s.evictionScanSize >= m.EVICTION_SCAN_SIZE
            and s.startingEvictionScanLevel >= m.STARTING_EVICTION_LEVEL
            and s.startingEvictionScanLevel < BUCKET_LIST_LEVELS
            and s.liveSorobanStateSizeWindowSamplePeriod >= m.BUCKETLIST_WINDOW_SAMPLE_PERIOD
            and s.maxEntryTTL > s.minPersistentTTL
            and s.maxEntryTTL > s.minTemporaryTTL)


def _valid_scp_timing(t) -> bool:
    lo, hi = MinimumSorobanNetworkConfig, MaximumSorobanNetworkConfig
    pairs = (
        (t.ledgerTargetCloseTimeMilliseconds, "LEDGER_TARGET_CLOSE_TIME_MILLISECONDS"),
        (t.nominationTimeoutInitialMilliseconds, "NOMINATION_TIMEOUT_INITIAL_MILLISECONDS"),
        (t.nominationTimeoutIncrementMilliseconds, "NOMINATION_TIMEOUT_INCREMENT_MILLISECONDS"),
        (t.ballotTimeoutInitialMilliseconds, "BALLOT_TIMEOUT_INITIAL_MILLISECONDS"),
        (t.ballotTimeoutIncrementMilliseconds, "BALLOT_TIMEOUT_INCREMENT_MILLISECONDS"),
    )
    return all(getattr(lo, n) <= v <= getattr(hi, n) for v, n in pairs)


def is_valid_config_setting_entry(cfg, ledger_version: int) -> bool:
    """SorobanNetworkConfig::isValidConfigSettingEntry: whether `cfg` may be
    written at `ledger_version` (the bounds above, cost-params sizes of the
    protocol, and the p23 settings only from p23)."""
    m = MinimumSorobanNetworkConfig
    sid = cfg.xdr_disc()
    if sid == CS.CONFIG_SETTING_CONTRACT_MAX_SIZE_BYTES:
        return cfg.contractMaxSizeBytes >= m.MAX_CONTRACT_SIZE
    if sid == CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS:
        return is_valid_cost_params(cfg.contractCostParamsCpuInsns, ledger_version)
    if sid == CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_MEMORY_BYTES:
        return is_valid_cost_params(cfg.contractCostParamsMemBytes, ledger_version)
    if sid == CS.CONFIG_SETTING_CONTRACT_DATA_KEY_SIZE_BYTES:
        return cfg.contractDataKeySizeBytes >= m.MAX_CONTRACT_DATA_KEY_SIZE_BYTES
    if sid == CS.CONFIG_SETTING_CONTRACT_DATA_ENTRY_SIZE_BYTES:
        return cfg.contractDataEntrySizeBytes >= m.MAX_CONTRACT_DATA_ENTRY_SIZE_BYTES
    if sid == CS.CONFIG_SETTING_CONTRACT_EXECUTION_LANES:
        return True
    if sid == CS.CONFIG_SETTING_CONTRACT_BANDWIDTH_V0:
        b = cfg.contractBandwidth
        return (b.feeTxSize1KB >= 0 and b.txMaxSizeBytes >= m.TX_MAX_SIZE_BYTES
                and b.ledgerMaxTxsSizeBytes >= b.txMaxSizeBytes)
    if sid == CS.CONFIG_SETTING_CONTRACT_COMPUTE_V0:
        c = cfg.contractCompute
        return (c.feeRatePerInstructionsIncrement >= 0
                and c.txMaxInstructions >= m.TX_MAX_INSTRUCTIONS
                and c.ledgerMaxInstructions >= c.txMaxInstructions
                and c.txMemoryLimit >= m.MEMORY_LIMIT)
    if sid == CS.CONFIG_SETTING_CONTRACT_HISTORICAL_DATA_V0:
        return cfg.contractHistoricalData.feeHistorical1KB >= 0
    if sid == CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_V0:
        return _valid_ledger_cost(cfg.contractLedgerCost)
    if sid == CS.CONFIG_SETTING_CONTRACT_EVENTS_V0:
        e = cfg.contractEvents
        return (e.txMaxContractEventsSizeBytes >= m.TX_MAX_CONTRACT_EVENTS_SIZE_BYTES
                and e.feeContractEvents1KB >= 0)
    if sid == CS.CONFIG_SETTING_STATE_ARCHIVAL:
        return _valid_state_archival(cfg.stateArchivalSettings)
    if sid in (CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW, CS.CONFIG_SETTING_EVICTION_ITERATOR):
        return True
    if sid == CS.CONFIG_SETTING_CONTRACT_PARALLEL_COMPUTE_V0:
        n = cfg.contractParallelCompute.ledgerMaxDependentTxClusters
        return (_protocol_from(ledger_version, PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION)
                and 0 < n < MAX_LEDGER_DEPENDENT_TX_CLUSTERS)
    if sid == CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_EXT_V0:
        e = cfg.contractLedgerCostExt
        return (_protocol_from(ledger_version, 23)
                and e.txMaxFootprintEntries >= m.TX_MAX_READ_LEDGER_ENTRIES
                and e.feeWrite1KB >= 0)
    if sid == CS.CONFIG_SETTING_SCP_TIMING:
        return _protocol_from(ledger_version, 23) and _valid_scp_timing(cfg.contractSCPTiming)
    return False


def is_non_upgradeable_config_setting_entry(cfg_or_id) -> bool:
    """The state-size window and the eviction iterator are kept by the node
    itself: a ConfigUpgradeSet may never carry them."""
    sid = cfg_or_id.xdr_disc() if hasattr(cfg_or_id, "xdr_disc") else cfg_or_id
    return sid in (CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW,
                   CS.CONFIG_SETTING_EVICTION_ITERATOR)


# ------------------------------------------------------------- the view


def _saturating_mul_int64(a: int, b: int) -> int:
    r = a * b
    return _INT64_MAX if r > _INT64_MAX else r


class SorobanNetworkConfig:
    """The decoded Soroban settings of one ledger state.

    Build it with `load_from_ledger(ltx)`; attribute names are stellar-core's
    accessors in snake_case. Treat it as read-only (tests that want another
    configuration go through an upgrade, as stellar-core's do).
    """

    # settings read from CONFIG_SETTING entries (ints unless noted)
    _INT_FIELDS = (
        "max_contract_size_bytes", "max_contract_data_key_size_bytes",
        "max_contract_data_entry_size_bytes",
        "ledger_max_instructions", "tx_max_instructions", "fee_rate_per_instructions_increment",
        "tx_memory_limit",
        "ledger_max_disk_read_entries", "ledger_max_disk_read_bytes",
        "ledger_max_write_ledger_entries", "ledger_max_write_bytes", "ledger_max_tx_count",
        "tx_max_disk_read_entries", "tx_max_footprint_entries", "tx_max_disk_read_bytes",
        "tx_max_write_ledger_entries", "tx_max_write_bytes",
        "fee_disk_read_ledger_entry", "fee_write_ledger_entry", "fee_disk_read_1kb",
        "fee_flat_rate_write_1kb", "soroban_state_target_size_bytes",
        "rent_fee_1kb_soroban_state_size_low", "rent_fee_1kb_soroban_state_size_high",
        "soroban_state_rent_fee_growth_factor",
        "fee_historical_1kb", "tx_max_contract_events_size_bytes", "fee_contract_events_size_1kb",
        "ledger_max_transaction_sizes_bytes", "tx_max_size_bytes", "fee_transaction_size_1kb",
        "ledger_max_dependent_tx_clusters",
        "ledger_target_close_time_milliseconds", "nomination_timeout_initial_milliseconds",
        "nomination_timeout_increment_milliseconds", "ballot_timeout_initial_milliseconds",
        "ballot_timeout_increment_milliseconds",
    )
    # compared by __eq__ besides the ints (stellar-core's operator== set:
    # neither the average state size nor the eviction iterator)
    _XDR_FIELDS = ("cpu_cost_params", "mem_cost_params", "state_archival_settings")

    def __init__(self):
        for name in self._INT_FIELDS:
            setattr(self, name, 0)
        self.average_soroban_state_size = 0
        self.cpu_cost_params = []
        self.mem_cost_params = []
        self.state_archival_settings = xdr.StateArchivalSettings()
        self.eviction_iterator = xdr.EvictionIterator()
        self.protocol_version = 0
        self._fee_rent_1kb = None

    @classmethod
    def empty(cls) -> "SorobanNetworkConfig":
        """An all-zero config (stellar-core's test-only emptyConfig)."""
        return cls()

    # -- loading --------------------------------------------------------
    @classmethod
    def load_from_ledger(cls, ltx, ledger_version=None) -> "SorobanNetworkConfig":
        """Read every CONFIG_SETTING entry of `ltx` (a LedgerTxn, or a store
        with `get_entry`); the p23 settings only from protocol 23, as
        stellar-core. `ledger_version` defaults to the store's header."""
        if ledger_version is None:
            ledger_version = store_header(ltx).ledgerVersion
        c = cls()
        c.protocol_version = ledger_version

        def get(sid):
            return read_config_setting(ltx, sid)

        c.max_contract_size_bytes = get(CS.CONFIG_SETTING_CONTRACT_MAX_SIZE_BYTES).contractMaxSizeBytes
        c.max_contract_data_key_size_bytes = get(
            CS.CONFIG_SETTING_CONTRACT_DATA_KEY_SIZE_BYTES).contractDataKeySizeBytes
        c.max_contract_data_entry_size_bytes = get(
            CS.CONFIG_SETTING_CONTRACT_DATA_ENTRY_SIZE_BYTES).contractDataEntrySizeBytes

        comp = get(CS.CONFIG_SETTING_CONTRACT_COMPUTE_V0).contractCompute
        c.ledger_max_instructions = comp.ledgerMaxInstructions
        c.tx_max_instructions = comp.txMaxInstructions
        c.fee_rate_per_instructions_increment = comp.feeRatePerInstructionsIncrement
        c.tx_memory_limit = comp.txMemoryLimit

        lc = get(CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_V0).contractLedgerCost
        c.ledger_max_disk_read_entries = lc.ledgerMaxDiskReadEntries
        c.ledger_max_disk_read_bytes = lc.ledgerMaxDiskReadBytes
        c.ledger_max_write_ledger_entries = lc.ledgerMaxWriteLedgerEntries
        c.ledger_max_write_bytes = lc.ledgerMaxWriteBytes
        c.tx_max_disk_read_entries = lc.txMaxDiskReadEntries
        c.tx_max_disk_read_bytes = lc.txMaxDiskReadBytes
        c.tx_max_write_ledger_entries = lc.txMaxWriteLedgerEntries
        c.tx_max_write_bytes = lc.txMaxWriteBytes
        c.fee_disk_read_ledger_entry = lc.feeDiskReadLedgerEntry
        c.fee_write_ledger_entry = lc.feeWriteLedgerEntry
        c.fee_disk_read_1kb = lc.feeDiskRead1KB
        c.soroban_state_target_size_bytes = lc.sorobanStateTargetSizeBytes
        c.rent_fee_1kb_soroban_state_size_low = lc.rentFee1KBSorobanStateSizeLow
        c.rent_fee_1kb_soroban_state_size_high = lc.rentFee1KBSorobanStateSizeHigh
        c.soroban_state_rent_fee_growth_factor = lc.sorobanStateRentFeeGrowthFactor

        c.fee_historical_1kb = get(CS.CONFIG_SETTING_CONTRACT_HISTORICAL_DATA_V0).contractHistoricalData.feeHistorical1KB
        ev = get(CS.CONFIG_SETTING_CONTRACT_EVENTS_V0).contractEvents
        c.fee_contract_events_size_1kb = ev.feeContractEvents1KB
        c.tx_max_contract_events_size_bytes = ev.txMaxContractEventsSizeBytes
        bw = get(CS.CONFIG_SETTING_CONTRACT_BANDWIDTH_V0).contractBandwidth
        c.ledger_max_transaction_sizes_bytes = bw.ledgerMaxTxsSizeBytes
        c.tx_max_size_bytes = bw.txMaxSizeBytes
        c.fee_transaction_size_1kb = bw.feeTxSize1KB

        c.cpu_cost_params = [p.copy() for p in
                             get(CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS).contractCostParamsCpuInsns]
        c.mem_cost_params = [p.copy() for p in
                             get(CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_MEMORY_BYTES).contractCostParamsMemBytes]
        c.state_archival_settings = get(CS.CONFIG_SETTING_STATE_ARCHIVAL).stateArchivalSettings.copy()
        c.ledger_max_tx_count = get(CS.CONFIG_SETTING_CONTRACT_EXECUTION_LANES).contractExecutionLanes.ledgerMaxTxCount
        c.average_soroban_state_size = average_state_size(
            get(CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW).liveSorobanStateSizeWindow)
        c.eviction_iterator = get(CS.CONFIG_SETTING_EVICTION_ITERATOR).evictionIterator.copy()

        if _protocol_from(ledger_version, 23):
            c.ledger_max_dependent_tx_clusters = get(
                CS.CONFIG_SETTING_CONTRACT_PARALLEL_COMPUTE_V0).contractParallelCompute.ledgerMaxDependentTxClusters
            ext = get(CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_EXT_V0).contractLedgerCostExt
            c.tx_max_footprint_entries = ext.txMaxFootprintEntries
            c.fee_flat_rate_write_1kb = ext.feeWrite1KB
            t = get(CS.CONFIG_SETTING_SCP_TIMING).contractSCPTiming
            c.ledger_target_close_time_milliseconds = t.ledgerTargetCloseTimeMilliseconds
            c.nomination_timeout_initial_milliseconds = t.nominationTimeoutInitialMilliseconds
            c.nomination_timeout_increment_milliseconds = t.nominationTimeoutIncrementMilliseconds
            c.ballot_timeout_initial_milliseconds = t.ballotTimeoutInitialMilliseconds
            c.ballot_timeout_increment_milliseconds = t.ballotTimeoutIncrementMilliseconds
        return c

    def copy(self) -> "SorobanNetworkConfig":
        c = SorobanNetworkConfig.__new__(SorobanNetworkConfig)
        c.__dict__.update(self.__dict__)
        c.cpu_cost_params = [p.copy() for p in self.cpu_cost_params]
        c.mem_cost_params = [p.copy() for p in self.mem_cost_params]
        c.state_archival_settings = self.state_archival_settings.copy()
        c.eviction_iterator = self.eviction_iterator.copy()
        return c

    def __eq__(self, other):
        if not isinstance(other, SorobanNetworkConfig):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._INT_FIELDS + self._XDR_FIELDS)

    __hash__ = None

    def __repr__(self):
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._INT_FIELDS)
        return f"SorobanNetworkConfig(protocol={self.protocol_version}, {inner})"

    # -- derived values ---------------------------------------------------
    @property
    def fee_rent_1kb(self) -> int:
        """Rent write fee per 1KB for the average Soroban state size, as the
        host computes it (computeRentWriteFee). Needs the bridge and a
        protocol it hosts (23-25)."""
        if self._fee_rent_1kb is None:
            from stellarcore.soroban import bridge
            self._fee_rent_1kb = bridge.compute_rent_write_fee_per_1kb(
                self.protocol_version, min(self.average_soroban_state_size, _INT64_MAX),
                self.rent_write_fee_configuration())
        return self._fee_rent_1kb

    def fee_configuration(self, ledger_version: int) -> bridge_types.FeeConfiguration:
        """rustBridgeFeeConfiguration: the per-1KB write fee is the flat rate
        from protocol 23, the rent write fee before."""
        write_1kb = self.fee_flat_rate_write_1kb if ledger_version >= 23 else self.fee_rent_1kb
        return bridge_types.FeeConfiguration(
            fee_per_instruction_increment=self.fee_rate_per_instructions_increment,
            fee_per_disk_read_entry=self.fee_disk_read_ledger_entry,
            fee_per_write_entry=self.fee_write_ledger_entry,
            fee_per_disk_read_1kb=self.fee_disk_read_1kb,
            fee_per_write_1kb=write_1kb,
            fee_per_historical_1kb=self.fee_historical_1kb,
            fee_per_contract_event_1kb=self.fee_contract_events_size_1kb,
            fee_per_transaction_size_1kb=self.fee_transaction_size_1kb,
        )

    def rent_fee_configuration(self) -> bridge_types.RentFeeConfiguration:
        """rustBridgeRentFeeConfiguration (the flat write fee is 0, and
        ignored by the host, before protocol 23)."""
        s = self.state_archival_settings
        return bridge_types.RentFeeConfiguration(
            fee_per_write_1kb=self.fee_flat_rate_write_1kb,
            fee_per_rent_1kb=self.fee_rent_1kb,
            fee_per_write_entry=self.fee_write_ledger_entry,
            persistent_rent_rate_denominator=s.persistentRentRateDenominator,
            temporary_rent_rate_denominator=s.tempRentRateDenominator,
        )

    def rent_write_fee_configuration(self) -> bridge_types.RentWriteFeeConfiguration:
        """The inputs of the host's rent-write-fee formula (CxxRentWriteFeeConfiguration)."""
        return bridge_types.RentWriteFeeConfiguration(
            state_target_size_bytes=self.soroban_state_target_size_bytes,
            rent_fee_1kb_state_size_low=self.rent_fee_1kb_soroban_state_size_low,
            rent_fee_1kb_state_size_high=self.rent_fee_1kb_soroban_state_size_high,
            state_size_rent_fee_growth_factor=self.soroban_state_rent_fee_growth_factor,
        )

    def cpu_cost_params_xdr(self) -> bytes:
        return xdr.ContractCostParams.to_xdr(self.cpu_cost_params)

    def mem_cost_params_xdr(self) -> bytes:
        return xdr.ContractCostParams.to_xdr(self.mem_cost_params)

    def ledger_info(self, header, network_id: bytes) -> bridge_types.LedgerInfo:
        """getLedgerInfo (InvokeHostFunctionOpFrame.cpp) for the ledger whose
        header is `header` (version, sequence, close time, base reserve)."""
        return self.host_ledger_info(header.ledgerVersion, header.ledgerSeq, header.scpValue.closeTime,
                                     header.baseReserve, network_id)

    def host_ledger_info(self, ledger_version: int, ledger_seq: int, close_time: int, base_reserve: int,
                         network_id: bytes) -> bridge_types.LedgerInfo:
        """getLedgerInfo from the ledger's values (the parallel apply knows
        them without a header: ParallelLedgerInfo)."""
        s = self.state_archival_settings
        return bridge_types.LedgerInfo(
            protocol_version=ledger_version,
            sequence_number=ledger_seq,
            timestamp=close_time,
            network_id=bytes(network_id),
            base_reserve=base_reserve,
            memory_limit=self.tx_memory_limit,
            min_temp_entry_ttl=s.minTemporaryTTL,
            min_persistent_entry_ttl=s.minPersistentTTL,
            max_entry_ttl=s.maxEntryTTL,
            cpu_cost_params=self.cpu_cost_params_xdr(),
            mem_cost_params=self.mem_cost_params_xdr(),
        )

    def max_ledger_resources(self) -> tuple:
        """maxLedgerResources, in stellar-core's Resource order: tx count,
        instructions (per cluster from p23, times the cluster count), tx
        sizes, disk read bytes, write bytes, disk read entries, write entries."""
        return (
            self.ledger_max_tx_count,
            _saturating_mul_int64(self.ledger_max_instructions,
                                  max(self.ledger_max_dependent_tx_clusters, 1)),
            self.ledger_max_transaction_sizes_bytes,
            self.ledger_max_disk_read_bytes,
            self.ledger_max_write_bytes,
            self.ledger_max_disk_read_entries,
            self.ledger_max_write_ledger_entries,
        )


def average_state_size(window) -> int:
    """Integer average of the state-size window; the sum saturates at
    UINT64_MAX as loadLiveSorobanStateSizeWindow's sanity check does."""
    if not window:
        raise NetworkConfigError("empty live Soroban state size window")
    total = 0
    for size in window:
        total = _UINT64_MAX if total >= _UINT64_MAX - size else total + size
    return total // len(window)


# ------------------------------------------------------------- initial entries


def _cost_entry(const, linear):
    return xdr.ContractCostParamEntry(ext=xdr.ExtensionPoint(0), constTerm=const, linearTerm=linear)


def _initial_max_contract_size(o):
    v = (TestOverrideSorobanNetworkConfig.MAX_CONTRACT_SIZE if o.soroban_high_limit_override
         else InitialSorobanNetworkConfig.MAX_CONTRACT_SIZE)
    return xdr.ConfigSettingEntry(contractMaxSizeBytes=v)


def _initial_data_key_size(o):
    v = (TestOverrideSorobanNetworkConfig.MAX_CONTRACT_DATA_KEY_SIZE_BYTES if o.soroban_high_limit_override
         else InitialSorobanNetworkConfig.MAX_CONTRACT_DATA_KEY_SIZE_BYTES)
    return xdr.ConfigSettingEntry(contractDataKeySizeBytes=v)


def _initial_data_entry_size(o):
    v = (TestOverrideSorobanNetworkConfig.MAX_CONTRACT_DATA_ENTRY_SIZE_BYTES if o.soroban_high_limit_override
         else InitialSorobanNetworkConfig.MAX_CONTRACT_DATA_ENTRY_SIZE_BYTES)
    return xdr.ConfigSettingEntry(contractDataEntrySizeBytes=v)


def _initial_compute(o):
    i, t = InitialSorobanNetworkConfig, TestOverrideSorobanNetworkConfig
    hi = o.soroban_high_limit_override
    return xdr.ConfigSettingEntry(contractCompute=xdr.ConfigSettingContractComputeV0(
        ledgerMaxInstructions=t.LEDGER_MAX_INSTRUCTIONS if hi else i.LEDGER_MAX_INSTRUCTIONS,
        txMaxInstructions=t.TX_MAX_INSTRUCTIONS if hi else i.TX_MAX_INSTRUCTIONS,
        feeRatePerInstructionsIncrement=i.FEE_RATE_PER_INSTRUCTIONS_INCREMENT,
        txMemoryLimit=t.MEMORY_LIMIT if hi else i.MEMORY_LIMIT))


def _initial_ledger_cost(o):
    i = InitialSorobanNetworkConfig
    lim = TestOverrideSorobanNetworkConfig if o.soroban_high_limit_override else i
    return xdr.ConfigSettingEntry(contractLedgerCost=xdr.ConfigSettingContractLedgerCostV0(
        ledgerMaxDiskReadEntries=lim.LEDGER_MAX_READ_LEDGER_ENTRIES,
        ledgerMaxDiskReadBytes=lim.LEDGER_MAX_READ_BYTES,
        ledgerMaxWriteLedgerEntries=lim.LEDGER_MAX_WRITE_LEDGER_ENTRIES,
        ledgerMaxWriteBytes=lim.LEDGER_MAX_WRITE_BYTES,
        txMaxDiskReadEntries=lim.TX_MAX_READ_LEDGER_ENTRIES,
        txMaxDiskReadBytes=lim.TX_MAX_READ_BYTES,
        txMaxWriteLedgerEntries=lim.TX_MAX_WRITE_LEDGER_ENTRIES,
        txMaxWriteBytes=lim.TX_MAX_WRITE_BYTES,
        feeDiskReadLedgerEntry=i.FEE_READ_LEDGER_ENTRY,
        feeWriteLedgerEntry=i.FEE_WRITE_LEDGER_ENTRY,
        feeDiskRead1KB=i.FEE_READ_1KB,
        sorobanStateTargetSizeBytes=i.BUCKET_LIST_TARGET_SIZE_BYTES,
        rentFee1KBSorobanStateSizeLow=i.BUCKET_LIST_FEE_1KB_BUCKET_LIST_LOW,
        rentFee1KBSorobanStateSizeHigh=i.BUCKET_LIST_FEE_1KB_BUCKET_LIST_HIGH,
        sorobanStateRentFeeGrowthFactor=i.STATE_SIZE_RENT_FEE_GROWTH_FACTOR))


def _initial_historical():
    return xdr.ConfigSettingEntry(contractHistoricalData=xdr.ConfigSettingContractHistoricalDataV0(
        feeHistorical1KB=InitialSorobanNetworkConfig.FEE_HISTORICAL_1KB))


def _initial_events(o):
    i, t = InitialSorobanNetworkConfig, TestOverrideSorobanNetworkConfig
    return xdr.ConfigSettingEntry(contractEvents=xdr.ConfigSettingContractEventsV0(
        txMaxContractEventsSizeBytes=(t.TX_MAX_CONTRACT_EVENTS_SIZE_BYTES if o.soroban_high_limit_override
                                      else i.TX_MAX_CONTRACT_EVENTS_SIZE_BYTES),
        feeContractEvents1KB=i.FEE_CONTRACT_EVENTS_SIZE_1KB))


def _initial_bandwidth(o):
    i = InitialSorobanNetworkConfig
    lim = TestOverrideSorobanNetworkConfig if o.soroban_high_limit_override else i
    return xdr.ConfigSettingEntry(contractBandwidth=xdr.ConfigSettingContractBandwidthV0(
        ledgerMaxTxsSizeBytes=lim.LEDGER_MAX_TRANSACTION_SIZES_BYTES,
        txMaxSizeBytes=lim.TX_MAX_SIZE_BYTES,
        feeTxSize1KB=i.FEE_TRANSACTION_SIZE_1KB))


def _initial_execution_lanes(o):
    v = (TestOverrideSorobanNetworkConfig.LEDGER_MAX_TX_COUNT if o.soroban_high_limit_override
         else InitialSorobanNetworkConfig.LEDGER_MAX_TX_COUNT)
    return xdr.ConfigSettingEntry(contractExecutionLanes=xdr.ConfigSettingContractExecutionLanesV0(
        ledgerMaxTxCount=v))


def _initial_state_archival(o):
    i = InitialSorobanNetworkConfig
    if o.override_eviction_params:
        scan, archive, level = o.eviction_scan_size, o.max_entries_to_archive, o.starting_eviction_scan_level
    else:
        scan, archive, level = i.EVICTION_SCAN_SIZE, i.MAX_ENTRIES_TO_ARCHIVE, i.STARTING_EVICTION_SCAN_LEVEL
    return xdr.ConfigSettingEntry(stateArchivalSettings=xdr.StateArchivalSettings(
        maxEntryTTL=(TestOverrideSorobanNetworkConfig.MAXIMUM_ENTRY_LIFETIME if o.soroban_high_limit_override
                     else i.MAXIMUM_ENTRY_LIFETIME),
        minTemporaryTTL=i.MINIMUM_TEMP_ENTRY_LIFETIME,
        minPersistentTTL=o.minimum_persistent_entry_lifetime or i.MINIMUM_PERSISTENT_ENTRY_LIFETIME,
        persistentRentRateDenominator=i.PERSISTENT_RENT_RATE_DENOMINATOR,
        tempRentRateDenominator=i.TEMP_RENT_RATE_DENOMINATOR,
        maxEntriesToArchive=archive,
        liveSorobanStateSizeWindowSampleSize=i.BUCKET_LIST_SIZE_WINDOW_SAMPLE_SIZE,
        liveSorobanStateSizeWindowSamplePeriod=i.BUCKET_LIST_WINDOW_SAMPLE_PERIOD,
        evictionScanSize=scan,
        startingEvictionScanLevel=level))


def _initial_state_size_window(initial_state_size):
    return xdr.ConfigSettingEntry(liveSorobanStateSizeWindow=[
        initial_state_size] * InitialSorobanNetworkConfig.BUCKET_LIST_SIZE_WINDOW_SAMPLE_SIZE)


def _initial_eviction_iterator(o):
    level = (o.starting_eviction_scan_level if o.override_eviction_params
             else InitialSorobanNetworkConfig.STARTING_EVICTION_SCAN_LEVEL)
    return xdr.ConfigSettingEntry(evictionIterator=xdr.EvictionIterator(
        bucketListLevel=level, isCurrBucket=True, bucketFileOffset=0))


# Cost parameters as (ContractCostType name, constTerm, linearTerm). Types a
# table does not name keep their previous value (zero when new).
V20_CPU_COSTS = (
    ("WasmInsnExec", 4, 0), ("MemAlloc", 434, 16), ("MemCpy", 42, 16), ("MemCmp", 44, 16),
    ("DispatchHostFunction", 310, 0), ("VisitObject", 61, 0), ("ValSer", 230, 29),
    ("ValDeser", 59052, 4001), ("ComputeSha256Hash", 3738, 7012),
    ("ComputeEd25519PubKey", 40253, 0), ("VerifyEd25519Sig", 377524, 4068),
    ("VmInstantiation", 451626, 45405), ("VmCachedInstantiation", 451626, 45405),
    ("InvokeVmFunction", 1948, 0), ("ComputeKeccak256Hash", 3766, 5969),
    ("DecodeEcdsaCurve256Sig", 710, 0), ("RecoverEcdsaSecp256k1Key", 2315295, 0),
    ("Int256AddSub", 4404, 0), ("Int256Mul", 4947, 0), ("Int256Div", 4911, 0),
    ("Int256Pow", 4286, 0), ("Int256Shift", 913, 0), ("ChaCha20DrawBytes", 1058, 501),
)
V20_MEM_COSTS = (
    ("WasmInsnExec", 0, 0), ("MemAlloc", 16, 128), ("MemCpy", 0, 0), ("MemCmp", 0, 0),
    ("DispatchHostFunction", 0, 0), ("VisitObject", 0, 0), ("ValSer", 242, 384),
    ("ValDeser", 0, 384), ("ComputeSha256Hash", 0, 0), ("ComputeEd25519PubKey", 0, 0),
    ("VerifyEd25519Sig", 0, 0), ("VmInstantiation", 130065, 5064),
    ("VmCachedInstantiation", 130065, 5064), ("InvokeVmFunction", 14, 0),
    ("ComputeKeccak256Hash", 0, 0), ("DecodeEcdsaCurve256Sig", 0, 0),
    ("RecoverEcdsaSecp256k1Key", 181, 0), ("Int256AddSub", 99, 0), ("Int256Mul", 99, 0),
    ("Int256Div", 99, 0), ("Int256Pow", 99, 0), ("Int256Shift", 99, 0),
    ("ChaCha20DrawBytes", 0, 0),
)
V21_CPU_COSTS = (
    ("VmCachedInstantiation", 41142, 634), ("ParseWasmInstructions", 73077, 25410),
    ("ParseWasmFunctions", 0, 540752), ("ParseWasmGlobals", 0, 176363),
    ("ParseWasmTableEntries", 0, 29989), ("ParseWasmTypes", 0, 1061449),
    ("ParseWasmDataSegments", 0, 237336), ("ParseWasmElemSegments", 0, 328476),
    ("ParseWasmImports", 0, 701845), ("ParseWasmExports", 0, 429383),
    ("ParseWasmDataSegmentBytes", 0, 28), ("InstantiateWasmInstructions", 43030, 0),
    ("InstantiateWasmFunctions", 0, 7556), ("InstantiateWasmGlobals", 0, 10711),
    ("InstantiateWasmTableEntries", 0, 3300), ("InstantiateWasmTypes", 0, 0),
    ("InstantiateWasmDataSegments", 0, 23038), ("InstantiateWasmElemSegments", 0, 42488),
    ("InstantiateWasmImports", 0, 828974), ("InstantiateWasmExports", 0, 297100),
    ("InstantiateWasmDataSegmentBytes", 0, 14), ("Sec1DecodePointUncompressed", 1882, 0),
    ("VerifyEcdsaSecp256r1Sig", 3000906, 0),
)
V21_MEM_COSTS = (
    ("VmCachedInstantiation", 69472, 1217), ("ParseWasmInstructions", 17564, 6457),
    ("ParseWasmFunctions", 0, 47464), ("ParseWasmGlobals", 0, 13420),
    ("ParseWasmTableEntries", 0, 6285), ("ParseWasmTypes", 0, 64670),
    ("ParseWasmDataSegments", 0, 29074), ("ParseWasmElemSegments", 0, 48095),
    ("ParseWasmImports", 0, 103229), ("ParseWasmExports", 0, 36394),
    ("ParseWasmDataSegmentBytes", 0, 257), ("InstantiateWasmInstructions", 70704, 0),
    ("InstantiateWasmFunctions", 0, 14613), ("InstantiateWasmGlobals", 0, 6833),
    ("InstantiateWasmTableEntries", 0, 1025), ("InstantiateWasmTypes", 0, 0),
    ("InstantiateWasmDataSegments", 0, 129632), ("InstantiateWasmElemSegments", 0, 13665),
    ("InstantiateWasmImports", 0, 97637), ("InstantiateWasmExports", 0, 9176),
    ("InstantiateWasmDataSegmentBytes", 0, 126), ("Sec1DecodePointUncompressed", 0, 0),
    ("VerifyEcdsaSecp256r1Sig", 0, 0),
)
V22_CPU_COSTS = (
    ("Bls12381EncodeFp", 661, 0), ("Bls12381DecodeFp", 985, 0),
    ("Bls12381G1CheckPointOnCurve", 1934, 0), ("Bls12381G1CheckPointInSubgroup", 730510, 0),
    ("Bls12381G2CheckPointOnCurve", 5921, 0), ("Bls12381G2CheckPointInSubgroup", 1057822, 0),
    ("Bls12381G1ProjectiveToAffine", 92642, 0), ("Bls12381G2ProjectiveToAffine", 100742, 0),
    ("Bls12381G1Add", 7689, 0), ("Bls12381G1Mul", 2458985, 0),
    ("Bls12381G1Msm", 2426722, 96397671), ("Bls12381MapFpToG1", 1541554, 0),
    ("Bls12381HashToG1", 3211191, 6713), ("Bls12381G2Add", 25207, 0),
    ("Bls12381G2Mul", 7873219, 0), ("Bls12381G2Msm", 8035968, 309667335),
    ("Bls12381MapFp2ToG2", 2420202, 0), ("Bls12381HashToG2", 7050564, 6797),
    ("Bls12381Pairing", 10558948, 632860943), ("Bls12381FrFromU256", 1994, 0),
    ("Bls12381FrToU256", 1155, 0), ("Bls12381FrAddSub", 74, 0), ("Bls12381FrMul", 332, 0),
    ("Bls12381FrPow", 691, 74558), ("Bls12381FrInv", 35421, 0),
)
V22_MEM_COSTS = (
    ("Bls12381EncodeFp", 0, 0), ("Bls12381DecodeFp", 0, 0),
    ("Bls12381G1CheckPointOnCurve", 0, 0), ("Bls12381G1CheckPointInSubgroup", 0, 0),
    ("Bls12381G2CheckPointOnCurve", 0, 0), ("Bls12381G2CheckPointInSubgroup", 0, 0),
    ("Bls12381G1ProjectiveToAffine", 0, 0), ("Bls12381G2ProjectiveToAffine", 0, 0),
    ("Bls12381G1Add", 0, 0), ("Bls12381G1Mul", 0, 0), ("Bls12381G1Msm", 109494, 354667),
    ("Bls12381MapFpToG1", 5552, 0), ("Bls12381HashToG1", 9424, 0), ("Bls12381G2Add", 0, 0),
    ("Bls12381G2Mul", 0, 0), ("Bls12381G2Msm", 219654, 354667),
    ("Bls12381MapFp2ToG2", 3344, 0), ("Bls12381HashToG2", 6816, 0),
    ("Bls12381Pairing", 2204, 9340474), ("Bls12381FrFromU256", 0, 0),
    ("Bls12381FrToU256", 248, 0), ("Bls12381FrAddSub", 0, 0), ("Bls12381FrMul", 0, 0),
    ("Bls12381FrPow", 0, 128), ("Bls12381FrInv", 0, 0),
)
V25_CPU_COSTS = (
    ("Bn254EncodeFp", 344, 0), ("Bn254DecodeFp", 476, 0), ("Bn254G1CheckPointOnCurve", 904, 0),
    ("Bn254G2CheckPointOnCurve", 2811, 0), ("Bn254G2CheckPointInSubgroup", 2937755, 0),
    ("Bn254G1ProjectiveToAffine", 61, 0), ("Bn254G1Add", 3623, 0), ("Bn254G1Mul", 1150435, 0),
    ("Bn254Pairing", 5263916, 392472814), ("Bn254FrFromU256", 2052, 0),
    ("Bn254FrToU256", 1133, 0), ("Bn254FrAddSub", 74, 0), ("Bn254FrMul", 332, 0),
    ("Bn254FrPow", 755, 68930), ("Bn254FrInv", 33151, 0),
)
V25_MEM_COSTS = (
    ("Bn254EncodeFp", 0, 0), ("Bn254DecodeFp", 0, 0), ("Bn254G1CheckPointOnCurve", 0, 0),
    ("Bn254G2CheckPointOnCurve", 0, 0), ("Bn254G2CheckPointInSubgroup", 0, 0),
    ("Bn254G1ProjectiveToAffine", 0, 0), ("Bn254G1Add", 0, 0), ("Bn254G1Mul", 0, 0),
    ("Bn254Pairing", 1821, 6232546), ("Bn254FrFromU256", 0, 0), ("Bn254FrToU256", 312, 0),
    ("Bn254FrAddSub", 0, 0), ("Bn254FrMul", 0, 0), ("Bn254FrPow", 0, 0), ("Bn254FrInv", 0, 0),
)


def apply_cost_table(params, size: int, table) -> list:
    """`params` resized to `size` (new slots zero, as std::vector::resize)
    with the entries `table` names overwritten."""
    out = [p.copy() for p in params[:size]]
    out.extend(_cost_entry(0, 0) for _ in range(size - len(out)))
    for name, const, linear in table:
        i = int(getattr(CT, name))
        if i < size:
            out[i] = _cost_entry(const, linear)
    return out


def _cost_params_entry(arm, table, size):
    return xdr.ConfigSettingEntry(**{arm: apply_cost_table([], size, table)})


def _update_cost_params(ltx, size, cpu_table, mem_table):
    def cpu(cs):
        cs.contractCostParamsCpuInsns = apply_cost_table(cs.contractCostParamsCpuInsns, size, cpu_table)

    def mem(cs):
        cs.contractCostParamsMemBytes = apply_cost_table(cs.contractCostParamsMemBytes, size, mem_table)

    _update_config_setting(ltx, CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS, cpu)
    _update_config_setting(ltx, CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_MEMORY_BYTES, mem)


# ------------------------------------------------------------- protocol upgrades


def create_ledger_entries_for_v20(ltx, initial_state_size: int, overrides=PRODUCTION):
    """The 14 settings of protocol 20 (validated against protocol 20 even
    when the upgrade jumps past it). `initial_state_size` fills the 30-slot
    state-size window: the live bucket list size at the upgrade."""
    v20 = 20
    o = overrides
    for setting in (
        _initial_max_contract_size(o), _initial_data_key_size(o), _initial_data_entry_size(o),
        _initial_compute(o), _initial_ledger_cost(o), _initial_historical(), _initial_events(o),
        _initial_bandwidth(o), _initial_execution_lanes(o),
        _cost_params_entry("contractCostParamsCpuInsns", V20_CPU_COSTS, CT.ChaCha20DrawBytes + 1),
        _cost_params_entry("contractCostParamsMemBytes", V20_MEM_COSTS, CT.ChaCha20DrawBytes + 1),
        _initial_state_archival(o), _initial_state_size_window(initial_state_size),
        _initial_eviction_iterator(o),
    ):
        _create_config_setting(ltx, setting, v20)


def create_cost_types_for_v21(ltx):
    """Cost types up to VerifyEcdsaSecp256r1Sig (and VmCachedInstantiation re-priced)."""
    _update_cost_params(ltx, CT.VerifyEcdsaSecp256r1Sig + 1, V21_CPU_COSTS, V21_MEM_COSTS)


def create_cost_types_for_v22(ltx):
    """The BLS12-381 cost types."""
    _update_cost_params(ltx, CT.Bls12381FrInv + 1, V22_CPU_COSTS, V22_MEM_COSTS)


def create_cost_types_for_v25(ltx):
    """The BN254 cost types."""
    _update_cost_params(ltx, CT.Bn254FrInv + 1, V25_CPU_COSTS, V25_MEM_COSTS)


def create_and_update_ledger_entries_for_v23(ltx):
    """Parallel compute, SCP timing and ledger-cost-ext settings (the
    footprint limit starts at the old txMaxDiskReadEntries), then the
    protocol-23 rent settings overwrite the ledger-cost and archival ones."""
    i = InitialSorobanNetworkConfig
    _create_config_setting(ltx, xdr.ConfigSettingEntry(
        contractParallelCompute=xdr.ConfigSettingContractParallelComputeV0(
            ledgerMaxDependentTxClusters=i.LEDGER_MAX_DEPENDENT_TX_CLUSTERS)), 23)
    _create_config_setting(ltx, xdr.ConfigSettingEntry(contractSCPTiming=xdr.ConfigSettingSCPTiming(
        ledgerTargetCloseTimeMilliseconds=i.LEDGER_TARGET_CLOSE_TIME_MILLISECONDS,
        nominationTimeoutInitialMilliseconds=i.NOMINATION_TIMEOUT_INITIAL_MILLISECONDS,
        nominationTimeoutIncrementMilliseconds=i.NOMINATION_TIMEOUT_INCREMENT_MILLISECONDS,
        ballotTimeoutInitialMilliseconds=i.BALLOT_TIMEOUT_INITIAL_MILLISECONDS,
        ballotTimeoutIncrementMilliseconds=i.BALLOT_TIMEOUT_INCREMENT_MILLISECONDS)), 23)
    tx_max_reads = read_config_setting(
        ltx, CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_V0).contractLedgerCost.txMaxDiskReadEntries
    _create_config_setting(ltx, xdr.ConfigSettingEntry(
        contractLedgerCostExt=xdr.ConfigSettingContractLedgerCostExtV0(
            txMaxFootprintEntries=tx_max_reads, feeWrite1KB=i.FEE_LEDGER_WRITE_1KB)), 23)

    p = Protocol23UpgradedConfig
    child = _child_ltx(ltx)
    lc = child.load(config_setting_key(CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_V0))
    arch = child.load(config_setting_key(CS.CONFIG_SETTING_STATE_ARCHIVAL))
    if lc is None or arch is None:
        child.rollback()
        raise NetworkConfigError("protocol 23 upgrade needs the protocol 20 settings")
    c = lc.data.configSetting.contractLedgerCost
    c.sorobanStateTargetSizeBytes = p.SOROBAN_STATE_TARGET_SIZE_BYTES
    c.rentFee1KBSorobanStateSizeLow = p.RENT_FEE_1KB_SOROBAN_STATE_SIZE_LOW
    c.rentFee1KBSorobanStateSizeHigh = p.RENT_FEE_1KB_SOROBAN_STATE_SIZE_HIGH
    s = arch.data.configSetting.stateArchivalSettings
    s.persistentRentRateDenominator = p.PERSISTENT_RENT_RATE_DENOMINATOR
    s.tempRentRateDenominator = p.TEMP_RENT_RATE_DENOMINATOR
    child.commit()


def _needs_upgrade_to(target: int, prev: int, new: int) -> bool:
    return prev < target <= new


def apply_soroban_version_upgrade(ltx, prev_version: int, new_version: int, *,
                                  bucket_list_size: int = 0, recompute_state_size=None,
                                  overrides=PRODUCTION):
    """The Soroban part of Upgrades::applyVersionUpgrade, in its order. Call
    it after the header's ledgerVersion is set to `new_version`.

    `bucket_list_size` seeds the window when protocol 20 starts;
    `recompute_state_size(config, ledger_version) -> int` is the in-memory
    Soroban state's recomputation, needed for every upgrade to 23 or later
    (handleUpgradeAffectingSorobanInMemoryStateSize)."""
    if store_header(ltx).ledgerVersion != new_version:
        raise NetworkConfigError("set the header's ledgerVersion before the Soroban upgrade")
    if _needs_upgrade_to(SOROBAN_PROTOCOL_VERSION, prev_version, new_version):
        create_ledger_entries_for_v20(ltx, bucket_list_size, overrides)
    if _needs_upgrade_to(21, prev_version, new_version):
        create_cost_types_for_v21(ltx)
    if _needs_upgrade_to(22, prev_version, new_version):
        create_cost_types_for_v22(ltx)
    if _needs_upgrade_to(23, prev_version, new_version):
        create_and_update_ledger_entries_for_v23(ltx)
    if _needs_upgrade_to(25, prev_version, new_version):
        create_cost_types_for_v25(ltx)
    if new_version >= 23:
        handle_upgrade_affecting_soroban_state_size(ltx, recompute_state_size)


# ------------------------------------------------------------- state-size window


def update_state_size_window_setting(ltx, update):
    """Let `update(window_list)` change the window in place, in a committed
    child LedgerTxn (the entry is recorded even if nothing changes)."""
    def apply(cs):
        window = list(cs.liveSorobanStateSizeWindow)
        if not window:
            raise NetworkConfigError("empty live Soroban state size window")
        update(window)
        cs.liveSorobanStateSizeWindow = window

    _update_config_setting(ltx, CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW, apply)


def maybe_snapshot_soroban_state_size(curr_ledger: int, in_memory_state_size: int, ltx,
                                      bucket_list_size=None):
    """On a sample ledger (seq % samplePeriod of the possibly just-upgraded
    settings == 0) drop the oldest sample and append the state size: the
    in-memory Soroban state from protocol 23 (the size before this ledger's
    changes, PARITY_TRAPS S12), the live bucket list size before."""
    version = store_header(ltx).ledgerVersion
    if version < SOROBAN_PROTOCOL_VERSION:
        return
    period = read_config_setting(
        ltx, CS.CONFIG_SETTING_STATE_ARCHIVAL).stateArchivalSettings.liveSorobanStateSizeWindowSamplePeriod
    if period == 0:  # cannot pass validation; stellar-core would divide by zero
        raise NetworkConfigError("liveSorobanStateSizeWindowSamplePeriod is 0")
    if curr_ledger % period != 0:
        return
    if version < 23:
        if bucket_list_size is None:
            raise NetworkConfigError("before protocol 23 the sample is the live bucket list size")
        size = bucket_list_size
    else:
        size = in_memory_state_size

    def shift(window):
        del window[0]
        window.append(size)

    update_state_size_window_setting(ltx, shift)


def update_recomputed_soroban_state_size(new_size: int, ltx):
    """Overwrite every sample with `new_size` (after a recomputation)."""
    def fill(window):
        window[:] = [new_size] * len(window)

    update_state_size_window_setting(ltx, fill)


def maybe_update_soroban_state_size_window_size(ltx):
    """Resize the window to the (upgraded) sample size: drop the oldest
    samples, or pad at the front with the oldest one so the padding is
    replaced first."""
    if store_header(ltx).ledgerVersion < SOROBAN_PROTOCOL_VERSION:
        raise NetworkConfigError("no Soroban settings before protocol 20")
    new_size = read_config_setting(
        ltx, CS.CONFIG_SETTING_STATE_ARCHIVAL).stateArchivalSettings.liveSorobanStateSizeWindowSampleSize

    def resize(window):
        cur = len(window)
        if new_size < cur:
            del window[:cur - new_size]
        elif new_size > cur:
            window[:0] = [window[0]] * (new_size - cur)

    update_state_size_window_setting(ltx, resize)


def handle_upgrade_affecting_soroban_state_size(ltx, recompute_state_size):
    """After a memory-cost or version upgrade: let the in-memory state
    recompute its size with the settings now in `ltx`, and from protocol
    23 write that size into every window slot."""
    if recompute_state_size is None:
        raise NetworkConfigError("this upgrade needs the in-memory Soroban state size recomputed")
    config = SorobanNetworkConfig.load_from_ledger(ltx)
    version = store_header(ltx).ledgerVersion
    new_size = recompute_state_size(config, version)
    if version >= 23:
        update_recomputed_soroban_state_size(new_size, ltx)


def update_eviction_iterator(ltx, new_iterator):
    """Store the eviction scan's position (every ledger, in a child LedgerTxn)."""
    def put(cs):
        cs.evictionIterator = new_iterator.copy()

    _update_config_setting(ltx, CS.CONFIG_SETTING_EVICTION_ITERATOR, put)
