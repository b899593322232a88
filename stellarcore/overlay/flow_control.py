"""Flow control (overlay/FlowControl.cpp, FlowControlCapacity.cpp).

Two capacities per peer, counted in messages and in bytes (the XDR size
of the StellarMessage):
- local (reading): how much of the peer's flood traffic we will hold
  unprocessed.  `begin_processing` takes, `end_processing` gives back;
  a flood message that finds no capacity means the peer ignored our
  grants and gets dropped.  Message capacity also has a total (all
  messages, PEER_READING_CAPACITY); reading stops while it is zero.
- outbound: what the peer granted us through SEND_MORE_EXTENDED.

Outbound flood messages wait in four queues, sent in priority order:
SCP, transactions, demands, adverts.  Trimming under load as stellar-core:
the tx queue is emptied when over the max tx-set size in ops or over
OUTBOUND_TX_QUEUE_BYTE_LIMIT; adverts/demands when their hash count is over
the max tx-set size; SCP drops statements for forgotten slots and replaces
an older nomination/ballot statement of the same node by the newest.
"""
from __future__ import annotations

import time
from collections import deque

from stellarcore.overlay.messages import FLOOD_TYPES, MT

INITIAL_PEER_FLOOD_READING_CAPACITY_BYTES = 300000      # OverlayManagerImpl.cpp
INITIAL_FLOW_CONTROL_SEND_MORE_BATCH_SIZE_BYTES = 100000

UINT64_MAX = (1 << 64) - 1


def flow_control_bytes_total(cfg, max_tx_size: int) -> int:
    """OverlayManagerImpl::getFlowControlBytesTotal."""
    if cfg.peer_flood_reading_capacity_bytes == 0 and cfg.flow_control_send_more_batch_size_bytes == 0:
        if not (INITIAL_PEER_FLOOD_READING_CAPACITY_BYTES
                - INITIAL_FLOW_CONTROL_SEND_MORE_BATCH_SIZE_BYTES >= max_tx_size):
            return max_tx_size + INITIAL_FLOW_CONTROL_SEND_MORE_BATCH_SIZE_BYTES
        return INITIAL_PEER_FLOOD_READING_CAPACITY_BYTES
    return cfg.peer_flood_reading_capacity_bytes


def flow_control_bytes_batch(cfg) -> int:
    """OverlayManager::getFlowControlBytesBatch."""
    if cfg.peer_flood_reading_capacity_bytes == 0 and cfg.flow_control_send_more_batch_size_bytes == 0:
        return INITIAL_FLOW_CONTROL_SEND_MORE_BATCH_SIZE_BYTES
    return cfg.flow_control_send_more_batch_size_bytes


class Capacity:
    """One resource (messages or bytes): local flood/total and outbound."""

    __slots__ = ("flood", "flood_limit", "total", "total_limit", "outbound")

    def __init__(self, flood: int, total: int | None):
        self.flood = self.flood_limit = flood
        self.total = self.total_limit = total
        self.outbound = 0

    def lock_local(self, res: int, is_flood: bool) -> bool:
        if self.total is not None:
            # stellar-core asserts here; reading stops at zero total so an
            # honest path never gets below.  Clamp instead of crashing.
            self.total = max(0, self.total - res)
        if is_flood:
            if self.flood < res:
                return False
            self.flood -= res
        return True

    def release_local(self, res: int, is_flood: bool) -> int:
        if self.total is not None:
            self.total = min(self.total_limit, self.total + res)
        if is_flood:
            self.flood = min(self.flood_limit, self.flood + res)
            return res
        return 0


class QueuedMessage:
    __slots__ = ("msg", "xdr", "size", "type", "time", "being_sent")

    def __init__(self, msg, xdr_bytes: bytes, mtype: int, now: float):
        self.msg = msg
        self.xdr = xdr_bytes
        self.size = len(xdr_bytes)
        self.type = mtype
        self.time = now
        self.being_sent = False


PRIORITY = {MT.SCP_MESSAGE: 0, MT.TRANSACTION: 1, MT.FLOOD_DEMAND: 2, MT.FLOOD_ADVERT: 3}


class FlowControl:
    def __init__(self, cfg, bytes_total: int, herder, clock=time.monotonic):
        self.cfg = cfg
        self.herder = herder
        self.clock = clock
        self.msgs = Capacity(cfg.peer_flood_reading_capacity, cfg.peer_reading_capacity)
        self.bytes = Capacity(bytes_total, None)
        self.byte_batch = flow_control_bytes_batch(cfg)
        self.queues = [deque(), deque(), deque(), deque()]
        self.tx_queue_bytes = 0
        self.advert_hashes = 0
        self.demand_hashes = 0
        self.flood_processed = 0
        self.flood_processed_bytes = 0
        self.total_processed = 0
        self.no_outbound_capacity_since: float | None = clock()
        self.throttled_since: float | None = None
        self.dropped = [0, 0, 0, 0]

    # -- reading ----------------------------------------------------------
    def begin_processing(self, mtype: int, size: int) -> bool:
        is_flood = mtype in FLOOD_TYPES
        ok_m = self.msgs.lock_local(1, is_flood)
        return ok_m and self.bytes.lock_local(size, is_flood)

    def end_processing(self, mtype: int, size: int):
        """(flood msgs, flood bytes) to grant back now (0, 0 if none), and
        whether reading may resume."""
        is_flood = mtype in FLOOD_TYPES
        self.flood_processed += self.msgs.release_local(1, is_flood)
        self.flood_processed_bytes += self.bytes.release_local(size, is_flood)
        self.total_processed += 1
        send_more = (self.flood_processed == self.cfg.flow_control_send_more_batch_size
                     or self.flood_processed_bytes >= self.byte_batch)
        grant = (0, 0)
        if send_more:
            grant = (self.flood_processed, self.flood_processed_bytes)
            self.flood_processed = 0
            self.flood_processed_bytes = 0
        resume = False
        if self.total_processed == self.cfg.peer_reading_capacity:
            self.total_processed = 0
            resume = True
        return grant, resume

    def can_read(self) -> bool:
        return self.msgs.total is None or self.msgs.total > 0

    def handle_tx_size_increase(self, increase: int) -> None:
        self.bytes.flood += increase
        self.bytes.flood_limit += increase

    # -- SEND_MORE --------------------------------------------------------
    def send_more_error(self, msg) -> str | None:
        if msg.type != MT.SEND_MORE_EXTENDED:
            return f"unexpected message type {MT(msg.type).name}"
        sm = msg.sendMoreExtendedMessage
        if sm.numBytes == 0:
            return "invalid message SEND_MORE_EXTENDED"
        if (sm.numMessages > UINT64_MAX - self.msgs.outbound
                or sm.numBytes > UINT64_MAX - self.bytes.outbound):
            return "Peer capacity overflow"
        return None

    def release_outbound(self, num_messages: int, num_bytes: int) -> None:
        self.no_outbound_capacity_since = None
        self.msgs.outbound += num_messages
        self.bytes.outbound += num_bytes

    def no_outbound_capacity_timeout(self, now: float, timeout: float) -> bool:
        s = self.no_outbound_capacity_since
        return s is not None and now - s >= timeout

    # -- outbound queues --------------------------------------------------
    def add_and_maybe_trim(self, msg, xdr_bytes: bytes, mtype: int) -> None:
        now = self.clock()
        herder = self.herder
        qi = PRIORITY[mtype]
        if mtype == MT.TRANSACTION:
            if len(xdr_bytes) > herder.get_max_tx_size():
                return
            self.tx_queue_bytes += len(xdr_bytes)
        elif mtype == MT.FLOOD_DEMAND:
            self.demand_hashes += len(msg.floodDemand.txHashes)
        elif mtype == MT.FLOOD_ADVERT:
            self.advert_hashes += len(msg.floodAdvert.txHashes)
        q = self.queues[qi]
        q.append(QueuedMessage(msg, xdr_bytes, mtype, now))
        limit = herder.get_last_max_tx_set_size_ops()
        dropped = 0
        if mtype == MT.TRANSACTION:
            if len(q) > limit or self.tx_queue_bytes > self.cfg.outbound_tx_queue_byte_limit:
                dropped = self._clear_unsent(q)
                self.tx_queue_bytes = sum(m.size for m in q)
        elif mtype == MT.SCP_MESSAGE:
            dropped = self._trim_scp(q)
        elif mtype == MT.FLOOD_ADVERT:
            if self.advert_hashes > limit:
                dropped = self._clear_unsent(q)
                self.advert_hashes = sum(len(m.msg.floodAdvert.txHashes) for m in q)
        elif mtype == MT.FLOOD_DEMAND:
            if self.demand_hashes > limit:
                dropped = self._clear_unsent(q)
                self.demand_hashes = sum(len(m.msg.floodDemand.txHashes) for m in q)
        self.dropped[qi] += dropped

    @staticmethod
    def _clear_unsent(q) -> int:
        # stellar-core clears the whole queue; in our single-threaded writer a
        # message handed to the socket has already left the queue, so the
        # only difference would be messages marked being_sent, which we keep.
        keep = [m for m in q if m.being_sent]
        n = len(q) - len(keep)
        q.clear()
        q.extend(keep)
        return n

    def _trim_scp(self, q) -> int:
        herder = self.herder
        min_slot = herder.get_min_ledger_seq_to_remember()
        checkpoint = herder.get_most_recent_checkpoint_seq()
        dropped = 0
        replaced = False
        items = list(q)
        i = 0
        while i < len(items):
            it = items[i]
            if it.being_sent:
                i += 1
                continue
            slot = it.msg.envelope.statement.slotIndex
            if slot < min_slot and slot != checkpoint:
                del items[i]
                dropped += 1
            elif (not replaced and i != len(items) - 1 and herder.is_newer_nomination_or_ballot_st(
                    it.msg.envelope.statement, items[-1].msg.envelope.statement)):
                replaced = True
                items[i] = items.pop()
                dropped += 1
                i += 1
            else:
                i += 1
        q.clear()
        q.extend(items)
        return dropped

    def next_batch(self):
        """Messages we have capacity to send now, in priority order."""
        batch = []
        msgs, byts = self.msgs, self.bytes
        for q in self.queues:
            while q:
                m = q[0]
                if msgs.outbound < 1 or byts.outbound < m.size:
                    self.no_outbound_capacity_since = self.clock()
                    break
                q.popleft()
                msgs.outbound -= 1
                byts.outbound -= m.size
                if m.type == MT.TRANSACTION:
                    self.tx_queue_bytes -= m.size
                elif m.type == MT.FLOOD_DEMAND:
                    self.demand_hashes -= len(m.msg.floodDemand.txHashes)
                elif m.type == MT.FLOOD_ADVERT:
                    self.advert_hashes -= len(m.msg.floodAdvert.txHashes)
                batch.append(m)
        return batch

    def queued(self) -> int:
        return sum(len(q) for q in self.queues)
