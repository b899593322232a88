"""Every live CONTRACT_DATA and CONTRACT_CODE entry with its TTL, in memory
(stellar-core ledger/InMemorySorobanState).

Why it exists: from protocol 23 stellar-core never reads Soroban entries
from the BucketList while applying transactions; it reads them from this
state, kept current after every ledger close. It also gives the Soroban
state size that rent fees and the LiveSorobanStateSizeWindow are computed
from (PARITY_TRAPS S11, S12), so its size accounting is consensus-critical.

Shape (as stellar-core's):
  * one map per kind, keyed by the TTL key hash of the entry
    (sha256 of the LedgerKey XDR). A TTL key then finds its entry's record
    with one lookup, and TTL entries are not stored on their own: their
    liveUntilLedgerSeq and lastModifiedLedgerSeq live in the record of the
    entry they belong to;
  * records are immutable tuples (entry, live_until, last_modified, size):
    a snapshot is a shallow copy of the maps and stays valid while the state
    moves on. Entries are shared, not copied, so nobody may mutate an entry
    after handing it in or getting it out (the LedgerTxn rule for entries from
    `load_without_record`);
  * a TTL that arrives before its entry (bucket scans meet TTLs first) waits
    in a pending map and is adopted when the entry arrives; no TTL may remain
    pending once an initialization or ledger update is complete.

Sizes: a CONTRACT_DATA entry counts its XDR size; a CONTRACT_CODE entry its
XDR size plus the host's `contract_code_memory_size_for_rent` for
max(ledgerVersion, 23) with the on-chain cost parameters, capped at uint32;
TTL entries count nothing.

Keys are LedgerKey XDR bytes (an `xdr.LedgerKey` is accepted and encoded).
Entries handed in are `xdr.LedgerEntry` values (XDR bytes are decoded).

Errors: every consistency violation stellar-core asserts on
(`releaseAssertOrThrow`) raises InMemorySorobanStateError. A failed
`update_state` leaves the state exactly as it was (stellar-core throws
midway and the node stops; we roll back so the caller can report cleanly).
"""
from __future__ import annotations

import struct

from stellarcore import xdr
from stellarcore.crypto.csha256 import sha256 as _sha256

__all__ = [
    "InMemorySorobanState", "SorobanStateSnapshot", "InMemorySorobanStateError",
    "ContractCodeSizeUnavailable", "is_in_memory_type", "ttl_key_hash", "ttl_key",
    "contract_data_key", "contract_code_key", "contract_code_size_for_rent",
]

SOROBAN_PROTOCOL_VERSION = 20
# In-memory sizes of code are computed with at least the protocol 23 host, so
# the state has its protocol 23 size as soon as the network upgrades to 23.
FIRST_PROTOCOL_OF_IN_MEMORY_SIZE = 23
_UINT32_MAX = 0xFFFFFFFF
_INT64_MAX = (1 << 63) - 1

_T = xdr.LedgerEntryType
_CONTRACT_DATA = int(_T.CONTRACT_DATA)
_CONTRACT_CODE = int(_T.CONTRACT_CODE)
_TTL = int(_T.TTL)
_DATA_TAG = struct.pack(">I", _CONTRACT_DATA)
_CODE_TAG = struct.pack(">I", _CONTRACT_CODE)
_TTL_TAG = struct.pack(">I", _TTL)
_IN_MEMORY_TAGS = frozenset((_DATA_TAG, _CODE_TAG, _TTL_TAG))
_I32 = struct.Struct(">i")
# LedgerEntry XDR of a TTL entry: lastModifiedLedgerSeq, type TTL, keyHash,
# liveUntilLedgerSeq, ext v0. Decoding it is several times faster than
# building the four XDR objects.
_TTL_ENTRY = struct.Struct(">I4s32sII")
_decode_entry = xdr.LedgerEntry.from_xdr

_BE = xdr.BucketEntryType
_DEADENTRY = int(_BE.DEADENTRY)
_METAENTRY = int(_BE.METAENTRY)

# Record fields.
ENTRY, LIVE_UNTIL, LAST_MODIFIED, SIZE = range(4)
_MISSING = object()


class InMemorySorobanStateError(RuntimeError):
    """A consistency check of the in-memory Soroban state failed."""


class ContractCodeSizeUnavailable(InMemorySorobanStateError):
    """A CONTRACT_CODE size needs the Soroban host and the bridge is not built."""


# ---------------------------------------------------------------- keys

def is_in_memory_type(key: bytes) -> bool:
    """CONTRACT_DATA, CONTRACT_CODE and TTL keys live here; nothing else
    (CONFIG_SETTING does not: PARITY_TRAPS S11)."""
    return _key_bytes(key)[:4] in _IN_MEMORY_TAGS


def ttl_key_hash(key: bytes) -> bytes:
    """The keyHash of a CONTRACT_DATA/CONTRACT_CODE key's TTL key
    (stellar-core getTTLKey): sha256 of the LedgerKey XDR."""
    key = _key_bytes(key)
    if key[:4] != _DATA_TAG and key[:4] != _CODE_TAG:
        raise InMemorySorobanStateError("a TTL key exists only for CONTRACT_DATA and CONTRACT_CODE keys")
    return _sha256(key)


def ttl_key(key: bytes) -> bytes:
    """The LedgerKey XDR of the TTL key of a CONTRACT_DATA/CONTRACT_CODE key."""
    return _TTL_TAG + ttl_key_hash(key)


def contract_data_key(cd) -> bytes:
    """LedgerKey XDR of a ContractDataEntry, from its parts (about ten times
    faster than building an xdr.LedgerKey and encoding it)."""
    return _DATA_TAG + cd.contract.to_xdr() + cd.key.to_xdr() + _I32.pack(cd.durability)


def contract_code_key(cc) -> bytes:
    return _CODE_TAG + bytes(cc.hash)


def _key_bytes(key) -> bytes:
    if type(key) is bytes:
        return key
    if isinstance(key, (bytearray, memoryview)):
        return bytes(key)
    return key.to_xdr()


def _as_entry(entry):
    if isinstance(entry, (bytes, bytearray, memoryview)):
        return xdr.LedgerEntry.from_xdr(bytes(entry))
    return entry


# ---------------------------------------------------------------- sizes

def _encode_cost_params(params) -> bytes:
    if isinstance(params, (bytes, bytearray, memoryview)):
        return bytes(params)
    if hasattr(params, "to_xdr"):
        return params.to_xdr()
    return xdr.ContractCostParams.to_xdr(list(params))


def _cost_params(config) -> tuple:
    """(cpu, mem) ContractCostParams XDR of a SorobanNetworkConfig-like
    object (attributes cpu_cost_params, mem_cost_params)."""
    if config is None:
        raise InMemorySorobanStateError("the Soroban network config is required from protocol 20")
    return (_encode_cost_params(config.cpu_cost_params), _encode_cost_params(config.mem_cost_params))


def _memory_size_for_rent(protocol: int, code_entry, cost: tuple) -> int:
    from stellarcore.soroban import bridge
    if not bridge.available():
        raise ContractCodeSizeUnavailable(
            "CONTRACT_CODE entries are sized by the Soroban host "
            f"(contract_code_memory_size_for_rent), but the bridge is unavailable: {bridge.unavailable_reason()}")
    return bridge.contract_code_memory_size_for_rent(protocol, code_entry, cost[0], cost[1])


def contract_code_size_for_rent(entry, config, ledger_version: int, *, _cost=None, _xdr_size=None) -> int:
    """Size of a CONTRACT_CODE LedgerEntry in the Soroban state: its XDR size
    plus the host's in-memory module size, for max(ledger_version, 23),
    capped at uint32 (stellar-core contractCodeSizeForRent ->
    ledgerEntrySizeForRent)."""
    cost = _cost if _cost is not None else _cost_params(config)
    xdr_size = _xdr_size if _xdr_size is not None else len(entry.to_xdr())
    protocol = max(ledger_version, FIRST_PROTOCOL_OF_IN_MEMORY_SIZE)
    total = xdr_size + _memory_size_for_rent(protocol, entry.data.contractCode, cost)
    return total if total < _UINT32_MAX else _UINT32_MAX


def _ttl_is_default(live_until: int, last_modified: int) -> bool:
    """No TTL yet (stellar-core TTLData::isDefault): both fields zero; one
    zero without the other is corrupt."""
    if live_until == 0:
        if last_modified != 0:
            raise InMemorySorobanStateError("TTL with liveUntilLedgerSeq 0 but lastModifiedLedgerSeq != 0")
        return True
    if last_modified == 0:
        raise InMemorySorobanStateError("TTL with liveUntilLedgerSeq != 0 but lastModifiedLedgerSeq 0")
    return False


def _ttl_entry(key_hash: bytes, live_until: int, last_modified: int):
    return _decode_entry(_TTL_ENTRY.pack(last_modified, _TTL_TAG, key_hash, live_until, 0))


def _require(ok, message: str) -> None:
    if not ok:
        raise InMemorySorobanStateError(message)


# ---------------------------------------------------------------- reading

class _StateView:
    """The read side, shared by the live state and its snapshots. Reads may
    run concurrently with each other, never with an update."""

    __slots__ = ("_data", "_code", "_pending", "_seq", "_data_size", "_code_size")

    @property
    def ledger_seq(self) -> int:
        """The ledger this state is the result of (getLedgerSeq)."""
        return self._seq

    last_closed_ledger_seq = ledger_seq

    def assert_last_closed_ledger(self, expected_seq: int) -> None:
        _require(self._seq == expected_seq,
                 f"in-memory Soroban state is at ledger {self._seq}, expected {expected_seq}")

    def is_empty(self) -> bool:
        return not self._data and not self._code and not self._pending

    def get_size(self) -> int:
        """The Soroban state size used for rent (getSize)."""
        _require(self._code_size >= 0 and self._data_size >= 0, "negative Soroban state size")
        return self._code_size + self._data_size

    @property
    def contract_data_state_size(self) -> int:
        return self._data_size

    @property
    def contract_code_state_size(self) -> int:
        return self._code_size

    @property
    def contract_data_count(self) -> int:
        return len(self._data)

    @property
    def contract_code_count(self) -> int:
        return len(self._code)

    def get(self, key):
        """The entry of a CONTRACT_DATA, CONTRACT_CODE or TTL key, or None.
        TTL entries are rebuilt from the record they are stored with."""
        if type(key) is not bytes:
            key = _key_bytes(key)
        tag = key[:4]
        if tag == _DATA_TAG:
            rec = self._data.get(_sha256(key))
            return None if rec is None else rec[0]
        if tag == _CODE_TAG:
            rec = self._code.get(_sha256(key))
            return None if rec is None else rec[0]
        if tag == _TTL_TAG:
            return self._get_ttl(key[4:])
        raise InMemorySorobanStateError("InMemorySorobanState.get: not a CONTRACT_DATA, CONTRACT_CODE or TTL key")

    def get_entry_and_ttl(self, key):
        """(entry, TTL entry) of a CONTRACT_DATA/CONTRACT_CODE key with one
        hash and one lookup, (None, None) when absent; what the apply path
        loads for each footprint key."""
        key = _key_bytes(key)
        tag = key[:4]
        if tag == _DATA_TAG:
            table = self._data
        elif tag == _CODE_TAG:
            table = self._code
        else:
            raise InMemorySorobanStateError("get_entry_and_ttl: not a CONTRACT_DATA or CONTRACT_CODE key")
        h = _sha256(key)
        rec = table.get(h)
        if rec is None:
            return None, None
        _require(not self._pending, "TTL read while an update is in progress")
        _require(not _ttl_is_default(rec[1], rec[2]), "entry without a TTL")
        return rec[0], _ttl_entry(h, rec[1], rec[2])

    def _get_ttl(self, key_hash: bytes):
        _require(not self._pending, "TTL read while an update is in progress")
        rec = self._data.get(key_hash)
        if rec is None:
            rec = self._code.get(key_hash)
            if rec is None:
                return None
        _require(not _ttl_is_default(rec[1], rec[2]), "entry without a TTL")
        return _ttl_entry(key_hash, rec[1], rec[2])

    def has_ttl(self, key) -> bool:
        """Whether a TTL is known for this TTL key (pending TTLs included;
        an entry whose TTL has not arrived yet has none)."""
        key = _key_bytes(key)
        _require(key[:4] == _TTL_TAG, "has_ttl needs a TTL key")
        h = key[4:]
        if h in self._pending:
            return True
        rec = self._data.get(h)
        if rec is None:
            rec = self._code.get(h)
            if rec is None:
                return False
        return not _ttl_is_default(rec[1], rec[2])

    def contract_code_size(self, key) -> int | None:
        """The stored state size of one CONTRACT_CODE entry."""
        rec = self._code.get(ttl_key_hash(key))
        return None if rec is None else rec[3]

    def records(self):
        """(entry, live_until, last_modified, size) of every entry, data
        first, in no particular order (invariants and tests)."""
        yield from self._data.values()
        yield from self._code.values()


class SorobanStateSnapshot(_StateView):
    """A read-only copy of the state at one ledger (stellar-core copies the
    state for the snapshot invariants). O(entries) to take; later updates of
    the state do not show through."""

    __slots__ = ()

    def __init__(self, state: _StateView):
        _require(not state._pending, "snapshot taken while an update is in progress")
        self._data = dict(state._data)
        self._code = dict(state._code)
        self._pending = {}
        self._seq = state._seq
        self._data_size = state._data_size
        self._code_size = state._code_size


# ---------------------------------------------------------------- updating

class InMemorySorobanState(_StateView):
    """The live state LedgerManager keeps (ApplyState::mInMemorySorobanState).
    Not thread-safe: updates must not overlap with reads."""

    __slots__ = ("_undo",)

    def __init__(self):
        self._data = {}
        self._code = {}
        self._pending = {}
        self._seq = 0
        self._data_size = 0
        self._code_size = 0
        self._undo = None

    def snapshot(self) -> SorobanStateSnapshot:
        return SorobanStateSnapshot(self)

    # -- initialization (LedgerManager start-up and catch-up)

    def initialize_from_entries(self, entries, *, ledger_seq: int, ledger_version: int, config=None) -> None:
        """Fill the empty state from the live ledger (initializeStateFromSnapshot).

        `entries`: LedgerEntry values (or BucketEntry values) in BucketList
        scan order, newest bucket first: the first version of a key wins and
        later ones are skipped, a DEADENTRY hides older versions of its key.
        Non-Soroban entries are ignored. `config` (cpu_cost_params,
        mem_cost_params) is required from protocol 20. On error the state is
        left empty.
        """
        _require(self.is_empty(), "initialize_from_entries needs an empty state")
        try:
            if ledger_version >= SOROBAN_PROTOCOL_VERSION:
                self._load(entries, _cost_params(config), ledger_version)
            self._seq = ledger_seq
            self._check_update_invariants()
        except BaseException:
            self.clear_for_testing()
            raise

    def _load(self, entries, cost, ledger_version) -> None:
        deleted = set()
        data, code = self._data, self._code
        bucket_entry = xdr.BucketEntry
        for item in entries:
            if isinstance(item, bucket_entry):
                kind = int(item.xdr_disc())
                if kind == _METAENTRY:
                    continue
                if kind == _DEADENTRY:
                    deleted.add(_key_bytes(item.deadEntry))
                    continue
                item = item.liveEntry
            else:
                item = _as_entry(item)
            d = item.data
            t = d.type
            if t == _CONTRACT_DATA:
                key = contract_data_key(d.contractData)
                h = _sha256(key)
                if h not in data and key not in deleted:
                    self._create_data(item, h)
            elif t == _TTL:
                h = bytes(d.ttl.keyHash)
                key = _TTL_TAG + h
                if key not in deleted and not self.has_ttl(key):
                    self._create_ttl(item)
            elif t == _CONTRACT_CODE:
                key = contract_code_key(d.contractCode)
                h = _sha256(key)
                if h not in code and key not in deleted:
                    self._create_code(item, h, cost, ledger_version)

    # -- per-ledger update (LedgerManagerImpl::finalizeLedgerTxnChanges)

    def update_state(self, init_entries, live_entries, dead_keys, header, config=None) -> None:
        """Apply one ledger's changes: created, updated and deleted entries
        (LedgerTxn getAllEntries; other entry types are ignored). `header`
        has ledgerSeq and ledgerVersion; ledgerSeq must follow the state's.
        `config` is the ledger's final Soroban config (required from protocol
        20). All-or-nothing: on any error the state is left as it was."""
        seq, version = header.ledgerSeq, header.ledgerVersion
        _require(self._seq + 1 == seq,
                 f"in-memory Soroban state is at ledger {self._seq}; cannot apply ledger {seq}")
        saved = (self._seq, self._data_size, self._code_size)
        self._undo = ({}, {}, {})
        try:
            self._seq = seq
            if version >= SOROBAN_PROTOCOL_VERSION:
                self._apply(init_entries, live_entries, dead_keys, _cost_params(config), version)
            self._check_update_invariants()
        except BaseException:
            self._rollback(saved)
            raise
        finally:
            self._undo = None

    def _apply(self, init_entries, live_entries, dead_keys, cost, version) -> None:
        for e in init_entries:
            e = _as_entry(e)
            d = e.data
            t = d.type
            if t == _CONTRACT_DATA:
                self._create_data(e, _sha256(contract_data_key(d.contractData)))
            elif t == _CONTRACT_CODE:
                self._create_code(e, _sha256(contract_code_key(d.contractCode)), cost, version)
            elif t == _TTL:
                self._create_ttl(e)
        for e in live_entries:
            e = _as_entry(e)
            d = e.data
            t = d.type
            if t == _CONTRACT_DATA:
                self._update_data(e, _sha256(contract_data_key(d.contractData)))
            elif t == _CONTRACT_CODE:
                self._update_code(e, _sha256(contract_code_key(d.contractCode)), cost, version)
            elif t == _TTL:
                self._update_ttl(e)
        for k in dead_keys:
            k = _key_bytes(k)
            tag = k[:4]
            if tag == _DATA_TAG:
                self._delete(self._data, _sha256(k), False)
            elif tag == _CODE_TAG:
                self._delete(self._code, _sha256(k), True)
            # a TTL goes with its entry: nothing to delete on its own

    def manually_advance_ledger_header(self, header) -> None:
        """Manual ledger-close paths only (manuallyAdvanceLedgerHeader)."""
        self._seq = header.ledgerSeq

    def recompute_contract_code_size(self, config, ledger_version: int) -> None:
        """Resize every CONTRACT_CODE entry after a memory cost parameter or
        protocol upgrade (recomputeContractCodeSize). All sizes are computed
        before any is stored, so a host failure changes nothing."""
        cost = _cost_params(config)
        new = {h: contract_code_size_for_rent(rec[0], None, ledger_version, _cost=cost)
               for h, rec in self._code.items()}
        total = self._code_size
        for h, rec in self._code.items():
            total += new[h] - rec[3]
        _require(0 <= total <= _INT64_MAX, "contract code state size out of range")
        code = self._code
        for h, rec in list(code.items()):
            code[h] = (rec[0], rec[1], rec[2], new[h])
        self._code_size = total

    def clear_for_testing(self) -> None:
        self._data = {}
        self._code = {}
        self._pending = {}
        self._seq = 0
        self._data_size = 0
        self._code_size = 0

    # -- the single-entry operations, as stellar-core names them

    def _create_data(self, entry, h) -> None:
        data = self._data
        _require(h not in data, "CONTRACT_DATA entry created twice")
        ttl = self._take_pending(h)
        size = len(entry.to_xdr())
        self._resize(0, size, False)
        self._touch(0, h)
        data[h] = (entry, ttl[0], ttl[1], size)

    def _create_code(self, entry, h, cost, version) -> None:
        code = self._code
        _require(h not in code, "CONTRACT_CODE entry created twice")
        ttl = self._take_pending(h)
        size = contract_code_size_for_rent(entry, None, version, _cost=cost)
        self._resize(0, size, True)
        self._touch(1, h)
        code[h] = (entry, ttl[0], ttl[1], size)

    def _take_pending(self, h) -> tuple:
        """Adopt a TTL that arrived before its entry, else no TTL yet."""
        ttl = self._pending.get(h)
        if ttl is None:
            return (0, 0)
        self._touch(2, h)
        del self._pending[h]
        return ttl

    def _create_ttl(self, entry) -> None:
        ttl = entry.data.ttl
        h = bytes(ttl.keyHash)
        new = (ttl.liveUntilLedgerSeq, entry.lastModifiedLedgerSeq)
        for kind, table in ((0, self._data), (1, self._code)):
            rec = table.get(h)
            if rec is not None:
                _require(_ttl_is_default(rec[1], rec[2]), "TTL created twice for one entry")
                self._touch(kind, h)
                table[h] = (rec[0], new[0], new[1], rec[3])
                return
        _require(h not in self._pending, "TTL created twice")
        self._touch(2, h)
        self._pending[h] = new

    def _update_ttl(self, entry) -> None:
        ttl = entry.data.ttl
        h = bytes(ttl.keyHash)
        for kind, table in ((0, self._data), (1, self._code)):
            rec = table.get(h)
            if rec is not None:
                self._touch(kind, h)
                table[h] = (rec[0], ttl.liveUntilLedgerSeq, entry.lastModifiedLedgerSeq, rec[3])
                return
        raise InMemorySorobanStateError("TTL updated for an entry that does not exist")

    def _update_data(self, entry, h) -> None:
        rec = self._data.get(h)
        _require(rec is not None, "CONTRACT_DATA entry updated but does not exist")
        size = len(entry.to_xdr())
        self._resize(rec[3], size, False)
        self._touch(0, h)
        self._data[h] = (entry, rec[1], rec[2], size)

    def _update_code(self, entry, h, cost, version) -> None:
        rec = self._code.get(h)
        _require(rec is not None, "CONTRACT_CODE entry updated but does not exist")
        size = contract_code_size_for_rent(entry, None, version, _cost=cost)
        self._resize(rec[3], size, True)
        _require(not _ttl_is_default(rec[1], rec[2]), "CONTRACT_CODE entry updated without a TTL")
        self._touch(1, h)
        self._code[h] = (entry, rec[1], rec[2], size)

    def _delete(self, table, h, is_code) -> None:
        rec = table.get(h)
        _require(rec is not None,
                 ("CONTRACT_CODE" if is_code else "CONTRACT_DATA") + " entry deleted but does not exist")
        self._resize(rec[3], 0, is_code)
        self._touch(1 if is_code else 0, h)
        del table[h]

    def _resize(self, old: int, new: int, is_code: bool) -> None:
        """updateStateSizeOnEntryUpdate: the total stays in [0, INT64_MAX]."""
        if is_code:
            total = self._code_size + new - old
            _require(0 <= total <= _INT64_MAX, "contract code state size out of range")
            self._code_size = total
        else:
            total = self._data_size + new - old
            _require(0 <= total <= _INT64_MAX, "contract data state size out of range")
            self._data_size = total

    def _check_update_invariants(self) -> None:
        _require(not self._pending, f"{len(self._pending)} TTL(s) without their CONTRACT_DATA/CODE entry")

    # -- all-or-nothing updates

    def _touch(self, kind: int, h: bytes) -> None:
        """Remember a record's value before its first change in this update."""
        undo = self._undo
        if undo is not None:
            saved = undo[kind]
            if h not in saved:
                table = (self._data, self._code, self._pending)[kind]
                saved[h] = table.get(h, _MISSING)

    def _rollback(self, saved: tuple) -> None:
        for table, old in zip((self._data, self._code, self._pending), self._undo):
            for h, rec in old.items():
                if rec is _MISSING:
                    table.pop(h, None)
                else:
                    table[h] = rec
        self._seq, self._data_size, self._code_size = saved
