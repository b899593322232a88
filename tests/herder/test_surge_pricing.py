"""Surge pricing and the queue limiter, from stellar-core v25.0.1
src/herder/test/TransactionQueueTests.cpp "TransactionQueue limiter with
DEX separation" (every SECTION, as step lists) and the fee-rate helpers of
SurgePricingUtils.cpp."""
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stellarcore import xdr
from stellarcore.herder import surge_pricing as SP
from stellarcore.herder.tx_queue_limiter import TxQueueLimiter
from stellarcore.herder.tx_view import TxView
from tests.herder._txset_support import NETWORK_ID

_OT = xdr.OperationType
_USD = xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                 xdr.AlphaNum4(assetCode=b"USD\0", issuer=xdr.PublicKey(ed25519=b"\0" * 32)))
_HEADER = xdr.LedgerHeader(ledgerVersion=25, maxTxSetSize=3, baseFee=100)


def _tx(account: int, dex: bool, ops: int, fee: int, seq: int = 1) -> TxView:
    src = xdr.MuxedAccount(ed25519=hashlib.sha256(b"acct%d" % account).digest())
    if dex:
        body = xdr.OperationBody(_OT.MANAGE_BUY_OFFER, xdr.ManageBuyOfferOp(
            selling=xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE), buying=_USD, buyAmount=10,
            price=xdr.Price(n=2, d=5), offerID=0))
    else:
        body = xdr.OperationBody(_OT.PAYMENT, xdr.PaymentOp(destination=src, asset=xdr.Asset(
            xdr.AssetType.ASSET_TYPE_NATIVE), amount=1))
    tx = xdr.Transaction(sourceAccount=src, fee=fee, seqNum=seq,
                         operations=[xdr.Operation(body=body) for _ in range(ops)])
    env = xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX, xdr.TransactionV1Envelope(tx=tx, signatures=[]))
    return TxView(NETWORK_ID, env)


def _bid(acc, dex, ops, op_bid, evicted):
    """checkAndAddWithIncreasedBid."""
    return [(acc, dex, ops, ops * op_bid, False, op_bid * ops + 1, 0),
            (acc, dex, ops, ops * op_bid + 1, True, 0, evicted)]


N, D = False, True
SCENARIOS = {
    "non-DEX transactions only": [
        (1, N, 1, 100, True, 0, 0), (2, N, 5, 1500, True, 0, 0), (3, N, 1, 400, True, 0, 0),
        (4, N, 2, 400, True, 0, 0), (5, N, 1, 100, False, 101, 0), (5, N, 2, 401, True, 0, 3)],
    "DEX transactions only": [
        (1, D, 1, 100, True, 0, 0), (2, D, 2, 200, True, 0, 0), (3, D, 1, 100, False, 101, 0),
        (3, D, 3, 601, True, 0, 3)],
    "DEX and non-DEX transactions": [
        (1, D, 3, 600, True, 0, 0), (2, N, 1, 100, True, 0, 0), (2, D, 1, 100, False, 201, 0),
        (3, N, 7, 1401, True, 0, 4)] + _bid(4, D, 1, 200, 0) + _bid(5, N, 1, 200, 0),
    "DEX and non-DEX transactions with DEX limit reached": [
        (1, D, 2, 400, True, 0, 0), (2, N, 3, 300, True, 0, 0), (3, D, 2, 600, True, 0, 2),
        (4, N, 5, 1250, True, 0, 3)] + _bid(5, D, 1, 200, 0) + _bid(1, N, 1, 100, 0),
    "DEX evicts non-DEX if DEX lane has not enough ops to evict": [
        (1, N, 8, 800, True, 0, 0), (2, D, 1, 200, True, 0, 0), (3, D, 3, 30000, True, 0, 9)],
    "non-DEX transactions evict DEX transactions": [
        (1, D, 2, 200, True, 0, 0), (2, N, 3, 600, True, 0, 0), (3, D, 1, 300, True, 0, 0),
        (4, N, 2, 800, True, 0, 0), (5, N, 1, 500, True, 0, 0)] + _bid(6, N, 5, 200, 5),
    "evict only due to global limit": [
        (1, D, 1, 200, True, 0, 0), (2, N, 6, 2400, True, 0, 0), (3, N, 1, 100, True, 0, 0),
        (4, N, 1, 300, True, 0, 0)] + _bid(5, D, 3, 300, 3),
    "evict due to both limits - fill all DEX slots": [
        (1, D, 2, 400, True, 0, 0), (2, N, 5, 2400, True, 0, 0), (3, N, 1, 100, True, 0, 0),
        (4, N, 1, 150, True, 0, 0)] + _bid(5, D, 3, 200, 3),
    "evict due to both limits - fill part of DEX slots, and add non-DEX tx": [
        (1, D, 2, 400, True, 0, 0), (2, N, 5, 2400, True, 0, 0), (3, N, 1, 100, True, 0, 0),
        (4, N, 1, 150, True, 0, 0)] + _bid(5, D, 2, 200, 3) + _bid(6, N, 1, 100, 0),
    "evict due to both limits - fill part of DEX slots, and add DEX tx": [
        (1, D, 2, 400, True, 0, 0), (2, N, 5, 2400, True, 0, 0), (3, N, 1, 100, True, 0, 0),
        (4, N, 1, 150, True, 0, 0)] + _bid(5, D, 2, 200, 3) + _bid(6, D, 1, 200, 0),
    "cannot evict from the same account, but evict DEX from another": [
        (1, D, 3, 600, True, 0, 0), (2, N, 6, 600, True, 0, 0), (1, D, 3, 900, False, 0, 0),
        (2, N, 4, 1200, False, 0, 0), (5, D, 3, 900, True, 0, 3)],
    "cannot evict from the same account, but evict non-DEX from another": [
        (1, D, 3, 600, True, 0, 0), (2, N, 6, 600, True, 0, 0), (1, D, 3, 900, False, 0, 0),
        (2, N, 4, 1200, False, 0, 0), (5, N, 4, 1200, True, 0, 6)],
    "more ops than the global limit": [(1, N, 10, 2000, False, 0, 0)],
    "more ops than the DEX limit": [(1, D, 4, 800, False, 0, 0)],
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_limiter_with_dex_separation(name):
    """maxTxSetSize 3, MAX_DEX_TX_OPERATIONS_IN_TX_SET 1, multiplier 3:
    9 operations, 3 of them DEX."""
    limiter = TxQueueLimiter(3, False, max_dex_ops=1)
    for step, (acc, dex, ops, fee, expected, fee_on_fail, evicted_ops) in enumerate(SCENARIOS[name]):
        tx = _tx(acc, dex, ops, fee, seq=step + 1)
        fits, min_fee, evict = limiter.can_add_tx(tx, None, _HEADER)
        assert fits == expected, (name, step)
        if not fits:
            assert min_fee == fee_on_fail, (name, step)
            continue
        removed = []

        def on_evict(t):
            # never a cheaper-or-equal rate, never the same account
            assert t.inclusion_fee * tx.num_operations < tx.inclusion_fee * t.num_operations
            assert t.source_id != tx.source_id
            removed.append(t.num_operations)
            limiter.remove(t)

        limiter.evict_transactions(evict, tx, _HEADER, None, on_evict)
        assert sum(removed) == evicted_ops, (name, step)
        limiter.add(tx)


def test_fee_rate_helpers():
    """feeRate3WayCompare cross-multiplies; computeBetterFee is the next
    integer above the reference rate scaled to the tx's ops;
    computePerOpFee rounds down from protocol 20."""
    assert SP.fee_rate_3way_compare(300, 3, 100, 1) == 0
    assert SP.fee_rate_3way_compare(301, 3, 100, 1) == 1
    assert SP.fee_rate_3way_compare(0, 0, 100, 1) == 0      # degenerate but defined
    tx = _tx(1, N, 3, 900)
    assert SP.compute_better_fee(tx, 300, 1) == 901
    assert SP.compute_better_fee(tx, 301, 2) == 452        # 301 * 3 // 2 + 1
    assert SP.compute_per_op_fee(_tx(1, N, 3, 1000)) == 333


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(1, 4), st.integers(100, 2000)), min_size=1, max_size=14),
       st.integers(2, 12), st.sampled_from([None, 1, 3]))
def test_most_top_txs_within_limits_respects_lanes(specs, max_ops, max_dex):
    """getMostTopTxsWithinLimits: the output fits the generic and the DEX
    limit, something is left out exactly when a lane reports a misfit,
    and it is independent of input order."""
    txs = [_tx(i, dex, ops, ops * fee) for i, (dex, ops, fee) in enumerate(specs)]
    dex_limit = None if max_dex is None else (max_dex, SP.MAX_CLASSIC_BYTE_ALLOWANCE)
    config = SP.DexLimitingLaneConfig((max_ops, SP.MAX_CLASSIC_BYTE_ALLOWANCE), dex_limit)
    out, not_fitting = SP.SurgePricingPriorityQueue.most_top_txs_within_limits(txs, config, 25)
    assert sum(t.num_operations for t in out) <= max_ops
    if max_dex is not None:
        assert sum(t.num_operations for t in out if t.has_dex_operations) <= max_dex
    assert (len(out) < len(txs)) == any(not_fitting)
    rev, _ = SP.SurgePricingPriorityQueue.most_top_txs_within_limits(
        list(reversed(txs)), SP.DexLimitingLaneConfig((max_ops, SP.MAX_CLASSIC_BYTE_ALLOWANCE), dex_limit), 25)
    assert sorted(t.full_hash for t in rev) == sorted(t.full_hash for t in out)
