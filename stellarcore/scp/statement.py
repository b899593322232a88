"""A compact view of an SCPStatement for the protocol code.

Each received envelope is read once into a `Statement`; the ballot protocol
then evaluates its predicates on plain attributes.  Ballots are
(counter, value) tuples: Python's tuple order is exactly stellar-core's
`compareBallots` (counter first, then the value bytes, a prefix first,
PARITY_TRAPS SC5).
"""
from __future__ import annotations

from stellarcore import xdr

PREPARE = int(xdr.SCPStatementType.SCP_ST_PREPARE)        # 0
CONFIRM = int(xdr.SCPStatementType.SCP_ST_CONFIRM)        # 1
EXTERNALIZE = int(xdr.SCPStatementType.SCP_ST_EXTERNALIZE)  # 2
NOMINATE = int(xdr.SCPStatementType.SCP_ST_NOMINATE)      # 3

UINT32_MAX = 0xFFFFFFFF


def ballot_of(b: "xdr.SCPBallot"):
    return (b.counter, b.value)


def xdr_ballot(b) -> "xdr.SCPBallot":
    return xdr.SCPBallot(counter=b[0], value=b[1])


class Statement:
    """The fields of one statement, read from its XDR once."""

    __slots__ = ("env", "node", "slot", "type", "qset_hash", "ballot", "prepared",
                 "prepared_prime", "nC", "nH", "nPrepared", "nCommit", "commit",
                 "votes", "accepted", "qset")

    def __init__(self, env: "xdr.SCPEnvelope"):
        st = env.statement
        self.env = env
        self.qset = None          # the statement's quorum set, once known (Slot.qset_of)
        self.node = st.nodeID.ed25519
        self.slot = st.slotIndex
        p = st.pledges
        t = self.type = int(p.type)
        self.ballot = self.prepared = self.prepared_prime = self.commit = None
        self.nC = self.nH = self.nPrepared = self.nCommit = 0
        self.votes = self.accepted = ()
        if t == PREPARE:
            pr = p.prepare
            self.qset_hash = pr.quorumSetHash
            self.ballot = ballot_of(pr.ballot)
            self.prepared = ballot_of(pr.prepared) if pr.prepared is not None else None
            self.prepared_prime = ballot_of(pr.preparedPrime) if pr.preparedPrime is not None else None
            self.nC, self.nH = pr.nC, pr.nH
        elif t == CONFIRM:
            c = p.confirm
            self.qset_hash = c.quorumSetHash
            self.ballot = ballot_of(c.ballot)
            self.nPrepared, self.nCommit, self.nH = c.nPrepared, c.nCommit, c.nH
        elif t == EXTERNALIZE:
            e = p.externalize
            self.qset_hash = e.commitQuorumSetHash
            self.commit = ballot_of(e.commit)
            self.nH = e.nH
        else:
            n = p.nominate
            self.qset_hash = n.quorumSetHash
            self.votes = tuple(n.votes)
            self.accepted = tuple(n.accepted)

    def working_ballot(self):
        """BallotProtocol::getWorkingBallot."""
        if self.type == PREPARE:
            return self.ballot
        if self.type == CONFIRM:
            return (self.nCommit, self.ballot[1])
        return self.commit

    def ballot_counter(self):
        """statementBallotCounter: EXTERNALIZE counts as UINT32_MAX."""
        if self.type == EXTERNALIZE:
            return UINT32_MAX
        return self.ballot[0]

    def ballot_values(self):
        """BallotProtocol::getStatementValues (as a sorted list of distinct values)."""
        vals = set()
        if self.type == PREPARE:
            if self.ballot[0] != 0:
                vals.add(self.ballot[1])
            if self.prepared is not None:
                vals.add(self.prepared[1])
            if self.prepared_prime is not None:
                vals.add(self.prepared_prime[1])
        elif self.type == CONFIRM:
            vals.add(self.ballot[1])
        elif self.type == EXTERNALIZE:
            vals.add(self.commit[1])
        return sorted(vals)

    def nomination_values(self):
        """NominationProtocol::getStatementValues: votes, then accepted not voted."""
        out = list(self.votes)
        out += [a for a in self.accepted if a not in self.votes]
        return out


def make_statement(node: bytes, slot: int, pledges: "xdr.SCPStatementPledges") -> "xdr.SCPStatement":
    return xdr.SCPStatement(nodeID=xdr.PublicKey(ed25519=node), slotIndex=slot, pledges=pledges)
