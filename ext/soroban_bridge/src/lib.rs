//! stellarcore's bridge to the canonical Soroban host.
//!
//! A narrow C ABI (declared in include/soroban_bridge.h): XDR byte buffers and
//! plain integers in, XDR byte buffers and integers out. No Rust type crosses
//! the boundary; every buffer returned by Rust is released with
//! `sb_buf_free` / `sb_invoke_result_free`. Every entry point runs under
//! `catch_unwind`, so a panic in a host is reported as `SB_ERR_PANIC`, never
//! unwound into C.
//!
//! Three hosts are linked side by side (protocols 23, 24, 25), the per-protocol
//! code being the single file proto_any.rs mounted once per host, as
//! stellar-core v25.0.1 does with soroban_proto_any.rs.

mod common;

use common::{
    BridgeError, FeeConfig, InvokeInput, InvokeOutput, LedgerInfoIn, RentChange, RentFeeConfig,
    RentWriteFeeConfig, TxResources,
};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

macro_rules! host_module {
    ($name:ident, $krate:ident) => {
        #[path = "."]
        pub(crate) mod $name {
            pub(crate) use ::$krate as soroban_env_host;
            pub(crate) mod proto_any;
        }
    };
}
host_module!(p23, soroban_env_host_p23);
host_module!(p24, soroban_env_host_p24);
host_module!(p25, soroban_env_host_p25);

macro_rules! dispatch {
    ($proto:expr, $f:ident ( $($a:expr),* )) => {
        match $proto {
            23 => p23::proto_any::$f($($a),*),
            24 => p24::proto_any::$f($($a),*),
            25 => p25::proto_any::$f($($a),*),
            p => return Err(BridgeError::UnsupportedProtocol(p)),
        }
    };
}

pub mod ffi {
    pub const SB_ABI_VERSION: u32 = 2;
    pub const SB_OK: i32 = 0;
    pub const SB_ERR_INVALID_ARGUMENT: i32 = 1;
    pub const SB_ERR_UNSUPPORTED_PROTOCOL: i32 = 2;
    pub const SB_ERR_HOST: i32 = 3;
    pub const SB_ERR_PANIC: i32 = 4;

    /// Borrowed input bytes (owned by the caller).
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct SbBytes {
        pub data: *const u8,
        pub len: usize,
    }

    /// Bytes owned by Rust; free with sb_buf_free.
    #[repr(C)]
    pub struct SbBuf {
        pub data: *mut u8,
        pub len: usize,
        pub cap: usize,
    }

    /// A list of Rust-owned buffers; freed with the result that holds it.
    #[repr(C)]
    pub struct SbBufList {
        pub items: *mut SbBuf,
        pub len: usize,
        pub cap: usize,
    }

    #[repr(C)]
    pub struct SbLedgerInfo {
        pub protocol_version: u32,
        pub sequence_number: u32,
        pub timestamp: u64,
        pub network_id: [u8; 32],
        pub base_reserve: u32,
        pub memory_limit: u32,
        pub min_temp_entry_ttl: u32,
        pub min_persistent_entry_ttl: u32,
        pub max_entry_ttl: u32,
        pub cpu_cost_params: SbBytes,
        pub mem_cost_params: SbBytes,
    }

    #[repr(C)]
    pub struct SbInvokeArgs {
        pub enable_diagnostics: u8,
        pub instruction_limit: u32,
        pub host_function: SbBytes,
        pub resources: SbBytes,
        pub restored_rw_entry_indices: *const u32,
        pub n_restored_rw_entry_indices: usize,
        pub source_account: SbBytes,
        pub auth_entries: *const SbBytes,
        pub n_auth_entries: usize,
        pub ledger_info: SbLedgerInfo,
        pub ledger_entries: *const SbBytes,
        pub n_ledger_entries: usize,
        pub ttl_entries: *const SbBytes,
        pub n_ttl_entries: usize,
        pub base_prng_seed: SbBytes,
        pub rent_fee_config: super::RentFeeConfig,
    }

    #[repr(C)]
    pub struct SbInvokeResult {
        pub success: u8,
        pub is_internal_error: u8,
        pub error_type: i32,
        pub error_code: i32,
        pub cpu_insns: u64,
        pub mem_bytes: u64,
        pub time_nsecs: u64,
        pub cpu_insns_excluding_vm_instantiation: u64,
        pub time_nsecs_excluding_vm_instantiation: u64,
        pub rent_fee: i64,
        pub bridge_nsecs: u64,
        pub budget_nsecs: u64,
        pub result_value: SbBuf,
        pub error_message: SbBuf,
        pub contract_events: SbBufList,
        pub diagnostic_events: SbBufList,
        pub modified_ledger_entries: SbBufList,
    }
}

use ffi::*;

// ---------------------------------------------------------------- buffers

const EMPTY_BUF: SbBuf = SbBuf {
    data: std::ptr::null_mut(),
    len: 0,
    cap: 0,
};
const EMPTY_LIST: SbBufList = SbBufList {
    items: std::ptr::null_mut(),
    len: 0,
    cap: 0,
};

fn buf_from_vec(v: Vec<u8>) -> SbBuf {
    let mut v = std::mem::ManuallyDrop::new(v);
    SbBuf {
        data: v.as_mut_ptr(),
        len: v.len(),
        cap: v.capacity(),
    }
}

unsafe fn drop_buf(b: &mut SbBuf) {
    if !b.data.is_null() {
        drop(Vec::from_raw_parts(b.data, b.len, b.cap));
    }
    *b = EMPTY_BUF;
}

fn list_from_vecs(vs: Vec<Vec<u8>>) -> SbBufList {
    let items: Vec<SbBuf> = vs.into_iter().map(buf_from_vec).collect();
    let mut items = std::mem::ManuallyDrop::new(items);
    SbBufList {
        items: items.as_mut_ptr(),
        len: items.len(),
        cap: items.capacity(),
    }
}

unsafe fn drop_list(l: &mut SbBufList) {
    if !l.items.is_null() {
        let mut items = Vec::from_raw_parts(l.items, l.len, l.cap);
        for b in items.iter_mut() {
            drop_buf(b);
        }
    }
    *l = EMPTY_LIST;
}

unsafe fn bytes<'a>(b: SbBytes, what: &str) -> Result<&'a [u8], BridgeError> {
    if b.len == 0 {
        Ok(&[])
    } else if b.data.is_null() {
        Err(BridgeError::Invalid(format!("{what}: null pointer with length {}", b.len)))
    } else {
        Ok(std::slice::from_raw_parts(b.data, b.len))
    }
}

unsafe fn array<'a, T>(p: *const T, n: usize, what: &str) -> Result<&'a [T], BridgeError> {
    if n == 0 {
        Ok(&[])
    } else if p.is_null() {
        Err(BridgeError::Invalid(format!("{what}: null pointer with length {n}")))
    } else {
        Ok(std::slice::from_raw_parts(p, n))
    }
}

unsafe fn byte_list<'a>(p: *const SbBytes, n: usize, what: &str) -> Result<Vec<&'a [u8]>, BridgeError> {
    array(p, n, what)?
        .iter()
        .enumerate()
        .map(|(i, b)| bytes(*b, &format!("{what}[{i}]")))
        .collect()
}

unsafe fn set_err(err: *mut SbBuf, msg: String) {
    if !err.is_null() {
        *err = buf_from_vec(msg.into_bytes());
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<String>() {
        format!("contract host panicked: {s}")
    } else if let Some(s) = p.downcast_ref::<&'static str>() {
        format!("contract host panicked: {s}")
    } else {
        "contract host panicked".to_string()
    }
}

/// Runs `f` under catch_unwind; maps its outcome to a status code and, when
/// not OK, an error message in `*err` (if `err` is not null).
unsafe fn guarded<F: FnOnce() -> Result<(), BridgeError>>(err: *mut SbBuf, f: F) -> i32 {
    if !err.is_null() {
        *err = EMPTY_BUF;
    }
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => SB_OK,
        Ok(Err(e)) => {
            set_err(err, e.message());
            e.code()
        }
        Err(p) => {
            set_err(err, panic_message(p));
            SB_ERR_PANIC
        }
    }
}

// ---------------------------------------------------------------- misc

#[no_mangle]
pub extern "C" fn sb_abi_version() -> u32 {
    SB_ABI_VERSION
}

/// Frees a buffer returned by Rust (error messages, version strings). Safe on
/// a zeroed or already-freed buffer.
#[no_mangle]
pub unsafe extern "C" fn sb_buf_free(b: *mut SbBuf) {
    if !b.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop_buf(&mut *b)));
    }
}

/// The host version linked for `protocol`, as text.
#[no_mangle]
pub unsafe extern "C" fn sb_host_version(protocol: u32, out: *mut SbBuf, err: *mut SbBuf) -> i32 {
    guarded(err, || {
        if out.is_null() {
            return Err(BridgeError::invalid("out is null"));
        }
        let s = dispatch!(protocol, version_string());
        *out = buf_from_vec(s.into_bytes());
        Ok(())
    })
}

/// The XDR definitions the host was built from: "path sha256" lines (as
/// stellar-core's get_xdr_hashes / check_xdr_version_identities).
#[no_mangle]
pub unsafe extern "C" fn sb_host_xdr_file_hashes(protocol: u32, out: *mut SbBuf, err: *mut SbBuf) -> i32 {
    guarded(err, || {
        if out.is_null() {
            return Err(BridgeError::invalid("out is null"));
        }
        let s = dispatch!(protocol, xdr_file_hashes());
        *out = buf_from_vec(s.into_bytes());
        Ok(())
    })
}

/// The maximum protocol of the host used for `protocol` (its interface version).
#[no_mangle]
pub unsafe extern "C" fn sb_host_max_protocol(protocol: u32, out: *mut u32, err: *mut SbBuf) -> i32 {
    guarded(err, || {
        if out.is_null() {
            return Err(BridgeError::invalid("out is null"));
        }
        *out = dispatch!(protocol, max_proto());
        Ok(())
    })
}

// ---------------------------------------------------------------- module cache

/// stellar-core's SorobanModuleCache: one reusable cache per host.
pub struct SbModuleCache {
    p23: p23::proto_any::ProtocolSpecificModuleCache,
    p24: p24::proto_any::ProtocolSpecificModuleCache,
    p25: p25::proto_any::ProtocolSpecificModuleCache,
}

macro_rules! with_cache {
    ($cache:expr, $proto:expr, |$c:ident| $body:expr) => {
        match $proto {
            23 => { let $c = &$cache.p23; $body }
            24 => { let $c = &$cache.p24; $body }
            25 => { let $c = &$cache.p25; $body }
            p => return Err(BridgeError::UnsupportedProtocol(p)),
        }
    };
}

fn cache_key(key: &[u8]) -> Result<[u8; 32], BridgeError> {
    key.try_into()
        .map_err(|_| BridgeError::invalid("contract-code key (wasm hash) must be 32 bytes"))
}

#[no_mangle]
pub unsafe extern "C" fn sb_module_cache_new(out: *mut *mut SbModuleCache, err: *mut SbBuf) -> i32 {
    guarded(err, || {
        if out.is_null() {
            return Err(BridgeError::invalid("out is null"));
        }
        let c = SbModuleCache {
            p23: p23::proto_any::ProtocolSpecificModuleCache::new()?,
            p24: p24::proto_any::ProtocolSpecificModuleCache::new()?,
            p25: p25::proto_any::ProtocolSpecificModuleCache::new()?,
        };
        *out = Box::into_raw(Box::new(c));
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn sb_module_cache_free(c: *mut SbModuleCache) {
    if !c.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(c))));
    }
}

/// Parses and caches `wasm` in the host for `ledger_protocol`.
#[no_mangle]
pub unsafe extern "C" fn sb_module_cache_compile(
    c: *const SbModuleCache,
    ledger_protocol: u32,
    wasm: SbBytes,
    err: *mut SbBuf,
) -> i32 {
    guarded(err, || {
        let cache = c.as_ref().ok_or_else(|| BridgeError::invalid("module cache is null"))?;
        let wasm = bytes(wasm, "wasm")?;
        with_cache!(cache, ledger_protocol, |pc| pc.compile(wasm))
    })
}

#[no_mangle]
pub unsafe extern "C" fn sb_module_cache_contains(
    c: *const SbModuleCache,
    ledger_protocol: u32,
    key: SbBytes,
    out: *mut u8,
    err: *mut SbBuf,
) -> i32 {
    guarded(err, || {
        let cache = c.as_ref().ok_or_else(|| BridgeError::invalid("module cache is null"))?;
        if out.is_null() {
            return Err(BridgeError::invalid("out is null"));
        }
        let key = cache_key(bytes(key, "key")?)?;
        let found = with_cache!(cache, ledger_protocol, |pc| pc.contains_module(&key))?;
        *out = found as u8;
        Ok(())
    })
}

/// Removes a module from every host's cache.
#[no_mangle]
pub unsafe extern "C" fn sb_module_cache_evict(c: *const SbModuleCache, key: SbBytes, err: *mut SbBuf) -> i32 {
    guarded(err, || {
        let cache = c.as_ref().ok_or_else(|| BridgeError::invalid("module cache is null"))?;
        let key = cache_key(bytes(key, "key")?)?;
        cache.p23.evict(&key)?;
        cache.p24.evict(&key)?;
        cache.p25.evict(&key)
    })
}

#[no_mangle]
pub unsafe extern "C" fn sb_module_cache_clear(c: *const SbModuleCache, err: *mut SbBuf) -> i32 {
    guarded(err, || {
        let cache = c.as_ref().ok_or_else(|| BridgeError::invalid("module cache is null"))?;
        cache.p23.clear()?;
        cache.p24.clear()?;
        cache.p25.clear()
    })
}

#[no_mangle]
pub unsafe extern "C" fn sb_module_cache_mem_bytes(
    c: *const SbModuleCache,
    ledger_protocol: u32,
    out: *mut u64,
    err: *mut SbBuf,
) -> i32 {
    guarded(err, || {
        let cache = c.as_ref().ok_or_else(|| BridgeError::invalid("module cache is null"))?;
        if out.is_null() {
            return Err(BridgeError::invalid("out is null"));
        }
        *out = with_cache!(cache, ledger_protocol, |pc| pc.mem_bytes_consumed());
        Ok(())
    })
}

// ---------------------------------------------------------------- invoke

unsafe fn invoke_inner(
    a: &SbInvokeArgs,
    cache: Option<&SbModuleCache>,
    out: &mut SbInvokeResult,
) -> Result<(), BridgeError> {
    let start = Instant::now();
    let li = &a.ledger_info;
    let inp = InvokeInput {
        enable_diagnostics: a.enable_diagnostics != 0,
        instruction_limit: a.instruction_limit,
        host_fn: bytes(a.host_function, "host_function")?,
        resources: bytes(a.resources, "resources")?,
        restored_rw_entry_indices: array(
            a.restored_rw_entry_indices,
            a.n_restored_rw_entry_indices,
            "restored_rw_entry_indices",
        )?,
        source_account: bytes(a.source_account, "source_account")?,
        auth_entries: byte_list(a.auth_entries, a.n_auth_entries, "auth_entries")?,
        ledger_info: LedgerInfoIn {
            protocol_version: li.protocol_version,
            sequence_number: li.sequence_number,
            timestamp: li.timestamp,
            network_id: li.network_id,
            base_reserve: li.base_reserve,
            memory_limit: li.memory_limit,
            min_temp_entry_ttl: li.min_temp_entry_ttl,
            min_persistent_entry_ttl: li.min_persistent_entry_ttl,
            max_entry_ttl: li.max_entry_ttl,
            cpu_cost_params: bytes(li.cpu_cost_params, "cpu_cost_params")?,
            mem_cost_params: bytes(li.mem_cost_params, "mem_cost_params")?,
        },
        ledger_entries: byte_list(a.ledger_entries, a.n_ledger_entries, "ledger_entries")?,
        ttl_entries: byte_list(a.ttl_entries, a.n_ttl_entries, "ttl_entries")?,
        base_prng_seed: bytes(a.base_prng_seed, "base_prng_seed")?,
        rent_fee_config: a.rent_fee_config,
    };
    if inp.ledger_entries.len() != inp.ttl_entries.len() {
        return Err(BridgeError::invalid(
            "ttl_entries must be parallel to ledger_entries (an empty buffer where an entry has no TTL)",
        ));
    }
    let r: InvokeOutput = match li.protocol_version {
        23 => p23::proto_any::invoke_host_function(&inp, cache.map(|c| &c.p23))?,
        24 => p24::proto_any::invoke_host_function(&inp, cache.map(|c| &c.p24))?,
        25 => p25::proto_any::invoke_host_function(&inp, cache.map(|c| &c.p25))?,
        p => return Err(BridgeError::UnsupportedProtocol(p)),
    };
    *out = SbInvokeResult {
        success: r.success as u8,
        is_internal_error: r.is_internal_error as u8,
        error_type: r.error_type,
        error_code: r.error_code,
        cpu_insns: r.cpu_insns,
        mem_bytes: r.mem_bytes,
        time_nsecs: r.time_nsecs,
        cpu_insns_excluding_vm_instantiation: r.cpu_insns_excluding_vm_instantiation,
        time_nsecs_excluding_vm_instantiation: r.time_nsecs_excluding_vm_instantiation,
        rent_fee: r.rent_fee,
        bridge_nsecs: 0,
        budget_nsecs: r.budget_nsecs,
        result_value: buf_from_vec(r.result_value),
        error_message: if r.error_message.is_empty() {
            EMPTY_BUF
        } else {
            buf_from_vec(r.error_message.into_bytes())
        },
        contract_events: list_from_vecs(r.contract_events),
        diagnostic_events: list_from_vecs(r.diagnostic_events),
        modified_ledger_entries: list_from_vecs(r.modified_ledger_entries),
    };
    out.bridge_nsecs = start.elapsed().as_nanos() as u64;
    Ok(())
}

fn empty_result() -> SbInvokeResult {
    SbInvokeResult {
        success: 0,
        is_internal_error: 0,
        error_type: 0,
        error_code: 0,
        cpu_insns: 0,
        mem_bytes: 0,
        time_nsecs: 0,
        cpu_insns_excluding_vm_instantiation: 0,
        time_nsecs_excluding_vm_instantiation: 0,
        rent_fee: 0,
        bridge_nsecs: 0,
        budget_nsecs: 0,
        result_value: EMPTY_BUF,
        error_message: EMPTY_BUF,
        contract_events: EMPTY_LIST,
        diagnostic_events: EMPTY_LIST,
        modified_ledger_entries: EMPTY_LIST,
    }
}

/// Invokes a host function. Returns SB_OK when the host ran (check
/// `out->success`: a failed invocation -- budget exceeded, footprint
/// violation, malformed host-function XDR, contract error -- is a normal
/// outcome with success == 0 and error_type/error_code/error_message set);
/// another code when the call could not be set up (then `*err` says why and
/// `*out` is empty). `out` must be freed with sb_invoke_result_free either way.
/// `module_cache` may be null: the host then parses the contracts per call.
#[no_mangle]
pub unsafe extern "C" fn sb_invoke_host_function(
    args: *const SbInvokeArgs,
    module_cache: *const SbModuleCache,
    out: *mut SbInvokeResult,
    err: *mut SbBuf,
) -> i32 {
    if out.is_null() {
        return guarded(err, || Err(BridgeError::invalid("out is null")));
    }
    *out = empty_result();
    let rc = guarded(err, || {
        let a = args.as_ref().ok_or_else(|| BridgeError::invalid("args is null"))?;
        invoke_inner(a, module_cache.as_ref(), &mut *out)
    });
    if rc != SB_OK {
        // A panic may have left a partly filled result: free what is there.
        sb_invoke_result_free(out);
    }
    rc
}

#[no_mangle]
pub unsafe extern "C" fn sb_invoke_result_free(r: *mut SbInvokeResult) {
    if let Some(r) = r.as_mut() {
        let _ = catch_unwind(AssertUnwindSafe(|| {
            drop_buf(&mut r.result_value);
            drop_buf(&mut r.error_message);
            drop_list(&mut r.contract_events);
            drop_list(&mut r.diagnostic_events);
            drop_list(&mut r.modified_ledger_entries);
        }));
    }
}

// ---------------------------------------------------------------- fees

#[no_mangle]
pub unsafe extern "C" fn sb_compute_transaction_resource_fee(
    protocol: u32,
    resources: *const TxResources,
    fee_config: *const FeeConfig,
    non_refundable_fee: *mut i64,
    refundable_fee: *mut i64,
    err: *mut SbBuf,
) -> i32 {
    guarded(err, || {
        let r = resources.as_ref().ok_or_else(|| BridgeError::invalid("resources is null"))?;
        let f = fee_config.as_ref().ok_or_else(|| BridgeError::invalid("fee_config is null"))?;
        if non_refundable_fee.is_null() || refundable_fee.is_null() {
            return Err(BridgeError::invalid("out is null"));
        }
        let (nr, rf) = dispatch!(protocol, compute_transaction_resource_fee(r, f));
        *non_refundable_fee = nr;
        *refundable_fee = rf;
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn sb_compute_rent_fee(
    protocol: u32,
    changes: *const RentChange,
    n_changes: usize,
    fee_config: *const RentFeeConfig,
    current_ledger_seq: u32,
    out: *mut i64,
    err: *mut SbBuf,
) -> i32 {
    guarded(err, || {
        let ch = array(changes, n_changes, "changes")?;
        let f = fee_config.as_ref().ok_or_else(|| BridgeError::invalid("fee_config is null"))?;
        if out.is_null() {
            return Err(BridgeError::invalid("out is null"));
        }
        *out = dispatch!(protocol, compute_rent_fee(ch, f, current_ledger_seq));
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn sb_compute_rent_write_fee_per_1kb(
    protocol: u32,
    state_size_bytes: i64,
    fee_config: *const RentWriteFeeConfig,
    out: *mut i64,
    err: *mut SbBuf,
) -> i32 {
    guarded(err, || {
        let f = fee_config.as_ref().ok_or_else(|| BridgeError::invalid("fee_config is null"))?;
        if out.is_null() {
            return Err(BridgeError::invalid("out is null"));
        }
        *out = dispatch!(protocol, compute_rent_write_fee_per_1kb(state_size_bytes, f));
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn sb_contract_code_memory_size_for_rent(
    protocol: u32,
    contract_code_entry: SbBytes,
    cpu_cost_params: SbBytes,
    mem_cost_params: SbBytes,
    out: *mut u32,
    err: *mut SbBuf,
) -> i32 {
    guarded(err, || {
        if out.is_null() {
            return Err(BridgeError::invalid("out is null"));
        }
        let e = bytes(contract_code_entry, "contract_code_entry")?;
        let c = bytes(cpu_cost_params, "cpu_cost_params")?;
        let m = bytes(mem_cost_params, "mem_cost_params")?;
        *out = dispatch!(protocol, contract_code_memory_size_for_rent(e, c, m))?;
        Ok(())
    })
}
