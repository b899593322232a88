"""RevokeSponsorship (stellar-core transactions/RevokeSponsorshipOpFrame.cpp).

The source A may act on an entry (or signer) of owner B if A sponsors it
or, when it is unsponsored, if A is B. What happens depends on whether A
is itself inside a sponsorship sandwich, sponsored by S:

  not sponsored, or S == B  -> the entry will be paid by B
  S != B                    -> the entry will be paid by S

which gives transfer (sponsored -> sponsored by S), remove (sponsored ->
B pays), establish (B pays -> S pays) or a no-op. A claimable balance has
no owner reserve, so it can only be transferred (ONLY_TRANSFERABLE).
Reserve and counter checks come from SponsorshipUtils' can* functions.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger import sponsorship as S
from stellarcore.ledger.keys import account_key, sponsorship_key
from stellarcore.ledger.assets import asset_is_valid
from stellarcore.transactions.operation_frame import OperationFrame, register
from stellarcore.transactions.operations.manage_data import is_string_valid
from stellarcore.transactions.operations.set_options import find_signer_by_key

_R = xdr.RevokeSponsorshipResultCode
_OC = xdr.OperationResultCode
_T = xdr.LedgerEntryType
_AT = xdr.AssetType
_SR = S.SponsorshipResult


def _owner_id(le):
    """getAccountID: the entry's owner (a claimable balance's sponsor)."""
    d = le.data
    t = d.type
    if t == _T.ACCOUNT:
        return d.account.accountID
    if t == _T.TRUSTLINE:
        return d.trustLine.accountID
    if t == _T.OFFER:
        return d.offer.sellerID
    if t == _T.DATA:
        return d.data.accountID
    if t == _T.CLAIMABLE_BALANCE:
        return le.ext.v1.sponsoringID
    raise RuntimeError("Invalid key type")


def _trustline_asset_is_issued_by(account_id, asset) -> bool:
    """isIssuer(accountID, TrustLineAsset): false for native and pool shares."""
    if asset.type == _AT.ASSET_TYPE_CREDIT_ALPHANUM4:
        return asset.alphaNum4.issuer == account_id
    if asset.type == _AT.ASSET_TYPE_CREDIT_ALPHANUM12:
        return asset.alphaNum12.issuer == account_id
    return False


def _trustline_asset_is_valid(asset) -> bool:
    """isAssetValid(TrustLineAsset): a pool share (a PoolID) is valid from p18."""
    if asset.type == _AT.ASSET_TYPE_POOL_SHARE:
        return True
    return asset_is_valid(asset)


@register(xdr.OperationType.REVOKE_SPONSORSHIP)
class RevokeSponsorshipOpFrame(OperationFrame):

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        if b.type != xdr.RevokeSponsorshipType.REVOKE_SPONSORSHIP_LEDGER_ENTRY:
            return True
        lk = b.ledgerKey
        t = lk.type
        ok = True
        if t == _T.TRUSTLINE:
            tl = lk.trustLine
            ok = (_trustline_asset_is_valid(tl.asset) and tl.asset.type != _AT.ASSET_TYPE_NATIVE
                  and not _trustline_asset_is_issued_by(tl.accountID, tl.asset))
        elif t == _T.OFFER:
            ok = lk.offer.offerID > 0
        elif t == _T.DATA:
            name = lk.data.dataName
            ok = len(name) >= 1 and is_string_valid(name)
        elif t in (_T.ACCOUNT, _T.CLAIMABLE_BALANCE):
            ok = True
        elif t in (_T.LIQUIDITY_POOL, _T.CONTRACT_DATA, _T.CONTRACT_CODE, _T.CONFIG_SETTING, _T.TTL):
            ok = False
        else:
            raise RuntimeError("unknown ledger key type")
        if not ok:
            self.set_code(_R.REVOKE_SPONSORSHIP_MALFORMED)
        return ok

    def do_apply(self, ltx, op_meta) -> bool:
        if self.body.type == xdr.RevokeSponsorshipType.REVOKE_SPONSORSHIP_LEDGER_ENTRY:
            return self._update_ledger_entry_sponsorship(ltx)
        return self._update_signer_sponsorship(ltx)

    def _process(self, sr) -> bool:
        """processSponsorshipResult."""
        if sr == _SR.SUCCESS:
            return True
        if sr == _SR.LOW_RESERVE:
            self.set_code(_R.REVOKE_SPONSORSHIP_LOW_RESERVE)
            return False
        if sr == _SR.TOO_MANY_SPONSORING:
            self.set_op_code(_OC.opTOO_MANY_SPONSORING)
            return False
        raise RuntimeError("unexpected sponsorship result")

    def _new_sponsor(self, ltx, owner_id):
        """The sponsor the entry will have: S when the source is sponsored by
        S != owner, else None (the owner pays). Loads the SPONSORSHIP entry
        for write, as stellar-core's loadSponsorship."""
        se = ltx.load(sponsorship_key(self.source_id))
        if se is not None and se.value != owner_id:
            return se.value
        return None

    def _update_ledger_entry_sponsorship(self, ltx) -> bool:
        le = ltx.load(self.body.ledgerKey)
        if le is None:
            self.set_code(_R.REVOKE_SPONSORSHIP_DOES_NOT_EXIST)
            return False
        was_sponsored = False
        old_sponsor = le.ext.v1.sponsoringID if le.ext.v == 1 else None
        if old_sponsor is not None:
            if old_sponsor != self.source_id:
                self.set_code(_R.REVOKE_SPONSORSHIP_NOT_SPONSOR)
                return False
            was_sponsored = True
        elif _owner_id(le) != self.source_id:
            self.set_code(_R.REVOKE_SPONSORSHIP_NOT_SPONSOR)
            return False
        owner_id = _owner_id(le)
        new_sponsor = self._new_sponsor(ltx, owner_id)
        will_be_sponsored = new_sponsor is not None
        is_account = le.data.type == _T.ACCOUNT
        if not will_be_sponsored and le.data.type == _T.CLAIMABLE_BALANCE:
            self.set_code(_R.REVOKE_SPONSORSHIP_ONLY_TRANSFERABLE)
            return False
        header = ltx.header
        if was_sponsored and will_be_sponsored:
            old_acc = ltx.load(account_key(old_sponsor))
            new_acc = ltx.load(account_key(new_sponsor))
            if not self._process(S.can_transfer_entry_sponsorship(header, le, old_acc, new_acc)):
                return False
            S.transfer_entry_sponsorship(le, old_acc, new_acc)
        elif was_sponsored:
            old_acc = ltx.load(account_key(old_sponsor))
            sponsored = le if is_account else ltx.load(account_key(owner_id))
            if not self._process(S.can_remove_entry_sponsorship(header, le, old_acc, sponsored)):
                return False
            S.remove_entry_sponsorship(le, old_acc, sponsored)
        elif will_be_sponsored:
            new_acc = ltx.load(account_key(new_sponsor))
            sponsored = le if is_account else ltx.load(account_key(owner_id))
            if not self._process(S.can_establish_entry_sponsorship(header, le, new_acc, sponsored)):
                return False
            S.establish_entry_sponsorship(le, new_acc, sponsored)
        self.set_code(_R.REVOKE_SPONSORSHIP_SUCCESS)
        return True

    def _update_signer_sponsorship(self, ltx) -> bool:
        sg = self.body.signer
        account_id = sg.accountID
        sponsored = ltx.load(account_key(account_id))
        if sponsored is None:
            self.set_code(_R.REVOKE_SPONSORSHIP_DOES_NOT_EXIST)
            return False
        ae = sponsored.data.account
        n, found = find_signer_by_key(ae.signers, sg.signerKey)
        if not found:
            self.set_code(_R.REVOKE_SPONSORSHIP_DOES_NOT_EXIST)
            return False
        was_sponsored = False
        old_sponsor = None
        if B.has_account_ext_v2(ae):
            ids = B.account_ext_v2(ae).signerSponsoringIDs
            if n >= len(ids):
                raise RuntimeError("bad signer sponsorships")
            old_sponsor = ids[n]
            if old_sponsor is not None:
                if old_sponsor != self.source_id:
                    self.set_code(_R.REVOKE_SPONSORSHIP_NOT_SPONSOR)
                    return False
                was_sponsored = True
            elif account_id != self.source_id:
                self.set_code(_R.REVOKE_SPONSORSHIP_NOT_SPONSOR)
                return False
        elif account_id != self.source_id:
            self.set_code(_R.REVOKE_SPONSORSHIP_NOT_SPONSOR)
            return False
        new_sponsor = self._new_sponsor(ltx, account_id)
        will_be_sponsored = new_sponsor is not None
        header = ltx.header
        if was_sponsored and will_be_sponsored:
            old_acc = ltx.load(account_key(old_sponsor))
            new_acc = ltx.load(account_key(new_sponsor))
            if not self._process(S.can_transfer_signer_sponsorship(header, n, old_acc, new_acc, sponsored)):
                return False
            S.transfer_signer_sponsorship(n, old_acc, new_acc, sponsored)
        elif was_sponsored:
            old_acc = ltx.load(account_key(old_sponsor))
            if not self._process(S.can_remove_signer_sponsorship(header, n, old_acc, sponsored)):
                return False
            S.remove_signer_sponsorship(n, old_acc, sponsored)
        elif will_be_sponsored:
            new_acc = ltx.load(account_key(new_sponsor))
            if not self._process(S.can_establish_signer_sponsorship(header, n, new_acc, sponsored)):
                return False
            S.establish_signer_sponsorship(n, new_acc, sponsored)
        self.set_code(_R.REVOKE_SPONSORSHIP_SUCCESS)
        return True
