"""A deterministic random ledger workload and its reference model (a dict
of the live state), shared by the model and crash tests."""
import random

from tests.bucket._entries import account_entry, account_key, contract_data_entry, contract_data_key


class Workload:
    """Creates, updates and deletes of accounts and contract data; deleted
    keys are sometimes created again (DEAD then INIT)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.state = {}          # LedgerKey XDR -> LedgerEntry XDR
        self.dead = []           # keys deleted, candidates for re-creation
        self.next_id = 0

    def _new_key(self):
        if self.dead and self.rng.random() < 0.2:
            return self.dead.pop(self.rng.randrange(len(self.dead)))
        n = self.next_id
        self.next_id += 1
        return ("a", n) if self.rng.random() < 0.7 else ("c", n)

    @staticmethod
    def _make(ident, value, ledger):
        kind, n = ident
        if kind == "a":
            return account_key(n), account_entry(n, value, ledger)
        return contract_data_key(n), contract_data_entry(n, value, 1, ledger)

    def _pick(self, idents, touched):
        """An existing key not yet changed in this ledger, or None."""
        if not idents:
            return None
        ident = self.rng.choice(idents)
        if ident in touched:
            return None
        touched.add(ident)
        return ident

    def ledger(self, ledger):
        """(init, live, dead) of one ledger, applied to the model."""
        rng = self.rng
        init, live, dead, touched = [], [], [], set()
        idents = list(self.state.keys())
        for _ in range(rng.randrange(0, 8)):
            ident = self._new_key()
            if ident in touched or ident in self.state:
                continue
            touched.add(ident)
            k, e = self._make(ident, rng.randrange(1 << 32), ledger)
            self.state[ident] = (k, e)
            init.append(e)
        for _ in range(rng.randrange(0, 6)):
            ident = self._pick(idents, touched)
            if ident is not None:
                k, e = self._make(ident, rng.randrange(1 << 32), ledger)
                self.state[ident] = (k, e)
                live.append(e)
        for _ in range(rng.randrange(0, 3)):
            ident = self._pick(idents, touched)
            if ident is not None:
                k, _ = self.state.pop(ident)
                self.dead.append(ident)
                dead.append(k)
        return init, live, dead

    def live_state(self):
        return dict(self.state.values())

    def all_keys(self):
        """Every key ever used (live or deleted)."""
        keys = {k for k, _ in self.state.values()}
        keys.update(self._make(i, 0, 0)[0] for i in self.dead)
        return keys
