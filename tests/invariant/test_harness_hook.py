"""The transaction harness runs the invariants after every successful
operation (stellar-core TransactionFrame::applyOperations ->
checkOnOperationApply), with the events our OpEventManager emits."""
import pytest

from stellarcore.invariant import InvariantDoesNotHold, check_operation_apply
from stellarcore.transactions.operations.create_account import CreateAccountOpFrame

harness = pytest.importorskip("tests.transactions.harness")


def test_hook_is_wired_to_the_checker():
    assert harness._check_invariants is check_operation_apply


def test_create_and_pay_pass_every_invariant_including_events():
    L = harness.TestLedger()
    a = L.root.create("A", 10 * L.min_balance())
    b = L.root.create("B", 10 * L.min_balance())
    assert a.pay(b, 12345).ok
    assert b.pay(a, 1).ok


def test_a_buggy_operation_is_caught(monkeypatch):
    """CreateAccount that mints one extra stroop: ConservationOfLumens (and
    the events invariant) must stop it, proving the hook runs per op."""
    orig = CreateAccountOpFrame.do_apply

    def buggy(self, ltx, op_meta):
        ok = orig(self, ltx, op_meta)
        from stellarcore.ledger.keys import account_key
        le = ltx.load(account_key(self.body.destination))
        le.data.account.balance += 1
        return ok

    monkeypatch.setattr(CreateAccountOpFrame, "do_apply", buggy)
    L = harness.TestLedger()
    with pytest.raises(InvariantDoesNotHold) as e:
        L.root.create("A", 10 * L.min_balance())
    # name order: AccountSubEntriesCountIsValid holds, ConservationOfLumens is next
    assert e.value.name == "ConservationOfLumens"
    assert e.value.message == "LedgerEntry account balances changed by 1 without inflation"
