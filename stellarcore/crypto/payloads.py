"""Domain-separated signing preimages (PARITY_TRAPS C3).

Each signature over protocol data signs networkID || envelope type || XDR:
  * SCP envelopes: networkID || ENVELOPE_TYPE_SCP || statement
    (HerderImpl::signEnvelope / verifyEnvelope);
  * signed StellarValues: networkID || ENVELOPE_TYPE_SCPVALUE || txSetHash || closeTime
    (HerderImpl verifyStellarValueSignature).
"""
from __future__ import annotations

import struct

from stellarcore import xdr

assert int(xdr.EnvelopeType.ENVELOPE_TYPE_SCP) == 1

_I32 = struct.Struct(">i")
_SCP_TAG = _I32.pack(1)   # ENVELOPE_TYPE_SCP


def scp_statement_payload(network_id: bytes, statement: "xdr.SCPStatement") -> bytes:
    return network_id + _SCP_TAG + statement.to_xdr()


def stellar_value_payload(network_id: bytes, tx_set_hash: bytes, close_time: int) -> bytes:
    return (network_id + _I32.pack(xdr.EnvelopeType.ENVELOPE_TYPE_SCPVALUE) + tx_set_hash
            + struct.pack(">Q", close_time))


def sign_scp_envelope(secret_key, network_id: bytes, envelope: "xdr.SCPEnvelope") -> None:
    """Fill in envelope.signature with `secret_key` (a keys.SecretKey)."""
    envelope.signature = secret_key.sign(scp_statement_payload(network_id, envelope.statement))


def verify_scp_envelope(network_id: bytes, envelope: "xdr.SCPEnvelope") -> bool:
    """True if the envelope is signed by its statement's node (cached verification)."""
    from stellarcore.crypto.verify import verify_sig
    return verify_sig(envelope.statement.nodeID.ed25519, envelope.signature,
                      scp_statement_payload(network_id, envelope.statement))


def verify_scp_envelope_bytes(network_id: bytes, envelope: "xdr.SCPEnvelope", raw: bytes) -> bool:
    """verify_scp_envelope for an envelope decoded from `raw`: the statement's
    XDR is `raw` without the trailing signature (4-byte length + 64 bytes),
    so it need not be encoded again."""
    from stellarcore.crypto.verify import verify_sig
    sig = envelope.signature
    if len(sig) != 64 or len(raw) < 68:
        return False
    payload = b"".join((network_id, _SCP_TAG, memoryview(raw)[:-68]))
    return verify_sig(envelope.statement.nodeID.ed25519, sig, payload)
