"""Units of the crawler that decide what is stored: the relevance flag, dates, waiting on Retry-After."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crawler.middlewares import retry_after_seconds
from crawler.parsers.fields import parse_date
from crawler.relevance import informatics_score, is_informatics


@pytest.mark.parametrize("title, text, informatics", [
    ("Clinical Informatics Lead", "", True),
    ("Senior Data Analyst", "", True),
    ("EPR Trainer", "", True),
    ("Staff Nurse", "", False),
    ("Data Entry Clerk", "Use of SQL and Power BI", False),   # a title naming a non-informatics role
    ("Digital Marketing Officer", "", False),
    ("Project Manager", "Lead the EPR implementation and clinical systems roll-out", True),  # tipped by the text
    ("Project Manager", "Deliver the new estates strategy", False),
    ("Healthcare Assistant", "Record observations on the EPR", False),  # one text term is not enough
])
def test_the_relevance_flag_reads_the_title_first_and_lets_the_text_tip_a_generic_title(title, text, informatics):
    assert is_informatics(informatics_score(title, text)) is informatics


def test_the_relevance_threshold_is_a_setting():
    score = informatics_score("Project Manager", "Lead the EPR implementation and clinical systems roll-out")
    assert is_informatics(score) and not is_informatics(score, threshold=score + 0.01)


@pytest.mark.parametrize("text, expected", [
    ("The closing date is 01 September 2026", date(2026, 9, 1)),
    ("2026-09-16T15:15:34.9388", date(2026, 9, 16)),
    ("Date posted: 3 March 2025", date(2025, 3, 3)),
    ("05/04/2026", date(2026, 4, 5)),           # British order: 5 April, not May 4
    ("31 February 2026", None),                 # no such day: no date, not a guess
    ("2026-13-01", None),
    ("as soon as possible", None),
    ("", None),
    (None, None),
])
def test_dates_are_read_in_british_order_and_an_impossible_date_is_none(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("header, expected", [
    (b"120", 120.0),
    ("  30 ", 30.0),
    (b"Wed, 02 Dec 2026 10:01:00 GMT", 60.0),  # an HTTP date a minute ahead
    (b"Wed, 02 Dec 2026 09:00:00 GMT", 0.0),   # a date in the past: no wait, not a negative one
    (b"soon", None),
    (b"", None),
    (None, None),
])
def test_retry_after_is_read_as_seconds_or_an_http_date(header, expected):
    now = datetime(2026, 12, 2, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(header, now=now) == expected


def _dies_in_a_worker(value: int) -> int:
    import multiprocessing
    import os

    if multiprocessing.parent_process() is not None:
        os._exit(3)  # a worker killed mid-page (out of memory, a crash in lxml)
    return value * 2


def test_a_page_whose_worker_dies_is_worked_in_the_crawl_s_process_and_the_next_gets_a_new_worker():
    import asyncio

    from crawler.page_work import PageWorkers

    workers = PageWorkers(1)

    async def two_pages():
        return await workers.run(_dies_in_a_worker, 2), await workers.run(pow, 2, 5)

    try:
        assert asyncio.run(two_pages()) == (4, 32)
    finally:
        workers.close()
