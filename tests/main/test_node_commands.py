"""`run`, `new-db`, `offline-info`, `http-command` (stellar-core v25
CommandLine.cpp run/runNewDB/runOfflineInfo/runHttpCommand and
ApplicationUtils.cpp): the CLI wiring with a recording fake Application,
http-command against a real server, and one real node end to end.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time

import gevent
import pytest

from stellarcore.main import cli
from stellarcore.main.command_handler import CommandHandler
from stellarcore.main.commands import node
from stellarcore.main.http_server import HttpServer
from tests.conftest import shared_path
from tests.main.test_command_handler import FakeApp

CREATED = []


class RecordingApp:
    def __init__(self, config):
        self.config = config
        self.calls = []
        CREATED.append(self)

    def new_db(self):
        self.calls.append("new_db")

    def offline_info(self):
        self.calls.append("offline_info")
        return {"info": {"ledger": {"num": 1}, "state": "Booting"}}

    def run_forever(self):
        self.calls.append("run_forever")

    def stop(self):
        self.calls.append("stop")


@pytest.fixture
def fake(monkeypatch, tmp_path):
    CREATED.clear()
    monkeypatch.setattr(node, "_application_class", lambda: RecordingApp)
    monkeypatch.setenv("STELLARCORE_DATA", str(tmp_path / "data"))
    return CREATED


def standalone_cfg(tmp_path, extra=""):
    text = shared_path("testdata", "configs", "stellar-core_standalone.cfg").read_text()
    p = tmp_path / "node.cfg"
    p.write_text(extra + "\nLOG_FILE_PATH=\"\"\n" + text.replace(
        'DATABASE="sqlite3://stellar.db"', f'DATABASE="sqlite3://{tmp_path}/stellar.db"'))
    return p


def test_run_without_conf_is_the_default_standalone_node(fake, tmp_path):
    assert cli.main(["run"]) == 0
    app = fake[0]
    cfg = app.config
    assert app.calls == ["run_forever"]
    assert cfg.RUN_STANDALONE and cfg.NODE_IS_VALIDATOR and cfg.FORCE_SCP
    assert cfg.NETWORK_PASSPHRASE == "Standalone Network ; February 2017"
    assert (tmp_path / "data" / "node-seed").exists()
    assert cfg.DATABASE == f"sqlite3://{tmp_path / 'data' / 'stellar.db'}"
    # a restart keeps the identity
    assert cli.main(["run"]) == 0
    assert fake[1].config.NODE_SEED == cfg.NODE_SEED


def test_run_with_conf_and_options(fake, tmp_path):
    conf = standalone_cfg(tmp_path)
    assert cli.main(["run", "--conf", str(conf), "--wait-for-consensus",
                     "--metadata-output-stream", "fd:3", "--disable-bucket-gc"]) == 0
    cfg = fake[0].config
    assert cfg.HTTP_PORT == 8080 and cfg.NODE_IS_VALIDATOR
    assert cfg.FORCE_SCP is False                     # --wait-for-consensus
    assert cfg.METADATA_OUTPUT_STREAM == "fd:3" and cfg.metadata_output_fd == 3
    assert cfg.DISABLE_BUCKET_GC


def test_run_refusals(fake, tmp_path, capsys):
    conf = standalone_cfg(tmp_path, 'METADATA_OUTPUT_STREAM="meta.xdr"')
    assert cli.main(["run", "--conf", str(conf), "--metadata-output-stream", "fd:3"]) == 1
    assert "conflicts with config-file provided METADATA_OUTPUT_STREAM" in capsys.readouterr().err
    testnet = shared_path("testdata", "configs", "stellar-core_testnet.cfg").read_text()
    p = tmp_path / "watcher.cfg"
    p.write_text("MANUAL_CLOSE=true\n" + testnet)
    assert cli.main(["run", "--conf", str(p)]) == 1
    assert "MANUAL_CLOSE mode requires NODE_IS_VALIDATOR" in capsys.readouterr().err
    assert cli.main(["run", "--conf", str(tmp_path / "missing.cfg")]) == 1
    assert "No config file" in capsys.readouterr().err
    assert fake == []


def test_new_db_and_offline_info_do_not_listen(fake, tmp_path, capsys):
    conf = standalone_cfg(tmp_path)
    assert cli.main(["new-db", "--conf", str(conf)]) == 0
    app = fake[0]
    assert app.calls == ["new_db", "stop"]
    # setNoListen: no HTTP port, standalone, manual close
    assert (app.config.HTTP_PORT, app.config.RUN_STANDALONE, app.config.MANUAL_CLOSE) == (0, True, True)
    capsys.readouterr()
    assert cli.main(["offline-info", "--conf", str(conf)]) == 0
    out = capsys.readouterr().out
    assert out == ('{\n   "info" : {\n      "ledger" : {\n         "num" : 1\n      },\n'
                   '      "state" : "Booting"\n   }\n}\n\n')


def test_http_command_path():
    """httpCommand: after the '?', everything but ASCII letters and digits is %xx."""
    assert node.http_command_path("info") == "/info"
    assert node.http_command_path("ll?level=debug&partition=Herder") == \
        "/ll?level%3ddebug%26partition%3dHerder"
    assert node.http_command_path("tx?blob=a+b/c=") == "/tx?blob%3da%2bb%2fc%3d"


def test_http_command_against_a_server(tmp_path, capsys):
    srv = HttpServer(CommandHandler(FakeApp()), 0)
    srv.start()
    try:
        conf = standalone_cfg(tmp_path, f"HTTP_PORT={srv.port}")
        conf.write_text(conf.read_text().replace("HTTP_PORT=8080\n", ""))
        pool = gevent.get_hub().threadpool
        rc = pool.spawn(cli.main, ["http-command", "--conf", str(conf),
                                   "ll?level=debug&partition=Herder"]).get()
        assert rc == 0
        assert json.loads(capsys.readouterr().out) == {"Herder": "Debug"}
        rc = pool.spawn(cli.main, ["http-command", "--conf", str(conf), "nope"]).get()
        assert rc == 1 and "http failed(404)" in capsys.readouterr().err
    finally:
        srv.stop()
    rc = cli.main(["http-command", "--conf", str(conf), "info"])
    assert rc == 1 and "http failed" in capsys.readouterr().err


# --- one real node, end to end ------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(port, cmd):
    r = subprocess.run([sys.executable, "-m", "stellarcore", "http-command", "--conf",
                        os.environ["NODE_CFG"], cmd], capture_output=True, timeout=60)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def test_real_node_runs_and_answers(tmp_path, monkeypatch):
    pytest.importorskip("stellarcore.main.application")
    port = _free_port()
    conf = tmp_path / "node.cfg"
    conf.write_text(f'''HTTP_PORT={port}
RUN_STANDALONE=true
MANUAL_CLOSE=true
NETWORK_PASSPHRASE="Standalone Network ; February 2017"
NODE_SEED="SDQVDISRYN2JXBS7ICL7QJAEKB3HWBJFP2QECXG7GZICAHBK4UNJCWK2 self"
NODE_IS_VALIDATOR=true
DATABASE="sqlite3://{tmp_path}/db/stellar.db"
BUCKET_DIR_PATH="{tmp_path}/buckets"
LOG_FILE_PATH=""
FAILURE_SAFETY=0
UNSAFE_QUORUM=true
[QUORUM_SET]
THRESHOLD_PERCENT=100
VALIDATORS=["$self"]
''')
    monkeypatch.setenv("NODE_CFG", str(conf))
    proc = subprocess.Popen([sys.executable, "-m", "stellarcore", "run", "--conf", str(conf)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):                        # wait for the port (no timing assert)
            rc, out, _err = _http(port, "info")
            if rc == 0:
                break
            if proc.poll() is not None:
                pytest.fail("node exited: " + proc.stdout.read().decode()[-2000:])
            time.sleep(0.2)
        info = json.loads(out)["info"]
        assert info["ledger"]["num"] == 1 and info["network"] == "Standalone Network ; February 2017"
        rc, out, _ = _http(port, "manualclose")
        assert rc == 0
        rc, out, _ = _http(port, "info")
        assert json.loads(out)["info"]["ledger"]["num"] == 2
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
