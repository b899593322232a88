"""Hypothesis strategies for every XDR type, built from `xdr.SCHEMA` alone.

Why from the schema and not by hand: the codec is generated from the `.x`
files, so hand-written strategies would cover a handful of types and go stale.
Walking the schema data reaches every struct field, every union arm and every
enum member of all 463 types, and stays in step with the generator.

`values_of("LedgerEntry")` gives a strategy of *valid* values: integers over
their whole range (the extremes are drawn on purpose), enums only as declared,
fixed opaque at its exact length, variable data and arrays within their
bounds.  Two things are capped so generation stays fast:

* sizes: unbounded byte strings hold at most `MAX_BYTES` bytes, arrays at most
  a few elements, fewer the deeper they are nested (3 at the top, 1 below
  three array levels), so a LedgerCloseMeta stays a few kilobytes;
* recursion: a path may enter a recursive type (SCVal, ClaimPredicate,
  SorobanAuthorizedInvocation, SCPQuorumSet, SCSpecTypeDef...) at most
  `RECURSION` times.  When the budget is spent, arrays come out empty,
  optionals absent and unions pick only arms that can still be built.

`exclude_arms` lets a caller leave out named union arms (used by the
differential tests for real schema differences with stellar-sdk).
"""
from functools import lru_cache

from hypothesis import strategies as st

from stellarcore import xdr

SCHEMA = xdr.SCHEMA

RECURSION = 3           # entries into recursive types along one path
MAX_BYTES = 48          # cap for unbounded (or large) opaque / string lengths
MAX_EXACT_BYTES = 1024  # bounded byte strings up to this also get drawn at their maximum
ARRAY_CAPS = (3, 2, 2, 1)  # max elements by array nesting level (last one repeats)

INT_RANGES = {
    "int": (-(2**31), 2**31 - 1),
    "uint": (0, 2**32 - 1),
    "hyper": (-(2**63), 2**63 - 1),
    "uhyper": (0, 2**64 - 1),
}


# ---------------------------------------------------------------- schema graph

def _refs(texpr):
    """Names of the classes a type expression mentions (typedefs are inlined)."""
    if texpr is None:
        return
    kind = texpr[0]
    if kind == "class":
        yield texpr[1]
    elif kind == "array":
        yield from _refs(texpr[3])
    elif kind == "optional":
        yield from _refs(texpr[1])


def _children(name):
    spec = SCHEMA[name]
    if spec[0] == "struct":
        return {r for f in spec[1] for r in _refs(f[2])}
    if spec[0] == "union":
        return {r for arm in spec[4] for r in _refs(arm[3])}
    return set()


def _recursive_types():
    """Classes that can reach themselves: they spend the recursion budget."""
    out = set()
    for start in SCHEMA:
        if SCHEMA[start][0] not in ("struct", "union"):
            continue
        seen, todo = set(), list(_children(start))
        while todo:
            n = todo.pop()
            if n == start:
                out.add(start)
                break
            if n not in seen:
                seen.add(n)
                todo.extend(_children(n))
    return frozenset(out)


RECURSIVE = _recursive_types()


@lru_cache(maxsize=None)
def _buildable(texpr, rec):
    """Can a value of `texpr` be made with recursion budget `rec`?"""
    kind = texpr[0]
    if kind == "class":
        name = texpr[1]
        if name in RECURSIVE:
            if rec <= 0:
                return False
            rec -= 1
        spec = SCHEMA[name]
        if spec[0] == "struct":
            return all(_buildable(f[2], rec) for f in spec[1])
        return any(arm[3] is None or _buildable(arm[3], rec) for arm in spec[4])
    if kind == "array" and texpr[1]:
        return texpr[2] == 0 or _buildable(texpr[3], rec)
    return True  # scalars, byte strings, variable arrays (empty), optionals (None)


# ---------------------------------------------------------------- strategies

def _ints(kind):
    lo, hi = INT_RANGES[kind]
    edges = sorted({lo, hi, 0, 1, lo + 1, hi - 1} | ({-1} if lo < 0 else set()))
    return st.one_of(st.sampled_from(edges), st.integers(lo, hi))


def _bytes(fixed, size):
    if fixed:
        return st.binary(min_size=size, max_size=size)
    if size is None:
        return st.binary(max_size=MAX_BYTES)
    short = st.binary(max_size=min(size, MAX_BYTES))
    if size <= MAX_EXACT_BYTES and size > 0:
        return st.one_of(short, st.binary(min_size=size, max_size=size))
    return short


@lru_cache(maxsize=None)
def _strategy(texpr, rec, nest, excluded):
    kind = texpr[0]
    if kind in INT_RANGES:
        return _ints(kind)
    if kind == "bool":
        return st.booleans()
    if kind == "enum":
        return st.sampled_from(list(getattr(xdr, texpr[1])))
    if kind in ("opaque", "string"):
        return _bytes(*texpr[1:]) if kind == "opaque" else _bytes(False, texpr[1])
    if kind == "optional":
        if not _buildable(texpr[1], rec):
            return st.none()
        return st.one_of(st.none(), _strategy(texpr[1], rec, nest, excluded))
    if kind == "array":
        _, fixed, size, elem = texpr
        if fixed:
            return st.lists(_strategy(elem, rec, nest + 1, excluded), min_size=size, max_size=size)
        if not _buildable(elem, rec):
            return st.just([])
        cap = ARRAY_CAPS[min(nest, len(ARRAY_CAPS) - 1)]
        if size is not None:
            cap = min(cap, size)
        return st.lists(_strategy(elem, rec, nest + 1, excluded), max_size=cap)
    if kind == "class":
        name = texpr[1]
        if name in RECURSIVE:
            rec -= 1
        return st.deferred(lambda: _class_strategy(name, rec, nest, excluded))
    raise AssertionError(f"unknown type expression {texpr!r}")


@lru_cache(maxsize=None)
def _class_strategy(name, rec, nest, excluded, only_disc=None):
    spec = SCHEMA[name]
    cls = getattr(xdr, name)
    if spec[0] == "struct":
        fields = {py: _strategy(t, rec, nest, excluded) for _xname, py, t in spec[1]}
        return st.builds(cls, **fields)
    _, _disc, _discpy, disc_t, arms, _default = spec
    disc_type = getattr(xdr, disc_t[1]) if disc_t[0] == "enum" else int
    options = []
    for cases, xname, _py, t in arms:
        if (name, xname) in excluded:
            continue
        if only_disc is not None:
            if only_disc not in cases:
                continue
            cases = (only_disc,)
        discs = st.sampled_from([disc_type(c) for c in cases])
        if t is None:
            options.append(discs.map(cls))
        elif _buildable(t, rec):
            options.append(st.builds(cls, discs, _strategy(t, rec, nest, excluded)))
    assert options, f"no arm of {name} can be generated"
    return st.one_of(options)


def strategy_for(texpr, exclude_arms=()):
    """Strategy for a schema type expression (e.g. the texpr of a typedef)."""
    return _strategy(texpr, RECURSION, 0, frozenset(exclude_arms))


def values_of(type_name, exclude_arms=()):
    """Valid values of the schema type `type_name`.

    Structs and unions give instances of their class, enums IntEnum members,
    typedefs of non-class types the plain value their codec takes (bytes,
    int, list...).  `exclude_arms` is a set of (union name, arm xdr name)
    pairs never to generate.
    """
    spec = SCHEMA[type_name]
    if spec[0] == "typedef":
        return strategy_for(spec[1], exclude_arms)
    if spec[0] == "enum":
        return strategy_for(("enum", type_name))
    return strategy_for(("class", type_name), exclude_arms)


def arm_values(union_name, disc, exclude_arms=()):
    """Values of union `union_name` with discriminant `disc` (its case value),
    so a test can visit every arm, not only those a random draw happens on."""
    assert SCHEMA[union_name][0] == "union", union_name
    rec = RECURSION - (union_name in RECURSIVE)
    return _class_strategy(union_name, rec, 0, frozenset(exclude_arms), disc)


def union_cases(union_name):
    """Every case value (discriminant) a union declares, in schema order."""
    return [c for arm in SCHEMA[union_name][4] for c in arm[0]]


def encodings_of(type_name, exclude_arms=()):
    """XDR bytes of valid values of `type_name` (through our encoder)."""
    codec = xdr.lookup(type_name)
    spec = SCHEMA[type_name]
    if spec[0] in ("struct", "union"):
        return values_of(type_name, exclude_arms).map(lambda v: v.to_xdr())
    if spec[0] == "typedef":
        return values_of(type_name, exclude_arms).map(codec.to_xdr)
    raise TypeError(f"{type_name} is an enum; encode it through a struct")
