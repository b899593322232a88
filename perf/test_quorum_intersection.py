"""Wall time of one quorum intersection check (check-quorum-intersection).

    python -m pytest perf/test_quorum_intersection.py

Target: a few seconds at most for the 7x3 tiered network and a 50-node
random network that enjoys intersection (stellar-core's default time limit
is 5 s).  The networks are the tests' (tests/herder).
"""
import pytest

from stellarcore.herder import quorum_intersection as qi
from tests.herder._networks import interconnect, make_orgs, tiered
from tests.herder.test_quorum_intersection import random_network

NETWORKS = {
    "tiered 7x3 (5 of 7 orgs, 2 of 3)": lambda: tiered(7, 3, 5, 2),
    "random 50 nodes (seed 0)": lambda: random_network(50, 0),
    "random 200 nodes (seed 0)": lambda: random_network(200, 0),
    "32 orgs fully connected (128 nodes)": lambda: interconnect(make_orgs(32), lambda i, j: True),
}


@pytest.mark.benchmark(group="quorum-intersection")
@pytest.mark.parametrize("name", list(NETWORKS))
def test_check(benchmark, name):
    qmap = NETWORKS[name]()
    result = benchmark(qi.network_enjoys_quorum_intersection, qmap, None)
    assert result.status == qi.QuorumCheckerStatus.UNSAT


@pytest.mark.benchmark(group="quorum-intersection-critical")
def test_critical_groups_tiered(benchmark):
    qmap = tiered(7, 3, 5, 2)
    result = benchmark(qi.network_enjoys_quorum_intersection, qmap, None, True)
    assert result.status == qi.QuorumCheckerStatus.UNSAT and result.critical_groups == []
