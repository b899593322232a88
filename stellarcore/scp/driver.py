"""The interface between SCP and whoever embeds it (stellar-core's SCPDriver).

SCP knows nothing of ledgers, transactions or sockets: values are opaque
bytes, and everything about them (validity, combining candidates), about
the network (emitting envelopes, fetching quorum sets by hash, signing) and
about time (timers, timeouts) goes through a driver.  Subclass `SCPDriver`
and implement the abstract methods; the notifications are optional.
"""
from __future__ import annotations

import enum
import hashlib
import struct

from stellarcore.scp.quorum import QSet

UINT64_MAX = 0xFFFFFFFFFFFFFFFF
HASH_N, HASH_P, HASH_K = 1, 2, 3   # leader, priority, value hashes (SCPDriver.cpp)
MAX_TIMEOUT_MS = 30 * 60 * 1000     # 30 minutes


class ValidationLevel(enum.IntEnum):
    """SCPDriver::ValidationLevel; ordered, the minimum wins."""
    INVALID = 0
    MAYBE_VALID = 1
    FULLY_VALIDATED = 2


class EnvelopeState(enum.IntEnum):
    INVALID = 0
    VALID = 1


class QuorumInfoNodeState(enum.IntEnum):
    NO_INFO = 0
    AGREE = 1
    MISSING = 2
    DELAYED = 3
    DISAGREE = 4


NOMINATION_TIMER = 0
BALLOT_PROTOCOL_TIMER = 1


def _xdr_value(v: bytes) -> bytes:
    """XDR of a Value (opaque<>): length, bytes, zero padding."""
    return struct.pack(">I", len(v)) + v + b"\0" * (-len(v) % 4)


def _round_up_div(m: int, threshold: int, total: int) -> int:
    """bigDivideUnsigned(m * threshold / total, ROUND_UP)."""
    return -(-(m * threshold) // total)


class SCPDriver:
    """Base class of SCP drivers.  Values are bytes; node IDs are raw
    32-byte ed25519 keys; quorum sets are `QSet`s."""

    # ---- must be implemented

    def sign_envelope(self, envelope) -> None:
        """Fill in envelope.signature (an xdr.SCPEnvelope)."""
        raise NotImplementedError

    def get_qset(self, qset_hash: bytes):
        """The QSet with this hash, or None (the statement is then invalid)."""
        raise NotImplementedError

    def emit_envelope(self, envelope) -> None:
        """Send one of our envelopes to the network."""
        raise NotImplementedError

    def combine_candidates(self, slot_index: int, candidates: list) -> bytes:
        """The composite value of the candidates (a sorted list of bytes)."""
        raise NotImplementedError

    def setup_timer(self, slot_index: int, timer_id: int, timeout_ms: int, callback) -> None:
        """Call `callback` after `timeout_ms`; a None callback cancels the timer."""
        raise NotImplementedError

    def stop_timer(self, slot_index: int, timer_id: int) -> None:
        raise NotImplementedError

    def compute_timeout(self, round_number: int, is_nomination: bool) -> int:
        """Milliseconds before the timer of this round fires."""
        raise NotImplementedError

    # ---- with defaults, as stellar-core's

    def validate_value(self, slot_index: int, value: bytes, nomination: bool) -> ValidationLevel:
        return ValidationLevel.MAYBE_VALID

    def extract_valid_value(self, slot_index: int, value: bytes):
        """A fully valid value derived from `value`, or None."""
        return None

    def get_hash_of(self, parts) -> bytes:
        """SHA-256 of the concatenated byte strings (HerderSCPDriver::getHashOf)."""
        h = hashlib.sha256()
        for p in parts:
            h.update(p)
        return h.digest()

    def _hash_helper(self, slot_index, prev, extra) -> int:
        parts = [struct.pack(">Q", slot_index), _xdr_value(prev)] + extra
        return int.from_bytes(self.get_hash_of(parts)[:8], "big")

    def compute_hash_node(self, slot_index: int, prev: bytes, is_priority: bool,
                          round_number: int, node: bytes) -> int:
        """First 8 bytes, big-endian, of SHA256(slot || prev || N or P || round || nodeID)
        (PARITY_TRAPS SC2)."""
        return self._hash_helper(slot_index, prev, [
            struct.pack(">I", HASH_P if is_priority else HASH_N),
            struct.pack(">i", round_number),
            b"\0\0\0\0" + node])  # XDR NodeID: PUBLIC_KEY_TYPE_ED25519, key

    def compute_value_hash(self, slot_index: int, prev: bytes, round_number: int, value: bytes) -> int:
        return self._hash_helper(slot_index, prev, [
            struct.pack(">I", HASH_K), struct.pack(">i", round_number), _xdr_value(value)])

    def get_node_weight(self, node: bytes, qset: QSet, is_local_node: bool) -> int:
        """The node's weight in the quorum set, 0..UINT64_MAX (SCPDriver::getNodeWeight)."""
        if is_local_node:
            return UINT64_MAX
        n = qset.threshold
        d = len(qset.inner) + len(qset.validators)
        if node in qset.validators:
            return _round_up_div(UINT64_MAX, n, d)
        for q in qset.inner:
            w = SCPDriver.get_node_weight(self, node, q, False)
            if w:
                return _round_up_div(w, n, d)
        return 0

    def current_time(self) -> int:
        """Wall-clock seconds, stamped on the statements a slot records."""
        import time
        return int(time.time())

    def get_value_string(self, value: bytes) -> str:
        return self.get_hash_of([_xdr_value(value)]).hex()[:6]

    def to_short_string(self, node: bytes) -> str:
        from stellarcore.crypto import strkey
        return strkey.encode("G", node)[:5]

    def to_str_key(self, node: bytes, full_key: bool = True) -> str:
        from stellarcore.crypto import strkey
        return strkey.encode("G", node) if full_key else self.to_short_string(node)

    # ---- notifications (optional)

    def value_externalized(self, slot_index: int, value: bytes) -> None:
        pass

    def nominating_value(self, slot_index: int, value: bytes) -> None:
        pass

    def updated_candidate_value(self, slot_index: int, value: bytes) -> None:
        pass

    def started_ballot_protocol(self, slot_index: int, ballot) -> None:
        pass

    def accepted_ballot_prepared(self, slot_index: int, ballot) -> None:
        pass

    def confirmed_ballot_prepared(self, slot_index: int, ballot) -> None:
        pass

    def accepted_commit(self, slot_index: int, ballot) -> None:
        pass

    def ballot_did_hear_from_quorum(self, slot_index: int, ballot) -> None:
        pass


def linear_timeout(round_number: int, initial_ms: int, increment_ms: int) -> int:
    """Protocol 23+ timeouts: initial + (round - 1) * increment, capped at 30
    minutes (HerderSCPDriver::computeTimeout, PARITY_TRAPS SC3)."""
    if round_number < 1:
        raise ValueError("timeouts start at round 1")
    t = (initial_ms + (round_number - 1) * increment_ms) & 0xFFFFFFFF  # uint32, as stellar-core
    return min(t, MAX_TIMEOUT_MS)
