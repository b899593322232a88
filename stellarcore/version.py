"""Version of stellarcore and of what it is compatible with."""
__version__ = "0.1.0"
STELLAR_CORE_COMPAT = "v25.0.1"
LEDGER_PROTOCOL_VERSION = 25
# the stellar-xdr commit the generated codec was built from (see ../shared/README.md)
XDR_SCHEMA_COMMIT = "0a621ec7811db000a60efae5b35f78dee3aa2533"
