"""stellar-core's "meta stream contains reasonable meta" classic scenario,
replayed from genesis on our LedgerManager and Herder.

The scenario is stellar-core v25.0.1 src/ledger/test/
LedgerCloseMetaStreamTests.cpp, TEST_CASE "meta stream contains reasonable
meta", SECTION "stellar classic" (and "... enabling classic events"). Its
ledger 10 was recorded in ../shared/testdata/ledger-close-meta-xdr, so
every byte we produce on the way there is checked: ledger 10's
previousLedgerHash hashes the whole chain.

What each ledger holds, and where stellar-core builds it:

  1   genesis with USE_CONFIG_FOR_GENESIS (getTestConfig, close time 0);
  2-4 prepareSorobanNetworkConfigUpgrade (src/test/TestUtils.cpp): the
      root uploads the write-upgrade-bytes contract, creates an instance
      (salt sha256("upgrade")) and invokes `write` with a ConfigUpgradeSet
      (TxGenerator.cpp createUploadWasmTransaction,
      createContractTransaction, invokeSorobanCreateUpgradeTransaction,
      getConfigUpgradeSetFromLoadConfig); each closed by closeLedgerOn(app,
      seq, 2, 1, 2016) - close time 2016-01-02;
  5   modifySorobanNetworkConfig: an empty tx set with the CONFIG upgrade,
      close time lcl + 1;
  6-8 TestAccount::create of acc1, acc2, issuer (one createAccount per
      ledger, closeLedger: close time = the LCL's);
  9   acc1.changeTrust(CUR1, 100);
  10  root pays acc1 1000 stroops; acc2 fee-bumps (5000) issuer's tx of two
      50-CUR1 payments to acc1.

Every value is signed by NODE_SEED = SecretKey::pseudoRandomForTestingFromSeed
(12345): 32 draws of std::minstd_rand seeded with 12345, low byte each.
"""
from __future__ import annotations

import hashlib
import tempfile
import types
from dataclasses import dataclass, field
from typing import Dict, List

from stellarcore import xdr
from stellarcore.bucket.manager import BucketManager
from stellarcore.crypto.keys import SecretKey
from stellarcore.database.database import Database
from stellarcore.herder.herder import Herder
from stellarcore.herder.tx_set import make_empty
from stellarcore.ledger.ledger_manager import LedgerCloseData, LedgerManager
from stellarcore.transactions import soroban_tx as ST
from tests.conftest import shared_path
from tests.soroban.sorobantest import (contract_address, contract_code_key, contract_id_of, host_fn_op,
                                       instance_key, preimage_from_address, resources, soroban_envelope,
                                       wasm_executable)
from tests.transactions.harness import (NETWORK, NETWORK_ID, credit, fee_bump_envelope, make_op,
                                        op_create_account, op_payment, tx_envelope)

TEST_DATE_2016_01_02 = 1451692800      # getTestDate(2, 1, 2016)
DEFAULT_TEST_RESOURCE_FEE = 1_000_000  # src/test/TestUtils.h
_CS = xdr.ConfigSettingID
_SCV = xdr.SCValType
_HF = xdr.HostFunctionType


def pseudo_random_for_testing_from_seed(seed: int) -> SecretKey:
    """SecretKey::pseudoRandomForTestingFromSeed: stellar_default_random_engine
    (std::minstd_rand) seeded with `seed`; getPRNGBytes keeps the low byte
    of each of 32 draws."""
    x = seed % 2147483647 or 1
    out = bytearray()
    for _ in range(32):
        x = x * 48271 % 2147483647
        out.append(x & 0xFF)
    return SecretKey.from_seed(bytes(out))


def write_bytes_wasm() -> bytes:
    """rust_bridge::get_write_bytes (soroban_test_wasms::WRITE_BYTES)."""
    path = shared_path("testdata", "wasm", "soroban-test-wasms", "20", "soroban_write_upgrade_bytes_contract.wasm")
    with open(path, "rb") as f:
        return f.read()


def expected_meta_path(protocol: int, classic_events: bool) -> str:
    name = "ledger-close-meta{}-v2-protocol-{}.xdr".format("-enable-classic-events" if classic_events else "",
                                                          protocol)
    return shared_path("testdata", "ledger-close-meta-xdr", name)


@dataclass
class ScenarioRun:
    protocol: int
    closed: Dict[int, object] = field(default_factory=dict)   # seq -> ClosedLedger
    keys: Dict[str, SecretKey] = field(default_factory=dict)
    upgrade_set: "xdr.ConfigUpgradeSet" = None


class _Node:
    """The pieces of an Application this scenario needs."""

    def __init__(self, protocol: int, classic_events: bool, bucket_dir: str):
        self.settings = types.SimpleNamespace(
            NETWORK_PASSPHRASE=NETWORK, USE_CONFIG_FOR_GENESIS=True,
            TESTING_UPGRADE_LEDGER_PROTOCOL_VERSION=protocol, TESTING_UPGRADE_DESIRED_FEE=100,
            TESTING_UPGRADE_RESERVE=100_000_000, TESTING_UPGRADE_MAX_TX_SET_SIZE=50,
            EMIT_CLASSIC_EVENTS=classic_events, BACKFILL_STELLAR_ASSET_EVENTS=classic_events,
            NODE_SEED=pseudo_random_for_testing_from_seed(12345))
        self.lm = LedgerManager(self.settings, Database(":memory:"), BucketManager(bucket_dir), keep_meta=True)
        self.lm.start_new_ledger()
        self.herder = Herder(self.settings, self.lm)

    @property
    def header(self):
        return self.lm.last_closed.header

    def seq_of(self, key: SecretKey) -> int:
        e = self.lm.load_entry(xdr.LedgerKey(xdr.LedgerEntryType.ACCOUNT, xdr.LedgerKeyAccount(
            accountID=key.public_key.to_xdr_key())))
        if isinstance(e, (bytes, bytearray, memoryview)):
            e = xdr.LedgerEntry.from_xdr(bytes(e))
        return e.data.account.seqNum

    def close(self, classic=(), soroban=(), close_time=None, upgrades=(), tx_set=None):
        """closeLedgerOn: externalize (tx set, close time never below the
        LCL's, upgrades) signed by NODE_SEED."""
        lcl_ct = self.header.scpValue.closeTime
        ct = lcl_ct if close_time is None else max(close_time, lcl_ct)
        ts = tx_set if tx_set is not None else self.herder.build_tx_set([list(classic), list(soroban)])
        sv = self.herder.make_stellar_value(ts.hash, ct, list(upgrades))
        return self.lm.close_ledger(LedgerCloseData(self.header.ledgerSeq + 1, ts, sv))

    def resource_fee(self, res, tx_size: int, events_size: int) -> int:
        """sorobanResourceFee against the LCL's Soroban configuration."""
        nr, r = ST.compute_soroban_resource_fee(self.header.ledgerVersion, res, tx_size, events_size,
                                                self.lm.soroban_config, xdr.SorobanTransactionDataExt(0), False)
        return nr + r

    def config_entry(self, cid):
        e = self.lm.load_entry(xdr.LedgerKey(xdr.LedgerEntryType.CONFIG_SETTING,
                                             xdr.LedgerKeyConfigSetting(configSettingID=cid)))
        if e is None:
            return None
        if isinstance(e, (bytes, bytearray, memoryview)):
            e = xdr.LedgerEntry.from_xdr(bytes(e))
        return e.data.configSetting


def upgrade_set_from_ledger(node: _Node, modify) -> "xdr.ConfigUpgradeSet":
    """getConfigUpgradeSetFromLoadConfig after copySorobanNetworkConfigToUpgradeConfig:
    every upgradeable setting of the LCL in ConfigSettingID order, the cost
    parameters left out (unchanged), `modify` applied."""
    entries = []
    for cid in _CS:
        if cid in (_CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW, _CS.CONFIG_SETTING_EVICTION_ITERATOR,
                   _CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS,
                   _CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_MEMORY_BYTES):
            continue
        entry = node.config_entry(cid)
        if entry is None:
            continue
        # a copy: load_entry hands out the root's own object, and changing it
        # would change the ledger (the period became 1 a ledger early)
        entry = xdr.ConfigSettingEntry.from_xdr(entry.to_xdr())
        modify(entry)
        entries.append(entry)
    return xdr.ConfigUpgradeSet(updatedEntry=entries)


def _sample_period_one(entry) -> None:
    if entry.configSettingID == _CS.CONFIG_SETTING_STATE_ARCHIVAL:
        entry.stateArchivalSettings.liveSorobanStateSizeWindowSamplePeriod = 1


def run(protocol: int, classic_events: bool = False, bucket_dir: str = None) -> ScenarioRun:
    """Close ledgers 2..10 of the scenario; returns every ClosedLedger."""
    own_dir = None
    if bucket_dir is None:
        own_dir = tempfile.TemporaryDirectory(prefix="metastream-")
        bucket_dir = own_dir.name
    node = _Node(protocol, classic_events, bucket_dir)
    out = ScenarioRun(protocol)
    out.closed[1] = node.lm.last_close
    root = SecretKey.root(NETWORK_ID)
    keys = {n: SecretKey.for_test_account(n) for n in ("acc1", "acc2", "issuer")}
    keys["root"] = root
    out.keys = keys

    # -- prepareSorobanNetworkConfigUpgrade ----------------------------------------
    wasm = write_bytes_wasm()
    code_hash = hashlib.sha256(wasm).digest()
    code_key = contract_code_key(code_hash)
    salt = hashlib.sha256(b"upgrade").digest()
    preimage = preimage_from_address(root, salt)
    contract_id = contract_id_of(preimage)
    inst_key = instance_key(contract_address(contract_id))
    inclusion = node.header.baseFee     # generateFee(nullopt, 1)

    # ledger 2: createUploadWasmTransaction
    res = resources(rw=[code_key], instructions=2_500_000, read_bytes=len(wasm) + 500,
                    write_bytes=len(wasm) + 500)
    fee = node.resource_fee(res, 5000 + len(wasm), 100) + 50_000_000
    upload = soroban_envelope(root, [host_fn_op(xdr.HostFunction(_HF.HOST_FUNCTION_TYPE_UPLOAD_CONTRACT_WASM, wasm))],
                              res, inclusion, fee, node.seq_of(root) + 1)
    out.closed[2] = node.close(soroban=[upload], close_time=TEST_DATE_2016_01_02)

    # ledger 3: createContractTransaction -> makeSorobanCreateContractTx (V1 host fn, V2 auth from p22)
    res = resources(ro=[code_key], rw=[inst_key], instructions=1_000_000, read_bytes=160 + len(wasm),
                    write_bytes=300)
    exe = wasm_executable(code_hash)
    hf = xdr.HostFunction(_HF.HOST_FUNCTION_TYPE_CREATE_CONTRACT,
                          xdr.CreateContractArgs(contractIDPreimage=preimage, executable=exe))
    AF = xdr.SorobanAuthorizedFunctionType
    if protocol >= 22:
        fn = xdr.SorobanAuthorizedFunction(AF.SOROBAN_AUTHORIZED_FUNCTION_TYPE_CREATE_CONTRACT_V2_HOST_FN,
                                           xdr.CreateContractArgsV2(contractIDPreimage=preimage, executable=exe,
                                                                    constructorArgs=[]))
    else:
        fn = xdr.SorobanAuthorizedFunction(AF.SOROBAN_AUTHORIZED_FUNCTION_TYPE_CREATE_CONTRACT_HOST_FN,
                                           xdr.CreateContractArgs(contractIDPreimage=preimage, executable=exe))
    auth = xdr.SorobanAuthorizationEntry(
        credentials=xdr.SorobanCredentials(xdr.SorobanCredentialsType.SOROBAN_CREDENTIALS_SOURCE_ACCOUNT),
        rootInvocation=xdr.SorobanAuthorizedInvocation(function=fn, subInvocations=[]))
    fee = node.resource_fee(res, 1000, 40) + DEFAULT_TEST_RESOURCE_FEE
    create = soroban_envelope(root, [host_fn_op(hf, [auth])], res, inclusion, fee, node.seq_of(root) + 1)
    out.closed[3] = node.close(soroban=[create], close_time=TEST_DATE_2016_01_02)

    # ledger 4: invokeSorobanCreateUpgradeTransaction
    upgrade_set = upgrade_set_from_ledger(node, _sample_period_one)
    out.upgrade_set = upgrade_set
    upgrade_bytes = upgrade_set.to_xdr()
    upgrade_hash = hashlib.sha256(upgrade_bytes).digest()
    upgrade_lk = xdr.LedgerKey(xdr.LedgerEntryType.CONTRACT_DATA, xdr.LedgerKeyContractData(
        contract=contract_address(contract_id), key=xdr.SCVal(_SCV.SCV_BYTES, upgrade_hash),
        durability=xdr.ContractDataDurability.TEMPORARY))
    res = resources(ro=[inst_key, code_key], rw=[upgrade_lk], instructions=2_500_000, read_bytes=3_100,
                    write_bytes=3_100)
    hf = xdr.HostFunction(_HF.HOST_FUNCTION_TYPE_INVOKE_CONTRACT, xdr.InvokeContractArgs(
        contractAddress=contract_address(contract_id), functionName=b"write",
        args=[xdr.SCVal(_SCV.SCV_BYTES, upgrade_bytes)]))
    fee = node.resource_fee(res, 1000, 40) + 20_000_000
    invoke = soroban_envelope(root, [host_fn_op(hf)], res, inclusion, fee, node.seq_of(root) + 1)
    out.closed[4] = node.close(soroban=[invoke], close_time=TEST_DATE_2016_01_02)

    # ledger 5: modifySorobanNetworkConfig's externalizeValue(makeEmpty, lcl + 1, {upgrade})
    upgrade = xdr.LedgerUpgrade(xdr.LedgerUpgradeType.LEDGER_UPGRADE_CONFIG, xdr.ConfigUpgradeSetKey(
        contractID=contract_id, contentHash=upgrade_hash)).to_xdr()
    empty = make_empty(node.lm.last_closed).prepare_for_apply(NETWORK_ID, node.header)
    out.closed[5] = node.close(tx_set=empty, close_time=node.header.scpValue.closeTime + 1, upgrades=[upgrade])

    # ledgers 6-8: TestAccount::create
    bal = node.lm.get_last_min_balance(2)
    tx_fee = node.lm.get_last_tx_fee()
    for seq, name, amount in ((6, "acc1", bal), (7, "acc2", bal),
                              (8, "issuer", node.lm.get_last_min_balance(0) + 100 * tx_fee)):
        env = tx_envelope(root, node.seq_of(root) + 1, [op_create_account(keys[name], amount)], fee=tx_fee)
        out.closed[seq] = node.close(classic=[env])

    # ledger 9: acc1.changeTrust(cur1, 100)
    cur1 = credit("CUR1", keys["issuer"])
    ct = make_op(xdr.OperationType.CHANGE_TRUST, xdr.ChangeTrustOp(
        line=xdr.ChangeTrustAsset(cur1.type, cur1.xdr_value()), limit=100))
    env = tx_envelope(keys["acc1"], node.seq_of(keys["acc1"]) + 1, [ct], fee=tx_fee)
    out.closed[9] = node.close(classic=[env])

    # ledger 10: the interesting one
    pay = tx_envelope(root, node.seq_of(root) + 1, [op_payment(keys["acc1"], 1000)], fee=tx_fee)
    inner = tx_envelope(keys["issuer"], node.seq_of(keys["issuer"]) + 1,
                        [op_payment(keys["acc1"], 50, cur1), op_payment(keys["acc1"], 50, cur1)], fee=2 * tx_fee)
    # feeBump: fee = inner full fee - inner inclusion fee + 5000 (classic: 5000)
    bump = fee_bump_envelope(keys["acc2"], inner, 5000)
    out.closed[10] = node.close(classic=[pay, bump])
    if own_dir is not None:
        own_dir.cleanup()
    return out


HEADER_FIELDS = ("ledgerVersion", "previousLedgerHash", "scpValue", "txSetResultHash", "bucketListHash",
                 "ledgerSeq", "totalCoins", "feePool", "inflationSeq", "idPool", "baseFee", "baseReserve",
                 "maxTxSetSize", "skipList", "ext")


def header_differences(ours, theirs) -> List[str]:
    """Names of the LedgerHeader fields that differ, in XDR order."""
    return [f for f in HEADER_FIELDS
            if _enc(getattr(ours, f)) != _enc(getattr(theirs, f))]


def _enc(v):
    if hasattr(v, "to_xdr"):
        return v.to_xdr()
    if isinstance(v, list):
        return [_enc(x) for x in v]
    return v
