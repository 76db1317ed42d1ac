"""The DuckDB warehouse: the only package that talks to the database.

Adverts with their history, raw pages, requirements, the framework, matches and crawl runs.
"""
from warehouse.adverts import (
    Listing,
    LoadCounts,
    archive_pages,
    compress_page,
    decompress_page,
    known_listings,
    latest_raw_pages,
    load_adverts,
    record_parse_outcomes,
)
from warehouse.connection import default_path, open_read_only, open_warehouse
from warehouse.errors import WarehouseError
from warehouse.framework_store import current_framework_version, load_current_framework, store_framework
from warehouse.matches import pending_requirements, store_matches
from warehouse.publish import publish, published_path, readable_path
from warehouse.runs import (
    finish_refresh,
    finish_run,
    mark_interrupted_runs,
    previous_listing_counts,
    recent_refreshes,
    recent_runs,
    record_listing_counts,
    register_source,
    shrunk_listings,
    start_refresh,
    start_run,
)
from warehouse.transactions import transaction

__all__ = [
    "Listing", "LoadCounts", "WarehouseError", "archive_pages", "compress_page", "current_framework_version",
    "decompress_page", "default_path", "finish_refresh", "finish_run", "known_listings", "latest_raw_pages",
    "load_adverts", "load_current_framework", "mark_interrupted_runs", "open_read_only", "open_warehouse",
    "pending_requirements", "previous_listing_counts", "publish", "published_path", "readable_path",
    "recent_refreshes", "recent_runs", "record_listing_counts", "record_parse_outcomes", "register_source",
    "shrunk_listings", "start_refresh", "start_run", "store_framework",
    "store_matches", "transaction",
]
