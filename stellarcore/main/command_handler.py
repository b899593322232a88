"""The admin HTTP commands, as stellar-core v25's CommandHandler and QueryServer.

`CommandHandler(app).handle(target, body="")` answers one request (the
raw request target, e.g. "/info?compact=false") with (status, content
type, text), exactly the routes, parameters, texts and JSON shapes of
src/main/CommandHandler.cpp and docs/software/commands.md:

  info[?compact=false]   the node's state (Application::getJsonInfo)
  tx?blob=B64            submit a TransactionEnvelope -> {"status": ...,
                         "error": B64 TransactionResult when ERROR}
  manualclose[?ledgerSeq=N&closeTime=T]  (parameters only with RUN_STANDALONE)
  upgrades?mode=get|set|clear[...]       the upgrades this validator votes for
  ll[?level=L&partition=P]               log levels
  metrics[?enable=a,b], clearmetrics[?domain=D], logrotate, maintenance
  peers, quorum, scp, bans, connect, droppeer, unban  (not with RUN_STANDALONE)
  sorobaninfo, dumpproposedsettings, self-check
  getledgerentry / getledgerentryraw     (QueryServer; on HTTP_QUERY_PORT
                         when set, and here too: POST or GET, key=B64 LedgerKey)

Every route runs inside stellar-core's safeRouter: an exception becomes
{"exception": "<message>"} with status 200, never a crash.  JSON is
written as jsoncpp writes it (StyledWriter for toStyledString, FastWriter
for /tx and the queries) so scripts that read stellar-core's output read
ours.

The handler codes against the Application interface of the issue notes
(app.config, app.ledger_manager, app.herder, app.overlay, ...); optional
capabilities are looked up with getattr and documented where used.
"""
from __future__ import annotations

import base64
import binascii
import datetime
import json
import logging
import re
import time

from stellarcore import xdr
from stellarcore.main.http_server import parse_params, parse_post_params, split_target
from stellarcore.version import STELLAR_CORE_COMPAT, __version__

log = logging.getLogger("stellarcore.http")

WELCOME_HTML = ("<b>Welcome to stellar-core!</b><p>Supported HTTP commands are listed in the "
                "<a href=\"https://github.com/stellar/stellar-core/blob/master/docs/software/"
                "commands.md#http-commands\">docs</a> as well as in the man pages.</p>"
                "<p>Have fun!</p>")
QUERY_WELCOME_HTML = ("<b>Welcome to stellar-core!</b><p>Supported HTTP queries are listed in "
                      "the <a href=\"https://github.com/stellar/stellar-core/blob/master/docs/"
                      "software/commands.md#http-commands\">docs</a> as well as in the man "
                      "pages.</p><p>Note that this port is for HTTP queries only, not commands."
                      "</p><p>Have fun!</p>")

TX_STATUSES = ("PENDING", "DUPLICATE", "ERROR", "TRY_AGAIN_LATER", "FILTERED")
LOG_PARTITIONS = ("Fs", "SCP", "Bucket", "Database", "History", "Process", "Ledger", "Overlay",
                  "Herder", "Tx", "LoadGen", "Work", "Invariant", "Perf", "Test")
BUILD = f"stellarcore {__version__} (stellar-core {STELLAR_CORE_COMPAT} compatible)"
SOROBAN_PROTOCOL_VERSION = 20


class RouteError(Exception):
    """An error a route reports as {"exception": message}."""


# --- jsoncpp's writers ------------------------------------------------------

def styled(value) -> str:
    """Json::Value::toStyledString (StyledWriter): 3-space indent,
    `"key" : value`, members in key order, arrays of short scalars on one
    line (`[ a, b ]`) when under 74 columns, a final newline."""
    w = _StyledWriter()
    w.write_value(value)
    return w.doc + "\n"


def fast(value) -> str:
    """Json::FastWriter: no spaces, members in key order, a final newline."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False,
                      default=_json_default) + "\n"


def _json_default(v):
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    raise TypeError(f"not JSON serializable: {type(v).__name__}")


def _scalar(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return "null"
        s = repr(v)
        return s if any(c in s for c in ".e") else s + ".0"
    if isinstance(v, (bytes, bytearray)):
        v = v.hex()
    return json.dumps(str(v), ensure_ascii=False)


class _StyledWriter:
    RIGHT_MARGIN = 74

    def __init__(self):
        self.doc = ""
        self.indent = ""

    def write_value(self, v):
        if isinstance(v, dict):
            if not v:
                self.doc += "{}"
                return
            self._with_indent("{")
            self.indent += "   "
            keys = sorted(v, key=lambda k: str(k).encode())
            for i, k in enumerate(keys):
                self._with_indent(json.dumps(str(k), ensure_ascii=False))
                self.doc += " : "
                self.write_value(v[k])
                if i + 1 < len(keys):
                    self.doc += ","
            self.indent = self.indent[:-3]
            self._with_indent("}")
        elif isinstance(v, (list, tuple)):
            self._write_array(list(v))
        else:
            self.doc += _scalar(v)

    def _write_array(self, arr):
        if not arr:
            self.doc += "[]"
            return
        children = self._single_line_children(arr)
        if children is None:
            self._with_indent("[")
            self.indent += "   "
            for i, child in enumerate(arr):
                self._write_indent()
                self.write_value(child)
                if i + 1 < len(arr):
                    self.doc += ","
            self.indent = self.indent[:-3]
            self._with_indent("]")
        elif sum(map(len, children)) + 4 + (len(arr) - 1) * 2 >= self.RIGHT_MARGIN:
            self._with_indent("[")
            self.indent += "   "
            for i, s in enumerate(children):
                self._with_indent(s)
                if i + 1 < len(arr):
                    self.doc += ","
            self.indent = self.indent[:-3]
            self._with_indent("]")
        else:
            self.doc += "[ " + ", ".join(children) + " ]"

    def _single_line_children(self, arr):
        """The children's texts when none is a non-empty container, else None."""
        if len(arr) * 3 >= self.RIGHT_MARGIN:
            return None
        out = []
        for c in arr:
            if isinstance(c, (dict, list, tuple)):
                if c:
                    return None
                out.append("{}" if isinstance(c, dict) else "[]")
            else:
                out.append(_scalar(c))
        return out

    def _write_indent(self):
        if self.doc:
            if self.doc[-1] == " ":
                return
            if self.doc[-1] != "\n":
                self.doc += "\n"
        self.doc += self.indent

    def _with_indent(self, s):
        self._write_indent()
        self.doc += s


# --- parameters -------------------------------------------------------------

_UINT = re.compile(r"\s*\+?[0-9]+")


def parse_uint(params: dict, key: str, bits: int = 32):
    """parseOptionalParam<uintN>: None when absent; the whole text must be
    the number (`istream >> val` with nothing left)."""
    if key not in params:
        return None
    text = params[key]
    if not _UINT.fullmatch(text) or int(text) >= 1 << bits:
        raise RouteError(f"Failed to parse '{key}' argument")
    return int(text)


def decode_b64(text: str) -> bytes:
    """decoder::decode_b64 (lib/util/basen.h): characters outside the
    alphabet (spaces, '=' padding) are skipped, trailing bits dropped."""
    s = "".join(c for c in text if c.isascii() and (c.isalnum() or c in "+/"))
    if len(s) % 4 == 1:
        s = s[:-1]
    try:
        return base64.b64decode(s + "=" * (-len(s) % 4))
    except (binascii.Error, ValueError) as e:
        raise RouteError(f"bad base64: {e}") from None


def from_b64_xdr(cls, text: str):
    try:
        return cls.from_xdr(decode_b64(text))
    except xdr.XdrError as e:
        raise RouteError(f"bad {cls.__name__} XDR: {e}") from None


def to_b64(v) -> str:
    return base64.b64encode(v if isinstance(v, (bytes, bytearray)) else v.to_xdr()).decode()


# --- the command server -----------------------------------------------------

class CommandHandler:
    """Routes of the admin port; `handle(target, body)` -> (status, type, text)."""

    def __init__(self, app):
        self.app = app
        cfg = app.config
        routes = {}
        if getattr(cfg, "MODE_STORES_HISTORY_MISC", True):
            routes["maintenance"] = self.maintenance
        if not cfg.RUN_STANDALONE:
            routes.update(bans=self.bans, connect=self.connect, droppeer=self.drop_peer,
                          peers=self.peers, quorum=self.quorum, scp=self.scp_info,
                          stopsurvey=self.stop_survey, getsurveyresult=self.get_survey_result,
                          startsurveycollecting=self.start_survey_collecting,
                          stopsurveycollecting=self.stop_survey_collecting,
                          surveytopologytimesliced=self.survey_topology_time_sliced,
                          unban=self.unban)
        routes.update({
            "clearmetrics": self.clear_metrics, "info": self.info, "ll": self.ll,
            "logrotate": self.log_rotate, "manualclose": self.manual_close,
            "metrics": self.metrics, "tx": self.tx, "upgrades": self.upgrades,
            "dumpproposedsettings": self.dump_proposed_settings,
            "self-check": self.self_check, "sorobaninfo": self.soroban_info,
        })
        self.routes = routes
        self.query = QueryHandler(app)

    # the HTTP server's request handler (server::handle_request)
    def handle(self, target: str, body: str = ""):
        split = split_target(target)
        if split is None:
            return 400, "text/html", ""
        command, params = split
        route = self.routes.get(command)
        if route is None:
            if command in self.query.routes:
                return self.query.handle(target, body)
            return 404, "text/html", WELCOME_HTML
        return 200, "application/json", self.safe_route(route, params)

    def safe_route(self, route, params: str) -> str:
        try:
            return route(parse_params(params)) or ""
        except (RouteError, ValueError, KeyError, LookupError, TypeError, xdr.XdrError,
                ArithmeticError, RuntimeError, OSError) as e:
            msg = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
            return '{"exception": ' + json.dumps(str(msg)) + "}"
        except Exception:   # noqa: BLE001 - stellar-core answers "generic"
            log.exception("HTTP command failed")
            return '{"exception": "generic"}'

    def manual_cmd(self, cmd: str) -> str:
        """CommandHandler::manualCmd: run a command (the COMMANDS config list)."""
        status, _ctype, text = self.handle(cmd if cmd.startswith("/") else "/" + cmd)
        log.info("%s -> %s", cmd, text)
        return text

    # --- general ------------------------------------------------------------

    def info(self, p):
        return styled(json_info(self.app, p.get("compact") == "false"))

    def tx(self, p):
        blob = p.get("blob", "")
        if not blob:
            raise RouteError("Must specify a tx blob: tx?blob=<tx in xdr format>")
        env = from_b64_xdr(xdr.TransactionEnvelope, blob)
        if _lcl_header(self.app).ledgerVersion >= 13:
            env = convert_for_v13(env)
        res = self.app.herder.recv_transaction(env)
        status, result = res[0], res[1]
        diagnostics = res[2] if len(res) > 2 else None
        root = {"status": status}
        if status == "ERROR":
            if result is None:
                raise RouteError("transaction rejected without a result")
            root["error"] = to_b64(result)
            if (diagnostics and self.app.config.ENABLE_DIAGNOSTICS_FOR_TX_SUBMISSION
                    and env.type != xdr.EnvelopeType.ENVELOPE_TYPE_TX_V0 and _is_soroban(env)):
                root["diagnostic_events"] = to_b64(
                    b"".join([len(diagnostics).to_bytes(4, "big")] + [d.to_xdr() for d in diagnostics]))
        return fast(root)

    def manual_close(self, p):
        if p and not self.app.config.RUN_STANDALONE:
            raise RouteError("The 'manualclose' command accepts parameters only if the "
                             "configuration includes RUN_STANDALONE=true.")
        ledger_seq = parse_uint(p, "ledgerSeq", 32)
        close_time = parse_uint(p, "closeTime", 64)
        if not self.app.config.NODE_IS_VALIDATOR:
            raise RouteError("Issuing a manual ledger close requires NODE_IS_VALIDATOR to be "
                             "set to true.")
        target = getattr(self.app, "manual_close", None) or self.app.herder.manual_close
        return target(close_time=close_time, ledger_seq=ledger_seq)

    def ll(self, p):
        level_name, partition = p.get("level", ""), p.get("partition", "")
        root = {}
        if not level_name:
            for part in LOG_PARTITIONS:
                root[part] = _level_name(_logger(part).getEffectiveLevel())
            return styled(root)
        level = _parse_level(level_name)
        if partition:
            part = next((x for x in LOG_PARTITIONS if x.lower() == partition.lower()), None)
            if part is None:
                raise RouteError("not a valid partition")
            _logger(part).setLevel(level)
            root[part] = _level_name(level)
        else:
            logging.getLogger("stellarcore").setLevel(level)
            for part in LOG_PARTITIONS:
                _logger(part).setLevel(logging.NOTSET)
            root["Global"] = _level_name(level)
        return styled(root)

    def metrics(self, p):
        enable = {m for m in p.get("enable", "").split(",") if m}
        registry = getattr(self.app, "metrics", None)
        sync = getattr(self.app, "sync_all_metrics", None)
        if sync:
            sync()
        all_metrics = registry.to_json() if registry is not None else {}
        if enable:
            all_metrics = {name: m for name, m in all_metrics.items()
                           if name in enable or name.split(".", 1)[0] in enable}
        return styled({"metrics": all_metrics})

    def clear_metrics(self, p):
        domain = p.get("domain", "")
        clear = getattr(self.app, "clear_metrics", None)
        if clear:
            clear(domain)
        return f"Cleared {domain} metrics!"

    def log_rotate(self, p):
        rotate = getattr(self.app, "log_rotate", None)
        if rotate:
            rotate()
        return "Log rotate..."

    def maintenance(self, p):
        if p.get("queue") == "true":
            count = parse_uint(p, "count", 32)
            run = getattr(self.app, "perform_maintenance", None)
            if run:
                run(50000 if count is None else count)
            return "Done"
        return "No work performed"

    def self_check(self, p):
        run = getattr(self.app, "schedule_self_check", None)
        if run:
            run(True)
        return ""

    def upgrades(self, p):
        mode = p.get("mode", "")
        herder = self.app.herder
        if not mode:
            return "mode required"
        if mode == "get":
            getter = getattr(herder, "get_upgrades_json", None)
            if getter is not None:
                return getter()
            return herder.upgrades.get_parameters().to_debug_json(_ledger_store(self.app))
        if mode == "clear":
            _set_upgrades(self.app, {})
            return ""
        if mode != "set":
            return f"Unknown mode: {mode}"
        upgrade_time = p.get("upgradetime", "")
        try:
            when = datetime.datetime.strptime(upgrade_time, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.timezone.utc)
        except ValueError:
            return f"could not parse upgradetime: '{upgrade_time}'"
        params = {"upgrade_time": int(when.timestamp())}
        for key, name in (("basefee", "base_fee"), ("basereserve", "base_reserve"),
                          ("maxtxsetsize", "max_tx_set_size"),
                          ("protocolversion", "protocol_version"), ("flags", "flags")):
            params[name] = parse_uint(p, key, 32)
        if "configupgradesetkey" in p:
            self._ensure_protocol("configupgradesetkey", SOROBAN_PROTOCOL_VERSION)
            key = from_b64_xdr(xdr.ConfigUpgradeSetKey, p["configupgradesetkey"])
            if _valid_config_upgrade_set(self.app, key) is None:
                return "Error setting configUpgradeSet"
            params["config_upgrade_set_key"] = key
        if "maxsorobantxsetsize" in p:
            self._ensure_protocol("maxsorobantxsetsize", SOROBAN_PROTOCOL_VERSION)
        params["max_soroban_tx_set_size"] = parse_uint(p, "maxsorobantxsetsize", 32)
        _set_upgrades(self.app, params)
        return ""

    def dump_proposed_settings(self, p):
        blob = p.get("blob", "")
        if not blob:
            raise RouteError("Must specify a ConfigUpgradeSetKey blob: dumpproposedsettings?"
                             "blob=<ConfigUpgradeSetKey in xdr format>")
        self._ensure_protocol("dumpproposedsettings", SOROBAN_PROTOCOL_VERSION)
        key = from_b64_xdr(xdr.ConfigUpgradeSetKey, blob)
        frame = _valid_config_upgrade_set(self.app, key)
        if frame is None:
            return "configUpgradeSet is missing or invalid"
        from stellarcore.util import xdr_json
        # xdrToCerealString(updatedEntry, "ConfigSettingsEntries")
        return json.dumps({"ConfigSettingsEntries": [
            xdr_json.to_json(e, "ConfigSettingEntry") for e in frame.upgrade_set.updatedEntry]},
            ensure_ascii=False, indent=4)

    def soroban_info(self, p):
        info = getattr(self.app.ledger_manager, "soroban_info", None)
        if info is None or _lcl_header(self.app).ledgerVersion < SOROBAN_PROTOCOL_VERSION:
            return "Soroban is not active in current ledger version"
        if set(p) - {"format"}:
            return "Invalid param"
        fmt = p.get("format", "basic")
        if fmt not in ("basic", "detailed", "upgrade_xdr"):
            return "Invalid format option"
        out = info(fmt)
        return styled(out) if isinstance(out, dict) else out

    # --- network (not with RUN_STANDALONE) ----------------------------------

    def peers(self, p):
        full_keys = p.get("fullkeys") == "true"
        compact = p.get("compact") != "false"
        ov = getattr(self.app, "overlay", None)
        root = {"pending_peers": {}, "authenticated_peers": {}}
        for direction in ("outbound", "inbound"):
            lst = getattr(ov, direction, None) if ov is not None else None
            pending = [str(x) for x in getattr(lst, "pending", [])]
            auth = []
            for node_id, peer in getattr(lst, "authenticated", {}).items():
                j = dict(_call(peer, "json_info", compact))
                j["id"] = self.app.config.to_str_key(_node_bytes(node_id), full_keys)
                auth.append(j)
            # jsoncpp: an untouched element is null, not []
            root["pending_peers"][direction] = pending or None
            root["authenticated_peers"][direction] = auth or None
        return styled(root)

    def quorum(self, p):
        cfg = self.app.config
        node_text = p.get("node", "")
        if not node_text:
            node = cfg.node_id
        else:
            node = resolve_node_id(self.app, node_text)
            if node is None:
                raise RouteError("unknown name")
        summary, full_keys = p.get("compact") == "true", p.get("fullkeys") == "true"
        herder = self.app.herder
        if p.get("transitive") == "true":
            return styled(herder.get_json_transitive_quorum_info(node, summary, full_keys))
        return styled(json_quorum_info(self.app, node, summary, full_keys, 0))

    def scp_info(self, p):
        limit = parse_uint(p, "limit", 64)
        limit = 2 if limit is None else limit
        full_keys = p.get("fullkeys") == "true"
        herder = self.app.herder
        getter = getattr(herder, "get_json_info", None)
        if getter is not None:
            return styled(getter(limit, full_keys))
        cfg = self.app.config
        return styled({"you": cfg.to_str_key(cfg.node_id, full_keys),
                       "scp": herder.scp.get_json_info(limit, full_keys), "queue": None})

    def bans(self, p):
        bm = self._ban_manager()
        bans = list(bm.get_banned()) if bm is not None else []
        return styled({"bans": bans or None})

    def connect(self, p):
        if "peer" in p and "port" in p:
            address = f"{p['peer']}:{p['port']}"
            from stellarcore.overlay.address import PeerBareAddress
            self.app.overlay.connect_to(PeerBareAddress.parse(address))
            return f"Connect to: {address}"
        return "Must specify a peer and port: connect&peer=PEER&port=PORT"

    def drop_peer(self, p):
        node_text = p.get("node")
        if node_text is None:
            return "Must specify at least peer id: droppeer?node=NODE_ID"
        node = resolve_node_id(self.app, node_text)
        peer = self.app.overlay.get_authenticated_peers().get(node) if node else None
        if peer is None:
            return f"Peer {node_text} not found"
        _drop(peer)
        if p.get("ban") == "1":
            self._ban_manager().ban_node(node)
            return f"Drop and ban peer: {node_text}"
        return f"Drop peer: {node_text}"

    def unban(self, p):
        node_text = p.get("node")
        if node_text is None:
            return "Must specify at least peer id: unban?node=NODE_ID"
        node = resolve_node_id(self.app, node_text)
        if node is None:
            return f"Peer {node_text} not found"
        self._ban_manager().unban_node(node)
        return f"Unban peer: {node_text}"

    def stop_survey(self, p):
        self._survey().stop_survey_reporting()
        return "survey stopped"

    def get_survey_result(self, p):
        return styled(self._survey().get_json_results())

    def start_survey_collecting(self, p):
        self._check_booted()
        nonce = parse_uint(p, "nonce", 32)
        if nonce is None:
            raise RouteError("'nonce' argument is required!")
        if self._survey().broadcast_start_survey_collecting(nonce):
            return "Requested network to start survey collecting."
        return ("Failed to start survey collecting. Another survey is active on the network.")

    def stop_survey_collecting(self, p):
        self._check_booted()
        if self._survey().broadcast_stop_survey_collecting():
            return "Requested network to stop survey collecting."
        return "Failed to stop survey collecting. No survey is active on the network."

    def survey_topology_time_sliced(self, p):
        self._check_booted()
        for key in ("node", "inboundpeerindex", "outboundpeerindex"):
            if key not in p:
                raise RouteError(f"'{key}' argument is required!")
        from stellarcore.crypto import strkey
        node = strkey.decode("G", p["node"])
        inbound = parse_uint(p, "inboundpeerindex", 32)
        outbound = parse_uint(p, "outboundpeerindex", 32)
        survey = self._survey()
        started = survey.start_survey_reporting()
        survey.add_node_to_running_survey_backlog(node, inbound, outbound)
        return "Adding node." + ("Survey started " if started else "Survey already running!")

    # --- helpers --------------------------------------------------------------

    def _ensure_protocol(self, what: str, min_version: int) -> None:
        if _lcl_header(self.app).ledgerVersion < min_version:
            raise RouteError(f"{what} cannot be used before protocol v{min_version}")

    def _check_booted(self):
        state = _app_state(self.app)
        if state == "Booting" or _herder_state(self.app) == "HERDER_BOOTING_STATE":
            raise RouteError("Application is not fully booted, try again later")

    def _survey(self):
        ov = getattr(self.app, "overlay", None)
        survey = getattr(ov, "survey", None) if ov is not None else None
        if survey is None:
            raise RouteError("no overlay survey manager")
        return survey

    def _ban_manager(self):
        ov = getattr(self.app, "overlay", None)
        return getattr(ov, "ban_manager", None) if ov is not None else None


# --- the query server -------------------------------------------------------

class QueryHandler:
    """QueryServer's routes: getledgerentryraw and getledgerentry.  The keys
    come from the POST body (or the query string), `key=B64&key=B64...`.

    The ledger state comes from `app.query_snapshots(ledger_seq)`:
    (ledger_seq, live, hot_archive) of BucketListDB snapshots with
    load_keys(list of LedgerKey XDR) -> {key XDR: LedgerEntry XDR}, or None
    when that ledger's snapshot is not kept (ledger_seq None = the last
    closed ledger)."""

    def __init__(self, app):
        self.app = app
        self.routes = {"getledgerentryraw": self.get_ledger_entry_raw,
                       "getledgerentry": self.get_ledger_entry}

    def handle(self, target: str, body: str = ""):
        split = split_target(target)
        if split is None:
            return 400, "text/html", ""
        command, params = split
        route = self.routes.get(command)
        if route is None:
            return 404, "text/html", QUERY_WELCOME_HTML
        from stellarcore.main.http_server import url_decode
        decoded = url_decode(body) if body else ""
        if decoded is None:
            return 400, "text/html", ""
        # a GET carries the same pairs in its query string
        text = decoded if decoded else params
        try:
            ok, out = route(parse_post_params(text))
        except (RouteError, ValueError, LookupError, xdr.XdrError) as e:
            ok, out = False, f"exception: {e}"
        except Exception as e:   # noqa: BLE001
            log.exception("HTTP query failed")
            ok, out = False, f"exception: {e}"
        return (200, "application/json", out) if ok else (404, "text/html", out)

    def _snapshots(self, ledger_seq):
        return self.app.query_snapshots(ledger_seq)

    def get_ledger_entry_raw(self, p):
        keys = p.get("key", [])
        ledger_seq = _query_uint(p, "ledgerSeq")
        if not keys:
            raise RouteError("Must specify ledger key in POST body: key=<LedgerKey in base64 "
                             "XDR format>")
        lks = _key_order({decode_ledger_key(k) for k in keys})
        snap = self._snapshots(ledger_seq)
        if snap is None:
            return False, "Ledger not found\n"
        seq, live, _hot = snap
        found = live.load_keys(lks)
        root = {"ledgerSeq": seq}
        entries = [{"entry": to_b64(found[k])} for k in lks if k in found]
        if entries:
            root["entries"] = entries
        return True, fast(root)

    def get_ledger_entry(self, p):
        keys = p.get("key", [])
        ledger_seq = _query_uint(p, "ledgerSeq")
        if not keys:
            return False, "Must specify key in POST body: key=<LedgerKey in base64 XDR format>\n"
        ordered, seen = [], set()
        for k in keys:
            lk = decode_ledger_key(k)
            if lk[:4] == _TTL_TYPE:
                return False, "TTL keys are not allowed\n"
            if lk in seen:
                return False, "Duplicate keys\n"
            seen.add(lk)
            ordered.append(lk)
        snap = self._snapshots(ledger_seq)
        if snap is None:
            return False, "Ledger not found\n"
        seq, live, hot = snap
        live_found = live.load_keys(_key_order(seen))
        missing = [k for k in _key_order(seen) if k not in live_found and _is_soroban_key(k)]
        archived = hot.load_keys(missing) if missing and hot is not None else {}
        soroban_live = [k for k in live_found if _is_soroban_key(k)]
        ttls = live.load_keys(_key_order({_ttl_key(k) for k in soroban_live})) if soroban_live else {}
        out = []
        for k in ordered:
            if k in live_found:
                entry = live_found[k]
                if _is_soroban_key(k):
                    ttl = ttls.get(_ttl_key(k))
                    if ttl is None:
                        raise RouteError("live Soroban entry without a TTL entry")
                    live_until = xdr.LedgerEntry.from_xdr(ttl).data.ttl.liveUntilLedgerSeq
                    if live_until >= seq:
                        out.append({"entry": to_b64(entry), "state": "live",
                                    "liveUntilLedgerSeq": live_until})
                    elif _is_persistent(k):
                        out.append({"entry": to_b64(entry), "state": "archived",
                                    "liveUntilLedgerSeq": 0})
                    else:
                        out.append({"state": "not-found"})
                else:
                    out.append({"entry": to_b64(entry), "state": "live"})
            elif k in archived:
                out.append({"entry": to_b64(archived[k]), "state": "archived",
                            "liveUntilLedgerSeq": 0})
            else:
                out.append({"state": "not-found"})
        return True, fast({"entries": out, "ledgerSeq": seq})


_TTL_TYPE = int(xdr.LedgerEntryType.TTL).to_bytes(4, "big")
_SOROBAN_TYPES = {int(t).to_bytes(4, "big") for t in (xdr.LedgerEntryType.CONTRACT_DATA,
                                                      xdr.LedgerEntryType.CONTRACT_CODE)}


def decode_ledger_key(text: str) -> bytes:
    """A base64 LedgerKey, checked, as its canonical XDR bytes."""
    return from_b64_xdr(xdr.LedgerKey, text).to_xdr()


def _key_order(keys) -> list:
    """LedgerKeySet order (xdrpp's operator< on LedgerKey)."""
    return sorted(keys, key=xdr.LedgerKey.from_xdr)


def _is_soroban_key(k: bytes) -> bool:
    return k[:4] in _SOROBAN_TYPES


def _is_persistent(k: bytes) -> bool:
    key = xdr.LedgerKey.from_xdr(k)
    if key.type == xdr.LedgerEntryType.CONTRACT_CODE:
        return True
    return key.contractData.durability == xdr.ContractDataDurability.PERSISTENT


def _ttl_key(k: bytes) -> bytes:
    import hashlib
    return xdr.LedgerKey(ttl=xdr.LedgerKeyTtl(keyHash=hashlib.sha256(k).digest())).to_xdr()


def _query_uint(p: dict, key: str):
    if key not in p:
        return None
    if len(p[key]) != 1:
        raise RouteError(f"Expected exactly one '{key}' argument")
    return parse_uint({key: p[key][0]}, key, 32)


# --- the node's JSON ----------------------------------------------------------

def json_info(app, verbose: bool = False) -> dict:
    """Application::getJsonInfo: {"info": {...}} (`app.json_info(verbose)`
    when the application provides its own)."""
    own = getattr(app, "json_info", None)
    if own is not None:
        return own(verbose)
    cfg = app.config
    lm = app.ledger_manager
    lcl = lm.last_closed
    h = lcl.header
    info = {"build": BUILD, "protocol_version": cfg.LEDGER_PROTOCOL_VERSION,
            "state": _app_state(app)}
    started = getattr(app, "started_on", None)
    if started is not None:
        info["startedOn"] = iso_time(started)
    ledger = {"num": h.ledgerSeq, "hash": bytes(lcl.hash).hex(),
              "closeTime": h.scpValue.closeTime, "version": h.ledgerVersion,
              "baseFee": h.baseFee, "baseReserve": h.baseReserve,
              "maxTxSetSize": h.maxTxSetSize}
    max_soroban = getattr(lm, "max_soroban_tx_set_size", None)
    if callable(max_soroban):
        n = max_soroban()
        if n is not None:
            ledger["maxSorobanTxSetSize"] = n
    flags = header_flags(h)
    if flags:
        ledger["flags"] = flags
    since = getattr(lm, "seconds_since_last_ledger_close", None)
    ledger["age"] = int(since()) if callable(since) else seconds_since_close(h.scpValue.closeTime)
    if verbose:
        has = getattr(lm, "last_closed_has", None)
        if callable(has):
            ledger["bucketlist"] = [{"curr": lvl["curr"], "snap": lvl["snap"]}
                                    for lvl in has()["currentBuckets"]]
    info["ledger"] = ledger
    ov = getattr(app, "overlay", None)
    info["peers"] = {"pending_count": _count_pending(ov),
                     "authenticated_count": (_call(ov, "authenticated_count") or 0) if ov else 0}
    info["network"] = cfg.NETWORK_PASSPHRASE
    status = list(getattr(app, "status_messages", None) or [])
    if status:
        info["status"] = status
    seq = h.ledgerSeq
    tracking = getattr(app.herder, "tracking_consensus_ledger_index", None)
    if _herder_state(app) != "HERDER_BOOTING_STATE" and callable(tracking):
        seq = tracking()
    quorum = {}
    if seq > 1:
        quorum = json_quorum_info(app, cfg.node_id, True, False, seq - 1)
    if not quorum or not quorum.get("qset"):
        quorum = json_quorum_info(app, cfg.node_id, True, False, seq)
    info["quorum"] = quorum
    failures = getattr(app, "invariant_failures", None)
    if failures:
        info["invariant_failures"] = failures
    return {"info": info}


def json_quorum_info(app, node: bytes, summary: bool, full_keys: bool, index: int) -> dict:
    """HerderImpl::getJsonQuorumInfo (`herder.get_json_quorum_info` when
    provided): {"node": ..., "qset": SCP's quorum info}."""
    herder = app.herder
    own = getattr(herder, "get_json_quorum_info", None)
    if own is not None:
        return own(node, summary, full_keys, index)
    cfg = app.config
    scp = getattr(herder, "scp", None)
    qset = scp.get_json_quorum_info(node, summary, full_keys, index) if scp is not None else {}
    return {"node": cfg.to_str_key(node, full_keys), "qset": qset}


def seconds_since_close(close_time: int) -> int:
    """LedgerManager::secondsSinceLastLedgerClose: 0 for a close time of 0 (genesis)."""
    if close_time == 0:
        return 0
    return max(0, int(time.time()) - close_time)


def header_flags(h) -> int:
    """LedgerHeaderUtils::getFlags: ext v1's flags, else 0."""
    ext = h.ext
    return ext.v1.flags if getattr(ext, "v", 0) == 1 and ext.v1 is not None else 0


def iso_time(t) -> str:
    """VirtualClock::systemPointToISOString: "YYYY-MM-DDTHH:MM:SSZ" (UTC)."""
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def resolve_node_id(app, text: str):
    """HerderImpl::resolveNodeID: the config's names and keys, then for
    "@PREFIX" the nodes whose SCP messages are held."""
    k = app.config.resolve_node_id(text)
    if k is not None:
        return k
    own = getattr(app.herder, "resolve_node_id", None)
    return own(text) if own is not None else None


def convert_for_v13(env):
    """txbridge::convertForV13: a v0 envelope as the equivalent v1 envelope."""
    if env.type != xdr.EnvelopeType.ENVELOPE_TYPE_TX_V0:
        return env
    from stellarcore.crypto.txhash import v1_transaction_of_v0
    v0 = env.v0
    return xdr.TransactionEnvelope(v1=xdr.TransactionV1Envelope(
        tx=v1_transaction_of_v0(v0.tx), signatures=list(v0.signatures)))


def _is_soroban(env) -> bool:
    tx = env.v1.tx if env.type == xdr.EnvelopeType.ENVELOPE_TYPE_TX else env.feeBump.tx.innerTx.v1.tx
    return any(op.body.type in (xdr.OperationType.INVOKE_HOST_FUNCTION,
                                xdr.OperationType.EXTEND_FOOTPRINT_TTL,
                                xdr.OperationType.RESTORE_FOOTPRINT) for op in tx.operations)


def _set_upgrades(app, params: dict) -> None:
    """Herder::setUpgrades: `herder.set_upgrades(dict)` when the herder has
    it, else herder.upgrades.set_parameters(UpgradeParameters, max protocol)."""
    herder = app.herder
    setter = getattr(herder, "set_upgrades", None)
    if setter is not None:
        setter(params)
        return
    from stellarcore.herder.upgrades import UpgradeParameters
    up = UpgradeParameters(**{k: v for k, v in params.items() if v is not None})
    herder.upgrades.set_parameters(up, app.config.LEDGER_PROTOCOL_VERSION)


def _ledger_store(app):
    """The last closed ledger's state (for reading config upgrade sets)."""
    return getattr(app.ledger_manager, "root", None)


def _valid_config_upgrade_set(app, key):
    """ConfigUpgradeSetFrame::makeFromKey + isValidForApply == VALID, or None."""
    store = _ledger_store(app)
    if store is None:
        return None
    from stellarcore.soroban.config_upgrade import ConfigUpgradeSetFrame, UpgradeValidity
    frame = ConfigUpgradeSetFrame.make_from_key(store, key)
    if frame is None or frame.is_valid_for_apply() != UpgradeValidity.VALID:
        return None
    return frame


def _lcl_header(app):
    return app.ledger_manager.last_closed.header


def _app_state(app) -> str:
    own = getattr(app, "state_name", None)
    return own() if callable(own) else app.ledger_manager.state_name()


def _herder_state(app):
    own = getattr(app.herder, "state_name", None)
    return own() if callable(own) else None


def _count_pending(ov) -> int:
    if ov is None:
        return 0
    return sum(len(getattr(getattr(ov, d, None), "pending", ()) or ()) for d in ("inbound", "outbound"))


def _call(obj, name, *args):
    f = getattr(obj, name, None)
    if f is None:
        return {}
    try:
        return f(*args)
    except TypeError:
        return f()


def _node_bytes(node_id) -> bytes:
    return node_id.ed25519 if hasattr(node_id, "ed25519") else bytes(node_id)


def _drop(peer):
    for name in ("send_error_and_drop", "drop"):
        f = getattr(peer, name, None)
        if f is not None:
            try:
                return f(xdr.ErrorCode.ERR_MISC, "dropped by user")
            except TypeError:
                return f("dropped by user")
    return None


_LEVELS = {"fatal": logging.CRITICAL, "error": logging.ERROR, "warning": logging.WARNING,
           "debug": logging.DEBUG, "trace": 5}


def _parse_level(name: str) -> int:
    """Logging::getLLfromString: case-insensitive; anything else is INFO."""
    return _LEVELS.get(name.lower(), logging.INFO)


def _level_name(level: int) -> str:
    """Logging::getStringFromLL."""
    if level >= logging.CRITICAL:
        return "Fatal"
    if level >= logging.ERROR:
        return "Error"
    if level >= logging.WARNING:
        return "Warning"
    if level >= logging.INFO:
        return "Info"
    if level >= logging.DEBUG:
        return "Debug"
    return "Trace"


def _logger(partition: str) -> logging.Logger:
    return logging.getLogger(f"stellarcore.{partition.lower()}")
