"""Throughput of the XDR codec, measured side by side with stellar-sdk.

Run only on request (pyproject's testpaths is ``tests``):

    python -m pytest perf                          # measure
    python -m pytest perf --benchmark-disable -q   # smoke: each body runs once
    python perf/report.py                          # measure and print a table

Every benchmark is a pair in one pytest-benchmark group (``decode-lcm``,
``encode-lcm``, ``decode-txset``, ``encode-txset``): the same bytes, or the
value decoded from them, handled by ``stellarcore.xdr`` and by stellar-sdk's
pure-Python ``stellar_sdk.xdr``.  Outside the timed part each test checks once
that both implementations give back exactly the input bytes.  Each result
carries ``extra_info`` with the implementation, the payload size in bytes and,
when timing ran, MB/s (bytes / median time, 1 MB = 10**6 bytes).

Workloads:
  * lcm   - the largest file of ``../shared/testdata/ledger-close-meta-xdr/``
            (a LedgerCloseMeta v2 written by stellar-core); skipped when the
            shared reference data is absent.
  * txset - a GeneralizedTransactionSet holding 1,000 transaction envelopes,
            built here deterministically with our codec (see build_tx_set).
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from stellarcore import xdr

sdk_xdr = pytest.importorskip("stellar_sdk.xdr", reason="stellar-sdk is not installed")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LCM_DIR = PROJECT_ROOT.parent / "shared" / "testdata" / "ledger-close-meta-xdr"

TX_COUNT = 1_000
SOROBAN_TX_COUNT = 40
SEED = 20261121

IMPLS = ("stellarcore", "stellar-sdk")


# ---------------------------------------------------------------- workloads


def largest_lcm_file(directory: Path = LCM_DIR) -> Path | None:
    """The largest ``*.xdr`` file (ties broken by name), or None when absent."""
    if not directory.is_dir():
        return None
    files = sorted(directory.glob("*.xdr"), key=lambda p: (-p.stat().st_size, p.name))
    return files[0] if files else None


class _TxSetBuilder:
    """Deterministic, varied transaction envelopes made with stellarcore.xdr.

    Classic transactions (the first phase) carry 1-3 operations, mostly
    payments (native and credit assets), plus create-account, change-trust,
    manage-data and manage-sell-offer; some have memos (text, id, hash), most
    have time bounds, a few have v2 preconditions, muxed sources, a second
    signature, or come wrapped in a fee bump.  Soroban transactions (the
    second, parallel phase) each hold one InvokeHostFunction op calling a
    token-like ``transfer`` with auth entries and a footprint of contract
    instance, code and balance keys.  Keys, hashes and 64-byte signatures are
    random bytes from a seeded RNG; nothing here is signed or valid on chain,
    only shaped like real traffic.
    """

    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.accounts = [self.rng.randbytes(32) for _ in range(200)]
        self.issuers = [self.rng.randbytes(32) for _ in range(6)]
        self.contracts = [self.rng.randbytes(32) for _ in range(8)]
        self.wasm_hashes = [self.rng.randbytes(32) for _ in range(8)]
        self.seq = {}

    # -- small pieces

    def account(self) -> bytes:
        return self.rng.choice(self.accounts)

    def public_key(self, key: bytes):
        return xdr.PublicKey(type=xdr.PublicKeyType.PUBLIC_KEY_TYPE_ED25519, ed25519=key)

    def muxed(self, key: bytes, allow_muxed: bool = True):
        if allow_muxed and self.rng.random() < 0.05:
            return xdr.MuxedAccount(
                type=xdr.CryptoKeyType.KEY_TYPE_MUXED_ED25519,
                med25519=xdr.MuxedAccountMed25519(id=self.rng.getrandbits(64), ed25519=key),
            )
        return xdr.MuxedAccount(type=xdr.CryptoKeyType.KEY_TYPE_ED25519, ed25519=key)

    def asset(self):
        r = self.rng.random()
        if r < 0.6:
            return xdr.Asset(type=xdr.AssetType.ASSET_TYPE_NATIVE)
        if r < 0.9:
            code = self.rng.choice([b"USDC", b"EURC", b"BTC\0", b"ETH\0"])
            return xdr.Asset(
                type=xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                alphaNum4=xdr.AlphaNum4(assetCode=code, issuer=self.public_key(self.rng.choice(self.issuers))),
            )
        code = self.rng.choice([b"yUSDC\0\0\0\0\0\0\0", b"AQUARIUS\0\0\0\0"])
        return xdr.Asset(
            type=xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM12,
            alphaNum12=xdr.AlphaNum12(assetCode=code, issuer=self.public_key(self.rng.choice(self.issuers))),
        )

    def memo(self):
        r = self.rng.random()
        if r < 0.55:
            return xdr.Memo(type=xdr.MemoType.MEMO_NONE)
        if r < 0.75:
            text = self.rng.choice([b"invoice ", b"deposit ", b"ref:", b""]) + str(self.rng.randrange(10**8)).encode()
            return xdr.Memo(type=xdr.MemoType.MEMO_TEXT, text=text[:28])
        if r < 0.92:
            return xdr.Memo(type=xdr.MemoType.MEMO_ID, id=self.rng.getrandbits(64))
        return xdr.Memo(type=xdr.MemoType.MEMO_HASH, hash=self.rng.randbytes(32))

    def time_bounds(self):
        now = 1_790_000_000 + self.rng.randrange(100_000)
        return xdr.TimeBounds(minTime=0, maxTime=now + 300)

    def cond(self):
        r = self.rng.random()
        if r < 0.80:
            return xdr.Preconditions(type=xdr.PreconditionType.PRECOND_TIME, timeBounds=self.time_bounds())
        if r < 0.95:
            return xdr.Preconditions(type=xdr.PreconditionType.PRECOND_NONE)
        ledger = 60_000_000 + self.rng.randrange(1000)
        return xdr.Preconditions(
            type=xdr.PreconditionType.PRECOND_V2,
            v2=xdr.PreconditionsV2(
                timeBounds=self.time_bounds(),
                ledgerBounds=xdr.LedgerBounds(minLedger=ledger, maxLedger=ledger + 100),
                minSeqNum=None,
                minSeqAge=0,
                minSeqLedgerGap=0,
                extraSigners=[],
            ),
        )

    def next_seq(self, key: bytes) -> int:
        n = self.seq.get(key)
        if n is None:
            n = (self.rng.randrange(1, 60_000_000) << 32) + self.rng.randrange(1000)
        n += 1
        self.seq[key] = n
        return n

    def signature(self, key: bytes):
        return xdr.DecoratedSignature(hint=key[-4:], signature=self.rng.randbytes(64))

    def op(self, body, source: bytes | None = None):
        return xdr.Operation(sourceAccount=None if source is None else self.muxed(source, False), body=body)

    # -- operations

    def classic_op(self, tx_source: bytes):
        r = self.rng.random()
        T = xdr.OperationType
        source = self.account() if self.rng.random() < 0.1 else None
        if r < 0.70:
            dest = self.account()
            body = xdr.OperationBody(
                type=T.PAYMENT,
                paymentOp=xdr.PaymentOp(
                    destination=self.muxed(dest), asset=self.asset(), amount=self.rng.randrange(1, 10**11)
                ),
            )
        elif r < 0.80:
            body = xdr.OperationBody(
                type=T.CREATE_ACCOUNT,
                createAccountOp=xdr.CreateAccountOp(
                    destination=self.public_key(self.rng.randbytes(32)),
                    startingBalance=self.rng.randrange(10_000_000, 10**10),
                ),
            )
        elif r < 0.87:
            code = self.rng.choice([b"USDC", b"EURC", b"BTC\0"])
            body = xdr.OperationBody(
                type=T.CHANGE_TRUST,
                changeTrustOp=xdr.ChangeTrustOp(
                    line=xdr.ChangeTrustAsset(
                        type=xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                        alphaNum4=xdr.AlphaNum4(assetCode=code, issuer=self.public_key(self.rng.choice(self.issuers))),
                    ),
                    limit=2**63 - 1,
                ),
            )
        elif r < 0.93:
            value = self.rng.randbytes(self.rng.randrange(1, 65)) if self.rng.random() < 0.9 else None
            body = xdr.OperationBody(
                type=T.MANAGE_DATA,
                manageDataOp=xdr.ManageDataOp(
                    dataName=b"config." + str(self.rng.randrange(1000)).encode(), dataValue=value
                ),
            )
        else:
            selling = self.asset()
            buying = self.asset()
            body = xdr.OperationBody(
                type=T.MANAGE_SELL_OFFER,
                manageSellOfferOp=xdr.ManageSellOfferOp(
                    selling=selling,
                    buying=buying,
                    amount=self.rng.randrange(1, 10**10),
                    price=xdr.Price(n=self.rng.randrange(1, 10**6), d=self.rng.randrange(1, 10**6)),
                    offerID=0 if self.rng.random() < 0.7 else self.rng.randrange(1, 2**40),
                ),
            )
        return self.op(body, source)

    def sc_address(self, contract: bool):
        if contract:
            return xdr.SCAddress(type=xdr.SCAddressType.SC_ADDRESS_TYPE_CONTRACT, contractId=self.rng.choice(self.contracts))
        return xdr.SCAddress(type=xdr.SCAddressType.SC_ADDRESS_TYPE_ACCOUNT, accountId=self.public_key(self.account()))

    @staticmethod
    def sym(s: bytes):
        return xdr.SCVal(type=xdr.SCValType.SCV_SYMBOL, sym=s)

    @staticmethod
    def addr_val(a):
        return xdr.SCVal(type=xdr.SCValType.SCV_ADDRESS, address=a)

    def contract_data_key(self, contract: bytes, key, durability):
        return xdr.LedgerKey(
            type=xdr.LedgerEntryType.CONTRACT_DATA,
            contractData=xdr.LedgerKeyContractData(
                contract=xdr.SCAddress(type=xdr.SCAddressType.SC_ADDRESS_TYPE_CONTRACT, contractId=contract),
                key=key,
                durability=durability,
            ),
        )

    def soroban_tx_parts(self, source: bytes):
        """(operation, SorobanTransactionData) of a token-like transfer."""
        V = xdr.SCValType
        contract = self.rng.choice(self.contracts)
        frm = self.sc_address(False)
        to = self.sc_address(self.rng.random() < 0.3)
        amount = xdr.SCVal(type=V.SCV_I128, i128=xdr.Int128Parts(hi=0, lo=self.rng.randrange(1, 10**15)))
        args = xdr.InvokeContractArgs(
            contractAddress=xdr.SCAddress(type=xdr.SCAddressType.SC_ADDRESS_TYPE_CONTRACT, contractId=contract),
            functionName=b"transfer",
            args=[self.addr_val(frm), self.addr_val(to), amount],
        )
        invocation = xdr.SorobanAuthorizedInvocation(
            function=xdr.SorobanAuthorizedFunction(
                type=xdr.SorobanAuthorizedFunctionType.SOROBAN_AUTHORIZED_FUNCTION_TYPE_CONTRACT_FN,
                contractFn=args,
            ),
            subInvocations=[],
        )
        if self.rng.random() < 0.5:
            creds = xdr.SorobanCredentials(type=xdr.SorobanCredentialsType.SOROBAN_CREDENTIALS_SOURCE_ACCOUNT)
        else:
            sig_map = [
                xdr.SCMapEntry(key=self.sym(b"public_key"), val=xdr.SCVal(type=V.SCV_BYTES, bytes=self.account())),
                xdr.SCMapEntry(key=self.sym(b"signature"), val=xdr.SCVal(type=V.SCV_BYTES, bytes=self.rng.randbytes(64))),
            ]
            creds = xdr.SorobanCredentials(
                type=xdr.SorobanCredentialsType.SOROBAN_CREDENTIALS_ADDRESS,
                address=xdr.SorobanAddressCredentials(
                    address=frm,
                    nonce=self.rng.getrandbits(63),
                    signatureExpirationLedger=60_000_000 + self.rng.randrange(10_000),
                    signature=xdr.SCVal(type=V.SCV_VEC, vec=[xdr.SCVal(type=V.SCV_MAP, map=sig_map)]),
                ),
            )
        op = self.op(
            xdr.OperationBody(
                type=xdr.OperationType.INVOKE_HOST_FUNCTION,
                invokeHostFunctionOp=xdr.InvokeHostFunctionOp(
                    hostFunction=xdr.HostFunction(
                        type=xdr.HostFunctionType.HOST_FUNCTION_TYPE_INVOKE_CONTRACT, invokeContract=args
                    ),
                    auth=[xdr.SorobanAuthorizationEntry(credentials=creds, rootInvocation=invocation)],
                ),
            )
        )
        P = xdr.ContractDataDurability.PERSISTENT
        read_only = [
            self.contract_data_key(contract, xdr.SCVal(type=V.SCV_LEDGER_KEY_CONTRACT_INSTANCE), P),
            xdr.LedgerKey(
                type=xdr.LedgerEntryType.CONTRACT_CODE,
                contractCode=xdr.LedgerKeyContractCode(hash=self.rng.choice(self.wasm_hashes)),
            ),
        ]
        read_write = [
            self.contract_data_key(contract, xdr.SCVal(type=V.SCV_VEC, vec=[self.sym(b"Balance"), self.addr_val(a)]), P)
            for a in (frm, to)
        ]
        if frm.type == xdr.SCAddressType.SC_ADDRESS_TYPE_ACCOUNT:
            read_write.insert(0, xdr.LedgerKey(
                type=xdr.LedgerEntryType.ACCOUNT,
                account=xdr.LedgerKeyAccount(accountID=frm.accountId),
            ))
        data = xdr.SorobanTransactionData(
            ext=xdr.SorobanTransactionDataExt(v=0),
            resources=xdr.SorobanResources(
                footprint=xdr.LedgerFootprint(readOnly=read_only, readWrite=read_write),
                instructions=self.rng.randrange(1_000_000, 10_000_000),
                diskReadBytes=self.rng.randrange(1_000, 20_000),
                writeBytes=self.rng.randrange(200, 2_000),
            ),
            resourceFee=self.rng.randrange(50_000, 500_000),
        )
        return op, data

    # -- envelopes

    def v1_envelope(self, soroban: bool = False):
        source = self.account()
        if soroban:
            op, data = self.soroban_tx_parts(source)
            ops = [op]
            ext = xdr.TransactionExt(v=1, sorobanData=data)
            fee = data.resourceFee + 100 + self.rng.randrange(1000)
            memo = xdr.Memo(type=xdr.MemoType.MEMO_NONE)
        else:
            ops = [self.classic_op(source) for _ in range(self.rng.choice((1, 1, 1, 1, 2, 2, 3)))]
            ext = xdr.TransactionExt(v=0)
            fee = 100 * len(ops) * self.rng.choice((1, 1, 2, 10))
            memo = self.memo()
        tx = xdr.Transaction(
            sourceAccount=self.muxed(source, not soroban),
            fee=fee,
            seqNum=self.next_seq(source),
            cond=self.cond(),
            memo=memo,
            operations=ops,
            ext=ext,
        )
        sigs = [self.signature(source)]
        if not soroban and self.rng.random() < 0.1:
            sigs.append(self.signature(self.account()))
        return xdr.TransactionV1Envelope(tx=tx, signatures=sigs)

    def envelope(self, soroban: bool = False):
        inner = self.v1_envelope(soroban)
        if not soroban and self.rng.random() < 0.05:
            fee_source = self.account()
            return xdr.TransactionEnvelope(
                type=xdr.EnvelopeType.ENVELOPE_TYPE_TX_FEE_BUMP,
                feeBump=xdr.FeeBumpTransactionEnvelope(
                    tx=xdr.FeeBumpTransaction(
                        feeSource=self.muxed(fee_source, False),
                        fee=inner.tx.fee * 10,
                        innerTx=xdr.FeeBumpTransactionInnerTx(
                            type=xdr.EnvelopeType.ENVELOPE_TYPE_TX, v1=inner
                        ),
                        ext=xdr.FeeBumpTransactionExt(v=0),
                    ),
                    signatures=[self.signature(fee_source)],
                ),
            )
        return xdr.TransactionEnvelope(type=xdr.EnvelopeType.ENVELOPE_TYPE_TX, v1=inner)


def build_tx_set(n_txs: int = TX_COUNT, n_soroban: int = SOROBAN_TX_COUNT, seed: int = SEED):
    """A GeneralizedTransactionSet (v1) of `n_txs` envelopes, as stellar-core
    v23+ builds them: a classic phase (one discounted-fee component) and a
    Soroban phase (a parallel component: one stage of four clusters)."""
    b = _TxSetBuilder(seed)
    classic = [b.envelope() for _ in range(n_txs - n_soroban)]
    soroban = [b.envelope(soroban=True) for _ in range(n_soroban)]
    clusters = [soroban[i::4] for i in range(4)]
    return xdr.GeneralizedTransactionSet(
        v=1,
        v1TxSet=xdr.TransactionSetV1(
            previousLedgerHash=b.rng.randbytes(32),
            phases=[
                xdr.TransactionPhase(
                    v=0,
                    v0Components=[
                        xdr.TxSetComponent(
                            type=xdr.TxSetComponentType.TXSET_COMP_TXS_MAYBE_DISCOUNTED_FEE,
                            txsMaybeDiscountedFee=xdr.TxSetComponentTxsMaybeDiscountedFee(
                                baseFee=100, txs=classic
                            ),
                        )
                    ],
                ),
                xdr.TransactionPhase(
                    v=1,
                    parallelTxsComponent=xdr.ParallelTxsComponent(baseFee=None, executionStages=[clusters]),
                ),
            ],
        ),
    )


# ---------------------------------------------------------------- fixtures


class Workload:
    """One payload: its bytes, and the codec classes of both implementations."""

    def __init__(self, name, data, ours_cls, sdk_cls):
        self.name = name
        self.data = bytes(data)
        self.ours_cls = ours_cls
        self.sdk_cls = sdk_cls

    def decoder(self, impl):
        return self.ours_cls.from_xdr if impl == "stellarcore" else self.sdk_cls.from_xdr_bytes

    def decoded(self, impl):
        return self.decoder(impl)(self.data)

    @staticmethod
    def encoder(impl, value):
        return value.to_xdr if impl == "stellarcore" else value.to_xdr_bytes


@pytest.fixture(scope="module")
def lcm_workload():
    path = largest_lcm_file()
    if path is None:
        pytest.skip(f"reference data absent: no *.xdr in {LCM_DIR} (../shared is not checked out)")
    return Workload(f"lcm:{path.name}", path.read_bytes(), xdr.LedgerCloseMeta, sdk_xdr.LedgerCloseMeta)


@pytest.fixture(scope="module")
def txset_workload():
    ts = build_tx_set()
    data = ts.to_xdr()
    n = sum(
        len(c.txsMaybeDiscountedFee.txs) for c in ts.v1TxSet.phases[0].v0Components
    ) + sum(len(cl) for st in ts.v1TxSet.phases[1].parallelTxsComponent.executionStages for cl in st)
    assert n == TX_COUNT
    return Workload(f"txset:{TX_COUNT}", data, xdr.GeneralizedTransactionSet, sdk_xdr.GeneralizedTransactionSet)


WORKLOADS = {"lcm": "lcm_workload", "txset": "txset_workload"}


def _record(benchmark, impl, workload, op):
    n = len(workload.data)
    benchmark.extra_info.update(impl=impl, op=op, workload=workload.name, bytes=n)
    stats = getattr(benchmark, "stats", None)
    if stats is not None:  # None under --benchmark-disable
        median = stats.stats.median
        benchmark.extra_info["mb_per_s"] = round(n / median / 1e6, 3)


# ---------------------------------------------------------------- benchmarks


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("kind", list(WORKLOADS))
def test_decode(benchmark, request, kind, impl):
    workload = request.getfixturevalue(WORKLOADS[kind])
    decode = workload.decoder(impl)
    # Checked once, untimed: the decoded value encodes back to the same bytes.
    assert Workload.encoder(impl, decode(workload.data))() == workload.data
    benchmark.group = f"decode-{kind}"
    benchmark(decode, workload.data)
    _record(benchmark, impl, workload, "decode")


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("kind", list(WORKLOADS))
def test_encode(benchmark, request, kind, impl):
    workload = request.getfixturevalue(WORKLOADS[kind])
    encode = Workload.encoder(impl, workload.decoded(impl))
    # Checked once, untimed: both implementations encode to the same bytes.
    assert encode() == workload.data
    benchmark.group = f"encode-{kind}"
    benchmark(encode)
    _record(benchmark, impl, workload, "encode")


def test_tx_set_is_deterministic_and_varied():
    """The workload itself: same bytes on every build, the mix it claims."""
    a = build_tx_set(50, 5)
    assert a.to_xdr() == build_tx_set(50, 5).to_xdr()
    ts = build_tx_set()
    envs = list(ts.v1TxSet.phases[0].v0Components[0].txsMaybeDiscountedFee.txs)
    envs += [e for st in ts.v1TxSet.phases[1].parallelTxsComponent.executionStages for cl in st for e in cl]
    assert len(envs) == TX_COUNT
    ET = xdr.EnvelopeType
    inner = [e.v1 if e.type == ET.ENVELOPE_TYPE_TX else e.feeBump.tx.innerTx.v1 for e in envs]
    assert any(e.type == ET.ENVELOPE_TYPE_TX_FEE_BUMP for e in envs)
    n_ops = {len(v.tx.operations) for v in inner}
    assert n_ops == {1, 2, 3}
    op_types = {op.body.type for v in inner for op in v.tx.operations}
    assert {xdr.OperationType.PAYMENT, xdr.OperationType.INVOKE_HOST_FUNCTION} <= op_types
    assert sum(op.body.type == xdr.OperationType.INVOKE_HOST_FUNCTION for v in inner for op in v.tx.operations) == SOROBAN_TX_COUNT
    assert {v.tx.memo.type for v in inner} >= {xdr.MemoType.MEMO_NONE, xdr.MemoType.MEMO_TEXT, xdr.MemoType.MEMO_ID}
    assert all(len(s.signature) == 64 for v in inner for s in v.signatures)
