"""The Stellar Asset Contract: stellar-core's InvokeHostFunctionTests.cpp
"Native stellar asset contract" and "Trustline stellar asset contract"
(without the sponsorship bookkeeping), through AssetContractClient
(AssetContractTestClient): deployment from CONTRACT_ID_PREIMAGE_FROM_ASSET,
transfers between accounts and contracts with the classic balances and
contract-data balances they must leave, mint / burn / clawback outcomes,
and the contract_sac_transfer contract calling the SAC.

Events are checked against their XDR as the SAC defines it (CAP-46-6 /
CAP-67: topics "transfer", from, to, the SEP-11 asset string; data the
i128 amount), built independently of the host's output.
"""
import hashlib

import pytest

from stellarcore import xdr
from tests.soroban.sorobantest import (AssetContractClient, SorobanTest, account_address, address_val,
                                       contract_address, load_wasm, preimage_from_asset, contract_id_of,
                                       skip_reason, vec)
from tests.transactions.harness import credit, make_op, native

pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=str(skip_reason()))

INT64_MAX = 2**63 - 1
_OT = xdr.OperationType


def _change_trust(acc, asset, limit):
    line = xdr.ChangeTrustAsset(asset.type, asset.xdr_value())
    r = acc.apply([make_op(_OT.CHANGE_TRUST, xdr.ChangeTrustOp(line=line, limit=limit))])
    assert r.ok, r.result


def _set_flags(acc, set_flags=None, clear_flags=None):
    body = xdr.SetOptionsOp(inflationDest=None, clearFlags=clear_flags, setFlags=set_flags, masterWeight=None,
                            lowThreshold=None, medThreshold=None, highThreshold=None, homeDomain=None, signer=None)
    r = acc.apply([make_op(_OT.SET_OPTIONS, body)])
    assert r.ok, r.result


def _sac_transfer_contract(test):
    return test.deploy_wasm_contract(load_wasm("contract_sac_transfer", ("23", "20")))


def test_sac_contract_id_is_the_asset_preimage_hash():
    test = SorobanTest()
    client = AssetContractClient(test, native())
    assert client.contract.contract_id == contract_id_of(preimage_from_asset(native()))
    inst = test.entry(client.contract.keys[0]).data.contractData.val.instance
    assert inst.executable.type == xdr.ContractExecutableType.CONTRACT_EXECUTABLE_STELLAR_ASSET


def test_native_stellar_asset_contract():
    test = SorobanTest()
    root = test.root
    min_balance = test.min_balance(2)
    a2 = root.create("a2", min_balance)
    a1 = root.create("a1", test.min_balance(10))
    client = AssetContractClient(test, native())

    contract_addr = contract_address(hashlib.sha256(b"contract").digest())
    assert client.transfer(a1, contract_addr, 10)
    assert client.last_event.to_xdr() == client.transfer_event(account_address(a1), contract_addr, 10).to_xdr()
    a2_addr = account_address(a2)
    assert client.transfer(a1, a2_addr, 100)
    assert client.last_event.to_xdr() == client.transfer_event(account_address(a1), a2_addr, 100).to_xdr()
    # the native SAC has no admin to mint
    assert not client.mint(root, contract_addr, 10)
    # more than a1 holds
    assert not client.transfer(a1, contract_addr, INT64_MAX)

    transfer_contract = _sac_transfer_contract(test)
    assert client.transfer(a1, transfer_contract.address, 10)
    spec = client.default_spec().set(ro=client.contract.keys)
    from_key = client.balance_key(transfer_contract.address)

    inv = transfer_contract.invocation("transfer_1", [address_val(client.contract.address), address_val(contract_addr)],
                                       spec.extend_rw([from_key, client.balance_key(contract_addr)]))
    assert inv.invoke()
    assert client.balance(transfer_contract.address) == 9
    assert client.balance(contract_addr) == 11
    assert inv.applied.contract_events[0].to_xdr() == client.transfer_event(
        transfer_contract.address, contract_addr, 1).to_xdr()

    a2_before = a2.balance
    inv = transfer_contract.invocation("transfer_1", [address_val(client.contract.address), address_val(a2_addr)],
                                       spec.extend_rw([from_key, client.balance_key(a2_addr)]))
    assert inv.invoke()
    assert client.balance(transfer_contract.address) == 8
    assert a2.balance == a2_before + 1

    dests = [root.create(f"batchDest{i}", min_balance) for i in range(1, 6)]
    before = [d.balance for d in dests]
    addrs = [account_address(d) for d in dests]
    inv = transfer_contract.invocation(
        "batch_transfer", [address_val(client.contract.address), vec([address_val(a) for a in addrs])],
        spec.extend_rw([from_key] + [client.balance_key(a) for a in addrs]))
    assert inv.invoke()
    assert client.balance(transfer_contract.address) == 3
    assert [d.balance for d in dests] == [b + 1 for b in before]


def test_trustline_stellar_asset_contract():
    test = SorobanTest()
    root = test.root
    min_balance = test.min_balance(2)
    issuer = root.create("issuer", min_balance)
    idr = credit("IDR", issuer)
    AUTH_REVOCABLE, AUTH_CLAWBACK = 0x2, 0x8
    _set_flags(issuer, set_flags=AUTH_CLAWBACK | AUTH_REVOCABLE)
    acc = root.create("acc", min_balance)
    acc2 = root.create("acc2", min_balance)
    _change_trust(root, idr, 100)
    _change_trust(acc, idr, 100)
    assert issuer.pay(root, 100, idr).ok

    acc_addr = account_address(acc)
    client = AssetContractClient(test, idr)
    assert client.contract.contract_id == contract_id_of(preimage_from_asset(idr))
    assert client.transfer(root, acc_addr, 10)
    assert client.last_event.to_xdr() == client.transfer_event(account_address(root), acc_addr, 10).to_xdr()
    assert client.mint(issuer, acc_addr, 10)
    # a transfer from the issuer mints
    assert client.transfer(issuer, acc_addr, 10)
    # a transfer to the issuer burns
    assert client.transfer(acc, account_address(issuer), 10)
    assert client.burn(acc, 10)
    assert not client.burn(issuer, 10)

    contract_addr = contract_address(hashlib.sha256(b"contract").digest())
    assert client.transfer(root, contract_addr, 10)
    assert client.mint(issuer, contract_addr, 10)
    assert client.transfer(issuer, contract_addr, 10)
    assert client.balance(contract_addr) == 30
    assert client.balance(acc_addr) == 10

    _change_trust(acc2, idr, 100)
    acc2_addr = account_address(acc2)
    assert client.mint(issuer, acc2_addr, 10)
    # more than acc holds
    assert not client.transfer(acc, acc2_addr, 20)

    transfer_contract = _sac_transfer_contract(test)
    assert client.mint(issuer, transfer_contract.address, 10)
    spec = (client.default_spec().set(ro=client.contract.keys).extend_ro([client.issuer_key()])
            .extend_rw([client.balance_key(transfer_contract.address), client.balance_key(acc2_addr)]))
    inv = transfer_contract.invocation("transfer_1", [address_val(client.contract.address), address_val(acc2_addr)],
                                       spec)
    assert inv.invoke()
    assert client.balance(transfer_contract.address) == 9
    assert client.balance(acc2_addr) == 11
