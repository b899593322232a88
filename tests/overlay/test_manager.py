"""Peer management: configured peers, the tick, preferred-only, limits."""
import gevent

from stellarcore.overlay.address import PeerBareAddress
from stellarcore.overlay.peer_manager import PeerType
from tests.overlay.helpers import connect, make_node, shutdown_all, wait_until


def test_tick_connects_to_known_and_preferred_peers():
    b, c = make_node(), make_node()
    a = make_node(known_peers=[f"127.0.0.1:{b.listening_port}"],
                  preferred_peers=[f"127.0.0.1:{c.listening_port}"], run_standalone=False)
    try:
        assert wait_until(lambda: a.authenticated_count() == 2, timeout=5)
        rows = {(ip, port): (f, t) for ip, port, _, f, t in a.peer_manager.all_rows()}
        assert rows[("127.0.0.1", c.listening_port)] == (0, PeerType.PREFERRED)
        assert rows[("127.0.0.1", b.listening_port)] == (0, PeerType.OUTBOUND)
        assert all(a.is_preferred(p) == (p.peer_id == c.node_id) for p in a.get_authenticated_peers_list())
    finally:
        shutdown_all([a, b, c])


def test_failed_connection_backs_off():
    a = make_node()
    try:
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()                                   # nothing listens there
        addr = PeerBareAddress("127.0.0.1", port)
        assert a.connect_to(addr)
        assert wait_until(lambda: any("unable to connect" in r for _, r in a.dropped))
        rec, in_db = a.peer_manager.load(addr)
        assert in_db and rec.num_failures == 1
    finally:
        shutdown_all([a])


def test_preferred_peers_only_rejects_others():
    b = make_node()
    a = make_node(preferred_peers_only=True)
    try:
        connect(b, a)
        assert wait_until(lambda: any("peer rejected" in r for _, r in a.dropped))
        assert a.authenticated_count() == 0
        a.cfg.preferred_peer_keys = {b.node_id}
        gevent.sleep(0.05)
        connect(b, a)
        assert wait_until(lambda: a.authenticated_count() == 1)
    finally:
        shutdown_all([a, b])


def test_inbound_authenticated_limit():
    a = make_node(max_additional_peer_connections=1, target_peer_connections=1)
    others = [make_node() for _ in range(2)]
    try:
        for o in others:
            connect(o, a)
        assert wait_until(lambda: any("peer rejected" in r for _, r in a.dropped), timeout=5)
        assert len(a.inbound.authenticated) == 1
    finally:
        shutdown_all([a] + others)


def test_peers_message_fills_table():
    """The acceptor sends PEERS after AUTH; the initiator records the addresses."""
    a, b = make_node(), make_node()
    try:
        for i in range(5):
            b.peer_manager.update(PeerBareAddress(f"8.8.8.{i}", 11625), PeerType.OUTBOUND)
        b.peer_manager.update(PeerBareAddress("10.0.0.1", 11625), PeerType.OUTBOUND)   # private: not sent
        connect(a, b)
        assert wait_until(lambda: len([r for r in a.peer_manager.all_rows() if r[0].startswith("8.8.8.")]) == 5)
        assert not any(r[0] == "10.0.0.1" for r in a.peer_manager.all_rows())
    finally:
        shutdown_all([a, b])


def test_shutdown_drops_everyone():
    a, b = make_node(), make_node()
    connect(a, b)
    assert wait_until(lambda: b.authenticated_count() == 1)
    a.shutdown()
    assert wait_until(lambda: b.authenticated_count() == 0)
    assert any("ERR" in r or "closed" in r or "read" in r for _, r in b.dropped)
    shutdown_all([b])
