"""Accounts and transactions for the tx-set and tx-queue tests, shaped like
stellar-core's herder tests (TestAccount payments, makeMultiPayment,
makeSelfPayment, createSimpleDexTx), on the transactions test ledger."""
from __future__ import annotations

import hashlib

from stellarcore import xdr
from stellarcore.crypto.keys import SecretKey
from stellarcore.ledger.keys import account_key
from tests.transactions.harness import (NETWORK_ID, TestAccount, TestLedger, fee_bump_envelope, make_op, native,
                                        op_payment, tx_envelope)

__all__ = ["NETWORK_ID", "new_ledger", "lcl_of", "add_account", "self_payment", "multi_payment", "dex_tx",
           "fee_bump_envelope", "set_fee"]


def new_ledger(max_tx_set_size: int = 100, protocol: int = 25, base_fee: int = 100) -> TestLedger:
    led = TestLedger(protocol=protocol, base_fee=base_fee, invariants=False)
    led.header.maxTxSetSize = max_tx_set_size
    return led


def lcl_of(led: TestLedger):
    """(header, hash) of the ledger as the last closed one."""
    h = led.header
    return h, hashlib.sha256(h.to_xdr()).digest()


def add_account(led: TestLedger, name: str, balance: int = 10_000_000_000) -> TestAccount:
    """Write an account straight into the ledger (seqNum = ledgerSeq << 32,
    as CreateAccount sets it)."""
    sk = SecretKey.for_test_account(name)
    acc = TestAccount(led, sk)
    entry = xdr.AccountEntry(accountID=acc.id, balance=balance, seqNum=led.header.ledgerSeq << 32,
                             numSubEntries=0, inflationDest=None, flags=0, homeDomain=b"",
                             thresholds=b"\x01\x00\x00\x00", signers=[], ext=xdr.AccountEntryExt(0))
    le = xdr.LedgerEntry(lastModifiedLedgerSeq=led.header.ledgerSeq, data=xdr.LedgerEntryData(account=entry),
                         ext=xdr.LedgerEntryExt(0))
    led.root_store.entries[account_key(acc.id)] = le
    return acc


def self_payment(acc: TestAccount, n_ops: int, fee: int, seq=None):
    """makeSelfPayment: n payments to itself with a given full fee."""
    ops = [op_payment(acc, 1000 + i) for i in range(n_ops)]
    return tx_envelope(acc, acc.seq + 1 if seq is None else seq, ops, fee=fee)


def multi_payment(acc: TestAccount, n_ops: int, extra_fee: int, fee_mult: int):
    """makeMultiPayment(acc, acc, n, 1000, extraFee, feeMult): the default
    fee (100 per op) times feeMult plus extraFee."""
    return self_payment(acc, n_ops, 100 * n_ops * fee_mult + extra_fee)


def dex_tx(acc: TestAccount, n_ops: int, fee: int, seq=None):
    """createSimpleDexTx without its random non-DEX share: n
    ManageBuyOffer ops (native for USD)."""
    usd = xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                    xdr.AlphaNum4(assetCode=b"USD\0", issuer=xdr.PublicKey(ed25519=b"\0" * 32)))
    ops = [make_op(xdr.OperationType.MANAGE_BUY_OFFER,
                   xdr.ManageBuyOfferOp(selling=native(), buying=usd, buyAmount=10,
                                        price=xdr.Price(n=2, d=5), offerID=0)) for _ in range(n_ops)]
    return tx_envelope(acc, acc.seq + 1 if seq is None else seq, ops, fee=fee)


def set_fee(env, fee: int, *signers):
    """A copy of a v1 envelope with another fee, re-signed."""
    from tests.transactions.harness import sign
    e = env.copy()
    e.v1.tx.fee = fee
    e.v1.signatures = []
    return sign(e, *signers)
