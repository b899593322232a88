"""Tx-set structure, validity and building, from stellar-core v25.0.1
src/herder/test/TxSetTests.cpp and HerderTests.cpp (TEST_CASE names
cited on each test)."""
import hashlib

import pytest

from stellarcore import xdr
from stellarcore.herder.tx_set import (CLASSIC, SOROBAN, ApplicableTxSet, MalformedTxSet, SequentialPhase,
                                       TxSetXDRFrame, check_valid, make_empty, prepare_for_apply,
                                       validity_problem)
from stellarcore.herder.tx_set_builder import make_tx_set_from_transactions
from stellarcore.herder.tx_view import TxView
from stellarcore.soroban.parallel_phase import PhaseLimits, Reject
from tests.herder._txset_support import (NETWORK_ID, add_account, dex_tx, lcl_of, multi_payment, new_ledger,
                                         self_payment)

_ET = xdr.EnvelopeType
_OT = xdr.OperationType


# ---------------------------------------------------------------------------
# "generalized tx set XDR validation": the scenario table


class _Txs:
    """buildTx: envelopes differing by fee, all from the zero account."""

    def __init__(self):
        self.n = 0

    def tx(self, soroban: bool):
        op_type = _OT.INVOKE_HOST_FUNCTION if soroban else _OT.PAYMENT
        tx = xdr.Transaction(fee=100 + self.n, operations=[xdr.Operation(body=xdr.OperationBody(op_type))])
        self.n += 1
        if soroban:
            tx.ext = xdr.TransactionExt(1, xdr.SorobanTransactionData(resourceFee=1000))
        return xdr.TransactionEnvelope(_ET.ENVELOPE_TYPE_TX, xdr.TransactionV1Envelope(tx=tx, signatures=[]))


def _h(env):
    return hashlib.sha256(env.to_xdr()).digest()


def _resort(txs):
    txs.sort(key=_h)


def _v0_phase(gen, fees, soroban):
    comps = []
    for f in fees:
        txs = sorted((gen.tx(soroban) for _ in range(10)), key=_h)
        comps.append(xdr.TxSetComponent(xdr.TxSetComponentType.TXSET_COMP_TXS_MAYBE_DISCOUNTED_FEE,
                                        xdr.TxSetComponentTxsMaybeDiscountedFee(baseFee=f, txs=txs)))
    return xdr.TransactionPhase(0, comps)


def _parallel(gen, shape, normalize=True, base_fee=None):
    stages = [[sorted((gen.tx(True) for _ in range(n)), key=_h) for n in stage] for stage in shape]
    if normalize:
        for s in stages:
            s.sort(key=lambda c: _h(c[0]))
        stages.sort(key=lambda s: _h(s[0][0]))
    return xdr.TransactionPhase(1, xdr.ParallelTxsComponent(baseFee=base_fee, executionStages=stages))


def _scenarios():
    gen = _Txs()
    per_phase = [[], []]
    for pid in (CLASSIC, SOROBAN):
        s = pid == SOROBAN
        sc = per_phase[pid]
        sc += [(_v0_phase(gen, [], s), True, "no txs"),
               (_v0_phase(gen, [None], s), True, "single no discount component"),
               (_v0_phase(gen, [1000], s), True, "single discount component"),
               (_v0_phase(gen, [1000, 1001, 1002], s), True, "multiple discount components")]
        valid_multi = _v0_phase(gen, [None, 1000, 2000, 3000], s)
        sc.append((valid_multi, True, "multiple discount components and no discount component"))
        p = valid_multi.copy()
        extra = p.v0Components[1].copy()
        extra.txsMaybeDiscountedFee.baseFee = 10000
        p.v0Components.append(extra)
        sc.append((p, True, "duplicate txs across phases"))
        sc += [(_v0_phase(gen, [1000, 3000, 2000], s), False, "incorrect discounted component order"),
               (_v0_phase(gen, [1000, None, 2000], s), False, "incorrect non-discounted component order"),
               (_v0_phase(gen, [None, None, 1000], s), False, "duplicate non-discounted component"),
               (_v0_phase(gen, [None, 1000, 1000, 2000], s), False, "duplicate discounted component")]
        p = _v0_phase(gen, [1000], s)
        p.v0Components[0].txsMaybeDiscountedFee.txs = []
        sc.append((p, False, "single empty component"))
        p = valid_multi.copy()
        p.v0Components[3].txsMaybeDiscountedFee.txs = []
        sc.append((p, False, "one empty component among non-empty components"))
        p = valid_multi.copy()
        txs = p.v0Components[1].txsMaybeDiscountedFee.txs
        txs.append(txs[5])
        sc.append((p, False, "duplicate txs within a component"))
        p = valid_multi.copy()
        txs = p.v0Components[2].txsMaybeDiscountedFee.txs
        txs[4], txs[5] = txs[5], txs[4]
        sc.append((p, False, "non-canonical tx order within component"))
        if s:
            p = valid_multi.copy()
            txs = p.v0Components[1].txsMaybeDiscountedFee.txs
            v0 = xdr.TransactionV0(operations=txs[0].v1.tx.operations)
            txs[0] = xdr.TransactionEnvelope(_ET.ENVELOPE_TYPE_TX_V0, xdr.TransactionV0Envelope(tx=v0, signatures=[]))
            _resort(txs)
            sc.append((p, False, "v0 envelope for Soroban tx"))
            p = valid_multi.copy()
            txs = p.v0Components[0].txsMaybeDiscountedFee.txs
            txs[7].v1.tx.ext = xdr.TransactionExt(0)
            _resort(txs)
            sc.append((p, False, "Soroban tx without extension"))
            p = valid_multi.copy()
            txs = p.v0Components[3].txsMaybeDiscountedFee.txs
            txs[4].v1.tx.ext.sorobanData.resourceFee = -1
            _resort(txs)
            sc.append((p, False, "Soroban tx with negative resource fee"))
    n_classic = len(per_phase[0])
    per_phase[0] = per_phase[0] + per_phase[1]
    per_phase[1] = per_phase[1] + per_phase[0][:n_classic]
    first_parallel = len(per_phase[1])
    par = per_phase[1]
    par += [(_parallel(gen, []), True, "parallel - no txs"),
            (_parallel(gen, [], base_fee=1000), True, "parallel - no txs, fee discount"),
            (_parallel(gen, [[10]]), True, "parallel - 1 stage, 1 cluster"),
            (_parallel(gen, [[10, 2, 14, 1, 3]]), True, "parallel - 1 stage, multiple clusters"),
            (_parallel(gen, [[1], [3], [2]]), True, "parallel - multiple single-cluster stages")]
    valid_ms = _parallel(gen, [[2, 3, 4, 5], [3, 2], [5, 4, 5], [2, 4]])
    par += [(valid_ms, True, "parallel - multiple multi-cluster stages"),
            (_parallel(gen, [[1, 2, 3, 4, 5], [2], [5, 4, 1], [1, 1]], base_fee=1000), True,
             "parallel - multiple multi-cluster stages with fee discount"),
            (_parallel(gen, [[0]], False), False, "parallel - single stage with empty cluster"),
            (_parallel(gen, [[2], []], False), False, "parallel - one of the stages has no clusters"),
            (_parallel(gen, [[2], [0], [3, 5]], False), False, "parallel - a stage has an empty cluster"),
            (_parallel(gen, [[], [], []], False), False, "parallel - multiple empty stages"),
            (_parallel(gen, [[10, 2, 0, 1, 3]], False), False, "parallel - empty cluster among non-empty"),
            (_parallel(gen, [[0, 1, 0, 0, 3]], False), False, "parallel - multiple empty clusters")]
    st = lambda p: p.parallelTxsComponent.executionStages  # noqa: E731
    p = valid_ms.copy()
    st(p)[1], st(p)[2] = st(p)[2], st(p)[1]
    par.append((p, False, "parallel - stages incorrectly ordered"))
    p = valid_ms.copy()
    st(p)[1][0], st(p)[2][1] = st(p)[2][1], st(p)[1][0]
    par.append((p, False, "parallel - clusters incorrectly ordered"))
    p = valid_ms.copy()
    c = st(p)[1][1]
    c[0], c[1] = c[1], c[0]
    par.append((p, False, "parallel - transactions incorrectly ordered within cluster"))
    p = valid_ms.copy()
    v0 = xdr.TransactionV0(operations=st(p)[2][1][1].v1.tx.operations)
    st(p)[2][1][1] = xdr.TransactionEnvelope(_ET.ENVELOPE_TYPE_TX_V0, xdr.TransactionV0Envelope(tx=v0, signatures=[]))
    par.append((_normalized(p), False, "parallel - v0 envelope for Soroban tx"))
    p = valid_ms.copy()
    st(p)[3][0][0].v1.tx.ext = xdr.TransactionExt(0)
    par.append((_normalized(p), False, "parallel - Soroban tx without extension"))
    p = valid_ms.copy()
    st(p)[0][1][1].v1.tx.ext.sorobanData.resourceFee = -1
    par.append((_normalized(p), False, "parallel - Soroban tx with negative resource fee"))
    for i in range(first_parallel, len(par)):
        per_phase[0].append((par[i][0], False, par[i][2]))
    return per_phase


def _normalized(phase):
    stages = phase.parallelTxsComponent.executionStages
    for s in stages:
        for c in s:
            _resort(c)
        s.sort(key=lambda c: _h(c[0]))
    stages.sort(key=lambda s: _h(s[0][0]))
    return phase


def _set(phases, prev=b"\0" * 32):
    return xdr.GeneralizedTransactionSet(1, xdr.TransactionSetV1(previousLedgerHash=prev, phases=phases))


def test_generalized_tx_set_xdr_validation():
    """TxSetTests "generalized tx set XDR validation": every pair of
    classic and Soroban phase scenarios (the table above), then the phase
    counts."""
    classic, soroban = _scenarios()
    checked = 0
    for cp, cok, cname in classic:
        for sp, sok, sname in soroban:
            frame = TxSetXDRFrame(_set([cp, sp]))
            if cok and sok:
                assert frame.prepare_for_apply(NETWORK_ID) is not None, (cname, sname)
            else:
                with pytest.raises(MalformedTxSet):
                    frame.prepare_for_apply(NETWORK_ID)
            checked += 1
    assert checked == len(classic) * len(soroban) > 1000
    for n in (0, 1, 3):
        with pytest.raises(MalformedTxSet, match="exactly 2 phases"):
            TxSetXDRFrame(_set([xdr.TransactionPhase(0, [])] * n)).prepare_for_apply(NETWORK_ID)


def test_empty_tx_set_shape():
    """makeEmpty from protocol 23 (PARITY_TRAPS H6): classic v0 without
    components, Soroban v1 without base fee nor stages."""
    led = new_ledger()
    frame = make_empty(lcl_of(led))
    phases = frame.xdr_value.v1TxSet.phases
    assert phases[0].v == 0 and list(phases[0].v0Components) == []
    assert phases[1].v == 1 and phases[1].parallelTxsComponent.baseFee is None
    assert list(phases[1].parallelTxsComponent.executionStages) == []
    ts = frame.prepare_for_apply(NETWORK_ID)
    assert ts.empty() and ts.apply_order() == []
    assert check_valid(ts, led.root_store, lcl_of(led), None)
    # an empty set built from nothing is the same set
    built = make_tx_set_from_transactions([[], []], lcl_of(led), NETWORK_ID, led.root_store)
    assert built.frame.hash == frame.hash


# ---------------------------------------------------------------------------
# validity against the ledger


def _applicable(components, lcl_hash, soroban=None):
    """testtxset::makeNonValidatedGeneralizedTxSet: classic components as
    [(base fee, [envelopes])], in canonical XDR."""
    views, fees = [], {}
    for fee, envs in components:
        for e in envs:
            v = TxView(NETWORK_ID, e)
            views.append(v)
            fees[v.full_hash] = fee
    classic = SequentialPhase(views, fees).to_xdr()
    sor = soroban or xdr.TransactionPhase(1, xdr.ParallelTxsComponent(baseFee=None, executionStages=[]))
    return prepare_for_apply(_set([classic, sor], lcl_hash), NETWORK_ID)


def test_multiple_txs_per_source_account():
    """TxSetTests "generalized tx set with multiple txs per source account"."""
    led = new_ledger()
    root = add_account(led, "rootlike")
    a, b = add_account(led, "unique 1"), add_account(led, "unique 2")
    lcl = lcl_of(led)
    bad = _applicable([(500, [self_payment(root, 1, 1000), self_payment(root, 3, 1500, seq=root.seq + 2)])], lcl[1])
    assert validity_problem(bad, led.root_store, lcl, None) == Reject.DUPLICATE_SOURCE
    good = _applicable([(500, [self_payment(a, 1, 1000), self_payment(b, 3, 1500)])], lcl[1])
    assert check_valid(good, led.root_store, lcl, None)


def test_generalized_tx_set_fees():
    """TxSetTests "generalized tx set fees" (classic phase): components of
    500, 1000 and none; each tx's base fee is its component's; a bid below
    the component base fee or below the ledger's minimum is refused."""
    led = new_ledger()
    accs = iter(add_account(led, f"unique {i}") for i in range(20))
    lcl = lcl_of(led)

    def tx(ops, fee):
        return self_payment(next(accs), ops, fee)

    ts = _applicable([(500, [tx(1, 1000), tx(3, 1500)]), (1000, [tx(4, 5000), tx(1, 1000), tx(5, 6000)]),
                      (None, [tx(2, 10000), tx(5, 100000)])], lcl[1])
    assert check_valid(ts, led.root_store, lcl, None)
    assert sorted(ts.get_tx_base_fee(f) for f in ts.all_frames() if ts.get_tx_base_fee(f) is not None) == \
        [500, 500, 1000, 1000, 1000]
    assert sum(ts.get_tx_base_fee(f) is None for f in ts.all_frames()) == 2
    low = _applicable([(500, [tx(2, 999)])], lcl[1])
    assert validity_problem(low, led.root_store, lcl, None) == Reject.INCLUSION_FEE_TOO_LOW
    below_ledger = _applicable([(None, [tx(2, 199)])], lcl[1])
    assert validity_problem(below_ledger, led.root_store, lcl, None) == Reject.TX_INVALID
    comp_below_ledger = _applicable([(99, [tx(1, 1000)])], lcl[1])
    assert validity_problem(comp_below_ledger, led.root_store, lcl, None) == Reject.BASE_FEE_TOO_LOW


def test_transactions_belong_to_correct_phase():
    """TxSetTests "applicable txset validation - transactions belong to
    correct phase": a classic tx in the Soroban phase is refused."""
    led = new_ledger()
    a = add_account(led, "A")
    lcl = lcl_of(led)
    env = self_payment(a, 1, 100)
    wrong = xdr.TransactionPhase(1, xdr.ParallelTxsComponent(baseFee=None, executionStages=[[[env]]]))
    ts = prepare_for_apply(_set([xdr.TransactionPhase(0, []), wrong], lcl[1]), NETWORK_ID)
    limits = PhaseLimits(100, 10**9, 10**7, 10**8, 10**8, 1000, 1000, 1)
    assert validity_problem(ts, led.root_store, lcl, limits, txs_are_validated=True) == Reject.NOT_SOROBAN
    # and a sequential (v0) Soroban phase is refused from protocol 23
    ts = _applicable([], lcl[1], soroban=xdr.TransactionPhase(0, []))
    assert validity_problem(ts, led.root_store, lcl, None) is not None


def test_too_many_classic_operations_and_wrong_previous_hash():
    """checkValidClassic: ops above maxTxSetSize; checkValidInternal: the
    previous ledger hash."""
    led = new_ledger(max_tx_set_size=3)
    a, b = add_account(led, "A"), add_account(led, "B")
    lcl = lcl_of(led)
    ts = _applicable([(100, [self_payment(a, 2, 200), self_payment(b, 2, 200)])], lcl[1])
    assert validity_problem(ts, led.root_store, lcl, None) == "too many classic operations"
    ts = _applicable([(100, [self_payment(a, 2, 200)])], b"\7" * 32)
    assert not check_valid(ts, led.root_store, lcl, None)


def test_invalid_transaction_makes_the_set_invalid():
    """txsAreValid: a tx with a bad sequence number fails the set."""
    led = new_ledger()
    a = add_account(led, "A")
    lcl = lcl_of(led)
    ts = _applicable([(100, [self_payment(a, 1, 100, seq=a.seq + 5)])], lcl[1])
    assert validity_problem(ts, led.root_store, lcl, None) == Reject.TX_INVALID
    assert validity_problem(ts, led.root_store, lcl, None, txs_are_validated=True) is None


# ---------------------------------------------------------------------------
# building with surge pricing


def _charged(ts: ApplicableTxSet):
    return {f.source_id.ed25519: f.get_fee(None, b, True) for f, b in ts.classic_apply_order()}


@pytest.mark.parametrize("base,extra,expect_ops,low,high,not_charged", [
    (8, 52, 112, 100, 200, 0),       # mixed: fitting exactly into capacity does not cause surge
    (9, 52, 112, 1000, 2000, 1),     # mixed: evicting one tx causes surge
    (0, 56, 112, 200, 200, 0),       # newOnly: fitting exactly
    (0, 57, 112, 20002, 20002, 1),   # newOnly: evicting one tx causes surge
    (8, 2, 12, 100, 200, 0),         # not surged, mixed
    (0, 6, 12, 200, 200, 0),         # not surged, newOnly
])
def test_txset_base_fee(base, extra, expect_ops, low, high, not_charged):
    """HerderTests "txset base fee" (protocol current, maxTxSetSize 112):
    base txs are 1 payment bidding 1000, extra txs 2 payments bidding
    20000 + k; the set's size and the lowest and highest fee charged."""
    led = new_ledger(max_tx_set_size=112)
    txs, accounts = [], []
    for i in range(base):
        a = add_account(led, f"Base{i}")
        accounts.append(a)
        txs.append(multi_payment(a, 1, 0, 10))
    for k in range(1, extra + 1):
        a = add_account(led, f"Extra{k}")
        accounts.append(a)
        txs.append(multi_payment(a, 2, k, 100))
    built = make_tx_set_from_transactions([txs, []], lcl_of(led), NETWORK_ID, led.root_store)
    ts = built.applicable
    assert ts.size(CLASSIC) == expect_ops
    charged = _charged(ts)
    fees = [charged.get(bytes(a.id.ed25519), 0) for a in accounts]
    paid = [f for f in fees if f]
    assert (min(paid), max(paid), fees.count(0)) == (low, high, not_charged)


@pytest.mark.parametrize("case,expected_counts,non_dex_fee,dex_fee", [
    ("only non-DEX", (1, 1, 1, 0), 200, None),
    ("only DEX", (1, 1, 1, 0), None, 200),
    ("DEX limit reached", (1, 1, 0, 0), 100, 400),
    ("both limits reached, but only DEX evicted", (1, 1, 0, 0), 100, 400),
    ("only global limit reached", (1, 1, 0, 0), 250, 250),
    ("non-DEX fee is lowest", (1, 1, 0, 0), 250, 400),
    ("DEX fee is lowest", (1, 1, 0, 0), 200, 200),
])
def test_surge_pricing_with_dex_separation(case, expected_counts, non_dex_fee, dex_fee):
    """HerderTests "surge pricing with DEX separation": maxTxSetSize 15,
    MAX_DEX_TX_OPERATIONS_IN_TX_SET 5; which accounts get in and each
    lane's base fee."""
    led = new_ledger(max_tx_set_size=15)
    A, B, C, D = (add_account(led, f"account{x}") for x in "ABCD")

    def nd(acc, n, op_fee):
        return self_payment(acc, n, op_fee * n)

    def dx(acc, n, op_fee):
        return dex_tx(acc, n, op_fee * n)

    txs = {
        "only non-DEX": [nd(A, 8, 200), nd(B, 4, 300), nd(C, 2, 400), nd(D, 2, 100)],
        "only DEX": [dx(A, 2, 200), dx(B, 1, 300), dx(C, 2, 400), dx(D, 1, 100)],
        "DEX limit reached": [nd(A, 6, 100), dx(B, 5, 400), dx(C, 1, 200), dx(D, 1, 399)],
        "both limits reached, but only DEX evicted": [nd(A, 10, 100), dx(B, 5, 400), dx(C, 1, 399),
                                                      dx(D, 1, 399)],
        "only global limit reached": [nd(A, 13, 250), dx(B, 2, 250), dx(C, 1, 200), nd(D, 1, 249)],
        "non-DEX fee is lowest": [nd(A, 10, 250), dx(B, 5, 400), dx(C, 1, 399), nd(D, 1, 249)],
        "DEX fee is lowest": [nd(A, 10, 500), dx(B, 5, 200), dx(C, 1, 199), nd(D, 1, 199)],
    }[case]
    built = make_tx_set_from_transactions([txs, []], lcl_of(led), NETWORK_ID, led.root_store, max_dex_ops=5)
    ts = built.applicable
    counts = [0, 0, 0, 0]
    ids = [bytes(x.id.ed25519) for x in (A, B, C, D)]
    for frame, base_fee in ts.classic_apply_order():
        counts[ids.index(bytes(frame.source_id.ed25519))] += 1
        is_dex = any(op.is_dex_operation for op in frame.op_frames)
        assert base_fee == (dex_fee if is_dex else non_dex_fee)
    assert tuple(counts) == expected_counts
    assert built.invalid == [[], []]


def test_building_drops_invalid_transactions():
    """makeTxSetFromTransactions trims what checkValid refuses (here a bad
    sequence number and an unknown source) and reports it."""
    led = new_ledger()
    a, b = add_account(led, "A"), add_account(led, "B")
    from tests.transactions.harness import TestAccount
    from stellarcore.crypto.keys import SecretKey
    ghost = TestAccount(led, SecretKey.for_test_account("ghost"))
    good = self_payment(a, 1, 100)
    bad_seq = self_payment(b, 1, 100, seq=b.seq + 3)
    no_acc = self_payment(ghost, 1, 100, seq=1)
    built = make_tx_set_from_transactions([[good, bad_seq, no_acc], []], lcl_of(led), NETWORK_ID, led.root_store)
    assert built.applicable.size_tx() == 1
    assert sorted(v.full_hash for v in built.invalid[CLASSIC]) == sorted([_h(bad_seq), _h(no_acc)])
    with pytest.raises(ValueError, match="wrong type"):
        make_tx_set_from_transactions([[], [good]], lcl_of(led), NETWORK_ID, led.root_store)
