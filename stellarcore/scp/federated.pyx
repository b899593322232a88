# cython: language_level=3, boundscheck=False, wraparound=False
"""Federated voting over typed statements: the hot loops of both protocols.

Each function is one of stellar-core's BallotProtocol or NominationProtocol
steps evaluated over
the latest statement of every node (`latest`: node -> Statement), with the
predicates written out in C instead of called as closures:

  prepared (b):  voted  - PREPARE b <= its ballot (same value); CONFIRM or
                          EXTERNALIZE with b's value
                 accepted (hasPreparedBallot) - b below p or p' (same value);
                          CONFIRM b <= (nPrepared, value); EXTERNALIZE same value
  commit [lo,hi] of value v:
                 voted  - PREPARE nC != 0, nC <= lo, hi <= nH; CONFIRM nCommit <= lo;
                          EXTERNALIZE commit counter <= lo (all with value v)
                 accepted (commitPredicate) - CONFIRM nCommit <= lo, hi <= nH;
                          EXTERNALIZE commit counter <= lo (with value v)

`qset_of(st)` resolves a statement's quorum set when it is not cached yet.
"""
from stellarcore.scp.quorum cimport QSet, is_quorum_groups, is_v_blocking
from stellarcore.scp.statement cimport Statement

cdef enum:
    PREPARE = 0
    CONFIRM = 1
    EXTERNALIZE = 2

cdef unsigned int UINT32_MAX = 0xFFFFFFFF


cdef inline bint same(bytes a, bytes b):
    return a is b or a == b


cdef inline object qset(Statement st, object qset_of):
    q = st.qset
    if q is None:
        q = qset_of(st)
    return q


cdef inline void add_to_group(dict groups, Statement st, object qset_of, object node):
    """Put `node` in the group of its statement's quorum set (skip if unknown)."""
    q = qset(st, qset_of)
    if q is not None:
        g = groups.get(q)
        if g is None:
            groups[q] = [node]
        else:
            (<list>g).append(node)


cdef inline bint prepared_voted(unsigned int n, bytes v, Statement st):
    if st.type == PREPARE:
        return n <= st.b_n and same(v, st.b_v)
    return same(v, st.b_v)


cdef inline bint prepared_accepted(unsigned int n, bytes v, Statement st):
    if st.type == PREPARE:
        return (st.has_p and n <= st.p_n and same(v, st.p_v)) or \
               (st.has_pp and n <= st.pp_n and same(v, st.pp_v))
    if st.type == CONFIRM:
        return n <= st.nPrepared and same(v, st.b_v)
    return same(v, st.b_v)


cdef inline bint commit_voted(bytes v, unsigned int lo, unsigned int hi, Statement st):
    if st.type == PREPARE:
        return st.nC != 0 and st.nC <= lo and hi <= st.nH and same(v, st.b_v)
    if st.type == CONFIRM:
        return st.nCommit <= lo and same(v, st.b_v)
    return st.b_n <= lo and same(v, st.b_v)


cdef inline bint commit_accepted(bytes v, unsigned int lo, unsigned int hi, Statement st):
    if st.type == CONFIRM:
        return st.nCommit <= lo and hi <= st.nH and same(v, st.b_v)
    if st.type == EXTERNALIZE:
        return st.b_n <= lo and same(v, st.b_v)
    return False


cdef bint _federated(QSet local, dict latest, object qset_of, bint commit, unsigned int n,
                     bytes v, unsigned int lo, unsigned int hi, bint ratify) except -1:
    """Slot::federatedAccept (ratify=False) or federatedRatify (True)."""
    cdef set accepted = set()
    cdef dict groups = {}
    cdef Statement st
    cdef bint a, w
    for node, o in latest.items():
        st = <Statement>o
        a = commit_accepted(v, lo, hi, st) if commit else prepared_accepted(n, v, st)
        if ratify:
            if a:
                add_to_group(groups, st, qset_of, node)
            continue
        if a:
            accepted.add(node)
            add_to_group(groups, st, qset_of, node)
        else:
            w = commit_voted(v, lo, hi, st) if commit else prepared_voted(n, v, st)
            if w:
                add_to_group(groups, st, qset_of, node)
    if not ratify and is_v_blocking(local, accepted):
        return True
    return is_quorum_groups(local, groups)


def accept_prepared(QSet local, dict latest, object qset_of, unsigned int n, bytes v):
    return _federated(local, latest, qset_of, False, n, v, 0, 0, False)


def ratify_prepared(QSet local, dict latest, object qset_of, unsigned int n, bytes v):
    return _federated(local, latest, qset_of, False, n, v, 0, 0, True)


def prepare_candidates(Statement hint, dict latest):
    """getPrepareCandidates: ballots below the hint's that statements mention,
    as a list sorted highest first.  Every candidate of a hint ballot has that
    ballot's value, so counters are gathered per hint value first."""
    cdef list hints = []
    cdef dict by_value = {}       # hint value -> set of candidate counters
    cdef set counters
    cdef Statement st
    cdef unsigned int tn
    cdef bytes tv
    if hint.type == PREPARE:
        hints.append((hint.b_n, hint.b_v))
        if hint.has_p:
            hints.append((hint.p_n, hint.p_v))
        if hint.has_pp:
            hints.append((hint.pp_n, hint.pp_v))
    elif hint.type == CONFIRM:
        hints.append((hint.nPrepared, hint.b_v))
        hints.append((UINT32_MAX, hint.b_v))
    else:
        hints.append((UINT32_MAX, hint.b_v))
    for top in hints:
        tn, tv = top
        counters = by_value.get(tv)
        if counters is None:
            counters = by_value[tv] = set()
        for o in latest.values():
            st = <Statement>o
            if st.type == PREPARE:
                if st.b_n <= tn and same(st.b_v, tv):
                    counters.add(st.b_n)
                if st.has_p and st.p_n <= tn and same(st.p_v, tv):
                    counters.add(st.p_n)
                if st.has_pp and st.pp_n <= tn and same(st.pp_v, tv):
                    counters.add(st.pp_n)
            elif st.type == CONFIRM:
                if same(tv, st.b_v):
                    counters.add(tn)
                    if st.nPrepared < tn:
                        counters.add(st.nPrepared)
            else:
                if same(tv, st.b_v):
                    counters.add(tn)
    cdef list out = [(c, v) for v, cs in by_value.items() for c in cs]
    out.sort(reverse=True)
    return out


def commit_boundaries(bytes v, dict latest):
    """getCommitBoundariesFromStatements, as a set of counters."""
    cdef set res = set()
    cdef Statement st
    for o in latest.values():
        st = <Statement>o
        if not same(v, st.b_v):
            continue
        if st.type == PREPARE:
            if st.nC:
                res.add(st.nC)
                res.add(st.nH)
        elif st.type == CONFIRM:
            res.add(st.nCommit)
            res.add(st.nH)
        else:
            res.add(st.b_n)
            res.add(st.nH)
            res.add(UINT32_MAX)
    return res


def commit_interval(QSet local, dict latest, object qset_of, bytes v, boundaries, bint ratify):
    """findExtendedInterval over the boundaries, the predicate being
    accept-commit (ratify=False) or confirm-commit (ratify=True) of v over
    [lo, hi]; returns (lo, hi), lo = 0 if none."""
    cdef unsigned int lo = 0, hi = 0, clo, chi, b
    for b in sorted(boundaries, reverse=True):
        if lo == 0:
            clo, chi = b, b
        elif b > hi:
            continue
        else:
            clo, chi = b, hi
        if _federated(local, latest, qset_of, True, 0, v, clo, chi, ratify):
            lo, hi = clo, chi
        elif lo != 0:
            break
    return lo, hi


cdef inline unsigned int _counter(Statement st):
    return UINT32_MAX if st.type == EXTERNALIZE else st.b_n


def v_blocking_ahead(QSet local, dict latest, unsigned int n):
    """A v-blocking set of nodes is at a ballot counter above n."""
    cdef set ahead = set()
    for node, o in latest.items():
        if _counter(<Statement>o) > n:
            ahead.add(node)
    return is_v_blocking(local, ahead)


def counters_above(dict latest, unsigned int n):
    cdef set res = set()
    cdef unsigned int c
    for o in latest.values():
        c = _counter(<Statement>o)
        if c > n:
            res.add(c)
    return sorted(res)


def heard_from_quorum(QSet local, dict latest, object qset_of, unsigned int counter):
    """A quorum has statements at our counter or beyond (checkHeardFromQuorum)."""
    cdef dict groups = {}
    cdef Statement st
    for node, o in latest.items():
        st = <Statement>o
        if st.type != PREPARE or counter <= st.b_n:
            add_to_group(groups, st, qset_of, node)
    return is_quorum_groups(local, groups)


# ---------------------------------------------------------------- nomination

cdef inline bint _has(tuple vals, bytes v):
    for x in vals:
        if x is v or x == v:
            return True
    return False


def nomination_accepted(QSet local, dict latest, object qset_of, bytes v):
    """Federated accept of nominating `v`: a v-blocking set accepted it, or a
    quorum voted for or accepted it (NominationProtocol::processEnvelope)."""
    cdef set accepted = set()
    cdef dict groups = {}
    cdef Statement st
    for node, o in latest.items():
        st = <Statement>o
        if _has(st.accepted, v):
            accepted.add(node)
            add_to_group(groups, st, qset_of, node)
        elif _has(st.votes, v):
            add_to_group(groups, st, qset_of, node)
    if is_v_blocking(local, accepted):
        return True
    return is_quorum_groups(local, groups)


def nomination_ratified(QSet local, dict latest, object qset_of, bytes v):
    """Federated ratify of accepting `v`: a quorum accepted it (a candidate)."""
    cdef dict groups = {}
    cdef Statement st
    for node, o in latest.items():
        st = <Statement>o
        if _has(st.accepted, v):
            add_to_group(groups, st, qset_of, node)
    return is_quorum_groups(local, groups)
