// Protocol-agnostic code, mounted once per host version (p23, p24, p25) in
// lib.rs, exactly as stellar-core v25.0.1 mounts src/rust/src/soroban_proto_any.rs
// inside its p23/p24/p25 adaptor modules: `super::soroban_env_host` is a
// different crate in each mount. The logic follows stellar-core's
// `invoke_host_function_or_maybe_panic`, `extract_ledger_effects`,
// `encode_diagnostic_events`, the fee wrappers and `ProtocolSpecificModuleCache`.

use super::soroban_env_host::{
    budget::{AsBudget, Budget},
    e2e_invoke::{self, extract_rent_changes, LedgerEntryChange},
    fees::{
        compute_rent_fee as host_compute_rent_fee,
        compute_rent_write_fee_per_1kb as host_compute_rent_write_fee_per_1kb,
        compute_transaction_resource_fee as host_compute_transaction_resource_fee,
        FeeConfiguration, LedgerEntryRentChange, RentFeeConfiguration, RentWriteFeeConfiguration,
        TransactionResources,
    },
    vm::wasm_module_memory_cost,
    xdr::{
        self, ContractCodeEntry, ContractCostParams, ContractEvent, ContractEventBody,
        ContractEventType, ContractEventV0, DiagnosticEvent, ExtensionPoint, LedgerEntry,
        LedgerEntryData, LedgerEntryExt, Limits, ReadXdr, ScError, ScErrorCode, ScErrorType,
        ScSymbol, ScVal, TtlEntry, WriteXdr, XDR_FILES_SHA256,
    },
    CompilationContext, ErrorHandler, HostError, LedgerInfo, ModuleCache, Val, VERSION,
};
use crate::common::{
    BridgeError, FeeConfig, InvokeInput, InvokeOutput, RentChange, RentFeeConfig,
    RentWriteFeeConfig, TxResources,
};
use std::{io::Cursor, time::Instant};

// stellar-core: MARSHALLING_STACK_LIMIT (the xdrpp depth limit).
const MARSHALLING_STACK_LIMIT: u32 = 1000;

pub(crate) fn max_proto() -> u32 {
    VERSION.interface.protocol
}

pub(crate) fn version_string() -> String {
    format!(
        "soroban-env-host {} (git {}), interface protocol {}, stellar-xdr {} (git {})",
        VERSION.pkg,
        VERSION.rev,
        VERSION.interface.protocol,
        VERSION.xdr.pkg,
        VERSION.xdr.rev
    )
}

/// stellar-core `get_xdr_hashes`: "file sha256" lines, one per .x file the
/// host's XDR crate was generated from.
pub(crate) fn xdr_file_hashes() -> String {
    XDR_FILES_SHA256
        .iter()
        .map(|(file, hash)| format!("{file} {hash}\n"))
        .collect()
}

fn non_metered_xdr_from_bytes<T: ReadXdr>(buf: &[u8]) -> Result<T, HostError> {
    Ok(T::read_xdr(&mut xdr::Limited::new(
        Cursor::new(buf),
        Limits {
            depth: MARSHALLING_STACK_LIMIT,
            len: buf.len(),
        },
    ))
    // stellar-core maps this to InternalError: it only decodes its own data here.
    .map_err(|_| (ScErrorType::Value, ScErrorCode::InternalError))?)
}

fn non_metered_xdr_to_vec<T: WriteXdr>(t: &T) -> Result<Vec<u8>, HostError> {
    let mut vec: Vec<u8> = Vec::new();
    t.write_xdr(&mut xdr::Limited::new(
        Cursor::new(&mut vec),
        Limits {
            depth: MARSHALLING_STACK_LIMIT,
            len: 5 * 1024 * 1024,
        },
    ))
    .map_err(|_| (ScErrorType::Value, ScErrorCode::InvalidInput))?;
    Ok(vec)
}

fn host_err(e: HostError) -> BridgeError {
    let (t, c) = sc_error_parts(&e);
    BridgeError::Host {
        error_type: t,
        error_code: c,
        message: format!("{:?}", e.error),
    }
}

fn sc_error_parts(e: &HostError) -> (i32, i32) {
    let code = e.error.get_code() as i32;
    match ScError::try_from(e.error) {
        Ok(sc) => (sc.discriminant() as i32, code),
        Err(_) => (-1, code),
    }
}

fn encode_diagnostic_events(events: &[DiagnosticEvent]) -> Vec<Vec<u8>> {
    // stellar-core drops events that fail to encode (filter_map).
    events
        .iter()
        .filter_map(|e| non_metered_xdr_to_vec(e).ok())
        .collect()
}

fn extract_ledger_effects(entry_changes: Vec<LedgerEntryChange>) -> Result<Vec<Vec<u8>>, HostError> {
    let mut modified_entries = vec![];
    for change in entry_changes {
        if !change.read_only {
            if let Some(encoded_new_value) = change.encoded_new_value {
                modified_entries.push(encoded_new_value);
            }
        }
        if let Some(ttl_change) = change.ttl_change {
            if ttl_change.new_live_until_ledger > ttl_change.old_live_until_ledger {
                let hash_bytes: [u8; 32] = ttl_change
                    .key_hash
                    .try_into()
                    .map_err(|_| (ScErrorType::Value, ScErrorCode::InternalError))?;
                let le = LedgerEntry {
                    last_modified_ledger_seq: 0,
                    data: LedgerEntryData::Ttl(TtlEntry {
                        key_hash: hash_bytes.into(),
                        live_until_ledger_seq: ttl_change.new_live_until_ledger,
                    }),
                    ext: LedgerEntryExt::V0,
                };
                modified_entries.push(
                    non_metered_xdr_to_vec(&le)
                        .map_err(|_| (ScErrorType::Value, ScErrorCode::InternalError))?,
                );
            }
        }
    }
    Ok(modified_entries)
}

fn rent_fee_config(c: &RentFeeConfig) -> RentFeeConfiguration {
    RentFeeConfiguration {
        fee_per_rent_1kb: c.fee_per_rent_1kb,
        fee_per_write_1kb: c.fee_per_write_1kb,
        fee_per_write_entry: c.fee_per_write_entry,
        persistent_rent_rate_denominator: c.persistent_rent_rate_denominator,
        temporary_rent_rate_denominator: c.temporary_rent_rate_denominator,
    }
}

thread_local! {
    // The cost parameters change only with a config upgrade: keep the last
    // decoded pair (per thread, per host) and reuse it while the bytes match.
    static LAST_COST_PARAMS: std::cell::RefCell<Option<(Vec<u8>, Vec<u8>, ContractCostParams, ContractCostParams)>> =
        const { std::cell::RefCell::new(None) };
}

fn decoded_cost_params(
    cpu: &[u8],
    mem: &[u8],
) -> Result<(ContractCostParams, ContractCostParams), BridgeError> {
    LAST_COST_PARAMS.with(|cell| {
        let mut last = cell.borrow_mut();
        if let Some((c, m, cp, mp)) = last.as_ref() {
            if c.as_slice() == cpu && m.as_slice() == mem {
                return Ok((cp.clone(), mp.clone()));
            }
        }
        let cp = non_metered_xdr_from_bytes::<ContractCostParams>(cpu)
            .map_err(|_| BridgeError::invalid("cpu cost params: malformed ContractCostParams XDR"))?;
        let mp = non_metered_xdr_from_bytes::<ContractCostParams>(mem)
            .map_err(|_| BridgeError::invalid("mem cost params: malformed ContractCostParams XDR"))?;
        *last = Some((cpu.to_vec(), mem.to_vec(), cp.clone(), mp.clone()));
        Ok((cp, mp))
    })
}

/// stellar-core `invoke_host_function_or_maybe_panic`. A host failure is a
/// normal outcome (success = false); only inputs that keep the host from being
/// set up at all (cost parameters that do not decode, ...) are `Err`.
pub(crate) fn invoke_host_function(
    inp: &InvokeInput,
    module_cache: Option<&ProtocolSpecificModuleCache>,
) -> Result<InvokeOutput, BridgeError> {
    let li = &inp.ledger_info;
    let protocol_version = li.protocol_version;
    let budget_start = Instant::now();
    let (cpu_params, mem_params) = decoded_cost_params(li.cpu_cost_params, li.mem_cost_params)?;
    let budget = Budget::try_from_configs(
        inp.instruction_limit as u64,
        li.memory_limit as u64,
        cpu_params,
        mem_params,
    )
    .map_err(host_err)?;
    let budget_nsecs = budget_start.elapsed().as_nanos() as u64;
    let ledger_info = LedgerInfo {
        protocol_version: li.protocol_version,
        sequence_number: li.sequence_number,
        timestamp: li.timestamp,
        network_id: li.network_id,
        base_reserve: li.base_reserve,
        min_temp_entry_ttl: li.min_temp_entry_ttl,
        min_persistent_entry_ttl: li.min_persistent_entry_ttl,
        max_entry_ttl: li.max_entry_ttl,
    };
    let mut diagnostic_events = vec![];
    let start_time = Instant::now();
    let res = e2e_invoke::invoke_host_function(
        &budget,
        inp.enable_diagnostics,
        inp.host_fn,
        inp.resources,
        inp.restored_rw_entry_indices,
        inp.source_account,
        inp.auth_entries.iter().copied(),
        ledger_info,
        inp.ledger_entries.iter().copied(),
        inp.ttl_entries.iter().copied(),
        inp.base_prng_seed,
        &mut diagnostic_events,
        None,
        module_cache.map(|c| c.module_cache.clone()),
    );
    let time_nsecs = Instant::now().duration_since(start_time).as_nanos() as u64;

    let cpu_insns = budget.get_cpu_insns_consumed().map_err(host_err)?;
    let mem_bytes = budget.get_mem_bytes_consumed().map_err(host_err)?;
    let cpu_insns_excluding_vm_instantiation = cpu_insns.saturating_sub(
        budget
            .get_tracker(xdr::ContractCostType::VmInstantiation)
            .map_err(host_err)?
            .cpu,
    );
    let time_nsecs_excluding_vm_instantiation = time_nsecs.saturating_sub(
        budget
            .get_time(xdr::ContractCostType::VmInstantiation)
            .map_err(host_err)?,
    );

    let mut out = InvokeOutput {
        cpu_insns,
        mem_bytes,
        time_nsecs,
        cpu_insns_excluding_vm_instantiation,
        time_nsecs_excluding_vm_instantiation,
        budget_nsecs,
        ..Default::default()
    };

    let err = match res {
        Ok(res) => match res.encoded_invoke_result {
            Ok(result_value) => {
                let rent_changes = extract_rent_changes(&res.ledger_changes);
                out.rent_fee = host_compute_rent_fee(
                    &rent_changes,
                    &rent_fee_config(&inp.rent_fee_config),
                    li.sequence_number,
                );
                out.modified_ledger_entries =
                    extract_ledger_effects(res.ledger_changes).map_err(host_err)?;
                out.success = true;
                out.result_value = result_value;
                out.contract_events = res.encoded_contract_events;
                out.diagnostic_events = encode_diagnostic_events(&diagnostic_events);
                return Ok(out);
            }
            Err(e) => e,
        },
        Err(e) => e,
    };
    if inp.enable_diagnostics {
        diagnostic_events.push(DiagnosticEvent {
            in_successful_contract_call: false,
            event: ContractEvent {
                ext: ExtensionPoint::V0,
                contract_id: None,
                type_: ContractEventType::Diagnostic,
                body: ContractEventBody::V0(ContractEventV0 {
                    topics: vec![
                        ScVal::Symbol(ScSymbol("host_fn_failed".try_into().unwrap_or_default())),
                        ScVal::Error(
                            err.error
                                .try_into()
                                .unwrap_or(ScError::Context(ScErrorCode::InternalError)),
                        ),
                    ]
                    .try_into()
                    .unwrap_or_default(),
                    data: ScVal::Void,
                }),
            },
        })
    }
    // protocol >= 22 rule of stellar-core
    out.is_internal_error = if protocol_version < 22 {
        err.error.is_code(ScErrorCode::InternalError)
    } else {
        err.error.is_code(ScErrorCode::InternalError) && !err.error.is_type(ScErrorType::Contract)
    };
    let (t, c) = sc_error_parts(&err);
    out.error_type = t;
    out.error_code = c;
    out.error_message = format!("{:?}", err.error);
    out.diagnostic_events = encode_diagnostic_events(&diagnostic_events);
    Ok(out)
}

pub(crate) fn compute_transaction_resource_fee(r: &TxResources, f: &FeeConfig) -> (i64, i64) {
    host_compute_transaction_resource_fee(
        &TransactionResources {
            instructions: r.instructions,
            disk_read_entries: r.disk_read_entries,
            write_entries: r.write_entries,
            disk_read_bytes: r.disk_read_bytes,
            write_bytes: r.write_bytes,
            contract_events_size_bytes: r.contract_events_size_bytes,
            transaction_size_bytes: r.transaction_size_bytes,
        },
        &FeeConfiguration {
            fee_per_instruction_increment: f.fee_per_instruction_increment,
            fee_per_disk_read_entry: f.fee_per_disk_read_entry,
            fee_per_write_entry: f.fee_per_write_entry,
            fee_per_disk_read_1kb: f.fee_per_disk_read_1kb,
            fee_per_write_1kb: f.fee_per_write_1kb,
            fee_per_historical_1kb: f.fee_per_historical_1kb,
            fee_per_contract_event_1kb: f.fee_per_contract_event_1kb,
            fee_per_transaction_size_1kb: f.fee_per_transaction_size_1kb,
        },
    )
}

pub(crate) fn compute_rent_fee(changes: &[RentChange], f: &RentFeeConfig, ledger_seq: u32) -> i64 {
    let changes: Vec<LedgerEntryRentChange> = changes
        .iter()
        .map(|c| LedgerEntryRentChange {
            is_persistent: c.is_persistent != 0,
            is_code_entry: c.is_code_entry != 0,
            old_size_bytes: c.old_size_bytes,
            new_size_bytes: c.new_size_bytes,
            old_live_until_ledger: c.old_live_until_ledger,
            new_live_until_ledger: c.new_live_until_ledger,
        })
        .collect();
    host_compute_rent_fee(&changes, &rent_fee_config(f), ledger_seq)
}

pub(crate) fn compute_rent_write_fee_per_1kb(state_size: i64, f: &RentWriteFeeConfig) -> i64 {
    host_compute_rent_write_fee_per_1kb(
        state_size,
        &RentWriteFeeConfiguration {
            state_target_size_bytes: f.state_target_size_bytes,
            rent_fee_1kb_state_size_low: f.rent_fee_1kb_state_size_low,
            rent_fee_1kb_state_size_high: f.rent_fee_1kb_state_size_high,
            state_size_rent_fee_growth_factor: f.state_size_rent_fee_growth_factor,
        },
    )
}

/// stellar-core `contract_code_memory_size_for_rent`.
pub(crate) fn contract_code_memory_size_for_rent(
    contract_code_entry: &[u8],
    cpu_cost_params: &[u8],
    mem_cost_params: &[u8],
) -> Result<u32, BridgeError> {
    let entry = non_metered_xdr_from_bytes::<ContractCodeEntry>(contract_code_entry)
        .map_err(|_| BridgeError::invalid("malformed ContractCodeEntry XDR"))?;
    let budget = Budget::try_from_configs(
        0,
        0,
        non_metered_xdr_from_bytes::<ContractCostParams>(cpu_cost_params)
            .map_err(|_| BridgeError::invalid("cpu cost params: malformed ContractCostParams XDR"))?,
        non_metered_xdr_from_bytes::<ContractCostParams>(mem_cost_params)
            .map_err(|_| BridgeError::invalid("mem cost params: malformed ContractCostParams XDR"))?,
    )
    .map_err(host_err)?;
    let v = wasm_module_memory_cost(&budget, &entry).map_err(host_err)?;
    u32::try_from(v).map_err(|_| BridgeError::invalid("contract code memory size exceeds u32"))
}

// ---- reusable module cache (stellar-core ProtocolSpecificModuleCache) ----

#[derive(Clone)]
struct CoreCompilationContext {
    unlimited_budget: Budget,
}

impl CompilationContext for CoreCompilationContext {}

impl CoreCompilationContext {
    fn new() -> Result<Self, HostError> {
        let unlimited_budget = Budget::try_from_configs(
            u64::MAX,
            u64::MAX,
            ContractCostParams(vec![].try_into().unwrap()),
            ContractCostParams(vec![].try_into().unwrap()),
        )?;
        Ok(CoreCompilationContext { unlimited_budget })
    }
}

impl AsBudget for CoreCompilationContext {
    fn as_budget(&self) -> &Budget {
        &self.unlimited_budget
    }
}

impl ErrorHandler for CoreCompilationContext {
    fn map_err<T, E>(&self, res: Result<T, E>) -> Result<T, HostError>
    where
        super::soroban_env_host::Error: From<E>,
        E: core::fmt::Debug,
    {
        res.map_err(HostError::from)
    }

    fn error(&self, error: super::soroban_env_host::Error, _msg: &str, _args: &[Val]) -> HostError {
        HostError::from(error)
    }
}

pub(crate) struct ProtocolSpecificModuleCache {
    // ModuleCache does its own internal locking.
    pub(crate) module_cache: ModuleCache,
    pub(crate) mem_bytes_consumed: std::sync::atomic::AtomicU64,
}

impl ProtocolSpecificModuleCache {
    pub(crate) fn new() -> Result<Self, BridgeError> {
        let ctx = CoreCompilationContext::new().map_err(host_err)?;
        let module_cache = ModuleCache::new(&ctx).map_err(host_err)?;
        Ok(Self {
            module_cache,
            mem_bytes_consumed: std::sync::atomic::AtomicU64::new(0),
        })
    }

    pub(crate) fn compile(&self, wasm: &[u8]) -> Result<(), BridgeError> {
        let ctx = CoreCompilationContext::new().map_err(host_err)?;
        let res = self
            .module_cache
            .parse_and_cache_module_simple(&ctx, max_proto(), wasm);
        self.mem_bytes_consumed.fetch_add(
            ctx.unlimited_budget
                .get_mem_bytes_consumed()
                .map_err(host_err)?,
            std::sync::atomic::Ordering::SeqCst,
        );
        res.map_err(host_err)
    }

    pub(crate) fn evict(&self, key: &[u8; 32]) -> Result<(), BridgeError> {
        self.module_cache
            .remove_module(&(*key).into())
            .map_err(host_err)?;
        Ok(())
    }

    pub(crate) fn clear(&self) -> Result<(), BridgeError> {
        self.module_cache.clear().map_err(host_err)
    }

    pub(crate) fn contains_module(&self, key: &[u8; 32]) -> Result<bool, BridgeError> {
        self.module_cache
            .contains_module(&(*key).into())
            .map_err(host_err)
    }

    pub(crate) fn mem_bytes_consumed(&self) -> u64 {
        self.mem_bytes_consumed
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}
