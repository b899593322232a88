"""Nested copy-on-write ledger transactions (stellar-core ledger/LedgerTxn).

Why this shape: every operation, transaction and fee pass in stellar-core runs
inside a `LedgerTxn` nested in its parent; a child sees its ancestors'
state, records what it touches, and either commits into the parent or is
rolled back. The meta (`LedgerEntryChanges`) and the bucket batch both come
from what a transaction *recorded*, not from what it changed: loading an
entry for write counts as writing it (PARITY_TRAPS L7). So the per-key state
machine here is stellar-core's `LedgerEntryPtr`:

  INIT     created in this transaction (meta: CREATED; bucket: INITENTRY)
  LIVE     loaded for write or updated (meta: STATE + UPDATED; LIVEENTRY)
  DELETED  erased (meta: STATE + REMOVED; DEADENTRY)

and merging a child into its parent follows `LedgerEntryPtr::mergeFrom`:
a delete of an INIT annihilates the key, an INIT over a DELETED becomes
LIVE.

Keys are the XDR bytes of a LedgerKey (`key_bytes`), so equal keys are equal
dict keys with no decoding. Stellar-core's internal entries (sponsorship,
sponsorship counter, max-seq-num-to-apply) use tuple keys in the same map;
they never reach meta or the root.

Ownership rule (stellar-core enforces it with "active" entries, we document
it): an entry returned by `load`/`create` belongs to this transaction and
may be mutated in place until a child is opened or this transaction ends;
an entry returned by `load_without_record` or `get_newest` must not be
mutated.
"""
from __future__ import annotations

from typing import Iterator, Optional, Protocol

from stellarcore import xdr

_CT = xdr.LedgerEntryChangeType

INIT = 0
LIVE = 1
DELETED = 2


class LedgerTxnError(RuntimeError):
    """Misuse of a LedgerTxn (stellar-core throws std::runtime_error)."""


class RootStore(Protocol):
    """What a LedgerTxn chain bottoms out on (stellar-core LedgerTxnRoot).

    `get_entry` returns a read-only entry or None; `commit_child` receives
    the final per-key states of the outermost transaction.
    """

    def get_header(self) -> "xdr.LedgerHeader": ...

    def get_entry(self, key: bytes) -> Optional["xdr.LedgerEntry"]: ...

    def commit_child(self, entries: dict, states: dict, header) -> None: ...


class InMemoryRoot:
    """A RootStore over a dict: the tests' ledger, and the shape the
    BucketListDB-backed root follows later.

    `last_delta` keeps (init, live, dead) of the latest commit, the three
    lists stellar-core hands to `addLiveBatch`.
    """

    def __init__(self, header: "xdr.LedgerHeader", entries=()):
        self.header = header
        self.entries: dict[bytes, "xdr.LedgerEntry"] = {}
        for e in entries:
            self.entries[entry_key_bytes(e)] = e
        self.last_delta = ([], [], [])
        self._child = None

    def get_header(self):
        return self.header

    def get_entry(self, key: bytes):
        return self.entries.get(key)

    def commit_child(self, entries: dict, states: dict, header) -> None:
        init, live, dead = [], [], []
        store = self.entries
        for k, e in entries.items():
            if type(k) is not bytes:
                continue  # internal entries end with the ledger
            st = states[k]
            if st == DELETED:
                store.pop(k, None)
                dead.append(k)
            else:
                store[k] = e
                (init if st == INIT else live).append(e)
        self.header = header
        self.last_delta = (init, live, dead)


def key_bytes(key: "xdr.LedgerKey") -> bytes:
    return key.to_xdr()


def entry_key_bytes(entry: "xdr.LedgerEntry") -> bytes:
    from stellarcore.util.types import ledger_entry_key
    return ledger_entry_key(entry).to_xdr()


class LedgerTxn:
    """One level of nested ledger state (stellar-core LedgerTxn).

    `parent` is another LedgerTxn or a RootStore.
    """

    __slots__ = ("_parent", "_entries", "_states", "_header", "_child", "_done",
                 "_update_last_modified")

    def __init__(self, parent, update_last_modified: bool = True):
        if getattr(parent, "_child", None) is not None:
            raise LedgerTxnError("parent already has an open child")
        if getattr(parent, "_done", False):
            raise LedgerTxnError("parent is sealed")
        parent._child = self
        self._parent = parent
        self._entries: dict = {}
        self._states: dict = {}
        self._header = None
        self._child = None
        self._done = False
        self._update_last_modified = update_last_modified

    # -- header ---------------------------------------------------------
    @property
    def header(self) -> "xdr.LedgerHeader":
        """The mutable header of this transaction (copied from the parent's
        on first use; committed with the entries)."""
        h = self._header
        if h is None:
            h = self._header = self._parent_header().copy()
        return h

    load_header = header

    def _parent_header(self):
        p = self._parent
        if isinstance(p, LedgerTxn):
            return p._header if p._header is not None else p._parent_header()
        return p.get_header()

    def get_header(self):
        """The current header, read-only (no copy)."""
        return self._header if self._header is not None else self._parent_header()

    @property
    def ledger_version(self) -> int:
        return self.get_header().ledgerVersion

    # -- reads ----------------------------------------------------------
    def get_newest(self, key):
        """The newest version of `key` in this chain, read-only, or None."""
        t = self
        while isinstance(t, LedgerTxn):
            st = t._states.get(key)
            if st is not None:
                return None if st == DELETED else t._entries[key]
            t = t._parent
        if type(key) is not bytes:
            return None
        return t.get_entry(key)

    def load_without_record(self, key):
        """Read `key` without recording it (stellar-core loadWithoutRecord).
        The result must not be mutated."""
        self._check_open()
        if type(key) is not bytes and type(key) is not tuple:
            key = key.to_xdr()
        return self.get_newest(key)

    def exists(self, key) -> bool:
        if type(key) is not bytes and type(key) is not tuple:
            key = key.to_xdr()
        return self.get_newest(key) is not None

    # -- writes ---------------------------------------------------------
    def load(self, key):
        """Load `key` for write: records it (LIVE), returns an entry this
        transaction owns, or None if it does not exist."""
        self._check_open()
        if type(key) is not bytes and type(key) is not tuple:
            key = key.to_xdr()
        st = self._states.get(key)
        if st is not None:
            return None if st == DELETED else self._entries[key]
        prev = self._parent_newest(key)
        if prev is None:
            return None
        e = prev.copy()
        self._entries[key] = e
        self._states[key] = LIVE
        return e

    def create(self, entry, key=None):
        """Create an entry that does not exist yet (INIT); returns it."""
        self._check_open()
        if key is None:
            key = entry_key_bytes(entry)
        elif type(key) is not bytes and type(key) is not tuple:
            key = key.to_xdr()
        if self.get_newest(key) is not None:
            raise LedgerTxnError("Key already exists")
        st = self._states.get(key)
        # INIT over DELETED of this same level becomes LIVE (mergeFrom).
        self._states[key] = LIVE if st == DELETED else INIT
        self._entries[key] = entry
        return entry

    def erase(self, key) -> None:
        """Erase an existing entry (DELETED, or annihilate an INIT)."""
        self._check_open()
        if type(key) is not bytes and type(key) is not tuple:
            key = key.to_xdr()
        if self.get_newest(key) is None:
            raise LedgerTxnError("Key does not exist")
        st = self._states.get(key)
        if st == INIT:
            del self._states[key]
            del self._entries[key]
        else:
            self._states[key] = DELETED
            self._entries[key] = None

    # -- lifecycle ------------------------------------------------------
    def commit(self) -> None:
        """Merge this transaction into its parent and seal it."""
        self._check_open()
        self._stamp_last_modified()
        p = self._parent
        if isinstance(p, LedgerTxn):
            pe, ps = p._entries, p._states
            for k, st in self._states.items():
                e = self._entries[k]
                pst = ps.get(k)
                if st == DELETED:
                    if pst == INIT:
                        del ps[k]
                        del pe[k]
                    else:
                        ps[k] = DELETED
                        pe[k] = None
                elif st == INIT:
                    if pst is None:
                        ps[k] = INIT
                    elif pst == DELETED:
                        ps[k] = LIVE
                    else:
                        raise LedgerTxnError("cannot commit a child init entry into a live parent entry")
                    pe[k] = e
                else:
                    if pst == DELETED:
                        raise LedgerTxnError("cannot set deleted entry to live")
                    if pst is None:
                        ps[k] = LIVE
                    pe[k] = e
            if self._header is not None:
                p._header = self._header
        else:
            p.commit_child(self._entries, self._states, self.get_header())
        self._seal()

    def rollback(self) -> None:
        """Drop everything this transaction recorded."""
        if self._done:
            return
        if self._child is not None:
            self._child.rollback()
        self._seal()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.rollback()
        return False

    def _seal(self):
        self._done = True
        self._parent._child = None

    def _check_open(self):
        if self._done:
            raise LedgerTxnError("LedgerTxn is sealed")
        if self._child is not None:
            raise LedgerTxnError("LedgerTxn has an open child")

    def _parent_newest(self, key):
        p = self._parent
        if isinstance(p, LedgerTxn):
            return p.get_newest(key)
        if type(key) is not bytes:
            return None
        return p.get_entry(key)

    def _stamp_last_modified(self):
        if not self._update_last_modified:
            return
        seq = self.get_header().ledgerSeq
        for k, e in self._entries.items():
            if e is not None and type(k) is bytes:
                e.lastModifiedLedgerSeq = seq

    # -- meta and deltas ------------------------------------------------
    def get_changes(self) -> list:
        """The LedgerEntryChanges of this transaction against its parent,
        as stellar-core's getChanges (stamps lastModifiedLedgerSeq first).
        Order: the order keys were first recorded here."""
        self._check_open()
        self._stamp_last_modified()
        out = []
        for k, st in self._states.items():
            if type(k) is not bytes:
                continue
            e = self._entries[k]
            if st == INIT:
                out.append(xdr.LedgerEntryChange(_CT.LEDGER_ENTRY_CREATED, e.copy()))
                continue
            prev = self._parent_newest(k)
            if prev is None:
                raise LedgerTxnError("modified entry has no previous state")
            out.append(xdr.LedgerEntryChange(_CT.LEDGER_ENTRY_STATE, prev.copy()))
            if st == DELETED:
                out.append(xdr.LedgerEntryChange(_CT.LEDGER_ENTRY_REMOVED, xdr.LedgerKey.from_xdr(k)))
            else:
                out.append(xdr.LedgerEntryChange(_CT.LEDGER_ENTRY_UPDATED, e.copy()))
        return out

    def get_delta(self) -> Iterator[tuple]:
        """(key, previous, current) for every recorded ledger entry; the
        invariants' view (stellar-core getDelta). Entries are read-only."""
        self._stamp_last_modified()
        for k, st in self._states.items():
            if type(k) is not bytes:
                continue
            prev = None if st == INIT else self._parent_newest(k)
            yield k, prev, self._entries[k]

    def recorded_keys(self):
        return list(self._states.keys())

    def has_sponsorship_entry(self) -> bool:
        """Whether this transaction recorded any sponsorship or sponsorship
        counter entry, in any state (stellar-core hasSponsorshipEntry)."""
        for k in self._states:
            if type(k) is tuple and (k[0] == SPONSORSHIP or k[0] == SPONSORSHIP_COUNTER):
                return True
        return False


# Internal entry kinds (stellar-core InternalLedgerEntryType); keys are
# (kind, account-id XDR bytes).
SPONSORSHIP = "sponsorship"                   # sponsored -> sponsoring AccountID
SPONSORSHIP_COUNTER = "sponsorship_counter"   # sponsoring -> number sponsored
MAX_SEQ_NUM_TO_APPLY = "max_seq_num_to_apply"  # source -> max seq in the tx set


class InternalEntry:
    """A value stored under an internal key; mutable like a LedgerEntry."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def copy(self):
        return InternalEntry(self.value)

    def __repr__(self):
        return f"InternalEntry({self.value!r})"
