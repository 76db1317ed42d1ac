"""CSV cells that a spreadsheet would run as formulas are neutralised, the way OWASP recommends: a text cell
that starts with =, +, -, @, a tab or a carriage return gets a leading single quote, so "=HYPERLINK(...)"
in an advert's title is shown, never evaluated. Numbers stay numbers. Every CSV cijobs writes (`cijobs
export`, the dashboard's downloads) goes through here."""
from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# RFC 4180 line ends: pandas then quotes a cell holding a carriage return, which it otherwise leaves bare.
CSV_OPTIONS = {"index": False, "lineterminator": "\r\n"}


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: dict) -> dict:
    return {key: safe_cell(value) for key, value in row.items()}


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    text_columns = [column for column in frame.columns
                    if pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(frame[column])]
    if not text_columns:
        return frame
    safe = frame.copy()
    for column in text_columns:
        safe[column] = safe[column].map(safe_cell)
    return safe


def frame_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text, formula cells neutralised."""
    return safe_frame(frame).to_csv(**CSV_OPTIONS)
