"""Soroban fees: our Cython formulas (stellarcore.soroban.fees) against the
host's through the bridge (stellarcore.soroban.bridge -> soroban-env-host
25.0.0), same inputs, same run.

    python -m pytest perf/test_soroban_fees.py -s     # prints the ratio table
    python -m pytest perf --benchmark-disable -q      # smoke

Groups (one round = one batch of calls on precomputed bridge_types values,
results checked equal between the two sides):
  * soroban-tx-resource-fee - 10,000 compute_transaction_resource_fee calls
                              (what validating, applying and building a
                              transaction set do per Soroban tx);
  * soroban-rent-fee        - 1,000 compute_rent_fee calls of 8 rent changes
                              (an ExtendFootprintTTL / RestoreFootprint of 8
                              entries);
  * soroban-rent-write-fee  - 10,000 compute_rent_write_fee_per_1kb calls
                              (once per ledger in stellar-core; measured for
                              the per-call cost).
Sides: "host" (the bridge: attribute reads into C structs, the dlopen'ed
call, protocol dispatch in Rust), "ours" (the module functions: the same
conversion, then the C arithmetic) and "ours-calculator" (FeeCalculator:
the per-ledger configuration converted once, only the tx's values per call;
"-ints": the seven resource numbers passed as ints).
"""
import random

import pytest

from stellarcore.soroban import bridge, fees
from stellarcore.soroban.bridge_types import (
    FeeConfiguration, LedgerEntryRentChange, RentFeeConfiguration, RentWriteFeeConfiguration,
    TransactionResources,
)

pytestmark = pytest.mark.skipif(not bridge.available(),
                                reason=f"Soroban bridge not built: {bridge.unavailable_reason()}")

PROTOCOL = 25
RNG = random.Random(8)
# Mainnet-like rates (the order of magnitude of the p23 settings).
FEE_CFG = FeeConfiguration(fee_per_instruction_increment=25, fee_per_disk_read_entry=6250,
                           fee_per_write_entry=10_000, fee_per_disk_read_1kb=1786,
                           fee_per_write_1kb=3500, fee_per_historical_1kb=16_235,
                           fee_per_contract_event_1kb=10_000, fee_per_transaction_size_1kb=1624)
RENT_CFG = RentFeeConfiguration(fee_per_write_1kb=3500, fee_per_rent_1kb=12_000, fee_per_write_entry=10_000,
                                persistent_rent_rate_denominator=1402, temporary_rent_rate_denominator=2804)
WRITE_CFG = RentWriteFeeConfiguration(state_target_size_bytes=3_000_000_000, rent_fee_1kb_state_size_low=-17_000,
                                      rent_fee_1kb_state_size_high=10_000, state_size_rent_fee_growth_factor=5000)
LEDGER = 58_000_000

RESOURCES = [TransactionResources(instructions=RNG.randrange(100_000, 100_000_000),
                                  disk_read_entries=RNG.randrange(0, 10), write_entries=RNG.randrange(0, 10),
                                  disk_read_bytes=RNG.randrange(0, 200_000), write_bytes=RNG.randrange(0, 130_000),
                                  contract_events_size_bytes=RNG.randrange(0, 16_000),
                                  transaction_size_bytes=RNG.randrange(300, 130_000))
             for _ in range(10_000)]


def _change():
    old_live = LEDGER + RNG.randrange(-100, 500_000)
    size = RNG.randrange(50, 65_000)
    return LedgerEntryRentChange(is_persistent=RNG.random() < 0.8, is_code_entry=RNG.random() < 0.2,
                                 old_size_bytes=size, new_size_bytes=size + RNG.choice([0, 0, 100]),
                                 old_live_until_ledger=old_live,
                                 new_live_until_ledger=old_live + RNG.randrange(0, 1_000_000))


CHANGE_SETS = [[_change() for _ in range(8)] for _ in range(1000)]
STATE_SIZES = [RNG.randrange(0, 6_000_000_000) for _ in range(10_000)]

_MEDIANS = {}


def _tx_ours():
    f = fees.compute_transaction_resource_fee
    return [f(r, FEE_CFG) for r in RESOURCES]


def _tx_host():
    f = bridge.compute_transaction_resource_fee
    return [f(PROTOCOL, r, FEE_CFG) for r in RESOURCES]


CALC = fees.FeeCalculator(FEE_CFG, RENT_CFG)


def _tx_calc():
    f = CALC.transaction_resource_fee
    return [f(r) for r in RESOURCES]


RESOURCE_INTS = [(r.instructions, r.disk_read_entries, r.write_entries, r.disk_read_bytes, r.write_bytes,
                  r.contract_events_size_bytes, r.transaction_size_bytes) for r in RESOURCES]


def _tx_calc_ints():
    f = CALC.transaction_resource_fee_of
    return [f(*t) for t in RESOURCE_INTS]


def _rent_calc():
    f = CALC.rent_fee
    return [f(c, LEDGER) for c in CHANGE_SETS]


def _rent_ours():
    f = fees.compute_rent_fee
    return [f(c, RENT_CFG, LEDGER) for c in CHANGE_SETS]


def _rent_host():
    f = bridge.compute_rent_fee
    return [f(PROTOCOL, c, RENT_CFG, LEDGER) for c in CHANGE_SETS]


def _write_ours():
    f = fees.compute_rent_write_fee_per_1kb
    return [f(s, WRITE_CFG) for s in STATE_SIZES]


def _write_host():
    f = bridge.compute_rent_write_fee_per_1kb
    return [f(PROTOCOL, s, WRITE_CFG) for s in STATE_SIZES]


# group -> {side: batch function}, number of calls per batch
CASES = {
    "tx-resource-fee": ({"ours": _tx_ours, "ours-calculator": _tx_calc, "ours-calculator-ints": _tx_calc_ints,
                         "host": _tx_host}, len(RESOURCES)),
    "rent-fee": ({"ours": _rent_ours, "ours-calculator": _rent_calc, "host": _rent_host}, len(CHANGE_SETS)),
    "rent-write-fee": ({"ours": _write_ours, "host": _write_host}, len(STATE_SIZES)),
}
IMPL = {"ours": "stellarcore.soroban.fees module function",
        "ours-calculator": "stellarcore.soroban.fees.FeeCalculator (configs converted once)",
        "ours-calculator-ints": "FeeCalculator.transaction_resource_fee_of (the seven numbers as ints)",
        "host": "soroban-env-host 25.0.0 via the bridge"}


def _bench(benchmark, group, side):
    sides, calls = CASES[group]
    benchmark.extra_info.update(impl=IMPL[side], calls=calls, protocol=PROTOCOL)
    out = benchmark.pedantic(sides[side], rounds=15, iterations=1, warmup_rounds=2)
    assert out == sides["host" if side != "host" else "ours"]()
    if benchmark.stats is not None:          # None under --benchmark-disable
        _MEDIANS[(group, side)] = (benchmark.stats.stats.median, calls)


@pytest.mark.benchmark(group="soroban-tx-resource-fee")
@pytest.mark.parametrize("side", ["ours", "ours-calculator", "ours-calculator-ints", "host"])
def test_tx_resource_fee(benchmark, side):
    _bench(benchmark, "tx-resource-fee", side)


@pytest.mark.benchmark(group="soroban-rent-fee")
@pytest.mark.parametrize("side", ["ours", "ours-calculator", "host"])
def test_rent_fee(benchmark, side):
    _bench(benchmark, "rent-fee", side)


@pytest.mark.benchmark(group="soroban-rent-write-fee")
@pytest.mark.parametrize("side", ["ours", "host"])
def test_rent_write_fee(benchmark, side):
    _bench(benchmark, "rent-write-fee", side)


def _interleaved_ratios(sides, pairs=21):
    """host / side per batch, the two run back to back and alternating in
    order, median over `pairs`: robust to the load of a shared machine
    drifting between the benchmark groups above."""
    import statistics
    import time
    pc = time.perf_counter
    out = {}
    for side, fn in sides.items():
        if side == "host":
            continue
        ratios = []
        for i in range(pairs):
            order = (fn, sides["host"]) if i % 2 else (sides["host"], fn)
            times = {}
            for g in order:
                t0 = pc()
                g()
                times[g] = pc() - t0
            ratios.append(times[sides["host"]] / times[fn])
        out[side] = statistics.median(ratios)
    return out


@pytest.mark.parametrize("group", list(CASES))
def test_interleaved_ratio(group, benchmark):
    """Ratios with ours and the host alternating (recorded in extra_info)."""
    sides, calls = CASES[group]
    ratios = _interleaved_ratios(sides)
    benchmark.extra_info.update({f"host_over_{k}": round(v, 3) for k, v in ratios.items()}, calls=calls)
    benchmark.pedantic(lambda: None, rounds=1)
    _RATIOS[group] = ratios


_RATIOS = {}


def test_print_ratios():
    """Prints per-call medians and host / ours (run with -s); runs last."""
    if not _MEDIANS:
        pytest.skip("benchmarks did not run")
    print("\n| function | side | per call (median) | host / this | host / this, interleaved |")
    print("|---|---|---:|---:|---:|")
    for group, (sides, _) in CASES.items():
        if (group, "host") not in _MEDIANS:
            continue
        host_t, n = _MEDIANS[(group, "host")]
        for side in sides:
            if (group, side) in _MEDIANS:
                t = _MEDIANS[(group, side)][0]
                alt = _RATIOS.get(group, {}).get(side)
                alt_s = f"{alt:.2f}x" if alt else "-"
                print(f"| {group} | {side} | {t / n * 1e9:.0f} ns | {host_t / t:.2f}x | {alt_s} |")
