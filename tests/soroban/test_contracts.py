"""Contract invocation scenarios of stellar-core's InvokeHostFunctionTests.cpp
("basic contract invocation", "contract errors cause transaction to fail")
through tests/soroban/sorobantest.py: the add_i32 contract uploaded,
created and invoked on a ledger with SorobanTest's network configuration,
the host running the contract through the bridge.

Expected values are stellar-core's: result codes of each failure, the
hard-coded fee of a correct invocation (22,702 resource fee from protocol
23, refund 100,000), the success hash (sha256 of the success preimage),
the refund of a failed invocation (everything refundable).
"""
import hashlib

import pytest

from stellarcore import xdr
from tests.soroban.sorobantest import (Spec, SorobanTest, account_address, contract_address, i32, load_wasm,
                                       skip_reason)
from stellarcore.ledger.keys import account_key

pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=str(skip_reason()))

_R = xdr.InvokeHostFunctionResultCode
_TC = xdr.TransactionResultCode
INT32_MAX = 2**31 - 1


@pytest.fixture
def add_test():
    test = SorobanTest()
    contract = test.deploy_wasm_contract(load_wasm("example_add_i32", ("22",)))
    return test, contract


# "basic contract invocation": invocationSpec
SPEC = Spec(instructions=2_000_000, read_bytes=2000, inclusion_fee=12345)
EXPECTED_RESOURCE_FEE_P23 = 22_702


def _invoke(test, contract, fn, args, spec, add_contract_keys=True):
    """The test's `invoke` lambda: the fee and refund bookkeeping it
    REQUIREs for every invocation."""
    before = test.root.balance
    inv = contract.invocation(fn, args, spec, add_contract_keys)
    env = inv.create_tx()
    frame = test.frame(env)
    inv.applied = r = test.invoke_tx(env)
    assert frame.full_fee == spec.inclusion_fee + spec.resource_fee
    assert frame.inclusion_fee == spec.inclusion_fee
    assert before - r.fee_charged == test.root.balance
    return inv, frame


def _failed_invoke(test, contract, fn, args, spec, add_contract_keys=True):
    inv, frame = _invoke(test, contract, fn, args, spec, add_contract_keys)
    r = inv.applied
    assert r.code == _TC.txFAILED
    # a failure refunds the whole refundable part
    non_refundable = test.resource_fee(frame.soroban_resources(), frame.size, 0)
    assert r.refund() == spec.resource_fee - non_refundable
    return inv.result_code


def test_correct_invocation(add_test):
    test, contract = add_test
    spec = SPEC.set(non_refundable_fee=EXPECTED_RESOURCE_FEE_P23, refundable_fee=100_000)
    inv, _ = _invoke(test, contract, "add", [i32(7), i32(16)], spec)
    r = inv.applied
    assert r.ok
    assert inv.result_code == _R.INVOKE_HOST_FUNCTION_SUCCESS
    assert r.refund() == 100_000
    # not surge priced: the inclusion fee charged is the base fee
    assert r.fee_charged == EXPECTED_RESOURCE_FEE_P23 + 100
    assert inv.return_value.i32 == 23
    pre = xdr.InvokeHostFunctionSuccessPreImage(returnValue=inv.return_value, events=r.contract_events)
    inner = r.result.result.results[0].tr.invokeHostFunctionResult
    assert inner.success == hashlib.sha256(pre.to_xdr()).digest()


def test_non_existent_contract_id(add_test):
    test, contract = add_test
    cid = bytearray(contract.contract_id)
    cid[0] = 0
    bad = contract_address(bytes(cid))
    keys = list(contract.keys)
    keys[1] = keys[1].copy()
    keys[1].contractData.contract = bad
    from tests.soroban.sorobantest import TestContract
    assert _failed_invoke(test, TestContract(test, bad, keys), "add", [i32(7), i32(16)],
                          SPEC) == _R.INVOKE_HOST_FUNCTION_TRAPPED


def test_account_address(add_test):
    test, contract = add_test
    from tests.soroban.sorobantest import TestContract
    bad = account_address(test.root)
    keys = list(contract.keys)
    keys[1] = keys[1].copy()
    keys[1].contractData.contract = bad
    assert _failed_invoke(test, TestContract(test, bad, keys), "add", [i32(7), i32(16)],
                          SPEC) == _R.INVOKE_HOST_FUNCTION_TRAPPED


@pytest.mark.parametrize("name", [b"", b"add2", b"\0add", b"add$", b"\xffaaaaaa", b"aaaaaa\xf4",
                                  b"aaaaaaaaaaaaaa\xf4", b"aaaaaaa\xc5aaaaaaa", b"aaa\xc5a"])
def test_malformed_function_names(add_test, name):
    test, contract = add_test
    assert _failed_invoke(test, contract, name, [i32(7), i32(16)], SPEC) == _R.INVOKE_HOST_FUNCTION_TRAPPED


@pytest.mark.parametrize("args", [[i32(7)], [i32(7), i32(16), i32(0)],
                                  [i32(7), xdr.SCVal(xdr.SCValType.SCV_LEDGER_KEY_NONCE,
                                                     xdr.SCNonceKey(nonce=0))]],
                         ids=["too few", "too many", "malformed"])
def test_incorrect_parameters(add_test, args):
    test, contract = add_test
    assert _failed_invoke(test, contract, "add", args, SPEC) == _R.INVOKE_HOST_FUNCTION_TRAPPED


def test_overflow_traps(add_test):
    """The contract adds with overflow checks (a panic is a trap)."""
    test, contract = add_test
    assert _failed_invoke(test, contract, "add", [i32(INT32_MAX), i32(1)], SPEC) == _R.INVOKE_HOST_FUNCTION_TRAPPED
    inv, _ = _invoke(test, contract, "add", [i32(INT32_MAX), i32(-1)], SPEC)
    assert inv.applied.ok and inv.return_value.i32 == INT32_MAX - 1


def test_insufficient_instructions(add_test):
    test, contract = add_test
    assert _failed_invoke(test, contract, "add", [i32(7), i32(16)],
                          SPEC.set(instructions=10_000)) == _R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED


def test_insufficient_read_bytes_after_p23(add_test):
    """Only classic entries are metered from protocol 23: the root account
    in the footprint with 10 read bytes fails while loading it."""
    test, contract = add_test
    fp = list(contract.keys) + [xdr.LedgerKey.from_xdr(account_key(test.root.id))]
    assert _failed_invoke(test, contract, "add", [i32(7), i32(16)], SPEC.set(read_bytes=10, ro=fp),
                          add_contract_keys=False) == _R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED


def test_incorrect_footprint(add_test):
    test, contract = add_test
    for key in contract.keys:
        assert _failed_invoke(test, contract, "add", [i32(7), i32(16)], SPEC.set(ro=[key]),
                              add_contract_keys=False) == _R.INVOKE_HOST_FUNCTION_TRAPPED


def test_insufficient_refundable_fee(add_test):
    test, contract = add_test
    spec = SPEC.set(non_refundable_fee=EXPECTED_RESOURCE_FEE_P23 - 1, refundable_fee=0)
    assert _failed_invoke(test, contract, "add", [i32(7), i32(16)],
                          spec) == _R.INVOKE_HOST_FUNCTION_INSUFFICIENT_REFUNDABLE_FEE


def test_fee_pool_tracks_charges_and_refunds(add_test):
    """feePool grows by exactly what was charged after the refund."""
    test, contract = add_test
    pool = test.header.feePool
    spec = SPEC.set(non_refundable_fee=EXPECTED_RESOURCE_FEE_P23, refundable_fee=100_000)
    inv, _ = _invoke(test, contract, "add", [i32(1), i32(2)], spec)
    assert inv.applied.ok
    assert test.header.feePool - pool == inv.fee_charged == EXPECTED_RESOURCE_FEE_P23 + 100
