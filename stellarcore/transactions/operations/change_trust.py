"""ChangeTrust (stellar-core transactions/ChangeTrustOpFrame.cpp), protocol 23+.

Why each step is where it is (the result code and the recorded entries
depend on it):
  * an existing line: the limit may not drop below balance + buying
    liabilities; limit 0 deletes it unless it is a credit line some pool
    share line uses (CANNOT_DELETE); a changed limit needs the issuer to
    exist, read without recording (PARITY_TRAPS L7);
  * a new line: limit 0 is INVALID_LIMIT; a credit line needs the issuer
    (read without recording) and copies its AUTH_REQUIRED / clawback
    flags; a pool-share line needs both asset lines (unless native or the
    source's own asset) authorized to maintain liabilities, bumps their
    liquidityPoolUseCount and creates or counts the pool - all before the
    reserve (possibly sponsored) is taken.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key, liquidity_pool_key, trustline_key
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.transactions.pool_share import (INT32_MAX, INT64_MAX, change_trust_to_trustline_asset,
                                           constant_product, decrement_liquidity_pool_use_count,
                                           decrement_pool_shares_trustline_count, is_issuer)
from stellarcore.ledger.sponsorship import (create_entry_with_possible_sponsorship,
                                            remove_entry_with_possible_sponsorship)
from stellarcore.ledger.trustline import asset_issuer
from stellarcore.ledger.assets import asset_is_valid
from stellarcore.transactions.operation_frame import OperationFrame, register

_C = xdr.ChangeTrustResultCode
_AT = xdr.AssetType
_AF = xdr.AccountFlags
_TLF = xdr.TrustLineFlags


@register(xdr.OperationType.CHANGE_TRUST)
class ChangeTrustOpFrame(OperationFrame):

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        if (b.limit < 0 or not asset_is_valid(b.line) or b.line.type == _AT.ASSET_TYPE_NATIVE
                or is_issuer(self.source_id, b.line)):
            self.set_code(_C.CHANGE_TRUST_MALFORMED)
            return False
        return True

    def _fail(self, code) -> bool:
        self.set_code(code)
        return False

    def do_apply(self, ltx, op_meta) -> bool:
        b = self.body
        line = b.line
        if line.type == _AT.ASSET_TYPE_NATIVE:
            raise RuntimeError("native asset is not valid in ChangeTrustOp")
        if is_issuer(self.source_id, line):
            return self._fail(_C.CHANGE_TRUST_SELF_NOT_ALLOWED)
        is_pool_share = line.type == _AT.ASSET_TYPE_POOL_SHARE
        tl_asset = change_trust_to_trustline_asset(line)
        key = trustline_key(self.source_id, tl_asset)
        tl_le = ltx.load(key)
        if tl_le is not None:
            return self._modify(ltx, key, tl_le, tl_asset, is_pool_share)
        return self._create(ltx, tl_asset, is_pool_share)

    # -- an existing trustline ------------------------------------------------
    def _modify(self, ltx, key, tl_le, tl_asset, is_pool_share) -> bool:
        limit = self.body.limit
        if limit < B.minimum_limit(ltx.header, tl_le):
            return self._fail(_C.CHANGE_TRUST_INVALID_LIMIT)
        if limit == 0:
            tl = tl_le.data.trustLine
            if not is_pool_share and B.has_trustline_ext_v2(tl) and tl.ext.v1.ext.v2.liquidityPoolUseCount != 0:
                return self._fail(_C.CHANGE_TRUST_CANNOT_DELETE)
            header = ltx.header
            src = self.load_source_account(ltx)
            remove_entry_with_possible_sponsorship(ltx, header, tl_le, src)
            ltx.erase(key)
            if is_pool_share:
                self._manage_pool_on_deleted_trustline(ltx, tl_asset)
        else:
            if not is_pool_share and ltx.load_without_record(account_key(asset_issuer(self.body.line))) is None:
                return self._fail(_C.CHANGE_TRUST_NO_ISSUER)
            tl_le.data.trustLine.limit = limit
        self.set_code(_C.CHANGE_TRUST_SUCCESS)
        return True

    def _manage_pool_on_deleted_trustline(self, ltx_outer, tl_asset) -> None:
        """managePoolOnDeletedTrustLine."""
        cp_params = self.body.line.liquidityPool.constantProduct
        ltx = LedgerTxn(ltx_outer)
        try:
            decrement_liquidity_pool_use_count(ltx, cp_params.assetA, self.source_id)
            decrement_liquidity_pool_use_count(ltx, cp_params.assetB, self.source_id)
            pool_id = bytes(tl_asset.liquidityPoolID)
            pool_le = ltx.load(liquidity_pool_key(pool_id))
            if pool_le is None:
                raise RuntimeError("liquidity pool is missing")
            decrement_pool_shares_trustline_count(ltx, pool_id, pool_le)
            ltx.commit()
        finally:
            ltx.rollback()

    # -- a new trustline ------------------------------------------------------
    def _create(self, ltx, tl_asset, is_pool_share) -> bool:
        b = self.body
        if b.limit == 0:
            return self._fail(_C.CHANGE_TRUST_INVALID_LIMIT)
        flags = 0
        if not is_pool_share:
            issuer = ltx.load_without_record(account_key(asset_issuer(b.line)))
            if issuer is None:
                return self._fail(_C.CHANGE_TRUST_NO_ISSUER)
            issuer_flags = issuer.data.account.flags
            if not issuer_flags & _AF.AUTH_REQUIRED_FLAG:
                flags = _TLF.AUTHORIZED_FLAG
            if issuer_flags & _AF.AUTH_CLAWBACK_ENABLED_FLAG:
                flags |= _TLF.TRUSTLINE_CLAWBACK_ENABLED_FLAG
        tl = xdr.TrustLineEntry(accountID=self.source_id, asset=tl_asset, balance=0, limit=b.limit,
                                flags=int(flags), ext=xdr.TrustLineEntryExt(0))
        le = xdr.LedgerEntry(lastModifiedLedgerSeq=0, data=xdr.LedgerEntryData(trustLine=tl),
                             ext=xdr.LedgerEntryExt(0))
        if is_pool_share and not self._manage_pool_on_new_trustline(ltx, tl_asset):
            return False
        header = ltx.header
        src = self.load_source_account(ltx)
        res = create_entry_with_possible_sponsorship(ltx, header, le, src)
        if not self.sponsorship_ok(res, _C.CHANGE_TRUST_LOW_RESERVE):
            return False
        ltx.create(le)
        self.set_code(_C.CHANGE_TRUST_SUCCESS)
        return True

    def _try_increment_pool_use_count(self, ltx, asset) -> bool:
        """tryIncrementPoolUseCount."""
        if is_issuer(self.source_id, asset) or asset.type == _AT.ASSET_TYPE_NATIVE:
            return True
        tl_le = ltx.load(trustline_key(self.source_id, asset))
        if tl_le is None:
            return self._fail(_C.CHANGE_TRUST_TRUST_LINE_MISSING)
        tl = tl_le.data.trustLine
        if not B.is_authorized_to_maintain_liabilities(tl):
            return self._fail(_C.CHANGE_TRUST_NOT_AUTH_MAINTAIN_LIABILITIES)
        v2 = B.prepare_trustline_ext_v2(tl)
        if v2.liquidityPoolUseCount == INT32_MAX:
            raise RuntimeError("liquidityPoolUseCount is INT32_MAX")
        v2.liquidityPoolUseCount += 1
        return True

    def _manage_pool_on_new_trustline(self, ltx_outer, tl_asset) -> bool:
        """tryManagePoolOnNewTrustLine: in a child LedgerTxn kept only on success."""
        cp_params = self.body.line.liquidityPool.constantProduct
        ltx = LedgerTxn(ltx_outer)
        try:
            if (not self._try_increment_pool_use_count(ltx, cp_params.assetA)
                    or not self._try_increment_pool_use_count(ltx, cp_params.assetB)):
                return False
            pool_id = bytes(tl_asset.liquidityPoolID)
            pool_le = ltx.load(liquidity_pool_key(pool_id))
            if pool_le is not None:
                cp = constant_product(pool_le)
                if cp.poolSharesTrustLineCount == INT64_MAX:
                    raise RuntimeError("poolSharesTrustLineCount is INT64_MAX")
                cp.poolSharesTrustLineCount += 1
            else:
                cp = xdr.LiquidityPoolEntryConstantProduct(
                    params=cp_params.copy(), reserveA=0, reserveB=0, totalPoolShares=0,
                    poolSharesTrustLineCount=1)
                lp = xdr.LiquidityPoolEntry(
                    liquidityPoolID=pool_id,
                    body=xdr.LiquidityPoolEntryBody(xdr.LiquidityPoolType.LIQUIDITY_POOL_CONSTANT_PRODUCT, cp))
                ltx.create(xdr.LedgerEntry(lastModifiedLedgerSeq=0, data=xdr.LedgerEntryData(liquidityPool=lp),
                                           ext=xdr.LedgerEntryExt(0)))
            ltx.commit()
            return True
        finally:
            ltx.rollback()
