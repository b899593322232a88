"""Kill the process at random moments (during merges, between ledgers,
while the state is being saved), restart it from its History Archive State
each time: the final hash and every lookup equal an uninterrupted run."""
import os
import random
import signal
import subprocess
import sys
import time

from stellarcore.bucket.bucket_list import LiveBucketList
from stellarcore.bucket.manager import BucketManager
from stellarcore.bucket.snapshot import LiveBucketListSnapshot
from stellarcore.history.archive_state import HistoryArchiveState
from stellarcore.history.bucket_state import restore_bucket_lists
from tests.bucket._workload import Workload

LEDGERS, SEED, P = 3000, 77, 23
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _reference():
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        m = BucketManager(d, do_fsync=False)
        bl, w = LiveBucketList(), Workload(SEED)
        for ledger in range(1, LEDGERS + 1):
            bl.add_batch(m, ledger, P, *w.ledger(ledger))
        h = bl.hash()
        m.shutdown()
    return h, w


def test_killed_during_merges_restarts_to_the_same_state(tmp_path):
    rng = random.Random(2026)
    cmd = [sys.executable, "-m", "tests.bucket._crash_worker", str(tmp_path), str(LEDGERS), str(SEED)]
    kills = 0
    for _ in range(12):
        p = subprocess.Popen(cmd, cwd=ROOT)
        time.sleep(rng.uniform(0.3, 1.5))
        if p.poll() is not None:
            break
        p.send_signal(signal.SIGKILL)
        p.wait()
        kills += 1
    assert subprocess.run(cmd, cwd=ROOT).returncode == 0
    assert kills >= 3
    expected, w = _reference()
    assert open(tmp_path / "final").read() == expected.hex()

    # the state on disk, restored once more, answers every lookup as the model
    m = BucketManager(tmp_path / "buckets", do_fsync=False)
    has = HistoryArchiveState.load(tmp_path / "state.json")
    assert has.current_ledger == LEDGERS
    bl, _ = restore_bucket_lists(has, m, max_protocol=P)
    assert bl.hash() == expected
    snap = LiveBucketListSnapshot(bl, m)
    live = w.live_state()
    for k in sorted(w.all_keys()):
        assert snap.load(k) == live.get(k)
    m.shutdown()
