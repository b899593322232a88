"""A scriptable remote peer speaking the wire protocol by hand, to play
hostile (or just precise) peers against a node."""
from __future__ import annotations

import os
import struct

import gevent
from gevent import socket

from stellarcore import xdr
from stellarcore.crypto.keys import SecretKey
from stellarcore.crypto.txhash import network_id as net_id_of
from stellarcore.overlay import auth, wire
from stellarcore.overlay.auth import PeerAuth
from tests.overlay.helpers import PASSPHRASE


class RawPeer:
    def __init__(self, port: int, passphrase: str = PASSPHRASE, cert_passphrase: str | None = None,
                 node: SecretKey | None = None, clock=None):
        self.node = node or SecretKey.random()
        self.network_id = net_id_of(passphrase)
        cert_net = net_id_of(cert_passphrase) if cert_passphrase else self.network_id
        kw = {"clock": clock} if clock else {}
        self.auth = PeerAuth(self.node, cert_net, **kw)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        self.sock.settimeout(2)
        self.mac = wire.MacState()
        self.reader = wire.FrameReader()
        self.nonce = os.urandom(32)
        self.remote_hello = None

    # -- sending -------------------------------------------------------------
    def hello_msg(self, **over):
        kw = dict(ledgerVersion=25, overlayMinVersion=35, overlayVersion=38, networkID=self.network_id,
                  versionStr=b"rawpeer", listeningPort=11625,
                  peerID=xdr.PublicKey(ed25519=self.node.public_key.ed25519),
                  cert=self.auth.get_auth_cert(), nonce=self.nonce)
        kw.update(over)
        return xdr.StellarMessage(hello=xdr.Hello(**kw))

    def send(self, msg) -> None:
        self.sock.sendall(self.mac.seal(int(msg.type), msg.to_xdr()))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    # -- receiving -----------------------------------------------------------
    def recv(self, timeout=2.0):
        with gevent.Timeout(timeout):
            while True:
                body = self.reader.next_frame(True)
                if body is not None:
                    seq, mx, mac = wire.split_authenticated(body)
                    msg = xdr.StellarMessage.from_xdr(mx)
                    if self.mac.recv_key is not None and msg.type not in (xdr.MessageType.HELLO,
                                                                          xdr.MessageType.ERROR_MSG):
                        assert self.mac.check(seq, mx, mac) is None
                    return msg
                data = self.sock.recv(65536)
                if not data:
                    return None
                self.reader.feed(data)

    def recv_until(self, mtype, timeout=2.0):
        while True:
            m = self.recv(timeout)
            if m is None or m.type == mtype:
                return m

    def closed(self, timeout=2.0) -> bool:
        """True once the node closed the connection (after any pending frames)."""
        try:
            with gevent.Timeout(timeout):
                while True:
                    data = self.sock.recv(65536)
                    if not data:
                        return True
        except (gevent.Timeout, ConnectionResetError):
            return isinstance(gevent.getcurrent(), object) and False
        except OSError:
            return True

    # -- scripted handshake --------------------------------------------------
    def handshake(self, flags=xdr.AUTH_MSG_FLAG_FLOW_CONTROL_BYTES_REQUESTED):
        """As initiator: HELLO, their HELLO, AUTH, their AUTH."""
        self.send(self.hello_msg())
        h = self.recv_until(xdr.MessageType.HELLO)
        assert h is not None, "no HELLO back"
        self.remote_hello = h.hello
        s, r = self.auth.mac_keys(bytes(h.hello.cert.pubkey.key), self.nonce, bytes(h.hello.nonce),
                                  auth.WE_CALLED_REMOTE)
        self.mac.set_keys(s, r)
        self.send(xdr.StellarMessage(auth=xdr.Auth(flags=flags)))
        a = self.recv_until(xdr.MessageType.AUTH)
        assert a is not None, "no AUTH back"
        return a

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def mark(n: int) -> bytes:
    return struct.pack(">I", 0x80000000 | n)
