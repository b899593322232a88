"""The process-wide verification cache and batch verification."""
import os

import pytest

from stellarcore.crypto import verify
from stellarcore.crypto.keys import SecretKey


def _items(n, bad_every=0):
    key = SecretKey.random()
    out = []
    for i in range(n):
        msg = os.urandom(40)
        sig = key.sign(msg)
        if bad_every and i % bad_every == 0:
            msg = msg + b"!"
        out.append((key.public_key.ed25519, sig, msg))
    return out


def test_hits_and_misses_are_counted():
    verify.cache().flush_counts()
    key = SecretKey.random()
    msg = b"m"
    sig = key.sign(msg)
    assert verify.verify_sig(key.public_key.ed25519, sig, msg)
    assert verify.verify_sig(key.public_key.ed25519, sig, msg)
    assert not verify.verify_sig(key.public_key.ed25519, sig, b"n")
    assert verify.cache().flush_counts() == (1, 2)
    assert verify.cache().flush_counts() == (0, 0)


def test_random_eviction_bounds_the_size():
    c = verify.VerifySigCache(8)
    c.seed(1)
    assert len(c) == 0
    with pytest.raises(ValueError):
        verify.VerifySigCache(0)


def test_bounded_process_cache():
    # the process-wide cache never grows past its capacity
    assert verify.cache().capacity == 250_000


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_batch_matches_one_by_one(threads):
    items = _items(300, bad_every=7)
    verify.cache().clear()
    got = verify.verify_many(items, threads=threads)
    verify.cache().clear()
    want = [verify.verify_sig(*it) for it in items]
    assert got == want
    assert got.count(False) == len(range(0, 300, 7))


def test_batch_uses_and_fills_the_cache():
    items = _items(50)
    verify.cache().clear()
    verify.cache().flush_counts()
    verify.verify_many(items)
    assert verify.cache().flush_counts() == (0, 50)
    verify.verify_many(items)
    assert verify.cache().flush_counts() == (50, 0)


def test_batch_bad_sizes():
    key = SecretKey.random()
    assert verify.verify_many([(key.public_key.ed25519, b"short", b"m")]) == [False]
    with pytest.raises(ValueError):
        verify.verify_many([(b"short", bytes(64), b"m")])
