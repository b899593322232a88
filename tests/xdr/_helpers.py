"""What the XDR property and fuzz tests share: the types they aim at, the
real LedgerCloseMeta files from ../shared, seed encodings and the cheap
mutations the fuzz tests apply to them.
"""
import functools
import inspect
import struct

import stellar_sdk.xdr as sdk
from hypothesis import HealthCheck, given, settings

from stellarcore import xdr
from tests.conftest import SHARED
from tests.xdr import strategies

# The top-level types the node actually reads from the outside world: ledger
# state and buckets, transactions and their results/meta, SCP and overlay
# messages, and what history archives and meta streams carry.
TOP_TYPES = (
    "LedgerEntry",
    "LedgerKey",
    "TransactionEnvelope",
    "TransactionMeta",
    "SCVal",
    "SCPEnvelope",
    "BucketEntry",
    "StellarMessage",
    "LedgerCloseMeta",
)

LCM_XDR_DIR = SHARED / "testdata" / "ledger-close-meta-xdr"


def lcm_files():
    """The real LedgerCloseMeta XDR files (empty when ../shared is absent)."""
    return sorted(LCM_XDR_DIR.glob("*.xdr")) if LCM_XDR_DIR.is_dir() else []


def codec(type_name):
    """The object with to_xdr/from_xdr for `type_name` (class or typedef codec)."""
    return xdr.lookup(type_name)


def encode(type_name, value):
    """Our XDR of `value`, for classes and typedef codecs alike."""
    if xdr.SCHEMA[type_name][0] == "typedef":
        return xdr.lookup(type_name).to_xdr(value)
    return value.to_xdr()


# ---------------------------------------------------------------- seeds

SEEDS_FROM_STRATEGIES = 40


def strategy_seeds(type_name, n=SEEDS_FROM_STRATEGIES):
    """`n` valid encodings drawn from the schema strategies, the same every run."""
    out = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategies.values_of(type_name))
    def collect(value):
        out.append(encode(type_name, value))

    collect()
    return sorted(set(out))


def _walk(value):
    """Every struct/union value inside `value`, itself included."""
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, xdr.XdrUnion):
            yield v
            todo.append(v.xdr_value())
        elif isinstance(v, xdr.XdrStruct):
            yield v
            todo.extend(f for _, f in v.xdr_fields())
        elif isinstance(v, list):
            todo.extend(v)


# Types a meta does not hold itself, made from parts it does hold.
_MADE_FROM = {
    "BucketEntry": (
        ("LedgerEntry", lambda e: xdr.BucketEntry(xdr.BucketEntryType.LIVEENTRY, e)),
        ("LedgerKey", lambda k: xdr.BucketEntry(xdr.BucketEntryType.DEADENTRY, k)),
    ),
    "StellarMessage": (
        ("TransactionEnvelope", lambda t: xdr.StellarMessage(xdr.MessageType.TRANSACTION, t)),
        ("GeneralizedTransactionSet",
         lambda s: xdr.StellarMessage(xdr.MessageType.GENERALIZED_TX_SET, s)),
    ),
}


@functools.lru_cache(maxsize=None)
def real_seeds(type_name):
    """Encodings of every `type_name` value inside the real LedgerCloseMeta
    files, or made from their parts (empty when ../shared is absent)."""
    cls = getattr(xdr, type_name)
    makers = [(getattr(xdr, part), make) for part, make in _MADE_FROM.get(type_name, ())]
    out = set()
    for path in lcm_files():
        for v in _walk(xdr.LedgerCloseMeta.from_xdr(path.read_bytes())):
            if type(v) is cls:
                out.add(v.to_xdr())
            for part, make in makers:
                if type(v) is part:
                    out.add(make(v).to_xdr())
    return tuple(sorted(out))


# ---------------------------------------------------------------- mutations

HOSTILE_WORDS = (0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE,
                 0, 1, 2, 3, 4, 5, 7, 8, 16, 31, 32, 33, 64, 65, 100, 1000, 0x10000)


def _word_positions(n):
    return range(0, n - 3, 4)


def mutate(rng, data, seeds):
    """One to four random edits of `data` (bytes) -> bytes."""
    buf = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        n = len(buf)
        op = rng.randrange(10)
        if op == 0 and n:                        # flip one bit
            buf[rng.randrange(n)] ^= 1 << rng.randrange(8)
        elif op == 1 and n:                      # replace a byte
            buf[rng.randrange(n)] = rng.choice((0, 0xFF, 0x7F, 0x80, 1, rng.randrange(256)))
        elif op in (2, 3) and n >= 4:            # hostile aligned word (length / discriminant)
            i = rng.choice(_word_positions(n))
            w = rng.choice(HOSTILE_WORDS + (n - i, n - i - 4, rng.randrange(1 << 32)))
            buf[i:i + 4] = struct.pack(">I", w & 0xFFFFFFFF)
        elif op == 4 and n:                      # truncate
            del buf[rng.randrange(n):]
        elif op == 5 and n:                      # delete a chunk (often one word)
            i = rng.randrange(n)
            del buf[i:i + rng.choice((4, 4, 8, 1, rng.randrange(1, 64)))]
        elif op == 6:                            # insert random bytes
            i = rng.randrange(n + 1)
            k = rng.choice((4, 4, 8, 1, 2, 3, rng.randrange(1, 32)))
            buf[i:i] = rng.randbytes(k)
        elif op == 7 and n:                      # duplicate a chunk elsewhere
            i = rng.randrange(n)
            chunk = buf[i:i + rng.choice((4, 8, 16, 32, rng.randrange(1, 256)))]
            j = rng.randrange(n + 1)
            buf[j:j] = chunk
        elif op == 8:                            # splice with another seed
            other = rng.choice(seeds)
            buf = buf[:rng.randrange(n + 1)] + other[rng.randrange(len(other) + 1):]
        elif op == 9 and n >= 8:                 # swap two aligned words
            i, j = rng.choice(_word_positions(n)), rng.choice(_word_positions(n))
            buf[i:i + 4], buf[j:j + 4] = buf[j:j + 4], buf[i:i + 4]
    return bytes(buf)


def random_input(rng):
    """Pure noise, mostly short, sometimes word-structured."""
    if rng.random() < 0.5:
        return rng.randbytes(rng.choice((0, 1, 3, 4, 8, rng.randrange(64), rng.randrange(512))))
    words = [rng.choice(HOSTILE_WORDS) for _ in range(rng.randrange(1, 40))]
    return struct.pack(f">{len(words)}I", *words)


# ---------------------------------------------------------------- stellar-sdk side by side

# Enum members stellar-sdk 16.1.1 has and protocol 25 does not (its schema is
# newer: frozen ledger keys, delegated Soroban auth, executable tags...).
# Checked against ../shared/xdr by test_differential_sdk.py.  Every other
# difference between the two schemas is a union arm selected by one of these
# (and ClawbackOp's field `from`, which the sdk spells `from_`).
SDK_ONLY_ENUM_MEMBERS = {
    "SCValType": {22},                          # SCV_EXECUTABLE_TAG
    "ContractExecutableType": {2},              # CONTRACT_EXECUTABLE_EXTERNAL_REF
    "ContractCostType": {85},                   # Bn254G1Msm
    "ConfigSettingID": {17, 18, 19, 20},        # FROZEN_LEDGER_KEYS(_DELTA), FREEZE_BYPASS_TXS(_DELTA)
    "EnvelopeType": {10},                       # ENVELOPE_TYPE_SOROBAN_AUTHORIZATION_WITH_ADDRESS
    "SorobanCredentialsType": {2, 3},           # ADDRESS_V2, ADDRESS_WITH_DELEGATES
    "ClaimClaimableBalanceResultCode": {-6},    # ..._TRUSTLINE_FROZEN
    "LiquidityPoolDepositResultCode": {-8},     # ..._TRUSTLINE_FROZEN
    "LiquidityPoolWithdrawResultCode": {-6},    # ..._TRUSTLINE_FROZEN
    "TransactionResultCode": {-18},             # txFROZEN_KEY_ACCESSED
    "StellarValueType": {2},                    # STELLAR_VALUE_EMPTY_TX_SET
}


def sdk_type_of(type_name):
    """The sdk class for a schema type (it capitalises `uint32`, `string64`...)."""
    found = getattr(sdk, type_name, None)
    if not isinstance(found, type):
        found = getattr(sdk, type_name[0].upper() + type_name[1:])
    return found


def texpr_of(type_name):
    """The schema type expression of a named type."""
    spec = xdr.SCHEMA[type_name]
    return spec[1] if spec[0] == "typedef" else ("class", type_name)


@functools.lru_cache(maxsize=None)
def _sdk_params(sdk_cls):
    """The sdk class's constructor parameters: its fields in declaration
    order (for a union: the discriminant, then one per arm)."""
    return tuple(inspect.signature(sdk_cls.__init__).parameters)[1:]


# The sdk's classes for schema typedefs (`Hash`, `Uint32` for `uint32`,
# `AccountID`, `SponsorshipDescriptor`...) each wrap the one value our schema
# inlines.
_SDK_TYPEDEF_NAMES = {n[0].upper() + n[1:] for n, spec in xdr.SCHEMA.items() if spec[0] == "typedef"}


def _unwrap(theirs):
    while type(theirs).__name__ in _SDK_TYPEDEF_NAMES:
        (field,) = _sdk_params(type(theirs))
        theirs = getattr(theirs, field)
    return theirs


def assert_same_value(texpr, ours, theirs, path="value"):
    """Our value and the sdk's mean the same thing, field by field.

    Comparing bytes alone would not notice, say, two same-sized fields
    swapped or a signed field read as unsigned by one side; this walks our
    schema and the sdk's objects side by side, fields matched by position.
    """
    kind = texpr[0]
    theirs = _unwrap(theirs)
    if kind == "class":
        name = texpr[1]
        assert type(theirs).__name__ == name, f"{path}: sdk has {type(theirs).__name__}"
        spec = xdr.SCHEMA[name]
        params = _sdk_params(type(theirs))
        if spec[0] == "struct":
            assert len(params) == len(spec[1]), f"{path}: sdk {name} has fields {params}"
            for (_x, py, t), field in zip(spec[1], params):
                assert_same_value(t, getattr(ours, py), getattr(theirs, field), f"{path}.{py}")
            return
        disc = _unwrap(getattr(theirs, params[0]))
        assert int(ours.xdr_disc()) == int(disc), f"{path}: discriminant {ours.xdr_disc()!r} != {disc!r}"
        arm_fields = dict(zip(dict.fromkeys(arm[2] for arm in spec[4] if arm[2]), params[1:]))
        active = ours.xdr_arm()
        if active is not None:
            arm_t = next(arm[3] for arm in spec[4] if arm[2] == active)
            field = arm_fields[active]
            assert_same_value(arm_t, ours.xdr_value(), getattr(theirs, field), f"{path}.{active}")
        inactive = [f for f in params[1:] if f != arm_fields.get(active)]
        assert all(getattr(theirs, f) is None for f in inactive), f"{path}: sdk sets an inactive arm"
        return
    if kind == "optional":
        assert (ours is None) == (theirs is None), path
        if ours is not None:
            assert_same_value(texpr[1], ours, theirs, path)
        return
    if kind == "array":
        assert len(ours) == len(theirs), f"{path}: lengths {len(ours)} != {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same_value(texpr[3], a, b, f"{path}[{i}]")
        return
    if kind == "enum":
        assert type(ours).__name__ == texpr[1] and int(ours) == int(theirs), f"{path}: {ours!r} != {theirs!r}"
        return
    if kind == "bool":
        assert type(ours) is bool and ours == theirs, f"{path}: {ours!r} != {theirs!r}"
        return
    assert type(ours) is type(theirs) and ours == theirs, f"{path}: {ours!r} != {theirs!r}"
