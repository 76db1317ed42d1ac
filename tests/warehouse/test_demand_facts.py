"""The demand a planner reads (per domain, subdomain and competency, under every level filter) counts exactly
the adverts whose lines matched, however the published demand facts store it."""
from __future__ import annotations

import random
import statistics
from collections import defaultdict
from datetime import date, timedelta

import pandas as pd
import pytest

import warehouse
from matching.framework import load_framework
from warehouse import demand, demand_facts
from warehouse.filters import AdvertFilter

LEVELS = ("essential", "desirable", None)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """40 adverts, each with six lines matched at random to competencies of every domain, published."""
    rng = random.Random(7)
    framework = load_framework()
    competencies = [c for c in framework.competencies]
    adverts = []
    for number in range(40):
        lines = [{"section": "person_specification" if level else "duties", "category": None, "level": level,
                  "text": f"line {n} of advert {number}"} for n, level in enumerate(rng.choices(LEVELS, k=6))]
        adverts.append({"source": "nhsjobs", "reference": f"R-{number:03d}", "url": f"http://127.0.0.1/{number}",
                        "title": "Clinical Informatics Lead", "employer": f"Trust {number % 3}",
                        "postcode": rng.choice(["LS1 4AP", "M13 9WL", "SW1A 1AA"]),
                        "date_posted": date(2026, 1, 5) + timedelta(days=9 * number),
                        "closing_date": date(2026, 1, 5) + timedelta(days=9 * number + 20),
                        "salary_min": 30000.0 + 1000 * number, "salary_max": 35000.0 + 1000 * number,
                        "salary_period": "year", "is_informatics": number % 5 != 0, "requirements": lines})
    db = tmp_path_factory.mktemp("demand") / "w.duckdb"
    con = warehouse.open_warehouse(db)
    warehouse.load_adverts(con, adverts, today=date(2026, 1, 1))
    warehouse.store_framework(con, framework)
    lines = con.execute("SELECT r.requirement_id, r.advert_id, r.level, r.text, a.reference FROM requirements r "
                        "JOIN adverts a USING (advert_id) ORDER BY requirement_id").df()
    rows = [{"requirement_id": int(r.requirement_id), "competency_id": c.id, "score": float(rng.randint(60, 100)),
             "evidence": f"words {c.id}"}
            for r in lines.itertuples() for c in rng.sample(competencies, rng.randint(0, 3))]
    matches = pd.DataFrame(rows, columns=["requirement_id", "competency_id", "score", "evidence"])
    warehouse.store_matches(con, lines["requirement_id"].tolist(), matches, framework.version, "test-matcher")
    con.close()
    with pytest.MonkeyPatch.context() as patch:  # few candidates: example lines are also found the long way
        patch.setattr(demand_facts, "EXAMPLE_CANDIDATES", 2)
        warehouse.publish(db)
    truth = matches.merge(lines, on="requirement_id")
    truth["domain_id"] = truth["competency_id"].map({c.id: c.domain_id for c in competencies})
    truth["subdomain_id"] = truth["competency_id"].map({c.id: c.subdomain_id for c in competencies})
    read = warehouse.open_read_only(warehouse.published_path(db))
    yield read, truth, {a["reference"]: a for a in adverts}
    read.close()


def _expected(truth: pd.DataFrame, level: str, key: str, chosen: set[int]) -> tuple[dict, dict]:
    """Adverts needing each id of ``key`` under the level filter, and of them those needing it essentially."""
    needing, essential = defaultdict(set), defaultdict(set)
    for row in truth[truth["advert_id"].isin(chosen)].itertuples():
        counted = level == "any" or row.level == level
        if counted:
            needing[getattr(row, key)].add(row.advert_id)
            if level != "desirable" and row.level == "essential":
                essential[getattr(row, key)].add(row.advert_id)
    return ({k: len(v) for k, v in needing.items()}, {k: len(v) for k, v in essential.items()})


@pytest.mark.parametrize("level", ["any", "essential", "desirable"])
def test_domain_subdomain_and_competency_demand_count_the_adverts_whose_lines_matched(published, level):
    con, truth, _ = published
    flt = AdvertFilter(level=level)
    chosen = {a for (a,) in con.execute("SELECT advert_id FROM advert_facts WHERE is_informatics").fetchall()}
    domains = demand.domain_demand(con, flt).set_index("domain_id")
    needing, essential = _expected(truth, level, "domain_id", chosen)
    assert (domains["adverts"] == len(chosen)).all()
    assert domains["adverts_needing"].to_dict() == {d: needing.get(d, 0) for d in domains.index}
    assert domains["essential"].to_dict() == {d: essential.get(d, 0) for d in domains.index}
    for domain_id in ("1", "4"):
        subdomains = demand.subdomain_demand(con, flt, domain_id).set_index("subdomain_id")["adverts_needing"]
        needing, _ = _expected(truth, level, "subdomain_id", chosen)
        assert subdomains.to_dict() == {s: needing.get(s, 0) for s in subdomains.index}
        competencies = demand.competency_demand(con, flt, domain_id).set_index("competency_id")
        needing, _ = _expected(truth, level, "competency_id", chosen)
        assert competencies["adverts_needing"].to_dict() == {c: needing.get(c, 0) for c in competencies.index}


def test_an_example_line_is_the_best_scored_line_of_the_level_among_the_chosen_adverts(published):
    con, truth, _ = published
    flt = AdvertFilter(level="essential", regions=("London",))
    chosen = {a for (a,) in con.execute(
        "SELECT advert_id FROM advert_facts WHERE is_informatics AND region = 'London'").fetchall()}
    shown = demand.competency_demand(con, flt, "2").set_index("competency_id")
    candidates = truth[truth["advert_id"].isin(chosen) & (truth["level"] == "essential") & (truth["domain_id"] == "2")]
    for competency_id, lines in candidates.groupby("competency_id"):
        best = lines.sort_values(["score", "requirement_id"], ascending=[False, True]).iloc[0]
        example = shown.loc[competency_id]
        assert (example["example_line"], example["example_reference"], example["example_evidence"]) == (
            best["text"], best["reference"], best["evidence"])
    assert shown["example_line"].isna().sum() == len(shown) - candidates["competency_id"].nunique()


def test_stock_trend_counts_an_advert_in_every_month_it_was_open(published):
    con, truth, adverts = published
    trend = demand.domain_demand_over_time(con, AdvertFilter(informatics_only=False), "stock", "month")
    months = trend.drop_duplicates("period").set_index("period")["adverts"]
    expected = defaultdict(int)
    for advert in adverts.values():
        month = advert["date_posted"].replace(day=1)
        while month <= advert["closing_date"]:
            expected[month] += 1
            month = (month + timedelta(days=32)).replace(day=1)
    assert {p.date(): n for p, n in months.items() if n} == dict(expected)


def test_pay_and_regions_per_domain_count_the_adverts_needing_each_domain(published):
    con, truth, adverts = published
    facts = con.execute("SELECT advert_id, reference, region FROM advert_facts WHERE is_informatics").df()
    chosen = set(facts["advert_id"])
    needing, _ = _expected(truth, "any", "domain_id", chosen)
    pay = demand.pay_by(con, AdvertFilter(), "domain")
    assert {g.split(" ")[0]: n for g, n in zip(pay["group"], pay["adverts"])} == needing  # every advert pays yearly
    midpoint = {row.advert_id: (adverts[row.reference]["salary_min"] + adverts[row.reference]["salary_max"]) / 2
                for row in facts.itertuples()}
    expected = statistics.median(midpoint[a] for a in set(truth[truth["domain_id"] == "3"]["advert_id"]) & chosen)
    assert pay.set_index(pay["group"].str.split(" ").str[0]).loc["3", "median"] == pytest.approx(expected)
    regions = demand.domain_demand_by_region(con, AdvertFilter())
    in_london = set(facts[facts["region"] == "London"]["advert_id"])
    london, _ = _expected(truth, "any", "domain_id", in_london)
    shown = regions[regions["region"] == "London"].set_index("domain_id")
    assert shown["adverts_needing"].to_dict() == {d: london.get(d, 0) for d in shown.index}
    assert (shown["adverts"] == len(in_london)).all()


def _needs_table(con) -> list[list[tuple]]:
    """What publishing derives per advert: its needs, its masks and its demand facts."""
    return [con.execute("SELECT * FROM advert_needs ORDER BY advert_id, competency_id").fetchall(),
            con.execute("SELECT * FROM advert_masks ORDER BY advert_id").fetchall(),
            con.execute("SELECT * FROM demand_facts ORDER BY advert_id").fetchall()]


def test_publishing_after_a_batch_rebuilds_only_its_adverts_and_gets_what_a_full_rebuild_gets(tmp_path):
    framework = load_framework()
    ids = [c.id for c in framework.competencies]

    def advert(reference: str, lines: list[str]) -> dict:
        return {"source": "nhsjobs", "reference": reference, "url": f"http://127.0.0.1/{reference}",
                "title": "Clinical Informatics Lead", "employer": "Trust", "date_posted": date(2026, 3, 1),
                "closing_date": date(2026, 3, 30), "is_informatics": True,
                "requirements": [{"section": "person_specification", "category": None, "level": "essential",
                                  "text": text} for text in lines]}

    def match_all(con) -> None:
        lines = con.execute("SELECT requirement_id FROM requirements r WHERE requirement_id NOT IN "
                            "(SELECT requirement_id FROM matched_requirements) ORDER BY 1").fetchall()
        rows = [{"requirement_id": rid, "competency_id": ids[rid % len(ids)], "score": 90.0, "evidence": "w"}
                for (rid,) in lines]
        warehouse.store_matches(con, [rid for (rid,) in lines], pd.DataFrame(rows), framework.version, "m1")

    db = tmp_path / "w.duckdb"
    con = warehouse.open_warehouse(db)
    warehouse.store_framework(con, framework)
    warehouse.load_adverts(con, [advert(f"R-{n}", [f"a{n}", f"b{n}"]) for n in range(6)], today=date(2026, 1, 1))
    match_all(con)
    assert demand_facts.rebuild(con) == "all"
    # a batch: one advert's lines change, one loses them all, one is new
    warehouse.load_adverts(con, [advert("R-1", ["c1", "d1", "e1"]), advert("R-2", []), advert("R-9", ["f9"])],
                           today=date(2026, 1, 1))
    match_all(con)
    assert demand_facts.rebuild(con) == "3 adverts"
    incremental = _needs_table(con)
    con.execute("DELETE FROM warehouse_state WHERE key = ?", [demand_facts.NEEDS_BASIS_KEY])
    assert demand_facts.rebuild(con) == "all"
    assert _needs_table(con) == incremental
    needing = {reference for (reference,) in con.execute(
        "SELECT DISTINCT reference FROM advert_needs JOIN adverts USING (advert_id)").fetchall()}
    assert needing == {"R-0", "R-1", "R-3", "R-4", "R-5", "R-9"}  # R-2 lost its lines: it needs nothing now
    assert con.execute("SELECT count(*) FROM advert_needs a JOIN adverts USING (advert_id) "
                       "WHERE reference = 'R-1'").fetchone()[0] == 3
    con.close()


def test_after_a_batch_each_competencys_example_list_is_still_the_top_of_the_ranking(tmp_path, monkeypatch):
    """The example candidates merged after a batch must stay a prefix of the ranking a full rebuild gives,
    or an example line shown under a filter would not be the best one there."""
    monkeypatch.setattr(demand_facts, "EXAMPLE_CANDIDATES", 4)
    framework = load_framework()
    competency = framework.competencies[0].id

    def advert(number: int, text: str) -> dict:
        return {"source": "nhsjobs", "reference": f"E-{number}", "url": f"http://127.0.0.1/E-{number}",
                "title": "Clinical Informatics Lead", "employer": f"Trust {number % 3}",
                "date_posted": date(2026, 3, 1), "closing_date": date(2026, 3, 30), "is_informatics": True,
                "requirements": [{"section": "person_specification", "category": None, "level": "essential",
                                  "text": text}]}

    def match(con, scores: dict[str, float]) -> None:
        lines = con.execute("SELECT requirement_id, text FROM requirements WHERE requirement_id NOT IN "
                            "(SELECT requirement_id FROM matched_requirements) ORDER BY 1").fetchall()
        rows = [{"requirement_id": rid, "competency_id": competency, "score": scores[text], "evidence": text}
                for rid, text in lines]
        warehouse.store_matches(con, [rid for rid, _ in lines], pd.DataFrame(rows), framework.version, "m1")

    con = warehouse.open_warehouse(tmp_path / "w.duckdb")
    warehouse.store_framework(con, framework)
    scores = {f"line {n}": 60.0 + n for n in range(12)}  # line 11 is the best
    warehouse.load_adverts(con, [advert(n, f"line {n}") for n in range(12)], today=date(2026, 1, 1))
    match(con, scores)
    demand_facts.rebuild(con)
    # the four listed adverts fall to the bottom and a new one comes in at the top: the list keeps one line,
    # under half, so it is ranked again from every advert
    scores.update({f"worse {n}": 50.0 + n for n in (8, 9, 10, 11)}, **{"new": 69.0})
    warehouse.load_adverts(con, [advert(n, f"worse {n}") for n in (8, 9, 10, 11)] + [advert(20, "new")],
                           today=date(2026, 1, 1))
    match(con, scores)
    assert demand_facts.rebuild(con) == "5 adverts"

    def listed() -> list[tuple]:
        return con.execute("SELECT level, requirement_id FROM example_candidates ORDER BY level, rank").fetchall()

    def examples() -> list:
        return [demand.competency_demand(con, AdvertFilter(employers=employers), framework.competencies[0].domain_id)
                .set_index("competency_id").loc[competency, "example_line"]
                for employers in ((), ("Trust 0",), ("Trust 1",), ("Trust 2",))]

    merged, shown = listed(), examples()
    con.execute("DELETE FROM warehouse_state WHERE key = ?", [demand_facts.NEEDS_BASIS_KEY])
    demand_facts.rebuild(con)
    full = listed()
    for level in ("any", "essential"):
        kept = [line for lv, line in merged if lv == level]
        assert kept == [line for lv, line in full if lv == level][:len(kept)] and len(kept) == 4
    assert shown == examples() == ["new", "line 6", "line 7", "new"]
    con.close()
