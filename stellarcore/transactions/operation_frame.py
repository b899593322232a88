"""The operation base class (stellar-core transactions/OperationFrame.cpp).

Why a base class: every operation shares the same apply skeleton -
`check_valid` (supported? source exists / signatures, then the op's own
`do_check_valid`), then `do_apply` - and the same result plumbing. A
subclass registers itself for its OperationType and fills in:

  threshold_level        LOW / MEDIUM / HIGH (or override get_threshold_level)
  do_check_valid(ledger_version) -> bool   static checks, set the code
  do_apply(ltx, op_meta) -> bool           state changes, set the code
  is_op_supported(header) -> bool          default True

Results: `self.result` is this op's xdr.OperationResult, read from its slot
in the transaction result's list (`bind_result`); `set_code(code)` sets the inner result's code (void
arm), `set_inner(value)` replaces the inner result union, `set_op_code`
sets an outer code like opNO_ACCOUNT / opTOO_MANY_SUBENTRIES.
"""
from __future__ import annotations

import enum
from functools import lru_cache

from stellarcore import xdr
from stellarcore.ledger.keys import account_key

_OC = xdr.OperationResultCode
_KEY_ED25519 = xdr.CryptoKeyType.KEY_TYPE_ED25519


class ThresholdLevel(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3


OPERATION_FRAMES: dict = {}


def register(op_type):
    """Class decorator: the frame class applying `op_type`."""
    def deco(cls):
        OPERATION_FRAMES[op_type] = cls
        cls.op_type = op_type
        return cls
    return deco


def muxed_to_account_id(m) -> "xdr.PublicKey":
    """toAccountID: drop the multiplexing id."""
    if m.type == _KEY_ED25519:
        return xdr.PublicKey(ed25519=m.ed25519)
    return xdr.PublicKey(ed25519=m.med25519.ed25519)


@lru_cache(maxsize=None)
def _result_arm(op_type) -> str:
    return xdr.OperationResultTr(op_type).xdr_arm()


@lru_cache(maxsize=None)
def _result_class(op_type):
    """The inner result union class of an operation type (PaymentResult...)."""
    return type(xdr.OperationResultTr(op_type).xdr_value())


class OperationFrame:
    """One operation of a transaction; subclasses implement the op."""

    threshold_level = ThresholdLevel.MEDIUM
    op_type = None
    is_soroban = False
    is_dex_operation = False

    def __init__(self, op: "xdr.Operation", tx, index: int):
        self.op = op
        self.body = op.body.xdr_value()
        self.tx = tx
        self.index = index
        if op.sourceAccount is not None:
            self.source_account = op.sourceAccount
            self.source_id = muxed_to_account_id(op.sourceAccount)
        else:
            self.source_account = tx.source_account
            self.source_id = tx.source_id
        self._results = None  # the transaction result's op-result list

    # -- results ------------------------------------------------------------
    def bind_result(self, op_results: list) -> None:
        self._results = op_results

    @property
    def result(self) -> "xdr.OperationResult":
        return self._results[self.index]

    def inner_result(self):
        tr = self.result.tr
        return getattr(tr, _result_arm(tr.type))

    def set_inner(self, value) -> None:
        """Replace the inner result union (e.g. a PaymentResult)."""
        self._results[self.index] = xdr.OperationResult(
            _OC.opINNER, xdr.OperationResultTr(self.op.body.type, value))

    def set_code(self, code) -> None:
        """Set the inner result's code; arms with a value get their zero value."""
        self.set_inner(_result_class(self.op.body.type)(code))

    def set_op_code(self, code) -> None:
        """An outer result code (opBAD_AUTH, opNO_ACCOUNT, opNOT_SUPPORTED,
        opTOO_MANY_SUBENTRIES, ...): the result has no inner part."""
        self._results[self.index] = xdr.OperationResult(code)

    def sponsorship_ok(self, res, low_reserve_code) -> bool:
        """Map a SponsorshipResult of creating an entry or signer to this
        op's result, as the ops creating sub-entries do: LOW_RESERVE is the
        op's own code, too many sub-entries / sponsoring are outer codes."""
        from stellarcore.ledger.sponsorship import SponsorshipResult as SR
        if res == SR.SUCCESS:
            return True
        if res == SR.LOW_RESERVE:
            self.set_code(low_reserve_code)
        elif res == SR.TOO_MANY_SUBENTRIES:
            self.set_op_code(_OC.opTOO_MANY_SUBENTRIES)
        elif res == SR.TOO_MANY_SPONSORING:
            self.set_op_code(_OC.opTOO_MANY_SPONSORING)
        else:
            raise RuntimeError("Unexpected result from createEntryWithPossibleSponsorship")
        return False

    # -- what subclasses provide ---------------------------------------------
    def get_threshold_level(self) -> ThresholdLevel:
        return self.threshold_level

    def is_op_supported(self, header) -> bool:
        return True

    def do_check_valid(self, ledger_version: int) -> bool:
        raise NotImplementedError

    def do_apply(self, ltx, op_meta) -> bool:
        raise NotImplementedError

    def do_check_valid_for_soroban(self, config, ledger_version: int, diagnostics) -> bool:
        raise NotImplementedError

    # -- shared machinery ----------------------------------------------------
    def load_source_account(self, ltx):
        return ltx.load(account_key(self.source_id))

    def check_signature(self, checker, ltx, for_apply: bool) -> bool:
        """OperationFrame::checkSignature against the op source's signers."""
        acc_le = ltx.load_without_record(account_key(self.source_id))
        if acc_le is not None:
            acc = acc_le.data.account
            needed = acc.thresholds[self.get_threshold_level()]
            if not self.tx.check_signature(checker, acc, needed):
                self.set_op_code(_OC.opBAD_AUTH)
                return False
            return True
        if for_apply or self.op.sourceAccount is None:
            self.set_op_code(_OC.opNO_ACCOUNT)
            return False
        if not self.tx.check_signature_no_account(checker, self.source_id):
            self.set_op_code(_OC.opBAD_AUTH)
            return False
        return True

    def check_valid(self, checker, ltx, for_apply: bool, soroban_config=None, diagnostics=None) -> bool:
        """OperationFrame::checkValid (protocol 23+); Soroban operations
        check against the network configuration."""
        header = ltx.get_header()
        if not self.is_op_supported(header):
            self.set_op_code(_OC.opNOT_SUPPORTED)
            return False
        if not for_apply:
            if not self.check_signature(checker, ltx, for_apply):
                return False
        elif ltx.load_without_record(account_key(self.source_id)) is None:
            self.set_op_code(_OC.opNO_ACCOUNT)
            return False
        if self.is_soroban:
            return self.do_check_valid_for_soroban(soroban_config, header.ledgerVersion, diagnostics)
        return self.do_check_valid(header.ledgerVersion)

    def apply(self, checker, ltx, op_meta) -> bool:
        """OperationFrame::apply for classic operations."""
        if not self.check_valid(checker, ltx, True):
            return False
        return self.do_apply(ltx, op_meta)
