"""Quorum configuration: [QUORUM_SET] tables, [[VALIDATORS]] and
[[HOME_DOMAINS]], the generated quorum set and the safety checks, as
stellar-core v25's Config (loadQset, parseValidators, parseDomainsQuality,
generateQuorumSet, setValidatorWeightConfig, validateConfig).

Quorum sets are built as scp.quorum.QSet values (raw 32-byte keys) and
converted to xdr.SCPQuorumSet by the caller.  Every error is a ConfigError
carrying stellar-core's message.
"""
from __future__ import annotations

import dataclasses

from stellarcore.crypto import strkey
from stellarcore.scp import quorum_set as qs
from stellarcore.scp.quorum import QSet, find_closest_v_blocking, is_v_blocking

QUALITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
LOW, MEDIUM, HIGH, CRITICAL = range(4)

# ValidationThresholdLevels
SIMPLE_MAJORITY, BYZANTINE_FAULT_TOLERANCE, ALL_REQUIRED = range(3)

UINT64_MAX = (1 << 64) - 1


class ConfigError(ValueError):
    """A configuration stellar-core would refuse; the message names the key."""

    def __init__(self, message, key=None):
        super().__init__(message)
        self.key = key


@dataclasses.dataclass
class ValidatorEntry:
    name: str
    home_domain: str
    quality: int
    key: bytes
    has_history: bool


@dataclasses.dataclass
class ValidatorWeightConfig:
    """Per-validator data and quality weights (leader election weights)."""
    validator_entries: dict       # key bytes -> ValidatorEntry
    home_domain_sizes: dict       # home domain -> number of validators
    quality_weights: dict         # quality -> weight


def parse_quality(q: str) -> int:
    if q not in QUALITIES:
        raise ConfigError(f"Unknown QUALITY '{q}'", "QUALITY")
    return QUALITIES.index(q)


def default_threshold(q: QSet, level: int) -> int:
    """computeDefaultThreshold: n - f, with n = 2f+1 (simple majority, no
    inner sets), all of them, or n = 3f+1 (Byzantine)."""
    top = len(q.validators) + len(q.inner)
    if top == 0:
        return 0
    if level == SIMPLE_MAJORITY and not q.inner:
        return top - (top - 1) // 2
    if level == ALL_REQUIRED:
        return top
    return top - (top - 1) // 3


def load_qset(cfg, group, level: int = 0) -> QSet:
    """Config::loadQset: THRESHOLD_PERCENT (default 67), VALIDATORS, and every
    other entry an inner set; threshold = ceil(n * percent / 100)."""
    if not isinstance(group, dict):
        raise ConfigError("invalid entry in quorum set definition", "QUORUM_SET")
    if level > qs.MAXIMUM_QUORUM_NESTING_LEVEL:
        raise ConfigError("too many levels in quorum set", "QUORUM_SET")
    percent = 67
    validators, inner = [], []
    for name, value in group.items():
        if name == "THRESHOLD_PERCENT":
            if not _is_int(value) or not 0 < value <= 100:
                raise ConfigError("invalid THRESHOLD_PERCENT", "QUORUM_SET")
            percent = value
        elif name == "VALIDATORS":
            for v in read_str_array("VALIDATORS", value):
                validators.append(cfg.parse_node_id(v))
        else:
            try:
                if not isinstance(value, dict):
                    raise ConfigError("invalid quorum set, should be a group", "QUORUM_SET")
                inner.append(load_qset(cfg, value, level + 1))
            except ConfigError as e:
                raise ConfigError(f"{e} while parsing '{name}'", "QUORUM_SET") from None
    n = len(validators) + len(inner)
    threshold = 1 + (n * percent - 1) // 100
    if threshold == 0 or n == 0:
        raise ConfigError("invalid quorum set definition", "QUORUM_SET")
    return QSet(threshold, tuple(validators), tuple(inner))


def parse_domains_quality(value) -> dict:
    """[[HOME_DOMAINS]]: HOME_DOMAIN -> QUALITY, each domain once."""
    if not _is_table_array(value):
        raise ConfigError("malformed HOME_DOMAINS", "HOME_DOMAINS")
    res = {}
    for entry in value:
        domain, quality = "", None
        for f, v in entry.items():
            if f == "QUALITY":
                quality = parse_quality(read_str(f, v))
            elif f == "HOME_DOMAIN":
                domain = read_str(f, v)
            else:
                raise ConfigError(f"Unknown field '{f}' in HOME_DOMAINS", "HOME_DOMAINS")
        if quality is None or not domain:
            raise ConfigError(f"Malformed HOME_DOMAINS '{domain}'", "HOME_DOMAINS")
        if domain in res:
            raise ConfigError(f"Malformed HOME_DOMAINS: duplicate '{domain}'", "HOME_DOMAINS")
        res[domain] = quality
    return res


def parse_validators(cfg, value, domain_quality: dict) -> list:
    """[[VALIDATORS]]: NAME, HOME_DOMAIN, PUBLIC_KEY, QUALITY (or the home
    domain's), optional ADDRESS (a preferred peer when it shares our home
    domain, else a known peer) and HISTORY (a get-only archive named NAME)."""
    if not _is_table_array(value):
        raise ConfigError("malformed VALIDATORS", "VALIDATORS")
    res = []
    for entry in value:
        name = home = pub = hist = address = ""
        quality = None
        for f, v in entry.items():
            if f == "NAME":
                name = read_str(f, v)
            elif f == "HOME_DOMAIN":
                home = read_str(f, v)
            elif f == "QUALITY":
                quality = parse_quality(read_str(f, v))
            elif f == "PUBLIC_KEY":
                pub = read_str(f, v)
            elif f == "ADDRESS":
                address = read_str(f, v)
            elif f == "HISTORY":
                hist = read_str(f, v)
            else:
                raise ConfigError(f"malformed VALIDATORS entry, unknown element '{f}'",
                                  "VALIDATORS")
        if not name:
            raise ConfigError("malformed VALIDATORS entry: missing 'NAME'", "VALIDATORS")
        if not pub or not home:
            raise ConfigError(f"malformed VALIDATORS entry '{name}'", "VALIDATORS")
        if home in domain_quality:
            if quality is not None:
                raise ConfigError(f"malformed VALIDATORS entry '{name}': quality already "
                                  f"defined in home domain '{home}'", "VALIDATORS")
            quality = domain_quality[home]
        if quality is None:
            raise ConfigError(f"malformed VALIDATORS entry '{name}' (missing quality)",
                              "VALIDATORS")
        cfg.add_validator_name(pub, name)
        key = decode_public_key(pub, "VALIDATORS")
        if hist:
            cfg.add_history_archive(name, hist, "", "")
        if (not cfg.SKIP_HIGH_CRITICAL_VALIDATOR_CHECKS_FOR_TESTING
                and quality in (HIGH, CRITICAL) and not hist):
            raise ConfigError(f"malformed VALIDATORS entry '{name}' (critical and high "
                              "quality must have an archive)", "VALIDATORS")
        if address:
            if cfg.NODE_HOME_DOMAIN == home:
                cfg.PREFERRED_PEERS.append(address)
            else:
                cfg.KNOWN_PEERS.append(address)
        res.append(ValidatorEntry(name, home, quality, key, bool(hist)))
    return res


def self_entry(cfg, domain_quality: dict) -> ValidatorEntry:
    """addSelfToValidators: this validator, named "self", with its home domain's quality."""
    if not cfg.NODE_HOME_DOMAIN:
        raise ConfigError("NODE_HOME_DOMAIN must be set", "NODE_HOME_DOMAIN")
    if cfg.NODE_HOME_DOMAIN not in domain_quality:
        raise ConfigError(f"Validator configured with NODE_HOME_DOMAIN='{cfg.NODE_HOME_DOMAIN}' "
                          "but there is no matching HOME_DOMAINS", "NODE_HOME_DOMAIN")
    return ValidatorEntry("self", cfg.NODE_HOME_DOMAIN, domain_quality[cfg.NODE_HOME_DOMAIN],
                          cfg.NODE_SEED.public_key.ed25519, False)


def generate_quorum_set(validators, skip_checks: bool = False) -> QSet:
    """Config::generateQuorumSet: one inner set per home domain (simple
    majority of its validators), grouped by quality from the highest down;
    each lower quality level nests as one more entry of the level above;
    the critical level needs all its entries, others are Byzantine
    thresholds; then normalizeQSet."""
    todo = sorted(validators, key=lambda v: (-v.quality, v.home_domain))
    res = _generate_level(todo, 0, CRITICAL, skip_checks)
    return qs.normalize(res)


def _generate_level(todo, start, cur_quality, skip_checks) -> QSet:
    inner = []
    i = start
    while i < len(todo) and todo[i].quality == cur_quality:
        first = todo[i]
        keys = []
        j = i
        while j < len(todo) and todo[j].home_domain == first.home_domain:
            if todo[j].quality != first.quality:
                raise ConfigError(f"Validators '{first.name}' and '{todo[j].name}' must have "
                                  "same quality", "VALIDATORS")
            keys.append(todo[j].key)
            j += 1
        if not skip_checks and len(keys) < 3 and first.quality in (HIGH, CRITICAL):
            raise ConfigError(f"Critical and High quality validators for '{first.home_domain}' "
                              "must have redundancy of at least 3", "VALIDATORS")
        domain_set = QSet(0, tuple(keys), ())
        inner.append(QSet(default_threshold(domain_set, SIMPLE_MAJORITY), tuple(keys), ()))
        i = j
    if i < len(todo):
        if todo[i].quality > cur_quality:
            raise ConfigError(f"invalid validator quality for '{todo[i].name}' (must be "
                              "ascending)", "VALIDATORS")
        inner.append(_generate_level(todo, i, todo[i].quality, skip_checks))
    level = ALL_REQUIRED if cur_quality == CRITICAL else BYZANTINE_FAULT_TOLERANCE
    shape = QSet(0, (), tuple(inner))
    return QSet(default_threshold(shape, level), (), tuple(inner))


def validator_weight_config(validators, is_validator: bool):
    """setValidatorWeightConfig: the highest quality weighs UINT64_MAX, each
    lower one the next higher's weight / ((orgs at that level + 1) * 10),
    LOW weighs 0.  None when the node is not a validator."""
    if not is_validator:
        return None
    entries, sizes, domains_by_quality = {}, {}, {}
    highest, lowest = LOW, CRITICAL
    for v in validators:
        if v.key in entries:
            raise ConfigError(f"Duplicate validator entry for '{strkey.encode('G', v.key)}'",
                              "VALIDATORS")
        entries[v.key] = v
        sizes[v.home_domain] = sizes.get(v.home_domain, 0) + 1
        highest, lowest = max(highest, v.quality), min(lowest, v.quality)
        domains_by_quality.setdefault(v.quality, set()).add(v.home_domain)
    if highest == LOW:
        raise ConfigError("At least one validator must have a quality level higher than LOW",
                          "VALIDATORS")
    weights = {highest: UINT64_MAX}
    for q in range(highest - 1, lowest - 1, -1):
        orgs = len(domains_by_quality.get(q + 1, ())) + 1
        weights[q] = weights[q + 1] // (orgs * 10)
    weights[LOW] = 0
    return ValidatorWeightConfig(entries, sizes, weights)


def check_history_blocking(cfg, validators) -> None:
    """verifyHistoryValidatorsBlocking: validators with archives must be in every quorum."""
    archives = {v.key for v in validators if v.has_history}
    if not is_v_blocking(cfg.quorum_qset, archives) and not cfg.UNSAFE_QUORUM:
        raise ConfigError("SCP unsafe: quorum can be reached without validators with an "
                          "archive (set UNSAFE_QUORUM=true if this is really what you want)",
                          "UNSAFE_QUORUM")


def validate_quorum(cfg, level: int) -> None:
    """Config::validateConfig: FAILURE_SAFETY (default: top-level entries -
    default threshold) must be below the smallest blocking set; without
    UNSAFE_QUORUM, FAILURE_SAFETY 0 or a threshold below the default is
    refused; the quorum set must be sane."""
    q = cfg.quorum_qset
    nodes = set(qs.for_all_nodes(q))
    if not nodes:
        raise ConfigError("no validators defined in VALIDATORS/QUORUM_SET", "QUORUM_SET")
    blocking = find_closest_v_blocking(q, nodes, None)
    min_size = default_threshold(q, level)
    if cfg.FAILURE_SAFETY == -1:
        cfg.FAILURE_SAFETY = len(q.validators) + len(q.inner) - min_size
    if cfg.FAILURE_SAFETY >= len(blocking):
        raise ConfigError(f"FAILURE_SAFETY incompatible with QUORUM_SET (the quorum set "
                          f"breaks with {len(blocking)} failures)", "FAILURE_SAFETY")
    if not cfg.UNSAFE_QUORUM:
        if cfg.FAILURE_SAFETY == 0:
            raise ConfigError("SCP unsafe: FAILURE_SAFETY=0 needs UNSAFE_QUORUM=true",
                              "FAILURE_SAFETY")
        if q.threshold < min_size:
            raise ConfigError("SCP unsafe: THRESHOLD_PERCENT is too low (set "
                              "UNSAFE_QUORUM=true if this is really what you want)",
                              "QUORUM_SET")
    err = qs.sanity_error(q, not cfg.UNSAFE_QUORUM)
    if err:
        raise ConfigError(f"Invalid QUORUM_SET: {err}", "QUORUM_SET")


def quorum_json(q: QSet, name) -> dict:
    """LocalNode::toJson with a key-naming function (Config::toString's form)."""
    return qs.to_json(q, name)


# --- small readers shared with config.py -----------------------------------

def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_table_array(v) -> bool:
    return isinstance(v, list) and all(isinstance(e, dict) for e in v)


def read_str(key, v) -> str:
    if not isinstance(v, str):
        raise ConfigError(f"invalid '{key}'", key)
    return v


def read_str_array(key, v) -> list:
    if not isinstance(v, list):
        raise ConfigError(f"'{key}' must be an array", key)
    if not all(isinstance(e, str) for e in v):
        raise ConfigError(f"invalid element of '{key}'", key)
    return list(v)


def decode_public_key(text: str, key: str) -> bytes:
    try:
        return strkey.decode("G", text)
    except (strkey.StrKeyError, ValueError) as e:
        raise ConfigError(f"invalid public key in '{key}': {text!r} ({e})", key) from None

