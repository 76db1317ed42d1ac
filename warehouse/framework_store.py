"""Storing a competency framework version in the warehouse and choosing the current one."""
from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from matching.framework import DEFAULT_FRAMEWORK, Competency, Domain, Framework, Subdomain
from warehouse.transactions import transaction


def store_framework(con: duckdb.DuckDBPyConnection, framework: Framework) -> bool:
    """Make ``framework`` the current version, storing it first if it is new. True when it was new."""
    known = con.execute(
        "SELECT count(*) FROM framework_versions WHERE version = ?", [framework.version]
    ).fetchone()[0]
    with transaction(con):
        if not known:
            _insert(con, framework)
        con.execute("UPDATE framework_versions SET is_current = (version = ?)", [framework.version])
    return not known


def _insert(con: duckdb.DuckDBPyConnection, framework: Framework) -> None:
    version = framework.version
    con.execute(
        "INSERT INTO framework_versions VALUES (?, ?, ?, ?, false)",
        [version, framework.name, framework.source_file, datetime.now()],
    )
    domains = pd.DataFrame(
        [(version, d.id, d.title, d.title_confidence, d.description) for d in framework.domains],
        columns=["framework_version", "domain_id", "title", "title_confidence", "description"],
    )
    subdomains = pd.DataFrame(
        [(version, s.id, s.domain_id, s.title, s.title_confidence) for s in framework.subdomains],
        columns=["framework_version", "subdomain_id", "domain_id", "title", "title_confidence"],
    )
    competencies = pd.DataFrame(
        [(version, c.id, c.subdomain_id, c.domain_id, c.statement, c.confidence, c.placement, c.evidence,
          list(c.keywords)) for c in framework.competencies],
        columns=["framework_version", "competency_id", "subdomain_id", "domain_id", "statement", "confidence",
                 "placement", "evidence", "keywords"],
    )
    for table, frame in (("domains", domains), ("subdomains", subdomains), ("competencies", competencies)):
        con.register("incoming_framework", frame)
        con.execute(f"INSERT INTO {table} SELECT * FROM incoming_framework")
        con.unregister("incoming_framework")


def current_framework_version(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("SELECT version FROM framework_versions WHERE is_current").fetchone()
    return row[0] if row else None


def load_current_framework(con: duckdb.DuckDBPyConnection) -> Framework | None:
    """The current framework as stored, when it was imported (not the bundled default); else None."""
    row = con.execute(
        "SELECT version, name, source_file FROM framework_versions WHERE is_current"
    ).fetchone()
    if row is None or row[2] == DEFAULT_FRAMEWORK:
        return None
    version, name, source_file = row
    competencies: dict[str, list[Competency]] = {}
    for cid, sid, did, statement, confidence, placement, evidence, keywords in con.execute(
        """SELECT competency_id, subdomain_id, domain_id, statement, confidence, placement, evidence, keywords
           FROM competencies WHERE framework_version = ?""", [version]
    ).fetchall():
        competencies.setdefault(sid, []).append(
            Competency(cid, did, sid, statement, tuple(keywords or ()), confidence, placement, evidence))
    subdomains: dict[str, list[Subdomain]] = {}
    for sid, did, title, title_confidence in con.execute(
        "SELECT subdomain_id, domain_id, title, title_confidence FROM subdomains WHERE framework_version = ?",
        [version],
    ).fetchall():
        ordered = tuple(sorted(competencies.get(sid, []), key=lambda c: _id_key(c.id)))
        subdomains.setdefault(did, []).append(Subdomain(sid, did, title, title_confidence, ordered))
    domains = tuple(
        Domain(did, title, title_confidence, description,
               tuple(sorted(subdomains.get(did, []), key=lambda s: _id_key(s.id))))
        for did, title, title_confidence, description in con.execute(
            "SELECT domain_id, title, title_confidence, description FROM domains WHERE framework_version = ?",
            [version],
        ).fetchall()
    )
    return Framework(name=name, version=version, source_file=source_file,
                     domains=tuple(sorted(domains, key=lambda d: _id_key(d.id))))


def _id_key(identifier: str) -> list[int]:
    return [int(part) for part in identifier.split(".")]
