"""Network IDs, transaction hashes and signature payloads.

Two hashes name a transaction (PARITY_TRAPS X4, X5):
  * the contents hash, SHA-256 of the XDR TransactionSignaturePayload
    {networkId, taggedTransaction} - what signers sign, what
    TransactionResultPair.transactionHash and pre-auth-tx signers hold;
    a v0 envelope is first converted to the equivalent v1 transaction
    (txbridge::convertForV13: ed25519 source, PRECOND_TIME when it has time
    bounds), and a fee bump hashes its FeeBumpTransaction;
  * the full hash, SHA-256 of the XDR of the whole envelope (signatures
    included) - tx-set order, apply-order shuffle, flooding, the queue.
"""
from __future__ import annotations

import hashlib

from stellarcore import xdr

_E = xdr.EnvelopeType


def network_id(passphrase: str) -> bytes:
    """SHA-256 of the network passphrase."""
    return hashlib.sha256(passphrase.encode("utf-8")).digest()


def v1_transaction_of_v0(tx0: "xdr.TransactionV0") -> "xdr.Transaction":
    """The v1 Transaction a TransactionV0 stands for (same signatures, same hash)."""
    cond = xdr.Preconditions(xdr.PreconditionType.PRECOND_NONE)
    if tx0.timeBounds is not None:
        cond = xdr.Preconditions(xdr.PreconditionType.PRECOND_TIME, tx0.timeBounds)
    return xdr.Transaction(
        sourceAccount=xdr.MuxedAccount(ed25519=tx0.sourceAccountEd25519),
        fee=tx0.fee, seqNum=tx0.seqNum, cond=cond, memo=tx0.memo,
        operations=tx0.operations, ext=xdr.TransactionExt(0))


def signature_payload(envelope: "xdr.TransactionEnvelope", net_id: bytes) -> "xdr.TransactionSignaturePayload":
    """The TransactionSignaturePayload signers of `envelope` sign (hashed)."""
    t = envelope.type
    if t == _E.ENVELOPE_TYPE_TX_V0:
        tagged = xdr.TransactionSignaturePayloadTaggedTransaction(
            _E.ENVELOPE_TYPE_TX, v1_transaction_of_v0(envelope.v0.tx))
    elif t == _E.ENVELOPE_TYPE_TX:
        tagged = xdr.TransactionSignaturePayloadTaggedTransaction(_E.ENVELOPE_TYPE_TX, envelope.v1.tx)
    elif t == _E.ENVELOPE_TYPE_TX_FEE_BUMP:
        tagged = xdr.TransactionSignaturePayloadTaggedTransaction(
            _E.ENVELOPE_TYPE_TX_FEE_BUMP, envelope.feeBump.tx)
    else:
        raise ValueError(f"not a transaction envelope type: {t!r}")
    return xdr.TransactionSignaturePayload(networkId=net_id, taggedTransaction=tagged)


def contents_hash(envelope: "xdr.TransactionEnvelope", net_id: bytes) -> bytes:
    """The hash signers sign and results name (TransactionFrame::getContentsHash)."""
    return hashlib.sha256(signature_payload(envelope, net_id).to_xdr()).digest()


def inner_contents_hash(envelope: "xdr.TransactionEnvelope", net_id: bytes) -> bytes:
    """Contents hash of a fee bump's inner transaction."""
    if envelope.type != _E.ENVELOPE_TYPE_TX_FEE_BUMP:
        raise ValueError("not a fee-bump envelope")
    inner = envelope.feeBump.tx.innerTx
    return contents_hash(xdr.TransactionEnvelope(_E.ENVELOPE_TYPE_TX, inner.v1), net_id)


def full_hash(envelope: "xdr.TransactionEnvelope") -> bytes:
    """SHA-256 of the whole envelope's XDR (TransactionFrame::getFullHash)."""
    return hashlib.sha256(envelope.to_xdr()).digest()
