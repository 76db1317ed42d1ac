"""`cijobs export`: adverts in the export contract's shape, or demand tables and trends as the dashboard
shows them (same filters, same queries), as JSON lines, CSV or Parquet."""
from __future__ import annotations

import csv
import dataclasses
import json
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb

import warehouse
from cijobs.errors import UserError
from warehouse import demand
from warehouse.csv_cells import frame_csv, safe_row
from warehouse.filters import AdvertFilter
from warehouse.queries import EXPORT_ADVERT_COLUMNS, write_parquet
from warehouse.queries import export_adverts as advert_rows
from warehouse.small_numbers import MIN_ADVERTS, suppress

EXPORT_KEYS = [*EXPORT_ADVERT_COLUMNS, "requirements"]


def _plain(value):
    """JSON for what pandas hands back: dates, and numpy numbers."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def export_adverts(db: Path, fmt: str, output: Path | None) -> int:
    if fmt == "parquet" and output is None:
        raise UserError("--format parquet needs --output FILE (it is a binary format)")
    if output is not None:
        _check_writable(output)
    con = warehouse.open_read_only(warehouse.readable_path(db))  # the published data, never a half-written run
    try:
        rows = ({key: _jsonable(row[key]) for key in EXPORT_KEYS} for row in advert_rows(con))
        if fmt == "parquet":
            import pandas as pd

            frame = pd.DataFrame(list(rows), columns=EXPORT_KEYS)
            frame["requirements"] = frame["requirements"].map(json.dumps)
            return _write_parquet(con, frame, output)
        try:
            stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
        except OSError as exc:
            raise UserError(f"{output}: cannot write ({exc.strerror})") from exc
        try:
            return _write_text(rows, fmt, stream)
        finally:
            if output:
                stream.close()
    finally:
        con.close()


def _check_writable(output: Path) -> None:
    """Refuse a path the export could not be written to before reading anything."""
    if output.is_dir():
        raise UserError(f"{output}: is a directory; give a file name")
    if not output.parent.is_dir():
        raise UserError(f"{output}: no such directory {output.parent}")


def _write_parquet(con: duckdb.DuckDBPyConnection, frame, output: Path) -> int:
    """The frame as a Parquet file; returns its rows."""
    try:
        return write_parquet(con, frame, output)
    except duckdb.Error as exc:
        raise UserError(f"{output}: cannot write ({exc})") from exc


def _write_text(rows, fmt: str, stream) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=EXPORT_KEYS)
        writer.writeheader()
    for row in rows:
        if fmt == "jsonl":
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            writer.writerow(safe_row({**row, "requirements": json.dumps(row["requirements"], ensure_ascii=False)}))
        count += 1
    return count


def demand_frame(con: duckdb.DuckDBPyConnection, flt: AdvertFilter, by: str):
    """Demand per domain, subdomain or competency under a filter: adverts needing it and their share."""
    import pandas as pd

    if by == "domain":
        return demand.domain_demand(con, flt)
    if by == "competency":
        return demand.competency_demand(con, flt, examples=True)
    frames = [demand.subdomain_demand(con, flt, domain_id).assign(domain_id=domain_id)
              for domain_id in demand.domains(con)["domain_id"]]
    return pd.concat(frames, ignore_index=True)


VALUES_LISTED = 12  # in the error for a filter value the warehouse does not have
FILTER_FIELDS = {"regions": ("region", "--region"), "bands": ("band", "--band"),
                 "role_families": ("role_family", "--role-family"), "employers": ("employer", "--employer"),
                 "sources": ("source", "--source")}


def known_values(con: duckdb.DuckDBPyConnection, flt: AdvertFilter) -> AdvertFilter:
    """The filter with each value spelled as the warehouse has it (case aside); a value it does not have is
    a UserError naming the ones it has, not an empty table."""
    options = demand.filter_options(con)
    resolved = {}
    for field, (option_key, flag) in FILTER_FIELDS.items():
        known = {value.casefold(): value for value in options[option_key]}
        unknown = [value for value in getattr(flt, field) if value.casefold() not in known]
        if unknown:
            values = options[option_key]
            listed = ", ".join(repr(v) for v in values[:VALUES_LISTED]) or "none"
            more = f" and {len(values) - VALUES_LISTED} more" if len(values) > VALUES_LISTED else ""
            raise UserError(f"{flag} {unknown[0]!r}: the warehouse has no such value (it has {listed}{more})")
        resolved[field] = tuple(known[value.casefold()] for value in getattr(flt, field))
    return dataclasses.replace(flt, **resolved)


def export_demand(db: Path, flt: AdvertFilter, what: str, fmt: str, output: Path | None, *, by: str = "domain",
                  period: str = "month", measure: str = "new", min_adverts: int = MIN_ADVERTS) -> int:
    """``what`` is "demand" (per ``by``) or "trend" (per ``period`` and domain); returns the rows written.
    Every share comes with the adverts it rests on and its 95 % interval; below ``min_adverts`` it is left
    out, with the reason; no adverts at all is an error, not a table of zeros."""
    if fmt == "parquet" and output is None:
        raise UserError("--format parquet needs --output FILE (it is a binary format)")
    if output is not None:
        _check_writable(output)
    con = warehouse.open_read_only(warehouse.readable_path(db))
    try:
        flt = known_values(con, flt)
        if what == "demand":
            frame = demand_frame(con, flt, by)
        else:
            frame = demand.domain_demand_over_time(con, flt, measure, period)
            frame["period"] = frame["period"].dt.date  # the period's first day, a date
        if frame.empty or not frame["adverts"].max():
            raise UserError(f"no adverts match these filters ({flt.describe()}): nothing to export")
        frame = suppress(frame, min_adverts)
        if fmt == "parquet":
            return _write_parquet(con, frame, output)
    finally:
        con.close()
    records = frame.to_dict("records")
    text = (frame_csv(frame) if fmt == "csv"
            else "".join(json.dumps(row, ensure_ascii=False, default=_plain) + "\n" for row in records))
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{output}: cannot write ({exc.strerror})") from exc
    return len(frame)
