"""The node commands: `run`, `new-db`, `offline-info`, `http-command`
(stellar-core v25 main/CommandLine.cpp run, runNewDB, runOfflineInfo,
runHttpCommand; main/ApplicationUtils.cpp initializeDatabase,
showOfflineInfo, httpCommand).

Every command takes `--conf FILE` (a stellar-core configuration file,
"stdin" for standard input).  Without --conf, stellar-core reads
./stellar-core.cfg; here the node is the default standalone validator
kept in $STELLARCORE_DATA (default ./stellarcore-data, see
Config.default_standalone), so `stellarcore run` works with no setup and
`stellarcore http-command info` talks to it.

  run [--wait-for-consensus] [--metadata-output-stream STREAM]
      [--disable-bucket-gc]      the node, until SIGINT/SIGTERM
  new-db                         a fresh database with the genesis ledger
  offline-info                   the stored state as /info prints it
  http-command COMMAND           e.g. 'info', 'll?level=debug', sent to the
                                 node's HTTP_PORT on 127.0.0.1; the reply
                                 body is printed

Differences from stellar-core: http-command reports a failed request with
an `error:` line and exit status 1 (stellar-core logs it and exits 0).
"""
from __future__ import annotations

import datetime
import logging
import os
import time
import sys

from stellarcore.main.command_handler import styled
from stellarcore.main.config import Config, ConfigError

DATA_DIR_ENV = "STELLARCORE_DATA"
DEFAULT_DATA_DIR = "stellarcore-data"
LOG_FORMAT = "%(asctime)s [%(name)s %(levelname)s] %(message)s"


class NodeCommandError(ValueError):
    """The command cannot run (printed as one `error:` line, status 1)."""


def add_commands(sub):
    p = sub.add_parser("run", help="run the node")
    _common(p)
    p.add_argument("--wait-for-consensus", action="store_true",
                   help="wait to hear from the network before voting, for validating nodes only")
    p.add_argument("--metadata-output-stream", metavar="STREAM", default="",
                   help="filename or file-descriptor number 'fd:N' to stream metadata to")
    p.add_argument("--disable-bucket-gc", action="store_true",
                   help="keeps all, even old, buckets on disk")
    p.set_defaults(func=run_run)

    p = sub.add_parser("new-db", help="create a new database with the genesis ledger")
    _common(p)
    p.set_defaults(func=run_new_db)

    p = sub.add_parser("offline-info", help="print the node's stored state as JSON")
    _common(p)
    p.set_defaults(func=run_offline_info)

    p = sub.add_parser("http-command", help="send a command to a running node")
    _common(p)
    p.add_argument("http_command", metavar="COMMAND", help="e.g. info or 'll?level=debug'")
    p.set_defaults(func=run_http_command)


def _common(p):
    p.add_argument("--conf", metavar="FILE-NAME",
                   help="a stellar-core configuration file ('stdin' for standard input); "
                        f"default: the standalone node in ${DATA_DIR_ENV} "
                        f"(or ./{DEFAULT_DATA_DIR})")
    p.add_argument("--ll", metavar="LEVEL", default="info",
                   help="log level: fatal, error, warning, info, debug, trace")
    p.add_argument("--console", action="store_true",
                   help="log to the console too when LOG_FILE_PATH is set")


def data_dir() -> str:
    return os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR


def load_config(args) -> Config:
    """--conf FILE, or the default standalone node's configuration."""
    if args.conf:
        return Config.load(args.conf)
    cfg = Config.default_standalone(data_dir())
    # A fresh standalone network starts at protocol 0 (stellar-core's
    # genesis) and votes itself to the current protocol on ledger 3, as a
    # node armed with TESTING_UPGRADE_DATETIME does; re-arming on every
    # start is harmless once the network is there.
    cfg.TESTING_UPGRADE_DATETIME = int(time.time())
    cfg.TESTING_UPGRADE_MAX_TX_SET_SIZE = 1000
    return cfg


def _application_class():
    from stellarcore.main.application import Application
    return Application


def setup_logging(cfg: Config, level_name: str, console: bool, to_file: bool = True) -> None:
    """CommandLine::ConfigOption::getConfig's logging: LOG_FILE_PATH (its
    {datetime:...} pattern expanded) and/or the console."""
    from stellarcore.main.command_handler import _parse_level
    root = logging.getLogger("stellarcore")
    root.setLevel(_parse_level(level_name))
    if root.handlers:
        return
    fmt = logging.Formatter(LOG_FORMAT)
    path = cfg.LOG_FILE_PATH if to_file else ""
    if path:
        try:
            path = path.format(datetime=datetime.datetime.now())
        except (KeyError, IndexError, ValueError) as e:
            raise ConfigError(f"LOG_FILE_PATH: bad pattern ({e})", "LOG_FILE_PATH") from None
        handler = logging.FileHandler(path)
        handler.setFormatter(fmt)
        root.addHandler(handler)
    if not path or console:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(fmt)
        root.addHandler(handler)


def run_run(args):
    cfg = load_config(args)
    cfg.DISABLE_BUCKET_GC = args.disable_bucket_gc
    if args.metadata_output_stream:
        if cfg.METADATA_OUTPUT_STREAM:
            raise NodeCommandError("Command-line --metadata-output-stream conflicts with "
                                   "config-file provided METADATA_OUTPUT_STREAM")
        cfg.METADATA_OUTPUT_STREAM = args.metadata_output_stream
        cfg._check_metadata_stream()
    cfg.FORCE_SCP = cfg.NODE_IS_VALIDATOR and not args.wait_for_consensus
    if cfg.MANUAL_CLOSE and not cfg.NODE_IS_VALIDATOR:
        raise NodeCommandError("Starting in MANUAL_CLOSE mode requires NODE_IS_VALIDATOR "
                               "to be set")
    cfg.check_for_node()
    setup_logging(cfg, args.ll, args.console)
    app = _application_class()(cfg)
    try:
        if hasattr(app, "run_forever"):
            app.run_forever()
        else:
            app.start()
    except KeyboardInterrupt:
        stop = getattr(app, "stop", None)
        if stop:
            stop()
    return 0


def run_new_db(args):
    cfg = load_config(args)
    cfg.set_no_listen()
    setup_logging(cfg, args.ll, args.console)
    app = _application_class()(cfg)
    try:
        app.new_db()
    finally:
        _close(app)
    logging.getLogger("stellarcore.main").info(
        "* The next launch will catchup from the network afresh.")
    return 0


def run_offline_info(args):
    cfg = load_config(args)
    cfg.set_no_listen()
    setup_logging(cfg, args.ll, args.console)
    app = _application_class()(cfg)
    try:
        info = app.offline_info()
    finally:
        _close(app)
    # std::cout << toStyledString() << std::endl
    print(styled(info))
    return 0


def run_http_command(args):
    cfg = load_config(args)
    port = cfg.HTTP_PORT
    if not port:
        raise NodeCommandError("HTTP_PORT is 0: the node has no HTTP server")
    path = http_command_path(args.http_command)
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r:
            body = r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        raise NodeCommandError(f"http failed({e.code}) port: {port} command: "
                               f"{args.http_command}") from None
    except OSError as e:
        reason = getattr(e, "reason", e)
        raise NodeCommandError(f"http failed ({reason}) port: {port} command: "
                               f"{args.http_command}") from None
    print(body)
    return 0


def http_command_path(command: str) -> str:
    """httpCommand: "/" + the command, every character after the first '?'
    that is not an ASCII letter or digit sent as %xx (lower-case hex)."""
    out, got_query = ["/"], False
    for ch in command:
        if got_query:
            if ch.isascii() and ch.isalnum():
                out.append(ch)
            else:
                out.extend(f"%{b:02x}" for b in ch.encode("utf-8"))
        else:
            out.append(ch)
            got_query = ch == "?"
    return "".join(out)


def _close(app):
    stop = getattr(app, "stop", None)
    if stop is not None:
        try:
            stop()
        except Exception:   # noqa: BLE001 - closing must not hide the command's result
            logging.getLogger("stellarcore.main").exception("while closing the node")
