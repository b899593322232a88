from libc.stdint cimport int64_t, uint32_t


# C views of bridge_types' values, with the host's field types (u32 resources
# and sizes, i64 rates), so other Cython code can call the kernels directly.
cdef struct TxResources:
    uint32_t instructions
    uint32_t disk_read_entries
    uint32_t write_entries
    uint32_t disk_read_bytes
    uint32_t write_bytes
    uint32_t contract_events_size_bytes
    uint32_t transaction_size_bytes

cdef struct FeeConfig:
    int64_t fee_per_instruction_increment
    int64_t fee_per_disk_read_entry
    int64_t fee_per_write_entry
    int64_t fee_per_disk_read_1kb
    int64_t fee_per_write_1kb
    int64_t fee_per_historical_1kb
    int64_t fee_per_contract_event_1kb
    int64_t fee_per_transaction_size_1kb

cdef struct RentChange:
    bint is_persistent
    bint is_code_entry
    uint32_t old_size_bytes
    uint32_t new_size_bytes
    uint32_t old_live_until_ledger
    uint32_t new_live_until_ledger

cdef struct RentFeeConfig:
    int64_t fee_per_write_1kb
    int64_t fee_per_rent_1kb
    int64_t fee_per_write_entry
    int64_t persistent_rent_rate_denominator
    int64_t temporary_rent_rate_denominator

cdef struct RentWriteFeeConfig:
    int64_t state_target_size_bytes
    int64_t rent_fee_1kb_state_size_low
    int64_t rent_fee_1kb_state_size_high
    uint32_t state_size_rent_fee_growth_factor

cdef struct FeePair:
    int64_t non_refundable
    int64_t refundable


cdef FeePair transaction_resource_fee_c(const TxResources *r, const FeeConfig *f) noexcept nogil
cdef int64_t rent_fee_c(const RentChange *changes, size_t n, const RentFeeConfig *f,
                        uint32_t current_ledger) noexcept nogil
cdef int64_t rent_write_fee_per_1kb_c(int64_t state_size_bytes,
                                      const RentWriteFeeConfig *f) noexcept nogil
