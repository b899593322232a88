"""EventsAreConsistentWithEntryDiffs, from stellar-core
EventsAreConsistentWithEntryDiffs.cpp and InvariantTests.cpp
("EventsAreConsistentWithEntryDiffs invariant": the root's balance drops by
1 with no event -> the strict invariant throws). Events are built here by
hand in stellar-core's CAP-67 shapes (EventManager.cpp), independently of
stellarcore.transactions.events."""
import pytest

from stellarcore import xdr
from stellarcore.crypto import ids, strkey
from stellarcore.invariant import InvariantDoesNotHold, InvariantManager
from tests.invariant import builders as b

NAME = "EventsAreConsistentWithEntryDiffs"
NETWORK_ID = bytes(range(32))
A = xdr.SCAddressType
V = xdr.SCValType

ISSUER = b.account_id("issuer")
USD = b.credit("USD", ISSUER)
LONG = b.credit("LONGASSET", ISSUER)


def sym(s):
    return xdr.SCVal(sym=s.encode())


def i128(v):
    return xdr.SCVal(i128=xdr.Int128Parts(hi=-1 if v < 0 else 0, lo=v & ((1 << 64) - 1)))


def addr_acc(aid):
    return xdr.SCVal(address=xdr.SCAddress(A.SC_ADDRESS_TYPE_ACCOUNT, aid))


def addr_cb(bid):
    return xdr.SCVal(address=xdr.SCAddress(A.SC_ADDRESS_TYPE_CLAIMABLE_BALANCE, bid))


def addr_pool(pid):
    return xdr.SCVal(address=xdr.SCAddress(A.SC_ADDRESS_TYPE_LIQUIDITY_POOL, pid))


def sep11(asset):
    if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE:
        return xdr.SCVal(str=b"native")
    a = asset.xdr_value()
    return xdr.SCVal(str=bytes(a.assetCode).rstrip(b"\0") + b":" + strkey.encode("G", a.issuer.ed25519).encode())


def event(asset, name, *addrs, data, network_id=NETWORK_ID, contract_id=None):
    cid = contract_id if contract_id is not None else bytes(ids.contract_id_from_asset(network_id, asset))
    topics = [sym(name), *addrs, sep11(asset)]
    return xdr.ContractEvent(ext=xdr.ExtensionPoint(0), contractID=cid, type=xdr.ContractEventType.CONTRACT,
                             body=xdr.ContractEventBody(0, xdr.ContractEventV0(topics=topics, data=data)))


def transfer(asset, frm, to, amount, **kw):
    return event(asset, "transfer", frm, to, data=i128(amount), **kw)


def check(delta, events, network_id=NETWORK_ID):
    return b.run(NAME, delta, events=events, network_id=network_id)


def _pay_native(amount=100):
    a, c = b.account(), b.account()
    a2, c2 = a.copy(), c.copy()
    a2.data.account.balance -= amount
    c2.data.account.balance += amount
    return a, c, b.modified([(a2, a), (c2, c)])


def test_root_balance_drop_without_event_throws_even_in_production():
    """InvariantTests.cpp: balance -= 1, no events, invariant enabled ->
    InvariantDoesNotHold; strict, so also with raise_all=False."""
    root = b.account()
    root2 = root.copy()
    root2.data.account.balance -= 1
    delta = b.modified([(root2, root)])
    mgr = InvariantManager([NAME], raise_all=False)
    with pytest.raises(InvariantDoesNotHold) as e:
        mgr.check_operation_apply(b.header(), b.header(), delta, [], network_id=NETWORK_ID)
    assert e.value.message == "Account diff does not match events"
    # and when events are off (None) the invariant does not run
    mgr.check_operation_apply(b.header(), b.header(), delta, None)


def test_native_payment_with_transfer_event():
    a, c, delta = _pay_native(100)
    ev = transfer(b.NATIVE, addr_acc(a.data.account.accountID), addr_acc(c.data.account.accountID), 100)
    assert check(delta, [ev]) == ""
    # trusted asset string without network id
    assert check(delta, [ev], network_id=None) == ""
    # wrong amount
    ev2 = transfer(b.NATIVE, addr_acc(a.data.account.accountID), addr_acc(c.data.account.accountID), 99)
    assert check(delta, [ev2]) == "Account diff does not match events"
    # an event from another network's SAC is not an SAC event: nothing explains the diff
    ev3 = transfer(b.NATIVE, addr_acc(a.data.account.accountID), addr_acc(c.data.account.accountID), 100,
                   network_id=b"\xff" * 32)
    assert check(delta, [ev3]) == "Account diff does not match events"


def test_unconsumed_event():
    a = b.account()
    ev = transfer(b.NATIVE, addr_acc(a.data.account.accountID), addr_acc(b.account_id()), 5)
    assert check(b.modified([(a, a.copy())]), [ev]) == "Account diff does not match events"
    ev_pair = [ev, transfer(b.NATIVE, addr_acc(b.account_id()), addr_acc(b.account_id()), 5)]
    assert check([], ev_pair) == "Some event diffs not consumed"


def test_credit_mint_burn_and_muxed_data():
    holder = b.account_id()
    tl = b.trustline(holder, USD, 0, 1000)
    tl2 = tl.copy()
    tl2.data.trustLine.balance = 70
    memo_data = xdr.SCVal(map=[xdr.SCMapEntry(key=sym("amount"), val=i128(70)),
                               xdr.SCMapEntry(key=sym("to_muxed_id"), val=xdr.SCVal(u64=9))])
    mint = event(USD, "mint", addr_acc(holder), data=memo_data)
    assert check(b.modified([(tl2, tl)]), [mint]) == ""
    burn = event(USD, "burn", addr_acc(holder), data=i128(70))
    assert check(b.modified([(tl, tl2)]), [burn]) == ""
    claw = event(USD, "clawback", addr_acc(holder), data=i128(70))
    assert check(b.modified([(tl, tl2)]), [claw]) == ""
    assert check(b.modified([(tl, tl2)]), [mint]) == "Trustline diff does not match events"
    # alphanum12 asset strings
    tl12 = b.trustline(holder, LONG, 0, 1000)
    tl12b = tl12.copy()
    tl12b.data.trustLine.balance = 3
    assert check(b.modified([(tl12b, tl12)]), [event(LONG, "mint", addr_acc(holder), data=i128(3))]) == ""


def test_malformed_events():
    holder = addr_acc(b.account_id())
    bad = [
        event(USD, "mint", holder, holder, data=i128(1)),            # mint with 4 topics
        event(USD, "transfer", holder, data=i128(1)),                # transfer with 3 topics
        event(USD, "burn", holder, data=i128(-1)),                   # negative amount
        event(USD, "set_authorized", holder, data=i128(1)),          # non-bool
    ]
    for ev in bad:
        assert check([], [ev]) == "received invalid events"
    name_not_symbol = event(USD, "mint", holder, data=i128(1))
    name_not_symbol.body.v0.topics[0] = xdr.SCVal(str=b"mint")
    assert check([], [name_not_symbol]) == "received invalid events"
    # unknown names and non-SAC events are ignored
    assert check([], [event(USD, "approve", holder, holder, data=i128(1))]) == ""
    assert check([], [event(USD, "mint", holder, data=i128(1), contract_id=b"\1" * 32)]) == ""


def test_trustline_authorization_needs_set_authorized():
    holder = b.account_id()
    tl = b.trustline(holder, USD, 5, 100)
    revoked = tl.copy()
    revoked.data.trustLine.flags = xdr.TrustLineFlags.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG
    delta = b.modified([(revoked, tl)])
    assert check(delta, []) == "trustline authorization and events do not match"
    off = event(USD, "set_authorized", addr_acc(holder), data=xdr.SCVal(b=False))
    assert check(delta, [off]) == ""
    on = event(USD, "set_authorized", addr_acc(holder), data=xdr.SCVal(b=True))
    assert check(delta, [on]) == "trustline authorization and events do not match"
    # the last set_authorized wins
    assert check(delta, [on, off]) == ""
    # an event matching an unchanged state is fine
    assert check(b.modified([(tl, tl.copy())]), [on]) == ""


def test_claimable_balance_and_pool_addresses():
    owner = b.account()
    oid = owner.data.account.accountID
    cb = b.claimable_balance(b.NATIVE, 40, [b.claimant(b.account_id())], sponsor=oid)
    owner2 = owner.copy()
    owner2.data.account.balance -= 40
    bid = cb.data.claimableBalance.balanceID
    ev = transfer(b.NATIVE, addr_acc(oid), addr_cb(bid), 40)
    assert check(b.modified([(owner2, owner)]) + b.created(cb), [ev]) == ""
    assert check(b.modified([(owner2, owner)]) + b.created(cb), []) == "Account diff does not match events"

    p = b.pool(b.NATIVE, USD, 100, 100, pool_id=b"\4" * 32)
    p2 = p.copy()
    cp = p2.data.liquidityPool.body.constantProduct
    cp.reserveA += 10
    cp.reserveB -= 9
    trader = b.account()
    tid = trader.data.account.accountID
    trader2 = trader.copy()
    trader2.data.account.balance -= 10
    ttl = b.trustline(tid, USD, 0, 1000)
    ttl2 = ttl.copy()
    ttl2.data.trustLine.balance = 9
    evs = [transfer(b.NATIVE, addr_acc(tid), addr_pool(b"\4" * 32), 10),
           transfer(USD, addr_pool(b"\4" * 32), addr_acc(tid), 9)]
    delta = b.modified([(p2, p), (trader2, trader), (ttl2, ttl)])
    assert check(delta, evs) == ""
    assert check(delta, evs[:1]) == "LiquidityPool diff does not match events"


def test_pool_share_trustlines_are_ignored():
    tl = b.trustline(b.account_id(), b.pool_share_asset(b"\2" * 32), 5, 100, flags=0)
    tl2 = tl.copy()
    tl2.data.trustLine.balance = 50
    assert check(b.modified([(tl2, tl)]), []) == ""
