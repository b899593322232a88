"""The Soroban transactions of stellar-core's ledger-close-meta files,
reproduced: InvokeHostFunction (a contract data write, a write outside
its footprint, a contract creation), RestoreFootprint of an archived
entry, ExtendFootprintTTL of the contract - one cluster of the parallel
phase, protocols 23 and 24, with and without classic events.

Starting state: the entries the meta records (first STATE or RESTORED of
each key), the contract's Wasm from ../shared/testdata/wasm uploaded
through the host (which fills the code entry's cost inputs), its
instance entry, the archived entry's expired TTL, and the network
configuration stellar-core's test ran with (genesis config for testing,
then overrideSorobanNetworkConfigForTest). Expected: every result, fee,
fee-processing change, TransactionMeta and post-apply refund change, byte
for byte after stellar-core's normalizeMeta.
"""
import hashlib

import pytest

from stellarcore import xdr
from stellarcore.crypto import txhash
from stellarcore.ledger.ledger_txn import InMemoryRoot, LedgerTxn, entry_key_bytes
from stellarcore.soroban import bridge
from stellarcore.soroban.parallel_phase import ParallelPhase
from stellarcore.transactions import parallel_apply as PA
from stellarcore.transactions.apply import process_fee
from stellarcore.transactions.frame import make_transaction_frame
from stellarcore.transactions.meta import TransactionMetaBuilder
from stellarcore.util.meta import change_key, normalize_tx_meta, sort_changes
from tests.conftest import shared_path

pytestmark = pytest.mark.skipif(not bridge.available(), reason=f"Soroban host bridge: {bridge.unavailable_reason()}")

NID = txhash.network_id("(V) (;,,;) (V)")
_C = xdr.LedgerEntryChangeType
_LT = xdr.LedgerEntryType
FILES = ["ledger-close-meta-v2-protocol-23-soroban", "ledger-close-meta-v2-protocol-24-soroban",
         "ledger-close-meta-enable-classic-events-v2-protocol-23-soroban",
         "ledger-close-meta-enable-classic-events-v2-protocol-24-soroban"]


def _load(name):
    path = shared_path("testdata", "ledger-close-meta-xdr", name + ".xdr")
    return xdr.LedgerCloseMeta.from_xdr(path.read_bytes()).xdr_value()


def _recorded_state(lcm) -> dict:
    """First appearance of each key as STATE or RESTORED (a RESTORED data
    entry of a live-BucketList restore is the entry as it was)."""
    state, seen = {}, set()

    def scan(changes):
        for c in changes:
            k = change_key(c).to_xdr()
            if k in seen:
                continue
            seen.add(k)
            if c.type == _C.LEDGER_ENTRY_STATE:
                state[k] = c.state
            elif c.type == _C.LEDGER_ENTRY_RESTORED and c.restored.data.type != _LT.TTL:
                state[k] = c.restored

    for tp in lcm.txProcessing:
        scan(tp.feeProcessing)
    for tp in lcm.txProcessing:
        m = tp.txApplyProcessing.v4
        scan(m.txChangesBefore)
        for op in m.operations:
            scan(op.changes)
    return state


def _soroban_envelopes(lcm) -> list:
    ph = lcm.txSet.v1TxSet.phases[1]
    return [e for stage in ph.parallelTxsComponent.executionStages for cluster in stage for e in cluster]


def _wasm_by_hash() -> dict:
    root = shared_path("testdata", "wasm")
    return {hashlib.sha256(p.read_bytes()).digest(): p.read_bytes() for p in root.rglob("*.wasm")}


def _uploaded_code_entry(wasm: bytes, protocol: int, config) -> "xdr.LedgerEntry":
    """The ContractCode entry the host writes when the Wasm is uploaded."""
    code_key = xdr.LedgerKey(_LT.CONTRACT_CODE, xdr.LedgerKeyContractCode(hash=hashlib.sha256(wasm).digest()))
    resources = xdr.SorobanResources(footprint=xdr.LedgerFootprint(readOnly=[], readWrite=[code_key]),
                                     instructions=50_000_000, diskReadBytes=0, writeBytes=100_000)
    li = config.host_ledger_info(protocol, 2, 0, 100_000_000, NID)
    hf = xdr.HostFunction(xdr.HostFunctionType.HOST_FUNCTION_TYPE_UPLOAD_CONTRACT_WASM, wasm)
    out = bridge.invoke_host_function(hf, resources, xdr.PublicKey(ed25519=b"\1" * 32), li,
                                      instruction_limit=50_000_000, rent_fee_config=config.rent_fee_configuration())
    for buf in out.modified_ledger_entries:
        le = xdr.LedgerEntry.from_xdr(buf)
        if le.data.type == _LT.CONTRACT_CODE:
            return le
    raise AssertionError("the host wrote no code entry")


def _instance_entry(instance_key, wasm_hash: bytes) -> "xdr.LedgerEntry":
    cd = instance_key.contractData
    inst = xdr.SCContractInstance(
        executable=xdr.ContractExecutable(xdr.ContractExecutableType.CONTRACT_EXECUTABLE_WASM, wasm_hash),
        storage=None)
    val = xdr.SCVal(xdr.SCValType.SCV_CONTRACT_INSTANCE, inst)
    return xdr.LedgerEntry(lastModifiedLedgerSeq=2, ext=xdr.LedgerEntryExt(0), data=xdr.LedgerEntryData(
        _LT.CONTRACT_DATA, xdr.ContractDataEntry(ext=xdr.ExtensionPoint(0), contract=cd.contract, key=cd.key,
                                                 durability=cd.durability, val=val)))


def _expired_ttl_entries(lcm, state: dict) -> dict:
    """The archived entry's TTL before its restore: expired (its value and
    lastModified are overwritten and not observable)."""
    from stellarcore.transactions.soroban_tx import ttl_entry
    seq = lcm.ledgerHeader.header.ledgerSeq
    out = {}
    for tp in lcm.txProcessing:
        for op in tp.txApplyProcessing.v4.operations:
            for c in op.changes:
                if c.type == _C.LEDGER_ENTRY_RESTORED and c.restored.data.type == _LT.TTL:
                    k = change_key(c).to_xdr()
                    if k not in state:
                        out[k] = ttl_entry(k, seq - 1, 1)
    return out


def _normalized(changes):
    c = list(changes)
    sort_changes(c)
    return [x.to_xdr() for x in c]


def _network_config(root, protocol: int):
    from stellarcore.soroban import network_config_testing as NCT
    from stellarcore.soroban.network_config import SorobanNetworkConfig
    ltx = LedgerTxn(root)
    NCT.initialize_genesis_ledger_for_testing(protocol, ltx)
    NCT.override_for_test(ltx)
    ltx.commit()
    ltx = LedgerTxn(root)
    cfg = SorobanNetworkConfig.load_from_ledger(ltx)
    ltx.rollback()
    return cfg


@pytest.mark.parametrize("name", FILES)
def test_soroban_meta_reproduced(name):
    lcm = _load(name)
    header = lcm.ledgerHeader.header.copy()
    protocol = header.ledgerVersion
    header.feePool -= sum(tp.result.result.feeCharged for tp in lcm.txProcessing)
    root = InMemoryRoot(header)
    config = _network_config(root, protocol)

    state = _recorded_state(lcm)
    envs = _soroban_envelopes(lcm)
    wasms = _wasm_by_hash()
    for env in envs:
        for k in env.v1.tx.ext.sorobanData.resources.footprint.readOnly:
            kb = k.to_xdr()
            if kb in state:
                continue
            if k.type == _LT.CONTRACT_CODE:
                state[kb] = _uploaded_code_entry(wasms[k.contractCode.hash], protocol, config)
    code_hash = next(k.contractCode.hash for e in envs
                     for k in e.v1.tx.ext.sorobanData.resources.footprint.readOnly if k.type == _LT.CONTRACT_CODE)
    for env in envs:
        for k in env.v1.tx.ext.sorobanData.resources.footprint.readOnly:
            if k.type == _LT.CONTRACT_DATA and k.to_xdr() not in state:
                state[k.to_xdr()] = _instance_entry(k, code_hash)
    state.update(_expired_ttl_entries(lcm, state))
    for k, e in state.items():
        assert entry_key_bytes(e) == k
        root.put(e)

    phase = ParallelPhase.decode(lcm.txSet.v1TxSet.phases[1])
    h = lcm.ledgerHeader.header
    apply_stages = [[[make_transaction_frame(NID, t.envelope) for t in c] for c in st]
                    for st in phase.apply_order(h.scpValue.txSetHash)]
    in_order = [f for st in apply_stages for c in st for f in c]
    assert [f.contents_hash for f in in_order] == [tp.result.transactionHash for tp in lcm.txProcessing]
    base_fee = phase.base_fee
    classic_events = "classic-events" in name
    ltx = LedgerTxn(root)
    frames, results, metas = [], [], []
    for frame, tp in zip(in_order, lcm.txProcessing):  # the fee pass, in apply order
        result, fee_changes = process_fee(ltx, frame, base_fee)
        assert _normalized(fee_changes) == _normalized(tp.feeProcessing)
        frames.append(frame)
        results.append(result)
        metas.append(TransactionMetaBuilder(frame, NID, classic_events))
    info = PA.LedgerInfo(ledger_version=protocol, ledger_seq=h.ledgerSeq, base_reserve=h.baseReserve,
                         close_time=h.scpValue.closeTime, network_id=NID)
    stages = PA.make_bundles(apply_stages, results, metas, 0)
    PA.apply_soroban_stages(ltx, stages, config, h.scpValue.txSetHash, info)
    post = PA.process_post_tx_set_apply(ltx, stages)
    for (item, post_changes), tp in zip(post, lcm.txProcessing):
        assert item.result.to_xdr() == tp.result.result, (item.result.to_xdr(), tp.result.result)
        assert _normalized(post_changes) == _normalized(tp.postTxApplyFeeProcessing)
        got, want = item.meta.finalize(item.result.is_success()), tp.txApplyProcessing.copy()
        normalize_tx_meta(got)
        normalize_tx_meta(want)
        assert got.to_xdr() == want.to_xdr()
    assert ltx.get_header().feePool == h.feePool
    ltx.commit()
