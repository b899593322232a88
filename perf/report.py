"""Run the XDR codec benchmarks and print a markdown table of the results.

    python perf/report.py                     # run the suite, print the table
    python perf/report.py --json out.json     # also keep pytest-benchmark's JSON
    python perf/report.py --from-json f.json  # only print the table of a saved run
    python perf/report.py -- --benchmark-disable-gc   # extra pytest arguments

The suite is run as ``python -m pytest perf -q --benchmark-json=...`` from the
project root, with more rounds than pytest-benchmark's defaults (the machine
may be shared; medians need samples).  Each row pairs the two results of one
benchmark group: our median, stellar-sdk's median, their ratio (sdk / ours:
how many times faster we are) and our throughput in MB/s (payload bytes /
our median, 1 MB = 10**6 bytes).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
OURS, SDK = "stellarcore", "stellar-sdk"
TARGET = 30.0

# Calibrated runs (pytest-benchmark picks iterations per round), but with more
# rounds and a short warmup: enough samples for a median on a busy machine.
DEFAULT_BENCH_ARGS = [
    "--benchmark-max-time=3.0",
    "--benchmark-min-rounds=20",
    "--benchmark-warmup=on",
    "--benchmark-warmup-iterations=5",
]

# Row order of the table.
GROUP_ORDER = ["decode-lcm", "encode-lcm", "decode-txset", "encode-txset"]


def run_suite(json_path: Path, extra_args: list[str]) -> int:
    cmd = [sys.executable, "-m", "pytest", "perf", "-q",
           f"--benchmark-json={json_path}", *DEFAULT_BENCH_ARGS, *extra_args]
    print("$", " ".join(cmd), file=sys.stderr)
    return subprocess.call(cmd, cwd=PROJECT_ROOT, stdout=sys.stderr)


def fmt_time(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def rows_of(results: dict) -> list[dict]:
    """One row per benchmark group that has both implementations."""
    by_group: dict[str, dict[str, dict]] = {}
    for b in results["benchmarks"]:
        impl = b.get("extra_info", {}).get("impl") or b.get("params", {}).get("impl")
        by_group.setdefault(b["group"], {})[impl] = b
    order = {g: i for i, g in enumerate(GROUP_ORDER)}
    rows = []
    for group in sorted(by_group, key=lambda g: (order.get(g, len(order)), g)):
        pair = by_group[group]
        if OURS not in pair or SDK not in pair:
            print(f"warning: group {group!r} lacks one implementation; skipped", file=sys.stderr)
            continue
        ours, sdk = pair[OURS], pair[SDK]
        n = ours["extra_info"]["bytes"]
        m_ours, m_sdk = ours["stats"]["median"], sdk["stats"]["median"]
        rows.append({
            "group": group,
            "workload": ours["extra_info"].get("workload", ""),
            "bytes": n,
            "ours": m_ours,
            "sdk": m_sdk,
            "ratio": m_sdk / m_ours,
            "mbps": n / m_ours / 1e6,
            "sdk_mbps": n / m_sdk / 1e6,
            "rounds": (ours["stats"]["rounds"], sdk["stats"]["rounds"]),
        })
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        "| benchmark | payload | stellarcore median | stellar-sdk median | ratio (sdk/ours) "
        f"| stellarcore MB/s | stellar-sdk MB/s | target >= {TARGET:g}x |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in rows:
        met = "met" if r["ratio"] >= TARGET else "**not met**"
        lines.append(
            f"| {r['group']} | {r['bytes']:,} B | {fmt_time(r['ours'])} | {fmt_time(r['sdk'])} "
            f"| {r['ratio']:.1f}x | {r['mbps']:.1f} | {r['sdk_mbps']:.2f} | {met} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, help="keep pytest-benchmark's JSON output at this path")
    ap.add_argument("--from-json", type=Path, help="do not run; print the table of this saved JSON")
    ap.add_argument("pytest_args", nargs="*", help="extra pytest arguments (put them after --)")
    args = ap.parse_args(argv)

    rc = 0
    if args.from_json:
        json_path = args.from_json
    else:
        if args.json:
            json_path = args.json.resolve()
        else:
            fd, name = tempfile.mkstemp(prefix="xdr-bench-", suffix=".json")
            os.close(fd)
            json_path = Path(name)
        rc = run_suite(json_path, args.pytest_args)
    try:
        results = json.loads(json_path.read_text())
    except (OSError, ValueError) as e:
        print(f"no benchmark results in {json_path}: {e} "
              "(pytest-benchmark writes none under --benchmark-disable)", file=sys.stderr)
        return rc or 1
    finally:
        if not args.from_json and not args.json:
            json_path.unlink(missing_ok=True)

    rows = rows_of(results)
    if not rows:
        print("no benchmark pairs in the results (ran with --benchmark-disable, or all skipped?)", file=sys.stderr)
        return rc or 1
    mi = results.get("machine_info", {})
    rounds = ", ".join(f"{r['group']} {r['rounds'][0]}/{r['rounds'][1]}" for r in rows)
    print(f"Python {mi.get('python_version', '?')} ({mi.get('python_implementation', '?')}), "
          f"run {results.get('datetime', '?')}; medians of calibrated rounds "
          f"(rounds ours/sdk: {rounds})")
    print()
    print(markdown(rows))
    return rc


if __name__ == "__main__":
    sys.exit(main())
