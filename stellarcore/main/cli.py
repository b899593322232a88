"""The `stellarcore` command: subcommands named as stellar-core names them.

Each command family lives in its own module under stellarcore/main/commands
and registers itself with `add_commands(subparsers)`.  Failures the user can
fix (bad input, missing file) end with one `error: ...` line on stderr and
exit status 1, never a traceback.
"""
from __future__ import annotations

import argparse
import sys

from stellarcore.main.commands import COMMAND_MODULES


class UsageError(Exception):
    """A problem with the user's input: printed as one line, exit status 1."""


def build_parser():
    ap = argparse.ArgumentParser(
        prog="stellarcore",
        description="A Stellar validator node compatible with stellar-core v25.")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    for mod in COMMAND_MODULES:
        mod.add_commands(sub)
    return ap


def main(argv=None):
    ap = build_parser()
    args = ap.parse_args(argv)
    if not getattr(args, "func", None):
        ap.print_help()
        return 1
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`); not an error of ours
        try:
            sys.stdout = None
        except Exception:
            pass
        return 0
    except Exception as e:  # noqa: BLE001 - every failure becomes one line
        if not _is_user_error(e):
            raise
        print(f"error: {_one_line(e)}", file=sys.stderr)
        return 1


def _is_user_error(e):
    from stellarcore.xdr import XdrError
    return isinstance(e, (UsageError, XdrError, OSError, ValueError, KeyError, UnicodeError))


def _one_line(e):
    msg = str(e) if not isinstance(e, KeyError) else (e.args[0] if e.args else "key error")
    if isinstance(e, OSError) and e.filename:
        msg = f"{e.filename}: {e.strerror or msg}"
    return " ".join(str(msg).split())
