"""Article text: normalisation, offsets, quote selectors, re-anchoring, segmenting, quote search.

Offsets are half-open ``[start, end)`` in Unicode code points (Python ``str`` indices) into
NFC-normalised text with ``\\n`` line ends, as the W3C TextPositionSelector requires.
Browsers count UTF-16 code units; ``utf16_to_codepoint`` converts.

Pure: the standard library, rapidfuzz and py3langid only, no Django, so every function here can be
tested and benchmarked without a database.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TypeVar

import py3langid
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Levenshtein

CONTEXT = 32  # code points of prefix and of suffix stored with every annotation

ANCHORED, FUZZY, ORPHANED = "anchored", "fuzzy", "orphaned"

# Hypothesis client weights (match-quote.ts). Scores here are 0-100.
QUOTE_WEIGHT, PREFIX_WEIGHT, SUFFIX_WEIGHT, POSITION_WEIGHT = 50, 20, 20, 2
# An exact quote with one side of its context intact always reaches this, so does an edited
# quote (similarity >= 0.54) whose context is intact on both sides. A look-alike elsewhere,
# whose context is unrelated text, stays well below.
ACCEPT_SCORE = 75.0
# Hypothesis allows at most len(quote) / 2 errors.
MIN_QUOTE_SIMILARITY = 0.5
# Candidates are first looked for within this many code points (plus the quote's length) of
# where the annotation is expected. Farther away, only text that moved can be the passage,
# and moved text takes its surroundings along: one side of the context must be this similar.
WINDOW = 256
MOVED_CONTEXT = 0.9
# In reanchor_many, a candidate this much of which is old text from elsewhere is a look-alike.
OLD_TEXT_SHARE = 0.8
_TOTAL_WEIGHT = QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT

K = TypeVar("K", bound=Hashable)
# Whether a span of the new text may be taken: (start, end) -> bool.
_CandidateCheck = Callable[[int, int], bool]


class SpanError(ValueError):
    """A span or offset that does not fit the text. The message is shown to users."""


# -- normalisation and validation ------------------------------------------------------------


def normalise(text: str) -> str:
    """NFC, ``\\n`` line ends, no leading byte-order mark: the form every article is stored in."""
    text = text.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def validate_span(text: str, start: int, end: int, exact: str | None = None) -> None:
    """Raise SpanError unless ``[start, end)`` is a non-empty span of ``text``.

    When ``exact`` is given, the text there must equal it (after ``normalise``).
    """
    if start < 0:
        raise SpanError(f"start must be 0 or more (got {start})")
    if start >= end:
        raise SpanError(f"start {start} must be before end {end}")
    if end > len(text):
        raise SpanError(f"end {end} is past the end of the text ({_count(len(text))})")
    if exact is not None:
        found = text[start:end]
        if exact != found and normalise(exact) != found:
            raise SpanError(
                f"exact does not match the text at {start}–{end}: found '{_shorten(found)}'"
            )


def _count(characters: int) -> str:
    return f"{characters} character" if characters == 1 else f"{characters} characters"


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- selectors -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """A W3C TextQuoteSelector: the quoted text and up to CONTEXT code points either side."""

    exact: str
    prefix: str
    suffix: str


def quote_at(text: str, start: int, end: int) -> Quote:
    """The quote selector for ``[start, end)``; raises SpanError for an invalid span."""
    validate_span(text, start, end)
    return Quote(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
    )


# -- UTF-16 offsets --------------------------------------------------------------------------

# Characters outside the Basic Multilingual Plane take two UTF-16 code units.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def utf16_to_codepoint(text: str, offset: int) -> int:
    """Convert a UTF-16 code unit offset (as browsers count) to a code point offset."""
    if offset < 0:
        raise SpanError(f"offset must be 0 or more (got {offset})")
    astral_before = 0
    for match in _ASTRAL.finditer(text):
        unit = match.start() + astral_before
        if offset <= unit:
            return offset - astral_before
        if offset == unit + 1:
            raise SpanError(
                f"UTF-16 offset {offset} falls inside a surrogate pair (the middle of "
                f"'{match.group()}')"
            )
        astral_before += 1
    units = len(text) + astral_before
    if offset > units:
        raise SpanError(
            f"UTF-16 offset {offset} is past the end of the text ({units} UTF-16 code units)"
        )
    return offset - astral_before


def codepoint_to_utf16(text: str, offset: int) -> int:
    """Convert a code point offset to a UTF-16 code unit offset (as browsers count)."""
    if offset < 0:
        raise SpanError(f"offset must be 0 or more (got {offset})")
    if offset > len(text):
        raise SpanError(f"offset {offset} is past the end of the text ({_count(len(text))})")
    return offset + len(_ASTRAL.findall(text, 0, offset))


# -- re-anchoring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """Where an annotation sits in a new revision.

    ``state`` is ANCHORED (``exact`` found unchanged), FUZZY (moved to the best close match;
    ``exact`` is the text found there) or ORPHANED (not placed; ``start``/``end`` are the old
    ones clamped to the new text and ``exact`` is the old quote). ``score`` is 0-100.
    """

    start: int
    end: int
    exact: str
    state: str
    score: float


def reanchor(
    new_text: str,
    *,
    start: int,
    end: int,
    exact: str,
    prefix: str,
    suffix: str,
    old_length: int | None = None,
) -> Anchor:
    """Place one annotation in ``new_text`` (Hypothesis client style).

    1. The same position with the same ``exact``, prefix and suffix: anchored.
    2. The occurrence of ``exact`` that best matches prefix, suffix and old position:
       anchored.
    3. The best close match: fuzzy, with ``exact`` updated to the text found there.
    4. Otherwise orphaned.
    Steps 2 and 3 take a candidate only when it scores ACCEPT_SCORE or more; far from the
    old position it must also have kept one side of its context (MOVED_CONTEXT).
    ``old_length``, the length of the text the offsets refer to, scales the old position to
    the new text. For many annotations use ``reanchor_many``, which also uses the old text.
    """
    if not exact:
        return _orphan(new_text, start, end, exact, 0.0)
    if (
        start >= 0
        and new_text.startswith(exact, start)
        and new_text[max(0, start - len(prefix)) : start] == prefix
        and new_text[start + len(exact) : start + len(exact) + len(suffix)] == suffix
    ):
        return Anchor(start, start + len(exact), exact, ANCHORED, 100.0)
    hint = round(start * len(new_text) / old_length) if old_length else start
    target = _Target(exact, prefix, suffix, min(max(hint, 0), len(new_text)))
    # Without a diff the hint is only as good as the edits were even: widen the search near
    # it by how much the length changed.
    slack = abs(len(new_text) - old_length) if old_length else 0
    return _place(new_text, target, start, end, lambda found_start, found_end: True, slack=slack)


def reanchor_many(
    old_text: str,
    new_text: str,
    spans: Sequence[tuple[K, int, int, str, str, str]],
) -> dict[K, Anchor]:
    """Re-anchor many annotations from ``old_text`` to ``new_text`` at once.

    ``spans`` holds ``(key, start, end, exact, prefix, suffix)`` tuples; the result maps
    each key to its Anchor. One diff of the two texts maps old positions to new ones, and a
    span inside unchanged text moves with it (step 1). The others follow the rules of
    ``reanchor`` around their mapped position. Unchanged text that held something else in
    the old text is never taken: it is a look-alike, not the annotated passage.
    """
    diff = _Diff(old_text, new_text)
    anchors = {}
    for key, start, end, exact, prefix, suffix in spans:
        moved = diff.moved(start, end)
        if (
            exact
            and moved is not None
            and end - start == len(exact)
            and new_text.startswith(exact, moved)
        ):
            anchors[key] = Anchor(moved, moved + len(exact), exact, ANCHORED, 100.0)
            continue
        if not exact:
            anchors[key] = _orphan(new_text, start, end, exact, 0.0)
            continue
        target = _Target(exact, prefix, suffix, diff.to_new(max(start, 0)))
        anchors[key] = _place(
            new_text,
            target,
            start,
            end,
            lambda found_start, found_end, start=start, end=end: (
                not diff.held_other_text(found_start, found_end, start, end)
            ),
            slack=0,
        )
    return anchors


@dataclass(frozen=True)
class _Target:
    exact: str
    prefix: str
    suffix: str
    hint: int  # expected start in the new text


# Finds spans of the text that may be the target: (text, target, lo, hi) -> spans.
_Search = Callable[[str, _Target, int, int], Iterable[tuple[int, int]]]


@dataclass(frozen=True)
class _Candidate:
    score: float  # 0-100, Hypothesis weights
    start: int
    end: int


def _place(
    text: str,
    target: _Target,
    start: int,
    end: int,
    is_candidate: _CandidateCheck,
    *,
    slack: int,
) -> Anchor:
    """Steps 2 to 4: exact occurrences, then close matches.

    Exact occurrences near the hint (within WINDOW plus ``slack``) are tried before farther
    ones, which must also have kept one side of their context (MOVED_CONTEXT). An exact
    occurrence far from the hint loses to a better-scoring close match near it: the
    annotated passage was edited in place, and the far one is a look-alike.
    """
    reach = len(target.exact) + WINDOW + slack
    near = (max(0, target.hint - reach), min(len(text), target.hint + len(target.exact) + reach))
    anywhere = (0, len(text))

    def best(search: _Search, region: tuple[int, int]) -> _Candidate | None:
        return _best(text, target, search(text, target, *region), is_candidate, near)

    tried: list[_Candidate | None] = []
    tried.append(exact_near := best(_occurrences, near))
    if exact_near and exact_near.score >= ACCEPT_SCORE:
        return _anchor(text, target, exact_near)
    tried.append(exact := best(_occurrences, anywhere))
    tried.append(close_near := best(_close_matches, near))
    if (
        exact
        and exact.score >= ACCEPT_SCORE
        and (near[0] <= exact.start < near[1] or not close_near or close_near.score <= exact.score)
    ):
        return _anchor(text, target, exact)
    if close_near and close_near.score >= ACCEPT_SCORE:
        return _anchor(text, target, close_near)
    tried.append(close_far := best(_moved_matches, anywhere))
    if close_far and close_far.score >= ACCEPT_SCORE:
        return _anchor(text, target, close_far)
    return _orphan(text, start, end, target.exact, max(c.score if c else 0.0 for c in tried))


def _anchor(text: str, target: _Target, candidate: _Candidate) -> Anchor:
    found = text[candidate.start : candidate.end]
    state = ANCHORED if found == target.exact else FUZZY
    return Anchor(candidate.start, candidate.end, found, state, candidate.score)


def _orphan(text: str, start: int, end: int, exact: str, score: float) -> Anchor:
    # Clamped so the stored span stays non-empty and inside the text whenever it can.
    if not text:
        return Anchor(0, 0, exact, ORPHANED, score)
    clamped_end = min(max(end, 1), len(text))
    clamped_start = min(max(start, 0), clamped_end - 1)
    return Anchor(clamped_start, clamped_end, exact, ORPHANED, score)


def _best(
    text: str,
    target: _Target,
    spans: Iterable[tuple[int, int]],
    is_candidate: _CandidateCheck,
    near: tuple[int, int],
) -> _Candidate | None:
    """The best-scoring span; ties go to the one nearest the hint. Outside ``near`` a span
    must have kept one side of its context."""
    best: _Candidate | None = None
    for start, end in spans:
        found = text[start:end]
        if found == target.exact:
            quote = 1.0
        else:
            quote = Levenshtein.normalized_similarity(target.exact, found)
            if quote < MIN_QUOTE_SIMILARITY:
                continue
        prefix = _context_similarity(
            target.prefix, text[max(0, start - len(target.prefix)) : start]
        )
        suffix = _context_similarity(target.suffix, text[end : end + len(target.suffix)])
        is_near = near[0] <= start < near[1]
        if (not is_near and max(prefix, suffix) < MOVED_CONTEXT) or not is_candidate(start, end):
            continue
        position = max(0.0, 1.0 - abs(start - target.hint) / max(len(text), 1))
        raw = (
            QUOTE_WEIGHT * quote
            + PREFIX_WEIGHT * prefix
            + SUFFIX_WEIGHT * suffix
            + POSITION_WEIGHT * position
        )
        score = round(100 * raw / _TOTAL_WEIGHT, 2)
        if best is None or (score, -abs(start - target.hint)) > (
            best.score,
            -abs(best.start - target.hint),
        ):
            best = _Candidate(score, start, end)
    return best


def _context_similarity(stored: str, found: str) -> float:
    if stored == found:
        return 1.0
    if not stored:
        # No stored context: the span started (or ended) the text. Hypothesis scores this 1.
        return 1.0
    return Levenshtein.normalized_similarity(stored, found)


# A quote occurring more often than this cannot be told apart by its context anyway.
_MAX_OCCURRENCES = 5000


def _occurrences(text: str, target: _Target, lo: int, hi: int) -> list[tuple[int, int]]:
    """Every occurrence of ``target.exact`` inside ``[lo, hi)``, overlapping ones included."""
    spans = []
    length = len(target.exact)
    at = text.find(target.exact, lo, hi)
    while at != -1 and len(spans) < _MAX_OCCURRENCES:
        spans.append((at, at + length))
        at = text.find(target.exact, at + 1, hi)
    return spans


def _close_matches(text: str, target: _Target, lo: int, hi: int) -> set[tuple[int, int]]:
    """Spans of ``[lo, hi)`` that may be an edited version of the quote: the passage most
    like it, and passages between an intact prefix and an intact suffix."""
    spans = set(_bracketed(text, target, lo, hi))
    alignment = fuzz.partial_ratio_alignment(target.exact, text[lo:hi]) if lo < hi else None
    if alignment is not None and alignment.score > 0:
        margin = _margin(target.exact)
        spans.update(
            _trimmed(
                text,
                target.exact,
                max(0, lo + alignment.dest_start - margin),
                min(len(text), lo + alignment.dest_end + margin),
            )
        )
    return spans


def _moved_matches(text: str, target: _Target, lo: int, hi: int) -> set[tuple[int, int]]:
    """Like ``_close_matches`` for a passage that moved: it took one side of its context
    along, so the search starts from the prefix or the suffix (half of each, the half
    next to the quote), which is much faster than aligning the quote with the whole text."""
    spans = set(_bracketed(text, target, lo, hi))
    margin = _margin(target.exact)
    inner_prefix = target.prefix[-(CONTEXT // 2) :]
    for at in _found(text, inner_prefix, lo, hi):
        start = at + len(inner_prefix)
        found_prefix = text[max(0, start - len(target.prefix)) : start]
        if _context_similarity(target.prefix, found_prefix) < MOVED_CONTEXT:
            continue
        ends = _trimmed(
            text, target.exact, start, min(len(text), start + len(target.exact) + margin)
        )
        spans.update((start, end) for _, end in ends if start < end)
    inner_suffix = target.suffix[: CONTEXT // 2]
    for end in _found(text, inner_suffix, lo, hi):
        if _context_similarity(target.suffix, text[end : end + len(target.suffix)]) < MOVED_CONTEXT:
            continue
        starts = _trimmed(text, target.exact, max(0, end - len(target.exact) - margin), end)
        spans.update((start, end) for start, _ in starts if start < end)
    return spans


# Context hits tried per search: a short context (a span near the top) can occur very often.
_MAX_CONTEXT_HITS = 20


def _found(text: str, context: str, lo: int, hi: int) -> list[int]:
    hits: list[int] = []
    if not context:
        return hits
    at = text.find(context, max(0, lo - len(context)), min(len(text), hi + len(context)))
    while at != -1 and len(hits) < _MAX_CONTEXT_HITS:
        hits.append(at)
        at = text.find(context, at + 1, min(len(text), hi + len(context)))
    return hits


def _margin(exact: str) -> int:
    # Room for the edits a quote may have had at either end.
    return max(8, len(exact) // 4)


def _bracketed(text: str, target: _Target, lo: int, hi: int) -> list[tuple[int, int]]:
    """Spans between an intact prefix and an intact suffix: the quote itself was edited."""
    longest = 2 * len(target.exact) + CONTEXT
    if target.prefix:
        starts = [at + len(target.prefix) for at in _found(text, target.prefix, lo, hi)]
    else:
        starts = [0] if lo == 0 else []
    spans = []
    for start in starts:
        if target.suffix:
            limit = min(len(text), start + longest + len(target.suffix))
            end = text.find(target.suffix, start + 1, limit)
            if end != -1:
                spans.append((start, end))
        elif start < len(text) <= start + longest:
            spans.append((start, len(text)))
    return spans


def _trimmed(text: str, exact: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Where ``exact`` starts and stops inside ``[lo, hi)``, by a Levenshtein alignment.

    Text of the region around the quote shows up as insertions at either end and is cut
    off. Whether edited characters at the ends belong to the passage is left to scoring:
    the variants with and without them are all returned.
    """
    matched = Levenshtein.opcodes(exact, text[lo:hi])
    # Only the ends of the alignment matter; an Opcodes item is built on access, so the
    # middle is never touched.
    count = len(matched)
    first = next((i for i in range(count) if matched[i].tag != "insert"), None)
    first_equal = next((i for i in range(count) if matched[i].tag == "equal"), None)
    if first is None or first_equal is None:
        return []
    last = next(i for i in reversed(range(count)) if matched[i].tag != "insert")
    last_equal = next(i for i in reversed(range(count)) if matched[i].tag == "equal")
    starts = {matched[first].dest_start, matched[first_equal].dest_start}
    ends = {matched[last].dest_end, matched[last_equal].dest_end}
    return [(lo + start, lo + end) for start in starts for end in ends if start < end]


class _Diff:
    """Matching blocks between two texts, to map old positions to new ones.

    Sentences are compared first, then words inside the changed stretches, then characters
    inside the changed words: fast on a 100 KB article, and a character diff never pairs
    the letters of one word with scattered letters of deleted text.
    """

    def __init__(self, old: str, new: str) -> None:
        blocks: list[tuple[int, int, int]] = []
        _match_blocks(old, 0, len(old), new, 0, len(new), 0, blocks)
        blocks.sort()
        merged: list[tuple[int, int, int]] = []
        for old_start, new_start, size in blocks:
            if merged:
                last_old, last_new, last_size = merged[-1]
                if last_old + last_size == old_start and last_new + last_size == new_start:
                    merged[-1] = (last_old, last_new, last_size + size)
                    continue
            merged.append((old_start, new_start, size))
        self.old_length = len(old)
        self.new_length = len(new)
        self.blocks = merged
        self.old_starts = [block[0] for block in merged]
        self.new_starts = [block[1] for block in merged]

    def moved(self, start: int, end: int) -> int | None:
        """The new start of ``[start, end)`` when it lies inside unchanged text, else None."""
        index = bisect_right(self.old_starts, start) - 1
        if index < 0:
            return None
        old_start, new_start, size = self.blocks[index]
        if end <= old_start + size:
            return new_start + start - old_start
        return None

    def to_new(self, position: int) -> int:
        """The new position of an old one; inside a changed stretch, the corresponding point."""
        position = min(position, self.old_length)
        index = bisect_right(self.old_starts, position) - 1
        if index < 0:
            gap_old, gap_new = 0, 0
            next_new = self.new_starts[0] if self.blocks else self.new_length
        else:
            old_start, new_start, size = self.blocks[index]
            if position < old_start + size:
                return new_start + position - old_start
            gap_old, gap_new = old_start + size, new_start + size
            next_new = (
                self.new_starts[index + 1] if index + 1 < len(self.blocks) else self.new_length
            )
        return gap_new + min(position - gap_old, next_new - gap_new)

    def held_other_text(self, new_start: int, new_end: int, old_start: int, old_end: int) -> bool:
        """Whether ``[new_start, new_end)`` is (nearly all) unchanged text that lay outside
        ``[old_start, old_end)`` in the old text: then it was there all along and is not the
        annotated passage.
        """
        index = max(0, bisect_right(self.new_starts, new_start) - 1)
        elsewhere = 0
        while index < len(self.blocks) and self.new_starts[index] < new_end:
            block_old, block_new, size = self.blocks[index]
            low, high = max(new_start, block_new), min(new_end, block_new + size)
            if low < high:
                was_low = block_old + low - block_new
                if was_low < old_end and was_low + high - low > old_start:
                    return False
                elsewhere += high - low
            index += 1
        # A character diff also pairs up scattered letters of unrelated text; those few
        # matches must not make new text look old.
        return elsewhere >= OLD_TEXT_SHARE * (new_end - new_start)


_SENTENCES = re.compile(r"[^.!?\n]*[.!?\n]+\s*|[^.!?\n]+")
_WORDS = re.compile(r"\w+|\s+|[^\w\s]+")
_TOKENISERS = (_SENTENCES, _WORDS)
# Above this (length product), a character diff of a changed stretch costs too much and it
# is left unmatched.
_CHARACTER_DIFF_LIMIT = 25_000_000


def _match_blocks(
    old: str,
    old_start: int,
    old_end: int,
    new: str,
    new_start: int,
    new_end: int,
    level: int,
    out: list[tuple[int, int, int]],
) -> None:
    if old_start >= old_end or new_start >= new_end:
        return
    a, b = old[old_start:old_end], new[new_start:new_end]
    if level == len(_TOKENISERS):
        if len(a) * len(b) <= _CHARACTER_DIFF_LIMIT:
            for op in Indel.opcodes(a, b):
                if op.tag == "equal":
                    size = op.src_end - op.src_start
                    out.append((old_start + op.src_start, new_start + op.dest_start, size))
        return
    tokeniser = _TOKENISERS[level]
    old_tokens, new_tokens = tokeniser.findall(a), tokeniser.findall(b)
    old_offsets = _offsets(old_tokens)
    new_offsets = _offsets(new_tokens)
    old_counts, new_counts = Counter(old_tokens), Counter(new_tokens)
    done_old = done_new = 0
    for op in Indel.opcodes(old_tokens, new_tokens):
        # A run of repeated tokens (a stock phrase used twice) may be paired with the wrong
        # copy; only runs holding a token found once on each side are trusted. The rest is
        # diffed again, finer.
        if op.tag != "equal" or not any(
            old_counts[token] == 1 and new_counts[token] == 1
            for token in old_tokens[op.src_start : op.src_end]
        ):
            continue
        _match_blocks(
            old,
            old_start + old_offsets[done_old],
            old_start + old_offsets[op.src_start],
            new,
            new_start + new_offsets[done_new],
            new_start + new_offsets[op.dest_start],
            level + 1,
            out,
        )
        out.append(
            (
                old_start + old_offsets[op.src_start],
                new_start + new_offsets[op.dest_start],
                old_offsets[op.src_end] - old_offsets[op.src_start],
            )
        )
        done_old, done_new = op.src_end, op.dest_end
    _match_blocks(
        old,
        old_start + old_offsets[done_old],
        old_end,
        new,
        new_start + new_offsets[done_new],
        new_end,
        level + 1,
        out,
    )


def _offsets(tokens: list[str]) -> list[int]:
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    return offsets


# -- segments for rendering overlapping spans ------------------------------------------------


@dataclass(frozen=True)
class SpanRef:
    """A span to render: ``key`` identifies it (an annotation id)."""

    key: int
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    """A piece of text between two span boundaries, with the keys of the spans covering it
    (in the order the spans were given)."""

    start: int
    end: int
    text: str
    keys: tuple[int, ...]


def segments(text: str, spans: Iterable[SpanRef]) -> list[Segment]:
    """Cut ``text`` at every span boundary.

    The pieces cover the whole text in order; joined, they are ``text``. Empty spans and
    spans outside the text are ignored.
    """
    length = len(text)
    kept = [span for span in spans if 0 <= span.start < span.end <= length]
    opening: defaultdict[int, list[int]] = defaultdict(list)
    closing: defaultdict[int, list[int]] = defaultdict(list)
    for index, span in enumerate(kept):
        opening[span.start].append(index)
        closing[span.end].append(index)
    cuts = sorted({0, length, *opening, *closing})
    active: set[int] = set()
    pieces = []
    for start, end in pairwise(cuts):
        active.difference_update(closing.get(start, ()))
        active.update(opening.get(start, ()))
        keys = tuple(kept[index].key for index in sorted(active))
        pieces.append(Segment(start, end, text[start:end], keys))
    return pieces


# -- finding a quote in a source -------------------------------------------------------------


@dataclass(frozen=True)
class QuoteMatch:
    """The best place for a quote in a source text.

    ``score`` is 0-100 (100: found verbatim once typography, spacing and case are ignored).
    ``start``/``end`` are code point offsets of the passage in the source (in its NFC form),
    ``excerpt`` the passage with about EXCERPT_CONTEXT characters either side.
    When nothing resembles the quote at all, start and end are 0 and the excerpt is empty.
    """

    found: bool
    score: float
    start: int
    end: int
    excerpt: str


EXCERPT_CONTEXT = 80  # code points of context either side of a found passage

# Length-preserving folds (one code point for one), so positions stay those of the source.
_SAME_LENGTH_FOLDS = (
    *((mark, '"') for mark in "„“”‟‚‘’‛«»‹›'′″"),
    *((dash, "-") for dash in "‐‑‒–—―−"),
    # The only character whose lower case is two code points ("i̇").
    ("İ", "i"),
)
_HYPHENS = "-\u00ad\u2010\u2011"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Whitespace (str.isspace) other than the plain space.
_OTHER_SPACE = "\t\n\v\f\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Length-changing folds: a word hyphenated at a line break ("Ver-\nhandlung"), invisible
# characters, and whitespace runs holding more than a plain space. Every branch starts with
# the one character class, which lets the regex engine skip ahead fast on 5 MB pages; runs
# of plain spaces are found separately for the same reason.
_FOLD_GAPS = re.compile(
    f"[{_HYPHENS}{_INVISIBLE}{_OTHER_SPACE}]"
    f"(?:(?P<hyphenation>(?<=\\w[{_HYPHENS}])[^\\S\\n]*\\n\\s*(?=\\w))"
    f"|(?P<invisible>(?<=[{_INVISIBLE}])[{_INVISIBLE}]*)"
    f"|(?P<space>(?<=[{_OTHER_SPACE}])\\s*))"
)
_SPACES = re.compile("  +")


@dataclass(frozen=True)
class _Folded:
    """Text with typography, hyphenation, spacing and case folded away, and the way back."""

    text: str
    folded_starts: list[int]
    source_starts: list[int]

    def source(self, position: int) -> int:
        index = bisect_right(self.folded_starts, position) - 1
        return self.source_starts[index] + position - self.folded_starts[index]


def _fold(text: str) -> _Folded:
    lowered = text
    for character, folded in _SAME_LENGTH_FOLDS:
        lowered = lowered.replace(character, folded)
    lowered = lowered.lower()
    gaps: list[tuple[int, int, str]] = []
    for match in _FOLD_GAPS.finditer(text):
        start, end = match.span()
        if match.lastgroup == "space":
            while start > 0 and text[start - 1] == " ":
                start -= 1
            gaps.append((start, end, " "))
        else:
            gaps.append((start, end, ""))
    for match in _SPACES.finditer(text):
        start, end = match.span()
        # Next to other whitespace, the run is part of one that _FOLD_GAPS found.
        if not (start > 0 and text[start - 1].isspace()) and not (
            end < len(text) and text[end].isspace()
        ):
            gaps.append((start, end, " "))
    gaps.sort()
    pieces: list[str] = []
    folded_starts, source_starts = [0], [0]
    folded_at = source_at = 0
    for start, end, replacement in gaps:
        if start < source_at:
            continue
        pieces.append(lowered[source_at:start])
        pieces.append(replacement)
        folded_at += start - source_at + len(replacement)
        source_at = end
        folded_starts.append(folded_at)
        source_starts.append(source_at)
    pieces.append(lowered[source_at:])
    return _Folded("".join(pieces), folded_starts, source_starts)


def find_quote(haystack: str, quote: str, *, threshold: float = 85.0) -> QuoteMatch:
    """Find ``quote`` in a source text, tolerant of how sites typeset it.

    Typographic quotes, dashes, soft hyphens, words hyphenated at line breaks, runs of
    whitespace and case are ignored. A verbatim hit (after that folding) scores 100;
    otherwise rapidfuzz's best partial alignment is scored, and ``found`` means a score of
    at least ``threshold``.
    """
    needle = _fold(unicodedata.normalize("NFC", quote)).text.strip()
    if not needle:
        return QuoteMatch(found=False, score=0.0, start=0, end=0, excerpt="")
    if not unicodedata.is_normalized("NFC", haystack):
        haystack = unicodedata.normalize("NFC", haystack)
    folded = _fold(haystack)
    at = folded.text.find(needle)
    if at != -1:
        score, folded_start, folded_end = 100.0, at, at + len(needle)
    else:
        alignment = fuzz.partial_ratio_alignment(needle, folded.text)
        if alignment is None or alignment.score == 0:
            return QuoteMatch(found=False, score=0.0, start=0, end=0, excerpt="")
        score = round(alignment.score, 2)
        folded_start, folded_end = alignment.dest_start, alignment.dest_end
    start = folded.source(folded_start)
    end = max(start, folded.source(folded_end))
    return QuoteMatch(
        found=score >= threshold,
        score=score,
        start=start,
        end=end,
        excerpt=_excerpt(haystack, start, end),
    )


def _excerpt(text: str, start: int, end: int) -> str:
    """The passage with about EXCERPT_CONTEXT characters either side, cut at whitespace."""
    lo = max(0, start - EXCERPT_CONTEXT)
    hi = min(len(text), end + EXCERPT_CONTEXT)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    passage = text[lo:hi].strip()
    return ("…" if lo > 0 else "") + passage + ("…" if hi < len(text) else "")


def detect_language(body: str) -> str:
    """The text's language as an ISO 639-1 code (py3langid on its first 5,000 characters),
    or "und" for a blank text."""
    if not body.strip():
        return "und"
    language, _score = py3langid.classify(body[:5000])
    return language
