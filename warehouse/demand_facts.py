"""Demand facts: what the demand queries read, rebuilt from the current matches at every publish.

A planner changes filters constantly and every new combination is a query nobody has cached. Joining the
chosen adverts with every (advert, competency) need cost the size of the warehouse each time (0.4-1.1 s a
query at 400,000 adverts). ``demand_facts`` holds one row per published advert: the columns the filters and
pages read (region and role family worked out once here, not in every query) and bit masks of the
competencies, subdomains and domains it needs, per level of the lines that matched. A demand query groups
the chosen adverts by the bits of the domain it asks about (a few hundred distinct values at most) and
counts each bit from those groups (``need_counts_sql``); ``demand_bits`` says which bit stands for what,
numbered domain by domain so that one domain's competencies are neighbours in the mask.
``advert_needs`` (advert x competency) stays, with the best-scored line behind each need per level: the
competency page's example lines come from it instead of from every match.
"""
from __future__ import annotations

import duckdb

from warehouse.errors import WarehouseError
from warehouse.transactions import transaction

KINDS = ("competency", "subdomain", "domain")
WORD_BITS = 64
ONE_WORD_KINDS = ("subdomain", "domain")  # a single UBIGINT mask: at most 64 of each
# level filter -> (the mask whose bits count as needed, the mask saying "needed through an essential line")
LEVEL_MASKS = {"any": ("any", "essential"), "essential": ("essential", "essential"), "desirable": ("desirable", None)}
LINE_LEVELS = {"any": "TRUE", "essential": "level = 'essential'", "desirable": "level = 'desirable'"}
NEEDS_BASIS_KEY = "advert_needs_basis"  # warehouse_state: the framework and matcher advert_needs was built for
EXAMPLE_CANDIDATES = 50  # best lines kept per competency and level for the example lines
FACT_COLUMNS = ("advert_id", "source", "reference", "url", "title", "employer", "town", "region", "band",
                "role_family", "salary_min", "salary_max", "salary_period", "date_posted", "closing_date",
                "last_seen", "status", "closed_at", "is_informatics", "duplicate_of")


def bit_test(mask: str, kind: str, bit: str = "b.bit") -> str:
    """SQL: whether ``bit`` is set in the mask column ``mask`` of ``kind``."""
    if kind in ONE_WORD_KINDS:
        return f"({mask} >> {bit}) & 1 = 1"
    return f"({mask}[{bit} // {WORD_BITS} + 1] >> ({bit} % {WORD_BITS})) & 1 = 1"


def needs_sql(kind: str, level: str, chosen: str = "chosen", in_domain: bool = False) -> str:
    """SQL selecting (advert_id, <kind>_id, domain_id, essential) for the adverts of the relation ``chosen``:
    one row per advert and competency (or subdomain, or domain) it needs under the level filter. With
    ``in_domain`` the kinds are those of one domain, given as a parameter."""
    counted, essential = LEVEL_MASKS[level]
    essential_sql = bit_test(f"c.{kind}_{essential}", kind) if essential else "FALSE"
    domain = "AND b.domain_id = ?" if in_domain else ""
    return f"""SELECT c.advert_id, b.id AS {kind}_id, b.domain_id, {essential_sql} AS essential
               FROM {chosen} c JOIN demand_bits b ON b.kind = '{kind}' {domain}
                AND {bit_test(f"c.{kind}_{counted}", kind)}"""


def bit_range(con: duckdb.DuckDBPyConnection, kind: str, domain_id: str | None = None) -> tuple[int, int]:
    """(first bit, how many) of the competencies (subdomains, domains) of one domain, or of all."""
    first, count = con.execute(
        "SELECT coalesce(min(bit), 0), count(*) FROM demand_bits WHERE kind = ? AND (? IS NULL OR domain_id = ?)",
        [kind, domain_id, domain_id]).fetchone()
    return first, count


def window_sql(mask: str, kind: str, first: int, count: int) -> str | None:
    """SQL: bits first .. first + count - 1 of a mask column as one UBIGINT (its bit 0 is ``first``); None when
    they do not fit in one word."""
    if count > WORD_BITS:
        return None
    if kind in ONE_WORD_KINDS:
        word = f"({mask} >> {first})"
    else:
        index, shift = divmod(first, WORD_BITS)
        word = f"({mask}[{index + 1}] >> {shift})"
        if shift + count > WORD_BITS:
            word = f"({word} | ({mask}[{index + 2}] << {WORD_BITS - shift}))"
    return word if count == WORD_BITS else f"({word} & {(1 << count) - 1}::UBIGINT)"


def need_counts_sql(con: duckdb.DuckDBPyConnection, kind: str, level: str, domain_id: str | None = None,
                    by: tuple[tuple[str, str], ...] = (), rows: str = "chosen") -> str:
    """CTEs ``grouped`` and ``need_counts``: per (``by`` columns and) competency, subdomain or domain (of one
    domain, given as a parameter after those of ``rows``), how many adverts of ``rows`` need it (``needing``)
    and how many through an essential line (``essential``). ``by`` is (name, SQL over ``rows``) pairs."""
    counted, essential = LEVEL_MASKS[level]
    first, count = bit_range(con, kind, domain_id)
    windowed = window_sql(f"{kind}_{counted}", kind, first, count) is not None

    def mask(level_name: str) -> str:
        return window_sql(f"{kind}_{level_name}", kind, first, count) or f"{kind}_{level_name}"

    def test(column: str) -> str:
        return f"({column} >> (b.bit - {first})) & 1 = 1" if windowed else bit_test(column, kind)

    keys = "".join(f"{expr} AS {name}, " for name, expr in by)
    names = "".join(f"g.{name}, " for name, _ in by)
    essential_test = test("g.essential_mask") if essential else "FALSE"
    return f"""
        grouped AS (
            SELECT {keys}{mask(counted)} AS counted_mask, {mask(essential) if essential else "NULL"} AS essential_mask,
                   count(*) AS adverts
            FROM {rows} GROUP BY ALL),
        need_counts AS (
            SELECT {names}b.id AS {kind}_id, sum(g.adverts)::BIGINT AS needing,
                   coalesce(sum(g.adverts) FILTER (WHERE {essential_test}), 0)::BIGINT AS essential
            FROM grouped g JOIN demand_bits b ON b.kind = '{kind}' {"AND b.domain_id = ?" if domain_id else ""}
             AND {test("g.counted_mask")}
            GROUP BY ALL)"""


def _mask_words(kind: str, words: int, condition: str) -> str:
    def word(index: int) -> str:
        return (f"coalesce(bit_or(CASE WHEN {kind}_bit // {WORD_BITS} = {index} "
                f"THEN CAST(1 AS UBIGINT) << ({kind}_bit % {WORD_BITS}) END) FILTER (WHERE {condition}), 0)::UBIGINT")
    if kind in ONE_WORD_KINDS:
        return word(0)
    return f"[{', '.join(word(index) for index in range(words))}]"


def _rebuild_bits(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    con.execute("DELETE FROM demand_bits")
    for kind, table, domain in (("competency", "competencies", "domain_id"), ("subdomain", "subdomains", "domain_id"),
                                ("domain", "domains", "domain_id")):
        con.execute(
            f"""INSERT INTO demand_bits
                SELECT '{kind}', t.{kind}_id, t.{domain},
                       (row_number() OVER (ORDER BY t.{domain}, t.{kind}_id) - 1)::INTEGER
                FROM {table} t JOIN framework_versions fv ON fv.version = t.framework_version AND fv.is_current""")
    counts = dict(con.execute("SELECT kind, count(*) FROM demand_bits GROUP BY kind").fetchall())
    for kind in ONE_WORD_KINDS:
        if counts.get(kind, 0) > WORD_BITS:
            raise WarehouseError(f"the current framework has {counts[kind]} {kind}s: demand facts hold at most "
                                 f"{WORD_BITS}")
    return counts


def _needs_basis(con: duckdb.DuckDBPyConnection) -> str:
    """What advert_needs is built from: the current framework and matcher versions."""
    framework, matcher = con.execute(
        """SELECT (SELECT version FROM framework_versions WHERE is_current),
                  (SELECT value FROM warehouse_state WHERE key = 'matcher_version')""").fetchone()
    return f"{framework}|{matcher}"


def _stale_scope(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """(SQL condition on ``advert_id`` choosing what to rebuild, "all" or "N adverts"): the adverts in
    ``stale_needs``, unless the framework or the matcher changed since the last build (then every match is
    current or not anew, and all are rebuilt)."""
    built = con.execute("SELECT value FROM warehouse_state WHERE key = ?", [NEEDS_BASIS_KEY]).fetchone()
    if built is None or built[0] != _needs_basis(con):
        return "TRUE", "all"
    stale_adverts = con.execute("SELECT count(DISTINCT advert_id) FROM stale_needs").fetchone()[0]
    return "advert_id IN (SELECT advert_id FROM stale_needs)", f"{stale_adverts} adverts"


def _rebuild_needs(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    """advert x competency needed, with the best line behind it per level (ties: the earliest line)."""
    examples = ", ".join(
        f"arg_max(requirement_id, {{'score': score, 'earlier': -requirement_id}}) FILTER (WHERE {condition}), "
        f"max(score) FILTER (WHERE {condition})" for condition in LINE_LEVELS.values())
    con.execute(f"DELETE FROM advert_needs WHERE {scope}")
    con.execute(
        f"""INSERT INTO advert_needs
            SELECT advert_id, competency_id, any_value(subdomain_id), any_value(domain_id),
                   bool_or(coalesce(level = 'essential', false)), bool_or(coalesce(level = 'desirable', false)),
                   bool_or(level IS NULL), {examples}
            FROM current_matches WHERE {scope} GROUP BY advert_id, competency_id
            ORDER BY competency_id, advert_id""")


def _level_lines(level: str, scope: str) -> str:
    """SQL: (competency_id, level, requirement_id, advert_id, score) of the best line of each need in scope."""
    return f"""SELECT competency_id, '{level}' AS level, example_{level} AS requirement_id, advert_id,
                      example_{level}_score AS score
               FROM advert_needs WHERE example_{level} IS NOT NULL AND {scope}"""


RANKED = "row_number() OVER (PARTITION BY competency_id, level ORDER BY score DESC, requirement_id)"


def _rebuild_example_candidates(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    """Each competency's EXAMPLE_CANDIDATES best lines per level, a prefix of the ranking of every advert's best
    line (what ``demand._example_lines`` needs to be right). After a batch the lists are merged: the stale
    adverts' lines leave, their new lines come in, and a list that was full keeps only what ranks at or above
    its old last line (below it, lines of other adverts were never kept); a list left under half full is
    ranked again from every advert."""
    if scope == "TRUE":
        lists = " UNION ALL ".join(_level_lines(level, "TRUE") for level in LINE_LEVELS)
    else:
        fresh = " UNION ALL ".join(_level_lines(level, scope) for level in LINE_LEVELS)
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE merged_candidates AS
                WITH last_kept AS (  -- the last line of each full list
                    SELECT competency_id, level, arg_max(score, rank) AS score,
                           arg_max(requirement_id, rank) AS requirement_id
                    FROM example_candidates GROUP BY competency_id, level
                    HAVING count(*) >= {EXAMPLE_CANDIDATES}),
                merged AS (
                    SELECT competency_id, level, requirement_id, advert_id, score FROM example_candidates
                    WHERE NOT ({scope})
                    UNION ALL {fresh})
                SELECT m.* FROM merged m LEFT JOIN last_kept b USING (competency_id, level)
                WHERE b.score IS NULL OR m.score > b.score
                   OR (m.score = b.score AND m.requirement_id <= b.requirement_id)""")
        short = con.execute(
            f"""SELECT DISTINCT c.competency_id, c.level FROM example_candidates c
                WHERE (c.competency_id, c.level) IN (
                    SELECT competency_id, level FROM example_candidates GROUP BY ALL
                    HAVING count(*) >= {EXAMPLE_CANDIDATES})
                  AND (SELECT count(*) FROM merged_candidates m WHERE m.competency_id = c.competency_id
                       AND m.level = c.level) < {EXAMPLE_CANDIDATES // 2}""").fetchall()
        refill = " UNION ALL ".join(
            _level_lines(level, "competency_id = ANY(?)") for level in LINE_LEVELS)
        lists = (f"""SELECT * FROM merged_candidates WHERE NOT list_contains(?, competency_id || '|' || level)
                     UNION ALL SELECT * FROM ({refill})
                     WHERE list_contains(?, competency_id || '|' || level)""")
        keys = [f"{competency}|{level}" for competency, level in short]
        ids = sorted({competency for competency, _ in short})
        params = [keys, *([ids] * len(LINE_LEVELS)), keys]
    con.execute("DELETE FROM example_candidates")
    con.execute(
        f"""INSERT INTO example_candidates (competency_id, level, rank, requirement_id, advert_id, score)
            SELECT competency_id, level, rank, requirement_id, advert_id, score FROM (
                SELECT *, {RANKED} AS rank FROM ({lists}))
            WHERE rank <= {EXAMPLE_CANDIDATES}""", [] if scope == "TRUE" else params)


MASK_LEVELS = {"any": "TRUE", "essential": "n.has_essential", "desirable": "n.has_desirable"}
MASK_COLUMNS = tuple(f"{kind}_{level}" for level in MASK_LEVELS for kind in KINDS)


def _rebuild_masks(con: duckdb.DuckDBPyConnection, scope: str, words: int) -> None:
    """Each advert's need masks, from its needs (for the adverts in ``scope``)."""
    masks = ", ".join(f"{_mask_words(kind, words, condition)} AS {kind}_{level}"
                      for level, condition in MASK_LEVELS.items() for kind in KINDS)
    con.execute(f"DELETE FROM advert_masks WHERE {scope}")
    con.execute(
        f"""INSERT INTO advert_masks (advert_id, {", ".join(MASK_COLUMNS)})
            WITH needs AS (
                SELECT n.advert_id, n.has_essential, n.has_desirable, c.bit AS competency_bit,
                       s.bit AS subdomain_bit, d.bit AS domain_bit
                FROM advert_needs n
                JOIN demand_bits c ON c.kind = 'competency' AND c.id = n.competency_id
                JOIN demand_bits s ON s.kind = 'subdomain' AND s.id = n.subdomain_id
                JOIN demand_bits d ON d.kind = 'domain' AND d.id = n.domain_id
                WHERE {scope}
            )
            SELECT n.advert_id, {masks} FROM needs n GROUP BY n.advert_id""")


def _rebuild_facts(con: duckdb.DuckDBPyConnection, words: int) -> None:
    """Every published advert's current columns with its masks (none: zeros)."""
    zeros = f"[{', '.join(['0::UBIGINT'] * words)}]"
    mask_columns = ", ".join(f"coalesce(m.{column}, {zeros if column.startswith('competency') else '0::UBIGINT'})"
                             for column in MASK_COLUMNS)
    columns = ", ".join(FACT_COLUMNS)
    con.execute("DELETE FROM demand_facts")
    con.execute(
        f"""INSERT INTO demand_facts ({columns}, {", ".join(MASK_COLUMNS)})
            SELECT {", ".join(f"f.{c}" for c in FACT_COLUMNS)}, {mask_columns}
            FROM advert_facts f LEFT JOIN advert_masks m USING (advert_id)
            ORDER BY f.date_posted, f.advert_id""")


def rebuild(con: duckdb.DuckDBPyConnection) -> str:
    """Rebuild demand_bits, advert_needs and advert_masks (of the stale adverts), the example candidates and
    demand_facts from the current adverts and matches, in one step; returns what needs and masks were rebuilt
    for ("all" or "N adverts")."""
    with transaction(con):
        counts = _rebuild_bits(con)
        words = max(1, -(-counts.get("competency", 0) // WORD_BITS))
        scope, rebuilt = _stale_scope(con)
        _rebuild_needs(con, scope)
        _rebuild_masks(con, scope, words)
        _rebuild_example_candidates(con, scope)
        _rebuild_facts(con, words)
        con.execute("DELETE FROM stale_needs")
        con.execute("INSERT INTO warehouse_state VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [NEEDS_BASIS_KEY, _needs_basis(con)])
    return rebuilt
