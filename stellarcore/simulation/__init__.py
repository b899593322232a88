"""A deterministic SCP simulator: many nodes in one process on a virtual
clock, over a network with delay, loss, reordering and partitions, with
optional Byzantine nodes (stellar-core's src/simulation plays this role)."""
from stellarcore.simulation.byzantine import EquivocatingNode, GarbageNode, SilentNode
from stellarcore.simulation.simulation import SafetyViolation, Simulation
from stellarcore.simulation import topologies

__all__ = ["Simulation", "SafetyViolation", "SilentNode", "EquivocatingNode", "GarbageNode",
           "topologies"]
