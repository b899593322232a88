# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Soroban resource, rent and rent-write fees, computed here instead of in
the host.

Why: stellar-core gets these numbers from soroban-env-host's `fees` module
(through its Rust bridge) for every Soroban transaction it validates, applies
or puts into a transaction set, and for every rent charged by
ExtendFootprintTTL / RestoreFootprint. Calling the Rust library for each
costs an FFI crossing and argument marshalling; the formulas are small,
integer-only and fixed per host version, so they are written out here in
typed C (through Cython) and checked against the host through the bridge
(tests/soroban/test_fees.py) on every protocol we run.

The arithmetic follows the host's types exactly, because the results are
consensus values (the fee charged, the refund, hence balances and the
ledger hash):

* resources, entry sizes and ledger numbers are u32; u32 additions saturate
  (`saturating_add`), u32 differences that can go negative mean "nothing to
  charge" (`checked_sub` giving None);
* fee rates and fees are i64 and every multiplication/addition saturates at
  the i64 bounds; the order of the saturating additions is the host's (with
  negative rates, a different order could saturate differently);
* divisions round up (`num_integer::div_ceil`), with the divisor clamped to
  at least 1; the 1/3 discount of contract code truncates toward zero;
* the rent write fee works in i128 (saturating) and maps any negative or
  too large intermediate to i64::MAX (the host's `clamp_fee`).

Protocols: soroban-env-host 23.0.0, 24.0.0 and 25.0.0 (the hosts stellar-core
v25.0.1 links for protocols 23, 24 and 25) have the same `src/fees.rs`, so one
rule serves p23-p25 (FEE_RULE_PROTOCOLS). What changed between protocols is
in the inputs stellar-core builds (the flat write fee of p23, in-memory reads
not counted as disk reads), which lives with the network config and the
transaction frames.
"""
from libc.stdint cimport int64_t, uint32_t, uint64_t, INT64_MAX, INT64_MIN, UINT32_MAX, UINT64_MAX
from libc.stdlib cimport malloc, free

# Compiler builtins (gcc/clang): overflow-checked arithmetic, generic over the
# operand types, and the 128-bit integer the host's rent write fee uses.
cdef extern from *:
    ctypedef long long i128 "__int128"
    bint add_overflow_i64 "__builtin_add_overflow"(int64_t a, int64_t b, int64_t *res) noexcept nogil
    bint sub_overflow_i64 "__builtin_sub_overflow"(int64_t a, int64_t b, int64_t *res) noexcept nogil
    bint mul_overflow_i64 "__builtin_mul_overflow"(int64_t a, int64_t b, int64_t *res) noexcept nogil
    bint mul_overflow_i128 "__builtin_mul_overflow"(i128 a, i128 b, i128 *res) noexcept nogil


# The host's constants (soroban-env-host src/fees.rs).
TX_BASE_RESULT_SIZE = 300
TTL_ENTRY_SIZE = 48
INSTRUCTIONS_INCREMENT = 10000
DATA_SIZE_1KB_INCREMENT = 1024
MINIMUM_RENT_WRITE_FEE_PER_1KB = 1000
CODE_ENTRY_RENT_DISCOUNT_FACTOR = 3
FEE_RULE_PROTOCOLS = (23, 24, 25)

cdef uint32_t C_TX_BASE_RESULT_SIZE = 300
cdef uint32_t C_TTL_ENTRY_SIZE = 48
cdef int64_t C_INSTRUCTIONS_INCREMENT = 10000
cdef int64_t C_DATA_SIZE_1KB_INCREMENT = 1024
cdef int64_t C_MINIMUM_RENT_WRITE_FEE_PER_1KB = 1000
cdef int64_t C_CODE_ENTRY_RENT_DISCOUNT_FACTOR = 3

# i128 bounds: (2^63 - 1) * 2^64 + (2^64 - 1) = 2^127 - 1.
cdef i128 I128_MAX = ((<i128>INT64_MAX) << 64) | (<i128>UINT64_MAX)
cdef i128 I128_MIN = -I128_MAX - 1


# ---- saturating integer helpers (Rust's saturating_* on i64 / u32 / i128) ----

cdef inline int64_t sat_add(int64_t a, int64_t b) noexcept nogil:
    cdef int64_t r
    if add_overflow_i64(a, b, &r):
        return INT64_MAX if b > 0 else INT64_MIN
    return r


cdef inline int64_t sat_sub(int64_t a, int64_t b) noexcept nogil:
    cdef int64_t r
    if sub_overflow_i64(a, b, &r):
        return INT64_MAX if b < 0 else INT64_MIN
    return r


cdef inline int64_t sat_mul(int64_t a, int64_t b) noexcept nogil:
    cdef int64_t r
    if mul_overflow_i64(a, b, &r):
        return INT64_MIN if (a < 0) != (b < 0) else INT64_MAX
    return r


cdef inline i128 sat_mul_128(i128 a, i128 b) noexcept nogil:
    cdef i128 r
    if mul_overflow_i128(a, b, &r):
        return I128_MIN if (a < 0) != (b < 0) else I128_MAX
    return r


cdef inline uint32_t sat_add_u32(uint32_t a, uint32_t b) noexcept nogil:
    cdef uint64_t s = <uint64_t>a + b
    return UINT32_MAX if s > UINT32_MAX else <uint32_t>s


cdef inline int64_t div_ceil_pos(int64_t num, int64_t den) noexcept nogil:
    """num / den rounded up, for den >= 1 (C division truncates toward zero,
    so a positive remainder means the true quotient was above q)."""
    cdef int64_t q = num / den
    if num % den > 0:
        q += 1
    return q


cdef inline i128 div_ceil_pos_128(i128 num, i128 den) noexcept nogil:
    cdef i128 q = num / den
    if num % den > 0:
        q += 1
    return q


cdef inline int64_t clamp_fee_i64(int64_t v) noexcept nogil:
    """The host's clamp_fee: a negative fee is treated as 'too expensive'."""
    return INT64_MAX if v < 0 else v


cdef inline int64_t clamp_fee_i128(i128 v) noexcept nogil:
    if v < 0 or v > <i128>INT64_MAX:
        return INT64_MAX
    return <int64_t>v


cdef inline int64_t fee_per_increment(uint32_t resource, int64_t rate, int64_t increment) noexcept nogil:
    return div_ceil_pos(sat_mul(<int64_t>resource, rate), increment if increment > 1 else 1)


# ---- kernels ----

cdef FeePair transaction_resource_fee_c(const TxResources *r, const FeeConfig *f) noexcept nogil:
    cdef int64_t compute = fee_per_increment(r.instructions, f.fee_per_instruction_increment,
                                             C_INSTRUCTIONS_INCREMENT)
    cdef int64_t read_entries = sat_mul(f.fee_per_disk_read_entry, <int64_t>r.disk_read_entries)
    cdef int64_t write_entries = sat_mul(f.fee_per_write_entry, <int64_t>r.write_entries)
    cdef int64_t read_bytes = fee_per_increment(r.disk_read_bytes, f.fee_per_disk_read_1kb,
                                                C_DATA_SIZE_1KB_INCREMENT)
    cdef int64_t write_bytes = fee_per_increment(r.write_bytes, f.fee_per_write_1kb,
                                                 C_DATA_SIZE_1KB_INCREMENT)
    # History stores the envelope plus a result of roughly fixed size.
    cdef int64_t historical = fee_per_increment(
        sat_add_u32(r.transaction_size_bytes, C_TX_BASE_RESULT_SIZE),
        f.fee_per_historical_1kb, C_DATA_SIZE_1KB_INCREMENT)
    cdef int64_t events = fee_per_increment(r.contract_events_size_bytes,
                                            f.fee_per_contract_event_1kb, C_DATA_SIZE_1KB_INCREMENT)
    cdef int64_t bandwidth = fee_per_increment(r.transaction_size_bytes,
                                               f.fee_per_transaction_size_1kb,
                                               C_DATA_SIZE_1KB_INCREMENT)
    cdef FeePair out
    out.refundable = events
    out.non_refundable = sat_add(sat_add(sat_add(sat_add(sat_add(sat_add(
        compute, read_entries), write_entries), read_bytes), write_bytes), historical), bandwidth)
    return out


cdef inline int64_t rent_for_size_and_ledgers(bint is_persistent, uint32_t size, uint32_t ledgers,
                                              const RentFeeConfig *f) noexcept nogil:
    cdef int64_t num = sat_mul(sat_mul(<int64_t>size, f.fee_per_rent_1kb), <int64_t>ledgers)
    cdef int64_t den = sat_mul(C_DATA_SIZE_1KB_INCREMENT,
                               f.persistent_rent_rate_denominator if is_persistent
                               else f.temporary_rent_rate_denominator)
    return div_ceil_pos(num, den if den > 1 else 1)


cdef inline int64_t rent_fee_of_change(const RentChange *e, const RentFeeConfig *f,
                                       uint32_t current_ledger) noexcept nogil:
    cdef bint is_new = e.old_size_bytes == 0 and e.old_live_until_ledger == 0
    cdef uint32_t before_extension
    cdef int64_t fee = 0
    if is_new:
        before_extension = current_ledger - 1 if current_ledger > 0 else 0
    else:
        before_extension = e.old_live_until_ledger
    # Ledgers (before_extension, new_live_until] are paid at the new size.
    if e.new_live_until_ledger >= before_extension:
        fee = sat_add(fee, rent_for_size_and_ledgers(
            e.is_persistent, e.new_size_bytes, e.new_live_until_ledger - before_extension, f))
    # Ledgers [current, old_live_until] were prepaid at the old size: a size
    # increase tops them up.
    if (not is_new and e.old_live_until_ledger >= current_ledger
            and e.new_size_bytes >= e.old_size_bytes):
        fee = sat_add(fee, rent_for_size_and_ledgers(
            e.is_persistent, e.new_size_bytes - e.old_size_bytes,
            sat_add_u32(e.old_live_until_ledger - current_ledger, 1), f))
    if e.is_code_entry:
        fee = fee / C_CODE_ENTRY_RENT_DISCOUNT_FACTOR
    return fee


cdef int64_t rent_fee_c(const RentChange *changes, size_t n, const RentFeeConfig *f,
                        uint32_t current_ledger) noexcept nogil:
    cdef int64_t fee = 0
    cdef int64_t extended = 0
    cdef uint32_t ttl_bytes = 0
    cdef size_t i
    for i in range(n):
        fee = sat_add(fee, rent_fee_of_change(&changes[i], f, current_ledger))
        if changes[i].old_live_until_ledger < changes[i].new_live_until_ledger:
            extended = sat_add(extended, 1)
            ttl_bytes = sat_add_u32(ttl_bytes, C_TTL_ENTRY_SIZE)
    # Each extension rewrites a TTL entry of fixed size.
    fee = sat_add(fee, sat_mul(f.fee_per_write_entry, extended))
    fee = sat_add(fee, fee_per_increment(ttl_bytes, f.fee_per_write_1kb, C_DATA_SIZE_1KB_INCREMENT))
    return fee


cdef int64_t rent_write_fee_per_1kb_c(int64_t state_size_bytes,
                                      const RentWriteFeeConfig *f) noexcept nogil:
    cdef int64_t slope = clamp_fee_i64(sat_sub(f.rent_fee_1kb_state_size_high,
                                               f.rent_fee_1kb_state_size_low))
    cdef i128 den = <i128>f.state_target_size_bytes
    cdef int64_t fee
    cdef int64_t past_target
    if den < 1:
        den = 1
    if state_size_bytes < f.state_target_size_bytes:
        # Linear from `low` at size 0 to `high` at the target. The i64 x i64
        # product always fits in i128.
        fee = clamp_fee_i128(div_ceil_pos_128(<i128>slope * <i128>state_size_bytes, den))
        fee = sat_add(fee, f.rent_fee_1kb_state_size_low)
    else:
        # Past the target the slope is multiplied by the growth factor.
        past_target = sat_sub(state_size_bytes, f.state_target_size_bytes)
        fee = clamp_fee_i128(div_ceil_pos_128(
            sat_mul_128(<i128>slope * <i128>past_target,
                        <i128>f.state_size_rent_fee_growth_factor), den))
        fee = sat_add(f.rent_fee_1kb_state_size_high, fee)
    return fee if fee > C_MINIMUM_RENT_WRITE_FEE_PER_1KB else C_MINIMUM_RENT_WRITE_FEE_PER_1KB


# ---- Python entry points: read bridge_types values (or dicts with the same
# keys, as the bridge does); out-of-range fields raise OverflowError, as the
# bridge's conversions to the same C types do ----

cdef inline object _field(object o, str name):
    # getattr, not the instance __dict__: on Python 3.11+ touching __dict__
    # materializes it, which costs more than it saves on fresh values.
    if type(o) is dict:
        return (<dict>o)[name]
    return getattr(o, name)


cdef int _read_resources(TxResources *r, object o) except -1:
    r.instructions = _field(o, "instructions")
    r.disk_read_entries = _field(o, "disk_read_entries")
    r.write_entries = _field(o, "write_entries")
    r.disk_read_bytes = _field(o, "disk_read_bytes")
    r.write_bytes = _field(o, "write_bytes")
    r.contract_events_size_bytes = _field(o, "contract_events_size_bytes")
    r.transaction_size_bytes = _field(o, "transaction_size_bytes")
    return 0


cdef int _read_fee_config(FeeConfig *f, object o) except -1:
    f.fee_per_instruction_increment = _field(o, "fee_per_instruction_increment")
    f.fee_per_disk_read_entry = _field(o, "fee_per_disk_read_entry")
    f.fee_per_write_entry = _field(o, "fee_per_write_entry")
    f.fee_per_disk_read_1kb = _field(o, "fee_per_disk_read_1kb")
    f.fee_per_write_1kb = _field(o, "fee_per_write_1kb")
    f.fee_per_historical_1kb = _field(o, "fee_per_historical_1kb")
    f.fee_per_contract_event_1kb = _field(o, "fee_per_contract_event_1kb")
    f.fee_per_transaction_size_1kb = _field(o, "fee_per_transaction_size_1kb")
    return 0


cdef int _read_rent_change(RentChange *c, object o) except -1:
    c.is_persistent = True if _field(o, "is_persistent") else False
    c.is_code_entry = True if _field(o, "is_code_entry") else False
    c.old_size_bytes = _field(o, "old_size_bytes")
    c.new_size_bytes = _field(o, "new_size_bytes")
    c.old_live_until_ledger = _field(o, "old_live_until_ledger")
    c.new_live_until_ledger = _field(o, "new_live_until_ledger")
    return 0


cdef int _read_rent_fee_config(RentFeeConfig *f, object o) except -1:
    f.fee_per_write_1kb = _field(o, "fee_per_write_1kb")
    f.fee_per_rent_1kb = _field(o, "fee_per_rent_1kb")
    f.fee_per_write_entry = _field(o, "fee_per_write_entry")
    f.persistent_rent_rate_denominator = _field(o, "persistent_rent_rate_denominator")
    f.temporary_rent_rate_denominator = _field(o, "temporary_rent_rate_denominator")
    return 0


cdef int _read_rent_write_fee_config(RentWriteFeeConfig *f, object o) except -1:
    f.state_target_size_bytes = _field(o, "state_target_size_bytes")
    f.rent_fee_1kb_state_size_low = _field(o, "rent_fee_1kb_state_size_low")
    f.rent_fee_1kb_state_size_high = _field(o, "rent_fee_1kb_state_size_high")
    f.state_size_rent_fee_growth_factor = _field(o, "state_size_rent_fee_growth_factor")
    return 0


def compute_transaction_resource_fee(resources, fee_config):
    """(non_refundable_fee, refundable_fee) of a TransactionResources under a
    FeeConfiguration: the host's `compute_transaction_resource_fee`. Only the
    contract events fee is refundable; everything else (CPU, disk reads,
    writes, history, bandwidth) is charged up front."""
    cdef TxResources r
    cdef FeeConfig f
    _read_resources(&r, resources)
    _read_fee_config(&f, fee_config)
    cdef FeePair p = transaction_resource_fee_c(&r, &f)
    return p.non_refundable, p.refundable


cdef enum:
    SMALL_CHANGES = 16    # rent changes converted on the stack


cdef object _rent_fee_of(object changed_entries, const RentFeeConfig *f, uint32_t current_ledger_seq):
    """Converts the rent changes (on the stack when few) and runs the kernel."""
    cdef RentChange small[SMALL_CHANGES]
    cdef RentChange *arr = small
    cdef list items = changed_entries if type(changed_entries) is list else list(changed_entries)
    cdef Py_ssize_t n = len(items), i
    if n > SMALL_CHANGES:
        arr = <RentChange *>malloc(n * sizeof(RentChange))
        if arr == NULL:
            raise MemoryError()
    try:
        for i in range(n):
            _read_rent_change(&arr[i], items[i])
        return rent_fee_c(arr, <size_t>n, f, current_ledger_seq)
    finally:
        if arr != small:
            free(arr)


def compute_rent_fee(changed_entries, rent_fee_config, uint32_t current_ledger_seq):
    """Rent fee of an iterable of LedgerEntryRentChange under a
    RentFeeConfiguration at ledger `current_ledger_seq`: the host's
    `compute_rent_fee` (TTL extensions at the new size, size increases over
    already paid ledgers, code entries at a third, plus the TTL entry writes
    of every extension)."""
    cdef RentFeeConfig f
    _read_rent_fee_config(&f, rent_fee_config)
    return _rent_fee_of(changed_entries, &f, current_ledger_seq)


def compute_rent_write_fee_per_1kb(int64_t soroban_state_size_bytes, rent_write_fee_config):
    """Rent fee per 1KB for a Soroban state size under a
    RentWriteFeeConfiguration: the host's `compute_rent_write_fee_per_1kb`
    (linear from low to high up to the target size, then growing by
    `state_size_rent_fee_growth_factor` times the same slope, never below
    MINIMUM_RENT_WRITE_FEE_PER_1KB)."""
    cdef RentWriteFeeConfig f
    _read_rent_write_fee_config(&f, rent_write_fee_config)
    return rent_write_fee_per_1kb_c(soroban_state_size_bytes, &f)


cdef class FeeCalculator:
    """The fee configurations of a ledger converted once, for the many
    transactions and rent charges computed under them (stellar-core builds
    them from the network config per ledger). Same results as the module
    functions; per call only the transaction's own values are converted."""
    cdef FeeConfig fee
    cdef RentFeeConfig rent
    cdef bint has_fee
    cdef bint has_rent

    def __init__(self, fee_config=None, rent_fee_config=None):
        self.has_fee = fee_config is not None
        self.has_rent = rent_fee_config is not None
        if self.has_fee:
            _read_fee_config(&self.fee, fee_config)
        if self.has_rent:
            _read_rent_fee_config(&self.rent, rent_fee_config)

    cdef int _need(self, bint have, str what) except -1:
        if not have:
            raise ValueError(f"FeeCalculator built without a {what}")
        return 0

    def transaction_resource_fee(self, resources):
        """compute_transaction_resource_fee(resources, <this fee config>)."""
        self._need(self.has_fee, "FeeConfiguration")
        cdef TxResources r
        _read_resources(&r, resources)
        cdef FeePair p = transaction_resource_fee_c(&r, &self.fee)
        return p.non_refundable, p.refundable

    def transaction_resource_fee_of(self, uint32_t instructions, uint32_t disk_read_entries,
                                    uint32_t write_entries, uint32_t disk_read_bytes,
                                    uint32_t write_bytes, uint32_t contract_events_size_bytes,
                                    uint32_t transaction_size_bytes):
        """The same from the seven resource numbers (no TransactionResources
        object to build: what a frame holding them as ints calls)."""
        self._need(self.has_fee, "FeeConfiguration")
        cdef TxResources r
        r.instructions = instructions
        r.disk_read_entries = disk_read_entries
        r.write_entries = write_entries
        r.disk_read_bytes = disk_read_bytes
        r.write_bytes = write_bytes
        r.contract_events_size_bytes = contract_events_size_bytes
        r.transaction_size_bytes = transaction_size_bytes
        cdef FeePair p = transaction_resource_fee_c(&r, &self.fee)
        return p.non_refundable, p.refundable

    def rent_fee(self, changed_entries, uint32_t current_ledger_seq):
        """compute_rent_fee(changed_entries, <this rent config>, current_ledger_seq)."""
        self._need(self.has_rent, "RentFeeConfiguration")
        return _rent_fee_of(changed_entries, &self.rent, current_ledger_seq)
