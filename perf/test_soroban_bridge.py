"""Soroban bridge: add_i32 invoked 1,000 times, cold and warm module cache.

    python -m pytest perf/test_soroban_bridge.py -s      # prints the split table
    python -m pytest perf --benchmark-disable -q         # smoke

Groups (one benchmark round = 1,000 invocations of `add(i32, i32)`):
  * soroban-add-i32-cold - no reusable module cache: the host parses and
                           instantiates the contract inside every invocation
                           (as for a contract uploaded in the same ledger).
  * soroban-add-i32-warm - a ModuleCache with the contract compiled once, as
                           stellar-core's SorobanModuleCache.

Per invocation the time is split, from timestamps taken in Python around
the call and in Rust inside it:
  * host               - `time_nsecs`: inside soroban-env-host's e2e
                         invoke_host_function (decoding its XDR inputs, running,
                         encoding the outputs);
  * budget setup       - `budget_nsecs`: Budget::try_from_configs from the cost
                         parameters, work stellar-core's bridge does per call too;
  * marshalling rust   - `bridge_nsecs - time_nsecs - budget_nsecs`: C buffers to
                         slices, rent fee and ledger effects, outputs into C buffers;
  * marshalling cython - wall time of the Python call minus `bridge_nsecs`:
                         argument conversion, the call, buffers back to bytes.
Bridge overhead (marshalling across the boundary) = the two marshalling
columns; the target is < 10% of host time. "all overhead" adds budget setup.
All XDR inputs are bytes prepared beforehand (a node holds them as bytes);
the ledger info is a LedgerContext built once (it is the same for a ledger).
"""
import time

import pytest

from stellarcore.soroban import bridge
from tests.soroban import _harness as h

pytestmark = [
    pytest.mark.skipif(not bridge.available(), reason=f"Soroban bridge not built: {bridge.unavailable_reason()}"),
    pytest.mark.skipif(h.shared_missing_reason() is not None, reason=h.shared_missing_reason() or ""),
]

N = 1000
PROTOCOL = 25
SALT = b"\x09" * 32


def _deploy():
    """Upload and create add_i32; return the bytes inputs of an `add` call."""
    li = h.ledger_info(PROTOCOL)
    rent = h.rent_fee_config()
    src = h.account_id()
    ledger = h.Ledger()
    wasm = h.read_wasm(h.ADD_I32)
    wh = h.sha256(wasm)
    cid = h.contract_id_from_address(src, SALT)

    def run(fn, res, auth=()):
        les, ttls = ledger.inputs(res)
        r = bridge.invoke_host_function(fn, res, src, li, auth_entries=auth, ledger_entries=les,
                                        ttl_entries=ttls, instruction_limit=res.instructions,
                                        rent_fee_config=rent)
        ledger.apply(r.modified_ledger_entries)

    run(h.upload_fn(wasm), h.resources(read_write=[h.code_key(wh)]))
    run(h.create_fn(src, SALT, wh), h.resources(read_only=[h.code_key(wh)], read_write=[h.instance_key(cid)]),
        auth=[h.create_auth(src, SALT, wh)])
    res = h.resources(read_only=[h.instance_key(cid), h.code_key(wh)])
    les, ttls = ledger.inputs(res)
    call = dict(
        host_function=h.invoke_fn(cid, "add", [h.i32(20), h.i32(22)]).to_xdr(),
        resources=res.to_xdr(), source_account=src.to_xdr(),
        ledger_info=bridge.LedgerContext(li, rent),   # converted once per ledger
        ledger_entries=les, ttl_entries=ttls, instruction_limit=res.instructions,
        base_prng_seed=b"\x05" * 32,
    )
    return call, wasm


CALL, WASM = _deploy() if bridge.available() and h.shared_missing_reason() is None else (None, None)
EXPECTED = h.i32(42).to_xdr()
_SPLITS = {}


def _run_n(cache, acc):
    invoke = bridge.invoke_host_function
    pc = time.perf_counter_ns
    for _ in range(N):
        t0 = pc()
        r = invoke(**CALL, module_cache=cache)
        t1 = pc()
        acc[0] += t1 - t0
        acc[1] += r.bridge_nsecs
        acc[2] += r.time_nsecs
        acc[3] += 1
        acc[4] += r.budget_nsecs
    assert r.result_value == EXPECTED
    return r


def _record(name, benchmark, acc, r):
    n = acc[3]
    total, bridge_ns, host, budget = acc[0] / n, acc[1] / n, acc[2] / n, acc[4] / n
    split = dict(
        total_us=round(total / 1e3, 2), host_us=round(host / 1e3, 2),
        budget_us=round(budget / 1e3, 2),
        rust_marshalling_us=round((bridge_ns - host - budget) / 1e3, 2),
        cython_marshalling_us=round((total - bridge_ns) / 1e3, 2),
        overhead_pct_of_host=round(100 * (total - host) / host, 1),
        marshalling_pct_of_host=round(100 * (total - host - budget) / host, 1),
        cpu_insns=r.cpu_insns, mem_bytes=r.mem_bytes, invocations=n,
    )
    benchmark.extra_info.update(split)
    _SPLITS[name] = split


@pytest.mark.benchmark(group="soroban-add-i32-cold")
def test_add_i32_1000_cold(benchmark):
    acc = [0, 0, 0, 0, 0]
    r = benchmark.pedantic(_run_n, args=(None, acc), rounds=3, iterations=1, warmup_rounds=0)
    _record("cold", benchmark, acc, r)


@pytest.mark.benchmark(group="soroban-add-i32-warm")
def test_add_i32_1000_warm(benchmark):
    cache = bridge.ModuleCache()
    cache.compile(PROTOCOL, WASM)
    acc = [0, 0, 0, 0, 0]
    r = benchmark.pedantic(_run_n, args=(cache, acc), rounds=3, iterations=1, warmup_rounds=1)
    _record("warm", benchmark, acc, r)


def test_print_split():
    """Prints the table (run with -s); runs after the two benchmarks."""
    if not _SPLITS:
        pytest.skip("benchmarks did not run")
    print("\n| cache | per call | host | budget setup | marshalling rust | marshalling cython "
          "| marshalling / host | all overhead / host | cpu insns |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k, s in _SPLITS.items():
        print(f"| {k} | {s['total_us']} µs | {s['host_us']} µs | {s['budget_us']} µs | "
              f"{s['rust_marshalling_us']} µs | {s['cython_marshalling_us']} µs | "
              f"{s['marshalling_pct_of_host']}% | {s['overhead_pct_of_host']}% | {s['cpu_insns']:,} |")
