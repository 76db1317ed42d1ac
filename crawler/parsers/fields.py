"""Field-level parsing shared by the spiders: dates, salaries, bands."""
from __future__ import annotations

import re
from datetime import date, datetime

import dateparser

_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")
# £49,387 / £25.50 / £50k (thousands, as recruiters write them)
_MONEY = re.compile(r"£\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(k\b)?", re.I)
_PERIODS = (
    ("hour", re.compile(r"\b(an?|per) hour\b|\bhourly\b|\bph\b", re.I)),
    ("day", re.compile(r"\b(a|per) day\b|\bdaily\b|\bper session\b", re.I)),
    ("week", re.compile(r"\b(a|per) week\b|\bweekly\b", re.I)),
    ("month", re.compile(r"\b(a|per) month\b|\bmonthly\b", re.I)),
    ("year", re.compile(r"\b(a|per) (year|annum)\b|\bp\.?a\.?\b|\bannual", re.I)),
)
_BAND = re.compile(r"\bband\s*(\d(?:\s*[a-d])?)\b", re.I)


def parse_date(text: str | None) -> date | None:
    """A date from text such as 'The closing date is 01 September 2026' or '2026-09-16T15:15:34.9388'."""
    if not text:
        return None
    if match := _ISO_DATE.search(text):
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            return None
    if match := _DAY_MONTH_YEAR.search(text):
        try:
            return datetime.strptime(" ".join(match.groups()), "%d %B %Y").date()
        except ValueError:
            pass
    parsed = dateparser.parse(text, languages=["en"], settings={"DATE_ORDER": "DMY", "STRICT_PARSING": True})
    return parsed.date() if parsed else None


def parse_salary(text: str | None) -> tuple[float | None, float | None, str | None]:
    """(min, max, period) from '£49,387 to £56,515 a year'; (None, None, None) when no amount is given."""
    if not text:
        return None, None, None
    amounts = [float(whole.replace(",", "") + ("." + pence if pence else "")) * (1000 if thousands else 1)
               for whole, pence, thousands in _MONEY.findall(text)]
    if not amounts:
        return None, None, None
    period = next((name for name, pattern in _PERIODS if pattern.search(text)), None)
    if period is None:
        period = "hour" if max(amounts) < 200 else "year"
    return min(amounts), max(amounts), period


def normalise_band(text: str | None) -> str | None:
    """'Band 8a' -> 'Band 8A'; None when the text names no Agenda for Change band."""
    if not text or not (match := _BAND.search(text)):
        return None
    return "Band " + match.group(1).replace(" ", "").upper()
