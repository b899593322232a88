"""Run the deterministic workload into a bucket directory, saving a
History Archive State after every ledger; resumes from it if present.

    python -m tests.bucket._crash_worker DIR LEDGERS SEED
"""
import os
import sys

from stellarcore.bucket.bucket_list import LiveBucketList
from stellarcore.bucket.manager import BucketManager
from stellarcore.history.archive_state import HistoryArchiveState
from stellarcore.history.bucket_state import archive_state_of, restore_bucket_lists
from tests.bucket._workload import Workload

P = 23


def main(d, ledgers, seed):
    has_path = os.path.join(d, "state.json")
    m = BucketManager(os.path.join(d, "buckets"), do_fsync=False, merge_threads=2)
    w = Workload(seed)
    if os.path.exists(has_path):
        has = HistoryArchiveState.load(has_path)
        for ledger in range(1, has.current_ledger + 1):
            w.ledger(ledger)          # replay the model to the saved ledger
        bl, _ = restore_bucket_lists(has, m, max_protocol=P)
        start = has.current_ledger + 1
    else:
        bl, start = LiveBucketList(), 1
    for ledger in range(start, ledgers + 1):
        init, live, dead = w.ledger(ledger)
        bl.add_batch(m, ledger, P, init, live, dead)
        archive_state_of(ledger, bl).save(has_path)
        if ledger % 64 == 0:
            m.forget_unreferenced(bl.referenced_hashes())
    with open(os.path.join(d, "final"), "w") as f:
        f.write(bl.hash().hex())
    m.shutdown()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
