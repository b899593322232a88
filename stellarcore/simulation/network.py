"""A simulated network: every message gets a random delay (so messages
reorder), may be lost, and is dropped between sides of a partition.
All randomness comes from one seeded generator."""
from __future__ import annotations


class SimNetwork:
    def __init__(self, clock, rng, delay_ms=(5, 100), loss: float = 0.0):
        self.clock = clock
        self.rng = rng
        self.delay_ms = delay_ms
        self.loss = loss
        self.nodes = []
        self.groups = None            # list of sets of node names, or None
        self.sent = self.delivered = self.dropped = 0

    def add(self, node):
        self.nodes.append(node)

    def partition(self, groups):
        """Only nodes in the same group can talk (a node in no group talks to none)."""
        self.groups = [set(g) for g in groups]

    def heal(self):
        self.groups = None

    def connected(self, a, b) -> bool:
        if self.groups is None:
            return True
        return any(a.name in g and b.name in g for g in self.groups)

    def send(self, src, dst, data: bytes):
        self.sent += 1
        if not self.connected(src, dst) or (self.loss and self.rng.random() < self.loss):
            self.dropped += 1
            return
        lo, hi = self.delay_ms
        delay = lo + int(self.rng.random() * (hi - lo + 1))

        def deliver():
            if self.connected(src, dst):   # a partition may start while in flight
                self.delivered += 1
                dst.receive(data)
            else:
                self.dropped += 1
        self.clock.schedule(delay, deliver)

    def broadcast(self, src, data: bytes):
        for dst in self.nodes:
            if dst is not src:
                self.send(src, dst, data)
