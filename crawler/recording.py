"""Recording a finished crawl in the warehouse, the same way whether the crawl loads itself when it closes
(the default) or writes a batch that `cijobs load` merges later (crawler/batches.py).

A crawl ends as a ``CrawlOutcome`` (its verdict and counts, decided from the crawl's own stats) and its staged
records (adverts, raw pages, listed and withdrawn references); ``record_crawl`` turns the two into the run's
adverts, archived pages and ``crawl_runs`` row.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime

import warehouse
from warehouse.adverts import REPOST_WINDOW_DAYS

logger = logging.getLogger(__name__)
Records = Callable[[str], Iterator[dict]]  # kind ("adverts", "pages", "listed", "withdrawn") -> its records


@dataclass
class CrawlOutcome:
    """How one crawl ended, before anything of it is loaded: all its run needs besides the records."""

    source: str                      # the spider's name: the warehouse's source key
    source_name: str
    base_url: str | None
    attribution: str | None
    started_at: datetime
    finished_at: datetime
    failure: str | None              # the crawl's verdict: None, or why it failed (nothing but pages is loaded)
    counts: dict[str, int]           # the run's counters known when the crawl closed (crawl_runs columns)
    responses_by_status: dict[str, int]
    keywords: list[str] = field(default_factory=list)
    discovery_complete: bool = False  # only then may adverts missing from the listing close
    max_listing_drop: float = 0.5
    min_listing_for_drop: int = 5
    repost_window_days: int = REPOST_WINDOW_DAYS

    def as_dict(self) -> dict:
        data = asdict(self)
        data["started_at"], data["finished_at"] = self.started_at.isoformat(), self.finished_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> CrawlOutcome:
        """The outcome a batch's manifest describes; KeyError, TypeError or ValueError when it is not one."""
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown outcome fields {sorted(unknown)}")
        outcome = cls(**{**data, "started_at": datetime.fromisoformat(data["started_at"]),
                         "finished_at": datetime.fromisoformat(data["finished_at"])})
        if not isinstance(outcome.counts, dict) or not all(isinstance(v, int) for v in outcome.counts.values()):
            raise TypeError("counts must map names to whole numbers")
        return outcome


@dataclass
class RecordedRun:
    run_id: int
    status: str          # succeeded | failed
    message: str | None  # the failure, or why no advert was closed
    counts: dict[str, int]


def _compressed(pages: Iterable[dict]) -> Iterator[dict]:
    """Staged pages (their HTML as text) as the warehouse archives them, one at a time."""
    for page in pages:
        yield {**page, "body": warehouse.compress_page(page.pop("html"))}


def record_crawl(con, run_id: int, outcome: CrawlOutcome, records: Records) -> RecordedRun:
    """Load a finished crawl into its run ``run_id``: its adverts when it succeeded, only its pages (kept for
    re-parse) when it failed; then close the run with its counts."""
    counts = dict(outcome.counts)
    note = None
    if outcome.failure is None:
        listed_records = list(records("listed"))
        listed = {record["reference"]: record["discovery_hash"] for record in listed_records}
        withdrawn = {record["reference"] for record in records("withdrawn")}
        complete, note = closures_allowed(con, run_id, outcome, listed_records)
        listing = warehouse.Listing(outcome.source, listed, complete, withdrawn)
        loaded = warehouse.load_adverts(con, list(records("adverts")), _compressed(records("pages")), run_id=run_id,
                                        listing=listing, repost_window_days=outcome.repost_window_days)
        counts.update(adverts_new=loaded.new, adverts_updated=loaded.updated,
                      adverts_unchanged=loaded.unchanged + counts.get("adverts_skipped", 0),
                      adverts_closed=loaded.closed, adverts_duplicate=loaded.duplicates,
                      adverts_reopened=loaded.reopened)
    else:
        warehouse.archive_pages(con, _compressed(records("pages")), run_id=run_id)
    status = "failed" if outcome.failure else "succeeded"
    warehouse.finish_run(con, run_id, status, counts, outcome.failure or note, outcome.responses_by_status)
    return RecordedRun(run_id, status, outcome.failure or note, counts)


def closures_allowed(con, run_id: int, outcome: CrawlOutcome, listed_records: list[dict]) -> tuple[bool, str | None]:
    """Whether adverts missing from this run's listing may be closed, and why not when they may not.

    Only a discovery that ran every query to its end may close, and not when a query listed far fewer
    adverts than in the last run (a board that shows 2 of 38 adverts for a night closes nothing; the
    next run, compared with this one, decides). The counts per query are recorded for that comparison."""
    by_query: dict[str, set[str]] = {query: set() for query in outcome.keywords}
    for record in listed_records:
        if record.get("query") is not None:
            by_query.setdefault(record["query"], set()).add(record["reference"])
    current = {query: len(references) for query, references in by_query.items()}
    warehouse.record_listing_counts(con, run_id, current)
    if not outcome.discovery_complete:
        return False, None
    previous = warehouse.previous_listing_counts(con, outcome.source, run_id)
    shrunk = warehouse.shrunk_listings(previous, current, outcome.max_listing_drop, outcome.min_listing_for_drop)
    if not shrunk:
        return True, None
    note = (f"no advert closed: {'; '.join(shrunk)} (a fall of more than {outcome.max_listing_drop:.0%}); "
            "the next run decides")
    logger.error(note)
    return False, note
