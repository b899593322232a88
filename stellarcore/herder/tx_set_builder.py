"""Building the tx set this node nominates (stellar-core v25.0.1
`makeTxSetFromTransactions`, `applySurgePricing`, `computeLaneBaseFee`,
`TxSetUtils::trimInvalid`).

Why it is deterministic: nomination is not consensus, but a node must
never propose an invalid set, and equal inputs should give equal sets.
Invalid transactions are dropped first (checkValid against the last
closed ledger, as the next ledger would see it), then each phase is surge
priced: classic in fee lanes within MAX_TX_SET_SIZE operations and the
classic byte allowance (plus an optional DEX lane), Soroban through the
parallel phase builder within the ledger's Soroban limits. Each lane gets
a base fee: the ledger's when everything fit, else the lowest included
inclusion fee per operation (PARITY_TRAPS H8). The XDR is canonical
(components by base fee, transactions by full hash, stages and clusters
by their first transaction), and the result goes through the same
decode-and-validate round trip stellar-core makes before nominating.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence

from stellarcore import xdr
from stellarcore.herder import surge_pricing as SP
from stellarcore.herder.tx_set import (CLASSIC, PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION, SOROBAN,
                                       ApplicableTxSet, InvalidTxSet, SequentialPhase, TxSetXDRFrame,
                                       lcl_parts, validity_problem)
from stellarcore.herder.tx_view import TxView, ValidationSnapshot, as_view, check_tx_valid
from stellarcore.soroban.parallel_builder import (DEFAULT_MAX_STAGE_COUNT, DEFAULT_MIN_STAGE_COUNT,
                                                  build_parallel_phase)


@dataclass
class BuiltTxSet:
    """What makeTxSetFromTransactions returns, plus the invalid txs."""

    frame: TxSetXDRFrame
    applicable: ApplicableTxSet
    invalid: List[List[TxView]] = field(default_factory=list)


def invalid_txs(views: Sequence[TxView], ltx, lcl_header, soroban_config=None,
                lower_offset: int = 0, upper_offset: int = 0) -> List[TxView]:
    """TxSetUtils::getInvalidTxList: the txs failing checkValid against the
    LCL state with ledgerSeq = LCL + 1."""
    bad = []
    for v in views:
        with ValidationSnapshot(ltx, lcl_header.ledgerSeq + 1) as snap:
            if not check_tx_valid(v, snap, lower_offset, upper_offset, soroban_config).is_success():
                bad.append(v)
    return bad


def compute_lane_base_fee(ledger_base_fee: int, lowest_lane_fee: List[int],
                          had_tx_not_fitting: List[bool]) -> List[int]:
    """computeLaneBaseFee: a full generic lane gives every lane the lowest
    included per-op fee; a full limited lane its own lowest."""
    out = [ledger_base_fee] * len(lowest_lane_fee)
    lowest = min(lowest_lane_fee)
    for lane in range(len(out)):
        if had_tx_not_fitting[SP.GENERIC_LANE]:
            out[lane] = lowest
        if lane != SP.GENERIC_LANE and had_tx_not_fitting[lane]:
            out[lane] = lowest_lane_fee[lane]
    return out


def classic_lane_config(max_ops: int, classic_byte_allowance: int = SP.MAX_CLASSIC_BYTE_ALLOWANCE,
                        max_dex_ops: Optional[int] = None) -> SP.DexLimitingLaneConfig:
    """createSurgePricingLangeConfig for the classic phase."""
    dex = None if max_dex_ops is None else (max_dex_ops, SP.MAX_CLASSIC_BYTE_ALLOWANCE)
    return SP.DexLimitingLaneConfig((max_ops, classic_byte_allowance), dex)


def surge_price_classic(views: Sequence[TxView], lcl_header, *, max_ops: Optional[int] = None,
                        classic_byte_allowance: int = SP.MAX_CLASSIC_BYTE_ALLOWANCE,
                        max_dex_ops: Optional[int] = None) -> SequentialPhase:
    """applySurgePricing for the classic phase: the included txs with the
    base fee of their lane."""
    lv = lcl_header.ledgerVersion
    config = classic_lane_config(lcl_header.maxTxSetSize if max_ops is None else max_ops,
                                 classic_byte_allowance, max_dex_ops)
    included, not_fitting = SP.SurgePricingPriorityQueue.most_top_txs_within_limits(views, config, lv)
    lowest = [SP.INT64_MAX] * len(config.lane_limits)
    for v in included:
        lane = config.get_lane(v)
        lowest[lane] = min(lowest[lane], SP.compute_per_op_fee(v))
    lane_fee = compute_lane_base_fee(lcl_header.baseFee, lowest, not_fitting)
    fees = {v.full_hash: lane_fee[config.get_lane(v)] for v in included}
    return SequentialPhase(list(included), fees)


def make_tx_set_from_transactions(txs_per_phase, lcl, network_id: bytes, ltx, *, soroban_config=None,
                                  max_tx_set_size_ops: Optional[int] = None,
                                  max_dex_ops: Optional[int] = None,
                                  classic_byte_allowance: int = SP.MAX_CLASSIC_BYTE_ALLOWANCE,
                                  soroban_byte_allowance: int = SP.MAX_SOROBAN_BYTE_ALLOWANCE,
                                  min_stage_count: int = DEFAULT_MIN_STAGE_COUNT,
                                  max_stage_count: int = DEFAULT_MAX_STAGE_COUNT,
                                  lower_offset: int = 0, upper_offset: int = 0,
                                  skip_validation: bool = False) -> BuiltTxSet:
    """makeTxSetFromTransactions for protocol 23+.

    `txs_per_phase`: [classic, soroban] lists of envelopes, frames or
    TxViews (a missing Soroban list is empty). `lcl`: the last closed
    LedgerHeaderHistoryEntry (or (header, hash)); `ltx`: its ledger state,
    read only; `soroban_config`: its SorobanNetworkConfig (needed when
    there are Soroban txs). `max_tx_set_size_ops` defaults to the header's
    maxTxSetSize; `max_dex_ops` is MAX_DEX_TX_OPERATIONS_IN_TX_SET.
    `skip_validation` (stellar-core's test-only flag) keeps invalid txs
    and skips the final check.
    """
    header, lcl_hash = lcl_parts(lcl)
    if header.ledgerVersion < PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION:
        raise ValueError("building tx sets needs protocol 23 or later")
    phases_in = list(txs_per_phase) + [[]] * (2 - len(txs_per_phase))
    if len(phases_in) != 2:
        raise ValueError("a tx set has two phases")
    views_per_phase: List[List[TxView]] = []
    for i, txs in enumerate(phases_in):
        seen, views = set(), []
        for t in txs:
            v = as_view(network_id, t)
            if v.is_soroban != (i == SOROBAN):
                raise ValueError("phases contain txs of wrong type")
            if v.full_hash not in seen:        # a set holds an envelope once
                seen.add(v.full_hash)
                views.append(v)
        views_per_phase.append(views)

    invalid: List[List[TxView]] = [[], []]
    if not skip_validation:
        for i in (CLASSIC, SOROBAN):
            invalid[i] = invalid_txs(views_per_phase[i], ltx, header, soroban_config, lower_offset, upper_offset)
            bad = {v.full_hash for v in invalid[i]}
            views_per_phase[i] = [v for v in views_per_phase[i] if v.full_hash not in bad]

    classic = surge_price_classic(views_per_phase[CLASSIC], header, max_ops=max_tx_set_size_ops,
                                  classic_byte_allowance=classic_byte_allowance, max_dex_ops=max_dex_ops)
    soroban_views = views_per_phase[SOROBAN]
    if soroban_views and soroban_config is None:
        raise ValueError("Soroban transactions need the Soroban network configuration")
    if soroban_views:
        built = build_parallel_phase([v.phase_tx for v in soroban_views], soroban_config,
                                     ledger_version=header.ledgerVersion, lcl_base_fee=header.baseFee,
                                     min_stage_count=min_stage_count, max_stage_count=max_stage_count,
                                     soroban_byte_allowance=soroban_byte_allowance)
        soroban_xdr = built.phase.to_xdr()
    else:
        soroban_xdr = xdr.TransactionPhase(1, xdr.ParallelTxsComponent(baseFee=None, executionStages=[]))

    value = xdr.GeneralizedTransactionSet(1, xdr.TransactionSetV1(
        previousLedgerHash=lcl_hash, phases=[classic.to_xdr(), soroban_xdr]))
    frame = TxSetXDRFrame(value)
    applicable = frame.prepare_for_apply(network_id, header)
    if skip_validation:
        return BuiltTxSet(frame, applicable, invalid)
    stages = soroban_xdr.parallelTxsComponent.executionStages
    expected = [len(classic.views), sum(len(c) for st in stages for c in st)]
    if [applicable.size_tx(CLASSIC), applicable.size_tx(SOROBAN)] != expected:
        raise InvalidTxSet("transactions lost in the XDR round trip")
    problem = validity_problem(applicable, ltx, (header, lcl_hash), soroban_config,
                               lower_offset, upper_offset, txs_are_validated=True)
    if problem is not None:
        raise InvalidTxSet(f"created an invalid tx set: {problem}")
    return BuiltTxSet(frame, applicable, invalid)
