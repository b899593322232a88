"""The quorum intersection checker (stellar-core's check-quorum-intersection, v2)."""
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stellarcore.crypto import strkey
from stellarcore.herder import quorum_intersection as qi
from stellarcore.herder.quorum_intersection import QuorumCheckerStatus as Status
from stellarcore.scp.quorum import QSet, is_quorum

from tests.herder._networks import (analyzer_slice, bidir, brute_force_enjoys, flat,
                                    interconnect, is_quorum_set_of, key, make_orgs, quorums,
                                    scp_slice, tiered, unidir)

QI_DIR = ("testdata", "quorum-intersection")


def check(qmap, **kw):
    kw.setdefault("time_limit_ms", 60_000)
    return qi.network_enjoys_quorum_intersection(qmap, **kw)


def assert_split(qmap, result, rule=scp_slice):
    """A SAT result: the two reported quorums are disjoint quorums."""
    assert result.status == Status.SAT
    a, b = (frozenset(s) for s in result.split)
    assert a and b and not a & b
    assert is_quorum_set_of(qmap, a, rule) and is_quorum_set_of(qmap, b, rule)


# --- stellar-core's own inputs ------------------------------------------------

def test_enjoys_intersection_file(shared):
    path = shared(*QI_DIR, "enjoys-intersection.json")
    r = qi.check_quorum_intersection_file(path)
    assert r.status == Status.UNSAT and r.enjoys_quorum_intersection
    assert r.split == ((), ()) and r.error == ""
    assert brute_force_enjoys(qi.load_quorum_map(path))


def test_no_intersection_file(shared):
    path = shared(*QI_DIR, "no-intersection.json")
    qmap = qi.load_quorum_map(path)
    r = qi.check_quorum_intersection_file(path)
    assert_split(qmap, r)
    # the quorums, checked with SCP's own quorum test as well
    for side in r.split:
        sub = {k: qmap[k] for k in side}
        assert all(is_quorum(qmap[k], sub) for k in side)
    assert not brute_force_enjoys(qmap)
    j = r.to_json()
    assert j["status"] == 101
    assert [len(s) for s in j["quorum_split"]] == [len(s) for s in r.split]
    assert all(strkey.decode("G", k) for side in j["quorum_split"] for k in side)


def test_bad_key_file(shared):
    path = shared(*QI_DIR, "bad-key.json")
    with pytest.raises(qi.InvalidPublicKeyError, match="Invalid public key.*Short Key"):
        qi.load_quorum_map(path)


def test_bad_threshold_type_file(shared):
    path = shared(*QI_DIR, "bad-threshold-type.json")
    with pytest.raises(qi.QuorumMapError, match="'t' must exist and be an unsigned integer"):
        qi.load_quorum_map(path)


def test_every_shared_file_is_covered(shared):
    d = shared(*QI_DIR)
    assert {p.name for p in d.glob("*.json")} == {
        "enjoys-intersection.json", "no-intersection.json", "bad-key.json",
        "bad-threshold-type.json"}


# --- the JSON input -----------------------------------------------------------

G = [strkey.encode("G", key(i)) for i in range(4)]


def node(k, q):
    return {"node": k, "qset": q}


@pytest.mark.parametrize("doc, message", [
    ([], "as a JSON object"),
    ({}, "'nodes' must be an array"),
    ({"nodes": {}}, "'nodes' must be an array"),
    ({"nodes": [1]}, "must be an object"),
    ({"nodes": [{"qset": {}}]}, "'node' must exist and be a string"),
    ({"nodes": [{"node": 5, "qset": {}}]}, "'node' must exist and be a string"),
    ({"nodes": [{"node": G[0][:-1], "qset": {}}]}, "Invalid public key"),
    ({"nodes": [{"node": "S" + G[0][1:], "qset": {}}]}, "Invalid public key"),
    ({"nodes": [{"node": G[0]}]}, "'qset' must exist and be an object"),
    ({"nodes": [node(G[0], [])]}, "'qset' must exist and be an object"),
    ({"nodes": [node(G[0], {"v": []})]}, "'t' must exist"),
    ({"nodes": [node(G[0], {"t": -1, "v": []})]}, "'t' must exist"),
    ({"nodes": [node(G[0], {"t": 2 ** 32, "v": []})]}, "'t' must exist"),
    ({"nodes": [node(G[0], {"t": 1.5, "v": []})]}, "'t' must exist"),
    ({"nodes": [node(G[0], {"t": True, "v": []})]}, "'t' must exist"),
    ({"nodes": [node(G[0], {"t": 1})]}, "'v' must exist and be an array"),
    ({"nodes": [node(G[0], {"t": 1, "v": [3]})]}, "Each entry in 'v'"),
    ({"nodes": [node(G[0], {"t": 1, "v": ["GABC"]})]}, "Invalid validator key"),
    ({"nodes": [node(G[0], {"t": 1, "v": [{"t": "1", "v": []}]})]}, "'t' must exist"),
    ({"nodes": [node(G[0], {}), node(G[0], {})]}, "multiple nodes with the same 'node'"),
])
def test_malformed_json(doc, message):
    with pytest.raises(qi.QuorumMapError, match=message):
        qi.parse_quorum_map(json.dumps(doc))


@pytest.mark.parametrize("text", ["", "{", "nope", '{"nodes": [NaN]}', "/* open"])
def test_unparsable_json(text):
    with pytest.raises(qi.QuorumMapError, match="Failed to parse"):
        qi.parse_quorum_map(text)


def test_json_read_as_jsoncpp_reads_it():
    # comments, an integral real threshold, trailing text after the document
    text = ('// a quorum map\n{"nodes": [ /* one */ {"node": "%s", "qset": '
            '{"t": 1.0, "v": ["%s", {"t": 2e0, "v": ["%s", "%s"]}]}},\n'
            '{"node": "%s", "qset": {}}]} trailing' % (G[0], G[1], G[2], G[3], G[1]))
    qmap = qi.parse_quorum_map(text)
    assert list(qmap) == [key(0), key(1)]
    assert qmap[key(0)] == QSet(1, (key(1),), (QSet(2, (key(2), key(3))),))
    assert qmap[key(1)] is None          # empty qset: unknown


def test_quorum_map_json_round_trip():
    qmap = tiered(3, 2, 2, 1)
    qmap[key(99)] = None
    assert qi.quorum_map_from_json(qi.quorum_map_to_json(qmap)) == qmap


# --- hand-made networks ---------------------------------------------------------

def test_four_nodes_three_of_four():
    ks = [key(i) for i in range(4)]
    r = check(flat(ks, 3))
    assert r.status == Status.UNSAT and r.split == ((), ())


def test_two_disjoint_pairs():
    a, b = [key(0), key(1)], [key(2), key(3)]
    qmap = {**flat(a, 2), **flat(b, 2)}
    r = check(qmap)
    assert_split(qmap, r)
    assert {frozenset(s) for s in r.split} == {frozenset(a), frozenset(b)}


def test_mainnet_like_seven_orgs_of_three():
    qmap = tiered(7, 3, top=5, inner=2)
    t0 = time.monotonic()
    r = check(qmap)
    assert r.status == Status.UNSAT
    assert time.monotonic() - t0 < 5


@pytest.mark.parametrize("top, inner, enjoys", [
    (5, 2, True), (4, 2, True), (4, 1, False), (3, 2, False), (5, 1, False), (7, 2, True),
    (1, 3, False)])
def test_lowering_thresholds_breaks_intersection(top, inner, enjoys):
    qmap = tiered(7, 3, top=top, inner=inner)
    r = check(qmap)
    if enjoys:
        assert r.status == Status.UNSAT
    else:
        assert_split(qmap, r)


def test_no_quorum_at_all_enjoys_intersection():
    ks = [key(i) for i in range(3)]
    qmap = {k: QSet(2, (k, key(99))) for k in ks}   # key(99) is unknown
    qmap[key(50)] = None
    assert quorums(qmap) == []
    assert check(qmap).status == Status.UNSAT


def test_unknown_nodes_are_never_in_a_quorum():
    # like stellar-core's "4-org 1-node 4-null qsets": 0 and 1 need the unknown 2 and 3
    orgs = make_orgs(4, (1,))
    qmap = interconnect(orgs, unidir([(0, 1), (1, 0), (0, 2), (0, 3), (1, 2), (1, 3)]))
    for o in orgs[2:]:
        for k in o:
            qmap[k] = None
    assert check(qmap).status == Status.UNSAT


def test_single_node_networks():
    k = key(0)
    assert check({k: QSet(1, (k,))}).status == Status.UNSAT
    assert check({k: None}).status == Status.UNSAT
    assert check({}).status == Status.UNSAT


# stellar-core's QuorumIntersectionTests.cpp networks, rebuilt: (org sizes, edges,
# bidirectional, expected to enjoy intersection)
ORG_CASES = {
    "3-org 3-node open line": ((3,), 3, [(0, 1), (1, 2)], True, False),
    "3-org 2-node open line": ((2,), 3, [(0, 1), (1, 2)], True, True),
    "3-org 3-node closed ring": ((3,), 3, [(0, 1), (1, 2), (0, 2)], True, True),
    "3-org 3-node closed one-way ring": ((3,), 3, [(0, 1), (1, 2), (2, 0)], False, False),
    "3-org 2-node closed one-way ring": ((2,), 3, [(0, 1), (1, 2), (2, 0)], False, True),
    "3-org 2-of-3 asymmetric": ((3,), 3, [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)],
                                False, True),
    "8-org core-and-periphery dangling": (
        (3, 3, 3, 3, 2, 2, 2, 2), 8,
        [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3), (0, 4), (1, 5), (2, 6), (3, 7)],
        True, False),
    "8-org core-and-periphery balanced": (
        (3, 3, 3, 3, 2, 2, 2, 2), 8,
        [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3),
         (0, 4), (1, 4), (1, 5), (3, 5), (2, 6), (0, 6), (3, 7), (2, 7)], True, True),
    "8-org core-and-periphery unbalanced": (
        (3, 3, 3, 3, 2, 2, 2, 2), 8,
        [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3),
         (0, 4), (1, 4), (0, 5), (1, 5), (2, 6), (3, 6), (2, 7), (3, 7)], True, False),
}


@pytest.mark.parametrize("name", sorted(ORG_CASES))
def test_stellar_core_org_networks(name):
    sizes, n, edges, both_ways, enjoys = ORG_CASES[name]
    qmap = interconnect(make_orgs(n, sizes), bidir(edges) if both_ways else unidir(edges))
    r = check(qmap)
    assert r.enjoys_quorum_intersection == enjoys
    if not enjoys:
        assert_split(qmap, r)


@pytest.mark.parametrize("n_orgs", [4, 6, 10, 16])
def test_fully_connected_orgs(n_orgs):
    qmap = interconnect(make_orgs(n_orgs), lambda i, j: True)
    assert check(qmap).status == Status.UNSAT


def test_six_node_subquorums():
    # stellar-core's "6-node with subquorums" (enjoys) and its split variant
    a, b, c, d, e, f = (key(i) for i in range(6))

    def q2(*ks):
        return QSet(2, ks)

    good = {a: QSet(2, (), (q2(b, d, c), q2(b, d, e), q2(c, d, e))),
            b: QSet(2, (), (q2(a, c, d), q2(a, c, e), q2(a, c, f))),
            c: QSet(2, (), (q2(a, b, d), q2(a, b, e), q2(a, b, f))),
            d: QSet(2, (), (q2(a, b, c), q2(a, b, e), q2(a, b, f))),
            e: QSet(2, (), (q2(a, b, c), q2(a, b, d), q2(a, b, f))),
            f: QSet(2, (), (q2(a, b, c), q2(a, b, d), q2(a, b, e)))}
    assert check(good).status == Status.UNSAT
    assert brute_force_enjoys(good)
    bad = {a: QSet(2, (), (q2(a, b, c), q2(a, b, d), q2(a, b, e))),
           b: QSet(2, (), (q2(b, d, c), q2(a, b, d), q2(a, b, f))),
           c: QSet(2, (), (q2(a, c, d), q2(a, c, d), q2(a, c, f))),
           d: QSet(2, (), (q2(c, d, e), q2(a, d, e), q2(b, d, e))),
           e: QSet(2, (), (q2(c, d, e), q2(a, d, e), q2(b, d, e))),
           f: QSet(2, (), (q2(a, b, f), q2(a, d, f), q2(b, d, f)))}
    r = check(bad)
    assert_split(bad, r)
    assert not brute_force_enjoys(bad)


# --- the analyzer's model on insane quorum sets -------------------------------------

def test_threshold_zero_is_always_satisfied():
    # stellar-quorum-analyzer: a threshold-0 set holds with no member at all,
    # so each of these nodes is a quorum on its own (SCP's slice test differs)
    a, b = key(0), key(1)
    qmap = {a: QSet(0, (b,)), b: QSet(0, (a,))}
    r = check(qmap)
    assert_split(qmap, r, analyzer_slice)
    assert brute_force_enjoys(qmap, scp_slice)        # no quorum under SCP's rule


def test_duplicate_validators_count_once():
    a, b, c = key(0), key(1), key(2)
    # {2, [a, a]} needs a twice: the analyzer dedups, so it is never satisfied
    qmap = {a: QSet(2, (a, a)), b: QSet(1, (b,)), c: QSet(1, (c,))}
    r = check(qmap)
    assert_split(qmap, r, analyzer_slice)
    assert a not in r.split[0] + r.split[1]


def test_identical_inner_sets_count_once():
    a, b = key(0), key(1)
    inner = QSet(1, (a,))
    qmap = {a: QSet(2, (), (inner, inner)), b: QSet(1, (b,))}   # 2 of {inner} once
    assert check(qmap).status == Status.UNSAT                    # only {b} is a quorum
    assert brute_force_enjoys(qmap, analyzer_slice)


def test_nesting_too_deep_is_unknown():
    a = key(0)
    q = QSet(1, (a,))
    for _ in range(4):
        q = QSet(1, (), (q,))                 # a set 4 levels below the node's
    r = check({a: q})
    assert r.status == Status.UNKNOWN
    assert "depth" in r.error
    assert r.metrics.failed_run_count == 1
    q3 = QSet(1, (a,))
    for _ in range(3):
        q3 = QSet(1, (), (q3,))
    assert check({a: q3}).status == Status.UNSAT


# --- time limit and metrics ---------------------------------------------------------

def test_time_limit_zero_is_unknown():
    r = check(tiered(7, 3, 5, 2), time_limit_ms=0)
    assert r.status == Status.UNKNOWN and "Resource limits exceeded" in r.error
    assert r.to_json()["status"] == 102


def test_time_limit_interrupts_the_solver(monkeypatch):
    # without the counting clauses a large flat network defeats the solver
    monkeypatch.setattr(qi, "_add_counting_hints", lambda *a: None)
    ks = [key(i) for i in range(60)]
    qmap = {k: QSet(31 + i % 7, tuple(ks)) for i, k in enumerate(ks)}
    t0 = time.monotonic()
    r = check(qmap, time_limit_ms=300)
    elapsed = time.monotonic() - t0
    assert r.status == Status.UNKNOWN and "Resource limits exceeded" in r.error
    assert elapsed < 5


def test_metrics_and_result_json():
    qmap = tiered(4, 3, 3, 2)
    r = check(qmap, analyze_critical_groups=True)
    m = r.to_json()["metrics"]
    assert set(m) == {"successful_run_count", "failed_run_count", "aborted_run_count",
                      "result_potential_split_count", "result_unknown_count",
                      "cumulative_time_ms", "cumulative_mem_byte"}
    assert m["successful_run_count"] > 1 and m["failed_run_count"] == 0
    assert set(r.to_json()) == {"status", "quorum_split", "intersection_critical_groups",
                                "error", "metrics"}


# --- performance -------------------------------------------------------------------

def random_network(n, seed):
    """n nodes; each trusts a random 60-100% of the network, needing more than
    two thirds of it."""
    import random
    rnd = random.Random(seed)
    ks = [key(i) for i in range(n)]
    qmap = {}
    for k in ks:
        peers = rnd.sample(ks, rnd.randint(int(0.6 * n), n))
        qmap[k] = QSet(len(peers) * 2 // 3 + 1, tuple(peers))
    return qmap


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fifty_node_random_network(seed):
    qmap = random_network(50, seed)
    t0 = time.monotonic()
    r = check(qmap)
    assert r.status == Status.UNSAT
    assert time.monotonic() - t0 < 5


def test_fifty_node_flat_network_counts():
    ks = [key(i) for i in range(50)]
    assert check(flat(ks, 26)).status == Status.UNSAT
    r = check(flat(ks, 25))
    assert_split(flat(ks, 25), r)


# --- against brute force -------------------------------------------------------------

KEYS = [key(i) for i in range(6)]


@st.composite
def sane_qset(draw, pool, depth=0):
    """A sane quorum set over `pool` (no node twice anywhere in it)."""
    vals = draw(st.lists(st.sampled_from(pool), unique=True, max_size=len(pool)))
    rest = [k for k in pool if k not in vals]
    inner = []
    if depth < 2 and rest:
        for _ in range(draw(st.integers(0, 2))):
            sub = draw(st.lists(st.sampled_from(rest), unique=True, min_size=1,
                                max_size=len(rest)))
            rest = [k for k in rest if k not in sub]
            inner.append(draw(sane_qset(sub, depth + 1)))
            if not rest:
                break
    entries = len(vals) + len(inner)
    if entries == 0:
        vals = [pool[0]]
        entries = 1
    t = draw(st.integers(1, entries))
    return QSet(t, tuple(vals), tuple(inner))


@st.composite
def any_qset(draw, pool, depth=0):
    """Any quorum set: duplicates, threshold 0, thresholds above the entries."""
    vals = draw(st.lists(st.sampled_from(pool), max_size=5))
    inner = []
    if depth < 2:
        inner = draw(st.lists(any_qset(pool, depth + 1), max_size=2))
    t = draw(st.integers(0, len(vals) + len(inner) + 1))
    return QSet(t, tuple(vals), tuple(inner))


@st.composite
def network(draw, qset_strategy):
    n = draw(st.integers(1, 6))
    nodes = KEYS[:n]
    pool = KEYS[:n + 1]                 # may name one node nobody knows
    qmap = {}
    for k in nodes:
        roll = draw(st.integers(0, 9))
        if roll == 0:
            qmap[k] = None
        elif roll <= 3 and any(qmap.values()):
            # share another node's quorum set (interchangeable validators)
            qmap[k] = draw(st.sampled_from([q for q in qmap.values() if q is not None]))
        else:
            qmap[k] = draw(qset_strategy(pool))
    return qmap


PROPS = settings(max_examples=300, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPS
@given(network(lambda pool: sane_qset(pool)))
def test_sane_networks_match_brute_force(qmap):
    r = check(qmap)
    assert r.status != Status.UNKNOWN
    assert r.enjoys_quorum_intersection == brute_force_enjoys(qmap, scp_slice)
    if r.status == Status.SAT:
        assert_split(qmap, r, scp_slice)


@PROPS
@given(network(lambda pool: any_qset(pool)))
def test_any_networks_match_the_analyzer_model(qmap):
    r = check(qmap)
    assert r.status != Status.UNKNOWN
    assert r.enjoys_quorum_intersection == brute_force_enjoys(qmap, analyzer_slice)
    if r.status == Status.SAT:
        assert_split(qmap, r, analyzer_slice)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(network(lambda pool: sane_qset(pool)))
def test_critical_groups_match_brute_force(qmap):
    r = check(qmap, analyze_critical_groups=True)
    if r.status != Status.UNSAT:
        assert r.critical_groups == []
        return
    expected = qi.intersection_critical_groups(
        qmap, lambda m: brute_force_enjoys(m, analyzer_slice))
    assert r.critical_groups == expected


# --- critical groups --------------------------------------------------------------------

def test_critical_group_bridge_org():
    # stellar-core's "quorum intersection criticality": org3 bridges {0,1,2}
    # and {4,5,6}; made fickle, it lets them split
    orgs = make_orgs(7, (1,))
    qmap = interconnect(orgs, bidir([(0, 1), (1, 2), (4, 5), (4, 6), (5, 6),
                                     (0, 3), (1, 3), (2, 3), (4, 3), (6, 3)]))
    r = check(qmap, analyze_critical_groups=True)
    assert r.status == Status.UNSAT
    assert r.critical_groups == [(orgs[3][0],)]
    j = r.to_json()
    assert j["intersection_critical_groups"] == [[strkey.encode("G", orgs[3][0])]]


def test_critical_groups_none_in_a_robust_network():
    r = check(tiered(7, 3, 5, 2), analyze_critical_groups=True)
    assert r.status == Status.UNSAT and r.critical_groups == [] and r.error == ""


def test_critical_groups_only_when_intersecting():
    a, b = [key(0), key(1)], [key(2), key(3)]
    r = check({**flat(a, 2), **flat(b, 2)}, analyze_critical_groups=True)
    assert r.status == Status.SAT and r.critical_groups == []
    assert r.metrics.successful_run_count == 1


def test_critical_groups_interrupted_keep_the_status(monkeypatch):
    # the first run finishes; the time limit runs out during the analysis
    real_run = qi._run
    calls = []

    def run(qmap, deadline):
        calls.append(1)
        if len(calls) == 3:
            raise qi.TimeLimitExceeded("Resource limits exceeded -- test")
        return real_run(qmap, deadline)
    monkeypatch.setattr(qi, "_run", run)
    r = check(tiered(4, 3, 3, 2), analyze_critical_groups=True)
    assert r.status == Status.UNSAT and r.critical_groups == []
    assert r.error == "Resource limits exceeded -- test"
    assert r.metrics.successful_run_count == 2 and r.metrics.failed_run_count == 1
