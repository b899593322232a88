"""Networks for the quorum intersection tests, and a brute-force checker.

The brute force enumerates every subset of the nodes with a known quorum
set, keeps the quorums and compares every pair.  `scp_slice` is SCP's own
rule (stellarcore.scp.quorum.is_quorum_slice); `analyzer_slice` is the model
of stellar-core's v2 checker (stellar-quorum-analyzer), written here
independently: validators and inner sets are sets (duplicates count once),
unknown validators are dropped, a threshold of 0 is always satisfied.
"""
import hashlib
import itertools

from stellarcore.scp.quorum import QSet, is_quorum_slice


def key(i):
    return hashlib.sha256(b"quorum-intersection-test-node-%d" % i).digest()


def flat(keys, threshold):
    q = QSet(threshold, tuple(keys))
    return {k: q for k in keys}


def tiered(orgs, per_org, top, inner, base=0):
    """`orgs` organizations of `per_org` validators; everyone has the same
    quorum set: `top` of the organizations, each `inner` of its validators."""
    groups = [[key(base + 100 * o + j) for j in range(per_org)] for o in range(orgs)]
    q = QSet(top, (), tuple(QSet(inner, tuple(g)) for g in groups))
    return {k: q for g in groups for k in g}


def round_up_pct(n, pct):
    return 1 + (n * pct - 1) // 100


def make_orgs(n_orgs, sizes=(3, 5), base=0):
    return [[key(base + 1000 * i + j) for j in range(sizes[i % len(sizes)])]
            for i in range(n_orgs)]


def interconnect(orgs, depends, own_pct=67, inner_pct=51):
    """Each organization's nodes share one quorum set: their own validators and
    one inner set (inner_pct of its members) per organization they depend on,
    own_pct of all those entries (the shape of stellar-core's
    QuorumIntersectionTests)."""
    qmap = {}
    for i, org in enumerate(orgs):
        inner = tuple(QSet(round_up_pct(len(orgs[j]), inner_pct), tuple(orgs[j]))
                      for j in range(len(orgs)) if j != i and depends(i, j))
        q = QSet(round_up_pct(len(org) + len(inner), own_pct), tuple(org), inner)
        for k in org:
            qmap[k] = q
    return qmap


def bidir(edges):
    es = {(a, b) for a, b in edges} | {(b, a) for a, b in edges}
    return lambda i, j: (i, j) in es


def unidir(edges):
    es = set(edges)
    return lambda i, j: (i, j) in es


def scp_slice(qmap):
    return lambda q, nodes: is_quorum_slice(q, nodes)


def analyzer_slice(qmap):
    known = {k for k, q in qmap.items() if q is not None}

    def canon(q):
        return (q.threshold, frozenset(v for v in q.validators if v in known),
                frozenset(canon(i) for i in q.inner))

    def sat(c, nodes):
        t, vals, inner = c
        if t == 0:
            return True
        return len(vals & nodes) + sum(1 for i in inner if sat(i, nodes)) >= t

    cache = {}

    def slice_ok(q, nodes):
        c = cache.get(q)
        if c is None:
            c = cache[q] = canon(q)
        return sat(c, nodes)
    return slice_ok


def quorums(qmap, rule=scp_slice):
    ok = rule(qmap)
    nodes = [k for k, q in qmap.items() if q is not None]
    found = []
    for r in range(1, len(nodes) + 1):
        for combo in itertools.combinations(nodes, r):
            s = frozenset(combo)
            if all(ok(qmap[v], s) for v in s):
                found.append(s)
    return found


def brute_force_enjoys(qmap, rule=scp_slice):
    qs = quorums(qmap, rule)
    return all(a & b for a, b in itertools.combinations(qs, 2))


def is_quorum_set_of(qmap, nodes, rule=scp_slice):
    ok = rule(qmap)
    nodes = frozenset(nodes)
    return bool(nodes) and all(qmap.get(v) is not None and ok(qmap[v], nodes) for v in nodes)
