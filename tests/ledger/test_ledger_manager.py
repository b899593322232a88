"""The ledger-close pipeline end to end, checked against things we did not
write: mainnet's genesis ledger hash, stellar-sdk (transaction envelopes,
hashes, LedgerCloseMeta decoding), stellar-core's genesis constants and
skip-list rule (BucketManager::calculateSkipValues), and a restarted node
agreeing with one that never stopped.
"""
import hashlib
import types

import pytest

from stellarcore import xdr
from stellarcore.bucket.manager import BucketManager
from stellarcore.database.database import Database
from stellarcore.ledger.ledger_manager import LedgerManager, calculate_skip_values, genesis_header
from stellarcore.xdr.stream import XdrInputStream
from tests.ledger._node import FakeClock, close, root_keypair, sdk_tx, start_node

stellar_sdk = pytest.importorskip("stellar_sdk")

MAINNET = "Public Global Stellar Network ; September 2015"
# Horizon's ledger 1 of the public network (sequence 1, closed_at 1970-01-01,
# base_fee 100, base_reserve 10 XLM, max_tx_set_size 100).
MAINNET_GENESIS_HASH = "39c2a3cd4141b2853e70d84601faa44744660334b48f3228e0309342e3f4eb48"


def _genesis(tmp_path, passphrase):
    cfg = types.SimpleNamespace(NETWORK_PASSPHRASE=passphrase)
    lm = LedgerManager(cfg, Database(str(tmp_path / "db.sqlite")), BucketManager(str(tmp_path / "b")))
    lm.start_new_ledger()
    return lm


def test_protocol_0_genesis_is_mainnets_ledger_1(tmp_path):
    lm = _genesis(tmp_path, MAINNET)
    assert lm.last_closed.hash.hex() == MAINNET_GENESIS_HASH
    h = lm.last_closed.header
    assert (h.ledgerSeq, h.ledgerVersion, h.baseFee, h.baseReserve, h.maxTxSetSize, h.totalCoins) == \
        (1, 0, 100, 100_000_000, 100, 10**18)


def test_genesis_header_hash_is_sha256_of_the_sdk_encoding(tmp_path):
    lm = _genesis(tmp_path, "Standalone Network ; February 2017")
    raw = lm.last_closed.header.to_xdr()
    sdk = stellar_sdk.xdr.LedgerHeader.from_xdr_bytes(raw)
    assert sdk.to_xdr_bytes() == raw
    assert hashlib.sha256(raw).digest() == lm.last_closed.hash


def test_skip_list_follows_stellar_core_rule():
    h = genesis_header()
    marks = {}
    for seq in (49, 50, 100, 5050, 10050, 55050):
        h.ledgerSeq = seq
        h.bucketListHash = seq.to_bytes(32, "big")
        calculate_skip_values(h)
        marks[seq] = [int.from_bytes(x, "big") for x in h.skipList]
    assert marks[49] == [0, 0, 0, 0]
    assert marks[50] == [50, 0, 0, 0]
    assert marks[100] == [100, 0, 0, 0]
    assert marks[5050] == [5050, 100, 0, 0]        # 5050 - 50 is a multiple of 5000
    assert marks[10050] == [10050, 5050, 0, 0]
    assert marks[55050] == [55050, 10050, 5050, 0]   # 55050 - 5050 is a multiple of 50000


@pytest.fixture
def node(tmp_path):
    app = start_node(str(tmp_path / "n"), meta_stream=str(tmp_path / "meta.xdr"))
    yield app
    app.stop()


def test_standalone_upgrades_to_current_protocol_with_upgrade_meta(node):
    close(node, 1)
    assert node.ledger_manager.last_closed.header.ledgerVersion == 0   # LCL close time 0 < upgrade time
    close(node, 1)
    lm = node.ledger_manager
    assert lm.last_closed.header.ledgerVersion == 25
    meta = lm.last_close.meta
    assert meta.v == 0                     # the meta version of the protocol the ledger started with
    kinds = [u.upgrade.type for u in meta.v0.upgradesProcessing]
    assert xdr.LedgerUpgradeType.LEDGER_UPGRADE_VERSION in kinds
    close(node, 1)
    assert lm.last_close.meta.v == 2
    assert lm.soroban_config is not None


def test_transactions_apply_and_meta_stream_decodes_in_sdk(node, tmp_path):
    close(node, 3)
    root = root_keypair(node)
    dest = stellar_sdk.Keypair.random()
    env, sdk_envelope = sdk_tx(node, root, 1,
                               lambda b: b.append_create_account_op(dest.public_key, "1000"))
    status, _ = node.herder.recv_transaction(env)
    assert status == "PENDING"
    close(node, 1)
    lm = node.ledger_manager
    res = lm.last_close.result_set.results
    assert [r.transactionHash for r in res] == [sdk_envelope.hash()]
    assert res[0].result.result.code == xdr.TransactionResultCode.txSUCCESS
    h = lm.last_closed.header
    assert h.txSetResultHash == hashlib.sha256(lm.last_close.result_set.to_xdr()).digest()
    assert h.feePool == 100
    # a payment from the new account
    pay, _ = sdk_tx(node, dest, (h.ledgerSeq << 32) + 1,
                    lambda b: b.append_payment_op(root.public_key, stellar_sdk.Asset.native(), "5"))
    assert node.herder.recv_transaction(pay)[0] == "PENDING"
    close(node, 1)
    assert lm.last_close.result_set.results[0].result.result.code == xdr.TransactionResultCode.txSUCCESS
    with open(tmp_path / "meta.xdr", "rb") as f:
        metas = [stellar_sdk.xdr.LedgerCloseMeta.from_xdr_bytes(bytes(r)) for r in XdrInputStream(f)]
    assert [m.v for m in metas][:3] == [0, 0, 2]
    last = metas[-1]
    assert last.v2.ledger_header.header.ledger_seq.uint32 == lm.last_closed_ledger_num()
    assert last.v2.ledger_header.hash.hash == lm.last_closed.hash
    assert len(last.v2.tx_processing) == 1


def _run(data_dir, restart_at=None, total=8):
    """Close `total` ledgers with the same transactions and close times;
    stop and reopen the node after `restart_at` ledgers."""
    clock = FakeClock()
    app = start_node(data_dir, clock=clock)
    hashes = []
    dest = stellar_sdk.Keypair.from_raw_ed25519_seed(b"\x05" * 32)
    for i in range(total):
        if restart_at is not None and i == restart_at:
            app.stop()
            app = start_node(data_dir, clock=clock)
        if i == 4:
            env, _ = sdk_tx(app, root_keypair(app), 1,
                            lambda b: b.append_create_account_op(dest.public_key, "50"))
            assert app.herder.recv_transaction(env)[0] == "PENDING"
        close(app, 1)
        hashes.append(app.ledger_manager.last_closed.hash)
    app.stop()
    return hashes


def test_restart_resumes_with_identical_hashes(tmp_path):
    straight = _run(str(tmp_path / "a"))
    restarted = _run(str(tmp_path / "b"), restart_at=5)
    assert straight == restarted
    again = _run(str(tmp_path / "c"), restart_at=2)
    assert straight == again
