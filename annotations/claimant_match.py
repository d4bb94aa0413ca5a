"""PURE: who an attribution names ("sagte Bundeskanzler Olaf Scholz am Montag" → "Bundeskanzler
Olaf Scholz") and which known claimant that is, by name or alias, fuzzily (rapidfuzz).

No Django, no models: the suggestions service stores a claim suggestion's speaker
(`claim_speakers`), and the suggestions' readers match it against the claimants'
names (`best_claimant`) when they are shown, so a claimant created after the analysis is
found too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

# A speaker's name shorter than this is no name ("er", "sie", "he").
MIN_SPEAKER_CHARS = 3
MAX_SPEAKER_CHARS = 200
# How close a speaker must come to a name or alias to be proposed as that claimant (0–100):
# "Statistisches Bundesamt" for "Statistischen Bundesamt", "Olaf Scholz" for
# "Bundeskanzler Olaf Scholz", not "Olaf Schulz".
MATCH_AT = 92.0
# A name is compared with at most this many of the speaker's last words.
MAX_TAIL = 6

# Flags of a source suggestion that say it names nobody a reader could check.
NAMELESS_FLAGS = frozenset({"vague", "anonymous", "no_source_named"})

# Lower-case words that may join the capitalised words of one name ("Bank of England",
# "Bundesministerium für Gesundheit", "Robert-Koch-Institut" needs none).
_JOINERS = frozenset(
    {"of", "for", "and", "the", "de", "von", "van", "der", "des", "für", "und", "zu", "vom", "zur"}
)
# Capitalised words that start a sentence or name a time, never a speaker.
_NOT_NAMES = frozenset(
    {
        "The", "A", "An", "Der", "Die", "Das", "Dem", "Den", "Des", "Ein", "Eine", "Einem",
        "Einer", "Laut", "According", "Montag", "Dienstag", "Mittwoch", "Donnerstag",
        "Freitag", "Samstag", "Sonntag", "Monday", "Tuesday", "Wednesday", "Thursday",
        "Friday", "Saturday", "Sunday", "Quelle", "Source", "Via", "Er", "Sie", "He", "She",
        "They", "It", "Es",
    }
)  # fmt: skip
_WORD = re.compile(r"[\w][\w'’.\-]*", re.UNICODE)


@dataclass(frozen=True)
class Attribution:
    """A source suggestion: its span, the cue words that fired it and its flag codes."""

    start: int
    end: int
    cue: str
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """The claimant a speaker names, and how close the best of its names came (0–100)."""

    claimant_id: int
    score: float


def speaker_name(attribution: str, cue: str) -> str:
    """The name in an attribution: its first run of capitalised words (with the small
    words that join a name) once the cue words are taken out; "" when it names nobody."""
    text = attribution
    if cue:
        text = re.sub(re.escape(cue), " ", text, count=1, flags=re.IGNORECASE)
    words = list(_WORD.finditer(text))
    run: list[str] = []
    for i, word in enumerate(words):
        value = word.group().rstrip(".")
        if value[:1].isupper() and value not in _NOT_NAMES:
            run.append(value)
            continue
        if run and value.lower() in _JOINERS:
            following = words[i + 1].group() if i + 1 < len(words) else ""
            if following[:1].isupper() and following not in _NOT_NAMES:
                run.append(value)
                continue
        if run:
            break
    name = " ".join(run).strip()
    if len(name) < MIN_SPEAKER_CHARS:
        return ""
    return name[:MAX_SPEAKER_CHARS]


def claim_speakers(
    text: str, claims: Iterable[tuple[int, int]], attributions: Sequence[Attribution]
) -> dict[tuple[int, int], str]:
    """For each claim span (start, end) of `text`, the speaker its attributions name: the
    first attribution inside the span that has a name and no nameless flag. Claims whose
    attributions name nobody are left out."""
    speakers: dict[tuple[int, int], str] = {}
    for start, end in claims:
        for attribution in attributions:
            if not (start <= attribution.start and attribution.end <= end):
                continue
            if NAMELESS_FLAGS & set(attribution.flags):
                continue
            name = speaker_name(text[attribution.start : attribution.end], attribution.cue)
            if name:
                speakers[(start, end)] = name
                break
    return speakers


@dataclass(frozen=True)
class NameIndex:
    """Claimants' names and aliases made ready for matching once (`name_index`), for many
    speakers: each name's claimant id, and the name as rapidfuzz compares it."""

    ids: tuple[int, ...]
    names: tuple[str, ...]


def name_index(names: Iterable[tuple[int, str]]) -> NameIndex:
    """The index of (claimant id, name or alias) pairs."""
    pairs = list(names)
    return NameIndex(
        tuple(pk for pk, _name in pairs), tuple(default_process(name) for _pk, name in pairs)
    )


def best_claimant(speaker: str, names: NameIndex | Iterable[tuple[int, str]]) -> Match | None:
    """The claimant whose name or alias (`names`: claimant id, name pairs) comes closest to
    `speaker`, if one reaches MATCH_AT. Words in the speaker that a name lacks (a title,
    "Bundeskanzler") do not count against it; a name with words the speaker lacks ("Olaf
    Scholz" for "Olaf") is no match.

    Closeness (0–100) is the better of the whole speaker against the name and the
    speaker's last words against it ("Bundeskanzler Olaf Scholz" ends in "Olaf Scholz");
    every word of the name among the speaker's words is 100. rapidfuzz compares all the
    names at once in C (a desk may know thousands of claimants)."""
    wanted = default_process(speaker)
    if not wanted:
        return None
    index = names if isinstance(names, NameIndex) else name_index(names)
    choices = index.names
    words = wanted.split()
    queries = {wanted} | {" ".join(words[-k:]) for k in range(1, min(len(words), MAX_TAIL) + 1)}
    scores: dict[int, float] = {}
    for query in queries:
        for _choice, score, position in process.extract(
            query, choices, scorer=fuzz.ratio, processor=None, score_cutoff=MATCH_AT, limit=None
        ):
            scores[position] = max(scores.get(position, 0.0), score)
    given = set(words)
    for _choice, _score, position in process.extract(
        wanted, choices, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=100, limit=None
    ):
        if choices[position] and set(choices[position].split()) <= given:
            scores[position] = 100.0
    best: Match | None = None
    for position in sorted(scores):
        if choices[position] and (best is None or scores[position] > best.score):
            best = Match(index.ids[position], scores[position])
    return best
