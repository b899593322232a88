"""AccountMerge (stellar-core transactions/MergeOpFrame.cpp,
doApplyFromV16).

Check order fixes the result code: destination exists, source not
AUTH_IMMUTABLE, no sub-entries other than signers, sequence number not
too far (isSeqnumTooFar), not a sponsor (of future reserves in this
transaction, or of any entry). Then every signer is removed (releasing
their sponsorships), the balance moves to the destination (DEST_FULL if
it cannot take it) and the account is removed with
removeEntryWithPossibleSponsorship. HIGH threshold.

isSeqnumTooFar: a merged account recreated in this ledger would start at
ledgerSeq << 32, so a merge is refused when the account's seqNum - or,
from protocol 19, the largest seqNum any transaction of this ledger's set
uses for the account (the internal MAX_SEQ_NUM_TO_APPLY entry the fee
pass creates when the set contains a merge, PARITY_TRAPS L8) - has
reached it.
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.keys import account_key, max_seq_num_to_apply_key, sponsorship_counter_key
from stellarcore.ledger.sponsorship import (remove_entry_with_possible_sponsorship,
                                            remove_signer_with_possible_sponsorship)
from stellarcore.transactions import events as E
from stellarcore.transactions.operation_frame import OperationFrame, ThresholdLevel, muxed_to_account_id, register
from stellarcore.transactions.operations.set_options import is_immutable_auth

_M = xdr.AccountMergeResultCode
_NATIVE = xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE)


@register(xdr.OperationType.ACCOUNT_MERGE)
class MergeOpFrame(OperationFrame):

    threshold_level = ThresholdLevel.HIGH

    def __init__(self, op, tx, index):
        super().__init__(op, tx, index)
        # the body is the destination MuxedAccount
        self.dest_id = muxed_to_account_id(self.body)

    def do_check_valid(self, ledger_version: int) -> bool:
        if self.source_id == self.dest_id:
            self.set_code(_M.ACCOUNT_MERGE_MALFORMED)
            return False
        return True

    def is_seqnum_too_far(self, ltx, header, acc) -> bool:
        max_seq = B.starting_sequence_number(header.ledgerSeq)
        e = ltx.load(max_seq_num_to_apply_key(self.source_id))
        if e is not None and e.value >= max_seq:
            return True
        return acc.seqNum >= max_seq

    def do_apply(self, ltx, op_meta) -> bool:
        header = ltx.header
        dest_key = account_key(self.dest_id)
        if ltx.load(dest_key) is None:
            self.set_code(_M.ACCOUNT_MERGE_NO_ACCOUNT)
            return False
        src = ltx.load(account_key(self.source_id))
        if is_immutable_auth(src):
            self.set_code(_M.ACCOUNT_MERGE_IMMUTABLE_SET)
            return False
        acc = src.data.account
        if acc.numSubEntries != len(acc.signers):
            self.set_code(_M.ACCOUNT_MERGE_HAS_SUB_ENTRIES)
            return False
        if self.is_seqnum_too_far(ltx, header, acc):
            self.set_code(_M.ACCOUNT_MERGE_SEQNUM_TOO_FAR)
            return False
        if ltx.load(sponsorship_counter_key(self.source_id)) is not None:
            self.set_code(_M.ACCOUNT_MERGE_IS_SPONSOR)
            return False
        if B.num_sponsoring(acc) > 0:
            self.set_code(_M.ACCOUNT_MERGE_IS_SPONSOR)
            return False
        while acc.signers:
            remove_signer_with_possible_sponsorship(ltx, header, len(acc.signers) - 1, src)
        source_balance = acc.balance
        other = ltx.load(dest_key)
        if not B.add_balance(header, other, source_balance):
            self.set_code(_M.ACCOUNT_MERGE_DEST_FULL)
            return False
        remove_entry_with_possible_sponsorship(ltx, header, src, src)
        ltx.erase(account_key(self.source_id))
        op_meta.events.transfer(_NATIVE, E.muxed_account_address(self.source_account),
                                E.muxed_account_address(self.body), source_balance, True)
        self.set_inner(xdr.AccountMergeResult(_M.ACCOUNT_MERGE_SUCCESS, source_balance))
        return True
