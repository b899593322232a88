"""The transaction envelope and its meta, as stellar-core v25's
TxEnvelopeTests.cpp ("txenvelope": "change signer and weights
mid-transaction", "common transaction"; "Soroban extension for non-Soroban
tx"; "soroban transaction validation / multiple ops are not allowed") and
TxTests.cpp applyCheck/applyTx state them, plus the meta shape the
transaction frame produces (TransactionFrame::commonPreApply pushes
txChangesBefore; a failed tx keeps no operation meta; PARITY_TRAPS T5 and
L7: an entry loaded for write is a STATE + UPDATED pair even if unchanged).

validateTxResults(tx, {fee, code}, expected apply result): checkValid must
give `code` with feeCharged `fee`; only then is the tx applied and its
result compared whole.
"""
import pytest

from stellarcore import xdr
from tests.transactions.harness import (TestLedger, make_op, muxed, op_create_account, op_payment, sign,
                                        tx_envelope)
from tests.transactions.txscen import (OC, TC, apply_check, check_valid, close_ledger, ed25519_key, preauth_key,
                                       require_op, set_options)

_P = xdr.PaymentResultCode
_SO = xdr.SetOptionsResultCode
_OT = xdr.OperationType
_CT = xdr.LedgerEntryChangeType
FEE = 100


@pytest.fixture
def L():
    return TestLedger()


def payment_amount(L):
    return L.header.baseReserve * 10


def entry_of(change):
    t = change.type
    return {_CT.LEDGER_ENTRY_STATE: lambda: change.state, _CT.LEDGER_ENTRY_UPDATED: lambda: change.updated,
            _CT.LEDGER_ENTRY_CREATED: lambda: change.created}[t]()


# -- envelope-level validity ------------------------------------------------------------
def test_v0_envelope_not_supported(L):
    """commonValidPreSeqNum: from protocol 13 an ENVELOPE_TYPE_TX_V0 frame is
    txNOT_SUPPORTED (clients' v0 envelopes are not applied as such)."""
    a = L.root.create("A", payment_amount(L))
    tx0 = xdr.TransactionV0(sourceAccountEd25519=a.id.ed25519, fee=FEE, seqNum=a.seq + 1, timeBounds=None,
                            memo=xdr.Memo(xdr.MemoType.MEMO_NONE), operations=[op_payment(L.root, 1)],
                            ext=xdr.TransactionV0Ext(0))
    env = xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX_V0,
                                  xdr.TransactionV0Envelope(tx=tx0, signatures=[]))
    sign(env, a)
    assert check_valid(L, env).result.code == TC.txNOT_SUPPORTED


def test_soroban_extension_on_classic_tx_malformed(L):
    """"Soroban extension for non-Soroban tx": txMALFORMED (protocol 21+)."""
    env = tx_envelope(L.root, L.root.seq + 1, [op_payment(L.root, 1)])
    env.v1.tx.ext = xdr.TransactionExt(1, xdr.SorobanTransactionData())
    env.v1.signatures.clear()
    sign(env, L.root)
    assert check_valid(L, env).result.code == TC.txMALFORMED


def test_soroban_op_with_classic_op_malformed(L):
    """validateSorobanOpsConsistency: a Soroban op must be alone."""
    ihf = xdr.InvokeHostFunctionOp(hostFunction=xdr.HostFunction(
        xdr.HostFunctionType.HOST_FUNCTION_TYPE_UPLOAD_CONTRACT_WASM, b"\0asm"), auth=[])
    ops = [op_payment(L.root, 1), make_op(_OT.INVOKE_HOST_FUNCTION, ihf)]
    env = tx_envelope(L.root, L.root.seq + 1, ops)
    assert check_valid(L, env).result.code == TC.txMALFORMED


def test_missing_operation(L):
    r = apply_check(L, tx_envelope(L.root, L.root.seq + 1, [], fee=1000))
    assert r.code == TC.txMISSING_OPERATION
    # fee processing uses baseFee * max(1, numOps)
    assert r.result.feeCharged == FEE


def test_check_valid_fee_is_an_estimate(L):
    """checkValid reports baseFee * numOps whatever the bid; apply charges
    min(bid, baseFee * numOps) (TransactionFrame::checkValid / getFee)."""
    a = L.root.create("A", payment_amount(L))
    env = a.tx([op_payment(L.root, 1), op_payment(L.root, 1)], fee=5000)
    assert check_valid(L, env).feeCharged == 2 * FEE
    assert apply_check(L, env).result.feeCharged == 2 * FEE


# -- meta shape --------------------------------------------------------------------------------
def test_meta_of_successful_payment(L):
    """txChangesBefore: the source's seq bump as STATE (old) + UPDATED (new
    seq, ext v1/v2/v3 with seqLedger/seqTime of this ledger); fee changes:
    the fee source's STATE + UPDATED; op changes: source and destination."""
    a = L.root.create("A", payment_amount(L))
    b = L.root.create("B", payment_amount(L))
    S, T = L.header.ledgerSeq, L.header.scpValue.closeTime
    old = a.entry()
    r = L.apply(a.tx([op_payment(b, 10)]))
    assert r.ok
    v4 = r.meta.v4
    # fee processing
    assert [c.type for c in r.fee_changes] == [_CT.LEDGER_ENTRY_STATE, _CT.LEDGER_ENTRY_UPDATED]
    assert r.fee_changes[0].state == old
    assert r.fee_changes[1].updated.data.account.balance == old.data.account.balance - FEE
    assert r.fee_changes[1].updated.data.account.seqNum == old.data.account.seqNum
    # the seq bump
    before = v4.txChangesBefore
    assert [c.type for c in before] == [_CT.LEDGER_ENTRY_STATE, _CT.LEDGER_ENTRY_UPDATED]
    st, up = before[0].state.data.account, before[1].updated.data.account
    assert st.seqNum == old.data.account.seqNum and st.ext.v == 0
    assert st.balance == old.data.account.balance - FEE
    assert up.seqNum == st.seqNum + 1
    v3 = up.ext.v1.ext.v2.ext.v3
    assert (v3.seqLedger, v3.seqTime) == (S, T)
    assert before[1].updated.lastModifiedLedgerSeq == S
    assert list(v4.txChangesAfter) == []
    # the operation
    (op,) = v4.operations
    ids = sorted((c.type, entry_of(c).data.account.accountID.ed25519) for c in op.changes)
    assert ids == sorted([(_CT.LEDGER_ENTRY_STATE, a.id.ed25519), (_CT.LEDGER_ENTRY_UPDATED, a.id.ed25519),
                          (_CT.LEDGER_ENTRY_STATE, b.id.ed25519), (_CT.LEDGER_ENTRY_UPDATED, b.id.ed25519)])


@pytest.mark.parametrize("failure,bumped", [
    ("op failure", True), ("bad auth", True), ("bad seq", False), ("too late", False)])
def test_meta_of_failed_tx(L, failure, bumped):
    """A failed transaction has no operation meta; txChangesBefore holds the
    seq bump only if the tx got past the sequence check."""
    a = L.root.create("A", payment_amount(L))
    seq = a.seq + 1
    kw = {}
    ops = [op_payment(L.root, 1)]
    if failure == "op failure":
        ops = [op_payment(L.root, 1), op_payment(L.account("nobody"), 1)]
    elif failure == "bad auth":
        kw["signers"] = [L.root]
    elif failure == "bad seq":
        seq += 1
    else:
        kw["cond"] = xdr.Preconditions(xdr.PreconditionType.PRECOND_TIME, xdr.TimeBounds(minTime=0, maxTime=1))
    r = L.apply(tx_envelope(a, seq, ops, **kw))
    assert not r.ok
    v4 = r.meta.v4
    assert list(v4.operations) == []
    if bumped:
        assert [c.type for c in v4.txChangesBefore] == [_CT.LEDGER_ENTRY_STATE, _CT.LEDGER_ENTRY_UPDATED]
        assert v4.txChangesBefore[1].updated.data.account.seqNum == a.seq
    else:
        assert list(v4.txChangesBefore) == []
    # the fee is charged and its event emitted either way
    assert r.result.feeCharged == FEE * len(ops)
    assert len(v4.events) == 1


def test_meta_one_time_signer_removed_on_bad_seq(L):
    """Protocol 13+: txBAD_SEQ removes the pre-auth signer; txChangesBefore
    then holds only that removal (no seq bump)."""
    a = L.root.create("A", payment_amount(L))
    env = tx_envelope(a, a.seq, [op_payment(L.root, 1)], signers=[])
    set_options(a, signers=[(preauth_key(env), 1)])
    old_seq = a.seq
    r = L.apply(env)
    assert r.code == TC.txBAD_SEQ
    before = r.meta.v4.txChangesBefore
    assert [c.type for c in before] == [_CT.LEDGER_ENTRY_STATE, _CT.LEDGER_ENTRY_UPDATED]
    assert len(before[0].state.data.account.signers) == 1
    up = before[1].updated.data.account
    assert list(up.signers) == [] and up.numSubEntries == 0 and up.seqNum == old_seq


def test_fee_changes_loaded_but_unchanged_with_zero_fee():
    """L7: with a base fee of 0 nothing is charged, yet processFeeSeqNum
    loaded the source for write: a STATE + UPDATED pair with equal data."""
    L = TestLedger(base_fee=0)
    a = L.root.create("A", payment_amount(L))
    S = L.header.ledgerSeq
    r = L.apply(a.tx([op_payment(L.root, 1)], fee=0))
    assert r.ok and r.result.feeCharged == 0
    st, up = r.fee_changes
    assert (st.type, up.type) == (_CT.LEDGER_ENTRY_STATE, _CT.LEDGER_ENTRY_UPDATED)
    assert st.state.data == up.updated.data
    assert up.updated.lastModifiedLedgerSeq == S
    # no fee event for a zero fee
    assert list(r.meta.v4.events) == []


# -- change signer and weights mid-transaction (SetOptions / AccountMerge) -------------------------
def op_set_options(source=None, **kw):
    return make_op(_OT.SET_OPTIONS, xdr.SetOptionsOp(**kw), source)


def op_merge(dest, source=None):
    return make_op(_OT.ACCOUNT_MERGE, muxed(dest), source)


def signer(who, weight):
    return xdr.Signer(key=ed25519_key(who), weight=weight)


def validate_tx_results(L, env, validation, apply_codes=None):
    """TxTests.cpp validateTxResults."""
    fee, code = validation
    r = check_valid(L, env)
    assert r.result.code == code
    assert r.feeCharged == fee
    if code != TC.txSUCCESS:
        return None
    a = apply_check(L, env)
    tx_code, op_expect = apply_codes
    assert a.code == tx_code
    assert a.result.feeCharged == fee
    for i, exp in enumerate(op_expect):
        if isinstance(exp, OC):
            assert a.op_results[i].code == exp
        else:
            assert a.op_code(i) == exp
    return a


@pytest.fixture
def ab(L):
    require_op(_OT.SET_OPTIONS)
    return L.root.create("a", payment_amount(L)), L.root.create("b", payment_amount(L))


def test_switch_a_into_regular_account_1(L, ab):
    a, b = ab
    set_options(a, master=1, low=2, med=2, high=2, signers=[(ed25519_key(b), 1)])
    env = a.tx([op_set_options(masterWeight=2, signer=signer(b, 0))])
    sign(env, b)
    validate_tx_results(L, env, (FEE, TC.txSUCCESS), (TC.txSUCCESS, [_SO.SET_OPTIONS_SUCCESS]))


def test_switch_a_into_regular_account_2(L, ab):
    """Signatures are checked up front (protocol 10+), so removing b first
    does not break the second op."""
    a, b = ab
    set_options(a, master=1, low=2, med=2, high=2, signers=[(ed25519_key(b), 1)])
    env = a.tx([op_set_options(signer=signer(b, 0)), op_set_options(masterWeight=2)])
    sign(env, b)
    validate_tx_results(L, env, (2 * FEE, TC.txSUCCESS),
                        (TC.txSUCCESS, [_SO.SET_OPTIONS_SUCCESS, _SO.SET_OPTIONS_SUCCESS]))


@pytest.mark.parametrize("how", ["by destination", "by source, signed by destination"])
def test_merge_one_of_signing_accounts(L, ab, how):
    require_op(_OT.ACCOUNT_MERGE)
    a, b = ab
    set_options(a, master=0, signers=[(ed25519_key(b), 1)])
    ops = [op_set_options(masterWeight=1, signer=signer(b, 0)), op_merge(b)]
    if how == "by destination":
        env = b.tx([op_set_options(source=a, masterWeight=1, signer=signer(b, 0)), op_merge(b, source=a)])
        a_balance = a.balance
    else:
        env = tx_envelope(a, a.seq + 1, ops, signers=[b])
        a_balance = a.balance - 2 * FEE
    r = validate_tx_results(L, env, (2 * FEE, TC.txSUCCESS),
                            (TC.txSUCCESS, [_SO.SET_OPTIONS_SUCCESS, xdr.AccountMergeResultCode.ACCOUNT_MERGE_SUCCESS]))
    assert r.op_results[1].tr.accountMergeResult.sourceAccountBalance == a_balance
    assert not a.exists()


def test_merge_one_of_signing_accounts_signed_by_both(L, ab):
    require_op(_OT.ACCOUNT_MERGE)
    a, b = ab
    set_options(a, master=0, signers=[(ed25519_key(b), 1)])
    env = a.tx([op_set_options(masterWeight=1, signer=signer(b, 0)), op_merge(b)])
    sign(env, b)
    validate_tx_results(L, env, (2 * FEE, TC.txBAD_AUTH_EXTRA))


def test_change_thresholds_twice(L, ab):
    a, _ = ab
    env = a.tx([op_set_options(highThreshold=3), op_set_options(highThreshold=3)])
    validate_tx_results(L, env, (2 * FEE, TC.txSUCCESS),
                        (TC.txSUCCESS, [_SO.SET_OPTIONS_SUCCESS, _SO.SET_OPTIONS_SUCCESS]))


def test_lower_master_weight_twice(L, ab):
    a, _ = ab
    set_options(a, master=10, low=1, med=5, high=10)
    env = a.tx([op_set_options(masterWeight=9), op_set_options(masterWeight=8)])
    validate_tx_results(L, env, (2 * FEE, TC.txSUCCESS),
                        (TC.txSUCCESS, [_SO.SET_OPTIONS_SUCCESS, _SO.SET_OPTIONS_SUCCESS]))


def test_reduce_auth_valid(L, ab):
    a, b = ab
    set_options(a, master=3, low=1, med=3, high=5, signers=[(ed25519_key(b), 2)])
    env = a.tx([op_set_options(signer=signer(b, 1)), op_set_options(signer=signer(b, 2))])
    sign(env, b)
    validate_tx_results(L, env, (2 * FEE, TC.txSUCCESS),
                        (TC.txSUCCESS, [_SO.SET_OPTIONS_SUCCESS, _SO.SET_OPTIONS_SUCCESS]))


def test_reduce_auth_multiple_tx(L, ab):
    """tx1 lowers b's weight in the same ledger; tx2's second op then lacks
    the high threshold: txFAILED with PAYMENT_SUCCESS, opBAD_AUTH."""
    a, b = ab
    set_options(a, master=3, low=1, med=3, high=5, signers=[(ed25519_key(b), 2)])
    tx1 = tx_envelope(L.root, L.root.seq + 1, [op_set_options(source=a, signer=signer(b, 1))],
                      signers=[L.root, a, b])
    tx2 = tx_envelope(a, a.seq + 1, [op_payment(L.root, 1000), op_set_options(signer=signer(b, 2))],
                      signers=[a, b])
    r1, r2 = close_ledger(L, [tx1, tx2])
    assert r1.code == TC.txSUCCESS
    assert r2.code == TC.txFAILED
    assert r2.op_code(0) == _P.PAYMENT_SUCCESS
    assert r2.op_results[1].code == OC.opBAD_AUTH


def test_add_signer_increase_thresholds_do_something(L, ab):
    a, b = ab
    env = a.tx([op_set_options(signer=signer(b, 1), masterWeight=1, lowThreshold=2, medThreshold=2,
                               highThreshold=2),
                op_set_options(homeDomain=b"stellar.org")])
    sign(env, b)
    validate_tx_results(L, env, (2 * FEE, TC.txBAD_AUTH_EXTRA))


# -- "common transaction" ---------------------------------------------------------------------
def test_common_transaction_duplicate(L):
    """Applying the same tx twice: the second is txBAD_SEQ."""
    a1 = L.root.create("A", payment_amount(L))
    env = L.root.tx([op_create_account(L.account("B"), payment_amount(L))])
    assert apply_check(L, env).code == TC.txSUCCESS
    assert apply_check(L, env).code == TC.txBAD_SEQ
    assert a1.exists()
