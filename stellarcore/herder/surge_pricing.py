"""Surge pricing: picking the best-paying transactions within resource
limits, in fee lanes (stellar-core v25.0.1 herder/SurgePricingUtils.cpp,
util/TxResource.cpp).

Why lanes: classic transactions with DEX operations may be capped
separately (MAX_DEX_TX_OPERATIONS_IN_TX_SET), so they compete with each
other for that cap and with everyone for the generic limit. Lane 0 is the
generic lane and its limit is shared by all lanes.

Transactions are ranked by inclusion fee per operation, compared by
cross-multiplication so no rounding enters (PARITY_TRAPS H8); ties are
broken by full hash, as stellar-core's test builds do (release builds XOR
pointers with a random seed, which cannot be reproduced and does not
matter for consensus). Resources are tuples of ints with stellar-core's
Resource arithmetic.

The transactions handled here are `herder.tx_view.TxView`s (anything with
inclusion_fee, num_operations, full_fee, full_hash, source_id, is_soroban,
has_dex_operations and resources(use_byte_limit, ledger_version)).
"""
from __future__ import annotations

import bisect
from typing import Callable, List, Optional, Sequence, Tuple

INT64_MAX = (1 << 63) - 1
GENERIC_LANE = 0
DEX_LANE = 1
# overlay/Peer.h: the 10 MB tx-set allowance, split half and half.
MAX_TX_SET_ALLOWANCE = 10 * 1024 * 1024
MAX_CLASSIC_BYTE_ALLOWANCE = MAX_TX_SET_ALLOWANCE // 2
MAX_SOROBAN_BYTE_ALLOWANCE = MAX_TX_SET_ALLOWANCE // 2

# visitor answers (SurgePricingPriorityQueue::VisitTxResult)
SKIPPED = "SKIPPED"
REJECTED = "REJECTED"
PROCESSED = "PROCESSED"


# ---------------------------------------------------------------------------
# Resource arithmetic


def any_greater(a: Sequence[int], b: Sequence[int]) -> bool:
    return any(x > y for x, y in zip(a, b))


def leq(a: Sequence[int], b: Sequence[int]) -> bool:
    return all(x <= y for x, y in zip(a, b))


def can_add(a: Sequence[int], b: Sequence[int]) -> bool:
    return all(INT64_MAX - x >= y for x, y in zip(a, b))


def add(a: Sequence[int], b: Sequence[int]) -> tuple:
    return tuple(x + y for x, y in zip(a, b))


def sub(a: Sequence[int], b: Sequence[int]) -> tuple:
    out = tuple(x - y for x, y in zip(a, b))
    if any(v < 0 for v in out):
        raise AssertionError("resource subtraction below zero")
    return out


def subtract_non_negative(a: Sequence[int], b: Sequence[int]) -> tuple:
    return tuple(x - y if x > y else 0 for x, y in zip(a, b))


def any_positive(a: Sequence[int]) -> bool:
    return any(x > 0 for x in a)


def saturated_multiply_by_double(a: Sequence[int], m: float) -> tuple:
    """saturatedMultiplyByDouble: each dimension times m through a double,
    truncated, capped at INT64_MAX."""
    out = []
    for v in a:
        d = float(v) * m
        out.append(int(d) if d < 9.223372036854775807e18 else INT64_MAX)
    return tuple(out)


def limit_to(a: Sequence[int], limit: Sequence[int]) -> tuple:
    return tuple(min(x, y) for x, y in zip(a, limit))


# ---------------------------------------------------------------------------
# fee rates


def fee_rate_3way_compare(l_fee: int, l_ops: int, r_fee: int, r_ops: int) -> int:
    """Compare l_fee/l_ops with r_fee/r_ops exactly (feeRate3WayCompare)."""
    v1 = l_fee * r_ops
    v2 = r_fee * l_ops
    return (v1 > v2) - (v1 < v2)


def compute_better_fee(tx, ref_fee: int, ref_ops: int) -> int:
    """The smallest inclusion fee giving `tx` a strictly better rate than
    ref_fee/ref_ops (computeBetterFee), INT64_MAX when it overflows."""
    if ref_ops == 0:
        return INT64_MAX
    v = ref_fee * tx.num_operations // ref_ops
    if v < INT64_MAX:
        return v + 1
    return INT64_MAX


def compute_per_op_fee(tx) -> int:
    """computePerOpFee from protocol 20: inclusion fee / ops, rounded down."""
    ops = tx.num_operations
    if ops <= 0:
        raise ValueError("transaction without operations has no per-op fee")
    return tx.inclusion_fee // ops


class _Rank:
    """Sort key: fee rate ascending, then full hash ascending (txLessThan)."""

    __slots__ = ("fee", "ops", "hash")

    def __init__(self, tx):
        self.fee = tx.inclusion_fee
        self.ops = tx.num_operations
        self.hash = tx.full_hash

    def __lt__(self, other: "_Rank") -> bool:
        c = fee_rate_3way_compare(self.fee, self.ops, other.fee, other.ops)
        if c:
            return c < 0
        return self.hash < other.hash

    def __eq__(self, other) -> bool:
        return (fee_rate_3way_compare(self.fee, self.ops, other.fee, other.ops) == 0
                and self.hash == other.hash)


# ---------------------------------------------------------------------------
# lane configurations


class DexLimitingLaneConfig:
    """Classic lanes: generic, plus a DEX lane when `dex_limit` is given.
    With a two-dimensional limit (ops, bytes) transactions count their size."""

    def __init__(self, limit: Sequence[int], dex_limit: Optional[Sequence[int]] = None):
        self.lane_limits: List[tuple] = [tuple(limit)]
        if dex_limit is not None:
            self.lane_limits.append(tuple(dex_limit))
        self.use_byte_limit = len(limit) == 2

    def get_lane(self, tx) -> int:
        if len(self.lane_limits) > DEX_LANE and tx.has_dex_operations:
            return DEX_LANE
        return GENERIC_LANE

    def update_generic_lane_limit(self, limit: Sequence[int]) -> None:
        self.lane_limits[0] = tuple(limit)

    def tx_resources(self, tx, ledger_version: int) -> tuple:
        if tx.is_soroban:
            raise ValueError("Soroban transaction in a classic lane")
        return tx.resources(self.use_byte_limit, ledger_version)


class SorobanGenericLaneConfig:
    """One lane for Soroban, limited by the ledger's Soroban resources."""

    def __init__(self, limit: Sequence[int]):
        self.lane_limits: List[tuple] = [tuple(limit)]

    def get_lane(self, tx) -> int:
        if not tx.is_soroban:
            raise ValueError("Invalid tx: non-Soroban")
        return GENERIC_LANE

    def update_generic_lane_limit(self, limit: Sequence[int]) -> None:
        self.lane_limits[0] = tuple(limit)

    def tx_resources(self, tx, ledger_version: int) -> tuple:
        if not tx.is_soroban:
            raise ValueError("Invalid tx: non-Soroban")
        return tx.resources(False, ledger_version)


# ---------------------------------------------------------------------------
# the priority queue


class SurgePricingPriorityQueue:
    """Transactions per lane, ordered by fee rate; the top is the highest
    rate when `highest_priority`, else the lowest (the eviction order)."""

    def __init__(self, highest_priority: bool, lane_config, ledger_version: int):
        self.highest = highest_priority
        self.config = lane_config
        self.ledger_version = ledger_version
        n = len(lane_config.lane_limits)
        dims = len(lane_config.lane_limits[0])
        self._lanes: List[list] = [[] for _ in range(n)]      # ascending (rank, tx)
        self._hashes: List[set] = [set() for _ in range(n)]
        self.lane_counts: List[tuple] = [(0,) * dims for _ in range(n)]

    @property
    def lane_limits(self) -> List[tuple]:
        return self.config.lane_limits

    def num_lanes(self) -> int:
        return len(self.config.lane_limits)

    # -- contents ------------------------------------------------------------
    def add(self, tx) -> None:
        lane = self.config.get_lane(tx)
        if tx.full_hash in self._hashes[lane]:
            return
        self._hashes[lane].add(tx.full_hash)
        bisect.insort(self._lanes[lane], (_Rank(tx), tx), key=lambda p: p[0])
        self.lane_counts[lane] = add(self.lane_counts[lane], self.config.tx_resources(tx, self.ledger_version))

    def erase(self, tx) -> None:
        lane = self.config.get_lane(tx)
        if tx.full_hash not in self._hashes[lane]:
            return
        items = self._lanes[lane]
        rank = _Rank(tx)
        i = bisect.bisect_left(items, rank, key=lambda p: p[0])
        while items[i][1].full_hash != tx.full_hash:
            i += 1
        self._erase_at(lane, i)

    def _erase_at(self, lane: int, index: int) -> None:
        tx = self._lanes[lane].pop(index)[1]
        self._hashes[lane].discard(tx.full_hash)
        self.lane_counts[lane] = sub(self.lane_counts[lane], self.config.tx_resources(tx, self.ledger_version))

    def __contains__(self, tx) -> bool:
        return tx.full_hash in self._hashes[self.config.get_lane(tx)]

    def __len__(self) -> int:
        return sum(len(items) for items in self._lanes)

    def total_resources(self) -> tuple:
        total = (0,) * len(self.lane_counts[0])
        for c in self.lane_counts:
            total = add(total, c)
        return total

    def lane_resources(self, lane: int) -> tuple:
        return self.lane_counts[lane]

    def count_txs_resources(self, txs) -> List[tuple]:
        dims = len(self.lane_limits[0])
        out = [(0,) * dims for _ in self.lane_limits]
        for tx in txs:
            lane = self.config.get_lane(tx)
            out[lane] = add(out[lane], self.config.tx_resources(tx, self.ledger_version))
        return out

    # -- walking from the top ----------------------------------------------
    def _head(self, lane: int, k: int):
        """The k-th transaction of a lane counted from the top."""
        items = self._lanes[lane]
        return items[-1 - k][1] if self.highest else items[k][1]

    def _better(self, a, b) -> bool:
        """a comes before b from the top."""
        ra, rb = _Rank(a), _Rank(b)
        return rb < ra if self.highest else ra < rb

    def _cursor(self) -> "_Cursor":
        return _Cursor(self, [lane for lane in range(self.num_lanes()) if self._lanes[lane]])

    def pop_top_txs(self, allow_gaps: bool, visitor: Callable, lane_left: Optional[List[tuple]] = None,
                    custom_limits: Optional[List[tuple]] = None) -> Tuple[List[tuple], List[bool]]:
        """popTopTxs: visit transactions from the top while they fit the lane
        and generic limits, removing each visited one. With `allow_gaps` a
        transaction that does not fit is dropped and the walk goes on
        (marking its lane as full); without, a lane stops at its first
        misfit and the generic lane stops everything. Returns the resources
        left per lane and which lanes had a transaction not fitting."""
        limits = custom_limits if custom_limits is not None else self.lane_limits
        left = [tuple(x) for x in limits]
        not_fitting = [False] * len(limits)
        while True:
            cur = self._cursor()
            gap_skipped = False
            can_pop = True
            while not cur.is_end():
                tx = cur.top()
                res = self.config.tx_resources(tx, self.ledger_version)
                lane = self.config.get_lane(tx)
                if any_greater(res, left[lane]) or any_greater(res, left[GENERIC_LANE]):
                    if allow_gaps:
                        gap_skipped = True
                        self.erase(tx)
                        if any_greater(res, left[lane]):
                            not_fitting[lane] = True
                        else:
                            not_fitting[GENERIC_LANE] = True
                        break
                    if lane != GENERIC_LANE and any_greater(res, left[lane]):
                        cur.drop_lane()
                    else:
                        can_pop = False
                        break
                else:
                    break
            if gap_skipped:
                continue
            if not can_pop or cur.is_end():
                break
            tx = cur.top()
            outcome = visitor(tx)
            res = self.config.tx_resources(tx, self.ledger_version)
            lane = self.config.get_lane(tx)
            if outcome == PROCESSED:
                left[GENERIC_LANE] = sub(left[GENERIC_LANE], res)
                if lane != GENERIC_LANE:
                    left[lane] = sub(left[lane], res)
            elif outcome == REJECTED:
                not_fitting[GENERIC_LANE] = True
                not_fitting[lane] = True
            self.erase(tx)
        if lane_left is not None:
            lane_left[:] = left
        return left, not_fitting

    def visit_top_txs(self, visitor: Callable, custom_limits: Optional[List[tuple]] = None) -> List[tuple]:
        """visitTopTxs: pop_top_txs without gaps; returns resources left."""
        left, _ = self.pop_top_txs(False, visitor, custom_limits=custom_limits)
        return left

    @classmethod
    def most_top_txs_within_limits(cls, txs, lane_config, ledger_version: int) -> Tuple[list, List[bool]]:
        """getMostTopTxsWithinLimits: everything when every lane and the
        generic total fit, else the greedy best-rate subset with gaps.
        Returns (included txs, had-tx-not-fitting per lane)."""
        queue = cls(True, lane_config, ledger_version)
        per_lane = queue.count_txs_resources(txs)
        all_fit = True
        total = (0,) * len(per_lane[0])
        for i in range(queue.num_lanes()):
            if any_greater(per_lane[i], queue.lane_limits[i]):
                all_fit = False
                break
            total = add(total, per_lane[i])
            if any_greater(total, queue.lane_limits[GENERIC_LANE]):
                all_fit = False
                break
        if all_fit:
            return list(txs), [False] * queue.num_lanes()
        for tx in txs:
            queue.add(tx)
        out = []

        def visit(tx):
            out.append(tx)
            return PROCESSED

        _, not_fitting = queue.pop_top_txs(True, visit)
        return out, not_fitting

    # -- eviction ------------------------------------------------------------
    def can_fit_with_eviction(self, tx, discount: Optional[Sequence[int]] = None):
        """canFitWithEviction (lowest-rate-first queues only): whether `tx`
        fits after evicting cheaper transactions, which ones (with whether
        each was evicted because of its lane's own limit), and otherwise
        the smallest full fee that could fit (0 when no fee would).
        Returns (fits, min_fee, [(tx, evicted_due_to_lane_limit)])."""
        if self.highest:
            raise AssertionError("eviction needs the lowest fee rate on top")
        lane = self.config.get_lane(tx)
        new_res = self.config.tx_resources(tx, self.ledger_version)
        if discount is not None:
            new_res = subtract_non_negative(new_res, discount)
        limits = self.lane_limits
        if any_greater(new_res, limits[GENERIC_LANE]) or any_greater(new_res, limits[lane]):
            return False, 0, []
        total = self.total_resources()
        if not can_add(total, new_res) or not can_add(self.lane_counts[lane], new_res):
            return False, 0, []
        new_total = add(total, new_res)
        new_lane = add(self.lane_counts[lane], new_res)
        if leq(new_total, limits[GENERIC_LANE]) and leq(new_lane, limits[lane]):
            return True, 0, []
        cur = self._cursor()
        needed_total = subtract_non_negative(new_total, limits[GENERIC_LANE])
        needed_lane = subtract_non_negative(new_lane, limits[lane])
        evict = []
        while any_positive(needed_total) or any_positive(needed_lane):
            due_to_lane = False
            while not cur.is_end():
                ev = cur.top()
                ev_lane = self.config.get_lane(ev)
                if lane == GENERIC_LANE or lane == ev_lane or any_greater(needed_total, needed_lane):
                    break
                due_to_lane = True
                cur.drop_lane()
            if cur.is_end():
                raise AssertionError("nothing left to evict")
            ev = cur.top()
            ev_res = self.config.tx_resources(ev, self.ledger_version)
            ev_lane = self.config.get_lane(ev)
            # the evicted tx must pay a strictly lower rate than the new one
            if not fee_rate_3way_compare(ev.inclusion_fee, ev.num_operations,
                                         tx.inclusion_fee, tx.num_operations) < 0:
                min_fee = compute_better_fee(tx, ev.inclusion_fee, ev.num_operations)
                return False, min_fee + (tx.full_fee - tx.inclusion_fee), []
            if tx.source_id == ev.source_id:
                return False, 0, []
            evict.append((ev, due_to_lane))
            needed_total = subtract_non_negative(needed_total, ev_res)
            if lane == GENERIC_LANE or lane == ev_lane:
                needed_lane = subtract_non_negative(needed_lane, ev_res)
            if not any_positive(needed_total) and not any_positive(needed_lane):
                return True, 0, evict
            cur.advance()
        raise AssertionError("eviction loop ended without fitting")


class _Cursor:
    """SurgePricingPriorityQueue::Iterator: the best head among lanes.
    Valid until the queue changes."""

    def __init__(self, queue: SurgePricingPriorityQueue, lanes):
        self.q = queue
        self.lanes = [[lane, 0] for lane in lanes]

    def is_end(self) -> bool:
        return not self.lanes

    def _tx(self, i: int):
        lane, k = self.lanes[i]
        return self.q._head(lane, k)

    def _best(self) -> int:
        best = 0
        for i in range(1, len(self.lanes)):
            if self.q._better(self._tx(i), self._tx(best)):
                best = i
        return best

    def top(self):
        return self._tx(self._best())

    def advance(self) -> None:
        i = self._best()
        self.lanes[i][1] += 1
        lane, k = self.lanes[i]
        if k >= len(self.q._lanes[lane]):
            del self.lanes[i]

    def drop_lane(self) -> None:
        del self.lanes[self._best()]
