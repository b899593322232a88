"""History archives (stellar-core src/history): the History Archive State and archive paths."""
