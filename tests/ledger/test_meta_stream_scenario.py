"""stellar-core v25.0.1 src/ledger/test/LedgerCloseMetaStreamTests.cpp,
TEST_CASE "meta stream contains reasonable meta", SECTIONs "stellar
classic" and "stellar classic enabling classic events", for protocols 23
and 24, replayed from genesis (tests/ledger/_meta_stream_scenario.py).

Ledger 10's LedgerCloseMeta, normalized as stellar-core's normalizeMeta,
must equal the recorded file byte for byte. Its header's
previousLedgerHash chains every earlier ledger (the genesis, the three
Soroban transactions of prepareSorobanNetworkConfigUpgrade, the config
upgrade, the account creations, the trustline), so this checks the whole
close pipeline: fees, apply, meta, upgrades, eviction, the state-size
window, both bucket lists, the skip list and the signed StellarValue.
"""
from __future__ import annotations

import os

import pytest

from stellarcore import xdr
from stellarcore.util.meta import normalize_ledger_close_meta
from tests.ledger import _meta_stream_scenario as S
from tests.soroban.sorobantest import skip_reason

CASES = [(p, ev) for p in (23, 24) for ev in (False, True)]


def _expected(protocol: int, classic_events: bool):
    path = S.expected_meta_path(protocol, classic_events)
    if not os.path.exists(path):
        pytest.skip(f"{path} is absent (../shared)")
    with open(path, "rb") as f:
        return xdr.LedgerCloseMeta.from_xdr(f.read())


def _require_host():
    reason = skip_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def runs():
    """One replay per (protocol, classic events), shared by the tests."""
    _require_host()
    cache = {}

    def get(protocol: int, classic_events: bool):
        key = (protocol, classic_events)
        if key not in cache:
            cache[key] = S.run(protocol, classic_events)
        return cache[key]
    return get


def test_node_seed_is_the_recorded_signer():
    """pseudoRandomForTestingFromSeed(12345) (std::minstd_rand) gives the
    key that signed the recorded ledger 10's StellarValue."""
    lcm = _expected(23, False).xdr_value()
    sig = lcm.ledgerHeader.header.scpValue.ext.lcValueSignature
    ours = S.pseudo_random_for_testing_from_seed(12345)
    assert ours.public_key.ed25519 == bytes(sig.nodeID.ed25519)
    assert ours.strkey_public() == "GDDOUW25MRFLNXQMN3OODP6JQEXSGLMHAFZV4XPQ2D3GA4QFIDMEJG2O"


@pytest.mark.parametrize("protocol,classic_events", CASES)
def test_ledger_10_header(runs, protocol, classic_events):
    """Field by field first, so a regression names the first field that
    differs (previousLedgerHash = an earlier ledger, bucketListHash = the
    state, scpValue = the tx set or the signature...)."""
    want = _expected(protocol, classic_events).xdr_value().ledgerHeader
    got = runs(protocol, classic_events).closed[10].header_entry
    assert S.header_differences(got.header, want.header) == []
    assert got.hash == bytes(want.hash)


@pytest.mark.parametrize("protocol,classic_events", CASES)
def test_ledger_10_meta_matches_recorded(runs, protocol, classic_events):
    want = _expected(protocol, classic_events)
    ours = runs(protocol, classic_events).closed[10].meta
    normalize_ledger_close_meta(ours)
    o, e = ours.xdr_value(), want.xdr_value()
    assert o.txSet.to_xdr() == e.txSet.to_xdr()
    assert [t.result.to_xdr() for t in o.txProcessing] == [t.result.to_xdr() for t in e.txProcessing]
    for a, b in zip(o.txProcessing, e.txProcessing):
        assert a.to_xdr() == b.to_xdr()
    assert o.totalByteSizeOfLiveSorobanState == e.totalByteSizeOfLiveSorobanState
    assert ours.to_xdr() == want.to_xdr()


@pytest.mark.parametrize("protocol", (23, 24))
def test_classic_events_do_not_change_the_chain(runs, protocol):
    """Events live in the meta only: both sections close the same ledgers
    (the recorded files agree on the header hash)."""
    assert (runs(protocol, False).closed[10].header_entry.hash
            == runs(protocol, True).closed[10].header_entry.hash
            == bytes(_expected(protocol, True).xdr_value().ledgerHeader.hash))


def test_the_config_upgrade_took_effect(runs):
    """modifySorobanNetworkConfig: ledger 5 carries the one CONFIG upgrade;
    its set leaves out the unchanged cost parameters and the settings no
    upgrade may touch (getConfigUpgradeSetFromLoadConfig)."""
    run = runs(23, False)
    ups = run.closed[5].meta.xdr_value().upgradesProcessing
    assert len(ups) == 1
    assert ups[0].upgrade.type == xdr.LedgerUpgradeType.LEDGER_UPGRADE_CONFIG
    ids = [e.configSettingID for e in run.upgrade_set.updatedEntry]
    CS = xdr.ConfigSettingID
    assert CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_CPU_INSTRUCTIONS not in ids
    assert CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW not in ids
    assert not run.closed[4].meta.xdr_value().upgradesProcessing
