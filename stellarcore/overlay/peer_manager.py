"""Known peers in the `peers` table (overlay/PeerManager.cpp, RandomPeerSource.cpp).

Rows: ip, port, nextattempt, numfailures, type (0 inbound, 1 outbound,
2 preferred), with stellar-core's DDL.  A failed outbound attempt
increases numfailures and pushes nextattempt out by a random
1..(2^min(failures,10) * 10) seconds; a successful handshake resets it.
Peers with 120 or more failures are purged.
"""
from __future__ import annotations

import datetime
import enum
import random
import time

from stellarcore.database import Database, register_schema
from stellarcore.overlay.address import PeerBareAddress
from stellarcore.overlay.config import REALLY_DEAD_NUM_FAILURES_CUTOFF

PEERS_DDL = ("CREATE TABLE peers ("
             "ip            VARCHAR(15) NOT NULL,"
             "port          INT DEFAULT 0 CHECK (port > 0 AND port <= 65535) NOT NULL,"
             "nextattempt   TIMESTAMP NOT NULL,"
             "numfailures   INT DEFAULT 0 CHECK (numfailures >= 0) NOT NULL,"
             "type          INT NOT NULL,"
             "PRIMARY KEY (ip, port)"
             ")")
register_schema("peers", [PEERS_DDL])

BATCH_SIZE = 1000
MAX_FAILURES = 10
SECONDS_PER_BACKOFF = 10
MAX_BACKOFF_EXPONENT = 10


class PeerType(enum.IntEnum):
    INBOUND = 0
    OUTBOUND = 1
    PREFERRED = 2


class TypeFilter(enum.Enum):
    INBOUND_ONLY = 0
    OUTBOUND_ONLY = 1
    PREFERRED_ONLY = 2
    ANY_OUTBOUND = 3


class BackOff(enum.Enum):
    HARD_RESET = 0
    RESET = 1
    INCREASE = 2


def compute_backoff(num_failures: int, rng=random) -> int:
    count = min(MAX_BACKOFF_EXPONENT, num_failures)
    return rng.getrandbits(32) % ((1 << count) * SECONDS_PER_BACKOFF) + 1


def _ts(t: float) -> str:
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


class PeerRecord:
    __slots__ = ("next_attempt", "num_failures", "type")

    def __init__(self, next_attempt: str, num_failures: int, ptype: int):
        self.next_attempt = next_attempt
        self.num_failures = num_failures
        self.type = ptype

    def __repr__(self):
        return f"PeerRecord({self.next_attempt}, failures={self.num_failures}, type={self.type})"


class PeerQuery:
    def __init__(self, use_next_attempt: bool, max_failures: int | None, type_filter: TypeFilter):
        self.use_next_attempt = use_next_attempt
        self.max_failures = max_failures
        self.type_filter = type_filter

    @classmethod
    def next_attempt_cutoff(cls, ptype: PeerType) -> "PeerQuery":
        f = {PeerType.INBOUND: TypeFilter.INBOUND_ONLY, PeerType.OUTBOUND: TypeFilter.OUTBOUND_ONLY,
             PeerType.PREFERRED: TypeFilter.PREFERRED_ONLY}[ptype]
        return cls(True, REALLY_DEAD_NUM_FAILURES_CUTOFF, f)

    @classmethod
    def max_failures_query(cls, max_failures: int, require_outbound: bool) -> "PeerQuery":
        return cls(False, max_failures,
                   TypeFilter.ANY_OUTBOUND if require_outbound else TypeFilter.INBOUND_ONLY)


class RandomPeerSource:
    """A cache of random peers matching a query, refilled from the table."""

    def __init__(self, pm: "PeerManager", query: PeerQuery):
        self.pm = pm
        self.query = query
        self.cache: list = []

    def get_random_peers(self, size: int, pred) -> list:
        if size == 0:
            return []
        if len(self.cache) < size:
            self.cache = self.pm.load_random_peers(self.query, size)
        result = []
        i = 0
        while i < len(self.cache) and len(result) < size:
            if pred(self.cache[i]):
                result.append(self.cache[i])
            i += 1
        del self.cache[:i]
        return result


class PeerManager:
    def __init__(self, db: Database, clock=time.time, rng=None):
        self.db = db
        self.clock = clock
        self.rng = rng or random.Random()
        db.create("peers")
        self._out_to_send = RandomPeerSource(self, PeerQuery.max_failures_query(MAX_FAILURES, True))
        self._in_to_send = RandomPeerSource(self, PeerQuery.max_failures_query(MAX_FAILURES, False))

    # -- rows ---------------------------------------------------------------
    def load(self, a: PeerBareAddress) -> tuple[PeerRecord, bool]:
        row = self.db.query_one("SELECT numfailures, nextattempt, type FROM peers WHERE ip = ? AND port = ?",
                                (a.ip, a.port))
        if row is None:
            return PeerRecord(_ts(self.clock()), 0, int(PeerType.INBOUND)), False
        return PeerRecord(row[1], row[0], row[2]), True

    def store(self, a: PeerBareAddress, r: PeerRecord, in_db: bool) -> None:
        if in_db:
            self.db.execute("UPDATE peers SET nextattempt = ?, numfailures = ?, type = ? WHERE ip = ? AND port = ?",
                            (r.next_attempt, r.num_failures, r.type, a.ip, a.port))
        else:
            self.db.execute("INSERT INTO peers (nextattempt, numfailures, type, ip, port) VALUES (?, ?, ?, ?, ?)",
                            (r.next_attempt, r.num_failures, r.type, a.ip, a.port))

    def ensure_exists(self, a: PeerBareAddress) -> None:
        r, in_db = self.load(a)
        if not in_db:
            self.store(a, r, in_db)

    # -- updates ------------------------------------------------------------
    def _apply_backoff(self, r: PeerRecord, b: BackOff) -> None:
        now = self.clock()
        if b is BackOff.HARD_RESET:
            r.num_failures = 0
            r.next_attempt = _ts(now)
        else:
            r.num_failures = 0 if b is BackOff.RESET else r.num_failures + 1
            r.next_attempt = _ts(now + compute_backoff(r.num_failures, self.rng))

    @staticmethod
    def _apply_type(r: PeerRecord, observed: PeerType, preferred_type_known: bool) -> None:
        in_db_preferred = r.type == PeerType.PREFERRED
        if observed is PeerType.PREFERRED:
            r.type = int(PeerType.PREFERRED)
        elif observed is PeerType.OUTBOUND and not (in_db_preferred and preferred_type_known):
            if r.type == PeerType.INBOUND:                     # ENSURE_OUTBOUND
                r.type = int(PeerType.OUTBOUND)
        else:                                                 # ENSURE_NOT_PREFERRED
            if r.type == PeerType.PREFERRED:
                r.type = int(PeerType.OUTBOUND)

    def update(self, a: PeerBareAddress, observed: PeerType | None = None,
               preferred_type_known: bool = False, backoff: BackOff | None = None) -> None:
        r, in_db = self.load(a)
        if observed is not None:
            self._apply_type(r, observed, preferred_type_known)
        if backoff is not None:
            self._apply_backoff(r, backoff)
        self.store(a, r, in_db)

    def remove_peers_with_many_failures(self, min_failures: int, address: PeerBareAddress | None = None):
        if address is None:
            self.db.execute("DELETE FROM peers WHERE numfailures >= ?", (min_failures,))
        else:
            self.db.execute("DELETE FROM peers WHERE numfailures >= ? AND ip = ?", (min_failures, address.ip))

    # -- queries ------------------------------------------------------------
    def load_random_peers(self, q: PeerQuery, size: int) -> list:
        size = max(size, BATCH_SIZE)
        conds, params = [], []
        if q.use_next_attempt:
            conds.append("nextattempt <= ?")
            params.append(_ts(self.clock()))
        if q.max_failures is not None:
            conds.append("numfailures <= ?")
            params.append(q.max_failures)
        if q.type_filter is TypeFilter.ANY_OUTBOUND:
            conds.append("type != ?")
            params.append(int(PeerType.INBOUND))
        else:
            conds.append("type = ?")
            params.append(q.type_filter.value)
        where = " AND ".join(conds)
        count = self.db.query_one(f"SELECT COUNT(*) FROM peers WHERE {where}", params)[0]
        if count == 0:
            return []
        offset = self.rng.randint(0, count - size if count > size else 0)
        rows = self.db.query_all(f"SELECT ip, port FROM peers WHERE {where} ORDER BY ip, port LIMIT ? OFFSET ?",
                                 params + [size, offset])
        out = [PeerBareAddress(ip, port) for ip, port in rows]
        self.rng.shuffle(out)
        return out

    def get_peers_to_send(self, size: int, address: PeerBareAddress) -> list:
        keep = lambda p: not p.is_private() and p != address  # noqa: E731
        peers = self._out_to_send.get_random_peers(size, keep)
        if len(peers) < size:
            peers += self._in_to_send.get_random_peers(size - len(peers), keep)
        return peers

    def all_rows(self) -> list:
        return self.db.query_all("SELECT ip, port, nextattempt, numfailures, type FROM peers ORDER BY ip, port")
