"""The sample board's content and search, independent of HTTP."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources

import yaml


def load_sample_adverts() -> list[dict]:
    text = (resources.files("cijobs.sample_site") / "adverts.yaml").read_text(encoding="utf-8")
    adverts = yaml.safe_load(text)
    for advert in adverts:
        for key in ("date_posted", "closing_date"):
            if isinstance(advert[key], str):
                advert[key] = date.fromisoformat(advert[key])
    return adverts


def _searchable_text(advert: dict) -> str:
    parts = [advert["title"], advert["employer"], *advert.get("job_summary", []), *advert.get("main_duties", []),
             *advert.get("responsibilities", [])]
    return " ".join(parts).lower()


@dataclass
class SampleBoard:
    adverts: list[dict]

    @classmethod
    def default(cls) -> SampleBoard:
        return cls(load_sample_adverts())

    def by_reference(self, reference: str) -> dict | None:
        return next((a for a in self.adverts if a["reference"] == reference), None)

    def search(self, keyword: str = "") -> list[dict]:
        """Adverts whose text contains the keyword (all when empty), newest first, like the live board."""
        needle = keyword.strip().lower()
        found = [a for a in self.adverts if not needle or needle in _searchable_text(a)]
        return sorted(found, key=lambda a: (a["date_posted"], a["reference"]), reverse=True)

    def search_references(self, keywords: list[str]) -> set[str]:
        return {a["reference"] for keyword in keywords for a in self.search(keyword)}
