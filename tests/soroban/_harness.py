"""Inputs for the Soroban bridge built with stellarcore's own XDR codec.

A tiny in-memory "ledger" (a dict of LedgerKey XDR -> (LedgerEntry, TTL))
lets a test upload a contract, create it and invoke it, feeding each
invocation the entries of its footprint as stellar-core does.
"""
import hashlib
import json
import os

from stellarcore import xdr

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("STELLARCORE_SHARED") or os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared"))
WASM_DIR = os.path.join(SHARED, "testdata", "wasm")
SETTINGS = os.path.join(SHARED, "testdata", "soroban-settings", "testnet_settings_upgrade.json")

NETWORK_PASSPHRASE = b"(V) (;,,;) (V)"   # stellar-core's test network
NETWORK_ID = hashlib.sha256(NETWORK_PASSPHRASE).digest()

T = xdr.SCValType
LET = xdr.LedgerEntryType


def sha256(b):
    return hashlib.sha256(b).digest()


# The add_i32 contract as rs-soroban-env v25.0.1 builds it for protocol 22+
# (soroban-test-wasms, what stellar-core's get_test_wasm_add_i32 serves).
# testdata/wasm/example_add_i32.wasm (stellar-core's src/testdata) is an old
# pre-release build that current hosts refuse to upload.
ADD_I32 = "soroban-test-wasms/22/example_add_i32.wasm"
OLD_PRERELEASE_ADD_I32 = "example_add_i32.wasm"


def shared_missing_reason():
    if not os.path.isdir(SHARED):
        return f"reference data ../shared is absent ({SHARED})"
    return None


def read_wasm(name):
    with open(os.path.join(WASM_DIR, name), "rb") as f:
        return f.read()


def _cost_params(entries):
    return xdr.ContractCostParams.to_xdr([
        xdr.ContractCostParamEntry(constTerm=int(e["const_term"]), linearTerm=int(e["linear_term"]))
        for e in entries
    ])


def network_settings():
    """testnet's Soroban settings (70 cost types, protocol 23 era) from ../shared."""
    with open(SETTINGS) as f:
        d = json.load(f)
    out = {}
    for e in d["updated_entry"]:
        (k, v), = e.items()
        out[k] = v
    return out


def ledger_info(protocol=25, seq=1000, settings=None):
    from stellarcore.soroban.bridge_types import LedgerInfo
    s = settings or network_settings()
    arch = s["state_archival"]
    return LedgerInfo(
        protocol_version=protocol, sequence_number=seq, timestamp=1_700_000_000,
        network_id=NETWORK_ID, base_reserve=5_000_000,
        memory_limit=int(s["contract_compute_v0"]["tx_memory_limit"]),
        min_temp_entry_ttl=int(arch["min_temporary_ttl"]),
        min_persistent_entry_ttl=int(arch["min_persistent_ttl"]),
        max_entry_ttl=int(arch["max_entry_ttl"]),
        cpu_cost_params=_cost_params(s["contract_cost_params_cpu_instructions"]),
        mem_cost_params=_cost_params(s["contract_cost_params_memory_bytes"]),
    )


def rent_fee_config(settings=None):
    from stellarcore.soroban.bridge_types import RentFeeConfiguration
    s = settings or network_settings()
    lc = s["contract_ledger_cost_v0"]
    return RentFeeConfiguration(
        fee_per_write_1kb=int(s["contract_ledger_cost_ext_v0"]["fee_write1_kb"]),
        # stellar-core derives this one from the Soroban state size
        # (compute_rent_write_fee_per_1kb); any fixed value serves these tests.
        fee_per_rent_1kb=10_000,
        fee_per_write_entry=int(lc["fee_write_ledger_entry"]),
        persistent_rent_rate_denominator=int(s["state_archival"]["persistent_rent_rate_denominator"]),
        temporary_rent_rate_denominator=int(s["state_archival"]["temp_rent_rate_denominator"]),
    )


def account_id(seed=b"source"):
    return xdr.PublicKey(ed25519=sha256(seed))


# ---- values

def i32(v):
    return xdr.SCVal(T.SCV_I32, v)


def sym(s):
    return xdr.SCVal(T.SCV_SYMBOL, s.encode() if isinstance(s, str) else s)


def contract_address(contract_id):
    return xdr.SCAddress(contractId=contract_id)


# ---- keys

def code_key(wasm_hash):
    return xdr.LedgerKey(contractCode=xdr.LedgerKeyContractCode(hash=wasm_hash))


def instance_key(contract_id):
    return xdr.LedgerKey(contractData=xdr.LedgerKeyContractData(
        contract=contract_address(contract_id),
        key=xdr.SCVal(T.SCV_LEDGER_KEY_CONTRACT_INSTANCE),
        durability=xdr.ContractDataDurability.PERSISTENT))


def contract_id_from_address(deployer, salt):
    pre = xdr.HashIDPreimage(contractID=xdr.HashIDPreimageContractID(
        networkID=NETWORK_ID,
        contractIDPreimage=xdr.ContractIDPreimage(fromAddress=xdr.ContractIDPreimageFromAddress(
            address=xdr.SCAddress(accountId=deployer), salt=salt))))
    return sha256(pre.to_xdr())


# ---- host functions

def upload_fn(wasm):
    return xdr.HostFunction(wasm=wasm)


def create_fn(deployer, salt, wasm_hash):
    return xdr.HostFunction(createContract=_create_args(deployer, salt, wasm_hash))


def _create_args(deployer, salt, wasm_hash):
    return xdr.CreateContractArgs(
        contractIDPreimage=xdr.ContractIDPreimage(fromAddress=xdr.ContractIDPreimageFromAddress(
            address=xdr.SCAddress(accountId=deployer), salt=salt)),
        executable=xdr.ContractExecutable(wasm_hash=wasm_hash))


def create_auth(deployer, salt, wasm_hash):
    """The source-account authorization a create-contract-from-address needs."""
    return xdr.SorobanAuthorizationEntry(
        credentials=xdr.SorobanCredentials(xdr.SorobanCredentialsType.SOROBAN_CREDENTIALS_SOURCE_ACCOUNT),
        rootInvocation=xdr.SorobanAuthorizedInvocation(
            function=xdr.SorobanAuthorizedFunction(createContractHostFn=_create_args(deployer, salt, wasm_hash)),
            subInvocations=[]))


def invoke_fn(contract_id, name, args):
    return xdr.HostFunction(invokeContract=xdr.InvokeContractArgs(
        contractAddress=contract_address(contract_id), functionName=name.encode(), args=list(args)))


def resources(read_only=(), read_write=(), instructions=10_000_000, disk_read_bytes=200_000,
              write_bytes=132_000):
    return xdr.SorobanResources(
        footprint=xdr.LedgerFootprint(readOnly=list(read_only), readWrite=list(read_write)),
        instructions=instructions, diskReadBytes=disk_read_bytes, writeBytes=write_bytes)


class Ledger:
    """LedgerKey XDR -> (LedgerEntry XDR, TTLEntry XDR or b"")."""

    def __init__(self):
        self.entries = {}

    def inputs(self, res):
        """(ledger_entries, ttl_entries) for the footprint of `res`, in footprint order."""
        les, ttls = [], []
        fp = res.footprint
        for k in list(fp.readOnly) + list(fp.readWrite):
            kb = k.to_xdr()
            if kb in self.entries:
                le, ttl = self.entries[kb]
                les.append(le)
                ttls.append(ttl)
        return les, ttls

    def apply(self, modified):
        """Store the modified entries an invocation returned (TTL entries
        update the TTL of the entry whose key hash they carry)."""
        by_hash = {sha256(k): k for k in self.entries}
        pending_ttl = []
        for b in modified:
            le = xdr.LedgerEntry.from_xdr(b)
            if le.data.type == LET.TTL:
                pending_ttl.append(le.data.ttl)
                continue
            key = entry_key(le)
            kb = key.to_xdr()
            old = self.entries.get(kb, (None, b""))
            self.entries[kb] = (b, old[1])
            by_hash[sha256(kb)] = kb
        for ttl in pending_ttl:
            kb = by_hash[bytes(ttl.keyHash)]
            le, _ = self.entries[kb]
            self.entries[kb] = (le, ttl.to_xdr())


def entry_key(le):
    d = le.data
    if d.type == LET.CONTRACT_CODE:
        return code_key(d.contractCode.hash)
    if d.type == LET.CONTRACT_DATA:
        cd = d.contractData
        return xdr.LedgerKey(contractData=xdr.LedgerKeyContractData(
            contract=cd.contract, key=cd.key, durability=cd.durability))
    raise ValueError(f"unexpected entry type {d.type}")
