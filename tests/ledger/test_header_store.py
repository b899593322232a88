"""The ledgerheaders table against stellar-core v25.0.1 LedgerHeaderUtils.

Oracles we did not write:
  * ledger/test/LedgerHeaderTests.cpp TEST_CASE("genesisledger"): the
    genesis header's fields and its hash caf73c70..., and "ledgerheader"
    (a closed header survives a restart: stored, then found by its hash);
  * the LedgerHeaderHistoryEntry of every ../shared ledger-close-meta file
    (stellar-core's own hashes);
  * stellar-sdk decodes the `data` column as a LedgerHeader;
  * DatabaseUtils.cpp deleteOldEntriesHelper's rule for trimming, and
    LedgerHeaderUtils.cpp's checks (isValid, "Wrong hash ...", "Wrong
    sequence number ...") for the error cases.
"""
import base64

import pytest
from hypothesis import given, settings, strategies as st

from stellarcore import xdr
from stellarcore.crypto.sha import sha256
from stellarcore.database import Database
from stellarcore.ledger import header_store as hs
from stellarcore.ledger.header_store import LedgerHeaderStoreError

from tests.conftest import shared_path

GENESIS_HASH = "caf73c70dde8134f792535756cc3212f65007883e8959adf92e48062f401e543"
GENESIS_BUCKET_LIST_HASH = "4e6a8404d33b17eee7031af0b3606b6af8e36fe5a3bff59e4e5e420bd0ad3bf4"
META_FILES = ["ledger-close-meta-v2-protocol-23.xdr", "ledger-close-meta-v2-protocol-23-soroban.xdr",
              "ledger-close-meta-v2-protocol-24.xdr", "ledger-close-meta-v2-protocol-24-soroban.xdr"]


def genesis_header():
    """LedgerHeaderTests.cpp "genesisledger" (USE_CONFIG_FOR_GENESIS=false)."""
    return xdr.LedgerHeader(
        ledgerVersion=0, previousLedgerHash=bytes(32),
        scpValue=xdr.StellarValue(txSetHash=bytes(32), closeTime=0, upgrades=[], ext=xdr.StellarValueExt(0)),
        txSetResultHash=bytes(32), bucketListHash=bytes.fromhex(GENESIS_BUCKET_LIST_HASH), ledgerSeq=1,
        totalCoins=1000000000000000000, feePool=0, inflationSeq=0, idPool=0, baseFee=100,
        baseReserve=100000000, maxTxSetSize=100, skipList=[bytes(32)] * 4, ext=xdr.LedgerHeaderExt(0))


def header_at(seq, close_time=None, prev=bytes(32)):
    h = genesis_header()
    h.ledgerSeq = seq
    h.scpValue.closeTime = seq * 5 if close_time is None else close_time
    h.previousLedgerHash = prev
    return h


@pytest.fixture
def db():
    d = Database(":memory:")
    hs.ensure_table(d)
    return d


def test_genesis_header_hash_columns_and_round_trip(db):
    h = genesis_header()
    assert hs.store_in_database(db, h).hex() == GENESIS_HASH
    row = db.query_one("SELECT ledgerhash, prevhash, bucketlisthash, ledgerseq, closetime, data FROM ledgerheaders")
    assert row[:5] == (GENESIS_HASH, "00" * 32, GENESIS_BUCKET_LIST_HASH, 1, 0)
    import stellar_sdk
    sdk = stellar_sdk.xdr.LedgerHeader.from_xdr(row[5])
    assert sdk.ledger_seq.uint32 == 1 and sdk.total_coins.int64 == 10 ** 18
    assert hs.load_by_hash(db, bytes.fromhex(GENESIS_HASH)) == h
    assert hs.load_by_sequence(db, 1) == h
    assert hs.load_max_ledger_seq(db) == 1


def test_survives_reopening_the_database_file(tmp_path):
    """"ledgerheader": a closed ledger's header is found by its hash after
    the node restarts on the same database."""
    path = str(tmp_path / "stellar.db")
    d = Database(path)
    hs.ensure_table(d)
    with d.transaction():
        saved = hs.store_in_database(d, header_at(2, prev=bytes.fromhex(GENESIS_HASH)))
    d.close()
    d2 = Database(path)
    assert hs.load_by_hash(d2, saved).ledgerSeq == 2
    d2.close()


@pytest.mark.parametrize("name", META_FILES)
def test_headers_of_stellar_core_metas(db, name):
    data = shared_path("testdata", "ledger-close-meta-xdr", name).read_bytes()
    entry = xdr.LedgerCloseMeta.from_xdr(data).v2.ledgerHeader
    assert hs.store_in_database(db, entry) == bytes(entry.hash)
    assert hs.load_by_hash(db, bytes(entry.hash)) == entry.header
    assert hs.load_by_sequence(db, entry.header.ledgerSeq) == entry.header
    (got,) = hs.load_range(db, entry.header.ledgerSeq, 1)
    assert got.hash == entry.hash and got.header == entry.header


def test_absent_rows_are_none(db):
    assert hs.load_by_hash(db, bytes(32)) is None
    assert hs.load_by_sequence(db, 7) is None
    assert hs.load_max_ledger_seq(db) == 0
    assert hs.load_range(db, 1, 10) == []
    hs.delete_old_entries(db, 10, 5)      # empty table: nothing to do


@settings(max_examples=60, deadline=None)
@given(seqs=st.sets(st.integers(1, 40), min_size=1, max_size=15), ledger_seq=st.integers(0, 45),
       count=st.integers(0, 50))
def test_delete_old_entries_rule(seqs, ledger_seq, count):
    """deleteOldEntriesHelper: delete every row with ledgerseq <=
    min(MIN(ledgerseq) + count, ledger_seq)."""
    db = Database(":memory:")
    hs.ensure_table(db)
    for s in seqs:
        hs.store_in_database(db, header_at(s))
    hs.delete_old_entries(db, ledger_seq, count)
    cut = min(min(seqs) + count, ledger_seq)
    left = [r[0] for r in db.query_all("SELECT ledgerseq FROM ledgerheaders ORDER BY ledgerseq")]
    assert left == sorted(s for s in seqs if s > cut)
    assert [e.header.ledgerSeq for e in hs.load_range(db, 0, 100)] == left


def test_load_range_in_order_with_hashes(db):
    for s in (5, 3, 4, 9):
        hs.store_in_database(db, header_at(s))
    got = hs.load_range(db, 3, 3)
    assert [e.header.ledgerSeq for e in got] == [3, 4, 5]
    assert all(e.hash == sha256(e.header.to_xdr()) for e in got)
    assert hs.load_max_ledger_seq(db) == 9


def test_store_joins_the_callers_transaction(db):
    """Nothing commits inside: a failure later in the caller's transaction
    takes the header away with it."""
    with pytest.raises(RuntimeError):
        with db.transaction():
            hs.store_in_database(db, header_at(2))
            raise RuntimeError("the close failed after the header was written")
    assert hs.load_by_sequence(db, 2) is None
    db.execute("BEGIN")
    hs.store_in_database(db, header_at(3))
    db.execute("ROLLBACK")
    assert hs.load_max_ledger_seq(db) == 0


# -- errors --------------------------------------------------------------------------
def test_duplicate_store_is_one_clear_error(db):
    hs.store_in_database(db, header_at(2))
    with pytest.raises(LedgerHeaderStoreError, match="cannot store ledger 2"):
        hs.store_in_database(db, header_at(2))
    with pytest.raises(LedgerHeaderStoreError, match="cannot store ledger 2"):
        hs.store_in_database(db, header_at(2, close_time=99))   # same seq, other hash


@pytest.mark.parametrize("field,value", [("feePool", -1), ("ledgerSeq", 1 << 31)])
def test_invalid_header_is_refused(db, field, value):
    h = header_at(2)
    setattr(h, field, value)
    with pytest.raises(LedgerHeaderStoreError, match="invalid ledger header"):
        hs.store_in_database(db, h)
    assert hs.load_max_ledger_seq(db) == 0


def test_history_entry_with_wrong_hash_is_refused(db):
    e = xdr.LedgerHeaderHistoryEntry(hash=bytes(32), header=header_at(2), ext=xdr.LedgerHeaderHistoryEntryExt(0))
    with pytest.raises(LedgerHeaderStoreError, match="is not the hash of its header"):
        hs.store_in_database(db, e)


def _corrupt(db, seq, data):
    db.execute("UPDATE ledgerheaders SET data = ? WHERE ledgerseq = ?", (data, seq))


@pytest.mark.parametrize("data,match", [
    ("not base64!", "not base64 XDR"),
    (base64.b64encode(b"\0" * 10).decode(), "not base64 XDR"),
    ("", "not base64 XDR"),
])
def test_corrupt_data_is_one_clear_error(db, data, match):
    h = hs.store_in_database(db, header_at(2))
    _corrupt(db, 2, data)
    with pytest.raises(LedgerHeaderStoreError, match=match):
        hs.load_by_sequence(db, 2)
    with pytest.raises(LedgerHeaderStoreError, match="ledgerheaders row hash"):
        hs.load_by_hash(db, h)


def test_row_holding_another_header(db):
    """The LedgerHeaderUtils checks: the decoded header must have the
    row's hash and sequence."""
    h2 = hs.store_in_database(db, header_at(2))
    hs.store_in_database(db, header_at(3))
    other = base64.b64encode(header_at(3).to_xdr()).decode()
    _corrupt(db, 2, other)
    with pytest.raises(LedgerHeaderStoreError, match="Wrong hash in ledger header database"):
        hs.load_by_hash(db, h2)
    with pytest.raises(LedgerHeaderStoreError, match="Wrong sequence number .* loaded ledger 2 contains 3"):
        hs.load_by_sequence(db, 2)


def test_stored_invalid_header_is_refused_on_load(db):
    hs.store_in_database(db, header_at(2))
    bad = header_at(2)
    bad.feePool = -5
    _corrupt(db, 2, base64.b64encode(bad.to_xdr()).decode())
    with pytest.raises(LedgerHeaderStoreError, match="invalid ledger header \\(load\\)"):
        hs.load_by_sequence(db, 2)


def test_drop_all_recreates_empty(db):
    hs.store_in_database(db, header_at(2))
    hs.drop_all(db)
    assert hs.load_max_ledger_seq(db) == 0
    hs.store_in_database(db, header_at(2))
