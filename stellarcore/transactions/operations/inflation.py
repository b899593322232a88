"""Inflation (stellar-core transactions/InflationOpFrame.cpp).

Inflation was retired in protocol 12: isOpSupported is false from then on,
so in our scope (protocol 23+) every Inflation operation fails with
opNOT_SUPPORTED in OperationFrame::checkValid before doApply could run.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.transactions.operation_frame import OperationFrame, ThresholdLevel, register


@register(xdr.OperationType.INFLATION)
class InflationOpFrame(OperationFrame):

    threshold_level = ThresholdLevel.LOW

    def is_op_supported(self, header) -> bool:
        return header.ledgerVersion < 12

    def do_check_valid(self, ledger_version: int) -> bool:
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        raise RuntimeError("Inflation is not supported from protocol 12")
