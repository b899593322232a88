"""The overlay manager (overlay/OverlayManagerImpl.cpp, PeerDoor.cpp).

Owns the listening socket, the pending and authenticated peers in each
direction, the tick that keeps TARGET_PEER_CONNECTIONS outbound peers
(preferred first), flooding (Floodgate), pull-mode demands, the peer and
ban tables, fetching of missing items, and surveys.

Toward the herder it offers: `broadcast_message`, `fetch_tx_set`,
`fetch_qset`, `stop_fetching`, `clear_ledgers_below`, and the peers
themselves (`peer.send_message`).
"""
from __future__ import annotations

import logging
import random
import time

import gevent
from gevent import socket as gsocket
from gevent.server import StreamServer

from stellarcore import xdr
from stellarcore.crypto.keys import SecretKey
from stellarcore.crypto.txhash import full_hash
from stellarcore.database import Database
from stellarcore.overlay import messages as M
from stellarcore.overlay.address import PeerBareAddress
from stellarcore.overlay.auth import PeerAuth
from stellarcore.overlay.ban_manager import BanManager
from stellarcore.overlay.config import (MIN_INBOUND_FACTOR, POSSIBLY_PREFERRED_EXTRA,
                                        REALLY_DEAD_NUM_FAILURES_CUTOFF, OverlayConfig)
from stellarcore.overlay.floodgate import Floodgate
from stellarcore.overlay.flow_control import flow_control_bytes_total
from stellarcore.overlay.herder_api import TX_DUPLICATE, TX_PENDING
from stellarcore.overlay.item_fetcher import ItemFetcher
from stellarcore.overlay.messages import MT
from stellarcore.overlay.peer import GOT_AUTH, REMOTE_CALLED_US, WE_CALLED_REMOTE, Peer
from stellarcore.overlay.peer_manager import BackOff, PeerManager, PeerQuery, PeerType, RandomPeerSource
from stellarcore.overlay.survey import SurveyManager
from stellarcore.overlay.tx_demands import TxDemandsManager

log = logging.getLogger("stellarcore.overlay")

RESERVED_FOR_PROMOTION = 1
OUT_OF_SYNC_RECONNECT_DELAY = 60.0


class PeersList:
    """Pending and authenticated peers of one direction."""

    def __init__(self, manager, direction: str, max_authenticated: int):
        self.manager = manager
        self.direction = direction
        self.max_authenticated = max_authenticated
        self.pending: list[Peer] = []
        self.authenticated: dict[bytes, Peer] = {}

    def by_address(self, a: PeerBareAddress):
        for p in self.pending:
            if p.address == a:
                return p
        for p in self.authenticated.values():
            if p.address == a:
                return p
        return None

    def remove(self, peer: Peer) -> None:
        if peer in self.pending:
            self.pending.remove(peer)
            return
        if peer.peer_id is not None and self.authenticated.get(peer.peer_id) is peer:
            del self.authenticated[peer.peer_id]

    def move_to_authenticated(self, peer: Peer) -> bool:
        if peer not in self.pending or peer.peer_id in self.authenticated:
            return False
        self.pending.remove(peer)
        self.authenticated[peer.peer_id] = peer
        self.manager.survey.record_added_peer()
        log.info("Authenticated to %s", peer)
        return True

    def accept_authenticated(self, peer: Peer) -> bool:
        m = self.manager
        if m.is_preferred(peer):
            if len(self.authenticated) < self.max_authenticated:
                return self.move_to_authenticated(peer)
            for victim in list(self.authenticated.values()):
                if not m.is_preferred(victim):
                    log.info("Evicting non-preferred %s peer %s for preferred peer %s",
                             self.direction, victim, peer)
                    victim.send_error_and_drop(M.ERR_LOAD, "preferred peer selected instead")
                    return self.move_to_authenticated(peer)
        if not m.cfg.preferred_peers_only and len(self.authenticated) < self.max_authenticated:
            return self.move_to_authenticated(peer)
        log.info("Non preferred %s authenticated peer %s rejected because all available slots are taken.",
                 self.direction, peer)
        return False


class OverlayManager:
    def __init__(self, cfg: OverlayConfig, herder, db: Database | None = None,
                 clock=time.monotonic, wall_clock=time.time, rng=None):
        self.cfg = cfg.adjust()
        self.herder = herder
        self.clock = clock
        self.rng = rng or random.Random()
        self.db = db or Database(":memory:")
        self.node_key: SecretKey = cfg.node_seed
        self.node_id: bytes = self.node_key.public_key.ed25519
        self.network_id = cfg.network_id
        self.peer_auth = PeerAuth(self.node_key, self.network_id, clock=wall_clock)
        self.peer_manager = PeerManager(self.db, clock=wall_clock, rng=self.rng)
        self.ban_manager = BanManager(self.db)
        self.floodgate = Floodgate(self)
        self.tx_demands = TxDemandsManager(self, clock=clock, rng=self.rng)
        self.fetcher = ItemFetcher(self)
        self.survey = SurveyManager(self)
        self.inbound = PeersList(self, "inbound", self.cfg.max_additional_peer_connections)
        self.outbound = PeersList(self, "outbound", self.cfg.target_peer_connections)
        self.preferred_addresses: set[PeerBareAddress] = set()
        self.peer_sources = {t: RandomPeerSource(self.peer_manager, PeerQuery.next_attempt_cutoff(t))
                             for t in PeerType}
        self.listening_port = cfg.peer_port
        self.server: StreamServer | None = None
        self.shutting_down = False
        self.dropped: list[tuple[str, str]] = []       # (address, reason), for tests and info
        self._greenlets: list = []
        self._last_out_of_sync_reconnect = None
        self._bytes_total = None

    # -- identity / sizes ----------------------------------------------------
    def flow_control_bytes_total(self) -> int:
        return flow_control_bytes_total(self.cfg, self.herder.get_max_tx_size())

    # -- start / stop --------------------------------------------------------
    def start(self) -> None:
        """Listen, load configured peers, and start the tick and demand timers."""
        self.server = StreamServer((self.cfg.listen_address, self.cfg.peer_port), self._accept,
                                   backlog=128)
        self.server.init_socket()
        self.server.start()
        self.listening_port = self.server.server_port
        if not self.cfg.run_standalone:
            self._greenlets.append(gevent.spawn(self._tick_loop))
        self._greenlets.append(gevent.spawn(self._demand_loop))

    def shutdown(self) -> None:
        if self.shutting_down:
            return
        self.shutting_down = True
        self.floodgate.shutdown()
        if self.server is not None:
            self.server.stop(timeout=0)
        for p in self.all_peers():
            p.drop("shutdown")
        for g in self._greenlets:
            g.kill(block=False)
        self.fetcher.shutdown()

    # -- peers ---------------------------------------------------------------
    def all_peers(self) -> list[Peer]:
        return (list(self.inbound.pending) + list(self.outbound.pending)
                + list(self.inbound.authenticated.values()) + list(self.outbound.authenticated.values()))

    def get_authenticated_peers(self) -> dict[bytes, Peer]:
        d = dict(self.outbound.authenticated)
        d.update(self.inbound.authenticated)
        return d

    def get_authenticated_peers_list(self) -> list[Peer]:
        return list(self.inbound.authenticated.values()) + list(self.outbound.authenticated.values())

    def authenticated_count(self) -> int:
        return len(self.inbound.authenticated) + len(self.outbound.authenticated)

    def get_connected_peer(self, a: PeerBareAddress):
        return self.outbound.by_address(a) or self.inbound.by_address(a)

    def _list(self, peer: Peer) -> PeersList:
        return self.outbound if peer.role == WE_CALLED_REMOTE else self.inbound

    def remove_peer(self, peer: Peer, prev_state: int) -> None:
        self._list(peer).remove(peer)
        self.dropped.append((str(peer.address), peer.drop_reason or ""))
        if len(self.dropped) > 1000:
            del self.dropped[:500]
        if not self.shutting_down:
            self.peer_manager.remove_peers_with_many_failures(REALLY_DEAD_NUM_FAILURES_CUTOFF, peer.address)
        if prev_state == GOT_AUTH:
            self.survey.record_dropped_peer(peer)

    def accept_authenticated_peer(self, peer: Peer) -> bool:
        return self._list(peer).accept_authenticated(peer)

    def has_other_peer_with_id(self, peer: Peer) -> bool:
        for lst in (self.inbound, self.outbound):
            other = lst.authenticated.get(peer.peer_id)
            if other is not None and other is not peer:
                return True
            for p in lst.pending:
                if p is not peer and p.peer_id == peer.peer_id:
                    return True
        return False

    def is_preferred(self, peer: Peer) -> bool:
        if peer.address in self.preferred_addresses:
            return True
        return peer.state == GOT_AUTH and peer.peer_id in self.cfg.preferred_peer_keys

    def is_possibly_preferred(self, ip: str) -> bool:
        return any(a.ip == ip for a in self.preferred_addresses)

    def update_peer_record_after_echo(self, peer: Peer) -> None:
        if self.is_preferred(peer):
            t = PeerType.PREFERRED
        elif peer.role == WE_CALLED_REMOTE:
            t = PeerType.OUTBOUND
        else:
            t = PeerType.INBOUND
        self.peer_manager.update(peer.address, t, preferred_type_known=True)

    # -- inbound (PeerDoor) --------------------------------------------------
    def _accept(self, sock, addr):
        if self.shutting_down:
            sock.close()
            return
        sock.setsockopt(gsocket.IPPROTO_TCP, gsocket.TCP_NODELAY, 1)
        peer = Peer(self, REMOTE_CALLED_US, PeerBareAddress(addr[0], addr[1]), sock)
        if not self._have_space_for_inbound(addr[0]):
            log.debug("Peer rejected - all pending inbound connections are taken: %s", addr[0])
            peer.drop("all pending inbound connections are taken")
            sock.close()
            return
        self.inbound.pending.append(peer)
        peer.start_inbound()
        peer.done.wait()      # StreamServer closes the socket when we return

    def _have_space_for_inbound(self, ip: str) -> bool:
        n = len(self.inbound.pending)
        limit = self.cfg.max_inbound_pending_connections
        if n < limit:
            return True
        return n < limit + POSSIBLY_PREFERRED_EXTRA and self.is_possibly_preferred(ip)

    # -- outbound ------------------------------------------------------------
    def available_outbound_pending_slots(self) -> int:
        return max(0, self.cfg.max_outbound_pending_connections - len(self.outbound.pending))

    def available_outbound_authenticated_slots(self) -> int:
        target = MIN_INBOUND_FACTOR if not self.inbound.authenticated else self.cfg.target_peer_connections
        return max(0, target - len(self.outbound.authenticated))

    def connect_to(self, address, force_outbound: bool = False) -> bool:
        if isinstance(address, str):
            address = PeerBareAddress.parse(address)
        current = self.get_connected_peer(address)
        if current is not None and not (force_outbound and current.role == REMOTE_CALLED_US):
            log.error("trying to connect to a node we're already connected to %s", address)
            return False
        if self.available_outbound_pending_slots() <= 0 or self.shutting_down:
            return False
        self.peer_manager.update(address, backoff=BackOff.INCREASE)
        peer = Peer(self, WE_CALLED_REMOTE, address)
        self.outbound.pending.append(peer)
        peer.start_outbound()
        return True

    def _connect_to_type(self, max_num: int, ptype: PeerType) -> int:
        if max_num <= 0:
            return 0

        def keep(a):
            p = self.get_connected_peer(a)
            return p is None or (ptype == PeerType.INBOUND and p.role == REMOTE_CALLED_US)

        addrs = self.peer_sources[ptype].get_random_peers(min(max_num, 50), keep)
        return sum(1 for a in addrs if self.connect_to(a, ptype == PeerType.INBOUND))

    def store_config_peers(self, startup: bool = True) -> None:
        for lst, preferred in ((self.cfg.known_peers, False), (self.cfg.preferred_peers, True)):
            if preferred:
                self.preferred_addresses.clear()
            for text in lst:
                try:
                    a = PeerBareAddress.parse(text) if isinstance(text, str) else PeerBareAddress(*text)
                except (ValueError, OSError) as e:
                    log.error("Unable to resolve peer '%s': %s", text, e)
                    continue
                if preferred:
                    self.preferred_addresses.add(a)
                self.peer_manager.update(a, PeerType.PREFERRED if preferred else PeerType.OUTBOUND,
                                         preferred_type_known=False,
                                         backoff=BackOff.HARD_RESET if startup else None)

    def _tick_loop(self):
        gevent.sleep(min(2.0, self.cfg.peer_authentication_timeout))
        self.store_config_peers()
        self.peer_manager.remove_peers_with_many_failures(REALLY_DEAD_NUM_FAILURES_CUTOFF)
        while not self.shutting_down:
            try:
                self.tick()
            except Exception:  # noqa: BLE001
                log.exception("overlay tick failed")
            gevent.sleep(self.cfg.peer_authentication_timeout + 1)

    def non_preferred_authenticated_count(self) -> int:
        return sum(1 for p in self.outbound.authenticated.values() if not self.is_preferred(p))

    def tick(self) -> None:
        """OverlayManagerImpl::tick: fill outbound slots, preferred first."""
        pending = self.available_outbound_pending_slots()
        if pending == 0:
            return
        auth_slots = self.available_outbound_authenticated_slots()
        to_pref = min(pending, auth_slots + self.non_preferred_authenticated_count())
        pending -= self._connect_to_type(to_pref, PeerType.PREFERRED)
        should_drop = auth_slots == 0 and pending > 0
        self._maybe_drop_random_peer(should_drop)
        auth_slots = self.available_outbound_authenticated_slots()
        if pending > 0 and auth_slots > 0:
            n = (min(pending - RESERVED_FOR_PROMOTION, auth_slots) if pending > RESERVED_FOR_PROMOTION
                 else pending)
            pending -= self._connect_to_type(n, PeerType.OUTBOUND)
        if pending > 0:
            self._connect_to_type(pending, PeerType.INBOUND)

    def _maybe_drop_random_peer(self, should_drop: bool) -> None:
        now = self.clock()
        if self.herder.is_tracking():
            self._last_out_of_sync_reconnect = None
            return
        if self._last_out_of_sync_reconnect is None:
            self._last_out_of_sync_reconnect = now
            return
        if now - self._last_out_of_sync_reconnect > OUT_OF_SYNC_RECONNECT_DELAY and should_drop:
            cands = [p for p in self.outbound.authenticated.values() if not self.is_preferred(p)]
            if cands:
                self.rng.choice(cands).send_error_and_drop(M.ERR_LOAD, "random disconnect due to out of sync")
            self._last_out_of_sync_reconnect = now

    # -- flooding ------------------------------------------------------------
    def broadcast_message(self, msg, tx_hash: bytes | None = None) -> bool:
        return self.floodgate.broadcast(msg, tx_hash)

    def broadcast_transaction(self, envelope) -> bool:
        return self.floodgate.broadcast(M.transaction(envelope), full_hash(envelope))

    def recv_flooded_msg_id(self, peer, index: bytes) -> bool:
        return self.floodgate.add_record(peer, index)

    def forget_flooded_msg(self, index: bytes) -> None:
        self.floodgate.forget_record(index)

    def recv_transaction(self, envelope, peer, index: bytes) -> None:
        self.recv_flooded_msg_id(peer, index)
        h = full_hash(envelope)
        self.tx_demands.record_pull_latency(h, peer)
        res = self.herder.recv_transaction(envelope, h)
        if res not in (TX_PENDING, TX_DUPLICATE):
            self.forget_flooded_msg(index)

    def _demand_loop(self):
        while not self.shutting_down:
            gevent.sleep(self.cfg.flood_demand_period_ms / 1000.0)
            try:
                self.tx_demands.demand()
            except Exception:  # noqa: BLE001
                log.exception("demand round failed")

    def clear_ledgers_below(self, ledger_seq: int, lcl_seq: int) -> None:
        self.floodgate.clear_below(ledger_seq)
        self.survey.clear_old_ledgers(lcl_seq)
        for p in self.get_authenticated_peers_list():
            p.tx_adverts.clear_below(ledger_seq)

    # -- fetching (ItemFetcher) ----------------------------------------------
    def fetch_tx_set(self, h: bytes) -> None:
        self.fetcher.fetch(MT.GENERALIZED_TX_SET, h)

    def fetch_qset(self, h: bytes) -> None:
        self.fetcher.fetch(MT.SCP_QUORUMSET, h)

    def stop_fetching(self, h: bytes) -> None:
        self.fetcher.stop(h)

    def item_received(self, mtype, h: bytes) -> None:
        self.fetcher.stop(h)

    def item_not_found(self, mtype, h: bytes, peer) -> None:
        self.fetcher.doesnt_have(h, peer)

    # -- info ----------------------------------------------------------------
    def json_info(self) -> dict:
        return {"authenticated_peers": {"inbound": [p.json_info() for p in self.inbound.authenticated.values()],
                                        "outbound": [p.json_info() for p in self.outbound.authenticated.values()]},
                "pending_peers": {"inbound": [str(p) for p in self.inbound.pending],
                                  "outbound": [str(p) for p in self.outbound.pending]}}
