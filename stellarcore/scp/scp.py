"""The SCP instance of one node: its slots, keyed by index
(stellar-core scp/SCP.cpp).

Entry points: `receive_envelope` for statements from the network,
`nominate` to propose a value for a slot, `set_state_from_envelope` /
`restore_state` to resume after a restart, `purge_slots` to forget old
slots, and the JSON reports behind the `/scp` and `/quorum` endpoints.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.scp import quorum_set as qs
from stellarcore.scp.driver import EnvelopeState, QuorumInfoNodeState
from stellarcore.scp.local_node import LocalNode
from stellarcore.scp.quorum import QSet
from stellarcore.scp.slot import Slot
from stellarcore.scp.statement import Statement

NUM_SLOTS_TO_CHECK_FOR_REPORTING = 2


class SCP:
    def __init__(self, driver, node_id: bytes, is_validator: bool, qset: QSet):
        self.driver = driver
        self.local_node = LocalNode(node_id, is_validator, qset, driver)
        self.slots = {}   # index -> Slot (iterated in index order where it matters)

    # ---- the protocol

    def receive_envelope(self, envelope: "xdr.SCPEnvelope") -> EnvelopeState:
        """Process a statement from the network (its signature already checked)."""
        st = Statement(envelope)
        return self.get_slot(st.slot, True).process_envelope(st, False)

    def nominate(self, slot_index: int, value: bytes, previous_value: bytes) -> bool:
        assert self.local_node.is_validator
        return self.get_slot(slot_index, True).nominate(value, previous_value, False)

    def stop_nomination(self, slot_index: int):
        s = self.get_slot(slot_index, False)
        if s is not None:
            s.stop_nomination()

    def update_local_quorum_set(self, qset: QSet):
        self.local_node.update_quorum_set(qset)

    @property
    def local_node_id(self) -> bytes:
        return self.local_node.node_id

    @property
    def local_qset(self) -> QSet:
        return self.local_node.qset

    def is_validator(self) -> bool:
        return self.local_node.is_validator

    # ---- slots

    def get_slot(self, index: int, create: bool):
        s = self.slots.get(index)
        if s is None and create:
            s = self.slots[index] = Slot(index, self)
        return s

    def purge_slots(self, max_slot_index: int, slot_to_keep: int = None):
        """Forget every slot below `max_slot_index` except `slot_to_keep`."""
        for i in [i for i in self.slots if i < max_slot_index and i != slot_to_keep]:
            del self.slots[i]

    def empty(self) -> bool:
        return not self.slots

    def known_slots_count(self) -> int:
        return len(self.slots)

    def cumulative_statement_count(self) -> int:
        return sum(len(s.history) for s in self.slots.values())

    def is_slot_fully_validated(self, index: int) -> bool:
        s = self.get_slot(index, False)
        return s.fully_validated if s is not None else False

    def got_v_blocking(self, index: int) -> bool:
        s = self.get_slot(index, False)
        return s.got_v_blocking if s is not None else False

    def get_latest_messages_send(self, index: int):
        s = self.get_slot(index, False)
        return s.get_latest_messages_send() if s is not None else []

    def get_externalizing_state(self, index: int):
        s = self.get_slot(index, False)
        return s.get_externalizing_state() if s is not None else []

    def process_current_state(self, index: int, fn, force_self: bool):
        s = self.get_slot(index, False)
        if s is not None:
            s.process_current_state(fn, force_self)

    def process_slots_ascending_from(self, start: int, fn):
        for i in sorted(i for i in self.slots if i >= start):
            if not fn(i):
                break

    def process_slots_descending_from(self, start: int, fn):
        for i in sorted((i for i in self.slots if i <= start), reverse=True):
            if not fn(i):
                break

    def get_latest_message(self, node: bytes):
        """The newest envelope from `node` in any slot (highest slot first)."""
        for i in sorted(self.slots, reverse=True):
            st = self.slots[i].get_latest_message(node)
            if st is not None:
                return st.env
        return None

    def is_newer_nomination_or_ballot_st(self, old: "xdr.SCPStatement", new: "xdr.SCPStatement") -> bool:
        if old.slotIndex != new.slotIndex or old.nodeID != new.nodeID:
            return False
        s = self.get_slot(old.slotIndex, False)
        if s is None:
            return False
        wrap = lambda st: Statement(xdr.SCPEnvelope(statement=st, signature=b""))  # noqa: E731
        return s.is_newer_nomination_or_ballot_st(wrap(old), wrap(new))

    # ---- restart

    def set_state_from_envelope(self, slot_index: int, envelope: "xdr.SCPEnvelope"):
        self.get_slot(slot_index, True).set_state_from_envelope(Statement(envelope))

    def save_state(self, slot_index: int):
        """What to persist to resume this slot after a restart: our latest
        envelopes (as stellar-core's HerderPersistence saves SCP state)."""
        return self.get_latest_messages_send(slot_index)

    def restore_state(self, envelopes):
        """Adopt saved envelopes of ours as the state of their slots."""
        for env in envelopes:
            if env.statement.nodeID.ed25519 == self.local_node_id:
                self.set_state_from_envelope(env.statement.slotIndex, env)

    # ---- reports (/scp and /quorum)

    def get_json_info(self, limit: int, full_keys: bool = False) -> dict:
        out = {}
        for i in sorted(self.slots, reverse=True)[:limit]:
            out[str(i)] = self.slots[i].get_json_info(full_keys)
        return out

    def get_state(self, node: bytes, slot_index: int):
        for k in range(NUM_SLOTS_TO_CHECK_FOR_REPORTING):
            if slot_index <= k:
                break
            s = self.get_slot(slot_index - k, False)
            if s is not None:
                st = s.get_state(node, k > 0)
                if st != QuorumInfoNodeState.NO_INFO:
                    return st
        return QuorumInfoNodeState.MISSING

    def get_json_quorum_info(self, node: bytes, summary: bool, full_keys: bool = False,
                             index: int = 0):
        """SCP::getJsonQuorumInfo; None (JSON null) when there is no such slot.
        Empty lists are null, as jsoncpp prints a value nothing was appended to."""
        if not self.slots:
            return None
        if index == 0:
            index = max(self.slots)
        s = self.get_slot(index, False)
        if s is None:
            return None
        ret = s.get_json_quorum_info(node, summary, full_keys)
        groups = {QuorumInfoNodeState.DISAGREE: [], QuorumInfoNodeState.MISSING: [],
                  QuorumInfoNodeState.DELAYED: [], QuorumInfoNodeState.AGREE: []}
        for n in qs.for_all_nodes(self.local_qset):
            state = self.get_state(n, index)
            if state == QuorumInfoNodeState.NO_INFO:
                break
            groups[state].append(self.driver.to_str_key(n, full_keys))
        for name, state in (("disagree", QuorumInfoNodeState.DISAGREE),
                            ("missing", QuorumInfoNodeState.MISSING),
                            ("delayed", QuorumInfoNodeState.DELAYED),
                            ("agree", QuorumInfoNodeState.AGREE)):
            ret[name] = len(groups[state]) if summary else (groups[state] or None)
        ret["ledger"] = index
        return ret

    def get_missing_nodes(self, node: bytes = None, index: int = 0):
        if index == 0:
            index = max(self.slots)
        if self.get_slot(index, False) is None:
            return set()
        return {n for n in qs.for_all_nodes(self.local_qset)
                if self.get_state(n, index) == QuorumInfoNodeState.MISSING}
