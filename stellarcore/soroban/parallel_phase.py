"""The parallel Soroban phase of a tx set (protocol 23+) and its rules.

From protocol 23 the Soroban phase of a GeneralizedTransactionSet is a
`ParallelTxsComponent`: an optional base fee and a list of *stages*, each a
list of *clusters*, each a list of transaction envelopes. Stages run one
after another; the clusters of a stage may run in parallel, so no two
clusters of a stage may touch the same ledger key when at least one of them
writes it; the transactions of a cluster run in order.

Everything here is consensus-relevant, so it follows stellar-core v25.0.1
rule for rule (herder/TxSetFrame.cpp, herder/TxSetUtils.cpp,
transactions/ParallelApplyUtils.cpp):

* decoding (`ParallelPhase.decode`) rejects empty stages and clusters
  first (`validateParallelComponent`), then, stage by stage and cluster by
  cluster, transactions whose XDR gives no valid fee, clusters whose
  transactions are not non-decreasing by full hash, stages whose clusters
  are not ordered by their first transaction, and finally stages not
  ordered by the first transaction of their first cluster
  (`TxSetPhaseFrame::makeFromWire`). Equal neighbours pass: the checks are
  `std::is_sorted`, so a duplicated envelope is caught later, by the
  one-tx-per-source-account rule;
* validation (`ParallelPhase.validate`) is `checkValidInternal`'s
  source-account rule followed by `TxSetPhaseFrame::checkValid` for the
  Soroban phase: the fee map, the phase type, the protocol, the total
  resources against the ledger limits with instructions left out, at most
  `ledgerMaxDependentTxClusters` clusters per stage, the sum over stages of
  the largest cluster's instructions against `ledgerMaxInstructions`, and no
  read-write footprint conflict between the clusters of a stage
  (PARITY_TRAPS H3, H5);
* the apply order (`ParallelPhase.apply_order`) sorts every cluster by
  full hash XOR tx-set hash and the stages by their first transaction;
  clusters keep their order (`sortedForApplyParallel`, PARITY_TRAPS L1);
* the read-only TTL bumps of parallel apply (`RoTtlBumps`, PARITY_TRAPS
  S8).

Ledger keys are handled as their XDR bytes (equal keys, equal bytes), so
sets and dicts of keys need no comparison of XDR values.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional

from stellarcore import xdr

PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION = 23
INT64_MAX = (1 << 63) - 1
# TransactionFrame.cpp: the largest resource fee a Soroban tx may declare.
MAX_RESOURCE_FEE = 1 << 50

_ET = xdr.EnvelopeType
_OT = xdr.OperationType
_SOROBAN_OPS = (_OT.INVOKE_HOST_FUNCTION, _OT.EXTEND_FOOTPRINT_TTL, _OT.RESTORE_FOOTPRINT)
_CONTRACT_DATA = int(xdr.LedgerEntryType.CONTRACT_DATA)
_CONTRACT_CODE = int(xdr.LedgerEntryType.CONTRACT_CODE)
_TTL = int(xdr.LedgerEntryType.TTL)


class Reject:
    """Why a parallel phase is refused (one stellar-core debug log line each)."""

    EMPTY_STAGE = "empty stage"
    EMPTY_CLUSTER = "empty cluster"
    INVALID_FEE_XDR = "transaction XDR gives no valid fee"
    CLUSTER_NOT_SORTED = "cluster is not sorted by full hash"
    STAGE_NOT_SORTED = "stage clusters are not sorted by their first transaction"
    STAGES_NOT_SORTED = "stages are not sorted by their first transaction"
    DUPLICATE_SOURCE = "multiple transactions per source account"
    BASE_FEE_TOO_LOW = "component base fee below the ledger base fee"
    INCLUSION_FEE_TOO_LOW = "transaction inclusion fee below the component base fee"
    NOT_SOROBAN = "non-Soroban transaction in the Soroban phase"
    PROTOCOL_TOO_OLD = "parallel Soroban phase before protocol 23"
    RESOURCES_OVERFLOW = "total Soroban resources overflow"
    RESOURCES_EXCEED_LIMITS = "total Soroban resources exceed the ledger limits"
    TOO_MANY_CLUSTERS = "too many clusters in a stage"
    INSTRUCTIONS_OVERFLOW = "sequential instructions overflow"
    INSTRUCTIONS_EXCEED_LIMIT = "sequential instructions exceed ledgerMaxInstructions"
    FOOTPRINT_CONFLICT = "cluster footprint conflicts with another cluster of its stage"
    TX_INVALID = "transaction is not valid"


class MalformedPhase(ValueError):
    """A parallel phase XDR that stellar-core refuses to decode."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------
# ledger keys


def is_soroban_key(key_xdr: bytes) -> bool:
    """CONTRACT_DATA or CONTRACT_CODE (stellar-core `isSorobanEntry`): the
    entries that have a TTL."""
    t = int.from_bytes(key_xdr[:4], "big", signed=True)
    return t == _CONTRACT_DATA or t == _CONTRACT_CODE


def ttl_key(key_xdr: bytes) -> bytes:
    """XDR of the TTL key of a Soroban entry key (stellar-core `getTTLKey`)."""
    return xdr.LedgerKey(ttl=xdr.LedgerKeyTtl(keyHash=hashlib.sha256(key_xdr).digest())).to_xdr()


# ---------------------------------------------------------------------------
# one transaction, as the tx-set rules see it


def _source_id(muxed) -> bytes:
    """The ed25519 key of a MuxedAccount (the AccountID the muxed id names)."""
    if muxed.type == xdr.CryptoKeyType.KEY_TYPE_ED25519:
        return bytes(muxed.ed25519)
    return bytes(muxed.med25519.ed25519)


class PhaseTx:
    """An envelope with the facts the tx-set rules need, computed once.

    Mirrors the accessors of stellar-core's TransactionFrameBase that the
    herder uses. A fee bump answers with its inner transaction's source,
    footprint and resources; its operation count is the inner one plus one,
    and its resource size is the size of the inner envelope, since
    FeeBumpTransactionFrame::getResources delegates to the inner frame.
    """

    __slots__ = ("envelope", "full_hash", "is_soroban", "num_operations", "full_fee",
                 "resource_fee", "source_id", "resources", "read_only", "read_write",
                 "size", "is_restore", "_valid_fee")

    def __init__(self, envelope: "xdr.TransactionEnvelope"):
        self.envelope = envelope
        raw = envelope.to_xdr()
        self.full_hash = hashlib.sha256(raw).digest()
        t = envelope.type
        if t == _ET.ENVELOPE_TYPE_TX_FEE_BUMP:
            fb = envelope.feeBump.tx
            inner = xdr.TransactionEnvelope(_ET.ENVELOPE_TYPE_TX, fb.innerTx.v1)
            inner_tx = fb.innerTx.v1.tx
            self.full_fee = fb.fee
            self.size = len(inner.to_xdr())
            ops, ext, source = inner_tx.operations, inner_tx.ext, inner_tx.sourceAccount
            self.num_operations = len(ops) + 1
            inner_is_v1 = True
            outer_fee_ok = fb.fee >= 0
        elif t == _ET.ENVELOPE_TYPE_TX:
            tx = envelope.v1.tx
            self.full_fee = tx.fee
            self.size = len(raw)
            ops, ext, source = tx.operations, tx.ext, tx.sourceAccount
            self.num_operations = len(ops)
            inner_is_v1 = True
            outer_fee_ok = True
        elif t == _ET.ENVELOPE_TYPE_TX_V0:
            tx = envelope.v0.tx
            self.full_fee = tx.fee
            self.size = len(raw)
            ops, ext = tx.operations, None
            source = xdr.MuxedAccount(ed25519=tx.sourceAccountEd25519)
            self.num_operations = len(ops)
            inner_is_v1 = False
            outer_fee_ok = True
        else:
            raise ValueError(f"not a transaction envelope: {t!r}")
        self.source_id = _source_id(source)
        self.is_soroban = len(ops) > 0 and ops[0].body.type in _SOROBAN_OPS
        self.is_restore = self.is_soroban and ops[0].body.type == _OT.RESTORE_FOOTPRINT
        has_data = inner_is_v1 and ext is not None and ext.v == 1
        data = ext.sorobanData if has_data else None
        self.resource_fee = data.resourceFee if data is not None else 0
        # XDRProvidesValidFee: a Soroban tx needs a v1 envelope with Soroban
        # data and a resource fee in [0, 2^50]; a fee bump a non-negative fee.
        valid = outer_fee_ok
        if valid and self.is_soroban:
            valid = data is not None and 0 <= data.resourceFee <= MAX_RESOURCE_FEE
        self._valid_fee = valid
        if self.is_soroban and data is not None:
            self.resources = data
            fp = data.resources.footprint
            self.read_only = tuple(k.to_xdr() for k in fp.readOnly)
            self.read_write = tuple(k.to_xdr() for k in fp.readWrite)
        else:
            self.resources = None
            self.read_only = self.read_write = ()

    def xdr_provides_valid_fee(self) -> bool:
        return self._valid_fee

    @property
    def instructions(self) -> int:
        return self.resources.resources.instructions if self.resources is not None else 0

    @property
    def inclusion_fee(self) -> int:
        """The fee bid for inclusion: the full fee minus the declared
        resource fee for Soroban, the full fee otherwise."""
        return self.full_fee - self.resource_fee if self.is_soroban else self.full_fee

    def disk_read_entries(self, ledger_version: int) -> int:
        """Entries read from disk. From protocol 23 only classic keys and
        the archived Soroban entries count, and a restore reads its whole
        read-write footprint (TransactionFrame.cpp getNumDiskReadEntries)."""
        if ledger_version < 23:
            return len(self.read_only) + len(self.read_write)
        if self.is_restore:
            return len(self.read_write)
        count = sum(1 for k in self.read_only if not is_soroban_key(k))
        count += sum(1 for k in self.read_write if not is_soroban_key(k))
        rext = self.resources.ext
        if rext.v == 1:
            count += len(rext.resourceExt.archivedSorobanEntries)
        return count

    def resource_vector(self, ledger_version: int) -> tuple:
        """(operations, instructions, tx bytes, disk read bytes, write bytes,
        disk read entries, write entries): stellar-core's Soroban `Resource`."""
        r = self.resources.resources
        return (self.num_operations, r.instructions, self.size, r.diskReadBytes, r.writeBytes,
                self.disk_read_entries(ledger_version), len(self.read_write))

    def fee_to_charge(self, base_fee: Optional[int]) -> int:
        """What applying charges (getFee with applying=true, protocol 11+):
        without a base fee the full fee, else the resource fee plus the
        smaller of the inclusion fee and base fee * max(1, ops)."""
        if base_fee is None:
            return self.full_fee
        flat = self.resource_fee if self.is_soroban else 0
        return flat + min(self.inclusion_fee, base_fee * max(1, self.num_operations))

    def __repr__(self):
        return f"PhaseTx({self.full_hash.hex()[:12]})"


def as_phase_tx(tx) -> PhaseTx:
    return tx if isinstance(tx, PhaseTx) else PhaseTx(tx)


# ---------------------------------------------------------------------------
# limits


@dataclass(frozen=True)
class PhaseLimits:
    """The Soroban network settings the phase rules read. Any object with
    these attribute names (a SorobanNetworkConfig) works in its place."""

    ledger_max_tx_count: int
    ledger_max_instructions: int
    ledger_max_transaction_sizes_bytes: int
    ledger_max_disk_read_bytes: int
    ledger_max_write_bytes: int
    ledger_max_disk_read_entries: int
    ledger_max_write_ledger_entries: int
    ledger_max_dependent_tx_clusters: int


def max_ledger_resources(limits) -> list:
    """SorobanNetworkConfig::maxLedgerResources, in resource_vector order.
    From p23 `ledgerMaxInstructions` bounds one cluster, hence the product."""
    return [limits.ledger_max_tx_count,
            min(INT64_MAX, limits.ledger_max_instructions * max(limits.ledger_max_dependent_tx_clusters, 1)),
            limits.ledger_max_transaction_sizes_bytes, limits.ledger_max_disk_read_bytes,
            limits.ledger_max_write_bytes, limits.ledger_max_disk_read_entries,
            limits.ledger_max_write_ledger_entries]


# ---------------------------------------------------------------------------
# ordering


def _xored(h: bytes, x: int) -> int:
    return int.from_bytes(h, "big") ^ x


def sort_canonical(stages):
    """TxSetUtils::sortParallelTxsInHashOrder: txs by full hash inside each
    cluster, clusters by their first tx, stages by their first tx."""
    out = []
    for stage in stages:
        clusters = [sorted(c, key=lambda t: t.full_hash) for c in stage]
        clusters.sort(key=lambda c: c[0].full_hash)
        out.append(clusters)
    out.sort(key=lambda s: s[0][0].full_hash)
    return out


def _non_decreasing(keys) -> bool:
    return all(a <= b for a, b in zip(keys, keys[1:]))


# ---------------------------------------------------------------------------
# footprint conflicts


def footprints_conflict(a: PhaseTx, b: PhaseTx) -> bool:
    """Two Soroban txs conflict when one writes a key the other reads or
    writes (the builder's and the validator's rule alike)."""
    a_rw, b_rw = set(a.read_write), set(b.read_write)
    return bool(a_rw & b_rw or a_rw & set(b.read_only) or b_rw & set(a.read_only))


@dataclass(frozen=True)
class Conflict:
    """A key one cluster of a stage writes and another reads or writes."""

    stage: int
    cluster: int          # the later cluster, where the conflict is found
    other_cluster: int
    key: bytes            # LedgerKey XDR
    written_here: bool    # the later cluster writes the key (else it reads it)


def stage_conflicts(stage) -> list:
    """Every conflict between the clusters of one stage (all of them, where
    validation stops at the first)."""
    readers: dict = {}
    writers: dict = {}
    found = []
    for ci, cluster in enumerate(stage):
        ro, rw = set(), set()
        for tx in cluster:
            ro.update(tx.read_only)
            rw.update(tx.read_write)
        for k in sorted(ro):
            for other in writers.get(k, ()):
                found.append(Conflict(-1, ci, other, k, False))
        for k in sorted(rw):
            for other in sorted(set(writers.get(k, ())) | set(readers.get(k, ()))):
                found.append(Conflict(-1, ci, other, k, True))
        for k in ro:
            readers.setdefault(k, []).append(ci)
        for k in rw:
            writers.setdefault(k, []).append(ci)
    return found


def _first_stage_conflict(stage) -> bool:
    """checkValidSoroban's scan: a cluster's keys are checked against the
    keys of the clusters before it, and added only after the whole cluster
    (txs inside one cluster may conflict freely)."""
    stage_ro: set = set()
    stage_rw: set = set()
    for cluster in stage:
        cluster_ro, cluster_rw = [], []
        for tx in cluster:
            for k in tx.read_only:
                if k in stage_rw:
                    return True
                cluster_ro.append(k)
            for k in tx.read_write:
                if k in stage_ro or k in stage_rw:
                    return True
                cluster_rw.append(k)
        stage_ro.update(cluster_ro)
        stage_rw.update(cluster_rw)
    return False


# ---------------------------------------------------------------------------
# the phase


class ParallelPhase:
    """Stages of clusters of transactions, with the phase's base fee.

    `stages[s][c]` is a list of PhaseTx (each with its `.envelope`). A
    phase built from XDR keeps the XDR order; `canonical()` gives the order
    stellar-core writes.
    """

    def __init__(self, stages, base_fee: Optional[int] = None):
        self.stages = [[[as_phase_tx(t) for t in cluster] for cluster in stage] for stage in stages]
        self.base_fee = base_fee

    # -- XDR ---------------------------------------------------------------
    @classmethod
    def decode(cls, phase) -> "ParallelPhase":
        """A phase from a TransactionPhase (v=1) or ParallelTxsComponent,
        with stellar-core's structural checks; raises MalformedPhase."""
        comp = phase
        if isinstance(phase, xdr.TransactionPhase):
            if phase.v != 1:
                raise ValueError("not a parallel (v1) TransactionPhase")
            comp = phase.parallelTxsComponent
        xdr_stages = comp.executionStages
        # validateTxSetXDRStructure / validateParallelComponent: shape first.
        for xs in xdr_stages:
            if len(xs) == 0:
                raise MalformedPhase(Reject.EMPTY_STAGE)
            for xc in xs:
                if len(xc) == 0:
                    raise MalformedPhase(Reject.EMPTY_CLUSTER)
        # TxSetPhaseFrame::makeFromWire: fees, then the three orders.
        stages = []
        for xs in xdr_stages:
            stage = []
            for xc in xs:
                cluster = []
                for env in xc:
                    tx = PhaseTx(env)
                    if not tx.xdr_provides_valid_fee():
                        raise MalformedPhase(Reject.INVALID_FEE_XDR)
                    cluster.append(tx)
                if not _non_decreasing([t.full_hash for t in cluster]):
                    raise MalformedPhase(Reject.CLUSTER_NOT_SORTED)
                stage.append(cluster)
            if not _non_decreasing([c[0].full_hash for c in stage]):
                raise MalformedPhase(Reject.STAGE_NOT_SORTED)
            stages.append(stage)
        if not _non_decreasing([s[0][0].full_hash for s in stages]):
            raise MalformedPhase(Reject.STAGES_NOT_SORTED)
        return cls(stages, comp.baseFee)

    @classmethod
    def try_decode(cls, phase):
        """(phase, None) or (None, reason)."""
        try:
            return cls.decode(phase), None
        except MalformedPhase as e:
            return None, e.reason

    def to_xdr(self) -> "xdr.TransactionPhase":
        """The TransactionPhase stellar-core writes (parallelPhaseToXdr):
        canonical order; an empty phase carries no base fee."""
        stages = sort_canonical(self.stages)
        base_fee = self.base_fee if self.tx_count() else None
        comp = xdr.ParallelTxsComponent(
            baseFee=base_fee,
            executionStages=[[[t.envelope for t in c] for c in s] for s in stages])
        return xdr.TransactionPhase(1, comp)

    def canonical(self) -> "ParallelPhase":
        return ParallelPhase(sort_canonical(self.stages), self.base_fee)

    # -- contents ----------------------------------------------------------
    def txs(self) -> Iterator[PhaseTx]:
        """Stage by stage, cluster by cluster (the TxSetPhaseFrame iterator)."""
        for stage in self.stages:
            for cluster in stage:
                yield from cluster

    def envelopes(self) -> list:
        return [t.envelope for t in self.txs()]

    def tx_count(self) -> int:
        return sum(len(c) for s in self.stages for c in s)

    def op_count(self) -> int:
        return sum(t.num_operations for t in self.txs())

    def shape(self) -> list:
        """[[txs per cluster] per stage]."""
        return [[len(c) for c in s] for s in self.stages]

    def total_inclusion_fees(self) -> int:
        return sum(t.inclusion_fee for t in self.txs())

    def total_fees(self) -> int:
        """Sum of what applying charges (getTotalFees)."""
        return sum(t.fee_to_charge(self.base_fee) for t in self.txs())

    def sequential_instructions(self) -> int:
        """Sum over stages of the largest cluster's instructions."""
        return sum(max(sum(t.instructions for t in c) for c in s) for s in self.stages)

    def conflicts(self) -> list:
        """Every footprint conflict between clusters of the same stage."""
        out = []
        for si, stage in enumerate(self.stages):
            for c in stage_conflicts(stage):
                out.append(Conflict(si, c.cluster, c.other_cluster, c.key, c.written_here))
        return out

    # -- validity ----------------------------------------------------------
    def validate(self, limits, *, ledger_version: int, lcl_base_fee: int,
                 seen_sources: Optional[set] = None,
                 check_tx: Optional[Callable[[PhaseTx], bool]] = None) -> Optional[str]:
        """None when stellar-core would accept this Soroban phase, else the
        Reject reason it stops at.

        `seen_sources` holds the source account ids (32 bytes) of the
        classic phase: one tx per source account across both phases.
        `check_tx` stands for the per-transaction checkValid, run last (as
        `txsAreValid`), when given.
        """
        for tx in self.txs():
            # Decoding checks this; a phase assembled in memory may not be.
            if not tx.xdr_provides_valid_fee():
                return Reject.INVALID_FEE_XDR
        seen = set(seen_sources or ())
        for tx in self.txs():
            if tx.source_id in seen:
                return Reject.DUPLICATE_SOURCE
            seen.add(tx.source_id)

        # checkFeeMap: only when the phase has a base fee, per tx.
        if self.base_fee is not None:
            effective = max(lcl_base_fee, self.base_fee)
            for tx in self.txs():
                if self.base_fee < lcl_base_fee:
                    return Reject.BASE_FEE_TOO_LOW
                if tx.inclusion_fee < effective * max(1, tx.num_operations):
                    return Reject.INCLUSION_FEE_TOO_LOW
        for tx in self.txs():
            if not tx.is_soroban:
                return Reject.NOT_SOROBAN
        if ledger_version < PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION:
            return Reject.PROTOCOL_TOO_OLD

        total = [0] * 7
        for tx in self.txs():
            r = tx.resource_vector(ledger_version)
            for i in range(7):
                if INT64_MAX - total[i] < r[i]:
                    return Reject.RESOURCES_OVERFLOW
                total[i] += r[i]
        maximum = max_ledger_resources(limits)
        maximum[1] = INT64_MAX      # instructions: checked per stage below
        if any(t > m for t, m in zip(total, maximum)):
            return Reject.RESOURCES_EXCEED_LIMITS

        for stage in self.stages:
            if len(stage) > limits.ledger_max_dependent_tx_clusters:
                return Reject.TOO_MANY_CLUSTERS
        sequential = 0
        for stage in self.stages:
            stage_insns = 0
            for cluster in stage:
                cluster_insns = 0
                for tx in cluster:
                    if cluster_insns > INT64_MAX - tx.instructions:
                        return Reject.INSTRUCTIONS_OVERFLOW
                    cluster_insns += tx.instructions
                stage_insns = max(stage_insns, cluster_insns)
            if sequential > INT64_MAX - stage_insns:
                return Reject.INSTRUCTIONS_OVERFLOW
            sequential += stage_insns
        if sequential > limits.ledger_max_instructions:
            return Reject.INSTRUCTIONS_EXCEED_LIMIT

        for stage in self.stages:
            if _first_stage_conflict(stage):
                return Reject.FOOTPRINT_CONFLICT

        if check_tx is not None:
            for tx in self.txs():
                if not check_tx(tx):
                    return Reject.TX_INVALID
        return None

    # -- apply -------------------------------------------------------------
    def apply_order(self, tx_set_hash: bytes) -> list:
        """Stages of clusters of PhaseTx in the order stellar-core applies
        them: each cluster by full hash XOR the tx-set contents hash, the
        stages by their (sorted) first tx the same way, clusters as they are."""
        x = int.from_bytes(tx_set_hash, "big")
        stages = []
        for stage in self.stages:
            stages.append([sorted(c, key=lambda t: _xored(t.full_hash, x)) for c in stage])
        stages.sort(key=lambda s: _xored(s[0][0].full_hash, x))
        return stages

    def flat_apply_order(self, tx_set_hash: bytes) -> list:
        """The PhaseTx in apply order: the order of txProcessing, results
        and fee processing after the classic phase."""
        return [t for s in self.apply_order(tx_set_hash) for c in s for t in c]


def source_ids_of(envelopes: Iterable) -> set:
    """Source account ids of classic envelopes (for `seen_sources`)."""
    return {as_phase_tx(e).source_id for e in envelopes}


# ---------------------------------------------------------------------------
# read-only TTL bumps (parallel apply, PARITY_TRAPS S8)


def _ttl_of(entry) -> int:
    return entry.data.ttl.liveUntilLedgerSeq


def ro_ttl_keys(tx: PhaseTx) -> set:
    """TTL keys of the Soroban keys in a tx's read-only footprint
    (ParallelApplyUtils buildRoTTLSet): a TTL change to one of these is a
    read-only bump."""
    return {ttl_key(k) for k in tx.read_only if is_soroban_key(k)}


def stage_read_write_keys(stage) -> set:
    """Keys written in a stage, with the TTL keys of written Soroban keys
    (getReadWriteKeysForStage): TTL changes outside this set are bumps that
    may be merged with max across clusters."""
    out = set()
    for cluster in stage:
        for tx in cluster:
            for k in tx.read_write:
                out.add(k)
                if is_soroban_key(k):
                    out.add(ttl_key(k))
    return out


class RoTtlBumps:
    """The deferred read-only TTL bumps of one cluster.

    A tx that extends the TTL of an entry it only reads does not write the
    TTL entry: the new liveUntilLedgerSeq goes here, max-merged with earlier
    bumps of the same key. Later txs of the cluster do not see it (they
    read the entry as it was and may pay for the same bump again). Before
    a tx that writes the entry runs, its pending bump is written (flushed);
    the rest are written when the cluster ends, each only if it raises the
    TTL. Clusters of a stage then merge their TTL entries with max
    (`merge_cluster_change`).

    Keys are TTL LedgerKey XDR; entries are xdr.LedgerEntry values.
    `get_live(key)` reads the cluster's current entry (None when absent),
    `upsert(key, entry)` writes one (the caller stamps lastModifiedLedgerSeq),
    `erase(key)` deletes one.
    """

    def __init__(self):
        self._pending: dict = {}

    def __len__(self):
        return len(self._pending)

    def __contains__(self, key: bytes) -> bool:
        return key in self._pending

    def pending(self, key: bytes) -> Optional[int]:
        """The deferred liveUntilLedgerSeq of a TTL key, if any."""
        return self._pending.get(key)

    def record(self, key: bytes, live_until: int) -> None:
        """Defer a bump, keeping the largest (updateMaxOfRoTTLBump)."""
        old = self._pending.get(key)
        self._pending[key] = live_until if old is None else max(old, live_until)

    def commit_change(self, key: bytes, new_entry, ro_ttl_set: set,
                      get_live, upsert, erase) -> None:
        """One entry a successful tx changed (commitChangeFromSuccessfulOp):
        a TTL update of a read-only key is deferred, anything else written."""
        if new_entry is not None and key in ro_ttl_set:
            old = get_live(key)
            if old is not None:
                if _ttl_of(new_entry) < _ttl_of(old):
                    raise AssertionError("read-only TTL bump lowers the TTL")
                self.record(key, _ttl_of(new_entry))
                return
        if new_entry is not None:
            upsert(key, new_entry)
        else:
            erase(key)

    def flush_for_writes(self, read_write_keys: Iterable[bytes], get_live, upsert) -> None:
        """Before a tx runs (flushRoTTLBumpsInTxWriteFootprint): write the
        pending bump of every Soroban key it writes. The TTL entry is written
        even when the bump does not raise it."""
        for k in read_write_keys:
            if not is_soroban_key(k):
                continue
            tk = ttl_key(k)
            bump = self._pending.pop(tk, None)
            if bump is None:
                continue
            entry = get_live(tk)
            if entry is None or _ttl_of(entry) > bump:
                raise AssertionError("pending read-only TTL bump of a missing or longer-lived entry")
            updated = entry.copy()
            updated.data.ttl.liveUntilLedgerSeq = bump
            upsert(tk, updated)

    def flush_remaining(self, get_live, upsert) -> None:
        """At the end of the cluster (flushRemainingRoTTLBumps): write each
        pending bump that raises the TTL."""
        for tk, bump in self._pending.items():
            entry = get_live(tk)
            if entry is None:
                raise AssertionError("pending read-only TTL bump of a missing entry")
            if _ttl_of(entry) < bump:
                updated = entry.copy()
                updated.data.ttl.liveUntilLedgerSeq = bump
                upsert(tk, updated)
        self._pending.clear()


def merge_cluster_change(global_entries: dict, key: bytes, new_entry, stage_rw: set) -> None:
    """Commit one dirty entry of a finished cluster to the stage's global
    map (commitChangeFromThread + maybeMergeRoTTLBumps): a TTL entry that
    both the global map and the cluster hold, and that no tx of the stage
    writes, keeps the larger liveUntilLedgerSeq; anything else is replaced.
    `new_entry` None is a deletion."""
    if key not in global_entries:
        global_entries[key] = new_entry
        return
    old = global_entries[key]
    if (new_entry is not None and old is not None
            and int.from_bytes(key[:4], "big") == _TTL and key not in stage_rw):
        if _ttl_of(new_entry) > _ttl_of(old):
            merged = old.copy()
            merged.data.ttl.liveUntilLedgerSeq = _ttl_of(new_entry)
            global_entries[key] = merged
        return
    global_entries[key] = new_entry
