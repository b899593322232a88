"""storestate / slotstate against stellar-core v25.0.1 main/PersistentState.cpp
and database/Database.cpp.

Oracles we did not write: the row names of PersistentState::mapping and
getStoreStateName's rules (slot index appended only when > 0, subscript
always appended to rebuildledger), getDBForEntry's split of the two tables,
updateDb's upsert, the schema numbers of Database.h (MIN 21, current 25)
and upgradeToCurrentSchema's messages, database/test/DatabaseTests.cpp
TEST_CASE("schema test") (a new database is at SCHEMA_VERSION),
main/Application.cpp validateNetworkPassphrase's message,
herder/test/HerderTests.cpp (hasTxSet after an SCP state is saved, not
after the tx sets are purged), history/test/HistoryTests.cpp "rebuild
ledger" (setRebuildForOfferTable survives a restart), and stellar-sdk,
which decodes what we store as PersistedSCPState.
"""
import base64

import pytest
from hypothesis import given, settings, strategies as st

from stellarcore import xdr
from stellarcore.database import Database
from stellarcore.ledger import persistent_state as ps_mod
from stellarcore.ledger.persistent_state import (Entry, PersistentState, PersistentStateError,
                                                 store_state_name, tx_set_state_name)


@pytest.fixture
def db():
    return Database(":memory:")


@pytest.fixture
def ps(db):
    return PersistentState(db)


def rows(db, table):
    return dict(db.query_all(f"SELECT statename, state FROM {table}"))


def test_names_are_stellar_cores():
    assert [store_state_name(e) for e in Entry] == [
        "lastclosedledger", "historyarchivestate", "databaseschema", "networkpassphrase",
        "rebuildledger0", "ledgerupgrades", "lastscpdataxdr", "txset"]
    assert store_state_name(Entry.LAST_SCP_DATA_XDR, 0) == "lastscpdataxdr"
    assert store_state_name(Entry.LAST_SCP_DATA_XDR, 7) == "lastscpdataxdr7"
    assert store_state_name(Entry.REBUILD_LEDGER, int(xdr.LedgerEntryType.OFFER)) == "rebuildledger2"
    assert store_state_name(Entry.LAST_CLOSED_LEDGER, 5) == "lastclosedledger"
    assert tx_set_state_name(bytes(range(32))) == "txset" + bytes(range(32)).hex()
    with pytest.raises(PersistentStateError, match="unknown persistent state entry"):
        store_state_name(8)


def test_schema_versions_are_stellar_cores():
    assert (ps_mod.MIN_SCHEMA_VERSION, ps_mod.SCHEMA_VERSION) == (21, 25)


def test_entries_go_to_their_table(db, ps):
    for e in (Entry.LAST_CLOSED_LEDGER, Entry.HISTORY_ARCHIVE_STATE, Entry.DATABASE_SCHEMA,
              Entry.NETWORK_PASSPHRASE, Entry.LEDGER_UPGRADES):
        ps.set_state(e, f"v{int(e)}")
    assert rows(db, "storestate") == {"lastclosedledger": "v0", "historyarchivestate": "v1",
                                      "databaseschema": "v2", "networkpassphrase": "v3"}
    assert rows(db, "slotstate") == {"ledgerupgrades": "v5"}
    assert ps.get_state(Entry.LEDGER_UPGRADES) == "v5"


def test_get_of_absent_is_empty_and_set_overwrites(db, ps):
    assert ps.get_state(Entry.HISTORY_ARCHIVE_STATE) == ""
    ps.set_state(Entry.HISTORY_ARCHIVE_STATE, "{}")
    ps.set_state(Entry.HISTORY_ARCHIVE_STATE, '{"version": 2}')
    ps.set_state(Entry.HISTORY_ARCHIVE_STATE, '{"version": 2}')     # same value: still one row
    assert rows(db, "storestate") == {"historyarchivestate": '{"version": 2}'}


def test_reads_a_table_created_with_stellar_cores_ddl():
    """A database whose tables stellar-core created (its DDL, written out
    here from PersistentState.cpp's kSQLCreateStatement)."""
    db = Database(":memory:")
    db.execute("CREATE TABLE IF NOT EXISTS storestate (statename   CHARACTER(70) PRIMARY KEY,state       TEXT); ")
    db.execute("INSERT INTO storestate VALUES ('lastclosedledger', ?)", ("ab" * 32,))
    db.execute("INSERT INTO storestate VALUES ('databaseschema', '25')")
    p = PersistentState(db)
    assert p.last_closed_ledger_hash() == b"\xab" * 32
    assert p.get_db_schema_version() == 25


def test_writes_join_the_callers_transaction(db, ps):
    """The ledger manager writes lastclosedledger and the HAS with the
    header and offers: a failed close leaves none of them."""
    ps.set_last_closed_ledger_hash(b"\x01" * 32)
    with pytest.raises(RuntimeError):
        with db.transaction():
            ps.set_last_closed_ledger_hash(b"\x02" * 32)
            ps.set_state(Entry.HISTORY_ARCHIVE_STATE, "{}")
            raise RuntimeError("close failed")
    assert ps.last_closed_ledger_hash() == b"\x01" * 32
    assert ps.get_state(Entry.HISTORY_ARCHIVE_STATE) == ""


def test_last_closed_ledger_errors(db, ps):
    with pytest.raises(PersistentStateError, match="No reference in DB to any last closed ledger"):
        ps.last_closed_ledger_hash()
    ps.set_state(Entry.LAST_CLOSED_LEDGER, "zz" * 32)
    with pytest.raises(PersistentStateError, match="not a 64-digit hex hash"):
        ps.last_closed_ledger_hash()
    ps.set_state(Entry.LAST_CLOSED_LEDGER, "ab" * 31)
    with pytest.raises(PersistentStateError, match="not a 64-digit hex hash"):
        ps.last_closed_ledger_hash()
    db.execute("UPDATE storestate SET state = ? WHERE statename = 'lastclosedledger'", (b"\x01" * 32,))
    with pytest.raises(PersistentStateError, match="holds bytes, not text"):
        ps.last_closed_ledger_hash()
    with pytest.raises(PersistentStateError, match="32 bytes"):
        ps.set_last_closed_ledger_hash(b"\x01")
    with pytest.raises(PersistentStateError, match="text, not bytes"):
        ps.set_state(Entry.HISTORY_ARCHIVE_STATE, b"{}")


def test_network_passphrase(ps):
    with pytest.raises(PersistentStateError, match="NETWORK_PASSPHRASE not configured"):
        ps.validate_network_passphrase("")
    ps.validate_network_passphrase("Test SDF Network ; September 2015")
    ps.validate_network_passphrase("Test SDF Network ; September 2015")
    with pytest.raises(PersistentStateError, match='NETWORK_PASSPHRASE "other" does not match previous '
                                                   'NETWORK_PASSPHRASE "Test SDF Network ; September 2015"'):
        ps.validate_network_passphrase("other")


def test_rebuild_flag_survives_a_restart(tmp_path):
    """HistoryTests "rebuild ledger": setRebuildForOfferTable, restart, the
    flag is read; clearing writes "" (a row remains, as stellar-core's)."""
    path = str(tmp_path / "stellar.db")
    p = PersistentState(Database(path))
    assert not p.should_rebuild_for_offer_table()
    p.set_rebuild_for_offer_table()
    p.db.close()
    p2 = PersistentState(Database(path))
    assert p2.should_rebuild_for_offer_table()
    assert rows(p2.db, "storestate") == {"rebuildledger2": "1"}
    p2.clear_rebuild_for_offer_table()
    assert not p2.should_rebuild_for_offer_table()
    assert rows(p2.db, "storestate") == {"rebuildledger2": ""}


# -- schema version --------------------------------------------------------------------
def test_new_db_is_at_schema_version(ps):
    """DatabaseTests "schema test"."""
    ps.initialize_new_db()
    assert ps.get_db_schema_version() == ps_mod.SCHEMA_VERSION


def test_schema_version_errors(ps):
    with pytest.raises(PersistentStateError, match="No DB schema version found, try stellar-core new-db"):
        ps.get_db_schema_version()
    ps.set_state(Entry.DATABASE_SCHEMA, "garbage")
    with pytest.raises(PersistentStateError, match="No DB schema version found"):
        ps.upgrade_to_current_schema()
    ps.put_schema_version(20)
    with pytest.raises(PersistentStateError, match="DB schema version 20 is older than minimum supported schema 21"):
        ps.upgrade_to_current_schema()
    ps.put_schema_version(26)
    with pytest.raises(PersistentStateError, match="DB schema version 26 is newer than application schema 25"):
        ps.upgrade_to_current_schema()
    assert ps.get_db_schema_version() == 26


def test_upgrade_from_23_moves_scp_state_and_drops_dbbackend(db, ps):
    """Steps 24 (migrateToSlotStateTable, drop pubsub) and 25 (delete
    dbbackend) on a database laid out as schema 23 had it."""
    h = b"\x07" * 32
    for name, value in [("databaseschema", "23"), ("dbbackend", "sqlite"), ("lastscpdataxdr", "s0"),
                        ("lastscpdataxdr3", "s3"), ("txset" + h.hex(), "t"), ("ledgerupgrades", "{}"),
                        ("lastclosedledger", "ab" * 32)]:
        db.execute("INSERT INTO storestate VALUES (?, ?)", (name, value))
    db.execute("CREATE TABLE pubsub (resid CHARACTER(32) PRIMARY KEY, lastread INTEGER)")
    assert ps.upgrade_to_current_schema() == 25
    assert rows(db, "storestate") == {"databaseschema": "25", "lastclosedledger": "ab" * 32}
    assert rows(db, "slotstate") == {"lastscpdataxdr": "s0", "lastscpdataxdr3": "s3",
                                     "txset" + h.hex(): "t", "ledgerupgrades": "{}"}
    assert not db.table_exists("pubsub")
    assert ps.has_tx_set(h)


# -- SCP state -------------------------------------------------------------------------
def _envelope(slot):
    st_ = xdr.SCPStatement(nodeID=xdr.PublicKey(ed25519=b"\x05" * 32), slotIndex=slot,
                           pledges=xdr.SCPStatementPledges(
                               externalize=xdr.SCPStatementExternalize(
                                   commit=xdr.SCPBallot(counter=1, value=b"v"), nH=1,
                                   commitQuorumSetHash=b"\x09" * 32)))
    return xdr.SCPEnvelope(statement=st_, signature=b"\x01" * 64)


def _state(slot):
    qs = xdr.SCPQuorumSet(threshold=1, validators=[xdr.PublicKey(ed25519=b"\x05" * 32)], innerSets=[])
    return xdr.PersistedSCPState(v1=xdr.PersistedSCPStateV1(scpEnvelopes=[_envelope(slot)], quorumSets=[qs]))


def _tx_set(prev):
    return xdr.StoredTransactionSet(txSet=xdr.TransactionSet(previousLedgerHash=prev, txs=[]))


def test_scp_state_round_trip_and_stellar_sdk_reads_it(db, ps):
    txs = {b"\x03" * 32: _tx_set(b"\x02" * 32)}
    ps.save_scp_state(40, _state(40), txs)
    assert ps.has_tx_set(b"\x03" * 32)                 # HerderTests: hasTxSet after saving
    slot_rows = rows(db, "slotstate")
    assert set(slot_rows) == {"lastscpdataxdr1", "txset" + "03" * 32}   # 40 % 13 == 1
    import stellar_sdk
    sdk = stellar_sdk.xdr.PersistedSCPState.from_xdr(slot_rows["lastscpdataxdr1"])
    assert sdk.v1.scp_envelopes[0].statement.slot_index.uint64 == 40
    assert ps.load_scp_states() == {1: _state(40)}
    assert ps.load_tx_sets() == txs
    ps.delete_tx_sets([b"\x03" * 32])
    assert not ps.has_tx_set(b"\x03" * 32)             # HerderTests: purged
    assert ps.get_tx_set_hashes_for_all_slots() == set()


@settings(max_examples=40, deadline=None)
@given(slots=st.lists(st.integers(0, 2 ** 64 - 1), min_size=1, max_size=30), keep=st.integers(0, 20))
def test_slot_index_is_slot_mod_max_slots_plus_one(slots, keep):
    p = PersistentState(Database(":memory:"), max_slots_to_remember=keep)
    expect = {}
    for s in slots:
        p.set_scp_state_for_slot(s, str(s))
        expect[s % (keep + 1)] = str(s)
    assert p.get_scp_state_all_slots() == expect


def test_save_scp_state_is_atomic(db, ps):
    with pytest.raises(PersistentStateError, match="32 bytes"):
        ps.set_scp_state_v1_for_slot(5, "state", {b"\x01" * 32: "ok", b"short": "bad"})
    assert rows(db, "slotstate") == {}


def test_corrupt_scp_rows_are_one_clear_error(db, ps):
    ps.set_scp_state_for_slot(2, "%%%")
    with pytest.raises(PersistentStateError, match="slotstate lastscpdataxdr2 is not base64 XDR of a PersistedSCPState"):
        ps.load_scp_states()
    ps.set_scp_state_for_slot(2, base64.b64encode(b"\0\0\0\x07").decode())
    with pytest.raises(PersistentStateError, match="lastscpdataxdr2 is not base64 XDR"):
        ps.load_scp_states()
    db.execute("INSERT INTO slotstate VALUES ('txsetnothex', 'x')")
    with pytest.raises(PersistentStateError, match="does not name a 32-byte hash"):
        ps.get_tx_sets_for_all_slots()


def test_drop_all(db, ps):
    ps.set_state(Entry.LAST_CLOSED_LEDGER, "x")
    ps.set_scp_state_for_slot(1, "y")
    PersistentState.drop_all(db)
    assert rows(db, "storestate") == {} and rows(db, "slotstate") == {}
