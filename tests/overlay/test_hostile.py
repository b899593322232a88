"""Hostile peers: each is dropped with a logged reason, and the node keeps
serving a good peer throughout (it still receives what the node floods)."""
import os
import struct
import time

import gevent
import pytest

from stellarcore import xdr
from stellarcore.overlay import wire
from stellarcore.overlay.messages import MT
from tests.overlay.helpers import connect, make_node, scp_envelope, sdk_transaction, shutdown_all, wait_until
from tests.overlay.rawpeer import RawPeer, mark

_slot = [100]


@pytest.fixture(scope="module")
def net():
    node, good = make_node(), make_node()
    connect(good, node)
    assert wait_until(lambda: node.authenticated_count() == 1)
    yield node, good
    shutdown_all([node, good])


def _dropped_with(node, raw, text, timeout=3.0):
    """The node dropped the raw peer with a reason containing `text`."""
    ok = wait_until(lambda: any(text in r for _, r in node.dropped[-20:]), timeout=timeout)
    raw.close()
    return ok


def _still_serving(node, good):
    _slot[0] += 1
    env = scp_envelope(_slot[0])
    node.herder.recv_scp_envelope(env)
    assert wait_until(lambda: env in good.herder.envelopes), "good peer no longer served"
    assert node.authenticated_count() >= 1


def _raw(node, **kw):
    return RawPeer(node.listening_port, **kw)


def test_bad_mac(net, caplog):
    node, good = net
    r = _raw(node)
    r.handshake()
    r.mac.send_key = bytes(32)                      # wrong key from now on
    r.send(xdr.StellarMessage(getSCPLedgerSeq=1))
    assert r.recv_until(MT.ERROR_MSG).error.code == xdr.ErrorCode.ERR_AUTH
    assert _dropped_with(node, r, "unexpected MAC")
    _still_serving(node, good)


def test_out_of_order_sequence(net):
    node, good = net
    r = _raw(node)
    r.handshake()
    r.mac.send_seq += 5
    r.send(xdr.StellarMessage(getSCPLedgerSeq=1))
    assert _dropped_with(node, r, "unexpected auth sequence")
    _still_serving(node, good)


def test_replayed_frame(net):
    node, good = net
    r = _raw(node)
    r.handshake()
    m = xdr.StellarMessage(getSCPLedgerSeq=1)
    frame = r.mac.seal(int(m.type), m.to_xdr())
    r.send_raw(frame + frame)
    assert _dropped_with(node, r, "unexpected auth sequence")
    _still_serving(node, good)


def test_wrong_network_cert(net):
    """A peer of another network signs its cert over its own network ID."""
    node, good = net
    r = _raw(node, passphrase="Public Global Stellar Network ; September 2015")
    r.send(r.hello_msg())
    assert _dropped_with(node, r, "failed to verify auth cert")
    _still_serving(node, good)


def test_wrong_network_id_in_hello(net):
    node, good = net
    r = _raw(node)
    r.send(r.hello_msg(networkID=bytes(32)))
    err = r.recv_until(MT.ERROR_MSG)
    assert err.error.code == xdr.ErrorCode.ERR_CONF and err.error.msg == b"wrong network passphrase"
    assert _dropped_with(node, r, "wrong network passphrase")
    _still_serving(node, good)


def test_expired_cert(net):
    node, good = net
    r = _raw(node, clock=lambda: time.time() - 7200)
    r.send(r.hello_msg())
    assert _dropped_with(node, r, "auth cert expired")
    _still_serving(node, good)


def test_badly_signed_cert(net):
    node, good = net
    r = _raw(node)
    c = r.auth.get_auth_cert()
    bad = xdr.AuthCert(pubkey=c.pubkey, expiration=c.expiration, sig=bytes(64))
    r.send(r.hello_msg(cert=bad))
    assert _dropped_with(node, r, "signature invalid")
    _still_serving(node, good)


def test_oversized_frame_before_auth(net):
    node, good = net
    r = _raw(node)
    r.send_raw(mark(0x1001) + bytes(0x1001))
    assert _dropped_with(node, r, "message size unacceptable: 4097 while not authenticated")
    _still_serving(node, good)


def test_oversized_frame_after_auth(net):
    node, good = net
    r = _raw(node)
    r.handshake()
    r.send_raw(mark(16 * 1024 * 1024 + 1))
    assert _dropped_with(node, r, "message size unacceptable")
    _still_serving(node, good)


def test_zero_length_frame(net):
    node, good = net
    r = _raw(node)
    r.send_raw(mark(0))
    assert _dropped_with(node, r, "message size unacceptable: 0")
    _still_serving(node, good)


def test_flooding_beyond_granted_capacity(net):
    """Capacity granted is 200 flood messages; 250 at once overruns it."""
    node, good = net
    r = _raw(node)
    r.handshake()
    frames = []
    for i in range(250):
        m = xdr.StellarMessage(envelope=scp_envelope(5, counter=i + 1))
        frames.append(r.mac.seal(int(m.type), m.to_xdr()))
    r.send_raw(b"".join(frames))
    assert _dropped_with(node, r, "unexpected flood message, peer at capacity")
    _still_serving(node, good)


def test_never_finishes_handshake_silent(net):
    node, good = net
    r = _raw(node)
    assert _dropped_with(node, r, "timeout", timeout=3)
    _still_serving(node, good)


def test_never_finishes_handshake_after_hello(net):
    node, good = net
    r = _raw(node)
    r.send(r.hello_msg())
    assert r.recv_until(MT.HELLO) is not None
    assert wait_until(lambda: any(p.peer_id == r.node.public_key.ed25519 for p in node.inbound.pending))
    assert wait_until(lambda: not any(p.peer_id == r.node.public_key.ed25519 for p in node.inbound.pending),
                      timeout=3)
    r.close()
    _still_serving(node, good)


@pytest.mark.parametrize("seed", range(6))
def test_garbage_bytes(net, seed):
    node, good = net
    r = _raw(node)
    rnd = os.urandom(64) if seed % 2 else struct.pack(">I", 100) + os.urandom(100)
    r.send_raw(rnd)
    assert _dropped_with(node, r, "", timeout=3)
    assert wait_until(lambda: not node.inbound.pending or all(
        p.peer_id is not None for p in node.inbound.pending), timeout=3)
    _still_serving(node, good)


def test_garbage_after_auth_is_corrupt_xdr(net):
    node, good = net
    r = _raw(node)
    r.handshake()
    body = b"\x00\x00\x00\x00" + struct.pack(">Q", r.mac.send_seq) + b"\xff\xff\xff\x7f" + bytes(32)
    r.send_raw(wire.frame(body))
    err = r.recv_until(MT.ERROR_MSG)
    assert err.error.code == xdr.ErrorCode.ERR_DATA
    assert _dropped_with(node, r, "received corrupt XDR")
    _still_serving(node, good)


def test_second_hello(net):
    node, good = net
    r = _raw(node)
    r.handshake()
    # a HELLO is never MAC'd by an honest sender, so after the handshake it
    # fails the sequence check (as in stellar-core) ...
    r.send(r.hello_msg())
    assert _dropped_with(node, r, "unexpected auth sequence")
    # ... and one MAC'd by hand reaches recvHello, which refuses it
    r = _raw(node)
    r.handshake()
    m = r.hello_msg()
    r.send_raw(wire.encode_authenticated(m.to_xdr(), r.mac.send_seq, r.mac.send_key))
    assert _dropped_with(node, r, "received unexpected HELLO")
    _still_serving(node, good)


def test_auth_before_hello(net):
    node, good = net
    r = _raw(node)
    r.send(xdr.StellarMessage(auth=xdr.Auth(flags=200)))
    err = r.recv_until(MT.ERROR_MSG)
    assert err.error.code == xdr.ErrorCode.ERR_MISC
    assert _dropped_with(node, r, "out-of-order AUTH message")
    _still_serving(node, good)


def test_message_before_handshake(net):
    node, good = net
    r = _raw(node)
    r.send(xdr.StellarMessage(getSCPLedgerSeq=1))
    assert _dropped_with(node, r, "before completed handshake")
    _still_serving(node, good)


def test_auth_without_flow_control_bytes(net):
    node, good = net
    r = _raw(node)
    r.send(r.hello_msg())
    h = r.recv_until(MT.HELLO)
    from stellarcore.overlay import auth as A
    r.mac.set_keys(*r.auth.mac_keys(bytes(h.hello.cert.pubkey.key), r.nonce, bytes(h.hello.nonce),
                                    A.WE_CALLED_REMOTE))
    r.send(xdr.StellarMessage(auth=xdr.Auth(flags=0)))
    assert r.recv_until(MT.ERROR_MSG).error.msg == b"flow control bytes disabled"
    assert _dropped_with(node, r, "flow control bytes disabled")
    _still_serving(node, good)


@pytest.mark.parametrize("lo,hi", [(39, 40), (30, 34), (38, 35)])
def test_wrong_overlay_version(net, lo, hi):
    node, good = net
    r = _raw(node)
    r.send(r.hello_msg(overlayMinVersion=lo, overlayVersion=hi))
    assert r.recv_until(MT.ERROR_MSG).error.msg == b"wrong protocol version"
    assert _dropped_with(node, r, "wrong protocol version")
    _still_serving(node, good)


def test_overlay_version_window_accepted():
    """[35, 38] is accepted, as is a peer whose range overlaps (min <= 38, max >= 35)."""
    node = make_node()
    try:
        for lo, hi in [(35, 35), (38, 38), (30, 36), (37, 45)]:
            r = RawPeer(node.listening_port)
            r.send(r.hello_msg(overlayMinVersion=lo, overlayVersion=hi))
            assert r.recv_until(MT.HELLO) is not None
            r.close()
        assert not any("protocol" in reason for _, reason in node.dropped)
    finally:
        shutdown_all([node])


def test_legacy_send_more(net):
    node, good = net
    r = _raw(node)
    r.handshake()
    r.send(xdr.StellarMessage(sendMoreMessage=xdr.SendMore(numMessages=1)))
    assert _dropped_with(node, r, "unexpected message type SEND_MORE")
    _still_serving(node, good)


def test_send_more_with_zero_bytes(net):
    node, good = net
    r = _raw(node)
    r.handshake()
    r.send(xdr.StellarMessage(sendMoreExtendedMessage=xdr.SendMoreExtended(numMessages=1, numBytes=0)))
    assert _dropped_with(node, r, "invalid message SEND_MORE_EXTENDED")
    _still_serving(node, good)


def test_peers_from_inbound_peer(net):
    node, good = net
    r = _raw(node)
    r.handshake()
    r.send(xdr.StellarMessage(type=MT.PEERS, peers=[]))
    assert _dropped_with(node, r, "received PEERS")
    _still_serving(node, good)


def test_banned_node(net):
    node, good = net
    r = _raw(node)
    node.ban_manager.ban_node(r.node.public_key.ed25519)
    r.send(r.hello_msg())
    assert _dropped_with(node, r, "node is banned")
    node.ban_manager.unban_node(r.node.public_key.ed25519)
    _still_serving(node, good)


def test_error_message_drops_with_sanitized_text(net):
    node, good = net
    r = _raw(node)
    r.handshake()
    r.send(xdr.StellarMessage(error=xdr.Error(code=xdr.ErrorCode.ERR_LOAD, msg=b"go\naway!")))
    assert _dropped_with(node, r, "ERR_LOAD (go*away*)")
    _still_serving(node, good)


def test_raw_peer_gets_send_more_peers_and_scp_state(net):
    """What a stellar-core initiator sees after our AUTH (Peer::recvAuth of
    an acceptor): PEERS if we know any, then SEND_MORE_EXTENDED(200, 300000),
    then GET_SCP_STATE."""
    node, good = net
    r = _raw(node)
    r.handshake()
    m = r.recv()
    if m.type == MT.PEERS:
        assert 0 < len(m.peers) <= 50
        m = r.recv()
    assert m.type == MT.SEND_MORE_EXTENDED
    assert (m.sendMoreExtendedMessage.numMessages, m.sendMoreExtendedMessage.numBytes) == (200, 300000)
    assert r.recv_until(MT.GET_SCP_STATE) is not None
    r.close()


def test_drop_reason_is_logged(net, caplog):
    import logging
    node, good = net
    with caplog.at_level(logging.DEBUG, logger="stellarcore.overlay"):
        r = _raw(node)
        r.send_raw(mark(0x2345) + bytes(16))
        assert _dropped_with(node, r, "message size unacceptable: 9029")
    assert any("message size unacceptable: 9029" in rec.getMessage() for rec in caplog.records)
    _still_serving(node, good)
