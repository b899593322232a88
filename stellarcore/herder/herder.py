"""The herder of a node: transactions in, ledgers out (stellar-core HerderImpl
and HerderSCPDriver, as far as one validator needs them).

Why this shape: the herder owns the transaction queues, the armed upgrades,
the tx sets it proposed or heard of, and SCP; the ledger manager only
applies what the herder hands it. With a quorum of one (RUN_STANDALONE, or
a validator whose QUORUM_SET is itself) SCP still runs - nomination, then
the ballot protocol - and externalizes in the same call, as stellar-core's
does; with MANUAL_CLOSE the next ledger waits for `/manualclose`, otherwise
a timer triggers it every EXPECTED_LEDGER_CLOSE_TIME (5 s, or the Soroban
network's ledgerTargetCloseTimeMilliseconds).

Time comes from a clock object (`now()` in Unix seconds and
`schedule(seconds, fn)` returning something with `cancel()`, or None when
the clock runs no timers), so tests and the simulation run without real
timers.
"""
from __future__ import annotations

import hashlib
import logging
import time
from typing import Optional

from stellarcore import xdr
from stellarcore.crypto import payloads
from stellarcore.herder.legacy_tx_set import LegacyEmptyTxSet, is_legacy_ledger
from stellarcore.herder.tx_queue import TransactionQueues
from stellarcore.herder.tx_set_builder import make_tx_set_from_transactions
from stellarcore.herder.upgrades import UpgradeParameters, Upgrades
from stellarcore.ledger.ledger_manager import LedgerCloseData
from stellarcore.scp import quorum_set as QS
from stellarcore.scp.driver import SCPDriver, ValidationLevel
from stellarcore.scp.scp import SCP

log = logging.getLogger("stellarcore.Herder")

EXPECTED_LEDGER_CLOSE_TIME = 5.0
MAX_TIME_SLIP_SECONDS = 60
MAX_SCP_TIMEOUT_MS = 30 * 60 * 1000


class RealClock:
    """Wall-clock time and gevent timers."""

    def now(self) -> int:
        return int(time.time())

    def schedule(self, seconds: float, fn):
        import gevent
        return _GreenletTimer(gevent.spawn_later(seconds, fn))


class _GreenletTimer:
    def __init__(self, greenlet):
        self._g = greenlet

    def cancel(self) -> None:
        self._g.kill(block=False)


class ManualClock:
    """Time that moves only when the caller sets `t`; timers never fire
    (tests and benchmarks close ledgers with manual_close)."""

    def __init__(self, t: int):
        self.t = t

    def now(self) -> int:
        return self.t

    def schedule(self, seconds: float, fn):
        return None


class _Driver(SCPDriver):
    """HerderSCPDriver for values that are StellarValue XDR."""

    def __init__(self, herder: "Herder"):
        self.h = herder

    def sign_envelope(self, envelope) -> None:
        payloads.sign_scp_envelope(self.h.node_key, self.h.network_id, envelope)

    def get_qset(self, qset_hash: bytes):
        return self.h.qset if qset_hash == self.h.qset_hash else None

    def emit_envelope(self, envelope) -> None:
        self.h.latest_envelopes.append(envelope)
        del self.h.latest_envelopes[:-20]
        if self.h.broadcast is not None:
            self.h.broadcast(envelope)

    def combine_candidates(self, slot_index: int, candidates: list) -> bytes:
        """combineCandidates: the candidate with the best tx set (most
        operations, then highest fees, then hash), upgrades merged by max."""
        values = [xdr.StellarValue.from_xdr(bytes(c)) for c in candidates]
        best = max(values, key=lambda v: self.h.tx_set_rank(v))
        return best.to_xdr()

    def setup_timer(self, slot_index: int, timer_id: int, timeout_ms: int, callback) -> None:
        key = (slot_index, timer_id)
        old = self.h.scp_timers.pop(key, None)
        if old is not None:
            old.cancel()
        if callback is not None:
            timer = self.h.clock.schedule(timeout_ms / 1000.0, callback)
            if timer is not None:
                self.h.scp_timers[key] = timer

    def stop_timer(self, slot_index: int, timer_id: int) -> None:
        t = self.h.scp_timers.pop((slot_index, timer_id), None)
        if t is not None:
            t.cancel()

    def compute_timeout(self, round_number: int, is_nomination: bool) -> int:
        """computeTimeout: initial + (round - 1) * increment milliseconds,
        from the Soroban network settings when present, at most 30 minutes."""
        cfg = self.h.lm.soroban_config
        if is_nomination:
            init = getattr(cfg, "nomination_timeout_initial_milliseconds", 0) or 1000
            inc = getattr(cfg, "nomination_timeout_increment_milliseconds", 0) or 1000
        else:
            init = getattr(cfg, "ballot_timeout_initial_milliseconds", 0) or 1000
            inc = getattr(cfg, "ballot_timeout_increment_milliseconds", 0) or 1000
        return min(init + (max(round_number, 1) - 1) * inc, MAX_SCP_TIMEOUT_MS)

    def validate_value(self, slot_index: int, value: bytes, nomination: bool) -> ValidationLevel:
        return self.h.validate_value(slot_index, value)

    def extract_valid_value(self, slot_index: int, value: bytes):
        return value if self.h.validate_value(slot_index, value) == ValidationLevel.FULLY_VALIDATED else None

    def value_externalized(self, slot_index: int, value: bytes) -> None:
        self.h.value_externalized(slot_index, value)


class Herder:
    """HerderImpl for one validator (or a watcher in tests)."""

    def __init__(self, config, ledger_manager, *, clock=None, broadcast=None):
        self.config = config
        self.lm = ledger_manager
        self.network_id = ledger_manager.network_id
        self.clock = clock or RealClock()
        self.broadcast = broadcast
        self.node_key = config.NODE_SEED
        node_id = self.node_key.public_key.ed25519
        qset_xdr = getattr(config, "QUORUM_SET", None)
        self.qset = QS.from_xdr(qset_xdr) if qset_xdr is not None else QS.singleton(node_id)
        self.qset_hash = hashlib.sha256(QS.to_xdr(self.qset).to_xdr()).digest()
        self.scp = SCP(_Driver(self), node_id, bool(getattr(config, "NODE_IS_VALIDATOR", True)), self.qset)
        self.scp_timers: dict = {}
        self.latest_envelopes: list = []
        self.tx_queue = TransactionQueues(
            self.network_id,
            pool_ledger_multiplier=int(getattr(config, "TRANSACTION_QUEUE_SIZE_MULTIPLIER", 2)),
            soroban_pool_ledger_multiplier=int(getattr(config, "SOROBAN_TRANSACTION_QUEUE_SIZE_MULTIPLIER", 2)),
            max_dex_ops=getattr(config, "MAX_DEX_TX_OPERATIONS_IN_TX_SET", None))
        self.upgrades = Upgrades(UpgradeParameters.from_config(config)
                                 if getattr(config, "TESTING_UPGRADE_DATETIME", 0) else None)
        self.tx_sets: dict = {}          # hash -> applicable tx set we proposed or heard of
        self.manual = bool(getattr(config, "MANUAL_CLOSE", False))
        self._next_trigger = None
        self._state = "HERDER_BOOTING_STATE"
        self.last_close_error: Optional[str] = None

    # -- state -----------------------------------------------------------------
    def state_name(self) -> str:
        return self._state

    def start(self) -> None:
        """bootstrap: a validator with a quorum of one is in sync at once."""
        self._state = "HERDER_TRACKING_NETWORK_STATE"
        self.lm.set_synced()
        if not self.manual:
            self._schedule_trigger()

    def stop(self) -> None:
        if self._next_trigger is not None:
            self._next_trigger.cancel()
            self._next_trigger = None
        for t in list(self.scp_timers.values()):
            t.cancel()
        self.scp_timers.clear()

    def expected_close_time(self) -> float:
        cfg = self.lm.soroban_config
        if getattr(self.config, "ARTIFICIALLY_ACCELERATE_TIME_FOR_TESTING", False):
            return 1.0
        if cfg is not None and getattr(cfg, "ledger_target_close_time_milliseconds", 0):
            return cfg.ledger_target_close_time_milliseconds / 1000.0
        return EXPECTED_LEDGER_CLOSE_TIME

    def _schedule_trigger(self) -> None:
        if self._next_trigger is not None:
            self._next_trigger.cancel()
        self._next_trigger = self.clock.schedule(self.expected_close_time(), self._on_trigger)

    def _on_trigger(self) -> None:
        self._next_trigger = None
        try:
            self.trigger_next_ledger()
        except Exception:       # noqa: BLE001 - a failed close is logged; the timer goes on
            log.exception("closing ledger %d failed", self.lm.last_closed_ledger_num() + 1)
            if not self.manual:
                self._schedule_trigger()

    # -- transactions -------------------------------------------------------------
    def recv_transaction(self, envelope):
        """recvTransaction -> (status, TransactionResult or None)."""
        ltx = self.lm.snapshot_ltx()
        try:
            res = self.tx_queue.try_add(envelope, ltx, self.lm.soroban_config)
        finally:
            ltx.rollback()
        return res.status, res.transaction_result

    # -- proposing ------------------------------------------------------------------
    def make_stellar_value(self, tx_set_hash: bytes, close_time: int, upgrades) -> "xdr.StellarValue":
        """makeStellarValue: signed with the node's key."""
        sig = self.node_key.sign(payloads.stellar_value_payload(self.network_id, tx_set_hash, close_time))
        ext = xdr.StellarValueExt(xdr.StellarValueType.STELLAR_VALUE_SIGNED, xdr.LedgerCloseValueSignature(
            nodeID=self.node_key.public_key.to_xdr_key(), signature=sig))
        return xdr.StellarValue(txSetHash=tx_set_hash, closeTime=close_time, upgrades=list(upgrades), ext=ext)

    def build_tx_set(self, txs_per_phase=None):
        """The tx set this node proposes on top of the last closed ledger."""
        lcl = self.lm.last_closed
        if is_legacy_ledger(lcl.header):
            return LegacyEmptyTxSet(lcl.hash)
        if txs_per_phase is None:
            txs_per_phase = self.tx_queue.get_transactions(lcl.header)
        ltx = self.lm.snapshot_ltx()
        try:
            built = make_tx_set_from_transactions(
                txs_per_phase, lcl, self.network_id, ltx, soroban_config=self.lm.soroban_config,
                max_dex_ops=getattr(self.config, "MAX_DEX_TX_OPERATIONS_IN_TX_SET", None))
        finally:
            ltx.rollback()
        if any(built.invalid):
            self.tx_queue.classic.ban(built.invalid[0])
            if len(built.invalid) > 1:
                self.tx_queue.soroban.ban(built.invalid[1])
        return built.applicable

    def trigger_next_ledger(self, close_time: Optional[int] = None, txs_per_phase=None) -> None:
        """triggerNextLedger: propose a tx set, a close time and the armed
        upgrades for the next slot and let SCP decide."""
        lcl = self.lm.last_closed
        slot = lcl.header.ledgerSeq + 1
        ts = self.build_tx_set(txs_per_phase)
        self.tx_sets[ts.hash] = ts
        if close_time is None:
            close_time = max(self.clock.now(), lcl.header.scpValue.closeTime + 1)
        ltx = self.lm.snapshot_ltx()
        try:
            upgrades = self.upgrades.upgrade_steps_for(lcl.header, ltx)
        finally:
            ltx.rollback()
        value = self.make_stellar_value(ts.hash, close_time, upgrades)
        self.scp.nominate(slot, value.to_xdr(), lcl.header.scpValue.to_xdr())
        if self.lm.last_closed_ledger_num() < slot:
            log.warning("slot %d did not externalize at once", slot)

    def manual_close(self, close_time: Optional[int] = None, ledger_seq: Optional[int] = None) -> str:
        """/manualclose: close the next ledger now."""
        n = self.lm.last_closed_ledger_num() + 1
        if ledger_seq is not None and ledger_seq != n:
            raise ValueError(f"Manual close ledgerSeq {ledger_seq} must be the next ledger, {n}")
        lcl_ct = self.lm.last_closed.header.scpValue.closeTime
        if close_time is not None and close_time <= lcl_ct:
            raise ValueError(f"Manual close closeTime {close_time} must be after the last "
                             f"close time {lcl_ct}")
        self.trigger_next_ledger(close_time)
        return f"Manually closed ledger {self.lm.last_closed_ledger_num()}"

    # -- SCP callbacks -----------------------------------------------------------------
    def tx_set_rank(self, value) -> tuple:
        ts = self.tx_sets.get(bytes(value.txSetHash))
        if ts is None:
            return (-1, 0, b"")
        return (ts.size_op(), getattr(ts, "total_fees", lambda: 0)(), bytes(value.txSetHash))

    def validate_value(self, slot_index: int, value: bytes) -> ValidationLevel:
        try:
            sv = xdr.StellarValue.from_xdr(bytes(value))
        except (xdr.XdrError, ValueError):
            return ValidationLevel.INVALID
        lcl = self.lm.last_closed
        if slot_index != lcl.header.ledgerSeq + 1:
            return ValidationLevel.MAYBE_VALID
        if sv.closeTime <= lcl.header.scpValue.closeTime:
            return ValidationLevel.INVALID
        if sv.closeTime > self.clock.now() + MAX_TIME_SLIP_SECONDS and not self.manual:
            return ValidationLevel.INVALID
        if bytes(sv.txSetHash) not in self.tx_sets:
            return ValidationLevel.MAYBE_VALID
        ltx = self.lm.snapshot_ltx()
        try:
            ok = self.upgrades.validate_steps(list(sv.upgrades), ltx, nomination=False,
                                              max_protocol_version=self.lm.max_protocol)
        finally:
            ltx.rollback()
        return ValidationLevel.FULLY_VALIDATED if ok else ValidationLevel.INVALID

    def value_externalized(self, slot_index: int, value: bytes) -> None:
        sv = xdr.StellarValue.from_xdr(bytes(value))
        ts = self.tx_sets.get(bytes(sv.txSetHash))
        if ts is None:
            log.error("externalized tx set %s is unknown", bytes(sv.txSetHash).hex()[:6])
            return
        self.close_externalized(slot_index, ts, sv)

    def close_externalized(self, slot_index: int, ts, sv) -> None:
        """What follows externalization: apply, then update queues,
        upgrades and the next trigger."""
        closed = self.lm.close_ledger(LedgerCloseData(slot_index, ts, sv))
        params, updated = self.upgrades.remove_upgrades(list(sv.upgrades), sv.closeTime)
        if updated:
            self.upgrades.set_parameters(params, self.lm.max_protocol)
        applied = [[f for f, _ in ts.classic_apply_order()],
                   [f for s in ts.soroban_stages_apply_order() for c in s for f, _ in c]]
        ltx = self.lm.snapshot_ltx()
        try:
            self.tx_queue.update_after_close(applied, ltx, self.lm.soroban_config)
        finally:
            ltx.rollback()
        self.tx_sets = {h: t for h, t in self.tx_sets.items() if h == ts.hash}
        self.scp.purge_slots(slot_index - 12, slot_index)
        if not self.manual:
            self._schedule_trigger()
        return closed
