"""Dashboard soak: N clients against `cijobs serve` for a bounded time while `cijobs refresh` publishes snapshots.

Builds a warehouse by crawling the bundled sample board on 127.0.0.1, serves it with the real `cijobs serve`, then
runs --clients threads for --seconds, each visiting pages the way the renderer does (page, layout, page content,
filters store, the page's callbacks, one interaction), while a refresh runs every --refresh-every seconds against a
board that changes a little each time, so that every refresh publishes a new snapshot. Reports requests, errors
(goal 0) and latency of page GETs and callbacks; the naive baseline, in the same run, is one client with no
refreshes. Prints figures only; nothing here asserts anything, and it exits 0 whenever it ran.

An error is a connection failure or timeout, any 4xx/5xx, or a callback the server answered but failed inside: an
empty response (the app logged and swallowed an exception) or the "warehouse cannot be read" alert. 204
(PreventUpdate) is not an error.

    .venv/bin/python bench/soak.py [--clients 20] [--seconds 60] [--refresh-every 10] [--baseline-seconds 10]
"""
from __future__ import annotations

import argparse
import copy
import http.client
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dash_requests import component_props, output_specs  # noqa: E402

from cijobs.sample_site import SampleBoard, SampleSiteServer  # noqa: E402

PAGES = ("/", "/domains", "/employers", "/adverts", "/runs", "/profiler")
CALLBACK = "/_dash-update-component"
UNREADABLE = b"cannot be read"  # dashboard.app.unreadable_message, shown when a view cannot read the warehouse
PROFILER_TEXT = """Clinical Systems Analyst
Essential
Experience of implementing electronic patient record systems
Knowledge of clinical safety standards DCB0129 and DCB0160
Ability to analyse complex data and present findings to clinicians
Desirable
Knowledge of HL7 FHIR and interoperability standards"""
REQUEST_TIMEOUT = 30.0   # seconds; a request started just before the deadline may run this much past it
REFRESH_TIMEOUT = 180.0


# ---------------------------------------------------------------------------------------------------------------
# The board, the config and `cijobs refresh`

def open_board() -> SampleBoard:
    """A private copy of the sample board whose adverts all close in the future."""
    board = SampleBoard(copy.deepcopy(SampleBoard.default().adverts))
    for advert in board.adverts:
        advert["closing_date"] = date.today() + timedelta(days=30)
    return board


def change_board(board: SampleBoard, revision: int, title: str) -> None:
    """Retitle the first advert, so the next refresh fetches, re-matches and publishes something real."""
    board.adverts[0]["title"] = f"{title} (revision {revision})"


def write_config(folder: Path, site_url: str) -> Path:
    config = folder / "cijobs.toml"
    config.write_text(f"""
[warehouse]
path = "{folder / 'data' / 'cijobs.duckdb'}"

[refresh]
log_dir = "{folder / 'logs'}"

[sources.nhsjobs]
base_url = "{site_url}"
delay = 0
""", encoding="utf-8")
    return config


@dataclass
class Refresh:
    ok: bool
    seconds: float
    note: str


def run_refresh(config: Path) -> Refresh:
    started = time.perf_counter()
    try:
        result = subprocess.run([sys.executable, "-m", "cijobs.cli", "refresh", "--config", str(config)], cwd=ROOT,
                                capture_output=True, text=True, timeout=REFRESH_TIMEOUT)
    except subprocess.TimeoutExpired:
        return Refresh(False, time.perf_counter() - started, f"timed out after {REFRESH_TIMEOUT:.0f} s")
    seconds = time.perf_counter() - started
    ok = result.returncode == 0 and "refresh succeeded" in result.stdout
    lines = (result.stdout if ok else result.stderr or result.stdout).strip().splitlines()
    note = lines[-1] if lines else f"exit {result.returncode}"
    return Refresh(ok, seconds, note.split("; log ")[0])  # the log lives in the temporary folder: not worth naming


# ---------------------------------------------------------------------------------------------------------------
# `cijobs serve` on a free loopback port

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def dashboard(db: Path, log: Path) -> Iterator[int]:
    """`cijobs serve --db db` on 127.0.0.1 (no basic auth), its output in ``log``; yields the port once it answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("CIJOBS_DASHBOARD_USER", "CIJOBS_DASHBOARD_PASSWORD")}
    with open(log, "w", encoding="utf-8") as out:
        server = subprocess.Popen([sys.executable, "-m", "cijobs.cli", "serve", "--db", str(db), "--host", "127.0.0.1",
                                   "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"cijobs serve exited {server.returncode}:\n{log.read_text()}")
                try:
                    if send(port, "GET", "/", timeout=5).status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"cijobs serve did not answer within 60 s:\n{log.read_text()}")
                time.sleep(0.2)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def server_problems(log: Path) -> list[str]:
    """Warnings, errors and tracebacks the server logged (not werkzeug's access log), timestamps dropped."""
    found = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if re.match(r"\S+ \S+ (WARNING|ERROR|CRITICAL) (?!werkzeug)", line) or line.startswith("Traceback"):
            found.append(re.sub(r"^\S+ \S+ ", "", line))
    return found


# ---------------------------------------------------------------------------------------------------------------
# HTTP (standard library only) and the requests a page visit sends

@dataclass
class Response:
    status: int
    body: bytes
    seconds: float

    def json(self):
        return json.loads(self.body)


def send(port: int, method: str, path: str, payload: dict | None = None, timeout: float = REQUEST_TIMEOUT) -> Response:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    body = json.dumps(payload).encode() if payload is not None else None
    headers = {"Content-Type": "application/json"} if body is not None else {}
    try:
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return Response(response.status, data, time.perf_counter() - started)
    finally:
        connection.close()


@dataclass(frozen=True)
class Request:
    label: str
    method: str
    path: str
    payload: dict | None = None


def problem(request: Request, response: Response) -> str | None:
    """Why this answer is an error (None when it is not)."""
    if response.status == 204:
        return None
    if response.status != 200:
        return f"HTTP {response.status}"
    if UNREADABLE in response.body:
        return "the warehouse cannot be read (alert shown)"
    if request.method == "POST":
        try:
            answer = json.loads(response.body)
        except ValueError:
            return "callback answered with no JSON"
        if not answer.get("response") and not answer.get("sideUpdate"):
            return "callback failed in the server (empty response)"
    return None


def first_output(dependency: dict) -> str:
    specs = output_specs(dependency)
    return (specs[0] if isinstance(specs, list) else specs)["id"]


def callback_body(dependency: dict, values: dict, changed: list[str]) -> dict:
    """A POST body for /_dash-update-component; ``values`` is {"id.prop": value}, unset props are left out."""
    def filled(specs):
        items = []
        for spec in specs:
            item = {"id": spec["id"], "property": spec["property"]}
            if values.get(f"{spec['id']}.{spec['property']}") is not None:
                item["value"] = values[f"{spec['id']}.{spec['property']}"]
            items.append(item)
        return items

    body = {"output": dependency["output"], "outputs": output_specs(dependency),
            "inputs": filled(dependency["inputs"]), "changedPropIds": changed}
    if dependency.get("state"):
        body["state"] = filled(dependency["state"])
    return body


def option(props: dict, component: str, index: int = 0):
    options = props.get(component, {}).get("options") or []
    if not options:
        return None
    chosen = options[min(index, len(options) - 1)]
    return chosen["value"] if isinstance(chosen, dict) else chosen  # {"label", "value"} or the bare value


def interactions(output_id: str, props: dict, filtered: dict) -> list[tuple[dict, list[str]]]:
    """(changed values, changed prop ids): what a user does next with the callback that fills ``output_id``."""
    narrowed = ({"filters.data": filtered}, ["filters.data"])
    return {
        "overview-scope": [narrowed],
        "domain-trend-chart": [({"trend-measure.value": "stock"}, ["trend-measure.value"]),
                               ({"trend-period.value": "quarter"}, ["trend-period.value"]), narrowed],
        "drill-scope": [({"drill-domain.value": "4"}, ["drill-domain.value"]), narrowed],
        "employer-chart": [({"employer-b.value": option(props, "employer-a", 1)}, ["employer-b.value"]), narrowed],
        "adverts-table": [({"adverts-table.page_current": 1, "adverts-table.sort_by":
                            [{"column_id": "employer", "direction": "asc"}]}, ["adverts-table.sort_by"]),
                          ({"adverts-search.value": "analyst"}, ["adverts-search.value"]),
                          ({"adverts-closed.value": True}, ["adverts-closed.value"]), narrowed],
        "profiler-result": [({"profiler-advert.value": option(props, "profiler-advert", 0)},
                             ["profiler-advert.value"]),
                            ({"profiler-run.n_clicks": 1, "profiler-text.value": PROFILER_TEXT,
                              "profiler-title.value": "Clinical Systems Analyst"}, ["profiler-run.n_clicks"])],
    }.get(output_id, [])


@dataclass
class Visit:
    """One page visit: what the renderer sends while loading it, and the interactions a user may then make."""
    loading: list[Request]
    clicks: list[Request]


def plan_visits(port: int) -> dict[str, Visit]:
    """Load every page once the way the renderer does, to learn its components and the filters store's value,
    and build the requests of a visit from /_dash-dependencies."""
    dependencies = [d for d in send(port, "GET", "/_dash-dependencies").json() if not d.get("clientside_function")]
    by_output = {first_output(d): d for d in dependencies}
    shell = component_props(send(port, "GET", "/_dash-layout").json())
    visits = {}
    for page in PAGES:
        routing = callback_body(by_output["_pages_content"], {"_pages_location.pathname": page},
                                ["_pages_location.pathname"])
        props = {**shell, **component_props(send(port, "POST", CALLBACK, routing).json()["response"]
                                            ["_pages_content"]["children"])}
        values = {f"{cid}.{prop}": value for cid, p in props.items() for prop, value in p.items()}
        store = callback_body(by_output["filters"], values, [])
        filters = send(port, "POST", CALLBACK, store).json()["response"]["filters"]["data"]
        filtered = {**filters, "regions": [option(props, "filter-region")] if option(props, "filter-region") else [],
                    "level": "essential"}
        values["filters.data"] = filters
        loading = [Request(f"GET {page}", "GET", page), Request("GET /_dash-layout", "GET", "/_dash-layout"),
                   Request("page content", "POST", CALLBACK, routing),
                   Request("filters store", "POST", CALLBACK, store)]
        clicks = []
        for dependency in dependencies:
            output_id = first_output(dependency)
            outputs = output_specs(dependency)
            ids = {s["id"] for s in [*dependency["inputs"], *(outputs if isinstance(outputs, list) else [outputs])]}
            if output_id in ("_pages_content", "filters") or not ids <= set(props) | {"filters"}:
                continue
            button = next((s["id"] for s in dependency["inputs"] if s["id"].endswith("-download-button")), None)
            if button:
                clicks.append(Request(f"{output_id} (click)", "POST", CALLBACK,
                                      callback_body(dependency, {**values, f"{button}.n_clicks": 1},
                                                    [f"{button}.n_clicks"])))
                continue
            if not dependency["prevent_initial_call"]:
                loading.append(Request(output_id, "POST", CALLBACK, callback_body(dependency, values,
                                                                                  ["filters.data"])))
            clicks += [Request(f"{output_id} {changed[0]}", "POST", CALLBACK,
                               callback_body(dependency, {**values, **override}, changed))
                       for override, changed in interactions(output_id, props, filtered)]
        visits[page] = Visit(loading, clicks)
    return visits


def shows_revision(port: int, revision: int) -> bool:
    """Whether the adverts table, searched for it, shows the title the given refresh published."""
    dependency = next(d for d in send(port, "GET", "/_dash-dependencies").json() if first_output(d) == "adverts-table")
    values = {"filters.data": {"date_from": None, "date_to": None, "regions": [], "bands": [], "role_families": [],
                               "employers": [], "sources": [], "level": "any", "informatics_only": False},
              "adverts-search.value": f"revision {revision}", "adverts-closed.value": True,
              "adverts-table.page_current": 0, "adverts-table.sort_by": []}
    response = send(port, "POST", CALLBACK, callback_body(dependency, values, ["adverts-search.value"]))
    return response.status == 200 and f"(revision {revision})".encode() in response.body


# ---------------------------------------------------------------------------------------------------------------
# The load

@dataclass
class Tally:
    """Every request's outcome, from all client threads."""
    get_seconds: list[float] = field(default_factory=list)
    callback_seconds: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, request: Request, seconds: float, status: int | None, error: str | None) -> None:
        with self.lock:
            (self.get_seconds if request.method == "GET" else self.callback_seconds).append(seconds)
            self.statuses[status] += 1
            if error:
                self.errors[f"{request.label}: {error}"] += 1

    @property
    def requests(self) -> int:
        return len(self.get_seconds) + len(self.callback_seconds)


def client(port: int, visits: dict[str, Visit], deadline: float, tally: Tally, seed: int) -> None:
    """Visit random pages until the deadline: load one, then make one or two interactions on it."""
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        visit = visits[rng.choice(PAGES)]
        clicks = rng.sample(visit.clicks, min(len(visit.clicks), rng.randint(1, 2)))
        for request in [*visit.loading, *clicks]:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            started = time.perf_counter()
            try:
                response = send(port, request.method, request.path, request.payload,
                                timeout=min(REQUEST_TIMEOUT, remaining + 10))
            except (OSError, http.client.HTTPException) as exc:
                tally.record(request, time.perf_counter() - started, None, f"{type(exc).__name__}: {exc}")
                continue
            tally.record(request, response.seconds, response.status, problem(request, response))


def refresher(config: Path, board: SampleBoard, every: float, started: float, deadline: float,
              done: list[Refresh]) -> None:
    """`cijobs refresh` at started, started + every, ... (never two at once), the board changed before each."""
    title = board.adverts[0]["title"]
    due = started
    while True:
        now = time.monotonic()
        if max(now, due) >= deadline:
            return
        time.sleep(max(0.0, due - now))
        change_board(board, len(done) + 1, title)
        done.append(run_refresh(config))
        due += every


def load(port: int, visits: dict[str, Visit], clients: int, seconds: float,
         refresh: tuple[Path, SampleBoard, float] | None) -> tuple[Tally, float, list[Refresh]]:
    tally, refreshes = Tally(), []
    started = time.monotonic()
    deadline = started + seconds
    workers = [threading.Thread(target=client, args=(port, visits, deadline, tally, n), daemon=True)
               for n in range(clients)]
    refreshing = None
    if refresh:
        config, board, every = refresh
        refreshing = threading.Thread(target=refresher, args=(config, board, every, started, deadline, refreshes),
                                      daemon=True)
        refreshing.start()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT)
    elapsed = time.monotonic() - started  # the clients' time: a refresh still running is waited for, not counted
    if refreshing:
        refreshing.join(timeout=REFRESH_TIMEOUT)
    return tally, elapsed, refreshes


# ---------------------------------------------------------------------------------------------------------------
# Report

def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]  # nearest rank


def ms(seconds: float) -> str:
    return "-" if seconds != seconds else f"{seconds * 1000:,.0f}"


def print_load(label: str, tally: Tally, elapsed: float) -> None:
    statuses = ", ".join(f"{status or 'no answer'}: {count:,}"
                         for status, count in sorted(tally.statuses.items(), key=lambda item: str(item[0])))
    print(f"\n{label}: {tally.requests:,} requests in {elapsed:.1f} s = {tally.requests / elapsed:,.1f} requests/s "
          f"(HTTP status: {statuses})")
    print(f"  errors: {sum(tally.errors.values()):,} (goal 0)")
    for message, count in tally.errors.most_common(5):
        print(f"    {count:>5,} x {message[:200]}")
    print(f"  {'latency ms':<24}{'requests':>9}{'p50':>8}{'p95':>8}{'max':>8}")
    for kind, values in (("page GETs", tally.get_seconds), ("callbacks (POST)", tally.callback_seconds)):
        print(f"  {kind:<24}{len(values):>9,}{ms(percentile(values, 0.5)):>8}{ms(percentile(values, 0.95)):>8}"
              f"{ms(max(values, default=float('nan'))):>8}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent client threads (default 20)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the soak (default 60)")
    parser.add_argument("--refresh-every", type=float, default=10,
                        help="start a `cijobs refresh` every this many seconds during the soak (default 10)")
    parser.add_argument("--baseline-seconds", type=float, default=10,
                        help="length of the one-client, no-refresh baseline (default 10; 0 skips it)")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.refresh_every <= 0 or args.baseline_seconds < 0:
        parser.error("--clients must be at least 1, --seconds and --refresh-every positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.perf_counter()
    board = open_board()
    with SampleSiteServer(board) as site, tempfile.TemporaryDirectory(prefix="cijobs-soak-") as scratch:
        folder = Path(scratch)
        config = write_config(folder, site.url)
        first = run_refresh(config)
        if not first.ok:
            print(f"building the warehouse failed: {first.note}")
            return 1
        print(f"warehouse: the sample board ({len(board.adverts)} adverts) on {site.url} crawled, matched and "
              f"published by `cijobs refresh` in {first.seconds:.1f} s")
        log = folder / "serve.log"
        with dashboard(folder / "data" / "cijobs.duckdb", log) as port:
            visits = plan_visits(port)
            sizes = [len(visit.loading) for visit in visits.values()]
            print(f"dashboard: `cijobs serve` on 127.0.0.1:{port}; a visit is {min(sizes)}-{max(sizes)} loading "
                  f"requests + 1-2 interactions (of {sum(len(v.clicks) for v in visits.values())} kinds)")
            for visit in visits.values():  # warm up: each page once, not counted
                for request in [*visit.loading, *visit.clicks]:
                    send(port, request.method, request.path, request.payload)
            baseline, baseline_elapsed = None, 0.0
            if args.baseline_seconds:
                baseline, baseline_elapsed, _ = load(port, visits, 1, args.baseline_seconds, None)
                print_load(f"baseline, 1 client, no refreshes, {args.baseline_seconds:g} s", baseline,
                           baseline_elapsed)
            before = len(server_problems(log))
            soak, elapsed, refreshes = load(port, visits, args.clients, args.seconds,
                                            (config, board, args.refresh_every))
            print_load(f"soak, {args.clients} clients, refresh every {args.refresh_every:g} s, {args.seconds:g} s",
                       soak, elapsed)
            published = [number for number, refresh in enumerate(refreshes, 1) if refresh.ok]
            latest = (f"revision {published[-1]} (the last published): "
                      f"{'shown' if shows_revision(port, published[-1]) else 'NOT SHOWN'}" if published else "-")
        ok = sum(r.ok for r in refreshes)
        print(f"  refreshes completed: {len(refreshes)} ({ok} succeeded, {len(refreshes) - ok} failed)")
        for number, refresh in enumerate(refreshes, 1):
            print(f"    {number}. {'ok' if refresh.ok else 'FAILED'} in {refresh.seconds:.1f} s: {refresh.note[:150]}")
        print(f"  after the soak, the retitled advert's {latest}")
        problems = server_problems(log)
        print(f"  server log: {len(problems) - before} warnings/errors during the soak, {before} before it")
        for message, count in Counter(problems).most_common(5):
            print(f"    {count:>5,} x {message[:200]}")
    if baseline and baseline.callback_seconds and baseline.get_seconds and soak.callback_seconds:
        callbacks = percentile(soak.callback_seconds, .95) / percentile(baseline.callback_seconds, .95)
        gets = percentile(soak.get_seconds, .95) / percentile(baseline.get_seconds, .95)
        print(f"\ncost of {args.clients} clients + publishing: p95 of callbacks {callbacks:.1f}x, of page GETs "
              f"{gets:.1f}x the single client's; throughput {soak.requests / elapsed:,.1f} vs "
              f"{baseline.requests / baseline_elapsed:,.1f} requests/s")
    print(f"\nsoak finished in {time.perf_counter() - began:,.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
