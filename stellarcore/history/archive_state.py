"""The History Archive State (HAS): stellar-core's JSON snapshot of a bucket list.

A HAS names, for one ledger, the buckets of every level of the live bucket
list (and, from protocol 23, of the hot archive bucket list): `curr`, `snap`
and the pending merge `next`.  stellar-core writes it to history archives
(`.well-known/stellar-history.json` and `history/xx/yy/zz/history-xxyyzzww.json`)
and keeps one in its database to reattach to its buckets after a restart.

This module reads and writes that JSON exactly as stellar-core v25.0.1 does
(cereal's JSON archive over rapidjson's pretty writer: 4-space indent, fixed
key order, no trailing newline) and offers the state's own computations
(referenced buckets, buckets to fetch, the bucket list hash, structural
validity).  It deals only in bucket hashes; it knows nothing of bucket files.

Values are immutable.  Hashes are 64 lowercase hex digits (32-byte values are
accepted and converted; `strict=False` keeps any text, as stellar-core's
loader does).  Every malformed input raises `HistoryArchiveStateError` (a
`ValueError`), never anything else.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import InitVar, dataclass
from typing import Callable, Iterable, NamedTuple, Optional, Sequence, Union

from stellarcore.util.fs import write_atomically
from stellarcore.version import __version__

__all__ = [
    "BUCKET_LIST_LEVELS", "BucketHashes", "DEFAULT_SERVER", "FB_CLEAR",
    "FB_HASH_INPUTS", "FB_HASH_OUTPUT", "FIRST_PROTOCOL_SHADOWS_REMOVED",
    "FIRST_PROTOCOL_WITH_HOT_ARCHIVE", "FutureBucketState",
    "HAS_BASE_NAME", "HAS_VERSION_BEFORE_HOT_ARCHIVE",
    "HAS_VERSION_WITH_HOT_ARCHIVE", "HistoryArchiveState",
    "HistoryArchiveStateError", "HistoryStateBucket",
    "MAX_HISTORY_ARCHIVE_BUCKET_SIZE", "WELL_KNOWN_REMOTE_DIR",
    "WELL_KNOWN_REMOTE_NAME", "ZERO_HASH", "bucket_remote_dir",
    "bucket_remote_name", "checkpoint_remote_dir", "checkpoint_remote_name",
    "empty_levels", "has_remote_dir", "has_remote_name", "hex_dir", "hex_str",
    "remote_dir", "remote_name",
]

# HistoryArchiveState::HISTORY_ARCHIVE_STATE_VERSION_*
HAS_VERSION_BEFORE_HOT_ARCHIVE = 1
HAS_VERSION_WITH_HOT_ARCHIVE = 2
# LiveBucket::FIRST_PROTOCOL_SUPPORTING_PERSISTENT_EVICTION: LedgerManager
# stores a version-2 HAS (with the hot archive) from this header version on.
FIRST_PROTOCOL_WITH_HOT_ARCHIVE = 23
# LiveBucket::FIRST_PROTOCOL_SHADOWS_REMOVED (used by containsValidBuckets)
FIRST_PROTOCOL_SHADOWS_REMOVED = 12
# BucketListBase::kNumLevels (live and hot archive lists alike)
BUCKET_LIST_LEVELS = 11
# HistoryArchiveState::MAX_HISTORY_ARCHIVE_BUCKET_SIZE (100 GiB)
MAX_HISTORY_ARCHIVE_BUCKET_SIZE = 100 * 1024 ** 3

# FutureBucket states as serialized (the live states 3 and 4 are written as
# these and never read back)
FB_CLEAR = 0
FB_HASH_OUTPUT = 1
FB_HASH_INPUTS = 2

ZERO_HASH = "0" * 64
DEFAULT_SERVER = f"stellarcore {__version__}"

HAS_BASE_NAME = "stellar-history.json"
WELL_KNOWN_REMOTE_DIR = ".well-known"
WELL_KNOWN_REMOTE_NAME = f"{WELL_KNOWN_REMOTE_DIR}/{HAS_BASE_NAME}"

_UINT32_MAX = 0xFFFFFFFF
_HASH_RE = re.compile(r"[0-9a-f]{64}\Z")
_HEX_DIR_RE = re.compile(r"([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})")


class HistoryArchiveStateError(ValueError):
    """A malformed History Archive State (JSON, field, hash or structure)."""


# ---------------------------------------------------------------------------
# value checks

def _hash(value, what: str) -> str:
    """A bucket hash as 64 lowercase hex digits (from such a str or 32 bytes)."""
    h = _hash_text(value, what)
    _check_hash(h, what)
    return h


def _check_hash(h: str, what: str) -> None:
    if not _HASH_RE.match(h):
        raise HistoryArchiveStateError(
            f"{what}: not a hash of 64 lowercase hex digits: {h[:80]!r}")


def _hash_text(value, what: str) -> str:
    """The text of a hash field: a str (checked by the state, see `strict`),
    or 32 bytes written as hex."""
    if isinstance(value, str):
        if not value:
            raise HistoryArchiveStateError(f"{what}: empty hash")
        return _text(value, what)
    if isinstance(value, (bytes, bytearray, memoryview)):
        b = bytes(value)
        if len(b) == 32:
            return b.hex()
        raise HistoryArchiveStateError(f"{what}: a hash has 32 bytes, got {len(b)}")
    raise HistoryArchiveStateError(
        f"{what}: a hash must be a hex string or 32 bytes, got {type(value).__name__}")


def _uint32(value, what: str) -> int:
    if type(value) is not int or not 0 <= value <= _UINT32_MAX:
        raise HistoryArchiveStateError(f"{what}: not an unsigned 32-bit integer: {value!r:.80}")
    return value


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise HistoryArchiveStateError(f"{what}: not a string: {type(value).__name__}")
    if "\0" in value:
        raise HistoryArchiveStateError(f"{what}: contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise HistoryArchiveStateError(f"{what}: not valid Unicode (lone surrogate)") from None
    return str(value)


# ---------------------------------------------------------------------------
# the model

@dataclass(frozen=True, slots=True)
class FutureBucketState:
    """The serialized state of a level's pending merge (stellar-core FutureBucket).

    `state` FB_CLEAR (no merge), FB_HASH_OUTPUT (`output`: the merge result)
    or FB_HASH_INPUTS (`curr`, `snap` and `shadow`: the merge inputs).  Only
    the fields of the state are set; the others are None / ().
    """
    state: int = FB_CLEAR
    output: Optional[str] = None
    curr: Optional[str] = None
    snap: Optional[str] = None
    shadow: tuple = ()

    def __post_init__(self):
        s = self.state
        if type(s) is not int or s not in (FB_CLEAR, FB_HASH_OUTPUT, FB_HASH_INPUTS):
            raise HistoryArchiveStateError(f"next.state: unexpected FutureBucket state {s!r:.80}")
        if isinstance(self.shadow, (str, bytes)) or not isinstance(self.shadow, Iterable):
            raise HistoryArchiveStateError("next.shadow: not a sequence of hashes")
        shadow = tuple(self.shadow)
        if s == FB_HASH_INPUTS:
            if self.output is not None:
                raise HistoryArchiveStateError("next: FB_HASH_INPUTS has no output")
            if self.curr is None or self.snap is None:
                raise HistoryArchiveStateError("next: FB_HASH_INPUTS needs curr and snap")
            object.__setattr__(self, "curr", _hash_text(self.curr, "next.curr"))
            object.__setattr__(self, "snap", _hash_text(self.snap, "next.snap"))
            shadow = tuple(_hash_text(h, f"next.shadow[{i}]") for i, h in enumerate(shadow))
        else:
            if self.curr is not None or self.snap is not None or shadow:
                raise HistoryArchiveStateError(
                    f"next: state {s} has no curr, snap or shadow")
            if s == FB_HASH_OUTPUT:
                if self.output is None:
                    raise HistoryArchiveStateError("next: FB_HASH_OUTPUT needs an output")
                object.__setattr__(self, "output", _hash_text(self.output, "next.output"))
            elif self.output is not None:
                raise HistoryArchiveStateError("next: FB_CLEAR has no output")
        object.__setattr__(self, "shadow", shadow)

    @classmethod
    def clear(cls) -> "FutureBucketState":
        return _CLEAR

    @classmethod
    def hash_output(cls, output) -> "FutureBucketState":
        return cls(FB_HASH_OUTPUT, output=output)

    @classmethod
    def hash_inputs(cls, curr, snap, shadow: Iterable = ()) -> "FutureBucketState":
        return cls(FB_HASH_INPUTS, curr=curr, snap=snap, shadow=tuple(shadow))

    @property
    def is_clear(self) -> bool:
        return self.state == FB_CLEAR

    @property
    def has_hashes(self) -> bool:
        """FutureBucket::hasHashes (a deserialized merge, inputs or output)."""
        return self.state != FB_CLEAR

    @property
    def has_output_hash(self) -> bool:
        return self.state == FB_HASH_OUTPUT

    def hashes(self) -> list:
        """FutureBucket::getHashes: curr, snap, shadows, output (those set)."""
        if self.state == FB_HASH_INPUTS:
            return [self.curr, self.snap, *self.shadow]
        if self.state == FB_HASH_OUTPUT:
            return [self.output]
        return []

    def _to_obj(self) -> dict:
        if self.state == FB_HASH_INPUTS:
            return {"state": FB_HASH_INPUTS, "curr": self.curr, "snap": self.snap,
                    "shadow": list(self.shadow)}
        if self.state == FB_HASH_OUTPUT:
            return {"state": FB_HASH_OUTPUT, "output": self.output}
        return {"state": FB_CLEAR}


_CLEAR = FutureBucketState()


@dataclass(frozen=True, slots=True)
class HistoryStateBucket:
    """One bucket list level: its `curr` and `snap` hashes and pending merge `next`."""
    curr: str = ZERO_HASH
    next: FutureBucketState = _CLEAR
    snap: str = ZERO_HASH

    def __post_init__(self):
        object.__setattr__(self, "curr", _hash_text(self.curr, "curr"))
        object.__setattr__(self, "snap", _hash_text(self.snap, "snap"))
        if not isinstance(self.next, FutureBucketState):
            raise HistoryArchiveStateError(
                f"next: not a FutureBucketState: {type(self.next).__name__}")

    def _to_obj(self) -> dict:
        return {"curr": self.curr, "next": self.next._to_obj(), "snap": self.snap}


def empty_levels(levels: int = BUCKET_LIST_LEVELS) -> tuple:
    """`levels` levels of empty buckets with no merge (a fresh bucket list)."""
    return (HistoryStateBucket(),) * levels


class BucketHashes(NamedTuple):
    """Bucket hashes split by list (HistoryArchiveState::BucketHashReturnT)."""
    live: list
    hot: list


def _levels(value, what: str, levels: int) -> tuple:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise HistoryArchiveStateError(f"{what}: not a sequence of levels")
    value = tuple(value)
    for i, level in enumerate(value):
        if not isinstance(level, HistoryStateBucket):
            raise HistoryArchiveStateError(
                f"{what}[{i}]: not a HistoryStateBucket: {type(level).__name__}")
    if len(value) != levels:
        raise HistoryArchiveStateError(
            f"{what}: {len(value)} levels, a bucket list has {levels}")
    return value


@dataclass(frozen=True, slots=True)
class HistoryArchiveState:
    """stellar-core's HistoryArchiveState.

    `version` is 2 exactly when the state has hot archive buckets (stellar-core
    builds such a state from protocol 23 on, see
    `FIRST_PROTOCOL_WITH_HOT_ARCHIVE`); a version-2 state needs a network
    passphrase.  An empty `network_passphrase` is absent (not written), as in
    stellar-core.  `current_buckets=None` gives empty levels, like
    stellar-core's default constructor.  `levels` (not stored) is the number
    of levels each list must have: 11, or fewer in tests that shrink the
    bucket list as stellar-core's do.

    `strict` (not stored; default True) requires every hash to be 64
    lowercase hex digits.  With strict=False any non-empty text is kept as a
    hash, as stellar-core's loader does (one of stellar-core's own test files
    has a 63-digit hash and round-trips); computations that need the binary
    hashes then refuse the state (`bucket_list_hash`) or find it invalid
    (`contains_valid_buckets`).
    """
    current_ledger: int = 0
    current_buckets: Optional[tuple] = None
    hot_archive_buckets: tuple = ()
    server: str = DEFAULT_SERVER
    network_passphrase: str = ""
    levels: InitVar[int] = BUCKET_LIST_LEVELS
    strict: InitVar[bool] = True

    def __post_init__(self, levels, strict):
        if type(levels) is not int or levels < 1:
            raise HistoryArchiveStateError(f"levels: not a positive integer: {levels!r}")
        _uint32(self.current_ledger, "currentLedger")
        object.__setattr__(self, "server", _text(self.server, "server"))
        object.__setattr__(self, "network_passphrase",
                           _text(self.network_passphrase, "networkPassphrase"))
        live = self.current_buckets
        if live is None:
            live = empty_levels(levels)
        object.__setattr__(self, "current_buckets", _levels(live, "currentBuckets", levels))
        hot = self.hot_archive_buckets
        if hot is None or (isinstance(hot, (tuple, list)) and not hot):
            hot = ()
        else:
            hot = _levels(hot, "hotArchiveBuckets", levels)
            if not self.network_passphrase:
                raise HistoryArchiveStateError(
                    "networkPassphrase: a state with hot archive buckets (version 2) needs one")
        object.__setattr__(self, "hot_archive_buckets", hot)
        if strict:
            for what, h in self._hash_fields():
                _check_hash(h, what)

    # -- identity -----------------------------------------------------------

    @property
    def version(self) -> int:
        return (HAS_VERSION_WITH_HOT_ARCHIVE if self.hot_archive_buckets
                else HAS_VERSION_BEFORE_HOT_ARCHIVE)

    @property
    def has_hot_archive_buckets(self) -> bool:
        return bool(self.hot_archive_buckets)

    # -- JSON ---------------------------------------------------------------

    @classmethod
    def from_json(cls, text: Union[str, bytes, bytearray], *,
                  levels: int = BUCKET_LIST_LEVELS,
                  strict: bool = True) -> "HistoryArchiveState":
        """Parse stellar-core's HAS JSON (HistoryArchiveState::load); see the
        class for `levels` and `strict`."""
        return _parse(text, levels, strict)

    def to_json(self) -> str:
        """The JSON stellar-core writes for this state (toString / save)."""
        return _pretty(self._to_obj(), 0)

    def _to_obj(self) -> dict:
        obj = {"version": self.version, "server": self.server,
               "currentLedger": self.current_ledger}
        if self.network_passphrase:
            obj["networkPassphrase"] = self.network_passphrase
        obj["currentBuckets"] = [b._to_obj() for b in self.current_buckets]
        if self.hot_archive_buckets:
            obj["hotArchiveBuckets"] = [b._to_obj() for b in self.hot_archive_buckets]
        return obj

    @classmethod
    def load(cls, path, *, levels: int = BUCKET_LIST_LEVELS,
             strict: bool = True) -> "HistoryArchiveState":
        """Read a HAS file.  I/O failures raise OSError; bad content,
        HistoryArchiveStateError."""
        with open(path, "rb") as f:
            data = f.read()
        return _parse(data, levels, strict)

    def save(self, path) -> None:
        """Write the HAS to `path` durably and atomically: a temporary file in
        the same directory, fsync, rename over `path`, fsync of the directory
        (stellar-core's fs::durableRename)."""
        write_atomically(path, self.to_json().encode("utf-8"), durable=True)

    # -- computations -------------------------------------------------------

    def _lists(self):
        return (self.current_buckets, self.hot_archive_buckets)

    def _hash_fields(self):
        """(path, hash text) of every hash field."""
        for name, lst in (("currentBuckets", self.current_buckets),
                          ("hotArchiveBuckets", self.hot_archive_buckets)):
            for i, level in enumerate(lst):
                where = f"{name}[{i}]."
                yield where + "curr", level.curr
                n = level.next
                if n.state == FB_HASH_OUTPUT:
                    yield where + "next.output", n.output
                elif n.state == FB_HASH_INPUTS:
                    yield where + "next.curr", n.curr
                    yield where + "next.snap", n.snap
                    for j, h in enumerate(n.shadow):
                        yield where + f"next.shadow[{j}]", h
                yield where + "snap", level.snap

    def hashes_well_formed(self) -> bool:
        """Whether every hash is 64 lowercase hex digits (always so for a
        state built with strict=True)."""
        return all(_HASH_RE.match(h) for _, h in self._hash_fields())

    def all_buckets(self, *, include_zero: bool = False) -> list:
        """Every bucket hash the state references (curr, snap and the hashes
        of `next`, live and hot), sorted and without repeats.

        stellar-core's allBuckets also lists the zero hash when a level is
        empty; its callers skip it.  Pass include_zero=True for that list.
        """
        seen = set()
        for lst in self._lists():
            for level in lst:
                seen.add(level.curr)
                seen.add(level.snap)
                seen.update(level.next.hashes())
        if not include_zero:
            seen.discard(ZERO_HASH)
        return sorted(seen)

    def differing_buckets(self, other: "HistoryArchiveState") -> BucketHashes:
        """The buckets to fetch to turn `other` into this state
        (differingBuckets): per list, from the highest level down, snap,
        next output, curr; leaving out zero hashes, hashes `other` references
        (its curr, snap, next output) and repeats.  The hashes left out carry
        over from the live list to the hot one, as in stellar-core."""
        inhibit = {ZERO_HASH}

        def process(buckets, other_buckets):
            for b in other_buckets:
                inhibit.add(b.curr)
                if b.next.has_output_hash:
                    inhibit.add(b.next.output)
                inhibit.add(b.snap)
            ret = []
            for level in reversed(buckets):
                s = level.snap
                n = level.next.output if level.next.has_output_hash else s
                for h in (s, n, level.curr):
                    if h not in inhibit:
                        ret.append(h)
                        inhibit.add(h)
            return ret

        live = process(self.current_buckets, other.current_buckets)
        hot = process(self.hot_archive_buckets, other.hot_archive_buckets)
        return BucketHashes(live, hot)

    def bucket_list_hash(self) -> bytes:
        """getBucketListHash: SHA-256 over the level hashes
        SHA-256(curr || snap); with hot archive buckets,
        SHA-256(live list hash || hot list hash) (the header's bucketListHash)."""
        for what, h in self._hash_fields():
            _check_hash(h, what)
        live = _list_hash(self.current_buckets)
        if self.hot_archive_buckets:
            return hashlib.sha256(live + _list_hash(self.hot_archive_buckets)).digest()
        return live

    def futures_all_clear(self) -> bool:
        return all(level.next.is_clear for lst in self._lists() for level in lst)

    def contains_valid_buckets(self, bucket_version: Callable[[str], Optional[int]], *,
                               levels: int = BUCKET_LIST_LEVELS) -> bool:
        """containsValidBuckets: each list has `levels` levels; walking from
        the highest level down (snap before curr), bucket versions never
        decrease; level 0's `next` is clear; above it, once a non-empty bucket
        has been seen, `next` is clear when the previous level's snap has
        version 12 or later (shadows removed) and holds an output hash before.

        `bucket_version(hash)` gives the protocol version of a non-empty
        bucket (it is never asked about the zero hash, the empty bucket of
        version 0); None means the bucket is missing, which makes the state
        invalid (stellar-core aborts).
        """
        if not self.hashes_well_formed():
            return False
        if not _valid_list(self.current_buckets, levels, bucket_version):
            return False
        if self.hot_archive_buckets and not _valid_list(self.hot_archive_buckets, levels,
                                                        bucket_version):
            return False
        return True


def _list_hash(buckets: Sequence[HistoryStateBucket]) -> bytes:
    h = hashlib.sha256()
    for level in buckets:
        h.update(hashlib.sha256(bytes.fromhex(level.curr) + bytes.fromhex(level.snap)).digest())
    return h.digest()


class _MissingBucket(Exception):
    pass


def _valid_list(buckets, levels, bucket_version) -> bool:
    if len(buckets) != levels:
        return False
    non_empty_seen = False
    min_version = 0

    def version_of(h):
        nonlocal non_empty_seen
        if h == ZERO_HASH:
            return 0
        v = bucket_version(h)
        if v is None:
            raise _MissingBucket(h)
        non_empty_seen = True
        return v

    try:
        for i in range(levels - 1, -1, -1):
            level = buckets[i]
            for h in (level.snap, level.curr):   # snap is older: first
                v = version_of(h)
                if v < min_version:
                    return False
                min_version = v
            if i == 0:
                return level.next.is_clear
            prev_snap_version = version_of(buckets[i - 1].snap)
            if not non_empty_seen:
                continue
            if prev_snap_version >= FIRST_PROTOCOL_SHADOWS_REMOVED:
                if not level.next.is_clear:
                    return False
            elif not level.next.has_output_hash:
                return False
    except _MissingBucket:
        return False
    return True


# ---------------------------------------------------------------------------
# reading

class _Duplicate(Exception):
    pass


def _pairs(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise _Duplicate(k)
        obj[k] = v
    return obj


def _parse(text, levels: int, strict: bool) -> HistoryArchiveState:
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise HistoryArchiveStateError(f"not UTF-8: {e}") from None
    elif not isinstance(text, str):
        raise HistoryArchiveStateError(
            f"expected JSON text (str or bytes), got {type(text).__name__}")
    try:
        doc = json.loads(text, object_pairs_hook=_pairs)
    except _Duplicate as e:
        raise HistoryArchiveStateError(f"duplicate key {e.args[0]!r:.80}") from None
    except RecursionError:
        raise HistoryArchiveStateError("not JSON: nested too deeply") from None
    except ValueError as e:
        raise HistoryArchiveStateError(f"not JSON: {e}") from None
    return _from_doc(doc, levels, strict)


def _member(obj, key: str, where: str):
    if key not in obj:
        raise HistoryArchiveStateError(f"{where}missing key {key!r}")
    return obj[key]


def _obj(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise HistoryArchiveStateError(f"{what}: not a JSON object")
    return value


def _str_member(obj, key: str, where: str) -> str:
    v = _member(obj, key, where)
    if not isinstance(v, str):
        raise HistoryArchiveStateError(f"{where}{key}: not a string")
    # cereal reads a std::string from rapidjson's C string: a NUL ends it
    v = v.split("\0", 1)[0]
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        raise HistoryArchiveStateError(
            f"{where}{key}: invalid \\u escape (lone surrogate)") from None
    return v


def _hash_member(obj, key: str, where: str) -> str:
    return _str_member(obj, key, where)   # checked by the state (strict)


def _uint_member(obj, key: str, where: str) -> int:
    return _uint32(_member(obj, key, where), f"{where}{key}")


def _future_from(obj, where: str) -> FutureBucketState:
    obj = _obj(obj, where[:-1])
    state = _uint_member(obj, "state", where)
    if state == FB_CLEAR:
        return _CLEAR
    if state == FB_HASH_OUTPUT:
        return FutureBucketState(FB_HASH_OUTPUT, output=_hash_member(obj, "output", where))
    if state == FB_HASH_INPUTS:
        curr = _hash_member(obj, "curr", where)
        snap = _hash_member(obj, "snap", where)
        shadow = _member(obj, "shadow", where)
        if not isinstance(shadow, list):
            raise HistoryArchiveStateError(f"{where}shadow: not a JSON array")
        hashes = []
        for i, h in enumerate(shadow):
            if not isinstance(h, str):
                raise HistoryArchiveStateError(f"{where}shadow[{i}]: not a string")
            hashes.append(h.split("\0", 1)[0])
        return FutureBucketState(FB_HASH_INPUTS, curr=curr, snap=snap, shadow=tuple(hashes))
    raise HistoryArchiveStateError(f"{where}state: unexpected FutureBucket state {state}")


def _levels_from(value, what: str) -> list:
    if not isinstance(value, list):
        raise HistoryArchiveStateError(f"{what}: not a JSON array")
    out = []
    for i, level in enumerate(value):
        where = f"{what}[{i}]."
        level = _obj(level, f"{what}[{i}]")
        curr = _hash_member(level, "curr", where)
        nxt = _future_from(_member(level, "next", where), where + "next.")
        snap = _hash_member(level, "snap", where)
        out.append(HistoryStateBucket(curr, nxt, snap))
    return out


def _from_doc(doc, levels: int, strict: bool) -> HistoryArchiveState:
    doc = _obj(doc, "history archive state")
    version = _uint_member(doc, "version", "")
    if version not in (HAS_VERSION_BEFORE_HOT_ARCHIVE, HAS_VERSION_WITH_HOT_ARCHIVE):
        raise HistoryArchiveStateError(f"unexpected history archive state version: {version}")
    with_hot = version >= HAS_VERSION_WITH_HOT_ARCHIVE
    server = _str_member(doc, "server", "")
    current_ledger = _uint_member(doc, "currentLedger", "")
    if "networkPassphrase" in doc or with_hot:
        passphrase = _str_member(doc, "networkPassphrase", "")
    else:
        passphrase = ""
    live = _levels_from(_member(doc, "currentBuckets", ""), "currentBuckets")
    hot = ()
    if with_hot:
        hot = _levels_from(_member(doc, "hotArchiveBuckets", ""), "hotArchiveBuckets")
    try:
        return HistoryArchiveState(current_ledger, live, hot, server=server,
                                   network_passphrase=passphrase, levels=levels,
                                   strict=strict)
    except HistoryArchiveStateError:
        raise
    except (TypeError, ValueError) as e:   # defensive: keep the one error type
        raise HistoryArchiveStateError(str(e)) from None


# ---------------------------------------------------------------------------
# writing: rapidjson's PrettyWriter as cereal drives it

_ESCAPES = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r",
            0x22: '\\"', 0x5C: "\\\\"}
_ESCAPE_TABLE = {c: _ESCAPES.get(c, "\\u%04X" % c) for c in range(0x20)}
_ESCAPE_TABLE.update({0x22: '\\"', 0x5C: "\\\\"})


def _json_str(s: str) -> str:
    # control characters as \b \t \n \f \r or \u00XX (uppercase hex), '"' and
    # '\' escaped; everything else (DEL, '/', non-ASCII) written as is
    return '"' + s.translate(_ESCAPE_TABLE) + '"'


def _pretty(value, depth: int) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "    " * (depth + 1)
        items = [f"{pad}{_json_str(k)}: {_pretty(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "    " * depth + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        pad = "    " * (depth + 1)
        items = [pad + _pretty(v, depth + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + "    " * depth + "]"
    if isinstance(value, str):
        return _json_str(value)
    if type(value) is int:
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__}")  # pragma: no cover


# ---------------------------------------------------------------------------
# archive paths (util/Fs.cpp, history/FileTransferInfo)

def hex_str(checkpoint: int) -> str:
    """fs::hexStr: a ledger/checkpoint number as 8 lowercase hex digits."""
    if type(checkpoint) is not int or not 0 <= checkpoint <= _UINT32_MAX:
        raise ValueError(f"not an unsigned 32-bit integer: {checkpoint!r}")
    return f"{checkpoint:08x}"


def hex_dir(hex_digits: str) -> str:
    """fs::hexDir: "aa/bb/cc" from the first six hex digits."""
    m = _HEX_DIR_RE.match(hex_digits) if isinstance(hex_digits, str) else None
    if not m:
        raise ValueError(f"needs at least six leading hex digits: {hex_digits!r:.80}")
    return f"{m.group(1)}/{m.group(2)}/{m.group(3)}"


def remote_dir(category: str, hex_digits: str) -> str:
    """fs::remoteDir: "<category>/aa/bb/cc"."""
    return f"{category}/{hex_dir(hex_digits)}"


def remote_name(category: str, hex_digits: str, suffix: str) -> str:
    """fs::remoteName: "<category>/aa/bb/cc/<category>-<hex>.<suffix>"."""
    return f"{remote_dir(category, hex_digits)}/{category}-{hex_digits}.{suffix}"


def has_remote_dir(checkpoint: int) -> str:
    """HistoryArchiveState::remoteDir: "history/xx/yy/zz"."""
    return remote_dir("history", hex_str(checkpoint))


def has_remote_name(checkpoint: int) -> str:
    """HistoryArchiveState::remoteName: "history/xx/yy/zz/history-xxyyzzww.json"."""
    return remote_name("history", hex_str(checkpoint), "json")


_CHECKPOINT_CATEGORIES = ("ledger", "transactions", "results", "scp")


def checkpoint_remote_dir(category: str, checkpoint: int) -> str:
    """FileTransferInfo::remoteDir of a checkpoint file ("ledger",
    "transactions", "results" or "scp")."""
    if category not in _CHECKPOINT_CATEGORIES:
        raise ValueError(f"not a checkpoint file category: {category!r}")
    return remote_dir(category, hex_str(checkpoint))


def checkpoint_remote_name(category: str, checkpoint: int) -> str:
    """FileTransferInfo::remoteName of a checkpoint file:
    "<category>/xx/yy/zz/<category>-xxyyzzww.xdr.gz"."""
    if category not in _CHECKPOINT_CATEGORIES:
        raise ValueError(f"not a checkpoint file category: {category!r}")
    return remote_name(category, hex_str(checkpoint), "xdr.gz")


def bucket_remote_dir(bucket_hash) -> str:
    """FileTransferInfo::remoteDir of a bucket: "bucket/aa/bb/cc"."""
    return remote_dir("bucket", _hash(bucket_hash, "bucket hash"))


def bucket_remote_name(bucket_hash) -> str:
    """FileTransferInfo::remoteName of a bucket:
    "bucket/aa/bb/cc/bucket-<64 hex digits>.xdr.gz"."""
    return remote_name("bucket", _hash(bucket_hash, "bucket hash"), "xdr.gz")
