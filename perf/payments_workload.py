"""A ledger of N accounts and M signed native payments among them, for the
payment-apply benchmark (issue: 10,000 payments among 1,000 accounts).

Accounts are stellar-core test accounts written straight into an in-memory
root; each payment comes from a source picked round-robin so one account's
transactions carry consecutive sequence numbers, as a real tx set would.
"""
from __future__ import annotations

import random

from stellarcore import xdr
from stellarcore.crypto import txhash
from stellarcore.crypto.keys import SecretKey
from stellarcore.ledger.keys import account_key
from stellarcore.ledger.ledger_txn import InMemoryRoot, LedgerTxn
from stellarcore.transactions.apply import apply_transaction, process_fee
from stellarcore.transactions.frame import make_transaction_frame

NETWORK_ID = txhash.network_id("(V) (;,,;) (V)")
BALANCE = 1_000_000_000_000


def make_header(ledger_seq: int = 100) -> "xdr.LedgerHeader":
    return xdr.LedgerHeader(
        ledgerVersion=25, previousLedgerHash=b"\0" * 32,
        scpValue=xdr.StellarValue(txSetHash=b"\0" * 32, closeTime=1_700_000_000, upgrades=[],
                                  ext=xdr.StellarValueExt(0)),
        txSetResultHash=b"\0" * 32, bucketListHash=b"\0" * 32, ledgerSeq=ledger_seq,
        totalCoins=10 ** 18, feePool=0, inflationSeq=0, idPool=0, baseFee=100,
        baseReserve=5_000_000, maxTxSetSize=10_000, skipList=[b"\0" * 32] * 4, ext=xdr.LedgerHeaderExt(0))


def make_accounts(n: int):
    keys = [SecretKey.for_test_account(f"pay{i}") for i in range(n)]
    entries = {}
    for k in keys:
        aid = xdr.PublicKey(ed25519=k.public_key.ed25519)
        acc = xdr.AccountEntry(accountID=aid, balance=BALANCE, seqNum=1 << 32, numSubEntries=0,
                               inflationDest=None, flags=0, homeDomain=b"", thresholds=b"\x01\x00\x00\x00",
                               signers=[], ext=xdr.AccountEntryExt(0))
        entries[account_key(aid)] = xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=xdr.LedgerEntryData(account=acc),
                                                    ext=xdr.LedgerEntryExt(0))
    return keys, entries


def make_payments(keys, m: int, seed: int = 1):
    rng = random.Random(seed)
    n = len(keys)
    seqs = [1 << 32] * n
    envs = []
    for i in range(m):
        s = i % n
        d = rng.randrange(n - 1)
        d = d + 1 if d >= s else d
        seqs[s] += 1
        src = keys[s]
        op = xdr.Operation(sourceAccount=None, body=xdr.OperationBody(
            xdr.OperationType.PAYMENT, xdr.PaymentOp(destination=xdr.MuxedAccount(ed25519=keys[d].public_key.ed25519),
                                                     asset=xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE),
                                                     amount=1000 + i)))
        tx = xdr.Transaction(sourceAccount=xdr.MuxedAccount(ed25519=src.public_key.ed25519), fee=100,
                             seqNum=seqs[s], cond=xdr.Preconditions(xdr.PreconditionType.PRECOND_NONE),
                             memo=xdr.Memo(xdr.MemoType.MEMO_NONE), operations=[op], ext=xdr.TransactionExt(0))
        env = xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX, xdr.TransactionV1Envelope(tx=tx, signatures=[]))
        env.v1.signatures.append(src.sign_decorated(txhash.contents_hash(env, NETWORK_ID)))
        envs.append(env.to_xdr())
    return envs


def apply_ledger(entries: dict, env_bytes: list, meta: bool = True) -> int:
    """Decode, charge and apply every transaction in one ledger; returns
    the number that succeeded."""
    root = InMemoryRoot(make_header())
    root.entries = dict(entries)
    ltx = LedgerTxn(root)
    frames = [make_transaction_frame(NETWORK_ID, xdr.TransactionEnvelope.from_xdr(b)) for b in env_bytes]
    charged = [process_fee(ltx, f, 100, meta)[0] for f in frames]
    ok = 0
    for f, r in zip(frames, charged):
        apply_transaction(ltx, f, r, NETWORK_ID, classic_events=False, meta_enabled=meta)
        ok += r.is_success()
    ltx.commit()
    return ok
