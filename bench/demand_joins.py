"""The baseline for the demand facts: three dashboard queries as they were before them (commit fd75916), joining
the chosen adverts with every (advert, competency) need and, for example lines, with every current match.
bench/dashboard.py times them against today's queries on the same snapshot and checks the figures agree."""
from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.filters import AdvertFilter


def _needs(flt: AdvertFilter) -> tuple[str, list]:
    where, params = flt.where("f")
    counted = {"any": "TRUE", "essential": "n.has_essential", "desirable": "n.has_desirable"}[flt.level]
    essential = "FALSE" if flt.level == "desirable" else "n.has_essential"
    return f"""
        chosen AS (SELECT f.* FROM advert_facts f WHERE {where}),
        needs AS (
            SELECT n.advert_id, n.competency_id, n.subdomain_id, n.domain_id, {essential} AS essential
            FROM advert_needs n
            WHERE n.advert_id IN (SELECT advert_id FROM chosen) AND {counted}
        )""", params


def domain_demand(con: duckdb.DuckDBPyConnection, flt: AdvertFilter) -> pd.DataFrame:
    needs, params = _needs(flt)
    return con.execute(
        f"""
        WITH {needs},
        per_domain AS (SELECT advert_id, domain_id, bool_or(essential) AS essential FROM needs GROUP BY ALL),
        total AS (SELECT count(*) AS n FROM chosen)
        SELECT d.domain_id, count(p.advert_id) AS adverts_needing,
               count(p.advert_id) FILTER (WHERE p.essential) AS essential
        FROM domains d
        JOIN framework_versions fv ON fv.version = d.framework_version AND fv.is_current
        CROSS JOIN total
        LEFT JOIN per_domain p ON p.domain_id = d.domain_id
        GROUP BY d.domain_id ORDER BY CAST(d.domain_id AS INTEGER)""", params).df()


def competency_demand(con: duckdb.DuckDBPyConnection, flt: AdvertFilter, domain_id: str) -> pd.DataFrame:
    needs, params = _needs(flt)
    return con.execute(
        f"""
        WITH {needs},
        example AS (
            SELECT m.competency_id, arg_max(m.requirement_text, m.score) AS example_line
            FROM current_matches m JOIN chosen ch USING (advert_id)
            WHERE {flt.level_condition("m.level")} AND m.domain_id = ?
            GROUP BY m.competency_id)
        SELECT c.competency_id, count(n.advert_id) AS adverts_needing, any_value(e.example_line) AS example_line
        FROM competencies c
        JOIN framework_versions fv ON fv.version = c.framework_version AND fv.is_current
        LEFT JOIN needs n ON n.competency_id = c.competency_id
        LEFT JOIN example e ON e.competency_id = c.competency_id
        WHERE c.domain_id = ?
        GROUP BY c.competency_id ORDER BY adverts_needing DESC, c.competency_id""",
        [*params, domain_id, domain_id]).df()


def stock_trend(con: duckdb.DuckDBPyConnection, flt: AdvertFilter) -> pd.DataFrame:
    needs, params = _needs(flt)
    return con.execute(
        f"""
        WITH {needs},
        bounds AS (SELECT date_trunc('month', min(date_posted)) AS first,
                          date_trunc('month', max(coalesce(closing_date, date_posted))) AS last FROM chosen),
        periods AS (SELECT CAST(unnest(generate_series(first, last, INTERVAL 1 MONTH)) AS DATE) AS period FROM bounds),
        per_domain AS (SELECT advert_id, domain_id FROM needs GROUP BY ALL),
        in_period AS (SELECT m.period, c.advert_id FROM periods m JOIN chosen c
                      ON c.date_posted < m.period + INTERVAL 1 MONTH
                     AND coalesce(c.closed_at, c.closing_date, CAST(c.last_seen AS DATE)) >= m.period)
        SELECT i.period, p.domain_id, count(*) AS adverts_needing
        FROM in_period i JOIN per_domain p USING (advert_id)
        GROUP BY ALL ORDER BY 1, 2""", params).df()
