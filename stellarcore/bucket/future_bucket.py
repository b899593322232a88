"""FutureBucket: the merge a bucket-list level has in progress.

As stellar-core's FutureBucket, with its five states.  A live future holds
the input buckets and a running merge (LIVE_INPUTS) or its output
(LIVE_OUTPUT).  What a History Archive State records is the hash form:
HASH_INPUTS (the inputs of a running merge) or HASH_OUTPUT (a finished
one); `make_live` turns those back into a live future after a restart,
either adopting the finished output or starting the merge again from its
inputs — the merge is deterministic, so the result is the same bucket.
"""
FB_CLEAR = 0
FB_HASH_OUTPUT = 1
FB_HASH_INPUTS = 2
FB_LIVE_OUTPUT = 3
FB_LIVE_INPUTS = 4


class FutureBucket:
    __slots__ = ("state", "curr", "snap", "output", "_future",
                 "curr_hash", "snap_hash", "output_hash")

    def __init__(self):
        self.state = FB_CLEAR
        self.curr = self.snap = self.output = None
        self._future = None
        self.curr_hash = self.snap_hash = self.output_hash = None

    @classmethod
    def start(cls, manager, curr, snap, max_protocol, keep_tombstones, hot):
        fb = cls()
        fb._start(manager, curr, snap, max_protocol, keep_tombstones, hot)
        return fb

    def _start(self, manager, curr, snap, max_protocol, keep_tombstones, hot):
        self.state = FB_LIVE_INPUTS
        self.curr, self.snap = curr, snap
        self.curr_hash, self.snap_hash = curr.hash, snap.hash
        self._future = manager.merge_async(curr, snap, hot=hot,
                                           keep_tombstones=keep_tombstones,
                                           max_protocol=max_protocol)

    @classmethod
    def from_hashes(cls, state, output=None, curr=None, snap=None):
        """A future in hash form, as read from a History Archive State."""
        fb = cls()
        if state == FB_CLEAR:
            return fb
        if state == FB_HASH_OUTPUT and output is not None:
            fb.state, fb.output_hash = state, output
            return fb
        if state == FB_HASH_INPUTS and curr is not None and snap is not None:
            fb.state, fb.curr_hash, fb.snap_hash = state, curr, snap
            return fb
        raise ValueError(f"malformed FutureBucket state {state}")

    def is_clear(self):
        return self.state == FB_CLEAR

    def is_live(self):
        return self.state in (FB_LIVE_INPUTS, FB_LIVE_OUTPUT)

    def is_merging(self):
        return self.state == FB_LIVE_INPUTS

    def has_hashes(self):
        return self.state in (FB_HASH_INPUTS, FB_HASH_OUTPUT)

    def merge_complete(self):
        return self.state != FB_LIVE_INPUTS or self._future.done()

    def resolve(self):
        """The merged bucket, waiting for the merge if needed."""
        if self.state == FB_LIVE_INPUTS:
            self.output = self._future.result()
            self.output_hash = self.output.hash
            self.state = FB_LIVE_OUTPUT
            self.curr = self.snap = self._future = None
        if self.state != FB_LIVE_OUTPUT:
            raise ValueError("resolving a FutureBucket that is not live")
        return self.output

    def make_live(self, manager, max_protocol, keep_tombstones, hot):
        """After a restart: adopt the finished output, or merge again."""
        if self.state == FB_HASH_OUTPUT:
            self.output = manager.require_bucket(self.output_hash)
            self.state = FB_LIVE_OUTPUT
        elif self.state == FB_HASH_INPUTS:
            curr = manager.require_bucket(self.curr_hash)
            snap = manager.require_bucket(self.snap_hash)
            self._start(manager, curr, snap, max_protocol, keep_tombstones, hot)
        else:
            raise ValueError("make_live needs a FutureBucket in hash form")

    def referenced_hashes(self):
        return [h for h in (self.curr_hash, self.snap_hash, self.output_hash) if h is not None]

    def archive_state(self):
        """(state, output, curr, snap) as a HAS records it: a running merge
        as its inputs, a finished one as its output (`FutureBucket::save`)."""
        if self.state in (FB_LIVE_INPUTS, FB_HASH_INPUTS):
            return FB_HASH_INPUTS, None, self.curr_hash, self.snap_hash
        if self.state in (FB_LIVE_OUTPUT, FB_HASH_OUTPUT):
            return FB_HASH_OUTPUT, self.output_hash, None, None
        return FB_CLEAR, None, None, None

    def __repr__(self):
        return f"FutureBucket(state={self.state})"

