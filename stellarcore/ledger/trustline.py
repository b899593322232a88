"""Trustlines as operations see them (stellar-core ledger/TrustLineWrapper).

Why a wrapper: an asset's issuer has no trustline for its own asset but
may send and receive it without limit; stellar-core hides that behind
TrustLineWrapper's issuer implementation (infinite balance, always
authorized, never recorded in the ledger). Payments, path payments and
offers go through `load_trustline` so the issuer case is never forgotten.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.assets import asset_issuer
from stellarcore.ledger.keys import trustline_key

INT64_MAX = B.INT64_MAX
_AT = xdr.AssetType


class TrustLine:
    """A real trustline entry (NonIssuerImpl); `entry` is the LedgerEntry."""

    __slots__ = ("entry", "tl")
    is_issuer = False

    def __init__(self, entry):
        self.entry = entry
        self.tl = entry.data.trustLine

    @property
    def balance(self) -> int:
        return self.tl.balance

    def add_balance(self, header, delta: int) -> bool:
        return B.add_balance(header, self.entry, delta)

    def is_authorized(self) -> bool:
        return B.is_authorized(self.tl)

    def is_authorized_to_maintain_liabilities(self) -> bool:
        return B.is_authorized_to_maintain_liabilities(self.tl)

    def is_clawback_enabled(self) -> bool:
        return B.is_clawback_enabled_on_trustline(self.tl)

    def available_balance(self, header) -> int:
        return B.available_balance(header, self.entry)

    def max_amount_receive(self, header) -> int:
        return B.max_amount_receive(header, self.entry)

    def buying_liabilities(self, header) -> int:
        return B.trustline_liabilities(self.tl)[0]

    def selling_liabilities(self, header) -> int:
        return B.trustline_liabilities(self.tl)[1]

    def add_buying_liabilities(self, header, delta: int) -> bool:
        return B.add_buying_liabilities(header, self.entry, delta)

    def add_selling_liabilities(self, header, delta: int) -> bool:
        return B.add_selling_liabilities(header, self.entry, delta)


class IssuerTrustLine:
    """The issuer's view of its own asset (IssuerImpl)."""

    __slots__ = ()
    is_issuer = True
    entry = None
    balance = INT64_MAX

    def add_balance(self, header, delta: int) -> bool:
        return True

    def is_authorized(self) -> bool:
        return True

    def is_authorized_to_maintain_liabilities(self) -> bool:
        return True

    def is_clawback_enabled(self) -> bool:
        return False

    def available_balance(self, header) -> int:
        return INT64_MAX

    def max_amount_receive(self, header) -> int:
        return INT64_MAX

    def buying_liabilities(self, header) -> int:
        return 0

    def selling_liabilities(self, header) -> int:
        return 0

    def add_buying_liabilities(self, header, delta: int) -> bool:
        return True

    def add_selling_liabilities(self, header, delta: int) -> bool:
        return True


ISSUER = IssuerTrustLine()


def load_trustline(ltx, account_id, asset):
    """loadTrustLine: the issuer wrapper, the recorded trustline, or None."""
    if asset_issuer(asset) == account_id:
        return ISSUER
    e = ltx.load(trustline_key(account_id, asset))
    return None if e is None else TrustLine(e)


def load_trustline_without_record(ltx, account_id, asset):
    """loadTrustLineWithoutRecord (read-only)."""
    if asset_issuer(asset) == account_id:
        return ISSUER
    e = ltx.load_without_record(trustline_key(account_id, asset))
    return None if e is None else TrustLine(e)
