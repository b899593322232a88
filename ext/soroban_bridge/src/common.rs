// Plain Rust values shared by the per-protocol modules and the C ABI in lib.rs.
// None of these crosses the FFI boundary: lib.rs converts the #[repr(C)]
// structs of include/soroban_bridge.h into these.

use crate::ffi::{
    SB_ERR_HOST, SB_ERR_INVALID_ARGUMENT, SB_ERR_UNSUPPORTED_PROTOCOL,
};

#[derive(Debug)]
pub(crate) enum BridgeError {
    Invalid(String),
    UnsupportedProtocol(u32),
    Host {
        error_type: i32,
        error_code: i32,
        message: String,
    },
}

impl BridgeError {
    pub(crate) fn invalid(msg: &str) -> Self {
        BridgeError::Invalid(msg.to_string())
    }
    pub(crate) fn code(&self) -> i32 {
        match self {
            BridgeError::Invalid(_) => SB_ERR_INVALID_ARGUMENT,
            BridgeError::UnsupportedProtocol(_) => SB_ERR_UNSUPPORTED_PROTOCOL,
            BridgeError::Host { .. } => SB_ERR_HOST,
        }
    }
    pub(crate) fn message(&self) -> String {
        match self {
            BridgeError::Invalid(m) => format!("invalid argument: {m}"),
            BridgeError::UnsupportedProtocol(p) => {
                format!("unsupported protocol {p} (this bridge links hosts for 23, 24, 25)")
            }
            BridgeError::Host {
                error_type,
                error_code,
                message,
            } => format!("host error: {message} (ScErrorType {error_type}, code {error_code})"),
        }
    }
}

pub(crate) struct LedgerInfoIn<'a> {
    pub protocol_version: u32,
    pub sequence_number: u32,
    pub timestamp: u64,
    pub network_id: [u8; 32],
    pub base_reserve: u32,
    pub memory_limit: u32,
    pub min_temp_entry_ttl: u32,
    pub min_persistent_entry_ttl: u32,
    pub max_entry_ttl: u32,
    pub cpu_cost_params: &'a [u8],
    pub mem_cost_params: &'a [u8],
}

#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct RentFeeConfig {
    pub fee_per_write_1kb: i64,
    pub fee_per_rent_1kb: i64,
    pub fee_per_write_entry: i64,
    pub persistent_rent_rate_denominator: i64,
    pub temporary_rent_rate_denominator: i64,
}

#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct TxResources {
    pub instructions: u32,
    pub disk_read_entries: u32,
    pub write_entries: u32,
    pub disk_read_bytes: u32,
    pub write_bytes: u32,
    pub contract_events_size_bytes: u32,
    pub transaction_size_bytes: u32,
}

#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct FeeConfig {
    pub fee_per_instruction_increment: i64,
    pub fee_per_disk_read_entry: i64,
    pub fee_per_write_entry: i64,
    pub fee_per_disk_read_1kb: i64,
    pub fee_per_write_1kb: i64,
    pub fee_per_historical_1kb: i64,
    pub fee_per_contract_event_1kb: i64,
    pub fee_per_transaction_size_1kb: i64,
}

#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct RentChange {
    pub is_persistent: u8,
    pub is_code_entry: u8,
    pub old_size_bytes: u32,
    pub new_size_bytes: u32,
    pub old_live_until_ledger: u32,
    pub new_live_until_ledger: u32,
}

#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct RentWriteFeeConfig {
    pub state_target_size_bytes: i64,
    pub rent_fee_1kb_state_size_low: i64,
    pub rent_fee_1kb_state_size_high: i64,
    pub state_size_rent_fee_growth_factor: u32,
}

pub(crate) struct InvokeInput<'a> {
    pub enable_diagnostics: bool,
    pub instruction_limit: u32,
    pub host_fn: &'a [u8],
    pub resources: &'a [u8],
    pub restored_rw_entry_indices: &'a [u32],
    pub source_account: &'a [u8],
    pub auth_entries: Vec<&'a [u8]>,
    pub ledger_info: LedgerInfoIn<'a>,
    pub ledger_entries: Vec<&'a [u8]>,
    pub ttl_entries: Vec<&'a [u8]>,
    pub base_prng_seed: &'a [u8],
    pub rent_fee_config: RentFeeConfig,
}

#[derive(Default)]
pub(crate) struct InvokeOutput {
    pub success: bool,
    pub is_internal_error: bool,
    pub cpu_insns: u64,
    pub mem_bytes: u64,
    pub time_nsecs: u64,
    pub cpu_insns_excluding_vm_instantiation: u64,
    pub time_nsecs_excluding_vm_instantiation: u64,
    pub rent_fee: i64,
    pub budget_nsecs: u64,
    pub result_value: Vec<u8>,
    pub contract_events: Vec<Vec<u8>>,
    pub diagnostic_events: Vec<Vec<u8>>,
    pub modified_ledger_entries: Vec<Vec<u8>>,
    pub error_type: i32,
    pub error_code: i32,
    pub error_message: String,
}
