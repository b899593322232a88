"""Ledgers and transactions for the DEX benchmarks (perf/test_dex.py).

* `crossing_ledger(n_offers)`: sellers each holding up to 100 offers
  selling USD for XLM at rising prices, built through the real
  ManageSellOffer (so liabilities and reserves are stellar-core's), and a
  taker whose one PathPaymentStrictReceive buys the whole book.
* `manage_offer_set(n_accounts, n_txs)`: accounts with USD trustlines, and
  n_txs signed one-op ManageSellOffer transactions - half selling USD for
  XLM, half XLM for USD, at prices that never cross - so every op runs
  the full ManageOffer path including the best-offer query that finds
  nothing to cross.
* `bulk_offers_sql(path, n)`: an `offers` table of n offers over 20 asset
  pairs, written row by row in stellar-core's column format.

States are snapshotted so each benchmark round starts from the same ledger.
"""
from __future__ import annotations

import base64
import random
import struct

from stellarcore import xdr
from stellarcore.crypto import strkey
from stellarcore.crypto.keys import SecretKey
from stellarcore.database import Database
from stellarcore.ledger.keys import account_key, trustline_key
from stellarcore.ledger.ledger_txn import InMemoryRoot, LedgerTxn
from stellarcore.ledger.offers_sql import SqlOrderBook
from stellarcore.ledger.order_book import MemoryOrderBook
from stellarcore.transactions.apply import apply_transaction, process_fee
from stellarcore.transactions.frame import make_transaction_frame
from tests.transactions import dexscen as D
from tests.transactions.harness import NETWORK_ID, TestLedger, credit, native, tx_envelope

INT64_MAX = (1 << 63) - 1
OFFERS_PER_SELLER = 100


def snapshot(L: TestLedger):
    """(header, entries, offers) of a TestLedger's root, to restore per round."""
    r = L.root_store
    return (r.header.copy(), dict(r.entries), [r.offers.get(k) for k in list(r.offers.keys())])


def restore(snap) -> InMemoryRoot:
    header, entries, offers = snap
    root = InMemoryRoot(header.copy(), offers=MemoryOrderBook())
    root.entries = dict(entries)
    for e in offers:
        root.put(e)
    return root


def apply_envelopes(root: InMemoryRoot, envelopes_xdr: list, meta: bool = False) -> list:
    """Decode, charge and apply the transactions in one ledger; returns the
    TransactionResults."""
    ltx = LedgerTxn(root)
    frames = [make_transaction_frame(NETWORK_ID, xdr.TransactionEnvelope.from_xdr(b)) for b in envelopes_xdr]
    charged = [process_fee(ltx, f, 100, meta)[0] for f in frames]
    for f, r in zip(frames, charged):
        apply_transaction(ltx, f, r, NETWORK_ID, classic_events=False, meta_enabled=meta)
    ltx.commit()
    return charged


def crossing_ledger(n_offers: int = 1000):
    """(snapshot, path-payment envelope XDR, payment envelope XDR)."""
    L = TestLedger(invariants=False)
    issuer = L.root.create("issuer", 10 ** 12)
    usd, xlm = credit("USD", issuer), native()
    n_sellers = (n_offers + OFFERS_PER_SELLER - 1) // OFFERS_PER_SELLER
    per_offer = 10_000
    for s in range(n_sellers):
        seller = L.root.create(f"seller{s}", 10 ** 12)
        D.fund(issuer, seller, usd, OFFERS_PER_SELLER * per_offer)
        count = min(OFFERS_PER_SELLER, n_offers - s * OFFERS_PER_SELLER)
        ops = [D.op_manage_sell_offer(0, usd, xlm, D.price(1000 + s * OFFERS_PER_SELLER + i, 1000), per_offer)
               for i in range(count)]
        for i in range(0, len(ops), 100):
            D.apply_ops(seller, ops[i:i + 100])
    taker = L.root.create("taker", 10 ** 13)
    D.change_trust(taker, usd)
    other = L.root.create("other", 10 ** 9)
    pp = tx_envelope(taker, taker.seq + 1, [D.op_path_payment_strict_receive(
        taker, xlm, INT64_MAX, usd, n_offers * per_offer)])
    pay = tx_envelope(taker, taker.seq + 1, [D.op_payment(other, xlm, 1000)])
    return snapshot(L), pp.to_xdr(), pay.to_xdr()


def manage_offer_set(n_accounts: int = 1000, n_txs: int = 10_000, seed: int = 7):
    """(snapshot, [envelope XDR]) - the accounts are written straight into
    the root (as the payments benchmark does), the offers are signed txs."""
    rng = random.Random(seed)
    L = TestLedger(invariants=False)
    issuer = L.root.create("issuer", 10 ** 12)
    usd, xlm = credit("USD", issuer), native()
    keys = [SecretKey.for_test_account(f"mo{i}") for i in range(n_accounts)]
    root = L.root_store
    for k in keys:
        aid = xdr.PublicKey(ed25519=k.public_key.ed25519)
        acc = xdr.AccountEntry(accountID=aid, balance=10 ** 12, seqNum=1 << 32, numSubEntries=1,
                               inflationDest=None, flags=0, homeDomain=b"", thresholds=b"\x01\x00\x00\x00",
                               signers=[], ext=xdr.AccountEntryExt(0))
        root.put(xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=xdr.LedgerEntryData(account=acc),
                                 ext=xdr.LedgerEntryExt(0)))
        tl = xdr.TrustLineEntry(accountID=aid, asset=D.tl_asset(usd), balance=10 ** 12, limit=INT64_MAX,
                                flags=xdr.TrustLineFlags.AUTHORIZED_FLAG, ext=xdr.TrustLineEntryExt(0))
        root.put(xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=xdr.LedgerEntryData(trustLine=tl),
                                 ext=xdr.LedgerEntryExt(0)))
    seqs = [1 << 32] * n_accounts
    envs = []
    for i in range(n_txs):
        a = i % n_accounts
        seqs[a] += 1
        # USD->XLM at 1.001..2 XLM/USD and XLM->USD at 1.001..2 USD/XLM: p*q > 1, no cross
        n = rng.randint(1001, 2000)
        if a % 2 == 0:
            op = D.op_manage_sell_offer(0, usd, xlm, D.price(n, 1000), rng.randint(1, 10 ** 6))
        else:
            op = D.op_manage_sell_offer(0, xlm, usd, D.price(n, 1000), rng.randint(1, 10 ** 6))
        src = xdr.MuxedAccount(ed25519=keys[a].public_key.ed25519)
        envs.append(tx_envelope(src, seqs[a], [op], signers=[keys[a]]).to_xdr())
    return snapshot(L), envs


# -- a big order book in SQLite ------------------------------------------------------
ISSUER = xdr.PublicKey(ed25519=b"\x07" * 32)
BOOK_ASSETS = [xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE)] + [
    xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4, xdr.AlphaNum4(assetCode=c + b"\0", issuer=ISSUER))
    for c in (b"USD", b"EUR", b"JPY", b"GBP")]
BOOK_PAIRS = [(a, b) for a in BOOK_ASSETS for b in BOOK_ASSETS if a != b]   # (selling, buying)


def bulk_offers_sql(path: str, n: int, seed: int = 3) -> SqlOrderBook:
    """An offers table of n offers from 10,000 sellers over BOOK_PAIRS."""
    db = Database(path)
    book = SqlOrderBook(db)
    rng = random.Random(seed)
    sellers = [strkey.encode("G", struct.pack(">I", i) * 8) for i in range(10_000)]
    b64 = [(base64.b64encode(s.to_xdr()).decode(), base64.b64encode(b.to_xdr()).decode()) for s, b in BOOK_PAIRS]
    ext = base64.b64encode(xdr.OfferEntryExt(0).to_xdr()).decode()
    lext = base64.b64encode(xdr.LedgerEntryExt(0).to_xdr()).decode()
    sql = ("INSERT INTO offers (sellerid, offerid, sellingasset, buyingasset, amount, pricen, priced, price, "
           "flags, lastmodified, extension, ledgerext) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
    batch = []
    for i in range(n):
        sa, ba = b64[i % len(b64)]
        pn, pd = rng.randint(1, 1 << 20), rng.randint(1, 1 << 20)
        batch.append((sellers[i % len(sellers)], i + 1, sa, ba, rng.randint(1, 10 ** 9), pn, pd,
                      float(pn) / float(pd), 0, 1, ext, lext))
        if len(batch) == 50_000:
            with db.transaction():
                db.executemany(sql, batch)
            batch = []
    if batch:
        with db.transaction():
            db.executemany(sql, batch)
    return book


def account_entry(root, secret) -> "xdr.LedgerEntry":
    return root.get_entry(account_key(xdr.PublicKey(ed25519=secret.public_key.ed25519)))


def trustline_entry(root, account_id, asset):
    return root.get_entry(trustline_key(account_id, asset))
