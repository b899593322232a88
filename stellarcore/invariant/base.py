"""What every operation-apply invariant sees, and the helpers they share
(stellar-core invariant/Invariant.h, InvariantDoesNotHold.h and the bits of
TransactionUtils the invariants call).

Why a context object: stellar-core's `checkOnOperationApply(operation,
result, ltxDelta, events, app)` hands every invariant the same five things.
Here they are one `OperationContext`: the headers before and after the
operation (`ltxDelta.header.previous/current`), the entry delta as
`LedgerTxn.get_delta()` yields it, and the optional operation, result,
events and network ID. An invariant is a pure function of the context that
returns "" when it holds and stellar-core's message when it does not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

from stellarcore import xdr
from stellarcore.crypto import strkey

INT32_MAX = (1 << 31) - 1
INT64_MAX = (1 << 63) - 1
UINT32_MAX = (1 << 32) - 1
UINT8_MAX = 0xFF

T = xdr.LedgerEntryType
AT = xdr.AssetType


class InvariantDoesNotHold(Exception):
    """stellar-core's InvariantDoesNotHold: an invariant failed.

    `name` is the invariant's name, `message` the invariant's own text;
    `str()` is the manager's full text, as stellar-core logs it:
    ``Invariant "<name>" does not hold on operation: <message>``
    (followed by the operation's JSON when the operation is known).
    """

    def __init__(self, name: str, message: str, full_message: Optional[str] = None):
        self.name = name
        self.message = message
        self.full_message = full_message or f'Invariant "{name}" does not hold on operation: {message}'
        super().__init__(self.full_message)


@dataclass
class OperationContext:
    """One operation's effects (stellar-core LedgerTxnDelta + the rest of
    checkOnOperationApply's arguments).

    `entries` is a list of (key_bytes, previous, current) with None for a
    missing side; internal (non-bytes-keyed) entries are dropped, as
    stellar-core's invariants skip non-LEDGER_ENTRY internal entries.
    """

    header_before: "xdr.LedgerHeader"
    header_after: "xdr.LedgerHeader"
    entries: list
    events: Optional[Sequence] = None
    operation: Optional["xdr.Operation"] = None
    op_result: Optional["xdr.OperationResult"] = None
    network_id: Optional[bytes] = None
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, header_before, header_after, delta, events=None, operation=None,
              op_result=None, network_id=None) -> "OperationContext":
        entries = []
        for k, prev, cur in delta:
            if type(k) is not bytes:
                continue
            if prev is None and cur is None:
                continue
            entries.append((k, prev, cur))
        return cls(header_before, header_after, entries, events, operation, op_result, network_id)

    @property
    def ledger_version(self) -> int:
        return self.header_after.ledgerVersion


# -- helpers ----------------------------------------------------------------
def str_key(account_id) -> str:
    """KeyUtils::toStrKey for an AccountID (G... strkey)."""
    return strkey.encode("G", account_id.ed25519)


def entry_type(prev, cur) -> int:
    return (cur if cur is not None else prev).data.type


def to_json(value, label: str) -> str:
    """xdrToCerealString(value, label), for failure messages only: the JSON
    of `value` (its XDR type from its class) wrapped as {label: ...}."""
    try:
        import json

        from stellarcore.util import xdr_json
        body = xdr_json.to_json(value, type(value).__name__)
        return json.dumps({label: body}, ensure_ascii=False, indent=4)
    except Exception:  # messages must never mask the failure itself
        return repr(value)
