"""The peers and ban tables, after stellar-core's PeerManagerTests.cpp."""
import datetime
import random

import pytest

from stellarcore.crypto.keys import SecretKey
from stellarcore.database import Database
from stellarcore.overlay.address import PeerBareAddress
from stellarcore.overlay.ban_manager import BanManager
from stellarcore.overlay.peer_manager import (BackOff, PeerManager, PeerQuery, PeerRecord, PeerType, TypeFilter,
                                              compute_backoff)

NOW = 1_700_000_000


def ts(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def pm():
    return PeerManager(Database(":memory:"), clock=lambda: NOW, rng=random.Random(1))


def local(port):
    return PeerBareAddress("127.0.0.1", port)


def test_schema_is_stellar_cores(pm):
    sql = pm.db.query_one("SELECT sql FROM sqlite_master WHERE name='peers'")[0]
    for frag in ["ip            VARCHAR(15) NOT NULL", "CHECK (port > 0 AND port <= 65535)",
                 "nextattempt   TIMESTAMP NOT NULL", "CHECK (numfailures >= 0)", "type          INT NOT NULL",
                 "PRIMARY KEY (ip, port)"]:
        assert frag in sql
    b = BanManager(pm.db)
    assert "nodeid      CHARACTER(56) NOT NULL PRIMARY KEY" in pm.db.query_one(
        "SELECT sql FROM sqlite_master WHERE name='ban'")[0]
    with pytest.raises(Exception):
        pm.db.execute("INSERT INTO peers VALUES ('1.2.3.4', 0, 'x', 0, 0)")


def test_private_addresses():
    assert not PeerBareAddress("1.2.3.4", 15).is_private()
    assert PeerBareAddress("10.1.2.3", 15).is_private()
    assert PeerBareAddress("172.17.1.2", 15).is_private()
    assert PeerBareAddress("192.168.1.2", 15).is_private()
    assert not PeerBareAddress("172.32.0.1", 15).is_private()


def test_parse_addresses():
    assert PeerBareAddress.parse("1.2.3.4") == ("1.2.3.4", 11625)
    assert PeerBareAddress.parse("1.2.3.4:12") == ("1.2.3.4", 12)
    with pytest.raises(ValueError):
        PeerBareAddress.parse("1.2.3.4:0")
    with pytest.raises(ValueError):
        PeerBareAddress.parse("1.2.3.4:65536")


def test_xdr_round_trip():
    a = PeerBareAddress("1.25.50.200", 256)
    x = a.to_xdr()
    assert bytes(x.ip.ipv4) == bytes([1, 25, 50, 200]) and x.port == 256 and x.numFailures == 0
    assert PeerBareAddress.from_xdr(x) == a


def test_load_random_peers_every_query(pm):
    """stellar-core's loadRandomPeers: each query returns exactly the rows it admits."""
    records = {}
    port = 1
    for t in (NOW - 1, NOW, NOW + 1):
        for failures in (0, 1):
            for typ in PeerType:
                r = PeerRecord(ts(t), failures, int(typ))
                records[port] = (t, failures, typ)
                pm.store(local(port), r, False)
                port += 1

    def valid(q, rec):
        t, failures, typ = rec
        if q.use_next_attempt and t > NOW:
            return False
        if q.max_failures is not None and failures > q.max_failures:
            return False
        return {TypeFilter.INBOUND_ONLY: typ == PeerType.INBOUND,
                TypeFilter.OUTBOUND_ONLY: typ == PeerType.OUTBOUND,
                TypeFilter.PREFERRED_ONLY: typ == PeerType.PREFERRED,
                TypeFilter.ANY_OUTBOUND: typ != PeerType.INBOUND}[q.type_filter]

    for use_next in (False, True):
        for max_f in (None, 1):
            for f in TypeFilter:
                q = PeerQuery(use_next, max_f, f)
                ports = {a.port for a in pm.load_random_peers(q, 1000)}
                for p, rec in records.items():
                    assert (p in ports) == valid(q, rec), (use_next, max_f, f, p)


def test_next_attempt_cutoff_also_limits_failures(pm):
    pm.store(local(1), PeerRecord(ts(NOW), 120, int(PeerType.OUTBOUND)), False)
    pm.store(local(2), PeerRecord(ts(NOW), 119, int(PeerType.OUTBOUND)), False)
    pm.store(local(3), PeerRecord(ts(NOW), 121, int(PeerType.OUTBOUND)), False)
    pm.store(local(4), PeerRecord(ts(NOW), 0, int(PeerType.OUTBOUND)), False)
    got = pm.load_random_peers(PeerQuery.next_attempt_cutoff(PeerType.OUTBOUND), 10)
    assert sorted(a.port for a in got) == [1, 2, 4]


def test_purge(pm):
    for port, f in [(1, 0), (2, 119), (3, 120), (4, 121), (5, 2000)]:
        pm.store(local(port), PeerRecord(ts(NOW), f, 0), False)
    pm.remove_peers_with_many_failures(120)
    assert [pm.load(local(p))[1] for p in range(1, 6)] == [True, True, False, False, False]
    pm.remove_peers_with_many_failures(100, local(2))
    assert not pm.load(local(2))[1]


def test_backoff_bounds():
    rng = random.Random(3)
    for failures in range(0, 15):
        hi = (1 << min(failures, 10)) * 10
        for _ in range(50):
            assert 1 <= compute_backoff(failures, rng) <= hi


def test_backoff_updates(pm):
    a = local(9)
    pm.update(a, backoff=BackOff.INCREASE)
    r, in_db = pm.load(a)
    assert in_db and r.num_failures == 1 and ts(NOW + 1) <= r.next_attempt <= ts(NOW + 20)
    pm.update(a, backoff=BackOff.INCREASE)
    assert pm.load(a)[0].num_failures == 2
    pm.update(a, backoff=BackOff.RESET)
    r = pm.load(a)[0]
    assert r.num_failures == 0 and r.next_attempt > ts(NOW)
    pm.update(a, backoff=BackOff.HARD_RESET)
    r = pm.load(a)[0]
    assert r.num_failures == 0 and r.next_attempt == ts(NOW)


def test_type_updates(pm):
    a = local(7)
    pm.update(a, PeerType.INBOUND)
    assert pm.load(a)[0].type == PeerType.INBOUND
    pm.update(a, PeerType.OUTBOUND)
    assert pm.load(a)[0].type == PeerType.OUTBOUND
    pm.update(a, PeerType.PREFERRED)
    assert pm.load(a)[0].type == PeerType.PREFERRED
    pm.update(a, PeerType.OUTBOUND, preferred_type_known=False)     # stays preferred
    assert pm.load(a)[0].type == PeerType.PREFERRED
    pm.update(a, PeerType.OUTBOUND, preferred_type_known=True)      # no longer preferred
    assert pm.load(a)[0].type == PeerType.OUTBOUND
    pm.update(a, PeerType.INBOUND)                                  # an outbound stays outbound
    assert pm.load(a)[0].type == PeerType.OUTBOUND


def test_peers_to_send(pm):
    me = PeerBareAddress("127.0.0.255", 1)
    for i in range(20):
        pm.store(PeerBareAddress(f"1.1.1.{i}", 1), PeerRecord(ts(NOW), 0, int(PeerType.OUTBOUND)), False)
        pm.store(PeerBareAddress(f"2.2.2.{i}", 1), PeerRecord(ts(NOW), 0, int(PeerType.INBOUND)), False)
        pm.store(PeerBareAddress(f"10.0.0.{i}", 1), PeerRecord(ts(NOW), 0, int(PeerType.OUTBOUND)), False)
        pm.store(PeerBareAddress(f"3.3.3.{i}", 1), PeerRecord(ts(NOW), 11, int(PeerType.OUTBOUND)), False)
    pm.store(me, PeerRecord(ts(NOW), 0, int(PeerType.OUTBOUND)), False)
    got = pm.get_peers_to_send(30, me)
    assert len(got) == 30 and me not in got
    assert not any(a.is_private() or a.ip.startswith("3.") for a in got)
    assert sum(1 for a in got if a.ip.startswith("1.")) == 20       # outbound first


def test_ban_manager():
    b = BanManager(Database(":memory:"))
    k = SecretKey(bytes([4]) * 32).public_key
    assert not b.is_banned(k.ed25519)
    b.ban_node(k.ed25519)
    b.ban_node(k.ed25519)
    assert b.is_banned(k.ed25519) and b.get_banned() == [k.strkey()]
    b.unban_node(k.ed25519)
    assert not b.is_banned(k.ed25519)


def test_database_file_persists(tmp_path):
    p = str(tmp_path / "node.db")
    db = Database(p)
    PeerManager(db, clock=lambda: NOW).ensure_exists(local(5))
    db.close()
    db2 = Database(p)
    assert PeerManager(db2, clock=lambda: NOW).load(local(5))[1]
    db2.drop_and_create("peers")
    assert not PeerManager(db2, clock=lambda: NOW).load(local(5))[1]
