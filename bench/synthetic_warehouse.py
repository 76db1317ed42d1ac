"""A synthetic warehouse at national scale, for the benches: every table generated inside DuckDB from range(n)
and hash() of the row number, so 100,000 adverts with 3.6 million requirement lines take seconds and the same
--adverts always gives the same warehouse. No advert text comes from anywhere real.

    .venv/bin/python bench/synthetic_warehouse.py --adverts 100000 --out /tmp/national.duckdb
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import warehouse  # noqa: E402
from matching.framework import load_framework  # noqa: E402
from matching.matcher import load_config  # noqa: E402
from warehouse.adverts import REPOST_SIGNATURE_SQL  # noqa: E402

MONTHS = 24
EMPLOYERS = 600
LINES_PER_ADVERT = 36          # requirement lines per advert ...
MATCHED_SHARE = 30 / 36        # ... of which about 30 match a competency (one match per matched line)
INFORMATICS_SHARE = 0.85


# so 3.6 million requirement lines take seconds, and the same --adverts always gives the same warehouse.

INFORMATICS_TITLES = [
    "Chief Clinical Information Officer", "Chief Nursing Information Officer", "Clinical Digital Lead",
    "Director of Digital", "Clinical Safety Officer", "Digital Clinical Safety Lead", "Information Governance Manager",
    "Data Protection Officer", "Records Manager", "Clinical Coder", "Senior Clinical Coder", "Clinical Coding Auditor",
    "Integration Engineer", "Interoperability Lead", "Solutions Architect", "FHIR Developer", "Data Quality Officer",
    "Data Analyst", "Senior Data Analyst", "Information Analyst", "Business Intelligence Developer", "Data Scientist",
    "Data Engineer", "Information Manager", "Performance and Information Manager", "EPR Trainer",
    "EPR Application Analyst", "Clinical Systems Manager", "Clinical Systems Support Officer", "PACS Manager",
    "RIS Administrator", "Systems Administrator", "EMIS Facilitator", "SystmOne Trainer", "EPMA Pharmacist",
    "Digital Project Manager", "Programme Manager", "PMO Officer", "Transformation Manager", "Business Analyst",
    "Implementation Lead", "Cyber Security Analyst", "Network Engineer", "Service Desk Analyst",
    "Infrastructure Engineer", "Software Developer", "Digital Training Lead", "Digital Adoption Facilitator",
    "Health Informatics Specialist", "Digital Nurse", "Clinical Decision Support Lead", "User Researcher",
]
OTHER_TITLES = [
    "Staff Nurse", "Healthcare Assistant", "Physiotherapist", "Occupational Therapist", "Pharmacist",
    "Ward Manager", "Medical Secretary", "Porter", "Radiographer", "Midwife", "Paramedic", "Receptionist",
    "Speciality Doctor", "Housekeeper", "Finance Officer",
]
SPECIALTIES = [
    "Cardiology", "Oncology", "Emergency Department", "Maternity", "Mental Health", "Community Services",
    "Primary Care", "Radiology", "Pathology", "Pharmacy", "Theatres", "Critical Care", "Paediatrics", "Surgery",
    "Outpatients", "Finance", "Workforce", "Population Health", "Urgent Care", "Research", "Corporate Services",
    "Diagnostics", "Cancer Services", "Children and Young People", "Stroke", "Renal", "Respiratory", "Diabetes",
    "Dermatology", "Ophthalmology", "Neurology", "Learning Disabilities", "Older People", "Estates", "Procurement",
    "Digital Services", "Informatics", "Patient Experience", "Quality Improvement", "Elective Recovery",
]
PLACES = [
    "Ashdale", "Birchwood", "Calder", "Deanfield", "Eastmoor", "Fenmere", "Greyhaven", "Hartwell", "Ironbridge",
    "Juniper", "Kestrel Valley", "Longmere", "Mercia Vale", "Northmoor", "Oakridge", "Pennine Fells", "Queensbury",
    "Rivermead", "Severnside", "Thamesbridge", "Upton", "Valewood", "Westcliff", "Yarrow", "Ashby", "Brackenridge",
    "Chalkhill", "Dunmore", "Elmstead", "Foxley", "Glenford", "Holloway", "Irwell Bridge", "Kennet", "Larkhill",
    "Millbrook", "Netherby", "Ormsby", "Portwood", "Redcastle", "Stonebridge", "Tamarside", "Ullswater", "Wrekin",
    "Alderbury", "Beckford", "Cheviot Coast", "Dovedale", "Exbury", "Fairhaven", "Goldcrest", "Harrowfield",
    "Kingsmere", "Lindley", "Marshgate", "Newbold", "Oldfield", "Pemberton", "Rushmere", "Sandford",
]
ORGANISATION_KINDS = [
    "NHS Foundation Trust", "University Hospitals NHS Trust", "Teaching Hospitals NHS Foundation Trust",
    "Integrated Care Board", "Community Healthcare NHS Trust", "Mental Health NHS Foundation Trust",
    "Health and Care NHS Trust", "Ambulance Service NHS Trust", "Primary Care Network", "Health Informatics Service",
]
BANDS = ["Band 3", "Band 4", "Band 4", "Band 5", "Band 5", "Band 6", "Band 6", "Band 6", "Band 7", "Band 7",
         "Band 7", "Band 8a", "Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9", None]
BAND_SALARY = {"Band 3": 24071, "Band 4": 26530, "Band 5": 29970, "Band 6": 37338, "Band 7": 46148,
               "Band 8a": 53755, "Band 8b": 62215, "Band 8c": 74290, "Band 8d": 88168, "Band 9": 105385}
CATEGORIES = ["Qualifications", "Experience", "Skills and knowledge", "Personal qualities"]
REQUIREMENT_LINES = [
    "Experience of implementing electronic patient record systems",
    "Knowledge of clinical safety standards DCB0129 and DCB0160",
    "Ability to analyse complex data and present findings to clinicians",
    "Understanding of information governance and the Data Protection Act",
    "Experience of leading change in a clinical environment",
    "Proficient in SQL and business intelligence tools such as Power BI",
    "Knowledge of HL7 FHIR and interoperability standards",
    "Experience of training staff to use clinical systems",
    "Educated to masters level in health informatics or equivalent experience",
    "Ability to communicate effectively with staff at all levels",
    "Experience of project management using PRINCE2 or Agile methods",
    "Understanding of clinical coding classifications ICD-10 and OPCS-4",
    "Knowledge of cyber security principles and incident response",
    "Experience of user research and service design",
    "Ability to write clear reports and business cases",
    "Registered healthcare professional with current registration",
    "Experience of data quality improvement and validation",
    "Understanding of the NHS digital landscape and national programmes",
    "Experience of stakeholder engagement and partnership working",
    "Ability to manage competing priorities and meet deadlines",
]
LINE_SUFFIXES = ["", " across the trust", " in an acute setting", " in primary care", " within the NHS",
                 " at a senior level", " including evaluation", " with minimal supervision", " and its benefits",
                 " for patient care", " in a multidisciplinary team", " to support service improvement"]
RUN_SOURCES = (("nhsjobs", "NHS Jobs", "https://www.jobs.nhs.uk"), ("jobposting", "Trust career sites", None))


def sql_list(values: list) -> str:
    """A DuckDB list literal of trusted constants (the lists above), NULL for None."""
    return "[" + ", ".join("NULL" if v is None else "'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def pick(values: list, key: str) -> str:
    """SQL choosing one of ``values`` by the hash expression ``key``."""
    return f"list_element({sql_list(values)}, CAST({key} % {len(values)} AS INTEGER) + 1)"


def create_helpers(con) -> None:
    """unit(x, salt): a uniform number in [0, 1) derived from x (deterministic, like a seeded random())."""
    con.execute("CREATE OR REPLACE TEMP MACRO unit(x, salt) AS (hash(x, salt) % 1000003) / 1000003.0")


def insert_sources_and_runs(con, today: date) -> None:
    for source, name, base_url in RUN_SOURCES:
        warehouse.register_source(con, source, name, base_url)
    days = MONTHS * 30
    con.execute(
        f"""
        INSERT INTO crawl_runs (source, started_at, finished_at, status, requests, responses_ok, responses_error,
                                adverts_seen, adverts_new, adverts_updated, adverts_unchanged, adverts_closed,
                                parse_errors, adverts_skipped, adverts_withdrawn, adverts_duplicate,
                                responses_by_status, duration_seconds)
        SELECT CASE WHEN d % 7 = 0 THEN 'jobposting' ELSE 'nhsjobs' END,
               started, started + INTERVAL 20 MINUTE,
               CASE WHEN unit(d, 'fail') < 0.03 THEN 'failed' ELSE 'succeeded' END,
               900 + d % 300, 880 + d % 290, d % 11, 800, 140, 30, 600, 120, d % 3, 600, d % 5, d % 9,
               '{{"200": 880, "404": 4}}', 1200 + d % 400
        FROM (SELECT d, CAST(DATE '{today}' - {days} + CAST(d AS INTEGER) AS TIMESTAMP) + INTERVAL 6 HOUR AS started
              FROM range({days}) r(d))
        ORDER BY started
        """
    )


def create_employers(con) -> None:
    """600 employers (place x organisation kind), each at a postcode in a real area (so regions resolve)."""
    con.execute(
        f"""
        CREATE TEMP TABLE bench_employers AS
        WITH areas AS (
            SELECT area, row_number() OVER (ORDER BY area) - 1 AS k,
                   count(*) OVER () AS n
            FROM postcode_regions WHERE region NOT IN ('Scotland', 'Northern Ireland')
        )
        SELECT e AS employer_idx,
               {pick(PLACES, 'e')} || ' ' || list_element({sql_list(ORGANISATION_KINDS)}, e // {len(PLACES)} + 1)
                   AS employer,
               {pick(PLACES, 'e')} AS town,
               CASE WHEN unit(e, 'nopc') < 0.02 THEN NULL
                    ELSE a.area || CAST(1 + hash(e, 'district') % 20 AS VARCHAR) || ' '
                         || CAST(1 + hash(e, 'sector') % 9 AS VARCHAR)
                         || {pick(list('ABDEFGHJLNPQRSTUWXYZ'), "hash(e, 'unit1')")}
                         || {pick(list('ABDEFGHJLNPQRSTUWXYZ'), "hash(e, 'unit2')")} END AS postcode
        FROM range({EMPLOYERS}) r(e)
        JOIN areas a ON a.k = hash(e, 'area') % a.n
        """
    )


def insert_adverts(con, count: int, today: date) -> None:
    days = MONTHS * 30
    salary_case = " ".join(f"WHEN '{band}' THEN {salary}" for band, salary in BAND_SALARY.items())
    con.execute(
        f"""
        INSERT INTO adverts (advert_id, source, reference, url, title, employer, town, postcode, band, pay_scheme,
                             salary_min, salary_max, salary_period, contract_type, contract_duration,
                             working_pattern, staff_group, date_posted, closing_date, first_seen, last_seen, status,
                             closed_at, is_informatics, informatics_score, summary, duties, responsibilities,
                             about_organisation, content_hash, discovery_hash, duplicate_of, internal_only)
        WITH base AS (
            SELECT i + 1 AS advert_id,
                   unit(i, 'informatics') < {INFORMATICS_SHARE} AS is_informatics,
                   CAST(floor({EMPLOYERS} * pow(unit(i, 'employer'), 1.6)) AS INTEGER) AS employer_idx,
                   DATE '{today}' - CAST(floor({days} * pow(unit(i, 'posted'), 1.15)) AS INTEGER) AS date_posted,
                   {pick(BANDS, "hash(i, 'band')")} AS band,
                   CASE WHEN unit(i, 'source') < 0.9 THEN 'nhsjobs' ELSE 'jobposting' END AS source
            FROM range({count}) r(i)
        ), shaped AS (
            SELECT b.*, e.employer, e.town, e.postcode,
                   CASE WHEN b.is_informatics THEN {pick(INFORMATICS_TITLES, "hash(b.advert_id, 'title')")}
                        ELSE {pick(OTHER_TITLES, "hash(b.advert_id, 'title')")} END
                   || CASE WHEN unit(b.advert_id, 'specialty') < 0.55
                           THEN ' - ' || {pick(SPECIALTIES, "hash(b.advert_id, 'specialty')")} ELSE '' END
                   || CASE WHEN unit(b.advert_id, 'band_in_title') < 0.15 AND b.band IS NOT NULL
                           THEN ' (' || b.band || ')' ELSE '' END AS title,
                   b.date_posted + CAST(14 + hash(b.advert_id, 'open_for') % 29 AS INTEGER) AS closing_date,
                   CASE b.band {salary_case} END AS salary,
                   CASE b.source WHEN 'nhsjobs' THEN 'C9' ELSE 'JP' END
                       || lpad(CAST(b.advert_id AS VARCHAR), 8, '0') AS reference
            FROM base b JOIN bench_employers e USING (employer_idx)
        )
        SELECT advert_id, source,
               reference,
               CASE source WHEN 'nhsjobs' THEN 'https://www.jobs.nhs.uk/candidate/jobadvert/'
                           ELSE 'https://careers.example.nhs.uk/jobs/' END || reference,
               title, employer, town, postcode, band,
               CASE WHEN band IS NULL THEN 'Other' ELSE 'Agenda for change' END,
               salary, salary * 1.12, CASE WHEN salary IS NULL THEN NULL ELSE 'year' END,
               {pick(['Permanent', 'Permanent', 'Permanent', 'Fixed term', 'Secondment', 'Bank'],
                     "hash(advert_id, 'contract')")},
               NULL,
               {pick(['Full time', 'Full time, Flexible working', 'Full time, Part time',
                      'Full time, Home or remote working', 'Part time'], "hash(advert_id, 'pattern')")},
               CASE WHEN is_informatics THEN 'ADMINISTRATIVE_AND_CLERICAL'
                    ELSE {pick(['NURSING_AND_MIDWIFERY_REGD', 'ALLIED_HEALTH_PROF', 'ESTATES_AND_ANCILLARY'],
                               "hash(advert_id, 'group')")} END,
               date_posted, closing_date,
               CAST(date_posted AS TIMESTAMP) + to_hours(CAST(hash(advert_id, 'seen') % 20 AS INTEGER)),
               CAST(least(closing_date, DATE '{today}') AS TIMESTAMP),
               CASE WHEN closing_date >= DATE '{today}' AND unit(advert_id, 'withdrawn') > 0.03
                    THEN 'open' ELSE 'closed' END,
               CASE WHEN closing_date >= DATE '{today}' AND unit(advert_id, 'withdrawn') > 0.03
                    THEN NULL ELSE least(closing_date, DATE '{today}') END,
               is_informatics,
               CASE WHEN is_informatics THEN 0.5 + 0.5 * unit(advert_id, 'score')
                    ELSE 0.3 * unit(advert_id, 'score') END,
               'We are looking for a ' || title || ' to join ' || employer || '. '
                   || repeat('The post holder will support the safe delivery of digital services. ',
                             CAST(1 + hash(advert_id, 'summary') % 4 AS INTEGER)),
               repeat('Maintain and develop the systems and data the service relies on. ',
                      CAST(2 + hash(advert_id, 'duties') % 6 AS INTEGER)),
               repeat('Work with clinical and operational colleagues to improve care. ',
                      CAST(2 + hash(advert_id, 'resp') % 6 AS INTEGER)),
               employer || ' provides acute and community services to a population of '
                   || CAST(200000 + hash(advert_id, 'population') % 800000 AS VARCHAR) || '.',
               md5(CAST(advert_id AS VARCHAR)), md5('listing' || CAST(advert_id AS VARCHAR)),
               CASE WHEN unit(advert_id, 'repost') < 0.06 AND advert_id > 600
                    THEN advert_id - 1 - CAST(hash(advert_id, 'original') % 500 AS INTEGER) END,
               unit(advert_id, 'internal') < 0.01
        FROM shaped
        ORDER BY advert_id
        """
    )


def insert_requirements(con) -> None:
    """36 lines per advert: 14 essential and 10 desirable person-specification lines, 6 duties, 6 responsibilities."""
    con.execute(
        f"""
        INSERT INTO requirements (requirement_id, advert_id, position, section, category, level, text)
        SELECT (a.advert_id - 1) * {LINES_PER_ADVERT} + p + 1, a.advert_id, p,
               CASE WHEN p < 24 THEN 'person_specification' WHEN p < 30 THEN 'duties' ELSE 'responsibilities' END,
               CASE WHEN p < 24 THEN list_element({sql_list(CATEGORIES)}, p % 4 + 1) END,
               CASE WHEN p < 14 THEN 'essential' WHEN p < 24 THEN 'desirable' END,
               {pick(REQUIREMENT_LINES, "hash(a.advert_id, p, 'line')")}
                   || {pick(LINE_SUFFIXES, "hash(a.advert_id, p, 'suffix')")}
        FROM adverts a CROSS JOIN range({LINES_PER_ADVERT}) r(p)
        ORDER BY 1
        """
    )


def insert_matches(con, framework_version: str, matcher_version: str) -> None:
    """About 30 matched lines per advert, one competency each: 60% from a skewed market-wide distribution, 40%
    near the advert's own focus, so domains and employers differ."""
    con.execute(
        """
        CREATE TEMP TABLE bench_competencies AS
        SELECT CAST(row_number() OVER (ORDER BY domain_id, subdomain_id, competency_id) - 1 AS INTEGER) AS idx,
               competency_id, coalesce(keywords[1], statement) AS evidence
        FROM competencies WHERE framework_version = ?
        """, [framework_version])
    n = con.execute("SELECT count(*) FROM bench_competencies").fetchone()[0]
    con.execute(
        f"""
        INSERT INTO matches (requirement_id, competency_id, framework_version, matcher_version, score, evidence)
        SELECT r.requirement_id, c.competency_id, $fv, $mv, round(60 + 40 * unit(r.requirement_id, 'score'), 1),
               c.evidence
        FROM (
            SELECT requirement_id,
                   CAST(CASE WHEN unit(requirement_id, 'market') < 0.6
                             THEN floor({n} * pow(unit(requirement_id, 'competency'), 1.8))
                             ELSE (hash(advert_id, 'focus') % {n}
                                   + floor(12 * unit(requirement_id, 'competency'))) % {n} END AS INTEGER) AS idx
            FROM requirements WHERE unit(requirement_id, 'matched') < {MATCHED_SHARE}
        ) r JOIN bench_competencies c USING (idx)
        ORDER BY r.requirement_id
        """, {"fv": framework_version, "mv": matcher_version})
    con.execute(
        "INSERT INTO matched_requirements SELECT requirement_id, ?, ?, now() FROM requirements ORDER BY 1",
        [framework_version, matcher_version])
    con.execute(
        "INSERT INTO warehouse_state VALUES ('matcher_version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [matcher_version])


def advance_sequences(con) -> None:
    """Rows were inserted with explicit ids: move the id sequences past them so the warehouse stays usable."""
    for sequence, table, column in (("advert_ids", "adverts", "advert_id"),
                                    ("requirement_ids", "requirements", "requirement_id")):
        highest = con.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchone()[0]
        con.execute(f"SELECT max(nextval('{sequence}')) FROM range({highest})")


@dataclass
class Generated:
    path: Path
    seconds: dict[str, float]
    rows: dict[str, int]


def generate_warehouse(path: Path, adverts: int) -> Generated:
    framework = load_framework()
    matcher_version = load_config().fingerprint  # what Matcher(framework).version would be
    today = date.today()
    seconds: dict[str, float] = {}

    @contextmanager
    def step(name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        seconds[name] = time.perf_counter() - started

    with step("schema + framework"):
        con = warehouse.open_warehouse(path)
        warehouse.store_framework(con, framework)
        create_helpers(con)
    try:
        with step("sources + runs"):
            insert_sources_and_runs(con, today)
        with step("adverts"):
            create_employers(con)
            insert_adverts(con, adverts, today)
        with step("requirements"):
            insert_requirements(con)
        with step("matches + matched_requirements"):
            insert_matches(con, framework.version, matcher_version)
        with step("re-post signatures"):  # what loading stores for each advert
            con.execute(f"""UPDATE adverts SET repost_signature = s.signature
                            FROM (SELECT a.advert_id, {REPOST_SIGNATURE_SQL} AS signature
                                  FROM adverts a LEFT JOIN requirements r USING (advert_id)
                                  GROUP BY a.advert_id, a.employer, a.title) s
                            WHERE adverts.advert_id = s.advert_id""")
        with step("sequences + checkpoint"):
            advance_sequences(con)
            con.execute("CHECKPOINT")
        rows = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("adverts", "requirements", "matches", "matched_requirements", "crawl_runs")}
        rows["current_matches"] = con.execute("SELECT count(*) FROM current_matches").fetchone()[0]
    finally:
        con.close()
    with step("publish"):
        warehouse.publish(path)
    return Generated(path, seconds, rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adverts", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True, help="the warehouse file to write (must not exist)")
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out} exists: give a new file")
    generated = generate_warehouse(args.out, args.adverts)
    print(f"{args.out}: " + ", ".join(f"{table} {count:,}" for table, count in generated.rows.items()))
    print("seconds: " + ", ".join(f"{step} {seconds:.1f}" for step, seconds in generated.seconds.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
