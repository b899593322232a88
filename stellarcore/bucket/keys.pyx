# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Bucket key order over raw XDR bytes: order keys.

Why: stellar-core sorts bucket entries with `BucketEntryIdCmp` (METAENTRY
first, then `LedgerEntryIdCmp` on the entries' identities), and the merge,
the bucket index and point lookups compare millions of entries.  Decoding
each record into Python objects only to compare it would dominate a merge,
so this module reads the XDR bytes of a LedgerKey, LedgerEntry, BucketEntry
or HotArchiveBucketEntry in C and turns the identity of the entry into an
*order key*: a byte string such that

* comparing two order keys as bytes (memcmp, a proper prefix first, i.e.
  Python's `bytes` order) gives `LedgerEntryIdCmp` / `BucketEntryIdCmp`
  order, and
* two order keys are equal exactly when the two entries have the same
  LedgerKey (so DEAD, LIVE and INIT records of one key compare equal).

`LedgerEntryIdCmp` compares the type and then the key fields with xdrpp's
`operator<`, which is `operator<` of the LedgerKey (PARITY_TRAPS X1).  That
order is *not* the order of the XDR bytes (signed integers, length prefixes
before byte strings), hence the re-encoding.  Each piece below is
order-preserving and self-delimiting (no encoding of a value is a proper
prefix of another value of the same type), so a concatenation compares field
by field as xdrpp's `struct_lt_helper` does:

* enums and enum union discriminants: one byte (every key enum is validated
  to lie in 0..21, so its numeric order is its byte order);
* unsigned integers: big-endian; signed integers: big-endian with the sign
  bit flipped (a negative int64 sorts first);
* bool: one byte 0/1 (false < true);
* fixed opaque (hashes, keys, asset codes): as is;
* variable opaque and strings: each 0x00 written as 0x00 0xFF, then the
  terminator 0x00 0x00, so "a" < "a\\x00" < "a\\x01" < "b" (xdrpp compares
  with std::lexicographical_compare / std::string, unsigned, prefix first);
* arrays: 0x01 before every element, 0x00 at the end (prefix first);
* optionals (xdrpp `pointer`): 0x00 absent, 0x01 + value present (a null
  pointer is less than any non-null one).

A METAENTRY's order key is empty, which sorts before every other key.

Only the key fields are read: for a LedgerEntry, the fields up to the end of
the key (the ExtensionPoint before a contract data key and the `ext` union,
with its v1 cost inputs, before a contract code hash are read and checked;
lastModifiedLedgerSeq is skipped) -- the rest of the body is neither read
nor validated, that is the codec's job.  Whatever is read is checked as
strictly as the decoder does (truncation, enum values, union arms, bools,
padding, maximum lengths, nesting depth counted as the decoder counts it,
trailing bytes after a LedgerKey or metadata that is the whole input), and
every failure is an XdrError, never a crash.
"""
from libc.stdint cimport uint8_t, int32_t, uint32_t, int64_t, uint64_t
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memcpy, memchr
from cpython.bytes cimport (PyBytes_FromStringAndSize, PyBytes_AS_STRING,
                            PyBytes_GET_SIZE, PyBytes_CheckExact)
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE

from stellarcore.xdr.buffer cimport sc_ld32, sc_ld64, sc_st32, sc_st64, MAX_DEPTH

from stellarcore.xdr.errors import XdrError

__all__ = [
    "ledger_key_order_key", "ledger_entry_order_key", "bucket_entry_order_key",
    "hot_archive_entry_order_key", "ledger_key_of_entry", "bucket_entry_ledger_key",
    "hot_archive_entry_ledger_key", "compare_bucket_entries",
]

cdef enum:                      # LedgerEntryType
    T_ACCOUNT = 0
    T_TRUSTLINE = 1
    T_OFFER = 2
    T_DATA = 3
    T_CLAIMABLE_BALANCE = 4
    T_LIQUIDITY_POOL = 5
    T_CONTRACT_DATA = 6
    T_CONTRACT_CODE = 7
    T_CONFIG_SETTING = 8
    T_TTL = 9

cdef extern from *:
    """
    #define SCK_SIGN32 0x80000000u
    #define SCK_SIGN64 0x8000000000000000ull
    #define SCK_U32_MAX 0xFFFFFFFFu
    """
    const uint32_t SIGN32 "SCK_SIGN32"
    const uint64_t SIGN64 "SCK_SIGN64"
    const uint32_t U32_MAX "SCK_U32_MAX"


# ---------------------------------------------------------------- buffer

cdef int keybuf_init(KeyBuf *kb, Py_ssize_t cap) except -1:
    """Give a (zeroed or freed) KeyBuf `cap` bytes of room."""
    kb.data = NULL
    kb.len = 0
    kb.cap = 0
    kb.err = KEY_OK
    if cap > 0:
        kb.data = <unsigned char *>malloc(<size_t>cap)
        if kb.data == NULL:
            raise MemoryError()
        kb.cap = cap
    return 0


cdef void keybuf_free(KeyBuf *kb) noexcept nogil:
    free(kb.data)
    kb.data = NULL
    kb.len = 0
    kb.cap = 0


cdef int keybuf_raise(KeyBuf *kb, str type_name) except -1:
    """Raise the XdrError describing kb's last failure."""
    cdef int code = kb.err
    cdef str what = kb.err_type.decode("ascii") if kb.err_type != NULL else "?"
    if code == KEY_ERR_NOMEM:
        raise MemoryError()
    if code == KEY_ERR_TRUNCATED:
        msg = (f"truncated input: need {kb.err_value} bytes at offset {kb.err_pos}, "
               f"{kb.err_left} left")
    elif code == KEY_ERR_ENUM:
        msg = f"{kb.err_value} is not a value of enum {what}"
    elif code == KEY_ERR_UNION:
        msg = f"union {what} has no arm for discriminant {kb.err_value}"
    elif code == KEY_ERR_BOOL:
        msg = f"bool must be 0 or 1, got {kb.err_value}"
    elif code == KEY_ERR_PADDING:
        msg = "nonzero padding bytes"
    elif code == KEY_ERR_TOO_LONG:
        msg = f"length {kb.err_value} exceeds the maximum {kb.err_limit}"
    elif code == KEY_ERR_DEPTH:
        msg = f"nesting deeper than {MAX_DEPTH} levels"
    elif code == KEY_ERR_TRAILING:
        msg = f"{kb.err_left} trailing bytes after the value"
    else:
        msg = f"invalid input (error {code})"
    if kb.err_pos >= 0 and code not in (KEY_ERR_TRUNCATED, KEY_ERR_TRAILING):
        msg += f" (at offset {kb.err_pos})"
    raise XdrError(msg, [type_name] if type_name else None)


# ---------------------------------------------------------------- cursor

ctypedef struct Cur:
    const uint8_t *p
    Py_ssize_t pos
    Py_ssize_t end
    KeyBuf *kb
    bint emit          # write the order key into kb (else only read and check)


cdef inline void _start(Cur *c, const uint8_t *p, Py_ssize_t n, KeyBuf *kb, bint emit) noexcept nogil:
    c.p = p
    c.pos = 0
    c.end = n if n > 0 else 0
    c.kb = kb
    c.emit = emit
    kb.len = 0
    kb.err = KEY_OK
    kb.err_pos = -1
    kb.err_left = 0
    kb.err_value = 0
    kb.err_limit = 0
    kb.err_type = NULL


cdef int _fail(Cur *c, int code, Py_ssize_t at, int64_t value, const char *what) noexcept nogil:
    cdef KeyBuf *kb = c.kb
    if kb.err == KEY_OK:       # the first failure is the one reported
        kb.err = code
        kb.err_pos = at
        kb.err_left = c.end - at
        kb.err_value = value
        kb.err_type = what
    return -1


cdef int _truncated(Cur *c, Py_ssize_t need) noexcept nogil:
    return _fail(c, KEY_ERR_TRUNCATED, c.pos, need, NULL)


cdef inline int _enter(Cur *c, int depth) noexcept nogil:
    """One more level of nesting (struct, union, array, optional), as the
    decoder counts them; the new depth, or -1 past MAX_DEPTH."""
    if depth >= MAX_DEPTH:
        return _fail(c, KEY_ERR_DEPTH, c.pos, depth, NULL)
    return depth + 1


cdef inline int _rd_u32(Cur *c, uint32_t *v) noexcept nogil:
    if c.end - c.pos < 4:
        return _truncated(c, 4)
    v[0] = sc_ld32(c.p + c.pos)
    c.pos += 4
    return 0


cdef inline int _rd_enum(Cur *c, int32_t lo, int32_t hi, const char *name, int32_t *v) noexcept nogil:
    cdef int32_t s
    if c.end - c.pos < 4:
        return _truncated(c, 4)
    s = <int32_t>sc_ld32(c.p + c.pos)
    if s < lo or s > hi:
        return _fail(c, KEY_ERR_ENUM, c.pos, s, name)
    c.pos += 4
    v[0] = s
    return 0


cdef inline int _rd_arm(Cur *c, int32_t hi, const char *name, int32_t *v) noexcept nogil:
    """An `int` union discriminant whose arms are 0..hi."""
    cdef int32_t s
    if c.end - c.pos < 4:
        return _truncated(c, 4)
    s = <int32_t>sc_ld32(c.p + c.pos)
    if s < 0 or s > hi:
        return _fail(c, KEY_ERR_UNION, c.pos, s, name)
    c.pos += 4
    v[0] = s
    return 0


cdef inline int _rd_bool(Cur *c, bint *v) noexcept nogil:
    cdef uint32_t u
    if c.end - c.pos < 4:
        return _truncated(c, 4)
    u = sc_ld32(c.p + c.pos)
    if u > 1:
        return _fail(c, KEY_ERR_BOOL, c.pos, u, NULL)
    c.pos += 4
    v[0] = u
    return 0


cdef inline int _skip(Cur *c, Py_ssize_t k) noexcept nogil:
    if c.end - c.pos < k:
        return _truncated(c, k)
    c.pos += k
    return 0


cdef inline int _expect_end(Cur *c) noexcept nogil:
    if c.pos != c.end:
        return _fail(c, KEY_ERR_TRAILING, c.pos, 0, NULL)
    return 0


# ---------------------------------------------------------------- emitting

cdef int _grow(KeyBuf *kb, Py_ssize_t k) noexcept nogil:
    cdef Py_ssize_t want = kb.len + k
    cdef Py_ssize_t cap = kb.cap * 2
    cdef unsigned char *q
    if cap < want:
        cap = want
    if cap < 64:
        cap = 64
    q = <unsigned char *>realloc(kb.data, <size_t>cap)
    if q == NULL:
        if kb.err == KEY_OK:
            kb.err = KEY_ERR_NOMEM
        return -1
    kb.data = q
    kb.cap = cap
    return 0


cdef inline int _room(Cur *c, Py_ssize_t k) noexcept nogil:
    if c.kb.cap - c.kb.len >= k:
        return 0
    return _grow(c.kb, k)


cdef inline int _e1(Cur *c, unsigned char b) noexcept nogil:
    if not c.emit:
        return 0
    if _room(c, 1) < 0:
        return -1
    c.kb.data[c.kb.len] = b
    c.kb.len += 1
    return 0


cdef inline int _eraw(Cur *c, const uint8_t *s, Py_ssize_t n) noexcept nogil:
    if not c.emit:
        return 0
    if _room(c, n) < 0:
        return -1
    memcpy(c.kb.data + c.kb.len, s, <size_t>n)
    c.kb.len += n
    return 0


cdef int _eesc(Cur *c, const uint8_t *s, Py_ssize_t n) noexcept nogil:
    """A byte string: 0x00 as 0x00 0xFF, then the terminator 0x00 0x00."""
    cdef unsigned char *out
    cdef const uint8_t *z
    cdef Py_ssize_t k
    if not c.emit:
        return 0
    if _room(c, 2 * n + 2) < 0:
        return -1
    out = c.kb.data + c.kb.len
    while n > 0:
        z = <const uint8_t *>memchr(s, 0, <size_t>n)
        if z == NULL:
            memcpy(out, s, <size_t>n)
            out += n
            break
        k = z - s
        memcpy(out, s, <size_t>k)
        out += k
        out[0] = 0
        out[1] = 0xFF
        out += 2
        s += k + 1
        n -= k + 1
    out[0] = 0
    out[1] = 0
    out += 2
    c.kb.len = out - c.kb.data
    return 0


# ---------------------------------------------------------------- key pieces
# Each reads one XDR value at c.pos, checks it and appends its order
# encoding; `depth` is the nesting depth of the enclosing value.

cdef inline int _fixed(Cur *c, Py_ssize_t n) noexcept nogil:
    """Fixed opaque of n bytes, n a multiple of 4 (no padding)."""
    if c.end - c.pos < n:
        return _truncated(c, n)
    if _eraw(c, c.p + c.pos, n) < 0:
        return -1
    c.pos += n
    return 0


cdef inline int _u32(Cur *c) noexcept nogil:
    return _fixed(c, 4)         # big-endian already


cdef inline int _u64(Cur *c) noexcept nogil:
    return _fixed(c, 8)


cdef inline int _i32(Cur *c) noexcept nogil:
    cdef unsigned char b[4]
    if c.end - c.pos < 4:
        return _truncated(c, 4)
    sc_st32(b, sc_ld32(c.p + c.pos) ^ SIGN32)
    c.pos += 4
    return _eraw(c, b, 4)


cdef inline int _i64(Cur *c) noexcept nogil:
    cdef unsigned char b[8]
    if c.end - c.pos < 8:
        return _truncated(c, 8)
    sc_st64(b, sc_ld64(c.p + c.pos) ^ SIGN64)
    c.pos += 8
    return _eraw(c, b, 8)


cdef inline int _enum1(Cur *c, int32_t hi, const char *name, int32_t *v) noexcept nogil:
    """An enum of 0..hi (hi < 256), or an enum union discriminant: one byte."""
    if _rd_enum(c, 0, hi, name, v) < 0:
        return -1
    return _e1(c, <unsigned char>v[0])


cdef int _var(Cur *c, uint32_t limit) noexcept nogil:
    """Variable opaque or string with maximum length `limit`."""
    cdef uint32_t n
    cdef Py_ssize_t padded, i
    cdef const uint8_t *s
    if c.end - c.pos < 4:
        return _truncated(c, 4)
    n = sc_ld32(c.p + c.pos)
    if n > limit:
        _fail(c, KEY_ERR_TOO_LONG, c.pos, n, NULL)
        c.kb.err_limit = limit
        return -1
    c.pos += 4
    if (<uint64_t>n + 3) & ~(<uint64_t>3) > <uint64_t>(c.end - c.pos):
        return _truncated(c, <Py_ssize_t>((<uint64_t>n + 3) & ~(<uint64_t>3)))
    padded = (<Py_ssize_t>n + 3) & ~(<Py_ssize_t>3)
    s = c.p + c.pos
    for i in range(<Py_ssize_t>n, padded):
        if s[i] != 0:
            return _fail(c, KEY_ERR_PADDING, c.pos + i, 0, NULL)
    c.pos += padded
    return _eesc(c, s, n)


cdef int _ext_point(Cur *c, int depth) noexcept nogil:
    """ExtensionPoint: only arm 0 (void)."""
    cdef int32_t v
    if _enter(c, depth) < 0:
        return -1
    return _rd_arm(c, 0, "ExtensionPoint", &v)


cdef int _public_key(Cur *c, int depth) noexcept nogil:
    """PublicKey (AccountID): type byte, 32 bytes."""
    cdef int32_t t
    if _enter(c, depth) < 0:
        return -1
    if _enum1(c, 0, "PublicKeyType", &t) < 0:
        return -1
    return _fixed(c, 32)


cdef int _balance_id(Cur *c, int depth) noexcept nogil:
    """ClaimableBalanceID: type byte, 32 bytes."""
    cdef int32_t t
    if _enter(c, depth) < 0:
        return -1
    if _enum1(c, 0, "ClaimableBalanceIDType", &t) < 0:
        return -1
    return _fixed(c, 32)


cdef int _trustline_asset(Cur *c, int depth) noexcept nogil:
    cdef int32_t t
    cdef int d = _enter(c, depth)
    if d < 0 or _enum1(c, 3, "AssetType", &t) < 0:
        return -1
    if t == 0:                                  # native
        return 0
    if t == 3:                                  # pool share: PoolID
        return _fixed(c, 32)
    if _enter(c, d) < 0:                        # AlphaNum4 / AlphaNum12
        return -1
    if _fixed(c, 4 if t == 1 else 12) < 0:
        return -1
    return _public_key(c, d + 1)


cdef int _sc_address(Cur *c, int depth) noexcept nogil:
    cdef int32_t t
    cdef int d = _enter(c, depth)
    if d < 0 or _enum1(c, 4, "SCAddressType", &t) < 0:
        return -1
    if t == 0:
        return _public_key(c, d)
    if t == 2:                                  # MuxedEd25519Account {uint64 id; uint256}
        if _enter(c, d) < 0 or _u64(c) < 0:
            return -1
        return _fixed(c, 32)
    if t == 3:
        return _balance_id(c, d)
    return _fixed(c, 32)                        # contract / liquidity pool id


cdef int _sc_error(Cur *c, int depth) noexcept nogil:
    cdef int32_t t, code
    if _enter(c, depth) < 0 or _enum1(c, 9, "SCErrorType", &t) < 0:
        return -1
    if t == 0:                                  # SCE_CONTRACT: uint32 contractCode
        return _u32(c)
    return _enum1(c, 9, "SCErrorCode", &code)


cdef int _opt_array(Cur *c, int depth, bint is_map) noexcept nogil:
    """SCVec* / SCMap*: presence byte, then 0x01 before every element and
    0x00 at the end."""
    cdef bint present
    cdef int d
    cdef uint32_t n, i
    if _rd_bool(c, &present) < 0 or _e1(c, present) < 0:
        return -1
    if not present:
        return 0
    d = _enter(c, depth)                        # the optional
    if d < 0:
        return -1
    d = _enter(c, d)                            # the array
    if d < 0 or _rd_u32(c, &n) < 0:
        return -1
    if <uint64_t>n * (8 if is_map else 4) > <uint64_t>(c.end - c.pos):
        return _truncated(c, <Py_ssize_t>(<uint64_t>n * (8 if is_map else 4)))
    for i in range(n):
        if _e1(c, 1) < 0:
            return -1
        if is_map:                              # SCMapEntry {SCVal key; SCVal val}
            if _enter(c, d) < 0 or _sc_val(c, d + 1) < 0 or _sc_val(c, d + 1) < 0:
                return -1
        elif _sc_val(c, d) < 0:
            return -1
    return _e1(c, 0)


cdef int _sc_val(Cur *c, int depth) noexcept nogil:
    cdef int32_t t, ex
    cdef bint b
    cdef int d = _enter(c, depth)
    if d < 0 or _enum1(c, 21, "SCValType", &t) < 0:
        return -1
    if t == 0:                                  # SCV_BOOL
        if _rd_bool(c, &b) < 0:
            return -1
        return _e1(c, b)
    if t == 1 or t == 20:                       # SCV_VOID, SCV_LEDGER_KEY_CONTRACT_INSTANCE
        return 0
    if t == 2:
        return _sc_error(c, d)
    if t == 3:                                  # u32
        return _u32(c)
    if t == 4:                                  # i32
        return _i32(c)
    if t == 5 or t == 7 or t == 8:              # u64, timepoint, duration
        return _u64(c)
    if t == 6:                                  # i64
        return _i64(c)
    if t == 9:                                  # UInt128Parts {uint64 hi, lo}
        if _enter(c, d) < 0:
            return -1
        return _fixed(c, 16)
    if t == 10:                                 # Int128Parts {int64 hi; uint64 lo}
        if _enter(c, d) < 0 or _i64(c) < 0:
            return -1
        return _fixed(c, 8)
    if t == 11:                                 # UInt256Parts: 4 x uint64
        if _enter(c, d) < 0:
            return -1
        return _fixed(c, 32)
    if t == 12:                                 # Int256Parts {int64 hi_hi; 3 x uint64}
        if _enter(c, d) < 0 or _i64(c) < 0:
            return -1
        return _fixed(c, 24)
    if t == 13 or t == 14:                      # bytes, string
        return _var(c, U32_MAX)
    if t == 15:                                 # symbol
        return _var(c, 32)
    if t == 16:
        return _opt_array(c, d, False)
    if t == 17:
        return _opt_array(c, d, True)
    if t == 18:
        return _sc_address(c, d)
    if t == 19:                                 # SCContractInstance {executable; SCMap* storage}
        d = _enter(c, d)
        if d < 0:
            return -1
        if _enter(c, d) < 0 or _enum1(c, 1, "ContractExecutableType", &ex) < 0:
            return -1
        if ex == 0 and _fixed(c, 32) < 0:       # wasm hash
            return -1
        return _opt_array(c, d, True)
    # t == 21: SCNonceKey {int64 nonce}
    if _enter(c, d) < 0:
        return -1
    return _i64(c)


cdef int _key_fields(Cur *c, int32_t t, int depth) noexcept nogil:
    """The key fields of arm `t`, as laid out in both LedgerKey and the
    entry structs; `depth` is the depth of the enclosing arm struct."""
    cdef int32_t v
    if t == T_ACCOUNT:
        return _public_key(c, depth)
    if t == T_TRUSTLINE:
        if _public_key(c, depth) < 0:
            return -1
        return _trustline_asset(c, depth)
    if t == T_OFFER:
        if _public_key(c, depth) < 0:
            return -1
        return _i64(c)
    if t == T_DATA:
        if _public_key(c, depth) < 0:
            return -1
        return _var(c, 64)                      # string64 dataName
    if t == T_CLAIMABLE_BALANCE:
        return _balance_id(c, depth)
    if t == T_CONTRACT_DATA:
        if _sc_address(c, depth) < 0 or _sc_val(c, depth) < 0:
            return -1
        return _enum1(c, 1, "ContractDataDurability", &v)
    if t == T_CONFIG_SETTING:
        return _enum1(c, 16, "ConfigSettingID", &v)
    # LIQUIDITY_POOL (PoolID), CONTRACT_CODE (Hash), TTL (keyHash)
    return _fixed(c, 32)


cdef int _ledger_key(Cur *c, int depth) noexcept nogil:
    """LedgerKey: type byte, then the arm's fields."""
    cdef int32_t t
    cdef int d = _enter(c, depth)
    if d < 0 or _enum1(c, 9, "LedgerEntryType", &t) < 0:
        return -1
    d = _enter(c, d)                            # the arm struct (LedgerKeyAccount, ...)
    if d < 0:
        return -1
    return _key_fields(c, t, d)


cdef int _ledger_entry(Cur *c, int depth, int32_t *type_out,
                       Py_ssize_t *key_start) noexcept nogil:
    """LedgerEntry, read up to the end of its key fields: the type byte and
    the key fields.  Sets the type and where the key fields start."""
    cdef int32_t t, v
    cdef int d = _enter(c, depth)               # LedgerEntry
    if d < 0 or _skip(c, 4) < 0:                # lastModifiedLedgerSeq
        return -1
    d = _enter(c, d)                            # LedgerEntryData
    if d < 0 or _enum1(c, 9, "LedgerEntryType", &t) < 0:
        return -1
    type_out[0] = t
    d = _enter(c, d)                            # the entry struct / ConfigSettingEntry union
    if d < 0:
        return -1
    if t == T_CONTRACT_DATA:                    # ContractDataEntry: ExtensionPoint ext first
        if _ext_point(c, d) < 0:
            return -1
    elif t == T_CONTRACT_CODE:                  # ContractCodeEntry: ext union first
        if _enter(c, d) < 0 or _rd_arm(c, 1, "ContractCodeEntryExt", &v) < 0:
            return -1
        if v == 1:                              # {ExtensionPoint; ContractCodeCostInputs}
            if _enter(c, d + 1) < 0 or _ext_point(c, d + 2) < 0:
                return -1
            if _enter(c, d + 2) < 0 or _ext_point(c, d + 3) < 0:
                return -1
            if _skip(c, 40) < 0:                # 10 x uint32
                return -1
    key_start[0] = c.pos
    return _key_fields(c, t, d)


# ---------------------------------------------------------------- the API (C)

cdef Py_ssize_t ledger_key_order_key_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil:
    """Order key of a LedgerKey (the whole input)."""
    cdef Cur c
    _start(&c, p, n, kb, True)
    if _ledger_key(&c, 0) < 0 or _expect_end(&c) < 0:
        return -1
    return kb.len


cdef Py_ssize_t ledger_entry_order_key_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil:
    """Order key of a LedgerEntry (read up to the end of its key fields)."""
    cdef Cur c
    cdef int32_t t
    cdef Py_ssize_t ks
    _start(&c, p, n, kb, True)
    if _ledger_entry(&c, 0, &t, &ks) < 0:
        return -1
    return kb.len


cdef int _bucket_metadata(Cur *c, int depth) noexcept nogil:
    """BucketMetadata {uint32 ledgerVersion; union switch (int v) {0: void;
    1: BucketListType}}, which must end the input."""
    cdef int32_t v, blt
    cdef int d = _enter(c, depth)
    if d < 0 or _skip(c, 4) < 0:
        return -1
    if _enter(c, d) < 0 or _rd_arm(c, 1, "BucketMetadataExt", &v) < 0:
        return -1
    if v == 1 and _rd_enum(c, 0, 1, "BucketListType", &blt) < 0:
        return -1
    return _expect_end(c)


cdef int _bucket_entry(Cur *c, bint hot, int32_t *type_out, Py_ssize_t *key_start) noexcept nogil:
    """BucketEntry (hot=0) or HotArchiveBucketEntry (hot=1), read as far as
    its key.  Returns 0 for a meta entry, 1 for an entry holding a
    LedgerEntry (LIVE/INIT, ARCHIVED; sets its type and where its key fields
    start), 2 for one holding a LedgerKey (DEAD, HOT_ARCHIVE_LIVE; it must
    end the input), -1 on failure."""
    cdef int32_t t
    if hot:
        if _rd_enum(c, -1, 1, "HotArchiveBucketEntryType", &t) < 0:
            return -1
    elif _rd_enum(c, -1, 2, "BucketEntryType", &t) < 0:
        return -1
    if t == -1:                                 # METAENTRY / HOT_ARCHIVE_METAENTRY
        if _bucket_metadata(c, 1) < 0:
            return -1
        return 0
    if t == 1:                                  # DEADENTRY / HOT_ARCHIVE_LIVE
        if _ledger_key(c, 1) < 0 or _expect_end(c) < 0:
            return -1
        return 2
    if _ledger_entry(c, 1, type_out, key_start) < 0:
        return -1
    return 1


cdef Py_ssize_t bucket_entry_order_key_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil:
    """Order key of a BucketEntry: 0 (empty) for METAENTRY."""
    cdef Cur c
    cdef int32_t t
    cdef Py_ssize_t ks
    _start(&c, p, n, kb, True)
    if _bucket_entry(&c, False, &t, &ks) < 0:
        return -1
    return kb.len


cdef Py_ssize_t hot_archive_entry_order_key_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil:
    """Order key of a HotArchiveBucketEntry: 0 (empty) for HOT_ARCHIVE_METAENTRY."""
    cdef Cur c
    cdef int32_t t
    cdef Py_ssize_t ks
    _start(&c, p, n, kb, True)
    if _bucket_entry(&c, True, &t, &ks) < 0:
        return -1
    return kb.len


cdef Py_ssize_t _emit_ledger_key(Cur *c, int32_t t, Py_ssize_t ks) noexcept nogil:
    """Write the LedgerKey XDR of the LedgerEntry just read: the type, then
    the key fields' bytes as they are (LedgerKey's arm structs hold the same
    fields in the same order, and a ConfigSettingEntry's discriminant is the
    ConfigSettingID); the bytes were checked while reading them."""
    cdef unsigned char b[4]
    c.emit = True
    c.kb.len = 0
    sc_st32(b, <uint32_t>t)
    if _eraw(c, b, 4) < 0 or _eraw(c, c.p + ks, c.pos - ks) < 0:
        return -1
    return c.kb.len


cdef Py_ssize_t ledger_key_of_entry_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil:
    """LedgerKey XDR of a LedgerEntry (stellar-core's LedgerEntryKey)."""
    cdef Cur c
    cdef int32_t t
    cdef Py_ssize_t ks
    _start(&c, p, n, kb, False)
    if _ledger_entry(&c, 0, &t, &ks) < 0:
        return -1
    return _emit_ledger_key(&c, t, ks)


cdef Py_ssize_t _bucket_ledger_key(const uint8_t *p, Py_ssize_t n, KeyBuf *kb, bint hot) noexcept nogil:
    cdef Cur c
    cdef int32_t t
    cdef Py_ssize_t ks
    cdef int r
    _start(&c, p, n, kb, False)
    r = _bucket_entry(&c, hot, &t, &ks)
    if r < 0:
        return -1
    if r == 0:
        return 0
    if r == 2:                                  # the LedgerKey is the rest of the input
        c.emit = True
        if _eraw(&c, p + 4, n - 4) < 0:
            return -1
        return kb.len
    return _emit_ledger_key(&c, t, ks)


cdef Py_ssize_t bucket_entry_ledger_key_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil:
    """LedgerKey XDR of a BucketEntry: 0 (empty) for METAENTRY."""
    return _bucket_ledger_key(p, n, kb, False)


cdef Py_ssize_t hot_archive_entry_ledger_key_nogil(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) noexcept nogil:
    """LedgerKey XDR of a HotArchiveBucketEntry: 0 (empty) for HOT_ARCHIVE_METAENTRY."""
    return _bucket_ledger_key(p, n, kb, True)


# -- raising twins

cdef inline Py_ssize_t _checked(Py_ssize_t r, KeyBuf *kb, str type_name) except -1:
    if r < 0:
        keybuf_raise(kb, type_name)
    return r


cdef Py_ssize_t ledger_key_order_key_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1:
    return _checked(ledger_key_order_key_nogil(p, n, kb), kb, "LedgerKey")


cdef Py_ssize_t ledger_entry_order_key_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1:
    return _checked(ledger_entry_order_key_nogil(p, n, kb), kb, "LedgerEntry")


cdef Py_ssize_t bucket_entry_order_key_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1:
    return _checked(bucket_entry_order_key_nogil(p, n, kb), kb, "BucketEntry")


cdef Py_ssize_t hot_archive_entry_order_key_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1:
    return _checked(hot_archive_entry_order_key_nogil(p, n, kb), kb, "HotArchiveBucketEntry")


cdef Py_ssize_t ledger_key_of_entry_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1:
    return _checked(ledger_key_of_entry_nogil(p, n, kb), kb, "LedgerEntry")


cdef Py_ssize_t bucket_entry_ledger_key_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1:
    return _checked(bucket_entry_ledger_key_nogil(p, n, kb), kb, "BucketEntry")


cdef Py_ssize_t hot_archive_entry_ledger_key_into(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1:
    return _checked(hot_archive_entry_ledger_key_nogil(p, n, kb), kb, "HotArchiveBucketEntry")


# ---------------------------------------------------------------- the API (Python)

cdef KeyBuf _scratch          # used only while holding the GIL
keybuf_init(&_scratch, 1024)

cdef enum:
    SCRATCH_KEEP = 1 << 16    # shrink the scratch buffer back after a huge key


cdef object _run(key_fn fn, object data, str type_name, bint none_if_empty):
    cdef Py_buffer view
    cdef Py_ssize_t r
    cdef object out
    if PyBytes_CheckExact(data):
        r = fn(<const uint8_t *>PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data), &_scratch)
    else:
        PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
        try:
            r = fn(<const uint8_t *>view.buf, view.len, &_scratch)
        finally:
            PyBuffer_Release(&view)
    if r < 0:
        keybuf_raise(&_scratch, type_name)
    if r == 0 and none_if_empty:
        out = None
    else:
        out = PyBytes_FromStringAndSize(<const char *>_scratch.data, r)
    if _scratch.cap > SCRATCH_KEEP:
        keybuf_free(&_scratch)
        keybuf_init(&_scratch, 1024)
    return out


def ledger_key_order_key(data):
    """Order key of a LedgerKey given as XDR (bytes-like)."""
    return _run(ledger_key_order_key_nogil, data, "LedgerKey", False)


def ledger_entry_order_key(data):
    """Order key of a LedgerEntry given as XDR; equals the order key of its
    LedgerKey.  Only the bytes up to the end of the key fields are read."""
    return _run(ledger_entry_order_key_nogil, data, "LedgerEntry", False)


def bucket_entry_order_key(data):
    """Order key of a BucketEntry given as XDR: b"" for METAENTRY; LIVE,
    INIT and DEAD records of one key give the same key."""
    return _run(bucket_entry_order_key_nogil, data, "BucketEntry", False)


def hot_archive_entry_order_key(data):
    """Order key of a HotArchiveBucketEntry given as XDR: b"" for
    HOT_ARCHIVE_METAENTRY; ARCHIVED and LIVE records of one key give the same key."""
    return _run(hot_archive_entry_order_key_nogil, data, "HotArchiveBucketEntry", False)


def ledger_key_of_entry(data):
    """The LedgerKey XDR of a LedgerEntry given as XDR (stellar-core's LedgerEntryKey)."""
    return _run(ledger_key_of_entry_nogil, data, "LedgerEntry", False)


def bucket_entry_ledger_key(data):
    """The LedgerKey XDR of a BucketEntry given as XDR, None for METAENTRY."""
    return _run(bucket_entry_ledger_key_nogil, data, "BucketEntry", True)


def hot_archive_entry_ledger_key(data):
    """The LedgerKey XDR of a HotArchiveBucketEntry given as XDR, None for
    HOT_ARCHIVE_METAENTRY."""
    return _run(hot_archive_entry_ledger_key_nogil, data, "HotArchiveBucketEntry", True)


cdef KeyBuf _cmp_a
cdef KeyBuf _cmp_b
keybuf_init(&_cmp_a, 256)
keybuf_init(&_cmp_b, 256)

ctypedef Py_ssize_t (*key_into_fn)(const uint8_t *p, Py_ssize_t n, KeyBuf *kb) except -1


cdef Py_ssize_t _key_into(key_into_fn fn, object data, KeyBuf *kb) except -1:
    cdef Py_buffer view
    if PyBytes_CheckExact(data):
        return fn(<const uint8_t *>PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data), kb)
    PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
    try:
        return fn(<const uint8_t *>view.buf, view.len, kb)
    finally:
        PyBuffer_Release(&view)


def compare_bucket_entries(a, b, *, bint hot=False):
    """-1, 0 or 1 as stellar-core's BucketEntryIdCmp orders two BucketEntry
    XDRs (HotArchiveBucketEntry with hot=True); 0 means the same key."""
    cdef key_into_fn fn = hot_archive_entry_order_key_into if hot else bucket_entry_order_key_into
    _key_into(fn, a, &_cmp_a)
    _key_into(fn, b, &_cmp_b)
    return keybuf_cmp(&_cmp_a, &_cmp_b)


def _repeat(str kind, data, Py_ssize_t times):
    """Benchmark helper: compute the `kind` ("ledger_key", "ledger_entry",
    "bucket_entry", "hot_archive_entry", "ledger_key_of_entry") key of
    `data` (bytes) `times` times in C without the GIL, as a merge loop does;
    returns the key length."""
    cdef key_fn fn
    cdef const uint8_t *p
    cdef Py_ssize_t n, i, r = 0
    cdef KeyBuf kb
    if kind == "ledger_key":
        fn = ledger_key_order_key_nogil
    elif kind == "ledger_entry":
        fn = ledger_entry_order_key_nogil
    elif kind == "bucket_entry":
        fn = bucket_entry_order_key_nogil
    elif kind == "hot_archive_entry":
        fn = hot_archive_entry_order_key_nogil
    elif kind == "ledger_key_of_entry":
        fn = ledger_key_of_entry_nogil
    else:
        raise ValueError(f"unknown kind {kind!r}")
    if not isinstance(data, bytes):
        raise TypeError("data must be bytes")
    p = <const uint8_t *>PyBytes_AS_STRING(data)
    n = PyBytes_GET_SIZE(data)
    keybuf_init(&kb, 256)
    with nogil:
        for i in range(times):
            r = fn(p, n, &kb)
            if r < 0:
                break
    try:
        if r < 0:
            keybuf_raise(&kb, kind)
    finally:
        keybuf_free(&kb)
    return r
