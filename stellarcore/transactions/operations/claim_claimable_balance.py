"""ClaimClaimableBalance (stellar-core transactions/ClaimClaimableBalanceOpFrame.cpp).

Why this order: the source must be a claimant whose predicate holds at the
closing ledger's closeTime (CANNOT_CLAIM), then receives the amount
(native: LINE_FULL past INT64_MAX or buying liabilities; credit: NO_TRUST,
NOT_AUTHORIZED, LINE_FULL; the issuer's own asset always fits), then the
entry's reserve goes back to its sponsor and the entry is erased.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import claimable_balance_key
from stellarcore.ledger.sponsorship import remove_entry_with_possible_sponsorship
from stellarcore.ledger.trustline import load_trustline
from stellarcore.transactions import events as E
from stellarcore.transactions.operation_frame import OperationFrame, ThresholdLevel, register
from stellarcore.transactions.operations.claimable_balance import predicate_holds

_C = xdr.ClaimClaimableBalanceResultCode


@register(xdr.OperationType.CLAIM_CLAIMABLE_BALANCE)
class ClaimClaimableBalanceOpFrame(OperationFrame):

    threshold_level = ThresholdLevel.LOW

    def do_check_valid(self, ledger_version: int) -> bool:
        return True

    def _fail(self, code) -> bool:
        self.set_code(code)
        return False

    def do_apply(self, ltx, op_meta) -> bool:
        balance_id = self.body.balanceID
        key = claimable_balance_key(balance_id)
        cb_le = ltx.load(key)
        if cb_le is None:
            return self._fail(_C.CLAIM_CLAIMABLE_BALANCE_DOES_NOT_EXIST)
        cb = cb_le.data.claimableBalance
        claimant = next((c for c in cb.claimants if c.v0.destination == self.source_id), None)
        header = ltx.header
        if claimant is None or not predicate_holds(claimant.v0.predicate, header.scpValue.closeTime):
            return self._fail(_C.CLAIM_CLAIMABLE_BALANCE_CANNOT_CLAIM)
        asset, amount = cb.asset, cb.amount
        if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE:
            if not B.add_balance(header, self.load_source_account(ltx), amount):
                return self._fail(_C.CLAIM_CLAIMABLE_BALANCE_LINE_FULL)
        else:
            line = load_trustline(ltx, self.source_id, asset)
            if line is None:
                return self._fail(_C.CLAIM_CLAIMABLE_BALANCE_NO_TRUST)
            if not line.is_authorized():
                return self._fail(_C.CLAIM_CLAIMABLE_BALANCE_NOT_AUTHORIZED)
            if not line.add_balance(header, amount):
                return self._fail(_C.CLAIM_CLAIMABLE_BALANCE_LINE_FULL)
        remove_entry_with_possible_sponsorship(ltx, header, cb_le, self.load_source_account(ltx))
        op_meta.events.transfer_with_issuer_check(asset, E.claimable_balance_address(balance_id),
                                                  E.muxed_account_address(self.source_account), amount, True)
        ltx.erase(key)
        self.set_code(_C.CLAIM_CLAIMABLE_BALANCE_SUCCESS)
        return True
