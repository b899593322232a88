"""Applying 10,000 native payments among 1,000 accounts in one ledger,
signatures checked (the classic-transactions issue's benchmark; target
>= 5,000 transactions/s on one core).

    python -m pytest perf/test_payments.py
    python -m pytest perf/test_payments.py --benchmark-disable -q   # smoke

Groups (same run, same 10,000 envelopes):
  * payments-10k  - decode, charge fees, apply (validation, sequence bump,
                    signature checks, the payment, meta) and commit, with the
                    signature cache cleared before every round:
                    with TransactionMeta built (a node streaming meta) and
                    without (stellar-core's default);
                    and with the signature cache already holding every
                    signature (stellar-core verifies a tx set's signatures when
                    it validates the set, before apply; apply then hits its
                    cache) - the apply cost proper;
                    baseline: raw libsodium (PyNaCl crypto_sign_open) checking
                    the same 10,000 signatures - the floor any implementation
                    that verifies signatures pays.
Transactions/s = 10,000 / median.
"""
import pytest

from perf.payments_workload import NETWORK_ID, apply_ledger, make_accounts, make_payments
from stellarcore import xdr
from stellarcore.crypto import txhash, verify

nacl = pytest.importorskip("nacl")
from nacl.bindings import crypto_sign_open  # noqa: E402

N_ACCOUNTS, N_PAYMENTS = 1000, 10_000
KEYS, ENTRIES = make_accounts(N_ACCOUNTS)
ENVS = make_payments(KEYS, N_PAYMENTS)


def _fresh_cache():
    verify.cache().clear()
    return (), {}


@pytest.mark.benchmark(group="payments-10k")
def test_apply_with_meta(benchmark):
    benchmark.extra_info.update(impl="stellarcore apply (meta on)", transactions=N_PAYMENTS)
    ok = benchmark.pedantic(lambda: apply_ledger(ENTRIES, ENVS, meta=True), setup=_fresh_cache, rounds=5)
    assert ok == N_PAYMENTS


@pytest.mark.benchmark(group="payments-10k")
def test_apply_without_meta(benchmark):
    benchmark.extra_info.update(impl="stellarcore apply (meta off)", transactions=N_PAYMENTS)
    ok = benchmark.pedantic(lambda: apply_ledger(ENTRIES, ENVS, meta=False), setup=_fresh_cache, rounds=5)
    assert ok == N_PAYMENTS


@pytest.mark.benchmark(group="payments-10k")
def test_apply_signatures_already_verified(benchmark):
    benchmark.extra_info.update(impl="stellarcore apply (meta off, signature cache warm)",
                                transactions=N_PAYMENTS)
    apply_ledger(ENTRIES, ENVS, meta=False)  # fills the verification cache
    ok = benchmark.pedantic(lambda: apply_ledger(ENTRIES, ENVS, meta=False), rounds=5)
    assert ok == N_PAYMENTS


@pytest.mark.benchmark(group="payments-10k")
def test_baseline_raw_libsodium_verify(benchmark):
    benchmark.extra_info.update(impl="raw libsodium verify of the same signatures", transactions=N_PAYMENTS)
    items = []
    for b in ENVS:
        env = xdr.TransactionEnvelope.from_xdr(b)
        sig = env.v1.signatures[0].signature
        pk = env.v1.tx.sourceAccount.ed25519
        items.append((sig + txhash.contents_hash(env, NETWORK_ID), pk))

    def run():
        for sm, pk in items:
            crypto_sign_open(sm, pk)
    benchmark.pedantic(run, rounds=5)
