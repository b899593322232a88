"""The herder's side of ledger upgrades (stellar-core herder/Upgrades.cpp,
the upgrade handling of HerderImpl / HerderSCPDriver, and the HTTP
`upgrades` command of main/CommandHandler.cpp).

Why: an operator arms a node with upgrade parameters (`/upgrades?mode=set`,
persisted as JSON); after the upgrade time the node nominates the steps
that would move the last closed ledger to them (`create_upgrades_for`);
a value from the network is only accepted when each step is valid to apply
and - while nominating - one this node also wants (`is_valid`); every
externalized value removes the steps it carried from the parameters, and
all of them expire 12 hours after the upgrade time (`remove_upgrades`).
Applying a step to the ledger is ledger/upgrades.py.

Ledger access: `store` arguments are the last closed ledger as stellar-core's
LedgerSnapshot sees it - a LedgerTxn or a root store (header and entries
read, never recorded).
"""
from __future__ import annotations

import base64
import calendar
import datetime
import json
import re
from dataclasses import dataclass, replace
from typing import Optional

from stellarcore import xdr
from stellarcore.ledger import upgrades as ledger_upgrades
from stellarcore.ledger.upgrades import UpgradeValidity, header_flags, is_valid_for_apply
from stellarcore.soroban import network_config as nc
from stellarcore.soroban.config_upgrade import ConfigUpgradeSetFrame
from stellarcore.util import xdr_json

__all__ = [
    "UPGRADE_EXPIRATION_SECONDS", "UPGRADE_TYPE_MAX_SIZE", "UpgradeParametersError",
    "UpgradeParameters", "Upgrades", "upgrade_to_string", "combine_upgrade_steps",
    "upgrades_command", "parse_iso_time", "format_iso_time", "decode_b64_lenient",
]

_LUT = xdr.LedgerUpgradeType
# Upgrades::UPDGRADE_EXPIRATION_HOURS (12 h) in seconds.
UPGRADE_EXPIRATION_SECONDS = 12 * 3600
# UpgradeType is opaque<128>; the herder drops a step whose XDR is not
# strictly shorter (HerderImpl::triggerNextLedger).
UPGRADE_TYPE_MAX_SIZE = 128
_UINT32_MAX = 0xFFFFFFFF
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_SOROBAN = nc.SOROBAN_PROTOCOL_VERSION


class UpgradeParametersError(ValueError):
    """Upgrade parameters that cannot be used: malformed persisted JSON, a
    bad `/upgrades` argument, a protocol version above the node's. (The
    HTTP command answers `{"exception": "<message>"}` for these.)"""


# ------------------------------------------------------------------ time


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year), as
    timegm counts them."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_ISO = re.compile(r"[ \t\n\v\f\r]*(\d{1,4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})Z")


def parse_iso_time(text: str) -> int:
    """VirtualClock::isoStringToTm + tmToSystemPoint: `%Y-%m-%dT%H:%M:%SZ`
    read as libstdc++'s std::get_time reads it (leading whitespace skipped,
    1-4 year digits, 1-2 digits per other field, anything after the Z
    ignored), then timegm (so February 31st is March 3rd). Returns Unix
    seconds; raises UpgradeParametersError."""
    m = _ISO.match(text)
    if m is None:
        raise UpgradeParametersError("Could not parse iso date")
    y, mo, d, hh, mi, ss = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31 and hh <= 23 and mi <= 59 and ss <= 60):
        raise UpgradeParametersError("Could not parse iso date")
    return (_days_from_civil(y, mo, 1) + d - 1) * 86400 + hh * 3600 + mi * 60 + ss


def format_iso_time(t: int) -> str:
    """VirtualClock::systemPointToISOString (UTC)."""
    dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=t)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _time_of(value) -> int:
    """A configured upgrade time as Unix seconds: an int, a datetime or an
    ISO string (Config::TESTING_UPGRADE_DATETIME)."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return calendar.timegm(value.timetuple())
        return int(value.timestamp())
    if isinstance(value, str):
        return parse_iso_time(value)
    return int(value)


# ------------------------------------------------------------------ base64 and JSON writers


_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def decode_b64_lenient(text: str) -> bytes:
    """stellar-core's decoder::decode_b64 (lib/util/basen.h): characters
    outside the alphabet (padding, whitespace, anything) are skipped and
    only whole bytes are produced. The `/upgrades` query parser drops '='
    too, so a padded key still arrives whole."""
    out = bytearray()
    acc = 0
    bits = 0
    for c in text:
        v = _B64.get(c)
        if v is None:
            continue
        acc = (acc << 6) | v
        bits += 6
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return bytes(out)


def _json_string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _cereal_text(value, indent: int = 0) -> str:
    """cereal's JSONOutputArchive (rapidjson PrettyWriter, 4 spaces,
    `"key": value`, members in the order written, no final newline) for
    dicts of ints, bools, strings and nested dicts."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = " " * (indent + 4)
        items = [f"{pad}{_json_string(k)}: {_cereal_text(v, indent + 4)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _json_string(value)
    return str(int(value))


def _styled_scalar(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return _json_string(v)
    return str(int(v))


def _styled(value, indent: str = "") -> str:
    """jsoncpp's StyledWriter (Value::toStyledString without the final
    newline): 3-space indent, `"key" : value`, keys sorted, and an array of
    scalars on one line `[ a, b ]` when it is short (3 * size < 74 and the
    whole line < 74 characters), otherwise one element per line."""
    inner = indent + "   "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{_json_string(k)} : {_styled(value[k], inner)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        multiline = len(value) * 3 >= 74 or any(isinstance(v, (dict, list)) and v for v in value)
        if not multiline:
            parts = [_styled(v, inner) for v in value]
            if 4 + 2 * (len(value) - 1) + sum(len(p) for p in parts) < 74:
                return "[ " + ", ".join(parts) + " ]"
        items = [inner + _styled(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return _styled_scalar(value)


# ------------------------------------------------------------------ parameters


def _opt(v):
    return {"nullopt": True} if v is None else {"nullopt": False, "data": v}


class _CerealMissing(Exception):
    """A field cereal could not load (name absent or wrong JSON type)."""


def _member(obj, name):
    if not isinstance(obj, dict) or name not in obj:
        raise _CerealMissing(f"provided NVP ({name}) not found")
    return obj[name]


def _uint32(v, name):
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= _UINT32_MAX:
        raise _CerealMissing(f"{name}: not a uint32")
    return v


def _string(v, name):
    if not isinstance(v, str):
        raise _CerealMissing(f"{name}: not a string")
    return v


def _load_opt(obj, name, loader, assign):
    """cereal's std::optional load: {"nullopt": true} or {"nullopt": false,
    "data": ...}; the optional is engaged (0) before its data is read, as
    cereal's emplace() does."""
    node = _member(obj, name)
    nullopt = _member(node, "nullopt")
    if not isinstance(nullopt, bool):
        raise _CerealMissing(f"{name}.nullopt: not a bool")
    if nullopt:
        assign(None)
        return
    assign(0)
    assign(loader(_member(node, "data"), name))


def _rewrite_cpp14_optionals(s: str) -> str:
    """rewriteOptionalFieldKeys: the pre-C++17 optional form {"has": b,
    "val": v}, rewritten textually as stellar-core does."""
    s = s.replace('"has": false', '"nullopt": true')
    s = s.replace('"has": true', '"nullopt": false')
    return s.replace('"val":', '"data":')


def _first_wins(pairs):
    out = {}
    for k, v in pairs:
        out.setdefault(k, v)
    return out


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


@dataclass
class UpgradeParameters:
    """Upgrades::UpgradeParameters. None: no upgrade of that kind.
    `upgrade_time` is Unix seconds (0, the epoch, is "any time")."""
    upgrade_time: int = 0
    protocol_version: Optional[int] = None
    base_fee: Optional[int] = None
    max_tx_set_size: Optional[int] = None
    base_reserve: Optional[int] = None
    flags: Optional[int] = None
    max_soroban_tx_set_size: Optional[int] = None
    config_upgrade_set_key: Optional["xdr.ConfigUpgradeSetKey"] = None

    @classmethod
    def from_config(cls, cfg) -> "UpgradeParameters":
        """UpgradeParameters(Config): every classic parameter from the
        TESTING_UPGRADE_* settings (what a node started with a
        TESTING_UPGRADE_DATETIME arms itself with)."""
        return cls(upgrade_time=_time_of(getattr(cfg, "TESTING_UPGRADE_DATETIME", 0)),
                   protocol_version=cfg.TESTING_UPGRADE_LEDGER_PROTOCOL_VERSION,
                   base_fee=cfg.TESTING_UPGRADE_DESIRED_FEE,
                   max_tx_set_size=cfg.TESTING_UPGRADE_MAX_TX_SET_SIZE,
                   base_reserve=cfg.TESTING_UPGRADE_RESERVE,
                   flags=getattr(cfg, "TESTING_UPGRADE_FLAGS", 0))

    def copy(self) -> "UpgradeParameters":
        key = self.config_upgrade_set_key
        return replace(self, config_upgrade_set_key=None if key is None else key.copy())

    def is_empty(self) -> bool:
        return all(v is None for v in (self.protocol_version, self.base_fee, self.max_tx_set_size,
                                       self.base_reserve, self.flags, self.max_soroban_tx_set_size,
                                       self.config_upgrade_set_key))

    # -- persisted form (cereal) ----------------------------------------
    def _json_fields(self) -> dict:
        key = self.config_upgrade_set_key
        key_text = None if key is None else base64.b64encode(key.to_xdr()).decode()
        return {
            "time": self.upgrade_time,
            "version": _opt(self.protocol_version),
            "fee": _opt(self.base_fee),
            "maxtxsize": _opt(self.max_tx_set_size),
            "reserve": _opt(self.base_reserve),
            "flags": _opt(self.flags),
            "configupgradesetkey": _opt(key_text),
            "maxsorobantxsetsize": _opt(self.max_soroban_tx_set_size),
        }

    def to_json(self) -> str:
        """UpgradeParameters::toJson: cereal's layout, as stellar-core
        persists it (PersistentState kLedgerUpgrades)."""
        return _cereal_text(self._json_fields())

    @classmethod
    def from_json(cls, text: str) -> "UpgradeParameters":
        """UpgradeParameters::fromJson: also the pre-C++17 {"has", "val"}
        optionals. time, version, fee, maxtxsize and reserve are required;
        flags, maxsorobantxsetsize and configupgradesetkey were added later
        and are read in that order until one is missing or malformed (the
        rest stay unset). A key that is not base64 of a ConfigUpgradeSetKey
        leaves it unset."""
        try:
            root = json.loads(_rewrite_cpp14_optionals(text), object_pairs_hook=_first_wins,
                              parse_constant=_no_constant)
        except ValueError as e:
            raise UpgradeParametersError(f"upgrade parameters are not JSON: {e}") from None
        p = cls()
        try:
            t = _member(root, "time")
            if isinstance(t, bool) or not isinstance(t, int) or not _INT64_MIN <= t <= _INT64_MAX:
                raise _CerealMissing("time: not an int64")
            p.upgrade_time = t
            _load_opt(root, "version", _uint32, lambda v: setattr(p, "protocol_version", v))
            _load_opt(root, "fee", _uint32, lambda v: setattr(p, "base_fee", v))
            _load_opt(root, "maxtxsize", _uint32, lambda v: setattr(p, "max_tx_set_size", v))
            _load_opt(root, "reserve", _uint32, lambda v: setattr(p, "base_reserve", v))
        except _CerealMissing as e:
            raise UpgradeParametersError(f"upgrade parameters JSON: {e}") from None
        try:
            _load_opt(root, "flags", _uint32, lambda v: setattr(p, "flags", v))
            _load_opt(root, "maxsorobantxsetsize", _uint32,
                      lambda v: setattr(p, "max_soroban_tx_set_size", v))
            text_box = []
            _load_opt(root, "configupgradesetkey", _string, text_box.append)
            key_text = text_box[-1]
            p.config_upgrade_set_key = None if key_text is None else \
                xdr.ConfigUpgradeSetKey.from_xdr(decode_b64_lenient(key_text))
        except (_CerealMissing, xdr.XdrError):
            pass
        return p

    def to_debug_json(self, store=None) -> str:
        """UpgradeParameters::toDebugJson (what `/upgrades?mode=get`
        answers): the persisted form, with the config upgrade key moved under
        "configupgradeinfo" next to the set it names when `store` has it,
        laid out by jsoncpp's StyledWriter."""
        doc = json.loads(self.to_json())
        key = self.config_upgrade_set_key
        if key is not None:
            info = {"configupgradesetkey": doc.pop("configupgradesetkey")}
            frame = None if store is None else ConfigUpgradeSetFrame.make_from_key(store, key)
            if frame is not None:
                info["configupgradeset"] = xdr_json.to_json(frame.upgrade_set, "ConfigUpgradeSet")
            doc["configupgradeinfo"] = info
        return _styled(doc) + "\n"


# ------------------------------------------------------------------ one upgrade


def upgrade_to_string(upgrade) -> str:
    """Upgrades::toString(LedgerUpgrade), e.g. "basefee=100" (the config
    upgrade as its cereal JSON under "configupgradesetkey")."""
    t = upgrade.type
    if t == _LUT.LEDGER_UPGRADE_VERSION:
        return f"protocolversion={upgrade.newLedgerVersion}"
    if t == _LUT.LEDGER_UPGRADE_BASE_FEE:
        return f"basefee={upgrade.newBaseFee}"
    if t == _LUT.LEDGER_UPGRADE_MAX_TX_SET_SIZE:
        return f"maxtxsetsize={upgrade.newMaxTxSetSize}"
    if t == _LUT.LEDGER_UPGRADE_BASE_RESERVE:
        return f"basereserve={upgrade.newBaseReserve}"
    if t == _LUT.LEDGER_UPGRADE_FLAGS:
        return f"flags={upgrade.newFlags}"
    if t == _LUT.LEDGER_UPGRADE_CONFIG:
        return _config_key_text(upgrade.newConfig)
    if t == _LUT.LEDGER_UPGRADE_MAX_SOROBAN_TX_SET_SIZE:
        return f"maxsorobantxsetsize={upgrade.newMaxSorobanTxSetSize}"
    return "<unsupported>"


def _config_key_text(key) -> str:
    """xdrToCerealString(key, "configupgradesetkey")."""
    return json.dumps({"configupgradesetkey": xdr_json.to_json(key, "ConfigUpgradeSetKey")},
                      ensure_ascii=False, indent=4)


def combine_upgrade_steps(step_lists) -> list:
    """The upgrade part of HerderSCPDriver::combineCandidates: merge the
    upgrades of every candidate value, one per type, taking the largest
    value (for a config upgrade the larger (contractID, contentHash)), and
    emit them in LedgerUpgradeType order. The blobs were validated when the
    candidates were; one that does not decode raises xdr.XdrError."""
    merged = {}
    for steps in step_lists:
        for blob in steps:
            u = ledger_upgrades.decode_upgrade(blob)
            cur = merged.get(u.type)
            if cur is None:
                merged[u.type] = u
            elif u.type == _LUT.LEDGER_UPGRADE_CONFIG:
                a, b = cur.newConfig, u.newConfig
                if (bytes(a.contractID), bytes(a.contentHash)) < (bytes(b.contractID), bytes(b.contentHash)):
                    merged[u.type] = u
            else:
                arm = u.xdr_arm()
                setattr(cur, arm, max(getattr(cur, arm), getattr(u, arm)))
    return [merged[t].to_xdr() for t in sorted(merged)]


# ------------------------------------------------------------------ Upgrades


class Upgrades:
    """stellar-core's Upgrades: the armed parameters and the rules of
    proposing, accepting and retiring upgrade steps."""

    def __init__(self, params: Optional[UpgradeParameters] = None):
        self._params = (params or UpgradeParameters()).copy()

    # -- parameters -----------------------------------------------------
    def get_parameters(self) -> UpgradeParameters:
        return self._params

    @property
    def params(self) -> UpgradeParameters:
        return self._params

    def set_parameters(self, params: UpgradeParameters, max_protocol_version: int) -> None:
        """setParameters: refuses a protocol version above the node's
        LEDGER_PROTOCOL_VERSION."""
        if params.protocol_version is not None and params.protocol_version > max_protocol_version:
            raise UpgradeParametersError(
                f"Protocol version error: supported is up to {max_protocol_version}, "
                f"passed is {params.protocol_version}")
        self._params = params.copy()

    def to_json(self) -> str:
        return self._params.to_json()

    def time_for_upgrade(self, close_time: int) -> bool:
        return self._params.upgrade_time <= close_time

    def to_string(self) -> str:
        """Upgrades::toString: "upgradetime=<ISO>, basefee=..." of the armed
        parameters, or "" when none is set (the herder's status line)."""
        p = self._params
        parts = []
        for name, v in (("protocolversion", p.protocol_version), ("basefee", p.base_fee),
                        ("basereserve", p.base_reserve), ("maxtxsetsize", p.max_tx_set_size),
                        ("maxsorobantxsetsize", p.max_soroban_tx_set_size), ("flags", p.flags)):
            if v is not None:
                parts.append(f", {name}={v}")
        if p.config_upgrade_set_key is not None:
            parts.append(", " + _config_key_text(p.config_upgrade_set_key))
        if not parts:
            return ""
        return f"upgradetime={format_iso_time(p.upgrade_time)}" + "".join(parts)

    __str__ = to_string

    # -- proposing --------------------------------------------------------
    def create_upgrades_for(self, lcl_header, store) -> list:
        """createUpgradesFor: once the LCL's close time reaches the upgrade
        time, the LedgerUpgrades (in type order) that move the LCL to the
        armed parameters. A config upgrade is proposed only when its set is
        on the ledger, valid, and would change something."""
        p = self._params
        out = []
        if not self.time_for_upgrade(lcl_header.scpValue.closeTime):
            return out
        if p.protocol_version is not None and lcl_header.ledgerVersion != p.protocol_version:
            out.append(xdr.LedgerUpgrade(newLedgerVersion=p.protocol_version))
        if p.base_fee is not None and lcl_header.baseFee != p.base_fee:
            out.append(xdr.LedgerUpgrade(newBaseFee=p.base_fee))
        if p.max_tx_set_size is not None and lcl_header.maxTxSetSize != p.max_tx_set_size:
            out.append(xdr.LedgerUpgrade(newMaxTxSetSize=p.max_tx_set_size))
        if p.base_reserve is not None and lcl_header.baseReserve != p.base_reserve:
            out.append(xdr.LedgerUpgrade(newBaseReserve=p.base_reserve))
        if p.flags is not None and header_flags(lcl_header) != p.flags:
            out.append(xdr.LedgerUpgrade(newFlags=p.flags))
        if (p.max_soroban_tx_set_size is not None and lcl_header.ledgerVersion >= _SOROBAN
                and ledger_upgrades.max_soroban_tx_set_size(store) != p.max_soroban_tx_set_size):
            out.append(xdr.LedgerUpgrade(newMaxSorobanTxSetSize=p.max_soroban_tx_set_size))
        if p.config_upgrade_set_key is not None:
            frame = ConfigUpgradeSetFrame.make_from_key(store, p.config_upgrade_set_key)
            if (frame is not None and frame.is_valid_for_apply() == UpgradeValidity.VALID
                    and frame.upgrade_needed(store)):
                out.append(xdr.LedgerUpgrade(newConfig=frame.key.copy()))
        return out

    def upgrade_steps_for(self, lcl_header, store) -> list:
        """The UpgradeType blobs triggerNextLedger nominates: each upgrade's
        XDR, dropped (stellar-core logs an internal bug) when it is not
        shorter than UpgradeType's 128-byte limit."""
        steps = []
        for u in self.create_upgrades_for(lcl_header, store):
            blob = u.to_xdr()
            if len(blob) < UPGRADE_TYPE_MAX_SIZE:
                steps.append(blob)
        return steps

    # -- accepting --------------------------------------------------------
    def is_valid_for_nomination(self, upgrade, store) -> bool:
        """isValidForNomination: after the upgrade time (the LCL's close
        time), a step equal to what this node is armed with (a config
        upgrade: the same key, and both sets readable from the ledger)."""
        p = self._params
        if not self.time_for_upgrade(nc.store_header(store).scpValue.closeTime):
            return False
        t = upgrade.type
        if t == _LUT.LEDGER_UPGRADE_CONFIG:
            if p.config_upgrade_set_key is None:
                return False
            mine = ConfigUpgradeSetFrame.make_from_key(store, p.config_upgrade_set_key)
            theirs = ConfigUpgradeSetFrame.make_from_key(store, upgrade.newConfig)
            return theirs is not None and theirs.is_consistent_with(mine)
        wanted = {
            _LUT.LEDGER_UPGRADE_VERSION: p.protocol_version,
            _LUT.LEDGER_UPGRADE_BASE_FEE: p.base_fee,
            _LUT.LEDGER_UPGRADE_MAX_TX_SET_SIZE: p.max_tx_set_size,
            _LUT.LEDGER_UPGRADE_BASE_RESERVE: p.base_reserve,
            _LUT.LEDGER_UPGRADE_FLAGS: p.flags,
            _LUT.LEDGER_UPGRADE_MAX_SOROBAN_TX_SET_SIZE: p.max_soroban_tx_set_size,
        }.get(t)
        return wanted is not None and getattr(upgrade, upgrade.xdr_arm()) == wanted

    def is_valid(self, blob, store, nomination: bool, max_protocol_version: int):
        """isValid: the step's LedgerUpgradeType when it is valid to apply
        to `store` (the LCL) and, when `nomination`, one this node wants;
        else None."""
        validity, upgrade = is_valid_for_apply(blob, store, max_protocol_version)
        if validity != UpgradeValidity.VALID:
            return None
        if nomination and not self.is_valid_for_nomination(upgrade, store):
            return None
        return upgrade.type

    def validate_steps(self, blobs, store, nomination: bool, max_protocol_version: int) -> bool:
        """The upgrade check of HerderSCPDriver::validateValue: every step
        valid, types strictly increasing (so each type at most once)."""
        last = None
        for blob in blobs:
            t = self.is_valid(blob, store, nomination, max_protocol_version)
            if t is None or (last is not None and last >= t):
                return False
            last = t
        return True

    def strip_invalid_steps(self, blobs, store, max_protocol_version: int) -> list:
        """HerderSCPDriver::extractValidValue: keep the steps this node
        would nominate, in their order."""
        return [b for b in blobs if self.is_valid(b, store, True, max_protocol_version) is not None]

    # -- retiring ---------------------------------------------------------
    def remove_upgrades(self, blobs, close_time: int):
        """removeUpgrades after a value externalizes -> (new parameters,
        updated). Once the close time is 12 hours past the upgrade time
        every parameter is dropped; otherwise each parameter equal to a step
        of the value is. Steps that do not decode are skipped."""
        res = self._params.copy()
        updated = False
        fields = ("protocol_version", "base_fee", "max_tx_set_size", "max_soroban_tx_set_size",
                  "base_reserve", "flags", "config_upgrade_set_key")
        if res.upgrade_time + UPGRADE_EXPIRATION_SECONDS <= close_time:
            for f in fields:
                if getattr(res, f) is not None:
                    setattr(res, f, None)
                    updated = True
            return res, updated
        by_type = {
            _LUT.LEDGER_UPGRADE_VERSION: "protocol_version",
            _LUT.LEDGER_UPGRADE_BASE_FEE: "base_fee",
            _LUT.LEDGER_UPGRADE_MAX_TX_SET_SIZE: "max_tx_set_size",
            _LUT.LEDGER_UPGRADE_BASE_RESERVE: "base_reserve",
            _LUT.LEDGER_UPGRADE_FLAGS: "flags",
            _LUT.LEDGER_UPGRADE_CONFIG: "config_upgrade_set_key",
            _LUT.LEDGER_UPGRADE_MAX_SOROBAN_TX_SET_SIZE: "max_soroban_tx_set_size",
        }
        for blob in blobs:
            try:
                u = ledger_upgrades.decode_upgrade(blob)
            except xdr.XdrError:
                continue
            f = by_type[u.type]
            mine = getattr(res, f)
            if mine is not None and mine == getattr(u, u.xdr_arm()):
                setattr(res, f, None)
                updated = True
        return res, updated


# ------------------------------------------------------------------ HTTP command


def _uint32_param(args, name):
    """parseOptionalParam<uint32>: read as `std::stringstream >> uint32`
    (leading whitespace, an optional sign - a minus wraps modulo 2**32 -
    decimal digits) and every character must be used."""
    if name not in args:
        return None
    text = args[name]
    m = re.fullmatch(r"[ \t\n\v\f\r]*([+-]?)(\d+)", text)
    if m is None or int(m.group(2)) > _UINT32_MAX:
        raise UpgradeParametersError(f"Failed to parse '{name}' argument")
    v = int(m.group(2))
    return (-v) & _UINT32_MAX if m.group(1) == "-" else v


def _ensure_protocol(args, name, lcl_version: int, min_version: int) -> None:
    if name in args and lcl_version < min_version:
        raise UpgradeParametersError(f"{name} cannot be used before protocol v{min_version}")


def upgrades_command(args, *, upgrades: Upgrades, store, max_protocol_version: int,
                     set_upgrades=None) -> str:
    """CommandHandler::upgrades: `args` are the query arguments (name ->
    value, as stellar-core's parser gives them); `store` is the LCL (its
    header's version gates the Soroban arguments); `set_upgrades(params)`
    is the herder's setUpgrades (default: `upgrades.set_parameters`).
    Returns the response text ("" after set/clear); raises
    UpgradeParametersError where stellar-core throws (answered as
    {"exception": ...})."""
    if set_upgrades is None:
        def set_upgrades(p):
            upgrades.set_parameters(p, max_protocol_version)
    mode = args.get("mode", "")
    if not mode:
        return "mode required"
    if mode == "get":
        return upgrades.get_parameters().to_debug_json(store)
    if mode == "clear":
        set_upgrades(UpgradeParameters())
        return ""
    if mode != "set":
        return f"Unknown mode: {mode}"
    lcl_version = nc.store_header(store).ledgerVersion
    p = UpgradeParameters()
    when = args.get("upgradetime", "")
    try:
        p.upgrade_time = parse_iso_time(when)
    except UpgradeParametersError:
        return f"could not parse upgradetime: '{when}'"
    p.base_fee = _uint32_param(args, "basefee")
    p.base_reserve = _uint32_param(args, "basereserve")
    p.max_tx_set_size = _uint32_param(args, "maxtxsetsize")
    p.protocol_version = _uint32_param(args, "protocolversion")
    p.flags = _uint32_param(args, "flags")
    if "configupgradesetkey" in args:
        _ensure_protocol(args, "configupgradesetkey", lcl_version, _SOROBAN)
        try:
            key = xdr.ConfigUpgradeSetKey.from_xdr(decode_b64_lenient(args["configupgradesetkey"]))
        except xdr.XdrError as e:
            raise UpgradeParametersError(f"configupgradesetkey: {e}") from None
        frame = ConfigUpgradeSetFrame.make_from_key(store, key)
        if frame is None or frame.is_valid_for_apply() != UpgradeValidity.VALID:
            return "Error setting configUpgradeSet"
        p.config_upgrade_set_key = key
    _ensure_protocol(args, "maxsorobantxsetsize", lcl_version, _SOROBAN)
    p.max_soroban_tx_set_size = _uint32_param(args, "maxsorobantxsetsize")
    set_upgrades(p)
    return ""
