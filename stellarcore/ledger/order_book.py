"""The order book as the ledger state layer sees it (stellar-core
ledger/LedgerTxnOfferSQL.cpp isBetterOffer, and the root's best-offer
queries).

Why this module: the DEX asks one question over and over - "the best offer
selling X for Y" - and the answer is consensus: the order is the offer's
price as a C double `n / d`, ties broken by the lower offer ID (PARITY_TRAPS
D2; an exact rational order picks a different offer when two prices
collide in double precision). Python floats are IEEE doubles and
`float(n) / float(d)` rounds exactly as C++ does, so a descriptor is the
tuple `(price, offerID)` and tuple order is stellar-core's order.

`MemoryOrderBook` is the root-side store the tests' ledger uses; the node
keeps the same interface over SQLite (stellarcore/database/offers.py).
Every store answers:

  get(key) -> entry | None
  put(key, entry) / delete(key)
  best(pair, worse_than, excluded) -> (descriptor, key, entry) | None
  keys_of_seller(seller_key_prefix) -> [key]

`pair` is `(buying XDR, selling XDR)`; `excluded` is a sequence of
containers of keys that the LedgerTxn levels above the root override.
"""
from __future__ import annotations

from bisect import bisect_left, insort
from typing import Optional

from stellarcore import xdr

OFFER_KEY_PREFIX = xdr.LedgerEntryType.OFFER.to_bytes(4, "big")


def offer_descriptor(offer) -> tuple:
    """(price, offerID): smaller is better (isBetterOffer)."""
    return (float(offer.price.n) / float(offer.price.d), offer.offerID)


def asset_pair(buying, selling) -> tuple:
    return (buying.to_xdr(), selling.to_xdr())


def offer_pair(offer) -> tuple:
    return (offer.buying.to_xdr(), offer.selling.to_xdr())


def seller_prefix(account_id) -> bytes:
    """The prefix every offer key of `account_id` starts with."""
    return OFFER_KEY_PREFIX + account_id.to_xdr()


def excluded_by_any(key, excluded) -> bool:
    """Whether a LedgerTxn level above overrides `key`."""
    for s in excluded:
        if key in s:
            return True
    return False


def first_worse_index(lst: list, worse_than) -> int:
    """Index of the first (price, id, key) strictly worse than `worse_than`."""
    if worse_than is None:
        return 0
    return bisect_left(lst, (worse_than[0], worse_than[1] + 1))


class PairIndex:
    """Offers per asset pair, each list sorted by (price, offerID, key)."""

    __slots__ = ("_lists", "_where")

    def __init__(self):
        self._lists: dict = {}
        self._where: dict = {}    # key -> (pair, (price, id, key))

    def __len__(self):
        return len(self._where)

    def add(self, key: bytes, offer) -> None:
        self.remove(key)
        pair = (offer.buying.to_xdr(), offer.selling.to_xdr())
        item = (float(offer.price.n) / float(offer.price.d), offer.offerID, key)
        lst = self._lists.get(pair)
        if lst is None:
            self._lists[pair] = [item]
        else:
            insort(lst, item)
        self._where[key] = (pair, item)

    def remove(self, key: bytes) -> None:
        w = self._where.pop(key, None)
        if w is None:
            return
        lst = self._lists[w[0]]
        i = bisect_left(lst, w[1])
        del lst[i]
        if not lst:
            del self._lists[w[0]]

    def best(self, pair, worse_than, excluded, skip=None) -> Optional[tuple]:
        """(descriptor, key) of the best offer not excluded, or None."""
        lst = self._lists.get(pair)
        if not lst:
            return None
        for i in range(first_worse_index(lst, worse_than), len(lst)):
            p, oid, k = lst[i]
            if skip is not None and k in skip:
                continue
            if excluded and excluded_by_any(k, excluded):
                continue
            return (p, oid), k
        return None

    def pairs(self):
        return self._lists.keys()


class MemoryOrderBook:
    """All offers in memory, with the pair index (the tests' root store)."""

    def __init__(self):
        self._entries: dict = {}
        self._index = PairIndex()

    def __len__(self):
        return len(self._entries)

    def get(self, key: bytes):
        return self._entries.get(key)

    def put(self, key: bytes, entry) -> None:
        self._entries[key] = entry
        self._index.add(key, entry.data.offer)

    def delete(self, key: bytes) -> None:
        if self._entries.pop(key, None) is not None:
            self._index.remove(key)

    def best(self, pair, worse_than=None, excluded=()):
        r = self._index.best(pair, worse_than, excluded)
        if r is None:
            return None
        return r[0], r[1], self._entries[r[1]]

    def keys_of_seller(self, prefix: bytes) -> list:
        return [k for k in self._entries if k.startswith(prefix)]

    def keys(self):
        return self._entries.keys()
