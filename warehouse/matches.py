"""Requirements waiting to be matched, and storing the matcher's answers."""
from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from warehouse.transactions import transaction

MATCHABLE_SECTIONS = ("person_specification", "duties", "responsibilities")


def pending_requirements(con: duckdb.DuckDBPyConnection, framework_version: str, matcher_version: str,
                         rematch: bool = False) -> pd.DataFrame:
    """Requirement lines the given framework and matcher versions have not looked at yet (all with rematch)."""
    placeholders = ", ".join("?" for _ in MATCHABLE_SECTIONS)
    return con.execute(
        f"""
        SELECT r.requirement_id, r.text FROM requirements r
        WHERE r.section IN ({placeholders})
          AND (? OR r.requirement_id NOT IN (
                SELECT requirement_id FROM matched_requirements
                WHERE framework_version = ? AND matcher_version = ?))
        ORDER BY r.requirement_id
        """,
        [*MATCHABLE_SECTIONS, rematch, framework_version, matcher_version],
    ).df()


def store_matches(con: duckdb.DuckDBPyConnection, requirement_ids: list[int], matches: pd.DataFrame,
                  framework_version: str, matcher_version: str) -> None:
    """Replace the matches of these requirements for this framework, and make this matcher current.

    ``matches`` has columns requirement_id, competency_id, score, evidence.
    """
    done = pd.DataFrame({"requirement_id": pd.Series(requirement_ids, dtype="int64")})
    rows = matches.assign(framework_version=framework_version, matcher_version=matcher_version)
    with transaction(con):
        con.register("done_requirements", done)
        con.register("incoming_matches", rows)
        con.execute(
            "DELETE FROM matches WHERE framework_version = ? "
            "AND requirement_id IN (SELECT requirement_id FROM done_requirements)",
            [framework_version],
        )
        con.execute(
            "DELETE FROM matched_requirements WHERE framework_version = ? "
            "AND requirement_id IN (SELECT requirement_id FROM done_requirements)",
            [framework_version],
        )
        con.execute(
            """
            INSERT INTO matches (requirement_id, competency_id, framework_version, matcher_version, score, evidence)
            SELECT requirement_id, competency_id, framework_version, matcher_version, score, evidence
            FROM incoming_matches
            """
        )
        con.execute(
            "INSERT INTO matched_requirements SELECT requirement_id, ?, ?, ? FROM done_requirements",
            [framework_version, matcher_version, datetime.now()],
        )
        con.execute("""INSERT INTO stale_needs SELECT DISTINCT r.advert_id FROM requirements r
                       WHERE r.requirement_id IN (SELECT requirement_id FROM done_requirements)""")
        con.execute(
            "INSERT INTO warehouse_state VALUES ('matcher_version', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [matcher_version],
        )
        con.unregister("done_requirements")
        con.unregister("incoming_matches")
