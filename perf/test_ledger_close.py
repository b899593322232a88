"""Ledger close of a whole standalone node: 1,000 payments, and 1,000 mixed
classic operations, per ledger (issue 10, "running node").

    python -m pytest perf/test_ledger_close.py                       # run + regression check
    python -m pytest perf/test_ledger_close.py --benchmark-disable -q  # smoke (one ledger each)
    STELLARCORE_RECORD_CLOSE_BASELINE=1 python -m pytest perf/test_ledger_close.py  # re-record

Each round submits 1,000 one-operation transactions (one per funded account:
the queue takes one tx per source account per ledger) through
Herder.recv_transaction - not timed - and then times Herder.manual_close(),
the whole path a ledger takes on a standalone node: the herder builds the tx
set from its queue, nominates it, SCP externalizes it at once (quorum of
one), LedgerManager.close_ledger charges fees, applies, adds the changes to
the bucket list and commits to SQLite, and the herder updates its queue.
The phases come from ClosedLedger.timings (LedgerManager's own clocks) and a
clock around Herder.build_tx_set.

Workloads (accounts, trustlines and USD balances made in a few setup ledgers):
  * payments - every account pays native to another one;
  * mixed    - eight kinds by turn: native and USD payments, sell offers
               selling XLM, sell offers selling USD (odd accounts) or buy
               offers bidding for USD (even accounts) - offers that never
               cross each other -, change-trust limit updates, set-options
               (home domain), manage data, and path payments strict-send
               XLM->USD crossing the odd accounts' USD offers (even accounts,
               so never their own) or claimable balances (odd accounts).
Baselines in the same run, on the same transactions (ratios = close / baseline):
  * stellar-sdk building and signing the 1,000 payment transactions;
  * raw libsodium (PyNaCl crypto_sign_open) verifying their 1,000 signatures.

Regression check (perf suite only): test_close_time_regression fails when a
workload's close-time p50 is more than 20% above the one recorded in
perf/close_baseline.json, and skips when that file was recorded on another
machine (machine id: /etc/machine-id, CPU model and core count).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import pytest

from stellarcore import xdr
from stellarcore.crypto import txhash
from stellarcore.crypto.keys import SecretKey
from stellarcore.herder.herder import ManualClock
from stellarcore.main.application import Application
from stellarcore.main.config import Config

nacl = pytest.importorskip("nacl")
from nacl.bindings import crypto_sign_open  # noqa: E402

N_ACCOUNTS = 1000
N_FUNDERS = 10
ROUNDS = int(os.environ.get("STELLARCORE_CLOSE_ROUNDS", "30"))
START_TIME = 1_700_000_000
BASELINE_FILE = Path(__file__).with_name("close_baseline.json")
REGRESSION_TOLERANCE = 1.20
OT = xdr.OperationType
USD_CODE = b"USD\0"
XLM = 10_000_000


def machine_id() -> str:
    """What makes two runs comparable: the VM's machine id, CPU and cores."""
    try:
        mid = Path("/etc/machine-id").read_text().strip()
    except OSError:
        mid = platform.node()
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    return hashlib.sha256(f"{mid}|{cpu}|{os.cpu_count()}".encode()).hexdigest()[:16]


def pk(key: SecretKey) -> "xdr.PublicKey":
    return xdr.PublicKey(ed25519=key.public_key.ed25519)


def muxed(key: SecretKey) -> "xdr.MuxedAccount":
    return xdr.MuxedAccount(ed25519=key.public_key.ed25519)


def op(type_, body, source=None) -> "xdr.Operation":
    return xdr.Operation(sourceAccount=None if source is None else muxed(source),
                         body=xdr.OperationBody(type_, body))


class Node:
    """A standalone node in a temp dir, closing ledgers on demand, with the
    accounts of the workloads and their sequence numbers."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="close-bench-")
        cfg = Config.default_standalone(self.dir)
        cfg.MANUAL_CLOSE = True
        cfg.HTTP_PORT = 0
        cfg.TESTING_UPGRADE_DATETIME = START_TIME
        cfg.TESTING_UPGRADE_MAX_TX_SET_SIZE = 5000
        self.cfg = cfg
        self.nid = cfg.network_id
        self.clock = ManualClock(START_TIME)
        self.app = Application(cfg, clock=self.clock)
        self.app.start()
        self.herder = self.app.herder
        self.lm = self.app.ledger_manager
        self.build_seconds = 0.0
        build = self.herder.build_tx_set

        def timed_build(*a, **kw):
            t = time.perf_counter()
            try:
                return build(*a, **kw)
            finally:
                self.build_seconds = time.perf_counter() - t
        self.herder.build_tx_set = timed_build
        for _ in range(3):      # ledger 3 carries the upgrades (protocol 25, tx set size)
            self.close()
        self.seqs: dict[bytes, int] = {}
        self.root = SecretKey.root(self.nid)
        self.issuer = SecretKey.for_test_account("close-issuer")
        self.funders = [SecretKey.for_test_account(f"close-funder{i}") for i in range(N_FUNDERS)]
        self.accounts = [SecretKey.for_test_account(f"close-acc{i}") for i in range(N_ACCOUNTS)]
        self.usd = xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                             xdr.AlphaNum4(assetCode=USD_CODE, issuer=pk(self.issuer)))
        self.native = xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE)
        self._setup_accounts()

    # -- plumbing -------------------------------------------------------------------
    def close(self):
        """Close the next ledger; (wall seconds of manual_close, ClosedLedger,
        seconds building the tx set)."""
        self.clock.t += 5
        t = time.perf_counter()
        self.herder.manual_close()
        wall = time.perf_counter() - t
        return wall, self.lm.last_close, self.build_seconds

    def load_seq(self, key: SecretKey) -> int:
        e = self.lm.load_entry(xdr.LedgerKey(xdr.LedgerEntryType.ACCOUNT, xdr.LedgerKeyAccount(accountID=pk(key))))
        assert e is not None, "account missing"
        return e.data.account.seqNum

    def tx(self, source: SecretKey, ops: list) -> "xdr.TransactionEnvelope":
        """A signed v1 envelope with the source's next sequence number."""
        a = source.public_key.ed25519
        seq = self.seqs[a] = self.seqs.get(a) or self.load_seq(source)
        self.seqs[a] = seq + 1
        tx = xdr.Transaction(sourceAccount=muxed(source), fee=100 * len(ops), seqNum=seq + 1,
                             cond=xdr.Preconditions(xdr.PreconditionType.PRECOND_NONE),
                             memo=xdr.Memo(xdr.MemoType.MEMO_NONE), operations=ops, ext=xdr.TransactionExt(0))
        env = xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX,
                                      xdr.TransactionV1Envelope(tx=tx, signatures=[]))
        env.v1.signatures.append(source.sign_decorated(txhash.contents_hash(env, self.nid)))
        return env

    def submit(self, envs: list) -> None:
        for env in envs:
            status, res = self.herder.recv_transaction(env)
            if status != "PENDING":
                raise AssertionError(f"tx rejected: {status} {res}")

    def close_all_succeeded(self, n_txs: int):
        wall, closed, build = self.close()
        results = closed.result_set.results
        assert len(results) == n_txs, f"{len(results)} of {n_txs} transactions in the ledger"
        failed = [r for r in results if r.result.result.code != xdr.TransactionResultCode.txSUCCESS]
        assert not failed, f"{len(failed)} failed, first: {failed[0].result.result}"
        return wall, closed, build

    def _setup_accounts(self) -> None:
        def create(dest, amount):
            return op(OT.CREATE_ACCOUNT, xdr.CreateAccountOp(destination=pk(dest), startingBalance=amount))

        def trust(limit=2 ** 62):
            return op(OT.CHANGE_TRUST, xdr.ChangeTrustOp(
                line=xdr.ChangeTrustAsset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                                          xdr.AlphaNum4(assetCode=USD_CODE, issuer=pk(self.issuer))),
                limit=limit))

        per = N_ACCOUNTS // N_FUNDERS
        self.submit([self.tx(self.root, [create(k, 10 ** 9 * XLM) for k in self.funders + [self.issuer]])])
        self.close_all_succeeded(1)
        self.submit([self.tx(f, [create(a, 100_000 * XLM) for a in self.accounts[i * per:(i + 1) * per]])
                     for i, f in enumerate(self.funders)])
        self.close_all_succeeded(N_FUNDERS)
        self.submit([self.tx(k, [trust()]) for k in self.funders + self.accounts])
        self.close_all_succeeded(N_FUNDERS + N_ACCOUNTS)
        self.submit([self.tx(self.issuer, [self.pay(f, self.usd, 10 ** 8 * XLM) for f in self.funders])])
        self.close_all_succeeded(1)
        self.submit([self.tx(f, [self.pay(a, self.usd, 100_000 * XLM) for a in self.accounts[i * per:(i + 1) * per]])
                     for i, f in enumerate(self.funders)])
        self.close_all_succeeded(N_FUNDERS)

    # -- workloads ------------------------------------------------------------------
    def pay(self, dest: SecretKey, asset, amount: int):
        return op(OT.PAYMENT, xdr.PaymentOp(destination=muxed(dest), asset=asset, amount=amount))

    def payment_ops(self, rnd: int) -> list:
        n = len(self.accounts)
        return [(a, [self.pay(self.accounts[(i + 1 + rnd) % n], self.native, XLM + i)])
                for i, a in enumerate(self.accounts)]

    def mixed_ops(self, rnd: int) -> list:
        n = len(self.accounts)
        out = []
        for i, a in enumerate(self.accounts):
            dest = self.accounts[(i + 1 + rnd) % n]
            kind = (i + rnd) % 8
            if kind == 0:
                o = self.pay(dest, self.native, XLM + i)
            elif kind == 1:
                o = self.pay(dest, self.usd, XLM + i)
            elif kind == 2:     # sells XLM at 2 USD each: never crosses kind 3
                o = op(OT.MANAGE_SELL_OFFER, xdr.ManageSellOfferOp(
                    selling=self.native, buying=self.usd, amount=XLM, price=xdr.Price(n=2, d=1), offerID=0))
            elif kind == 3 and i % 2:   # odd accounts sell USD at ~1 XLM: the book kind 7 crosses
                o = op(OT.MANAGE_SELL_OFFER, xdr.ManageSellOfferOp(
                    selling=self.usd, buying=self.native, amount=100 * XLM,
                    price=xdr.Price(n=1000 + i % 50, d=1000), offerID=0))
            elif kind == 3:     # even accounts bid for USD at 0.25 XLM: crosses nothing
                o = op(OT.MANAGE_BUY_OFFER, xdr.ManageBuyOfferOp(
                    selling=self.native, buying=self.usd, buyAmount=XLM, price=xdr.Price(n=1, d=4), offerID=0))
            elif kind == 4:
                o = op(OT.CHANGE_TRUST, xdr.ChangeTrustOp(
                    line=xdr.ChangeTrustAsset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                                              xdr.AlphaNum4(assetCode=USD_CODE, issuer=pk(self.issuer))),
                    limit=2 ** 62 - rnd - 1))
            elif kind == 5:
                o = op(OT.SET_OPTIONS, xdr.SetOptionsOp(homeDomain=f"r{rnd}.example.com".encode()))
            elif kind == 6:
                o = op(OT.MANAGE_DATA, xdr.ManageDataOp(dataName=f"k{rnd % 4}".encode(),
                                                        dataValue=hashlib.sha256(bytes([rnd, i % 256])).digest()))
            elif i % 2 == 0:    # even accounts cross the odd accounts' USD offers (never their own)
                o = op(OT.PATH_PAYMENT_STRICT_SEND, xdr.PathPaymentStrictSendOp(
                    sendAsset=self.native, sendAmount=XLM, destination=muxed(dest), destAsset=self.usd,
                    destMin=1, path=[]))
            else:
                o = op(OT.CREATE_CLAIMABLE_BALANCE, xdr.CreateClaimableBalanceOp(
                    asset=self.native, amount=XLM, claimants=[xdr.Claimant(
                        xdr.ClaimantType.CLAIMANT_TYPE_V0, xdr.ClaimantV0(
                            destination=pk(dest),
                            predicate=xdr.ClaimPredicate(xdr.ClaimPredicateType.CLAIM_PREDICATE_UNCONDITIONAL)))]))
            out.append((a, [o]))
        return out

    def envelopes(self, workload: str, rnd: int) -> list:
        ops = self.payment_ops(rnd) if workload == "payments" else self.mixed_ops(rnd)
        return [self.tx(src, o) for src, o in ops]


# -- results shared by the tests of this module ------------------------------------------------
_NODE: list = []
_MEASURED: dict = {}       # workload -> list of per-ledger phase dicts
PHASES = ("build", "fees", "apply", "upgrades", "buckets", "commit", "close_total", "manual_close")


def node() -> Node:
    if not _NODE:
        _NODE.append(Node())
    return _NODE[0]


def percentile(values: list, q: float) -> float:
    """Nearest-rank percentile (below 100 samples, p99 is the maximum)."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def summarize(samples: list) -> dict:
    return {ph: {"p50": statistics.median(s[ph] for s in samples), "p99": percentile([s[ph] for s in samples], 99)}
            for ph in PHASES}


def run_close_benchmark(benchmark, workload: str) -> None:
    nd = node()
    samples = _MEASURED.setdefault(workload, [])
    counter = [0]
    # One untimed ledger first: warms caches and fills the mixed workload's order
    # book (its path payments may find no offer yet: failures allowed here only).
    nd.submit(nd.envelopes(workload, 0))
    nd.close()

    def setup():
        counter[0] += 1
        nd.submit(nd.envelopes(workload, counter[0]))
        return (), {}

    def close():
        wall, closed, build = nd.close_all_succeeded(N_ACCOUNTS)
        t = closed.timings
        samples.append({"build": build, "fees": t.fees, "apply": t.apply, "upgrades": t.upgrades,
                        "buckets": t.buckets, "commit": t.commit, "close_total": t.total, "manual_close": wall})

    benchmark.pedantic(close, setup=setup, rounds=ROUNDS, iterations=1)
    s = summarize(samples)
    benchmark.extra_info.update(impl=f"stellarcore close, {workload}", transactions=N_ACCOUNTS,
                                ledgers=len(samples), phases=s)


@pytest.mark.benchmark(group="ledger-close-1000")
def test_close_1000_payments(benchmark):
    run_close_benchmark(benchmark, "payments")


@pytest.mark.benchmark(group="ledger-close-1000")
def test_close_1000_mixed_classic(benchmark):
    run_close_benchmark(benchmark, "mixed")


def _sdk_build_and_sign(nd: Node, keypairs: list, dests: list, seqs: list) -> list:
    from stellar_sdk import Account, Asset, TransactionBuilder
    out = []
    for kp, dest, seq in zip(keypairs, dests, seqs):
        b = TransactionBuilder(Account(kp.public_key, seq), network_passphrase=nd.cfg.NETWORK_PASSPHRASE,
                               base_fee=100)
        b.append_payment_op(destination=dest, asset=Asset.native(), amount="1")
        tx = b.add_time_bounds(0, 0).build()
        tx.sign(kp)
        out.append(tx.to_xdr())
    return out


@pytest.mark.benchmark(group="ledger-close-1000")
def test_baseline_stellar_sdk_build_and_sign_1000(benchmark):
    from stellar_sdk import Keypair
    nd = node()
    kps = [Keypair.from_raw_ed25519_seed(a.seed) for a in nd.accounts]
    dests = [kps[(i + 1) % len(kps)].public_key for i in range(len(kps))]
    seqs = [nd.seqs.get(a.public_key.ed25519, 1 << 32) for a in nd.accounts]
    benchmark.extra_info.update(impl="stellar-sdk build + sign 1,000 payment txs", transactions=N_ACCOUNTS)
    envs = benchmark.pedantic(lambda: _sdk_build_and_sign(nd, kps, dests, seqs), rounds=ROUNDS, iterations=1)
    assert len(envs) == N_ACCOUNTS
    _MEASURED["sdk"] = benchmark.stats.stats.median if benchmark.stats else None


@pytest.mark.benchmark(group="ledger-close-1000")
def test_baseline_raw_libsodium_verify_1000(benchmark):
    nd = node()
    items = []
    for env in nd.envelopes("payments", 10_000):
        items.append((bytes(env.v1.signatures[0].signature) + txhash.contents_hash(env, nd.nid),
                      bytes(env.v1.tx.sourceAccount.ed25519)))
    for a in nd.accounts:       # those envelopes are never submitted
        nd.seqs[a.public_key.ed25519] -= 1
    benchmark.extra_info.update(impl="raw libsodium verify of 1,000 signatures", transactions=N_ACCOUNTS)

    def run():
        for sm, key in items:
            crypto_sign_open(sm, key)
    benchmark.pedantic(run, rounds=ROUNDS, iterations=1)
    _MEASURED["verify"] = benchmark.stats.stats.median if benchmark.stats else None


def _report() -> dict:
    out = {"machine": machine_id(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "rounds": ROUNDS}
    for w in ("payments", "mixed"):
        if _MEASURED.get(w):
            out[w] = summarize(_MEASURED[w])
    for b in ("sdk", "verify"):
        if _MEASURED.get(b):
            out[f"baseline_{b}_median"] = _MEASURED[b]
    return out


def test_close_time_regression(benchmark):
    """Fails when a close-time p50 regressed more than 20% against the figure
    recorded on this machine (perf/close_baseline.json)."""
    if benchmark.disabled:
        pytest.skip("benchmarks disabled: no figures to compare")
    rep = _report()
    print("\n" + json.dumps(rep, indent=1))
    if os.environ.get("STELLARCORE_RECORD_CLOSE_BASELINE"):
        rec = {"machine": rep["machine"], "date": rep["date"], "rounds": ROUNDS,
               "close_p50_seconds": {w: rep[w]["manual_close"]["p50"] for w in ("payments", "mixed") if w in rep}}
        BASELINE_FILE.write_text(json.dumps(rec, indent=1) + "\n")
        pytest.skip(f"recorded {BASELINE_FILE.name}")
    if not BASELINE_FILE.exists():
        pytest.skip(f"no {BASELINE_FILE.name}")
    rec = json.loads(BASELINE_FILE.read_text())
    if rec.get("machine") != rep["machine"]:
        pytest.skip(f"{BASELINE_FILE.name} was recorded on another machine ({rec.get('machine')})")
    worse = []
    for w, recorded in rec["close_p50_seconds"].items():
        if w not in rep:
            continue
        now = rep[w]["manual_close"]["p50"]
        if now > recorded * REGRESSION_TOLERANCE:
            worse.append(f"{w}: p50 {now * 1e3:.0f} ms vs recorded {recorded * 1e3:.0f} ms "
                         f"(+{(now / recorded - 1) * 100:.0f}%)")
    assert not worse, "ledger close regressed more than 20%: " + "; ".join(worse)
