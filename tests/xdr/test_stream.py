"""Record-marked XDR streams, framed as stellar-core's XDROutputFileStream
writes them: a big-endian length with the high bit set, then the XDR."""
import gzip
import hashlib
import io

import pytest

from stellarcore import xdr
from stellarcore.xdr import XdrError
from stellarcore.xdr.stream import XdrInputStream, XdrOutputStream, frame, read_records


def test_framing_bytes():
    assert frame([b"\0\0\0\1", b""]) == bytes.fromhex("80000004" "00000001" "80000000")


def test_reader_ignores_the_last_fragment_bit_like_stellar_core():
    assert read_records(bytes.fromhex("00000004" "00000001")) == [b"\0\0\0\1"]


def test_round_trip_values_and_hash(tmp_path):
    entries = [xdr.BucketEntry(xdr.BucketEntryType.METAENTRY, xdr.BucketMetadata(ledgerVersion=25)),
               xdr.BucketEntry(xdr.BucketEntryType.DEADENTRY, xdr.LedgerKey(
                   ttl=xdr.LedgerKeyTtl(keyHash=b"\7" * 32)))]
    h = hashlib.sha256()
    path = tmp_path / "bucket.xdr"
    with XdrOutputStream.open(path, hasher=h) as out:
        for e in entries:
            out.write_one(e)
    data = path.read_bytes()
    # the hash covers the record marks too (PARITY_TRAPS X2)
    assert h.digest() == hashlib.sha256(data).digest()
    with XdrInputStream.open(path) as s:
        assert list(s.values(xdr.BucketEntry)) == entries


def test_typedef_codec_and_gzip(tmp_path):
    path = tmp_path / "x.xdr.gz"
    with gzip.open(path, "wb") as f:
        out = XdrOutputStream(f)
        out.write_one([], xdr.LedgerEntryChanges)
        out.write_one(b"\1" * 32, xdr.Hash)
    with gzip.open(path, "rb") as f:
        s = XdrInputStream(f)
        assert s.read_one(xdr.LedgerEntryChanges) == []
        assert s.read_one(xdr.Hash) == b"\1" * 32
        assert s.read_one(xdr.Hash) is None


@pytest.mark.parametrize("data, message", [
    (bytes.fromhex("8000"), "truncated record mark"),
    (bytes.fromhex("80000008" "00000001"), "truncated"),
])
def test_truncated_streams(data, message):
    with pytest.raises(XdrError, match=message):
        read_records(data)


def test_bad_record_names_its_index():
    data = frame([xdr.SCVal(xdr.SCValType.SCV_VOID).to_xdr(), b"\0\0\0\x63"])
    s = XdrInputStream(io.BytesIO(data))
    with pytest.raises(XdrError) as e:
        list(s.values(xdr.SCVal))
    assert e.value.path.startswith("record 1")


def test_size_limit():
    with pytest.raises(XdrError, match="limit"):
        XdrInputStream(io.BytesIO(frame([b"\0" * 16])), size_limit=8).read_record()


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_are_records_or_one_error(data):
    try:
        records = read_records(data)
    except XdrError:
        return
    assert sum(4 + len(r) for r in records) == len(data)   # every byte accounted for
