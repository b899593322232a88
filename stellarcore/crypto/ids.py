"""Identifiers derived by hashing a HashIDPreimage (and pool parameters).

Each is SHA-256 of the XDR of its preimage, as stellar-core builds it:
  * claimable balance ID: ENVELOPE_TYPE_OP_ID {transaction's source, its
    sequence number, the operation's index} (CreateClaimableBalanceOpFrame);
  * the balance a pool-share revocation creates: ENVELOPE_TYPE_POOL_REVOKE_OP_ID
    {tx source, seq, op index, pool, asset} (TransactionUtils getRevokeID);
  * contract ID: ENVELOPE_TYPE_CONTRACT_ID {networkID, ContractIDPreimage}
    (from an address and salt, or from an asset);
  * liquidity pool ID: SHA-256 of the XDR LiquidityPoolParameters;
  * Soroban authorization payload: ENVELOPE_TYPE_SOROBAN_AUTHORIZATION
    {networkID, nonce, signatureExpirationLedger, invocation}.
"""
from __future__ import annotations

import hashlib

from stellarcore import xdr

_E = xdr.EnvelopeType


def _h(value) -> bytes:
    return hashlib.sha256(value.to_xdr()).digest()


def _account(a) -> "xdr.PublicKey":
    return a if isinstance(a, xdr.PublicKey) else xdr.PublicKey(ed25519=bytes(a))


def operation_id(tx_source, seq_num: int, op_index: int) -> bytes:
    return _h(xdr.HashIDPreimage(_E.ENVELOPE_TYPE_OP_ID, xdr.HashIDPreimageOperationID(
        sourceAccount=_account(tx_source), seqNum=seq_num, opNum=op_index)))


def claimable_balance_id(tx_source, seq_num: int, op_index: int) -> "xdr.ClaimableBalanceID":
    return xdr.ClaimableBalanceID(xdr.ClaimableBalanceIDType.CLAIMABLE_BALANCE_ID_TYPE_V0,
                                  operation_id(tx_source, seq_num, op_index))


def pool_revoke_balance_id(tx_source, seq_num: int, op_index: int, pool_id: bytes,
                           asset: "xdr.Asset") -> "xdr.ClaimableBalanceID":
    h = _h(xdr.HashIDPreimage(_E.ENVELOPE_TYPE_POOL_REVOKE_OP_ID, xdr.HashIDPreimageRevokeID(
        sourceAccount=_account(tx_source), seqNum=seq_num, opNum=op_index,
        liquidityPoolID=pool_id, asset=asset)))
    return xdr.ClaimableBalanceID(xdr.ClaimableBalanceIDType.CLAIMABLE_BALANCE_ID_TYPE_V0, h)


def contract_id(net_id: bytes, preimage: "xdr.ContractIDPreimage") -> bytes:
    return _h(xdr.HashIDPreimage(_E.ENVELOPE_TYPE_CONTRACT_ID, xdr.HashIDPreimageContractID(
        networkID=net_id, contractIDPreimage=preimage)))


def contract_id_from_address(net_id: bytes, address: "xdr.SCAddress", salt: bytes) -> bytes:
    return contract_id(net_id, xdr.ContractIDPreimage(
        xdr.ContractIDPreimageType.CONTRACT_ID_PREIMAGE_FROM_ADDRESS,
        xdr.ContractIDPreimageFromAddress(address=address, salt=salt)))


def contract_id_from_asset(net_id: bytes, asset: "xdr.Asset") -> bytes:
    """The Stellar Asset Contract's ID (TransactionUtils getAssetContractID)."""
    return contract_id(net_id, xdr.ContractIDPreimage(
        xdr.ContractIDPreimageType.CONTRACT_ID_PREIMAGE_FROM_ASSET, asset))


def liquidity_pool_id(params: "xdr.LiquidityPoolParameters") -> bytes:
    return _h(params)


def constant_product_pool_id(asset_a: "xdr.Asset", asset_b: "xdr.Asset", fee: int = 30) -> bytes:
    """Pool ID of the constant-product pool of two assets (given in canonical order)."""
    return liquidity_pool_id(xdr.LiquidityPoolParameters(
        xdr.LiquidityPoolType.LIQUIDITY_POOL_CONSTANT_PRODUCT,
        xdr.LiquidityPoolConstantProductParameters(assetA=asset_a, assetB=asset_b, fee=fee)))


def soroban_authorization_payload(net_id: bytes, nonce: int, signature_expiration_ledger: int,
                                  invocation: "xdr.SorobanAuthorizedInvocation") -> bytes:
    """The hash an address signs to authorize a Soroban invocation."""
    return _h(xdr.HashIDPreimage(_E.ENVELOPE_TYPE_SOROBAN_AUTHORIZATION,
                                 xdr.HashIDPreimageSorobanAuthorization(
                                     networkID=net_id, nonce=nonce,
                                     signatureExpirationLedger=signature_expiration_ledger,
                                     invocation=invocation)))
