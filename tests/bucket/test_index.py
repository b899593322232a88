"""The BucketListDB per-bucket index (stellarcore.bucket.index): lookups
against the records written, for random buckets of every entry type and
both index kinds; the page layout, type ranges, counters and pool map
against a plain scan of the file (stellar-core's DiskIndex rules and
BucketIndexTests facts); the filter; persistence (reload equal; stale,
foreign, truncated and corrupt files refused, and rebuilt by the factory);
the manager wiring; the entry cache."""
import hashlib
import os
import random
import struct
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from stellarcore import xdr
from stellarcore.bucket import bucketlistdb, index as ix
from stellarcore.bucket.bucket_file import BucketFileError, RecordReader, RecordWriter
from stellarcore.bucket.entries import (BucketMetadata, DEADENTRY, HOT_ARCHIVE_ARCHIVED,
                                        HOT_ARCHIVE_LIVE, INITENTRY, LIVEENTRY, with_kind)
from stellarcore.bucket.keys import bucket_entry_order_key, hot_archive_entry_order_key
from stellarcore.bucket.manager import BucketManager
from stellarcore.xdr.errors import XdrError
from tests.bucket._bldb import (ACCOUNT, ALL_TYPES, ASSETS, CONFIG_SETTING, CONTRACT_DATA,
                                LIQUIDITY_POOL, TRUSTLINE, entry, key, key_of, persistent_entry,
                                pool_entry, write_bucket)

TD = ix.LedgerEntryTypeAndDurability


def record_for(t, ident, kind, version):
    if kind == DEADENTRY:
        return with_kind(DEADENTRY, key(t, ident))
    return with_kind(kind, entry(t, ident, version, last_modified=version % 1000 + 1))


def make_bucket(d, records, hot=False):
    path = os.path.join(d, f"b{random.getrandbits(40):x}.xdr")
    h = write_bucket(path, records, hot=hot)
    return path, h


def scan(path, hot=False):
    """(offset, order key, record) of every entry of a bucket file (METAENTRY skipped)."""
    out = []
    r = RecordReader(path)
    ok = hot_archive_entry_order_key if hot else bucket_entry_order_key
    while True:
        off = r.position
        rec = r.read()
        if rec is None:
            break
        k = ok(rec)
        if k:
            out.append((off, k, rec))
    r.close()
    return out, os.path.getsize(path)


# -- random buckets against the records written ---------------------------------

ident_st = st.tuples(st.sampled_from(ALL_TYPES), st.integers(0, 60)).map(
    lambda ti: (ti[0], ti[1] % 3) if ti[0] == CONFIG_SETTING else ti)
bucket_st = st.dictionaries(ident_st, st.tuples(st.sampled_from([INITENTRY, LIVEENTRY, DEADENTRY]),
                                                st.integers(0, 2 ** 40)), max_size=120)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bucket_st, st.sampled_from([0, 64, 256, 4096, 16384]), st.randoms(use_true_random=False))
def test_random_bucket_lookups(content, page_size, rnd):
    expected = {key(t, i): record_for(t, i, kind, v) for (t, i), (kind, v) in content.items()}
    with tempfile.TemporaryDirectory() as d:
        path, h = make_bucket(d, list(expected.values()))
        idx = ix.build_index(path, h, page_size)
        assert idx.num_records == len(expected) and not idx.hot
        assert idx.page_size == page_size
        absent = [key(t, i) for t in ALL_TYPES for i in range(61, 64) if t != CONFIG_SETTING]
        absent += [key(t, i) for t in ALL_TYPES for i in range(0, 61, 7)
                   if (t, i) not in content and not (t == CONFIG_SETTING and i > 2)]
        for k in list(expected) + absent:
            assert idx.lookup(k) == expected.get(k)
            want = expected.get(k)
            live = None if want is None or want[:4] == b"\0\0\0\1" else want[4:]
            assert ix.load_entry((idx,), k) == live
        keys = list(expected) + absent
        rnd.shuffle(keys)
        bulk = ix.load_entries((idx,), keys)
        assert bulk == {k: r[4:] for k, r in expected.items() if r[:4] != b"\0\0\0\1"}
        assert ix.load_entries((idx,), keys, raw=True) == expected
        # saved and loaded back: equal, and answers the same
        p = os.path.join(d, "i.index")
        idx.save(p)
        again = ix.load_index(p, path, h, page_size)
        assert again == idx
        assert ix.load_entries((again,), keys, raw=True) == expected
        assert ix.build_index(path, h, page_size) == idx        # deterministic build


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(st.integers(0, 200), st.tuples(st.booleans(), st.integers(0, 2 ** 32)),
                       max_size=80),
       st.sampled_from([0, 128, 16384]))
def test_random_hot_archive_bucket(content, page_size):
    recs = {}
    for i, (archived, v) in content.items():
        e = persistent_entry(i, v)
        recs[key_of(e)] = (with_kind(HOT_ARCHIVE_ARCHIVED, e) if archived
                           else with_kind(HOT_ARCHIVE_LIVE, key_of(e)))
    with tempfile.TemporaryDirectory() as d:
        path, h = make_bucket(d, list(recs.values()), hot=True)
        idx = ix.build_index(path, h, page_size)
        assert idx.hot and idx.pool_ids_by_asset(ASSETS[0]) == ()
        for k, r in recs.items():
            assert idx.lookup(k) == r
        for i in range(201, 210):
            assert idx.lookup(key_of(persistent_entry(i, 0))) is None
        assert ix.load_entries((idx,), list(recs)) == {
            k: r[4:] for k, r in recs.items() if r[:4] == b"\0\0\0\0"}
        counts = idx.counts_by_kind()
        n_arch = sum(1 for a, _ in content.values() if a)
        got_arch = sum(c for (td, kind), (c, _) in counts.items() if kind == HOT_ARCHIVE_ARCHIVED)
        assert got_arch == n_arch
        assert all(td in (TD.PERSISTENT_CONTRACT_DATA, TD.CONTRACT_CODE) for td, _ in counts)


# -- layout facts (DiskIndex / InMemoryIndex construction) ----------------------------

def many_records(n=400, seed=1):
    rng = random.Random(seed)
    recs = {}
    for t in ALL_TYPES:
        for i in range(3 if t == CONFIG_SETTING else n // 10):
            kind = rng.choice([INITENTRY, LIVEENTRY, DEADENTRY])
            recs[(t, i)] = record_for(t, i, kind, rng.randrange(2 ** 32))
    return list(recs.values())


@pytest.mark.parametrize("page_size", [128, 1024, 4096])
def test_pages_follow_stellar_core_rule(tmp_path, page_size):
    """A page starts with the first record at or past the next multiple of
    the page size; it keeps its first and last key; pages tile the file."""
    path, h = make_bucket(str(tmp_path), many_records())
    idx = ix.build_index(path, h, page_size)
    recs, size = scan(path)
    pages = []
    upper = 0
    for off, k, _ in recs:
        if off >= upper:
            upper = (off // page_size) * page_size + page_size
            pages.append([k, k, off])
        else:
            pages[-1][1] = k
    assert idx.order_keys() == [((lo, hi), off) for lo, hi, off in pages]
    assert idx.num_ranges == len(pages) and idx.file_size == size


def test_individual_index_keys_every_record(tmp_path):
    path, h = make_bucket(str(tmp_path), many_records())
    idx = ix.build_index(path, h, 0)
    recs, _ = scan(path)
    assert idx.order_keys() == [(k, off) for off, k, _ in recs]


@pytest.mark.parametrize("page_size", [0, 512])
def test_type_ranges(tmp_path, page_size):
    """getRangeForType: from the type's first record to the next type's
    first record (the end of the file for the last type); None if absent."""
    present = (ACCOUNT, TRUSTLINE, CONTRACT_DATA, 9)
    recs = [r for r in many_records() if bucket_entry_order_key(r)[0] in present]
    path, h = make_bucket(str(tmp_path), recs)
    idx = ix.build_index(path, h, page_size)
    scanned, size = scan(path)
    starts = {}
    for off, k, _ in scanned:
        starts.setdefault(k[0], off)
    order = sorted(starts.items(), key=lambda kv: kv[1])
    for j, (t, start) in enumerate(order):
        end = order[j + 1][1] if j + 1 < len(order) else size
        assert idx.get_range_for_type(t) == (start, end)
        # every record in the range has the type, and none outside
        inside = [k[0] for off, k, _ in scanned if start <= off < end]
        assert inside and set(inside) == {t}
    for t in ALL_TYPES:
        if t not in present:
            assert idx.get_range_for_type(t) is None


def test_single_type_mixed_live_and_dead(tmp_path):
    recs = [record_for(ACCOUNT, i, DEADENTRY if i % 2 else LIVEENTRY, i) for i in range(50)]
    path, h = make_bucket(str(tmp_path), recs)
    idx = ix.build_index(path, h, 256)
    scanned, size = scan(path)
    assert idx.get_range_for_type(ACCOUNT) == (scanned[0][0], size)
    assert all(idx.get_range_for_type(t) is None for t in ALL_TYPES if t != ACCOUNT)


@pytest.mark.parametrize("page_size", [0, 1024])
def test_entry_counters(tmp_path, page_size):
    """BucketEntryCounters: per LedgerEntryTypeAndDurability (contract data
    split by durability) the count and XDR size of the entries, METAENTRY
    excluded; here also split by kind."""
    recs = many_records(600, seed=5)
    path, h = make_bucket(str(tmp_path), recs)
    idx = ix.build_index(path, h, page_size)
    want = {}
    for r in recs:
        kind = struct.unpack_from(">i", r, 0)[0]
        ok = bucket_entry_order_key(r)
        t = ok[0]
        td = t if t < 6 else (6 + ok[-1] if t == 6 else t + 1)
        c, s = want.get((td, kind), (0, 0))
        want[(td, kind)] = (c + 1, s + len(r))
    assert {(int(td), k): v for (td, k), v in idx.counts_by_kind().items()} == want
    counts = idx.entry_type_counts()
    for td in TD:
        assert counts[td] == sum(c for (t, _), (c, _) in want.items() if t == td)
    assert sum(idx.entry_type_sizes().values()) == sum(len(r) for r in recs)
    assert counts[TD.TEMPORARY_CONTRACT_DATA] > 0 and counts[TD.PERSISTENT_CONTRACT_DATA] > 0


@pytest.mark.parametrize("page_size", [0, 256])
def test_asset_to_pool_ids_from_init_entries_only(tmp_path, page_size):
    """stellar-core indexes assetA and assetB of INITENTRY liquidity pools
    only (pool IDs are hashes of the assets; LIVE updates add nothing)."""
    recs = []
    want = {}
    for i in range(30):
        a, b = ASSETS[i % 4], ASSETS[(i + 1) % 4]
        kind = (INITENTRY, LIVEENTRY, DEADENTRY)[i % 3]
        if kind == DEADENTRY:
            recs.append(with_kind(DEADENTRY, key(LIQUIDITY_POOL, i)))
            continue
        e = xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=xdr.LedgerEntryData(
            liquidityPool=pool_entry(i, 5, a, b))).to_xdr()
        recs.append(with_kind(kind, e))
        if kind == INITENTRY:
            pid = e[8:40]
            want.setdefault(a.to_xdr(), []).append((bucket_entry_order_key(recs[-1]), pid))
            want.setdefault(b.to_xdr(), []).append((bucket_entry_order_key(recs[-1]), pid))
    path, h = make_bucket(str(tmp_path), recs)
    idx = ix.build_index(path, h, page_size)
    for asset, lst in want.items():
        assert idx.pool_ids_by_asset(asset) == tuple(p for _, p in sorted(lst))  # file order
    assert set(idx.asset_pool_map) == set(want)
    assert idx.pool_ids_by_asset(ix.order_key(key(ACCOUNT, 1))) == ()


# -- the filter -----------------------------------------------------------------

@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 17, 100, 1000, 5000])
def test_filter_has_no_false_negatives(tmp_path, n):
    recs = [with_kind(LIVEENTRY, entry(ACCOUNT, i, i)) for i in range(n)]
    path, h = make_bucket(str(tmp_path), recs)
    for ps in (0, 4096):
        idx = ix.build_index(path, h, ps)
        assert idx.has_filter == (n >= 2)
        for i in range(n):
            assert idx.maybe_contains(key(ACCOUNT, i))
            assert idx.lookup(key(ACCOUNT, i)) == recs[i]
        if n >= 1000:
            assert idx.filter_bytes <= 2 * 1.3 * n + 4096


def test_filter_rate_and_false_positives(tmp_path):
    """A filter negative touches no key array and no file; a false positive
    (the filter lets an absent key through) is found absent after the page
    is read (page index) or after the binary search (individual index)."""
    n = 3000
    recs = [with_kind(LIVEENTRY, entry(ACCOUNT, 2 * i, i)) for i in range(n)]
    path, h = make_bucket(str(tmp_path), recs)
    page = ix.build_index(path, h, 1024)
    indiv = ix.build_index(path, h, 0)
    fps = []
    tries = 300000
    for j in range(tries):
        k = struct.pack(">ii", 0, 0) + hashlib.sha256(b"absent%d" % j).digest()
        if page.maybe_contains(k):
            fps.append(k)
    assert len(fps) / tries < 0.0002           # 16-bit fingerprints: ~1.5e-5
    assert fps, "no false positive in 300,000 tries (expected about 4)"
    for idx in (page, indiv):
        before = idx.stats()
        for j in range(100):
            k = struct.pack(">ii", 0, 0) + hashlib.sha256(b"absent%d" % j).digest()
            if k not in fps:
                assert idx.lookup(k) is None
        after = idx.stats()
        assert after["reads"] == before["reads"]
        assert after["filter_negatives"] - before["filter_negatives"] == 100 - sum(
            1 for j in range(100) if struct.pack(">ii", 0, 0) +
            hashlib.sha256(b"absent%d" % j).digest() in fps)
        for k in fps:
            assert idx.lookup(k) is None
            assert ix.load_entries((idx,), [k]) == {}
        st_ = idx.stats()
        assert st_["false_positives"] - after["false_positives"] == 2 * len(fps)
    assert page.stats()["reads"] >= 1      # the page of a false positive was read
    assert indiv.stats()["reads"] == 0     # the binary search alone said no


# -- persistence ------------------------------------------------------------------

@pytest.fixture
def saved(tmp_path):
    path, h = make_bucket(str(tmp_path), many_records(300, seed=9))
    idx = ix.build_index(path, h, 512)
    ipath = str(tmp_path / "i.index")
    idx.save(ipath)
    return idx, path, h, ipath


def test_reload_equal_and_usable(saved):
    idx, path, h, ipath = saved
    again = ix.load_index(ipath, path, h, 512)
    assert again == idx and again.to_bytes() == idx.to_bytes()
    for ident in range(30):
        k = key(ACCOUNT, ident)
        assert again.lookup(k) == idx.lookup(k)


def test_truncated_index_refused(saved):
    idx, path, h, ipath = saved
    data = open(ipath, "rb").read()
    for cut in (0, 5, 8, 40, len(data) // 2, len(data) - 33, len(data) - 1):
        with open(ipath, "wb") as f:
            f.write(data[:cut])
        with pytest.raises(ix.CorruptIndexError):
            ix.load_index(ipath, path, h, 512)


def test_damaged_index_refused(saved):
    idx, path, h, ipath = saved
    data = open(ipath, "rb").read()
    rng = random.Random(3)
    for pos in [0, 3, 9] + [rng.randrange(12, len(data)) for _ in range(40)]:
        bad = bytearray(data)
        bad[pos] ^= 0x40
        with open(ipath, "wb") as f:
            f.write(bad)
        with pytest.raises(ix.IndexFileError):
            ix.load_index(ipath, path, h, 512)


def _rewrite(data, **fields):
    """The index bytes with header fields changed and the checksum redone."""
    names = ("version", "flags", "page_size", "hash", "file_size", "records", "n", "nk",
             "blob_len", "seed", "seg_len", "seg_count_len", "array_len", "zero", "pools_len")
    fmt = struct.Struct("<III32sQQQQQQIIIIQ")
    vals = dict(zip(names, fmt.unpack_from(data, 12)))
    vals.update(fields)
    body = bytearray(data[:-32])
    fmt.pack_into(body, 12, *(vals[n] for n in names))
    return bytes(body) + hashlib.sha256(body).digest()


def test_stale_and_foreign_indexes(saved, tmp_path):
    idx, path, h, ipath = saved
    data = open(ipath, "rb").read()
    with pytest.raises(ix.StaleIndexError):           # built for another page size
        ix.load_index(ipath, path, h, 1024)
    with pytest.raises(ix.ForeignIndexError):         # another bucket's hash
        ix.load_index(ipath, path, bytes(32), 512)
    for fields, err in (({"version": 99}, ix.StaleIndexError),
                        ({"file_size": 12}, ix.ForeignIndexError)):
        open(ipath, "wb").write(_rewrite(data, **fields))
        with pytest.raises(err):
            ix.load_index(ipath, path, h, 512)
    bad_mark = data[:8] + struct.pack("=I", 0x04030201) + data[12:]
    open(ipath, "wb").write(bad_mark)
    with pytest.raises(ix.StaleIndexError):           # other byte order
        ix.load_index(ipath, path, h, 512)
    open(ipath, "wb").write(b"not an index at all" * 10)
    with pytest.raises(ix.CorruptIndexError, match="not a bucket index"):
        ix.load_index(ipath, path, h, 512)


def test_inconsistent_index_with_valid_checksum_refused(saved):
    """Structure checks behind the checksum: a file whose arrays disagree."""
    idx, path, h, ipath = saved
    data = open(ipath, "rb").read()
    for fields in ({"records": idx.num_records + 1}, {"n": idx.num_ranges - 1},
                   {"seg_len": 8}, {"blob_len": 3}):
        open(ipath, "wb").write(_rewrite(data, **fields))
        with pytest.raises(ix.CorruptIndexError):
            ix.load_index(ipath, path, h, 512)
    # swap two file offsets: out of order
    body = bytearray(data[:-32])
    start = ix.HEADER_SIZE + 2 * 8 * 33 + 2 * 8 * 10 + 8 * (2 * idx.num_ranges + 1)
    a = body[start + 8:start + 16]
    body[start + 8:start + 16] = body[start + 16:start + 24]
    body[start + 16:start + 24] = a
    open(ipath, "wb").write(bytes(body) + hashlib.sha256(body).digest())
    with pytest.raises(ix.CorruptIndexError, match="out of order"):
        ix.load_index(ipath, path, h, 512)


# -- the factory and the manager ---------------------------------------------------

def fill(manager, n_buckets=3, n=200):
    out = []
    for b in range(n_buckets):
        init = [entry(ACCOUNT, b * 1000 + i, i) for i in range(n)]
        out.append(manager.fresh_live(23, init, [], []))
    return out


def test_factory_persists_page_indexes_and_reloads(tmp_path):
    cfg = bucketlistdb.IndexConfig(cutoff_bytes=10_000, page_size_exponent=10)
    m = BucketManager(tmp_path / "b", do_fsync=False)
    f = bucketlistdb.install(m, cfg)
    big = fill(m, 2, 200)              # ~27 KB: page index, persisted
    small = fill(m, 1, 10)[0]          # individual index: not persisted (as stellar-core)
    for b in big:
        assert b.index is not None and b.index.page_size == 1024
        assert os.path.exists(bucketlistdb.index_path(m.bucket_dir, b))
    assert small.index.page_size == 0
    assert not os.path.exists(bucketlistdb.index_path(m.bucket_dir, small))
    assert f.built == 3 and f.loaded == 0
    m.shutdown()
    # restart: the saved indexes are loaded, not rebuilt
    m2 = BucketManager(tmp_path / "b", do_fsync=False)
    f2 = bucketlistdb.install(m2, cfg)
    for b in big:
        b2 = m2.get_bucket(b.hash)
        assert b2.index == b.index
    assert f2.loaded == 2 and f2.built == 0
    # another page size: every saved index is stale, rebuilt and rewritten
    m2.shutdown()
    cfg3 = bucketlistdb.IndexConfig(cutoff_bytes=10_000, page_size_exponent=11)
    m3 = BucketManager(tmp_path / "b", do_fsync=False)
    f3 = bucketlistdb.install(m3, cfg3)
    for b in big:
        b3 = m3.get_bucket(b.hash)
        assert b3.index.page_size == 2048
        on_disk = ix.load_index(bucketlistdb.index_path(m3.bucket_dir, b3), b3.path, b3.hash, 2048)
        assert on_disk == b3.index
    assert f3.built == 2
    # garbage collection deletes the index with the bucket
    m3.forget_unreferenced(set())
    assert not [n for n in os.listdir(m3.bucket_dir) if n.endswith(".index")]
    m3.shutdown()


def test_factory_rebuilds_bad_index_files(tmp_path, caplog):
    cfg = bucketlistdb.IndexConfig(cutoff_bytes=0, page_size_exponent=9)
    m = BucketManager(tmp_path / "b", do_fsync=False)
    bucketlistdb.install(m, cfg)
    b1, b2 = fill(m, 2, 100)
    p1 = bucketlistdb.index_path(m.bucket_dir, b1)
    p2 = bucketlistdb.index_path(m.bucket_dir, b2)
    good = open(p1, "rb").read()
    m.shutdown()
    variants = [good[:len(good) // 3],                                   # truncated
                good[:100] + bytes([good[100] ^ 1]) + good[101:],        # damaged
                open(p2, "rb").read(),                                   # foreign
                _rewrite(good, version=7),                               # stale
                b""]                                                     # empty
    for bad in variants:
        open(p1, "wb").write(bad)
        mm = BucketManager(tmp_path / "b", do_fsync=False)
        f = bucketlistdb.install(mm, cfg)
        with caplog.at_level("INFO"):
            b = mm.get_bucket(b1.hash)
        assert f.built == 1
        assert b.index == b1.index
        assert open(p1, "rb").read() == good                # rewritten
        assert "rebuilding bucket index" in caplog.text
        caplog.clear()
        mm.shutdown()


def test_persist_individual_and_persist_off(tmp_path):
    m = BucketManager(tmp_path / "b", do_fsync=False)
    bucketlistdb.install(m, bucketlistdb.IndexConfig(persist_individual=True))
    b = fill(m, 1, 20)[0]
    assert b.index.page_size == 0 and os.path.exists(bucketlistdb.index_path(m.bucket_dir, b))
    m.shutdown()
    m = BucketManager(tmp_path / "c", do_fsync=False)
    bucketlistdb.install(m, bucketlistdb.IndexConfig(cutoff_bytes=0, persist=False))
    b = fill(m, 1, 20)[0]
    assert b.index.page_size == 16384
    assert not os.path.exists(bucketlistdb.index_path(m.bucket_dir, b))
    m.shutdown()


def test_page_size_selection():
    c = bucketlistdb.IndexConfig()
    assert c.page_size(20 * 1024 * 1024 - 1) == 0
    assert c.page_size(20 * 1024 * 1024) == 16384
    assert c.page_size(10, hot=True) == 16384
    c0 = bucketlistdb.IndexConfig(page_size_exponent=0)
    assert c0.page_size(10 ** 12) == 0 and c0.page_size(10, hot=True) == 16384
    assert bucketlistdb.IndexConfig.from_core_config(index_cutoff_mb=1).cutoff_bytes == 1 << 20


# -- errors -----------------------------------------------------------------------

def test_unsorted_or_malformed_bucket_refused(tmp_path):
    p = str(tmp_path / "u.xdr")
    w = RecordWriter(p)
    w.write(BucketMetadata.for_fresh(23, False).record())
    w.write(with_kind(LIVEENTRY, entry(ACCOUNT, 2, 1)))
    w.write(with_kind(LIVEENTRY, entry(ACCOUNT, 2, 1)))
    w.finish()
    with pytest.raises(BucketFileError, match="increasing"):
        ix.build_index(p, bytes(32), 0)
    p2 = str(tmp_path / "m.xdr")
    w = RecordWriter(p2)
    w.write(BucketMetadata.for_fresh(23, False).record())
    w.write(with_kind(LIVEENTRY, b"\0\0\0\1\0\0\0\x63"))
    w.finish()
    with pytest.raises(BucketFileError, match="bad record"):
        ix.build_index(p2, bytes(32), 0)
    with pytest.raises(ValueError):
        ix.build_index(p2, bytes(32), 1000)


def test_bad_key_raises(tmp_path):
    path, h = make_bucket(str(tmp_path), [with_kind(LIVEENTRY, entry(ACCOUNT, 1, 1))])
    idx = ix.build_index(path, h, 0)
    with pytest.raises(XdrError):
        idx.lookup(b"\0\0\0\x63\0\0\0\0")
    with pytest.raises(XdrError):
        ix.load_entry((idx,), key(ACCOUNT, 1) + b"\0\0\0\0")


def test_meta_only_bucket(tmp_path):
    path, h = make_bucket(str(tmp_path), [])
    for ps in (0, 16384):
        idx = ix.build_index(path, h, ps)
        assert idx.num_records == 0 and idx.num_ranges == 0 and not idx.has_filter
        assert idx.lookup(key(ACCOUNT, 1)) is None
        assert all(idx.get_range_for_type(t) is None for t in ALL_TYPES)
        p = str(tmp_path / f"{ps}.index")
        idx.save(p)
        assert ix.load_index(p, path, h, ps) == idx


def test_deleted_bucket_file_still_readable(tmp_path):
    """The index keeps its descriptor: garbage collection may unlink the
    file while a snapshot still searches it."""
    recs = [with_kind(LIVEENTRY, entry(ACCOUNT, i, i)) for i in range(100)]
    path, h = make_bucket(str(tmp_path), recs)
    idx = ix.build_index(path, h, 1024)
    os.unlink(path)
    for i in range(100):
        assert idx.lookup(key(ACCOUNT, i)) == recs[i]


# -- the cache --------------------------------------------------------------------

def test_cache_is_bounded_and_transparent(tmp_path):
    recs = ([with_kind(LIVEENTRY, entry(ACCOUNT, i, i)) for i in range(400)] +
            [with_kind(DEADENTRY, key(ACCOUNT, 1000 + i)) for i in range(50)] +
            [with_kind(LIVEENTRY, entry(TRUSTLINE, i, i)) for i in range(100)])
    by_key = {key_of(r[4:]) if r[:4] != b"\0\0\0\1" else r[4:]: r for r in recs}
    path, h = make_bucket(str(tmp_path), recs)
    idx = ix.build_index(path, h, 2048)
    idx.init_cache(64)
    assert idx.has_cache and idx.max_cache_size == 64
    rng = random.Random(4)
    keys = list(by_key)
    for _ in range(3000):
        k = rng.choice(keys)
        assert idx.lookup(k) == by_key[k]
        assert idx.cache_size <= 64
    s = idx.stats()
    assert s["cache_hits"] > 0 and s["cache_misses"] > 0
    # only ACCOUNT records are cached (dead ones too)
    idx.init_cache(10_000)
    for k in keys:
        idx.lookup(k)
    assert idx.cache_size == 450
    reads = idx.stats()["reads"]
    for k in keys[:450]:
        if k[:4] == b"\0\0\0\0":
            assert idx.lookup(k) == by_key[k]
    assert idx.stats()["reads"] == reads               # all from the cache
    assert idx.cache_bytes >= sum(len(by_key[k]) for k in keys if k[:4] == b"\0\0\0\0")
    idx.init_cache(0)
    assert not idx.has_cache and idx.cache_size == 0
    for k in keys:
        assert idx.lookup(k) == by_key[k]


def test_records_larger_than_a_page(tmp_path):
    """A record longer than the page size makes a page of its own (pages
    start at record boundaries); lookups around it still work."""
    big = [xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=xdr.LedgerEntryData(
        contractCode=xdr.ContractCodeEntry(hash=bytes([i]) * 32, code=bytes(5000 + 997 * i))))
        .to_xdr() for i in range(6)]
    recs = [with_kind(INITENTRY, e) for e in big]
    recs += [with_kind(LIVEENTRY, entry(ACCOUNT, i, i)) for i in range(100)]
    path, h = make_bucket(str(tmp_path), recs)
    for ps in (0, 1024, 4096):
        idx = ix.build_index(path, h, ps)
        for r in recs:
            k = key_of(r[4:])
            assert idx.lookup(k) == r
        offs = [off for _, off in idx.order_keys()]
        assert offs == sorted(offs) and len(set(offs)) == len(offs)
    assert ix.load_entries((idx,), [key_of(e) for e in big]) == {key_of(e): e for e in big}


def test_bulk_keys_any_bytes_like_and_duplicates(tmp_path):
    recs = [with_kind(LIVEENTRY, entry(ACCOUNT, i, i)) for i in range(20)]
    path, h = make_bucket(str(tmp_path), recs)
    idx = ix.build_index(path, h, 0)
    k = key(ACCOUNT, 3)
    got = ix.load_entries((idx,), [k, bytearray(k), memoryview(k), key(ACCOUNT, 99)])
    assert got == {k: recs[3][4:]}
    assert ix.load_entry((idx,), bytearray(k)) == recs[3][4:]
    assert ix.load_entries((idx,), []) == {} and ix.load_entries((), [k]) == {}
    assert ix.load_entry((), k) is None and ix.load_record((), k) is None
