"""Quorum intersection checking, as stellar-core v25's `check-quorum-intersection`
does it (herder/RustQuorumCheckerAdaptor.cpp, herder/HerderUtils.cpp
`parseQuorumMapFromJson`, herder/QuorumIntersectionCheckerImpl.cpp
`getIntersectionCriticalGroups`, and the Rust crate stellar-quorum-analyzer
that src/rust/src/quorum_checker.rs calls: stellar-core's "v2" checker).

A network enjoys quorum intersection iff every two quorums intersect.  A
quorum is a nonempty set of nodes, each of whose quorum set is satisfied by
the set; nodes whose quorum set is unknown are never in a quorum.  The check
asks a SAT solver for two disjoint quorums A and B:

* UNSAT  (status 0): none exist; the network enjoys quorum intersection;
* SAT    (status 101): a split exists; both quorums are reported;
* UNKNOWN (status 102): the check did not finish (time limit, or an error
  such as a quorum set nested too deeply).

The model is the analyzer's (fbas.rs, fbas_analyze.rs), kept exactly:

* one vertex per node with a known quorum set, and one per distinct quorum
  set or inner set; its successors are *sets*: a validator listed twice in
  one set counts once, two identical inner sets count once, and validators
  whose quorum set is unknown are dropped (the threshold is kept);
* a set is satisfied when `threshold` of its successors are: a threshold of
  0 is always satisfied (unlike SCP's `is_quorum_slice`, where it never is),
  a threshold above the number of successors never is;
* sets nested 4 or more levels below a node's quorum set are an error
  ("Maximum quorum set depth exceeded"), giving UNKNOWN.

For sane quorum sets (`quorum_set.is_sane`: every threshold in 1..entries,
no node twice) nested at most 3 levels deep, this is SCP's definition.

How the search differs from the analyzer's (the answers do not):

* a threshold is a native cardinality constraint of the solver (Minicard,
  MiniSat with "at most k of these literals" constraints), where the
  analyzer writes out every `threshold`-combination of a set's successors
  (exponential in large flat sets);
* vertices no quorum can contain (outside the maximal quorum) are left out;
* symmetric splits are cut (A and B swapped, interchangeable validators);
* the solver is given implied clauses that count: a set in A and a set in
  B whose thresholds need more members in both than they can share cannot
  both hold.  Counting is what resolution-based solvers cannot do in few
  steps: without these clauses, flat networks of a few dozen nodes already
  run past the time limit.

Every added clause is implied or only removes splits that have an
equivalent one left, so UNSAT and SAT are exact; a SAT answer's two quorums
are one split of possibly many (the analyzer's solver may report another).
The solver comes from `python-sat`; it can be interrupted, which gives the
time limit.
"""
from __future__ import annotations

import enum
import json
import re
import threading
import time
from dataclasses import dataclass, field

from stellarcore.crypto import strkey
from stellarcore.scp import quorum_set
from stellarcore.scp.quorum import QSet

MAX_QSET_DEPTH = 4                           # QUORUM_SET_MAX_DEPTH (fbas.rs)
DEFAULT_TIME_LIMIT_MS = 5000                 # runCheckQuorumIntersection defaults
DEFAULT_MEMORY_LIMIT_BYTES = 100 * 1024 * 1024
SOLVER = "minicard"

# The implied "counting" clauses look at every pair of quorum sets; past this
# many pairs only a set paired with itself is looked at (they are help for the
# solver, never needed for the answer).
_MAX_HINT_PAIRS = 1_000_000
_MAX_HINT_LITERALS = 2_000_000


class QuorumCheckerStatus(enum.IntEnum):
    """rust/src/bridge.rs QuorumCheckerStatus: also the command's exit status."""
    UNSAT = 0
    SAT = 101
    UNKNOWN = 102


class QuorumMapError(ValueError):
    """The quorum map JSON is malformed (stellar-core throws before checking)."""


class InvalidPublicKeyError(QuorumMapError):
    """A 'node' that is not a G... strkey (stellar-core's KeyUtils::InvalidStrKey)."""


class CheckerError(Exception):
    """The checker could not finish (an FbasError of the analyzer): the
    quorum set is nested too deeply, or the time limit was exceeded."""


class TimeLimitExceeded(CheckerError):
    pass


# --------------------------------------------------------------------------
# Input: the quorum map JSON (herder/HerderUtils.cpp parseQuorumMapFromJson)
#
#   {"nodes": [{"node": "G...", "qset": {"t": 2, "v": ["G...", {"t": ..}]}},
#              {"node": "G...", "qset": {}}, ...]}
#
# An empty "qset" object means the node's quorum set is unknown.  The JSON is
# read as stellar-core's jsoncpp 1.0.0 reads it: comments (// and /* */) are
# allowed, anything after the top value is ignored, and a threshold may be
# written as an integral real (2.0).
# --------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")


def _strip_comments(text: str) -> str:
    if "/" not in text:
        return text
    out = []
    i, n, start = 0, len(text), 0
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
        elif c == '"':
            in_str = True
            i += 1
        elif c == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(text[start:i])
            out.append(" " * (j - i))
            i = start = j
        elif c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise ValueError("unterminated comment")
            out.append(text[start:i])
            out.append(re.sub(r"[^\n]", " ", text[i:j + 2]))
            i = start = j + 2
        else:
            i += 1
    out.append(text[start:])
    return "".join(out)


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _loads(text: str, source: str):
    try:
        text = _strip_comments(text)
        decoder = json.JSONDecoder(parse_constant=_no_constant, strict=False)
        doc, _ = decoder.raw_decode(text, _WS.match(text).end())
    except (ValueError, RecursionError):
        raise QuorumMapError(f"Failed to parse '{source}' as a JSON object") from None
    return doc


def _jsoncpp_uints(q):
    """A copy of a qset object whose integral real thresholds are integers
    (jsoncpp's isUInt accepts 2.0; Python's json reads it as a float)."""
    if not isinstance(q, dict):
        return q
    q = dict(q)
    t = q.get("t")
    if isinstance(t, float) and t.is_integer() and 0 <= t <= 0xFFFFFFFF:
        q["t"] = int(t)
    v = q.get("v")
    if isinstance(v, list):
        q["v"] = [_jsoncpp_uints(e) for e in v]
    return q


def quorum_map_from_json(doc, source: str = "JSON") -> dict:
    """The quorum map of a parsed JSON document: {raw node key: QSet or None},
    in file order.  QuorumMapError (a ValueError) names what is wrong."""
    if not isinstance(doc, dict):
        raise QuorumMapError(f"Failed to parse '{source}' as a JSON object")
    nodes = doc.get("nodes")
    if not isinstance(nodes, list):
        raise QuorumMapError("JSON field 'nodes' must be an array")
    qmap = {}
    for entry in nodes:
        if entry is not None and not isinstance(entry, dict):
            raise QuorumMapError("each entry of JSON field 'nodes' must be an object")
        node = entry.get("node") if entry else None
        if not isinstance(node, str):
            raise QuorumMapError("JSON field 'node' must exist and be a string")
        try:
            key = strkey.decode("G", node)
        except strkey.StrKeyError as e:
            raise InvalidPublicKeyError(
                f"Invalid public key in JSON file: {node!r} is not a G... strkey ({e}). "
                "JSON file must be generated with the 'fullkeys' parameter set to 'true'."
            ) from None
        q = entry.get("qset")
        if not isinstance(q, dict):
            raise QuorumMapError("JSON field 'qset' must exist and be an object")
        try:
            qset = quorum_set.from_json(_jsoncpp_uints(q)) if q else None
        except RecursionError:
            raise QuorumMapError("quorum set nested too deeply") from None
        except ValueError as e:
            raise QuorumMapError(f"node {node}: {e}") from None
        if key in qmap:
            raise QuorumMapError("JSON contains multiple nodes with the same 'node' value")
        qmap[key] = qset
    return qmap


def parse_quorum_map(text, source: str = "JSON") -> dict:
    """The quorum map of JSON text (str or bytes)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    return quorum_map_from_json(_loads(text, source), source)


def load_quorum_map(path) -> dict:
    """The quorum map of a JSON file, as `check-quorum-intersection` reads it."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise QuorumMapError(f"Could not open file '{path}': {e.strerror or e}") from None
    return parse_quorum_map(data, str(path))


def quorum_map_to_json(qmap) -> dict:
    """The JSON form stellar-core writes for its checker (toQuorumMapJson)."""
    return {"nodes": [{"node": strkey.encode("G", k),
                       "qset": quorum_set.to_json(q) if q is not None else {}}
                      for k, q in qmap.items()]}


# --------------------------------------------------------------------------
# The graph (stellar-quorum-analyzer fbas.rs)
# --------------------------------------------------------------------------

class _Fbas:
    """Vertices 0..n-1 are the nodes with a known quorum set, in strkey
    order (the analyzer's BTreeMap<String, _>); the rest are the distinct
    quorum sets.  A validator vertex has threshold 1 and one successor, its
    quorum set."""

    def __init__(self, qmap):
        known = sorted((strkey.encode("G", k), k) for k, q in qmap.items() if q is not None)
        self.keys = [k for _, k in known]
        self.n = len(self.keys)
        index = {k: i for i, k in enumerate(self.keys)}
        self.threshold = [1] * self.n
        self.succ = [()] * self.n
        interned = {}
        for i, k in enumerate(self.keys):
            self.succ[i] = (self._intern(qmap[k], 0, index, interned),)

    def _intern(self, q, depth, index, interned):
        if depth == MAX_QSET_DEPTH:
            raise CheckerError("Maximum quorum set depth exceeded")
        vals = frozenset(index[v] for v in q.validators if v in index)
        inner = frozenset(self._intern(i, depth + 1, index, interned) for i in q.inner)
        key = (q.threshold, vals, inner)
        x = interned.get(key)
        if x is None:
            x = interned[key] = len(self.threshold)
            self.threshold.append(q.threshold)
            self.succ.append(tuple(sorted(vals)) + tuple(sorted(inner)))
        return x

    def alive(self):
        """The vertices that some quorum can contain: the greatest set in which
        every vertex has `threshold` successors (the maximal quorum, with its
        satisfied quorum sets)."""
        nv = len(self.threshold)
        count = [len(s) for s in self.succ]
        pred = [[] for _ in range(nv)]
        for x, s in enumerate(self.succ):
            for y in s:
                pred[y].append(x)
        alive = [True] * nv
        stack = [x for x in range(nv) if count[x] < self.threshold[x]]
        for x in stack:
            alive[x] = False
        while stack:
            x = stack.pop()
            for p in pred[x]:
                if alive[p]:
                    count[p] -= 1
                    if count[p] < self.threshold[p]:
                        alive[p] = False
                        stack.append(p)
        return alive


# --------------------------------------------------------------------------
# The formula: two disjoint quorums A and B
# --------------------------------------------------------------------------

class _Deadline:
    def __init__(self, limit_ms):
        self.start = time.monotonic()
        self.limit_ms = limit_ms
        self.end = None if limit_ms is None else self.start + limit_ms / 1000.0

    def elapsed_ms(self):
        return int((time.monotonic() - self.start) * 1000)

    def remaining(self):
        return None if self.end is None else self.end - time.monotonic()

    def exceeded(self):
        return TimeLimitExceeded(
            f"Resource limits exceeded -- Time elapsed: {self.elapsed_ms()} ms "
            f"(time limit {self.limit_ms} ms)")

    def check(self):
        if self.end is not None and time.monotonic() >= self.end:
            raise self.exceeded()


class _Formula:
    """Clauses, and cardinality constraints "at most `bound` of `lits`" that
    the solver (Minicard) keeps as such: thresholds are not encoded into
    clauses."""

    def __init__(self):
        self.top = 0
        self.clauses = []
        self.at_most = []

    def var(self):
        self.top += 1
        return self.top

    def at_least(self, guard, lits, k):
        """guard -> at least k of lits (guard: literals, all true)."""
        m = len(lits)
        neg = [-g for g in guard]
        if k <= 0:
            return
        if k > m:
            self.clauses.append(neg)
        elif k == 1:
            self.clauses.append(neg + list(lits))
        elif k == m:
            self.clauses.extend(neg + [l] for l in lits)
        else:
            # at most m of: the negated lits, and k literals z that the guard
            # sets (z_j <- guard); with the guard, at most m-k lits are false
            zs = [self.var() for _ in range(k)]
            self.clauses.extend(neg + [z] for z in zs)
            self.at_most.append(([-l for l in lits] + zs, m))


def _find_split(fbas: _Fbas, deadline: _Deadline):
    """(status, (A indices, B indices) or None)."""
    alive = fbas.alive()
    vals = [i for i in range(fbas.n) if alive[i]]
    if not vals:
        return QuorumCheckerStatus.UNSAT, None     # no quorum at all
    f = _Formula()
    A, B = {}, {}
    for x, ok in enumerate(alive):
        if ok:
            A[x] = f.var()
            B[x] = f.var()
    cl = f.clauses
    # 1. both quorums are nonempty; 2. no validator is in both
    cl.append([A[i] for i in vals])
    cl.append([B[i] for i in vals])
    cl.extend([-A[i], -B[i]] for i in vals)
    _break_symmetries(f, fbas, alive, vals, A, B)
    # 3. every vertex in a quorum has `threshold` successors in it
    sets = []
    for x in range(fbas.n, len(fbas.threshold)):
        if not alive[x]:
            continue
        deadline.check()
        succ = [y for y in fbas.succ[x] if alive[y]]
        t = fbas.threshold[x]
        for X in (A, B):
            f.at_least([X[x]], [X[y] for y in succ], t)
        if t > 0:
            sets.append((x, t, succ))
    for i in vals:
        q = fbas.succ[i][0]
        cl.append([-A[i], A[q]])
        cl.append([-B[i], B[q]])
    _add_counting_hints(f, fbas, sets, A, B, deadline)

    deadline.check()
    from pysat.solvers import Solver
    with Solver(name=SOLVER, bootstrap_with=f.clauses) as solver:
        for lits, bound in f.at_most:
            solver.add_atmost(lits, bound)
        timer = None
        fired = threading.Event()

        def stop():
            fired.set()
            solver.interrupt()
        remaining = deadline.remaining()
        if remaining is not None:
            timer = threading.Timer(max(remaining, 0.0), stop)
            timer.daemon = True
            timer.start()
        try:
            res = solver.solve_limited(expect_interrupt=True)
        finally:
            if timer is not None:
                timer.cancel()
                timer.join()
        if res is None:
            if fired.is_set():
                raise deadline.exceeded()
            return QuorumCheckerStatus.UNKNOWN, None
        if not res:
            return QuorumCheckerStatus.UNSAT, None
        model = solver.get_model()
    qa = [i for i in vals if model[A[i] - 1] > 0]
    qb = [i for i in vals if model[B[i] - 1] > 0]
    return QuorumCheckerStatus.SAT, (qa, qb)


def _break_symmetries(f, fbas, alive, vals, A, B):
    """Clauses that keep one split of each kind out of many equivalent ones.

    Validators with the same quorum set, named by exactly the same (live)
    sets, are interchangeable: swapping two of them maps quorums to
    quorums.  So a split can be rearranged so that in each such class the
    members in A or B come first; and since A and B are interchangeable,
    so that the first validator of A u B is in A (which keeps the classes
    arranged).  Only such splits are looked for.
    """
    cl = f.clauses
    parents = {}
    for x in range(fbas.n, len(fbas.threshold)):
        if alive[x]:
            for y in fbas.succ[x]:
                if y < fbas.n:
                    parents.setdefault(y, []).append(x)
    classes = {}
    for i in vals:
        classes.setdefault((fbas.succ[i], tuple(parents.get(i, ()))), []).append(i)
    for members in classes.values():
        for u, v in zip(members, members[1:]):
            cl.append([-A[v], A[u], B[u]])
            cl.append([-B[v], A[u], B[u]])
    prev = None
    for j, i in enumerate(vals):
        if j == 0:
            cl.append([-B[i]])
        else:
            p = f.var()         # p: some validator before the j-th is in A
            cl.append([-p, A[vals[j - 1]]] + ([prev] if prev else []))
            cl.append([-B[i], p])
            prev = p


def _add_counting_hints(f, fbas, sets, A, B, deadline):
    """Implied clauses that count, for sets x (in A) and y (in B).

    With S, T their successors and C = S n T: A holds at least
    a = t_x - |S \\ T| of C and B at least b = t_y - |T \\ S| of C, so at
    least k = a + b - |C| members of C are in both A and B.  No validator is
    in both, and neither is an "exclusive" set: one whose own threshold needs
    more members in both than it has non-exclusive inner sets (x = y below).
    If the non-exclusive inner sets of C are fewer than k, x in A and y in B
    cannot both hold; otherwise at least k of them are in both.

    Every clause is implied by the formula (true in each of its models, with
    D_c = A_c and B_c), so it changes no answer; it spares the solver the
    counting a resolution proof cannot do in few steps (pigeonhole-like
    arguments on large thresholds).
    """
    n = fbas.n
    info = {}
    for x, t, succ in sets:
        mask = 0
        for y in succ:
            mask |= 1 << y
        info[x] = (t, len(succ), mask, [y for y in succ if y >= n])
    # exclusive sets: a fixpoint, from the innermost sets out
    exclusive = set()
    changed = True
    while changed:
        changed = False
        for x, (t, m, _mask, inner) in info.items():
            if x not in exclusive:
                shared = sum(1 for c in inner if c not in exclusive)
                if 2 * t - m > shared:
                    exclusive.add(x)
                    changed = True
    rows = [(x, t, m, mask, frozenset(c for c in inner if c not in exclusive))
            for x, (t, m, mask, inner) in info.items()]
    both = {}
    cl = f.clauses

    def in_both(c):
        d = both.get(c)
        if d is None:
            d = both[c] = f.var()
            cl.append([-d, A[c]])
            cl.append([-d, B[c]])
        return d

    pairs_ok = len(rows) * len(rows) <= _MAX_HINT_PAIRS
    budget = _MAX_HINT_LITERALS
    for ix, (x, tx, mx, sx, nx) in enumerate(rows):
        if ix % 64 == 0:
            deadline.check()
        for (y, ty, my, sy, ny) in (rows if pairs_ok else (rows[ix],)):
            if tx + ty <= max(mx, my):
                continue        # k <= 0 whatever C is
            k = tx + ty - mx - my + (sx & sy).bit_count()
            if k <= 0:
                continue
            ci = nx & ny if nx and ny else ()
            if k > len(ci):
                cl.append([-A[x], -B[y]])
            elif budget > 0:
                budget -= len(ci) + k
                f.at_least([A[x], B[y]], [in_both(c) for c in sorted(ci)], k)


# --------------------------------------------------------------------------
# Runs, critical groups and the result (herder/RustQuorumCheckerAdaptor.cpp)
# --------------------------------------------------------------------------

@dataclass
class QuorumCheckerMetrics:
    successful_run_count: int = 0
    failed_run_count: int = 0
    aborted_run_count: int = 0
    result_potential_split_count: int = 0
    result_unknown_count: int = 0
    cumulative_time_ms: int = 0
    cumulative_mem_byte: int = 0     # not measured here

    def to_json(self):
        return dict(self.__dict__)


@dataclass
class QuorumCheckResult:
    status: QuorumCheckerStatus
    split: tuple = ((), ())            # (quorum A, quorum B): raw keys, strkey order
    critical_groups: list = field(default_factory=list)   # sorted tuples of raw keys
    error: str = ""
    metrics: QuorumCheckerMetrics = field(default_factory=QuorumCheckerMetrics)

    @property
    def enjoys_quorum_intersection(self):
        return self.status == QuorumCheckerStatus.UNSAT

    def to_json(self):
        """The result file stellar-core writes (writeResults)."""
        g = lambda k: strkey.encode("G", k)  # noqa: E731
        return {
            "error": self.error,
            "intersection_critical_groups": [[g(k) for k in grp] for grp in self.critical_groups],
            "metrics": self.metrics.to_json(),
            "quorum_split": [[g(k) for k in self.split[0]], [g(k) for k in self.split[1]]],
            "status": int(self.status),
        }


def find_split(qmap, time_limit_ms=None):
    """One run of the checker on `qmap` ({raw key: QSet or None}): (status,
    (quorum A, quorum B) as lists of raw keys, or None).  Raises
    CheckerError when it cannot finish (time limit, nesting too deep)."""
    return _run(qmap, _Deadline(time_limit_ms))


def _run(qmap, deadline):
    deadline.check()
    fbas = _Fbas(qmap)
    status, split = _find_split(fbas, deadline)
    if split is not None:
        split = ([fbas.keys[i] for i in split[0]], [fbas.keys[i] for i in split[1]])
    return status, split


class _Runner:
    """checkQuorumIntersectionInner: runs share one time limit and one set of metrics."""

    def __init__(self, time_limit_ms):
        self.limit_ms = time_limit_ms
        self.metrics = QuorumCheckerMetrics()

    def run(self, qmap):
        deadline = _Deadline(self.limit_ms)
        try:
            status, split = _run(qmap, deadline)
        except CheckerError:
            self.metrics.failed_run_count += 1
            self.metrics.cumulative_time_ms += deadline.elapsed_ms()
            raise
        used = deadline.elapsed_ms()
        self.metrics.cumulative_time_ms += used
        self.metrics.successful_run_count += 1
        if status == QuorumCheckerStatus.UNKNOWN:
            self.metrics.result_unknown_count += 1
        elif status == QuorumCheckerStatus.SAT:
            self.metrics.result_potential_split_count += 1
        if self.limit_ms is not None:
            self.limit_ms = max(self.limit_ms - used, 0)
        return status, split


def _mentions(q: QSet, keys) -> bool:
    return any(v in keys for v in quorum_set.for_all_nodes(q))


def _criticality_candidates(q: QSet, out: set, root=True):
    """findCriticalityCandidates: every validator alone, and every inner set
    without inner sets of its own (a "leaf group") as a group."""
    for v in q.validators:
        out.add((v,))
    if not root and not q.inner:
        out.add(tuple(sorted(set(q.validators))))
    for i in q.inner:
        _criticality_candidates(i, out, False)


def intersection_critical_groups(qmap, enjoys_intersection) -> list:
    """QuorumIntersectionChecker::getIntersectionCriticalGroups.

    Each candidate group (every validator named in a quorum set, and every
    leaf inner set) is made "fickle": its members get the quorum set
    {2, [{|group|, group}, {1, nodes depending on the group}]}, so they go
    along with anyone.  A group whose fickleness lets the network split is
    intersection-critical.  `enjoys_intersection(qmap)` is the check to run.
    Returns the critical groups, sorted (each a sorted tuple of raw keys).
    """
    candidates = set()
    for q in qmap.values():
        if q is not None:
            _criticality_candidates(q, candidates)
    critical = []
    test = dict(qmap)
    for group in sorted(candidates):
        members = set(group)
        depending = sorted(d for d, q in qmap.items()
                           if d not in members and q is not None and _mentions(q, members))
        fickle = QSet(2, (), (QSet(len(group), group), QSet(1, tuple(depending))))
        for k in group:
            test[k] = fickle
        if not enjoys_intersection(test):
            critical.append(group)
        for k in group:
            if k in qmap:
                test[k] = qmap[k]
            else:
                del test[k]
    return critical


def network_enjoys_quorum_intersection(qmap, time_limit_ms=DEFAULT_TIME_LIMIT_MS,
                                       analyze_critical_groups=False) -> QuorumCheckResult:
    """quorum_checker::networkEnjoysQuorumIntersection on a parsed quorum map.

    The time limit (None: none) covers every run; critical groups are looked
    for only when the network enjoys intersection.  A run that cannot finish
    leaves the status it had (UNKNOWN for the first run) and sets `error`.
    """
    runner = _Runner(time_limit_ms)
    result = QuorumCheckResult(QuorumCheckerStatus.UNKNOWN, metrics=runner.metrics)
    try:
        result.status, split = runner.run(qmap)
        if split is not None:
            result.split = (tuple(split[0]), tuple(split[1]))
        if result.status == QuorumCheckerStatus.UNSAT and analyze_critical_groups:
            result.critical_groups = intersection_critical_groups(
                qmap, lambda m: runner.run(m)[0] == QuorumCheckerStatus.UNSAT)
    except CheckerError as e:
        result.error = str(e)
    return result


def check_quorum_intersection_file(path, time_limit_ms=DEFAULT_TIME_LIMIT_MS,
                                   analyze_critical_groups=False) -> QuorumCheckResult:
    """The whole of `check-quorum-intersection FILE`, bar printing: raises
    QuorumMapError for malformed input."""
    return network_enjoys_quorum_intersection(load_quorum_map(path), time_limit_ms,
                                              analyze_critical_groups)
