"""Archived entries: RestoreFootprint / ExtendFootprintTTL failures and
automatic restoration (SorobanResourcesExtV0.archivedSorobanEntries,
protocol 23+), after stellar-core's InvokeHostFunctionTests.cpp
"state archival operation errors" and "autorestore contract instance".

Expected: stellar-core's result codes and its hard-coded refundable costs
(60,711 to restore the code, instance and a data entry, whether by
RestoreFootprint or automatically; 40,546 for code and instance), checked
as SorobanTest::checkRefundableFee does. The same restores are also run
from the hot archive (entries evicted): the rent is the same, as the
restored entry pays as new either way.
"""
import pytest

from stellarcore import xdr
from stellarcore.ledger.keys import account_key
from tests.soroban.sorobantest import (DEFAULT_TEST_RESOURCE_FEE, PERSISTENT, ContractStorageClient, SorobanTest,
                                       resources, skip_reason, sym, u64)

pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=str(skip_reason()))

_R = xdr.InvokeHostFunctionResultCode
_RF = xdr.RestoreFootprintResultCode
_EF = xdr.ExtendFootprintTTLResultCode
OK = _R.INVOKE_HOST_FUNCTION_SUCCESS


# -- "state archival operation errors" ----------------------------------------------------------
@pytest.fixture
def op_errors():
    test = SorobanTest()
    c = ContractStorageClient(test)
    sa = test.config.state_archival_settings
    assert c.resize_and_extend("k1", 5, 0, 0) == OK
    assert c.resize_and_extend("k2", 3, 0, 0) == OK
    k2_until = test.lcl_seq + sa.minPersistentTTL - 1
    return test, c, [c.key("k1"), c.key("k2")], k2_until


@pytest.fixture
def restore_setup(op_errors):
    test, c, keys, k2_until = op_errors
    test.advance(k2_until + 1 - test.lcl_seq)
    res = resources(rw=keys, read_bytes=9000, write_bytes=9000)
    non_refundable = test.resource_fee(res, 400, 0, None, True)
    return test, res, non_refundable, non_refundable + 100_000


def _op_code(applied):
    return applied.op_code(0)


def test_restore_insufficient_refundable_fee(restore_setup):
    test, res, non_refundable, _ = restore_setup
    r = test.invoke_tx(test.restore_tx(res, 1000, non_refundable))
    assert not r.ok
    assert _op_code(r) == _RF.RESTORE_FOOTPRINT_INSUFFICIENT_REFUNDABLE_FEE


@pytest.mark.parametrize("field", ["diskReadBytes", "writeBytes"])
def test_restore_exceeded_bytes(restore_setup, field):
    test, res, _, fee = restore_setup
    setattr(res, field, 8000)
    r = test.invoke_tx(test.restore_tx(res, 1000, fee))
    assert not r.ok
    assert _op_code(r) == _RF.RESTORE_FOOTPRINT_RESOURCE_LIMIT_EXCEEDED


def test_restore_success(restore_setup):
    test, res, _, fee = restore_setup
    keys = res.footprint.readWrite
    assert test.invoke_tx(test.restore_tx(res, 1000, fee)).ok
    assert test.is_entry_live(keys[0], test.lcl_seq)
    assert test.is_entry_live(keys[1], test.lcl_seq)


def _extend_res(keys, read_bytes=9000):
    return resources(ro=keys, read_bytes=read_bytes)


def test_extend_too_large_is_invalid(op_errors):
    test, _, keys, _ = op_errors
    tx = test.extend_tx(_extend_res(keys), test.config.state_archival_settings.maxEntryTTL, 1000,
                        DEFAULT_TEST_RESOURCE_FEE)
    assert not test.is_tx_valid(tx)


def test_extend_read_bytes_not_metered_after_p23(op_errors):
    test, _, keys, _ = op_errors
    assert test.invoke_tx(test.extend_tx(_extend_res(keys, 0), 10_000, 1000, DEFAULT_TEST_RESOURCE_FEE)).ok


def test_extend_insufficient_refundable_fee(op_errors):
    test, _, keys, _ = op_errors
    r = test.invoke_tx(test.extend_tx(_extend_res(keys), 10_000, 30_000, 30_000))
    assert not r.ok
    assert _op_code(r) == _EF.EXTEND_FOOTPRINT_TTL_INSUFFICIENT_REFUNDABLE_FEE


def test_extend_success(op_errors):
    test, _, keys, _ = op_errors
    assert test.invoke_tx(test.extend_tx(_extend_res(keys), 10_000, 1000, DEFAULT_TEST_RESOURCE_FEE)).ok


# -- "autorestore contract instance" ----------------------------------------------------------------
RESTORE_COST = 60_711
CODE_AND_INSTANCE_RESTORE_COST = 40_546


def _min_persistent_10(cfg):
    cfg.state_archival_settings.minPersistentTTL = 10  # MinimumSorobanNetworkConfig
    cfg.state_archival_settings.liveSorobanStateSizeWindowSamplePeriod = 10_000


@pytest.fixture(params=["live", "hot archive"])
def autorestore(request):
    """Code, instance and "key" archived; `params`: still in the live
    state with an expired TTL, or evicted to the hot archive."""
    test = SorobanTest(modify_config=_min_persistent_10)
    c = ContractStorageClient(test)
    c.put("key", PERSISTENT, 123)
    expiration = test.lcl_seq + 10
    test.advance(expiration - test.lcl_seq)
    lk = c.key("key")
    keys = list(c.contract.keys) + [lk]
    if request.param == "hot archive":
        for k in keys:
            test.evict(k)
    assert c.get("key", PERSISTENT) == _R.INVOKE_HOST_FUNCTION_ENTRY_ARCHIVED
    return test, c, keys


def _autorestore_spec(c, keys, archived=(0, 1, 2)):
    return c.default_spec().set(rw=keys, archived=archived, write_bytes=10_000, refundable_fee=70_000)


def test_manual_restore(autorestore):
    test, c, keys = autorestore
    test.invoke_restore_op(keys, RESTORE_COST)
    assert c.get("key", PERSISTENT, 123) == OK


def test_autorestore_fees(autorestore):
    test, c, keys = autorestore
    inv = c.contract.invocation("put_persistent", [sym("key"), u64(123)], _autorestore_spec(c, keys),
                                add_contract_keys=False).with_exact_non_refundable_fee()
    env = inv.create_tx()
    before = test.root.balance
    r = test.invoke_tx(env)
    assert r.ok, r.op_results
    # events size 4: the void return value
    test.check_refundable_fee(before, test.frame(env), r, RESTORE_COST, events_size=4)
    assert c.get("key", PERSISTENT, 123) == OK


def test_missing_archived_key_index(autorestore):
    _, c, keys = autorestore
    inv = c.contract.invocation("put_persistent", [sym("key"), u64(123)], _autorestore_spec(c, keys, (0, 2)),
                                add_contract_keys=False)
    assert not inv.with_exact_non_refundable_fee().invoke()
    assert inv.result_code == _R.INVOKE_HOST_FUNCTION_ENTRY_ARCHIVED


def test_restore_with_write(autorestore):
    _, c, keys = autorestore
    inv = c.contract.invocation("put_persistent", [sym("key"), u64(999)], _autorestore_spec(c, keys),
                                add_contract_keys=False)
    assert inv.with_exact_non_refundable_fee().invoke()
    assert c.get("key", PERSISTENT, 999) == OK


def test_restore_with_no_writes(autorestore):
    _, c, keys = autorestore
    inv = c.contract.invocation("has_persistent", [sym("key")], _autorestore_spec(c, keys),
                                add_contract_keys=False)
    assert inv.with_exact_non_refundable_fee().invoke()
    assert c.get("key", PERSISTENT, 123) == OK


def test_restore_with_no_writes_insufficient_read_bytes(autorestore):
    _, c, keys = autorestore
    inv = c.contract.invocation("has_persistent", [sym("key")], _autorestore_spec(c, keys).set(read_bytes=0),
                                add_contract_keys=False)
    assert not inv.with_exact_non_refundable_fee().invoke()
    assert inv.result_code == _R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED


EXPECTED_SIZE = 80  # the restored data entry


@pytest.mark.parametrize("read_bytes,write_bytes,with_classic,ok", [
    (EXPECTED_SIZE - 1, EXPECTED_SIZE, False, False),
    (EXPECTED_SIZE, EXPECTED_SIZE - 1, False, False),
    (EXPECTED_SIZE, EXPECTED_SIZE, True, False),
    (EXPECTED_SIZE, EXPECTED_SIZE, False, True),
], ids=["insufficient read bytes", "insufficient write bytes", "classic keys count", "success"])
def test_autorestore_bytes_of_one_entry(autorestore, read_bytes, write_bytes, with_classic, ok):
    test, c, keys = autorestore
    test.invoke_restore_op(c.contract.keys, CODE_AND_INSTANCE_RESTORE_COST)
    ro = list(c.contract.keys)
    if with_classic:
        ro.append(xdr.LedgerKey.from_xdr(account_key(test.root.id)))
    spec = c.default_spec().set(rw=[keys[2]], archived=[0], ro=ro, refundable_fee=70_000,
                                read_bytes=read_bytes, write_bytes=write_bytes)
    inv = c.contract.invocation("has_persistent", [sym("key")], spec, add_contract_keys=False)
    assert inv.with_exact_non_refundable_fee().invoke() == ok
    if not ok:
        assert inv.result_code == _R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED
