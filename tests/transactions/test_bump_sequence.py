"""BumpSequence against stellar-core v25's BumpSequenceTests.cpp (protocol
10+/19+ sections), plus PARITY_TRAPS T5: even a no-op bump stamps
seqLedger/seqTime and materializes account extensions v1..v3.
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.ledger import balances as B
from tests.transactions import harness
from tests.transactions.harness import op_payment
from tests.transactions.test_sponsorship import apply_ops, make_signer, op_bump, op_manage_data
from tests.transactions.txscen import close_ledger, set_options, v2_cond, v2_tx

TC = xdr.TransactionResultCode
OC = xdr.OperationResultCode
BS = xdr.BumpSequenceResultCode
INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)


@pytest.fixture
def L():
    return harness.TestLedger()


@pytest.fixture
def a(L):
    L.root.create("B", L.min_balance(0) + 1000)
    return L.root.create("A", L.min_balance(0) + 1000)


def test_small_bump(L, a):
    new_seq = a.seq + 2
    r = a.apply([op_bump(new_seq)])
    assert (r.code, r.op_code(0)) == (TC.txSUCCESS, BS.BUMP_SEQUENCE_SUCCESS)
    assert a.seq == new_seq


def test_large_bump_then_no_more_tx(L, a):
    assert a.apply([op_bump(INT64_MAX)]).ok
    assert a.seq == INT64_MAX
    # no more tx when INT64_MAX is reached
    r = L.apply(a.tx([op_payment(L.root, 1)], seq=INT64_MIN))
    assert r.code == TC.txBAD_SEQ


def test_backward_jump_is_noop(L, a):
    old = a.seq
    assert a.apply([op_bump(1)]).ok
    assert a.seq == old + 1  # the tx consumes a sequence number, the bump does nothing


@pytest.mark.parametrize("bump_to", [-1, INT64_MIN])
def test_bad_seq(L, a, bump_to):
    r = a.apply([op_bump(bump_to)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, BS.BUMP_SEQUENCE_BAD_SEQ)


def test_seqnum_equals_starting_sequence(L, a):
    """Bumping to the next ledger's starting sequence - 1 makes the next tx
    (seq == ledgerSeq << 32) bad."""
    new_seq = B.starting_sequence_number(L.header.ledgerSeq + 1) - 1
    assert a.apply([op_bump(new_seq)]).ok
    assert a.seq == new_seq
    r = L.apply(a.tx([op_payment(L.root, 1)]))
    assert r.code == TC.txBAD_SEQ


@pytest.mark.parametrize("cond", [dict(min_seq_ledger_gap=1), dict(min_seq_age=1)],
                         ids=["minSeqLedgerGap", "minSeqAge"])
def test_min_seq_conditions_fail_due_to_bump_sequence(L, a, cond):
    L.close_ledger()
    L.close_ledger()
    tx1 = harness.tx_envelope(L.root, L.root.seq + 1, [op_bump(0, source=a)], signers=[L.root, a])
    tx2 = v2_tx(a, v2_cond(**cond))
    pre = a.seq
    r = close_ledger(L, [tx1, tx2])
    assert r[0].code == TC.txSUCCESS
    assert r[1].code == TC.txBAD_MIN_SEQ_AGE_OR_GAP
    # the sequence number was consumed even though tx2 failed
    assert a.seq - 1 == pre


@pytest.mark.parametrize("with_signer", [False, True])
def test_noop_bump_materializes_v3_extension(L, with_signer):
    """PARITY_TRAPS T5: bumpTo <= seqNum still stamps seqLedger/seqTime;
    an account that never sourced a tx gets ext v1 (zero liabilities), v2
    (one null signerSponsoringID per signer, counts 0) and v3."""
    root = L.root
    b = root.create("bumped", L.min_balance(1))
    if with_signer:
        set_options(b, signers=[(make_signer(L.account("S1"), 1).key, 1)])
    assert b.entry().data.account.ext.v == 0
    seq = b.seq
    ledger, close_time = L.header.ledgerSeq, L.header.scpValue.closeTime
    r = apply_ops(L, root, [op_bump(0, source=b)], keys=[b])
    assert r.ok
    ae = b.entry().data.account
    assert ae.seqNum == seq
    assert ae.ext.v == 1 and ae.ext.v1.liabilities == xdr.Liabilities(buying=0, selling=0)
    v2 = ae.ext.v1.ext.v2
    assert (v2.numSponsored, v2.numSponsoring) == (0, 0)
    assert list(v2.signerSponsoringIDs) == [None] * (1 if with_signer else 0)
    v3 = v2.ext.v3
    assert (v3.seqLedger, v3.seqTime) == (ledger, close_time)
    # the op's meta has the account's STATE and UPDATED
    changes = r.meta.v4.operations[0].changes
    assert [c.type for c in changes] == [xdr.LedgerEntryChangeType.LEDGER_ENTRY_STATE,
                                         xdr.LedgerEntryChangeType.LEDGER_ENTRY_UPDATED]


def test_low_threshold(L, a):
    """BumpSequence needs the LOW threshold only: with low 1, med 2 the
    master key (weight 1) may bump but not run a MEDIUM op."""
    set_options(a, master=1, low=1, med=2, high=2)
    assert a.apply([op_bump(a.seq + 5)]).ok
    r = a.apply([op_manage_data(b"x", b"y")])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, OC.opBAD_AUTH)
