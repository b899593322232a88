"""10 nodes in a ring plus random chords: every transaction reaches every
node exactly once (pull mode: one TRANSACTION message per node per tx), and
no node demands the same transaction twice."""
import random

from tests.overlay.helpers import connect, make_node, scp_envelope, sdk_transaction, shutdown_all, wait_until

N = 10


def test_ring_plus_random_every_tx_exactly_once():
    rng = random.Random(7)
    nodes = [make_node(target_peer_connections=10) for _ in range(N)]
    edges = {(i, (i + 1) % N) for i in range(N)}
    while len(edges) < N + 6:
        a, b = rng.sample(range(N), 2)
        if (a, b) not in edges and (b, a) not in edges:
            edges.add((a, b))
    try:
        for a, b in edges:
            connect(nodes[a], nodes[b])
        degree = [sum(1 for e in edges if i in e) for i in range(N)]
        assert wait_until(lambda: all(n.authenticated_count() == degree[i] for i, n in enumerate(nodes)),
                          timeout=10)
        hashes = []
        for k in range(60):
            origin = nodes[k % N]
            hashes.append(origin.herder.submit_transaction(sdk_transaction(k)))
        assert wait_until(lambda: all(len(n.herder.txs) == len(hashes) for n in nodes), timeout=20)
        for i, n in enumerate(nodes):
            for k, h in enumerate(hashes):
                expected = 0 if k % N == i else 1        # the origin never receives its own tx
                assert n.herder.tx_receipts.get(h, 0) == expected, (i, k)
            assert n.tx_demands.duplicate_demands == 0
            # one demand per tx this node did not originate
            assert n.tx_demands.demands_sent == len(hashes) - sum(1 for k in range(len(hashes)) if k % N == i)
        # SCP floods over the same topology, each envelope delivered to every herder
        env = scp_envelope(77)
        nodes[3].herder.recv_scp_envelope(env)
        assert wait_until(lambda: all(env in n.herder.envelopes for n in nodes), timeout=10)
        assert all(len(n.herder.envelopes) == 1 for n in nodes)
    finally:
        shutdown_all(nodes)
