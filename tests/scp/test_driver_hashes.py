"""Leader-election and value hashes, node weights and timeouts against their
definitions (PARITY_TRAPS SC2, SC3; stellar-core SCPDriver.cpp,
HerderSCPDriver::computeTimeout).  The hash inputs are built with
stellar-sdk's XDR, an independent encoder."""
import hashlib
import math
import os
import random

import pytest

from stellarcore.crypto.keys import SecretKey
from stellarcore.scp import QSet, SCPDriver, linear_timeout
from stellarcore.scp.driver import MAX_TIMEOUT_MS, UINT64_MAX

sx = pytest.importorskip("stellar_sdk.xdr")


def _sdk_hash(*parts) -> int:
    h = hashlib.sha256(b"".join(p.to_xdr_bytes() for p in parts)).digest()
    return int.from_bytes(h[:8], "big")


def _node_id(raw):
    return sx.NodeID(sx.PublicKey(sx.PublicKeyType.PUBLIC_KEY_TYPE_ED25519, sx.Uint256(raw)))


def test_node_and_value_hashes_match_their_definition():
    d = SCPDriver()
    rng = random.Random(1)
    for _ in range(50):
        slot = rng.randrange(2**64)
        prev = os.urandom(rng.randrange(0, 70))
        rnd = rng.randrange(-2**31, 2**31)
        node = SecretKey.random().public_key.ed25519
        for prio, tag in ((False, 1), (True, 2)):
            want = _sdk_hash(sx.Uint64(slot), sx.Value(prev), sx.Uint32(tag), sx.Int32(rnd), _node_id(node))
            assert d.compute_hash_node(slot, prev, prio, rnd, node) == want
        value = os.urandom(rng.randrange(0, 40))
        want = _sdk_hash(sx.Uint64(slot), sx.Value(prev), sx.Uint32(3), sx.Int32(rnd), sx.Value(value))
        assert d.compute_value_hash(slot, prev, rnd, value) == want


def test_node_weights():
    """ceil(UINT64_MAX * threshold / entries), applied through nested sets;
    the local node weighs UINT64_MAX, a node not in the set 0."""
    d = SCPDriver()
    a, b, c, x, y = (bytes([i]) * 32 for i in range(1, 6))
    inner = QSet(1, (x, y), ())
    q = QSet(2, (a, b, c), (inner,))
    assert d.get_node_weight(a, q, False) == math.ceil(UINT64_MAX * 2 / 4)
    w_inner = math.ceil(UINT64_MAX * 1 / 2)
    assert d.get_node_weight(x, q, False) == math.ceil(w_inner * 2 / 4)
    assert d.get_node_weight(bytes(32), q, False) == 0
    assert d.get_node_weight(bytes(32), q, True) == UINT64_MAX


def test_linear_timeouts_capped_at_30_minutes():
    assert [linear_timeout(r, 1000, 1000) for r in (1, 2, 5)] == [1000, 2000, 5000]
    assert linear_timeout(3, 500, 250) == 1000
    assert linear_timeout(10**6, 1000, 1000) == MAX_TIMEOUT_MS == 30 * 60 * 1000
    with pytest.raises(ValueError):
        linear_timeout(0, 1000, 1000)        # round 0 is an assertion failure in stellar-core
