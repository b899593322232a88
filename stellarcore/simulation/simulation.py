"""A deterministic multi-node SCP simulation (stellar-core src/simulation
plays the same role with loopback peers).

Everything runs in one process on a virtual clock; one seed drives message
delays, losses and misbehaviour, so a run can be repeated exactly.  Nodes
are honest `SimNode`s unless `byzantine` maps some names to a behaviour
class.  The simulation checks safety as it goes: no two intact nodes may
externalize different values for a slot (it raises SafetyViolation the
moment it happens).
"""
from __future__ import annotations

import random

from stellarcore.crypto.keys import SecretKey
from stellarcore.crypto.txhash import network_id
from stellarcore.scp.local_node import qset_hash
from stellarcore.simulation.clock import VirtualClock
from stellarcore.simulation.network import SimNetwork
from stellarcore.simulation.node import SimNode


class SafetyViolation(AssertionError):
    pass


class Simulation:
    def __init__(self, topology, seed: int = 0, delay_ms=(5, 100), loss: float = 0.0,
                 byzantine=None, close_delay_ms: int = 100, rebroadcast_ms: int = 2000,
                 timeout_initial_ms: int = 1000, timeout_increment_ms: int = 1000,
                 passphrase: str = "stellarcore simulation"):
        self.seed = seed
        self.rng = random.Random(seed)
        self.clock = VirtualClock()
        self.network = SimNetwork(self.clock, self.rng, delay_ms, loss)
        self.network_id = network_id(passphrase)
        self.close_delay_ms = close_delay_ms
        self.rebroadcast_ms = rebroadcast_ms
        self.timeout_initial_ms = timeout_initial_ms
        self.timeout_increment_ms = timeout_increment_ms
        self.qsets = {}
        self.last_slot = 0
        self.externalized = {}        # slot -> {node name: value}
        byzantine = byzantine or {}
        keys = {name: SecretKey.for_test_account(f"sim{seed}-{name}"[:32]) for name, _ in topology}
        self.ids = {name: k.public_key.ed25519 for name, k in keys.items()}
        self.node_ids = set(self.ids.values())
        self.nodes = []
        for name, build in topology:
            cls = byzantine.get(name, SimNode)
            node = cls(self, keys[name], build(self.ids), name)
            self.nodes.append(node)
            self.network.add(node)
        self.by_name = {n.name: n for n in self.nodes}
        self.intact = {n.name for n in self.nodes if type(n) is SimNode}
        self._rebroadcasting = False
        self._waiting = {}            # slot -> intact nodes yet to externalize it
        self._until = 0               # the slot run_until_externalized waits for
        self._reached = True

    def register_qset(self, q):
        self.qsets[qset_hash(self.nodes[0] if self.nodes else _Hasher(), q)] = q

    # ---- running

    def on_externalized(self, node, slot, value):
        seen = self.externalized.setdefault(slot, {})
        seen[node.name] = value
        if node.name in self.intact and slot in self._waiting:
            self._waiting[slot].discard(node.name)
            if not self._waiting[slot]:
                del self._waiting[slot]
                self._reached = not self._waiting or min(self._waiting) > self._until
        if node.name in self.intact:
            values = {v for n, v in seen.items() if n in self.intact}
            if len(values) > 1:
                raise SafetyViolation(f"slot {slot}: intact nodes externalized {len(values)} values")

    def _rebroadcast(self):
        for n in self.nodes:
            n.rebroadcast()
        if self._waiting:
            self.clock.schedule(self.rebroadcast_ms, self._rebroadcast)
        else:
            self._rebroadcasting = False

    def _ensure_rebroadcast(self):
        if not self._rebroadcasting:
            self._rebroadcasting = True
            self.clock.schedule(self.rebroadcast_ms, self._rebroadcast)

    def start(self, slots: int, first_slot: int = 1):
        """Let the nodes run slots first_slot .. first_slot + slots - 1."""
        self.last_slot = first_slot + slots - 1
        self._track(first_slot, self.last_slot)
        for n in self.nodes:
            n.current_slot = first_slot
            self.clock.schedule(self.rng.randint(0, 10), lambda n=n: n.start_slot(first_slot))
        self._ensure_rebroadcast()

    def all_intact_externalized(self, slot: int) -> bool:
        return slot not in self._waiting

    def _track(self, first_slot, last_slot):
        for s in range(first_slot, last_slot + 1):
            if s not in self._waiting:
                pending = self.intact - set(self.externalized.get(s, {}))
                if pending:
                    self._waiting[s] = pending

    def run(self, slots: int = 1, max_time_ms: int = 600_000, first_slot: int = 1) -> bool:
        """Run until every intact node externalized the slots, or time runs out."""
        self.start(slots, first_slot)
        return self.run_until_externalized(self.last_slot, max_time_ms)

    def run_until_externalized(self, slot: int, max_time_ms: int) -> bool:
        self._until = slot
        self._reached = not self._waiting or min(self._waiting) > slot
        return self.clock.run_until(lambda: self._reached, self.clock.now + max_time_ms)

    def run_for(self, ms: int):
        end = self.clock.now + ms
        while self.clock._queue and self.clock._queue[0][0] <= end:
            self.clock.step()
        self.clock.now = max(self.clock.now, end)

    # ---- faults

    def partition(self, *groups):
        self.network.partition(groups)

    def heal(self):
        """Reconnect everyone; nodes exchange their SCP state (GET_SCP_STATE)."""
        self.network.heal()
        for a in self.nodes:
            for b in self.nodes:
                if a is not b:
                    a.send_state(b, max(1, b.current_slot - 1))
        self._ensure_rebroadcast()

    # ---- results

    def externalized_values(self, slot: int):
        return {n: v for n, v in self.externalized.get(slot, {}).items() if n in self.intact}


class _Hasher:
    """Hashes before any node exists (SCPDriver.get_hash_of is all it needs)."""

    def get_hash_of(self, parts):
        import hashlib
        h = hashlib.sha256()
        for p in parts:
            h.update(p)
        return h.digest()
