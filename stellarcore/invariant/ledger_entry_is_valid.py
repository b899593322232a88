"""LedgerEntryIsValid (stellar-core invariant/LedgerEntryIsValid.cpp).

Why: simple per-entry sanity (ranges, flags, ordering, immutability of
claimable balances and pool parameters) catches a whole class of operation
bugs at the entry that went wrong. Every created or modified entry in the
delta is checked (deleted ones are not), and its lastModifiedLedgerSeq must
equal the header's ledgerSeq. Non-strict.

Exactly stellar-core's checks, protocol 23+ forms: there is no threshold
check on accounts and no "trustline owner is not the issuer" check (both
are enforced by the operations, not by this invariant). The native-SAC
balance-entry check needs the network ID and is skipped without it.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.crypto import sha
from stellarcore.invariant.base import (AT, INT32_MAX, INT64_MAX, T, UINT32_MAX, UINT8_MAX,
                                        OperationContext, to_json)
from stellarcore.ledger.assets import asset_is_valid as is_asset_valid, is_string_valid
from stellarcore.invariant.sac import lumen_contract_info
from stellarcore.ledger.balances import has_account_ext_v2, has_trustline_ext_v2

NAME = "LedgerEntryIsValid"
STRICT = False

_AF = xdr.AccountFlags
_TF = xdr.TrustLineFlags
_CP = xdr.ClaimPredicateType
_V = xdr.SCValType
_TRUSTLINE_AUTH_FLAGS = _TF.AUTHORIZED_FLAG | _TF.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG


def account_flag_is_valid(flags: int) -> bool:
    """accountFlagIsValid (p17+): known bits only; clawback needs revocable."""
    if flags & ~xdr.MASK_ACCOUNT_FLAGS_V17:
        return False
    if (flags & _AF.AUTH_CLAWBACK_ENABLED_FLAG) and not (flags & _AF.AUTH_REVOCABLE_FLAG):
        return False
    return True


def trustline_flag_is_valid(flags: int) -> bool:
    """trustLineFlagIsValid (p17+): known bits, not both auth flags."""
    if flags & ~xdr.MASK_TRUSTLINE_FLAGS_V17:
        return False
    return (flags & _TRUSTLINE_AUTH_FLAGS) != _TRUSTLINE_AUTH_FLAGS


def _check_account(ae) -> str:
    if ae.balance < 0:
        return f"Account balance ({ae.balance}) is negative"
    if ae.seqNum < 0:
        return f"Account seqNum ({ae.seqNum}) is negative"
    if ae.numSubEntries > INT32_MAX:
        return f"Account numSubEntries ({ae.numSubEntries}) exceeds limit ({INT32_MAX})"
    if not account_flag_is_valid(ae.flags):
        return "Account flags are invalid"
    if not is_string_valid(ae.homeDomain):
        return "Account homeDomain is invalid"
    signers = ae.signers
    for i in range(len(signers) - 1):
        if not (signers[i].key < signers[i + 1].key):
            return "Account signers are not strictly increasing"
    for s in signers:
        if s.weight > UINT8_MAX or s.weight == 0:
            return "Account signers have invalid weights"
    if has_account_ext_v2(ae):
        v2 = ae.ext.v1.ext.v2
        if len(signers) != len(v2.signerSponsoringIDs):
            return "Account signers not paired with signerSponsoringIDs"
        if ae.numSubEntries > UINT32_MAX - v2.numSponsoring:
            return "Account numSubEntries + numSponsoring is > UINT32_MAX"
    return ""


def _check_trustline(tl, prev) -> str:
    if tl.asset.type == AT.ASSET_TYPE_NATIVE:
        return "TrustLine asset is native"
    if not is_asset_valid(tl.asset):
        return "TrustLine asset is invalid"
    if tl.asset.type == AT.ASSET_TYPE_POOL_SHARE and tl.ext.v == 1 and \
            (tl.ext.v1.liabilities.buying != 0 or tl.ext.v1.liabilities.selling != 0):
        return "Pool share TrustLine has liabilities"
    if has_trustline_ext_v2(tl) and tl.ext.v1.ext.v2.liquidityPoolUseCount < 0:
        return "TrustLine liquidityPoolUseCount is negative"
    if tl.balance < 0:
        return f"TrustLine balance ({tl.balance}) is negative"
    if tl.limit <= 0:
        return f"TrustLine limit ({tl.limit}) is not positive"
    if tl.balance > tl.limit:
        return f"TrustLine balance ({tl.balance}) exceeds limit ({tl.limit})"
    if not trustline_flag_is_valid(tl.flags):
        return "TrustLine flags are invalid"
    clawback = _TF.TRUSTLINE_CLAWBACK_ENABLED_FLAG
    if prev is not None and not (prev.data.trustLine.flags & clawback) and (tl.flags & clawback):
        return "TrustLine clawback flag was enabled"
    return ""


def _check_offer(oe) -> str:
    if oe.offerID <= 0:
        return f"Offer offerID ({oe.offerID}) must be positive"
    if not is_asset_valid(oe.selling):
        return "Offer selling asset is invalid"
    if not is_asset_valid(oe.buying):
        return "Offer buying asset is invalid"
    if oe.amount <= 0:
        return "Offer amount is not positive"
    if oe.price.n <= 0 or oe.price.d < 1:
        return f"Offer price ({oe.price.n} / {oe.price.d}) is invalid"
    if oe.flags & ~xdr.MASK_OFFERENTRY_FLAGS:
        return "Offer flags are invalid"
    return ""


def _check_data(de) -> str:
    if len(de.dataName) == 0:
        return "Data dataName is empty"
    if not is_string_valid(de.dataName):
        return "Data dataName is invalid"
    return ""


def validate_predicate(pred, depth: int) -> bool:
    """validatePredicate: at most 4 levels; AND/OR exactly two children;
    NOT exactly one; absolute times non-negative; relative times (converted
    at creation) are invalid in a stored entry."""
    if depth > 4:
        return False
    t = pred.type
    if t == _CP.CLAIM_PREDICATE_UNCONDITIONAL:
        return True
    if t == _CP.CLAIM_PREDICATE_AND or t == _CP.CLAIM_PREDICATE_OR:
        children = pred.andPredicates if t == _CP.CLAIM_PREDICATE_AND else pred.orPredicates
        if len(children) != 2:
            return False
        return validate_predicate(children[0], depth + 1) and validate_predicate(children[1], depth + 1)
    if t == _CP.CLAIM_PREDICATE_NOT:
        if pred.notPredicate is None:
            return False
        return validate_predicate(pred.notPredicate, depth + 1)
    if t == _CP.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME:
        return pred.absBefore >= 0
    return False


def _check_claimable_balance(cbe, prev) -> str:
    v1 = cbe.ext.v1 if cbe.ext.v == 1 else None
    if v1 is not None and (v1.flags & xdr.ClaimableBalanceFlags.CLAIMABLE_BALANCE_CLAWBACK_ENABLED_FLAG) \
            and cbe.asset.type == AT.ASSET_TYPE_NATIVE:
        return "ClaimableBalance clawback set on native balance"
    if v1 is not None and v1.flags != xdr.MASK_CLAIMABLE_BALANCE_FLAGS:
        return "ClaimableBalance flags are invalid"
    if prev is not None and not (cbe == prev.data.claimableBalance):
        return "ClaimableBalance cannot be modified"
    if not cbe.claimants:
        return "ClaimableBalance claimants is empty"
    if not is_asset_valid(cbe.asset):
        return "ClaimableBalance asset is invalid"
    if cbe.amount <= 0:
        return "ClaimableBalance amount is not positive"
    for c in cbe.claimants:
        if not validate_predicate(c.v0.predicate, 1):
            return "ClaimableBalance claimant is invalid"
    return ""


def _check_liquidity_pool(lp, prev) -> str:
    if lp.body.type != xdr.LiquidityPoolType.LIQUIDITY_POOL_CONSTANT_PRODUCT:
        return "LiquidityPool type must be constant product"
    cp = lp.body.constantProduct
    if not is_asset_valid(cp.params.assetA):
        return "LiquidityPool assetA is invalid"
    if not is_asset_valid(cp.params.assetB):
        return "LiquidityPool assetB is invalid"
    if not (cp.params.assetA < cp.params.assetB):
        return "LiquidityPool assets are in an invalid order"
    if cp.params.fee != xdr.LIQUIDITY_POOL_FEE_V18:
        return "LiquidityPool fee is not 30 basis points"
    if cp.reserveA < 0:
        return "LiquidityPool reserveA is negative"
    if cp.reserveB < 0:
        return "LiquidityPool reserveB is negative"
    if cp.totalPoolShares < 0:
        return "LiquidityPool totalPoolShares is negative"
    if cp.poolSharesTrustLineCount < 0:
        return "LiquidityPool poolSharesTrustLineCount is negative"
    if prev is not None:
        if prev.data.type != T.LIQUIDITY_POOL:
            return "LiquidityPool used to be of different type"
        lp_prev = prev.data.liquidityPool
        if lp_prev.body.type != lp.body.type:
            return "LiquidityPool body changed type"
        if not (lp_prev.body.constantProduct.params == cp.params):
            return "LiquidityPool parameters changed"
    return ""


def _check_contract_data(cde, info) -> str:
    if info is None:
        return ""
    if cde.contract.type != xdr.SCAddressType.SC_ADDRESS_TYPE_CONTRACT or \
            bytes(cde.contract.contractId) != info.contract_id:
        return ""
    key = cde.key
    if not (key.type == _V.SCV_VEC and key.vec and key.vec[0] == info.balance_symbol):
        return ""
    if cde.durability != xdr.ContractDataDurability.PERSISTENT:
        return "Balance entry must be persistent"
    val = cde.val
    if val.type != _V.SCV_MAP or not val.map:
        return "Balance entry val must be a populated Map"
    first = val.map[0]
    if not (first.key == info.amount_symbol):
        return "Balance amount symbol is incorrect"
    if first.val.type != _V.SCV_I128:
        return "Balance amount must be a I128"
    if first.val.i128.lo > INT64_MAX or first.val.i128.hi > 0:
        return "Balance amount is invalid"
    return ""


def _check_contract_code(cce, prev) -> str:
    if sha.sha256(bytes(cce.code)) != bytes(cce.hash):
        return "Contract code doesn't match hash"
    if prev is None:
        return ""
    if prev.data.type != T.CONTRACT_CODE:
        return "ContractCode used to be of different type"
    pc = prev.data.contractCode
    if bytes(cce.hash) != bytes(pc.hash):
        return "ContractCode hash modified"
    if bytes(cce.code) != bytes(pc.code):
        return "ContractCode code modified"
    return ""


def _check_ttl(te, prev) -> str:
    if prev is None:
        return ""
    if prev.data.type != T.TTL:
        return "TTL used to be of different type"
    if bytes(prev.data.ttl.keyHash) != bytes(te.keyHash):
        return "TTL keyHash modified"
    if prev.data.ttl.liveUntilLedgerSeq > te.liveUntilLedgerSeq:
        return "TTL liveUntilLedgerSeq decreased"
    return ""


def check_entry(le, prev, ledger_seq: int, info=None) -> str:
    """checkIsValid(LedgerEntry, previous, ledgerSeq, version)."""
    if le.lastModifiedLedgerSeq != ledger_seq:
        return (f"LedgerEntry lastModifiedLedgerSeq ({le.lastModifiedLedgerSeq}) does not"
                f" equal LedgerHeader ledgerSeq ({ledger_seq})")
    t = le.data.type
    if t == T.ACCOUNT:
        return _check_account(le.data.account)
    if t == T.TRUSTLINE:
        return _check_trustline(le.data.trustLine, prev)
    if t == T.OFFER:
        return _check_offer(le.data.offer)
    if t == T.DATA:
        return _check_data(le.data.data)
    if t == T.CLAIMABLE_BALANCE:
        if le.ext.v != 1 or le.ext.v1.sponsoringID is None:
            return "ClaimableBalance is not sponsored"
        return _check_claimable_balance(le.data.claimableBalance, prev)
    if t == T.LIQUIDITY_POOL:
        if le.ext.v != 0:
            return "LiquidityPool is sponsored"
        return _check_liquidity_pool(le.data.liquidityPool, prev)
    if t == T.CONTRACT_DATA:
        return _check_contract_data(le.data.contractData, info)
    if t == T.CONTRACT_CODE:
        return _check_contract_code(le.data.contractCode, prev)
    if t == T.CONFIG_SETTING:
        return ""
    if t == T.TTL:
        return _check_ttl(le.data.ttl, prev)
    return "LedgerEntry has invalid type"


def check(ctx: OperationContext) -> str:
    seq = ctx.header_after.ledgerSeq
    if seq > INT32_MAX:
        return f"LedgerHeader ledgerSeq ({seq}) exceeds limits ({INT32_MAX})"
    info = lumen_contract_info(bytes(ctx.network_id)) if ctx.network_id is not None else None
    for _k, prev, cur in ctx.entries:
        if cur is None:
            continue
        s = check_entry(cur, prev, seq, info)
        if s:
            return s + ": " + to_json(cur, "LedgerEntry")
    return ""
