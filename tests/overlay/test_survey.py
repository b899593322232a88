"""Time-sliced survey over a line A - B - C: A starts and stops collecting,
then asks C (two hops away) for its topology; B relays both ways; C's
answer is sealed to A's survey key and reports B among its peers."""
import gevent

from stellarcore import xdr
from stellarcore.overlay.messages import MT
from tests.overlay.helpers import connect, make_node, shutdown_all, wait_until
from tests.overlay.rawpeer import RawPeer


def test_survey_two_hops():
    a = make_node()
    b = make_node(surveyor_keys={a.node_id})
    c = make_node(surveyor_keys={a.node_id})
    try:
        connect(a, b)
        connect(b, c)
        assert wait_until(lambda: b.authenticated_count() == 2 and c.authenticated_count() == 1)
        assert a.survey.start_collecting(nonce=42)
        assert wait_until(lambda: b.survey.data.phase == "collecting" and c.survey.data.phase == "collecting")
        gevent.sleep(0.05)
        assert a.survey.stop_collecting()
        assert wait_until(lambda: c.survey.data.phase == "reporting")
        a.survey.survey_topology(c.node_id)
        assert wait_until(lambda: c.node_id in a.survey.results, timeout=5)
        body = a.survey.results[c.node_id]
        ids = [bytes(p.peerStats.id.ed25519) for p in list(body.inboundPeers) + list(body.outboundPeers)]
        assert ids == [b.node_id]
        assert body.nodeData.totalInboundPeerCount + body.nodeData.totalOutboundPeerCount == 1
        # B relayed, did not answer
        assert b.node_id not in a.survey.results
    finally:
        shutdown_all([a, b, c])


def test_survey_from_unknown_surveyor_ignored_and_bad_signature_drops():
    node = make_node()
    try:
        r = RawPeer(node.listening_port)
        r.handshake()
        sc = xdr.TimeSlicedSurveyStartCollectingMessage(
            surveyorID=xdr.PublicKey(ed25519=r.node.public_key.ed25519), nonce=1,
            ledgerNum=node.herder.tracking_consensus_ledger_index())
        msg = xdr.StellarMessage(signedTimeSlicedSurveyStartCollectingMessage=
                                 xdr.SignedTimeSlicedSurveyStartCollectingMessage(signature=bytes(64),
                                                                                  startCollecting=sc))
        r.send(msg)          # not a permitted surveyor: ignored, not dropped
        gevent.sleep(0.1)
        assert node.survey.data.phase == "inactive" and node.authenticated_count() == 1
        node.cfg.surveyor_keys = {r.node.public_key.ed25519}
        r.send(msg)          # permitted, but the signature is wrong: dropped
        assert wait_until(lambda: any("Survey has invalid signature" in x for _, x in node.dropped))
        r.close()
    finally:
        shutdown_all([node])
