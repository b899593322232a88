"""A Soroban test ledger in the spirit of stellar-core's SorobanTest,
TestContract and SorobanInvocationSpec (src/transactions/test/
SorobanTxTestUtils.cpp), so scenarios of InvokeHostFunctionTests.cpp read
as they do there.

`SorobanTest()` is tests.transactions.harness.TestLedger (root account,
genesis base fee and reserve, the test network) plus the Soroban network
configuration SorobanTest runs with: the genesis settings for testing,
then overrideSorobanNetworkConfigForTest's limits (optionally modified).
Closing a ledger with Soroban transactions does what stellar-core's
closeLedger does for the parallel Soroban phase: check each transaction
(as SorobanTest::invokeTx REQUIREs), charge the fees (processFeesSeqNums),
apply the phase (pre-apply, the clusters, the host through the bridge),
refund after the set, commit, advance ledgerSeq and closeTime.

What the harness models rather than runs: eviction. `evict(key)` moves an
expired persistent entry into a hot archive (a dict the apply reads
through GlobalState.hot_archive) and deletes an expired temporary one, as
stellar-core's eviction scan would once the entry is old enough; a restore
takes the key out of the hot archive again.
"""
from __future__ import annotations

import dataclasses
import hashlib
import pathlib
from dataclasses import dataclass, field
from typing import Optional

from stellarcore import xdr
from stellarcore.crypto import strkey
from stellarcore.ledger.keys import account_key, trustline_key
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.soroban import bridge
from stellarcore.soroban import network_config_testing as NCT
from stellarcore.soroban.network_config import SorobanNetworkConfig
from stellarcore.transactions import parallel_apply as PA
from stellarcore.transactions import soroban_tx as ST
from stellarcore.transactions.apply import apply_transaction, process_fees_seq_nums
from stellarcore.transactions.meta import TransactionMetaBuilder
from tests.conftest import shared_path
from tests.transactions.harness import NETWORK_ID, Applied, TestLedger, account_id_of, muxed, sign

DEFAULT_TEST_RESOURCE_FEE = 1_000_000  # src/test/TestUtils.h
UINT32_MAX = 0xFFFFFFFF

_LT = xdr.LedgerEntryType
_SCV = xdr.SCValType
_HF = xdr.HostFunctionType
_CDD = xdr.ContractDataDurability
PERSISTENT = _CDD.PERSISTENT
TEMPORARY = _CDD.TEMPORARY
_TC = xdr.TransactionResultCode


def skip_reason() -> Optional[str]:
    """Why Soroban tests cannot run here (no host bridge), or None."""
    if not bridge.available():
        return f"Soroban host bridge: {bridge.unavailable_reason()}"
    return None


def load_wasm(name: str, versions=("23", "22", "21", "20")) -> bytes:
    """A contract of ../shared/testdata/wasm/soroban-test-wasms, newest
    protocol build first (what stellar-core's rust_bridge::get_test_wasm_*
    serves for the current protocol)."""
    root = shared_path("testdata", "wasm", "soroban-test-wasms")
    for v in versions:
        p = pathlib.Path(root, v, name + ".wasm")
        if p.exists():
            return p.read_bytes()
    raise FileNotFoundError(name)


# -- SCVals and keys (SorobanTxTestUtils / TestUtils makers) ------------------------
def sym(s: str) -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_SYMBOL, s.encode() if isinstance(s, str) else s)


def i32(v: int) -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_I32, v)


def u32(v: int) -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_U32, v)


def u64(v: int) -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_U64, v)


def i128(v: int) -> "xdr.SCVal":
    """makeI128 for any int (two's complement hi/lo)."""
    v &= (1 << 128) - 1
    hi = v >> 64
    if hi >= 1 << 63:
        hi -= 1 << 64
    return xdr.SCVal(_SCV.SCV_I128, xdr.Int128Parts(hi=hi, lo=v & ((1 << 64) - 1)))


def i128_value(v: "xdr.SCVal") -> int:
    p = v.i128
    return (p.hi << 64) | p.lo


def vec(items) -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_VEC, list(items))


def string(s: str) -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_STRING, s.encode())


def address_val(addr: "xdr.SCAddress") -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_ADDRESS, addr)


def account_address(who) -> "xdr.SCAddress":
    return xdr.SCAddress(accountId=account_id_of(who))


def contract_address(contract_id: bytes) -> "xdr.SCAddress":
    return xdr.SCAddress(contractId=contract_id)


def contract_code_key(wasm_hash: bytes) -> "xdr.LedgerKey":
    return xdr.LedgerKey(_LT.CONTRACT_CODE, xdr.LedgerKeyContractCode(hash=wasm_hash))


def contract_data_key(address, key: "xdr.SCVal", durability=PERSISTENT) -> "xdr.LedgerKey":
    return xdr.LedgerKey(_LT.CONTRACT_DATA, xdr.LedgerKeyContractData(
        contract=address, key=key, durability=durability))


def instance_key(address) -> "xdr.LedgerKey":
    return contract_data_key(address, xdr.SCVal(_SCV.SCV_LEDGER_KEY_CONTRACT_INSTANCE), PERSISTENT)


def preimage_from_address(source, salt: bytes) -> "xdr.ContractIDPreimage":
    return xdr.ContractIDPreimage(fromAddress=xdr.ContractIDPreimageFromAddress(
        address=account_address(source), salt=salt))


def preimage_from_asset(asset) -> "xdr.ContractIDPreimage":
    return xdr.ContractIDPreimage(fromAsset=asset)


def contract_id_of(preimage, network_id: bytes = NETWORK_ID) -> bytes:
    """xdrSha256(HashIDPreimage ENVELOPE_TYPE_CONTRACT_ID)."""
    full = xdr.HashIDPreimage(contractID=xdr.HashIDPreimageContractID(
        networkID=network_id, contractIDPreimage=preimage))
    return hashlib.sha256(full.to_xdr()).digest()


def wasm_executable(wasm_hash: bytes) -> "xdr.ContractExecutable":
    return xdr.ContractExecutable(xdr.ContractExecutableType.CONTRACT_EXECUTABLE_WASM, wasm_hash)


def asset_executable() -> "xdr.ContractExecutable":
    return xdr.ContractExecutable(xdr.ContractExecutableType.CONTRACT_EXECUTABLE_STELLAR_ASSET)


def sep11_asset_name(asset) -> str:
    """The SAC's asset string: "native" or "CODE:ISSUER" (makeTransferEvent)."""
    if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE:
        return "native"
    a = asset.alphaNum4 if asset.type == xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4 else asset.alphaNum12
    return bytes(a.assetCode).rstrip(b"\0").decode() + ":" + strkey.encode("G", a.issuer.ed25519)


def contract_event(contract_id: bytes, topics, data) -> "xdr.ContractEvent":
    return xdr.ContractEvent(ext=xdr.ExtensionPoint(0), contractID=contract_id,
                             type=xdr.ContractEventType.CONTRACT,
                             body=xdr.ContractEventBody(0, xdr.ContractEventV0(topics=list(topics), data=data)))


def resources(ro=(), rw=(), instructions=0, read_bytes=0, write_bytes=0) -> "xdr.SorobanResources":
    return xdr.SorobanResources(footprint=xdr.LedgerFootprint(readOnly=list(ro), readWrite=list(rw)),
                                instructions=instructions, diskReadBytes=read_bytes, writeBytes=write_bytes)


# -- SorobanInvocationSpec ---------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """SorobanInvocationSpec: resources and fees of an invocation; the
    `set_*` / `extend_*` methods return a modified copy."""
    ro: tuple = ()
    rw: tuple = ()
    instructions: int = 0
    read_bytes: int = 0
    write_bytes: int = 0
    non_refundable_fee: int = DEFAULT_TEST_RESOURCE_FEE
    refundable_fee: int = DEFAULT_TEST_RESOURCE_FEE
    inclusion_fee: int = 100
    archived: Optional[tuple] = None

    def set(self, **kw) -> "Spec":
        for k in ("ro", "rw", "archived"):
            if kw.get(k) is not None:
                kw[k] = tuple(kw[k])
        return dataclasses.replace(self, **kw)

    def extend_ro(self, keys) -> "Spec":
        return dataclasses.replace(self, ro=self.ro + tuple(keys))

    def extend_rw(self, keys) -> "Spec":
        return dataclasses.replace(self, rw=self.rw + tuple(keys))

    @property
    def resource_fee(self) -> int:
        return self.non_refundable_fee + self.refundable_fee

    @property
    def fee(self) -> int:
        return self.inclusion_fee + self.resource_fee

    def resources(self) -> "xdr.SorobanResources":
        return resources(self.ro, self.rw, self.instructions, self.read_bytes, self.write_bytes)


def soroban_envelope(source, ops, res: "xdr.SorobanResources", inclusion_fee: int, resource_fee: int,
                     seq: int, memo=None, archived=None, extra_signers=(), total_fee=None,
                     source_account=None) -> "xdr.TransactionEnvelope":
    """sorobanTransactionFrameFromOps: fee = inclusion + resource fee,
    capped at uint32; signed by the source (and `extra_signers`)."""
    ext = xdr.SorobanTransactionDataExt(0)
    if archived is not None:
        ext = xdr.SorobanTransactionDataExt(1, xdr.SorobanResourcesExtV0(archivedSorobanEntries=list(archived)))
    data = xdr.SorobanTransactionData(ext=ext, resources=res, resourceFee=resource_fee)
    fee = total_fee if total_fee is not None else min(inclusion_fee + resource_fee, UINT32_MAX)
    tx = xdr.Transaction(sourceAccount=source_account or muxed(source), fee=fee, seqNum=seq,
                         cond=xdr.Preconditions(xdr.PreconditionType.PRECOND_NONE),
                         memo=memo or xdr.Memo(xdr.MemoType.MEMO_NONE), operations=list(ops),
                         ext=xdr.TransactionExt(1, data))
    env = xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX, xdr.TransactionV1Envelope(tx=tx, signatures=[]))
    return sign(env, source, *extra_signers)


def host_fn_op(host_function, auth=(), source=None) -> "xdr.Operation":
    src = None if source is None else muxed(source)
    return xdr.Operation(sourceAccount=src, body=xdr.OperationBody(
        xdr.OperationType.INVOKE_HOST_FUNCTION,
        xdr.InvokeHostFunctionOp(hostFunction=host_function, auth=list(auth))))


def extend_op(extend_to: int) -> "xdr.Operation":
    return xdr.Operation(sourceAccount=None, body=xdr.OperationBody(
        xdr.OperationType.EXTEND_FOOTPRINT_TTL, xdr.ExtendFootprintTTLOp(ext=xdr.ExtensionPoint(0),
                                                                       extendTo=extend_to)))


def restore_op() -> "xdr.Operation":
    return xdr.Operation(sourceAccount=None, body=xdr.OperationBody(
        xdr.OperationType.RESTORE_FOOTPRINT, xdr.RestoreFootprintOp(ext=xdr.ExtensionPoint(0))))


# -- results ---------------------------------------------------------------------------
@dataclass
class SorobanApplied(Applied):
    """A closed Soroban transaction: Applied plus the refund changes
    (postTxApplyFeeProcessing) and the frame."""
    post_changes: list = field(default_factory=list)
    frame: object = None

    @property
    def fee_charged(self) -> int:
        return self.result.feeCharged

    @property
    def v4(self):
        return self.meta.v4

    @property
    def return_value(self):
        return self.v4.sorobanMeta.returnValue

    @property
    def contract_events(self) -> list:
        """getSorobanContractEvents: the op's events (meta v4)."""
        ops = self.v4.operations
        return list(ops[0].events) if ops else []

    @property
    def tx_events(self) -> list:
        return list(self.v4.events)

    def refund(self) -> int:
        """Balance change of the refund (0 when there are no changes)."""
        c = self.post_changes
        if not c:
            return 0
        assert len(c) == 2, c
        return c[1].updated.data.account.balance - c[0].state.data.account.balance


class SorobanTest(TestLedger):
    """stellar-core's SorobanTest over our ledger and the Soroban host."""

    __test__ = False

    def __init__(self, protocol: int = 25, use_test_limits: bool = True, modify_config=None,
                 diagnostics: bool = False, meta_ext: bool = False, classic_events: bool = True):
        super().__init__(protocol=protocol, classic_events=classic_events, invariants=False)
        self.diagnostics = diagnostics
        self.meta_ext = meta_ext
        self.hot_archive: dict = {}
        self.contracts: list = []
        ltx = LedgerTxn(self.root_store)
        NCT.initialize_genesis_ledger_for_testing(protocol, ltx)
        ltx.commit()
        self.close_ledger()
        if use_test_limits or modify_config is not None:
            ltx = LedgerTxn(self.root_store)
            if use_test_limits:
                NCT.override_for_test(ltx)
            if modify_config is not None:
                NCT.modify_soroban_network_config(ltx, modify_config)
            ltx.commit()
            self.close_ledger()
        self._config = None

    # -- state -------------------------------------------------------------
    @property
    def config(self) -> SorobanNetworkConfig:
        """The (last closed) Soroban network configuration."""
        if self._config is None:
            ltx = LedgerTxn(self.root_store)
            try:
                self._config = SorobanNetworkConfig.load_from_ledger(ltx)
            finally:
                ltx.rollback()
        return self._config

    def modify_config(self, modify) -> None:
        """modifySorobanNetworkConfig: an upgrade applied in its own ledger."""
        ltx = LedgerTxn(self.root_store)
        NCT.modify_soroban_network_config(ltx, modify)
        ltx.commit()
        self._config = None
        self.close_ledger()

    @property
    def ledger_version(self) -> int:
        return self.header.ledgerVersion

    @property
    def lcl_seq(self) -> int:
        """getLCLSeq: the header here is the one being closed."""
        return self.header.ledgerSeq - 1

    def ttl_of(self, key) -> Optional[int]:
        e = self.load(ST.ttl_key_of(key.to_xdr()))
        return None if e is None else e.data.ttl.liveUntilLedgerSeq

    def get_ttl(self, key) -> int:
        """SorobanTest::getTTL: the entry and its TTL must exist."""
        assert self.load(key.to_xdr()) is not None, key
        ttl = self.ttl_of(key)
        assert ttl is not None
        return ttl

    def is_entry_live(self, key, ledger_seq: int) -> bool:
        return self.get_ttl(key) >= ledger_seq

    def expiration_status(self, key) -> str:
        """getEntryExpirationStatus: LIVE, EXPIRED_IN_LIVE_STATE, HOT_ARCHIVE, NOT_FOUND."""
        ttl = self.ttl_of(key)
        if ttl is not None:
            return "EXPIRED_IN_LIVE_STATE" if ttl <= self.lcl_seq else "LIVE"
        if key.to_xdr() in self.hot_archive:
            return "HOT_ARCHIVE"
        return "NOT_FOUND"

    def entry(self, key):
        return self.load(key.to_xdr())

    def advance(self, n: int) -> None:
        """Close `n` empty ledgers."""
        for _ in range(n):
            self.close_ledger()

    def advance_past_ttl(self, key) -> None:
        """Close empty ledgers until the entry's TTL has passed (it is
        expired for the next ledger to close)."""
        live_until = self.get_ttl(key)
        self.advance(max(0, live_until + 1 - self.header.ledgerSeq))
        assert self.expiration_status(key) == "EXPIRED_IN_LIVE_STATE"

    def evict(self, key) -> None:
        """The eviction scan's effect on one expired entry: persistent
        -> hot archive, temporary -> deleted."""
        kb = key.to_xdr()
        tk = ST.ttl_key_of(kb)
        assert self.expiration_status(key) == "EXPIRED_IN_LIVE_STATE"
        entry = self.root_store.entries.pop(kb)
        del self.root_store.entries[tk]
        if ST.is_persistent_key(key):
            self.hot_archive[kb] = entry

    # -- fees ----------------------------------------------------------------
    def resource_fee(self, res, tx_size: int, events_size: int = 0, archived=None,
                     is_restore: bool = False) -> int:
        """sorobanResourceFee (TxTests.cpp): non-refundable + refundable."""
        ext = xdr.SorobanTransactionDataExt(0)
        if archived is not None:
            ext = xdr.SorobanTransactionDataExt(1, xdr.SorobanResourcesExtV0(archivedSorobanEntries=list(archived)))
        r = ST.compute_soroban_resource_fee(self.ledger_version, res, tx_size, events_size, self.config, ext,
                                            is_restore)
        return r[0] + r[1]

    def rent_fee_for_extension(self, keys, new_lifetime: int) -> int:
        """getRentFeeForExtension: rent to extend `keys` to lcl + 1 + lifetime."""
        changes = []
        for k in keys:
            e = self.entry(k)
            assert e is not None
            changes.append(ST.rent_change_without_modification(
                e, len(e.to_xdr()), self.get_ttl(k), self.lcl_seq + 1 + new_lifetime, self.ledger_version,
                self.config))
        return ST.compute_rent_fee(self.ledger_version, changes, self.config, self.lcl_seq)

    # -- transactions ----------------------------------------------------------
    def check_valid_soroban(self, envelope) -> "xdr.TransactionResult":
        """TransactionFrame::checkValid with the Soroban configuration."""
        ltx = LedgerTxn(self.root_store)
        try:
            frame = self.frame(envelope)
            if hasattr(frame, "inner"):
                return frame.check_valid(ltx).to_xdr()
            return frame.check_valid(ltx, soroban_config=self.config).to_xdr()
        finally:
            ltx.rollback()

    def is_tx_valid(self, envelope) -> bool:
        return self.check_valid_soroban(envelope).result.code == _TC.txSUCCESS

    def close_soroban(self, envelopes, clusters=None, base_fee=None, check_valid: bool = True,
                      classic=()) -> list:
        """closeLedger with a Soroban phase of `envelopes` (one stage;
        `clusters`: lists of indices, default one cluster in order) after
        a classic phase of `classic` envelopes. Every fee is charged first
        (classic phase, then Soroban), then the classic transactions apply,
        then the Soroban phase, then the refunds. Returns [SorobanApplied]:
        the classic transactions, then the Soroban ones in apply order."""
        if check_valid:
            for env in envelopes:
                r = self.check_valid_soroban(env)
                assert r.result.code in (_TC.txSUCCESS, _TC.txFEE_BUMP_INNER_SUCCESS), r
        classic_frames = [self.frame(e) for e in classic]
        frames = [self.frame(e) for e in envelopes]
        order = clusters if clusters is not None else [list(range(len(frames)))]
        ordered = [frames[i] for c in order for i in c]
        bf = base_fee if base_fee is not None else self.header.baseFee
        out = []
        ltx = LedgerTxn(self.root_store)
        try:
            charged = process_fees_seq_nums(ltx, [(f, bf) for f in classic_frames + ordered])
            n_classic = len(classic_frames)
            for f, (result, fee_changes) in zip(classic_frames, charged):
                meta = apply_transaction(ltx, f, result, NETWORK_ID, self.classic_events)
                out.append(SorobanApplied(result.to_xdr(), meta, fee_changes, [], f))
            charged = charged[n_classic:]
            results = [r for r, _ in charged]
            metas = [TransactionMetaBuilder(f, NETWORK_ID, self.classic_events, soroban_diagnostics=self.diagnostics,
                                            soroban_meta_ext=self.meta_ext) for f in ordered]
            shaped, n = [], 0
            for c in order:
                shaped.append(ordered[n:n + len(c)])
                n += len(c)
            stages = PA.make_bundles([shaped], results, metas, n_classic)
            h = ltx.get_header()
            info = PA.LedgerInfo(ledger_version=h.ledgerVersion, ledger_seq=h.ledgerSeq, base_reserve=h.baseReserve,
                                 close_time=h.scpValue.closeTime, network_id=NETWORK_ID)
            seed = hashlib.sha256(b"tx set %d" % h.ledgerSeq).digest()
            PA.apply_soroban_stages(ltx, stages, self.config, seed, info, hot_archive=self.hot_archive.get)
            post = PA.process_post_tx_set_apply(ltx, stages)
            for (item, post_changes), (_, fee_changes) in zip(post, charged):
                meta = item.meta.finalize(item.result.is_success())
                out.append(SorobanApplied(item.result.to_xdr(), meta, fee_changes, post_changes, item.frame))
            ltx.commit()
        finally:
            ltx.rollback()
        for kb in [k for k in self.hot_archive if self.root_store.get_entry(k) is not None]:
            del self.hot_archive[kb]
        self.close_ledger()
        return out

    def invoke_tx(self, envelope, check_valid: bool = True) -> SorobanApplied:
        """SorobanTest::invokeTx: a valid transaction alone in a ledger."""
        return self.close_soroban([envelope], check_valid=check_valid)[0]

    def next_seq(self, source) -> int:
        return self.load(account_key(account_id_of(source))).data.account.seqNum + 1

    def soroban_tx(self, source, ops, res, inclusion_fee: int, resource_fee: int, **kw):
        return soroban_envelope(source, ops, res, inclusion_fee, resource_fee, self.next_seq(source), **kw)

    # -- uploads and contracts ------------------------------------------------------
    def default_upload_resources(self, wasm: bytes) -> "xdr.SorobanResources":
        """defaultUploadWasmResourcesWithoutFootprint (protocol 21+)."""
        return resources(instructions=500_000 + len(wasm) * 5000, read_bytes=1000, write_bytes=len(wasm) + 150)

    def upload_wasm_tx(self, wasm: bytes, res=None, inclusion_fee: int = 1000, additional_refundable: int = 0,
                       source=None):
        """makeSorobanWasmUploadTx."""
        res = res or self.default_upload_resources(wasm)
        if not res.footprint.readWrite:
            res.footprint.readWrite = [contract_code_key(hashlib.sha256(wasm).digest())]
        fee = self.resource_fee(res, 1000 + len(wasm), 40) + DEFAULT_TEST_RESOURCE_FEE + additional_refundable
        hf = xdr.HostFunction(_HF.HOST_FUNCTION_TYPE_UPLOAD_CONTRACT_WASM, wasm)
        return self.soroban_tx(source or self.root, [host_fn_op(hf)], res, inclusion_fee, fee)

    def upload_wasm(self, wasm: bytes, res=None, additional_refundable: int = 0) -> bytes:
        """SorobanTest::uploadWasm: upload, then check the code entry and
        its TTL (minPersistentTTL + lcl - 1, unchanged on re-upload)."""
        h = hashlib.sha256(wasm).digest()
        key = contract_code_key(h)
        previous = self.ttl_of(key) if self.entry(key) is not None else None
        r = self.invoke_tx(self.upload_wasm_tx(wasm, res, additional_refundable=additional_refundable))
        assert r.ok, r.result
        assert bytes(self.entry(key).data.contractCode.code) == wasm
        expected = previous if previous is not None else (
            self.config.state_archival_settings.minPersistentTTL + self.lcl_seq - 1)
        assert self.get_ttl(key) == expected
        return h

    def create_contract_tx(self, preimage, executable, res, constructor_args=None, host_fn_v2=None,
                           auth_v2=None, inclusion_fee: int = 1000, source=None,
                           additional_auth=(), additional: Optional[Spec] = None):
        """makeSorobanCreateContractTx: CREATE_CONTRACT(_V2) with the
        default footprint (code read-only, instance read-write) and a
        source-account authorization of the creation."""
        args = list(constructor_args or [])
        v2 = bool(args) if host_fn_v2 is None else host_fn_v2
        assert not args or v2
        if not res.footprint.readWrite:
            cid = contract_id_of(preimage)
            if executable.type == xdr.ContractExecutableType.CONTRACT_EXECUTABLE_WASM:
                res.footprint.readOnly = [contract_code_key(executable.wasm_hash)]
            res.footprint.readWrite = [instance_key(contract_address(cid))]
        if additional is not None:  # ConstructorParams::additionalResources
            res.footprint.readOnly = list(res.footprint.readOnly) + list(additional.ro)
            res.footprint.readWrite = list(res.footprint.readWrite) + list(additional.rw)
            res.instructions += additional.instructions
            res.diskReadBytes += additional.read_bytes
            res.writeBytes += additional.write_bytes
        if v2:
            hf = xdr.HostFunction(_HF.HOST_FUNCTION_TYPE_CREATE_CONTRACT_V2, xdr.CreateContractArgsV2(
                contractIDPreimage=preimage, executable=executable, constructorArgs=args))
        else:
            hf = xdr.HostFunction(_HF.HOST_FUNCTION_TYPE_CREATE_CONTRACT, xdr.CreateContractArgs(
                contractIDPreimage=preimage, executable=executable))
        auth = []
        if executable.type != xdr.ContractExecutableType.CONTRACT_EXECUTABLE_STELLAR_ASSET:
            use_v2 = self.ledger_version >= 22 if auth_v2 is None else auth_v2
            AF = xdr.SorobanAuthorizedFunctionType
            if use_v2:
                fn = xdr.SorobanAuthorizedFunction(
                    AF.SOROBAN_AUTHORIZED_FUNCTION_TYPE_CREATE_CONTRACT_V2_HOST_FN,
                    xdr.CreateContractArgsV2(contractIDPreimage=preimage, executable=executable,
                                             constructorArgs=args))
                subs = list(additional_auth)
            else:
                fn = xdr.SorobanAuthorizedFunction(
                    AF.SOROBAN_AUTHORIZED_FUNCTION_TYPE_CREATE_CONTRACT_HOST_FN,
                    xdr.CreateContractArgs(contractIDPreimage=preimage, executable=executable))
                subs = []
            auth = [xdr.SorobanAuthorizationEntry(
                credentials=xdr.SorobanCredentials(xdr.SorobanCredentialsType.SOROBAN_CREDENTIALS_SOURCE_ACCOUNT),
                rootInvocation=xdr.SorobanAuthorizedInvocation(function=fn, subInvocations=subs))]
        fee = self.resource_fee(res, 1000, 40) + DEFAULT_TEST_RESOURCE_FEE
        return self.soroban_tx(source or self.root, [host_fn_op(hf, auth)], res, inclusion_fee, fee)

    def create_contract(self, preimage, executable, res, **kw) -> "xdr.SCAddress":
        """SorobanTest::createContract: create, then check the instance and
        its TTL."""
        r = self.invoke_tx(self.create_contract_tx(preimage, executable, res, **kw))
        assert r.ok, (r.result, r.op_results)
        addr = contract_address(contract_id_of(preimage))
        inst = self.entry(instance_key(addr))
        assert inst is not None
        cd = inst.data.contractData
        assert cd.durability == PERSISTENT
        assert cd.val.instance.executable.to_xdr() == executable.to_xdr()
        assert self.get_ttl(instance_key(addr)) == (
            self.config.state_archival_settings.minPersistentTTL + self.lcl_seq - 1)
        return addr

    def next_contract_preimage(self) -> "xdr.ContractIDPreimage":
        """makeContractIDPreimage(root, sha256(to_string(#contracts)))."""
        return preimage_from_address(self.root, hashlib.sha256(str(len(self.contracts)).encode()).digest())

    def deploy_wasm_contract(self, wasm: bytes, constructor_args=None, upload_res=None, create_res=None,
                             additional_refundable: int = 0, **kw) -> "TestContract":
        """SorobanTest::deployWasmContract."""
        if create_res is None:
            create_res = resources(instructions=5_000_000, read_bytes=len(wasm) + 1000, write_bytes=1000)
        h = self.upload_wasm(wasm, upload_res, additional_refundable)
        addr = self.create_contract(self.next_contract_preimage(), wasm_executable(h), create_res,
                                    constructor_args=constructor_args, **kw)
        c = TestContract(self, addr, [contract_code_key(h), instance_key(addr)])
        self.contracts.append(c)
        return c

    def deploy_asset_contract(self, asset) -> "TestContract":
        """SorobanTest::deployAssetContract."""
        res = resources(instructions=400_000, read_bytes=1000, write_bytes=1000)
        addr = self.create_contract(preimage_from_asset(asset), asset_executable(), res)
        c = TestContract(self, addr, [instance_key(addr)])
        self.contracts.append(c)
        return c

    # -- extend and restore --------------------------------------------------------
    def extend_tx(self, res, extend_to: int, inclusion_fee: int, resource_fee: int, source=None):
        return self.soroban_tx(source or self.root, [extend_op(extend_to)], res, inclusion_fee, resource_fee)

    def restore_tx(self, res, inclusion_fee: int, resource_fee: int, source=None, archived=None):
        return self.soroban_tx(source or self.root, [restore_op()], res, inclusion_fee, resource_fee,
                               archived=archived)

    def invoke_archival_op(self, envelope, expected_refundable_charged: int) -> SorobanApplied:
        """SorobanTest::invokeArchivalOp: valid, fee before refund is the
        resource fee + 100, success, refund as checkRefundableFee expects."""
        assert self.is_tx_valid(envelope)
        frame = self.frame(envelope)
        init = self.root.balance
        r = self.invoke_tx(envelope)
        assert r.ok, (r.result, r.op_results)
        self.check_refundable_fee(init, frame, r, expected_refundable_charged)
        return r

    def invoke_restore_op(self, keys, expected_refundable_charged: int) -> SorobanApplied:
        res = resources(rw=keys, instructions=0, read_bytes=10_000, write_bytes=10_000)
        return self.invoke_archival_op(self.restore_tx(res, 1000, 300_000 + 40_000 * len(keys)),
                                       expected_refundable_charged)

    def invoke_extend_op(self, keys, extend_to: int, expected_refundable_charged=None) -> SorobanApplied:
        if expected_refundable_charged is None:
            expected_refundable_charged = self.rent_fee_for_extension(keys, extend_to)
        res = resources(ro=keys, read_bytes=10_000)
        fee = DEFAULT_TEST_RESOURCE_FEE * len(keys) + expected_refundable_charged
        return self.invoke_archival_op(self.extend_tx(res, extend_to, 1000, fee), expected_refundable_charged)

    def check_refundable_fee(self, initial_balance: int, frame, applied: SorobanApplied, expected_rent: int,
                             events_size: int = 0, success: bool = True) -> None:
        """SorobanTest::checkRefundableFee (fee source = root)."""
        if not success:
            assert expected_rent == 0
        res = frame.soroban_resources()
        ext = frame.tx.ext.sorobanData.ext
        archived = list(ext.resourceExt.archivedSorobanEntries) if ext.v == 1 else None
        size = frame.size
        non_refundable = self.resource_fee(res, size, 0, archived, frame.is_restore_footprint_tx)
        events_fee = 0
        if success:
            events_fee = self.resource_fee(res, size, events_size, archived,
                                           frame.is_restore_footprint_tx) - non_refundable
        base = 100 * frame.num_operations
        expected = non_refundable + base + events_fee + expected_rent
        actual = initial_balance - self.root.balance
        assert actual - non_refundable - events_fee - base == expected_rent
        before_refund = (frame.full_fee - frame.inclusion_fee) + base
        refund = before_refund - expected
        assert applied.refund() == refund
        ev = applied.tx_events
        if ev:
            assert i128_value(ev[0].event.body.v0.data) == before_refund
            assert len(ev) == (1 if refund == 0 else 2)
            if refund:
                assert i128_value(ev[1].event.body.v0.data) == -refund


class TestContract:
    """stellar-core's TestContract: an address and the keys every
    invocation reads (code and instance)."""

    __test__ = False

    def __init__(self, test: SorobanTest, address, keys):
        self.test = test
        self.address = address
        self.keys = list(keys)

    @property
    def contract_id(self) -> bytes:
        return self.address.contractId

    def data_key(self, key: "xdr.SCVal", durability=PERSISTENT):
        return contract_data_key(self.address, key, durability)

    def invocation(self, fn: str, args=(), spec: Spec = Spec(), add_contract_keys: bool = True) -> "Invocation":
        return Invocation(self, fn, args, spec, add_contract_keys)


class Invocation:
    """TestContract::Invocation."""

    def __init__(self, contract: TestContract, fn: str, args, spec: Spec, add_contract_keys: bool):
        self.test = contract.test
        self.spec = spec.extend_ro(contract.keys) if add_contract_keys else spec
        self.invoke_args = xdr.InvokeContractArgs(contractAddress=contract.address,
                                                  functionName=fn.encode() if isinstance(fn, str) else fn,
                                                  args=list(args))
        self.auth: list = []
        self.op_source = None
        self.applied: Optional[SorobanApplied] = None

    def with_authorization(self, invocation, credentials) -> "Invocation":
        self.auth.append(xdr.SorobanAuthorizationEntry(credentials=credentials, rootInvocation=invocation))
        return self

    def with_source_account_authorization(self, invocation) -> "Invocation":
        return self.with_authorization(invocation, xdr.SorobanCredentials(
            xdr.SorobanCredentialsType.SOROBAN_CREDENTIALS_SOURCE_ACCOUNT))

    def with_authorized_top_call(self) -> "Invocation":
        fn = xdr.SorobanAuthorizedFunction(
            xdr.SorobanAuthorizedFunctionType.SOROBAN_AUTHORIZED_FUNCTION_TYPE_CONTRACT_FN, self.invoke_args)
        return self.with_source_account_authorization(xdr.SorobanAuthorizedInvocation(function=fn, subInvocations=[]))

    def with_op_source_account(self, who) -> "Invocation":
        self.op_source = who
        return self

    def with_spec(self, spec: Spec) -> "Invocation":
        self.spec = spec
        return self

    def op(self) -> "xdr.Operation":
        hf = xdr.HostFunction(_HF.HOST_FUNCTION_TYPE_INVOKE_CONTRACT, self.invoke_args)
        return host_fn_op(hf, self.auth, self.op_source)

    def create_tx(self, source=None, memo=None, extra_signers=(), seq=None):
        src = source or self.test.root
        s = self.spec
        return soroban_envelope(src, [self.op()], s.resources(), s.inclusion_fee, s.resource_fee,
                                seq if seq is not None else self.test.next_seq(src), memo=memo,
                                archived=s.archived, extra_signers=extra_signers)

    def with_exact_non_refundable_fee(self) -> "Invocation":
        """withExactNonRefundableResourceFee: the non-refundable fee of the
        transaction's real size (no events)."""
        env = self.create_tx(seq=1)
        size = len(env.to_xdr())
        fee = self.test.resource_fee(self.spec.resources(), size, 0, self.spec.archived)
        self.spec = self.spec.set(non_refundable_fee=fee)
        return self

    def invoke(self, source=None, check_valid: bool = True) -> bool:
        self.applied = self.test.invoke_tx(self.create_tx(source), check_valid=check_valid)
        return self.applied.ok

    @property
    def result_code(self):
        """The InvokeHostFunction result code, None if the tx did not
        reach its operation."""
        a = self.applied
        if a.code not in (_TC.txSUCCESS, _TC.txFAILED):
            return None
        return a.op_code(0)

    @property
    def return_value(self):
        return self.applied.return_value

    @property
    def fee_charged(self) -> int:
        return self.applied.fee_charged


def trustline_balance(test: SorobanTest, who, asset) -> int:
    e = test.load(trustline_key(account_id_of(who), asset))
    return e.data.trustLine.balance



class ContractStorageClient:
    """ContractStorageTestClient over the contract-data test contract
    (soroban-test-wasms/20/example_contract_data: put/get/has/del/extend
    for persistent and temporary keys, replace_with_bytes_and_extend)."""

    def __init__(self, test: SorobanTest, additional_refundable: int = 0):
        self.test = test
        self.contract = test.deploy_wasm_contract(load_wasm("example_contract_data", ("20",)),
                                                  additional_refundable=additional_refundable)

    @staticmethod
    def default_spec() -> Spec:
        return Spec(instructions=4_000_000, read_bytes=10_000, non_refundable_fee=0, refundable_fee=1_000_000)

    def key(self, name: str, durability=PERSISTENT):
        return self.contract.data_key(sym(name), durability)

    def read_spec(self, name: str, durability=PERSISTENT) -> Spec:
        return self.default_spec().set(ro=[self.key(name, durability)])

    def write_spec(self, name: str, durability=PERSISTENT) -> Spec:
        return self.default_spec().set(rw=[self.key(name, durability)], write_bytes=1000)

    def ttl(self, name: str, durability=PERSISTENT) -> int:
        return self.test.get_ttl(self.key(name, durability))

    def is_entry_live(self, name: str, durability, ledger_seq: int) -> bool:
        return self.test.is_entry_live(self.key(name, durability), ledger_seq)

    def _run(self, fn: str, args, spec: Spec) -> Invocation:
        inv = self.contract.invocation(fn, args, spec).with_exact_non_refundable_fee()
        inv.invoke()
        self.last = inv
        return inv

    @staticmethod
    def _suffix(durability) -> str:
        return "temporary" if durability == TEMPORARY else "persistent"

    def put(self, name: str, durability, value: int, spec: Optional[Spec] = None):
        spec = spec or self.write_spec(name, durability)
        return self._run("put_" + self._suffix(durability), [sym(name), u64(value)], spec).result_code

    def get(self, name: str, durability, expect=None, spec: Optional[Spec] = None):
        inv = self._run("get_" + self._suffix(durability), [sym(name)], spec or self.read_spec(name, durability))
        if inv.applied.ok and expect is not None:
            assert inv.return_value.u64 == expect
        return inv.result_code

    def has(self, name: str, durability, expect=None, spec: Optional[Spec] = None):
        inv = self._run("has_" + self._suffix(durability), [sym(name)], spec or self.read_spec(name, durability))
        if inv.applied.ok and expect is not None:
            assert inv.return_value.b == expect
        return inv.result_code

    def delete(self, name: str, durability, spec: Optional[Spec] = None):
        spec = spec or self.write_spec(name, durability).set(write_bytes=0)
        return self._run("del_" + self._suffix(durability), [sym(name)], spec).result_code

    def extend(self, name: str, durability, threshold: int, extend_to: int, spec: Optional[Spec] = None):
        return self._run("extend_" + self._suffix(durability), [sym(name), u32(threshold), u32(extend_to)],
                         spec or self.read_spec(name, durability)).result_code

    def resize_and_extend(self, name: str, kilobytes: int, threshold: int, extend_to: int,
                          spec: Optional[Spec] = None):
        spec = spec or self.write_spec(name).set(write_bytes=kilobytes * 1024 + 200)
        return self._run("replace_with_bytes_and_extend", [sym(name), u32(kilobytes), u32(threshold),
                                                          u32(extend_to)], spec).result_code


class AssetContractClient:
    """AssetContractTestClient: the Stellar Asset Contract of `asset`
    deployed on `test`, with transfer / mint / burn that check the
    balances (classic for accounts, contract data for contracts) and keep
    the one contract event of a successful call."""

    def __init__(self, test: SorobanTest, asset):
        self.test = test
        self.asset = asset
        self.contract = test.deploy_asset_contract(asset)
        self.last_event = None

    @property
    def is_native(self) -> bool:
        return self.asset.type == xdr.AssetType.ASSET_TYPE_NATIVE

    @property
    def issuer(self):
        return None if self.is_native else self.asset.xdr_value().issuer

    @staticmethod
    def default_spec() -> Spec:
        return Spec(instructions=2_000_000, read_bytes=2000, write_bytes=2000)

    def contract_balance_key(self, addr) -> "xdr.LedgerKey":
        return contract_data_key(self.contract.address, vec([sym("Balance"), address_val(addr)]), PERSISTENT)

    def balance_key(self, addr) -> "xdr.LedgerKey":
        if addr.type != xdr.SCAddressType.SC_ADDRESS_TYPE_ACCOUNT:
            return self.contract_balance_key(addr)
        if self.is_native:
            return xdr.LedgerKey.from_xdr(account_key(addr.accountId))
        return xdr.LedgerKey.from_xdr(trustline_key(addr.accountId, self.asset))

    def issuer_key(self) -> "xdr.LedgerKey":
        return xdr.LedgerKey.from_xdr(account_key(self.issuer))

    def _is_issuer(self, addr) -> bool:
        return (not self.is_native and addr.type == xdr.SCAddressType.SC_ADDRESS_TYPE_ACCOUNT
                and addr.accountId.ed25519 == self.issuer.ed25519)

    def balance(self, addr) -> int:
        """getBalance: classic balance of an account, the contract-data
        balance of a contract (0 when absent)."""
        if addr.type == xdr.SCAddressType.SC_ADDRESS_TYPE_ACCOUNT:
            if self.is_native:
                return self.test.load(account_key(addr.accountId)).data.account.balance
            if self._is_issuer(addr):
                return 2**63 - 1  # the issuer's balance is unlimited
            return trustline_balance(self.test, addr.accountId, self.asset)
        e = self.test.entry(self.contract_balance_key(addr))
        if e is None:
            return 0
        return i128_value(e.data.contractData.val.map[0].val)

    def transfer_event(self, from_addr, to_addr, amount: int) -> "xdr.ContractEvent":
        """makeTransferEvent: topics transfer/from/to/asset name, data i128."""
        return contract_event(self.contract.contract_id,
                              [sym("transfer"), address_val(from_addr), address_val(to_addr),
                               string(sep11_asset_name(self.asset))], i128(amount))

    def _set_last_event(self, inv: Invocation, ok: bool) -> None:
        if not ok:
            self.last_event = None
            assert inv.applied.contract_events == []
            return
        events = inv.applied.contract_events
        assert len(events) == 1
        self.last_event = events[0]

    def transfer(self, from_acc, to_addr, amount: int) -> bool:
        from_addr = account_address(from_acc)
        spec = self.default_spec()
        to_is_issuer = self._is_issuer(to_addr)
        from_is_issuer = self._is_issuer(from_addr)
        if self.is_native:
            spec = spec.set(rw=[self.balance_key(from_addr), self.balance_key(to_addr)])
        else:
            spec = spec.extend_ro([self.issuer_key()])
            if not from_is_issuer:
                spec = spec.extend_rw([self.balance_key(from_addr)])
            if not to_is_issuer:
                spec = spec.extend_rw([self.balance_key(to_addr)])
        inv = self.contract.invocation("transfer", [address_val(from_addr), address_val(to_addr), i128(amount)],
                                       spec).with_authorized_top_call()
        pre_from, pre_to = self.balance(from_addr), self.balance(to_addr)
        ok = inv.invoke(from_acc)
        self._set_last_event(inv, ok)
        fee = inv.fee_charged if self.is_native else 0
        post_from, post_to = self.balance(from_addr), self.balance(to_addr)
        if ok:
            if not from_is_issuer:
                assert post_from == pre_from - amount - fee
            if not to_is_issuer:
                assert post_to - amount == pre_to
            assert self.test.entry(self.contract_balance_key(from_addr)) is None
            if to_is_issuer:
                assert self.test.entry(self.contract_balance_key(to_addr)) is None
        else:
            assert post_from == pre_from - fee
            assert post_to == pre_to
        self.last_invocation = inv
        return ok

    def mint(self, admin, to_addr, amount: int) -> bool:
        spec = self.default_spec().set(rw=[self.balance_key(to_addr)])
        if not self.is_native:
            spec = spec.extend_ro([self.issuer_key()])
        pre = self.balance(to_addr)
        inv = self.contract.invocation("mint", [address_val(to_addr), i128(amount)], spec).with_authorized_top_call()
        ok = inv.invoke(admin)
        self._set_last_event(inv, ok)
        assert self.balance(to_addr) == (pre + amount if ok else pre)
        self.last_invocation = inv
        return ok

    def burn(self, from_acc, amount: int) -> bool:
        from_addr = account_address(from_acc)
        spec = self.default_spec()
        if not self._is_issuer(from_addr):
            spec = spec.extend_rw([self.balance_key(from_addr)])
        pre = self.balance(from_addr)
        inv = self.contract.invocation("burn", [address_val(from_addr), i128(amount)],
                                       spec).with_authorized_top_call()
        ok = inv.invoke(from_acc)
        self._set_last_event(inv, ok)
        fee = inv.fee_charged if self.is_native else 0
        assert self.balance(from_addr) == (pre - amount - fee if ok else pre - fee)
        self.last_invocation = inv
        return ok
