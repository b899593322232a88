"""Scenario helpers for the transaction-frame tests (test_tx_envelope,
test_preconditions, test_signatures, test_fee_bump, test_create_account,
test_payment), mirroring stellar-core's src/test/TxTests.cpp.

Why a second helper layer over harness.py: stellar-core's transaction tests
lean on a few helpers the harness does not have -

  apply_check      TxTests.cpp applyCheck: checkValid, then apply, and the
                   cross-checks between the two (same error when validation
                   failed, no operation meta on failure, the sequence number
                   bumped unless the failure came before the seq check);
  close_ledger     closeLedger(app, txs, strictOrder=true): every fee is
                   charged first, then every transaction applied in order
                   (how a merge can remove a later tx's source account);
  set_options      SetOptions' effect on an account (master weight,
                   thresholds, signers), written straight into the ledger so
                   multisig scenarios do not depend on the SetOptions op;
  trustline        ChangeTrust's effect (a trustline entry + subentry);
  signer keys      pre-auth tx, hash(x), signed payload, and the matching
                   DecoratedSignatures (SignatureUtils::signHashX,
                   getSignedPayloadHint).

The expected values in the tests come from stellar-core's tests and rules,
never from our own output.
"""
from __future__ import annotations

import hashlib

import pytest

from stellarcore import xdr
from stellarcore.crypto import txhash
from stellarcore.ledger.keys import account_key
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.transactions import operations  # noqa: F401  (registers the ops)
from stellarcore.transactions.operation_frame import OPERATION_FRAMES
from tests.transactions.harness import NETWORK_ID, Applied, TestAccount, account_id_of, tx_envelope

TC = xdr.TransactionResultCode
OC = xdr.OperationResultCode
SK = xdr.SignerKeyType
PT = xdr.PreconditionType
INT64_MAX = (1 << 63) - 1

# TxTests.cpp applyCheck: failures at or before the sequence-number check
# leave the sequence number alone.
EARLY_FAILURES = (TC.txMISSING_OPERATION, TC.txTOO_EARLY, TC.txTOO_LATE, TC.txINSUFFICIENT_FEE,
                  TC.txBAD_SEQ, TC.txMALFORMED)


def require_op(op_type):
    """Skip unless the operation is implemented yet (other engineers add them)."""
    if op_type not in OPERATION_FRAMES:
        pytest.skip(f"{op_type.name} not implemented yet")


# -- signer keys and signatures ---------------------------------------------
def ed25519_key(who) -> "xdr.SignerKey":
    return xdr.SignerKey(SK.SIGNER_KEY_TYPE_ED25519, account_id_of(who).ed25519)


def hashx_key(x: bytes) -> "xdr.SignerKey":
    """SignerKeyUtils::hashXKey."""
    return xdr.SignerKey(SK.SIGNER_KEY_TYPE_HASH_X, hashlib.sha256(x).digest())


def preauth_key(envelope) -> "xdr.SignerKey":
    """SignerKeyUtils::preAuthTxKey: the envelope's contents hash."""
    return xdr.SignerKey(SK.SIGNER_KEY_TYPE_PRE_AUTH_TX, txhash.contents_hash(envelope, NETWORK_ID))


def payload_key(who, payload: bytes) -> "xdr.SignerKey":
    """SignerKeyUtils::ed25519PayloadKey."""
    return xdr.SignerKey(SK.SIGNER_KEY_TYPE_ED25519_SIGNED_PAYLOAD, xdr.SignerKeyEd25519SignedPayload(
        ed25519=account_id_of(who).ed25519, payload=payload))


def _hint(data: bytes) -> bytes:
    """SignatureUtils::getHint: last 4 bytes, or the bytes zero-padded."""
    data = bytes(data)
    return data[-4:] if len(data) >= 4 else data + b"\0" * (4 - len(data))


def sign_hashx(x: bytes) -> "xdr.DecoratedSignature":
    """SignatureUtils::signHashX: the preimage, hinted by its hash."""
    return xdr.DecoratedSignature(hint=_hint(hashlib.sha256(x).digest()), signature=x)


def sign_payload(secret, payload: bytes, ed25519: bytes = None) -> "xdr.DecoratedSignature":
    """A signature of `payload` with getSignedPayloadHint's hint."""
    pk = secret.public_key.ed25519 if ed25519 is None else ed25519
    hint = bytes(a ^ b for a, b in zip(_hint(pk), _hint(payload)))
    return xdr.DecoratedSignature(hint=hint, signature=secret.sign(payload))


def add_sig(envelope, sig) -> "xdr.TransactionEnvelope":
    envelope.xdr_value().signatures.append(sig)
    return envelope


def clear_sigs(envelope) -> "xdr.TransactionEnvelope":
    envelope.xdr_value().signatures.clear()
    return envelope


# -- envelopes ----------------------------------------------------------------
def v2_cond(time_bounds=None, ledger_bounds=None, min_seq_num=None, min_seq_age=0, min_seq_ledger_gap=0,
            extra_signers=()) -> "xdr.Preconditions":
    tb = None if time_bounds is None else xdr.TimeBounds(minTime=time_bounds[0], maxTime=time_bounds[1])
    lb = None if ledger_bounds is None else xdr.LedgerBounds(minLedger=ledger_bounds[0], maxLedger=ledger_bounds[1])
    return xdr.Preconditions(PT.PRECOND_V2, xdr.PreconditionsV2(
        timeBounds=tb, ledgerBounds=lb, minSeqNum=min_seq_num, minSeqAge=min_seq_age,
        minSeqLedgerGap=min_seq_ledger_gap, extraSigners=list(extra_signers)))


def time_cond(min_time: int, max_time: int) -> "xdr.Preconditions":
    return xdr.Preconditions(PT.PRECOND_TIME, xdr.TimeBounds(minTime=min_time, maxTime=max_time))


def v2_tx(acc: TestAccount, cond, seq_delta: int = 1, fee: int = 100, signers=None):
    """TxTests.cpp transactionWithV2Precondition: a 1-stroop self payment."""
    from tests.transactions.harness import op_payment
    return tx_envelope(acc, acc.seq + seq_delta, [op_payment(acc, 1)], fee=fee, cond=cond,
                       signers=signers)


# -- applying -------------------------------------------------------------------
def check_valid(L, envelope, lower_offset: int = 0, upper_offset: int = 0):
    """checkValidForTesting(ltx, 0, lowerOffset, upperOffset): the result XDR."""
    ltx = LedgerTxn(L.root_store)
    try:
        return L.frame(envelope).check_valid(ltx, 0, lower_offset, upper_offset).to_xdr()
    finally:
        ltx.rollback()


def apply_check(L, envelope, check_seq: bool = True) -> Applied:
    """TxTests.cpp applyCheck: validate, apply, and cross-check the two."""
    checked = L.check_valid(envelope)
    code = checked.result.code
    frame = L.frame(envelope)
    if code == TC.txNO_ACCOUNT:
        return Applied(checked, None, [])
    before = L.load(account_key(frame.source_id))
    r = L.apply(envelope)
    res_code = r.result.result.code
    if r.ok:
        assert res_code in (TC.txSUCCESS, TC.txFEE_BUMP_INNER_SUCCESS)
    else:
        assert len(r.meta.v4.operations) == 0, "a failed transaction has no operation meta"
    if code not in (TC.txSUCCESS, TC.txFEE_BUMP_INNER_SUCCESS):
        if res_code != TC.txFAILED:
            # same result apart from feeCharged (checkValid's is an estimate)
            assert checked.result == r.result.result, (checked, r.result)
        else:
            for c, a in zip(checked.result.results, r.result.result.results):
                assert c == a
                if c.code == OC.opBAD_AUTH:
                    break
    after = L.load(account_key(frame.source_id))
    inner_code = r.code
    if check_seq and after is not None and inner_code not in EARLY_FAILURES:
        assert after.data.account.seqNum == before.data.account.seqNum + 1
    return r


def close_ledger(L, envelopes) -> list:
    """closeLedger(app, txs, strictOrder=true): charge every fee, then apply
    every transaction in order, in one ledger."""
    return L.apply_set(envelopes)


# -- direct ledger edits (test setup) -----------------------------------------
def _signer_sort_key(signer):
    return signer.key.to_xdr()


def set_options(acc: TestAccount, master=None, low=None, med=None, high=None, signers=()):
    """SetOptions' effect: thresholds and signers (weight 0 removes), with
    numSubEntries kept in step; sponsorship of signers is not modelled."""
    L = acc.ledger
    le = acc.entry()
    a = le.data.account
    th = bytearray(a.thresholds)
    for i, v in enumerate((master, low, med, high)):
        if v is not None:
            th[i] = v
    a.thresholds = bytes(th)
    for key, weight in signers:
        idx = next((i for i, s in enumerate(a.signers) if s.key == key), -1)
        if weight == 0:
            if idx >= 0:
                del a.signers[idx]
                a.numSubEntries -= 1
                if a.ext.v == 1 and a.ext.v1.ext.v == 2:
                    del a.ext.v1.ext.v2.signerSponsoringIDs[idx]
            continue
        if idx >= 0:
            a.signers[idx].weight = weight
            continue
        a.signers.append(xdr.Signer(key=key, weight=weight))
        a.signers.sort(key=_signer_sort_key)
        a.numSubEntries += 1
        if a.ext.v == 1 and a.ext.v1.ext.v == 2:
            pos = [s.key for s in a.signers].index(key)
            a.ext.v1.ext.v2.signerSponsoringIDs.insert(pos, None)
    L.put(le)


def signer_count(acc: TestAccount) -> int:
    e = acc.entry()
    return 0 if e is None else len(e.data.account.signers)


def set_balance(acc: TestAccount, balance: int) -> None:
    le = acc.entry()
    le.data.account.balance = balance
    acc.ledger.put(le)


def set_account_liabilities(acc: TestAccount, buying: int = 0, selling: int = 0) -> None:
    from stellarcore.ledger import balances as B
    le = acc.entry()
    li = B.prepare_account_ext_v1(le.data.account).liabilities
    li.buying, li.selling = buying, selling
    acc.ledger.put(le)


def trustline(acc: TestAccount, asset, limit: int, balance: int = 0,
              flags: int = xdr.TrustLineFlags.AUTHORIZED_FLAG, buying: int = 0, selling: int = 0):
    """ChangeTrust's effect: a trustline entry (+1 subentry on its owner)."""
    ext = xdr.TrustLineEntryExt(0)
    if buying or selling:
        ext = xdr.TrustLineEntryExt(1, xdr.TrustLineEntryV1(
            liabilities=xdr.Liabilities(buying=buying, selling=selling), ext=xdr.TrustLineEntryV1Ext(0)))
    tl_asset = xdr.TrustLineAsset.from_xdr(asset.to_xdr())
    tl = xdr.TrustLineEntry(accountID=acc.id, asset=tl_asset, balance=balance, limit=limit, flags=flags, ext=ext)
    le = xdr.LedgerEntry(lastModifiedLedgerSeq=acc.ledger.header.ledgerSeq,
                         data=xdr.LedgerEntryData(trustLine=tl), ext=xdr.LedgerEntryExt(0))
    existed = acc.trustline(asset) is not None
    acc.ledger.put(le)
    if not existed:
        ale = acc.entry()
        ale.data.account.numSubEntries += 1
        acc.ledger.put(ale)


def remove_account(acc: TestAccount) -> None:
    """AccountMerge's effect on the ledger (the balance goes nowhere: test only)."""
    acc.ledger.root_store.entries.pop(account_key(acc.id))

