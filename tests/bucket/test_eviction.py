"""The eviction scan and its resolution (stellarcore.bucket.eviction)
against the facts of stellar-core v25's tests: BucketListTests.cpp "eviction
scan" (basic eviction, shadowed entries, maxEntriesToArchive, an entry
modified on the eviction ledger, evictionScanSize, scans across multiple
buckets, iterator resets when buckets change), InvokeHostFunctionTests.cpp
"multiple version of same key in a single eviction scan", "do not evict
outdated keys" (p23 vs p24), "disable eviction scan", UpgradesTests.cpp
"p24 upgrade fixes corrupted hot archive entries", and the rules of
PARITY_TRAPS B6-B9.

Ledgers are closed by a small harness over our LiveBucketList /
HotArchiveBucketList / BucketManager: the scan for ledger N runs on the
bucket list of ledger N-1 with lookups over a plain dict holding the state
of ledger N-1, then the ledger's changes are applied and the eviction
resolved, as LedgerManagerImpl does.
"""
import concurrent.futures
import struct

import pytest

from stellarcore import xdr
from stellarcore.bucket import eviction as ev
from stellarcore.bucket.bucket import EMPTY
from stellarcore.bucket.bucket_file import BucketFileError, iter_records
from stellarcore.bucket.bucket_list import (NUM_LEVELS, HotArchiveBucketList, LiveBucketList,
                                            bucket_update_period, level_should_spill)
from stellarcore.bucket.entries import (DEADENTRY, HOT_ARCHIVE_ARCHIVED, INITENTRY, LIVEENTRY,
                                        METAENTRY, record_kind)
from stellarcore.bucket.eviction_scan import SCAN_COMPLETE, SCAN_EOF, scan_bucket_file
from stellarcore.bucket.keys import bucket_entry_ledger_key, ledger_key_of_entry
from stellarcore.bucket.manager import BucketManager
from stellarcore.crypto.sha import sha256

TEMPORARY = xdr.ContractDataDurability.TEMPORARY
PERSISTENT = xdr.ContractDataDurability.PERSISTENT


# ------------------------------------------------------------------ entries

def data_entry(n, durability, val=0, last_modified=1, pad=0):
    """LedgerEntry XDR of a CONTRACT_DATA entry of contract n, key n."""
    cd = xdr.ContractDataEntry(
        contract=xdr.SCAddress(contractId=sha256(b"contract %d" % n)),
        key=xdr.SCVal(u32=n), durability=durability,
        val=xdr.SCVal(bytes=bytes(pad)) if pad else xdr.SCVal(u64=val))
    return xdr.LedgerEntry(lastModifiedLedgerSeq=last_modified,
                           data=xdr.LedgerEntryData(contractData=cd)).to_xdr()


def code_entry(n, last_modified=1, code=b"\0asm"):
    cc = xdr.ContractCodeEntry(hash=sha256(b"code %d" % n), code=code)
    return xdr.LedgerEntry(lastModifiedLedgerSeq=last_modified,
                           data=xdr.LedgerEntryData(contractCode=cc)).to_xdr()


def account_entry(n, last_modified=1):
    acc = xdr.AccountEntry(accountID=xdr.PublicKey(ed25519=sha256(b"account %d" % n)),
                           balance=10_000_000 + n, seqNum=n << 32,
                           thresholds=b"\x01\x00\x00\x00")
    return xdr.LedgerEntry(lastModifiedLedgerSeq=last_modified,
                           data=xdr.LedgerEntryData(account=acc)).to_xdr()


def key_of(entry):
    return ledger_key_of_entry(entry)


def ttl_key(key):
    return xdr.LedgerKey(ttl=xdr.LedgerKeyTtl(keyHash=sha256(key))).to_xdr()


def ttl_entry(key, live_until, last_modified=1):
    return xdr.LedgerEntry(lastModifiedLedgerSeq=last_modified, data=xdr.LedgerEntryData(
        ttl=xdr.TTLEntry(keyHash=sha256(key), liveUntilLedgerSeq=live_until))).to_xdr()


def is_temp(key):
    return ev.is_temporary_key(key)


def dict_loader(state, calls=None):
    """The bulk `load` callable over a plain dict {LedgerKey XDR: LedgerEntry XDR}."""
    def load(keys):
        keys = list(keys)
        if calls is not None:
            calls.append(keys)
        return {k: state.get(k) for k in keys}
    return load


def settings(scan_size=100_000, start_level=6, max_entries=100):
    return xdr.StateArchivalSettings(evictionScanSize=scan_size,
                                     startingEvictionScanLevel=start_level,
                                     maxEntriesToArchive=max_entries,
                                     maxEntryTTL=1_054_080, minTemporaryTTL=1, minPersistentTTL=1)


def records_with_offsets(bucket):
    """[(offset, offset_after, record)] of a bucket file."""
    out, off = [], 0
    for r in bucket.records():
        out.append((off, off + 4 + len(r), r))
        off += 4 + len(r)
    return out


def meta_size(bucket):
    return records_with_offsets(bucket)[0][1]


def bucket_keys(bucket):
    return [bucket_entry_ledger_key(r) for _, _, r in records_with_offsets(bucket)
            if record_kind(r) != METAENTRY]


def pos(it):
    return (it.bucketListLevel, it.isCurrBucket, it.bucketFileOffset)


# ------------------------------------------------------------------ harness

class Chain:
    """Closes ledgers as LedgerManagerImpl does, for eviction purposes.

    For ledger N: the scan starts on the live bucket list of N-1 with the
    iterator and settings of N-1 and the protocol version N-1 started with;
    then the ledger's changes apply (entries created / updated / deleted,
    TTLs touched, upgrades); then the eviction resolves with the version N
    started with and the post-upgrade settings, its erasures join the live
    batch, the evicted persistent entries the hot archive batch, and the
    iterator is written back."""

    def __init__(self, manager, protocol=23, sas=None):
        self.bm = manager
        self.live = LiveBucketList()
        self.hot = HotArchiveBucketList()
        self.state = {}
        self.protocol = protocol
        self.scan_version = protocol     # the version the last closed ledger started with
        self.settings = sas if sas is not None else settings()
        self.iterator = ev.initial_eviction_iterator(self.settings.startingEvictionScanLevel)
        self.lcl = 1
        self.live.add_batch(self.bm, 1, protocol, [], [], [])
        self.outcomes = []
        self.rescans = 0
        self.archived = []             # every archived entry, in order

    def close(self, create=(), update=(), delete=(), touch_ttl=(), upgrade_settings=None,
              upgrade_protocol=None):
        seq = self.lcl + 1
        snapshot = ev.snapshot_levels(self.live)
        load = dict_loader(dict(self.state))
        initial_version = self.protocol
        scan_iter, scan_settings = self.iterator, self.settings
        scan = ev.scan_for_eviction(snapshot, scan_iter, scan_settings, seq, self.scan_version,
                                    load)
        init, live, dead = [], [], []
        touched = set(touch_ttl)
        for e in create:
            k = key_of(e)
            assert k not in self.state
            self.state[k] = e
            init.append(e)
        for e in update:
            k = key_of(e)
            assert k in self.state
            self.state[k] = e
            live.append(e)
        for k in delete:
            del self.state[k]
            dead.append(k)
        for k in [key_of(e) for e in list(create) + list(update)] + list(delete):
            if struct.unpack_from(">i", k)[0] == 9:
                touched.add(k)
        if upgrade_settings is not None:
            self.settings = upgrade_settings
        if upgrade_protocol is not None:
            self.protocol = upgrade_protocol

        def rescan():
            self.rescans += 1
            return ev.scan_for_eviction(snapshot, scan_iter, self.settings, seq,
                                        initial_version, load)

        out = ev.resolve_eviction(scan, seq, initial_version, self.settings, touched, rescan)
        for k in out.erased_keys:
            del self.state[k]
            dead.append(k)
        self.iterator = out.new_iterator
        batch = ev.hot_archive_batch_for_ledger(out.archived_entries, [], initial_version,
                                                self.protocol)
        if batch is not None:
            self.hot.add_batch(self.bm, seq, self.protocol, *batch)
            self.archived += batch[0]
        self.live.add_batch(self.bm, seq, self.protocol, init, live, dead)
        self.scan_version = initial_version
        self.lcl = seq
        self.outcomes.append(out)
        return out

    def hack(self, sas=None, iterator=None):
        """Write settings / iterator directly into the last closed ledger
        (stellar-core's test helper `updateStateArchivalSettings`)."""
        if sas is not None:
            self.settings = sas
        if iterator is not None:
            self.iterator = iterator

    def close_and_override(self, sas=None, iterator=None):
        """Close a ledger whose settings / iterator entries are then
        overwritten: stellar-core's test helper `updateStateArchivalSettings`,
        which closes a ledger of its own."""
        self.close()
        self.hack(sas, iterator)

    def bucket(self, level, is_curr):
        lev = self.live.levels[level]
        return lev.curr if is_curr else lev.snap


@pytest.fixture
def bm(tmp_path):
    m = BucketManager(tmp_path / "buckets", do_fsync=False)
    yield m
    m.shutdown()


def soroban_population(n, live_until, last_modified=1):
    """n contract code / temporary / persistent entries and their TTLs
    (like stellar-core's test: code is persistent, data half and half)."""
    entries, temp, persistent = [], set(), set()
    for i in range(n):
        if i % 5 == 0:
            e = code_entry(i, last_modified)
            persistent.add(key_of(e))
        elif i % 2:
            e = data_entry(i, TEMPORARY, i, last_modified)
            temp.add(key_of(e))
        else:
            e = data_entry(i, PERSISTENT, i, last_modified)
            persistent.add(key_of(e))
        entries.append(e)
        entries.append(ttl_entry(key_of(e), live_until, last_modified))
    return entries, temp, persistent


LEVEL_TO_SCAN = 3


def populated_chain(bm, protocol):
    """A chain whose 50 Soroban entries (TTL expired since ledger 4) sit in
    the curr bucket of level 3, with the scan starting at level 6 so far."""
    c = Chain(bm, protocol, settings(start_level=6))
    entries, temp, persistent = soroban_population(50, live_until=3, last_modified=2)
    c.close(create=entries)
    while not (temp | persistent) <= set(bucket_keys(c.bucket(LEVEL_TO_SCAN, True))):
        c.close()
        assert all(k in c.state for k in temp | persistent)
        assert all(o.evicted == [] for o in c.outcomes)
    return c, entries, temp, persistent


def expected_evictions(protocol, temp, persistent):
    return temp | persistent if protocol >= 23 else set(temp)


# ---------------------------------------------------------- BucketListTests

@pytest.mark.parametrize("protocol", [22, 23, 24])
def test_basic_eviction(bm, protocol):
    c, entries, temp, persistent = populated_chain(bm, protocol)
    assert set(bucket_keys(c.bucket(LEVEL_TO_SCAN, True))) >= temp | persistent
    # an upgrade of the starting level in this ledger: the background scan
    # (started with level 6) is stale and restarts with the new settings
    out = c.close(upgrade_settings=settings(start_level=LEVEL_TO_SCAN))
    assert c.rescans == 1
    evicted = {cand.key for cand in out.evicted}
    assert evicted == expected_evictions(protocol, temp, persistent)
    for k in temp:
        assert k not in c.state and ttl_key(k) not in c.state
    for k in persistent:
        assert (k in c.state) == (protocol < 23)
        assert (ttl_key(k) in c.state) == (protocol < 23)
    # the hot archive holds exactly the persistent entries, as scanned (from
    # the entries written), no TTLs, no temporary entries
    hot = c.hot.levels[0].curr
    if protocol >= 23:
        recs = [r for r in iter_records(hot.path) if record_kind(r) != METAENTRY]
        assert all(record_kind(r) == HOT_ARCHIVE_ARCHIVED for r in recs)
        assert sorted(r[4:] for r in recs) == sorted(e for e in entries
                                                     if key_of(e) in persistent)
    else:
        assert hot.is_empty
    # evicted entries and TTLs become DEAD in the live list: close ledgers
    # until the DEADs meet their INITs and both vanish; no more evictions
    gone = set()
    for k in expected_evictions(protocol, temp, persistent):
        gone |= {k, ttl_key(k)}
    for _ in range(600):
        out = c.close()
        assert out.evicted == []
        if not any(gone & set(bucket_keys(b)) for _, _, b in c.live.buckets()):
            break
    else:
        raise AssertionError("evicted entries never annihilated with their INITENTRYs")
    assert not gone & set(c.state)


def test_shadowed_entries_not_evicted(bm):
    c, entries, temp, persistent = populated_chain(bm, 23)
    c.hack(sas=settings(start_level=LEVEL_TO_SCAN))
    # newer TTLs (level 0) shadow the expired ones scanned at level 3
    seq = c.lcl + 1
    c.close(update=[ttl_entry(key_of(e), seq + 10, seq) for e in entries
                    if struct.unpack_from(">i", key_of(e))[0] != 9])
    out = c.close()
    assert out.evicted == [] and c.outcomes[-2].evicted == []
    assert all(k in c.state for k in temp | persistent)


@pytest.mark.parametrize("protocol", [22, 23])
def test_max_entries_to_archive(bm, protocol):
    c, entries, temp, persistent = populated_chain(bm, protocol)
    c.hack(sas=settings(start_level=LEVEL_TO_SCAN, max_entries=1))
    expected = expected_evictions(protocol, temp, persistent)
    evicted = []
    prev = pos(c.iterator)
    while len(evicted) < len(expected):
        out = c.close()
        assert len(out.evicted) <= 1
        evicted += [x.key for x in out.evicted]
        new = pos(out.new_iterator)
        # the iterator advances every ledger without circling back
        assert new[2] > prev[2] or new[0] > prev[0] or (prev[1] and not new[1]), (prev, new)
        prev = new
    assert set(evicted) == expected and len(evicted) == len(expected)
    assert not any(k in c.state for k in expected)


def test_max_entries_with_entry_modified_on_eviction_ledger(bm):
    c, entries, temp, persistent = populated_chain(bm, 23)
    c.hack(sas=settings(start_level=LEVEL_TO_SCAN, max_entries=1),
           iterator=ev.make_iterator(LEVEL_TO_SCAN, True, 0))
    bucket = c.bucket(LEVEL_TO_SCAN, True)
    evictable = [(after, bucket_entry_ledger_key(r)) for _, after, r in records_with_offsets(bucket)
                 if record_kind(r) in (INITENTRY, LIVEENTRY) and
                 bucket_entry_ledger_key(r) in temp | persistent]
    (_, first), (second_end, second) = evictable[:2]
    seq = c.lcl + 1
    # the first evictable entry's TTL is extended in the eviction ledger
    out = c.close(update=[ttl_entry(first, seq + 1, seq)])
    assert first in c.state
    assert [x.key for x in out.evicted] == [second] and second not in c.state
    assert pos(out.new_iterator) == (LEVEL_TO_SCAN, True, second_end)


def test_eviction_scan_size_one_reads_one_entry_per_ledger(bm):
    c, entries, temp, persistent = populated_chain(bm, 23)
    # no evictions, only the positions: everything still live
    c.hack(sas=settings(scan_size=1, start_level=LEVEL_TO_SCAN, max_entries=0))
    bucket = c.bucket(LEVEL_TO_SCAN, True)
    # from the level-6 iterator: levels 6..10 empty, wrap, read level 3's meta
    out = c.close()
    assert pos(out.new_iterator) == (LEVEL_TO_SCAN, True, meta_size(bucket))
    n = 0
    for start, after, rec in records_with_offsets(bucket)[1:]:
        if c.bucket(LEVEL_TO_SCAN, True).hash != bucket.hash or level_should_spill(c.lcl, 2):
            break                       # the bucket changed: the iterator will reset
        out = c.close()
        assert out.scan.start_position == (LEVEL_TO_SCAN, True, start)
        assert pos(out.new_iterator) == (LEVEL_TO_SCAN, True, after)
        n += 1
    assert n >= 10


def fill_with_accounts(c, until, start=0):
    """Close ledgers of 10 new accounts each until `until()`."""
    i = start
    while not until():
        c.close(create=[account_entry(i + j, c.lcl + 1) for j in range(10)])
        i += 10
    return i


def test_scans_across_multiple_buckets(bm):
    c = Chain(bm, 23, settings(start_level=6))
    fill_with_accounts(c, lambda: c.bucket(2, False).size >= 1000)
    curr = c.bucket(2, True)
    c.hack(sas=settings(scan_size=curr.size + 1, start_level=2),
           iterator=ev.make_iterator(2, True, 0))
    out = c.close()
    # all of curr, then the snap's meta record (crossing the limit)
    assert pos(out.new_iterator) == (2, False, meta_size(c.bucket(2, False)))
    assert out.scan.bytes_scanned == curr.size + meta_size(c.bucket(2, False))


def bucket_changes_at(ledger, level, is_curr):
    """Whether the bucket at (level, is_curr) changes when `ledger` closes."""
    return level_should_spill(ledger, level - 1 if is_curr else level)


@pytest.mark.parametrize("is_curr", [True, False])
@pytest.mark.parametrize("disable", [True, False])
def test_iterator_resets_when_bucket_changes(bm, is_curr, disable):
    level = 1
    c = Chain(bm, 23, settings(start_level=6))
    n = fill_with_accounts(c, lambda: c.bucket(level, is_curr).size >= 1000)
    # align: the bucket changed in the last closed ledger
    while not bucket_changes_at(c.lcl, level, is_curr):
        c.close(create=[account_entry(n, c.lcl + 1)])
        n += 1
    m = meta_size(c.bucket(level, is_curr))

    def sas(size):
        return settings(scan_size=size, start_level=level)

    # scan the meta record and one entry per ledger, or nothing (the
    # iterator then parked at an arbitrary offset)
    c.close_and_override(sas=sas(0 if disable else m + 1),
                         iterator=ev.make_iterator(level, is_curr, 10 if disable else 0))
    period = bucket_update_period(level, is_curr)
    assert period >= 2
    for _ in range(period - 2):
        before = c.iterator
        assert not bucket_changes_at(c.lcl + 1, level, is_curr)
        out = c.close(create=[account_entry(n, c.lcl + 1)])
        n += 1
        if disable:
            assert out.new_iterator == before
        else:
            assert out.new_iterator.bucketFileOffset > before.bucketFileOffset
            assert pos(out.new_iterator)[:2] == (level, is_curr)
    before_change = c.iterator
    old = c.bucket(level, is_curr)
    assert bucket_changes_at(c.lcl + 1, level, is_curr)
    out = c.close(create=[account_entry(n, c.lcl + 1)])
    changed = c.bucket(level, is_curr)
    assert changed.hash != old.hash
    if disable:
        assert out.new_iterator == before_change
    # the scan of the next ledger sees the change (its snapshot is the ledger
    # just closed) and restarts from the beginning of the bucket
    out = c.close(create=[account_entry(n + 1, c.lcl + 1)])
    if disable:
        assert pos(out.new_iterator) == (level, is_curr, 0)
    else:
        assert out.scan.start_position == (level, is_curr, 0)
        assert pos(out.new_iterator) == (level, is_curr, records_with_offsets(changed)[1][1])
    assert out.new_iterator != before_change
    if disable:
        c.close_and_override(sas=sas(m + 1))
        for _ in range(2):
            before = c.iterator
            out = c.close()
            assert out.new_iterator.bucketFileOffset > before.bucketFileOffset
            assert pos(out.new_iterator)[:2] == (level, is_curr)


# ------------------------------------------------- protocol boundaries (B7, B8)

def test_scan_restarts_when_the_ledger_crosses_into_p23(bm):
    c, entries, temp, persistent = populated_chain(bm, 22)
    c.hack(sas=settings(start_level=LEVEL_TO_SCAN, max_entries=0))
    # the upgrade ledger itself started at 22: temporary rules, no hot batch
    out = c.close(upgrade_protocol=23)
    assert c.rescans == 0
    assert out.scan.ledger_version == 22 and out.evicted == []
    c.hack(sas=settings(start_level=LEVEL_TO_SCAN, max_entries=100),
           iterator=ev.make_iterator(LEVEL_TO_SCAN, True, 0))
    # the next ledger's scan was started at 22, the ledger starts at 23: rescan
    out = c.close()
    assert c.rescans == 1 and out.scan.ledger_version == 23
    assert {x.key for x in out.evicted} == temp | persistent
    assert sorted(c.archived) == sorted(e for e in entries if key_of(e) in persistent)


def test_crossing_into_p24_does_not_restart_the_scan(bm):
    """The first ledger at 24 uses a scan started at 23 (p23 rules: the
    scanned, outdated version is archived); the next ledger uses p24 rules."""
    c = Chain(bm, 23, settings(start_level=1))
    old_a = data_entry(1, PERSISTENT, val=123, last_modified=2)
    old_b = data_entry(2, PERSISTENT, val=123, last_modified=2)
    ka, kb = key_of(old_a), key_of(old_b)
    c.close(create=[old_a, old_b, ttl_entry(ka, 10), ttl_entry(kb, 11)])
    for _ in range(6):
        c.close()
    # the newest versions land in level 0 only, the outdated ones are deeper
    new_a = data_entry(1, PERSISTENT, val=456, last_modified=c.lcl + 1)
    new_b = data_entry(2, PERSISTENT, val=456, last_modified=c.lcl + 1)
    c.close(update=[new_a, new_b])
    assert c.lcl == 9
    out = c.close(upgrade_protocol=24)            # ledger 10: nothing expired yet
    assert out.evicted == []
    out = c.close()                               # ledger 11: a expired (10 < 11)
    assert c.rescans == 0 and out.scan.ledger_version == 23
    assert [x.entry for x in out.evicted] == [old_a]
    out = c.close()                               # ledger 12: b expired, p24 rules
    assert out.scan.ledger_version == 24
    assert [x.entry for x in out.evicted] == [new_b]
    assert c.archived == [old_a, new_b]


def test_disable_eviction_scan(bm):
    c = Chain(bm, 23, settings(start_level=1, max_entries=1))
    entries, temp, persistent = soroban_population(4, live_until=3, last_modified=2)
    c.close(create=entries)
    c.close_and_override(sas=settings(scan_size=0, start_level=1, max_entries=1))
    initial = c.iterator
    # the last full scans came back to the start of level 1's curr
    assert pos(initial) == (1, True, 0)
    for _ in range(20):
        out = c.close()
        assert out.evicted == [] and out.scan.bytes_scanned == 0
        assert out.new_iterator == initial
    assert all(k in c.state for k in temp | persistent)
    c.hack(sas=settings(scan_size=100_000, start_level=1, max_entries=100))
    out = c.close()
    assert {x.key for x in out.evicted} == temp | persistent


def test_harness_dict_matches_the_bucket_list(bm):
    """The dict the tests load from is the state the bucket list holds."""
    c, entries, temp, persistent = populated_chain(bm, 23)
    c.close(upgrade_settings=settings(start_level=LEVEL_TO_SCAN, max_entries=7))
    c.close()

    def lookup(key):
        for _, _, b in c.live.buckets():
            for r in b.records():
                if record_kind(r) != METAENTRY and bucket_entry_ledger_key(r) == key:
                    return None if record_kind(r) == DEADENTRY else r[4:]
        return None
    for e in entries:
        k = key_of(e)
        assert lookup(k) == c.state.get(k)


# ------------------------------------------------------------ scan, unit level

P = 23


def snapshot(placed):
    """A snapshot with the given buckets at {(level, is_curr): bucket}."""
    levels = []
    for level in range(NUM_LEVELS):
        levels.append((placed.get((level, True), EMPTY), placed.get((level, False), EMPTY)))
    return levels


def fresh(bm, protocol=P, init=(), live=(), dead=()):
    return bm.fresh_live(protocol, list(init), list(live), list(dead))


def with_ttls(entries, live_until):
    state = {}
    for e in entries:
        state[key_of(e)] = e
        state[ttl_key(key_of(e))] = ttl_entry(key_of(e), live_until)
    return state


def test_update_starting_eviction_iterator_rules():
    for ledger in range(1, 300):
        for level in range(1, NUM_LEVELS):
            for is_curr in (True, False):
                it = ev.update_starting_eviction_iterator(
                    ev.make_iterator(level, is_curr, 1234), 1, ledger)
                changed = level_should_spill(ledger - 1, level - 1 if is_curr else level)
                assert pos(it) == (level, is_curr, 0 if changed else 1234)
    # raised to the starting level: its curr, offset 0
    it = ev.update_starting_eviction_iterator(ev.make_iterator(2, False, 99), 5, 3)
    assert pos(it) == (5, True, 0)
    # not lowered
    it = ev.update_starting_eviction_iterator(ev.make_iterator(7, False, 99), 5, 3)
    assert pos(it) == (7, False, 99)
    # curr of level 4 resets after a level-3 spill (ledger 128), not after 129
    assert pos(ev.update_starting_eviction_iterator(ev.make_iterator(4, True, 7), 1, 129)) == \
        (4, True, 0)
    assert pos(ev.update_starting_eviction_iterator(ev.make_iterator(4, True, 7), 1, 130)) == \
        (4, True, 7)
    # level 10 never spills: its curr resets when level 9 spills
    assert pos(ev.update_starting_eviction_iterator(ev.make_iterator(10, True, 7), 1,
                                                    (1 << 19) + 1)) == (10, True, 0)


def test_byte_limit_counts_marks_and_processes_the_crossing_entry(bm):
    e1 = data_entry(1, TEMPORARY)
    e2 = data_entry(2, TEMPORARY)
    e3 = account_entry(3)
    b = fresh(bm, init=[e1, e2, e3])
    recs = records_with_offsets(b)
    # meta, the account (type 0 sorts first), the two contract data entries
    (_, m, _), (_, a0, r0), (_, a1, r1), (_, a2, r2) = recs
    a3 = a2
    assert r0[4:] == e3 and {r1[4:], r2[4:]} == {e1, e2}
    k1, k2 = bucket_entry_ledger_key(r1), bucket_entry_ledger_key(r2)
    m, a1, a2 = a0, a1, a2      # the account record is read like the meta record
    cases = [(0, SCAN_COMPLETE, 0, []), (1, SCAN_COMPLETE, recs[0][1], []),
             (recs[0][1] + 1, SCAN_COMPLETE, a0, []), (m, SCAN_COMPLETE, m, []),
             (m + 1, SCAN_COMPLETE, a1, [k1]), (a1, SCAN_COMPLETE, a1, [k1]),
             (a1 + 1, SCAN_COMPLETE, a2, [k1, k2]), (a3, SCAN_COMPLETE, a3, [k1, k2]),
             (a3 + 1, SCAN_EOF, a3, [k1, k2]), (10 ** 9, SCAN_EOF, a3, [k1, k2])]
    for budget, status, end, keys in cases:
        st, off, nread, found = scan_bucket_file(b.path, 0, budget, True)
        assert (st, off, nread, [f[0] for f in found]) == (status, end, end, keys), budget
    # from a record boundary inside the file
    st, off, nread, found = scan_bucket_file(b.path, a1, 1, True)
    assert (st, off, nread, [f[0] for f in found]) == (SCAN_COMPLETE, a2, a2 - a1, [k2])
    assert found[0][1] == ttl_key(k2) and found[0][3] == a2 and found[0][4] is True
    # past the end: nothing read, end of file
    assert scan_bucket_file(b.path, a3 + 100, 50, True) == (SCAN_EOF, a3 + 100, 0, [])
    assert a3 == b.size


def test_candidate_types_by_protocol(bm):
    t = data_entry(1, TEMPORARY)
    p = data_entry(2, PERSISTENT)
    code = code_entry(3)
    acc = account_entry(4)
    ttl = ttl_entry(key_of(t), 1)
    b = fresh(bm, init=[t, p, code, acc, ttl])
    for persistent_too, want in ((False, {key_of(t)}),
                                 (True, {key_of(t), key_of(p), key_of(code)})):
        _, _, _, found = scan_bucket_file(b.path, 0, 10 ** 6, persistent_too)
        assert {f[0] for f in found} == want
        for k, tk, entry, _, temporary in found:
            assert tk == ttl_key(k) and key_of(entry) == k and temporary == is_temp(k)


def test_dead_entries_and_missing_ttls_are_not_candidates(bm):
    t1, t2, t3 = (data_entry(i, TEMPORARY) for i in (1, 2, 3))
    b = fresh(bm, live=[t1, t2], dead=[key_of(t3)])
    state = with_ttls([t1, t2], 5)
    del state[ttl_key(key_of(t2))]            # t2's TTL already deleted
    r = ev.scan_for_eviction(snapshot({(1, True): b}), ev.make_iterator(1, True, 0),
                             settings(start_level=1), 10, P, dict_loader(state))
    assert [x.key for x in r.candidates] == [key_of(t1)]


def test_ttl_expiry_boundary(bm):
    es = [data_entry(i, TEMPORARY) for i in range(3)]
    b = fresh(bm, init=es)
    state = {}
    for e, live_until in zip(es, (99, 100, 101)):
        state[key_of(e)] = e
        state[ttl_key(key_of(e))] = ttl_entry(key_of(e), live_until)
    r = ev.scan_for_eviction(snapshot({(1, True): b}), ev.make_iterator(1, True, 0),
                             settings(start_level=1), 100, P, dict_loader(state))
    # expired when liveUntilLedgerSeq < ledgerSeq
    assert [x.key for x in r.candidates] == [key_of(es[0])]
    assert r.candidates[0].live_until == 99


def test_old_buckets_and_empty_buckets_are_skipped(bm):
    es = [data_entry(i, TEMPORARY) for i in range(3)]
    old = fresh(bm, 19, init=es[:2])
    new = fresh(bm, 20, init=es[2:])
    state = with_ttls(es, 1)
    r = ev.scan_for_eviction(snapshot({(2, True): old, (3, False): new}),
                             ev.make_iterator(1, True, 0), settings(start_level=1), 10, P,
                             dict_loader(state))
    assert [x.key for x in r.candidates] == [key_of(es[2])]
    assert r.bytes_scanned == new.size       # nothing read from the protocol-19 bucket
    assert r.candidates[0].position == (3, False, new.size)


def test_scan_order_wraps_to_the_starting_level_and_stops_at_the_start(bm):
    es = [data_entry(i, TEMPORARY) for i in range(12)]
    placed = {}
    for i, (level, is_curr) in enumerate([(3, True), (3, False), (4, True), (9, False),
                                          (10, True), (1, True), (2, False)]):
        placed[(level, is_curr)] = fresh(bm, init=[es[i]])
    state = with_ttls(es, 1)
    snap = snapshot(placed)
    # from level 10 curr: wrap to level 3 (levels 1, 2 not scanned), around
    # to level 9's snap; stop before level 10 curr again
    r = ev.scan_for_eviction(snap, ev.make_iterator(10, True, 0), settings(start_level=3),
                             50, P, dict_loader(state))
    assert [x.position[:2] for x in r.candidates] == [(10, True), (3, True), (3, False),
                                                      (4, True), (9, False)]
    assert r.end_position == (10, True, 0) and r.wrapped
    # from the middle of level 3's curr with the whole list to scan: the
    # beginning of the starting bucket is not scanned again
    b3 = placed[(3, True)]
    m = meta_size(b3)
    r = ev.scan_for_eviction(snap, ev.make_iterator(3, True, b3.size), settings(start_level=3),
                             50, P, dict_loader(state))
    assert [x.position[:2] for x in r.candidates] == [(3, False), (4, True), (9, False),
                                                      (10, True)]
    assert r.end_position == (3, True, 0)
    # level 10 has no snap: after level 10 curr comes the starting level
    r = ev.scan_for_eviction(snap, ev.make_iterator(10, True, 0),
                             settings(start_level=3, scan_size=placed[(10, True)].size + m),
                             50, P, dict_loader(state))
    assert r.end_position == (3, True, m)
    # a list with nothing to scan comes back to the start bucket, offset 0
    r = ev.scan_for_eviction(snapshot({}), ev.make_iterator(5, False, 123),
                             settings(start_level=2), 50, P, dict_loader({}))
    assert r.candidates == [] and r.end_position == (5, False, 0)


def test_a_key_is_chosen_once_across_buckets(bm):
    """stellar-core "multiple version of same key in a single eviction scan"."""
    v1 = data_entry(1, PERSISTENT, val=1, last_modified=2)
    v2 = data_entry(1, PERSISTENT, val=2, last_modified=5)
    newest = data_entry(1, PERSISTENT, val=3, last_modified=7)
    snap = snapshot({(0, True): fresh(bm, live=[newest]), (1, True): fresh(bm, live=[v2]),
                     (2, True): fresh(bm, init=[v1])})
    state = with_ttls([newest], 4)
    for version, entry in ((23, v2), (24, newest)):
        calls = []
        r = ev.scan_for_eviction(snap, ev.make_iterator(1, True, 0), settings(start_level=1),
                                 10, version, dict_loader(state, calls))
        assert [x.entry for x in r.candidates] == [entry]
        assert r.candidates[0].position[:2] == (1, True)
        # one bulk load per bucket with candidates (level 2's key was chosen)
        k = key_of(v1)
        assert calls == [[ttl_key(k)] if version == 23 else [ttl_key(k), k]]


def test_p23_archives_the_scanned_version_p24_the_newest(bm):
    """stellar-core "do not evict outdated keys"."""
    old = data_entry(1, PERSISTENT, val=123)
    cur = data_entry(1, PERSISTENT, val=456, last_modified=8)
    code = code_entry(2)
    temp = data_entry(3, TEMPORARY, val=1)
    snap = snapshot({(0, True): fresh(bm, live=[cur]),
                     (1, False): fresh(bm, init=[old, code, temp])})
    state = with_ttls([cur, code, temp], 9)
    archived = {}
    for version in (23, 24):
        r = ev.scan_for_eviction(snap, ev.make_iterator(1, True, 0), settings(start_level=1),
                                 10, version, dict_loader(state))
        out = ev.resolve_eviction(r, 10, version, settings(start_level=1), [])
        archived[version] = out.archived_entries
    assert sorted(archived[23]) == sorted([old, code])
    assert sorted(archived[24]) == sorted([cur, code])
    # a persistent entry with a TTL but no newest version: a broken state
    del state[key_of(cur)]
    with pytest.raises(ev.EvictionError, match="newest version"):
        ev.scan_for_eviction(snap, ev.make_iterator(1, True, 0), settings(start_level=1),
                             10, 24, dict_loader(state))


# --------------------------------------------------------------- resolving

def scan_of(bm, entries, state, version=P, sas=None, seq=10):
    b = fresh(bm, init=entries)
    sas = sas or settings(start_level=1)
    return b, ev.scan_for_eviction(snapshot({(1, True): b}), ev.make_iterator(1, True, 0), sas,
                                   seq, version, dict_loader(state))


def test_resolve_order_of_evicted_keys(bm):
    es = [data_entry(1, TEMPORARY), code_entry(2), data_entry(3, PERSISTENT),
          data_entry(4, TEMPORARY), account_entry(5)]
    b, r = scan_of(bm, es, with_ttls(es, 1))
    order = [x.key for x in r.candidates]
    assert len(order) == 4
    out = ev.resolve_eviction(r, 10, P, settings(start_level=1), [])
    deleted = []
    for k in order:
        if is_temp(k):
            deleted.append(k)
        deleted.append(ttl_key(k))
    # per entry in scan order: the temporary key, then the TTL key; then
    # (in the meta) the keys of the archived persistent entries
    assert out.deleted_keys == deleted
    assert out.archived_entries == [x.entry for x in r.candidates if not x.temporary]
    assert out.evicted_keys() == deleted + [k for k in order if not is_temp(k)]
    assert [k.to_xdr() for k in out.evicted_ledger_keys()] == out.evicted_keys()
    assert out.erased_keys == [k for x in order for k in (x, ttl_key(x))]
    assert pos(out.new_iterator) == r.end_position


def test_resolve_cap_and_where_the_iterator_lands(bm):
    es = [data_entry(i, TEMPORARY) for i in range(5)] + [account_entry(9)]
    b, r = scan_of(bm, es, with_ttls(es, 1))
    cands = r.candidates
    # the whole list was scanned: back at the start of the starting bucket
    assert len(cands) == 5 and r.end_position == (1, True, 0)

    def resolve(cap, modified=()):
        # maxEntriesToArchive is one of the settings a scan is valid for
        sas = settings(start_level=1, max_entries=cap)
        scan = ev.scan_for_eviction(snapshot({(1, True): b}), ev.make_iterator(1, True, 0), sas,
                                    10, P, dict_loader(with_ttls(es, 1)))
        assert [x.position for x in scan.candidates] == [x.position for x in cands]
        out = ev.resolve_eviction(scan, 10, P, sas, modified)
        out.evicted = [cands[scan.candidates.index(x)] for x in out.evicted]
        return out

    out = resolve(2)                                  # cap reached: after the last evicted
    assert out.evicted == cands[:2] and pos(out.new_iterator) == cands[1].position
    out = resolve(5)                                  # cap reached exactly by the last one
    assert out.evicted == cands and pos(out.new_iterator) == cands[4].position
    assert cands[4].position == (1, True, b.size) != r.end_position
    out = resolve(6)                                  # not reached: end of the region
    assert out.evicted == cands and pos(out.new_iterator) == r.end_position
    out = resolve(0)                                  # nothing evicted: end of the region
    assert out.evicted == [] and pos(out.new_iterator) == r.end_position
    # a TTL touched in this ledger: that entry stays, the cap moves on
    out = resolve(2, [xdr.LedgerKey.from_xdr(cands[0].ttl_key)])
    assert out.evicted == cands[1:3] and pos(out.new_iterator) == cands[2].position
    out = resolve(5, [c.ttl_key for c in cands])
    assert out.evicted == [] and pos(out.new_iterator) == r.end_position
    # modifying the entry itself (not its TTL) does not save it
    out = resolve(1, [cands[0].key])
    assert out.evicted == cands[:1]


def test_scan_validity_and_restart(bm):
    es = [data_entry(1, TEMPORARY)]
    sas = settings(start_level=1)
    b, r = scan_of(bm, es, with_ttls(es, 1), version=23, sas=sas)
    assert r.is_valid(10, 23, sas) and r.is_valid(10, 24, sas)
    assert not r.is_valid(11, 23, sas)
    for field, value in (("evictionScanSize", 5), ("startingEvictionScanLevel", 2),
                         ("maxEntriesToArchive", 3)):
        other = settings(start_level=1)
        setattr(other, field, value)
        assert not r.is_valid(10, 23, other)
    other = settings(start_level=1)
    other.maxEntryTTL = 7                      # fields the scan does not use
    other.minTemporaryTTL = 99
    assert r.is_valid(10, 23, other)
    _, r22 = scan_of(bm, es, with_ttls(es, 1), version=22, sas=sas)
    assert r22.is_valid(10, 22, sas) and not r22.is_valid(10, 23, sas)
    with pytest.raises(ev.EvictionError, match="stale"):
        ev.resolve_eviction(r22, 10, 23, sas, [])
    with pytest.raises(ev.EvictionError, match="stale"):
        ev.resolve_eviction(None, 10, 23, sas, [])
    out = ev.resolve_eviction(r22, 10, 23, sas, [], rescan=lambda: r)
    assert out.scan is r
    with pytest.raises(ev.EvictionError, match="rescan"):
        ev.resolve_eviction(None, 10, 23, sas, [], rescan=lambda: r22)


def test_malformed_iterator_and_settings(bm):
    load = dict_loader({})
    snap = snapshot({})
    bad_iters = [ev.make_iterator(11, True, 0), ev.make_iterator(1000, False, 0), (1, True, -1),
                 object()]
    for it in bad_iters:
        with pytest.raises(ev.EvictionError, match="EvictionIterator"):
            ev.scan_for_eviction(snap, it, settings(start_level=1), 10, P, load)
    for level in (0, 11, 2 ** 32 - 1):
        with pytest.raises(ev.EvictionError, match="startingEvictionScanLevel"):
            ev.scan_for_eviction(snap, ev.make_iterator(1, True, 0), settings(start_level=level),
                                 10, P, load)
    with pytest.raises(ev.EvictionError, match="StateArchivalSettings"):
        ev.scan_for_eviction(snap, ev.make_iterator(1, True, 0), object(), 10, P, load)
    with pytest.raises(ev.EvictionError, match="levels"):
        ev.scan_for_eviction(snap[:5], ev.make_iterator(1, True, 0), settings(start_level=1), 10,
                             P, load)
    with pytest.raises(ev.EvictionError, match="protocol"):
        ev.scan_for_eviction(snap, ev.make_iterator(1, True, 0), settings(start_level=1), 10,
                             19, load)
    with pytest.raises(ev.EvictionError, match="level 0"):
        ev.update_starting_eviction_iterator(ev.make_iterator(0, True, 0), 0, 5)
    # an offset inside a record: the file does not parse from there
    b = fresh(bm, init=[data_entry(1, TEMPORARY), data_entry(2, TEMPORARY)])
    with pytest.raises(BucketFileError):
        ev.scan_for_eviction(snapshot({(1, True): b}), ev.make_iterator(1, True, 6),
                             settings(start_level=1), 10, P, load)
    # an offset past the end of the bucket: on to the next one
    r = ev.scan_for_eviction(snapshot({(1, True): b}), ev.make_iterator(1, True, b.size + 8),
                             settings(start_level=1), 10, P, load)
    assert r.bytes_scanned == 0 and r.end_position == (1, True, 0)


def test_iterator_config_entry_round_trip():
    it = ev.make_iterator(4, False, 4096)
    cse = ev.eviction_iterator_config_entry(it)
    assert cse.configSettingID == xdr.ConfigSettingID.CONFIG_SETTING_EVICTION_ITERATOR
    le = xdr.LedgerEntry(lastModifiedLedgerSeq=9, data=xdr.LedgerEntryData(configSetting=cse))
    assert ev.eviction_iterator_from_config_entry(le.to_xdr()) == it
    assert ev.eviction_iterator_from_config_entry(cse) == it
    assert pos(ev.initial_eviction_iterator()) == (6, True, 0)
    with pytest.raises(ev.EvictionError):
        ev.eviction_iterator_from_config_entry(xdr.ConfigSettingEntry(contractMaxSizeBytes=5))
    bad = xdr.ConfigSettingEntry(evictionIterator=ev.make_iterator(12, True, 0))
    with pytest.raises(ev.EvictionError, match="bucketListLevel"):
        ev.eviction_iterator_from_config_entry(bad)


def test_scan_runs_on_another_thread(bm):
    es = [data_entry(i, TEMPORARY, pad=200) for i in range(200)]
    b = fresh(bm, init=es)
    state = with_ttls(es, 1)
    args = (snapshot({(1, True): b}), ev.make_iterator(1, True, 0),
            settings(start_level=1, scan_size=20_000), 10, P, dict_loader(state))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: ev.scan_for_eviction(*args), range(4)))
    here = ev.scan_for_eviction(*args)
    for r in results:
        assert [x.key for x in r.candidates] == [x.key for x in here.candidates]
        assert r.end_position == here.end_position
    assert 0 < len(here.candidates) < 200


# ------------------------------------------------------- hot archive batch (B9)

def test_hot_archive_batch_contents():
    p = data_entry(1, PERSISTENT)
    code = code_entry(2)
    t = data_entry(3, TEMPORARY)
    restored = [key_of(p), ttl_key(key_of(p)), key_of(code), ttl_key(key_of(code))]
    entries, keys = ev.hot_archive_batch([p, xdr.LedgerEntry.from_xdr(code)], restored)
    assert entries == [p, code] and keys == [key_of(p), key_of(code)]
    with pytest.raises(ev.EvictionError):
        ev.hot_archive_batch([t], [])
    with pytest.raises(ev.EvictionError):
        ev.hot_archive_batch([account_entry(1)], [])
    with pytest.raises(ev.EvictionError):
        ev.hot_archive_batch([], [key_of(t)])
    assert ev.hot_archive_batch_for_ledger([p], [], 22, 23) is None
    assert ev.hot_archive_batch_for_ledger([p], [], 23, 23) == ([p], [])
    # the mainnet p24 upgrade ledger needs the correction data
    assert ev.hot_archive_batch_for_ledger([p], [], 23, 24) == ([p], [])
    with pytest.raises(NotImplementedError):
        ev.hot_archive_batch_for_ledger([p], [], 23, 24, production_network=True)
    assert ev.hot_archive_batch_for_ledger([p], [], 24, 24, production_network=True) == ([p], [])
    fixed = data_entry(9, PERSISTENT, val=9)
    assert ev.hot_archive_batch_for_ledger([p], [], 23, 25, production_network=True,
                                           p23_fix=lambda es: es + [fixed]) == ([p, fixed], [])


def test_p23_hot_archive_fix_rule():
    """UpgradesTests "p24 upgrade fixes corrupted hot archive entries", with
    made-up data: corrected entries are appended in order; those not in the
    hot archive are skipped; a mismatch is an error."""
    bad = [data_entry(i, PERSISTENT, val=1) for i in range(4)]
    good = [data_entry(i, PERSISTENT, val=2) for i in range(4)]
    hot = {key_of(e): e for e in bad[:3]}          # bad[3] was restored meanwhile
    evicted = [data_entry(10, PERSISTENT)]
    out = ev.apply_p23_hot_archive_fix(evicted, list(zip(bad, good)), hot.get,
                                       lambda k: False)
    assert out == evicted + good[:3]
    with pytest.raises(ev.EvictionError, match="expected state"):
        ev.apply_p23_hot_archive_fix([], [(bad[0], good[0])], lambda k: good[0],
                                     lambda k: False)
    with pytest.raises(ev.EvictionError, match="live"):
        ev.apply_p23_hot_archive_fix([], [(bad[0], good[0])], hot.get, lambda k: True)
    with pytest.raises(ev.EvictionError, match="archived in this ledger"):
        ev.apply_p23_hot_archive_fix([bad[0]], [(bad[0], good[0])], hot.get, lambda k: False)
    with pytest.raises(ev.EvictionError, match="key"):
        ev.apply_p23_hot_archive_fix([], [(bad[0], good[1])], hot.get, lambda k: False)
