"""SetOptions against stellar-core v25's SetOptionsTests.cpp (protocol 23+
branches of every section), plus the doApply/doCheckValid rules that
test file leaves to others (clawback needs revocable, inflation
destination, threshold level).

Expected values are stellar-core's: result codes, numSubEntries, signer
order (sorted by SignerKey, xdrpp operator<), signerSponsoringIDs, and the
reserve arithmetic (minBalance(n) = (2 + n) * baseReserve, fee 100 per op).
"""
from __future__ import annotations

import random

import pytest

from stellarcore import xdr
from tests.transactions import harness
from tests.transactions.harness import credit, native
from tests.transactions.test_sponsorship import (TOO_MANY_SPONSORING_SETUPS, TOO_MANY_SUBENTRIES_SETUPS, TXFEE,
                                                 apply_ops, check_sponsorship,
                                                 create_modify_and_remove_sponsored_entry, make_signer, op_begin,
                                                 op_end, op_set_options, setup_offer,
                                                 sponsored_entry_insufficient_balance, too_many_sponsoring,
                                                 too_many_subentries)
from tests.transactions.txscen import payload_key, set_options

TC = xdr.TransactionResultCode
OC = xdr.OperationResultCode
SO = xdr.SetOptionsResultCode
AF = xdr.AccountFlags
SK = xdr.SignerKeyType


@pytest.fixture
def L():
    return harness.TestLedger()


def th():
    """setMasterWeight(100) | setLowThreshold(1) | setMedThreshold(10) | setHighThreshold(100)."""
    return dict(masterWeight=100, lowThreshold=1, medThreshold=10, highThreshold=100)


def signers_of(acc):
    return list(acc.entry().data.account.signers)


# -- doCheckValid ----------------------------------------------------------------
def _check_valid_cases(a1):
    payload_empty = xdr.SignerKey(SK.SIGNER_KEY_TYPE_ED25519_SIGNED_PAYLOAD, xdr.SignerKeyEd25519SignedPayload(
        ed25519=a1.id.ed25519, payload=b""))
    return [
        ("bad weight for master key", dict(masterWeight=256), SO.SET_OPTIONS_THRESHOLD_OUT_OF_RANGE),
        ("bad low threshold", dict(lowThreshold=256), SO.SET_OPTIONS_THRESHOLD_OUT_OF_RANGE),
        ("bad med threshold", dict(medThreshold=256), SO.SET_OPTIONS_THRESHOLD_OUT_OF_RANGE),
        ("bad high threshold", dict(highThreshold=256), SO.SET_OPTIONS_THRESHOLD_OUT_OF_RANGE),
        ("can't use master key as alternate signer", dict(signer=make_signer(a1, 100)),
         SO.SET_OPTIONS_BAD_SIGNER),
        ("invalid signer weight", dict(signer=make_signer(a1.ledger.account("S1"), 256)),
         SO.SET_OPTIONS_BAD_SIGNER),
        ("empty signed payload", dict(signer=xdr.Signer(key=payload_empty, weight=1)), SO.SET_OPTIONS_BAD_SIGNER),
        ("can't set and clear same flag", dict(setFlags=AF.AUTH_REQUIRED_FLAG, clearFlags=AF.AUTH_REQUIRED_FLAG),
         SO.SET_OPTIONS_BAD_FLAGS),
        ("unknown set flag", dict(setFlags=16), SO.SET_OPTIONS_UNKNOWN_FLAG),
        ("unknown clear flag", dict(clearFlags=32), SO.SET_OPTIONS_UNKNOWN_FLAG),
        ("home domain \\r", dict(homeDomain=b"abc\r"), SO.SET_OPTIONS_INVALID_HOME_DOMAIN),
        ("home domain \\x7f", dict(homeDomain=b"abc\x7f"), SO.SET_OPTIONS_INVALID_HOME_DOMAIN),
        ("home domain \\0", dict(homeDomain=b"ab\0c"), SO.SET_OPTIONS_INVALID_HOME_DOMAIN),
    ]


def test_check_valid_failures(L):
    from tests.transactions.txscen import check_valid
    a1 = L.root.create("A", L.min_balance(0) + 100 * TXFEE)
    for name, kw, code in _check_valid_cases(a1):
        env = a1.tx([op_set_options(**kw)])
        res = check_valid(L, env)
        assert res.result.code == TC.txFAILED, name
        assert res.result.results[0].tr.xdr_value().code == code, name
        r = L.apply(env)
        assert (r.code, r.op_code(0)) == (TC.txFAILED, code), name


# -- Signers ---------------------------------------------------------------------------
def test_insufficient_balance(L):
    a1 = L.root.create("A", L.min_balance(0) + 1000)
    r = a1.apply([op_set_options(signer=make_signer(L.account("S1"), 1), **th())])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, SO.SET_OPTIONS_LOW_RESERVE)


def test_add_signer_with_native_selling_liabilities(L):
    """A native selling offer of 500 holds 500 back from the reserve check."""
    root = L.root
    acc1 = root.create("acc1", L.min_balance(2) + TXFEE + 500 - 1)
    setup_offer(acc1, native(), credit("CUR1", acc1), 500)
    sk1 = make_signer(L.account("S1"), 1)
    r = acc1.apply([op_set_options(signer=sk1, **th())])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, SO.SET_OPTIONS_LOW_RESERVE)
    assert root.pay(acc1, TXFEE + 1).ok
    assert acc1.apply([op_set_options(signer=sk1, **th())]).ok
    assert acc1.num_sub_entries == 2


def test_add_signer_with_native_buying_liabilities(L):
    """Buying liabilities do not count against the reserve."""
    root = L.root
    acc1 = root.create("acc1", L.min_balance(2) + TXFEE + 500 - 1)
    setup_offer(acc1, credit("CUR1", acc1), native(), 500)
    assert acc1.apply([op_set_options(signer=make_signer(L.account("S1"), 1), **th())]).ok


def test_non_account_signers(L):
    root = L.root
    a1 = root.create("A", L.min_balance(0) + 1000)
    assert root.pay(a1, L.min_balance(2)).ok

    def count(expected):
        ae = a1.entry().data.account
        assert ae.numSubEntries == expected
        assert len(ae.signers) == expected

    def first_signer(sk):
        s = signers_of(a1)[0]
        assert (s.key, s.weight) == (sk.key, sk.weight)

    sk1 = make_signer(L.account("S1"), 1)
    assert a1.apply([op_set_options(signer=sk1, **th())]).ok
    count(1)
    first_signer(sk1)
    sk2 = make_signer(L.account("S2"), 100)
    assert a1.apply([op_set_options(signer=sk2)]).ok
    count(2)
    sk3 = xdr.Signer(key=xdr.SignerKey(SK.SIGNER_KEY_TYPE_PRE_AUTH_TX, b"\0" * 32), weight=100)
    assert a1.apply([op_set_options(signer=sk3)]).ok
    count(3)
    # update signer 2, then signer 1
    sk2.weight = 11
    assert a1.apply([op_set_options(signer=sk2)]).ok
    sk1.weight = 11
    assert a1.apply([op_set_options(signer=sk1)]).ok
    count(3)
    # remove signer 1
    sk1.weight = 0
    assert a1.apply([op_set_options(signer=sk1)]).ok
    count(2)
    first_signer(sk2)
    # remove signer 3 (non account), then signer 2
    sk3.weight = 0
    assert a1.apply([op_set_options(signer=sk3)]).ok
    count(1)
    sk2.weight = 0
    assert a1.apply([op_set_options(signer=sk2)]).ok
    count(0)


def test_too_many_signers(L):
    root = L.root
    for i in range(xdr.MAX_SIGNERS + 1):
        signer = make_signer(L.account("signer%d" % i), 1)
        r = root.apply([op_set_options(signer=signer)])
        if i < xdr.MAX_SIGNERS:
            assert r.ok
        else:
            assert (r.code, r.op_code(0)) == (TC.txFAILED, SO.SET_OPTIONS_TOO_MANY_SIGNERS)
    assert root.num_sub_entries == xdr.MAX_SIGNERS


def test_sponsorship_insufficient_balance(L):
    acc1 = L.root.create("a1", L.min_balance(1) - 1)
    acc2 = L.root.create("a2", L.min_balance(0))
    sponsored_entry_insufficient_balance(L, acc1, acc2, op_set_options(signer=make_signer(L.account("S1"), 1)),
                                         SO.SET_OPTIONS_LOW_RESERVE)


def test_sponsorship_create_modify_remove(L):
    acc2 = L.root.create("a2", L.min_balance(0))
    s1 = L.account("S1")
    create_modify_and_remove_sponsored_entry(
        L, acc2, op_set_options(signer=make_signer(s1, 1)), op_set_options(signer=make_signer(s1, 2)),
        op_set_options(signer=make_signer(s1, 1)), op_set_options(signer=make_signer(s1, 0)),
        signer=make_signer(s1, 1).key)


@pytest.mark.parametrize("setup", TOO_MANY_SPONSORING_SETUPS, ids=lambda s: s[0])
def test_too_many_sponsoring(L, setup):
    a1 = L.root.create("A", L.min_balance(0) + 1000)
    s1, s2 = make_signer(L.account("S1"), 1), make_signer(L.account("S2"), 1)
    too_many_sponsoring(L, a1, a1, op_set_options(source=a1, signer=s1), op_set_options(source=a1, signer=s2),
                        1, setup[1], setup[2])


@pytest.mark.parametrize("setup", TOO_MANY_SUBENTRIES_SETUPS, ids=lambda s: s[0])
def test_too_many_subentries(L, setup):
    a1 = L.root.create("A", L.min_balance(0) + 1000)
    s1, s2 = make_signer(L.account("S1"), 1), make_signer(L.account("S2"), 1)
    too_many_subentries(L, a1, op_set_options(signer=s1), op_set_options(signer=s2), 1, setup[1], setup[2])


def test_delete_signer_that_does_not_exist_with_sponsorships(L):
    root = L.root
    s1, s2, s3 = L.account("S1"), L.account("S2"), L.account("S3")
    acc1 = root.create("a1", L.min_balance(1))
    r = apply_ops(L, root, [op_begin(acc1), op_set_options(source=acc1, signer=make_signer(s1, 1)),
                            op_end(source=acc1), op_set_options(source=acc1, signer=make_signer(s2, 1))],
                  keys=[acc1])
    assert r.ok, r.result
    check_sponsorship(L, acc1, 0, None, 2, 2, 0, 1)
    ae = acc1.entry().data.account
    ids = ae.ext.v1.ext.v2.signerSponsoringIDs
    assert len(ae.signers) == 2 and len(ids) == 2
    k1, k2 = make_signer(s1, 1), make_signer(s2, 1)
    if k1.key < k2.key:
        assert list(ae.signers) == [k1, k2]
        assert list(ids) == [root.id, None]
    else:
        assert list(ae.signers) == [k2, k1]
        assert list(ids) == [None, root.id]
    ext_v2 = ae.ext.v1.ext.v2.copy()
    r = apply_ops(L, root, [op_set_options(source=acc1, signer=make_signer(s3, 0))], keys=[acc1])
    assert r.ok
    check_sponsorship(L, acc1, 0, None, 2, 2, 0, 1)
    assert acc1.entry().data.account.ext.v1.ext.v2 == ext_v2


def test_add_and_remove_many_signers_some_with_sponsorships(L):
    """Signers stay sorted by key with signerSponsoringIDs alongside, through
    random adds (half of them sponsored) and removes (seeded, like
    stellar-core's Catch::rng run)."""
    root = L.root
    rng = random.Random(14)
    signers = []  # (Signer, sponsor TestAccount or None)

    def check():
        want = sorted(signers, key=lambda s: s[0].key.to_xdr())  # one key type: byte order == xdrpp order
        ae = root.entry().data.account
        assert len(ae.signers) == len(want)
        assert ae.numSubEntries == len(want)
        if ae.ext.v == 1 and ae.ext.v1.ext.v == 2:
            ids = ae.ext.v1.ext.v2.signerSponsoringIDs
            assert len(ids) == len(want)
            for s, sid, (w, sponsor) in zip(ae.signers, ids, want):
                assert s == w
                assert sid == (None if sponsor is None else sponsor.id)
        else:
            assert all(sponsor is None for _, sponsor in want)

    counter = [0]

    def add():
        counter[0] += 1
        signer = make_signer(L.account("many%d" % counter[0]), 1)
        ops = [op_set_options(signer=signer)]
        keys = []
        if rng.randrange(2):
            sponsor = root.create("sponsor%d" % counter[0], L.min_balance(1))
            keys.append(sponsor)
            signers.append((signer, sponsor))
            ops = [op_begin(root, source=sponsor)] + ops + [op_end()]
        else:
            signers.append((signer, None))
        r = apply_ops(L, root, ops, keys=keys)
        assert r.ok, r.result
        check()

    def remove():
        signer = signers.pop()[0].copy()
        signer.weight = 0
        assert root.apply([op_set_options(signer=signer)]).ok
        check()

    while len(signers) < xdr.MAX_SIGNERS:
        if rng.randrange(3):
            add()
        elif signers:
            remove()
    while signers:
        if rng.randrange(3):
            remove()
        elif len(signers) < xdr.MAX_SIGNERS:
            add()


def test_ed25519_payload_signer(L):
    root = L.root
    a1 = root.create("A", L.min_balance(0) + 1000)
    sk = xdr.Signer(key=payload_key(a1, b"s"), weight=1)
    assert root.apply([op_set_options(signer=sk)]).ok
    assert root.num_sub_entries == 1
    sk.weight = 0
    assert root.apply([op_set_options(signer=sk)]).ok
    assert root.num_sub_entries == 0
    r = root.apply([op_set_options(signer=xdr.Signer(key=payload_key(a1, b""), weight=1))])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, SO.SET_OPTIONS_BAD_SIGNER)


def test_signer_order_across_key_types(L):
    """Signers sort by SignerKey's xdrpp operator<: the type first, then the
    key; payloads compare lexicographically ("ab" before "b"), not length
    first as their XDR bytes would (PARITY_TRAPS X1)."""
    root = L.root
    a = L.account("X")
    keys = [
        payload_key(a, b"b"),
        xdr.SignerKey(SK.SIGNER_KEY_TYPE_HASH_X, b"\x01" * 32),
        payload_key(a, b"ab"),
        xdr.SignerKey(SK.SIGNER_KEY_TYPE_PRE_AUTH_TX, b"\x02" * 32),
        xdr.SignerKey(SK.SIGNER_KEY_TYPE_ED25519, b"\xff" * 32),
        xdr.SignerKey(SK.SIGNER_KEY_TYPE_ED25519, b"\x00" * 32),
    ]
    for k in keys:
        assert root.apply([op_set_options(signer=xdr.Signer(key=k, weight=1))]).ok
    got = [s.key for s in signers_of(root)]
    assert got == [keys[5], keys[4], keys[3], keys[1], keys[2], keys[0]]


# -- flags ------------------------------------------------------------------------------
def test_auth_flags(L):
    a1 = L.root.create("A", L.min_balance(0) + 1000)
    for kw in (dict(setFlags=AF.AUTH_REQUIRED_FLAG), dict(setFlags=AF.AUTH_REVOCABLE_FLAG),
               dict(clearFlags=AF.AUTH_REVOCABLE_FLAG), dict(setFlags=AF.AUTH_IMMUTABLE_FLAG)):
        assert a1.apply([op_set_options(**kw)]).ok
    assert a1.entry().data.account.flags == AF.AUTH_REQUIRED_FLAG | AF.AUTH_IMMUTABLE_FLAG
    # at this point trying to change any flag should fail
    for kw in (dict(clearFlags=AF.AUTH_IMMUTABLE_FLAG), dict(clearFlags=AF.AUTH_REQUIRED_FLAG),
               dict(setFlags=AF.AUTH_REVOCABLE_FLAG)):
        r = a1.apply([op_set_options(**kw)])
        assert (r.code, r.op_code(0)) == (TC.txFAILED, SO.SET_OPTIONS_CANT_CHANGE)


CLAWBACK_CASES = [
    # (flags before, op kwargs, expected code, flags after) - accountFlagClawbackIsValid
    (0, dict(setFlags=AF.AUTH_CLAWBACK_ENABLED_FLAG), SO.SET_OPTIONS_AUTH_REVOCABLE_REQUIRED, 0),
    (0, dict(setFlags=AF.AUTH_CLAWBACK_ENABLED_FLAG | AF.AUTH_REVOCABLE_FLAG), SO.SET_OPTIONS_SUCCESS,
     AF.AUTH_CLAWBACK_ENABLED_FLAG | AF.AUTH_REVOCABLE_FLAG),
    (AF.AUTH_REVOCABLE_FLAG, dict(setFlags=AF.AUTH_CLAWBACK_ENABLED_FLAG), SO.SET_OPTIONS_SUCCESS,
     AF.AUTH_CLAWBACK_ENABLED_FLAG | AF.AUTH_REVOCABLE_FLAG),
    (AF.AUTH_CLAWBACK_ENABLED_FLAG | AF.AUTH_REVOCABLE_FLAG, dict(clearFlags=AF.AUTH_REVOCABLE_FLAG),
     SO.SET_OPTIONS_AUTH_REVOCABLE_REQUIRED, AF.AUTH_CLAWBACK_ENABLED_FLAG | AF.AUTH_REVOCABLE_FLAG),
    (AF.AUTH_CLAWBACK_ENABLED_FLAG | AF.AUTH_REVOCABLE_FLAG,
     dict(clearFlags=AF.AUTH_REVOCABLE_FLAG | AF.AUTH_CLAWBACK_ENABLED_FLAG), SO.SET_OPTIONS_SUCCESS, 0),
    # immutable blocks the clawback flag too (it is one of the auth flags)
    (AF.AUTH_IMMUTABLE_FLAG | AF.AUTH_REVOCABLE_FLAG, dict(setFlags=AF.AUTH_CLAWBACK_ENABLED_FLAG),
     SO.SET_OPTIONS_CANT_CHANGE, AF.AUTH_IMMUTABLE_FLAG | AF.AUTH_REVOCABLE_FLAG),
]


@pytest.mark.parametrize("before,kw,code,after", CLAWBACK_CASES)
def test_clawback_flag_rules(L, before, kw, code, after):
    a1 = L.root.create("A", L.min_balance(0) + 1000)
    le = a1.entry()
    le.data.account.flags = before
    L.put(le)
    r = a1.apply([op_set_options(**kw)])
    assert r.op_code(0) == code
    assert a1.entry().data.account.flags == after


# -- inflation destination, home domain, thresholds ------------------------------------
def test_inflation_destination(L):
    root = L.root
    a1 = root.create("A", L.min_balance(0) + 1000)
    missing = L.account("missing")
    r = a1.apply([op_set_options(inflationDest=missing.id)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, SO.SET_OPTIONS_INVALID_INFLATION)
    assert a1.apply([op_set_options(inflationDest=a1.id)]).ok
    assert a1.entry().data.account.inflationDest == a1.id
    r = a1.apply([op_set_options(inflationDest=root.id)])
    assert r.ok
    assert a1.entry().data.account.inflationDest == root.id
    # the destination is read with loadAccountWithoutRecord: not in the meta
    touched = [c.xdr_value() for c in r.meta.v4.operations[0].changes]
    assert all(getattr(c, "data", None) is None or c.data.account.accountID != root.id for c in touched)


def test_home_domain_and_thresholds(L):
    a1 = L.root.create("A", L.min_balance(0) + 1000)
    assert a1.apply([op_set_options(homeDomain=b"stellar.org", masterWeight=7, lowThreshold=1,
                                    medThreshold=2, highThreshold=3)]).ok
    ae = a1.entry().data.account
    assert ae.homeDomain == b"stellar.org"
    assert ae.thresholds == bytes([7, 1, 2, 3])


THRESHOLD_LEVEL_CASES = [
    # (op kwargs, needs HIGH) - getThresholdLevel: any threshold or signer field present
    (dict(homeDomain=b"x"), False),
    (dict(setFlags=AF.AUTH_REQUIRED_FLAG), False),
    (dict(inflationDest=None, clearFlags=0), False),
    (dict(masterWeight=1), True),
    (dict(lowThreshold=0), True),
    (dict(medThreshold=0), True),
    (dict(highThreshold=2), True),
    (dict(signer=None), False),
]


@pytest.mark.parametrize("kw,high", THRESHOLD_LEVEL_CASES)
def test_threshold_level(L, kw, high):
    """With medium threshold 1 and high threshold 2 the master key (weight 1)
    passes MEDIUM but not HIGH."""
    a1 = L.root.create("A", L.min_balance(0) + 1000)
    set_options(a1, master=1, low=0, med=1, high=2)
    r = a1.apply([op_set_options(**kw)])
    if high:
        assert (r.code, r.op_code(0)) == (TC.txFAILED, OC.opBAD_AUTH)
    else:
        assert r.ok


def test_signer_needs_high_threshold(L):
    a1 = L.root.create("A", L.min_balance(1) + 1000)
    set_options(a1, master=1, low=0, med=1, high=2)
    r = a1.apply([op_set_options(signer=make_signer(L.account("S1"), 1))])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, OC.opBAD_AUTH)


def test_remove_missing_signer_is_success(L):
    """Removing a signer the account does not have succeeds and changes
    nothing but the account's record."""
    a1 = L.root.create("A", L.min_balance(0) + 1000)
    r = a1.apply([op_set_options(signer=make_signer(L.account("S1"), 0))])
    assert r.ok
    assert a1.num_sub_entries == 0


def test_update_sponsored_signer_weight_keeps_sponsor(L):
    root = L.root
    a1 = root.create("A", L.min_balance(0))
    s1 = L.account("S1")
    r = apply_ops(L, root, [op_begin(a1), op_set_options(source=a1, signer=make_signer(s1, 1)),
                            op_end(source=a1)], keys=[a1])
    assert r.ok
    r = apply_ops(L, root, [op_set_options(source=a1, signer=make_signer(s1, 5))], keys=[a1])
    assert r.ok
    ae = a1.entry().data.account
    assert ae.signers[0].weight == 5
    assert ae.ext.v1.ext.v2.signerSponsoringIDs == [root.id]
    check_sponsorship(L, a1, 0, None, 1, 2, 0, 1)

