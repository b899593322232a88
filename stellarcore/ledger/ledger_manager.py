"""LedgerManager: genesis, the ledger-close pipeline and the last closed ledger.

As stellar-core v25's LedgerManagerImpl (startNewLedger, applyLedger,
processFeesSeqNums, applyTransactions, finalizeLedgerTxnChanges,
sealLedgerTxnAndStoreInBucketsAndDB, storePersistentStateAndLedgerHeaderInDB,
loadLastKnownLedger). One ledger closes in this order, and every step's
order is observable in some hash:

  1. header: seq + 1, previousLedgerHash, the externalized StellarValue;
  2. fees and sequence numbers of every transaction, in apply order
     (classic phase, then the Soroban phase), before any applies;
  3. the classic phase, one transaction after another; the Soroban phase
     stage by stage, cluster by cluster; then the Soroban refunds;
  4. txSetResultHash over the results in apply order;
  5. the upgrades of the StellarValue, each in its own LedgerTxn;
  6. eviction (from the protocol the ledger started with), the hot archive
     batch, the state-size window sample, the live bucket list batch,
     bucketListHash (live + hot from protocol 23) and the skip list;
  7. SQL: offers, the header row, lastclosedledger and the HAS, in one
     SQLite transaction - bucket files are written before it, and garbage
     collected only after it, so a crash at any moment leaves the previous
     or the new ledger, both complete.

The ledger transaction sets come from the herder (ledger never imports
herder): any object with `xdr_value`, `hash`, `previous_ledger_hash`,
`classic_apply_order()` and `soroban_stages_apply_order()` (lists of
(frame, base fee)) will do.
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from typing import Optional

from stellarcore import xdr
from stellarcore.bucket import eviction as EV
from stellarcore.bucket.bucket_list import HotArchiveBucketList, LiveBucketList, bucket_list_hash
from stellarcore.bucket.snapshot import HotArchiveBucketListSnapshot
from stellarcore.crypto.keys import SecretKey
from stellarcore.history.archive_state import HistoryArchiveState
from stellarcore.history.bucket_state import archive_state_of, restore_bucket_lists
from stellarcore.ledger import header_store
from stellarcore.ledger import upgrades as UP
from stellarcore.ledger.bucket_root import BucketListRoot
from stellarcore.ledger.close_meta import LedgerCloseMetaBuilder
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.ledger.persistent_state import Entry, PersistentState
from stellarcore.soroban import network_config as NC
from stellarcore.soroban import network_config_testing as NCT
from stellarcore.transactions import parallel_apply as PA
from stellarcore.transactions.apply import apply_transaction, process_fees_seq_nums
from stellarcore.transactions.meta import TransactionMetaBuilder

log = logging.getLogger("stellarcore.Ledger")

GENESIS_LEDGER_SEQ = 1
GENESIS_LEDGER_VERSION = 0
GENESIS_LEDGER_BASE_FEE = 100
GENESIS_LEDGER_BASE_RESERVE = 100_000_000
GENESIS_LEDGER_MAX_TX_SIZE = 100
GENESIS_LEDGER_TOTAL_COINS = 1_000_000_000_000_000_000
SOROBAN_PROTOCOL_VERSION = 20
FIRST_PROTOCOL_SUPPORTING_PERSISTENT_EVICTION = 23
SKIP_1, SKIP_2, SKIP_3, SKIP_4 = 50, 5000, 50000, 500000
CURRENT_LEDGER_PROTOCOL_VERSION = 25
MAINNET_PASSPHRASE = "Public Global Stellar Network ; September 2015"


class LedgerCloseError(RuntimeError):
    """A ledger that cannot be applied (wrong previous hash, a tx set that
    does not match the value, an unsupported protocol). Nothing changed."""


def genesis_header() -> "xdr.LedgerHeader":
    """LedgerManager::genesisLedger: every other field is zero."""
    zero = b"\0" * 32
    return xdr.LedgerHeader(
        ledgerVersion=GENESIS_LEDGER_VERSION, previousLedgerHash=zero,
        scpValue=xdr.StellarValue(txSetHash=zero, closeTime=0, upgrades=[],
                                  ext=xdr.StellarValueExt(xdr.StellarValueType.STELLAR_VALUE_BASIC)),
        txSetResultHash=zero, bucketListHash=zero, ledgerSeq=GENESIS_LEDGER_SEQ,
        totalCoins=GENESIS_LEDGER_TOTAL_COINS, feePool=0, inflationSeq=0, idPool=0,
        baseFee=GENESIS_LEDGER_BASE_FEE, baseReserve=GENESIS_LEDGER_BASE_RESERVE,
        maxTxSetSize=GENESIS_LEDGER_MAX_TX_SIZE, skipList=[zero] * 4,
        ext=xdr.LedgerHeaderExt(0))


def calculate_skip_values(header) -> None:
    """BucketManager::calculateSkipValues: every 50 ledgers the skip list
    shifts in the bucket list hash."""
    seq = header.ledgerSeq
    if seq % SKIP_1 != 0:
        return
    skip = list(header.skipList)
    v = seq - SKIP_1
    if v > 0 and v % SKIP_2 == 0:
        v = seq - SKIP_2 - SKIP_1
        if v > 0 and v % SKIP_3 == 0:
            v = seq - SKIP_3 - SKIP_2 - SKIP_1
            if v > 0 and v % SKIP_4 == 0:
                skip[3] = skip[2]
            skip[2] = skip[1]
        skip[1] = skip[0]
    skip[0] = header.bucketListHash
    header.skipList = skip


def header_hash(header) -> bytes:
    return hashlib.sha256(header.to_xdr()).digest()


@dataclass
class LedgerCloseData:
    """What consensus decided for one ledger (stellar-core LedgerCloseData)."""
    ledger_seq: int
    tx_set: object                    # the applicable tx set (see the module docstring)
    value: "xdr.StellarValue"
    expected_hash: Optional[bytes] = None


@dataclass
class CloseTimings:
    """Seconds spent in each phase of the last close (perf suite, /metrics)."""
    fees: float = 0.0
    apply: float = 0.0
    upgrades: float = 0.0
    buckets: float = 0.0
    commit: float = 0.0
    total: float = 0.0


@dataclass
class ClosedLedger:
    header_entry: "xdr.LedgerHeaderHistoryEntry"
    result_set: "xdr.TransactionResultSet"
    meta: Optional["xdr.LedgerCloseMeta"]
    tx_metas: list = field(default_factory=list)
    timings: CloseTimings = field(default_factory=CloseTimings)


class LedgerManager:
    """The ledger of one node: its bucket lists, its root store and the
    last closed ledger.

    `settings` is the node's Config (stellar-core key names are read:
    NETWORK_PASSPHRASE, USE_CONFIG_FOR_GENESIS, TESTING_UPGRADE_*,
    EMIT_CLASSIC_EVENTS, BACKFILL_STELLAR_ASSET_EVENTS,
    EMIT_LEDGER_CLOSE_META_EXT_V1, ENABLE_SOROBAN_DIAGNOSTIC_EVENTS,
    LEDGER_PROTOCOL_VERSION, GENESIS_TEST_ACCOUNT_COUNT); `meta_stream`
    anything with `write(LedgerCloseMeta)`; `keep_meta` keeps the last
    meta in memory (tests, the perf suite).
    """

    def __init__(self, settings, database, bucket_manager, *, meta_stream=None,
                 keep_meta: bool = False, invariants=None):
        self.settings = settings
        self.passphrase = settings.NETWORK_PASSPHRASE
        self.network_id = hashlib.sha256(self.passphrase.encode()).digest()
        self.db = database
        self.bm = bucket_manager
        self.state = PersistentState(database)
        self.meta_stream = meta_stream
        self.keep_meta = keep_meta
        self.invariants = invariants
        self.live = LiveBucketList()
        self.hot = HotArchiveBucketList()
        self.root: Optional[BucketListRoot] = None
        self.last_closed: Optional["xdr.LedgerHeaderHistoryEntry"] = None
        self.soroban_config = None
        self.last_close: Optional[ClosedLedger] = None
        self.max_protocol = int(getattr(settings, "LEDGER_PROTOCOL_VERSION", CURRENT_LEDGER_PROTOCOL_VERSION))
        self.close_count = 0
        self._state_name = "Booting"

    # -- settings -------------------------------------------------------------
    def _opt(self, name, default=None):
        return getattr(self.settings, name, default)

    @property
    def is_production_network(self) -> bool:
        return self.passphrase == MAINNET_PASSPHRASE

    # -- queries ----------------------------------------------------------------
    def last_closed_ledger_num(self) -> int:
        return self.last_closed.header.ledgerSeq

    def last_closed_header(self):
        return self.last_closed.header

    def state_name(self) -> str:
        return self._state_name

    def set_synced(self) -> None:
        self._state_name = "Synced!"

    def get_last_tx_fee(self) -> int:
        return self.last_closed.header.baseFee

    def get_last_reserve(self) -> int:
        return self.last_closed.header.baseReserve

    def get_last_min_balance(self, owner_count: int) -> int:
        return (2 + owner_count) * self.last_closed.header.baseReserve

    def get_last_max_tx_set_size_ops(self) -> int:
        return self.last_closed.header.maxTxSetSize

    def snapshot_ltx(self) -> LedgerTxn:
        """A read-only view of the last closed ledger (roll it back when done):
        what the herder validates transactions against."""
        return LedgerTxn(self.root)

    def load_entry(self, key: "xdr.LedgerKey"):
        """A copy of the live entry of `key` in the last closed ledger, or
        None (the root's own objects are shared and must never change)."""
        e = self.root.get_entry(key.to_xdr())
        return None if e is None else e.copy()

    # -- genesis ----------------------------------------------------------------
    def start_new_ledger(self) -> None:
        """startNewLedger: the genesis ledger, sealed into the buckets and the
        database (what `new-db` does)."""
        header = genesis_header()
        if self._opt("USE_CONFIG_FOR_GENESIS", False):
            header.ledgerVersion = int(self._opt("TESTING_UPGRADE_LEDGER_PROTOCOL_VERSION", self.max_protocol))
            header.baseFee = int(self._opt("TESTING_UPGRADE_DESIRED_FEE", GENESIS_LEDGER_BASE_FEE))
            header.baseReserve = int(self._opt("TESTING_UPGRADE_RESERVE", GENESIS_LEDGER_BASE_RESERVE))
            header.maxTxSetSize = int(self._opt("TESTING_UPGRADE_MAX_TX_SET_SIZE", 50))
        self.live = LiveBucketList()
        self.hot = HotArchiveBucketList()
        self.root = BucketListRoot(self.db, self.bm, self.live, header)
        ltx = LedgerTxn(self.root, False)
        try:
            if self._opt("USE_CONFIG_FOR_GENESIS", False):
                NCT.initialize_genesis_ledger_for_testing(header.ledgerVersion, ltx)
            root_key = SecretKey.root(self.network_id)
            total = header.totalCoins
            test_accounts = int(self._opt("GENESIS_TEST_ACCOUNT_COUNT", 0) or 0)
            root_balance = total
            if test_accounts > 0:
                share, rem = divmod(total, test_accounts + 1)
                root_balance = share + rem
                for i in range(test_accounts):
                    ltx.create(_account_entry(SecretKey.for_test_account(f"TestAccount-{i}").public_key.to_xdr_key(), share))
            ltx.create(_account_entry(root_key.public_key.to_xdr_key(), root_balance))
            log.info("Established genesis ledger, closing")
            log.info("Root account: %s", root_key.strkey_public())
            with self.db.transaction():
                self.state.initialize_new_db()
                header_store.ensure_table(self.db)
                self.state.set_state(Entry.NETWORK_PASSPHRASE, self.passphrase)
                closed = self._seal_and_store(ltx, None, 0, CloseTimings(), None,
                                              xdr.TransactionResultSet(results=[]))
        finally:
            ltx.rollback()
        self._after_commit(closed)

    # -- restart ---------------------------------------------------------------
    def load_last_known_ledger(self) -> None:
        """loadLastKnownLedger: the lists of the stored HAS, the root over
        them, the last closed header; checks that they agree."""
        self.state.validate_network_passphrase(self.passphrase)
        lcl_hash = self.state.last_closed_ledger_hash()
        header = header_store.load_by_hash(self.db, lcl_hash)
        if header is None:
            raise LedgerCloseError(f"the last closed ledger {lcl_hash.hex()} is not in the database")
        has = HistoryArchiveState.from_json(self.state.get_state(Entry.HISTORY_ARCHIVE_STATE))
        if has.current_ledger != header.ledgerSeq:
            raise LedgerCloseError(f"the stored bucket list is at ledger {has.current_ledger}, "
                                   f"the last closed ledger is {header.ledgerSeq}")
        live, hot = restore_bucket_lists(has, self.bm, self.max_protocol)
        self.live = live
        self.hot = hot if hot is not None else HotArchiveBucketList()
        want = header.bucketListHash
        got = (bucket_list_hash(self.live, self.hot)
               if header.ledgerVersion >= FIRST_PROTOCOL_SUPPORTING_PERSISTENT_EVICTION else self.live.hash())
        if got != want:
            raise LedgerCloseError(f"the bucket list hash {got.hex()} does not match the last closed "
                                   f"ledger's {want.hex()}")
        self.root = BucketListRoot.open(self.db, self.bm, self.live, header,
                                        rebuild_offers=self.state.should_rebuild_for_offer_table())
        self.last_closed = xdr.LedgerHeaderHistoryEntry(hash=lcl_hash, header=header,
                                                        ext=xdr.LedgerHeaderHistoryEntryExt(0))
        self._load_soroban_config()
        log.info("Loaded last known ledger: %d %s", header.ledgerSeq, lcl_hash.hex()[:6])

    def _load_soroban_config(self) -> None:
        if self.last_closed.header.ledgerVersion >= SOROBAN_PROTOCOL_VERSION:
            self.soroban_config = NC.SorobanNetworkConfig.load_from_ledger(self.root)
        else:
            self.soroban_config = None

    # -- closing a ledger ---------------------------------------------------------
    def close_ledger(self, data: LedgerCloseData) -> ClosedLedger:
        """applyLedger."""
        t0 = time.perf_counter()
        timings = CloseTimings()
        prev = self.last_closed
        if data.ledger_seq != prev.header.ledgerSeq + 1:
            raise LedgerCloseError(f"ledger {data.ledger_seq} does not follow {prev.header.ledgerSeq}")
        ts = data.tx_set
        if ts.previous_ledger_hash != prev.hash:
            raise LedgerCloseError("txset mismatch: its previous ledger is not the last closed ledger")
        if ts.hash != data.value.txSetHash:
            raise LedgerCloseError("corrupt transaction set: its hash is not the externalized value's")
        if prev.header.ledgerVersion > self.max_protocol:
            raise LedgerCloseError(f"cannot apply ledger with not supported version: "
                                   f"{prev.header.ledgerVersion}")
        ltx = LedgerTxn(self.root)
        try:
            header = ltx.header
            initial_version = header.ledgerVersion
            header.ledgerSeq += 1
            header.previousLedgerHash = prev.hash
            header.scpValue = data.value.copy()
            emit = self.meta_stream is not None or self.keep_meta
            meta = LedgerCloseMetaBuilder(initial_version, ts.xdr_value) if emit else None
            results, tx_metas, restored = self._apply_transactions(ltx, ts, meta, timings)
            result_set = xdr.TransactionResultSet(results=results)
            ltx.header.txSetResultHash = hashlib.sha256(result_set.to_xdr()).digest()
            t = time.perf_counter()
            upgrade_metas = UP.apply_upgrades(
                ltx, list(data.value.upgrades), max_protocol_version=self.max_protocol,
                recompute_state_size=UP.in_memory_state_recomputer(self.root.soroban_state),
                bucket_list_size=self.live.get_size,
                is_production_network=self.is_production_network)
            if meta is not None:
                meta.upgrades = upgrade_metas
            timings.upgrades = time.perf_counter() - t
            with self.db.transaction():
                closed = self._seal_and_store(ltx, meta, initial_version, timings, restored, result_set)
            closed.tx_metas = tx_metas
        finally:
            ltx.rollback()
        if data.expected_hash is not None and data.expected_hash != closed.header_entry.hash:
            raise LedgerCloseError("Local node's ledger corrupted during close")
        self._after_commit(closed)
        timings.total = time.perf_counter() - t0
        return closed

    def _apply_transactions(self, ltx, ts, meta, timings):
        """processFeesSeqNums then applyTransactions -> (result pairs, tx
        metas, what the Soroban phase restored or None)."""
        classic = list(ts.classic_apply_order())
        stages = [list(map(list, s)) for s in ts.soroban_stages_apply_order()]
        soroban_flat = [fb for s in stages for c in s for fb in c]
        emit = meta is not None
        t = time.perf_counter()
        charged = process_fees_seq_nums(ltx, classic + soroban_flat, meta_enabled=emit)
        timings.fees = time.perf_counter() - t
        t = time.perf_counter()
        classic_events = bool(self._opt("EMIT_CLASSIC_EVENTS", False))
        results, tx_metas = [], []
        n_classic = len(classic)
        for (frame, _fee), (result, fee_changes) in zip(classic, charged[:n_classic]):
            tx_meta = apply_transaction(ltx, frame, result, self.network_id, classic_events, meta_enabled=emit)
            pair = xdr.TransactionResultPair(transactionHash=frame.contents_hash, result=result.to_xdr())
            results.append(pair)
            tx_metas.append(tx_meta)
            if emit:
                meta.add_tx(pair, fee_changes, tx_meta)
        restored = None
        if soroban_flat:
            restored = self._apply_soroban_phase(ltx, ts, stages, charged[n_classic:], n_classic, results,
                                                 tx_metas, meta, classic_events)
        timings.apply = time.perf_counter() - t
        return results, tx_metas, restored

    def _apply_soroban_phase(self, ltx, ts, stages, charged, first_index, results, tx_metas, meta,
                             classic_events):
        config = NC.SorobanNetworkConfig.load_from_ledger(ltx)
        emit = meta is not None
        frames = [[[f for f, _ in c] for c in s] for s in stages]
        flat = [f for s in frames for c in s for f in c]
        fee_results = [r for r, _ in charged]
        builders = [TransactionMetaBuilder(
            f, self.network_id, classic_events, emit,
            soroban_diagnostics=bool(self._opt("ENABLE_SOROBAN_DIAGNOSTIC_EVENTS", False)),
            soroban_meta_ext=bool(self._opt("EMIT_SOROBAN_TRANSACTION_META_EXT_V1", False)))
            for f in flat]
        bundles = PA.make_bundles(frames, fee_results, builders, first_index)
        h = ltx.get_header()
        info = PA.LedgerInfo(ledger_version=h.ledgerVersion, ledger_seq=h.ledgerSeq,
                             base_reserve=h.baseReserve, close_time=h.scpValue.closeTime,
                             network_id=self.network_id)
        hot = HotArchiveBucketListSnapshot(self.hot, self.bm)

        def hot_archive(key: bytes):
            raw = hot.load(key)
            return None if raw is None else xdr.LedgerEntry.from_xdr(raw)

        restored = PA.apply_soroban_stages(ltx, bundles, config, ts.hash, info, hot_archive=hot_archive)
        post = PA.process_post_tx_set_apply(ltx, bundles)
        fee_changes = [c for _, c in charged]
        for (item, post_changes) in post:
            tx_meta = item.meta.finalize(item.result.is_success())
            pair = xdr.TransactionResultPair(transactionHash=item.frame.contents_hash,
                                             result=item.result.to_xdr())
            results.append(pair)
            tx_metas.append(tx_meta)
            if emit:
                meta.add_tx(pair, fee_changes[item.tx_num - first_index], tx_meta, post_changes)
        return restored

    # -- sealing ----------------------------------------------------------------
    def _seal_and_store(self, ltx, meta, initial_version, timings, restored, result_set) -> ClosedLedger:
        """sealLedgerTxnAndStoreInBucketsAndDB (inside the caller's SQL
        transaction); `restored`: the Soroban phase's restored entries."""
        t = time.perf_counter()
        header = ltx.get_header()
        seq, version = header.ledgerSeq, header.ledgerVersion
        if initial_version >= SOROBAN_PROTOCOL_VERSION:
            outcome = self._evict(ltx, seq, initial_version)
            if initial_version >= FIRST_PROTOCOL_SUPPORTING_PERSISTENT_EVICTION:
                restored_keys = []
                if restored is not None:
                    restored_keys = [k for k in restored.hot_archive if _key_type(k) in _ARCHIVABLE]
                batch = EV.hot_archive_batch_for_ledger(outcome.archived_entries, restored_keys,
                                                        initial_version, version,
                                                        production_network=self.is_production_network)
                if batch is not None:
                    self.hot.add_batch(self.bm, seq, version, *batch)
            if meta is not None:
                meta.populate_evicted(outcome)
            NC.maybe_snapshot_soroban_state_size(seq, self.root.soroban_state.get_size(), ltx,
                                                 bucket_list_size=self.live.get_size())
        final_config = (NC.SorobanNetworkConfig.load_from_ledger(ltx)
                        if version >= SOROBAN_PROTOCOL_VERSION else None)
        ltx.commit()                    # offers reach SQL; the batch waits in the root
        init, live, dead = self.root.last_delta
        self.live.add_batch(self.bm, seq, version, init, live, dead)
        self.root.advance(self.live, None, final_config)
        header = self.root.header
        header.bucketListHash = (bucket_list_hash(self.live, self.hot)
                                 if version >= FIRST_PROTOCOL_SUPPORTING_PERSISTENT_EVICTION
                                 else self.live.hash())
        calculate_skip_values(header)
        timings.buckets = time.perf_counter() - t
        t = time.perf_counter()
        h = header_hash(header)
        entry = xdr.LedgerHeaderHistoryEntry(hash=h, header=header, ext=xdr.LedgerHeaderHistoryEntryExt(0))
        self.state.set_last_closed_ledger_hash(h)
        has = archive_state_of(seq, self.live, self.hot, self.passphrase)
        self.state.set_state(Entry.HISTORY_ARCHIVE_STATE, has.to_json())
        header_store.store_in_database(self.db, header)
        timings.commit = time.perf_counter() - t
        lcm = None
        if meta is not None:
            if initial_version >= SOROBAN_PROTOCOL_VERSION and final_config is not None:
                meta.set_network_configuration(final_config,
                                               bool(self._opt("EMIT_LEDGER_CLOSE_META_EXT_V1", False)))
            lcm = meta.finish(entry)
        return ClosedLedger(header_entry=entry, result_set=result_set, meta=lcm, timings=timings)

    def _evict(self, ltx, seq, initial_version):
        """resolveBackgroundEvictionScan over the last closed bucket list."""
        config = NC.SorobanNetworkConfig.load_from_ledger(ltx)
        settings = config.state_archival_settings
        iterator = config.eviction_iterator
        snapshot = EV.snapshot_levels(self.live)
        load = self.root.snapshot.load_keys    # still the last closed list: add_batch comes later

        def rescan():
            return EV.scan_for_eviction(snapshot, iterator, settings, seq, initial_version, load)

        ttl_keys = [k for k in ltx.recorded_keys() if _key_type(k) == xdr.LedgerEntryType.TTL]
        outcome = EV.resolve_eviction(None, seq, initial_version, settings, ttl_keys, rescan)
        child = LedgerTxn(ltx)
        try:
            for k in outcome.erased_keys:
                child.erase(bytes(k))
            NC.update_eviction_iterator(child, outcome.new_iterator)
            child.commit()
        finally:
            child.rollback()
        return outcome

    def _after_commit(self, closed: ClosedLedger) -> None:
        """The ledger is durable: publish it (meta stream), advance the last
        closed ledger, collect unreferenced buckets."""
        self.last_closed = closed.header_entry
        self._load_soroban_config()
        if closed.meta is not None and self.meta_stream is not None:
            self.meta_stream.write(closed.meta)
        self.last_close = closed if self.keep_meta else ClosedLedger(
            closed.header_entry, closed.result_set, None, [], closed.timings)
        self.close_count += 1
        try:
            self.bm.forget_unreferenced(self.live.referenced_hashes() | self.hot.referenced_hashes())
        except OSError as e:   # garbage collection failing never stops the node
            log.warning("bucket garbage collection: %s", e)
        h = closed.header_entry.header
        log.info("Closed ledger %d (%s) with %d txs", h.ledgerSeq, closed.header_entry.hash.hex()[:6],
                 len(closed.result_set.results))


_ARCHIVABLE = (xdr.LedgerEntryType.CONTRACT_DATA, xdr.LedgerEntryType.CONTRACT_CODE)


def _key_type(key: bytes) -> int:
    return int.from_bytes(bytes(key[:4]), "big", signed=True)


def _account_entry(account_id, balance: int) -> "xdr.LedgerEntry":
    acc = xdr.AccountEntry(accountID=account_id, balance=balance, seqNum=0, numSubEntries=0,
                           inflationDest=None, flags=0, homeDomain=b"", thresholds=b"\x01\x00\x00\x00",
                           signers=[], ext=xdr.AccountEntryExt(0))
    return xdr.LedgerEntry(lastModifiedLedgerSeq=GENESIS_LEDGER_SEQ,
                           data=xdr.LedgerEntryData(xdr.LedgerEntryType.ACCOUNT, acc),
                           ext=xdr.LedgerEntryExt(0))
