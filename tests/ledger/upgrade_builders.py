"""LedgerUpgrade values by kind (stellar-core's UpgradesTests helpers
makeProtocolVersionUpgrade, makeBaseFeeUpgrade, ...), shared by the
herder-side and the apply-side upgrade tests."""
from stellarcore import xdr


def version(v):
    return xdr.LedgerUpgrade(newLedgerVersion=v)


def base_fee(v):
    return xdr.LedgerUpgrade(newBaseFee=v)


def tx_count(v):
    return xdr.LedgerUpgrade(newMaxTxSetSize=v)


def base_reserve(v):
    return xdr.LedgerUpgrade(newBaseReserve=v)


def flags(v):
    return xdr.LedgerUpgrade(newFlags=v)


def soroban_tx_count(v):
    return xdr.LedgerUpgrade(newMaxSorobanTxSetSize=v)


def config_upgrade(key):
    return xdr.LedgerUpgrade(newConfig=key)
