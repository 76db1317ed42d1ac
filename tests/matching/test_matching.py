"""Matching through the CLI: classify's contract, profile, framework import, and the matcher's accuracy."""
from __future__ import annotations

import csv
import dataclasses
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from advert_text.extract import extract_requirements, is_boilerplate
from matching import accuracy
from matching.framework import load_framework
from matching.matcher import Matcher, load_config
from tests.conftest import ROOT, run_cijobs


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_framework())


def test_classify_streams_one_object_per_line_in_order():
    # the last line asks (the learned stage reads a bare title, "Clinical safety officer (DCB0129)", as asking nothing)
    lines = ["Experience of SQL and Power BI", "Enhanced DBS check required", "",
             "Experience as a Clinical Safety Officer (DCB0129)"]
    result = run_cijobs("classify", input="\n".join(lines) + "\n")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in records] == lines
    for record in records:
        assert set(record) == {"text", "competencies", "domains"}
        for competency in record["competencies"]:
            assert set(competency) == {"id", "score", "evidence"} and 0 <= competency["score"] <= 100
    assert records[1]["competencies"] == [] and records[1]["domains"] == []  # boilerplate
    assert records[2]["competencies"] == []
    assert "4.2.1" in [c["id"] for c in records[3]["competencies"]] and "4" in records[3]["domains"]
    assert {"3"} <= set(records[0]["domains"])


def test_classify_top_k_limits_the_answer():
    result = run_cijobs("classify", "--top", "1", input="SQL, Python, Power BI, FHIR and SNOMED CT\n")
    assert len(json.loads(result.stdout)["competencies"]) == 1


def test_classify_handles_ten_thousand_lines_in_one_process():
    lines = ["Experience of information governance and data protection law"] * 10_000
    result = run_cijobs("classify", input="\n".join(lines) + "\n")
    assert len(result.stdout.splitlines()) == 10_000


def test_profile_of_a_saved_nhs_jobs_page(sample_board, tmp_path):
    from cijobs.sample_site.render import advert_page

    page = tmp_path / "advert.html"
    page.write_text(advert_page(sample_board.by_reference("C9184-25-0511")), encoding="utf-8")
    profile = json.loads(run_cijobs("profile", str(page), "--json").stdout)
    assert profile["requirements"]
    top = max(profile["domains"], key=lambda d: d["lines"])
    assert top["id"] == "4"
    table = run_cijobs("profile", str(page)).stdout
    top_line = next(line for line in table.splitlines() if line.startswith("  4 "))
    assert re.match(rf"  4 {re.escape(top['title'])}\s+{top['lines']} lines\s+{top['share']:.1%}$", top_line), top_line


def test_profile_of_plain_text_from_stdin():
    text = "Essential\nExperience of SQL and building Power BI dashboards\nKnowledge of HL7 FHIR\nDesirable\nPRINCE2\n"
    profile = json.loads(run_cijobs("profile", "-", "--json", input=text).stdout)
    levels = [r["level"] for r in profile["requirements"]]
    assert levels[:2] == ["essential", "essential"] and levels[-1] == "desirable"


def test_profile_says_how_far_to_trust_the_matcher_and_when_that_is_stale():
    table = run_cijobs("profile", "-", input="Essential\nExperience of SQL and building Power BI dashboards\n").stdout
    blind = accuracy.recorded("blind")
    assert f"Accuracy on {blind['lines']} labelled lines the matcher never saw" in table
    assert f"competency F1 {blind['competency']['f1']:.2f}" in table
    real = accuracy.recorded("real")  # re-recorded only where ../shared/data is (bench/real_lines_eval.py)
    real_is_current = (real["matcher_version"], real["framework_version"]) == (blind["matcher_version"],
                                                                              blind["framework_version"])
    assert (f"On {real['lines']} lines of real 2020 adverts" in table) == real_is_current
    stale = accuracy.accuracy_note("fuzzy-keyphrase-0@00000000", blind["framework_version"])
    assert "measured for another matcher" in stale and "F1" not in stale


@pytest.mark.parametrize("text, expected", [
    ("About us\nWe are an acute trust that values digital innovation and data quality.\n"
     "Main duties and responsibilities:\nLead the EPR go-live and hypercare\n"
     "Person specification\nEssential\nExperience of evaluating digital health interventions\n"
     "Benefits\nA generous package including study leave\n",
     [("duties", None, "Lead the EPR go-live and hypercare"),
      ("person_specification", "essential", "Experience of evaluating digital health interventions")]),
    # headings as real adverts write them: ellipses, curly apostrophes, the employer's name in a question
    ("Your day-to-day…\nConfigure order sets in the EPR\n"
     "What we’re looking for:\nExperience of clinical coding\n"
     "Why join Kestrel Bay?\nFree leadership development and a digital skills academy\n"
     "What we can offer you…\nFlexible working and data science training\n",
     [("duties", None, "Configure order sets in the EPR"),
      ("person_specification", None, "Experience of clinical coding")]),
    # a level written on the criterion itself
    ("Main duties\nSupport the EPR go-live\nExperience of SQL (E)\nITIL Foundation (D)\n"
     "Essential: a degree in health informatics\nKnowledge of HL7 FHIR\n",
     [("duties", None, "Support the EPR go-live"),
      ("person_specification", "essential", "Experience of SQL"),
      ("person_specification", "desirable", "ITIL Foundation"),
      ("person_specification", "essential", "a degree in health informatics"),
      ("person_specification", "essential", "Knowledge of HL7 FHIR")]),
    # an advert pasted from a page: its title and details line, a summary, and a two-column E / D table
    ("Clinical Systems Analyst\nBand 6 | Northshire NHS Trust | Leeds\nJob summary\n"
     "We are looking for an analyst to support the EPR.\nMain duties of the job\nConfigure EPR order sets\n"
     "Person Specification\nExperience\nExperience of SQL Server reporting E\nKnowledge of HL7 FHIR interfaces D\n",
     [("duties", None, "Configure EPR order sets"),
      ("person_specification", "essential", "Experience of SQL Server reporting"),
      ("person_specification", "desirable", "Knowledge of HL7 FHIR interfaces")]),
])
def test_profile_of_pasted_advert_reads_its_headings(text, expected):
    profile = json.loads(run_cijobs("profile", "-", "--json", input=text).stdout)
    assert [(r["section"], r["level"], r["text"]) for r in profile["requirements"]] == expected


def test_profile_of_a_saved_xhtml_page(tmp_path):
    page = tmp_path / "advert.xhtml"
    page.write_text('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
                    "<h2>Person specification</h2><h3>Essential</h3><ul><li>Advanced SQL and Power BI</li></ul>"
                    "</body></html>", encoding="utf-8")
    profile = json.loads(run_cijobs("profile", str(page), "--json").stdout)
    assert [r["text"] for r in profile["requirements"]] == ["Advanced SQL and Power BI"]


@pytest.mark.parametrize("content, message", [(b"", "is empty"), (b"\x00\x01\x02binary", "binary"),
                                              (b"\xff\xfe\xfa not utf8", "not UTF-8")])
def test_profile_rejects_bad_input_clearly(tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = run_cijobs("profile", str(bad), check=False)
    assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr


def test_boilerplate_and_about_us_never_become_requirements():
    advert = {
        "person_specification": [{"category": "Other", "level": "essential", "text": "Enhanced DBS clearance"},
                                 {"category": "Skills", "level": "essential", "text": "Advanced SQL"}],
        "duties": "We welcome applications from all sections of the community. Build Power BI reports.",
        "responsibilities": "Key responsibilities\nMaintain the clinical coding audit programme.\n"
                            "About the Trust\nOur clinical coding team is one of the best in the region.\n"
                            "Benefits\nStudy leave for data science and leadership courses.",
        "about_organisation": "We are a large trust with a strong data warehouse and clinical coding team.",
    }
    texts = [r["text"] for r in extract_requirements(advert)]
    assert texts == ["Advanced SQL", "Build Power BI reports.", "Maintain the clinical coding audit programme."]
    assert is_boilerplate("Applicants must have the right to work in the UK")
    assert not is_boilerplate("The successful applicant will have experience of SQL and data science")


def test_standard_job_description_clauses_are_not_demand():
    # every NHS job description carries these; read as demand they inflate IG and leadership everywhere
    clauses = ["All staff must respect confidentiality and follow the Trust's information governance policies",
               "Comply with organisational policies on data protection and confidentiality at all times",
               "Complete statutory and mandatory training, including the information governance module",
               "Carry out any other duties commensurate with the banding of the post, as agreed with your line manager"]
    assert [line for line in clauses if not is_boilerplate(line)] == []
    assert not is_boilerplate("Write and maintain the Trust's information governance policies and procedures")


def test_prose_about_the_employer_is_not_demand_unless_it_speaks_of_the_post_holder():
    assert is_boilerplate("We have a vacancy within the Clinical Coding Department")
    assert is_boilerplate("The team supports 12,000 clinical staff across the county's hospitals")
    assert not is_boilerplate("We are looking for someone with advanced SQL and Power BI skills")
    assert not is_boilerplate("Our analysts need you to build the Power BI dashboards")
    assert not is_boilerplate("We use open-source systems, requiring experience in Python and SQL")


def test_compound_criteria_stay_one_line_but_match_several_competencies(matcher):
    [found] = matcher.match_lines(["Proficient in SQL, Python and Power BI"])
    assert len({m.competency_id for m in found}) >= 2


def test_typos_and_abbreviations_still_match(matcher):
    lines = ["Experiance of clinical risk managment", "Knowledge of IG", "EPR implementation",
             # a typo in the first letters of a word, where a prefix lookup would not find the phrase
             "Experience of writing buisness cases", "Experience of kowledge management",
             "Ability to manage reistance to change",
             # abbreviations that name a demand, not just a setting
             "Experience of handling SARs and FOIs", "Experience of writing an OBC"]
    results = matcher.match_lines(lines)
    assert all(results), [line for line, found in zip(lines, results) if not found]


def test_function_words_between_a_phrases_words_still_match(matcher):
    [found] = matcher.match_lines(["Explain the results of audits to clinical leads"])
    assert "3.5.3" in {m.competency_id for m in found}, found  # key phrase 'explain results'
    # but "and" joins two things: 'digital health technology' is not 'digital health and technology'
    [found] = matcher.match_lines(["Interest in digital health and technology"])
    assert "1.5.2" not in {m.competency_id for m in found}, found


def test_a_different_first_letter_is_another_word_not_a_typo(matcher):
    [found] = matcher.match_lines(["Review low-value alerts in the prescribing system"])
    assert "'eprescribing'" not in " ".join(m.evidence for m in found), found
    [found] = matcher.match_lines(["Understanding of ethical principles in digital health"])
    assert "'mhealth'" not in " ".join(m.evidence for m in found), found


def test_evidence_quotes_the_abbreviation_the_line_wrote_not_its_expansion(matcher):
    [found] = matcher.match_lines(["Advanced SQL skills"])
    assert found and found[0].evidence.endswith("~ 'sql'"), found


def test_framework_import_makes_statements_official_and_rematches(crawled_db, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy(crawled_db, db)
    csv_file = tmp_path / "official.csv"
    csv_file.write_text("id,domain,subdomain,statement\n"
                        "4.2.1,Human factors,Clinical safety,Official statement about clinical risk management\n",
                        encoding="utf-8")
    imported = run_cijobs("framework", "import", str(csv_file), "--db", str(db))
    assert "1 statements imported as official" in imported.stdout
    matched = run_cijobs("match", "--db", str(db))
    assert "+official@" in matched.stdout
    con = duckdb.connect(str(db), read_only=True)
    official = con.execute("""SELECT competency_id, statement FROM competencies c JOIN framework_versions f
                              ON f.version = c.framework_version AND f.is_current WHERE confidence = 'official'""")
    assert official.fetchall() == [("4.2.1", "Official statement about clinical risk management")]
    assert con.execute("SELECT count(DISTINCT framework_version) FROM current_matches").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM current_matches").fetchone()[0] > 0
    con.close()


def test_framework_import_rejects_a_malformed_csv(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,text\n1,whatever\n", encoding="utf-8")
    result = run_cijobs("framework", "import", str(bad), "--db", str(tmp_path / "w.duckdb"), check=False)
    assert result.returncode != 0 and "CSV needs the columns id, domain, subdomain, statement" in result.stderr


LABELLED = ROOT / "tests" / "data"


@pytest.mark.parametrize("gold, record", [("requirements_gold.jsonl", "gold"), ("requirements_blind.jsonl", "blind")])
def test_accuracy_is_exactly_the_recorded_figures(gold, record):
    """Evaluation is deterministic: a figure changes only with a re-record in the same commit
    (`cijobs eval --gold FILE --record matching/data/accuracy-NAME.json`), for the matcher it names."""
    recorded = accuracy.recorded(record)
    current = json.loads(run_cijobs("eval", "--json", "--gold", str(LABELLED / gold)).stdout)
    assert current == recorded


def test_the_real_line_record_is_exactly_what_the_corpus_gives():
    corpus = ROOT.parent / "shared" / "data" / "nhs_jobs_2020" / "postings.jsonl.gz"
    if not corpus.is_file():
        pytest.skip(f"no corpus at {corpus}: the real-line record cannot be checked here")
    output = ROOT / ".pytest_cache" / "accuracy-real2020.json"
    output.parent.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "bench/real_lines_eval.py", "--record", str(output)], cwd=ROOT, check=True,
                   capture_output=True)
    assert json.loads(output.read_text(encoding="utf-8")) == accuracy.recorded("real")


def test_the_matcher_version_follows_its_code(tmp_path, monkeypatch):
    from matching import matcher as matcher_module

    before = load_config().fingerprint
    for package in {package for package, _ in matcher_module.MATCHING_MODULES}:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "model"))
    source = (tmp_path / "matching" / "matcher.py").read_text(encoding="utf-8")
    assert '"the", ' in source
    one_word_less = source.replace('"the", ', "", 1)
    (tmp_path / "matching" / "matcher.py").write_text(one_word_less, encoding="utf-8")
    monkeypatch.setattr(matcher_module.resources, "files", lambda package: tmp_path / package)
    matcher_module.code_fingerprint.cache_clear()
    try:
        assert load_config().fingerprint != before
    finally:
        matcher_module.code_fingerprint.cache_clear()


# Modules the matcher imports whose code does not decide what a line matches: the framework has its own
# version (stored beside every match), the sectioner decides which lines are requirements, not matches, and
# the settings' schema only checks values that the version hashes.
VERSIONED_ELSEWHERE = {("matching", "framework.py"), ("advert_text", "sections.py"), ("matching", "schemas.py")}
PROJECT_TEXT_PACKAGES = ("matching", "advert_text")


def modules_reached_from(start: tuple[str, str]) -> set[tuple[str, str]]:
    """(package, module) of ``start`` and every project text module it imports, directly or not."""
    import ast

    seen, queue = set(), [start]
    while queue:
        module = queue.pop()
        if module in seen:
            continue
        seen.add(module)
        tree = ast.parse((ROOT / module[0] / module[1]).read_text(encoding="utf-8"))
        queue += [(package, f"{name}.py") for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                  for package, _, name in [(node.module or "").partition(".")] if package in PROJECT_TEXT_PACKAGES]
    return seen


def test_every_module_the_matcher_imports_is_in_its_version():
    from matching.matcher import MATCHING_MODULES

    assert modules_reached_from(("matching", "matcher.py")) - VERSIONED_ELSEWHERE <= set(MATCHING_MODULES)


TWO_COMPETENCIES = """
- id: 1
  title: Planning
  subdomains:
  - id: '1.1'
    title: Plans
    competencies:
    - id: 1.1.1
      statement: Writes the long-term plan for digital services and evaluates digital interventions.
      keywords: [long term plan, evaluate digital, ra manager]
      confidence: inferred
    - id: 1.1.2
      statement: Runs workshops with patients to gather feedback on prototypes of the patient portal.
      keywords: [patient portal]
      confidence: inferred
    - id: 1.1.3
      statement: Knows which bibliographic databases hold the evidence.
      keywords: [bibliographic databases]
      confidence: inferred
    - id: 1.1.4
      statement: Designs databases.
      keywords: [database]
      confidence: inferred
"""


@pytest.fixture
def small_matcher(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(TWO_COMPETENCIES)
    # word weights are log(competencies / competencies using the word): tiny with two competencies
    return Matcher(load_framework(path), dataclasses.replace(load_config(), fallback_min_weight=1.5))


def test_key_phrases_match_other_forms_of_their_words(small_matcher):
    [found] = small_matcher.match_lines(["Experience of evaluating digital health interventions"])
    assert [m.competency_id for m in found] == ["1.1.1"]
    assert "evaluating digital" in found[0].evidence


def test_fuzzy_matches_must_line_up_with_whole_words(small_matcher):
    # partial_ratio alone scores each of these 90 or more against a phrase of 1.1.1
    results = small_matcher.match_lines(["Experience of long term placements", "Experienced ward manager",
                                         "Plan"])
    assert results == [[], [], []]


def test_words_of_a_longer_phrase_are_not_also_another_competencys_match(small_matcher):
    [nested, separate] = small_matcher.match_lines(["Experience of searching bibliographic databases",
                                                    "Design the database behind the bibliographic databases"])
    assert [m.competency_id for m in nested] == ["1.1.3"]
    assert "bibliographic databases" in nested[0].evidence
    assert {m.competency_id for m in separate} == {"1.1.3", "1.1.4"}


def test_a_paraphrase_with_no_key_phrase_falls_back_to_shared_words(small_matcher):
    [found, generic] = small_matcher.match_lines(["Run feedback workshops with patients on early prototypes",
                                                  "Experience of working with patients"])
    assert [m.competency_id for m in found] == ["1.1.2"]
    assert found[0].evidence.startswith("shared words") and "prototypes" in found[0].evidence
    assert generic == []


def test_employer_prose_is_not_read_as_demand(matcher):
    # Real adverts describe the employer in the same blocks as the duties; none of this asks anything
    lines = ["We provide acute, community and mental health services to a population of half a million people",
             "The hospital is part of an integrated care organisation with two general hospitals and community"
             " services",
             "Our outpatient clinics run across both sites, with a new day-surgery unit opening next spring"]
    assert matcher.match_lines(lines) == [[], [], []]


def test_eval_reports_how_uncertain_its_figures_are(tmp_path):
    gold = LABELLED / "requirements_gold.jsonl"
    few = tmp_path / "few.jsonl"
    few.write_text("".join(gold.read_text(encoding="utf-8").splitlines(keepends=True)[:60]), encoding="utf-8")
    widths = []
    for path in (gold, few):
        figures = json.loads(run_cijobs("eval", "--json", "--gold", str(path)).stdout)
        for level in ("competency", "domain"):
            low, high = figures[level]["f1_interval_95"]
            assert low < figures[level]["f1"] < high
        widths.append(high - low)
    assert widths[1] > 1.5 * widths[0]  # ten times fewer lines, a much wider interval
    assert "95% intervals of F1" in run_cijobs("eval", "--gold", str(few)).stdout


def test_eval_reads_labels_as_csv_or_with_other_common_names(tmp_path):
    gold_file = LABELLED / "requirements_gold.jsonl"
    gold = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines()]
    as_csv = tmp_path / "labels.csv"
    with open(as_csv, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Text", "Competencies"])
        writer.writerows([row["text"], "; ".join(row["competencies"])] for row in gold)
    renamed = tmp_path / "labels.jsonl"
    renamed.write_text("".join(json.dumps({"line": row["text"], "labels": row["competencies"]}) + "\n"
                               for row in gold), encoding="utf-8")
    figures = [json.loads(run_cijobs("eval", "--json", "--gold", str(path)).stdout)
               for path in (gold_file, as_csv, renamed)]
    assert figures[0]["competency"] == figures[1]["competency"] == figures[2]["competency"]
    assert figures[0]["lines"] == len(gold)


def test_profile_compares_an_advert_with_similar_titles_in_the_warehouse(crawled_db, tmp_path):
    text = "Essential\nExperience of clinical risk management to DCB0129\n"
    too_few = run_cijobs("profile", "-", "--title", "Clinical Safety Officer", "--db", str(crawled_db), input=text,
                         check=False)
    assert too_few.returncode != 0 and "fewer than 10 (figures.min_adverts)" in too_few.stderr
    config = tmp_path / "cijobs.toml"  # the sample board has a handful of such adverts: compare with them anyway
    config.write_text("[figures]\nmin_adverts = 2\n", encoding="utf-8")
    profile = json.loads(run_cijobs("profile", "-", "--json", "--title", "Clinical Safety Officer", "--config",
                                    str(config), "--db", str(crawled_db), input=text).stdout)
    market = profile["market"]
    assert market["peers"] >= 2
    peers_ask = {item["id"] for item in market["missing"]}
    assert peers_ask and "4.2.1" not in peers_ask  # this advert asks for clinical risk management itself
    assert all(0.5 <= item["share"] <= 1 and item["confidence"] for item in market["missing"])
    table = run_cijobs("profile", "-", "--title", "Clinical Safety Officer", "--config", str(config), "--db",
                       str(crawled_db), input=text).stdout
    assert f"compared with {market['peers']} informatics adverts" in table
    unknown = run_cijobs("profile", "-", "--title", "Astronaut", "--db", str(crawled_db), input=text, check=False)
    assert unknown.returncode != 0 and "no informatics advert" in unknown.stderr and "'Astronaut'" in unknown.stderr


def test_crawler_and_matching_share_the_text_package_and_import_nothing_of_each_other():
    import ast

    def imported_packages(package: str) -> set[str]:
        found = set()
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    found.add(node.module.split(".")[0])
                elif isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
        return found

    assert "matching" not in imported_packages("crawler")
    assert "crawler" not in imported_packages("matching")
    assert not imported_packages("advert_text") & {"crawler", "matching", "warehouse", "dashboard", "cijobs"}


def _changed_copy(original: Path, change: tuple[str, str], folder: Path) -> Path:
    """A copy of a bundled file with its first ``change[0]`` replaced by ``change[1]``."""
    text = original.read_text(encoding="utf-8")
    assert change[0] in text
    copy = folder / original.name
    copy.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    return copy


@pytest.mark.parametrize("change, message", [
    (("threshold:", "treshold:"), "treshold is not a known key"),
    (("stem_threshold: 100", "stem_treshold: 100"), "stem_treshold is not a known key"),  # was: stemming quietly off
    (("threshold: 90", "threshold: high"), "threshold: input should be a valid number, not 'high'"),
    (("top_k: 3", "top_k: 0"), "top_k: input should be greater than or equal to 1"),
    (("scorer: partial_ratio", "scorer: cosine"), "scorer: input should be 'partial_ratio'"),
])
def test_a_misspelt_or_wrong_matcher_setting_is_one_line_naming_it(tmp_path, change, message):
    from matching.matcher import MatcherSettingsError

    with pytest.raises(MatcherSettingsError) as caught:
        load_config(_changed_copy(ROOT / "matching" / "data" / "matcher.yaml", change, tmp_path))
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("change, message", [
    (("statement:", "statment:"), "competency 1.1.1: statment is not a known key"),
    (("confidence: seen\n      placement", "confidence: official-ish\n      placement"),
     "competency 1.1.1: confidence: input should be 'seen', 'inferred' or 'official'"),
    (("  subdomains:\n  - id: '1.1'", "  subdomain:\n  - id: '1.1'"), "domain 1: subdomain is not a known key"),
])
def test_framework_validate_names_the_bad_key_of_a_broken_file(tmp_path, change, message):
    path = _changed_copy(ROOT / "matching" / "data" / "fci-core-competencies.yaml", change, tmp_path)
    result = run_cijobs("framework", "validate", "--file", str(path), check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
