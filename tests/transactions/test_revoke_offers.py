"""Revoking authorization pulls the trustor's offers in that asset
(TransactionUtils removeOffersByAccountAndAsset), from stellar-core's
AllowTrustTests testAuthorizedToMaintainLiabilities ("don't pull orders
until denyTrust") and OfferTests "pull sponsored offers when authorization
is revoked", each with AllowTrust and SetTrustLineFlags.
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from tests.transactions import dexscen as D
from tests.transactions.harness import TestLedger, credit, native

TLF = xdr.TrustLineFlags
AUTH_REQUIRED_REVOCABLE = xdr.AccountFlags.AUTH_REQUIRED_FLAG | xdr.AccountFlags.AUTH_REVOCABLE_FLAG


def set_auth(issuer, trustor, asset, flags: int, flag_op: str):
    """gateway.allowTrust / allowMaintainLiabilities / denyTrust with either op."""
    if flag_op == "allow_trust":
        return D.apply_op(issuer, D.op_allow_trust(trustor, asset, flags))
    all_auth = TLF.AUTHORIZED_FLAG | TLF.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG
    return D.apply_op(issuer, D.op_set_trust_line_flags(trustor, asset, set_flags=flags,
                                                        clear_flags=all_auth & ~flags))


def offers(L, acc) -> list:
    return sorted(o.offerID for o in D.offers_of(L, acc))


@pytest.mark.parametrize("flag_op", ["allow_trust", "set_trust_line_flags"])
@pytest.mark.parametrize("maintain_on_buying", [True, False])
@pytest.mark.parametrize("deny", ["buying", "selling"])
def test_dont_pull_orders_until_deny_trust(flag_op, maintain_on_buying, deny):
    L = TestLedger()
    min4 = L.min_balance(4)
    gw = L.root.create("gw", min4)
    a1 = L.root.create("A1", min4 + 10000)
    D.set_flags(gw, AUTH_REQUIRED_REVOCABLE)
    usd, idr = credit("USD", gw), credit("IDR", gw)
    for a in (usd, idr):
        D.change_trust(a1, a)
        set_auth(gw, a1, a, TLF.AUTHORIZED_FLAG, flag_op)
    D.pay(gw, a1, usd, 20000)
    D.pay(gw, a1, idr, 20000)
    offer_id = D.manage_offer(a1, 0, usd, idr, D.price(1, 1), 1000)
    assert D.selling_liabilities(a1, usd) == 1000 and D.buying_liabilities(a1, idr) == 1000
    sub_entries = a1.num_sub_entries

    # allowMaintainLiabilities changes nothing on the book
    set_auth(gw, a1, idr if maintain_on_buying else usd, TLF.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG, flag_op)
    assert offers(L, a1) == [offer_id]

    set_auth(gw, a1, idr if deny == "buying" else usd, 0, flag_op)
    assert offers(L, a1) == []
    assert D.selling_liabilities(a1, usd) == 0 and D.buying_liabilities(a1, idr) == 0
    assert a1.num_sub_entries == sub_entries - 1


def _num_sponsoring(acc) -> int:
    ext = acc.entry().data.account.ext
    return ext.v1.ext.v2.numSponsoring if ext.v == 1 and ext.v1.ext.v == 2 else 0


def _num_sponsored(acc) -> int:
    ext = acc.entry().data.account.ext
    return ext.v1.ext.v2.numSponsored if ext.v == 1 and ext.v1.ext.v == 2 else 0


@pytest.mark.parametrize("flag_op", ["allow_trust", "set_trust_line_flags"])
@pytest.mark.parametrize("sponsor_is_issuer", [True, False])
def test_pull_sponsored_offers_when_authorization_is_revoked(flag_op, sponsor_is_issuer):
    L = TestLedger()
    min2 = L.min_balance(2) + 20 * L.header.baseFee   # OfferTests minBalance2
    issuer = L.root.create("issuer", L.min_balance(10))
    sponsor = issuer if sponsor_is_issuer else L.root.create("sponsor", L.min_balance(10))
    acc1 = L.root.create("a2", min2)
    D.set_flags(issuer, AUTH_REQUIRED_REVOCABLE)
    usd, idr, xlm = credit("USD", issuer), credit("IDR", issuer), native()
    D.change_trust(acc1, usd)
    D.change_trust(acc1, idr)
    set_auth(issuer, acc1, usd, TLF.AUTHORIZED_FLAG, flag_op)
    set_auth(issuer, acc1, idr, TLF.AUTHORIZED_FLAG, flag_op)
    D.pay(issuer, acc1, usd, 10000)
    D.pay(issuer, acc1, idr, 10000)

    first = D.id_pool(L) + 1
    D.apply_ops(acc1, [D.op_begin_sponsoring(acc1, source=sponsor),
                       D.op_manage_sell_offer(0, usd, xlm, D.price(1, 1), 100),
                       D.op_manage_sell_offer(0, xlm, usd, D.price(2, 1), 100),
                       D.op_manage_sell_offer(0, idr, xlm, D.price(1, 1), 100),
                       D.op_end_sponsoring()], signers=[acc1, sponsor])
    assert offers(L, acc1) == [first, first + 1, first + 2]
    # checkSponsorship(acc1: 5 sub-entries, 0 sponsoring, 3 sponsored); sponsor sponsors 3
    assert (acc1.num_sub_entries, _num_sponsoring(acc1), _num_sponsored(acc1)) == (5, 0, 3)
    assert _num_sponsoring(sponsor) == 3

    set_auth(issuer, acc1, usd, 0, flag_op)     # the two USD offers are pulled

    assert offers(L, acc1) == [first + 2]
    assert (acc1.num_sub_entries, _num_sponsoring(acc1), _num_sponsored(acc1)) == (3, 0, 1)
    assert _num_sponsoring(sponsor) == 1
