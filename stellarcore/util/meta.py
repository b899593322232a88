"""stellar-core's meta normalization (util/MetaUtils.cpp `normalizeMeta`).

Within each group, ledger entry changes are sorted by (key, change type in
the order STATE, CREATED, UPDATED, REMOVED, RESTORED, SHA-256 of the change's
XDR).  The order of changes inside meta comes from a hash map in
stellar-core and differs between nodes; normalized meta is comparable.
The order of transactions is never touched.
"""
from __future__ import annotations

import hashlib

from stellarcore import xdr
from stellarcore.util.types import ledger_entry_key

_C = xdr.LedgerEntryChangeType
_RANK = {_C.LEDGER_ENTRY_STATE: 0, _C.LEDGER_ENTRY_CREATED: 1, _C.LEDGER_ENTRY_UPDATED: 2,
         _C.LEDGER_ENTRY_REMOVED: 3, _C.LEDGER_ENTRY_RESTORED: 4}


def change_key(change) -> "xdr.LedgerKey":
    """The LedgerKey a LedgerEntryChange is about."""
    if change.type == _C.LEDGER_ENTRY_REMOVED:
        return change.removed
    return ledger_entry_key(change.xdr_value())


class _SortKey:
    __slots__ = ("key", "rank", "digest")

    def __init__(self, change):
        self.key = change_key(change)
        self.rank = _RANK[change.type]
        self.digest = hashlib.sha256(change.to_xdr()).digest()

    def __lt__(self, other):
        c = self.key.compare(other.key)
        if c:
            return c < 0
        return (self.rank, self.digest) < (other.rank, other.digest)


def sort_changes(changes: list) -> None:
    """Sort a LedgerEntryChanges list in place, as stellar-core's sortChanges."""
    changes.sort(key=_SortKey)


def normalize_tx_meta(m) -> None:
    """Normalize a TransactionMeta in place."""
    v = m.v
    if v == 0:
        ops = m.operations
    else:
        body = m.xdr_value()
        if v == 1:
            sort_changes(body.txChanges)
        else:
            sort_changes(body.txChangesBefore)
            sort_changes(body.txChangesAfter)
        ops = body.operations
    for om in ops:
        sort_changes(om.changes)


def normalize_ledger_close_meta(lcm) -> None:
    """Normalize a LedgerCloseMeta in place."""
    body = lcm.xdr_value()
    for u in body.upgradesProcessing:
        sort_changes(u.changes)
    for tx in body.txProcessing:
        sort_changes(tx.feeProcessing)
        normalize_tx_meta(tx.txApplyProcessing)
