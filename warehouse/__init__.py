"""The DuckDB warehouse: the only package that talks to the database.

Adverts with their history, raw pages, requirements, the framework, matches and crawl runs.

The names below are imported from their modules when first used (PEP 562), so a command that needs one
constant or the error class (``cijobs classify``, and each of its matching worker processes) does not pay for
importing pandas and every query module.
"""
from __future__ import annotations

import importlib

# Imported now: the function shares its module's name, and a lazy name would lose to the submodule, which the
# import system binds on the package whenever anything imports ``warehouse.publish`` first.
from warehouse.publish import publish as publish
from warehouse.publish import published_path as published_path
from warehouse.publish import readable_path as readable_path

_MODULE_OF = {
    "warehouse.adverts": ("Listing", "LoadCounts", "archive_pages", "compress_page", "decompress_page",
                          "known_listings", "latest_raw_pages", "load_adverts", "record_parse_outcomes"),
    "warehouse.connection": ("default_path", "open_read_only", "open_warehouse"),
    "warehouse.errors": ("WarehouseError",),
    "warehouse.framework_store": ("current_framework_version", "load_current_framework", "store_framework"),
    "warehouse.matches": ("pending_requirements", "store_matches"),
    "warehouse.runs": ("finish_refresh", "finish_run", "mark_interrupted_runs", "previous_listing_counts",
                       "recent_refreshes", "recent_runs", "record_listing_counts", "register_source",
                       "shrunk_listings", "start_refresh", "start_run"),
    "warehouse.transactions": ("transaction",),
}
_HOME = {name: module for module, names in _MODULE_OF.items() for name in names}
__all__ = sorted([*_HOME, "publish", "published_path", "readable_path"])


def __getattr__(name: str):
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'warehouse' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
