"""ConstantProductInvariant (ConstantProductInvariant.cpp) and the manager
(InvariantManagerImpl.cpp checkOnOperationApply; InvariantTests.cpp
"onOperationApply fail succeed"), plus the real LedgerTxn.get_delta path."""
import logging

import pytest

from stellarcore import xdr
from stellarcore.invariant import InvariantDoesNotHold, InvariantManager, check_operation_apply, manager
from stellarcore.ledger.ledger_txn import InMemoryRoot, LedgerTxn
from tests.invariant import builders as b

CP = "ConstantProductInvariant"
USD = b.credit("USD")


def _pool_change(da, db):
    p = b.pool(b.NATIVE, USD, 1000, 1000, shares=1000, pool_id=b"\6" * 32)
    p2 = p.copy()
    p2.data.liquidityPool.body.constantProduct.reserveA += da
    p2.data.liquidityPool.body.constantProduct.reserveB += db
    return b.modified([(p2, p)])


@pytest.mark.parametrize("da,db,ok", [
    (10, -9, True),        # 1010*991 = 1000910 >= 1e6
    (10, -10, False),      # 1010*990 = 999900 < 1e6
    (0, 0, True),
    (-1, 0, False),
    (5, 5, True),
])
def test_constant_product(da, db, ok):
    assert b.holds(CP, _pool_change(da, db)) == ok
    if not ok:
        msg = b.run(CP, _pool_change(da, db))
        assert msg == f"Constant product invariant violated. crA={1000 + da}, crB={1000 + db}, prA=1000, prB=1000"


@pytest.mark.parametrize("arm", ["liquidityPoolWithdrawOp", "setTrustLineFlagsOp", "allowTrustOp"])
def test_constant_product_exempt_operations(arm):
    op_cls = {"liquidityPoolWithdrawOp": xdr.LiquidityPoolWithdrawOp, "setTrustLineFlagsOp": xdr.SetTrustLineFlagsOp,
              "allowTrustOp": xdr.AllowTrustOp}[arm]
    op = xdr.Operation(sourceAccount=None, body=xdr.OperationBody(**{arm: op_cls()}))
    assert b.holds(CP, _pool_change(-500, -500), operation=op)
    assert not b.holds(CP, _pool_change(-500, -500))
    deposit = xdr.Operation(sourceAccount=None, body=xdr.OperationBody(
        liquidityPoolDepositOp=xdr.LiquidityPoolDepositOp()))
    assert not b.holds(CP, _pool_change(-500, -500), operation=deposit)


def test_constant_product_without_operation_exempts_share_burns():
    """No operation given: a pool that burned shares is a withdrawal or a
    redemption (the exempt operations); otherwise it is checked."""
    burn = _pool_change(-500, -500)
    burn[0][2].data.liquidityPool.body.constantProduct.totalPoolShares -= 1
    assert b.holds(CP, burn)
    deposit = xdr.Operation(sourceAccount=None, body=xdr.OperationBody(
        liquidityPoolDepositOp=xdr.LiquidityPoolDepositOp()))
    assert not b.holds(CP, burn, operation=deposit)


def test_constant_product_negative_and_created_pools():
    assert b.run(CP, _pool_change(-1001, 5000)) == "negative reserves"
    p = b.pool(b.NATIVE, USD, 1, 1)
    assert b.holds(CP, b.created(p))
    assert b.holds(CP, b.deleted(p))


def test_registry_order_is_by_name():
    assert list(manager.NAMES) == sorted(manager.NAMES)
    assert manager.NAMES == ("AccountSubEntriesCountIsValid", "ConservationOfLumens", "ConstantProductInvariant",
                             "EventsAreConsistentWithEntryDiffs", "LedgerEntryIsValid", "LiabilitiesMatchOffers",
                             "SponsorshipCountIsValid")
    strict = [n for n, s, _ in manager.ALL if s]
    assert strict == ["EventsAreConsistentWithEntryDiffs"]


def test_unknown_invariant_name():
    with pytest.raises(ValueError):
        InvariantManager(["NoSuchInvariant"])


def test_empty_delta_holds():
    check_operation_apply(b.header(), b.header(), [])


def test_first_failure_in_name_order_and_message_format():
    """An account created from nothing trips ConservationOfLumens (name
    order: AccountSubEntriesCountIsValid holds, ConservationOfLumens runs
    next)."""
    le = b.account(balance=5 * b.BASE_RESERVE)
    with pytest.raises(InvariantDoesNotHold) as e:
        check_operation_apply(b.header(), b.header(), b.created(le))
    assert e.value.name == "ConservationOfLumens"
    assert e.value.message == f"LedgerEntry account balances changed by {5 * b.BASE_RESERVE} without inflation"
    assert str(e.value) == 'Invariant "ConservationOfLumens" does not hold on operation: ' + e.value.message


def test_message_includes_operation_json():
    le = b.account(balance=5)
    op = xdr.Operation(sourceAccount=None, body=xdr.OperationBody(xdr.OperationType.INFLATION))
    with pytest.raises(InvariantDoesNotHold) as e:
        check_operation_apply(b.header(), b.header(), b.created(le), operation=op)
    assert str(e.value).endswith('\n{\n    "Operation": {\n        "sourceAccount": null,\n        "body": {\n'
                                 '            "type": "INFLATION"\n        }\n    }\n}')


def test_production_mode_logs_non_strict(caplog):
    """Non-strict invariants only log in production (handleInvariantFailure)."""
    mgr = InvariantManager(raise_all=False)
    le = b.account(balance=5)
    with caplog.at_level(logging.ERROR, logger="stellarcore.invariant"):
        mgr.check_operation_apply(b.header(), b.header(), b.created(le))
    assert "ConservationOfLumens" in mgr.failures
    assert mgr.failures["ConservationOfLumens"][0] == b.LEDGER_SEQ
    assert mgr.failure_count >= 1
    assert any("does not hold on operation" in r.message for r in caplog.records)


def test_through_ledger_txn_get_delta():
    """The real path: an op's nested LedgerTxn, get_delta() before commit
    (lastModifiedLedgerSeq is stamped by get_delta, as stellar-core's
    getDelta does)."""
    hdr = b.header()
    a = b.account(balance=10 * b.BASE_RESERVE, seq=1)
    c = b.account(balance=10 * b.BASE_RESERVE, seq=1)
    root = InMemoryRoot(hdr, [a, c])
    ltx = LedgerTxn(root)
    op = LedgerTxn(ltx)
    ea = op.load(b.key_of(a))
    ec = op.load(b.key_of(c))
    ea.data.account.balance -= 777
    ec.data.account.balance += 777
    check_operation_apply(ltx.get_header(), op.get_header(), list(op.get_delta()))
    ec.data.account.balance += 1
    with pytest.raises(InvariantDoesNotHold) as e:
        check_operation_apply(ltx.get_header(), op.get_header(), list(op.get_delta()))
    assert e.value.name == "ConservationOfLumens"
    op.rollback()
    ltx.rollback()


def test_header_change_through_ledger_txn():
    root = InMemoryRoot(b.header(), [])
    ltx = LedgerTxn(root)
    op = LedgerTxn(ltx)
    op.header.feePool += 10
    with pytest.raises(InvariantDoesNotHold) as e:
        check_operation_apply(ltx.get_header(), op.get_header(), list(op.get_delta()))
    assert e.value.message == "LedgerHeader feePool changed from 0 to 10 without inflation"
    op.rollback()
    ltx.rollback()
