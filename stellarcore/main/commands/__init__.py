"""Command families of the `stellarcore` program, in help order."""
from stellarcore.main.commands import info, xdr_tools

COMMAND_MODULES = [info, xdr_tools]
