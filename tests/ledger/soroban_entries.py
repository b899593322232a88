"""Builders of Soroban ledger entries for the in-memory state tests.

Keys and TTL hashes are built here the slow, obvious way
(`xdr.LedgerKey(...).to_xdr()`, sha256 of it) so the module's fast paths are
checked against the XDR schema, not against themselves.
"""
import collections
import hashlib
import json
import os

from stellarcore import xdr
from stellarcore.util.types import ledger_entry_key

from tests.conftest import SHARED

Header = collections.namedtuple("Header", "ledgerSeq ledgerVersion")
CostConfig = collections.namedtuple("CostConfig", "cpu_cost_params mem_cost_params")

SETTINGS = SHARED / "testdata" / "soroban-settings" / "testnet_settings_upgrade.json"
PERSISTENT = xdr.ContractDataDurability.PERSISTENT
TEMPORARY = xdr.ContractDataDurability.TEMPORARY
PARSE_WASM_INSTRUCTIONS = int(xdr.ContractCostType.ParseWasmInstructions)


def sha256(b):
    return hashlib.sha256(b).digest()


def _params(entries, scale=None):
    out = []
    for i, e in enumerate(entries):
        c, l = int(e["const_term"]), int(e["linear_term"])
        if scale and i in scale:
            c, l = scale[i](c), scale[i](l)
        out.append(xdr.ContractCostParamEntry(ext=xdr.ExtensionPoint(v=0), constTerm=c, linearTerm=l))
    return xdr.ContractCostParams.to_xdr(out)


def network_cost_config(mem_scale=None):
    """testnet's cost parameters (../shared; skips when absent). `mem_scale`:
    {ContractCostType: f(term)} applied to the memory parameters, as the
    upgrade tests change ParseWasmInstructions."""
    import pytest
    if not os.path.exists(SETTINGS):
        pytest.skip(f"reference data not available: {SETTINGS}")
    with open(SETTINGS) as f:
        d = {k: v for e in json.load(f)["updated_entry"] for k, v in e.items()}
    return CostConfig(_params(d["contract_cost_params_cpu_instructions"]),
                      _params(d["contract_cost_params_memory_bytes"], mem_scale))


def entry(data, last_modified=1):
    return xdr.LedgerEntry(lastModifiedLedgerSeq=last_modified, data=data, ext=xdr.LedgerEntryExt(v=0))


def data_entry(contract=1, name=b"k", durability=PERSISTENT, value=b"", last_modified=1):
    cd = xdr.ContractDataEntry(
        ext=xdr.ExtensionPoint(v=0), contract=xdr.SCAddress(contractId=bytes([contract]) * 32),
        key=xdr.SCVal(xdr.SCValType.SCV_SYMBOL, name), durability=durability,
        val=xdr.SCVal(xdr.SCValType.SCV_BYTES, value))
    return entry(xdr.LedgerEntryData(contractData=cd), last_modified)


def cost_inputs(n):
    return xdr.ContractCodeCostInputs(
        ext=xdr.ExtensionPoint(v=0), nInstructions=10 * n, nFunctions=n, nGlobals=1, nTableEntries=0,
        nTypes=n, nDataSegments=1, nElemSegments=0, nImports=2, nExports=1, nDataSegmentBytes=3 * n)


def code_entry(code=b"\0asm\1\0\0\0", last_modified=1, inputs=None):
    """A CONTRACT_CODE entry; with `inputs` (ContractCodeCostInputs) the v1
    extension stellar-core writes for uploads from protocol 21."""
    if inputs is None:
        ext = xdr.ContractCodeEntryExt(v=0)
    else:
        ext = xdr.ContractCodeEntryExt(v1=xdr.ContractCodeEntryV1(ext=xdr.ExtensionPoint(v=0),
                                                                  costInputs=inputs))
    cc = xdr.ContractCodeEntry(ext=ext, hash=sha256(code), code=code)
    return entry(xdr.LedgerEntryData(contractCode=cc), last_modified)


def key_of(e):
    return ledger_entry_key(e).to_xdr()


def ttl_hash(e_or_key):
    k = e_or_key if isinstance(e_or_key, bytes) else key_of(e_or_key)
    return sha256(k)


def ttl_key_of(e_or_key):
    return xdr.LedgerKey(ttl=xdr.LedgerKeyTtl(keyHash=ttl_hash(e_or_key))).to_xdr()


def ttl_entry(e_or_key, live_until, last_modified=1):
    """stellar-core getTTLEntryForTTLKey(getTTLKey(e), live_until)."""
    return entry(xdr.LedgerEntryData(ttl=xdr.TTLEntry(keyHash=ttl_hash(e_or_key),
                                                      liveUntilLedgerSeq=live_until)), last_modified)


def xdr_size(e):
    return len(e.to_xdr())


def host_code_size(e, cfg, ledger_version):
    """stellar-core ledgerEntrySizeForRent for a CONTRACT_CODE entry, through
    the host: XDR size + contract_code_memory_size_for_rent, capped at uint32."""
    from stellarcore.soroban import bridge
    mem = bridge.contract_code_memory_size_for_rent(max(ledger_version, 23), e.data.contractCode,
                                                    cfg.cpu_cost_params, cfg.mem_cost_params)
    return min(xdr_size(e) + mem, 0xFFFFFFFF)
