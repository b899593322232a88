"""Key commands, as stellar-core prints them: `gen-seed`, `convert-id`,
`sec-to-pub`, `sign-transaction`, `encode-asset` (main/CommandLine.cpp,
main/dumpxdr.cpp, crypto/SecretKey.cpp StrKeyUtils::logKey).

Secrets are read from standard input (one line), as stellar-core reads them
when stdin is not a terminal; on a terminal they are read without echo.
"""
from __future__ import annotations

import base64
import binascii
import getpass
import os
import sys

from stellarcore import xdr
from stellarcore.crypto import strkey
from stellarcore.crypto.keys import PublicKey, SecretKey
from stellarcore.crypto.txhash import contents_hash, network_id

MAX_SIGNATURES = 20  # DecoratedSignature signatures<20>


def add_commands(sub):
    p = sub.add_parser("gen-seed", help="generate and print a random node seed")
    p.set_defaults(func=run_gen_seed)

    p = sub.add_parser("convert-id", help="display ID in all known forms")
    p.add_argument("id", metavar="ID", help="a strkey, or 64 hex digits")
    p.set_defaults(func=run_convert_id)

    p = sub.add_parser("sec-to-pub", help="print the public key of a secret seed read from stdin")
    p.set_defaults(func=run_sec_to_pub)

    p = sub.add_parser("sign-transaction", help="add a signature to a transaction envelope")
    p.add_argument("file", metavar="FILE", help="the envelope (- for stdin)")
    p.add_argument("--netid", metavar="NETWORK-PASSPHRASE",
                   default=os.environ.get("STELLAR_NETWORK_ID"),
                   help="network passphrase used for signing (default: $STELLAR_NETWORK_ID)")
    p.add_argument("--base64", action="store_true", help="base64 envelopes in and out, one per line")
    p.set_defaults(func=run_sign_transaction)

    p = sub.add_parser("encode-asset", help="print an Asset as base64 XDR")
    p.add_argument("--code", default="", help="asset code")
    p.add_argument("--issuer", default="", help="asset issuer (G...)")
    p.set_defaults(func=run_encode_asset)


def _read_secret(prompt, from_tty=False):
    """One line from stdin, or from the terminal without echo."""
    if from_tty or sys.stdin.isatty():
        if not os.path.exists("/dev/tty"):
            raise ValueError("no terminal to read the secret key from")
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _secret_key(text):
    try:
        return SecretKey.from_strkey_seed(text.strip())
    except strkey.StrKeyError as e:
        raise ValueError(f"invalid secret key seed: {e}") from None


def run_gen_seed(args):
    key = SecretKey.random()
    print(f"Secret seed: {key.strkey_seed()}")
    print(f"Public: {key.strkey_public()}")
    return 0


def _public_key_lines(ed25519):
    return ["PublicKey:", f"  strKey: {strkey.encode('G', ed25519)}", f"  hex: {ed25519.hex()}"]


def _seed_lines(seed):
    key = SecretKey(seed)
    return ["Seed:", f"  strKey: {key.strkey_seed()}"] + _public_key_lines(key.public_key.ed25519)


_KIND_NAMES = {"G": "STRKEY_PUBKEY_ED25519", "P": "STRKEY_SIGNED_PAYLOAD_ED25519",
               "S": "STRKEY_SEED_ED25519", "T": "STRKEY_PRE_AUTH_TX", "X": "STRKEY_HASH_X",
               "C": "STRKEY_CONTRACT"}


def convert_id_lines(text):
    """stellar-core's StrKeyUtils::logKey, line by line."""
    try:
        kind, payload = strkey.decode_any(text)
    except strkey.StrKeyError:
        kind = payload = None
    if kind == "G":
        return _public_key_lines(payload)
    if kind == "S":
        return _seed_lines(payload)
    if len(text) == 64:
        try:
            data = bytes.fromhex(text)
        except ValueError:
            data = None
        if data is not None:
            lines = ["Interpreted as " + _public_key_lines(data)[0]] + _public_key_lines(data)[1:]
            lines += ["", "Interpreted as " + _seed_lines(data)[0]] + _seed_lines(data)[1:]
            lines += ["", "Other interpretations:",
                      f"  STRKEY_PRE_AUTH_TX: {strkey.encode('T', data)}",
                      f"  STRKEY_HASH_X: {strkey.encode('X', data)}",
                      f"  STRKEY_SIGNED_PAYLOAD: {_raw_strkey('P', data)}",
                      f"  STRKEY_MUXED_ACCOUNT_ED25519: {_raw_strkey('M', data)}",
                      f"  STRKEY_CONTRACT: {strkey.encode('C', data)}"]
            return lines
    if kind is not None:
        if kind == "M":
            raise ValueError("unexpected StrKey type STRKEY_MUXED_ACCOUNT_ED25519")
        return ["StrKey:", f"  type: {_KIND_NAMES.get(kind, 'unknown')}", f"  hex: {payload.hex()}"]
    return ["Unknown key type"]


def _raw_strkey(kind, data):
    """stellar-core's toStrKey(version, 32 bytes) for kinds whose payload is
    longer: it encodes the bytes as given, without checking their form."""
    import struct
    body = bytes([strkey.KINDS[kind] << 3]) + data
    body += struct.pack("<H", strkey.crc16_xmodem(body))
    return base64.b32encode(body).decode("ascii").rstrip("=")


def run_convert_id(args):
    for line in convert_id_lines(args.id):
        print(line)
    return 0


def run_sec_to_pub(args):
    key = _secret_key(_read_secret("Secret key seed: "))
    print(key.strkey_public())
    return 0


def sign_envelope(env, key, net_id):
    """Append `key`'s signature of `env` (for `net_id`) to its signatures."""
    sigs = env.xdr_value().signatures
    if len(sigs) >= MAX_SIGNATURES:
        raise ValueError("Envelope already contains maximum number of signatures")
    sigs.append(key.sign_decorated(contents_hash(env, net_id)))
    return env


def run_sign_transaction(args):
    if not args.netid:
        raise ValueError("missing --netid argument or STELLAR_NETWORK_ID environment variable")
    from_stdin = args.file == "-"
    if not args.base64 and sys.stdout.isatty():
        raise ValueError("Refusing to write binary transaction to terminal")
    data = sys.stdin.buffer.read() if from_stdin else open(args.file, "rb").read()
    if args.base64:
        try:
            blobs = [base64.b64decode(tok, validate=True) for tok in data.split()]
        except (binascii.Error, ValueError):
            raise ValueError("input is not valid base64") from None
    else:
        blobs = [data]
    envelopes = [xdr.TransactionEnvelope.from_xdr(b) for b in blobs]
    key = _secret_key(_read_secret(f"Secret key seed [network id: '{args.netid}']: ",
                                   from_tty=from_stdin))
    nid = network_id(args.netid)
    out = sys.stdout.buffer
    for env in envelopes:
        raw = sign_envelope(env, key, nid).to_xdr()
        out.write(base64.b64encode(raw) + b"\n" if args.base64 else raw)
    out.flush()
    return 0


def encode_asset(code, issuer):
    """The Asset stellar-core's encode-asset builds from --code and --issuer."""
    if not code and not issuer:
        return xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE)
    if not code or not issuer:
        raise ValueError("If one of code or issuer is defined, the other must be defined")
    raw = code.encode("utf-8")
    if len(raw) > 12:
        raise ValueError("Asset code must be <= 12 characters")
    try:
        pk = PublicKey.from_strkey(issuer).to_xdr_key()
    except strkey.StrKeyError as e:
        raise ValueError(f"invalid issuer: {e}") from None
    if len(raw) <= 4:
        return xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=raw.ljust(4, b"\0"), issuer=pk))
    return xdr.Asset(alphaNum12=xdr.AlphaNum12(assetCode=raw.ljust(12, b"\0"), issuer=pk))


def run_encode_asset(args):
    print(base64.b64encode(encode_asset(args.code, args.issuer).to_xdr()).decode("ascii"))
    return 0
