"""Validator-voted Soroban setting changes (stellar-core herder/Upgrades.cpp
ConfigUpgradeSetFrame).

Why this shape: a LEDGER_UPGRADE_CONFIG only names a ConfigUpgradeSetKey
(contract id + SHA-256 of the set); the set itself must already be on the
ledger as the bytes of a TEMPORARY CONTRACT_DATA entry whose key is the
hash, with a live TTL. `ConfigUpgradeSetFrame.make_from_key` finds and
decodes it (None when any of that fails, as stellar-core), `is_valid_for_apply`
checks it, `apply_to` writes it (PARITY_TRAPS S12 for the window).

Also: the JSON form of a ConfigUpgradeSet that stellar-core's
`soroban-settings/*.json` files use (the Rust stellar-xdr serde JSON that
`stellar-xdr encode --type ConfigUpgradeSet` reads), both the current field
names and the pre-protocol-23 ones of the older files.
"""
from __future__ import annotations

import base64
import enum
import hashlib
import re
import struct

from stellarcore import xdr
from stellarcore.soroban import network_config as nc

CS = xdr.ConfigSettingID
_UINT32_MAX = 0xFFFFFFFF


class UpgradeValidity(enum.Enum):
    """Upgrades::UpgradeValidity."""
    VALID = 0
    XDR_INVALID = 1
    INVALID = 2


class ConfigUpgradeSetError(ValueError):
    """Bytes or JSON that are not a well-formed ConfigUpgradeSet."""


def parse_config_upgrade_set(data) -> "xdr.ConfigUpgradeSet":
    """Strictly decode ConfigUpgradeSet XDR (every byte used, stellar-core's
    xdr_from_opaque); any failure is one ConfigUpgradeSetError."""
    try:
        return xdr.ConfigUpgradeSet.from_xdr(bytes(data))
    except Exception as e:  # the decoder's errors, whatever their class
        raise ConfigUpgradeSetError(f"malformed ConfigUpgradeSet XDR: {e}") from None


def config_upgrade_set_ledger_key(key) -> "xdr.LedgerKey":
    """Where the set of `key` (ConfigUpgradeSetKey) lives: CONTRACT_DATA of
    contract `contractID`, key SCV_BYTES(contentHash), TEMPORARY."""
    return xdr.LedgerKey(contractData=xdr.LedgerKeyContractData(
        contract=xdr.SCAddress(contractId=bytes(key.contractID)),
        key=xdr.SCVal(bytes=bytes(key.contentHash)),
        durability=xdr.ContractDataDurability.TEMPORARY))


def ttl_key_of(ledger_key_xdr: bytes) -> bytes:
    """LedgerKey XDR of the TTL entry of a Soroban entry (getTTLKey)."""
    return struct.pack(">I", xdr.LedgerEntryType.TTL) + hashlib.sha256(ledger_key_xdr).digest()


def is_valid_xdr(upgrade_set, key) -> bool:
    """The set hashes to the key, is not empty, and its settings are in
    strictly increasing ConfigSettingID order (sorted and no duplicate)."""
    if bytes(key.contentHash) != hashlib.sha256(upgrade_set.to_xdr()).digest():
        return False
    ids = [int(e.xdr_disc()) for e in upgrade_set.updatedEntry]
    if not ids:
        return False
    return all(a < b for a, b in zip(ids, ids[1:]))


class ConfigUpgradeSetFrame:
    """A ConfigUpgradeSet read from the ledger, with its key and the
    protocol version of the ledger it was read at."""

    def __init__(self, upgrade_set, key, ledger_version: int):
        self.upgrade_set = upgrade_set
        self.key = key
        self.ledger_version = ledger_version
        self.valid_xdr = is_valid_xdr(upgrade_set, key)

    @classmethod
    def make_from_key(cls, ltx, key):
        """The set stored under `key`, or None when there is no such entry,
        its TTL has expired, it is not TEMPORARY SCV_BYTES, or its bytes do
        not decode."""
        lk = config_upgrade_set_ledger_key(key).to_xdr()
        le = nc.store_get(ltx, lk)
        if le is None:
            return None
        header = nc.store_header(ltx)
        ttl = nc.store_get(ltx, ttl_key_of(lk))
        if ttl is None:
            raise nc.NetworkConfigError("CONTRACT_DATA entry without its TTL entry")
        if ttl.data.ttl.liveUntilLedgerSeq < header.ledgerSeq:
            return None
        cd = le.data.contractData
        if cd.val.xdr_disc() != xdr.SCValType.SCV_BYTES or cd.durability != xdr.ContractDataDurability.TEMPORARY:
            return None
        try:
            upgrade_set = parse_config_upgrade_set(cd.val.bytes)
        except ConfigUpgradeSetError:
            return None
        return cls(upgrade_set, key, header.ledgerVersion)

    def to_xdr(self) -> bytes:
        return self.upgrade_set.to_xdr()

    def encode_as_string(self) -> str:
        return base64.b64encode(self.to_xdr()).decode()

    def is_valid_for_apply(self) -> UpgradeValidity:
        """XDR_INVALID for a bad set (hash, empty, order), INVALID when a
        setting fails isValidConfigSettingEntry at the set's ledger version
        or may not be upgraded."""
        if not self.valid_xdr:
            return UpgradeValidity.XDR_INVALID
        for cfg in self.upgrade_set.updatedEntry:
            if (not nc.is_valid_config_setting_entry(cfg, self.ledger_version)
                    or nc.is_non_upgradeable_config_setting_entry(cfg)):
                return UpgradeValidity.INVALID
        return UpgradeValidity.VALID

    def is_consistent_with(self, scheduled) -> bool:
        """Same key as the locally scheduled upgrade (None: nothing scheduled)."""
        return scheduled is not None and self.key == scheduled.key

    def upgrade_needed(self, ltx) -> bool:
        """Whether any setting of the set differs from the ledger's."""
        if nc.store_header(ltx).ledgerVersion < nc.SOROBAN_PROTOCOL_VERSION:
            return False
        return any(nc.read_config_setting(ltx, e.xdr_disc()) != e for e in self.upgrade_set.updatedEntry)

    def apply_to(self, ltx, recompute_state_size=None):
        """Write the set's settings into `ltx` (see `apply_config_upgrade_set`)."""
        apply_config_upgrade_set(ltx, self.upgrade_set, recompute_state_size)


def apply_config_upgrade_set(ltx, upgrade_set, recompute_state_size=None):
    """ConfigUpgradeSetFrame::applyTo: load each setting for write in `ltx`
    and replace it. A changed window sample size then resizes the window;
    a memory cost-params setting in the set (changed or not) recomputes
    the in-memory state size through `recompute_state_size(config,
    ledger_version)` and overwrites the window (PARITY_TRAPS S12)."""
    resize_window = False
    memory_upgrade = False
    for updated in upgrade_set.updatedEntry:
        sid = updated.xdr_disc()
        le = ltx.load(nc.config_setting_key(sid))
        if le is None:
            raise nc.NetworkConfigError(f"missing CONFIG_SETTING entry {CS(sid).name}")
        current = le.data.configSetting
        if (sid == CS.CONFIG_SETTING_STATE_ARCHIVAL
                and current.stateArchivalSettings.liveSorobanStateSizeWindowSampleSize
                != updated.stateArchivalSettings.liveSorobanStateSizeWindowSampleSize):
            resize_window = True
        if sid == CS.CONFIG_SETTING_CONTRACT_COST_PARAMS_MEMORY_BYTES:
            memory_upgrade = True
        le.data.configSetting = updated.copy()
    if resize_window:
        nc.maybe_update_soroban_state_size_window_size(ltx)
    if memory_upgrade:
        nc.handle_upgrade_affecting_soroban_state_size(ltx, recompute_state_size)


# ------------------------------------------------------------------ JSON


def _snake(name: str) -> str:
    """camelCase to the snake_case the Rust XDR JSON uses (heck rules:
    feeDiskRead1KB -> fee_disk_read1_kb, maxEntryTTL -> max_entry_ttl)."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    s = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", s)
    return s.lower()


# Pre-protocol-23 names (the same fields, renamed in the p23 schema) that
# the older settings files use.
LEGACY_FIELD_NAMES = {
    "ledger_max_read_ledger_entries": "ledger_max_disk_read_entries",
    "ledger_max_read_bytes": "ledger_max_disk_read_bytes",
    "tx_max_read_ledger_entries": "tx_max_disk_read_entries",
    "tx_max_read_bytes": "tx_max_disk_read_bytes",
    "fee_read_ledger_entry": "fee_disk_read_ledger_entry",
    "fee_read1_kb": "fee_disk_read1_kb",
    "bucket_list_target_size_bytes": "soroban_state_target_size_bytes",
    "write_fee1_kb_bucket_list_low": "rent_fee1_kb_soroban_state_size_low",
    "write_fee1_kb_bucket_list_high": "rent_fee1_kb_soroban_state_size_high",
    "bucket_list_write_fee_growth_factor": "soroban_state_rent_fee_growth_factor",
    "bucket_list_size_window_sample_size": "live_soroban_state_size_window_sample_size",
    "bucket_list_window_sample_period": "live_soroban_state_size_window_sample_period",
}
LEGACY_CASE_NAMES = {"bucketlist_size_window": "live_soroban_state_size_window"}

_PREFIX = "CONFIG_SETTING_"
# JSON case name -> (ConfigSettingID, arm attribute)
_CASES = {}
for _sid in CS:
    _arm = xdr.ConfigSettingEntry(_sid).xdr_arm()
    _CASES[_sid.name[len(_PREFIX):].lower()] = (_sid, _arm)
_CASE_NAME = {sid: name for name, (sid, _) in _CASES.items()}
del _sid, _arm

_WIDE = {}


def _is_64bit(cls, attr) -> bool:
    """Whether a struct's integer field is 64-bit (probed once: a 32-bit
    field refuses 2**32). The JSON writes those as strings."""
    k = (cls, attr)
    if k not in _WIDE:
        probe = cls()
        try:
            setattr(probe, attr, 1 << 32)
            _WIDE[k] = True
        except OverflowError:
            _WIDE[k] = False
    return _WIDE[k]


def _int(value, where):
    if isinstance(value, bool):
        raise ConfigUpgradeSetError(f"{where}: expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    raise ConfigUpgradeSetError(f"{where}: expected an integer, got {value!r}")


def _struct_from_json(cls, obj, where):
    if not isinstance(obj, dict):
        raise ConfigUpgradeSetError(f"{where}: expected an object, got {type(obj).__name__}")
    out = cls()
    fields = {_snake(n): n for n, _ in out.xdr_fields()}
    seen = set()
    for jname, value in obj.items():
        name = LEGACY_FIELD_NAMES.get(jname, jname)
        if name not in fields:
            raise ConfigUpgradeSetError(f"{where}: unknown field {jname!r}")
        if name in seen:
            raise ConfigUpgradeSetError(f"{where}: field {jname!r} given twice")
        seen.add(name)
        attr = fields[name]
        here = f"{where}.{jname}"
        if attr == "ext":
            if value != "v0":
                raise ConfigUpgradeSetError(f"{here}: only \"v0\" is defined")
            continue
        if isinstance(getattr(out, attr), bool):
            if not isinstance(value, bool):
                raise ConfigUpgradeSetError(f"{here}: expected true or false")
            setattr(out, attr, value)
            continue
        try:
            setattr(out, attr, _int(value, here))
        except OverflowError:
            raise ConfigUpgradeSetError(f"{here}: {value!r} is out of range") from None
    missing = [j for j, a in fields.items() if j not in seen and a != "ext"]
    if missing:
        raise ConfigUpgradeSetError(f"{where}: missing field(s) {', '.join(missing)}")
    return out


def _entry_from_json(obj, where):
    if not isinstance(obj, dict) or len(obj) != 1:
        raise ConfigUpgradeSetError(f"{where}: expected an object with exactly one setting")
    (case, value), = obj.items()
    case = LEGACY_CASE_NAMES.get(case, case)
    if case not in _CASES:
        raise ConfigUpgradeSetError(f"{where}: unknown setting {case!r}")
    sid, arm = _CASES[case]
    entry = xdr.ConfigSettingEntry(sid)
    here = f"{where}.{case}"
    current = getattr(entry, arm)
    try:
        if isinstance(current, list):
            if not isinstance(value, list):
                raise ConfigUpgradeSetError(f"{here}: expected an array")
            if sid == CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW:
                items = [_int(v, f"{here}[{i}]") for i, v in enumerate(value)]
                if any(not 0 <= v < 1 << 64 for v in items):
                    raise ConfigUpgradeSetError(f"{here}: sizes are uint64")
            else:
                items = [_struct_from_json(xdr.ContractCostParamEntry, v, f"{here}[{i}]")
                         for i, v in enumerate(value)]
            setattr(entry, arm, items)
        elif isinstance(current, int):   # the uint32 settings
            v = _int(value, here)
            if not 0 <= v <= _UINT32_MAX:
                raise ConfigUpgradeSetError(f"{here}: {value!r} is out of range")
            setattr(entry, arm, v)
        else:
            setattr(entry, arm, _struct_from_json(type(current), value, here))
        entry.to_xdr()  # length limits (cost params at most 1024)
    except ConfigUpgradeSetError:
        raise
    except Exception as e:
        raise ConfigUpgradeSetError(f"{here}: {e}") from None
    return entry


def config_upgrade_set_from_json(obj) -> "xdr.ConfigUpgradeSet":
    """A ConfigUpgradeSet from the settings-file JSON (already parsed, or
    text): {"updated_entry": [{"<setting>": value}, ...]}. Integers may be
    numbers or decimal strings. Entries keep the file's order (validity is
    `ConfigUpgradeSetFrame`'s business)."""
    if isinstance(obj, (str, bytes)):
        import json
        try:
            obj = json.loads(obj)
        except ValueError as e:
            raise ConfigUpgradeSetError(f"not JSON: {e}") from None
    if not isinstance(obj, dict) or set(obj) != {"updated_entry"}:
        raise ConfigUpgradeSetError('expected {"updated_entry": [...]}')
    entries = obj["updated_entry"]
    if not isinstance(entries, list):
        raise ConfigUpgradeSetError("updated_entry: expected an array")
    return xdr.ConfigUpgradeSet(updatedEntry=[
        _entry_from_json(e, f"updated_entry[{i}]") for i, e in enumerate(entries)])


def _struct_to_json(value):
    out = {}
    for attr, v in value.xdr_fields():
        if attr == "ext":
            out[_snake(attr)] = "v0"
        elif isinstance(v, bool):
            out[_snake(attr)] = v
        else:
            out[_snake(attr)] = str(v) if _is_64bit(type(value), attr) else v
    return out


def config_setting_entry_to_json(entry) -> dict:
    sid = entry.xdr_disc()
    v = entry.xdr_value()
    if sid == CS.CONFIG_SETTING_LIVE_SOROBAN_STATE_SIZE_WINDOW:
        value = [str(s) for s in v]
    elif isinstance(v, list):
        value = [_struct_to_json(p) for p in v]
    elif isinstance(v, int):
        value = v
    else:
        value = _struct_to_json(v)
    return {_CASE_NAME[sid]: value}


def config_upgrade_set_to_json(upgrade_set) -> dict:
    """The current stellar-xdr JSON form (64-bit integers as strings), what
    testnet_settings_upgrade.json is written in."""
    return {"updated_entry": [config_setting_entry_to_json(e) for e in upgrade_set.updatedEntry]}
