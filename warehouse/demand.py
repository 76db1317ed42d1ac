"""Demand queries behind the dashboard: every function takes an AdvertFilter and returns a DataFrame.

They read ``demand_facts`` (one row per published advert with bit masks of what it needs) and
``advert_needs`` (advert x competency, for example lines), both rebuilt from the current matches at every
publish (warehouse/demand_facts.py), so they answer for the published snapshot, which is what the
dashboard opens.

Demand counts adverts, not lines: an advert needs a competency when at least one of its
requirement lines (of the chosen level) matched it; subdomains and domains follow from
competencies. Re-posts are left out, so a job advertised twice counts once.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.demand_facts import LEVEL_MASKS, need_counts_sql, needs_sql
from warehouse.filters import AdvertFilter

CURRENT_DOMAINS = """domains_now AS (SELECT d.domain_id, d.title FROM domains d
                        JOIN framework_versions fv ON fv.version = d.framework_version AND fv.is_current)"""


def _need_counts(con: duckdb.DuckDBPyConnection, flt: AdvertFilter, kind: str = "domain",
                 domain_id: str | None = None, by: tuple[tuple[str, str], ...] = (), rows: str = "chosen",
                 between: str = "") -> tuple[str, list]:
    """CTEs: ``chosen`` (the adverts under the filter), then ``between`` (more CTEs, e.g. the ``rows`` to count),
    then ``need_counts`` (per ``by`` and competency, subdomain or domain: adverts ``needing`` it, ``essential``),
    with their parameters."""
    where, params = flt.where("f")
    counts = need_counts_sql(con, kind, flt.level, domain_id, by, rows)
    sql = f"""
        chosen AS (SELECT f.* FROM demand_facts f WHERE {where}),{between}{counts}"""
    return sql, [*params, *([domain_id] if domain_id else [])]


def headline(con: duckdb.DuckDBPyConnection, flt: AdvertFilter) -> dict:
    where, params = flt.where("f")
    adverts, employers, first, last, open_now = con.execute(
        f"""SELECT count(*), count(DISTINCT employer), min(date_posted), max(date_posted),
                   count(*) FILTER (WHERE status = 'open')
            FROM demand_facts f WHERE {where}""", params).fetchone()
    last_run = con.execute(
        "SELECT finished_at, status FROM crawl_runs WHERE finished_at IS NOT NULL ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    return {"adverts": adverts, "employers": employers, "first_posted": first, "last_posted": last,
            "open_adverts": open_now, "last_refresh": last_run[0] if last_run else None,
            "last_refresh_status": last_run[1] if last_run else None}


def domain_demand(con: duckdb.DuckDBPyConnection, flt: AdvertFilter) -> pd.DataFrame:
    """Per domain: adverts needing it, of which essentially / only as desirable, and the share of all chosen."""
    counts, params = _need_counts(con, flt)
    return con.execute(
        f"""
        WITH {counts}, total AS (SELECT count(*) AS n FROM chosen), {CURRENT_DOMAINS}
        SELECT d.domain_id, d.title AS domain_title, total.n AS adverts,
               coalesce(c.needing, 0) AS adverts_needing, coalesce(c.essential, 0) AS essential,
               coalesce(c.needing - c.essential, 0) AS desirable_only,
               coalesce(c.needing / nullif(total.n, 0), 0) AS share,
               coalesce(c.essential / nullif(total.n, 0), 0) AS share_essential
        FROM domains_now d CROSS JOIN total
        LEFT JOIN need_counts c ON c.domain_id = d.domain_id
        ORDER BY CAST(d.domain_id AS INTEGER)
        """, params).df()


PERIODS = {"month": "1 MONTH", "quarter": "3 MONTH"}


def domain_demand_over_time(con: duckdb.DuckDBPyConnection, flt: AdvertFilter, measure: str = "new",
                            period: str = "month") -> pd.DataFrame:
    """Per period (month or quarter, by its first day) and domain: share of adverts needing the domain among
    adverts *posted* in the period (``new``) or *open* during it (``stock``), with the adverts counted. Every
    period between the first and the last is there: one with no adverts has 0 adverts and no share (a gap,
    not a line joined across it)."""
    if measure not in ("new", "stock"):
        raise ValueError("measure must be 'new' or 'stock'")
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    step = PERIODS[period]
    # the periods an advert counts in: the one it was posted in (new), or every one it was open in (stock)
    last = "c.date_posted" if measure == "new" else "coalesce(c.closed_at, c.closing_date, CAST(c.last_seen AS DATE))"
    advert_periods = f"""
        bounds AS (SELECT date_trunc('{period}', min(date_posted)) AS first,
                          date_trunc('{period}', max(coalesce(closing_date, date_posted))) AS last FROM chosen),
        periods AS (SELECT CAST(unnest(generate_series(first, last, INTERVAL {step})) AS DATE) AS period FROM bounds),
        advert_periods AS (
            SELECT * FROM (
                SELECT CAST(unnest(generate_series(date_trunc('{period}', c.date_posted),
                                                   date_trunc('{period}', {last}), INTERVAL {step})) AS DATE) AS period,
                       c.*
                FROM chosen c)
            WHERE period IN (SELECT period FROM periods)),"""
    counts, params = _need_counts(con, flt, by=(("period", "period"),), rows="advert_periods", between=advert_periods)
    return con.execute(
        f"""
        WITH {counts},
        totals AS (SELECT period, count(*) AS adverts FROM advert_periods GROUP BY period), {CURRENT_DOMAINS}
        SELECT m.period, dn.domain_id, dn.title AS domain_title, coalesce(t.adverts, 0) AS adverts,
               coalesce(c.needing, 0) AS adverts_needing, coalesce(c.needing, 0) / nullif(t.adverts, 0) AS share
        FROM periods m CROSS JOIN domains_now dn
        LEFT JOIN totals t ON t.period = m.period
        LEFT JOIN need_counts c ON c.period = m.period AND c.domain_id = dn.domain_id
        ORDER BY m.period, CAST(dn.domain_id AS INTEGER)
        """, params).df()


def subdomain_demand(con: duckdb.DuckDBPyConnection, flt: AdvertFilter, domain_id: str) -> pd.DataFrame:
    counts, params = _need_counts(con, flt, "subdomain", domain_id)
    return con.execute(
        f"""
        WITH {counts}, total AS (SELECT count(*) AS n FROM chosen)
        SELECT s.subdomain_id, s.title AS subdomain_title, total.n AS adverts,
               coalesce(c.needing, 0) AS adverts_needing, coalesce(c.needing / nullif(total.n, 0), 0) AS share
        FROM subdomains s
        JOIN framework_versions fv ON fv.version = s.framework_version AND fv.is_current
        CROSS JOIN total
        LEFT JOIN need_counts c ON c.subdomain_id = s.subdomain_id
        WHERE s.domain_id = ?
        ORDER BY adverts_needing DESC, s.subdomain_id
        """, [*params, domain_id]).df()


def competency_demand(con: duckdb.DuckDBPyConnection, flt: AdvertFilter, domain_id: str | None = None,
                      examples: bool = True) -> pd.DataFrame:
    """Per competency (of one domain, or all): adverts needing it, share, and one example evidence line (the
    best-scored line of the level among the chosen adverts; on a tie, the earliest stored)."""
    counts, params = _need_counts(con, flt, "competency", domain_id)
    frame = con.execute(
        f"""
        WITH {counts}, total AS (SELECT count(*) AS n FROM chosen)
        SELECT c.competency_id, c.subdomain_id, c.domain_id, c.statement, c.confidence,
               total.n AS adverts, coalesce(n.needing, 0) AS adverts_needing,
               coalesce(n.needing / nullif(total.n, 0), 0) AS share
        FROM competencies c
        JOIN framework_versions fv ON fv.version = c.framework_version AND fv.is_current
        CROSS JOIN total
        LEFT JOIN need_counts n ON n.competency_id = c.competency_id
        WHERE TRUE {"AND c.domain_id = ?" if domain_id else ""}
        ORDER BY adverts_needing DESC, c.competency_id
        """, [*params, *([domain_id] if domain_id else [])]).df()
    if not examples:
        return frame
    needed = frame.loc[frame["adverts_needing"] > 0, "competency_id"].tolist()
    return frame.merge(_example_lines(con, flt, needed), on="competency_id", how="left")


EXAMPLE_COLUMNS = ["competency_id", "example_line", "example_reference", "example_url", "example_evidence"]


def _example_lines(con: duckdb.DuckDBPyConnection, flt: AdvertFilter, competencies: list[str]) -> pd.DataFrame:
    """Per competency, the best-scored line of the level among the chosen adverts. Looked for first among each
    competency's best lines overall (``example_candidates``), then, for competencies none of whose best lines
    is chosen, among the best line of every chosen advert (``advert_needs``); the few lines found are then
    read by their keys (indexed), not by a join that would read every line and match."""
    where, params = flt.where("f")
    chosen = f"chosen AS (SELECT advert_id FROM demand_facts f WHERE {where})"
    picks = con.execute(
        f"""WITH {chosen}
            SELECT competency_id, arg_min(requirement_id, rank) FROM example_candidates
            WHERE level = ? AND list_contains(?::VARCHAR[], competency_id)
              AND advert_id IN (SELECT advert_id FROM chosen)
            GROUP BY competency_id""", [*params, flt.level, competencies]).fetchall() if competencies else []
    missing = sorted(set(competencies) - {competency for competency, _ in picks})
    example = f"n.example_{flt.level}"
    picks += con.execute(
        f"""WITH {chosen}
            SELECT n.competency_id, arg_max({example}, {{'score': {example}_score, 'earlier': -{example}}})
            FROM advert_needs n JOIN chosen USING (advert_id)
            WHERE {example} IS NOT NULL AND list_contains(?::VARCHAR[], n.competency_id)
            GROUP BY n.competency_id""", [*params, missing]).fetchall() if missing else []
    if not picks:
        return pd.DataFrame(columns=EXAMPLE_COLUMNS)
    lines = [line for _, line in picks]
    return con.execute(
        """WITH picked AS (SELECT unnest(?::VARCHAR[]) AS competency_id, unnest(?::INTEGER[]) AS requirement_id),
                lines AS (SELECT requirement_id, advert_id, text FROM requirements WHERE requirement_id = ANY(?)),
                evidence AS (SELECT m.requirement_id, m.competency_id, m.evidence FROM matches m
                             JOIN warehouse_state s ON s.key = 'matcher_version' AND s.value = m.matcher_version
                             JOIN framework_versions fv ON fv.version = m.framework_version AND fv.is_current
                             WHERE m.requirement_id = ANY(?))
           SELECT p.competency_id, l.text AS example_line, f.reference AS example_reference, f.url AS example_url,
                  e.evidence AS example_evidence
           FROM picked p JOIN lines l USING (requirement_id)
           JOIN demand_facts f ON f.advert_id = l.advert_id
           LEFT JOIN evidence e ON e.requirement_id = p.requirement_id AND e.competency_id = p.competency_id""",
        [[competency for competency, _ in picks], lines, lines, lines]).df()


PAY_GROUPS = {"band": "band", "role_family": "role_family", "region": "region", "domain": None}
_PAY_FIGURES = """
               count(*) FILTER (WHERE f.salary_period = 'year') AS adverts,
               quantile_cont((f.salary_min + f.salary_max) / 2, [0.25, 0.5, 0.75])
                   FILTER (WHERE f.salary_period = 'year') AS quartiles,
               count(*) FILTER (WHERE f.salary_period IS NOT NULL AND f.salary_period <> 'year') AS other_period,
               count(*) FILTER (WHERE f.salary_period IS NULL) AS no_amount"""
# the three quartiles come from one sort (a list), then apart
_PAY_COLUMNS = """"group", adverts, quartiles[1] AS q1, quartiles[2] AS median, quartiles[3] AS q3, other_period,
                  no_amount"""


def pay_by(con: duckdb.DuckDBPyConnection, flt: AdvertFilter, group: str = "band") -> pd.DataFrame:
    """Yearly pay per band (or role family, region, or domain needed: an advert counts in each domain it needs)
    under the filter: adverts with a yearly salary, and the quartiles of the midpoint of their ranges. Hourly,
    daily, weekly and monthly rates are not converted: they are counted apart (``other_period``), as planners
    compare like with like."""
    if group not in PAY_GROUPS:
        raise ValueError(f"group must be one of {', '.join(PAY_GROUPS)}")
    where, params = flt.where("f")
    if group == "domain":
        return _pay_by_domain(con, flt, where, params)
    column = PAY_GROUPS[group]
    return con.execute(
        f"""
        SELECT {_PAY_COLUMNS} FROM (
            SELECT coalesce(f.{column}, 'Not stated') AS "group", {_PAY_FIGURES}
            FROM demand_facts f WHERE {where}
            GROUP BY 1)
        ORDER BY "group" = 'Not stated', TRY_CAST(regexp_extract("group", '^Band (\\d+)', 1) AS INTEGER) NULLS LAST,
                 "group"
        """, params).df()


def _pay_by_domain(con: duckdb.DuckDBPyConnection, flt: AdvertFilter, where: str, params: list) -> pd.DataFrame:
    """``pay_by`` per domain needed: one pass over the chosen adverts per domain, each reading its bit."""
    counted, _ = LEVEL_MASKS[flt.level]
    domains_now = con.execute(
        f"""WITH {CURRENT_DOMAINS} SELECT d.domain_id || ' ' || d.title, b.bit FROM domains_now d
            JOIN demand_bits b ON b.kind = 'domain' AND b.id = d.domain_id
            ORDER BY CAST(d.domain_id AS INTEGER)""").fetchall()
    per_domain = [f"""SELECT ? AS "group", {position} AS position, {_PAY_FIGURES} FROM chosen f
                      WHERE (f.domain_{counted} >> {bit}) & 1 = 1 GROUP BY 1"""
                  for position, (_, bit) in enumerate(domains_now)] or [f"""SELECT NULL AS "group", 0 AS position,
                      {_PAY_FIGURES} FROM chosen f WHERE FALSE GROUP BY 1"""]
    frame = con.execute(
        f"""WITH chosen AS (SELECT f.* FROM demand_facts f WHERE {where})
            SELECT {_PAY_COLUMNS}, position FROM ({" UNION ALL ".join(per_domain)}) ORDER BY position""",
        [*params, *(name for name, _ in domains_now)]).df()
    return frame.drop(columns="position")


def domains(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The current framework's domains (cheap: for drop-downs)."""
    return con.execute(
        """SELECT d.domain_id, d.title AS domain_title FROM domains d
           JOIN framework_versions fv ON fv.version = d.framework_version AND fv.is_current
           ORDER BY CAST(d.domain_id AS INTEGER)""").df()


def employers(con: duckdb.DuckDBPyConnection, flt: AdvertFilter) -> pd.DataFrame:
    where, params = flt.where("f")
    return con.execute(
        f"SELECT employer, count(*) AS adverts FROM demand_facts f WHERE {where} GROUP BY employer "
        "ORDER BY adverts DESC, employer", params).df()


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Distinct values for the filter drop-downs."""
    options = {}
    for column in ("region", "band", "role_family", "employer", "source"):
        rows = con.execute(
            f"SELECT DISTINCT {column} FROM demand_facts WHERE {column} IS NOT NULL ORDER BY {column}").fetchall()
        options[column] = [value for (value,) in rows]
    first, last = con.execute("SELECT min(date_posted), max(date_posted) FROM demand_facts").fetchone()
    options["date_range"] = [first, last]
    return options


ADVERT_TABLE_COLUMNS = ("reference", "title", "employer", "town", "region", "band", "role_family",
                        "date_posted", "closing_date", "status", "url", "advert_id")
SORTABLE = set(ADVERT_TABLE_COLUMNS) - {"url", "advert_id"}


def advert_page(con: duckdb.DuckDBPyConnection, flt: AdvertFilter, *, search: str = "", include_closed: bool = False,
                sort_by: str = "date_posted", descending: bool = True, page: int = 0,
                page_size: int = 25) -> tuple[pd.DataFrame, int]:
    """One page of the adverts table and the number of matching adverts."""
    if sort_by not in SORTABLE:
        raise ValueError(f"cannot sort by {sort_by!r}")
    where, params = flt.where("f")
    if not include_closed:
        where += " AND f.status = 'open'"
    if search.strip():
        where += " AND (f.title ILIKE ? OR f.employer ILIKE ? OR f.reference ILIKE ? OR f.town ILIKE ?)"
        needle = f"%{search.strip()}%"
        params += [needle, needle, needle, needle]
    total = con.execute(f"SELECT count(*) FROM demand_facts f WHERE {where}", params).fetchone()[0]
    columns = ", ".join(f"f.{c}" for c in ADVERT_TABLE_COLUMNS)
    direction = "DESC" if descending else "ASC"
    frame = con.execute(
        f"""SELECT {columns} FROM demand_facts f WHERE {where}
            ORDER BY f.{sort_by} {direction} NULLS LAST, f.reference LIMIT ? OFFSET ?""",
        [*params, page_size, page * page_size]).df()
    return frame, total


def advert_choices(con: duckdb.DuckDBPyConnection, limit: int = 2000) -> pd.DataFrame:
    return con.execute(
        """SELECT advert_id, reference, title, employer FROM demand_facts WHERE is_informatics
           ORDER BY date_posted DESC NULLS LAST LIMIT ?""", [limit]).df()


def advert_requirements(con: duckdb.DuckDBPyConnection, advert_id: int) -> list[dict]:
    rows = con.execute(
        """SELECT section, category, level, text FROM requirements
           WHERE advert_id = ? AND advert_id IN (SELECT advert_id FROM advert_facts) ORDER BY position""",
        [advert_id]).fetchall()
    return [{"section": s, "category": c, "level": lv, "text": t} for s, c, lv, t in rows]


def peer_demand(con: duckdb.DuckDBPyConnection, flt: AdvertFilter, titles: tuple[str, ...]) -> dict:
    """The adverts under the filter whose title is one of ``titles`` (a role's peers): how many, their
    titles with counts, and the share of them needing each competency and each domain."""
    where, params = flt.where("f")
    peers = f"SELECT * FROM demand_facts f WHERE {where} AND list_contains(?, f.title)"
    args = [*params, list(titles)]
    titles_frame = con.execute(f"SELECT title, count(*) AS adverts FROM ({peers}) GROUP BY title "
                               "ORDER BY adverts DESC, title", args).df()
    total = int(titles_frame["adverts"].sum()) if len(titles_frame) else 0
    shares = {}
    for kind in ("competency", "domain"):
        needing = needs_sql(kind, flt.level, "peers")
        rows = con.execute(f"WITH peers AS ({peers}) SELECT {kind}_id, count(*) FROM ({needing}) GROUP BY ALL",
                           args).fetchall()
        shares[kind] = {value: needing / total for value, needing in rows} if total else {}
    return {"adverts": total, "titles": titles_frame, "competency_shares": shares["competency"],
            "domain_shares": shares["domain"]}


def informatics_titles(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [t for (t,) in con.execute(
        "SELECT DISTINCT title FROM demand_facts WHERE is_informatics AND duplicate_of IS NULL").fetchall()]


def runs_overview(con: duckdb.DuckDBPyConnection, limit: int = 50) -> pd.DataFrame:
    return con.execute(
        """SELECT run_id, source, started_at, finished_at, status, duration_seconds, requests, responses_ok,
                  responses_error, adverts_seen, adverts_new, adverts_updated, adverts_unchanged, adverts_skipped,
                  adverts_closed, adverts_withdrawn, adverts_duplicate, adverts_reopened, parse_errors,
                  discovery_errors, links_unreadable, pages_failed, message
           FROM crawl_runs ORDER BY run_id DESC LIMIT ?""", [limit]).df()


def sources_overview(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """SELECT s.source, s.name, s.base_url, s.attribution, count(a.advert_id) AS adverts,
                  count(a.advert_id) FILTER (WHERE a.status = 'open') AS open_adverts,
                  count(a.duplicate_of) AS reposts,
                  coalesce(count(a.duplicate_of) / nullif(count(a.advert_id), 0), 0) AS duplicate_rate,
                  max(a.last_seen) AS last_seen
           FROM sources s LEFT JOIN adverts a USING (source) GROUP BY ALL ORDER BY s.source""").df()


def framework_overview(con: duckdb.DuckDBPyConnection) -> dict:
    row = con.execute(
        """SELECT fv.version, fv.name, fv.loaded_at,
                  count(*) FILTER (WHERE c.confidence = 'seen'),
                  count(*) FILTER (WHERE c.confidence = 'inferred'),
                  count(*) FILTER (WHERE c.confidence = 'official'), count(c.competency_id)
           FROM framework_versions fv LEFT JOIN competencies c ON c.framework_version = fv.version
           WHERE fv.is_current GROUP BY ALL""").fetchone()
    matcher = con.execute("SELECT value FROM warehouse_state WHERE key = 'matcher_version'").fetchone()
    if row is None:
        return {"version": None, "matcher_version": matcher[0] if matcher else None}
    return {"version": row[0], "name": row[1], "loaded_at": row[2], "seen": row[3], "inferred": row[4],
            "official": row[5], "competencies": row[6], "matcher_version": matcher[0] if matcher else None}


def domain_demand_by_region(con: duckdb.DuckDBPyConnection, flt: AdvertFilter) -> pd.DataFrame:
    """Per region (the NHS England regions and the devolved nations the postcode areas map to, and Unknown)
    and domain: the adverts under the filter posted there, those needing the domain, and the share. Every
    region is there, one with no adverts too (0 adverts, no share)."""
    counts, params = _need_counts(con, flt, by=(("region", "region"),))
    return con.execute(
        f"""
        WITH {counts},
        regions AS (SELECT DISTINCT region FROM postcode_regions UNION SELECT 'Unknown'),
        totals AS (SELECT region, count(*) AS adverts FROM chosen GROUP BY region), {CURRENT_DOMAINS}
        SELECT r.region, dn.domain_id, dn.title AS domain_title, coalesce(t.adverts, 0) AS adverts,
               coalesce(n.needing, 0) AS adverts_needing, coalesce(n.needing, 0) / nullif(t.adverts, 0) AS share
        FROM regions r CROSS JOIN domains_now dn
        LEFT JOIN totals t ON t.region = r.region
        LEFT JOIN need_counts n ON n.region = r.region AND n.domain_id = dn.domain_id
        ORDER BY r.region, CAST(dn.domain_id AS INTEGER)
        """, params).df()


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """What a download was made from, in one line: the newest finished run, the matcher and the framework."""
    run = con.execute("SELECT run_id, source, finished_at FROM crawl_runs WHERE finished_at IS NOT NULL "
                      "AND status = 'succeeded' ORDER BY finished_at DESC LIMIT 1").fetchone()
    framework = framework_overview(con)
    data = f"data to {run[2]:%Y-%m-%d %H:%M} (run {run[0]}, {run[1]})" if run else "no finished run"
    return f"{data}; matcher {framework.get('matcher_version') or '-'}; framework {framework.get('version') or '-'}"


def year_on_year(con: duckdb.DuckDBPyConnection, flt: AdvertFilter) -> pd.DataFrame:
    """Per domain: demand in the 12 months to the newest advert under the filter against the 12 months before
    (the filter's own dates set aside), with the adverts each share rests on and the change in adverts."""
    from dataclasses import replace
    from datetime import timedelta

    where, params = replace(flt, date_from=None, date_to=None).where("f")
    newest = con.execute(f"SELECT max(date_posted) FROM demand_facts f WHERE {where}", params).fetchone()[0]
    columns = ["domain_id", "domain_title", "adverts", "adverts_needing", "share"]
    if newest is None:
        return pd.DataFrame(columns=[*columns, "previous_adverts", "previous_needing", "previous_share",
                                     "period", "previous_period"])
    year = timedelta(days=364)
    current = domain_demand(con, replace(flt, date_from=newest - year, date_to=newest))[columns]
    before_end = newest - year - timedelta(days=1)
    previous = domain_demand(con, replace(flt, date_from=before_end - year, date_to=before_end))[columns]
    frame = current.merge(previous.drop(columns="domain_title").rename(columns={
        "adverts": "previous_adverts", "adverts_needing": "previous_needing", "share": "previous_share"}),
        on="domain_id")
    frame["period"] = f"{newest - year} to {newest}"
    frame["previous_period"] = f"{before_end - year} to {before_end}"
    return frame


ADVERT_DETAIL_COLUMNS = ("advert_id", "source", "reference", "title", "employer", "town", "region", "band",
                         "role_family", "salary_text", "date_posted", "closing_date", "status", "first_seen",
                         "last_seen", "is_informatics", "duplicate_of", "url")


def advert_detail(con: duckdb.DuckDBPyConnection, advert_id: int) -> dict | None:
    """One published advert with its requirement lines, each with the competencies it matched (score and the
    words behind each match); None for an advert that is not published (unknown, or internal-only)."""
    columns = ", ".join(ADVERT_DETAIL_COLUMNS)
    row = con.execute(f"SELECT {columns} FROM advert_facts WHERE advert_id = ?", [advert_id]).fetchone()
    if row is None:
        return None
    lines = con.execute(
        """SELECT r.requirement_id, r.section, r.category, r.level, r.text,
                  list({'id': m.competency_id, 'score': m.score, 'evidence': m.evidence} ORDER BY m.score DESC)
                      FILTER (WHERE m.competency_id IS NOT NULL) AS competencies
           FROM requirements r
           LEFT JOIN (SELECT * FROM current_matches WHERE advert_id = ?) m USING (requirement_id)
           WHERE r.advert_id = ? GROUP BY ALL ORDER BY min(r.position)""", [advert_id, advert_id]).df()
    return {**dict(zip(ADVERT_DETAIL_COLUMNS, row)), "requirements": lines}


TOP_COLUMNS = {"employer": "employer", "title": "title"}


def top_values(con: duckdb.DuckDBPyConnection, flt: AdvertFilter, column: str, limit: int = 10) -> pd.DataFrame:
    """The employers (or job titles) with the most adverts under the filter, with their counts."""
    if column not in TOP_COLUMNS:
        raise ValueError(f"column must be one of {', '.join(TOP_COLUMNS)}")
    where, params = flt.where("f")
    return con.execute(
        f"""SELECT f.{TOP_COLUMNS[column]} AS value, count(*) AS adverts FROM demand_facts f WHERE {where}
            GROUP BY ALL ORDER BY adverts DESC, value LIMIT ?""", [*params, limit]).df()
