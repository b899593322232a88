"""`merge-bucketlist` and `diag-bucket-stats` (stellar-core's commands of the
same name), run as a user runs them, on bucket lists built here while a dict
keeps the live state they must hold."""
import hashlib
import json
import os
import random
import struct
import subprocess
import sys

import pytest

from stellarcore import xdr
from stellarcore.bucket.bucket_file import RecordWriter, iter_records
from stellarcore.bucket.bucket_list import LiveBucketList
from stellarcore.bucket.entries import BucketMetadata
from stellarcore.bucket.manager import BucketManager
from stellarcore.history.bucket_state import archive_state_of
from stellarcore.main.commands.bucket_tools import styled_json
from tests.bucket._entries import (account_entry, account_id, account_key, contract_data_entry,
                                   contract_data_key)

P = 25
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*args):
    return subprocess.run([sys.executable, "-m", "stellarcore", *map(str, args)],
                          capture_output=True, timeout=300)


def assert_error(r, *needles):
    """One `error: ...` line, status 1, no traceback."""
    assert r.returncode == 1, (r.stdout, r.stderr)
    err = r.stderr.decode()
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in err, err
    return err


def record(body):
    """A record-marked record."""
    return struct.pack(">I", len(body) | 0x80000000) + body


def data_entry(owner, name, value=b"v", last_modified=1):
    pk = xdr.PublicKey(ed25519=account_id(owner))
    return xdr.LedgerEntry(lastModifiedLedgerSeq=last_modified, data=xdr.LedgerEntryData(
        data=xdr.DataEntry(accountID=pk, dataName=name, dataValue=value))).to_xdr()


def data_key(owner, name):
    pk = xdr.PublicKey(ed25519=account_id(owner))
    return xdr.LedgerKey(data=xdr.LedgerKeyData(accountID=pk, dataName=name)).to_xdr()


def xdr_sorted(keys):
    """Keys in xdrpp's LedgerKey order (stellar-core's std::map<LedgerKey>)."""
    return sorted(keys, key=xdr.LedgerKey.from_xdr)


def expected_merged_bucket(state):
    """What stellar-core's mergeBuckets writes for a live state
    {LedgerKey XDR: LedgerEntry XDR}: METAENTRY (ledgerVersion 25, ext v0),
    then LIVEENTRYs in key order."""
    out = record(struct.pack(">iIi", -1, P, 0))
    for k in xdr_sorted(state):
        out += record(struct.pack(">i", 0) + state[k])
    return out


# -------------------------------------------------------------- bucket lists

def build_list(tmp_path, ledgers, seed=1, delete_all_at_end=False):
    """A live bucket list after `ledgers` ledgers of random creates, updates
    and deletes of accounts, contract data and DATA entries; its bucket dir,
    HAS file and the live state {key: entry}."""
    rng = random.Random(seed)
    bucket_dir = tmp_path / "buckets"
    state = {}
    with BucketManager(bucket_dir, do_fsync=False) as m:
        live = LiveBucketList()
        next_id = 1
        for ledger in range(1, ledgers + 1):
            init, upd, dead = [], [], []
            if delete_all_at_end and ledger == ledgers:
                dead = list(state)
                state.clear()
                live.add_batch(m, ledger, P, init, upd, dead)
                continue
            touched = set()
            for _ in range(rng.randrange(0, 6)):
                n = next_id
                next_id += 1
                kind = rng.randrange(3)
                if kind == 0:
                    k, e = account_key(n), account_entry(n, rng.randrange(1, 10**9), ledger)
                elif kind == 1:
                    k, e = contract_data_key(n, n & 1), contract_data_entry(n, n, n & 1, ledger)
                else:
                    k, e = data_key(n % 7, b"d%d" % n), data_entry(n % 7, b"d%d" % n, b"x", ledger)
                init.append(e)
                state[k] = e
                touched.add(k)
            existing = [k for k in state if k not in touched]
            rng.shuffle(existing)
            for k in existing[:rng.randrange(0, 4)]:
                if k[:4] == struct.pack(">i", 0):          # an account: new balance
                    n = struct.unpack(">Q", k[8:16])[0]
                    e = account_entry(n, rng.randrange(1, 10**9), ledger)
                    upd.append(e)
                    state[k] = e
                    touched.add(k)
            existing = [k for k in state if k not in touched]
            rng.shuffle(existing)
            for k in existing[:rng.randrange(0, 3)]:
                dead.append(k)
                del state[k]
            live.add_batch(m, ledger, P, init, upd, dead)
        live.resolve_all_futures()
        has_path = tmp_path / "has.json"
        archive_state_of(ledgers, live).save(has_path)
    return bucket_dir, has_path, state


def read_bucket(path):
    recs = list(iter_records(path))
    return recs[0], recs[1:]


@pytest.fixture(scope="module")
def big_list(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("biglist")
    return build_list(tmp, 700, seed=3)


def snapshot_dir(d):
    return sorted((p.name, p.stat().st_size) for p in d.iterdir())


def test_merge_bucketlist_is_the_live_state(big_list, tmp_path):
    bucket_dir, has_path, state = big_list
    before = snapshot_dir(bucket_dir)
    out = tmp_path / "out"
    out.mkdir()
    r = run("merge-bucketlist", "--output-dir", out, "--bucket-dir", bucket_dir, "--has", has_path)
    assert r.returncode == 0, r.stderr
    files = list(out.iterdir())
    assert len(files) == 1                          # no scratch files left behind
    path = files[0]
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert path.name == f"bucket-{digest}.xdr"
    assert r.stdout.decode() == f'Wrote merged bucket "{out / path.name}"\n'
    # exactly the live state, as stellar-core's mergeBuckets writes it
    meta, entries = read_bucket(path)
    assert BucketMetadata.from_record(meta) == BucketMetadata(P)
    assert all(e[:4] == b"\0\0\0\0" for e in entries)
    assert {xdr.LedgerEntry.from_xdr(e[4:]) for e in entries} == \
        {xdr.LedgerEntry.from_xdr(e) for e in state.values()}
    assert len(entries) == len(state) > 100
    assert data == expected_merged_bucket(state)
    # the node's bucket directory is untouched
    assert snapshot_dir(bucket_dir) == before


def test_merge_bucketlist_has_many_levels(big_list):
    """The list the tests merge reaches several levels, with tombstones and
    INITENTRYs in them (so the fold and the rewriting pass are exercised)."""
    bucket_dir, has_path, _ = big_list
    from stellarcore.history.archive_state import HistoryArchiveState
    has = HistoryArchiveState.load(has_path)
    nonempty = [i for i, lev in enumerate(has.current_buckets)
                if lev.curr != "0" * 64 or lev.snap != "0" * 64]
    assert max(nonempty) >= 4
    kinds = set()
    for h in has.all_buckets():
        for rec in iter_records(bucket_dir / f"bucket-{h}.xdr"):
            kinds.add(struct.unpack_from(">i", rec)[0])
    assert kinds == {-1, 0, 1, 2}


def test_merge_bucketlist_default_output_dir_and_idempotent(tmp_path):
    bucket_dir, has_path, state = build_list(tmp_path, 40, seed=5)
    work = tmp_path / "cwd"
    work.mkdir()
    r = subprocess.run([sys.executable, "-m", "stellarcore", "merge-bucketlist",
                        "--bucket-dir", str(bucket_dir), "--has", str(has_path)],
                       capture_output=True, cwd=work, timeout=300,
                       env={**os.environ, "PYTHONPATH": ROOT})
    assert r.returncode == 0, r.stderr
    expected = expected_merged_bucket(state)
    name = f"bucket-{hashlib.sha256(expected).hexdigest()}.xdr"
    assert r.stdout.decode() == f'Wrote merged bucket "./{name}"\n'
    assert (work / name).read_bytes() == expected
    # again: the same file, replaced
    r = run("merge-bucketlist", "--output-dir", work, "--bucket-dir", bucket_dir,
            "--has", has_path)
    assert r.returncode == 0, r.stderr
    assert [p.name for p in work.iterdir()] == [name]


def test_merge_bucketlist_empty_state(tmp_path):
    """Every entry deleted: stellar-core still writes the METAENTRY."""
    bucket_dir, has_path, state = build_list(tmp_path, 30, seed=9, delete_all_at_end=True)
    assert state == {}
    r = run("merge-bucketlist", "--output-dir", tmp_path, "--bucket-dir", bucket_dir,
            "--has", has_path)
    assert r.returncode == 0, r.stderr
    expected = expected_merged_bucket({})
    assert len(expected) == 16
    assert (tmp_path / f"bucket-{hashlib.sha256(expected).hexdigest()}.xdr").read_bytes() == expected


def test_merge_bucketlist_empty_list(tmp_path):
    from stellarcore.history.archive_state import HistoryArchiveState
    (tmp_path / "b").mkdir()
    HistoryArchiveState(current_ledger=1).save(tmp_path / "has.json")
    r = run("merge-bucketlist", "--output-dir", tmp_path, "--bucket-dir", tmp_path / "b",
            "--has", tmp_path / "has.json")
    assert r.returncode == 0, r.stderr
    expected = expected_merged_bucket({})
    assert (tmp_path / f"bucket-{hashlib.sha256(expected).hexdigest()}.xdr").read_bytes() == expected


@pytest.fixture
def small_list(tmp_path):
    return build_list(tmp_path, 60, seed=11)


def test_merge_bucketlist_missing_bucket(small_list, tmp_path):
    bucket_dir, has_path, _ = small_list
    from stellarcore.history.archive_state import HistoryArchiveState
    victim = HistoryArchiveState.load(has_path).all_buckets()[0]
    os.unlink(bucket_dir / f"bucket-{victim}.xdr")
    out = tmp_path / "out"
    out.mkdir()
    r = run("merge-bucketlist", "--output-dir", out, "--bucket-dir", bucket_dir, "--has", has_path)
    assert_error(r, victim, "missing")
    assert list(out.iterdir()) == []


def test_merge_bucketlist_corrupt_bucket(small_list, tmp_path):
    bucket_dir, has_path, _ = small_list
    from stellarcore.history.archive_state import HistoryArchiveState
    has = HistoryArchiveState.load(has_path)
    # truncate every referenced bucket: whichever the fold reads fails
    for h in has.all_buckets():
        p = bucket_dir / f"bucket-{h}.xdr"
        p.write_bytes(p.read_bytes()[:-3])
    out = tmp_path / "out"
    out.mkdir()
    r = run("merge-bucketlist", "--output-dir", out, "--bucket-dir", bucket_dir, "--has", has_path)
    assert_error(r, "truncated")
    assert list(out.iterdir()) == []


def test_merge_bucketlist_bad_inputs(small_list, tmp_path):
    bucket_dir, has_path, _ = small_list
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "currentBuckets": [')
    assert_error(run("merge-bucketlist", "--bucket-dir", bucket_dir, "--has", bad,
                     "--output-dir", tmp_path), str(bad))
    bad.write_text(json.dumps({"version": 1, "server": "x", "currentLedger": 3,
                               "currentBuckets": []}))
    assert_error(run("merge-bucketlist", "--bucket-dir", bucket_dir, "--has", bad,
                     "--output-dir", tmp_path), str(bad))
    assert_error(run("merge-bucketlist", "--bucket-dir", bucket_dir, "--has",
                     tmp_path / "nope.json", "--output-dir", tmp_path), "nope.json")
    assert_error(run("merge-bucketlist", "--bucket-dir", tmp_path / "nodir", "--has", has_path,
                     "--output-dir", tmp_path), "nodir")
    assert not (tmp_path / "nodir").exists()
    assert_error(run("merge-bucketlist", "--bucket-dir", bucket_dir, "--has", has_path,
                     "--output-dir", tmp_path / "noout"), "noout")
    r = run("merge-bucketlist", "--output-dir", tmp_path)
    assert r.returncode == 2 and b"--bucket-dir" in r.stderr      # argparse usage


# ------------------------------------------------------------- diag-bucket-stats

def write_bucket(path, records):
    w = RecordWriter(path)
    for rec in records:
        w.write(rec)
    w.finish()


def test_diag_bucket_stats_exact_output(tmp_path):
    """stellar-core's JSON, byte for byte (jsoncpp StyledWriter + an empty line)."""
    a1, a2 = account_entry(1, 10), account_entry(2, 20)
    cd = contract_data_entry(5, 6)
    recs = [BucketMetadata(P, 0).record(),
            struct.pack(">i", 2) + a1,
            struct.pack(">i", 0) + a2,
            struct.pack(">i", 1) + account_key(3),
            struct.pack(">i", 1) + contract_data_key(9, 0),    # contract 9 sorts first
            struct.pack(">i", 0) + cd]
    path = tmp_path / "bucket.xdr"
    write_bucket(path, recs)
    r = run("diag-bucket-stats", path)
    assert r.returncode == 0, r.stderr
    acct = len(a1) + 4
    assert r.stdout.decode() == (
        "{\n"
        '   "BUCKET_ENTRIES" : {\n'
        '      "DEADENTRY" : 2,\n'
        '      "INITENTRY" : 1,\n'
        '      "LIVEENTRY" : 2,\n'
        '      "METAENTRY" : 1\n'
        "   },\n"
        '   "LEDGER_ENTRIES" : {\n'
        '      "ACCOUNT" : {\n'
        f'         "avg" : {acct},\n'
        '         "count" : 2,\n'
        '         "dead_count" : 1\n'
        "      },\n"
        '      "CONTRACT_DATA" : {\n'
        f'         "avg" : {len(cd) + 4},\n'
        '         "count" : 1,\n'
        '         "dead_count" : 1\n'
        "      }\n"
        "   },\n"
        '   "LEDGER_VERSION" : 25\n'
        "}\n\n")


def expected_stats(records, aggregate=False):
    """diagnostics::bucketStats recomputed from decoded BucketEntries."""
    kinds, live, dead, per_account = {}, {}, {}, {}
    root = {}
    for rec in records:
        be = xdr.BucketEntry.from_xdr(rec)
        name = be.type.name
        kinds[name] = kinds.get(name, 0) + 1
        if name in ("LIVEENTRY", "INITENTRY"):
            le = be.liveEntry
            t = le.data.type.name
            c = live.setdefault(t, [0, 0])
            c[0] += 1
            c[1] += len(rec)
            owner = {"ACCOUNT": lambda d: d.account.accountID,
                     "TRUSTLINE": lambda d: d.trustLine.accountID,
                     "OFFER": lambda d: d.offer.sellerID,
                     "DATA": lambda d: d.data.accountID}.get(t)
            if owner:
                a = per_account.setdefault(owner(le.data).to_xdr(), [0, 0])
                a[0] += 1
                a[1] += len(rec)
        elif name == "DEADENTRY":
            t = be.deadEntry.type.name
            dead[t] = dead.get(t, 0) + 1
        else:
            root["LEDGER_VERSION"] = be.metaEntry.ledgerVersion
    root["BUCKET_ENTRIES"] = kinds or None
    root["LEDGER_ENTRIES"] = {t: {"count": n, "dead_count": dead.get(t, 0), "avg": b // n}
                              for t, (n, b) in live.items()} or None
    if aggregate:
        def stats(v):
            v = sorted(v)
            return {"count": len(v), "total": sum(v), "min": v[0], "max": v[-1],
                    "avg": sum(v) // len(v), "P50": v[len(v) // 2],
                    "P99": v[len(v) * 99 // 100]}
        root["AGG_ACCOUNT"] = {"BYTES": stats([b for _, b in per_account.values()]),
                               "ENTRIES": stats([n for n, _ in per_account.values()])}
    return root


def test_diag_bucket_stats_on_list_buckets(big_list):
    """Every bucket of a real list, with and without the account aggregation."""
    bucket_dir, has_path, _ = big_list
    from stellarcore.history.archive_state import HistoryArchiveState
    hashes = HistoryArchiveState.load(has_path).all_buckets()
    assert len(hashes) >= 6
    for h in hashes[:8]:
        path = bucket_dir / f"bucket-{h}.xdr"
        records = list(iter_records(path))
        for agg in (False, True):
            args = ["diag-bucket-stats", path] + (["--aggregate-account-stats"] if agg else [])
            r = run(*args)
            assert r.returncode == 0, r.stderr
            out = r.stdout.decode()
            assert out.endswith("}\n\n")
            doc = json.loads(out)
            assert doc == expected_stats(records, agg)
            assert out == styled_json(doc) + "\n"


def test_diag_bucket_stats_aggregation(tmp_path):
    """Accounts owning ACCOUNT and DATA entries, counted per owner."""
    state = {}
    for n in range(1, 51):
        state[account_key(n)] = account_entry(n, n)
        for j in range(n % 4):
            state[data_key(n, b"k%d" % j)] = data_entry(n, b"k%d" % j, b"v" * (n % 9))
    state[contract_data_key(1)] = contract_data_entry(1, 2)
    recs = [BucketMetadata(P, 0).record()]
    recs += [struct.pack(">i", 0) + state[k] for k in xdr_sorted(state)]
    path = tmp_path / "b.xdr"
    write_bucket(path, recs)
    r = run("diag-bucket-stats", "--aggregate-account-stats", path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc == expected_stats(recs, True)
    assert doc["AGG_ACCOUNT"]["ENTRIES"]["count"] == 50
    assert doc["AGG_ACCOUNT"]["ENTRIES"]["total"] == 50 + sum(n % 4 for n in range(1, 51))
    assert doc["AGG_ACCOUNT"]["ENTRIES"]["max"] == 4


def test_diag_bucket_stats_no_accounts_and_empty(tmp_path):
    path = tmp_path / "b.xdr"
    write_bucket(path, [BucketMetadata(P, 0).record(),
                        struct.pack(">i", 0) + contract_data_entry(1, 2)])
    r = run("diag-bucket-stats", "--aggregate-account-stats", path)
    assert r.returncode == 0, r.stderr
    zero = {"count": 0, "total": 0, "min": 0, "max": 0, "avg": 0, "P50": 0, "P99": 0}
    assert json.loads(r.stdout)["AGG_ACCOUNT"] == {"BYTES": zero, "ENTRIES": zero}
    path.write_bytes(b"")
    r = run("diag-bucket-stats", path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b'{\n   "BUCKET_ENTRIES" : null,\n   "LEDGER_ENTRIES" : null\n}\n\n'


def test_diag_bucket_stats_bad_input(tmp_path):
    assert_error(run("diag-bucket-stats", tmp_path / "nope.xdr"), "nope.xdr",
                 "No such file")
    assert_error(run("diag-bucket-stats", tmp_path), "Is a directory")
    good = [BucketMetadata(P, 0).record(), struct.pack(">i", 0) + account_entry(1, 1),
            struct.pack(">i", 0) + account_entry(2, 1)]
    path = tmp_path / "b.xdr"
    write_bucket(path, good)
    data = path.read_bytes()
    path.write_bytes(data[:-5])                                   # truncated
    assert_error(run("diag-bucket-stats", path), "truncated")
    path.write_bytes(b"this is not a bucket file\n")
    assert_error(run("diag-bucket-stats", path), str(path))
    write_bucket(path, [good[0], struct.pack(">i", 7) + account_entry(1, 1)])   # unknown kind
    assert_error(run("diag-bucket-stats", path), str(path), "BucketEntryType")
    write_bucket(path, [struct.pack(">iIi", -1, P, 5)])           # bad metadata ext
    assert_error(run("diag-bucket-stats", path), str(path), "BucketMetadataExt")
    write_bucket(path, [good[0], good[1][:20]])                    # entry cut in its key
    assert_error(run("diag-bucket-stats", path), str(path), "bad BucketEntry at offset 20:")


def test_diag_bucket_stats_unsorted_stream(tmp_path):
    """Not a valid bucket (out of order, METAENTRY twice), yet a stream of
    BucketEntries: stellar-core counts it, so do we (every record decoded)."""
    recs = [BucketMetadata(23, 0).record(),
            struct.pack(">i", 0) + account_entry(2, 1),
            struct.pack(">i", 2) + account_entry(1, 1),
            struct.pack(">i", 2) + data_entry(1, b"x"),
            BucketMetadata(P, 0).record(),
            struct.pack(">i", 1) + account_key(9)]
    path = tmp_path / "b.xdr"
    write_bucket(path, recs)
    for agg in (False, True):
        r = run("diag-bucket-stats", path, *(["--aggregate-account-stats"] if agg else []))
        assert r.returncode == 0, r.stderr
        doc = json.loads(r.stdout)
        assert doc == expected_stats(recs, agg)
        assert doc["BUCKET_ENTRIES"]["METAENTRY"] == 2 and doc["LEDGER_VERSION"] == P


def test_fast_and_decoded_stats_agree(big_list):
    """The index-scan path and the decode-everything path give the same JSON."""
    from stellarcore.main.commands import bucket_tools
    bucket_dir, has_path, _ = big_list
    from stellarcore.history.archive_state import HistoryArchiveState
    for h in HistoryArchiveState.load(has_path).all_buckets():
        path = str(bucket_dir / f"bucket-{h}.xdr")
        for agg in (False, True):
            assert bucket_tools.bucket_stats(path, agg) == \
                bucket_tools._decoded_stats(path, agg)
