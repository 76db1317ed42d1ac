"""``cijobs.toml``: which warehouse, which sources, and when to refresh. Every key is checked.

    [warehouse]
    path = "data/cijobs.duckdb"

    [refresh]
    cron = "0 6 * * *"          # for `cijobs schedule`
    log_dir = "data/logs"       # one log file per refresh

    [sources.nhsjobs]
    enabled = true
    base_url = "https://www.jobs.nhs.uk"
    delay = 1.0
    keywords = ["clinical informatics", "digital"]

    [sources.jobposting]
    enabled = false
    base_url = "https://jobs.example.org"
    start_urls = ["https://jobs.example.org/vacancies"]
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cijobs.errors import UserError
from crawler.sources import SOURCES

DEFAULT_CONFIG = Path("cijobs.toml")
SOURCE_KEYS = {
    "enabled": bool, "base_url": str, "delay": (int, float), "keywords": list, "discovery": str,
    "max_pages": int, "start_urls": list, "sitemap": str,
}
SECTIONS = {"warehouse": {"path": str}, "refresh": {"cron": str, "log_dir": str}}


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

    def crawl_arguments(self) -> list[str]:
        """The `cijobs crawl` command line for this source."""
        arguments = [self.name]
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
    warehouse: Path = Path("data/cijobs.duckdb")
    cron: str | None = None
    log_dir: Path | None = None
    sources: list[SourceConfig] = field(default_factory=lambda: [SourceConfig("nhsjobs")])

    @property
    def enabled_sources(self) -> list[SourceConfig]:
        return [source for source in self.sources if source.enabled]

    @property
    def logs(self) -> Path:
        return self.log_dir or self.warehouse.parent / "logs"


def _check_type(where: str, value, expected) -> None:
    if expected is int and isinstance(value, bool) or not isinstance(value, expected):
        names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
        raise UserError(f"{where} must be {names}, not {value!r}")


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
    config = Config(path=path, sources=[])
    for section, content in raw.items():
        if not isinstance(content, dict):
            raise UserError(f"{path}: {section} must be a table ([{section}] with its keys below it), not {content!r}")
        if section == "sources":
            continue
        if section not in SECTIONS:
            raise UserError(f"{path}: unknown section [{section}] (known: {', '.join([*SECTIONS, 'sources'])})")
        for key, value in content.items():
            if key not in SECTIONS[section]:
                raise UserError(f"{path}: unknown key {section}.{key} (known: {', '.join(SECTIONS[section])})")
            _check_type(f"{path}: {section}.{key}", value, SECTIONS[section][key])
    config.warehouse = Path(raw.get("warehouse", {}).get("path", config.warehouse))
    config.cron = raw.get("refresh", {}).get("cron")
    if raw.get("refresh", {}).get("log_dir"):
        config.log_dir = Path(raw["refresh"]["log_dir"])
    if config.cron:
        _validate_cron(path, config.cron)
    if "path" in raw.get("warehouse", {}):
        _check_writable(f"{path}: warehouse.path {str(config.warehouse)!r}", config.warehouse.parent)
    if config.log_dir:
        _check_writable(f"{path}: refresh.log_dir {str(config.log_dir)!r}", config.log_dir)
    for name, content in (raw.get("sources") or {}).items():
        if name not in SOURCES:
            raise UserError(f"{path}: unknown source [sources.{name}] (known: {', '.join(SOURCES)})")
        if not isinstance(content, dict):
            raise UserError(f"{path}: sources.{name} must be a table ([sources.{name}]), not {content!r}")
        for key, value in content.items():
            if key not in SOURCE_KEYS:
                raise UserError(f"{path}: unknown key sources.{name}.{key} (known: {', '.join(SOURCE_KEYS)})")
            _check_type(f"{path}: sources.{name}.{key}", value, SOURCE_KEYS[key])
        source = SourceConfig(name, **content)
        if source.delay is not None and source.delay < 0:
            raise UserError(f"{path}: sources.{name}.delay must be zero or more seconds")
        if source.max_pages is not None and source.max_pages < 1:
            raise UserError(f"{path}: sources.{name}.max_pages must be at least 1, not {source.max_pages}")
        for keyword in source.keywords:
            if not isinstance(keyword, str) or not keyword.strip():
                raise UserError(f"{path}: sources.{name}.keywords must be non-empty strings, not {keyword!r} "
                                "(an empty keyword would crawl the whole board)")
        if source.discovery not in ("api", "html"):
            raise UserError(f"{path}: sources.{name}.discovery must be 'api' or 'html'")
        for url in filter(None, (source.base_url, source.sitemap, *(source.start_urls or []))):
            if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
                raise UserError(f"{path}: sources.{name}: {url!r} is not an http or https URL")
        if name == "jobposting" and source.enabled and not (source.base_url or source.start_urls or source.sitemap):
            raise UserError(f"{path}: sources.jobposting needs base_url, start_urls or sitemap")
        config.sources.append(source)
    if not config.sources:
        config.sources = [SourceConfig("nhsjobs")]
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


def _validate_cron(path: Path, expression: str) -> None:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(expression)
    except ValueError as exc:
        raise UserError(f"{path}: refresh.cron {expression!r} is not a cron expression ({exc})") from exc
