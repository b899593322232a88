"""ManageData (stellar-core transactions/ManageDataOpFrame.cpp).

Creating a data entry goes through createEntryWithPossibleSponsorship
(one reserve, possibly paid by a sponsor); deleting it through
removeEntryWithPossibleSponsorship. Modifying an existing entry touches
neither the account nor the reserves. The data entry is loaded before the
source account, as stellar-core does.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger.assets import is_string_valid
from stellarcore.ledger.keys import account_key, data_key
from stellarcore.ledger.sponsorship import (create_entry_with_possible_sponsorship,
                                            remove_entry_with_possible_sponsorship)
from stellarcore.transactions.operation_frame import OperationFrame, register

_M = xdr.ManageDataResultCode


@register(xdr.OperationType.MANAGE_DATA)
class ManageDataOpFrame(OperationFrame):

    def do_check_valid(self, ledger_version: int) -> bool:
        name = self.body.dataName
        if len(name) < 1 or not is_string_valid(name):
            self.set_code(_M.MANAGE_DATA_INVALID_NAME)
            return False
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        b = self.body
        header = ltx.header
        key = data_key(self.source_id, b.dataName)
        data = ltx.load(key)
        if b.dataValue is not None:
            if data is None:
                new = xdr.LedgerEntry(
                    lastModifiedLedgerSeq=0,
                    data=xdr.LedgerEntryData(data=xdr.DataEntry(
                        accountID=self.source_id, dataName=b.dataName, dataValue=b.dataValue,
                        ext=xdr.DataEntryExt(0))),
                    ext=xdr.LedgerEntryExt(0))
                src = ltx.load(account_key(self.source_id))
                res = create_entry_with_possible_sponsorship(ltx, header, new, src)
                if not self.sponsorship_ok(res, _M.MANAGE_DATA_LOW_RESERVE):
                    return False
                ltx.create(new, key)
            else:
                data.data.data.dataValue = b.dataValue
        else:
            if data is None:
                self.set_code(_M.MANAGE_DATA_NAME_NOT_FOUND)
                return False
            src = ltx.load(account_key(self.source_id))
            remove_entry_with_possible_sponsorship(ltx, header, data, src)
            ltx.erase(key)
        self.set_code(_M.MANAGE_DATA_SUCCESS)
        return True
