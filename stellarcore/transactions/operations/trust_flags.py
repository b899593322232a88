"""The apply path AllowTrust and SetTrustLineFlags share (stellar-core
transactions/TrustFlagsOpFrameBase.cpp) and the trustline-flag validity
rules of TransactionUtils.cpp (trustLineFlagIsValid & co).

Why a base class: both operations change the auth flags of someone's
trustline for an asset the source issues, and both must, when the line
drops below "authorized to maintain liabilities", pull the trustor's
offers in that asset and redeem its pool shares into claimable balances
(removeOffersAndPoolShareTrustLines), then emit `set_authorized`. Only the
flag arithmetic and the revocation checks differ; subclasses provide them
with the result setters.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import trustline_key
from stellarcore.transactions.pool_share import RemoveResult, remove_offers_and_pool_share_trustlines
from stellarcore.transactions.operation_frame import OperationFrame, ThresholdLevel

_TLF = xdr.TrustLineFlags
AUTHORIZED = _TLF.AUTHORIZED_FLAG
MAINTAIN = _TLF.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG
CLAWBACK = _TLF.TRUSTLINE_CLAWBACK_ENABLED_FLAG
AUTH_FLAGS = AUTHORIZED | MAINTAIN                 # TRUSTLINE_AUTH_FLAGS
MASK_TRUSTLINE_FLAGS_V17 = AUTH_FLAGS | CLAWBACK
_OC = xdr.OperationResultCode


def trustline_flag_auth_is_valid(flags: int) -> bool:
    """trustLineFlagAuthIsValid: not both auth flags at once."""
    return (flags & AUTH_FLAGS) != AUTH_FLAGS


def trustline_flag_mask_check_is_valid(flags: int) -> bool:
    """trustLineFlagMaskCheckIsValid from protocol 17."""
    return (flags & ~MASK_TRUSTLINE_FLAGS_V17) == 0


def trustline_flag_is_valid(flags: int) -> bool:
    """trustLineFlagIsValid from protocol 13."""
    return trustline_flag_mask_check_is_valid(flags) and trustline_flag_auth_is_valid(flags)


def authorized_to_maintain_liabilities_flags(flags: int) -> bool:
    """isAuthorizedToMaintainLiabilitiesUnsafe."""
    return (flags & AUTH_FLAGS) != 0


class TrustFlagsOpFrameBase(OperationFrame):
    """Subclasses set: trustor, asset (properties) and implement
    auth_revocation_valid, calc_expected_flags,
    revocation_to_maintain_liabilities_valid, set_flag_value and the
    result_* setters."""

    threshold_level = ThresholdLevel.LOW

    # -- subclass hooks -------------------------------------------------------
    def auth_revocation_valid(self, ltx):
        """(ok, auth_revocable)."""
        raise NotImplementedError

    def calc_expected_flags(self, tl):
        """The new flags, or None after setting the failure code."""
        raise NotImplementedError

    def revocation_to_maintain_liabilities_valid(self, auth_revocable: bool, tl, flags: int) -> bool:
        return True

    def set_flag_value(self, ltx, key, flags: int) -> None:
        ltx.load(key).data.trustLine.flags = flags

    # -- TrustFlagsOpFrameBase::doApply ----------------------------------------
    def do_apply(self, ltx, op_meta) -> bool:
        if self.trustor == self.source_id:
            self.result_self_not_allowed()
            return False
        ok, auth_revocable = self.auth_revocation_valid(ltx)
        if not ok:
            return False
        key = trustline_key(self.trustor, self.asset)
        tl_le = ltx.load(key)
        if tl_le is None:
            self.result_no_trust_line()
            return False
        tl = tl_le.data.trustLine
        expected = self.calc_expected_flags(tl)
        if expected is None:
            return False
        if not self.revocation_to_maintain_liabilities_valid(auth_revocable, tl, expected):
            return False
        should_remove_offers = (B.is_authorized_to_maintain_liabilities(tl)
                                and not authorized_to_maintain_liabilities_flags(expected))
        events = op_meta.events
        if should_remove_offers:
            res = remove_offers_and_pool_share_trustlines(ltx, self.trustor, self.asset, self.tx.source_id,
                                                          self.tx.seq_num, self.index, events)
            if res == RemoveResult.LOW_RESERVE:
                self.result_low_reserve()
                return False
            if res == RemoveResult.TOO_MANY_SPONSORING:
                self.set_op_code(_OC.opTOO_MANY_SPONSORING)
                return False
        events.set_authorized(self.asset, self.trustor, (expected & AUTHORIZED) != 0)
        self.set_flag_value(ltx, key, expected)
        self.result_success()
        return True
