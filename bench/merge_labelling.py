"""Merge the labellers' files (from bench/draw_labelling_sample.py's packets) into the project's label files.

Keeps keys, sections and competency ids only (never texts): tests/data/real_2020_v6_labels.jsonl holds
every line's label (the adjudicated one where two labellers disagreed), real_2020_v6_blind.jsonl the
second, blind labels of the double-labelled adverts. Prints agreement (competency and domain micro-F1,
section accuracy) between the first and the blind labels.

    .venv/bin/python bench/merge_labelling.py --labels /tmp/cijobs-labelling [--adjudicated FILE] [--round 2]

Round N's files (N = 2, 3, 4) are real_2020_v6_roundN_{labels,blind}.jsonl, from real_2020_v6_roundN_manifest.jsonl.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from real_corpus import ROOT

sys.path.insert(0, str(ROOT))
from matching.evaluate import Scores  # noqa: E402

DATA = ROOT / "tests" / "data"
ROUND_FILES = {1: "real_2020_v6_{}.jsonl", 2: "real_2020_v6_round2_{}.jsonl", 3: "real_2020_v6_round3_{}.jsonl",
               4: "real_2020_v6_round4_{}.jsonl"}


def read_rows(path: Path) -> dict[str, dict]:
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["key"]] = {"section": row["section"], "competencies": list(row["competencies"])}
    return rows


def agreement(first: dict[str, dict], second: dict[str, dict]) -> dict:
    competency, domain = Scores(), Scores()
    same_section = 0
    for key, row in second.items():
        gold, other = set(first[key]["competencies"]), set(row["competencies"])
        competency.add(gold, other)
        domain.add({c.split(".")[0] for c in gold}, {c.split(".")[0] for c in other})
        same_section += first[key]["section"] == row["section"]
    return {"lines": len(second), "competency_f1": round(competency.f1, 3), "domain_f1": round(domain.f1, 3),
            "section_agreement": round(same_section / max(len(second), 1), 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, required=True, help="the folder of labels_*.jsonl files")
    parser.add_argument("--adjudicated", type=Path,
                        help="JSON lines {key, section, competencies} settling disagreements")
    parser.add_argument("--round", type=int, choices=sorted(ROUND_FILES), default=1)
    parser.add_argument("--disagreements", type=Path,
                        help="write the lines where the two labellers disagree here, for adjudication")
    args = parser.parse_args()
    manifest_path, labels_path, blind_path = (DATA / ROUND_FILES[args.round].format(name)
                                              for name in ("manifest", "labels", "blind"))
    manifest = [json.loads(line) for line in manifest_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    first, blind = {}, {}
    for path in sorted(args.labels.glob("labels_packet_*.jsonl")):
        first.update(read_rows(path))
    for path in sorted(args.labels.glob("labels_blind_*.jsonl")):
        blind.update(read_rows(path))
    adjudicated = read_rows(args.adjudicated) if args.adjudicated else {}
    print("agreement, first labels against blind second labels:", json.dumps(agreement(first, blind)))
    rows, missing = [], 0
    for advert in manifest:
        for key in advert["keys"]:
            if key not in first:
                missing += 1
                continue
            label = adjudicated.get(key, first[key])
            rows.append({"key": key, "split": advert["split"], "section": label["section"],
                         "competencies": label["competencies"], "double": key in blind,
                         "adjudicated": key in adjudicated})
    if missing:
        raise SystemExit(f"{missing} lines of the manifest have no label")
    if args.disagreements:
        differing = [{"key": key, "first": first[key], "second": row} for key, row in blind.items()
                     if row != first[key] and key not in adjudicated]
        args.disagreements.write_text("".join(json.dumps(row) + "\n" for row in differing), encoding="utf-8")
        print(f"{len(differing)} disagreements -> {args.disagreements}")
    labels_path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    blind_path.write_text("".join(json.dumps({"key": k, **v}) + "\n" for k, v in blind.items()), encoding="utf-8")
    print(f"{len(rows)} lines -> {labels_path.name} ({sum(r['adjudicated'] for r in rows)} adjudicated); "
          f"{len(blind)} blind -> {blind_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
