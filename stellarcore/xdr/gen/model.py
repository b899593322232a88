"""The intermediate form of an XDR schema, between the parser and the emitters.

Type expressions are small frozen dataclasses.  Definitions keep the order in
which they appear (anonymous nested types are hoisted just before their
parent), because both emitters preserve source order for readable output.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union


# ---------------------------------------------------------------- type expressions

@dataclass(frozen=True)
class Prim:
    """A built-in scalar: int, uint, hyper, uhyper, bool."""
    name: str  # "int" | "uint" | "hyper" | "uhyper" | "bool"


@dataclass(frozen=True)
class Named:
    """A reference to a definition (struct, union, enum or typedef) by name."""
    name: str


@dataclass(frozen=True)
class Opaque:
    fixed: bool
    size: Optional[int]  # exact size if fixed, maximum (None = 2**32-1) if variable


@dataclass(frozen=True)
class String:
    size: Optional[int]  # maximum length, None = unbounded


@dataclass(frozen=True)
class Array:
    elem: "TypeExpr"
    fixed: bool
    size: Optional[int]


@dataclass(frozen=True)
class Optional_:
    elem: "TypeExpr"


TypeExpr = Union[Prim, Named, Opaque, String, Array, Optional_]


# ---------------------------------------------------------------- definitions

@dataclass
class Field:
    name: str
    type: TypeExpr


@dataclass
class Const:
    name: str
    value: int
    module: str = ""


@dataclass
class Enum:
    name: str
    members: list  # [(name, value)]
    module: str = ""


@dataclass
class Struct:
    name: str
    fields: list  # [Field]
    module: str = ""


@dataclass
class Arm:
    cases: list  # [int] discriminant values (resolved)
    case_names: list  # [str] as written in the source (enum names or numbers)
    field: Optional[Field]  # None for void


@dataclass
class Union_:
    name: str
    disc: Field
    arms: list  # [Arm]
    default: Optional[Arm] = None  # arm for `default:` (field None = void)
    module: str = ""


@dataclass
class Typedef:
    name: str
    type: TypeExpr
    module: str = ""


Definition = Union[Const, Enum, Struct, Union_, Typedef]


@dataclass
class Schema:
    """Every definition of every parsed file, by name, in source order."""
    defs: dict = field(default_factory=dict)  # name -> Definition
    modules: list = field(default_factory=list)  # module names in input order

    def add(self, d):
        if d.name in self.defs:
            raise ValueError(f"duplicate definition {d.name}")
        self.defs[d.name] = d

    def of_module(self, module):
        return [d for d in self.defs.values() if d.module == module]

    def resolve(self, t: TypeExpr) -> TypeExpr:
        """Follow typedefs until a non-typedef type expression is reached."""
        while isinstance(t, Named):
            d = self.defs[t.name]
            if isinstance(d, Typedef):
                t = d.type
            else:
                return t
        return t

    def deep_resolve(self, t: TypeExpr) -> TypeExpr:
        """Resolve typedefs everywhere inside a type expression."""
        t = self.resolve(t)
        if isinstance(t, Array):
            return Array(self.deep_resolve(t.elem), t.fixed, t.size)
        if isinstance(t, Optional_):
            return Optional_(self.deep_resolve(t.elem))
        return t
