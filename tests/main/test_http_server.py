"""A real gevent server on an ephemeral port, asked by a real HTTP client
(urllib in a worker thread, while the gevent hub serves), plus the
request-line parsing of stellar-core's lib/http/server.cpp."""
import json
import urllib.error
import urllib.request

import gevent
import pytest
from hypothesis import given, strategies as st

from stellarcore.main.command_handler import CommandHandler
from stellarcore.main.http_server import HttpServer, parse_params, parse_post_params, url_decode
from tests.main.test_command_handler import FakeApp
from tests.main.test_command_handler_query import QueryApp, b64key, ACC


def fetch(url, data=None):
    """urllib in the hub's thread pool: the server greenlet keeps running."""
    def go():
        try:
            with urllib.request.urlopen(url, data=data, timeout=30) as r:
                return r.status, r.headers["Content-Type"], r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers["Content-Type"], e.read().decode()
    return gevent.get_hub().threadpool.spawn(go).get()


@pytest.fixture
def server():
    srv = HttpServer(CommandHandler(QueryApp()), 0)
    srv.start()
    yield srv
    srv.stop()


def test_info_over_http(server):
    assert server.host == "127.0.0.1" and server.port > 0
    status, ctype, body = fetch(f"http://127.0.0.1:{server.port}/info")
    assert (status, ctype) == (200, "application/json")
    info = json.loads(body)["info"]
    assert info["ledger"]["num"] == 7 and info["network"] == "Test SDF Network ; September 2015"


def test_not_found_and_post(server):
    status, ctype, body = fetch(f"http://127.0.0.1:{server.port}/nope")
    assert (status, ctype) == (404, "text/html") and "Welcome to stellar-core!" in body
    status, _, body = fetch(f"http://127.0.0.1:{server.port}/getledgerentry",
                            data=f"key={b64key(ACC)}".encode())
    assert status == 200 and json.loads(body)["entries"][0]["state"] == "live"


def test_public_port_binds_everywhere():
    srv = HttpServer(CommandHandler(FakeApp()), 0, public=True)
    assert srv.host == "0.0.0.0"


def test_stop_releases_the_port(server):
    port = server.port
    server.stop()
    again = HttpServer(CommandHandler(FakeApp()), port)
    again.start()
    try:
        assert fetch(f"http://127.0.0.1:{port}/info")[0] == 200
    finally:
        again.stop()


# --- stellar-core's request parsing -------------------------------------------

def test_url_decode():
    assert url_decode("/tx?blob=a%2Bb+c") == "/tx?blob=a+b c"
    assert url_decode("%41%4") is None          # an escape needs 2 more characters
    assert url_decode("%zz") is None
    assert url_decode("%4g") == "\x04"          # istream >> hex stops at the 'g', skips it


def test_parse_params():
    assert parse_params("?a=1&b=2") == {"a": "1", "b": "2"}
    assert parse_params("?a=1&a=2") == {"a": "2"}
    assert parse_params("?blob=QUJD==") == {"blob": "QUJD"}   # '=' never reaches a value
    assert parse_params("?flag") == {}                       # no value: dropped
    assert parse_params("?a=&b=1") == {"a": "", "b": "1"}   # not last: kept even if empty
    assert parse_post_params("key=a&key=b&ledgerSeq=5") == {"key": ["a", "b"], "ledgerSeq": ["5"]}


@given(st.text(max_size=60))
def test_parsers_take_anything(text):
    url_decode(text)
    parse_params(text)
    parse_post_params(text)
