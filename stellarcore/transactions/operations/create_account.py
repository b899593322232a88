"""CreateAccount (stellar-core transactions/CreateAccountOpFrame.cpp, the
protocol-14+ path).

Order matters for the result code (PARITY_TRAPS T6): the new account's
reserve (possibly sponsored) is checked before the source's balance.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.ledger.sponsorship import create_entry_with_possible_sponsorship
from stellarcore.transactions import events as E
from stellarcore.transactions.operation_frame import OperationFrame, register

_C = xdr.CreateAccountResultCode
_NATIVE = xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE)


def new_account_entry(account_id, balance: int, seq_num: int) -> "xdr.LedgerEntry":
    acc = xdr.AccountEntry(accountID=account_id, balance=balance, seqNum=seq_num, numSubEntries=0,
                           inflationDest=None, flags=0, homeDomain=b"", thresholds=b"\x01\x00\x00\x00",
                           signers=[], ext=xdr.AccountEntryExt(0))
    return xdr.LedgerEntry(lastModifiedLedgerSeq=0, data=xdr.LedgerEntryData(account=acc),
                           ext=xdr.LedgerEntryExt(0))


@register(xdr.OperationType.CREATE_ACCOUNT)
class CreateAccountOpFrame(OperationFrame):

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        if b.startingBalance < 0 or b.destination == self.source_id:
            self.set_code(_C.CREATE_ACCOUNT_MALFORMED)
            return False
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        b = self.body
        if ltx.load(account_key(b.destination)) is not None:
            self.set_code(_C.CREATE_ACCOUNT_ALREADY_EXIST)
            return False
        inner = LedgerTxn(ltx)
        try:
            ok = self._apply_from_v14(inner)
            if ok:
                inner.commit()
        finally:
            inner.rollback()
        if ok:
            op_meta.events.transfer(_NATIVE, E.muxed_account_address(self.source_account),
                                    E.account_address(b.destination), b.startingBalance, True)
        return ok

    def _apply_from_v14(self, ltx) -> bool:
        b = self.body
        header = ltx.header
        new_le = new_account_entry(b.destination, b.startingBalance,
                                   B.starting_sequence_number(header.ledgerSeq))
        res = create_entry_with_possible_sponsorship(ltx, header, new_le, None)
        if not self.sponsorship_ok(res, _C.CREATE_ACCOUNT_LOW_RESERVE):
            return False
        src = ltx.load(account_key(self.source_id))
        if B.available_balance(header, src) < b.startingBalance:
            self.set_code(_C.CREATE_ACCOUNT_UNDERFUNDED)
            return False
        if not B.add_balance(header, src, -b.startingBalance):
            raise RuntimeError("addBalance failed after the availability check")
        ltx.create(new_le, account_key(b.destination))
        self.set_code(_C.CREATE_ACCOUNT_SUCCESS)
        return True
