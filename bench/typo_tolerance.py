"""Typo tolerance: how many correct matches survive one typo in the words that matched.

For every labelled line of the project's sets (tests/data/requirements_{gold,blind}.jsonl) where the
matcher finds a labelled competency, one word of four letters or more inside that match's evidence
gets one typo (a letter dropped, doubled, swapped with the next or replaced; never the first letter,
which people rarely get wrong and which the matcher relies on). The figure is the share of those
matches still found, overall and by the length of the misspelt word: a typo costs a short word a
larger share of its letters, so short phrases are the first to fall below the threshold. (No naive
baseline here: a whole-line scorer hardly notices one typo in a long line, and that says nothing
about whether it found the right competency in the first place; see bench/real_lines_eval.py.)

    .venv/bin/python bench/typo_tolerance.py [--seed 1]
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.evaluate import load_gold  # noqa: E402
from matching.framework import load_framework  # noqa: E402
from matching.matcher import Matcher  # noqa: E402

SETS = [ROOT / "tests" / "data" / "requirements_gold.jsonl", ROOT / "tests" / "data" / "requirements_blind.jsonl"]
MIN_WORD_CHARS = 4


def with_typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap", "replace"))
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + rng.choice([c for c in "aeioustnrl" if c != word[i]]) + word[i + 1:]


def misspell_one_of(text: str, words: list[str], rng: random.Random) -> tuple[str, str] | None:
    """The text with one of these words misspelt, and the word."""
    candidates = [w for w in words if len(w) >= MIN_WORD_CHARS and re.search(rf"\b{re.escape(w)}\b", text)]
    if not candidates:
        return None
    word = rng.choice(candidates)
    return re.sub(rf"\b{re.escape(word)}\b", lambda _: with_typo(word, rng), text, count=1), word


def project_pairs(matcher: Matcher, rows: list[dict], rng: random.Random) -> list[tuple[str, str, str]]:
    """(competency id, misspelt line, the word misspelt) for each correct match, misspelling a word of its
    evidence."""
    pairs = []
    for row, found in zip(rows, matcher.match_lines([row["text"] for row in rows])):
        for match in found:
            if match.competency_id not in row["competencies"] or "~ '" not in match.evidence:
                continue
            quoted = match.evidence.split("~ '", 1)[1].rstrip("'")
            # evidence quotes folded words: find them in the line case-insensitively
            words = [w for w in re.findall(r"[A-Za-z]+", row["text"]) if w.lower() in quoted.split()]
            misspelt = misspell_one_of(row["text"], words, rng)
            if misspelt:
                pairs.append((match.competency_id, *misspelt))
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    framework = load_framework()
    matcher = Matcher(framework)
    rows = [row for path in SETS for row in load_gold(path)]

    pairs = project_pairs(matcher, rows, rng)
    found = matcher.match_lines([text for _, text, _ in pairs])
    kept_by_length: dict[str, list[int]] = {}
    for (cid, _, word), matches in zip(pairs, found):
        band = "4-5 letters" if len(word) <= 5 else "6-8 letters" if len(word) <= 8 else "9+ letters"
        kept_by_length.setdefault(band, []).append(cid in {m.competency_id for m in matches})
    kept = sum(sum(flags) for flags in kept_by_length.values())
    print(f"{kept:,} of {len(pairs):,} correct matches kept after one typo ({kept / len(pairs):.1%}); "
          f"{len(rows):,} labelled lines, seed {args.seed}")
    for band in sorted(kept_by_length):
        flags = kept_by_length[band]
        print(f"  misspelt word of {band:<12} {sum(flags):5,} of {len(flags):5,} kept ({sum(flags) / len(flags):.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
