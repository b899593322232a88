"""Ledgers with Soroban settings for the network-config tests."""
from stellarcore import xdr
from stellarcore.ledger.ledger_txn import InMemoryRoot, LedgerTxn
from stellarcore.soroban import network_config as nc
from stellarcore.soroban import network_config_testing as nct

CS = xdr.ConfigSettingID


def genesis_root(protocol, overrides=nc.PRODUCTION):
    """A root holding stellar-core's USE_CONFIG_FOR_GENESIS settings of
    `protocol` (LedgerManagerImpl::startNewLedger: a LedgerTxn that does
    not stamp lastModified, header ledgerSeq 1)."""
    root = InMemoryRoot(xdr.LedgerHeader(ledgerVersion=protocol, ledgerSeq=1, baseReserve=5_000_000))
    ltx = LedgerTxn(root, False)
    nct.initialize_genesis_ledger_for_testing(protocol, ltx, overrides)
    ltx.commit()
    return root


def next_ledger(root, seq=None):
    """A LedgerTxn for the next ledger (header ledgerSeq advanced)."""
    root.header.ledgerSeq = seq if seq is not None else root.header.ledgerSeq + 1
    return LedgerTxn(root)


def config(store):
    return nc.SorobanNetworkConfig.load_from_ledger(store)


def setting(store, sid):
    return nc.read_config_setting(store, sid)


def window(store):
    return list(setting(store, CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW).liveSorobanStateSizeWindow)


def set_window(root, values):
    """Put `values` into the window directly (stellar-core's test helper
    updateStateSizeWindowSetting)."""
    ltx = LedgerTxn(root)
    nc.update_state_size_window_setting(ltx, lambda w: w.__setitem__(slice(None), list(values)))
    ltx.commit()
