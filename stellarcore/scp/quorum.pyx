# cython: language_level=3, boundscheck=False, wraparound=False
"""Quorum evaluation: the hot core of SCP (stellar-core scp/LocalNode.cpp).

A `QSet` is an immutable quorum set whose nodes are raw 32-byte ed25519
keys.  Node sets are Python sets (or any container with fast `in`).

Semantics kept exactly (PARITY_TRAPS SC4):
  * a slice needs `threshold` of its entries (validators present, inner
    sets satisfied); a threshold of 0 is never satisfied (stellar-core counts
    down an unsigned value and tests `<= 0`);
  * a set is v-blocking if it intersects every slice: more than
    `entries - threshold` entries blocked; a threshold of 0 is never blocked;
  * a quorum: repeatedly drop the nodes whose own slice is not satisfied by
    the remaining nodes, then ask whether the local slice is satisfied.
"""

cimport cython


@cython.no_gc
cdef class QSet:
    def __init__(self, unsigned int threshold, tuple validators=(), tuple inner=()):
        self.threshold = threshold
        self.validators = validators
        self.inner = inner
        self._hash = 0

    def __eq__(self, other):
        if not isinstance(other, QSet):
            return NotImplemented
        cdef QSet o = <QSet>other
        return (self.threshold == o.threshold and self.validators == o.validators
                and self.inner == o.inner)

    def __hash__(self):
        if self._hash == 0:
            self._hash = hash((self.threshold, self.validators, self.inner))
        return self._hash

    def __repr__(self):
        return f"QSet({self.threshold}, {len(self.validators)} validators, {len(self.inner)} inner)"

    def __reduce__(self):
        return (QSet, (self.threshold, self.validators, self.inner))


cpdef bint is_quorum_slice(QSet q, object nodes):
    cdef long left
    cdef QSet i
    if q.threshold == 0:
        return False
    left = q.threshold
    for v in q.validators:
        if v in nodes:
            left -= 1
            if left <= 0:
                return True
    for i in q.inner:
        if is_quorum_slice(i, nodes):
            left -= 1
            if left <= 0:
                return True
    return False


cpdef bint is_v_blocking(QSet q, object nodes):
    cdef long left
    cdef QSet i
    if q.threshold == 0:
        return False
    left = <long>(1 + len(q.validators) + len(q.inner)) - <long>q.threshold
    for v in q.validators:
        if v in nodes:
            left -= 1
            if left <= 0:
                return True
    for i in q.inner:
        if is_v_blocking(i, nodes):
            left -= 1
            if left <= 0:
                return True
    return False


cpdef bint is_quorum(QSet q, dict qsets):
    """`qsets` maps each candidate node to its own QSet (None if unknown).

    The nodes are pared down to those whose slice the remaining nodes
    satisfy (a node without a quorum set is dropped), then the local slice
    is checked against what is left (LocalNode::isQuorum).
    """
    cdef dict groups = {}
    cdef list g
    for n, qn in qsets.items():
        if qn is not None:
            g = groups.get(qn)
            if g is None:
                groups[qn] = [n]
            else:
                g.append(n)
    return is_quorum_groups(q, groups)


cpdef bint is_quorum_groups(QSet q, dict groups):
    """is_quorum with the candidates given as {QSet: [nodes with that set]}.

    Nodes usually share quorum sets, so a whole group is judged by one slice
    check.  Dropping a failing group at once, against a set that only
    shrinks, reaches the same result as stellar-core's passes: the largest
    subset in which every node's slice is satisfied (a node is only dropped
    when even a superset of that subset fails its slice).
    """
    cdef set nodes = set()
    cdef bint changed = True
    cdef list dead
    for ns in groups.values():
        nodes.update(ns)
    groups = dict(groups)
    while changed:
        changed = False
        dead = [qn for qn in groups if not is_quorum_slice(<QSet>qn, nodes)]
        for qn in dead:
            nodes.difference_update(groups.pop(qn))
            changed = True
    return is_quorum_slice(q, nodes)


def find_closest_v_blocking(QSet q, object nodes, object excluded=None):
    """The smallest set of the given nodes whose failure would block `q`
    (stellar-core's findClosestVBlocking), as a list."""
    cdef long left = <long>(1 + len(q.validators) + len(q.inner)) - <long>q.threshold
    cdef list res = []
    cdef list internals = []
    cdef QSet i
    for v in q.validators:
        if excluded is None or v != excluded:
            if v not in nodes:
                left -= 1
                if left == 0:
                    return []
            else:
                res.append(v)
    for i in q.inner:
        sub = find_closest_v_blocking(i, nodes, excluded)
        if not sub:
            left -= 1
            if left == 0:
                return []
        else:
            internals.append(sub)
    if len(res) > left:
        del res[left:]
    left -= len(res)
    internals.sort(key=len)          # std::multiset ordered by size (stable)
    for sub in internals:
        if left == 0:
            break
        res.extend(sub)
        left -= 1
    return res
