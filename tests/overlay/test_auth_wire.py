"""Key derivation and wire format checked against values computed here,
independently, from stellar-core's PeerAuth.cpp / Hmac.cpp rules with
hashlib/hmac/nacl, and against stellar-sdk's XDR of the same messages."""
import hashlib
import hmac
import struct
import time

import pytest
from nacl.bindings import crypto_scalarmult, crypto_scalarmult_base

from stellarcore import xdr
from stellarcore.crypto.keys import SecretKey
from stellarcore.overlay import auth, wire
from stellarcore.overlay.auth import REMOTE_CALLED_US, WE_CALLED_REMOTE, PeerAuth

sdk = pytest.importorskip("stellar_sdk")
from stellar_sdk import xdr as sx  # noqa: E402

# fixed keys and nonces of the worked example
A_ECDH = bytes(range(1, 33))                 # initiator's curve25519 secret
B_ECDH = bytes(range(101, 133))              # acceptor's
NONCE_A = bytes([0xAA]) * 32
NONCE_B = bytes(range(32, 64))
NET = hashlib.sha256(b"Test SDF Network ; September 2015").digest()


def _hm(key, data):
    return hmac.new(key, data, hashlib.sha256).digest()


def expected_keys():
    """K = HKDF_extract(X25519(a,B) || A || B) with A the initiator;
    K_AB = HKDF_expand(K, 0 || nA || nB), K_BA = HKDF_expand(K, 1 || nB || nA);
    HKDF_extract(x) = HMAC(0^32, x), HKDF_expand(k, info) = HMAC(k, info || 1)."""
    pa, pb = crypto_scalarmult_base(A_ECDH), crypto_scalarmult_base(B_ECDH)
    q = crypto_scalarmult(A_ECDH, pb)
    assert q == crypto_scalarmult(B_ECDH, pa)
    k = _hm(bytes(32), q + pa + pb)
    k_ab = _hm(k, b"\x00" + NONCE_A + NONCE_B + b"\x01")
    k_ba = _hm(k, b"\x01" + NONCE_B + NONCE_A + b"\x01")
    return pa, pb, k, k_ab, k_ba


def test_worked_example_mac_keys():
    pa, pb, k, k_ab, k_ba = expected_keys()
    # the literal bytes, so a change in any primitive shows up here too
    assert k.hex() == _hm(bytes(32), crypto_scalarmult(A_ECDH, pb) + pa + pb).hex()
    node_a, node_b = SecretKey(bytes([1]) * 32), SecretKey(bytes([2]) * 32)
    a = PeerAuth(node_a, NET, ecdh_secret=A_ECDH)
    b = PeerAuth(node_b, NET, ecdh_secret=B_ECDH)
    assert a.ecdh_public == pa and b.ecdh_public == pb
    a_send, a_recv = a.mac_keys(pb, NONCE_A, NONCE_B, WE_CALLED_REMOTE)
    b_send, b_recv = b.mac_keys(pa, NONCE_B, NONCE_A, REMOTE_CALLED_US)
    assert a.shared_key(pb, WE_CALLED_REMOTE) == k == b.shared_key(pa, REMOTE_CALLED_US)
    assert a_send == k_ab == b_recv
    assert b_send == k_ba == a_recv
    assert k_ab != k_ba


def test_worked_example_constants():
    """The example's bytes, computed once with nacl/hmac as above and pinned:
    a change in any primitive (X25519, key order, prefix byte, nonce order,
    the trailing 0x01 of HKDF-expand) changes them."""
    pa, pb, k, k_ab, k_ba = expected_keys()
    assert pa.hex() == "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"
    assert pb.hex() == "5714769d116bf76436ae74bc793d2c30ad1903c59ac5273805c7e2698b410c36"
    assert k.hex() == "b1288e4e4d1769c47b33fcfc2a7419364dbcc64fe32adb86e5e5e46f5b264f75"
    assert k_ab.hex() == "30f352f972d141c8ec95bc4cf428fe80f71f8c4db3322f487dc77cb51a6b8b91"
    assert k_ba.hex() == "2885dbed28ef50832f9e992ecbf0394bb03505d3afba9fa28798fe592df3c503"


def test_auth_cert_signed_over_network_envelope_type_expiration_pubkey():
    node = SecretKey(bytes([9]) * 32)
    pa = PeerAuth(node, NET, clock=lambda: 1_700_000_000, ecdh_secret=A_ECDH)
    cert = pa.get_auth_cert()
    assert cert.expiration == 1_700_000_000 + 3600
    # preimage = networkID || XDR(ENVELOPE_TYPE_AUTH=3) || XDR(uint64 exp) || pubkey
    pre = NET + struct.pack(">i", 3) + struct.pack(">Q", cert.expiration) + pa.ecdh_public
    h = hashlib.sha256(pre).digest()
    sdk_kp = sdk.Keypair.from_raw_ed25519_seed(node.seed)
    sdk_kp.verify(h, bytes(cert.sig))              # raises if wrong
    # and the sdk's encoding of the same preimage parts
    sdk_pre = (sx.Hash(NET).to_xdr_bytes() + sx.EnvelopeType.ENVELOPE_TYPE_AUTH.to_xdr_bytes()
               + sx.Uint64(cert.expiration).to_xdr_bytes() + sx.Curve25519Public(pa.ecdh_public).to_xdr_bytes())
    assert sdk_pre == pre
    assert pa.verify_remote_auth_cert(node.public_key.ed25519, cert) is None
    other = PeerAuth(node, hashlib.sha256(b"other").digest(), clock=lambda: 1_700_000_000)
    assert "signature" in other.verify_remote_auth_cert(node.public_key.ed25519, cert)
    late = PeerAuth(node, NET, clock=lambda: 1_700_000_000 + 3601)
    assert "expired" in late.verify_remote_auth_cert(node.public_key.ed25519, cert)


def test_cert_refreshed_when_half_expired():
    t = [1000.0]
    pa = PeerAuth(SecretKey(bytes([3]) * 32), NET, clock=lambda: t[0])
    c1 = pa.get_auth_cert()
    t[0] += 1799
    assert pa.get_auth_cert() is c1
    t[0] += 2
    assert pa.get_auth_cert().expiration == int(t[0]) + 3600


def test_authenticated_message_bytes_match_sdk_and_hmac():
    key = bytes(range(32))
    mac = wire.MacState()
    mac.set_keys(key, key)
    msg = xdr.StellarMessage(sendMoreExtendedMessage=xdr.SendMoreExtended(numMessages=200, numBytes=300000))
    mac.seal(int(msg.type), msg.to_xdr())             # seq 0
    frame = mac.seal(int(msg.type), msg.to_xdr())     # seq 1
    (mark,) = struct.unpack(">I", frame[:4])
    assert mark == 0x80000000 | (len(frame) - 4)
    body = frame[4:]
    sdk_msg = sx.StellarMessage.from_xdr_bytes(msg.to_xdr())
    expected_mac = _hm(key, struct.pack(">Q", 1) + sdk_msg.to_xdr_bytes())
    sdk_am = sx.AuthenticatedMessage(v=sx.Uint32(0), v0=sx.AuthenticatedMessageV0(
        sequence=sx.Uint64(1), message=sdk_msg, mac=sx.HmacSha256Mac(expected_mac)))
    assert body == sdk_am.to_xdr_bytes()
    # and our decoder agrees
    am = xdr.AuthenticatedMessage.from_xdr(body)
    assert am.v0.sequence == 1 and bytes(am.v0.mac.mac) == expected_mac
    # receiving side
    rx = wire.MacState()
    rx.set_keys(key, key)
    rx.recv_seq = 1
    seq, mx, m = wire.split_authenticated(body)
    assert rx.check(seq, mx, m) is None and rx.recv_seq == 2
    assert rx.check(seq, mx, m) == "unexpected auth sequence"


def test_hello_and_error_are_not_maced():
    mac = wire.MacState()
    mac.set_keys(bytes(32), bytes(32))
    err = xdr.StellarMessage(error=xdr.Error(code=xdr.ErrorCode.ERR_MISC, msg=b"x"))
    f = mac.seal(0, err.to_xdr())
    am = sx.AuthenticatedMessage.from_xdr_bytes(f[4:])
    assert am.v0.sequence.uint64 == 0 and am.v0.mac.mac == bytes(32)
    assert mac.send_seq == 0


def test_bad_mac_rejected():
    rx = wire.MacState()
    rx.set_keys(bytes(32), bytes([1]) * 32)
    tx = wire.MacState()
    tx.set_keys(bytes([2]) * 32, bytes(32))
    f = tx.seal(20, xdr.StellarMessage(sendMoreExtendedMessage=xdr.SendMoreExtended(numMessages=1, numBytes=1)).to_xdr())
    assert rx.check(*wire.split_authenticated(f[4:])) == "unexpected MAC"


def test_frame_reader_limits():
    r = wire.FrameReader()
    r.feed(struct.pack(">I", 0x80000000 | 0x1001) + b"x")
    with pytest.raises(wire.FrameError, match="unacceptable"):
        r.next_frame(False)
    r = wire.FrameReader()
    r.feed(struct.pack(">I", 0x1001))
    assert r.next_frame(True) is None      # allowed once authenticated, incomplete
    r = wire.FrameReader()
    r.feed(struct.pack(">I", 16 * 1024 * 1024 + 1))
    with pytest.raises(wire.FrameError):
        r.next_frame(True)
    r = wire.FrameReader()
    r.feed(struct.pack(">I", 0))
    with pytest.raises(wire.FrameError):
        r.next_frame(True)
    # the high bit is ignored on read, as TCPPeer does
    r = wire.FrameReader()
    r.feed(struct.pack(">I", 3) + b"abc" + struct.pack(">I", 0x80000002) + b"de")
    assert r.next_frame(False) == b"abc" and r.next_frame(False) == b"de" and r.next_frame(False) is None


def test_frame_reader_byte_by_byte():
    frames = [bytes([i]) * (i + 1) for i in range(20)]
    data = b"".join(wire.frame(f) for f in frames)
    r = wire.FrameReader()
    out = []
    for i in range(len(data)):
        r.feed(data[i:i + 1])
        while (f := r.next_frame(True)) is not None:
            out.append(f)
    assert out == frames
