"""Scrapyd's job runner, without ``pkg_resources``: set ``runner = cijobs.scrapyd_runner`` in scrapyd.conf.

scrapyd 1.5's own runner (``scrapyd.runner``) imports ``pkg_resources``, which setuptools no longer ships from
version 81 (the lock pins 84); scrapyd 1.6 asks for setuptools < 81 instead. This runner does the same work: it
puts the project's deployed egg first on ``sys.path``, takes the Scrapy settings module from the egg's
``scrapy`` entry point, and runs the Scrapy command scrapyd gave (``crawl`` or ``list``). It imports nothing of
the crawler before the egg is in place, so the deployed code is the code that runs.
"""
from __future__ import annotations

import configparser
import os
import shutil
import sys
import tempfile
import zipfile
from contextlib import contextmanager

from scrapyd.config import Config
from scrapyd.exceptions import BadEggError
from scrapyd.utils import initialize_component


def activate_egg(path: str) -> None:
    """Import the project from the egg at ``path`` and point Scrapy at its settings."""
    try:
        with zipfile.ZipFile(path) as egg:
            entry_points = egg.read("EGG-INFO/entry_points.txt").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise BadEggError(f"{path}: not an egg with entry points ({exc})") from None
    parser = configparser.ConfigParser()
    parser.read_string(entry_points)
    if not parser.has_option("scrapy", "settings"):
        raise BadEggError(f"{path}: no [scrapy] settings entry point (pyproject.toml [project.entry-points.scrapy])")
    sys.path.insert(0, path)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", parser.get("scrapy", "settings").strip())


@contextmanager
def project_environment(project: str):
    """The project's egg (the version scrapyd was asked for, else its latest) active for the Scrapy command."""
    eggstorage = initialize_component(Config(), "eggstorage", "scrapyd.eggstorage.FilesystemEggStorage")
    version, egg = eggstorage.get(project, os.environ.get("SCRAPYD_EGG_VERSION"))
    copied = None
    if egg is not None:
        try:
            if hasattr(egg, "name"):
                activate_egg(egg.name)
            else:
                with tempfile.NamedTemporaryFile(suffix=".egg", prefix=f"{project}-{version}-", delete=False) as file:
                    shutil.copyfileobj(egg, file)
                copied = file.name
                activate_egg(copied)
        finally:
            egg.close()
    try:
        yield
    finally:
        if copied:
            os.remove(copied)


def main() -> None:
    with project_environment(os.environ["SCRAPY_PROJECT"]):
        from scrapy.cmdline import execute

        execute()


if __name__ == "__main__":
    main()
