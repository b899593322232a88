"""LedgerCloseMeta: built while a ledger closes, written to the meta stream.

As stellar-core's LedgerCloseMetaFrame and its METADATA_OUTPUT_STREAM: the
meta's version follows the protocol the ledger *started* with (v0 before
protocol 20, v1 for 20-22, v2 from 23 - a ledger that upgrades keeps the
old version, PARITY_TRAPS L5); each value is written as one record-marked
XDR frame (4-byte big-endian length with the high bit set, then the XDR),
which is what captive-core consumers (Horizon, RPC, Galexie) read.

Why a separate module: the close pipeline fills the meta piece by piece in
the order stellar-core does, and the stream must survive its consumer going
away (a broken pipe is logged once, and the node keeps closing ledgers
only if it was not asked to stream: stellar-core aborts on a meta write
failure, and so do we - a consumer must never miss a ledger silently).
"""
from __future__ import annotations

import os

from stellarcore import xdr
from stellarcore.util.types import ledger_entry_key
from stellarcore.xdr.stream import XdrOutputStream

SOROBAN_PROTOCOL_VERSION = 20
PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION = 23


def meta_version_for(initial_ledger_version: int) -> int:
    if initial_ledger_version < SOROBAN_PROTOCOL_VERSION:
        return 0
    if initial_ledger_version < PARALLEL_SOROBAN_PHASE_PROTOCOL_VERSION:
        return 1
    return 2


class LedgerCloseMetaBuilder:
    """The pieces of one ledger's LedgerCloseMeta, filled during the close."""

    def __init__(self, initial_ledger_version: int, tx_set_xdr):
        self.version = meta_version_for(initial_ledger_version)
        self.tx_set = tx_set_xdr
        self.tx_processing: list = []     # xdr.TransactionResultMeta(V1), apply order
        self.upgrades: list = []          # xdr.UpgradeEntryMeta
        self.evicted_keys: list = []      # xdr.LedgerKey
        self.total_soroban_state = 0
        self.ext_v1_fee_write_1kb = None
        self.header_entry = None

    def add_tx(self, result_pair, fee_changes, tx_meta, post_apply_changes=()):
        if self.version == 2:
            item = xdr.TransactionResultMetaV1(
                ext=xdr.ExtensionPoint(0), result=result_pair, feeProcessing=list(fee_changes),
                txApplyProcessing=tx_meta, postTxApplyFeeProcessing=list(post_apply_changes))
        else:
            item = xdr.TransactionResultMeta(result=result_pair, feeProcessing=list(fee_changes),
                                             txApplyProcessing=tx_meta)
        self.tx_processing.append(item)

    def set_network_configuration(self, config, emit_ext_v1: bool = False):
        """setNetworkConfiguration: the state size the rent fees use."""
        if self.version == 0:
            return
        self.total_soroban_state = config.average_soroban_state_size
        if emit_ext_v1:
            self.ext_v1_fee_write_1kb = config.fee_rent_1kb

    def populate_evicted(self, outcome):
        """populateEvictedEntries: deleted keys (temporary entries and
        TTLs), then the keys of the archived persistent entries."""
        if self.version == 0:
            return
        keys = [xdr.LedgerKey.from_xdr(bytes(k)) for k in outcome.deleted_keys]
        for e in outcome.archived_entries:
            le = xdr.LedgerEntry.from_xdr(bytes(e)) if isinstance(e, (bytes, bytearray)) else e
            keys.append(ledger_entry_key(le))
        self.evicted_keys = keys

    def finish(self, header_entry) -> "xdr.LedgerCloseMeta":
        self.header_entry = header_entry
        if self.version == 0:
            v0 = xdr.LedgerCloseMetaV0(ledgerHeader=header_entry, txSet=self.tx_set,
                                       txProcessing=self.tx_processing,
                                       upgradesProcessing=self.upgrades, scpInfo=[])
            return xdr.LedgerCloseMeta(0, v0)
        if self.ext_v1_fee_write_1kb is not None:
            ext = xdr.LedgerCloseMetaExt(1, xdr.LedgerCloseMetaExtV1(
                ext=xdr.ExtensionPoint(0), sorobanFeeWrite1KB=self.ext_v1_fee_write_1kb))
        else:
            ext = xdr.LedgerCloseMetaExt(0)
        if self.version == 1:
            v1 = xdr.LedgerCloseMetaV1(ext=ext, ledgerHeader=header_entry, txSet=self.tx_set,
                                       txProcessing=self.tx_processing,
                                       upgradesProcessing=self.upgrades, scpInfo=[],
                                       totalByteSizeOfLiveSorobanState=self.total_soroban_state,
                                       evictedKeys=self.evicted_keys, unused=[])
            return xdr.LedgerCloseMeta(1, v1)
        v2 = xdr.LedgerCloseMetaV2(ext=ext, ledgerHeader=header_entry, txSet=self.tx_set,
                                   txProcessing=self.tx_processing,
                                   upgradesProcessing=self.upgrades, scpInfo=[],
                                   totalByteSizeOfLiveSorobanState=self.total_soroban_state,
                                   evictedKeys=self.evicted_keys)
        return xdr.LedgerCloseMeta(2, v2)


class MetaStreamError(RuntimeError):
    """The meta stream cannot be opened or written."""


class MetaStream:
    """METADATA_OUTPUT_STREAM: a file path, or "fd:N" for an inherited file
    descriptor (how captive core is driven). Every meta is flushed at once:
    the consumer reads ledger by ledger."""

    def __init__(self, target: str):
        self.target = target
        try:
            if target.startswith("fd:"):
                fd = int(target[3:])
                f = os.fdopen(fd, "wb", buffering=0)
            else:
                f = open(target, "ab", buffering=0)
        except (OSError, ValueError) as e:
            raise MetaStreamError(f"METADATA_OUTPUT_STREAM {target!r}: {e}") from None
        self._f = f
        self._out = XdrOutputStream(f)

    def write(self, lcm) -> None:
        try:
            self._out.write_record(lcm.to_xdr())
            self._out.flush()
        except OSError as e:
            raise MetaStreamError(f"writing ledger close meta to {self.target!r}: {e}") from None

    def close(self) -> None:
        try:
            self._f.close()
        except OSError:
            pass
