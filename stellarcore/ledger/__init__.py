"""Ledger state: nested ledger transactions over a root store, and the
entry helpers stellar-core keeps beside them (reserves, liabilities,
sponsorship). See README.md."""
