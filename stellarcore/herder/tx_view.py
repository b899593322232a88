"""One transaction as the herder sees it: the envelope, its frame and the
facts tx sets, surge pricing and the queue compare it by.

Why a separate view: the tx-set rules (stellar-core's TransactionFrameBase
accessors getFullHash, getInclusionFee, getNumOperations, getResources,
hasDexOperations, getSourceID, getSeqNum) are read many times while
sorting and pricing, so they are computed once here; the frame that
validates and applies the transaction is built alongside.
"""
from __future__ import annotations

from typing import Optional

from stellarcore import xdr
from stellarcore.soroban.parallel_phase import PhaseTx
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.transactions.frame import FeeBumpTransactionFrame, make_transaction_frame
from stellarcore.transactions.results import FeeBumpTxResult
from stellarcore.transactions.signature_checker import SignatureChecker

_ET = xdr.EnvelopeType
_TC = xdr.TransactionResultCode


class TxView:
    """An envelope with its frame (`.frame`) and its PhaseTx (`.phase_tx`)."""

    __slots__ = ("envelope", "frame", "phase_tx", "full_hash", "is_soroban", "num_operations",
                 "full_fee", "inclusion_fee", "source_id", "fee_source_id", "seq_num",
                 "has_dex_operations", "size", "is_fee_bump", "inner_full_hash", "_soroban_res")

    def __init__(self, network_id: bytes, envelope_or_frame, phase_tx: Optional[PhaseTx] = None):
        if hasattr(envelope_or_frame, "envelope") and hasattr(envelope_or_frame, "network_id"):
            frame = envelope_or_frame
        else:
            frame = make_transaction_frame(network_id, envelope_or_frame)
        self.frame = frame
        self.envelope = frame.envelope
        pt = phase_tx if phase_tx is not None else PhaseTx(self.envelope)
        self.phase_tx = pt
        self.full_hash = pt.full_hash
        self.is_soroban = pt.is_soroban
        self.num_operations = pt.num_operations
        self.full_fee = pt.full_fee
        self.inclusion_fee = pt.inclusion_fee
        self.source_id = pt.source_id
        self.fee_source_id = bytes(frame.fee_source_id.ed25519)
        self.seq_num = frame.seq_num
        self.size = pt.size
        self.is_fee_bump = isinstance(frame, FeeBumpTransactionFrame)
        inner = frame.inner if self.is_fee_bump else frame
        self.inner_full_hash = inner.full_hash if self.is_fee_bump else self.full_hash
        self.has_dex_operations = any(op.is_dex_operation for op in inner.op_frames)
        self._soroban_res = {}

    def xdr_provides_valid_fee(self) -> bool:
        return self.phase_tx.xdr_provides_valid_fee()

    def resources(self, use_byte_limit_in_classic: bool, ledger_version: int) -> tuple:
        """getResources: the 7 Soroban dimensions, or (ops, bytes) / (ops,)
        for classic. A fee bump counts its inner size and its own op count."""
        if self.is_soroban:
            r = self._soroban_res.get(ledger_version)
            if r is None:
                r = self._soroban_res[ledger_version] = self.phase_tx.resource_vector(ledger_version)
            return r
        if use_byte_limit_in_classic:
            return (self.num_operations, self.size)
        return (self.num_operations,)

    def __repr__(self):
        return f"TxView({self.full_hash.hex()[:12]})"


def as_view(network_id: bytes, tx) -> TxView:
    return tx if isinstance(tx, TxView) else TxView(network_id, tx)


def account_id_bytes(account_id) -> bytes:
    """32 bytes of an xdr.PublicKey / AccountID (or the bytes themselves)."""
    if isinstance(account_id, (bytes, bytearray)):
        return bytes(account_id)
    return bytes(account_id.ed25519)


# ---------------------------------------------------------------------------
# checkValid against the last closed ledger


class ValidationSnapshot:
    """A read-only view of the last closed ledger whose header says
    ledgerSeq = LCL + 1, so minSeqLedgerGap and ledger bounds are judged
    against the ledger the transactions would be applied in (stellar-core's
    LedgerSnapshot with `currentToModify().ledgerSeq = lcl + 1`).
    A context manager; nothing is ever committed."""

    def __init__(self, parent, next_ledger_seq: Optional[int] = None):
        self._parent = parent
        self._next = next_ledger_seq
        self.ltx = None

    def __enter__(self):
        self.ltx = LedgerTxn(self._parent)
        if self._next is not None:
            self.ltx.header.ledgerSeq = self._next
        return self.ltx

    def __exit__(self, *exc):
        self.ltx.rollback()
        return False


def check_tx_valid(view: TxView, ltx, lower_offset: int = 0, upper_offset: int = 0,
                   soroban_config=None):
    """TransactionFrameBase::checkValid (current seq taken from the account);
    the mutable result. A Soroban transaction needs `soroban_config`."""
    frame = view.frame
    if not view.is_fee_bump:
        return frame.check_valid(ltx, 0, lower_offset, upper_offset, soroban_config=soroban_config)
    if not view.is_soroban:
        return frame.check_valid(ltx, 0, lower_offset, upper_offset)
    return _check_valid_soroban_fee_bump(frame, ltx, lower_offset, upper_offset, soroban_config)


def _check_valid_soroban_fee_bump(frame, ltx, lower_offset, upper_offset, soroban_config):
    """FeeBumpTransactionFrame::checkValid for a Soroban inner transaction:
    the same steps as `FeeBumpTransactionFrame.check_valid`, with the network
    configuration handed to the inner transaction's checks (the frame's own
    method does not take it)."""
    header = ltx.get_header()
    inner = frame.inner
    if frame.fee < 0 or not inner.xdr_provides_valid_fee():
        result = FeeBumpTxResult(inner.contents_hash, inner.op_types(), 0, 0)
        result.set_error(_TC.txMALFORMED)
        return result
    result = FeeBumpTxResult(inner.contents_hash, inner.op_types(),
                             frame.get_fee(header, header.baseFee, False), 0)
    checker = SignatureChecker(frame.contents_hash, frame.signatures)
    if not frame.common_valid(checker, ltx, False, result):
        return result
    if not checker.check_all_signatures_used():
        result.set_error(_TC.txBAD_AUTH_EXTRA)
        return result
    inner.check_valid_with_optionally_charged_fee(ltx, 0, False, result, lower_offset, upper_offset,
                                                  soroban_config)
    return result
