"""Clawback, against stellar-core's ClawbackTests.cpp ("clawback", from V17):
basic clawback, liabilities limit what can go (UNDERFUNDED), unauthorized
lines can be clawed back, validity table (self, amount, asset, issuer),
NO_TRUST / NOT_CLAWBACK_ENABLED, and the clawback event (EventManager.cpp
newClawbackEvent: topics clawback, from (muxed info dropped), asset; i128 data).
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.transactions import events as E
from tests.transactions.harness import credit, muxed, native
from tests.transactions.test_change_trust import (AF, AUTHORIZED, MAINTAIN, TL_CLAWBACK, allow_trust, change_trust,
                                                  clawback, fails, ok, put_offer, set_account_flags, trustline,
                                                  world)
from tests.transactions.test_set_trust_line_flags import _invalid_assets

C = xdr.ClawbackResultCode


def setup():
    L, a1, gw = world((("A1", 3), ("gw", 3)))
    idr = credit("IDR", gw)
    set_account_flags(L, gw, AF.AUTH_CLAWBACK_ENABLED_FLAG | AF.AUTH_REVOCABLE_FLAG)
    ok(a1.apply([change_trust(idr, 1000)]))
    ok(gw.pay(a1, 100, idr))
    return L, a1, gw, idr


def test_allow_trust_cannot_set_clawback():
    L, a1, gw, idr = setup()
    fails(gw.apply([allow_trust(a1, idr, TL_CLAWBACK)]), xdr.AllowTrustResultCode.ALLOW_TRUST_MALFORMED)
    ok(gw.apply([allow_trust(a1, idr, 0)]))


def test_basic():
    L, a1, gw, idr = setup()
    assert trustline(a1, idr).flags == AUTHORIZED | TL_CLAWBACK
    r = ok(gw.apply([clawback(a1, idr, 75)]))
    assert trustline(a1, idr).balance == 25
    ev = r.meta.v4.operations[0].events
    assert len(ev) == 1
    assert ev[0].body.v0.topics == [E.symbol("clawback"), E.address_val(E.account_address(a1.id)),
                                    E.sep11_asset_string(idr)]
    assert ev[0].body.v0.data == E.i128(75)


def test_muxed_from_drops_mux_id_in_event():
    L, a1, gw, idr = setup()
    r = ok(gw.apply([clawback(muxed(a1, 7), idr, 10)]))
    assert r.meta.v4.operations[0].events[0].body.v0.topics[1] == E.address_val(E.account_address(a1.id))
    assert trustline(a1, idr).balance == 90


def test_clawback_after_removing_liabilities():
    L, a1, gw, idr = setup()
    set_account_flags(L, gw, AF.AUTH_REQUIRED_FLAG)
    put_offer(L, a1, 1, idr, native(), 26)  # manageOffer(idr -> native, 26)
    fails(gw.apply([clawback(a1, idr, 75)]), C.CLAWBACK_UNDERFUNDED)
    assert trustline(a1, idr).balance == 100


@pytest.mark.parametrize("auth", [0, MAINTAIN])
def test_clawback_from_deauthorized_line(auth):
    L, a1, gw, idr = setup()
    set_account_flags(L, gw, AF.AUTH_REQUIRED_FLAG)
    ok(gw.apply([allow_trust(a1, idr, auth)]))
    ok(gw.apply([clawback(a1, idr, 75)]))
    assert trustline(a1, idr).balance == 25


def test_validity():
    L, a1, gw, idr = setup()
    for op in [clawback(gw, idr, 75), clawback(a1, idr, 0), clawback(a1, idr, -1), clawback(a1, native(), 75)]:
        fails(gw.apply([op]), C.CLAWBACK_MALFORMED)
    for bad in _invalid_assets(gw):
        fails(gw.apply([clawback(a1, bad, 75)]), C.CLAWBACK_MALFORMED)
    fails(a1.apply([clawback(gw, idr, 75)]), C.CLAWBACK_MALFORMED)


def test_muxed_self_passes_validation_then_no_trust():
    """`from` is compared as a MuxedAccount: a muxed self-address is not
    MALFORMED; the issuer has no line, so NO_TRUST."""
    L, a1, gw, idr = setup()
    fails(gw.apply([clawback(muxed(gw, 1), idr, 75)]), C.CLAWBACK_NO_TRUST)


def test_no_trust():
    L, a1, gw, idr = setup()
    fails(gw.apply([clawback(L.root, idr, 75)]), C.CLAWBACK_NO_TRUST)


def test_not_clawback_enabled():
    L, a1, gw, idr = setup()
    set_account_flags(L, gw, clear_flags=AF.AUTH_CLAWBACK_ENABLED_FLAG)
    ok(L.root.apply([change_trust(idr, 100)]))
    ok(gw.pay(L.root, 100, idr))
    fails(gw.apply([clawback(L.root, idr, 75)]), C.CLAWBACK_NOT_CLAWBACK_ENABLED)
    assert trustline(L.root, idr).balance == 100


def test_underfunded():
    L, a1, gw, idr = setup()
    fails(gw.apply([clawback(a1, idr, 101)]), C.CLAWBACK_UNDERFUNDED)
    put_offer(L, a1, 1, idr, native(), 26)
    fails(gw.apply([clawback(a1, idr, 75)]), C.CLAWBACK_UNDERFUNDED)
    assert trustline(a1, idr).balance == 100
    ok(gw.apply([clawback(a1, idr, 74)]))
    assert trustline(a1, idr).balance == 26
