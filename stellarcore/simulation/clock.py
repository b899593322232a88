"""A virtual clock: time only moves when the simulation says so.

Events are (time, sequence) ordered, so two runs with the same seed do the
same things in the same order.
"""
from __future__ import annotations

import heapq


class VirtualClock:
    def __init__(self):
        self.now = 0          # milliseconds
        self._queue = []
        self._seq = 0
        self._cancelled = set()

    def schedule(self, delay_ms: int, callback) -> int:
        """Run `callback()` after `delay_ms`; returns a handle for `cancel`."""
        self._seq += 1
        heapq.heappush(self._queue, (self.now + max(0, int(delay_ms)), self._seq, callback))
        return self._seq

    def cancel(self, handle: int):
        self._cancelled.add(handle)

    def pending(self) -> int:
        return len(self._queue)

    def step(self) -> bool:
        """Run the next event; False when nothing is left."""
        while self._queue:
            t, seq, cb = heapq.heappop(self._queue)
            if seq in self._cancelled:
                self._cancelled.discard(seq)
                continue
            self.now = t
            cb()
            return True
        return False

    def run_until(self, done, max_time_ms: int) -> bool:
        """Step until `done()` is true or virtual time passes `max_time_ms`."""
        while not done():
            if not self._queue or self._queue[0][0] > max_time_ms:
                return done()
            self.step()
        return True
