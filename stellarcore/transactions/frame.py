"""Transaction frames: validity and application of v0/v1 envelopes and fee
bumps (stellar-core transactions/TransactionFrame.cpp,
FeeBumpTransactionFrame.cpp), protocol 23 and later.

Why this order of steps: it is observable. When applying, stellar-core
runs `commonValid` (account-independent checks, then the sequence number,
then min-seq age/gap, then transaction-level signatures, then the
balance), bumps the sequence number if the transaction got past the
sequence check - even when it fails later - removes used one-time
(pre-auth) signers, checks every operation's signatures and that every
signature was used, and only then applies the operations, each in its own
nested LedgerTxn (PARITY_TRAPS T1). Every failed check maps to one result
code; which one is reported follows this order.

Soroban transactions share this frame: their resource checks and fees
are in soroban_tx.py, called where stellar-core calls them; from
protocol 23 they are applied by the parallel phase (parallel_apply.py)
through `pre_parallel_apply` and `parallel_apply` below.
"""
from __future__ import annotations

import enum

from stellarcore import xdr
from stellarcore.crypto import txhash
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.ledger import sponsorship as S
from stellarcore.transactions.operation_frame import OPERATION_FRAMES, OperationFrame, muxed_to_account_id
from stellarcore.transactions.results import FeeBumpTxResult, TxResult
from stellarcore.transactions.signature_checker import SignatureChecker
from stellarcore.transactions.events import STAGE_AFTER_ALL_TXS
from stellarcore.transactions import soroban_tx as ST

_TC = xdr.TransactionResultCode
_ET = xdr.EnvelopeType
_PT = xdr.PreconditionType
_SK = xdr.SignerKeyType
INT64_MAX = (1 << 63) - 1
MAX_RESOURCE_FEE = 1 << 50
_SOROBAN_OPS = (xdr.OperationType.INVOKE_HOST_FUNCTION, xdr.OperationType.EXTEND_FOOTPRINT_TTL,
                xdr.OperationType.RESTORE_FOOTPRINT)


class Validity(enum.IntEnum):
    """TransactionFrame::ValidationType, ordered."""
    INVALID = 0
    INVALID_UPDATE_SEQ_NUM = 1
    INVALID_POST_AUTH = 2
    MAYBE_VALID = 3


def signer_key_of_account(account_id) -> "xdr.SignerKey":
    return xdr.SignerKey(_SK.SIGNER_KEY_TYPE_ED25519, account_id.ed25519)


def find_signer(signers, key) -> int:
    """Index of the signer with `key`, or -1 (findSignerByKey)."""
    for i, s in enumerate(signers):
        if s.key == key:
            return i
    return -1


def remove_account_signer(ltx_outer, account_id, signer_key) -> None:
    """TransactionFrame::removeAccountSigner: commits only if found."""
    ltx = LedgerTxn(ltx_outer)
    try:
        acc = ltx.load(account_key(account_id))
        if acc is None:
            return
        n = find_signer(acc.data.account.signers, signer_key)
        if n >= 0:
            S.remove_signer_with_possible_sponsorship(ltx, ltx.header, n, acc)
            ltx.commit()
    finally:
        ltx.rollback()


class _EnvelopeFrame:
    """What a v0/v1 frame and a fee-bump frame compute the same way:
    their hashes and their fees (`fee`, `num_operations` and
    `soroban_resource_fee()` differ)."""

    _contents_hash = None
    _full_hash = None

    @property
    def contents_hash(self) -> bytes:
        h = self._contents_hash
        if h is None:
            h = self._contents_hash = txhash.contents_hash(self.envelope, self.network_id)
        return h

    @property
    def full_hash(self) -> bytes:
        h = self._full_hash
        if h is None:
            h = self._full_hash = txhash.full_hash(self.envelope)
        return h

    @property
    def full_fee(self) -> int:
        return self.fee

    @property
    def inclusion_fee(self) -> int:
        return self.fee - self.soroban_resource_fee()

    def get_fee(self, header, base_fee, applying: bool) -> int:
        """getFee: what the fee pass charges (the bid when no base fee)."""
        if base_fee is None:
            return self.fee
        adjusted = base_fee * max(1, self.num_operations)
        if applying:
            return self.soroban_resource_fee() + min(self.inclusion_fee, adjusted)
        return self.soroban_resource_fee() + adjusted

    def min_inclusion_fee(self, header, base_fee=None) -> int:
        eff = header.baseFee if base_fee is None else max(header.baseFee, base_fee)
        return eff * max(1, self.num_operations)

    def charge_fee(self, ltx, base_fee) -> int:
        """Take the fee (capped at the balance) from the fee source into the
        fee pool; returns what was charged."""
        header = ltx.header
        src = ltx.load(account_key(self.fee_source_id))
        if src is None:
            raise RuntimeError("Unexpected database state")
        acc = src.data.account
        fee = self.get_fee(header, base_fee, True)
        if fee > 0:
            fee = min(acc.balance, fee)
            acc.balance -= fee
            header.feePool += fee
        return fee


class TransactionFrame(_EnvelopeFrame):
    """A v0 or v1 transaction envelope and everything done with it."""

    def __init__(self, network_id: bytes, envelope: "xdr.TransactionEnvelope"):
        self.network_id = network_id
        self.envelope = envelope
        t = envelope.type
        if t == _ET.ENVELOPE_TYPE_TX_V0:
            v0 = envelope.v0
            self.tx = v0.tx
            self.signatures = v0.signatures
            self.source_account = xdr.MuxedAccount(ed25519=v0.tx.sourceAccountEd25519)
            self.fee = v0.tx.fee
            self.seq_num = v0.tx.seqNum
            self.memo = v0.tx.memo
            self.cond = (xdr.Preconditions(_PT.PRECOND_TIME, v0.tx.timeBounds)
                         if v0.tx.timeBounds is not None else xdr.Preconditions(_PT.PRECOND_NONE))
        elif t == _ET.ENVELOPE_TYPE_TX:
            v1 = envelope.v1
            self.tx = v1.tx
            self.signatures = v1.signatures
            self.source_account = v1.tx.sourceAccount
            self.fee = v1.tx.fee
            self.seq_num = v1.tx.seqNum
            self.memo = v1.tx.memo
            self.cond = v1.tx.cond
        else:
            raise ValueError("not a v0/v1 transaction envelope")
        self.source_id = muxed_to_account_id(self.source_account)
        self.operations = self.tx.operations
        ops = self.operations
        self.is_soroban = len(ops) > 0 and ops[0].body.type in _SOROBAN_OPS
        self.op_frames = [self._make_op(op, i) for i, op in enumerate(self.operations)]

    def _make_op(self, op, i):
        cls = OPERATION_FRAMES.get(op.body.type)
        if cls is None:
            frame = OperationFrame(op, self, i)
            frame.is_soroban = op.body.type in _SOROBAN_OPS
            return frame
        return cls(op, self, i)

    # -- identity -----------------------------------------------------------
    @property
    def fee_source_id(self):
        return self.source_id

    @property
    def num_operations(self) -> int:
        return len(self.operations)

    def op_types(self):
        """The result arm of each operation: the op its frame applies
        (a CreatePassiveSellOffer runs as, and reports, a MANAGE_SELL_OFFER;
        stellar-core initializeOperationResults uses opFrame->getOperation())."""
        return [f.op.body.type for f in self.op_frames]

    # -- fees ---------------------------------------------------------------
    def declared_soroban_resource_fee(self) -> int:
        if self.envelope.type == _ET.ENVELOPE_TYPE_TX and self.tx.ext.v == 1:
            return self.tx.ext.sorobanData.resourceFee
        return 0

    def soroban_resource_fee(self) -> int:
        return self.declared_soroban_resource_fee() if self.is_soroban else 0

    _size = None

    @property
    def size(self) -> int:
        """XDR size of the envelope (getSize; for a fee bump's inner
        transaction, its own v1 envelope)."""
        n = self._size
        if n is None:
            n = self._size = len(self.envelope.to_xdr())
        return n

    @property
    def is_restore_footprint_tx(self) -> bool:
        return self.is_soroban and self.operations[0].body.type == xdr.OperationType.RESTORE_FOOTPRINT

    def soroban_resources(self):
        return self.tx.ext.sorobanData.resources

    def soroban_resource_fee_for(self, ledger_version: int, config, events_size: int = 0):
        """computeSorobanResourceFee of the declared resources: (non-refundable,
        refundable) with `events_size` bytes of events."""
        data = self.tx.ext.sorobanData
        return ST.compute_soroban_resource_fee(ledger_version, data.resources, self.size, events_size,
                                               config, data.ext, self.is_restore_footprint_tx)

    def xdr_provides_valid_fee(self) -> bool:
        """XDRProvidesValidFee."""
        if not self.is_soroban:
            return True
        if self.envelope.type != _ET.ENVELOPE_TYPE_TX or self.tx.ext.v != 1:
            return False
        fee = self.declared_soroban_resource_fee()
        return 0 <= fee <= MAX_RESOURCE_FEE

    # -- preconditions -------------------------------------------------------
    def time_bounds(self):
        c = self.cond
        if c.type == _PT.PRECOND_TIME:
            return c.timeBounds
        if c.type == _PT.PRECOND_V2:
            return c.v2.timeBounds
        return None

    def _v2(self):
        c = self.cond
        return c.v2 if c.type == _PT.PRECOND_V2 else None

    def ledger_bounds(self):
        v2 = self._v2()
        return v2.ledgerBounds if v2 is not None else None

    def min_seq_num(self):
        v2 = self._v2()
        return v2.minSeqNum if v2 is not None else None

    def min_seq_age(self) -> int:
        v2 = self._v2()
        return v2.minSeqAge if v2 is not None else 0

    def min_seq_ledger_gap(self) -> int:
        v2 = self._v2()
        return v2.minSeqLedgerGap if v2 is not None else 0

    def extra_signers(self):
        v2 = self._v2()
        return v2.extraSigners if v2 is not None else []

    def is_too_early(self, header, lower_offset: int = 0) -> bool:
        tb = self.time_bounds()
        if tb is not None and tb.minTime and tb.minTime > header.scpValue.closeTime + lower_offset:
            return True
        lb = self.ledger_bounds()
        return lb is not None and lb.minLedger > header.ledgerSeq

    def is_too_late(self, header, upper_offset: int = 0) -> bool:
        tb = self.time_bounds()
        if tb is not None and tb.maxTime and tb.maxTime < header.scpValue.closeTime + upper_offset:
            return True
        lb = self.ledger_bounds()
        return lb is not None and lb.maxLedger != 0 and lb.maxLedger <= header.ledgerSeq

    def is_too_early_for_account(self, header, acc, lower_offset: int = 0) -> bool:
        if B.has_account_ext_v3(acc):
            v3 = acc.ext.v1.ext.v2.ext.v3
            seq_time, seq_ledger = v3.seqTime, v3.seqLedger
        else:
            seq_time = seq_ledger = 0
        age = self.min_seq_age()
        lower = header.scpValue.closeTime + lower_offset
        if age > lower or lower - age < seq_time:
            return True
        gap = self.min_seq_ledger_gap()
        seq = header.ledgerSeq
        return gap > seq or seq - gap < seq_ledger

    def is_bad_seq(self, header, current: int) -> bool:
        if self.seq_num == B.starting_sequence_number(header.ledgerSeq):
            return True
        msn = self.min_seq_num()
        if msn is not None:
            return current < msn or current >= self.seq_num
        return current == INT64_MAX or current + 1 != self.seq_num

    # -- signatures ----------------------------------------------------------
    def check_signature(self, checker, acc, needed_weight: int) -> bool:
        """Signers of an AccountEntry: master key (if weight > 0) first."""
        signers = []
        mw = acc.thresholds[0]
        if mw:
            signers.append((signer_key_of_account(acc.accountID), mw))
        for s in acc.signers:
            signers.append((s.key, s.weight))
        return checker.check_signature(signers, needed_weight)

    def check_signature_no_account(self, checker, account_id) -> bool:
        return checker.check_signature([(signer_key_of_account(account_id), 1)], 0)

    def check_extra_signers(self, checker) -> bool:
        extra = self.extra_signers()
        if not extra:
            return True
        return checker.check_signature([(k, 1) for k in extra], len(extra))

    def check_all_transaction_signatures(self, checker, acc) -> bool:
        if not self.check_signature(checker, acc, acc.thresholds[1]):
            return False
        return self.check_extra_signers(checker)

    def check_operation_signatures(self, checker, ltx) -> bool:
        ok = True
        for op in self.op_frames:
            if not op.check_signature(checker, ltx, False):
                ok = False
        return ok

    # -- validity --------------------------------------------------------------
    def common_valid_pre_seq_num(self, ltx, charge_fee: bool, result, lower_offset=0, upper_offset=0,
                                 soroban_config=None, fee_pair=None, diagnostics=None):
        """Account-independent checks; returns the source AccountEntry or None."""
        header = ltx.get_header()
        if self.envelope.type == _ET.ENVELOPE_TYPE_TX_V0:
            result.set_innermost_error(_TC.txNOT_SUPPORTED)
            return None
        extra = self.extra_signers()
        if extra:
            if len(extra) == 2 and extra[0] == extra[1]:
                result.set_innermost_error(_TC.txMALFORMED)
                return None
            for k in extra:
                if k.type == _SK.SIGNER_KEY_TYPE_ED25519_SIGNED_PAYLOAD and not k.ed25519SignedPayload.payload:
                    result.set_innermost_error(_TC.txMALFORMED)
                    return None
        if self.num_operations == 0:
            result.set_innermost_error(_TC.txMISSING_OPERATION)
            return None
        if not self._soroban_ops_consistent():
            result.set_innermost_error(_TC.txMALFORMED)
            return None
        if self.is_soroban:
            if soroban_config is None:
                raise RuntimeError("a Soroban transaction needs the Soroban network configuration")
            if not ST.check_valid_soroban_pre_seq(self, soroban_config, header.ledgerVersion, charge_fee,
                                                  fee_pair, diagnostics or ST.DiagnosticEventManager()):
                result.set_innermost_error(_TC.txSOROBAN_INVALID)
                return None
        elif self.tx.ext.v != 0:
            result.set_innermost_error(_TC.txMALFORMED)
            return None
        if self.is_too_early(header, lower_offset):
            result.set_innermost_error(_TC.txTOO_EARLY)
            return None
        if self.is_too_late(header, upper_offset):
            result.set_innermost_error(_TC.txTOO_LATE)
            return None
        if charge_fee and self.inclusion_fee < self.min_inclusion_fee(header):
            result.set_innermost_error(_TC.txINSUFFICIENT_FEE)
            return None
        src = ltx.load_without_record(account_key(self.source_id))
        if src is None:
            result.set_innermost_error(_TC.txNO_ACCOUNT)
            return None
        return src

    def _soroban_ops_consistent(self) -> bool:
        """validateSorobanOpsConsistency: a Soroban op must be alone."""
        n_soroban = sum(1 for op in self.operations if op.body.type in _SOROBAN_OPS)
        return n_soroban == 0 or (n_soroban == 1 and self.num_operations == 1)

    def common_valid(self, checker, ltx, current: int, applying: bool, charge_fee: bool, result,
                     lower_offset=0, upper_offset=0, soroban_config=None, fee_pair=None,
                     diagnostics=None) -> Validity:
        src_le = self.common_valid_pre_seq_num(ltx, charge_fee, result, lower_offset, upper_offset,
                                               soroban_config, fee_pair, diagnostics)
        if src_le is None:
            return Validity.INVALID
        header = ltx.get_header()
        acc = src_le.data.account
        if current == 0:
            current = acc.seqNum
        if self.is_bad_seq(header, current):
            result.set_innermost_error(_TC.txBAD_SEQ)
            return Validity.INVALID
        if self.is_too_early_for_account(header, acc, lower_offset):
            result.set_innermost_error(_TC.txBAD_MIN_SEQ_AGE_OR_GAP)
            return Validity.INVALID_UPDATE_SEQ_NUM
        if not self.check_all_transaction_signatures(checker, acc):
            result.set_innermost_error(_TC.txBAD_AUTH)
            return Validity.INVALID_UPDATE_SEQ_NUM
        fee_to_pay = 0 if applying else (self.fee & 0xFFFFFFFF)
        if charge_fee and B.available_balance(header, src_le) < fee_to_pay:
            result.set_innermost_error(_TC.txINSUFFICIENT_BALANCE)
            return Validity.INVALID_POST_AUTH
        return Validity.MAYBE_VALID

    def check_valid_with_optionally_charged_fee(self, ltx, current: int, charge_fee: bool, result,
                                                lower_offset=0, upper_offset=0, soroban_config=None,
                                                diagnostics=None) -> None:
        checker = SignatureChecker(self.contents_hash, self.signatures)
        fee_pair = None
        if self.is_soroban and soroban_config is not None:
            fee_pair = self.soroban_resource_fee_for(ltx.get_header().ledgerVersion, soroban_config)
        diagnostics = diagnostics or ST.DiagnosticEventManager()
        if self.common_valid(checker, ltx, current, False, charge_fee, result, lower_offset, upper_offset,
                             soroban_config, fee_pair, diagnostics) != Validity.MAYBE_VALID:
            return
        for op in self.op_frames:
            op.bind_result(result.op_results)
            if not op.check_valid(checker, ltx, False, soroban_config, diagnostics):
                result.set_innermost_error(_TC.txFAILED)
                return
        if not checker.check_all_signatures_used():
            result.set_innermost_error(_TC.txBAD_AUTH_EXTRA)

    def check_valid(self, ltx, current: int = 0, lower_offset: int = 0, upper_offset: int = 0,
                    soroban_config=None, diagnostics=None) -> TxResult:
        """TransactionFrame::checkValid: would this transaction be accepted
        now (queue admission, tx-set validation)? Read-only on `ltx`.
        Soroban transactions need the (last closed) network configuration."""
        if not self.xdr_provides_valid_fee():
            return TxResult.error(_TC.txMALFORMED)
        header = ltx.get_header()
        result = TxResult(self.op_types(), self.get_fee(header, header.baseFee, False))
        self.check_valid_with_optionally_charged_fee(ltx, current, True, result, lower_offset, upper_offset,
                                                     soroban_config, diagnostics)
        return result

    # -- fee pass ---------------------------------------------------------------
    def process_fee_seq_num(self, ltx, base_fee) -> TxResult:
        """Charge the fee (capped at the balance) into the fee pool."""
        return TxResult(self.op_types(), self.charge_fee(ltx, base_fee))

    # -- apply ------------------------------------------------------------------
    def process_seq_num(self, ltx) -> None:
        header = ltx.header
        src = ltx.load(account_key(self.source_id))
        acc = src.data.account
        if acc.seqNum > self.seq_num:
            raise RuntimeError("unexpected sequence number")
        acc.seqNum = self.seq_num
        B.update_account_on_seq_update(header, acc)

    def remove_one_time_signer_from_all_source_accounts(self, ltx) -> None:
        accounts = [self.source_id]
        for op in self.op_frames:
            if op.source_id not in accounts:
                accounts.append(op.source_id)
        key = xdr.SignerKey(_SK.SIGNER_KEY_TYPE_PRE_AUTH_TX, self.contents_hash)
        for account_id in accounts:
            remove_account_signer(ltx, account_id, key)

    def process_signatures(self, cv: Validity, checker, ltx, result) -> bool:
        maybe_valid = cv == Validity.MAYBE_VALID
        if not maybe_valid:
            self.remove_one_time_signer_from_all_source_accounts(ltx)
            return False
        all_ops_valid = True
        if result.innermost_code in (_TC.txSUCCESS, _TC.txFAILED):
            for op in self.op_frames:
                op.bind_result(result.op_results)
            all_ops_valid = self.check_operation_signatures(checker, ltx)
        self.remove_one_time_signer_from_all_source_accounts(ltx)
        if not all_ops_valid:
            result.set_innermost_error(_TC.txFAILED)
            return False
        if not checker.check_all_signatures_used():
            result.set_innermost_error(_TC.txBAD_AUTH_EXTRA)
            return False
        return True

    def common_pre_apply(self, charge_fee: bool, ltx, meta, result, soroban_config=None):
        """Validation, sequence bump, one-time signers: txChangesBefore.
        A Soroban transaction's refundable-fee tracker starts here, before
        validation, so a transaction failing it still gets its refund
        (PARITY_TRAPS S3)."""
        checker = SignatureChecker(self.contents_hash, self.signatures)
        fee_pair = None
        if self.is_soroban:
            fee_pair = self.soroban_resource_fee_for(ltx.get_header().ledgerVersion, soroban_config)
            meta.set_non_refundable_resource_fee(fee_pair[0])
            result.refundable_fee_tracker = ST.RefundableFeeTracker(
                self.declared_soroban_resource_fee() - fee_pair[0])
        ltx_tx = LedgerTxn(ltx)
        try:
            cv = self.common_valid(checker, ltx_tx, 0, True, charge_fee, result, 0, 0,
                                   soroban_config, fee_pair, meta.diagnostics)
            if cv >= Validity.INVALID_UPDATE_SEQ_NUM:
                self.process_seq_num(ltx_tx)
            ok = self.process_signatures(cv, checker, ltx_tx, result)
            meta.push_changes_before(ltx_tx)
            ltx_tx.commit()
        finally:
            ltx_tx.rollback()
        return checker if ok and cv == Validity.MAYBE_VALID else None

    def apply_operations(self, checker, ltx, meta, result, op_apply_hook=None) -> bool:
        """Each operation in its own nested LedgerTxn; any failure fails all."""
        ltx_tx = LedgerTxn(ltx)
        try:
            success = True
            ops = self.op_frames
            for i, op in enumerate(ops):
                op.bind_result(result.op_results)
                op_meta = meta.op_metas[i]
                ltx_op = LedgerTxn(ltx_tx)
                try:
                    ok = op.apply(checker, ltx_op, op_meta)
                    if not ok:
                        success = False
                    if success:
                        if op_apply_hook is not None:
                            op_apply_hook(op, ltx_op, op_meta)
                        if meta.enabled:
                            op_meta.set_ledger_changes(ltx_op)
                    if ok:
                        ltx_op.commit()
                finally:
                    ltx_op.rollback()
            if success:
                if ltx_tx.has_sponsorship_entry():
                    result.set_innermost_error(_TC.txBAD_SPONSORSHIP)
                    return False
                ltx_tx.commit()
            else:
                result.set_innermost_error(_TC.txFAILED)
            return success
        finally:
            ltx_tx.rollback()

    def apply(self, ltx, meta, result, charge_fee: bool = True, op_apply_hook=None) -> bool:
        """TransactionFrame::apply (classic): True if every operation succeeded."""
        if self.is_soroban:
            raise RuntimeError("from protocol 23 Soroban transactions are applied by the parallel phase")
        checker = self.common_pre_apply(charge_fee, ltx, meta, result)
        if checker is None:
            return False
        return self.apply_operations(checker, ltx, meta, result, op_apply_hook)

    # -- Soroban (parallel phase) ---------------------------------------------
    def pre_parallel_apply(self, ltx, meta, result, soroban_config, charge_fee: bool = True) -> bool:
        """preParallelApply: validation, sequence bump and signatures on
        `ltx` (txChangesBefore), then the operation's own checks, which
        stellar-core runs here rather than in the apply threads."""
        checker = self.common_pre_apply(charge_fee, ltx, meta, result, soroban_config)
        ok = checker is not None
        if ok:
            op = self.op_frames[0]
            op.bind_result(result.op_results)
            ok = op.check_valid(checker, ltx, True, soroban_config, meta.diagnostics)
            if not ok:
                result.set_innermost_error(_TC.txFAILED)
        if ok != result.is_success():
            raise RuntimeError("preParallelApply: validity and result disagree")
        return ok

    def parallel_apply(self, thread_state, ledger_info, result, meta, prng_seed: bytes):
        """TransactionFrame::parallelApply: run the one operation against a
        cluster's state; returns the op's outcome (None for a skipped or
        failed tx). An exception inside is txINTERNAL_ERROR."""
        if not result.is_success():
            return None
        op = self.op_frames[0]
        op.bind_result(result.op_results)
        try:
            out = op.parallel_apply(thread_state, ledger_info, result.refundable_fee_tracker,
                                    meta.op_metas[0], meta.diagnostics, prng_seed)
        except Exception:
            result.set_innermost_error(_TC.txINTERNAL_ERROR)
            return None
        if out is None:
            result.set_innermost_error(_TC.txFAILED)
        return out

    def process_refund(self, ltx, fee_source_id, result, tx_events) -> int:
        """processRefund / refundSorobanFee: return the unused refundable
        fee to the fee source (skipped entirely if the account is gone or
        cannot take it) and emit the negative fee event."""
        if not self.is_soroban:
            return 0
        refund = _refund_soroban_fee(ltx, fee_source_id, result)
        tx_events.fee_event(fee_source_id, -refund, STAGE_AFTER_ALL_TXS)
        return refund

    def process_post_tx_set_apply(self, ltx, result, tx_events) -> int:
        return self.process_refund(ltx, self.source_id, result, tx_events)


class FeeBumpTransactionFrame(_EnvelopeFrame):
    """A fee-bump envelope around an inner v1 transaction."""

    def __init__(self, network_id: bytes, envelope: "xdr.TransactionEnvelope"):
        if envelope.type != _ET.ENVELOPE_TYPE_TX_FEE_BUMP:
            raise ValueError("not a fee-bump envelope")
        self.network_id = network_id
        self.envelope = envelope
        fb = envelope.feeBump
        self.fb_tx = fb.tx
        self.signatures = fb.signatures
        inner_env = xdr.TransactionEnvelope(_ET.ENVELOPE_TYPE_TX, fb.tx.innerTx.v1)
        self.inner = TransactionFrame(network_id, inner_env)
        self.fee_source_account = fb.tx.feeSource
        self.fee_source_id = muxed_to_account_id(fb.tx.feeSource)
        self.fee = fb.tx.fee

    # the inner transaction's identity where the ledger needs it
    source_id = property(lambda self: self.inner.source_id)
    seq_num = property(lambda self: self.inner.seq_num)
    operations = property(lambda self: self.inner.operations)
    memo = property(lambda self: self.inner.memo)
    is_soroban = property(lambda self: self.inner.is_soroban)

    @property
    def num_operations(self) -> int:
        return self.inner.num_operations + 1

    def soroban_resource_fee(self) -> int:
        return self.inner.declared_soroban_resource_fee() if self.inner.is_soroban else 0

    def process_fee_seq_num(self, ltx, base_fee) -> FeeBumpTxResult:
        fee = self.charge_fee(ltx, base_fee)
        header = ltx.get_header()
        inner_fee = 0
        if header.ledgerVersion < 25:
            inner_fee = self.inner.get_fee(header, base_fee, True)
        return FeeBumpTxResult(self.inner.contents_hash, self.inner.op_types(), fee, inner_fee)

    def remove_one_time_signer_key_from_fee_source(self, ltx) -> None:
        acc = ltx.load(account_key(self.fee_source_id))
        if acc is None:
            return
        key = xdr.SignerKey(_SK.SIGNER_KEY_TYPE_PRE_AUTH_TX, self.contents_hash)
        n = find_signer(acc.data.account.signers, key)
        if n >= 0:
            S.remove_signer_with_possible_sponsorship(ltx, ltx.header, n, acc)

    def apply(self, ltx, meta, result, op_apply_hook=None) -> bool:
        ltx_tx = LedgerTxn(ltx)
        try:
            self.remove_one_time_signer_key_from_fee_source(ltx_tx)
            meta.push_changes_before(ltx_tx)
            ltx_tx.commit()
        finally:
            ltx_tx.rollback()
        return self.inner.apply(ltx, meta, result, charge_fee=False, op_apply_hook=op_apply_hook)

    # -- Soroban (parallel phase) -------------------------------------------------
    def pre_parallel_apply(self, ltx, meta, result, soroban_config) -> bool:
        ltx_tx = LedgerTxn(ltx)
        try:
            self.remove_one_time_signer_key_from_fee_source(ltx_tx)
            meta.push_changes_before(ltx_tx)
            ltx_tx.commit()
        finally:
            ltx_tx.rollback()
        return self.inner.pre_parallel_apply(ltx, meta, result, soroban_config, charge_fee=False)

    def parallel_apply(self, thread_state, ledger_info, result, meta, prng_seed: bytes):
        return self.inner.parallel_apply(thread_state, ledger_info, result, meta, prng_seed)

    def process_post_tx_set_apply(self, ltx, result, tx_events) -> int:
        """The refund goes to the fee-bump's fee source (PARITY_TRAPS S2)."""
        return self.inner.process_refund(ltx, self.fee_source_id, result, tx_events)

    def soroban_resources(self):
        return self.inner.soroban_resources()

    # -- validity ------------------------------------------------------------
    def common_valid(self, checker, ltx, applying: bool, result) -> bool:
        header = ltx.get_header()
        if self.inclusion_fee < self.min_inclusion_fee(header):
            result.set_error(_TC.txINSUFFICIENT_FEE)
            return False
        inner_incl = self.inner.inclusion_fee
        if inner_incl >= 0:
            v1 = self.inclusion_fee * self.inner.min_inclusion_fee(header)
            v2 = inner_incl * self.min_inclusion_fee(header)
            if v1 < v2:
                d = self.inner.min_inclusion_fee(header)
                needed = -(-v2 // d)
                result.set_insufficient_fee_error(needed if needed <= INT64_MAX else INT64_MAX)
                return False
        elif not self.inner.is_soroban:
            result.set_error(_TC.txFEE_BUMP_INNER_FAILED)
            return False
        fs = ltx.load_without_record(account_key(self.fee_source_id))
        if fs is None:
            result.set_error(_TC.txNO_ACCOUNT)
            return False
        acc = fs.data.account
        if not self.inner.check_signature(checker, acc, acc.thresholds[1]):
            result.set_error(_TC.txBAD_AUTH)
            return False
        fee_to_pay = 0 if applying else self.fee
        if B.available_balance(header, fs) < fee_to_pay:
            result.set_error(_TC.txINSUFFICIENT_BALANCE)
            return False
        return True

    def check_valid(self, ltx, current: int = 0, lower_offset: int = 0, upper_offset: int = 0) -> FeeBumpTxResult:
        header = ltx.get_header()
        if self.fee < 0:  # XDRProvidesValidFee
            result = FeeBumpTxResult(self.inner.contents_hash, self.inner.op_types(), 0, 0)
            result.set_error(_TC.txMALFORMED)
            return result
        result = FeeBumpTxResult(self.inner.contents_hash, self.inner.op_types(),
                                 self.get_fee(header, header.baseFee, False), 0)
        checker = SignatureChecker(self.contents_hash, self.signatures)
        if not self.common_valid(checker, ltx, False, result):
            return result
        if not checker.check_all_signatures_used():
            result.set_error(_TC.txBAD_AUTH_EXTRA)
            return result
        self.inner.check_valid_with_optionally_charged_fee(ltx, current, False, result,
                                                           lower_offset, upper_offset)
        return result


def _refund_soroban_fee(ltx_outer, fee_source_id, result) -> int:
    """refundSorobanFee: credit the refund and take it from the fee pool;
    nothing at all when the account was merged or cannot take it."""
    tracker = result.refundable_fee_tracker
    if tracker is None:
        return 0
    refund = tracker.fee_refund
    if refund == 0:
        return 0
    ltx = LedgerTxn(ltx_outer)
    try:
        header = ltx.header
        acc = ltx.load(account_key(fee_source_id))
        if acc is None:
            return 0
        if not B.add_balance(header, acc, refund):
            return 0
        result.finalize_fee_refund(header.ledgerVersion)
        header.feePool -= refund
        ltx.commit()
        return refund
    finally:
        ltx.rollback()


def make_transaction_frame(network_id: bytes, envelope: "xdr.TransactionEnvelope"):
    """TransactionFrameBase::makeTransactionFromWire."""
    if envelope.type == _ET.ENVELOPE_TYPE_TX_FEE_BUMP:
        return FeeBumpTransactionFrame(network_id, envelope)
    return TransactionFrame(network_id, envelope)
