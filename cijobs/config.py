"""``cijobs.toml``: which warehouse, which sources, and when to refresh. Every key is checked against the
schema below (pydantic): a misspelt key or a value of the wrong kind is a one-line error naming it.

    [warehouse]
    path = "data/cijobs.duckdb"

    [refresh]
    cron = "0 6 * * *"          # for `cijobs schedule`
    log_dir = "data/logs"       # one log file per refresh

    [figures]                   # what changes published figures (docs/operations.md)
    min_adverts = 10
    min_adverts_per_point = 10
    similar_title_score = 70
    repost_window_days = 42
    relevance_threshold = 1.0

    [matching]
    model = "data/model"        # a model `cijobs train` wrote, instead of the shipped one (default: shipped)

    [sources.nhsjobs]
    enabled = true
    base_url = "https://www.jobs.nhs.uk"
    delay = 1.0
    keywords = ["clinical informatics", "digital"]
    search_page_limit = 500     # discovery bounds: a search never followed past this page,
    max_listing_drop = 0.5      # and a listing that shrank by more than this share (of at least
    min_listing_for_drop = 5    # this many adverts) closes nothing

    [sources.jobposting]
    enabled = false
    base_url = "https://jobs.example.org"
    start_urls = ["https://jobs.example.org/vacancies"]

    [scrapyd]                   # refresh runs each source as a scrapyd job (docs/operations.md)
    urls = ["http://127.0.0.1:6800", "http://127.0.0.1:6801"]
    project = "cijobs"
    batch_dir = "/srv/cijobs/batches"   # shared by every scrapyd host and the warehouse's host
    timeout_minutes = 360
    poll_seconds = 5
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from cijobs.errors import UserError
from crawler.relevance import THRESHOLD as RELEVANCE_THRESHOLD
from crawler.sources import SOURCES
from matching.profile import SIMILAR_TITLE_SCORE
from matching.schemas import describe
from warehouse.adverts import REPOST_WINDOW_DAYS
from warehouse.connection import DEFAULT_PATH as DEFAULT_WAREHOUSE
from warehouse.small_numbers import MIN_ADVERTS

DEFAULT_CONFIG = Path("cijobs.toml")
HTTP_URL = Annotated[str, AfterValidator(lambda url: _http_url(url))]
NON_EMPTY = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _http_url(url: str) -> str:
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ValueError(f"{url!r} is not an http or https URL")
    return url


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class WarehouseSection(_Section):
    path: str = str(DEFAULT_WAREHOUSE)


class RefreshSection(_Section):
    cron: str | None = None
    log_dir: str | None = None


class FiguresSection(_Section):
    """Settings that change published figures (docs/operations.md lists them with their reasons)."""

    min_adverts: int = Field(default=MIN_ADVERTS, ge=1)  # a share on fewer adverts is not shown
    min_adverts_per_point: int = Field(default=MIN_ADVERTS, ge=1)  # a trend point on fewer is drawn open
    similar_title_score: int = Field(default=SIMILAR_TITLE_SCORE, ge=0, le=100)  # the profiler's peer adverts
    repost_window_days: int = Field(default=REPOST_WINDOW_DAYS, ge=0)  # re-posts linked within this window
    relevance_threshold: float = Field(default=RELEVANCE_THRESHOLD, ge=0)  # an informatics advert's least score

    def crawl_settings(self) -> dict[str, object]:
        """The crawler settings (crawler/settings.py) that carry the figures a crawl applies."""
        return {"CIJOBS_REPOST_WINDOW_DAYS": self.repost_window_days,
                "CIJOBS_RELEVANCE_THRESHOLD": self.relevance_threshold}


class MatchingSection(_Section):
    model: NON_EMPTY | None = None  # a model directory `cijobs train` wrote (relative to the working directory)


class SourceSection(_Section):
    enabled: bool = True
    base_url: HTTP_URL | None = None
    delay: float | None = Field(default=None, ge=0)
    keywords: list[NON_EMPTY] = []  # an empty keyword would crawl the whole board
    discovery: Literal["api", "html"] = "api"
    max_pages: int | None = Field(default=None, ge=1)
    start_urls: list[HTTP_URL] = []
    sitemap: HTTP_URL | None = None
    # discovery bounds (crawler/settings.py has the defaults)
    search_page_limit: int | None = Field(default=None, ge=1)
    max_listing_drop: float | None = Field(default=None, gt=0, le=1)
    min_listing_for_drop: int | None = Field(default=None, ge=1)


class ScrapydSection(_Section):
    """Crawls as scrapyd jobs that write batches to a shared folder, which `cijobs load` merges."""

    urls: list[HTTP_URL] = []  # refresh schedules each source on one of these, in turn; none: it crawls itself
    project: NON_EMPTY = "cijobs"  # the name the egg was deployed under (scrapy.cfg [deploy])
    batch_dir: NON_EMPTY  # a folder every scrapyd host writes to and the warehouse's host reads
    timeout_minutes: float = Field(default=360, gt=0)  # refresh cancels jobs still running after this
    poll_seconds: float = Field(default=5, gt=0)  # how often refresh asks the daemons about their jobs


class ConfigFile(_Section):
    warehouse: WarehouseSection = WarehouseSection()
    refresh: RefreshSection = RefreshSection()
    figures: FiguresSection = FiguresSection()
    matching: MatchingSection = MatchingSection()
    sources: dict[Literal[tuple(SOURCES)], SourceSection] = {}
    scrapyd: ScrapydSection | None = None


@dataclass
class SourceConfig:
    name: str
    enabled: bool = True
    base_url: str | None = None
    delay: float | None = None
    keywords: list[str] = field(default_factory=list)
    discovery: str = "api"
    max_pages: int | None = None
    start_urls: list[str] = field(default_factory=list)
    sitemap: str | None = None
    search_page_limit: int | None = None
    max_listing_drop: float | None = None
    min_listing_for_drop: int | None = None

    def crawler_settings(self, figures: FiguresSection | None = None) -> dict[str, object]:
        """The CIJOBS_ crawler settings this source's crawl runs with (its bounds and the figures a crawl applies)."""
        bounds = {"CIJOBS_SEARCH_PAGE_LIMIT": self.search_page_limit, "CIJOBS_MAX_LISTING_DROP": self.max_listing_drop,
                  "CIJOBS_MIN_LISTING_FOR_DROP": self.min_listing_for_drop,
                  **(figures or FiguresSection()).crawl_settings()}
        return {name: value for name, value in bounds.items() if value is not None}

    def spider_arguments(self) -> dict[str, str]:
        """The spider's arguments as a scrapyd job takes them: text, lists comma-separated (the spiders split them)."""
        for value in (*self.keywords, *self.start_urls):
            if "," in value:
                raise UserError(f"sources.{self.name}: {value!r} has a comma, which a scrapyd job's arguments "
                                "cannot carry (they are comma-separated)")
        arguments = {"base_url": self.base_url, "keywords": ",".join(self.keywords) or None,
                     "discovery": self.discovery if self.name == "nhsjobs" else None,
                     "max_pages": str(self.max_pages) if self.max_pages else None,
                     "start_urls": ",".join(self.start_urls) or None, "sitemap": self.sitemap}
        return {name: value for name, value in arguments.items() if value is not None}

    def crawl_arguments(self, figures: FiguresSection | None = None) -> list[str]:
        """The `cijobs crawl` command line for this source (with the figures a crawl applies)."""
        arguments = [self.name]
        for name, value in self.crawler_settings(figures).items():
            arguments += ["--set", f"{name}={value}"]
        if self.base_url:
            arguments += ["--base-url", self.base_url]
        if self.delay is not None:
            arguments += ["--delay", str(self.delay)]
        if self.max_pages:
            arguments += ["--max-pages", str(self.max_pages)]
        for keyword in self.keywords:
            arguments += ["--keyword", keyword]
        if self.name == "nhsjobs":
            arguments += ["--discovery", self.discovery]
        for url in self.start_urls:
            arguments += ["--start-url", url]
        if self.sitemap:
            arguments += ["--sitemap", self.sitemap]
        return arguments


@dataclass
class Config:
    path: Path | None
    warehouse: Path = DEFAULT_WAREHOUSE
    cron: str | None = None
    log_dir: Path | None = None
    sources: list[SourceConfig] = field(default_factory=lambda: [SourceConfig("nhsjobs")])
    figures: FiguresSection = field(default_factory=FiguresSection)
    model: Path | None = None  # the learned stage's model directory (None: the shipped one)
    scrapyd: ScrapydSection | None = None

    @property
    def dispatches(self) -> bool:
        """Whether refresh runs its crawls as scrapyd jobs rather than itself."""
        return bool(self.scrapyd and self.scrapyd.urls)

    @property
    def enabled_sources(self) -> list[SourceConfig]:
        return [source for source in self.sources if source.enabled]

    @property
    def logs(self) -> Path:
        return self.log_dir or self.warehouse.parent / "logs"


def load_config(path: Path | None, *, required: bool = False) -> Config:
    """The configuration at ``path`` (or ./cijobs.toml); the defaults when there is none and it is optional."""
    path = path or DEFAULT_CONFIG
    if not path.is_file():
        if required or path != DEFAULT_CONFIG:
            raise UserError(f"{path}: no configuration file here")
        return Config(path=None)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML ({exc})") from exc
    try:
        checked = ConfigFile.model_validate(raw)
    except ValidationError as exc:
        raise UserError(f"{path}: {describe(exc, raw)}") from None
    config = Config(path=path, warehouse=Path(checked.warehouse.path), cron=checked.refresh.cron,
                    log_dir=Path(checked.refresh.log_dir) if checked.refresh.log_dir else None,
                    sources=[SourceConfig(name, **section.model_dump()) for name, section in checked.sources.items()]
                    or [SourceConfig("nhsjobs")], figures=checked.figures,
                    model=Path(checked.matching.model) if checked.matching.model else None, scrapyd=checked.scrapyd)
    if config.cron:
        _validate_cron(path, config.cron)
    if "path" in raw.get("warehouse", {}):
        _check_writable(f"{path}: warehouse.path {str(config.warehouse)!r}", config.warehouse.parent)
    if config.scrapyd:
        _check_writable(f"{path}: scrapyd.batch_dir {config.scrapyd.batch_dir!r}", Path(config.scrapyd.batch_dir))
    if config.model:
        _check_model(f"{path}: matching.model {str(config.model)!r}", config.model)
    if config.log_dir:
        _check_writable(f"{path}: refresh.log_dir {str(config.log_dir)!r}", config.log_dir)
    for source in config.sources:
        if source.name == "jobposting" and source.enabled and not (source.base_url or source.start_urls
                                                                   or source.sitemap):
            raise UserError(f"{path}: sources.jobposting needs base_url, start_urls or sitemap")
    return config


def _check_writable(where: str, directory: Path) -> None:
    """A one-line error unless files can be created in ``directory`` (or in the folder that would hold it)."""
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"{where} cannot be written: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"{where} cannot be written: no permission to write in {existing}")


def _check_model(where: str, directory: Path) -> None:
    from matching.learned import MODEL_NAME

    if not all((directory / f"{MODEL_NAME}{suffix}").is_file() for suffix in (".json", ".npz")):
        raise UserError(f"{where} holds no model ({MODEL_NAME}.json and {MODEL_NAME}.npz; `cijobs train` writes them)")


def _validate_cron(path: Path, expression: str) -> None:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(expression)
    except ValueError as exc:
        raise UserError(f"{path}: refresh.cron {expression!r} is not a cron expression ({exc})") from exc
