"""AllowTrust and SetTrustLineFlags as trust toggles, against stellar-core's
AllowTrustTests.cpp ("authorized to maintain liabilities", "allow trust"),
run like stellar-core for both variants: V=0 AllowTrust, V=1
SetTrustLineFlags (allowTrust = set AUTHORIZED clear MAINTAIN, denyTrust =
clear both, allowMaintainLiabilities = set MAINTAIN clear AUTHORIZED).
Protocol 16+ semantics: no TRUST_NOT_REQUIRED, self-trust is MALFORMED.
The set_authorized event is checked against EventManager.cpp's shape.
"""
from __future__ import annotations

import pytest

from stellarcore import xdr
from stellarcore.transactions import events as E
from tests.transactions.harness import NETWORK_ID, credit
from tests.transactions.test_change_trust import (AF, AUTHORIZED, INT64_MAX, MAINTAIN, TL_CLAWBACK, allow_op,
                                                  allow_trust, change_trust, clawback, deny_op, fails, maintain_op,
                                                  ok, set_account_flags, trustline, world)

AT_C = xdr.AllowTrustResultCode
ST_C = xdr.SetTrustLineFlagsResultCode
PAY = xdr.PaymentResultCode
VARIANTS = [0, 1]
START = 20000


def code(v, name):
    """ex_ALLOW_TRUST_<name> or ex_SET_TRUST_LINE_FLAGS_<name>."""
    return getattr(AT_C, "ALLOW_TRUST_" + name) if v == 0 else getattr(ST_C, "SET_TRUST_LINE_FLAGS_" + name)


def setup():
    L, gw, a1, a2 = world((("gw", 4), ("A1", 4), ("A2", 4)))
    return L, gw, a1, a2, credit("IDR", gw)


# -- "allow trust" -----------------------------------------------------------------
@pytest.mark.parametrize("v", VARIANTS)
def test_allow_trust_not_required(v):
    L, gw, a1, a2, idr = setup()
    fails(gw.apply([allow_op(v, a1, idr)]), code(v, "NO_TRUST_LINE"))
    fails(gw.apply([deny_op(v, a1, idr)]), code(v, "CANT_REVOKE"))


@pytest.mark.parametrize("v", VARIANTS)
def test_authorize_when_auth_required_not_set(v):
    L, gw, a1, a2, idr = setup()
    set_account_flags(L, gw, AF.AUTH_REQUIRED_FLAG)
    ok(a1.apply([change_trust(idr, INT64_MAX)]))
    set_account_flags(L, gw, clear_flags=AF.AUTH_REQUIRED_FLAG)
    assert trustline(a1, idr).flags == 0
    ok(gw.apply([allow_op(v, a1, idr)]))
    assert trustline(a1, idr).flags == AUTHORIZED
    ok(gw.pay(a1, 1, idr))


@pytest.mark.parametrize("v", VARIANTS)
def test_revoke_when_auth_required_not_set(v):
    L, gw, a1, a2, idr = setup()
    ok(a1.apply([change_trust(idr, INT64_MAX)]))
    set_account_flags(L, gw, AF.AUTH_REVOCABLE_FLAG)
    ok(gw.apply([deny_op(v, a1, idr)]))
    assert trustline(a1, idr).flags == 0


@pytest.mark.parametrize("v", VARIANTS)
@pytest.mark.parametrize("revocable, deny_code", [(False, "CANT_REVOKE"), (True, "NO_TRUST_LINE")])
def test_allow_trust_without_trustline(v, revocable, deny_code):
    L, gw, a1, a2, idr = setup()
    set_account_flags(L, gw, AF.AUTH_REQUIRED_FLAG | (AF.AUTH_REVOCABLE_FLAG if revocable else 0))
    fails(gw.apply([allow_op(v, a1, idr)]), code(v, "NO_TRUST_LINE"))
    fails(gw.apply([deny_op(v, a1, idr)]), code(v, deny_code))


@pytest.mark.parametrize("v", VARIANTS)
def test_allow_trust_not_required_with_payment(v):
    L, gw, a1, a2, idr = setup()
    ok(a1.apply([change_trust(idr, INT64_MAX)]))
    ok(gw.pay(a1, START, idr))
    ok(a1.pay(gw, START, idr))


def _required(v):
    L, gw, a1, a2, idr = setup()
    set_account_flags(L, gw, AF.AUTH_REQUIRED_FLAG)
    ok(a1.apply([change_trust(idr, INT64_MAX)]))
    fails(gw.pay(a1, START, idr), PAY.PAYMENT_NOT_AUTHORIZED)
    ok(gw.apply([allow_op(v, a1, idr)]))
    ok(gw.pay(a1, START, idr))
    return L, gw, a1, idr


def test_allow_trust_invalid_authorization_flag():
    L, gw, a1, idr = _required(0)
    for flag in (MAINTAIN + 1, TL_CLAWBACK, AUTHORIZED | MAINTAIN):
        fails(gw.apply([allow_trust(a1, idr, flag)]), AT_C.ALLOW_TRUST_MALFORMED)


@pytest.mark.parametrize("v", VARIANTS)
def test_allow_trust_required_not_revocable(v):
    L, gw, a1, idr = _required(v)
    fails(gw.apply([deny_op(v, a1, idr)]), code(v, "CANT_REVOKE"))
    ok(a1.pay(gw, START, idr))
    fails(gw.apply([deny_op(v, a1, idr)]), code(v, "CANT_REVOKE"))


@pytest.mark.parametrize("v", VARIANTS)
def test_allow_trust_required_revocable(v):
    L, gw, a1, idr = _required(v)
    set_account_flags(L, gw, AF.AUTH_REVOCABLE_FLAG)
    r = ok(gw.apply([deny_op(v, a1, idr)]))
    assert trustline(a1, idr).flags == 0
    fails(a1.pay(gw, START, idr), PAY.PAYMENT_SRC_NOT_AUTHORIZED)
    ok(gw.apply([allow_op(v, a1, idr)]))
    ok(a1.pay(gw, START, idr))
    # the revocation's only event: set_authorized(a1, IDR:gw, false)
    ev = r.meta.v4.operations[0].events
    assert len(ev) == 1
    topics = ev[0].body.v0.topics
    assert topics == [E.symbol("set_authorized"), E.address_val(E.account_address(a1.id)),
                      E.sep11_asset_string(idr)]
    assert ev[0].body.v0.data == xdr.SCVal(xdr.SCValType.SCV_BOOL, False)
    assert ev[0].contractID == E.asset_contract_id(NETWORK_ID, idr)


@pytest.mark.parametrize("v", VARIANTS)
def test_self_allow_trust_is_malformed(v):
    for flags in (0, AF.AUTH_REQUIRED_FLAG, AF.AUTH_REQUIRED_FLAG | AF.AUTH_REVOCABLE_FLAG):
        L, gw, a1, a2, idr = setup()
        set_account_flags(L, gw, flags)
        fails(gw.apply([allow_op(v, gw, idr)]), code(v, "MALFORMED"))
        fails(gw.apply([deny_op(v, gw, idr)]), code(v, "MALFORMED"))


@pytest.mark.parametrize("v", VARIANTS)
def test_auth_changes_keep_clawback(v):
    """"trustline auth changes while clawback is enabled"."""
    L, gw, a1, a2, idr = setup()
    set_account_flags(L, gw, AF.AUTH_CLAWBACK_ENABLED_FLAG | AF.AUTH_REVOCABLE_FLAG)
    ok(a1.apply([change_trust(idr, INT64_MAX)]))
    for op, flags in ((maintain_op, MAINTAIN), (deny_op, 0), (allow_op, AUTHORIZED)):
        r = ok(gw.apply([op(v, a1, idr)]))
        assert trustline(a1, idr).flags == flags | TL_CLAWBACK
        assert r.meta.v4.operations[0].events[0].body.v0.data.b == (flags == AUTHORIZED)


@pytest.mark.parametrize("v", VARIANTS)
def test_revoke_with_no_offers_or_pool_shares_records_only_the_line(v):
    """With nothing to remove, a revocation changes only the trustline (the
    issuer is read without being recorded, as stellar-core's rolled-back load)."""
    L, gw, a1, a2, idr = setup()
    set_account_flags(L, gw, AF.AUTH_REVOCABLE_FLAG)
    ok(a1.apply([change_trust(idr, INT64_MAX)]))
    r = ok(gw.apply([deny_op(v, a1, idr)]))
    changes = r.meta.v4.operations[0].changes
    assert [c.type for c in changes] == [xdr.LedgerEntryChangeType.LEDGER_ENTRY_STATE,
                                        xdr.LedgerEntryChangeType.LEDGER_ENTRY_UPDATED]
    assert changes[1].updated.data.type == xdr.LedgerEntryType.TRUSTLINE


# -- "authorized to maintain liabilities" --------------------------------------------
def _maintain_world(v):
    L, gw, a1, a2 = world((("gw", 4), ("A1", 4), ("A2", 4)))
    ok(L.root.pay(a1, 10000))
    set_account_flags(L, gw, AF.AUTH_REQUIRED_FLAG | AF.AUTH_REVOCABLE_FLAG)
    usd, idr = credit("USD", gw), credit("IDR", gw)
    for asset in (usd, idr):
        ok(a1.apply([change_trust(asset, INT64_MAX)]))
        ok(gw.apply([allow_trust(a1, asset, AUTHORIZED)]))
        ok(gw.pay(a1, START, asset))
    return L, gw, a1, a2, idr


@pytest.mark.parametrize("v", VARIANTS)
def test_maintain_liabilities_payments(v):
    L, gw, a1, a2, idr = _maintain_world(v)
    ok(gw.apply([maintain_op(v, a1, idr)]))
    assert trustline(a1, idr).flags == MAINTAIN
    fails(a1.pay(gw, START, idr), PAY.PAYMENT_SRC_NOT_AUTHORIZED)
    ok(a2.apply([change_trust(idr, INT64_MAX)]))
    ok(gw.apply([allow_op(v, a2, idr)]))
    ok(gw.pay(a2, START, idr))
    fails(a2.pay(a1, 1, idr), PAY.PAYMENT_NOT_AUTHORIZED)
    # clawback ignores authorization, but this line is not clawback-enabled
    fails(gw.apply([clawback(a1, idr, 1)]), xdr.ClawbackResultCode.CLAWBACK_NOT_CLAWBACK_ENABLED)


@pytest.mark.parametrize("v", VARIANTS)
def test_auth_transition_authorized_to_maintain_not_revocable(v):
    L, gw, a1, a2, idr = _maintain_world(v)
    issuer = L.root.create("issuer", L.min_balance(4))
    set_account_flags(L, issuer, AF.AUTH_REQUIRED_FLAG)
    iss = credit("iss", issuer)
    a3 = L.root.create("A3", L.min_balance(4))
    ok(a3.apply([change_trust(iss, INT64_MAX)]))
    ok(issuer.apply([allow_op(v, a3, iss)]))
    fails(issuer.apply([maintain_op(v, a3, iss)]), code(v, "CANT_REVOKE"))


@pytest.mark.parametrize("v", VARIANTS)
def test_auth_transition_maintain_to_none_not_revocable(v):
    L, gw, a1, a2, idr = _maintain_world(v)
    issuer = L.root.create("issuer", L.min_balance(4))
    set_account_flags(L, issuer, AF.AUTH_REQUIRED_FLAG)
    iss = credit("iss", issuer)
    a3 = L.root.create("A3", L.min_balance(4))
    ok(a3.apply([change_trust(iss, INT64_MAX)]))
    ok(issuer.apply([allow_trust(a3, iss, MAINTAIN)]))
    assert trustline(a3, iss).flags == MAINTAIN
    fails(issuer.apply([deny_op(v, a3, iss)]), code(v, "CANT_REVOKE"))


def test_allow_trust_asset_is_source_issued():
    """AllowTrust names only the code: the asset is the source's own. A code
    nobody trusts from this source gives NO_TRUST_LINE."""
    L, gw, a1, a2, idr = setup()
    ok(a1.apply([change_trust(idr, INT64_MAX)]))
    fails(a2.apply([allow_trust(a1, idr, AUTHORIZED)]), AT_C.ALLOW_TRUST_NO_TRUST_LINE)
    bad = credit("IDR", gw)
    bad.alphaNum4.assetCode = b"I\0DR"
    fails(gw.apply([allow_trust(a1, bad, AUTHORIZED)]), AT_C.ALLOW_TRUST_MALFORMED)
