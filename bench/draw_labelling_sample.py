"""Draw whole real adverts for labelling (matching v6, section extraction) and write reading packets.

Adverts are drawn from ../shared/data/nhs_jobs_2020 (reserved adverts never), informatics adverts
over-weighted but not only, each split (by employer) in proportion. Every line of a drawn advert is
labelled, prose included, so the labels reflect what the crawler extracts. The packets (with texts)
go to a folder outside the repository for the labellers; the project keeps only the manifest:
advert ids, line keys, split and sample.

    .venv/bin/python bench/draw_labelling_sample.py --out /tmp/cijobs-labelling [--packets 6]

Round 2 (``--round 2``) draws other adverts (none of round 1's) and labels only the lines the pipeline
sends to the matcher (the sectioner's lines outside "about" sections, boilerplate left out), the rest being
shown as context: whole-advert samples are 80 % lines that ask nothing, and the matcher's accuracy rests on
the others. Its manifest is tests/data/real_2020_v6_round2_manifest.jsonl.

Round 3 (``--round 3``) adds training lines only: it draws from employers of the train split (so validation
and the test third stay what they were, and figures stay comparable), none of the earlier rounds' adverts,
and draws an advert with a weight of how much it would teach: each line the phrase matcher or the learned
stage finds a competency on counts 1, and each line where the two disagree 2 more (active learning; both
rounds so far had 80 % lines that ask nothing, and 27 competencies had few labels). The labellers never see
those answers. Its manifest is tests/data/real_2020_v6_round3_manifest.jsonl.

Round 4 (``--round 4``) draws lines, not adverts (the issue's active learning on uncertain cases and rare
competencies): from train-split adverts no round has drawn, the lines the pipeline matches where the phrase
matcher and the learned stage disagree, where the learned stage is unsure whether the line asks anything
(its "asks anything" probability 0.2-0.8), or where either answers a competency with fewer than 15 training
lines; at most 8 lines an advert, drawn with probability growing with how many of those hold. Each line is shown
with its advert's title and the heading above it (for its section). Its manifest is
tests/data/real_2020_v6_round4_manifest.jsonl.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from real_corpus import DEFAULT_CORPUS, ROOT, advert_lines, adverts, description_text, employer_of, line_key, split_of

sys.path.insert(0, str(ROOT))
from advert_text.extract import is_boilerplate, split_lines  # noqa: E402
from advert_text.sections import sectioned_lines  # noqa: E402
from crawler.relevance import informatics_score, is_informatics  # noqa: E402

MANIFEST = ROOT / "tests" / "data" / "real_2020_v6_manifest.jsonl"
ROUND_2_MANIFEST = ROOT / "tests" / "data" / "real_2020_v6_round2_manifest.jsonl"
OLD_LABELS = ROOT / "tests" / "data" / "real_2020_labels.jsonl"
ROUND_3_MANIFEST = ROOT / "tests" / "data" / "real_2020_v6_round3_manifest.jsonl"
ROUND_4_MANIFEST = ROOT / "tests" / "data" / "real_2020_v6_round4_manifest.jsonl"
TRAINING_LABELS = [ROOT / "tests" / "data" / f"real_2020_v6_{name}.jsonl"
                   for name in ("labels", "round2_labels", "round3_labels")]
SEED = 2029
ROUNDS = {1: {"seed": SEED, "informatics": 230, "other": 110, "manifest": MANIFEST},
          2: {"seed": 2030, "informatics": 400, "other": 260, "manifest": ROUND_2_MANIFEST},
          3: {"seed": 2031, "lines": 4800, "splits": ("train",), "manifest": ROUND_3_MANIFEST},
          4: {"seed": 2032, "lines": 4800, "splits": ("train",), "per_advert": 8, "rare_below": 15,
              "manifest": ROUND_4_MANIFEST}}
MIN_LINES = 3
DOUBLE_SHARE = 0.2  # adverts labelled a second time, blind, by other labellers
DOUBLE_PACKETS = 2


def matched_texts(text: str) -> set[str]:
    """The sentences the pipeline sends to the matcher: outside "about" sections, not boilerplate."""
    return {" ".join(line.text.split()) for line in sectioned_lines(text.splitlines())
            if line.section != "about" and not is_boilerplate(line.text)}


def packet_lines(advert: dict, matched_only: bool = False) -> list[tuple[str, str | None]]:
    """(text, key) for each paragraph piece in reading order; short headings (and, with ``matched_only``,
    the lines the matcher never sees) come with key None, as context."""
    text = description_text(advert)
    wanted = matched_texts(text) if matched_only else None
    rows, seen = [], set()
    for paragraph in text.splitlines():
        pieces = split_lines(paragraph)
        if not pieces and paragraph.strip():
            rows.append((" ".join(paragraph.split()), None))
        for piece in pieces:
            key = line_key(str(advert["_id"]), piece)
            labelled = key not in seen and (wanted is None or " ".join(piece.split()) in wanted)
            rows.append((piece, key if labelled else None))
            seen.add(key)
    return rows


def draw_by_share(pools: dict[tuple[bool, str], list[dict]], plan: dict, rng: random.Random) -> list[tuple]:
    """Rounds 1-2: so many informatics and other adverts, each split in proportion."""
    drawn = []
    for informatics, wanted in ((True, plan["informatics"]), (False, plan["other"])):
        total = sum(len(pool) for (inf, _), pool in pools.items() if inf == informatics)
        for (inf, split), pool in sorted(pools.items()):
            if inf != informatics:
                continue
            take = min(len(pool), round(wanted * len(pool) / total))
            drawn += [(advert, informatics, split) for advert in rng.sample(pool, take)]
    return drawn


def both_matchers():
    """The phrase matcher and the learned stage, whose answers (never shown to labellers) steer rounds 3-4."""
    from matching.framework import load_framework
    from matching.learned import build_matcher
    framework = load_framework()
    return build_matcher(framework, stage="phrase"), build_matcher(framework, stage="learned")


def pooled_in_splits(pools: dict[tuple[bool, str], list[dict]], splits) -> list[tuple[bool, str, dict]]:
    return [(informatics, split, advert) for (informatics, split), pool in sorted(pools.items()) if split in splits
            for advert in pool]


def first_by_key(candidates: list[tuple], wanted: int, lines_of) -> list[tuple]:
    """Weighted sampling without replacement (Efraimidis-Spirakis: each candidate's key is random ** (1 / weight),
    first), until ``wanted`` lines are drawn."""
    drawn, count = [], 0
    for entry in sorted(candidates, key=lambda entry: entry[0], reverse=True):
        if count >= wanted:
            break
        drawn.append(entry)
        count += lines_of(entry)
    return drawn


def teaching_weight(lines: list[str], phrase, learned) -> int:
    """How much labelling these lines would teach: a line either matcher answers counts 1, one where the two
    disagree 2 more."""
    phrase_answers, learned_answers = phrase.match_lines(lines), learned.match_lines(lines)
    weight = 0
    for by_phrase, by_learned in zip(phrase_answers, learned_answers, strict=True):
        ids_phrase, ids_learned = {m.competency_id for m in by_phrase}, {m.competency_id for m in by_learned}
        weight += bool(ids_phrase or ids_learned) + 2 * (ids_phrase != ids_learned)
    return weight


def draw_by_weight(pools: dict[tuple[bool, str], list[dict]], plan: dict, rng: random.Random) -> list[tuple]:
    """Round 3: adverts of the plan's splits drawn with probability growing with their teaching weight
    (weighted sampling without replacement, Efraimidis-Spirakis keys), until about plan["lines"] lines."""
    phrase, learned = both_matchers()
    candidates = []
    for informatics, split, advert in pooled_in_splits(pools, plan["splits"]):
        lines = sorted(matched_texts(description_text(advert)))
        weight = teaching_weight(lines, phrase, learned) if lines else 0
        if weight:
            candidates.append((rng.random() ** (1 / weight), len(lines), advert, informatics, split))
    drawn = [(advert, informatics, split) for _, _, advert, informatics, split
             in first_by_key(candidates, plan["lines"], lambda entry: entry[1])]
    print(f"{len(candidates)} adverts of {'/'.join(plan['splits'])} could teach something; drew {len(drawn)}")
    return drawn


def rare_competencies(below: int) -> set[str]:
    """Competencies with fewer than ``below`` labelled training lines in the rounds so far."""
    counts: dict[str, int] = {}
    for path in TRAINING_LABELS:
        for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
            if row["split"] == "train":
                for competency in row["competencies"]:
                    counts[competency] = counts.get(competency, 0) + 1
    from matching.framework import load_framework
    return {c.id for c in load_framework().competencies if counts.get(c.id, 0) < below}


def draw_uncertain_lines(pools: dict[tuple[bool, str], list[dict]], plan: dict, rng: random.Random) -> list[tuple]:
    """Round 4: (advert, informatics, split, rows) with only the uncertain lines keyed, each after its heading."""
    from advert_text.normalise import fold
    phrase, learned = both_matchers()
    rare = rare_competencies(plan["rare_below"])
    candidates = []
    for informatics, split, advert in pooled_in_splits(pools, plan["splits"]):
        rows = packet_lines(advert, matched_only=True)
        lines = [text for text, key in rows if key]
        if not lines:
            continue
        _, asks, _ = learned.text_probabilities([fold(line) for line in lines])
        reasons = {}
        for line, by_phrase, by_learned, ask in zip(lines, phrase.match_lines(lines), learned.match_lines(lines),
                                                     asks, strict=True):
            ids_phrase, ids_learned = {m.competency_id for m in by_phrase}, {m.competency_id for m in by_learned}
            reasons[line] = (int(ids_phrase != ids_learned) + int(0.2 <= float(ask) <= 0.8)
                             + int(bool((ids_phrase | ids_learned) & rare)))
        chosen = sorted((line for line in lines if reasons[line]), key=lambda line: -reasons[line])
        chosen = set(chosen[: plan["per_advert"]])
        if chosen:
            weight = sum(reasons[line] for line in chosen)
            candidates.append((rng.random() ** (1 / weight), advert, informatics, split,
                               _with_headings(rows, chosen)))
    drawn = [entry[1:] for entry in first_by_key(candidates, plan["lines"],
                                                  lambda entry: sum(1 for _, key in entry[4] if key))]
    print(f"{len(candidates)} adverts of {'/'.join(plan['splits'])} hold uncertain lines; drew {len(drawn)}")
    return drawn


def _with_headings(rows: list[tuple[str, str | None]], chosen: set[str]) -> list[tuple[str, str | None]]:
    """The chosen lines, keyed, each after the nearest heading above it (unkeyed, as context)."""
    kept, heading, shown = [], None, None
    for text, key in rows:
        if key is None:
            heading = text
        elif text in chosen:
            if heading is not None and heading != shown:
                kept.append((heading, None))
                shown = heading
            kept.append((text, key))
    return kept


def write_packet(path: Path, packet: list[tuple[dict, list]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for advert, rows in packet:
            handle.write(f"\n=== ADVERT {advert['_id']} | title: {advert.get('title')} | "
                         f"employer: {employer_of(advert)}\n")
            for text, key in rows:
                handle.write(f"  {key} | {text}\n" if key else f"  {'(context, not labelled)':>24} | {text}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, required=True, help="folder for the packets (outside the repository)")
    parser.add_argument("--packets", type=int, default=6)
    parser.add_argument("--round", type=int, choices=sorted(ROUNDS), default=1)
    args = parser.parse_args()
    plan = ROUNDS[args.round]
    earlier = {json.loads(line)["advert"] for number, other in ROUNDS.items() if number < args.round
               for line in other["manifest"].read_text(encoding="utf-8").splitlines() if line.strip()}
    if args.round >= 3:  # nor the adverts of the first 1,500 real lines (rounds 1-2 drew before this rule)
        earlier |= {json.loads(line)["key"].split(":")[0]
                    for line in OLD_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()}
    if not args.corpus.is_file():
        print(f"skipped: no corpus at {args.corpus}")
        return 0
    pools: dict[tuple[bool, str], list[dict]] = {}
    for advert in adverts(args.corpus):
        if str(advert["_id"]) in earlier or len(advert_lines(advert)) < MIN_LINES:
            continue
        informatics = is_informatics(informatics_score(advert.get("title"), description_text(advert)))
        pools.setdefault((informatics, split_of(advert)), []).append(advert)
    rng = random.Random(plan["seed"])
    if "per_advert" in plan:
        drawn = draw_uncertain_lines(pools, plan, rng)
    else:
        drawn = draw_by_weight(pools, plan, rng) if "lines" in plan else draw_by_share(pools, plan, rng)
        drawn = [(advert, informatics, split, packet_lines(advert, matched_only=args.round > 1))
                 for advert, informatics, split in drawn]
    rng.shuffle(drawn)
    drawn = [entry for entry in drawn if any(key for _, key in entry[3])]  # round 2: some line to label
    args.out.mkdir(parents=True, exist_ok=True)
    manifest, packets = [], [[] for _ in range(args.packets)]
    sizes = [0] * args.packets
    for advert, informatics, split, rows in drawn:
        keys = [key for _, key in rows if key]
        target = sizes.index(min(sizes))
        sizes[target] += len(keys)
        packets[target].append((advert, rows))
        manifest.append({"advert": str(advert["_id"]), "split": split, "informatics": informatics,
                         "packet": target + 1, "keys": keys})
    double = rng.sample(range(len(drawn)), round(DOUBLE_SHARE * len(drawn)))
    blind = [[] for _ in range(DOUBLE_PACKETS)]
    for position, index in enumerate(sorted(double)):
        blind[position % DOUBLE_PACKETS].append(next(entry for entry in packets[manifest[index]["packet"] - 1]
                                                     if entry[0] is drawn[index][0]))
        manifest[index]["double"] = position % DOUBLE_PACKETS + 1
    for name, packet in [*((f"packet_{n:02d}", p) for n, p in enumerate(packets, 1)),
                         *((f"blind_{n:02d}", p) for n, p in enumerate(blind, 1))]:
        write_packet(args.out / f"{name}.txt", packet)
    plan["manifest"].write_text("".join(json.dumps(row) + "\n" for row in manifest), encoding="utf-8")
    lines = sum(len(row["keys"]) for row in manifest)
    print(f"blind second labelling: {[sum(len(rows) for _, rows in p) for p in blind]} rows")
    print(f"{len(manifest)} adverts, {lines} lines to label; packets of {sizes} lines in {args.out}")
    for split in ("train", "validation", "test"):
        part = [row for row in manifest if row["split"] == split]
        print(f"  {split}: {len(part)} adverts ({sum(r['informatics'] for r in part)} informatics), "
              f"{sum(len(r['keys']) for r in part)} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
