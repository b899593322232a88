# cython: language_level=3
"""The ballot protocol: PREPARE, CONFIRM, EXTERNALIZE
(stellar-core scp/BallotProtocol.cpp, ported step by step).

State: the current ballot b, prepared p and p', the high ballot h and the
commit c, as (counter, value) tuples, and the phase.  Every received
statement runs `advance_slot`: accept-prepared, confirm-prepared,
accept-commit, confirm-commit, then (at the outermost level) bumping to a
counter a v-blocking set is ahead of, and the heard-from-quorum check.
"""
from stellarcore import xdr
from stellarcore.scp import quorum_set as qs
from stellarcore.scp.driver import (BALLOT_PROTOCOL_TIMER, EnvelopeState, QuorumInfoNodeState,
                                    ValidationLevel)
from stellarcore.scp import federated as core
from stellarcore.scp.quorum import find_closest_v_blocking
from stellarcore.scp.statement import CONFIRM, EXTERNALIZE, PREPARE, UINT32_MAX, xdr_ballot
from stellarcore.scp.statement cimport Statement

PHASE_PREPARE, PHASE_CONFIRM, PHASE_EXTERNALIZE = 0, 1, 2
PHASE_NAMES = ("PREPARE", "FINISH", "EXTERNALIZE")
MAX_ADVANCE_SLOT_RECURSION = 50

_ST = xdr.SCPStatementType


# ---------------------------------------------------------------- ballot relations

cdef inline bint compatible(tuple b1, tuple b2):
    return b1[1] == b2[1]


cdef inline bint less_and_compatible(tuple b1, tuple b2):
    return b1[1] == b2[1] and b1[0] <= b2[0]


cdef inline bint less_and_incompatible(tuple b1, tuple b2):
    return b1 <= b2 and b1[1] != b2[1]


cdef inline int _cmp(tuple b1, tuple b2):
    return (b1 > b2) - (b1 < b2)


cdef class BallotProtocol:
    cdef public object slot
    cdef public int phase
    cdef public object current, prepared, prepared_prime, high, commit, value_override
    cdef public bint heard_from_quorum
    cdef public dict latest
    cdef public object last_envelope, last_envelope_emit
    cdef public int message_level, timer_exp_count
    cdef long latest_version        # bumped whenever `latest` changes
    cdef object cand_hint           # prepare_candidates memo: (hint, version) -> list
    cdef long cand_version
    cdef list cand

    def __init__(self, slot):
        self.slot = slot
        self.phase = PHASE_PREPARE
        self.current = None          # b
        self.prepared = None         # p
        self.prepared_prime = None   # p'
        self.high = None             # h
        self.commit = None           # c
        self.value_override = None
        self.heard_from_quorum = False
        self.latest = {}             # node -> Statement (mLatestEnvelopes)
        self.last_envelope = None    # our last statement made (mLastEnvelope)
        self.last_envelope_emit = None
        self.message_level = 0
        self.timer_exp_count = 0

    # ---- statements in

    @staticmethod
    def is_newer(old: Statement, st: Statement) -> bool:
        """PREPARE < CONFIRM < EXTERNALIZE; within a type by ballot and then
        the type's counters; a second EXTERNALIZE is never newer (SC5)."""
        if old.type != st.type:
            return old.type < st.type
        if st.type == EXTERNALIZE:
            return False
        if st.type == CONFIRM:
            c = _cmp(old.ballot, st.ballot)
            if c < 0:
                return True
            if c == 0:
                if old.nPrepared == st.nPrepared:
                    return old.nH < st.nH
                return old.nPrepared < st.nPrepared
            return False
        c = _cmp(old.ballot, st.ballot)
        if c < 0:
            return True
        if c == 0:
            c = _cmp_opt(old.prepared, st.prepared)
            if c < 0:
                return True
            if c == 0:
                c = _cmp_opt(old.prepared_prime, st.prepared_prime)
                if c < 0:
                    return True
                if c == 0:
                    return old.nH < st.nH
        return False

    cdef bint is_statement_sane(self, Statement st, bint self_) except -1:
        q = self.slot.qset_of(st)
        if q is None or not qs.is_sane(q, False):
            return False
        if st.type == PREPARE:
            ok = self_ or st.ballot[0] > 0
            ok = ok and (st.prepared_prime is None or st.prepared is None or
                         less_and_incompatible(st.prepared_prime, st.prepared))
            ok = ok and (st.nH == 0 or (st.prepared is not None and st.nH <= st.prepared[0]))
            ok = ok and (st.nC == 0 or (st.nH != 0 and st.ballot[0] >= st.nH and st.nH >= st.nC))
            return ok
        if st.type == CONFIRM:
            return st.ballot[0] > 0 and st.nH <= st.ballot[0] and st.nCommit <= st.nH
        return st.commit[0] > 0 and st.nH >= st.commit[0]

    cdef int validate_values(self, Statement st) except -1:
        values = st.ballot_values()
        if not values:
            return ValidationLevel.INVALID
        level = ValidationLevel.FULLY_VALIDATED
        for v in values:
            if level > ValidationLevel.INVALID:
                level = min(level, self.slot.driver.validate_value(self.slot.index, v, False))
        return level

    cdef record_envelope(self, Statement st):
        self.latest[st.node] = st
        self.latest_version += 1
        self.slot.record_statement(st)

    def process_envelope(self, st: Statement, self_: bool) -> EnvelopeState:
        if not self.is_statement_sane(st, self_):
            return EnvelopeState.INVALID
        old = self.latest.get(st.node)
        if old is not None and not self.is_newer(old, st):
            return EnvelopeState.INVALID
        level = self.validate_values(st)
        if level == ValidationLevel.INVALID:
            return EnvelopeState.INVALID
        if self.phase != PHASE_EXTERNALIZE:
            if level == ValidationLevel.MAYBE_VALID:
                self.slot.fully_validated = False
            self.record_envelope(st)
            self.advance_slot(st)
            return EnvelopeState.VALID
        if self.commit[1] == st.working_ballot()[1]:
            self.record_envelope(st)
            return EnvelopeState.VALID
        return EnvelopeState.INVALID

    # ---- moving the current ballot

    def abandon_ballot(self, n: int) -> bool:
        v = self.slot.get_latest_composite_candidate()
        if not v:
            if self.current is not None:
                v = self.current[1]
        if v:
            if n == 0:
                return self.bump_state(v, True)
            return self.bump_state_to(v, n)
        return False

    def bump_state(self, value: bytes, force: bool) -> bool:
        if not force and self.current is not None:
            return False
        n = self.current[0] + 1 if self.current is not None else 1
        return self.bump_state_to(value, n)

    def bump_state_to(self, value: bytes, n: int) -> bool:
        if self.phase not in (PHASE_PREPARE, PHASE_CONFIRM):
            return False
        newb = (n, self.value_override if self.value_override is not None else value)
        updated = self.update_current_value(newb)
        if updated:
            self.emit_current_state_statement()
            self.check_heard_from_quorum()
        return updated

    cdef bint update_current_value(self, tuple ballot) except -1:
        if self.phase not in (PHASE_PREPARE, PHASE_CONFIRM):
            return False
        updated = False
        if self.current is None:
            self.bump_to_ballot(ballot, True)
            updated = True
        else:
            if self.commit is not None and not compatible(self.commit, ballot):
                return False
            c = _cmp(self.current, ballot)
            if c < 0:
                self.bump_to_ballot(ballot, True)
                updated = True
            elif c > 0:
                return False
        self.check_invariants()
        return updated

    cdef bump_to_ballot(self, tuple ballot, bint check):
        assert self.phase != PHASE_EXTERNALIZE
        if check:
            assert self.current is None or ballot >= self.current
        got_bumped = self.current is None or self.current[0] != ballot[0]
        if self.current is None:
            self.slot.driver.started_ballot_protocol(self.slot.index, xdr_ballot(ballot))
        self.current = ballot
        if self.high is not None and not compatible(self.current, self.high):
            self.high = None
            self.commit = None
        if got_bumped:
            self.heard_from_quorum = False

    cdef bint update_current_if_needed(self, tuple h) except -1:
        if self.current is None or self.current < h:
            self.bump_to_ballot(h, True)
            return True
        return False

    # ---- timers

    def start_ballot_protocol_timer(self):
        timeout = self.slot.driver.compute_timeout(self.current[0], False)
        self.slot.driver.setup_timer(self.slot.index, BALLOT_PROTOCOL_TIMER, timeout,
                                     self.ballot_protocol_timer_expired)

    def stop_ballot_protocol_timer(self):
        self.slot.driver.setup_timer(self.slot.index, BALLOT_PROTOCOL_TIMER, 0, None)

    def ballot_protocol_timer_expired(self):
        self.timer_exp_count += 1
        self.abandon_ballot(0)

    # ---- statements out

    def create_pledges(self, t: int) -> "xdr.SCPStatementPledges":
        self.check_invariants()
        qh = self.slot.local.qset_hash
        if t == PREPARE:
            p = xdr.SCPStatementPrepare(
                quorumSetHash=qh,
                ballot=xdr_ballot(self.current) if self.current is not None else xdr.SCPBallot(),
                prepared=xdr_ballot(self.prepared) if self.prepared is not None else None,
                preparedPrime=xdr_ballot(self.prepared_prime) if self.prepared_prime is not None else None,
                nC=self.commit[0] if self.commit is not None else 0,
                nH=self.high[0] if self.high is not None else 0)
            return xdr.SCPStatementPledges(_ST.SCP_ST_PREPARE, p)
        if t == CONFIRM:
            c = xdr.SCPStatementConfirm(ballot=xdr_ballot(self.current), nPrepared=self.prepared[0],
                                        nCommit=self.commit[0], nH=self.high[0], quorumSetHash=qh)
            return xdr.SCPStatementPledges(_ST.SCP_ST_CONFIRM, c)
        e = xdr.SCPStatementExternalize(commit=xdr_ballot(self.commit), nH=self.high[0],
                                        commitQuorumSetHash=qh)
        return xdr.SCPStatementPledges(_ST.SCP_ST_EXTERNALIZE, e)

    def emit_current_state_statement(self):
        t = (PREPARE, CONFIRM, EXTERNALIZE)[self.phase]
        env = self.slot.create_envelope(self.create_pledges(t))
        can_emit = self.current is not None
        last = self.latest.get(self.slot.local.node_id)
        if last is None or last.env != env:
            st = Statement(env)
            if self.slot.process_envelope(st, True) == EnvelopeState.VALID:
                if can_emit and (self.last_envelope is None or self.is_newer(self.last_envelope, st)):
                    self.last_envelope = st
                    self.send_latest_envelope()
            else:
                raise RuntimeError("moved to a bad state (ballot protocol)")

    cdef send_latest_envelope(self):
        if self.message_level == 0 and self.last_envelope is not None and self.slot.fully_validated:
            if self.last_envelope_emit is not self.last_envelope:
                self.last_envelope_emit = self.last_envelope
                self.slot.driver.emit_envelope(self.last_envelope_emit.env)

    cdef check_invariants(self):
        if self.phase in (PHASE_CONFIRM, PHASE_EXTERNALIZE):
            assert self.current and self.prepared and self.commit and self.high
        if self.current is not None:
            assert self.current[0] != 0
        if self.prepared is not None and self.prepared_prime is not None:
            assert less_and_incompatible(self.prepared_prime, self.prepared)
        if self.high is not None:
            assert self.current is not None and less_and_compatible(self.high, self.current)
        if self.commit is not None:
            assert self.current is not None
            assert less_and_compatible(self.commit, self.high)
            assert less_and_compatible(self.high, self.current)

    # ---- the steps

    def prepare_candidates(self, hint: Statement):
        """Ballots worth trying to prepare, given a statement (getPrepareCandidates),
        highest first.  They depend only on the hint and the latest statements,
        so accept-prepared and confirm-prepared share one computation unless a
        statement was recorded in between."""
        if self.cand_hint is not hint or self.cand_version != self.latest_version:
            self.cand = core.prepare_candidates(hint, self.latest)
            self.cand_hint = hint
            self.cand_version = self.latest_version
        return self.cand

    cdef bint attempt_accept_prepared(self, Statement hint) except -1:
        if self.phase not in (PHASE_PREPARE, PHASE_CONFIRM):
            return False
        for ballot in self.prepare_candidates(hint):
            if self.phase == PHASE_CONFIRM:
                if not less_and_compatible(self.prepared, ballot):
                    continue
                assert compatible(self.commit, ballot)
            if self.prepared_prime is not None and ballot <= self.prepared_prime:
                continue
            if self.prepared is not None and less_and_compatible(ballot, self.prepared):
                continue
            if core.accept_prepared(self.slot.local.qset, self.latest, self.slot.qset_of, *ballot):
                return self.set_accept_prepared(ballot)
        return False

    cdef bint set_prepared(self, tuple ballot) except -1:
        did = False
        if self.prepared is not None:
            c = _cmp(self.prepared, ballot)
            if c < 0:
                if not compatible(self.prepared, ballot):
                    self.prepared_prime = self.prepared
                self.prepared = ballot
                did = True
            elif c > 0:
                if self.prepared_prime is None or \
                        (self.prepared_prime < ballot and not compatible(self.prepared, ballot)):
                    self.prepared_prime = ballot
                    did = True
        else:
            self.prepared = ballot
            did = True
        return did

    cdef bint set_accept_prepared(self, tuple ballot) except -1:
        did = self.set_prepared(ballot)
        if self.commit is not None and self.high is not None:
            if (self.prepared is not None and less_and_incompatible(self.high, self.prepared)) or \
                    (self.prepared_prime is not None and less_and_incompatible(self.high, self.prepared_prime)):
                assert self.phase == PHASE_PREPARE
                self.commit = None
                did = True
        if did:
            self.slot.driver.accepted_ballot_prepared(self.slot.index, xdr_ballot(ballot))
            self.emit_current_state_statement()
        return did

    cdef bint attempt_confirm_prepared(self, Statement hint) except -1:
        if self.phase != PHASE_PREPARE or self.prepared is None:
            return False
        candidates = self.prepare_candidates(hint)
        new_h = None
        i = 0
        for i, ballot in enumerate(candidates):
            if self.high is not None and self.high >= ballot:
                break
            if self._ratify_prepared(ballot):
                new_h = ballot
                break
        if new_h is None:
            return False
        new_c = (0, b"")
        b = self.current if self.current is not None else (0, b"")
        if self.commit is None and \
                (self.prepared is None or not less_and_incompatible(new_h, self.prepared)) and \
                (self.prepared_prime is None or not less_and_incompatible(new_h, self.prepared_prime)):
            for ballot in candidates[i:]:
                if ballot < b:
                    break
                if not less_and_compatible(ballot, new_h):
                    continue
                if self._ratify_prepared(ballot):
                    new_c = ballot
                else:
                    break
        return self.set_confirm_prepared(new_c, new_h)

    cdef bint _ratify_prepared(self, tuple ballot) except -1:
        return core.ratify_prepared(self.slot.local.qset, self.latest, self.slot.qset_of, *ballot)

    cdef bint set_confirm_prepared(self, tuple new_c, tuple new_h) except -1:
        did = False
        self.value_override = new_h[1]
        if self.current is None or compatible(self.current, new_h):
            if self.high is None or new_h > self.high:
                did = True
                self.high = new_h
            if new_c[0] != 0:
                assert self.commit is None
                self.commit = new_c
                did = True
            if did:
                self.slot.driver.confirmed_ballot_prepared(self.slot.index, xdr_ballot(new_h))
        did = self.update_current_if_needed(new_h) or did
        if did:
            self.emit_current_state_statement()
        return did

    cdef bint attempt_accept_commit(self, Statement hint) except -1:
        if self.phase not in (PHASE_PREPARE, PHASE_CONFIRM):
            return False
        if hint.type == PREPARE:
            if hint.nC == 0:
                return False
            ballot = (hint.nH, hint.ballot[1])
        elif hint.type == CONFIRM:
            ballot = (hint.nH, hint.ballot[1])
        else:
            ballot = (hint.nH, hint.commit[1])
        if self.phase == PHASE_CONFIRM and not compatible(ballot, self.high):
            return False
        boundaries = core.commit_boundaries(ballot[1], self.latest)
        if not boundaries:
            return False
        lo, hi = core.commit_interval(self.slot.local.qset, self.latest, self.slot.qset_of,
                                      ballot[1], boundaries, False)
        if lo != 0:
            if self.phase != PHASE_CONFIRM or hi > self.high[0]:
                return self.set_accept_commit((lo, ballot[1]), (hi, ballot[1]))
        return False

    cdef bint set_accept_commit(self, tuple c, tuple h) except -1:
        did = False
        self.value_override = h[1]
        if self.high is None or self.commit is None or self.high != h or self.commit != c:
            self.commit = c
            self.high = h
            did = True
        if self.phase == PHASE_PREPARE:
            self.phase = PHASE_CONFIRM
            if self.current is not None and not less_and_compatible(h, self.current):
                self.bump_to_ballot(h, False)
            self.prepared_prime = None
            did = True
        if did:
            self.update_current_if_needed(self.high)
            self.slot.driver.accepted_commit(self.slot.index, xdr_ballot(h))
            self.emit_current_state_statement()
        return did

    cdef bint attempt_confirm_commit(self, Statement hint) except -1:
        if self.phase != PHASE_CONFIRM or self.high is None or self.commit is None:
            return False
        if hint.type == PREPARE:
            return False
        if hint.type == CONFIRM:
            ballot = (hint.nH, hint.ballot[1])
        else:
            ballot = (hint.nH, hint.commit[1])
        if not compatible(ballot, self.commit):
            return False
        boundaries = core.commit_boundaries(ballot[1], self.latest)
        lo, hi = core.commit_interval(self.slot.local.qset, self.latest, self.slot.qset_of,
                                      ballot[1], boundaries, True)
        if lo != 0:
            return self.set_confirm_commit((lo, ballot[1]), (hi, ballot[1]))
        return False

    cdef bint set_confirm_commit(self, tuple c, tuple h) except -1:
        self.commit = c
        self.high = h
        self.update_current_if_needed(self.high)
        self.phase = PHASE_EXTERNALIZE
        self.emit_current_state_statement()
        self.slot.stop_nomination()
        self.slot.driver.value_externalized(self.slot.index, self.commit[1])
        return True

    cdef bint attempt_bump(self) except -1:
        """If a v-blocking set is at higher counters, jump to the lowest counter
        that no v-blocking set is strictly ahead of."""
        if self.phase not in (PHASE_PREPARE, PHASE_CONFIRM):
            return False
        local_counter = self.current[0] if self.current is not None else 0
        q = self.slot.local.qset
        if not core.v_blocking_ahead(q, self.latest, local_counter):
            return False
        for n in core.counters_above(self.latest, local_counter):
            if not core.v_blocking_ahead(q, self.latest, n):
                return self.abandon_ballot(n)
        return False

    cdef advance_slot(self, Statement hint):
        self.message_level += 1
        if self.message_level >= MAX_ADVANCE_SLOT_RECURSION:
            raise RuntimeError("maximum number of transitions reached in advanceSlot")
        did = self.attempt_accept_prepared(hint)
        did = self.attempt_confirm_prepared(hint) or did
        did = self.attempt_accept_commit(hint) or did
        did = self.attempt_confirm_commit(hint) or did
        if self.message_level == 1:
            while True:
                bumped = self.attempt_bump()
                did = bumped or did
                if not bumped:
                    break
            self.check_heard_from_quorum()
        self.message_level -= 1
        if did:
            self.send_latest_envelope()

    cpdef check_heard_from_quorum(self):
        if self.current is None:
            return
        heard = core.heard_from_quorum(self.slot.local.qset, self.latest, self.slot.qset_of,
                                       self.current[0])
        if heard:
            old = self.heard_from_quorum
            self.heard_from_quorum = True
            if not old:
                self.slot.driver.ballot_did_hear_from_quorum(self.slot.index, xdr_ballot(self.current))
                if self.phase != PHASE_EXTERNALIZE:
                    self.start_ballot_protocol_timer()
            if self.phase == PHASE_EXTERNALIZE:
                self.stop_ballot_protocol_timer()
        else:
            self.heard_from_quorum = False
            self.stop_ballot_protocol_timer()

    # ---- restoring and reporting

    def set_state_from_envelope(self, st: Statement):
        if self.current is not None:
            raise RuntimeError("Cannot set state after starting ballot protocol")
        self.record_envelope(st)
        self.last_envelope = st
        self.last_envelope_emit = st
        if st.type == PREPARE:
            self.bump_to_ballot(st.ballot, True)
            if st.prepared is not None:
                self.prepared = st.prepared
            if st.prepared_prime is not None:
                self.prepared_prime = st.prepared_prime
            if st.nH:
                self.high = (st.nH, st.ballot[1])
            if st.nC:
                self.commit = (st.nC, st.ballot[1])
            self.phase = PHASE_PREPARE
        elif st.type == CONFIRM:
            v = st.ballot[1]
            self.bump_to_ballot(st.ballot, True)
            self.prepared = (st.nPrepared, v)
            self.high = (st.nH, v)
            self.commit = (st.nCommit, v)
            self.phase = PHASE_CONFIRM
        else:
            v = st.commit[1]
            self.bump_to_ballot((UINT32_MAX, v), True)
            self.prepared = (UINT32_MAX, v)
            self.high = (st.nH, v)
            self.commit = st.commit
            self.phase = PHASE_EXTERNALIZE

    def process_current_state(self, fn, force_self: bool) -> bool:
        local = self.slot.local.node_id
        for node in sorted(self.latest):
            if force_self or node != local or self.slot.fully_validated:
                if not fn(self.latest[node].env):
                    return False
        return True

    def get_externalizing_state(self):
        res = []
        if self.phase == PHASE_EXTERNALIZE:
            local = self.slot.local.node_id
            for node in sorted(self.latest):
                st = self.latest[node]
                if node != local:
                    if compatible(st.working_ballot(), self.commit):
                        res.append(st.env)
                elif self.slot.fully_validated:
                    res.append(st.env)
        return res

    def get_state(self, node: bytes, self_already_moved_on: bool):
        from stellarcore.scp.slot import NUM_TIMEOUTS_THRESHOLD_FOR_REPORTING
        if node == self.slot.local.node_id:
            return QuorumInfoNodeState.AGREE
        st = self.latest.get(node)
        if st is None:
            if self.timer_exp_count >= NUM_TIMEOUTS_THRESHOLD_FOR_REPORTING or self_already_moved_on:
                return QuorumInfoNodeState.MISSING
            return QuorumInfoNodeState.NO_INFO
        state = QuorumInfoNodeState.AGREE
        if self.last_envelope_emit is not None:
            externalized = st.type == EXTERNALIZE
            confirmed_commit = st.type == CONFIRM and st.ballot[0] == UINT32_MAX
            if self.phase == PHASE_EXTERNALIZE and (not externalized or not confirmed_commit) \
                    and self_already_moved_on:
                state = QuorumInfoNodeState.DELAYED
            self_confirm = self.phase in (PHASE_CONFIRM, PHASE_EXTERNALIZE)
            other_confirm = st.type in (CONFIRM, EXTERNALIZE)
            if self_confirm and other_confirm and \
                    not compatible(st.working_ballot(), self.last_envelope_emit.working_ballot()):
                state = QuorumInfoNodeState.DISAGREE
        return state

    def ballot_str(self, b) -> str:
        from stellarcore.scp.report import ballot_to_str
        return ballot_to_str(self.slot.driver, b)

    def local_state(self) -> str:
        return (f"i: {self.slot.index} | {PHASE_NAMES[self.phase]} | b: {self.ballot_str(self.current)}"
                f" | p: {self.ballot_str(self.prepared)} | p': {self.ballot_str(self.prepared_prime)}"
                f" | h: {self.ballot_str(self.high)} | c: {self.ballot_str(self.commit)}"
                f" | M: {len(self.latest)}")

    def get_json_info(self) -> dict:
        return {"heard": self.heard_from_quorum, "ballot": self.ballot_str(self.current),
                "phase": PHASE_NAMES[self.phase], "state": self.local_state()}

    def get_json_quorum_info(self, node: bytes, summary: bool, full_keys: bool) -> dict:
        from stellarcore.scp.report import hex_abbrev
        driver = self.slot.driver
        ret = {}
        st = self.latest.get(node)
        b = (0, b"")
        if st is None:
            ret["phase"] = "unknown"
            qh = self.slot.local.qset_hash if node == self.slot.local.node_id else bytes(32)
        else:
            ret["phase"] = ("PREPARE", "CONFIRM", "EXTERNALIZE")[st.type]
            b = st.ballot if st.type != EXTERNALIZE else st.commit
            qh = st.qset_hash
        q = driver.get_qset(qh)
        if q is None:
            ret["phase"] = "expired"
            return ret
        near = find_closest_v_blocking(
            q, {n for n, s in self.latest.items() if compatible(s.working_ballot(), b)}, node)
        ret["fail_at"] = len(near)
        if not summary:
            ret["fail_with"] = [driver.to_str_key(n, full_keys) for n in near] or None   # null if empty
            ret["value"] = qs.to_json(q, lambda k: driver.to_str_key(k, full_keys))
        ret["hash"] = hex_abbrev(qh)
        return ret


def _cmp_opt(a, b) -> int:
    """compareBallots on optional ballots: a missing one is lowest."""
    if a is not None and b is not None:
        return _cmp(a, b)
    if a is not None:
        return 1
    if b is not None:
        return -1
    return 0
