# cython: language_level=3, boundscheck=False, wraparound=False
"""The native bridge to the canonical Soroban host (ext/soroban_bridge).

Calls the C ABI of ext/soroban_bridge/include/soroban_bridge.h: XDR bytes in,
XDR bytes out. The Rust library (libsoroban_bridge.so, built by
ext/build_bridge.py) is loaded with dlopen when first needed, from, in order:
$STELLARCORE_SOROBAN_BRIDGE_LIB, this package's directory, and the crate's
target/release directory in a source tree. So this module always imports;
`available()` says whether the library was found, and every call raises
`BridgeUnavailable` when it was not.

Every failure coming back from the library raises `HostError` (a host
failure during an invocation carries the full `InvokeResult` as `.result`:
CPU and memory used, diagnostic events). Wrong Python argument types raise
TypeError/ValueError before anything reaches the library. Nothing here can
crash the process on bad input: the library catches panics and reports them.
"""
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int32_t, int64_t
from libc.string cimport memset, memcpy
from libc.stdlib cimport malloc, free
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE, PyBytes_FromStringAndSize

import os
import threading
import time as _time

cdef extern from "../../ext/soroban_bridge/include/soroban_bridge.h" nogil:
    enum:
        SB_ABI_VERSION
        SB_OK
        SB_ERR_INVALID_ARGUMENT
        SB_ERR_UNSUPPORTED_PROTOCOL
        SB_ERR_HOST
        SB_ERR_PANIC

    ctypedef struct sb_bytes:
        const uint8_t *data
        size_t len
    ctypedef struct sb_buf:
        uint8_t *data
        size_t len
        size_t cap
    ctypedef struct sb_buf_list:
        sb_buf *items
        size_t len
        size_t cap
    ctypedef struct sb_ledger_info:
        uint32_t protocol_version
        uint32_t sequence_number
        uint64_t timestamp
        uint8_t network_id[32]
        uint32_t base_reserve
        uint32_t memory_limit
        uint32_t min_temp_entry_ttl
        uint32_t min_persistent_entry_ttl
        uint32_t max_entry_ttl
        sb_bytes cpu_cost_params
        sb_bytes mem_cost_params
    ctypedef struct sb_rent_fee_config:
        int64_t fee_per_write_1kb
        int64_t fee_per_rent_1kb
        int64_t fee_per_write_entry
        int64_t persistent_rent_rate_denominator
        int64_t temporary_rent_rate_denominator
    ctypedef struct sb_invoke_args:
        uint8_t enable_diagnostics
        uint32_t instruction_limit
        sb_bytes host_function
        sb_bytes resources
        const uint32_t *restored_rw_entry_indices
        size_t n_restored_rw_entry_indices
        sb_bytes source_account
        const sb_bytes *auth_entries
        size_t n_auth_entries
        sb_ledger_info ledger_info
        const sb_bytes *ledger_entries
        size_t n_ledger_entries
        const sb_bytes *ttl_entries
        size_t n_ttl_entries
        sb_bytes base_prng_seed
        sb_rent_fee_config rent_fee_config
    ctypedef struct sb_invoke_result:
        uint8_t success
        uint8_t is_internal_error
        int32_t error_type
        int32_t error_code
        uint64_t cpu_insns
        uint64_t mem_bytes
        uint64_t time_nsecs
        uint64_t cpu_insns_excluding_vm_instantiation
        uint64_t time_nsecs_excluding_vm_instantiation
        int64_t rent_fee
        uint64_t bridge_nsecs
        uint64_t budget_nsecs
        sb_buf result_value
        sb_buf error_message
        sb_buf_list contract_events
        sb_buf_list diagnostic_events
        sb_buf_list modified_ledger_entries
    ctypedef struct sb_tx_resources:
        uint32_t instructions
        uint32_t disk_read_entries
        uint32_t write_entries
        uint32_t disk_read_bytes
        uint32_t write_bytes
        uint32_t contract_events_size_bytes
        uint32_t transaction_size_bytes
    ctypedef struct sb_fee_config:
        int64_t fee_per_instruction_increment
        int64_t fee_per_disk_read_entry
        int64_t fee_per_write_entry
        int64_t fee_per_disk_read_1kb
        int64_t fee_per_write_1kb
        int64_t fee_per_historical_1kb
        int64_t fee_per_contract_event_1kb
        int64_t fee_per_transaction_size_1kb
    ctypedef struct sb_rent_change:
        uint8_t is_persistent
        uint8_t is_code_entry
        uint32_t old_size_bytes
        uint32_t new_size_bytes
        uint32_t old_live_until_ledger
        uint32_t new_live_until_ledger
    ctypedef struct sb_rent_write_fee_config:
        int64_t state_target_size_bytes
        int64_t rent_fee_1kb_state_size_low
        int64_t rent_fee_1kb_state_size_high
        uint32_t state_size_rent_fee_growth_factor
    ctypedef struct sb_module_cache:
        pass

    ctypedef uint32_t (*sb_abi_version_fn)()
    ctypedef void (*sb_buf_free_fn)(sb_buf *)
    ctypedef int32_t (*sb_host_version_fn)(uint32_t, sb_buf *, sb_buf *)
    ctypedef int32_t (*sb_host_max_protocol_fn)(uint32_t, uint32_t *, sb_buf *)
    ctypedef int32_t (*sb_invoke_host_function_fn)(const sb_invoke_args *, const sb_module_cache *,
                                                  sb_invoke_result *, sb_buf *)
    ctypedef void (*sb_invoke_result_free_fn)(sb_invoke_result *)
    ctypedef int32_t (*sb_module_cache_new_fn)(sb_module_cache **, sb_buf *)
    ctypedef void (*sb_module_cache_free_fn)(sb_module_cache *)
    ctypedef int32_t (*sb_module_cache_compile_fn)(const sb_module_cache *, uint32_t, sb_bytes, sb_buf *)
    ctypedef int32_t (*sb_module_cache_contains_fn)(const sb_module_cache *, uint32_t, sb_bytes,
                                                   uint8_t *, sb_buf *)
    ctypedef int32_t (*sb_module_cache_evict_fn)(const sb_module_cache *, sb_bytes, sb_buf *)
    ctypedef int32_t (*sb_module_cache_clear_fn)(const sb_module_cache *, sb_buf *)
    ctypedef int32_t (*sb_module_cache_mem_bytes_fn)(const sb_module_cache *, uint32_t, uint64_t *, sb_buf *)
    ctypedef int32_t (*sb_compute_transaction_resource_fee_fn)(uint32_t, const sb_tx_resources *,
                                                              const sb_fee_config *, int64_t *,
                                                              int64_t *, sb_buf *)
    ctypedef int32_t (*sb_compute_rent_fee_fn)(uint32_t, const sb_rent_change *, size_t,
                                              const sb_rent_fee_config *, uint32_t, int64_t *, sb_buf *)
    ctypedef int32_t (*sb_compute_rent_write_fee_per_1kb_fn)(uint32_t, int64_t,
                                                            const sb_rent_write_fee_config *,
                                                            int64_t *, sb_buf *)
    ctypedef int32_t (*sb_contract_code_memory_size_for_rent_fn)(uint32_t, sb_bytes, sb_bytes, sb_bytes,
                                                                uint32_t *, sb_buf *)

cdef extern from "<dlfcn.h>" nogil:
    void *dlopen(const char *filename, int flags)
    void *dlsym(void *handle, const char *symbol)
    char *dlerror()
    int RTLD_NOW
    int RTLD_LOCAL


class BridgeUnavailable(ImportError):
    """libsoroban_bridge.so was not found or could not be loaded."""


class HostError(Exception):
    """A failure reported by the Soroban bridge or host.

    code: the bridge status (SB_ERR_HOST, SB_ERR_INVALID_ARGUMENT,
    SB_ERR_UNSUPPORTED_PROTOCOL, SB_ERR_PANIC; FAILED_INVOCATION for a host
    function that ran and failed). error_type / error_code: the host's
    ScErrorType / ScErrorCode when known, else None. result: the
    InvokeResult of a failed invocation (CPU, memory, diagnostic events),
    else None.
    """

    def __init__(self, message, code, error_type=None, error_code=None, result=None):
        super().__init__(message)
        self.code = code
        self.error_type = error_type
        self.error_code = error_code
        self.result = result


OK = SB_OK
ERR_INVALID_ARGUMENT = SB_ERR_INVALID_ARGUMENT
ERR_UNSUPPORTED_PROTOCOL = SB_ERR_UNSUPPORTED_PROTOCOL
ERR_HOST = SB_ERR_HOST
ERR_PANIC = SB_ERR_PANIC
FAILED_INVOCATION = 100
SUPPORTED_PROTOCOLS = (23, 24, 25)

# ------------------------------------------------------------------ loading

cdef sb_abi_version_fn f_abi_version = NULL
cdef sb_buf_free_fn f_buf_free = NULL
cdef sb_host_version_fn f_host_version = NULL
cdef sb_host_max_protocol_fn f_host_max_protocol = NULL
cdef sb_host_version_fn f_host_xdr_hashes = NULL
cdef sb_invoke_host_function_fn f_invoke = NULL
cdef sb_invoke_result_free_fn f_invoke_result_free = NULL
cdef sb_module_cache_new_fn f_mc_new = NULL
cdef sb_module_cache_free_fn f_mc_free = NULL
cdef sb_module_cache_compile_fn f_mc_compile = NULL
cdef sb_module_cache_contains_fn f_mc_contains = NULL
cdef sb_module_cache_evict_fn f_mc_evict = NULL
cdef sb_module_cache_clear_fn f_mc_clear = NULL
cdef sb_module_cache_mem_bytes_fn f_mc_mem_bytes = NULL
cdef sb_compute_transaction_resource_fee_fn f_tx_fee = NULL
cdef sb_compute_rent_fee_fn f_rent_fee = NULL
cdef sb_compute_rent_write_fee_per_1kb_fn f_rent_write_fee = NULL
cdef sb_contract_code_memory_size_for_rent_fn f_code_mem = NULL

cdef bint _loaded = False
_load_error = None
_library_path = None
_load_lock = threading.Lock()

LIBRARY_NAME = "libsoroban_bridge.so"


def candidate_paths():
    """Where the library is looked for, in order."""
    here = os.path.dirname(os.path.abspath(__file__))
    paths = []
    env = os.environ.get("STELLARCORE_SOROBAN_BRIDGE_LIB")
    if env:
        paths.append(env)
    paths.append(os.path.join(here, LIBRARY_NAME))
    root = os.path.dirname(os.path.dirname(here))
    paths.append(os.path.join(root, "ext", "soroban_bridge", "target", "release", LIBRARY_NAME))
    return paths


cdef void *_sym(void *h, bytes name) except NULL:
    cdef void *p = dlsym(h, name)
    if p == NULL:
        raise BridgeUnavailable(f"{_library_path}: missing symbol {name.decode()}")
    return p


cdef int _load() except -1:
    global _loaded, _load_error, _library_path
    global f_abi_version, f_buf_free, f_host_version, f_host_max_protocol, f_host_xdr_hashes, f_invoke, f_invoke_result_free
    global f_mc_new, f_mc_free, f_mc_compile, f_mc_contains, f_mc_evict, f_mc_clear, f_mc_mem_bytes
    global f_tx_fee, f_rent_fee, f_rent_write_fee, f_code_mem
    cdef void *h = NULL
    cdef const char *msg
    if _loaded:
        return 0
    with _load_lock:
        if _loaded:
            return 0
        if _load_error is not None:
            raise BridgeUnavailable(_load_error)
        tried = []
        for p in candidate_paths():
            if not os.path.exists(p):
                tried.append(f"{p}: absent")
                continue
            h = dlopen(os.fsencode(p), RTLD_NOW | RTLD_LOCAL)
            if h == NULL:
                msg = dlerror()
                tried.append(f"{p}: {(<bytes>msg).decode('utf-8', 'replace') if msg != NULL else 'dlopen failed'}")
                continue
            _library_path = p
            break
        if h == NULL:
            _load_error = ("Soroban bridge library not found (build it with `python ext/build_bridge.py`); tried: "
                           + "; ".join(tried))
            raise BridgeUnavailable(_load_error)
        try:
            f_abi_version = <sb_abi_version_fn>_sym(h, b"sb_abi_version")
            if f_abi_version() != SB_ABI_VERSION:
                raise BridgeUnavailable(f"{_library_path}: ABI version {f_abi_version()}, "
                                        f"this module expects {SB_ABI_VERSION}: rebuild the bridge")
            f_buf_free = <sb_buf_free_fn>_sym(h, b"sb_buf_free")
            f_host_version = <sb_host_version_fn>_sym(h, b"sb_host_version")
            f_host_max_protocol = <sb_host_max_protocol_fn>_sym(h, b"sb_host_max_protocol")
            f_host_xdr_hashes = <sb_host_version_fn>_sym(h, b"sb_host_xdr_file_hashes")
            f_invoke = <sb_invoke_host_function_fn>_sym(h, b"sb_invoke_host_function")
            f_invoke_result_free = <sb_invoke_result_free_fn>_sym(h, b"sb_invoke_result_free")
            f_mc_new = <sb_module_cache_new_fn>_sym(h, b"sb_module_cache_new")
            f_mc_free = <sb_module_cache_free_fn>_sym(h, b"sb_module_cache_free")
            f_mc_compile = <sb_module_cache_compile_fn>_sym(h, b"sb_module_cache_compile")
            f_mc_contains = <sb_module_cache_contains_fn>_sym(h, b"sb_module_cache_contains")
            f_mc_evict = <sb_module_cache_evict_fn>_sym(h, b"sb_module_cache_evict")
            f_mc_clear = <sb_module_cache_clear_fn>_sym(h, b"sb_module_cache_clear")
            f_mc_mem_bytes = <sb_module_cache_mem_bytes_fn>_sym(h, b"sb_module_cache_mem_bytes")
            f_tx_fee = <sb_compute_transaction_resource_fee_fn>_sym(h, b"sb_compute_transaction_resource_fee")
            f_rent_fee = <sb_compute_rent_fee_fn>_sym(h, b"sb_compute_rent_fee")
            f_rent_write_fee = <sb_compute_rent_write_fee_per_1kb_fn>_sym(h, b"sb_compute_rent_write_fee_per_1kb")
            f_code_mem = <sb_contract_code_memory_size_for_rent_fn>_sym(h, b"sb_contract_code_memory_size_for_rent")
        except BridgeUnavailable as e:
            _load_error = str(e)
            raise
        _loaded = True
    return 0


def available():
    """True when the bridge library loads (it is then loaded)."""
    try:
        _load()
        return True
    except BridgeUnavailable:
        return False


def unavailable_reason():
    """Why the library did not load, or None."""
    return None if available() else _load_error


def library_path():
    _load()
    return _library_path

# ------------------------------------------------------------------ helpers

cdef inline bytes _take_buf(sb_buf *b):
    """Copy a library-owned buffer to bytes (the caller frees the buffer)."""
    if b.data == NULL or b.len == 0:
        return b""
    return PyBytes_FromStringAndSize(<const char *>b.data, b.len)


cdef list _take_list(sb_buf_list *l):
    cdef size_t i
    cdef list out = []
    for i in range(l.len):
        out.append(_take_buf(&l.items[i]))
    return out


cdef str _take_err(sb_buf *err):
    cdef bytes m = _take_buf(err)
    f_buf_free(err)
    return m.decode("utf-8", "replace")


cdef int _check(int32_t rc, sb_buf *err) except -1:
    if rc == SB_OK:
        return 0
    raise HostError(_take_err(err), rc)


cdef inline bytes _as_bytes(object v, str what):
    if type(v) is bytes:
        return <bytes>v
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    if hasattr(v, "to_xdr"):
        return v.to_xdr()
    raise TypeError(f"{what}: expected bytes (XDR) or an XDR value, got {type(v).__name__}")


cdef inline sb_bytes _sb(bytes b):
    cdef sb_bytes r
    r.data = <const uint8_t *>PyBytes_AS_STRING(b)
    r.len = <size_t>PyBytes_GET_SIZE(b)
    return r


DEF SMALL = 8


cdef sb_bytes *_sb_array(tuple items, sb_bytes *small) except NULL:
    """sb_bytes over `items` (a tuple of bytes the caller keeps alive): in
    `small` (SMALL slots) when they fit, else malloc'd (free when != small)."""
    cdef Py_ssize_t n = len(items), i
    cdef sb_bytes *arr = small
    if n > SMALL:
        arr = <sb_bytes *>malloc(n * sizeof(sb_bytes))
        if arr == NULL:
            raise MemoryError()
    for i in range(n):
        arr[i] = _sb(<bytes>items[i])
    return arr


cdef tuple _bytes_tuple(object seq, str what):
    """`seq` as a tuple of bytes: immutable, so its buffers stay valid while
    the GIL is released (a list could be changed by another thread)."""
    if seq is None:
        return ()
    cdef tuple t = <tuple>seq if type(seq) is tuple else tuple(seq)
    for v in t:
        if type(v) is not bytes:
            return tuple([_as_bytes(x, what) for x in t])
    return t

# ------------------------------------------------------------------ module cache

cdef class ModuleCache:
    """stellar-core's SorobanModuleCache: compiled contracts reused across
    invocations, one cache per linked host (protocols 23, 24, 25)."""
    cdef sb_module_cache *_c

    def __cinit__(self):
        self._c = NULL
        _load()
        cdef sb_buf err
        cdef int32_t rc = f_mc_new(&self._c, &err)
        _check(rc, &err)

    def __dealloc__(self):
        if self._c != NULL and f_mc_free != NULL:
            f_mc_free(self._c)
            self._c = NULL

    cdef sb_module_cache *_ptr(self) except NULL:
        if self._c == NULL:
            raise ValueError("module cache is closed")
        return self._c

    def close(self):
        if self._c != NULL:
            f_mc_free(self._c)
            self._c = NULL

    def compile(self, uint32_t protocol, wasm):
        """Parse and cache `wasm` (bytes) for the host of `protocol`."""
        cdef bytes w = _as_bytes(wasm, "wasm")
        cdef sb_buf err
        cdef sb_module_cache *c = self._ptr()
        cdef sb_bytes wb = _sb(w)
        cdef int32_t rc
        with nogil:
            rc = f_mc_compile(c, protocol, wb, &err)
        _check(rc, &err)

    def contains(self, uint32_t protocol, key):
        """Whether the module with wasm hash `key` (32 bytes) is cached."""
        cdef bytes k = _as_bytes(key, "key")
        cdef sb_buf err
        cdef uint8_t found = 0
        _check(f_mc_contains(self._ptr(), protocol, _sb(k), &found, &err), &err)
        return bool(found)

    def evict(self, key):
        cdef bytes k = _as_bytes(key, "key")
        cdef sb_buf err
        _check(f_mc_evict(self._ptr(), _sb(k), &err), &err)

    def clear(self):
        cdef sb_buf err
        _check(f_mc_clear(self._ptr(), &err), &err)

    def mem_bytes_consumed(self, uint32_t protocol):
        cdef sb_buf err
        cdef uint64_t v = 0
        _check(f_mc_mem_bytes(self._ptr(), protocol, &v, &err), &err)
        return v

# ------------------------------------------------------------------ invoke

cdef class InvokeResult:
    """What the host returned for one invocation (all XDR as bytes)."""
    cdef public bint success
    cdef public bint is_internal_error
    cdef public object error_type
    cdef public object error_code
    cdef public str error_message
    cdef public uint64_t cpu_insns
    cdef public uint64_t mem_bytes
    cdef public uint64_t time_nsecs
    cdef public uint64_t cpu_insns_excluding_vm_instantiation
    cdef public uint64_t time_nsecs_excluding_vm_instantiation
    cdef public int64_t rent_fee
    cdef public uint64_t bridge_nsecs
    cdef public uint64_t budget_nsecs
    cdef public bytes result_value
    cdef public list contract_events
    cdef public list diagnostic_events
    cdef public list modified_ledger_entries

    def __repr__(self):
        if self.success:
            return (f"InvokeResult(success, cpu_insns={self.cpu_insns}, mem_bytes={self.mem_bytes}, "
                    f"{len(self.modified_ledger_entries)} modified entries, "
                    f"{len(self.contract_events)} events)")
        return (f"InvokeResult(failed: {self.error_message}, cpu_insns={self.cpu_insns}, "
                f"mem_bytes={self.mem_bytes})")


cdef inline object _getattr(object o, str name):
    if isinstance(o, dict):
        return o[name]
    return getattr(o, name)


cdef int _fill_rent_cfg(sb_rent_fee_config *c, object o) except -1:
    c.fee_per_write_1kb = _getattr(o, "fee_per_write_1kb")
    c.fee_per_rent_1kb = _getattr(o, "fee_per_rent_1kb")
    c.fee_per_write_entry = _getattr(o, "fee_per_write_entry")
    c.persistent_rent_rate_denominator = _getattr(o, "persistent_rent_rate_denominator")
    c.temporary_rent_rate_denominator = _getattr(o, "temporary_rent_rate_denominator")
    return 0


cdef class LedgerContext:
    """A LedgerInfo (and optionally a RentFeeConfiguration) converted once to
    the C structs the bridge takes: what stays the same for every
    invocation of a ledger. Pass it as `ledger_info` to skip the conversion."""
    cdef sb_ledger_info li
    cdef sb_rent_fee_config rent
    cdef bytes _cpu
    cdef bytes _mem
    cdef readonly object ledger_info
    cdef readonly object rent_fee_config

    def __init__(self, ledger_info, rent_fee_config=None):
        memset(&self.li, 0, sizeof(self.li))
        memset(&self.rent, 0, sizeof(self.rent))
        self._cpu = _as_bytes(_getattr(ledger_info, "cpu_cost_params"), "cpu_cost_params")
        self._mem = _as_bytes(_getattr(ledger_info, "mem_cost_params"), "mem_cost_params")
        cdef bytes netid = _as_bytes(_getattr(ledger_info, "network_id"), "network_id")
        if len(netid) != 32:
            raise ValueError(f"network_id must be 32 bytes, got {len(netid)}")
        self.li.protocol_version = _getattr(ledger_info, "protocol_version")
        self.li.sequence_number = _getattr(ledger_info, "sequence_number")
        self.li.timestamp = _getattr(ledger_info, "timestamp")
        memcpy(self.li.network_id, PyBytes_AS_STRING(netid), 32)
        self.li.base_reserve = _getattr(ledger_info, "base_reserve")
        self.li.memory_limit = _getattr(ledger_info, "memory_limit")
        self.li.min_temp_entry_ttl = _getattr(ledger_info, "min_temp_entry_ttl")
        self.li.min_persistent_entry_ttl = _getattr(ledger_info, "min_persistent_entry_ttl")
        self.li.max_entry_ttl = _getattr(ledger_info, "max_entry_ttl")
        self.li.cpu_cost_params = _sb(self._cpu)
        self.li.mem_cost_params = _sb(self._mem)
        if rent_fee_config is not None:
            _fill_rent_cfg(&self.rent, rent_fee_config)
        self.ledger_info = ledger_info
        self.rent_fee_config = rent_fee_config

    @property
    def protocol_version(self):
        return self.li.protocol_version


def invoke_host_function(host_function, resources, source_account, ledger_info, *,
                         uint32_t instruction_limit, auth_entries=(), ledger_entries=(),
                         ttl_entries=(), restored_rw_entry_indices=(), base_prng_seed=b"\0" * 32,
                         rent_fee_config=None, ModuleCache module_cache=None,
                         bint enable_diagnostics=False, bint raise_on_failure=True):
    """Run a host function in the host of `ledger_info.protocol_version`.

    host_function (HostFunction), resources (SorobanResources),
    source_account (AccountID), auth_entries (SorobanAuthorizationEntry),
    ledger_entries (LedgerEntry) and ttl_entries (TTLEntry, parallel to
    ledger_entries, b"" where an entry has no TTL) are XDR bytes or
    stellarcore.xdr values. ledger_info: a LedgerInfo (or an object/dict
    with its fields), or a LedgerContext made once per ledger.
    rent_fee_config: a RentFeeConfiguration (None: the LedgerContext's, or zeros).

    Returns an InvokeResult. A host function that ran and failed raises
    HostError(code=FAILED_INVOCATION, result=the InvokeResult), or, with
    raise_on_failure=False, is returned with success False. Inputs that keep
    the host from running at all raise HostError with the bridge's code.
    """
    _load()
    cdef bytes hf = _as_bytes(host_function, "host_function")
    cdef bytes res = _as_bytes(resources, "resources")
    cdef bytes src = _as_bytes(source_account, "source_account")
    cdef bytes seed = _as_bytes(base_prng_seed, "base_prng_seed")
    cdef tuple auth = _bytes_tuple(auth_entries, "auth_entries")
    cdef tuple entries = _bytes_tuple(ledger_entries, "ledger_entries")
    cdef tuple ttls = _bytes_tuple(ttl_entries, "ttl_entries")
    cdef list restored = [int(i) for i in restored_rw_entry_indices] if restored_rw_entry_indices else []
    cdef LedgerContext ctx
    if type(ledger_info) is LedgerContext:
        ctx = <LedgerContext>ledger_info
    else:
        ctx = LedgerContext(ledger_info)

    cdef sb_invoke_args a
    cdef sb_invoke_result r
    cdef sb_buf err
    memset(&a, 0, sizeof(a))
    memset(&r, 0, sizeof(r))
    a.enable_diagnostics = 1 if enable_diagnostics else 0
    a.instruction_limit = instruction_limit
    a.host_function = _sb(hf)
    a.resources = _sb(res)
    a.source_account = _sb(src)
    a.base_prng_seed = _sb(seed)
    a.ledger_info = ctx.li
    if rent_fee_config is not None:
        _fill_rent_cfg(&a.rent_fee_config, rent_fee_config)
    else:
        a.rent_fee_config = ctx.rent

    cdef sb_bytes auth_small[SMALL]
    cdef sb_bytes entry_small[SMALL]
    cdef sb_bytes ttl_small[SMALL]
    cdef uint32_t idx_small[SMALL]
    cdef sb_bytes *auth_arr = NULL
    cdef sb_bytes *entry_arr = NULL
    cdef sb_bytes *ttl_arr = NULL
    cdef uint32_t *idx_arr = NULL
    cdef Py_ssize_t i
    cdef int32_t rc
    cdef const sb_module_cache *mc = NULL
    cdef InvokeResult out
    if module_cache is not None:
        mc = module_cache._ptr()
    try:
        auth_arr = _sb_array(auth, auth_small)
        entry_arr = _sb_array(entries, entry_small)
        ttl_arr = _sb_array(ttls, ttl_small)
        idx_arr = idx_small
        if len(restored) > SMALL:
            idx_arr = <uint32_t *>malloc(len(restored) * sizeof(uint32_t))
            if idx_arr == NULL:
                raise MemoryError()
        for i in range(len(restored)):
            idx_arr[i] = restored[i]
        a.auth_entries = auth_arr
        a.n_auth_entries = len(auth)
        a.ledger_entries = entry_arr
        a.n_ledger_entries = len(entries)
        a.ttl_entries = ttl_arr
        a.n_ttl_entries = len(ttls)
        a.restored_rw_entry_indices = idx_arr
        a.n_restored_rw_entry_indices = len(restored)
        with nogil:
            rc = f_invoke(&a, mc, &r, &err)
        if rc != SB_OK:
            f_invoke_result_free(&r)
            raise HostError(_take_err(&err), rc)
        try:
            out = InvokeResult.__new__(InvokeResult)
            out.success = r.success != 0
            out.is_internal_error = r.is_internal_error != 0
            out.cpu_insns = r.cpu_insns
            out.mem_bytes = r.mem_bytes
            out.time_nsecs = r.time_nsecs
            out.cpu_insns_excluding_vm_instantiation = r.cpu_insns_excluding_vm_instantiation
            out.time_nsecs_excluding_vm_instantiation = r.time_nsecs_excluding_vm_instantiation
            out.rent_fee = r.rent_fee
            out.bridge_nsecs = r.bridge_nsecs
            out.budget_nsecs = r.budget_nsecs
            out.result_value = _take_buf(&r.result_value)
            out.contract_events = _take_list(&r.contract_events)
            out.diagnostic_events = _take_list(&r.diagnostic_events)
            out.modified_ledger_entries = _take_list(&r.modified_ledger_entries)
            if out.success:
                out.error_type = None
                out.error_code = None
                out.error_message = ""
            else:
                out.error_type = r.error_type
                out.error_code = r.error_code
                out.error_message = _take_buf(&r.error_message).decode("utf-8", "replace")
        finally:
            f_invoke_result_free(&r)
    finally:
        if auth_arr != auth_small:
            free(auth_arr)
        if entry_arr != entry_small:
            free(entry_arr)
        if ttl_arr != ttl_small:
            free(ttl_arr)
        if idx_arr != idx_small:
            free(idx_arr)
    if not out.success and raise_on_failure:
        raise HostError(f"host function failed: {out.error_message}", FAILED_INVOCATION,
                        out.error_type, out.error_code, out)
    return out

# ------------------------------------------------------------------ fees

def compute_transaction_resource_fee(uint32_t protocol, resources, fee_config):
    """(non_refundable_fee, refundable_fee) of a transaction's resources
    (TransactionResources) under a FeeConfiguration, as the host computes them."""
    _load()
    cdef sb_tx_resources r
    cdef sb_fee_config f
    cdef int64_t nr = 0, rf = 0
    cdef sb_buf err
    r.instructions = _getattr(resources, "instructions")
    r.disk_read_entries = _getattr(resources, "disk_read_entries")
    r.write_entries = _getattr(resources, "write_entries")
    r.disk_read_bytes = _getattr(resources, "disk_read_bytes")
    r.write_bytes = _getattr(resources, "write_bytes")
    r.contract_events_size_bytes = _getattr(resources, "contract_events_size_bytes")
    r.transaction_size_bytes = _getattr(resources, "transaction_size_bytes")
    f.fee_per_instruction_increment = _getattr(fee_config, "fee_per_instruction_increment")
    f.fee_per_disk_read_entry = _getattr(fee_config, "fee_per_disk_read_entry")
    f.fee_per_write_entry = _getattr(fee_config, "fee_per_write_entry")
    f.fee_per_disk_read_1kb = _getattr(fee_config, "fee_per_disk_read_1kb")
    f.fee_per_write_1kb = _getattr(fee_config, "fee_per_write_1kb")
    f.fee_per_historical_1kb = _getattr(fee_config, "fee_per_historical_1kb")
    f.fee_per_contract_event_1kb = _getattr(fee_config, "fee_per_contract_event_1kb")
    f.fee_per_transaction_size_1kb = _getattr(fee_config, "fee_per_transaction_size_1kb")
    _check(f_tx_fee(protocol, &r, &f, &nr, &rf, &err), &err)
    return nr, rf


def compute_rent_fee(uint32_t protocol, changed_entries, fee_config, uint32_t current_ledger_seq):
    """Rent fee of a list of LedgerEntryRentChange under a RentFeeConfiguration."""
    _load()
    cdef list ch = list(changed_entries)
    cdef size_t n = len(ch), i
    cdef sb_rent_change *arr = <sb_rent_change *>malloc((n if n else 1) * sizeof(sb_rent_change))
    cdef sb_rent_fee_config c
    cdef int64_t out = 0
    cdef sb_buf err
    if arr == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            e = ch[i]
            arr[i].is_persistent = 1 if _getattr(e, "is_persistent") else 0
            arr[i].is_code_entry = 1 if _getattr(e, "is_code_entry") else 0
            arr[i].old_size_bytes = _getattr(e, "old_size_bytes")
            arr[i].new_size_bytes = _getattr(e, "new_size_bytes")
            arr[i].old_live_until_ledger = _getattr(e, "old_live_until_ledger")
            arr[i].new_live_until_ledger = _getattr(e, "new_live_until_ledger")
        _fill_rent_cfg(&c, fee_config)
        _check(f_rent_fee(protocol, arr, n, &c, current_ledger_seq, &out, &err), &err)
    finally:
        free(arr)
    return out


def compute_rent_write_fee_per_1kb(uint32_t protocol, int64_t state_size_bytes, fee_config):
    """Rent write fee per 1KB for a Soroban state size (RentWriteFeeConfiguration)."""
    _load()
    cdef sb_rent_write_fee_config c
    cdef int64_t out = 0
    cdef sb_buf err
    c.state_target_size_bytes = _getattr(fee_config, "state_target_size_bytes")
    c.rent_fee_1kb_state_size_low = _getattr(fee_config, "rent_fee_1kb_state_size_low")
    c.rent_fee_1kb_state_size_high = _getattr(fee_config, "rent_fee_1kb_state_size_high")
    c.state_size_rent_fee_growth_factor = _getattr(fee_config, "state_size_rent_fee_growth_factor")
    _check(f_rent_write_fee(protocol, state_size_bytes, &c, &out, &err), &err)
    return out


def contract_code_memory_size_for_rent(uint32_t protocol, contract_code_entry, cpu_cost_params,
                                       mem_cost_params):
    """The in-memory size of a ContractCodeEntry that rent is charged on."""
    _load()
    cdef bytes e = _as_bytes(contract_code_entry, "contract_code_entry")
    cdef bytes c = _as_bytes(cpu_cost_params, "cpu_cost_params")
    cdef bytes m = _as_bytes(mem_cost_params, "mem_cost_params")
    cdef uint32_t out = 0
    cdef sb_buf err
    _check(f_code_mem(protocol, _sb(e), _sb(c), _sb(m), &out, &err), &err)
    return out


def host_version(uint32_t protocol):
    """The soroban-env-host linked for `protocol`, as text."""
    _load()
    cdef sb_buf out
    cdef sb_buf err
    memset(&out, 0, sizeof(out))
    _check(f_host_version(protocol, &out, &err), &err)
    cdef bytes b = _take_buf(&out)
    f_buf_free(&out)
    return b.decode()


def host_xdr_file_hashes(uint32_t protocol):
    """{xdr file name: sha256 hex} of the XDR the host for `protocol` was built
    from (stellar-core checks the current host's against its own XDR)."""
    _load()
    cdef sb_buf out
    cdef sb_buf err
    memset(&out, 0, sizeof(out))
    _check(f_host_xdr_hashes(protocol, &out, &err), &err)
    cdef bytes b = _take_buf(&out)
    f_buf_free(&out)
    res = {}
    for line in b.decode().splitlines():
        path, digest = line.split()
        res[os.path.basename(path)] = digest
    return res


def host_max_protocol(uint32_t protocol):
    _load()
    cdef uint32_t out = 0
    cdef sb_buf err
    _check(f_host_max_protocol(protocol, &out, &err), &err)
    return out
