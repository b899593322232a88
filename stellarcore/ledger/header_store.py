"""Closed ledger headers in SQL (stellar-core ledger/LedgerHeaderUtils).

Why a table of headers: on restart the node finds its last closed ledger
by the hash in storestate (`lastclosedledger`) and loads that header from
here; history publishing streams ranges of them; old ones are trimmed.
The table is stellar-core's: `data` is the base64 XDR of the LedgerHeader,
the other columns (hex hashes, sequence, close time) only serve lookups,
so a database written here can be read with stellar-core's queries.

Every load re-checks what it read - the hash of the decoded header equals
the row's hash, its sequence equals the one asked for, and the header is
valid (LedgerHeaderUtils::isValid) - and a row that fails raises one
LedgerHeaderStoreError naming the row.

Transactions: nothing here opens, commits or rolls back; the ledger
manager stores the header on its open SQL transaction together with the
offers and storestate rows of the same close.
"""
from __future__ import annotations

import base64
import binascii
import sqlite3

from stellarcore import xdr
from stellarcore.crypto.sha import sha256
from stellarcore.database.database import Database, register_schema

__all__ = [
    "LedgerHeaderStoreError", "is_valid", "store_in_database", "decode_from_data", "load_by_hash",
    "load_by_sequence", "load_max_ledger_seq", "delete_old_entries", "load_range", "drop_all",
    "ensure_table",
]

_INT32_MAX = (1 << 31) - 1
_INT64_MAX = (1 << 63) - 1

register_schema("ledgerheaders", (
    "CREATE TABLE ledgerheaders ("
    "ledgerhash CHARACTER(64) PRIMARY KEY, "
    "prevhash CHARACTER(64) NOT NULL, "
    "bucketlisthash CHARACTER(64) NOT NULL, "
    "ledgerseq INT UNIQUE CHECK (ledgerseq >= 0), "
    "closetime BIGINT NOT NULL CHECK (closetime >= 0), "
    "data TEXT NOT NULL)",
    "CREATE INDEX ledgersbyseq ON ledgerheaders (ledgerseq)",
))


class LedgerHeaderStoreError(ValueError):
    """An invalid header, or a ledgerheaders row that does not hold what
    its columns say."""


def ensure_table(db: Database) -> None:
    """Create the table if it is missing."""
    db.create("ledgerheaders")


def drop_all(db: Database) -> None:
    """Recreate the table empty (LedgerHeaderUtils::dropAll, new-db)."""
    db.drop_and_create("ledgerheaders")


def is_valid(header) -> bool:
    """LedgerHeaderUtils::isValid: the bounds SQL's signed columns need."""
    return (header.ledgerSeq <= _INT32_MAX and header.scpValue.closeTime <= _INT64_MAX
            and header.feePool >= 0 and header.idPool <= _INT64_MAX)


def store_in_database(db: Database, header) -> bytes:
    """Insert a LedgerHeader (or a LedgerHeaderHistoryEntry, whose hash is
    checked) and return its hash. Storing a ledger twice is an error.
    Runs on the caller's transaction; commits nothing."""
    if isinstance(header, xdr.LedgerHeaderHistoryEntry):
        entry = header
        header = entry.header
        data = header.to_xdr()
        h = sha256(data)
        if h != bytes(entry.hash):
            raise LedgerHeaderStoreError(f"header entry hash {bytes(entry.hash).hex()} is not the hash "
                                         f"of its header ({h.hex()})")
    else:
        data = header.to_xdr()
        h = sha256(data)
    if not is_valid(header):
        raise LedgerHeaderStoreError("invalid ledger header (insert)")
    try:
        cur = db.execute(
            "INSERT INTO ledgerheaders (ledgerhash, prevhash, bucketlisthash, ledgerseq, closetime, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (h.hex(), bytes(header.previousLedgerHash).hex(), bytes(header.bucketListHash).hex(),
             header.ledgerSeq, header.scpValue.closeTime, base64.b64encode(data).decode()))
    except sqlite3.IntegrityError as e:
        raise LedgerHeaderStoreError(f"cannot store ledger {header.ledgerSeq} ({h.hex()}): {e}") from None
    if cur.rowcount != 1:
        raise LedgerHeaderStoreError("Could not update data in SQL")
    return h


def decode_from_data(data) -> "xdr.LedgerHeader":
    """The LedgerHeader of a `data` column value (base64 XDR), checked valid."""
    if not isinstance(data, str):
        raise LedgerHeaderStoreError(f"ledger header data is {type(data).__name__}, not base64 text")
    try:
        header = xdr.LedgerHeader.from_xdr(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError) as e:
        raise LedgerHeaderStoreError(f"ledger header data is not base64 XDR of a LedgerHeader: {e}") from None
    if not is_valid(header):
        raise LedgerHeaderStoreError("invalid ledger header (load)")
    return header


def load_by_hash(db: Database, ledger_hash: bytes):
    """The header whose hash is `ledger_hash`, or None."""
    ledger_hash = bytes(ledger_hash)
    row = db.query_one("SELECT data FROM ledgerheaders WHERE ledgerhash = ?", (ledger_hash.hex(),))
    if row is None:
        return None
    header = _decode_row(row[0], f"hash {ledger_hash.hex()}")
    got = sha256(header.to_xdr())
    if got != ledger_hash:
        raise LedgerHeaderStoreError(f"Wrong hash in ledger header database: loaded ledger {got.hex()} "
                                     f"contains {ledger_hash.hex()}")
    return header


def load_by_sequence(db: Database, seq: int):
    """The header of ledger `seq`, or None."""
    row = db.query_one("SELECT data FROM ledgerheaders WHERE ledgerseq = ?", (seq,))
    if row is None:
        return None
    header = _decode_row(row[0], f"ledgerseq {seq}")
    if header.ledgerSeq != seq:
        raise LedgerHeaderStoreError(f"Wrong sequence number in ledger header database: loaded ledger "
                                     f"{seq} contains {header.ledgerSeq}")
    return header


def load_max_ledger_seq(db: Database) -> int:
    """The highest stored sequence, 0 when none."""
    row = db.query_one("SELECT MAX(ledgerseq) FROM ledgerheaders")
    return 0 if row is None or row[0] is None else int(row[0])


def delete_old_entries(db: Database, ledger_seq: int, count: int) -> None:
    """Delete up to `count` of the oldest headers, never one above
    `ledger_seq` (DatabaseUtils::deleteOldEntriesHelper: every row with
    ledgerseq <= min(MIN(ledgerseq) + count, ledger_seq))."""
    row = db.query_one("SELECT MIN(ledgerseq) FROM ledgerheaders")
    if row is None or row[0] is None:
        return
    m = min(int(row[0]) + count, ledger_seq)
    db.execute("DELETE FROM ledgerheaders WHERE ledgerseq <= ?", (m,))


def load_range(db: Database, ledger_seq: int, count: int) -> list:
    """LedgerHeaderHistoryEntry of ledgers [ledger_seq, ledger_seq + count)
    in order (copyToStream's query, for history checkpoints)."""
    rows = db.query_all("SELECT data FROM ledgerheaders WHERE ledgerseq >= ? AND ledgerseq < ? "
                        "ORDER BY ledgerseq ASC", (ledger_seq, ledger_seq + count))
    out = []
    for (data,) in rows:
        header = _decode_row(data, "in range")
        out.append(xdr.LedgerHeaderHistoryEntry(hash=sha256(header.to_xdr()), header=header,
                                                ext=xdr.LedgerHeaderHistoryEntryExt(0)))
    return out


def _decode_row(data, where: str):
    try:
        return decode_from_data(data)
    except LedgerHeaderStoreError as e:
        raise LedgerHeaderStoreError(f"ledgerheaders row {where}: {e}") from None
