"""Payment, as stellar-core v25's PaymentTests.cpp ("payment", "payment
fees") and EventTests.cpp ("payment events") state it; PARITY_TRAPS T6
(available balance: reserve and selling liabilities) and T7 (a payment
runs as a path payment: the destination is credited before the source is
debited, so a credit self-payment from a zero balance succeeds; a native
self-payment succeeds at once).

Trustlines, authorization flags and liabilities are written straight into
the ledger (ChangeTrust, AllowTrust and offers are other operations);
scenarios with liabilities run without invariants since no offer backs
them. Expected events are built from EventManager.cpp's rules with
stellar-sdk for the SAC contract ids and strkeys.
"""
import pytest
from stellar_sdk import Asset as SdkAsset, StrKey

from stellarcore import xdr
from tests.transactions.harness import (NETWORK, TOTAL_COINS, TestLedger, credit, make_op, muxed, native,
                                        op_payment, tx_envelope)
from tests.transactions.txscen import (INT64_MAX, TC, apply_check, close_ledger, remove_account, require_op,
                                       set_account_liabilities, set_balance, trustline)

_P = xdr.PaymentResultCode
_OT = xdr.OperationType
_SCV = xdr.SCValType
_AUTH = xdr.TrustLineFlags.AUTHORIZED_FLAG
_MAINTAIN = xdr.TrustLineFlags.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG
FEE = 100


class World:
    """PaymentTests' world: a1 with minBalance2, two gateways and their
    assets IDR and USD."""

    def __init__(self, L):
        self.L = L
        self.min_balance2 = L.min_balance(2) + 10 * FEE
        self.payment_amount = self.min_balance2
        self.a1 = L.root.create("A", self.payment_amount)
        self.more_payment = self.payment_amount // 2
        self.gateway_payment = self.min_balance2 + self.more_payment
        self.gateway = L.root.create("gate", self.gateway_payment)
        self.gateway2 = L.root.create("gate2", self.gateway_payment)
        self.idr = credit("IDR", self.gateway)
        self.usd = credit("USD", self.gateway2)


@pytest.fixture
def L():
    return TestLedger()


@pytest.fixture
def W(L):
    return World(L)


def pay(L, source, dest, amount, asset=None, check_seq=True):
    """source.pay(dest, amount[, asset]) through applyCheck; returns the
    payment result code (or the tx code if the tx itself failed)."""
    r = apply_check(L, source.tx([op_payment(dest, amount, asset)]), check_seq=check_seq)
    return r.op_code(0) if r.op_results else r.code


def test_world(L, W):
    """Root did 3 transactions; thresholds of fresh accounts."""
    assert L.root.balance == TOTAL_COINS - W.payment_amount - 2 * W.gateway_payment - 3 * FEE
    a = W.a1.entry().data.account
    assert a.balance == W.payment_amount
    assert a.thresholds == b"\x01\x00\x00\x00"


def test_send_xlm_to_existing_account(L, W):
    root_before, a1_before = L.root.balance, W.a1.balance
    assert pay(L, L.root, W.a1, W.more_payment) == _P.PAYMENT_SUCCESS
    assert W.a1.balance == a1_before + W.more_payment
    assert L.root.balance == root_before - W.more_payment - FEE


def test_send_xlm_to_new_account(L, W):
    root_before = L.root.balance
    assert pay(L, L.root, L.account("B"), L.min_balance(0)) == _P.PAYMENT_NO_DESTINATION
    assert L.root.balance == root_before - FEE


def test_rescue_account_below_reserve(L, W):
    org_reserve = L.min_balance(0)
    b1 = L.root.create("B", org_reserve + 1000)
    L.header.baseReserve += 100000
    r = apply_check(L, b1.tx([op_payment(L.root, 1)]))
    assert not r.ok and r.code == TC.txINSUFFICIENT_BALANCE
    assert pay(L, L.root, b1, L.min_balance(0) - org_reserve) == _P.PAYMENT_SUCCESS
    assert pay(L, b1, L.root, 1) == _P.PAYMENT_SUCCESS


def test_two_payments_first_breaking_second(L, W):
    """Protocol 9+: tx2 (b2's, with an op sourced at b1) fails with
    PAYMENT_UNDERFUNDED after tx1 drained b1 in the same ledger."""
    starting = W.payment_amount + 5 + L.min_balance(0) + 2 * FEE
    b1 = L.root.create("B", starting - FEE)
    b2 = L.root.create("B2", starting - FEE)
    root_before = L.root.balance
    tx1 = b1.tx([op_payment(L.root, W.payment_amount)])
    tx2 = tx_envelope(b2, b2.seq + 1, [op_payment(L.root, 6, source=b1)], signers=[b2, b1])
    r1, r2 = close_ledger(L, [tx1, tx2])
    assert r1.code == TC.txSUCCESS
    assert r2.code == TC.txFAILED
    assert r2.op_code(0) == _P.PAYMENT_UNDERFUNDED
    assert b1.balance == L.min_balance(0) + 5
    assert L.root.balance == root_before + W.payment_amount


def test_dest_amount_too_big_for_native(L, W):
    assert pay(L, L.root, W.a1, INT64_MAX) == _P.PAYMENT_LINE_FULL


@pytest.mark.parametrize("amount", [0, -1])
def test_malformed_amount(L, W, amount):
    assert pay(L, L.root, W.a1, amount) == _P.PAYMENT_MALFORMED


@pytest.mark.parametrize("code", [b"\0\0\0\0", b"I\0R\0", b"ID-R"], ids=["empty", "embedded zero", "bad char"])
def test_malformed_asset(L, W, code):
    asset = xdr.Asset(xdr.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
                      xdr.AlphaNum4(assetCode=code, issuer=W.gateway.id))
    assert pay(L, W.gateway, W.a1, 1, asset) == _P.PAYMENT_MALFORMED


# -- merges (need AccountMerge) ------------------------------------------------------------
def op_merge(dest, source=None):
    return make_op(_OT.ACCOUNT_MERGE, muxed(dest), source)


def test_a_pays_b_then_merge(L, W):
    require_op(_OT.ACCOUNT_MERGE)
    b1 = L.root.create("B", L.min_balance(0) + 1000000)
    a1_before, b1_before = W.a1.balance, b1.balance
    r = apply_check(L, W.a1.tx([op_payment(b1, 200), op_merge(b1)]), check_seq=False)
    assert r.code == TC.txSUCCESS
    assert not W.a1.exists()
    assert b1.balance == a1_before + b1_before - 2 * FEE


def test_merge_then_send(L, W):
    require_op(_OT.ACCOUNT_MERGE)
    b1 = L.root.create("B", L.min_balance(0))
    a1_before, b1_before = W.a1.balance, b1.balance
    r = apply_check(L, W.a1.tx([op_merge(b1), op_payment(b1, 200)]))
    assert r.code == TC.txFAILED
    assert W.a1.exists() and b1.balance == b1_before
    assert W.a1.balance == a1_before - 2 * FEE


# -- simple credit ------------------------------------------------------------------------------
def test_credit_to_new_account(L, W):
    assert pay(L, W.gateway, L.account("B"), 100, W.idr) == _P.PAYMENT_NO_DESTINATION


def test_credit_with_no_trust(L, W):
    assert pay(L, W.gateway, W.a1, 100, W.idr) == _P.PAYMENT_NO_TRUST


def _with_trust(L, W):
    trustline(W.a1, W.idr, 1000)
    assert pay(L, W.gateway, W.a1, 100, W.idr) == _P.PAYMENT_SUCCESS
    assert W.a1.trustline(W.idr).balance == 100
    b1 = L.root.create("B", W.payment_amount)
    trustline(b1, W.idr, 100)
    return b1


def test_credit_positive(L, W):
    b1 = _with_trust(L, W)
    assert pay(L, W.a1, b1, 40, W.idr) == _P.PAYMENT_SUCCESS
    assert W.a1.trustline(W.idr).balance == 60
    assert b1.trustline(W.idr).balance == 40
    # back to the issuer, which has no trustline
    assert pay(L, b1, W.gateway, 40, W.idr) == _P.PAYMENT_SUCCESS
    assert b1.trustline(W.idr).balance == 0


def test_credit_missing_issuer(L, W):
    """Protocol 13+: no issuer checks - payments between holders and back to
    the (merged) issuer still work."""
    b1 = _with_trust(L, W)
    remove_account(W.gateway)
    assert pay(L, W.a1, b1, 40, W.idr) == _P.PAYMENT_SUCCESS
    assert pay(L, W.a1, W.gateway, 35, W.idr) == _P.PAYMENT_SUCCESS
    assert pay(L, W.a1, W.gateway, 25, W.idr) == _P.PAYMENT_SUCCESS
    assert W.a1.trustline(W.idr).balance == 0


def test_issuer_large_amounts(L, W):
    trustline(W.a1, W.idr, INT64_MAX)
    assert pay(L, W.gateway, W.a1, INT64_MAX, W.idr) == _P.PAYMENT_SUCCESS
    assert W.a1.trustline(W.idr).balance == INT64_MAX
    assert pay(L, W.a1, W.gateway, INT64_MAX, W.idr) == _P.PAYMENT_SUCCESS
    assert W.a1.trustline(W.idr).balance == 0
    assert W.gateway.trustline(W.idr) is None


def _set_tl_flags(acc, asset, flags):
    tl = acc.trustline(asset)
    trustline(acc, asset, tl.limit, tl.balance, flags=flags)


@pytest.mark.parametrize("deauth_flags", [0, _MAINTAIN], ids=["deauthorized", "maintain liabilities only"])
def test_authorize_flag(L, W, deauth_flags):
    """"authorize flag": without AUTHORIZED the issuer cannot pay in
    (NOT_AUTHORIZED) and the holder cannot pay out (SRC_NOT_AUTHORIZED)."""
    amount = 20000
    trustline(W.a1, W.idr, INT64_MAX, flags=deauth_flags)
    assert pay(L, W.gateway, W.a1, amount, W.idr) == _P.PAYMENT_NOT_AUTHORIZED
    _set_tl_flags(W.a1, W.idr, _AUTH)
    assert pay(L, W.gateway, W.a1, amount, W.idr) == _P.PAYMENT_SUCCESS
    _set_tl_flags(W.a1, W.idr, deauth_flags)
    assert pay(L, W.a1, W.gateway, amount, W.idr) == _P.PAYMENT_SRC_NOT_AUTHORIZED
    _set_tl_flags(W.a1, W.idr, _AUTH)
    assert pay(L, W.a1, W.gateway, amount, W.idr) == _P.PAYMENT_SUCCESS


# -- check order (T7: destination first) ------------------------------------------------------
ORDER_CASES = [
    # (src trustline, dest trustline, expected)
    ("none", "none", _P.PAYMENT_NO_TRUST),
    ("none", "auth", _P.PAYMENT_SRC_NO_TRUST),
    ("unauth", "unauth", _P.PAYMENT_NOT_AUTHORIZED),
    ("unauth", "auth", _P.PAYMENT_SRC_NOT_AUTHORIZED),
    ("auth 0", "full", _P.PAYMENT_LINE_FULL),
    ("auth 0", "auth", _P.PAYMENT_UNDERFUNDED),
    ("none", "full", _P.PAYMENT_LINE_FULL),
]


@pytest.mark.parametrize("src,dst,expected", ORDER_CASES, ids=[f"{c[0]}->{c[1]}" for c in ORDER_CASES])
def test_credit_failure_order(L, W, src, dst, expected):
    """PathPaymentOpFrameBase::updateDestBalance runs before
    updateSourceBalance, so destination failures win."""
    b1 = L.root.create("B", W.payment_amount)
    spec = {"auth": dict(limit=1000, balance=0, flags=_AUTH), "unauth": dict(limit=1000, balance=500, flags=0),
            "auth 0": dict(limit=1000, balance=0, flags=_AUTH), "full": dict(limit=1000, balance=1000, flags=_AUTH)}
    if src != "none":
        trustline(W.a1, W.idr, **spec[src])
    if dst != "none":
        trustline(b1, W.idr, **spec[dst])
    assert pay(L, W.a1, b1, 10, W.idr) == expected


# -- send to self ------------------------------------------------------------------------
@pytest.mark.parametrize("amount", ["few", "all", "more than have"])
def test_send_to_self_native(L, W, amount):
    min_balance3 = L.min_balance(3) + 10 * FEE
    s = L.root.create("send to self", min_balance3)
    value = {"few": 1, "all": min_balance3, "more than have": INT64_MAX}[amount]
    r = apply_check(L, s.tx([op_payment(s, value)]))
    assert r.code == TC.txSUCCESS
    assert s.balance == min_balance3 - FEE
    # instant success: nothing loaded, no ledger change in the op meta; one self transfer event
    (op,) = r.meta.v4.operations
    assert list(op.changes) == []
    assert len(op.events) == 1


def _self_assets(W):
    fake_account = W.L.account("fake account")
    return {"existing asset": W.idr, "non existing asset with existing issuer": credit("fake", W.gateway),
            "non existing asset with non existing issuer": credit("fake", fake_account)}


@pytest.mark.parametrize("name", ["existing asset", "non existing asset with existing issuer",
                                  "non existing asset with non existing issuer"])
def test_send_to_self_credit_without_trustline(L, W, name):
    min_balance3 = L.min_balance(3) + 10 * FEE
    s = L.root.create("send to self", min_balance3)
    asset = _self_assets(W)[name]
    assert pay(L, s, s, 1, asset) == _P.PAYMENT_NO_TRUST
    assert s.balance == min_balance3 - FEE
    assert s.trustline(asset) is None


SELF_CASES = [
    # (starting trust balance, amount, expected)   limit 1000
    (0, 1, _P.PAYMENT_SUCCESS),
    (0, 1000, _P.PAYMENT_SUCCESS),     # T7: credited before debited
    (0, 2000, _P.PAYMENT_LINE_FULL),
    (500, 1, _P.PAYMENT_SUCCESS),
    (500, 500, _P.PAYMENT_SUCCESS),
    (500, 2000, _P.PAYMENT_LINE_FULL),
    (1000, 1, _P.PAYMENT_LINE_FULL),
    (1000, 1000, _P.PAYMENT_LINE_FULL),
    (1000, 2000, _P.PAYMENT_LINE_FULL),
]


@pytest.mark.parametrize("name", ["existing asset", "non existing asset with existing issuer"])
@pytest.mark.parametrize("start,amount,expected", SELF_CASES, ids=[f"{c[0]}+{c[1]}" for c in SELF_CASES])
def test_send_to_self_credit_with_trustline(L, W, name, start, amount, expected):
    min_balance3 = L.min_balance(3) + 10 * FEE
    s = L.root.create("send to self", min_balance3)
    asset = _self_assets(W)[name]
    trustline(s, asset, 1000)
    if start:
        assert pay(L, W.gateway, s, start, asset) == _P.PAYMENT_SUCCESS
    assert pay(L, s, s, amount, asset) == expected
    assert s.balance == min_balance3 - FEE
    assert s.trustline(asset).balance == start


# -- fees against reserve ("fee less than base reserve", "payment fees") --------------------------
FEE_CASES = [
    # extra balance over minBalance(0) + amount, in (fees, stroops)
    ((0, 0), TC.txINSUFFICIENT_BALANCE),
    ((0, 1), TC.txINSUFFICIENT_BALANCE),
    ((1, -1), _P.PAYMENT_UNDERFUNDED),
    ((1, 0), _P.PAYMENT_SUCCESS),
    ((1, 1), _P.PAYMENT_SUCCESS),
    ((2, -2), _P.PAYMENT_SUCCESS),
    ((2, -1), _P.PAYMENT_SUCCESS),
    ((2, 0), _P.PAYMENT_SUCCESS),
]


@pytest.mark.parametrize("base_fee", [100, 100_000_000, 200_000_000],
                         ids=["fee less than base reserve", "fee equal to base reserve", "fee bigger than base reserve"])
@pytest.mark.parametrize("extra,expected", FEE_CASES, ids=[f"{c[0][0]}fee{c[0][1]:+d}" for c in FEE_CASES])
def test_payment_fees(base_fee, extra, expected):
    L = TestLedger()
    amount = 1
    balance = L.min_balance(0) + amount + extra[0] * base_fee + extra[1]
    pay_from = L.root.create("pay-from", balance)
    L.header.baseFee = base_fee
    r = apply_check(L, pay_from.tx([op_payment(L.root, 1)], fee=base_fee))
    got = r.op_code(0) if r.op_results else r.code
    assert got == expected
    # the fee charged is min(balance, fee) (processFeeSeqNum)
    assert r.result.feeCharged == min(balance, base_fee)


def test_fee_charged_capped_at_balance():
    """processFeeSeqNum charges min(balance, fee) even below the reserve;
    the tx then fails with txINSUFFICIENT_BALANCE but the seq is bumped."""
    L = TestLedger()
    a = L.root.create("A", L.min_balance(0))
    set_balance(a, 50)
    pool, seq = L.header.feePool, a.seq
    r = L.apply(a.tx([op_payment(L.root, 1)]))
    assert r.code == TC.txINSUFFICIENT_BALANCE
    assert r.result.feeCharged == 50
    assert a.balance == 0 and a.seq == seq + 1
    assert L.header.feePool == pool + 50


@pytest.mark.parametrize("bid,base_fee,n_ops,charged", [
    (1000, 100, 1, 100),       # charged the base fee, not the bid
    (1000, 300, 1, 300),       # surge: the ledger's base fee
    (1000, 600, 2, 1000),      # never more than the bid
    (200, 100, 2, 200),
])
def test_fee_is_base_fee_times_ops_capped_at_bid(bid, base_fee, n_ops, charged):
    """getFee(applying): min(inclusion fee, baseFee * numOps)."""
    L = TestLedger()
    a = L.root.create("A", 10 * L.min_balance(0))
    before = a.balance
    r = L.apply(a.tx([op_payment(L.root, 1)] * n_ops, fee=bid), base_fee=base_fee)
    assert r.ok
    assert r.result.feeCharged == charged
    assert a.balance == before - n_ops - charged


def test_insufficient_fee(L, W):
    """"Insufficient fee": txINSUFFICIENT_FEE, and at apply the charged fee
    is the (lower) bid."""
    env = L.root.tx([op_payment(W.a1, W.payment_amount)], fee=FEE - 1)
    r = apply_check(L, env)
    assert r.code == TC.txINSUFFICIENT_FEE
    assert r.result.feeCharged == FEE - 1


# -- liabilities --------------------------------------------------------------------------
def test_cannot_pay_below_selling_liabilities(L, W):
    """An offer selling 50 IDR: 51 of 100 is UNDERFUNDED, 50 goes through."""
    L.invariants = False
    trustline(W.a1, W.idr, 200)
    assert pay(L, W.gateway, W.a1, 100, W.idr) == _P.PAYMENT_SUCCESS
    trustline(W.a1, W.idr, 200, balance=100, selling=50)
    assert pay(L, W.a1, W.gateway, 51, W.idr) == _P.PAYMENT_UNDERFUNDED
    assert pay(L, W.a1, W.gateway, 50, W.idr) == _P.PAYMENT_SUCCESS


def test_cannot_receive_beyond_limit_with_buying_liabilities(L, W):
    """An offer buying 50 IDR on a 100 limit: 51 is LINE_FULL, 50 fits."""
    L.invariants = False
    trustline(W.a1, W.idr, 100, buying=50)
    assert pay(L, W.gateway, W.a1, 51, W.idr) == _P.PAYMENT_LINE_FULL
    assert pay(L, W.gateway, W.a1, 50, W.idr) == _P.PAYMENT_SUCCESS


@pytest.mark.parametrize("selling,amount,expected", [
    (0, 1000, _P.PAYMENT_SUCCESS),
    (0, 1001, _P.PAYMENT_UNDERFUNDED),
    (400, 600, _P.PAYMENT_SUCCESS),
    (400, 601, _P.PAYMENT_UNDERFUNDED),
])
def test_native_underfunded_with_reserve_and_selling_liabilities(selling, amount, expected):
    """T6: available = balance - minBalance - sellingLiabilities."""
    L = TestLedger(invariants=False)
    a = L.root.create("A", L.min_balance(0) + 1000 + FEE)
    set_account_liabilities(a, selling=selling)
    assert pay(L, a, L.root, amount) == expected


# -- events ("payment events") -------------------------------------------------------------
def sac_id(asset) -> bytes:
    """The Stellar Asset Contract id, from stellar-sdk."""
    if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE:
        sdk = SdkAsset.native()
    else:
        a = asset.alphaNum4
        sdk = SdkAsset(bytes(a.assetCode).rstrip(b"\0").decode(), StrKey.encode_ed25519_public_key(a.issuer.ed25519))
    return StrKey.decode_contract(sdk.contract_id(NETWORK))


def sep11(asset) -> bytes:
    if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE:
        return b"native"
    a = asset.alphaNum4
    return bytes(a.assetCode).rstrip(b"\0") + b":" + StrKey.encode_ed25519_public_key(a.issuer.ed25519).encode()


def addr(acc):
    return xdr.SCVal(_SCV.SCV_ADDRESS, xdr.SCAddress(xdr.SCAddressType.SC_ADDRESS_TYPE_ACCOUNT, acc.id))


def sym(s):
    return xdr.SCVal(_SCV.SCV_SYMBOL, s)


def i128(v):
    return xdr.SCVal(_SCV.SCV_I128, xdr.Int128Parts(hi=0, lo=v))


def amount_map(amount, to_val):
    return xdr.SCVal(_SCV.SCV_MAP, [xdr.SCMapEntry(key=sym(b"amount"), val=i128(amount)),
                                    xdr.SCMapEntry(key=sym(b"to_muxed_id"), val=to_val)])


def event(asset, topics, data):
    return xdr.ContractEvent(ext=xdr.ExtensionPoint(0), contractID=sac_id(asset),
                             type=xdr.ContractEventType.CONTRACT,
                             body=xdr.ContractEventBody(0, xdr.ContractEventV0(topics=topics, data=data)))


def transfer(asset, frm, to, data):
    return event(asset, [sym(b"transfer"), addr(frm), addr(to), xdr.SCVal(_SCV.SCV_STRING, sep11(asset))], data)


def mint_or_burn(kind, asset, who, data):
    return event(asset, [sym(kind), addr(who), xdr.SCVal(_SCV.SCV_STRING, sep11(asset))], data)


def op_events(r, i=0):
    return list(r.meta.v4.operations[i].events)


@pytest.fixture
def ev(L):
    """EventTests' world: gateway, A and B (B with minBalance0 + 1000000)."""
    pa = L.header.baseReserve * 10
    gateway = L.root.create("gate", pa)
    a = L.root.create("A", pa)
    b = L.root.create("B", L.min_balance(0) + 1000000)
    return gateway, a, b, credit("IDR", gateway)


def test_event_a_pays_b_and_fee_event(L, ev):
    _, a, b, _ = ev
    before = a.balance
    r = L.apply(a.tx([op_payment(b, 200)]))
    assert r.ok
    assert op_events(r) == [transfer(native(), a, b, i128(200))]
    (fe,) = r.meta.v4.events
    assert fe.stage == xdr.TransactionEventStage.TRANSACTION_EVENT_STAGE_BEFORE_ALL_TXS
    assert fe.event == event(native(), [sym(b"fee"), addr(a)], i128(before - 200 - a.balance))


def test_event_source_is_muxed(L, ev):
    _, a, b, _ = ev
    r = L.apply(tx_envelope(muxed(a, 1), a.seq + 1, [op_payment(b, 200)], signers=[a]))
    assert r.ok
    assert op_events(r) == [transfer(native(), a, b, i128(200))]


def test_event_dest_is_muxed(L, ev):
    _, a, b, _ = ev
    r = L.apply(a.tx([op_payment(muxed(b, 2), 200)]))
    assert r.ok
    assert op_events(r) == [transfer(native(), a, b, amount_map(200, xdr.SCVal(_SCV.SCV_U64, 2)))]


MEMOS = [
    (xdr.Memo(xdr.MemoType.MEMO_TEXT, b"test memo"), xdr.SCVal(_SCV.SCV_STRING, b"test memo")),
    (xdr.Memo(xdr.MemoType.MEMO_ID, 77), xdr.SCVal(_SCV.SCV_U64, 77)),
    (xdr.Memo(xdr.MemoType.MEMO_HASH, b"h" * 32), xdr.SCVal(_SCV.SCV_BYTES, b"h" * 32)),
    (xdr.Memo(xdr.MemoType.MEMO_RETURN, b"r" * 32), xdr.SCVal(_SCV.SCV_BYTES, b"r" * 32)),
]


@pytest.mark.parametrize("memo,val", MEMOS, ids=["text", "id", "hash", "return"])
def test_event_with_tx_memo(L, ev, memo, val):
    """makeClassicMemoSCVal: text -> string, id -> u64, hash/return -> bytes."""
    _, a, b, _ = ev
    r = L.apply(a.tx([op_payment(b, 200)], memo=memo))
    assert r.ok
    assert op_events(r) == [transfer(native(), a, b, amount_map(200, val))]


def test_event_memo_order_of_precedence(L, ev):
    """A muxed destination's id wins over the tx memo."""
    _, a, b, _ = ev
    memo = xdr.Memo(xdr.MemoType.MEMO_TEXT, b"transaction memo")
    r = L.apply(a.tx([op_payment(muxed(b, 42), 200)], memo=memo))
    assert r.ok
    assert op_events(r) == [transfer(native(), a, b, amount_map(200, xdr.SCVal(_SCV.SCV_U64, 42)))]


def test_event_mint(L, ev):
    gateway, a, _, idr = ev
    trustline(a, idr, 1000)
    r = L.apply(gateway.tx([op_payment(a, 200, idr)]))
    assert r.ok
    assert op_events(r) == [mint_or_burn(b"mint", idr, a, i128(200))]


def test_event_mint_with_muxed_destination(L, ev):
    gateway, a, _, idr = ev
    trustline(a, idr, 1000)
    r = L.apply(gateway.tx([op_payment(muxed(a, 42), 200, idr)]))
    assert r.ok
    assert op_events(r) == [mint_or_burn(b"mint", idr, a, amount_map(200, xdr.SCVal(_SCV.SCV_U64, 42)))]


def test_event_burn(L, ev):
    gateway, a, _, idr = ev
    trustline(a, idr, 1000, balance=1000)
    r = L.apply(a.tx([op_payment(gateway, 200, idr)]))
    assert r.ok
    assert op_events(r) == [mint_or_burn(b"burn", idr, a, i128(200))]


def test_event_burn_ignores_memo_and_muxed_issuer(L, ev):
    """Burn data is the bare amount (makeBurnEvent), even with a memo and a
    muxed issuer destination."""
    gateway, a, _, idr = ev
    trustline(a, idr, 1000, balance=1000)
    memo = xdr.Memo(xdr.MemoType.MEMO_ID, 5)
    r = L.apply(a.tx([op_payment(muxed(gateway, 9), 200, idr)], memo=memo))
    assert r.ok
    assert op_events(r) == [mint_or_burn(b"burn", idr, a, i128(200))]


def test_event_issuer_pays_itself(L, ev):
    """Issuer to issuer in its own asset: both ends are the issuer, so
    eventForTransferWithIssuerCheck emits a transfer."""
    gateway, _, _, idr = ev
    r = L.apply(gateway.tx([op_payment(gateway, 200, idr)]))
    assert r.ok
    assert op_events(r) == [transfer(idr, gateway, gateway, i128(200))]


def test_event_native_self_payment(L, ev):
    _, a, _, _ = ev
    r = L.apply(a.tx([op_payment(a, 5)]))
    assert r.ok
    assert op_events(r) == [transfer(native(), a, a, i128(5))]


def test_no_events_when_classic_events_disabled():
    L = TestLedger(classic_events=False)
    a = L.root.create("A", 10 * L.min_balance(0))
    r = L.apply(a.tx([op_payment(L.root, 5)]))
    assert r.ok
    assert op_events(r) == [] and list(r.meta.v4.events) == []
