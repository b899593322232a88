"""What stellar-core does around the host's rent formula: which entries have
TTLs and where they live, the size an entry pays rent on, the rent-change
records it hands to `compute_rent_fee`, and the live-until ledgers it sets.

Why separate from the op frames: ExtendFootprintTTL, RestoreFootprint,
InvokeHostFunction (autorestore), the parallel-apply state and the in-memory
Soroban state all need the same few rules, and each rule is a consensus
value (rent fee -> refund -> balances; TTL ledgers -> state). Each function
here is small and pure apart from the host call for the in-memory size of
contract code (which stellar-core also asks the host for).

stellar-core v25.0.1 sources: ledger/LedgerTypeUtils.{h,cpp} (isLive,
getTTLKey, getTTLEntryForTTLKey, ledgerEntrySizeForRent, is*Entry),
transactions/TransactionUtils.cpp (createEntryRentChangeWithoutModification),
ExtendFootprintTTLOpFrame.cpp / RestoreFootprintOpFrame.cpp /
InvokeHostFunctionOpFrame.cpp (the live-until ledgers),
ledger/InMemorySorobanState.cpp (contractCodeSizeForRent), and
soroban-env-host's ledger_info.rs (min/max live-until of new entries).
"""
from __future__ import annotations

import hashlib

from stellarcore import xdr
from stellarcore.soroban import fees
from stellarcore.soroban.bridge_types import LedgerEntryRentChange

_LT = xdr.LedgerEntryType
_CDD = xdr.ContractDataDurability
UINT32_MAX = 0xFFFFFFFF
# From this protocol a contract code entry pays rent on its XDR size plus
# the memory its compiled module takes (CAP-0066).
CODE_MEMORY_RENT_PROTOCOL = 23


# -- entry kinds (LedgerKey or LedgerEntryData: both carry .type and the arm) ----------
def is_soroban_entry(k) -> bool:
    """isSorobanEntry: contract data or contract code (the entries with TTLs)."""
    return k.type == _LT.CONTRACT_DATA or k.type == _LT.CONTRACT_CODE


def is_contract_code_entry(k) -> bool:
    return k.type == _LT.CONTRACT_CODE


def is_temporary_entry(k) -> bool:
    """isTemporaryEntry: temporary contract data (deleted, not archived, at expiry)."""
    return k.type == _LT.CONTRACT_DATA and k.contractData.durability == _CDD.TEMPORARY


def is_persistent_entry(k) -> bool:
    """isPersistentEntry: contract code, or persistent contract data.
    Not `not is_temporary_entry`: classic entries are neither."""
    return k.type == _LT.CONTRACT_CODE or (
        k.type == _LT.CONTRACT_DATA and k.contractData.durability == _CDD.PERSISTENT)


# -- TTL entries ------------------------------------------------------------------------
def ttl_key_hash(key) -> bytes:
    """keyHash of the TTL of a contract data/code key: SHA-256 of the
    LedgerKey's XDR. `key` is an xdr.LedgerKey or its XDR bytes."""
    if isinstance(key, (bytes, bytearray, memoryview)):
        return hashlib.sha256(key).digest()
    if not is_soroban_entry(key):
        raise ValueError(f"only contract data/code keys have a TTL, not {key.type!r}")
    return hashlib.sha256(key.to_xdr()).digest()


def ttl_key(key) -> "xdr.LedgerKey":
    """getTTLKey: the TTL LedgerKey of a contract data/code LedgerKey (or its XDR)."""
    return xdr.LedgerKey(ttl=xdr.LedgerKeyTtl(keyHash=ttl_key_hash(key)))


def ttl_key_of_entry(entry) -> "xdr.LedgerKey":
    """getTTLKey(LedgerEntry): the TTL key of a contract data/code entry."""
    from stellarcore.util.types import ledger_entry_key
    return ttl_key(ledger_entry_key(entry))


def ttl_entry_for_ttl_key(ttl_key_, live_until_ledger: int) -> "xdr.LedgerEntry":
    """getTTLEntryForTTLKey: a TTL LedgerEntry (lastModified 0, as core
    builds it; the ledger stamps it on write)."""
    if ttl_key_.type != _LT.TTL:
        raise ValueError(f"not a TTL key: {ttl_key_.type!r}")
    return xdr.LedgerEntry(
        lastModifiedLedgerSeq=0,
        data=xdr.LedgerEntryData(ttl=xdr.TTLEntry(keyHash=ttl_key_.ttl.keyHash,
                                                  liveUntilLedgerSeq=live_until_ledger)),
        ext=xdr.LedgerEntryExt(v=0))


def is_live(ttl_entry, cutoff_ledger: int) -> bool:
    """isLive: a TTL LedgerEntry keeps its entry live through `cutoff_ledger`
    when liveUntilLedgerSeq >= cutoff (the live-until ledger itself is live)."""
    if ttl_entry.data.type != _LT.TTL:
        raise ValueError(f"not a TTL entry: {ttl_entry.data.type!r}")
    return ttl_entry.data.ttl.liveUntilLedgerSeq >= cutoff_ledger


# -- live-until ledgers -------------------------------------------------------------------
def restored_live_until_ledger(ledger_seq: int, archival_settings) -> int:
    """Live-until of an entry restored in ledger `ledger_seq` (RestoreFootprint
    and autorestore): minPersistentTTL ledgers counting the current one.
    uint32 arithmetic, as core's `ledgerSeq + minPersistentTTL - 1`."""
    return (ledger_seq + archival_settings.minPersistentTTL - 1) & UINT32_MAX


def extended_live_until_ledger(ledger_seq: int, extend_to: int) -> int:
    """ExtendFootprintTTL's target: `extendTo` ledgers after the current one
    (uint32 arithmetic, as core's `getLedgerSeq() + extendTo`)."""
    return (ledger_seq + extend_to) & UINT32_MAX


def extends_ttl(current_live_until: int, new_live_until: int) -> bool:
    """ExtendFootprintTTL charges and writes only entries it moves forward
    (an entry already live through the target is skipped)."""
    return current_live_until < new_live_until


def min_live_until_ledger(ledger_seq: int, archival_settings, persistent: bool):
    """The host's live-until for a newly created entry: the minimum TTL for
    its durability, counting the current ledger (ledger_info.rs
    min_live_until_ledger_checked); None where the host fails (past u32)."""
    min_ttl = archival_settings.minPersistentTTL if persistent else archival_settings.minTemporaryTTL
    v = ledger_seq + max(min_ttl - 1, 0)
    return v if v <= UINT32_MAX else None


def max_live_until_ledger(ledger_seq: int, archival_settings):
    """The furthest live-until the host lets an entry reach: maxEntryTTL
    ledgers counting the current one (max_live_until_ledger_checked); None
    past u32."""
    v = ledger_seq + max(archival_settings.maxEntryTTL - 1, 0)
    return v if v <= UINT32_MAX else None


# -- sizes ------------------------------------------------------------------------------
def _cost_params_xdr(soroban_config, which: str) -> bytes:
    """The on-chain cpu/mem cost params as XDR, from a SorobanNetworkConfig
    (`cpu_cost_params_xdr()`) or anything with `cpu_cost_params` (XDR bytes
    or the xdr value)."""
    method = getattr(soroban_config, f"{which}_cost_params_xdr", None)
    if method is not None:
        return method()
    v = getattr(soroban_config, f"{which}_cost_params")
    return v if isinstance(v, bytes) else xdr.ContractCostParams.to_xdr(v)


def ledger_entry_size_for_rent(entry, entry_xdr_size: int, ledger_version: int, soroban_config) -> int:
    """ledgerEntrySizeForRent: the XDR size, plus for contract code from
    protocol 23 the module memory size the host computes with the on-chain
    cost params; the sum is capped at uint32 (PARITY_TRAPS S11)."""
    if not (ledger_version >= CODE_MEMORY_RENT_PROTOCOL and is_contract_code_entry(entry.data)):
        return entry_xdr_size
    from stellarcore.soroban import bridge
    memory = bridge.contract_code_memory_size_for_rent(
        ledger_version, entry.data.contractCode,
        _cost_params_xdr(soroban_config, "cpu"), _cost_params_xdr(soroban_config, "mem"))
    return min(entry_xdr_size + memory, UINT32_MAX)


def contract_code_size_for_state(entry, ledger_version: int, soroban_config) -> int:
    """contractCodeSizeForRent (InMemorySorobanState): the size a code entry
    adds to the in-memory Soroban state, always with the p23+ rule, so the
    state size is right from the upgrade to 23 on."""
    if not is_contract_code_entry(entry.data):
        raise ValueError("not a contract code entry")
    return ledger_entry_size_for_rent(entry, len(entry.to_xdr()),
                                      max(ledger_version, CODE_MEMORY_RENT_PROTOCOL), soroban_config)


# -- rent changes -------------------------------------------------------------------------
def rent_change_without_modification(entry, entry_xdr_size: int, old_live_until, new_live_until: int,
                                     ledger_version: int, soroban_config) -> LedgerEntryRentChange:
    """createEntryRentChangeWithoutModification: an entry whose value stays
    and whose TTL moves to `new_live_until`. `old_live_until` None means the
    entry counts as new (old size 0 and old live-until 0: a restore pays the
    full rent, PARITY_TRAPS S13); otherwise old and new size are the same."""
    size = ledger_entry_size_for_rent(entry, entry_xdr_size, ledger_version, soroban_config)
    fresh = old_live_until is None
    return LedgerEntryRentChange(
        is_persistent=not is_temporary_entry(entry.data),
        is_code_entry=is_contract_code_entry(entry.data),
        old_size_bytes=0 if fresh else size,
        new_size_bytes=size,
        old_live_until_ledger=0 if fresh else old_live_until,
        new_live_until_ledger=new_live_until)


def extension_rent_change(entry, entry_xdr_size: int, current_live_until: int, new_live_until: int,
                          ledger_version: int, soroban_config) -> LedgerEntryRentChange:
    """ExtendFootprintTTL's record for one entry: same size, TTL moved from
    its current live-until to the target."""
    return rent_change_without_modification(entry, entry_xdr_size, current_live_until, new_live_until,
                                            ledger_version, soroban_config)


def restoration_rent_change(entry, entry_xdr_size: int, restored_live_until: int,
                            ledger_version: int, soroban_config) -> LedgerEntryRentChange:
    """RestoreFootprint's record for one entry, from the live BucketList or
    the hot archive alike: rent as for a new entry."""
    return rent_change_without_modification(entry, entry_xdr_size, None, restored_live_until,
                                            ledger_version, soroban_config)


def rent_fee(changes, soroban_config, ledger_seq: int) -> int:
    """compute_rent_fee over `changes` with the network's rent fee
    configuration, by our implementation of the host's formula (identical
    for protocols 23-25, checked against the host in tests/soroban)."""
    return fees.compute_rent_fee(changes, soroban_config.rent_fee_configuration(), ledger_seq)
