"""Contract constructors (stellar-core InvokeHostFunctionTests.cpp "contract
constructor support") and source-account authorization with the auth test
contract.

Constructors: test_no_arg_constructor created with CREATE_CONTRACT (v1) and
CREATE_CONTRACT_V2, authorized with either authorized-function version,
then get_data("key") == 6; test_constructor with arguments (authorizer,
key, 100, the auth contract), whose constructor calls do_auth on the auth
contract (the sub-invocation tree authorized by the source account), then
get_data("key") == 303 - stellar-core's values.

Authorization (Soroban semantics, CAP-46-11): a SOROBAN_CREDENTIALS_SOURCE_ACCOUNT
entry authorizes the transaction's (or the operation's) source account
only, for exactly the invocation tree it names; a require_auth without a
matching entry fails the host function (INVOKE_HOST_FUNCTION_TRAPPED).
"""
import pytest

from stellarcore import xdr
from tests.soroban.sorobantest import (PERSISTENT, TEMPORARY, Spec, SorobanTest, account_address, address_val,
                                       contract_address, contract_data_key, contract_id_of, load_wasm, resources,
                                       skip_reason, sym, u32, wasm_executable)

pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=str(skip_reason()))

_R = xdr.InvokeHostFunctionResultCode
_AF = xdr.SorobanAuthorizedFunctionType


@pytest.fixture
def test():
    return SorobanTest()


def _default_spec(test) -> Spec:
    cfg = test.config
    return Spec(instructions=cfg.tx_max_instructions, read_bytes=cfg.tx_max_disk_read_bytes,
                write_bytes=cfg.tx_max_write_bytes)


def _next_contract_keys(test):
    """constructorDefaultSpec: "key" persistent and temporary of the next contract."""
    addr = contract_address(contract_id_of(test.next_contract_preimage()))
    return [contract_data_key(addr, sym("key"), PERSISTENT), contract_data_key(addr, sym("key"), TEMPORARY)]


@pytest.mark.parametrize("host_fn_v2", [False, True], ids=["v1 host fn", "v2 host fn"])
@pytest.mark.parametrize("auth_v2", [False, True], ids=["v1 auth", "v2 auth"])
def test_constructor_with_no_arguments(test, host_fn_v2, auth_v2):
    keys = _next_contract_keys(test)
    contract = test.deploy_wasm_contract(load_wasm("test_no_arg_constructor", ("22", "21")),
                                         additional=Spec(rw=keys), host_fn_v2=host_fn_v2, auth_v2=auth_v2)
    inv = contract.invocation("get_data", [sym("key")], _default_spec(test).set(ro=keys))
    assert inv.invoke()
    assert inv.return_value.u32 == 6


def test_constructor_with_arguments_and_auth(test):
    auth_wasm = load_wasm("auth_test_contract", ("20",))
    auth_contract = test.deploy_wasm_contract(auth_wasm)
    source = address_val(account_address(test.root))
    args = [source, sym("key"), u32(100), address_val(auth_contract.address)]
    keys = _next_contract_keys(test)
    additional = Spec(rw=keys, ro=auth_contract.keys, read_bytes=len(auth_wasm) + 100)
    new_addr = contract_address(contract_id_of(test.next_contract_preimage()))
    do_auth = xdr.SorobanAuthorizedInvocation(
        function=xdr.SorobanAuthorizedFunction(_AF.SOROBAN_AUTHORIZED_FUNCTION_TYPE_CONTRACT_FN, xdr.InvokeContractArgs(
            contractAddress=auth_contract.address, functionName=b"do_auth", args=[source, u32(100)])),
        subInvocations=[])
    constructor = xdr.SorobanAuthorizedInvocation(
        function=xdr.SorobanAuthorizedFunction(_AF.SOROBAN_AUTHORIZED_FUNCTION_TYPE_CONTRACT_FN, xdr.InvokeContractArgs(
            contractAddress=new_addr, functionName=b"__constructor", args=args)),
        subInvocations=[do_auth])
    contract = test.deploy_wasm_contract(load_wasm("test_constructor", ("22",)), constructor_args=args,
                                         additional=additional, additional_auth=[constructor])
    assert contract.address.to_xdr() == new_addr.to_xdr()
    inv = contract.invocation("get_data", [sym("key")], _default_spec(test).set(ro=keys))
    assert inv.invoke()
    assert inv.return_value.u32 == 303


def test_constructor_without_its_auth_fails(test):
    """The same creation without the constructor's sub-invocations in the
    source account's authorization: do_auth's require_auth fails."""
    auth_wasm = load_wasm("auth_test_contract", ("20",))
    auth_contract = test.deploy_wasm_contract(auth_wasm)
    source = address_val(account_address(test.root))
    args = [source, sym("key"), u32(100), address_val(auth_contract.address)]
    h = test.upload_wasm(load_wasm("test_constructor", ("22",)))
    res = resources(instructions=5_000_000, read_bytes=10_000, write_bytes=1000)
    additional = Spec(rw=_next_contract_keys(test), ro=auth_contract.keys, read_bytes=len(auth_wasm) + 100)
    r = test.invoke_tx(test.create_contract_tx(test.next_contract_preimage(), wasm_executable(h), res,
                                               constructor_args=args, additional=additional))
    assert not r.ok
    assert r.op_code(0) == _R.INVOKE_HOST_FUNCTION_TRAPPED


# -- source-account authorization -----------------------------------------------------------------
@pytest.fixture
def auth(test):
    contract = test.deploy_wasm_contract(load_wasm("auth_test_contract", ("20",)))
    return test, contract


def _do_auth(contract, who, spec):
    return contract.invocation("do_auth", [address_val(account_address(who)), u32(100)], spec)


def test_source_account_authorizes_its_address(auth):
    test, contract = auth
    assert _do_auth(contract, test.root, _default_spec(test)).with_authorized_top_call().invoke()


def test_missing_authorization_traps(auth):
    test, contract = auth
    inv = _do_auth(contract, test.root, _default_spec(test))
    assert not inv.invoke()
    assert inv.result_code == _R.INVOKE_HOST_FUNCTION_TRAPPED


def test_source_account_credentials_do_not_cover_another_address(auth):
    test, contract = auth
    other = test.root.create("other", test.min_balance(1))
    inv = _do_auth(contract, other, _default_spec(test)).with_authorized_top_call()
    assert not inv.invoke()
    assert inv.result_code == _R.INVOKE_HOST_FUNCTION_TRAPPED
    # the same call sent by `other` is authorized by its own source account
    inv = _do_auth(contract, other, _default_spec(test)).with_authorized_top_call()
    assert inv.invoke(other)


def test_operation_source_account_is_the_authorizer(auth):
    """With an operation source, the source-account credentials are the
    operation's source (signed by it), not the transaction's."""
    test, contract = auth
    other = test.root.create("other", test.min_balance(1))
    inv = _do_auth(contract, other, _default_spec(test)).with_authorized_top_call().with_op_source_account(other)
    env = inv.create_tx(extra_signers=[other])
    r = test.invoke_tx(env)
    assert r.ok, r.op_results


def test_authorization_must_match_the_arguments(auth):
    test, contract = auth
    inv = _do_auth(contract, test.root, _default_spec(test))
    wrong = xdr.InvokeContractArgs(contractAddress=contract.address, functionName=b"do_auth",
                                   args=[address_val(account_address(test.root)), u32(101)])
    inv.with_source_account_authorization(xdr.SorobanAuthorizedInvocation(
        function=xdr.SorobanAuthorizedFunction(_AF.SOROBAN_AUTHORIZED_FUNCTION_TYPE_CONTRACT_FN, wrong),
        subInvocations=[]))
    assert not inv.invoke()
    assert inv.result_code == _R.INVOKE_HOST_FUNCTION_TRAPPED
