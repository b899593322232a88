"""LiabilitiesMatchOffers, after stellar-core src/invariant/test/
LiabilitiesMatchOffersTests.cpp (minimum-balance cases, "Create account
then increase liabilities without changing balance", "Invariant for
liabilities" over every ordered pair of {native, CUR1, CUR2}), plus the
offer-liability arithmetic (exchangeV10 slice) and issuer offers."""
import random

import pytest

from stellarcore import xdr
from stellarcore.invariant.offer_liabilities import offer_liabilities
from stellarcore.ledger.balances import min_balance
from tests.invariant import builders as b

NAME = "LiabilitiesMatchOffers"
INT64_MAX = (1 << 63) - 1
AUTH = xdr.TrustLineFlags.AUTHORIZED_FLAG
MAINTAIN = xdr.TrustLineFlags.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG


def _with_random_balance(rng, le, exceeds_minimum, direction):
    """updateAccountWithRandomBalance."""
    le = le.copy()
    acc = le.data.account
    mb = min_balance(b.header(), acc)
    lo, hi = 0, INT64_MAX
    if direction > 0:
        lo = acc.balance + 1
    elif direction < 0:
        hi = acc.balance - 1
    if exceeds_minimum:
        lo = max(lo, mb)
    else:
        hi = min(hi, mb - 1)
    assert lo <= hi
    acc.balance = rng.randint(lo, hi)
    return le


def _random_account(rng):
    return b.account(balance=0, num_sub_entries=rng.randint(0, 5),
                     **({"num_sponsoring": rng.randint(0, 3)} if rng.random() < 0.5 else {}))


@pytest.mark.parametrize("seed", range(10))
def test_minimum_balance_rules(seed):
    rng = random.Random(seed)
    # Create account above minimum balance
    le = _with_random_balance(rng, _random_account(rng), True, 0)
    assert b.holds(NAME, b.created(le))
    # Create account below minimum balance
    low = _with_random_balance(rng, _random_account(rng), False, 0)
    assert not b.holds(NAME, b.created(low))
    # Create account then decrease balance below minimum
    le2 = _with_random_balance(rng, le, False, 0)
    assert not b.holds(NAME, b.modified([(le2, le)]))
    # Account below minimum balance increases but stays below minimum
    up = _with_random_balance(rng, low, False, 1)
    assert b.holds(NAME, b.modified([(up, low)]))
    # Account below minimum balance decreases
    down = _with_random_balance(rng, low, False, -1)
    assert not b.holds(NAME, b.modified([(down, low)]))


def selling_side(offer_le, excess, authorized):
    """generateSellingLiabilities: the seller's entry for the selling asset
    with selling liabilities = offer amount; `excess` makes the balance one
    short of what they require."""
    oe = offer_le.data.offer
    if oe.selling.type == xdr.AssetType.ASSET_TYPE_NATIVE:
        le = b.account(oe.sellerID, balance=0, liabilities=(0, oe.amount))
        need = min_balance(b.header(), le.data.account) + oe.amount
        le.data.account.balance = need - 1 if excess else need + 12345
        return le
    balance = oe.amount - 1 if excess else oe.amount + 10
    return b.trustline(oe.sellerID, oe.selling, balance=balance, limit=max(balance, 10**6),
                       flags=authorized, liabilities=(0, oe.amount))


def buying_side(offer_le, excess, authorized):
    """generateBuyingLiabilities: buying liabilities = offer amount;
    `excess` leaves no room for them below INT64_MAX / the limit."""
    oe = offer_le.data.offer
    if oe.buying.type == xdr.AssetType.ASSET_TYPE_NATIVE:
        le = b.account(oe.sellerID, balance=0, liabilities=(oe.amount, 0))
        max_balance = INT64_MAX - oe.amount
        le.data.account.balance = max_balance + 1 if excess else \
            min(max(10**12, min_balance(b.header(), le.data.account)), max_balance)
        return le
    limit = 10**6
    max_balance = limit - oe.amount
    return b.trustline(oe.sellerID, oe.buying, balance=max_balance + 1 if excess else max_balance,
                       limit=limit, flags=authorized, liabilities=(oe.amount, 0))


ISSUER = b.account_id("issuer")
CUR1 = b.credit("CUR1", ISSUER)
CUR2 = b.credit("CUR2", ISSUER)
ASSETS = {"native": b.NATIVE, "CUR1": CUR1, "CUR2": CUR2}
PAIRS = [(a, c) for a in ASSETS for c in ASSETS if a != c]


def _offer(selling, buying, amount, seller=None, offer_id=None):
    return b.offer(seller or b.account_id(), selling, buying, amount, (1, 1), offer_id=offer_id)


def test_increase_liabilities_without_changing_balance():
    offer = _offer(b.NATIVE, CUR1, 100)
    selling = selling_side(offer, True, AUTH)
    selling.data.account.balance = min_balance(b.header(), selling.data.account) + 100
    buying = buying_side(offer, False, AUTH)
    entries = [offer, selling, buying]
    assert b.holds(NAME, b.created(*entries))

    offer2, selling2, buying2 = (e.copy() for e in entries)
    offer2.data.offer.amount += 1
    selling2.data.account.ext.v1.liabilities.selling += 1
    buying2.data.trustLine.ext.v1.liabilities.buying += 1
    msg = b.run(NAME, b.modified(zip([offer2, selling2, buying2], entries)))
    assert msg.startswith("Balance not compatible with liabilities for")


@pytest.mark.parametrize("a,c", PAIRS)
def test_create_modify_delete_offer(a, c):
    offer = _offer(ASSETS[a], ASSETS[c], 100)
    entries = [offer, selling_side(offer, False, AUTH), buying_side(offer, False, AUTH)]
    assert b.holds(NAME, b.created(*entries))
    offer2 = _offer(ASSETS[a], ASSETS[c], 200, offer.data.offer.sellerID, offer.data.offer.offerID)
    entries2 = [offer2, selling_side(offer2, False, AUTH), buying_side(offer2, False, AUTH)]
    assert b.holds(NAME, b.modified(zip(entries2, entries)))
    assert b.holds(NAME, b.deleted(*entries2))


def _excess_cases(a, c):
    cases = [("excess selling", True, AUTH, False, AUTH), ("excess buying", False, AUTH, True, AUTH)]
    if a != "native":
        cases.append(("unauthorized selling", False, 0, False, AUTH))
    if c != "native":
        cases.append(("unauthorized buying", False, AUTH, False, 0))
    return cases


@pytest.mark.parametrize("a,c", PAIRS)
def test_create_offer_with_excess_liabilities(a, c):
    for label, ex_s, auth_s, ex_b, auth_b in _excess_cases(a, c):
        offer = _offer(ASSETS[a], ASSETS[c], 100)
        entries = [offer, selling_side(offer, ex_s, auth_s), buying_side(offer, ex_b, auth_b)]
        assert not b.holds(NAME, b.created(*entries)), label
        expected = "Unauthorized trust line has liabilities" if "unauthorized" in label else \
            "Balance not compatible with liabilities"
        assert b.run(NAME, b.created(*entries)).startswith(expected), label


@pytest.mark.parametrize("a,c", PAIRS)
def test_modify_offer_to_have_excess_liabilities(a, c):
    # as stellar-core's test: the offer is always CUR1 -> CUR2 here
    offer = _offer(CUR1, CUR2, 100)
    entries = [offer, selling_side(offer, False, AUTH), buying_side(offer, False, AUTH)]
    assert b.holds(NAME, b.created(*entries))
    for label, ex_s, auth_s, ex_b, auth_b in _excess_cases(a, c):
        offer2 = _offer(CUR1, CUR2, 200, offer.data.offer.sellerID, offer.data.offer.offerID)
        entries2 = [offer2, selling_side(offer, ex_s, auth_s), buying_side(offer, ex_b, auth_b)]
        assert not b.holds(NAME, b.modified(zip(entries2, entries))), label


def test_revoke_authorization():
    offer = _offer(CUR1, CUR2, 100)
    selling = selling_side(offer, False, AUTH)
    buying = buying_side(offer, False, AUTH)
    assert b.holds(NAME, b.created(offer, selling, buying))
    msg = b.run(NAME, b.modified([(selling_side(offer, False, 0), selling)]))
    assert msg.startswith("Unauthorized trust line has liabilities")
    assert not b.holds(NAME, b.modified([(buying_side(offer, False, 0), buying)]))


def test_increase_liabilities_with_authorized_to_maintain():
    offer = _offer(CUR1, CUR2, 100)
    # stellar-core passes `true` (== AUTHORIZED_FLAG) for the initial flags
    selling = selling_side(offer, False, AUTH)
    buying = buying_side(offer, False, AUTH)
    assert b.holds(NAME, b.created(offer, selling, buying))
    offer2 = _offer(CUR1, CUR2, 200, offer.data.offer.sellerID, offer.data.offer.offerID)
    s2 = selling_side(offer2, False, MAINTAIN)
    msg = b.run(NAME, b.modified([(s2, selling)]))
    assert msg.startswith("Liabilities increased on unauthorized trust line")
    b2 = buying_side(offer2, False, MAINTAIN)
    assert not b.holds(NAME, b.modified([(b2, buying)]))
    # keeping (not increasing) liabilities while only maintain-authorized is fine
    same = selling.copy()
    same.data.trustLine.flags = MAINTAIN
    assert b.holds(NAME, b.modified([(same, selling)]))


def test_issuer_offers_carry_no_liabilities_for_own_asset():
    offer = _offer(CUR1, b.NATIVE, 100, seller=ISSUER)
    acc = b.account(ISSUER, balance=10**12, liabilities=(100, 0))
    assert b.holds(NAME, b.created(offer, acc))
    acc2 = b.account(ISSUER, balance=10**12, liabilities=(100, 100))
    assert not b.holds(NAME, b.created(offer, acc2))


def test_liability_mismatch_message():
    offer = _offer(b.NATIVE, CUR1, 100)
    selling = selling_side(offer, False, AUTH)
    selling.data.account.ext.v1.liabilities.selling = 99
    buying = buying_side(offer, False, AUTH)
    msg = b.run(NAME, b.created(offer, selling, buying))
    assert msg.startswith("Change in selling liabilities differed from change in total selling "
                          "liabilities of offers by 1 for {")
    assert '"asset": "NATIVE"' in msg


@pytest.mark.parametrize("n,d,amount,buying,selling", [
    # price 1: buying == selling == amount
    (1, 1, 100, 100, 100),
    # selling 100 at 3/2: buying = floor(100*3/2)
    (3, 2, 100, 150, 100),
    (2, 3, 100, 66, 99),     # sheep more valuable: sheepSend=66, wheat=ceil(66*3/2)=99
    (3, 2, 101, 151, 101),
    (1, 10, 7, 0, 0),        # rounds to nothing
    (10, 1, 7, 70, 7),
    (1, 3, 5, 1, 3),
])
def test_offer_liabilities_rounding(n, d, amount, buying, selling):
    oe = _offer(CUR1, CUR2, amount).data.offer
    oe.price = xdr.Price(n=n, d=d)
    assert offer_liabilities(oe) == (buying, selling)


def test_offer_liabilities_are_capped_by_int64():
    """The buying side is capped at INT64_MAX (maxSheepReceive): a huge
    offer at price 2 sells only as much as INT64_MAX buys."""
    oe = _offer(CUR1, CUR2, INT64_MAX).data.offer
    oe.price = xdr.Price(n=2, d=1)
    assert offer_liabilities(oe) == (INT64_MAX - 1, INT64_MAX // 2)


def test_invalid_offer_price_throws():
    """A zero price makes stellar-core's bigDivide assert (C > 0) throw."""
    oe = _offer(CUR1, CUR2, 10).data.offer
    oe.price = xdr.Price(n=0, d=1)
    with pytest.raises(RuntimeError):
        offer_liabilities(oe)
