"""A role's competency profile: requirement lines (from ``crawler.parsers.saved_page`` or any other reader)
→ their competencies, and the share of requirement lines per domain and subdomain."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from matching.matcher import Matcher


def requirement_kind(requirement: dict) -> str:
    """How a profile table labels a line: its level, "duty", or nothing for unsectioned text."""
    return requirement.get("level") or ("duty" if requirement.get("section") == "duties" else "")


@dataclass
class Profile:
    requirements: list[dict]
    domains: list[dict]
    subdomains: list[dict]

    def as_dict(self) -> dict:
        return {"requirements": self.requirements, "domains": self.domains, "subdomains": self.subdomains}


def profile_requirements(requirements: list[dict], matcher: Matcher) -> Profile:
    """Match each requirement; a domain's share is the share of matched lines that touch it."""
    results = matcher.match_lines([r["text"] for r in requirements])
    framework = matcher.framework
    domain_lines: Counter[str] = Counter()
    subdomain_lines: Counter[str] = Counter()
    rows = []
    for requirement, found in zip(requirements, results):
        competencies = [{"id": m.competency_id, "score": m.score, "evidence": m.evidence} for m in found]
        domains = matcher.domains_of(found)
        subdomains = sorted({framework.competency(m.competency_id).subdomain_id for m in found})
        domain_lines.update(domains)
        subdomain_lines.update(subdomains)
        rows.append({**requirement, "competencies": competencies, "domains": domains})
    matched = sum(1 for r in rows if r["competencies"]) or 1
    domains = [{"id": d.id, "title": d.title, "lines": domain_lines[d.id], "share": domain_lines[d.id] / matched}
               for d in framework.domains]
    subdomains = [{"id": s.id, "title": s.title, "lines": subdomain_lines[s.id],
                   "share": subdomain_lines[s.id] / matched}
                  for s in framework.subdomains if subdomain_lines[s.id]]
    return Profile(rows, domains, subdomains)


# rapidfuzz token_set_ratio of two job titles ("Clinical Safety Officer" ~ "Lead Clinical Safety Officer")
SIMILAR_TITLE_SCORE = 70
MAX_PEERS = 200


def similar_titles(title: str, titles: list[str], min_score: int = SIMILAR_TITLE_SCORE) -> list[str]:
    """The titles (of informatics adverts in the warehouse) that resemble a job title, for comparing one
    advert with its peers."""
    from rapidfuzz import fuzz, process

    if not title.strip():
        return []
    return sorted(match for match, _score, _ in process.extract(
        title, titles, scorer=fuzz.token_set_ratio, score_cutoff=min_score, limit=MAX_PEERS))


def market_comparison(advert_competencies: set[str], peer_shares: dict[str, float], *, rare_below: float = 0.2,
                      common_from: float = 0.5) -> dict[str, list[tuple[str, float]]]:
    """What an advert asks that its peers rarely do, and what most peers ask that it omits.

    ``peer_shares``: competency id -> share of similar adverts needing it.
    """
    unusual = sorted(((c, peer_shares.get(c, 0.0)) for c in advert_competencies
                      if peer_shares.get(c, 0.0) < rare_below), key=lambda item: item[1])
    missing = sorted(((c, share) for c, share in peer_shares.items()
                      if share >= common_from and c not in advert_competencies), key=lambda item: -item[1])
    return {"unusual": unusual, "missing": missing}
