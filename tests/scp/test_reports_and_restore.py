"""The /scp and /quorum JSON reports, purging, and resuming a slot after a
restart from saved envelopes (stellar-core's SCP::getJsonInfo,
getJsonQuorumInfo, purgeSlots, setStateFromEnvelope)."""
import json

from stellarcore.scp import SCP
from stellarcore.simulation import Simulation, topologies


def _ran(slots=2, seed=1):
    sim = Simulation(topologies.core(4), seed=seed)
    assert sim.run(slots=slots)
    return sim


def test_scp_report_shape():
    sim = _ran()
    node = sim.nodes[0]
    info = node.scp.get_json_info(5)
    assert set(info) == {"1", "2"}
    slot = info["2"]
    assert set(slot) == {"statements", "quorum_sets", "validated", "nomination", "ballotProtocol"}
    when, text, validated = slot["statements"][0]
    assert isinstance(when, int) and validated is True
    assert text.startswith("{ENV@") and text.endswith(" }")
    assert any("| EXTERNALIZE |" in s[1] for s in slot["statements"])
    assert len(next(iter(slot["quorum_sets"]))) == 6          # hexAbbrev: 3 bytes
    assert slot["ballotProtocol"]["phase"] == "EXTERNALIZE" and slot["ballotProtocol"]["heard"]
    assert slot["nomination"]["roundnumber"] >= 1 and "X" in slot["nomination"]
    json.dumps(info)                                          # plain JSON


def test_quorum_report_counts_agreement():
    sim = _ran()
    node = sim.nodes[0]
    summary = node.scp.get_json_quorum_info(node.node_id, True)
    assert summary["agree"] == 4 and summary["missing"] == 0 and summary["ledger"] == 2
    assert summary["phase"] == "EXTERNALIZE"
    full = node.scp.get_json_quorum_info(node.node_id, False)
    assert len(full["agree"]) == 4 and full["disagree"] is None   # null, as jsoncpp prints it
    assert full["value"]["t"] == 3 and len(full["value"]["v"]) == 4
    assert SCP(node, node.node_id, True, node.scp.local_qset).get_json_quorum_info(node.node_id, True) is None


def test_purge_slots_keeps_what_it_is_told():
    sim = _ran(slots=4)
    scp = sim.nodes[0].scp
    scp.purge_slots(4, slot_to_keep=2)
    assert sorted(scp.slots) == [2, 4]


def test_restart_mid_slot_resumes_from_saved_envelopes():
    """A node saves its latest envelopes mid-slot, 'restarts' (a fresh SCP),
    restores them, and the network still externalizes one value with it."""
    sim = Simulation(topologies.core(4), seed=3)
    victim = sim.nodes[0]
    sim.start(1)
    # run until the victim has some ballot state but has not externalized
    while victim.scp.get_slot(1, True).ballot.current is None:
        sim.clock.step()
    saved = [e.to_xdr() for e in victim.scp.save_state(1)]
    assert saved
    from stellarcore import xdr
    fresh = SCP(victim, victim.node_id, True, victim.scp.local_qset)
    fresh.restore_state([xdr.SCPEnvelope.from_xdr(b) for b in saved])
    restored = fresh.get_slot(1, False)
    old = victim.scp.get_slot(1, False)
    assert restored.ballot.current == old.ballot.current
    assert restored.ballot.phase == old.ballot.phase
    victim.scp = fresh                        # the node carries on with restored state
    sim.heal()                                # peers resend their state, as on reconnect
    assert sim.run_until_externalized(1, 60_000)
    assert len(set(sim.externalized_values(1).values())) == 1
