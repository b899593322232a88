"""Properties of tx sets (hypothesis): decoding any bytes gives a set or
one MalformedTxSet, never another exception; building is independent of
the order the transactions come in, and what it builds is valid and
within the limits."""
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stellarcore.crypto import txhash
from stellarcore.herder.tx_set import CLASSIC, MalformedTxSet, TxSetXDRFrame, check_valid
from stellarcore.herder.tx_set_builder import make_tx_set_from_transactions
from tests.conftest import shared_path
from tests.herder._txset_support import NETWORK_ID, add_account, dex_tx, lcl_of, new_ledger, self_payment

NID = txhash.network_id("(V) (;,,;) (V)")


def _seed_sets():
    from stellarcore import xdr
    out = []
    for name in ("ledger-close-meta-v2-protocol-23", "ledger-close-meta-v2-protocol-24-soroban"):
        path = shared_path("testdata", "ledger-close-meta-xdr", name + ".xdr")
        out.append(xdr.LedgerCloseMeta.from_xdr(path.read_bytes()).xdr_value().txSet.to_xdr())
    return out


def _decode(data: bytes):
    try:
        frame = TxSetXDRFrame.from_bytes(data)
        return frame.prepare_for_apply(NID)
    except MalformedTxSet:
        return None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_decode_cleanly(data):
    _decode(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_real_sets_decode_cleanly(data):
    seeds = _seed_sets()
    raw = bytearray(data.draw(st.sampled_from(seeds)))
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        pos = data.draw(st.integers(0, max(0, len(raw) - 1)))
        if kind == "flip" and raw:
            raw[pos] ^= 1 << data.draw(st.integers(0, 7))
        elif kind == "cut":
            del raw[pos:pos + data.draw(st.integers(1, 8))]
        else:
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=8))
    ts = _decode(bytes(raw))
    if ts is not None:
        # whatever decodes has a consistent apply order
        assert len(ts.apply_order()) == ts.size_tx()


_LEDGER = None


def _ledger_with_accounts():
    global _LEDGER
    if _LEDGER is None:
        led = new_ledger(max_tx_set_size=20)
        accs = [add_account(led, f"prop{i}") for i in range(12)]
        _LEDGER = (led, accs)
    return _LEDGER


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 6), st.integers(100, 3000), st.booleans()), min_size=1, max_size=12),
       st.randoms(use_true_random=False), st.sampled_from([None, 4, 8]))
def test_building_is_permutation_invariant(specs, rnd, max_dex):
    led, accs = _ledger_with_accounts()
    txs = []
    for acc, (ops, op_fee, dex) in zip(accs, specs):
        txs.append((dex_tx if dex else self_payment)(acc, ops, ops * op_fee))
    lcl = lcl_of(led)
    built = make_tx_set_from_transactions([txs, []], lcl, NETWORK_ID, led.root_store, max_dex_ops=max_dex)
    shuffled = list(txs)
    random.Random(rnd.random()).shuffle(shuffled)
    again = make_tx_set_from_transactions([shuffled, []], lcl, NETWORK_ID, led.root_store, max_dex_ops=max_dex)
    assert again.frame.encoded == built.frame.encoded
    ts = built.applicable
    assert ts.size(CLASSIC) <= 20
    if max_dex is not None:
        dex_ops = sum(f.num_operations for f, _ in ts.classic_apply_order()
                      if any(op.is_dex_operation for op in f.op_frames))
        assert dex_ops <= max_dex
    assert check_valid(ts, led.root_store, lcl, None)
    # not surge priced exactly when everything fit
    total_ops = sum(o for o, _, _ in specs[:len(accs)])
    dex_total = sum(o for o, _, d in specs[:len(accs)] if d)
    fits = total_ops <= 20 and (max_dex is None or dex_total <= max_dex)
    assert (ts.size_tx() == len(txs)) == fits
    if fits:
        assert {b for _, b in ts.classic_apply_order()} == {100}
