"""Field-level parsing shared by the spiders: dates, salaries, bands."""
from __future__ import annotations

import re
from datetime import date, datetime

import dateparser

_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")
# £49,387 / £25.50 / £50k (thousands, as recruiters write them)
_MONEY = re.compile(r"£\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(k\b)?", re.I)
# The upper end of a range right after its lower end: "£30,000 to £35,000", "£10.50 - £15.00", "£13–17"
_RANGE_END = re.compile(r"\s*(?:-|–|—|to|and)\s*£?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(k\b)?", re.I)
_PERIODS = (
    ("hour", re.compile(r"\b(an?|per) hour\b|\bhourly\b|\bph\b", re.I)),
    ("day", re.compile(r"\b(a|per) day\b|\bdaily\b|\bper session\b", re.I)),
    ("week", re.compile(r"\b(a|per) week\b|\bweekly\b", re.I)),
    ("month", re.compile(r"\b(a|per) month\b|\bmonthly\b", re.I)),
    ("year", re.compile(r"\b(a|per) (year|annum)\b|\bp\.?a\.?\b|\bannual", re.I)),
)
# "Band 8a", "band 7", "AfC Band-6", "Band 5/6", "Bands 6 to 7" (a range gives its top band).
_BAND = re.compile(r"\bbands?\s*[-:]?\s*(\d(?:\s?[a-d])?)\b(?:\s*(?:/|-|–|to|or)\s*(?:band\s*)?(\d(?:\s?[a-d])?)\b)?",
                   re.I)
HOURLY_BELOW = 200  # an amount with no period under this is an hourly rate (£13.50), over it a yearly salary


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
    """(min, max, period) from '£49,387 to £56,515 a year'; (None, None, None) when no amount is given.

    The first amount, or the first range, is the pay: what follows is an extra or a restatement
    ("£15.40 per hour (plus £4,000 retention bonus)", "£15.65 per hour (£32,552 per annum)")."""
    if not text:
        return None, None, None
    first = _MONEY.search(text)
    if not first:
        return None, None, None
    amounts = [_amount(first)]
    if upper := _RANGE_END.match(text, first.end()):
        amounts.append(_amount(upper))
    period = next((name for name, pattern in _PERIODS if pattern.search(text)), None)
    return min(amounts), max(amounts), period or guess_period(max(amounts))


def _amount(match: re.Match) -> float:
    whole, pence, thousands = match.groups()
    return float(whole.replace(",", "") + ("." + pence if pence else "")) * (1000 if thousands else 1)


def guess_period(amount: float | None) -> str | None:
    """The period of an amount given without one: small amounts are hourly."""
    if amount is None:
        return None
    return "hour" if amount < HOURLY_BELOW else "year"


def normalise_band(text: str | None) -> str | None:
    """'band 8A' -> 'Band 8a' (the NHS's spelling), 'Band 5/6' -> 'Band 6'; None when the text names no
    Agenda for Change band."""
    if not text or not (match := _BAND.search(text)):
        return None
    bands = [b.replace(" ", "").lower() for b in match.groups() if b]
    return "Band " + max(bands)
