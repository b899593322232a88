#!/usr/bin/env python3
"""Build the Soroban bridge: the Rust crate ext/soroban_bridge and, with
--inplace, the Cython module stellarcore/soroban/bridge.

    python ext/build_bridge.py             # cargo build --release, copy the .so
    python ext/build_bridge.py --inplace   # ... and compile stellarcore.soroban.bridge in place

The library, libsoroban_bridge.so, is copied next to the Cython module
(stellarcore/soroban/), where bridge.pyx loads it with dlopen. Cargo's
target directory is ext/soroban_bridge/target (override: CARGO_TARGET_DIR).
Jobs: $CARGO_BUILD_JOBS, else $STELLARCORE_BUILD_JOBS, else the CPU count.

Usable from setup.py as well:

    from ext.build_bridge import build_rust_bridge   # (sys.path has the project root)
    build_rust_bridge(release=True)

Needs cargo (a Rust toolchain >= 1.84) and crates.io.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATE = os.path.join(ROOT, "ext", "soroban_bridge")
LIB_NAME = "libsoroban_bridge.so"
PKG_DIR = os.path.join(ROOT, "stellarcore", "soroban")


class BridgeBuildError(RuntimeError):
    pass


def _jobs():
    for var in ("CARGO_BUILD_JOBS", "STELLARCORE_BUILD_JOBS"):
        if os.environ.get(var):
            return os.environ[var]
    return str(os.cpu_count() or 1)


def build_rust_bridge(release=True, dest_dir=PKG_DIR, cargo=None, verbose=True):
    """cargo build the crate; copy the library into dest_dir. Returns its path."""
    cargo = cargo or os.environ.get("CARGO") or shutil.which("cargo")
    if not cargo:
        home_cargo = os.path.expanduser("~/.cargo/bin/cargo")
        cargo = home_cargo if os.path.exists(home_cargo) else None
    if not cargo:
        raise BridgeBuildError("cargo not found: install a Rust toolchain (>= 1.84) to build the Soroban bridge")
    cmd = [cargo, "build", "--locked", "-j", _jobs()]
    if release:
        cmd.append("--release")
    t0 = time.monotonic()
    if verbose:
        print("soroban bridge: " + " ".join(cmd) + f"  (in {CRATE})", flush=True)
    r = subprocess.run(cmd, cwd=CRATE)
    if r.returncode != 0:
        raise BridgeBuildError(f"cargo build failed with exit status {r.returncode}")
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(CRATE, "target")
    if not os.path.isabs(target):
        target = os.path.join(CRATE, target)
    built = os.path.join(target, "release" if release else "debug", LIB_NAME)
    if not os.path.exists(built):
        raise BridgeBuildError(f"cargo succeeded but {built} is missing")
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, LIB_NAME)
    tmp = dest + ".tmp"
    shutil.copy2(built, tmp)
    os.replace(tmp, dest)  # atomic: a running process keeps its mapped copy
    if verbose:
        print(f"soroban bridge: {dest} ({time.monotonic() - t0:.0f} s)", flush=True)
    return dest


def build_cython_inplace():
    """Compile stellarcore/soroban/bridge.pyx in place (only that module)."""
    from Cython.Build import cythonize
    from setuptools import Extension
    from setuptools.dist import Distribution

    ext = Extension("stellarcore.soroban.bridge", ["stellarcore/soroban/bridge.pyx"],
                    extra_compile_args=["-O2", "-g0", "-Wno-unused-function"])
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exts = cythonize([ext], compiler_directives={"language_level": "3", "embedsignature": True})
        dist = Distribution({"name": "stellarcore-soroban-bridge", "ext_modules": exts})
        cmd = dist.get_command_obj("build_ext")
        cmd.inplace = True
        cmd.build_temp = os.path.join("build", "soroban_bridge_tmp")
        dist.run_command("build_ext")
    finally:
        os.chdir(cwd)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inplace", action="store_true", help="also compile the Cython module in place")
    ap.add_argument("--debug", action="store_true", help="cargo dev profile instead of --release")
    ap.add_argument("--cython-only", action="store_true", help="only compile the Cython module")
    a = ap.parse_args(argv)
    try:
        if not a.cython_only:
            build_rust_bridge(release=not a.debug)
        if a.inplace or a.cython_only:
            build_cython_inplace()
    except BridgeBuildError as e:
        print(f"soroban bridge: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
