# cython: language_level=3
"""A compact, typed view of an SCPStatement for the protocol code.

Each received envelope is read once into a `Statement`; the ballot core
(federated.pyx) evaluates its predicates on the typed fields.  For the
Python code, ballots are (counter, value) tuples: Python's tuple order is
exactly stellar-core's `compareBallots` (counter first, then the value
bytes, a prefix first, PARITY_TRAPS SC5).
"""
cimport cython

from stellarcore import xdr

PREPARE = int(xdr.SCPStatementType.SCP_ST_PREPARE)          # 0
CONFIRM = int(xdr.SCPStatementType.SCP_ST_CONFIRM)          # 1
EXTERNALIZE = int(xdr.SCPStatementType.SCP_ST_EXTERNALIZE)  # 2
NOMINATE = int(xdr.SCPStatementType.SCP_ST_NOMINATE)        # 3

UINT32_MAX = 0xFFFFFFFF


def ballot_of(b):
    return (b.counter, b.value)


def xdr_ballot(b):
    return xdr.SCPBallot(counter=b[0], value=b[1])


@cython.no_gc
cdef class Statement:
    """The fields of one statement, read from its XDR once.  Statements hold
    no references back to anything that holds them, so they stay out of the
    cyclic GC."""

    def __init__(self, env):
        st = env.statement
        self.env = env
        self.qset = None           # the statement's quorum set, once known (Slot.qset_of)
        self.node = st.nodeID.ed25519
        self.slot = st.slotIndex
        p = st.pledges
        cdef int t = int(p.type)
        self.type = t
        self.votes = self.accepted = ()
        if t == PREPARE:
            pr = p.prepare
            self.qset_hash = pr.quorumSetHash
            self.b_n, self.b_v = pr.ballot.counter, pr.ballot.value
            if pr.prepared is not None:
                self.has_p, self.p_n, self.p_v = True, pr.prepared.counter, pr.prepared.value
            if pr.preparedPrime is not None:
                self.has_pp, self.pp_n, self.pp_v = True, pr.preparedPrime.counter, pr.preparedPrime.value
            self.nC, self.nH = pr.nC, pr.nH
        elif t == CONFIRM:
            c = p.confirm
            self.qset_hash = c.quorumSetHash
            self.b_n, self.b_v = c.ballot.counter, c.ballot.value
            self.nPrepared, self.nCommit, self.nH = c.nPrepared, c.nCommit, c.nH
        elif t == EXTERNALIZE:
            e = p.externalize
            self.qset_hash = e.commitQuorumSetHash
            self.b_n, self.b_v = e.commit.counter, e.commit.value
            self.nH = e.nH
        else:
            n = p.nominate
            self.qset_hash = n.quorumSetHash
            self.votes = tuple(n.votes)
            self.accepted = tuple(n.accepted)

    # ---- tuples for the Python side

    @property
    def ballot(self):
        return (self.b_n, self.b_v) if self.type in (PREPARE, CONFIRM) else None

    @property
    def prepared(self):
        return (self.p_n, self.p_v) if self.has_p else None

    @property
    def prepared_prime(self):
        return (self.pp_n, self.pp_v) if self.has_pp else None

    @property
    def commit(self):
        return (self.b_n, self.b_v) if self.type == EXTERNALIZE else None

    def working_ballot(self):
        """BallotProtocol::getWorkingBallot."""
        if self.type == CONFIRM:
            return (self.nCommit, self.b_v)
        return (self.b_n, self.b_v)

    def ballot_counter(self):
        """statementBallotCounter: EXTERNALIZE counts as UINT32_MAX."""
        return UINT32_MAX if self.type == EXTERNALIZE else self.b_n

    def ballot_values(self):
        """BallotProtocol::getStatementValues (as a sorted list of distinct values)."""
        vals = set()
        if self.type == PREPARE:
            if self.b_n != 0:
                vals.add(self.b_v)
            if self.has_p:
                vals.add(self.p_v)
            if self.has_pp:
                vals.add(self.pp_v)
        elif self.type in (CONFIRM, EXTERNALIZE):
            vals.add(self.b_v)
        return sorted(vals)

    def nomination_values(self):
        """NominationProtocol::getStatementValues: votes, then accepted not voted."""
        out = list(self.votes)
        out += [a for a in self.accepted if a not in self.votes]
        return out
