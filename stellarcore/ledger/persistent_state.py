"""The node's small persistent facts: last closed ledger, HAS, schema version,
network passphrase, SCP state (stellar-core main/PersistentState and the
schema-version part of database/Database).

Why two tables: stellar-core keeps the facts the ledger close writes
(`storestate`: lastclosedledger, historyarchivestate, databaseschema,
networkpassphrase, rebuildledger<N>) apart from the ones the herder writes
while consensus runs (`slotstate`: ledgerupgrades, lastscpdataxdr<i>,
txset<hex>), so the two writers never touch the same table. Names, columns
and the slot-name rules are stellar-core's, so a database written here can
be read with stellar-core's own queries and vice versa:
  * a value is TEXT, "" when absent (getState returns "" for a missing row);
  * `lastscpdataxdr` for slot index 0, `lastscpdataxdr<i>` for i > 0, where
    i = slot % (MAX_SLOTS_TO_REMEMBER + 1);
  * `rebuildledger<LedgerEntryType>` (only OFFER = 2 is used);
  * `txset<64 lowercase hex digits of the tx set hash>`.

Transactions: `set_state` / `get_state` never open or commit anything, so
the ledger manager can write lastclosedledger and historyarchivestate in
the same SQL transaction as the header and the offers. The few calls that
stellar-core makes atomic on their own (`set_scp_state_v1_for_slot`,
`delete_tx_sets`, schema upgrades) run in a `Database.transaction()`,
which nests as a savepoint inside a caller's transaction.
"""
from __future__ import annotations

import base64
import binascii
import enum

from stellarcore import xdr
from stellarcore.database.database import Database, register_schema

__all__ = [
    "PersistentState", "PersistentStateError", "Entry", "SCHEMA_VERSION", "MIN_SCHEMA_VERSION",
    "store_state_name", "tx_set_state_name",
]

# database/Database.h
MIN_SCHEMA_VERSION = 21
SCHEMA_VERSION = 25
DEFAULT_MAX_SLOTS_TO_REMEMBER = 12      # Config MAX_SLOTS_TO_REMEMBER

LCL_TABLE = "storestate"
SLOT_TABLE = "slotstate"

register_schema(LCL_TABLE, (
    "CREATE TABLE storestate (statename CHARACTER(70) PRIMARY KEY, state TEXT)",
))
register_schema(SLOT_TABLE, (
    "CREATE TABLE slotstate (statename CHARACTER(70) PRIMARY KEY, state TEXT)",
))


class PersistentStateError(ValueError):
    """A missing, unknown or corrupt persistent-state value."""


class Entry(enum.IntEnum):
    """PersistentState::Entry, same order (the order decides the table)."""
    LAST_CLOSED_LEDGER = 0
    HISTORY_ARCHIVE_STATE = 1
    DATABASE_SCHEMA = 2
    NETWORK_PASSPHRASE = 3
    REBUILD_LEDGER = 4
    LEDGER_UPGRADES = 5
    LAST_SCP_DATA_XDR = 6
    TX_SET = 7


# PersistentState::mapping
_MAPPING = ("lastclosedledger", "historyarchivestate", "databaseschema", "networkpassphrase",
            "rebuildledger", "ledgerupgrades", "lastscpdataxdr", "txset")
_OFFER = int(xdr.LedgerEntryType.OFFER)


def store_state_name(entry, subscript: int = 0) -> str:
    """getStoreStateName: the row name of an entry; the slot index is
    appended to lastscpdataxdr when > 0, the subscript always to
    rebuildledger."""
    try:
        entry = Entry(entry)
    except ValueError:
        raise PersistentStateError(f"unknown persistent state entry {entry!r}") from None
    name = _MAPPING[entry]
    if (entry == Entry.LAST_SCP_DATA_XDR and subscript > 0) or entry == Entry.REBUILD_LEDGER:
        name += str(subscript)
    return name


def tx_set_state_name(tx_set_hash: bytes) -> str:
    """getStoreStateNameForTxSet: "txset" + the hash in lowercase hex."""
    if len(tx_set_hash) != 32:
        raise PersistentStateError(f"a tx set hash has 32 bytes, not {len(tx_set_hash)}")
    return _MAPPING[Entry.TX_SET] + bytes(tx_set_hash).hex()


def table_for(entry) -> str:
    """getDBForEntry: ledger facts up to rebuildledger in storestate, the
    herder's in slotstate."""
    return LCL_TABLE if Entry(entry) <= Entry.REBUILD_LEDGER else SLOT_TABLE


class PersistentState:
    """Read and write the storestate / slotstate rows of one Database.

    `max_slots_to_remember` is the node's MAX_SLOTS_TO_REMEMBER (12 by
    default): how many SCP slots keep a saved state.
    """

    def __init__(self, db: Database, max_slots_to_remember: int = DEFAULT_MAX_SLOTS_TO_REMEMBER):
        if max_slots_to_remember < 0:
            raise PersistentStateError("MAX_SLOTS_TO_REMEMBER must be >= 0")
        self.db = db
        self.max_slots_to_remember = max_slots_to_remember
        db.create(LCL_TABLE)
        db.create(SLOT_TABLE)

    @staticmethod
    def drop_all(db: Database) -> None:
        """Recreate both tables empty (PersistentState::dropAll, new-db)."""
        db.drop_and_create(LCL_TABLE)
        db.drop_and_create(SLOT_TABLE)

    # -- plain rows (no transaction of their own) ---------------------------------
    def get_state(self, entry) -> str:
        """The value of `entry`, "" when absent."""
        return self._get(store_state_name(entry), table_for(entry))

    def set_state(self, entry, value: str) -> None:
        """Write `entry` on the caller's connection; commits nothing."""
        self._put(store_state_name(entry), value, table_for(entry))

    def _get(self, name: str, table: str) -> str:
        row = self.db.query_one(f"SELECT state FROM {table} WHERE statename = ?", (name,))
        if row is None or row[0] is None:
            return ""
        if not isinstance(row[0], str):
            raise PersistentStateError(f"{table} row {name!r} holds {type(row[0]).__name__}, not text")
        return row[0]

    def _put(self, name: str, value: str, table: str) -> None:
        if not isinstance(value, str):
            raise PersistentStateError(f"a {table} value is text, not {type(value).__name__} ({name!r})")
        # updateDb: UPDATE, then INSERT if no row was there.
        cur = self.db.execute(f"UPDATE {table} SET state = ? WHERE statename = ?", (value, name))
        if cur.rowcount != 1:
            self.db.execute(f"INSERT INTO {table} (statename, state) VALUES (?, ?)", (name, value))

    # -- typed accessors of the ledger facts ---------------------------------------
    def last_closed_ledger_hash(self) -> bytes:
        """kLastClosedLedger as 32 bytes (loadLastKnownLedger needs it)."""
        s = self.get_state(Entry.LAST_CLOSED_LEDGER)
        if not s:
            raise PersistentStateError("No reference in DB to any last closed ledger")
        try:
            h = bytes.fromhex(s)
        except ValueError:
            h = b""
        if len(h) != 32:
            raise PersistentStateError(f"storestate lastclosedledger is not a 64-digit hex hash: {s[:80]!r}")
        return h

    def set_last_closed_ledger_hash(self, ledger_hash: bytes) -> None:
        if len(ledger_hash) != 32:
            raise PersistentStateError(f"a ledger hash has 32 bytes, not {len(ledger_hash)}")
        self.set_state(Entry.LAST_CLOSED_LEDGER, bytes(ledger_hash).hex())

    def validate_network_passphrase(self, passphrase: str) -> None:
        """Application.cpp validateNetworkPassphrase: remember the first
        passphrase, refuse a different one later."""
        if not passphrase:
            raise PersistentStateError("NETWORK_PASSPHRASE not configured")
        prev = self.get_state(Entry.NETWORK_PASSPHRASE)
        if not prev:
            self.set_state(Entry.NETWORK_PASSPHRASE, passphrase)
        elif prev != passphrase:
            raise PersistentStateError(f'NETWORK_PASSPHRASE "{passphrase}" does not match previous '
                                       f'NETWORK_PASSPHRASE "{prev}"')

    # -- offers-table rebuild flag ----------------------------------------------------
    def should_rebuild_for_offer_table(self) -> bool:
        return self._get(store_state_name(Entry.REBUILD_LEDGER, _OFFER), LCL_TABLE) != ""

    def set_rebuild_for_offer_table(self) -> None:
        self._put(store_state_name(Entry.REBUILD_LEDGER, _OFFER), "1", LCL_TABLE)

    def clear_rebuild_for_offer_table(self) -> None:
        self._put(store_state_name(Entry.REBUILD_LEDGER, _OFFER), "", LCL_TABLE)

    # -- SCP state per slot and the tx sets it refers to ------------------------------
    def _slot_index(self, slot: int) -> int:
        return slot % (self.max_slots_to_remember + 1)

    def set_scp_state_for_slot(self, slot: int, value: str) -> None:
        self._put(store_state_name(Entry.LAST_SCP_DATA_XDR, self._slot_index(slot)), value, SLOT_TABLE)

    def set_scp_state_v1_for_slot(self, slot: int, value: str, tx_sets: dict) -> None:
        """The slot's base64 PersistedSCPState and its new tx sets (hash ->
        base64 StoredTransactionSet), atomically."""
        with self.db.transaction():
            self.set_scp_state_for_slot(slot, value)
            for h, s in tx_sets.items():
                self._put(tx_set_state_name(h), s, SLOT_TABLE)

    def get_scp_state_all_slots(self, table: str = SLOT_TABLE) -> dict:
        """{slot index: base64 PersistedSCPState} of the slots with a state."""
        out = {}
        for i in range(self.max_slots_to_remember + 1):
            v = self._get(store_state_name(Entry.LAST_SCP_DATA_XDR, i), table)
            if v:
                out[i] = v
        return out

    def get_tx_sets_for_all_slots(self, table: str = SLOT_TABLE) -> dict:
        """{tx set hash: base64 StoredTransactionSet}."""
        prefix = _MAPPING[Entry.TX_SET]
        rows = self.db.query_all(f"SELECT statename, state FROM {table} WHERE statename LIKE ?",
                                 (prefix + "%",))
        return {_tx_set_hash_of(name, prefix): state for name, state in rows}

    def get_tx_set_hashes_for_all_slots(self) -> set:
        prefix = _MAPPING[Entry.TX_SET]
        rows = self.db.query_all("SELECT statename FROM slotstate WHERE statename LIKE ?", (prefix + "%",))
        return {_tx_set_hash_of(r[0], prefix) for r in rows}

    def has_tx_set(self, tx_set_hash: bytes) -> bool:
        row = self.db.query_one("SELECT COUNT(*) FROM slotstate WHERE statename = ?",
                                (tx_set_state_name(tx_set_hash),))
        return row[0] > 0

    def delete_tx_sets(self, hashes, table: str = SLOT_TABLE) -> None:
        with self.db.transaction():
            for h in hashes:
                self.db.execute(f"DELETE FROM {table} WHERE statename = ?", (tx_set_state_name(h),))

    # typed forms of the two above, for the herder
    def save_scp_state(self, slot: int, state, tx_sets: dict) -> None:
        """Save a PersistedSCPState (v1) of `slot` and the StoredTransactionSets
        it refers to (hash -> value), base64 XDR as stellar-core stores them."""
        self.set_scp_state_v1_for_slot(
            slot, _b64(state.to_xdr()), {h: _b64(s.to_xdr()) for h, s in tx_sets.items()})

    def load_scp_states(self) -> dict:
        """{slot index: PersistedSCPState}. A row that does not decode raises
        PersistentStateError naming it (stellar-core logs and skips it; a
        caller wanting that catches the error)."""
        return {i: _decode(v, xdr.PersistedSCPState, f"slotstate {store_state_name(Entry.LAST_SCP_DATA_XDR, i)}")
                for i, v in self.get_scp_state_all_slots().items()}

    def load_tx_sets(self) -> dict:
        """{hash: StoredTransactionSet} of the saved tx sets."""
        return {h: _decode(v, xdr.StoredTransactionSet, f"slotstate {tx_set_state_name(h)}")
                for h, v in self.get_tx_sets_for_all_slots().items()}

    # -- schema version (database/Database.cpp) ----------------------------------------
    def get_db_schema_version(self) -> int:
        """getDBSchemaVersion: the stored version; no (or an unreadable)
        version is an error."""
        s = self.get_state(Entry.DATABASE_SCHEMA)
        try:
            v = int(s)
        except ValueError:
            v = 0
        if v <= 0:
            raise PersistentStateError("No DB schema version found, try stellar-core new-db")
        return v

    def put_schema_version(self, version: int) -> None:
        self.set_state(Entry.DATABASE_SCHEMA, str(int(version)))

    def upgrade_to_current_schema(self) -> int:
        """upgradeToCurrentSchema: refuse versions outside
        [MIN_SCHEMA_VERSION, SCHEMA_VERSION], apply each step up to
        SCHEMA_VERSION (each in its own transaction with its version)."""
        v = self.get_db_schema_version()
        if v < MIN_SCHEMA_VERSION:
            raise PersistentStateError(f"DB schema version {v} is older than minimum supported schema "
                                       f"{MIN_SCHEMA_VERSION}")
        if v > SCHEMA_VERSION:
            raise PersistentStateError(f"DB schema version {v} is newer than application schema "
                                       f"{SCHEMA_VERSION}")
        while v < SCHEMA_VERSION:
            v += 1
            with self.db.transaction():
                self._apply_schema_upgrade(v)
                self.put_schema_version(v)
        return v

    def initialize_new_db(self) -> None:
        """The persistent-state part of new-db: empty tables at
        MIN_SCHEMA_VERSION, then upgraded to SCHEMA_VERSION (other owners
        recreate their own tables)."""
        self.drop_all(self.db)
        self.put_schema_version(MIN_SCHEMA_VERSION)
        self.upgrade_to_current_schema()

    def _apply_schema_upgrade(self, version: int) -> None:
        """applySchemaUpgrade: the steps of 22..25 (dropped tables of
        features stellar-core removed, SCP state moved to slotstate)."""
        ex = self.db.execute
        if version == 22:
            ex("DROP TABLE IF EXISTS txfeehistory")
        elif version == 23:
            ex("DROP TABLE IF EXISTS publishqueue")
            ex("DROP TABLE IF EXISTS upgradehistory")
        elif version == 24:
            ex("DROP TABLE IF EXISTS pubsub")
            self.migrate_to_slot_state_table()
        elif version == 25:
            ex("DELETE FROM storestate WHERE statename = 'dbbackend'")
        else:
            raise PersistentStateError(f"Unknown DB schema version {version}")

    def migrate_to_slot_state_table(self) -> None:
        """migrateToSlotStateTable: tx sets, SCP slot states and the upgrade
        parameters move from storestate to slotstate."""
        self.db.create(SLOT_TABLE)
        tx_sets = self.get_tx_sets_for_all_slots(LCL_TABLE)
        for h, v in tx_sets.items():
            self._put(tx_set_state_name(h), v, SLOT_TABLE)
        self.delete_tx_sets(tx_sets.keys(), LCL_TABLE)
        for i, v in self.get_scp_state_all_slots(LCL_TABLE).items():
            name = store_state_name(Entry.LAST_SCP_DATA_XDR, i)
            self._put(name, v, SLOT_TABLE)
            self.db.execute("DELETE FROM storestate WHERE statename = ?", (name,))
        name = store_state_name(Entry.LEDGER_UPGRADES)
        upgrades = self._get(name, LCL_TABLE)
        if upgrades:
            self._put(name, upgrades, SLOT_TABLE)
            self.db.execute("DELETE FROM storestate WHERE statename = ?", (name,))


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def _tx_set_hash_of(name: str, prefix: str) -> bytes:
    try:
        h = bytes.fromhex(name[len(prefix):len(prefix) + 64])
    except ValueError:
        h = b""
    if len(h) != 32:
        raise PersistentStateError(f"tx set row {name!r} does not name a 32-byte hash")
    return h


def _decode(value: str, cls, where: str):
    try:
        return cls.from_xdr(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError) as e:
        raise PersistentStateError(f"{where} is not base64 XDR of a {cls.__name__}: {e}") from None
