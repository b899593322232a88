"""Applying ledger upgrades at ledger close (ledger.upgrades), against the
facts of stellar-core's src/herder/test/UpgradesTests.cpp: each test names
the TEST_CASE (and SECTION) it reproduces. A ledger here is the
transactions test ledger (root account, genesis fee and reserve) plus, for
protocol 20 and later, the Soroban settings stellar-core's test genesis
has (SorobanNetworkConfig::initializeGenesisLedgerForTesting); an upgrade
is "executed" as LedgerManagerImpl::applyLedger does: every blob through
is_valid_for_apply and, when valid, its own child LedgerTxn.
"""
from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings, strategies as st

from stellarcore import xdr
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.ledger.upgrades import (MAINNET_P24_FEE_POOL_CORRECTION, MASK_LEDGER_HEADER_FLAGS,
                                         UpgradeValidity, apply_upgrades, header_flags, is_valid_for_apply)
from stellarcore.soroban import network_config as nc
from stellarcore.soroban import network_config_testing as NCT
from stellarcore.soroban.config_upgrade import ConfigUpgradeSetFrame
from tests.ledger.upgrade_builders import version, base_fee, tx_count, base_reserve, flags, soroban_tx_count, config_upgrade
from tests.transactions.harness import TestLedger

CS = xdr.ConfigSettingID
CT = xdr.ContractCostType
INIT = nc.InitialSorobanNetworkConfig
MIN = nc.MinimumSorobanNetworkConfig
CURRENT = 25
RECOMPUTED_SIZE = 424_242  # what the stand-in in-memory state reports


def recompute(config, ledger_version):
    """Stand-in for the in-memory Soroban state's recomputation."""
    return RECOMPUTED_SIZE


def soroban_ledger(protocol: int) -> TestLedger:
    L = TestLedger(protocol=protocol)
    if protocol >= nc.SOROBAN_PROTOCOL_VERSION:
        ltx = LedgerTxn(L.root_store)
        NCT.initialize_genesis_ledger_for_testing(protocol, ltx)
        ltx.commit()
        L.close_ledger()
    return L


def execute(L: TestLedger, *upgrades, production=False, bucket_list_size=0, max_version=CURRENT):
    """executeUpgrades: one ledger whose value carries these upgrades."""
    blobs = [u if isinstance(u, bytes) else u.to_xdr() for u in upgrades]
    ltx = LedgerTxn(L.root_store)
    metas = apply_upgrades(ltx, blobs, max_protocol_version=max_version, recompute_state_size=recompute,
                           is_production_network=production, bucket_list_size=bucket_list_size)
    ltx.commit()
    L.close_ledger()
    return metas


def setting(L, sid):
    """A setting of a test ledger (or of a LedgerTxn)."""
    return nc.read_config_setting(getattr(L, "root_store", L), sid)


def config(L):
    return nc.SorobanNetworkConfig.load_from_ledger(L.root_store)


def store_set(L, entries, **kw):
    """makeConfigUpgradeSet: the set on the ledger (own ledger), its key."""
    ltx = LedgerTxn(L.root_store)
    key = NCT.store_config_upgrade_set(ltx, xdr.ConfigUpgradeSet(updatedEntry=list(entries)), **kw)
    ltx.commit()
    L.close_ledger()
    return key


def max_size_set(L, size, **kw):
    """makeMaxContractSizeBytesTestUpgrade."""
    return store_set(L, [xdr.ConfigSettingEntry(contractMaxSizeBytes=size)], **kw)


def header_snapshot(h):
    return (h.ledgerVersion, h.baseFee, h.maxTxSetSize, h.baseReserve, h.ext.v, header_flags(h))


# ---------------------------------------------------------------- classic header fields


@pytest.mark.parametrize("upgrade,field,value", [
    (base_fee(1000), "baseFee", 1000), (tx_count(1300), "maxTxSetSize", 1300),
    (base_reserve(1000), "baseReserve", 1000)], ids=["base fee", "max tx", "base reserve"])
def test_ledger_manager_applies_upgrades_properly(upgrade, field, value):
    """TEST_CASE("Ledger Manager applies upgrades properly")."""
    L = soroban_ledger(23)
    metas = execute(L, upgrade)
    assert getattr(L.header, field) == value
    assert [m.upgrade for m in metas] == [upgrade]
    assert metas[0].changes == []   # header only


def test_ledger_manager_applies_all_upgrades_in_one_ledger():
    """SECTION("all") of "Ledger Manager applies upgrades properly"."""
    L = soroban_ledger(23)
    metas = execute(L, version(CURRENT), base_fee(1000), tx_count(1300), base_reserve(1000))
    h = L.header
    assert (h.ledgerVersion, h.baseFee, h.maxTxSetSize, h.baseReserve) == (CURRENT, 1000, 1300, 1000)
    assert len(metas) == 4


# ---------------------------------------------------------------- version


def test_ledger_version_upgrade_from_genesis_version_0():
    """"Ledger Manager applies upgrades properly" / SECTION("ledger version"):
    a genesis at version 0 (USE_CONFIG_FOR_GENESIS = false) upgraded to the
    current protocol in one step gets every protocol's Soroban settings."""
    L = soroban_ledger(0)
    metas = execute(L, version(CURRENT), bucket_list_size=1234)
    assert L.header.ledgerVersion == CURRENT
    c = config(L)
    assert len(c.cpu_cost_params) == len(c.mem_cost_params) == CT.Bn254FrInv + 1
    assert c.ledger_max_dependent_tx_clusters == INIT.LEDGER_MAX_DEPENDENT_TX_CLUSTERS
    assert c.nomination_timeout_initial_milliseconds == INIT.NOMINATION_TIMEOUT_INITIAL_MILLISECONDS
    # protocol 23's rent settings overwrote the protocol 20 ones
    assert c.state_archival_settings.persistentRentRateDenominator == \
        nc.Protocol23UpgradedConfig.PERSISTENT_RENT_RATE_DENOMINATOR
    # the window was seeded with the bucket list size, then overwritten with
    # the recomputed in-memory state size (protocol 23+)
    assert _window(L) == [RECOMPUTED_SIZE] * INIT.BUCKET_LIST_SIZE_WINDOW_SAMPLE_SIZE
    created = [c for c in metas[0].changes if c.type == xdr.LedgerEntryChangeType.LEDGER_ENTRY_CREATED]
    assert len(created) == len(CS)


def test_upgrade_to_24_and_then_latest_from_23_and_check_fee_pool():
    """TEST_CASE("upgrade to 24 and then latest from 23 and check feePool")
    (gIsProductionNetwork = true)."""
    L = soroban_ledger(23)
    p23_fee_pool = L.header.feePool
    execute(L, version(24), production=True)
    assert L.header.feePool == p23_fee_pool + 31_879_035 == p23_fee_pool + MAINNET_P24_FEE_POOL_CORRECTION
    execute(L, version(CURRENT), production=True)
    assert L.header.feePool == p23_fee_pool + 31_879_035


def test_fee_pool_correction_is_mainnet_only():
    L = soroban_ledger(23)
    before = L.header.feePool
    execute(L, version(24))
    assert L.header.feePool == before


def test_fee_pool_correction_only_for_23_to_24():
    """A jump 23 -> 25 is not "prev == 23 and new == 24"."""
    L = soroban_ledger(23)
    before = L.header.feePool
    execute(L, version(25), production=True)
    assert L.header.feePool == before


def test_upgrade_to_version_25_and_check_cost_types():
    """TEST_CASE("upgrade to version 25 and check cost types")."""
    L = soroban_ledger(24)
    cpu = setting(L, CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS).contractCostParamsCpuInsns
    mem = setting(L, CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_MEMORY_BYTES).contractCostParamsMemBytes
    assert len(cpu) == len(mem) == CT.Bls12381FrInv + 1
    execute(L, version(25))
    cpu = setting(L, CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS).contractCostParamsCpuInsns
    mem = setting(L, CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_MEMORY_BYTES).contractCostParamsMemBytes
    assert len(cpu) == len(mem) == CT.Bn254FrInv + 1


def test_protocol_23_upgrade_sets_default_scp_timing_values():
    """TEST_CASE("protocol 23 upgrade sets default SCP timing values") and
    TEST_CASE("parallel Soroban settings upgrade") (initial value)."""
    L = soroban_ledger(22)
    assert nc.read_config_setting(L.root_store, CS.CONFIG_SETTING_CONTRACT_PARALLEL_COMPUTE_V0,
                                  required=False) is None
    execute(L, version(23))
    assert L.header.ledgerVersion == 23
    c = config(L)
    assert c.ledger_target_close_time_milliseconds == INIT.LEDGER_TARGET_CLOSE_TIME_MILLISECONDS == 5000
    assert c.nomination_timeout_initial_milliseconds == INIT.NOMINATION_TIMEOUT_INITIAL_MILLISECONDS == 1000
    assert c.nomination_timeout_increment_milliseconds == INIT.NOMINATION_TIMEOUT_INCREMENT_MILLISECONDS
    assert c.ballot_timeout_initial_milliseconds == INIT.BALLOT_TIMEOUT_INITIAL_MILLISECONDS
    assert c.ballot_timeout_increment_milliseconds == INIT.BALLOT_TIMEOUT_INCREMENT_MILLISECONDS
    assert c.ledger_max_dependent_tx_clusters == INIT.LEDGER_MAX_DEPENDENT_TX_CLUSTERS == 1


def test_version_upgrade_to_23_or_later_overwrites_the_state_size_window():
    """applyVersionUpgrade: from protocol 23 on, every version upgrade
    recomputes the in-memory Soroban state size and writes it into every
    window slot (handleUpgradeAffectingSorobanInMemoryStateSize)."""
    L = soroban_ledger(24)
    execute(L, version(25))
    window = setting(L, CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW).liveSorobanStateSizeWindow
    assert window == [RECOMPUTED_SIZE] * INIT.BUCKET_LIST_SIZE_WINDOW_SAMPLE_SIZE


def test_configuration_initialized_in_version_upgrade():
    """TEST_CASE("configuration initialized in version upgrade"): 19 -> 20
    creates the settings; the window holds the live bucket list size."""
    L = soroban_ledger(19)
    assert nc.read_config_setting(L.root_store, CS.CONFIG_SETTING_CONTRACT_MAX_SIZE_BYTES,
                                  required=False) is None
    bl_size = 987_654
    calls = []

    def bucket_list_size():
        calls.append(1)
        return bl_size

    execute(L, version(20), bucket_list_size=bucket_list_size)
    assert setting(L, CS.CONFIG_SETTING_CONTRACT_MAX_SIZE_BYTES).contractMaxSizeBytes == INIT.MAX_CONTRACT_SIZE
    c = config(L)
    assert c.average_soroban_state_size == bl_size
    assert c.state_archival_settings.liveSorobanStateSizeWindowSampleSize == 30
    window = setting(L, CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW).liveSorobanStateSizeWindow
    assert window == [bl_size] * 30
    assert calls == [1]


def test_version_upgrade_meta_lists_the_settings_written():
    """The UpgradeEntryMeta of 24 -> 25: the two cost-params settings and
    the window, each as STATE then UPDATED at the upgrade ledger."""
    L = soroban_ledger(24)
    seq = L.header.ledgerSeq
    metas = execute(L, version(25))
    ids = sorted(c.updated.data.configSetting.xdr_disc() for c in metas[0].changes
                 if c.type == xdr.LedgerEntryChangeType.LEDGER_ENTRY_UPDATED)
    assert ids == sorted([CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS,
                          CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_MEMORY_BYTES,
                          CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW])
    assert all(c.updated.lastModifiedLedgerSeq == seq for c in metas[0].changes
               if c.type == xdr.LedgerEntryChangeType.LEDGER_ENTRY_UPDATED)


# ---------------------------------------------------------------- invalid at close


def test_upgrade_invalid_during_ledger_close_version_changes():
    """TEST_CASE_VERSIONS("upgrade invalid during ledger close") /
    SECTION("invalid version changes")."""
    L = soroban_ledger(24)
    before = header_snapshot(L.header)
    assert execute(L, version(CURRENT + 1)) == []
    assert header_snapshot(L.header) == before
    assert len(execute(L, version(CURRENT))) == 1
    before = header_snapshot(L.header)
    assert execute(L, version(CURRENT - 1)) == []
    assert header_snapshot(L.header) == before


def test_upgrade_invalid_during_ledger_close_flags():
    """SECTION("Invalid flags"): fee and reserve 0, flags outside the mask."""
    L = soroban_ledger(CURRENT)
    before = header_snapshot(L.header)
    for u in (base_fee(0), base_reserve(0), flags(MASK_LEDGER_HEADER_FLAGS + 1)):
        assert execute(L, u) == []
        assert header_snapshot(L.header) == before
    all_flags = (xdr.LedgerHeaderFlags.DISABLE_LIQUIDITY_POOL_TRADING_FLAG
                 | xdr.LedgerHeaderFlags.DISABLE_LIQUIDITY_POOL_DEPOSIT_FLAG
                 | xdr.LedgerHeaderFlags.DISABLE_LIQUIDITY_POOL_WITHDRAWAL_FLAG)
    assert all_flags == MASK_LEDGER_HEADER_FLAGS
    assert len(execute(L, flags(MASK_LEDGER_HEADER_FLAGS))) == 1
    assert L.header.ext.v == 1 and L.header.ext.v1.flags == MASK_LEDGER_HEADER_FLAGS


def test_flags_upgrade_to_zero_still_switches_header_ext_to_v1():
    """setLedgerHeaderFlag makes ext v1 even for flags 0 (PARITY_TRAPS L5)."""
    L = soroban_ledger(CURRENT)
    assert L.header.ext.v == 0
    execute(L, flags(0))
    assert L.header.ext.v == 1 and L.header.ext.v1.flags == 0


def test_an_upgrade_that_raises_is_rolled_back_and_the_next_applies():
    """applyLedger catches an exception from applyTo: that upgrade leaves
    no trace (its LedgerTxn is dropped), later ones still apply."""
    L = soroban_ledger(24)
    ltx = LedgerTxn(L.root_store)
    # no in-memory state to recompute the size with: the 24 -> 25 upgrade raises
    metas = apply_upgrades(ltx, [version(25).to_xdr(), base_fee(777).to_xdr()],
                           max_protocol_version=CURRENT, recompute_state_size=None)
    assert [m.upgrade for m in metas] == [base_fee(777)]
    assert ltx.header.ledgerVersion == 24 and ltx.header.baseFee == 777
    assert len(setting(ltx, CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS)
               .contractCostParamsCpuInsns) == CT.Bls12381FrInv + 1
    ltx.rollback()


def test_each_upgrade_sees_the_earlier_ones_of_its_ledger():
    """isValidForApply runs against the ledger being closed: after a
    version upgrade to 25, a second one to 25 is no longer valid."""
    L = soroban_ledger(24)
    metas = execute(L, version(25), version(25))
    assert len(metas) == 1


# ---------------------------------------------------------------- Soroban tx set size


def test_soroban_max_tx_set_size_upgrade_applied_to_ledger():
    """TEST_CASE("Soroban max tx set size upgrade applied to ledger")."""
    L = soroban_ledger(CURRENT)
    for n in (123, 0, 321):
        execute(L, soroban_tx_count(n))
        assert config(L).ledger_max_tx_count == n


def test_soroban_upgrades_invalid_before_protocol_20():
    L = soroban_ledger(19)
    key = xdr.ConfigUpgradeSetKey(contractID=b"\1" * 32, contentHash=b"\2" * 32)
    for u in (soroban_tx_count(5), config_upgrade(key)):
        assert is_valid_for_apply(u.to_xdr(), L.root_store, CURRENT)[0] == UpgradeValidity.INVALID


def test_flags_upgrade_invalid_before_protocol_18():
    L = soroban_ledger(17)
    assert is_valid_for_apply(flags(1).to_xdr(), L.root_store, CURRENT)[0] == UpgradeValidity.INVALID


# ---------------------------------------------------------------- config upgrades


@pytest.fixture
def p20():
    """The ledger of TEST_CASE("config upgrades applied to ledger"): a
    protocol 19 genesis upgraded to 20, so the settings are the initial
    (production) ones."""
    L = soroban_ledger(19)
    execute(L, version(20))
    return L


def test_unknown_config_upgrade_set_is_ignored(p20):
    """SECTION("unknown config upgrade set is ignored")."""
    key = xdr.ConfigUpgradeSetKey(contractID=hashlib.sha256(b"x").digest(),
                                  contentHash=hashlib.sha256(b"y").digest())
    assert execute(p20, config_upgrade(key)) == []
    assert config(p20).max_contract_size_bytes == INIT.MAX_CONTRACT_SIZE


def test_known_config_upgrade_set_is_applied(p20):
    """SECTION("known config upgrade set is applied")."""
    key = max_size_set(p20, 32768)
    metas = execute(p20, config_upgrade(key))
    assert config(p20).max_contract_size_bytes == 32768
    assert [c.updated.data.configSetting for c in metas[0].changes
            if c.type == xdr.LedgerEntryChangeType.LEDGER_ENTRY_UPDATED] == \
        [xdr.ConfigSettingEntry(contractMaxSizeBytes=32768)]


def _window_size_upgrade(L, size):
    sas = setting(L, CS.CONFIG_SETTING_STATE_ARCHIVAL).stateArchivalSettings.copy()
    sas.liveSorobanStateSizeWindowSampleSize = size
    return store_set(L, [xdr.ConfigSettingEntry(stateArchivalSettings=sas)])


def _populate_window(L, commit=True):
    ltx = LedgerTxn(L.root_store)
    nc.update_state_size_window_setting(ltx, lambda w: w.__setitem__(slice(None), list(range(len(w)))))
    if commit:
        ltx.commit()
    else:
        ltx.rollback()


def _window(L):
    return setting(L, CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW).liveSorobanStateSizeWindow


def test_modify_window_sample_size_decrease(p20):
    """SECTION("modify liveSorobanStateSizeWindowSampleSize") / "decrease
    size": the 10 oldest samples are dropped."""
    _populate_window(p20)
    execute(p20, config_upgrade(_window_size_upgrade(p20, 20)))
    c = config(p20)
    assert c.state_archival_settings.liveSorobanStateSizeWindowSampleSize == 20
    window = _window(p20)
    assert window == list(range(10, 30))
    assert c.average_soroban_state_size == sum(window) // 20


def test_modify_window_sample_size_increase(p20):
    """"increase size": 10 copies of the oldest sample are put in front."""
    _populate_window(p20)
    execute(p20, config_upgrade(_window_size_upgrade(p20, 40)))
    window = _window(p20)
    assert len(window) == 40
    assert window == [0] * 11 + list(range(1, 30))
    assert config(p20).average_soroban_state_size == sum(window) // 40


@pytest.mark.parametrize("size", [0, INIT.BUCKET_LIST_SIZE_WINDOW_SAMPLE_SIZE],
                         ids=["upgrade size to 0", "upgrade to same size"])
def test_modify_window_sample_size_without_effect(p20, size):
    """testUpgradeHasNoEffect: 0 is invalid (skipped), the same size leaves
    the window alone. (stellar-core's test populates the window in a
    LedgerTxn it never commits.)"""
    _populate_window(p20, commit=False)
    initial = _window(p20)
    average = config(p20).average_soroban_state_size
    execute(p20, config_upgrade(_window_size_upgrade(p20, size)))
    assert _window(p20) == initial
    assert config(p20).state_archival_settings.liveSorobanStateSizeWindowSampleSize == len(initial)
    assert config(p20).average_soroban_state_size == average


def test_multi_item_config_upgrade_set_is_applied(p20):
    """SECTION("multi-item config upgrade set is applied")."""
    c = config(p20)
    assert c.fee_rate_per_instructions_increment == INIT.FEE_RATE_PER_INSTRUCTIONS_INCREMENT
    assert c.ledger_max_instructions == INIT.LEDGER_MAX_INSTRUCTIONS
    assert c.tx_memory_limit == INIT.MEMORY_LIMIT
    assert c.tx_max_instructions == INIT.TX_MAX_INSTRUCTIONS
    assert c.fee_historical_1kb == INIT.FEE_HISTORICAL_1KB
    compute = xdr.ConfigSettingContractComputeV0(
        ledgerMaxInstructions=MIN.TX_MAX_INSTRUCTIONS, txMaxInstructions=MIN.TX_MAX_INSTRUCTIONS,
        feeRatePerInstructionsIncrement=111, txMemoryLimit=MIN.MEMORY_LIMIT)
    key = store_set(p20, [xdr.ConfigSettingEntry(contractCompute=compute),
                          xdr.ConfigSettingEntry(contractHistoricalData=xdr.ConfigSettingContractHistoricalDataV0(
                              feeHistorical1KB=555))])
    execute(p20, config_upgrade(key))
    c = config(p20)
    assert c.fee_rate_per_instructions_increment == 111
    assert c.ledger_max_instructions == MIN.TX_MAX_INSTRUCTIONS
    assert c.tx_memory_limit == MIN.MEMORY_LIMIT
    assert c.tx_max_instructions == MIN.TX_MAX_INSTRUCTIONS
    assert c.fee_historical_1kb == 555


def test_upgrade_rejected_due_to_value_below_minimum(p20):
    """SECTION("upgrade rejected due to value below minimum")."""
    for value in (MIN.TX_MAX_WRITE_BYTES, MIN.TX_MAX_WRITE_BYTES - 1):
        current = setting(p20, CS.CONFIG_SETTING_CONTRACT_LEDGER_COST_V0).copy()
        current.contractLedgerCost.txMaxWriteBytes = value
        execute(p20, config_upgrade(store_set(p20, [current])))
        assert config(p20).tx_max_write_bytes == MIN.TX_MAX_WRITE_BYTES


def test_parallel_soroban_settings_upgrade():
    """TEST_CASE("parallel Soroban settings upgrade"): the cluster count
    is upgradeable (to 5) from 23."""
    L = soroban_ledger(22)
    execute(L, version(23))
    key = store_set(L, [xdr.ConfigSettingEntry(
        contractParallelCompute=xdr.ConfigSettingContractParallelComputeV0(ledgerMaxDependentTxClusters=5))])
    execute(L, config_upgrade(key))
    assert config(L).ledger_max_dependent_tx_clusters == 5


# ---------------------------------------------------------------- config upgrade validation


@pytest.fixture
def validation():
    """TEST_CASE("config upgrade validation"): the set stored on the
    ledger, the header then switched to protocol 20 (SOROBAN_PROTOCOL_VERSION)
    in a LedgerTxn for the "validate for apply" checks."""
    L = soroban_ledger(CURRENT)
    key = max_size_set(L, 32768)
    ltx = LedgerTxn(L.root_store)
    ltx.header.ledgerVersion = nc.SOROBAN_PROTOCOL_VERSION
    yield L, key, ltx
    ltx.rollback()


def _apply_validity(upgrade, store):
    return is_valid_for_apply(upgrade.to_xdr(), store, CURRENT)


def test_config_validation_expired_entry():
    """SECTION("expired config upgrade entry")."""
    L = soroban_ledger(CURRENT)
    key = max_size_set(L, 32768, expired=True)
    assert ConfigUpgradeSetFrame.make_from_key(L.root_store, key) is None


def test_config_validation_persistent_entry():
    """SECTION("PERSISTENT config upgrade entry")."""
    L = soroban_ledger(CURRENT)
    key = max_size_set(L, 32768, durability=xdr.ContractDataDurability.PERSISTENT)
    assert ConfigUpgradeSetFrame.make_from_key(L.root_store, key) is None


def test_config_validation_valid(validation):
    """SECTION("validate for apply") / SECTION("valid")."""
    _, key, ltx = validation
    v, upgrade = _apply_validity(config_upgrade(key), ltx)
    assert v == UpgradeValidity.VALID
    assert upgrade.newConfig == key


def test_config_validation_unknown_upgrade(validation):
    """SECTION("unknown upgrade")."""
    _, _, ltx = validation
    key = xdr.ConfigUpgradeSetKey(contractID=b"\5" * 32, contentHash=b"\6" * 32)
    assert _apply_validity(config_upgrade(key), ltx)[0] == UpgradeValidity.INVALID


@pytest.mark.parametrize("entries", [
    [], [xdr.ConfigSettingEntry(contractMaxSizeBytes=0), xdr.ConfigSettingEntry(contractMaxSizeBytes=0)]],
    ids=["no updated entries", "duplicate entries"])
def test_config_validation_bad_xdr(validation, entries):
    """SECTION("bad XDR"): the frame and the upgrade are XDR_INVALID."""
    _, _, ltx = validation
    key = NCT.store_config_upgrade_set(ltx, xdr.ConfigUpgradeSet(updatedEntry=entries))
    frame = ConfigUpgradeSetFrame.make_from_key(ltx, key)
    assert frame.is_valid_for_apply() == UpgradeValidity.XDR_INVALID
    assert _apply_validity(config_upgrade(key), ltx)[0] == UpgradeValidity.XDR_INVALID


def test_config_validation_invalid_deserialization(validation):
    """SECTION("invalid deserialization"): a PERSISTENT entry whose bytes
    are not a ConfigUpgradeSet."""
    _, _, ltx = validation
    contract_id = b"\7" * 32
    key = NCT.store_config_upgrade_set(ltx, contract_id, contract_id=contract_id,
                                       durability=xdr.ContractDataDurability.PERSISTENT)
    assert key.contentHash == hashlib.sha256(contract_id).digest()
    assert _apply_validity(config_upgrade(key), ltx)[0] == UpgradeValidity.INVALID


def test_config_validation_bad_value(validation):
    """SECTION("bad value"): a max contract size of 0."""
    _, _, ltx = validation
    key = NCT.store_config_upgrade_set(ltx, xdr.ConfigUpgradeSet(
        updatedEntry=[xdr.ConfigSettingEntry(contractMaxSizeBytes=0)]))
    assert _apply_validity(config_upgrade(key), ltx)[0] == UpgradeValidity.INVALID


@pytest.mark.parametrize("protocol,clusters,expected", [
    (23, 10, UpgradeValidity.VALID), (22, 10, UpgradeValidity.INVALID), (23, 0, UpgradeValidity.INVALID)],
    ids=["valid for apply", "unsupported protocol", "0 clusters"])
def test_config_upgrade_validation_for_protocol_23(protocol, clusters, expected):
    """TEST_CASE("config upgrade validation for protocol 23")."""
    L = soroban_ledger(CURRENT)
    key = store_set(L, [xdr.ConfigSettingEntry(
        contractParallelCompute=xdr.ConfigSettingContractParallelComputeV0(ledgerMaxDependentTxClusters=clusters))])
    ltx = LedgerTxn(L.root_store)
    ltx.header.ledgerVersion = protocol
    assert _apply_validity(config_upgrade(key), ltx)[0] == expected
    ltx.rollback()


def test_config_upgrade_that_no_longer_validates_at_apply_is_skipped():
    """applyTo re-reads the set: gone (expired TTL) by the time it applies."""
    L = soroban_ledger(CURRENT)
    key = max_size_set(L, 32768, expired=True)
    assert execute(L, config_upgrade(key)) == []
    assert config(L).max_contract_size_bytes == INIT.MAX_CONTRACT_SIZE


# ---------------------------------------------------------------- robustness


_LEDGER_25 = None


def _ledger_25():
    global _LEDGER_25
    if _LEDGER_25 is None:
        _LEDGER_25 = soroban_ledger(CURRENT)
    return _LEDGER_25


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=128))
def test_random_bytes_are_a_clean_validity_answer(blob):
    """Any UpgradeType blob gets an answer, never an exception: a blob
    that does not decode is XDR_INVALID."""
    L = _ledger_25()
    v, upgrade = is_valid_for_apply(blob, L.root_store, CURRENT)
    try:
        decoded = xdr.LedgerUpgrade.from_xdr(blob)
    except xdr.XdrError:
        decoded = None
    if decoded is None:
        assert v == UpgradeValidity.XDR_INVALID and upgrade is None
    else:
        assert upgrade == decoded and v in (UpgradeValidity.VALID, UpgradeValidity.INVALID)


_UPGRADES = st.one_of(
    st.integers(0, 0xFFFFFFFF).map(version), st.integers(0, 0xFFFFFFFF).map(base_fee),
    st.integers(0, 0xFFFFFFFF).map(tx_count), st.integers(0, 0xFFFFFFFF).map(base_reserve),
    st.integers(0, 0xFFFFFFFF).map(flags), st.integers(0, 0xFFFFFFFF).map(soroban_tx_count),
    st.tuples(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32)).map(
        lambda t: config_upgrade(xdr.ConfigUpgradeSetKey(contractID=t[0], contentHash=t[1]))))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(_UPGRADES.map(lambda u: u.to_xdr()), st.binary(max_size=80)), max_size=6))
def test_apply_upgrades_never_raises(blobs):
    """The close loop over any value's upgrades: skips what is invalid,
    applies the rest, each applied one with its meta."""
    L = _ledger_25()
    ltx = LedgerTxn(L.root_store)
    try:
        metas = apply_upgrades(ltx, blobs, max_protocol_version=CURRENT, recompute_state_size=recompute)
        assert len(metas) <= len(blobs)
        for m in metas:
            assert m.upgrade.to_xdr() in blobs
    finally:
        ltx.rollback()


# ---------------------------------------------------------------- flags and transactions


def test_upgrade_flags_govern_liquidity_pool_operations():
    """TEST_CASE_VERSIONS("upgrade flags"), deposit/withdraw part: the
    header flags an upgrade sets are what the operations read."""
    from tests.transactions.dexscen import (OC, expect_code, liquidity_pool_deposit, liquidity_pool_withdraw,
                                            pool_id, price, require_op)
    from tests.transactions.harness import credit, native
    require_op(xdr.OperationType.LIQUIDITY_POOL_DEPOSIT)
    HF = xdr.LedgerHeaderFlags
    D = xdr.LiquidityPoolDepositResultCode
    W = xdr.LiquidityPoolWithdrawResultCode
    L = soroban_ledger(CURRENT)
    root = L.root
    pool = pool_id(native(), credit("CUR1", root))

    def upgrade(v):
        execute(L, flags(v))
        assert L.header.ext.v1.flags == v

    with expect_code(D.LIQUIDITY_POOL_DEPOSIT_NO_TRUST):
        liquidity_pool_deposit(root, pool, 1, 1, price(1, 1), price(1, 1))
    upgrade(HF.DISABLE_LIQUIDITY_POOL_DEPOSIT_FLAG)
    with expect_code(OC.opNOT_SUPPORTED):
        liquidity_pool_deposit(root, pool, 1, 1, price(1, 1), price(1, 1))
    with expect_code(W.LIQUIDITY_POOL_WITHDRAW_NO_TRUST):
        liquidity_pool_withdraw(root, pool, 1, 0, 0)
    upgrade(HF.DISABLE_LIQUIDITY_POOL_WITHDRAWAL_FLAG)
    with expect_code(OC.opNOT_SUPPORTED):
        liquidity_pool_withdraw(root, pool, 1, 0, 0)
    upgrade(0)
    with expect_code(D.LIQUIDITY_POOL_DEPOSIT_NO_TRUST):
        liquidity_pool_deposit(root, pool, 1, 1, price(1, 1), price(1, 1))
    with expect_code(W.LIQUIDITY_POOL_WITHDRAW_NO_TRUST):
        liquidity_pool_withdraw(root, pool, 1, 0, 0)
