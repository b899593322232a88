"""The test-only Soroban settings (genesis + SorobanTest's limits) are the
ones stellar-core's tests ran with: the fees recorded in the
LedgerCloseMeta files of ../shared (stellar-core v25.0.1
src/ledger/test/LedgerCloseMetaStreamTests.cpp "meta stream contains
reasonable meta", Soroban variant: SorobanTest(cfg) with
USE_CONFIG_FOR_GENESIS, default test limits) are recomputed from our
settings through the Soroban host."""
import hashlib

import pytest

from stellarcore import xdr
from stellarcore.crypto.txhash import contents_hash, network_id
from stellarcore.soroban import bridge, bridge_types as bt
from stellarcore.soroban import config_upgrade as cu
from stellarcore.soroban import network_config as nc
from stellarcore.soroban import network_config_testing as nct
from tests.conftest import shared_path
from tests.soroban._netcfg import CS, config, genesis_root, next_ledger, setting

LET = xdr.LedgerEntryType
OT = xdr.OperationType
TEST_NETWORK_ID = network_id("(V) (;,,;) (V)")

needs_bridge = pytest.mark.skipif(not bridge.available(), reason=f"Soroban bridge unavailable: "
                                  f"{bridge.unavailable_reason()}")


def _test_config(protocol):
    root = genesis_root(protocol)
    ltx = next_ledger(root, 2)
    nct.override_for_test(ltx)
    ltx.commit()
    return root


def test_override_values():
    # setSorobanNetworkConfigForTest (src/test/TestUtils.cpp)
    cfg = config(_test_config(25))
    assert cfg.max_contract_size_bytes == cfg.max_contract_data_entry_size_bytes == 64 * 1024
    assert (cfg.tx_max_size_bytes, cfg.ledger_max_transaction_sizes_bytes) == (102_400, 1_024_000)
    assert (cfg.tx_max_instructions, cfg.ledger_max_instructions) == (100_000_000, 1_000_000_000)
    assert cfg.tx_memory_limit == 100 * 1024 * 1024
    assert (cfg.tx_max_disk_read_entries, cfg.tx_max_disk_read_bytes) == (40, 200 * 1024)
    assert (cfg.tx_max_write_ledger_entries, cfg.tx_max_write_bytes) == (20, 100 * 1024)
    assert (cfg.ledger_max_disk_read_entries, cfg.ledger_max_disk_read_bytes) == (400, 2_048_000)
    assert (cfg.ledger_max_write_ledger_entries, cfg.ledger_max_write_bytes) == (200, 1_024_000)
    assert (cfg.state_archival_settings.minPersistentTTL, cfg.state_archival_settings.maxEntryTTL) == (20, 6_312_000)
    assert cfg.ledger_max_tx_count == 100
    assert cfg.tx_max_contract_events_size_bytes == 10_000
    assert cfg.tx_max_footprint_entries == 40
    # the fees are untouched
    assert (cfg.fee_rate_per_instructions_increment, cfg.fee_flat_rate_write_1kb) == (100, 3_500)


def test_override_before_23_leaves_the_footprint_limit():
    cfg = config(_test_config(22))
    assert cfg.tx_max_disk_read_entries == 40 and cfg.tx_max_footprint_entries == 0


def test_override_upgrade_set_is_the_harness_one():
    # TxGenerator::getConfigUpgradeSetFromLoadConfig: every upgradeable
    # setting in ID order, cost params only when changed; valid for apply.
    root = genesis_root(25)
    ltx = next_ledger(root, 2)
    s = nct.override_for_test(ltx)
    assert [e.xdr_disc() for e in s.updatedEntry] == [
        sid for sid in CS if sid not in (
            CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS,
            CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_MEMORY_BYTES,
            CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW, CS.CONFIG_SETTING_EVICTION_ITERATOR)]
    # applying loads all 13 entries (they go out as LIVE), and nothing else
    assert len(ltx.get_changes()) == 2 * 13
    key = xdr.ConfigUpgradeSetKey(contentHash=hashlib.sha256(s.to_xdr()).digest())
    assert cu.ConfigUpgradeSetFrame(s, key, 25).is_valid_for_apply() == cu.UpgradeValidity.VALID
    # the set leaves the ledger as it is now: no further upgrade needed
    assert not cu.ConfigUpgradeSetFrame(s, key, 25).upgrade_needed(ltx)


def test_fields_the_harness_does_not_copy_are_dropped():
    # copySorobanNetworkConfigToUpgradeConfig ignores feeContractEvents1KB,
    # the state target size and the growth factor.
    root = _test_config(25)
    ltx = next_ledger(root)

    def change(cfg):
        cfg.fee_contract_events_size_1kb = 7
        cfg.soroban_state_target_size_bytes = 7
        cfg.fee_historical_1kb = 7

    nct.modify_soroban_network_config(ltx, change)
    cfg = config(ltx)
    assert (cfg.fee_contract_events_size_1kb, cfg.soroban_state_target_size_bytes, cfg.fee_historical_1kb) == (
        200, 3_000_000_000, 7)


def test_invalid_modification_is_refused():
    ltx = next_ledger(_test_config(25))
    with pytest.raises(nc.NetworkConfigError, match="INVALID"):
        nct.modify_soroban_network_config(ltx, lambda c: setattr(c, "tx_max_instructions", 1))


def test_store_config_upgrade_set_matches_make_config_upgrade_set():
    # TxTests.cpp makeConfigUpgradeSet: contract id sha256("contract_id"),
    # key SCV_BYTES(hash), TTL UINT32_MAX
    root = genesis_root(25)
    ltx = next_ledger(root)
    s = xdr.ConfigUpgradeSet(updatedEntry=[setting(root, CS.CONFIG_SETTING_CONTRACT_MAX_SIZE_BYTES)])
    key = nct.store_config_upgrade_set(ltx, s)
    assert key.contractID == hashlib.sha256(b"contract_id").digest()
    assert key.contentHash == hashlib.sha256(s.to_xdr()).digest()
    lk = cu.config_upgrade_set_ledger_key(key).to_xdr()
    assert ltx.load_without_record(cu.ttl_key_of(lk)).data.ttl.liveUntilLedgerSeq == 0xFFFFFFFF


# ------------------------------------------------------------------ against stellar-core's meta

def _meta(protocol):
    p = shared_path("testdata", "ledger-close-meta-xdr", f"ledger-close-meta-v2-protocol-{protocol}-soroban.xdr")
    return xdr.LedgerCloseMeta.from_xdr(p.read_bytes()).v2


def _resources(env):
    """TransactionResources as stellar-core's computePreApplySorobanResourceFee
    declares them (p23: disk reads = classic keys; all RW for a restore)."""
    tx = env.v1.tx
    r = tx.ext.sorobanData.resources
    fp = r.footprint
    restore = tx.operations[0].body.xdr_disc() == OT.RESTORE_FOOTPRINT
    classic = sum(1 for k in list(fp.readOnly) + list(fp.readWrite)
                  if k.xdr_disc() not in (LET.CONTRACT_DATA, LET.CONTRACT_CODE))
    return bt.TransactionResources(
        instructions=r.instructions, disk_read_entries=len(fp.readWrite) if restore else classic,
        write_entries=len(fp.readWrite), disk_read_bytes=r.diskReadBytes, write_bytes=r.writeBytes,
        contract_events_size_bytes=0, transaction_size_bytes=len(env.to_xdr()))


def _txs(meta):
    """(envelope, TransactionResultMeta) of every Soroban tx."""
    envs = [e for stage in meta.txSet.v1TxSet.phases[1].parallelTxsComponent.executionStages
            for cluster in stage for e in cluster]
    by_hash = {bytes(contents_hash(e, TEST_NETWORK_ID)): e for e in envs}
    return [(by_hash[bytes(tp.result.transactionHash)], tp) for tp in meta.txProcessing]


@needs_bridge
@pytest.mark.parametrize("protocol", [23, 24])
def test_fees_in_stellar_core_meta(protocol):
    meta = _meta(protocol)
    header = meta.ledgerHeader.header
    assert header.ledgerVersion == protocol and header.ledgerSeq == 31
    cfg = config(_test_config(protocol))
    fee_cfg = cfg.fee_configuration(protocol)
    min_ttl = cfg.state_archival_settings.minPersistentTTL
    checked = set()
    for env, tp in _txs(meta):
        tx = env.v1.tx
        declared = tx.ext.sorobanData.resourceFee
        non_refundable, _ = bridge.compute_transaction_resource_fee(protocol, _resources(env), fee_cfg)
        charged = tp.result.result.feeCharged
        op = tx.operations[0].body
        ok = tp.result.result.result.xdr_disc() == xdr.TransactionResultCode.txSUCCESS
        inclusion = 100   # the tx set's base fee, one op
        if op.xdr_disc() == OT.INVOKE_HOST_FUNCTION and declared < 200_000:
            # withExactNonRefundableResourceFee + setRefundableResourceFee(40'000)
            assert declared - non_refundable == 40_000
            checked.add("exact")
        if not ok:
            # a failed tx is refunded everything refundable
            assert charged == inclusion + non_refundable
            checked.add("failed")
        elif op.xdr_disc() == OT.RESTORE_FOOTPRINT:
            # rent of the restored entry from size 0 / ledger 0 (PARITY_TRAPS S13)
            changes = tp.txApplyProcessing.v4.operations[0].changes
            data = [c.xdr_value() for c in changes if c.xdr_value().data.xdr_disc() == LET.CONTRACT_DATA][0]
            ttl = [c.xdr_value() for c in changes if c.xdr_value().data.xdr_disc() == LET.TTL][0]
            assert ttl.data.ttl.liveUntilLedgerSeq == header.ledgerSeq + min_ttl - 1
            rent = bridge.compute_rent_fee(protocol, [bt.LedgerEntryRentChange(
                is_persistent=True, is_code_entry=False, old_size_bytes=0, new_size_bytes=len(data.to_xdr()),
                old_live_until_ledger=0, new_live_until_ledger=ttl.data.ttl.liveUntilLedgerSeq)],
                cfg.rent_fee_configuration(), header.ledgerSeq)
            assert charged == inclusion + non_refundable + rent
            checked.add("restore")
        elif op.xdr_disc() == OT.INVOKE_HOST_FUNCTION and \
                op.invokeHostFunctionOp.hostFunction.xdr_disc() == xdr.HostFunctionType.HOST_FUNCTION_TYPE_INVOKE_CONTRACT:
            # put_persistent: a new persistent entry living minPersistentTTL
            # ledgers, plus the events fee of the (void) return value
            changes = tp.txApplyProcessing.v4.operations[0].changes
            data = [c.xdr_value() for c in changes if c.xdr_value().data.xdr_disc() == LET.CONTRACT_DATA][0]
            ttl = [c.xdr_value() for c in changes if c.xdr_value().data.xdr_disc() == LET.TTL][0]
            assert ttl.data.ttl.liveUntilLedgerSeq == header.ledgerSeq + min_ttl - 1
            rent = bridge.compute_rent_fee(protocol, [bt.LedgerEntryRentChange(
                is_persistent=True, is_code_entry=False, old_size_bytes=0, new_size_bytes=len(data.to_xdr()),
                old_live_until_ledger=0, new_live_until_ledger=ttl.data.ttl.liveUntilLedgerSeq)],
                cfg.rent_fee_configuration(), header.ledgerSeq)
            ret = tp.txApplyProcessing.v4.sorobanMeta.returnValue
            events = bt.TransactionResources(contract_events_size_bytes=len(ret.to_xdr()))
            _, events_fee = bridge.compute_transaction_resource_fee(protocol, events, fee_cfg)
            assert charged == inclusion + non_refundable + rent + events_fee
            checked.add("put")
    assert checked == {"exact", "failed", "restore", "put"}
