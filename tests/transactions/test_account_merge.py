"""AccountMerge against stellar-core v25's MergeTests.cpp (protocol 16+
branches of every section, which is what protocol 23+ runs).

Expected values are stellar-core's: result codes, the merged balance
(sourceAccountBalance), destination balances, sponsorship counts, and the
reserve arithmetic (minBalance(n) = (2 + n) * baseReserve, fee 100 per op).
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.ledger import balances as B
from tests.transactions import harness
from tests.transactions.harness import credit, native, op_create_account, op_payment
from tests.transactions.test_sponsorship import (TXFEE, apply_ops, check_signer_sponsorship, check_sponsorship,
                                                 make_signer, op_begin, op_bump, op_end, op_manage_data, op_merge,
                                                 op_set_options, setup_offer, setup_trustline, tx_from_ops)
from tests.transactions.txscen import apply_check, check_valid, v2_cond

TC = xdr.TransactionResultCode
OC = xdr.OperationResultCode
AM = xdr.AccountMergeResultCode
CA = xdr.CreateAccountResultCode
AF = xdr.AccountFlags
INT64_MAX = (1 << 63) - 1


@pytest.fixture
def L():
    return harness.TestLedger()


@pytest.fixture
def world(L):
    """a1 (2x), b1 and gateway (1x) funded with minBalance(5) + 20 fees."""
    root = L.root
    min_balance = L.min_balance(5) + 20 * TXFEE
    a1 = root.create("A", 2 * min_balance)
    b1 = root.create("B", min_balance)
    gateway = root.create("gate", min_balance)
    return a1, b1, gateway


def merge_result(r, i):
    res = r.op_results[i]
    assert res.code == OC.opINNER
    return res.tr.xdr_value()


def expect_codes(r, codes):
    got = []
    for i, want in enumerate(codes):
        if isinstance(want, tuple):
            m = merge_result(r, i)
            got.append((m.code, m.sourceAccountBalance))
        else:
            got.append(r.op_code(i))
    assert got == list(codes)


def test_merge_into_self(L, world):
    a1 = world[0]
    r = a1.apply([op_merge(a1)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, AM.ACCOUNT_MERGE_MALFORMED)


def test_merge_into_non_existent_account(L, world):
    a1 = world[0]
    r = a1.apply([op_merge(L.account("C"))])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, AM.ACCOUNT_MERGE_NO_ACCOUNT)


def test_with_create(L, world):
    """merge, recreate, merge again in one tx: the recreated account starts
    at ledgerSeq << 32, so the second merge is SEQNUM_TOO_FAR."""
    a1, b1, _ = world
    a1_balance = a1.balance
    create_balance = L.min_balance(1)
    env = tx_from_ops(a1, [op_merge(b1), op_create_account(a1.id, create_balance, source=b1), op_merge(b1)],
                      keys=[b1])
    r = L.apply(env)
    assert r.code == TC.txFAILED
    fee = 3 * TXFEE
    expect_codes(r, [(AM.ACCOUNT_MERGE_SUCCESS, a1_balance - fee), CA.CREATE_ACCOUNT_SUCCESS,
                     AM.ACCOUNT_MERGE_SEQNUM_TOO_FAR])
    assert a1.balance == a1_balance - fee


def test_merge_create_merge_back(L, world):
    a1, b1, _ = world
    a1_balance, b1_balance = a1.balance, b1.balance
    create_balance = L.min_balance(1)
    ledger_seq = L.header.ledgerSeq
    env = tx_from_ops(a1, [op_merge(b1), op_create_account(a1.id, create_balance, source=b1),
                           op_merge(a1, source=b1)], keys=[b1])
    r = apply_check(L, env, check_seq=False)
    fee = 3 * TXFEE
    m = merge_result(r, 2)
    assert (m.code, m.sourceAccountBalance) == (AM.ACCOUNT_MERGE_SUCCESS,
                                               a1_balance + b1_balance - create_balance - fee)
    assert a1.balance == a1_balance + b1_balance - fee
    assert not b1.exists()
    # a1 is recreated with a sequence number based on the current ledger
    assert a1.seq == ledger_seq << 32


def test_merge_create_merge_into_the_same(L, world):
    a1, b1, _ = world
    a1_balance, b1_balance, a1_seq, b1_seq = a1.balance, b1.balance, a1.seq, b1.seq
    r = a1.apply([op_merge(b1), op_create_account(b1.id, L.min_balance(1)), op_merge(b1)])
    assert r.code == TC.txFAILED
    expect_codes(r, [(AM.ACCOUNT_MERGE_SUCCESS, a1_balance - 3 * TXFEE), OC.opNO_ACCOUNT, OC.opNO_ACCOUNT])
    assert a1.exists() and b1.exists()
    assert (a1.balance, b1.balance) == (a1_balance - 3 * TXFEE, b1_balance)
    assert (a1.seq, b1.seq) == (a1_seq + 1, b1_seq)


def test_merge_create_different_merge_into_the_same(L, world):
    a1, b1, _ = world
    c1 = L.account("c1")
    a1_balance, b1_balance, a1_seq, b1_seq = a1.balance, b1.balance, a1.seq, b1.seq
    r = a1.apply([op_merge(b1), op_create_account(c1.id, L.min_balance(1)), op_merge(b1)])
    assert r.code == TC.txFAILED
    expect_codes(r, [(AM.ACCOUNT_MERGE_SUCCESS, a1_balance - 3 * TXFEE), OC.opNO_ACCOUNT, OC.opNO_ACCOUNT])
    assert a1.exists() and b1.exists() and not c1.exists()
    assert (a1.balance, b1.balance) == (a1_balance - 3 * TXFEE, b1_balance)
    assert (a1.seq, b1.seq) == (a1_seq + 1, b1_seq)


def test_merge_account_twice(L, world):
    a1, b1, _ = world
    a1_balance, b1_balance = a1.balance, b1.balance
    r = a1.apply([op_merge(b1), op_merge(b1)])
    assert r.code == TC.txFAILED
    expect_codes(r, [(AM.ACCOUNT_MERGE_SUCCESS, a1_balance - 2 * TXFEE), OC.opNO_ACCOUNT])
    assert b1.balance == b1_balance
    assert a1.balance == a1_balance - 2 * TXFEE


def test_merge_account_twice_to_non_existing_account(L, world):
    a1 = world[0]
    a1_balance = a1.balance
    missing = L.account("non-existing")
    r = apply_check(L, a1.tx([op_merge(missing), op_merge(missing)]))
    assert r.op_code(1) == AM.ACCOUNT_MERGE_NO_ACCOUNT
    assert a1.balance == a1_balance - 2 * TXFEE
    assert a1.exists()


def test_create_merge_create(L, world):
    a1 = world[0]
    c, d = L.account("C"), L.account("D")
    a1_balance = a1.balance
    create_balance = L.min_balance(0)
    r = a1.apply([op_create_account(c.id, create_balance), op_merge(c), op_create_account(d.id, create_balance)])
    assert r.code == TC.txFAILED
    expect_codes(r, [CA.CREATE_ACCOUNT_SUCCESS,
                     (AM.ACCOUNT_MERGE_SUCCESS, a1_balance - create_balance - 3 * TXFEE), OC.opNO_ACCOUNT])
    assert a1.exists() and not c.exists() and not d.exists()
    assert a1_balance == a1.balance + 3 * TXFEE


def test_account_has_static_auth_flag_set(L, world):
    a1, b1, _ = world
    assert a1.apply([op_set_options(setFlags=AF.AUTH_IMMUTABLE_FLAG)]).ok
    r = a1.apply([op_merge(b1)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, AM.ACCOUNT_MERGE_IMMUTABLE_SET)


@pytest.mark.parametrize("sub_entry", ["trust line", "offer", "data"])
def test_with_sub_entries(L, world, sub_entry):
    a1, b1, gateway = world
    if sub_entry == "trust line":
        setup_trustline(a1, credit("USD", gateway), limit=1_000_000)
    elif sub_entry == "offer":
        usd = credit("USD", gateway)
        setup_trustline(a1, usd, limit=1_000_000, balance=100_000)
        for _ in range(4):
            setup_offer(a1, native(), credit("CUR1", a1), 100)
    else:
        assert a1.apply([op_manage_data(b"test", bytes(range(20)))]).ok
    r = a1.apply([op_merge(b1)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, AM.ACCOUNT_MERGE_HAS_SUB_ENTRIES)


def test_account_has_signer(L, world):
    a1, b1, gateway = world
    assert a1.apply([op_set_options(signer=make_signer(gateway, 5))]).ok
    assert a1.apply([op_merge(b1)]).ok
    assert not a1.exists()


def test_success_basic(L, world):
    a1, b1, _ = world
    a1_balance, b1_balance = a1.balance, b1.balance
    r = a1.apply([op_merge(b1)])
    assert r.ok
    m = merge_result(r, 0)
    assert (m.code, m.sourceAccountBalance) == (AM.ACCOUNT_MERGE_SUCCESS, a1_balance - TXFEE)
    assert not a1.exists()
    assert b1.balance == b1_balance + a1_balance - TXFEE
    # meta: the source removed, the destination updated
    CT = xdr.LedgerEntryChangeType
    kinds = {}
    for c in r.meta.v4.operations[0].changes:
        if c.type == CT.LEDGER_ENTRY_REMOVED:
            kinds.setdefault(c.removed.account.accountID.ed25519, []).append(c.type)
        else:
            kinds.setdefault(c.xdr_value().data.account.accountID.ed25519, []).append(c.type)
    assert sorted(kinds[a1.id.ed25519]) == sorted([CT.LEDGER_ENTRY_STATE, CT.LEDGER_ENTRY_REMOVED])
    assert sorted(kinds[b1.id.ed25519]) == sorted([CT.LEDGER_ENTRY_STATE, CT.LEDGER_ENTRY_UPDATED])


def test_success_invalidates_dependent_tx(L, world):
    from tests.transactions.txscen import close_ledger
    a1, b1, _ = world
    tx1 = a1.tx([op_merge(b1)])
    tx2 = a1.tx([op_payment(L.root, 100)], seq=a1.seq + 2)
    a1_balance, b1_balance = a1.balance, b1.balance
    r = close_ledger(L, [tx1, tx2])
    assert r[0].code == TC.txSUCCESS
    assert r[1].code == TC.txNO_ACCOUNT
    assert not a1.exists()
    assert b1.balance == a1_balance + b1_balance - 2 * TXFEE


BASE_RESERVE_ROWS = [
    # (extra over minBalance(0), merge succeeds?) - protocol 9+ rows
    (0, False),
    (1, False),
    (TXFEE - 1, False),
    (TXFEE, True),
    (TXFEE + 1, True),
    (2 * TXFEE - 1, True),
    (2 * TXFEE, True),
]


@pytest.mark.parametrize("extra,ok", BASE_RESERVE_ROWS)
def test_account_has_only_base_reserve(L, extra, ok):
    merge_from = L.root.create("merge-from", L.min_balance(0) + extra)
    env = merge_from.tx([op_merge(L.root)])
    if not ok:
        assert check_valid(L, env).result.code == TC.txINSUFFICIENT_BALANCE
    else:
        r = apply_check(L, env)
        assert r.ok
        assert not merge_from.exists()


@pytest.mark.parametrize("passed", [False, True], ids=["at max = success", "passed max = failure"])
def test_merge_too_far(L, world, passed):
    """The merge runs in the ledger after the bump: its starting sequence
    (ledgerSeq << 32) is the limit."""
    a1, b1, _ = world
    cur_start = B.starting_sequence_number(L.header.ledgerSeq + 1)
    max_seq = cur_start - 1 + (1 if passed else 0)
    assert a1.apply([op_bump(max_seq)]).ok
    assert a1.seq == max_seq
    env = tx_from_ops(L.root, [op_merge(b1, source=a1)], keys=[a1])
    r = apply_check(L, env)
    if passed:
        assert (r.code, r.op_code(0)) == (TC.txFAILED, AM.ACCOUNT_MERGE_SEQNUM_TOO_FAR)
    else:
        assert r.ok


def close_ledger_with_max_seq(L, envelopes) -> list:
    """closeLedger(app, txs, strictOrder=true); the fee pass creates the
    MAX_SEQ_NUM_TO_APPLY entries (processFeesSeqNums' protocol-19 step)."""
    return L.apply_set(envelopes)


@pytest.mark.parametrize("case", ["merge using different account", "merge source account",
                                  "merge without minSeqNum"])
def test_merge_too_far_due_to_max_seq_num_to_apply(L, world, case):
    """PARITY_TRAPS L8: a later tx of the same set taking a1 past this
    ledger's starting sequence blocks the merge of a1."""
    a1, b1, gateway = world
    cur_start = B.starting_sequence_number(L.header.ledgerSeq)
    tx_min_seq = harness.tx_envelope(a1, cur_start + 1, [op_payment(a1, 1)], cond=v2_cond(min_seq_num=0))
    if case == "merge without minSeqNum":
        tx1 = tx_from_ops(L.root, [op_bump(cur_start, source=a1)], keys=[a1])
        tx2 = tx_from_ops(gateway, [op_merge(b1, source=a1)], keys=[a1])
        r = close_ledger_with_max_seq(L, [tx1, tx2])
        assert r[0].code == TC.txSUCCESS
        assert r[1].op_code(0) == AM.ACCOUNT_MERGE_SEQNUM_TOO_FAR
        return
    src = L.root if case == "merge using different account" else gateway
    tx1 = tx_from_ops(src, [op_merge(b1, source=a1)], keys=[a1])
    r = close_ledger_with_max_seq(L, [tx1, tx_min_seq])
    assert r[0].op_code(0) == AM.ACCOUNT_MERGE_SEQNUM_TOO_FAR
    assert r[1].code == TC.txSUCCESS


def test_max_seq_num_below_limit_allows_merge(L, world):
    """The internal entry blocks only at or past ledgerSeq << 32."""
    a1, b1, gateway = world
    tx1 = tx_from_ops(gateway, [op_merge(b1, source=a1)], keys=[a1])
    r = close_ledger_with_max_seq(L, [tx1])
    assert r[0].ok


def test_destination_with_native_buying_liabilities(L):
    """DEST_FULL when balance + buying liabilities would pass INT64_MAX."""
    root = L.root
    min_bal = L.min_balance(1)
    acc1 = root.create("acc1", min_bal)
    acc2 = root.create("acc2", min_bal + TXFEE + 1)
    setup_offer(acc1, credit("CUR1", acc1), native(), INT64_MAX - 2 * min_bal)
    r = acc2.apply([op_merge(acc1)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, AM.ACCOUNT_MERGE_DEST_FULL)
    assert root.pay(acc2, TXFEE - 1).ok
    assert acc2.apply([op_merge(acc1)]).ok
    ae = acc1.entry().data.account
    assert ae.balance == 2 * min_bal
    assert ae.balance + B.account_liabilities(ae)[0] == INT64_MAX


# -- sponsorships -----------------------------------------------------------------------
@pytest.fixture
def sponsoring_acc(L, world):
    return L.root.create("sponsoringAcc", L.min_balance(5) + 20 * TXFEE)


def add_sponsored_signer(L, dest, sponsoring_acc, le_ext, sponsor, nse, ae_ext, n_sponsoring, n_sponsored):
    signer = make_signer(L.account("S1"), 1)
    r = apply_ops(L, dest, [op_begin(dest, source=sponsoring_acc), op_set_options(signer=signer), op_end()],
                  keys=[sponsoring_acc])
    assert r.ok, r.result
    check_signer_sponsorship(L, dest, signer.key, 2, sponsoring_acc)
    check_sponsorship(L, sponsoring_acc, le_ext, sponsor, nse, ae_ext, n_sponsoring, n_sponsored)


@pytest.mark.parametrize("into_sponsor", [False, True], ids=["into non-sponsoring account",
                                                             "into sponsoring account"])
def test_with_sponsored_signers(L, world, sponsoring_acc, into_sponsor):
    a1, b1, gateway = world
    assert a1.apply([op_set_options(signer=make_signer(gateway, 5))]).ok
    add_sponsored_signer(L, a1, sponsoring_acc, 0, None, 0, 2, 1, 0)
    r = a1.apply([op_merge(sponsoring_acc if into_sponsor else b1)])
    assert r.ok, r.result
    check_sponsorship(L, sponsoring_acc, 0, None, 0, 2, 0, 0)


@pytest.mark.parametrize("add_signer", [False, True], ids=["without sponsored signer", "with sponsored signer"])
@pytest.mark.parametrize("into_sponsor", [False, True], ids=["into b1", "into sponsoring account"])
def test_with_sponsored_account(L, world, sponsoring_acc, add_signer, into_sponsor):
    a1, b1, _ = world
    acc1 = L.account("acc1")
    r = apply_ops(L, sponsoring_acc, [op_begin(acc1), op_create_account(acc1.id, TXFEE * 4), op_end(source=acc1)],
                  keys=[acc1])
    assert r.ok, r.result
    check_sponsorship(L, acc1, 1, sponsoring_acc, 0, 2, 0, 2)
    if add_signer:
        add_sponsored_signer(L, acc1, sponsoring_acc, 0, None, 0, 2, 3, 0)
    dest = sponsoring_acc if into_sponsor else b1
    r = acc1.apply([op_merge(dest)])
    assert r.ok, r.result
    assert not acc1.exists()
    check_sponsorship(L, sponsoring_acc, 0, None, 0, 2, 0, 0)


def test_is_sponsoring_future_reserves(L, world):
    a1, b1, _ = world
    r = apply_ops(L, a1, [op_begin(b1), op_merge(b1), op_end(source=b1)], keys=[b1])
    assert r.code == TC.txFAILED
    assert r.op_code(1) == AM.ACCOUNT_MERGE_IS_SPONSOR


def test_is_sponsoring_reserve(L, world, sponsoring_acc):
    """The sponsored entry is a data entry here (stellar-core: a trustline);
    what counts is numSponsoring > 0."""
    a1, b1, _ = world
    r = apply_ops(L, a1, [op_begin(a1, source=sponsoring_acc), op_manage_data(b"d", b"v"), op_end()],
                  keys=[sponsoring_acc])
    assert r.ok
    check_sponsorship(L, sponsoring_acc, 0, None, 0, 2, 1, 0)
    r = sponsoring_acc.apply([op_merge(b1)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, AM.ACCOUNT_MERGE_IS_SPONSOR)
    check_sponsorship(L, sponsoring_acc, 0, None, 0, 2, 1, 0)


def test_merge_transfer_event(L, world):
    """The merge emits a native transfer event from the source to the
    destination for the merged balance (newTransferEvent)."""
    a1, b1, _ = world
    a1_balance = a1.balance
    r = a1.apply([op_merge(b1)])
    events = r.meta.v4.operations[0].events
    assert len(events) == 1
    body = events[0].body.v0
    assert body.topics[0].sym == b"transfer"
    assert body.data.i128.lo == a1_balance - TXFEE


def test_real_change_trust_sub_entry_and_sponsor(L, world, sponsoring_acc):
    """MergeTests with the real ChangeTrust: a trustline blocks the merge
    (HAS_SUB_ENTRIES); sponsoring someone's trustline makes the sponsor
    unmergeable (IS_SPONSOR)."""
    from tests.transactions.test_sponsorship import op_change_trust
    from tests.transactions.txscen import require_op
    require_op(xdr.OperationType.CHANGE_TRUST)
    a1, b1, gateway = world
    usd = credit("USD", gateway)
    assert a1.apply([op_change_trust(usd, 1_000_000)]).ok
    r = a1.apply([op_merge(b1)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, AM.ACCOUNT_MERGE_HAS_SUB_ENTRIES)
    cur1 = credit("CUR1", L.root)
    r = apply_ops(L, b1, [op_begin(b1, source=sponsoring_acc), op_change_trust(cur1, 1000), op_end()],
                  keys=[sponsoring_acc])
    assert r.ok, r.result
    check_sponsorship(L, sponsoring_acc, 0, None, 0, 2, 1, 0)
    r = sponsoring_acc.apply([op_merge(L.root)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, AM.ACCOUNT_MERGE_IS_SPONSOR)
