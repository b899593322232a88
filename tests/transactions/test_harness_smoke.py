"""The harness itself against stellar-core facts: a created account starts
at sequence ledgerSeq << 32; fees go to the fee pool."""
from tests.transactions.harness import TestLedger


def test_create_and_pay():
    L = TestLedger()
    seq = L.header.ledgerSeq
    a = L.root.create("A", 10 * L.min_balance())
    assert a.seq == seq << 32
    assert a.balance == 10 * L.min_balance()
    r = a.pay(L.root, 1000)
    assert r.ok
    assert a.balance == 10 * L.min_balance() - 1000 - 100
    assert L.header.feePool == 200
