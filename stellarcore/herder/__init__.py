"""The herder (stellar-core src/herder).

This package will hold the herder: the glue between SCP, the ledger and the
overlay (transaction queue, tx sets, SCP driving, quorum tracking).  For now
it holds the quorum intersection checker (`quorum_intersection`), the engine
of stellar-core's `check-quorum-intersection` command.
"""
