"""Classification of type expressions for the emitters.

A *shape* is a type expression with typedefs resolved.  Scalars, byte
strings and classes are encoded inline; arrays and optionals get one helper
function per distinct shape per module (`enc_av100_Operation` ...).
"""
from __future__ import annotations

import keyword

from .model import Array, Enum, Named, Opaque, Optional_, Prim, String, Struct, Typedef, Union_

UNBOUNDED = 0xFFFFFFFF

C_INT = {"int": "int32_t", "uint": "uint32_t", "hyper": "int64_t", "uhyper": "uint64_t", "bool": "bint"}
RD_INT = {"int": "rd_i32", "uint": "rd_u32", "hyper": "rd_i64", "uhyper": "rd_u64", "bool": "rd_bool"}
WR_INT = {"int": "wr_i32", "uint": "wr_u32", "hyper": "wr_i64", "uhyper": "wr_u64", "bool": "wr_bool"}


def py_name(name):
    """Python attribute name of an XDR field (`from` becomes `from_`)."""
    return name + "_" if keyword.iskeyword(name) else name


class Shapes:
    def __init__(self, schema):
        self.schema = schema
        self._min = {}

    def resolve(self, t):
        return self.schema.deep_resolve(t)

    def kind(self, t):
        """One of: prim, enum, opaque, string, class, array, optional."""
        t = self.schema.resolve(t)
        if isinstance(t, Prim):
            return "prim"
        if isinstance(t, Named):
            d = self.schema.defs[t.name]
            if isinstance(d, Enum):
                return "enum"
            if isinstance(d, (Struct, Union_)):
                return "class"
            raise ValueError(f"cannot use {t.name} as a type")
        if isinstance(t, Opaque):
            return "opaque"
        if isinstance(t, String):
            return "string"
        if isinstance(t, Array):
            return "array"
        if isinstance(t, Optional_):
            return "optional"
        raise ValueError(t)

    def ident(self, t):
        """A stable identifier for a shape, used to name helper functions."""
        t = self.resolve(t)
        if isinstance(t, Prim):
            return t.name
        if isinstance(t, Named):
            return t.name
        if isinstance(t, Opaque):
            return f"of{t.size}" if t.fixed else f"ov{'' if t.size is None else t.size}"
        if isinstance(t, String):
            return f"s{'' if t.size is None else t.size}"
        if isinstance(t, Array):
            pre = f"af{t.size}" if t.fixed else f"av{'' if t.size is None else t.size}"
            return f"{pre}_{self.ident(t.elem)}"
        if isinstance(t, Optional_):
            return f"opt_{self.ident(t.elem)}"
        raise ValueError(t)

    def composites(self, t, out):
        """Collect every array/optional shape inside `t`, innermost first."""
        t = self.resolve(t)
        if isinstance(t, (Array, Optional_)):
            self.composites(t.elem, out)
            key = self.ident(t)
            if key not in out:
                out[key] = t
        return out

    def classes_in(self, t, out):
        """Names of the classes (structs, unions) a shape mentions."""
        t = self.resolve(t)
        if isinstance(t, (Array, Optional_)):
            self.classes_in(t.elem, out)
        elif isinstance(t, Named) and self.kind(t) == "class":
            out.add(t.name)
        return out

    def enums_in(self, t, out):
        t = self.resolve(t)
        if isinstance(t, (Array, Optional_)):
            self.enums_in(t.elem, out)
        elif isinstance(t, Named) and self.kind(t) == "enum":
            out.add(t.name)
        return out

    def min_size(self, t, _stack=()):
        """Smallest possible XDR encoding of a value of shape `t`, in bytes."""
        t = self.resolve(t)
        if isinstance(t, Prim):
            return 8 if t.name in ("hyper", "uhyper") else 4
        if isinstance(t, Opaque):
            return (t.size + 3) & ~3 if t.fixed else 4
        if isinstance(t, String):
            return 4
        if isinstance(t, Optional_):
            return 4
        if isinstance(t, Array):
            return t.size * self.min_size(t.elem, _stack) if t.fixed else 4
        d = self.schema.defs[t.name]
        if isinstance(d, Enum):
            return 4
        if d.name in self._min:
            return self._min[d.name]
        if d.name in _stack:  # a recursive type is at least its tag or length
            return 4
        st = _stack + (d.name,)
        if isinstance(d, Struct):
            v = sum(self.min_size(f.type, st) for f in d.fields)
        else:
            arms = [a.field for a in d.arms] + ([d.default.field] if d.default else [])
            v = 4 + min((self.min_size(f.type, st) if f else 0) for f in arms)
        self._min[d.name] = v
        return v
