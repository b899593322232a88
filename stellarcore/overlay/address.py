"""Peer addresses (overlay/PeerBareAddress.cpp): IPv4 and a port, as upstream."""
from __future__ import annotations

import ipaddress
import socket
from typing import NamedTuple

from stellarcore import xdr

DEFAULT_PEER_PORT = 11625


class PeerBareAddress(NamedTuple):
    ip: str
    port: int

    def __str__(self):
        return f"{self.ip}:{self.port}"

    def is_private(self) -> bool:
        try:
            v = int(ipaddress.IPv4Address(self.ip))
        except ValueError:
            return False
        return (v >> 24) == 10 or (v >> 20) == 2753 or (v >> 16) == 49320

    def is_localhost(self) -> bool:
        return self.ip == "127.0.0.1"

    def to_xdr(self) -> "xdr.PeerAddress":
        return xdr.PeerAddress(ip=xdr.PeerAddressIp(ipv4=ipaddress.IPv4Address(self.ip).packed),
                               port=self.port, numFailures=0)

    @classmethod
    def from_xdr(cls, pa) -> "PeerBareAddress":
        return cls(str(ipaddress.IPv4Address(bytes(pa.ip.ipv4))), pa.port)

    @classmethod
    def parse(cls, text: str, default_port: int = DEFAULT_PEER_PORT) -> "PeerBareAddress":
        """"host[:port]" with host resolved to an IPv4 address (PeerBareAddress::resolve)."""
        text = text.strip()
        host, _, port = text.rpartition(":") if ":" in text else (text, "", "")
        if not host:
            host, port = text, ""
        p = int(port) if port else default_port
        if not 0 < p <= 65535:
            raise ValueError(f"bad port in {text!r}")
        try:
            ip = str(ipaddress.IPv4Address(host))
        except ValueError:
            ip = socket.gethostbyname(host)   # IPv4 only, as upstream
        return cls(ip, p)
