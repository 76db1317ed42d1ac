"""Draw whole real adverts for labelling (matching v6, section extraction) and write reading packets.

Adverts are drawn from ../shared/data/nhs_jobs_2020 (reserved adverts never), informatics adverts
over-weighted but not only, each split (by employer) in proportion. Every line of a drawn advert is
labelled, prose included, so the labels reflect what the crawler extracts. The packets (with texts)
go to a folder outside the repository for the labellers; the project keeps only the manifest:
advert ids, line keys, split and sample.

    .venv/bin/python bench/draw_labelling_sample.py --out /tmp/cijobs-labelling [--packets 6]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from real_corpus import DEFAULT_CORPUS, ROOT, advert_lines, adverts, description_text, employer_of, line_key, split_of

sys.path.insert(0, str(ROOT))
from crawler.relevance import informatics_score, is_informatics  # noqa: E402
from matching.extract import split_lines  # noqa: E402

MANIFEST = ROOT / "tests" / "data" / "real_2020_v6_manifest.jsonl"
SEED = 2029
INFORMATICS_ADVERTS = 230
OTHER_ADVERTS = 110
MIN_LINES = 3
DOUBLE_SHARE = 0.2  # adverts labelled a second time, blind, by other labellers
DOUBLE_PACKETS = 2


def packet_lines(advert: dict) -> list[tuple[str, str | None]]:
    """(text, key) for each paragraph piece in reading order; short headings come with key None."""
    rows, seen = [], set()
    for paragraph in description_text(advert).splitlines():
        pieces = split_lines(paragraph)
        if not pieces and paragraph.strip():
            rows.append((" ".join(paragraph.split()), None))
        for piece in pieces:
            key = line_key(str(advert["_id"]), piece)
            rows.append((piece, None if key in seen else key))
            seen.add(key)
    return rows


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
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"skipped: no corpus at {args.corpus}")
        return 0
    pools: dict[tuple[bool, str], list[dict]] = {}
    for advert in adverts(args.corpus):
        if len(advert_lines(advert)) < MIN_LINES:
            continue
        informatics = is_informatics(informatics_score(advert.get("title"), description_text(advert)))
        pools.setdefault((informatics, split_of(advert)), []).append(advert)
    rng = random.Random(SEED)
    drawn = []
    for informatics, wanted in ((True, INFORMATICS_ADVERTS), (False, OTHER_ADVERTS)):
        total = sum(len(pool) for (inf, _), pool in pools.items() if inf == informatics)
        for (inf, split), pool in sorted(pools.items()):
            if inf != informatics:
                continue
            take = min(len(pool), round(wanted * len(pool) / total))
            drawn += [(advert, informatics, split) for advert in rng.sample(pool, take)]
    rng.shuffle(drawn)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest, packets = [], [[] for _ in range(args.packets)]
    sizes = [0] * args.packets
    for advert, informatics, split in drawn:
        rows = packet_lines(advert)
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
    MANIFEST.write_text("".join(json.dumps(row) + "\n" for row in manifest), encoding="utf-8")
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
