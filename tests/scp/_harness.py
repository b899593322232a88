"""Test driver, envelope helpers and Catch2-style sections for the SCP tests.

A port of the test scaffolding of stellar-core's src/scp/test/SCPTests.cpp
(v25.0.1): `TestSCP` is its TestSCP driver (priority lookup, value hash
calculator, expected candidates and composite value, timers with absolute
timeouts and a timer offset, emitted envelopes in order, externalized
values, heard-from-quorum ballots; signEnvelope leaves the signature
empty), `make_prepare`/`make_confirm`/`make_externalize`/`make_nominate`
build envelopes as makePrepare & co. do, and the `verify_*` helpers compare
an emitted statement with the expected one as XDR values.

Ballots in the tests are (counter, value) tuples; values are bytes; node
IDs are raw ed25519 keys of the nodes stellar-core's SIMULATION_CREATE_NODE
makes (seed = SHA-256("NODE_SEED_" + name)).

`Sections` reproduces Catch2's SECTION semantics: a scenario body is run
once per leaf section, entering only the sections on that leaf's path (code
outside sections runs every time).  Sections are written as decorated
nested functions that run at once when they are on the path::

    @section("prepared A1")
    def _():
        ...

`discover` enumerates the leaves of a scenario by running it, as Catch2
does.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
from collections import defaultdict

from stellarcore import xdr
from stellarcore.crypto.keys import SecretKey
from stellarcore.scp import (BALLOT_PROTOCOL_TIMER, SCP, QSet, SCPDriver,
                             ValidationLevel)
from stellarcore.scp import quorum_set as qs

UINT32_MAX = 0xFFFFFFFF
_ST = xdr.SCPStatementType


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# ---------------------------------------------------------------- nodes and values

def node_key(name) -> SecretKey:
    """SIMULATION_CREATE_NODE(name): the key seeded by SHA-256("NODE_SEED_<name>")."""
    return SecretKey(sha256(f"NODE_SEED_{name}".encode()))


def node_id(key: SecretKey) -> bytes:
    return key.public_key.ed25519


def qset_hash_of(q: QSet) -> bytes:
    """sha256(xdr_to_opaque(qSet)) of the quorum set as given (not normalized)."""
    return sha256(qs.to_xdr(q).to_xdr())


def _setup_values(seed: int = 0):
    """setupValues(): four 32-byte hashes sorted as x < y < z < zz, and an
    independent k.  stellar-core seeds them at random on each run; here the
    seed is fixed so the tests are reproducible."""
    d = f"SEED_VALUE_DATA_{seed}"
    v = sorted(sha256(f"{d}/{i}".encode()) for i in range(4))
    return v[0], v[1], v[2], v[3], sha256(d.encode())


# SCP_TEST_VALUE_SEED picks another draw (where k falls among x < y < z < zz
# changes with it, as it does between stellar-core runs).
X_VALUE, Y_VALUE, Z_VALUE, ZZ_VALUE, K_VALUE = _setup_values(
    int(os.environ.get("SCP_TEST_VALUE_SEED", "0")))
assert X_VALUE < Y_VALUE < Z_VALUE < ZZ_VALUE


# ---------------------------------------------------------------- timeouts

@dataclasses.dataclass(frozen=True)
class Timeouts:
    """Nomination and ballot timeouts: initial and increment (milliseconds)."""
    nomination_initial: int
    nomination_increment: int
    ballot_initial: int
    ballot_increment: int

    def apply(self, scp: "TestSCP"):
        scp.initial_nomination_timeout_ms = self.nomination_initial
        scp.increment_nomination_timeout_ms = self.nomination_increment
        scp.initial_ballot_timeout_ms = self.ballot_initial
        scp.increment_ballot_timeout_ms = self.ballot_increment


# testTimeouts(): the Minimum/Initial/MaximumSorobanNetworkConfig values of
# stellar-core v25.0.1 (src/ledger/NetworkConfig.h).
TIMEOUT_SECTIONS = {
    "minimum values": Timeouts(750, 750, 750, 750),
    "initial values": Timeouts(1000, 1000, 1000, 1000),
    "maximum values": Timeouts(2500, 2000, 2500, 2000),
}

MAX_TIMEOUT_MS = 30 * 60 * 1000
HOUR_MS = 60 * 60 * 1000


# ---------------------------------------------------------------- the driver

@dataclasses.dataclass
class TimerData:
    absolute_timeout: int = 0
    callback: object = None


class TestSCP(SCPDriver):
    """SCPTests.cpp's TestSCP."""

    __test__ = False  # not a pytest class

    def __init__(self, local_id: bytes, qset_local: QSet, is_validator: bool = True):
        self.initial_ballot_timeout_ms = 1000
        self.increment_ballot_timeout_ms = 1000
        self.initial_nomination_timeout_ms = 1000
        self.increment_nomination_timeout_ms = 1000
        self.quorum_sets = {}
        self.envs = []
        self.externalized_values = {}
        self.heard_from_quorums = defaultdict(list)
        self.timers = {}
        self.current_timer_offset = 0
        self.expected_candidates = set()
        self.composite_value = b""
        self.scp = SCP(self, local_id, is_validator, qset_local)
        self.priority_lookup = lambda n: 1000 if n == self.scp.local_node_id else 1
        self.hash_value_calculator = lambda v: 0
        self.store_quorum_set(self.scp.local_qset)

    # ---- SCPDriver

    def sign_envelope(self, envelope):
        pass

    def store_quorum_set(self, q: QSet):
        self.quorum_sets[qset_hash_of(q)] = q

    def validate_value(self, slot_index, value, nomination):
        return ValidationLevel.FULLY_VALIDATED

    def ballot_did_hear_from_quorum(self, slot_index, ballot):
        self.heard_from_quorums[slot_index].append(ballot)

    def value_externalized(self, slot_index, value):
        if slot_index in self.externalized_values:
            raise IndexError("Value already externalized")
        self.externalized_values[slot_index] = value

    def get_qset(self, qset_hash):
        return self.quorum_sets.get(qset_hash)

    def emit_envelope(self, envelope):
        self.envs.append(envelope)

    def combine_candidates(self, slot_index, candidates):
        # (stellar-core's loop over the candidates starts its second iterator
        # at end() and so only checks the count; we check the values too)
        assert len(candidates) == len(self.expected_candidates)
        assert sorted(candidates) == sorted(self.expected_candidates)
        assert self.composite_value
        return self.composite_value

    def compute_hash_node(self, slot_index, prev, is_priority, round_number, node):
        return self.priority_lookup(node) if is_priority else 0

    def compute_value_hash(self, slot_index, prev, round_number, value):
        return self.hash_value_calculator(value)

    def setup_timer(self, slot_index, timer_id, timeout_ms, callback):
        self.timers[timer_id] = TimerData(
            self.current_timer_offset + (timeout_ms if callback else 0), callback)

    def stop_timer(self, slot_index, timer_id):
        self.timers.pop(timer_id, None)

    def compute_timeout(self, round_number, is_nomination):
        if is_nomination:
            initial, increment = self.initial_nomination_timeout_ms, self.increment_nomination_timeout_ms
        else:
            initial, increment = self.initial_ballot_timeout_ms, self.increment_ballot_timeout_ms
        return min(initial + (round_number - 1) * increment, MAX_TIMEOUT_MS)

    # ---- test helpers

    @property
    def qset_hash0(self) -> bytes:
        """scp.mSCP.getLocalNode()->getQuorumSetHash()."""
        return self.scp.local_node.qset_hash

    def bump_state(self, slot_index: int, value: bytes) -> bool:
        """Ballot protocol without nomination: bumpState(v, force=true)."""
        return self.scp.get_slot(slot_index, True).bump_state(value, True)

    def nominate(self, slot_index: int, value: bytes, timed_out: bool) -> bool:
        """Nominate `value`, with `value` as the previous value too."""
        return self.scp.get_slot(slot_index, True).nominate(value, value, timed_out)

    def receive_envelope(self, envelope):
        return self.scp.receive_envelope(envelope)

    def get_ballot_protocol_timer(self) -> TimerData:
        return self.timers.get(BALLOT_PROTOCOL_TIMER, TimerData())

    def bump_timer_offset(self) -> int:
        """Pretend time moved on, by more than the largest timeout."""
        self.current_timer_offset += 5 * HOUR_MS
        return self.current_timer_offset

    def has_ballot_timer(self) -> bool:
        """A ballot protocol timer exists (in the past or the future)."""
        return self.get_ballot_protocol_timer().callback is not None

    def has_ballot_timer_upcoming(self) -> bool:
        """The ballot protocol timer is due in the future (False: it would have fired)."""
        assert self.has_ballot_timer()
        return self.current_timer_offset < self.get_ballot_protocol_timer().absolute_timeout

    def get_latest_composite_candidate(self, slot_index: int):
        return self.scp.get_slot(slot_index, True).get_latest_composite_candidate()

    def get_slot(self, index: int):
        return self.scp.get_slot(index, False)

    def get_entire_state(self, index: int):
        return self.scp.get_slot(index, False).get_entire_current_state()

    def get_current_envelope(self, index: int, node: bytes):
        for e in self.get_entire_state(index):
            if e.statement.nodeID.ed25519 == node:
                return e
        raise LookupError("not found")

    def get_nomination_leaders(self, slot_index: int):
        return self.scp.get_slot(slot_index, False).get_nomination_leaders()


# ---------------------------------------------------------------- envelopes

def _ballot(b) -> "xdr.SCPBallot":
    return xdr.SCPBallot(counter=b[0], value=b[1])


def make_envelope(secret_key: SecretKey, slot_index: int, pledges) -> "xdr.SCPEnvelope":
    st = xdr.SCPStatement(nodeID=xdr.PublicKey(ed25519=node_id(secret_key)),
                          slotIndex=slot_index, pledges=pledges)
    return xdr.SCPEnvelope(statement=st, signature=secret_key.sign(st.to_xdr()))


def make_externalize(secret_key, qset_hash, slot_index, commit, nH):
    return make_envelope(secret_key, slot_index, xdr.SCPStatementPledges(
        _ST.SCP_ST_EXTERNALIZE,
        xdr.SCPStatementExternalize(commit=_ballot(commit), nH=nH, commitQuorumSetHash=qset_hash)))


def make_confirm(secret_key, qset_hash, slot_index, prepare_counter, b, nC, nH):
    return make_envelope(secret_key, slot_index, xdr.SCPStatementPledges(
        _ST.SCP_ST_CONFIRM,
        xdr.SCPStatementConfirm(ballot=_ballot(b), nPrepared=prepare_counter, nCommit=nC, nH=nH,
                                quorumSetHash=qset_hash)))


def make_prepare(secret_key, qset_hash, slot_index, ballot, prepared=None, nC=0, nH=0,
                 prepared_prime=None):
    return make_envelope(secret_key, slot_index, xdr.SCPStatementPledges(
        _ST.SCP_ST_PREPARE,
        xdr.SCPStatementPrepare(
            quorumSetHash=qset_hash, ballot=_ballot(ballot),
            prepared=_ballot(prepared) if prepared is not None else None,
            preparedPrime=_ballot(prepared_prime) if prepared_prime is not None else None,
            nC=nC, nH=nH)))


def make_nominate(secret_key, qset_hash, slot_index, votes, accepted):
    return make_envelope(secret_key, slot_index, xdr.SCPStatementPledges(
        _ST.SCP_ST_NOMINATE,
        xdr.SCPNomination(quorumSetHash=qset_hash, votes=sorted(votes), accepted=sorted(accepted))))


# genEnvelope: a function of the sender's key (slot 0)

def make_prepare_gen(qset_hash, ballot, prepared=None, nC=0, nH=0, prepared_prime=None):
    return lambda sk: make_prepare(sk, qset_hash, 0, ballot, prepared, nC, nH, prepared_prime)


def make_confirm_gen(qset_hash, prepare_counter, b, nC, nH):
    return lambda sk: make_confirm(sk, qset_hash, 0, prepare_counter, b, nC, nH)


def make_externalize_gen(qset_hash, commit, nH):
    return lambda sk: make_externalize(sk, qset_hash, 0, commit, nH)


# ---------------------------------------------------------------- verification

def describe(st: "xdr.SCPStatement") -> str:
    """A short readable form of a statement, for assertion messages."""
    def b(x):
        return "-" if x is None else f"({x.counter},{x.value[:3].hex()})"
    p = st.pledges
    node = st.nodeID.ed25519[:3].hex()
    if p.type == _ST.SCP_ST_PREPARE:
        r = p.prepare
        body = (f"PREPARE b={b(r.ballot)} p={b(r.prepared)} p'={b(r.preparedPrime)} "
                f"nC={r.nC} nH={r.nH} D={r.quorumSetHash[:3].hex()}")
    elif p.type == _ST.SCP_ST_CONFIRM:
        r = p.confirm
        body = (f"CONFIRM b={b(r.ballot)} nP={r.nPrepared} nC={r.nCommit} nH={r.nH} "
                f"D={r.quorumSetHash[:3].hex()}")
    elif p.type == _ST.SCP_ST_EXTERNALIZE:
        r = p.externalize
        body = f"EXTERNALIZE c={b(r.commit)} nH={r.nH} D={r.commitQuorumSetHash[:3].hex()}"
    else:
        r = p.nominate
        body = (f"NOMINATE X={[v[:3].hex() for v in r.votes]} Y={[v[:3].hex() for v in r.accepted]} "
                f"D={r.quorumSetHash[:3].hex()}")
    return f"{node}@{st.slotIndex} {body}"


def _verify(actual, expected):
    assert expected.statement == actual.statement, (
        f"\n  expected {describe(expected.statement)}\n  actual   {describe(actual.statement)}")


def verify_prepare(actual, secret_key, qset_hash, slot_index, ballot, prepared=None, nC=0, nH=0,
                   prepared_prime=None):
    _verify(actual, make_prepare(secret_key, qset_hash, slot_index, ballot, prepared, nC, nH,
                                 prepared_prime))


def verify_confirm(actual, secret_key, qset_hash, slot_index, n_prepared, b, nC, nH):
    _verify(actual, make_confirm(secret_key, qset_hash, slot_index, n_prepared, b, nC, nH))


def verify_externalize(actual, secret_key, qset_hash, slot_index, commit, nH):
    _verify(actual, make_externalize(secret_key, qset_hash, slot_index, commit, nH))


def verify_nominate(actual, secret_key, qset_hash, slot_index, votes, accepted):
    _verify(actual, make_nominate(secret_key, qset_hash, slot_index, votes, accepted))


# ---------------------------------------------------------------- Catch2-style sections

class Sections:
    """Decides which sections a run of a scenario enters (Catch2's SECTION).

    `section(name)` decorates a nested function: it runs at once if the
    section is entered, and is skipped otherwise.  With a `target` path,
    exactly the sections on that path are entered.  Otherwise (discovery)
    the first section of each level that is not in `completed` is entered,
    as Catch2 does: one child per entered section per run.  Every run
    records the sections it entered and the children it saw."""

    def __init__(self, target=None, completed=frozenset()):
        self.target = tuple(target) if target is not None else None
        self.completed = completed
        self.stack = []
        self.entered = []            # entered paths, a chain (one child per level)
        self.children = {(): []}     # path -> names of the sections seen right below it

    def __call__(self, name: str):
        def run(body):
            parent = tuple(self.stack)
            path = parent + (name,)
            seen = self.children.setdefault(parent, [])
            if name not in seen:
                seen.append(name)
            if self.target is not None:
                enter = path == self.target[:len(path)]
            else:
                enter = path not in self.completed and \
                    not any(p[:-1] == parent for p in self.entered)
            if enter:
                self.entered.append(path)
                self.children.setdefault(path, [])
                self.stack.append(name)
                try:
                    body()
                finally:
                    self.stack.pop()
            return body
        return run

    @property
    def deepest(self):
        return self.entered[-1] if self.entered else ()


def discover(scenario):
    """The leaf paths of `scenario(section)`, in source order, found by
    running it as Catch2 does until every section is completed.  A run that
    raises completes its deepest section (so a broken scenario still ends,
    with fewer leaves than it should have)."""
    completed = set()
    leaves = []
    children = {}
    while () not in completed:
        s = Sections(completed=completed)
        try:
            scenario(s)
            failed = False
        except Exception:
            failed = True
        chain = [()] + s.entered
        for p in chain:
            children[p] = s.children.get(p, [])
        leaf = chain[-1]
        if failed or not children[leaf]:
            completed.add(leaf)
            leaves.append(leaf)
        for p in reversed(chain):
            if all(p + (c,) in completed for c in children[p]):
                completed.add(p)
    return leaves


def run_path(scenario, path):
    """Run `scenario` down to the leaf `path`, checking it got there."""
    s = Sections(target=path)
    scenario(s)
    assert s.deepest == tuple(path), f"section path not reached: {path} (deepest {s.deepest})"
    assert not s.children[tuple(path)], f"{path} is not a leaf: {s.children[tuple(path)]}"
