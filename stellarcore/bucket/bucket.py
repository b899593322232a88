"""A bucket: an immutable, sorted, hashed file of entries.

A `Bucket` is a handle on a file in the bucket directory named by its
hash (`bucket-<hex>.xdr`, as stellar-core names them).  The empty bucket
has no file and the all-zero hash.  Whether it holds live or hot-archive
entries is a property of the list it sits in, not of the file.
"""
from stellarcore.bucket.entries import ZERO_HASH


class Bucket:
    __slots__ = ("hash", "path", "size", "_metadata", "index", "__weakref__")

    def __init__(self, hash, path=None, size=0):
        self.hash = hash
        self.path = path
        self.size = size
        self._metadata = None
        self.index = None

    @property
    def is_empty(self):
        return self.hash == ZERO_HASH

    @property
    def hex(self):
        return self.hash.hex()

    @property
    def metadata(self):
        """BucketMetadata from the file's METAENTRY (version 0 if empty)."""
        if self._metadata is None:
            from stellarcore.bucket.merge import read_metadata
            self._metadata = read_metadata(self.path)
        return self._metadata

    @property
    def version(self):
        return self.metadata.ledger_version

    def records(self):
        """Every record of the file (METAENTRY included), as raw bytes."""
        if self.path is None:
            return iter(())
        from stellarcore.bucket.bucket_file import iter_records
        return iter_records(self.path)

    def __repr__(self):
        return f"Bucket({self.hex[:12]}…)" if not self.is_empty else "Bucket(empty)"


EMPTY = Bucket(ZERO_HASH)


def bucket_filename(hash_hex):
    """stellar-core's name for a bucket file (`BucketManager::bucketFilename`)."""
    return f"bucket-{hash_hex}.xdr"


def index_filename(hash_hex):
    return f"bucket-{hash_hex}.index"
