"""`cijobs export`: adverts in the export contract's shape as JSON lines, CSV or Parquet."""
from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb

import warehouse
from cijobs.errors import UserError
from warehouse.queries import EXPORT_ADVERT_COLUMNS
from warehouse.queries import export_adverts as advert_rows

EXPORT_KEYS = [*EXPORT_ADVERT_COLUMNS, "requirements"]


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
            con.register("export_frame", frame)
            try:
                con.execute(f"COPY export_frame TO '{_sql_path(output)}' (FORMAT parquet)")
            except duckdb.Error as exc:
                raise UserError(f"{output}: cannot write ({exc})") from exc
            return len(frame)
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


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _write_text(rows, fmt: str, stream) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=EXPORT_KEYS)
        writer.writeheader()
    for row in rows:
        if fmt == "jsonl":
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            writer.writerow({**row, "requirements": json.dumps(row["requirements"], ensure_ascii=False)})
        count += 1
    return count
