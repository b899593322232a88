"""ExtendFootprintTTL (stellar-core transactions/ExtendFootprintTTLOpFrame.cpp),
protocol 23+ parallel apply.

Every live entry of the read-only footprint whose TTL is below
ledgerSeq + extendTo gets that TTL; the rent for the extension comes out
of the refundable fee. From protocol 23 the entries are in memory, so no
read bytes are metered. Low threshold.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.transactions import soroban_tx as ST
from stellarcore.transactions.operation_frame import OperationFrame, ThresholdLevel, register
from stellarcore.transactions.parallel_apply import OpState

_R = xdr.ExtendFootprintTTLResultCode
_ET = xdr.SCErrorType
_EC = xdr.SCErrorCode


@register(xdr.OperationType.EXTEND_FOOTPRINT_TTL)
class ExtendFootprintTTLOpFrame(OperationFrame):

    threshold_level = ThresholdLevel.LOW
    is_soroban = True

    def is_op_supported(self, header) -> bool:
        return header.ledgerVersion >= 20

    def do_check_valid_for_soroban(self, config, ledger_version: int, diagnostics) -> bool:
        fp = self.tx.soroban_resources().footprint
        if fp.readWrite:
            self.set_code(_R.EXTEND_FOOTPRINT_TTL_MALFORMED)
            diagnostics.push_error(_ET.SCE_STORAGE, _EC.SCEC_INVALID_INPUT,
                                   "read-write footprint must be empty for ExtendFootprintTTL operation")
            return False
        for k in fp.readOnly:
            if not ST.is_soroban_key(k):
                self.set_code(_R.EXTEND_FOOTPRINT_TTL_MALFORMED)
                diagnostics.push_error(_ET.SCE_STORAGE, _EC.SCEC_INVALID_INPUT,
                                       "only entries with TTL (contract data or code entries) can have it "
                                       "extended")
                return False
        max_ttl = config.state_archival_settings.maxEntryTTL - 1
        if self.body.extendTo > max_ttl:
            self.set_code(_R.EXTEND_FOOTPRINT_TTL_MALFORMED)
            diagnostics.push_error(_ET.SCE_STORAGE, _EC.SCEC_INVALID_INPUT,
                                   "TTL extension is too large: {} > {}",
                                   [ST.u64_val(self.body.extendTo), ST.u64_val(max_ttl)])
            return False
        return True

    def parallel_apply(self, thread, info, tracker, op_meta, diagnostics, prng_seed):
        state = OpState(thread)
        config = thread.config
        seq = info.ledger_seq
        new_live_until = seq + self.body.extendTo
        changes = []
        for k in self.tx.soroban_resources().footprint.readOnly:
            kb = k.to_xdr()
            tk = ST.ttl_key_of(kb)
            ttl_le = state.get(tk)
            if ttl_le is None or not ST.is_live(ttl_le, seq):
                continue
            cur = ttl_le.data.ttl.liveUntilLedgerSeq
            if cur >= new_live_until:
                continue
            entry = state.get(kb)
            if entry is None:
                raise RuntimeError("live TTL without its entry")
            size = len(entry.to_xdr())
            if not ST.validate_contract_ledger_entry(k, size, config, diagnostics):
                self.set_code(_R.EXTEND_FOOTPRINT_TTL_RESOURCE_LIMIT_EXCEEDED)
                return None
            changes.append(ST.rent_change_without_modification(entry, size, cur, new_live_until,
                                                               info.ledger_version, config))
            bumped = ttl_le.copy()
            bumped.data.ttl.liveUntilLedgerSeq = new_live_until
            state.upsert(tk, bumped, seq)
        rent = ST.compute_rent_fee(info.ledger_version, changes, config, seq)
        if not tracker.consume(0, rent, info.ledger_version, config, self.tx, diagnostics):
            self.set_code(_R.EXTEND_FOOTPRINT_TTL_INSUFFICIENT_REFUNDABLE_FEE)
            return None
        self.set_code(_R.EXTEND_FOOTPRINT_TTL_SUCCESS)
        return state.success()
