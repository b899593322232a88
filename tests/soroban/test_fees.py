"""stellarcore.soroban.fees (our Cython fee formulas) against facts we did not
write:

* the vectors of soroban-env-host's own fee tests (tests/fees.rs, identical
  in 23.0.0, 24.0.0 and 25.0.0: the hosts stellar-core v25.0.1 links);
* stellar-core v25.0.1's InvokeHostFunctionTests.cpp "Soroban non-refundable
  resource fees are stable" (the expected non-refundable fees of p23+);
* the hosts themselves through the bridge: hypothesis-generated resources,
  configurations and rent changes over the whole input domain (u32 / i64
  bounds, zero and negative rates and denominators, saturation), on each of
  p23, p24 and p25.
"""
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from stellarcore.soroban import bridge, fees
from stellarcore.soroban.bridge_types import (
    FeeConfiguration, LedgerEntryRentChange, RentFeeConfiguration, RentWriteFeeConfiguration,
    TransactionResources,
)

PROTOCOLS = (23, 24, 25)
U32 = 2**32 - 1
I64_MAX = 2**63 - 1
I64_MIN = -2**63

needs_bridge = pytest.mark.skipif(not bridge.available(),
                                  reason=f"Soroban bridge library not built: {bridge.unavailable_reason()}")


def res(**kw):
    return TransactionResources(**kw)


def change(persistent, code, old_size, new_size, old_live, new_live):
    return LedgerEntryRentChange(is_persistent=persistent, is_code_entry=code,
                                 old_size_bytes=old_size, new_size_bytes=new_size,
                                 old_live_until_ledger=old_live, new_live_until_ledger=new_live)


# ------------------------------------------------- host crate's vectors
# soroban-env-host tests/fees.rs

def test_host_constants():
    assert fees.TX_BASE_RESULT_SIZE == 300
    assert fees.TTL_ENTRY_SIZE == 48
    assert fees.MINIMUM_RENT_WRITE_FEE_PER_1KB == 1000
    assert fees.CODE_ENTRY_RENT_DISCOUNT_FACTOR == 3
    assert fees.FEE_RULE_PROTOCOLS == PROTOCOLS


SINGLE = FeeConfiguration(1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000)
BASE_HIST = 1758   # ceil(6000 * 300 / 1024): every tx pays for a 300-byte result

# resource_fee_computation_with_single_resource: (field, value, (non_refundable, refundable))
SINGLE_RESOURCE = [
    ("instructions", 1, (1 + BASE_HIST, 0)),
    ("instructions", 10000, (1000 + BASE_HIST, 0)),
    ("instructions", 123_451_234, (12_345_124 + BASE_HIST, 0)),
    ("instructions", U32, (429_496_730 + BASE_HIST, 0)),
    ("disk_read_entries", 1, (2000 + BASE_HIST, 0)),
    ("disk_read_entries", 5, (10_000 + BASE_HIST, 0)),
    ("disk_read_entries", U32, (8_589_934_590_000 + BASE_HIST, 0)),
    ("write_entries", 1, (3000 + BASE_HIST, 0)),
    ("write_entries", 5, (15_000 + BASE_HIST, 0)),
    ("write_entries", U32, (12_884_901_885_000 + BASE_HIST, 0)),
    ("disk_read_bytes", 1, (4 + BASE_HIST, 0)),
    ("disk_read_bytes", 5 * 1024, (20_000 + BASE_HIST, 0)),
    ("disk_read_bytes", 5 * 1024 + 1, (20_004 + BASE_HIST, 0)),
    ("disk_read_bytes", U32, (16_777_215_997 + BASE_HIST, 0)),
    ("write_bytes", 1, (5 + BASE_HIST, 0)),
    ("write_bytes", 5 * 1024, (25_000 + BASE_HIST, 0)),
    ("write_bytes", 5 * 1024 + 1, (25_005 + BASE_HIST, 0)),
    ("write_bytes", U32, (20_971_519_996 + BASE_HIST, 0)),
    ("transaction_size_bytes", 1, (6 + 8 + BASE_HIST, 0)),
    ("transaction_size_bytes", 5 * 1024, (70_000 + BASE_HIST, 0)),
    ("transaction_size_bytes", 5 * 1024 + 1, (30_006 + 40_008 + BASE_HIST, 0)),
    # u32 saturation swallows the 300 result bytes
    ("transaction_size_bytes", U32, (25_165_823_995 + 33_554_431_993, 0)),
    ("contract_events_size_bytes", 1, (BASE_HIST, 7)),
    ("contract_events_size_bytes", 5 * 1024, (BASE_HIST, 35_000)),
    ("contract_events_size_bytes", 5 * 1024 + 1, (BASE_HIST, 35_007)),
    ("contract_events_size_bytes", U32, (BASE_HIST, 29_360_127_994)),
]


@pytest.mark.parametrize("field,value,expected", SINGLE_RESOURCE)
def test_host_vector_single_resource(field, value, expected):
    assert fees.compute_transaction_resource_fee(res(**{field: value}), SINGLE) == expected


def test_host_vector_read_and_write_entries():
    assert fees.compute_transaction_resource_fee(res(write_entries=1, disk_read_entries=1), SINGLE) == (
        2000 + 3000 + BASE_HIST, 0)


def test_host_vector_resource_fee_computation():
    f = fees.compute_transaction_resource_fee
    cfg100 = FeeConfiguration(*([100] * 8))
    assert f(res(), cfg100) == (30, 0)
    assert f(TransactionResources(*([1] * 7)), cfg100) == (234, 1)
    assert f(TransactionResources(10_123_456, 30, 10, 25_600, 10_340, 321_654, 35_721),
             FeeConfiguration(1000, 2000, 4000, 1500, 3000, 300, 200, 900)) == (1_222_089, 62824)
    # integer limits: everything saturates, the events fee is i64::MAX / 1024 rounded up
    assert f(TransactionResources(*([U32] * 7)), FeeConfiguration(*([I64_MAX] * 8))) == (
        I64_MAX, 9_007_199_254_740_992)


RENT_10 = RentFeeConfiguration(fee_per_write_1kb=500, fee_per_rent_1kb=1000, fee_per_write_entry=10,
                               persistent_rent_rate_denominator=10_000,
                               temporary_rent_rate_denominator=100_000)
RENT_100 = RentFeeConfiguration(fee_per_write_1kb=500, fee_per_rent_1kb=1000, fee_per_write_entry=100,
                                persistent_rent_rate_denominator=10_000,
                                temporary_rent_rate_denominator=100_000)
P, T = True, False
KB10 = 10 * 1024

# (config, ledger, [(persistent, code, old_size, new_size, old_live, new_live)], expected)
RENT_VECTORS = [
    # test_rent_extend_fees_with_only_extend
    (RENT_10, 50_000, [(P, False, 1, 1, 100_000, 300_000)], 20 + 24 + 10),
    (RENT_10, 50_000, [(P, False, KB10, KB10, 100_000, 100_001)], 1 + 34),
    (RENT_10, 50_000, [(P, False, 1, 1, 100_000, 100_001)], 1 + 34),
    (RENT_10, 50_000, [(P, False, KB10, KB10, 100_000, 300_000)], 200_000 + 34),
    (RENT_10, 50_000, [(P, True, KB10, KB10, 100_000, 300_000)], 66_666 + 34),
    (RENT_10, 50_000, [(P, False, KB10, 5 * 1024, 100_000, 300_000)], 100_000 + 34),
    (RENT_10, 50_000, [(T, False, KB10, KB10, 100_000, 300_000)], 20_000 + 34),
    (RENT_10, 50_000, [(T, False, KB10, KB10, 100_000, 300_000),
                       (P, False, KB10, KB10, 100_000, 300_000),
                       (P, True, KB10, KB10, 100_000, 300_000),
                       (P, False, 1, 1, 100_000, 100_001),
                       (P, False, 1, 1, 100_000, 300_000),
                       (P, False, KB10, KB10, 100_000, 300_000),
                       (T, False, KB10, KB10, 100_000, 300_000)], 506_687 + 165 + 70),
    # test_rent_extend_fees_with_only_size_change
    (RENT_100, 25_000, [(P, False, 1, 100_000, 100_000, 100_000)], 732_425),
    (RENT_100, 25_000, [(P, True, 1, 100_000, 100_000, 100_000)], 732_425 // 3),
    (RENT_100, 25_000, [(T, False, 1, 100_000, 100_000, 100_000)], 73_243),
    (RENT_100, 25_000, [(P, False, 99_999, 100_000, 100_000, 100_000)], 8),
    (RENT_100, 99_999, [(P, False, 1, 100_000, 100_000, 100_000)], 20),
    (RENT_100, 25_000, [(P, False, 1, 100_000, 100_000, 100_000),
                        (P, True, 1, 100_000, 100_000, 100_000),
                        (T, False, 1, 100_000, 100_000, 100_000)], 1_049_809),
    # test_rent_extend_with_size_change_and_extend
    (RENT_10, 25_000, [(P, False, 1, 100_000, 100_000, 300_000)], 2_685_550 + 34),
    (RENT_10, 25_000, [(P, True, 1, 100_000, 100_000, 300_000)], 2_685_550 // 3 + 34),
    (RENT_10, 25_000, [(T, False, 1, 100_000, 100_000, 300_000)], 268_556 + 34),
    (RENT_10, 25_000, [(P, False, 1, 100_000, 100_000, 300_000),
                       (P, True, 1, 100_000, 100_000, 300_000),
                       (T, False, 1, 100_000, 100_000, 300_000)], 3_849_289 + 71 + 30),
    (RENT_10, 99_999, [(P, False, 1, 2, 100_000, 100_001)], 2 + 34),
    # test_rent_extend_without_old_entry
    (RENT_10, 25_000, [(P, False, 0, 100_000, 0, 100_000)], 732_432 + 34),
    (RENT_10, 25_000, [(T, False, 0, 100_000, 0, 100_000)], 73_244 + 34),
]


@pytest.mark.parametrize("cfg,ledger,changes,expected", RENT_VECTORS)
def test_host_vector_rent_fee(cfg, ledger, changes, expected):
    assert fees.compute_rent_fee([change(*c) for c in changes], cfg, ledger) == expected


def test_rent_fee_of_nothing_is_zero():
    assert fees.compute_rent_fee([], RENT_10, 50_000) == 0


WRITE_CFG = RentWriteFeeConfiguration(100_000, 100, 10_000, 50)
LARGE_WRITE_CFG = RentWriteFeeConfiguration(100_000_000_000_000, 1_000_000, 1_000_000_000, 50)
NEG_LOW_CFG = RentWriteFeeConfiguration(100_000, -1_000, 10_000, 50)
FLAT_CFG = RentWriteFeeConfiguration(100_000, 10, 20, 50)

# test_compute_rent_write_fee, test_compute_write_fee_with_negative_low,
# test_compute_write_fee_clamp_after_target
RENT_WRITE_VECTORS = [
    (WRITE_CFG, 0, 1000),
    (WRITE_CFG, 50_000, 100 + (10_000 - 100) // 2),
    (WRITE_CFG, 56_789, 5723),
    (WRITE_CFG, 100_000, 10_000),
    (WRITE_CFG, 150_000, 10_000 + 50 * (10_000 - 100) // 2),
    (WRITE_CFG, 580_000, 10_000 + 2_376_000),
    (LARGE_WRITE_CFG, 50_000_000_000_000, 1_000_000 + (1_000_000_000 - 1_000_000) // 2),
    (LARGE_WRITE_CFG, 150_000_000_000_000, 1_000_000_000 + 50 * (1_000_000_000 - 1_000_000) // 2),
    (NEG_LOW_CFG, 18_181, 1000),
    (NEG_LOW_CFG, 18_182, 1001),
    (NEG_LOW_CFG, 150_000, 10_000 + 50 * (10_000 + 1_000) // 2),
    (FLAT_CFG, 100_001, 1000),
]


@pytest.mark.parametrize("cfg,size,expected", RENT_WRITE_VECTORS)
def test_host_vector_rent_write_fee(cfg, size, expected):
    assert fees.compute_rent_write_fee_per_1kb(size, cfg) == expected


# ------------------------------------------------- stellar-core's vectors
# InvokeHostFunctionTests.cpp, TEST_CASE_VERSIONS "Soroban non-refundable
# resource fees are stable", protocol 23+ branch: an upload tx of 1196 bytes,
# flat write fee 1000, in-memory (Soroban) footprint reads not counted.
CORE_CFG = FeeConfiguration(fee_per_instruction_increment=1000, fee_per_disk_read_entry=2000,
                            fee_per_write_entry=3000, fee_per_disk_read_1kb=4000,
                            fee_per_write_1kb=1000, fee_per_historical_1kb=6000,
                            fee_per_contract_event_1kb=10_000, fee_per_transaction_size_1kb=8000)
BASE_TX = 1758 + 16_352
FOOTPRINT_6 = 2954   # 6 more footprint keys = 216 more tx bytes


@pytest.mark.parametrize("resources,expected", [
    (res(transaction_size_bytes=1196), BASE_TX),
    (res(transaction_size_bytes=1196, instructions=12_345_678), 1_234_568 + BASE_TX),
    (res(transaction_size_bytes=1196 + 216), BASE_TX + FOOTPRINT_6),                      # RO only
    (res(transaction_size_bytes=1196 + 216, write_entries=6), BASE_TX + FOOTPRINT_6 + 3000 * 6),
    (res(transaction_size_bytes=1196 + 216, write_entries=3), BASE_TX + FOOTPRINT_6 + 3000 * 3),
    (res(transaction_size_bytes=1196, disk_read_bytes=5 * 1024 + 1), 20_004 + BASE_TX),
    (res(transaction_size_bytes=1196, write_bytes=5 * 1024 + 1), 5001 + BASE_TX),
])
def test_stellar_core_non_refundable_fees_are_stable(resources, expected):
    non_refundable, refundable = fees.compute_transaction_resource_fee(resources, CORE_CFG)
    assert non_refundable == expected
    assert refundable == 0


# ------------------------------------------------- input handling

def test_dict_inputs_as_the_bridge_accepts():
    r = dict(vars(res(instructions=10_000, transaction_size_bytes=100)))
    assert fees.compute_transaction_resource_fee(r, dict(vars(SINGLE))) == \
        fees.compute_transaction_resource_fee(res(instructions=10_000, transaction_size_bytes=100), SINGLE)
    ch = [dict(vars(change(P, False, 1, 1, 100_000, 300_000)))]
    assert fees.compute_rent_fee(ch, dict(vars(RENT_10)), 50_000) == 54
    assert fees.compute_rent_write_fee_per_1kb(56_789, dict(vars(WRITE_CFG))) == 5723


def test_rent_changes_any_iterable_and_many():
    one = change(P, False, 1, 1, 100_000, 300_000)
    assert fees.compute_rent_fee(iter([one] * 3), RENT_10, 50_000) == 3 * 20 + 10 * 3 + 71
    # more than fit on the stack array
    assert fees.compute_rent_fee((one,) * 1000, RENT_10, 50_000) == 1000 * 20 + 10 * 1000 + 23_438


class _Slotted:
    """No instance __dict__: fields come through getattr."""
    __slots__ = tuple(TransactionResources.__dataclass_fields__)

    def __init__(self, r):
        for k in self.__slots__:
            setattr(self, k, getattr(r, k))


class _WithProperty:
    """A field that is a property, not in the instance dict."""
    def __init__(self):
        self.fee_per_write_1kb, self.fee_per_write_entry = 500, 10
        self.persistent_rent_rate_denominator, self.temporary_rent_rate_denominator = 10_000, 100_000

    @property
    def fee_per_rent_1kb(self):
        return 1000


def test_field_sources_other_than_dataclasses():
    r = res(instructions=123_456, write_bytes=5000, transaction_size_bytes=700)
    assert fees.compute_transaction_resource_fee(_Slotted(r), SINGLE) == \
        fees.compute_transaction_resource_fee(r, SINGLE)
    assert fees.compute_rent_fee([change(P, False, 1, 1, 100_000, 300_000)], _WithProperty(), 50_000) == 54
    with pytest.raises(KeyError):
        fees.compute_transaction_resource_fee({"instructions": 1}, SINGLE)
    with pytest.raises(AttributeError):
        fees.compute_transaction_resource_fee(object(), SINGLE)


@settings(max_examples=300, deadline=None)
@given(r=st.builds(TransactionResources, *([st.integers(0, U32)] * 7)),
       cfg=st.builds(FeeConfiguration, *([st.integers(I64_MIN, I64_MAX)] * 8)))
def test_fee_calculator_is_the_module_function(r, cfg):
    calc = fees.FeeCalculator(cfg, RENT_10)
    expected = fees.compute_transaction_resource_fee(r, cfg)
    assert calc.transaction_resource_fee(r) == expected
    assert calc.transaction_resource_fee_of(r.instructions, r.disk_read_entries, r.write_entries,
                                            r.disk_read_bytes, r.write_bytes, r.contract_events_size_bytes,
                                            r.transaction_size_bytes) == expected


def test_fee_calculator_rent_and_missing_configs():
    for cfg, ledger, changes, expected in RENT_VECTORS:
        assert fees.FeeCalculator(rent_fee_config=cfg).rent_fee([change(*c) for c in changes], ledger) == expected
    with pytest.raises(ValueError):
        fees.FeeCalculator(rent_fee_config=RENT_10).transaction_resource_fee(res())
    with pytest.raises(ValueError):
        fees.FeeCalculator(SINGLE).rent_fee([], 1)
    with pytest.raises(OverflowError):
        fees.FeeCalculator(SINGLE).transaction_resource_fee_of(-1, 0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize("bad", [
    lambda: fees.compute_transaction_resource_fee(res(instructions=-1), SINGLE),
    lambda: fees.compute_transaction_resource_fee(res(write_bytes=2**32), SINGLE),
    lambda: fees.compute_transaction_resource_fee(res(), FeeConfiguration(fee_per_write_1kb=2**63)),
    lambda: fees.compute_rent_fee([change(P, False, -1, 1, 1, 1)], RENT_10, 1),
    lambda: fees.compute_rent_fee([], RENT_10, 2**32),
    lambda: fees.compute_rent_write_fee_per_1kb(2**63, WRITE_CFG),
    lambda: fees.compute_rent_write_fee_per_1kb(0, RentWriteFeeConfiguration(1, 1, 1, -1)),
])
def test_out_of_range_inputs_raise_overflow_error(bad):
    with pytest.raises(OverflowError):
        bad()


@needs_bridge
def test_out_of_range_inputs_raise_the_same_in_the_bridge():
    """Same domain as the host path: same C field types, same errors."""
    with pytest.raises(OverflowError):
        bridge.compute_transaction_resource_fee(25, res(instructions=-1), SINGLE)
    with pytest.raises(OverflowError):
        bridge.compute_rent_write_fee_per_1kb(25, 0, RentWriteFeeConfiguration(1, 1, 1, -1))


# ------------------------------------------------- against the hosts

EDGE_U32 = [0, 1, 2, 299, 300, 1023, 1024, 1025, 9999, 10_000, 2**31 - 1, 2**31, U32 - 300, U32 - 1, U32]
EDGE_I64 = [0, 1, -1, 2, 3, 1000, 1024, 10_000, -1024, 2**31, 2**32, 2**53, 2**62,
            I64_MAX // 1024, I64_MAX // 10_000 + 1, I64_MAX - 1, I64_MAX, I64_MIN, I64_MIN + 1]

u32s = st.one_of(st.integers(0, U32), st.sampled_from(EDGE_U32), st.integers(0, 100_000))
i64s = st.one_of(st.integers(I64_MIN, I64_MAX), st.sampled_from(EDGE_I64), st.integers(-10, 100_000))
rates = st.one_of(i64s, st.integers(0, 10**7))     # realistic network values and anything else

resources_st = st.builds(TransactionResources, u32s, u32s, u32s, u32s, u32s, u32s, u32s)
fee_config_st = st.builds(FeeConfiguration, rates, rates, rates, rates, rates, rates, rates, rates)
rent_cfg_st = st.builds(RentFeeConfiguration, rates, rates, rates,
                        st.one_of(rates, st.integers(1, 10**7)), st.one_of(rates, st.integers(1, 10**7)))
write_cfg_st = st.builds(RentWriteFeeConfiguration,
                         st.one_of(i64s, st.integers(0, 2**40)), rates, rates,
                         st.one_of(u32s, st.integers(0, 100)))
state_size_st = st.one_of(i64s, st.integers(0, 2**40))


def _rent_change_near(ledger):
    """Rent changes whose ledgers are mostly around `ledger` (new entries,
    extensions, shrinking/growing, expired, past-TTL), sometimes anywhere."""
    near = st.one_of(st.builds(lambda d: min(max(ledger + d, 0), U32), st.integers(-50, 10**6)),
                     st.sampled_from([0, ledger]), u32s)
    new = st.builds(lambda p, c, size, live: change(p, c, 0, size, 0, live),
                    st.booleans(), st.booleans(), u32s, near)
    existing = st.builds(change, st.booleans(), st.booleans(), u32s, u32s, near, near)
    return st.one_of(new, existing)


ledgers = st.one_of(st.integers(0, U32), st.sampled_from([0, 1, 2, U32 - 1, U32]), st.integers(1, 10**7))
rent_case = ledgers.flatmap(lambda L: st.tuples(st.just(L), st.lists(_rent_change_near(L), max_size=12)))


SETTINGS = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@needs_bridge
@SETTINGS
@given(r=resources_st, cfg=fee_config_st)
@example(r=TransactionResources(*([U32] * 7)), cfg=FeeConfiguration(*([I64_MAX] * 8)))
@example(r=TransactionResources(*([U32] * 7)), cfg=FeeConfiguration(*([I64_MIN] * 8)))
@example(r=TransactionResources(*([U32] * 7)),
         cfg=FeeConfiguration(I64_MAX, I64_MIN, I64_MAX, I64_MIN, I64_MAX, I64_MIN, I64_MAX, I64_MIN))
@example(r=TransactionResources(*([0] * 7)), cfg=FeeConfiguration(*([-1] * 8)))
def test_transaction_resource_fee_matches_host(r, cfg):
    ours = fees.compute_transaction_resource_fee(r, cfg)
    for proto in PROTOCOLS:
        assert ours == bridge.compute_transaction_resource_fee(proto, r, cfg), proto


@needs_bridge
@settings(SETTINGS, max_examples=1000)     # up to 12 changes per example: slower to generate
@given(case=rent_case, cfg=rent_cfg_st)
@example(case=(U32, [change(P, False, U32, U32, 0, U32)] * 3),
         cfg=RentFeeConfiguration(I64_MAX, I64_MAX, I64_MAX, 1, 1))
@example(case=(U32, [change(T, True, 0, U32, 0, U32)]), cfg=RentFeeConfiguration(I64_MIN, I64_MIN, I64_MIN, -5, 0))
@example(case=(0, [change(P, True, 0, 5, 0, 0), change(T, False, 0, 0, 0, 0)]),
         cfg=RentFeeConfiguration(1, 1, 1, 0, 0))
@example(case=(10, [change(P, True, 1, U32, 20, 5)]), cfg=RentFeeConfiguration(1, -7, 1, 1, 1))
@example(case=(10, [change(P, False, 1, 2, 9, 12)] * 50), cfg=RENT_10)
def test_rent_fee_matches_host(case, cfg):
    ledger, changes = case
    ours = fees.compute_rent_fee(changes, cfg, ledger)
    for proto in PROTOCOLS:
        assert ours == bridge.compute_rent_fee(proto, changes, cfg, ledger), proto


@needs_bridge
@SETTINGS
@given(size=state_size_st, cfg=write_cfg_st)
@example(size=I64_MAX, cfg=RentWriteFeeConfiguration(I64_MIN, I64_MIN, I64_MAX, U32))   # i128 saturates
@example(size=I64_MIN, cfg=RentWriteFeeConfiguration(I64_MAX, I64_MAX, I64_MIN, U32))
@example(size=-5, cfg=RentWriteFeeConfiguration(100, 10, 2000, 1))                     # negative product
@example(size=5, cfg=RentWriteFeeConfiguration(0, 10, 2000, 7))
@example(size=0, cfg=RentWriteFeeConfiguration(0, 5000, 2000, 7))
@example(size=1, cfg=RentWriteFeeConfiguration(-1, I64_MAX, I64_MAX, U32))
def test_rent_write_fee_matches_host(size, cfg):
    ours = fees.compute_rent_write_fee_per_1kb(size, cfg)
    for proto in PROTOCOLS:
        assert ours == bridge.compute_rent_write_fee_per_1kb(proto, size, cfg), proto


@needs_bridge
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_host_vectors_hold_for_each_host(proto):
    """The vectors above are the hosts' own: each linked host gives them too."""
    for field, value, expected in SINGLE_RESOURCE:
        assert bridge.compute_transaction_resource_fee(proto, res(**{field: value}), SINGLE) == expected
    for cfg, ledger, changes, expected in RENT_VECTORS:
        assert bridge.compute_rent_fee(proto, [change(*c) for c in changes], cfg, ledger) == expected
    for cfg, size, expected in RENT_WRITE_VECTORS:
        assert bridge.compute_rent_write_fee_per_1kb(proto, size, cfg) == expected
