"""A simulated validator: an SCP instance with a small herder around it.

The driver signs and verifies real ed25519 envelopes (networkID ||
ENVELOPE_TYPE_SCP || statement), sends them as XDR bytes through the
simulated network, keeps quorum sets by hash, runs timers on the virtual
clock, and starts the next slot a little after externalizing one, the way
stellar-core's herder triggers the next ledger.  Values are 32-byte hashes;
combining candidates takes the largest, as any deterministic rule would do.
"""
from __future__ import annotations

import hashlib

from stellarcore import xdr
from stellarcore.crypto.payloads import sign_scp_envelope, verify_scp_envelope_bytes
from stellarcore.scp import SCP, SCPDriver, ValidationLevel, linear_timeout


class SimNode(SCPDriver):
    """An honest node.  Byzantine behaviours subclass it (simulation.byzantine)."""

    def __init__(self, sim, secret, qset, name: str):
        self.sim = sim
        self.secret = secret
        self.node_id = secret.public_key.ed25519
        self.name = name
        self.scp = SCP(self, self.node_id, True, qset)
        sim.register_qset(self.scp.local_qset)
        self.timers = {}                 # (slot, timer id) -> clock handle
        self.externalized = {}           # slot -> value
        self.current_slot = 0
        self.received = self.rejected = 0

    # ---- SCPDriver

    def sign_envelope(self, envelope):
        sign_scp_envelope(self.secret, self.sim.network_id, envelope)

    def get_qset(self, h):
        return self.sim.qsets.get(h)

    def emit_envelope(self, envelope):
        self.sim.network.broadcast(self, envelope.to_xdr())

    def combine_candidates(self, slot_index, candidates):
        return max(candidates)

    def validate_value(self, slot_index, value, nomination):
        return ValidationLevel.FULLY_VALIDATED if len(value) == 32 else ValidationLevel.INVALID

    def setup_timer(self, slot_index, timer_id, timeout_ms, callback):
        self.stop_timer(slot_index, timer_id)
        if callback is not None:
            key = (slot_index, timer_id)

            def fire():
                self.timers.pop(key, None)
                callback()
            self.timers[key] = self.sim.clock.schedule(timeout_ms, fire)

    def stop_timer(self, slot_index, timer_id):
        h = self.timers.pop((slot_index, timer_id), None)
        if h is not None:
            self.sim.clock.cancel(h)

    def compute_timeout(self, round_number, is_nomination):
        return linear_timeout(round_number, self.sim.timeout_initial_ms, self.sim.timeout_increment_ms)

    def current_time(self):
        return self.sim.clock.now // 1000

    def value_externalized(self, slot_index, value):
        self.externalized[slot_index] = value
        self.sim.on_externalized(self, slot_index, value)
        if slot_index >= self.current_slot:
            self.current_slot = slot_index + 1
            self.sim.clock.schedule(self.sim.close_delay_ms, lambda: self.start_slot(slot_index + 1))

    # ---- the herder's part

    def proposal(self, slot_index: int) -> bytes:
        return hashlib.sha256(self.node_id + slot_index.to_bytes(8, "big")).digest()

    def start_slot(self, slot_index: int):
        if slot_index < self.current_slot - 1 or slot_index > self.sim.last_slot:
            return
        self.current_slot = max(self.current_slot, slot_index)
        prev = self.externalized.get(slot_index - 1, b"genesis")
        self.scp.nominate(slot_index, self.proposal(slot_index), prev)
        self.scp.purge_slots(slot_index - 10)

    def receive(self, data: bytes):
        """Bytes from the network: decode, check the signature, hand to SCP."""
        self.received += 1
        try:
            env = xdr.SCPEnvelope.from_xdr(data)
        except xdr.XdrError:
            self.rejected += 1
            return
        if env.statement.nodeID.ed25519 not in self.sim.node_ids or \
                not verify_scp_envelope_bytes(self.sim.network_id, env, data):
            self.rejected += 1
            return
        if env.statement.nodeID.ed25519 == self.node_id:
            return     # our own statement relayed back: skipped, as HerderImpl::recvSCPEnvelope does
        if env.statement.slotIndex < self.current_slot - 10:
            return
        self.scp.receive_envelope(env)

    def rebroadcast(self):
        """Re-send our latest messages (stellar-core's herder does so on a timer)."""
        for env in self.scp.get_latest_messages_send(self.current_slot):
            self.sim.network.broadcast(self, env.to_xdr())

    def send_state(self, to, from_slot: int):
        """Answer GET_SCP_STATE: every envelope we hold from `from_slot` on."""
        for i in sorted(self.scp.slots):
            if i >= from_slot:
                for env in self.scp.get_slot(i, False).get_entire_current_state():
                    self.sim.network.send(self, to, env.to_xdr())

