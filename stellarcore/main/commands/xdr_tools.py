"""XDR tooling: `xdr encode|decode|types`, `print-xdr`, `dump-xdr`.

`print-xdr` and `dump-xdr` behave as stellar-core's commands of the same
name (main/dumpxdr.cpp): print-xdr decodes one value (or, with --base64,
one value per whitespace-separated token) of a file type, guessing it with
`--filetype auto` by trying the types in stellar-core's order; TransactionMeta
is normalized unless --raw.  dump-xdr prints a record-marked stream whose
type is told by its file name (ledger-, bucket-, transactions-, results-,
meta-, scp-, debug-tx-set).
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import sys

from stellarcore import xdr
from stellarcore.util import xdr_json
from stellarcore.util.meta import normalize_tx_meta
from stellarcore.xdr.stream import XdrInputStream

FORMATS = ("raw", "base64", "json")

# print-xdr's file types, in the order stellar-core tries them for `auto`
# (its std::map is ordered by key)
FILETYPES = {
    "asset": "Asset",
    "ledgerentry": "LedgerEntry",
    "ledgerheader": "LedgerHeader",
    "meta": "TransactionMeta",
    "result": "TransactionResult",
    "resultpair": "TransactionResultPair",
    "scval": "SCVal",
    "tx": "TransactionEnvelope",
    "txfee": "LedgerEntryChanges",
}

# dump-xdr: stream type from the file name, as stellar-core's dumpXdrStream
_STREAM_NAME = re.compile(
    r".*\b(debug-tx-set|(?:(ledger|bucket|transactions|results|meta|scp)-?.*))\.xdr(?:\.dirty)?$")
_STREAM_TYPES = {
    "ledger": "LedgerHeaderHistoryEntry",
    "bucket": "BucketEntry",
    "transactions": "TransactionHistoryEntry",
    "results": "TransactionHistoryResultEntry",
    "meta": "LedgerCloseMeta",
    "scp": "SCPHistoryEntry",
}


def add_commands(sub):
    p = sub.add_parser("xdr", help="convert XDR values between raw, base64 and JSON")
    xsub = p.add_subparsers(dest="xdr_command", metavar="ACTION")
    for name, i, o, text in (("encode", "json", "raw", "JSON (or base64) to XDR"),
                             ("decode", "raw", "json", "XDR to stellar-core's JSON")):
        q = xsub.add_parser(name, help=text)
        q.add_argument("--type", required=True, help="XDR type name, e.g. LedgerCloseMeta")
        q.add_argument("--input", choices=FORMATS, default=i, help=f"input format (default {i})")
        q.add_argument("--output", choices=FORMATS, default=o, help=f"output format (default {o})")
        q.add_argument("--compact", action="store_true", help="JSON on one line")
        q.add_argument("file", nargs="?", default="-", help="input file (default: stdin)")
        q.set_defaults(func=run_convert)
    q = xsub.add_parser("types", help="list the XDR type names")
    q.set_defaults(func=run_types)
    p.set_defaults(func=lambda a: (p.print_help(), 1)[1])

    p = sub.add_parser("print-xdr", help="pretty-print one XDR envelope, then quit")
    p.add_argument("file", help="file holding the XDR (- for stdin)")
    p.add_argument("--filetype", default="auto", choices=["auto"] + list(FILETYPES))
    p.add_argument("--base64", action="store_true", help="batch process base64 encoded input")
    p.add_argument("--compact", action="store_true", help="print the JSON on one line")
    p.add_argument("--raw", action="store_true", help="raw mode, do not normalize some objects")
    p.set_defaults(func=run_print_xdr)

    p = sub.add_parser("dump-xdr", help="dump an XDR file, for debugging")
    p.add_argument("file", help="record-marked XDR file (ledger-*, bucket-*, meta-*...)")
    p.add_argument("--compact", action="store_true", help="print the JSON on one line")
    p.set_defaults(func=run_dump_xdr)


# ---------------------------------------------------------------- helpers

def _read_input(path):
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as f:
        return f.read()


def _b64(text):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("input is not valid base64") from None


def _codec(type_name):
    try:
        return xdr.lookup(type_name)
    except KeyError:
        raise ValueError(f"unknown XDR type {type_name!r} (see `stellarcore xdr types`)") from None


def _encode(codec, value):
    return codec.to_xdr(value)


def _dump_json(doc, compact):
    if compact:
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(doc, ensure_ascii=False, indent=4)


def _write_text(text):
    sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape") + b"\n")
    sys.stdout.buffer.flush()


# ---------------------------------------------------------------- xdr encode/decode

def run_convert(args):
    codec = _codec(args.type)
    data = _read_input(args.file)
    if args.input == "raw":
        value = codec.from_xdr(data)
    elif args.input == "base64":
        value = codec.from_xdr(_b64(b"".join(data.split())))
    else:
        try:
            text = data.decode("utf-8", "surrogateescape")
        except UnicodeError:
            raise ValueError("JSON input is not UTF-8") from None
        value = xdr_json.loads(text, args.type)
    if args.output == "raw":
        out = _encode(codec, value)
        sys.stdout.buffer.write(out)
        sys.stdout.buffer.flush()
    elif args.output == "base64":
        _write_text(base64.b64encode(_encode(codec, value)).decode("ascii"))
    else:
        _write_text(xdr_json.dumps(value, args.type, compact=args.compact))
    return 0


def run_types(args):
    for name in xdr.type_names():
        print(name)
    return 0


# ---------------------------------------------------------------- print-xdr

def _print_one(data, filetype, compact, raw):
    """Decode `data` as `filetype` and print it; XdrError if it does not decode."""
    type_name = FILETYPES[filetype]
    value = _codec(type_name).from_xdr(data)
    if type_name == "TransactionMeta" and not raw:
        normalize_tx_meta(value)
    _write_text(xdr_json.dumps(value, type_name, compact=compact))


def run_print_xdr(args):
    data = _read_input(args.file)
    if args.base64:
        blobs = [_b64(tok) for tok in data.split()]
    else:
        blobs = [data]
    for blob in blobs:
        if args.filetype != "auto":
            try:
                _print_one(blob, args.filetype, args.compact, args.raw)
            except xdr.XdrError as e:
                raise ValueError(f"could not decode with type '{args.filetype}': {e}") from None
            continue
        for ft in FILETYPES:
            try:
                _print_one(blob, ft, args.compact, args.raw)
                break
            except xdr.XdrError:
                continue
        else:
            raise ValueError("could not detect type: the input decodes as none of "
                             + ", ".join(FILETYPES))
    return 0


# ---------------------------------------------------------------- dump-xdr

def stream_type_of(filename):
    """The XDR type of a record-marked file, from its name, as stellar-core tells it."""
    m = _STREAM_NAME.match(filename)
    if not m:
        raise ValueError(f"unrecognized XDR filename {filename!r}")
    if m.group(1) == "debug-tx-set":
        return "StoredDebugTransactionSet"
    kind = m.group(2)
    if kind not in _STREAM_TYPES:
        raise ValueError(f"unrecognized XDR type for {filename!r}")
    return _STREAM_TYPES[kind]


def run_dump_xdr(args):
    type_name = stream_type_of(args.file)
    codec = _codec(type_name)
    with XdrInputStream.open(args.file) as stream:
        items = [xdr_json.to_json(v, type_name) for v in stream.values(codec)]
    _write_text(_dump_json(items, args.compact))
    return 0
