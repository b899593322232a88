"""Regenerate stellarcore/xdr/_generated from a directory of `.x` files.

    python -m stellarcore.xdr.gen [--xdr DIR] [--out DIR] [--check]

--check writes nothing and exits 1 if any generated file would change.
"""
import argparse
import os
import sys

from . import generate


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", "..", ".."))
    ap = argparse.ArgumentParser(prog="python -m stellarcore.xdr.gen")
    ap.add_argument("--xdr", default=os.path.join(root, "..", "shared", "xdr"),
                    help="directory of .x files (default: ../shared/xdr)")
    ap.add_argument("--out", default=os.path.join(root, "stellarcore", "xdr", "_generated"))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    files = generate(args.xdr)
    changed = []
    for name, text in sorted(files.items()):
        path = os.path.join(args.out, name)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old != text:
            changed.append(name)
            if not args.check:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
    if args.check:
        if changed:
            print("out of date: " + ", ".join(changed))
            return 1
        print("up to date")
        return 0
    print(f"wrote {len(changed)} of {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
