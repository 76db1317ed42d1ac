"""`cijobs refresh` on scrapyd: each enabled source a scrapyd job, spread over the configured daemons in turn.

Every job writes its run as a batch to the shared batch folder (``CIJOBS_BATCH_DIR``) and never opens the
warehouse. Refresh waits for the jobs (``listjobs.json``), checks that each left its batch, and only then loads
them (cijobs/loading.py). A daemon that cannot be reached, a job that ends without a batch or runs past the
timeout is one clear error; the warehouse is then left as it was (jobs still running are cancelled, and what
finished stays in the folder for the next load).
"""
from __future__ import annotations

import base64
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from cijobs.config import FiguresSection, ScrapydSection, SourceConfig
from cijobs.errors import UserError
from crawler.politeness import delay_settings

logger = logging.getLogger("cijobs.scrapyd")
HTTP_TIMEOUT = 30
PROGRESS_EVERY = 60  # seconds between progress lines while nothing changes


class ScrapydError(UserError):
    """A daemon that cannot be reached or refuses, or a job that did not leave its batch."""


class Scrapyd:
    """One scrapyd daemon's JSON API (user:password@ in its URL for basic auth)."""

    def __init__(self, url: str, project: str):
        parts = urllib.parse.urlsplit(url.rstrip("/"))
        self.url, self.project, self._auth = parts.geturl(), project, None
        if parts.username:  # sent as a header, and never shown in a message
            self.url = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
            token = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            self._auth = "Basic " + base64.b64encode(token.encode()).decode()

    def call(self, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
        """GET (no ``data``) or POST one endpoint; its JSON answer, or ScrapydError with scrapyd's own message."""
        url = f"{self.url}/{endpoint}"
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        if data is None and endpoint != "daemonstatus.json":
            url += "?" + urllib.parse.urlencode({"project": self.project})
        request = urllib.request.Request(url, data=body, headers={"Authorization": self._auth} if self._auth else {})
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise ScrapydError(f"scrapyd at {self.url} answered {endpoint} with HTTP {exc.code} ({exc.reason})"
                               + ("; check the user and password in scrapyd.urls" if exc.code == 401 else "")) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ScrapydError(f"scrapyd at {self.url} cannot be reached ({reason}): is it running, and is its URL "
                               "in scrapyd.urls right?") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ScrapydError(f"scrapyd at {self.url} answered {endpoint} with something not JSON: is it "
                               "scrapyd?") from None
        if answer.get("status") != "ok":
            message = str(answer.get("message", answer)).strip().splitlines()[-1]
            hint = ("; deploy it first (scrapyd-deploy, see docs/operations.md)" if "not found" in message else "")
            raise ScrapydError(f"scrapyd at {self.url} refused {endpoint}: {message}{hint}")
        return answer

    def jobs(self) -> dict[str, tuple[str, dict]]:
        """job id -> (pending | running | finished, what scrapyd says of it)."""
        answer = self.call("listjobs.json")
        return {job["id"]: (state, job) for state in ("pending", "running", "finished")
                for job in answer.get(state, [])}


@dataclass
class Job:
    source: str
    daemon: Scrapyd
    job_id: str  # also the id of the batch the job writes
    state: str = "scheduled"
    log_url: str | None = None
    unseen: int = 0  # polls in a row in which its daemon listed it nowhere


def job_parameters(source: SourceConfig, figures: FiguresSection, batch_dir: Path) -> list[tuple[str, str]]:
    """schedule.json's fields besides project, spider and jobid: the crawl's settings and the spider's arguments."""
    settings = {**source.crawler_settings(figures), **delay_settings(source.delay),
                "CIJOBS_BATCH_DIR": str(Path(batch_dir).resolve())}
    return [*(("setting", f"{name}={value}") for name, value in settings.items()),
            *source.spider_arguments().items()]


def run_jobs(section: ScrapydSection, sources: list[SourceConfig], figures: FiguresSection) -> list[Job]:
    """Schedule one job per source, wait until all have finished, and check each left its batch."""
    daemons = [Scrapyd(url, section.project) for url in section.urls]
    for daemon in daemons:  # every daemon answers before any job starts
        daemon.call("daemonstatus.json")
    batch_dir = Path(section.batch_dir).resolve()
    batch_dir.mkdir(parents=True, exist_ok=True)
    parameters = [job_parameters(source, figures, batch_dir) for source in sources]  # all valid before any starts
    jobs: list[Job] = []
    try:
        for number, (source, fields) in enumerate(zip(sources, parameters)):
            job = Job(source.name, daemons[number % len(daemons)], uuid.uuid4().hex)
            job.daemon.call("schedule.json", [("project", section.project), ("spider", source.name),
                                              ("jobid", job.job_id), *fields])
            jobs.append(job)
            logger.info("scheduled %s on %s as job %s", source.name, job.daemon.url, job.job_id)
        _wait(jobs, section)
    except BaseException:
        _cancel([job for job in jobs if job.state != "finished"], section.project)
        raise
    _check_batches(jobs, batch_dir)
    return jobs


def _wait(jobs: list[Job], section: ScrapydSection) -> None:
    started = time.monotonic()
    last_said, last_progress = None, started
    while True:
        for daemon in {id(job.daemon): job.daemon for job in jobs if job.state != "finished"}.values():
            listed = daemon.jobs()
            for job in (job for job in jobs if job.daemon is daemon and job.state != "finished"):
                state, details = listed.get(job.job_id, (None, {}))
                job.unseen = 0 if state else job.unseen + 1
                job.state = state or ("finished" if job.unseen >= 2 else job.state)  # gone: its daemon restarted
                log_url = details.get("log_url")
                job.log_url = (daemon.url + log_url if log_url and log_url.startswith("/") else log_url) or job.log_url
        elapsed = time.monotonic() - started
        tally = {state: sum(job.state == state for job in jobs) for state in ("pending", "running", "finished")}
        progress = ", ".join(f"{count} {state}" for state, count in tally.items())
        if progress != last_said or time.monotonic() - last_progress >= PROGRESS_EVERY:
            logger.info("scrapyd jobs after %.0fs: %s", elapsed, progress)
            last_said, last_progress = progress, time.monotonic()
        if tally["finished"] == len(jobs):
            return
        if elapsed > section.timeout_minutes * 60:
            late = [job for job in jobs if job.state != "finished"]
            raise ScrapydError(f"{len(late)} scrapyd job(s) not finished after {section.timeout_minutes:g} minutes "
                               f"({', '.join(job.source for job in late)}): cancelled; raise scrapyd.timeout_minutes "
                               "if crawls take this long")
        time.sleep(section.poll_seconds)


def _cancel(jobs: list[Job], project: str) -> None:
    for job in jobs:
        try:
            job.daemon.call("cancel.json", [("project", project), ("job", job.job_id)])
            logger.warning("cancelled scrapyd job %s (%s) on %s", job.job_id, job.source, job.daemon.url)
        except ScrapydError as exc:
            logger.error("could not cancel scrapyd job %s (%s): %s", job.job_id, job.source, exc)


def _check_batches(jobs: list[Job], batch_dir: Path) -> None:
    missing = [job for job in jobs if not any(batch_dir.glob(f"*-{job.job_id}"))]
    for job in missing:
        logger.error("scrapyd job %s (%s) on %s finished without writing a batch; its log: %s", job.job_id,
                     job.source, job.daemon.url, job.log_url)
    if missing:
        first = missing[0]
        raise ScrapydError(f"{len(missing)} scrapyd job(s) finished without writing a batch to {batch_dir}, "
                           f"first {first.source} on {first.daemon.url} (log {first.log_url}); nothing was loaded")
