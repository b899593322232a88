"""Fuzzing the XDR decoder with random and mutated input.

Everything the node decodes comes from peers, archives or files, so the
decoder must turn any byte string into either a value or an `XdrError`:
never another exception, a crash (it is C underneath) or a hang, and never a
huge allocation from a forged length prefix.  When a mutated input does
decode, the encoding must still be canonical: the value re-encodes to exactly
the input bytes and decodes back equal.

For each top-level type we decode `INPUTS_PER_TYPE` inputs.  Seeds are valid
encodings: values drawn (deterministically) from the schema strategies and,
when ../shared is present, the real LedgerCloseMeta files and every value of
the type found inside them.  Mutations are made with a seeded
`random.Random`, cheaply, so each run fuzzes the same inputs:

* bit flips and byte replacements,
* truncation, deletion, insertion of random bytes, duplication of a chunk,
* splicing the head of one seed onto the tail of another,
* overwriting an aligned 4-byte word with a hostile length or discriminant
  (0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0, 1, 2, ... the remaining length),
* plus pure random bytes and deeply nested values for the recursive types.

Run with `-s` to see the throughput line each test prints.
"""
import faulthandler
import random
import struct
import time

import pytest

from stellarcore import xdr
from tests.xdr._helpers import TOP_TYPES, encode, mutate, random_input, real_seeds, strategy_seeds

INPUTS_PER_TYPE = 100_000
REAL_INPUTS_PER_TYPE = 20_000   # extra, seeded from ../shared
HANG_SECONDS = 120              # a fuzz loop taking this long is a hang: abort with tracebacks


# ---------------------------------------------------------------- the fuzz loop

class Stats:
    def __init__(self):
        self.inputs = self.values = self.errors = 0
        self.seconds = 0.0

    def line(self, label):
        rate = self.inputs / self.seconds if self.seconds else 0
        return (f"{label}: {self.inputs} inputs, {self.values} decoded, {self.errors} XdrError, "
                f"{self.seconds:.2f}s, {rate:,.0f} inputs/s")


def check_input(T, type_name, data, stats):
    """Decode `data`: a value (then canonical) or XdrError; anything else fails."""
    stats.inputs += 1
    try:
        value = T.from_xdr(data)
    except xdr.XdrError:
        stats.errors += 1
        return
    except BaseException as e:
        raise AssertionError(f"{type_name}.from_xdr raised {type(e).__name__}: {e!r} "
                             f"on input {data.hex()}") from e
    stats.values += 1
    again = encode(type_name, value)
    assert again == data, f"{type_name}: decoded {data.hex()} re-encodes to {again.hex()}"
    assert T.from_xdr(again) == value, f"{type_name}: {data.hex()} does not decode back equal"


def fuzz(type_name, seeds, count, rng, random_share=0.1):
    T = xdr.lookup(type_name)
    stats = Stats()
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    t0 = time.perf_counter()
    try:
        for s in seeds:                          # the seeds themselves must decode
            check_input(T, type_name, s, stats)
        while stats.inputs < count:
            if rng.random() < random_share:
                data = random_input(rng)
            else:
                data = mutate(rng, rng.choice(seeds), seeds)
            check_input(T, type_name, data, stats)
    finally:
        stats.seconds = time.perf_counter() - t0
        faulthandler.cancel_dump_traceback_later()
    return stats


# ---------------------------------------------------------------- tests

@pytest.mark.parametrize("type_name", TOP_TYPES)
def test_fuzz_decode(type_name):
    seeds = strategy_seeds(type_name)
    stats = fuzz(type_name, seeds, INPUTS_PER_TYPE, random.Random(f"fuzz-{type_name}"))
    print("\n" + stats.line(type_name))
    assert stats.inputs >= INPUTS_PER_TYPE
    # the mutations are not all rejected: some decode and are checked canonical
    assert stats.values > len(seeds)


@pytest.mark.parametrize("type_name", TOP_TYPES)
def test_fuzz_decode_real_meta(type_name, shared):
    shared("testdata", "ledger-close-meta-xdr")
    seeds = real_seeds(type_name)
    if not seeds:
        pytest.skip(f"the real LedgerCloseMeta files hold no {type_name}")
    stats = fuzz(type_name, seeds, REAL_INPUTS_PER_TYPE, random.Random(f"real-{type_name}"))
    print("\n" + stats.line(f"{type_name} (real seeds: {len(seeds)})"))
    assert stats.values > len(seeds)


# Nesting far beyond the decoder's limit must end in XdrError, not a
# RecursionError or a blown C stack.
def _nested(head, leaf, depth):
    return head * depth + leaf


DEEP = {
    # SCVal: SCV_VEC, present, one element ... SCV_VOID
    "SCVal": lambda d: _nested(struct.pack(">III", 16, 1, 1), struct.pack(">I", 1), d),
    # ClaimPredicate: NOT, present ... UNCONDITIONAL
    "ClaimPredicate": lambda d: _nested(struct.pack(">II", 3, 1), struct.pack(">I", 0), d),
    # SCPQuorumSet: threshold, no validators, one inner set ... empty set
    "SCPQuorumSet": lambda d: _nested(struct.pack(">III", 1, 0, 1), struct.pack(">III", 1, 0, 0), d),
}


@pytest.mark.parametrize("type_name", sorted(DEEP))
@pytest.mark.parametrize("depth", [10, 300, 2000, 100_000])
def test_deep_nesting(type_name, depth):
    T = xdr.lookup(type_name)
    data = DEEP[type_name](depth)
    try:
        value = T.from_xdr(data)
    except xdr.XdrError as e:
        assert depth > 300, f"depth {depth} refused: {e}"
        assert "nesting deeper" in str(e)
    else:
        assert depth <= 300
        assert value.to_xdr() == data
