"""Build script: compiles every Cython module under stellarcore/ and the
Soroban host bridge (ext/soroban_bridge, a Rust crate built with cargo).

Metadata lives in pyproject.toml; this file only lists the extensions.
Set STELLARCORE_BUILD_JOBS to change the number of parallel compile jobs
(default: the number of CPUs), STELLARCORE_DEBUG=1 for -O0 -g.
The bridge needs a Rust toolchain (>= 1.84) and crates.io; without them the
build goes on with a warning and Soroban stays unavailable (its tests skip
with that reason). STELLARCORE_REQUIRE_SOROBAN=1 makes that an error.
"""
import glob
import importlib.util
import os
import shutil
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext
from setuptools.extension import Extension


def extensions():
    opt = ["-O0", "-g"] if os.environ.get("STELLARCORE_DEBUG") else ["-O2", "-g0"]
    exts = []
    for pyx in sorted(glob.glob("stellarcore/**/*.pyx", recursive=True)):
        name = pyx[:-4].replace(os.sep, ".")
        # dlopen/dlsym on older glibc
        libs = ["dl"] if name in ("stellarcore.crypto.sodium", "stellarcore.soroban.bridge") else []
        exts.append(Extension(name, [pyx], extra_compile_args=opt + ["-Wno-unused-function"],
                              libraries=libs))
    return exts


def build_soroban_bridge():
    """cargo build ext/soroban_bridge; libsoroban_bridge.so lands in
    stellarcore/soroban/ (loaded at run time by stellarcore.soroban.bridge)."""
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("build_bridge", os.path.join(here, "ext", "build_bridge.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    try:
        return mod.build_rust_bridge(release=True)
    except mod.BridgeBuildError as e:
        if os.environ.get("STELLARCORE_REQUIRE_SOROBAN") == "1":
            raise
        print(f"WARNING: Soroban bridge not built ({e}); Soroban is unavailable", file=sys.stderr)
        return None


class ParallelBuildExt(build_ext):
    def finalize_options(self):
        super().finalize_options()
        if self.parallel is None:
            self.parallel = int(os.environ.get("STELLARCORE_BUILD_JOBS", os.cpu_count() or 1))

    def run(self):
        lib = build_soroban_bridge()
        if lib is not None and not self.inplace:
            dest = os.path.join(self.build_lib, "stellarcore", "soroban")
            os.makedirs(dest, exist_ok=True)
            shutil.copy2(lib, dest)
        super().run()


def cythonized():
    from Cython.Build import cythonize
    return cythonize(
        extensions(),
        compiler_directives={"language_level": "3", "embedsignature": True},
        nthreads=int(os.environ.get("STELLARCORE_BUILD_JOBS", os.cpu_count() or 1)),
    )


setup(ext_modules=cythonized(), cmdclass={"build_ext": ParallelBuildExt})
