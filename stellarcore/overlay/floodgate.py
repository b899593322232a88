"""Floodgate (overlay/Floodgate.cpp): which peers already have a flooded message.

Keyed by BLAKE2 of the StellarMessage XDR (PARITY_TRAPS O4); each record
remembers the ledger it was first seen at and the peers told (by their
address string, as upstream).  Broadcasting sends SCP and survey messages
to every authenticated peer not yet told, and turns a transaction into
an advert of its full hash (pull mode).
"""
from __future__ import annotations

from stellarcore.crypto.sha import blake2
from stellarcore.overlay.messages import MT


class FloodRecord:
    __slots__ = ("ledger_seq", "peers_told")

    def __init__(self, ledger_seq: int, peer=None):
        self.ledger_seq = ledger_seq
        self.peers_told = {str(peer)} if peer is not None else set()


class Floodgate:
    def __init__(self, overlay):
        self.overlay = overlay
        self.flood_map: dict[bytes, FloodRecord] = {}
        self.shutting_down = False

    def clear_below(self, max_ledger: int) -> None:
        self.flood_map = {k: v for k, v in self.flood_map.items() if v.ledger_seq >= max_ledger}

    def add_record(self, peer, index: bytes) -> bool:
        """True if never seen before."""
        if self.shutting_down:
            return False
        rec = self.flood_map.get(index)
        if rec is None:
            self.flood_map[index] = FloodRecord(self.overlay.herder.tracking_consensus_ledger_index(), peer)
            return True
        rec.peers_told.add(str(peer))
        return False

    def broadcast(self, msg, tx_hash: bytes | None = None, msg_xdr: bytes | None = None) -> bool:
        if self.shutting_down:
            return False
        mtype = msg.type
        if mtype == MT.TRANSACTION and tx_hash is None:
            raise ValueError("broadcasting a transaction needs its full hash")
        if msg_xdr is None:
            msg_xdr = msg.to_xdr()
        index = blake2(msg_xdr)
        rec = self.flood_map.get(index)
        if rec is None:
            rec = FloodRecord(self.overlay.herder.tracking_consensus_ledger_index())
            self.flood_map[index] = rec
        told = rec.peers_told
        sent = False
        for peer in self.overlay.get_authenticated_peers_list():
            key = str(peer)
            if key in told:
                continue
            told.add(key)
            if mtype == MT.TRANSACTION:
                peer.send_advert(tx_hash)
            else:
                peer.send_message(msg, msg_xdr)
            sent = True
        return sent

    def get_peers_knows(self, index: bytes) -> list:
        rec = self.flood_map.get(index)
        if rec is None:
            return []
        return [p for p in self.overlay.get_authenticated_peers_list() if str(p) in rec.peers_told]

    def forget_record(self, index: bytes) -> None:
        self.flood_map.pop(index, None)

    def shutdown(self) -> None:
        self.shutting_down = True
        self.flood_map.clear()
