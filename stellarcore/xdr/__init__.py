"""Stellar's XDR (protocol 25) as Python types with a Cython codec.

Every type of the protocol-25 `.x` files is importable from here:

    from stellarcore.xdr import LedgerCloseMeta, TransactionEnvelope, AssetType
    meta = LedgerCloseMeta.from_xdr(data)      # strict: raises XdrError
    data = meta.to_xdr()

Structs and unions are generated `cdef` classes (see stellarcore.xdr.gen and
base.pyx for their behaviour); enums are IntEnums; typedefs of classes are
aliases (`AccountID is PublicKey`), typedefs of other types (`Hash`,
`LedgerEntryChanges`, `SCVec`...) are codec objects with the same
`to_xdr(value)` / `from_xdr(data)` calls.
"""
from stellarcore.xdr.errors import XdrError
from stellarcore.xdr.buffer import Reader, Writer
from stellarcore.xdr.base import XdrBase, XdrStruct, XdrUnion, AliasCodec
from stellarcore.xdr.xdrenum import XdrEnum
from stellarcore.xdr._generated.enums import *  # noqa: F401,F403
from stellarcore.xdr._generated.types import *  # noqa: F401,F403
from stellarcore.xdr._generated.scp import *  # noqa: F401,F403
from stellarcore.xdr._generated.contract import *  # noqa: F401,F403
from stellarcore.xdr._generated.contract_config_setting import *  # noqa: F401,F403
from stellarcore.xdr._generated.contract_env_meta import *  # noqa: F401,F403
from stellarcore.xdr._generated.contract_meta import *  # noqa: F401,F403
from stellarcore.xdr._generated.contract_spec import *  # noqa: F401,F403
from stellarcore.xdr._generated.ledger_entries import *  # noqa: F401,F403
from stellarcore.xdr._generated.transaction import *  # noqa: F401,F403
from stellarcore.xdr._generated.ledger import *  # noqa: F401,F403
from stellarcore.xdr._generated.exporter import *  # noqa: F401,F403
from stellarcore.xdr._generated.internal import *  # noqa: F401,F403
from stellarcore.xdr._generated.overlay import *  # noqa: F401,F403
from stellarcore.xdr._generated.schema import TYPES as SCHEMA


def lookup(name):
    """The class, enum or typedef codec called `name` in the XDR schema.

    Raises KeyError for a name the schema does not define.
    """
    if name not in SCHEMA:
        raise KeyError(f"no XDR type named {name!r}")
    return globals()[name]


def type_names():
    """Names of every type in the schema (structs, unions, enums, typedefs)."""
    return sorted(SCHEMA)
