"""The parallel Soroban phase: decoding, validation, apply order, fees and
the read-only TTL bump rules, checked against

* stellar-core's own ledgers (../shared ledger-close-meta, protocols 23
  and 24, Soroban scenarios): the phase decodes, re-encodes byte for byte,
  validates, its apply order is the order of txProcessing, and what it
  charges up front is each fee source's balance change in feeProcessing;
* the scenarios of stellar-core v25.0.1 src/herder/test/TxSetTests.cpp
  ("generalized tx set XDR validation", "applicable txset validation -
  Soroban resources", "generalized tx set with multiple txs per source
  account", "generalized tx set fees", "generalized tx set XDR conversion"
  / "apply order is shuffled"), rebuilt with our envelopes;
* the design comment and functions of transactions/ParallelApplyUtils.cpp
  for the read-only TTL bumps (PARITY_TRAPS S8).
"""
import hashlib
import random

import pytest
from hypothesis import given, settings, strategies as st

from stellarcore import xdr
from stellarcore.crypto import txhash
from stellarcore.soroban.parallel_phase import (
    INT64_MAX, MalformedPhase, ParallelPhase, PhaseLimits, PhaseTx, Reject, RoTtlBumps,
    merge_cluster_change, ro_ttl_keys, source_ids_of, stage_read_write_keys, ttl_key)
from tests.conftest import shared_path
from tests.soroban._parallel_txs import (
    account_key, classic_tx, data_key, full_hash, i32_key, soroban_tx, xdr_phase)

NID = txhash.network_id("(V) (;,,;) (V)")
LCM_FILES = ["ledger-close-meta-v2-protocol-23-soroban", "ledger-close-meta-v2-protocol-24-soroban",
             "ledger-close-meta-enable-classic-events-v2-protocol-23-soroban",
             "ledger-close-meta-enable-classic-events-v2-protocol-24-soroban"]
BIG = PhaseLimits(ledger_max_tx_count=10**6, ledger_max_instructions=INT64_MAX,
                  ledger_max_transaction_sizes_bytes=10**9, ledger_max_disk_read_bytes=10**9,
                  ledger_max_write_bytes=10**9, ledger_max_disk_read_entries=10**6,
                  ledger_max_write_ledger_entries=10**6, ledger_max_dependent_tx_clusters=100)


def _replace(limits, **kw):
    d = dict(limits.__dict__)
    d.update(kw)
    return PhaseLimits(**d)


def _validate(phase, limits=BIG, version=23, lcl_base_fee=100, **kw):
    return phase.validate(limits, ledger_version=version, lcl_base_fee=lcl_base_fee, **kw)


# ---------------------------------------------------------------------------
# stellar-core's ledgers


def _lcm(name):
    path = shared_path("testdata", "ledger-close-meta-xdr", name + ".xdr")
    return xdr.LedgerCloseMeta.from_xdr(path.read_bytes()).xdr_value()


@pytest.mark.parametrize("name", LCM_FILES)
def test_lcm_phase_roundtrip_apply_order_and_fees(name):
    lcm = _lcm(name)
    xdr_phase_1 = lcm.txSet.v1TxSet.phases[1]
    assert xdr_phase_1.v == 1
    set_hash = hashlib.sha256(lcm.txSet.to_xdr()).digest()
    assert set_hash == bytes(lcm.ledgerHeader.header.scpValue.txSetHash)

    phase = ParallelPhase.decode(xdr_phase_1)
    assert phase.to_xdr().to_xdr() == xdr_phase_1.to_xdr()

    header = lcm.ledgerHeader.header
    limits = _replace(BIG, ledger_max_dependent_tx_clusters=1)
    assert _validate(phase, limits, version=header.ledgerVersion, lcl_base_fee=header.baseFee) is None

    # The classic phase is empty, so the Soroban apply order is txProcessing.
    order = phase.flat_apply_order(set_hash)
    assert [txhash.contents_hash(t.envelope, NID) for t in order] == \
        [bytes(tp.result.transactionHash) for tp in lcm.txProcessing]
    # The XDR order (by full hash) is not the apply order here.
    assert [t.full_hash for t in order] != [t.full_hash for t in phase.txs()]

    # Up-front fee = resource fee + min(inclusion fee, base fee * ops).
    C = xdr.LedgerEntryChangeType
    for tx, tp in zip(order, lcm.txProcessing):
        before = [c.state for c in tp.feeProcessing if c.type == C.LEDGER_ENTRY_STATE][0]
        after = [c.updated for c in tp.feeProcessing if c.type == C.LEDGER_ENTRY_UPDATED][0]
        assert before.data.account.balance - after.data.account.balance == tx.fee_to_charge(phase.base_fee)
    assert phase.total_fees() == sum(t.fee_to_charge(100) for t in phase.txs())


@pytest.mark.parametrize("name", LCM_FILES[:2])
def test_lcm_phase_each_limit_is_enforced(name):
    """Each ledger limit set one below what the ledger's phase uses rejects it."""
    lcm = _lcm(name)
    phase = ParallelPhase.decode(lcm.txSet.v1TxSet.phases[1])
    v = lcm.ledgerHeader.header.ledgerVersion
    tot = [sum(t.resource_vector(v)[i] for t in phase.txs()) for i in range(7)]
    exact = PhaseLimits(ledger_max_tx_count=tot[0], ledger_max_instructions=tot[1],
                        ledger_max_transaction_sizes_bytes=tot[2], ledger_max_disk_read_bytes=tot[3],
                        ledger_max_write_bytes=tot[4], ledger_max_disk_read_entries=tot[5],
                        ledger_max_write_ledger_entries=tot[6], ledger_max_dependent_tx_clusters=1)
    assert _validate(phase, exact, v) is None
    for field in ("ledger_max_tx_count", "ledger_max_transaction_sizes_bytes",
                  "ledger_max_disk_read_bytes", "ledger_max_write_bytes",
                  "ledger_max_disk_read_entries", "ledger_max_write_ledger_entries"):
        lower = _replace(exact, **{field: getattr(exact, field) - 1})
        assert _validate(phase, lower, v) == Reject.RESOURCES_EXCEED_LIMITS, field
    lower = _replace(exact, ledger_max_instructions=tot[1] - 1)
    assert _validate(phase, lower, v) == Reject.INSTRUCTIONS_EXCEED_LIMIT
    assert _validate(phase, _replace(exact, ledger_max_dependent_tx_clusters=0), v) == Reject.TOO_MANY_CLUSTERS
    # Protocol 22 has no parallel phase.
    assert _validate(phase, exact, 22) == Reject.PROTOCOL_TOO_OLD


def test_lcm_txs_footprints_as_separate_clusters():
    """The ledger's five txs (an invoke, a restore, an extend-TTL, a
    contract creation, an invoke) touch no key in a conflicting way, so as
    five one-tx clusters of one stage they are valid; a sixth cluster that
    writes the contract code four of them read makes the stage invalid."""
    lcm = _lcm(LCM_FILES[0])
    phase = ParallelPhase.decode(lcm.txSet.v1TxSet.phases[1])
    txs = list(phase.txs())
    one_stage = ParallelPhase([[[t] for t in txs]], 100).canonical()
    assert one_stage.conflicts() == []
    assert _validate(one_stage, _replace(BIG, ledger_max_dependent_tx_clusters=5)) is None
    assert _validate(one_stage, _replace(BIG, ledger_max_dependent_tx_clusters=4)) == Reject.TOO_MANY_CLUSTERS
    assert one_stage.sequential_instructions() == max(t.instructions for t in txs)

    code_key = next(k for t in txs for k in t.read_only if k[:4] == b"\0\0\0\x07")
    readers = sum(1 for t in txs if code_key in t.read_only)
    writer = soroban_tx(77, rw=[xdr.LedgerKey.from_xdr(code_key)])
    bad = ParallelPhase([[[t] for t in txs] + [[writer]]], 100).canonical()
    assert _validate(bad) == Reject.FOOTPRINT_CONFLICT
    conflicts = bad.conflicts()
    assert len(conflicts) == readers == 4
    assert {c.key for c in conflicts} == {code_key}
    # As separate stages nothing conflicts, and the stages add up.
    stages = ParallelPhase([[[t]] for t in txs] + [[[writer]]], 100).canonical()
    assert _validate(stages) is None
    assert stages.sequential_instructions() == sum(t.instructions for t in stages.txs())


# ---------------------------------------------------------------------------
# TxSetTests.cpp "generalized tx set XDR validation": parallel scenarios

_counter = [0]


def _xdr_test_tx():
    """That test's buildTx: one INVOKE_HOST_FUNCTION op, fee 100 + txId,
    resource fee 1000; every tx has the same (zero) source."""
    _counter[0] += 1
    env = soroban_tx(0, inclusion_fee=100 + _counter[0] - 1000, resource_fee=1000, instructions=0,
                     read_bytes=0, write_bytes=0, op=xdr.Operation(sourceAccount=None, body=xdr.OperationBody(
                         invokeHostFunctionOp=xdr.InvokeHostFunctionOp(
                             hostFunction=xdr.HostFunction(wasm=b""), auth=[]))))
    env.v1.tx.sourceAccount = xdr.MuxedAccount(ed25519=b"\0" * 32)
    return env


def _shape_phase(shape, normalize=True, base_fee=None):
    return xdr_phase([[[_xdr_test_tx() for _ in range(n)] for n in stage] for stage in shape],
                     base_fee, normalize)


VALID_SHAPES = [([], None), ([], 1000), ([[10]], None), ([[10, 2, 14, 1, 3]], None),
                ([[1], [3], [2]], None), ([[2, 3, 4, 5], [3, 2], [5, 4, 5], [2, 4]], None),
                ([[1, 2, 3, 4, 5], [2], [5, 4, 1], [1, 1]], 1000)]


@pytest.mark.parametrize("shape,base_fee", VALID_SHAPES)
def test_xdr_valid_shapes(shape, base_fee):
    xp = _shape_phase(shape, base_fee=base_fee)
    phase = ParallelPhase.decode(xp)
    assert phase.shape() == [[len(c) for c in s] for s in xp.parallelTxsComponent.executionStages]
    assert phase.base_fee == base_fee
    if phase.tx_count():
        assert phase.to_xdr().to_xdr() == xp.to_xdr()


@pytest.mark.parametrize("shape,reason", [
    ([[0]], Reject.EMPTY_CLUSTER),
    ([[2], []], Reject.EMPTY_STAGE),
    ([[2], [0], [3, 5]], Reject.EMPTY_CLUSTER),
    ([[2], [0]], Reject.EMPTY_CLUSTER),
    ([[], [], []], Reject.EMPTY_STAGE),
    ([[0, 0], [0], []], Reject.EMPTY_CLUSTER),
    ([[10, 2, 0, 1, 3]], Reject.EMPTY_CLUSTER),
    ([[0, 1, 0, 0, 3]], Reject.EMPTY_CLUSTER),
])
def test_xdr_empty_stages_and_clusters(shape, reason):
    with pytest.raises(MalformedPhase) as e:
        ParallelPhase.decode(_shape_phase(shape, normalize=False))
    assert e.value.reason == reason


def _valid_multi_stage():
    return _shape_phase([[2, 3, 4, 5], [3, 2], [5, 4, 5], [2, 4]])


def test_xdr_misordered():
    p = _valid_multi_stage()
    stages = p.parallelTxsComponent.executionStages
    stages[1], stages[2] = stages[2], stages[1]
    assert ParallelPhase.try_decode(p) == (None, Reject.STAGES_NOT_SORTED)

    p = _valid_multi_stage()
    stages = p.parallelTxsComponent.executionStages
    stages[1][0], stages[2][1] = stages[2][1], stages[1][0]
    # Both stages now have clusters out of order; stage 1 is found first.
    assert ParallelPhase.try_decode(p) == (None, Reject.STAGE_NOT_SORTED)

    p = _valid_multi_stage()
    c = p.parallelTxsComponent.executionStages[1][1]
    c[0], c[1] = c[1], c[0]
    assert ParallelPhase.try_decode(p) == (None, Reject.CLUSTER_NOT_SORTED)


def test_xdr_invalid_fee_envelopes():
    # v0 envelope for a Soroban tx
    p = _valid_multi_stage()
    stages = p.parallelTxsComponent.executionStages
    ops = stages[2][1][1].v1.tx.operations
    stages[2][1][1] = xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX_V0, xdr.TransactionV0Envelope(
        tx=xdr.TransactionV0(sourceAccountEd25519=b"\0" * 32, fee=0, seqNum=0, timeBounds=None,
                             memo=xdr.Memo(type=xdr.MemoType.MEMO_NONE), operations=ops,
                             ext=xdr.TransactionV0Ext(0)), signatures=[]))
    renormalized = xdr_phase(stages)
    assert ParallelPhase.try_decode(renormalized) == (None, Reject.INVALID_FEE_XDR)

    # Soroban tx without extension
    p = _valid_multi_stage()
    stages = p.parallelTxsComponent.executionStages
    stages[3][0][0].v1.tx.ext = xdr.TransactionExt(0)
    assert ParallelPhase.try_decode(xdr_phase(stages)) == (None, Reject.INVALID_FEE_XDR)

    # negative resource fee, and one above 2^50
    for fee in (-1, (1 << 50) + 1):
        p = _valid_multi_stage()
        stages = p.parallelTxsComponent.executionStages
        stages[0][1][1].v1.tx.ext.sorobanData.resourceFee = fee
        assert ParallelPhase.try_decode(xdr_phase(stages)) == (None, Reject.INVALID_FEE_XDR)
    # exactly 2^50 is allowed
    p = _valid_multi_stage()
    stages = p.parallelTxsComponent.executionStages
    stages[0][1][1].v1.tx.ext.sorobanData.resourceFee = 1 << 50
    assert ParallelPhase.try_decode(xdr_phase(stages))[1] is None

    # a fee bump with a negative fee
    fb = soroban_tx(5, fee_bump_fee=-1)
    assert ParallelPhase.try_decode(xdr_phase([[[fb]]])) == (None, Reject.INVALID_FEE_XDR)


def test_xdr_duplicates_decode_but_fail_source_rule():
    """is_sorted allows equal neighbours: a repeated envelope decodes, and
    the one-tx-per-source rule (checkValidInternal) refuses it."""
    tx = soroban_tx(1)
    phase = ParallelPhase.decode(xdr_phase([[[tx, tx]]], 100))
    assert phase.shape() == [[2]]
    assert _validate(phase) == Reject.DUPLICATE_SOURCE
    # Same envelope as two clusters and as two stages: same story.
    assert _validate(ParallelPhase.decode(xdr_phase([[[tx], [tx]]], 100))) == Reject.DUPLICATE_SOURCE
    assert _validate(ParallelPhase.decode(xdr_phase([[[tx]], [[tx]]], 100))) == Reject.DUPLICATE_SOURCE


# ---------------------------------------------------------------------------
# "applicable txset validation - Soroban resources" (parallel protocol)

_fp = [0]


def _res_tx(i, add_ro=(), add_rw=(), use_classic=False):
    """That test's createTx: 8 RO + 2 RW fresh keys (or 10 classic RO keys),
    TX_MAX_INSTRUCTIONS (2.5M), 5000 read bytes, TX_MAX_WRITE_BYTES (3200),
    inclusion fee 2000."""
    if use_classic:
        ro, rw = [account_key(1000 * i + j) for j in range(10)], []
    else:
        ro = [i32_key(_fp[0] + j) for j in range(8)]
        rw = [i32_key(_fp[0] + 8 + j) for j in range(2)]
        _fp[0] += 10
    ro += [i32_key(1_000_000_000 + k) for k in add_ro]
    rw += [i32_key(1_000_000_000 + k) for k in add_rw]
    return soroban_tx(1000 + i, inclusion_fee=2000, resource_fee=100_000_000, ro=ro, rw=rw,
                      instructions=2_500_000, read_bytes=5000, write_bytes=3200)


def _resource_case(use_classic=False):
    txs = [_res_tx(i, use_classic=use_classic) for i in range(20)]
    take = lambda a, b: txs[a:b]  # noqa: E731
    stages = [[take(0, 1), take(1, 3), take(3, 6), take(6, 8)],
              [take(8, 12), take(12, 13), take(13, 15)],
              [take(15, 17), take(17, 20)]]
    phase = ParallelPhase.decode(xdr_phase(stages, 1234))
    size = sum(PhaseTx(t).size for t in txs)
    limits = PhaseLimits(
        ledger_max_tx_count=20, ledger_max_instructions=20 * 2_500_000 // 2,
        ledger_max_transaction_sizes_bytes=size, ledger_max_disk_read_bytes=20 * 5000,
        ledger_max_write_bytes=20 * 3200, ledger_max_disk_read_entries=20 * 10,
        ledger_max_write_ledger_entries=20 * 2, ledger_max_dependent_tx_clusters=4)
    return phase, limits


def test_resources_sufficient():
    phase, limits = _resource_case()
    assert _validate(phase, limits) is None
    assert phase.sequential_instructions() == 10 * 2_500_000


@pytest.mark.parametrize("field,reason", [
    ("ledger_max_instructions", Reject.INSTRUCTIONS_EXCEED_LIMIT),
    ("ledger_max_disk_read_bytes", Reject.RESOURCES_EXCEED_LIMITS),
    ("ledger_max_write_bytes", Reject.RESOURCES_EXCEED_LIMITS),
    ("ledger_max_write_ledger_entries", Reject.RESOURCES_EXCEED_LIMITS),
    ("ledger_max_transaction_sizes_bytes", Reject.RESOURCES_EXCEED_LIMITS),
    ("ledger_max_tx_count", Reject.RESOURCES_EXCEED_LIMITS),
    ("ledger_max_dependent_tx_clusters", Reject.TOO_MANY_CLUSTERS),
])
def test_resources_limit_exceeded(field, reason):
    phase, limits = _resource_case()
    assert _validate(phase, _replace(limits, **{field: getattr(limits, field) - 1})) == reason


def test_read_entries_count_only_classic_keys_from_p23():
    """From protocol 23 Soroban keys are not disk reads: the read-entries
    limit only bites with classic keys in the footprint (the test switches
    to 10 account keys per tx)."""
    phase, limits = _resource_case()
    fewer = _replace(limits, ledger_max_disk_read_entries=limits.ledger_max_disk_read_entries - 1)
    assert _validate(phase, fewer) is None
    assert _validate(phase, _replace(fewer, ledger_max_disk_read_entries=0)) is None
    classic, limits = _resource_case(use_classic=True)
    assert _validate(classic, limits) is None
    fewer = _replace(limits, ledger_max_disk_read_entries=limits.ledger_max_disk_read_entries - 1)
    assert _validate(classic, fewer) == Reject.RESOURCES_EXCEED_LIMITS


def test_disk_read_entries_rules():
    """getNumDiskReadEntries: classic keys + archived entries; a restore
    reads its whole RW footprint; before p23 every key counts."""
    t = PhaseTx(soroban_tx(1, ro=[data_key(1), account_key(1)], rw=[data_key(2), data_key(3)], archived=[1]))
    assert t.disk_read_entries(23) == 2
    assert t.disk_read_entries(22) == 4
    restore = xdr.Operation(sourceAccount=None, body=xdr.OperationBody(
        restoreFootprintOp=xdr.RestoreFootprintOp(ext=xdr.ExtensionPoint(0))))
    r = PhaseTx(soroban_tx(2, rw=[data_key(2), data_key(3), data_key(4)], op=restore))
    assert r.disk_read_entries(23) == 3


def _dep(*stages):
    return ParallelPhase.decode(xdr_phase(stages, 1234))


def _non_conflicting():
    return [
        [[_res_tx(100, [1], [2]), _res_tx(101, [2], [3])],
         [_res_tx(102, [1, 4], [5]), _res_tx(103, [1, 6], [5])],
         [_res_tx(104, [1, 4, 7], [8]), _res_tx(105, [6, 7], [9])]],
        [[_res_tx(106, [], [1, 2, 3, 4, 5, 6, 7, 8]), _res_tx(107, [1, 2, 3], [4, 5, 6]),
          _res_tx(108, [1, 2], [3, 4])],
         [_res_tx(109, [9], [10]), _res_tx(110, [9], [11]), _res_tx(111, [9], [12, 13])]],
    ]


def test_data_dependencies():
    assert _validate(_dep(*_non_conflicting())) is None
    ro_rw = _dep([[_res_tx(120, [1], [])], [_res_tx(121, [], [1])]])
    assert _validate(ro_rw) == Reject.FOOTPRINT_CONFLICT
    rw_rw = _dep([[_res_tx(122, [], [1])], [_res_tx(123, [], [1])]])
    assert _validate(rw_rw) == Reject.FOOTPRINT_CONFLICT
    # RO-RO between clusters is fine
    assert _validate(_dep([[_res_tx(124, [1], [])], [_res_tx(125, [1], [])]])) is None

    stages = _non_conflicting()
    stages.append([[_res_tx(126, [1], [])], [_res_tx(127, [], [1])]])
    assert _validate(_dep(*stages)) == Reject.FOOTPRINT_CONFLICT

    stages = _non_conflicting()
    stages[0][2].append(_res_tx(128, [], [5]))
    assert _validate(_dep(*stages)) == Reject.FOOTPRINT_CONFLICT

    stages = _non_conflicting()
    stages[0][2].append(_res_tx(129, [9, 10], [12, 13, 4]))
    stages[1].append([_res_tx(130, [9, 10], [12, 13, 8])])
    phase = _dep(*stages)
    assert _validate(phase) == Reject.FOOTPRINT_CONFLICT
    assert {c.stage for c in phase.conflicts()} == {0, 1}


# ---------------------------------------------------------------------------
# sources, fees, types


def test_multiple_txs_per_source_account():
    a, b = soroban_tx(7, seq=1), soroban_tx(7, seq=2)
    assert _validate(ParallelPhase([[[a, b]]], 100).canonical()) == Reject.DUPLICATE_SOURCE
    assert _validate(ParallelPhase([[[a]], [[b]]], 100).canonical()) == Reject.DUPLICATE_SOURCE
    # "invalid, classic and soroban": the source also has a classic tx.
    soroban = ParallelPhase([[[a]]], 500)
    assert _validate(soroban, seen_sources=source_ids_of([classic_tx(7)])) == Reject.DUPLICATE_SOURCE
    assert _validate(soroban, seen_sources=source_ids_of([classic_tx(8)])) is None
    # a fee bump counts as its inner source, not its fee source
    fb = soroban_tx(7, seq=3, fee_bump_fee=100_000)
    assert _validate(ParallelPhase([[[fb], [soroban_tx(9)]]], 100).canonical()) is None
    assert _validate(ParallelPhase([[[fb]], [[a]]], 100).canonical()) == Reject.DUPLICATE_SOURCE


def test_fees():
    txs = [soroban_tx(i, inclusion_fee=f) for i, f in enumerate((1250, 1000, 1200))]
    phase = ParallelPhase([[txs]], 1000).canonical()
    assert _validate(phase) is None
    # charged: resource fee + min(inclusion, base fee)
    assert sorted(t.fee_to_charge(phase.base_fee) for t in phase.txs()) == [11000] * 3
    # "tx with too low discounted fee" (soroban): 499 under a 500 base fee
    low = ParallelPhase([[[soroban_tx(10, inclusion_fee=499)]]], 500)
    assert _validate(low) == Reject.INCLUSION_FEE_TOO_LOW
    # the ledger base fee is the floor even when the component's is lower
    assert _validate(ParallelPhase([[[soroban_tx(11, inclusion_fee=99)]]], 50)) == Reject.BASE_FEE_TOO_LOW
    assert _validate(ParallelPhase([[[soroban_tx(11, inclusion_fee=99)]]], 100)) == Reject.INCLUSION_FEE_TOO_LOW
    # no base fee: no fee-map check (the per-tx check decides), full fee charged
    nodisc = ParallelPhase([[[soroban_tx(12, inclusion_fee=99)]]], None)
    assert _validate(nodisc) is None
    assert _validate(nodisc, check_tx=lambda t: t.inclusion_fee >= 100) == Reject.TX_INVALID
    assert next(nodisc.txs()).fee_to_charge(None) == 99 + 10_000
    # an empty phase passes the fee map whatever its base fee
    assert _validate(ParallelPhase([], 1)) is None
    # a fee bump counts inner ops + 1 operations
    fb = PhaseTx(soroban_tx(13, fee_bump_fee=10_000 + 150))
    assert fb.num_operations == 2 and fb.inclusion_fee == 150
    assert _validate(ParallelPhase([[[fb]]], 100)) == Reject.INCLUSION_FEE_TOO_LOW
    fb2 = PhaseTx(soroban_tx(14, fee_bump_fee=10_000 + 300))
    assert _validate(ParallelPhase([[[fb2]]], 100)) is None
    assert fb2.fee_to_charge(100) == 10_000 + 200


def test_classic_tx_in_soroban_phase():
    phase = ParallelPhase([[[soroban_tx(1)], [classic_tx(2, 1000)]]], 100).canonical()
    assert ParallelPhase.decode(phase.to_xdr()).shape() == phase.shape()
    assert _validate(phase) == Reject.NOT_SOROBAN


def test_fee_bump_resource_size_is_the_inner_envelope():
    """FeeBumpTransactionFrame::getResources delegates to the inner frame,
    whose size is the inner envelope's."""
    fb = soroban_tx(3, fee_bump_fee=20_000, ro=[data_key(1)])
    inner = xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX, fb.feeBump.tx.innerTx.v1)
    assert PhaseTx(fb).size == len(inner.to_xdr()) < len(fb.to_xdr())
    assert PhaseTx(fb).resource_vector(23)[2] == len(inner.to_xdr())


def test_empty_phase_encodes_without_base_fee():
    """PARITY_TRAPS H6: an empty surge-priced Soroban phase has no base fee."""
    assert ParallelPhase([], 500).to_xdr().to_xdr() == \
        xdr.TransactionPhase(1, xdr.ParallelTxsComponent(baseFee=None, executionStages=[])).to_xdr()


# ---------------------------------------------------------------------------
# apply order ("apply order is shuffled")


def test_apply_order_shuffles_txs_and_stages_but_not_clusters():
    rnd = random.Random(5)
    stages = []
    n = 0
    for s in range(10):
        clusters = []
        for c in range(3 + 2 * s):
            clusters.append([soroban_tx(n + k) for k in range(1 + (s + c) % 7)])
            n += 10
        stages.append(clusters)
    phase = ParallelPhase.decode(xdr_phase(stages, None))
    set_hash = bytes(rnd.getrandbits(8) for _ in range(32))
    order = phase.apply_order(set_hash)
    x = int.from_bytes(set_hash, "big")
    key = lambda t: int.from_bytes(t.full_hash, "big") ^ x  # noqa: E731
    # every cluster is sorted by full hash XOR set hash
    for stage in order:
        for cluster in stage:
            assert [key(t) for t in cluster] == sorted(key(t) for t in cluster)
    # stages by their first tx, the same way
    firsts = [key(s[0][0]) for s in order]
    assert firsts == sorted(firsts)
    # the stages moved (their sizes identify them)
    assert [sum(map(len, s)) for s in order] != [sum(map(len, s)) for s in phase.stages]
    # clusters keep their XDR order within a stage
    by_first = {frozenset(t.full_hash for t in c): i for s in phase.stages for i, c in enumerate(s)}
    for stage in order:
        idx = [by_first[frozenset(t.full_hash for t in c)] for c in stage]
        assert idx == sorted(idx)
    assert sorted(t.full_hash for t in phase.flat_apply_order(set_hash)) == \
        sorted(t.full_hash for t in phase.txs())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(1, 4), min_size=1, max_size=4), max_size=4), st.binary(min_size=32, max_size=32))
def test_canonical_roundtrip_and_apply_order_property(shape, set_hash):
    n = [0]

    def tx():
        n[0] += 1
        return soroban_tx(n[0])
    stages = [[[tx() for _ in range(k)] for k in s] for s in shape]
    phase = ParallelPhase(stages, 100).canonical()
    decoded = ParallelPhase.decode(phase.to_xdr())
    assert decoded.to_xdr().to_xdr() == phase.to_xdr().to_xdr()
    flat = decoded.flat_apply_order(set_hash)
    assert sorted(t.full_hash for t in flat) == sorted(t.full_hash for t in decoded.txs())


# ---------------------------------------------------------------------------
# read-only TTL bumps (ParallelApplyUtils.cpp, PARITY_TRAPS S8)


def _ttl_entry(key_xdr, live_until, last_modified=1):
    kh = xdr.LedgerKey.from_xdr(key_xdr).ttl.keyHash
    return xdr.LedgerEntry(lastModifiedLedgerSeq=last_modified,
                           data=xdr.LedgerEntryData(ttl=xdr.TTLEntry(keyHash=kh, liveUntilLedgerSeq=live_until)),
                           ext=xdr.LedgerEntryExt(0))


class _Cluster:
    """A cluster's view of the ledger, recording what gets written."""

    def __init__(self, entries):
        self.entries = dict(entries)
        self.writes = []

    def get(self, k):
        return self.entries.get(k)

    def upsert(self, k, e):
        self.entries[k] = e
        self.writes.append((k, e.data.ttl.liveUntilLedgerSeq if e is not None else None))

    def erase(self, k):
        self.entries[k] = None
        self.writes.append((k, None))


def test_ttl_key_matches_xdr():
    k = data_key(3).to_xdr()
    want = xdr.LedgerKey(ttl=xdr.LedgerKeyTtl(keyHash=hashlib.sha256(k).digest())).to_xdr()
    assert ttl_key(k) == want


def test_ro_bumps_deferred_invisible_and_flushed_on_write():
    """The design comment's example: A and B bump the TTL of a read-only
    entry, C writes it. A's bump is deferred, so B still sees the old TTL
    (and pays for its own bump); before C runs, the max of both is written."""
    K = data_key(1).to_xdr()
    TK = ttl_key(K)
    a = PhaseTx(soroban_tx(1, ro=[data_key(1)]))
    b = PhaseTx(soroban_tx(2, ro=[data_key(1)]))
    c = PhaseTx(soroban_tx(3, rw=[data_key(1)]))
    state = _Cluster({TK: _ttl_entry(TK, 100)})
    bumps = RoTtlBumps()

    assert TK in ro_ttl_keys(a)
    bumps.flush_for_writes(a.read_write, state.get, state.upsert)
    bumps.commit_change(TK, _ttl_entry(TK, 300), ro_ttl_keys(a), state.get, state.upsert, state.erase)
    assert state.get(TK).data.ttl.liveUntilLedgerSeq == 100      # invisible to B
    assert bumps.pending(TK) == 300 and state.writes == []
    bumps.commit_change(TK, _ttl_entry(TK, 200), ro_ttl_keys(b), state.get, state.upsert, state.erase)
    assert bumps.pending(TK) == 300                              # max-merge
    bumps.flush_for_writes(c.read_write, state.get, state.upsert)
    assert state.writes == [(TK, 300)] and TK not in bumps
    # C's own TTL change is a write: not deferred
    bumps.commit_change(TK, _ttl_entry(TK, 250), ro_ttl_keys(c), state.get, state.upsert, state.erase)
    assert state.writes[-1] == (TK, 250)
    bumps.flush_remaining(state.get, state.upsert)
    assert len(state.writes) == 2


def test_ro_bump_flush_rules():
    K1, K2 = data_key(1).to_xdr(), data_key(2).to_xdr()
    T1, T2 = ttl_key(K1), ttl_key(K2)
    state = _Cluster({T1: _ttl_entry(T1, 100), T2: _ttl_entry(T2, 100)})
    bumps = RoTtlBumps()
    bumps.record(T1, 100)       # a "bump" to the current value
    bumps.record(T2, 100)
    # on a write, the pending bump is written even though it changes nothing
    bumps.flush_for_writes([K1], state.get, state.upsert)
    assert state.writes == [(T1, 100)]
    # at the end of the cluster, only bumps that raise the TTL are written
    bumps.flush_remaining(state.get, state.upsert)
    assert state.writes == [(T1, 100)] and len(bumps) == 0
    bumps.record(T2, 150)
    bumps.flush_remaining(state.get, state.upsert)
    assert state.writes[-1] == (T2, 150)
    # classic keys in the write footprint have no TTL
    bumps.record(T1, 500)
    bumps.flush_for_writes([account_key(1).to_xdr()], state.get, state.upsert)
    assert bumps.pending(T1) == 500
    # a bump may not lower a TTL
    with pytest.raises(AssertionError):
        bumps.commit_change(T2, _ttl_entry(T2, 10), {T2}, state.get, state.upsert, state.erase)


def test_commit_change_non_bumps():
    K = data_key(1).to_xdr()
    T = ttl_key(K)
    state = _Cluster({})
    bumps = RoTtlBumps()
    # a TTL created (no previous entry) is a write even for a read-only key
    bumps.commit_change(T, _ttl_entry(T, 100), {T}, state.get, state.upsert, state.erase)
    assert state.writes == [(T, 100)] and len(bumps) == 0
    # deletion is a write
    bumps.commit_change(T, None, {T}, state.get, state.upsert, state.erase)
    assert state.writes[-1] == (T, None)


def test_merge_across_clusters():
    K1, K2 = data_key(1).to_xdr(), data_key(2).to_xdr()
    T1, T2 = ttl_key(K1), ttl_key(K2)
    a = PhaseTx(soroban_tx(1, ro=[data_key(1)], rw=[data_key(2)]))
    stage_rw = stage_read_write_keys([[a]])
    assert stage_rw == {K2, T2}
    glob = {}
    merge_cluster_change(glob, T1, _ttl_entry(T1, 300), stage_rw)
    merge_cluster_change(glob, T1, _ttl_entry(T1, 200), stage_rw)
    assert glob[T1].data.ttl.liveUntilLedgerSeq == 300          # max, not last
    merge_cluster_change(glob, T1, _ttl_entry(T1, 400), stage_rw)
    assert glob[T1].data.ttl.liveUntilLedgerSeq == 400
    # a TTL written in the stage is replaced, not merged
    merge_cluster_change(glob, T2, _ttl_entry(T2, 300), stage_rw)
    merge_cluster_change(glob, T2, _ttl_entry(T2, 200), stage_rw)
    assert glob[T2].data.ttl.liveUntilLedgerSeq == 200
    # deletions replace
    merge_cluster_change(glob, T1, None, stage_rw)
    assert glob[T1] is None
    merge_cluster_change(glob, T1, _ttl_entry(T1, 5), stage_rw)
    assert glob[T1].data.ttl.liveUntilLedgerSeq == 5
    # non-TTL entries replace
    merge_cluster_change(glob, K1, "x", stage_rw)
    merge_cluster_change(glob, K1, "y", stage_rw)
    assert glob[K1] == "y"


def test_full_hash_is_the_envelope_hash():
    env = soroban_tx(1)
    assert PhaseTx(env).full_hash == full_hash(env) == txhash.full_hash(env)
