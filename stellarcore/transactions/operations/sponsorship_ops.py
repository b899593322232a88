"""BeginSponsoringFutureReserves and EndSponsoringFutureReserves
(stellar-core transactions/BeginSponsoringFutureReservesOpFrame.cpp,
EndSponsoringFutureReservesOpFrame.cpp).

A "sandwich": Begin (source = sponsor) creates the internal SPONSORSHIP
entry sponsored -> sponsoring and bumps the sponsor's internal
SPONSORSHIP_COUNTER; every reserve the sponsored account creates until
End (source = sponsored) is then paid by the sponsor (SponsorshipUtils
reads the SPONSORSHIP entry). End erases the SPONSORSHIP entry and
decrements the counter, erasing it at zero. Both entries live only in the
transaction's LedgerTxn: one left at the end of the transaction fails it
with txBAD_SPONSORSHIP (TransactionFrame::applyOperations).
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger.keys import sponsorship_counter_key, sponsorship_key
from stellarcore.ledger.ledger_txn import InternalEntry
from stellarcore.transactions.operation_frame import OperationFrame, register

_BR = xdr.BeginSponsoringFutureReservesResultCode
_ER = xdr.EndSponsoringFutureReservesResultCode


@register(xdr.OperationType.BEGIN_SPONSORING_FUTURE_RESERVES)
class BeginSponsoringFutureReservesOpFrame(OperationFrame):

    def do_check_valid(self, ledger_version: int) -> bool:
        if self.body.sponsoredID == self.source_id:
            self.set_code(_BR.BEGIN_SPONSORING_FUTURE_RESERVES_MALFORMED)
            return False
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        sponsored = self.body.sponsoredID
        if ltx.load(sponsorship_key(sponsored)) is not None:
            self.set_code(_BR.BEGIN_SPONSORING_FUTURE_RESERVES_ALREADY_SPONSORED)
            return False
        # the sponsor may not itself be sponsored, nor the sponsored a sponsor
        if ltx.load(sponsorship_key(self.source_id)) is not None:
            self.set_code(_BR.BEGIN_SPONSORING_FUTURE_RESERVES_RECURSIVE)
            return False
        if ltx.load(sponsorship_counter_key(sponsored)) is not None:
            self.set_code(_BR.BEGIN_SPONSORING_FUTURE_RESERVES_RECURSIVE)
            return False
        ltx.create(InternalEntry(self.source_id), sponsorship_key(sponsored))
        counter = ltx.load(sponsorship_counter_key(self.source_id))
        if counter is not None:
            counter.value += 1
        else:
            ltx.create(InternalEntry(1), sponsorship_counter_key(self.source_id))
        self.set_code(_BR.BEGIN_SPONSORING_FUTURE_RESERVES_SUCCESS)
        return True


@register(xdr.OperationType.END_SPONSORING_FUTURE_RESERVES)
class EndSponsoringFutureReservesOpFrame(OperationFrame):

    def do_check_valid(self, ledger_version: int) -> bool:
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        key = sponsorship_key(self.source_id)
        sponsorship = ltx.load(key)
        if sponsorship is None:
            self.set_code(_ER.END_SPONSORING_FUTURE_RESERVES_NOT_SPONSORED)
            return False
        counter_key = sponsorship_counter_key(sponsorship.value)
        counter = ltx.load(counter_key)
        if counter is None:
            raise RuntimeError("no sponsorship counter")
        if counter.value == 0:
            raise RuntimeError("bad sponsorship counter")
        counter.value -= 1
        if counter.value == 0:
            ltx.erase(counter_key)
        ltx.erase(key)
        self.set_code(_ER.END_SPONSORING_FUTURE_RESERVES_SUCCESS)
        return True
