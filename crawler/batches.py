"""Crawl batches: what a crawl that never opens the warehouse (a scrapyd job) leaves for `cijobs load`.

A batch is one folder in the shared batch folder, named ``<finished, UTC>-<source>-<batch id>`` so that names
sort in the order the crawls finished::

    manifest.json        format and version, the batch id, who wrote it (host, code), the crawl's outcome
                         (crawler/recording.py: verdict, counts, what its run records) and, per file, its
                         records, bytes and SHA-256
    adverts.jsonl.gz     the crawl's staged records (crawler/staging.py), one JSON object a line, gzip
    pages.jsonl.gz       raw advert pages, kept for re-parse also when the crawl failed
    listed.jsonl.gz      what discovery listed (reference, discovery hash, query)
    withdrawn.jsonl.gz

It is written under a dot-name and renamed into place once complete, so a reader never sees half a batch, and
it is checked whole against its manifest before any of it is loaded. Beside the batches the folder holds
``loaded/`` and ``rejected/`` (where `cijobs load` moves them) and ``known/<source>.json``, the warehouse's
listing fingerprints, so that a job does not fetch again an advert whose listing has not changed.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from crawler.recording import CrawlOutcome, Records
from crawler.staging import KINDS

FORMAT = "cijobs-crawl-batch"
VERSION = 1
MANIFEST = "manifest.json"
PARTIAL_PREFIX = ".partial-"
LOADED, REJECTED, KNOWN = "loaded", "rejected", "known"  # the shared folder's own subfolders
_CHUNK = 1 << 20


class BatchError(Exception):
    """A batch that cannot be loaded as it is: not a batch, damaged, or not what its manifest says."""


def batch_name(outcome: CrawlOutcome, batch_id: str) -> str:
    finished = outcome.finished_at.astimezone(UTC)
    return f"{finished:%Y%m%dT%H%M%S%fZ}-{outcome.source}-{batch_id}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_records(path: Path, records: Iterable[dict]) -> dict:
    count = 0
    with path.open("wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=5) as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
                count += 1
        raw.flush()
        os.fsync(raw.fileno())
    return {"name": path.name, "records": count, "bytes": path.stat().st_size, "sha256": _sha256(path)}


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def written_by() -> dict[str, str]:
    """Which host and which code (a deployed egg's path, under scrapyd) wrote a batch: for the operator."""
    import crawler

    return {"host": socket.gethostname(), "code": str(Path(crawler.__file__).parent)}


def write_batch(batch_dir: Path, batch_id: str, outcome: CrawlOutcome, records: Records) -> Path:
    """Write a finished crawl as a batch in ``batch_dir``, atomically; return its folder."""
    batch_dir = Path(batch_dir)
    final = batch_dir / batch_name(outcome, batch_id)
    partial = batch_dir / f"{PARTIAL_PREFIX}{final.name}"
    partial.mkdir(parents=True)
    files = {kind: _write_records(partial / f"{kind}.jsonl.gz", records(kind)) for kind in KINDS}
    manifest = {"format": FORMAT, "version": VERSION, "batch_id": batch_id, "written_by": written_by(),
                "outcome": outcome.as_dict(), "files": files}
    with (partial / MANIFEST).open("w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    _fsync_folder(partial)
    os.rename(partial, final)
    _fsync_folder(batch_dir)
    return final


@dataclass
class Batch:
    """A batch checked against its manifest; ``records(kind)`` reads one kind back, one record at a time."""

    path: Path
    batch_id: str
    outcome: CrawlOutcome
    files: dict[str, dict]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def bytes(self) -> int:
        return sum(entry["bytes"] for entry in self.files.values())

    def count(self, kind: str) -> int:
        return self.files[kind]["records"]

    def records(self, kind: str) -> Iterator[dict]:
        """Every record of one kind; BatchError when one is not a JSON object or the count is not the manifest's
        (raised inside the load, so its transaction rolls back)."""
        entry, count = self.files[kind], 0
        try:
            with gzip.open(self.path / entry["name"], "rt", encoding="utf-8") as handle:
                for count, line in enumerate(handle, start=1):
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise BatchError(f"{entry['name']} line {count}: not a JSON object")
                    yield record
        except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BatchError(f"{entry['name']} line {count + 1}: unreadable ({exc})") from exc
        if count != entry["records"]:
            raise BatchError(f"{entry['name']}: {count} records, the manifest says {entry['records']}")


def open_batch(path: Path) -> Batch:
    """The batch in folder ``path``, its manifest read and every file checked against it (size and SHA-256)."""
    if not path.is_dir():
        raise BatchError("not a batch folder")
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BatchError(f"no {MANIFEST}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BatchError(f"{MANIFEST} unreadable ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BatchError(f"{MANIFEST} does not describe a {FORMAT}")
    if manifest.get("version") != VERSION:
        raise BatchError(f"batch format version {manifest.get('version')!r}; this cijobs reads version {VERSION}")
    try:
        batch_id, files = manifest["batch_id"], manifest["files"]
        outcome = CrawlOutcome.from_dict(manifest["outcome"])
        if not isinstance(batch_id, str) or not batch_id or set(files) != set(KINDS):
            raise ValueError("a batch id and one file per kind are needed")
        for kind in KINDS:
            _check_file(path, files[kind])
    except (KeyError, TypeError, ValueError) as exc:
        raise BatchError(f"{MANIFEST} malformed ({type(exc).__name__}: {exc})") from None
    return Batch(path, batch_id, outcome, files)


def _check_file(folder: Path, entry: dict) -> None:
    name = entry["name"]
    if not isinstance(name, str) or Path(name).name != name:
        raise ValueError(f"file name {name!r}")
    file = folder / name
    if not file.is_file():
        raise BatchError(f"{name} is missing")
    if file.stat().st_size != entry["bytes"] or _sha256(file) != entry["sha256"]:
        raise BatchError(f"{name} is not the file the manifest describes (size or SHA-256 differ): damaged or "
                         "cut short")
    if not isinstance(entry["records"], int):
        raise ValueError(f"{name}: records must be a whole number")


def pending_batches(batch_dir: Path) -> tuple[list[Path], list[Path]]:
    """(what waits to be loaded, in name order; batches still being written)."""
    waiting, partial = [], []
    if not batch_dir.is_dir():
        return waiting, partial
    for entry in sorted(batch_dir.iterdir()):
        if entry.name.startswith(PARTIAL_PREFIX):
            partial.append(entry)
        elif not entry.name.startswith(".") and entry.name not in (LOADED, REJECTED, KNOWN):
            waiting.append(entry)
    return waiting, partial


def _known_path(batch_dir: Path, source: str) -> Path:
    return Path(batch_dir) / KNOWN / f"{source}.json"


def write_known_listings(batch_dir: Path, source: str, listings: dict[str, str]) -> None:
    """The warehouse's listing fingerprints of ``source`` (reference -> discovery hash), for the jobs to read."""
    path = _known_path(batch_dir, source)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{PARTIAL_PREFIX}{path.name}")
    partial.write_text(json.dumps(listings, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def read_known_listings(batch_dir: Path, source: str) -> dict[str, str]:
    """What the last load left for ``source``; {} when nothing was left (every listed advert is fetched)."""
    try:
        listings = json.loads(_known_path(batch_dir, source).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BatchError(f"{_known_path(batch_dir, source)}: unreadable ({exc})") from None
    if not isinstance(listings, dict):
        raise BatchError(f"{_known_path(batch_dir, source)}: not a reference -> fingerprint object")
    return listings
