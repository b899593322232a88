"""Bucket tools: `merge-bucketlist` and `diag-bucket-stats`.

As stellar-core v25's commands of the same name (main/CommandLine.cpp
runMergeBucketList, diagBucketStats; main/ApplicationUtils.cpp
mergeBucketList; bucket/BucketManager.cpp mergeBuckets; main/Diagnostics.cpp
bucketStats).

merge-bucketlist: the whole live ledger state of a node's bucket list in one
bucket, as stellar-core's BucketManager::mergeBuckets writes it: a METAENTRY
(ledgerVersion = the node's protocol, 25, BucketMetadata ext v0), then every
live entry as a LIVEENTRY (INITENTRY is written as LIVEENTRY), sorted, no
tombstones; named `bucket-<sha256>.xdr` in the output directory.  The
state comes from folding the buckets of the live list from the oldest
(level 10 snap) to the newest (level 0 curr) with the streaming C merge
(old = the state so far, new = the next bucket, tombstones dropped), then
one rewriting pass.  stellar-core reads the HAS from its database;
here it is a file (`--has`) and the buckets a directory (`--bucket-dir`).

diag-bucket-stats: stellar-core's JSON of one bucket file's statistics
(jsoncpp's StyledWriter: 3-space indent, `"key" : value`, keys sorted,
followed by an empty line):
  BUCKET_ENTRIES  {BucketEntryType name: records}   (METAENTRY included)
  LEDGER_ENTRIES  {LedgerEntryType name: {"count": INIT+LIVE entries,
                   "dead_count": DEADENTRY keys of that type,
                   "avg": mean BucketEntry XDR size of the INIT+LIVE ones}}
                   (only types with INIT/LIVE entries)
  LEDGER_VERSION  the METAENTRY's ledgerVersion (absent without one)
  AGG_ACCOUNT     with --aggregate-account-stats: over the accounts owning
                  INIT/LIVE ACCOUNT, TRUSTLINE, OFFER and DATA entries,
                  {"BYTES"|"ENTRIES": {"count", "total", "min", "max",
                  "avg", "P50", "P99"}} of the per-account byte and entry
                  totals.
The counts come from the C index scan (build_index); only the account
aggregation walks records in Python, and only the ACCOUNT..DATA part of the
file.  A file the scan refuses (out of order, a METAENTRY later on, a record
it cannot key) is counted again with every record decoded, as stellar-core
reads any stream of BucketEntries; a record that does not decode is an error.

Differences from stellar-core: no `--conf`/database (`--bucket-dir` and
`--has` instead); `--output-dir` defaults to `.` rather than being required;
merge-bucketlist prints its one line on stdout (stellar-core logs it) and
does not notice a DEADENTRY with nothing to delete (stellar-core throws
"DEADENTRY does not exist in ledger"); diag-bucket-stats on a sorted bucket
checks record framing, kinds and keys but not entry bodies, and with
--aggregate-account-stats and no account-owned entries prints zeros where
stellar-core reads an empty vector (undefined behaviour).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import struct
import tempfile

from stellarcore.version import LEDGER_PROTOCOL_VERSION

# BucketEntryType / LedgerEntryType names (stellar-core's xdr enum_name)
_BUCKET_ENTRY_NAMES = {-1: "METAENTRY", 0: "LIVEENTRY", 1: "DEADENTRY", 2: "INITENTRY"}
_LEDGER_ENTRY_NAMES = ("ACCOUNT", "TRUSTLINE", "OFFER", "DATA", "CLAIMABLE_BALANCE",
                       "LIQUIDITY_POOL", "CONTRACT_DATA", "CONTRACT_CODE", "CONFIG_SETTING",
                       "TTL")
# index.pyx's LedgerEntryTypeAndDurability -> LedgerEntryType
_TD_TO_TYPE = (0, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9)
# the account-owned types stellar-core aggregates (ACCOUNT, TRUSTLINE, OFFER, DATA)
_ACCOUNT_TYPES = (0, 1, 2, 3)
# the largest page the index accepts: one page per 2 GiB keeps its key
# arrays tiny (we only want its counters)
_SCAN_PAGE_SIZE = 1 << 31

_LIVE = struct.pack(">i", 0)
_DEAD = struct.pack(">i", 1)
_INIT = struct.pack(">i", 2)
_META = struct.pack(">i", -1)


def add_commands(sub):
    p = sub.add_parser(
        "merge-bucketlist", help="writes diagnostic merged bucket list",
        description="Merge every level of the live bucket list a History Archive State "
                    "names into one bucket holding the whole live ledger state (as "
                    "stellar-core's merge-bucketlist), written to the output directory "
                    "under its hash name.")
    p.add_argument("--output-dir", metavar="DIR-NAME", default=".",
                   help="output dir (default: the current directory)")
    p.add_argument("--bucket-dir", metavar="DIR-NAME", required=True,
                   help="the node's bucket directory (BUCKET_DIR_PATH)")
    p.add_argument("--has", metavar="FILE-NAME", required=True,
                   help="the History Archive State of the node's last closed ledger (JSON)")
    p.set_defaults(func=run_merge_bucketlist)

    p = sub.add_parser(
        "diag-bucket-stats", help="reports statistics on the content of a bucket",
        description="Print stellar-core's JSON statistics of one bucket file: entries "
                    "per BucketEntryType, count, dead count and average size per "
                    "LedgerEntryType, the bucket's protocol version.")
    p.add_argument("file_name", metavar="FILE-NAME", help="the bucket file")
    p.add_argument("--aggregate-account-stats", action="store_true",
                   help="aggregate entries on a per account basis")
    p.set_defaults(func=run_diag_bucket_stats)


# ------------------------------------------------------------ merge-bucketlist

class _BucketDir:
    """Read-only access to a node's bucket directory by hash (what
    restore_bucket_lists needs of a manager): unlike a BucketManager it
    neither creates the directory nor clears its tmp/."""

    def __init__(self, path):
        self.path = path

    def path_for(self, hash):
        from stellarcore.bucket.bucket import bucket_filename
        return os.path.join(self.path, bucket_filename(hash.hex()))

    def require_bucket(self, hash):
        from stellarcore.bucket.bucket import EMPTY, Bucket
        from stellarcore.bucket.entries import ZERO_HASH
        from stellarcore.bucket.manager import MissingBucketError
        if hash == ZERO_HASH:
            return EMPTY
        path = self.path_for(hash)
        if not os.path.isfile(path):
            raise MissingBucketError(f"missing bucket: {hash.hex()}")
        return Bucket(hash, path, os.path.getsize(path))


def _quoted(path):
    """A path as std::filesystem::path's operator<< prints it (std::quoted)."""
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _load_has(path):
    from stellarcore.history.archive_state import HistoryArchiveState, HistoryArchiveStateError
    try:
        return HistoryArchiveState.load(path)
    except HistoryArchiveStateError as e:
        raise ValueError(f"{path}: not a valid History Archive State: {e}") from None


def run_merge_bucketlist(args):
    from stellarcore.bucket.bucket import bucket_filename
    from stellarcore.bucket.manager import MissingBucketError
    from stellarcore.history.bucket_state import restore_bucket_lists

    bucket_dir = args.bucket_dir
    out_dir = args.output_dir
    if not os.path.isdir(bucket_dir):
        raise ValueError(f"{bucket_dir}: bucket directory does not exist")
    if not os.path.isdir(out_dir):
        raise ValueError(f"{out_dir}: output directory does not exist")
    has = _load_has(args.has)

    # every bucket the state references must be present (stellar-core's
    # checkForMissingBucketsFiles, before it assumes the state)
    source = _BucketDir(bucket_dir)
    missing = [h for h in has.all_buckets()
               if not os.path.isfile(source.path_for(bytes.fromhex(h)))]
    if missing:
        raise ValueError(f"{len(missing)} buckets are missing from bucket directory "
                         f"'{bucket_dir}': {', '.join(missing)}")
    try:
        live, _ = restore_bucket_lists(has, source, LEDGER_PROTOCOL_VERSION, restart=False)
    except MissingBucketError as e:
        raise ValueError(str(e)) from None

    digest, tmp = _merge_live_state(live, out_dir)
    final = os.path.join(out_dir, bucket_filename(digest.hex()))
    try:
        os.replace(tmp, final)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(out_dir)
    print(f"Wrote merged bucket {_quoted(final)}")
    return 0


def _merge_live_state(live, out_dir):
    """Fold the live list's buckets oldest to newest and write the result
    as stellar-core's mergeBuckets does; (sha256, path of the written file)."""
    from stellarcore.bucket.bucket import EMPTY
    from stellarcore.bucket.manager import BucketManager

    scratch_dir = tempfile.mkdtemp(prefix=".merge-bucketlist-", dir=out_dir)
    scratch = BucketManager(scratch_dir, do_fsync=False)
    try:
        state = EMPTY
        # oldest first: level 10 snap, level 10 curr, ..., level 0 curr
        for level in reversed(live.levels):
            for bucket in (level.snap, level.curr):
                if bucket.is_empty:
                    continue
                if state.is_empty:
                    state = bucket      # its tombstones go in the rewriting pass
                    continue
                state = scratch.merge(state, bucket, hot=False, keep_tombstones=False,
                                      max_protocol=LEDGER_PROTOCOL_VERSION)
                # only the newest intermediate result is needed
                scratch.forget_unreferenced({state.hash})
        # a fresh name; RecordWriter creates the file with the usual mode
        tmp = os.path.join(out_dir, f".merge-bucketlist-{os.getpid()}-{secrets.token_hex(8)}.xdr")
        try:
            digest = _write_live_entries(state, tmp)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return digest, tmp
    finally:
        scratch.shutdown()
        shutil.rmtree(scratch_dir, ignore_errors=True)


def _write_live_entries(state, path):
    """The output bucket: METAENTRY (protocol 25, ext v0), then every INIT or
    LIVE record of `state` as a LIVEENTRY; DEAD records (and the input's
    METAENTRY) are left out.  Returns the file's SHA-256."""
    from stellarcore.bucket.bucket_file import BucketFileError, RecordReader, RecordWriter
    from stellarcore.bucket.entries import BucketMetadata

    w = RecordWriter(path)
    try:
        # BucketMetadata as mergeBuckets builds it: only ledgerVersion set
        w.write(BucketMetadata(LEDGER_PROTOCOL_VERSION).record())
        if not state.is_empty:
            r = RecordReader(state.path)
            try:
                put = w.write
                first = True
                for rec in r:
                    kind = rec[:4]
                    if kind == _LIVE:
                        put(rec)
                    elif kind == _INIT:
                        put(_LIVE + rec[4:])
                    elif kind == _DEAD:
                        pass
                    elif kind == _META and first:
                        pass
                    else:
                        raise BucketFileError(
                            f"{state.path}: unexpected entry kind at offset {r.position - len(rec) - 4}")
                    first = False
            finally:
                r.close()
        return w.finish(True)
    except BaseException:
        w.abort()
        raise


# ------------------------------------------------------------ diag-bucket-stats

def _first_record(path):
    from stellarcore.bucket.bucket_file import RecordReader
    r = RecordReader(path)
    try:
        return r.read()
    finally:
        r.close()


def bucket_stats(path, aggregate_accounts=False):
    """stellar-core's diagnostics::bucketStats as a dict (the JSON root)."""
    from stellarcore.bucket.bucket_file import BucketFileError
    from stellarcore.bucket.index import build_index

    if os.path.isdir(path):
        raise IsADirectoryError(21, "Is a directory", path)
    with open(path, "rb"):      # a missing or unreadable file: the OS's reason
        pass
    try:
        idx = build_index(path, bytes(32), _SCAN_PAGE_SIZE)
    except BucketFileError:
        # not a well-formed sorted bucket (or a record the index cannot
        # key): stellar-core counts any stream of BucketEntries, so decode
        # every record instead (a malformed one raises XdrError)
        return _decoded_stats(path, aggregate_accounts)
    kinds = {}
    live = {}                 # LedgerEntryType -> [count, bytes]
    dead = {}                 # LedgerEntryType -> count
    for (td, kind), (count, size) in idx.counts_by_kind().items():
        kinds[kind] = kinds.get(kind, 0) + count
        t = _TD_TO_TYPE[td]
        if kind == 1:
            dead[t] = dead.get(t, 0) + count
        else:
            c = live.setdefault(t, [0, 0])
            c[0] += count
            c[1] += size
    version = None
    first = _first_record(path)
    if first is not None and first[:4] == _META:
        kinds[-1] = 1
        version = _meta_version(path, first)
    per_account = _account_totals(path, idx) if aggregate_accounts else None
    return _stats_root(kinds, live, dead, version, per_account)


def _meta_version(path, rec):
    from stellarcore.bucket.entries import BucketMetadata
    try:
        return BucketMetadata.from_record(rec).ledger_version
    except ValueError as e:
        raise ValueError(f"{path}: malformed METAENTRY: {e}") from None


def _stats_root(kinds, live, dead, version, per_account):
    root = {}
    if version is not None:
        root["LEDGER_VERSION"] = version
    # jsoncpp: an object nothing was added to is null
    root["BUCKET_ENTRIES"] = {_BUCKET_ENTRY_NAMES[k]: n for k, n in kinds.items()} or None
    root["LEDGER_ENTRIES"] = {
        _LEDGER_ENTRY_NAMES[t]: {"count": n, "dead_count": dead.get(t, 0), "avg": size // n}
        for t, (n, size) in live.items()} or None
    if per_account is not None:
        root["AGG_ACCOUNT"] = {
            "BYTES": _summary([v[1] for v in per_account.values()]),
            "ENTRIES": _summary([v[0] for v in per_account.values()]),
        }
    return root


def _decoded_stats(path, aggregate_accounts):
    """bucketStats over any record-marked stream of BucketEntries, every
    record decoded (the slow path, for files the index scan refuses)."""
    from stellarcore import xdr
    from stellarcore.bucket.bucket_file import RecordReader
    kinds, live, dead, per_account = {}, {}, {}, {}
    version = None
    r = RecordReader(path)
    try:
        for rec in r:
            try:
                be = xdr.BucketEntry.from_xdr(rec)
            except xdr.XdrError as e:
                raise xdr.XdrError(f"{path}: bad BucketEntry at offset "
                                   f"{r.position - len(rec) - 4}: {e}") from None
            kind = int(be.type)
            kinds[kind] = kinds.get(kind, 0) + 1
            if kind == -1:
                version = be.metaEntry.ledgerVersion
            elif kind == 1:
                t = int(be.deadEntry.type)
                dead[t] = dead.get(t, 0) + 1
            else:
                t = int(be.liveEntry.data.type)
                c = live.setdefault(t, [0, 0])
                c[0] += 1
                c[1] += len(rec)
                if aggregate_accounts and t in _ACCOUNT_TYPES:
                    owner = rec[12:48]
                    a = per_account.setdefault(owner, [0, 0])
                    a[0] += 1
                    a[1] += len(rec)
    finally:
        r.close()
    return _stats_root(kinds, live, dead, version,
                       per_account if aggregate_accounts else None)


def _account_totals(path, idx):
    """{AccountID XDR: [INIT/LIVE entries, their bytes]} over the ACCOUNT,
    TRUSTLINE, OFFER and DATA records (a contiguous run at the start of a
    sorted bucket: the order key begins with the LedgerEntryType)."""
    from stellarcore.bucket.bucket_file import RecordReader
    ranges = [idx.get_range_for_type(t) for t in _ACCOUNT_TYPES]
    ranges = [rg for rg in ranges if rg is not None]
    totals = {}
    if not ranges:
        return totals
    start = min(rg[0] for rg in ranges)
    end = max(rg[1] for rg in ranges)
    r = RecordReader(path)
    try:
        r.seek_to(start)
        get = totals.get
        while r.position < end:
            rec = r.read()
            if rec is None:
                break
            kind = rec[:4]
            if kind != _LIVE and kind != _INIT:
                continue
            # kind, lastModifiedLedgerSeq, LedgerEntryType, then the owner's
            # AccountID (PublicKey: type + 32 bytes) leads all four entry bodies
            owner = rec[12:48]
            c = get(owner)
            if c is None:
                totals[owner] = [1, len(rec)]
            else:
                c[0] += 1
                c[1] += len(rec)
    finally:
        r.close()
    return totals


def _summary(values):
    values.sort()
    n = len(values)
    total = sum(values)
    if not n:
        # stellar-core indexes an empty vector here (undefined behaviour)
        return {"count": 0, "total": 0, "min": 0, "max": 0, "avg": 0, "P50": 0, "P99": 0}
    return {"count": n, "total": total, "min": values[0], "max": values[-1],
            "avg": total // n, "P50": values[n // 2], "P99": values[n * 99 // 100]}


def styled_json(value):
    """jsoncpp's StyledWriter output (Value::toStyledString) for objects,
    integers and null: 3-space indent, `"key" : value`, keys in strcmp
    order, a final newline."""
    return json.dumps(value, indent=3, separators=(",", " : "), sort_keys=True) + "\n"


def run_diag_bucket_stats(args):
    root = bucket_stats(args.file_name, args.aggregate_account_stats)
    # fmt::print("{}\n", root.toStyledString())
    print(styled_json(root))
    return 0
