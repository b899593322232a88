"""CPU time of SCP per externalized slot per node, in the deterministic
simulator (real ed25519 signatures, XDR on the wire, one process).

    python -m pytest perf/test_scp.py

Each round builds a fresh network and runs SLOTS slots; the figure is the
process CPU time of the round / (slots x nodes), in `extra_info` as
`cpu_ms_per_slot_per_node`.  Everything a node does is counted: decoding,
signature checks (the process-wide cache makes each envelope's check cost
one verification shared by all receivers, as it would not be on separate
machines), the ballot and nomination protocols, and the simulator's own
bookkeeping.  Target: < 2 ms for the 21-validator tiered network.
"""
import time

import pytest

from stellarcore.crypto import verify
from stellarcore.simulation import Simulation, topologies

SLOTS = 5


def _run(topology_factory, seed):
    verify.cache().clear()
    sim = Simulation(topology_factory(), seed=seed)
    t = time.process_time()
    assert sim.run(slots=SLOTS, max_time_ms=600_000)
    return (time.process_time() - t) / (SLOTS * len(sim.nodes)) * 1000


@pytest.mark.benchmark(group="scp-slot")
@pytest.mark.parametrize("name, factory", [
    ("tiered-7x3 (21 validators)", lambda: topologies.tiered(7, 3)),
    ("tiered-20x5 (100 validators)", lambda: topologies.tiered(20, 5)),
])
def test_cpu_per_slot_per_node(benchmark, name, factory):
    results = []
    benchmark.pedantic(lambda: results.append(_run(factory, len(results))), rounds=3, iterations=1)
    results.sort()
    benchmark.extra_info.update(topology=name, slots=SLOTS,
                                cpu_ms_per_slot_per_node=round(results[len(results) // 2], 3))
