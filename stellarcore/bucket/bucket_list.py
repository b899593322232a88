"""The live and hot-archive bucket lists.

As stellar-core's BucketListBase / LiveBucketList / HotArchiveBucketList:
11 levels, each a `curr` and a `snap` bucket plus the merge in progress
(`next`).  Level i holds about 4^(i+1) ledgers' worth of changes; it
"spills" (its curr becomes its snap and the old snap is merged into level
i+1) at multiples of half its size.  Every ledger `add_batch` walks from
the deepest level up (so a curr is moved out of the way the moment it is
half full), then merges the fresh batch into level 0.

Hashes: level = SHA-256(curr || snap); list = SHA-256 of the 11 level
hashes; from protocol 23 the header's bucketListHash is
SHA-256(live list hash || hot archive list hash).
"""
import functools
import hashlib

from stellarcore.bucket.bucket import EMPTY
from stellarcore.bucket.entries import FIRST_PROTOCOL_SHADOWS_REMOVED
from stellarcore.bucket.future_bucket import FutureBucket

NUM_LEVELS = 11


def round_down(v, m):
    """v rounded down to a multiple of m (m a power of two)."""
    return v & ~(m - 1)


def level_size(level):
    if not 0 <= level < 32:
        raise ValueError(f"no bucket-list level {level}")
    return 1 << (2 * (level + 1))


def level_half(level):
    return level_size(level) >> 1


def level_should_spill(ledger, level, num_levels=NUM_LEVELS):
    """Whether level `level` snaps (and spills into the next) at `ledger`."""
    if level == num_levels - 1:
        return False
    return ledger == round_down(ledger, level_half(level)) or \
        ledger == round_down(ledger, level_size(level))


def should_merge_with_empty_curr(ledger, level, num_levels=NUM_LEVELS):
    """A level one spill away from snapping merges into an empty curr
    (its curr will be snapped before the merge is committed)."""
    if level != 0:
        merge_start = round_down(ledger, level_half(level - 1))
        if level_should_spill(merge_start + level_half(level - 1), level, num_levels):
            return True
    return False


def keep_tombstone_entries(level, num_levels=NUM_LEVELS):
    return level < num_levels - 1


def bucket_update_period(level, is_curr):
    """How many ledgers between changes of a level's curr (or snap)."""
    if not is_curr:
        return bucket_update_period(level + 1, True)
    if level == 0:
        return 1
    return 1 << (2 * level - 1)


@functools.lru_cache(maxsize=1 << 16)
def size_of_curr(ledger, level):
    """How many ledgers' changes level `level`'s curr holds after `ledger`
    (recursive as stellar-core's; memoized, as the recursion fans out)."""
    if ledger == 0 or not 0 <= level < NUM_LEVELS:
        raise ValueError("ledger must be > 0 and level in range")
    if level == 0:
        return 1 if ledger == 1 else 1 + ledger % 2
    size, half = level_size(level), level_half(level)
    if level != NUM_LEVELS - 1 and round_down(ledger, half) != 0:
        size_delta = 1 << (2 * level - 1)
        if round_down(ledger, half) == ledger or round_down(ledger, size) == ledger:
            return size_delta
        prev_size, prev_half = level_size(level - 1), level_half(level - 1)
        previous = max(round_down(ledger - 1, prev_half), round_down(ledger - 1, prev_size),
                       round_down(ledger - 1, half), round_down(ledger - 1, size))
        if round_down(ledger, prev_half) == ledger or round_down(ledger, prev_size) == ledger:
            return size_of_curr(previous, level) + size_delta
        return size_of_curr(previous, level)
    total = 0
    for l in range(level):
        total += size_of_curr(ledger, l) + size_of_snap(ledger, l)
    return ledger - total


@functools.lru_cache(maxsize=1 << 16)
def size_of_snap(ledger, level):
    if ledger == 0 or not 0 <= level < NUM_LEVELS:
        raise ValueError("ledger must be > 0 and level in range")
    if level == NUM_LEVELS - 1:
        return 0
    if round_down(ledger, level_size(level)) != 0:
        return level_half(level)
    total = 0
    for l in range(level):
        total += size_of_curr(ledger, l) + size_of_snap(ledger, l)
    total += size_of_curr(ledger, level)
    return ledger - total


def oldest_ledger_in_curr(ledger, level):
    if size_of_curr(ledger, level) == 0:
        return 0xFFFFFFFF
    count = ledger
    for l in range(level):
        count -= size_of_curr(ledger, l) + size_of_snap(ledger, l)
    count -= size_of_curr(ledger, level)
    return count + 1


def oldest_ledger_in_snap(ledger, level):
    if size_of_snap(ledger, level) == 0:
        return 0xFFFFFFFF
    count = ledger
    for l in range(level + 1):
        count -= size_of_curr(ledger, l) + size_of_snap(ledger, l)
    return count + 1


class BucketLevel:
    __slots__ = ("level", "num_levels", "curr", "snap", "next")

    def __init__(self, level, num_levels=NUM_LEVELS):
        self.level = level
        self.num_levels = num_levels
        self.curr = EMPTY
        self.snap = EMPTY
        self.next = FutureBucket()

    def hash(self):
        return hashlib.sha256(self.curr.hash + self.snap.hash).digest()

    def set_curr(self, bucket):
        self.next = FutureBucket()
        self.curr = bucket

    def commit(self):
        if self.next.is_live():
            self.set_curr(self.next.resolve())

    def snap_curr(self):
        """curr becomes snap, curr becomes empty; the new snap."""
        self.snap = self.curr
        self.curr = EMPTY
        return self.snap

    def prepare(self, manager, ledger, protocol, snap, hot):
        if self.next.is_merging():
            raise RuntimeError(f"level {self.level} already has a merge in progress")
        curr = EMPTY if should_merge_with_empty_curr(ledger, self.level, self.num_levels) \
            else self.curr
        self.next = FutureBucket.start(manager, curr, snap, protocol,
                                       keep_tombstone_entries(self.level, self.num_levels), hot)


class BucketListBase:
    HOT = False

    def __init__(self, num_levels=NUM_LEVELS):
        """`num_levels` other than 11 only for tests (stellar-core's
        BucketListDepthModifier)."""
        self.num_levels = num_levels
        self.levels = [BucketLevel(i, num_levels) for i in range(num_levels)]

    def hash(self):
        h = hashlib.sha256()
        for lev in self.levels:
            h.update(lev.hash())
        return h.digest()

    def _add_fresh(self, manager, ledger, protocol, fresh):
        if ledger <= 0:
            raise ValueError("ledger must be > 0")
        for i in range(self.num_levels - 1, 0, -1):
            if level_should_spill(ledger, i - 1, self.num_levels):
                snap = self.levels[i - 1].snap_curr()
                self.levels[i].commit()
                self.levels[i].prepare(manager, ledger, protocol, snap, self.HOT)
        lev0 = self.levels[0]
        curr = lev0.curr   # level 0 never merges with an empty curr
        lev0.set_curr(manager.merge(curr, fresh, hot=self.HOT, keep_tombstones=True,
                                    max_protocol=protocol))
        self.resolve_any_ready_futures()

    def resolve_any_ready_futures(self):
        for lev in self.levels:
            if lev.next.is_merging() and lev.next.merge_complete():
                lev.next.resolve()

    def resolve_all_futures(self):
        for lev in self.levels:
            if lev.next.is_merging():
                lev.next.resolve()

    def futures_all_resolved(self, max_level=None):
        top = self.num_levels - 1 if max_level is None else max_level
        return not any(self.levels[i].next.is_merging() for i in range(top + 1))

    def get_size(self):
        return sum(lev.curr.size + lev.snap.size for lev in self.levels)

    def buckets(self):
        """(level, 'curr'|'snap', Bucket), newest first: the search order."""
        for lev in self.levels:
            yield lev.level, "curr", lev.curr
            yield lev.level, "snap", lev.snap

    def referenced_hashes(self):
        out = set()
        for lev in self.levels:
            out.add(lev.curr.hash)
            out.add(lev.snap.hash)
            out.update(lev.next.referenced_hashes())
        return out

    # -- persistence (History Archive State) ----------------------------------
    def level_states(self):
        """Per level: (curr hash, (state, output, curr, snap) of next, snap hash)."""
        return [(lev.curr.hash, lev.next.archive_state(), lev.snap.hash) for lev in self.levels]

    @classmethod
    def from_level_states(cls, manager, states, num_levels=NUM_LEVELS):
        """A list whose buckets are loaded by hash (every one must exist);
        pending merges stay in hash form until `restart_merges`."""
        if len(states) != num_levels:
            raise ValueError(f"a bucket list has {num_levels} levels, not {len(states)}")
        bl = cls(num_levels)
        for lev, (curr, nxt, snap) in zip(bl.levels, states):
            lev.curr = manager.require_bucket(curr)
            lev.snap = manager.require_bucket(snap)
            lev.next = FutureBucket.from_hashes(*nxt)
        return bl

    def restart_merges(self, manager, max_protocol, ledger):
        """Make every pending merge live again (`BucketListBase::restartMerges`)."""
        for i, lev in enumerate(self.levels):
            nxt = lev.next
            if nxt.has_hashes() and not nxt.is_live():
                nxt.make_live(manager, max_protocol,
                              keep_tombstone_entries(i, self.num_levels), self.HOT)
            elif nxt.is_clear() and i > 0:
                snap = self.levels[i - 1].snap
                if snap.is_empty:
                    return
                version = snap.version
                if version < FIRST_PROTOCOL_SHADOWS_REMOVED:
                    raise ValueError(f"Invalid state: bucketlist level {i} has clear future "
                                     f"bucket but version {version} snap")
                merge_start = round_down(ledger, level_half(i - 1))
                lev.prepare(manager, merge_start, version, snap, self.HOT)


class LiveBucketList(BucketListBase):
    HOT = False

    def add_batch(self, manager, ledger, protocol, init_entries, live_entries, dead_keys):
        """Add one ledger's changes: created entries, updated entries,
        erased keys (XDR values or their raw bytes)."""
        fresh = manager.fresh_live(protocol, init_entries, live_entries, dead_keys)
        self._add_fresh(manager, ledger, protocol, fresh)


class HotArchiveBucketList(BucketListBase):
    HOT = True

    def add_batch(self, manager, ledger, protocol, archived_entries, restored_keys):
        """Add one ledger's evicted persistent entries and restored keys."""
        fresh = manager.fresh_hot(protocol, archived_entries, restored_keys)
        self._add_fresh(manager, ledger, protocol, fresh)


def bucket_list_hash(live, hot):
    """The header's bucketListHash from protocol 23."""
    return hashlib.sha256(live.hash() + hot.hash()).digest()
