"""Serving the sample board over HTTP on 127.0.0.1, in a background thread."""
from __future__ import annotations

import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cijobs.sample_site import render
from cijobs.sample_site.board import SampleBoard

ROBOTS_TXT = "User-agent: *\nAllow: /\n"


def _int_param(query: dict, name: str, default: int, maximum: int | None = None) -> int:
    try:
        value = int(query.get(name, [default])[0])
    except ValueError:
        value = default
    value = max(1, value)
    return min(value, maximum) if maximum else value


def make_handler(board: SampleBoard):
    class SampleSiteHandler(BaseHTTPRequestHandler):
        server_version = "cijobs-sample-board/1"

        def do_GET(self):  # noqa: N802 (the name http.server calls)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            keyword = query.get("keyword", [""])[0]
            if parts.path == "/robots.txt":
                return self._send(ROBOTS_TXT, "text/plain")
            if parts.path == "/api/v1/search_xml":
                page = _int_param(query, "page", 1)
                limit = _int_param(query, "limit", 10, maximum=100)
                return self._send(render.search_xml(board.search(keyword), page, limit), "application/xml")
            if parts.path == "/candidate/search/results":
                page = _int_param(query, "page", 1)
                return self._send(render.search_html(board.search(keyword), page, keyword), "text/html")
            if parts.path.startswith("/candidate/jobadvert/"):
                advert = board.by_reference(parts.path.rsplit("/", 1)[1])
                if advert is not None:
                    return self._send(render.advert_page(advert), "text/html")
            return self._send("<html><body><h1>Page not found</h1></body></html>", "text/html",
                              HTTPStatus.NOT_FOUND)

        def _send(self, text: str, content_type: str, status: HTTPStatus = HTTPStatus.OK):
            body = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass

    return SampleSiteHandler


class SampleSiteServer:
    """The sample board on a loopback port; ``with SampleSiteServer() as site: site.url``."""

    def __init__(self, board: SampleBoard | None = None, host: str = "127.0.0.1", port: int = 0):
        self.board = board or SampleBoard.default()
        self._server = ThreadingHTTPServer((host, port), make_handler(self.board))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="sample-site", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SampleSiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SampleSiteServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
