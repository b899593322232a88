"""Per-peer transaction adverts (overlay/TxAdverts.cpp).

Outgoing: hashes we will advertise, flushed as one FLOOD_ADVERT every
FLOOD_ADVERT_PERIOD_MS or as soon as the batch reaches the max advert size.
Incoming: hashes the peer advertised, waiting to be demanded (retries
first); capped at the max tx-set size in ops, oldest dropped.  A history
of 50,000 advertised hashes stops us advertising back what the peer has.
"""
from __future__ import annotations

import math
from collections import OrderedDict, deque

import gevent

from stellarcore import xdr

ADVERT_CACHE_SIZE = 50000


def ops_flood_ledger(max_ops: int, rate: float) -> int:
    v = rate * float(max_ops)
    if v < 0:
        raise ValueError("negative flood rate")
    return int(v)


def max_advert_size(cfg, herder) -> int:
    close_ms = int(herder.get_expected_ledger_close_time() * 1000)
    ops = ops_flood_ledger(herder.get_last_max_tx_set_size_ops(), cfg.flood_op_rate_per_ledger)
    if herder.lcl_protocol_version() >= 20:
        ops += ops_flood_ledger(herder.get_soroban_ledger_max_tx_count(), cfg.flood_soroban_rate_per_ledger)
    res = -(-(ops * cfg.flood_advert_period_ms) // close_ms)       # bigDivide ROUND_UP
    return max(1, min(res, xdr.TX_ADVERT_VECTOR_MAX_SIZE))


class TxAdverts:
    def __init__(self, cfg, herder):
        self.cfg = cfg
        self.herder = herder
        self.history: OrderedDict[bytes, int] = OrderedDict()
        self.outgoing: list[bytes] = []
        self.incoming: deque[bytes] = deque()
        self.retry: deque[bytes] = deque()
        self.send_cb = None
        self._timer = None

    def start(self, send_cb) -> None:
        self.send_cb = send_cb

    def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.kill(block=False)
            self._timer = None

    def flush(self) -> None:
        self._timer = None
        if self.outgoing and self.send_cb is not None:
            hashes, self.outgoing = self.outgoing, []
            self.send_cb(xdr.StellarMessage(floodAdvert=xdr.FloodAdvert(txHashes=hashes)))

    def queue_outgoing(self, h: bytes) -> None:
        if not self.outgoing and self._timer is None:
            self._timer = gevent.spawn_later(self.cfg.flood_advert_period_ms / 1000.0, self.flush)
        self.outgoing.append(h)
        if len(self.outgoing) >= max_advert_size(self.cfg, self.herder):
            if self._timer is not None:
                self._timer.kill(block=False)
            self.flush()

    def seen_advert(self, h: bytes) -> bool:
        return h in self.history

    def remember(self, h: bytes, seq: int) -> None:
        self.history[h] = seq
        self.history.move_to_end(h)
        if len(self.history) > ADVERT_CACHE_SIZE:
            self.history.popitem(last=False)

    def size(self) -> int:
        return len(self.incoming) + len(self.retry)

    def queue_incoming(self, hashes, seq: int) -> None:
        for h in hashes:
            self.remember(h, seq)
        limit = self.herder.get_last_max_tx_set_size_ops()
        start = len(hashes) - limit if len(hashes) > limit else 0
        self.incoming.extend(hashes[start:])
        while self.size() > limit:
            self.pop_incoming()

    def retry_incoming(self, hashes) -> None:
        self.retry.extend(hashes)
        limit = self.herder.get_last_max_tx_set_size_ops()
        while self.size() > limit:
            self.pop_incoming()

    def pop_incoming(self) -> bytes:
        if self.retry:
            return self.retry.popleft()
        if self.incoming:
            return self.incoming.popleft()
        raise IndexError("no advert to pop")

    def clear_below(self, seq: int) -> None:
        for h in [h for h, s in self.history.items() if s < seq]:
            del self.history[h]
