"""The live bucket list against a reference model (a dict of the live
state): every point lookup agrees over 10,000 random ledgers; the list hash
is the same whether merges finish early or late, and after a restart in
the middle from a History Archive State."""
import concurrent.futures

import pytest

from stellarcore.bucket.bucket_list import LiveBucketList
from stellarcore.bucket.manager import BucketManager
from stellarcore.bucket.snapshot import LiveBucketListSnapshot
from stellarcore.history.archive_state import HistoryArchiveState
from stellarcore.history.bucket_state import archive_state_of, restore_bucket_lists
from tests.bucket._workload import Workload

P = 23


class _Deferred:
    """A merge that runs only when its result is asked for (the latest a
    merge can finish: at the commit that needs it)."""

    def __init__(self, fn):
        self._fn, self._done, self._result = fn, False, None

    def done(self):
        return self._done

    def result(self):
        if not self._done:
            self._result, self._done = self._fn(), True
        return self._result


class LateMerges(BucketManager):
    def merge_async(self, old, new, **kw):
        return _Deferred(lambda: self.merge(old, new, **kw))


class EarlyMerges(BucketManager):
    def merge_async(self, old, new, **kw):
        f = concurrent.futures.Future()
        f.set_result(self.merge(old, new, **kw))
        return f


def _check_lookups(snapshot, workload, keys):
    live = workload.live_state()
    got = snapshot.load_keys(keys)
    for k in keys:
        assert snapshot.load(k) == live.get(k)
        assert got.get(k) == live.get(k)


def test_point_lookups_agree_with_the_model_over_10000_ledgers(tmp_path):
    m = BucketManager(tmp_path / "b", do_fsync=False, merge_threads=2)
    bl = LiveBucketList()
    w = Workload(seed=10_000)
    for ledger in range(1, 10_001):
        init, live, dead = w.ledger(ledger)
        bl.add_batch(m, ledger, P, init, live, dead)
        if ledger % 500 == 0:
            snap = LiveBucketListSnapshot(bl, m)
            keys = sorted(w.all_keys())
            _check_lookups(snap, w, keys[:: max(1, len(keys) // 400)])
            m.forget_unreferenced(bl.referenced_hashes())
    bl.resolve_all_futures()
    snap = LiveBucketListSnapshot(bl, m)
    _check_lookups(snap, w, sorted(w.all_keys()))
    m.shutdown()


def _run(manager, ledgers, seed, hashes, bl=None, workload=None, start=1):
    bl = bl or LiveBucketList()
    w = workload or Workload(seed)
    for ledger in range(start, ledgers + 1):
        init, live, dead = w.ledger(ledger)
        bl.add_batch(manager, ledger, P, init, live, dead)
        hashes.append(bl.hash())
    return bl, w


@pytest.mark.parametrize("seed", [1, 2])
def test_hash_is_the_same_whether_merges_finish_early_or_late(tmp_path, seed):
    runs = []
    for i, cls in enumerate((EarlyMerges, LateMerges, BucketManager)):
        m = cls(tmp_path / f"m{i}", do_fsync=False)
        hashes = []
        _run(m, 1200, seed, hashes)
        runs.append(hashes)
        m.shutdown()
    assert runs[0] == runs[1] == runs[2]


@pytest.mark.parametrize("late", [False, True])
def test_restart_from_a_history_archive_state_mid_merge(tmp_path, late):
    """Stop at ledger 700 with merges in flight (late: not even started),
    write the HAS, drop everything in memory, restore from the HAS with a
    new manager on the same directory, continue: same hashes."""
    ref = []
    m = BucketManager(tmp_path / "ref", do_fsync=False)
    _run(m, 1100, 5, ref)
    m.shutdown()

    cls = LateMerges if late else BucketManager
    d = tmp_path / "restart"
    m1 = cls(d, do_fsync=False)
    got = []
    bl, w = _run(m1, 700, 5, got)
    has = archive_state_of(700, bl)
    assert any(lev.next.has_hashes for lev in has.current_buckets)
    text = has.to_json()
    m1.shutdown(wait=not late)
    del bl

    m2 = BucketManager(d, do_fsync=False)
    restored = HistoryArchiveState.from_json(text)
    bl2, hot = restore_bucket_lists(restored, m2, max_protocol=P)
    assert hot is None and bl2.hash() == got[-1]
    _run(m2, 1100, 5, got, bl=bl2, workload=w, start=701)
    assert got == ref
    m2.shutdown()


def test_restart_with_a_missing_bucket_is_fatal(tmp_path):
    from stellarcore.bucket.manager import MissingBucketError
    m = BucketManager(tmp_path / "b", do_fsync=False)
    bl, _ = _run(m, 40, 3, [])
    bl.resolve_all_futures()
    has = archive_state_of(40, bl)
    m.shutdown()
    victim = bl.levels[1].curr
    import os
    os.unlink(victim.path)
    with pytest.raises(MissingBucketError):
        restore_bucket_lists(has, BucketManager(tmp_path / "b", do_fsync=False), P)
