"""Serving the sample board over HTTP on 127.0.0.1, in a background thread."""
from __future__ import annotations

import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cijobs.sample_site import render
from cijobs.sample_site.board import SampleBoard

ROBOTS_TXT = "User-agent: *\nAllow: /\n"
# /etc/passwd is on every machine the tests run on, and its first line starts "root:".
XXE_DOCTYPE = '<!DOCTYPE nhsJobs [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


class Faults:
    """Scripted misbehaviour for tests: per path, the next answers to give instead of the page.

    An answer is an HTTP status (429 and 503 come with ``Retry-After: 1``), ``"truncate"``
    (the page cut in half), ``"malformed"`` (a page without the advert markup), ``"empty"`` (a 200
    with no body), ``"binary"`` (a PDF where the page should be) or ``"xxe"``
    (the XML answer with an external-entity DOCTYPE and ``&secret;`` in a title) or ``"unreadable-link"``
    (the XML answer whose first vacancy links to the advert path with no reference and has none of its own)
    or ``"endless"`` (the XML answer claims 100,000 pages, and pages past the last result are empty).
    """

    def __init__(self, script: dict[str, list] | None = None):
        self._script = {path: list(answers) for path, answers in (script or {}).items()}
        self._lock = threading.Lock()

    def next_for(self, path: str):
        with self._lock:
            answers = self._script.get(path)
            return answers.pop(0) if answers else None


def _int_param(query: dict, name: str, default: int, maximum: int | None = None) -> int:
    try:
        value = int(query.get(name, [default])[0])
    except ValueError:
        value = default
    value = max(1, value)
    return min(value, maximum) if maximum else value


def make_handler(board: SampleBoard, faults: Faults, requested: list[str], api_page_size: int | None = None):
    class SampleSiteHandler(BaseHTTPRequestHandler):
        server_version = "cijobs-sample-board/1"

        def do_GET(self):  # noqa: N802 (the name http.server calls)
            parts = urlsplit(self.path)
            requested.append(parts.path)
            fault = faults.next_for(parts.path)
            if isinstance(fault, int):
                headers = {"Retry-After": "1"} if fault in (429, 503) else {}
                return self._send(f"<html><body>error {fault}</body></html>", "text/html", HTTPStatus(fault), headers)
            if fault == "malformed":
                return self._send("<html><body><div>Something else entirely</div></body></html>", "text/html")
            if fault == "empty":
                return self._send("", "text/html")
            if fault == "binary":
                return self._send("%PDF-1.4\n\x00\x01\x02 not a page", "application/pdf")
            query = parse_qs(parts.query)
            keyword = query.get("keyword", [""])[0]
            if parts.path == "/robots.txt":
                return self._send(ROBOTS_TXT, "text/plain")
            if parts.path == "/api/v1/search_xml":
                page = _int_param(query, "page", 1)
                limit = _int_param(query, "limit", 10, maximum=api_page_size or 100)
                xml = render.search_xml(board.search(keyword), page, limit)
                if fault == "xxe":
                    xml = xml.replace("<nhsJobs>", XXE_DOCTYPE + "<nhsJobs>", 1).replace(
                        "<title>", "<title>&secret;", 1)
                if fault == "endless":
                    xml = re.sub(r"<totalPages>\d+</totalPages>", "<totalPages>100000</totalPages>", xml)
                if fault == "unreadable-link":
                    xml = re.sub(r"<reference>[^<]*</reference>(.*?)<url>[^<]*</url>",
                                 r"<reference></reference>\1<url>/candidate/jobadvert/</url>", xml, count=1)
                return self._send(xml, "application/xml")
            if parts.path == "/candidate/search/results":
                page = _int_param(query, "page", 1)
                return self._send(render.search_html(board.search(keyword), page, keyword), "text/html")
            if parts.path.startswith("/candidate/jobadvert/"):
                advert = board.by_reference(parts.path.rsplit("/", 1)[1])
                if advert is not None:
                    page = render.advert_page(advert)
                    return self._send(page[: len(page) // 2] if fault == "truncate" else page, "text/html")
            return self._send("<html><body><h1>Page not found</h1></body></html>", "text/html",
                              HTTPStatus.NOT_FOUND)

        def _send(self, text: str, content_type: str, status: HTTPStatus = HTTPStatus.OK,
                  headers: dict[str, str] | None = None):
            body = text.encode("utf-8")
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass

    return SampleSiteHandler


class SampleSiteServer:
    """The sample board on a loopback port; ``with SampleSiteServer() as site: site.url``."""

    def __init__(self, board: SampleBoard | None = None, host: str = "127.0.0.1", port: int = 0,
                 faults: Faults | None = None, api_page_size: int | None = None):
        self.board = board or SampleBoard.default()
        self.faults = faults or Faults()
        self.requested: list[str] = []  # every path asked for, in order (tests count advert fetches)
        self._server = ThreadingHTTPServer((host, port), make_handler(self.board, self.faults, self.requested,
                                                                      api_page_size))
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
