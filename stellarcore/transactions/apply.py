"""Fee processing and application of single transactions, the part of
stellar-core's LedgerManagerImpl::processFeesSeqNums / applyTransactions
that is per transaction.

Why separate from the ledger close: the close pipeline (tx sets, apply
order, upgrades, buckets) comes later and will call these two functions
in apply order; tests and benchmarks call them directly.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger.keys import max_seq_num_to_apply_key
from stellarcore.ledger.ledger_txn import InternalEntry, LedgerTxn
from stellarcore.transactions import operations  # noqa: F401  (registers every operation)
from stellarcore.transactions.events import STAGE_BEFORE_ALL_TXS
from stellarcore.transactions.meta import TransactionMetaBuilder


def process_fee(ltx_outer, frame, base_fee, meta_enabled: bool = True):
    """Charge one transaction's fee in its own LedgerTxn.
    Returns (mutable result, fee-processing LedgerEntryChanges - empty when
    meta is off, as stellar-core builds no LedgerCloseMeta then)."""
    ltx = LedgerTxn(ltx_outer)
    try:
        result = frame.process_fee_seq_num(ltx, base_fee)
        changes = ltx.get_changes() if meta_enabled else []
        ltx.commit()
    finally:
        ltx.rollback()
    return result, changes


def process_fees_seq_nums(ltx_outer, txs, meta_enabled: bool = True):
    """LedgerManagerImpl::processFeesSeqNums: charge every transaction of a
    set, in apply order, before any of them runs. `txs` is a list of
    (frame, base fee or None). Returns [(result, fee changes)].

    If any transaction holds an AccountMerge, each source account gets a
    MAX_SEQ_NUM_TO_APPLY internal entry with the highest sequence number
    it uses in the set, which AccountMerge reads (PARITY_TRAPS L8)."""
    out = []
    ltx = LedgerTxn(ltx_outer)
    try:
        max_seq = {}
        merge_seen = False
        for frame, base_fee in txs:
            out.append(process_fee(ltx, frame, base_fee, meta_enabled))
            src = frame.source_id.ed25519
            prev = max_seq.get(src)
            max_seq[src] = frame.seq_num if prev is None else max(prev, frame.seq_num)
            if any(op.body.type == _MERGE for op in frame.operations):
                merge_seen = True
        if merge_seen:
            for src, seq in max_seq.items():
                key = max_seq_num_to_apply_key(xdr.PublicKey(ed25519=src))
                if ltx.load_without_record(key) is not None:
                    raise RuntimeError("found unexpected MAX_SEQ_NUM_TO_APPLY")
                ltx.create(InternalEntry(seq), key)
        ltx.commit()
    finally:
        ltx.rollback()
    return out


_MERGE = xdr.OperationType.ACCOUNT_MERGE


def apply_transaction(ltx, frame, result, network_id: bytes, classic_events: bool,
                      op_apply_hook=None, meta_enabled: bool = True) -> "xdr.TransactionMeta":
    """Apply one transaction whose fee was charged; returns its meta.
    The fee event is emitted first, as stellar-core does right before apply."""
    meta = TransactionMetaBuilder(frame, network_id, classic_events, meta_enabled)
    meta.tx_events.fee_event(frame.fee_source_id, result.fee_charged, STAGE_BEFORE_ALL_TXS)
    ok = frame.apply(ltx, meta, result, op_apply_hook=op_apply_hook)
    return meta.finalize(ok)
