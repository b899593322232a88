"""The generator: reproducible output, the parser, and language features that
Stellar's schema does not use (default arms, bool switches), compiled for real.
"""
import importlib
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

import stellarcore
from stellarcore.xdr.gen import generate
from stellarcore.xdr.gen.parser import XdrSyntaxError, order_by_includes, parse_files

PKG_DIR = pathlib.Path(stellarcore.__file__).parent
GENERATED = PKG_DIR / "xdr" / "_generated"


def test_committed_files_equal_a_fresh_generation(shared):
    files = generate(str(shared("xdr")))
    committed = {p.name for p in GENERATED.iterdir() if p.suffix in (".py", ".pyx", ".pxd")}
    assert set(files) == committed
    for name, text in files.items():
        assert (GENERATED / name).read_text() == text, f"{name} is out of date: run python -m stellarcore.xdr.gen"


def test_every_schema_file_is_parsed(shared):
    paths = order_by_includes([str(p) for p in shared("xdr").glob("*.x")])
    assert [os.path.basename(p) for p in paths][:1] == ["Stellar-types.x"]
    schema = parse_files(paths)
    kinds = {}
    for d in schema.defs.values():
        kinds[type(d).__name__] = kinds.get(type(d).__name__, 0) + 1
    assert kinds["Struct"] > 200 and kinds["Union_"] > 100 and kinds["Enum"] > 80


def _parse_text(tmp_path, text):
    p = tmp_path / "Test.x"
    p.write_text(text)
    return parse_files([str(p)])


@pytest.mark.parametrize("text, where", [
    ("struct A { int x };", "Test.x:1"),
    ("struct A {\n int x;\n bogus y z;\n};", "Test.x:3"),
    ("union U switch (int v) { int x; };", "Test.x:1"),
    ("typedef opaque H[NOPE];", "unknown constant"),
    ("struct A { float f; };", "floating point"),
    ("enum E { A = 1, A2 = @ };", "unexpected"),
])
def test_syntax_errors_name_the_line(tmp_path, text, where):
    with pytest.raises(XdrSyntaxError, match=where):
        _parse_text(tmp_path, text)


SYNTH = textwrap.dedent("""
    %#include "xdr/Stellar-types.h"
    namespace synth {
    const MAXN = 3;
    enum Color { RED = 0, GREEN = 1, BLUE = 5 };
    typedef opaque Blob<MAXN>;
    struct Point { int x; unsigned hyper y; bool flag; Color c; };
    union Shape switch (Color kind) {
    case RED: Point p;
    case GREEN: void;
    default: int other;
    };
    union Flagged switch (bool on) { case TRUE: string name<8>; case FALSE: void; };
    union ByInt switch (int v) {
    case 0: void;
    case 1:
    case 2: Point twoCases;
    default: void;
    };
    struct Node { int value; Node *next; Node children<2>; Blob data; Point fixed[2]; };
    struct Holder {
        union switch (int v) { case 0: void; case 1: struct { int a; } one; } inner;
    };
    }
    """)


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    """Generate, compile and import a package from SYNTH (about 20 s)."""
    pytest.importorskip("Cython")
    if shutil.which("gcc") is None and shutil.which("cc") is None:
        pytest.skip("no C compiler")
    root = tmp_path_factory.mktemp("synth")
    xdr_dir = root / "x"
    xdr_dir.mkdir()
    (xdr_dir / "Synth.x").write_text(SYNTH)
    pkg = root / "synthpkg"
    pkg.mkdir()
    for name, text in generate(str(xdr_dir), package="synthpkg").items():
        (pkg / name).write_text(text)
    setup = root / "setup.py"
    setup.write_text(textwrap.dedent(f"""
        from setuptools import setup
        from Cython.Build import cythonize
        setup(ext_modules=cythonize(["synthpkg/synth.pyx"], quiet=True,
              include_path=[{str(PKG_DIR.parent)!r}]))
    """))
    r = subprocess.run([sys.executable, str(setup), "build_ext", "--inplace", "-q"],
                       cwd=root, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("synthpkg.synth"), importlib.import_module("synthpkg.enums")
    finally:
        sys.path.remove(str(root))


def test_synth_default_arm(synth):
    m, e = synth
    blue = m.Shape(kind=e.Color.BLUE, other=-7)
    assert blue.to_xdr() == bytes.fromhex("00000005fffffff9")
    back = m.Shape.from_xdr(blue.to_xdr())
    assert back.other == -7 and back.p is None and back.kind == e.Color.BLUE
    green = m.Shape.from_xdr(bytes.fromhex("00000001"))
    assert green.xdr_arm() is None
    from stellarcore.xdr import XdrError
    with pytest.raises(XdrError, match="Color"):
        m.Shape.from_xdr(bytes.fromhex("00000003"))   # not a Color, so not the default arm


def test_synth_int_default_and_shared_arm(synth):
    m, _ = synth
    assert m.ByInt.from_xdr(bytes.fromhex("00000007")).xdr_arm() is None
    two = m.ByInt.from_xdr(bytes.fromhex("00000002") + m.Point(x=1).to_xdr())
    assert two.twoCases.x == 1
    assert m.ByInt(v=1, twoCases=m.Point(x=3)) < m.ByInt(v=2, twoCases=m.Point(x=0))


def test_synth_bool_switch(synth):
    m, _ = synth
    on = m.Flagged(on=True, name=b"abc")
    assert on.to_xdr() == bytes.fromhex("00000001" "00000003" "61626300")
    assert m.Flagged.from_xdr(bytes.fromhex("00000000")).xdr_arm() is None
    from stellarcore.xdr import XdrError
    with pytest.raises(XdrError, match="bool"):
        m.Flagged.from_xdr(bytes.fromhex("00000002"))


def test_synth_recursion_optional_fixed_arrays(synth):
    m, _ = synth
    leaf = m.Node(value=2, data=b"xyz")
    n = m.Node(value=1, next=leaf, children=[leaf, leaf])
    assert len(n.fixed) == 2
    assert m.Node.from_xdr(n.to_xdr()) == n
    from stellarcore.xdr import XdrError
    with pytest.raises(XdrError, match="maximum 2"):
        m.Node(children=[leaf] * 3).to_xdr()
    with pytest.raises(XdrError, match="maximum 3"):
        m.Node(data=b"toolong").to_xdr()


def test_synth_hoisted_anonymous_types(synth):
    m, _ = synth
    h = m.Holder(inner=m.HolderInner(v=1, one=m.HolderOne(a=9)))
    assert m.Holder.from_xdr(h.to_xdr()).inner.one.a == 9
