"""Banned node IDs in the `ban` table (overlay/BanManagerImpl.cpp): the
strkey of the node, checked when a HELLO arrives."""
from __future__ import annotations

from stellarcore.crypto import strkey


def encode_account_id(raw: bytes) -> str:
    return strkey.encode("G", raw)
from stellarcore.database import Database, register_schema

BAN_DDL = "CREATE TABLE ban (nodeid      CHARACTER(56) NOT NULL PRIMARY KEY)"
register_schema("ban", [BAN_DDL])


class BanManager:
    def __init__(self, db: Database):
        self.db = db
        db.create("ban")

    def ban_node(self, node_id: bytes) -> None:
        s = encode_account_id(bytes(node_id))
        self.db.execute("INSERT OR IGNORE INTO ban (nodeid) VALUES (?)", (s,))

    def unban_node(self, node_id: bytes) -> None:
        self.db.execute("DELETE FROM ban WHERE nodeid = ?", (encode_account_id(bytes(node_id)),))

    def is_banned(self, node_id: bytes) -> bool:
        row = self.db.query_one("SELECT count(*) FROM ban WHERE nodeid = ?", (encode_account_id(bytes(node_id)),))
        return row[0] > 0

    def get_banned(self) -> list[str]:
        return [r[0] for r in self.db.query_all("SELECT nodeid FROM ban")]
