"""Applying the parallel Soroban phase (protocol 23+): stellar-core's
ParallelApplyUtils.cpp (global / thread / op ledger states) and
LedgerManagerImpl::applyParallelPhase, applySorobanStages, applyThread and
processPostTxSetApply.

Why these layers and not nested LedgerTxns: what each transaction sees is
part of the protocol. Every cluster of a stage starts from the state at
the start of the stage; a cluster's transactions see each other's writes
in order; a read-only TTL extension is deferred - later transactions of
the cluster do not see it (they pay for it again) until a transaction
writes the key or the cluster ends - and bumps of one key from several
clusters merge by max (PARITY_TRAPS S8). The clusters of a stage are
independent by construction, so running them one after another here gives
what stellar-core's threads give.

Keys are LedgerKey XDR bytes; a map value None means "deleted".
"""
from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field

from stellarcore import xdr
from stellarcore.ledger.ledger_txn import LedgerTxn, entry_key_bytes
from stellarcore.transactions.events import STAGE_BEFORE_ALL_TXS
from stellarcore.soroban.parallel_phase import RoTtlBumps, is_soroban_key as _is_soroban_key_bytes
from stellarcore.soroban.parallel_phase import merge_cluster_change
from stellarcore.soroban import rent
from stellarcore.transactions.soroban_tx import ttl_key_of

_LT = xdr.LedgerEntryType


@dataclass
class LedgerInfo:
    """ParallelLedgerInfo: what the apply threads know of the ledger."""
    ledger_version: int
    ledger_seq: int
    base_reserve: int
    close_time: int
    network_id: bytes


@dataclass
class RestoredEntries:
    """Entries restored this ledger, from the hot archive or the live
    BucketList (key -> the entry as restored); TTL keys included."""
    hot_archive: dict = field(default_factory=dict)
    live: dict = field(default_factory=dict)

    def was_restored(self, key: bytes) -> bool:
        return key in self.hot_archive or key in self.live

    def add_from(self, other: "RestoredEntries") -> None:
        self.hot_archive.update(other.hot_archive)
        self.live.update(other.live)


@dataclass
class OpOutcome:
    """ParallelTxReturnVal of a successful op: the entries it wrote (None
    for erased) and what it restored."""
    modified: dict
    restored: RestoredEntries


class GlobalState:
    """GlobalParallelApplyLedgerState: the phase's view over the ledger
    (`ltx` after the classic phase and every tx's pre-apply); `entries`
    holds what stages committed, each with a dirty flag."""

    def __init__(self, ltx, config, module_cache=None, hot_archive=None):
        self.ltx = ltx
        self.config = config
        self.module_cache = module_cache
        self.hot_archive = hot_archive  # key bytes -> archived LedgerEntry or None
        self.entries: dict = {}  # key -> entry or None (deleted)
        self.dirty: set = set()
        self.restored = RestoredEntries()

    def snapshot_get(self, key: bytes):
        return self.ltx.load_without_record(key)

    def commit_thread(self, thread: "ThreadState", rw_keys: set) -> None:
        """commitChangesFromThread: read-only TTL bumps of several clusters
        merge with max (maybeMergeRoTTLBumps)."""
        for key, (entry, dirty) in thread.entries.items():
            if dirty:
                merge_cluster_change(self.entries, key, entry, rw_keys)
                self.dirty.add(key)
        self.restored.add_from(thread.restored)

    def commit_to_ltx(self, ltx) -> None:
        """commitChangesToLedgerTxn."""
        inner = LedgerTxn(ltx)
        try:
            for key in self.dirty:
                entry = self.entries[key]
                cur = inner.load(key)
                if entry is not None:
                    if cur is not None:
                        _assign(cur, entry)
                    else:
                        inner.create(entry.copy(), key)
                elif cur is not None:
                    inner.erase(key)
            inner.commit()
        finally:
            inner.rollback()


def _assign(dst, src) -> None:
    dst.lastModifiedLedgerSeq = src.lastModifiedLedgerSeq
    dst.data = src.data.copy()
    dst.ext = src.ext.copy()


class ThreadState:
    """ThreadParallelApplyLedgerState: one cluster's view and writes."""

    def __init__(self, global_state: GlobalState, cluster, ledger_seq: int):
        self.global_state = global_state
        self.config = global_state.config
        self.module_cache = global_state.module_cache
        self.hot_archive = global_state.hot_archive
        self.snapshot_seq = ledger_seq - 1
        self.entries: dict = {}  # key -> (entry or None, dirty)
        self.restored = RestoredEntries()
        self.previously_restored = RestoredEntries()
        self.previously_restored.add_from(global_state.restored)
        self.ro_ttl_bumps = RoTtlBumps()
        g = global_state.entries
        for item in cluster:
            fp = item.frame.soroban_resources().footprint
            for keys in (fp.readWrite, fp.readOnly):
                for k in keys:
                    kb = k.to_xdr()
                    self._from_global(g, kb)
                    if _is_soroban_key_bytes(kb):
                        self._from_global(g, ttl_key_of(kb))

    def _from_global(self, g: dict, kb: bytes) -> None:
        if kb in self.entries:
            return
        if kb in g:
            self.entries[kb] = (g[kb], False)

    # -- reads and writes ----------------------------------------------------
    def get(self, key: bytes):
        e = self.entries.get(key)
        if e is not None:
            return e[0]
        if self.restored.hot_archive.get(key) is not None:
            raise RuntimeError("hot-archive restored entry missing from the thread map")
        return self.global_state.snapshot_get(key)

    def upsert(self, key: bytes, entry, ledger_seq: int) -> None:
        e = entry.copy()
        e.lastModifiedLedgerSeq = ledger_seq
        self.entries[key] = (e, True)

    def erase(self, key: bytes) -> None:
        self.entries[key] = (None, True)

    def entry_was_restored(self, key: bytes) -> bool:
        return self.restored.was_restored(key) or self.previously_restored.was_restored(key)

    # -- read-only TTL bumps (PARITY_TRAPS S8) ---------------------------------------
    def _write(self, key: bytes, entry) -> None:
        self.upsert(key, entry, self.snapshot_seq + 1)

    def flush_ro_ttl_bumps_in_write_footprint(self, frame) -> None:
        rw = [k.to_xdr() for k in frame.soroban_resources().footprint.readWrite]
        self.ro_ttl_bumps.flush_for_writes(rw, self.get, self._write)

    def flush_remaining_ro_ttl_bumps(self) -> None:
        self.ro_ttl_bumps.flush_remaining(self.get, self._write)

    def commit_successful_op(self, outcome: OpOutcome, frame) -> None:
        """commitChangesFromSuccessfulOp."""
        ro_ttl = {ttl_key_of(k.to_xdr()) for k in frame.soroban_resources().footprint.readOnly
                  if rent.is_soroban_entry(k)}
        for key, entry in outcome.modified.items():
            self.ro_ttl_bumps.commit_change(key, entry, ro_ttl, self.get, self._write, self.erase)
        self.restored.add_from(outcome.restored)


class OpState:
    """OpParallelApplyLedgerState: one operation's writes over its cluster."""

    def __init__(self, thread: ThreadState):
        self.thread = thread
        self.modified: dict = {}
        self.restored = RestoredEntries()

    def get(self, key: bytes):
        if key in self.modified:
            return self.modified[key]
        return self.thread.get(key)

    def upsert(self, key: bytes, entry, ledger_seq: int) -> bool:
        """True when this creates the entry (it was not live before)."""
        existed = self.get(key) is not None
        e = entry.copy()
        e.lastModifiedLedgerSeq = ledger_seq
        self.modified[key] = e
        return not existed

    def erase_if_exists(self, key: bytes) -> bool:
        if self.get(key) is None:
            return False
        self.modified[key] = None
        return True

    def entry_was_restored(self, key: bytes) -> bool:
        return self.restored.was_restored(key) or self.thread.entry_was_restored(key)

    def add_hot_archive_restore(self, key: bytes, entry, ttl_key: bytes, ttl_entry) -> None:
        self.restored.hot_archive[key] = entry
        self.restored.hot_archive[ttl_key] = ttl_entry

    def add_live_restore(self, key: bytes, entry, ttl_key: bytes, ttl_entry) -> None:
        self.restored.live[key] = entry
        self.restored.live[ttl_key] = ttl_entry

    def success(self) -> OpOutcome:
        return OpOutcome(self.modified, self.restored)


# -- the phase -------------------------------------------------------------------
@dataclass
class TxBundle:
    """One transaction of the phase: frame, mutable result, meta builder,
    and its index in apply order (for its PRNG seed)."""
    frame: object
    result: object
    meta: object
    tx_num: int


def tx_prng_seed(base_seed: bytes, index: int) -> bytes:
    """subSha256(base, index) with a 64-bit index (PARITY_TRAPS S1)."""
    return hashlib.sha256(bytes(base_seed) + struct.pack(">Q", index)).digest()


def stage_rw_keys(stage) -> set:
    """getReadWriteKeysForStage: RW keys and their TTL keys."""
    out = set()
    for cluster in stage:
        for item in cluster:
            for k in item.frame.soroban_resources().footprint.readWrite:
                kb = k.to_xdr()
                out.add(kb)
                if _is_soroban_key_bytes(kb):
                    out.add(ttl_key_of(kb))
    return out


def apply_cluster(global_state: GlobalState, cluster, info: LedgerInfo, base_seed: bytes) -> ThreadState:
    """LedgerManagerImpl::applyThread."""
    thread = ThreadState(global_state, cluster, info.ledger_seq)
    for item in cluster:
        thread.flush_ro_ttl_bumps_in_write_footprint(item.frame)
        seed = tx_prng_seed(base_seed, item.tx_num)
        outcome = item.frame.parallel_apply(thread, info, item.result, item.meta, seed)
        if outcome is not None:
            _set_op_changes(item, thread, outcome, info.ledger_seq)
            thread.commit_successful_op(outcome, item.frame)
        elif item.result.is_success():
            raise RuntimeError("a failed Soroban op left a successful result")
    thread.flush_remaining_ro_ttl_bumps()
    return thread


def apply_soroban_stages(ltx, stages, config, base_seed: bytes, info: LedgerInfo,
                         module_cache=None, hot_archive=None) -> RestoredEntries:
    """applySorobanStages: pre-apply every transaction (sequence numbers,
    signatures, op checks) on `ltx`, then the stages in order, then the
    phase's writes into `ltx`. `stages` is [[[TxBundle]]]. Returns what the
    phase restored (the ledger close adds the keys restored from the hot
    archive to the hot archive's batch)."""
    for stage in stages:
        for cluster in stage:
            for item in cluster:
                item.frame.pre_parallel_apply(ltx, item.meta, item.result, config)
    g = GlobalState(ltx, config, module_cache, hot_archive)
    for stage in stages:
        threads = [apply_cluster(g, cluster, info, base_seed) for cluster in stage]
        for item in (i for c in stage for i in c):
            item.meta.maybe_set_refundable_fee_meta(item.result.refundable_fee_tracker)
        rw = stage_rw_keys(stage)
        for t in threads:
            g.commit_thread(t, rw)
    g.commit_to_ltx(ltx)
    return g.restored


def make_bundles(stages_of_frames, results, metas, first_index: int):
    """Wrap a phase's frames (stages -> clusters -> frames, in apply order)
    with their results and meta builders; emits each tx's fee event, as
    applyParallelPhase does before applying."""
    out, n = [], first_index
    for stage in stages_of_frames:
        s = []
        for cluster in stage:
            c = []
            for frame in cluster:
                res, meta = results[n - first_index], metas[n - first_index]
                meta.tx_events.fee_event(frame.fee_source_id, res.fee_charged, STAGE_BEFORE_ALL_TXS)
                c.append(TxBundle(frame, res, meta, n))
                n += 1
            s.append(c)
        out.append(s)
    return out


def process_post_tx_set_apply(ltx, stages) -> list:
    """Refunds after the whole set, in stage and cluster order; returns
    [(bundle, postTxApplyFeeProcessing changes)]."""
    out = []
    for stage in stages:
        for cluster in stage:
            for item in cluster:
                inner = LedgerTxn(ltx)
                try:
                    item.frame.process_post_tx_set_apply(inner, item.result, item.meta.tx_events)
                    changes = inner.get_changes()
                    inner.commit()
                finally:
                    inner.rollback()
                out.append((item, changes))
    return out


# -- op meta ---------------------------------------------------------------------
_C = xdr.LedgerEntryChangeType


def _set_op_changes(item, thread: ThreadState, outcome: OpOutcome, ledger_seq: int) -> None:
    """OperationMetaBuilder::setLedgerChangesFromSuccessfulOp."""
    meta = item.meta
    if not meta.enabled:
        return
    LEC = xdr.LedgerEntryChange
    changes = []
    hot = outcome.restored.hot_archive
    for key, entry in outcome.modified.items():
        prev = thread.get(key)
        if prev is not None:
            changes.append(LEC(_C.LEDGER_ENTRY_STATE, prev.copy()))
            if entry is not None:
                changes.append(LEC(_C.LEDGER_ENTRY_UPDATED, entry.copy()))
            else:
                changes.append(LEC(_C.LEDGER_ENTRY_REMOVED, xdr.LedgerKey.from_xdr(key)))
        elif entry is None:
            restored = hot.get(key)
            if restored is None:
                raise RuntimeError("erase of an entry that was neither live nor restored")
            created = restored.copy()
            created.lastModifiedLedgerSeq = ledger_seq
            changes.append(LEC(_C.LEDGER_ENTRY_CREATED, created))
            changes.append(LEC(_C.LEDGER_ENTRY_REMOVED, xdr.LedgerKey.from_xdr(key)))
        else:
            changes.append(LEC(_C.LEDGER_ENTRY_CREATED, entry.copy()))
    op = item.frame.operations[0]
    meta.op_metas[0].changes = process_restore_changes(op.body.type, changes, hot, outcome.restored.live,
                                                       ledger_seq)


def _change_entry_key(change) -> bytes:
    t = change.type
    if t == _C.LEDGER_ENTRY_REMOVED:
        return change.removed.to_xdr()
    return entry_key_bytes(change.xdr_value())


def _is_ttl_or_persistent(key_xdr: bytes) -> bool:
    if struct.unpack_from(">I", key_xdr)[0] == _LT.TTL:
        return True
    return rent.is_persistent_entry(xdr.LedgerKey.from_xdr(key_xdr))


def process_restore_changes(op_type, changes: list, hot: dict, live: dict, ledger_seq: int) -> list:
    """processOpLedgerEntryChanges (protocol 23+): restorations appear as
    LEDGER_ENTRY_RESTORED (PARITY_TRAPS S14)."""
    if op_type not in (xdr.OperationType.RESTORE_FOOTPRINT, xdr.OperationType.INVOKE_HOST_FUNCTION):
        return changes
    LEC = xdr.LedgerEntryChange
    to_add, to_convert, to_remove = [], set(), set()
    for i, ch in enumerate(changes):
        t = ch.type
        if t == _C.LEDGER_ENTRY_CREATED or t == _C.LEDGER_ENTRY_UPDATED:
            key = _change_entry_key(ch)
            if not _is_ttl_or_persistent(key):
                continue
            le = ch.xdr_value()
            if t == _C.LEDGER_ENTRY_CREATED:
                if key in live:
                    raise RuntimeError("created entry was restored from the live BucketList")
                r = hot.get(key)
                if r is not None:
                    if le.data.to_xdr() == r.data.to_xdr():
                        changes[i] = LEC(_C.LEDGER_ENTRY_RESTORED, le)
                    else:
                        changes[i] = LEC(_C.LEDGER_ENTRY_UPDATED, le)
                        if key not in to_add:
                            to_add.append(key)
            else:
                if key in hot:
                    raise RuntimeError("updated entry was restored from the hot archive")
                r = live.get(key)
                if r is not None:
                    if le.data.to_xdr() == r.data.to_xdr():
                        changes[i] = LEC(_C.LEDGER_ENTRY_RESTORED, le)
                        to_remove.add(key)
                    else:
                        to_convert.add(key)
        elif t == _C.LEDGER_ENTRY_REMOVED:
            key = ch.removed.to_xdr()
            if _is_ttl_or_persistent(key) and key in live:
                to_convert.add(key)
    out = []
    for ch in changes:
        if ch.type == _C.LEDGER_ENTRY_STATE:
            key = _change_entry_key(ch)
            if key in to_remove:
                continue
            if key in to_convert:
                le = ch.state.copy()
                le.lastModifiedLedgerSeq = ledger_seq
                ch = LEC(_C.LEDGER_ENTRY_RESTORED, le)
        out.append(ch)
    inserts = {}
    for key in sorted(to_add):
        le = hot[key].copy()
        le.lastModifiedLedgerSeq = ledger_seq
        inserts[key] = LEC(_C.LEDGER_ENTRY_RESTORED, le)
    if op_type == xdr.OperationType.RESTORE_FOOTPRINT:
        for key, entry in live.items():
            if struct.unpack_from(">I", key)[0] == _LT.TTL:
                continue
            inserts[key] = LEC(_C.LEDGER_ENTRY_RESTORED, entry.copy())
    if not inserts:
        return out
    result = []
    for ch in out:
        if ch.type in (_C.LEDGER_ENTRY_UPDATED, _C.LEDGER_ENTRY_REMOVED):
            r = inserts.pop(_change_entry_key(ch), None)
            if r is not None:
                result.append(r)
        result.append(ch)
    result.extend(inserts.values())
    return result

