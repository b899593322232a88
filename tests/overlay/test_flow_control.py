"""Flow control against stellar-core's FlowControl/FlowControlCapacity rules
and Config defaults."""
import pytest

from stellarcore import xdr
from stellarcore.overlay.config import OverlayConfig
from stellarcore.overlay.flow_control import FlowControl, flow_control_bytes_batch, flow_control_bytes_total
from stellarcore.overlay.herder_api import SimpleHerder
from stellarcore.overlay.messages import MT
from stellarcore.overlay.tx_adverts import TxAdverts, max_advert_size
from tests.overlay.helpers import scp_envelope, sdk_transaction

CFG = OverlayConfig()


def fc(herder=None, cfg=CFG):
    return FlowControl(cfg, flow_control_bytes_total(cfg, 100 * 1024), herder or SimpleHerder(), clock=lambda: 0.0)


def test_defaults_from_stellar_core_config():
    c = OverlayConfig().adjust()
    assert (c.peer_reading_capacity, c.peer_flood_reading_capacity, c.flow_control_send_more_batch_size) == (201, 200, 40)
    assert c.outbound_tx_queue_byte_limit == 3 * 1024 * 1024
    # Config::adjust: MAX_ADDITIONAL = 8 * TARGET; pending split by TARGET / (TARGET + ADDITIONAL)
    assert c.max_additional_peer_connections == 64
    assert c.max_outbound_pending_connections == -(-500 * 8 // 72)        # ceil(500 * 8/72) = 56
    assert c.max_inbound_pending_connections == 500 - 56
    c = OverlayConfig(target_peer_connections=100, max_additional_peer_connections=30).adjust()
    assert c.target_peer_connections == 30 // 3 + 3                      # capped by inbound rate


def test_bytes_total_and_batch():
    # 300000 / 100000 unless the max tx size does not fit between them
    assert flow_control_bytes_total(CFG, 100 * 1024) == 300000
    assert flow_control_bytes_total(CFG, 200000) == 300000
    assert flow_control_bytes_total(CFG, 200001) == 300001
    assert flow_control_bytes_batch(CFG) == 100000
    c = OverlayConfig(peer_flood_reading_capacity_bytes=5000, flow_control_send_more_batch_size_bytes=1000)
    assert flow_control_bytes_total(c, 100) == 5000 and flow_control_bytes_batch(c) == 1000


def test_send_more_after_forty_flood_messages():
    f = fc()
    grants = []
    for i in range(120):
        assert f.begin_processing(MT.TRANSACTION, 100)
        g, _ = f.end_processing(MT.TRANSACTION, 100)
        if g != (0, 0):
            grants.append((i, g))
    assert grants == [(39, (40, 4000)), (79, (40, 4000)), (119, (40, 4000))]


def test_send_more_after_byte_batch():
    f = fc()
    for i in range(9):
        f.begin_processing(MT.TRANSACTION, 11000)
        g, _ = f.end_processing(MT.TRANSACTION, 11000)
        assert g == ((0, 0) if i < 9 else None)
    f.begin_processing(MT.TRANSACTION, 11000)
    g, _ = f.end_processing(MT.TRANSACTION, 11000)
    assert g == (10, 110000)


def test_non_flood_messages_take_no_flood_capacity():
    f = fc()
    for _ in range(50):
        assert f.begin_processing(MT.GET_SCP_STATE, 8)
        assert f.end_processing(MT.GET_SCP_STATE, 8)[0] == (0, 0)
    assert f.msgs.flood == 200


def test_local_capacity_overrun_and_read_throttling():
    f = fc()
    for _ in range(200):
        assert f.begin_processing(MT.SCP_MESSAGE, 10)
    assert f.can_read()                       # total 201: one left
    assert not f.begin_processing(MT.SCP_MESSAGE, 10)   # no flood capacity
    f2 = fc()
    for _ in range(201):
        f2.begin_processing(MT.GET_SCP_STATE, 4)
    assert not f2.can_read()
    resumed = [f2.end_processing(MT.GET_SCP_STATE, 4)[1] for _ in range(201)]
    assert resumed.count(True) == 1 and resumed[-1] and f2.can_read()


def test_byte_capacity_overrun():
    f = fc()
    assert f.begin_processing(MT.TRANSACTION, 299999)
    assert not f.begin_processing(MT.TRANSACTION, 2)


def test_send_more_validation():
    f = fc()
    sm = lambda m, b: xdr.StellarMessage(sendMoreExtendedMessage=xdr.SendMoreExtended(numMessages=m, numBytes=b))  # noqa
    assert f.send_more_error(sm(1, 1)) is None
    assert f.send_more_error(sm(1, 0)) == "invalid message SEND_MORE_EXTENDED"
    assert f.send_more_error(xdr.StellarMessage(sendMoreMessage=xdr.SendMore(numMessages=1))) == \
        "unexpected message type SEND_MORE"
    f.msgs.outbound = (1 << 64) - 1
    assert f.send_more_error(sm(1, 1)) == "Peer capacity overflow"


def test_priorities_and_outbound_capacity():
    f = fc()
    tx = xdr.StellarMessage(transaction=sdk_transaction(1))
    scp = xdr.StellarMessage(envelope=scp_envelope(5))
    adv = xdr.StellarMessage(floodAdvert=xdr.FloodAdvert(txHashes=[bytes(32)]))
    dem = xdr.StellarMessage(floodDemand=xdr.FloodDemand(txHashes=[bytes(32)]))
    for m in (adv, dem, tx, scp):
        f.add_and_maybe_trim(m, m.to_xdr(), m.type)
    assert f.next_batch() == []                      # nothing granted yet
    f.release_outbound(3, 10 ** 6)
    assert [m.type for m in f.next_batch()] == [MT.SCP_MESSAGE, MT.TRANSACTION, MT.FLOOD_DEMAND]
    f = fc()
    f.add_and_maybe_trim(adv, adv.to_xdr(), adv.type)
    f.release_outbound(1, len(adv.to_xdr()) - 1)     # bytes short by one
    assert f.next_batch() == []
    f.release_outbound(0, 1)
    assert [m.type for m in f.next_batch()] == [MT.FLOOD_ADVERT]
    assert (f.msgs.outbound, f.bytes.outbound) == (0, 0)


def test_tx_queue_dropped_when_over_tx_set_size():
    h = SimpleHerder(max_tx_set_ops=5)
    f = fc(h)
    for i in range(5):
        m = xdr.StellarMessage(transaction=sdk_transaction(i))
        f.add_and_maybe_trim(m, m.to_xdr(), m.type)
    assert len(f.queues[1]) == 5
    m = xdr.StellarMessage(transaction=sdk_transaction(9))
    f.add_and_maybe_trim(m, m.to_xdr(), m.type)
    assert len(f.queues[1]) == 0 and f.tx_queue_bytes == 0 and f.dropped[1] == 6


def test_oversized_tx_never_queued():
    f = fc()
    m = xdr.StellarMessage(transaction=sdk_transaction(1))
    f.herder.get_max_tx_size = lambda: 10
    f.add_and_maybe_trim(m, m.to_xdr(), m.type)
    assert f.queued() == 0


def test_adverts_dropped_over_limit():
    h = SimpleHerder(max_tx_set_ops=3)
    f = fc(h)
    adv = xdr.StellarMessage(floodAdvert=xdr.FloodAdvert(txHashes=[bytes(32)] * 2))
    f.add_and_maybe_trim(adv, adv.to_xdr(), adv.type)
    assert len(f.queues[3]) == 1
    f.add_and_maybe_trim(adv, adv.to_xdr(), adv.type)
    assert len(f.queues[3]) == 0 and f.advert_hashes == 0


def test_scp_queue_drops_forgotten_slots():
    h = SimpleHerder(ledger_seq=100)        # remembers slots >= 88
    f = fc(h)
    for slot in (50, 87, 88, 100):
        m = xdr.StellarMessage(envelope=scp_envelope(slot))
        f.add_and_maybe_trim(m, m.to_xdr(), m.type)
    assert [m.msg.envelope.statement.slotIndex for m in f.queues[0]] == [88, 100]


def test_scp_queue_replaces_older_statement_by_newest():
    h = SimpleHerder(ledger_seq=10)
    h.is_newer_nomination_or_ballot_st = lambda old, new: old.slotIndex == new.slotIndex
    f = fc(h)
    for slot in (9, 10, 10):
        m = xdr.StellarMessage(envelope=scp_envelope(slot))
        f.add_and_maybe_trim(m, m.to_xdr(), m.type)
    q = [m.msg.envelope.statement.slotIndex for m in f.queues[0]]
    assert q == [9, 10]


def test_advert_and_demand_sizes():
    h = SimpleHerder(max_tx_set_ops=1000, close_time=5.0)
    # ceil(1000 ops * 100 ms / 5000 ms) = 20
    assert max_advert_size(OverlayConfig(), h) == 20
    assert max_advert_size(OverlayConfig(), SimpleHerder(max_tx_set_ops=10 ** 6)) == 1000
    assert max_advert_size(OverlayConfig(), SimpleHerder(max_tx_set_ops=0)) == 1


def test_incoming_adverts_capped_and_retries_first():
    h = SimpleHerder(max_tx_set_ops=3)
    a = TxAdverts(OverlayConfig(), h)
    hs = [bytes([i]) * 32 for i in range(5)]
    a.queue_incoming(hs, 1)
    assert list(a.incoming) == hs[2:]
    assert all(a.seen_advert(x) for x in hs)
    a.retry_incoming([hs[0]])        # over the cap: trimming pops retries first (popIncomingAdvert)
    assert a.size() == 3 and list(a.retry) == []
    a.incoming.popleft()
    a.retry_incoming([hs[1]])
    assert a.pop_incoming() == hs[1] and a.pop_incoming() == hs[3]
    a.clear_below(2)
    assert not a.seen_advert(hs[0])
