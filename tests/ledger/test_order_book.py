"""The order book through nested LedgerTxns: best offer by (double price,
offer ID) over the whole chain, by-seller queries, and the SQLite store.

The oracle is stellar-core's definition (LedgerTxn getBestOfferSlow and
LedgerTxnOfferSQL isBetterOffer): among the live offers of the newest
state with that buying/selling pair, the smallest `double(n)/double(d)`,
then the smallest offer ID - computed here by brute force over a plain
dict that mirrors every write, never through the code under test.
"""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from stellarcore import xdr
from stellarcore.database import Database
from stellarcore.ledger.keys import offer_key
from stellarcore.ledger.ledger_txn import InMemoryRoot, LedgerTxn
from stellarcore.ledger.offers_sql import SqlOrderBook
from stellarcore.ledger.order_book import MemoryOrderBook


def _header():
    return xdr.LedgerHeader(
        ledgerVersion=25, previousLedgerHash=b"\0" * 32,
        scpValue=xdr.StellarValue(txSetHash=b"\0" * 32, closeTime=1, upgrades=[], ext=xdr.StellarValueExt(0)),
        txSetResultHash=b"\0" * 32, bucketListHash=b"\0" * 32, ledgerSeq=3, totalCoins=0, feePool=0,
        inflationSeq=0, idPool=0, baseFee=100, baseReserve=100, maxTxSetSize=100,
        skipList=[b"\0" * 32] * 4, ext=xdr.LedgerHeaderExt(0))


SELLERS = [xdr.PublicKey(ed25519=bytes([i]) * 32) for i in range(1, 4)]
ISSUER = xdr.PublicKey(ed25519=b"\x09" * 32)
NATIVE = xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE)
USD = xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4, xdr.AlphaNum4(assetCode=b"USD\0", issuer=ISSUER))
EUR = xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4, xdr.AlphaNum4(assetCode=b"EUR\0", issuer=ISSUER))
ASSETS = [NATIVE, USD, EUR]
# Prices that are different rationals but the same double (PARITY_TRAPS D2)
# next to ordinary ones.
BIG = 2**31 - 1
PRICES = [(1, 1), (1, 2), (2, 1), (3, 7), (BIG - 1, BIG), (BIG - 2, BIG - 1), (5, 3)]


def offer_entry(seller, offer_id, selling, buying, n, d, amount=100):
    o = xdr.OfferEntry(sellerID=seller, offerID=offer_id, selling=selling, buying=buying, amount=amount,
                       price=xdr.Price(n=n, d=d), flags=0, ext=xdr.OfferEntryExt(0))
    return xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=xdr.LedgerEntryData(offer=o), ext=xdr.LedgerEntryExt(0))


def brute_best(view: dict, buying, selling):
    live = [e for e in view.values() if e.data.offer.buying == buying and e.data.offer.selling == selling]
    if not live:
        return None
    return min(live, key=lambda e: (e.data.offer.price.n / e.data.offer.price.d, e.data.offer.offerID))


def make_root(kind: str):
    if kind == "memory":
        return InMemoryRoot(_header(), offers=MemoryOrderBook())
    return InMemoryRoot(_header(), offers=SqlOrderBook(Database(":memory:")))


@pytest.fixture(params=["memory", "sql"])
def root(request):
    return make_root(request.param)


def test_double_collision_breaks_tie_by_offer_id(root):
    """Two prices equal as doubles, different as rationals: the lower offer
    ID wins even though its exact price is higher."""
    hi, lo = (BIG - 1, BIG), (BIG - 2, BIG - 1)
    assert Fraction(*hi) > Fraction(*lo) and hi[0] / hi[1] == lo[0] / lo[1]
    root.put(offer_entry(SELLERS[0], 7, USD, NATIVE, *hi))
    root.put(offer_entry(SELLERS[1], 8, USD, NATIVE, *lo))
    ltx = LedgerTxn(root)
    assert ltx.get_best_offer(NATIVE, USD).data.offer.offerID == 7
    ltx.rollback()


def test_best_offer_sees_child_changes_and_commit(root):
    root.put(offer_entry(SELLERS[0], 1, USD, NATIVE, 1, 1))
    root.put(offer_entry(SELLERS[0], 2, USD, NATIVE, 2, 1))
    ltx = LedgerTxn(root)
    assert ltx.get_best_offer(NATIVE, USD).data.offer.offerID == 1
    child = LedgerTxn(ltx)
    best = child.load_best_offer(NATIVE, USD)
    assert best.data.offer.offerID == 1
    child.erase(offer_key(SELLERS[0], 1))
    assert child.load_best_offer(NATIVE, USD).data.offer.offerID == 2
    child.create(offer_entry(SELLERS[1], 3, USD, NATIVE, 1, 3))
    assert child.load_best_offer(NATIVE, USD).data.offer.offerID == 3
    e = child.load_best_offer(NATIVE, USD)
    e.data.offer.price = xdr.Price(n=5, d=1)          # re-priced in place by its owner
    assert child.load_best_offer(NATIVE, USD).data.offer.offerID == 2
    child.commit()
    assert ltx.get_best_offer(NATIVE, USD).data.offer.offerID == 2
    assert ltx.get_best_offer(USD, NATIVE) is None
    ltx.commit()
    ltx = LedgerTxn(root)
    assert [ltx.get_best_offer(NATIVE, USD).data.offer.offerID] == [2]
    assert root.get_entry(offer_key(SELLERS[0], 1)) is None
    assert root.get_entry(offer_key(SELLERS[1], 3)).data.offer.price == xdr.Price(n=5, d=1)
    ltx.rollback()


def test_load_offers_by_account_and_asset(root):
    root.put(offer_entry(SELLERS[0], 1, USD, NATIVE, 1, 1))
    root.put(offer_entry(SELLERS[0], 2, EUR, NATIVE, 1, 1))
    root.put(offer_entry(SELLERS[0], 3, NATIVE, USD, 1, 1))
    root.put(offer_entry(SELLERS[1], 4, USD, NATIVE, 1, 1))
    ltx = LedgerTxn(root)
    ltx.create(offer_entry(SELLERS[0], 5, EUR, USD, 1, 1))
    got = [e.data.offer.offerID for e in ltx.load_offers_by_account_and_asset(SELLERS[0], USD)]
    assert got == [1, 3, 5]
    ch = ltx.get_changes()   # loaded for write: recorded like stellar-core's LedgerTxnEntry
    assert sum(1 for c in ch if c.type == xdr.LedgerEntryChangeType.LEDGER_ENTRY_STATE) == 2
    ltx.rollback()


# -- model-based: random writes in nested transactions ----------------------
_action = st.tuples(st.sampled_from(["create", "erase", "reprice", "open", "commit", "rollback",
                                     "best", "load_best"]),
                    st.integers(0, 30), st.integers(0, len(PRICES) - 1),
                    st.integers(0, 2), st.integers(0, 2), st.integers(0, 2))


@pytest.mark.parametrize("kind", ["memory", "sql"])
@settings(max_examples=150, deadline=None)
@given(actions=st.lists(_action, min_size=20, max_size=80))
def test_best_offer_matches_brute_force(kind, actions):
    root = make_root(kind)
    views = [{}]              # one dict per open level; views[-1] is the newest state
    for i in range(8):        # a stored book
        a, b = ASSETS[i % 3], ASSETS[(i + 1) % 3]
        e = offer_entry(SELLERS[i % 3], 100 + i, a, b, *PRICES[i % len(PRICES)])
        root.put(e)
        views[0][offer_key(SELLERS[i % 3], 100 + i)] = e
    used_ids = set()
    stack = [LedgerTxn(root)]
    views.append(dict(views[0]))
    for act, oid, pi, si, ai, bi in actions:
        ltx = stack[-1]
        view = views[-1]
        selling, buying = ASSETS[ai], ASSETS[bi]
        if act == "create":
            if selling == buying:
                continue
            seller = SELLERS[si]
            k = offer_key(seller, oid)
            if oid in used_ids:       # offer IDs come from the header's id pool: never reused
                continue
            used_ids.add(oid)
            e = offer_entry(seller, oid, selling, buying, *PRICES[pi])
            ltx.create(e)
            view[k] = e
        elif act in ("erase", "reprice"):
            keys = sorted(view)
            if not keys:
                continue
            k = keys[oid % len(keys)]
            if act == "erase":
                ltx.erase(k)
                del view[k]
            else:
                e = ltx.load(k)
                e.data.offer.price = xdr.Price(n=PRICES[pi][0], d=PRICES[pi][1])
                view[k] = e
        elif act == "open":
            stack.append(LedgerTxn(ltx))
            views.append({k: e.copy() for k, e in view.items()})
        elif act in ("commit", "rollback"):
            if len(stack) == 1:
                continue
            stack.pop()
            top = views.pop()
            if act == "commit":
                ltx.commit()
                views[-1] = top
            else:
                ltx.rollback()
        else:
            want = brute_best(view, buying, selling)
            got = (ltx.get_best_offer(buying, selling) if act == "best"
                   else ltx.load_best_offer(buying, selling))
            if want is None:
                assert got is None
            else:
                assert got is not None and got.data.offer.offerID == want.data.offer.offerID
                if act == "load_best":
                    view[offer_key(got.data.offer.sellerID, got.data.offer.offerID)] = got
    while len(stack) > 1:
        stack.pop().commit()
        top = views.pop()
        views[-1] = top
    stack[0].commit()
    final = views[-1]
    after = LedgerTxn(root)
    for b in ASSETS:
        for s in ASSETS:
            want = brute_best(final, b, s)
            got = after.get_best_offer(b, s)
            assert (got is None) == (want is None)
            if got is not None:
                assert got.data.offer.offerID == want.data.offer.offerID
    after.rollback()
