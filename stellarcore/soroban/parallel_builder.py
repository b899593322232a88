"""Building a parallel Soroban phase for nomination (protocol 23+).

stellar-core's herder/ParallelTxSetBuilder.cpp, step for step:

1. Conflicts: two txs conflict when one writes a key the other reads or
   writes. Each tx gets the set of txs it conflicts with.
2. Order: txs are taken by decreasing inclusion fee per operation, as the
   Soroban surge-pricing lane pops them (one lane; resource limits are the
   ledger's, with instructions unlimited and tx bytes capped by the Soroban
   byte allowance). A tx that no longer fits the lane is skipped and marks
   the lane as full.
3. Stages: for every stage count from SOROBAN_PHASE_MIN_STAGE_COUNT to
   SOROBAN_PHASE_MAX_STAGE_COUNT, each tx goes into the first stage that
   takes it. A stage holds clusters of (transitively) conflicting txs, each
   within ledgerMaxInstructions / stageCount, bin-packed into at most
   ledgerMaxDependentTxClusters bins of that size: first-fit in place,
   and once per stage (for a conflict-free tx) a full first-fit-decreasing
   repack. A tx no stage takes marks the lane as full as well.
4. Choice: the smallest stage count whose total inclusion fee is at least
   99.9% of the best one.
5. Base fee: the ledger base fee, or when the lane was full, the lowest
   inclusion fee per operation among the included txs (rounded down).

Nomination is not consensus: peers only validate what we propose. Two
places where stellar-core is not reproducible are made deterministic here:
ties of the fee order are broken by full hash, larger first (what a
BUILD_TESTS stellar-core does; release builds XOR pointers with a random
seed), and the first-fit-decreasing repack sorts clusters with a stable
sort (stellar-core's std::sort leaves clusters with equal instructions in
an unspecified order; libstdc++ happens to be stable below 17 clusters).
The output does not depend on the order of the input.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Optional

from stellarcore.soroban.parallel_phase import (
    INT64_MAX, PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION, ParallelPhase, PhaseTx,
    as_phase_tx, max_ledger_resources)

# overlay/Peer.h: half of the 10 MB tx-set allowance is Soroban's.
MAX_SOROBAN_BYTE_ALLOWANCE = 10 * 1024 * 1024 // 2
# main/Config.cpp defaults.
DEFAULT_MIN_STAGE_COUNT = 1
DEFAULT_MAX_STAGE_COUNT = 4
# Prefer fewer stages while within 99.9% of the best total inclusion fee.
_FEE_TOLERANCE_FOR_STAGE_COUNT = 0.999


# ---------------------------------------------------------------------------
# conflicts


def conflict_sets(txs) -> list:
    """For each tx (by index), a bitset (int) of the txs it conflicts with:
    RW-RW on a key, or RO-RW. Cost follows the number of shared keys."""
    ro_users: dict = {}
    rw_users: dict = {}
    for i, tx in enumerate(txs):
        for k in tx.read_only:
            ro_users.setdefault(k, []).append(i)
        for k in tx.read_write:
            rw_users.setdefault(k, []).append(i)
    conflicts = [0] * len(txs)
    for k, writers in rw_users.items():
        mask = 0
        for j in writers:
            mask |= 1 << j
        for j in writers:
            conflicts[j] |= mask & ~(1 << j)
        readers = ro_users.get(k)
        if readers:
            rmask = 0
            for j in readers:
                rmask |= 1 << j
                conflicts[j] |= mask
            for j in writers:
                conflicts[j] |= rmask
    # A tx reading and writing the same key conflicts with no one for it.
    for i in range(len(txs)):
        conflicts[i] &= ~(1 << i)
    return conflicts


# ---------------------------------------------------------------------------
# stages


class _Cluster:
    """Txs connected by conflicts, with their instructions and the txs
    they conflict with; `bin` is the bin (output cluster) it is packed in."""

    __slots__ = ("instructions", "conflicts", "tx_ids", "bin")

    def __init__(self, instructions, conflicts, tx_ids):
        self.instructions = instructions
        self.conflicts = conflicts
        self.tx_ids = tx_ids
        self.bin = None


class _Stage:
    """One stage being filled (ParallelTxSetBuilder.cpp `Stage`)."""

    def __init__(self, bins: int, insns_per_cluster: int):
        self.bins = bins
        self.per_cluster = insns_per_cluster
        self.per_stage = insns_per_cluster * bins
        self.clusters: list = []
        self.bin_insns = [0] * bins
        self.instructions = 0
        self.tried_compacting = False

    def try_add(self, tx_id: int, insns: int, conflicts: int) -> bool:
        if self.instructions + insns > self.per_stage:
            return False
        hit = [c for c in self.clusters if (c.conflicts >> tx_id) & 1]
        merged_insns = insns + sum(c.instructions for c in hit)
        if merged_insns > self.per_cluster:
            return False
        new = _Cluster(merged_insns, conflicts, 1 << tx_id)
        for c in hit:
            new.conflicts |= c.conflicts
            new.tx_ids |= c.tx_ids
        hit_ids = {id(c) for c in hit}
        new_clusters = [c for c in self.clusters if id(c) not in hit_ids] + [new]

        if self._pack_in_place(new, hit):
            self.clusters = new_clusters
            self.instructions += insns
            return True
        # A conflict-free tx that does not fit in place gets one full
        # repack per stage; after that the bins are as compact as the
        # heuristics make them.
        if not hit:
            if self.tried_compacting:
                return False
            self.tried_compacting = True
        packed = self._pack_all(new_clusters)
        if packed is None:
            return False
        self.clusters, self.bin_insns = packed
        self.instructions += insns
        return True

    def _pack_in_place(self, new: _Cluster, removed: list) -> bool:
        """First fit of the merged cluster, after taking the clusters it
        absorbs out of their bins; undone when no bin has room."""
        for c in removed:
            self.bin_insns[c.bin] -= c.instructions
        for b in range(self.bins):
            if self.bin_insns[b] + new.instructions <= self.per_cluster:
                self.bin_insns[b] += new.instructions
                new.bin = b
                return True
        for c in removed:
            self.bin_insns[c.bin] += c.instructions
        return False

    def _pack_all(self, clusters: list):
        """First fit decreasing of all clusters; bins are assigned only on
        success."""
        order = sorted(clusters, key=lambda c: -c.instructions)
        loads = [0] * self.bins
        assigned = []
        for c in order:
            for b in range(self.bins):
                if loads[b] + c.instructions <= self.per_cluster:
                    loads[b] += c.instructions
                    assigned.append(b)
                    break
            else:
                return None
        for c, b in zip(order, assigned):
            c.bin = b
        return order, loads

    def bins_of_txs(self) -> dict:
        """bin -> tx ids, bins in order of first appearance."""
        out: dict = {}
        for c in self.clusters:
            ids = out.setdefault(c.bin, [])
            m, i = c.tx_ids, 0
            while m:
                if m & 1:
                    ids.append(i)
                m >>= 1
                i += 1
        return out


# ---------------------------------------------------------------------------
# surge pricing order (one Soroban lane)


def _fee_rate_cmp(a: PhaseTx, b: PhaseTx) -> int:
    """feeRate3WayCompare: inclusion fee per op, cross-multiplied."""
    l = a.inclusion_fee * b.num_operations
    r = b.inclusion_fee * a.num_operations
    return (l > r) - (l < r)


def _priority_cmp(a: PhaseTx, b: PhaseTx) -> int:
    c = _fee_rate_cmp(a, b)
    if c:
        return -c
    return (a.full_hash < b.full_hash) - (a.full_hash > b.full_hash)


def priority_order(txs) -> list:
    """Highest fee rate first; ties by full hash, larger first."""
    return sorted(txs, key=functools.cmp_to_key(_priority_cmp))


def lane_limits(limits, ledger_version: int, soroban_byte_allowance: int) -> list:
    """The Soroban lane's limits (createSurgePricingLangeConfig): the ledger
    maximums; from p23 instructions are left to the stage builder."""
    lim = max_ledger_resources(limits)
    if ledger_version >= PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION:
        lim[1] = INT64_MAX
    lim[2] = min(soroban_byte_allowance, lim[2])
    return lim


# ---------------------------------------------------------------------------
# the builder


@dataclass
class StageCountResult:
    """What one stage count produced."""

    stage_count: int
    stages: list                 # [[ [PhaseTx] ]]
    had_tx_not_fitting: bool
    total_inclusion_fee: int


@dataclass
class BuildResult:
    phase: ParallelPhase         # canonical order, base fee set
    had_tx_not_fitting: bool
    candidates: list             # StageCountResult per stage count tried


def _build_with_stage_count(ordered, index_of, conflicts, stage_count, limits, lane, ledger_version):
    per_cluster = limits.ledger_max_instructions // stage_count
    stages = [_Stage(limits.ledger_max_dependent_tx_clusters, per_cluster) for _ in range(stage_count)]
    left = list(lane)
    not_fitting = False
    for tx in ordered:
        res = tx.resource_vector(ledger_version)
        if any(r > l for r, l in zip(res, left)):
            not_fitting = True
            continue
        i = index_of[id(tx)]
        if any(st.try_add(i, tx.instructions, conflicts[i]) for st in stages):
            left = [l - r for l, r in zip(left, res)]
        else:
            not_fitting = True
    return stages, not_fitting


def build_parallel_phase(txs, limits, *, ledger_version: int, lcl_base_fee: int,
                         min_stage_count: int = DEFAULT_MIN_STAGE_COUNT,
                         max_stage_count: int = DEFAULT_MAX_STAGE_COUNT,
                         soroban_byte_allowance: int = MAX_SOROBAN_BYTE_ALLOWANCE) -> BuildResult:
    """The parallel Soroban phase stellar-core would nominate from `txs`
    (already checked valid): envelopes or PhaseTx, all Soroban. `limits`
    is a SorobanNetworkConfig or PhaseLimits."""
    if not 1 <= min_stage_count <= max_stage_count:
        raise ValueError("need 1 <= min_stage_count <= max_stage_count")
    views = []
    seen = set()
    for t in txs:
        v = as_phase_tx(t)
        if not v.is_soroban:
            raise ValueError("the Soroban phase contains a non-Soroban transaction")
        if v.full_hash in seen:      # the same envelope twice: a set keeps one
            continue
        seen.add(v.full_hash)
        views.append(v)
    index_of = {id(v): i for i, v in enumerate(views)}
    conflicts = conflict_sets(views)
    ordered = priority_order(views)
    lane = lane_limits(limits, ledger_version, soroban_byte_allowance)

    candidates = []
    for count in range(min_stage_count, max_stage_count + 1):
        stages, not_fitting = _build_with_stage_count(
            ordered, index_of, conflicts, count, limits, lane, ledger_version)
        out = []
        for st in stages:
            clusters = [[views[i] for i in ids] for ids in st.bins_of_txs().values() if ids]
            out.append(clusters)
        while out and not out[-1]:
            out.pop()
        fee = sum(t.inclusion_fee for s in out for c in s for t in c)
        candidates.append(StageCountResult(count, out, not_fitting, fee))

    best_fee = int(float(max(c.total_inclusion_fee for c in candidates)) * _FEE_TOLERANCE_FOR_STAGE_COUNT)
    best: Optional[StageCountResult] = None
    for c in candidates:
        if c.total_inclusion_fee < best_fee:
            continue
        if best is None or len(c.stages) < len(best.stages):
            best = c

    included = [t for s in best.stages for c in s for t in c]
    base_fee = None
    if included:
        base_fee = lcl_base_fee
        if best.had_tx_not_fitting:
            base_fee = min(per_op_fee(t) for t in included)
    phase = ParallelPhase(best.stages, base_fee).canonical()
    return BuildResult(phase, best.had_tx_not_fitting, candidates)


def per_op_fee(tx: PhaseTx) -> int:
    """computePerOpFee from p20: inclusion fee per operation, rounded down."""
    if tx.inclusion_fee < 0:
        raise ValueError("negative inclusion fee")
    return tx.inclusion_fee // max(1, tx.num_operations)
