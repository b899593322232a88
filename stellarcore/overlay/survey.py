"""Time-sliced surveys (placeholder, replaced below)."""
from __future__ import annotations


class SurveyManager:
    def __init__(self, overlay):
        self.overlay = overlay

    def recv(self, msg, mx, peer) -> None:
        pass

    def record_dropped_peer(self, peer) -> None:
        pass

    def clear_old_ledgers(self, lcl_seq: int) -> None:
        pass
