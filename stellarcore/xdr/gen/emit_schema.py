"""Emit `schema.py`: the schema as plain Python data, for the code that walks
values generically (stellar-core's JSON form, test strategies, the CLI).

Type expressions are tuples with typedefs resolved:
  ("int",) ("uint",) ("hyper",) ("uhyper",) ("bool",)
  ("enum", name)  ("class", name)
  ("opaque", fixed, size)  ("string", max)  ("array", fixed, size, elem)
  ("optional", elem)
A `size`/`max` of None means unbounded (2**32 - 1).
"""
from __future__ import annotations

from .emit_cython import header
from .model import Array, Enum, Named, Opaque, Optional_, Prim, String, Struct, Typedef, Union_
from .shapes import py_name


def texpr(schema, t):
    t = schema.resolve(t)
    if isinstance(t, Prim):
        return (t.name,)
    if isinstance(t, Named):
        d = schema.defs[t.name]
        return ("enum" if isinstance(d, Enum) else "class", t.name)
    if isinstance(t, Opaque):
        return ("opaque", t.fixed, t.size)
    if isinstance(t, String):
        return ("string", t.size)
    if isinstance(t, Array):
        return ("array", t.fixed, t.size, texpr(schema, t.elem))
    if isinstance(t, Optional_):
        return ("optional", texpr(schema, t.elem))
    raise ValueError(t)


def emit_schema_py(schema, inputs):
    out = [header("#", inputs).rstrip("\n"), '"""The XDR schema as data: see stellarcore.xdr.gen.emit_schema."""', "",
           "TYPES = {"]
    for d in schema.defs.values():
        if isinstance(d, Struct):
            fields = ", ".join(f"({f.name!r}, {py_name(f.name)!r}, {texpr(schema, f.type)!r})"
                               for f in d.fields)
            out.append(f"    {d.name!r}: ('struct', ({fields}{',' if len(d.fields) == 1 else ''})),")
        elif isinstance(d, Union_):
            arms = []
            for a in d.arms:
                f = a.field
                arms.append(f"({tuple(a.cases)!r}, "
                            f"{(f.name if f else None)!r}, {(py_name(f.name) if f else None)!r}, "
                            f"{(texpr(schema, f.type) if f else None)!r})")
            if d.default is not None:
                f = d.default.field
                default = (f"({(f.name if f else None)!r}, {(py_name(f.name) if f else None)!r}, "
                           f"{(texpr(schema, f.type) if f else None)!r})")
            else:
                default = "None"
            out.append(f"    {d.name!r}: ('union', {d.disc.name!r}, {py_name(d.disc.name)!r}, "
                       f"{texpr(schema, d.disc.type)!r}, ({', '.join(arms)}{',' if len(arms) == 1 else ''}), "
                       f"{default}),")
        elif isinstance(d, Enum):
            out.append(f"    {d.name!r}: ('enum', {tuple(d.members)!r}),")
        elif isinstance(d, Typedef):
            out.append(f"    {d.name!r}: ('typedef', {texpr(schema, d.type)!r}),")
    out.append("}")
    out.append("")
    out.append(f"MODULE_OF = {{{', '.join(f'{n!r}: {d.module!r}' for n, d in schema.defs.items() if not hasattr(d, 'value'))}}}")
    return "\n".join(out) + "\n"
