"""A node's configuration: stellar-core v25's TOML file, keys and checks.

`Config.load(path)` reads a stellar-core configuration file (TOML, via the
standard library's tomllib) the way stellar-core's Config::load does
(src/main/Config.cpp): every key it knows, with its type, default and
range (config_keys.py), the structured keys (NODE_SEED with an optional
common name, NODE_NAMES, [QUORUM_SET] with nested groups and `$name`
aliases, [[HOME_DOMAINS]] / [[VALIDATORS]] with the generated quorum set,
[HISTORY.name] archives, PREFERRED_PEER_KEYS, SURVEYOR_KEYS) and the
consistency checks (flow control capacities, quorum safety).  Keys
stellar-core knows but this node does not act on are still read, checked
and kept as attributes.  An unknown key, or a value of the wrong type or
out of range, is one ConfigError whose message names the key.

Attributes are named as the keys (cfg.HTTP_PORT, cfg.NODE_SEED, ...);
cfg.QUORUM_SET is an xdr.SCPQuorumSet, cfg.NODE_SEED a crypto SecretKey,
cfg.network_id the SHA-256 of NETWORK_PASSPHRASE.  Only SQLite databases
are supported: DATABASE must be "sqlite3://PATH" (or sqlite3://:memory:).

`Config.default_standalone(data_dir)` is the configuration `stellarcore
run` uses without a file: a standalone validator whose quorum is itself.
"""
from __future__ import annotations

import dataclasses
import logging
import math
import os
import pathlib
import sys
import tomllib

from stellarcore import xdr
from stellarcore.crypto import strkey
from stellarcore.crypto.keys import SecretKey
from stellarcore.crypto.txhash import network_id as _network_id
from stellarcore.main import config_quorum as cq
from stellarcore.main.config_keys import (
    CURRENT_LEDGER_PROTOCOL_VERSION, DEPRECATED_KEYS, LOADGEN_DISTRIBUTIONS, MAX_OPS_PER_TX,
    SCALAR_KEYS, TESTING_ONLY_OPTIONS,
)
from stellarcore.main.config_quorum import ConfigError, read_str, read_str_array
from stellarcore.scp import quorum_set as qs
from stellarcore.scp.quorum import QSet

__all__ = ["Config", "ConfigError", "HistoryArchiveConfig", "STANDALONE_PASSPHRASE"]

log = logging.getLogger("stellarcore.config")

STANDALONE_PASSPHRASE = "Standalone Network ; February 2017"
PUBNET_PASSPHRASE = "Public Global Stellar Network ; September 2015"
SEED_FILE_NAME = "node-seed"

MAX_TX_SET_ALLOWANCE = 10 * 1024 * 1024          # overlay/Peer.h
MAX_SOROBAN_BYTE_ALLOWANCE = MAX_TX_SET_ALLOWANCE // 2
MAX_CLASSIC_BYTE_ALLOWANCE = MAX_TX_SET_ALLOWANCE // 2
MIN_INBOUND_FACTOR = 3                            # OverlayManager::MIN_INBOUND_FACTOR
MINIMUM_PERSISTENT_ENTRY_LIFETIME = 10            # MinimumSorobanNetworkConfig
U16_MAX = 0xFFFF


@dataclasses.dataclass
class HistoryArchiveConfig:
    """A [HISTORY.name] table (or a validator's HISTORY): shell command templates."""
    name: str
    get_cmd: str
    put_cmd: str = ""
    mkdir_cmd: str = ""


class Config:
    """The node's settings; see the module docstring."""

    CURRENT_LEDGER_PROTOCOL_VERSION = CURRENT_LEDGER_PROTOCOL_VERSION
    STDIN_SPECIAL_NAME = "stdin"

    def __init__(self):
        for key, (kind, default, _lo, _hi, attr) in SCALAR_KEYS.items():
            setattr(self, attr or key, list(default) if isinstance(default, tuple) else default)
        self.NODE_SEED = SecretKey.random()
        self.quorum_qset = QSet(0, (), ())
        self.KNOWN_PEERS = []
        self.PREFERRED_PEER_KEYS = set()     # raw 32-byte keys
        self.SURVEYOR_KEYS = set()
        self.HISTORY = {}                    # name -> HistoryArchiveConfig
        self.VALIDATOR_NAMES = {}            # public strkey -> common name
        self.VALIDATOR_WEIGHT_CONFIG = None
        self.MAX_DEX_TX_OPERATIONS_IN_TX_SET = None
        self.HISTOGRAM_WINDOW_SIZE = 30                       # seconds
        self.TESTING_MINIMUM_PERSISTENT_ENTRY_LIFETIME = 0
        self.APPLY_LOAD_DATA_ENTRY_SIZE = 0
        self.EXCLUDE_TRANSACTIONS_CONTAINING_OPERATION_TYPE = []
        # not configurable from a file
        self.FORCE_SCP = False
        self.MODE_STORES_HISTORY_MISC = True
        self.MODE_DOES_CATCHUP = True
        self.MODE_AUTO_STARTS_OVERLAY = True
        self.LEDGER_PROTOCOL_MIN_VERSION_INTERNAL_ERROR_REPORT = 18
        self.OVERLAY_PROTOCOL_MIN_VERSION = 35
        self.OVERLAY_PROTOCOL_VERSION = 38
        self.MAX_OUTBOUND_PENDING_CONNECTIONS = 0
        self.MAX_INBOUND_PENDING_CONNECTIONS = 0
        self.DISABLE_BUCKET_GC = False
        self.REPORT_METRICS = []
        self.SOROBAN_PHASE_MIN_STAGE_COUNT = 1
        self.SOROBAN_PHASE_MAX_STAGE_COUNT = 4
        self.source = None                   # the file it was loaded from

    # --- loading ----------------------------------------------------------

    @classmethod
    def load(cls, path) -> "Config":
        """Read a configuration file ("stdin" reads standard input)."""
        path = str(path)
        if path == cls.STDIN_SPECIAL_NAME:
            text = sys.stdin.read()
        else:
            if not os.path.exists(path):
                raise ConfigError(f"No config file {path} found")
            try:
                text = pathlib.Path(path).read_bytes().decode("utf-8")
            except UnicodeDecodeError as e:
                raise ConfigError(f"Failed to parse '{path}' :not UTF-8 text ({e})") from None
        cfg = cls()
        try:
            cfg.load_string(text)
        except ConfigError as e:
            raise ConfigError(f"Failed to parse '{path}' :{e}", e.key) from None
        cfg.source = path
        return cfg

    @classmethod
    def from_string(cls, text: str) -> "Config":
        cfg = cls()
        cfg.load_string(text)
        return cfg

    def load_string(self, text: str) -> None:
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"TOML syntax error: {e}") from None
        self.process(doc)

    def process(self, doc: dict) -> None:
        """Config::processConfig on a parsed TOML document."""
        domain_quality = {}
        for key, value in doc.items():
            if key in TESTING_ONLY_OPTIONS and value not in (False, 0, "", []):
                log.info("'%s' set in configuration file - node will not function properly "
                         "with most networks", key)
            if key in SCALAR_KEYS:
                self._set_scalar(key, value)
            elif key in DEPRECATED_KEYS:
                log.warning("%s is deprecated and ignored. Please remove this from config", key)
            elif key == "NODE_SEED":
                self.NODE_SEED = self._parse_seed(read_str(key, value))
            elif key == "NODE_NAMES":
                for v in read_str_array(key, value):
                    self.parse_node_id(v, key)
            elif key == "KNOWN_PEERS":
                self.KNOWN_PEERS[0:0] = read_str_array(key, value)
            elif key == "HISTORY":
                self._parse_history(value)
            elif key == "HOME_DOMAINS":
                domain_quality = cq.parse_domains_quality(value)
            elif key == "MAX_DEX_TX_OPERATIONS_IN_TX_SET":
                n = _read_int(key, value, 0, 0xFFFFFFFF)
                if 0 < n < MAX_OPS_PER_TX + 2:
                    raise ConfigError(f"MAX_DEX_TX_OPERATIONS_IN_TX_SET must be either 0 or at "
                                      f"least {MAX_OPS_PER_TX + 2} in order to not drop any "
                                      "transactions.", key)
                self.MAX_DEX_TX_OPERATIONS_IN_TX_SET = n or None
            elif key == "HISTOGRAM_WINDOW_SIZE":
                n = _read_int(key, value, 0, 0xFFFFFFFF)
                # prometheus hard-codes 5 minutes: the window must divide it
                if n == 0 or 300 % n:
                    raise ConfigError("HISTOGRAM_WINDOW_SIZE must divide 300 evenly", key)
                self.HISTOGRAM_WINDOW_SIZE = n
            elif key == "TESTING_MINIMUM_PERSISTENT_ENTRY_LIFETIME":
                n = _read_int(key, value, 0, 0xFFFFFFFF)
                if n == 0:
                    raise ConfigError(f"{key} must be positive", key)
                if n < MINIMUM_PERSISTENT_ENTRY_LIFETIME:
                    raise ConfigError(f"{key} < MinimumSorobanNetworkConfig::"
                                      "MINIMUM_PERSISTENT_ENTRY_LIFETIME", key)
                self.TESTING_MINIMUM_PERSISTENT_ENTRY_LIFETIME = n
            elif key == "APPLY_LOAD_DATA_ENTRY_SIZE":
                n = _read_int(key, value, 0, 0xFFFFFFFF)
                self.APPLY_LOAD_DATA_ENTRY_SIZE = n + (-n % 4)   # aligned to 4 bytes
            elif key == "EXCLUDE_TRANSACTIONS_CONTAINING_OPERATION_TYPE":
                self.EXCLUDE_TRANSACTIONS_CONTAINING_OPERATION_TYPE = _read_op_types(key, value)
            elif key in ("QUORUM_SET", "VALIDATORS", "PREFERRED_PEER_KEYS", "SURVEYOR_KEYS"):
                pass    # after the loop: they may name nodes defined anywhere
            else:
                raise ConfigError(f"Unknown configuration entry: '{key}'", key)

        self._check_consistency()

        self.FORCE_SCP = self.NODE_IS_VALIDATOR    # validators start from local state
        validators = []
        if "VALIDATORS" in doc:
            validators = cq.parse_validators(self, doc["VALIDATORS"], domain_quality)
        if self.NODE_IS_VALIDATOR and not (not validators and "QUORUM_SET" in doc):
            validators.append(cq.self_entry(self, domain_quality))
        self.PREFERRED_PEER_KEYS = self._node_id_set(doc, "PREFERRED_PEER_KEYS")
        self.SURVEYOR_KEYS = self._node_id_set(doc, "SURVEYOR_KEYS")

        generated = cq.generate_quorum_set(validators,
                                           self.SKIP_HIGH_CRITICAL_VALIDATOR_CHECKS_FOR_TESTING)
        if "QUORUM_SET" in doc:
            self.quorum_qset = cq.load_qset(self, doc["QUORUM_SET"])
            if (validators and self.quorum_json(self.quorum_qset) != self.quorum_json(generated)
                    and not self.UNSAFE_QUORUM):
                raise ConfigError("SCP unsafe: can't override [[VALIDATORS]] with QUORUM_SET "
                                  "unless you also set UNSAFE_QUORUM=true", "QUORUM_SET")
            level = cq.BYZANTINE_FAULT_TOLERANCE   # assume validators of different entities
        else:
            self.quorum_qset = generated
            cq.check_history_blocking(self, validators)
            self.VALIDATOR_WEIGHT_CONFIG = cq.validator_weight_config(validators,
                                                                      self.NODE_IS_VALIDATOR)
            domains = {v.home_domain for v in validators}
            level = (cq.BYZANTINE_FAULT_TOLERANCE if len(domains) > 1
                     else cq.SIMPLE_MAJORITY)
        self.adjust()
        cq.validate_quorum(self, level)

    def _set_scalar(self, key, value):
        kind, _default, lo, hi, attr = SCALAR_KEYS[key]
        if kind == "bool":
            if not isinstance(value, bool):
                raise ConfigError(f"invalid '{key}'", key)
        elif kind == "str":
            read_str(key, value)
        elif kind == "int":
            value = _read_int(key, value, lo, hi)
        elif kind == "double":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"invalid '{key}'", key)
            value = float(value)
            if not value > lo or (hi is not None and not value <= hi):
                raise ConfigError(f"bad value for {key}", key)
        elif kind == "int_array":
            if not isinstance(value, list):
                raise ConfigError(f"'{key}' must be an array", key)
            value = [_read_int(key, v, lo, hi, element=True) for v in value]
        elif kind == "str_array":
            value = read_str_array(key, value)
        setattr(self, attr or key, value)

    def _check_consistency(self):
        """The cross-key checks at the end of processConfig (and our DATABASE rule)."""
        if self.OP_APPLY_SLEEP_TIME_DURATION_FOR_TESTING or self.OP_APPLY_SLEEP_TIME_WEIGHT_FOR_TESTING:
            if (len(self.OP_APPLY_SLEEP_TIME_WEIGHT_FOR_TESTING)
                    != len(self.OP_APPLY_SLEEP_TIME_DURATION_FOR_TESTING)):
                raise ConfigError("OP_APPLY_SLEEP_TIME_DURATION_FOR_TESTING and "
                                  "OP_APPLY_SLEEP_TIME_WEIGHT_FOR_TESTING must be defined "
                                  "together and have the same size",
                                  "OP_APPLY_SLEEP_TIME_WEIGHT_FOR_TESTING")
            if 0 in self.OP_APPLY_SLEEP_TIME_WEIGHT_FOR_TESTING:
                raise ConfigError("All elements in OP_APPLY_SLEEP_TIME_WEIGHT_FOR_TESTING must "
                                  "be positive integers", "OP_APPLY_SLEEP_TIME_WEIGHT_FOR_TESTING")
        if self.FLOW_CONTROL_SEND_MORE_BATCH_SIZE > self.PEER_FLOOD_READING_CAPACITY:
            raise ConfigError("Invalid configuration: FLOW_CONTROL_SEND_MORE_BATCH_SIZE can't "
                              "be greater than PEER_FLOOD_READING_CAPACITY",
                              "FLOW_CONTROL_SEND_MORE_BATCH_SIZE")
        if self.PEER_READING_CAPACITY <= self.PEER_FLOOD_READING_CAPACITY:
            raise ConfigError("Invalid configuration: PEER_READING_CAPACITY must be greater "
                              "than PEER_FLOOD_READING_CAPACITY", "PEER_READING_CAPACITY")
        if (not self.IGNORE_MESSAGE_LIMITS_FOR_TESTING
                and self.soroban_byte_allowance() + self.classic_byte_allowance()
                > MAX_TX_SET_ALLOWANCE):
            raise ConfigError("Invalid configuration: TESTING_MAX_CLASSIC_BYTE_ALLOWANCE + "
                              "TESTING_MAX_SOROBAN_BYTE_ALLOWANCE can't be greater than "
                              "MAX_TX_SET_ALLOWANCE", "TESTING_MAX_CLASSIC_BYTE_ALLOWANCE")
        if self.FLOW_CONTROL_SEND_MORE_BATCH_SIZE_BYTES > self.PEER_FLOOD_READING_CAPACITY_BYTES:
            raise ConfigError("Invalid configuration: FLOW_CONTROL_SEND_MORE_BATCH_SIZE_BYTES "
                              "can't be greater than PEER_FLOOD_READING_CAPACITY_BYTES",
                              "FLOW_CONTROL_SEND_MORE_BATCH_SIZE_BYTES")
        if self.EXPERIMENTAL_PARALLEL_LEDGER_APPLY and not self.parallel_ledger_close():
            raise ConfigError("Invalid configuration: EXPERIMENTAL_PARALLEL_LEDGER_APPLY does "
                              "not support SQLite or RUN_STANDALONE mode; set "
                              "EXPERIMENTAL_PARALLEL_LEDGER_APPLY=false",
                              "EXPERIMENTAL_PARALLEL_LEDGER_APPLY")
        if self.INVARIANT_EXTRA_CHECKS and self.NODE_IS_VALIDATOR:
            raise ConfigError("Invalid configuration: INVARIANT_EXTRA_CHECKS cannot be enabled "
                              "on a validator node (NODE_IS_VALIDATOR=true)",
                              "INVARIANT_EXTRA_CHECKS")
        if self.BACKFILL_STELLAR_ASSET_EVENTS and not self.EMIT_CLASSIC_EVENTS:
            raise ConfigError("Invalid configuration: BACKFILL_STELLAR_ASSET_EVENTS requires "
                              "EMIT_CLASSIC_EVENTS to be enabled", "BACKFILL_STELLAR_ASSET_EVENTS")
        for name in LOADGEN_DISTRIBUTIONS:
            self._check_loadgen_distribution(f"LOADGEN_{name}_FOR_TESTING",
                                             f"LOADGEN_{name}_DISTRIBUTION_FOR_TESTING")
        self._check_database()
        self._check_metadata_stream()

    def _check_loadgen_distribution(self, values_key, dist_key):
        values, dist = getattr(self, values_key), getattr(self, dist_key)
        if len(values) != len(dist):
            raise ConfigError(f"{values_key} and {dist_key} must be defined together and must "
                              "have the exact same size.", dist_key)
        if not values:
            return
        if not self.ARTIFICIALLY_GENERATE_LOAD_FOR_TESTING:
            raise ConfigError(f"When {values_key} and {dist_key} are defined "
                              "ARTIFICIALLY_GENERATE_LOAD_FOR_TESTING must be set true",
                              "ARTIFICIALLY_GENERATE_LOAD_FOR_TESTING")
        if 0 in dist:
            raise ConfigError(f"All elements in {dist_key} must be positive integers", dist_key)

    def _check_database(self):
        # stellar-core also takes postgresql://; this node keeps its state in SQLite only
        if not self.DATABASE.startswith("sqlite3://"):
            scheme = self.DATABASE.split("://", 1)[0] if "://" in self.DATABASE else "?"
            raise ConfigError(f"DATABASE: only SQLite is supported (\"sqlite3://PATH\"); "
                              f"got a '{scheme}' connection string", "DATABASE")
        if not self.DATABASE[len("sqlite3://"):]:
            raise ConfigError("DATABASE: \"sqlite3://\" needs a path (or :memory:)", "DATABASE")

    def _check_metadata_stream(self):
        s = self.METADATA_OUTPUT_STREAM
        if s.startswith("fd:"):
            n = s[3:]
            if not n.isdigit():
                raise ConfigError(f"METADATA_OUTPUT_STREAM: 'fd:N' needs a file descriptor "
                                  f"number, got {s!r}", "METADATA_OUTPUT_STREAM")

    def _parse_seed(self, text: str) -> SecretKey:
        """NODE_SEED: "S... [common name]"; the name becomes an alias ($name)."""
        if len(text) < 2:
            raise ConfigError(f"NODE_SEED: invalid key: {text}", "NODE_SEED")
        if text[0] == "$":
            raise ConfigError(f"NODE_SEED: aliases only store public keys: {text}", "NODE_SEED")
        parts = text.split()
        try:
            seed = SecretKey.from_strkey_seed(parts[0] if parts else "")
        except ValueError as e:
            raise ConfigError(f"NODE_SEED: invalid secret seed ({e})", "NODE_SEED") from None
        if len(parts) > 1:
            self.add_validator_name(seed.strkey_public(), parts[1])
        return seed

    def _parse_history(self, value):
        if not isinstance(value, dict):
            raise ConfigError("incomplete HISTORY block", "HISTORY")
        for name, table in value.items():
            if not isinstance(table, dict):
                raise ConfigError("malformed HISTORY config block", "HISTORY")
            cmds = {"get": "", "put": "", "mkdir": ""}
            for c, v in table.items():
                if c not in cmds:
                    raise ConfigError(f"Unknown HISTORY-table entry: '{c}', within "
                                      f"[HISTORY.{name}]", "HISTORY")
                cmds[c] = read_str(f"HISTORY.{name}.{c}", v)
            self.add_history_archive(name, cmds["get"], cmds["put"], cmds["mkdir"])

    def _node_id_set(self, doc, key) -> set:
        if key not in doc:
            return set()
        return {self.parse_node_id(v, key) for v in read_str_array(key, doc[key])}

    # --- node ids and names -------------------------------------------------

    def parse_node_id(self, text: str, key: str = "QUORUM_SET") -> bytes:
        """A public key "G... [common name]" or an alias "$name" -> 32 bytes."""
        if len(text) < 2:
            raise ConfigError(f"{key}: invalid key: {text}", key)
        if text[0] == "$":
            k = self.resolve_node_id(text)
            if k is None:
                raise ConfigError(f"{key}: unknown key in config: {text}", key)
            return k
        parts = text.split()
        k = cq.decode_public_key(parts[0] if parts else "", key)
        if len(parts) > 1:
            self.add_validator_name(parts[0], parts[1])
        return k

    def add_validator_name(self, pub: str, name: str) -> None:
        if self.resolve_node_id("$" + name) is not None:
            raise ConfigError(f"name already used: {name}", "NODE_NAMES")
        if pub in self.VALIDATOR_NAMES:
            raise ConfigError(f"naming node twice: {name}", "NODE_NAMES")
        self.VALIDATOR_NAMES[pub] = name

    def expand_node_id(self, s: str) -> str:
        """"$name" -> the named key, "@GABC" -> the first named key with that
        prefix (in strkey order), anything else unchanged; "" when unknown."""
        if len(s) < 2 or s[0] not in "$@":
            return s
        arg = s[1:]
        for pub in sorted(self.VALIDATOR_NAMES):
            name = self.VALIDATOR_NAMES[pub]
            if (name == arg) if s[0] == "$" else pub.startswith(arg):
                return pub
        return ""

    def resolve_node_id(self, s: str):
        """Config::resolveNodeID: 32 key bytes, or None."""
        expanded = self.expand_node_id(s)
        if not expanded:
            return None
        try:
            return strkey.decode("G", expanded)
        except ValueError:
            return None

    def to_short_string(self, key: bytes) -> str:
        s = strkey.encode("G", bytes(key))
        return self.VALIDATOR_NAMES.get(s, s[:5])

    def to_str_key(self, key: bytes, full_key: bool) -> str:
        return strkey.encode("G", bytes(key)) if full_key else self.to_short_string(key)

    def quorum_json(self, q: QSet = None, full_keys: bool = False) -> dict:
        """LocalNode::toJson of a quorum set with this node's names (Config::toString)."""
        q = self.quorum_qset if q is None else q
        return qs.to_json(q, lambda k: self.to_str_key(k, full_keys))

    def add_history_archive(self, name, get_cmd, put_cmd, mkdir_cmd) -> None:
        if name in self.HISTORY:
            raise ConfigError(f"Conflicting archive name '{name}'", "HISTORY")
        self.HISTORY[name] = HistoryArchiveConfig(name, get_cmd, put_cmd, mkdir_cmd)

    # --- derived values -----------------------------------------------------

    @property
    def QUORUM_SET(self) -> "xdr.SCPQuorumSet":  # noqa: N802 - named as the key
        return qs.to_xdr(self.quorum_qset)

    @QUORUM_SET.setter
    def QUORUM_SET(self, value):  # noqa: N802
        self.quorum_qset = value if isinstance(value, QSet) else qs.from_xdr(value)

    @property
    def network_id(self) -> bytes:
        return _network_id(self.NETWORK_PASSPHRASE)

    @property
    def node_id(self) -> bytes:
        return self.NODE_SEED.public_key.ed25519

    @property
    def sqlite_path(self) -> str:
        """The database file (":memory:" for an in-memory database)."""
        return self.DATABASE[len("sqlite3://"):]

    @property
    def metadata_output_fd(self):
        """The descriptor N of METADATA_OUTPUT_STREAM="fd:N", else None (a path or unset)."""
        s = self.METADATA_OUTPUT_STREAM
        return int(s[3:]) if s.startswith("fd:") else None

    @property
    def is_production_network(self) -> bool:
        return self.NETWORK_PASSPHRASE == PUBNET_PASSPHRASE

    def soroban_byte_allowance(self) -> int:
        if self.IGNORE_MESSAGE_LIMITS_FOR_TESTING:
            return (1 << 63) - 1
        return self.TESTING_MAX_SOROBAN_BYTE_ALLOWANCE or MAX_SOROBAN_BYTE_ALLOWANCE

    def classic_byte_allowance(self) -> int:
        if self.IGNORE_MESSAGE_LIMITS_FOR_TESTING:
            return (1 << 63) - 1
        return self.TESTING_MAX_CLASSIC_BYTE_ALLOWANCE or MAX_CLASSIC_BYTE_ALLOWANCE

    def parallel_ledger_close(self) -> bool:
        return (self.EXPERIMENTAL_PARALLEL_LEDGER_APPLY and "sqlite3://" not in self.DATABASE
                and not self.RUN_STANDALONE)

    def all_buckets_in_memory(self) -> bool:
        return self.BUCKETLIST_DB_INDEX_PAGE_SIZE_EXPONENT == 0

    def expected_ledger_close_time_override_ms(self):
        """getExpectedLedgerCloseTimeTestingOverride: ms, or None."""
        if self.ARTIFICIALLY_SET_CLOSE_TIME_FOR_TESTING:
            return self.ARTIFICIALLY_SET_CLOSE_TIME_FOR_TESTING * 1000
        if self.ARTIFICIALLY_ACCELERATE_TIME_FOR_TESTING:
            return 1000
        return None

    def set_no_listen(self) -> None:
        """Offline commands: no peer port, no HTTP, ledgers closed by hand."""
        self.RUN_STANDALONE = True
        self.HTTP_PORT = 0
        self.HTTP_QUERY_PORT = 0
        self.MANUAL_CLOSE = True

    def set_no_publish(self) -> None:
        for a in self.HISTORY.values():
            a.put_cmd = ""

    def adjust(self) -> None:
        """Config::adjust: derive the connection limits from
        TARGET_PEER_CONNECTIONS and the process's file descriptor limit."""
        if self.MAX_ADDITIONAL_PEER_CONNECTIONS == -1:
            self.MAX_ADDITIONAL_PEER_CONNECTIONS = (
                self.TARGET_PEER_CONNECTIONS * 8 if self.TARGET_PEER_CONNECTIONS <= U16_MAX // 8
                else U16_MAX)
        limit = self.MAX_ADDITIONAL_PEER_CONNECTIONS // MIN_INBOUND_FACTOR + MIN_INBOUND_FACTOR
        if self.TARGET_PEER_CONNECTIONS > limit:
            log.warning("Adjusted TARGET_PEER_CONNECTIONS to %d due to insufficient "
                        "MAX_ADDITIONAL_PEER_CONNECTIONS=%d", limit,
                        self.MAX_ADDITIONAL_PEER_CONNECTIONS)
            self.TARGET_PEER_CONNECTIONS = limit
        max_fs = min(U16_MAX, _max_file_handles())
        total = self.TARGET_PEER_CONNECTIONS + self.MAX_ADDITIONAL_PEER_CONNECTIONS
        pending = self.MAX_PENDING_CONNECTIONS
        if total <= 0:
            self.MAX_OUTBOUND_PENDING_CONNECTIONS = self.MAX_INBOUND_PENDING_CONNECTIONS = 0
            return
        outbound_rate = self.TARGET_PEER_CONNECTIONS / total

        def nonzero_u16(v):
            return max(1, min(U16_MAX, math.ceil(v)))

        if total + pending > max_fs:
            pending = 1 if total >= max_fs else (max_fs - total) & U16_MAX
        if total + pending > max_fs:
            pending = max(self.MAX_PENDING_CONNECTIONS, 1)
            required = total + pending
            self.TARGET_PEER_CONNECTIONS = nonzero_u16(
                max_fs * self.TARGET_PEER_CONNECTIONS / required)
            self.MAX_ADDITIONAL_PEER_CONNECTIONS = nonzero_u16(
                max_fs * self.MAX_ADDITIONAL_PEER_CONNECTIONS / required)
            auth = self.TARGET_PEER_CONNECTIONS + self.MAX_ADDITIONAL_PEER_CONNECTIONS
            pending = 1 if auth >= max_fs else (max_fs - auth) & U16_MAX
        self.MAX_PENDING_CONNECTIONS = min(U16_MAX, pending)
        if self.MAX_OUTBOUND_PENDING_CONNECTIONS == 0 and self.MAX_INBOUND_PENDING_CONNECTIONS == 0:
            self.MAX_OUTBOUND_PENDING_CONNECTIONS = max(
                1, nonzero_u16(self.MAX_PENDING_CONNECTIONS * outbound_rate))
            self.MAX_INBOUND_PENDING_CONNECTIONS = max(
                1, (self.MAX_PENDING_CONNECTIONS - self.MAX_OUTBOUND_PENDING_CONNECTIONS) & U16_MAX)

    def check_for_node(self) -> None:
        """ApplicationImpl::validateAndLogConfig and `run`'s checks: what a
        running node additionally refuses."""
        if self.FORCE_SCP and not self.NODE_IS_VALIDATOR:
            raise ConfigError("FORCE_SCP is set but NODE_IS_VALIDATOR not set", "NODE_IS_VALIDATOR")
        networked_validator = self.NODE_IS_VALIDATOR and not self.RUN_STANDALONE
        if self.ENABLE_SOROBAN_DIAGNOSTIC_EVENTS and networked_validator:
            raise ConfigError("ENABLE_SOROBAN_DIAGNOSTIC_EVENTS is set, NODE_IS_VALIDATOR is "
                              "set, and RUN_STANDALONE is not set",
                              "ENABLE_SOROBAN_DIAGNOSTIC_EVENTS")
        if self.METADATA_OUTPUT_STREAM and networked_validator:
            raise ConfigError("METADATA_OUTPUT_STREAM is set, NODE_IS_VALIDATOR is set, and "
                              "RUN_STANDALONE is not set", "METADATA_OUTPUT_STREAM")
        exp = self.BUCKETLIST_DB_INDEX_PAGE_SIZE_EXPONENT
        if exp != 0 and exp < 8:
            raise ConfigError("BUCKETLIST_DB_INDEX_PAGE_SIZE_EXPONENT must be at least 8 or set "
                              "to 0 for individual entry indexing",
                              "BUCKETLIST_DB_INDEX_PAGE_SIZE_EXPONENT")
        if exp > 31:
            raise ConfigError("BUCKETLIST_DB_INDEX_PAGE_SIZE_EXPONENT must be less than 32",
                              "BUCKETLIST_DB_INDEX_PAGE_SIZE_EXPONENT")
        if self.MANUAL_CLOSE and not self.NODE_IS_VALIDATOR:
            raise ConfigError("Starting in MANUAL_CLOSE mode requires NODE_IS_VALIDATOR to be set",
                              "MANUAL_CLOSE")
        if not self.NETWORK_PASSPHRASE:
            raise ConfigError("NETWORK_PASSPHRASE is not set", "NETWORK_PASSPHRASE")

    # --- the configuration of `stellarcore run` without a file --------------

    @classmethod
    def default_standalone(cls, data_dir) -> "Config":
        """A standalone validator in `data_dir`: its quorum is itself, its
        seed is kept in `data_dir/node-seed` (made on first use, mode 0600) so
        restarts keep the identity; SQLite database and buckets in the data
        dir; HTTP on 127.0.0.1:11626; ledgers close every 5 s (no
        MANUAL_CLOSE); network passphrase "Standalone Network ; February 2017"."""
        data = pathlib.Path(data_dir)
        data.mkdir(parents=True, exist_ok=True)
        cfg = cls()
        cfg.NODE_SEED = load_or_create_seed(data / SEED_FILE_NAME)
        cfg.VALIDATOR_NAMES[cfg.NODE_SEED.strkey_public()] = "self"
        cfg.NETWORK_PASSPHRASE = STANDALONE_PASSPHRASE
        cfg.RUN_STANDALONE = True
        cfg.NODE_IS_VALIDATOR = True
        cfg.FORCE_SCP = True
        cfg.MANUAL_CLOSE = False
        cfg.UNSAFE_QUORUM = True
        cfg.FAILURE_SAFETY = 0
        cfg.quorum_qset = QSet(1, (cfg.node_id,), ())
        cfg.DATABASE = f"sqlite3://{data / 'stellar.db'}"
        cfg.BUCKET_DIR_PATH = str(data / "buckets")
        cfg.LOG_FILE_PATH = ""          # log to the console
        cfg.HTTP_PORT = 11626
        cfg.PUBLIC_HTTP_PORT = False
        cfg.adjust()
        cfg.source = None
        return cfg


def load_or_create_seed(path: pathlib.Path) -> SecretKey:
    """The node's seed from `path` (one strkey line), or a new one written there."""
    if path.exists():
        text = path.read_text().strip()
        try:
            return SecretKey.from_strkey_seed(text)
        except ValueError as e:
            raise ConfigError(f"{path}: not a secret seed ({e})", "NODE_SEED") from None
    seed = SecretKey.random()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(seed.strkey_seed() + "\n")
    return seed


def _read_int(key, value, lo, hi, element=False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"invalid element of '{key}'" if element else f"invalid '{key}'", key)
    if not lo <= value <= hi:
        raise ConfigError(f"bad '{key}'", key)
    return value


def _read_op_types(key, value) -> list:
    if not isinstance(value, list):
        raise ConfigError(f"'{key}' must be an array", key)
    names = xdr.OperationType.__members__
    out = []
    for v in value:
        if not isinstance(v, str) or v not in names:
            raise ConfigError(f"invalid element of '{key}'", key)
        out.append(names[v])
    return out


def _max_file_handles() -> int:
    """fs::getMaxHandles: the soft limit on open files."""
    try:
        import resource
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        return soft if soft != resource.RLIM_INFINITY else U16_MAX
    except (ImportError, OSError, ValueError):
        return U16_MAX
