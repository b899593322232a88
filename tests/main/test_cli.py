"""The `stellarcore` command line, run as a user runs it (a subprocess)."""
import base64
import hashlib
import json
import subprocess
import sys

import pytest

from stellarcore import xdr
from stellarcore.xdr.stream import frame


def run(*args, stdin=b""):
    return subprocess.run([sys.executable, "-m", "stellarcore", *args], input=stdin,
                          capture_output=True, timeout=120)


def test_version():
    r = run("version")
    assert r.returncode == 0
    assert b"ledger protocol version: 25" in r.stdout


def test_header_hash_pipeline(shared):
    """The README's check: JSON header in, raw XDR out, SHA-256 = the recorded hash."""
    path = shared("testdata", "ledger-close-meta", "ledger-close-meta-v2-protocol-24-soroban.json")
    doc = json.loads(path.read_text())["LedgerCloseMeta"]["v2"]["ledgerHeader"]
    r = run("xdr", "encode", "--type", "LedgerHeader", "--input", "json", "--output", "raw",
            stdin=json.dumps(doc["header"]).encode())
    assert r.returncode == 0, r.stderr
    assert hashlib.sha256(r.stdout).hexdigest() == doc["hash"]


def test_decode_file_to_json_and_back(shared):
    raw = shared("testdata", "ledger-close-meta-xdr", "ledger-close-meta-v2-protocol-23.xdr")
    js = shared("testdata", "ledger-close-meta", "ledger-close-meta-v2-protocol-23.json")
    r = run("xdr", "decode", "--type", "LedgerCloseMeta", str(raw))
    assert r.returncode == 0
    assert json.loads(r.stdout) == json.loads(js.read_text())
    r2 = run("xdr", "encode", "--type", "LedgerCloseMeta", "--output", "base64", stdin=r.stdout)
    assert base64.b64decode(r2.stdout) == raw.read_bytes()


def test_print_xdr_auto_and_base64():
    tx_result = xdr.TransactionResult(feeCharged=100, result=xdr.TransactionResultResult(
        code=xdr.TransactionResultCode.txSUCCESS, results=[]))
    b64 = base64.b64encode(tx_result.to_xdr())
    r = run("print-xdr", "--base64", "--filetype", "result", "-", stdin=b64 + b"\n" + b64)
    assert r.returncode == 0
    docs = r.stdout.decode().strip().split("\n}\n")
    assert len(docs) == 2
    assert json.loads(docs[0] + "\n}")["TransactionResult"]["feeCharged"] == 100


def test_print_xdr_normalizes_meta():
    key = lambda b: xdr.LedgerKey(ttl=xdr.LedgerKeyTtl(keyHash=bytes([b]) * 32))  # noqa: E731
    removed = [xdr.LedgerEntryChange(xdr.LedgerEntryChangeType.LEDGER_ENTRY_REMOVED, key(b))
               for b in (9, 1)]
    meta = xdr.TransactionMeta(v=0, operations=[xdr.OperationMeta(changes=removed)])
    raw = meta.to_xdr()
    out = json.loads(run("print-xdr", "--filetype", "meta", "-", stdin=raw).stdout)
    hashes = [c["removed"]["ttl"]["keyHash"] for c in out["TransactionMeta"]["operations"][0]["changes"]]
    assert hashes == ["01" * 32, "09" * 32]
    out = json.loads(run("print-xdr", "--raw", "--filetype", "meta", "-", stdin=raw).stdout)
    hashes = [c["removed"]["ttl"]["keyHash"] for c in out["TransactionMeta"]["operations"][0]["changes"]]
    assert hashes == ["09" * 32, "01" * 32]


def test_dump_xdr_stream(tmp_path):
    entries = [xdr.BucketEntry(xdr.BucketEntryType.METAENTRY, xdr.BucketMetadata(ledgerVersion=23))]
    p = tmp_path / "bucket-abc.xdr"
    p.write_bytes(frame([e.to_xdr() for e in entries]))
    r = run("dump-xdr", str(p))
    assert r.returncode == 0
    assert json.loads(r.stdout) == [{"type": "METAENTRY", "metaEntry": {
        "ledgerVersion": 23, "ext": {"v": 0}}}]


@pytest.mark.parametrize("args, stdin", [
    (("xdr", "decode", "--type", "LedgerHeader"), b"\0\0"),
    (("xdr", "decode", "--type", "NoSuchType"), b""),
    (("xdr", "encode", "--type", "LedgerHeader"), b"{not json"),
    (("xdr", "decode", "--type", "LedgerHeader", "--input", "base64"), b"@@@"),
    (("xdr", "decode", "--type", "LedgerHeader", "/no/such/file"), b""),
    (("print-xdr", "-"), b"\1\2\3"),
    (("dump-xdr", "not-an-xdr-name.txt"), b""),
])
def test_bad_input_is_one_line_and_status_1(args, stdin):
    r = run(*args, stdin=stdin)
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert b"Traceback" not in r.stderr
