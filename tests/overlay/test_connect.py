"""Nodes on loopback connect, authenticate, and flood."""
import gevent
import pytest

from stellarcore import xdr
from stellarcore.overlay.messages import MT
from tests.overlay.helpers import connect, make_node, scp_envelope, sdk_transaction, shutdown_all, wait_until


@pytest.fixture
def two():
    a, b = make_node(), make_node()
    connect(a, b)
    assert wait_until(lambda: a.authenticated_count() == 1 and b.authenticated_count() == 1)
    yield a, b
    shutdown_all([a, b])


def test_two_nodes_authenticate(two):
    a, b = two
    pa = next(iter(a.get_authenticated_peers().values()))
    pb = next(iter(b.get_authenticated_peers().values()))
    assert pa.peer_id == b.node_id and pb.peer_id == a.node_id
    assert pa.remote_overlay_version == 38 and pa.remote_overlay_min_version == 35
    # the acceptor learned our listening port from HELLO
    assert pb.address.port == a.listening_port
    # both granted the initial flood capacity: 200 messages, 300000 bytes
    assert wait_until(lambda: pa.flow.msgs.outbound >= 200 and pb.flow.msgs.outbound >= 200)
    assert pa.flow.bytes.outbound == 300000 - sum(0 for _ in ())  # nothing flooded yet
    # GET_SCP_STATE asked right after AUTH
    assert wait_until(lambda: a.herder.scp_state_requests and b.herder.scp_state_requests)


def test_two_nodes_flood_scp_and_tx(two):
    a, b = two
    env = scp_envelope(3)
    a.herder.recv_scp_envelope(env)          # as if a's herder accepted it
    assert wait_until(lambda: len(b.herder.envelopes) == 1)
    assert b.herder.envelopes[0] == env
    tx = sdk_transaction(1)
    h = a.herder.submit_transaction(tx)
    assert wait_until(lambda: h in b.herder.txs)
    assert b.herder.tx_receipts[h] == 1
    assert b.herder.txs[h] == tx


def test_qset_and_txset_queries_and_dont_have(two):
    a, b = two
    q = xdr.SCPQuorumSet(threshold=1, validators=[xdr.PublicKey(ed25519=bytes(32))], innerSets=[])
    from stellarcore.crypto.sha import sha256
    qh = sha256(q.to_xdr())
    b.herder.qsets[qh] = q
    a.fetch_qset(qh)
    assert wait_until(lambda: qh in a.herder.qsets)
    missing = bytes([5]) * 32
    a.fetch_tx_set(missing)
    assert wait_until(lambda: (int(MT.GENERALIZED_TX_SET), missing) in a.herder.dont_haves)
    a.stop_fetching(missing)


def test_ping_measures_latency(two):
    a, b = two
    pa = next(iter(a.get_authenticated_peers().values()))
    assert wait_until(lambda: pa.last_ping_ms is not None)


def test_ten_nodes_full_mesh_flood():
    nodes = [make_node(target_peer_connections=12) for _ in range(10)]
    try:
        for i in range(10):
            for j in range(i + 1, 10):
                connect(nodes[i], nodes[j])
        assert wait_until(lambda: all(n.authenticated_count() == 9 for n in nodes), timeout=10)
        envs = [scp_envelope(10 + i) for i in range(5)]
        for i, e in enumerate(envs):
            nodes[i].herder.recv_scp_envelope(e)
        assert wait_until(lambda: all(len(n.herder.envelopes) == 5 for n in nodes), timeout=10)
    finally:
        shutdown_all(nodes)


def test_connecting_to_self_is_refused():
    a = make_node()
    try:
        connect(a, a)
        assert wait_until(lambda: any("connecting to self" in r for _, r in a.dropped))
        assert a.authenticated_count() == 0
    finally:
        shutdown_all([a])


def test_second_connection_between_same_nodes_dropped():
    a, b = make_node(), make_node()
    try:
        connect(a, b)
        assert wait_until(lambda: a.authenticated_count() == 1)
        # b knows a by the port in a's HELLO; forcing an outbound connection
        # gets past that, and the handshake then refuses the duplicate
        assert b.connect_to(f"127.0.0.1:{a.listening_port}", force_outbound=True)
        assert wait_until(lambda: any("already-connected" in r for _, r in a.dropped + b.dropped))
        gevent.sleep(0.1)
        assert a.authenticated_count() == 1 and b.authenticated_count() == 1
    finally:
        shutdown_all([a, b])
