"""Between bucket lists and History Archive States.

`archive_state_of` records a node's bucket lists as stellar-core's
HistoryArchiveState constructor does (running merges as their inputs,
finished ones as their output); `restore_bucket_lists` rebuilds the lists
from such a state and restarts their pending merges
(`BucketListBase::restartMerges`), so a node killed mid-merge resumes with
the same buckets and therefore the same hashes.
"""
from stellarcore.bucket.bucket_list import HotArchiveBucketList, LiveBucketList
from stellarcore.bucket.future_bucket import FB_CLEAR, FB_HASH_INPUTS, FB_HASH_OUTPUT
from stellarcore.history.archive_state import (FutureBucketState, HistoryArchiveState,
                                               HistoryStateBucket)


def _future_state(state):
    code, output, curr, snap = state
    if code == FB_HASH_OUTPUT:
        return FutureBucketState.hash_output(output.hex())
    if code == FB_HASH_INPUTS:
        return FutureBucketState.hash_inputs(curr.hex(), snap.hex())
    return FutureBucketState.clear()


def _levels(bucket_list):
    return tuple(HistoryStateBucket(curr=c.hex(), next=_future_state(n), snap=s.hex())
                 for c, n, s in bucket_list.level_states())


def archive_state_of(ledger_seq, live, hot=None, network_passphrase="", server=None):
    """The HAS of the lists after `ledger_seq` (version 2 with a hot archive)."""
    kw = {} if server is None else {"server": server}
    return HistoryArchiveState(current_ledger=ledger_seq, current_buckets=_levels(live),
                               hot_archive_buckets=_levels(hot) if hot is not None else (),
                               network_passphrase=network_passphrase,
                               levels=live.num_levels, **kw)


def _level_states(levels):
    out = []
    for lev in levels:
        n = lev.next
        if n.state == FB_HASH_OUTPUT:
            nxt = (FB_HASH_OUTPUT, bytes.fromhex(n.output), None, None)
        elif n.state == FB_HASH_INPUTS:
            if n.shadow:
                raise ValueError("merges with shadows (before protocol 12) are not supported")
            nxt = (FB_HASH_INPUTS, None, bytes.fromhex(n.curr), bytes.fromhex(n.snap))
        else:
            nxt = (FB_CLEAR, None, None, None)
        out.append((bytes.fromhex(lev.curr), nxt, bytes.fromhex(lev.snap)))
    return out


def restore_bucket_lists(has, manager, max_protocol, restart=True):
    """(live, hot) lists of a HAS, every bucket loaded from `manager` (a
    missing one raises MissingBucketError) and, unless `restart` is False,
    the pending merges restarted."""
    n = len(has.current_buckets)
    live = LiveBucketList.from_level_states(manager, _level_states(has.current_buckets), n)
    hot = None
    if has.hot_archive_buckets:
        hot = HotArchiveBucketList.from_level_states(
            manager, _level_states(has.hot_archive_buckets), len(has.hot_archive_buckets))
    if restart:
        live.restart_merges(manager, max_protocol, has.current_ledger)
        if hot is not None:
            hot.restart_merges(manager, max_protocol, has.current_ledger)
    return live, hot
