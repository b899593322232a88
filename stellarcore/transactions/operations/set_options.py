"""SetOptions (stellar-core transactions/SetOptionsOpFrame.cpp).

Order of doApply matters for the result code: inflation destination
(must exist unless it is the source; read with loadAccountWithoutRecord,
PARITY_TRAPS L7), clear flags, set flags (neither may touch an auth flag
once AUTH_IMMUTABLE is set), clawback-needs-revocable, home domain,
thresholds, then the signer. Signers are kept sorted by key (xdrpp
operator<) with signerSponsoringIDs parallel to them; adding one goes
through createSignerWithPossibleSponsorship in a nested LedgerTxn,
removing one through removeSignerWithPossibleSponsorship. Touching a
threshold or a signer needs the HIGH threshold, anything else MEDIUM.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.ledger.sponsorship import (create_signer_with_possible_sponsorship,
                                            remove_signer_with_possible_sponsorship)
from stellarcore.transactions.operation_frame import OperationFrame, ThresholdLevel, register
from stellarcore.transactions.operations.manage_data import is_string_valid

_S = xdr.SetOptionsResultCode
_AF = xdr.AccountFlags
_SK = xdr.SignerKeyType
ALL_ACCOUNT_AUTH_FLAGS = (_AF.AUTH_REQUIRED_FLAG | _AF.AUTH_REVOCABLE_FLAG | _AF.AUTH_IMMUTABLE_FLAG
                          | _AF.AUTH_CLAWBACK_ENABLED_FLAG)
MASK_ACCOUNT_FLAGS_V17 = xdr.MASK_ACCOUNT_FLAGS_V17
MAX_SIGNERS = xdr.MAX_SIGNERS
UINT8_MAX = 255


def find_signer_by_key(signers, key):
    """findSignerByKey: (index of the first signer not below `key`, found)."""
    for i, s in enumerate(signers):
        if not (s.key < key):
            return i, s.key == key
    return len(signers), False


def account_flag_clawback_is_valid(flags: int) -> bool:
    """accountFlagClawbackIsValid (p17+): clawback needs revocable."""
    return not ((flags & _AF.AUTH_CLAWBACK_ENABLED_FLAG) and not (flags & _AF.AUTH_REVOCABLE_FLAG))


def is_immutable_auth(acc_le) -> bool:
    return (acc_le.data.account.flags & _AF.AUTH_IMMUTABLE_FLAG) != 0


def _set_threshold(acc, index: int, value: int) -> None:
    th = bytearray(acc.thresholds)
    th[index] = value & UINT8_MAX
    acc.thresholds = bytes(th)


@register(xdr.OperationType.SET_OPTIONS)
class SetOptionsOpFrame(OperationFrame):

    def get_threshold_level(self) -> ThresholdLevel:
        b = self.body
        if (b.masterWeight is not None or b.lowThreshold is not None or b.medThreshold is not None
                or b.highThreshold is not None or b.signer is not None):
            return ThresholdLevel.HIGH
        return ThresholdLevel.MEDIUM

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        if ((b.setFlags is not None and b.setFlags & ~MASK_ACCOUNT_FLAGS_V17)
                or (b.clearFlags is not None and b.clearFlags & ~MASK_ACCOUNT_FLAGS_V17)):
            self.set_code(_S.SET_OPTIONS_UNKNOWN_FLAG)
            return False
        if b.setFlags is not None and b.clearFlags is not None and (b.setFlags & b.clearFlags) != 0:
            self.set_code(_S.SET_OPTIONS_BAD_FLAGS)
            return False
        for t in (b.masterWeight, b.lowThreshold, b.medThreshold, b.highThreshold):
            if t is not None and t > UINT8_MAX:
                self.set_code(_S.SET_OPTIONS_THRESHOLD_OUT_OF_RANGE)
                return False
        s = b.signer
        if s is not None:
            is_self = s.key.type == _SK.SIGNER_KEY_TYPE_ED25519 and s.key.ed25519 == self.source_id.ed25519
            if is_self or s.weight > UINT8_MAX:
                self.set_code(_S.SET_OPTIONS_BAD_SIGNER)
                return False
            if (s.key.type == _SK.SIGNER_KEY_TYPE_ED25519_SIGNED_PAYLOAD
                    and len(s.key.ed25519SignedPayload.payload) == 0):
                self.set_code(_S.SET_OPTIONS_BAD_SIGNER)
                return False
        if b.homeDomain is not None and not is_string_valid(b.homeDomain):
            self.set_code(_S.SET_OPTIONS_INVALID_HOME_DOMAIN)
            return False
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        b = self.body
        header = ltx.header
        src = ltx.load(account_key(self.source_id))
        acc = src.data.account
        if b.inflationDest is not None:
            dest = b.inflationDest
            if dest != self.source_id and ltx.load_without_record(account_key(dest)) is None:
                self.set_code(_S.SET_OPTIONS_INVALID_INFLATION)
                return False
            acc.inflationDest = dest
        if b.clearFlags is not None:
            if (b.clearFlags & ALL_ACCOUNT_AUTH_FLAGS) and is_immutable_auth(src):
                self.set_code(_S.SET_OPTIONS_CANT_CHANGE)
                return False
            acc.flags = acc.flags & ~b.clearFlags
        if b.setFlags is not None:
            if (b.setFlags & ALL_ACCOUNT_AUTH_FLAGS) and is_immutable_auth(src):
                self.set_code(_S.SET_OPTIONS_CANT_CHANGE)
                return False
            acc.flags = acc.flags | b.setFlags
        if (b.setFlags is not None or b.clearFlags is not None) and not account_flag_clawback_is_valid(acc.flags):
            self.set_code(_S.SET_OPTIONS_AUTH_REVOCABLE_REQUIRED)
            return False
        if b.homeDomain is not None:
            acc.homeDomain = b.homeDomain
        for index, value in enumerate((b.masterWeight, b.lowThreshold, b.medThreshold, b.highThreshold)):
            if value is not None:
                _set_threshold(acc, index, value)
        if b.signer is not None:
            if b.signer.weight:
                inner = LedgerTxn(ltx)
                try:
                    if not self._add_or_change_signer(inner):
                        return False
                    inner.commit()
                finally:
                    inner.rollback()
            else:
                self._delete_signer(ltx, header, src)
        self.set_code(_S.SET_OPTIONS_SUCCESS)
        return True

    def _add_or_change_signer(self, ltx) -> bool:
        """addOrChangeSigner, in its own LedgerTxn."""
        header = ltx.header
        src = ltx.load(account_key(self.source_id))
        acc = src.data.account
        signer = self.body.signer
        signers = acc.signers
        n, found = find_signer_by_key(signers, signer.key)
        if found:
            signers[n].weight = signer.weight
            return True
        if len(signers) == MAX_SIGNERS:
            self.set_code(_S.SET_OPTIONS_TOO_MANY_SIGNERS)
            return False
        signers.insert(n, signer.copy())
        if B.has_account_ext_v2(acc):
            # a new signer starts unsponsored: its signerSponsoringID is null
            B.account_ext_v2(acc).signerSponsoringIDs.insert(n, None)
        res = create_signer_with_possible_sponsorship(ltx, header, n, src)
        return self.sponsorship_ok(res, _S.SET_OPTIONS_LOW_RESERVE)

    def _delete_signer(self, ltx, header, src) -> None:
        n, found = find_signer_by_key(src.data.account.signers, self.body.signer.key)
        if found:
            remove_signer_with_possible_sponsorship(ltx, header, n, src)
