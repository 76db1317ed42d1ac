"""Catch rate per class of planted contact details (tests/crawler/privacy_variants.py), through scrub_page and both
parsers, against a naive baseline (one email regex and one UK phone regex on the raw markup).

    .venv/bin/python bench/privacy_catch_rate.py [--per-class 100] [--seed 2026]
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.privacy import scrub_page  # noqa: E402
from tests.crawler.privacy_variants import generate, survivors  # noqa: E402
from tests.crawler.test_privacy import jobposting_page, nhsjobs_page  # noqa: E402

NAIVE_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
NAIVE_PHONE = re.compile(r"\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b")


def naive_scrub(page: str) -> str:
    return NAIVE_PHONE.sub("[phone]", NAIVE_EMAIL.sub("[email]", page))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    variants = generate(args.seed, args.per_class)
    rng = random.Random(args.seed)
    caught, naive_caught, total = defaultdict(int), defaultdict(int), defaultdict(int)
    started = time.perf_counter()
    pages = 0
    for variant in variants:
        for page in (nhsjobs_page(variant, rng), jobposting_page(variant, rng)):
            total[variant.kind] += 1
            caught[variant.kind] += not survivors(variant, scrub_page(page))
            naive_caught[variant.kind] += not survivors(variant, naive_scrub(page))
            pages += 1
    seconds = time.perf_counter() - started
    print(f"{len(variants)} variants in {pages} pages (seed {args.seed}); scrub_page {pages / seconds:.0f} pages/s")
    print(f"{'class':<28}{'pages':>7}{'cijobs':>10}{'naive':>10}")
    for kind in sorted(total):
        print(f"{kind:<28}{total[kind]:>7}{caught[kind] / total[kind]:>10.1%}{naive_caught[kind] / total[kind]:>10.1%}")
    everything = sum(total.values())
    print(f"{'all':<28}{everything:>7}{sum(caught.values()) / everything:>10.1%}"
          f"{sum(naive_caught.values()) / everything:>10.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
