"""Which signatures of a transaction satisfy which signers
(stellar-core transactions/SignatureChecker.cpp, SignatureUtils.cpp).

Why the odd order: stellar-core tries PRE_AUTH_TX signers first (they
match the contents hash and use up no signature), then HASH_X, then
ED25519, then SIGNED_PAYLOAD; each signature uses up the first signer it
matches, and the check returns as soon as the needed weight is reached,
leaving later signatures unmarked - which is how txBAD_AUTH_EXTRA arises
(PARITY_TRAPS T2). Weights are capped at 255. With nothing matching the
result is False even for a needed weight of 0.
"""
from __future__ import annotations

import hashlib

from stellarcore import xdr
from stellarcore.crypto.verify import verify_sig

_SK = xdr.SignerKeyType
_PRE_AUTH = _SK.SIGNER_KEY_TYPE_PRE_AUTH_TX
_HASH_X = _SK.SIGNER_KEY_TYPE_HASH_X
_ED25519 = _SK.SIGNER_KEY_TYPE_ED25519
_SIGNED_PAYLOAD = _SK.SIGNER_KEY_TYPE_ED25519_SIGNED_PAYLOAD


def _hint(data: bytes) -> bytes:
    """SignatureUtils::getHint: the last 4 bytes (zero-padded if shorter)."""
    if not data:
        return b"\0\0\0\0"
    if len(data) < 4:
        return bytes(data) + b"\0" * (4 - len(data))
    return bytes(data[-4:])


def signed_payload_hint(ed25519: bytes, payload: bytes) -> bytes:
    a, b = _hint(ed25519), _hint(payload)
    return bytes(x ^ y for x, y in zip(a, b))


class SignatureChecker:
    """Tracks which of a transaction's signatures have been used."""

    __slots__ = ("contents_hash", "signatures", "used")

    def __init__(self, contents_hash: bytes, signatures):
        self.contents_hash = contents_hash
        self.signatures = list(signatures)
        self.used = [False] * len(self.signatures)

    def check_signature(self, signers, needed_weight: int) -> bool:
        """`signers` is a list of (SignerKey, weight)."""
        if len(signers) == 1 and signers[0][0].type == _ED25519:
            return self._check_single_ed25519(signers[0][0], signers[0][1], needed_weight)
        by_type = {_PRE_AUTH: [], _HASH_X: [], _ED25519: [], _SIGNED_PAYLOAD: []}
        for key, weight in signers:
            by_type[key.type].append((key, weight))

        total = 0
        for key, weight in by_type[_PRE_AUTH]:
            if key.preAuthTx == self.contents_hash:
                total += min(weight, 255)
                if total >= needed_weight:
                    return True

        sigs = self.signatures
        used = self.used
        for kind in (_HASH_X, _ED25519, _SIGNED_PAYLOAD):
            cands = by_type[kind]
            if not cands:
                continue
            for i, sig in enumerate(sigs):
                for j, (key, weight) in enumerate(cands):
                    if self._verify(kind, sig, key):
                        used[i] = True
                        total += min(weight, 255)
                        if total >= needed_weight:
                            return True
                        del cands[j]
                        break
        return False

    def _check_single_ed25519(self, key, weight: int, needed_weight: int) -> bool:
        """The common case (a master key and no other signer), same rules."""
        for i, sig in enumerate(self.signatures):
            if self._verify(_ED25519, sig, key):
                self.used[i] = True
                return min(weight, 255) >= needed_weight
        return False

    def _verify(self, kind, sig, key) -> bool:
        hint = sig.hint
        if kind == _ED25519:
            pk = key.ed25519
            if pk[-4:] != hint:
                return False
            return verify_sig(pk, sig.signature, self.contents_hash)
        if kind == _HASH_X:
            hx = key.hashX
            if hx[-4:] != hint:
                return False
            return hx == hashlib.sha256(sig.signature).digest()
        sp = key.ed25519SignedPayload
        if signed_payload_hint(sp.ed25519, sp.payload) != hint:
            return False
        return verify_sig(sp.ed25519, sig.signature, sp.payload)

    def check_all_signatures_used(self) -> bool:
        return all(self.used)
