"""Loading crawled adverts, their requirements and raw pages: batched, idempotent, all or nothing."""
from __future__ import annotations

import hashlib
import itertools
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import pandas as pd

from warehouse.transactions import transaction

ADVERT_COLUMNS = [
    "source", "reference", "url", "title", "employer", "town", "postcode", "band", "pay_scheme",
    "salary_text", "salary_min", "salary_max", "salary_period", "contract_type", "contract_duration",
    "working_pattern", "staff_group", "date_posted", "closing_date", "is_informatics",
    "informatics_score", "summary", "duties", "responsibilities", "about_organisation", "internal_only",
]
REQUIREMENT_COLUMNS = ["section", "category", "level", "text"]
RAW_PAGE_COLUMNS = ["url", "source", "reference", "fetched_at", "http_status", "body", "parse_ok", "parse_error"]


REPOST_WINDOW_DAYS = 42


@dataclass
class LoadCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    raw_pages: int = 0
    duplicates: int = 0
    reopened: int = 0


@dataclass
class Listing:
    """What a crawl's discovery saw of one source: reference -> discovery fingerprint.

    ``complete`` is true only when discovery ran every default query to its last page without
    errors; only then may adverts missing from it be closed.
    """

    source: str
    references: dict[str, str | None] = field(default_factory=dict)
    complete: bool = False
    withdrawn: set[str] = field(default_factory=set)


def advert_content_hash(advert: dict) -> str:
    """A fingerprint of what an advert says (not when it was seen), to tell updates from re-sightings."""
    payload = {key: advert.get(key) for key in ADVERT_COLUMNS}
    payload["requirements"] = [[r.get(k) for k in REQUIREMENT_COLUMNS] for r in advert.get("requirements", [])]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def compress_page(html: str) -> bytes:
    return zlib.compress(html.encode("utf-8"), level=6)


def decompress_page(body: bytes) -> str:
    return zlib.decompress(body).decode("utf-8")


def _adverts_frame(adverts: list[dict], seen_at: datetime) -> pd.DataFrame:
    rows = []
    for advert in adverts:
        row = {key: advert.get(key) for key in ADVERT_COLUMNS}
        row["content_hash"] = advert_content_hash(advert)
        row["discovery_hash"] = advert.get("discovery_hash")
        row["seen_at"] = seen_at
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*ADVERT_COLUMNS, "content_hash", "discovery_hash", "seen_at"])
    for column in ("date_posted", "closing_date"):
        frame[column] = pd.to_datetime(frame[column], errors="coerce").dt.date
    for column in ("salary_min", "salary_max", "informatics_score"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["is_informatics"] = frame["is_informatics"].fillna(False).astype(bool)
    frame["informatics_score"] = frame["informatics_score"].fillna(0.0)
    frame["internal_only"] = frame["internal_only"].fillna(False).astype(bool)
    return frame.drop_duplicates(subset=["source", "reference"], keep="last")


def _requirements_frame(adverts: list[dict]) -> pd.DataFrame:
    rows = [
        {"source": a["source"], "reference": a["reference"], "position": position,
         **{key: requirement.get(key) for key in REQUIREMENT_COLUMNS}}
        for a in adverts
        for position, requirement in enumerate(a.get("requirements", []))
    ]
    return pd.DataFrame(rows, columns=["source", "reference", "position", *REQUIREMENT_COLUMNS])


def _raw_pages_frame(pages: list[dict], run_id: int | None) -> pd.DataFrame:
    rows = []
    for page in pages:
        row = {key: page.get(key) for key in RAW_PAGE_COLUMNS}
        row["content_hash"] = hashlib.sha256(page["body"]).hexdigest()
        row["run_id"] = run_id
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*RAW_PAGE_COLUMNS, "content_hash", "run_id"])
    frame["fetched_at"] = pd.to_datetime(frame["fetched_at"])
    return frame


def load_adverts(
    con: duckdb.DuckDBPyConnection,
    adverts: list[dict],
    raw_pages: Iterable[dict] = (),
    *,
    run_id: int | None = None,
    seen_at: datetime | None = None,
    today: date | None = None,
    listing: Listing | None = None,
    repost_window_days: int = REPOST_WINDOW_DAYS,
    relink_all: bool = False,
) -> LoadCounts:
    """Upsert adverts with their requirements and archive raw pages, in one transaction.

    Re-loading the same adverts changes nothing but ``last_seen``; an advert whose content
    changed gets its requirements (and so its matches) replaced. With a ``listing``, adverts
    listed but not fetched (unchanged) are marked seen, withdrawn ones are closed, and, when
    the listing is complete, open adverts missing from it are closed. Re-posts are linked among the
    adverts sharing a signature with a new or changed one, or among all with ``relink_all`` (after the
    window changed: ``cijobs reparse``).
    """
    seen_at = seen_at or datetime.now()
    today = today or seen_at.date()
    counts = LoadCounts()
    # One advert can reach a crawl twice (a board embedding the same JobPosting in its listing and its
    # advert page): the last one read stands.
    adverts = list({(advert["source"], advert["reference"]): advert for advert in adverts}.values())
    incoming = _adverts_frame(adverts, seen_at)
    requirements = _requirements_frame(adverts)
    with transaction(con):
        if len(incoming):
            con.register("incoming", incoming)
            con.register("incoming_requirements", requirements)
            counts.new, counts.updated, counts.unchanged = con.execute(
                """
                SELECT count(*) FILTER (WHERE a.advert_id IS NULL),
                       count(*) FILTER (WHERE a.content_hash <> i.content_hash),
                       count(*) FILTER (WHERE a.content_hash = i.content_hash)
                FROM incoming i LEFT JOIN adverts a USING (source, reference)
                """
            ).fetchone()
            con.execute(
                """
                CREATE OR REPLACE TEMP TABLE changed AS
                SELECT i.source, i.reference FROM incoming i
                LEFT JOIN adverts a USING (source, reference)
                WHERE a.advert_id IS NULL OR a.content_hash <> i.content_hash
                """
            )
            columns = ", ".join(ADVERT_COLUMNS)
            updates = ", ".join(f"{c} = excluded.{c}" for c in ADVERT_COLUMNS if c not in ("source", "reference"))
            con.execute(
                f"""
                INSERT INTO adverts ({columns}, content_hash, discovery_hash, first_seen, last_seen, status)
                SELECT {columns}, content_hash, discovery_hash, seen_at, seen_at, 'open' FROM incoming
                ON CONFLICT (source, reference) DO UPDATE SET
                    {updates}, content_hash = excluded.content_hash, last_seen = excluded.last_seen,
                    discovery_hash = coalesce(excluded.discovery_hash, adverts.discovery_hash),
                    status = 'open', closed_at = NULL
                """
            )
            _replace_requirements(con)
            _store_repost_signatures(con)
            con.unregister("incoming")
            con.unregister("incoming_requirements")
        if listing is not None:
            reopened, closed = _apply_listing(con, listing, seen_at, today)
            counts.reopened += reopened
            counts.closed += closed
        counts.closed += close_expired(con, today)
        counts.duplicates = link_reposts(con, repost_window_days, every_advert=relink_all) \
            if len(incoming) or relink_all else 0
        counts.raw_pages = _insert_page_batches(con, raw_pages, run_id)
    return counts


def _apply_listing(con: duckdb.DuckDBPyConnection, listing: Listing, seen_at: datetime,
                   today: date) -> tuple[int, int]:
    """Mark listed adverts seen and reopen those closed but listed again (not past their closing date);
    close withdrawn ones and, for a complete listing, the unlisted ones. Returns (reopened, closed)."""
    listed = pd.DataFrame({"reference": list(listing.references)}, dtype="string")
    con.register("listed", listed)
    con.execute(
        """UPDATE adverts SET last_seen = greatest(last_seen, ?)
           WHERE source = ? AND reference IN (SELECT reference FROM listed)""",
        [seen_at, listing.source],
    )
    reopened = con.execute(
        """UPDATE adverts SET status = 'open', closed_at = NULL
           WHERE source = ? AND status = 'closed' AND reference IN (SELECT reference FROM listed)
             AND NOT list_contains(?, reference) AND (closing_date IS NULL OR closing_date >= ?)""",
        [listing.source, sorted(listing.withdrawn), today],
    ).fetchone()[0]
    closed = 0
    if listing.withdrawn:
        closed += con.execute(
            """UPDATE adverts SET status = 'closed', closed_at = ?
               WHERE source = ? AND status = 'open' AND list_contains(?, reference)""",
            [today, listing.source, sorted(listing.withdrawn)],
        ).fetchone()[0]
    if listing.complete:
        closed += con.execute(
            """UPDATE adverts SET status = 'closed', closed_at = ?
               WHERE source = ? AND status = 'open' AND reference NOT IN (SELECT reference FROM listed)""",
            [today, listing.source],
        ).fetchone()[0]
    con.unregister("listed")
    return reopened, closed


REPOST_SIGNATURE_SQL = """
    md5(lower(trim(a.employer)) || chr(31) || lower(trim(a.title)) || chr(31) ||
        md5(coalesce(string_agg(r.text, chr(10) ORDER BY r.position)
                     FILTER (WHERE r.section = 'person_specification'), '')))"""


def _store_repost_signatures(con: duckdb.DuckDBPyConnection) -> None:
    """The re-post signature of each new or changed advert of this load (``changed``), from its lines."""
    con.execute(
        f"""
        UPDATE adverts SET repost_signature = s.signature
        FROM (SELECT a.advert_id, {REPOST_SIGNATURE_SQL} AS signature
              FROM adverts a JOIN changed c USING (source, reference)
              LEFT JOIN requirements r USING (advert_id)
              GROUP BY a.advert_id, a.employer, a.title) s
        WHERE adverts.advert_id = s.advert_id
        """
    )


def link_reposts(con: duckdb.DuckDBPyConnection, window_days: int = REPOST_WINDOW_DAYS, *,
                 every_advert: bool = False) -> int:
    """Link each re-posted advert to the earlier one it repeats; return how many were newly linked.

    A re-post has the same employer, title and person-specification text (the stored signature) as an advert
    posted at most ``window_days`` before it (employers re-advertise unfilled posts under new references).
    Only the signatures of this load's new or changed adverts (``changed``) can link anything new, so only
    adverts sharing one of them are compared: the cost follows the batch, not the warehouse (``every_advert``
    compares all).
    """
    batch = "" if every_advert else "JOIN changed c USING (source, reference)"
    return con.execute(
        f"""
        WITH touched AS (
            SELECT DISTINCT a.repost_signature FROM adverts a {batch}
            WHERE a.repost_signature IS NOT NULL
        ), signature AS (
            SELECT advert_id, date_posted, duplicate_of, repost_signature AS spec FROM adverts
            WHERE date_posted IS NOT NULL AND repost_signature IN (SELECT repost_signature FROM touched)
        ), earlier AS (
            SELECT later.advert_id, min_by(first.advert_id, first.date_posted) AS original
            FROM signature later
            JOIN signature first
              ON first.spec = later.spec
             AND first.advert_id <> later.advert_id
             AND (first.date_posted < later.date_posted
                  OR (first.date_posted = later.date_posted AND first.advert_id < later.advert_id))
             AND later.date_posted - first.date_posted <= ?
            WHERE later.duplicate_of IS NULL
            GROUP BY later.advert_id
        )
        UPDATE adverts SET duplicate_of = earlier.original
        FROM earlier WHERE adverts.advert_id = earlier.advert_id
        """,
        [window_days],
    ).fetchone()[0]


def _replace_requirements(con: duckdb.DuckDBPyConnection) -> None:
    """New or changed adverts get a fresh set of requirements; their old matches go with the old lines."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE stale AS
        SELECT r.requirement_id FROM requirements r
        JOIN adverts a USING (advert_id) JOIN changed c USING (source, reference)
        """
    )
    for table in ("matches", "matched_requirements", "requirements"):
        con.execute(f"DELETE FROM {table} WHERE requirement_id IN (SELECT requirement_id FROM stale)")
    con.execute("INSERT INTO stale_needs SELECT a.advert_id FROM adverts a JOIN changed c USING (source, reference)")
    con.execute(
        """
        INSERT INTO requirements (advert_id, position, section, category, level, text)
        SELECT a.advert_id, r.position, r.section, r.category, r.level, r.text
        FROM incoming_requirements r
        JOIN changed c USING (source, reference)
        JOIN adverts a USING (source, reference)
        """
    )


def close_expired(con: duckdb.DuckDBPyConnection, today: date) -> int:
    """Open adverts whose closing date has passed become closed on that date."""
    return con.execute(
        """
        UPDATE adverts SET status = 'closed', closed_at = closing_date
        WHERE status = 'open' AND closing_date < ?
        """,
        [today],
    ).fetchone()[0]


def archive_pages(con: duckdb.DuckDBPyConnection, raw_pages: Iterable[dict], *, run_id: int | None = None) -> int:
    """Archive raw pages only (a failed crawl keeps its pages for re-parse but changes no advert)."""
    with transaction(con):
        return _insert_page_batches(con, raw_pages, run_id)


PAGE_BATCH = 500  # pages turned into a frame and inserted at a time: a crawl's pages are never all in memory


def _insert_page_batches(con: duckdb.DuckDBPyConnection, raw_pages: Iterable[dict], run_id: int | None) -> int:
    pages, inserted = iter(raw_pages), 0
    while batch := list(itertools.islice(pages, PAGE_BATCH)):
        inserted += _insert_pages(con, _raw_pages_frame(batch, run_id))
    return inserted


def _insert_pages(con: duckdb.DuckDBPyConnection, pages: pd.DataFrame) -> int:
    """Insert pages not archived yet (same URL and same content are stored once); return how many."""
    if not len(pages):
        return 0
    con.register("incoming_pages", pages)
    before = con.execute("SELECT count(*) FROM raw_pages").fetchall()[0][0]  # fetchall: no result left open
    con.execute(
        """
        INSERT INTO raw_pages (url, content_hash, source, reference, fetched_at, http_status, body,
                               parse_ok, parse_error, run_id)
        SELECT url, content_hash, source, reference, fetched_at, http_status, body, parse_ok, parse_error, run_id
        FROM incoming_pages ON CONFLICT DO NOTHING
        """
    )
    con.unregister("incoming_pages")
    return con.execute("SELECT count(*) FROM raw_pages").fetchall()[0][0] - before


def known_listings(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    """reference -> discovery fingerprint of the adverts already held for ``source``."""
    rows = con.execute(
        "SELECT reference, discovery_hash FROM adverts WHERE source = ? AND discovery_hash IS NOT NULL", [source]
    ).fetchall()
    return dict(rows)


def latest_raw_pages(con: duckdb.DuckDBPyConnection, source: str) -> list[dict]:
    """The newest archived page per URL of ``source``, decompressed, with the advert's discovery hash."""
    rows = con.execute(
        """
        SELECT p.url, p.content_hash, p.body, a.discovery_hash
        FROM raw_pages p LEFT JOIN adverts a ON a.source = p.source AND a.reference = p.reference
        WHERE p.source = ?
        QUALIFY row_number() OVER (PARTITION BY p.url ORDER BY p.fetched_at DESC) = 1
        ORDER BY p.url
        """,
        [source],
    ).fetchall()
    return [{"url": url, "content_hash": content_hash, "html": decompress_page(body), "discovery_hash": dh}
            for url, content_hash, body, dh in rows]


def record_parse_outcomes(con: duckdb.DuckDBPyConnection, outcomes: list[tuple[str, str, bool, str | None]]) -> None:
    """Store whether each archived page (url, content_hash) parsed on the latest re-parse."""
    if not outcomes:
        return
    frame = pd.DataFrame(outcomes, columns=["url", "content_hash", "parse_ok", "parse_error"])
    con.register("outcomes", frame)
    con.execute(
        """UPDATE raw_pages SET parse_ok = o.parse_ok, parse_error = o.parse_error
           FROM outcomes o WHERE raw_pages.url = o.url AND raw_pages.content_hash = o.content_hash"""
    )
    con.unregister("outcomes")
