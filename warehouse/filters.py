"""The dashboard's shared filters, turned into a parameterised WHERE clause over ``advert_facts``.

User input only ever reaches DuckDB as parameters, never as SQL text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LEVELS = ("any", "essential", "desirable")


@dataclass(frozen=True)
class AdvertFilter:
    date_from: date | None = None
    date_to: date | None = None
    regions: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    role_families: tuple[str, ...] = ()
    employers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    informatics_only: bool = True
    level: str = "any"  # which requirement lines count as demand: any, essential or desirable

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {self.level!r}")

    def where(self, alias: str = "f") -> tuple[str, list]:
        """SQL condition on ``advert_facts`` (aliased ``alias``) and its parameters."""
        clauses, params = [f"{alias}.duplicate_of IS NULL"], []
        if self.informatics_only:
            clauses.append(f"{alias}.is_informatics")
        if self.date_from:
            clauses.append(f"{alias}.date_posted >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append(f"{alias}.date_posted <= ?")
            params.append(self.date_to)
        for column, values in (("region", self.regions), ("band", self.bands), ("role_family", self.role_families),
                               ("employer", self.employers), ("source", self.sources)):
            if values:
                clauses.append(f"list_contains(?, {alias}.{column})")
                params.append(list(values))
        return " AND ".join(clauses), params

    def describe(self) -> str:
        """The filter in words, as pages and error messages say it."""
        parts = ["informatics adverts" if self.informatics_only else "all adverts"]
        if self.date_from or self.date_to:
            parts.append(f"posted {self.date_from or '…'} to {self.date_to or '…'}")
        for label, values in (("region", self.regions), ("band", self.bands), ("role family", self.role_families),
                              ("employer", self.employers), ("source", self.sources)):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        if self.level != "any":
            parts.append(f"{self.level} criteria only")
        return "; ".join(parts)

    def level_condition(self, column: str = "level") -> str:
        """Which requirement lines count, as SQL on a level column (no user text in it)."""
        return {"any": "TRUE", "essential": f"{column} = 'essential'",
                "desirable": f"{column} = 'desirable'"}[self.level]
