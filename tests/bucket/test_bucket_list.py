"""The live and hot-archive bucket lists against the facts of
stellar-core's BucketListTests: what each level holds after a given ledger
("check bucket sizes", "single entry bubbling up"), annihilation of
INIT/DEAD pairs, tombstones kept until the bottom level, the hot archive's
newest-wins rule, and the hash definitions (PARITY_TRAPS B1)."""
import hashlib
import random

from stellarcore.bucket import bucket_list as bl
from stellarcore.bucket.bucket_list import (HotArchiveBucketList, LiveBucketList,
                                            bucket_list_hash)
from stellarcore.bucket.entries import (DEADENTRY, HOT_ARCHIVE_ARCHIVED, INITENTRY, LIVEENTRY,
                                        METAENTRY, ZERO_HASH)
from tests.bucket._entries import (account_entry, account_key, contract_data_entry,
                                   contract_data_key, counts, kinds_and_records, last_modified)

P = 23


def entries(bucket):
    return sum(v for k, v in counts(bucket).items() if k != METAENTRY)


def test_empty_list_hashes():
    live = LiveBucketList()
    level = hashlib.sha256(ZERO_HASH * 2).digest()
    assert live.levels[0].hash() == level
    assert live.hash() == hashlib.sha256(level * 11).digest()
    hot = HotArchiveBucketList()
    assert bucket_list_hash(live, hot) == hashlib.sha256(live.hash() + hot.hash()).digest()


def test_list_hash_is_sha256_of_level_hashes(manager):
    live = LiveBucketList()
    for ledger in range(1, 20):
        live.add_batch(manager, ledger, P, [account_entry(ledger, 1, ledger)], [], [])
    for lev in live.levels:
        assert lev.hash() == hashlib.sha256(lev.curr.hash + lev.snap.hash).digest()
    assert live.hash() == hashlib.sha256(b"".join(l.hash() for l in live.levels)).digest()


def test_check_bucket_sizes(manager):
    """Every curr/snap holds exactly the ledgers sizeOfCurr/sizeOfSnap say,
    from oldestLedgerIn* on (one entry per ledger, lastModified = ledger)."""
    live = LiveBucketList()
    for ledger in range(1, 257):
        live.add_batch(manager, ledger, P, [], [account_entry(ledger, 1, ledger)], [])
        for level in range(bl.NUM_LEVELS):
            lev = live.levels[level]
            for bucket, size, oldest in (
                    (lev.curr, bl.size_of_curr(ledger, level), bl.oldest_ledger_in_curr(ledger, level)),
                    (lev.snap, bl.size_of_snap(ledger, level), bl.oldest_ledger_in_snap(ledger, level))):
                seen = sorted(last_modified(r) for k, r in kinds_and_records(bucket) if k != METAENTRY)
                assert len(seen) == size, (ledger, level)
                if seen:
                    assert seen[0] == oldest and seen[-1] == oldest + size - 1


def test_single_entry_bubbling_up(manager):
    live = LiveBucketList()
    live.add_batch(manager, 1, P, [], [account_entry(1, 1)], [])
    for ledger in range(2, 300):
        live.add_batch(manager, ledger, P, [], [], [])
        for level in range(bl.NUM_LEVELS):
            low = bl.round_down(ledger, bl.level_size(level))
            high = bl.round_down(ledger, bl.level_size(level - 1)) if level else 0
            lev = live.levels[level]
            n = entries(lev.curr) + entries(lev.snap)
            if level == 0:
                # level 0 holds ledger 1 only at ledgers 1..2 (and 3 via snap)
                continue
            assert n == (1 if 1 > low and 1 <= high else 0), (ledger, level)


def test_tombstones_mutually_annihilate_init_entries(manager):
    rng = random.Random(7)
    live = LiveBucketList()
    queue, next_id = [], 0
    for ledger in range(1, 512):
        init = []
        for _ in range(8):
            init.append((next_id, rng.randrange(1 << 30)))
            next_id += 1
        queue.extend(init)
        live_e, dead = [], []
        while len(queue) > 100:
            n, bal = queue.pop(0)
            if rng.random() < 0.5:
                if rng.random() < 0.5:
                    bal += 1
                    live_e.append(account_entry(n, bal, ledger))
                queue.append((n, bal))
            else:
                dead.append(account_key(n))
        live.add_batch(manager, ledger, P, [account_entry(n, b, ledger) for n, b in init],
                       live_e, dead)
        live.resolve_all_futures()
    for lev in live.levels:
        assert entries(lev.curr) + entries(lev.snap) < 700


def test_live_tombstones_expire_at_bottom_level(manager):
    live = LiveBucketList()
    rng = random.Random(3)
    ids = iter(range(10 ** 6))

    def fresh():
        return manager.fresh_live(P, [], [account_entry(next(ids), 1) for _ in range(8)],
                                  [account_key(10 ** 7 + next(ids)) for _ in range(5)])
    for lev in live.levels:
        lev.set_curr(fresh())
        lev.snap = fresh()
    for i in range(bl.NUM_LEVELS):
        for ledger in (bl.level_half(i), bl.level_size(i)):
            live.add_batch(manager, ledger, P, [], [account_entry(next(ids), 1) for _ in range(8)],
                           [account_key(10 ** 7 + next(ids)) for _ in range(5)])
            live.resolve_all_futures()
    dead = [counts(live.levels[i].curr).get(DEADENTRY, 0) for i in (8, 9, 10)]
    assert dead[0] and dead[1] and dead[2] == 0


def test_hot_archive_tombstones_expire_at_bottom_level(manager):
    hot = HotArchiveBucketList(num_levels=5)
    ids = iter(range(10 ** 6))
    expected = 0
    ledger = 1
    while entries(hot.levels[3].snap) == 0:
        hot.add_batch(manager, ledger, P, [contract_data_entry(next(ids), 1) for _ in range(5)],
                      [contract_data_key(next(ids)) for _ in range(5)])
        expected += 5
        ledger += 1
    while sum(entries(l.curr) + entries(l.snap) for l in hot.levels[:4]) != 0:
        hot.add_batch(manager, ledger, P, [], [])
        ledger += 1
    hot.resolve_all_futures()
    bottom = hot.levels[4].curr
    kinds = [k for k, _ in kinds_and_records(bottom)[1:]]
    assert len(kinds) == expected and set(kinds) == {HOT_ARCHIVE_ARCHIVED}


def test_hot_archive_accepts_multiple_archives_and_restores_for_same_key(manager):
    hot = HotArchiveBucketList(num_levels=3)
    v0 = contract_data_entry(1, 5, last_modified=1)
    v1 = contract_data_entry(1, 5, last_modified=11)
    hot.levels[0].set_curr(manager.fresh_hot(P, [v1], []))
    hot.levels[0].snap = manager.fresh_hot(P, [], [contract_data_key(1)])
    hot.levels[2].set_curr(manager.fresh_hot(P, [v0], []))

    def bottom_has_v1():
        return any(k == HOT_ARCHIVE_ARCHIVED and r[4:] == v1
                   for k, r in kinds_and_records(hot.levels[2].curr))
    for ledger in range(1, 1000):
        hot.add_batch(manager, ledger, P, [], [])
        if bottom_has_v1():
            break
    else:
        raise AssertionError("the newest archived version never reached the bottom")


def test_init_entries_stay_init_through_the_levels(manager):
    live = LiveBucketList()
    live.add_batch(manager, 1, P, [account_entry(1, 1)], [], [])
    for ledger in range(2, 40):
        live.add_batch(manager, ledger, P, [], [], [])
    live.resolve_all_futures()
    kinds = [k for lev in live.levels for b in (lev.curr, lev.snap)
             for k, _ in kinds_and_records(b) if k != METAENTRY]
    assert kinds == [INITENTRY]


def test_gc_keeps_finished_but_unresolved_merge_outputs(manager):
    live = LiveBucketList()
    for ledger in range(1, 9):
        live.add_batch(manager, ledger, P, [account_entry(ledger, 1, ledger)], [], [])
    nxt = live.levels[1].next
    if nxt.is_merging():
        nxt._future.result()          # finished in the background, not resolved
    manager.forget_unreferenced(live.referenced_hashes())
    live.resolve_all_futures()
    for ledger in range(9, 40):
        live.add_batch(manager, ledger, P, [account_entry(ledger, 1, ledger)], [], [])
        manager.forget_unreferenced(live.referenced_hashes())
    live.resolve_all_futures()
    for _, _, b in live.buckets():
        assert b.is_empty or open(b.path, "rb").read(4)
