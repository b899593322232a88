"""History Archive State JSON: stellar-core's own files byte for byte, every
`next` state, v1 and v2, the state's computations, archive paths, and bad
input (any document ends as a state or one HistoryArchiveStateError)."""
import hashlib
import json
import os

import pytest

from stellarcore.history import archive_state as has_mod
from stellarcore.history.archive_state import (
    BUCKET_LIST_LEVELS, FB_CLEAR, FB_HASH_INPUTS, FB_HASH_OUTPUT, WELL_KNOWN_REMOTE_NAME,
    ZERO_HASH, FutureBucketState, HistoryArchiveState, HistoryArchiveStateError,
    HistoryStateBucket, bucket_remote_dir, bucket_remote_name, checkpoint_remote_dir,
    checkpoint_remote_name, empty_levels, has_remote_dir, has_remote_name, hex_dir, hex_str,
    remote_name)

HAS_DIR = "testdata/history-archive-state"
# stellar-core v25.0.1 src/history/test/SerializeTests.cpp "Serialization round trip"
SHARED_FILES = [
    "stellar-history.testnet.6714239.json",
    "stellar-history.livenet.15686975.json",
    "stellar-history.testnet.6714239.networkPassphrase.json",
    "stellar-history.testnet.6714239.networkPassphrase.v2.json",
]
V2_FILE = "stellar-history.testnet.6714239.networkPassphrase.v2.json"
TESTNET = "(V) (;,,;) (V)"


def h(n: int) -> str:
    """A distinct well-formed hash per number."""
    return hashlib.sha256(n.to_bytes(8, "big")).hexdigest()


def read_text(path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def levels_with(**changes):
    """11 empty levels with some replaced: levels_with(l3=HistoryStateBucket(...))."""
    lv = list(empty_levels())
    for k, v in changes.items():
        lv[int(k[1:])] = v
    return tuple(lv)


# ---------------------------------------------------------------------------
# stellar-core's files

@pytest.mark.parametrize("name", SHARED_FILES)
def test_shared_file_round_trips_byte_identically(name, shared):
    path = shared(HAS_DIR, name)
    text = read_text(path)
    strict = name != V2_FILE
    # fromString / toString
    has = HistoryArchiveState.from_json(text, strict=strict)
    assert has.to_json() == text
    # load / toString, and bytes in
    assert HistoryArchiveState.load(path, strict=strict).to_json() == text
    assert HistoryArchiveState.from_json(text.encode("utf-8"), strict=strict) == has


def test_every_shared_file_is_covered(shared):
    d = shared(HAS_DIR)
    assert sorted(os.listdir(d)) == sorted(SHARED_FILES)


@pytest.mark.parametrize("name", SHARED_FILES)
def test_shared_file_saved_again_is_the_same_file(name, shared, tmp_path):
    path = shared(HAS_DIR, name)
    has = HistoryArchiveState.load(path, strict=name != V2_FILE)
    out = tmp_path / "stellar-history.json"
    has.save(out)
    assert out.read_bytes() == path.read_bytes()
    assert os.listdir(tmp_path) == ["stellar-history.json"]


def test_shared_v2_file_has_a_63_digit_hash_that_only_lenient_reading_keeps(shared):
    text = read_text(shared(HAS_DIR, V2_FILE))
    with pytest.raises(HistoryArchiveStateError, match=r"hotArchiveBuckets\[10\]\.next\.output"):
        HistoryArchiveState.from_json(text)
    has = HistoryArchiveState.from_json(text, strict=False)
    assert not has.hashes_well_formed()
    assert len(has.hot_archive_buckets[10].next.output) == 63
    with pytest.raises(HistoryArchiveStateError):
        has.bucket_list_hash()
    assert not has.contains_valid_buckets(lambda _h: 23)


def test_shared_files_facts(shared):
    plain = HistoryArchiveState.load(shared(HAS_DIR, SHARED_FILES[0]))
    livenet = HistoryArchiveState.load(shared(HAS_DIR, SHARED_FILES[1]))
    with_pp = HistoryArchiveState.load(shared(HAS_DIR, SHARED_FILES[2]))
    v2 = HistoryArchiveState.load(shared(HAS_DIR, V2_FILE), strict=False)
    assert (plain.version, livenet.version, with_pp.version, v2.version) == (1, 1, 1, 2)
    assert plain.current_ledger == with_pp.current_ledger == v2.current_ledger == 6714239
    assert livenet.current_ledger == 15686975
    # checkpoints are named by their last ledger: 64k - 1
    assert (plain.current_ledger + 1) % 64 == 0 and (livenet.current_ledger + 1) % 64 == 0
    assert plain.server == "v9.0.1-dirty" and plain.network_passphrase == ""
    assert with_pp.network_passphrase == v2.network_passphrase == TESTNET
    # the passphrase is the only difference; v2 adds the hot archive to the same live list
    assert plain.current_buckets == with_pp.current_buckets == v2.current_buckets
    assert len(v2.hot_archive_buckets) == BUCKET_LIST_LEVELS
    for has in (plain, livenet, with_pp, v2):
        assert len(has.current_buckets) == BUCKET_LIST_LEVELS
        assert has.current_buckets[0].next.is_clear        # level 0 never merges in the background
        assert not has.futures_all_clear()
        # every non-zero hash is fetched when starting from nothing
        d = has.differing_buckets(HistoryArchiveState())
        assert sorted(d.live + d.hot) == has.all_buckets()
        assert has.differing_buckets(has) == ([], [])
    # the bucket list hash over curr/snap only (next does not count)
    assert plain.bucket_list_hash() == with_pp.bucket_list_hash()
    assert livenet.bucket_list_hash() == _list_hash_by_definition(livenet.current_buckets)


def _list_hash_by_definition(levels):
    level_hashes = b"".join(
        hashlib.sha256(bytes.fromhex(lv.curr) + bytes.fromhex(lv.snap)).digest() for lv in levels)
    return hashlib.sha256(level_hashes).digest()


# ---------------------------------------------------------------------------
# next states, exact text

NEXT_TEXTS = [
    (FutureBucketState(), '{\n    "state": 0\n}'),
    (FutureBucketState.hash_output(h(1)), '{\n    "state": 1,\n    "output": "%s"\n}' % h(1)),
    (FutureBucketState.hash_inputs(h(2), h(3)),
     '{\n    "state": 2,\n    "curr": "%s",\n    "snap": "%s",\n    "shadow": []\n}'
     % (h(2), h(3))),
    (FutureBucketState.hash_inputs(h(2), h(3), [h(4), h(5)]),
     '{\n    "state": 2,\n    "curr": "%s",\n    "snap": "%s",\n    "shadow": [\n'
     '        "%s",\n        "%s"\n    ]\n}' % (h(2), h(3), h(4), h(5))),
]


@pytest.mark.parametrize("nxt,text", NEXT_TEXTS)
def test_next_state_text_and_round_trip(nxt, text):
    # FutureBucket's cereal save: state first, then only that state's fields
    assert has_mod._pretty(nxt._to_obj(), 0) == text
    lv = levels_with(l4=HistoryStateBucket(h(10), nxt, h(11)))
    for hot in ((), lv):
        has = HistoryArchiveState(127, lv, hot, server="s", network_passphrase=TESTNET)
        j = has.to_json()
        indented = text.replace("\n", "\n" + " " * 12)
        assert f'"next": {indented},' in j
        back = HistoryArchiveState.from_json(j)
        assert back == has and back.to_json() == j
        assert back.current_buckets[4].next == nxt


def test_whole_document_layout_v1_and_v2():
    lv = levels_with(l1=HistoryStateBucket(h(1), FutureBucketState.hash_output(h(2)), h(3)))
    v1 = HistoryArchiveState(63, lv, server="srv")
    lines = v1.to_json().split("\n")
    assert lines[:5] == ['{', '    "version": 1,', '    "server": "srv",',
                         '    "currentLedger": 63,', '    "currentBuckets": [']
    assert lines[5:12] == ['        {', f'            "curr": "{ZERO_HASH}",',
                           '            "next": {', '                "state": 0', '            },',
                           f'            "snap": "{ZERO_HASH}"', '        },']
    assert lines[-3:] == ['        }', '    ]', '}']           # no trailing newline
    assert not v1.to_json().endswith("\n")
    v2 = HistoryArchiveState(63, lv, lv, server="srv", network_passphrase=TESTNET)
    j = v2.to_json()
    assert j.split("\n")[1:5] == ['    "version": 2,', '    "server": "srv",',
                                  '    "currentLedger": 63,',
                                  f'    "networkPassphrase": "{TESTNET}",']
    assert j.index('"currentBuckets"') < j.index('"hotArchiveBuckets"')
    assert json.loads(j)["hotArchiveBuckets"] == json.loads(j)["currentBuckets"]


def test_future_bucket_hashes_and_predicates():
    c = FutureBucketState.clear()
    o = FutureBucketState.hash_output(h(1))
    i = FutureBucketState.hash_inputs(h(2), h(3), (h(4),))
    assert (c.is_clear, c.has_hashes, c.has_output_hash, c.hashes()) == (True, False, False, [])
    assert (o.is_clear, o.has_hashes, o.has_output_hash, o.hashes()) == (False, True, True, [h(1)])
    assert (i.is_clear, i.has_hashes, i.has_output_hash) == (False, True, False)
    assert i.hashes() == [h(2), h(3), h(4)]                        # getHashes: curr, snap, shadows
    assert FutureBucketState.hash_output(bytes.fromhex(h(1))) == o   # 32-byte values accepted


@pytest.mark.parametrize("kwargs", [
    dict(state=3), dict(state=4), dict(state=-1), dict(state=True), dict(state="1"),
    dict(state=FB_CLEAR, output=h(1)), dict(state=FB_CLEAR, shadow=(h(1),)),
    dict(state=FB_HASH_OUTPUT), dict(state=FB_HASH_OUTPUT, output=h(1), curr=h(2)),
    dict(state=FB_HASH_INPUTS, curr=h(1)), dict(state=FB_HASH_INPUTS, snap=h(1)),
    dict(state=FB_HASH_INPUTS, curr=h(1), snap=h(2), output=h(3)),
    dict(state=FB_HASH_INPUTS, curr=h(1), snap=h(2), shadow=h(3)),
    dict(state=FB_HASH_OUTPUT, output=""), dict(state=FB_HASH_OUTPUT, output=b"\1" * 31),
    dict(state=FB_HASH_OUTPUT, output=5),
])
def test_future_bucket_state_refuses_inconsistent_fields(kwargs):
    with pytest.raises(HistoryArchiveStateError):
        FutureBucketState(**kwargs)


# ---------------------------------------------------------------------------
# versions, passphrase, hot archive

def test_default_state_is_eleven_empty_levels():
    has = HistoryArchiveState()
    assert has.version == 1 and not has.has_hot_archive_buckets
    assert has.current_buckets == empty_levels() and len(has.current_buckets) == 11
    assert has.all_buckets() == [] and has.all_buckets(include_zero=True) == [ZERO_HASH]
    assert has.futures_all_clear()
    assert HistoryArchiveState.from_json(has.to_json()) == has


def test_get_put_current_ledger(tmp_path):
    # stellar-core "HistoryArchiveState get_put": a default HAS at 0x1234 comes back
    has = HistoryArchiveState(0x1234)
    has.save(tmp_path / "x.json")
    assert HistoryArchiveState.load(tmp_path / "x.json").current_ledger == 0x1234


def test_version_2_needs_a_passphrase():
    with pytest.raises(HistoryArchiveStateError, match="networkPassphrase"):
        HistoryArchiveState(1, None, empty_levels())
    has = HistoryArchiveState(1, None, empty_levels(), network_passphrase="p")
    assert has.version == 2 and has.has_hot_archive_buckets
    doc = json.loads(has.to_json())
    del doc["networkPassphrase"]
    with pytest.raises(HistoryArchiveStateError, match="networkPassphrase"):
        HistoryArchiveState.from_json(json.dumps(doc))
    doc = json.loads(has.to_json())
    del doc["hotArchiveBuckets"]
    with pytest.raises(HistoryArchiveStateError, match="hotArchiveBuckets"):
        HistoryArchiveState.from_json(json.dumps(doc))


def test_version_1_reads_no_hot_archive_and_an_empty_passphrase_is_absent():
    has = HistoryArchiveState(1, None, empty_levels(), network_passphrase="p")
    doc = json.loads(has.to_json())
    doc["version"] = 1                    # a v1 reader never looks at hotArchiveBuckets
    back = HistoryArchiveState.from_json(json.dumps(doc))
    assert back.version == 1 and back.hot_archive_buckets == () and back.network_passphrase == "p"
    doc["networkPassphrase"] = ""
    back = HistoryArchiveState.from_json(json.dumps(doc))
    assert back.network_passphrase == "" and "networkPassphrase" not in back.to_json()
    del doc["networkPassphrase"]
    assert HistoryArchiveState.from_json(json.dumps(doc)) == back


@pytest.mark.parametrize("version", [0, 3, 4, 2 ** 32 - 1])
def test_unexpected_versions_are_refused(version):
    doc = json.loads(HistoryArchiveState(1, None, empty_levels(), network_passphrase="p").to_json())
    doc["version"] = version
    with pytest.raises(HistoryArchiveStateError, match="version"):
        HistoryArchiveState.from_json(json.dumps(doc))


def test_keys_are_found_by_name_and_unknown_keys_ignored():
    has = HistoryArchiveState(5, levels_with(l2=HistoryStateBucket(
        h(1), FutureBucketState.hash_inputs(h(2), h(3), [h(4)]), h(5))), server="x")
    doc = json.loads(has.to_json())
    shuffled = {k: doc[k] for k in reversed(list(doc))}
    shuffled["extra"] = {"anything": [1, 2.5, None]}
    shuffled["currentBuckets"][2]["next"]["output"] = "ignored in state 2"
    shuffled["currentBuckets"][3] = {"snap": ZERO_HASH, "next": {"state": 0, "x": 1},
                                     "curr": ZERO_HASH}
    back = HistoryArchiveState.from_json(json.dumps(shuffled))
    assert back == has and back.to_json() == has.to_json()


def test_string_escaping_follows_rapidjson():
    server = 'a"b\\c/d\x01\x1f\x7f\b\t\n\f\r é €😀'
    has = HistoryArchiveState(1, server=server, network_passphrase="n")
    j = has.to_json()
    assert '"server": "a\\"b\\\\c/d\\u0001\\u001F\x7f\\b\\t\\n\\f\\r é €😀",' in j
    assert json.loads(j)["server"] == server
    assert HistoryArchiveState.from_json(j) == has
    assert HistoryArchiveState.from_json(j.encode("utf-8")) == has


def test_a_nul_ends_a_string_as_in_cereal():
    # cereal reads std::string from rapidjson's C string
    doc = json.loads(HistoryArchiveState(1, server="abc").to_json())
    doc["server"] = "ab\u0000cd"
    doc["currentBuckets"][0]["curr"] = h(1) + "\u0000junk"
    back = HistoryArchiveState.from_json(json.dumps(doc))
    assert back.server == "ab" and back.current_buckets[0].curr == h(1)
    with pytest.raises(HistoryArchiveStateError, match="NUL"):
        HistoryArchiveState(1, server="a\0b")


# ---------------------------------------------------------------------------
# bad input

def _doc():
    lv = levels_with(l1=HistoryStateBucket(h(1), FutureBucketState.hash_output(h(2)), h(3)),
                     l2=HistoryStateBucket(h(4), FutureBucketState.hash_inputs(h(5), h(6), [h(7)]),
                                           h(8)))
    return json.loads(HistoryArchiveState(127, lv, lv, network_passphrase="p").to_json())


def _set(doc, path, value):
    d = doc
    for k in path[:-1]:
        d = d[k]
    if value is _DELETE:
        del d[path[-1]]
    else:
        d[path[-1]] = value
    return doc


_DELETE = object()
LV = ["currentBuckets", 1]
LV2 = ["hotArchiveBuckets", 2]


@pytest.mark.parametrize("path,value,match", [
    (["version"], "1", "version"), (["version"], 1.0, "version"), (["version"], True, "version"),
    (["version"], None, "version"), (["version"], _DELETE, "version"),
    (["currentLedger"], -1, "currentLedger"), (["currentLedger"], 2 ** 32, "currentLedger"),
    (["currentLedger"], 63.0, "currentLedger"), (["currentLedger"], "63", "currentLedger"),
    (["server"], 1, "server"), (["server"], None, "server"), (["server"], _DELETE, "server"),
    (["networkPassphrase"], 5, "networkPassphrase"),
    (["currentBuckets"], {}, "currentBuckets"), (["currentBuckets"], None, "currentBuckets"),
    (["currentBuckets"], [], "levels"), (["hotArchiveBuckets"], "x", "hotArchiveBuckets"),
    (["currentBuckets", 10], _DELETE, "10 levels"),
    (["currentBuckets", 0], [], r"currentBuckets\[0\]"),
    (LV + ["curr"], h(1).upper(), r"currentBuckets\[1\]\.curr"),
    (LV + ["curr"], h(1)[:-1], "64 lowercase"), (LV + ["curr"], h(1) + "0", "64 lowercase"),
    (LV + ["curr"], "", "empty"), (LV + ["curr"], None, "curr"), (LV + ["curr"], _DELETE, "curr"),
    (LV + ["snap"], "zz" * 32, "snap"), (LV + ["next"], _DELETE, "next"),
    (LV + ["next"], 1, "next"), (LV + ["next", "state"], 3, "state"),
    (LV + ["next", "state"], 4, "state"), (LV + ["next", "state"], -1, "state"),
    (LV + ["next", "state"], _DELETE, "state"), (LV + ["next", "state"], 1.0, "state"),
    (LV + ["next", "output"], _DELETE, "output"), (LV + ["next", "output"], "", "output"),
    (LV + ["next", "output"], [h(1)], "output"),
    (LV2 + ["next", "curr"], _DELETE, "curr"), (LV2 + ["next", "snap"], 7, "snap"),
    (LV2 + ["next", "shadow"], _DELETE, "shadow"), (LV2 + ["next", "shadow"], h(1), "shadow"),
    (LV2 + ["next", "shadow", 0], 1, "shadow"), (LV2 + ["next", "shadow", 0], "ab", "shadow"),
])
def test_bad_fields_are_refused(path, value, match):
    doc = _set(_doc(), path, value)
    with pytest.raises(HistoryArchiveStateError, match=match):
        HistoryArchiveState.from_json(json.dumps(doc))


@pytest.mark.parametrize("text", [
    "", " ", "null", "[]", "[1]", "1", '"x"', "{}", "{", '{"version": 1,}', "{'version': 1}",
    '{"version": 1} x', "\ufeff{}", '{"version": 1, "version": 1}', "[" * 100000,
    '{"server": "\\ud800"}', b"\xff\xfe", b'{"server": "\xc3"}', 12, None,
])
def test_garbage_is_refused(text):
    with pytest.raises(HistoryArchiveStateError):
        HistoryArchiveState.from_json(text)


def test_lone_surrogate_in_a_read_string_is_refused():
    doc = _doc()
    text = json.dumps(doc).replace('"server": "' + doc["server"], '"server": "\\udc00')
    with pytest.raises(HistoryArchiveStateError, match="surrogate"):
        HistoryArchiveState.from_json(text)


def test_levels_parameter_for_shrunk_bucket_lists():
    small = HistoryArchiveState(3, empty_levels(4), levels=4)
    assert len(small.current_buckets) == 4
    assert HistoryArchiveState.from_json(small.to_json(), levels=4) == small
    with pytest.raises(HistoryArchiveStateError, match="4 levels"):
        HistoryArchiveState.from_json(small.to_json())
    with pytest.raises(HistoryArchiveStateError):
        HistoryArchiveState(levels=0)


@pytest.mark.parametrize("kwargs", [
    dict(current_ledger=-1), dict(current_ledger=2 ** 32), dict(current_ledger="1"),
    dict(current_buckets=empty_levels(10)), dict(current_buckets="abc"),
    dict(current_buckets=[1] * 11),
    dict(hot_archive_buckets=empty_levels(12), network_passphrase="p"),
    dict(server=None), dict(network_passphrase=b"p"), dict(server="\ud800"),
])
def test_constructor_refuses_bad_values(kwargs):
    with pytest.raises(HistoryArchiveStateError):
        HistoryArchiveState(**kwargs)


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        HistoryArchiveState.load(tmp_path / "absent.json")
    (tmp_path / "bad.json").write_text("not json")
    with pytest.raises(HistoryArchiveStateError):
        HistoryArchiveState.load(tmp_path / "bad.json")


# ---------------------------------------------------------------------------
# computations

def test_all_buckets_lists_every_referenced_hash_once_sorted():
    lv = levels_with(
        l1=HistoryStateBucket(h(1), FutureBucketState.hash_output(h(2)), h(3)),
        l2=HistoryStateBucket(h(4), FutureBucketState.hash_inputs(h(5), h(6), [h(7), h(1)]), h(8)))
    hot = levels_with(l3=HistoryStateBucket(h(9), FutureBucketState.hash_output(h(1)), ZERO_HASH))
    has = HistoryArchiveState(1, lv, hot, network_passphrase="p")
    assert has.all_buckets() == sorted(h(i) for i in range(1, 10))
    assert has.all_buckets(include_zero=True) == sorted([ZERO_HASH] + [h(i) for i in range(1, 10)])


def test_differing_buckets_order_and_inhibition():
    # stellar-core differingBuckets: highest level first, snap, next output, curr;
    # zero hashes, hashes `other` has (curr, snap, next output) and repeats left out
    lv = levels_with(
        l0=HistoryStateBucket(h(1), FutureBucketState(), h(2)),
        l1=HistoryStateBucket(h(3), FutureBucketState.hash_output(h(4)), h(5)),
        l2=HistoryStateBucket(h(6), FutureBucketState.hash_inputs(h(7), h(8)), h(5)),
        l9=HistoryStateBucket(h(10), FutureBucketState.hash_output(h(11)), h(12)))
    other_lv = levels_with(l5=HistoryStateBucket(h(3), FutureBucketState.hash_output(h(11)), h(99)))
    hot = levels_with(l1=HistoryStateBucket(h(1), FutureBucketState.hash_output(h(20)), h(21)))
    has = HistoryArchiveState(1, lv, hot, network_passphrase="p")
    other = HistoryArchiveState(1, other_lv)
    d = has.differing_buckets(other)
    # level 9: snap h12, output h11 (other has it), curr h10; level 2: snap h5, no
    # output (so snap again), curr h6; level 1: snap h5 (listed), output h4, curr h3
    # (other's curr); level 0: h2, h1
    assert d.live == [h(12), h(10), h(5), h(6), h(4), h(2), h(1)]
    # h(1) was listed for the live list, so the hot list leaves it out
    assert d.hot == [h(21), h(20)]
    # inputs of a pending merge are never fetched
    assert h(7) not in d.live and h(8) not in d.live
    assert has.differing_buckets(has) == ([], [])


def test_bucket_list_hash_v1_and_v2():
    lv = levels_with(l0=HistoryStateBucket(h(1), FutureBucketState(), h(2)),
                     l3=HistoryStateBucket(h(3), FutureBucketState.hash_output(h(4)), ZERO_HASH))
    hot = levels_with(l1=HistoryStateBucket(h(5), FutureBucketState(), h(6)))
    v1 = HistoryArchiveState(1, lv)
    v2 = HistoryArchiveState(1, lv, hot, network_passphrase="p")
    live = _list_hash_by_definition(lv)
    assert v1.bucket_list_hash() == live
    assert v2.bucket_list_hash() == hashlib.sha256(live + _list_hash_by_definition(hot)).digest()
    # next never counts
    other = HistoryArchiveState(
        1, levels_with(l0=lv[0], l3=HistoryStateBucket(h(3), snap=ZERO_HASH)))
    assert other.bucket_list_hash() == live


class Versions:
    """bucket_version callback over a dict (missing -> None)."""

    def __init__(self, versions):
        self.versions = versions
        self.asked = []

    def __call__(self, hh):
        self.asked.append(hh)
        return self.versions.get(hh)


def test_contains_valid_buckets():
    assert HistoryArchiveState().contains_valid_buckets(Versions({}))
    l0 = HistoryStateBucket(h(20), FutureBucketState(), h(21))
    # versions never decrease going up the list (snap before curr)
    lv = levels_with(l0=l0, l1=HistoryStateBucket(h(1), FutureBucketState(), h(2)),
                     l2=HistoryStateBucket(h(3), FutureBucketState(), h(4)))

    def versions(v1, v2, v3, v4, v0=23):
        return Versions({h(1): v1, h(2): v2, h(3): v3, h(4): v4, h(20): v0, h(21): v0})

    ok = versions(23, 23, 22, 22)
    assert HistoryArchiveState(1, lv).contains_valid_buckets(ok)
    assert ZERO_HASH not in ok.asked
    assert not HistoryArchiveState(1, lv).contains_valid_buckets(versions(22, 23, 22, 22))
    assert not HistoryArchiveState(1, lv).contains_valid_buckets(versions(23, 23, 24, 22))
    assert not HistoryArchiveState(1, lv).contains_valid_buckets(versions(23, 23, 22, 22, v0=22))
    # a missing bucket makes the state invalid
    assert not HistoryArchiveState(1, lv).contains_valid_buckets(Versions({h(1): 23}))
    # level 0 next must be clear
    bad0 = levels_with(l0=HistoryStateBucket(h(1), FutureBucketState.hash_output(h(2)), h(3)))
    assert not HistoryArchiveState(1, bad0).contains_valid_buckets(
        Versions({h(1): 23, h(2): 23, h(3): 23}))
    # from protocol 12 (shadows removed) a next above a non-empty bucket must be clear...
    merging = levels_with(l0=l0, l1=HistoryStateBucket(h(1), FutureBucketState(), h(2)),
                          l2=HistoryStateBucket(h(3), FutureBucketState.hash_output(h(5)), h(4)))
    assert not HistoryArchiveState(1, merging).contains_valid_buckets(versions(12, 12, 12, 12, 12))
    # ...and before it must hold an output hash (level 1 has none here)
    assert not HistoryArchiveState(1, merging).contains_valid_buckets(versions(11, 11, 11, 11, 11))
    # (every level above a non-empty snap, level 3 included, holds an output)
    merging2 = levels_with(l0=l0, l1=HistoryStateBucket(h(1), FutureBucketState.hash_output(h(6)),
                                                        h(2)), l2=merging[2],
                           l3=HistoryStateBucket(next=FutureBucketState.hash_output(h(7))))
    assert HistoryArchiveState(1, merging2).contains_valid_buckets(versions(11, 11, 11, 11, 11))
    assert not HistoryArchiveState(1, merging2[:3] + empty_levels(8)).contains_valid_buckets(
        versions(11, 11, 11, 11, 11))
    # an empty bucket under a non-empty one counts as version 0: too old
    assert not HistoryArchiveState(1, levels_with(l1=lv[1], l2=lv[2], l0=HistoryStateBucket(
        snap=h(21)))).contains_valid_buckets(ok)
    # an empty previous snap counts as version 0: below 12, so an output hash is needed
    no_l0 = levels_with(l1=lv[1], l2=lv[2])
    assert not HistoryArchiveState(1, no_l0).contains_valid_buckets(ok)
    # while no non-empty bucket has been seen (from the top), next is not checked
    top_only = levels_with(l0=l0, l2=HistoryStateBucket(next=FutureBucketState.hash_output(h(7))))
    assert HistoryArchiveState(1, top_only).contains_valid_buckets(Versions({h(20): 23, h(21): 23}))
    # the hot archive list is checked too
    hot = HistoryArchiveState(1, None, bad0, network_passphrase="p")
    assert not hot.contains_valid_buckets(Versions({h(1): 23, h(2): 23, h(3): 23}))
    # the expected level count
    assert not HistoryArchiveState().contains_valid_buckets(Versions({}), levels=10)


# ---------------------------------------------------------------------------
# archive paths

def test_archive_paths():
    assert WELL_KNOWN_REMOTE_NAME == ".well-known/stellar-history.json"
    assert hex_str(0x3f) == "0000003f" and hex_str(2 ** 32 - 1) == "ffffffff"
    assert hex_dir("0000003f") == "00/00/00" and hex_dir("12345678") == "12/34/56"
    assert has_remote_dir(0x12345678) == "history/12/34/56"
    assert has_remote_name(0x3f) == "history/00/00/00/history-0000003f.json"
    assert has_remote_name(0x12345678) == "history/12/34/56/history-12345678.json"
    assert checkpoint_remote_name("ledger", 127) == "ledger/00/00/00/ledger-0000007f.xdr.gz"
    assert checkpoint_remote_name("transactions", 0xabcdef3f) == \
        "transactions/ab/cd/ef/transactions-abcdef3f.xdr.gz"
    assert checkpoint_remote_dir("scp", 0x0102033f) == "scp/01/02/03"
    assert checkpoint_remote_name("results", 191) == "results/00/00/00/results-000000bf.xdr.gz"
    hh = "a1b2c3" + "0" * 58
    assert bucket_remote_dir(hh) == "bucket/a1/b2/c3"
    assert bucket_remote_name(hh) == f"bucket/a1/b2/c3/bucket-{hh}.xdr.gz"
    assert bucket_remote_name(bytes.fromhex(hh)) == bucket_remote_name(hh)
    assert remote_name("history", "0000003f", "json") == has_remote_name(63)


@pytest.mark.parametrize("call", [
    lambda: hex_str(-1), lambda: hex_str(2 ** 32), lambda: hex_str("3f"), lambda: hex_dir("12345"),
    lambda: hex_dir("zz3456"), lambda: checkpoint_remote_name("bucket", 63),
    lambda: bucket_remote_name("ab"), lambda: bucket_remote_name(h(1).upper()),
])
def test_archive_path_errors(call):
    with pytest.raises(ValueError):
        call()


# ---------------------------------------------------------------------------
# saving

def test_save_replaces_atomically_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "stellar-history.json"
    target.write_text("old")
    has = HistoryArchiveState(63, server="s")
    has.save(target)
    assert target.read_text() == has.to_json()
    assert os.listdir(tmp_path) == ["stellar-history.json"]
    has.save(str(target))                    # str paths too
    assert HistoryArchiveState.load(str(target)) == has


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "stellar-history.json"
    target.write_text("old")

    def boom(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(has_mod.os, "replace", boom)
    with pytest.raises(OSError):
        HistoryArchiveState(63).save(target)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["stellar-history.json"]


def test_values_are_immutable_and_hashable():
    has = HistoryArchiveState(1)
    with pytest.raises(AttributeError):
        has.current_ledger = 2
    assert len({has, HistoryArchiveState(1), HistoryArchiveState(2)}) == 2
    assert isinstance(HistoryArchiveStateError("x"), ValueError)
