"""Tx sets of stellar-core's ledger-close-meta files (written by its
LedgerCloseMetaStreamTests "meta stream contains reasonable meta"):
their hash is the header's txSetHash, our apply order is the order of
txProcessing, the sets are valid for their ledger, and rebuilding them
from their transactions gives the same XDR (none was surge priced)."""
import pytest

from stellarcore import xdr
from stellarcore.crypto import txhash
from stellarcore.herder.tx_set import (CLASSIC, SOROBAN, TxSetXDRFrame, prepare_for_apply, validity_problem)
from stellarcore.herder.tx_set_builder import make_tx_set_from_transactions
from stellarcore.soroban import network_config as nc
from tests.conftest import shared_path
from tests.soroban._netcfg import config, genesis_root

NID = txhash.network_id("(V) (;,,;) (V)")
FILES = ["ledger-close-meta-v2-protocol-23", "ledger-close-meta-v2-protocol-24",
         "ledger-close-meta-enable-classic-events-v2-protocol-23",
         "ledger-close-meta-enable-classic-events-v2-protocol-24",
         "ledger-close-meta-v2-protocol-23-soroban", "ledger-close-meta-v2-protocol-24-soroban",
         "ledger-close-meta-enable-classic-events-v2-protocol-23-soroban",
         "ledger-close-meta-enable-classic-events-v2-protocol-24-soroban"]


def _lcm(name):
    path = shared_path("testdata", "ledger-close-meta-xdr", name + ".xdr")
    return xdr.LedgerCloseMeta.from_xdr(path.read_bytes()).xdr_value()


def _lcl(lcm):
    """The previous ledger as far as the tx set cares: the same version,
    base fee and limits, and the tx set's previous hash."""
    header = lcm.ledgerHeader.header.copy()
    header.ledgerSeq -= 1
    return header, bytes(lcm.txSet.v1TxSet.previousLedgerHash)


def _high_limits(version):
    """stellar-core's test Soroban settings (TESTING_SOROBAN_HIGH_LIMIT_OVERRIDE)."""
    return config(genesis_root(version, nc.SorobanConfigOverrides(soroban_high_limit_override=True)))


@pytest.mark.parametrize("name", FILES)
def test_hash_is_the_headers_tx_set_hash(name):
    lcm = _lcm(name)
    frame = TxSetXDRFrame(lcm.txSet)
    assert frame.hash == lcm.ledgerHeader.header.scpValue.txSetHash
    assert TxSetXDRFrame.from_bytes(lcm.txSet.to_xdr()).hash == frame.hash
    assert prepare_for_apply(lcm.txSet, NID).hash == frame.hash


@pytest.mark.parametrize("name", FILES)
def test_apply_order_is_tx_processing_order(name):
    lcm = _lcm(name)
    ts = prepare_for_apply(lcm.txSet, NID)
    want = [bytes(tp.result.transactionHash) for tp in lcm.txProcessing]
    classic = [f.contents_hash for f, _ in ts.classic_apply_order()]
    soroban = [f.contents_hash for st in ts.soroban_stages_apply_order() for c in st for f, _ in c]
    assert classic + soroban == want
    assert [f.contents_hash for f, _ in ts.apply_order()] == want
    # every fee charged is what the component base fee gives
    for (frame, base_fee), tp in zip(ts.apply_order(), lcm.txProcessing):
        assert base_fee == 100
        if not frame.is_soroban:
            assert tp.result.result.feeCharged == frame.get_fee(lcm.ledgerHeader.header, base_fee, True)
    assert ts.size_tx() == len(want) == len(ts.all_frames())


@pytest.mark.parametrize("name", FILES)
def test_sets_are_valid_for_their_ledger(name):
    lcm = _lcm(name)
    header, prev = _lcl(lcm)
    ts = prepare_for_apply(lcm.txSet, NID)
    assert validity_problem(ts, None, (header, prev), _high_limits(header.ledgerVersion),
                            txs_are_validated=True) is None
    # on top of another ledger it is not
    assert validity_problem(ts, None, (header, b"\1" * 32), _high_limits(header.ledgerVersion),
                            txs_are_validated=True) is not None


@pytest.mark.parametrize("name", FILES)
def test_rebuilding_gives_the_same_xdr(name):
    lcm = _lcm(name)
    header, prev = _lcl(lcm)
    per_phase = TxSetXDRFrame(lcm.txSet).envelopes_per_phase()
    built = make_tx_set_from_transactions(per_phase, (header, prev), NID, None,
                                          soroban_config=_high_limits(header.ledgerVersion),
                                          skip_validation=True)
    assert built.frame.encoded == lcm.txSet.to_xdr()
    assert built.frame.hash == lcm.ledgerHeader.header.scpValue.txSetHash
    assert built.applicable.size_tx(CLASSIC) == len(per_phase[CLASSIC])
    assert built.applicable.size_tx(SOROBAN) == len(per_phase[SOROBAN])
    # the same whatever order the transactions come in
    shuffled = [list(reversed(p)) for p in per_phase]
    again = make_tx_set_from_transactions(shuffled, (header, prev), NID, None,
                                          soroban_config=_high_limits(header.ledgerVersion),
                                          skip_validation=True)
    assert again.frame.encoded == built.frame.encoded
