"""TransactionMeta v4 assembly (stellar-core TransactionMetaBuilder,
transactions/TransactionMeta.cpp), for protocol 23 and later.

Why a builder: the pieces of one transaction's meta are produced at
different times - changes before (sequence bump, one-time signers), each
operation's changes and events, changes after, the fee event - and
stellar-core only keeps operation meta when the whole transaction
succeeded.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.transactions.events import OpEventManager, TxEventManager


class OperationMetaBuilder:
    __slots__ = ("changes", "events")

    def __init__(self, events: OpEventManager):
        self.changes: list = []
        self.events = events

    def set_ledger_changes(self, op_ltx) -> None:
        self.changes = op_ltx.get_changes()


class TransactionMetaBuilder:
    """Collects one transaction's meta; `finalize(success)` gives the XDR."""

    def __init__(self, tx, network_id: bytes, classic_events: bool, enabled: bool = True):
        self.enabled = enabled
        self.changes_before: list = []
        self.changes_after: list = []
        self.tx_events = TxEventManager(enabled and classic_events, network_id)
        memo = tx.memo
        op_events_on = enabled and (classic_events or tx.is_soroban)
        self.op_metas = [OperationMetaBuilder(OpEventManager(op_events_on, network_id, memo))
                         for _ in tx.operations]
        self.diagnostic_events: list = []
        self.soroban_meta = None
        self._finalized = False

    def push_changes_before(self, ltx) -> None:
        if self.enabled:
            self.changes_before.extend(ltx.get_changes())

    def push_changes_after(self, ltx) -> None:
        if self.enabled:
            self.changes_after.extend(ltx.get_changes())

    def finalize(self, success: bool) -> "xdr.TransactionMeta":
        assert not self._finalized
        self._finalized = True
        ops = []
        if success:
            ops = [xdr.OperationMetaV2(ext=xdr.ExtensionPoint(0), changes=m.changes, events=m.events.events)
                   for m in self.op_metas]
        v4 = xdr.TransactionMetaV4(
            ext=xdr.ExtensionPoint(0), txChangesBefore=self.changes_before, operations=ops,
            txChangesAfter=self.changes_after, sorobanMeta=self.soroban_meta,
            events=self.tx_events.events, diagnosticEvents=self.diagnostic_events)
        return xdr.TransactionMeta(4, v4)
