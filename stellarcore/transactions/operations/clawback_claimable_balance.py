"""ClawbackClaimableBalance (stellar-core transactions/ClawbackClaimableBalanceOpFrame.cpp).

Why: the issuer of a clawback-enabled balance's asset may destroy it; the
reserve returns to the balance's sponsor, and a `clawback` event from the
claimable-balance address records the burn. Native balances, other
issuers' assets (NOT_ISSUER) and balances created without clawback
(NOT_CLAWBACK_ENABLED) are refused.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger.keys import claimable_balance_key
from stellarcore.ledger.sponsorship import remove_entry_with_possible_sponsorship
from stellarcore.ledger.trustline import asset_issuer
from stellarcore.transactions import events as E
from stellarcore.transactions.operation_frame import OperationFrame, register
from stellarcore.transactions.operations.claimable_balance import is_clawback_enabled_on_claimable_balance

_C = xdr.ClawbackClaimableBalanceResultCode


@register(xdr.OperationType.CLAWBACK_CLAIMABLE_BALANCE)
class ClawbackClaimableBalanceOpFrame(OperationFrame):

    def do_check_valid(self, ledger_version: int) -> bool:
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        balance_id = self.body.balanceID
        key = claimable_balance_key(balance_id)
        cb_le = ltx.load(key)
        if cb_le is None:
            self.set_code(_C.CLAWBACK_CLAIMABLE_BALANCE_DOES_NOT_EXIST)
            return False
        cb = cb_le.data.claimableBalance
        if cb.asset.type == xdr.AssetType.ASSET_TYPE_NATIVE or asset_issuer(cb.asset) != self.source_id:
            self.set_code(_C.CLAWBACK_CLAIMABLE_BALANCE_NOT_ISSUER)
            return False
        if not is_clawback_enabled_on_claimable_balance(cb):
            self.set_code(_C.CLAWBACK_CLAIMABLE_BALANCE_NOT_CLAWBACK_ENABLED)
            return False
        header = ltx.header
        remove_entry_with_possible_sponsorship(ltx, header, cb_le, self.load_source_account(ltx))
        op_meta.events.clawback(cb.asset, E.claimable_balance_address(balance_id), cb.amount)
        ltx.erase(key)
        self.set_code(_C.CLAWBACK_CLAIMABLE_BALANCE_SUCCESS)
        return True
