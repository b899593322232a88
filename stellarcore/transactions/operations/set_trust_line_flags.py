"""SetTrustLineFlags (stellar-core transactions/SetTrustLineFlagsOpFrame.cpp).

Why: the issuer's way (protocol 17+) to set and clear a trustline's auth
and clawback flags independently. Only the issuer may call it, never on
itself; clawback can be cleared but not set; without AUTH_REVOCABLE on the
issuer, any clearing of an auth flag must come with setting AUTHORIZED.
The apply path is TrustFlagsOpFrameBase's.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger.keys import account_key
from stellarcore.ledger.trustline import asset_issuer
from stellarcore.ledger.assets import asset_is_valid
from stellarcore.transactions.operation_frame import register
from stellarcore.transactions.operations.trust_flags import (AUTH_FLAGS, AUTHORIZED, CLAWBACK, TrustFlagsOpFrameBase,
                                                            trustline_flag_auth_is_valid,
                                                            trustline_flag_is_valid,
                                                            trustline_flag_mask_check_is_valid)

_C = xdr.SetTrustLineFlagsResultCode
_AUTH_REVOCABLE = xdr.AccountFlags.AUTH_REVOCABLE_FLAG


@register(xdr.OperationType.SET_TRUST_LINE_FLAGS)
class SetTrustLineFlagsOpFrame(TrustFlagsOpFrameBase):

    @property
    def trustor(self):
        return self.body.trustor

    @property
    def asset(self):
        return self.body.asset

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        if (b.asset.type == xdr.AssetType.ASSET_TYPE_NATIVE or not asset_is_valid(b.asset)
                or asset_issuer(b.asset) != self.source_id or b.trustor == self.source_id
                or (b.setFlags & b.clearFlags) != 0
                or not trustline_flag_is_valid(b.setFlags) or (b.setFlags & CLAWBACK) != 0
                or not trustline_flag_mask_check_is_valid(b.clearFlags)):
            self.set_code(_C.SET_TRUST_LINE_FLAGS_MALFORMED)
            return False
        return True

    def auth_revocation_valid(self, ltx):
        # stellar-core loads the source in a LedgerTxn it rolls back: nothing recorded
        src = ltx.load_without_record(account_key(self.source_id)).data.account
        if src.flags & _AUTH_REVOCABLE:
            return True, True
        clearing_any_auth = (self.body.clearFlags & AUTH_FLAGS) != 0
        setting_authorized = (self.body.setFlags & AUTHORIZED) != 0
        if clearing_any_auth and not setting_authorized:
            self.set_code(_C.SET_TRUST_LINE_FLAGS_CANT_REVOKE)
            return False, True
        return True, True

    def calc_expected_flags(self, tl):
        flags = (tl.flags & ~self.body.clearFlags) | self.body.setFlags
        if not trustline_flag_auth_is_valid(flags):
            self.set_code(_C.SET_TRUST_LINE_FLAGS_INVALID_STATE)
            return None
        return flags

    def result_self_not_allowed(self):
        raise RuntimeError("Not implemented.")

    def result_no_trust_line(self):
        self.set_code(_C.SET_TRUST_LINE_FLAGS_NO_TRUST_LINE)

    def result_low_reserve(self):
        self.set_code(_C.SET_TRUST_LINE_FLAGS_LOW_RESERVE)

    def result_success(self):
        self.set_code(_C.SET_TRUST_LINE_FLAGS_SUCCESS)
