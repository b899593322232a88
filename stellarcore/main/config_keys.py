"""The scalar keys of a stellar-core configuration file: type, default, range.

One row per key stellar-core v25's Config::processConfig knows
(src/main/Config.cpp), with the C++ type it reads into and the bounds it
passes to readInt.  The structured keys (NODE_SEED, NODE_NAMES,
QUORUM_SET, VALIDATORS, HOME_DOMAINS, HISTORY, PREFERRED_PEER_KEYS,
SURVEYOR_KEYS, KNOWN_PEERS, MAX_DEX_TX_OPERATIONS_IN_TX_SET and the few
with extra checks) are handled in config.py; they are listed here in
SPECIAL_KEYS so that "is this key known" has one answer.

Integer kinds name the C++ type: its range is the default bound, as
readInt<T> defaults min/max to numeric_limits<T>.  One deliberate
difference: stellar-core casts an unsigned value with static_cast<T>
before checking the bounds, so HTTP_PORT=70000 silently becomes 4464; here
any value outside the type's range is an error naming the key.
"""
from __future__ import annotations

U16 = (0, 0xFFFF)
U32 = (0, 0xFFFFFFFF)
U64 = (0, 0xFFFFFFFFFFFFFFFF)
I32 = (-(1 << 31), (1 << 31) - 1)
I64 = (-(1 << 63), (1 << 63) - 1)

CURRENT_LEDGER_PROTOCOL_VERSION = 25
DEFAULT_PEER_PORT = 11625
GENESIS_LEDGER_BASE_FEE = 100
GENESIS_LEDGER_BASE_RESERVE = 100_000_000
MAX_OPS_PER_TX = 100


def _int(ctype, default, lo=None, hi=None, attr=None):
    tlo, thi = ctype
    return ("int", default, tlo if lo is None else lo, thi if hi is None else hi, attr)


def _bool(default=False, attr=None):
    return ("bool", default, None, None, attr)


def _str(default="", attr=None):
    return ("str", default, None, None, attr)


def _double(default, lo_exclusive, hi_inclusive=None):
    return ("double", default, lo_exclusive, hi_inclusive, None)


def _u32_array():
    return ("int_array", (), 0, U32[1], None)


def _str_array():
    return ("str_array", (), None, None, None)


# key -> (kind, default, min, max, attribute name if not the key)
SCALAR_KEYS = {
    "PEER_READING_CAPACITY": _int(U32, 201, 1),
    "PEER_FLOOD_READING_CAPACITY": _int(U32, 200, 1),
    "FLOW_CONTROL_SEND_MORE_BATCH_SIZE": _int(U32, 40, 1),
    "PEER_FLOOD_READING_CAPACITY_BYTES": _int(U32, 0, 0),
    "FLOW_CONTROL_SEND_MORE_BATCH_SIZE_BYTES": _int(U32, 0, 0),
    "OUTBOUND_TX_QUEUE_BYTE_LIMIT": _int(U32, 3 * 1024 * 1024, 1),
    "TRANSACTION_QUEUE_SIZE_MULTIPLIER_FOR_TESTING":
        _int(U32, 2, 1, attr="TRANSACTION_QUEUE_SIZE_MULTIPLIER"),
    "SOROBAN_TRANSACTION_QUEUE_SIZE_MULTIPLIER_FOR_TESTING":
        _int(U32, 2, 1, attr="SOROBAN_TRANSACTION_QUEUE_SIZE_MULTIPLIER"),
    "PEER_PORT": _int(U16, DEFAULT_PEER_PORT, 1),
    "HTTP_PORT": _int(U16, DEFAULT_PEER_PORT + 1),
    "HTTP_QUERY_PORT": _int(U16, 0),
    "HTTP_MAX_CLIENT": _int(U16, 128, 0),
    "PUBLIC_HTTP_PORT": _bool(),
    "FAILURE_SAFETY": _int(I32, -1, -1, I32[1] - 1),
    "UNSAFE_QUORUM": _bool(),
    "DISABLE_XDR_FSYNC": _bool(),
    "METADATA_OUTPUT_STREAM": _str(),
    "BACKGROUND_OVERLAY_PROCESSING": _bool(True),
    "EXPERIMENTAL_PARALLEL_LEDGER_APPLY": _bool(),
    "DISABLE_SOROBAN_METRICS_FOR_TESTING": _bool(),
    "EXPERIMENTAL_BACKGROUND_TX_SIG_VERIFICATION": _bool(),
    "ARTIFICIALLY_DELAY_LEDGER_CLOSE_FOR_TESTING": _int(U32, 0),        # ms
    "BUCKETLIST_DB_INDEX_PAGE_SIZE_EXPONENT": _int(U64, 14),
    "BUCKETLIST_DB_MEMORY_FOR_CACHING": _int(U64, 0),
    "BUCKETLIST_DB_INDEX_CUTOFF": _int(U64, 20),                        # MB
    "BUCKETLIST_DB_PERSIST_INDEX": _bool(True),
    "METADATA_DEBUG_LEDGERS": _int(U32, 100),
    "RUN_STANDALONE": _bool(),
    "CATCHUP_COMPLETE": _bool(),
    "CATCHUP_RECENT": _int(U32, 0, 0, U32[1] - 1),
    "CATCHUP_SKIP_KNOWN_RESULTS_FOR_TESTING": _bool(),
    "SKIP_HIGH_CRITICAL_VALIDATOR_CHECKS_FOR_TESTING": _bool(),
    "TESTING_MAX_SOROBAN_BYTE_ALLOWANCE": _int(U64, 0, 0),
    "TESTING_MAX_CLASSIC_BYTE_ALLOWANCE": _int(U64, 0, 0),
    "IGNORE_MESSAGE_LIMITS_FOR_TESTING": _bool(),
    "ARTIFICIALLY_GENERATE_LOAD_FOR_TESTING": _bool(),
    "LOADGEN_PREGENERATED_TRANSACTIONS_FILE": _str("stellar-load-transactions.xdr"),
    "UPDATE_SOROBAN_COSTS_DURING_PROTOCOL_UPGRADE_FOR_TESTING": _bool(),
    "ARTIFICIALLY_ACCELERATE_TIME_FOR_TESTING": _bool(),
    "ARTIFICIALLY_SET_CLOSE_TIME_FOR_TESTING": _int(U32, 0, 0, U32[1] - 1),   # s
    "MAX_SLOTS_TO_REMEMBER": _int(U32, 12),
    "ARTIFICIALLY_REPLAY_WITH_NEWEST_BUCKET_LOGIC_FOR_TESTING": _bool(),
    "ARTIFICIALLY_DELAY_BUCKET_APPLICATION_FOR_TESTING": _int(U32, 0),  # s
    "ALLOW_LOCALHOST_FOR_TESTING": _bool(),
    "PUBLISH_TO_ARCHIVE_DELAY": _int(U32, 0),                           # s
    "AUTOMATIC_MAINTENANCE_PERIOD": _int(U32, 359),                     # s
    "AUTOMATIC_MAINTENANCE_COUNT": _int(U32, 400),
    "AUTOMATIC_SELF_CHECK_PERIOD": _int(U32, 3 * 60 * 60),              # s
    "MANUAL_CLOSE": _bool(),
    "LOG_FILE_PATH": _str("stellar-core-{datetime:%Y-%m-%d_%H-%M-%S}.log"),
    "LOG_COLOR": _bool(),
    "BUCKET_DIR_PATH": _str("buckets"),
    "PATH_TO_PROTOCOL_23_CORRUPTION_FILE": _str(),
    "NODE_IS_VALIDATOR": _bool(),
    "NODE_HOME_DOMAIN": _str(),
    "TARGET_PEER_CONNECTIONS": _int(U16, 8, 1),
    "MAX_ADDITIONAL_PEER_CONNECTIONS": _int(I32, -1, -1, U16[1]),
    "MAX_PENDING_CONNECTIONS": _int(U16, 500, 1),
    "PEER_AUTHENTICATION_TIMEOUT": _int(U16, 2, 1),
    "PEER_TIMEOUT": _int(U16, 30, 1),
    "PEER_STRAGGLER_TIMEOUT": _int(U16, 120, 1),
    "MAX_BATCH_WRITE_COUNT": _int(I32, 1024, 1),
    "MAX_BATCH_WRITE_BYTES": _int(I32, 1024 * 1024, 1),
    "FLOOD_OP_RATE_PER_LEDGER": _double(1.0, 0.0),
    "FLOOD_TX_PERIOD_MS": _int(I32, 200, 1),
    "FLOOD_SOROBAN_RATE_PER_LEDGER": _double(1.0, 0.0),
    "FLOOD_SOROBAN_TX_PERIOD_MS": _int(I32, 200, 1),
    "FLOOD_DEMAND_PERIOD_MS": _int(I32, 200, 1),
    "FLOOD_ADVERT_PERIOD_MS": _int(I32, 100, 1),
    "FLOOD_DEMAND_BACKOFF_DELAY_MS": _int(I32, 500, 1),
    "EXPERIMENTAL_TX_BATCH_MAX_SIZE": _int(U64, 0, 0),
    "FLOOD_ARB_TX_BASE_ALLOWANCE": _int(I32, 5, -1),
    "FLOOD_ARB_TX_DAMPING_FACTOR": _double(0.8, 0.0, 1.0),
    "PREFERRED_PEERS": _str_array(),
    "PREFERRED_PEERS_ONLY": _bool(),
    "COMMANDS": _str_array(),
    "WORKER_THREADS": _int(I32, 11, 2, 1000),
    "QUERY_THREAD_POOL_SIZE": _int(I32, 4, 1, 1000),
    "COMPILATION_THREADS": _int(I32, 6, 2, 1000),
    "QUERY_SNAPSHOT_LEDGERS": _int(U32, 5, 0),
    "MAX_CONCURRENT_SUBPROCESSES": _int(U64, 16, 1),
    "QUORUM_INTERSECTION_CHECKER": _bool(True),
    "USE_QUORUM_INTERSECTION_CHECKER_V2": _bool(),
    "QUORUM_INTERSECTION_CHECKER_TIME_LIMIT_MS": _int(U64, 5000, 1),
    "QUORUM_INTERSECTION_CHECKER_MEMORY_LIMIT_BYTES": _int(U64, 100 * 1024 * 1024, 1024),
    "DATABASE": _str("sqlite3://:memory:"),
    "NETWORK_PASSPHRASE": _str(),
    "INVARIANT_CHECKS": _str_array(),
    "INVARIANT_EXTRA_CHECKS": _bool(),
    "STATE_SNAPSHOT_INVARIANT_LEDGER_FREQUENCY": _int(U32, 300, 1),
    "ENTRY_CACHE_SIZE": _int(U32, 100000),
    "PREFETCH_BATCH_SIZE": _int(U32, 1000),
    # default min((MAX_SLOTS_TO_REMEMBER + 2) * 5000 ms / 1000, 90)
    "MAXIMUM_LEDGER_CLOSETIME_DRIFT": _int(I64, 70, 0),
    "OP_APPLY_SLEEP_TIME_DURATION_FOR_TESTING": _u32_array(),           # us
    "OP_APPLY_SLEEP_TIME_WEIGHT_FOR_TESTING": _u32_array(),
    "APPLY_LOAD_BL_SIMULATED_LEDGERS": _int(U32, 1000),
    "APPLY_LOAD_BL_WRITE_FREQUENCY": _int(U32, 1000),
    "APPLY_LOAD_BL_BATCH_SIZE": _int(U32, 1000),
    "APPLY_LOAD_BL_LAST_BATCH_LEDGERS": _int(U32, 300),
    "APPLY_LOAD_BL_LAST_BATCH_SIZE": _int(U32, 100),
    "APPLY_LOAD_LEDGER_MAX_INSTRUCTIONS": _int(U64, 0),
    "APPLY_LOAD_TX_MAX_INSTRUCTIONS": _int(U32, 0),
    "APPLY_LOAD_LEDGER_MAX_DISK_READ_LEDGER_ENTRIES": _int(U32, 0),
    "APPLY_LOAD_TX_MAX_DISK_READ_LEDGER_ENTRIES": _int(U32, 0),
    "APPLY_LOAD_TX_MAX_FOOTPRINT_SIZE": _int(U32, 0),
    "APPLY_LOAD_LEDGER_MAX_WRITE_LEDGER_ENTRIES": _int(U32, 0),
    "APPLY_LOAD_TX_MAX_WRITE_LEDGER_ENTRIES": _int(U32, 0),
    "APPLY_LOAD_LEDGER_MAX_DISK_READ_BYTES": _int(U32, 0),
    "APPLY_LOAD_TX_MAX_DISK_READ_BYTES": _int(U32, 0),
    "APPLY_LOAD_LEDGER_MAX_WRITE_BYTES": _int(U32, 0),
    "APPLY_LOAD_TX_MAX_WRITE_BYTES": _int(U32, 0),
    "APPLY_LOAD_MAX_TX_SIZE_BYTES": _int(U32, 0),
    "APPLY_LOAD_MAX_LEDGER_TX_SIZE_BYTES": _int(U32, 0),
    "APPLY_LOAD_MAX_CONTRACT_EVENT_SIZE_BYTES": _int(U32, 0),
    "APPLY_LOAD_MAX_SOROBAN_TX_COUNT": _int(U32, 0),
    "APPLY_LOAD_CLASSIC_TXS_PER_LEDGER": _int(U32, 0),
    "APPLY_LOAD_LEDGER_MAX_DEPENDENT_TX_CLUSTERS": _int(U32, 1, 1),
    "APPLY_LOAD_NUM_LEDGERS": _int(U32, 100),
    "APPLY_LOAD_MAX_SAC_TPS_TARGET_CLOSE_TIME_MS": _int(U32, 1000, 10),
    "APPLY_LOAD_MAX_SAC_TPS_MIN_TPS": _int(U32, 100),
    "APPLY_LOAD_MAX_SAC_TPS_MAX_TPS": _int(U32, 50000),
    "APPLY_LOAD_BATCH_SAC_COUNT": _int(U32, 1, 1),
    "APPLY_LOAD_TIME_WRITES": _bool(True),
    "GENESIS_TEST_ACCOUNT_COUNT": _int(U32, 0, 0),
    "CATCHUP_WAIT_MERGES_TX_APPLY_FOR_TESTING": _bool(),
    "ARTIFICIALLY_SET_SURVEY_PHASE_DURATION_FOR_TESTING": _int(U32, 0),  # minutes
    "HALT_ON_INTERNAL_TRANSACTION_ERROR": _bool(),
    "ENABLE_SOROBAN_DIAGNOSTIC_EVENTS": _bool(),
    "ENABLE_DIAGNOSTICS_FOR_TX_SUBMISSION": _bool(),
    "OVERRIDE_EVICTION_PARAMS_FOR_TESTING": _bool(),
    "TESTING_EVICTION_SCAN_SIZE": _int(U32, 100_000),
    # 1 .. LiveBucketList::kNumLevels - 1
    "TESTING_STARTING_EVICTION_SCAN_LEVEL": _int(U32, 6, 1, 10),
    "TESTING_MAX_ENTRIES_TO_ARCHIVE": _int(U32, 100),
    "TESTING_SOROBAN_HIGH_LIMIT_OVERRIDE": _bool(),
    "ARTIFICIALLY_SLEEP_MAIN_THREAD_FOR_TESTING": _int(U32, 0),         # us
    "EMIT_SOROBAN_TRANSACTION_META_EXT_V1": _bool(),
    "EMIT_LEDGER_CLOSE_META_EXT_V1": _bool(),
    "EMIT_CLASSIC_EVENTS": _bool(),
    "BACKFILL_STELLAR_ASSET_EVENTS": _bool(),
    "BACKFILL_RESTORE_META": _bool(),
    "FORCE_OLD_STYLE_LEADER_ELECTION": _bool(),
}

for _name in ("INSTRUCTIONS", "TX_SIZE_BYTES", "NUM_DISK_READ_ENTRIES", "NUM_RW_ENTRIES",
              "EVENT_COUNT"):
    SCALAR_KEYS[f"APPLY_LOAD_{_name}"] = _u32_array()
    SCALAR_KEYS[f"APPLY_LOAD_{_name}_DISTRIBUTION"] = _u32_array()

LOADGEN_DISTRIBUTIONS = ("BYTE_COUNT", "WASM_BYTES", "NUM_DATA_ENTRIES", "IO_KILOBYTES",
                         "TX_SIZE_BYTES", "INSTRUCTIONS")
for _name in LOADGEN_DISTRIBUTIONS:
    SCALAR_KEYS[f"LOADGEN_{_name}_FOR_TESTING"] = _u32_array()
    SCALAR_KEYS[f"LOADGEN_{_name}_DISTRIBUTION_FOR_TESTING"] = _u32_array()

# Set only by stellar-core's test harness (getTestConfig), never read from
# its files.  Accepted in ours so that a test network can be configured
# from a file (`stellarcore run --conf`) without code.
EXTENSION_KEYS = {
    "LEDGER_PROTOCOL_VERSION": _int(U32, CURRENT_LEDGER_PROTOCOL_VERSION, 0,
                                    CURRENT_LEDGER_PROTOCOL_VERSION),
    "TESTING_UPGRADE_LEDGER_PROTOCOL_VERSION": _int(U32, CURRENT_LEDGER_PROTOCOL_VERSION, 0,
                                                    CURRENT_LEDGER_PROTOCOL_VERSION),
    "TESTING_UPGRADE_DESIRED_FEE": _int(U32, GENESIS_LEDGER_BASE_FEE),
    "TESTING_UPGRADE_RESERVE": _int(U32, GENESIS_LEDGER_BASE_RESERVE),
    "TESTING_UPGRADE_MAX_TX_SET_SIZE": _int(U32, 50),
    "TESTING_UPGRADE_FLAGS": _int(U32, 0),
    "USE_CONFIG_FOR_GENESIS": _bool(),
}
SCALAR_KEYS.update(EXTENSION_KEYS)

# Keys with a structure or a check of their own (config.py).
SPECIAL_KEYS = frozenset({
    "NODE_SEED", "NODE_NAMES", "QUORUM_SET", "VALIDATORS", "HOME_DOMAINS", "HISTORY",
    "PREFERRED_PEER_KEYS", "SURVEYOR_KEYS", "KNOWN_PEERS", "MAX_DEX_TX_OPERATIONS_IN_TX_SET",
    "HISTOGRAM_WINDOW_SIZE", "TESTING_MINIMUM_PERSISTENT_ENTRY_LIFETIME",
    "APPLY_LOAD_DATA_ENTRY_SIZE", "EXCLUDE_TRANSACTIONS_CONTAINING_OPERATION_TYPE",
})

# Accepted and ignored, with a warning (stellar-core logs the same).
DEPRECATED_KEYS = frozenset({"BACKGROUND_EVICTION_SCAN", "FILTERED_SOROBAN_KEYS_PATH"})

# Options that make a node unfit for a real network (logged when set).
TESTING_ONLY_OPTIONS = frozenset({
    "RUN_STANDALONE", "MANUAL_CLOSE", "ARTIFICIALLY_GENERATE_LOAD_FOR_TESTING",
    "LOADGEN_PREGENERATED_TRANSACTIONS_FILE", "GENESIS_TEST_ACCOUNT_COUNT",
    "UPDATE_SOROBAN_COSTS_DURING_PROTOCOL_UPGRADE_FOR_TESTING",
    "ARTIFICIALLY_ACCELERATE_TIME_FOR_TESTING", "ARTIFICIALLY_SET_CLOSE_TIME_FOR_TESTING",
    "ARTIFICIALLY_REPLAY_WITH_NEWEST_BUCKET_LOGIC_FOR_TESTING",
    "OP_APPLY_SLEEP_TIME_DURATION_FOR_TESTING", "OP_APPLY_SLEEP_TIME_WEIGHT_FOR_TESTING",
    "CATCHUP_WAIT_MERGES_TX_APPLY_FOR_TESTING",
    "ARTIFICIALLY_SET_SURVEY_PHASE_DURATION_FOR_TESTING",
    "ARTIFICIALLY_DELAY_BUCKET_APPLICATION_FOR_TESTING",
    "ARTIFICIALLY_SLEEP_MAIN_THREAD_FOR_TESTING",
    "ARTIFICIALLY_SKIP_CONNECTION_ADJUSTMENT_FOR_TESTING",
    "ARTIFICIALLY_DELAY_LEDGER_CLOSE_FOR_TESTING",
    "SKIP_HIGH_CRITICAL_VALIDATOR_CHECKS_FOR_TESTING",
    "TRANSACTION_QUEUE_SIZE_MULTIPLIER_FOR_TESTING",
    "SOROBAN_TRANSACTION_QUEUE_SIZE_MULTIPLIER_FOR_TESTING",
} | {f"LOADGEN_{n}_FOR_TESTING" for n in LOADGEN_DISTRIBUTIONS}
  | {f"LOADGEN_{n}_DISTRIBUTION_FOR_TESTING" for n in LOADGEN_DISTRIBUTIONS})


def known_key(key: str) -> bool:
    return key in SCALAR_KEYS or key in SPECIAL_KEYS or key in DEPRECATED_KEYS
