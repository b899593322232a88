"""InvokeHostFunction (stellar-core transactions/InvokeHostFunctionOpFrame.cpp),
protocol 23+ parallel apply.

The contract runs in the canonical host (stellarcore.soroban.bridge); what
is ours is around it: loading the footprint (expired temporary entries
read as absent, archived persistent ones fail the op unless marked for
automatic restoration), metering disk reads of classic and restored
entries, turning the host's output into ledger writes (every returned
entry rewritten, read-write keys not returned erased with their TTL -
PARITY_TRAPS S7), the events size limit, charging rent and events to the
refundable fee, and the success hash over return value and events.
"""
from __future__ import annotations

import hashlib

from stellarcore import xdr
from stellarcore.ledger.ledger_txn import entry_key_bytes
from stellarcore.soroban import bridge
from stellarcore.transactions import soroban_tx as ST
from stellarcore.transactions.operation_frame import OperationFrame, register
from stellarcore.transactions.parallel_apply import OpState

_R = xdr.InvokeHostFunctionResultCode
_ET = xdr.SCErrorType
_EC = xdr.SCErrorCode
_HF = xdr.HostFunctionType
_LT = xdr.LedgerEntryType


def host_ledger_context(thread, info):
    """getLedgerInfo, converted once per ledger and network configuration."""
    g = thread.global_state
    ctx = getattr(g, "_host_ctx", None)
    if ctx is None:
        cfg = thread.config
        li = cfg.host_ledger_info(info.ledger_version, info.ledger_seq, info.close_time, info.base_reserve,
                                  info.network_id)
        ctx = g._host_ctx = bridge.LedgerContext(li, cfg.rent_fee_configuration())
    return ctx


class HostFunctionMetrics:
    """What one invocation read, wrote and emitted (stellar-core's
    HostFunctionMetrics): the byte counts the resource limits are checked
    against, reported as "core_metrics" diagnostic events when diagnostics
    are on. (Like stellar-core, writes do not add to write_key_byte.)"""

    NAMES = ("read_entry", "write_entry", "ledger_read_byte", "ledger_write_byte", "read_key_byte",
             "write_key_byte", "read_data_byte", "write_data_byte", "read_code_byte", "write_code_byte",
             "emit_event", "emit_event_byte", "cpu_insn", "mem_byte", "invoke_time_nsecs",
             "max_rw_key_byte", "max_rw_data_byte", "max_rw_code_byte", "max_emit_event_byte")

    def __init__(self):
        for n in self.NAMES:
            setattr(self, n, 0)
        self.success = False

    def note_disk_read(self, is_code: bool, key_size: int, entry_size: int) -> None:
        self.read_entry += 1
        self.read_key_byte += key_size
        self.max_rw_key_byte = max(self.max_rw_key_byte, key_size)
        self.ledger_read_byte += entry_size
        self._note_bytes(is_code, entry_size, "read")

    def note_write(self, is_code: bool, key_size: int, entry_size: int) -> None:
        self.write_entry += 1
        self.max_rw_key_byte = max(self.max_rw_key_byte, key_size)
        self.ledger_write_byte += entry_size
        self._note_bytes(is_code, entry_size, "write")

    def _note_bytes(self, is_code: bool, size: int, what: str) -> None:
        kind = "code" if is_code else "data"
        name = f"{what}_{kind}_byte"
        setattr(self, name, getattr(self, name) + size)
        mx = f"max_rw_{kind}_byte"
        setattr(self, mx, max(getattr(self, mx), size))

    def events(self) -> list:
        out = []
        for n in self.NAMES:
            topics = [xdr.SCVal(xdr.SCValType.SCV_SYMBOL, b"core_metrics"),
                      xdr.SCVal(xdr.SCValType.SCV_SYMBOL, n.encode())]
            ev = xdr.ContractEvent(ext=xdr.ExtensionPoint(0), contractID=None,
                                   type=xdr.ContractEventType.DIAGNOSTIC,
                                   body=xdr.ContractEventBody(0, xdr.ContractEventV0(
                                       topics=topics, data=ST.u64_val(getattr(self, n)))))
            out.append(xdr.DiagnosticEvent(inSuccessfulContractCall=self.success, event=ev))
        return out


@register(xdr.OperationType.INVOKE_HOST_FUNCTION)
class InvokeHostFunctionOpFrame(OperationFrame):

    is_soroban = True

    def is_op_supported(self, header) -> bool:
        return header.ledgerVersion >= 20

    def do_check_valid_for_soroban(self, config, ledger_version: int, diagnostics) -> bool:
        hf = self.body.hostFunction
        if hf.type == _HF.HOST_FUNCTION_TYPE_UPLOAD_CONTRACT_WASM and len(hf.wasm) > config.max_contract_size_bytes:
            diagnostics.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                                   "uploaded Wasm size exceeds network config maximum contract size",
                                   [ST.u64_val(len(hf.wasm)), ST.u64_val(config.max_contract_size_bytes)])
            return False
        if hf.type == _HF.HOST_FUNCTION_TYPE_CREATE_CONTRACT:
            pre = hf.createContract.contractIDPreimage
            if pre.type == xdr.ContractIDPreimageType.CONTRACT_ID_PREIMAGE_FROM_ASSET:
                from stellarcore.ledger.assets import asset_is_valid
                if not asset_is_valid(pre.fromAsset, ledger_version):
                    diagnostics.push_error(_ET.SCE_VALUE, _EC.SCEC_INVALID_INPUT,
                                           "invalid asset to create contract from")
                    return False
        return True

    # -- apply -----------------------------------------------------------------
    def parallel_apply(self, thread, info, tracker, op_meta, diagnostics, prng_seed):
        run = _Invocation(self, thread, info, tracker, op_meta, diagnostics)
        out = self._apply(run, op_meta, prng_seed)
        if diagnostics.enabled:
            run.metrics.success = out is not None
            for ev in run.metrics.events():
                diagnostics.push_event(ev)
        return out

    def _apply(self, run, op_meta, prng_seed):
        if not run.add_footprint():
            return None
        out = run.invoke(prng_seed)
        if out is None or not run.record_storage_changes(out):
            return None
        events = run.collect_events(out)
        if events is None or not run.consume_refundable(out):
            return None
        ret = xdr.SCVal.from_xdr(out.result_value)
        pre = xdr.InvokeHostFunctionSuccessPreImage(returnValue=ret, events=events)
        self.set_inner(xdr.InvokeHostFunctionResult(_R.INVOKE_HOST_FUNCTION_SUCCESS,
                                                    hashlib.sha256(pre.to_xdr()).digest()))
        op_meta.events.events = list(events)
        op_meta.soroban_return_value = ret
        return run.state.success()


class _Invocation:
    """One run of the op (InvokeHostFunctionParallelApplyHelper)."""

    def __init__(self, op, thread, info, tracker, op_meta, diagnostics):
        self.op = op
        self.thread = thread
        self.info = info
        self.tracker = tracker
        self.diag = diagnostics
        self.config = thread.config
        self.resources = op.tx.soroban_resources()
        self.state = OpState(thread)
        self.entries: list = []
        self.ttls: list = []
        self.restored_indices: list = []
        self.metrics = HostFunctionMetrics()
        ext = op.tx.tx.ext.sorobanData.ext
        self.autorestore = set(ext.resourceExt.archivedSorobanEntries) if ext.v == 1 else set()

    def _fail(self, code) -> bool:
        self.op.set_code(code)
        return False

    def _meter_disk_read(self, k, key_size: int, size: int) -> bool:
        m = self.metrics
        m.note_disk_read(k.type == _LT.CONTRACT_CODE, key_size, size)
        if self.resources.diskReadBytes < m.ledger_read_byte:
            self.diag.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                                 "operation byte-read resources exceeds amount specified",
                                 [ST.u64_val(m.ledger_read_byte), ST.u64_val(self.resources.diskReadBytes)])
            return self._fail(_R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED)
        return True

    # -- footprint -------------------------------------------------------------
    def add_footprint(self) -> bool:
        fp = self.resources.footprint
        return self._add_reads(fp.readOnly, True) and self._add_reads(fp.readWrite, False)

    def _add_reads(self, keys, read_only: bool) -> bool:
        seq = self.info.ledger_seq
        restored_until = seq + self.config.state_archival_settings.minPersistentTTL - 1
        state = self.state
        for i, k in enumerate(keys):
            kb = k.to_xdr()
            soroban = ST.is_soroban_key(k)
            live = False
            ttl_body = None
            if soroban:
                tk = ST.ttl_key_of(kb)
                ttl_le = state.get(tk)
                if ttl_le is not None:
                    if not ST.is_live(ttl_le, seq):
                        if not ST.is_temporary_key(k):
                            entry = state.get(kb)
                            if entry is None:
                                raise RuntimeError("TTL without its entry")
                            if not self._handle_archived(k, kb, entry, read_only, restored_until, False, i):
                                return False
                            continue
                    else:
                        live = True
                        ttl_body = ttl_le.data.ttl
                elif ST.is_persistent_key(k):
                    if state.entry_was_restored(kb):
                        continue
                    hot = self.thread.hot_archive
                    archived = hot(kb) if hot is not None else None
                    if archived is not None:
                        if not self._handle_archived(k, kb, archived, read_only, restored_until, True, i):
                            return False
                        continue
            size = 0
            if not soroban or live:
                entry = state.get(kb)
                if entry is not None:
                    eb = entry.to_xdr()
                    size = len(eb)
                    self.entries.append(eb)
                    self.ttls.append(ttl_body.to_xdr() if ttl_body is not None else b"")
                elif soroban and ttl_body is not None:
                    raise RuntimeError("TTL without its entry")
            if not ST.validate_contract_ledger_entry(k, size, self.config, self.diag):
                return self._fail(_R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED)
            if not soroban and not self._meter_disk_read(k, len(kb), size):
                return False
            if soroban:
                self.metrics.read_entry += 1
        return True

    def _handle_archived(self, k, kb: bytes, entry, read_only: bool, restored_until: int,
                         from_hot_archive: bool, index: int) -> bool:
        if not read_only and index in self.autorestore:
            eb = entry.to_xdr()
            if not ST.validate_contract_ledger_entry(k, len(eb), self.config, self.diag):
                return self._fail(_R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED)
            if not self._meter_disk_read(k, len(kb), len(eb)):
                return False
            tk = ST.ttl_key_of(kb)
            seq = self.info.ledger_seq
            if from_hot_archive:
                self.state.upsert(kb, entry, seq)
                ttl_le = ST.ttl_entry(tk, restored_until)
                self.state.upsert(tk, ttl_le, seq)
                self.state.add_hot_archive_restore(kb, entry, tk, ttl_le)
            else:
                old = self.state.get(tk)
                if old is None:
                    raise RuntimeError("archived live-BucketList entry without TTL")
                ttl_le = old.copy()
                ttl_le.data.ttl.liveUntilLedgerSeq = restored_until
                self.state.upsert(tk, ttl_le, seq)
                self.state.add_live_restore(kb, entry, tk, ttl_le)
            self.entries.append(eb)
            self.ttls.append(ttl_le.data.ttl.to_xdr())
            self.restored_indices.append(index)
            return True
        if k.type == _LT.CONTRACT_CODE:
            self.diag.push_error(_ET.SCE_VALUE, _EC.SCEC_INVALID_INPUT,
                                 "trying to access an archived contract code entry",
                                 [xdr.SCVal(xdr.SCValType.SCV_BYTES, k.contractCode.hash)])
        elif k.type == _LT.CONTRACT_DATA:
            self.diag.push_error(_ET.SCE_VALUE, _EC.SCEC_INVALID_INPUT,
                                 "trying to access an archived contract data entry",
                                 [xdr.SCVal(xdr.SCValType.SCV_ADDRESS, k.contractData.contract),
                                  k.contractData.key])
        return self._fail(_R.INVOKE_HOST_FUNCTION_ENTRY_ARCHIVED)

    # -- the host -------------------------------------------------------------
    def invoke(self, prng_seed: bytes):
        op = self.op
        body = op.body
        ctx = host_ledger_context(self.thread, self.info)
        try:
            out = bridge.invoke_host_function(
                body.hostFunction.to_xdr(), self.resources.to_xdr(), op.source_id.to_xdr(), ctx,
                instruction_limit=self.resources.instructions,
                auth_entries=[a.to_xdr() for a in body.auth], ledger_entries=self.entries,
                ttl_entries=self.ttls, restored_rw_entry_indices=self.restored_indices,
                base_prng_seed=prng_seed, module_cache=self.thread.module_cache,
                enable_diagnostics=self.diag.enabled, raise_on_failure=False)
        except bridge.HostError as e:
            raise RuntimeError(f"Got internal error during Soroban host invocation: {e}") from e
        self.metrics.cpu_insn = out.cpu_insns
        self.metrics.mem_byte = out.mem_bytes
        self.metrics.invoke_time_nsecs = out.time_nsecs
        for d in out.diagnostic_events:
            self.diag.push_event(xdr.DiagnosticEvent.from_xdr(d))
        if out.success:
            return out
        if out.is_internal_error:
            raise RuntimeError("Got internal error during Soroban host invocation.")
        if self.resources.instructions < out.cpu_insns:
            self.diag.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                                 "operation instructions exceeds amount specified",
                                 [ST.u64_val(out.cpu_insns), ST.u64_val(self.resources.instructions)])
            self.op.set_code(_R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED)
        elif self.config.tx_memory_limit < out.mem_bytes:
            self.diag.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                                 "operation memory usage exceeds network config limit",
                                 [ST.u64_val(out.mem_bytes), ST.u64_val(self.config.tx_memory_limit)])
            self.op.set_code(_R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED)
        else:
            self.op.set_code(_R.INVOKE_HOST_FUNCTION_TRAPPED)
        return None

    # -- output -------------------------------------------------------------
    def record_storage_changes(self, out) -> bool:
        state = self.state
        seq = self.info.ledger_seq
        touched, created = set(), []
        for buf in out.modified_ledger_entries:
            le = xdr.LedgerEntry.from_xdr(buf)
            kb = entry_key_bytes(le)
            key = xdr.LedgerKey.from_xdr(kb)
            if not ST.validate_contract_ledger_entry(key, len(buf), self.config, self.diag):
                return self._fail(_R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED)
            touched.add(kb)
            if key.type != _LT.TTL:
                m = self.metrics
                m.note_write(key.type == _LT.CONTRACT_CODE, len(kb), len(buf))
                if self.resources.writeBytes < m.ledger_write_byte:
                    self.diag.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                                         "operation byte-write resources exceeds amount specified",
                                         [ST.u64_val(m.ledger_write_byte), ST.u64_val(self.resources.writeBytes)])
                    return self._fail(_R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED)
            if state.upsert(kb, le, seq):
                created.append((kb, key))
        created_keys = {kb for kb, _ in created}
        for kb, key in created:
            if ST.is_soroban_key(key):
                if ST.ttl_key_of(kb) not in created_keys:
                    raise RuntimeError("a new contract entry without its TTL")
            elif key.type != _LT.TTL:
                raise RuntimeError("the host created a classic entry")
        for k in self.resources.footprint.readWrite:
            kb = k.to_xdr()
            if kb not in touched and state.erase_if_exists(kb):
                if not ST.is_soroban_key(k):
                    raise RuntimeError("the host erased a classic entry")
                if not state.erase_if_exists(ST.ttl_key_of(kb)):
                    raise RuntimeError("an erased contract entry without TTL")
        return True

    def collect_events(self, out):
        limit = self.config.tx_max_contract_events_size_bytes
        m = self.metrics
        events = []
        for buf in out.contract_events:
            m.emit_event += 1
            m.emit_event_byte += len(buf)
            m.max_emit_event_byte = max(m.max_emit_event_byte, len(buf))
            if limit < m.emit_event_byte:
                self.diag.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                                     "total events size exceeds network config maximum",
                                     [ST.u64_val(m.emit_event_byte), ST.u64_val(limit)])
                self.op.set_code(_R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED)
                return None
            events.append(xdr.ContractEvent.from_xdr(buf))
        m.emit_event_byte += len(out.result_value)
        if limit < m.emit_event_byte:
            self.diag.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                                 "return value pushes events size above network config maximum",
                                 [ST.u64_val(m.emit_event_byte), ST.u64_val(limit)])
            self.op.set_code(_R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED)
            return None
        return events

    def consume_refundable(self, out) -> bool:
        if not self.tracker.consume(self.metrics.emit_event_byte, out.rent_fee, self.info.ledger_version, self.config,
                                    self.op.tx, self.diag):
            return self._fail(_R.INVOKE_HOST_FUNCTION_INSUFFICIENT_REFUNDABLE_FEE)
        return True
