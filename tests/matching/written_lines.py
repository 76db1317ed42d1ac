"""Labelled requirement lines written for the training tests (templates, no advert's text): a few adverts' worth
of lines for four competencies and lines that ask nothing, enough to train a small model in seconds."""
from __future__ import annotations

import json
from pathlib import Path

SYSTEMS = ["the pathology", "the maternity", "the theatres", "the pharmacy", "the radiology", "the outpatient",
           "the community nursing", "the emergency department"]
THINGS = ["patient records", "staff records", "referral letters", "audit extracts", "research datasets"]
STAFF = ["analysts", "developers", "nurses", "data engineers", "trainees"]
SITES = ["the main hospital site", "the Riverside campus", "the county headquarters", "the north locality office"]
TEMPLATES = [
    ("Experience of writing SQL queries against {system} databases", ["3.1.4"]),
    ("Clinical safety officer work to DCB0129, keeping hazard logs for {system} system", ["4.2.1"]),
    ("Knowledge of UK GDPR and the Data Protection Act when handling {thing}", ["3.4.1"]),
    ("Mentors and coaches junior {staff} across the service", ["6.3.2"]),
    ("The post is based at {site} with some travel across the county", []),
]


def labelled_lines(adverts: int = 36) -> list[dict]:
    """One line of each template per advert, the advert named by ``advert_id``."""
    rows = []
    for a in range(adverts):
        for t, (template, labels) in enumerate(TEMPLATES):
            text = template.format(system=SYSTEMS[(a + t) % len(SYSTEMS)], thing=THINGS[(a + t) % len(THINGS)],
                                   staff=STAFF[(a + 2 * t) % len(STAFF)], site=SITES[(a + t) % len(SITES)])
            rows.append({"advert_id": f"T{a:03d}", "text": text, "competencies": list(labels)})
    return rows


def write_lines(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path
