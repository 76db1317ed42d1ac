"""The competency framework as data: load, validate and describe it.

The default is the project's reconstruction of the FCI Core Competency Framework
(``matching/data/fci-core-competencies.yaml``). Every competency carries its provenance:
``seen`` (its content was read in a public source), ``inferred`` (reconstructed by this
project, never to be shown as official wording) or ``official`` (imported from the
official text).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from matching.schemas import FrameworkFile, describe

DEFAULT_FRAMEWORK = "fci-core-competencies.yaml"
FCI_NAME = "FCI Core Competency Framework (cijobs reconstruction)"
EXPECTED_SHAPE = {"domains": 6, "subdomains": 36, "competencies": 111}
PROVENANCE_VALUES = {"seen", "inferred", "official"}


class FrameworkError(ValueError):
    """The framework file cannot be read or is not well formed."""


@dataclass(frozen=True)
class Competency:
    id: str
    domain_id: str
    subdomain_id: str
    statement: str
    keywords: tuple[str, ...]
    confidence: str
    placement: str | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class Subdomain:
    id: str
    domain_id: str
    title: str
    title_confidence: str | None
    competencies: tuple[Competency, ...]


@dataclass(frozen=True)
class Domain:
    id: str
    title: str
    title_confidence: str | None
    description: str | None
    subdomains: tuple[Subdomain, ...]


@dataclass(frozen=True)
class Framework:
    name: str
    version: str
    source_file: str
    domains: tuple[Domain, ...]
    _by_id: dict[str, Competency] = field(default_factory=dict, compare=False, repr=False)

    @property
    def subdomains(self) -> list[Subdomain]:
        return [s for d in self.domains for s in d.subdomains]

    @property
    def competencies(self) -> list[Competency]:
        return [c for s in self.subdomains for c in s.competencies]

    def competency(self, competency_id: str) -> Competency:
        if not self._by_id:
            self._by_id.update({c.id: c for c in self.competencies})
        return self._by_id[competency_id]

    def domain_title(self, domain_id: str) -> str:
        return next(d.title for d in self.domains if d.id == domain_id)

    def provenance_counts(self) -> dict[str, int]:
        counts = {value: 0 for value in sorted(PROVENANCE_VALUES)}
        for competency in self.competencies:
            counts[competency.confidence] = counts.get(competency.confidence, 0) + 1
        return counts


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def parse_framework(raw: list, *, name: str, source_file: str, digest: str) -> Framework:
    """The framework in a file's parsed YAML (a list of domains), checked against its schema
    (``matching.schemas.FrameworkFile``: unknown keys and missing statements are errors naming the item)."""
    if not isinstance(raw, list) or not raw:
        raise FrameworkError(f"{source_file}: expected a list of domains at the top level")
    try:
        entries = FrameworkFile.model_validate({"domains": raw}).domains
    except ValidationError as exc:
        raise FrameworkError(f"{source_file}: {describe(exc, {'domains': raw})}") from None
    domains = []
    for d in entries:
        subdomains = []
        for s in d.subdomains:
            competencies = tuple(
                Competency(id=c.id, domain_id=d.id, subdomain_id=s.id, statement=_text(c.statement),
                           keywords=tuple(_text(k) for k in c.keywords), confidence=c.confidence,
                           placement=c.placement, evidence=c.evidence)
                for c in s.competencies
            )
            subdomains.append(Subdomain(s.id, d.id, _text(s.title), s.title_confidence, competencies))
        domains.append(Domain(d.id, _text(d.title), d.title_confidence, _text(d.description), tuple(subdomains)))
    return Framework(name=name, version=f"{Path(source_file).stem}@{digest[:10]}",
                     source_file=source_file, domains=tuple(domains))


def load_framework(path: Path | str | None = None) -> Framework:
    """Load a framework YAML file; the bundled reconstruction when no path is given."""
    if path is None:
        resource = resources.files("matching") / "data" / DEFAULT_FRAMEWORK
        data, source_file, name = resource.read_bytes(), DEFAULT_FRAMEWORK, FCI_NAME
    else:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FrameworkError(f"{path}: cannot read the framework file ({exc.strerror})") from exc
        source_file, name = str(path), path.stem
    try:
        raw = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{source_file}: not valid YAML ({exc})") from exc
    return parse_framework(raw, name=name, source_file=source_file, digest=hashlib.sha256(data).hexdigest())


_ID_PATTERNS = {
    "domain": re.compile(r"^[1-9]\d*$"),
    "subdomain": re.compile(r"^[1-9]\d*\.[1-9]\d*$"),
    "competency": re.compile(r"^[1-9]\d*\.[1-9]\d*\.[1-9]\d*$"),
}


def validate_framework(framework: Framework, expected: dict[str, int] | None = EXPECTED_SHAPE) -> list[str]:
    """Problems with the framework's shape and ids; an empty list means it is valid."""
    problems = []
    counts = {
        "domains": len(framework.domains),
        "subdomains": len(framework.subdomains),
        "competencies": len(framework.competencies),
    }
    for level, want in (expected or {}).items():
        if counts[level] != want:
            problems.append(f"expected {want} {level}, found {counts[level]}")
    seen: set[str] = set()
    for kind, items, parent_of in (
        ("domain", framework.domains, lambda item: None),
        ("subdomain", framework.subdomains, lambda item: item.domain_id),
        ("competency", framework.competencies, lambda item: item.subdomain_id),
    ):
        for item in items:
            if not _ID_PATTERNS[kind].match(item.id):
                problems.append(f"{kind} id {item.id!r} is not well formed")
            elif item.id in seen:
                problems.append(f"{kind} id {item.id} is not unique")
            parent = parent_of(item)
            if parent is not None and not item.id.startswith(parent + "."):
                problems.append(f"{kind} {item.id} is filed under {parent}")
            seen.add(item.id)
    for competency in framework.competencies:
        if not competency.statement:
            problems.append(f"competency {competency.id} has no statement")
        if competency.confidence not in PROVENANCE_VALUES:
            problems.append(f"competency {competency.id} has provenance {competency.confidence!r}")
        if not competency.keywords:
            problems.append(f"competency {competency.id} has no keywords to match on")
    return problems
