"""CreateClaimableBalance (stellar-core transactions/CreateClaimableBalanceOpFrame.cpp)
and the claim-predicate rules it and ClaimClaimableBalance share.

Why this order: the amount leaves the source first (native: available
balance; credit: an authorized line, or the issuer's unlimited one), then
the entry's reserve - one base reserve per claimant - is taken from the
source or its sponsor (claimable balances are never sub-entries but always
have a sponsor). Relative time predicates become absolute at creation,
from the closing ledger's closeTime, saturating at INT64_MAX. The balance
ID hashes the *transaction's* source and sequence number with the op index.
A credit balance is clawback-enabled if the source's line is (or, for the
issuer, its account flag).
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.crypto import ids
from stellarcore.ledger import balances as B
from stellarcore.transactions.pool_share import INT64_MAX, set_claimable_balance_clawback_enabled
from stellarcore.ledger.sponsorship import SponsorshipResult, create_entry_with_possible_sponsorship
from stellarcore.ledger.trustline import asset_issuer, load_trustline
from stellarcore.transactions import events as E
from stellarcore.ledger.assets import asset_is_valid
from stellarcore.transactions.operation_frame import OperationFrame, register

_C = xdr.CreateClaimableBalanceResultCode
_OC = xdr.OperationResultCode
_P = xdr.ClaimPredicateType
_CLAWBACK_ENABLED = xdr.AccountFlags.AUTH_CLAWBACK_ENABLED_FLAG


def predicate_is_valid(pred, depth: int = 1) -> bool:
    """validatePredicate (creation): at most 4 levels, AND/OR of exactly two,
    NOT of one, non-negative times."""
    if depth > 4:
        return False
    t = pred.type
    if t == _P.CLAIM_PREDICATE_UNCONDITIONAL:
        return True
    if t in (_P.CLAIM_PREDICATE_AND, _P.CLAIM_PREDICATE_OR):
        subs = pred.andPredicates if t == _P.CLAIM_PREDICATE_AND else pred.orPredicates
        return len(subs) == 2 and predicate_is_valid(subs[0], depth + 1) and predicate_is_valid(subs[1], depth + 1)
    if t == _P.CLAIM_PREDICATE_NOT:
        return pred.notPredicate is not None and predicate_is_valid(pred.notPredicate, depth + 1)
    if t == _P.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME:
        return pred.absBefore >= 0
    if t == _P.CLAIM_PREDICATE_BEFORE_RELATIVE_TIME:
        return pred.relBefore >= 0
    raise RuntimeError("Invalid ClaimPredicate")


def to_absolute(pred, close_time: int) -> "xdr.ClaimPredicate":
    """updatePredicatesForApply: BEFORE_RELATIVE_TIME -> BEFORE_ABSOLUTE_TIME."""
    t = pred.type
    if t == _P.CLAIM_PREDICATE_AND:
        return xdr.ClaimPredicate(t, [to_absolute(p, close_time) for p in pred.andPredicates])
    if t == _P.CLAIM_PREDICATE_OR:
        return xdr.ClaimPredicate(t, [to_absolute(p, close_time) for p in pred.orPredicates])
    if t == _P.CLAIM_PREDICATE_NOT:
        return xdr.ClaimPredicate(t, to_absolute(pred.notPredicate, close_time))
    if t == _P.CLAIM_PREDICATE_BEFORE_RELATIVE_TIME:
        rel = pred.relBefore
        abs_before = INT64_MAX if close_time > INT64_MAX - rel else close_time + rel
        return xdr.ClaimPredicate(_P.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME, abs_before)
    if t in (_P.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME, _P.CLAIM_PREDICATE_UNCONDITIONAL):
        return pred.copy()
    raise RuntimeError("Invalid ClaimPredicate")


def predicate_holds(pred, close_time: int) -> bool:
    """validatePredicate (claim) against the closing ledger's closeTime."""
    t = pred.type
    if t == _P.CLAIM_PREDICATE_UNCONDITIONAL:
        return True
    if t == _P.CLAIM_PREDICATE_AND:
        a, b = pred.andPredicates
        return predicate_holds(a, close_time) and predicate_holds(b, close_time)
    if t == _P.CLAIM_PREDICATE_OR:
        a, b = pred.orPredicates
        return predicate_holds(a, close_time) or predicate_holds(b, close_time)
    if t == _P.CLAIM_PREDICATE_NOT:
        return not predicate_holds(pred.notPredicate, close_time)
    if t == _P.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME:
        return (pred.absBefore & 0xFFFFFFFFFFFFFFFF) > close_time
    raise RuntimeError("Invalid ClaimPredicate")


def is_clawback_enabled_on_claimable_balance(cb) -> bool:
    return cb.ext.v == 1 and (cb.ext.v1.flags & xdr.ClaimableBalanceFlags.CLAIMABLE_BALANCE_CLAWBACK_ENABLED_FLAG) != 0


@register(xdr.OperationType.CREATE_CLAIMABLE_BALANCE)
class CreateClaimableBalanceOpFrame(OperationFrame):

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        ok = asset_is_valid(b.asset) and b.amount > 0 and len(b.claimants) > 0
        if ok:
            dests = [c.v0.destination.to_xdr() for c in b.claimants]
            ok = len(set(dests)) == len(dests)
        if ok:
            ok = all(predicate_is_valid(c.v0.predicate, 1) for c in b.claimants)
        if not ok:
            self.set_code(_C.CREATE_CLAIMABLE_BALANCE_MALFORMED)
        return ok

    def _fail(self, code) -> bool:
        self.set_code(code)
        return False

    def do_apply(self, ltx, op_meta) -> bool:
        b = self.body
        header = ltx.header
        src = self.load_source_account(ltx)
        asset, amount = b.asset, b.amount
        cb_ext = None
        if asset.type == xdr.AssetType.ASSET_TYPE_NATIVE:
            if B.available_balance(header, src) < amount:
                return self._fail(_C.CREATE_CLAIMABLE_BALANCE_UNDERFUNDED)
            if not B.add_balance(header, src, -amount):
                raise RuntimeError("addBalance failed after the availability check")
        else:
            line = load_trustline(ltx, self.source_id, asset)
            if line is None:
                return self._fail(_C.CREATE_CLAIMABLE_BALANCE_NO_TRUST)
            if not line.is_authorized():
                return self._fail(_C.CREATE_CLAIMABLE_BALANCE_NOT_AUTHORIZED)
            if not line.add_balance(header, -amount):
                return self._fail(_C.CREATE_CLAIMABLE_BALANCE_UNDERFUNDED)
            if asset_issuer(asset) == self.source_id:
                cb_ext = (src.data.account.flags & _CLAWBACK_ENABLED) != 0
            else:
                cb_ext = line.is_clawback_enabled()
        close_time = header.scpValue.closeTime
        claimants = [xdr.Claimant(xdr.ClaimantType.CLAIMANT_TYPE_V0, xdr.ClaimantV0(
            destination=c.v0.destination, predicate=to_absolute(c.v0.predicate, close_time))) for c in b.claimants]
        balance_id = ids.claimable_balance_id(self.tx.source_id, self.tx.seq_num, self.index)
        cb = xdr.ClaimableBalanceEntry(balanceID=balance_id, claimants=claimants, asset=asset.copy(),
                                       amount=amount, ext=xdr.ClaimableBalanceEntryExt(0))
        if cb_ext:
            set_claimable_balance_clawback_enabled(cb)
        le = xdr.LedgerEntry(lastModifiedLedgerSeq=0, data=xdr.LedgerEntryData(claimableBalance=cb),
                             ext=xdr.LedgerEntryExt(0))
        res = create_entry_with_possible_sponsorship(ltx, header, le, src)
        if res == SponsorshipResult.LOW_RESERVE:
            return self._fail(_C.CREATE_CLAIMABLE_BALANCE_LOW_RESERVE)
        if res == SponsorshipResult.TOO_MANY_SPONSORING:
            self.set_op_code(_OC.opTOO_MANY_SPONSORING)
            return False
        if res != SponsorshipResult.SUCCESS:
            raise RuntimeError("Unexpected result from canEstablishEntrySponsorship")
        ltx.create(le)
        op_meta.events.transfer_with_issuer_check(asset, E.muxed_account_address(self.source_account),
                                                  E.claimable_balance_address(balance_id), amount, True)
        self.set_inner(xdr.CreateClaimableBalanceResult(_C.CREATE_CLAIMABLE_BALANCE_SUCCESS, balance_id))
        return True
