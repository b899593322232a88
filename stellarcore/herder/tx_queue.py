"""The transaction queues: valid transactions waiting for a tx set
(stellar-core v25.0.1 herder/TransactionQueue.cpp and the queue part of
HerderImpl::recvTransaction / updateTransactionQueue).

Why these rules (all observable through the `tx` endpoint's status):
* one transaction per source account is in flight (protocol 19+ queue
  rule kept in v25); a second one is TRY_AGAIN_LATER, except a fee bump
  of the same sequence number paying at least 10x the rate, which
  replaces it;
* a transaction already queued is DUPLICATE; a banned one (applied,
  evicted, too old, invalid) is TRY_AGAIN_LATER for `ban_depth` ledgers;
* the queue holds `pool_ledger_multiplier` ledgers' worth of resources and
  evicts the cheapest transactions for better-paying ones
  (tx_queue_limiter); a tx that can neither fit nor evict is banned;
* the fee source must afford every fee it has queued;
* a transaction that was not included for `pending_depth` ledgers is
  dropped and banned.
Flooding (broadcast, arbitrage damping) is the overlay's part and is not
here.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional

from stellarcore import xdr
from stellarcore.herder.tx_queue_limiter import TxQueueLimiter
from stellarcore.herder.tx_view import TxView, ValidationSnapshot, account_id_bytes, as_view, check_tx_valid
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key
from stellarcore.transactions import soroban_tx as ST
from stellarcore.transactions.results import FeeBumpTxResult, TxResult

PENDING = "PENDING"
DUPLICATE = "DUPLICATE"
ERROR = "ERROR"
TRY_AGAIN_LATER = "TRY_AGAIN_LATER"
FILTERED = "FILTERED"

FEE_MULTIPLIER = 10
TRANSACTION_QUEUE_TIMEOUT_LEDGERS = 4
TRANSACTION_QUEUE_BAN_LEDGERS = 10
INT64_MAX = (1 << 63) - 1
_TC = xdr.TransactionResultCode


@dataclass
class AddResult:
    """TransactionQueue::AddResult: a status and, for ERROR and PENDING,
    the (mutable) transaction result."""

    status: str
    tx_result: object = None
    diagnostics: list = field(default_factory=list)

    @property
    def transaction_result(self) -> Optional["xdr.TransactionResult"]:
        return None if self.tx_result is None else self.tx_result.to_xdr()


def _error(code, fee_charged: int = 0) -> TxResult:
    r = TxResult.error(code)
    r.fee_charged = fee_charged
    return r


def _success(view: TxView):
    """createValidationSuccessResult: fee charged 0."""
    f = view.frame
    if view.is_fee_bump:
        return FeeBumpTxResult(f.inner.contents_hash, f.inner.op_types(), 0, 0)
    return TxResult(f.op_types(), 0)


def can_replace_by_fee(new: TxView, old: TxView):
    """(ok, min full fee): the new inclusion rate must be at least 10x the
    old one (canReplaceByFee)."""
    new_ops = max(1, new.num_operations)
    old_ops = max(1, old.num_operations)
    min_fee_n = old.inclusion_fee * new_ops * FEE_MULTIPLIER
    if new.inclusion_fee >= 0 and new.inclusion_fee * old_ops >= min_fee_n:
        return True, 0
    q = -(-min_fee_n // old_ops)
    if q > INT64_MAX:
        return False, INT64_MAX
    return False, q + (new.full_fee - new.inclusion_fee)


def is_duplicate(old: TxView, new: TxView) -> bool:
    """isDuplicateTx: the same envelope, or `new` is the inner tx of the
    queued fee bump."""
    if old.is_fee_bump == new.is_fee_bump and old.envelope.type == new.envelope.type:
        return old.full_hash == new.full_hash
    if old.is_fee_bump:
        return old.inner_full_hash == new.full_hash
    return False


class AccountState:
    """Fees this account has queued as fee source, its tx as source, and
    the ledgers that tx has waited."""

    __slots__ = ("total_fees", "age", "tx")

    def __init__(self):
        self.total_fees = 0
        self.age = 0
        self.tx: Optional[TxView] = None


class TransactionQueue:
    """One queue (classic or Soroban). `ltx` arguments are the last closed
    ledger's state (read only, header = LCL header)."""

    def __init__(self, network_id: bytes, *, is_soroban: bool,
                 pending_depth: int = TRANSACTION_QUEUE_TIMEOUT_LEDGERS,
                 ban_depth: int = TRANSACTION_QUEUE_BAN_LEDGERS, pool_ledger_multiplier: int = 2,
                 max_dex_ops: Optional[int] = None, filtered_op_types: Iterable = (),
                 keys_to_filter: Iterable = ()):
        if ban_depth < 1 or pending_depth < 1:
            raise ValueError("pending and ban depths must be at least 1")
        self.network_id = network_id
        self.is_soroban = is_soroban
        self.pending_depth = pending_depth
        self.accounts: Dict[bytes, AccountState] = {}
        self.banned: deque = deque(set() for _ in range(ban_depth))
        self.known: Dict[bytes, TxView] = {}
        self.limiter = TxQueueLimiter(pool_ledger_multiplier, is_soroban, max_dex_ops)
        self.filtered_op_types = set(filtered_op_types)
        self.keys_to_filter = {k if isinstance(k, bytes) else k.to_xdr() for k in keys_to_filter}

    # -- queries -------------------------------------------------------------
    def is_banned(self, full_hash: bytes) -> bool:
        return any(full_hash in s for s in self.banned)

    def get_tx(self, full_hash: bytes) -> Optional[TxView]:
        return self.known.get(full_hash)

    def source_account_pending(self, account_id) -> bool:
        return account_id_bytes(account_id) in self.accounts

    def account_state(self, account_id) -> AccountState:
        return self.accounts.get(account_id_bytes(account_id), AccountState())

    def in_queue_seq_num(self, account_id) -> Optional[int]:
        st = self.accounts.get(account_id_bytes(account_id))
        return None if st is None or st.tx is None else st.tx.seq_num

    def size_ops(self) -> int:
        return self.limiter.size_ops()

    def count_banned(self, index: int) -> int:
        return len(self.banned[index])

    def get_transactions(self, lcl_header) -> List[TxView]:
        """getTransactions: the queued txs, without those whose sequence
        number is the next ledger's starting one (they cannot apply yet)."""
        starting = (lcl_header.ledgerSeq + 1) << 32
        return [st.tx for st in self.accounts.values() if st.tx is not None and st.tx.seq_num != starting]

    # -- admission -----------------------------------------------------------
    def _is_filtered(self, v: TxView) -> bool:
        if not self.filtered_op_types:
            return False
        return any(op.body.type in self.filtered_op_types for op in v.frame.operations)

    def _footprint_filtered(self, v: TxView) -> bool:
        """validateSorobanTxForFlooding: only v1 Soroban envelopes (fee bumps
        answer for their inner one)."""
        if not self.keys_to_filter or not v.is_soroban or v.phase_tx.resources is None:
            return False
        return any(k in self.keys_to_filter for k in v.phase_tx.read_only + v.phase_tx.read_write)

    def _can_add(self, v: TxView, ltx, soroban_config, upper_offset: int):
        if self.is_banned(v.full_hash):
            return AddResult(TRY_AGAIN_LATER), []
        if self._is_filtered(v) or self._footprint_filtered(v):
            return AddResult(FILTERED), []
        new_full_fee = v.full_fee
        if new_full_fee < 0 or v.inclusion_fee < 0:
            return AddResult(ERROR, _error(_TC.txMALFORMED)), []
        header = ltx.get_header()
        lv = header.ledgerVersion
        state = self.accounts.get(v.source_id)
        current = state.tx if state is not None else None
        if current is not None:
            if is_duplicate(current, v):
                return AddResult(DUPLICATE), []
            if v.seq_num < current.seq_num:
                return AddResult(ERROR, _error(_TC.txBAD_SEQ)), []
            if v.is_soroban:
                inner = v.frame.inner if v.is_fee_bump else v.frame
                diag = ST.DiagnosticEventManager()
                if not ST.check_soroban_resources(inner, soroban_config, lv, diag):
                    return AddResult(ERROR, _error(_TC.txSOROBAN_INVALID)), []
            if not v.is_fee_bump or v.seq_num != current.seq_num:
                return AddResult(TRY_AGAIN_LATER), []
            ok, min_fee = can_replace_by_fee(v, current)
            if not ok:
                return AddResult(ERROR, _error(_TC.txINSUFFICIENT_FEE, min_fee)), []
            if current.fee_source_id == v.fee_source_id:
                new_full_fee -= current.full_fee

        fits, min_fee, evict = self.limiter.can_add_tx(v, current, header, soroban_config)
        if not fits:
            self.ban([v])
            if min_fee != 0:
                r = _success(v)
                r.set_insufficient_fee_error(min_fee)
                return AddResult(ERROR, r), []
            return AddResult(TRY_AGAIN_LATER), []

        with ValidationSnapshot(ltx, header.ledgerSeq + 1) as snap:
            res = check_tx_valid(v, snap, 0, upper_offset, soroban_config)
            if not res.is_success():
                return AddResult(ERROR, res), []
            fee_source = snap.load_without_record(account_key(v.frame.fee_source_id))
            fee_state = self.accounts.get(v.fee_source_id)
            queued = 0 if fee_state is None else fee_state.total_fees
            if B.available_balance(snap.get_header(), fee_source) - new_full_fee < queued:
                return AddResult(ERROR, _error(_TC.txINSUFFICIENT_BALANCE)), []
        if lv < 25 and v.is_soroban:
            inner = v.frame.inner if v.is_fee_bump else v.frame
            if not ST.memo_allowed(inner):
                return AddResult(ERROR, _error(_TC.txSOROBAN_INVALID)), []
        return AddResult(PENDING, _success(v)), evict

    def try_add(self, tx, ltx, soroban_config=None, upper_offset: int = 0) -> AddResult:
        """tryAdd: `tx` an envelope, frame or TxView. `upper_offset` is the
        close-time allowance for time bounds (getUpperBoundCloseTimeOffset)."""
        v = as_view(self.network_id, tx)
        if not v.xdr_provides_valid_fee():
            return AddResult(ERROR, _error(_TC.txMALFORMED))
        if v.is_soroban != self.is_soroban:
            raise ValueError("transaction kind does not match the queue")
        res, evict = self._can_add(v, ltx, soroban_config, upper_offset)
        if res.status != PENDING:
            return res
        state = self.accounts.setdefault(v.source_id, AccountState())
        if state.tx is not None:
            self._prepare_drop(state)
        state.tx = v
        self.accounts.setdefault(v.fee_source_id, AccountState()).total_fees += v.full_fee
        self.limiter.evict_transactions(evict, v, ltx.get_header(), soroban_config,
                                        lambda t: self.ban([t]))
        self.limiter.add(v)
        self.known[v.full_hash] = v
        return res

    # -- removal ---------------------------------------------------------------
    def _release_fee(self, v: TxView) -> None:
        st = self.accounts.get(v.fee_source_id)
        if st is None or st.total_fees < v.full_fee:
            raise AssertionError("fee accounting out of step")
        st.total_fees -= v.full_fee
        if st.tx is None and st.total_fees == 0:
            del self.accounts[v.fee_source_id]

    def _prepare_drop(self, state: AccountState) -> None:
        v = state.tx
        self.limiter.remove(v)
        self.known.pop(v.full_hash, None)
        self._release_fee(v)

    def _drop(self, source: bytes) -> None:
        state = self.accounts[source]
        self._prepare_drop(state)
        state.tx = None
        if state.total_fees == 0:
            self.accounts.pop(source, None)
        else:
            state.age = 0

    def remove_applied(self, txs) -> None:
        """removeApplied: drop queued txs with a sequence number up to the
        applied one of their source, and ban the applied txs."""
        for t in txs:
            v = as_view(self.network_id, t)
            st = self.accounts.get(v.source_id)
            if st is not None and st.tx is not None and st.tx.seq_num <= v.seq_num:
                st.age = 0
                self._drop(v.source_id)
            self.banned[0].add(v.full_hash)

    def ban(self, txs) -> None:
        """ban: remember the hashes; drop the ones that are queued."""
        views = [as_view(self.network_id, t) for t in txs]
        by_source = {}
        for v in views:
            if v.source_id in by_source:
                raise ValueError("ban: two transactions of one source account")
            by_source[v.source_id] = v
            self.banned[0].add(v.full_hash)
        for src, v in by_source.items():
            st = self.accounts.get(src)
            if st is not None and st.tx is not None and st.tx.full_hash == v.full_hash:
                self._drop(src)

    def shift(self) -> None:
        """shift (after each ledger): age the queued txs, drop and ban the
        ones that waited pending_depth ledgers, forget the oldest bans."""
        self.banned.pop()
        self.banned.appendleft(set())
        for src in list(self.accounts):
            st = self.accounts.get(src)
            if st is None:
                continue
            if st.tx is not None:
                st.age += 1
            if st.age == self.pending_depth:
                if st.tx is not None:
                    self._prepare_drop(st)
                    self.banned[0].add(st.tx.full_hash)
                    st.tx = None
                if st.total_fees == 0:
                    self.accounts.pop(src, None)
                else:
                    st.age = 0
        self.limiter.reset_eviction_state()

    def reset_and_rebuild(self, ltx, soroban_config=None, keys_to_filter=None) -> None:
        """resetAndRebuild (after an upgrade): re-add every queued tx under
        the new limits."""
        if keys_to_filter is not None:
            self.keys_to_filter = {k if isinstance(k, bytes) else k.to_xdr() for k in keys_to_filter}
        existing = [st.tx for st in self.accounts.values() if st.tx is not None]
        self.accounts.clear()
        self.known.clear()
        self.limiter.reset(ltx.get_header(), soroban_config)
        for v in existing:
            self.try_add(v, ltx, soroban_config)


class TransactionQueues:
    """The classic and the Soroban queue, as the herder holds them."""

    def __init__(self, network_id: bytes, *, pool_ledger_multiplier: int = 2,
                 soroban_pool_ledger_multiplier: int = 2, max_dex_ops: Optional[int] = None,
                 filtered_op_types: Iterable = (), keys_to_filter: Iterable = (), **depths):
        """Multipliers are TRANSACTION_QUEUE_SIZE_MULTIPLIER and
        SOROBAN_TRANSACTION_QUEUE_SIZE_MULTIPLIER; `depths` may give
        pending_depth / ban_depth."""
        self.network_id = network_id
        self.classic = TransactionQueue(network_id, is_soroban=False, pool_ledger_multiplier=pool_ledger_multiplier,
                                        max_dex_ops=max_dex_ops, filtered_op_types=filtered_op_types, **depths)
        self.soroban = TransactionQueue(network_id, is_soroban=True,
                                        pool_ledger_multiplier=soroban_pool_ledger_multiplier,
                                        filtered_op_types=filtered_op_types, keys_to_filter=keys_to_filter,
                                        **depths)

    def try_add(self, tx, ltx, soroban_config=None, upper_offset: int = 0) -> AddResult:
        """recvTransaction: one tx per source across both queues (a tx of the
        same kind may still replace by fee)."""
        v = as_view(self.network_id, tx)
        if ((not v.is_soroban and self.soroban.source_account_pending(v.source_id))
                or (v.is_soroban and self.classic.source_account_pending(v.source_id))):
            return AddResult(TRY_AGAIN_LATER)
        queue = self.soroban if v.is_soroban else self.classic
        return queue.try_add(v, ltx, soroban_config, upper_offset)

    def get_transactions(self, lcl_header) -> List[List[TxView]]:
        """[classic, Soroban] txs for the next tx set."""
        return [self.classic.get_transactions(lcl_header), self.soroban.get_transactions(lcl_header)]

    def update_after_close(self, applied_per_phase, ltx, soroban_config=None, upper_offset: int = 0,
                           rebuild_soroban: bool = False, keys_to_filter=None) -> None:
        """updateTransactionQueue: per queue removeApplied, shift, (rebuild
        the Soroban queue after an upgrade), then ban what became invalid."""
        from stellarcore.herder.tx_set_builder import invalid_txs
        header = ltx.get_header()
        for queue, applied in ((self.classic, applied_per_phase[0]),
                               (self.soroban, applied_per_phase[1] if len(applied_per_phase) > 1 else [])):
            queue.remove_applied(applied)
            queue.shift()
            if queue is self.soroban and rebuild_soroban:
                queue.reset_and_rebuild(ltx, soroban_config, keys_to_filter)
            txs = queue.get_transactions(header)
            queue.ban(invalid_txs(txs, ltx, header, soroban_config, 0, upper_offset))
