"""A node for tests: Application on a temp dir with a fake clock and
MANUAL_CLOSE, plus stellar-sdk helpers to build transactions (the SDK is
the independent oracle for envelopes, hashes and meta decoding)."""
from __future__ import annotations

import time

from stellarcore import xdr
from stellarcore.crypto.keys import SecretKey
from stellarcore.herder.herder import ManualClock
from stellarcore.main.application import Application
from stellarcore.main.config import Config
from stellarcore.scp.quorum import QSet

START_TIME = 1_700_000_000


def FakeClock(t: int = START_TIME) -> ManualClock:
    """The herder's manual clock, starting at START_TIME."""
    return ManualClock(t)


def make_config(data_dir, *, seed: bytes = b"\x07" * 32, meta_stream: str = ""):
    cfg = Config.default_standalone(data_dir)
    cfg.NODE_SEED = SecretKey(seed)
    cfg.quorum_qset = QSet(1, (cfg.node_id,), ())     # a quorum of one: itself
    cfg.MANUAL_CLOSE = True
    cfg.HTTP_PORT = 0
    cfg.TESTING_UPGRADE_DATETIME = START_TIME
    cfg.TESTING_UPGRADE_MAX_TX_SET_SIZE = 1000
    cfg.METADATA_OUTPUT_STREAM = meta_stream
    cfg.DISABLE_XDR_FSYNC = True
    return cfg


def start_node(data_dir, clock=None, **kw) -> Application:
    app = Application(make_config(data_dir, **kw), keep_meta=True, clock=clock or FakeClock())
    app.start()
    return app


def close(app, n: int = 1, step: int = 5) -> None:
    """Close `n` ledgers, `step` seconds apart."""
    for _ in range(n):
        app.clock.t += step
        app.herder.manual_close()


def root_keypair(app):
    from stellar_sdk import Keypair
    return Keypair.from_raw_ed25519_seed(app.config.network_id)


def sdk_tx(app, source_kp, seq: int, build, fee: int = 100):
    """An envelope signed by stellar-sdk; `build(builder)` adds operations."""
    from stellar_sdk import Account, TransactionBuilder
    b = TransactionBuilder(Account(source_kp.public_key, seq - 1),
                           network_passphrase=app.config.NETWORK_PASSPHRASE, base_fee=fee)
    build(b)
    tx = b.add_time_bounds(0, 0).build()
    tx.sign(source_kp)
    return xdr.TransactionEnvelope.from_xdr_base64(tx.to_xdr()), tx


def account_seq(app, account_id_strkey: str) -> int:
    from stellar_sdk import Keypair
    pk = xdr.PublicKey(xdr.PublicKeyType.PUBLIC_KEY_TYPE_ED25519, Keypair.from_public_key(account_id_strkey).raw_public_key())
    e = app.ledger_manager.load_entry(xdr.LedgerKey(xdr.LedgerEntryType.ACCOUNT, xdr.LedgerKeyAccount(accountID=pk)))
    return None if e is None else e.data.account.seqNum


def now() -> float:
    return time.time()
