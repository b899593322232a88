"""ManageData against stellar-core v25's ManageDataTests.cpp (protocol 23+
branches): add, change, remove, remove-missing, low reserve (with native
selling liabilities), sponsorship and subentry limits.

Expected values are stellar-core's: result codes, numSubEntries and the
reserve arithmetic (minBalance(n) = (2 + n) * baseReserve, fee 100 per op).
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.ledger.keys import data_key
from tests.transactions import harness
from tests.transactions.harness import credit, native
from tests.transactions.test_sponsorship import (TOO_MANY_SPONSORING_SETUPS, TOO_MANY_SUBENTRIES_SETUPS, TXFEE,
                                                 check_entry_sponsorship,
                                                 create_modify_and_remove_sponsored_entry, op_manage_data,
                                                 setup_offer, sponsored_entry_insufficient_balance,
                                                 too_many_sponsoring, too_many_subentries)

TC = xdr.TransactionResultCode
OC = xdr.OperationResultCode
MD = xdr.ManageDataResultCode

VALUE = bytes(range(64))
VALUE2 = bytes(n + 3 for n in range(64))


@pytest.fixture
def L():
    return harness.TestLedger()


def data_value(acc, name: bytes):
    e = acc.ledger.load(data_key(acc.id, name))
    return None if e is None else e.data.data.dataValue


MANAGE_DATA_STEPS = [
    # (name, value, expected code, numSubEntries after) - "manage data", versions 2 and 4+
    (b"test", VALUE, MD.MANAGE_DATA_SUCCESS, 1),
    (b"test2", VALUE, MD.MANAGE_DATA_SUCCESS, 2),
    (b"test3", VALUE, MD.MANAGE_DATA_LOW_RESERVE, 2),       # try to add too much data
    (b"test", VALUE2, MD.MANAGE_DATA_SUCCESS, 2),           # modify an existing data entry
    (b"test", None, MD.MANAGE_DATA_SUCCESS, 1),             # clear an existing data entry
    (b"test3", VALUE, MD.MANAGE_DATA_SUCCESS, 2),           # can now add test3 since test was removed
    (b"test4", None, MD.MANAGE_DATA_NAME_NOT_FOUND, 2),     # remove data entry that isn't present
]


def test_manage_data(L):
    gateway = L.root.create("gw", L.min_balance(3) - 100)
    expected = {}
    for name, value, code, nse in MANAGE_DATA_STEPS:
        r = gateway.apply([op_manage_data(name, value)])
        assert r.op_code(0) == code, name
        assert r.code == (TC.txSUCCESS if code == MD.MANAGE_DATA_SUCCESS else TC.txFAILED)
        if code == MD.MANAGE_DATA_SUCCESS:
            if value is None:
                expected.pop(name)
            else:
                expected[name] = value
        assert gateway.num_sub_entries == nse
        for n in (b"test", b"test2", b"test3", b"test4"):
            assert data_value(gateway, n) == expected.get(n)


def test_data_entry_contents(L):
    a1 = L.root.create("a1", L.min_balance(1) + TXFEE)
    assert a1.apply([op_manage_data(b"k", b"v")]).ok
    e = L.load(data_key(a1.id, b"k"))
    assert e.data.data == xdr.DataEntry(accountID=a1.id, dataName=b"k", dataValue=b"v", ext=xdr.DataEntryExt(0))
    assert e.ext.v == 0


@pytest.mark.parametrize("name", [b"", b"\n", b"a\x7f", b"\x80abc", b"ab\0"])
def test_invalid_name(L, name):
    from tests.transactions.txscen import check_valid
    a1 = L.root.create("a1", L.min_balance(1))
    env = a1.tx([op_manage_data(name, VALUE)])
    res = check_valid(L, env)
    assert res.result.code == TC.txFAILED
    assert res.result.results[0].tr.xdr_value().code == MD.MANAGE_DATA_INVALID_NAME


def test_create_data_with_native_selling_liabilities(L):
    root = L.root
    acc1 = root.create("acc1", L.min_balance(2) + TXFEE + 500 - 1)
    setup_offer(acc1, native(), credit("CUR1", acc1), 500)
    r = acc1.apply([op_manage_data(b"test", VALUE)])
    assert (r.code, r.op_code(0)) == (TC.txFAILED, MD.MANAGE_DATA_LOW_RESERVE)
    assert root.pay(acc1, TXFEE + 1).ok
    assert acc1.apply([op_manage_data(b"test", VALUE)]).ok


def test_create_data_with_native_buying_liabilities(L):
    acc1 = L.root.create("acc1", L.min_balance(2) + TXFEE + 500 - 1)
    setup_offer(acc1, credit("CUR1", acc1), native(), 500)
    assert acc1.apply([op_manage_data(b"test", VALUE)]).ok


def test_sponsorship_insufficient_balance(L):
    acc1 = L.root.create("a1", L.min_balance(1) - 1)
    acc2 = L.root.create("a2", L.min_balance(0))
    sponsored_entry_insufficient_balance(L, acc1, acc2, op_manage_data(b"test", VALUE), MD.MANAGE_DATA_LOW_RESERVE)


def test_sponsorship_create_modify_remove(L):
    acc2 = L.root.create("a2", L.min_balance(0))
    create_modify_and_remove_sponsored_entry(
        L, acc2, op_manage_data(b"test", VALUE), op_manage_data(b"test", VALUE2), op_manage_data(b"test", VALUE),
        op_manage_data(b"test", None), entry_key=data_key(acc2.id, b"test"))


@pytest.mark.parametrize("setup", TOO_MANY_SUBENTRIES_SETUPS, ids=lambda s: s[0])
def test_too_many_subentries(L, setup):
    acc1 = L.root.create("acc1", L.min_balance(0))
    too_many_subentries(L, acc1, op_manage_data(b"test", VALUE), op_manage_data(b"test2", VALUE2), 1,
                        setup[1], setup[2])


@pytest.mark.parametrize("setup", TOO_MANY_SPONSORING_SETUPS, ids=lambda s: s[0])
def test_too_many_sponsoring(L, setup):
    acc1 = L.root.create("acc1", L.min_balance(0))
    too_many_sponsoring(L, acc1, acc1, op_manage_data(b"test", VALUE, source=acc1),
                        op_manage_data(b"test2", VALUE2, source=acc1), 1, setup[1], setup[2])


def test_remove_sponsored_data_releases_sponsor(L):
    """Deleting a sponsored data entry returns the reserve to the sponsor
    (removeEntryWithPossibleSponsorship), whoever deletes it."""
    from tests.transactions.test_sponsorship import apply_ops, check_sponsorship, op_begin, op_end
    root = L.root
    a1 = root.create("a1", L.min_balance(0))
    r = apply_ops(L, root, [op_begin(a1), op_manage_data(b"d", b"x", source=a1), op_end(source=a1)], keys=[a1])
    assert r.ok
    check_entry_sponsorship(L, data_key(a1.id, b"d"), 1, root)
    check_sponsorship(L, a1, 0, None, 1, 2, 0, 1)
    r = apply_ops(L, root, [op_manage_data(b"d", None, source=a1)], keys=[a1])
    assert r.ok
    check_sponsorship(L, a1, 0, None, 0, 2, 0, 0)
    check_sponsorship(L, root, 0, None, 0, 2, 0, 0)
