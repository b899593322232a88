"""A small ledger for transaction tests, in the spirit of stellar-core's
src/test/TxTests.cpp and TestAccount.

`TestLedger()` starts at a genesis-like state (root account holding every
lumen, stellar-core's genesis base fee and reserve) on the test network
passphrase; `apply(envelope)` charges the fee, applies the transaction
with meta, runs the invariants after every successful operation (when the
invariant package is present), commits and closes the ledger (ledgerSeq
+1, closeTime +5 s). Accounts are stellar-core's test accounts
(`SecretKey.for_test_account(name)`), so scenarios read like its tests.
"""
from __future__ import annotations

from dataclasses import dataclass

from stellarcore import xdr
from stellarcore.crypto import txhash
from stellarcore.crypto.keys import SecretKey
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key, trustline_key
from stellarcore.ledger.ledger_txn import InMemoryRoot, LedgerTxn
from stellarcore.transactions.apply import apply_transaction, process_fees_seq_nums
from stellarcore.transactions.frame import make_transaction_frame

NETWORK = "(V) (;,,;) (V)"
NETWORK_ID = txhash.network_id(NETWORK)
TOTAL_COINS = 1_000_000_000_000_000_000
GENESIS_BASE_FEE = 100
GENESIS_BASE_RESERVE = 100_000_000
_OT = xdr.OperationType
_TC = xdr.TransactionResultCode

try:  # the invariants run after every operation when the package exists
    from stellarcore.invariant.manager import check_operation_apply as _check_invariants
except ImportError:  # pragma: no cover
    _check_invariants = None


def invariant_hook(op, ltx_op, op_meta):
    if _check_invariants is None:
        return
    ev = op_meta.events
    _check_invariants(ltx_op._parent_header(), ltx_op.get_header(), list(ltx_op.get_delta()),
                      ev.events if ev.enabled else None,
                      operation=op.op, op_result=op.result, network_id=NETWORK_ID)


# -- assets and operations --------------------------------------------------
def native() -> "xdr.Asset":
    return xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE)


def credit(code: str, issuer) -> "xdr.Asset":
    """A credit asset; `issuer` is a SecretKey, TestAccount or AccountID."""
    issuer_id = account_id_of(issuer)
    raw = code.encode()
    if len(raw) <= 4:
        return xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                         xdr.AlphaNum4(assetCode=raw.ljust(4, b"\0"), issuer=issuer_id))
    return xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM12,
                     xdr.AlphaNum12(assetCode=raw.ljust(12, b"\0"), issuer=issuer_id))


def account_id_of(who) -> "xdr.PublicKey":
    if isinstance(who, TestAccount):
        return who.id
    if isinstance(who, SecretKey):
        return xdr.PublicKey(ed25519=who.public_key.ed25519)
    return who


def muxed(who, mux_id=None) -> "xdr.MuxedAccount":
    raw = account_id_of(who).ed25519
    if mux_id is None:
        return xdr.MuxedAccount(ed25519=raw)
    return xdr.MuxedAccount(med25519=xdr.MuxedAccountMed25519(id=mux_id, ed25519=raw))


def make_op(op_type, body, source=None) -> "xdr.Operation":
    """An Operation of `op_type` with body value `body` (None for void)."""
    src = None if source is None else (source if isinstance(source, xdr.MuxedAccount) else muxed(source))
    b = xdr.OperationBody(op_type) if body is None else xdr.OperationBody(op_type, body)
    return xdr.Operation(sourceAccount=src, body=b)


def op_create_account(dest, starting_balance: int, source=None):
    return make_op(_OT.CREATE_ACCOUNT, xdr.CreateAccountOp(destination=account_id_of(dest),
                                                           startingBalance=starting_balance), source)


def op_payment(dest, amount: int, asset=None, source=None):
    d = dest if isinstance(dest, xdr.MuxedAccount) else muxed(dest)
    return make_op(_OT.PAYMENT, xdr.PaymentOp(destination=d, asset=asset or native(), amount=amount), source)


# -- envelopes ----------------------------------------------------------------
def sign(envelope, *signers) -> "xdr.TransactionEnvelope":
    """Append signatures of the envelope's contents hash (SecretKey or TestAccount)."""
    h = txhash.contents_hash(envelope, NETWORK_ID)
    sigs = envelope.xdr_value().signatures
    for s in signers:
        sk = s.secret if isinstance(s, TestAccount) else s
        sigs.append(sk.sign_decorated(h))
    return envelope


def tx_envelope(source, seq_num: int, ops, fee=None, memo=None, cond=None, signers=None) -> "xdr.TransactionEnvelope":
    """A v1 envelope; signed by `signers` (default: the source)."""
    src = source if isinstance(source, xdr.MuxedAccount) else muxed(source)
    tx = xdr.Transaction(sourceAccount=src, fee=GENESIS_BASE_FEE * len(ops) if fee is None else fee,
                         seqNum=seq_num, cond=cond or xdr.Preconditions(xdr.PreconditionType.PRECOND_NONE),
                         memo=memo or xdr.Memo(xdr.MemoType.MEMO_NONE), operations=list(ops),
                         ext=xdr.TransactionExt(0))
    env = xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX,
                                  xdr.TransactionV1Envelope(tx=tx, signatures=[]))
    return sign(env, *(signers if signers is not None else [source]))


def fee_bump_envelope(fee_source, inner_env, fee: int, signers=None) -> "xdr.TransactionEnvelope":
    src = fee_source if isinstance(fee_source, xdr.MuxedAccount) else muxed(fee_source)
    fb = xdr.FeeBumpTransaction(feeSource=src, fee=fee,
                                innerTx=xdr.FeeBumpTransactionInnerTx(xdr.EnvelopeType.ENVELOPE_TYPE_TX, inner_env.v1),
                                ext=xdr.FeeBumpTransactionExt(0))
    env = xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX_FEE_BUMP,
                                  xdr.FeeBumpTransactionEnvelope(tx=fb, signatures=[]))
    return sign(env, *(signers if signers is not None else [fee_source]))


@dataclass
class Applied:
    """What applying one transaction gave."""
    result: "xdr.TransactionResult"
    meta: "xdr.TransactionMeta"
    fee_changes: list

    @property
    def code(self):
        r = self.result.result
        if r.code in (_TC.txFEE_BUMP_INNER_SUCCESS, _TC.txFEE_BUMP_INNER_FAILED):
            return r.innerResultPair.result.result.code
        return r.code

    @property
    def op_results(self) -> list:
        r = self.result.result
        if r.code in (_TC.txFEE_BUMP_INNER_SUCCESS, _TC.txFEE_BUMP_INNER_FAILED):
            r = r.innerResultPair.result.result
        return list(r.results) if r.code in (_TC.txSUCCESS, _TC.txFAILED) else []

    def op_code(self, i: int = 0):
        """The inner result code of operation i, or its outer code (opBAD_AUTH...)."""
        res = self.op_results[i]
        if res.code != xdr.OperationResultCode.opINNER:
            return res.code
        return res.tr.xdr_value().code

    @property
    def ok(self) -> bool:
        return self.code == _TC.txSUCCESS


class TestAccount:
    """stellar-core's TestAccount: a key and its ledger."""

    __test__ = False  # not a pytest test class

    def __init__(self, ledger: "TestLedger", secret: SecretKey):
        self.ledger = ledger
        self.secret = secret
        self.id = xdr.PublicKey(ed25519=secret.public_key.ed25519)

    @property
    def muxed(self) -> "xdr.MuxedAccount":
        return muxed(self.id)

    def entry(self):
        return self.ledger.load(account_key(self.id))

    def exists(self) -> bool:
        return self.entry() is not None

    @property
    def balance(self) -> int:
        return self.entry().data.account.balance

    @property
    def seq(self) -> int:
        return self.entry().data.account.seqNum

    @property
    def num_sub_entries(self) -> int:
        return self.entry().data.account.numSubEntries

    def trustline(self, asset):
        e = self.ledger.load(trustline_key(self.id, asset))
        return None if e is None else e.data.trustLine

    def tx(self, ops, seq=None, **kw) -> "xdr.TransactionEnvelope":
        return tx_envelope(self, self.seq + 1 if seq is None else seq, ops, **kw)

    def apply(self, ops, **kw) -> Applied:
        return self.ledger.apply(self.tx(ops, **kw))

    def create(self, name_or_secret, balance: int) -> "TestAccount":
        sk = name_or_secret if isinstance(name_or_secret, SecretKey) else SecretKey.for_test_account(name_or_secret)
        acc = TestAccount(self.ledger, sk)
        r = self.apply([op_create_account(acc.id, balance)])
        assert r.ok, r.result
        return acc

    def pay(self, dest, amount: int, asset=None) -> Applied:
        return self.apply([op_payment(dest, amount, asset)])


class TestLedger:
    """One node's ledger state with a current (closing) header."""

    __test__ = False  # not a pytest test class

    def __init__(self, protocol: int = 25, base_fee: int = GENESIS_BASE_FEE,
                 base_reserve: int = GENESIS_BASE_RESERVE, classic_events: bool = True,
                 ledger_seq: int = 2, close_time: int = 1_700_000_000, invariants: bool = True):
        self.classic_events = classic_events
        self.invariants = invariants
        header = xdr.LedgerHeader(
            ledgerVersion=protocol, previousLedgerHash=b"\0" * 32,
            scpValue=xdr.StellarValue(txSetHash=b"\0" * 32, closeTime=close_time, upgrades=[],
                                      ext=xdr.StellarValueExt(0)),
            txSetResultHash=b"\0" * 32, bucketListHash=b"\0" * 32, ledgerSeq=ledger_seq,
            totalCoins=TOTAL_COINS, feePool=0, inflationSeq=0, idPool=0, baseFee=base_fee,
            baseReserve=base_reserve, maxTxSetSize=100, skipList=[b"\0" * 32] * 4,
            ext=xdr.LedgerHeaderExt(0))
        self.root_store = InMemoryRoot(header)
        root_sk = SecretKey.root(NETWORK_ID)
        self.root = TestAccount(self, root_sk)
        acc = xdr.AccountEntry(accountID=self.root.id, balance=TOTAL_COINS, seqNum=0, numSubEntries=0,
                               inflationDest=None, flags=0, homeDomain=b"", thresholds=b"\x01\x00\x00\x00",
                               signers=[], ext=xdr.AccountEntryExt(0))
        le = xdr.LedgerEntry(lastModifiedLedgerSeq=1, data=xdr.LedgerEntryData(account=acc),
                             ext=xdr.LedgerEntryExt(0))
        self.root_store.entries[account_key(self.root.id)] = le

    # -- state ------------------------------------------------------------
    @property
    def header(self) -> "xdr.LedgerHeader":
        return self.root_store.header

    def load(self, key):
        e = self.root_store.get_entry(key)
        return None if e is None else e.copy()

    def account(self, name: str) -> TestAccount:
        return TestAccount(self, SecretKey.for_test_account(name))

    def min_balance(self, num_sub_entries: int = 0, sponsoring: int = 0, sponsored: int = 0) -> int:
        return B.min_balance_for(self.header, num_sub_entries, sponsoring, sponsored)

    def put(self, entry) -> None:
        """Write an entry straight into the ledger (test setup only)."""
        self.root_store.put(entry)

    def close_ledger(self, seconds: int = 5) -> None:
        h = self.root_store.header
        h.ledgerSeq += 1
        h.scpValue.closeTime += seconds

    # -- transactions -------------------------------------------------------
    def frame(self, envelope):
        return make_transaction_frame(NETWORK_ID, envelope)

    def check_valid(self, envelope):
        """TransactionFrame::checkValid against the current state."""
        ltx = LedgerTxn(self.root_store)
        try:
            return self.frame(envelope).check_valid(ltx).to_xdr()
        finally:
            ltx.rollback()

    def apply(self, envelope, base_fee=None, close: bool = True) -> Applied:
        """Charge, apply and commit one transaction, then close the ledger."""
        return self.apply_set([envelope], base_fee, close)[0]

    def apply_set(self, envelopes, base_fee=None, close: bool = True) -> list:
        """closeLedger with a strict order: charge every fee first (with the
        MAX_SEQ_NUM_TO_APPLY step), then apply each transaction, commit."""
        frames = [self.frame(e) for e in envelopes]
        bf = base_fee if base_fee is not None else self.header.baseFee
        out = []
        ltx = LedgerTxn(self.root_store)
        try:
            charged = process_fees_seq_nums(ltx, [(f, bf) for f in frames])
            for f, (result, fee_changes) in zip(frames, charged):
                meta = apply_transaction(ltx, f, result, NETWORK_ID, self.classic_events,
                                         op_apply_hook=invariant_hook if self.invariants else None)
                out.append(Applied(result.to_xdr(), meta, fee_changes))
            ltx.commit()
        finally:
            ltx.rollback()
        if close:
            self.close_ledger()
        return out
