"""EventsAreConsistentWithEntryDiffs (stellar-core
invariant/EventsAreConsistentWithEntryDiffs.cpp, new in v23).

Why: from protocol 23, classic operations emit CAP-67 SAC-style events
(transfer / mint / burn / clawback / set_authorized) so that balance
changes can be followed from events alone. This invariant sums the
operation's events per (address, asset) and requires every balance change
in the delta (accounts, trustlines, claimable balances, pool reserves,
SAC balance entries) to equal its event sum, every event sum to be
consumed, and every trustline authorization change to be announced by a
set_authorized event (and any such event to match the final state).
It is the one *strict* operation invariant: it throws even in production.

stellar-core only runs it with EMIT_CLASSIC_EVENTS (and backfill) on; here
it runs only when the caller passes `events` (a list of ContractEvent, the
operation's events without fee events). SAC events are recognised by
recomputing the asset contract ID from the SEP-0011 asset string with the
network ID; without a network ID the asset string is trusted as is.
The protocol-23 hot-archive reconciliation exemption (P23HotArchiveBug) is
not reproduced (it concerns 24 historical Soroban events).
"""
from __future__ import annotations

from typing import Optional

from stellarcore import xdr
from stellarcore.invariant.base import AT, T, OperationContext
from stellarcore.invariant.sac import asset_from_event, i128_value

NAME = "EventsAreConsistentWithEntryDiffs"
STRICT = True

_V = xdr.SCValType
_A = xdr.SCAddressType
I128_MIN = -(1 << 127)
I128_MAX = (1 << 127) - 1
_AUTHORIZED = xdr.TrustLineFlags.AUTHORIZED_FLAG


class _BadEvents(Exception):
    pass


def _address_of_topic(val) -> "xdr.SCAddress":
    if val.type != _V.SCV_ADDRESS:
        # stellar-core reads topic.address() unchecked: xdrpp throws
        raise RuntimeError("xdr_wrong_union: event topic is not an address")
    return val.address


def amount_from_data(data) -> int:
    """getAmountFromData: an I128, or the I128 under "amount" in a map."""
    if data.type == _V.SCV_I128:
        return i128_value(data.i128)
    if data.type == _V.SCV_MAP and data.map:
        for e in data.map:
            if e.key.type == _V.SCV_SYMBOL and bytes(e.key.sym) == b"amount" and e.val.type == _V.SCV_I128:
                return i128_value(e.val.i128)
    return 0


class _Aggregated:
    def __init__(self):
        self.amounts: dict = {}     # (address xdr, asset xdr) -> int
        self.authorized: dict = {}  # (address xdr, asset xdr) -> bool

    def add(self, addr, asset, amount: int) -> None:
        k = (addr.to_xdr(), asset.to_xdr())
        v = self.amounts.get(k, 0) + amount
        if v > I128_MAX or v < I128_MIN:
            raise _BadEvents()
        self.amounts[k] = v

    def consume(self, addr, asset) -> int:
        return self.amounts.pop((addr.to_xdr(), asset.to_xdr()), 0)


def aggregate(events, network_id, sac_ids: dict) -> Optional[_Aggregated]:
    """aggregateEventDiffs: None when the events are malformed."""
    res = _Aggregated()
    try:
        for ev in events:
            if ev.contractID is None:
                continue
            cid = bytes(ev.contractID)
            topics = ev.body.v0.topics
            asset = sac_ids.get(cid)
            if asset is None:
                asset = asset_from_event(ev, network_id)
                if asset is None:
                    continue
                sac_ids[cid] = asset
            name = topics[0]
            if name.type != _V.SCV_SYMBOL:
                return None
            sym = bytes(name.sym)
            data = ev.body.v0.data
            if sym == b"transfer":
                if len(topics) != 4:
                    return None
                amount = amount_from_data(data)
                if amount < 0:
                    return None
                res.add(_address_of_topic(topics[1]), asset, -amount)
                res.add(_address_of_topic(topics[2]), asset, amount)
            elif sym == b"mint":
                if len(topics) != 3:
                    return None
                amount = amount_from_data(data)
                if amount < 0:
                    return None
                res.add(_address_of_topic(topics[1]), asset, amount)
            elif sym == b"burn" or sym == b"clawback":
                if len(topics) != 3:
                    return None
                amount = amount_from_data(data)
                if amount < 0:
                    return None
                res.add(_address_of_topic(topics[1]), asset, -amount)
            elif sym == b"set_authorized":
                if len(topics) != 3:
                    return None
                addr = _address_of_topic(topics[1])
                if data.type != _V.SCV_BOOL:
                    return None
                res.authorized[(addr.to_xdr(), asset.to_xdr())] = bool(data.b)
    except _BadEvents:
        return None
    return res


def account_address(account_id) -> "xdr.SCAddress":
    return xdr.SCAddress(_A.SC_ADDRESS_TYPE_ACCOUNT, account_id)


def _check_authorization(agg: _Aggregated, owner_addr, asset, prev, cur) -> bool:
    if prev is None or cur is None:
        return True  # created or deleted: auth could not have changed
    cur_auth = bool(cur.data.trustLine.flags & _AUTHORIZED)
    prev_auth = bool(prev.data.trustLine.flags & _AUTHORIZED)
    event_auth = agg.authorized.get((owner_addr.to_xdr(), asset.to_xdr()))
    ok = True
    if event_auth is not None:
        ok = event_auth == cur_auth
    if ok and cur_auth != prev_auth:
        ok = event_auth is not None
    return ok


def _balance_key_address(cd) -> Optional["xdr.SCAddress"]:
    key = cd.key
    if key.type != _V.SCV_VEC or not key.vec or len(key.vec) != 2:
        return None
    a = key.vec[1]
    if a.type != _V.SCV_ADDRESS:
        return None
    return a.address


def _sac_balance(le) -> int:
    if le is None:
        return 0
    cd = le.data.contractData
    key = cd.key
    if key.type != _V.SCV_VEC or not key.vec or len(key.vec) != 2:
        return 0
    name = key.vec[0]
    if name.type != _V.SCV_SYMBOL or bytes(name.sym) != b"Balance":
        return 0
    val = cd.val
    if val.type == _V.SCV_MAP and val.map:
        return amount_from_data(val.map[0].val)
    return 0


def _delta(agg: _Aggregated, sac_ids: dict, prev, cur) -> str:
    e = cur if cur is not None else prev
    t = e.data.type
    if t == T.ACCOUNT:
        diff = (cur.data.account.balance if cur is not None else 0) - \
            (prev.data.account.balance if prev is not None else 0)
        ev = agg.consume(account_address(e.data.account.accountID), xdr.Asset(AT.ASSET_TYPE_NATIVE))
        return "" if diff == ev else "Account diff does not match events"
    if t == T.TRUSTLINE:
        tl = e.data.trustLine
        at = tl.asset.type
        if at == AT.ASSET_TYPE_POOL_SHARE:
            return ""
        if at not in (AT.ASSET_TYPE_CREDIT_ALPHANUM4, AT.ASSET_TYPE_CREDIT_ALPHANUM12):
            return "Invalid asset in trustline"
        asset = xdr.Asset.from_xdr(tl.asset.to_xdr())
        owner = account_address(tl.accountID)
        if not _check_authorization(agg, owner, asset, prev, cur):
            return "trustline authorization and events do not match"
        ev = agg.consume(owner, asset)
        diff = (cur.data.trustLine.balance if cur is not None else 0) - \
            (prev.data.trustLine.balance if prev is not None else 0)
        return "" if diff == ev else "Trustline diff does not match events"
    if t == T.CLAIMABLE_BALANCE:
        cb = e.data.claimableBalance
        addr = xdr.SCAddress(_A.SC_ADDRESS_TYPE_CLAIMABLE_BALANCE, cb.balanceID)
        ev = agg.consume(addr, cb.asset)
        diff = (cur.data.claimableBalance.amount if cur is not None else 0) - \
            (prev.data.claimableBalance.amount if prev is not None else 0)
        return "" if diff == ev else "ClaimableBalance diff does not match events"
    if t == T.LIQUIDITY_POOL:
        cb = cur.data.liquidityPool.body.constantProduct if cur is not None else None
        pb = prev.data.liquidityPool.body.constantProduct if prev is not None else None
        params = (cb if cb is not None else pb).params
        da = (cb.reserveA if cb is not None else 0) - (pb.reserveA if pb is not None else 0)
        db = (cb.reserveB if cb is not None else 0) - (pb.reserveB if pb is not None else 0)
        addr = xdr.SCAddress(_A.SC_ADDRESS_TYPE_LIQUIDITY_POOL, e.data.liquidityPool.liquidityPoolID)
        ea = agg.consume(addr, params.assetA)
        eb = agg.consume(addr, params.assetB)
        return "" if (da == ea and db == eb) else "LiquidityPool diff does not match events"
    if t == T.CONTRACT_DATA:
        cd = e.data.contractData
        if cd.contract.type != _A.SC_ADDRESS_TYPE_CONTRACT:
            return ""
        asset = sac_ids.get(bytes(cd.contract.contractId))
        if asset is None:
            return ""
        addr = _balance_key_address(cd)
        ev = agg.consume(addr, asset) if addr is not None else 0
        diff = _sac_balance(cur) - _sac_balance(prev)
        return "" if diff == ev else "ContractData diff does not match events"
    return ""


def check(ctx: OperationContext) -> str:
    if ctx.events is None:
        return ""
    sac_ids: dict = {}
    agg = aggregate(ctx.events, ctx.network_id, sac_ids)
    if agg is None:
        return "received invalid events"
    for _k, prev, cur in ctx.entries:
        msg = _delta(agg, sac_ids, prev, cur)
        if msg:
            return msg
    for v in agg.amounts.values():
        if v != 0:
            return "Some event diffs not consumed"
    return ""
