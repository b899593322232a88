"""Overlay settings, with stellar-core v25.0.1's defaults (main/Config.cpp,
docs/stellar-core_example.cfg) and its `Config::adjust` for connection
limits.  Only what the overlay reads lives here; the node's full config
will fill one of these.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from stellarcore.crypto.keys import SecretKey
from stellarcore.crypto.txhash import network_id

OVERLAY_PROTOCOL_MIN_VERSION = 35       # Config.cpp, v25.0.1
OVERLAY_PROTOCOL_VERSION = 38
LEDGER_PROTOCOL_VERSION = 25
MIN_INBOUND_FACTOR = 3                  # OverlayManager.h
POSSIBLY_PREFERRED_EXTRA = 2            # Config.h
REALLY_DEAD_NUM_FAILURES_CUTOFF = 120   # Config.h
MAX_FS_CONNECTIONS = 65535              # stand-in for fs::getMaxHandles()


@dataclass
class OverlayConfig:
    node_seed: SecretKey = field(default_factory=SecretKey.random)
    network_passphrase: str = "Standalone Network ; February 2017"
    peer_port: int = 11625
    listen_address: str = "0.0.0.0"
    version_str: str = "stellarcore-py v25"
    ledger_protocol_version: int = LEDGER_PROTOCOL_VERSION
    overlay_min_version: int = OVERLAY_PROTOCOL_MIN_VERSION
    overlay_version: int = OVERLAY_PROTOCOL_VERSION

    known_peers: list = field(default_factory=list)      # "host:port" strings
    preferred_peers: list = field(default_factory=list)
    preferred_peer_keys: set = field(default_factory=set)  # raw ed25519 bytes
    preferred_peers_only: bool = False
    allow_localhost_for_testing: bool = False
    run_standalone: bool = False

    target_peer_connections: int = 8
    max_additional_peer_connections: int = -1
    max_pending_connections: int = 500
    max_outbound_pending_connections: int = 0
    max_inbound_pending_connections: int = 0

    peer_authentication_timeout: float = 2.0
    peer_timeout: float = 30.0
    peer_straggler_timeout: float = 120.0
    peer_send_mode_idle_timeout: float = 60.0   # Peer::PEER_SEND_MODE_IDLE_TIMEOUT
    recurrent_timer_period: float = 5.0          # Peer::startRecurrentTimer

    peer_reading_capacity: int = 201
    peer_flood_reading_capacity: int = 200
    flow_control_send_more_batch_size: int = 40
    peer_flood_reading_capacity_bytes: int = 0
    flow_control_send_more_batch_size_bytes: int = 0
    outbound_tx_queue_byte_limit: int = 3 * 1024 * 1024

    flood_op_rate_per_ledger: float = 1.0
    flood_soroban_rate_per_ledger: float = 1.0
    flood_demand_period_ms: int = 200
    flood_advert_period_ms: int = 100
    flood_demand_backoff_delay_ms: int = 500
    max_slots_to_remember: int = 12

    surveyor_keys: set = field(default_factory=set)     # raw ed25519 bytes; empty: anyone

    def __post_init__(self):
        self._adjusted = False

    @property
    def network_id(self) -> bytes:
        return network_id(self.network_passphrase)

    def replace(self, **kw) -> "OverlayConfig":
        c = dataclasses.replace(self, **kw)
        return c

    def adjust(self) -> "OverlayConfig":
        """stellar-core's Config::adjust, connection part (idempotent)."""
        if self._adjusted:
            return self
        self._adjusted = True
        if self.max_additional_peer_connections == -1:
            self.max_additional_peer_connections = min(self.target_peer_connections * 8, 65535)
        limit = self.max_additional_peer_connections // MIN_INBOUND_FACTOR + MIN_INBOUND_FACTOR
        if self.target_peer_connections > limit:
            self.target_peer_connections = limit
        total = self.target_peer_connections + self.max_additional_peer_connections
        max_pending = self.max_pending_connections
        if total > 0:
            rate = self.target_peer_connections / total
            if total + max_pending > MAX_FS_CONNECTIONS:
                max_pending = 1 if total >= MAX_FS_CONNECTIONS else MAX_FS_CONNECTIONS - total
            self.max_pending_connections = min(65535, max_pending)
            if self.max_outbound_pending_connections == 0 and self.max_inbound_pending_connections == 0:
                self.max_outbound_pending_connections = max(
                    1, min(65535, max(1, math.ceil(self.max_pending_connections * rate))))
                self.max_inbound_pending_connections = max(
                    1, self.max_pending_connections - self.max_outbound_pending_connections)
        else:
            self.max_outbound_pending_connections = 0
            self.max_inbound_pending_connections = 0
        return self
