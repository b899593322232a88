"""Quorum sets: sanity rules, normalization, JSON form (stellar-core
scp/QuorumSetUtils.cpp and LocalNode::toJson/fromJson).

Inside the SCP library a quorum set is a `QSet` (scp/quorum.pyx): a
threshold, a tuple of validators (raw 32-byte ed25519 keys) and a tuple of
inner sets.  `to_xdr`/`from_xdr` convert to and from xdr.SCPQuorumSet.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.crypto import strkey
from stellarcore.scp.quorum import QSet

MAXIMUM_QUORUM_NESTING_LEVEL = 4
MAX_NODES = 1000


def from_xdr(q: "xdr.SCPQuorumSet") -> QSet:
    return QSet(q.threshold, tuple(v.ed25519 for v in q.validators),
                tuple(from_xdr(i) for i in q.innerSets))


def to_xdr(q: QSet) -> "xdr.SCPQuorumSet":
    return xdr.SCPQuorumSet(threshold=q.threshold,
                            validators=[xdr.PublicKey(ed25519=v) for v in q.validators],
                            innerSets=[to_xdr(i) for i in q.inner])


def singleton(node: bytes) -> QSet:
    """{threshold 1, [node]}: the quorum set an EXTERNALIZE statement stands for."""
    return QSet(1, (node,), ())


def sanity_error(q: QSet, extra_checks: bool = False):
    """None if `q` is sane, else stellar-core's error string (isQuorumSetSane).

    Rules: nesting at most 4 deep, every threshold >= 1 and <= its entries,
    no node twice, 1 to 1000 nodes in all; with `extra_checks`, every
    threshold at least a v-blocking size (> 50%).
    """
    known = set()
    count = 0

    def check(qs, depth):
        nonlocal count
        if depth > MAXIMUM_QUORUM_NESTING_LEVEL:
            return "Maximum quorum nesting level exceeded"
        if qs.threshold < 1:
            return "Threshold must be greater than 0"
        tot = len(qs.validators) + len(qs.inner)
        count += len(qs.validators)
        if qs.threshold > tot:
            return "Threshold exceeds total number of entries"
        if extra_checks and qs.threshold < tot - qs.threshold + 1:
            return "Threshold is lower than the v-blocking size (< 51%)."
        for n in qs.validators:
            if n in known:
                return "Duplicate node found in quorum configuration"
            known.add(n)
        for i in qs.inner:
            err = check(i, depth + 1)
            if err:
                return err
        return None

    err = check(q, 0)
    if err is None and not 1 <= count <= MAX_NODES:
        err = "Total number of nodes in a quorum must be within 1 and 1000"
    return err


_SANE = {}   # (QSet, extra_checks) -> bool: quorum sets are immutable values


def is_sane(q: QSet, extra_checks: bool = False) -> bool:
    key = (q, extra_checks)
    r = _SANE.get(key)
    if r is None:
        if len(_SANE) > 10_000:
            _SANE.clear()
        r = _SANE[key] = sanity_error(q, extra_checks) is None
    return r


def _simplify(q: QSet, remove):
    """normalizeQSetSimplify: drop `remove` (lowering the threshold), hoist
    singleton inner sets into validators, unwrap {1, [], [inner]}."""
    validators = list(q.validators)
    threshold = q.threshold
    if remove is not None:
        kept = [v for v in validators if v != remove]
        threshold -= len(validators) - len(kept)
        validators = kept
    inner = []
    for i in q.inner:
        s = _simplify(i, remove)
        if s.threshold == 1 and len(s.validators) == 1 and not s.inner:
            validators.append(s.validators[0])
        else:
            inner.append(s)
    threshold &= 0xFFFFFFFF  # uint32 in stellar-core
    if threshold == 1 and not validators and len(inner) == 1:
        return inner[0]
    return QSet(threshold, tuple(validators), tuple(inner))


def _compare(l: QSet, r: QSet) -> int:
    """qSetCompareInt: validators, then inner sets, lexicographically; then threshold."""
    for a, b in zip(l.validators, r.validators):
        if a != b:
            return -1 if a < b else 1
    if len(l.validators) != len(r.validators):
        return -1 if len(l.validators) < len(r.validators) else 1
    for a, b in zip(l.inner, r.inner):
        c = _compare(a, b)
        if c:
            return c
    if len(l.inner) != len(r.inner):
        return -1 if len(l.inner) < len(r.inner) else 1
    return (l.threshold > r.threshold) - (l.threshold < r.threshold)


def _reorder(q: QSet) -> QSet:
    import functools
    inner = sorted((_reorder(i) for i in q.inner), key=functools.cmp_to_key(_compare))
    return QSet(q.threshold, tuple(sorted(q.validators)), tuple(inner))


def normalize(q: QSet, remove: bytes = None) -> QSet:
    """stellar-core's normalizeQSet: simplify, then sort validators and inner sets."""
    return _reorder(_simplify(q, remove))


def for_all_nodes(q: QSet):
    """Every node of a quorum set, depth first (LocalNode::forAllNodes order)."""
    yield from q.validators
    for i in q.inner:
        yield from for_all_nodes(i)


def to_json(q: QSet, key_name=None) -> dict:
    """LocalNode::toJson: {"t": threshold, "v": [node strkeys..., inner sets...]}."""
    name = key_name or (lambda k: strkey.encode("G", k))
    return {"t": q.threshold, "v": [name(v) for v in q.validators] + [to_json(i, key_name) for i in q.inner]}


def from_json(obj) -> QSet:
    """LocalNode::fromJson; ValueError naming what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError("JSON field 'qset' must be an object")
    t = obj.get("t")
    if not isinstance(t, int) or isinstance(t, bool) or not 0 <= t <= 0xFFFFFFFF:
        raise ValueError("JSON field 't' must exist and be an unsigned integer")
    v = obj.get("v")
    if not isinstance(v, list):
        raise ValueError("JSON field 'v' must exist and be an array")
    validators, inner = [], []
    for entry in v:
        if isinstance(entry, str):
            try:
                validators.append(strkey.decode("G", entry))
            except strkey.StrKeyError as e:
                raise ValueError(f"Invalid validator key in 'v' array: {e}") from None
        elif isinstance(entry, dict):
            inner.append(from_json(entry))
        else:
            raise ValueError("Each entry in 'v' must be either a string (validator key) "
                             "or an object (inner quorum set)")
    return QSet(t, tuple(validators), tuple(inner))
