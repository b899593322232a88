"""A parser for the XDR language (RFC 4506) as Stellar's `.x` files use it.

Besides RFC 4506 it accepts the xdrpp extensions found in stellar-xdr:
`%` pass-through lines, `namespace name { ... }`, and `//` comments.
Anonymous structs, unions and enums declared inline are hoisted to named
definitions called `<Parent><Field>` (e.g. `AccountEntry.ext` becomes
`AccountEntryExt`), the naming stellar-sdk and the Rust XDR crate use.
"""
from __future__ import annotations

import re

from .model import (Arm, Array, Const, Enum, Field, Named, Opaque, Optional_,
                    Prim, Schema, String, Struct, Typedef, Union_)

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<pass>^%[^\n]*)
  | (?P<num>-?0[xX][0-9a-fA-F]+|-?[0-9]+)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[{}()\[\]<>;:,=*])
""", re.VERBOSE | re.DOTALL | re.MULTILINE)


class XdrSyntaxError(Exception):
    pass


def tokenize(text, filename="<x>"):
    pos = 0
    out = []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            line = text.count("\n", 0, pos) + 1
            raise XdrSyntaxError(f"{filename}:{line}: unexpected {text[pos:pos+20]!r}")
        kind = m.lastgroup
        if kind == "num":
            out.append(("num", int(m.group(), 0), text.count("\n", 0, pos) + 1))
        elif kind in ("ident", "punct"):
            out.append((kind, m.group(), text.count("\n", 0, pos) + 1))
        pos = m.end()
    return out


def _cap(name):
    return name[:1].upper() + name[1:]


class _Parser:
    def __init__(self, tokens, module, schema, filename):
        self.toks = tokens
        self.i = 0
        self.module = module
        self.schema = schema
        self.filename = filename

    # -- token helpers
    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else ("eof", None, -1)

    def error(self, msg):
        tok = self.peek()
        raise XdrSyntaxError(f"{self.filename}:{tok[2]}: {msg} (at {tok[1]!r})")

    def next(self):
        tok = self.peek()
        if tok[0] == "eof":
            self.error("unexpected end of file")
        self.i += 1
        return tok

    def accept(self, value):
        if self.peek()[1] == value and self.peek()[0] != "num":
            self.i += 1
            return True
        return False

    def expect(self, value):
        if not self.accept(value):
            self.error(f"expected {value!r}")

    def ident(self):
        tok = self.next()
        if tok[0] != "ident":
            self.i -= 1
            self.error("expected an identifier")
        return tok[1]

    # -- values
    def value(self):
        """A constant: a number or the name of a constant or enum member."""
        tok = self.next()
        if tok[0] == "num":
            return tok[1], str(tok[1])
        if tok[0] == "ident":
            return self.schema_value(tok[1]), tok[1]
        self.i -= 1
        self.error("expected a value")

    def schema_value(self, name):
        v = self.schema.constants.get(name)
        if v is None:
            self.error(f"unknown constant {name}")
        return v

    # -- top level
    def parse_file(self):
        while self.peek()[0] != "eof":
            if self.accept("namespace"):
                self.ident()
                self.expect("{")
                while not self.accept("}"):
                    self.definition()
            else:
                self.definition()

    def definition(self):
        kw = self.ident()
        if kw == "const":
            name = self.ident()
            self.expect("=")
            v, _ = self.value()
            self.expect(";")
            self.schema.constants[name] = v
            self.add(Const(name, v))
        elif kw == "typedef":
            f = self.declaration(parent=None)
            self.expect(";")
            self.add(Typedef(f.name, f.type))
        elif kw == "enum":
            name = self.ident()
            self.enum_body(name)
            self.expect(";")
        elif kw == "struct":
            name = self.ident()
            self.struct_body(name)
            self.expect(";")
        elif kw == "union":
            name = self.ident()
            self.union_body(name)
            self.expect(";")
        else:
            self.i -= 1
            self.error("expected a definition")

    def add(self, d):
        d.module = self.module
        if d.name in self.schema.defs:
            self.error(f"{d.name} is defined twice")
        self.schema.add(d)

    # -- bodies
    def enum_body(self, name):
        self.expect("{")
        members = []
        while True:
            mname = self.ident()
            self.expect("=")
            v, _ = self.value()
            members.append((mname, v))
            self.schema.constants[mname] = v
            if self.accept("}"):
                break
            self.expect(",")
            if self.accept("}"):  # trailing comma
                break
        self.add(Enum(name, members))

    def struct_body(self, name):
        self.expect("{")
        fields = []
        while not self.accept("}"):
            fields.append(self.declaration(parent=name))
            self.expect(";")
        self.add(Struct(name, fields))

    def union_body(self, name, arm_scope=None):
        """Parse `switch (...) { ... }`.

        Anonymous types in the arms are named after `arm_scope`: the union's
        own name for a named union, the enclosing type's name for an
        anonymous one (xdrgen's rule: `SCPStatement.pledges.prepare` is
        `SCPStatementPrepare`, not `SCPStatementPledgesPrepare`).
        """
        arm_scope = arm_scope or name
        self.expect("switch")
        self.expect("(")
        disc_type = self.type_specifier(parent=name, fieldname="")
        disc_name = self.ident()
        self.expect(")")
        self.expect("{")
        arms, default = [], None
        while not self.accept("}"):
            cases, case_names, is_default = [], [], False
            while True:
                if self.accept("case"):
                    v, written = self.value()
                    self.expect(":")
                    cases.append(v)
                    case_names.append(written)
                elif self.accept("default"):
                    self.expect(":")
                    is_default = True
                else:
                    break
            if not cases and not is_default:
                self.error("expected case or default")
            f = None if self.accept("void") else self.declaration(parent=arm_scope)
            self.expect(";")
            if cases:
                arms.append(Arm(cases, case_names, f))
            if is_default:
                if default is not None:
                    self.error("two default arms")
                default = Arm([], [], f)
        self.add(Union_(name, Field(disc_name, disc_type), arms, default))

    # -- declarations
    def type_specifier(self, parent, fieldname):
        tok = self.peek()
        word = tok[1]
        if word == "unsigned":
            self.next()
            if self.accept("int"):
                return Prim("uint")
            if self.accept("hyper"):
                return Prim("uhyper")
            return Prim("uint")
        if word in ("int", "hyper", "bool"):
            self.next()
            return Prim(word)
        if word in ("float", "double", "quadruple"):
            self.error("floating point types are not supported")
        if word in ("struct", "union", "enum"):
            self.next()
            hoisted = parent + _cap(fieldname)
            if word == "union" and self.peek()[1] == "switch":
                self.union_body(hoisted, arm_scope=parent)
                return Named(hoisted)
            if self.peek()[1] == "{":
                getattr(self, f"{word}_body")(hoisted)
                return Named(hoisted)
            return Named(self.ident())  # `struct Foo x;` style reference
        return Named(self.ident())

    def declaration(self, parent):
        if self.peek()[1] == "opaque":
            self.next()
            name = self.ident()
            return Field(name, self.opaque_or_array(None, name, is_opaque=True))
        if self.peek()[1] == "string":
            self.next()
            name = self.ident()
            self.expect("<")
            size = None if self.peek()[1] == ">" else self.value()[0]
            self.expect(">")
            return Field(name, String(size))
        # a type specifier may hoist an anonymous type named after the field,
        # so look ahead for the field name first
        save = self.i
        depth = 0
        while True:  # find the declarator's identifier after the specifier
            tok = self.peek()
            if tok[0] == "eof":
                self.error("unterminated declaration")
            if tok[1] == "{":
                depth += 1
            elif tok[1] == "}":
                depth -= 1
                if depth < 0:
                    self.error("expected ';' after a declaration")
            elif depth == 0 and tok[1] in (";", "[", "<"):
                break
            self.i += 1
        name = self.toks[self.i - 1][1]
        self.i = save
        t = self.type_specifier(parent or "", name)
        if self.accept("*"):
            self.ident()
            return Field(name, Optional_(t))
        self.ident()
        if self.peek()[1] in ("[", "<"):
            return Field(name, self.opaque_or_array(t, name, is_opaque=False))
        return Field(name, t)

    def opaque_or_array(self, elem, name, is_opaque):
        if self.accept("["):
            size, _ = self.value()
            self.expect("]")
            fixed = True
        else:
            self.expect("<")
            size = None if self.peek()[1] == ">" else self.value()[0]
            self.expect(">")
            fixed = False
        if is_opaque:
            return Opaque(fixed, size)
        return Array(elem, fixed, size)


def parse_files(paths):
    """Parse `.x` files in dependency order and return one Schema.

    Each file's module name is derived from its file name:
    `Stellar-ledger-entries.x` becomes `ledger_entries`.
    """
    schema = Schema()
    schema.constants = {"TRUE": 1, "FALSE": 0}  # RFC 4506 boolean constants
    for path in paths:
        module = module_name(path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        p = _Parser(tokenize(text, path), module, schema, path)
        p.parse_file()
        schema.modules.append(module)
    validate(schema)
    return schema


def validate(schema):
    """Check what the grammar alone cannot: every referenced type exists and
    is usable where it is used, and every union's cases fit its switch."""
    from .model import Const, Enum, Named, Struct, Typedef, Union_

    def check_type(t, where):
        if isinstance(t, (Array, Optional_)):
            return check_type(t.elem, where)
        if isinstance(t, Named):
            d = schema.defs.get(t.name)
            if d is None:
                raise XdrSyntaxError(f"{where}: unknown type {t.name}")
            if isinstance(d, Const):
                raise XdrSyntaxError(f"{where}: {t.name} is a constant, not a type")
        if isinstance(t, (Array, Opaque, String)) and t.size is not None and not 0 <= t.size <= 0xFFFFFFFF:
            raise XdrSyntaxError(f"{where}: size {t.size} out of range")

    for d in list(schema.defs.values()):
        if isinstance(d, Typedef):
            check_type(d.type, d.name)
            seen, t = {d.name}, d.type
            while isinstance(t, Named) and isinstance(schema.defs[t.name], Typedef):
                if t.name in seen:
                    raise XdrSyntaxError(f"{d.name}: typedef cycle through {t.name}")
                seen.add(t.name)
                t = schema.defs[t.name].type
        elif isinstance(d, Struct):
            names = [f.name for f in d.fields]
            if len(set(names)) != len(names):
                raise XdrSyntaxError(f"{d.name}: duplicate field name")
            for f in d.fields:
                check_type(f.type, f"{d.name}.{f.name}")
        elif isinstance(d, Enum):
            if len({v for _, v in d.members}) != len(d.members):
                raise XdrSyntaxError(f"{d.name}: two members with the same value")
            for _, v in d.members:
                if not -0x80000000 <= v <= 0x7FFFFFFF:
                    raise XdrSyntaxError(f"{d.name}: value {v} out of the int range")
        elif isinstance(d, Union_):
            check_type(d.disc.type, f"{d.name}.{d.disc.name}")
            dt = schema.resolve(d.disc.type)
            members = None
            if isinstance(dt, Named) and isinstance(schema.defs[dt.name], Enum):
                members = {v for _, v in schema.defs[dt.name].members}
            elif not (isinstance(dt, Prim) and dt.name in ("int", "uint", "bool")):
                raise XdrSyntaxError(f"{d.name}: a union must switch on an enum, int, unsigned int or bool")
            cases = [c for a in d.arms for c in a.cases]
            if len(set(cases)) != len(cases):
                raise XdrSyntaxError(f"{d.name}: a case appears twice")
            if not cases and d.default is None:
                raise XdrSyntaxError(f"{d.name}: a union needs at least one arm")
            for c in cases:
                if members is not None and c not in members:
                    raise XdrSyntaxError(f"{d.name}: case {c} is not a value of {dt.name}")
            for a in d.arms + ([d.default] if d.default else []):
                if a.field is not None:
                    check_type(a.field.type, f"{d.name}.{a.field.name}")


def module_name(path):
    import os
    base = os.path.basename(path)
    if base.endswith(".x"):
        base = base[:-2]
    if base.startswith("Stellar-"):
        base = base[len("Stellar-"):]
    return base.replace("-", "_").lower()


_INCLUDE = re.compile(r'^%\s*#include\s+"xdr/(Stellar-[A-Za-z0-9-]+)\.h"', re.M)


def order_by_includes(paths):
    """Sort `.x` paths so that every file comes after the files it includes.

    Ties keep alphabetical order, so the result does not depend on how the
    directory listing happened to be ordered.
    """
    import os
    by_stem = {os.path.basename(p)[:-2]: p for p in paths}
    deps = {}
    for stem, p in by_stem.items():
        with open(p, encoding="utf-8") as f:
            deps[stem] = [d for d in _INCLUDE.findall(f.read()) if d in by_stem]
    done, out = set(), []

    def visit(stem, stack=()):
        if stem in done:
            return
        if stem in stack:
            raise XdrSyntaxError(f"include cycle through {stem}")
        for d in sorted(deps[stem]):
            visit(d, stack + (stem,))
        done.add(stem)
        out.append(by_stem[stem])

    for stem in sorted(by_stem):
        visit(stem)
    return out
