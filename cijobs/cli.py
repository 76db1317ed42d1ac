"""The `cijobs` command: crawl, import, refresh, load, schedule, reparse, match, serve, demo, export, status,
framework, profile, eval, classify, train."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import duckdb

from cijobs import commands
from cijobs.errors import UserError
from crawler.sources import SOURCES
from matching.framework import FrameworkError
from matching.learned import ModelError
from warehouse.connection import DEFAULT_PATH as DEFAULT_WAREHOUSE
from warehouse.errors import WarehouseError


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line, not a usage block."""

    def error(self, message: str):  # noqa: D401
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _add_db(parser: argparse.ArgumentParser, top: bool = False) -> None:
    """--db and --config, accepted before the command or after it."""
    parser.add_argument(
        "--db", type=Path, default=None if top else argparse.SUPPRESS, metavar="PATH",
        help=f"warehouse file (default: $CIJOBS_DB, else the configuration's warehouse.path, else {DEFAULT_WAREHOUSE})",
    )
    parser.add_argument(
        "--config", type=Path, default=None if top else argparse.SUPPRESS, metavar="FILE",
        help="configuration file: sources, schedule, and the settings that change figures (default ./cijobs.toml "
             "if present; see docs/operations.md)",
    )


def _iso_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> Parser:
    parser = Parser(prog="cijobs", description=__doc__)
    _add_db(parser, top=True)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")

    crawl = sub.add_parser("crawl", help="crawl a source into the warehouse")
    crawl.add_argument("source", choices=sorted(SOURCES), help="which source to crawl")
    crawl.add_argument("--base-url", help="crawl this host instead of the live site (a mirror or test server)")
    crawl.add_argument("--delay", type=float, help="seconds between requests to a host (default 1.0)")
    crawl.add_argument("--max-pages", type=int, help="at most this many search pages per keyword")
    crawl.add_argument("--page-limit", type=int, metavar="N",
                       help="never follow a search past N pages, whatever total the site claims (default 500); "
                            "reaching it is a discovery error")
    crawl.add_argument("--keyword", action="append", dest="keywords", metavar="TEXT",
                       help="search for this instead of the default informatics keywords (repeatable)")
    crawl.add_argument("--discovery", choices=["api", "html"], default="api",
                       help="find adverts through the XML search API (default) or the HTML search pages")
    crawl.add_argument("--refetch", action="store_true",
                       help="fetch every listed advert page, also those whose listing has not changed")
    crawl.add_argument("--start-url", action="append", dest="start_urls", metavar="URL",
                       help="jobposting: start from this page (repeatable)")
    crawl.add_argument("--sitemap", metavar="URL", help="jobposting: read advert URLs from this sitemap")
    crawl.add_argument("--set", action="append", dest="settings", default=[], metavar="NAME=VALUE",
                       help="a crawler setting of crawler/settings.py named CIJOBS_..., e.g. "
                            "CIJOBS_MAX_LISTING_DROP=0.3 (repeatable; `cijobs refresh` passes cijobs.toml's this way)")
    crawl.add_argument("--no-publish", action="store_true",
                       help="load into the warehouse but do not publish it to the dashboard yet (refresh does)")
    _add_db(crawl)

    importing = sub.add_parser("import", help="load a saved corpus of schema.org JobPosting records (JSON lines, .gz "
                                              "too) as a source of its own, then match and publish")
    importing.add_argument("kind", choices=["jobposting"], help="what the file holds")
    importing.add_argument("path", type=Path, metavar="FILE", help="one JobPosting JSON object a line")
    importing.add_argument("--source", default="jobposting-import", metavar="NAME",
                           help="the source name the adverts are stored under (default jobposting-import)")
    importing.add_argument("--no-publish", action="store_true", help="load and match, but do not publish yet")
    _add_db(importing)

    refresh = sub.add_parser("refresh", help="crawl every enabled source, match and publish, as one run")
    _add_db(refresh)

    load = sub.add_parser("load", help="merge the crawl batches scrapyd jobs wrote into the warehouse (each once), "
                                       "then match and publish")
    load.add_argument("--batch-dir", type=Path, metavar="DIR",
                      help="the shared batch folder (default: scrapyd.batch_dir in the configuration)")
    _add_db(load)

    schedule = sub.add_parser("schedule", help="run refresh on a cron schedule, in the foreground")
    schedule.add_argument("--cron", help='cron expression, e.g. "0 6 * * *" (default: refresh.cron in the config)')
    schedule.add_argument("--run-now", action="store_true", help="also refresh once straight away")
    schedule.add_argument("--max-runs", type=int, metavar="N", help="stop after N refreshes")
    _add_db(schedule)

    reparse = sub.add_parser("reparse", help="re-run the parsers over archived pages (no network) and update adverts")
    reparse.add_argument("source", choices=sorted(SOURCES), help="whose archived pages to re-parse")
    _add_db(reparse)

    match = sub.add_parser("match", help="map requirement lines onto the competency framework")
    match.add_argument("--rematch", action="store_true", help="recompute every match, not only new lines")
    _add_db(match)

    serve = sub.add_parser("serve", help="serve the dashboard")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    serve.add_argument("--allow-no-auth", action="store_true",
                       help="serve on a non-loopback --host without basic auth (a warning is printed)")
    _add_db(serve)

    demo = sub.add_parser("demo", help="offline demo: serve the sample board, crawl it, match, serve the dashboard")
    demo.add_argument("--host", default="127.0.0.1", help="dashboard interface (default 127.0.0.1)")
    demo.add_argument("--port", type=int, default=8050, help="dashboard port (default 8050)")
    demo.add_argument("--allow-no-auth", action="store_true",
                      help="serve on a non-loopback --host without basic auth (a warning is printed)")
    demo.add_argument("--no-serve", action="store_true", help="build the demo warehouse and stop")
    _add_db(demo)

    export = sub.add_parser("export", help="export adverts, or demand and its trend as the dashboard shows them")
    export.add_argument("what", choices=["adverts", "demand", "trend"],
                        help="adverts (every field and requirement), demand (adverts needing each domain, subdomain "
                             "or competency) or trend (per month or quarter and domain)")
    export.add_argument("--format", choices=["jsonl", "csv", "parquet"], default="jsonl")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    export.add_argument("--by", choices=["domain", "subdomain", "competency"], default="domain",
                        help="demand: per what (default domain)")
    export.add_argument("--period", choices=["month", "quarter"], default="month", help="trend: per what")
    export.add_argument("--min-adverts", type=int, metavar="N",
                        help="demand and trend: leave out shares resting on fewer than N adverts (default: "
                             "figures.min_adverts of the configuration, 10)")
    export.add_argument("--measure", choices=["new", "stock"], default="new",
                        help="trend: adverts posted in the period (new) or open in it (stock)")
    filters = export.add_argument_group("demand and trend filters (as on the dashboard)")
    filters.add_argument("--from", dest="date_from", type=_iso_date, metavar="YYYY-MM-DD", help="posted on or after")
    filters.add_argument("--to", dest="date_to", type=_iso_date, metavar="YYYY-MM-DD", help="posted on or before")
    for option, help_text in (("region", "region (repeat for several)"), ("band", "band, e.g. 'Band 7'"),
                              ("role-family", "role family"), ("employer", "employer name"),
                              ("source", "source (nhsjobs, jobposting)")):
        filters.add_argument(f"--{option}", action="append", default=[], metavar="VALUE", help=help_text)
    filters.add_argument("--level", choices=["any", "essential", "desirable"], default="any",
                         help="which requirement lines count as demand (default any)")
    filters.add_argument("--all-adverts", action="store_true", help="not only informatics adverts")
    _add_db(export)

    status = sub.add_parser("status", help="recent runs, data freshness, next scheduled refresh, warehouse size")
    _add_db(status)

    framework = sub.add_parser("framework", help="show, validate or import the competency framework")
    framework.add_argument("action", choices=["show", "validate", "import"],
                           help="import FILE: official statements (CSV id,domain,subdomain,statement or YAML) "
                                "replace the reconstructed ones in the warehouse, ids kept")
    framework.add_argument("path", nargs="?", type=Path, help="the file to import (import only)")
    framework.add_argument("--file", type=Path, help="show/validate this framework YAML (default: the bundled one)")
    _add_db(framework)

    profile = sub.add_parser("profile", help="competency profile of one advert (text or saved HTML page)")
    profile.add_argument("file", help="advert file, or - for standard input")
    profile.add_argument("--json", action="store_true", help="JSON instead of a table")
    profile.add_argument("--title", help="the advert's job title: compare it with informatics adverts in the warehouse "
                                         "whose titles resemble it")
    _add_db(profile)

    evaluate = sub.add_parser("eval", help="score the matcher on labelled requirement lines")
    evaluate.add_argument("--gold", type=Path, default=None,
                          help="labelled lines: JSON lines with text and competencies, or a .csv with those "
                               "columns (ids separated by ';') (default tests/data/requirements_gold.jsonl)")
    evaluate.add_argument("--json", action="store_true", help="the figures as JSON instead of a report")
    evaluate.add_argument("--split", choices=["all", "tune", "holdout"], default="all",
                          help="score every line (default), or the half used for tuning, or the held-out half")
    evaluate.add_argument("--record", type=Path, metavar="FILE",
                          help="also write the figures to FILE (the regression test compares against it)")

    classify = sub.add_parser("classify", help="requirement lines on stdin -> one JSON object per line on stdout")
    classify.add_argument("--top", type=int, default=None, metavar="K", help="at most K competencies per line")

    training = sub.add_parser("train", help="retrain the learned matching stage on your own labelled lines")
    training.add_argument("--gold", type=Path, action="append", metavar="FILE",
                          help="labelled lines as `eval --gold` reads them; a row's advert_id (or advert, group) "
                               "keeps an advert's lines together (repeatable)")
    training.add_argument("--from-warehouse", action="store_true",
                          help="also the lines reviewed on the dashboard (<warehouse>.labels.jsonl)")
    training.add_argument("--out", type=Path, metavar="DIR",
                          help="where to write the model (default: model/ beside the warehouse)")
    training.add_argument("--force", action="store_true",
                          help="write the model even when it scores below the current matcher on validation")
    _add_db(training)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler = getattr(commands, f"cmd_{args.command}")
    try:
        return handler(args) or 0
    except UserError as exc:
        print(f"cijobs {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (WarehouseError, FrameworkError, ModelError) as exc:
        print(f"cijobs {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except duckdb.Error as exc:  # a warehouse damaged past its header (a truncated copy, a full disk)
        print(f"cijobs {args.command}: error: the warehouse cannot be read ({str(exc).splitlines()[0]}); it may be "
              "damaged: restore it or rebuild it with `cijobs refresh`", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"cijobs {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
