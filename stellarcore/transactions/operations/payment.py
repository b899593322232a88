"""Payment (stellar-core transactions/PaymentOpFrame.cpp).

Apart from a native payment to oneself (instant success), stellar-core
runs a payment as a PathPaymentStrictReceive with sendAsset == destAsset,
sendMax == destAmount and no path, and maps the result codes back
(PARITY_TRAPS T7). With one asset that path payment crosses no offers, so
it reduces to: destination exists (unless it is the issuer), credit the
destination, then debit the source - in that order, which is observable
(a credit self-payment from a zero balance succeeds).
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key
from stellarcore.ledger.assets import asset_is_valid, asset_issuer
from stellarcore.ledger.trustline import load_trustline
from stellarcore.transactions import events as E
from stellarcore.transactions.operation_frame import OperationFrame, muxed_to_account_id, register

_P = xdr.PaymentResultCode
_NATIVE = xdr.AssetType.ASSET_TYPE_NATIVE


@register(xdr.OperationType.PAYMENT)
class PaymentOpFrame(OperationFrame):

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        if b.amount <= 0 or not asset_is_valid(b.asset):
            self.set_code(_P.PAYMENT_MALFORMED)
            return False
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        b = self.body
        asset = b.asset
        dest_id = muxed_to_account_id(b.destination)
        src_addr = E.muxed_account_address(self.source_account)
        dest_addr = E.muxed_account_address(b.destination)
        if dest_id == self.source_id and asset.type == _NATIVE:
            op_meta.events.transfer_with_issuer_check(asset, src_addr, dest_addr, b.amount, True)
            self.set_code(_P.PAYMENT_SUCCESS)
            return True
        header = ltx.header
        amount = b.amount
        bypass_issuer_check = asset.type != _NATIVE and asset_issuer(asset) == dest_id
        if not bypass_issuer_check and ltx.load_without_record(account_key(dest_id)) is None:
            self.set_code(_P.PAYMENT_NO_DESTINATION)
            return False
        # credit the destination
        if asset.type == _NATIVE:
            dest = ltx.load(account_key(dest_id))
            if not B.add_balance(header, dest, amount):
                self.set_code(_P.PAYMENT_LINE_FULL)
                return False
        else:
            line = load_trustline(ltx, dest_id, asset)
            if line is None:
                self.set_code(_P.PAYMENT_NO_TRUST)
                return False
            if not line.is_authorized():
                self.set_code(_P.PAYMENT_NOT_AUTHORIZED)
                return False
            if not line.add_balance(header, amount):
                self.set_code(_P.PAYMENT_LINE_FULL)
                return False
        # debit the source
        if asset.type == _NATIVE:
            src = ltx.load(account_key(self.source_id))
            if src is None:
                self.set_code(_P.PAYMENT_MALFORMED)
                return False
            if amount > B.available_balance(header, src):
                self.set_code(_P.PAYMENT_UNDERFUNDED)
                return False
            if not B.add_balance(header, src, -amount):
                raise RuntimeError("addBalance failed after the availability check")
        else:
            line = load_trustline(ltx, self.source_id, asset)
            if line is None:
                self.set_code(_P.PAYMENT_SRC_NO_TRUST)
                return False
            if not line.is_authorized():
                self.set_code(_P.PAYMENT_SRC_NOT_AUTHORIZED)
                return False
            if not line.add_balance(header, -amount):
                self.set_code(_P.PAYMENT_UNDERFUNDED)
                return False
        op_meta.events.transfer_with_issuer_check(asset, src_addr, dest_addr, amount, True)
        self.set_code(_P.PAYMENT_SUCCESS)
        return True
