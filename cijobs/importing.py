"""`cijobs import jobposting FILE`: a saved corpus of schema.org JobPosting records into the warehouse.

Each record (one JSON object a line; ``.gz`` read as gzip) goes the way a crawled page goes: it is put on
a page as JSON-LD, scrubbed of personal data, parsed by the JobPosting parser, scored for relevance and
split into requirements, then loaded with the same de-duplication, archived for re-parse and recorded
as a crawl run of its own source. A record that cannot be read or parsed is counted and archived, never
dropped. Importing the same file twice adds nothing: a record's reference is its identifier, or its URL,
or a hash of its content. Parsing (most of the time) runs in worker processes on every core, a window of
chunks at a time, so memory stays flat; the answer is the same, in the same order, as in one process.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import warehouse
from cijobs.config import FiguresSection
from cijobs.errors import UserError
from crawler.enrich import finish_advert
from crawler.parsers.errors import ParseError
from crawler.parsers.jobposting import parse_page, url_reference
from crawler.privacy import redact_text, scrub_page
from matching.parallel import workers

logger = logging.getLogger("cijobs.import")
IMPORT_SOURCE = "jobposting-import"
BATCH_ADVERTS = 2000
PROGRESS_EVERY = 2000
CHUNK_RECORDS = 250  # records a worker parses at a time
IMPORT_WORKERS_VARIABLE = "CIJOBS_IMPORT_WORKERS"  # how many processes parse; 1 parses in this process


@dataclass
class ImportSummary:
    source: str
    path: Path
    records: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    parse_errors: int = 0
    seconds: float = 0.0
    first_error: str | None = None

    def summary(self) -> str:
        c = self.counts
        line = (f"imported {self.path.name} as source {self.source} in {self.seconds:.1f}s: records {self.records}, "
                f"adverts new {c.get('adverts_new', 0)}, updated {c.get('adverts_updated', 0)}, unchanged "
                f"{c.get('adverts_unchanged', 0)}, re-posts {c.get('adverts_duplicate', 0)}, parse errors "
                f"{self.parse_errors}")
        return line + (f" (first: {self.first_error})" if self.first_error else "")


def read_records(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of every non-blank line of a JSON-lines file, gzip or not."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield number, line
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise UserError(f"{path}: cannot be read as UTF-8 JSON lines{' (gzip)' if opener is gzip.open else ''} "
                        f"({exc})") from exc


def record_page(record: dict) -> str:
    """The record as a page would carry it: JSON-LD with non-ASCII escaped, as many servers send it."""
    posting = {key: value for key, value in record.items() if not str(key).startswith("_")}
    posting.setdefault("@context", "https://schema.org")
    return ("<!DOCTYPE html><html><head><script type=\"application/ld+json\">"
            + json.dumps(posting).replace("</", "<\\/") + "</script></head><body></body></html>")


def record_url(record: dict, source: str) -> str:
    """The record's own URL, or a stable one made from its content (so a re-import finds it again)."""
    url = record.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return url
    digest = hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()[:20]
    return f"https://{source}.invalid/{digest}"


def import_jobposting(path: Path, db: Path, source: str = IMPORT_SOURCE,
                      figures: FiguresSection | None = None) -> ImportSummary:
    figures = figures or FiguresSection()
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    started = time.monotonic()
    summary = ImportSummary(source, path)
    con = warehouse.open_warehouse(db)
    try:
        warehouse.register_source(con, source, f"JobPosting records imported from {path.name}", None,
                                  "Imported by the user from a saved corpus")
        run_id = warehouse.start_run(con, source)
        adverts, pages = [], []
        totals: dict[str, int] = {}
        for _number, advert, page, error in parsed_records(path, source, figures.relevance_threshold):
            summary.records += 1
            if error:
                summary.parse_errors += 1
                summary.first_error = summary.first_error or error
                logger.warning("import: %s", error)
            pages.append(page)
            if advert is not None:
                adverts.append(advert)
            if len(adverts) >= BATCH_ADVERTS:
                _load(con, adverts, pages, run_id, totals, figures.repost_window_days)
                adverts, pages = [], []
            if summary.records % PROGRESS_EVERY == 0:
                logger.info("read %d records (%d parse errors)", summary.records, summary.parse_errors)
                print(f"  ... {summary.records} records", flush=True)
        _load(con, adverts, pages, run_id, totals, figures.repost_window_days)
        if summary.records == 0:
            warehouse.finish_run(con, run_id, "failed", {}, f"{path} holds no records")
            raise UserError(f"{path}: no JobPosting records in the file")
        summary.counts = totals
        status = "failed" if summary.parse_errors == summary.records else "succeeded"
        message = f"{summary.parse_errors} of {summary.records} records could not be parsed" if status == "failed" \
            else None
        warehouse.finish_run(con, run_id, status, {**totals, "parse_errors": summary.parse_errors,
                                                   "adverts_seen": summary.records - summary.parse_errors}, message)
    finally:
        con.close()
    summary.seconds = time.monotonic() - started
    logger.info(summary.summary())
    if summary.parse_errors == summary.records:
        raise UserError(f"{path}: none of the {summary.records} records could be parsed "
                        f"(first: {summary.first_error})")
    return summary


def _parse_record(line: str, number: int, source: str,
                  relevance_threshold: float) -> tuple[dict | None, dict, str | None]:
    """The advert of one record (None when it cannot be parsed), the page archived for re-parse and the error."""
    fetched_at = datetime.now()
    try:
        record = json.loads(line)
        if not isinstance(record, dict):
            raise ParseError("not a JSON object")
        url = record_url(record, source)
        html = scrub_page(record_page(record))
        found = parse_page(html, url)
        if not found:
            raise ParseError(f"no schema.org JobPosting (@type {record.get('@type')!r})")
    except (ValueError, ParseError) as exc:
        error = f"record {number}: {exc}"
        reference = getattr(exc, "reference", None) or url_reference(f"{source}:{number}")
        body = redact_text(line)  # kept for re-parse, never with a contact detail
        return None, _page(f"https://{source}.invalid/record/{number}", source, reference, fetched_at, body, False,
                           str(exc)), error
    advert = finish_advert({**found[0], "source": source}, relevance_threshold)
    return advert, _page(url, source, advert["reference"], fetched_at, html, True, None), None


def _parse_chunk(chunk: list[tuple[int, str]], source: str, relevance_threshold: float) -> list[tuple]:
    return [(number, *_parse_record(line, number, source, relevance_threshold)) for number, line in chunk]


def _chunks(path: Path) -> Iterator[list[tuple[int, str]]]:
    chunk = []
    for record in read_records(path):
        chunk.append(record)
        if len(chunk) == CHUNK_RECORDS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def parsed_records(path: Path, source: str, relevance_threshold: float) -> Iterator[tuple]:
    """(line number, advert or None, page, error or None) of every record, in file order: parsed in worker
    processes (CIJOBS_IMPORT_WORKERS, else every core) once the file holds more than one chunk."""
    chunks = _chunks(path)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    processes = workers(IMPORT_WORKERS_VARIABLE)
    if second is None or processes <= 1:
        for chunk in (first, *([second] if second else []), *chunks):
            yield from _parse_chunk(chunk, source, relevance_threshold)
        return
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing inherited from the open warehouse
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        window = deque(pool.submit(_parse_chunk, chunk, source, relevance_threshold) for chunk in (first, second))
        for chunk in chunks:
            if len(window) >= 2 * processes:
                yield from window.popleft().result()
            window.append(pool.submit(_parse_chunk, chunk, source, relevance_threshold))
        while window:
            yield from window.popleft().result()


def _page(url, source, reference, fetched_at, html, ok, error) -> dict:
    return {"url": url, "source": source, "reference": reference, "fetched_at": fetched_at, "http_status": 200,
            "body": warehouse.compress_page(html), "parse_ok": ok, "parse_error": error}


def _load(con, adverts: list[dict], pages: list[dict], run_id: int, totals: dict[str, int],
          repost_window_days: int) -> None:
    if not adverts and not pages:
        return
    loaded = warehouse.load_adverts(con, adverts, pages, run_id=run_id, repost_window_days=repost_window_days)
    for name, value in (("adverts_new", loaded.new), ("adverts_updated", loaded.updated),
                        ("adverts_unchanged", loaded.unchanged), ("adverts_duplicate", loaded.duplicates)):
        totals[name] = totals.get(name, 0) + value
