"""A small SQLite layer (stellar-core's database/Database, SQLite only).

`Database` owns one connection; schemas are registered by the subsystems
that own their tables (the overlay's `peers` and `ban`, ...), so this
package knows no table itself beyond the ones handed to it.
"""
from stellarcore.database.database import Database, register_schema, registered_schemas

__all__ = ["Database", "register_schema", "registered_schemas"]
