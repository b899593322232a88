"""The admin HTTP server: gevent's WSGI server in front of CommandHandler.

stellar-core serves its commands with a small asio HTTP server
(lib/http/server.cpp) on HTTP_PORT, bound to 127.0.0.1 unless
PUBLIC_HTTP_PORT (then 0.0.0.0), with a listen backlog of HTTP_MAX_CLIENT;
HTTP_QUERY_PORT, when set, gets a second server for the ledger queries
(lib/httpthreaded).  The request handling is kept byte-compatible:

* the whole request target is URL-decoded first ('%XX' and '+' -> ' ';
  a malformed escape is 400 Bad Request), then split at the first '?'
  into the command and its parameters;
* parameters are parsed as stellar-core's parseParams does: '=' switches
  from name to value (so later '=' characters vanish from the value),
  '&' ends a pair, a pair reaches the map only when it has a value (the
  last one) - later duplicates win;
* a known command answers 200 with Content-Type application/json, an
  unknown one 404 with stellar-core's HTML welcome text.

`HttpServer(handler, port, public=False, max_client=128)` with start()
(binds; port 0 picks a free one, see .port) and stop().  Used from a
gevent program (the node runs under gevent), it serves in a greenlet.
"""
from __future__ import annotations

import logging

log = logging.getLogger("stellarcore.http")

_REASONS = {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found",
            405: "405 Method Not Allowed", 500: "500 Internal Server Error"}

BAD_REQUEST_HTML = ("<html><head><title>Bad Request</title></head>"
                    "<body><h1>400 Bad Request</h1></body></html>")


def url_decode(text: str):
    """server::url_decode: '%XX' -> byte, '+' -> ' '; None when malformed.
    The result is decoded as UTF-8 (invalid bytes replaced)."""
    out = bytearray()
    i, n = 0, len(text)
    raw = text.encode("utf-8", "surrogateescape")
    n = len(raw)
    while i < n:
        c = raw[i]
        if c == 0x25:                                  # '%'
            if i + 3 > n:
                return None
            h = raw[i + 1:i + 3]
            v = _hex_prefix(h)
            if v is None:
                return None
            out.append(v)
            i += 3
        elif c == 0x2B:                                # '+'
            out.append(0x20)
            i += 1
        else:
            out.append(c)
            i += 1
    return out.decode("utf-8", "replace")


def _hex_prefix(two: bytes):
    """`istringstream(two) >> std::hex`: the value of the leading hex
    digits (one or two), None when the first is not a hex digit."""
    digits = b""
    for b in two:
        if chr(b) in "0123456789abcdefABCDEF":
            digits += bytes([b])
        else:
            break
    return int(digits, 16) if digits else None


def parse_params(params: str) -> dict:
    """server::parseParams: {name: value}, last duplicate wins."""
    res = {}
    name, value, building_name = [], [], True
    for c in params:
        if c == "?":
            continue
        if c == "=":
            building_name = False
        elif c == "&":
            res["".join(name)] = "".join(value)
            building_name = True
            name, value = [], []
        elif building_name:
            name.append(c)
        else:
            value.append(c)
    if name and value:
        res["".join(name)] = "".join(value)
    return res


def parse_post_params(body: str) -> dict:
    """httpThreaded server::parsePostParams: {name: [values...]}."""
    res = {}
    name, value, building_name = [], [], True
    for c in body:
        if c == "?":
            continue
        if c == "=":
            building_name = False
        elif c == "&":
            res.setdefault("".join(name), []).append("".join(value))
            building_name = True
            name, value = [], []
        elif building_name:
            name.append(c)
        else:
            value.append(c)
    if name and value:
        res.setdefault("".join(name), []).append("".join(value))
    return res


def split_target(target: str):
    """(command, params) of a decoded request target, or None if malformed."""
    path = url_decode(target)
    if path is None:
        return None
    if path.startswith("/"):
        path = path[1:]
    pos = path.find("?")
    return (path, "") if pos < 0 else (path[:pos], path[pos:])


class HttpServer:
    """A gevent WSGI server calling `handler.handle(target, body)`, which
    returns (status code, content type, body text)."""

    def __init__(self, handler, port: int, *, public: bool = False, max_client: int = 128,
                 name: str = "HTTP"):
        self.handler = handler
        self.host = "0.0.0.0" if public else "127.0.0.1"
        self.requested_port = port
        self.max_client = max_client
        self.name = name
        self._server = None

    @property
    def port(self) -> int:
        if self._server is None:
            return self.requested_port
        return self._server.server_port

    def start(self) -> None:
        from gevent import pywsgi, socket as gsocket

        sock = gsocket.socket(gsocket.AF_INET, gsocket.SOCK_STREAM)
        sock.setsockopt(gsocket.SOL_SOCKET, gsocket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.requested_port))
        sock.listen(max(1, self.max_client))
        self._server = pywsgi.WSGIServer(sock, self._wsgi, log=None, error_log=log)
        self._server.start()
        log.info("Listening on %s:%d for %s requests", self.host, self.port, self.name)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(timeout=1)
            self._server = None

    def serve_forever(self) -> None:
        if self._server is None:
            self.start()
        self._server.serve_forever()

    def _wsgi(self, environ, start_response):
        target = environ.get("RAW_URI") or _target_of(environ)
        body = b""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > 0:
            body = environ["wsgi.input"].read(length)
        try:
            status, ctype, text = self.handler.handle(target, body.decode("utf-8", "replace"))
        except Exception:   # noqa: BLE001 - a handler bug must not kill the server
            log.exception("HTTP handler failed for %s", target)
            status, ctype, text = 500, "text/plain", "internal error\n"
        data = text.encode("utf-8")
        start_response(_REASONS.get(status, f"{status} Status"),
                       [("Content-Type", ctype), ("Content-Length", str(len(data)))])
        return [data]


def _target_of(environ) -> str:
    from urllib.parse import quote
    path = quote(environ.get("PATH_INFO", ""), safe="/%+?&=")
    qs = environ.get("QUERY_STRING", "")
    return path + ("?" + qs if qs else "")
