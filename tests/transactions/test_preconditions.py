"""Transaction preconditions, as stellar-core v25's tests state them
(TxEnvelopeTests.cpp "txenvelope" / "common transaction" / "time issues",
"extraSigners", "ed25519 payload signer"; HerderTests.cpp "txset with
PreconditionsV2"; BumpSequenceTests.cpp "minSeq conditions fail due to bump
sequence"; PARITY_TRAPS T1, T4, T5).

Our harness validates and applies against the closing ledger's header
(ledgerSeq S, closeTime T), which is what stellar-core's tx-set validation
uses ("validation is done against the next ledger"), so stellar-core's
"lcl + 1" is our S.
"""
import pytest

from stellarcore import xdr
from stellarcore.ledger import balances as B
from tests.transactions.harness import TestLedger, op_payment, sign, tx_envelope
from tests.transactions.txscen import (TC, INT64_MAX, apply_check, check_valid, close_ledger, ed25519_key,
                                       hashx_key, payload_key, preauth_key, sign_hashx, sign_payload,
                                       set_options, signer_count, time_cond, v2_cond, v2_tx, add_sig,
                                       clear_sigs)


@pytest.fixture
def L():
    return TestLedger()


def _world(L):
    a1 = L.root.create("a1", L.min_balance(2))
    return a1


# -- time bounds ----------------------------------------------------------------
# (minTime, maxTime) relative to the closing ledger's closeTime T; None = 0
# (no bound). maxTime is inclusive (too late when maxTime < closeTime),
# minTime too (too early when minTime > closeTime).
TIME_CASES = [
    ("too early", (1000, 10000), TC.txTOO_EARLY),
    ("min equals close time", (0, None), TC.txSUCCESS),
    ("min one past close time", (1, None), TC.txTOO_EARLY),
    ("on time", ("abs1000", 300000), TC.txSUCCESS),
    ("too late", ("abs1000", -1), TC.txTOO_LATE),
    ("max equals close time", ("abs1000", 0), TC.txSUCCESS),
    ("no bounds", (None, None), TC.txSUCCESS),
    ("only max, too late", (None, -1), TC.txTOO_LATE),
]


def _abs(T, v):
    if v is None:
        return 0
    if isinstance(v, str):
        return int(v[3:])
    return T + v


@pytest.mark.parametrize("precond", ["time", "v2"])
@pytest.mark.parametrize("name,bounds,expected", TIME_CASES, ids=[c[0] for c in TIME_CASES])
def test_time_bounds(L, precond, name, bounds, expected):
    a1 = _world(L)
    T = L.header.scpValue.closeTime
    tb = (_abs(T, bounds[0]), _abs(T, bounds[1]))
    cond = time_cond(*tb) if precond == "time" else v2_cond(time_bounds=tb)
    env = tx_envelope(L.root, L.root.seq + 1, [op_payment(a1, 1000)], cond=cond)
    r = apply_check(L, env)
    assert r.code == expected
    if expected == TC.txSUCCESS:
        assert r.result.feeCharged == 100


# TxEnvelopeTests "lower bound offset": minTime against closeTime + offset
LOWER_OFFSET_CASES = [
    ("too early despite offset", 3, 2, TC.txTOO_EARLY),
    ("definitely too early without offset", 3, 0, TC.txTOO_EARLY),
    ("not too early because of offset", 2, 2, TC.txSUCCESS),
    ("would have been too early without offset", 2, 0, TC.txTOO_EARLY),
    ("not too early even without offset", 0, 0, TC.txSUCCESS),
    ("definitely not too early with offset", 0, 2, TC.txSUCCESS),
]


@pytest.mark.parametrize("name,min_delta,offset,expected", LOWER_OFFSET_CASES,
                         ids=[c[0] for c in LOWER_OFFSET_CASES])
def test_lower_bound_close_time_offset(L, name, min_delta, offset, expected):
    a1 = _world(L)
    T = L.header.scpValue.closeTime
    env = tx_envelope(L.root, L.root.seq + 1, [op_payment(a1, 1000)], cond=time_cond(T + min_delta, 0))
    assert check_valid(L, env, lower_offset=offset).result.code == expected


@pytest.mark.parametrize("max_delta,expected", [(0, TC.txSUCCESS), (-1, TC.txTOO_LATE)])
def test_upper_bound_close_time_offset(L, max_delta, expected):
    """TxEnvelopeTests "upper bound offset": maxTime = closeTime + offset is
    still valid, one less is too late."""
    a1 = _world(L)
    T = L.header.scpValue.closeTime
    offset = 7
    env = tx_envelope(L.root, L.root.seq + 1, [op_payment(a1, 1000)],
                      cond=time_cond(1000, T + offset + max_delta))
    assert check_valid(L, env, upper_offset=offset).result.code == expected


# -- ledger bounds -----------------------------------------------------------------
# HerderTests "ledgerBounds": minLedger is inclusive, maxLedger exclusive,
# maxLedger 0 = none; S is the ledger being closed.
LEDGER_CASES = [
    ("minLedger past current", (1, None), TC.txTOO_EARLY),
    ("minLedger current", (0, None), TC.txSUCCESS),
    ("maxLedger current (exclusive)", (None, 0), TC.txTOO_LATE),
    ("maxLedger next", (None, 1), TC.txSUCCESS),
    ("maxLedger below current", (None, -1), TC.txTOO_LATE),
    ("both, inside", (0, 1), TC.txSUCCESS),
    ("zero bounds", (None, None), TC.txSUCCESS),
]


@pytest.mark.parametrize("name,bounds,expected", LEDGER_CASES, ids=[c[0] for c in LEDGER_CASES])
def test_ledger_bounds(L, name, bounds, expected):
    a1 = _world(L)
    S = L.header.ledgerSeq
    lb = (0 if bounds[0] is None else S + bounds[0], 0 if bounds[1] is None else S + bounds[1])
    r = apply_check(L, v2_tx(a1, v2_cond(ledger_bounds=lb)))
    assert r.code == expected


def test_time_checked_before_ledger_bounds_and_fee():
    """commonValidPreSeqNum order: too early (time) before too late (ledger),
    both before the fee check."""
    L = TestLedger()
    a1 = _world(L)
    T, S = L.header.scpValue.closeTime, L.header.ledgerSeq
    env = tx_envelope(a1, a1.seq + 1, [op_payment(a1, 1)], fee=1,
                      cond=v2_cond(time_bounds=(T + 10, 0), ledger_bounds=(0, S)))
    assert check_valid(L, env).result.code == TC.txTOO_EARLY
    env = tx_envelope(a1, a1.seq + 1, [op_payment(a1, 1)], fee=1, cond=v2_cond(ledger_bounds=(0, S)))
    assert check_valid(L, env).result.code == TC.txTOO_LATE
    env = tx_envelope(a1, a1.seq + 1, [op_payment(a1, 1)], fee=1)
    assert check_valid(L, env).result.code == TC.txINSUFFICIENT_FEE


# -- sequence numbers ------------------------------------------------------------------
@pytest.mark.parametrize("seq_delta", [0, 2, -1], ids=["duplicate", "gap", "older"])
def test_bad_seq(L, seq_delta):
    """"duplicate payment" (seq not advanced) and "transaction gap": txBAD_SEQ,
    and the sequence number is untouched (early failure)."""
    a1 = _world(L)
    before = a1.seq
    r = apply_check(L, tx_envelope(a1, before + seq_delta, [op_payment(L.root, 1)]))
    assert r.code == TC.txBAD_SEQ
    assert a1.seq == before
    assert r.result.feeCharged == 100


def test_seq_equal_to_starting_sequence_is_bad(L):
    """isBadSeq: a tx seq equal to ledgerSeq << 32 is always bad (T4)."""
    a1 = _world(L)
    S = L.header.ledgerSeq
    le = a1.entry()
    le.data.account.seqNum = (S << 32) - 1
    L.put(le)
    r = apply_check(L, tx_envelope(a1, S << 32, [op_payment(L.root, 1)]))
    assert r.code == TC.txBAD_SEQ


def test_seq_at_int64_max_is_bad(L):
    a1 = _world(L)
    le = a1.entry()
    le.data.account.seqNum = INT64_MAX
    L.put(le)
    env = tx_envelope(a1, INT64_MAX, [op_payment(L.root, 1)], cond=v2_cond(min_seq_num=0))
    assert apply_check(L, env).code == TC.txBAD_SEQ


# minSeqNum: valid iff minSeqNum <= accSeq < txSeq (T4); deltas against accSeq A
MIN_SEQ_CASES = [
    ("gap allowed", 0, 5, TC.txSUCCESS),
    ("min below account", -3, 5, TC.txSUCCESS),
    ("min zero", None, 100, TC.txSUCCESS),
    ("next seq", 0, 1, TC.txSUCCESS),
    ("account below min", 1, 5, TC.txBAD_SEQ),
    ("tx seq equal to account", 0, 0, TC.txBAD_SEQ),
    ("tx seq below account", -10, -1, TC.txBAD_SEQ),
]


@pytest.mark.parametrize("name,min_delta,tx_delta,expected", MIN_SEQ_CASES, ids=[c[0] for c in MIN_SEQ_CASES])
def test_min_seq_num(L, name, min_delta, tx_delta, expected):
    a1 = _world(L)
    A = a1.seq
    min_seq = 0 if min_delta is None else A + min_delta
    env = tx_envelope(a1, A + tx_delta, [op_payment(L.root, 1)], cond=v2_cond(min_seq_num=min_seq))
    r = apply_check(L, env, check_seq=False)
    assert r.code == expected
    # processSeqNum sets the account's seq to the tx's, not accSeq + 1
    assert a1.seq == (A + tx_delta if expected == TC.txSUCCESS else A)


# -- minSeqAge / minSeqLedgerGap --------------------------------------------------------
def test_min_seq_age_before_v3_extension(L):
    """HerderTests "minSeqAge" before the v3 extension: seqTime counts as 0,
    so minSeqAge == closeTime is the largest valid age."""
    a1 = _world(L)
    assert not B.has_account_ext_v3(a1.entry().data.account)
    T = L.header.scpValue.closeTime
    assert check_valid(L, v2_tx(a1, v2_cond(min_seq_age=T + 1))).result.code == TC.txBAD_MIN_SEQ_AGE_OR_GAP
    assert check_valid(L, v2_tx(a1, v2_cond(min_seq_age=T))).result.code == TC.txSUCCESS
    S = L.header.ledgerSeq
    assert check_valid(L, v2_tx(a1, v2_cond(min_seq_ledger_gap=S + 1))).result.code == \
        TC.txBAD_MIN_SEQ_AGE_OR_GAP
    assert check_valid(L, v2_tx(a1, v2_cond(min_seq_ledger_gap=S))).result.code == TC.txSUCCESS


@pytest.mark.parametrize("kind", ["age", "gap"])
def test_min_seq_age_and_gap_after_v3_extension(L, kind):
    """After a tx stamped seqTime/seqLedger, the age/gap are measured from
    them; the failing tx still consumes its sequence number."""
    a1 = _world(L)
    r = a1.pay(L.root, 1)  # stamps seqLedger/seqTime (T5)
    assert r.ok
    v3 = a1.entry().data.account.ext.v1.ext.v2.ext.v3
    T, S = L.header.scpValue.closeTime, L.header.ledgerSeq
    age, gap = T - v3.seqTime, S - v3.seqLedger
    assert age > 0 and gap > 0
    ok = v2_cond(min_seq_age=age) if kind == "age" else v2_cond(min_seq_ledger_gap=gap)
    bad = v2_cond(min_seq_age=age + 1) if kind == "age" else v2_cond(min_seq_ledger_gap=gap + 1)
    assert check_valid(L, v2_tx(a1, ok)).result.code == TC.txSUCCESS
    before = a1.seq
    r = apply_check(L, v2_tx(a1, bad))
    assert r.code == TC.txBAD_MIN_SEQ_AGE_OR_GAP
    assert a1.seq == before + 1
    assert r.result.feeCharged == 100


@pytest.mark.parametrize("cond", [v2_cond(min_seq_ledger_gap=1), v2_cond(min_seq_age=1)],
                         ids=["minSeqLedgerGap", "minSeqAge"])
def test_min_seq_conditions_fail_after_seq_bump_in_same_ledger(L, cond):
    """BumpSequenceTests "minSeq conditions fail due to bump sequence": tx1
    bumps a's sequence in the same ledger, tx2 with a 1-ledger/1-second
    minimum then fails with txBAD_MIN_SEQ_AGE_OR_GAP and still consumes its
    sequence number."""
    a = _world(L)
    L.close_ledger()
    pre = a.seq
    tx1 = tx_envelope(a, pre + 1, [op_payment(L.root, 1)])
    tx2 = v2_tx(a, cond, seq_delta=2)
    r1, r2 = close_ledger(L, [tx1, tx2])
    assert r1.code == TC.txSUCCESS
    assert r2.code == TC.txBAD_MIN_SEQ_AGE_OR_GAP
    assert a.seq - 2 == pre


def test_seq_bump_materializes_account_extensions(L):
    """T5: processSeqNum stamps seqLedger/seqTime through extension v3,
    creating v1 (zero liabilities) and v2 (signerSponsoringIDs sized to the
    signers, counts 0) on an account that had none (TxTests applyTx check)."""
    a1 = L.root.create("a1", L.min_balance(4))
    s1 = L.account("S1").secret
    set_options(a1, signers=[(ed25519_key(s1), 1), (hashx_key(b"x"), 1)])
    assert a1.entry().data.account.ext.v == 0
    S, T = L.header.ledgerSeq, L.header.scpValue.closeTime
    r = a1.pay(L.root, 1)
    assert r.ok
    acc = a1.entry().data.account
    v1 = acc.ext.v1
    assert (v1.liabilities.buying, v1.liabilities.selling) == (0, 0)
    v2 = v1.ext.v2
    assert (v2.numSponsored, v2.numSponsoring) == (0, 0)
    assert list(v2.signerSponsoringIDs) == [None, None]
    assert (v2.ext.v3.seqLedger, v2.ext.v3.seqTime) == (S, T)


@pytest.mark.parametrize("failure", ["bad auth", "op failure", "min seq age"])
def test_seq_bumped_even_when_tx_fails(L, failure):
    """commonPreApply: once past the sequence check the sequence number is
    bumped whatever happens next (T1)."""
    a1 = _world(L)
    before = a1.seq
    if failure == "bad auth":
        env = tx_envelope(a1, before + 1, [op_payment(L.root, 1)], signers=[L.root])
        expected = TC.txBAD_AUTH
    elif failure == "op failure":
        env = tx_envelope(a1, before + 1, [op_payment(L.root, 10 ** 15)])
        expected = TC.txFAILED
    else:
        env = v2_tx(a1, v2_cond(min_seq_age=L.header.scpValue.closeTime + 1))
        expected = TC.txBAD_MIN_SEQ_AGE_OR_GAP
    r = apply_check(L, env)
    assert r.code == expected
    assert a1.seq == before + 1


# -- extra signers ----------------------------------------------------------------------
def test_extra_signers_one_ed25519(L):
    a1 = _world(L)
    cond = v2_cond(extra_signers=[ed25519_key(L.root)])
    assert apply_check(L, v2_tx(a1, cond)).code == TC.txBAD_AUTH
    assert apply_check(L, v2_tx(a1, cond, signers=[a1, L.root])).code == TC.txSUCCESS


def test_extra_signers_one_hashx(L):
    a1 = _world(L)
    cond = v2_cond(extra_signers=[hashx_key(b"hashx")])
    assert apply_check(L, v2_tx(a1, cond)).code == TC.txBAD_AUTH
    assert apply_check(L, add_sig(v2_tx(a1, cond), sign_hashx(b"hashx"))).code == TC.txSUCCESS


def test_extra_signers_two(L):
    a1 = _world(L)
    cond = v2_cond(extra_signers=[ed25519_key(L.root), hashx_key(b"hashx")])
    assert apply_check(L, v2_tx(a1, cond, signers=[a1, L.root])).code == TC.txBAD_AUTH
    env = add_sig(v2_tx(a1, cond, signers=[a1, L.root]), sign_hashx(b"hashx"))
    assert apply_check(L, env).code == TC.txSUCCESS


@pytest.mark.parametrize("kind", ["ed25519", "hashx"])
def test_duplicate_extra_signers_malformed(L, kind):
    a1 = _world(L)
    key = ed25519_key(L.root) if kind == "ed25519" else hashx_key(b"hashx")
    env = v2_tx(a1, v2_cond(extra_signers=[key, key]), signers=[a1] + ([L.root] if kind == "ed25519" else []))
    if kind == "hashx":
        add_sig(env, sign_hashx(b"hashx"))
    before = a1.seq
    r = apply_check(L, env)
    assert r.code == TC.txMALFORMED
    assert a1.seq == before


def test_extra_signer_overlaps_default_account_signer(L):
    """The root's one signature serves both its master key and the extra signer."""
    cond = v2_cond(extra_signers=[ed25519_key(L.root)])
    assert apply_check(L, v2_tx(L.root, cond)).code == TC.txSUCCESS


def test_extra_signer_overlaps_added_account_signer(L):
    a1 = _world(L)
    set_options(a1, signers=[(ed25519_key(L.root), 100)])
    cond = v2_cond(extra_signers=[ed25519_key(L.root)])
    assert apply_check(L, v2_tx(a1, cond)).code == TC.txBAD_AUTH
    assert apply_check(L, v2_tx(a1, cond, signers=[a1, L.root])).code == TC.txSUCCESS
    # both signers used: root's signature also signs root's operation
    env = tx_envelope(a1, a1.seq + 1, [op_payment(a1, 1, source=L.root)], cond=cond, signers=[a1, L.root])
    assert apply_check(L, env).code == TC.txSUCCESS


def test_preauth_extra_signer_cannot_match(L):
    """A pre-auth extra signer can never match its own tx: txBAD_AUTH."""
    a1 = _world(L)
    other = tx_envelope(L.root, L.root.seq + 1, [op_payment(a1, 1)])
    env = v2_tx(a1, v2_cond(extra_signers=[preauth_key(other)]))
    assert apply_check(L, env).code == TC.txBAD_AUTH


def test_payload_extra_signer(L):
    a1 = _world(L)
    key = payload_key(L.root, b"aaa")
    cond = v2_cond(extra_signers=[key])
    assert apply_check(L, v2_tx(a1, cond)).code == TC.txBAD_AUTH
    env = add_sig(v2_tx(a1, cond), sign_payload(L.root.secret, b"aaa"))
    assert apply_check(L, env).code == TC.txSUCCESS


def test_empty_payload_extra_signer_malformed(L):
    a1 = _world(L)
    key = payload_key(L.root, b"")
    env = add_sig(v2_tx(a1, v2_cond(extra_signers=[key])), sign_payload(L.root.secret, b""))
    assert apply_check(L, env).code == TC.txMALFORMED


def test_malformed_extra_signers_before_missing_operation(L):
    """commonValidPreSeqNum: the extraSigners checks come before the
    zero-operation check."""
    a1 = _world(L)
    key = ed25519_key(L.root)
    env = tx_envelope(a1, a1.seq + 1, [], fee=100, cond=v2_cond(extra_signers=[key, key]))
    assert check_valid(L, env).result.code == TC.txMALFORMED


# -- ed25519 signed payload signers on the account ("ed25519 payload signer") ------------------
@pytest.mark.parametrize("payload", [b"a12", b"a123", b"a1234"], ids=["3 bytes", "4 bytes", "5 bytes"])
def test_payload_signer_on_account(L, payload):
    a1 = L.root.create("a1", 10 * L.header.baseReserve)
    set_options(a1, signers=[(payload_key(L.root, payload), 1)])
    env = clear_sigs(a1.tx([op_payment(L.root, 100)]))
    add_sig(env, sign_payload(L.root.secret, payload))
    r = apply_check(L, env)
    assert r.code == TC.txSUCCESS
    assert r.op_code(0) == xdr.PaymentResultCode.PAYMENT_SUCCESS
    assert signer_count(a1) == 1


def test_payload_signer_payload_is_other_tx(L):
    """"payload is tx": the payload is tx2's contents hash, so the same
    signature, re-hinted, also signs tx2 as root's ed25519 signature."""
    a1 = L.root.create("a1", 10 * L.header.baseReserve)
    tx2 = clear_sigs(tx_envelope(L.root, L.root.seq + 1, [op_payment(a1, 10)]))
    from stellarcore.crypto import txhash
    from tests.transactions.harness import NETWORK_ID
    payload = txhash.contents_hash(tx2, NETWORK_ID)
    set_options(a1, signers=[(payload_key(L.root, payload), 1)])
    sig = sign_payload(L.root.secret, payload)
    tx = add_sig(clear_sigs(a1.tx([op_payment(L.root, 100)])), sig)
    assert apply_check(L, tx).code == TC.txSUCCESS
    add_sig(tx2, xdr.DecoratedSignature(hint=L.root.secret.public_key.ed25519[-4:], signature=sig.signature))
    r = apply_check(L, tx2)
    assert r.code == TC.txSUCCESS
    assert r.op_code(0) == xdr.PaymentResultCode.PAYMENT_SUCCESS


def test_payload_signer_with_zeroed_ed25519(L):
    """A signature whose hint matches a zero-key payload signer does not
    verify; low threshold 255 forces every signer to be tried: txBAD_AUTH."""
    a1 = L.root.create("a1", 10 * L.header.baseReserve)
    zero = xdr.SignerKey(xdr.SignerKeyType.SIGNER_KEY_TYPE_ED25519_SIGNED_PAYLOAD,
                         xdr.SignerKeyEd25519SignedPayload(ed25519=b"\0" * 32, payload=b"aaa"))
    set_options(a1, low=255, signers=[(zero, 1)])
    env = clear_sigs(a1.tx([op_payment(L.root, 100)]))
    add_sig(env, sign_payload(L.root.secret, b"aaa", ed25519=b"\0" * 32))
    sign(env, a1)
    assert apply_check(L, env).code == TC.txBAD_AUTH
