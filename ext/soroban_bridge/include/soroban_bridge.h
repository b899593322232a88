/* soroban_bridge.h -- the C ABI of ext/soroban_bridge (libsoroban_bridge.so).
 *
 * XDR byte buffers and plain integers in, XDR byte buffers and integers out;
 * no Rust type crosses the boundary. Three soroban-env-host versions are
 * linked (protocols 23, 24, 25); the protocol argument picks one.
 *
 * Ownership: sb_bytes are borrowed from the caller for the duration of the
 * call. sb_buf / sb_buf_list values written by the library are owned by it
 * and must be released with sb_buf_free / sb_invoke_result_free. Every entry
 * point catches Rust panics (SB_ERR_PANIC); none unwinds into C.
 *
 * Status codes: SB_OK, or an SB_ERR_* code with a UTF-8 message in *err
 * (when err is not NULL; free it with sb_buf_free).
 *
 * Every function is also available as a function-pointer type (sb_*_fn), for
 * callers that resolve the symbols with dlsym.
 */
#ifndef STELLARCORE_SOROBAN_BRIDGE_H
#define STELLARCORE_SOROBAN_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SB_ABI_VERSION 2

#define SB_OK 0
#define SB_ERR_INVALID_ARGUMENT 1
#define SB_ERR_UNSUPPORTED_PROTOCOL 2
#define SB_ERR_HOST 3
#define SB_ERR_PANIC 4

typedef struct { const uint8_t *data; size_t len; } sb_bytes;        /* borrowed */
typedef struct { uint8_t *data; size_t len; size_t cap; } sb_buf;    /* library-owned */
typedef struct { sb_buf *items; size_t len; size_t cap; } sb_buf_list;

typedef struct {
    uint32_t protocol_version;
    uint32_t sequence_number;
    uint64_t timestamp;
    uint8_t network_id[32];
    uint32_t base_reserve;
    uint32_t memory_limit;             /* ledger's txMemoryLimit */
    uint32_t min_temp_entry_ttl;
    uint32_t min_persistent_entry_ttl;
    uint32_t max_entry_ttl;
    sb_bytes cpu_cost_params;          /* ContractCostParams XDR */
    sb_bytes mem_cost_params;          /* ContractCostParams XDR */
} sb_ledger_info;

typedef struct {
    int64_t fee_per_write_1kb;
    int64_t fee_per_rent_1kb;
    int64_t fee_per_write_entry;
    int64_t persistent_rent_rate_denominator;
    int64_t temporary_rent_rate_denominator;
} sb_rent_fee_config;

typedef struct {
    uint8_t enable_diagnostics;
    uint32_t instruction_limit;        /* the transaction's resources.instructions */
    sb_bytes host_function;            /* HostFunction XDR */
    sb_bytes resources;                /* SorobanResources XDR (footprint inside) */
    const uint32_t *restored_rw_entry_indices;  /* into the read-write footprint */
    size_t n_restored_rw_entry_indices;
    sb_bytes source_account;           /* AccountID XDR */
    const sb_bytes *auth_entries;      /* SorobanAuthorizationEntry XDR each */
    size_t n_auth_entries;
    sb_ledger_info ledger_info;
    const sb_bytes *ledger_entries;    /* LedgerEntry XDR each */
    size_t n_ledger_entries;
    const sb_bytes *ttl_entries;       /* TTLEntry XDR each, parallel to ledger_entries;
                                          an empty buffer where the entry has no TTL */
    size_t n_ttl_entries;
    sb_bytes base_prng_seed;           /* 32 bytes */
    sb_rent_fee_config rent_fee_config;
} sb_invoke_args;

typedef struct {
    uint8_t success;
    uint8_t is_internal_error;
    int32_t error_type;                /* ScErrorType of the host error (when !success) */
    int32_t error_code;                /* ScErrorCode, or the contract's code for SCE_CONTRACT */
    uint64_t cpu_insns;
    uint64_t mem_bytes;
    uint64_t time_nsecs;               /* wall time inside the host's invoke_host_function */
    uint64_t cpu_insns_excluding_vm_instantiation;
    uint64_t time_nsecs_excluding_vm_instantiation;
    int64_t rent_fee;
    uint64_t bridge_nsecs;             /* wall time inside sb_invoke_host_function */
    uint64_t budget_nsecs;             /* of which: building the Budget from the cost params */
    sb_buf result_value;               /* SCVal XDR (success only) */
    sb_buf error_message;              /* text (failure only) */
    sb_buf_list contract_events;       /* ContractEvent XDR each */
    sb_buf_list diagnostic_events;     /* DiagnosticEvent XDR each */
    sb_buf_list modified_ledger_entries; /* LedgerEntry XDR each (TTL entries included) */
} sb_invoke_result;

typedef struct {
    uint32_t instructions;
    uint32_t disk_read_entries;
    uint32_t write_entries;
    uint32_t disk_read_bytes;
    uint32_t write_bytes;
    uint32_t contract_events_size_bytes;
    uint32_t transaction_size_bytes;
} sb_tx_resources;

typedef struct {
    int64_t fee_per_instruction_increment;
    int64_t fee_per_disk_read_entry;
    int64_t fee_per_write_entry;
    int64_t fee_per_disk_read_1kb;
    int64_t fee_per_write_1kb;
    int64_t fee_per_historical_1kb;
    int64_t fee_per_contract_event_1kb;
    int64_t fee_per_transaction_size_1kb;
} sb_fee_config;

typedef struct {
    uint8_t is_persistent;
    uint8_t is_code_entry;
    uint32_t old_size_bytes;
    uint32_t new_size_bytes;
    uint32_t old_live_until_ledger;
    uint32_t new_live_until_ledger;
} sb_rent_change;

typedef struct {
    int64_t state_target_size_bytes;
    int64_t rent_fee_1kb_state_size_low;
    int64_t rent_fee_1kb_state_size_high;
    uint32_t state_size_rent_fee_growth_factor;
} sb_rent_write_fee_config;

typedef struct sb_module_cache sb_module_cache;

/* misc */
uint32_t sb_abi_version(void);
void sb_buf_free(sb_buf *b);
int32_t sb_host_version(uint32_t protocol, sb_buf *out, sb_buf *err);
int32_t sb_host_max_protocol(uint32_t protocol, uint32_t *out, sb_buf *err);
/* "xdr/curr/<file>.x <sha256>\n" per XDR file the host's stellar-xdr was generated from */
int32_t sb_host_xdr_file_hashes(uint32_t protocol, sb_buf *out, sb_buf *err);

/* invoke: SB_OK means the host ran; see out->success. Free out either way. */
int32_t sb_invoke_host_function(const sb_invoke_args *args, const sb_module_cache *module_cache,
                                sb_invoke_result *out, sb_buf *err);
void sb_invoke_result_free(sb_invoke_result *r);

/* reusable module cache (stellar-core SorobanModuleCache) */
int32_t sb_module_cache_new(sb_module_cache **out, sb_buf *err);
void sb_module_cache_free(sb_module_cache *c);
int32_t sb_module_cache_compile(const sb_module_cache *c, uint32_t ledger_protocol, sb_bytes wasm, sb_buf *err);
int32_t sb_module_cache_contains(const sb_module_cache *c, uint32_t ledger_protocol, sb_bytes key,
                                 uint8_t *out, sb_buf *err);
int32_t sb_module_cache_evict(const sb_module_cache *c, sb_bytes key, sb_buf *err);
int32_t sb_module_cache_clear(const sb_module_cache *c, sb_buf *err);
int32_t sb_module_cache_mem_bytes(const sb_module_cache *c, uint32_t ledger_protocol, uint64_t *out,
                                  sb_buf *err);

/* fees */
int32_t sb_compute_transaction_resource_fee(uint32_t protocol, const sb_tx_resources *resources,
                                            const sb_fee_config *fee_config, int64_t *non_refundable_fee,
                                            int64_t *refundable_fee, sb_buf *err);
int32_t sb_compute_rent_fee(uint32_t protocol, const sb_rent_change *changes, size_t n_changes,
                            const sb_rent_fee_config *fee_config, uint32_t current_ledger_seq,
                            int64_t *out, sb_buf *err);
int32_t sb_compute_rent_write_fee_per_1kb(uint32_t protocol, int64_t state_size_bytes,
                                          const sb_rent_write_fee_config *fee_config, int64_t *out,
                                          sb_buf *err);
int32_t sb_contract_code_memory_size_for_rent(uint32_t protocol, sb_bytes contract_code_entry,
                                              sb_bytes cpu_cost_params, sb_bytes mem_cost_params,
                                              uint32_t *out, sb_buf *err);

/* function-pointer types, for dlsym */
typedef uint32_t (*sb_abi_version_fn)(void);
typedef void (*sb_buf_free_fn)(sb_buf *);
typedef int32_t (*sb_host_version_fn)(uint32_t, sb_buf *, sb_buf *);
typedef int32_t (*sb_host_max_protocol_fn)(uint32_t, uint32_t *, sb_buf *);
typedef int32_t (*sb_invoke_host_function_fn)(const sb_invoke_args *, const sb_module_cache *,
                                              sb_invoke_result *, sb_buf *);
typedef void (*sb_invoke_result_free_fn)(sb_invoke_result *);
typedef int32_t (*sb_module_cache_new_fn)(sb_module_cache **, sb_buf *);
typedef void (*sb_module_cache_free_fn)(sb_module_cache *);
typedef int32_t (*sb_module_cache_compile_fn)(const sb_module_cache *, uint32_t, sb_bytes, sb_buf *);
typedef int32_t (*sb_module_cache_contains_fn)(const sb_module_cache *, uint32_t, sb_bytes, uint8_t *, sb_buf *);
typedef int32_t (*sb_module_cache_evict_fn)(const sb_module_cache *, sb_bytes, sb_buf *);
typedef int32_t (*sb_module_cache_clear_fn)(const sb_module_cache *, sb_buf *);
typedef int32_t (*sb_module_cache_mem_bytes_fn)(const sb_module_cache *, uint32_t, uint64_t *, sb_buf *);
typedef int32_t (*sb_compute_transaction_resource_fee_fn)(uint32_t, const sb_tx_resources *,
                                                          const sb_fee_config *, int64_t *, int64_t *, sb_buf *);
typedef int32_t (*sb_compute_rent_fee_fn)(uint32_t, const sb_rent_change *, size_t, const sb_rent_fee_config *,
                                          uint32_t, int64_t *, sb_buf *);
typedef int32_t (*sb_compute_rent_write_fee_per_1kb_fn)(uint32_t, int64_t, const sb_rent_write_fee_config *,
                                                        int64_t *, sb_buf *);
typedef int32_t (*sb_contract_code_memory_size_for_rent_fn)(uint32_t, sb_bytes, sb_bytes, sb_bytes,
                                                            uint32_t *, sb_buf *);

#ifdef __cplusplus
}
#endif
#endif /* STELLARCORE_SOROBAN_BRIDGE_H */
