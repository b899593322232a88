"""Small helpers over XDR types that stellar-core keeps in util/types.

Kept at the util level (below ledger/ and transactions/) because the meta
normalizer and the JSON tooling need them too.
"""
from __future__ import annotations

from stellarcore import xdr

_T = xdr.LedgerEntryType


def ledger_entry_key(entry) -> "xdr.LedgerKey":
    """The LedgerKey of a LedgerEntry (stellar-core's `LedgerEntryKey`)."""
    d = entry.data
    t = d.type
    if t == _T.ACCOUNT:
        return xdr.LedgerKey(account=xdr.LedgerKeyAccount(accountID=d.account.accountID))
    if t == _T.TRUSTLINE:
        tl = d.trustLine
        return xdr.LedgerKey(trustLine=xdr.LedgerKeyTrustLine(accountID=tl.accountID, asset=tl.asset))
    if t == _T.OFFER:
        o = d.offer
        return xdr.LedgerKey(offer=xdr.LedgerKeyOffer(sellerID=o.sellerID, offerID=o.offerID))
    if t == _T.DATA:
        dd = d.data
        return xdr.LedgerKey(data=xdr.LedgerKeyData(accountID=dd.accountID, dataName=dd.dataName))
    if t == _T.CLAIMABLE_BALANCE:
        return xdr.LedgerKey(claimableBalance=xdr.LedgerKeyClaimableBalance(
            balanceID=d.claimableBalance.balanceID))
    if t == _T.LIQUIDITY_POOL:
        return xdr.LedgerKey(liquidityPool=xdr.LedgerKeyLiquidityPool(
            liquidityPoolID=d.liquidityPool.liquidityPoolID))
    if t == _T.CONTRACT_DATA:
        cd = d.contractData
        return xdr.LedgerKey(contractData=xdr.LedgerKeyContractData(
            contract=cd.contract, key=cd.key, durability=cd.durability))
    if t == _T.CONTRACT_CODE:
        return xdr.LedgerKey(contractCode=xdr.LedgerKeyContractCode(hash=d.contractCode.hash))
    if t == _T.CONFIG_SETTING:
        return xdr.LedgerKey(configSetting=xdr.LedgerKeyConfigSetting(
            configSettingID=d.configSetting.xdr_disc()))
    if t == _T.TTL:
        return xdr.LedgerKey(ttl=xdr.LedgerKeyTtl(keyHash=d.ttl.keyHash))
    raise ValueError(f"unknown ledger entry type {t!r}")
