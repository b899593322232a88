"""One connection to another node (overlay/Peer.cpp, TCPPeer.cpp), on gevent.

Three greenlets per peer:
- the reader cuts frames from the socket, checks sequence numbers and
  MACs, takes flow-control capacity, and either handles the message
  right away (before authentication, so HELLO's keys are in place before
  AUTH is checked) or queues it for the processor;
- the processor handles queued messages, gives capacity back and grants
  the peer more with SEND_MORE_EXTENDED, as stellar-core's main thread does
  with the messages its overlay thread reads;
- the writer sends whatever frames are waiting in one `sendall`.
Reading stops while the peer has PEER_READING_CAPACITY messages
unprocessed (read throttling) and resumes when the processor catches up.

Everything a peer sends us is untrusted: any fault ends in `drop(reason)`
of this peer only, logged, and never propagates into the node.
"""
from __future__ import annotations

import logging
import os
import time
from collections import deque

import gevent
from gevent.event import Event

from stellarcore import xdr
from stellarcore.crypto.sha import blake2, sha256
from stellarcore.crypto.txhash import full_hash
from stellarcore.overlay import auth as peer_auth
from stellarcore.overlay import messages as M
from stellarcore.overlay.address import PeerBareAddress
from stellarcore.overlay.flow_control import FlowControl
from stellarcore.overlay.messages import FLOOD_TYPES, MT
from stellarcore.overlay.peer_manager import BackOff, PeerType
from stellarcore.overlay.tx_adverts import TxAdverts
from stellarcore.overlay.wire import (BadAuthenticatedMessage, FrameError, FrameReader, MacState,
                                      split_authenticated)
from stellarcore.xdr.errors import XdrError

log = logging.getLogger("stellarcore.overlay")

CONNECTING, CONNECTED, GOT_HELLO, GOT_AUTH, CLOSING = range(5)
STATE_NAMES = ("CONNECTING", "CONNECTED", "GOT_HELLO", "GOT_AUTH", "CLOSING")
WE_DROPPED_REMOTE, REMOTE_DROPPED_US = 0, 1
WE_CALLED_REMOTE, REMOTE_CALLED_US = peer_auth.WE_CALLED_REMOTE, peer_auth.REMOTE_CALLED_US

QUERY_RESPONSE_MULTIPLIER = 5
RECV_BUFFER = 256 * 1024
_HANDSHAKE_TYPES = (int(MT.HELLO), int(MT.AUTH), int(MT.ERROR_MSG))
_ERROR_NAMES = {0: "ERR_MISC", 1: "ERR_DATA", 2: "ERR_CONF", 3: "ERR_AUTH", 4: "ERR_LOAD"}


class QueryInfo:
    __slots__ = ("last", "count")

    def __init__(self):
        self.last = 0.0
        self.count = 0


class Peer:
    def __init__(self, overlay, role: int, address: PeerBareAddress, sock=None):
        self.overlay = overlay
        self.cfg = overlay.cfg
        self.herder = overlay.herder
        self.clock = overlay.clock
        self.role = role
        self.address = address
        self.sock = sock
        self.state = CONNECTING if role == WE_CALLED_REMOTE else CONNECTED
        self.peer_id: bytes | None = None
        self.remote_version = b""
        self.remote_overlay_version = 0
        self.remote_overlay_min_version = 0
        self.send_nonce = os.urandom(32)
        self.recv_nonce = None
        self.mac = MacState()
        self.flow = FlowControl(self.cfg, overlay.flow_control_bytes_total(), self.herder, clock=self.clock)
        self.tx_adverts = TxAdverts(self.cfg, self.herder)
        self.drop_reason: str | None = None
        self.drop_direction = None
        self.peers_received = False
        self.tx_set_queries = QueryInfo()
        self.qset_queries = QueryInfo()
        now = self.clock()
        self.created = now
        self.last_read = now
        self.last_write = now
        self.enqueue_time_of_last_write = now
        self.ping_sent: float | None = None
        self.last_ping_ms: float | None = None
        self.stats = {"msg_read": 0, "msg_write": 0, "byte_read": 0, "byte_write": 0,
                      "unique_flood_recv": 0, "duplicate_flood_recv": 0}
        self._reader = FrameReader()
        self._inbox: deque = deque()
        self._inbox_event = Event()
        self._unthrottle = Event()
        self._out: list[bytes] = []
        self._out_event = Event()
        self._greenlets: list = []
        self._closed = False
        self.done = Event()

    # -- identity -----------------------------------------------------------
    def __str__(self):
        return str(self.address)

    __repr__ = __str__

    def is_authenticated(self) -> bool:
        return self.state == GOT_AUTH

    def is_connected(self) -> bool:
        return self.state not in (CONNECTING, CLOSING)

    def short_id(self) -> str:
        from stellarcore.overlay.ban_manager import encode_account_id
        return encode_account_id(self.peer_id)[:5] if self.peer_id else "?"

    # -- lifecycle ----------------------------------------------------------
    def start_outbound(self):
        self._greenlets.append(gevent.spawn(self._connect_and_run))

    def start_inbound(self):
        """Run on an accepted socket (called in the server's greenlet)."""
        self._start_io()
        self._greenlets.append(gevent.spawn(self._timer_loop))

    def _connect_and_run(self):
        from gevent import socket as gsocket
        try:
            s = gsocket.create_connection((self.address.ip, self.address.port),
                                          timeout=self.cfg.peer_authentication_timeout)
            s.settimeout(None)
            s.setsockopt(gsocket.IPPROTO_TCP, gsocket.TCP_NODELAY, 1)
        except Exception as e:  # noqa: BLE001 - any failure to connect is the peer's
            self.drop(f"unable to connect: {e}")
            return
        if self.state == CLOSING:
            s.close()
            return
        self.sock = s
        self.state = CONNECTED
        self.send_hello()
        self._start_io()
        self._timer_loop()

    def _start_io(self):
        self._greenlets.append(gevent.spawn(self._write_loop))
        self._greenlets.append(gevent.spawn(self._process_loop))
        self._greenlets.append(gevent.spawn(self._read_loop))

    def drop(self, reason: str, direction: int = WE_DROPPED_REMOTE) -> None:
        """Disconnect: flush what is queued (e.g. an ERROR_MSG), then close."""
        if self.state == CLOSING:
            return
        prev = self.state
        self.state = CLOSING
        self.drop_reason = reason
        self.drop_direction = direction
        if prev != GOT_AUTH:
            log.debug("Dropping peer %s with state %s, role %s, reason %s", self, STATE_NAMES[prev],
                      self.role, reason)
        elif direction == WE_DROPPED_REMOTE:
            log.info("Dropping peer %s, reason %s", self, reason)
        else:
            log.info("Peer %s dropped us, reason %s", self, reason)
        self.tx_adverts.shutdown()
        self.overlay.remove_peer(self, prev)
        self._unthrottle.set()
        self._inbox_event.set()
        self._out_event.set()
        if self.sock is None:
            self._close()
        else:
            # the writer flushes (e.g. the ERROR_MSG) and closes; a peer that
            # stopped reading would keep it blocked, so close regardless soon
            # after, as TCPPeer closes the socket with a delay
            gevent.spawn_later(1.0, self._close)

    def _close(self):
        if self._closed:
            return
        self._closed = True
        self.done.set()
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        cur = gevent.getcurrent()
        for g in self._greenlets:
            if g is not cur:
                g.kill(block=False)

    def send_error_and_drop(self, code, text: str) -> None:
        self.send_message(M.error_msg(code, text))
        self.drop(text)

    # -- writing ------------------------------------------------------------
    def _write(self, frame: bytes) -> None:
        self._out.append(frame)
        if len(self._out) == 1:
            self._out_event.set()

    def _write_loop(self):
        sock = self.sock
        try:
            while True:
                self._out_event.wait()
                self._out_event.clear()
                while self._out:
                    batch, self._out = self._out, []
                    enq = self.clock()
                    data = b"".join(batch) if len(batch) > 1 else batch[0]
                    sock.sendall(data)
                    self.stats["msg_write"] += len(batch)
                    self.stats["byte_write"] += len(data)
                    self.last_write = self.clock()
                    self.enqueue_time_of_last_write = enq
                if self.state == CLOSING:
                    try:
                        sock.shutdown(2)
                    except OSError:
                        pass
                    self._close()
                    return
        except (OSError, gevent.GreenletExit) as e:
            if isinstance(e, gevent.GreenletExit):
                raise
            self.drop("error during write")
            self._close()

    def send_message(self, msg, msg_xdr: bytes | None = None) -> None:
        """Queue a message; flood messages wait for the peer's capacity."""
        if self.state == CLOSING or self.sock is None:
            return
        mtype = msg.type
        if msg_xdr is None:
            msg_xdr = msg.to_xdr()
        if mtype in FLOOD_TYPES:
            self.flow.add_and_maybe_trim(msg, msg_xdr, mtype)
            self._send_flood_batch()
        else:
            self._write(self.mac.seal(mtype, msg_xdr))

    def _send_flood_batch(self):
        seal, write = self.mac.seal, self._write
        for m in self.flow.next_batch():
            write(seal(m.type, m.xdr))

    def send_hello(self):
        cfg = self.cfg
        hello = xdr.Hello(
            ledgerVersion=cfg.ledger_protocol_version, overlayMinVersion=cfg.overlay_min_version,
            overlayVersion=cfg.overlay_version, networkID=self.overlay.network_id,
            versionStr=cfg.version_str.encode()[:100], listeningPort=self.overlay.listening_port,
            peerID=xdr.PublicKey(ed25519=self.overlay.node_id), cert=self.overlay.peer_auth.get_auth_cert(),
            nonce=self.send_nonce)
        self.send_message(xdr.StellarMessage(hello=hello))

    def send_advert(self, tx_hash: bytes) -> bool:
        if self.tx_adverts.seen_advert(tx_hash):
            return False
        self.tx_adverts.queue_outgoing(tx_hash)
        return True

    # -- reading ------------------------------------------------------------
    def _read_loop(self):
        sock, reader = self.sock, self._reader
        try:
            while self.state != CLOSING:
                while True:
                    try:
                        body = reader.next_frame(self.state == GOT_AUTH)
                    except FrameError as e:
                        log.error("%s TCP: %s", self, e)
                        self.drop(f"error during read: {e}")
                        return
                    if body is None:
                        break
                    if not self._recv_frame(body) or self.state == CLOSING:
                        return
                    if not self.flow.can_read():
                        self.flow.throttled_since = self.clock()
                        self._inbox_event.set()
                        self._unthrottle.clear()
                        self._unthrottle.wait()
                        if self.state == CLOSING:
                            return
                if self._inbox:
                    self._inbox_event.set()
                data = sock.recv(RECV_BUFFER)
                if not data:
                    self.drop("remote closed the connection", REMOTE_DROPPED_US)
                    return
                self.last_read = self.clock()
                self.stats["byte_read"] += len(data)
                reader.feed(data)
        except gevent.GreenletExit:
            raise
        except OSError as e:
            self.drop(f"error during read: {e}")

    def _recv_frame(self, body: bytes) -> bool:
        """Decode, authenticate and take capacity for one frame; False once dropped."""
        self.stats["msg_read"] += 1
        try:
            seq, mx, mac = split_authenticated(body)
            msg = xdr.StellarMessage.from_xdr(mx)
        except (BadAuthenticatedMessage, XdrError, ValueError, OverflowError) as e:
            log.error("%s - recvMessage got a corrupt xdr: %s", self, e)
            self.send_error_and_drop(M.ERR_DATA, "received corrupt XDR")
            return False
        mtype = msg.type
        if self.state >= GOT_HELLO and mtype != MT.ERROR_MSG:
            err = self.mac.check(seq, mx, mac)
            if err is not None:
                self.send_error_and_drop(M.ERR_AUTH, err)
                return False
        size = len(mx)
        if not self.flow.begin_processing(mtype, size):
            self.drop("unexpected flood message, peer at capacity")
            return False
        if self.state != GOT_AUTH:
            self._handle(msg, mtype, size, mx)
        else:
            self._inbox.append((msg, mtype, size, mx))
        return self.state != CLOSING

    def _process_loop(self):
        inbox = self._inbox
        while True:
            self._inbox_event.wait()
            self._inbox_event.clear()
            while inbox:
                if self.state == CLOSING:
                    return
                msg, mtype, size, mx = inbox.popleft()
                self._handle(msg, mtype, size, mx)
            if self.state == CLOSING:
                return

    def _handle(self, msg, mtype, size, mx):
        try:
            self._dispatch(msg, mtype, mx)
        except gevent.GreenletExit:
            raise
        except Exception as e:  # noqa: BLE001 - a bad message must not take the node down
            log.exception("error processing %s from %s", M.summary(msg), self)
            self.drop(f"error processing {M.summary(msg)}: {type(e).__name__}")
            return
        if self.state == CLOSING:
            return
        (n_msgs, n_bytes), resume = self.flow.end_processing(mtype, size)
        if n_msgs or n_bytes:
            self.send_message(M.send_more(n_msgs, n_bytes))
        if resume and self.flow.throttled_since is not None:
            self.flow.throttled_since = None
            self._unthrottle.set()

    # -- dispatch (Peer::recvRawMessage) -------------------------------------
    def _dispatch(self, msg, mtype, mx):
        if self.state != GOT_AUTH and mtype not in _HANDSHAKE_TYPES:
            self.drop(f"received {M.summary(msg)} before completed handshake")
            return
        if mtype == MT.PEERS and self.role == REMOTE_CALLED_US:
            self.drop("received PEERS")
            return
        if mtype in (MT.TRANSACTION, MT.FLOOD_ADVERT, MT.FLOOD_DEMAND) and not self.herder.is_synced():
            return
        handler = _HANDLERS.get(int(mtype))
        if handler is None:
            # SEND_MORE (16) and anything else valid XDR but unused
            err = self.flow.send_more_error(msg) if mtype == MT.SEND_MORE else None
            self.drop(err or f"unexpected message type {M.summary(msg)}")
            return
        handler(self, msg, mx)

    def _recv_error(self, msg, mx):
        code = _ERROR_NAMES.get(int(msg.error.code), "UNKNOWN")
        text = "".join(chr(c) if (chr(c).isascii() and (chr(c).isalnum() or c == 32)) else "*"
                       for c in bytes(msg.error.msg))
        self.drop(f"{code} ({text})", REMOTE_DROPPED_US)

    def _recv_hello(self, msg, mx):
        elo = msg.hello
        if self.state >= GOT_HELLO:
            self.drop("received unexpected HELLO")
            return
        ov = self.overlay
        peer_id = bytes(elo.peerID.ed25519)
        err = ov.peer_auth.verify_remote_auth_cert(peer_id, elo.cert)
        if err is not None:
            log.debug("%s: %s", self, err)
            self.drop(f"failed to verify auth cert ({err})")
            return
        if ov.ban_manager.is_banned(peer_id):
            self.drop("node is banned")
            return
        self.remote_overlay_min_version = elo.overlayMinVersion
        self.remote_overlay_version = elo.overlayVersion
        self.remote_version = bytes(elo.versionStr)
        self.peer_id = peer_id
        self.recv_nonce = bytes(elo.nonce)
        send_key, recv_key = ov.peer_auth.mac_keys(bytes(elo.cert.pubkey.key), self.send_nonce,
                                                  self.recv_nonce, self.role)
        self.mac.set_keys(send_key, recv_key)
        self.state = GOT_HELLO
        ip = self.address.ip
        self.address = PeerBareAddress(ip, elo.listeningPort)
        if self.role == REMOTE_CALLED_US:
            self.send_hello()
        cfg = self.cfg
        if (self.remote_overlay_min_version > self.remote_overlay_version
                or self.remote_overlay_version < cfg.overlay_min_version
                or self.remote_overlay_min_version > cfg.overlay_version):
            log.debug("Protocol = [%d,%d] expected: [%d,%d]", self.remote_overlay_min_version,
                      self.remote_overlay_version, cfg.overlay_min_version, cfg.overlay_version)
            self.send_error_and_drop(M.ERR_CONF, "wrong protocol version")
            return
        if peer_id == ov.node_id:
            self.send_error_and_drop(M.ERR_CONF, "connecting to self")
            return
        if bytes(elo.networkID) != ov.network_id:
            log.warning("Connection from peer with different NetworkID")
            self.send_error_and_drop(M.ERR_CONF, "wrong network passphrase")
            return
        if elo.listeningPort <= 0 or elo.listeningPort > 65535 or not ip:
            self.send_error_and_drop(M.ERR_CONF, "bad address")
            return
        ov.update_peer_record_after_echo(self)
        if ov.has_other_peer_with_id(self):
            self.send_error_and_drop(M.ERR_CONF, "already-connected peer: " + self.short_id())
            return
        if self.role == WE_CALLED_REMOTE:
            self.send_message(M.auth_msg())

    def _recv_auth(self, msg, mx):
        if self.state != GOT_HELLO:
            self.send_error_and_drop(M.ERR_MISC, "out-of-order AUTH message")
            return
        self.state = GOT_AUTH
        ov = self.overlay
        if self.role == REMOTE_CALLED_US:
            self.send_message(M.auth_msg())
            self.send_peers()
        if self.role == WE_CALLED_REMOTE:
            ov.peer_manager.update(self.address, backoff=BackOff.RESET)
        if not ov.accept_authenticated_peer(self):
            self.send_error_and_drop(M.ERR_LOAD, "peer rejected")
            return
        if msg.auth.flags != M.AUTH_MSG_FLAG_FLOW_CONTROL_BYTES_REQUESTED:
            self.send_error_and_drop(M.ERR_CONF, "flow control bytes disabled")
            return
        self.send_message(M.send_more(self.cfg.peer_flood_reading_capacity, ov.flow_control_bytes_total()))
        self.tx_adverts.start(self.send_message)
        self.send_message(M.get_scp_state(self.herder.get_min_ledger_seq_to_ask_peers()))

    def send_peers(self):
        peers = self.overlay.peer_manager.get_peers_to_send(50, self.address)
        if peers:
            self.send_message(xdr.StellarMessage(type=MT.PEERS, peers=[p.to_xdr() for p in peers]))

    def _recv_peers(self, msg, mx):
        if self.peers_received:
            self.drop("too many msgs PEERS")
            return
        self.peers_received = True
        pm = self.overlay.peer_manager
        for pa in msg.peers:
            if pa.port == 0 or pa.port > 65535:
                continue
            if pa.ip.type != xdr.IPAddrType.IPv4:
                continue
            a = PeerBareAddress.from_xdr(pa)
            if a.is_private():
                continue
            if a == PeerBareAddress(self.address.ip, self.overlay.listening_port):
                continue
            if a.is_localhost() and not self.cfg.allow_localhost_for_testing:
                continue
            pm.ensure_exists(a)

    def _recv_send_more(self, msg, mx):
        err = self.flow.send_more_error(msg)
        if err is not None:
            self.drop(err)
            return
        sm = msg.sendMoreExtendedMessage
        self.flow.release_outbound(sm.numMessages, sm.numBytes)
        self._send_flood_batch()

    def _query_allowed(self, q: QueryInfo) -> bool:
        """Peer::process: at most window*5 queries per window of
        expected-close-time * MAX_SLOTS_TO_REMEMBER seconds."""
        window = int(self.herder.get_expected_ledger_close_time()) * self.cfg.max_slots_to_remember
        now = self.clock()
        if now - q.last >= window:
            q.last = now
            q.count = 0
        return q.count < window * QUERY_RESPONSE_MULTIPLIER

    def _recv_get_tx_set(self, msg, mx):
        if not self._query_allowed(self.tx_set_queries):
            return
        got = self.herder.get_tx_set(bytes(msg.txSetHash))
        if got is not None:
            generalized, ts = got
            self.send_message(xdr.StellarMessage(generalizedTxSet=ts) if generalized
                              else xdr.StellarMessage(txSet=ts))
        else:
            t = MT.TX_SET if self.herder.lcl_protocol_version() < 20 else MT.GENERALIZED_TX_SET
            self.send_message(M.dont_have(t, msg.txSetHash))
        self.tx_set_queries.count += 1

    def _recv_tx_set(self, msg, mx):
        self.herder.recv_tx_set(False, msg.txSet)

    def _recv_generalized_tx_set(self, msg, mx):
        self.herder.recv_tx_set(True, msg.generalizedTxSet)

    def _recv_transaction(self, msg, mx):
        index = blake2(mx)
        self.overlay.recv_transaction(msg.transaction, self, index)

    def _recv_get_qset(self, msg, mx):
        if not self._query_allowed(self.qset_queries):
            return
        q = self.herder.get_qset(bytes(msg.qSetHash))
        if q is not None:
            self.send_message(xdr.StellarMessage(qSet=q))
        else:
            self.send_message(M.dont_have(MT.SCP_QUORUMSET, msg.qSetHash))
        self.qset_queries.count += 1

    def _recv_qset(self, msg, mx):
        h = sha256(msg.qSet.to_xdr())
        self._maybe_ping_response(h)
        self.herder.recv_scp_quorum_set(h, msg.qSet)
        self.overlay.item_received(MT.SCP_QUORUMSET, h)

    def _recv_scp_message(self, msg, mx):
        index = blake2(mx)
        ov = self.overlay
        if ov.recv_flooded_msg_id(self, index):
            self.stats["unique_flood_recv"] += 1
        else:
            self.stats["duplicate_flood_recv"] += 1
        if not self.herder.recv_scp_envelope(msg.envelope):
            ov.forget_flooded_msg(index)

    def _recv_get_scp_state(self, msg, mx):
        self.herder.send_scp_state_to_peer(msg.getSCPLedgerSeq, self)

    def _recv_dont_have(self, msg, mx):
        self._maybe_ping_response(bytes(msg.dontHave.reqHash))
        self.herder.peer_doesnt_have(msg.dontHave.type, bytes(msg.dontHave.reqHash), self)
        self.overlay.item_not_found(msg.dontHave.type, bytes(msg.dontHave.reqHash), self)

    def _recv_flood_advert(self, msg, mx):
        self.tx_adverts.queue_incoming(list(msg.floodAdvert.txHashes),
                                       self.herder.tracking_consensus_ledger_index())

    def _recv_flood_demand(self, msg, mx):
        self.overlay.tx_demands.recv_demand(msg.floodDemand, self)

    def _recv_survey(self, msg, mx):
        self.overlay.survey.recv(msg, mx, self)

    # -- ping (GET_SCP_QUORUMSET of an id nobody has) ------------------------
    def _ping_id(self) -> bytes:
        return blake2(repr(self.ping_sent).encode())

    def ping(self):
        if self.state == GOT_AUTH and self.ping_sent is None:
            self.ping_sent = self.clock()
            self.send_message(M.get_qset(self._ping_id()))

    def _maybe_ping_response(self, h: bytes):
        if self.ping_sent is not None and h == self._ping_id():
            self.last_ping_ms = (self.clock() - self.ping_sent) * 1000.0
            self.ping_sent = None

    # -- timers (Peer::recurrentTimerExpired) --------------------------------
    def _timer_loop(self):
        cfg = self.cfg
        while self.state != CLOSING:
            self.ping()
            gevent.sleep(cfg.recurrent_timer_period)
            if self.state == CLOSING:
                return
            now = self.clock()
            timeout = cfg.peer_timeout if self.state == GOT_AUTH else cfg.peer_authentication_timeout
            if now - self.last_read >= timeout and now - self.last_write >= timeout:
                self.drop("idle timeout")
            elif self.state == GOT_AUTH and self.flow.no_outbound_capacity_timeout(
                    now, cfg.peer_send_mode_idle_timeout):
                self.drop("idle timeout (no new flood requests)")
            elif now - self.enqueue_time_of_last_write >= cfg.peer_straggler_timeout:
                self.drop("straggling (cannot keep up)")
            elif self.state != GOT_AUTH and now - self.created >= cfg.peer_authentication_timeout:
                # stellar-core relies on the idle timeout alone; a peer that
                # trickles bytes could hold a pending slot forever.  We also
                # bound the whole handshake by the authentication timeout.
                self.drop("handshake not completed in time")

    def json_info(self) -> dict:
        return {"address": str(self.address), "elapsed": int(self.clock() - self.created),
                "latency": int(self.last_ping_ms or 0), "ver": self.remote_version.decode("ascii", "replace"),
                "olver": self.remote_overlay_version,
                "flow_control": {"local_capacity": {"reading": self.flow.msgs.total, "flood": self.flow.msgs.flood},
                                 "peer_capacity": self.flow.msgs.outbound,
                                 "local_capacity_bytes": {"flood": self.flow.bytes.flood},
                                 "peer_capacity_bytes": self.flow.bytes.outbound},
                **self.stats}


_HANDLERS = {
    int(MT.ERROR_MSG): Peer._recv_error,
    int(MT.HELLO): Peer._recv_hello,
    int(MT.AUTH): Peer._recv_auth,
    int(MT.DONT_HAVE): Peer._recv_dont_have,
    int(MT.PEERS): Peer._recv_peers,
    int(MT.GET_TX_SET): Peer._recv_get_tx_set,
    int(MT.TX_SET): Peer._recv_tx_set,
    int(MT.GENERALIZED_TX_SET): Peer._recv_generalized_tx_set,
    int(MT.TRANSACTION): Peer._recv_transaction,
    int(MT.GET_SCP_QUORUMSET): Peer._recv_get_qset,
    int(MT.SCP_QUORUMSET): Peer._recv_qset,
    int(MT.SCP_MESSAGE): Peer._recv_scp_message,
    int(MT.GET_SCP_STATE): Peer._recv_get_scp_state,
    int(MT.SEND_MORE_EXTENDED): Peer._recv_send_more,
    int(MT.FLOOD_ADVERT): Peer._recv_flood_advert,
    int(MT.FLOOD_DEMAND): Peer._recv_flood_demand,
    int(MT.TIME_SLICED_SURVEY_REQUEST): Peer._recv_survey,
    int(MT.TIME_SLICED_SURVEY_RESPONSE): Peer._recv_survey,
    int(MT.TIME_SLICED_SURVEY_START_COLLECTING): Peer._recv_survey,
    int(MT.TIME_SLICED_SURVEY_STOP_COLLECTING): Peer._recv_survey,
}
