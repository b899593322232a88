"""The pre-protocol-20 transaction set, only as the empty set a node closes
right after a protocol-0 genesis (the ledger that upgrades to 23+).

stellar-core builds a legacy `TransactionSet` whenever the last closed
ledger is before protocol 20 (TxSetXDRFrame::makeEmpty, isGeneralizedTxSet
false). Its hash is not the hash of its XDR but
SHA-256(previousLedgerHash || each transaction's XDR) - for the empty set,
SHA-256(previousLedgerHash). Transactions of those protocols are out of
this node's scope, so a non-empty legacy set is refused.
"""
from __future__ import annotations

import hashlib

from stellarcore import xdr

SOROBAN_PROTOCOL_VERSION = 20


class LegacyEmptyTxSet:
    """The applicable form of an empty legacy TransactionSet."""

    def __init__(self, previous_ledger_hash: bytes):
        self.previous_ledger_hash = bytes(previous_ledger_hash)
        self.xdr_value = xdr.TransactionSet(previousLedgerHash=self.previous_ledger_hash, txs=[])
        self.hash = hashlib.sha256(self.previous_ledger_hash).digest()

    @classmethod
    def from_xdr_value(cls, value: "xdr.TransactionSet") -> "LegacyEmptyTxSet":
        if value.txs:
            raise ValueError("transactions before protocol 20 are not supported")
        return cls(value.previousLedgerHash)

    def classic_apply_order(self) -> list:
        return []

    def soroban_stages_apply_order(self) -> list:
        return []

    def size_tx(self) -> int:
        return 0

    def size_op(self) -> int:
        return 0

    def all_frames(self) -> list:
        return []

    def encoded(self) -> bytes:
        return self.xdr_value.to_xdr()


def is_legacy_ledger(header) -> bool:
    """Whether the next tx set after `header` is a legacy TransactionSet."""
    return header.ledgerVersion < SOROBAN_PROTOCOL_VERSION
