"""Nomination: agreeing on candidate values before balloting
(stellar-core scp/NominationProtocol.cpp).

Votes, accepted values and candidates are sets of values (bytes); wherever
stellar-core iterates its value-ordered sets, this iterates them sorted, so
emitted statements and the candidates given to `combine_candidates` are in
stellar-core's order (PARITY_TRAPS SC1).  Round leaders are chosen by
priority as stellar-core does (SC2).
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.scp import federated as core
from stellarcore.scp import quorum_set as qs
from stellarcore.scp.driver import (NOMINATION_TIMER, EnvelopeState, QuorumInfoNodeState,
                                    ValidationLevel)
from stellarcore.scp.statement import Statement


def _is_subset(p, v):
    """isSubsetHelper on sorted value lists: (p is a subset of v, p != v)."""
    if len(p) <= len(v):
        res = set(p) <= set(v)
        return res, (len(p) != len(v)) if res else True
    return False, True


def _strictly_increasing(vals):
    return all(a < b for a, b in zip(vals, vals[1:]))


class NominationProtocol:
    def __init__(self, slot):
        self.slot = slot
        self.round_number = 0
        self.votes = set()
        self.accepted = set()
        self.candidates = set()
        self.latest = {}             # node -> Statement (mLatestNominations)
        self.last_envelope = None    # our last emitted nomination Statement
        self.round_leaders = set()
        self.started = False
        self.latest_composite = None
        self.previous_value = b""
        self.timer_exp_count = 0

    # ---- statements

    @staticmethod
    def is_newer(old: Statement, new: Statement) -> bool:
        """A nomination is newer if its votes and accepted only grow, and one grew."""
        sub, grew_v = _is_subset(old.votes, new.votes)
        if not sub:
            return False
        sub, grew_a = _is_subset(old.accepted, new.accepted)
        return sub and (grew_v or grew_a)

    def is_newer_statement(self, st: Statement) -> bool:
        old = self.latest.get(st.node)
        return old is None or self.is_newer(old, st)

    @staticmethod
    def is_sane(st: Statement) -> bool:
        return (len(st.votes) + len(st.accepted)) != 0 and \
            _strictly_increasing(st.votes) and _strictly_increasing(st.accepted)

    def record_envelope(self, st: Statement):
        self.latest[st.node] = st
        self.slot.record_statement(st)

    def emit_nomination(self):
        local = self.slot.local
        pledges = xdr.SCPStatementPledges(xdr.SCPStatementType.SCP_ST_NOMINATE, xdr.SCPNomination(
            quorumSetHash=local.qset_hash, votes=sorted(self.votes), accepted=sorted(self.accepted)))
        env = self.slot.create_envelope(pledges)
        st = Statement(env)
        if self.slot.process_envelope(st, True) == EnvelopeState.VALID:
            if self.last_envelope is None or self.is_newer(self.last_envelope, st):
                self.last_envelope = st
                if self.slot.fully_validated:
                    self.slot.driver.emit_envelope(env)
        else:
            raise RuntimeError("moved to a bad state (nomination)")

    # ---- leaders and values

    def _hash_node(self, is_priority: bool, node: bytes) -> int:
        return self.slot.driver.compute_hash_node(self.slot.index, self.previous_value,
                                                  is_priority, self.round_number, node)

    def _hash_value(self, value: bytes) -> int:
        return self.slot.driver.compute_value_hash(self.slot.index, self.previous_value,
                                                   self.round_number, value)

    def node_priority(self, node: bytes, qset) -> int:
        local = self.slot.local.node_id
        w = self.slot.driver.get_node_weight(node, qset, node == local)
        if w > 0 and self._hash_node(False, node) <= w:
            return self._hash_node(True, node)
        return 0

    def update_round_leaders(self):
        local = self.slot.local.node_id
        my_qset = qs.normalize(self.slot.local.qset, remove=local)   # excludes self
        nodes = list(qs.for_all_nodes(my_qset))
        max_leaders = 1 + len(nodes)                                  # counts zero-weight nodes too
        while len(self.round_leaders) < max_leaders:
            new = {local}
            top = self.node_priority(local, my_qset)
            for cur in nodes:
                w = self.node_priority(cur, my_qset)
                if w > top:
                    top = w
                    new = set()
                if w == top and w > 0:
                    new.add(cur)
            if top == 0:
                new = set()
            before = len(self.round_leaders)
            self.round_leaders |= new
            if len(self.round_leaders) != before:
                return
            self.round_number += 1          # fast timeout: this round would change nothing

    def _validate(self, v):
        return self.slot.driver.validate_value(self.slot.index, v, True)

    def _extract(self, v):
        return self.slot.driver.extract_valid_value(self.slot.index, v)

    def new_value_from_nomination(self, st: Statement):
        """The value to vote for from a leader's nomination: the highest-hashed
        valid value not yet voted for, from its accepted values, else its votes."""
        best, best_hash = None, 0
        found_valid = False

        def pick(value):
            nonlocal best, best_hash, found_valid
            if self._validate(value) == ValidationLevel.FULLY_VALIDATED:
                v = value
            else:
                v = self._extract(value)
            if v is not None:
                found_valid = True
                if v not in self.votes:
                    h = self._hash_value(v)
                    if h >= best_hash:
                        best, best_hash = v, h

        for v in st.accepted:
            pick(v)
        if not found_valid:
            for v in st.votes:
                pick(v)
        return best

    # ---- entry points

    def process_envelope(self, st: Statement) -> EnvelopeState:
        if not self.is_newer_statement(st):
            return EnvelopeState.INVALID
        if not self.is_sane(st):
            return EnvelopeState.INVALID
        self.record_envelope(st)
        if not self.started:
            return EnvelopeState.VALID
        slot, driver = self.slot, self.slot.driver
        modified = new_candidates = False
        for v in st.votes:
            if v in self.accepted:
                continue
            if core.nomination_accepted(slot.local.qset, self.latest, slot.qset_of, v):
                if self._validate(v) == ValidationLevel.FULLY_VALIDATED:
                    self.accepted.add(v)
                    self.votes.add(v)
                    modified = True
                else:
                    to_vote = self._extract(v)
                    if to_vote is not None and to_vote not in self.votes:
                        self.votes.add(to_vote)
                        modified = True
        for a in sorted(self.accepted):
            if a in self.candidates:
                continue
            if core.nomination_ratified(slot.local.qset, self.latest, slot.qset_of, a):
                self.candidates.add(a)
                new_candidates = True
                driver.stop_timer(slot.index, NOMINATION_TIMER)
        if not self.candidates and st.node in self.round_leaders:
            new_vote = self.new_value_from_nomination(st)
            if new_vote is not None:
                self.votes.add(new_vote)
                modified = True
                driver.nominating_value(slot.index, new_vote)
        if modified:
            self.emit_nomination()
        if new_candidates:
            self.latest_composite = driver.combine_candidates(slot.index, sorted(self.candidates))
            driver.updated_candidate_value(slot.index, self.latest_composite)
            slot.bump_state(self.latest_composite, False)
        return EnvelopeState.VALID

    def nominate(self, value: bytes, previous_value: bytes, timed_out: bool) -> bool:
        if self.candidates:
            return False
        slot, driver = self.slot, self.slot.driver
        if timed_out:
            self.timer_exp_count += 1
            if not self.started:
                return False
        self.started = True
        self.previous_value = previous_value
        self.round_number += 1
        self.update_round_leaders()
        timeout = driver.compute_timeout(self.round_number, True)
        updated = False
        for leader in sorted(self.round_leaders):
            st = self.latest.get(leader)
            if st is not None:
                v = self.new_value_from_nomination(st)
                if v is not None:
                    self.votes.add(v)
                    updated = True
                    driver.nominating_value(slot.index, v)
        if slot.local.node_id in self.round_leaders and not self.votes:
            self.votes.add(value)
            updated = True
            driver.nominating_value(slot.index, value)
        driver.setup_timer(slot.index, NOMINATION_TIMER, timeout,
                           lambda: slot.nominate(value, previous_value, True))
        if updated:
            self.emit_nomination()
        return updated

    def stop_nomination(self):
        self.started = False

    def set_state_from_envelope(self, st: Statement):
        if self.started:
            raise RuntimeError("Cannot set state after nomination is started")
        self.record_envelope(st)
        self.accepted.update(st.accepted)
        self.votes.update(st.votes)
        self.last_envelope = st

    # ---- state for others

    def process_current_state(self, fn, force_self: bool) -> bool:
        local = self.slot.local.node_id
        for node in sorted(self.latest):
            if force_self or node != local or self.slot.fully_validated:
                if not fn(self.latest[node].env):
                    return False
        return True

    def get_state(self, node: bytes, self_already_moved_on: bool):
        from stellarcore.scp.slot import NUM_TIMEOUTS_THRESHOLD_FOR_REPORTING
        if node == self.slot.local.node_id:
            return QuorumInfoNodeState.AGREE
        enough = self.timer_exp_count >= NUM_TIMEOUTS_THRESHOLD_FOR_REPORTING or self_already_moved_on
        st = self.latest.get(node)
        if st is None:
            return QuorumInfoNodeState.MISSING if enough else QuorumInfoNodeState.NO_INFO
        if enough and self.last_envelope is not None:
            sub, not_eq = _is_subset(st.accepted, self.last_envelope.accepted)
            if sub:
                if not_eq:
                    return QuorumInfoNodeState.DELAYED
            else:
                return QuorumInfoNodeState.DISAGREE
        return QuorumInfoNodeState.AGREE

    def get_json_info(self) -> dict:
        name = self.slot.driver.get_value_string
        out = {"roundnumber": self.round_number, "started": self.started}
        for key, vals in (("X", self.votes), ("Y", self.accepted), ("Z", self.candidates)):
            if vals:
                out[key] = [name(v) for v in sorted(vals)]
        return out
