"""Running the operation-apply invariants (stellar-core
invariant/InvariantManagerImpl.cpp checkOnOperationApply).

Why: stellar-core calls `checkOnOperationApply` after every successful
operation (TransactionFrame::applyOperations, before the op's changes are
recorded into meta) with the op's LedgerTxnDelta and events. Each enabled
invariant returns a message or nothing; a failing *strict* invariant
(EventsAreConsistentWithEntryDiffs) throws InvariantDoesNotHold, a failing
non-strict one only logs an error in production. stellar-core's test build
(TestInvariantManager) throws for every failure; `check_operation_apply`
here is that test behaviour, `InvariantManager(raise_all=False)` the
production one.

Order: enabling with the pattern ".*" walks stellar-core's registry, a
std::map keyed by name, so invariants run in name order; `ALL` is that
order.
"""
from __future__ import annotations

import logging
from typing import Iterable, Optional, Sequence

from stellarcore.invariant import (account_subentries_count, conservation_of_lumens, constant_product,
                                   events_consistent, ledger_entry_is_valid, liabilities_match_offers,
                                   sponsorship_count)
from stellarcore.invariant.base import InvariantDoesNotHold, OperationContext, to_json

log = logging.getLogger("stellarcore.invariant")

# (name, strict, check) in stellar-core's registry (name) order.
ALL = tuple(sorted(((m.NAME, m.STRICT, m.check) for m in (
    account_subentries_count,
    conservation_of_lumens,
    constant_product,
    events_consistent,
    ledger_entry_is_valid,
    liabilities_match_offers,
    sponsorship_count,
)), key=lambda t: t[0]))

NAMES = tuple(n for n, _s, _c in ALL)

# Invariants stellar-core v25.0.1 has that are not here (see README).
NOT_IMPLEMENTED = ("ArchivedStateConsistency", "BucketListIsConsistentWithDatabase", "OrderBookIsNotCrossed")


class InvariantManager:
    """The enabled operation-apply invariants.

    `enabled`: names to run (default: all of `NAMES`), run in name order.
    `raise_all`: True (tests) raises on any failure; False (production)
    raises only for strict invariants and logs the others.
    `failures`: name -> (ledgerSeq, message) of the latest failure, as
    stellar-core's getJsonInfo reports.
    """

    def __init__(self, enabled: Optional[Iterable[str]] = None, raise_all: bool = True):
        names = set(NAMES if enabled is None else enabled)
        unknown = names - set(NAMES)
        if unknown:
            raise ValueError(f"unknown invariants: {sorted(unknown)}; registered: {', '.join(NAMES)}")
        self.enabled = tuple(t for t in ALL if t[0] in names)
        self.raise_all = raise_all
        self.failures: dict = {}
        self.failure_count = 0

    def check_operation_apply(self, header_before, header_after, delta, events=None, *,
                              operation=None, op_result=None, network_id=None) -> None:
        ctx = OperationContext.build(header_before, header_after, delta, events, operation,
                                     op_result, network_id)
        self.check(ctx)

    def check(self, ctx: OperationContext) -> None:
        for name, strict, fn in self.enabled:
            msg = fn(ctx)
            if not msg:
                continue
            full = f'Invariant "{name}" does not hold on operation: {msg}'
            if ctx.operation is not None:
                full += "\n" + to_json(ctx.operation, "Operation")
            self.failure_count += 1
            self.failures[name] = (ctx.header_after.ledgerSeq, full)
            if strict or self.raise_all:
                log.critical("%s", full)
                raise InvariantDoesNotHold(name, msg, full)
            log.error("%s", full)


_DEFAULT = InvariantManager()


def check_operation_apply(header_before, header_after, delta, events=None, *,
                          operation=None, op_result=None, network_id=None,
                          enabled: Optional[Sequence[str]] = None) -> None:
    """Run every operation-apply invariant on one operation's effects and
    raise InvariantDoesNotHold(name, message) on the first failure.

    `delta` is what `LedgerTxn.get_delta()` yields: (key bytes, previous
    LedgerEntry or None, current LedgerEntry or None); call it on the op's
    own LedgerTxn before committing it. `header_before` is the header the op
    started from, `header_after` the op's header. `events` (the op's
    ContractEvents, no fee events) turns on EventsAreConsistentWithEntryDiffs;
    `operation` enables the ConstantProductInvariant exemptions and the
    Operation JSON in messages; `op_result` the Inflation rule of
    ConservationOfLumens; `network_id` the native-SAC checks and SAC
    contract-ID verification of events.
    """
    mgr = _DEFAULT if enabled is None else InvariantManager(enabled)
    mgr.check_operation_apply(header_before, header_after, delta, events, operation=operation,
                              op_result=op_result, network_id=network_id)
