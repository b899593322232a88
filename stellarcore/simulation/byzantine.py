"""Misbehaving nodes for the simulator.

  * SilentNode never sends anything.
  * EquivocatingNode runs SCP honestly but tells half of its peers a
    different story: every value in its statements is replaced by another
    one (and the envelope re-signed, so the lie is well signed).
  * GarbageNode sends what a hostile peer might: random bytes, truncated
    XDR, bad signatures, statements signed in another node's name, insane
    ballots, and ballot counters near 2**32.
"""
from __future__ import annotations

import hashlib

from stellarcore import xdr
from stellarcore.simulation.node import SimNode


class SilentNode(SimNode):
    def emit_envelope(self, envelope):
        pass

    def rebroadcast(self):
        pass

    def send_state(self, to, from_slot):
        pass


def _replace_values(statement: "xdr.SCPStatement", alt: bytes):
    p = statement.pledges
    t = p.type
    T = xdr.SCPStatementType
    if t == T.SCP_ST_NOMINATE:
        p.nominate.votes = [alt] if p.nominate.votes else []
        p.nominate.accepted = [alt] if p.nominate.accepted else []
    elif t == T.SCP_ST_PREPARE:
        pr = p.prepare
        pr.ballot.value = alt
        if pr.prepared is not None:
            pr.prepared.value = alt
        pr.preparedPrime = None
    elif t == T.SCP_ST_CONFIRM:
        p.confirm.ballot.value = alt
    else:
        p.externalize.commit.value = alt


class EquivocatingNode(SimNode):
    def emit_envelope(self, envelope):
        slot = envelope.statement.slotIndex
        alt = hashlib.sha256(b"equivocation" + slot.to_bytes(8, "big")).digest()
        lie = envelope.copy()
        _replace_values(lie.statement, alt)
        self.sign_envelope(lie)
        honest, dishonest = envelope.to_xdr(), lie.to_xdr()
        for i, dst in enumerate(self.sim.network.nodes):
            if dst is not self:
                self.sim.network.send(self, dst, dishonest if i % 2 else honest)


class GarbageNode(SimNode):
    def emit_envelope(self, envelope):
        rng = self.sim.rng
        good = envelope.to_xdr()
        kind = rng.randrange(7)
        if kind == 0:
            data = rng.randbytes(rng.randrange(1, 300))
        elif kind == 1:
            data = good[:rng.randrange(len(good))]
        elif kind == 2:                                  # bad signature
            bad = envelope.copy()
            bad.signature = rng.randbytes(64)
            data = bad.to_xdr()
        elif kind == 3:                                  # someone else's name
            forged = envelope.copy()
            victim = rng.choice([n for n in self.sim.network.nodes if n is not self])
            forged.statement.nodeID = xdr.PublicKey(ed25519=victim.node_id)
            self.sign_envelope(forged)
            data = forged.to_xdr()
        elif kind == 4:                                  # insane prepare: nC > nH
            st = envelope.statement
            bad = xdr.SCPEnvelope(statement=xdr.SCPStatement(
                nodeID=st.nodeID, slotIndex=st.slotIndex,
                pledges=xdr.SCPStatementPledges(xdr.SCPStatementType.SCP_ST_PREPARE, xdr.SCPStatementPrepare(
                    quorumSetHash=self.scp.local_node.qset_hash,
                    ballot=xdr.SCPBallot(counter=5, value=rng.randbytes(32)), nC=4, nH=2))))
            self.sign_envelope(bad)
            data = bad.to_xdr()
        elif kind == 5:                                  # a huge ballot counter
            st = envelope.statement
            big = xdr.SCPEnvelope(statement=xdr.SCPStatement(
                nodeID=st.nodeID, slotIndex=st.slotIndex,
                pledges=xdr.SCPStatementPledges(xdr.SCPStatementType.SCP_ST_PREPARE, xdr.SCPStatementPrepare(
                    quorumSetHash=self.scp.local_node.qset_hash,
                    ballot=xdr.SCPBallot(counter=0xFFFFFFFE, value=rng.randbytes(32))))))
            self.sign_envelope(big)
            data = big.to_xdr()
        else:                                            # a mutated good one
            b = bytearray(good)
            for _ in range(rng.randrange(1, 4)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            data = bytes(b)
        self.sim.network.broadcast(self, data)
