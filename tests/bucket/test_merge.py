"""Bucket files and merges: the entry-kind rules of stellar-core's
BucketTests ("merging bucket entries", "merging bucket entries with
initentry", "merging hot archive bucket entries", "merges refuse to exceed
max protocol version"), the file format checked with stellar-sdk's XDR, and
bad input."""
import hashlib
import struct

import pytest
from hypothesis import given, settings, strategies as st

from stellarcore.bucket import keys
from stellarcore.bucket.bucket import EMPTY
from stellarcore.bucket.bucket_file import BucketFileError, RecordWriter, iter_records
from stellarcore.bucket.entries import (BucketMetadata, DEADENTRY, HOT_ARCHIVE_ARCHIVED,
                                        HOT_ARCHIVE_LIVE, INITENTRY, LIVEENTRY, METAENTRY,
                                        ZERO_HASH)
from stellarcore.bucket.merge import MergeError, merge_files
from tests.bucket._entries import (account_entry, account_key, contract_data_entry,
                                   contract_data_key, counts, kinds_and_records)

P = 23


def merge(m, old, new, keep=True, hot=False, protocol=P):
    return m.merge(old, new, hot=hot, keep_tombstones=keep, max_protocol=protocol)


def test_file_is_record_marked_and_hash_is_sha256_of_file(manager):
    b = manager.fresh_live(P, [account_entry(2, 5)], [account_entry(1, 7)], [account_key(3)])
    data = open(b.path, "rb").read()
    assert hashlib.sha256(data).digest() == b.hash
    # METAENTRY first (v1 LIVE from protocol 23), then entries in key order.
    recs = list(iter_records(b.path))
    assert BucketMetadata.from_record(recs[0]) == BucketMetadata(P, 0)
    assert [struct.unpack_from(">i", r)[0] for r in recs] == [METAENTRY, LIVEENTRY, INITENTRY, DEADENTRY]
    # marks have the high bit set and the length of the record
    off = 0
    for r in recs:
        mark = struct.unpack_from(">I", data, off)[0]
        assert mark == 0x80000000 | len(r)
        off += 4 + len(r)
    assert off == len(data)


def test_bucket_entries_decode_with_stellar_sdk(manager):
    sdk = pytest.importorskip("stellar_sdk.xdr")
    b = manager.fresh_live(P, [contract_data_entry(4, 1)], [account_entry(1, 7)], [account_key(3)])
    recs = list(iter_records(b.path))
    meta = sdk.BucketEntry.from_xdr_bytes(recs[0])
    assert meta.type == sdk.BucketEntryType.METAENTRY and meta.meta_entry.ledger_version.uint32 == P
    assert meta.meta_entry.ext.v == 1
    decoded = [sdk.BucketEntry.from_xdr_bytes(r) for r in recs[1:]]
    assert [d.type for d in decoded] == [sdk.BucketEntryType.LIVEENTRY, sdk.BucketEntryType.DEADENTRY,
                                         sdk.BucketEntryType.INITENTRY]
    hb = manager.fresh_hot(P, [contract_data_entry(9, 1)], [contract_data_key(8)])
    hrecs = list(iter_records(hb.path))
    hmeta = sdk.HotArchiveBucketEntry.from_xdr_bytes(hrecs[0])
    assert hmeta.meta_entry.ext.bucket_list_type == sdk.BucketListType.HOT_ARCHIVE
    assert [sdk.HotArchiveBucketEntry.from_xdr_bytes(r).type for r in hrecs[1:]] == [
        sdk.HotArchiveBucketEntryType.HOT_ARCHIVE_LIVE, sdk.HotArchiveBucketEntryType.HOT_ARCHIVE_ARCHIVED]


def test_empty_batch_still_writes_the_meta_entry(manager):
    b = manager.fresh_live(P, [], [], [])
    assert not b.is_empty and counts(b) == {METAENTRY: 1}


def test_two_empty_inputs_give_the_empty_bucket(manager):
    out = merge(manager, EMPTY, EMPTY)
    assert out is EMPTY and out.hash == ZERO_HASH


def test_merge_with_empty_reproduces_the_input(manager):
    b = manager.fresh_live(P, [account_entry(1, 1)], [account_entry(2, 2)], [account_key(3)])
    assert merge(manager, EMPTY, b).hash == b.hash
    assert merge(manager, b, EMPTY).hash == b.hash


def test_dead_and_init_annihilate(manager):
    # "dead and init account entries merge correctly"
    b_init = manager.fresh_live(P, [account_entry(1, 10)], [], [])
    b_dead = manager.fresh_live(P, [], [], [account_key(1)])
    assert counts(merge(manager, b_init, b_dead)) == {METAENTRY: 1}


def test_dead_and_init_with_intervening_live(manager):
    b_init = manager.fresh_live(P, [account_entry(1, 10)], [], [])
    b_live = manager.fresh_live(P, [], [account_entry(1, 11)], [])
    b_dead = manager.fresh_live(P, [], [], [account_key(1)])
    m1 = merge(manager, b_init, b_live)
    assert [k for k, _ in kinds_and_records(m1)] == [METAENTRY, INITENTRY]   # INIT + LIVE -> INIT(new)
    assert kinds_and_records(m1)[1][1][4:] == account_entry(1, 11)
    assert counts(merge(manager, m1, b_dead)) == {METAENTRY: 1}


def test_dead_and_init_annihilate_multiple_live_entries_via_separate_buckets(manager):
    bold = manager.fresh_live(P, [account_entry(1, 10)], [], [])
    bmed = manager.fresh_live(P, [], [account_entry(2, 1), account_entry(3, 1),
                                      account_entry(1, 12), account_entry(4, 1)], [])
    bnew = manager.fresh_live(P, [], [], [account_key(1)])
    assert counts(bold) == {METAENTRY: 1, INITENTRY: 1}
    assert counts(bmed) == {METAENTRY: 1, LIVEENTRY: 4}
    assert counts(bnew) == {METAENTRY: 1, DEADENTRY: 1}
    m1 = merge(manager, bold, bmed)
    assert counts(m1) == {METAENTRY: 1, INITENTRY: 1, LIVEENTRY: 3}
    m2 = merge(manager, m1, bnew)
    assert counts(m2) == {METAENTRY: 1, LIVEENTRY: 3}


def test_dead_then_init_becomes_live(manager):
    b_dead = manager.fresh_live(P, [], [], [account_key(1)])
    b_init = manager.fresh_live(P, [account_entry(1, 3)], [], [])
    out = kinds_and_records(merge(manager, b_dead, b_init))
    assert [k for k, _ in out] == [METAENTRY, LIVEENTRY]
    assert out[1][1][4:] == account_entry(1, 3)


def test_init_over_live_is_a_malformed_bucket(manager):
    b_live = manager.fresh_live(P, [], [account_entry(1, 3)], [])
    b_init = manager.fresh_live(P, [account_entry(1, 4)], [], [])
    with pytest.raises(MergeError, match="old non-DEAD \\+ new INIT"):
        merge(manager, b_live, b_init)
    with pytest.raises(MergeError):
        merge(manager, b_init, b_init)


def test_newer_live_wins_and_dead_annihilates_live(manager):
    old = manager.fresh_live(P, [], [account_entry(i, 1) for i in range(10)], [])
    new = manager.fresh_live(P, [], [account_entry(i, 2) for i in range(0, 10, 2)],
                             [account_key(i) for i in range(1, 10, 2)])
    out = kinds_and_records(merge(manager, old, new))
    assert [k for k, _ in out[1:]] == [LIVEENTRY, DEADENTRY] * 5
    bottom = kinds_and_records(merge(manager, old, new, keep=False))
    assert [k for k, _ in bottom[1:]] == [LIVEENTRY] * 5   # tombstones dropped at the bottom
    assert all(r[4:] == account_entry(i, 2) for (k, r), i in zip(bottom[1:], range(0, 10, 2)))


def test_init_is_never_normalized_to_live_even_at_the_bottom(manager):
    b = manager.fresh_live(P, [account_entry(1, 1)], [], [])
    assert counts(merge(manager, EMPTY, b, keep=False)) == {METAENTRY: 1, INITENTRY: 1}


def test_hot_archive_newer_wins_and_live_tombstones_drop_at_bottom(manager):
    old = manager.fresh_hot(P, [contract_data_entry(1, 1), contract_data_entry(2, 1)], [])
    new = manager.fresh_hot(P, [contract_data_entry(1, 2)], [contract_data_key(2)])
    out = kinds_and_records(merge(manager, old, new, hot=True))
    assert sorted(out[1:]) == sorted([
        (HOT_ARCHIVE_ARCHIVED, struct.pack(">i", 0) + contract_data_entry(1, 2)),
        (HOT_ARCHIVE_LIVE, struct.pack(">i", 1) + contract_data_key(2))])
    bottom = kinds_and_records(merge(manager, old, new, hot=True, keep=False))
    assert [k for k, _ in bottom[1:]] == [HOT_ARCHIVE_ARCHIVED]
    assert BucketMetadata.from_record(bottom[0][1]) == BucketMetadata(P, 1)


def test_merge_metadata_is_max_version_and_newest_ext(manager):
    a = manager.fresh_live(22, [], [account_entry(1, 1)], [])   # ext v0 before protocol 23
    b = manager.fresh_live(23, [], [account_entry(2, 1)], [])
    assert a.metadata == BucketMetadata(22, None)
    out = merge(manager, a, b, protocol=24)
    assert out.metadata == BucketMetadata(23, 0)
    out2 = merge(manager, b, a, protocol=24)
    assert out2.metadata == BucketMetadata(23, 0)   # ext from the old input when new is v0


def test_merges_refuse_to_exceed_max_protocol_version(manager):
    a = manager.fresh_live(23, [], [account_entry(1, 1)], [])
    b = manager.fresh_live(24, [], [account_entry(2, 1)], [])
    with pytest.raises(ValueError, match="exceeds maxProtocolVersion"):
        merge(manager, a, b, protocol=23)


def test_duplicate_keys_in_a_batch_are_refused(manager):
    with pytest.raises(ValueError, match="two entries"):
        manager.fresh_live(P, [account_entry(1, 1)], [account_entry(1, 2)], [])


# -- bad input -------------------------------------------------------------------

def _write(path, records):
    w = RecordWriter(str(path))
    for r in records:
        w.write(r)
    w.finish()
    return str(path)


def test_unsorted_input_is_refused(tmp_path):
    meta = BucketMetadata(P, 0).record()
    live = lambda n: struct.pack(">i", LIVEENTRY) + account_entry(n, 1)
    bad = _write(tmp_path / "bad.xdr", [meta, live(2), live(1)])
    good = _write(tmp_path / "good.xdr", [meta, live(5)])
    with pytest.raises(MergeError, match="out of order"):
        merge_files(good, bad, str(tmp_path / "out.xdr"), hot=False, keep_tombstones=True,
                    max_protocol=P)
    assert not (tmp_path / "out.xdr").exists()


def test_truncated_file_is_refused(tmp_path):
    meta = BucketMetadata(P, 0).record()
    p = _write(tmp_path / "t.xdr", [meta, struct.pack(">i", LIVEENTRY) + account_entry(1, 1)])
    data = open(p, "rb").read()
    open(p, "wb").write(data[:-3])
    with pytest.raises(BucketFileError, match="truncated"):
        merge_files(p, None, str(tmp_path / "o.xdr"), hot=False, keep_tombstones=True, max_protocol=P)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_garbage_files_give_one_clear_error(tmp_path_factory, blob):
    d = tmp_path_factory.mktemp("g")
    p = d / "g.xdr"
    p.write_bytes(blob)
    try:
        merge_files(str(p), None, str(d / "o.xdr"), hot=False, keep_tombstones=True, max_protocol=P)
    except (BucketFileError, ValueError):
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["init", "live", "dead"])), max_size=25),
       st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["init", "live", "dead"])), max_size=25),
       st.booleans())
def test_merge_matches_a_model_of_the_cap20_rules(tmp_path_factory, old_ops, new_ops, keep):
    """Any two well-formed buckets merge as a dictionary model says."""
    from stellarcore.bucket.manager import BucketManager
    m = BucketManager(tmp_path_factory.mktemp("m"), do_fsync=False)

    def batch(ops):
        d = {}
        for n, kind in ops:
            d[n] = kind
        init = [account_entry(n, 100 + n) for n, k in d.items() if k == "init"]
        live = [account_entry(n, 200 + n) for n, k in d.items() if k == "live"]
        dead = [account_key(n) for n, k in d.items() if k == "dead"]
        return d, m.fresh_live(P, init, live, dead)

    od, ob = batch(old_ops)
    nd, nb = batch(new_ops)
    if any(nd[k] == "init" and od.get(k) not in (None, "dead") for k in nd):
        with pytest.raises(MergeError):
            merge(m, ob, nb, keep)
        return
    model = {}
    for k in sorted(set(od) | set(nd)):
        o, n = od.get(k), nd.get(k)
        if n is None:
            res = o
        elif o is None:
            res = n
        elif n == "init":
            res = "live:new"      # old DEAD + new INIT
        elif o == "init":
            res = "init:new" if n == "live" else None
        else:
            res = n
        if res is not None:
            model[k] = res
    out = kinds_and_records(merge(m, ob, nb, keep))
    got = {}
    for kind, rec in out[1:]:
        n = struct.unpack_from(">Q", rec, 16)[0] if kind != DEADENTRY else struct.unpack_from(">Q", rec, 12)[0]
        got[n] = (kind, rec)
    expect = {}
    for k, res in model.items():
        if res == "dead" and not keep:
            continue
        if res in ("live:new",):
            expect[k] = LIVEENTRY
        elif res == "init:new":
            expect[k] = INITENTRY
        else:
            expect[k] = {"init": INITENTRY, "live": LIVEENTRY, "dead": DEADENTRY}[res]
    assert {k: v[0] for k, v in got.items()} == expect
    # order keys strictly increasing
    ks = [keys.bucket_entry_order_key(r) for _, r in out[1:]]
    assert ks == sorted(ks) and len(set(ks)) == len(ks)
    m.shutdown()


def test_large_output_hash_matches_the_file(tmp_path):
    """Past the first full buffer the writer hashes on a second thread;
    records larger than the buffer are hashed in line: the digest is still
    SHA-256 of the file."""
    import random
    rng = random.Random(4)
    w = RecordWriter(str(tmp_path / "big.xdr"))
    for i in range(40_000):
        w.write(rng.randbytes(4 * rng.randrange(1, 40)))
        if i == 20_000:
            w.write(rng.randbytes(3 << 20))       # one record bigger than the buffer
    digest = w.finish()
    assert digest == hashlib.sha256((tmp_path / "big.xdr").read_bytes()).digest()
    w2 = RecordWriter(str(tmp_path / "aborted.xdr"))
    for _ in range(20_000):
        w2.write(rng.randbytes(160))
    w2.abort()
    assert not (tmp_path / "aborted.xdr").exists()
