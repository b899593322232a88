"""Bucket entry kinds and bucket metadata, as raw XDR.

Buckets are handled as raw records (the XDR of one `BucketEntry` or
`HotArchiveBucketEntry`); the first four bytes of a record are its kind.
These helpers build and read the few records the bucket layer writes
itself (metadata, fresh entries) without going through XDR objects.
"""
import struct

# BucketEntryType
METAENTRY = -1
LIVEENTRY = 0
DEADENTRY = 1
INITENTRY = 2
# HotArchiveBucketEntryType
HOT_ARCHIVE_METAENTRY = -1
HOT_ARCHIVE_ARCHIVED = 0
HOT_ARCHIVE_LIVE = 1
# BucketListType (BucketMetadata.ext.v == 1)
LIVE = 0
HOT_ARCHIVE = 1

FIRST_PROTOCOL_SUPPORTING_INITENTRY_AND_METAENTRY = 11
FIRST_PROTOCOL_SHADOWS_REMOVED = 12
FIRST_PROTOCOL_SUPPORTING_PERSISTENT_EVICTION = 23

ZERO_HASH = bytes(32)

_I = struct.Struct(">i")


def record_kind(record):
    """The entry-type discriminant of a raw bucket record."""
    return _I.unpack_from(record, 0)[0]


def with_kind(kind, body):
    """A raw record: the 4-byte kind followed by the XDR of the arm."""
    return _I.pack(kind) + body


class BucketMetadata:
    """`BucketMetadata`: the protocol version a bucket was made with and,
    from protocol 23, which bucket list it belongs to (`ext.v == 1`)."""

    __slots__ = ("ledger_version", "list_type")

    def __init__(self, ledger_version=0, list_type=None):
        self.ledger_version = ledger_version
        self.list_type = list_type  # None: ext v0

    def record(self):
        """The METAENTRY record (same bytes for both kinds of bucket)."""
        head = struct.pack(">iI", METAENTRY, self.ledger_version)
        if self.list_type is None:
            return head + _I.pack(0)
        return head + struct.pack(">ii", 1, self.list_type)

    @classmethod
    def from_record(cls, record):
        if len(record) not in (12, 16) or record_kind(record) != METAENTRY:
            raise ValueError("not a bucket METAENTRY record")
        version, v = struct.unpack_from(">Ii", record, 4)
        if v == 0 and len(record) == 12:
            return cls(version)
        if v == 1 and len(record) == 16:
            list_type = _I.unpack_from(record, 12)[0]
            if list_type not in (LIVE, HOT_ARCHIVE):
                raise ValueError(f"unknown BucketListType {list_type}")
            return cls(version, list_type)
        raise ValueError("malformed BucketMetadata extension")

    @classmethod
    def for_fresh(cls, protocol, hot):
        """The metadata of a fresh bucket (`LiveBucket::fresh`,
        `HotArchiveBucket::fresh`): the ledger's protocol and, from
        protocol 23, the list type."""
        if hot:
            return cls(protocol, HOT_ARCHIVE)
        if protocol >= FIRST_PROTOCOL_SUPPORTING_PERSISTENT_EVICTION:
            return cls(protocol, LIVE)
        return cls(protocol)

    def __eq__(self, other):
        return (isinstance(other, BucketMetadata) and
                (self.ledger_version, self.list_type) == (other.ledger_version, other.list_type))

    def __repr__(self):
        return f"BucketMetadata({self.ledger_version}, {self.list_type})"


def merged_metadata(old, new, max_protocol):
    """The output metadata of a disk merge (`calculateMergeProtocolVersion`
    and `BucketBase::merge`): the higher input version (an empty bucket
    counts as 0), ext copied from the new input if v1, else from the old."""
    version = max(old.ledger_version, new.ledger_version)
    if version > max_protocol:
        raise ValueError(f"bucket protocol version {version} exceeds maxProtocolVersion {max_protocol}")
    list_type = new.list_type if new.list_type is not None else old.list_type
    return BucketMetadata(version, list_type)
