"""Transaction results while a transaction is applied (stellar-core
transactions/MutableTransactionResult.cpp).

Why mutable holders: the fee pass creates the result (fee charged, every
operation result initialized to opINNER with its type's zero value, as
xdrpp default-constructs it), validation may turn it into an error, each
operation fills its own slot, and the XDR is produced once at the end.
A txFAILED result keeps the operation results; any other error drops them.
"""
from __future__ import annotations

from stellarcore import xdr

_TC = xdr.TransactionResultCode
_OPINNER = xdr.OperationResultCode.opINNER
_KEEPS_RESULTS = (_TC.txSUCCESS, _TC.txFAILED)


def initial_op_result(op_type) -> "xdr.OperationResult":
    return xdr.OperationResult(_OPINNER, xdr.OperationResultTr(op_type))


class TxResult:
    """MutableTransactionResult: a v0/v1 transaction's result."""

    __slots__ = ("code", "fee_charged", "op_results", "refundable_fee_tracker")

    def __init__(self, op_types, fee_charged: int, code=_TC.txSUCCESS):
        self.code = code
        self.fee_charged = fee_charged
        self.op_results = [initial_op_result(t) for t in op_types] if op_types is not None else []
        self.refundable_fee_tracker = None

    @classmethod
    def error(cls, code) -> "TxResult":
        return cls(None, 0, code)

    @property
    def innermost_code(self):
        return self.code

    def set_error(self, code) -> None:
        self.code = code

    def set_insufficient_fee_error(self, fee_charged: int) -> None:
        self.code = _TC.txINSUFFICIENT_FEE
        self.fee_charged = fee_charged

    def set_innermost_error(self, code) -> None:
        self.code = code
        if self.refundable_fee_tracker is not None:
            self.refundable_fee_tracker.reset_consumed_fee()

    def is_success(self) -> bool:
        return self.code == _TC.txSUCCESS

    def finalize_fee_refund(self, ledger_version: int) -> None:
        """The refund comes off the fee charged."""
        if self.refundable_fee_tracker is not None:
            self.fee_charged -= self.refundable_fee_tracker.fee_refund

    def to_xdr(self) -> "xdr.TransactionResult":
        code = self.code
        body = (xdr.TransactionResultResult(code, self.op_results) if code in _KEEPS_RESULTS
                else xdr.TransactionResultResult(code))
        return xdr.TransactionResult(feeCharged=self.fee_charged, result=body, ext=xdr.TransactionResultExt(0))


class FeeBumpTxResult:
    """FeeBumpMutableTransactionResult: outer fee, inner hash and result."""

    __slots__ = ("outer_code", "fee_charged", "inner_hash", "inner_code", "inner_fee_charged",
                 "op_results", "refundable_fee_tracker")

    def __init__(self, inner_hash: bytes, op_types, fee_charged: int, inner_fee_charged: int):
        self.outer_code = _TC.txFEE_BUMP_INNER_SUCCESS
        self.fee_charged = fee_charged
        self.inner_hash = inner_hash
        self.inner_code = _TC.txSUCCESS
        self.inner_fee_charged = inner_fee_charged
        self.op_results = [initial_op_result(t) for t in op_types]
        self.refundable_fee_tracker = None

    @property
    def code(self):
        return self.outer_code

    @property
    def innermost_code(self):
        return self.inner_code

    def set_error(self, code) -> None:
        """An outer error (the fee bump itself is invalid)."""
        self.outer_code = code

    def set_insufficient_fee_error(self, fee_charged: int) -> None:
        self.outer_code = _TC.txINSUFFICIENT_FEE
        self.fee_charged = fee_charged

    def set_innermost_error(self, code) -> None:
        self.inner_code = code
        self.outer_code = _TC.txFEE_BUMP_INNER_FAILED
        if self.refundable_fee_tracker is not None:
            self.refundable_fee_tracker.reset_consumed_fee()

    def is_success(self) -> bool:
        return self.outer_code == _TC.txFEE_BUMP_INNER_SUCCESS

    def finalize_fee_refund(self, ledger_version: int) -> None:
        """From protocol 21 the refund comes off the outer fee charged, and
        below protocol 25 off the inner one too (PARITY_TRAPS S3)."""
        tracker = self.refundable_fee_tracker
        if tracker is None:
            return
        refund = tracker.fee_refund
        self.fee_charged -= refund
        if ledger_version < 25:
            self.inner_fee_charged -= refund

    def to_xdr(self) -> "xdr.TransactionResult":
        if self.outer_code not in (_TC.txFEE_BUMP_INNER_SUCCESS, _TC.txFEE_BUMP_INNER_FAILED):
            return xdr.TransactionResult(feeCharged=self.fee_charged,
                                         result=xdr.TransactionResultResult(self.outer_code),
                                         ext=xdr.TransactionResultExt(0))
        ic = self.inner_code
        inner_body = (xdr.InnerTransactionResultResult(ic, self.op_results) if ic in _KEEPS_RESULTS
                      else xdr.InnerTransactionResultResult(ic))
        inner = xdr.InnerTransactionResult(feeCharged=self.inner_fee_charged, result=inner_body,
                                           ext=xdr.InnerTransactionResultExt(0))
        pair = xdr.InnerTransactionResultPair(transactionHash=self.inner_hash, result=inner)
        return xdr.TransactionResult(feeCharged=self.fee_charged,
                                     result=xdr.TransactionResultResult(self.outer_code, pair),
                                     ext=xdr.TransactionResultExt(0))
