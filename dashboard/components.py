"""Pieces every page uses: colours, figure defaults, CSV download buttons, tables of plain text."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard import ids
from dashboard.context import figures
from warehouse.csv_cells import CSV_OPTIONS, safe_frame
from warehouse.filters import AdvertFilter

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
DOMAIN_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
ESSENTIAL_COLOUR, DESIRABLE_COLOUR = "#0072B2", "#56B4E9"
FIGURE_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def download_button(download_id: str, label: str = "Download CSV") -> html.Span:
    """A button and its dcc.Download; the page's callback fills it with exactly the data shown."""
    return html.Span([
        dbc.Button(label, id=ids.download_button(download_id), size="sm", color="secondary", outline=True,
                   className="ms-2"),
        dcc.Download(id=download_id),
    ])


def csv_payload(frame: pd.DataFrame, filename: str, flt: AdvertFilter | None, version: str) -> dict:
    """The CSV of exactly what a page shows, each row recording the filters it was made under and the data's
    version, so a download passed on later still says what it is."""
    recorded = frame.assign(filters=flt.describe() if flt is not None else "none (every run)", data_version=version)
    return dcc.send_data_frame(safe_frame(recorded).to_csv, filename, **CSV_OPTIONS)


def text_table(frame: pd.DataFrame, columns: dict[str, str], table_id: str, link_column: str | None = None,
               link_text_column: str | None = None) -> dbc.Table:
    """A plain HTML table: every cell is text (markup in an advert shows as text, never runs)."""
    header = html.Thead(html.Tr([html.Th(label) for label in columns.values()]))
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for column in columns:
            value = record.get(column)
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            if column == link_text_column and link_column and record.get(link_column):
                cells.append(html.Td(html.A(text, href=record[link_column], target="_blank", rel="noopener")))
            else:
                cells.append(html.Td(text))
        rows.append(html.Tr(cells))
    return dbc.Table([header, html.Tbody(rows)], id=table_id, size="sm", hover=True, responsive=True)


def percent(value: float) -> str:
    return f"{value:.0%}"


def share_text(row) -> str:
    """A share with its 95 % interval and the adverts it rests on, or why it is not shown (a row of a frame
    from ``warehouse.small_numbers.with_intervals``)."""
    if row.suppressed:
        adverts = f"{row.adverts} advert{'s' if row.adverts != 1 else ''}"
        return f"not shown: {adverts} (fewer than {figures().min_adverts})"
    return f"{row.share:.0%} ({row.share_low:.0%}-{row.share_high:.0%}, n={row.adverts})"
