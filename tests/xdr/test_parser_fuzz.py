"""Fuzzing the `.x` parser: any text ends as a schema or one XdrSyntaxError.

The generator reads schema files that are edited by hand; a typo must give a
message with a line number, never a hang (one was found here: a look-ahead
that ran past the end of the file) or a crash deeper in the emitter.
"""
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stellarcore.xdr.gen import emit_cython
from stellarcore.xdr.gen.parser import XdrSyntaxError, parse_files

VOCAB = ["struct", "union", "enum", "typedef", "const", "switch", "case", "default",
         "void", "opaque", "string", "unsigned", "int", "hyper", "bool", "namespace",
         "{", "}", "(", ")", "[", "]", "<", ">", ";", ":", ",", "=", "*",
         "A", "B", "x", "y", "v", "E", "0", "1", "-1", "0x10", "4294967296", "%#include x\n"]

FUZZ = settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def parse_text(tmp_path, text):
    p = tmp_path / "F.x"
    p.write_text(text)
    return parse_files([str(p)])


def emit_all(schema):
    """The emitter must handle whatever the parser accepted."""
    for module in schema.modules:
        em = emit_cython.ModuleEmitter(schema, module, "F.x")
        em.emit_pyx()
        em.emit_pxd()


@FUZZ
@given(st.lists(st.sampled_from(VOCAB), max_size=60))
def test_token_soup(tmp_path_factory, tokens):
    tmp = tmp_path_factory.mktemp("soup")
    try:
        schema = parse_text(tmp, " ".join(tokens))
    except XdrSyntaxError:
        return
    emit_all(schema)


def _mutations(text, rng):
    toks = text.split()
    for _ in range(rng.randrange(1, 4)):
        op = rng.randrange(4)
        i = rng.randrange(len(toks))
        if op == 0:
            del toks[i]
        elif op == 1:
            toks.insert(i, rng.choice(VOCAB))
        elif op == 2:
            j = rng.randrange(len(toks))
            toks[i], toks[j] = toks[j], toks[i]
        else:
            toks[i] = rng.choice(VOCAB)
    return " ".join(toks)


def test_mutated_real_schema_files(shared, tmp_path):
    """Small edits of the real Stellar-types.x and Stellar-SCP.x."""
    base = shared("xdr", "Stellar-types.x").read_text()
    scp = shared("xdr", "Stellar-SCP.x").read_text()
    rng = random.Random(25)
    accepted = 0
    for i in range(300):
        (tmp_path / "Stellar-types.x").write_text(_mutations(base, rng) if i % 2 else base)
        (tmp_path / "Stellar-SCP.x").write_text(scp if i % 2 else _mutations(scp, rng))
        try:
            schema = parse_files([str(tmp_path / "Stellar-types.x"), str(tmp_path / "Stellar-SCP.x")])
        except XdrSyntaxError:
            continue
        accepted += 1
        emit_all(schema)
    assert accepted < 300


@pytest.mark.parametrize("text, message", [
    ("struct A { Missing m; };", "unknown type Missing"),
    ("union U switch (int v) { case 0: void; case 0: int x; };", "case appears twice"),
    ("enum E { A = 1 }; union U switch (E e) { case 2: void; };", "not a value of E"),
    ("struct A { int x; int x; };", "duplicate field"),
    ("typedef A B; typedef B A;", "typedef cycle"),
    ("struct A { int x; }; struct A { int y; };", "defined twice"),
    ("struct S { int x; }; union U switch (S s) { case 0: void; };", "must switch on"),
])
def test_semantic_errors(tmp_path, text, message):
    with pytest.raises(XdrSyntaxError, match=message):
        parse_text(tmp_path, text)
