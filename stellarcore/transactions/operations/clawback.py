"""Clawback (stellar-core transactions/ClawbackOpFrame.cpp).

Why: an issuer with clawback enabled burns part of a holder's balance.
Authorization is skipped (a deauthorized line can be clawed back), but
selling liabilities are not: only balance - selling liabilities can go
(UNDERFUNDED otherwise). `from` is compared with the source as a
MuxedAccount, so a muxed self-address passes validation and fails later
with NO_TRUST, as in stellar-core.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import trustline_key
from stellarcore.ledger.trustline import asset_issuer
from stellarcore.transactions import events as E
from stellarcore.ledger.assets import asset_is_valid
from stellarcore.transactions.operation_frame import OperationFrame, muxed_to_account_id, register

_C = xdr.ClawbackResultCode


@register(xdr.OperationType.CLAWBACK)
class ClawbackOpFrame(OperationFrame):

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        if (b.from_ == xdr.MuxedAccount(ed25519=self.source_id.ed25519) or b.amount < 1
                or b.asset.type == xdr.AssetType.ASSET_TYPE_NATIVE or not asset_is_valid(b.asset)
                or asset_issuer(b.asset) != self.source_id):
            self.set_code(_C.CLAWBACK_MALFORMED)
            return False
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        b = self.body
        from_muxed = b.from_
        tl_le = ltx.load(trustline_key(muxed_to_account_id(from_muxed), b.asset))
        if tl_le is None:
            self.set_code(_C.CLAWBACK_NO_TRUST)
            return False
        tl = tl_le.data.trustLine
        if not B.is_clawback_enabled_on_trustline(tl):
            self.set_code(_C.CLAWBACK_NOT_CLAWBACK_ENABLED)
            return False
        if not B.add_trustline_balance_skip_auth(ltx.header, tl, -b.amount):
            self.set_code(_C.CLAWBACK_UNDERFUNDED)
            return False
        op_meta.events.clawback(b.asset, E.muxed_account_address(from_muxed), b.amount)
        self.set_code(_C.CLAWBACK_SUCCESS)
        return True
