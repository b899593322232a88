"""Fetching tx sets and quorum sets the herder is missing
(overlay/ItemFetcher.cpp, Tracker.cpp), simplified.

One tracker per hash asks one authenticated peer at a time; a DONT_HAVE
or MS_TO_WAIT_FOR_FETCH_REPLY (1.5 s) without an answer moves it to the
next peer; once every peer was tried the list is rebuilt and the wait
grows (1.5 s * rebuilds, at most 10).  The herder stops a tracker when
the item arrives (`stop`).  Differs from upstream: no envelope bookkeeping
(which envelopes wait for the item stays with the herder), and peers are
tried in random order rather than grouped by latency.
"""
from __future__ import annotations

import gevent

from stellarcore.overlay import messages as M
from stellarcore.overlay.messages import MT

MS_TO_WAIT_FOR_FETCH_REPLY = 1.5
MAX_REBUILD_FETCH_LIST = 10


class Tracker:
    def __init__(self, fetcher, mtype, h: bytes):
        self.fetcher = fetcher
        self.mtype = mtype
        self.hash = h
        self.asked: set = set()
        self.last_asked = None
        self.rebuilds = 0
        self.greenlet = None

    def try_next(self):
        ov = self.fetcher.overlay
        peers = [p for p in ov.get_authenticated_peers_list() if p.peer_id not in self.asked]
        wait = MS_TO_WAIT_FOR_FETCH_REPLY
        if not peers:
            self.asked.clear()
            self.rebuilds += 1
            wait = MS_TO_WAIT_FOR_FETCH_REPLY * min(MAX_REBUILD_FETCH_LIST, self.rebuilds)
            peers = ov.get_authenticated_peers_list()
        if peers:
            p = ov.rng.choice(peers)
            self.asked.add(p.peer_id)
            self.last_asked = p
            p.send_message(M.get_qset(self.hash) if self.mtype == MT.SCP_QUORUMSET else M.get_tx_set(self.hash))
        self.greenlet = gevent.spawn_later(wait, self.try_next)

    def cancel(self):
        if self.greenlet is not None:
            self.greenlet.kill(block=False)
            self.greenlet = None


class ItemFetcher:
    def __init__(self, overlay):
        self.overlay = overlay
        self.trackers: dict[bytes, Tracker] = {}

    def fetch(self, mtype, h: bytes) -> None:
        h = bytes(h)
        if h in self.trackers:
            return
        t = self.trackers[h] = Tracker(self, mtype, h)
        t.try_next()

    def stop(self, h: bytes) -> None:
        t = self.trackers.pop(bytes(h), None)
        if t is not None:
            t.cancel()

    def doesnt_have(self, h: bytes, peer) -> None:
        t = self.trackers.get(bytes(h))
        if t is not None and t.last_asked is peer:
            t.cancel()
            t.try_next()

    def shutdown(self) -> None:
        for t in self.trackers.values():
            t.cancel()
        self.trackers.clear()
