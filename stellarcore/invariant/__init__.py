"""Operation-apply invariants (stellar-core src/invariant).

`check_operation_apply(header_before, header_after, delta, events=None)`
runs them all and raises `InvariantDoesNotHold(name, message)`; see
manager.py and README.md.
"""
from stellarcore.invariant.base import InvariantDoesNotHold, OperationContext
from stellarcore.invariant.manager import InvariantManager, check_operation_apply

__all__ = ["InvariantDoesNotHold", "OperationContext", "InvariantManager", "check_operation_apply"]
