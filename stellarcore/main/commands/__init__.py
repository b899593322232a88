"""Command families of the `stellarcore` program, in help order."""
from stellarcore.main.commands import bucket_tools, info, keys, node, quorum, xdr_tools

COMMAND_MODULES = [info, node, keys, xdr_tools, quorum, bucket_tools]
