"""The XDR code generator: `.x` files in, Cython codec modules out.

`generate(xdr_dir)` returns {file name: text} for stellarcore/xdr/_generated;
`python -m stellarcore.xdr.gen` writes them.  The output depends only on the
`.x` files' contents, so regenerating is reproducible (a test checks that the
committed files equal a fresh generation from ../shared/xdr).
"""
import glob
import os

from .emit_cython import PKG, ModuleEmitter, emit_enumcheck_pxd, emit_enums_py
from .emit_schema import emit_schema_py
from .parser import order_by_includes, parse_files


def generate(xdr_dir, package=PKG):
    """{file name: text} of the generated modules for the `.x` files in xdr_dir.

    `package` is the dotted package the files will live in (tests generate
    into a package of their own).
    """
    paths = order_by_includes(glob.glob(os.path.join(xdr_dir, "*.x")))
    if not paths:
        raise FileNotFoundError(f"no .x files in {xdr_dir}")
    schema = parse_files(paths)
    names = [os.path.basename(p) for p in paths]
    inputs = ", ".join(names)
    files = {
        "__init__.py": '"""Generated XDR codec modules (see stellarcore.xdr.gen)."""\n',
        "enums.py": emit_enums_py(schema, inputs),
        "enumcheck.pxd": emit_enumcheck_pxd(schema, inputs),
        "schema.py": emit_schema_py(schema, inputs),
    }
    for path, module in zip(paths, schema.modules):
        em = ModuleEmitter(schema, module, os.path.basename(path), package)
        files[f"{module}.pyx"] = em.emit_pyx()
        files[f"{module}.pxd"] = em.emit_pxd()
    files["modules.py"] = (
        '"""Generated module list, in dependency order."""\n'
        f"MODULES = {tuple(schema.modules)!r}\n")
    return files
