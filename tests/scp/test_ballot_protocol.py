"""The ballot protocol, as stellar-core v25.0.1 tests it
(src/scp/test/SCPTests.cpp: TEST_CASE "ballot protocol core5" and
"ballot protocol core3").

Each scenario function is a transcription of one C++ TEST_CASE: its
SECTIONs are the `@section(...)` blocks, with the C++ names, and every leaf
section is one pytest case (its id is the section path).  As in the C++,
each leaf runs under the three timeout settings of testTimeouts()
("minimum values", "initial values", "maximum values").

Conventions: A1 is the ballot (1, aValue); ballots are (counter, value)
tuples; `scp.envs` are the envelopes the node emitted, in order.  Numbers
in parentheses in the comments refer to the rules of the ballot protocol
in the SCP white paper, as in the C++.
"""
import pytest

from tests.scp._harness import (TIMEOUT_SECTIONS, UINT32_MAX, X_VALUE, Y_VALUE, Z_VALUE,
                                ZZ_VALUE, TestSCP, discover, make_confirm,
                                make_confirm_gen, make_externalize, make_externalize_gen,
                                make_prepare, make_prepare_gen, node_id, node_key, qset_hash_of,
                                run_path, verify_confirm, verify_externalize, verify_prepare)
from stellarcore import xdr
from stellarcore.scp import QSet


def _xb(b):
    return xdr.SCPBallot(counter=b[0], value=b[1])


# ====================================================================== core5

def ballot_protocol_core5(section, timeouts):
    v0, v1, v2, v3, v4 = (node_key(i) for i in range(5))

    # we need 5 nodes to avoid sharing various thresholds:
    # v-blocking set size: 2
    # threshold: 4 = 3 + self or 4 others
    qset = QSet(4, tuple(node_id(k) for k in (v0, v1, v2, v3, v4)))
    qset_hash = qset_hash_of(qset)

    scp = TestSCP(node_id(v0), qset)
    timeouts.apply(scp)

    scp.store_quorum_set(qset)
    qset_hash0 = scp.qset_hash0

    assert X_VALUE < Y_VALUE < Z_VALUE < ZZ_VALUE

    def recv_vblocking_checks(gen, with_checks):
        e1, e2 = gen(v1), gen(v2)
        scp.bump_timer_offset()
        # nothing should happen with first message
        i = len(scp.envs)
        scp.receive_envelope(e1)
        if with_checks:
            assert len(scp.envs) == i
        i += 1
        scp.receive_envelope(e2)
        if with_checks:
            assert len(scp.envs) == i

    def recv_vblocking(gen):
        recv_vblocking_checks(gen, True)

    def recv_quorum_checks_ex(gen, with_checks, delayed_quorum, check_upcoming):
        e1, e2, e3, e4 = gen(v1), gen(v2), gen(v3), gen(v4)
        scp.bump_timer_offset()
        scp.receive_envelope(e1)
        scp.receive_envelope(e2)
        i = len(scp.envs) + 1
        scp.receive_envelope(e3)
        if with_checks and not delayed_quorum:
            assert len(scp.envs) == i
        if check_upcoming and not delayed_quorum:
            assert scp.has_ballot_timer_upcoming()
        # nothing happens with an extra vote (unless we're in delayedQuorum)
        scp.receive_envelope(e4)
        if with_checks and delayed_quorum:
            assert len(scp.envs) == i
        if check_upcoming and delayed_quorum:
            assert scp.has_ballot_timer_upcoming()

    def recv_quorum_checks(gen, with_checks, delayed_quorum):
        # doesn't check timers
        recv_quorum_checks_ex(gen, with_checks, delayed_quorum, False)

    def recv_quorum_ex(gen, check_upcoming):
        # checks enabled, no delayed quorum
        recv_quorum_checks_ex(gen, True, False, check_upcoming)

    def recv_quorum(gen):
        # checks enabled, no delayed quorum, no check timers
        recv_quorum_ex(gen, False)

    def nodes_all_pledge_to_commit():
        b = (1, X_VALUE)
        prepare1 = make_prepare(v1, qset_hash, 0, b)
        prepare2 = make_prepare(v2, qset_hash, 0, b)
        prepare3 = make_prepare(v3, qset_hash, 0, b)
        prepare4 = make_prepare(v4, qset_hash, 0, b)

        assert scp.bump_state(0, X_VALUE)
        assert len(scp.envs) == 1

        verify_prepare(scp.envs[0], v0, qset_hash0, 0, b)

        scp.receive_envelope(prepare1)
        assert len(scp.envs) == 1
        assert len(scp.heard_from_quorums[0]) == 0

        scp.receive_envelope(prepare2)
        assert len(scp.envs) == 1
        assert len(scp.heard_from_quorums[0]) == 0

        scp.receive_envelope(prepare3)
        assert len(scp.envs) == 2
        assert len(scp.heard_from_quorums[0]) == 1
        assert scp.heard_from_quorums[0][0] == _xb(b)

        # We have a quorum including us

        verify_prepare(scp.envs[1], v0, qset_hash0, 0, b, b)

        scp.receive_envelope(prepare4)
        assert len(scp.envs) == 2

        prepared1 = make_prepare(v1, qset_hash, 0, b, b)
        prepared2 = make_prepare(v2, qset_hash, 0, b, b)
        prepared3 = make_prepare(v3, qset_hash, 0, b, b)
        prepared4 = make_prepare(v4, qset_hash, 0, b, b)

        scp.receive_envelope(prepared4)
        scp.receive_envelope(prepared3)
        assert len(scp.envs) == 2

        scp.receive_envelope(prepared2)
        assert len(scp.envs) == 3

        # confirms prepared
        verify_prepare(scp.envs[2], v0, qset_hash0, 0, b, b, b[0], b[0])

        # extra statement doesn't do anything
        scp.receive_envelope(prepared1)
        assert len(scp.envs) == 3

    @section("bumpState x")
    def _():
        assert scp.bump_state(0, X_VALUE)
        assert len(scp.envs) == 1

        expected_ballot = (1, X_VALUE)

        verify_prepare(scp.envs[0], v0, qset_hash0, 0, expected_ballot)

    @section("start <1,x>")
    def _():
        # no timer is set
        assert not scp.has_ballot_timer()

        a_value = X_VALUE
        b_value = Z_VALUE
        mid_value = Y_VALUE
        big_value = ZZ_VALUE

        A1, B1 = (1, a_value), (1, b_value)
        Mid1, Big1 = (1, mid_value), (1, big_value)
        A2, A3, A4, A5 = (2, a_value), (3, a_value), (4, a_value), (5, a_value)
        AInf, BInf = (UINT32_MAX, a_value), (UINT32_MAX, b_value)
        B2, B3 = (2, b_value), (3, b_value)
        Mid2 = (2, mid_value)
        Big2 = (2, big_value)

        assert scp.bump_state(0, a_value)
        assert len(scp.envs) == 1
        assert not scp.has_ballot_timer()

        @section("prepared A1")
        def _():
            recv_quorum_ex(make_prepare_gen(qset_hash, A1), True)

            assert len(scp.envs) == 2
            verify_prepare(scp.envs[1], v0, qset_hash0, 0, A1, A1)

            @section("bump prepared A2")
            def _():
                # bump to (2,a)

                scp.bump_timer_offset()
                assert scp.bump_state(0, a_value)
                assert len(scp.envs) == 3
                verify_prepare(scp.envs[2], v0, qset_hash0, 0, A2, A1)
                assert not scp.has_ballot_timer()

                recv_quorum_ex(make_prepare_gen(qset_hash, A2), True)
                assert len(scp.envs) == 4
                verify_prepare(scp.envs[3], v0, qset_hash0, 0, A2, A2)

                @section("Confirm prepared A2")
                def _():
                    recv_quorum(make_prepare_gen(qset_hash, A2, A2))
                    assert len(scp.envs) == 5
                    verify_prepare(scp.envs[4], v0, qset_hash0, 0, A2, A2, 2, 2)
                    assert not scp.has_ballot_timer_upcoming()

                    @section("Accept commit")
                    def _():
                        @section("Quorum A2")
                        def _():
                            recv_quorum(make_prepare_gen(qset_hash, A2, A2, 2, 2))
                            assert len(scp.envs) == 6
                            verify_confirm(scp.envs[5], v0, qset_hash0, 0, 2, A2, 2, 2)
                            assert not scp.has_ballot_timer_upcoming()

                            @section("Quorum prepared A3")
                            def _():
                                recv_vblocking(make_prepare_gen(qset_hash, A3, A2, 2, 2))
                                assert len(scp.envs) == 7
                                verify_confirm(scp.envs[6], v0, qset_hash0, 0, 2, A3, 2, 2)
                                assert not scp.has_ballot_timer()

                                recv_quorum_ex(make_prepare_gen(qset_hash, A3, A2, 2, 2), True)
                                assert len(scp.envs) == 8
                                verify_confirm(scp.envs[7], v0, qset_hash0, 0, 3, A3, 2, 2)

                                @section("Accept more commit A3")
                                def _():
                                    recv_quorum(make_prepare_gen(qset_hash, A3, A3, 2, 3))
                                    assert len(scp.envs) == 9
                                    verify_confirm(scp.envs[8], v0, qset_hash0, 0, 3, A3, 2, 3)
                                    assert not scp.has_ballot_timer_upcoming()

                                    assert len(scp.externalized_values) == 0

                                    @section("Quorum externalize A3")
                                    def _():
                                        recv_quorum(make_confirm_gen(qset_hash, 3, A3, 2, 3))
                                        assert len(scp.envs) == 10
                                        verify_externalize(scp.envs[9], v0, qset_hash0, 0, A2, 3)
                                        assert not scp.has_ballot_timer()

                                        assert len(scp.externalized_values) == 1
                                        assert scp.externalized_values[0] == a_value

                                @section("v-blocking accept more A3")
                                def _():
                                    @section("Confirm A3")
                                    def _():
                                        recv_vblocking(make_confirm_gen(qset_hash, 3, A3, 2, 3))
                                        assert len(scp.envs) == 9
                                        verify_confirm(scp.envs[8], v0, qset_hash0, 0, 3, A3, 2, 3)
                                        assert not scp.has_ballot_timer_upcoming()

                                    @section("Externalize A3")
                                    def _():
                                        recv_vblocking(make_externalize_gen(qset_hash, A2, 3))
                                        assert len(scp.envs) == 9
                                        verify_confirm(scp.envs[8], v0, qset_hash0, 0, UINT32_MAX,
                                                       AInf, 2, UINT32_MAX)
                                        assert not scp.has_ballot_timer()

                                    @section("other nodes moved to c=A4 h=A5")
                                    def _():
                                        @section("Confirm A4..5")
                                        def _():
                                            recv_vblocking(make_confirm_gen(qset_hash, 3, A5, 4, 5))
                                            assert len(scp.envs) == 9
                                            verify_confirm(scp.envs[8], v0, qset_hash0, 0, 3, A5, 4, 5)
                                            assert not scp.has_ballot_timer()

                                        @section("Externalize A4..5")
                                        def _():
                                            recv_vblocking(make_externalize_gen(qset_hash, A4, 5))
                                            assert len(scp.envs) == 9
                                            verify_confirm(scp.envs[8], v0, qset_hash0, 0,
                                                           UINT32_MAX, AInf, 4, UINT32_MAX)
                                            assert not scp.has_ballot_timer()

                            @section("v-blocking prepared A3")
                            def _():
                                recv_vblocking(make_prepare_gen(qset_hash, A3, A3, 2, 2))
                                assert len(scp.envs) == 7
                                verify_confirm(scp.envs[6], v0, qset_hash0, 0, 3, A3, 2, 2)
                                assert not scp.has_ballot_timer()

                            @section("v-blocking prepared A3+B3")
                            def _():
                                recv_vblocking(make_prepare_gen(qset_hash, A3, B3, 2, 2, A3))
                                assert len(scp.envs) == 7
                                verify_confirm(scp.envs[6], v0, qset_hash0, 0, 3, A3, 2, 2)
                                assert not scp.has_ballot_timer()

                            @section("v-blocking confirm A3")
                            def _():
                                recv_vblocking(make_confirm_gen(qset_hash, 3, A3, 2, 2))
                                assert len(scp.envs) == 7
                                verify_confirm(scp.envs[6], v0, qset_hash0, 0, 3, A3, 2, 2)
                                assert not scp.has_ballot_timer()

                            @section("Hang - does not switch to B in CONFIRM")
                            def _():
                                @section("Network EXTERNALIZE")
                                def _():
                                    # externalize messages have a counter at infinite
                                    recv_vblocking(make_externalize_gen(qset_hash, B2, 3))
                                    assert len(scp.envs) == 7
                                    verify_confirm(scp.envs[6], v0, qset_hash0, 0, 2, AInf, 2, 2)
                                    assert not scp.has_ballot_timer()

                                    # stuck
                                    recv_quorum_checks(make_externalize_gen(qset_hash, B2, 3),
                                                       False, False)
                                    assert len(scp.envs) == 7
                                    assert len(scp.externalized_values) == 0
                                    # timer scheduled as there is a quorum with (2, *)
                                    assert scp.has_ballot_timer_upcoming()

                                @section("Network CONFIRMS other ballot")
                                def _():
                                    @section("at same counter")
                                    def _():
                                        # nothing should happen here, in particular, node
                                        # should not attempt to switch 'p'
                                        recv_quorum_checks(make_confirm_gen(qset_hash, 3, B2, 2, 3),
                                                           False, False)
                                        assert len(scp.envs) == 6
                                        assert len(scp.externalized_values) == 0
                                        assert not scp.has_ballot_timer_upcoming()

                                    @section("at a different counter")
                                    def _():
                                        recv_vblocking(make_confirm_gen(qset_hash, 3, B3, 3, 3))
                                        assert len(scp.envs) == 7
                                        verify_confirm(scp.envs[6], v0, qset_hash0, 0, 2, A3, 2, 2)
                                        assert not scp.has_ballot_timer()

                                        recv_quorum_checks(make_confirm_gen(qset_hash, 3, B3, 3, 3),
                                                           False, False)
                                        assert len(scp.envs) == 7
                                        assert len(scp.externalized_values) == 0
                                        # timer scheduled as there is a quorum with (3, *)
                                        assert scp.has_ballot_timer_upcoming()

                        @section("v-blocking")
                        def _():
                            @section("CONFIRM")
                            def _():
                                @section("CONFIRM A2")
                                def _():
                                    recv_vblocking(make_confirm_gen(qset_hash, 2, A2, 2, 2))
                                    assert len(scp.envs) == 6
                                    verify_confirm(scp.envs[5], v0, qset_hash0, 0, 2, A2, 2, 2)
                                    assert not scp.has_ballot_timer_upcoming()

                                @section("CONFIRM A3..4")
                                def _():
                                    recv_vblocking(make_confirm_gen(qset_hash, 4, A4, 3, 4))
                                    assert len(scp.envs) == 6
                                    verify_confirm(scp.envs[5], v0, qset_hash0, 0, 4, A4, 3, 4)
                                    assert not scp.has_ballot_timer()

                                @section("CONFIRM B2")
                                def _():
                                    recv_vblocking(make_confirm_gen(qset_hash, 2, B2, 2, 2))
                                    assert len(scp.envs) == 6
                                    verify_confirm(scp.envs[5], v0, qset_hash0, 0, 2, B2, 2, 2)
                                    assert not scp.has_ballot_timer_upcoming()

                            @section("EXTERNALIZE")
                            def _():
                                @section("EXTERNALIZE A2")
                                def _():
                                    recv_vblocking(make_externalize_gen(qset_hash, A2, 2))
                                    assert len(scp.envs) == 6
                                    verify_confirm(scp.envs[5], v0, qset_hash0, 0, UINT32_MAX,
                                                   AInf, 2, UINT32_MAX)
                                    assert not scp.has_ballot_timer()

                                @section("EXTERNALIZE B2")
                                def _():
                                    recv_vblocking(make_externalize_gen(qset_hash, B2, 2))
                                    assert len(scp.envs) == 6
                                    verify_confirm(scp.envs[5], v0, qset_hash0, 0, UINT32_MAX,
                                                   BInf, 2, UINT32_MAX)
                                    assert not scp.has_ballot_timer()

                    @section("get conflicting prepared B")
                    def _():
                        @section("same counter")
                        def _():
                            recv_vblocking(make_prepare_gen(qset_hash, B2, B2))
                            assert len(scp.envs) == 6
                            verify_prepare(scp.envs[5], v0, qset_hash0, 0, A2, B2, 0, 2, A2)
                            assert not scp.has_ballot_timer_upcoming()

                            recv_quorum(make_prepare_gen(qset_hash, B2, B2, 2, 2))
                            assert len(scp.envs) == 7
                            verify_confirm(scp.envs[6], v0, qset_hash0, 0, 2, B2, 2, 2)
                            assert not scp.has_ballot_timer_upcoming()

                        @section("higher counter")
                        def _():
                            recv_vblocking(make_prepare_gen(qset_hash, B3, B2, 2, 2))
                            assert len(scp.envs) == 6
                            verify_prepare(scp.envs[5], v0, qset_hash0, 0, A3, B2, 0, 2, A2)
                            assert not scp.has_ballot_timer()

                            recv_quorum_checks_ex(make_prepare_gen(qset_hash, B3, B2, 2, 2),
                                                  True, True, True)
                            assert len(scp.envs) == 7
                            verify_confirm(scp.envs[6], v0, qset_hash0, 0, 3, B3, 2, 2)

                        @section("higher counter mixed")
                        def _():
                            recv_vblocking(make_prepare_gen(qset_hash, A3, B3, 0, 2, A2))
                            assert len(scp.envs) == 6
                            # h still A2
                            # v-blocking
                            #     prepared B3 -> p = B3, p'=A2 (1)
                            #     counter 3, b = A3 (9) (same value than h)
                            # c = 0 (1)
                            verify_prepare(scp.envs[5], v0, qset_hash0, 0, A3, B3, 0, 2, A2)
                            recv_quorum_ex(make_prepare_gen(qset_hash, A3, B3, 0, 2, A2), True)
                            # p=B3, p'=A3 (1)
                            # computed_h = B3
                            # b = computed_h = B3 (8)
                            # h = computed_h = B3 (2)
                            # c = h = B3 (3)
                            assert len(scp.envs) == 7
                            verify_prepare(scp.envs[6], v0, qset_hash0, 0, B3, B3, 3, 3, A3)

                @section("Confirm prepared mixed")
                def _():
                    # a few nodes prepared B2
                    recv_vblocking(make_prepare_gen(qset_hash, B2, B2, 0, 0, A2))
                    assert len(scp.envs) == 5
                    verify_prepare(scp.envs[4], v0, qset_hash0, 0, A2, B2, 0, 0, A2)
                    assert not scp.has_ballot_timer_upcoming()

                    @section("mixed A2")
                    def _():
                        # causes h=A2
                        # but c = 0, as p >!~ h
                        scp.bump_timer_offset()
                        scp.receive_envelope(make_prepare(v3, qset_hash, 0, A2, A2))

                        assert len(scp.envs) == 6
                        verify_prepare(scp.envs[5], v0, qset_hash0, 0, A2, B2, 0, 2, A2)
                        assert not scp.has_ballot_timer_upcoming()

                        scp.bump_timer_offset()
                        scp.receive_envelope(make_prepare(v4, qset_hash, 0, A2, A2))

                        assert len(scp.envs) == 6
                        assert not scp.has_ballot_timer_upcoming()

                    @section("mixed B2")
                    def _():
                        # causes h=B2, c=B2
                        scp.bump_timer_offset()
                        scp.receive_envelope(make_prepare(v3, qset_hash, 0, B2, B2))

                        assert len(scp.envs) == 6
                        verify_prepare(scp.envs[5], v0, qset_hash0, 0, B2, B2, 2, 2, A2)
                        assert not scp.has_ballot_timer_upcoming()

                        scp.bump_timer_offset()
                        scp.receive_envelope(make_prepare(v4, qset_hash, 0, B2, B2))

                        assert len(scp.envs) == 6
                        assert not scp.has_ballot_timer_upcoming()

            @section("switch prepared B1 from A1")
            def _():
                # (p,p') = (B1, A1) [ from (A1, null) ]
                recv_vblocking(make_prepare_gen(qset_hash, B1, B1))
                assert len(scp.envs) == 3
                verify_prepare(scp.envs[2], v0, qset_hash0, 0, A1, B1, 0, 0, A1)
                assert not scp.has_ballot_timer_upcoming()

                # v-blocking with n=2 -> bump n
                recv_vblocking(make_prepare_gen(qset_hash, B2))
                assert len(scp.envs) == 4
                verify_prepare(scp.envs[3], v0, qset_hash0, 0, A2, B1, 0, 0, A1)

                # move to (p,p') = (B2, A1) [update p from B1 -> B2]
                recv_vblocking(make_prepare_gen(qset_hash, B2, B2))
                assert len(scp.envs) == 5
                verify_prepare(scp.envs[4], v0, qset_hash0, 0, A2, B2, 0, 0, A1)
                assert not scp.has_ballot_timer()  # no quorum (other nodes on (A,1))

                @section("v-blocking switches to previous value of p")
                def _():
                    # v-blocking with n=3 -> bump n
                    recv_vblocking(make_prepare_gen(qset_hash, B3))
                    assert len(scp.envs) == 6
                    verify_prepare(scp.envs[5], v0, qset_hash0, 0, A3, B2, 0, 0, A1)
                    assert not scp.has_ballot_timer()  # no quorum (other nodes on (A,1))

                    # vBlocking set says "B1" is prepared - but we already have p=B2
                    recv_vblocking_checks(make_prepare_gen(qset_hash, B3, B1), False)
                    assert len(scp.envs) == 6
                    assert not scp.has_ballot_timer()

                @section("switch p' to Mid2")
                def _():
                    # (p,p') = (B2, Mid2)
                    recv_vblocking(make_prepare_gen(qset_hash, B2, B2, 0, 0, Mid2))
                    assert len(scp.envs) == 6
                    verify_prepare(scp.envs[5], v0, qset_hash0, 0, A2, B2, 0, 0, Mid2)
                    assert not scp.has_ballot_timer()

                @section("switch again Big2")
                def _():
                    # both p and p' get updated
                    # (p,p') = (Big2, B2)
                    recv_vblocking(make_prepare_gen(qset_hash, B2, Big2, 0, 0, B2))
                    assert len(scp.envs) == 6
                    verify_prepare(scp.envs[5], v0, qset_hash0, 0, A2, Big2, 0, 0, B2)
                    assert not scp.has_ballot_timer()

            @section("switch prepare B1")
            def _():
                recv_quorum_checks(make_prepare_gen(qset_hash, B1), True, True)
                assert len(scp.envs) == 3
                verify_prepare(scp.envs[2], v0, qset_hash0, 0, A1, B1, 0, 0, A1)
                assert not scp.has_ballot_timer_upcoming()

            @section("prepare higher counter (v-blocking)")
            def _():
                recv_vblocking(make_prepare_gen(qset_hash, B2))
                assert len(scp.envs) == 3
                verify_prepare(scp.envs[2], v0, qset_hash0, 0, A2, A1)
                assert not scp.has_ballot_timer()

                # more timeout from vBlocking set
                recv_vblocking(make_prepare_gen(qset_hash, B3))
                assert len(scp.envs) == 4
                verify_prepare(scp.envs[3], v0, qset_hash0, 0, A3, A1)
                assert not scp.has_ballot_timer()

        @section("prepared B (v-blocking)")
        def _():
            recv_vblocking(make_prepare_gen(qset_hash, B1, B1))
            assert len(scp.envs) == 2
            verify_prepare(scp.envs[1], v0, qset_hash0, 0, A1, B1)
            assert not scp.has_ballot_timer()

        @section("prepare B (quorum)")
        def _():
            recv_quorum_checks_ex(make_prepare_gen(qset_hash, B1), True, True, True)
            assert len(scp.envs) == 2
            verify_prepare(scp.envs[1], v0, qset_hash0, 0, A1, B1)

        @section("confirm (v-blocking)")
        def _():
            @section("via CONFIRM")
            def _():
                scp.bump_timer_offset()
                scp.receive_envelope(make_confirm(v1, qset_hash, 0, 3, A3, 3, 3))
                scp.receive_envelope(make_confirm(v2, qset_hash, 0, 4, A4, 2, 4))
                assert len(scp.envs) == 2
                verify_confirm(scp.envs[1], v0, qset_hash0, 0, 3, A3, 3, 3)
                assert not scp.has_ballot_timer()

            @section("via EXTERNALIZE")
            def _():
                scp.receive_envelope(make_externalize(v1, qset_hash, 0, A2, 4))
                scp.receive_envelope(make_externalize(v2, qset_hash, 0, A3, 5))
                assert len(scp.envs) == 2
                verify_confirm(scp.envs[1], v0, qset_hash0, 0, UINT32_MAX, AInf, 3, UINT32_MAX)
                assert not scp.has_ballot_timer()

    # this is the same test suite than "start <1,x>" with the exception that
    # some transitions are not possible as x < z - so instead we verify that
    # nothing happens
    @section("start <1,z>")
    def _():
        # no timer is set
        assert not scp.has_ballot_timer()

        a_value = Z_VALUE
        b_value = X_VALUE

        A1, B1 = (1, a_value), (1, b_value)
        A2, A3, A4, A5 = (2, a_value), (3, a_value), (4, a_value), (5, a_value)
        AInf, BInf = (UINT32_MAX, a_value), (UINT32_MAX, b_value)
        B2, B3, B4 = (2, b_value), (3, b_value), (4, b_value)

        assert scp.bump_state(0, a_value)
        assert len(scp.envs) == 1
        assert not scp.has_ballot_timer()

        @section("prepared A1")
        def _():
            recv_quorum_ex(make_prepare_gen(qset_hash, A1), True)

            assert len(scp.envs) == 2
            verify_prepare(scp.envs[1], v0, qset_hash0, 0, A1, A1)

            @section("bump prepared A2")
            def _():
                # bump to (2,a)

                scp.bump_timer_offset()
                assert scp.bump_state(0, a_value)
                assert len(scp.envs) == 3
                verify_prepare(scp.envs[2], v0, qset_hash0, 0, A2, A1)
                assert not scp.has_ballot_timer()

                recv_quorum_ex(make_prepare_gen(qset_hash, A2), True)
                assert len(scp.envs) == 4
                verify_prepare(scp.envs[3], v0, qset_hash0, 0, A2, A2)

                @section("Confirm prepared A2")
                def _():
                    recv_quorum(make_prepare_gen(qset_hash, A2, A2))
                    assert len(scp.envs) == 5
                    verify_prepare(scp.envs[4], v0, qset_hash0, 0, A2, A2, 2, 2)
                    assert not scp.has_ballot_timer_upcoming()

                    @section("Accept commit")
                    def _():
                        @section("Quorum A2")
                        def _():
                            recv_quorum(make_prepare_gen(qset_hash, A2, A2, 2, 2))
                            assert len(scp.envs) == 6
                            verify_confirm(scp.envs[5], v0, qset_hash0, 0, 2, A2, 2, 2)
                            assert not scp.has_ballot_timer_upcoming()

                            @section("Quorum prepared A3")
                            def _():
                                recv_vblocking(make_prepare_gen(qset_hash, A3, A2, 2, 2))
                                assert len(scp.envs) == 7
                                verify_confirm(scp.envs[6], v0, qset_hash0, 0, 2, A3, 2, 2)
                                assert not scp.has_ballot_timer()

                                recv_quorum_ex(make_prepare_gen(qset_hash, A3, A2, 2, 2), True)
                                assert len(scp.envs) == 8
                                verify_confirm(scp.envs[7], v0, qset_hash0, 0, 3, A3, 2, 2)

                                @section("Accept more commit A3")
                                def _():
                                    recv_quorum(make_prepare_gen(qset_hash, A3, A3, 2, 3))
                                    assert len(scp.envs) == 9
                                    verify_confirm(scp.envs[8], v0, qset_hash0, 0, 3, A3, 2, 3)
                                    assert not scp.has_ballot_timer_upcoming()

                                    assert len(scp.externalized_values) == 0

                                    @section("Quorum externalize A3")
                                    def _():
                                        recv_quorum(make_confirm_gen(qset_hash, 3, A3, 2, 3))
                                        assert len(scp.envs) == 10
                                        verify_externalize(scp.envs[9], v0, qset_hash0, 0, A2, 3)
                                        assert not scp.has_ballot_timer()

                                        assert len(scp.externalized_values) == 1
                                        assert scp.externalized_values[0] == a_value

                                @section("v-blocking accept more A3")
                                def _():
                                    @section("Confirm A3")
                                    def _():
                                        recv_vblocking(make_confirm_gen(qset_hash, 3, A3, 2, 3))
                                        assert len(scp.envs) == 9
                                        verify_confirm(scp.envs[8], v0, qset_hash0, 0, 3, A3, 2, 3)
                                        assert not scp.has_ballot_timer_upcoming()

                                    @section("Externalize A3")
                                    def _():
                                        recv_vblocking(make_externalize_gen(qset_hash, A2, 3))
                                        assert len(scp.envs) == 9
                                        verify_confirm(scp.envs[8], v0, qset_hash0, 0, UINT32_MAX,
                                                       AInf, 2, UINT32_MAX)
                                        assert not scp.has_ballot_timer()

                                    @section("other nodes moved to c=A4 h=A5")
                                    def _():
                                        @section("Confirm A4..5")
                                        def _():
                                            recv_vblocking(make_confirm_gen(qset_hash, 3, A5, 4, 5))
                                            assert len(scp.envs) == 9
                                            verify_confirm(scp.envs[8], v0, qset_hash0, 0, 3, A5, 4, 5)
                                            assert not scp.has_ballot_timer()

                                        @section("Externalize A4..5")
                                        def _():
                                            recv_vblocking(make_externalize_gen(qset_hash, A4, 5))
                                            assert len(scp.envs) == 9
                                            verify_confirm(scp.envs[8], v0, qset_hash0, 0,
                                                           UINT32_MAX, AInf, 4, UINT32_MAX)
                                            assert not scp.has_ballot_timer()

                            @section("v-blocking prepared A3")
                            def _():
                                recv_vblocking(make_prepare_gen(qset_hash, A3, A3, 2, 2))
                                assert len(scp.envs) == 7
                                verify_confirm(scp.envs[6], v0, qset_hash0, 0, 3, A3, 2, 2)
                                assert not scp.has_ballot_timer()

                            @section("v-blocking prepared A3+B3")
                            def _():
                                recv_vblocking(make_prepare_gen(qset_hash, A3, A3, 2, 2, B3))
                                assert len(scp.envs) == 7
                                verify_confirm(scp.envs[6], v0, qset_hash0, 0, 3, A3, 2, 2)
                                assert not scp.has_ballot_timer()

                            @section("v-blocking confirm A3")
                            def _():
                                recv_vblocking(make_confirm_gen(qset_hash, 3, A3, 2, 2))
                                assert len(scp.envs) == 7
                                verify_confirm(scp.envs[6], v0, qset_hash0, 0, 3, A3, 2, 2)
                                assert not scp.has_ballot_timer()

                            @section("Hang - does not switch to B in CONFIRM")
                            def _():
                                @section("Network EXTERNALIZE")
                                def _():
                                    # externalize messages have a counter at infinite
                                    recv_vblocking(make_externalize_gen(qset_hash, B2, 3))
                                    assert len(scp.envs) == 7
                                    verify_confirm(scp.envs[6], v0, qset_hash0, 0, 2, AInf, 2, 2)
                                    assert not scp.has_ballot_timer()

                                    # stuck
                                    recv_quorum_checks(make_externalize_gen(qset_hash, B2, 3),
                                                       False, False)
                                    assert len(scp.envs) == 7
                                    assert len(scp.externalized_values) == 0
                                    # timer scheduled as there is a quorum with (inf, *)
                                    assert scp.has_ballot_timer_upcoming()

                                @section("Network CONFIRMS other ballot")
                                def _():
                                    @section("at same counter")
                                    def _():
                                        # nothing should happen here, in particular, node
                                        # should not attempt to switch 'p'
                                        recv_quorum_checks(make_confirm_gen(qset_hash, 3, B2, 2, 3),
                                                           False, False)
                                        assert len(scp.envs) == 6
                                        assert len(scp.externalized_values) == 0
                                        assert not scp.has_ballot_timer_upcoming()

                                    @section("at a different counter")
                                    def _():
                                        recv_vblocking(make_confirm_gen(qset_hash, 3, B3, 3, 3))
                                        assert len(scp.envs) == 7
                                        verify_confirm(scp.envs[6], v0, qset_hash0, 0, 2, A3, 2, 2)
                                        assert not scp.has_ballot_timer()

                                        recv_quorum_checks(make_confirm_gen(qset_hash, 3, B3, 3, 3),
                                                           False, False)
                                        assert len(scp.envs) == 7
                                        assert len(scp.externalized_values) == 0
                                        # timer scheduled as there is a quorum with (3, *)
                                        assert scp.has_ballot_timer_upcoming()

                        @section("v-blocking")
                        def _():
                            @section("CONFIRM")
                            def _():
                                @section("CONFIRM A2")
                                def _():
                                    recv_vblocking(make_confirm_gen(qset_hash, 2, A2, 2, 2))
                                    assert len(scp.envs) == 6
                                    verify_confirm(scp.envs[5], v0, qset_hash0, 0, 2, A2, 2, 2)
                                    assert not scp.has_ballot_timer_upcoming()

                                @section("CONFIRM A3..4")
                                def _():
                                    recv_vblocking(make_confirm_gen(qset_hash, 4, A4, 3, 4))
                                    assert len(scp.envs) == 6
                                    verify_confirm(scp.envs[5], v0, qset_hash0, 0, 4, A4, 3, 4)
                                    assert not scp.has_ballot_timer()

                                @section("CONFIRM B2")
                                def _():
                                    recv_vblocking(make_confirm_gen(qset_hash, 2, B2, 2, 2))
                                    assert len(scp.envs) == 6
                                    verify_confirm(scp.envs[5], v0, qset_hash0, 0, 2, B2, 2, 2)
                                    assert not scp.has_ballot_timer_upcoming()

                            @section("EXTERNALIZE")
                            def _():
                                @section("EXTERNALIZE A2")
                                def _():
                                    recv_vblocking(make_externalize_gen(qset_hash, A2, 2))
                                    assert len(scp.envs) == 6
                                    verify_confirm(scp.envs[5], v0, qset_hash0, 0, UINT32_MAX,
                                                   AInf, 2, UINT32_MAX)
                                    assert not scp.has_ballot_timer()

                                @section("EXTERNALIZE B2")
                                def _():
                                    # can switch to B2 with externalize (higher counter)
                                    recv_vblocking(make_externalize_gen(qset_hash, B2, 2))
                                    assert len(scp.envs) == 6
                                    verify_confirm(scp.envs[5], v0, qset_hash0, 0, UINT32_MAX,
                                                   BInf, 2, UINT32_MAX)
                                    assert not scp.has_ballot_timer()

                    @section("get conflicting prepared B")
                    def _():
                        @section("same counter")
                        def _():
                            # messages are ignored as B2 < A2
                            recv_quorum_checks(make_prepare_gen(qset_hash, B2, B2), False, False)
                            assert len(scp.envs) == 5
                            assert not scp.has_ballot_timer_upcoming()

                        @section("higher counter")
                        def _():
                            recv_vblocking(make_prepare_gen(qset_hash, B3, B2, 2, 2))
                            assert len(scp.envs) == 6
                            # A2 > B2 -> p = A2, p'=B2
                            verify_prepare(scp.envs[5], v0, qset_hash0, 0, A3, A2, 2, 2, B2)
                            assert not scp.has_ballot_timer()

                            # node is trying to commit A2=<2,y> but rest of its quorum is
                            # trying to commit B2: we end up with a delayed quorum
                            recv_quorum_checks_ex(make_prepare_gen(qset_hash, B3, B2, 2, 2),
                                                  True, True, True)
                            assert len(scp.envs) == 7
                            verify_confirm(scp.envs[6], v0, qset_hash0, 0, 3, B3, 2, 2)

                        @section("higher counter mixed")
                        def _():
                            recv_vblocking(make_prepare_gen(qset_hash, A3, B3, 0, 2, A2))
                            assert len(scp.envs) == 6
                            # h still A2
                            # v-blocking
                            #     prepared B3 -> p = B3, p'=A2 (1)
                            #     counter 3, b = A3 (9) (same value than h)
                            # c = 0 (1)
                            verify_prepare(scp.envs[5], v0, qset_hash0, 0, A3, B3, 0, 2, A2)
                            recv_quorum_ex(make_prepare_gen(qset_hash, A3, B3, 0, 2, A2), True)
                            # p=A3, p'=B3 (1)
                            # computed_h = B3 (2) z = B - cannot update b
                            assert len(scp.envs) == 7
                            verify_prepare(scp.envs[6], v0, qset_hash0, 0, A3, A3, 0, 2, B3)
                            # timeout, bump to B4
                            assert scp.has_ballot_timer_upcoming()
                            cb = scp.get_ballot_protocol_timer().callback
                            cb()
                            # computed_h = B3
                            # h = B3 (2)
                            # c = 0
                            assert len(scp.envs) == 8
                            verify_prepare(scp.envs[7], v0, qset_hash0, 0, B4, A3, 0, 3, B3)

                @section("Confirm prepared mixed")
                def _():
                    # a few nodes prepared B2
                    recv_vblocking(make_prepare_gen(qset_hash, A2, A2, 0, 0, B2))
                    assert len(scp.envs) == 5
                    verify_prepare(scp.envs[4], v0, qset_hash0, 0, A2, A2, 0, 0, B2)
                    assert not scp.has_ballot_timer_upcoming()

                    @section("mixed A2")
                    def _():
                        # causes h=A2, c=A2
                        scp.bump_timer_offset()
                        scp.receive_envelope(make_prepare(v3, qset_hash, 0, A2, A2))

                        assert len(scp.envs) == 6
                        verify_prepare(scp.envs[5], v0, qset_hash0, 0, A2, A2, 2, 2, B2)
                        assert not scp.has_ballot_timer_upcoming()

                        scp.bump_timer_offset()
                        scp.receive_envelope(make_prepare(v4, qset_hash, 0, A2, A2))

                        assert len(scp.envs) == 6
                        assert not scp.has_ballot_timer_upcoming()

                    @section("mixed B2")
                    def _():
                        # causes computed_h=B2 ~ not set as h ~!= b
                        # -> noop
                        scp.bump_timer_offset()
                        scp.receive_envelope(make_prepare(v3, qset_hash, 0, A2, B2))

                        assert len(scp.envs) == 5
                        assert not scp.has_ballot_timer_upcoming()

                        scp.bump_timer_offset()
                        scp.receive_envelope(make_prepare(v4, qset_hash, 0, B2, B2))

                        assert len(scp.envs) == 5
                        assert not scp.has_ballot_timer_upcoming()

            @section("switch prepared B1 from A1")
            def _():
                # can't switch to B1
                recv_quorum_checks(make_prepare_gen(qset_hash, B1, B1), False, False)
                assert len(scp.envs) == 2
                assert not scp.has_ballot_timer_upcoming()

            @section("switch prepare B1")
            def _():
                # doesn't switch as B1 < A1
                recv_quorum_checks(make_prepare_gen(qset_hash, B1), False, False)
                assert len(scp.envs) == 2
                assert not scp.has_ballot_timer_upcoming()

            @section("prepare higher counter (v-blocking)")
            def _():
                recv_vblocking(make_prepare_gen(qset_hash, B2))
                assert len(scp.envs) == 3
                verify_prepare(scp.envs[2], v0, qset_hash0, 0, A2, A1)
                assert not scp.has_ballot_timer()

                # more timeout from vBlocking set
                recv_vblocking(make_prepare_gen(qset_hash, B3))
                assert len(scp.envs) == 4
                verify_prepare(scp.envs[3], v0, qset_hash0, 0, A3, A1)
                assert not scp.has_ballot_timer()

        @section("prepared B (v-blocking)")
        def _():
            recv_vblocking(make_prepare_gen(qset_hash, B1, B1))
            assert len(scp.envs) == 2
            verify_prepare(scp.envs[1], v0, qset_hash0, 0, A1, B1)
            assert not scp.has_ballot_timer()

        @section("prepare B (quorum)")
        def _():
            recv_quorum_checks_ex(make_prepare_gen(qset_hash, B1), True, True, True)
            assert len(scp.envs) == 2
            verify_prepare(scp.envs[1], v0, qset_hash0, 0, A1, B1)

        @section("confirm (v-blocking)")
        def _():
            @section("via CONFIRM")
            def _():
                scp.bump_timer_offset()
                scp.receive_envelope(make_confirm(v1, qset_hash, 0, 3, A3, 3, 3))
                scp.receive_envelope(make_confirm(v2, qset_hash, 0, 4, A4, 2, 4))
                assert len(scp.envs) == 2
                verify_confirm(scp.envs[1], v0, qset_hash0, 0, 3, A3, 3, 3)
                assert not scp.has_ballot_timer()

            @section("via EXTERNALIZE")
            def _():
                scp.receive_envelope(make_externalize(v1, qset_hash, 0, A2, 4))
                scp.receive_envelope(make_externalize(v2, qset_hash, 0, A3, 5))
                assert len(scp.envs) == 2
                verify_confirm(scp.envs[1], v0, qset_hash0, 0, UINT32_MAX, AInf, 3, UINT32_MAX)
                assert not scp.has_ballot_timer()

    # this is the same test suite than "start <1,x>" but only keeping the
    # transitions that are observable when starting from empty
    @section("start from pristine")
    def _():
        a_value = X_VALUE
        b_value = Z_VALUE

        A1, B1 = (1, a_value), (1, b_value)
        A2, A3, A4 = (2, a_value), (3, a_value), (4, a_value)
        AInf, BInf = (UINT32_MAX, a_value), (UINT32_MAX, b_value)
        B2 = (2, b_value)

        assert len(scp.envs) == 0

        @section("prepared A1")
        def _():
            recv_quorum_checks(make_prepare_gen(qset_hash, A1), False, False)
            assert len(scp.envs) == 0

            @section("bump prepared A2")
            def _():
                @section("Confirm prepared A2")
                def _():
                    recv_vblocking_checks(make_prepare_gen(qset_hash, A2, A2), False)
                    assert len(scp.envs) == 0

                    @section("Quorum A2")
                    def _():
                        recv_vblocking_checks(make_prepare_gen(qset_hash, A2, A2), False)
                        assert len(scp.envs) == 0
                        recv_quorum(make_prepare_gen(qset_hash, A2, A2))
                        assert len(scp.envs) == 1
                        verify_prepare(scp.envs[0], v0, qset_hash0, 0, A2, A2, 1, 2)

                    @section("Quorum B2")
                    def _():
                        recv_vblocking_checks(make_prepare_gen(qset_hash, B2, B2), False)
                        assert len(scp.envs) == 0
                        recv_quorum(make_prepare_gen(qset_hash, B2, B2))
                        assert len(scp.envs) == 1
                        verify_prepare(scp.envs[0], v0, qset_hash0, 0, B2, B2, 2, 2, A2)

                    @section("Accept commit")
                    def _():
                        @section("Quorum A2")
                        def _():
                            recv_quorum(make_prepare_gen(qset_hash, A2, A2, 2, 2))
                            assert len(scp.envs) == 1
                            verify_confirm(scp.envs[0], v0, qset_hash0, 0, 2, A2, 2, 2)

                        @section("Quorum B2")
                        def _():
                            recv_quorum(make_prepare_gen(qset_hash, B2, B2, 2, 2))
                            assert len(scp.envs) == 1
                            verify_confirm(scp.envs[0], v0, qset_hash0, 0, 2, B2, 2, 2)

                        @section("v-blocking")
                        def _():
                            @section("CONFIRM")
                            def _():
                                @section("CONFIRM A2")
                                def _():
                                    recv_vblocking(make_confirm_gen(qset_hash, 2, A2, 2, 2))
                                    assert len(scp.envs) == 1
                                    verify_confirm(scp.envs[0], v0, qset_hash0, 0, 2, A2, 2, 2)

                                @section("CONFIRM A3..4")
                                def _():
                                    recv_vblocking(make_confirm_gen(qset_hash, 4, A4, 3, 4))
                                    assert len(scp.envs) == 1
                                    verify_confirm(scp.envs[0], v0, qset_hash0, 0, 4, A4, 3, 4)

                                @section("CONFIRM B2")
                                def _():
                                    recv_vblocking(make_confirm_gen(qset_hash, 2, B2, 2, 2))
                                    assert len(scp.envs) == 1
                                    verify_confirm(scp.envs[0], v0, qset_hash0, 0, 2, B2, 2, 2)

                            @section("EXTERNALIZE")
                            def _():
                                @section("EXTERNALIZE A2")
                                def _():
                                    recv_vblocking(make_externalize_gen(qset_hash, A2, 2))
                                    assert len(scp.envs) == 1
                                    verify_confirm(scp.envs[0], v0, qset_hash0, 0, UINT32_MAX,
                                                   AInf, 2, UINT32_MAX)

                                @section("EXTERNALIZE B2")
                                def _():
                                    recv_vblocking(make_externalize_gen(qset_hash, B2, 2))
                                    assert len(scp.envs) == 1
                                    verify_confirm(scp.envs[0], v0, qset_hash0, 0, UINT32_MAX,
                                                   BInf, 2, UINT32_MAX)

                @section("Confirm prepared mixed")
                def _():
                    # a few nodes prepared A2
                    # causes p=A2
                    recv_vblocking_checks(make_prepare_gen(qset_hash, A2, A2), False)
                    assert len(scp.envs) == 0

                    # a few nodes prepared B2
                    # causes p=B2, p'=A2
                    recv_vblocking_checks(make_prepare_gen(qset_hash, A2, B2, 0, 0, A2), False)
                    assert len(scp.envs) == 0

                    @section("mixed A2")
                    def _():
                        # causes h=A2
                        # but c = 0, as p >!~ h
                        scp.receive_envelope(make_prepare(v3, qset_hash, 0, A2, A2))

                        assert len(scp.envs) == 1
                        verify_prepare(scp.envs[0], v0, qset_hash0, 0, A2, B2, 0, 2, A2)

                        scp.receive_envelope(make_prepare(v4, qset_hash, 0, A2, A2))

                        assert len(scp.envs) == 1

                    @section("mixed B2")
                    def _():
                        # causes h=B2, c=B2
                        scp.receive_envelope(make_prepare(v3, qset_hash, 0, B2, B2))

                        assert len(scp.envs) == 1
                        verify_prepare(scp.envs[0], v0, qset_hash0, 0, B2, B2, 2, 2, A2)

                        scp.receive_envelope(make_prepare(v4, qset_hash, 0, B2, B2))

                        assert len(scp.envs) == 1

            @section("switch prepared B1")
            def _():
                recv_vblocking_checks(make_prepare_gen(qset_hash, B1, B1), False)
                assert len(scp.envs) == 0

        @section("prepared B (v-blocking)")
        def _():
            recv_vblocking_checks(make_prepare_gen(qset_hash, B1, B1), False)
            assert len(scp.envs) == 0

        @section("confirm (v-blocking)")
        def _():
            @section("via CONFIRM")
            def _():
                scp.receive_envelope(make_confirm(v1, qset_hash, 0, 3, A3, 3, 3))
                scp.receive_envelope(make_confirm(v2, qset_hash, 0, 4, A4, 2, 4))
                assert len(scp.envs) == 1
                verify_confirm(scp.envs[0], v0, qset_hash0, 0, 3, A3, 3, 3)

            @section("via EXTERNALIZE")
            def _():
                scp.receive_envelope(make_externalize(v1, qset_hash, 0, A2, 4))
                scp.receive_envelope(make_externalize(v2, qset_hash, 0, A3, 5))
                assert len(scp.envs) == 1
                verify_confirm(scp.envs[0], v0, qset_hash0, 0, UINT32_MAX, AInf, 3, UINT32_MAX)

    @section("normal round (1,x)")
    def _():
        nodes_all_pledge_to_commit()
        assert len(scp.envs) == 3

        b = (1, X_VALUE)

        # bunch of prepare messages with "commit b"
        prepared_c1 = make_prepare(v1, qset_hash, 0, b, b, b[0], b[0])
        prepared_c2 = make_prepare(v2, qset_hash, 0, b, b, b[0], b[0])
        prepared_c3 = make_prepare(v3, qset_hash, 0, b, b, b[0], b[0])
        make_prepare(v4, qset_hash, 0, b, b, b[0], b[0])  # preparedC4 (unused)

        # those should not trigger anything just yet
        scp.receive_envelope(prepared_c1)
        scp.receive_envelope(prepared_c2)
        assert len(scp.envs) == 3

        # this should cause the node to accept 'commit b' (quorum)
        # and therefore send a "CONFIRM" message
        scp.receive_envelope(prepared_c3)
        assert len(scp.envs) == 4

        verify_confirm(scp.envs[3], v0, qset_hash0, 0, 1, b, b[0], b[0])

        # bunch of confirm messages
        confirm1 = make_confirm(v1, qset_hash, 0, b[0], b, b[0], b[0])
        confirm2 = make_confirm(v2, qset_hash, 0, b[0], b, b[0], b[0])
        confirm3 = make_confirm(v3, qset_hash, 0, b[0], b, b[0], b[0])
        confirm4 = make_confirm(v4, qset_hash, 0, b[0], b, b[0], b[0])

        # those should not trigger anything just yet
        scp.receive_envelope(confirm1)
        scp.receive_envelope(confirm2)
        assert len(scp.envs) == 4

        scp.receive_envelope(confirm3)
        # this causes our node to externalize (confirm commit c)
        assert len(scp.envs) == 5

        # The slot should have externalized the value
        assert len(scp.externalized_values) == 1
        assert scp.externalized_values[0] == X_VALUE

        verify_externalize(scp.envs[4], v0, qset_hash0, 0, b, b[0])

        # extra vote should not do anything
        scp.receive_envelope(confirm4)
        assert len(scp.envs) == 5
        assert len(scp.externalized_values) == 1

        # duplicate should just no-op
        scp.receive_envelope(confirm2)
        assert len(scp.envs) == 5
        assert len(scp.externalized_values) == 1

        @section("bumpToBallot prevented once committed")
        def _():
            b2 = (0, b"")

            @section("bumpToBallot prevented once committed (by value)")
            def _():
                nonlocal b2
                b2 = (1, Z_VALUE)

            @section("bumpToBallot prevented once committed (by counter)")
            def _():
                nonlocal b2
                b2 = (2, X_VALUE)

            @section("bumpToBallot prevented once committed (by value and counter)")
            def _():
                nonlocal b2
                b2 = (2, Z_VALUE)

            confirm1b2 = make_confirm(v1, qset_hash, 0, b2[0], b2, b2[0], b2[0])
            confirm2b2 = make_confirm(v2, qset_hash, 0, b2[0], b2, b2[0], b2[0])
            confirm3b2 = make_confirm(v3, qset_hash, 0, b2[0], b2, b2[0], b2[0])
            confirm4b2 = make_confirm(v4, qset_hash, 0, b2[0], b2, b2[0], b2[0])

            scp.receive_envelope(confirm1b2)
            scp.receive_envelope(confirm2b2)
            scp.receive_envelope(confirm3b2)
            scp.receive_envelope(confirm4b2)
            assert len(scp.envs) == 5
            assert len(scp.externalized_values) == 1

    @section("range check")
    def _():
        nodes_all_pledge_to_commit()
        assert len(scp.envs) == 3

        b = (1, X_VALUE)

        # bunch of prepare messages with "commit b"
        prepared_c1 = make_prepare(v1, qset_hash, 0, b, b, b[0], b[0])
        prepared_c2 = make_prepare(v2, qset_hash, 0, b, b, b[0], b[0])
        prepared_c3 = make_prepare(v3, qset_hash, 0, b, b, b[0], b[0])

        # those should not trigger anything just yet
        scp.receive_envelope(prepared_c1)
        scp.receive_envelope(prepared_c2)
        assert len(scp.envs) == 3

        # this should cause the node to accept 'commit b' (quorum)
        # and therefore send a "CONFIRM" message
        scp.receive_envelope(prepared_c3)
        assert len(scp.envs) == 4

        verify_confirm(scp.envs[3], v0, qset_hash0, 0, 1, b, b[0], b[0])

        # bunch of confirm messages with different ranges
        confirm1 = make_confirm(v1, qset_hash, 0, 4, (4, X_VALUE), 2, 4)
        confirm2 = make_confirm(v2, qset_hash, 0, 6, (6, X_VALUE), 2, 6)
        make_confirm(v3, qset_hash, 0, 5, (5, X_VALUE), 3, 5)  # confirm3 (unused)
        confirm4 = make_confirm(v4, qset_hash, 0, 6, (6, X_VALUE), 3, 6)

        # this should not trigger anything just yet
        scp.receive_envelope(confirm1)

        # v-blocking
        #   * b gets bumped to (4,x)
        #   * p gets bumped to (4,x)
        #   * (c,h) gets bumped to (2,4)
        scp.receive_envelope(confirm2)
        assert len(scp.envs) == 5
        verify_confirm(scp.envs[4], v0, qset_hash0, 0, 4, (4, X_VALUE), 2, 4)

        # this causes to externalize
        # range is [3,4]
        scp.receive_envelope(confirm4)
        assert len(scp.envs) == 6

        # The slot should have externalized the value
        assert len(scp.externalized_values) == 1
        assert scp.externalized_values[0] == X_VALUE

        verify_externalize(scp.envs[5], v0, qset_hash0, 0, (3, X_VALUE), 4)

    @section("timeout when h is set -> stay locked on h")
    def _():
        bx = (1, X_VALUE)
        assert scp.bump_state(0, X_VALUE)
        assert len(scp.envs) == 1

        # v-blocking -> prepared
        # quorum -> confirm prepared
        recv_quorum(make_prepare_gen(qset_hash, bx, bx))
        assert len(scp.envs) == 3
        verify_prepare(scp.envs[2], v0, qset_hash0, 0, bx, bx, bx[0], bx[0])

        # now, see if we can timeout and move to a different value
        assert scp.bump_state(0, Y_VALUE)
        assert len(scp.envs) == 4
        newbx = (2, X_VALUE)
        verify_prepare(scp.envs[3], v0, qset_hash0, 0, newbx, bx, bx[0], bx[0])

    @section("timeout when h exists but can't be set -> vote for h")
    def _():
        # start with (1,y)
        by = (1, Y_VALUE)
        assert scp.bump_state(0, Y_VALUE)
        assert len(scp.envs) == 1

        bx = (1, X_VALUE)
        # but quorum goes with (1,x)
        # v-blocking -> prepared
        recv_vblocking(make_prepare_gen(qset_hash, bx, bx))
        assert len(scp.envs) == 2
        verify_prepare(scp.envs[1], v0, qset_hash0, 0, by, bx)
        # quorum -> confirm prepared (no-op as b > h)
        recv_quorum_checks(make_prepare_gen(qset_hash, bx, bx), False, False)
        assert len(scp.envs) == 2

        assert scp.bump_state(0, Y_VALUE)
        assert len(scp.envs) == 3
        newbx = (2, X_VALUE)
        # on timeout:
        # * we should move to the quorum's h value
        # * c can't be set yet as b > h
        verify_prepare(scp.envs[2], v0, qset_hash0, 0, newbx, bx, 0, bx[0])

    @section("timeout from multiple nodes")
    def _():
        assert scp.bump_state(0, X_VALUE)

        x1 = (1, X_VALUE)

        assert len(scp.envs) == 1
        verify_prepare(scp.envs[0], v0, qset_hash0, 0, x1)

        recv_quorum(make_prepare_gen(qset_hash, x1))
        # quorum -> prepared (1,x)
        assert len(scp.envs) == 2
        verify_prepare(scp.envs[1], v0, qset_hash0, 0, x1, x1)

        x2 = (2, X_VALUE)
        # timeout from local node
        assert scp.bump_state(0, X_VALUE)
        # prepares (2,x)
        assert len(scp.envs) == 3
        verify_prepare(scp.envs[2], v0, qset_hash0, 0, x2, x1)

        recv_quorum(make_prepare_gen(qset_hash, x1, x1))
        # quorum -> set nH=1
        assert len(scp.envs) == 4
        verify_prepare(scp.envs[3], v0, qset_hash0, 0, x2, x1, 0, 1)
        assert len(scp.envs) == 4

        recv_vblocking(make_prepare_gen(qset_hash, x2, x2, 1, 1))
        # v-blocking prepared (2,x) -> prepared (2,x)
        assert len(scp.envs) == 5
        verify_prepare(scp.envs[4], v0, qset_hash0, 0, x2, x2, 0, 1)

        recv_quorum(make_prepare_gen(qset_hash, x2, x2, 1, 1))
        # quorum (including us) confirms (2,x) prepared -> set h=c=x2
        # we also get extra message: a quorum not including us confirms
        # (1,x) prepared
        #  -> we confirm c=h=x1
        assert len(scp.envs) == 7
        verify_prepare(scp.envs[5], v0, qset_hash0, 0, x2, x2, 2, 2)
        verify_confirm(scp.envs[6], v0, qset_hash0, 0, 2, x2, 1, 1)

    @section("timeout after prepare, receive old messages to prepare")
    def _():
        assert scp.bump_state(0, X_VALUE)

        x1 = (1, X_VALUE)

        assert len(scp.envs) == 1
        verify_prepare(scp.envs[0], v0, qset_hash0, 0, x1)

        scp.receive_envelope(make_prepare(v1, qset_hash, 0, x1))
        scp.receive_envelope(make_prepare(v2, qset_hash, 0, x1))
        scp.receive_envelope(make_prepare(v3, qset_hash, 0, x1))

        # quorum -> prepared (1,x)
        assert len(scp.envs) == 2
        verify_prepare(scp.envs[1], v0, qset_hash0, 0, x1, x1)

        x2 = (2, X_VALUE)
        # timeout from local node
        assert scp.bump_state(0, X_VALUE)
        # prepares (2,x)
        assert len(scp.envs) == 3
        verify_prepare(scp.envs[2], v0, qset_hash0, 0, x2, x1)

        x3 = (3, X_VALUE)
        # timeout again
        assert scp.bump_state(0, X_VALUE)
        # prepares (3,x)
        assert len(scp.envs) == 4
        verify_prepare(scp.envs[3], v0, qset_hash0, 0, x3, x1)

        # other nodes moved on with x2
        scp.receive_envelope(make_prepare(v1, qset_hash, 0, x2, x2, 1, 2))
        scp.receive_envelope(make_prepare(v2, qset_hash, 0, x2, x2, 1, 2))
        # v-blocking -> prepared x2
        assert len(scp.envs) == 5
        verify_prepare(scp.envs[4], v0, qset_hash0, 0, x3, x2)

        scp.receive_envelope(make_prepare(v3, qset_hash, 0, x2, x2, 1, 2))
        # quorum -> set nH=2
        assert len(scp.envs) == 6
        verify_prepare(scp.envs[5], v0, qset_hash0, 0, x3, x2, 0, 2)

    @section("non validator watching the network")
    def _():
        vNV = node_key("NV")
        scp_nv = TestSCP(node_id(vNV), qset, False)
        scp_nv.store_quorum_set(qset)
        qset_hash_nv = scp_nv.qset_hash0

        b = (1, X_VALUE)
        assert scp_nv.bump_state(0, X_VALUE)
        assert len(scp_nv.envs) == 0
        verify_prepare(scp_nv.get_current_envelope(0, node_id(vNV)), vNV, qset_hash_nv, 0, b)
        ext1 = make_externalize(v1, qset_hash, 0, b, 1)
        ext2 = make_externalize(v2, qset_hash, 0, b, 1)
        ext3 = make_externalize(v3, qset_hash, 0, b, 1)
        ext4 = make_externalize(v4, qset_hash, 0, b, 1)
        scp_nv.receive_envelope(ext1)
        scp_nv.receive_envelope(ext2)
        scp_nv.receive_envelope(ext3)
        assert len(scp_nv.envs) == 0
        verify_confirm(scp_nv.get_current_envelope(0, node_id(vNV)), vNV, qset_hash_nv, 0,
                       UINT32_MAX, (UINT32_MAX, X_VALUE), 1, UINT32_MAX)
        scp_nv.receive_envelope(ext4)
        assert len(scp_nv.envs) == 0
        verify_externalize(scp_nv.get_current_envelope(0, node_id(vNV)), vNV, qset_hash_nv, 0, b,
                           UINT32_MAX)
        assert scp_nv.externalized_values[0] == X_VALUE

    @section("restore ballot protocol")
    def _():
        scp2 = TestSCP(node_id(v0), qset)
        scp2.store_quorum_set(qset)
        b = (2, X_VALUE)

        @section("prepare")
        def _():
            scp2.scp.set_state_from_envelope(0, make_prepare(v0, qset_hash0, 0, b))

        @section("confirm")
        def _():
            scp2.scp.set_state_from_envelope(0, make_confirm(v0, qset_hash0, 0, 2, b, 1, 2))

        @section("externalize")
        def _():
            scp2.scp.set_state_from_envelope(0, make_externalize(v0, qset_hash0, 0, b, 2))


# ====================================================================== core3

def ballot_protocol_core3(section, timeouts):
    v0, v1, v2 = (node_key(i) for i in range(3))

    # core3 has an edge case where v-blocking and quorum can be the same
    # v-blocking set size: 2
    # threshold: 2 = 1 + self or 2 others
    qset = QSet(2, tuple(node_id(k) for k in (v0, v1, v2)))
    qset_hash = qset_hash_of(qset)

    scp = TestSCP(node_id(v0), qset)
    timeouts.apply(scp)

    scp.store_quorum_set(qset)
    qset_hash0 = scp.qset_hash0

    assert X_VALUE < Y_VALUE < Z_VALUE

    def recv_quorum_checks_ex2(gen, with_checks, delayed_quorum, check_upcoming, min_quorum):
        e1, e2 = gen(v1), gen(v2)

        scp.bump_timer_offset()

        i = len(scp.envs) + 1
        scp.receive_envelope(e1)
        if with_checks and not delayed_quorum:
            assert len(scp.envs) == i
        if check_upcoming:
            assert scp.has_ballot_timer_upcoming()
        if not min_quorum:
            # nothing happens with an extra vote (unless we're in delayedQuorum)
            scp.receive_envelope(e2)
            if with_checks:
                assert len(scp.envs) == i

    def recv_quorum_checks_ex(gen, with_checks, delayed_quorum, check_upcoming):
        recv_quorum_checks_ex2(gen, with_checks, delayed_quorum, check_upcoming, False)

    def recv_quorum_checks(gen, with_checks, delayed_quorum):
        recv_quorum_checks_ex(gen, with_checks, delayed_quorum, False)

    # no timer is set
    assert not scp.has_ballot_timer()

    a_value = Z_VALUE
    b_value = X_VALUE

    A1, B1 = (1, a_value), (1, b_value)
    A2 = (2, a_value)
    B2 = (2, b_value)

    @section("prepared B1 (quorum votes B1) local aValue")
    def _():
        assert scp.bump_state(0, a_value)
        assert len(scp.envs) == 1
        assert not scp.has_ballot_timer()

        scp.bump_timer_offset()
        recv_quorum_checks(make_prepare_gen(qset_hash, B1), True, True)
        assert len(scp.envs) == 2
        verify_prepare(scp.envs[1], v0, qset_hash0, 0, A1, B1)
        assert scp.has_ballot_timer_upcoming()

        @section("quorum prepared B1")
        def _():
            scp.bump_timer_offset()
            recv_quorum_checks(make_prepare_gen(qset_hash, B1, B1), False, False)
            assert len(scp.envs) == 2
            # nothing happens:
            # computed_h = B1 (2)
            #    does not actually update h as b > computed_h
            #    also skips (3)
            assert not scp.has_ballot_timer_upcoming()

            @section("quorum bumps to A1")
            def _():
                scp.bump_timer_offset()
                recv_quorum_checks_ex2(make_prepare_gen(qset_hash, A1, B1), False, False, False,
                                       True)

                assert len(scp.envs) == 3
                # still does not set h as b > computed_h
                verify_prepare(scp.envs[2], v0, qset_hash0, 0, A1, A1, 0, 0, B1)
                assert not scp.has_ballot_timer_upcoming()

                scp.bump_timer_offset()
                # quorum commits A1
                recv_quorum_checks_ex2(make_prepare_gen(qset_hash, A2, A1, 1, 1, B1), False,
                                       False, False, True)
                assert len(scp.envs) == 4
                verify_confirm(scp.envs[3], v0, qset_hash0, 0, 2, A1, 1, 1)
                assert not scp.has_ballot_timer_upcoming()

    @section("prepared A1 with timeout")
    def _():
        # starts with bValue (smallest)
        assert scp.bump_state(0, b_value)
        assert len(scp.envs) == 1

        # setup
        recv_quorum_checks(make_prepare_gen(qset_hash, A1, A1, 0, 1), False, False)
        assert len(scp.envs) == 2
        verify_prepare(scp.envs[1], v0, qset_hash0, 0, A1, A1, 1, 1)

        # now, receive bumped votes
        recv_quorum_checks(make_prepare_gen(qset_hash, A2, B2, 0, 1, A1), True, True)
        assert len(scp.envs) == 3
        # p=B2, p'=A1 (1)
        # computed_h = B2 (2)
        #   does not update h as b < computed_h
        # v-blocking ahead -> b = computed_h = B2 (9)
        # h = B2 (2) (now possible)
        # c = 0 (1)
        verify_prepare(scp.envs[2], v0, qset_hash0, 0, B2, A2, 0, 2, B2)

    @section("node without self - quorum timeout")
    def _():
        vNodeNS = node_key("NodeNS")
        scp_nns = TestSCP(node_id(vNodeNS), qset)
        scp_nns.store_quorum_set(qset)
        qset_hash_node_ns = scp_nns.qset_hash0

        scp_nns.receive_envelope(make_prepare(v1, qset_hash, 0, A2, B2, 0, 1, A1))
        scp_nns.receive_envelope(make_prepare(v2, qset_hash, 0, A1, A1, 1, 1))

        assert len(scp_nns.envs) == 1
        verify_prepare(scp_nns.envs[0], vNodeNS, qset_hash_node_ns, 0, A1, A1, 1, 1)

        scp_nns.receive_envelope(make_prepare(v0, qset_hash, 0, A2, B2, 0, 1, A1))

        assert len(scp_nns.envs) == 2
        verify_prepare(scp_nns.envs[1], vNodeNS, qset_hash_node_ns, 0, B2, A2, 0, 2, B2)


# ====================================================================== pytest

# The leaf sections of the two TEST_CASEs in SCPTests.cpp v25.0.1, in source
# order (test_every_cpp_section_is_reproduced checks the scenarios above
# have exactly these leaves).
CORE5_LEAVES = [
    'bumpState x',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Quorum prepared A3 / Accept more commit A3 / Quorum externalize A3',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Quorum prepared A3 / v-blocking accept more A3 / Confirm A3',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Quorum prepared A3 / v-blocking accept more A3 / Externalize A3',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Quorum prepared A3 / v-blocking accept more A3 / other nodes moved to c=A4 h=A5 / Confirm A4..5',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Quorum prepared A3 / v-blocking accept more A3 / other nodes moved to c=A4 h=A5 / Externalize A4..5',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / v-blocking prepared A3',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / v-blocking prepared A3+B3',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / v-blocking confirm A3',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Hang - does not switch to B in CONFIRM / Network EXTERNALIZE',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Hang - does not switch to B in CONFIRM / Network CONFIRMS other ballot / at same counter',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Hang - does not switch to B in CONFIRM / Network CONFIRMS other ballot / at a different counter',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / CONFIRM / CONFIRM A2',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / CONFIRM / CONFIRM A3..4',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / CONFIRM / CONFIRM B2',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / EXTERNALIZE / EXTERNALIZE A2',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / EXTERNALIZE / EXTERNALIZE B2',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / get conflicting prepared B / same counter',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / get conflicting prepared B / higher counter',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared A2 / get conflicting prepared B / higher counter mixed',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared mixed / mixed A2',
    'start <1,x> / prepared A1 / bump prepared A2 / Confirm prepared mixed / mixed B2',
    'start <1,x> / prepared A1 / switch prepared B1 from A1 / v-blocking switches to previous value of p',
    "start <1,x> / prepared A1 / switch prepared B1 from A1 / switch p' to Mid2",
    'start <1,x> / prepared A1 / switch prepared B1 from A1 / switch again Big2',
    'start <1,x> / prepared A1 / switch prepare B1',
    'start <1,x> / prepared A1 / prepare higher counter (v-blocking)',
    'start <1,x> / prepared B (v-blocking)',
    'start <1,x> / prepare B (quorum)',
    'start <1,x> / confirm (v-blocking) / via CONFIRM',
    'start <1,x> / confirm (v-blocking) / via EXTERNALIZE',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Quorum prepared A3 / Accept more commit A3 / Quorum externalize A3',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Quorum prepared A3 / v-blocking accept more A3 / Confirm A3',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Quorum prepared A3 / v-blocking accept more A3 / Externalize A3',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Quorum prepared A3 / v-blocking accept more A3 / other nodes moved to c=A4 h=A5 / Confirm A4..5',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Quorum prepared A3 / v-blocking accept more A3 / other nodes moved to c=A4 h=A5 / Externalize A4..5',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / v-blocking prepared A3',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / v-blocking prepared A3+B3',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / v-blocking confirm A3',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Hang - does not switch to B in CONFIRM / Network EXTERNALIZE',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Hang - does not switch to B in CONFIRM / Network CONFIRMS other ballot / at same counter',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2 / Hang - does not switch to B in CONFIRM / Network CONFIRMS other ballot / at a different counter',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / CONFIRM / CONFIRM A2',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / CONFIRM / CONFIRM A3..4',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / CONFIRM / CONFIRM B2',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / EXTERNALIZE / EXTERNALIZE A2',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / EXTERNALIZE / EXTERNALIZE B2',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / get conflicting prepared B / same counter',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / get conflicting prepared B / higher counter',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared A2 / get conflicting prepared B / higher counter mixed',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared mixed / mixed A2',
    'start <1,z> / prepared A1 / bump prepared A2 / Confirm prepared mixed / mixed B2',
    'start <1,z> / prepared A1 / switch prepared B1 from A1',
    'start <1,z> / prepared A1 / switch prepare B1',
    'start <1,z> / prepared A1 / prepare higher counter (v-blocking)',
    'start <1,z> / prepared B (v-blocking)',
    'start <1,z> / prepare B (quorum)',
    'start <1,z> / confirm (v-blocking) / via CONFIRM',
    'start <1,z> / confirm (v-blocking) / via EXTERNALIZE',
    'start from pristine / prepared A1 / bump prepared A2 / Confirm prepared A2 / Quorum A2',
    'start from pristine / prepared A1 / bump prepared A2 / Confirm prepared A2 / Quorum B2',
    'start from pristine / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum A2',
    'start from pristine / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / Quorum B2',
    'start from pristine / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / CONFIRM / CONFIRM A2',
    'start from pristine / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / CONFIRM / CONFIRM A3..4',
    'start from pristine / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / CONFIRM / CONFIRM B2',
    'start from pristine / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / EXTERNALIZE / EXTERNALIZE A2',
    'start from pristine / prepared A1 / bump prepared A2 / Confirm prepared A2 / Accept commit / v-blocking / EXTERNALIZE / EXTERNALIZE B2',
    'start from pristine / prepared A1 / bump prepared A2 / Confirm prepared mixed / mixed A2',
    'start from pristine / prepared A1 / bump prepared A2 / Confirm prepared mixed / mixed B2',
    'start from pristine / prepared A1 / switch prepared B1',
    'start from pristine / prepared B (v-blocking)',
    'start from pristine / confirm (v-blocking) / via CONFIRM',
    'start from pristine / confirm (v-blocking) / via EXTERNALIZE',
    'normal round (1,x) / bumpToBallot prevented once committed / bumpToBallot prevented once committed (by value)',
    'normal round (1,x) / bumpToBallot prevented once committed / bumpToBallot prevented once committed (by counter)',
    'normal round (1,x) / bumpToBallot prevented once committed / bumpToBallot prevented once committed (by value and counter)',
    'range check',
    'timeout when h is set -> stay locked on h',
    "timeout when h exists but can't be set -> vote for h",
    'timeout from multiple nodes',
    'timeout after prepare, receive old messages to prepare',
    'non validator watching the network',
    'restore ballot protocol / prepare',
    'restore ballot protocol / confirm',
    'restore ballot protocol / externalize',
]

CORE3_LEAVES = [
    'prepared B1 (quorum votes B1) local aValue / quorum prepared B1 / quorum bumps to A1',
    'prepared A1 with timeout',
    'node without self - quorum timeout',
]


_DEFAULT_TIMEOUTS = TIMEOUT_SECTIONS["initial values"]


def test_every_cpp_section_is_reproduced():
    """The scenarios have exactly the C++ leaf sections: 86 in "ballot
    protocol core5" and 3 in "ballot protocol core3"."""
    assert len(CORE5_LEAVES) == 86 and len(CORE3_LEAVES) == 3
    found5 = discover(lambda section: ballot_protocol_core5(section, _DEFAULT_TIMEOUTS))
    found3 = discover(lambda section: ballot_protocol_core3(section, _DEFAULT_TIMEOUTS))
    assert [" / ".join(p) for p in found5] == CORE5_LEAVES
    assert [" / ".join(p) for p in found3] == CORE3_LEAVES


@pytest.mark.parametrize("timeouts", list(TIMEOUT_SECTIONS))
@pytest.mark.parametrize("path", CORE5_LEAVES)
def test_ballot_protocol_core5(path, timeouts):
    run_path(lambda section: ballot_protocol_core5(section, TIMEOUT_SECTIONS[timeouts]),
             path.split(" / "))


@pytest.mark.parametrize("timeouts", list(TIMEOUT_SECTIONS))
@pytest.mark.parametrize("path", CORE3_LEAVES)
def test_ballot_protocol_core3(path, timeouts):
    run_path(lambda section: ballot_protocol_core3(section, TIMEOUT_SECTIONS[timeouts]),
             path.split(" / "))
