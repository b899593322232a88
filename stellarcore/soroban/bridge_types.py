"""Plain values passed to stellarcore.soroban.bridge (mirroring stellar-core's
CxxLedgerInfo, CxxRentFeeConfiguration, CxxFeeConfiguration,
CxxTransactionResources, CxxLedgerEntryRentChange and
CxxRentWriteFeeConfiguration). The bridge reads them by attribute name, so any
object (or dict) with the same fields works too."""
from dataclasses import dataclass


@dataclass
class LedgerInfo:
    protocol_version: int
    sequence_number: int
    timestamp: int
    network_id: bytes            # 32 bytes: SHA-256 of the network passphrase
    base_reserve: int
    memory_limit: int            # ContractCompute txMemoryLimit
    min_temp_entry_ttl: int
    min_persistent_entry_ttl: int
    max_entry_ttl: int
    cpu_cost_params: bytes       # ContractCostParams XDR
    mem_cost_params: bytes       # ContractCostParams XDR


@dataclass
class RentFeeConfiguration:
    fee_per_write_1kb: int = 0
    fee_per_rent_1kb: int = 0
    fee_per_write_entry: int = 0
    persistent_rent_rate_denominator: int = 0
    temporary_rent_rate_denominator: int = 0


@dataclass
class FeeConfiguration:
    fee_per_instruction_increment: int = 0
    fee_per_disk_read_entry: int = 0
    fee_per_write_entry: int = 0
    fee_per_disk_read_1kb: int = 0
    fee_per_write_1kb: int = 0
    fee_per_historical_1kb: int = 0
    fee_per_contract_event_1kb: int = 0
    fee_per_transaction_size_1kb: int = 0


@dataclass
class TransactionResources:
    instructions: int = 0
    disk_read_entries: int = 0
    write_entries: int = 0
    disk_read_bytes: int = 0
    write_bytes: int = 0
    contract_events_size_bytes: int = 0
    transaction_size_bytes: int = 0


@dataclass
class LedgerEntryRentChange:
    is_persistent: bool
    is_code_entry: bool
    old_size_bytes: int
    new_size_bytes: int
    old_live_until_ledger: int
    new_live_until_ledger: int


@dataclass
class RentWriteFeeConfiguration:
    state_target_size_bytes: int = 0
    rent_fee_1kb_state_size_low: int = 0
    rent_fee_1kb_state_size_high: int = 0
    state_size_rent_fee_growth_factor: int = 0
