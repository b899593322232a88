"""Hypothesis state machine: the in-memory Soroban state against a plain
model (a dict of LedgerKey -> (entry, TTL entry)).

Each step closes a ledger built the way LedgerTxn.getAllEntries hands it to
stellar-core's updateState: created entries with their TTLs (in any order),
updated entries and TTL bumps, deleted keys with their TTL keys. Other steps
close a ledger with one consistency violation among valid changes (the
state must raise and stay as it was), recompute code sizes after a memory
cost upgrade, take snapshots, and rebuild the state from the model's live
entries in scan order (bucket/test/BucketIndexTests.cpp "soroban cache
population": the rebuilt state equals the maintained one).

Expected sizes come from XDR sizes and the Soroban host
(contract_code_memory_size_for_rent at max(version, 23)), not from the
module under test.
"""
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from stellarcore import xdr
from stellarcore.ledger.in_memory_soroban_state import InMemorySorobanState, InMemorySorobanStateError
from stellarcore.soroban import bridge

from tests.ledger.soroban_entries import (
    PARSE_WASM_INSTRUCTIONS, PERSISTENT, TEMPORARY, Header, code_entry, cost_inputs, data_entry,
    host_code_size, key_of, network_cost_config, ttl_entry, ttl_key_of, xdr_size,
)

pytestmark = pytest.mark.skipif(not bridge.available(),
                                reason=f"Soroban bridge library not built: {bridge.unavailable_reason()}")

DATA_SLOTS = [(c, n, d) for c in (1, 2) for n, d in ((b"a", PERSISTENT), (b"b", TEMPORARY), (b"c", PERSISTENT))]
CODE_SLOTS = [b"\0asm module %d " % i * (i * 30 + 1) for i in range(3)]
MEM_SCALES = [1, 2, 3]          # ParseWasmInstructions memory terms multiplied, as UpgradesTests does
_size_cache = {}
_cfg_cache = {}


def cost_config(scale):
    if scale not in _cfg_cache:
        _cfg_cache[scale] = network_cost_config({PARSE_WASM_INSTRUCTIONS: lambda t: t * scale})
    return _cfg_cache[scale]


def expected_size(e, scale, version):
    if e.data.type == xdr.LedgerEntryType.CONTRACT_DATA:
        return xdr_size(e)
    k = (e.to_xdr(), scale, max(version, 23))
    if k not in _size_cache:
        _size_cache[k] = host_code_size(e, cost_config(scale), version)
    return _size_cache[k]


def make_entry(slot, variant, seq):
    """A new version of the entry in `slot` (("data", i) or ("code", i))."""
    kind, i = slot
    if kind == "data":
        c, n, d = DATA_SLOTS[i]
        return data_entry(contract=c, name=n, durability=d, value=b"v" * variant, last_modified=seq)
    return code_entry(CODE_SLOTS[i], last_modified=seq, inputs=cost_inputs(variant) if variant else None)


SLOTS = [("data", i) for i in range(len(DATA_SLOTS))] + [("code", i) for i in range(len(CODE_SLOTS))]
KEYS = {slot: key_of(make_entry(slot, 0, 1)) for slot in SLOTS}


class SorobanStateMachine(RuleBasedStateMachine):

    @initialize(seq=st.integers(1, 1000))
    def start(self, seq):
        self.state = InMemorySorobanState()
        self.model = {}          # slot -> [entry, ttl entry, expected size]
        self.scale = 1
        self.snapshots = []      # (snapshot, copy of the model, size)
        self.state.initialize_from_entries([], ledger_seq=seq, ledger_version=23,
                                           config=cost_config(self.scale))

    # -- valid ledgers

    @rule(data=st.data(), version=st.integers(22, 25))
    def close_ledger(self, data, version):
        seq = self.state.ledger_seq + 1
        init, live, dead = [], [], []
        new_model = dict(self.model)
        for slot in SLOTS:
            present = slot in self.model
            action = data.draw(st.sampled_from(["update", "bump", "both", "delete", "none", "none"]
                                               if present else ["create", "none"]), label=str(slot))
            if action == "none":
                continue
            old = self.model.get(slot)
            if action == "delete":
                dead += [KEYS[slot], ttl_key_of(KEYS[slot])]
                del new_model[slot]
                continue
            if action == "bump":
                e, size = old[0], old[2]
            else:
                e = make_entry(slot, data.draw(st.integers(0, 40)), seq)
                size = expected_size(e, self.scale, version)
            t = old[1] if action == "update" else ttl_entry(KEYS[slot], data.draw(st.integers(seq, seq + 10_000)), seq)
            new_model[slot] = [e, t, size]
            if action == "create":
                init += [e, t]
            else:
                if action in ("update", "both"):
                    live.append(e)
                if action in ("bump", "both"):
                    live.append(t)
        for lst in (init, live, dead):
            lst[:] = data.draw(st.permutations(lst))
        self.state.update_state(init, live, dead, Header(seq, version), cost_config(self.scale))
        self.model = new_model

    @rule(data=st.data())
    def close_bad_ledger(self, data):
        """One violation among valid changes: raise, nothing changes."""
        seq = self.state.ledger_seq + 1
        present = [s for s in SLOTS if s in self.model]
        absent = [s for s in SLOTS if s not in self.model]
        kinds = ["gap", "no_config"]
        if absent:
            kinds += ["orphan_ttl", "update_missing", "bump_missing", "delete_missing"]
        if present:
            kinds += ["create_existing", "create_existing_ttl", "delete_twice"]
        kind = data.draw(st.sampled_from(kinds))
        init, live, dead = [], [], []
        if present:      # valid changes that must be undone
            s = data.draw(st.sampled_from(present))
            live += [make_entry(s, 41, seq), ttl_entry(KEYS[s], seq + 5, seq)]
        a = data.draw(st.sampled_from(absent)) if absent else None
        p = data.draw(st.sampled_from(present)) if present else None
        header, config = Header(seq, 25), cost_config(self.scale)
        if kind == "gap":
            header = Header(seq + data.draw(st.sampled_from([-1, 1, 2])), 25)
        elif kind == "no_config":
            config = None
        elif kind == "orphan_ttl":
            init.append(ttl_entry(KEYS[a], seq + 1, seq))
        elif kind == "update_missing":
            live.append(make_entry(a, 1, seq))
        elif kind == "bump_missing":
            live.append(ttl_entry(KEYS[a], seq + 1, seq))
        elif kind == "delete_missing":
            dead.append(KEYS[a])
        elif kind == "create_existing":
            init.append(make_entry(p, 2, seq))
        elif kind == "create_existing_ttl":
            init.append(ttl_entry(KEYS[p], seq + 3, seq))
        elif kind == "delete_twice":
            dead += [KEYS[p], KEYS[p]]
        before = self._observed(self.state)
        with pytest.raises(InMemorySorobanStateError):
            self.state.update_state(init, live, dead, header, config)
        assert self._observed(self.state) == before

    @rule(scale=st.sampled_from(MEM_SCALES), version=st.integers(22, 25))
    def memory_cost_upgrade(self, scale, version):
        self.scale = scale
        self.state.recompute_contract_code_size(cost_config(scale), version)
        for m in self.model.values():
            m[2] = expected_size(m[0], scale, version)

    @rule()
    def take_snapshot(self):
        self.snapshots = [(self.state.snapshot(), {k: list(v) for k, v in self.model.items()},
                           self.state.ledger_seq)][-1:]

    @rule(data=st.data())
    def rebuild_from_live_entries(self, data):
        """rebuildInMemorySorobanStateForTesting: wipe and re-initialize
        from the live ledger; older versions of a key come later in the scan
        and must lose."""
        stream = data.draw(st.permutations([x for e, t, _ in self.model.values() for x in (e, t)]))
        for slot in self.model:
            if data.draw(st.booleans(), label="older version"):
                for older in (make_entry(slot, 39, 1), ttl_entry(KEYS[slot], 2, 1)):
                    newest = next(i for i, x in enumerate(stream)
                                  if x.data.type == older.data.type and key_of(x) == key_of(older))
                    stream.insert(data.draw(st.integers(newest + 1, len(stream))), older)
        rebuilt = InMemorySorobanState()
        rebuilt.initialize_from_entries(stream, ledger_seq=self.state.ledger_seq,
                                        ledger_version=25, config=cost_config(self.scale))
        # sizes were computed at various versions; the hosts agree on them
        assert self._observed(rebuilt) == self._observed(self.state)
        self.state = rebuilt

    # -- checks

    @staticmethod
    def _observed(s):
        out = [s.ledger_seq, s.get_size(), s.contract_data_count, s.contract_code_count]
        for slot in SLOTS:
            e = s.get(KEYS[slot])
            t = s.get(ttl_key_of(KEYS[slot]))
            out.append((e.to_xdr() if e else None, t.to_xdr() if t else None, s.has_ttl(ttl_key_of(KEYS[slot]))))
        return out

    @invariant()
    def matches_model(self):
        s = self.state
        for slot in SLOTS:
            m = self.model.get(slot)
            assert s.get(KEYS[slot]) is (m[0] if m else None)
            t = s.get(ttl_key_of(KEYS[slot]))
            assert (t.to_xdr() if t else None) == (m[1].to_xdr() if m else None)
            assert s.has_ttl(ttl_key_of(KEYS[slot])) == bool(m)
        data_size = sum(m[2] for slot, m in self.model.items() if slot[0] == "data")
        code_size = sum(m[2] for slot, m in self.model.items() if slot[0] == "code")
        assert (s.contract_data_state_size, s.contract_code_state_size) == (data_size, code_size)
        assert s.get_size() == data_size + code_size

    @invariant()
    def snapshots_do_not_move(self):
        for snap, model, seq in self.snapshots:
            assert snap.ledger_seq == seq
            for slot in SLOTS:
                m = model.get(slot)
                assert snap.get(KEYS[slot]) is (m[0] if m else None)
            assert snap.get_size() == sum(m[2] for m in model.values())


SorobanStateMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
test_soroban_state_machine = SorobanStateMachine.TestCase


def test_host_sizes_do_not_depend_on_the_protocol_23_to_25_host():
    """The rebuild check above compares sizes computed at different
    versions; that holds because the three hosts size modules alike."""
    for slot in SLOTS[-len(CODE_SLOTS):]:
        e = make_entry(slot, 7, 1)
        assert len({expected_size(e, 1, v) for v in (23, 24, 25)}) == 1
