"""The transaction queue's size limit and eviction (stellar-core v25.0.1
herder/TxQueueLimiter.cpp).

Why: the queue holds at most `multiplier` ledgers' worth of resources
(operations for classic, the seven Soroban resources for Soroban). When a
new transaction does not fit, the cheapest ones may be evicted for it,
if it pays a strictly better fee rate; once something was evicted, every
later transaction of that lane (or of all lanes) has to beat the evicted
rate, until the next ledger resets it.
"""
from __future__ import annotations

from typing import Callable, List, Optional, Tuple

from stellarcore.herder import surge_pricing as SP


def _better_than_evicted(evicted: Tuple[int, int], tx) -> int:
    """computeBetterFee against an evicted (fee, ops) bid; 0 when none
    was evicted or `tx` already beats it."""
    fee, ops = evicted
    if ops != 0 and SP.fee_rate_3way_compare(fee, ops, tx.inclusion_fee, tx.num_operations) >= 0:
        return SP.compute_better_fee(tx, fee, ops)
    return 0


class TxQueueLimiter:
    """Tracks the queued transactions by fee rate (lowest first)."""

    def __init__(self, multiplier: float, is_soroban: bool, max_dex_ops: Optional[int] = None):
        self.multiplier = multiplier
        self.is_soroban = is_soroban
        self.max_dex_ops = (max_dex_ops * multiplier) if (max_dex_ops is not None and not is_soroban) else None
        self.txs: Optional[SP.SurgePricingPriorityQueue] = None
        self.config = None
        self.evicted: List[Tuple[int, int]] = []

    # -- limits ----------------------------------------------------------------
    def max_scaled_ledger_resources(self, lcl_header, soroban_config=None) -> tuple:
        """maxLedgerResources times the multiplier (saturating)."""
        if self.is_soroban:
            if soroban_config is None:
                raise ValueError("the Soroban queue needs the Soroban network configuration")
            base = tuple(soroban_config.max_ledger_resources())
        else:
            base = (lcl_header.maxTxSetSize,)
        return SP.saturated_multiply_by_double(base, self.multiplier)

    def reset(self, lcl_header, soroban_config=None) -> None:
        limit = self.max_scaled_ledger_resources(lcl_header, soroban_config)
        if self.is_soroban:
            self.config = SP.SorobanGenericLaneConfig(limit)
        else:
            dex = None if self.max_dex_ops is None else (self.max_dex_ops,)
            self.config = SP.DexLimitingLaneConfig(limit, dex)
        self.txs = SP.SurgePricingPriorityQueue(False, self.config, lcl_header.ledgerVersion)
        self.reset_eviction_state()

    def reset_eviction_state(self) -> None:
        if self.config is not None:
            self.evicted = [(0, 0)] * len(self.config.lane_limits)

    # -- contents ----------------------------------------------------------------
    def add(self, tx) -> None:
        self.txs.add(tx)

    def remove(self, tx) -> None:
        if self.txs is not None:
            self.txs.erase(tx)

    def size_ops(self) -> int:
        return 0 if self.txs is None else self.txs.total_resources()[0]

    # -- admission ---------------------------------------------------------------
    def can_add_tx(self, new_tx, old_tx, lcl_header, soroban_config=None):
        """canAddTx: (fits, min full fee to fit or 0, [(tx, due to lane limit)])."""
        if new_tx.is_soroban != self.is_soroban:
            raise ValueError("transaction kind does not match the queue")
        if self.txs is None:
            self.reset(lcl_header, soroban_config)
        self.txs.ledger_version = lcl_header.ledgerVersion
        lane = self.config.get_lane(new_tx)
        need = max(_better_than_evicted(self.evicted[lane], new_tx),
                   _better_than_evicted(self.evicted[SP.GENERIC_LANE], new_tx))
        if need > 0:
            return False, need + (new_tx.full_fee - new_tx.inclusion_fee), []
        discount = None if old_tx is None else old_tx.resources(False, lcl_header.ledgerVersion)
        self.config.update_generic_lane_limit(self.max_scaled_ledger_resources(lcl_header, soroban_config))
        return self.txs.can_fit_with_eviction(new_tx, discount)

    def evict_transactions(self, to_evict, tx_to_fit, lcl_header, soroban_config,
                           evict: Callable) -> None:
        """evictTransactions: evict in order, remembering the best evicted
        bid per lane, until `tx_to_fit` fits."""
        lv = lcl_header.ledgerVersion
        res = tx_to_fit.resources(False, lv)
        lane = self.config.get_lane(tx_to_fit)
        max_limits = self.max_scaled_ledger_resources(lcl_header, soroban_config)
        for tx, due_to_lane in to_evict:
            bid = (tx.inclusion_fee, tx.num_operations)
            if due_to_lane:
                self.evicted[self.config.get_lane(tx)] = bid
            else:
                self.evicted[SP.GENERIC_LANE] = bid
            evict(tx)
            if SP.leq(SP.add(self.txs.total_resources(), res), max_limits):
                if lane == SP.GENERIC_LANE or SP.leq(SP.add(self.txs.lane_resources(lane), res),
                                                     self.config.lane_limits[lane]):
                    break
        if not SP.leq(SP.add(self.txs.total_resources(), res), max_limits):
            raise AssertionError("eviction did not make room")
