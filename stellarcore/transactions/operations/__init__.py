"""One module per operation (stellar-core transactions/*OpFrame.cpp).
Importing this package registers every operation frame."""
from stellarcore.transactions.operations import create_account, payment  # noqa: F401
