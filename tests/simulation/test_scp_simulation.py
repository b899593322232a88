"""SCP in the deterministic simulator: safety, liveness, faults, Byzantine nodes.

Safety is checked inside the simulation on every externalization (two intact
nodes externalizing different values for a slot raises SafetyViolation).
Liveness: every intact node externalizes every slot within a bounded
virtual time - a few ballot timeouts at most.
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stellarcore.simulation import EquivocatingNode, GarbageNode, SilentNode, Simulation, topologies

TIMEOUT_MS = 1000     # the simulation's initial ballot/nomination timeout


def agreed(sim, slots):
    """Every slot has exactly one value among intact nodes, and all have it."""
    for s in range(1, slots + 1):
        vals = sim.externalized_values(s)
        assert set(vals) == sim.intact, f"slot {s}: missing {sim.intact - set(vals)}"
        assert len(set(vals.values())) == 1


def test_four_nodes_many_slots():
    sim = Simulation(topologies.core(4), seed=1)
    assert sim.run(slots=10, max_time_ms=60_000)
    agreed(sim, 10)


def test_deterministic_for_a_seed():
    runs = []
    for _ in range(2):
        sim = Simulation(topologies.core(4), seed=7, loss=0.1, delay_ms=(1, 300))
        sim.run(slots=3)
        runs.append((sim.clock.now, sim.network.sent, [sim.externalized_values(s) for s in (1, 2, 3)]))
    assert runs[0] == runs[1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_loss_delay_and_reordering(seed):
    sim = Simulation(topologies.core(4), seed=seed, loss=0.2, delay_ms=(1, 800))
    assert sim.run(slots=3, max_time_ms=30 * TIMEOUT_MS * 3)
    agreed(sim, 3)


def test_tiered_seven_organisations_of_three():
    sim = Simulation(topologies.tiered(7, 3), seed=2)
    assert sim.run(slots=3, max_time_ms=60_000)
    agreed(sim, 3)


def test_fifty_random_nodes():
    """50 nodes in random organisations with random quorum sets, which the
    quorum intersection checker confirms enjoy intersection."""
    from stellarcore.herder.quorum_intersection import network_enjoys_quorum_intersection
    sim = Simulation(topologies.random_topology(50, seed=1), seed=5)
    qmap = {n.node_id: n.scp.local_qset for n in sim.nodes}
    assert network_enjoys_quorum_intersection(qmap).enjoys_quorum_intersection
    assert sim.run(slots=2, max_time_ms=60_000)
    agreed(sim, 2)


@pytest.mark.parametrize("behaviour", [EquivocatingNode, SilentNode, GarbageNode])
def test_one_byzantine_node_of_four(behaviour):
    sim = Simulation(topologies.core(4), seed=3, byzantine={"n3": behaviour})
    assert sim.run(slots=3, max_time_ms=60_000)
    agreed(sim, 3)
    if behaviour is GarbageNode:
        assert sum(n.rejected for n in sim.nodes if n.name in sim.intact) > 0


def test_byzantine_organisation_in_the_tiered_network():
    """One whole organisation equivocates and another is silent: 5 of 7 remain."""
    byz = {"o0v0": EquivocatingNode, "o0v1": EquivocatingNode, "o0v2": GarbageNode,
           "o1v0": SilentNode, "o1v1": SilentNode, "o1v2": SilentNode}
    sim = Simulation(topologies.tiered(7, 3), seed=4, byzantine=byz)
    assert sim.run(slots=2, max_time_ms=120_000)
    agreed(sim, 2)


def test_partition_then_heal():
    """The side with a quorum (5 organisations) keeps going; the other side
    cannot; once healed, everyone externalizes within a few timeouts."""
    sim = Simulation(topologies.tiered(7, 3), seed=6)
    major = [n for n in sim.by_name if int(n[1]) < 5]
    minor = [n for n in sim.by_name if int(n[1]) >= 5]
    sim.partition(major, minor)
    sim.start(3)
    sim.run_for(20 * TIMEOUT_MS)
    assert set(sim.externalized_values(1)) == set(major)
    sim.heal()
    assert sim.run_until_externalized(3, 10 * TIMEOUT_MS)
    agreed(sim, 3)


def test_even_split_stalls_safely_then_recovers():
    sim = Simulation(topologies.core(4), seed=8)
    sim.partition(["n0", "n1"], ["n2", "n3"])
    sim.start(2)
    sim.run_for(30 * TIMEOUT_MS)
    assert sim.externalized_values(1) == {}          # no side has a quorum (3 of 4)
    sim.heal()
    assert sim.run_until_externalized(2, 20 * TIMEOUT_MS)
    agreed(sim, 2)


@st.composite
def schedules(draw):
    n = draw(st.sampled_from([4, 5, 7]))
    names = [f"n{i}" for i in range(n)]
    f = (n - 1) // 3
    bad = draw(st.lists(st.sampled_from(names), max_size=f, unique=True))
    kinds = [EquivocatingNode, SilentNode, GarbageNode]
    byz = {b: draw(st.sampled_from(kinds)) for b in bad}
    split = draw(st.integers(1, n - 1))
    return dict(n=n, byz=byz, seed=draw(st.integers(0, 2**32 - 1)),
                loss=draw(st.sampled_from([0.0, 0.05, 0.2, 0.4])),
                delay=draw(st.sampled_from([(1, 50), (1, 500), (100, 2000)])),
                partition_at=draw(st.one_of(st.none(), st.integers(0, 5000))),
                heal_after=draw(st.integers(0, 20000)),
                order=draw(st.permutations(names)), split=split)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules())
def test_safety_under_random_schedules(s):
    """Whatever the schedule - loss, delays, partitions, up to f Byzantine
    nodes of any kind - no two intact nodes externalize different values."""
    sim = Simulation(topologies.core(s["n"]), seed=s["seed"], loss=s["loss"], delay_ms=s["delay"],
                     byzantine=s["byz"])
    sim.start(3)
    if s["partition_at"] is not None:
        sim.run_for(s["partition_at"])
        order = s["order"]
        sim.partition(order[:s["split"]], order[s["split"]:])
        sim.run_for(s["heal_after"])
        sim.heal()
    sim.run_until_externalized(3, 120 * TIMEOUT_MS)   # raises SafetyViolation on disagreement
    for slot in (1, 2, 3):
        assert len(set(sim.externalized_values(slot).values())) <= 1


def test_own_statements_relayed_back_are_skipped():
    """Regression (found by the property test): after a partition heals,
    peers relay state that includes an equivocator's own lies; a node must
    skip statements bearing its own ID (HerderImpl::recvSCPEnvelope
    SKIPPED_SELF), or its next genuine statement is not newer and SCP stops
    with 'moved to a bad state'."""
    sim = Simulation(topologies.core(4), seed=0, delay_ms=(1, 500), byzantine={"n1": EquivocatingNode})
    sim.start(3)
    sim.run_for(2795)
    sim.partition(["n0"], ["n1", "n2", "n3"])
    sim.run_for(355)
    sim.heal()
    assert sim.run_until_externalized(3, 120 * TIMEOUT_MS)
    agreed(sim, 3)
