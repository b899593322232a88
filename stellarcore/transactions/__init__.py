"""Transactions: frames, signatures, results, meta and operations
(stellar-core src/transactions). See README.md."""
