"""The node's root of the LedgerTxn chain (stellar-core LedgerTxnRoot over
BucketListDB, v25).

Why three stores behind one root: stellar-core v25 keeps the ledger in the
live BucketList and reads it with point lookups (BucketListDB), except
  * OFFER entries, which live in the SQL `offers` table because the DEX asks
    ordered questions ("best offer of a pair", "offers of a seller") that a
    bucket index cannot answer (LedgerTxnRoot::getNewestVersion, loadOffer,
    BulkLedgerEntryChangeAccumulator: only offers reach SQL);
  * CONTRACT_DATA, CONTRACT_CODE and TTL, which transactions read from the
    in-memory Soroban state (InMemorySorobanState::isInMemoryType).
Every other type is loaded from a searchable snapshot of the live bucket
list.

The ledger's writes reach the three stores at different moments, so the
root bridges the gap:
  1. `commit_child` (the outermost LedgerTxn commits) writes offers to SQL
     at once, on the caller's connection and inside the caller's SQL
     transaction (nothing here commits: the ledger manager commits header,
     offers and storestate atomically), and keeps the ledger's
     init/live/dead batch in `last_delta`, the shape InMemoryRoot gives and
     `LiveBucketList.add_batch` takes;
  2. the ledger manager adds that batch to the bucket list;
  3. `advance(bucket_list, ...)` takes a new snapshot of the bucket list and
     applies the batch to the in-memory Soroban state (update_state).
Between 1 and 3 the committed entries are served from a pending overlay,
so reads never see the state of the previous ledger. (stellar-core orders
it the other way round - addLiveBatch and the Soroban update run before the
LedgerTxn commits - which reads the same.)

If several LedgerTxns commit before one `advance`, `last_delta` is their
merged batch (LedgerEntryPtr::mergeFrom rules: INIT then erase annihilates,
erase then INIT is LIVE), which is what a single ledger-wide LedgerTxn
would have produced.

Start-up (`open`): the in-memory Soroban state is filled from the buckets
(initializeStateFromSnapshot) and, when the offers table is missing or
empty or a rebuild is asked for (PersistentState "rebuildledger2", set by
catch-up), the offers table is rebuilt from the buckets (stellar-core's
maybeRebuildLedger / applyBucketsForLCL, offers only under BucketListDB) -
one scan of every bucket, newest first, for both.

Entries returned are read-only and may be shared (LedgerTxn copies before
handing one out for write).
"""
from __future__ import annotations

import struct
from typing import Optional

from stellarcore import xdr
from stellarcore.bucket.snapshot import LiveBucketListSnapshot
from stellarcore.ledger.in_memory_soroban_state import InMemorySorobanState
from stellarcore.ledger.ledger_txn import DELETED, INIT, LIVE, entry_key_bytes
from stellarcore.ledger.offers_sql import SqlOrderBook
from stellarcore.ledger.order_book import OFFER_KEY_PREFIX

__all__ = ["BucketListRoot", "BucketRootError", "scan_live_buckets"]

_T = xdr.LedgerEntryType
_TAG = struct.Struct(">i")
_OFFER = OFFER_KEY_PREFIX
_TRUSTLINE = _TAG.pack(_T.TRUSTLINE)
_POOL_SHARE = _TAG.pack(xdr.AssetType.ASSET_TYPE_POOL_SHARE)
_SOROBAN_TAGS = frozenset(_TAG.pack(t) for t in (_T.CONTRACT_DATA, _T.CONTRACT_CODE, _T.TTL))
# Raw bucket record kinds (BucketEntryType), the first four bytes of a record.
_METAENTRY = _TAG.pack(-1)
_LIVEENTRY = _TAG.pack(0)
_DEADENTRY = _TAG.pack(1)
_INITENTRY = _TAG.pack(2)
# A LIVE/INIT record is kind(4) + LedgerEntry: lastModifiedLedgerSeq(4),
# type(4), ... ; an OFFER's LedgerKey (type, sellerID, offerID) is the
# 48 bytes from the type on, as the entry begins with those same fields.
_OFFER_KEY_SLICE = slice(8, 56)
_POOL_PREFIX_LEN = 4 + 36 + 4        # TRUSTLINE + AccountID + ASSET_TYPE_POOL_SHARE
_OFFER_BATCH = 1000
_CACHE_LIMIT = 1 << 14
_MISSING = object()
_decode_entry = xdr.LedgerEntry.from_xdr


class BucketRootError(ValueError):
    """Misuse of the bucket-list root or an inconsistent commit sequence."""


def scan_live_buckets(bucket_list):
    """Every raw record of a live bucket list, newest bucket first (level 0
    curr, level 0 snap, level 1 curr, ...): the order in which the first
    record of a key is its current state."""
    for _level, _which, bucket in bucket_list.buckets():
        if not bucket.is_empty:
            yield from bucket.records()


class BucketListRoot:
    """A RootStore (stellarcore.ledger.ledger_txn) over BucketListDB, the
    offers table and the in-memory Soroban state.

    `header` is the header of the last committed ledger (LedgerTxn reads it
    through `get_header`). `soroban_state` must already be at `header`'s
    ledger (see `open` for a start-up that fills it).
    """

    def __init__(self, db, bucket_manager, bucket_list, header, *, soroban_state=None,
                 offers: Optional[SqlOrderBook] = None):
        self.db = db
        self.bucket_manager = bucket_manager
        self.header = header
        self.offers = offers if offers is not None else SqlOrderBook(db)
        self.soroban_state = soroban_state if soroban_state is not None else InMemorySorobanState()
        self.snapshot = LiveBucketListSnapshot(bucket_list, bucket_manager)
        self._pending: dict = {}          # key -> entry, or None when erased
        self._pending_state: dict = {}    # key -> INIT / LIVE / DELETED since the last advance
        self._cache: dict = {}            # decoded snapshot reads (key -> entry or None)
        self._pool_ids = None             # every INITed pool ID of the snapshot, on demand
        self._child = None

    # -- start-up ----------------------------------------------------------------
    @classmethod
    def open(cls, db, bucket_manager, bucket_list, header, *, soroban_config=None,
             rebuild_offers: bool = False, soroban_state=None) -> "BucketListRoot":
        """The root of a node starting on `bucket_list` at ledger `header`:
        fills the in-memory Soroban state from the buckets (the state must be
        empty) and rebuilds the offers table from them when `rebuild_offers`
        or the table is missing or empty. `soroban_config` (cost parameters)
        defaults to the one stored in the ledger, from protocol 20.

        The offers rebuild runs in its own SQL transaction (a savepoint when
        the caller has one open)."""
        missing = not db.table_exists("offers")
        root = cls(db, bucket_manager, bucket_list, header, soroban_state=soroban_state)
        rebuild = rebuild_offers or missing or len(root.offers) == 0
        version = header.ledgerVersion
        if soroban_config is None and version >= 20:
            soroban_config = root.load_soroban_config()
        state = root.soroban_state
        offers = _OfferRebuild(root.offers) if rebuild else None
        records = _split_records(scan_live_buckets(bucket_list), offers)
        with db.transaction():
            if offers is not None:
                db.execute("DELETE FROM offers")
            state.initialize_from_entries(records, ledger_seq=header.ledgerSeq, ledger_version=version,
                                          config=soroban_config)
            for _ in records:          # below protocol 20 the state reads nothing
                pass
            if offers is not None:
                offers.flush()
        return root

    def load_soroban_config(self):
        """The Soroban network config stored in the ledger (its cost
        parameters size CONTRACT_CODE entries)."""
        # Imported here: the soroban package sits beside ledger and reads
        # entries through any store with get_entry.
        from stellarcore.soroban.network_config import SorobanNetworkConfig
        return SorobanNetworkConfig.load_from_ledger(self)

    # -- RootStore -----------------------------------------------------------------
    def get_header(self):
        return self.header

    def get_entry(self, key: bytes):
        """The committed entry of LedgerKey XDR `key`, or None."""
        tag = key[:4]
        if tag == _OFFER:
            return self.offers.get(key)
        if self._pending:
            e = self._pending.get(key, _MISSING)
            if e is not _MISSING:
                return e
        if tag in _SOROBAN_TAGS:
            return self.soroban_state.get(key)
        e = self._cache.get(key, _MISSING)
        if e is _MISSING:
            raw = self.snapshot.load(key)
            e = None if raw is None else _decode_entry(raw)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = e
        return e

    def keys_with_prefix(self, prefix: bytes) -> list:
        """Keys of the stored entries starting with `prefix`, for the two
        by-account queries LedgerTxn has: an account's offers (SQL, by
        seller) and an account's pool-share trustlines (BucketListDB's
        asset -> pool map, as loadPoolShareTrustLinesByAccountAndAsset: the
        caller keeps the pools holding its asset). Other prefixes cannot be
        answered by point lookups and raise BucketRootError."""
        if prefix[:4] == _OFFER:
            return self.offers.keys_of_seller(prefix)
        if len(prefix) != _POOL_PREFIX_LEN or prefix[:4] != _TRUSTLINE or prefix[40:] != _POOL_SHARE:
            raise BucketRootError("BucketListDB answers prefix queries only for an account's offers and "
                                  f"pool-share trustlines, not {prefix.hex()}")
        found = set(self.snapshot.load_keys([prefix + p for p in self._all_pool_ids()]))
        for k, e in self._pending.items():
            if k.startswith(prefix):
                if e is None:
                    found.discard(k)
                else:
                    found.add(k)
        return sorted(found)

    def best_offer(self, pair, worse_than, excluded):
        return self.offers.best(pair, worse_than, excluded)

    def commit_child(self, entries: dict, states: dict, header) -> None:
        """Take the final states of the outermost LedgerTxn: offers go to SQL
        (on the caller's open transaction; nothing is committed here), the
        rest is served from the pending overlay until `advance`. Checks the
        whole batch before changing anything."""
        pending_state = self._pending_state
        merged = {}
        upserts, erased = [], []
        for k, e in entries.items():
            if type(k) is not bytes:
                continue  # internal entries end with the ledger
            st = states[k]
            merged[k] = _merge_state(pending_state.get(k), st, k)
            if k[:4] == _OFFER:
                if st == DELETED:
                    erased.append(k)
                else:
                    upserts.append(e)
        if upserts:
            self.offers.put_many(upserts)
        for k in erased:
            self.offers.delete(k)
        pending = self._pending
        for k, st in merged.items():
            if st is None:                    # created and erased since the last advance
                pending_state.pop(k, None)
                pending.pop(k, None)
            else:
                pending_state[k] = st
                pending[k] = entries[k]
        self.header = header

    # -- the ledger's batch and the hand-over to the bucket list ---------------------
    @property
    def last_delta(self) -> tuple:
        """(init entries, live entries, dead key bytes) committed since the
        last `advance`: what `LiveBucketList.add_batch` takes (offers
        included - they are in the bucket list too)."""
        init, live, dead = [], [], []
        for k, st in self._pending_state.items():
            if st == DELETED:
                dead.append(k)
            elif st == INIT:
                init.append(self._pending[k])
            else:
                live.append(self._pending[k])
        return init, live, dead

    def advance(self, bucket_list, header=None, soroban_config=None) -> None:
        """After `bucket_list.add_batch(...)` of `last_delta`: apply the batch
        to the in-memory Soroban state (all-or-nothing) and read from a
        snapshot of the new bucket list from now on. `header` defaults to
        the committed one; `soroban_config` (the ledger's final config) to
        the one stored in the ledger, from protocol 20."""
        if header is None:
            header = self.header
        elif header.ledgerSeq != self.header.ledgerSeq:
            raise BucketRootError(f"advance to ledger {header.ledgerSeq}, but ledger "
                                  f"{self.header.ledgerSeq} was committed")
        if soroban_config is None and header.ledgerVersion >= 20:
            soroban_config = self.load_soroban_config()
        snapshot = LiveBucketListSnapshot(bucket_list, self.bucket_manager)
        init, live, dead = self.last_delta
        self.soroban_state.update_state(init, live, dead, header, soroban_config)
        self.snapshot = snapshot
        self._pending = {}
        self._pending_state = {}
        self._cache = {}
        self._pool_ids = None

    def put(self, entry) -> None:
        """Write an entry as if a ledger committed it (test and genesis
        set-up): it joins the pending batch, created or updated."""
        k = entry_key_bytes(entry)
        st = _merge_state(self._pending_state.get(k), INIT if self.get_entry(k) is None else LIVE, k)
        if k[:4] == _OFFER:
            self.offers.put(k, entry)
        self._pending_state[k] = st
        self._pending[k] = entry

    def _all_pool_ids(self):
        if self._pool_ids is None:
            ids = set()
            for _level, _which, b in self.snapshot.buckets():
                m = b.index.asset_pool_map
                if m:
                    for pools in m.values():
                        ids.update(pools)
            self._pool_ids = sorted(ids)
        return self._pool_ids


def _merge_state(old, new, key):
    """The state of `key` after a commit in state `new` on top of a pending
    `old` (None: not pending); None when the two annihilate."""
    if old is None:
        return new
    if new == DELETED:
        if old == INIT:
            return None
        if old == LIVE:
            return DELETED
    elif new == INIT:
        if old == DELETED:
            return LIVE
    elif new == LIVE:
        if old != DELETED:
            return old
    names = {INIT: "INIT", LIVE: "LIVE", DELETED: "DELETED"}
    raise BucketRootError(f"cannot commit {names[new]} over a pending {names[old]} entry "
                          f"(key {key.hex()})")


class _OfferRebuild:
    """Offers found while scanning the buckets, written in batches: the first
    record of a key (newest bucket first) is its state, a DEADENTRY hides
    older versions."""

    def __init__(self, offers: SqlOrderBook):
        self.offers = offers
        self.seen: set = set()
        self.batch: list = []

    def dead(self, key: bytes) -> None:
        self.seen.add(key)

    def live(self, record: bytes) -> None:
        k = record[_OFFER_KEY_SLICE]
        if k in self.seen:
            return
        self.seen.add(k)
        self.batch.append(_decode_entry(record[4:]))
        if len(self.batch) >= _OFFER_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.offers.put_many(self.batch)
            self.batch = []


def _split_records(records, offers: Optional[_OfferRebuild]):
    """Soroban records for InMemorySorobanState.initialize_from_entries
    (LedgerEntry, or BucketEntry for tombstones), decoded only when they are
    Soroban ones; offers handed to `offers` on the way."""
    for rec in records:
        kind = rec[:4]
        if kind == _DEADENTRY:
            tag = rec[4:8]
            if tag in _SOROBAN_TAGS:
                yield xdr.BucketEntry.from_xdr(rec)
            elif offers is not None and tag == _OFFER:
                offers.dead(rec[4:])
        elif kind == _LIVEENTRY or kind == _INITENTRY:
            tag = rec[8:12]
            if tag in _SOROBAN_TAGS:
                yield _decode_entry(rec[4:])
            elif offers is not None and tag == _OFFER:
                offers.live(rec)
        elif kind != _METAENTRY:
            raise BucketRootError(f"unknown bucket entry kind {_TAG.unpack(kind)[0]} in a live bucket")
