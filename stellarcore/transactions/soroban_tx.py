"""The Soroban parts of a transaction frame (stellar-core
TransactionFrame.cpp: checkSorobanResources, computeSorobanResourceFee,
getNumDiskReadEntries, validateSorobanMemo; MutableTransactionResult.cpp:
RefundableFeeTracker; EventManager.cpp: DiagnosticEventManager).

Why a module of its own: a Soroban transaction is a classic transaction
plus a declared resource budget; everything that reads that budget - the
validity rules, the fee the budget costs, what is refunded after apply -
sits here, and the frame calls it at the points stellar-core does.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger.assets import asset_is_valid, is_issuer
from stellarcore.soroban import fees, rent
from stellarcore.soroban.parallel_phase import ttl_key
from stellarcore.soroban.bridge_types import TransactionResources

_LT = xdr.LedgerEntryType
_ET = xdr.SCErrorType
_EC = xdr.SCErrorCode
_SCV = xdr.SCValType
INT64_MAX = (1 << 63) - 1


# -- keys ---------------------------------------------------------------------
is_soroban_key = rent.is_soroban_entry
is_persistent_key = rent.is_persistent_entry
is_temporary_key = rent.is_temporary_entry
ttl_key_of = ttl_key  # getTTLKey: TTL LedgerKey XDR of a contract data/code key XDR


def ttl_entry(ttl_key_xdr: bytes, live_until: int, last_modified: int = 0) -> "xdr.LedgerEntry":
    """getTTLEntryForTTLKey, from the TTL key's XDR."""
    e = rent.ttl_entry_for_ttl_key(xdr.LedgerKey.from_xdr(ttl_key_xdr), live_until)
    e.lastModifiedLedgerSeq = last_modified
    return e


is_live = rent.is_live


# -- diagnostic events ----------------------------------------------------------
class DiagnosticEventManager:
    """Collects diagnostic events when enabled (ENABLE_SOROBAN_DIAGNOSTIC_EVENTS
    for apply, ENABLE_DIAGNOSTICS_FOR_TX_SUBMISSION for validation)."""

    __slots__ = ("enabled", "events")

    def __init__(self, enabled: bool = False):
        self.enabled = enabled
        self.events: list = []

    def push_event(self, event) -> None:
        if self.enabled:
            self.events.append(event)

    def push_error(self, err_type, code, message: str, args=()) -> None:
        if not self.enabled:
            return
        topics = [xdr.SCVal(_SCV.SCV_SYMBOL, b"error"),
                  xdr.SCVal(_SCV.SCV_ERROR, xdr.SCError(err_type, code=code))]
        msg = xdr.SCVal(_SCV.SCV_STRING, message.encode())
        data = msg if not args else xdr.SCVal(_SCV.SCV_VEC, [msg, *args])
        ev = xdr.ContractEvent(ext=xdr.ExtensionPoint(0), contractID=None,
                               type=xdr.ContractEventType.DIAGNOSTIC,
                               body=xdr.ContractEventBody(0, xdr.ContractEventV0(topics=topics, data=data)))
        self.events.append(xdr.DiagnosticEvent(inSuccessfulContractCall=False, event=ev))


def u64_val(v: int) -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_U64, v & ((1 << 64) - 1))


# -- the declared resources --------------------------------------------------------
def soroban_data(tx) -> "xdr.SorobanTransactionData":
    return tx.ext.sorobanData


def num_disk_read_entries(resources, ext, is_restore: bool) -> int:
    """getNumDiskReadEntries (protocol 23+): classic keys, plus the archived
    entries marked for restoration; every key of a RestoreFootprint."""
    fp = resources.footprint
    if is_restore:
        return len(fp.readWrite)
    n = sum(1 for k in fp.readOnly if not is_soroban_key(k))
    n += sum(1 for k in fp.readWrite if not is_soroban_key(k))
    if ext.v == 1:
        n += len(ext.resourceExt.archivedSorobanEntries)
    return n


def compute_soroban_resource_fee(ledger_version: int, resources, tx_size: int, events_size: int,
                                 config, ext, is_restore: bool):
    """TransactionFrame::computeSorobanResourceFee -> (non_refundable, refundable),
    by our implementation of the host's fee function (stellarcore.soroban.fees,
    checked equal to the host on randomized resources for protocols 23-25)."""
    r = TransactionResources(
        instructions=resources.instructions,
        disk_read_entries=num_disk_read_entries(resources, ext, is_restore),
        write_entries=len(resources.footprint.readWrite),
        disk_read_bytes=resources.diskReadBytes,
        write_bytes=resources.writeBytes,
        contract_events_size_bytes=events_size,
        transaction_size_bytes=tx_size)
    return fees.compute_transaction_resource_fee(r, config.fee_configuration(ledger_version))


class RefundableFeeTracker:
    """What of the refundable part of the declared resource fee is used up
    (rent, events); the rest is refunded after the transaction set."""

    __slots__ = ("maximum", "events_size", "rent_fee", "consumed")

    def __init__(self, maximum_refundable_fee: int):
        self.maximum = maximum_refundable_fee
        self.reset_consumed_fee()

    def reset_consumed_fee(self) -> None:
        self.events_size = 0
        self.rent_fee = 0
        self.consumed = 0

    def consume(self, events_size: int, rent_fee: int, ledger_version: int, config, frame,
                diagnostics: DiagnosticEventManager) -> bool:
        """consumeRefundableSorobanResources."""
        self.events_size += events_size
        self.rent_fee += rent_fee
        if self.maximum < self.rent_fee:
            diagnostics.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                                   "refundable resource fee was not sufficient to cover the ledger "
                                   "storage rent: {} > {}",
                                   [u64_val(self.rent_fee), u64_val(self.maximum)])
            return False
        _, refundable = frame.soroban_resource_fee_for(ledger_version, config, self.events_size)
        self.consumed = self.rent_fee + refundable
        if self.maximum < self.consumed:
            diagnostics.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                                   "refundable resource fee was not sufficient to cover the events "
                                   "fee after paying for ledger storage rent: {} > {}",
                                   [u64_val(refundable), u64_val(self.maximum - self.rent_fee)])
            return False
        return True

    @property
    def fee_refund(self) -> int:
        return self.maximum - self.consumed


# -- validity ---------------------------------------------------------------------
def _footprint_key_valid(key, config, ledger_version: int, diag) -> bool:
    t = key.type
    if t in (_LT.ACCOUNT, _LT.CONTRACT_DATA, _LT.CONTRACT_CODE):
        pass
    elif t == _LT.TRUSTLINE:
        tl = key.trustLine
        asset = tl.asset
        if (not asset_is_valid(asset, ledger_version) or asset.type == xdr.AssetType.ASSET_TYPE_NATIVE
                or is_issuer(tl.accountID, asset)):
            diag.push_error(_ET.SCE_STORAGE, _EC.SCEC_INVALID_INPUT,
                            "transaction footprint contains invalid trustline asset")
            return False
    else:
        diag.push_error(_ET.SCE_STORAGE, _EC.SCEC_UNEXPECTED_TYPE,
                        "transaction footprint contains unsupported ledger key type", [u64_val(int(t))])
        return False
    size = len(key.to_xdr())
    if size > config.max_contract_data_key_size_bytes:
        diag.push_error(_ET.SCE_STORAGE, _EC.SCEC_EXCEEDED_LIMIT,
                        "transaction footprint key exceeds network config limit",
                        [u64_val(size), u64_val(config.max_contract_data_key_size_bytes)])
        return False
    return True


def check_soroban_resources(frame, config, ledger_version: int, diag) -> bool:
    """TransactionFrame::checkSorobanResources (protocol 23+)."""
    data = soroban_data(frame.tx)
    r = data.resources
    fp = r.footprint
    if r.instructions > config.tx_max_instructions:
        diag.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                        "transaction instructions resources exceed network config limit",
                        [u64_val(r.instructions), u64_val(config.tx_max_instructions)])
        return False
    if r.diskReadBytes > config.tx_max_disk_read_bytes:
        diag.push_error(_ET.SCE_STORAGE, _EC.SCEC_EXCEEDED_LIMIT,
                        "transaction byte-read resources exceed network config limit",
                        [u64_val(r.diskReadBytes), u64_val(config.tx_max_disk_read_bytes)])
        return False
    if r.writeBytes > config.tx_max_write_bytes:
        diag.push_error(_ET.SCE_STORAGE, _EC.SCEC_EXCEEDED_LIMIT,
                        "transaction byte-write resources exceed network config limit",
                        [u64_val(r.writeBytes), u64_val(config.tx_max_write_bytes)])
        return False
    n_reads = num_disk_read_entries(r, data.ext, frame.is_restore_footprint_tx)
    total = len(fp.readOnly) + len(fp.readWrite)
    if total > config.tx_max_footprint_entries:
        diag.push_error(_ET.SCE_STORAGE, _EC.SCEC_EXCEEDED_LIMIT,
                        "the number of entries in transaction footprint exceeds the network config limit",
                        [u64_val(total), u64_val(config.tx_max_footprint_entries)])
        return False
    if n_reads > config.tx_max_disk_read_entries:
        diag.push_error(_ET.SCE_STORAGE, _EC.SCEC_EXCEEDED_LIMIT,
                        "transaction entry-disk-read resources exceed network config limit",
                        [u64_val(n_reads), u64_val(config.tx_max_disk_read_entries)])
        return False
    if len(fp.readWrite) > config.tx_max_write_ledger_entries:
        diag.push_error(_ET.SCE_STORAGE, _EC.SCEC_EXCEEDED_LIMIT,
                        "transaction entry-write resources exceed network config limit",
                        [u64_val(len(fp.readWrite)), u64_val(config.tx_max_write_ledger_entries)])
        return False
    for k in fp.readOnly:
        if not _footprint_key_valid(k, config, ledger_version, diag):
            return False
    for k in fp.readWrite:
        if not _footprint_key_valid(k, config, ledger_version, diag):
            return False
    size = frame.size
    if size > config.tx_max_size_bytes:
        diag.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                        "total transaction size exceeds network config limit",
                        [u64_val(size), u64_val(config.tx_max_size_bytes)])
        return False
    ext = data.ext
    if ext.v == 1:
        last = None
        for index in ext.resourceExt.archivedSorobanEntries:
            if last is not None and index <= last:
                diag.push_error(_ET.SCE_STORAGE, _EC.SCEC_INVALID_INPUT,
                                "archivedSorobanEntries must be sorted in ascending order")
                return False
            last = index
            if index >= len(fp.readWrite):
                diag.push_error(_ET.SCE_STORAGE, _EC.SCEC_INVALID_INPUT,
                                "archivedSorobanEntries index is out of bounds",
                                [u64_val(index), u64_val(len(fp.readWrite))])
                return False
            key = fp.readWrite[index]
            if not is_persistent_key(key):
                diag.push_error(_ET.SCE_STORAGE, _EC.SCEC_INVALID_INPUT,
                                "archivedSorobanEntries index points to a non-persistent entry",
                                [u64_val(index), u64_val(int(key.type))])
                return False
    return True


def memo_allowed(frame) -> bool:
    """validateSorobanMemo (enforced from protocol 25): an InvokeHostFunction
    transaction has no memo and no muxed source, for the tx or the op."""
    ops = frame.operations
    if len(ops) != 1 or ops[0].body.type != xdr.OperationType.INVOKE_HOST_FUNCTION:
        return True
    muxed = xdr.CryptoKeyType.KEY_TYPE_MUXED_ED25519
    if frame.memo.type != xdr.MemoType.MEMO_NONE or frame.source_account.type == muxed:
        return False
    src = ops[0].sourceAccount
    return not (src is not None and src.type == muxed)


def check_valid_soroban_pre_seq(frame, config, ledger_version: int, charge_fee: bool, fee_pair,
                                diag) -> bool:
    """The Soroban block of commonValidPreSeqNum; False means txSOROBAN_INVALID."""
    if ledger_version >= 25 and not memo_allowed(frame):
        diag.push_error(_ET.SCE_VALUE, _EC.SCEC_INVALID_INPUT,
                        "Soroban transactions are not allowed to use memo or muxed source account")
        return False
    if not check_soroban_resources(frame, config, ledger_version, diag):
        return False
    data = soroban_data(frame.tx)
    if charge_fee and data.resourceFee > frame.fee:
        diag.push_error(_ET.SCE_VALUE, _EC.SCEC_EXCEEDED_LIMIT,
                        "transaction `sorobanData.resourceFee` is higher than the full transaction fee",
                        [u64_val(data.resourceFee), u64_val(frame.fee)])
        return False
    non_refundable, refundable = fee_pair
    if refundable > INT64_MAX - non_refundable:
        diag.push_error(_ET.SCE_VALUE, _EC.SCEC_INVALID_INPUT,
                        "transaction resource fees cannot be added without overflow",
                        [u64_val(refundable), u64_val(non_refundable)])
        return False
    if data.resourceFee < refundable + non_refundable:
        diag.push_error(_ET.SCE_VALUE, _EC.SCEC_EXCEEDED_LIMIT,
                        "transaction `sorobanData.resourceFee` is lower than the actual Soroban resource fee",
                        [u64_val(data.resourceFee), u64_val(refundable + non_refundable)])
        return False
    seen = set()
    for keys in (data.resources.footprint.readOnly, data.resources.footprint.readWrite):
        for k in keys:
            kb = k.to_xdr()
            if kb in seen:
                diag.push_error(_ET.SCE_STORAGE, _EC.SCEC_INVALID_INPUT,
                                "Found duplicate key in the Soroban footprint; every key across read-only "
                                "and read-write footprints has to be unique.")
                return False
            seen.add(kb)
    return True


def validate_contract_ledger_entry(key, entry_size: int, config, diag) -> bool:
    """validateContractLedgerEntry: code and data entry size limits."""
    if key.type == _LT.CONTRACT_CODE and config.max_contract_size_bytes < entry_size:
        diag.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                        "Wasm size exceeds network config maximum contract size",
                        [u64_val(entry_size), u64_val(config.max_contract_size_bytes)])
        return False
    if key.type == _LT.CONTRACT_DATA and config.max_contract_data_entry_size_bytes < entry_size:
        diag.push_error(_ET.SCE_BUDGET, _EC.SCEC_EXCEEDED_LIMIT,
                        "ContractData size exceeds network config maximum size",
                        [u64_val(entry_size), u64_val(config.max_contract_data_entry_size_bytes)])
        return False
    return True



# -- rent (stellarcore.soroban.rent: our rules, the host's formula) --------------------------
ledger_entry_size_for_rent = rent.ledger_entry_size_for_rent
rent_change_without_modification = rent.rent_change_without_modification


def compute_rent_fee(ledger_version: int, changes, config, ledger_seq: int) -> int:
    """compute_rent_fee under the network's rent configuration (one formula
    for protocols 23-25)."""
    return rent.rent_fee(changes, config, ledger_seq)
