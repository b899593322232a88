"""Ed25519 verification: ours against raw PyNaCl calls in the same run, batch
verification on every core against one, and the cost of a cache hit.

    python -m pytest perf/test_crypto.py
    python -m pytest perf --benchmark-disable -q     # smoke

Groups:
  * verify-1000   - 1,000 distinct signatures, nothing cached: our
                    `verify_many(threads=1)` (cache key + libsodium + cache
                    insert) and `verify_sig` one by one, against PyNaCl's
                    `VerifyKey.verify` and raw `nacl.bindings.crypto_sign_open`.
  * batch-4000    - 4,000 distinct signatures through `verify_many` on one
                    thread and on all cores (the 2-core target is >= 1.7x).
  * cache-hit     - one `verify_sig` call whose result is cached (< 1 µs).
"""
import os

import pytest

from stellarcore.crypto import verify
from stellarcore.crypto.keys import SecretKey

nacl = pytest.importorskip("nacl")
from nacl.bindings import crypto_sign_open  # noqa: E402
from nacl.signing import VerifyKey  # noqa: E402


def _items(n, seed=b"perf"):
    keys = [SecretKey.for_test_account(f"perf{i}") for i in range(16)]
    rng = __import__("random").Random(seed)
    out = []
    for i in range(n):
        k = keys[i % len(keys)]
        msg = rng.randbytes(32)        # a transaction's contents hash is 32 bytes
        out.append((k.public_key.ed25519, k.sign(msg), msg))
    return out


ITEMS_1000 = _items(1000)
ITEMS_4000 = _items(4000, b"batch")


def _uncached(fn, items):
    def setup():
        verify.cache().clear()
        return (items,), {}
    return setup, fn


@pytest.mark.benchmark(group="verify-1000")
def test_ours_verify_many_one_thread(benchmark):
    benchmark.extra_info.update(impl="stellarcore verify_many(threads=1)", signatures=1000)
    setup, _ = _uncached(None, ITEMS_1000)
    res = benchmark.pedantic(lambda items: verify.verify_many(items, threads=1),
                             setup=setup, rounds=15)
    assert all(res)


@pytest.mark.benchmark(group="verify-1000")
def test_ours_verify_sig_loop(benchmark):
    benchmark.extra_info.update(impl="stellarcore verify_sig loop", signatures=1000)

    def run(items):
        f = verify.verify_sig
        return [f(pk, sig, msg) for pk, sig, msg in items]
    setup, _ = _uncached(None, ITEMS_1000)
    assert all(benchmark.pedantic(run, setup=setup, rounds=15))


@pytest.mark.benchmark(group="verify-1000")
def test_pynacl_verify_key(benchmark):
    benchmark.extra_info.update(impl="PyNaCl VerifyKey.verify", signatures=1000)
    keys = {pk: VerifyKey(pk) for pk, _, _ in ITEMS_1000}

    def run(items):
        for pk, sig, msg in items:
            keys[pk].verify(msg, sig)
    benchmark.pedantic(run, args=(ITEMS_1000,), rounds=15)


@pytest.mark.benchmark(group="verify-1000")
def test_pynacl_raw_crypto_sign_open(benchmark):
    benchmark.extra_info.update(impl="PyNaCl crypto_sign_open", signatures=1000)

    def run(items):
        for pk, sig, msg in items:
            crypto_sign_open(sig + msg, pk)
    benchmark.pedantic(run, args=(ITEMS_1000,), rounds=15)


@pytest.mark.benchmark(group="batch-4000")
@pytest.mark.parametrize("threads", [1, os.cpu_count() or 1])
def test_batch_verify(benchmark, threads):
    benchmark.extra_info.update(impl=f"stellarcore verify_many(threads={threads})",
                                threads=threads, signatures=len(ITEMS_4000))
    setup, _ = _uncached(None, ITEMS_4000)
    res = benchmark.pedantic(lambda items: verify.verify_many(items, threads=threads),
                             setup=setup, rounds=10)
    assert all(res)


@pytest.mark.benchmark(group="cache-hit")
def test_cache_hit(benchmark):
    benchmark.extra_info.update(impl="stellarcore verify_sig (cached)")
    pk, sig, msg = ITEMS_1000[0]
    verify.verify_sig(pk, sig, msg)
    assert benchmark(verify.verify_sig, pk, sig, msg)
