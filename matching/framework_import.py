"""Importing a framework's official text: statements replaced, ids and key phrases kept.

A CSV (columns ``id, domain, subdomain, statement``, optional ``keywords`` separated by ``;``)
or a YAML file in the project's format. When the file's ids are the bundled framework's
(the FCI framework's official wording arriving), each imported statement replaces the
reconstructed one and is marked ``official``; the matcher keeps its curated key phrases.
Any other depth-3 framework loads as it is and needs its own key phrases.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
from pathlib import Path

import yaml

from matching.framework import Competency, Framework, FrameworkError, load_framework, parse_framework

CSV_COLUMNS = ("id", "domain", "subdomain", "statement")


def _read_csv(text: str, source: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text), strict=True)  # an unterminated quote is an error, not one long field
    try:
        return _csv_domains(reader, source)
    except csv.Error as exc:  # a quoting mistake, or a field over the csv module's limit (128 KB)
        raise FrameworkError(f"{source}:{reader.line_num}: not a valid CSV ({exc})") from None


def _title(cell: str | None, own_id: str, where: str) -> str:
    """A domain or subdomain cell is its title; a cell holding an id (``4``, ``4.2``) names it and has no title."""
    cell = (cell or "").strip()
    if not cell.replace(".", "").isdigit():
        return cell
    if cell != own_id:
        raise FrameworkError(f"{where}: the id places it in {own_id}, but the column says {cell!r}")
    return ""


def _csv_domains(reader: csv.DictReader, source: str) -> list[dict]:
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise FrameworkError(f"{source}: CSV needs the columns {', '.join(CSV_COLUMNS)}; missing {', '.join(missing)}")
    domains: dict[str, dict] = {}
    for row in reader:
        number = reader.line_num
        competency_id = (row["id"] or "").strip()
        parts = competency_id.split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise FrameworkError(f"{source}:{number}: id {competency_id!r} is not of the form domain.subdomain.n")
        subdomain_id = ".".join(parts[:2])
        domain = domains.setdefault(parts[0], {"id": parts[0], "title": "", "title_confidence": "official",
                                               "subdomains": {}})
        domain["title"] = domain["title"] or _title(row["domain"], parts[0], f"{source}:{number}: domain")
        subdomain = domain["subdomains"].setdefault(subdomain_id, {
            "id": subdomain_id, "title": "", "title_confidence": "official", "competencies": []})
        subdomain["title"] = subdomain["title"] or _title(row["subdomain"], subdomain_id,
                                                          f"{source}:{number}: subdomain")
        keywords = [k.strip() for k in (row.get("keywords") or "").split(";") if k.strip()]
        subdomain["competencies"].append({"id": competency_id, "statement": row["statement"],
                                          "keywords": keywords, "confidence": "official", "placement": "official",
                                          "evidence": "imported"})
    return [{**d, "subdomains": list(d["subdomains"].values())} for d in domains.values()]


def read_framework_file(path: Path) -> Framework:
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"{path}: cannot read the framework file ({exc})") from exc
    if path.suffix.lower() == ".csv":
        raw = _read_csv(text, str(path))
    else:
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise FrameworkError(f"{path}: not valid YAML ({exc})") from exc
    return parse_framework(raw, name=path.stem, source_file=str(path), digest=hashlib.sha256(data).hexdigest())


def merge_official(base: Framework, imported: Framework) -> Framework:
    """``base`` with the imported statements and titles, marked official; key phrases kept from ``base``."""
    statements = {c.id: c for c in imported.competencies}
    domain_titles = {d.id: d.title for d in imported.domains if d.title}
    subdomain_titles = {s.id: s.title for s in imported.subdomains if s.title}

    def competency(c: Competency) -> Competency:
        new = statements.get(c.id)
        if new is None:
            return c
        keywords = tuple(dict.fromkeys([*c.keywords, *new.keywords]))
        return dataclasses.replace(c, statement=new.statement, keywords=keywords, confidence="official",
                                   evidence="imported")

    domains = tuple(
        dataclasses.replace(
            d, title=domain_titles.get(d.id, d.title),
            title_confidence="official" if d.id in domain_titles else d.title_confidence,
            subdomains=tuple(
                dataclasses.replace(
                    s, title=subdomain_titles.get(s.id, s.title),
                    title_confidence="official" if s.id in subdomain_titles else s.title_confidence,
                    competencies=tuple(competency(c) for c in s.competencies))
                for s in d.subdomains))
        for d in base.domains
    )
    digest = hashlib.sha256(json.dumps([dataclasses.asdict(d) for d in domains], default=str).encode()).hexdigest()
    return Framework(name=f"{base.name}, official text from {Path(imported.source_file).name}",
                     version=f"{Path(base.source_file).stem}+official@{digest[:10]}",
                     source_file=imported.source_file, domains=domains)


def import_framework(path: Path) -> tuple[Framework, int, list[str]]:
    """The framework to store for ``path``, how many statements became official, and unknown ids."""
    imported = read_framework_file(path)
    base = load_framework()
    base_ids = {c.id for c in base.competencies}
    imported_ids = {c.id for c in imported.competencies}
    overlap = len(imported_ids & base_ids)
    if not overlap and path.suffix.lower() == ".csv":
        raise FrameworkError(f"{path}: none of its ids ({', '.join(sorted(imported_ids)[:3]) or 'none'}) is one of "
                             f"the bundled framework's; a CSV brings official text for those ids")
    if overlap >= len(imported_ids) / 2:
        return merge_official(base, imported), overlap, sorted(imported_ids - base_ids)
    return imported, len(imported_ids), []

