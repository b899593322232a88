"""Build script: compiles every Cython module under stellarcore/.

Metadata lives in pyproject.toml; this file only lists the extensions.
Set STELLARCORE_BUILD_JOBS to change the number of parallel compile jobs
(default: the number of CPUs), STELLARCORE_DEBUG=1 for -O0 -g.
"""
import glob
import os

from setuptools import setup
from setuptools.command.build_ext import build_ext
from setuptools.extension import Extension


def extensions():
    opt = ["-O0", "-g"] if os.environ.get("STELLARCORE_DEBUG") else ["-O2", "-g0"]
    exts = []
    for pyx in sorted(glob.glob("stellarcore/**/*.pyx", recursive=True)):
        name = pyx[:-4].replace(os.sep, ".")
        libs = ["dl"] if name == "stellarcore.crypto.sodium" else []  # dlopen/dlsym on older glibc
        exts.append(Extension(name, [pyx], extra_compile_args=opt + ["-Wno-unused-function"],
                              libraries=libs))
    return exts


class ParallelBuildExt(build_ext):
    def finalize_options(self):
        super().finalize_options()
        if self.parallel is None:
            self.parallel = int(os.environ.get("STELLARCORE_BUILD_JOBS", os.cpu_count() or 1))


def cythonized():
    from Cython.Build import cythonize
    return cythonize(
        extensions(),
        compiler_directives={"language_level": "3", "embedsignature": True},
        nthreads=int(os.environ.get("STELLARCORE_BUILD_JOBS", os.cpu_count() or 1)),
    )


setup(ext_modules=cythonized(), cmdclass={"build_ext": ParallelBuildExt})
