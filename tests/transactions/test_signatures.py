"""Signatures and multisig, as stellar-core v25's TxEnvelopeTests.cpp
("outer envelope", "multisig", "alternative signatures", "batching", "empty
X", "mux accounts") states them; PARITY_TRAPS T1 (one-time signers removed
even when the tx fails) and T2 (SignatureChecker, opNO_ACCOUNT vs
opBAD_AUTH).

Signers, thresholds and master weights are written straight into the
ledger (txscen.set_options) where stellar-core's tests run SetOptions
first; scenarios whose operation under test *is* SetOptions or AccountMerge
skip until those operations exist.
"""
import pytest

from stellarcore import xdr
from tests.transactions.harness import TestLedger, make_op, muxed, op_create_account, op_payment, sign, tx_envelope
from tests.transactions.txscen import (OC, TC, add_sig, apply_check, check_valid, clear_sigs, close_ledger,
                                       ed25519_key, hashx_key, payload_key, preauth_key, remove_account,
                                       require_op, set_options, sign_hashx, sign_payload, signer_count)

_P = xdr.PaymentResultCode
_OT = xdr.OperationType


@pytest.fixture
def L():
    return TestLedger()


def payment_amount(L):
    """TxEnvelopeTests: paymentAmount = getLastReserve() * 10."""
    return L.header.baseReserve * 10


def op_set_options(source=None, **kw):
    return make_op(_OT.SET_OPTIONS, xdr.SetOptionsOp(**kw), source)


def op_merge(dest, source=None):
    return make_op(_OT.ACCOUNT_MERGE, muxed(dest), source)


# -- outer envelope -------------------------------------------------------------------
def _outer(L, how):
    a1 = L.account("A")
    env = tx_envelope(L.root, L.root.seq + 1, [op_create_account(a1, payment_amount(L))])
    sigs = env.v1.signatures
    if how == "no signature":
        sigs.clear()
    elif how == "bad signature":
        sigs[0].signature = bytes([123]) * 32
    elif how == "wrong hint":
        sigs[0].hint = b"\x01" * 4
    elif how == "signed twice":
        sign(env, a1.secret)
    elif how == "unused signature":
        sign(env, L.account("bogus").secret)
    return env


OUTER_CASES = [("no signature", TC.txBAD_AUTH), ("bad signature", TC.txBAD_AUTH), ("wrong hint", TC.txBAD_AUTH),
               ("signed twice", TC.txBAD_AUTH_EXTRA), ("unused signature", TC.txBAD_AUTH_EXTRA)]


@pytest.mark.parametrize("how,expected", OUTER_CASES, ids=[c[0] for c in OUTER_CASES])
def test_outer_envelope(L, how, expected):
    r = apply_check(L, _outer(L, how))
    assert r.code == expected
    assert not L.account("A").exists()


# -- multisig --------------------------------------------------------------------------
def _multisig_world(L):
    """a1: master 100, thresholds 10/50/100, S1 weight 5, S2 weight 95."""
    a1 = L.root.create("A", payment_amount(L))
    s1, s2 = L.account("S1").secret, L.account("S2").secret
    set_options(a1, master=100, low=10, med=50, high=100, signers=[(ed25519_key(s1), 5), (ed25519_key(s2), 95)])
    return a1, s1, s2


def test_multisig_not_enough_rights_envelope(L):
    a1, s1, _ = _multisig_world(L)
    env = tx_envelope(a1, a1.seq + 1, [op_payment(L.root, 1000)], signers=[s1])
    assert apply_check(L, env).code == TC.txBAD_AUTH


def test_multisig_duplicate_signature_does_not_add_weight(L):
    a1, s1, _ = _multisig_world(L)
    env = tx_envelope(a1, a1.seq + 1, [op_payment(L.root, 1000)], signers=[s1] * 10)
    assert apply_check(L, env).code == TC.txBAD_AUTH


@pytest.mark.parametrize("with_master,expected", [(False, TC.txSUCCESS), (True, TC.txBAD_AUTH_EXTRA)])
def test_multisig_without_master_key(L, with_master, expected):
    a1, _, s2 = _multisig_world(L)
    set_options(a1, master=0)
    signers = ([a1] if with_master else []) + [s2]
    env = tx_envelope(a1, a1.seq + 1, [op_payment(L.root, 1000)], signers=signers)
    assert apply_check(L, env).code == expected


def test_account_locked_down(L):
    set_options(L.root, master=0)
    assert apply_check(L, L.root.tx([op_payment(L.root, 1000)])).code == TC.txBAD_AUTH


@pytest.mark.parametrize("signers,expected", [
    (["S2"], (TC.txFAILED, OC.opBAD_AUTH)),       # med rights cannot change thresholds
    (["S1", "S2"], (TC.txSUCCESS, None)),          # 5 + 95 reaches high
])
def test_multisig_operation_threshold_high(L, signers, expected):
    """"not enough rights (operation, together)" / "success two signatures":
    SetOptions with thresholds needs the high threshold."""
    require_op(_OT.SET_OPTIONS)
    a1, s1, s2 = _multisig_world(L)
    keys = {"S1": s1, "S2": s2}
    op = op_set_options(masterWeight=100, lowThreshold=10, medThreshold=50, highThreshold=100)
    r = apply_check(L, tx_envelope(a1, a1.seq + 1, [op], signers=[keys[k] for k in signers]))
    assert r.code == expected[0]
    if expected[1] is not None:
        assert r.op_results[0].code == expected[1]


def test_weights_add_up_across_signers():
    """A 254 signer alone misses a 255 threshold, 254 + 1 meets it."""
    L = TestLedger()
    a1 = L.root.create("A", payment_amount(L))
    s1, s2 = L.account("S1").secret, L.account("S2").secret
    set_options(a1, master=0, low=255, med=255, high=255, signers=[(ed25519_key(s1), 254), (ed25519_key(s2), 1)])
    env = tx_envelope(a1, a1.seq + 1, [op_payment(L.root, 1)], signers=[s1])
    assert apply_check(L, env).code == TC.txBAD_AUTH
    env = tx_envelope(a1, a1.seq + 1, [op_payment(L.root, 1)], signers=[s1, s2])
    assert apply_check(L, env).code == TC.txSUCCESS


def test_signature_checker_caps_weights_at_255():
    """SignatureChecker::checkSignature caps every weight at UINT8_MAX
    (protocol 10+). Ledger thresholds are bytes, so this shows only at the
    checker: a 2^32-1 signer counts 255, short of a needed 256."""
    from stellarcore.crypto.keys import SecretKey
    from stellarcore.transactions.signature_checker import SignatureChecker
    s1, s2 = SecretKey.for_test_account("S1"), SecretKey.for_test_account("S2")
    h = bytes(range(32))
    signers = [(ed25519_key(s1), 0xFFFFFFFF), (ed25519_key(s2), 1)]
    assert not SignatureChecker(h, [s1.sign_decorated(h)]).check_signature(signers, 256)
    assert SignatureChecker(h, [s1.sign_decorated(h), s2.sign_decorated(h)]).check_signature(signers, 256)
    # pre-auth signers are capped the same way
    pre = xdr.SignerKey(xdr.SignerKeyType.SIGNER_KEY_TYPE_PRE_AUTH_TX, h)
    assert not SignatureChecker(h, []).check_signature([(pre, 1000)], 256)
    # nothing matching fails even for a needed weight of 0 (T2)
    assert not SignatureChecker(h, []).check_signature([(ed25519_key(s1), 1)], 0)


# -- alternative signatures --------------------------------------------------------------
X = bytes(b"abc\0def\0\0\0ghijklABC\0DEF\0\0\0GHIJKL")


class Alt:
    """TxEnvelopeTests' AltSignature: a signer kind, whether it is removed
    after use (pre-auth only), how to make its key and sign for it."""

    def __init__(self, name, auto_remove):
        self.name = name
        self.auto_remove = auto_remove

    def key(self, L, env):
        if self.name == "hash tx":
            return preauth_key(env)
        if self.name == "hash x":
            return hashx_key(X)
        return payload_key(L.root, X)

    def sign(self, L, env):
        if self.name == "hash x":
            add_sig(env, sign_hashx(X))
        elif self.name == "payload signer":
            add_sig(env, sign_payload(L.root.secret, X))
        return env

    def corrupt(self, key):
        if key.type == xdr.SignerKeyType.SIGNER_KEY_TYPE_PRE_AUTH_TX:
            return xdr.SignerKey(key.type, bytes([key.preAuthTx[0] ^ 1]) + bytes(key.preAuthTx[1:]))
        if key.type == xdr.SignerKeyType.SIGNER_KEY_TYPE_HASH_X:
            return xdr.SignerKey(key.type, bytes([key.hashX[0] ^ 1]) + bytes(key.hashX[1:]))
        sp = key.ed25519SignedPayload
        return xdr.SignerKey(key.type, xdr.SignerKeyEd25519SignedPayload(
            ed25519=bytes([sp.ed25519[0] ^ 1]) + bytes(sp.ed25519[1:]), payload=sp.payload))


ALTS = [Alt("hash tx", True), Alt("hash x", False), Alt("payload signer", False)]
alt_param = pytest.mark.parametrize("alt", ALTS, ids=[a.name for a in ALTS])


def _single(L, alt, seq_delta=1, amount=1000, owner_signs=False, corrupt=False):
    a1 = L.root.create("A", payment_amount(L))
    env = clear_sigs(tx_envelope(a1, a1.seq + seq_delta, [op_payment(L.root, amount)]))
    if owner_signs:
        sign(env, a1)
    key = alt.key(L, env)
    set_options(a1, signers=[(alt.corrupt(key) if corrupt else key, 1)])
    assert signer_count(a1) == 1
    alt.sign(L, env)
    return a1, env


@alt_param
def test_alt_single_invalid_seq(L, alt):
    """txBAD_SEQ still removes the one-time signer (protocol 13+, T1)."""
    a1, env = _single(L, alt, seq_delta=0)
    assert apply_check(L, env).code == TC.txBAD_SEQ
    assert signer_count(a1) == (0 if alt.auto_remove else 1)


@alt_param
def test_alt_single_invalid_signature(L, alt):
    a1, env = _single(L, alt, corrupt=True)
    assert apply_check(L, env).code == TC.txBAD_AUTH
    assert signer_count(a1) == 1


@alt_param
def test_alt_single_too_many_signatures(L, alt):
    a1, env = _single(L, alt, owner_signs=True)
    assert apply_check(L, env).code == TC.txBAD_AUTH_EXTRA
    assert signer_count(a1) == (0 if alt.auto_remove else 1)


@alt_param
def test_alt_single_success(L, alt):
    a1, env = _single(L, alt)
    r = apply_check(L, env)
    assert r.code == TC.txSUCCESS
    assert r.op_code(0) == _P.PAYMENT_SUCCESS
    assert signer_count(a1) == (0 if alt.auto_remove else 1)


@alt_param
def test_alt_single_failing_transaction(L, alt):
    a1, env = _single(L, alt, amount=-1)
    r = apply_check(L, env)
    assert r.code == TC.txFAILED
    assert r.op_code(0) == _P.PAYMENT_MALFORMED
    assert signer_count(a1) == (0 if alt.auto_remove else 1)


def _alt_multisig_world(L):
    a1 = L.root.create("A", payment_amount(L))
    s1 = L.account("S1").secret
    set_options(a1, master=100, low=10, med=50, high=100, signers=[(ed25519_key(s1), 95)])
    return a1, s1


@alt_param
def test_alt_multisig_not_enough_rights_envelope(L, alt):
    a1, _ = _alt_multisig_world(L)
    env = clear_sigs(tx_envelope(a1, a1.seq + 1, [op_payment(L.root, 1000)]))
    set_options(a1, signers=[(alt.key(L, env), 5)])  # below low rights
    alt.sign(L, env)
    assert apply_check(L, env).code == TC.txBAD_AUTH
    assert signer_count(a1) == (1 if alt.auto_remove else 2)


@alt_param
@pytest.mark.parametrize("bad_seq", [False, True], ids=["not enough rights", "bad seq"])
def test_alt_multisig_same_signer_on_tx_and_op_source(L, alt, bad_seq):
    a1, _ = _alt_multisig_world(L)
    seq = a1.seq + (0 if bad_seq else 1)
    env = clear_sigs(tx_envelope(a1, seq, [op_payment(a1, 100, source=L.root)]))
    key = alt.key(L, env)
    set_options(a1, signers=[(key, 5)])
    set_options(L.root, signers=[(key, 5)])
    alt.sign(L, env)
    assert apply_check(L, env).code == (TC.txBAD_SEQ if bad_seq else TC.txBAD_AUTH)
    assert signer_count(a1) == (1 if alt.auto_remove else 2)
    assert signer_count(L.root) == (0 if alt.auto_remove else 1)


@alt_param
@pytest.mark.parametrize("order", ["first", "second"])
def test_alt_not_enough_rights_on_an_operation(L, alt, order):
    """"not enough rights on first/second operation": b's payment needs b's
    medium threshold (2) which nobody signs for; the root's one-time signer
    is removed anyway."""
    b = L.root.create("b", 1_000_000_000)
    set_options(b, master=1, low=1, med=2, high=3)
    ops = [op_payment(L.root, 100, source=b), op_payment(b, 100)]
    if order == "second":
        ops.reverse()
    env = clear_sigs(tx_envelope(L.root, L.root.seq + 1, ops))
    set_options(L.root, signers=[(alt.key(L, env), 100)])
    alt.sign(L, env)
    (r,) = close_ledger(L, [env])
    assert r.code == TC.txFAILED
    i = 0 if order == "first" else 1
    assert r.op_results[i].code == OC.opBAD_AUTH
    assert signer_count(L.root) == (0 if alt.auto_remove else 1)


@alt_param
def test_alt_signatures_removed_from_multiple_accounts_even_though_tx_failed(L, alt):
    a1, s1 = _alt_multisig_world(L)
    env = clear_sigs(tx_envelope(a1, a1.seq + 1, [op_payment(a1, 100, source=L.root)]))
    sign(env, s1, s1)
    key = alt.key(L, env)
    set_options(a1, signers=[(key, 1)])
    set_options(L.root, signers=[(key, 1)])
    alt.sign(L, env)
    assert apply_check(L, env).code == TC.txBAD_AUTH_EXTRA
    assert signer_count(a1) == (1 if alt.auto_remove else 2)
    assert signer_count(L.root) == (0 if alt.auto_remove else 1)


@alt_param
def test_alt_success_signature_plus_alt(L, alt):
    a1, s1 = _alt_multisig_world(L)
    set_options(a1, med=100)
    env = clear_sigs(tx_envelope(a1, a1.seq + 1, [op_payment(L.root, 1000)]))
    sign(env, s1)
    set_options(a1, signers=[(alt.key(L, env), 5)])
    alt.sign(L, env)
    r = apply_check(L, env)
    assert r.code == TC.txSUCCESS
    assert r.op_code(0) == _P.PAYMENT_SUCCESS
    assert signer_count(a1) == (1 if alt.auto_remove else 2)


@alt_param
@pytest.mark.parametrize("n_ops", [1, 2])
def test_alt_in_op_source_account_signers(L, alt, n_ops):
    a1 = L.root.create("A", payment_amount(L))
    ops = [op_payment(L.root, 100, source=a1)] * n_ops
    env = clear_sigs(tx_envelope(L.root, L.root.seq + 1, ops))
    key = alt.key(L, env)
    set_options(L.root, signers=[(key, 1)])
    set_options(a1, signers=[(key, 1)])
    alt.sign(L, env)
    r = apply_check(L, env)
    assert r.code == TC.txSUCCESS
    assert r.op_code(0) == _P.PAYMENT_SUCCESS
    assert signer_count(L.root) == (0 if alt.auto_remove else 1)
    assert signer_count(a1) == (0 if alt.auto_remove else 1)


@alt_param
@pytest.mark.parametrize("tx_account_missing", [False, True], ids=["merge op source", "merge tx source"])
def test_alt_merge_source_account_before_payment(L, alt, tx_account_missing):
    """"merge source account before payment": b1 is merged into a1 in the
    same ledger, before a tx whose tx source (txNO_ACCOUNT) or op source
    (txFAILED) is b1; the one-time signers are removed either way."""
    require_op(_OT.ACCOUNT_MERGE)
    a1 = L.root.create("A", payment_amount(L))
    b1 = L.root.create("b1", payment_amount(L))
    assert a1.pay(b1, 1000).ok
    tx_acc, op_acc = (b1, a1) if tx_account_missing else (a1, b1)
    tx_merge = b1.tx([op_merge(a1)])
    env = clear_sigs(tx_envelope(tx_acc, tx_acc.seq + (2 if tx_account_missing else 1),
                                 [op_payment(L.root, 110, source=op_acc), op_payment(a1, 101, source=L.root)]))
    key = alt.key(L, env)
    alt.sign(L, env)
    for acc in (L.root, a1, b1):
        set_options(acc, signers=[(key, 1)])
    r_merge, r = close_ledger(L, [tx_merge, env])
    assert r_merge.code == TC.txSUCCESS
    assert r.code == (TC.txNO_ACCOUNT if tx_account_missing else TC.txFAILED)
    assert signer_count(a1) == (0 if alt.auto_remove else 1)
    assert signer_count(L.root) == (0 if alt.auto_remove else 1)


def test_empty_x(L):
    """"empty X": a hash(x) signer whose preimage holds zero bytes; it is not
    a one-time signer."""
    a1, s1 = _alt_multisig_world(L)
    env = clear_sigs(tx_envelope(a1, a1.seq + 1, [op_payment(L.root, 1000)]))
    sign(env, s1)
    set_options(a1, signers=[(hashx_key(X), 5)])
    add_sig(env, sign_hashx(X))
    r = apply_check(L, env)
    assert r.code == TC.txSUCCESS
    assert r.op_code(0) == _P.PAYMENT_SUCCESS
    assert signer_count(a1) == 2


# -- batching -------------------------------------------------------------------------
def test_empty_batch(L):
    env = tx_envelope(L.root, L.root.seq + 1, [], fee=1000)
    assert check_valid(L, env).result.code == TC.txMISSING_OPERATION
    assert apply_check(L, env).code == TC.txMISSING_OPERATION


@pytest.mark.parametrize("signed_by_b1,expected", [(False, TC.txFAILED), (True, TC.txSUCCESS)])
def test_single_tx_wrapped_by_different_account(L, signed_by_b1, expected):
    a1 = L.root.create("A", payment_amount(L))
    b1 = L.root.create("B", payment_amount(L))
    signers = [a1, b1] if signed_by_b1 else [a1]
    env = tx_envelope(a1, a1.seq + 1, [op_payment(L.root, 1000, source=b1)], signers=signers)
    assert (check_valid(L, env).result.code == TC.txSUCCESS) == signed_by_b1
    r = apply_check(L, env)
    assert r.code == expected
    if signed_by_b1:
        assert r.op_code(0) == _P.PAYMENT_SUCCESS
    else:
        assert r.op_results[0].code == OC.opBAD_AUTH


@pytest.mark.parametrize("second_amount,expected,second_code", [
    ("paymentAmount", TC.txFAILED, _P.PAYMENT_UNDERFUNDED),
    (1000, TC.txSUCCESS, _P.PAYMENT_SUCCESS),
], ids=["one failed", "both success"])
def test_multiple_ops(L, second_amount, expected, second_code):
    a1 = L.root.create("A", payment_amount(L))
    b1 = L.root.create("B", payment_amount(L))
    amount = payment_amount(L) if second_amount == "paymentAmount" else second_amount
    env = tx_envelope(a1, a1.seq + 1, [op_payment(L.root, 1000), op_payment(L.root, amount, source=b1)],
                      signers=[a1, b1])
    assert check_valid(L, env).result.code == TC.txSUCCESS
    r = apply_check(L, env)
    assert r.result.feeCharged == 2 * 100
    assert r.code == expected
    assert r.op_code(0) == _P.PAYMENT_SUCCESS
    assert r.op_code(1) == second_code


def test_operation_using_default_signature(L):
    """b1 funds c1, then c1 pays root, all in one tx signed by b1 and c1."""
    b1 = L.root.create("B", payment_amount(L))
    c1 = L.account("C")
    env = tx_envelope(b1, b1.seq + 1, [op_create_account(c1, payment_amount(L) // 2),
                                       op_payment(L.root, 1000, source=c1)], signers=[b1, c1])
    r = apply_check(L, env)
    assert r.result.feeCharged == 2 * 100
    assert r.code == TC.txSUCCESS
    assert r.op_code(0) == xdr.CreateAccountResultCode.CREATE_ACCOUNT_SUCCESS
    assert r.op_code(1) == _P.PAYMENT_SUCCESS


# -- op source missing: opNO_ACCOUNT vs opBAD_AUTH (T2) -------------------------------------
OP_SOURCE_CASES = [
    ("exists, signed", True, True, TC.txSUCCESS, TC.txSUCCESS, None),
    ("exists, not signed", True, False, TC.txFAILED, TC.txFAILED, OC.opBAD_AUTH),
    ("missing, signed", False, True, TC.txSUCCESS, TC.txFAILED, OC.opNO_ACCOUNT),
    ("missing, not signed", False, False, TC.txFAILED, TC.txFAILED, OC.opBAD_AUTH),
]


@pytest.mark.parametrize("name,exists,signed,check_code,apply_code,op_code", OP_SOURCE_CASES,
                         ids=[c[0] for c in OP_SOURCE_CASES])
def test_op_source_missing(L, name, exists, signed, check_code, apply_code, op_code):
    """OperationFrame::checkSignature: an explicit op source that does not
    exist is checked with checkSignatureNoAccount (its own key, needed weight
    0 - which still needs a matching signature), and fails at apply with
    opNO_ACCOUNT; without a signature it is opBAD_AUTH."""
    a1 = L.root.create("A", payment_amount(L))
    b1 = L.root.create("B", payment_amount(L))
    if not exists:
        remove_account(b1)
    env = tx_envelope(a1, a1.seq + 1, [op_payment(L.root, 1000, source=b1)], signers=[a1] + ([b1] if signed else []))
    assert check_valid(L, env).result.code == check_code
    r = apply_check(L, env)
    assert r.code == apply_code
    if op_code is not None:
        assert r.op_results[0].code == op_code


# -- muxed accounts ("mux accounts") -----------------------------------------------------
@pytest.mark.parametrize("where", ["dest account", "src account"])
def test_mux_accounts(L, where):
    a = L.root.create("A", payment_amount(L))
    if where == "dest account":
        op = op_payment(muxed(a, 2), payment_amount(L))
    else:
        op = op_payment(a, payment_amount(L), source=muxed(L.root, 3))
    r = apply_check(L, L.root.tx([op]), check_seq=False)
    assert r.code == TC.txSUCCESS
    assert a.balance == 2 * payment_amount(L)


# -- change signer and weights mid-transaction (needs SetOptions) -----------------------------
def test_reduce_auth_missing_signature(L):
    """"reduce auth, do something / missing signature": the second op's
    signature check (high threshold 5 with b absent) fails while the first
    op succeeds."""
    require_op(_OT.SET_OPTIONS)
    a = L.root.create("a", payment_amount(L))
    b = L.root.create("b", payment_amount(L))
    set_options(a, master=3, low=1, med=3, high=5, signers=[(ed25519_key(b), 2)])
    signer = xdr.Signer(key=ed25519_key(b), weight=2)
    env = a.tx([op_payment(L.root, 1000), op_set_options(signer=signer)])
    r = apply_check(L, env)
    assert r.code == TC.txFAILED
    assert r.op_code(0) == _P.PAYMENT_SUCCESS
    assert r.op_results[1].code == OC.opBAD_AUTH


@alt_param
def test_alt_success_complex_sponsored_signatures(L, alt):
    """"success complex sponsored signatures": the one-time signer (sponsored
    by a2) sits between two root-sponsored signers; removing it keeps
    signerSponsoringIDs aligned ([none, root, root]) and releases a2's
    sponsorship."""
    for t in (_OT.BEGIN_SPONSORING_FUTURE_RESERVES, _OT.END_SPONSORING_FUTURE_RESERVES, _OT.SET_OPTIONS):
        require_op(t)
    from stellarcore.ledger import balances as B
    a1, s1 = _alt_multisig_world(L)
    set_options(a1, med=100)
    a2 = L.root.create("A2", payment_amount(L))
    env = clear_sigs(tx_envelope(a1, a1.seq + 1, [op_payment(L.root, 1000)]))
    sign(env, s1)
    sk = alt.key(L, env)
    signer1 = ed25519_key(L.account("1").secret)
    signer2 = payload_key(L.root, b"z")

    def begin(sponsor):
        return make_op(_OT.BEGIN_SPONSORING_FUTURE_RESERVES,
                       xdr.BeginSponsoringFutureReservesOp(sponsoredID=a1.id), source=sponsor)

    def add_signer(key):
        return make_op(_OT.SET_OPTIONS, xdr.SetOptionsOp(signer=xdr.Signer(key=key, weight=5)), source=a1)

    end = make_op(_OT.END_SPONSORING_FUTURE_RESERVES, None, source=a1)
    inside = tx_envelope(a2, a2.seq + 1, [begin(a2), add_signer(sk), end], signers=[a2, a1])
    assert L.apply(inside).ok
    outside = tx_envelope(L.root, L.root.seq + 1, [begin(L.root), add_signer(signer1), add_signer(signer2), end],
                          signers=[L.root, a1])
    assert L.apply(outside).ok
    acc = a1.entry().data.account
    assert len(acc.signers) == 4
    assert B.num_sponsoring(L.root.entry().data.account) == 2
    assert B.num_sponsoring(a2.entry().data.account) == 1
    alt.sign(L, env)
    r = L.apply(env)
    assert r.code == TC.txSUCCESS
    assert r.op_code(0) == _P.PAYMENT_SUCCESS
    acc = a1.entry().data.account
    assert len(acc.signers) == (3 if alt.auto_remove else 4)
    ids = dict(zip([s.key.to_xdr() for s in acc.signers], acc.ext.v1.ext.v2.signerSponsoringIDs))
    assert ids[ed25519_key(s1).to_xdr()] is None
    assert ids[signer1.to_xdr()] == L.root.id and ids[signer2.to_xdr()] == L.root.id
    if alt.auto_remove:
        assert sk.to_xdr() not in ids
        assert B.num_sponsoring(L.root.entry().data.account) == 2
        assert B.num_sponsoring(a2.entry().data.account) == 0
        assert B.num_sponsored(acc) == 2
    else:
        assert ids[sk.to_xdr()] == a2.id
