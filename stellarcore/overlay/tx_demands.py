"""Pull-mode demands (overlay/TxDemandsManager.cpp).

Every FLOOD_DEMAND_PERIOD_MS, walk the authenticated peers in random order,
round-robin one hash at a time from each peer's advert queue, and decide:
- DISCARD: the herder has the tx or banned it, or this peer was already
  asked for it, or it was asked of MAX_RETRY_COUNT (15) peers;
- RETRY_LATER: asked of n peers, the last less than
  min(n * FLOOD_DEMAND_BACKOFF_DELAY_MS, 2 s) ago;
- DEMAND otherwise.
History entries are dropped 2 s * 15 * 2 after the first demand.
"""
from __future__ import annotations

import random
import time
from collections import deque

from stellarcore import xdr
from stellarcore.overlay.tx_adverts import ops_flood_ledger

MAX_DELAY_DEMAND = 2.0
MAX_RETRY_COUNT = 15

DEMAND, RETRY_LATER, DISCARD = 0, 1, 2


class DemandRecord:
    __slots__ = ("first_demanded", "last_demanded", "peers", "latency_recorded")

    def __init__(self, now: float):
        self.first_demanded = now
        self.last_demanded = now
        self.peers: dict[bytes, float] = {}
        self.latency_recorded = False


class TxDemandsManager:
    def __init__(self, overlay, clock=time.monotonic, rng=None):
        self.overlay = overlay
        self.cfg = overlay.cfg
        self.clock = clock
        self.rng = rng or random.Random()
        self.history: dict[bytes, DemandRecord] = {}
        self.pending: deque[bytes] = deque()
        self.demands_sent = 0
        self.duplicate_demands = 0     # demands repeated to a peer already asked (must stay 0)
        self.pull_latencies: list[float] = []

    def max_demand_size(self) -> int:
        h = self.overlay.herder
        close_ms = int(h.get_expected_ledger_close_time() * 1000)
        ops = ops_flood_ledger(h.get_max_queue_size_ops(), self.cfg.flood_op_rate_per_ledger)
        ops += ops_flood_ledger(h.get_max_queue_size_soroban_ops(), self.cfg.flood_soroban_rate_per_ledger)
        res = -(-(ops * self.cfg.flood_demand_period_ms) // close_ms)
        return max(1, min(res, xdr.TX_DEMAND_VECTOR_MAX_SIZE))

    def retry_delay(self, attempts: int) -> float:
        return min(attempts * self.cfg.flood_demand_backoff_delay_ms / 1000.0, MAX_DELAY_DEMAND)

    def status(self, h: bytes, peer) -> int:
        herder = self.overlay.herder
        if herder.is_banned_tx(h) or herder.get_tx(h) is not None:
            return DISCARD
        rec = self.history.get(h)
        if rec is None:
            return DEMAND
        if peer.peer_id in rec.peers:
            return DISCARD
        n = len(rec.peers)
        if n < MAX_RETRY_COUNT:
            if self.clock() - rec.last_demanded >= self.retry_delay(n):
                return DEMAND
            return RETRY_LATER
        return DISCARD

    def demand(self) -> None:
        now = self.clock()
        retention = MAX_DELAY_DEMAND * MAX_RETRY_COUNT * 2
        while self.pending:
            rec = self.history[self.pending[0]]
            if now - rec.first_demanded >= retention:
                del self.history[self.pending.popleft()]
            else:
                break
        peers = self.overlay.get_authenticated_peers_list()
        self.rng.shuffle(peers)
        max_size = self.max_demand_size()
        demands = {id(p): [] for p in peers}
        retries = {id(p): [] for p in peers}
        any_new = True
        while any_new:
            any_new = False
            for peer in peers:
                demand, retry = demands[id(peer)], retries[id(peer)]
                added = False
                while len(demand) < max_size and peer.tx_adverts.size() > 0 and not added:
                    h = peer.tx_adverts.pop_incoming()
                    st = self.status(h, peer)
                    if st == DEMAND:
                        demand.append(h)
                        rec = self.history.get(h)
                        if rec is None:
                            rec = self.history[h] = DemandRecord(now)
                            self.pending.append(h)
                        if peer.peer_id in rec.peers:
                            self.duplicate_demands += 1
                        rec.peers[peer.peer_id] = now
                        rec.last_demanded = now
                        added = True
                    elif st == RETRY_LATER:
                        retry.append(h)
                any_new |= added
        for peer in peers:
            d = demands[id(peer)]
            if d:
                self.demands_sent += len(d)
                peer.send_message(xdr.StellarMessage(floodDemand=xdr.FloodDemand(txHashes=d)))
            if retries[id(peer)]:
                peer.tx_adverts.retry_incoming(retries[id(peer)])

    def record_pull_latency(self, h: bytes, peer) -> None:
        rec = self.history.get(h)
        if rec is not None and not rec.latency_recorded:
            rec.latency_recorded = True
            self.pull_latencies.append(self.clock() - rec.first_demanded)

    def recv_demand(self, dmd, peer) -> None:
        herder = self.overlay.herder
        for h in dmd.txHashes:
            env = herder.get_tx(h)
            if env is not None:
                peer.send_message(xdr.StellarMessage(transaction=env))
