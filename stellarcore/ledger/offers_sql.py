"""The order book in SQLite (stellar-core ledger/LedgerTxnOfferSQL.cpp).

Why SQL for offers only: stellar-core v25 keeps every other entry in
BucketListDB but keeps offers in the `offers` table, because the DEX needs
"best offer for a pair by (price, offerID)" and "offers of a seller" -
ordered and by-seller queries a bucket index does not answer. The table,
its columns (base64 XDR assets and extensions, strkey seller, the price as
a double) and the two indexes are stellar-core's, so a database written
here can be inspected with stellar-core's own queries.

Entries are loaded lazily: the root asks for one offer by key, or for the
best offer of a pair. Like stellar-core's LedgerTxnRoot (mBestOffers), the
head of each pair's book is kept in memory in order, loaded in growing
batches with the query `loadBestOffers` runs (`ORDER BY price, offerid`)
only when a walk - skipping what the LedgerTxn levels above override -
runs past what is cached; a write to the pair drops its cached head. A returned entry is
read-only (LedgerTxn copies before handing out an entry for write), so the
decoded assets of a pair are shared between the entries of that pair.
"""
from __future__ import annotations

import base64
import struct

from stellarcore import xdr
from stellarcore.crypto import strkey
from stellarcore.database.database import Database, register_schema
from stellarcore.ledger.order_book import OFFER_KEY_PREFIX, excluded_by_any, first_worse_index, offer_pair

register_schema("offers", (
    "CREATE TABLE offers ("
    "sellerid VARCHAR(56) NOT NULL, "
    "offerid BIGINT NOT NULL CHECK (offerid >= 0), "
    "sellingasset TEXT NOT NULL, "
    "buyingasset TEXT NOT NULL, "
    "amount BIGINT NOT NULL CHECK (amount >= 0), "
    "pricen INT NOT NULL, "
    "priced INT NOT NULL, "
    "price DOUBLE PRECISION NOT NULL, "
    "flags INT NOT NULL, "
    "lastmodified INT NOT NULL, "
    "extension TEXT NOT NULL, "
    "ledgerext TEXT NOT NULL, "
    "PRIMARY KEY (offerid))",
    "CREATE INDEX bestofferindex ON offers (sellingasset,buyingasset,price,offerid)",
    "CREATE INDEX offerbyseller ON offers (sellerid)",
))

_COLS = ("sellerid, offerid, sellingasset, buyingasset, amount, pricen, priced, "
         "flags, lastmodified, extension, ledgerext")
_SQL_GET = f"SELECT {_COLS} FROM offers WHERE offerid = ?"
_SQL_BEST = (f"SELECT {_COLS}, price FROM offers WHERE sellingasset = ? AND buyingasset = ? "
             "ORDER BY price, offerid LIMIT ?")
_SQL_BEST_WORSE = (f"SELECT {_COLS}, price FROM offers WHERE sellingasset = ? AND buyingasset = ? "
                   "AND (price > ? OR (price = ? AND offerid > ?)) ORDER BY price, offerid LIMIT ?")
_SQL_UPSERT = ("INSERT OR REPLACE INTO offers (sellerid, offerid, sellingasset, buyingasset, amount, "
               "pricen, priced, price, flags, lastmodified, extension, ledgerext) "
               "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
_SQL_BY_SELLER = "SELECT offerid FROM offers WHERE sellerid = ?"
_KEY_HEAD = OFFER_KEY_PREFIX + b"\x00\x00\x00\x00"   # OFFER, PUBLIC_KEY_TYPE_ED25519


class _BestOffers:
    """The head of one pair's book, in order: (price, offerID, key) items
    and their read-only entries (rows until first returned); `complete`
    once the whole book is here."""

    __slots__ = ("items", "entries", "complete", "next_batch")

    def __init__(self):
        self.items: list = []
        self.entries: dict = {}
        self.complete = False
        self.next_batch = 4


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


class SqlOrderBook:
    """The root-side offer store over the `offers` table (same interface as
    ledger.order_book.MemoryOrderBook)."""

    def __init__(self, db: Database, create: bool = True):
        self.db = db
        if create:
            db.create("offers")
        self._conn = db._conn
        self._assets: dict[str, object] = {}     # base64 -> decoded Asset (read-only, shared)
        self._sellers: dict[str, object] = {}    # strkey -> PublicKey
        self._best: dict[tuple, _BestOffers] = {}  # pair -> the cached head of its book
        self._cached_pair: dict[bytes, tuple] = {}  # key -> pair whose cache holds it

    def __len__(self):
        return self._conn.execute("SELECT COUNT(*) FROM offers").fetchone()[0]

    # -- decoding ---------------------------------------------------------
    def _asset(self, b64: str):
        a = self._assets.get(b64)
        if a is None:
            if len(self._assets) > 4096:
                self._assets.clear()
            a = self._assets[b64] = xdr.Asset.from_xdr(base64.b64decode(b64))
        return a

    def _seller(self, sk: str):
        """(PublicKey, raw ed25519) of a strkey seller, cached: base32 and
        its checksum cost more than the rest of a row."""
        p = self._sellers.get(sk)
        if p is None:
            if len(self._sellers) > 65536:
                self._sellers.clear()
            raw = strkey.decode("G", sk)
            p = self._sellers[sk] = (xdr.PublicKey(ed25519=raw), raw)
        return p

    def _entry(self, row):
        seller = self._seller(row[0])[0]
        offer = xdr.OfferEntry(
            sellerID=seller, offerID=row[1], selling=self._asset(row[2]), buying=self._asset(row[3]),
            amount=row[4], price=xdr.Price(n=row[5], d=row[6]), flags=row[7],
            ext=xdr.OfferEntryExt.from_xdr(base64.b64decode(row[9])))
        return xdr.LedgerEntry(lastModifiedLedgerSeq=row[8], data=xdr.LedgerEntryData(offer=offer),
                               ext=xdr.LedgerEntryExt.from_xdr(base64.b64decode(row[10])))

    def _key(self, row) -> bytes:
        return _KEY_HEAD + self._seller(row[0])[1] + struct.pack(">q", row[1])

    # -- the store interface ------------------------------------------------
    def get(self, key: bytes):
        offer_id = struct.unpack(">q", key[-8:])[0]
        row = self._conn.execute(_SQL_GET, (offer_id,)).fetchone()
        if row is None:
            return None
        e = self._entry(row)
        if e.data.offer.sellerID.ed25519 != key[8:40]:
            return None
        return e

    def put(self, key: bytes, entry) -> None:
        self.put_many([entry])

    def put_many(self, entries) -> None:
        rows = []
        for e in entries:
            o = e.data.offer
            if self._best:
                self._invalidate(_KEY_HEAD + o.sellerID.ed25519 + struct.pack(">q", o.offerID), offer_pair(o))
            rows.append((strkey.encode("G", o.sellerID.ed25519), o.offerID,
                         _b64(o.selling.to_xdr()), _b64(o.buying.to_xdr()), o.amount,
                         o.price.n, o.price.d, float(o.price.n) / float(o.price.d), o.flags,
                         e.lastModifiedLedgerSeq, _b64(o.ext.to_xdr()), _b64(e.ext.to_xdr())))
        self._conn.executemany(_SQL_UPSERT, rows)

    def delete(self, key: bytes) -> None:
        if self._best:
            self._invalidate(key, None)
        self._conn.execute("DELETE FROM offers WHERE offerid = ? AND sellerid = ?",
                           (struct.unpack(">q", key[-8:])[0], strkey.encode("G", key[8:40])))

    def best(self, pair, worse_than=None, excluded=()):
        """(descriptor, key, entry) of the best offer of `pair` strictly
        worse than `worse_than` whose key no level above overrides."""
        cached = self._best.get(pair)
        if cached is None:
            cached = self._best[pair] = _BestOffers()
        items = cached.items
        i = first_worse_index(items, worse_than)
        while True:
            n = len(items)
            while i < n:
                item = items[i]
                k = item[2]
                if excluded and excluded_by_any(k, excluded):
                    i += 1
                    continue
                e = cached.entries[k]
                if type(e) is tuple:      # decoded on first use
                    e = cached.entries[k] = self._entry(e)
                return (item[0], item[1]), k, e
            if cached.complete:
                return None
            self._extend(pair, cached)

    def _extend(self, pair, cached) -> None:
        """Load the next batch of the pair's book after what is cached
        (stellar-core LedgerTxnRoot loadBestOffers into mBestOffers)."""
        buying, selling = _b64(pair[0]), _b64(pair[1])
        batch = cached.next_batch
        cached.next_batch = min(batch * 4, 4096)
        if cached.items:
            last = cached.items[-1]
            rows = self._conn.execute(_SQL_BEST_WORSE, (selling, buying, last[0], last[0], last[1],
                                                        batch)).fetchall()
        else:
            rows = self._conn.execute(_SQL_BEST, (selling, buying, batch)).fetchall()
        for row in rows:
            key = self._key(row)
            cached.items.append((row[11], row[1], key))
            cached.entries[key] = row
            self._cached_pair[key] = pair
        if len(rows) < batch:
            cached.complete = True

    def _invalidate(self, key: bytes, pair) -> None:
        old = self._cached_pair.pop(key, None)
        for p in (old, pair):
            if p is not None:
                c = self._best.pop(p, None)
                if c is not None:
                    for k in c.entries:
                        self._cached_pair.pop(k, None)

    def keys_of_seller(self, prefix: bytes) -> list:
        """Offer keys starting with `prefix`: an account's offers (type,
        key type and the 32-byte seller) or, with a shorter prefix, every
        offer (prepareLiabilities walks them all)."""
        if len(prefix) < 40:
            rows = self._conn.execute("SELECT sellerid, offerid FROM offers").fetchall()
            keys = [_KEY_HEAD + strkey.decode("G", r[0]) + struct.pack(">q", r[1]) for r in rows]
            return sorted(k for k in keys if k.startswith(prefix))
        seller = strkey.encode("G", prefix[8:40])
        rows = self._conn.execute(_SQL_BY_SELLER, (seller,)).fetchall()
        return [_KEY_HEAD + prefix[8:40] + struct.pack(">q", r[0]) for r in rows]
