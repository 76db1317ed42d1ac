"""One function per `cijobs` subcommand; each returns the process exit code."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from cijobs.errors import UserError
from warehouse.connection import DEMO_PATH as DEFAULT_DEMO_DB

logger = logging.getLogger("cijobs")


def _db(args: argparse.Namespace) -> Path:
    """--db, else $CIJOBS_DB, else the configuration's warehouse.path, else the default."""
    return _config(args).warehouse


def _crawl(source: str, db: Path, publish: bool = True, **options) -> int:
    from cijobs.locking import WriterLock
    from crawler.run import run_crawl

    with WriterLock(db, f"crawl of {source}"):
        result = run_crawl(source, db, **options)
        print(result.summary())
        if not result.ok:
            raise UserError(f"crawl of {source} failed: {result.message}")
        if publish:
            _publish(db)
    return 0


def _config(args: argparse.Namespace):
    """The configuration (--config, else ./cijobs.toml when present, else the defaults), with --db (or
    $CIJOBS_DB) taking precedence over its warehouse path."""
    import os

    from cijobs.config import load_config

    config = load_config(getattr(args, "config", None))
    if args.db:
        config.warehouse = Path(args.db)
    elif os.environ.get("CIJOBS_DB"):
        config.warehouse = Path(os.environ["CIJOBS_DB"])
    _use_configured_model(config)
    return config


def _use_configured_model(config) -> None:
    """cijobs.toml's matching.model, unless $CIJOBS_MODEL_DIR names one, becomes $CIJOBS_MODEL_DIR: every matcher
    built from here on uses it (worker processes and the dashboard's profiler too)."""
    import os

    from matching.learned import MODEL_DIR_VARIABLE

    if config.model and not os.environ.get(MODEL_DIR_VARIABLE, "").strip():
        os.environ[MODEL_DIR_VARIABLE] = str(config.model.resolve())


def cmd_refresh(args: argparse.Namespace) -> int:
    from cijobs.refresh import refresh

    result = refresh(_config(args))
    for line in result.lines:
        print(line)
    print(f"refresh {result.status} in {result.seconds:.1f}s; log {result.log_file}")
    if not result.ok:
        raise UserError(f"refresh failed: {result.message}; the dashboard still shows the last published data")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from cijobs.loading import load_batches
    from cijobs.locking import WriterLock
    from cijobs.refresh import match_and_publish
    from crawler.batches import BatchError

    config = _config(args)
    batch_dir = args.batch_dir or (Path(config.scrapyd.batch_dir) if config.scrapyd else None)
    if batch_dir is None:
        raise UserError("no batch folder: give --batch-dir DIR or set scrapyd.batch_dir in cijobs.toml", 2)
    with WriterLock(config.warehouse, "load"):
        try:
            report = load_batches(config.warehouse, batch_dir)
        except BatchError as exc:
            raise UserError(str(exc)) from None
        for line in report.lines():
            print(line)
        if not report.ok:
            raise UserError(f"{report.problem()}; not published: the dashboard still shows the last published data")
        if any(batch.status == "succeeded" for batch in report.batches):
            print(match_and_publish(config.warehouse))
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from cijobs.schedule import run_schedule

    if args.max_runs is not None and args.max_runs < 1:
        raise UserError(f"--max-runs must be at least 1, not {args.max_runs}", 2)
    config = _config(args)
    cron = args.cron or config.cron
    if not cron:
        raise UserError("no schedule: give --cron \"0 6 * * *\" or set refresh.cron in cijobs.toml", 2)
    from cijobs.config import _validate_cron

    _validate_cron(Path("--cron"), cron)
    return run_schedule(config, cron, run_now=args.run_now, max_runs=args.max_runs)


def _publish(db: Path) -> None:
    """Make the warehouse's new state what the dashboard reads (atomically)."""
    import warehouse

    logger.info("published %s", warehouse.publish(db))


def cmd_crawl(args: argparse.Namespace) -> int:
    if args.delay is not None and args.delay < 0:
        raise UserError("--delay must be zero or more seconds", 2)
    if args.max_pages is not None and args.max_pages < 1:
        raise UserError("--max-pages must be at least 1", 2)
    if args.page_limit is not None and args.page_limit < 1:
        raise UserError("--page-limit must be at least 1", 2)
    if args.source == "jobposting" and not args.base_url:
        raise UserError("crawl jobposting needs --base-url URL (the job board whose sitemap or pages to read)", 2)
    settings = _crawler_settings(args.settings)
    if args.page_limit:
        settings["CIJOBS_SEARCH_PAGE_LIMIT"] = args.page_limit
    staged = "CIJOBS_BATCH_DIR" in settings  # a batch for `cijobs load`: the warehouse is not touched
    return _crawl(args.source, _db(args), publish=not (args.no_publish or staged), base_url=args.base_url,
                  delay=args.delay, max_pages=args.max_pages, keywords=args.keywords, discovery=args.discovery,
                  refetch=args.refetch, start_urls=args.start_urls, sitemap=args.sitemap,
                  extra_settings=settings or None)


def _crawler_settings(pairs: list[str]) -> dict[str, object]:
    """``--set NAME=VALUE`` pairs as crawler settings, each a CIJOBS_ setting of crawler/settings.py, its value of
    the default's type."""
    from crawler import settings as defaults

    chosen = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        default = getattr(defaults, name, None) if name.startswith("CIJOBS_") else None
        if default is None or not value or name == "CIJOBS_DB":
            known = ", ".join(n for n in dir(defaults) if n.startswith("CIJOBS_") and n != "CIJOBS_DB")
            raise UserError(f"--set {pair!r}: give NAME=VALUE with one of {known}", 2)
        try:
            chosen[name] = type(default)(value)
        except ValueError:
            raise UserError(f"--set {pair!r}: {name} takes a {type(default).__name__}", 2) from None
    return chosen


def cmd_import(args: argparse.Namespace) -> int:
    import re

    from cijobs.importing import import_jobposting
    from cijobs.locking import WriterLock
    from cijobs.matching_job import match_warehouse
    from crawler.sources import SOURCES

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{1,40}", args.source):
        raise UserError(f"--source {args.source!r}: use lower-case letters, digits, '-' and '_'", 2)
    if args.source in SOURCES:
        raise UserError(f"--source {args.source}: that name belongs to a crawled source; choose another", 2)
    db = _db(args)
    with WriterLock(db, "import"):
        print(import_jobposting(args.path, db, args.source, _config(args).figures).summary())
        print(match_warehouse(db).summary())
        if not args.no_publish:
            _publish(db)
    return 0


def cmd_reparse(args: argparse.Namespace) -> int:
    from cijobs.locking import WriterLock
    from crawler.reparse import reparse_archive

    with WriterLock(_db(args), "reparse"):
        figures = _config(args).figures
        print(reparse_archive(_db(args), args.source, relevance_threshold=figures.relevance_threshold,
                              repost_window_days=figures.repost_window_days).summary())
        _publish(_db(args))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from matching.evaluate import DEFAULT_GOLD, evaluate, load_gold, report, split_gold
    from matching.framework import load_framework
    from matching.learned import build_matcher

    _config(args)  # matching.model
    gold_path = args.gold or DEFAULT_GOLD
    if not gold_path.is_file():
        raise UserError(f"{gold_path}: no labelled lines here (pass --gold FILE)")
    try:
        gold = split_gold(load_gold(gold_path), args.split)
        framework = load_framework()
        matcher = build_matcher(framework)
        evaluation = evaluate(matcher, gold)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(str(exc)) from exc
    figures = {**evaluation.as_dict(), "gold": gold_path.name, "split": args.split,
               "matcher_version": matcher.version, "framework_version": framework.version}
    if args.record:
        args.record.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2) if args.json else report(evaluation, framework))
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    from cijobs.locking import WriterLock
    from cijobs.matching_job import match_warehouse

    with WriterLock(_db(args), "match"):
        print(match_warehouse(_db(args), rematch=args.rematch).summary())
        _publish(_db(args))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import duckdb

    import warehouse
    from dashboard.app import create_app, unreadable_message
    from dashboard.auth import AuthSettingsError, credentials, is_loopback
    from dashboard.data import query

    if not 1 <= args.port <= 65535:
        raise UserError(f"--port {args.port}: a port is a number from 1 to 65535", 2)
    try:
        auth_on = credentials() is not None
    except AuthSettingsError as exc:
        raise UserError(str(exc), 2) from exc
    if not auth_on and not is_loopback(args.host):
        if not args.allow_no_auth:
            raise UserError(f"--host {args.host} serves the dashboard beyond this machine without a password: set "
                            "CIJOBS_DASHBOARD_USER and CIJOBS_DASHBOARD_PASSWORD, or pass --allow-no-auth", 2)
        print(f"warning: serving on {args.host} with no authentication (--allow-no-auth)", file=sys.stderr)
    db = _db(args)
    _upgrade_published_snapshot(db)
    # Fail now, clearly, not on the first page: the warehouse opens and answers what every page asks first.
    warehouse.open_read_only(warehouse.readable_path(db)).close()
    try:
        query("filter_options", db)
    except duckdb.Error as exc:
        raise UserError(unreadable_message(exc)) from exc
    # Reviewing writes a labels file: only where the dashboard is not open to all (loopback, or basic auth).
    app = create_app(db, _config(args).figures, review=auth_on or is_loopback(args.host))
    print(f"cijobs dashboard on http://{args.host}:{args.port}/ (warehouse {warehouse.readable_path(db)}); "
          "Ctrl+C to stop")
    app.run(host=args.host, port=args.port, debug=False)
    return 0


def _upgrade_published_snapshot(db: Path) -> None:
    """After a cijobs upgrade the published snapshot still has the old schema: publish the (upgraded)
    warehouse again, once, rather than serve nothing."""
    import warehouse
    from cijobs.locking import WriterLock

    snapshot = warehouse.published_path(db)
    if not (snapshot.is_file() and db.is_file()):
        return
    try:
        warehouse.open_read_only(snapshot).close()
    except warehouse.WarehouseError as exc:
        if "older than this cijobs" not in str(exc):
            raise
        with WriterLock(db, "publishing the upgraded warehouse"):
            warehouse.open_warehouse(db, create=False).close()
            print(f"the published snapshot had an older schema: published {warehouse.publish(db)} again")


def cmd_demo(args: argparse.Namespace) -> int:
    from cijobs.locking import WriterLock
    from cijobs.matching_job import match_warehouse

    _config(args)  # matching.model
    db = Path(args.db) if args.db else DEFAULT_DEMO_DB
    # The board stays up while the dashboard runs, so the adverts' links work; on the port after the
    # dashboard's when it is free, so links stored by an earlier demo keep working too.
    with _sample_board(args.port + 1) as site:
        print(f"sample board (fictional adverts) on {site.url}")
        _crawl("nhsjobs", db, base_url=site.url, delay=0, log_level="WARNING")
        with WriterLock(db, "demo matching"):
            print(match_warehouse(db).summary())
            _publish(db)
        if args.no_serve:
            return 0
        args.db = db
        print(f"later commands read this warehouse with --db {db}, e.g. `cijobs status --db {db}`")
        return cmd_serve(args)


def _sample_board(port: int):
    from cijobs.sample_site import SampleSiteServer

    try:
        return SampleSiteServer(port=port if 0 < port < 65536 else 0)
    except OSError:  # the port is taken: any free one
        return SampleSiteServer()


def cmd_export(args: argparse.Namespace) -> int:
    from cijobs.exporting import export_adverts, export_demand
    from warehouse.filters import AdvertFilter

    filters = (("--from", args.date_from), ("--to", args.date_to), ("--region", args.region), ("--band", args.band),
               ("--role-family", args.role_family), ("--employer", args.employer), ("--source", args.source),
               ("--level", args.level != "any"), ("--all-adverts", args.all_adverts))
    filtered = [flag for flag, value in filters if value]
    if args.what == "adverts" and filtered:
        raise UserError(f"{filtered[0]} filters demand and trend; `cijobs export adverts` writes every advert")
    if args.what == "adverts":
        count, unit = export_adverts(_db(args), args.format, args.output), "adverts"
    else:
        flt = AdvertFilter(date_from=args.date_from, date_to=args.date_to, regions=tuple(args.region),
                           bands=tuple(args.band), role_families=tuple(args.role_family),
                           employers=tuple(args.employer), sources=tuple(args.source),
                           informatics_only=not args.all_adverts, level=args.level)
        min_adverts = _config(args).figures.min_adverts if args.min_adverts is None else args.min_adverts
        if min_adverts < 1:
            raise UserError("--min-adverts must be at least 1", 2)
        count = export_demand(_db(args), flt, args.what, args.format, args.output, by=args.by, period=args.period,
                              measure=args.measure, min_adverts=min_adverts)
        unit = f"{args.by} rows" if args.what == "demand" else f"{args.period} x domain rows"
    if args.output:
        print(f"wrote {count} {unit} to {args.output}", file=sys.stderr)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from datetime import datetime

    import warehouse
    from warehouse.batch_ledger import batch_summary
    from warehouse.queries import headline_figures

    config = _config(args)
    db = config.warehouse
    note = ""
    try:
        con = warehouse.open_warehouse(db, create=False)
    except warehouse.WarehouseError as exc:
        if "in use" not in str(exc) or not warehouse.published_path(db).is_file():
            raise
        con = warehouse.open_read_only(warehouse.published_path(db))
        note = " (a crawl or refresh is writing it now: showing the last published state)"
    try:
        figures = headline_figures(con)
        runs = warehouse.recent_runs(con, 10)
        refreshes = warehouse.recent_refreshes(con, 3)
        batches = batch_summary(con)
        framework = warehouse.current_framework_version(con) or "not loaded (run cijobs match)"
    finally:
        con.close()
    snapshot = warehouse.published_path(db)
    published = (f"published {datetime.fromtimestamp(snapshot.stat().st_mtime):%Y-%m-%d %H:%M}"
                 if snapshot.is_file() else "never published")
    print(f"warehouse {db} ({db.stat().st_size / 1e6:.1f} MB, {published}){note}, framework {framework}")
    posted = (f", posted {figures['first_posted']} to {figures['last_posted']}" if figures["first_posted"]
              else "; no adverts yet (run cijobs refresh, or cijobs demo for the offline sample)")
    print(f"adverts {figures['adverts']} (informatics {figures['informatics_adverts']}), employers "
          f"{figures['employers']}{posted}")
    if last_seen := figures["last_seen"]:
        age = datetime.now() - last_seen
        print(f"data freshness: adverts last seen {last_seen:%Y-%m-%d %H:%M} ({age.days} days "
              f"{age.seconds // 3600} hours ago)")
    if config.cron:
        from cijobs.schedule import next_run

        print(f"next scheduled refresh: {next_run(config.cron):%Y-%m-%d %H:%M %Z} (cron '{config.cron}' in "
              f"{config.path})")
    else:
        print("no refresh schedule configured (refresh.cron in cijobs.toml)")
    for run in refreshes:
        print(f"refresh #{run['refresh_id']} {run['started_at']:%Y-%m-%d %H:%M} {run['status']}"
              f"{' and published' if run['published'] else ''}: new {run['adverts_new']}, updated "
              f"{run['adverts_updated']}, closed {run['adverts_closed']}; log {run['log_file']}"
              + (f" - {run['message']}" if run["message"] else ""))
    if batches["loaded"] or batches["rejected"]:
        print(f"crawl batches (cijobs load): {batches['loaded']} loaded"
              + (f", last {batches['last_loaded']:%Y-%m-%d %H:%M}" if batches["last_loaded"] else "")
              + f"; {batches['rejected']} rejected"
              + (" (last {0}: {2})".format(*batches["last_rejected"]) if batches["last_rejected"] else ""))
    print("recent crawl runs:")
    for run in runs:
        print(f"  #{run['run_id']} {run['source']} {run['started_at']:%Y-%m-%d %H:%M} {run['status']}: "
              f"adverts {run['adverts_seen']} (new {run['adverts_new']}, updated {run['adverts_updated']}, "
              f"closed {run['adverts_closed']}), parse errors {run['parse_errors']}, "
              f"HTTP errors {run['responses_error']}, advert pages failed {run.get('pages_failed') or 0}, "
              f"discovery errors {run['discovery_errors']} (unreadable advert links {run['links_unreadable']})"
              + (f" - {run['message']}" if run["message"] else ""))
    if not runs:
        print("  none yet")
    return 0


def _import_framework(args: argparse.Namespace) -> int:
    import warehouse
    from matching.framework import validate_framework
    from matching.framework_import import import_framework

    if args.path is None:
        raise UserError("framework import needs a FILE (CSV id,domain,subdomain,statement or the project's YAML)", 2)
    if not args.path.is_file():
        raise UserError(f"{args.path}: no such file")
    framework, official, unknown = import_framework(args.path)
    problems = [p for p in validate_framework(framework, expected=None) if "no keywords" not in p]
    if problems:
        raise UserError(f"{args.path}: {len(problems)} problem(s), first: {problems[0]}")
    from cijobs.locking import WriterLock

    with WriterLock(_db(args), "framework import"):
        con = warehouse.open_warehouse(_db(args))
        try:
            warehouse.store_framework(con, framework)
        finally:
            con.close()
        _publish(_db(args))
    print(f"{framework.name} [{framework.version}] is now the current framework: {official} statements imported "
          "as official" + (f"; ids not in the bundled framework ignored: {', '.join(unknown)}" if unknown else ""))
    print("run `cijobs match` to map requirements onto it (matches of earlier versions are kept)")
    return 0


def cmd_framework(args: argparse.Namespace) -> int:
    from matching.framework import load_framework, validate_framework

    if args.action == "import":
        return _import_framework(args)
    framework = load_framework(args.file or args.path)
    if args.action == "validate":
        problems = validate_framework(framework)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        if problems:
            raise UserError(f"{framework.source_file}: {len(problems)} problem(s)")
        print(f"{framework.source_file}: valid - {len(framework.domains)} domains, {len(framework.subdomains)} "
              f"subdomains, {len(framework.competencies)} competencies with unique, well-formed ids")
        return 0
    counts = framework.provenance_counts()
    print(f"{framework.name} [{framework.version}]")
    print(f"statements seen in a source: {counts['seen']}, reconstructed (inferred, not official wording): "
          f"{counts['inferred']}, official: {counts['official']}")
    for domain in framework.domains:
        print(f"{domain.id} {domain.title}  [title {domain.title_confidence}]")
        for subdomain in domain.subdomains:
            print(f"  {subdomain.id} {subdomain.title}")
            for c in subdomain.competencies:
                print(f"    {c.id} [{c.confidence}] {c.statement}")
    return 0


def _read_input(name: str) -> str:
    if name == "-":
        data = sys.stdin.buffer.read()
        label = "standard input"
    else:
        path = Path(name)
        if path.is_dir():
            raise UserError(f"{name}: is a directory, not an advert file")
        if not path.is_file():
            raise UserError(f"{name}: no such file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UserError(f"{name}: cannot read ({exc.strerror})") from exc
        label = name
    if b"\x00" in data[:8192]:
        raise UserError(f"{label}: looks like a binary file, not advert text or HTML")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if not text.strip():
        raise UserError(f"{label}: is empty")
    return text


def _current_framework(db: Path):
    """The framework the warehouse's matches use when one was imported; None for the bundled one or no
    warehouse (a profile needs none)."""
    import warehouse

    if not warehouse.readable_path(db).is_file():
        return None
    con = warehouse.open_read_only(warehouse.readable_path(db))
    try:
        return warehouse.load_current_framework(con)
    finally:
        con.close()


def cmd_profile(args: argparse.Namespace) -> int:
    from crawler.parsers.saved_page import NotOneAdvert, requirements_from_document
    from matching.accuracy import accuracy_note
    from matching.framework import load_framework
    from matching.learned import build_matcher
    from matching.profile import profile_requirements, requirement_kind

    text = _read_input(args.file)
    try:
        requirements = requirements_from_document(text)
    except NotOneAdvert as exc:
        raise UserError(f"{args.file}: {exc}") from exc
    if not requirements:
        raise UserError(f"{args.file}: found no requirement lines in it")
    matcher = build_matcher(_current_framework(_db(args)) or load_framework())
    profile = profile_requirements(requirements, matcher)
    market = _market(args, profile, matcher) if args.title else None
    if args.json:
        json.dump({**profile.as_dict(), **({"market": market} if market else {})}, sys.stdout, indent=2)
        print()
        return 0
    for row in profile.requirements:
        ids = ", ".join(c["id"] for c in row["competencies"]) or "-"
        print(f"{requirement_kind(row):10.10} {ids:24} {row['text'][:90]}")
    print("\nprofile by domain (share of matched lines):")
    for domain in profile.domains:
        print(f"  {domain['id']} {domain['title']:45} {domain['lines']:3d} lines  {domain['share']:6.1%}")
    print("subdomains:")
    for subdomain in profile.subdomains:
        print(f"  {subdomain['id']:5} {subdomain['title']:45} {subdomain['lines']:3d} lines")
    if market:
        print(f"\ncompared with {market['peers']} informatics adverts whose titles resemble '{args.title}':")
        for key, heading in (("unusual", "asks what similar adverts rarely do"),
                             ("missing", "most similar adverts ask; this one does not")):
            print(f"  {heading}:")
            for item in market[key][:10] or [{"id": "-", "statement": "none", "share": None, "confidence": None}]:
                share = f" ({item['share']:.0%} of similar adverts)" if item["share"] is not None else ""
                mark = " *" if item["confidence"] == "inferred" else ""
                print(f"    {item['id']:6} {item['statement'][:80]}{mark}{share}")
        print("  * statement reconstructed by cijobs, not the official FCI wording")
    print("\n" + accuracy_note(matcher.version, matcher.framework.version))
    return 0


def _market(args: argparse.Namespace, profile, matcher) -> dict:
    """The advert against informatics adverts in the warehouse whose titles resemble ``--title``."""
    import warehouse
    from matching.profile import market_comparison, similar_titles
    from warehouse.demand import informatics_titles, peer_demand
    from warehouse.filters import AdvertFilter

    figures = _config(args).figures
    con = warehouse.open_read_only(warehouse.readable_path(_db(args)))
    try:
        titles = similar_titles(args.title, informatics_titles(con), figures.similar_title_score)
        peers = peer_demand(con, AdvertFilter(), tuple(titles))
    finally:
        con.close()
    if not peers["adverts"]:
        raise UserError(f"no informatics advert in the warehouse has a title like '{args.title}'")
    if peers["adverts"] < figures.min_adverts:
        raise UserError(f"only {peers['adverts']} informatics adverts have a title like '{args.title}', fewer than "
                        f"{figures.min_adverts} (figures.min_adverts): too few to compare with; run without --title")
    own = {c["id"] for row in profile.requirements for c in row["competencies"]}
    comparison = market_comparison(own, peers["competency_shares"])
    framework = matcher.framework
    return {"title": args.title, "peers": peers["adverts"], **{
        key: [{"id": cid, "statement": framework.competency(cid).statement,
               "confidence": framework.competency(cid).confidence, "share": round(float(share), 4)}
              for cid, share in items]
        for key, items in comparison.items()}}


def cmd_classify(args: argparse.Namespace) -> int:
    from matching.classify import InputError, classify_stream, utf8_lines

    if args.top is not None and args.top < 1:
        raise UserError("--top must be at least 1", 2)
    _config(args)  # matching.model
    try:
        classify_stream(utf8_lines(sys.stdin.buffer), sys.stdout, top_k=args.top)
    except InputError as exc:
        raise UserError(f"standard input {exc}") from None
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from cijobs.retraining import read_labelled_file, retrain
    from matching.framework import load_framework

    if not args.gold and not args.from_warehouse:
        raise UserError("no labels: give --gold FILE (labelled lines) and/or --from-warehouse (the dashboard's review "
                        "labels)", 2)
    db = _db(args)
    framework = load_framework()
    known = {c.id for c in framework.competencies}
    rows, sources = [], []
    for path in args.gold or []:
        rows += read_labelled_file(path, known)
        sources.append(str(path))
    if args.from_warehouse:
        from dashboard.review import labels_path

        path = labels_path(db)
        if not path.is_file():
            raise UserError(f"{path}: no review labels beside the warehouse yet (confirm or correct lines on an "
                            "advert's page of the dashboard, `cijobs serve`)")
        rows += read_labelled_file(path, known)
        sources.append(str(path))
    retrain(rows, " and ".join(sources), args.out or db.parent / "model", force=args.force, framework=framework)
    return 0
