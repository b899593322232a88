"""Properties of the HAS JSON over random states, and fuzzing: any text,
bytes or JSON document, and any mutation of a valid one, ends as a state or
one HistoryArchiveStateError, nothing else."""
import json
import os
import re
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stellarcore.history.archive_state import (
    BUCKET_LIST_LEVELS, FB_HASH_OUTPUT, ZERO_HASH, FutureBucketState, HistoryArchiveState,
    HistoryArchiveStateError, HistoryStateBucket, empty_levels)

PROPS = settings(max_examples=100, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# a small pool makes repeated hashes (and the zero hash) common
POOL = [ZERO_HASH] + [f"{i:02x}" * 32 for i in range(1, 12)]
hashes = st.one_of(st.sampled_from(POOL),
                   st.binary(min_size=32, max_size=32).map(bytes.hex))
futures = st.one_of(
    st.just(FutureBucketState()),
    hashes.map(FutureBucketState.hash_output),
    st.builds(FutureBucketState.hash_inputs, hashes, hashes, st.lists(hashes, max_size=3)))
levels = st.builds(HistoryStateBucket, hashes, futures, hashes)
level_lists = st.lists(levels, min_size=BUCKET_LIST_LEVELS, max_size=BUCKET_LIST_LEVELS)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
                max_size=30)


@st.composite
def states(draw):
    live = draw(level_lists)
    hot = draw(st.one_of(st.just(()), level_lists))
    passphrase = draw(texts)
    if hot and not passphrase:
        passphrase = "Test SDF Network ; September 2015"
    return HistoryArchiveState(draw(st.integers(0, 2 ** 32 - 1)), live, hot,
                               server=draw(texts), network_passphrase=passphrase)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | st.floats(allow_nan=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)


def _python_pretty(obj):
    """Python's own pretty JSON with rapidjson's uppercase \\u00XX escapes."""
    text = json.dumps(obj, indent=4, ensure_ascii=False)
    return re.sub(r"(\\\\)|\\u00([0-9a-f]{2})",
                  lambda m: m.group(1) or "\\u00" + m.group(2).upper(), text)


def _outcome(text, **kw):
    """from_json's answer: a state (that then round-trips) or the one error."""
    try:
        has = HistoryArchiveState.from_json(text, **kw)
    except HistoryArchiveStateError:
        return None
    j = has.to_json()
    assert HistoryArchiveState.from_json(j, **kw) == has
    return has


@PROPS
@given(states())
def test_random_states_round_trip(has):
    j = has.to_json()
    back = HistoryArchiveState.from_json(j)
    assert back == has
    assert back.to_json() == j
    assert back.version == (2 if has.hot_archive_buckets else 1)
    # an independent JSON writer agrees on every byte, and a reader on every value
    assert _python_pretty(has._to_obj()) == j
    doc = json.loads(j)
    assert doc["server"] == has.server and doc["currentLedger"] == has.current_ledger
    assert list(doc)[:3] == ["version", "server", "currentLedger"]


@PROPS
@given(states())
def test_random_states_save_and_load(has):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "stellar-history.json")
        has.save(path)
        assert HistoryArchiveState.load(path) == has
        with open(path, "rb") as f:
            assert f.read() == has.to_json().encode("utf-8")
        assert os.listdir(d) == ["stellar-history.json"]


@PROPS
@given(states(), states())
def test_bucket_sets(has, other):
    every = set()
    for lst in (has.current_buckets, has.hot_archive_buckets):
        for lv in lst:
            every |= {lv.curr, lv.snap, *lv.next.hashes()}
    assert has.all_buckets(include_zero=True) == sorted(every)
    assert has.all_buckets() == sorted(every - {ZERO_HASH})

    d = has.differing_buckets(other)
    fetched = d.live + d.hot
    assert len(fetched) == len(set(fetched)) and ZERO_HASH not in fetched
    # what `other` holds is not fetched; its live hashes inhibit the hot list too
    for lst, out in ((other.current_buckets, d.live + d.hot), (other.hot_archive_buckets, d.hot)):
        held = {x for lv in lst for x in (lv.curr, lv.snap, lv.next.output) if x}
        assert not held & set(out)
    # what is fetched is a level's curr, snap or merge output, never only a merge input
    kept = {x for lst in (has.current_buckets, has.hot_archive_buckets) for lv in lst
            for x in (lv.curr, lv.snap, lv.next.output) if x}
    assert set(fetched) <= kept
    # from an empty state everything kept is fetched
    d0 = has.differing_buckets(HistoryArchiveState())
    assert set(d0.live + d0.hot) == kept - {ZERO_HASH}


@PROPS
@given(states(), st.data())
def test_bucket_list_hash_ignores_next(has, data):
    live = tuple(HistoryStateBucket(lv.curr, data.draw(futures), lv.snap)
                 for lv in has.current_buckets)
    other = HistoryArchiveState(has.current_ledger, live, has.hot_archive_buckets,
                                network_passphrase=has.network_passphrase)
    assert other.bucket_list_hash() == has.bucket_list_hash()
    assert len(has.bucket_list_hash()) == 32


# ---------------------------------------------------------------------------
# fuzzing

@PROPS
@given(st.text(max_size=300))
def test_any_text(text):
    _outcome(text)
    _outcome(text, strict=False)


@PROPS
@given(st.binary(max_size=300))
def test_any_bytes(data):
    _outcome(data)


@PROPS
@given(json_values)
def test_any_json_document(doc):
    assert _outcome(json.dumps(doc)) is None      # nothing random is a whole HAS


@PROPS
@given(states(), st.data())
def test_mutated_text(has, data):
    text = has.to_json()
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text)))
        j = data.draw(st.integers(i, min(len(text), i + 8)))
        text = text[:i] + data.draw(st.text(max_size=4)) + text[j:]
    _outcome(text)
    _outcome(text, strict=False)
    _outcome(text.encode("utf-8", "surrogatepass"))


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, prefix + (i,))


@PROPS
@given(states(), st.data())
def test_mutated_document(has, data):
    doc = json.loads(has.to_json())
    paths = [p for p in _paths(doc) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        parent = doc
        try:
            for k in path[:-1]:
                parent = parent[k]
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue                       # an earlier mutation removed it
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = data.draw(json_values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.text(max_size=8))] = data.draw(json_values)
        else:
            parent.insert(path[-1], data.draw(json_values))
    _outcome(json.dumps(doc))
    _outcome(json.dumps(doc), strict=False)


@PROPS
@given(states(), st.sampled_from(["version", "currentLedger", "state"]),
       st.one_of(st.integers(-2 ** 40, 2 ** 40), st.floats(allow_nan=False), st.booleans(),
                 st.none(), st.text(max_size=3)))
def test_number_fields_take_only_their_values(has, key, value):
    doc = json.loads(has.to_json())
    if key == "state":
        target = doc["currentBuckets"][3]["next"]
        old = target["state"]
    else:
        target, old = doc, doc[key]
    target[key] = value
    result = _outcome(json.dumps(doc))
    ok = type(value) is int and 0 <= value < 2 ** 32
    if key == "version":
        ok = ok and (value == has.version or (value == 1 and has.version == 2))
    if key == "state":
        ok = ok and value == old            # other states miss their fields or are refused
    if key == "currentLedger":
        assert (result is not None) == ok
        if ok:
            assert result.current_ledger == value
    elif ok:
        assert result is not None
    if not ok:
        assert result is None


def test_empty_levels_sample():
    # the strategies above reach the edge cases the unit tests name
    has = HistoryArchiveState(0, empty_levels(), empty_levels(), network_passphrase="p")
    assert _outcome(has.to_json()) == has
    assert FutureBucketState(FB_HASH_OUTPUT, output=ZERO_HASH).has_output_hash
