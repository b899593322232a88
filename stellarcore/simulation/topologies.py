"""Quorum configurations for the simulator.

Each topology is a list of (node name, QSet builder) where the builder gets
the mapping of names to node IDs once the keys exist.
"""
from __future__ import annotations

import random

from stellarcore.scp.quorum import QSet


def percent_threshold(n: int, percent: int) -> int:
    """stellar-core's THRESHOLD_PERCENT rounding: 1 + (n * pct - 1) / 100 (SC4)."""
    return 1 + (n * percent - 1) // 100


def core(n: int = 4, threshold: int = None):
    """n nodes that all trust each other, threshold n - (n - 1) / 3 by default."""
    t = threshold if threshold is not None else n - (n - 1) // 3
    names = [f"n{i}" for i in range(n)]
    return [(name, lambda ids: QSet(t, tuple(ids[x] for x in names), ())) for name in names]


def tiered(orgs: int = 7, per_org: int = 3, top_percent: int = 67, org_percent: int = 51):
    """Mainnet's shape: organisations of validators; each node needs
    `top_percent` of the organisations, each organisation a majority of its
    validators."""
    groups = [[f"o{o}v{v}" for v in range(per_org)] for o in range(orgs)]
    names = [n for g in groups for n in g]

    def build(ids):
        inner = tuple(QSet(percent_threshold(per_org, org_percent), tuple(ids[n] for n in g), ())
                      for g in groups)
        return QSet(percent_threshold(orgs, top_percent), (), inner)
    return [(n, build) for n in names]


def random_topology(n: int = 50, seed: int = 0, min_orgs_fraction: float = 0.8):
    """n nodes in random organisations of 2 to 5; each node trusts a random
    `min_orgs_fraction`-or-more of the organisations at 67%, a majority in each.
    (Whether it enjoys quorum intersection is for the checker to say.)"""
    rng = random.Random(seed)
    names = [f"r{i}" for i in range(n)]
    groups, i = [], 0
    while i < n:
        k = rng.randint(2, 5)
        groups.append(names[i:i + k])
        i += k
    choices = {}
    for name in names:
        m = max(1, int(len(groups) * min_orgs_fraction))
        chosen = rng.sample(range(len(groups)), rng.randint(m, len(groups)))
        choices[name] = sorted(chosen)

    def builder(name):
        def build(ids):
            inner = tuple(QSet(percent_threshold(len(groups[g]), 51), tuple(ids[x] for x in groups[g]), ())
                          for g in choices[name])
            return QSet(percent_threshold(len(inner), 67), (), inner)
        return build
    return [(name, builder(name)) for name in names]
