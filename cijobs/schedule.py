"""`cijobs schedule`: run refresh on a cron expression in the foreground, with APScheduler.

Missed runs (the machine slept, a refresh overran) are coalesced into one and logged;
overlapping runs cannot happen (one job instance, and the writer lock across processes).
"""
from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from cijobs.config import Config
from cijobs.errors import UserError
from cijobs.refresh import refresh

logger = logging.getLogger("cijobs.schedule")
MISFIRE_GRACE_SECONDS = 6 * 3600  # a run missed by less than this still happens (once) when we can


def next_run(cron: str) -> datetime:
    return CronTrigger.from_crontab(cron).get_next_fire_time(None, datetime.now().astimezone())


def run_schedule(config: Config, cron: str, *, run_now: bool = False, max_runs: int | None = None) -> int:
    """Block, refreshing on ``cron``; returns after ``max_runs`` refreshes when given."""
    scheduler = BlockingScheduler(job_defaults={"coalesce": True, "max_instances": 1,
                                                "misfire_grace_time": MISFIRE_GRACE_SECONDS})
    runs = {"done": 0, "failed": 0}

    def job():
        try:
            result = refresh(config)
            logger.info("scheduled refresh %s in %.1fs: %s", result.status, result.seconds, "; ".join(result.lines))
            runs["failed"] += not result.ok
        except UserError as exc:
            logger.warning("scheduled refresh skipped: %s", exc)
            runs["failed"] += 1
        runs["done"] += 1
        if max_runs and runs["done"] >= max_runs:
            scheduler.shutdown(wait=False)

    def on_event(event):
        if event.code == EVENT_JOB_MISSED:
            logger.warning("missed the refresh due at %s (coalesced into the next run)", event.scheduled_run_time)
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            logger.warning("a refresh was due while the previous one was still running; skipped")
        elif event.code == EVENT_JOB_ERROR:
            logger.error("refresh raised %s", event.exception)
        else:
            job_ = scheduler.get_job("refresh")
            if job_ and job_.next_run_time:
                logger.info("next refresh at %s", job_.next_run_time)

    scheduler.add_listener(on_event, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR | EVENT_JOB_EXECUTED)
    trigger = CronTrigger.from_crontab(cron)
    job_ = scheduler.add_job(job, trigger, id="refresh", name="cijobs refresh")
    if run_now:
        job_.modify(next_run_time=datetime.now().astimezone())
    logger.info("scheduling refresh of %s on '%s'; first run at %s", config.warehouse, cron,
                job_.next_run_time if run_now else next_run(cron))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        logger.info("scheduler stopped")
    return 1 if runs["failed"] else 0
