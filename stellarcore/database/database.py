"""One SQLite connection with the conveniences stellar-core's Database gives
its users: schema creation, prepared-statement style execution, transactions.

Why a wrapper at all: callers must not care whether the store is a file or
`:memory:`, must get the same DDL stellar-core uses (so a database written
here can be inspected with stellar-core's own queries), and must be able to
recreate their tables (`drop_and_create`, as `PeerManager::dropAll` and
`BanManager::dropAll` do on `new-db`).

Single-threaded by design: the node runs on gevent, one OS thread.  The
connection is opened with `check_same_thread=False` only so that tests may
hand it between threads; nothing here locks.
"""
from __future__ import annotations

import contextlib
import sqlite3
from typing import Callable, Iterable

# name -> list of DDL statements.  Filled by the owners of tables at import.
_SCHEMAS: dict[str, tuple[str, ...]] = {}


def register_schema(name: str, statements: Iterable[str]) -> None:
    """Declare the DDL of one table (or a group of them) under `name`."""
    _SCHEMAS[name] = tuple(statements)


def registered_schemas() -> dict[str, tuple[str, ...]]:
    return dict(_SCHEMAS)


class Database:
    """A SQLite database; `path` is a file name or ":memory:"."""

    def __init__(self, path: str = ":memory:"):
        self.path = path
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA foreign_keys = ON")
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
        self._depth = 0

    # -- schema -----------------------------------------------------------
    def table_exists(self, table: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
        return row is not None

    def create(self, name: str, drop: bool = False) -> None:
        """Create the tables of a registered schema (IF NOT EXISTS unless `drop`)."""
        stmts = _SCHEMAS[name]
        with self.transaction():
            for stmt in stmts:
                if drop:
                    table = _table_of(stmt)
                    if table:
                        self._conn.execute(f"DROP TABLE IF EXISTS {table}")
                    self._conn.execute(stmt)
                else:
                    self._conn.execute(_if_not_exists(stmt))

    def drop_and_create(self, name: str) -> None:
        self.create(name, drop=True)

    # -- statements -------------------------------------------------------
    def execute(self, sql: str, params=()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows) -> sqlite3.Cursor:
        return self._conn.executemany(sql, rows)

    def query_one(self, sql: str, params=()):
        return self._conn.execute(sql, params).fetchone()

    def query_all(self, sql: str, params=()) -> list:
        return self._conn.execute(sql, params).fetchall()

    @contextlib.contextmanager
    def transaction(self):
        """A (possibly nested, via savepoints) transaction."""
        name = f"sp{self._depth}"
        self._conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth -= 1
            self._conn.execute(f"ROLLBACK TO {name}")
            self._conn.execute(f"RELEASE {name}")
            raise
        else:
            self._depth -= 1
            self._conn.execute(f"RELEASE {name}")

    def close(self) -> None:
        self._conn.close()


def _table_of(stmt: str) -> str | None:
    words = stmt.split()
    up = [w.upper() for w in words]
    if len(words) >= 3 and up[0] == "CREATE" and up[1] == "TABLE":
        i = 2
        if up[2:5] == ["IF", "NOT", "EXISTS"]:
            i = 5
        return words[i].split("(")[0]
    return None


def _if_not_exists(stmt: str) -> str:
    s = stmt.lstrip()
    for kind in ("CREATE TABLE ", "CREATE INDEX ", "CREATE UNIQUE INDEX "):
        if s.upper().startswith(kind) and "IF NOT EXISTS" not in s.upper()[:40]:
            return s[:len(kind)] + "IF NOT EXISTS " + s[len(kind):]
    return s


Factory = Callable[[], Database]
