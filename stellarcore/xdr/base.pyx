# cython: language_level=3
"""What every generated XDR type shares.

Generated classes override three C-level methods: `_enc` (append the XDR to
a Writer), `_dec` (called on a prototype, returns a new decoded value) and
`_cmp` (xdrpp's ordering).  Everything user-facing (`to_xdr`, `from_xdr`,
`==`, `<`, `hash`, `repr`, copying, pickling) is written once here on top of
them.  Unions keep their switch tables in `_UNIONS`, registered by the
generated module, because extension types cannot take attributes after they
are created.

Ordering follows xdrpp's generated `operator<` (the order stellar-core's
bucket list and SCP depend on):
  * structs compare field by field in declaration order;
  * unions compare the discriminant first (as a signed number for enum and
    `int` switches, unsigned for `unsigned int`), then the active arm;
  * integers compare numerically (a negative int64 sorts before a positive);
  * enums compare by numeric value, bools false < true;
  * opaque data and strings compare bytewise unsigned, a proper prefix sorts
    first (length is not compared first);
  * arrays compare lexicographically element by element, prefix first;
  * an absent optional sorts before a present one.
"""
cimport cython
import base64 as _b64

from stellarcore.xdr.errors import XdrError
from stellarcore.xdr.buffer cimport Reader, Writer, fail_union

cdef dict _UNIONS = {}
cdef dict _STRUCTS = {}
cdef dict _PROTOS = {}
cdef object _MISSING = object()


@cython.no_gc
cdef class XdrBase:
    """Base of all generated XDR structs and unions."""

    cdef int _enc(self, Writer w) except -1:
        raise NotImplementedError

    cdef object _dec(self, Reader r, int depth):
        raise NotImplementedError

    cdef int _cmp(self, object other, int depth) except -2:
        raise NotImplementedError

    # ---- XDR in and out

    def to_xdr(self):
        """The XDR encoding of this value, as bytes."""
        cdef Writer w = Writer(256)
        _encode_top(w, self)
        return w.value()

    def encode_into(self, Writer writer):
        """Append this value's XDR to `writer` (a stellarcore.xdr.Writer)."""
        _encode_top(writer, self)

    def to_xdr_base64(self):
        return _b64.b64encode(self.to_xdr()).decode("ascii")

    @classmethod
    def from_xdr(cls, data):
        """Decode exactly one value from `data` (bytes-like); no trailing bytes."""
        cdef Reader r = Reader(data)
        cdef XdrBase proto = _proto(cls)
        try:
            v = proto._dec(r, 0)
            r.expect_end()
        except XdrError as e:
            e.push(cls.__name__)
            raise
        return v

    @classmethod
    def decode_from(cls, Reader reader):
        """Decode one value at the reader's position (for streams)."""
        cdef XdrBase proto = _proto(cls)
        try:
            return proto._dec(reader, 0)
        except XdrError as e:
            e.push(cls.__name__)
            raise

    @classmethod
    def from_xdr_base64(cls, data):
        return cls.from_xdr(_b64_bytes(data))

    # ---- comparisons (xdrpp semantics, see the module docstring)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return cmp_obj(self, other, 0) == 0

    def __ne__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return cmp_obj(self, other, 0) != 0

    def __lt__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return cmp_obj(self, other, 0) < 0

    def __le__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return cmp_obj(self, other, 0) <= 0

    def __gt__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return cmp_obj(self, other, 0) > 0

    def __ge__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return cmp_obj(self, other, 0) >= 0

    def compare(self, other):
        """-1, 0 or 1, as xdrpp's operator< orders the two values."""
        if type(other) is not type(self):
            raise TypeError(f"cannot compare {type(self).__name__} with {type(other).__name__}")
        return cmp_obj(self, other, 0)

    def __hash__(self):
        # Equal values have equal XDR (the encoding is canonical).
        return hash(self.to_xdr())

    # ---- copying and pickling

    def copy(self):
        """A deep copy (through XDR, which is also the fastest way here)."""
        cdef Writer w = Writer(256)
        cdef Reader r
        _encode_top(w, self)
        r = Reader(w.value())
        return self._dec(r, 0)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def __reduce__(self):
        return (_unpickle, (type(self), self.to_xdr()))


cdef int _encode_top(Writer w, XdrBase v) except -1:
    """Encode a whole value; errors become one XdrError naming the path."""
    cdef int depth = w.depth
    try:
        enc_obj(w, v, type(v).__name__)
    except XdrError as e:
        w.depth = depth
        e.push(type(v).__name__)
        raise
    except RecursionError:
        w.depth = depth
        raise XdrError(f"{type(v).__name__}: value nested too deeply to encode") from None
    return 0


def _b64_bytes(data):
    try:
        return _b64.b64decode(data, validate=True)
    except (ValueError, TypeError) as e:
        raise XdrError(f"invalid base64: {e}") from None


def _unpickle(cls, data):
    return cls.from_xdr(data)


cdef XdrBase _proto(cls):
    p = _PROTOS.get(cls)
    if p is None:
        if not (isinstance(cls, type) and issubclass(cls, XdrBase)) or cls in (XdrBase, XdrStruct, XdrUnion):
            raise TypeError(f"{cls!r} is not a generated XDR type")
        p = cls.__new__(cls)
        _PROTOS[cls] = p
    return <XdrBase>p


@cython.no_gc
cdef class XdrStruct(XdrBase):
    """Base of generated structs.  Fields are typed C attributes with properties."""

    def __repr__(self):
        names = _STRUCTS.get(type(self), ())
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{type(self).__name__}({inner})"

    def xdr_fields(self):
        """The (python attribute name, value) pairs, in declaration order."""
        return [(n, getattr(self, n)) for n in _STRUCTS.get(type(self), ())]


def register_struct(cls, tuple names):
    _STRUCTS[cls] = names


class UnionInfo:
    """Switch table of one union type (registered by the generated module)."""
    __slots__ = ("disc_name", "members", "disc_range", "arm_of", "cases_of",
                 "default_arm", "has_default", "defaults", "first_case")

    def __init__(self, disc_name, members, disc_range, arms, default_arm, has_default, defaults):
        self.disc_name = disc_name
        self.members = members          # enum value -> member, or None for an int switch
        self.disc_range = disc_range    # (lo, hi) allowed for an int/uint/bool switch
        self.arm_of = {}                # discriminant -> arm attribute name (None = void)
        self.cases_of = {}              # arm attribute name -> [discriminants]
        for cases, arm in arms:
            for c in cases:
                self.arm_of[c] = arm
            if arm is not None:
                self.cases_of.setdefault(arm, []).extend(cases)
        self.default_arm = default_arm
        self.has_default = has_default
        self.defaults = defaults        # arm attribute name -> zero-argument factory
        self.first_case = arms[0][0][0] if arms else 0


def register_union(cls, info):
    _UNIONS[cls] = info


@cython.no_gc
cdef class XdrUnion(XdrBase):
    """Base of generated unions: a discriminant and the active arm's value.

    Construct with the discriminant and/or the arm by keyword, e.g.
    ``Asset(type=AssetType.ASSET_TYPE_CREDIT_ALPHANUM4, alphaNum4=...)``,
    ``Asset(alphaNum4=...)`` (the discriminant is implied when the arm has
    exactly one case) or positionally ``Asset(AssetType.ASSET_TYPE_NATIVE)``.
    An arm left out gets its zero value, as xdrpp does.  Reading an arm that
    is not active gives None.
    """

    def __init__(self, *args, **kwargs):
        info = _UNIONS[type(self)]
        disc = _MISSING
        arm_name, value = None, _MISSING
        if len(args) > 2:
            raise TypeError(f"{type(self).__name__}() takes at most 2 positional arguments")
        if args:
            disc = args[0]
            if len(args) == 2:
                value = args[1]
        for k, v in kwargs.items():
            if k == info.disc_name:
                if disc is not _MISSING:
                    raise TypeError(f"{type(self).__name__}(): discriminant given twice")
                disc = v
            elif k in info.cases_of or k == info.default_arm:
                if value is not _MISSING:
                    raise TypeError(f"{type(self).__name__}(): more than one arm given")
                arm_name, value = k, v
            else:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument {k!r}")
        if disc is _MISSING:
            if arm_name is not None and len(info.cases_of.get(arm_name, ())) == 1:
                disc = info.cases_of[arm_name][0]
            elif arm_name is not None:
                raise TypeError(f"{type(self).__name__}(): arm {arm_name!r} needs "
                                f"an explicit {info.disc_name!r}")
            else:
                disc = info.first_case
        self._set_disc(disc)
        if value is not _MISSING:
            if arm_name is not None and self._arm_name() != arm_name:
                raise XdrError(f"{type(self).__name__}: arm {arm_name!r} does not match "
                               f"{info.disc_name}={self._disc_obj()!r}")
            if arm_name is None and self._arm_name() is None:
                raise XdrError(f"{type(self).__name__}: {info.disc_name}="
                               f"{self._disc_obj()!r} is a void arm")
            self._v = value

    def _disc_obj(self):
        info = _UNIONS[type(self)]
        if info.members is not None:
            return info.members[self._d]
        return self._d

    def _arm_name(self):
        """Attribute name of the active arm, or None when it is void."""
        info = _UNIONS[type(self)]
        if self._d in info.arm_of:
            return info.arm_of[self._d]
        return info.default_arm

    def _set_disc(self, v):
        info = _UNIONS[type(self)]
        if isinstance(v, str) and info.members is not None:
            for m in info.members.values():
                if m.name == v:
                    v = m
                    break
        if not isinstance(v, int):
            raise XdrError(f"{type(self).__name__}: discriminant must be an int, got {type(v).__name__}")
        if info.members is not None and v not in info.members:
            raise XdrError(f"{type(self).__name__}: {v} is not a valid {info.disc_name}")
        if info.members is None:
            lo, hi = info.disc_range
            if not lo <= v <= hi:
                raise XdrError(f"{type(self).__name__}: discriminant {v} out of range")
        if v not in info.arm_of and not info.has_default:
            fail_union(type(self).__name__, v)
        self._d = int(v)
        arm = self._arm_name()
        self._v = info.defaults[arm]() if arm is not None else None

    def _set_arm(self, str name, value):
        info = _UNIONS[type(self)]
        if self._arm_name() == name:
            self._v = value
            return
        cases = info.cases_of.get(name, ())
        if len(cases) == 1:
            self._d = cases[0]
            self._v = value
            return
        raise XdrError(f"{type(self).__name__}: set {info.disc_name} before arm {name!r} "
                       f"(it is not the active arm)")

    def xdr_arm(self):
        """Attribute name of the active arm (None for a void arm)."""
        return self._arm_name()

    def xdr_value(self):
        """The active arm's value (None for a void arm)."""
        return self._v

    def xdr_disc(self):
        """The discriminant: an IntEnum member, or an int for int switches."""
        return self._disc_obj()

    def __repr__(self):
        info = _UNIONS[type(self)]
        arm = self._arm_name()
        disc = f"{info.disc_name}={self._disc_obj()!r}"
        if arm is None:
            return f"{type(self).__name__}({disc})"
        return f"{type(self).__name__}({disc}, {arm}={self._v!r})"


# ---------------------------------------------------------------- helpers

cdef int32_t enum_value(dict members, object v, str name) except? -2147483648:
    if isinstance(v, int) and not isinstance(v, bool) and v in members:
        return v
    if isinstance(v, str):
        for m in members.values():
            if m.name == v:
                return m
    raise XdrError(f"{v!r} is not a value of enum {name}")


cdef int push_path(object exc, str segment) except -1:
    exc.push(segment)
    return 0


cdef int push_index(object exc, Py_ssize_t i) except -1:
    exc.push(f"[{i}]")
    return 0


cdef int push_arm(object exc, XdrUnion u) except -1:
    """Add the active arm's name to the path (nothing when there is no arm)."""
    arm = u._arm_name()
    if arm:
        exc.push(arm)
    return 0


cdef object encode_error(object exc, str segment):
    """Turn a TypeError/OverflowError from a bad field value into an XdrError."""
    if isinstance(exc, XdrError):
        exc.push(segment)
        return exc
    err = XdrError(f"{type(exc).__name__}: {exc}")
    if segment:
        err.push(segment)
    return err


# ---------------------------------------------------------------- typedef codecs

cdef class AliasCodec:
    """Encode/decode for a typedef of a non-class type (`Hash`, `SCVec`...).

    Offers the same calls a generated class does: `to_xdr(value)`,
    `from_xdr(data)`, `decode_from(reader)`, `encode_into(value, writer)`.
    """

    def to_xdr(self, value):
        cdef Writer w = Writer(64)
        try:
            self.enc(w, value)
        except RecursionError:
            raise XdrError(f"{self.name}: value nested too deeply to encode") from None
        except XdrError as e:
            e.push(self.name)
            raise
        except (TypeError, OverflowError) as e:
            raise encode_error(e, self.name) from None
        return w.value()

    def encode_into(self, value, Writer writer):
        cdef int depth = writer.depth
        try:
            self.enc(writer, value)
        except XdrError as e:
            writer.depth = depth
            e.push(self.name)
            raise
        except (TypeError, OverflowError) as e:
            writer.depth = depth
            raise encode_error(e, self.name) from None

    def from_xdr(self, data):
        cdef Reader r = Reader(data)
        try:
            v = self.dec(r, 0)
            r.expect_end()
        except XdrError as e:
            e.push(self.name)
            raise
        return v

    def decode_from(self, Reader reader):
        try:
            return self.dec(reader, 0)
        except XdrError as e:
            e.push(self.name)
            raise

    def from_xdr_base64(self, data):
        return self.from_xdr(_b64_bytes(data))

    def compare(self, a, b):
        return self.cmp(a, b, 0)

    def __repr__(self):
        return f"<XDR typedef {self.name}>"


cdef AliasCodec make_alias(str name, enc_fn enc, dec_fn dec, cmp_fn cmp):
    cdef AliasCodec c = AliasCodec.__new__(AliasCodec)
    c.name = name
    c.enc = enc
    c.dec = dec
    c.cmp = cmp
    return c
