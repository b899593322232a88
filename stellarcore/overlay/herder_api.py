"""The narrow interface between the overlay and the herder.

The overlay never imports the herder, ledger or transactions packages: it
calls whatever object it is given through `OverlayHerder` (the subset of
stellar-core's Herder and LedgerManager that src/overlay uses), and the
herder calls back through `OverlayManager` (broadcast, fetch, send to a
peer).  `SimpleHerder` is a self-contained implementation: a tx pool keyed
by full hash, tx sets and quorum sets by hash, SCP envelopes recorded.
It lets the overlay run and be tested alone; it validates nothing.
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from stellarcore import xdr
from stellarcore.crypto.sha import sha256
from stellarcore.crypto.txhash import full_hash

# TransactionQueue::AddResultCode values the overlay distinguishes
TX_PENDING = "pending"
TX_DUPLICATE = "duplicate"
TX_REJECTED = "rejected"

MAX_CLASSIC_TX_SIZE_BYTES = 100 * 1024     # Peer.h


@runtime_checkable
class OverlayHerder(Protocol):
    # -- deliveries ---------------------------------------------------------
    def recv_scp_envelope(self, envelope) -> bool:
        """False if discarded (the flood record is then forgotten)."""

    def recv_transaction(self, envelope, full_hash: bytes) -> str:
        """TX_PENDING, TX_DUPLICATE or TX_REJECTED."""

    def recv_tx_set(self, generalized: bool, tx_set) -> None: ...

    def recv_scp_quorum_set(self, qset_hash: bytes, qset) -> None: ...

    def peer_doesnt_have(self, msg_type: int, item: bytes, peer) -> None: ...

    # -- queries ------------------------------------------------------------
    def get_tx_set(self, h: bytes) -> tuple[bool, Any] | None:
        """(generalized, TransactionSet | GeneralizedTransactionSet) or None."""

    def get_qset(self, h: bytes) -> Any | None: ...

    def get_tx(self, full_hash: bytes) -> Any | None:
        """The TransactionEnvelope with this full hash, if in the queue."""

    def is_banned_tx(self, full_hash: bytes) -> bool: ...

    def send_scp_state_to_peer(self, ledger_seq: int, peer) -> None: ...

    # -- numbers the overlay sizes itself with --------------------------------
    def get_min_ledger_seq_to_ask_peers(self) -> int: ...
    def tracking_consensus_ledger_index(self) -> int: ...
    def get_min_ledger_seq_to_remember(self) -> int: ...
    def get_most_recent_checkpoint_seq(self) -> int: ...
    def is_newer_nomination_or_ballot_st(self, old_st, new_st) -> bool: ...
    def get_max_tx_size(self) -> int: ...
    def get_last_max_tx_set_size_ops(self) -> int: ...
    def get_max_queue_size_ops(self) -> int: ...
    def get_max_queue_size_soroban_ops(self) -> int: ...
    def get_soroban_ledger_max_tx_count(self) -> int: ...
    def get_expected_ledger_close_time(self) -> float: ...
    def lcl_protocol_version(self) -> int: ...
    def is_synced(self) -> bool: ...
    def is_tracking(self) -> bool: ...


class SimpleHerder:
    """A herder stand-in: stores what arrives, accepts every new tx."""

    def __init__(self, ledger_seq: int = 2, max_tx_set_ops: int = 1000, close_time: float = 5.0):
        self.ledger_seq = ledger_seq
        self.max_tx_set_ops = max_tx_set_ops
        self.close_time = close_time
        self.txs: dict[bytes, Any] = {}
        self.tx_arrivals: list[bytes] = []
        self.banned: set[bytes] = set()
        self.tx_sets: dict[bytes, tuple[bool, Any]] = {}
        self.qsets: dict[bytes, Any] = {}
        self.envelopes: list = []
        self.envelope_hashes: set = set()
        self.dont_haves: list = []
        self.scp_state_requests: list = []
        self.on_envelope = None
        self.on_transaction = None
        self.tx_receipts: dict[bytes, int] = {}     # TRANSACTION messages seen per full hash
        self.overlay = None

    def attach(self, overlay) -> None:
        """Re-flood what is new, as the herder does with what it accepts."""
        self.overlay = overlay

    def recv_scp_envelope(self, envelope) -> bool:
        key = sha256(envelope.to_xdr())
        if key in self.envelope_hashes:
            return True
        self.envelope_hashes.add(key)
        self.envelopes.append(envelope)
        if self.on_envelope:
            self.on_envelope(envelope)
        if self.overlay is not None:
            self.overlay.broadcast_message(xdr.StellarMessage(envelope=envelope))
        return True

    def submit_transaction(self, envelope) -> bytes:
        """A tx from a client: keep it and flood it."""
        h = full_hash(envelope)
        self.txs[h] = envelope
        if self.overlay is not None:
            self.overlay.broadcast_transaction(envelope)
        return h

    def recv_transaction(self, envelope, tx_hash: bytes) -> str:
        self.tx_receipts[tx_hash] = self.tx_receipts.get(tx_hash, 0) + 1
        if tx_hash in self.banned:
            return TX_REJECTED
        if tx_hash in self.txs:
            return TX_DUPLICATE
        self.txs[tx_hash] = envelope
        self.tx_arrivals.append(tx_hash)
        if self.on_transaction:
            self.on_transaction(envelope, tx_hash)
        if self.overlay is not None:
            self.overlay.broadcast_transaction(envelope)
        return TX_PENDING

    def recv_tx_set(self, generalized: bool, tx_set) -> None:
        self.tx_sets[sha256(tx_set.to_xdr())] = (generalized, tx_set)

    def recv_scp_quorum_set(self, qset_hash: bytes, qset) -> None:
        self.qsets[bytes(qset_hash)] = qset

    def peer_doesnt_have(self, msg_type, item, peer) -> None:
        self.dont_haves.append((int(msg_type), bytes(item)))

    def get_tx_set(self, h):
        return self.tx_sets.get(bytes(h))

    def get_qset(self, h):
        return self.qsets.get(bytes(h))

    def get_tx(self, full_hash):
        return self.txs.get(bytes(full_hash))

    def is_banned_tx(self, full_hash) -> bool:
        return bytes(full_hash) in self.banned

    def send_scp_state_to_peer(self, ledger_seq, peer) -> None:
        self.scp_state_requests.append(ledger_seq)

    def get_min_ledger_seq_to_ask_peers(self) -> int:
        return max(1, self.ledger_seq - 2)

    def tracking_consensus_ledger_index(self) -> int:
        return self.ledger_seq

    def get_min_ledger_seq_to_remember(self) -> int:
        return max(1, self.ledger_seq - 12)

    def get_most_recent_checkpoint_seq(self) -> int:
        return (self.ledger_seq // 64) * 64 - 1 if self.ledger_seq >= 64 else 1

    def is_newer_nomination_or_ballot_st(self, old_st, new_st) -> bool:
        return False

    def get_max_tx_size(self) -> int:
        return MAX_CLASSIC_TX_SIZE_BYTES

    def get_last_max_tx_set_size_ops(self) -> int:
        return self.max_tx_set_ops

    def get_max_queue_size_ops(self) -> int:
        return self.max_tx_set_ops * 4

    def get_max_queue_size_soroban_ops(self) -> int:
        return 0

    def get_soroban_ledger_max_tx_count(self) -> int:
        return 0

    def get_expected_ledger_close_time(self) -> float:
        return self.close_time

    def lcl_protocol_version(self) -> int:
        return 25

    def is_synced(self) -> bool:
        return True

    def is_tracking(self) -> bool:
        return True
