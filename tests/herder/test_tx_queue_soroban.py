"""The Soroban queue's admission rules that come before validation, from
stellar-core v25.0.1 TransactionQueueTests.cpp "Soroban TransactionQueue
limits" ("malformed tx", "source account limit, soroban and classic tx
queue") and "TransactionQueue Key Filtering"."""
import pytest

from stellarcore import xdr
from stellarcore.herder.tx_queue import ERROR, FILTERED, PENDING, TRY_AGAIN_LATER, TransactionQueue, TransactionQueues
from stellarcore.herder.tx_view import TxView
from tests.herder._txset_support import NETWORK_ID, add_account, new_ledger
from tests.soroban._parallel_txs import i32_key, soroban_tx
from tests.transactions.harness import op_payment, tx_envelope

_TC = xdr.TransactionResultCode
_ET = xdr.EnvelopeType


def _with_source(env, acc):
    env = env.copy()
    env.v1.tx.sourceAccount = xdr.MuxedAccount(ed25519=bytes(acc.id.ed25519))
    return env


def _fee_bump(env, fee):
    fb = xdr.FeeBumpTransaction(feeSource=env.v1.tx.sourceAccount, fee=fee,
                                innerTx=xdr.FeeBumpTransactionInnerTx(_ET.ENVELOPE_TYPE_TX, env.v1),
                                ext=xdr.FeeBumpTransactionExt(0))
    return xdr.TransactionEnvelope(_ET.ENVELOPE_TYPE_TX_FEE_BUMP, xdr.FeeBumpTransactionEnvelope(tx=fb, signatures=[]))


@pytest.mark.parametrize("case", ["missing extension", "negative inclusion fee", "negative fee-bump full fee",
                                  "fee-bump full fee int64 limit", "negative declared resource fee",
                                  "declared resource fee int64 limit"])
def test_malformed_soroban_tx(case):
    """"malformed tx": each is an ERROR with txMALFORMED."""
    led = new_ledger()
    acc = add_account(led, "a1")
    base = _with_source(soroban_tx(1, resource_fee=10_000), acc)
    if case == "missing extension":
        env = _with_source(soroban_tx(1, no_ext=True), acc)
    elif case == "negative inclusion fee":
        env = _fee_bump(base, 10_000 - 1)
    elif case == "negative fee-bump full fee":
        env = _fee_bump(base, -1)
    elif case == "fee-bump full fee int64 limit":
        env = _fee_bump(base, -(1 << 63))
    else:
        env = base.copy()
        env.v1.tx.fee = 0xFFFFFFFF
        env.v1.tx.ext.sorobanData.resourceFee = -1 if case == "negative declared resource fee" else -(1 << 63)
    q = TransactionQueues(NETWORK_ID)
    res = q.try_add(env, led.root_store)
    assert res.status == ERROR
    assert res.transaction_result.result.code == _TC.txMALFORMED


def test_source_account_limit_soroban_and_classic():
    """"source account limit, soroban and classic tx queue" / "soroban is
    rejected when classic is pending" (no fee bump and fee bump)."""
    led = new_ledger()
    acc = add_account(led, "a1")
    qs = TransactionQueues(NETWORK_ID)
    classic = tx_envelope(acc, acc.seq + 1, [op_payment(acc, 100)], fee=100)
    assert qs.try_add(classic, led.root_store).status == PENDING
    soroban = _with_source(soroban_tx(1), acc)
    assert qs.try_add(soroban, led.root_store).status == TRY_AGAIN_LATER
    assert qs.try_add(_fee_bump(soroban, 50_000), led.root_store).status == TRY_AGAIN_LATER
    assert not qs.soroban.source_account_pending(acc.id)


def test_key_filtering():
    """"TransactionQueue Key Filtering": a Soroban tx touching a filtered
    key (read-only or read-write, also inside a fee bump) is FILTERED."""
    led = new_ledger()
    acc = add_account(led, "a1")
    key = i32_key(7)
    q = TransactionQueue(NETWORK_ID, is_soroban=True, keys_to_filter=[key])
    for ro, rw in (([key], []), ([], [key])):
        env = _with_source(soroban_tx(1, ro=ro, rw=rw), acc)
        assert q.try_add(env, led.root_store).status == FILTERED
        assert q.try_add(_fee_bump(env, 50_000), led.root_store).status == FILTERED
    with pytest.raises(ValueError, match="kind"):
        q.try_add(TxView(NETWORK_ID, tx_envelope(acc, acc.seq + 1, [op_payment(acc, 1)])), led.root_store)
