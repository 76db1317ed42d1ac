"""Schemas of the files a user edits: matcher settings (``matcher.yaml``) and framework files (YAML).

Unknown keys are refused, so a misspelt setting is an error rather than a default quietly taken; every
error is one line naming the key (``describe``). ``cijobs.toml`` is checked the same way
(``cijobs.config``).
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

SCORER_NAMES = ("partial_ratio", "token_set_ratio", "ratio")  # matching.matcher.SCORERS
Id = Annotated[str, BeforeValidator(lambda value: str(value) if isinstance(value, (int, float)) else value)]
Score = Annotated[float, Field(ge=0, le=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class MatcherSettings(Strict):
    """matching/data/matcher.yaml (documented there, key by key)."""

    version: str
    scorer: Literal[SCORER_NAMES]
    threshold: Score
    top_k: int = Field(ge=1)
    short_phrase_chars: int = Field(ge=0)
    min_line_chars: int = Field(ge=0)
    stem_threshold: Score | None = None
    word_suffix_chars: int | None = Field(default=None, ge=0)
    fallback_min_words: int | None = Field(default=None, ge=1)
    fallback_min_weight: float = Field(default=0.0, ge=0)
    fallback_min_share: Score = 0.0  # per cent
    fallback_ignore_words: list[str] = []
    abbreviations: dict[str, str] = {}


class CompetencyEntry(Strict):
    id: Id
    statement: str = Field(min_length=1)
    keywords: list[str] = []
    confidence: Literal["seen", "inferred", "official"] = "inferred"
    placement: str | None = None
    evidence: str | None = None
    source: str | None = None
    note: str | None = None
    fedip_title: str | None = None
    fedip_category: str | None = None


class SubdomainEntry(Strict):
    id: Id
    title: str = ""
    title_confidence: str | None = None
    competencies: list[CompetencyEntry] = Field(min_length=1)


class DomainEntry(Strict):
    id: Id
    title: str = ""
    title_confidence: str | None = None
    title_source: str | None = None
    description: str | None = None
    description_confidence: str | None = None
    note: str | None = None
    subdomains: list[SubdomainEntry] = Field(min_length=1)


class FrameworkFile(BaseModel):
    domains: list[DomainEntry] = Field(min_length=1)


KINDS = {"domains": "domain", "subdomains": "subdomain", "competencies": "competency"}


def describe(exc: ValidationError, data=None) -> str:
    """The first problem as one line naming the key (and, in a framework, the item by its id), with a count of
    the rest: "competency 1.3.2: statment is not a known key (misspelt?)"."""
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")  # a misspelling before its "missing"
    error = errors[0]
    loc = error["loc"]
    if loc and loc[-1] == "[key]":  # a name that is not allowed there ([sources.monster])
        item, key = _place(loc[:-1], data)
        what = f"{key} is not a known name ({error['msg'][0].lower()}{error['msg'][1:]})"
    else:
        item, key = _place(loc, data)
        key = key or "the value"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            what = f"{key} is not a known key (misspelt?)"
        elif error["type"] == "missing":
            what = f"{key} is missing"
        elif error["type"] in ("model_type", "dict_type"):
            what = f"{key} must be a table of keys ([{key}] with its keys below it), not {error.get('input')!r}"
        elif error["type"] == "value_error":
            what = f"{key}: {message}"
        else:
            what = f"{key}: {message[0].lower()}{message[1:]}, not {error.get('input')!r}"
    more = len(errors) - 1
    return (f"{item}: " if item else "") + what + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")


def _place(loc: tuple, data) -> tuple[str, str]:
    """(the innermost framework item by its id, "competency 1.3.2", or ""; the dotted key within it)."""
    item, keys, node, kind = "", [], data, None
    for step in loc:
        if isinstance(step, int):
            child = node[step] if isinstance(node, list) and step < len(node) else None
            if kind in KINDS.values():
                name = child.get("id") if isinstance(child, dict) else None
                item, keys = f"{kind} {name if name is not None else f'number {step + 1}'}", []
            else:
                keys[-1:] = [f"{keys[-1]}[{step}]" if keys else f"[{step}]"]
        else:
            child = node.get(step) if isinstance(node, dict) else None
            kind = KINDS.get(step)
            keys.append(str(step))
        node = child
    return item, ".".join(keys)
