"""`stellarcore version`."""
import platform

from stellarcore import version as v


def add_commands(sub):
    p = sub.add_parser("version", help="print version information")
    p.set_defaults(func=run_version)


def run_version(args):
    print(f"stellarcore {v.__version__}")
    print(f"compatible with stellar-core {v.STELLAR_CORE_COMPAT}")
    print(f"ledger protocol version: {v.LEDGER_PROTOCOL_VERSION}")
    print(f"xdr schema: stellar-xdr {v.XDR_SCHEMA_COMMIT[:12]}")
    print(f"python: {platform.python_implementation()} {platform.python_version()}")
    return 0
