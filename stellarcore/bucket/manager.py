"""The bucket manager: owns the bucket directory and runs merges.

As stellar-core's BucketManager: finished buckets live in the bucket
directory as `bucket-<hex>.xdr`; merges and fresh buckets are written under
`tmp/` and renamed into place only when complete (so a crash never leaves a
half-written bucket under a real name); a downloaded bucket is adopted by
hash; buckets nothing references any more are deleted.  Merges run on a
small thread pool: the merge loop releases the GIL (merge.pyx), so the
event loop keeps running while a level-9 merge takes minutes.
"""
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from stellarcore.bucket import fresh as _fresh
from stellarcore.bucket.bucket import EMPTY, Bucket, bucket_filename, index_filename
from stellarcore.bucket.entries import ZERO_HASH
from stellarcore.bucket.merge import merge_files


class MissingBucketError(LookupError):
    """A bucket referenced by hash (a HAS, a pending merge) has no file:
    fatal in stellar-core too, since dropping it silently forks later."""


class BucketManager:
    def __init__(self, bucket_dir, *, merge_threads=1, do_fsync=True):
        self.bucket_dir = os.path.abspath(os.fspath(bucket_dir))
        self.tmp_dir = os.path.join(self.bucket_dir, "tmp")
        self.do_fsync = do_fsync
        os.makedirs(self.bucket_dir, exist_ok=True)
        self._clean_tmp()
        self._lock = threading.Lock()
        self._gc_lock = threading.RLock()
        self._buckets = {}            # hash -> Bucket
        self._finished_merges = {}    # (hot, keep, old hash, new hash) -> output hash
        self._counter = itertools.count()
        self._pool = ThreadPoolExecutor(max_workers=merge_threads,
                                        thread_name_prefix="bucket-merge")
        self.index_factory = None     # set by BucketListDB: bucket -> index

    # -- files ------------------------------------------------------------
    def _clean_tmp(self):
        os.makedirs(self.tmp_dir, exist_ok=True)
        for name in os.listdir(self.tmp_dir):
            try:
                os.unlink(os.path.join(self.tmp_dir, name))
            except OSError:
                pass

    def tmp_path(self, stem="bucket"):
        return os.path.join(self.tmp_dir, f"tmp-{stem}-{os.getpid()}-{next(self._counter)}.xdr")

    def path_for(self, hash):
        return os.path.join(self.bucket_dir, bucket_filename(hash.hex()))

    def adopt_file(self, path, hash):
        """Move a finished bucket file into the directory under its hash
        and return its Bucket (the existing one if already known)."""
        if hash == ZERO_HASH:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            return EMPTY
        final = self.path_for(hash)
        with self._lock:
            b = self._buckets.get(hash)
            if b is not None or os.path.exists(final):
                if os.path.abspath(path) != final:
                    os.unlink(path)
            else:
                os.replace(path, final)
            if b is None:
                b = Bucket(hash, final, os.path.getsize(final))
                self._buckets[hash] = b
        self._maybe_index(b)
        return b

    def _maybe_index(self, b):
        if self.index_factory is not None and b.index is None and not b.is_empty:
            b.index = self.index_factory(b)

    def get_bucket(self, hash):
        """The bucket of that hash, or None if its file is absent."""
        if hash == ZERO_HASH:
            return EMPTY
        with self._lock:
            b = self._buckets.get(hash)
            if b is None:
                final = self.path_for(hash)
                if not os.path.exists(final):
                    return None
                b = Bucket(hash, final, os.path.getsize(final))
                self._buckets[hash] = b
        self._maybe_index(b)
        return b

    def require_bucket(self, hash):
        b = self.get_bucket(hash)
        if b is None:
            raise MissingBucketError(f"bucket {hash.hex()} is referenced but missing from "
                                     f"{self.bucket_dir}")
        return b

    # -- making buckets -----------------------------------------------------
    def fresh_live(self, protocol, init_entries, live_entries, dead_keys):
        return self._write_fresh(protocol, _fresh.live_records(init_entries, live_entries,
                                                               dead_keys), hot=False)

    def fresh_hot(self, protocol, archived_entries, restored_keys):
        return self._write_fresh(protocol, _fresh.hot_records(archived_entries, restored_keys),
                                 hot=True)

    def _write_fresh(self, protocol, records, hot):
        tmp = self.tmp_path("fresh")
        digest, objects, _ = _fresh.write_fresh(tmp, protocol, records, hot, self.do_fsync)
        if objects == 0:    # before protocol 11 an empty batch is the empty bucket
            os.unlink(tmp)
            return EMPTY
        return self.adopt_file(tmp, digest)

    def merge(self, old, new, *, hot, keep_tombstones, max_protocol):
        """Merge two buckets (blocking); the output Bucket."""
        key = (hot, keep_tombstones, old.hash, new.hash)
        done = self._finished_merges.get(key)
        if done is not None:
            b = self.get_bucket(done)
            if b is not None:
                return b
        tmp = self.tmp_path("merge")
        res = merge_files(old.path, new.path, tmp, hot=hot, keep_tombstones=keep_tombstones,
                          max_protocol=max_protocol, do_fsync=self.do_fsync)
        # Adopting the output and recording the merge is atomic with respect
        # to garbage collection, which keeps the outputs of merges whose
        # inputs are still referenced (their futures may be unresolved).
        with self._gc_lock:
            out = EMPTY if res is None else self.adopt_file(tmp, res[0])
            self._finished_merges[key] = out.hash
        return out

    def merge_async(self, old, new, *, hot, keep_tombstones, max_protocol):
        """Start a merge on the pool; a concurrent.futures.Future of the Bucket."""
        return self._pool.submit(self.merge, old, new, hot=hot,
                                 keep_tombstones=keep_tombstones, max_protocol=max_protocol)

    # -- garbage collection ---------------------------------------------------
    def forget_unreferenced(self, referenced):
        """Delete bucket files (and their indexes) whose hash is not in
        `referenced` (a set of 32-byte hashes); returns how many."""
        with self._gc_lock:
            return self._forget_unreferenced(set(referenced))

    def _forget_unreferenced(self, referenced):
        # Outputs of finished merges whose inputs are still referenced are
        # kept: a level's future may not have been resolved yet.
        keep = set(referenced)
        keep.update(out for (_, _, old, new), out in list(self._finished_merges.items())
                    if old in referenced and new in referenced)
        removed = 0
        for name in os.listdir(self.bucket_dir):
            if not (name.startswith("bucket-") and name.endswith(".xdr")):
                continue
            try:
                h = bytes.fromhex(name[7:-4])
            except ValueError:
                continue
            if h in keep:
                continue
            with self._lock:
                self._buckets.pop(h, None)
            for n in (name, index_filename(h.hex())):
                try:
                    os.unlink(os.path.join(self.bucket_dir, n))
                except FileNotFoundError:
                    pass
            removed += 1
        self._finished_merges = {k: v for k, v in self._finished_merges.items() if v in keep}
        return removed

    def shutdown(self, wait=True):
        self._pool.shutdown(wait=wait, cancel_futures=not wait)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()
