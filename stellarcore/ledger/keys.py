"""LedgerKey bytes for the keys transactions load (TransactionUtils'
accountKey, trustlineKey, ...), built straight from XDR pieces.

Why bytes: LedgerTxn maps are keyed by the XDR of the LedgerKey, and a
payment loads three or four keys; building them by concatenation skips
constructing XDR key objects. Each function equals
`xdr.LedgerKey(...).to_xdr()` (tests check that).
"""
from __future__ import annotations

import struct

from stellarcore import xdr
from stellarcore.ledger.ledger_txn import MAX_SEQ_NUM_TO_APPLY, SPONSORSHIP, SPONSORSHIP_COUNTER

_T = xdr.LedgerEntryType
_ACCOUNT = struct.pack(">I", _T.ACCOUNT)
_TRUSTLINE = struct.pack(">I", _T.TRUSTLINE)
_OFFER = struct.pack(">I", _T.OFFER)
_DATA = struct.pack(">I", _T.DATA)
_CB = struct.pack(">I", _T.CLAIMABLE_BALANCE)
_POOL = struct.pack(">I", _T.LIQUIDITY_POOL)
_POOL_SHARE_ASSET = struct.pack(">I", xdr.AssetType.ASSET_TYPE_POOL_SHARE)
_ED25519 = b"\0\0\0\0"


def account_id_bytes(account_id) -> bytes:
    """XDR of an AccountID (PublicKey) - only ed25519 keys exist."""
    return _ED25519 + account_id.ed25519


def account_key(account_id) -> bytes:
    return _ACCOUNT + _ED25519 + account_id.ed25519


def account_key_from_ed25519(raw: bytes) -> bytes:
    return _ACCOUNT + _ED25519 + raw


def trustline_key(account_id, asset) -> bytes:
    """`asset` is an Asset or a TrustLineAsset (same encoding for the
    native and credit arms)."""
    return _TRUSTLINE + _ED25519 + account_id.ed25519 + asset.to_xdr()


def pool_share_trustline_key(account_id, pool_id: bytes) -> bytes:
    return _TRUSTLINE + _ED25519 + account_id.ed25519 + _POOL_SHARE_ASSET + bytes(pool_id)


def offer_key(seller_id, offer_id: int) -> bytes:
    return _OFFER + _ED25519 + seller_id.ed25519 + struct.pack(">q", offer_id)


def data_key(account_id, name: bytes) -> bytes:
    n = len(name)
    return _DATA + _ED25519 + account_id.ed25519 + struct.pack(">I", n) + bytes(name) + b"\0" * (-n % 4)


def claimable_balance_key(balance_id) -> bytes:
    return _CB + balance_id.to_xdr()


def liquidity_pool_key(pool_id: bytes) -> bytes:
    return _POOL + bytes(pool_id)


def sponsorship_key(sponsored_id) -> tuple:
    return (SPONSORSHIP, sponsored_id.ed25519)


def sponsorship_counter_key(sponsoring_id) -> tuple:
    return (SPONSORSHIP_COUNTER, sponsoring_id.ed25519)


def max_seq_num_to_apply_key(source_id) -> tuple:
    return (MAX_SEQ_NUM_TO_APPLY, source_id.ed25519)
