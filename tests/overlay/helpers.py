"""Shared helpers for overlay tests: in-process nodes on loopback, waiting,
and transactions/SCP envelopes built with stellar-sdk (an encoder we did
not write) and decoded with ours."""
from __future__ import annotations

import random

import gevent

from stellarcore import xdr
from stellarcore.crypto.keys import SecretKey
from stellarcore.overlay.config import OverlayConfig
from stellarcore.overlay.herder_api import SimpleHerder
from stellarcore.overlay.manager import OverlayManager

PASSPHRASE = "Test SDF Network ; September 2015"


def fast_config(**kw) -> OverlayConfig:
    base = dict(peer_port=0, listen_address="127.0.0.1", run_standalone=True,
                allow_localhost_for_testing=True, network_passphrase=PASSPHRASE,
                peer_authentication_timeout=0.5, recurrent_timer_period=0.1,
                flood_advert_period_ms=20, flood_demand_period_ms=20,
                flood_demand_backoff_delay_ms=5000)
    base.update(kw)
    return OverlayConfig(**base)


def make_node(herder=None, **kw) -> OverlayManager:
    herder = herder or SimpleHerder()
    m = OverlayManager(fast_config(**kw), herder)
    if isinstance(herder, SimpleHerder):
        herder.attach(m)
    m.start()
    return m


def wait_until(pred, timeout=5.0, step=0.01) -> bool:
    deadline = gevent.get_hub().loop.now() + timeout
    while gevent.get_hub().loop.now() < deadline:
        if pred():
            return True
        gevent.sleep(step)
    return pred()


def connect(a: OverlayManager, b: OverlayManager):
    a.connect_to(f"127.0.0.1:{b.listening_port}")


def sdk_transaction(i: int, source_seed: bytes | None = None):
    """A payment envelope encoded by stellar-sdk, decoded by our codec."""
    from stellar_sdk import Account, Asset, Keypair, Network, TransactionBuilder
    kp = Keypair.from_raw_ed25519_seed(source_seed or random.randbytes(32))
    dest = Keypair.from_raw_ed25519_seed(bytes([7]) * 32).public_key
    tx = (TransactionBuilder(Account(kp.public_key, i), Network.TESTNET_NETWORK_PASSPHRASE, base_fee=100)
          .append_payment_op(dest, Asset.native(), str(1 + i % 1000)).add_time_bounds(0, 0).build())
    tx.sign(kp)
    return xdr.TransactionEnvelope.from_xdr(tx.to_xdr_object().to_xdr_bytes())


def scp_envelope(slot: int, node: SecretKey | None = None, counter: int = 1):
    """An SCP EXTERNALIZE envelope (the overlay never checks its signature)."""
    node = node or SecretKey.random()
    st = xdr.SCPStatement(
        nodeID=xdr.PublicKey(ed25519=node.public_key.ed25519), slotIndex=slot,
        pledges=xdr.SCPStatementPledges(externalize=xdr.SCPStatementExternalize(
            commit=xdr.SCPBallot(counter=counter, value=b"v%d" % slot), nH=counter,
            commitQuorumSetHash=bytes(32))))
    return xdr.SCPEnvelope(statement=st, signature=node.sign(st.to_xdr()))


def shutdown_all(nodes):
    for n in nodes:
        n.shutdown()
    gevent.sleep(0)
