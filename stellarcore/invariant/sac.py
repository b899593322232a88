"""Stellar Asset Contract facts the invariants need (stellar-core
TransactionUtils getLumenContractInfo / getAssetContractID and
EventManager getAssetFromEvent).

Why here: ConservationOfLumens and LedgerEntryIsValid look at the native
SAC's balance entries, and EventsAreConsistentWithEntryDiffs recognises SAC
events by recomputing the contract ID from the SEP-0011 asset string in the
event's last topic. All of it needs the network ID; without one these
checks are skipped (see README).
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple, Optional

from stellarcore import xdr
from stellarcore.crypto import ids, strkey
from stellarcore.invariant.base import AT
from stellarcore.ledger.assets import asset_is_valid as is_asset_valid

_V = xdr.SCValType

BALANCE_SYMBOL = xdr.SCVal(sym=b"Balance")
AMOUNT_SYMBOL = xdr.SCVal(sym=b"amount")


class LumenContractInfo(NamedTuple):
    """stellar-core LumenContractInfo."""

    contract_id: bytes
    balance_symbol: "xdr.SCVal"
    amount_symbol: "xdr.SCVal"


@lru_cache(maxsize=8)
def lumen_contract_info(network_id: bytes) -> LumenContractInfo:
    native = xdr.Asset(AT.ASSET_TYPE_NATIVE)
    return LumenContractInfo(bytes(ids.contract_id_from_asset(network_id, native)),
                             BALANCE_SYMBOL, AMOUNT_SYMBOL)


@lru_cache(maxsize=1024)
def _asset_contract_id(network_id: bytes, asset_xdr: bytes) -> bytes:
    return bytes(ids.contract_id_from_asset(network_id, xdr.Asset.from_xdr(asset_xdr)))


def asset_contract_id(network_id: bytes, asset) -> bytes:
    return _asset_contract_id(bytes(network_id), asset.to_xdr())


def _str_to_asset_code(name: bytes, size: int) -> bytes:
    # strToAssetCode: copy, zero-pad to the fixed size
    return name[:size] + b"\0" * (size - min(len(name), size))


def asset_from_event(event, network_id: Optional[bytes]) -> Optional["xdr.Asset"]:
    """getAssetFromEvent: the asset of an SAC event, or None when the last
    topic is not a SEP-0011 asset string whose SAC ID is the event's
    contractID. With `network_id` None the contract ID is not checked
    (the caller vouches that the events come from our own event manager)."""
    if event.contractID is None:
        return None
    topics = event.body.v0.topics
    if not topics:
        return None
    val = topics[-1]
    if val.type != _V.SCV_STRING:
        return None
    s = bytes(val.str)
    if s == b"native":
        asset = xdr.Asset(AT.ASSET_TYPE_NATIVE)
    else:
        pos = s.find(b":")
        if pos < 0 or pos == len(s) - 1:
            return None
        try:
            issuer_raw = strkey.decode("G", s[pos + 1:].decode("ascii"))
        except Exception:
            return None
        issuer = xdr.PublicKey(xdr.PublicKeyType.PUBLIC_KEY_TYPE_ED25519, issuer_raw)
        name = s[:pos]
        if len(name) <= 4:
            asset = xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=_str_to_asset_code(name, 4), issuer=issuer))
        elif len(name) <= 12:
            asset = xdr.Asset(alphaNum12=xdr.AlphaNum12(assetCode=_str_to_asset_code(name, 12), issuer=issuer))
        else:
            return None
        if not is_asset_valid(asset):
            return None
    if network_id is not None and asset_contract_id(network_id, asset) != bytes(event.contractID):
        return None
    return asset


def i128_value(parts) -> int:
    """An Int128Parts as a Python int (hi is signed, lo unsigned)."""
    return (parts.hi << 64) + parts.lo
