"""Searchable bucket-list snapshots (BucketListDB queries) against a plain
dict of the live state, over a few hundred ledgers of random creates,
updates and deletes of every entry type, with individual, page and mixed
indexes; the hot archive likewise; and facts of stellar-core's
BucketIndexTests: newest version wins, tombstones hide, restored hot-archive
entries are absent, pool-share trustline queries, contract data keys with
the same SCVal, cache sizing."""
import os
import random
import threading

import pytest

from stellarcore import xdr
from stellarcore.bucket import bucketlistdb
from stellarcore.bucket.bucket_list import HotArchiveBucketList, LiveBucketList
from stellarcore.bucket.entries import DEADENTRY, HOT_ARCHIVE_LIVE
from stellarcore.bucket.manager import BucketManager
from stellarcore.bucket.snapshot import HotArchiveBucketListSnapshot, LiveBucketListSnapshot
from tests.bucket._bldb import (ACCOUNT, ALL_TYPES, CONFIG_SETTING, entry, h32, key, key_of,
                                persistent_entry, pk, sc_key)

P = 23

CONFIGS = {
    "individual": bucketlistdb.IndexConfig(),
    "page": bucketlistdb.IndexConfig(cutoff_bytes=0, page_size_exponent=10),
    "mixed": bucketlistdb.IndexConfig(cutoff_bytes=6000, page_size_exponent=9,
                                      persist_individual=True),
}


@pytest.fixture(params=sorted(CONFIGS))
def db(request, tmp_path):
    m = BucketManager(tmp_path / "buckets", do_fsync=False)
    bucketlistdb.install(m, CONFIGS[request.param])
    yield m
    m.shutdown()


class LiveModel:
    """Random ledger batches over a fixed universe of keys, and the state."""

    def __init__(self, seed, idents=50):
        self.rng = random.Random(seed)
        self.ids = [(t, i) for t in ALL_TYPES for i in range(3 if t == CONFIG_SETTING else idents)]
        self.keys = {ti: key(*ti) for ti in self.ids}
        self.state = {}
        self.recreated = 0
        self.deleted = set()
        absent = [(t, i) for t in ALL_TYPES if t != CONFIG_SETTING
                  for i in range(idents, idents + 4)]
        self.universe = list(self.keys.values()) + [key(*ti) for ti in absent]

    def batch(self, ledger, n=10):
        init, live, dead = [], [], []
        seen = set()
        for _ in range(n):
            ti = self.rng.choice(self.ids)
            if ti in seen:
                continue
            seen.add(ti)
            k = self.keys[ti]
            if k in self.state:
                if self.rng.random() < 0.35:
                    dead.append(k)
                    del self.state[k]
                    self.deleted.add(k)
                else:
                    e = entry(*ti, self.rng.randrange(2 ** 40), ledger)
                    live.append(e)
                    self.state[k] = e
            else:
                if k in self.deleted:
                    self.recreated += 1
                e = entry(*ti, self.rng.randrange(2 ** 40), ledger)
                init.append(e)
                self.state[k] = e
        return init, live, dead


def check_live(snap, state, universe):
    for k in universe:
        assert snap.load(k) == state.get(k)
    keys = list(universe)
    random.Random(len(keys)).shuffle(keys)
    assert snap.load_keys(keys) == {k: v for k, v in state.items() if k in set(universe)}
    sub = keys[: len(keys) // 3]
    assert snap.load_keys(sub) == {k: state[k] for k in sub if k in state}


def test_live_list_against_reference(db):
    bl = LiveBucketList()
    model = LiveModel(seed=11)
    kept = None
    for ledger in range(1, 301):
        bl.add_batch(db, ledger, P, *model.batch(ledger))
        if ledger % 30 == 0 or ledger < 6:
            snap = LiveBucketListSnapshot(bl, db, ledger_seq=ledger)
            check_live(snap, model.state, model.universe)
        if ledger == 150:
            kept = (LiveBucketListSnapshot(bl, db, ledger_seq=150), dict(model.state))
        if ledger % 50 == 0:
            # (resolve first: the GC would delete the output of a merge
            # finished in the background but not yet resolved)
            bl.resolve_all_futures()
            keep = bl.referenced_hashes()
            if kept:
                keep |= {b.hash for _, _, b in kept[0].buckets()}
            db.forget_unreferenced(keep)
    assert model.recreated > 10 and len(model.deleted) > 50
    final = LiveBucketListSnapshot(bl, db).buckets()
    assert max(lvl for lvl, _, _ in final) >= 4
    kinds = {b.index.is_page_index for _, _, b in final}
    cfg = db.index_factory.config
    assert kinds == ({False} if cfg.cutoff_bytes > 10 ** 6 else
                     {True} if cfg.cutoff_bytes == 0 else {False, True})
    # an old snapshot still answers for its ledger, though the list moved on
    # and its bucket files were garbage-collected
    bl.resolve_all_futures()
    db.forget_unreferenced(bl.referenced_hashes())
    assert any(not os.path.exists(b.path) for _, _, b in kept[0].buckets())
    check_live(kept[0], kept[1], model.universe)
    # records: the first bucket holding a deleted key may hold its tombstone
    snap = LiveBucketListSnapshot(bl, db)
    raw = snap.load_records(model.universe)
    for k in model.universe:
        r = snap.load_record(k)
        assert raw.get(k) == r
        if k in model.state:
            assert r[4:] == model.state[k]
        elif r is not None:
            assert r[:4] == DEADENTRY.to_bytes(4, "big")


def test_every_bucket_indexed_on_adoption(db):
    bl = LiveBucketList()
    model = LiveModel(seed=2)
    for ledger in range(1, 40):
        bl.add_batch(db, ledger, P, *model.batch(ledger))
    bl.resolve_all_futures()
    for _, _, b in bl.buckets():
        assert b.is_empty or b.index is not None


def test_hot_archive_against_reference(db):
    hot = HotArchiveBucketList()
    rng = random.Random(5)
    state = {}
    keys = {i: key_of(persistent_entry(i, 0)) for i in range(120)}
    for ledger in range(1, 201):
        archived, restored = [], []
        for i in rng.sample(range(120), 6):
            k = keys[i]
            if k in state and rng.random() < 0.5 or rng.random() < 0.1:
                restored.append(k)
                state.pop(k, None)
            else:
                e = persistent_entry(i, rng.randrange(2 ** 32), ledger)
                archived.append(e)
                state[k] = e
        hot.add_batch(db, ledger, P, archived, restored)
        if ledger % 40 == 0:
            snap = HotArchiveBucketListSnapshot(hot, db)
            for k in keys.values():
                assert snap.load(k) == state.get(k)
            assert snap.load_keys(list(keys.values())) == state
            for k in keys.values():
                r = snap.load_record(k)
                assert r is None or (r[4:] == state[k] if k in state else
                                     r[:4] == HOT_ARCHIVE_LIVE.to_bytes(4, "big"))
    assert any(b.index.is_page_index for _, _, b in HotArchiveBucketListSnapshot(hot, db).buckets())


def test_snapshot_kind_must_match(db):
    with pytest.raises(TypeError):
        LiveBucketListSnapshot(HotArchiveBucketList(), db)
    with pytest.raises(TypeError):
        HotArchiveBucketListSnapshot(LiveBucketList(), db)


# -- facts of BucketIndexTests -----------------------------------------------------

def test_do_not_load_outdated_values(db):
    """The newest version of an entry wins over older ones deeper down."""
    bl = LiveBucketList()
    k = key(ACCOUNT, 7)
    bl.add_batch(db, 1, P, [entry(ACCOUNT, 7, 0, 1)], [], [])
    for ledger in range(2, 130):
        bl.add_batch(db, ledger, P, [], [entry(ACCOUNT, 7, ledger, ledger)], [])
        snap = LiveBucketListSnapshot(bl, db)
        got = xdr.LedgerEntry.from_xdr(snap.load(k))
        assert got.lastModifiedLedgerSeq == ledger
        assert snap.load_keys([k]) == {k: entry(ACCOUNT, 7, ledger, ledger)}
    # versions of the key exist in several buckets; only the newest is returned
    assert sum(1 for _, _, b in snap.buckets() if b.index.lookup(k) is not None) > 2


def test_dead_entries_hide_older_versions(db):
    bl = LiveBucketList()
    ks = [key(ACCOUNT, i) for i in range(10)]
    bl.add_batch(db, 1, P, [entry(ACCOUNT, i, i) for i in range(10)], [], [])
    for ledger in range(2, 40):
        bl.add_batch(db, ledger, P, [], [], [])
    bl.add_batch(db, 40, P, [], [], ks[:5])
    snap = LiveBucketListSnapshot(bl, db)
    assert [snap.load(k) is None for k in ks] == [True] * 5 + [False] * 5
    assert sorted(snap.load_keys(ks)) == sorted(ks[5:])
    for k in ks[:5]:
        assert snap.load_record(k)[:4] == DEADENTRY.to_bytes(4, "big")
    # keys never in the list: absent both ways
    never = [key(t, 999) for t in ALL_TYPES if t != CONFIG_SETTING]
    assert snap.load_keys(never) == {} and all(snap.load(k) is None for k in never)


def test_hot_archive_bucket_lookups(db):
    """stellar-core's "hot archive bucket lookups": restored keys load as
    absent, archived ones as their entry; a later HOT_ARCHIVE_LIVE shadows
    an archived entry; a later ARCHIVED version shadows the older one."""
    hot = HotArchiveBucketList()
    archived = [persistent_entry(i, i, 1) for i in range(10)]
    restored = [key_of(persistent_entry(100 + i, 0)) for i in range(10)]
    ledger = 1
    hot.add_batch(db, ledger, P, archived, restored)
    snap = HotArchiveBucketListSnapshot(hot, db)
    for e in archived:
        assert snap.load(key_of(e)) == e
    for k in restored:
        assert snap.load(k) is None
    assert snap.load_keys([key_of(e) for e in archived] + restored) == {key_of(e): e for e in archived}
    for _ in range(100):
        ledger += 1
        hot.add_batch(db, ledger, P, [], [])
    shadow = [key_of(archived[0]), key_of(archived[1])]
    ledger += 1
    hot.add_batch(db, ledger, P, [], shadow)
    snap = HotArchiveBucketListSnapshot(hot, db)
    assert all(snap.load(k) is None for k in shadow) and snap.load_keys(shadow) == {}
    newer = persistent_entry(3, 999, ledger + 1)          # same key as archived[3]
    assert key_of(newer) == key_of(archived[3])
    ledger += 1
    hot.add_batch(db, ledger, P, [newer], [])
    snap = HotArchiveBucketListSnapshot(hot, db)
    assert snap.load(key_of(newer)) == newer
    assert snap.load_keys([key_of(newer)]) == {key_of(newer): newer}


def test_contract_data_keys_with_same_scval(db):
    """Entries that differ only in contract or durability are distinct."""
    bl = LiveBucketList()
    val = sc_key(12)
    ents = []
    for c in range(3):
        for dur in (0, 1):
            ents.append(xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=xdr.LedgerEntryData(
                contractData=xdr.ContractDataEntry(
                    contract=xdr.SCAddress(contractId=h32("same", c)), key=val,
                    durability=xdr.ContractDataDurability(dur),
                    val=xdr.SCVal(u32=10 * c + dur)))).to_xdr())
    bl.add_batch(db, 1, P, ents, [], [])
    snap = LiveBucketListSnapshot(bl, db)
    assert len({key_of(e) for e in ents}) == 6
    for e in ents:
        assert snap.load(key_of(e)) == e
    assert snap.load_keys([key_of(e) for e in ents]) == {key_of(e): e for e in ents}


class PoolShareModel:
    """stellar-core's BucketIndexPoolShareTest: pools of three assets, each
    with trustlines of two accounts; the query is for one account and one
    asset; some trustlines are later deleted or modified."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.acct = pk(1)
        self.acct2 = pk(2)
        self.target = xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=b"ast1", issuer=pk(10)))
        self.a2 = xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=b"ast2", issuer=pk(10)))
        self.a3 = xdr.Asset(alphaNum12=xdr.AlphaNum12(assetCode=b"ast3".ljust(12, b"\0"),
                                                      issuer=pk(11)))
        self.expected = {}
        self.expected2 = {}
        self.n = 0

    def trustline(self, account, pool_id, balance, ledger):
        return xdr.LedgerEntry(lastModifiedLedgerSeq=ledger, data=xdr.LedgerEntryData(
            trustLine=xdr.TrustLineEntry(accountID=account,
                                         asset=xdr.TrustLineAsset(liquidityPoolID=pool_id),
                                         balance=balance, limit=10 ** 9))).to_xdr()

    def batch(self, ledger, multi_version):
        rng = self.rng
        init, live, dead = [], [], []
        r = rng.random()
        if r < 0.3:
            self.n += 1
            pid = h32("pool", self.n)
            if rng.random() < 0.5:
                other = rng.choice([self.a2, self.a3])
                a, b = (self.target, other) if rng.random() < 0.5 else (other, self.target)
                has_target = True
            else:
                a, b = self.a2, self.a3
                has_target = False
            pool = xdr.LedgerEntry(lastModifiedLedgerSeq=ledger, data=xdr.LedgerEntryData(
                liquidityPool=xdr.LiquidityPoolEntry(
                    liquidityPoolID=pid, body=xdr.LiquidityPoolEntryBody(
                        constantProduct=xdr.LiquidityPoolEntryConstantProduct(
                            params=xdr.LiquidityPoolConstantProductParameters(
                                assetA=a, assetB=b, fee=30)))))).to_xdr()
            t1 = self.trustline(self.acct, pid, 0, ledger)
            t2 = self.trustline(self.acct2, pid, 0, ledger)
            init += [pool, t1, t2]
            if has_target:
                self.expected[key_of(t1)] = t1
                self.expected2[key_of(t2)] = t2
        elif multi_version and r < 0.4 and self.expected:
            k = sorted(self.expected)[0]
            del self.expected[k]
            dead.append(k)
        elif multi_version and r < 0.5 and self.expected:
            k = sorted(self.expected)[0]
            old = xdr.LedgerEntry.from_xdr(self.expected[k])
            old.data.trustLine.balance += 10
            old.lastModifiedLedgerSeq = ledger
            self.expected[k] = old.to_xdr()
            live.append(self.expected[k])
        return init, live, dead


@pytest.mark.parametrize("multi_version", [False, True])
def test_load_pool_share_trustlines_by_account_and_asset(db, multi_version):
    bl = LiveBucketList()
    model = PoolShareModel(seed=3 + multi_version)
    for ledger in range(1, 200):
        bl.add_batch(db, ledger, P, *model.batch(ledger, multi_version))
    snap = LiveBucketListSnapshot(bl, db)
    got = snap.load_pool_share_trustlines_by_account_and_asset(model.acct.to_xdr(),
                                                               model.target.to_xdr())
    assert len(model.expected) > 5
    assert got == [model.expected[k] for k in sorted(model.expected)]
    # the other account's trustlines were made too, and an unrelated asset finds none
    got2 = snap.load_pool_share_trustlines_by_account_and_asset(model.acct2.to_xdr(),
                                                                model.target.to_xdr())
    assert got2 == [model.expected2[k] for k in sorted(model.expected2)]
    usd = xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=b"USD\0", issuer=pk(10)))
    assert snap.load_pool_share_trustlines_by_account_and_asset(model.acct.to_xdr(),
                                                                usd.to_xdr()) == []
    with pytest.raises(ValueError):
        snap.load_pool_share_trustlines_by_account_and_asset(b"\0" * 32, usd.to_xdr())


# -- the cache (stellar-core "bl cache") ------------------------------------------

def _accounts_list(m, ledgers=64, per=40):
    bl = LiveBucketList()
    n = 0
    for ledger in range(1, ledgers + 1):
        bl.add_batch(m, ledger, P, [entry(ACCOUNT, n + i, i, ledger) for i in range(per)],
                     [], [])
        n += per
    bl.resolve_all_futures()
    return bl, n


def test_cache_holds_every_account_when_memory_suffices(tmp_path):
    m = BucketManager(tmp_path / "b", do_fsync=False)
    bucketlistdb.install(m, bucketlistdb.IndexConfig(cutoff_bytes=0, page_size_exponent=12,
                                                     memory_for_caching=1 << 30))
    bl, n = _accounts_list(m)
    snap = LiveBucketListSnapshot(bl, m)
    for _, _, b in snap.buckets():
        accounts = b.index.entry_type_counts()[bucketlistdb.LedgerEntryTypeAndDurability.ACCOUNT]
        assert b.index.max_cache_size == accounts
    for i in range(n):
        assert snap.load(key(ACCOUNT, i)) is not None
    hits = sum(b.index.stats()["cache_hits"] for _, _, b in snap.buckets())
    for i in range(n):
        assert snap.load(key(ACCOUNT, i)) is not None
    assert sum(b.index.stats()["cache_hits"] for _, _, b in snap.buckets()) - hits >= n * 0.9
    m.shutdown()


def test_cache_sized_by_share_of_memory(tmp_path):
    m = BucketManager(tmp_path / "b", do_fsync=False)
    budget = 40_000
    bucketlistdb.install(m, bucketlistdb.IndexConfig(cutoff_bytes=0, page_size_exponent=12,
                                                     memory_for_caching=budget))
    bl, n = _accounts_list(m)
    snap = LiveBucketListSnapshot(bl, m)
    total_cached = sum(b.index.max_cache_size for _, _, b in snap.buckets())
    total_accounts = sum(b.index.num_records for _, _, b in snap.buckets())
    avg = sum(bucketlistdb.account_bytes(b.index) for _, _, b in snap.buckets()) / total_accounts
    assert 0 < total_cached < total_accounts
    assert total_cached * avg <= budget * 1.01
    assert total_cached * avg >= budget * 0.5        # rounding down per bucket and per set
    for i in range(n):
        assert snap.load(key(ACCOUNT, i)) == entry(ACCOUNT, i, i % 40, i // 40 + 1)
    for _, _, b in snap.buckets():
        assert b.index.cache_size <= b.index.max_cache_size
    m.shutdown()


def test_cache_disabled_by_default(tmp_path):
    m = BucketManager(tmp_path / "b", do_fsync=False)
    bucketlistdb.install(m, bucketlistdb.IndexConfig(cutoff_bytes=0))
    bl, _ = _accounts_list(m, 16, 10)
    snap = LiveBucketListSnapshot(bl, m)
    assert all(not b.index.has_cache for _, _, b in snap.buckets())
    m.shutdown()


def test_snapshot_shared_by_threads(db):
    bl = LiveBucketList()
    model = LiveModel(seed=8)
    for ledger in range(1, 120):
        bl.add_batch(db, ledger, P, *model.batch(ledger))
    snap = LiveBucketListSnapshot(bl, db)
    errors = []

    def worker(seed):
        rng = random.Random(seed)
        try:
            for _ in range(3000):
                k = rng.choice(model.universe)
                if snap.load(k) != model.state.get(k):
                    errors.append(k)
            sub = rng.sample(model.universe, 100)
            if snap.load_keys(sub) != {k: model.state[k] for k in sub if k in model.state}:
                errors.append("bulk")
        except Exception as e:          # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
