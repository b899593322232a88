"""AllowTrust (stellar-core transactions/AllowTrustOpFrame.cpp), protocol 16+.

Why it still matters: the deprecated op sets a trustline's auth flags by
asset *code*; the asset is the code issued by the op's source. From
protocol 16 AUTH_REQUIRED no longer gates it and self-trust is MALFORMED.
Revoking needs AUTH_REVOCABLE on the source, and so does downgrading
AUTHORIZED to AUTHORIZED_TO_MAINTAIN_LIABILITIES. The apply path is
TrustFlagsOpFrameBase's.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key
from stellarcore.ledger.assets import asset_is_valid
from stellarcore.transactions.operation_frame import register
from stellarcore.transactions.operations.trust_flags import (AUTH_FLAGS, MAINTAIN, TrustFlagsOpFrameBase,
                                                            trustline_flag_is_valid)

_C = xdr.AllowTrustResultCode
_AT = xdr.AssetType
_AUTH_REVOCABLE = xdr.AccountFlags.AUTH_REVOCABLE_FLAG


def asset_from_code(issuer, code) -> "xdr.Asset":
    """getAsset(issuer, assetCode)."""
    if code.type == _AT.ASSET_TYPE_CREDIT_ALPHANUM4:
        return xdr.Asset(_AT.ASSET_TYPE_CREDIT_ALPHANUM4, xdr.AlphaNum4(assetCode=code.assetCode4, issuer=issuer))
    if code.type == _AT.ASSET_TYPE_CREDIT_ALPHANUM12:
        return xdr.Asset(_AT.ASSET_TYPE_CREDIT_ALPHANUM12,
                         xdr.AlphaNum12(assetCode=code.assetCode12, issuer=issuer))
    raise RuntimeError("Unexpected assetCode type")


@register(xdr.OperationType.ALLOW_TRUST)
class AllowTrustOpFrame(TrustFlagsOpFrameBase):

    @property
    def trustor(self):
        return self.body.trustor

    @property
    def asset(self):
        a = self.__dict__.get("_asset")
        if a is None:
            a = self.__dict__["_asset"] = asset_from_code(self.source_id, self.body.asset)
        return a

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        if (b.asset.type == _AT.ASSET_TYPE_NATIVE or b.authorize > MAINTAIN
                or not trustline_flag_is_valid(b.authorize) or not asset_is_valid(self.asset)
                or b.trustor == self.source_id):
            self.set_code(_C.ALLOW_TRUST_MALFORMED)
            return False
        return True

    def auth_revocation_valid(self, ltx):
        # stellar-core loads the source in a LedgerTxn it rolls back: nothing recorded
        src = ltx.load_without_record(account_key(self.source_id)).data.account
        auth_revocable = (src.flags & _AUTH_REVOCABLE) != 0
        if not auth_revocable and self.body.authorize == 0:
            self.set_code(_C.ALLOW_TRUST_CANT_REVOKE)
            return False, auth_revocable
        return True, auth_revocable

    def calc_expected_flags(self, tl):
        return (tl.flags & ~AUTH_FLAGS) | self.body.authorize

    def revocation_to_maintain_liabilities_valid(self, auth_revocable, tl, flags) -> bool:
        if not auth_revocable and B.is_authorized(tl) and (flags & MAINTAIN):
            self.set_code(_C.ALLOW_TRUST_CANT_REVOKE)
            return False
        return True

    def set_flag_value(self, ltx, key, flags) -> None:
        authorize = self.body.authorize
        if not trustline_flag_is_valid(authorize):
            raise RuntimeError("trying to set invalid trust line flag")
        if authorize & ~AUTH_FLAGS:
            raise RuntimeError("AllowTrustOp can only modify authorization flags")
        ltx.load(key).data.trustLine.flags = flags

    def result_self_not_allowed(self):
        self.set_code(_C.ALLOW_TRUST_SELF_NOT_ALLOWED)

    def result_no_trust_line(self):
        self.set_code(_C.ALLOW_TRUST_NO_TRUST_LINE)

    def result_low_reserve(self):
        self.set_code(_C.ALLOW_TRUST_LOW_RESERVE)

    def result_success(self):
        self.set_code(_C.ALLOW_TRUST_SUCCESS)
