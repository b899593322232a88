"""BucketListRoot (LedgerTxnRoot over BucketListDB) against InMemoryRoot.

The oracle is the tests' plain-dict root, InMemoryRoot, and the rules
stellar-core v25.0.1 gives the real root (ledger/LedgerTxn.cpp
LedgerTxnRoot::Impl::getNewestVersion: Soroban types from
InMemorySorobanState, offers from SQL, the rest from the BucketListDB
snapshot; commitChild writes only offers to SQL, on the open session):
the same LedgerTxn operations over both roots must give the same reads,
the same best-offer order (isBetterOffer: double price, then offer ID -
PARITY_TRAPS D2), the same by-seller and pool-share-trustline queries
(PARITY_TRAPS D6), the same bucket batch and hence the same bucket-list
hash when both batches go through LiveBucketList.add_batch; and a node
restarted on the bucket list (stellar-core's maybeRebuildLedger for the
offers table, initializeStateFromSnapshot for the Soroban state, as
bucket/test/BucketIndexTests.cpp "soroban cache population" checks) reads
the same again.
"""
from __future__ import annotations

import contextlib
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from stellarcore import xdr
from stellarcore.bucket.bucket_list import LiveBucketList
from stellarcore.bucket.manager import BucketManager
from stellarcore.database import Database
from stellarcore.ledger.bucket_root import BucketListRoot, BucketRootError
from stellarcore.ledger.in_memory_soroban_state import InMemorySorobanStateError
from stellarcore.ledger.keys import (account_key, claimable_balance_key, data_key, liquidity_pool_key, offer_key,
                                     pool_share_trustline_key, trustline_key)
from stellarcore.ledger.ledger_txn import InMemoryRoot, LedgerTxn
from stellarcore.ledger.order_book import MemoryOrderBook, asset_pair, seller_prefix
from tests.ledger.soroban_entries import CostConfig, data_entry, key_of, ttl_entry, ttl_key_of

PROTOCOL = 25
NO_CODE_CFG = CostConfig(b"", b"")     # cost parameters are read only for CONTRACT_CODE
BIG = 2 ** 31 - 1
# (BIG-1)/BIG and (BIG-2)/(BIG-1) are the same double (PARITY_TRAPS D2).
PRICES = [(1, 1), (1, 2), (2, 1), (3, 7), (BIG - 1, BIG), (BIG - 2, BIG - 1), (5, 3)]


def pk(i):
    return xdr.PublicKey(ed25519=bytes([i + 1]) * 32)


ISSUER = pk(30)
NATIVE = xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE)
USD = xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=b"USD\0", issuer=ISSUER))
EUR = xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=b"EUR\0", issuer=ISSUER))
ASSETS = [NATIVE, USD, EUR]
PAIRS = [(a, b) for a in ASSETS for b in ASSETS if a != b]


def header(seq):
    return xdr.LedgerHeader(
        ledgerVersion=PROTOCOL, previousLedgerHash=bytes(32),
        scpValue=xdr.StellarValue(txSetHash=bytes(32), closeTime=seq, upgrades=[], ext=xdr.StellarValueExt(0)),
        txSetResultHash=bytes(32), bucketListHash=bytes(32), ledgerSeq=seq, totalCoins=10 ** 18, feePool=0,
        inflationSeq=0, idPool=0, baseFee=100, baseReserve=100, maxTxSetSize=100, skipList=[bytes(32)] * 4,
        ext=xdr.LedgerHeaderExt(0))


def le(data):
    return xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=data, ext=xdr.LedgerEntryExt(0))


def pool_id(j):
    return bytes([0x70 + j]) * 32


# -- the things a ledger can hold -----------------------------------------------------
class Thing:
    """One ledger key and how to create / change its entry from a value."""
    soroban = False

    def can_create(self, ltx):
        return True

    def can_delete(self, ltx):
        return True


class Account(Thing):
    def __init__(self, i):
        self.id = pk(i)
        self.key = account_key(self.id)

    def make(self, v):
        return le(xdr.LedgerEntryData(account=xdr.AccountEntry(
            accountID=self.id, balance=v, seqNum=v << 8, thresholds=b"\x01\0\0\0")))

    def change(self, e, v):
        e.data.account.balance = v


class CreditLine(Thing):
    def __init__(self, i, asset):
        self.id, self.asset = pk(i), asset
        self.key = trustline_key(self.id, asset)

    def make(self, v):
        tla = xdr.TrustLineAsset.from_xdr(self.asset.to_xdr())
        return le(xdr.LedgerEntryData(trustLine=xdr.TrustLineEntry(
            accountID=self.id, asset=tla, balance=v, limit=10 ** 12, flags=1)))

    def change(self, e, v):
        e.data.trustLine.balance = v


class Offer(Thing):
    def __init__(self, seller, offer_id):
        self.seller, self.offer_id = pk(seller), offer_id
        self.key = offer_key(self.seller, offer_id)

    def make(self, v):
        selling, buying = PAIRS[v % len(PAIRS)]
        n, d = PRICES[(v // 7) % len(PRICES)]
        return le(xdr.LedgerEntryData(offer=xdr.OfferEntry(
            sellerID=self.seller, offerID=self.offer_id, selling=selling, buying=buying, amount=v,
            price=xdr.Price(n=n, d=d), flags=0)))

    def change(self, e, v):
        fresh = self.make(v).data.offer
        o = e.data.offer
        o.selling, o.buying, o.price, o.amount = fresh.selling, fresh.buying, fresh.price, fresh.amount


class Pool(Thing):
    """Liquidity pools are never deleted here: a pool-share trustline
    needs its pool (the ledger's invariant the bucket index relies on)."""

    def __init__(self, j):
        self.j = j
        self.key = liquidity_pool_key(pool_id(j))

    def make(self, v):
        a, b = [(NATIVE, USD), (NATIVE, EUR), (USD, EUR)][self.j % 3]
        return le(xdr.LedgerEntryData(liquidityPool=xdr.LiquidityPoolEntry(
            liquidityPoolID=pool_id(self.j), body=xdr.LiquidityPoolEntryBody(
                constantProduct=xdr.LiquidityPoolEntryConstantProduct(
                    params=xdr.LiquidityPoolConstantProductParameters(assetA=a, assetB=b, fee=30),
                    reserveA=v, reserveB=v + 1, totalPoolShares=v, poolSharesTrustLineCount=1)))))

    def change(self, e, v):
        e.data.liquidityPool.body.constantProduct.reserveA = v

    def can_delete(self, ltx):
        return False


class PoolShareLine(Thing):
    def __init__(self, i, j):
        self.id, self.j = pk(i), j
        self.key = pool_share_trustline_key(self.id, pool_id(j))

    def make(self, v):
        return le(xdr.LedgerEntryData(trustLine=xdr.TrustLineEntry(
            accountID=self.id, asset=xdr.TrustLineAsset(liquidityPoolID=pool_id(self.j)), balance=v,
            limit=10 ** 12, flags=1)))

    def change(self, e, v):
        e.data.trustLine.balance = v

    def can_create(self, ltx):
        return ltx.load_without_record(liquidity_pool_key(pool_id(self.j))) is not None


class Data(Thing):
    def __init__(self, i):
        self.id, self.name = pk(i % 3), b"name%d" % i
        self.key = data_key(self.id, self.name)

    def make(self, v):
        return le(xdr.LedgerEntryData(data=xdr.DataEntry(accountID=self.id, dataName=self.name,
                                                         dataValue=v.to_bytes(8, "big"))))

    def change(self, e, v):
        e.data.data.dataValue = v.to_bytes(8, "big")


class Balance(Thing):
    def __init__(self, i):
        self.bid = xdr.ClaimableBalanceID(v0=bytes([0x40 + i]) * 32)
        self.key = claimable_balance_key(self.bid)

    def make(self, v):
        return le(xdr.LedgerEntryData(claimableBalance=xdr.ClaimableBalanceEntry(
            balanceID=self.bid, claimants=[], asset=NATIVE, amount=v)))

    def change(self, e, v):
        e.data.claimableBalance.amount = v


class ContractData(Thing):
    """A CONTRACT_DATA entry and its TTL, created and erased together (the
    in-memory Soroban state allows no entry without a TTL)."""
    soroban = True

    def __init__(self, i):
        self.i = i
        self.key = key_of(data_entry(contract=i % 2 + 1, name=b"k%d" % i))
        self.ttl_key = ttl_key_of(self.key)

    def make(self, v):
        return data_entry(contract=self.i % 2 + 1, name=b"k%d" % self.i, value=v.to_bytes(4, "big"))

    def make_ttl(self, v):
        return ttl_entry(self.key, 1000 + v)

    def change(self, e, v):
        e.data.contractData.val = xdr.SCVal(xdr.SCValType.SCV_BYTES, v.to_bytes(4, "big"))


class TtlOf(Thing):
    """The TTL of a ContractData: extended, never created or erased alone."""
    soroban = True

    def __init__(self, cd):
        self.key = cd.ttl_key

    def change(self, e, v):
        e.data.ttl.liveUntilLedgerSeq += v % 50 + 1

    def can_create(self, ltx):
        return False

    def can_delete(self, ltx):
        return False


CDS = [ContractData(i) for i in range(4)]
THINGS = ([Account(i) for i in range(4)] + [CreditLine(i, a) for i in range(2) for a in (USD, EUR)]
          + [Offer(s, 10 * s + k) for s in range(3) for k in range(1, 5)]    # offer IDs are unique
          + [Pool(j) for j in range(3)]
          + [PoolShareLine(i, j) for i in range(3) for j in range(3)] + [Data(i) for i in range(3)]
          + [Balance(i) for i in range(2)] + CDS + [TtlOf(cd) for cd in CDS])
UPSERT, DELETE, TOUCH = range(3)


def act(ltx, thing, op, v):
    """One change through a LedgerTxn, decided by the current state."""
    cur = ltx.load_without_record(thing.key)
    if op == TOUCH:
        ltx.load(thing.key)                 # loaded for write: LIVE even if unchanged (L7)
    elif op == DELETE:
        if cur is not None and thing.can_delete(ltx):
            ltx.erase(thing.key)
            if isinstance(thing, ContractData):
                ltx.erase(thing.ttl_key)
    elif cur is None:
        if thing.can_create(ltx):
            ltx.create(thing.make(v))
            if isinstance(thing, ContractData):
                ltx.create(thing.make_ttl(v))
    else:
        thing.change(ltx.load(thing.key), v)


def close(root, seq, actions):
    """One ledger: each action in a child LedgerTxn, committed or rolled back."""
    ltx = LedgerTxn(root)
    ltx.header.ledgerSeq = seq
    ltx.header.scpValue.closeTime = seq
    for idx, op, v, rollback in actions:
        child = LedgerTxn(ltx)
        act(child, THINGS[idx], op, v)
        if rollback:
            child.rollback()
        else:
            child.commit()
    ltx.commit()


# -- the two worlds -----------------------------------------------------------------------
class Worlds:
    """An InMemoryRoot and a BucketListRoot fed the same ledgers, each with
    its own bucket list."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.manager = BucketManager(f"{tmp}/buckets", do_fsync=False)
        self.mem = InMemoryRoot(header(1), offers=MemoryOrderBook())
        self.mem_list = LiveBucketList()
        self.list = LiveBucketList()
        self.db = Database(f"{tmp}/node.db")
        self.root = BucketListRoot.open(self.db, self.manager, self.list, header(1), soroban_config=NO_CODE_CFG)

    def close(self, seq, actions):
        close(self.mem, seq, actions)
        with self.db.transaction():          # the ledger manager's SQL transaction
            close(self.root, seq, actions)

    def add_batches(self, seq):
        self.mem_list.add_batch(self.manager, seq, PROTOCOL, *self.mem.last_delta)
        self.list.add_batch(self.manager, seq, PROTOCOL, *self.root.last_delta)
        self.root.advance(self.list, soroban_config=NO_CODE_CFG)

    def shutdown(self):
        self.db.close()
        self.manager.shutdown()


@contextlib.contextmanager
def worlds():
    with tempfile.TemporaryDirectory() as tmp:
        w = Worlds(tmp)
        try:
            yield w
        finally:
            w.shutdown()


def offers_in_order(root, pair):
    out, worse = [], None
    while True:
        r = root.best_offer(pair, worse, [])
        if r is None:
            return out
        out.append((r[0], r[1], r[2].to_xdr()))
        worse = r[0]


def observe(root):
    """Everything a LedgerTxn can ask a root, as bytes."""
    reads = {}
    for t in THINGS:
        e = root.get_entry(t.key)
        reads[t.key] = None if e is None else e.to_xdr()
        if isinstance(t, ContractData):
            e = root.get_entry(t.ttl_key)
            reads[t.ttl_key] = None if e is None else e.to_xdr()
    books = {i: offers_in_order(root, asset_pair(b, s)) for i, (b, s) in enumerate(PAIRS)}
    sellers = {i: sorted(root.keys_with_prefix(seller_prefix(pk(i)))) for i in range(3)}
    pool_lines = {i: sorted(root.keys_with_prefix(pool_share_trustline_key(pk(i), b"")
                                                  [:44])) for i in range(3)}
    return reads, books, sellers, pool_lines


def delta_bytes(delta):
    init, live, dead = delta
    return (sorted(e.to_xdr() for e in init), sorted(e.to_xdr() for e in live), sorted(dead))


def soroban_records(state):
    return sorted((r[0].to_xdr(), r[1], r[2], r[3]) for r in state.records())


action = st.tuples(st.integers(0, len(THINGS) - 1), st.sampled_from([UPSERT, UPSERT, UPSERT, DELETE, TOUCH]),
                   st.integers(1, 10 ** 6), st.sampled_from([False, False, False, True]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers=st.lists(st.lists(action, max_size=30), min_size=1, max_size=20))
def test_same_reads_batches_and_hash_as_in_memory_root(ledgers):
    with worlds() as w:
        for seq, actions in enumerate(ledgers, start=2):
            w.close(seq, actions)
            # committed, not yet in the bucket list: the pending overlay
            assert observe(w.root) == observe(w.mem)
            assert delta_bytes(w.root.last_delta) == delta_bytes(w.mem.last_delta)
            w.add_batches(seq)
            assert w.list.hash() == w.mem_list.hash()
            assert observe(w.root) == observe(w.mem)
            assert w.root.soroban_state.ledger_seq == seq
        # restart on the bucket list with an empty database: the offers table
        # is rebuilt and the Soroban state filled from the buckets
        db2 = Database(f"{w.tmp}/restarted.db")
        again = BucketListRoot.open(db2, w.manager, w.list, w.root.header, soroban_config=NO_CODE_CFG)
        assert observe(again) == observe(w.mem)
        assert soroban_records(again.soroban_state) == soroban_records(w.root.soroban_state)
        assert again.soroban_state.get_size() == w.root.soroban_state.get_size()
        db2.close()


# -- deterministic cases ---------------------------------------------------------------------
def _idx(thing_type, n=0):
    return [i for i, t in enumerate(THINGS) if type(t) is thing_type][n]


@pytest.fixture
def w():
    with worlds() as ws:
        yield ws


def test_reads_between_commit_and_advance_come_from_the_commit(w):
    acc, cd = _idx(Account), _idx(ContractData)
    w.close(2, [(acc, UPSERT, 5, False), (cd, UPSERT, 7, False)])
    w.add_batches(2)
    assert w.root.get_entry(THINGS[acc].key).data.account.balance == 5
    w.close(3, [(acc, DELETE, 0, False), (cd, UPSERT, 9, False)])
    # the buckets still hold the account and the old contract data
    assert w.root.snapshot.load(THINGS[acc].key) is not None
    assert w.root.get_entry(THINGS[acc].key) is None
    assert w.root.get_entry(CDS[0].key).data.contractData.val == THINGS[cd].make(9).data.contractData.val
    assert w.root.soroban_state.get(CDS[0].key).data.contractData.val == THINGS[cd].make(7).data.contractData.val
    w.add_batches(3)
    assert w.root.get_entry(THINGS[acc].key) is None
    assert w.root.snapshot.load(THINGS[acc].key) is None
    assert w.root.soroban_state.get(CDS[0].key).data.contractData.val == THINGS[cd].make(9).data.contractData.val
    assert w.root.last_delta == ([], [], [])


def test_several_commits_before_advance_merge_like_one_ledger_txn(w):
    """Two LedgerTxns committed into the same ledger give the batch one
    LedgerTxn doing both would give (mergeFrom: INIT+erase annihilates,
    erase+INIT is LIVE, INIT+LIVE stays INIT)."""
    a0, a1, a2 = (_idx(Account, i) for i in range(3))
    w.close(2, [(a0, UPSERT, 5, False)])
    w.add_batches(2)
    first = [(a0, DELETE, 0, False), (a1, UPSERT, 6, False), (a2, UPSERT, 7, False)]
    second = [(a0, UPSERT, 8, False), (a1, DELETE, 0, False), (a2, UPSERT, 9, False)]
    with w.db.transaction():
        close(w.root, 3, first)
        close(w.root, 3, second)
    close(w.mem, 3, first + second)
    assert delta_bytes(w.root.last_delta) == delta_bytes(w.mem.last_delta)
    init, live, dead = w.root.last_delta
    assert ([e.data.account.balance for e in init], [e.data.account.balance for e in live], dead) == ([9], [8], [])
    w.add_batches(3)
    assert w.list.hash() == w.mem_list.hash()
    assert observe(w.root) == observe(w.mem)


def test_offers_are_written_in_the_callers_sql_transaction(w):
    off = _idx(Offer)
    with pytest.raises(RuntimeError):
        with w.db.transaction():
            close(w.root, 2, [(off, UPSERT, 3, False)])
            assert w.db.query_one("SELECT COUNT(*) FROM offers")[0] == 1
            raise RuntimeError("the header could not be stored")
    assert w.db.query_one("SELECT COUNT(*) FROM offers")[0] == 0


def test_best_offer_order_is_memory_order_book_order_with_double_collisions(w):
    """Equal doubles, different rationals: offer ID decides (D2)."""
    hi, lo = (BIG - 1, BIG), (BIG - 2, BIG - 1)
    assert hi[0] / hi[1] == lo[0] / lo[1]
    ltx = LedgerTxn(w.root)
    ltx.header.ledgerSeq = 2
    mem_ltx = LedgerTxn(w.mem)
    mem_ltx.header.ledgerSeq = 2
    for t in (ltx, mem_ltx):
        for oid, (n, d) in [(4, hi), (3, lo), (2, (1, 1)), (1, hi)]:
            t.create(le(xdr.LedgerEntryData(offer=xdr.OfferEntry(
                sellerID=pk(oid % 2), offerID=oid, selling=USD, buying=NATIVE, amount=10,
                price=xdr.Price(n=n, d=d)))))
        t.commit()
    pair = asset_pair(NATIVE, USD)
    order = offers_in_order(w.root, pair)
    assert [o[0][1] for o in order] == [1, 3, 4, 2]
    assert order == offers_in_order(w.mem, pair)
    w.add_batches(2)
    assert offers_in_order(w.root, pair) == offers_in_order(w.mem, pair)
    nested = LedgerTxn(w.root)
    assert nested.get_best_offer(NATIVE, USD).data.offer.offerID == 1
    nested.rollback()


def test_startup_offers_rebuild_rules(w):
    """maybeRebuildLedger: rebuilt when the table is missing or asked for;
    an existing non-empty table is trusted."""
    off0, off1 = _idx(Offer, 0), _idx(Offer, 1)
    w.close(2, [(off0, UPSERT, 3, False), (off1, UPSERT, 4, False)])
    w.add_batches(2)
    w.close(3, [(off1, DELETE, 0, False)])
    w.add_batches(3)
    expect = observe(w.mem)
    w.db.execute("UPDATE offers SET amount = 424242")      # a sentinel a rebuild would undo

    def restart(**kw):
        return BucketListRoot.open(w.db, w.manager, w.list, w.root.header, soroban_config=NO_CODE_CFG, **kw)

    assert restart().get_entry(THINGS[off0].key).data.offer.amount == 424242
    assert observe(restart(rebuild_offers=True)) == expect
    w.db.execute("DROP TABLE offers")
    assert observe(restart()) == expect
    w.db.execute("DELETE FROM offers")
    assert observe(restart()) == expect


def test_errors_are_clear_and_change_nothing(w):
    acc = _idx(Account)
    w.close(2, [(acc, UPSERT, 5, False)])
    with pytest.raises(BucketRootError, match="cannot commit INIT over a pending INIT entry"):
        w.root.commit_child({THINGS[acc].key: THINGS[acc].make(1)}, {THINGS[acc].key: 0}, header(2))
    assert delta_bytes(w.root.last_delta) == delta_bytes(w.mem.last_delta)
    with pytest.raises(BucketRootError, match="advance to ledger 7, but ledger 2 was committed"):
        w.root.advance(w.list, header(7), soroban_config=NO_CODE_CFG)
    with pytest.raises(BucketRootError, match="prefix queries only"):
        w.root.keys_with_prefix(THINGS[acc].key[:8])
    w.add_batches(2)
    assert observe(w.root) == observe(w.mem)


def test_a_failed_soroban_update_keeps_the_pending_batch(w):
    """A TTL without its CONTRACT_DATA entry is refused by the in-memory
    state (releaseAssertOrThrow in stellar-core): advance raises and changes
    nothing, reads still come from the pending batch."""
    orphan = CDS[0].make_ttl(1)
    ltx = LedgerTxn(w.root)
    ltx.header.ledgerSeq = 2
    ltx.create(orphan)
    ltx.commit()
    w.list.add_batch(w.manager, 2, PROTOCOL, *w.root.last_delta)
    before = delta_bytes(w.root.last_delta)
    old_snapshot = w.root.snapshot
    with pytest.raises(InMemorySorobanStateError):
        w.root.advance(w.list, soroban_config=NO_CODE_CFG)
    assert w.root.soroban_state.ledger_seq == 1
    assert w.root.snapshot is old_snapshot
    assert delta_bytes(w.root.last_delta) == before
    assert w.root.get_entry(CDS[0].ttl_key) == orphan


# -- Soroban code and the config stored in the ledger ----------------------------------------
def test_contract_code_sizes_and_config_from_the_ledger(tmp_path):
    """A genesis ledger with stellar-core's testing Soroban settings
    (initializeGenesisLedgerForTesting) closed through a BucketListRoot; a
    contract (stellar-core's own test wasm) uploaded next ledger. `advance`
    and `open` read the cost parameters from the ledger themselves; code
    sizes are the host's ledgerEntrySizeForRent (S11), and a restarted
    root rebuilds the same state from the buckets ("soroban cache
    population")."""
    from stellarcore.soroban import bridge
    if not bridge.available():
        pytest.skip(f"Soroban bridge library not built: {bridge.unavailable_reason()}")
    from stellarcore.soroban import network_config as nc
    from stellarcore.soroban import network_config_testing as nct
    from tests.conftest import shared_path
    from tests.ledger.soroban_entries import code_entry, host_code_size
    wasm = shared_path("testdata", "wasm", "example_add_i32.wasm").read_bytes()

    manager = BucketManager(tmp_path / "buckets", do_fsync=False)
    bucket_list = LiveBucketList()
    db = Database(str(tmp_path / "node.db"))
    root = BucketListRoot.open(db, manager, bucket_list, header(0), soroban_config=NO_CODE_CFG)
    ltx = LedgerTxn(root, False)
    ltx.header.ledgerSeq = 1
    nct.initialize_genesis_ledger_for_testing(PROTOCOL, ltx)
    ltx.commit()
    bucket_list.add_batch(manager, 1, PROTOCOL, *root.last_delta)
    root.advance(bucket_list)

    code = code_entry(wasm)
    ltx = LedgerTxn(root)
    ltx.header.ledgerSeq = 2
    ltx.create(code)
    ltx.create(ttl_entry(key_of(code), 100))
    ltx.commit()
    bucket_list.add_batch(manager, 2, PROTOCOL, *root.last_delta)
    root.advance(bucket_list)

    cfg = nc.SorobanNetworkConfig.load_from_ledger(root)
    cost = CostConfig(xdr.ContractCostParams.to_xdr(cfg.cpu_cost_params),
                      xdr.ContractCostParams.to_xdr(cfg.mem_cost_params))
    stored = root.soroban_state.get(key_of(code))
    assert root.soroban_state.contract_code_size(key_of(code)) == host_code_size(stored, cost, PROTOCOL)
    again = BucketListRoot.open(Database(":memory:"), manager, bucket_list, root.header)
    assert soroban_records(again.soroban_state) == soroban_records(root.soroban_state)
    assert again.soroban_state.get_size() == root.soroban_state.get_size() > 0
    db.close()
    manager.shutdown()
