"""gen-seed, convert-id, sec-to-pub, sign-transaction, encode-asset, as a user
runs them; outputs checked with stellar-sdk or against stellar-core's formats
(main/ApplicationUtils.cpp genSeed, crypto/SecretKey.cpp logKey)."""
import base64
import subprocess
import sys

import pytest

from stellarcore import xdr
from stellarcore.crypto.keys import SecretKey
from stellarcore.crypto.txhash import contents_hash, network_id

sdk = pytest.importorskip("stellar_sdk")
from stellar_sdk import Asset, Keypair, Network, TransactionEnvelope  # noqa: E402


def run(*args, stdin=b""):
    return subprocess.run([sys.executable, "-m", "stellarcore", *args], input=stdin,
                          capture_output=True, timeout=120)


def test_gen_seed():
    r = run("gen-seed")
    lines = r.stdout.decode().splitlines()
    assert r.returncode == 0 and lines[0].startswith("Secret seed: S") and lines[1].startswith("Public: G")
    assert Keypair.from_secret(lines[0].split(": ")[1]).public_key == lines[1].split(": ")[1]


def test_sec_to_pub():
    kp = Keypair.random()
    r = run("sec-to-pub", stdin=kp.secret.encode() + b"\n")
    assert r.returncode == 0 and r.stdout.decode().strip() == kp.public_key


def test_convert_id_forms():
    kp = Keypair.random()
    out = run("convert-id", kp.public_key).stdout.decode().splitlines()
    assert out == ["PublicKey:", f"  strKey: {kp.public_key}", f"  hex: {kp.raw_public_key().hex()}"]
    out = run("convert-id", kp.secret).stdout.decode().splitlines()
    assert out[:2] == ["Seed:", f"  strKey: {kp.secret}"] and out[3] == f"  strKey: {kp.public_key}"
    out = run("convert-id", kp.raw_public_key().hex()).stdout.decode()
    assert f"strKey: {kp.public_key}" in out and "STRKEY_CONTRACT: C" in out
    out = run("convert-id", "TAQCSRX2RIDJNHFIFHWD63X7D7D6TRT5Y2S6E3TEMXTG5W3OECHZ2OG4").stdout.decode()
    assert "type: STRKEY_PRE_AUTH_TX" in out
    assert run("convert-id", "nonsense").stdout.decode().strip() == "Unknown key type"


def _payment_envelope(source):
    tx = xdr.Transaction(sourceAccount=xdr.MuxedAccount(ed25519=source.public_key.ed25519),
                         fee=100, seqNum=7, operations=[xdr.Operation(body=xdr.OperationBody(
                             xdr.OperationType.PAYMENT, xdr.PaymentOp(
                                 destination=xdr.MuxedAccount(ed25519=bytes(32)),
                                 asset=xdr.Asset(), amount=10))),])
    return xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX,
                                   xdr.TransactionV1Envelope(tx=tx, signatures=[]))


def test_sign_transaction_file_raw_and_base64(tmp_path):
    key = SecretKey.random()
    env = _payment_envelope(key)
    path = tmp_path / "tx.xdr"
    path.write_bytes(env.to_xdr())
    passphrase = Network.TESTNET_NETWORK_PASSPHRASE
    r = run("sign-transaction", "--netid", passphrase, str(path), stdin=key.strkey_seed().encode() + b"\n")
    assert r.returncode == 0, r.stderr
    signed = xdr.TransactionEnvelope.from_xdr(r.stdout)
    assert len(signed.v1.signatures) == 1
    theirs = TransactionEnvelope.from_xdr(base64.b64encode(r.stdout).decode(), passphrase)
    assert theirs.hash() == contents_hash(env, network_id(passphrase))
    Keypair.from_public_key(key.strkey_public()).verify(theirs.hash(), signed.v1.signatures[0].signature)
    # base64 in, base64 out
    path.write_text(base64.b64encode(env.to_xdr()).decode() + "\n")
    r = run("sign-transaction", "--base64", "--netid", passphrase, str(path),
            stdin=key.strkey_seed().encode() + b"\n")
    assert xdr.TransactionEnvelope.from_xdr_base64(r.stdout.decode().strip()) == signed


@pytest.mark.parametrize("code, issuer", [("", ""), ("USD", "i"), ("ABCDE", "i"), ("TWELVECHARSX", "i")])
def test_encode_asset_matches_sdk(code, issuer):
    kp = Keypair.random()
    args = ["encode-asset"] + (["--code", code, "--issuer", kp.public_key] if code else [])
    out = run(*args).stdout.decode().strip()
    theirs = Asset.native() if not code else Asset(code, kp.public_key)
    assert out == theirs.to_xdr_object().to_xdr()


@pytest.mark.parametrize("args, stdin", [
    (("sec-to-pub",), b"GBAD\n"),
    (("sign-transaction", "--netid", "x", "/no/such/file"), b""),
    (("sign-transaction", "--base64", "/dev/null"), b""),
    (("encode-asset", "--code", "USD"), b""),
    (("encode-asset", "--code", "THIRTEENCHARS", "--issuer", "G"), b""),
    (("encode-asset", "--code", "USD", "--issuer", "GNOTAKEY"), b""),
    (("convert-id", "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUQ"), b""),
])
def test_bad_input_is_one_line(args, stdin, monkeypatch):
    monkeypatch.delenv("STELLAR_NETWORK_ID", raising=False)
    r = run(*args, stdin=stdin)
    assert r.returncode == 1, r.stdout
    err = r.stderr.decode()
    assert err.startswith("error: ") and err.count("\n") == 1, err


def test_sign_transaction_refuses_a_full_envelope(tmp_path):
    key = SecretKey.random()
    env = _payment_envelope(key)
    env.v1.signatures = [key.sign_decorated(b"x")] * 20
    path = tmp_path / "tx.xdr"
    path.write_bytes(env.to_xdr())
    r = run("sign-transaction", "--netid", "n", str(path), stdin=key.strkey_seed().encode() + b"\n")
    assert r.returncode == 1 and b"maximum number of signatures" in r.stderr
