"""One consensus slot: its nomination and ballot protocols, the statements
it saw, and the federated voting helpers both use (stellar-core scp/Slot)."""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.scp import quorum_set as qs
from stellarcore.scp.ballot import BallotProtocol
from stellarcore.scp.driver import EnvelopeState, QuorumInfoNodeState
from stellarcore.scp.nomination import NominationProtocol
from stellarcore.scp.quorum import is_v_blocking
from stellarcore.scp.statement import EXTERNALIZE, NOMINATE, Statement

NUM_TIMEOUTS_THRESHOLD_FOR_REPORTING = 2


class Slot:
    def __init__(self, index: int, scp):
        self.index = index
        self.scp = scp
        self.driver = scp.driver
        self.local = scp.local_node
        self.fully_validated = self.local.is_validator
        self.got_v_blocking = False
        self.history = []   # (time, Statement, validated)
        self.ballot = BallotProtocol(self)
        self.nomination = NominationProtocol(self)

    # ---- statements in

    def process_envelope(self, st: Statement, self_: bool) -> EnvelopeState:
        had = self.get_latest_message(st.node) is not None
        if st.type == NOMINATE:
            res = self.nomination.process_envelope(st)
        else:
            res = self.ballot.process_envelope(st, self_)
        if not had and res == EnvelopeState.VALID:
            self.maybe_set_got_v_blocking()
        return res

    def set_state_from_envelope(self, st: Statement):
        """Adopt one of our own statements as state (restart mid-slot)."""
        if st.node != self.local.node_id or st.slot != self.index:
            return
        had = self.get_latest_message(st.node) is not None
        if st.type == NOMINATE:
            self.nomination.set_state_from_envelope(st)
        else:
            self.ballot.set_state_from_envelope(st)
        if not had:
            self.maybe_set_got_v_blocking()

    def record_statement(self, st: Statement):
        self.history.append((self.driver.current_time(), st, self.fully_validated))

    # ---- driving the protocols

    def nominate(self, value: bytes, previous_value: bytes, timed_out: bool) -> bool:
        return self.nomination.nominate(value, previous_value, timed_out)

    def stop_nomination(self):
        self.nomination.stop_nomination()

    def bump_state(self, value: bytes, force: bool) -> bool:
        return self.ballot.bump_state(value, force)

    def abandon_ballot(self) -> bool:
        return self.ballot.abandon_ballot(0)

    def get_latest_composite_candidate(self):
        return self.nomination.latest_composite

    def get_nomination_leaders(self):
        return set(self.nomination.round_leaders)

    def create_envelope(self, pledges: "xdr.SCPStatementPledges") -> "xdr.SCPEnvelope":
        st = xdr.SCPStatement(nodeID=xdr.PublicKey(ed25519=self.local.node_id),
                              slotIndex=self.index, pledges=pledges)
        env = xdr.SCPEnvelope(statement=st, signature=b"")
        self.driver.sign_envelope(env)
        return env

    # ---- what peers said

    def get_latest_message(self, node: bytes):
        """The latest Statement from `node` (ballot protocol first)."""
        st = self.ballot.latest.get(node)
        if st is None:
            st = self.nomination.latest.get(node)
        return st

    def get_latest_messages_send(self):
        """Our last nomination and ballot envelopes (if fully validated)."""
        res = []
        if self.fully_validated:
            for st in (self.nomination.last_envelope, self.ballot.last_envelope):
                if st is not None:
                    res.append(st.env)
        return res

    def process_current_state(self, fn, force_self: bool):
        if self.nomination.process_current_state(fn, force_self):
            self.ballot.process_current_state(fn, force_self)

    def get_entire_current_state(self):
        res = []
        self.process_current_state(lambda e: res.append(e) or True, True)
        return res

    def get_externalizing_state(self):
        return self.ballot.get_externalizing_state()

    def qset_of(self, st: Statement):
        """The quorum set a statement is made with (getQuorumSetFromStatement);
        an EXTERNALIZE stands for the singleton {1, [node]}.  Found sets are
        kept on the statement (they are named by their hash, so they cannot
        change); a set not known yet is asked for again next time."""
        q = st.qset
        if q is None:
            if st.type == EXTERNALIZE:
                q = qs.singleton(st.node)
            else:
                q = self.driver.get_qset(st.qset_hash)
            st.qset = q
        return q

    def maybe_set_got_v_blocking(self):
        if self.got_v_blocking:
            return
        heard = {n for n in qs.for_all_nodes(self.local.qset) if self.get_latest_message(n) is not None}
        self.got_v_blocking = is_v_blocking(self.local.qset, heard)

    # ---- reporting

    def is_newer_nomination_or_ballot_st(self, old: Statement, new: Statement) -> bool:
        if (old.type == NOMINATE) != (new.type == NOMINATE):
            return False
        if old.type == NOMINATE:
            return NominationProtocol.is_newer(old, new)
        return BallotProtocol.is_newer(old, new)

    def get_state(self, node: bytes, self_already_moved_on: bool):
        b = self.ballot.get_state(node, self_already_moved_on)
        if b != QuorumInfoNodeState.NO_INFO:
            return b
        return self.nomination.get_state(node, self_already_moved_on)

    def get_json_info(self, full_keys: bool = False) -> dict:
        from stellarcore.scp.report import env_to_str, hex_abbrev
        statements = []
        used = {}
        for when, st, validated in self.history:
            statements.append([when, env_to_str(self.scp, st, full_keys), validated])
            q = self.driver.get_qset(st.qset_hash)   # the companion (commit) quorum set
            if q is not None:
                used[st.qset_hash] = q
        out = {}
        if statements:
            out["statements"] = statements
        # stellar-core always has the key (null when no set is known)
        out["quorum_sets"] = {hex_abbrev(h): qs.to_json(q, lambda k: self.driver.to_str_key(k, full_keys))
                              for h, q in sorted(used.items())} or None
        out["validated"] = self.fully_validated
        out["nomination"] = self.nomination.get_json_info()
        out["ballotProtocol"] = self.ballot.get_json_info()
        return out

    def get_json_quorum_info(self, node: bytes, summary: bool, full_keys: bool) -> dict:
        ret = self.ballot.get_json_quorum_info(node, summary, full_keys)
        if self.local.is_validator:
            ret["validated"] = self.fully_validated
        return ret
