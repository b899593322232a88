"""`stellarcore run` killed with SIGKILL at arbitrary moments restarts from
its last closed ledger: the stored header chain is unbroken (every header's
previousLedgerHash is the stored hash of the one before, every stored hash
is SHA-256 of its header), the bucket list matches the last header (the
node refuses to start otherwise), and it goes on closing ledgers."""
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time


from stellarcore.crypto.keys import SecretKey
from stellarcore.database.database import Database
from stellarcore.ledger import header_store

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _conf(tmp_path):
    seed = SecretKey(b"\x11" * 32)
    text = f"""
NETWORK_PASSPHRASE="Standalone Network ; February 2017"
NODE_SEED="{seed.strkey_seed()} self"
NODE_IS_VALIDATOR=true
RUN_STANDALONE=true
UNSAFE_QUORUM=true
FAILURE_SAFETY=0
ARTIFICIALLY_ACCELERATE_TIME_FOR_TESTING=true
USE_CONFIG_FOR_GENESIS=true
HTTP_PORT={_free_port()}
LOG_FILE_PATH=""
DATABASE="sqlite3://{tmp_path}/node.db"
BUCKET_DIR_PATH="{tmp_path}/buckets"
[QUORUM_SET]
THRESHOLD_PERCENT=100
VALIDATORS=["$self"]
"""
    path = tmp_path / "node.cfg"
    path.write_text(text)
    return str(path)


def _start(conf, log):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-c", "import sys; from stellarcore.main.cli import main; "
                             "sys.exit(main(sys.argv[1:]))", "run", "--conf", conf],
                            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=os.path.dirname(conf))


def _stored_chain(db_path):
    db = Database(db_path)
    top = header_store.load_max_ledger_seq(db)
    headers = [header_store.load_by_sequence(db, s) for s in range(1, top + 1)]
    return headers


def _wait_for_ledger(db_path, n, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if os.path.exists(db_path) and header_store.load_max_ledger_seq(Database(db_path)) >= n:
                return
        except Exception:  # noqa: BLE001 - the node may be mid-transaction; retry
            pass
        time.sleep(0.2)
    raise AssertionError(f"the node did not reach ledger {n}")


def test_kill_9_and_restart(tmp_path):
    conf = _conf(tmp_path)
    db_path = str(tmp_path / "node.db")
    log = open(tmp_path / "node.log", "ab")
    targets = [4, 7, 10]
    for i, target in enumerate(targets):
        p = _start(conf, log)
        try:
            _wait_for_ledger(db_path, target)
            time.sleep(0.1 + 0.3 * i)        # somewhere inside the next close
        finally:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
    headers = _stored_chain(db_path)
    assert len(headers) >= targets[-1]
    prev = None
    for h in headers:
        assert h is not None
        if prev is not None:
            assert h.previousLedgerHash == hashlib.sha256(prev.to_xdr()).digest()
            assert h.ledgerSeq == prev.ledgerSeq + 1
        prev = h
    # and it still starts: it reaches a further ledger after the last kill
    p = _start(conf, log)
    try:
        _wait_for_ledger(db_path, len(headers) + 2)
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    log.close()
    assert b"Traceback" not in (tmp_path / "node.log").read_bytes()
