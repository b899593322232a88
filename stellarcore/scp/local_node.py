"""The local node: its ID, whether it validates, its quorum set and that
set's hash (stellar-core scp/LocalNode)."""
from __future__ import annotations

from stellarcore.scp import quorum_set as qs
from stellarcore.scp.quorum import QSet


def qset_hash(driver, q: QSet) -> bytes:
    """The hash statements name a quorum set by: SHA-256 of its XDR."""
    return driver.get_hash_of([qs.to_xdr(q).to_xdr()])


class LocalNode:
    def __init__(self, node_id: bytes, is_validator: bool, qset: QSet, driver):
        self.node_id = node_id
        self.is_validator = is_validator
        self.driver = driver
        self.qset = qs.normalize(qset)
        self.qset_hash = qset_hash(driver, self.qset)

    def update_quorum_set(self, qset: QSet):
        """Replace the quorum set (not normalized, as stellar-core's updateQuorumSet)."""
        self.qset = qset
        self.qset_hash = qset_hash(self.driver, qset)
