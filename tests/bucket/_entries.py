"""Raw XDR of simple ledger entries, packed directly (fast enough for
thousands of ledgers); one test checks them against the XDR codec."""
import struct


def account_id(n):
    """A deterministic 32-byte ed25519 key for account number n."""
    return struct.pack(">Q", n) * 4


def account_entry(n, balance, last_modified=1):
    """LedgerEntry XDR of an ACCOUNT entry."""
    body = (struct.pack(">i", 0) + account_id(n) +            # accountID
            struct.pack(">qqI", balance, n << 32, 0) +         # balance, seqNum, numSubEntries
            struct.pack(">I", 0) +                             # inflationDest: absent
            struct.pack(">I", 0) +                             # flags
            struct.pack(">I", 0) +                             # homeDomain ""
            b"\x01\x00\x00\x00" +                              # thresholds
            struct.pack(">I", 0) +                             # signers
            struct.pack(">i", 0))                              # ext
    return struct.pack(">Ii", last_modified, 0) + body + struct.pack(">i", 0)


def account_key(n):
    """LedgerKey XDR of an ACCOUNT."""
    return struct.pack(">ii", 0, 0) + account_id(n)


def counts(bucket):
    """{kind: number of records} of a bucket, METAENTRY (-1) included."""
    out = {}
    for rec in bucket.records():
        k = struct.unpack_from(">i", rec)[0]
        out[k] = out.get(k, 0) + 1
    return out


def last_modified(record):
    """lastModifiedLedgerSeq of a LIVE/INIT record."""
    return struct.unpack_from(">I", record, 4)[0]


def kinds_and_records(bucket):
    return [(struct.unpack_from(">i", r)[0], r) for r in bucket.records()]


def contract_id(n):
    return struct.pack(">Q", n ^ 0x5A5A) * 4


def contract_data_entry(n, value, durability=1, last_modified=1):
    """LedgerEntry XDR of a CONTRACT_DATA entry keyed by SCV_U32 n
    (durability 0 TEMPORARY, 1 PERSISTENT), holding SCV_U32 value."""
    body = (struct.pack(">i", 0) +                         # ext
            struct.pack(">i", 1) + contract_id(n) +         # SC_ADDRESS_TYPE_CONTRACT
            struct.pack(">iI", 3, n) +                      # key: SCV_U32 n
            struct.pack(">i", durability) +
            struct.pack(">iI", 3, value))                   # val
    return struct.pack(">Ii", last_modified, 6) + body + struct.pack(">i", 0)


def contract_data_key(n, durability=1):
    return (struct.pack(">i", 6) + struct.pack(">i", 1) + contract_id(n) +
            struct.pack(">iI", 3, n) + struct.pack(">i", durability))
