"""The rapidfuzz matcher: requirement lines against each competency's key phrases.

Every line is folded and its abbreviations expanded; ``process.cdist`` (rapidfuzz's C++/SIMD
path) scores it against the key phrases, and multi-word phrases also against the line's Snowball
stems, so "evaluating interventions" meets "evaluate interventions". A fuzzy match counts only
where it lines up with the line's words. A competency's score for a line is its best key phrase's
score; the line keeps the top-k competencies at or above the threshold, each with the phrase and
the words it matched as evidence. Candidate phrases are found by their words' first letters or
outline, so a typo inside a word still reaches the scorer. A line no phrase matched gets a second
chance with function words between a phrase's words ("explain the results"), then may get one
competency from the vocabulary fallback (``vocabulary.py``). Domains and subdomains are never matched directly: they
follow from competencies.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import metadata, resources
from pathlib import Path

import numpy as np
import snowballstemmer
import yaml
from pydantic import ValidationError
from rapidfuzz import fuzz, process

from advert_text.extract import BOILERPLATE_RULES
from advert_text.normalise import abbreviations_in, fold
from matching.framework import Framework
from matching.schemas import MatcherSettings, describe
from matching.vocabulary import CompetencyVocabulary

STEM_CHARS = 3
OUTLINE_MIN_CHARS = 4
PHRASE_WORDS_INDEXED = 8  # a phrase's first words that find it (key phrases are short)
STOPWORDS = frozenset({"a", "an", "and", "of", "the", "to", "in", "for", "with", "or", "on", "at", "by", "as"})
# Words a line may put between a phrase's words ("present the findings" for "present findings"): articles,
# prepositions, possessives. Not "and" or "or", which join two things ("digital health and technology").
FUNCTION_WORDS = frozenset({"a", "an", "the", "of", "to", "in", "for", "with", "on", "at", "by", "as", "our", "your",
                            "their", "its", "this", "that", "these", "those"})
SCORERS = {"partial_ratio": fuzz.partial_ratio, "token_set_ratio": fuzz.token_set_ratio, "ratio": fuzz.ratio}


@dataclass(frozen=True)
class MatcherConfig:
    version: str
    scorer: str
    threshold: float
    top_k: int
    short_phrase_chars: int
    min_line_chars: int
    abbreviations: dict[str, str]
    stem_threshold: float | None = None
    word_suffix_chars: int | None = None
    fallback_min_words: int | None = None
    fallback_min_weight: float = 0.0
    fallback_min_share: float = 0.0
    fallback_ignore_words: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """The matcher version as stored with each match: the name plus a hash of every setting, of the
        boilerplate rules (which decide which lines are matched at all) and of the matching code itself."""
        settings = {**self.__dict__, "boilerplate": BOILERPLATE_RULES, "code": code_fingerprint()}
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
        return f"{self.version}@{digest[:8]}"


# Every module whose code decides what a line matches, and the libraries that score and stem: the matcher
# version hashes them, so changing a constant or a rule re-matches the warehouse and retires the recorded
# accuracy figures instead of quoting them for a matcher that no longer exists.
# (package, module) of every module whose code decides a match
MATCHING_MODULES = (("matching", "matcher.py"), ("advert_text", "normalise.py"), ("advert_text", "extract.py"),
                    ("matching", "vocabulary.py"))
MATCHING_LIBRARIES = ("rapidfuzz", "snowballstemmer")


def modules_digest(modules: tuple[tuple[str, str], ...], libraries: tuple[str, ...] = ()) -> str:
    """SHA-256 of each (package, module)'s name and code, then each library's installed version."""
    digest = hashlib.sha256()
    for package, name in modules:
        digest.update(name.encode() + b"\0" + (resources.files(package) / name).read_bytes())
    for library in libraries:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    return modules_digest(MATCHING_MODULES, MATCHING_LIBRARIES)


class MatcherSettingsError(ValueError):
    """matcher.yaml cannot be read or breaks its schema (``matching.schemas.MatcherSettings``)."""


def load_config(path: Path | str | None = None) -> MatcherConfig:
    """The matcher settings (the bundled matcher.yaml unless ``path``), checked key by key."""
    where = str(path) if path is not None else "matching/data/matcher.yaml"
    try:
        text = (Path(path) if path is not None else resources.files("matching") / "data" / "matcher.yaml").read_text(
            encoding="utf-8")
        raw = yaml.safe_load(text)
        settings = MatcherSettings.model_validate(raw)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MatcherSettingsError(f"{where}: cannot read the matcher settings ({exc})") from exc
    except ValidationError as exc:
        raise MatcherSettingsError(f"{where}: {describe(exc, raw)}") from None
    return MatcherConfig(
        version=settings.version, scorer=settings.scorer, threshold=float(settings.threshold),
        top_k=settings.top_k, short_phrase_chars=settings.short_phrase_chars, min_line_chars=settings.min_line_chars,
        stem_threshold=None if settings.stem_threshold is None else float(settings.stem_threshold),
        word_suffix_chars=settings.word_suffix_chars, fallback_min_words=settings.fallback_min_words,
        fallback_min_weight=float(settings.fallback_min_weight), fallback_min_share=float(settings.fallback_min_share),
        fallback_ignore_words=tuple(sorted(word.lower() for word in settings.fallback_ignore_words)),
        abbreviations={key.lower(): value.lower() for key, value in settings.abbreviations.items()},
    )


def on_word_boundaries(text: str, start: int, end: int, suffix_chars: int) -> bool:
    """Whether ``text[start:end]`` (a phrase's fuzzy alignment) starts where a word starts and ends at
    most ``suffix_chars`` before a word ends ("research methods" for "research method", not "long term
    placement" for "long term plan", nor "clinical governance" for "ai governance")."""
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    if start > 0 and text[start - 1] != " ":
        return False
    rest_of_word = text[end:].split(" ", 1)[0]
    return len(rest_of_word) <= suffix_chars


def spread_form(phrase: str) -> str | None:
    """The words of a folded phrase that a line may spread out with function words between them, or None
    for a phrase that starts or ends with one ("complex data to": its last word is part of what it
    asks) or keeps fewer than two words. Its own "and"/"or" are dropped too: a line may join the two
    with a comma ("incident, problem and change" for "incident and problem")."""
    words = phrase.split()
    if words[0] in STOPWORDS | FUNCTION_WORDS or words[-1] in STOPWORDS | FUNCTION_WORDS:
        return None
    kept = [word for word in words if word not in FUNCTION_WORDS and word not in ("and", "or")]
    return " ".join(kept) if len(kept) >= 2 else None


def word_keys(word: str, *, indexing: bool = False) -> tuple[str, ...]:
    """The keys under which a word finds candidate phrases: its first letters and, when it is long
    enough to carry a typo inside, an outline: first letter, last letters and length (a typo changes
    the length by one at most, so a phrase's word is indexed under its length and the two next to it;
    a typo in the first letter is not looked for, see ``Matcher._align``)."""
    if len(word) < OUTLINE_MIN_CHARS:
        return (word[:STEM_CHARS],)
    outline = f"{word[0]}-{word[-(4 if len(word) >= 6 else 2):]}"
    lengths = (len(word) - 1, len(word), len(word) + 1) if indexing else (len(word),)
    return (word[:STEM_CHARS], *(f"{outline}{length}" for length in lengths))


class WordStemmer:
    """English Snowball stems, remembered per word (adverts reuse a small vocabulary)."""

    def __init__(self):
        self._stemmer = snowballstemmer.stemmer("english")
        self._known: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        stem = self._known.get(word)
        if stem is None:
            stem = self._known[word] = self._stemmer.stemWord(word)
        return stem


@dataclass(frozen=True)
class PreparedLine:
    """A line in the two forms the matcher scores: folded words, and their stems."""

    words: tuple[str, ...]
    stems: tuple[str, ...]
    written_words: int  # the words the line itself has; abbreviation expansions follow them
    expanded_from: tuple[str, ...] = ()  # for each expansion word, the abbreviation it expands

    @cached_property
    def folded(self) -> str:
        return " ".join(self.words)

    @cached_property
    def stemmed(self) -> str:
        return " ".join(self.stems)

    def word_span(self, start: int, end: int, *, stemmed: bool) -> range:
        """The positions of the words behind characters ``start:end`` of the folded or stemmed text."""
        first = last = None
        position = 0
        for index, (word, stem) in enumerate(zip(self.words, self.stems)):
            length = len(stem if stemmed else word)
            if position < end and position + length > start:
                first = index if first is None else first
                last = index
            position += length + 1
        return range(0) if first is None else range(first, last + 1)

    def masked(self, words: range, *, stemmed: bool) -> str:
        """The folded or stemmed text with these words blanked out (same length, so offsets hold)."""
        forms = self.stems if stemmed else self.words
        return " ".join(" " * len(form) if index in words else form for index, form in enumerate(forms))

    def quote(self, words: range) -> str:
        """The folded words at these positions, as the line wrote them: an abbreviation's expansion is
        quoted as the abbreviation ("sql", not "database")."""
        quoted = []
        for position in words:
            word = self.words[position] if position < self.written_words else \
                self.expanded_from[position - self.written_words]
            if not quoted or quoted[-1] != word or position < self.written_words:
                quoted.append(word)
        return " ".join(quoted)


@dataclass(frozen=True)
class KeyPhrase:
    competency_id: str
    text: str                # folded
    stemmed: str | None      # its words' stems, for phrases of several words
    short: bool              # so short it must also appear as a whole word


@dataclass(frozen=True)
class PhraseHit:
    score: float
    on_stems: bool   # scored against the line's stems rather than its folded words
    words: range     # positions of the line's words the phrase aligned with

    def inside(self, other: PhraseHit) -> bool:
        """Whether this hit's words are part of a longer hit that scored as well ("database" inside
        "bibliographic databases")."""
        return (other.score >= self.score and len(other.words) > len(self.words)
                and other.words.start <= self.words.start and self.words.stop <= other.words.stop)


@dataclass(frozen=True)
class CompetencyMatch:
    competency_id: str
    score: float
    evidence: str


class Matcher:
    """Maps requirement lines onto a framework's competencies.

    Every key phrase is compared, fuzzily, with the line's folded words. A phrase of several words is
    also compared with the line's stems, more strictly (stems are short, so a fuzzy match of stems is
    loose); single words are never stemmed, since that widens them too far ("completeness" and
    "complete" share a stem).
    """

    def __init__(self, framework: Framework, config: MatcherConfig | None = None):
        self.framework = framework
        self.config = config or load_config()
        self.version = self.config.fingerprint
        self._stem = WordStemmer()
        self._phrases: list[KeyPhrase] = []
        for competency in framework.competencies:
            for keyword in competency.keywords:
                words = fold(keyword).split()
                if not words:
                    continue
                text = " ".join(words)
                stemmed = " ".join(self._stem(w) for w in words) if len(words) > 1 else None
                self._phrases.append(KeyPhrase(competency.id, text, stemmed,
                                               len(text) <= self.config.short_phrase_chars))
        self._spread_forms = [spread_form(phrase.text) for phrase in self._phrases]
        self._vocabulary = None if self.config.fallback_min_words is None else CompetencyVocabulary(
            framework, self._stem, self.config.fallback_ignore_words,
            self.config.fallback_min_words, self.config.fallback_min_weight, self.config.fallback_min_share)
        self._short_patterns = {
            i: re.compile(rf"\b{re.escape(p.text)}\b") for i, p in enumerate(self._phrases) if p.short
        }
        # Candidate lookup: each key of each phrase word, as "phrase word ids" (phrase index * 8 + position)
        by_key: dict[str, list[int]] = {}
        words_needed = []
        for i, phrase in enumerate(self._phrases):
            words = [w for w in phrase.text.split() if w not in STOPWORDS] or phrase.text.split()
            words_needed.append(min(2, len(set(words))))
            for position, word in enumerate(words[:PHRASE_WORDS_INDEXED]):
                for key in word_keys(word, indexing=True):
                    by_key.setdefault(key, []).append(i * PHRASE_WORDS_INDEXED + position)
        self._by_key = {key: np.array(ids, dtype=np.int64) for key, ids in by_key.items()}
        self._words_needed = np.array(words_needed)
        self._reached: dict[str, np.ndarray] = {}

    def prepare(self, line: str) -> PreparedLine:
        written = fold(line).split()
        words, sources = list(written), []
        for short, expansion in abbreviations_in(" ".join(written), self.config.abbreviations):
            words += expansion.split()
            sources += [short] * len(expansion.split())
        return PreparedLine(tuple(words), tuple(self._stem(w) for w in words), len(written), tuple(sources))

    def match_lines(self, lines: list[str]) -> list[list[CompetencyMatch]]:
        """The top-k competencies for each line, best first; an empty list where nothing reaches the threshold.

        Each distinct line is scored once, against its candidate phrases only (``_candidates``). A line
        no phrase matched gets one competency from the vocabulary fallback, when that is configured and
        confident.
        """
        prepared = [self.prepare(line) for line in lines]
        found: dict[PreparedLine, list[CompetencyMatch]] = {}
        for line in prepared:
            if line not in found and len(line.folded) >= self.config.min_line_chars:
                found[line] = self._best_competencies(line, self._phrase_scores(line)) or self._fallback(line)
        return [list(found.get(line) or []) for line in prepared]

    def _fallback(self, line: PreparedLine) -> list[CompetencyMatch]:
        match = self._vocabulary.best(line.words[:line.written_words]) if self._vocabulary else None
        if match is None:
            return []
        return [CompetencyMatch(match.competency_id, match.score, f"shared words ~ '{' '.join(match.shared_words)}'")]

    def _phrase_scores(self, line: PreparedLine) -> dict[int, PhraseHit]:
        """Each candidate phrase's best hit at or above its threshold, on the line's words or its stems."""
        candidates = self._candidates(line)
        scores: dict[int, PhraseHit] = {}
        passes = [(False, candidates)]
        if self.config.stem_threshold is not None:
            passes.append((True, [i for i in candidates if self._phrases[i].stemmed]))
        for on_stems, group in passes:
            if not group:
                continue
            text = line.stemmed if on_stems else line.folded
            phrases = [self._phrase_text(i, on_stems) for i in group]
            row = process.cdist([text], phrases, scorer=SCORERS[self.config.scorer], processor=None,
                                score_cutoff=self._cutoff(on_stems), dtype=np.uint8)[0]
            for i, score in zip(group, row):
                hit = self._align(i, on_stems, line, text, float(score)) if score else None
                if hit and (i not in scores or hit.score > scores[i].score):
                    scores[i] = hit
        return self._longest_hits_win(line, scores or self._spread_hits(line, candidates))

    def _spread_hits(self, line: PreparedLine, candidates: list[int]) -> dict[int, PhraseHit]:
        """Second chance for a line no phrase matched: a phrase's words in the line in order, exactly, with
        function words between them ("explain the results" for "explain results", "engage at a senior"
        for "engage senior"). Scored at the threshold, so a phrase matched as written ranks above it."""
        kept = [i for i, word in enumerate(line.words[:line.written_words]) if word not in FUNCTION_WORDS]
        text = " " + " ".join(line.words[i] for i in kept) + " "
        hits = {}
        for index in candidates:
            form = self._spread_forms[index]
            at = text.find(f" {form} ") if form else -1
            if at >= 0:
                first = len(text[:at].split())
                words = kept[first:first + form.count(" ") + 1]
                hits[index] = PhraseHit(self.config.threshold, False, range(words[0], words[-1] + 1))
        return hits

    def _phrase_text(self, index: int, on_stems: bool) -> str:
        return self._phrases[index].stemmed if on_stems else self._phrases[index].text

    def _cutoff(self, on_stems: bool) -> float:
        return self.config.stem_threshold if on_stems else self.config.threshold

    def _align(self, index: int, on_stems: bool, line: PreparedLine, text: str, score: float) -> PhraseHit | None:
        """Where a phrase that scored ``score`` against ``text`` lies in it, or None when that is not a
        real hit: a short phrase that is not a whole word, or one that does not line up with words."""
        phrase = self._phrase_text(index, on_stems)
        if self._phrases[index].short and not self._short_patterns[index].search(text):
            return None
        suffix_chars = self.config.word_suffix_chars
        if suffix_chars is not None and len(phrase) > len(text):
            return None  # partial_ratio would score the line inside the phrase: "Requirements" in any
        alignment = fuzz.partial_ratio_alignment(phrase, text)
        start, end = alignment.dest_start, alignment.dest_end
        if text[start:end].lstrip()[:1] != phrase[:1]:
            return None  # a typo is rarely a word's first letter; "eprescribing" is not "prescribing"
        if suffix_chars is not None and not on_word_boundaries(text, start, end, 0 if on_stems else suffix_chars):
            return None
        return PhraseHit(score, on_stems, line.word_span(start, end, stemmed=on_stems))

    def _longest_hits_win(self, line: PreparedLine, hits: dict[int, PhraseHit]) -> dict[int, PhraseHit]:
        """Words that a longer phrase of another competency matched belong to that competency, as in term
        recognition: "database" inside "bibliographic databases" is not a hit, unless the phrase also
        occurs elsewhere in the line."""
        kept = {}
        for index, hit in hits.items():
            competency = self._phrases[index].competency_id
            covering = next((other for other_index, other in hits.items()
                             if self._phrases[other_index].competency_id != competency and hit.inside(other)), None)
            if covering is not None:
                text = line.masked(covering.words, stemmed=hit.on_stems)
                score = SCORERS[self.config.scorer](self._phrase_text(index, hit.on_stems), text, processor=None,
                                                    score_cutoff=self._cutoff(hit.on_stems))
                hit = self._align(index, hit.on_stems, line, text, float(score)) if score else None
            if hit is not None:
                kept[index] = hit
        return kept

    def _candidates(self, line: PreparedLine) -> list[int]:
        """Phrases that share a word with the line, two words when they have two or more: a phrase short of
        that cannot reach the threshold, and skipping it keeps the matcher fast. Words are compared by
        their first letters or their outline (``word_keys``), so a typo inside a word still leaves a
        candidate ("buisness case", "kowledge management") for the fuzzy scorer to judge."""
        found = [ids for ids in map(self._phrase_words_reached, set(line.words)) if len(ids)]
        if not found:
            return []
        ids = np.concatenate(found)
        ids.sort()  # then drop repeats: np.unique costs more than the rest on arrays this small
        phrases = ids[np.r_[True, ids[1:] != ids[:-1]]] // PHRASE_WORDS_INDEXED
        shared = np.bincount(phrases, minlength=len(self._phrases))
        return np.flatnonzero(shared >= self._words_needed).tolist()

    def _phrase_words_reached(self, word: str) -> np.ndarray:
        """The phrase word ids a line's word finds through its keys (and its hyphenated parts'), remembered:
        adverts reuse a small vocabulary."""
        ids = self._reached.get(word)
        if ids is None:
            keys = {key for part in (word, *word.split("-")[1:]) for key in word_keys(part)}
            found = [self._by_key[key] for key in keys if key in self._by_key]
            ids = self._reached[word] = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
        return ids

    def _best_competencies(self, line: PreparedLine, phrase_hits: dict[int, PhraseHit]) -> list[CompetencyMatch]:
        """Each competency's best phrase (ties go to the longer phrase), best competencies first, with the
        phrase and the line's own (unstemmed) words it matched as evidence."""
        best: dict[str, tuple[float, int, int]] = {}
        for index, hit in phrase_hits.items():
            phrase = self._phrases[index]
            key = (hit.score, len(phrase.text), index)
            if phrase.competency_id not in best or key[:2] > best[phrase.competency_id][:2]:
                best[phrase.competency_id] = key
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1]))
        matches = []
        for cid, (score, _, index) in ranked[: self.config.top_k]:
            hit = phrase_hits[index]
            matched = line.quote(hit.words)
            matches.append(CompetencyMatch(cid, score, f"'{self._phrases[index].text}' ~ '{matched}'"))
        return matches

    def domains_of(self, matches: list[CompetencyMatch]) -> list[str]:
        seen = []
        for match in matches:
            domain = self.framework.competency(match.competency_id).domain_id
            if domain not in seen:
                seen.append(domain)
        return sorted(seen, key=int)
