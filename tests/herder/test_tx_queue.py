"""The transaction queue, scenario by scenario from stellar-core v25.0.1
src/herder/test/TransactionQueueTests.cpp (and HerderTests.cpp "tx queue
source account limit"); TEST_CASE / SECTION names cited on each test.

Queues are built as stellar-core's tests build them: ClassicTransactionQueue
{app, pendingDepth 4, banDepth 2, multiplier 2} on a ledger with
maxTxSetSize 4, accounts funded with the minimum balance for 2 subentries."""
import pytest

from stellarcore import xdr
from stellarcore.herder.tx_queue import (DUPLICATE, ERROR, FILTERED, PENDING, TRY_AGAIN_LATER, TransactionQueue,
                                         TransactionQueues)
from stellarcore.herder.tx_view import TxView
from tests.herder._txset_support import NETWORK_ID, add_account, fee_bump_envelope, new_ledger
from tests.transactions.harness import op_payment, tx_envelope

_TC = xdr.TransactionResultCode


def transaction(acc, seq_delta, amount, fee, n_ops=1):
    """TransactionQueueTests `transaction`: n payments to itself."""
    ops = [op_payment(acc, amount) for _ in range(n_ops)]
    return TxView(NETWORK_ID, tx_envelope(acc, acc.seq + seq_delta, ops, fee=fee))


def fee_bump(fee_source, tx: TxView, fee):
    return TxView(NETWORK_ID, fee_bump_envelope(fee_source, tx.envelope, fee))


class World:
    def __init__(self, n_accounts=3, max_tx_set_size=4, pending=4, ban=2, mult=2):
        self.led = new_ledger(max_tx_set_size=max_tx_set_size)
        min_balance2 = self.led.min_balance(2)
        self.accounts = [add_account(self.led, f"a{i + 1}", min_balance2) for i in range(n_accounts)]
        self.queue = TransactionQueue(NETWORK_ID, is_soroban=False, pending_depth=pending, ban_depth=ban,
                                      pool_ledger_multiplier=mult)

    def add(self, tx, expected):
        res = self.queue.try_add(tx, self.led.root_store)
        assert res.status == expected, res.transaction_result
        return res

    def check(self, accounts, banned0=(), banned1=()):
        """TransactionQueueTest::check: per account (age, queued txs), fee
        totals, queue size in ops, the two newest ban generations."""
        q = self.queue
        fees, total_ops = {}, 0
        for acc, (age, txs) in accounts.items():
            for t in txs:
                fees[t.fee_source_id] = fees.get(t.fee_source_id, 0) + t.full_fee
        for acc, (age, txs) in accounts.items():
            st = q.account_state(acc.id)
            assert st.total_fees == fees.get(bytes(acc.id.ed25519), 0)
            assert (st.tx.full_hash if st.tx else None) == (txs[-1].full_hash if txs else None)
            assert st.age == age
            total_ops += txs[-1].num_operations if txs else 0
        assert q.size_ops() == total_ops
        queued = sorted(t.full_hash for t in q.get_transactions(self.led.header))
        assert queued == sorted(t.full_hash for _, txs in accounts.values() for t in txs)
        assert q.count_banned(0) == len(banned0) and q.count_banned(1) == len(banned1)
        assert all(q.is_banned(t.full_hash) for t in list(banned0) + list(banned1))


@pytest.fixture
def w():
    return World()


def test_complex_multiple_good_seq_with_four_shifts(w):
    """"TransactionQueue complex scenarios" / "multiple good sequence
    numbers, with four shifts"."""
    a1, a2, _ = w.accounts
    t1, t2 = transaction(a1, 1, 1, 200), transaction(a1, 2, 1, 400, 2)
    w.add(t1, PENDING)
    w.check({a1: (0, [t1]), a2: (0, [])})
    w.add(t2, TRY_AGAIN_LATER)
    for age in (1, 2, 3):
        w.queue.shift()
        w.check({a1: (age, [t1]), a2: (0, [])})
    w.queue.shift()
    w.check({a1: (0, []), a2: (0, [])}, [t1])
    w.queue.shift()
    w.check({a1: (0, []), a2: (0, [])}, [], [t1])
    w.queue.shift()
    w.check({a1: (0, []), a2: (0, [])})


def test_complex_with_replace(w):
    """... "multiple good sequence numbers, with replace": a timed-out tx is
    banned; a different tx with its sequence number is accepted."""
    a1, a2, _ = w.accounts
    t1 = transaction(a1, 1, 1, 200)
    t1v2, t2v2, t2 = transaction(a1, 1, 2, 200), transaction(a1, 2, 2, 200), transaction(a1, 2, 1, 400, 2)
    w.add(t1, PENDING)
    for _ in range(4):
        w.queue.shift()
    w.check({a1: (0, []), a2: (0, [])}, [t1])
    w.add(t1, TRY_AGAIN_LATER)
    w.add(t2v2, ERROR)                       # not the next sequence number
    w.add(t1v2, PENDING)
    w.check({a1: (0, [t1v2]), a2: (0, [])}, [t1])
    w.add(t1, TRY_AGAIN_LATER)
    w.add(t2, TRY_AGAIN_LATER)


def test_complex_different_accounts_with_shifts_between(w):
    """... "multiple good sequence numbers, different accounts, with shifts
    between"."""
    a1, a2, _ = w.accounts
    t11, t21 = transaction(a1, 1, 1, 200), transaction(a2, 1, 1, 200)
    w.add(t11, PENDING)
    w.queue.shift()
    w.add(t21, PENDING)
    w.check({a1: (1, [t11]), a2: (0, [t21])})
    w.queue.shift()
    w.add(transaction(a1, 2, 1, 400, 2), TRY_AGAIN_LATER)
    w.queue.shift()
    w.check({a1: (3, [t11]), a2: (2, [t21])})
    w.queue.shift()
    w.check({a1: (0, []), a2: (3, [t21])}, [t11])
    w.queue.shift()
    w.check({a1: (0, []), a2: (0, [])}, [t21], [t11])
    w.queue.shift()
    w.check({a1: (0, []), a2: (0, [])}, [], [t21])


def test_complex_different_accounts_with_ban(w):
    """... "multiple good sequence numbers, different accounts, with ban":
    banning drops only the queued tx among the banned; bans last ban_depth
    shifts."""
    a1, a2, a3 = w.accounts
    t11, t21, t22, t31 = (transaction(a1, 1, 1, 200), transaction(a2, 1, 1, 200),
                          transaction(a2, 2, 1, 200), transaction(a3, 1, 1, 100))
    w.add(t11, PENDING)
    w.add(t21, PENDING)
    w.add(transaction(a1, 2, 1, 400, 2), TRY_AGAIN_LATER)
    w.add(t22, TRY_AGAIN_LATER)
    w.queue.shift()
    w.queue.ban([t11, t22, t31])
    w.check({a1: (0, []), a2: (1, [t21])}, [t11, t22, t31])
    w.add(t11, TRY_AGAIN_LATER)
    w.queue.shift()
    w.check({a1: (0, []), a2: (2, [t21])}, [], [t11, t22, t31])
    w.add(t11, TRY_AGAIN_LATER)
    w.add(t31, TRY_AGAIN_LATER)
    w.queue.shift()
    w.add(t11, PENDING)
    w.add(t31, PENDING)
    w.check({a1: (0, [t11]), a2: (3, [t21]), a3: (0, [t31])})


def test_basic_duplicate_and_bad_seq(w):
    """testTransactionQueueBasicScenarios "simple sequence": too small a
    sequence number is an ERROR, the same tx twice a DUPLICATE."""
    a1, a2, _ = w.accounts
    w.add(transaction(a1, 0, 1, 200), ERROR)
    w.check({a1: (0, []), a2: (0, [])})
    t1 = transaction(a1, 1, 1, 200)
    w.add(t1, PENDING)
    w.add(t1, DUPLICATE)
    res = w.add(transaction(a1, 0, 2, 200), ERROR)   # older than the queued one
    assert res.transaction_result.result.code == _TC.txBAD_SEQ


def _full_queue():
    """"TransactionQueue hitting the rate limit": 8 ops fill the queue."""
    w = World(n_accounts=6)
    a1, a2, a3, a4 = w.accounts[:4]
    txs = [transaction(a1, 1, 1, 200 * 1, 1), transaction(a2, 1, 1, 400 * 2, 2),
           transaction(a3, 1, 1, 100 * 1, 1), transaction(a4, 1, 1, 300 * 4, 4)]
    for t in txs:
        w.add(t, PENDING)
    return w, txs


def test_rate_limit_cannot_add_low_fee_tx():
    """... "cannot add low fee tx": the fee that would evict enough."""
    w, _ = _full_queue()
    res = w.add(transaction(w.accounts[4], 1, 1, 300 * 3, 3), ERROR)
    r = res.transaction_result
    assert r.result.code == _TC.txINSUFFICIENT_FEE and r.feeCharged == 300 * 3 + 1


def test_rate_limit_tx_outside_of_limits():
    """... "cannot add - tx outside of limits": no result."""
    w, _ = _full_queue()
    res = w.add(transaction(w.accounts[4], 1, 1, 100 * 1000, 100), TRY_AGAIN_LATER)
    assert res.tx_result is None


@pytest.mark.parametrize("next_fee", [300, 301])
def test_rate_limit_eviction(next_fee):
    """... "add high fee tx with eviction" (a1, a3 and a4 go), then "cannot
    add tx with lower fee than evicted" / "add tx with higher fee than
    evicted" (the evicted rate to beat is 300: a2's 400 stayed)."""
    w, txs = _full_queue()
    a1, a2, a3, a4, a5, a6 = w.accounts
    tx = transaction(a5, 1, 1, 300 * 3 + 1, 3)
    w.add(tx, PENDING)
    w.check({a1: (0, []), a2: (0, [txs[1]]), a5: (0, [tx])}, [txs[0], txs[2], txs[3]])
    nxt = transaction(a6, 1, 1, next_fee, 1)
    if next_fee == 300:
        r = w.add(nxt, ERROR).transaction_result
        assert r.result.code == _TC.txINSUFFICIENT_FEE and r.feeCharged == 301
    else:
        w.add(nxt, PENDING)
        w.check({a1: (0, []), a2: (0, [txs[1]]), a3: (0, []), a4: (0, []), a5: (0, [tx]), a6: (0, [nxt])},
                [txs[0], txs[2], txs[3]])


def test_starting_sequence_boundary():
    """"transaction queue starting sequence boundary": a tx whose sequence
    number is the next ledger's starting one is held back."""
    w = World(n_accounts=1)
    acc = w.accounts[0]
    next_seq = w.led.header.ledgerSeq
    entry = w.led.root_store.entries[next(k for k in w.led.root_store.entries
                                          if w.led.root_store.entries[k].data.account.accountID == acc.id)]
    entry.data.account.seqNum = (next_seq << 32) - 1
    q = TransactionQueue(NETWORK_ID, is_soroban=False, pending_depth=4, ban_depth=10, pool_ledger_multiplier=4)
    assert q.try_add(transaction(acc, 1, 1, 100), w.led.root_store).status == PENDING
    header = w.led.header.copy()
    for seq, expected in ((next_seq - 2, True), (next_seq - 1, False), (next_seq, True)):
        header.ledgerSeq = seq
        assert bool(q.get_transactions(header)) == expected


@pytest.mark.parametrize("setup", ["tx", "fb-same", "fb-other"])
def test_replace_by_fee_classic(setup):
    """"replace by fee" (classic): a plain tx never replaces; a fee bump
    replaces at 10x the rate, else INSUFFICIENT_FEE with the fee needed."""
    w = World(n_accounts=2)
    a1, a2 = w.accounts
    if setup == "tx":
        queued = transaction(a1, 1, 1, 200)
    else:
        queued = fee_bump(a1 if setup == "fb-same" else a2, transaction(a1, 1, 1, 100), 400)
    w.add(queued, PENDING)
    for fee in (199, 1999, 2000):               # "lower fee", "below threshold", "at threshold"
        w.add(transaction(a1, 1, 1, fee), TRY_AGAIN_LATER)
        w.check({a1: (0, [queued]), a2: (0, [])})
    for source in (a1, a2):
        for fee in (399, 3999):
            res = w.add(fee_bump(source, transaction(a1, 1, 1, 100), fee), ERROR)
            r = res.transaction_result
            assert r.result.code == _TC.txINSUFFICIENT_FEE and r.feeCharged == 4000
            w.check({a1: (0, [queued]), a2: (0, [])})
    fb = fee_bump(a2, transaction(a1, 1, 1, 100), 4000)
    w.add(fb, PENDING)
    w.check({a1: (0, [fb]), a2: (0, [])})


def test_fee_bump_duplicate_of_inner():
    """isDuplicateTx: the inner tx of a queued fee bump is a DUPLICATE."""
    w = World(n_accounts=2)
    a1, a2 = w.accounts
    inner = transaction(a1, 1, 1, 100)
    w.add(fee_bump(a2, inner, 400), PENDING)
    w.add(inner, DUPLICATE)


def test_remove_applied_and_insufficient_balance():
    """"remove applied": applying drops the queued tx and bans it; the fee
    source must afford every queued fee."""
    w = World(n_accounts=2)
    a1, a2 = w.accounts
    t1 = transaction(a1, 1, 1, 200)
    w.add(t1, PENDING)
    w.queue.shift()
    w.queue.remove_applied([t1])
    w.check({a1: (0, []), a2: (0, [])}, [t1])
    # a2 pays a fee bump for a1 close to its whole available balance
    spare = w.led.min_balance(2) - w.led.min_balance(0)
    w.add(fee_bump(a2, transaction(a1, 1, 2, 100), spare), PENDING)
    res = w.add(transaction(a2, 1, 1, 200), ERROR)
    assert res.transaction_result.result.code == _TC.txINSUFFICIENT_BALANCE


def test_one_tx_per_source_across_queues_and_filtering():
    """HerderTests "tx queue source account limit" (recvTransaction): a
    source with a tx in one queue gets TRY_AGAIN_LATER from the other;
    EXCLUDE_TRANSACTIONS_CONTAINING_OPERATION_TYPE gives FILTERED."""
    led = new_ledger(max_tx_set_size=4)
    a1 = add_account(led, "a1")
    qs = TransactionQueues(NETWORK_ID)
    t1 = transaction(a1, 1, 1, 200)
    assert qs.try_add(t1, led.root_store).status == PENDING
    assert qs.classic.source_account_pending(a1.id)
    filtered = TransactionQueue(NETWORK_ID, is_soroban=False, filtered_op_types=[xdr.OperationType.PAYMENT])
    assert filtered.try_add(t1, led.root_store).status == FILTERED
    # after the ledger applies it, the queue is empty and the tx banned
    qs.update_after_close([[t1], []], led.root_store)
    assert qs.get_transactions(led.header) == [[], []]
    assert qs.classic.is_banned(t1.full_hash)
