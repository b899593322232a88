"""Nomination, as stellar-core v25.0.1 tests it (src/scp/test/SCPTests.cpp:
TEST_CASE "nomination tests core5").

The scenario is a transcription of the C++ TEST_CASE: its SECTIONs are the
`@section(...)` blocks, with the C++ names, and every leaf section is one
pytest case (its id is the section path).  As in the C++, each leaf runs
under the three timeout settings of testTimeouts().

The driver decides who leads a round (`priority_lookup`: the priority of
each node; by default the local node has 1000 and the others 1) and how
values rank (`hash_value_calculator`); `expected_candidates` and
`composite_value` are what combine_candidates checks and returns.
"""
import pytest

from tests.scp._harness import (K_VALUE, TIMEOUT_SECTIONS, X_VALUE, Y_VALUE, Z_VALUE, ZZ_VALUE,
                                TestSCP, discover, make_nominate, make_prepare, node_id,
                                node_key, qset_hash_of, run_path, verify_nominate,
                                verify_prepare)
from stellarcore.scp import NOMINATION_TIMER, QSet


def nomination_tests_core5(section, timeouts):
    v0, v1, v2, v3, v4 = (node_key(i) for i in range(5))
    v0_id, v1_id, v2_id, v3_id = (node_id(k) for k in (v0, v1, v2, v3))

    # we need 5 nodes to avoid sharing various thresholds:
    # v-blocking set size: 2
    # threshold: 4 = 3 + self or 4 others
    qset = QSet(4, tuple(node_id(k) for k in (v0, v1, v2, v3, v4)))
    qset_hash = qset_hash_of(qset)

    assert X_VALUE < Y_VALUE < Z_VALUE

    def check_leaders(scp, expected_leaders):
        assert scp.get_nomination_leaders(0) == set(expected_leaders)

    @section("nomination - v0 is top")
    def _():
        scp = TestSCP(v0_id, qset)
        timeouts.apply(scp)

        qset_hash0 = scp.qset_hash0
        scp.store_quorum_set(qset)

        @section("v0 starts to nominates xValue")
        def _():
            assert scp.nominate(0, X_VALUE, False)

            check_leaders(scp, {v0_id})

            @section("others nominate what v0 says (x) -> prepare x")
            def _():
                votes, accepted = [X_VALUE], []

                assert len(scp.envs) == 1
                verify_nominate(scp.envs[0], v0, qset_hash0, 0, votes, accepted)

                nom1 = make_nominate(v1, qset_hash, 0, votes, accepted)
                nom2 = make_nominate(v2, qset_hash, 0, votes, accepted)
                nom3 = make_nominate(v3, qset_hash, 0, votes, accepted)
                nom4 = make_nominate(v4, qset_hash, 0, votes, accepted)

                # nothing happens yet
                scp.receive_envelope(nom1)
                scp.receive_envelope(nom2)
                assert len(scp.envs) == 1

                # this causes 'x' to be accepted (quorum)
                scp.receive_envelope(nom3)
                assert len(scp.envs) == 2

                scp.expected_candidates.add(X_VALUE)
                scp.composite_value = X_VALUE

                accepted.append(X_VALUE)
                verify_nominate(scp.envs[1], v0, qset_hash0, 0, votes, accepted)

                # extra message doesn't do anything
                scp.receive_envelope(nom4)
                assert len(scp.envs) == 2

                acc1 = make_nominate(v1, qset_hash, 0, votes, accepted)
                acc2 = make_nominate(v2, qset_hash, 0, votes, accepted)
                acc3 = make_nominate(v3, qset_hash, 0, votes, accepted)
                acc4 = make_nominate(v4, qset_hash, 0, votes, accepted)

                # nothing happens yet
                scp.receive_envelope(acc1)
                scp.receive_envelope(acc2)
                assert len(scp.envs) == 2

                scp.composite_value = X_VALUE
                # this causes the node to send a prepare message (quorum)
                scp.receive_envelope(acc3)
                assert len(scp.envs) == 3

                verify_prepare(scp.envs[2], v0, qset_hash0, 0, (1, X_VALUE))

                scp.receive_envelope(acc4)
                assert len(scp.envs) == 3

                votes2 = votes + [Y_VALUE]

                @section("nominate x -> accept x -> prepare (x) ; others accepted y "
                         "-> update latest to (z=x+y)")
                def _():
                    acc1_2 = make_nominate(v1, qset_hash, 0, votes2, votes2)
                    acc2_2 = make_nominate(v2, qset_hash, 0, votes2, votes2)
                    acc3_2 = make_nominate(v3, qset_hash, 0, votes2, votes2)
                    acc4_2 = make_nominate(v4, qset_hash, 0, votes2, votes2)

                    scp.receive_envelope(acc1_2)
                    assert len(scp.envs) == 3

                    # v-blocking
                    scp.receive_envelope(acc2_2)
                    assert len(scp.envs) == 4
                    verify_nominate(scp.envs[3], v0, qset_hash0, 0, votes2, votes2)

                    scp.expected_candidates.add(Y_VALUE)
                    scp.composite_value = K_VALUE
                    # this updates the composite value to use next time
                    # but does not prepare it
                    scp.receive_envelope(acc3_2)
                    assert len(scp.envs) == 4

                    assert scp.get_latest_composite_candidate(0) == K_VALUE

                    scp.receive_envelope(acc4_2)
                    assert len(scp.envs) == 4

                @section("nomination - restored state")
                def _():
                    scp2 = TestSCP(v0_id, qset)
                    scp2.store_quorum_set(qset)

                    # at this point
                    # votes = { x }
                    # accepted = { x }

                    # tests if nomination proceeds like normal
                    # nominates x
                    def nomination_restore():
                        # restores from the previous state
                        scp2.scp.set_state_from_envelope(
                            0, make_nominate(v0, qset_hash0, 0, votes, accepted))
                        # tries to start nomination with yValue, but picks
                        # xValue since it was already in the votes
                        assert not scp2.nominate(0, Y_VALUE, False)

                        check_leaders(scp2, {v0_id})

                        assert len(scp2.envs) == 0

                        # other nodes vote for 'x'
                        scp2.receive_envelope(nom1)
                        scp2.receive_envelope(nom2)
                        assert len(scp2.envs) == 0
                        # 'x' is accepted (quorum)
                        # but because the restored state already included
                        # 'x' in the accepted set, no new message is emitted
                        scp2.receive_envelope(nom3)

                        scp2.expected_candidates.add(X_VALUE)
                        scp2.composite_value = X_VALUE

                        # other nodes not emit 'x' as accepted
                        scp2.receive_envelope(acc1)
                        scp2.receive_envelope(acc2)
                        assert len(scp2.envs) == 0

                        scp2.composite_value = X_VALUE
                        # this causes the node to update its composite value to x
                        scp2.receive_envelope(acc3)

                    @section("ballot protocol not started")
                    def _():
                        nomination_restore()
                        # nomination ended up starting the ballot protocol
                        assert len(scp2.envs) == 1

                        verify_prepare(scp2.envs[0], v0, qset_hash0, 0, (1, X_VALUE))

                    @section("ballot protocol started (on value k)")
                    def _():
                        scp2.scp.set_state_from_envelope(
                            0, make_prepare(v0, qset_hash0, 0, (1, K_VALUE)))
                        nomination_restore()
                        # nomination didn't do anything (already working on k)
                        assert len(scp2.envs) == 0

            @section("receive more messages, then v0 switches to a different leader")
            def _():
                nom1 = make_nominate(v1, qset_hash, 0, [K_VALUE], [])
                nom2 = make_nominate(v2, qset_hash, 0, [Y_VALUE], [])

                # nothing more happens
                scp.receive_envelope(nom1)
                scp.receive_envelope(nom2)
                assert len(scp.envs) == 1

                # switch leader to v1
                scp.priority_lookup = lambda n: 1000 if n == v1_id else 1
                assert scp.nominate(0, X_VALUE, True)
                assert len(scp.envs) == 2

                votes_xk = sorted([X_VALUE, K_VALUE])

                verify_nominate(scp.envs[1], v0, qset_hash0, 0, votes_xk, [])

            @section("select accepted value from leader")
            def _():
                assert X_VALUE < Y_VALUE < Z_VALUE
                assert len(scp.envs) == 1

                # Update round leader to v1
                scp.priority_lookup = lambda n: 1000 if n == v1_id else 1

                nom1 = make_nominate(v1, qset_hash, 0, [Y_VALUE, Z_VALUE], [Y_VALUE])

                @section("receive accepted before timeout")
                def _():
                    # nothing more happens, v0 is leader
                    scp.receive_envelope(nom1)
                    assert len(scp.envs) == 1

                    # Update round leaders, vote for accepted value (y)
                    assert scp.nominate(0, X_VALUE, True)
                    assert len(scp.envs) == 2

                @section("receive accepted after timeout")
                def _():
                    assert not scp.nominate(0, X_VALUE, True)
                    assert len(scp.envs) == 1

                    # Vote for accepted value (y)
                    scp.receive_envelope(nom1)
                    assert len(scp.envs) == 2

                votes_xy = [X_VALUE, Y_VALUE]

                verify_nominate(scp.envs[1], v0, qset_hash0, 0, votes_xy, [])

                nom2 = make_nominate(v1, qset_hash, 0, [Y_VALUE, Z_VALUE, ZZ_VALUE], [Y_VALUE])
                scp.receive_envelope(nom2)
                # Nothing happens, as v0 already voted for the accepted value (y)
                assert len(scp.envs) == 2
                verify_nominate(scp.envs[1], v0, qset_hash0, 0, votes_xy, [])

        @section("self nominates 'x', others nominate y -> prepare y")
        def _():
            my_votes, accepted = [X_VALUE], []

            scp.expected_candidates.add(X_VALUE)
            scp.composite_value = X_VALUE
            assert scp.nominate(0, X_VALUE, False)

            assert len(scp.envs) == 1
            verify_nominate(scp.envs[0], v0, qset_hash0, 0, my_votes, accepted)

            votes = [Y_VALUE]

            accepted_y = accepted + [Y_VALUE]

            @section("others only vote for y")
            def _():
                nom1 = make_nominate(v1, qset_hash, 0, votes, accepted)
                nom2 = make_nominate(v2, qset_hash, 0, votes, accepted)
                nom3 = make_nominate(v3, qset_hash, 0, votes, accepted)
                nom4 = make_nominate(v4, qset_hash, 0, votes, accepted)

                # nothing happens yet
                scp.receive_envelope(nom1)
                scp.receive_envelope(nom2)
                scp.receive_envelope(nom3)
                assert len(scp.envs) == 1

                # 'y' is accepted (quorum)
                scp.receive_envelope(nom4)
                assert len(scp.envs) == 2
                my_votes.append(Y_VALUE)
                verify_nominate(scp.envs[1], v0, qset_hash0, 0, my_votes, accepted_y)

            @section("others accepted y")
            def _():
                acc1 = make_nominate(v1, qset_hash, 0, votes, accepted_y)
                acc2 = make_nominate(v2, qset_hash, 0, votes, accepted_y)
                acc3 = make_nominate(v3, qset_hash, 0, votes, accepted_y)
                acc4 = make_nominate(v4, qset_hash, 0, votes, accepted_y)

                scp.receive_envelope(acc1)
                assert len(scp.envs) == 1

                # this causes 'y' to be accepted (v-blocking)
                scp.receive_envelope(acc2)
                assert len(scp.envs) == 2

                my_votes.append(Y_VALUE)
                verify_nominate(scp.envs[1], v0, qset_hash0, 0, my_votes, accepted_y)

                scp.expected_candidates.clear()
                scp.expected_candidates.add(Y_VALUE)
                scp.composite_value = Y_VALUE
                # this causes the node to send a prepare message (quorum)
                scp.receive_envelope(acc3)
                assert len(scp.envs) == 3

                verify_prepare(scp.envs[2], v0, qset_hash0, 0, (1, Y_VALUE))

                scp.receive_envelope(acc4)
                assert len(scp.envs) == 3

    @section("v1 is top node")
    def _():
        scp = TestSCP(v0_id, qset)
        timeouts.apply(scp)

        qset_hash0 = scp.qset_hash0
        scp.store_quorum_set(qset)

        scp.priority_lookup = lambda n: 1000 if n == v1_id else 1

        votes_x, votes_y, votes_k = [X_VALUE], [Y_VALUE], [K_VALUE]
        votes_xy = [X_VALUE, Y_VALUE]
        votes_yk = sorted([Y_VALUE, K_VALUE])
        votes_xk = sorted([X_VALUE, K_VALUE])
        empty_v = []
        del votes_k, votes_yk  # (declared but unused in the C++ too)

        values_hash = sorted([X_VALUE, Y_VALUE, K_VALUE])

        def hash_value(v):
            # the C++ aborts on an unknown value
            assert v in values_hash, "unexpected value hashed"
            return 1 + values_hash.index(v)

        scp.hash_value_calculator = hash_value

        nom1 = make_nominate(v1, qset_hash, 0, votes_xy, empty_v)
        nom2 = make_nominate(v2, qset_hash, 0, votes_xk, empty_v)

        @section("value from v1 is a candidate, self should not introduce new value on timeout")
        def _():
            assert not scp.nominate(0, X_VALUE, False)
            check_leaders(scp, {v1_id})

            assert len(scp.envs) == 0
            nom1 = make_nominate(v1, qset_hash, 0, votes_x, empty_v)
            nom2 = make_nominate(v2, qset_hash, 0, votes_x, empty_v)
            nom3 = make_nominate(v3, qset_hash, 0, votes_x, empty_v)

            # Receive `x` from v1, vote for it
            scp.receive_envelope(nom1)
            assert len(scp.envs) == 1
            verify_nominate(scp.envs[0], v0, qset_hash0, 0, votes_x, empty_v)

            scp.receive_envelope(nom2)
            scp.receive_envelope(nom3)
            assert len(scp.envs) == 2
            verify_nominate(scp.envs[1], v0, qset_hash0, 0, votes_x, votes_x)

            acc1 = make_nominate(v1, qset_hash, 0, votes_x, votes_x)
            acc2 = make_nominate(v2, qset_hash, 0, votes_x, votes_x)
            acc3 = make_nominate(v3, qset_hash, 0, votes_x, votes_x)

            scp.receive_envelope(acc1)
            scp.receive_envelope(acc2)
            assert len(scp.envs) == 2

            # Receive accept from quorum, ratify and generate a candidate value
            assert NOMINATION_TIMER in scp.timers
            scp.composite_value = X_VALUE
            scp.expected_candidates.add(X_VALUE)
            scp.receive_envelope(acc3)
            assert len(scp.envs) == 3
            # Timer is cancelled
            assert NOMINATION_TIMER not in scp.timers

            # v0 is the new leader, but we already have a candidate
            scp.priority_lookup = lambda n: 1000 if n == v0_id else 1
            assert not scp.nominate(0, K_VALUE, True)

        @section("nomination waits for v1")
        def _():
            assert not scp.nominate(0, X_VALUE, False)

            check_leaders(scp, {v1_id})

            assert len(scp.envs) == 0

            nom4 = make_nominate(v4, qset_hash, 0, votes_xk, empty_v)

            # nothing happens with non top nodes
            scp.receive_envelope(nom2)
            # (note: don't receive anything from node3 - we want to pick
            # another dead node)
            assert len(scp.envs) == 0

            # v1 is leader -> nominate the first value from its message
            # that's "y"
            scp.receive_envelope(nom1)
            assert len(scp.envs) == 1
            verify_nominate(scp.envs[0], v0, qset_hash0, 0, votes_y, empty_v)

            scp.receive_envelope(nom4)
            assert len(scp.envs) == 1

            # "timeout -> pick another value from v1"
            scp.expected_candidates.add(X_VALUE)
            scp.composite_value = X_VALUE

            # allows to pick another leader,
            # pick another dead node v3 as to force picking up
            # a new value from v1
            scp.priority_lookup = lambda n: 1000 if n == v3_id else 1

            # note: value passed in here should be ignored
            assert scp.nominate(0, K_VALUE, True)
            # picks up 'x' from v1 (as we already have 'y')
            # which also happens to causes 'x' to be accepted
            assert len(scp.envs) == 2
            verify_nominate(scp.envs[1], v0, qset_hash0, 0, votes_xy, votes_x)

        @section("v1 dead, timeout")
        def _():
            assert not scp.nominate(0, X_VALUE, False)

            assert len(scp.envs) == 0

            scp.receive_envelope(nom2)
            assert len(scp.envs) == 0

            check_leaders(scp, {v1_id})

            @section("v0 is new top node")
            def _():
                scp.priority_lookup = lambda n: 1000 if n == v0_id else 1

                assert scp.nominate(0, X_VALUE, True)
                check_leaders(scp, {v0_id, v1_id})

                assert len(scp.envs) == 1
                verify_nominate(scp.envs[0], v0, qset_hash0, 0, votes_x, empty_v)

            @section("v2 is new top node")
            def _():
                scp.priority_lookup = lambda n: 1000 if n == v2_id else 1

                assert scp.nominate(0, X_VALUE, True)
                check_leaders(scp, {v1_id, v2_id})

                assert len(scp.envs) == 1
                # v2 votes for XK, but nomination only picks the highest value
                v2_top = [max(X_VALUE, K_VALUE)]
                verify_nominate(scp.envs[0], v0, qset_hash0, 0, v2_top, empty_v)

            @section("v3 is new top node")
            def _():
                scp.priority_lookup = lambda n: 1000 if n == v3_id else 1
                # nothing happens, we don't have any message for v3
                assert not scp.nominate(0, X_VALUE, True)
                check_leaders(scp, {v1_id, v3_id})

                assert len(scp.envs) == 0


# ====================================================================== pytest

# The leaf sections of the TEST_CASE in SCPTests.cpp v25.0.1, in source order
# (test_every_cpp_section_is_reproduced checks the scenario above has exactly
# these leaves).
NOMINATION_LEAVES = [
    'nomination - v0 is top / v0 starts to nominates xValue / others nominate what v0 says (x) -> prepare x / nominate x -> accept x -> prepare (x) ; others accepted y -> update latest to (z=x+y)',
    'nomination - v0 is top / v0 starts to nominates xValue / others nominate what v0 says (x) -> prepare x / nomination - restored state / ballot protocol not started',
    'nomination - v0 is top / v0 starts to nominates xValue / others nominate what v0 says (x) -> prepare x / nomination - restored state / ballot protocol started (on value k)',
    'nomination - v0 is top / v0 starts to nominates xValue / receive more messages, then v0 switches to a different leader',
    'nomination - v0 is top / v0 starts to nominates xValue / select accepted value from leader / receive accepted before timeout',
    'nomination - v0 is top / v0 starts to nominates xValue / select accepted value from leader / receive accepted after timeout',
    "nomination - v0 is top / self nominates 'x', others nominate y -> prepare y / others only vote for y",
    "nomination - v0 is top / self nominates 'x', others nominate y -> prepare y / others accepted y",
    'v1 is top node / value from v1 is a candidate, self should not introduce new value on timeout',
    'v1 is top node / nomination waits for v1',
    'v1 is top node / v1 dead, timeout / v0 is new top node',
    'v1 is top node / v1 dead, timeout / v2 is new top node',
    'v1 is top node / v1 dead, timeout / v3 is new top node',
]


def test_every_cpp_section_is_reproduced():
    """The scenario has exactly the 13 C++ leaf sections."""
    assert len(NOMINATION_LEAVES) == 13
    found = discover(
        lambda section: nomination_tests_core5(section, TIMEOUT_SECTIONS["initial values"]))
    assert [" / ".join(p) for p in found] == NOMINATION_LEAVES


@pytest.mark.parametrize("timeouts", list(TIMEOUT_SECTIONS))
@pytest.mark.parametrize("path", NOMINATION_LEAVES)
def test_nomination_tests_core5(path, timeouts):
    run_path(lambda section: nomination_tests_core5(section, TIMEOUT_SECTIONS[timeouts]),
             path.split(" / "))
