"""Transaction sets: the wire form, the form ready to apply, and validity
(stellar-core v25.0.1 herder/TxSetFrame.cpp, herder/TxSetUtils.cpp).

Only GeneralizedTransactionSet v1 with a parallel Soroban phase is built
(protocol 23 and later). A set has exactly two phases: phase 0 (classic)
is a list of components, each an optional base fee and transactions sorted
by full hash; phase 1 (Soroban) is a ParallelTxsComponent of stages of
clusters (soroban.parallel_phase). The set's hash is SHA-256 of its XDR.

Why the steps are split the way stellar-core splits them:
* `TxSetXDRFrame` is what is flooded, stored and hashed; anyone can hold
  one without knowing whether it is valid.
* `prepare_for_apply` checks the XDR structure only (phase count and
  versions, component order and unique base fees, no empty component,
  stage or cluster, valid fee fields, transactions sorted by full hash) and
  gives an `ApplicableTxSet`; nothing here needs the ledger.
* `check_valid` is the consensus check against the last closed ledger
  (previous hash, one transaction per source account across both phases,
  fee map, phase kinds, classic op count, Soroban resources, every
  transaction valid) - PARITY_TRAPS H3, H4, H5.
* the apply order is not the XDR order (PARITY_TRAPS L1): classic
  transactions are grouped per source account and sorted by sequence
  number, the i-th transaction of every account forms batch i, and each
  batch is sorted by full hash XOR the set's hash; Soroban clusters are
  sorted the same way and stages by their first transaction.
"""
from __future__ import annotations

import hashlib
from typing import Dict, List, Optional

from stellarcore import xdr
from stellarcore.herder.tx_view import TxView, ValidationSnapshot, check_tx_valid
from stellarcore.soroban.parallel_phase import MalformedPhase, ParallelPhase, PhaseLimits, Reject

CLASSIC = 0
SOROBAN = 1
PHASE_COUNT = 2
PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION = 23
_COMP = xdr.TxSetComponentType.TXSET_COMP_TXS_MAYBE_DISCOUNTED_FEE
_NO_SOROBAN_LIMITS = PhaseLimits(0, 0, 0, 0, 0, 0, 0, 0)


class MalformedTxSet(ValueError):
    """A tx set stellar-core refuses before looking at the ledger."""

    def __init__(self, reason: str):
        super().__init__(f"malformed transaction set: {reason}")
        self.reason = reason


class InvalidTxSet(ValueError):
    """A tx set that fails check_valid (raised by the builder only)."""


# ---------------------------------------------------------------------------
# helpers


def lcl_parts(lcl):
    """(LedgerHeader, its hash) from a LedgerHeaderHistoryEntry, a
    (header, hash) pair or a bare LedgerHeader (hash computed)."""
    if isinstance(lcl, tuple):
        return lcl
    if hasattr(lcl, "header") and hasattr(lcl, "hash"):
        return lcl.header, bytes(lcl.hash)
    return lcl, hashlib.sha256(lcl.to_xdr()).digest()


def xored_key(tx_set_hash: bytes):
    """lessThanXored as a sort key: full hash XOR the set hash, compared
    as a big-endian number (the same as byte-wise)."""
    x = int.from_bytes(tx_set_hash, "big")
    return lambda v: int.from_bytes(v.full_hash, "big") ^ x


def sorted_for_apply_sequential(views: List[TxView], tx_set_hash: bytes) -> List[TxView]:
    """sortedForApplySequential: per-account queues by sequence number,
    batch i = every account's i-th tx, each batch by xored full hash."""
    queues: Dict[bytes, List[TxView]] = {}
    for v in views:
        queues.setdefault(v.source_id, []).append(v)
    for q in queues.values():
        q.sort(key=lambda v: v.seq_num)
    key = xored_key(tx_set_hash)
    out: List[TxView] = []
    depth = max((len(q) for q in queues.values()), default=0)
    for i in range(depth):
        batch = [q[i] for q in queues.values() if len(q) > i]
        batch.sort(key=key)
        out.extend(batch)
    return out


# ---------------------------------------------------------------------------
# phases


class SequentialPhase:
    """A v0 phase: transactions with the base fee of their component
    (None = no discount: the full bid is charged)."""

    is_parallel = False

    def __init__(self, views: List[TxView], fees: Dict[bytes, Optional[int]]):
        self.views = views
        self.fees = fees

    def txs(self):
        return iter(self.views)

    def to_xdr(self) -> "xdr.TransactionPhase":
        """sequentialPhaseToXdr: one component per distinct base fee, no
        base fee first, then ascending; txs by full hash in each."""
        by_fee: Dict[Optional[int], list] = {}
        for v in sorted(self.views, key=lambda v: v.full_hash):
            by_fee.setdefault(self.fees[v.full_hash], []).append(v.envelope)
        order = sorted(by_fee, key=lambda f: (f is not None, f or 0))
        comps = [xdr.TxSetComponent(_COMP, xdr.TxSetComponentTxsMaybeDiscountedFee(
            baseFee=f, txs=by_fee[f])) for f in order]
        return xdr.TransactionPhase(0, comps)


class _ParallelPhaseView:
    """A decoded parallel phase with the TxView of each transaction."""

    is_parallel = True

    def __init__(self, phase: ParallelPhase, views: Dict[bytes, TxView]):
        self.phase = phase
        self.stages = [[[views[t.full_hash] for t in c] for c in s] for s in phase.stages]
        self.base_fee = phase.base_fee

    def txs(self):
        for s in self.stages:
            for c in s:
                yield from c

    @property
    def fees(self) -> Dict[bytes, Optional[int]]:
        return {v.full_hash: self.base_fee for v in self.txs()}

    def to_xdr(self) -> "xdr.TransactionPhase":
        return self.phase.to_xdr()


# ---------------------------------------------------------------------------
# structure checks (validateTxSetXDRStructure)


def _fee_key(comp):
    f = comp.txsMaybeDiscountedFee.baseFee
    return (f is not None, f if f is not None else 0)


def _check_structure(value) -> None:
    if value.v != 1:
        raise MalformedTxSet(f"unsupported version {value.v}")
    phases = value.v1TxSet.phases
    if len(phases) != PHASE_COUNT:
        raise MalformedTxSet(f"exactly 2 phases are expected, got {len(phases)}")
    for i, phase in enumerate(phases):
        if phase.v > 1:
            raise MalformedTxSet(f"unsupported phase version {phase.v}")
        if phase.v == 1:
            if i != SOROBAN:
                raise MalformedTxSet("non-Soroban parallel phase")
            for stage in phase.parallelTxsComponent.executionStages:
                if not stage:
                    raise MalformedTxSet(Reject.EMPTY_STAGE)
                if any(not c for c in stage):
                    raise MalformedTxSet(Reject.EMPTY_CLUSTER)
            continue
        comps = phase.v0Components
        keys = [_fee_key(c) for c in comps]
        if any(a > b for a, b in zip(keys, keys[1:])):
            raise MalformedTxSet("incorrect component order")
        if any(a == b for a, b in zip(keys, keys[1:])):
            raise MalformedTxSet("duplicate component base fees")
        if any(not c.txsMaybeDiscountedFee.txs for c in comps):
            raise MalformedTxSet("empty component")


# ---------------------------------------------------------------------------
# the wire frame


class TxSetXDRFrame:
    """A GeneralizedTransactionSet as received or built: its XDR and hash."""

    def __init__(self, value, encoded: Optional[bytes] = None):
        if isinstance(value, xdr.TransactionSetV1):
            value = xdr.GeneralizedTransactionSet(1, value)
        if not isinstance(value, xdr.GeneralizedTransactionSet):
            raise TypeError("expected a GeneralizedTransactionSet")
        self.xdr_value = value
        self.encoded = encoded if encoded is not None else value.to_xdr()
        self.hash = hashlib.sha256(self.encoded).digest()

    @classmethod
    def from_bytes(cls, data: bytes) -> "TxSetXDRFrame":
        """Decode wire bytes; MalformedTxSet when they are not a
        GeneralizedTransactionSet."""
        try:
            value = xdr.GeneralizedTransactionSet.from_xdr(bytes(data))
        except (xdr.XdrError, ValueError) as e:
            raise MalformedTxSet(f"undecodable XDR ({e})") from None
        return cls(value, bytes(data))

    @property
    def previous_ledger_hash(self) -> bytes:
        return bytes(self.xdr_value.v1TxSet.previousLedgerHash)

    @property
    def encoded_size(self) -> int:
        return len(self.encoded)

    def envelopes_per_phase(self) -> List[list]:
        """createTransactionFrames: the envelopes of each phase in XDR order."""
        out = []
        for phase in self.xdr_value.v1TxSet.phases:
            if phase.v == 0:
                out.append([e for c in phase.v0Components for e in c.txsMaybeDiscountedFee.txs])
            else:
                out.append([e for s in phase.parallelTxsComponent.executionStages for c in s for e in c])
        return out

    def size_tx_total(self) -> int:
        return sum(len(p) for p in self.envelopes_per_phase())

    def prepare_for_apply(self, network_id: bytes, lcl_header=None) -> "ApplicableTxSet":
        """TxSetXDRFrame::prepareForApply; raises MalformedTxSet."""
        value = self.xdr_value
        _check_structure(value)
        views: Dict[bytes, TxView] = {}
        phases = []
        for i, phase in enumerate(value.v1TxSet.phases):
            if phase.v == 0:
                phases.append(_sequential_from_wire(phase, network_id, views))
            else:
                try:
                    pp = ParallelPhase.decode(phase)
                except MalformedPhase as e:
                    raise MalformedTxSet(e.reason) from None
                for t in pp.txs():
                    if t.full_hash not in views:
                        views[t.full_hash] = TxView(network_id, t.envelope, t)
                phases.append(_ParallelPhaseView(pp, views))
        return ApplicableTxSet(self, phases)


def _sequential_from_wire(phase, network_id: bytes, views: Dict[bytes, TxView]) -> SequentialPhase:
    out: List[TxView] = []
    fees: Dict[bytes, Optional[int]] = {}
    for comp in phase.v0Components:
        d = comp.txsMaybeDiscountedFee
        part = []
        for env in d.txs:
            v = TxView(network_id, env)
            if not v.xdr_provides_valid_fee():
                raise MalformedTxSet(Reject.INVALID_FEE_XDR)
            views.setdefault(v.full_hash, v)
            part.append(views[v.full_hash])
        hashes = [v.full_hash for v in part]
        if any(a > b for a, b in zip(hashes, hashes[1:])):
            raise MalformedTxSet("transactions are not sorted by full hash")
        for v in part:
            fees[v.full_hash] = d.baseFee
        out.extend(part)
    return SequentialPhase(out, fees)


def prepare_for_apply(xdr_value_or_bytes, network_id: bytes, lcl_header=None) -> "ApplicableTxSet":
    """The applicable form of a GeneralizedTransactionSet (value or bytes)."""
    if isinstance(xdr_value_or_bytes, (bytes, bytearray)):
        frame = TxSetXDRFrame.from_bytes(xdr_value_or_bytes)
    else:
        frame = TxSetXDRFrame(xdr_value_or_bytes)
    return frame.prepare_for_apply(network_id, lcl_header)


def make_empty(lcl) -> TxSetXDRFrame:
    """TxSetXDRFrame::makeEmpty from protocol 23: an empty classic phase and
    an empty parallel Soroban phase without base fee (PARITY_TRAPS H6)."""
    header, lcl_hash = lcl_parts(lcl)
    if header.ledgerVersion < PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION:
        raise ValueError("only protocol 23+ tx sets are supported")
    phases = [xdr.TransactionPhase(0, []),
              xdr.TransactionPhase(1, xdr.ParallelTxsComponent(baseFee=None, executionStages=[]))]
    value = xdr.GeneralizedTransactionSet(1, xdr.TransactionSetV1(previousLedgerHash=lcl_hash, phases=phases))
    return TxSetXDRFrame(value)


# ---------------------------------------------------------------------------
# the applicable set


class ApplicableTxSet:
    """ApplicableTxSetFrame: the phases of a well-formed set, its hash and
    the base fee of every transaction; what the ledger close consumes."""

    def __init__(self, wire: TxSetXDRFrame, phases: list):
        self.wire = wire
        self.xdr_value = wire.xdr_value
        self.hash = wire.hash
        self.previous_ledger_hash = wire.previous_ledger_hash
        self.phases = phases
        self._fees: Dict[bytes, Optional[int]] = {}
        for p in phases:
            self._fees.update(p.fees)

    # -- sizes ---------------------------------------------------------------
    def views(self, phase: Optional[int] = None) -> List[TxView]:
        ps = self.phases if phase is None else [self.phases[phase]]
        return [v for p in ps for v in p.txs()]

    def size_tx(self, phase: Optional[int] = None) -> int:
        return len(self.views(phase))

    def size_op(self, phase: Optional[int] = None) -> int:
        return sum(v.num_operations for v in self.views(phase))

    def size(self, phase: Optional[int] = None) -> int:
        """TxSetPhaseFrame::size from p11: operations in both phases."""
        return self.size_op(phase)

    def empty(self) -> bool:
        return self.size_tx() == 0

    def all_frames(self) -> list:
        return [v.frame for v in self.views()]

    def encoded_size(self) -> int:
        return self.wire.encoded_size

    # -- fees ----------------------------------------------------------------
    def get_tx_base_fee(self, tx) -> Optional[int]:
        """The base fee of the component holding `tx` (a frame, TxView or
        full hash); None when its component has none."""
        h = tx if isinstance(tx, (bytes, bytearray)) else tx.full_hash
        if h not in self._fees:
            raise KeyError("transaction not found in tx set")
        return self._fees[h]

    def total_inclusion_fees(self) -> int:
        return sum(v.inclusion_fee for v in self.views())

    def total_fees(self) -> int:
        """getTotalFees: what applying charges (getFee, applying=true)."""
        return sum(v.phase_tx.fee_to_charge(self._fees[v.full_hash]) for v in self.views())

    # -- apply order ---------------------------------------------------------
    def classic_apply_order(self) -> list:
        """[(frame, base fee)] of phase 0 in stellar-core's apply order."""
        order = sorted_for_apply_sequential(list(self.phases[CLASSIC].txs()), self.hash)
        return [(v.frame, self._fees[v.full_hash]) for v in order]

    def soroban_stages_apply_order(self) -> list:
        """Stages of clusters of (frame, base fee) of phase 1, in apply order."""
        phase = self.phases[SOROBAN]
        if not phase.is_parallel:
            order = sorted_for_apply_sequential(list(phase.txs()), self.hash)
            return [[[(v.frame, self._fees[v.full_hash]) for v in order]]] if order else []
        key = xored_key(self.hash)
        stages = [[sorted(c, key=key) for c in s] for s in phase.stages]
        stages.sort(key=lambda s: key(s[0][0]))
        return [[[(v.frame, self._fees[v.full_hash]) for v in c] for c in s] for s in stages]

    def apply_order(self) -> list:
        """Every (frame, base fee) in apply order: classic, then Soroban."""
        out = list(self.classic_apply_order())
        for stage in self.soroban_stages_apply_order():
            for cluster in stage:
                out.extend(cluster)
        return out

    def to_wire(self) -> TxSetXDRFrame:
        return self.wire


# ---------------------------------------------------------------------------
# validity (ApplicableTxSetFrame::checkValid)


def validity_problem(ts: ApplicableTxSet, ltx, lcl, soroban_config, lower_offset: int = 0,
                     upper_offset: int = 0, txs_are_validated: bool = False) -> Optional[str]:
    """None when stellar-core accepts `ts` on top of the last closed ledger
    `lcl` (a LedgerHeaderHistoryEntry, or (header, hash)), else why not.
    `ltx` is the ledger state of the LCL (read only); `soroban_config` its
    SorobanNetworkConfig."""
    header, lcl_hash = lcl_parts(lcl)
    if ts.previous_ledger_hash != lcl_hash:
        return "previous ledger hash is not the last closed ledger's"
    if header.ledgerVersion < PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION:
        return "generalized tx sets of this version need protocol 23+"
    seen = set()
    for v in ts.views():
        if v.source_id in seen:
            return Reject.DUPLICATE_SOURCE
        seen.add(v.source_id)

    def tx_ok(v: TxView) -> bool:
        with ValidationSnapshot(ltx, header.ledgerSeq + 1) as snap:
            res = check_tx_valid(v, snap, lower_offset, upper_offset, soroban_config)
        return res.is_success()

    classic = ts.phases[CLASSIC]
    problem = _fee_map_problem(classic, header)
    if problem:
        return problem
    if any(v.is_soroban for v in classic.txs()):
        return "Soroban transaction in the classic phase"
    if classic.is_parallel:
        return "classic phase can't be parallel"
    if ts.size_op(CLASSIC) > header.maxTxSetSize:
        return "too many classic operations"
    if not txs_are_validated and not all(tx_ok(v) for v in classic.txs()):
        return Reject.TX_INVALID

    soroban = ts.phases[SOROBAN]
    if not soroban.is_parallel:
        problem = _fee_map_problem(soroban, header)
        if problem:
            return problem
        if any(not v.is_soroban for v in soroban.txs()):
            return Reject.NOT_SOROBAN
        return "Soroban phase must be parallel from protocol 23"
    by_hash = {v.full_hash: v for v in soroban.txs()}
    if soroban_config is None:
        if by_hash:
            raise ValueError("Soroban transactions need the Soroban network configuration")
        soroban_config = _NO_SOROBAN_LIMITS     # an empty phase fits any limits
    check = None if txs_are_validated else (lambda t: tx_ok(by_hash[t.full_hash]))
    return soroban.phase.validate(soroban_config, ledger_version=header.ledgerVersion,
                                  lcl_base_fee=header.baseFee, check_tx=check)


def _fee_map_problem(phase, header) -> Optional[str]:
    """checkFeeMap: a component base fee is at least the ledger's, and each
    tx bids at least max(ledger, component) base fee per op."""
    for v in phase.txs():
        fee = phase.fees[v.full_hash]
        if fee is None:
            continue
        if fee < header.baseFee:
            return Reject.BASE_FEE_TOO_LOW
        if v.inclusion_fee < max(header.baseFee, fee) * max(1, v.num_operations):
            return Reject.INCLUSION_FEE_TOO_LOW
    return None


def check_valid(ts: ApplicableTxSet, ltx, lcl, soroban_config, lower_offset: int = 0,
                upper_offset: int = 0, txs_are_validated: bool = False) -> bool:
    return validity_problem(ts, ltx, lcl, soroban_config, lower_offset, upper_offset,
                            txs_are_validated) is None
