"""BumpSequence (stellar-core transactions/BumpSequenceOpFrame.cpp).

Always succeeds once valid. From protocol 19 the source account's
seqLedger/seqTime are stamped even when bumpTo <= seqNum (the bump itself
is then a no-op), which materializes account extensions v1..v3
(PARITY_TRAPS T5). Low threshold.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key
from stellarcore.transactions.operation_frame import OperationFrame, ThresholdLevel, register

_B = xdr.BumpSequenceResultCode


@register(xdr.OperationType.BUMP_SEQUENCE)
class BumpSequenceOpFrame(OperationFrame):

    threshold_level = ThresholdLevel.LOW

    def do_check_valid(self, ledger_version: int) -> bool:
        if self.body.bumpTo < 0:
            self.set_code(_B.BUMP_SEQUENCE_BAD_SEQ)
            return False
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        # stellar-core runs this in a nested LedgerTxn that it always
        # commits from protocol 19, so applying in `ltx` is the same.
        header = ltx.header
        acc = ltx.load(account_key(self.source_id)).data.account
        B.update_account_on_seq_update(header, acc)
        if self.body.bumpTo > acc.seqNum:
            acc.seqNum = self.body.bumpTo
        self.set_code(_B.BUMP_SEQUENCE_SUCCESS)
        return True
