"""One module per operation (stellar-core transactions/*OpFrame.cpp).
Importing this package registers every operation frame."""
from stellarcore.transactions.operations import create_account, payment  # noqa: F401
from stellarcore.transactions.operations import change_trust  # noqa: F401
from stellarcore.transactions.operations import allow_trust  # noqa: F401
from stellarcore.transactions.operations import set_trust_line_flags  # noqa: F401
from stellarcore.transactions.operations import clawback  # noqa: F401
from stellarcore.transactions.operations import claimable_balance  # noqa: F401
from stellarcore.transactions.operations import claim_claimable_balance  # noqa: F401
from stellarcore.transactions.operations import clawback_claimable_balance  # noqa: F401
from stellarcore.transactions.operations import set_options  # noqa: F401
from stellarcore.transactions.operations import manage_data  # noqa: F401
from stellarcore.transactions.operations import bump_sequence  # noqa: F401
from stellarcore.transactions.operations import account_merge  # noqa: F401
from stellarcore.transactions.operations import inflation  # noqa: F401
from stellarcore.transactions.operations import sponsorship_ops  # noqa: F401
from stellarcore.transactions.operations import revoke_sponsorship  # noqa: F401
from stellarcore.transactions.operations import invoke_host_function  # noqa: F401
from stellarcore.transactions.operations import extend_footprint_ttl, restore_footprint  # noqa: F401

# The DEX operations (offers, path payments, liquidity pools).
import importlib as _importlib

for _name in ("manage_offer", "path_payment", "liquidity_pool"):
    try:
        _importlib.import_module(f"stellarcore.transactions.operations.{_name}")
    except ModuleNotFoundError as _e:  # pragma: no cover - while the DEX lands
        if _e.name != f"stellarcore.transactions.operations.{_name}":
            raise
