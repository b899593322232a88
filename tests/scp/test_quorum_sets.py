"""Quorum sets, slices, v-blocking sets and nomination weights, as
stellar-core v25.0.1 tests them:

* src/scp/test/QuorumSetTests.cpp  "sane quorum set" (one test per SECTION);
* src/scp/test/SCPTests.cpp        "vblocking and quorum", "v blocking distance";
* src/scp/test/SCPUnitTests.cpp    "nomination weight", and the two hidden
  ([!hide]) statistics cases "nomination weight stats" and "nomination two
  nodes win stats", whose only checks are that every round has leaders (run
  here with fewer iterations: they only log statistics in the C++).
"""
import pytest

from tests.scp._harness import node_id, node_key, sha256
from stellarcore.crypto.keys import SecretKey
from stellarcore.scp import (SCP, QSet, SCPDriver, ValidationLevel, find_closest_v_blocking,
                             is_quorum_slice, is_v_blocking)
from stellarcore.scp import quorum_set as qs
from stellarcore.scp.driver import UINT64_MAX
from stellarcore.scp.slot import Slot

MAXIMUM_QUORUM_NESTING_LEVEL = qs.MAXIMUM_QUORUM_NESTING_LEVEL
assert MAXIMUM_QUORUM_NESTING_LEVEL == 4


# ====================================================================== QuorumSetTests.cpp

@pytest.fixture(scope="module")
def keys():
    """1001 node keys (SecretKey::fromSeed(sha256("NODE_SEED_<i>"))), sorted."""
    return sorted(SecretKey(sha256(f"NODE_SEED_{i}".encode())).public_key.ed25519
                  for i in range(1001))


def singleton(key):
    return QSet(1, (key,))


def check(q: QSet, expected: bool, expected_self_qset: QSet):
    # first, without normalization
    assert qs.is_sane(q, False) == expected
    # secondary test: the set normalized (as building a local node does)
    normalized = qs.normalize(q)
    assert qs.is_sane(q, False) == expected   # (the C++ checks the original set again)
    assert normalized == expected_self_qset


def valid_multiple_nodes(keys):
    # { t: 1, v0, { t: 1, v1 }, { t: 1, v2, v3 } }
    return QSet(1, (keys[0],), (QSet(1, (keys[1],)), QSet(1, (keys[2], keys[3]))))


def valid_multiple_nodes_normalized(keys):
    return QSet(1, (keys[0], keys[1]), (QSet(1, (keys[2], keys[3])),))


def test_sane_quorum_set__t0():
    """{ t: 0 }"""
    q = QSet(0)
    check(q, False, q)


def test_sane_quorum_set__t0_v0(keys):
    """{ t: 0, v0 }"""
    q = QSet(0, (keys[0],))
    check(q, False, q)


def test_sane_quorum_set__t2_v0(keys):
    """{ t: 2, v0 }"""
    q = QSet(2, (keys[0],))
    check(q, False, q)


def test_sane_quorum_set__t1_v0(keys):
    """{ t: 1, v0 }"""
    check(singleton(keys[0]), True, singleton(keys[0]))


def test_sane_quorum_set__singleton_inner_set_merged(keys):
    """{ t: 1, v0, { t: 1, v1 } -> { t:1, v0, v1 }"""
    q = QSet(1, (keys[0],), (QSet(1, (keys[1],)),))
    check(q, True, QSet(1, (keys[0], keys[1])))


def test_sane_quorum_set__insane_inner_set(keys):
    """{ t: 1, v0, { t: 1, v1 }, { t: 2, v2 } } -> { t:1, v0, v1, { t: 2, v2 } }

    (as in the C++, the sets actually built are { t: 1, v0, { t: 2, v1 },
    { t: 1, v2 } } -> { t: 1, v0, v2, { t: 2, v1 } })"""
    q = QSet(1, (keys[0],), (QSet(2, (keys[1],)), QSet(1, (keys[2],))))
    check(q, False, QSet(1, (keys[0], keys[2]), (QSet(2, (keys[1],)),)))


def test_sane_quorum_set__multiple_nodes(keys):
    """{ t: 1, v0, { t: 1, v1 }, { t: 1, v2, v3 } } -> { t:1, v0, v1, { t: 1, v2, v3 } }"""
    check(valid_multiple_nodes(keys), True, valid_multiple_nodes_normalized(keys))


def test_sane_quorum_set__containing_set_unwrapped(keys):
    """{ t: 1, { t: 1, v0, { t: 1, v1 }, { t: 1, v2, v3 } } } -> { t:1, v0, v1, { t: 1, v2, v3 } }"""
    containing = QSet(1, (), (valid_multiple_nodes(keys),))
    check(containing, True, valid_multiple_nodes_normalized(keys))


def test_sane_quorum_set__nested_singletons(keys):
    """{ t: 1, v0, { t: 1, v1, { t: 1, v2 , {t: 1, v3} } } } -> { t: 1, v0, { t: 1, v1, { t:1, v2, v3} } }"""
    q = QSet(1, (keys[0],), (
        QSet(1, (keys[1],), (
            QSet(1, (keys[2],), (QSet(1, (keys[3],)),)),)),))
    # normalized: v3 gets moved next to v2
    expected = QSet(1, (keys[0],), (
        QSet(1, (keys[1],), (
            QSet(1, (keys[2], keys[3])),)),))
    check(q, True, expected)


def nesting_level(keys, level: int, expected: bool):
    """testNestingLevel: { t: 1, v0, { t: 1, v1, { .. { t: 1, v_level } .. } } },
    which normalizes to the same with v_level next to v_(level-1)."""
    q = singleton(keys[level])
    for i in range(level - 1, -1, -1):
        q = QSet(1, (keys[i],), (q,))
    expected_self = QSet(1, (keys[level - 1], keys[level]))
    for i in range(level - 2, -1, -1):
        expected_self = QSet(1, (keys[i],), (expected_self,))
    check(q, expected, expected_self)


def test_sane_quorum_set__too_deep(keys):
    """{ t: 1, v0, { t: 1, v1, { .. t: 1, v_{MAXIMUM_QUORUM_NESTING_LEVEL + 1} }..} -> too deep"""
    nesting_level(keys, MAXIMUM_QUORUM_NESTING_LEVEL + 1, False)


def test_sane_quorum_set__deepest_allowed(keys):
    """{ t: 1, v0, { t: 1, v1, { .. t: 1, v_MAXIMUM_QUORUM_NESTING_LEVEL }..}"""
    nesting_level(keys, MAXIMUM_QUORUM_NESTING_LEVEL, True)


def test_sane_quorum_set__1000_nodes(keys):
    """{ t: 1, v0..v999 } -> { t: 1, v0..v999 }"""
    q = QSet(1, tuple(keys[:1000]))
    check(q, True, q)


def test_sane_quorum_set__1001_nodes(keys):
    """{ t: 1, v0..v1000 } -> too big"""
    q = QSet(1, tuple(keys[:1001]))
    check(q, False, q)


def test_sane_quorum_set__1001_nodes_in_inner_sets(keys):
    """{ t: 1, v0, { t: 1, v1..v100 }, { t: 1, v101..v200} ... { t: 1, v901..v1000} -> too big"""
    inner = tuple(QSet(1, tuple(keys[i * 100 + 1:(i + 1) * 100 + 1])) for i in range(10))
    q = QSet(1, (keys[0],), inner)
    check(q, False, q)


# ====================================================================== SCPTests.cpp

def test_vblocking_and_quorum():
    """TEST_CASE "vblocking and quorum"."""
    v0, v1, v2, v3 = (node_id(node_key(i)) for i in range(4))
    q = QSet(3, (v0, v1, v2, v3))

    node_set = [v0]
    assert not is_quorum_slice(q, node_set)
    assert not is_v_blocking(q, node_set)

    node_set.append(v2)
    assert not is_quorum_slice(q, node_set)
    assert is_v_blocking(q, node_set)

    node_set.append(v3)
    assert is_quorum_slice(q, node_set)
    assert is_v_blocking(q, node_set)

    node_set.append(v1)
    assert is_quorum_slice(q, node_set)
    assert is_v_blocking(q, node_set)


def test_v_blocking_distance():
    """TEST_CASE "v blocking distance"."""
    v = [node_id(node_key(i)) for i in range(8)]

    def check_distance(qset, s, expected):
        assert len(find_closest_v_blocking(qset, s, None)) == expected

    qset = QSet(2, (v[0], v[1], v[2]))
    good = {v[0]}
    # already v-blocking
    check_distance(qset, good, 0)

    good.add(v[1])
    # either v0 or v1
    check_distance(qset, good, 1)

    good.add(v[2])
    # any 2 of v0..v2
    check_distance(qset, good, 2)

    sub_set1 = QSet(1, (v[3], v[4], v[5]))
    qset = QSet(2, qset.validators, (sub_set1,))

    good.add(v[3])
    # any 3 of v0..v3
    check_distance(qset, good, 3)

    good.add(v[4])
    # v0..v2
    check_distance(qset, good, 3)

    qset = QSet(1, qset.validators, qset.inner)
    # v0..v4
    check_distance(qset, good, 5)

    good.add(v[5])
    # v0..v5
    check_distance(qset, good, 6)

    sub_set2 = QSet(2, (v[6], v[7]))
    qset = QSet(1, qset.validators, qset.inner + (sub_set2,))
    # v0..v5
    check_distance(qset, good, 6)

    good.add(v[6])
    # v0..v5
    check_distance(qset, good, 6)

    good.add(v[7])
    # v0..v5 and one of 6,7
    check_distance(qset, good, 7)

    qset = QSet(4, qset.validators, qset.inner)
    # v6, v7
    check_distance(qset, good, 2)

    qset = QSet(3, qset.validators, qset.inner)
    # v0..v2
    check_distance(qset, good, 3)

    qset = QSet(2, qset.validators, qset.inner)
    # v0..v2 and one of v6,v7
    check_distance(qset, good, 4)


# ====================================================================== SCPUnitTests.cpp

def is_near(r: int, target: float) -> bool:
    return abs(r / UINT64_MAX - target) < .01


class TestNominationSCP(SCPDriver):
    """SCPUnitTests.cpp's TestNominationSCP: the driver's own hashing
    (no priority lookup), every value fully validated, no timers."""

    __test__ = False

    def __init__(self, local_id: bytes, qset_local: QSet):
        self.quorum_sets = {}
        self.scp = SCP(self, local_id, True, qset_local)
        self.store_quorum_set(self.scp.local_qset)

    def sign_envelope(self, envelope):
        pass

    def store_quorum_set(self, q):
        self.quorum_sets[sha256(qs.to_xdr(q).to_xdr())] = q

    def validate_value(self, slot_index, value, nomination):
        return ValidationLevel.FULLY_VALIDATED

    def get_qset(self, qset_hash):
        return self.quorum_sets.get(qset_hash)

    def emit_envelope(self, envelope):
        pass

    def combine_candidates(self, slot_index, candidates):
        return None

    def setup_timer(self, slot_index, timer_id, timeout_ms, callback):
        pass

    def stop_timer(self, slot_index, timer_id):
        pass

    def compute_timeout(self, round_number, is_nomination):
        return min(1000 + (round_number - 1) * 1000, 30 * 60 * 1000)


def test_nomination_weight():
    """TEST_CASE "nomination weight"."""
    v = [node_id(node_key(i)) for i in range(6)]
    qset = QSet(3, (v[0], v[1], v[2], v[3]))

    nom_scp = TestNominationSCP(v[0], qset)

    result = nom_scp.get_node_weight(v[2], qset, False)
    assert is_near(result, .75)

    result = nom_scp.get_node_weight(v[4], qset, False)
    assert result == 0

    inner = QSet(1, (v[4], v[5]))
    qset = QSet(3, qset.validators, (inner,))

    result = nom_scp.get_node_weight(v[4], qset, False)
    assert is_near(result, .6 * .5)


def make_qset(node_ids, threshold, total, offset):
    return QSet(threshold, tuple(node_ids[offset:offset + total]))


def new_nomination(scp: SCP, slot_index: int, previous_value: bytes):
    """A fresh slot's nomination protocol with a previous value set
    (NominationTestHandler)."""
    nom = Slot(slot_index, scp).nomination
    nom.previous_value = previous_value
    return nom


SEVEN_NODES = tuple(node_id(node_key(i)) for i in range(7))

STATS_QSETS = {
    "flat quorum / 3 out of 5": make_qset(SEVEN_NODES, 3, 5, 0),
    "flat quorum / 2 out of 3": make_qset(SEVEN_NODES, 2, 3, 0),
    "hierarchy": QSet(3, SEVEN_NODES[0:4], (make_qset(SEVEN_NODES, 2, 3, 4),)),
}


@pytest.mark.parametrize("case", list(STATS_QSETS))
def test_nomination_weight_stats(case):
    """TEST_CASE "nomination weight stats" ([!hide] in the C++, which logs the
    share of rounds each node leads): every round has leaders.  1000 slots
    of 5 rounds, as the C++."""
    qset = STATS_QSETS[case]
    total_slots, max_round_per_slot = 1000, 5
    nom_scp = TestNominationSCP(SEVEN_NODES[0], qset)
    wins = {}
    for s in range(total_slots):
        nom = new_nomination(nom_scp.scp, s, bytes([s & 0xFF]))  # anything will do as a value
        for i in range(max_round_per_slot):
            nom.round_number = i
            nom.update_round_leaders()
            assert nom.round_leaders
            for w in nom.round_leaders:
                wins[w] = wins.get(w, 0) + 1
    # (not in the C++) over 5000 rounds every node leads some, the local one included
    assert set(wins) == set(qs.for_all_nodes(qset))


TWO_NODES_QSETS = {
    "flat quorum / 3 out of 5": (make_qset(SEVEN_NODES, 3, 5, 0),) * 2,
    "flat quorum / 2 out of 3": (make_qset(SEVEN_NODES, 2, 3, 0),) * 2,
    "hierarchy / same qSet": (STATS_QSETS["hierarchy"],) * 2,
    # v1's qset: v0 moved into the inner set
    "hierarchy / v0 is inner node for v1": (
        STATS_QSETS["hierarchy"],
        QSet(3, (SEVEN_NODES[4],) + SEVEN_NODES[1:4],
             (QSet(2, (SEVEN_NODES[0],) + SEVEN_NODES[5:7]),))),
}


@pytest.mark.parametrize("case", list(TWO_NODES_QSETS))
def test_nomination_two_nodes_win_stats(case):
    """TEST_CASE "nomination two nodes win stats" ([!hide] in the C++, which
    logs how often v0 and v1 agree on a leader within maxRounds rounds):
    every round has leaders.  300 iterations instead of the C++'s 10000."""
    qset0, qset1 = TWO_NODES_QSETS[case]
    assert qset0.validators[0] == SEVEN_NODES[0]
    nb_rounds_for_stats, total_iter = 9, 300
    v0, v1 = SEVEN_NODES[0], SEVEN_NODES[1]
    nom_scp0 = TestNominationSCP(v0, qset0)
    nom_scp1 = TestNominationSCP(v1, qset1)

    tots = []
    for max_rounds in range(1, nb_rounds_for_stats + 1):
        tot = 0
        for g in range(total_iter):
            v = bytes([g & 0xFF])
            nom0 = new_nomination(nom_scp0.scp, 0, v)
            nom1 = new_nomination(nom_scp1.scp, 0, v)
            v0_voted = v1_voted = False
            r = 0
            while True:
                nom0.round_number = r
                nom1.round_number = r
                nom0.update_round_leaders()
                nom1.update_round_leaders()
                l0, l1 = nom0.round_leaders, nom1.round_leaders
                assert l0 and l1
                v0_voted = v0_voted or v0 in l0
                v1_voted = v1_voted or v1 in l1
                # either both vote for v0 or both vote for v1
                res = (v0_voted and v0 in l1) or (v1_voted and v1 in l0)
                r += 1
                if res or r >= max_rounds:
                    break
            tot += res
        tots.append(tot)
    # (not in the C++) agreeing within n rounds means agreeing within n + 1
    assert tots == sorted(tots) and tots[-1] <= total_iter
