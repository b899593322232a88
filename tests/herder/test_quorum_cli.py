"""`stellarcore check-quorum-intersection`, run as a user runs it (a subprocess)."""
import json
import subprocess
import sys

from stellarcore.crypto import strkey
from stellarcore.herder import quorum_intersection as qi
from stellarcore.scp.quorum import QSet

from tests.herder._networks import bidir, interconnect, is_quorum_set_of, key, make_orgs

QI_DIR = ("testdata", "quorum-intersection")


def run(*args):
    return subprocess.run([sys.executable, "-m", "stellarcore", "check-quorum-intersection", *args],
                          capture_output=True, text=True, timeout=120)


def write_map(path, qmap):
    path.write_text(json.dumps(qi.quorum_map_to_json(qmap)))
    return str(path)


def test_enjoys_intersection(shared, tmp_path):
    out = tmp_path / "result.json"
    r = run(str(shared(*QI_DIR, "enjoys-intersection.json")), "--result-json", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["Network enjoys quorum intersection"]
    res = json.loads(out.read_text())
    assert res["status"] == 0 and res["quorum_split"] == [[], []] and res["error"] == ""
    assert res["metrics"]["successful_run_count"] == 1


def test_no_intersection(shared, tmp_path):
    path = shared(*QI_DIR, "no-intersection.json")
    out = tmp_path / "result.json"
    r = run(str(path), "--result-json", str(out))
    assert r.returncode == 101, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "Network does not enjoy quorum intersection"
    assert lines[1].startswith("quorum A: G") and lines[2].startswith("quorum B: G")
    res = json.loads(out.read_text())
    assert res["status"] == 101
    qmap = qi.load_quorum_map(path)
    a, b = ({strkey.decode("G", k) for k in side} for side in res["quorum_split"])
    assert a and b and not a & b
    assert is_quorum_set_of(qmap, a) and is_quorum_set_of(qmap, b)


def test_bad_key(shared):
    r = run(str(shared(*QI_DIR, "bad-key.json")))
    assert r.returncode == 1
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Invalid public key in JSON file")


def test_bad_threshold_type(shared):
    r = run(str(shared(*QI_DIR, "bad-threshold-type.json")))
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "'t' must exist and be an unsigned integer" in lines[0]


def test_missing_file(tmp_path):
    r = run(str(tmp_path / "nope.json"))
    assert r.returncode == 1
    assert r.stderr.startswith("error: Could not open file") and len(r.stderr.splitlines()) == 1


def test_critical_groups(tmp_path):
    orgs = make_orgs(7, (1,))
    qmap = interconnect(orgs, bidir([(0, 1), (1, 2), (4, 5), (4, 6), (5, 6),
                                     (0, 3), (1, 3), (2, 3), (4, 3), (6, 3)]))
    out = tmp_path / "result.json"
    r = run(write_map(tmp_path / "map.json", qmap), "--analyze-critical-groups",
            "--result-json", str(out))
    assert r.returncode == 0, r.stderr
    bridge = strkey.encode("G", orgs[3][0])
    assert f"intersection-critical group: [{bridge}]" in r.stdout
    assert json.loads(out.read_text())["intersection_critical_groups"] == [[bridge]]


def test_unknown_on_time_limit_and_depth(tmp_path):
    qmap = interconnect(make_orgs(6), lambda i, j: True)
    path = write_map(tmp_path / "map.json", qmap)
    out = tmp_path / "result.json"
    r = run(path, "--time-limit-ms", "0", "--result-json", str(out))
    assert r.returncode == 102
    assert r.stdout.startswith("UNKNOWN result")
    res = json.loads(out.read_text())
    assert res["status"] == 102 and "Resource limits exceeded" in res["error"]
    assert res["metrics"]["failed_run_count"] == 1

    q = QSet(1, (key(0),))
    for _ in range(4):
        q = QSet(1, (), (q,))
    r = run(write_map(tmp_path / "deep.json", {key(0): q}), "--result-json", str(out))
    assert r.returncode == 102
    assert "depth" in json.loads(out.read_text())["error"]


def test_bad_option():
    r = run("x.json", "--time-limit-ms", "-5")
    assert r.returncode == 2 and "--time-limit-ms" in r.stderr
