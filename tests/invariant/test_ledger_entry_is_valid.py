"""LedgerEntryIsValid, after stellar-core src/invariant/test/
LedgerEntryIsValidTests.cpp ("Trigger validity check for each entry type",
"Modify ClaimableBalanceEntry") and table-driven over every check of
LedgerEntryIsValid.cpp: each row corrupts one field of a valid entry and
names stellar-core's message."""
import hashlib

import pytest

from stellarcore import xdr
from stellarcore.ledger import balances as B
from tests.invariant import builders as b

NAME = "LedgerEntryIsValid"
CP = xdr.ClaimPredicateType
AF = xdr.AccountFlags
TF = xdr.TrustLineFlags
OWNER = b.account_id("owner")
USD = b.credit("USD")


def _valid():
    """Fresh valid entries (deep copies: corruptions must not leak into the
    shared assets)."""
    return {k: v.copy() for k, v in _valid_shared().items()}


def _valid_shared():
    return {
        "account": b.account(OWNER, signers=b.sorted_signers([1, 2, 3], weight=5)),
        "trustline": b.trustline(OWNER, USD, balance=10, limit=100),
        "offer": b.offer(OWNER, USD, b.NATIVE, 10, offer_id=7),
        "data": b.data(OWNER, b"name"),
        "claimable_balance": b.claimable_balance(b.NATIVE, 10, [b.claimant(OWNER)], sponsor=OWNER),
        "pool": b.pool(b.NATIVE, USD, 10, 10, 10, 1),
    }


def test_valid_entries_hold():
    for kind, le in _valid().items():
        assert b.holds(NAME, b.created(le)), kind


def _acc(le):
    return le.data.account


def _pred(t, **kw):
    return xdr.ClaimPredicate(t, *kw.values())


def _set_claimants(le, preds):
    le.data.claimableBalance.claimants = [b.claimant(OWNER, p) for p in preds]


def _nest(depth):
    p = b.UNCONDITIONAL
    for _ in range(depth):
        p = xdr.ClaimPredicate(CP.CLAIM_PREDICATE_NOT, p)
    return p


U = b.UNCONDITIONAL
BOTH_AUTH = TF.AUTHORIZED_FLAG | TF.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG
ABS = xdr.ClaimPredicate(CP.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME, 100)

CASES = [
    # (entry kind, corruption, expected message prefix)
    ("account", lambda le: setattr(_acc(le), "balance", -1), "Account balance (-1) is negative"),
    ("account", lambda le: setattr(_acc(le), "seqNum", -1), "Account seqNum (-1) is negative"),
    ("account", lambda le: setattr(_acc(le), "numSubEntries", 2**31),
     "Account numSubEntries (2147483648) exceeds limit (2147483647)"),
    # "Trigger validity check for each entry type": flags = MASK + 1
    ("account", lambda le: setattr(_acc(le), "flags", xdr.MASK_ACCOUNT_FLAGS_V17 + 1), "Account flags are invalid"),
    ("account", lambda le: setattr(_acc(le), "flags", AF.AUTH_CLAWBACK_ENABLED_FLAG), "Account flags are invalid"),
    ("account", lambda le: setattr(_acc(le), "homeDomain", b"bad\x07"), "Account homeDomain is invalid"),
    ("account", lambda le: setattr(_acc(le), "homeDomain", b"caf\xc3\xa9"), "Account homeDomain is invalid"),
    ("account", lambda le: _acc(le).signers.reverse(), "Account signers are not strictly increasing"),
    ("account", lambda le: _acc(le).signers.append(_acc(le).signers[-1]),
     "Account signers are not strictly increasing"),
    ("account", lambda le: setattr(_acc(le).signers[0], "weight", 0), "Account signers have invalid weights"),
    ("account", lambda le: setattr(_acc(le).signers[0], "weight", 256), "Account signers have invalid weights"),
    ("account", lambda le: B.prepare_account_ext_v2(_acc(le)).signerSponsoringIDs.pop(),
     "Account signers not paired with signerSponsoringIDs"),
    ("account", lambda le: (setattr(_acc(le), "numSubEntries", 10),
                            setattr(B.prepare_account_ext_v2(_acc(le)), "numSponsoring", 2**32 - 10)),
     "Account numSubEntries + numSponsoring is > UINT32_MAX"),
    ("trustline", lambda le: setattr(le.data.trustLine, "asset", xdr.TrustLineAsset(xdr.AssetType.ASSET_TYPE_NATIVE)),
     "TrustLine asset is native"),
    ("trustline", lambda le: setattr(le.data.trustLine.asset.alphaNum4, "assetCode", b"U\0SD"),
     "TrustLine asset is invalid"),
    ("trustline", lambda le: setattr(le.data.trustLine.asset.alphaNum4, "assetCode", b"\0\0\0\0"),
     "TrustLine asset is invalid"),
    ("trustline", lambda le: setattr(le.data.trustLine.asset.alphaNum4, "assetCode", b"U$D\0"),
     "TrustLine asset is invalid"),
    ("trustline", lambda le: (setattr(le.data.trustLine, "asset", b.pool_share_asset(b"\1" * 32)),
                              B.prepare_trustline_ext_v1(le.data.trustLine).liabilities.__setattr__("buying", 1)),
     "Pool share TrustLine has liabilities"),
    ("trustline", lambda le: setattr(B.prepare_trustline_ext_v2(le.data.trustLine), "liquidityPoolUseCount", -1),
     "TrustLine liquidityPoolUseCount is negative"),
    ("trustline", lambda le: setattr(le.data.trustLine, "balance", -1), "TrustLine balance (-1) is negative"),
    ("trustline", lambda le: setattr(le.data.trustLine, "limit", 0), "TrustLine limit (0) is not positive"),
    ("trustline", lambda le: setattr(le.data.trustLine, "balance", 101), "TrustLine balance (101) exceeds limit (100)"),
    ("trustline", lambda le: setattr(le.data.trustLine, "flags", xdr.MASK_TRUSTLINE_FLAGS_V17 + 1),
     "TrustLine flags are invalid"),
    ("trustline", lambda le: setattr(le.data.trustLine, "flags", BOTH_AUTH),
     "TrustLine flags are invalid"),
    ("offer", lambda le: setattr(le.data.offer, "offerID", 0), "Offer offerID (0) must be positive"),
    ("offer", lambda le: setattr(le.data.offer.selling.alphaNum4, "assetCode", b"\0USD"),
     "Offer selling asset is invalid"),
    # alphanum12 needs at least 5 characters
    ("offer", lambda le: setattr(le.data.offer, "buying", xdr.Asset(
        alphaNum12=xdr.AlphaNum12(assetCode=b"ABCD" + b"\0" * 8, issuer=OWNER))),
     "Offer buying asset is invalid"),
    ("offer", lambda le: setattr(le.data.offer, "amount", 0), "Offer amount is not positive"),
    ("offer", lambda le: setattr(le.data.offer, "price", xdr.Price(n=0, d=1)), "Offer price (0 / 1) is invalid"),
    ("offer", lambda le: setattr(le.data.offer, "price", xdr.Price(n=1, d=0)), "Offer price (1 / 0) is invalid"),
    ("offer", lambda le: setattr(le.data.offer, "flags", xdr.MASK_OFFERENTRY_FLAGS + 1), "Offer flags are invalid"),
    ("data", lambda le: setattr(le.data.data, "dataName", b""), "Data dataName is empty"),
    ("data", lambda le: setattr(le.data.data, "dataName", b"a\nb"), "Data dataName is invalid"),
    ("claimable_balance", lambda le: setattr(le, "ext", xdr.LedgerEntryExt(0)), "ClaimableBalance is not sponsored"),
    ("claimable_balance", lambda le: setattr(le.data.claimableBalance, "ext", xdr.ClaimableBalanceEntryExt(
        1, xdr.ClaimableBalanceEntryExtensionV1(ext=xdr.ClaimableBalanceEntryExtensionV1Ext(0), flags=1))),
     "ClaimableBalance clawback set on native balance"),
    ("claimable_balance", lambda le: (setattr(le.data.claimableBalance, "asset", USD), setattr(
        le.data.claimableBalance, "ext", xdr.ClaimableBalanceEntryExt(1, xdr.ClaimableBalanceEntryExtensionV1(
            ext=xdr.ClaimableBalanceEntryExtensionV1Ext(0), flags=0)))),
     "ClaimableBalance flags are invalid"),
    ("claimable_balance", lambda le: le.data.claimableBalance.claimants.clear(), "ClaimableBalance claimants is empty"),
    ("claimable_balance", lambda le: setattr(le.data.claimableBalance, "asset", xdr.Asset(
        alphaNum4=xdr.AlphaNum4(assetCode=b"\0\0\0\0", issuer=OWNER))), "ClaimableBalance asset is invalid"),
    ("claimable_balance", lambda le: setattr(le.data.claimableBalance, "amount", 0),
     "ClaimableBalance amount is not positive"),
    ("claimable_balance", lambda le: _set_claimants(le, [_nest(4)]), "ClaimableBalance claimant is invalid"),
    ("claimable_balance", lambda le: _set_claimants(le, [xdr.ClaimPredicate(CP.CLAIM_PREDICATE_NOT, None)]),
     "ClaimableBalance claimant is invalid"),
    ("claimable_balance", lambda le: _set_claimants(le, [xdr.ClaimPredicate(CP.CLAIM_PREDICATE_AND, [U])]),
     "ClaimableBalance claimant is invalid"),
    ("claimable_balance", lambda le: _set_claimants(le, [xdr.ClaimPredicate(CP.CLAIM_PREDICATE_OR, [U, U, U])]),
     "ClaimableBalance claimant is invalid"),
    ("claimable_balance", lambda le: _set_claimants(le, [_pred(CP.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME, v=-1)]),
     "ClaimableBalance claimant is invalid"),
    ("claimable_balance", lambda le: _set_claimants(le, [_pred(CP.CLAIM_PREDICATE_BEFORE_RELATIVE_TIME, v=5)]),
     "ClaimableBalance claimant is invalid"),
    ("pool", lambda le: B.prepare_ledger_entry_ext_v1(le), "LiquidityPool is sponsored"),
    ("pool", lambda le: setattr(le.data.liquidityPool.body.constantProduct.params, "assetB",
                                xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=b"\0\0\0\0", issuer=OWNER))),
     "LiquidityPool assetB is invalid"),
    ("pool", lambda le: setattr(le.data.liquidityPool.body.constantProduct.params, "assetA", USD),
     "LiquidityPool assets are in an invalid order"),
    ("pool", lambda le: setattr(le.data.liquidityPool.body.constantProduct.params, "fee", 31),
     "LiquidityPool fee is not 30 basis points"),
    ("pool", lambda le: setattr(le.data.liquidityPool.body.constantProduct, "reserveA", -1),
     "LiquidityPool reserveA is negative"),
    ("pool", lambda le: setattr(le.data.liquidityPool.body.constantProduct, "reserveB", -1),
     "LiquidityPool reserveB is negative"),
    ("pool", lambda le: setattr(le.data.liquidityPool.body.constantProduct, "totalPoolShares", -1),
     "LiquidityPool totalPoolShares is negative"),
    ("pool", lambda le: setattr(le.data.liquidityPool.body.constantProduct, "poolSharesTrustLineCount", -1),
     "LiquidityPool poolSharesTrustLineCount is negative"),
]


@pytest.mark.parametrize("kind,corrupt,message", CASES, ids=[c[2][:40] for c in CASES])
def test_each_check(kind, corrupt, message):
    le = _valid()[kind]
    corrupt(le)
    msg = b.run(NAME, b.created(le))
    assert msg.startswith(message + ": {"), msg[:200]
    assert '"LedgerEntry": {' in msg
    assert not b.holds(NAME, b.created(le))


@pytest.mark.parametrize("pred", [
    U, ABS, _nest(3),
    xdr.ClaimPredicate(CP.CLAIM_PREDICATE_AND, [ABS, _nest(2)]),
    xdr.ClaimPredicate(CP.CLAIM_PREDICATE_OR, [U, xdr.ClaimPredicate(CP.CLAIM_PREDICATE_NOT, ABS)]),
    xdr.ClaimPredicate(CP.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME, 0),
])
def test_valid_predicates(pred):
    le = _valid()["claimable_balance"]
    _set_claimants(le, [pred])
    assert b.holds(NAME, b.created(le))


def test_clawback_balance_with_v1_flags_is_valid():
    le = b.claimable_balance(USD, 10, [b.claimant(OWNER)], sponsor=OWNER, cb_flags=1)
    assert b.holds(NAME, b.created(le))


def test_modify_claimable_balance_entry():
    """"Modify ClaimableBalanceEntry": any change fails, an identical
    rewrite holds."""
    le = b.claimable_balance(USD, 10, [b.claimant(OWNER)], sponsor=OWNER)
    assert b.holds(NAME, b.created(le))
    same = le.copy()
    assert b.holds(NAME, b.modified([(same, le)]))
    changed = le.copy()
    changed.data.claimableBalance.amount += 1
    assert b.run(NAME, b.modified([(changed, le)])).startswith("ClaimableBalance cannot be modified")


def test_trustline_clawback_cannot_be_enabled():
    prev = b.trustline(OWNER, USD, 5, 100)
    cur = prev.copy()
    cur.data.trustLine.flags |= TF.TRUSTLINE_CLAWBACK_ENABLED_FLAG
    assert b.run(NAME, b.modified([(cur, prev)])).startswith("TrustLine clawback flag was enabled")
    # created with clawback, or keeping it, is fine
    assert b.holds(NAME, b.created(cur))
    assert b.holds(NAME, b.modified([(cur, cur.copy())]))
    # clearing it is fine
    assert b.holds(NAME, b.modified([(prev, cur)]))


def test_pool_parameters_cannot_change():
    prev = b.pool(b.NATIVE, USD, 10, 10, 10, 1, pool_id=b"\5" * 32)
    cur = b.pool(b.NATIVE, b.credit("EUR"), 10, 10, 10, 1, pool_id=b"\5" * 32)
    assert b.run(NAME, b.modified([(cur, prev)])).startswith("LiquidityPool parameters changed")
    cur2 = prev.copy()
    cur2.data.liquidityPool.body.constantProduct.reserveA = 500
    assert b.holds(NAME, b.modified([(cur2, prev)]))


def test_last_modified_must_equal_ledger_seq():
    le = b.account(seq=b.LEDGER_SEQ - 1)
    assert b.run(NAME, b.created(le)).startswith(
        f"LedgerEntry lastModifiedLedgerSeq ({b.LEDGER_SEQ - 1}) does not equal"
        f" LedgerHeader ledgerSeq ({b.LEDGER_SEQ})")
    # deleted entries are not checked at all
    assert b.holds(NAME, b.deleted(le))


def test_ledger_seq_limit():
    h = b.header(seq=2**31)
    assert b.run(NAME, [], h, h) == "LedgerHeader ledgerSeq (2147483648) exceeds limits (2147483647)"


def test_contract_code_and_ttl():
    code = b"\0asm" + b"x" * 10
    cce = xdr.ContractCodeEntry(ext=xdr.ContractCodeEntryExt(0), hash=hashlib.sha256(code).digest(), code=code)
    le = b.entry("contractCode", cce)
    assert b.holds(NAME, b.created(le))
    bad = le.copy()
    bad.data.contractCode.code = code + b"!"
    assert b.run(NAME, b.created(bad)).startswith("Contract code doesn't match hash")
    ttl = b.entry("ttl", xdr.TTLEntry(keyHash=b"\1" * 32, liveUntilLedgerSeq=100))
    shorter = ttl.copy()
    shorter.data.ttl.liveUntilLedgerSeq = 99
    assert b.run(NAME, b.modified([(shorter, ttl)])).startswith("TTL liveUntilLedgerSeq decreased")
    assert b.holds(NAME, b.modified([(ttl, shorter)]))
