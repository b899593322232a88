"""The native Soroban bridge (ext/soroban_bridge + stellarcore.soroban.bridge).

End to end: upload example_add_i32.wasm, create a contract from it, invoke
`add`; failures (footprint, budget, malformed XDR, bad arguments) come back
as HostError, never as a crash. Fee functions against the vectors of the
host's own fee tests (rs-soroban-env tests/fees.rs, the crate stellar-core
calls for the same numbers).
"""
import os

import pytest

from stellarcore import xdr
from stellarcore.soroban import bridge
from stellarcore.soroban.bridge import HostError
from stellarcore.soroban.bridge_types import (
    FeeConfiguration, LedgerEntryRentChange, RentFeeConfiguration, RentWriteFeeConfiguration,
    TransactionResources,
)

from tests.soroban import _harness as h

pytestmark = pytest.mark.skipif(not bridge.available(),
                                reason=f"Soroban bridge library not built: {bridge.unavailable_reason()}")
needs_shared = pytest.mark.skipif(h.shared_missing_reason() is not None,
                                  reason=h.shared_missing_reason() or "")

PROTOCOLS = (23, 24, 25)
SALT = b"\x07" * 32
SCE = xdr.SCErrorType
SCEC = xdr.SCErrorCode


# ------------------------------------------------------------------ versions

@pytest.mark.parametrize("proto", PROTOCOLS)
def test_each_protocol_has_its_own_host(proto):
    v = bridge.host_version(proto)
    assert f"soroban-env-host {proto}.0.0" in v, v
    assert bridge.host_max_protocol(proto) == proto


@needs_shared
def test_p25_host_xdr_is_the_xdr_of_stellar_core_v25():
    """stellar-core's check_xdr_version_identities: the current host's XDR
    files must hash as the .x files stellar-core v25.0.1 builds with."""
    xdr_dir = os.path.join(h.SHARED, "xdr")
    ours = {f: h.sha256(open(os.path.join(xdr_dir, f), "rb").read()).hex()
            for f in os.listdir(xdr_dir) if f.endswith(".x")}
    assert bridge.host_xdr_file_hashes(25) == ours
    assert len(bridge.host_xdr_file_hashes(23)) == len(ours)   # older schemas, as in stellar-core


@pytest.mark.parametrize("proto", (0, 20, 21, 22, 26, 2**32 - 1))
def test_unsupported_protocol_is_an_error(proto):
    with pytest.raises(HostError) as e:
        bridge.host_version(proto)
    assert e.value.code == bridge.ERR_UNSUPPORTED_PROTOCOL


# ------------------------------------------------------------------ end to end

class Deployed:
    """add_i32 uploaded and instantiated in a fresh in-memory ledger."""

    def __init__(self, proto, module_cache=None):
        self.proto = proto
        self.li = h.ledger_info(proto)
        self.rent = h.rent_fee_config()
        self.src = h.account_id()
        self.ledger = h.Ledger()
        self.cache = module_cache
        self.wasm = h.read_wasm(h.ADD_I32)
        self.wasm_hash = h.sha256(self.wasm)
        self.contract_id = h.contract_id_from_address(self.src, SALT)

        up_res = h.resources(read_write=[h.code_key(self.wasm_hash)])
        r = self.run(h.upload_fn(self.wasm), up_res)
        assert xdr.SCVal.from_xdr(r.result_value) == xdr.SCVal(xdr.SCValType.SCV_BYTES, self.wasm_hash)
        if module_cache is not None:
            module_cache.compile(proto, self.wasm)

        cr_res = h.resources(read_only=[h.code_key(self.wasm_hash)],
                             read_write=[h.instance_key(self.contract_id)])
        r = self.run(h.create_fn(self.src, SALT, self.wasm_hash), cr_res,
                     auth=[h.create_auth(self.src, SALT, self.wasm_hash)])
        assert xdr.SCVal.from_xdr(r.result_value) == xdr.SCVal(
            xdr.SCValType.SCV_ADDRESS, h.contract_address(self.contract_id))

    def run(self, fn, res, auth=(), instruction_limit=None, **kw):
        les, ttls = self.ledger.inputs(res)
        r = bridge.invoke_host_function(
            fn, res, self.src, self.li, auth_entries=auth, ledger_entries=les, ttl_entries=ttls,
            instruction_limit=res.instructions if instruction_limit is None else instruction_limit,
            base_prng_seed=b"\x01" * 32, rent_fee_config=self.rent, module_cache=self.cache, **kw)
        if r.success:
            self.ledger.apply(r.modified_ledger_entries)
        return r

    def add_resources(self):
        return h.resources(read_only=[h.instance_key(self.contract_id), h.code_key(self.wasm_hash)])

    def add(self, a, b, **kw):
        return self.run(h.invoke_fn(self.contract_id, "add", [h.i32(a), h.i32(b)]),
                        self.add_resources(), **kw)


@needs_shared
@pytest.mark.parametrize("proto", PROTOCOLS)
@pytest.mark.parametrize("cached", (False, True), ids=("no-cache", "module-cache"))
def test_add_i32_end_to_end(proto, cached):
    d = Deployed(proto, bridge.ModuleCache() if cached else None)
    # upload wrote code + its TTL; create wrote the instance + its TTL
    kinds = sorted(xdr.LedgerEntry.from_xdr(le).data.type.name for le, _ in d.ledger.entries.values())
    assert kinds == ["CONTRACT_CODE", "CONTRACT_DATA"]
    assert all(ttl for _, ttl in d.ledger.entries.values())

    r = d.add(7, 35)
    assert r.success and not r.is_internal_error
    assert xdr.SCVal.from_xdr(r.result_value) == h.i32(42)
    assert r.modified_ledger_entries == []    # read-only footprint, TTLs long enough
    events = [xdr.ContractEvent.from_xdr(b) for b in r.contract_events]
    assert [bytes(e.contractID) for e in events] == [d.contract_id]   # this build emits one event
    assert events[0].type == xdr.ContractEventType.CONTRACT
    assert 0 < r.cpu_insns <= d.add_resources().instructions
    assert r.mem_bytes > 0 and r.time_nsecs > 0 and r.bridge_nsecs >= r.time_nsecs
    assert r.rent_fee == 0
    assert xdr.SCVal.from_xdr(d.add(-5, 3).result_value) == h.i32(-2)
    if cached:
        assert d.cache.contains(proto, d.wasm_hash)


@needs_shared
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_results_are_deterministic_and_cache_independent(proto):
    a = Deployed(proto).add(1, 2)
    b = Deployed(proto, bridge.ModuleCache()).add(1, 2)
    assert a.result_value == b.result_value
    c = Deployed(proto).add(1, 2)
    assert (a.cpu_insns, a.mem_bytes) == (c.cpu_insns, c.mem_bytes)


@needs_shared
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_old_prerelease_wasm_is_refused(proto):
    """stellar-core's own testdata add_i32 carries a nonzero pre-release
    number for an old protocol: the host refuses the upload."""
    wasm = h.read_wasm(h.OLD_PRERELEASE_ADD_I32)
    res = h.resources(read_write=[h.code_key(h.sha256(wasm))])
    with pytest.raises(HostError) as e:
        bridge.invoke_host_function(h.upload_fn(wasm), res, h.account_id(), h.ledger_info(proto),
                                    instruction_limit=res.instructions)
    assert (e.value.error_type, e.value.error_code) == (SCE.SCE_WASM_VM, SCEC.SCEC_INVALID_INPUT)
    assert not bridge.ModuleCache().contains(proto, h.sha256(wasm))


@needs_shared
def test_contract_error_overflow_is_a_host_error():
    d = Deployed(25)
    with pytest.raises(HostError) as e:
        d.add(2**31 - 1, 1)   # add_i32 checks overflow and traps
    assert e.value.code == bridge.FAILED_INVOCATION
    assert e.value.result is not None and not e.value.result.success
    assert e.value.error_type == SCE.SCE_WASM_VM


@needs_shared
def test_diagnostic_events_on_failure():
    d = Deployed(25)
    r = d.add(2**31 - 1, 1, enable_diagnostics=True, raise_on_failure=False)
    assert not r.success
    events = [xdr.DiagnosticEvent.from_xdr(b) for b in r.diagnostic_events]
    assert events, "stellar-core appends a host_fn_failed diagnostic event"
    last = events[-1].event.body.v0
    assert last.topics[0] == h.sym("host_fn_failed")


# ------------------------------------------------------------------ failures

@needs_shared
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_footprint_violation(proto):
    d = Deployed(proto)
    res = h.resources(read_only=[h.instance_key(d.contract_id)])  # code key missing
    les, ttls = d.ledger.inputs(res)
    with pytest.raises(HostError) as e:
        bridge.invoke_host_function(h.invoke_fn(d.contract_id, "add", [h.i32(1), h.i32(2)]), res,
                                    d.src, d.li, ledger_entries=les, ttl_entries=ttls,
                                    instruction_limit=res.instructions)
    assert e.value.code == bridge.FAILED_INVOCATION
    assert (e.value.error_type, e.value.error_code) == (SCE.SCE_STORAGE, SCEC.SCEC_EXCEEDED_LIMIT)


@needs_shared
def test_entry_outside_footprint_is_an_error():
    d = Deployed(25)
    res = h.resources(read_only=[h.code_key(d.wasm_hash)])
    les, ttls = d.ledger.inputs(d.add_resources())  # instance entry given, not in footprint
    r = bridge.invoke_host_function(h.invoke_fn(d.contract_id, "add", [h.i32(1), h.i32(2)]), res,
                                    d.src, d.li, ledger_entries=les, ttl_entries=ttls,
                                    instruction_limit=res.instructions, raise_on_failure=False)
    assert not r.success and r.error_type == SCE.SCE_STORAGE


@needs_shared
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_budget_exceeded(proto):
    d = Deployed(proto)
    with pytest.raises(HostError) as e:
        d.add(1, 2, instruction_limit=10_000)
    assert (e.value.error_type, e.value.error_code) == (SCE.SCE_BUDGET, SCEC.SCEC_EXCEEDED_LIMIT)
    assert e.value.result.cpu_insns > 10_000 or e.value.result.cpu_insns > 0


@needs_shared
def test_memory_budget_exceeded():
    d = Deployed(25)
    d.li.memory_limit = 1000
    with pytest.raises(HostError) as e:
        d.add(1, 2)
    assert (e.value.error_type, e.value.error_code) == (SCE.SCE_BUDGET, SCEC.SCEC_EXCEEDED_LIMIT)


@needs_shared
@pytest.mark.parametrize("garbage", [b"", b"\x00", b"\xff" * 7, b"\x00\x00\x00\x01" + b"\xff" * 40])
def test_malformed_host_function_xdr(garbage):
    d = Deployed(25)
    r = bridge.invoke_host_function(garbage, d.add_resources(), d.src, d.li,
                                    instruction_limit=1_000_000, raise_on_failure=False)
    assert not r.success
    assert r.error_type is not None


@needs_shared
@pytest.mark.parametrize("field", ["resources", "source_account", "auth", "entry", "ttl"])
def test_malformed_xdr_anywhere_is_a_failed_invocation(field):
    d = Deployed(25)
    res = d.add_resources()
    les, ttls = d.ledger.inputs(res)
    kw = dict(host_function=h.invoke_fn(d.contract_id, "add", [h.i32(1), h.i32(2)]),
              resources=res, source_account=d.src)
    auth = []
    if field == "resources":
        kw["resources"] = b"\x00\x01\x02"
    elif field == "source_account":
        kw["source_account"] = b"\x00\x00\x00\x09"
    elif field == "auth":
        auth = [b"\xde\xad"]
    elif field == "entry":
        les = [b"\x01" * 10] + les[1:]
    elif field == "ttl":
        ttls = [b"\x02" * 3] + ttls[1:]
    r = bridge.invoke_host_function(**kw, ledger_info=d.li, auth_entries=auth, ledger_entries=les,
                                    ttl_entries=ttls, instruction_limit=1_000_000,
                                    raise_on_failure=False)
    assert not r.success and r.error_message


@needs_shared
def test_many_inputs_and_lists_of_any_kind():
    """More than the 8 inline slots of the Cython side, lists, tuples, generators."""
    d = Deployed(25)
    res = d.add_resources()
    les, ttls = d.ledger.inputs(res)
    fn = h.invoke_fn(d.contract_id, "add", [h.i32(1), h.i32(2)])
    r = bridge.invoke_host_function(fn, res, d.src, d.li, auth_entries=[b"\xde\xad"] * 12,
                                    ledger_entries=iter(les), ttl_entries=tuple(ttls),
                                    restored_rw_entry_indices=range(9),
                                    instruction_limit=1_000_000, raise_on_failure=False)
    assert not r.success
    ctx = bridge.LedgerContext(d.li, d.rent)
    r = bridge.invoke_host_function(fn.to_xdr(), res.to_xdr(), d.src.to_xdr(), ctx,
                                    ledger_entries=[xdr.LedgerEntry.from_xdr(b) for b in les],
                                    ttl_entries=[bytearray(t) for t in ttls],
                                    instruction_limit=res.instructions)
    assert xdr.SCVal.from_xdr(r.result_value) == h.i32(3)
    assert ctx.protocol_version == 25


@needs_shared
def test_bad_setup_inputs_raise_bridge_errors():
    d = Deployed(25)
    res = d.add_resources()
    les, ttls = d.ledger.inputs(res)
    fn = h.invoke_fn(d.contract_id, "add", [h.i32(1), h.i32(2)])
    # cost parameters that do not decode
    d.li.cpu_cost_params = b"\x00\x00\x00\x05"
    with pytest.raises(HostError) as e:
        bridge.invoke_host_function(fn, res, d.src, d.li, ledger_entries=les, ttl_entries=ttls,
                                    instruction_limit=1_000_000)
    assert e.value.code == bridge.ERR_INVALID_ARGUMENT and "cost params" in str(e.value)
    # ttl list not parallel to entry list
    d2 = Deployed(25)
    with pytest.raises(HostError) as e:
        bridge.invoke_host_function(fn, res, d2.src, d2.li, ledger_entries=les, ttl_entries=ttls[:1],
                                    instruction_limit=1_000_000)
    assert e.value.code == bridge.ERR_INVALID_ARGUMENT
    # protocol the bridge has no host for
    d2.li.protocol_version = 22
    with pytest.raises(HostError) as e:
        bridge.invoke_host_function(fn, res, d2.src, d2.li, ledger_entries=les, ttl_entries=ttls,
                                    instruction_limit=1_000_000)
    assert e.value.code == bridge.ERR_UNSUPPORTED_PROTOCOL


@needs_shared
def test_python_argument_errors():
    d = Deployed(25)
    res = d.add_resources()
    with pytest.raises(TypeError):
        bridge.invoke_host_function(12, res, d.src, d.li, instruction_limit=1)
    d.li.network_id = b"short"
    with pytest.raises(ValueError):
        bridge.invoke_host_function(b"", res, d.src, d.li, instruction_limit=1)
    d.li.network_id = h.NETWORK_ID
    with pytest.raises(OverflowError):
        bridge.invoke_host_function(b"", res, d.src, d.li, instruction_limit=-1)
    with pytest.raises(OverflowError):
        bridge.invoke_host_function(b"", res, d.src, d.li, instruction_limit=1,
                                    restored_rw_entry_indices=[-1])


# ------------------------------------------------------------------ module cache

@needs_shared
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_module_cache(proto):
    c = bridge.ModuleCache()
    wasm = h.read_wasm(h.ADD_I32)
    key = h.sha256(wasm)
    assert not c.contains(proto, key)
    c.compile(proto, wasm)
    assert c.contains(proto, key)
    assert c.mem_bytes_consumed(proto) >= 0   # 0: stellar-core compiles with an empty-cost-params budget too
    others = [p for p in PROTOCOLS if p != proto]
    assert not any(c.contains(p, key) for p in others)
    c.evict(key)
    assert not c.contains(proto, key)
    c.compile(proto, wasm)
    c.clear()
    assert not c.contains(proto, key)
    c.close()
    with pytest.raises(ValueError):
        c.contains(proto, key)


def test_module_cache_bad_inputs():
    c = bridge.ModuleCache()
    with pytest.raises(HostError) as e:
        c.compile(25, b"\x00asm garbage")
    assert e.value.code == bridge.ERR_HOST
    with pytest.raises(HostError) as e:
        c.compile(22, b"\x00asm")
    assert e.value.code == bridge.ERR_UNSUPPORTED_PROTOCOL
    with pytest.raises(HostError) as e:
        c.contains(25, b"short")
    assert e.value.code == bridge.ERR_INVALID_ARGUMENT
    with pytest.raises(HostError):
        c.evict(b"\x00" * 31)


# ------------------------------------------------------------------ fees
# Vectors from rs-soroban-env's tests/fees.rs (the same in 23.0.0 and 25.0.0).

FEE_CFG_100 = FeeConfiguration(*([100] * 8))


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_transaction_resource_fee_vectors(proto):
    f = bridge.compute_transaction_resource_fee
    assert f(proto, TransactionResources(), FEE_CFG_100) == (30, 0)
    assert f(proto, TransactionResources(*([1] * 7)), FEE_CFG_100) == (234, 1)
    assert f(proto, TransactionResources(10_123_456, 30, 10, 25_600, 10_340, 321_654, 35_721),
             FeeConfiguration(1000, 2000, 4000, 1500, 3000, 300, 200, 900)) == (1_222_089, 62824)
    single = FeeConfiguration(1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000)
    base_historical = 1758
    assert f(proto, TransactionResources(instructions=123_451_234), single) == (12_345_124 + base_historical, 0)
    assert f(proto, TransactionResources(instructions=2**32 - 1), single) == (429_496_730 + base_historical, 0)
    assert f(proto, TransactionResources(disk_read_entries=2**32 - 1), single) == (
        8_589_934_590_000 + base_historical, 0)
    i64max = 2**63 - 1
    assert f(proto, TransactionResources(*([2**32 - 1] * 7)), FeeConfiguration(*([i64max] * 8))) == (
        i64max, 9_007_199_254_740_992)


RENT_CFG = RentFeeConfiguration(fee_per_write_1kb=500, fee_per_rent_1kb=1000, fee_per_write_entry=10,
                                persistent_rent_rate_denominator=10_000,
                                temporary_rent_rate_denominator=100_000)


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_rent_fee_vectors(proto):
    def one(**kw):
        return bridge.compute_rent_fee(proto, [LedgerEntryRentChange(**kw)], RENT_CFG, 50_000)
    assert one(is_persistent=True, is_code_entry=False, old_size_bytes=1, new_size_bytes=1,
               old_live_until_ledger=100_000, new_live_until_ledger=300_000) == 20 + 24 + 10
    assert one(is_persistent=True, is_code_entry=False, old_size_bytes=10 * 1024, new_size_bytes=10 * 1024,
               old_live_until_ledger=100_000, new_live_until_ledger=100_001) == 1 + 34
    assert one(is_persistent=True, is_code_entry=False, old_size_bytes=10 * 1024, new_size_bytes=10 * 1024,
               old_live_until_ledger=100_000, new_live_until_ledger=300_000) == 200_000 + 34
    assert one(is_persistent=True, is_code_entry=True, old_size_bytes=10 * 1024, new_size_bytes=10 * 1024,
               old_live_until_ledger=100_000, new_live_until_ledger=300_000) == 66_666 + 34
    assert bridge.compute_rent_fee(proto, [], RENT_CFG, 50_000) == 0


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_rent_write_fee_per_1kb_vectors(proto):
    cfg = RentWriteFeeConfiguration(100_000, 100, 10_000, 50)
    f = bridge.compute_rent_write_fee_per_1kb
    assert f(proto, 0, cfg) == 1000   # MINIMUM_RENT_WRITE_FEE_PER_1KB
    assert f(proto, 50_000, cfg) == 100 + (10_000 - 100) // 2
    assert f(proto, 56_789, cfg) == 5723
    assert f(proto, 100_000, cfg) == 10_000
    assert f(proto, 150_000, cfg) == 10_000 + 50 * (10_000 - 100) // 2
    assert f(proto, 580_000, cfg) == 10_000 + 2_376_000
    neg = RentWriteFeeConfiguration(100_000, -1_000, 10_000, 50)
    assert f(proto, 18_181, neg) == 1000
    assert f(proto, 18_182, neg) == 1001
    assert f(proto, 150_000, neg) == 10_000 + 50 * (10_000 + 1_000) // 2


def test_fee_inputs_out_of_range():
    with pytest.raises(OverflowError):
        bridge.compute_transaction_resource_fee(25, TransactionResources(instructions=-1), FEE_CFG_100)
    with pytest.raises(HostError):
        bridge.compute_transaction_resource_fee(19, TransactionResources(), FEE_CFG_100)


@needs_shared
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_contract_code_memory_size_for_rent(proto):
    li = h.ledger_info(proto)
    wasm = h.read_wasm(h.ADD_I32)
    entry = xdr.ContractCodeEntry(hash=h.sha256(wasm), code=wasm)
    size = bridge.contract_code_memory_size_for_rent(proto, entry, li.cpu_cost_params, li.mem_cost_params)
    assert size > len(wasm)
    with pytest.raises(HostError) as e:
        bridge.contract_code_memory_size_for_rent(proto, b"\x00", li.cpu_cost_params, li.mem_cost_params)
    assert e.value.code == bridge.ERR_INVALID_ARGUMENT
