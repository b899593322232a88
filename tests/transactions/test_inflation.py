"""Inflation against stellar-core v25's InflationTests.cpp, protocol 12+
part ("not supported"): InflationOpFrame::isOpSupported is false from
protocol 12, so checkValid and apply give opNOT_SUPPORTED.
"""
from __future__ import annotations

from stellarcore import xdr
from tests.transactions import harness
from tests.transactions.test_sponsorship import op_inflation
from tests.transactions.txscen import check_valid

TC = xdr.TransactionResultCode
OC = xdr.OperationResultCode


def test_inflation_not_supported():
    L = harness.TestLedger()
    root = L.root
    env = root.tx([op_inflation()])
    res = check_valid(L, env)
    assert res.result.code == TC.txFAILED
    assert res.result.results[0].code == OC.opNOT_SUPPORTED
    fee_pool, coins = L.header.feePool, L.header.totalCoins
    r = L.apply(env)
    assert (r.code, r.op_code(0)) == (TC.txFAILED, OC.opNOT_SUPPORTED)
    # nothing paid out: only the fee moved
    assert L.header.feePool == fee_pool + 100
    assert L.header.totalCoins == coins
    assert L.header.inflationSeq == 0
