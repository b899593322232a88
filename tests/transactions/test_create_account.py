"""CreateAccount, as stellar-core v25's CreateAccountTests.cpp ("create
account") states it, plus the rules of CreateAccountOpFrame.cpp the tests
rely on: LOW_RESERVE is decided (by createEntryWithPossibleSponsorship)
before UNDERFUNDED (PARITY_TRAPS T6), a new account starts at sequence
ledgerSeq << 32, and success emits a native "transfer" event.

Native liabilities (which stellar-core's tests set up with an offer) are
written straight into the account entry; the invariants are off for those
scenarios because no offer backs the liabilities.
"""
import pytest

from stellarcore import xdr
from stellarcore.crypto.keys import SecretKey
from stellarcore.transactions import events as E
from tests.transactions.harness import (NETWORK_ID, TestAccount, TestLedger, make_op, muxed, native,
                                        op_create_account,
                                        tx_envelope)
from tests.transactions.txscen import (OC, TC, apply_check, check_valid, require_op, set_account_liabilities,
                                       set_balance)

_C = xdr.CreateAccountResultCode
_OT = xdr.OperationType
_CT = xdr.LedgerEntryChangeType
FEE = 100


@pytest.fixture
def L():
    return TestLedger()


def create(L, source, dest, amount):
    """source.create(dest, amount) through applyCheck; returns (result, op code)."""
    r = apply_check(L, source.tx([op_create_account(dest, amount)]))
    return r, (r.op_code(0) if r.op_results else None)


def min_balance2(L):
    """CreateAccountTests: getLastMinBalance(2) + 10 * txfee."""
    return L.min_balance(2) + 10 * FEE


@pytest.mark.parametrize("amount,valid", [(-1, False), (0, True)])
def test_malformed_starting_balance(L, amount, valid):
    key = SecretKey.for_test_account("random")
    env = L.root.tx([op_create_account(key, amount, source=L.root)])
    r = check_valid(L, env)
    assert (r.result.code == TC.txSUCCESS) == valid
    if not valid:
        assert r.result.code == TC.txFAILED
        assert r.result.results[0].tr.createAccountResult.code == _C.CREATE_ACCOUNT_MALFORMED


@pytest.mark.parametrize("amount", [-1, 10 ** 9])
def test_malformed_destination_is_source(L, amount):
    env = L.root.tx([op_create_account(L.root, amount, source=L.root)])
    r = check_valid(L, env)
    assert r.result.code == TC.txFAILED
    assert r.result.results[0].tr.createAccountResult.code == _C.CREATE_ACCOUNT_MALFORMED


def test_success_then_already_exists(L):
    S = L.header.ledgerSeq
    b = L.account("B")
    r, code = create(L, L.root, b, L.min_balance(0))
    assert code == _C.CREATE_ACCOUNT_SUCCESS
    e = b.entry().data.account
    # getStartingSequenceNumber: ledgerSeq << 32; master weight 1, nothing else
    assert e.seqNum == S << 32
    assert e.balance == L.min_balance(0)
    assert (e.thresholds, e.numSubEntries, e.flags, list(e.signers), e.ext.v) == (b"\x01\0\0\0", 0, 0, [], 0)
    r, code = create(L, L.root, b, L.min_balance(0))
    assert r.code == TC.txFAILED
    assert code == _C.CREATE_ACCOUNT_ALREADY_EXIST


def test_not_enough_funds_source(L):
    gateway_payment = min_balance2(L) + 1
    gateway = L.root.create("gate", gateway_payment)
    before = gateway.balance
    r, code = create(L, gateway, L.account("B"), gateway_payment)
    assert code == _C.CREATE_ACCOUNT_UNDERFUNDED
    assert gateway.balance == before - FEE
    assert not L.account("B").exists()


def test_amount_too_small(L):
    r, code = create(L, L.root, L.account("B"), L.min_balance(0) - 1)
    assert code == _C.CREATE_ACCOUNT_LOW_RESERVE


@pytest.mark.parametrize("starting,expected", [
    ("minBal0 - 1", _C.CREATE_ACCOUNT_LOW_RESERVE),   # both wrong: LOW_RESERVE wins
    ("minBal0", _C.CREATE_ACCOUNT_UNDERFUNDED),
    (0, _C.CREATE_ACCOUNT_LOW_RESERVE),
])
def test_low_reserve_checked_before_underfunded(L, starting, expected):
    """T6: a poor source creating an account below the reserve gets
    LOW_RESERVE, not UNDERFUNDED."""
    poor = L.root.create("poor", L.min_balance(0) + 10 * FEE)
    amount = {"minBal0 - 1": L.min_balance(0) - 1, "minBal0": L.min_balance(0)}.get(starting, starting)
    r, code = create(L, poor, L.account("B"), amount)
    assert code == expected


@pytest.mark.parametrize("reserve_delta", [0, 1])
def test_low_reserve_uses_current_base_reserve(L, reserve_delta):
    """The reserve check reads the closing ledger's baseReserve."""
    amount = L.min_balance(0)
    L.header.baseReserve += reserve_delta
    r, code = create(L, L.root, L.account("B"), amount)
    assert code == (_C.CREATE_ACCOUNT_SUCCESS if reserve_delta == 0 else _C.CREATE_ACCOUNT_LOW_RESERVE)


def _acc1_after_offer(L, buying=0, selling=0):
    """CreateAccountTests' acc1 right after its offer of 500 was placed:
    balance minBal3 + txfee + 500 (one fee spent), one subentry (the offer)
    and 500 of native liabilities."""
    L.invariants = False
    acc1 = L.root.create("acc1", L.min_balance(3) + 2 * FEE + 500)
    set_balance(acc1, L.min_balance(3) + FEE + 500)
    le = acc1.entry()
    le.data.account.numSubEntries = 1
    L.put(le)
    set_account_liabilities(acc1, buying=buying, selling=selling)
    return acc1


def test_with_native_selling_liabilities(L):
    acc1 = _acc1_after_offer(L, selling=500)
    r, code = create(L, acc1, L.account("acc2"), L.min_balance(0) + 1)
    assert code == _C.CREATE_ACCOUNT_UNDERFUNDED
    assert L.root.pay(acc1, FEE).ok
    r, code = create(L, acc1, L.account("acc2"), L.min_balance(0))
    assert code == _C.CREATE_ACCOUNT_SUCCESS


def test_with_native_buying_liabilities(L):
    """Buying liabilities do not restrict what can be sent."""
    acc1 = _acc1_after_offer(L, buying=500)
    r, code = create(L, acc1, L.account("acc2"), L.min_balance(0) + 500)
    assert code == _C.CREATE_ACCOUNT_SUCCESS


def test_success_meta_and_event(L):
    """Operation meta: the source's STATE/UPDATED and the new account's
    CREATED; the event is a native transfer from the (muxed) source to the
    new account with the starting balance (CreateAccountOpFrame::doApply)."""
    a = L.root.create("A", 10 * L.min_balance(0))
    b = L.account("B")
    S = L.header.ledgerSeq
    env = tx_envelope(muxed(a, 7), a.seq + 1, [op_create_account(b, L.min_balance(0))], signers=[a])
    r = L.apply(env)
    assert r.ok
    (op,) = r.meta.v4.operations
    kinds = sorted((c.type, _entry_of(c).data.account.accountID.ed25519) for c in op.changes)
    assert kinds == sorted([(_CT.LEDGER_ENTRY_STATE, a.id.ed25519), (_CT.LEDGER_ENTRY_UPDATED, a.id.ed25519),
                            (_CT.LEDGER_ENTRY_CREATED, b.id.ed25519)])
    created = next(c.created for c in op.changes if c.type == _CT.LEDGER_ENTRY_CREATED)
    assert created.lastModifiedLedgerSeq == S
    assert created.data.account.seqNum == S << 32
    (ev,) = op.events
    topics = ev.body.v0.topics
    assert [t.sym for t in topics[:1]] == [b"transfer"]
    # from: the muxed source with its id dropped; to: the new account
    assert topics[1].address == E.account_address(a.id)
    assert topics[2].address == E.account_address(b.id)
    assert topics[3].str == b"native"
    assert ev.body.v0.data == E.i128(L.min_balance(0))
    assert ev.contractID == E.asset_contract_id(NETWORK_ID, native())


def _entry_of(change):
    t = change.type
    if t == _CT.LEDGER_ENTRY_STATE:
        return change.state
    if t == _CT.LEDGER_ENTRY_UPDATED:
        return change.updated
    return change.created


def test_with_sponsorship(L):
    """"with sponsorship": root sponsors a1's account (starting balance 0);
    checkSponsorship: a1 numSponsored 2, root numSponsoring 2, and the
    account entry's sponsoringID is root."""
    require_op(_OT.BEGIN_SPONSORING_FUTURE_RESERVES)
    require_op(_OT.END_SPONSORING_FUTURE_RESERVES)
    from stellarcore.ledger import balances as B
    a1 = TestAccount(L, SecretKey.for_test_account("sponsored"))
    ops = [make_op(_OT.BEGIN_SPONSORING_FUTURE_RESERVES, xdr.BeginSponsoringFutureReservesOp(sponsoredID=a1.id),
                   source=L.root),
           op_create_account(a1, 0, source=L.root),
           make_op(_OT.END_SPONSORING_FUTURE_RESERVES, None, source=a1)]
    env = tx_envelope(L.root, L.root.seq + 1, ops, signers=[L.root, a1])
    assert check_valid(L, env).result.code == TC.txSUCCESS
    r = L.apply(env)
    assert r.ok, r.result
    le = a1.entry()
    assert B.entry_sponsor(le) == L.root.id
    assert B.num_sponsored(le.data.account) == 2
    assert B.num_sponsoring(L.root.entry().data.account) == 2
    assert B.num_sponsoring(le.data.account) == 0


def _sponsored_create(L, dest):
    ops = [make_op(_OT.BEGIN_SPONSORING_FUTURE_RESERVES, xdr.BeginSponsoringFutureReservesOp(sponsoredID=dest.id),
                   source=L.root),
           op_create_account(dest, 0, source=L.root),
           make_op(_OT.END_SPONSORING_FUTURE_RESERVES, None, source=dest)]
    return tx_envelope(L.root, L.root.seq + 1, ops, signers=[L.root, dest])


@pytest.mark.parametrize("due_to_subentries", [False, True], ids=["too many sponsoring",
                                                                  "too many sponsoring due to subentries"])
def test_too_many_sponsoring(due_to_subentries):
    """SponsorshipTestUtils tooManySponsoring with root as the sponsor and
    2 reserves per created account: one more sponsored account fits, the
    next is opTOO_MANY_SPONSORING (numSponsoring, and from protocol 18
    numSponsoring + numSubEntries, may not pass UINT32_MAX)."""
    require_op(_OT.BEGIN_SPONSORING_FUTURE_RESERVES)
    require_op(_OT.END_SPONSORING_FUTURE_RESERVES)
    from stellarcore.ledger import balances as B
    L = TestLedger(invariants=False)  # the subentry count below has no entries behind it
    le = L.root.entry()
    acc = le.data.account
    v2 = B.prepare_account_ext_v2(acc)
    v2.numSponsoring = 0xFFFFFFFF - 2 - (50 if due_to_subentries else 0)
    if due_to_subentries:
        acc.numSubEntries = 50
    L.put(le)
    a1 = TestAccount(L, SecretKey.for_test_account("a1"))
    a2 = TestAccount(L, SecretKey.for_test_account("a2"))
    assert check_valid(L, _sponsored_create(L, a1)).result.code == TC.txSUCCESS
    assert L.apply(_sponsored_create(L, a1)).ok
    env = _sponsored_create(L, a2)
    assert check_valid(L, env).result.code == TC.txSUCCESS
    r = L.apply(env)
    assert r.code == TC.txFAILED
    assert r.op_results[1].code == OC.opTOO_MANY_SPONSORING
    assert not a2.exists()
