"""Time-sliced network surveys (overlay/SurveyManager.cpp,
SurveyMessageLimiter.cpp, SurveyDataManager.cpp), answered as stellar-core
answers them.

A surveyor floods START_COLLECTING (signed, with a nonce); every node that
accepts it records peer statistics until STOP_COLLECTING with the same
nonce, then keeps the finished figures for the reporting phase.  A
REQUEST naming us is answered with a RESPONSE whose body (our node data
and up to 25 inbound and 25 outbound peers from the requested indices) is
sealed to the surveyor's Curve25519 key; requests and responses for
others are relayed by flooding.  Checks, in stellar-core's order:
surveyor permitted (SURVEYOR_KEYS, or the herder's tracked quorum when
empty), the ledger number within 6 ledgers of ours, per-ledger limits of
10 surveyors and 10 surveyed nodes each, one response per request, the
nonce of the running survey, and the signature - an invalid one drops the
peer ("Survey has invalid signature").

Not here (unsupported upstream too): the automatic survey scheduler.
Simplified: latency histograms are reported as 0 except the peer ping.
"""
from __future__ import annotations

import logging
import time

from stellarcore import xdr
from stellarcore.crypto import curve25519
from stellarcore.crypto.keys import PublicKey
from stellarcore.overlay import messages as M
from stellarcore.overlay.messages import MT

log = logging.getLogger("stellarcore.overlay")

NUM_LEDGERS_BEFORE_IGNORE = 6
MAX_REQUEST_LIMIT_PER_LEDGER = 10
COLLECTING_PHASE_MAX_DURATION = 30 * 60.0
REPORTING_PHASE_MAX_DURATION = 3 * 3600.0
PEER_LIST_MAX = 25
TOPOLOGY = xdr.SurveyMessageCommandType.TIME_SLICED_SURVEY_TOPOLOGY


class MessageLimiter:
    def __init__(self, survey):
        self.survey = survey
        self.records: dict[int, dict[bytes, dict[bytes, bool]]] = {}

    def ledger_ok(self, n: int) -> bool:
        local = self.survey.overlay.herder.tracking_consensus_ledger_index()
        return n + NUM_LEDGERS_BEFORE_IGNORE >= local and n <= local + max(NUM_LEDGERS_BEFORE_IGNORE, 1)

    def add_request(self, req, validate) -> bool:
        if req.commandType != TOPOLOGY or not self.ledger_ok(req.ledgerNum):
            return False
        surveyor, surveyed = bytes(req.surveyorPeerID.ed25519), bytes(req.surveyedPeerID.ed25519)
        is_self = surveyor == self.survey.overlay.node_id
        by_ledger = self.records.get(req.ledgerNum)
        if by_ledger is None:
            if not validate():
                return False
            self.records[req.ledgerNum] = {surveyor: {surveyed: False}}
            return True
        surveyed_map = by_ledger.get(surveyor)
        if surveyed_map is None:
            if not is_self and len(by_ledger) >= MAX_REQUEST_LIMIT_PER_LEDGER:
                return False
            if not validate():
                return False
            by_ledger[surveyor] = {surveyed: False}
            return True
        if not is_self and len(surveyed_map) >= MAX_REQUEST_LIMIT_PER_LEDGER:
            return False
        if surveyed in surveyed_map:
            return False
        if not validate():
            return False
        surveyed_map[surveyed] = False
        return True

    def record_response(self, resp, validate) -> bool:
        if not self.ledger_ok(resp.ledgerNum):
            return False
        m = self.records.get(resp.ledgerNum, {}).get(bytes(resp.surveyorPeerID.ed25519))
        if m is None:
            return False
        surveyed = bytes(resp.surveyedPeerID.ed25519)
        if surveyed not in m or m[surveyed]:
            return False
        if not validate():
            return False
        m[surveyed] = True
        return True

    def clear_old_ledgers(self, lcl: int) -> None:
        for n in sorted(self.records):
            if n + NUM_LEDGERS_BEFORE_IGNORE < lcl:
                del self.records[n]
            else:
                break


class SurveyData:
    """The collecting/reporting phases and the figures collected."""

    def __init__(self, survey):
        self.survey = survey
        self.phase = "inactive"
        self.nonce = None
        self.surveyor = None
        self.started = 0.0
        self.start_stats: dict[int, dict] = {}
        self.added = 0
        self.dropped = 0
        self.final_inbound: list = []
        self.final_outbound: list = []
        self.final_node = None

    def is_active(self) -> bool:
        self._expire()
        return self.phase != "inactive"

    def _expire(self):
        now = self.survey.overlay.clock()
        if self.phase == "collecting" and now - self.started > COLLECTING_PHASE_MAX_DURATION:
            self.phase = "inactive"
        elif self.phase == "reporting" and now - self.started > REPORTING_PHASE_MAX_DURATION:
            self.phase = "inactive"

    def start(self, msg) -> bool:
        if self.is_active():
            return False
        self.phase = "collecting"
        self.nonce = msg.nonce
        self.surveyor = bytes(msg.surveyorID.ed25519)
        self.started = self.survey.overlay.clock()
        self.start_stats = {id(p): dict(p.stats) for p in self.survey.overlay.get_authenticated_peers_list()}
        self.added = self.dropped = 0
        return True

    def stop(self, msg) -> bool:
        self._expire()
        if self.phase != "collecting" or msg.nonce != self.nonce or bytes(msg.surveyorID.ed25519) != self.surveyor:
            return False
        ov = self.survey.overlay
        self.final_inbound = [self._peer_data(p) for p in ov.inbound.authenticated.values()]
        self.final_outbound = [self._peer_data(p) for p in ov.outbound.authenticated.values()]
        cfg = ov.cfg
        self.final_node = xdr.TimeSlicedNodeData(
            addedAuthenticatedPeers=self.added, droppedAuthenticatedPeers=self.dropped,
            totalInboundPeerCount=len(ov.inbound.authenticated),
            totalOutboundPeerCount=len(ov.outbound.authenticated),
            p75SCPFirstToSelfLatencyMs=0, p75SCPSelfToOtherLatencyMs=0, lostSyncCount=0,
            isValidator=False, maxInboundPeerCount=cfg.max_additional_peer_connections,
            maxOutboundPeerCount=cfg.target_peer_connections)
        self.phase = "reporting"
        self.started = ov.clock()
        return True

    def _peer_data(self, p):
        s0 = self.start_stats.get(id(p), {k: 0 for k in p.stats})
        d = {k: p.stats[k] - s0.get(k, 0) for k in p.stats}
        ps = xdr.PeerStats(
            id=xdr.PublicKey(ed25519=p.peer_id), versionStr=p.remote_version[:100],
            messagesRead=d["msg_read"], messagesWritten=d["msg_write"], bytesRead=d["byte_read"],
            bytesWritten=d["byte_write"], secondsConnected=int(self.survey.overlay.clock() - p.created),
            uniqueFloodBytesRecv=0, duplicateFloodBytesRecv=0, uniqueFetchBytesRecv=0,
            duplicateFetchBytesRecv=0, uniqueFloodMessageRecv=d["unique_flood_recv"],
            duplicateFloodMessageRecv=d["duplicate_flood_recv"], uniqueFetchMessageRecv=0,
            duplicateFetchMessageRecv=0)
        return xdr.TimeSlicedPeerData(peerStats=ps, averageLatencyMs=int(p.last_ping_ms or 0))

    def nonce_is_reporting(self, nonce: int) -> bool:
        self._expire()
        return self.phase == "reporting" and nonce == self.nonce

    def fill(self, req):
        if not self.nonce_is_reporting(req.nonce):
            return None
        i, o = req.inboundPeersIndex, req.outboundPeersIndex
        return xdr.TopologyResponseBodyV2(inboundPeers=self.final_inbound[i:i + PEER_LIST_MAX],
                                          outboundPeers=self.final_outbound[o:o + PEER_LIST_MAX],
                                          nodeData=self.final_node)


class SurveyManager:
    def __init__(self, overlay):
        self.overlay = overlay
        self.limiter = MessageLimiter(self)
        self.data = SurveyData(self)
        self.curve_secret = curve25519.random_secret()
        self.curve_public = curve25519.derive_public(self.curve_secret)
        self.results: dict[bytes, object] = {}       # surveyed node -> TopologyResponseBodyV2
        self.bad_response_nodes: set[bytes] = set()

    # -- helpers -------------------------------------------------------------
    def _permitted(self, surveyor: bytes) -> bool:
        keys = self.overlay.cfg.surveyor_keys
        if keys:
            return surveyor in keys
        tracked = getattr(self.overlay.herder, "get_currently_tracked_quorum", None)
        return bool(tracked) and surveyor in tracked()

    def _sig_ok(self, key: bytes, sig: bytes, body: bytes, peer) -> bool:
        ok = PublicKey(key).verify(bytes(sig), body)
        if not ok and peer is not None:
            peer.send_error_and_drop(M.ERR_MISC, "Survey has invalid signature")
        return ok

    def _sign(self, body: bytes) -> bytes:
        return self.overlay.node_key.sign(body)

    def _flooded(self, msg, mx, peer):
        if peer is not None:
            self.overlay.floodgate.add_record(peer, _index(mx))

    def _broadcast(self, msg):
        self.overlay.broadcast_message(msg)

    # -- receiving -----------------------------------------------------------
    def recv(self, msg, mx, peer) -> None:
        t = msg.type
        if t == MT.TIME_SLICED_SURVEY_REQUEST:
            self.relay_or_process_request(msg, mx, peer)
        elif t == MT.TIME_SLICED_SURVEY_RESPONSE:
            self.relay_or_process_response(msg, mx, peer)
        elif t == MT.TIME_SLICED_SURVEY_START_COLLECTING:
            self.relay_start_collecting(msg, mx, peer)
        elif t == MT.TIME_SLICED_SURVEY_STOP_COLLECTING:
            self.relay_stop_collecting(msg, mx, peer)

    def relay_start_collecting(self, msg, mx, peer) -> None:
        sm = msg.signedTimeSlicedSurveyStartCollectingMessage
        sc = sm.startCollecting
        surveyor = bytes(sc.surveyorID.ed25519)
        if surveyor != self.overlay.node_id and not self._permitted(surveyor):
            return
        if not self.limiter.ledger_ok(sc.ledgerNum) or self.data.is_active():
            return
        if not self._sig_ok(surveyor, sm.signature, sc.to_xdr(), peer):
            return
        if not self.data.start(sc):
            return
        self._flooded(msg, mx, peer)
        self._broadcast(msg)

    def relay_stop_collecting(self, msg, mx, peer) -> None:
        sm = msg.signedTimeSlicedSurveyStopCollectingMessage
        sc = sm.stopCollecting
        surveyor = bytes(sc.surveyorID.ed25519)
        if surveyor != self.overlay.node_id and not self._permitted(surveyor):
            return
        if not self.limiter.ledger_ok(sc.ledgerNum):
            return
        if not self._sig_ok(surveyor, sm.signature, sc.to_xdr(), peer):
            return
        if not self.data.stop(sc):
            return
        self._flooded(msg, mx, peer)
        self._broadcast(msg)

    def relay_or_process_request(self, msg, mx, peer) -> None:
        sreq = msg.signedTimeSlicedSurveyRequestMessage
        req = sreq.request.request
        surveyor = bytes(req.surveyorPeerID.ed25519)
        if surveyor != self.overlay.node_id and not self._permitted(surveyor):
            return

        def validate():
            return (self.data.nonce_is_reporting(sreq.request.nonce)
                    and self._sig_ok(surveyor, sreq.requestSignature, sreq.request.to_xdr(), peer))

        if not self.limiter.add_request(req, validate):
            return
        self._flooded(msg, mx, peer)
        if bytes(req.surveyedPeerID.ed25519) == self.overlay.node_id:
            self._answer(sreq.request)
        else:
            self._broadcast(msg)

    def _answer(self, treq) -> None:
        body = self.data.fill(treq)
        if body is None:
            log.error("Failed to respond to TimeSlicedTopology request: nonce or phase mismatch")
            return
        req = treq.request
        sbody = xdr.SurveyResponseBody(topologyResponseBodyV2=body)
        enc = curve25519.encrypt(bytes(req.encryptionKey.key), sbody.to_xdr())
        resp = xdr.SurveyResponseMessage(surveyorPeerID=req.surveyorPeerID,
                                         surveyedPeerID=xdr.PublicKey(ed25519=self.overlay.node_id),
                                         ledgerNum=req.ledgerNum, commandType=TOPOLOGY, encryptedBody=enc)
        outer = xdr.TimeSlicedSurveyResponseMessage(response=resp, nonce=treq.nonce)
        signed = xdr.SignedTimeSlicedSurveyResponseMessage(responseSignature=self._sign(outer.to_xdr()),
                                                           response=outer)
        self._broadcast(xdr.StellarMessage(signedTimeSlicedSurveyResponseMessage=signed))

    def relay_or_process_response(self, msg, mx, peer) -> None:
        sresp = msg.signedTimeSlicedSurveyResponseMessage
        resp = sresp.response.response

        def validate():
            return (self.data.nonce_is_reporting(sresp.response.nonce)
                    and self._sig_ok(bytes(resp.surveyedPeerID.ed25519), sresp.responseSignature,
                                     sresp.response.to_xdr(), peer))

        if not self.limiter.record_response(resp, validate):
            return
        self._flooded(msg, mx, peer)
        surveyed = bytes(resp.surveyedPeerID.ed25519)
        if bytes(resp.surveyorPeerID.ed25519) == self.overlay.node_id:
            try:
                raw = curve25519.decrypt(self.curve_secret, bytes(resp.encryptedBody))
                body = xdr.SurveyResponseBody.from_xdr(raw)
                self.results[surveyed] = body.topologyResponseBodyV2
            except Exception as e:  # noqa: BLE001 - a bad body is the surveyed node's fault
                log.error("processing survey response failed: %s", e)
                self.bad_response_nodes.add(surveyed)
        else:
            self._broadcast(msg)

    # -- surveying (the HTTP commands of stellar-core) ------------------------
    def start_collecting(self, nonce: int) -> bool:
        sc = xdr.TimeSlicedSurveyStartCollectingMessage(
            surveyorID=xdr.PublicKey(ed25519=self.overlay.node_id), nonce=nonce,
            ledgerNum=self.overlay.herder.tracking_consensus_ledger_index())
        m = xdr.StellarMessage(signedTimeSlicedSurveyStartCollectingMessage=
                               xdr.SignedTimeSlicedSurveyStartCollectingMessage(
                                   signature=self._sign(sc.to_xdr()), startCollecting=sc))
        before = self.data.phase
        self.relay_start_collecting(m, m.to_xdr(), None)
        return before == "inactive" and self.data.phase == "collecting"

    def stop_collecting(self) -> bool:
        if self.data.nonce is None:
            return False
        sc = xdr.TimeSlicedSurveyStopCollectingMessage(
            surveyorID=xdr.PublicKey(ed25519=self.overlay.node_id), nonce=self.data.nonce,
            ledgerNum=self.overlay.herder.tracking_consensus_ledger_index())
        m = xdr.StellarMessage(signedTimeSlicedSurveyStopCollectingMessage=
                               xdr.SignedTimeSlicedSurveyStopCollectingMessage(
                                   signature=self._sign(sc.to_xdr()), stopCollecting=sc))
        self.relay_stop_collecting(m, m.to_xdr(), None)
        return self.data.phase == "reporting"

    def survey_topology(self, node_id: bytes, inbound_index: int = 0, outbound_index: int = 0) -> None:
        req = xdr.SurveyRequestMessage(
            surveyorPeerID=xdr.PublicKey(ed25519=self.overlay.node_id),
            surveyedPeerID=xdr.PublicKey(ed25519=bytes(node_id)),
            ledgerNum=self.overlay.herder.tracking_consensus_ledger_index(),
            encryptionKey=xdr.Curve25519Public(key=self.curve_public), commandType=TOPOLOGY)
        outer = xdr.TimeSlicedSurveyRequestMessage(request=req, nonce=self.data.nonce or 0,
                                                   inboundPeersIndex=inbound_index,
                                                   outboundPeersIndex=outbound_index)
        m = xdr.StellarMessage(signedTimeSlicedSurveyRequestMessage=xdr.SignedTimeSlicedSurveyRequestMessage(
            requestSignature=self._sign(outer.to_xdr()), request=outer))
        self.relay_or_process_request(m, m.to_xdr(), None)

    # -- bookkeeping ---------------------------------------------------------
    def record_dropped_peer(self, peer) -> None:
        if self.data.phase == "collecting":
            self.data.dropped += 1

    def record_added_peer(self) -> None:
        if self.data.phase == "collecting":
            self.data.added += 1

    def clear_old_ledgers(self, lcl_seq: int) -> None:
        self.limiter.clear_old_ledgers(lcl_seq)


def _index(mx: bytes) -> bytes:
    from stellarcore.crypto.sha import blake2
    return blake2(mx)
