# cython: language_level=3, boundscheck=False, wraparound=False
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

from typing import Optional, Protocol

cimport cython

from stellarcore import xdr
from stellarcore.ledger.order_book import (MemoryOrderBook, OFFER_KEY_PREFIX, PairIndex, asset_pair,
                                           offer_descriptor, offer_pair)

_CT = xdr.LedgerEntryChangeType

DEF _INIT = 0
DEF _LIVE = 1
DEF _DELETED = 2
INIT = _INIT
LIVE = _LIVE
DELETED = _DELETED


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

    def keys_with_prefix(self, prefix: bytes) -> list: ...

    def best_offer(self, pair, worse_than, excluded): ...


class InMemoryRoot:
    """A RootStore over a dict: the tests' ledger, and the shape the
    BucketListDB-backed root follows later.

    Offers live in an order-book store (`offers`: in memory by default,
    `ledger.offers_sql.SqlOrderBook` for the node), which answers the
    best-offer and by-seller queries as stellar-core's offers table does.
    `last_delta` keeps (init, live, dead) of the latest commit, the three
    lists stellar-core hands to `addLiveBatch`.
    """

    def __init__(self, header: "xdr.LedgerHeader", entries=(), offers=None):
        self.header = header
        self.entries: dict[bytes, "xdr.LedgerEntry"] = {}
        self.offers = offers if offers is not None else MemoryOrderBook()
        for e in entries:
            self.put(e)
        self.last_delta = ([], [], [])
        self._child = None

    def put(self, entry) -> None:
        """Store an entry directly (setup and tests)."""
        k = entry_key_bytes(entry)
        if k[:4] == OFFER_KEY_PREFIX:
            self.offers.put(k, entry)
        else:
            self.entries[k] = entry

    def get_header(self):
        return self.header

    def get_entry(self, key: bytes):
        if key[:4] == OFFER_KEY_PREFIX:
            return self.offers.get(key)
        return self.entries.get(key)

    def keys_with_prefix(self, prefix: bytes) -> list:
        """Stored keys starting with `prefix` (the by-account queries:
        an account's trustlines, offers)."""
        if prefix[:4] == OFFER_KEY_PREFIX:
            return self.offers.keys_of_seller(prefix)
        return [k for k in self.entries if k.startswith(prefix)]

    def best_offer(self, pair, worse_than, excluded):
        """(descriptor, key, entry) of the best stored offer of `pair`
        strictly worse than `worse_than`, skipping keys in `excluded`."""
        return self.offers.best(pair, worse_than, excluded)

    def commit_child(self, entries: dict, states: dict, header) -> None:
        init, live, dead = [], [], []
        store = self.entries
        offers = self.offers
        for k, e in entries.items():
            if type(k) is not bytes:
                continue  # internal entries end with the ledger
            st = states[k]
            is_offer = k[:4] == OFFER_KEY_PREFIX
            if st == DELETED:
                if is_offer:
                    offers.delete(k)
                else:
                    store.pop(k, None)
                dead.append(k)
            else:
                if is_offer:
                    offers.put(k, e)
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


cdef class LedgerTxn:
    """One level of nested ledger state (stellar-core LedgerTxn).

    `parent` is another LedgerTxn or a RootStore.
    """

    cdef readonly object _parent
    cdef LedgerTxn _ptxn          # the parent when it is a LedgerTxn, else None
    cdef dict _entries
    cdef dict _states
    cdef object _header
    cdef public object _child
    cdef public bint _done
    cdef bint _update_last_modified
    # The order book of this level (stellar-core's mMultiOrderBook): offers
    # recorded here, indexed by pair once they can no longer change; the
    # ones still owned by a caller (_dirty) are scanned instead. _wbo is
    # the worst offer per pair this level has taken from its parent: every
    # better parent offer is recorded here already, so queries to the
    # parent start after it (stellar-core's WorstBestOffer map).
    cdef object _book
    cdef set _dirty
    cdef dict _wbo

    def __init__(self, parent, bint update_last_modified=True):
        if getattr(parent, "_child", None) is not None:
            raise LedgerTxnError("parent already has an open child")
        if getattr(parent, "_done", False):
            raise LedgerTxnError("parent is sealed")
        if isinstance(parent, LedgerTxn):
            (<LedgerTxn>parent)._freeze_offers()
        parent._child = self
        self._parent = parent
        self._ptxn = parent if isinstance(parent, LedgerTxn) else None
        self._entries = {}
        self._states = {}
        self._header = None
        self._child = None
        self._done = False
        self._update_last_modified = update_last_modified
        self._book = None
        self._dirty = set()
        self._wbo = {}

    # -- header ---------------------------------------------------------
    @property
    def header(self):
        """The mutable header of this transaction (copied from the parent's
        on first use; committed with the entries)."""
        h = self._header
        if h is None:
            h = self._header = self._parent_header().copy()
        return h

    cpdef object _parent_header(self):
        cdef LedgerTxn p = self._ptxn
        while p is not None:
            if p._header is not None:
                return p._header
            if p._ptxn is None:
                return p._parent.get_header()
            p = p._ptxn
        return self._parent.get_header()

    cpdef object get_header(self):
        """The current header, read-only (no copy)."""
        return self._header if self._header is not None else self._parent_header()

    @property
    def ledger_version(self):
        return self.get_header().ledgerVersion

    # -- reads ----------------------------------------------------------
    cpdef object get_newest(self, object key):
        """The newest version of `key` in this chain, read-only, or None."""
        cdef LedgerTxn t = self
        cdef object st
        cdef object root = None
        while t is not None:
            st = t._states.get(key)
            if st is not None:
                return None if st == _DELETED else t._entries[key]
            if t._ptxn is None:
                root = t._parent
            t = t._ptxn
        if type(key) is not bytes:
            return None
        return root.get_entry(key)

    def load_without_record(self, key):
        """Read `key` without recording it (stellar-core loadWithoutRecord).
        The result must not be mutated."""
        self._check_open()
        if type(key) is not bytes and type(key) is not tuple:
            key = key.to_xdr()
        return self.get_newest(key)

    # -- writes ---------------------------------------------------------
    cpdef object load(self, object key):
        """Load `key` for write: records it (LIVE), returns an entry this
        transaction owns, or None if it does not exist."""
        self._check_open()
        if type(key) is not bytes and type(key) is not tuple:
            key = key.to_xdr()
        st = self._states.get(key)
        if st is not None:
            if st == _DELETED:
                return None
            if _is_offer(key):
                self._dirty.add(key)
            return self._entries[key]
        prev = self._parent_newest(key)
        if prev is None:
            return None
        e = prev.copy()
        self._entries[key] = e
        self._states[key] = _LIVE
        if _is_offer(key):
            self._dirty.add(key)
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
        self._states[key] = _LIVE if st == _DELETED else _INIT
        self._entries[key] = entry
        if _is_offer(key):
            self._dirty.add(key)
        return entry

    def erase(self, key):
        """Erase an existing entry (DELETED, or annihilate an INIT)."""
        self._check_open()
        if type(key) is not bytes and type(key) is not tuple:
            key = key.to_xdr()
        if self.get_newest(key) is None:
            raise LedgerTxnError("Key does not exist")
        st = self._states.get(key)
        if st == _INIT:
            del self._states[key]
            del self._entries[key]
        else:
            self._states[key] = _DELETED
            self._entries[key] = None
        if _is_offer(key):
            self._dirty.discard(key)
            if self._book is not None:
                self._book.remove(key)

    # -- lifecycle ------------------------------------------------------
    cpdef commit(self):
        """Merge this transaction into its parent and seal it."""
        cdef LedgerTxn p
        cdef dict pe, ps
        cdef int st
        self._check_open()
        self._stamp_last_modified()
        p = self._ptxn
        if p is not None:
            pe = p._entries
            ps = p._states
            for k, sto in self._states.items():
                st = sto
                e = self._entries[k]
                pst = ps.get(k)
                if st == _DELETED:
                    if pst == _INIT:
                        del ps[k]
                        del pe[k]
                    else:
                        ps[k] = _DELETED
                        pe[k] = None
                elif st == _INIT:
                    if pst is None:
                        ps[k] = _INIT
                    elif pst == _DELETED:
                        ps[k] = _LIVE
                    else:
                        raise LedgerTxnError("cannot commit a child init entry into a live parent entry")
                    pe[k] = e
                else:
                    if pst == _DELETED:
                        raise LedgerTxnError("cannot set deleted entry to live")
                    if pst is None:
                        ps[k] = _LIVE
                    pe[k] = e
            if self._header is not None:
                p._header = self._header
            p._absorb_offers(self)
        else:
            self._parent.commit_child(self._entries, self._states, self.get_header())
        self._seal()

    cpdef rollback(self):
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

    cdef _seal(self):
        self._done = True
        self._parent._child = None

    cdef _check_open(self):
        if self._done:
            raise LedgerTxnError("LedgerTxn is sealed")
        if self._child is not None:
            raise LedgerTxnError("LedgerTxn has an open child")

    cdef object _parent_newest(self, object key):
        if self._ptxn is not None:
            return self._ptxn.get_newest(key)
        if type(key) is not bytes:
            return None
        return self._parent.get_entry(key)

    cdef _stamp_last_modified(self):
        if not self._update_last_modified:
            return
        seq = self.get_header().ledgerSeq
        for k, e in self._entries.items():
            if e is not None and type(k) is bytes:
                e.lastModifiedLedgerSeq = seq

    # -- the order book ---------------------------------------------------
    cdef _freeze_offers(self):
        """Index the offers callers may have changed: called when a child
        opens, after which this level's entries are immutable."""
        if not self._dirty:
            return
        if self._book is None:
            self._book = PairIndex()
        book = self._book
        for k in self._dirty:
            e = self._entries.get(k)
            if e is None:
                book.remove(k)
            else:
                book.add(k, e.data.offer)
        self._dirty.clear()

    cdef _absorb_offers(self, LedgerTxn child):
        """Re-index the offers a committing child recorded."""
        cdef dict states = self._states
        book = self._book
        for k in child._states:
            if not _is_offer(k):
                continue
            if book is None:
                book = self._book = PairIndex()
            e = self._entries.get(k) if k in states else None
            if e is None:
                book.remove(k)
            else:
                book.add(k, e.data.offer)
        for pair, d in child._wbo.items():
            w = self._wbo.get(pair)
            if w is None or d > w:
                self._wbo[pair] = d

    cpdef object _chain_best_offer(self, tuple pair, object worse_than, list excluded):
        """(descriptor, key, entry, level) of the best live offer of `pair`
        in this level's view, strictly worse than `worse_than`, whose key
        no level in `excluded` overrides; `level` is the LedgerTxn whose
        entry it is (None for the root)."""
        cdef object best = None
        cdef object r, e, o, d
        if self._book is not None:
            r = self._book.best(pair, worse_than, excluded, self._dirty)
            if r is not None:
                best = (r[0], r[1], self._entries[r[1]], self)
        for k in self._dirty:
            e = self._entries[k]
            o = e.data.offer
            if offer_pair(o) != pair:
                continue
            d = offer_descriptor(o)
            if worse_than is not None and d <= worse_than:
                continue
            if excluded and _in_any(k, excluded):
                continue
            if best is None or d < best[0]:
                best = (d, k, e, self)
        w = self._wbo.get(pair)
        if w is not None and (worse_than is None or w > worse_than):
            worse_than = w
        excluded = excluded + [self._states]
        if self._ptxn is not None:
            r = self._ptxn._chain_best_offer(pair, worse_than, excluded)
        else:
            r = self._parent.best_offer(pair, worse_than, excluded)
            if r is not None:
                r = (r[0], r[1], r[2], None)
        if r is not None and (best is None or r[0] < best[0]):
            return r
        return best

    def get_best_offer(self, buying, selling):
        """The best offer selling `selling` for `buying` (lowest price as
        a double, then lowest offer ID), read-only, or None
        (stellar-core getBestOffer)."""
        self._check_open()
        r = self._chain_best_offer(asset_pair(buying, selling), None, [])
        return None if r is None else r[2]

    def load_best_offer(self, buying, selling):
        """The best offer of the pair, loaded for write, or None
        (stellar-core loadBestOffer)."""
        self._check_open()
        pair = asset_pair(buying, selling)
        r = self._chain_best_offer(pair, None, [])
        if r is None:
            return None
        key = r[1]
        if r[3] is self:
            self._dirty.add(key)
            return r[2]
        w = self._wbo.get(pair)
        if w is None or r[0] > w:
            self._wbo[pair] = r[0]
        e = r[2].copy()
        self._entries[key] = e
        self._states[key] = _LIVE
        self._dirty.add(key)
        return e

    def load_offers_by_account_and_asset(self, account_id, asset):
        """The account's offers buying or selling `asset`, loaded for
        write, in offer-ID order (stellar-core loadOffersByAccountAndAsset)."""
        self._check_open()
        ab = asset.to_xdr()
        out = []
        for k in self.keys_with_prefix(OFFER_KEY_PREFIX + account_id.to_xdr()):
            o = self.get_newest(k).data.offer
            if o.selling.to_xdr() == ab or o.buying.to_xdr() == ab:
                out.append(self.load(k))
        return out

    # -- meta and deltas ------------------------------------------------
    def get_changes(self):
        """The LedgerEntryChanges of this transaction against its parent,
        as stellar-core's getChanges (stamps lastModifiedLedgerSeq first).
        Order: the order keys were first recorded here."""
        self._check_open()
        self._stamp_last_modified()
        out = []
        LEC = xdr.LedgerEntryChange
        for k, st in self._states.items():
            if type(k) is not bytes:
                continue
            e = self._entries[k]
            if st == _INIT:
                out.append(LEC(_CT.LEDGER_ENTRY_CREATED, e.copy()))
                continue
            prev = self._parent_newest(k)
            if prev is None:
                raise LedgerTxnError("modified entry has no previous state")
            out.append(LEC(_CT.LEDGER_ENTRY_STATE, prev.copy()))
            if st == _DELETED:
                out.append(LEC(_CT.LEDGER_ENTRY_REMOVED, xdr.LedgerKey.from_xdr(k)))
            else:
                out.append(LEC(_CT.LEDGER_ENTRY_UPDATED, e.copy()))
        return out

    def recorded_keys(self):
        """Keys of the ledger entries this transaction recorded (loaded,
        created, modified or erased) - what stellar-core's
        getAllTTLKeysWithoutSealing looks through for the eviction scan."""
        return [k for k in self._states if type(k) is bytes]

    def get_delta(self):
        """(key, previous, current) for every recorded ledger entry; the
        invariants' view (stellar-core getDelta). Entries are read-only."""
        self._stamp_last_modified()
        out = []
        for k, st in self._states.items():
            if type(k) is not bytes:
                continue
            prev = None if st == _INIT else self._parent_newest(k)
            out.append((k, prev, self._entries[k]))
        return iter(out)

    def keys_with_prefix(self, bytes prefix):
        """Sorted keys of the live entries of this chain's newest state that
        start with `prefix` - stellar-core's getPoolShareTrustLinesByAccount-
        AndAsset / getOffersByAccountAndAsset need them. The root answers
        for what is stored; each level adds what it recorded."""
        cdef LedgerTxn t = self
        cdef set seen = set()
        root = None
        while t is not None:
            for k in t._states:
                if type(k) is bytes and (<bytes>k).startswith(prefix):
                    seen.add(k)
            if t._ptxn is None:
                root = t._parent
            t = t._ptxn
        seen.update(root.keys_with_prefix(prefix))
        return sorted(k for k in seen if self.get_newest(k) is not None)

    def has_sponsorship_entry(self):
        """Whether this transaction recorded any sponsorship or sponsorship
        counter entry, in any state (stellar-core hasSponsorshipEntry)."""
        for k in self._states:
            if type(k) is tuple and (k[0] == SPONSORSHIP or k[0] == SPONSORSHIP_COUNTER):
                return True
        return False


cdef inline bint _is_offer(object key):
    return type(key) is bytes and (<bytes>key).startswith(OFFER_KEY_PREFIX)


cdef inline bint _in_any(object key, list sets):
    for s in sets:
        if key in s:
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
