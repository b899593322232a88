"""State archival: the eviction scan and its resolution at ledger close.

As stellar-core v25 (`SearchableLiveBucketListSnapshot::scanForEviction`,
`LiveBucketSnapshot::scanForEviction`, `LiveBucketList::
updateStartingEvictionIterator` / `updateEvictionIterAndRecordStats`,
`BucketManager::resolveBackgroundEvictionScan`, `EvictionResultCandidates`,
`LedgerCloseMetaFrame::populateEvictedEntries`,
`LedgerManagerImpl::finalizeLedgerTxnChanges`, `P23HotArchiveBug.cpp`).

Every ledger N from protocol 20, a background scan over the live bucket
list of ledger N-1 (the last closed ledger) looks for Soroban entries whose
TTL has expired, and ledger N's close evicts some of them:

1. `scan_for_eviction(snapshot, iterator, settings, N, version, load)`,
   started right after ledger N-1 closes (on any thread: the per-entry loop
   runs in C without the GIL, see eviction_scan.pyx).  It starts from the
   EvictionIterator stored in the CONFIG_SETTING_EVICTION_ITERATOR entry
   (adjusted by `update_starting_eviction_iterator`), reads
   `evictionScanSize` bytes of bucket files and returns the candidates.
2. `resolve_eviction(scan, ...)` at ledger N's close, after transactions
   and upgrades: it restarts the scan if it is stale (`is_valid`), drops
   candidates whose TTL was touched in ledger N, evicts at most
   `maxEntriesToArchive` and gives the new iterator, which the caller
   writes back to the CONFIG_SETTING_EVICTION_ITERATOR entry every ledger,
   changed or not.

TTL and entry lookups go through one callable, `load(keys)`: given a list
of LedgerKey XDRs (bytes), it returns a mapping from LedgerKey XDR to the
newest LedgerEntry XDR in the snapshot's state (keys absent from the state
missing or mapped to None) -- a bulk point load over the same bucket-list
snapshot (BucketListDB `loadKeys`).  It is called once for each scanned
bucket holding entries of an evictable type, with their TTL keys and, from
protocol 24, the keys of the persistent ones (to archive their newest
version).

Keys and entries are raw XDR bytes throughout (`xdr.LedgerKey.from_xdr`
etc. turn them into objects); iterators are `xdr.EvictionIterator`.
"""
import struct

from stellarcore import xdr
from stellarcore.bucket.bucket_list import NUM_LEVELS, bucket_update_period, level_should_spill
from stellarcore.bucket.eviction_scan import SCAN_COMPLETE, scan_bucket_file

__all__ = [
    "EvictionError", "ScanSettings", "EvictionCandidate", "EvictionScanResult",
    "EvictionOutcome", "make_iterator", "initial_eviction_iterator",
    "eviction_iterator_config_entry", "eviction_iterator_from_config_entry",
    "update_starting_eviction_iterator", "snapshot_levels", "scan_for_eviction",
    "resolve_eviction", "hot_archive_batch", "hot_archive_batch_for_ledger",
    "apply_p23_hot_archive_fix", "is_p24_upgrade_ledger", "is_temporary_key",
    "is_persistent_key", "is_persistent_entry", "ttl_live_until",
]

SOROBAN_PROTOCOL_VERSION = 20
FIRST_PROTOCOL_SUPPORTING_PERSISTENT_EVICTION = 23
# From protocol 24 a persistent entry is archived in its newest version
# (the protocol 23 "hot archive bug" archived the version scanned).
FIRST_PROTOCOL_ARCHIVING_NEWEST_VERSION = 24

# stellar-core's SorobanNetworkConfig::isValidConfigSettingEntry bounds.
MIN_STARTING_EVICTION_SCAN_LEVEL = 1

# Mainnet defaults (InitialSorobanNetworkConfig).
INITIAL_EVICTION_SCAN_SIZE = 100_000
INITIAL_MAX_ENTRIES_TO_ARCHIVE = 100
INITIAL_STARTING_EVICTION_SCAN_LEVEL = 6

_T_CONTRACT_DATA = 6
_T_CONTRACT_CODE = 7
_T_TTL = 9
_U32 = struct.Struct(">I")
_UINT32_MAX = 0xFFFFFFFF
_UINT64_MAX = 0xFFFFFFFFFFFFFFFF


class EvictionError(ValueError):
    """A malformed eviction iterator or state-archival settings, or a state
    the eviction rules do not allow (fatal in stellar-core too)."""


# --------------------------------------------------------------- iterators

def _iter_tuple(iterator):
    """(level, is_curr, offset) of an EvictionIterator, checked."""
    if isinstance(iterator, tuple):
        level, is_curr, offset = iterator
    else:
        try:
            level = iterator.bucketListLevel
            is_curr = iterator.isCurrBucket
            offset = iterator.bucketFileOffset
        except AttributeError:
            raise EvictionError(f"not an EvictionIterator: {iterator!r}") from None
    if not isinstance(level, int) or not 0 <= level < NUM_LEVELS:
        raise EvictionError(f"malformed EvictionIterator: bucketListLevel {level!r} is not "
                            f"a bucket-list level (0..{NUM_LEVELS - 1})")
    if not isinstance(offset, int) or not 0 <= offset <= _UINT64_MAX:
        raise EvictionError(f"malformed EvictionIterator: bucketFileOffset {offset!r}")
    return level, bool(is_curr), offset


def make_iterator(level, is_curr, offset):
    """An `xdr.EvictionIterator`."""
    return xdr.EvictionIterator(bucketListLevel=level, isCurrBucket=bool(is_curr),
                                bucketFileOffset=offset)


def initial_eviction_iterator(starting_level=INITIAL_STARTING_EVICTION_SCAN_LEVEL):
    """The iterator stellar-core writes when it creates the entry
    (`initialEvictionIterator`): curr bucket of the starting level, offset 0."""
    return make_iterator(starting_level, True, 0)


def eviction_iterator_config_entry(iterator):
    """The CONFIG_SETTING_EVICTION_ITERATOR ConfigSettingEntry holding `iterator`
    (what `SorobanNetworkConfig::updateEvictionIterator` writes every ledger)."""
    level, is_curr, offset = _iter_tuple(iterator)
    return xdr.ConfigSettingEntry(evictionIterator=make_iterator(level, is_curr, offset))


def eviction_iterator_from_config_entry(entry):
    """The EvictionIterator of a CONFIG_SETTING_EVICTION_ITERATOR
    ConfigSettingEntry (or of a LedgerEntry / its XDR holding one), checked."""
    if isinstance(entry, (bytes, bytearray, memoryview)):
        entry = xdr.LedgerEntry.from_xdr(bytes(entry))
    if isinstance(entry, xdr.LedgerEntry):
        entry = entry.data.configSetting
        if entry is None:
            raise EvictionError("not a CONFIG_SETTING ledger entry")
    it = getattr(entry, "evictionIterator", None)
    if it is None:
        raise EvictionError("not a CONFIG_SETTING_EVICTION_ITERATOR entry")
    _iter_tuple(it)
    return it


# ---------------------------------------------------------------- settings

class ScanSettings:
    """The three StateArchivalSettings fields the eviction uses."""

    __slots__ = ("eviction_scan_size", "starting_eviction_scan_level", "max_entries_to_archive")

    def __init__(self, eviction_scan_size, starting_eviction_scan_level, max_entries_to_archive):
        for name, v in (("evictionScanSize", eviction_scan_size),
                        ("startingEvictionScanLevel", starting_eviction_scan_level),
                        ("maxEntriesToArchive", max_entries_to_archive)):
            if not isinstance(v, int) or not 0 <= v <= _UINT32_MAX:
                raise EvictionError(
                    f"malformed StateArchivalSettings: {name} {v!r} is not a uint32")
        if not MIN_STARTING_EVICTION_SCAN_LEVEL <= starting_eviction_scan_level < NUM_LEVELS:
            raise EvictionError(
                f"malformed StateArchivalSettings: startingEvictionScanLevel "
                f"{starting_eviction_scan_level} is outside "
                f"{MIN_STARTING_EVICTION_SCAN_LEVEL}..{NUM_LEVELS - 1}")
        self.eviction_scan_size = eviction_scan_size
        self.starting_eviction_scan_level = starting_eviction_scan_level
        self.max_entries_to_archive = max_entries_to_archive

    @classmethod
    def of(cls, settings):
        """From an `xdr.StateArchivalSettings` (or a ScanSettings)."""
        if isinstance(settings, cls):
            return settings
        try:
            return cls(settings.evictionScanSize, settings.startingEvictionScanLevel,
                       settings.maxEntriesToArchive)
        except AttributeError:
            raise EvictionError(f"not a StateArchivalSettings: {settings!r}") from None

    def key(self):
        return (self.eviction_scan_size, self.starting_eviction_scan_level,
                self.max_entries_to_archive)

    def __eq__(self, other):
        return isinstance(other, ScanSettings) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def __repr__(self):
        return ("ScanSettings(evictionScanSize=%d, startingEvictionScanLevel=%d, "
                "maxEntriesToArchive=%d)" % self.key())


# ------------------------------------------------------------- the iterator

def update_starting_eviction_iterator(iterator, first_scan_level, ledger_seq):
    """Where the scan for ledger `ledger_seq` starts (a new EvictionIterator).

    Raised to the curr bucket of `first_scan_level` if below it (offset 0);
    then the offset is reset to 0 if the bucket it points into changed when
    ledger `ledger_seq - 1` closed: a curr bucket at level i receives level
    i-1's spill, a snap bucket changes when its own level spills.
    """
    level, is_curr, offset = _iter_tuple(iterator)
    if not isinstance(first_scan_level, int) or not 0 <= first_scan_level < NUM_LEVELS:
        raise EvictionError(f"startingEvictionScanLevel {first_scan_level!r} is not a level")
    if not isinstance(ledger_seq, int) or ledger_seq < 1:
        raise EvictionError(f"ledger sequence {ledger_seq!r} must be > 0")
    if level < first_scan_level:
        level, is_curr, offset = first_scan_level, True, 0
    if is_curr:
        if level == 0:
            raise EvictionError("malformed EvictionIterator: the scan never reads level 0's curr")
        if level_should_spill(ledger_seq - 1, level - 1):
            offset = 0
    elif level_should_spill(ledger_seq - 1, level):
        offset = 0
    return make_iterator(level, is_curr, offset)


def _next_bucket(level, is_curr, first_scan_level):
    """The bucket after (level, is_curr) in scan order and whether the scan
    wrapped past the last level."""
    if is_curr and level != NUM_LEVELS - 1:
        return level, False, False
    level += 1
    if level == NUM_LEVELS:
        return first_scan_level, True, True
    return level, True, False


# ---------------------------------------------------------------- snapshot

def snapshot_levels(bucket_list):
    """The buckets the scan reads: a tuple of NUM_LEVELS (curr, snap) pairs.

    Accepts a bucket list (anything with `.levels` of objects with `.curr`
    and `.snap`), the (level, "curr"|"snap", bucket) triples of
    `BucketListBase.buckets()`, or a sequence of (curr, snap) pairs.  Take it
    on the thread that closes ledgers, right after ledger N-1 closes; the
    buckets are immutable files, so the scan can then run anywhere (the
    caller keeps them from being garbage-collected meanwhile).
    """
    levels = getattr(bucket_list, "levels", None)
    if levels is not None:
        out = tuple((lev.curr, lev.snap) for lev in levels)
    else:
        items = list(bucket_list)
        if items and len(items[0]) == 3:
            pairs = [[None, None] for _ in range(NUM_LEVELS)]
            for level, kind, bucket in items:
                if not 0 <= level < NUM_LEVELS or kind not in ("curr", "snap"):
                    raise EvictionError(f"bad bucket position ({level!r}, {kind!r})")
                pairs[level][0 if kind == "curr" else 1] = bucket
            out = tuple(tuple(p) for p in pairs)
        else:
            out = tuple(tuple(p) for p in items)
    if len(out) != NUM_LEVELS or any(len(p) != 2 or None in p for p in out):
        raise EvictionError(f"a bucket-list snapshot has {NUM_LEVELS} levels of (curr, snap)")
    return out


# --------------------------------------------------------------- candidates

class EvictionCandidate:
    """An entry the scan found evictable (stellar-core's EvictionResultEntry).

    `entry` is the LedgerEntry XDR (from protocol 24, a persistent entry's
    newest version), `key` its LedgerKey XDR, `ttl_key` the LedgerKey XDR of
    its TTL, `position` the (level, is_curr, offset) just after the scanned
    record, `live_until` the TTL's liveUntilLedgerSeq.
    """

    __slots__ = ("entry", "key", "ttl_key", "position", "live_until", "temporary")

    def __init__(self, entry, key, ttl_key, position, live_until, temporary):
        self.entry = entry
        self.key = key
        self.ttl_key = ttl_key
        self.position = position
        self.live_until = live_until
        self.temporary = temporary

    @property
    def iterator(self):
        return make_iterator(*self.position)

    def ledger_entry(self):
        return xdr.LedgerEntry.from_xdr(self.entry)

    def ledger_key(self):
        return xdr.LedgerKey.from_xdr(self.key)

    def __repr__(self):
        kind = "temporary" if self.temporary else "persistent"
        return f"EvictionCandidate({kind}, at={self.position}, liveUntil={self.live_until})"


class EvictionScanResult:
    """What a scan found (stellar-core's EvictionResultCandidates)."""

    __slots__ = ("candidates", "end_position", "ledger_seq", "ledger_version", "settings",
                 "start_position", "bytes_scanned", "wrapped", "incomplete_bucket_scans")

    def __init__(self, candidates, end_position, ledger_seq, ledger_version, settings,
                 start_position, bytes_scanned, wrapped, incomplete_bucket_scans):
        self.candidates = candidates
        self.end_position = end_position
        self.ledger_seq = ledger_seq
        self.ledger_version = ledger_version
        self.settings = settings
        self.start_position = start_position
        self.bytes_scanned = bytes_scanned
        self.wrapped = wrapped          # passed the last level (a new eviction cycle)
        self.incomplete_bucket_scans = incomplete_bucket_scans

    @property
    def end_iterator(self):
        """The iterator at the end of the scanned region."""
        return make_iterator(*self.end_position)

    def is_valid(self, ledger_seq, ledger_version, settings):
        """Whether this scan may be used to close ledger `ledger_seq` with
        protocol `ledger_version` (the version before this ledger's
        upgrades) and the post-upgrade `settings`: the same ledger, the same
        three eviction settings, and not started before protocol 23 for a
        ledger at 23 or later (crossing into 24 does not restart a scan)."""
        settings = ScanSettings.of(settings)
        if (self.ledger_version < FIRST_PROTOCOL_SUPPORTING_PERSISTENT_EVICTION <=
                ledger_version):
            return False
        return self.ledger_seq == ledger_seq and self.settings == settings

    def __repr__(self):
        return (f"EvictionScanResult(ledger={self.ledger_seq}, {len(self.candidates)} "
                f"candidates, end={self.end_position})")


def is_temporary_key(key):
    """Whether a LedgerKey XDR is a temporary CONTRACT_DATA key."""
    return (_U32.unpack_from(key, 0)[0] == _T_CONTRACT_DATA and
            _U32.unpack_from(key, len(key) - 4)[0] == 0)


def ttl_live_until(ttl_entry):
    """liveUntilLedgerSeq of a TTL LedgerEntry XDR."""
    # LedgerEntry: lastModifiedLedgerSeq, data.type, TTLEntry{keyHash[32], liveUntilLedgerSeq}
    if len(ttl_entry) < 44 or _U32.unpack_from(ttl_entry, 4)[0] != _T_TTL:
        raise EvictionError("the loaded TTL key did not give a TTL entry")
    return _U32.unpack_from(ttl_entry, 40)[0]


def _raw(x):
    if x is None or isinstance(x, bytes):
        return x
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x)
    return x.to_xdr()


def scan_for_eviction(snapshot, iterator, settings, ledger_seq, ledger_version, load):
    """The eviction scan for ledger `ledger_seq`.

    `snapshot`: the live bucket list of ledger `ledger_seq - 1` (see
    `snapshot_levels`); `iterator`: the EvictionIterator stored in that
    ledger's CONFIG_SETTING_EVICTION_ITERATOR entry; `settings`: its
    StateArchivalSettings; `ledger_version`: the protocol version ledger
    `ledger_seq - 1` started with (stellar-core passes the pre-upgrade
    version of the ledger just closed; `resolve_eviction` restarts the scan
    when that matters); `load`: the bulk loader over the same snapshot (see
    the module docstring).

    Buckets are read in order level by level, curr then snap (level 10 has
    no snap), from the starting iterator, wrapping from the last level to
    `startingEvictionScanLevel`, until `evictionScanSize` bytes (record
    marks included) have been read -- the record that crosses the limit is
    still processed -- or the scan comes back to the bucket it started in.
    Empty buckets and buckets of protocol < 20 are skipped.  A candidate is
    an INIT or LIVE entry of an evictable type (temporary contract data;
    from protocol 23 any contract data or code) not already chosen in an
    earlier bucket, whose TTL exists and has liveUntilLedgerSeq < ledger_seq.
    """
    sas = ScanSettings.of(settings)
    levels = snapshot_levels(snapshot)
    if not isinstance(ledger_version, int) or ledger_version < SOROBAN_PROTOCOL_VERSION:
        raise EvictionError(f"no eviction scan before protocol {SOROBAN_PROTOCOL_VERSION} "
                            f"(ledger version {ledger_version!r})")
    start = update_starting_eviction_iterator(iterator, sas.starting_eviction_scan_level,
                                              ledger_seq)
    level, is_curr, offset = start.bucketListLevel, start.isCurrBucket, start.bucketFileOffset
    start_bucket = (level, is_curr)
    persistent_too = ledger_version >= FIRST_PROTOCOL_SUPPORTING_PERSISTENT_EVICTION
    newest_persistent = ledger_version >= FIRST_PROTOCOL_ARCHIVING_NEWEST_VERSION
    budget = sas.eviction_scan_size
    chosen = set()
    candidates = []
    scanned = 0
    wrapped = False
    incomplete = 0

    while True:
        curr, snap = levels[level]
        bucket = curr if is_curr else snap
        if bucket_update_period(level, is_curr) * sas.eviction_scan_size < bucket.size:
            incomplete += 1       # stellar-core: "Bucket too large for current eviction scan size"
        complete = False
        if not bucket.is_empty and bucket.version >= SOROBAN_PROTOCOL_VERSION:
            if budget == 0:
                break
            status, offset, nread, found = scan_bucket_file(bucket.path, offset, budget,
                                                           persistent_too)
            scanned += nread
            budget = 0 if status == SCAN_COMPLETE else budget - nread
            complete = status == SCAN_COMPLETE
            found = [f for f in found if f[0] not in chosen]
            if found:
                _resolve_bucket(found, level, is_curr, ledger_seq, newest_persistent, load,
                                candidates, chosen)
        if complete:
            break
        level, is_curr, w = _next_bucket(level, is_curr, sas.starting_eviction_scan_level)
        offset = 0
        wrapped = wrapped or w
        if (level, is_curr) == start_bucket:
            break

    return EvictionScanResult(candidates, (level, is_curr, offset), ledger_seq, ledger_version,
                              sas, (start.bucketListLevel, start.isCurrBucket,
                                    start.bucketFileOffset), scanned, wrapped, incomplete)


def _resolve_bucket(found, level, is_curr, ledger_seq, newest_persistent, load, out, chosen):
    """Look up the TTLs (and, from protocol 24, the newest versions of the
    persistent entries) of one bucket's possible candidates in one bulk load
    and keep the expired ones."""
    keys = []
    seen = set()
    for key, ttl_key, _, _, temporary in found:
        for k in (ttl_key,) if temporary or not newest_persistent else (ttl_key, key):
            if k not in seen:
                seen.add(k)
                keys.append(k)
    loaded = load(keys)
    for key, ttl_key, entry, pos, temporary in found:
        ttl = _raw(loaded.get(ttl_key))
        if ttl is None:
            continue                          # TTL deleted: entry gone or evicted
        live_until = ttl_live_until(ttl)
        if live_until >= ledger_seq:
            continue                          # still live
        if newest_persistent and not temporary:
            newest = _raw(loaded.get(key))
            if newest is None:
                raise EvictionError("an expired persistent entry has a TTL but no newest "
                                    "version in the bucket list")
            entry = newest
        out.append(EvictionCandidate(entry, key, ttl_key, (level, is_curr, pos), live_until,
                                     temporary))
        chosen.add(key)


# ---------------------------------------------------------------- resolving

class EvictionOutcome:
    """What ledger N's close evicts (stellar-core's EvictedStateVectors plus
    the new iterator).

    * `deleted_keys`: LedgerKey XDRs, per evicted entry in scan order its key
      if temporary, then its TTL key;
    * `archived_entries`: LedgerEntry XDRs of the evicted persistent entries
      (for the hot archive batch), in scan order;
    * `erased_keys`: every key to erase from the live state (each evicted
      entry's key and TTL key): DEADENTRYs in the live bucket list;
    * `new_iterator`: the EvictionIterator to write back (every ledger);
    * `evicted`: the EvictionCandidates evicted.
    """

    __slots__ = ("deleted_keys", "archived_entries", "evicted", "new_iterator", "scan")

    def __init__(self, deleted_keys, archived_entries, evicted, new_iterator, scan):
        self.deleted_keys = deleted_keys
        self.archived_entries = archived_entries
        self.evicted = evicted
        self.new_iterator = new_iterator
        self.scan = scan

    @property
    def erased_keys(self):
        out = []
        for c in self.evicted:
            out.append(c.key)
            out.append(c.ttl_key)
        return out

    @property
    def archived_keys(self):
        return [c.key for c in self.evicted if not c.temporary]

    def evicted_keys(self):
        """The LedgerCloseMeta `evictedKeys` (as LedgerKey XDRs), in
        stellar-core's order: every deleted key, then the keys of the
        archived entries."""
        return list(self.deleted_keys) + self.archived_keys

    def evicted_ledger_keys(self):
        """`evicted_keys()` as `xdr.LedgerKey` objects."""
        return [xdr.LedgerKey.from_xdr(k) for k in self.evicted_keys()]

    def config_entry(self):
        """The CONFIG_SETTING_EVICTION_ITERATOR ConfigSettingEntry to write."""
        return eviction_iterator_config_entry(self.new_iterator)

    def __repr__(self):
        return (f"EvictionOutcome({len(self.evicted)} evicted, "
                f"iterator={_iter_tuple(self.new_iterator)})")


def resolve_eviction(scan, ledger_seq, ledger_version, settings, modified_ttl_keys,
                     rescan=None):
    """Evict at ledger `ledger_seq`'s close.

    `scan`: the EvictionScanResult started for this ledger (or None if none
    was started); `ledger_version`: the protocol version the ledger started
    with (before its upgrades); `settings`: the StateArchivalSettings after
    this ledger's upgrades; `modified_ttl_keys`: the TTL keys (XDR or
    `xdr.LedgerKey`) present in this ledger's LedgerTxn (loaded, created,
    modified or erased); `rescan`: a callable returning a fresh scan for
    this ledger with the current settings and version, used when `scan` is
    missing or stale (`EvictionScanResult.is_valid`).

    Candidates whose TTL key is in `modified_ttl_keys` are dropped; at most
    `maxEntriesToArchive` of the others are evicted in scan order.  The new
    iterator is the position just after the last evicted entry if the cap
    was reached, else the end of the scanned region.
    """
    sas = ScanSettings.of(settings)
    if scan is None or not scan.is_valid(ledger_seq, ledger_version, sas):
        if rescan is None:
            raise EvictionError(
                "the eviction scan is missing or stale (another ledger, other settings, or "
                "started before protocol 23) and no rescan was given")
        scan = rescan()
        if not scan.is_valid(ledger_seq, ledger_version, sas):
            raise EvictionError("the rescan does not match this ledger, version and settings")
    modified = {_raw(k) for k in modified_ttl_keys}
    remaining = sas.max_entries_to_archive
    new_position = scan.end_position
    deleted_keys = []
    archived = []
    evicted = []
    for c in scan.candidates:
        if remaining == 0:
            break
        if c.ttl_key in modified:
            continue
        remaining -= 1
        if c.temporary:
            deleted_keys.append(c.key)
        else:
            archived.append(c.entry)
        deleted_keys.append(c.ttl_key)
        evicted.append(c)
        new_position = c.position
    if remaining != 0:
        new_position = scan.end_position
    return EvictionOutcome(deleted_keys, archived, evicted, make_iterator(*new_position), scan)


# -------------------------------------------------------- hot archive batch

def is_persistent_entry(entry):
    """Whether a LedgerEntry XDR is CONTRACT_CODE or persistent CONTRACT_DATA."""
    from stellarcore.bucket.keys import ledger_key_of_entry
    return is_persistent_key(ledger_key_of_entry(entry))


def is_persistent_key(key):
    t = _U32.unpack_from(key, 0)[0]
    return t == _T_CONTRACT_CODE or (t == _T_CONTRACT_DATA and
                                     _U32.unpack_from(key, len(key) - 4)[0] == 1)


def is_p24_upgrade_ledger(initial_ledger_version, ledger_version):
    """The ledger that upgrades from before protocol 24 to 24 or later."""
    return (initial_ledger_version < FIRST_PROTOCOL_ARCHIVING_NEWEST_VERSION <=
            ledger_version)


def hot_archive_batch(archived_entries, restored_keys):
    """(archived entries, restored keys) of a ledger's hot archive batch
    (`finalizeLedgerTxnChanges`, `HotArchiveBucket::convertToBucketEntry`):
    the evicted persistent entries (HOT_ARCHIVE_ARCHIVED) and the
    CONTRACT_DATA / CONTRACT_CODE keys restored from the hot archive in this
    ledger (HOT_ARCHIVE_LIVE; TTL keys are left out).  Anything not
    persistent is an error.  The bucket layer sorts them."""
    entries = [_raw(e) for e in archived_entries]
    for e in entries:
        if not is_persistent_entry(e):
            raise EvictionError("a hot archive batch archives only persistent Soroban entries")
    keys = []
    for k in restored_keys:
        k = _raw(k)
        t = _U32.unpack_from(k, 0)[0]
        if t not in (_T_CONTRACT_DATA, _T_CONTRACT_CODE):
            continue
        if not is_persistent_key(k):
            raise EvictionError("a hot archive batch restores only persistent Soroban keys")
        keys.append(k)
    return entries, keys


# Mainnet only: on the ledger that upgrades to protocol 24, 478 hot archive
# entries archived in a stale version during protocol 23 are rewritten with
# their correct state (P23HotArchiveBug.cpp).
P23_CORRUPTED_HOT_ARCHIVE_ENTRIES_COUNT = 478

# TODO(p23-hot-archive-fix data): stellar-core embeds the 478 (corrupted,
# correct) LedgerEntry pairs as base64 in src/ledger/P23HotArchiveBugData.cpp
# (673 KB of source), too large to embed here cleanly.  `apply_p23_hot_archive_fix`
# implements the rule and takes the pairs as an argument; until the data
# ships with the package (e.g. a generated data file read by a loader),
# `hot_archive_batch_for_ledger` refuses the mainnet p24 upgrade ledger
# rather than silently producing a different hot archive.


def apply_p23_hot_archive_fix(archived_entries, corrections, load_hot_archived, live_exists):
    """The archived entries of the mainnet p24 upgrade ledger's hot archive
    batch (`addHotArchiveBatchWithP23HotArchiveFix`): this ledger's evicted
    entries, then, in order, the correct state of each corrupted entry that
    is in the hot archive.

    `corrections`: (corrupted LedgerEntry XDR, correct LedgerEntry XDR)
    pairs; `load_hot_archived(key)`: the HOT_ARCHIVE_ARCHIVED LedgerEntry XDR
    of a key in the hot archive of the last closed ledger, None if absent
    (restored keys are absent); `live_exists(key)`: whether the key exists
    in the live state of this ledger.  A corrupted entry not in the hot
    archive is skipped; one in a different state there, live, or evicted in
    this same batch is an error.
    """
    from stellarcore.bucket.keys import ledger_key_of_entry
    out = [_raw(e) for e in archived_entries]
    batch_keys = {ledger_key_of_entry(e) for e in out}
    for corrupted, correct in corrections:
        corrupted, correct = _raw(corrupted), _raw(correct)
        key = ledger_key_of_entry(corrupted)
        if ledger_key_of_entry(correct) != key:
            raise EvictionError("a p23 hot archive correction changes the entry's key")
        current = _raw(load_hot_archived(key))
        if current is None:
            continue
        if current != corrupted:
            raise EvictionError("a p23-corrupted hot archive entry is not in the expected state")
        if live_exists(key):
            raise EvictionError("a p23-corrupted hot archive entry also exists in live state")
        if key in batch_keys:
            raise EvictionError("a p23-corrupted hot archive entry is archived in this ledger")
        out.append(correct)
    return out


def hot_archive_batch_for_ledger(archived_entries, restored_keys, initial_ledger_version,
                                 ledger_version, production_network=False, p23_fix=None):
    """The hot archive batch to add at a ledger's close, or None when the
    ledger adds none (it started before protocol 23).

    On the mainnet ledger upgrading to protocol 24, `p23_fix` must be a
    callable (archived entries -> archived entries with the corrections,
    e.g. `apply_p23_hot_archive_fix` bound to its data and lookups)."""
    if initial_ledger_version < FIRST_PROTOCOL_SUPPORTING_PERSISTENT_EVICTION:
        return None
    entries, keys = hot_archive_batch(archived_entries, restored_keys)
    if production_network and is_p24_upgrade_ledger(initial_ledger_version, ledger_version):
        if p23_fix is None:
            raise NotImplementedError(
                "the mainnet protocol 24 upgrade ledger needs the P23 hot archive correction "
                "data (see P23_CORRUPTED_HOT_ARCHIVE_ENTRIES_COUNT in bucket/eviction.py)")
        entries = [_raw(e) for e in p23_fix(entries)]
    return entries, keys
