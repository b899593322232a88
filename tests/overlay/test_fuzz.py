"""Fuzzing the frame parser and every message from the network: malformed
bytes give one clear drop reason, never an exception out of the peer."""
import struct

import gevent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stellarcore import xdr
from stellarcore.overlay import wire
from stellarcore.overlay.address import PeerBareAddress
from stellarcore.overlay.config import OverlayConfig
from stellarcore.overlay.herder_api import SimpleHerder
from stellarcore.overlay.manager import OverlayManager
from stellarcore.overlay.peer import GOT_AUTH, REMOTE_CALLED_US, Peer
from tests.overlay.helpers import PASSPHRASE, scp_envelope, sdk_transaction

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


class FakeSock:
    def __init__(self):
        self.sent = []

    def sendall(self, data):
        self.sent.append(data)

    def recv(self, n):
        gevent.sleep(3600)

    def close(self):
        pass

    def shutdown(self, how):
        pass


_MANAGER = OverlayManager(OverlayConfig(network_passphrase=PASSPHRASE, peer_port=0), SimpleHerder())
KEY = bytes(range(32))


def fresh_peer(authenticated: bool) -> Peer:
    p = Peer(_MANAGER, REMOTE_CALLED_US, PeerBareAddress("127.0.0.1", 1), FakeSock())
    _MANAGER.inbound.pending.append(p)
    if authenticated:
        p.state = GOT_AUTH
        p.peer_id = bytes(32)
        p.mac.set_keys(KEY, KEY)
    return p


def corpus():
    q = xdr.SCPQuorumSet(threshold=1, validators=[xdr.PublicKey(ed25519=bytes(32))], innerSets=[])
    return [
        xdr.StellarMessage(getSCPLedgerSeq=5),
        xdr.StellarMessage(txSetHash=bytes(32)),
        xdr.StellarMessage(qSetHash=bytes(32)),
        xdr.StellarMessage(qSet=q),
        xdr.StellarMessage(envelope=scp_envelope(3)),
        xdr.StellarMessage(transaction=sdk_transaction(1, bytes(32))),
        xdr.StellarMessage(floodAdvert=xdr.FloodAdvert(txHashes=[bytes(32), bytes([1]) * 32])),
        xdr.StellarMessage(floodDemand=xdr.FloodDemand(txHashes=[bytes(32)])),
        xdr.StellarMessage(sendMoreExtendedMessage=xdr.SendMoreExtended(numMessages=3, numBytes=4)),
        xdr.StellarMessage(dontHave=xdr.DontHave(type=xdr.MessageType.SCP_QUORUMSET, reqHash=bytes(32))),
        xdr.StellarMessage(error=xdr.Error(code=xdr.ErrorCode.ERR_MISC, msg=b"x")),
        xdr.StellarMessage(auth=xdr.Auth(flags=200)),
        xdr.StellarMessage(type=xdr.MessageType.PEERS, peers=[PeerBareAddress("1.2.3.4", 5).to_xdr()]),
    ]


CORPUS = [m.to_xdr() for m in corpus()]


@FUZZ
@given(st.lists(st.binary(max_size=300), max_size=8), st.booleans())
def test_frame_reader_never_crashes(chunks, authenticated):
    r = wire.FrameReader()
    for c in chunks:
        r.feed(c)
        try:
            while r.next_frame(authenticated) is not None:
                pass
        except wire.FrameError as e:
            assert "message size unacceptable" in str(e)
            return


@FUZZ
@given(st.lists(st.binary(min_size=1, max_size=200), min_size=1, max_size=10), st.integers(1, 7))
def test_frame_reader_reassembles_any_split(bodies, cut):
    data = b"".join(wire.frame(b) for b in bodies)
    r = wire.FrameReader()
    out = []
    for i in range(0, len(data), cut):
        r.feed(data[i:i + cut])
        while (f := r.next_frame(True)) is not None:
            out.append(f)
    assert out == bodies


def _check_outcome(p: Peer, ok: bool):
    if not ok:
        assert p.drop_reason, "dropped without a reason"
    p.drop("end of test") if p.state != 4 else None


@FUZZ
@given(st.binary(max_size=400), st.booleans())
def test_random_bodies_drop_cleanly(body, authenticated):
    p = fresh_peer(authenticated)
    ok = p._recv_frame(body)
    _check_outcome(p, ok)


@FUZZ
@given(st.sampled_from(range(len(CORPUS))), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)),
                                                    max_size=4), st.booleans())
def test_mutated_messages_never_crash(i, flips, authenticated):
    """Valid messages with bytes changed, correctly MAC'd, through every handler."""
    mx = bytearray(CORPUS[i])
    for pos, val in flips:
        if mx:
            mx[pos % len(mx)] = val
    p = fresh_peer(authenticated)
    body = wire.encode_authenticated(bytes(mx), 0, KEY)[4:]
    ok = p._recv_frame(body)
    for _ in range(3):
        gevent.sleep(0)
    while p._inbox and p.state != 4:
        msg, mtype, size, raw = p._inbox.popleft()
        p._handle(msg, mtype, size, raw)
    _check_outcome(p, ok and p.state != 4)


def test_every_message_type_pre_auth_is_refused_or_handled():
    for m in CORPUS:
        p = fresh_peer(False)
        ok = p._recv_frame(wire.encode_authenticated(m, 0, None)[4:])
        mtype = struct.unpack(">i", m[:4])[0]
        if mtype not in (0, 2, 13):
            assert not ok and "before completed handshake" in p.drop_reason
        _check_outcome(p, ok)
