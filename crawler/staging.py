"""A crawl's findings on disk until the run is loaded, so that a killed crawl can resume.

The stage lives in the crawl's JOBDIR. Every item is one JSON line, flushed as it is written,
so a process killed with SIGKILL loses at most the line being written; the next run of the
same crawl reads the stage back, does not fetch those adverts again, and loads everything once.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

KINDS = ("adverts", "pages", "listed", "withdrawn")


def _encode(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot stage {type(value).__name__}")


class CrawlStage:
    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._files = {kind: (self.directory / f"{kind}.jsonl").open("a", encoding="utf-8") for kind in KINDS}

    def _write(self, kind: str, record: dict) -> None:
        handle = self._files[kind]
        handle.write(json.dumps(record, default=_encode, ensure_ascii=False) + "\n")
        handle.flush()

    def add_advert(self, advert: dict) -> None:
        self._write("adverts", advert)

    def add_page(self, page: dict) -> None:
        self._write("pages", page)

    def add_listed(self, reference: str, discovery_hash: str | None, query: str | None = None) -> None:
        self._write("listed", {"reference": reference, "discovery_hash": discovery_hash, "query": query})

    def add_withdrawn(self, reference: str) -> None:
        self._write("withdrawn", {"reference": reference})

    def read(self, kind: str) -> list[dict]:
        """Every complete record of one kind; a line cut short by a kill is skipped."""
        return list(self.records(kind))

    def records(self, kind: str) -> Iterator[dict]:
        """The records of one kind one at a time (pages: so loading a crawl never holds them all at once)."""
        self._files[kind].flush()
        with (self.directory / f"{kind}.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:  # the last line of a crawl that was killed while writing it
                    continue

    def fetched_references(self) -> set[str]:
        """Adverts already fetched by an earlier, interrupted run of this crawl."""
        return {page["reference"] for page in self.read("pages") if page.get("reference")} | {
            record["reference"] for record in self.read("withdrawn")}

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()

    def discard(self) -> None:
        self.close()
        shutil.rmtree(self.directory, ignore_errors=True)
