"""Property tests: a small ledger model applies random *valid* classic
effects (native and credit payments, mints, trustlines, data entries,
signers, offers with liabilities, sponsored entries, native claimable
balances) the way stellar-core's operations shape them, each as one
operation delta with its CAP-67 events. Every delta must satisfy every
invariant; then random corruptions of a delta must be caught by the
invariant stellar-core names for them.

The rules used to build valid deltas are stellar-core's (reserves from
getMinBalance, liabilities from the offer, multipliers from
computeMultiplier); the model is test code, separate from the invariants.
"""
from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stellarcore import xdr
from stellarcore.crypto import ids, strkey
from stellarcore.invariant import InvariantDoesNotHold, check_operation_apply, manager
from stellarcore.invariant.base import OperationContext
from stellarcore.invariant.offer_liabilities import offer_liabilities
from stellarcore.ledger import balances as B
from tests.invariant import builders as b

NETWORK_ID = hashlib.sha256(b"invariant property tests").digest()
SEQ = 7
A = xdr.SCAddressType
AUTH = xdr.TrustLineFlags.AUTHORIZED_FLAG


# -- CAP-67 event shapes (EventManager.cpp) ---------------------------------
def _sep11(asset):
    if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE:
        return xdr.SCVal(str=b"native")
    a = asset.xdr_value()
    return xdr.SCVal(str=bytes(a.assetCode).rstrip(b"\0") + b":" + strkey.encode("G", a.issuer.ed25519).encode())


def _i128(v):
    return xdr.SCVal(i128=xdr.Int128Parts(hi=0, lo=v))


def _ev(asset, name, *addrs, amount):
    return xdr.ContractEvent(
        ext=xdr.ExtensionPoint(0), contractID=bytes(ids.contract_id_from_asset(NETWORK_ID, asset)),
        type=xdr.ContractEventType.CONTRACT,
        body=xdr.ContractEventBody(0, xdr.ContractEventV0(
            topics=[xdr.SCVal(sym=name.encode()), *[xdr.SCVal(address=a) for a in addrs], _sep11(asset)],
            data=_i128(amount))))


def _acc_addr(aid):
    return xdr.SCAddress(A.SC_ADDRESS_TYPE_ACCOUNT, aid)


class Model:
    """A ledger and the delta of the operation being built."""

    def __init__(self, n_accounts: int):
        self.header = b.header(seq=SEQ)
        self.state: dict = {}
        self.issuer = b.account_id("prop-issuer")
        self.usd = b.credit("USD", self.issuer)
        self.ids = [b.account_id(("prop", i)) for i in range(n_accounts)]
        for n, aid in enumerate([self.issuer] + self.ids):
            signers = b.sorted_signers([("s", n, 1), ("s", n, 2)]) if n == 4 else []
            le = b.account(aid, balance=1000 * b.BASE_RESERVE, seq=SEQ, signers=signers,
                           signer_sponsors=[None] * len(signers))
            self.state[b.key_of(le)] = le
            if n in (1, 2):  # two holders of USD to start with
                tl = b.trustline(aid, self.usd, 10**9, 10**14, flags=AUTH, seq=SEQ)
                self.state[b.key_of(tl)] = tl
                le.data.account.numSubEntries += 1
            le.data.account.numSubEntries += len(signers)
        self.changes: dict = {}
        self.events: list = []
        self.cbs: list = []

    # -- LedgerTxn-like recording
    def begin(self):
        self.changes, self.events = {}, []

    def get(self, key):
        if key in self.changes:
            return self.changes[key][1]
        return self.state.get(key)

    def load(self, key):
        if key in self.changes:
            return self.changes[key][1]
        prev = self.state[key]
        cur = prev.copy()
        self.changes[key] = (prev, cur)
        return cur

    def create(self, le):
        self.changes[b.key_of(le)] = (None, le)

    def erase(self, key):
        prev, _cur = self.changes.get(key, (self.state[key], None))
        if prev is None:
            del self.changes[key]
        else:
            self.changes[key] = (prev, None)

    def finish(self):
        delta = []
        for k, (prev, cur) in self.changes.items():
            if cur is not None:
                cur.lastModifiedLedgerSeq = SEQ
            delta.append((k, prev, cur))
        for k, (prev, cur) in self.changes.items():
            if cur is None:
                self.state.pop(k, None)
            else:
                self.state[k] = cur.copy()
        events = self.events
        self.changes, self.events = {}, []
        return delta, events

    # -- helpers
    def account(self, aid):
        return self.load(_akey(aid))

    def available(self, aid) -> int:
        le = self.get(_akey(aid))
        return B.available_balance(self.header, le)

    def trustline_key(self, aid):
        return b.key_of(b.trustline(aid, self.usd))

    # -- operations -------------------------------------------------------
    def pay_native(self, i, j, frac):
        src, dst = self.ids[i], self.ids[j]
        if src == dst:
            return False
        amount = self.available(src) * frac // 100
        if amount <= 0:
            return False
        self.account(src).data.account.balance -= amount
        self.account(dst).data.account.balance += amount
        self.events.append(_ev(b.NATIVE, "transfer", _acc_addr(src), _acc_addr(dst), amount=amount))
        return True

    def _tl_room(self, tl):
        t = tl.data.trustLine
        buying, _selling = B.trustline_liabilities(t)
        return t.limit - t.balance - buying

    def mint(self, i, frac):
        aid = self.ids[i]
        key = self.trustline_key(aid)
        if self.get(key) is None:
            return False
        amount = self._tl_room(self.get(key)) * frac // 100
        if amount <= 0:
            return False
        self.load(key).data.trustLine.balance += amount
        self.events.append(_ev(self.usd, "mint", _acc_addr(aid), amount=amount))
        return True

    def pay_credit(self, i, j, frac):
        src, dst = self.ids[i], self.ids[j]
        ks, kd = self.trustline_key(src), self.trustline_key(dst)
        if src == dst or self.get(ks) is None or self.get(kd) is None:
            return False
        s = self.get(ks).data.trustLine
        amount = min(s.balance - B.trustline_liabilities(s)[1], self._tl_room(self.get(kd))) * frac // 100
        if amount <= 0:
            return False
        self.load(ks).data.trustLine.balance -= amount
        self.load(kd).data.trustLine.balance += amount
        self.events.append(_ev(self.usd, "transfer", _acc_addr(src), _acc_addr(dst), amount=amount))
        return True

    def _can_add_subentries(self, aid, n=1) -> bool:
        return self.available(aid) >= n * self.header.baseReserve

    def change_trust(self, i, limit):
        aid = self.ids[i]
        key = self.trustline_key(aid)
        tl = self.get(key)
        if tl is None:
            if not self._can_add_subentries(aid):
                return False
            self.account(aid).data.account.numSubEntries += 1
            self.create(b.trustline(aid, self.usd, 0, limit, flags=AUTH, seq=SEQ))
            return True
        t = tl.data.trustLine
        if t.balance != 0 or B.trustline_liabilities(t) != (0, 0):
            return False
        self.account(aid).data.account.numSubEntries -= 1
        self.erase(key)
        return True

    def manage_data(self, i, name_n, sponsor_j=None):
        aid = self.ids[i]
        le = b.data(aid, name=f"k{name_n}".encode(), seq=SEQ)
        key = b.key_of(le)
        existing = self.get(key)
        acc = self.account(aid).data.account
        if existing is None:
            sponsor = self.ids[sponsor_j] if sponsor_j is not None and self.ids[sponsor_j] != aid else None
            if sponsor is not None:
                if not self._can_add_subentries(sponsor):
                    return False
                B.prepare_ledger_entry_ext_v1(le).sponsoringID = sponsor
                self.account(sponsor).data.account.ext.v1.ext.v2.numSponsoring += 1
                acc.ext.v1.ext.v2.numSponsored += 1
            elif not self._can_add_subentries(aid):
                return False
            acc.numSubEntries += 1
            self.create(le)
        else:
            sponsor = B.entry_sponsor(existing)
            if sponsor is not None:
                self.account(sponsor).data.account.ext.v1.ext.v2.numSponsoring -= 1
                acc.ext.v1.ext.v2.numSponsored -= 1
            acc.numSubEntries -= 1
            self.erase(key)
        return True

    def set_signer(self, i, seed, weight):
        aid = self.ids[i]
        acc = self.account(aid).data.account
        s = b.signer(seed % 7, weight)
        keys = [x.key.to_xdr() for x in acc.signers]
        k = s.key.to_xdr()
        sponsors = acc.ext.v1.ext.v2.signerSponsoringIDs
        if k in keys:  # present: remove it (SetOptions with weight 0)
            n = keys.index(k)
            del acc.signers[n]
            del sponsors[n]
            acc.numSubEntries -= 1
            return True
        if len(acc.signers) >= 20 or not self._can_add_subentries(aid):
            return False
        n = sum(1 for x in keys if x < k)
        acc.signers.insert(n, s)
        sponsors.insert(n, None)
        acc.numSubEntries += 1
        return True

    def offer(self, i, frac, n, d):
        """ManageSellOffer selling native for USD without crossing: the
        offer's liabilities go onto the account (selling) and trustline
        (buying)."""
        aid = self.ids[i]
        tkey = self.trustline_key(aid)
        if self.get(tkey) is None:
            return False
        acc_le = self.get(_akey(aid))
        room = B.available_balance(self.header, acc_le) - self.header.baseReserve
        amount = room * frac // 100
        if amount <= 0:
            return False
        le = b.offer(aid, b.NATIVE, self.usd, amount, (n, d), seq=SEQ)
        buying, selling = offer_liabilities(le.data.offer)
        if buying > self._tl_room(self.get(tkey)) or buying == 0:
            return False
        acc = self.account(aid)
        acc.data.account.numSubEntries += 1
        B.prepare_account_ext_v1(acc.data.account).liabilities.selling += selling
        B.prepare_trustline_ext_v1(self.load(tkey).data.trustLine).liabilities.buying += buying
        self.create(le)
        return True

    def delete_offer(self, i):
        aid = self.ids[i]
        for k, le in list(self.state.items()):
            if le.data.type == xdr.LedgerEntryType.OFFER and le.data.offer.sellerID == aid:
                buying, selling = offer_liabilities(le.data.offer)
                acc = self.account(aid)
                acc.data.account.numSubEntries -= 1
                acc.data.account.ext.v1.liabilities.selling -= selling
                self.load(self.trustline_key(aid)).data.trustLine.ext.v1.liabilities.buying -= buying
                self.erase(k)
                return True
        return False

    def create_cb(self, i, frac, n_claimants):
        aid = self.ids[i]
        if not self._can_add_subentries(aid, n_claimants):
            return False
        amount = (self.available(aid) - n_claimants * self.header.baseReserve) * frac // 100
        if amount <= 0:
            return False
        dests = [self.ids[(i + k + 1) % len(self.ids)] for k in range(n_claimants)]
        cb = b.claimable_balance(b.NATIVE, amount, [b.claimant(x) for x in dests], sponsor=aid, seq=SEQ)
        acc = self.account(aid).data.account
        acc.balance -= amount
        acc.ext.v1.ext.v2.numSponsoring += n_claimants
        self.create(cb)
        bid = cb.data.claimableBalance.balanceID
        self.events.append(_ev(b.NATIVE, "transfer", _acc_addr(aid),
                               xdr.SCAddress(A.SC_ADDRESS_TYPE_CLAIMABLE_BALANCE, bid), amount=amount))
        return True

    def claim_cb(self, pick):
        cbs = [(k, le) for k, le in self.state.items() if le.data.type == xdr.LedgerEntryType.CLAIMABLE_BALANCE]
        if not cbs:
            return False
        k, le = cbs[pick % len(cbs)]
        cbe = le.data.claimableBalance
        dest = cbe.claimants[0].v0.destination
        sponsor = le.ext.v1.sponsoringID
        self.account(sponsor).data.account.ext.v1.ext.v2.numSponsoring -= len(cbe.claimants)
        self.account(dest).data.account.balance += cbe.amount
        self.erase(k)
        self.events.append(_ev(b.NATIVE, "transfer", xdr.SCAddress(A.SC_ADDRESS_TYPE_CLAIMABLE_BALANCE, cbe.balanceID),
                               _acc_addr(dest), amount=cbe.amount))
        return True


def _akey(aid):
    return b.key_of(b.account(aid))


OPS = ["pay_native", "mint", "pay_credit", "change_trust", "manage_data", "sponsored_data", "set_signer",
       "offer", "delete_offer", "create_cb", "claim_cb"]


def _apply(model: Model, op, p):
    n = len(model.ids)
    i, j = p[0] % n, p[1] % n
    frac = 1 + p[2] % 100
    if op == "pay_native":
        return model.pay_native(i, j, frac)
    if op == "mint":
        return model.mint(i, frac)
    if op == "pay_credit":
        return model.pay_credit(i, j, frac)
    if op == "change_trust":
        return model.change_trust(i, 10**14 + p[3])
    if op == "manage_data":
        return model.manage_data(i, p[3] % 3)
    if op == "sponsored_data":
        return model.manage_data(i, 3 + p[3] % 3, sponsor_j=j)
    if op == "set_signer":
        return model.set_signer(i, p[3], 1 + p[2] % 255)
    if op == "offer":
        return model.offer(i, frac, 1 + p[3] % 9, 1 + p[1] % 9)
    if op == "delete_offer":
        return model.delete_offer(i)
    if op == "create_cb":
        return model.create_cb(i, frac, 1 + p[3] % 2)
    if op == "claim_cb":
        return model.claim_cb(p[3])
    raise ValueError(op)


op_strategy = st.tuples(st.sampled_from(OPS), st.tuples(*[st.integers(0, 10**6)] * 4))
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run_history(ops):
    model = Model(4)
    deltas = []
    for op, p in ops:
        model.begin()
        if not _apply(model, op, p):
            model.changes, model.events = {}, []
            continue
        delta, events = model.finish()
        check_operation_apply(model.header, model.header, delta, events, network_id=NETWORK_ID)
        deltas.append((op, delta, events))
    return model, deltas


@SETTINGS
@given(st.lists(op_strategy, min_size=1, max_size=25))
def test_valid_effects_satisfy_every_invariant(ops):
    _run_history(ops)


def _fails(name, delta, events, hb=None, ha=None) -> bool:
    h = b.header(seq=SEQ)
    ctx = OperationContext.build(hb or h, ha or h, delta, events, None, None, NETWORK_ID)
    fn = dict((n, f) for n, _s, f in manager.ALL)[name]
    return fn(ctx) != ""


def _copy_delta(delta):
    return [(k, None if p is None else p.copy(), None if c is None else c.copy()) for k, p, c in delta]


CORRUPTIONS = ["balance", "subentries", "last_modified", "sponsoring", "liabilities", "tl_over_limit",
               "total_coins", "fee_pool", "drop_event", "event_amount", "drop_subentry_row", "unsort_signers"]


def _corrupt(kind, delta, events, rnd):
    """Apply corruption `kind` to a copy; returns (delta, events, headers,
    invariant expected to fail) or None when not applicable."""
    delta = _copy_delta(delta)
    events = list(events)
    hb = ha = None
    cur_accounts = [c for _k, _p, c in delta if c is not None and c.data.type == xdr.LedgerEntryType.ACCOUNT]
    cur_tls = [c for _k, _p, c in delta if c is not None and c.data.type == xdr.LedgerEntryType.TRUSTLINE]
    cur_any = [c for _k, _p, c in delta if c is not None]
    pick = lambda xs: xs[rnd % len(xs)]  # noqa: E731
    if kind == "balance" and cur_accounts:
        pick(cur_accounts).data.account.balance += 1 + rnd % 1000
        return delta, events, hb, ha, "ConservationOfLumens"
    if kind == "subentries" and cur_accounts:
        pick(cur_accounts).data.account.numSubEntries += 1
        return delta, events, hb, ha, "AccountSubEntriesCountIsValid"
    if kind == "last_modified" and cur_any:
        pick(cur_any).lastModifiedLedgerSeq -= 1
        return delta, events, hb, ha, "LedgerEntryIsValid"
    if kind == "sponsoring" and cur_accounts:
        B.prepare_account_ext_v2(pick(cur_accounts).data.account).numSponsoring += 1
        return delta, events, hb, ha, "SponsorshipCountIsValid"
    if kind == "liabilities" and cur_accounts:
        B.prepare_account_ext_v1(pick(cur_accounts).data.account).liabilities.selling += 1
        return delta, events, hb, ha, "LiabilitiesMatchOffers"
    if kind == "tl_over_limit" and cur_tls:
        t = pick(cur_tls).data.trustLine
        t.balance = t.limit + 1
        return delta, events, hb, ha, "LedgerEntryIsValid"
    if kind == "total_coins":
        hb, ha = b.header(seq=SEQ), b.header(seq=SEQ)
        ha.totalCoins += 1 + rnd % 10
        return delta, events, hb, ha, "ConservationOfLumens"
    if kind == "fee_pool":
        hb, ha = b.header(seq=SEQ), b.header(seq=SEQ)
        ha.feePool -= 1 + rnd % 10
        return delta, events, hb, ha, "ConservationOfLumens"
    if kind == "drop_event" and events:
        del events[rnd % len(events)]
        return delta, events, hb, ha, "EventsAreConsistentWithEntryDiffs"
    if kind == "event_amount" and events:
        i = rnd % len(events)
        ev = events[i].copy()
        ev.body.v0.data = _i128(ev.body.v0.data.i128.lo + 1)
        events[i] = ev
        return delta, events, hb, ha, "EventsAreConsistentWithEntryDiffs"
    if kind == "drop_subentry_row":
        rows = [r for r in delta if (r[2] is None) != (r[1] is None) and (r[2] or r[1]).data.type in (
            xdr.LedgerEntryType.TRUSTLINE, xdr.LedgerEntryType.OFFER, xdr.LedgerEntryType.DATA)]
        if rows:
            delta.remove(pick(rows))
            return delta, events, hb, ha, "AccountSubEntriesCountIsValid"
    if kind == "unsort_signers":
        multi = [a for a in cur_accounts if len(a.data.account.signers) >= 2]
        if multi:
            pick(multi).data.account.signers.reverse()
            return delta, events, hb, ha, "LedgerEntryIsValid"
    return None


@SETTINGS
@given(st.lists(op_strategy, min_size=1, max_size=20), st.sampled_from(CORRUPTIONS), st.integers(0, 10**6),
       st.integers(0, 10**6))
def test_corruptions_are_caught(ops, kind, which, rnd):
    _model, deltas = _run_history(ops)
    if not deltas:
        return
    _op, delta, events = deltas[which % len(deltas)]
    out = _corrupt(kind, delta, events, rnd)
    if out is None:
        return
    delta2, events2, hb, ha, expected = out
    assert _fails(expected, delta2, events2, hb, ha), (kind, expected)
    # and the manager (all invariants) refuses it
    h = b.header(seq=SEQ)
    try:
        check_operation_apply(hb or h, ha or h, delta2, events2, network_id=NETWORK_ID)
    except InvariantDoesNotHold:
        pass
    else:
        raise AssertionError(f"corruption {kind} not caught")
