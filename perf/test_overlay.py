"""Overlay throughput and latency on one authenticated loopback connection.

Run only on request (pyproject's testpaths is ``tests``):

    python -m pytest -q -s perf/test_overlay.py

Both nodes run in this process on one gevent hub (one core does both ends:
sealing, MACs, framing, the kernel's loopback, parsing, MAC checks,
decoding and dispatch), so the figures are per core for a round trip of
work, not per connection end.

* ``small``: GET_SCP_STATE messages (a 64-byte frame) sent by A, handled
  by B's dispatch -> messages/s.
* ``large``: TX_SET messages of ~21 KiB (100 payments each, stellar-sdk
  encoded) sent by A, decoded and delivered to B's herder -> MB/s.
* ``scp-latency``: SCP envelopes flooded A->B at 100/s while A floods
  1,000 transactions/s in pull mode (advert, demand, transaction);
  p50/p99 of send-to-herder latency.
Baselines measured in the same run: the same frames through a raw gevent
socket pair (sendall + recv + frame cut only), and HMAC-SHA256 of the
small frame alone.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import platform
import time

import gevent
from gevent import socket as gsocket

from stellarcore import xdr
from stellarcore.overlay import wire
from tests.overlay.helpers import connect, make_node, scp_envelope, sdk_transaction, shutdown_all, wait_until

SMALL_N = 100_000
LARGE_N = 300


def _pair():
    a, b = make_node(), make_node()
    connect(a, b)
    assert wait_until(lambda: a.authenticated_count() == 1 and b.authenticated_count() == 1)
    gevent.sleep(0.05)
    pa = next(iter(a.get_authenticated_peers().values()))
    pb = next(iter(b.get_authenticated_peers().values()))
    return a, b, pa, pb


def _report(name, **kv):
    print(f"\n[overlay perf] {name}: " + ", ".join(f"{k}={v}" for k, v in kv.items()), flush=True)


def _raw_socket_rate(frames: list[bytes], total: int) -> float:
    """Seconds to push `total` copies of the frames through a gevent socket
    pair with the same batching and frame cutting, no crypto, no decoding."""
    srv = gsocket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    c = gsocket.create_connection(srv.getsockname())
    s, _ = srv.accept()
    got = [0]

    def reader():
        r = wire.FrameReader()
        while got[0] < total:
            r.feed(s.recv(256 * 1024))
            while r.next_frame(True) is not None:
                got[0] += 1

    g = gevent.spawn(reader)
    t = time.perf_counter()
    sent = 0
    batch = b"".join(frames)
    while sent < total:
        c.sendall(batch)
        sent += len(frames)
        gevent.sleep(0)
    g.join()
    dt = time.perf_counter() - t
    for x in (c, s, srv):
        x.close()
    return dt


def test_small_messages_per_second():
    a, b, pa, pb = _pair()
    count = [0]
    b.herder.send_scp_state_to_peer = lambda seq, peer: count.__setitem__(0, count[0] + 1)
    msg = xdr.StellarMessage(getSCPLedgerSeq=7)
    mx = msg.to_xdr()
    try:
        t = time.perf_counter()
        sent = 0
        while sent < SMALL_N:
            for _ in range(500):
                pa.send_message(msg, mx)
            sent += 500
            gevent.sleep(0)
        assert wait_until(lambda: count[0] >= SMALL_N, timeout=120)
        dt = time.perf_counter() - t
    finally:
        shutdown_all([a, b])
    frame = wire.encode_authenticated(mx, 1, bytes(32))
    raw_dt = _raw_socket_rate([frame] * 500, SMALL_N)
    key = bytes(32)
    t = time.perf_counter()
    for i in range(SMALL_N):
        hmac.digest(key, mx, "sha256")
    hm_dt = time.perf_counter() - t
    rate = SMALL_N / dt
    _report("small", msgs_per_s=f"{rate:,.0f}", frame_bytes=len(frame),
            raw_socket_msgs_per_s=f"{SMALL_N / raw_dt:,.0f}", ratio_vs_raw_socket=f"{raw_dt / dt:.2f}",
            hmac_only_per_s=f"{SMALL_N / hm_dt:,.0f}", ratio_vs_two_hmacs=f"{2 * hm_dt / dt:.2f}",
            machine=f"{platform.processor() or platform.machine()} x{os.cpu_count()}",
            date=time.strftime("%Y-%m-%d"))


def _big_tx_set():
    txs = [sdk_transaction(i, bytes([i % 256]) * 32) for i in range(100)]
    return xdr.TransactionSet(previousLedgerHash=bytes(32), txs=txs)


def test_large_messages_mb_per_second():
    a, b, pa, pb = _pair()
    ts = _big_tx_set()
    msg = xdr.StellarMessage(txSet=ts)
    mx = msg.to_xdr()
    got = [0]
    b.herder.recv_tx_set = lambda generalized, t: got.__setitem__(0, got[0] + 1)
    try:
        t = time.perf_counter()
        for i in range(LARGE_N):
            pa.send_message(msg, mx)
            if i % 10 == 9:
                gevent.sleep(0)
        assert wait_until(lambda: got[0] >= LARGE_N, timeout=120)
        dt = time.perf_counter() - t
    finally:
        shutdown_all([a, b])
    mb = LARGE_N * len(mx) / 1e6
    frame = wire.encode_authenticated(mx, 1, bytes(32))
    raw_dt = _raw_socket_rate([frame] * 10, LARGE_N)
    t = time.perf_counter()
    for _ in range(LARGE_N):
        xdr.StellarMessage.from_xdr(mx)
    dec_dt = time.perf_counter() - t
    _report("large", msg_bytes=len(mx), mb_per_s=f"{mb / dt:,.1f}", msgs_per_s=f"{LARGE_N / dt:,.0f}",
            raw_socket_mb_per_s=f"{mb / raw_dt:,.1f}", ratio_vs_raw_socket=f"{raw_dt / dt:.2f}",
            decode_only_mb_per_s=f"{mb / dec_dt:,.1f}")


def test_scp_latency_under_tx_flood():
    a, b, pa, pb = _pair()
    sent_at: dict[int, float] = {}
    lat: list[float] = []

    def on_env(env):
        s = env.statement.slotIndex
        if s in sent_at:
            lat.append(time.perf_counter() - sent_at.pop(s))

    b.herder.on_envelope = on_env
    b.herder.overlay = None          # b does not re-flood
    txs = [sdk_transaction(i) for i in range(3000)]
    envs = [scp_envelope(1000 + i) for i in range(300)]
    duration = 3.0
    try:
        t0 = time.perf_counter()

        pump_end = [0.0]

        def tx_pump():
            i = 0
            while i < len(txs):
                due = int((time.perf_counter() - t0) * 1000)
                while i < min(due, len(txs)):
                    a.herder.submit_transaction(txs[i])
                    i += 1
                gevent.sleep(0.002)
            pump_end[0] = time.perf_counter()

        def scp_pump():
            for k, e in enumerate(envs):
                target = t0 + k / 100.0
                d = target - time.perf_counter()
                if d > 0:
                    gevent.sleep(d)
                sent_at[e.statement.slotIndex] = time.perf_counter()
                a.broadcast_message(xdr.StellarMessage(envelope=e))

        gs = [gevent.spawn(tx_pump), gevent.spawn(scp_pump)]
        gevent.joinall(gs, timeout=duration + 30)
        assert wait_until(lambda: len(lat) >= len(envs) and len(b.herder.txs) >= len(txs), timeout=30)
        elapsed = time.perf_counter() - t0
    finally:
        shutdown_all([a, b])
    lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    _report("scp-latency", txs=len(txs), tx_per_s_offered=f"{len(txs) / (pump_end[0] - t0):,.0f}",
            tx_per_s_delivered=f"{len(txs) / elapsed:,.0f}", scp_msgs=len(lat),
            p50_ms=f"{p(0.50):.2f}", p99_ms=f"{p(0.99):.2f}", max_ms=f"{lat[-1] * 1000:.2f}")
