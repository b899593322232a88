"""RestoreFootprint (stellar-core transactions/RestoreFootprintOpFrame.cpp),
protocol 23+ parallel apply.

Every archived persistent entry of the read-write footprint - still in
the live BucketList with an expired TTL, or evicted to the hot archive -
comes back with liveUntil = ledgerSeq + minPersistentTTL - 1; live ones
and ones restored earlier in the ledger are skipped. Read and write bytes
are both metered on the entry size; rent is charged as for a new entry
(old size 0, PARITY_TRAPS S13). Low threshold.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.transactions import soroban_tx as ST
from stellarcore.transactions.operation_frame import OperationFrame, ThresholdLevel, register
from stellarcore.transactions.parallel_apply import OpState

_R = xdr.RestoreFootprintResultCode
_ET = xdr.SCErrorType
_EC = xdr.SCErrorCode


@register(xdr.OperationType.RESTORE_FOOTPRINT)
class RestoreFootprintOpFrame(OperationFrame):

    threshold_level = ThresholdLevel.LOW
    is_soroban = True

    def is_op_supported(self, header) -> bool:
        return header.ledgerVersion >= 20

    def do_check_valid_for_soroban(self, config, ledger_version: int, diagnostics) -> bool:
        fp = self.tx.soroban_resources().footprint
        if fp.readOnly:
            self.set_code(_R.RESTORE_FOOTPRINT_MALFORMED)
            diagnostics.push_error(_ET.SCE_STORAGE, _EC.SCEC_INVALID_INPUT,
                                   "read-only footprint must be empty for RestoreFootprint operation")
            return False
        for k in fp.readWrite:
            if not ST.is_persistent_key(k):
                self.set_code(_R.RESTORE_FOOTPRINT_MALFORMED)
                diagnostics.push_error(_ET.SCE_STORAGE, _EC.SCEC_INVALID_INPUT,
                                       "only persistent Soroban entries can be restored")
                return False
        return True

    def parallel_apply(self, thread, info, tracker, op_meta, diagnostics, prng_seed):
        state = OpState(thread)
        config = thread.config
        resources = self.tx.soroban_resources()
        seq = info.ledger_seq
        restored_until = seq + config.state_archival_settings.minPersistentTTL - 1
        read_bytes = write_bytes = 0
        changes = []
        for k in resources.footprint.readWrite:
            kb = k.to_xdr()
            tk = ST.ttl_key_of(kb)
            ttl_le = state.get(tk)
            hot_entry = None
            if ttl_le is None:
                if state.entry_was_restored(kb):
                    continue
                hot_entry = thread.hot_archive(kb) if thread.hot_archive is not None else None
                if hot_entry is None:
                    continue
            elif ST.is_live(ttl_le, seq):
                continue
            if hot_entry is not None:
                entry = hot_entry.copy()
                entry.lastModifiedLedgerSeq = seq
            else:
                entry = state.get(kb)
                if entry is None:
                    raise RuntimeError("TTL without its entry")
            size = len(entry.to_xdr())
            read_bytes += size
            if resources.diskReadBytes < read_bytes:
                diagnostics.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                                       "operation byte-read resources exceeds amount specified",
                                       [ST.u64_val(read_bytes), ST.u64_val(resources.diskReadBytes)])
                self.set_code(_R.RESTORE_FOOTPRINT_RESOURCE_LIMIT_EXCEEDED)
                return None
            write_bytes += size
            if not ST.validate_contract_ledger_entry(k, size, config, diagnostics):
                self.set_code(_R.RESTORE_FOOTPRINT_RESOURCE_LIMIT_EXCEEDED)
                return None
            if resources.writeBytes < write_bytes:
                diagnostics.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                                       "operation byte-write resources exceeds amount specified",
                                       [ST.u64_val(write_bytes), ST.u64_val(resources.writeBytes)])
                self.set_code(_R.RESTORE_FOOTPRINT_RESOURCE_LIMIT_EXCEEDED)
                return None
            changes.append(ST.rent_change_without_modification(entry, size, None, restored_until,
                                                               info.ledger_version, config))
            if ttl_le is None:
                state.upsert(kb, entry, seq)
                new_ttl = ST.ttl_entry(tk, restored_until)
                state.upsert(tk, new_ttl, seq)
                state.add_hot_archive_restore(kb, entry, tk, new_ttl)
            else:
                new_ttl = ttl_le.copy()
                new_ttl.data.ttl.liveUntilLedgerSeq = restored_until
                state.upsert(tk, new_ttl, seq)
                state.add_live_restore(kb, entry, tk, new_ttl)
        rent = ST.compute_rent_fee(info.ledger_version, changes, config, seq)
        if not tracker.consume(0, rent, info.ledger_version, config, self.tx, diagnostics):
            self.set_code(_R.RESTORE_FOOTPRINT_INSUFFICIENT_REFUNDABLE_FEE)
            return None
        self.set_code(_R.RESTORE_FOOTPRINT_SUCCESS)
        return state.success()
