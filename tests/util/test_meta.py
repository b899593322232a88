"""normalize_ledger_close_meta sorts changes exactly as stellar-core does.

stellar-core ran its normalizeMeta over every file in
../shared/testdata/ledger-close-meta before writing it, so each group of
changes there is in stellar-core's order (by LedgerKey with xdrpp's
operator<, then change type, then hash).  Shuffling the groups and
normalizing must give back the file exactly.
"""
import random

import pytest

from stellarcore import xdr
from stellarcore.util.meta import normalize_ledger_close_meta
from tests.xdr.test_ledger_close_meta import NAMES


def groups(lcm):
    for tx in lcm.v2.txProcessing:
        yield tx.feeProcessing
        body = tx.txApplyProcessing.xdr_value()
        yield body.txChangesBefore
        yield body.txChangesAfter
        for op in body.operations:
            yield op.changes
    for u in lcm.v2.upgradesProcessing:
        yield u.changes


@pytest.mark.parametrize("name", NAMES)
def test_shuffled_meta_normalizes_to_stellar_core_order(name, shared):
    raw = shared("testdata", "ledger-close-meta-xdr", name + ".xdr").read_bytes()
    lcm = xdr.LedgerCloseMeta.from_xdr(raw)
    rng = random.Random(name)
    multi = 0
    for g in groups(lcm):
        if len({c.to_xdr() for c in g}) > 1:
            multi += 1
        rng.shuffle(g)
    assert multi > 0          # there is something to sort
    normalize_ledger_close_meta(lcm)
    assert lcm.to_xdr() == raw
