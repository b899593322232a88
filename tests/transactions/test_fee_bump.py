"""Fee-bump transactions, as stellar-core v25's FeeBumpTransactionTests.cpp
("fee bump transactions": validity, fee processing, apply) states them, and
PARITY_TRAPS T3: the outer fee covers inner ops + 1, the outer tx is not
re-validated at apply, the fee source's pre-auth signer (keyed by the
fee-bump hash) is removed, the inner tx runs without charging a fee, and
the inner result's feeCharged is the inner getFee below protocol 25 and 0
from protocol 25.
"""
import pytest

from stellarcore import xdr
from stellarcore.ledger.keys import account_key
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.transactions.apply import apply_transaction, process_fee
from tests.transactions.harness import (NETWORK_ID, Applied, TestLedger, fee_bump_envelope, invariant_hook,
                                        op_payment, sign, tx_envelope)
from tests.transactions.txscen import (INT64_MAX, OC, TC, apply_check, check_valid, ed25519_key, preauth_key,
                                       set_options, signer_count)

_P = xdr.PaymentResultCode
_CT = xdr.LedgerEntryChangeType
FEE = 100


def fee_bump(L, fee_source, source, dest, outer_fee, inner_fee, amount, sign_inner=True, sign_outer=True):
    """FeeBumpTransactionTests' feeBump / feeBumpUnsigned: the inner tx is a
    payment from `source` with its next sequence number."""
    inner = tx_envelope(source, source.seq + 1, [op_payment(dest, amount)], fee=inner_fee,
                        signers=[source] if sign_inner else [])
    return fee_bump_envelope(fee_source, inner, outer_fee, signers=[fee_source] if sign_outer else [])


def inner_result(res):
    return res.result.innerResultPair.result


def expected_inner_fee(L):
    """validateInnerFeeCharged: the inner getFee below protocol 25, else 0."""
    return FEE if L.header.ledgerVersion < 25 else 0


@pytest.fixture(params=[25, 24], ids=["p25", "p24"])
def L(request):
    return TestLedger(protocol=request.param)


def reserve(L):
    return L.header.baseReserve


# -- validity (checkValid) ---------------------------------------------------------------
def test_insufficient_fee_less_than_min(L):
    r = check_valid(L, fee_bump(L, L.root, L.root, L.root, 2 * FEE - 1, 1, 1))
    assert r.result.code == TC.txINSUFFICIENT_FEE
    assert r.feeCharged == 2 * FEE


def test_insufficient_fee_rate_less_than_inner(L):
    """The needed fee is reported: ceil(innerFee * outerOps / innerOps)."""
    r = check_valid(L, fee_bump(L, L.root, L.root, L.root, 2 * FEE + 1, 101, 1))
    assert r.result.code == TC.txINSUFFICIENT_FEE
    assert r.feeCharged == 2 * 101


def test_outer_fee_counts_inner_ops_plus_one(L):
    """getNumOperations = inner ops + 1: a 2-op inner tx needs 3 base fees."""
    a = L.root.create("A", 10 * reserve(L))
    inner = tx_envelope(L.root, L.root.seq + 1, [op_payment(a, 1), op_payment(a, 1)], fee=2 * FEE)
    r = check_valid(L, fee_bump_envelope(L.root, inner, 3 * FEE - 1))
    assert r.result.code == TC.txINSUFFICIENT_FEE
    assert r.feeCharged == 3 * FEE
    r = check_valid(L, fee_bump_envelope(L.root, inner, 3 * FEE))
    assert r.result.code == TC.txFEE_BUMP_INNER_SUCCESS
    assert r.feeCharged == 3 * FEE


def test_fee_source_does_not_exist(L):
    acc = L.account("A")
    r = check_valid(L, fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1))
    assert r.result.code == TC.txNO_ACCOUNT
    assert r.feeCharged == 2 * FEE


def test_bad_signatures_missing(L):
    acc = L.root.create("A", 2 * reserve(L))
    r = check_valid(L, fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1, sign_outer=False))
    assert r.result.code == TC.txBAD_AUTH
    assert r.feeCharged == 2 * FEE


def test_bad_signatures_invalid(L):
    """Signed in the wrong order: the outer signature is over the unsigned
    inner envelope, so it does not verify."""
    acc = L.root.create("A", 2 * reserve(L))
    env = fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1, sign_inner=False)
    sign(xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX, env.feeBump.tx.innerTx.v1), L.root)
    r = check_valid(L, env)
    assert r.result.code == TC.txBAD_AUTH
    assert r.feeCharged == 2 * FEE


def test_insufficient_balance(L):
    acc = L.root.create("A", 2 * reserve(L))
    r = check_valid(L, fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1))
    assert r.result.code == TC.txINSUFFICIENT_BALANCE
    assert r.feeCharged == 2 * FEE


def test_extra_signatures(L):
    acc = L.root.create("A", 2 * reserve(L) + 2 * FEE)
    env = fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1)
    sign(env, L.root)
    r = check_valid(L, env)
    assert r.result.code == TC.txBAD_AUTH_EXTRA
    assert r.feeCharged == 2 * FEE


def test_inner_invalid_transaction_level(L):
    acc = L.root.create("A", 2 * reserve(L) + 2 * FEE)
    r = check_valid(L, fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1, sign_inner=False))
    assert r.result.code == TC.txFEE_BUMP_INNER_FAILED
    assert r.feeCharged == 2 * FEE
    assert inner_result(r).feeCharged == 0
    assert inner_result(r).result.code == TC.txBAD_AUTH


def test_inner_invalid_operation_level(L):
    acc = L.root.create("A", 2 * reserve(L) + 2 * FEE)
    r = check_valid(L, fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, -1))
    assert r.result.code == TC.txFEE_BUMP_INNER_FAILED
    assert r.feeCharged == 2 * FEE
    ir = inner_result(r)
    assert ir.feeCharged == 0
    assert ir.result.code == TC.txFAILED
    assert ir.result.results[0].tr.paymentResult.code == _P.PAYMENT_MALFORMED


def test_valid(L):
    acc = L.root.create("A", 2 * reserve(L) + 2 * FEE)
    env = fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1)
    r = check_valid(L, env)
    assert r.result.code == TC.txFEE_BUMP_INNER_SUCCESS
    assert r.feeCharged == 2 * FEE
    pair = r.result.innerResultPair
    from stellarcore.crypto import txhash
    inner_env = xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX, env.feeBump.tx.innerTx.v1)
    assert pair.transactionHash == txhash.contents_hash(inner_env, NETWORK_ID)
    res = pair.result.result.results
    assert len(res) == 1 and res[0].code == OC.opINNER
    assert res[0].tr.paymentResult.code == _P.PAYMENT_SUCCESS


# -- fee processing ----------------------------------------------------------------------
def test_fee_processing(L):
    acc = L.root.create("A", 2 * reserve(L) + 2 * FEE)
    frame = L.frame(fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1))
    pool = L.header.feePool
    ltx = LedgerTxn(L.root_store)
    try:
        res, changes = process_fee(ltx, frame, FEE)
        x = res.to_xdr()
        assert x.result.code == TC.txFEE_BUMP_INNER_SUCCESS
        assert x.feeCharged == 2 * FEE
        assert inner_result(x).feeCharged == expected_inner_fee(L)
        # exactly one entry changed: the fee source, by the outer fee
        assert [c.type for c in changes] == [_CT.LEDGER_ENTRY_STATE, _CT.LEDGER_ENTRY_UPDATED]
        prev, curr = changes[0].state.data.account, changes[1].updated.data.account
        assert prev.accountID == acc.id
        assert prev.balance == curr.balance + 2 * FEE
        assert ltx.get_header().feePool == pool + 2 * FEE
    finally:
        ltx.rollback()


# -- apply --------------------------------------------------------------------------------------
def apply_parts(L, env, between=None) -> Applied:
    """processFeeSeqNum, then (optionally) change the ledger, then apply -
    how FeeBumpTransactionTests drives fee processing and apply apart."""
    frame = L.frame(env)
    ltx = LedgerTxn(L.root_store)
    try:
        result, fee_changes = process_fee(ltx, frame, L.header.baseFee)
        if between is not None:
            between(ltx)
        meta = apply_transaction(ltx, frame, result, NETWORK_ID, L.classic_events,
                                 op_apply_hook=invariant_hook if L.invariants else None)
        ltx.commit()
    finally:
        ltx.rollback()
    L.close_ledger()
    return Applied(result.to_xdr(), meta, fee_changes)


def _check_success(L, r):
    assert r.result.result.code == TC.txFEE_BUMP_INNER_SUCCESS
    assert r.result.feeCharged == 2 * FEE
    assert inner_result(r.result).feeCharged == expected_inner_fee(L)


def test_apply_fee_source_does_not_exist(L):
    """The fee source merged away after fee processing: apply still succeeds."""
    acc = L.root.create("A", 2 * reserve(L) + 3 * FEE)
    env = fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1)
    assert check_valid(L, env).result.code == TC.txFEE_BUMP_INNER_SUCCESS
    L.invariants = False  # the erase below is not a real merge
    r = apply_parts(L, env, between=lambda ltx: ltx.erase(account_key(acc.id)))
    _check_success(L, r)


def test_apply_bad_signatures_not_rechecked(L):
    acc = L.root.create("A", 2 * reserve(L) + 3 * FEE)
    env = fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1)
    assert check_valid(L, env).result.code == TC.txFEE_BUMP_INNER_SUCCESS
    set_options(acc, master=0)
    _check_success(L, apply_parts(L, env))


def test_apply_insufficient_balance_not_rechecked(L):
    acc = L.root.create("A", 2 * reserve(L) + 3 * FEE)
    env = fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1)
    assert check_valid(L, env).result.code == TC.txFEE_BUMP_INNER_SUCCESS
    assert acc.pay(L.root, 2 * FEE).ok
    assert acc.balance == 2 * reserve(L)
    _check_success(L, apply_parts(L, env))
    assert acc.balance == 2 * reserve(L) - 2 * FEE


def test_apply_extra_signatures_not_rechecked(L):
    acc = L.root.create("A", 3 * reserve(L) + 4 * FEE)
    set_options(acc, low=2, signers=[(ed25519_key(L.root), 1)])
    env = fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1)
    sign(env, L.root)
    assert check_valid(L, env).result.code == TC.txFEE_BUMP_INNER_SUCCESS
    set_options(acc, low=1)  # now the root's signature would be extra
    _check_success(L, apply_parts(L, env))


def test_apply_inner_fails_transaction_level(L):
    acc = L.root.create("A", 2 * reserve(L) + 3 * FEE)
    env = fee_bump(L, acc, L.root, acc, 2 * FEE, FEE, 1)
    assert check_valid(L, env).result.code == TC.txFEE_BUMP_INNER_SUCCESS
    set_options(L.root, master=0)
    r = apply_parts(L, env)
    assert r.result.result.code == TC.txFEE_BUMP_INNER_FAILED
    assert r.result.feeCharged == 2 * FEE
    assert inner_result(r.result).result.code == TC.txBAD_AUTH
    assert inner_result(r.result).feeCharged == expected_inner_fee(L)
    assert len(r.meta.v4.operations) == 0


def test_apply_inner_fails_operation_level(L):
    acc = L.root.create("A", 2 * reserve(L) + 3 * FEE)
    root_before = L.root.balance
    env = fee_bump(L, acc, L.root, acc, 2 * FEE, FEE, INT64_MAX)
    assert check_valid(L, env).result.code == TC.txFEE_BUMP_INNER_SUCCESS
    r = apply_parts(L, env)
    assert r.result.result.code == TC.txFEE_BUMP_INNER_FAILED
    assert r.result.feeCharged == 2 * FEE
    ir = inner_result(r.result)
    assert ir.result.code == TC.txFAILED
    assert ir.feeCharged == expected_inner_fee(L)
    assert ir.result.results[0].code == OC.opINNER
    assert ir.result.results[0].tr.paymentResult.code == _P.PAYMENT_LINE_FULL
    # the inner source is not charged; its sequence number is consumed
    assert L.root.balance == root_before


def test_inner_source_not_charged(L):
    acc = L.root.create("A", 2 * reserve(L) + 3 * FEE)
    b = L.root.create("B", 2 * reserve(L) + 7)  # nothing left for a fee of its own
    b_before, acc_before, seq = b.balance, acc.balance, b.seq
    pool = L.header.feePool
    r = L.apply(fee_bump(L, acc, b, L.root, 2 * FEE, FEE, 7))
    assert r.result.result.code == TC.txFEE_BUMP_INNER_SUCCESS
    assert b.balance == b_before - 7 and b.seq == seq + 1
    assert acc.balance == acc_before - 2 * FEE
    assert L.header.feePool == pool + 2 * FEE
    # the fee event names the fee source
    (ev,) = r.meta.v4.events
    assert ev.event.body.v0.topics[1].address.accountId == acc.id


def test_fee_charged_capped_at_outer_bid_and_balance(L):
    """getFee(applying): min(inclusion fee, baseFee * (ops + 1)); the charge
    is then capped at the fee source's balance."""
    acc = L.root.create("A", 2 * reserve(L) + 10 * FEE)
    r = L.apply(fee_bump(L, acc, L.root, L.root, 5 * FEE, FEE, 1))
    assert r.result.feeCharged == 2 * FEE
    r = L.apply(fee_bump(L, acc, L.root, L.root, 5 * FEE, FEE, 1), base_fee=2 * FEE)
    assert r.result.feeCharged == 4 * FEE


@pytest.mark.parametrize("sponsored", [False, True], ids=["not sponsored", "sponsored"])
def test_one_time_signer_removal(L, sponsored):
    """Fee source's pre-auth signer keyed by the fee-bump hash and the inner
    source's keyed by the inner hash are both removed; txChangesBefore holds
    4 changes (6 when the fee-bump signer was sponsored: the sponsor's
    numSponsoring drops too), every STATE with one signer (or the sponsor),
    every UPDATED with none."""
    acc = L.root.create("A", 3 * reserve(L) + 3 * FEE)
    sponsoring = L.root.create("sponsoring", 3 * reserve(L))
    env = fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1, sign_inner=False, sign_outer=False)
    env.feeBump.tx.innerTx.v1.tx.seqNum += 1  # the sponsoring tx below is not the root's
    inner_env = xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX, env.feeBump.tx.innerTx.v1)
    set_options(L.root, signers=[(preauth_key(inner_env), 1)])
    fb_signer = preauth_key(env)
    if sponsored:
        _sponsor_signer(L, sponsoring, acc, fb_signer)
    else:
        set_options(acc, signers=[(fb_signer, 1)])
    L.root.pay(L.root, 1)  # the root's seq catches up with ++seqNum above
    assert check_valid(L, env).result.code == TC.txFEE_BUMP_INNER_SUCCESS
    r = apply_parts(L, env)
    _check_success(L, r)
    before = r.meta.v4.txChangesBefore
    assert len(before) == (6 if sponsored else 4)
    for c in before:
        if c.type == _CT.LEDGER_ENTRY_STATE:
            ae = c.state.data.account
            assert ae.accountID == sponsoring.id or len(ae.signers) == 1
        else:
            assert c.type == _CT.LEDGER_ENTRY_UPDATED
            assert len(c.updated.data.account.signers) == 0
    assert signer_count(L.root) == 0
    assert signer_count(acc) == 0
    if sponsored:
        from stellarcore.ledger import balances as B
        assert B.num_sponsored(acc.entry().data.account) == 0
        assert B.num_sponsoring(sponsoring.entry().data.account) == 0


def _sponsor_signer(L, sponsoring, acc, key):
    """sponsoring sponsors `key` as acc's signer (Begin/SetOptions/End)."""
    from tests.transactions.harness import make_op
    from tests.transactions.txscen import require_op
    _OT = xdr.OperationType
    for t in (_OT.BEGIN_SPONSORING_FUTURE_RESERVES, _OT.END_SPONSORING_FUTURE_RESERVES, _OT.SET_OPTIONS):
        require_op(t)
    ops = [make_op(_OT.BEGIN_SPONSORING_FUTURE_RESERVES, xdr.BeginSponsoringFutureReservesOp(sponsoredID=acc.id),
                   source=sponsoring),
           make_op(_OT.SET_OPTIONS, xdr.SetOptionsOp(signer=xdr.Signer(key=key, weight=1)), source=acc),
           make_op(_OT.END_SPONSORING_FUTURE_RESERVES, None, source=acc)]
    r = L.apply(tx_envelope(acc, acc.seq + 1, ops, signers=[acc, sponsoring]))
    assert r.ok, r.result
    e = acc.entry().data.account
    assert e.ext.v1.ext.v2.signerSponsoringIDs == [sponsoring.id]


def test_fee_source_one_time_signer_removed_even_if_inner_fails(L):
    """FeeBumpTransactionFrame::apply removes the fee source's signer before
    the inner tx runs, whatever the inner result."""
    acc = L.root.create("A", 3 * reserve(L) + 3 * FEE)
    env = fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, -1, sign_outer=False)
    set_options(acc, signers=[(preauth_key(env), 1)])
    r = apply_parts(L, env)
    assert r.result.result.code == TC.txFEE_BUMP_INNER_FAILED
    assert inner_result(r.result).result.code == TC.txFAILED
    assert signer_count(acc) == 0


def test_fee_source_loaded_for_write_in_changes_before(L):
    """L7: removeOneTimeSignerKeyFromFeeSource loads the fee source for
    write even when it has no such signer, so txChangesBefore holds an
    unchanged fee-source STATE + UPDATED pair before the seq bump."""
    acc = L.root.create("A", 3 * reserve(L) + 3 * FEE)
    r = apply_parts(L, fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1))
    _check_success(L, r)
    before = r.meta.v4.txChangesBefore
    assert [c.type for c in before] == [_CT.LEDGER_ENTRY_STATE, _CT.LEDGER_ENTRY_UPDATED] * 2
    assert before[0].state.data.account.accountID == acc.id
    assert before[0].state.data.account == before[1].updated.data.account
    assert before[2].state.data.account.accountID == L.root.id
    assert before[3].updated.data.account.seqNum == before[2].state.data.account.seqNum + 1


def test_apply_check_fee_bump_success(L):
    acc = L.root.create("A", 3 * reserve(L) + 3 * FEE)
    r = apply_check(L, fee_bump(L, acc, L.root, L.root, 2 * FEE, FEE, 1), check_seq=False)
    assert r.result.result.code == TC.txFEE_BUMP_INNER_SUCCESS
