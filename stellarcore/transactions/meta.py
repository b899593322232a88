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
from stellarcore.transactions.soroban_tx import DiagnosticEventManager


class OperationMetaBuilder:
    __slots__ = ("changes", "events", "soroban_return_value")

    def __init__(self, events: OpEventManager):
        self.changes: list = []
        self.events = events
        self.soroban_return_value = None

    def set_ledger_changes(self, op_ltx) -> None:
        self.changes = op_ltx.get_changes()


class TransactionMetaBuilder:
    """Collects one transaction's meta; `finalize(success)` gives the XDR."""

    def __init__(self, tx, network_id: bytes, classic_events: bool, enabled: bool = True,
                 soroban_diagnostics: bool = False, soroban_meta_ext: bool = False):
        """soroban_diagnostics: ENABLE_SOROBAN_DIAGNOSTIC_EVENTS;
        soroban_meta_ext: EMIT_SOROBAN_TRANSACTION_META_EXT_V1 (the fee
        breakdown in SorobanTransactionMetaExtV1)."""
        self.enabled = enabled
        self.is_soroban = tx.is_soroban
        self.diagnostics = DiagnosticEventManager(enabled and tx.is_soroban and soroban_diagnostics)
        self.soroban_meta_ext_enabled = enabled and soroban_meta_ext
        self.soroban_ext = None
        self.changes_before: list = []
        self.changes_after: list = []
        self.tx_events = TxEventManager(enabled and classic_events, network_id)
        memo = tx.memo
        op_events_on = enabled and (classic_events or tx.is_soroban)
        self.op_metas = [OperationMetaBuilder(OpEventManager(op_events_on, network_id, memo))
                         for _ in tx.operations]
        self._finalized = False

    def set_non_refundable_resource_fee(self, fee: int) -> None:
        if self.soroban_meta_ext_enabled:
            self._ext_v1().totalNonRefundableResourceFeeCharged = fee

    def maybe_set_refundable_fee_meta(self, tracker) -> None:
        if self.soroban_meta_ext_enabled and tracker is not None:
            v1 = self._ext_v1()
            v1.rentFeeCharged = tracker.rent_fee
            v1.totalRefundableResourceFeeCharged = tracker.consumed

    def _ext_v1(self):
        if self.soroban_ext is None:
            self.soroban_ext = xdr.SorobanTransactionMetaExtV1(
                ext=xdr.ExtensionPoint(0), totalNonRefundableResourceFeeCharged=0,
                totalRefundableResourceFeeCharged=0, rentFeeCharged=0)
        return self.soroban_ext

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
        soroban_meta = None
        if self.is_soroban and (success or self.soroban_ext is not None):
            # From meta v4 Soroban meta is there only on success, unless the
            # fee breakdown extension is emitted (PARITY_TRAPS S14).
            ext = (xdr.SorobanTransactionMetaExt(1, self.soroban_ext) if self.soroban_ext is not None
                   else xdr.SorobanTransactionMetaExt(0))
            ret = self.op_metas[0].soroban_return_value if success else None
            soroban_meta = xdr.SorobanTransactionMetaV2(ext=ext, returnValue=ret)
        if success:
            ops = [xdr.OperationMetaV2(ext=xdr.ExtensionPoint(0), changes=m.changes, events=m.events.events)
                   for m in self.op_metas]
        v4 = xdr.TransactionMetaV4(
            ext=xdr.ExtensionPoint(0), txChangesBefore=self.changes_before, operations=ops,
            txChangesAfter=self.changes_after, sorobanMeta=soroban_meta,
            events=self.tx_events.events, diagnosticEvents=self.diagnostics.events)
        return xdr.TransactionMeta(4, v4)
