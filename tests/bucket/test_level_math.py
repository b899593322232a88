"""Level sizes, spill points and update periods: the facts of
stellar-core's BucketListTests ("bucketUpdatePeriod arithmetic",
"BucketList sizeOf and oldestLedgerIn relations", "snap reaches steady
state", "deepest curr accumulates", "sizes at ledger 1")."""
import random

import pytest

from stellarcore.bucket import bucket_list as bl

U32 = 0xFFFFFFFF
N = bl.NUM_LEVELS


def test_level_sizes_and_halves():
    assert [bl.level_size(i) for i in range(N)] == [4 ** (i + 1) for i in range(N)]
    assert [bl.level_half(i) for i in range(N)] == [4 ** (i + 1) // 2 for i in range(N)]


def test_spill_points():
    # level 0 spills every 2 ledgers, level 1 every 8, level 2 every 32 ...
    assert [l for l in range(1, 20) if bl.level_should_spill(l, 0)] == [2, 4, 6, 8, 10, 12, 14, 16, 18]
    assert [l for l in range(1, 70) if bl.level_should_spill(l, 1)] == [8, 16, 24, 32, 40, 48, 56, 64]
    assert [l for l in range(1, 130) if bl.level_should_spill(l, 2)] == [32, 64, 96, 128]
    assert not any(bl.level_should_spill(l, N - 1) for l in range(1, 1 << 22, 4097))
    assert bl.level_should_spill(0, 3)  # ledger 0 is a multiple of everything


def test_merge_with_empty_curr_schedule():
    # A level merges into an empty curr when the merge it starts will be
    # committed at a ledger where that level itself snaps.
    assert not bl.should_merge_with_empty_curr(2, 0)
    assert bl.should_merge_with_empty_curr(6, 1)       # next change at 8: level 1 spills
    assert not bl.should_merge_with_empty_curr(4, 1)   # next change at 6
    assert bl.should_merge_with_empty_curr(24, 2)      # next change 32
    assert not bl.should_merge_with_empty_curr(16, 2)


def test_update_periods():
    currs = {i: bl.bucket_update_period(i, True) for i in range(N)}
    snaps = {i: bl.bucket_update_period(i, False) for i in range(N - 1)}
    ledger = 1
    while currs or snaps:
        for level in range(N):
            if level in currs:
                if level == 0 or bl.level_should_spill(ledger, level - 1):
                    assert currs.pop(level) == ledger
            if level in snaps and bl.level_should_spill(ledger, level):
                assert snaps.pop(level) == ledger
        ledger += 1


@pytest.mark.parametrize("seed", range(3))
def test_size_and_oldest_ledger_relations(seed):
    rng = random.Random(seed)
    for _ in range(300):
        for level in range(N):
            ledger = rng.randrange(1, U32)
            if bl.size_of_snap(ledger, level) > 0:
                assert bl.oldest_ledger_in_snap(ledger, level) + bl.size_of_snap(ledger, level) \
                    == bl.oldest_ledger_in_curr(ledger, level)
            if bl.size_of_curr(ledger, level) > 0:
                newest = bl.oldest_ledger_in_curr(ledger, level) + bl.size_of_curr(ledger, level) - 1
                assert newest == (ledger if level == 0 else bl.oldest_ledger_in_snap(ledger, level - 1) - 1)


def _first(pred, lo=1, hi=U32 // 2):
    while lo + 1 != hi:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid
    return hi


def test_snap_reaches_steady_state():
    rng = random.Random(1)
    for level in range(N - 1):
        half = bl.level_half(level)
        boundary = _first(lambda l: bl.size_of_snap(l, level) == half)
        for _ in range(100):
            if boundary > 1:
                assert bl.size_of_snap(rng.randrange(1, boundary), level) < half
            assert bl.size_of_snap(rng.randrange(boundary, U32), level) == half


def test_deepest_curr_accumulates():
    rng = random.Random(2)
    deepest = N - 1
    boundary = _first(lambda l: bl.size_of_curr(l, deepest) > 0)
    for _ in range(100):
        low, high = rng.randrange(1, boundary), rng.randrange(boundary, U32)
        assert bl.size_of_curr(low, deepest) == 0
        assert bl.oldest_ledger_in_curr(low, deepest) == U32
        assert bl.size_of_curr(high, deepest) > 0
        assert bl.oldest_ledger_in_curr(high, deepest) == 1
        assert bl.size_of_snap(low, deepest) == 0 == bl.size_of_snap(high, deepest)
        assert bl.oldest_ledger_in_snap(high, deepest) == U32


def test_sizes_at_ledger_one():
    assert bl.size_of_curr(1, 0) == 1
    assert bl.size_of_snap(1, 0) == 0
    for level in range(1, N):
        assert bl.size_of_curr(1, level) == 0 == bl.size_of_snap(1, level)
