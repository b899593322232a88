"""The Stellar Consensus Protocol as a library (stellar-core src/scp).

It knows nothing of ledgers or sockets: values are opaque bytes, and the
embedding code supplies an `SCPDriver` (validation, combining candidates,
signing, emitting envelopes, timers, quorum sets by hash).  Node IDs are raw
32-byte ed25519 keys; quorum sets are `QSet`s (see quorum_set for
conversion from and to XDR and JSON).
"""
from stellarcore.scp.driver import (BALLOT_PROTOCOL_TIMER, NOMINATION_TIMER, EnvelopeState,
                                    QuorumInfoNodeState, SCPDriver, ValidationLevel, linear_timeout)
from stellarcore.scp.quorum import (QSet, find_closest_v_blocking, is_quorum, is_quorum_slice,
                                    is_v_blocking)
from stellarcore.scp.scp import SCP

__all__ = ["SCP", "SCPDriver", "QSet", "ValidationLevel", "EnvelopeState", "QuorumInfoNodeState",
           "NOMINATION_TIMER", "BALLOT_PROTOCOL_TIMER", "linear_timeout", "is_quorum",
           "is_quorum_slice", "is_v_blocking", "find_closest_v_blocking"]
