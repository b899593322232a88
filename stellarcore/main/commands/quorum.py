"""`check-quorum-intersection` (main/CommandLine.cpp runCheckQuorumIntersection,
the "v2" checker that stellar-core v25 runs by default).

The exit status is the checker's status, as stellar-core returns it:
0 the network enjoys quorum intersection, 101 it does not (a split was
found), 102 the check did not finish (time limit, quorum sets nested too
deeply).  Malformed input ends with one `error: ...` line and status 1
(stellar-core logs it and exits with -1, i.e. 255).

Differences from stellar-core: `--result-json` is optional here (stellar-core
refuses to run v2 without it), `--memory-limit-bytes` is accepted but not
enforced, and there is no `--v2 false` (the v1 checker), `--conf`, `--ll` or
`--console`.
"""
from __future__ import annotations

import argparse
import json

from stellarcore.crypto import strkey

# stellar-core's defaults (the checker itself is imported when the command
# runs: the SCP package it needs is not loaded for every other command)
DEFAULT_TIME_LIMIT_MS = 5000
DEFAULT_MEMORY_LIMIT_BYTES = 100 * 1024 * 1024


def _uint(text):
    try:
        v = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an unsigned integer: {text!r}") from None
    if not 0 <= v <= 0xFFFFFFFFFFFFFFFF:
        raise argparse.ArgumentTypeError(f"out of range: {text!r}")
    return v


def add_commands(sub):
    p = sub.add_parser(
        "check-quorum-intersection",
        help="check that every two quorums of a network intersect",
        description="Check the quorum map in JSON-FILE (as stellar-core writes it: "
                    '{"nodes": [{"node": "G...", "qset": {"t": T, "v": [...]}}, ...]}) '
                    "for quorum intersection. Exit status: 0 intersection, 101 split "
                    "found, 102 unknown (did not finish).")
    p.add_argument("json_file", metavar="JSON-FILE", help="the quorum map")
    p.add_argument("--result-json", metavar="RESULT-JSON",
                   help="file to store the analysis results")
    p.add_argument("--analyze-critical-groups", action="store_true",
                   help="additionally runs critical groups analysis (only if network "
                        "enjoys quorum intersection)")
    p.add_argument("--time-limit-ms", metavar="TIME-LIMIT-MS", type=_uint,
                   default=DEFAULT_TIME_LIMIT_MS,
                   help="maximum time to spend on quorum intersection check in "
                        "milliseconds (default: 5000)")
    p.add_argument("--memory-limit-bytes", metavar="MEMORY-LIMIT-BYTES", type=_uint,
                   default=DEFAULT_MEMORY_LIMIT_BYTES,
                   help="accepted for compatibility with stellar-core; not enforced")
    p.set_defaults(func=run_check_quorum_intersection)


def _keys(keys):
    return ", ".join(strkey.encode("G", k) for k in keys)


def run_check_quorum_intersection(args):
    from stellarcore.herder import quorum_intersection as qi
    qmap = qi.load_quorum_map(args.json_file)
    result = qi.network_enjoys_quorum_intersection(
        qmap, args.time_limit_ms, args.analyze_critical_groups)
    status = result.status
    if status == qi.QuorumCheckerStatus.UNSAT:
        print("Network enjoys quorum intersection")
    elif status == qi.QuorumCheckerStatus.SAT:
        print("Network does not enjoy quorum intersection")
        print(f"quorum A: {_keys(result.split[0])}")
        print(f"quorum B: {_keys(result.split[1])}")
    else:
        print("UNKNOWN result -- quorum intersection checker did not finish"
              + (f": {result.error}" if result.error else ""))
    if args.analyze_critical_groups and status == qi.QuorumCheckerStatus.UNSAT:
        if result.error:
            print(f"critical groups analysis did not finish: {result.error}")
        elif result.critical_groups:
            print(f"Found {len(result.critical_groups)} intersection-critical groups")
            for group in result.critical_groups:
                print(f"intersection-critical group: [{_keys(group)}]")
        else:
            print("No intersection-critical groups found")
    if args.result_json:
        with open(args.result_json, "w") as f:
            json.dump(result.to_json(), f, indent=3, sort_keys=True)
            f.write("\n")
    return int(status)
