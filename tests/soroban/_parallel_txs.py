"""Soroban transaction envelopes for the parallel-phase tests, shaped like
the ones stellar-core's TxSetTests.cpp builds (an upload-wasm invocation
whose footprint and resources the test chooses, one source account each).
Only the envelope matters to the tx-set rules, so nothing is signed.
"""
import hashlib

from stellarcore import xdr

_ET = xdr.EnvelopeType


def account(i: int) -> bytes:
    """A distinct 32-byte ed25519 key per index (stellar-core's tests use
    getGenesisAccount(i) / root->create: distinct sources)."""
    return hashlib.sha256(b"parallel-phase-test-source-%d" % i).digest()


def data_key(i: int, persistent: bool = True, contract: bytes = b"\0" * 32) -> "xdr.LedgerKey":
    """ParallelTxSetBuilder test's generateKey: a contract data key with a
    u32 key."""
    d = xdr.ContractDataDurability
    return xdr.LedgerKey(contractData=xdr.LedgerKeyContractData(
        contract=xdr.SCAddress(contractId=contract), key=xdr.SCVal(u32=i),
        durability=d.PERSISTENT if persistent else d.TEMPORARY))


def i32_key(i: int) -> "xdr.LedgerKey":
    """TxSetTests 'Soroban resources' ledgerKey(id): contract data, i32 key."""
    return xdr.LedgerKey(contractData=xdr.LedgerKeyContractData(
        contract=xdr.SCAddress(contractId=b"\0" * 32), key=xdr.SCVal(i32=i),
        durability=xdr.ContractDataDurability.PERSISTENT))


def account_key(i: int) -> "xdr.LedgerKey":
    return xdr.LedgerKey(account=xdr.LedgerKeyAccount(accountID=xdr.PublicKey(ed25519=account(10**6 + i))))


def _upload_op(seed: int = 0):
    return xdr.Operation(sourceAccount=None, body=xdr.OperationBody(
        invokeHostFunctionOp=xdr.InvokeHostFunctionOp(
            hostFunction=xdr.HostFunction(wasm=b"\0asm" + seed.to_bytes(4, "big")), auth=[])))


def soroban_tx(source: int, *, inclusion_fee: int = 1000, resource_fee: int = 10_000,
               ro=(), rw=(), instructions: int = 1_000_000, read_bytes: int = 1000,
               write_bytes: int = 100, archived=None, seq: int = 1, op=None,
               fee_bump_fee=None, envelope_v0: bool = False, no_ext: bool = False):
    """A Soroban transaction envelope. `ro`/`rw` are LedgerKeys; the fee is
    inclusion + resource fee. `fee_bump_fee` wraps it in a fee bump."""
    ext = xdr.SorobanTransactionDataExt(0)
    if archived is not None:
        ext = xdr.SorobanTransactionDataExt(1, xdr.SorobanResourcesExtV0(archivedSorobanEntries=list(archived)))
    data = xdr.SorobanTransactionData(
        ext=ext,
        resources=xdr.SorobanResources(
            footprint=xdr.LedgerFootprint(readOnly=list(ro), readWrite=list(rw)),
            instructions=instructions, diskReadBytes=read_bytes, writeBytes=write_bytes),
        resourceFee=resource_fee)
    ops = [op if op is not None else _upload_op(source)]
    memo = xdr.Memo(type=xdr.MemoType.MEMO_NONE)
    if envelope_v0:
        tx0 = xdr.TransactionV0(sourceAccountEd25519=account(source), fee=inclusion_fee + resource_fee,
                                seqNum=seq, timeBounds=None, memo=memo, operations=ops,
                                ext=xdr.TransactionV0Ext(0))
        return xdr.TransactionEnvelope(_ET.ENVELOPE_TYPE_TX_V0, xdr.TransactionV0Envelope(tx=tx0, signatures=[]))
    tx = xdr.Transaction(
        sourceAccount=xdr.MuxedAccount(ed25519=account(source)), fee=inclusion_fee + resource_fee,
        seqNum=seq, cond=xdr.Preconditions(xdr.PreconditionType.PRECOND_NONE), memo=memo,
        operations=ops, ext=xdr.TransactionExt(0) if no_ext else xdr.TransactionExt(1, data))
    env = xdr.TransactionEnvelope(_ET.ENVELOPE_TYPE_TX, xdr.TransactionV1Envelope(tx=tx, signatures=[]))
    if fee_bump_fee is None:
        return env
    fb = xdr.FeeBumpTransaction(
        feeSource=xdr.MuxedAccount(ed25519=account(source + 10**7)), fee=fee_bump_fee,
        innerTx=xdr.FeeBumpTransactionInnerTx(_ET.ENVELOPE_TYPE_TX, env.v1),
        ext=xdr.FeeBumpTransactionExt(0))
    return xdr.TransactionEnvelope(_ET.ENVELOPE_TYPE_TX_FEE_BUMP,
                                   xdr.FeeBumpTransactionEnvelope(tx=fb, signatures=[]))


def classic_tx(source: int, fee: int = 100):
    """A one-payment classic envelope."""
    op = xdr.Operation(sourceAccount=None, body=xdr.OperationBody(paymentOp=xdr.PaymentOp(
        destination=xdr.MuxedAccount(ed25519=account(source + 1)),
        asset=xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE), amount=1)))
    tx = xdr.Transaction(
        sourceAccount=xdr.MuxedAccount(ed25519=account(source)), fee=fee, seqNum=1,
        cond=xdr.Preconditions(xdr.PreconditionType.PRECOND_NONE),
        memo=xdr.Memo(type=xdr.MemoType.MEMO_NONE), operations=[op], ext=xdr.TransactionExt(0))
    return xdr.TransactionEnvelope(_ET.ENVELOPE_TYPE_TX, xdr.TransactionV1Envelope(tx=tx, signatures=[]))


def full_hash(env) -> bytes:
    return hashlib.sha256(env.to_xdr()).digest()


def xdr_phase(stages, base_fee=None, normalize=True):
    """A TransactionPhase v1 from [[ [envelope] ]]; `normalize` sorts it as
    stellar-core's testtxset::normalizeParallelPhaseXDR does."""
    stages = [[list(c) for c in s] for s in stages]
    if normalize:
        for s in stages:
            for c in s:
                c.sort(key=full_hash)
            s.sort(key=lambda c: full_hash(c[0]))
        stages.sort(key=lambda s: full_hash(s[0][0]))
    return xdr.TransactionPhase(1, xdr.ParallelTxsComponent(baseFee=base_fee, executionStages=stages))
