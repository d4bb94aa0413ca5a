"""Explainable cue rules that suggest claim, opinion, speculation and source spans.

Pure: no Django, no network, no models. German and English. Every suggestion names the
words that fired it, so an editor can see why it was made and dismiss it when a rule is wrong.

How it works, per sentence:
- speculation and opinion: weighted word and phrase cues (Konjunktiv II, hedges, reported
  futures without a date, belief verbs, evaluative words, demands, rhetorical questions,
  exclamations), combined as a noisy-or. The tables are data: `cue_patterns.py` (phrases) and
  `cue_lexicon.py` (words, looked up by lemma);
- source: attribution patterns ("laut", "according to", speech verbs before or after their
  speaker, "the report found", "Quelle:", "Via", German Konjunktiv I); the span is the
  attribution itself, at most MAX_SOURCE_WORDS words either side of its cue, and it carries
  vague-source and anonymous-source flags;
- claim: check-worthiness from numbers, amounts, dates, named actors, strong verbs, completed
  events and comparisons, damped by opinion cues and questions; a hedged sentence is
  speculation only. Attributions are masked first, so "said on Monday" does not make a
  sentence check-worthy, but a statement someone is quoted making counts a little more.
  Clock times, phone numbers and opening hours are no figures.

The lemmatiser loads its dictionaries on first use (1–4 s); a worker calls `warm_up()` when
it starts (factcheck/celery.py). bench/cues_speed.py times it.

Offsets are code points (Python `str` indices), half-open, into the text exactly as given.

Sentence splitting is our own rule-based splitter rather than pysbd: pysbd's run time grows
quadratically with the text (20 s for 170 kB here; articles may have 500 kB), while this one
is linear and its offsets are indices by construction.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

import simplemma

from annotations.cue_lexicon import (
    ABBREVIATIONS,
    EVALUATIVE,
    EVALUATIVE_HEADS_DE,
    FINAL_ABBREVIATIONS,
    INFLECTED_ONLY,
    KONJUNKTIV_I_DE,
    NOT_KONJUNKTIV_I_DE,
    STRONG_VERBS,
)
from annotations.cue_patterns import OPINION_CUES, SPECULATION_CUES

__all__ = [
    "LABELS",
    "Flag",
    "Reason",
    "Suggestion",
    "checkworthiness",
    "key_phrase",
    "sentences",
    "suggest",
    "vague_source_flags",
    "warm_up",
]

CLAIM = "claim"
OPINION = "opinion"
SPECULATION = "speculation"
SOURCE = "source"
LABELS = (CLAIM, OPINION, SPECULATION, SOURCE)

# A sentence gets an opinion, speculation or source suggestion when the combined weight of
# its cues reaches SUGGEST_AT; a claim when its check-worthiness reaches CLAIM_AT.
SUGGEST_AT = 0.5
CLAIM_AT = 0.35

# A key phrase longer than this many words is cut to its most checkable window: the
# source-check matcher compares it fuzzily, and long phrases dilute the score.
KEY_PHRASE_WORDS = 16

# Rules look at one sentence at a time, and some scan the sentence per match. Text without
# sentence punctuation (a table, a pasted log) would make that quadratic, so a "sentence"
# longer than this is looked at in pieces cut at whitespace.
MAX_SENTENCE_CHARS = 1000

# A source span keeps at most this many words either side of its cue ("sagte", "laut").
MAX_SOURCE_WORDS = 12


@dataclass(frozen=True)
class Flag:
    """Something a reviewer should know about a source span.

    No sentences here: `message` names the explanation (a code of
    `annotations.machine_text.MESSAGES`) and `params` fills it, so each reader gets it in
    their own language."""

    code: str  # "vague", "anonymous", "bare_handle", "no_source_named"
    cue: str
    message: str
    params: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Reason:
    """One cue that fired a suggestion: `code` "cue" for words that speak for themselves
    ("könnte", "laut"); for a claim the feature ("amount", "verb", "actor"…);
    "rhetorical_question". `words` are the words of the text it matched."""

    code: str
    words: str


@dataclass(frozen=True)
class Suggestion:
    """A machine suggestion: [start, end) in code points, with the cues that fired it."""

    start: int
    end: int
    label: str
    reasons: tuple[Reason, ...]
    score: float
    flags: tuple[Flag, ...] = ()

    @property
    def cue(self) -> str:
        """The matched words of its reasons, in the text's own language."""
        return ", ".join(reason.words for reason in self.reasons)


# --------------------------------------------------------------------------- languages


def _languages(language: str | None) -> tuple[str, ...]:
    """Rule sets for a BCP 47 tag: "de-AT" gives ("de",); an unknown or missing tag both."""
    prefix = (language or "").strip().lower().replace("_", "-").split("-")[0]
    if prefix in ("de", "en"):
        return (prefix,)
    return ("en", "de")


def _words(text: str) -> tuple[str, ...]:
    """A word list written as running text, one place to read and extend."""
    return tuple(text.split())


# --------------------------------------------------------------------------- sentences

_MONTHS = {
    "de": _words(
        "januar jänner februar märz april mai juni juli august september oktober november dezember"
    ),
    "en": _words(
        "january february march april may june july august september october november december"
    ),
}
# Words that follow a German ordinal ("im 3. Quartal", "das 19. Jahrhundert").
_ORDINAL_NOUNS = _words(
    "quartal jahrhundert jahrtausend jahrestag jahrgang geburtstag platz rang stock etage "
    "klasse runde spieltag liga mal auflage kapitel absatz artikel woche tag monat legislatur "
    "amtszeit sitzung bundestag parteitag"
)

_TERMINAL = re.compile(r"[.!?…]+[\"'’”“»«›‹)\]]*")
_LINE_BREAKS = re.compile(r"\n\s*")
_OPENERS = "\"'‘’“”„«»‹›([{"


def sentences(text: str, language: str) -> list[tuple[int, int]]:
    """Sentence spans as half-open code-point offsets, trimmed of whitespace, never empty.

    A line break ends a sentence unless it is a soft wrap (a single newline followed by a
    lowercase letter). Full stops after abbreviations ("z. B.", "Dr.", "e.g."), initials and
    German ordinals before a month or counted noun ("28. November", "3. Quartal") do not.
    """
    langs = _languages(language)
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text):
        start = block_start
        for cut in _cuts(text, block_start, block_end, langs):
            _add_trimmed(spans, text, start, cut)
            start = cut
        _add_trimmed(spans, text, start, block_end)
    return spans


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _LINE_BREAKS.finditer(text):
        after = m.end()
        is_soft_wrap = m.group().count("\n") == 1 and after < len(text) and text[after].islower()
        if not is_soft_wrap:
            yield start, m.start()
            start = m.start()
    yield start, len(text)


def _add_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def _cuts(text: str, start: int, end: int, langs: tuple[str, ...]) -> Iterator[int]:
    for m in _TERMINAL.finditer(text, start, end):
        after = m.end()
        if after >= end:
            return
        if not text[after].isspace():
            continue  # "3.5", "z.B.", "...und", a URL
        nxt = after
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt >= end:
            return
        if _is_boundary(text, m, nxt, end, langs):
            yield after


def _is_boundary(text: str, m: re.Match[str], nxt: int, end: int, langs: tuple[str, ...]) -> bool:
    following = text[nxt]
    if following.islower():
        return False  # „Was nun?“ fragte er. / ca. 300 / e.g. this
    marks = m.group().rstrip("\"'’”“»«›‹)]")
    if marks != "." or len(marks) != len(m.group()):
        return True  # ! ? … or a closing quote after the stop
    word = _word_before(text, m.start())
    if not word:
        return True
    lower = word.lower()
    if lower in FINAL_ABBREVIATIONS:
        return True
    if lower == "no" and "en" in langs:
        return not following.isdigit()  # "No. 5"
    if any(lower in ABBREVIATIONS[lang] for lang in langs):
        return False
    if len(word) == 1 and word.isalpha():
        return False  # initials, "z. B.", "d. h."
    if re.fullmatch(r"(?:\w{1,3}\.)+\w{1,3}", word) and not word[0].isdigit():
        return False  # "z.B", "u.a", "U.S", "e.g"
    if word.isdigit() and "de" in langs and len(word) <= 2:
        if following.isdigit():
            return False  # "am 1. 12."
        next_word = re.match(r"\w+", text[nxt:end])
        if next_word:
            candidate = next_word.group().lower()
            if candidate in _MONTHS["de"] or candidate.startswith(tuple(_ORDINAL_NOUNS)):
                return False
    return True


def _word_before(text: str, dot: int) -> str:
    start = dot
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:dot].lstrip(_OPENERS)


# --------------------------------------------------------------------------- cue tables


@dataclass(frozen=True)
class _Cue:
    pattern: re.Pattern[str]
    weight: float
    name: str | None = None  # shown instead of the matched words, e.g. "soll … haben"


def _cues(*rows: tuple) -> tuple[_Cue, ...]:
    out = []
    for row in rows:
        pattern, weight, *rest = row
        out.append(_Cue(re.compile(pattern, re.IGNORECASE), weight, rest[0] if rest else None))
    return tuple(out)


_SPECULATION = {lang: _cues(*rows) for lang, rows in SPECULATION_CUES.items()}
_OPINION = {lang: _cues(*rows) for lang, rows in OPINION_CUES.items()}

# Verbs of saying and reporting. Belief verbs ("glaubt") are opinion cues instead.
_SPEECH_VERBS = {
    "de": re.compile(
        r"\b(?:sagte|sagten|sagt|erklärte|erklärten|erklärt|betonte|betonten|betont"
        r"|bestätigte|bestätigten|bestätigt|berichtete|berichteten|berichtet|verlautete"
        r"|warnte|warnten|warnt|schrieb|schrieben|schreibt|mitteilte|mitteilten|mitteilt"
        r"|mitteilen|zitiert|zitierte|mahnt|mahnte"
        r"|räumte\b[^,.;:]{0,40}?\bein|hieß\s+es|heißt\s+es"
        # Verbs that name a stance but attribute a quote when they follow it ("…“,
        # kritisierte Verdi-Chef Frank Werneke"; "…, fordert die Gewerkschaft").
        r"|(?:(?<=,)|(?<=,\s)|(?<=[“”\"»«]\s)|(?<=[“”\"»«]))(?:kritisierte|kritisiert|forderte"
        r"|fordert|ergänzte|ergänzt|lobte|lobt|klagte|klagt|beklagte|beklagt|unterstrich"
        r"|unterstreicht|versicherte|versichert|bekräftigte|bekräftigt|meinte|meint|sagen"
        r"|warnen|fordern|kritisieren|erklären|betonen|meldet|meldete|berichten)"
        # Separable verbs need their particle: "teilte … mit" reports, "teilte die Beute" not.
        r"|(?:teilte|teilten)\b[^,.;:!?]{0,60}?\bmit"
        r"|(?:kündigte|kündigten)\b[^,.;:]{0,40}?\ban)\b",
        re.IGNORECASE,
    ),
    "en": re.compile(
        r"\b(?:said|says|told|stated|explained|warned|wrote|tweeted|insisted|acknowledged"
        r"|admitted|testified|confirmed|(?:(?<=,)|(?<=,\s)|(?<=[”\"]\s)|(?<=[”\"]))(?:argued"
        r"|added|noted|cautioned|countered|conceded|complained|warns|argues|adds)"
        # These also report events ("added 150,000 jobs", "announced a loss"): only a
        # following "that", a clause end or "by"/"on" makes them attributions.
        r"|(?<!was\s)(?<!were\s)(?<!been\s)(?<!\bis\s)(?<!are\s)(?<!\bbe\s)"
        r"(?:added|noted|claimed|announced|reported)(?=\s*(?:that\b|[,.;:]|$|\s+on\b|\s+by\b"
        r"|\s+in\s+a\b)))\b",
        re.IGNORECASE,
    ),
}

_PREPOSITION_SOURCES = {
    "de": _cues(
        (r"\blaut\b", 0.9),
        (
            r"\bnach\s+(?:eigenen\s+)?(?:Angaben|Informationen|Darstellung|Einschätzung|Ansicht"
            r"|Auffassung|Worten|Schätzungen|Berechnungen|Recherchen|Aussage|Aussagen)\b",
            0.85,
        ),
        (r"\bunter\s+Berufung\s+auf\b", 0.9),
        (r"(?<=,)\s*so\s+(?:der|die|das|ein|eine)\b", 0.8),
    ),
    "en": _cues(
        (r"\baccording\s+to\b", 0.9),
        (r"\bciting\b", 0.8),
        # "per the filing", "per @handle"; not "per cent", "per day", "per capita".
        (
            r"\bper\s+(?=@|the\s+(?!(?:day|week|month|year|hour|person|head|unit)\b)|(?-i:[A-Z]))",
            0.8,
        ),
    ),
}

# Attribution patterns whose span is the clause they stand in.
_CLAUSE_SOURCES = {
    "de": _cues(
        (
            r"\b(?:Kritiker|Gegner|Befürworter|Anwohner|Zeugen|Forscher|Wissenschaftler"
            r"|Ermittler|Behörden|Aktivisten|Ärzte|Diplomaten|Verbraucherschützer|Umweltschützer"
            r"|Gewerkschaften)\w*\s+(?:\w+\s+){0,2}?(?:sagen|warnen|kritisieren|bemängeln"
            r"|monieren|berichten|erklären|bestätigen|fordern|beklagen)\b",
            0.8,
        ),
        (
            r"\bwie\s+(?:[\w-]+\s+){0,5}?(?:berichten|berichtet|melden|meldet|mitteilen|mitteilt"
            r"|schreiben|schreibt|sagen|sagt|erklären|erklärt|bestätigen|bestätigt)\b",
            0.85,
        ),
        (r"\bwie\s+es\s+heißt\b", 0.85),
        (r"\baus\s+(?:\w+\s+){0,2}?\w*kreisen\b", 0.85),
        (
            r"\b(?:Analysten|Experten|Ökonomen|Fachleute|Beobachter|Marktbeobachter)\s+"
            r"(?:\w+\s+){0,2}?(?:erwarten|rechnen|gehen|warnen|sagen|schätzen|prognostizieren)\b",
            0.7,
        ),
    ),
    "en": _cues(
        (
            r"\b(?:critics|opponents|supporters|officials|residents|witnesses|scientists"
            r"|researchers|activists|campaigners|lawmakers|investigators|authorities|diplomats"
            r"|doctors|economists|experts|analysts|observers)\s+(?:\w+\s+){0,2}?(?:say|warn"
            r"|claim|point\s+out)\b",
            0.8,
        ),
        (r"\bsources?\s+(?:say|said|told|close|familiar)\b", 0.85),
        (
            r"\b(?:people|persons?|sources?)\s+(?:familiar\s+with|close\s+to|with\s+knowledge\s+of)",
            0.85,
        ),
        (
            r"\b(?:analysts|experts|economists|observers)\s+(?:\w+\s+){0,2}?(?:expect|say|estimate"
            r"|predict|forecast)\b",
            0.7,
        ),
    ),
}

# A finding of a document or data ("the report found", "Daten zeigen", "geht aus … hervor"):
# the span runs from the clause start to the verb; what follows is the finding.
_FINDING_SOURCES = {
    "de": _cues(
        (
            r"\b(?:Studie|Untersuchung|Umfrage|Analyse|Bericht|Gutachten|Daten|Zahlen|Statistik"
            r"|Erhebung|Auswertung|Dokumente|Unterlagen|Recherchen|Akten|Prognose)\w*\s+"
            r"(?:[\w-]+\s+){0,3}?(?:zeigt|zeigen|zeigte|zeigten|ergab|ergaben|ergibt|ergeben"
            r"|belegt|belegen|belegte|belegten|legt\s+nahe|legen\s+nahe|kommt\s+zu\s+dem\s+Schluss"
            r"|kam\s+zu\s+dem\s+Schluss)\b",
            0.8,
        ),
        (
            r"\b(?:geht|ging|gehen|gingen)\s+(?:\w+\s+)?aus\b[^.;!?]{0,120}?\bhervor\b"
            r"|\bwie\s+aus\b[^.;!?]{0,120}?\bhervor(?:geht|ging)\b"
            r"|\baus\b[^.;!?]{0,120}?\b(?:geht|ging)\s+(?:\w+\s+)?hervor\b",
            0.85,
        ),
    ),
    "en": _cues(
        (
            r"\b(?:report|study|survey|analysis|review|audit|investigation|inquiry|poll|polls"
            r"|data|figures|statistics|records|documents|filings|research|census|findings)\s+"
            r"(?:[\w-]+\s+){0,3}?(?:found|finds|show|shows|showed|shown|concluded|concludes"
            r"|revealed|reveals|indicate|indicates|indicated)\b",
            0.8,
        ),
    ),
}

# A credit or source line: the span runs from the cue to the end of the sentence.
_CREDIT_SOURCES = _cues(
    (
        r"^\s*(?:(?:Source|Sources|Quelle|Quellen)\s*(?:/\s*(?:Source|Sources|Quelle|Quellen)\s*)?:"
        r"|Via\b)",
        0.95,
    ),
    (r"\b(?:Source|Sources|Quelle|Quellen)\s*:", 0.9),
    (r"\bvia\s+(?=@|https?://|www\.)", 0.85),
    (r"\bmit\s+(?:Material|Agenturmaterial)\s+(?:von|der|des)\b|\bMitarbeit\s*:", 0.9),
    (r"\b(?:additional\s+)?reporting\s+by\b|\bediting\s+by\b", 0.9),
    (r"\b(?:first\s+)?(?:reported|published)\s+by\b", 0.8),
)

_ANONYMITY = _cues(
    (
        r"\bnicht\s+(?:namentlich\s+)?genannt\s+werden\s+(?:wollte|will|möchte|wollten|wollen)\b",
        0.85,
    ),
    (r"\b(?:anonym|ungenannt)\s+bleiben\s+(?:wollte|will|möchte|wollten|wollen)\b", 0.85),
    (r"\b(?:declined|asked|requested)\s+not\s+to\s+be\s+(?:named|identified)\b", 0.85),
    (r"\bdeclined\s+to\s+be\s+(?:named|identified)\b", 0.85),
    (r"\b(?:speaking|spoke)\s+on\s+(?:the\s+)?condition\s+of\s+anonymity\b", 0.85),
    (r"\b(?:requested|was\s+granted|were\s+granted)\s+anonymity\b", 0.85),
    (r"\bdid\s+not\s+want\s+to\s+be\s+(?:named|identified)\b", 0.85),
)
_ANONYMITY_REASON = re.compile(
    r"^\s*,?\s*(?:weil|da|denn|um|because|as|since|citing|given|for\s+fear)\b", re.IGNORECASE
)
_REASON_INSIDE = re.compile(
    r"\b(?:weil|denn|because|for\s+fear|nicht\s+befugt|not\s+authori[sz]ed"
    r"|aus\s+Sorge|aus\s+Angst|to\s+protect|zum\s+Schutz)\b",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------- vague sources

_URL = re.compile(
    r"https?://\S+|\bwww\.\S+|\b[\w-]+\.(?:com|org|net|de|at|ch|eu|gov|int|io)\b", re.IGNORECASE
)
_HANDLE = re.compile(r"@\w+")
_GENERIC_ORIGINS = frozenset(
    _words("""
    internet web online netz social media medien medienberichte berichte agenturen agentur
    twitter x facebook instagram tiktok telegram youtube reddit unbekannt unknown n/a na
    privat private screenshot screenshots archiv various diverse verschiedene reports
    """)
)

# (pattern, why a reader cannot check it: a code of machine_text.MESSAGES)
_VAGUE_PHRASES = tuple(
    (re.compile(pattern, re.IGNORECASE), why)
    for pattern, why in (
        (
            r"\b(?:Medien)?berichten\s+zufolge\b",
            "reports_unnamed",
        ),
        (
            # The people ("ein Insider", "laut Insidern"), or an "Insider-…" document that
            # names no one ("Insider-Informationen"). Not the outlet "Business Insider", and
            # not a document with its outlet named ("Insider-Report von Reuters").
            r"\bInsidern\s+zufolge\b|\bInsidern\b|(?<!\bBusiness\s)\bInsider\b(?!-)"
            r"|\bInsider-\w+\b(?!\s+(?:von|vom|bei|des|der)\s+(?-i:[A-ZÄÖÜ]))",
            "insiders_unnamed",
        ),
        (
            r"\b\w*[Kk]reisen\s+zufolge\b|\baus\s+(?:\w+\s+){0,2}?\w*kreisen\b",
            "circles_unnamed",
        ),
        (
            r"\bwie\s+es\s+(?:heißt|hieß)\b|\bhieß\s+es\b(?!\s+(?:von|vom|aus\s+dem|aus\s+der|bei)\s)",
            "attributed_to_no_one",
        ),
        (
            r"\b(?:Gerüchten|Quellen|Beobachtern)\s+zufolge\b",
            "sources_or_rumours",
        ),
        (
            r"\bmit\s+der\s+(?:Sache|Angelegenheit)\s+vertraute[nr]?\s+Person(?:en)?\b",
            "people_familiar",
        ),
        (
            r"\bsources?\s+(?:say|said|told|close|familiar|tell)\b|\b(?:unnamed|anonymous)\s+sources?\b",
            "sources_unnamed",
        ),
        (
            r"\b(?:people|persons?)\s+(?:familiar\s+with|close\s+to|with\s+knowledge\s+of)\b",
            "people_familiar_no_reason",
        ),
        (
            r"\baccording\s+to\s+(?:media\s+)?reports\b|\b(?:media\s+)?reports\s+(?:say|said|suggest)\b",
            "reports_unnamed",
        ),
        (
            r"\bit\s+is\s+(?:understood|said)\b|\breportedly\b|\binsiders\b",
            "no_one_in_particular",
        ),
    )
)


def vague_source_flags(span_text: str, language: str | None = None) -> tuple[Flag, ...]:
    """Flags for an attribution a reader cannot check; empty if it names a checkable source.

    A URL anywhere makes the attribution checkable. An anonymous source with a reason given
    gets only an "anonymous" flag; without a reason it is also "vague". German and English
    patterns always both apply, whatever `language` says: source lines are often bilingual
    ("Source / Quelle: Via"), and a phrase of one language never means something checkable
    in the other. The flags carry no sentences, so `language` changes nothing here: each is
    explained in its reader's language (annotations.machine_text).
    """
    text = " ".join(span_text.split())
    if not text or _URL.search(text):
        return ()
    flags: list[Flag] = []
    flags.extend(_label_line_flags(text))
    for pattern, why in _VAGUE_PHRASES:
        m = pattern.search(text)
        if m:
            flags.append(Flag("vague", m.group(), why, {"cue": m.group()}))
    handle = _HANDLE_AFTER.search(text)
    if handle:
        name = handle.group(1) or handle.group(2)
        params = {"handle": name}
        flags.append(Flag("vague", name, "handle_only", params))
        flags.append(Flag("bare_handle", name, "handle_only", params))
    for cue in _ANONYMITY:
        m = cue.pattern.search(text)
        if not m:
            continue
        reason = _REASON_INSIDE.search(text[m.end() :]) or _ANONYMITY_REASON.search(text[m.end() :])
        params = {"cue": m.group()}
        if reason:
            flags.append(Flag("anonymous", m.group(), "anonymous_with_reason", params))
        else:
            flags.append(Flag("vague", m.group(), "anonymous_without_reason", params))
            flags.append(Flag("anonymous", m.group(), "anonymous_without_reason", params))
        break
    # An unnamed person with no anonymity phrase ("a senior EU official"), after the
    # phrase's own flag: the first flag of a code is the one kept.
    unnamed = _UNNAMED_PERSON.search(text)
    if unnamed:
        reason = _REASON_INSIDE.search(text[unnamed.end() :])
        why = "anonymous_with_reason" if reason else "unnamed_person"
        flags.append(Flag("anonymous", unnamed.group(), why, {"cue": unnamed.group()}))
    return _unique_flags(flags)


# A handle as the whole source after a preposition: "Laut @stadtwerke", "per @cityhall".
_HANDLE_AFTER = re.compile(
    r"\b(?:laut|per|according\s+to|citing)\s+(@\w+)\s*(?:zufolge)?\s*$|^(@\w+)\s+zufolge\s*$",
    re.IGNORECASE,
)

# An unnamed person as the source: "a senior EU official", "so ein Diplomat", "one person
# briefed on the talks". Not a spokesperson: a spokesperson speaks for a named body.
_UNNAMED_PERSON = re.compile(
    r"\b(?:an?|one|two|three|several)\s+(?:[\w-]+\s+){0,3}?(?:officials?|diplomats?|insiders?"
    r"|persons?|people|aides?|staffers?|employees?|executives?|officers?|lawmakers?"
    r"|negotiators?|sources?)\b(?!-)(?!\s+(?-i:[A-Z][a-z]+\s+[A-Z][a-z]+))"
    r"|\b(?:ein|eine|einer|einem|einen|zwei|mehrere)\s+(?:[\w-]+\s+){0,2}?(?:Diplomat(?:in|en)?"
    r"|Beamte[rn]?|Beamtin|Regierungsbeamte[rn]?|Insider(?:in|n)?|Funktionär(?:in|e)?"
    r"|Informant(?:in|en)?|Person(?:en)?|Quelle[n]?|Mitarbeiter(?:in|n)?|Regierungsvertreter(?:in)?"
    r"|Vertraute[rn]?|Unterhändler(?:in)?)\b(?!-)(?!\s+(?-i:[A-ZÄÖÜ][a-zäöüß]+\s+[A-ZÄÖÜ][a-zäöüß]+))",
    re.IGNORECASE,
)

_LABEL_LINE = re.compile(
    r"^(?P<label>(?:(?:Source|Sources|Quelle|Quellen)\s*(?:/\s*(?:Source|Sources|Quelle|Quellen)"
    r"\s*)?:\s*)?(?:via\b\s*:?)?)(?P<rest>.*)$",
    re.IGNORECASE,
)
_VIA_TAIL = re.compile(r"\bvia\b\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)


def _label_line_flags(text: str) -> list[Flag]:
    m = _LABEL_LINE.match(text)
    label = m.group("label").strip() if m else ""
    rest = m.group("rest") if m else text
    if not label:
        tail = _VIA_TAIL.search(text)
        if not tail:
            return []
        label, rest = text[tail.start() : tail.start("rest")].strip(), tail.group("rest")
    rest = rest.strip(" \t.,;:-–—()[]\"'„“”»«")
    cue = label.rstrip(": ") or label
    if not rest:
        return [
            Flag("vague", cue, "names_nothing", {"text": text}),
            Flag("no_source_named", cue, "no_source_at_all", {"text": text}),
        ]
    if _HANDLE.fullmatch(rest.split(" ", 1)[0]) and len(rest.split()) <= 3:
        handle = rest.split(" ", 1)[0]
        params = {"handle": handle}
        return [
            Flag("vague", handle, "handle_only", params),
            Flag("bare_handle", handle, "handle_only", params),
        ]
    words = [w.lower() for w in re.findall(r"[\w/]+", rest)]
    if words and all(w in _GENERIC_ORIGINS for w in words):
        return [
            Flag("vague", rest, "not_a_source", {"cue": rest}),
            Flag("no_source_named", rest, "no_checkable_source", {"text": text}),
        ]
    return []


def _unique_flags(flags: Iterable[Flag]) -> tuple[Flag, ...]:
    """One flag per code, the first found; "vague" first."""
    by_code: dict[str, Flag] = {}
    for flag in flags:
        by_code.setdefault(flag.code, flag)
    return tuple(sorted(by_code.values(), key=lambda f: f.code != "vague"))


# --------------------------------------------------------------------------- claims

_NUMBER_WORDS = (
    r"zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig|vierzig"
    r"|fünfzig|hundert|tausend|Dutzend\w*|Hälfte|Drittel|Viertel|doppelt|dreifach"
    r"|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
    r"|hundreds?|thousands?|dozens?|half|twice|triple"
)
_NUM = rf"(?:\d[\d.,]*|{_NUMBER_WORDS})"
_MAGNITUDE = r"(?:Millionen|Milliarden|Billionen|Mio\.|Mrd\.|million|billion|trillion)"
_CURRENCY = r"(?:Euro|US-Dollar|Dollar|Franken|Pfund|Yen|dollars?|euros?|pounds?|€|\$|£)"

_CLAIM_FEATURES = _cues(
    (
        # "bn"/"m" count only after a currency sign: "$5m", not "5 m" (metres).
        rf"[$€£]\s?\d[\d.,]*(?:\s*(?:{_MAGNITUDE}|bn|m)\b)?"
        rf"|\b{_NUM}\s*(?:{_MAGNITUDE}\s*)?{_CURRENCY}"
        rf"|\b{_NUM}\s+{_MAGNITUDE}\b",
        0.35,
        "amount",
    ),
    (
        rf"\b{_NUM}\s*(?:%|Prozent(?:punkte)?\b|percent(?:age\s+points?)?\b|per\s+cent\b)",
        0.35,
        "percentage",
    ),
    (rf"\b{_NUM}\b", 0.25, "number"),
    (
        r"\b(?:Januar|Februar|März|April|Juni|Juli|August|September|Oktober|November|Dezember"
        r"|January|February|March|June|July|October|December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\."
        r"|Dec\.|Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag|Monday|Tuesday"
        r"|Wednesday|Thursday|Friday|Saturday|Sunday|Quartal\w*|quarter|Q[1-4]|Vorjahr\w*"
        r"|Vormonat\w*|Jahresende|(?:19|20)\d\d)\b|\b(?:last|this|next|previous)\s+year\b"
        r"|\ba\s+year\s+(?:earlier|ago|before)\b|\b(?:vergangenen|laufenden|kommenden|vorigen)"
        r"\s+Jahr",
        0.15,
        "date",
    ),
    (
        r"\b(?:mehr|weniger|höher|niedriger|größer|kleiner|stärker|schwächer)\s+als\b"
        r"|\bgegenüber\s+(?:dem|der|den)\b|\bim\s+Vergleich\b|\bals\s+ein\s+Jahr\s+zuvor\b"
        r"|\b(?:more|fewer|less|higher|lower|larger|smaller)\s+than\b|\bcompared\s+(?:with|to)\b"
        r"|\bverdoppel\w*|\bhalbiert\w*|\bdoubled\b|\bhalved\b",
        0.2,
        "comparison",
    ),
    (
        r"\berstmals\b|\bzum\s+ersten\s+Mal\b|\bRekord\w*|\brecord\b|\bfor\s+the\s+first\s+time\b"
        r"|\bfirst[\s-]ever\b|\b(?:höchste|niedrigste|größte|highest|lowest|largest|biggest)\w*",
        0.3,
        "first/record",
    ),
    (
        r"\bniemand\b|\bkeine[rn]?\s+(?:Menschen|Personen|Toten|Verletzten|Opfer|Schäden)\b"
        r"|\bnobody\b|\bno\s+one\b|\bno\s+(?:deaths|injuries|casualties|victims)\b",
        0.25,
        "number",
    ),
    # A completed event: a German perfect or passive with its participle at the clause end
    # ("hat … angeordnet", "wurde … festgenommen"), an English perfect or passive.
    (
        r"\b(?:hat|haben|hatte|hatten|wurde|wurden|ist|sind|war|waren)\b(?:\s+[\w-]+){0,12}?\s+"
        r"(?-i:(?:[a-zäöü]\w*)?ge\w+(?:t|en)|[a-zäöü]\w{2,}iert)(?=\s*(?:[,.;:!?]|$|\s+(?:worden"
        r"|werden|sein|haben)\b))"
        r"|\b(?:has|have|had|was|were)\s+(?:been\s+)?(?:\w+ly\s+)?(?:(?!(?:scheduled|expected"
        r"|supposed|planned|slated|due|based|located|called|named|designed|intended|satisfied"
        r"|pleased|concerned|surprised|disappointed|worried|interested|convinced|delighted"
        r"|shocked|excited|impressed|committed|prepared|determined|confused|involved|tired"
        r"|scared|relieved|amused|annoyed|frustrated)\b)"
        r"[a-z]{3,}ed|built|sold|paid"
        r"|won|lost|made|taken|given|found|held|shut|cut|hit|brought|caught|shown|spent|struck"
        r"|sent|left|chosen|written|begun|broken|fallen|grown|risen|shot|stolen|frozen)\b",
        0.2,
        "event",
    ),
)

# A reported intention ("man werde prüfen", "it would look at") is a plan, not a statement
# of fact: quoting it does not make it check-worthy.
_INTENTION = re.compile(
    r"\b(?:werde|wolle|wollen|will|would|wants?\s+to|plans?\s+to|intends?\s+to)\b",
    re.IGNORECASE,
)

# Clock times, phone numbers and opening hours are not figures to check; a sentence that
# only announces when something opens, starts or was updated is no claim at all.
_TIMETABLE_FIGURES = re.compile(
    r"\b\d{1,2}(?:[.:]\d{2})?\s*(?:[-–]\s*\d{1,2}(?:[.:]\d{2})?\s*)?Uhr\b"
    r"|\b\d{1,2}(?::\d{2})?\s*(?:[-–]\s*\d{1,2}(?::\d{2})?\s*)?(?:a\.m\.|p\.m\.|am\b|pm\b)"
    r"|\b\d{1,2}:\d{2}\b"
    # A switchboard's extension ("0711 8990-0") and a number named as one to call.
    r"|\b0\d{2,5}[\s/]\d{2,}(?:[\s-]\d+)*\b"
    r"|(?:\+|\b00|\b0)\d{1,4}[\s/-]?\(?\d{2,5}\)?(?:[\s/-]?\d{2,}){1,4}\b"
    r"|\b(?:(?:Telefon|Ruf|Service|Notruf|Fax|Hotline)nummer|Notruf|Tel\.|unter\s+der\s+Nummer"
    r"|(?:phone|hotline)(?:\s+number)?|tel\.)\s*:?\s*\+?\d+(?:[\s/-]\d+)*",
    re.IGNORECASE,
)
_TIMETABLE_WORDS = re.compile(
    r"\b(?:geöffnet|Öffnungszeiten|Sprechzeiten|Sprechstunde|erreichbar|Hotline|Telefon"
    r"|aktualisiert|beginnt\s+um|startet\s+um|Einlass|open(?:s|ing\s+hours)?|hours|hotline"
    r"|phone|call|updated|starts\s+at|begins\s+at|doors|zu\s+melden|entgegen)\b",
    re.IGNORECASE,
)

# Service information: prices of admission, where to get tickets, deadlines to sign up, bank
# details for donations, stops and intervals of a bus line. Its figures are no claim; a
# sentence keeps its other cues ("Der Eintritt kostet künftig 14 Euro, beschloss der Rat").
_SERVICE_WORDS = re.compile(
    r"\b(?:Eintritt(?:spreis\w*|skarten?)?\s+(?:ist\s+frei|kostet|kosten|beträgt)|freier\s+Eintritt"
    r"|(?:Karten|Tickets|Eintrittskarten)\s+(?:gibt\s+es|kosten)|Vorverkauf|Tageskasse"
    r"|Abendkasse|Theaterkasse|ermäßigt|Spendenkonto|IBAN|Bewerbungsschluss|Anmeldeschluss"
    r"|Einsendeschluss|Anmeldungen?\s+(?:bitte|ab\s+sofort|bis|unter|zum|zur)|Haltestelle"
    r"|(?:Minuten|Stunden)-?Takt|admission\s+(?:is|costs?)|tickets\s+(?:cost|are\s+available"
    r"|from|go\s+on\s+sale)|box\s+office|entry\s+is\s+free|registration\s+(?:opens|closes)"
    r"|sort\s+code)\b",
    re.IGNORECASE,
)
_FIGURE_CODES = frozenset(("amount", "percentage", "number", "date", "comparison"))

# Institutions and roles that make a named actor even without a proper name.
_ACTOR_SUFFIXES = _words(
    "regierung gericht gerichtshof behörde ministerium minister ministerin kommission polizei "
    "partei zentralbank bundesbank kartellamt staatsanwaltschaft präsident präsidentin kanzler "
    "kanzlerin bundestag bundesrat landtag parlament aufsichtsrat vorstand gewerkschaft verband "
    "vorstandschef vorstandschefin konzernchef firmenchef chefin verwaltungsrat betriebsrat "
    "stadtrat gemeinderat sicherheitsrat stadt gemeinde landkreis konzern unternehmen firma "
    "bank verein klinik krankenhaus universität hochschule bahn feuerwehr bürgermeister "
    "bürgermeisterin landrat landrätin"
)
_ACTOR_WORDS_EN = frozenset(
    _words("""
    government court regulator regulators commission police parliament senate congress ministry
    minister president chancellor board union agency prosecutors company firm council city
    bank club hospital university authority mayor governor committee department military
    airline insurer retailer
    """)
)
_ORG_SUFFIX = re.compile(r"\b(?:AG|GmbH|SE|KG|KGaA|Inc|Corp|Ltd|PLC|plc|LLC|NV|SA)\b")
_WEEKDAYS = _words(
    "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
)
_NOT_NAMES = (
    frozenset(
        _words("""
        I The A An In On At For From By With Der Die Das Ein Eine Im Am Auf Mit Von Nach Laut
        Wie Mr Mrs Ms Dr Prof
        """)
    )
    | {m.capitalize() for m in _MONTHS["de"] + _MONTHS["en"]}
    | frozenset(_WEEKDAYS)
)
_WORD = re.compile(r"\w+(?:[-'’.]\w+)*")


def warm_up() -> None:
    """Load the lemmatiser's German and English dictionaries now (1–4 s), so the first
    suggestions a worker process makes are as fast as the rest. Safe to call twice."""
    for lang, word in (("de", "gestiegen"), ("en", "rose")):
        simplemma.lemmatize(word, lang=lang)
    suggest("Der Umsatz stieg laut dpa um 3 Prozent. Sales rose 3%, Reuters said.", "de")


@lru_cache(maxsize=65536)
def _lemma(token: str, lang: str) -> str:
    return simplemma.lemmatize(token, lang=lang)


def _lemmas(token: str, langs: tuple[str, ...]) -> set[str]:
    out = {token, token.lower()}
    for lang in langs:
        out.add(_lemma(token, lang))
        out.add(_lemma(token.lower(), lang))
    return out


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    weight: float
    cue: str  # the words matched
    key: str = ""  # what counts as "the same cue" twice; the lowercased cue if empty
    code: str = "cue"  # a Reason's code: a claim feature ("amount", "verb"…) or plain "cue"


def _combine(weights: Iterable[float]) -> float:
    """Noisy-or: independent cues reinforce each other without passing 1."""
    rest = 1.0
    for weight in weights:
        rest *= 1.0 - weight
    return 1.0 - rest


def _claim_hits(text: str, langs: tuple[str, ...]) -> list[_Hit]:
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []
    text = _TIMETABLE_FIGURES.sub(lambda m: " " * len(m.group()), text)
    for cue in _CLAIM_FEATURES:
        for m in cue.pattern.finditer(text):
            # A number inside an amount or percentage counts once.
            if cue.name == "number" and any(a <= m.start() < b for a, b in taken):
                continue
            if cue.name == "number" and _looks_like_year(m.group()):
                continue
            hits.append(_Hit(m.start(), m.end(), cue.weight, m.group(), code=cue.name or "cue"))
            if cue.name in ("amount", "percentage"):
                taken.append((m.start(), m.end()))
    tokens = list(_WORD.finditer(text))
    for i, m in enumerate(tokens):
        token = m.group()
        lemmas = _lemmas(token, langs)
        # A capital letter makes a German noun ("der Kauf"), except at the start:
        # "Verletzt wurde niemand".
        lowercase = not token[0].isupper() or not text[: m.start()].strip()
        after_article = i > 0 and tokens[i - 1].group().lower() in _ARTICLES
        if any(lemmas & STRONG_VERBS[lang] for lang in langs) and lowercase and not after_article:
            hits.append(_Hit(m.start(), m.end(), 0.25, token, code="verb"))
        in_amount = any(a <= m.start() < b or a <= m.end() - 1 < b for a, b in taken)
        is_before_amount = i + 1 < len(tokens) and any(
            a <= tokens[i + 1].start() < b for a, b in taken
        )
        if (
            "de" in langs
            and token not in _K1_INTENTIONS
            and _is_konjunktiv_i(token, text, m.start(), m.end())
        ):
            hits.append(_Hit(m.start(), m.end(), 0.2, token, code="event"))
        actor = 0.0 if in_amount or is_before_amount else _actor(tokens, i, text, langs)
        if actor:
            hits.append(_Hit(m.start(), m.end(), actor, token, code="actor"))
    return hits


# After an article "plan", "bid" and "vote" are nouns.
_ARTICLES = frozenset(_words("the a an its their his her our this that"))


def _looks_like_year(token: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d\d", token))


def _actor(tokens: list[re.Match[str]], i: int, text: str, langs: tuple[str, ...]) -> float:
    token = tokens[i].group()
    lower = token.lower()
    if _ORG_SUFFIX.fullmatch(token):
        return 0.25
    if "de" in langs and token[0].isupper() and lower.endswith(tuple(_ACTOR_SUFFIXES)):
        return 0.2
    if "en" in langs and lower in _ACTOR_WORDS_EN:
        return 0.15
    if not token[0].isupper() or token in _NOT_NAMES:
        return 0.0
    # Mixed case or an acronym: "OpenAI", "DigiNord", "EU", "BSI".
    if any(c.isupper() for c in token[1:]) and len(token) > 1:
        return 0.2
    nxt = tokens[i + 1].group() if i + 1 < len(tokens) else ""
    between = text[tokens[i].end() : tokens[i + 1].start()] if nxt else ""
    # Two capitalised words in a row are a name in both languages ("Petra Lorenz",
    # "Helix Robotics"); in English a capitalised word inside a sentence is enough.
    if nxt and nxt[0].isupper() and nxt not in _NOT_NAMES and between.strip() == "":
        return 0.2
    is_initial = i == 0 or text[tokens[i - 1].end() : tokens[i].start()].strip(" ") in (
        ".",
        ":",
        '"',
        "“",
        "„",
    )
    if langs == ("en",) and not is_initial:
        return 0.2
    return 0.0


def checkworthiness(span_text: str, language: str) -> float:
    """How check-worthy a span is, 0..1: numbers, amounts, dates, named actors, strong
    verbs and comparisons raise it; hedges, opinion cues and questions lower it."""
    langs = _languages(language)
    score, _ = _checkworthiness(span_text, langs)
    return score


def _checkworthiness(
    text: str, langs: tuple[str, ...], context: str | None = None, attribution: str = ""
) -> tuple[float, tuple[Reason, ...]]:
    """Score `text`, with its three strongest cues of different kinds; hedges and opinion
    cues are looked for in `context` (the unmasked sentence), since a masked attribution can
    change their reading ("said … would"). `attribution` names the masked source: a
    statement someone is quoted making is worth checking even without a figure."""
    hits = _claim_hits(text, langs)
    context = text if context is None else context
    if hits and _SERVICE_WORDS.search(context):
        hits = [h for h in hits if h.code not in _FIGURE_CODES]
    if not hits or (_TIMETABLE_FIGURES.search(context) and _TIMETABLE_WORDS.search(context)):
        return 0.0, ()
    if attribution and len(_WORD.findall(text)) >= 3 and not _INTENTION.search(text):
        hits.append(_Hit(0, 0, 0.2, attribution, code="attributed"))
    best: dict[str, _Hit] = {}
    for hit in hits:
        kind = hit.code
        if kind not in best or hit.weight > best[kind].weight:
            best[kind] = hit
    score = _combine(h.weight for h in best.values())
    # Only cues strong enough to be suggested on their own count as hedges here; a reported
    # "would" (weight 0.3) is not one.
    speculation = _score([h for h in _label_hits(context, SPECULATION, langs) if h.weight >= 0.5])
    opinion = _score([h for h in _label_hits(context, OPINION, langs) if h.weight >= 0.5])
    score *= 1.0 - 0.75 * speculation
    score *= 1.0 - 0.5 * opinion
    if _question(context):
        score *= 0.2
    if len(_WORD.findall(context)) < 4:
        score *= 0.5
    ranked = sorted(best.values(), key=lambda h: (-h.weight, h.start))
    reasons = tuple(Reason(h.code, h.cue) for h in ranked[:3])
    return round(min(max(score, 0.0), 1.0), 3), reasons


# --------------------------------------------------------------------------- label hits


def _score(hits: Iterable[_Hit]) -> float:
    best: dict[str, float] = {}
    for hit in hits:
        key = hit.key or hit.cue.lower()
        best[key] = max(best.get(key, 0.0), hit.weight)
    return _combine(best.values())


@lru_cache(maxsize=4096)
def _label_hits(text: str, label: str, langs: tuple[str, ...]) -> tuple[_Hit, ...]:
    """Speculation or opinion cues in `text`. Cached: suggestions and check-worthiness both
    ask for the same sentence."""
    table = _SPECULATION if label == SPECULATION else _OPINION
    hits: list[_Hit] = []
    for lang in langs:
        for cue in table[lang]:
            for m in cue.pattern.finditer(text):
                weight = cue.weight
                if label == SPECULATION and _is_reported_future(text, m, lang):
                    weight = 0.3
                if label == SPECULATION and _is_counterfactual_past(text, m):
                    continue
                if cue.name and cue.weight < SUGGEST_AT:
                    # A weak cue counts once per kind (its name: "a plan", "a date to come"),
                    # and an editor sees the words it matched.
                    hits.append(_Hit(m.start(), m.end(), weight, _squash(m.group()), cue.name))
                    continue
                hits.append(_Hit(m.start(), m.end(), weight, cue.name or _squash(m.group())))
    if label == OPINION:
        for m in _WORD.finditer(text):
            for lang in langs:
                lemmas = _lemmas(m.group(), (lang,))
                weight, lemma = max((EVALUATIVE[lang].get(x, 0.0), x) for x in lemmas)
                if m.group().lower() in INFLECTED_ONLY:
                    weight = 0.0
                if not weight and lang == "de":
                    weight, lemma = _evaluative_german(m.group())
                if weight:
                    # Keyed by lemma: "falsche … falschen" is one cue, not two.
                    hits.append(_Hit(m.start(), m.end(), weight, m.group(), lemma.lower()))
                    break
        hits.extend(h for h in (_rhetorical_question(text), _exclamation(text)) if h)
    return tuple(hits)


_REPORTED_SPEECH = {
    "de": re.compile(
        r"\b(?:sagte|erklärte|betonte|bestätigte|kündigte|teilte)\b[^.]*?,", re.IGNORECASE
    ),
    "en": re.compile(
        r"\b(?:said|told|confirmed|announced|stated|added)\b(?:\s+that\b)?", re.IGNORECASE
    ),
}


def _is_reported_future(text: str, m: re.Match[str], lang: str) -> bool:
    """ "würde"/"would" after a speech verb is reported speech, not a hedge."""
    if m.group().lower() not in ("würde", "würden", "would"):
        return False
    return bool(_REPORTED_SPEECH[lang].search(text, 0, m.start()))


# A lowercase past participle just before "hätte"/"wäre": "den ihm kaum jemand zugetraut
# hätte", the counterfactual past, which judges rather than hedges.
_PARTICIPLE_BEFORE = re.compile(r"(?:^|\s)[a-zäöüß]\w*ge\w*(?:t|en)\s+$")


def _is_counterfactual_past(text: str, m: re.Match[str]) -> bool:
    if m.group().lower() not in ("wäre", "wären", "hätte", "hätten"):
        return False
    return bool(_PARTICIPLE_BEFORE.search(text, max(0, m.start() - 40), m.start()))


_QUOTES = re.compile(r"„[^“”\"]*[“”\"]|“[^”]*”|\"[^\"]*\"|»[^«]*«|«[^»]*»")


def _evaluative_german(token: str) -> tuple[float, str]:
    """What the lemmatiser misses: an inflected adjective it does not know ("desaströse")
    and a noun with a judging head ("Etikettenschwindel", "Finanzdebakel")."""
    lower = token.lower()
    if token[:1].islower():
        for ending in ("en", "em", "er", "es", "e"):
            stem = lower[: -len(ending)]
            if lower.endswith(ending) and EVALUATIVE["de"].get(stem, 0.0):
                return EVALUATIVE["de"][stem], stem
        return 0.0, lower
    for head in EVALUATIVE_HEADS_DE:
        if lower.endswith(head) and len(lower) > len(head) + 2:
            return 0.75, lower
    return 0.0, lower


# A question is the writer's stance only when it is asked not to be answered: with a
# particle ("denn", "wirklich", "really"), a negation or "nobody", "Wer soll …", "Why should
# …". "Was bedeutet das für Mieter?" is a neutral question, a heading the text answers.
_RHETORICAL = re.compile(
    r"\b(?:denn|etwa|wirklich|überhaupt|ernsthaft|bloß|allen\s+Ernstes|really"
    r"|seriously|honestly|on\s+earth|ever)\b"
    r"|\b(?:niemand|keiner|nobody|no\s+one|das\s+alles|all\s+(?:of\s+)?this|all\s+that)\b"
    r"|^\W*(?:wer|who)\s+(?:soll|sollte|will|wollte|glaubt|braucht|is\s+going|would|wants"
    r"|believes|needs|cares|should)\b"
    r"|^\W*(?:warum|wieso|weshalb|why|wie|how)\s+(?:\w+\s+)?(?:sollte|sollten|soll|sollen|muss"
    r"|müssen|should|must|would|dare|can\s+anyone|kann\s+man)\b"
    r"|^\W*(?:\w+n't|(?:ist|sind|war|hat|haben|gibt|kann|muss)\s+(?:\w+\s+){0,2}?nicht)\b"
    # "eigentlich" outside a w-question: "Wie entstehen eigentlich Korallenriffe?" is an
    # explainer's heading, "Ist das eigentlich noch zeitgemäß?" a stance.
    r"|^(?!\W*(?:was|wie|wer|wo|wann|welche[rsnm]?|woher|wohin|wozu|womit|wofür)\b).*"
    r"\beigentlich\b",
    re.IGNORECASE,
)


def _question(text: str) -> bool:
    """Whether the writer asks `text` (a question mark at its end, outside quotes)."""
    return _closing_mark(text, "?") is not None


def _closing_mark(text: str, mark: str) -> int | None:
    stripped = text.rstrip(" \"'’”“»«)")
    if not stripped.endswith(mark):
        return None
    for q in _QUOTES.finditer(text):
        if q.start() <= len(stripped) - 1 < q.end():
            return None  # a quoted question or exclamation is reported, not the writer's
    return len(stripped) - 1


def _rhetorical_question(text: str) -> _Hit | None:
    at = _closing_mark(text, "?")
    if at is None or not _RHETORICAL.search(text):
        return None
    return _Hit(at, at + 1, 0.65, "?", "rhetorical question", "rhetorical_question")


# A greeting or a welcome ends with "!" without taking a stance.
_GREETING = re.compile(
    r"\W*(?:guten\s+(?:morgen|tag|abend)|(?:herzlich\s+)?willkommen|hallo|liebe\s+leser"
    r"|frohe|viel\s+spaß|good\s+(?:morning|afternoon|evening)|welcome|hello|merry)\b",
    re.IGNORECASE,
)


def _exclamation(text: str) -> _Hit | None:
    """An exclamation of three words or more ("Das darf nicht wahr sein!") is a stance."""
    at = _closing_mark(text, "!")
    if at is None or len(_WORD.findall(text)) < 3 or _GREETING.match(text):
        return None
    return _Hit(at, at + 1, 0.6, "!", "exclamation", "exclamation")


def _squash(words: str) -> str:
    return " ".join(words.split())


# --------------------------------------------------------------------------- sources

_CLAUSE_DELIMITERS = frozenset(',;:„“”"«»‹›()[]–—')
_CLOSING_QUOTES = frozenset("“”\"«»‹›'’")
_RELATIVE = re.compile(
    r"^\s*(?:der|die|das|dem|den|deren|dessen|welche[rsn]?|who|which|whose|whom)\b",
    re.IGNORECASE,
)
_DETERMINERS_DE = frozenset(
    _words("""
    der die das dem den des ein eine einer eines einem einen von vom zur zum für aus und sowie
    im am in eigenen seiner ihrer dieser diesem dieses
    """)
)
_LOWERCASE_OUTLETS = frozenset(_words("dpa afp ap epd kna sid rtr dts apa sda reuters bloomberg"))


def _clause(s: str, pos: int) -> tuple[int, int]:
    """The clause around `pos`: from after the previous delimiter to the next one."""
    delimiters = _delimiter_positions(s)
    k = bisect.bisect_left(delimiters, pos)
    a = delimiters[k - 1] + 1 if k > 0 else 0
    b = delimiters[k] if k < len(delimiters) else len(s)
    return a, b


@lru_cache(maxsize=64)
def _delimiter_positions(s: str) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(s) if c in _CLAUSE_DELIMITERS and _delimits(s, i))


def _delimits(s: str, i: int) -> bool:
    if s[i] not in _CLAUSE_DELIMITERS:
        return False
    # "150,000" and "2,4 Prozent" are numbers, not clauses.
    return not (s[i] == "," and 0 < i < len(s) - 1 and s[i - 1].isdigit() and s[i + 1].isdigit())


def _trim(s: str, a: int, b: int) -> tuple[int, int]:
    strip = " \t\r\n\f\v.,;:"
    while a < b and (s[a].isspace() or s[a] in strip):
        a += 1
    while b > a and (s[b - 1].isspace() or s[b - 1] in strip):
        b -= 1
    return a, b


# What stands before a German verb when its subject follows it: a pronoun, an adverb or a
# prepositional phrase ("Das", "Zudem", "Vor Phishing-Mails").
_INVERTED_LEAD = re.compile(
    r"^(?:das|dies|dies\w*|davor|darauf|daher|deshalb|so|auch|zudem|außerdem|vor|am|im|in|an"
    r"|auf|nach|bei|mit|seit|über|unter|gegen|für|dazu|damit|davon|darüber|jetzt|nun|heute"
    r"|gestern|bereits|ebenfalls|allerdings)\b",
    re.IGNORECASE,
)
_INVERTED_SUBJECT = re.compile(
    r"^(?:(?:der|die|das|ein|eine|einer|dessen|deren)\s+)?[„“\"»«]?(?-i:[A-ZÄÖÜ])", re.IGNORECASE
)

_CIRCUMSTANCE = re.compile(
    r"^(?:in|on|at|during|via|to|late|early|earlier|later|last|this|yesterday|today"
    r"|in\s+an?\s+interview)\b",
    re.IGNORECASE,
)


def _speech_span(s: str, vs: int, ve: int, lang: str) -> tuple[int, int]:
    a, b = _clause(s, vs)
    before = s[a:vs].strip()
    after = s[ve:b].strip()
    if not before:
        prev = a - 1
        while prev >= 0 and (s[prev].isspace() or s[prev] == ","):
            prev -= 1
        previous_clause = s[_clause(s, prev)[0] : prev + 1] if prev >= 0 else ""
        is_relative = (
            prev >= 0
            and s[prev] not in _CLOSING_QUOTES
            and _clause(s, prev)[0] > 0  # a sentence-initial "Das" is an article
            and _RELATIVE.match(previous_clause)
        )
        if is_relative:
            # "Ein Sprecher, der nicht genannt werden wollte, bestätigte …": the speaker is
            # the clause before the relative clause.
            start = _clause(s, max(_clause(s, prev)[0] - 2, 0))[0]
            return start, ve
        return vs, _past_title(s, b)  # "…“, sagte Vorstandschefin Petra Lorenz."
    if lang == "de" and _INVERTED_LEAD.match(before) and _INVERTED_SUBJECT.match(after):
        # Verb second, the speaker after it: "Vor Phishing-Mails warnt die
        # Verbraucherzentrale", "Das berichtet die „Süddeutsche Zeitung“".
        return vs, _past_title(s, b)
    if lang == "en" and len(after.split()) >= 2:
        that = re.match(r"(?:\s+\S+){0,5}?\s+that\b", s[ve:b])
        if that:
            return a, ve + len(that.group()) - len("that")  # "said in a statement"
        if _CIRCUMSTANCE.match(after):
            return a, b  # "…, the company said in its annual report."
        return a, ve  # "Police said three people were injured"
    return a, b


def _past_title(s: str, b: int) -> int:
    """After "berichtet die" a quoted title is the outlet („Süddeutsche Zeitung“): the
    span runs past its closing quote rather than stopping at the opening one."""
    if b < len(s) and s[b] in '„“"»«':
        close = re.match(r"[„“\"»«][^„“”\"»«]{1,60}[“”\"«»][^\s,.;:!?]*", s[b:])
        if close:
            return b + close.end()
    return b


_TOKEN = re.compile(r"\S+")


def _np_forward(s: str, pos: int, lang: str) -> int:
    """End of the noun phrase after "laut"/"according to" (stops at the verb or a comma)."""
    end = pos
    tokens = list(itertools.islice(_TOKEN.finditer(s, pos), 13))  # 12 words and a look-ahead
    for k, t in enumerate(tokens[:12]):
        word = t.group()
        bare = word.strip(".,;:!?\"'“”„»«()")
        stop = (bare != word and word[-1:] in ',;:!?)"“”»«') or (word.endswith(".") and k > 0)
        if lang == "de":
            nxt = tokens[k + 1].group() if k + 1 < len(tokens) else ""
            accepted = (
                (bare[:1].isupper() and not bare.isdigit())
                or bare.startswith("@")
                or bare.lower() in _DETERMINERS_DE
                or bare.lower() in _LOWERCASE_OUTLETS
                or (bare.isalpha() and nxt[:1].isupper() and k > 0)
            )
            if not accepted:
                break
        elif bare and not bare[0].isalnum() and bare[0] != "@":
            break
        end = t.start() + len(word.rstrip(".,;:!?\"'“”„»«)"))
        if stop:
            break
    while end > pos and s[end - 1] in " ":
        end -= 1
    return end


def _np_backward(s: str, pos: int) -> int:
    """Start of the German noun phrase before "zufolge" ("Dem Bericht der Zeitung zufolge")."""
    start = pos
    window = max(0, pos - 300)  # room for 8 words; a cut-off first word only stops the scan
    tokens = list(_TOKEN.finditer(s, window, pos))
    for t in reversed(tokens[-8:]):
        word = t.group()
        if word[-1:] in ',;:“”"»«)':
            break
        if word[:1].isupper() or word.lower() in _DETERMINERS_DE:
            start = t.start()
            continue
        break
    return start


_FINDING_DETERMINERS = frozenset(
    _words("""
    the a an this that its their his her new latest official annual final internal our
    der die das den dem des ein eine einer eines einem einen neue neuen jüngste jüngsten
    aktuelle aktuellen interne internen
    """)
)


def _finding_start(s: str, pos: int) -> int:
    """Start of the noun phrase naming a document ("the annual report", "eine neue
    Studie des RKI" starts at "eine"): up to three determiners or names before it, never
    across a clause delimiter."""
    start = pos
    clause_start = _clause(s, pos)[0]
    tokens = list(_TOKEN.finditer(s, max(clause_start, pos - 80), pos))
    for t in reversed(tokens[-3:]):
        word = t.group()
        if word.lower() in _FINDING_DETERMINERS or (word[:1].isupper() and word.isalpha()):
            start = t.start()
            continue
        break
    return start


def _source_spans(s: str, langs: tuple[str, ...]) -> list[_Hit]:
    hits: list[_Hit] = []
    for lang in langs:
        for m in _SPEECH_VERBS[lang].finditer(s):
            a, b = _speech_span(s, m.start(), m.end(), lang)
            hits.append(_Hit(a, b, 0.8, _squash(m.group())))
        for cue in _PREPOSITION_SOURCES[lang]:
            for m in cue.pattern.finditer(s):
                end = _np_forward(s, m.end(), lang)
                if end > m.end():
                    hits.append(
                        _Hit(
                            m.start() + len(m.group()) - len(m.group().lstrip()),
                            end,
                            cue.weight,
                            _squash(m.group()),
                        )
                    )
        for cue in _CLAUSE_SOURCES[lang]:
            for m in cue.pattern.finditer(s):
                a, b = _clause(s, m.start())
                # German: the clause is the attribution ("Aus Kreisen … verlautete").
                # English: subject and verb; what follows is the content ("Sources say …").
                b = max(b, m.end()) if lang == "de" else m.end()
                hits.append(_Hit(a, b, cue.weight, _squash(m.group())))
        for cue in _FINDING_SOURCES[lang]:
            for m in cue.pattern.finditer(s):
                verb_first = re.match(r"(?:geht|ging|gehen|gingen|wie)\b", m.group(), re.I)
                a = m.start() if verb_first else _finding_start(s, m.start())
                hits.append(_Hit(a, m.end(), cue.weight, _squash(m.group()), code="cue"))
        if lang == "de":
            for m in re.finditer(r"\bzufolge\b", s, re.IGNORECASE):
                start = _np_backward(s, m.start())
                if start < m.start():
                    hits.append(_Hit(start, m.end(), 0.85, _squash(s[start : m.end()])))
    for cue in _CREDIT_SOURCES:
        for m in cue.pattern.finditer(s):
            cue_start = m.start() + len(m.group()) - len(m.group().lstrip())
            hits.append(_Hit(cue_start, len(s), cue.weight, _squash(m.group()).rstrip(":")))
    for cue in _ANONYMITY:
        for m in cue.pattern.finditer(s):
            end = m.end()
            if _ANONYMITY_REASON.match(s[end:]):
                after_comma = end + len(s[end:]) - len(s[end:].lstrip(" ,"))
                end = _clause(s, after_comma)[1]
            a = _clause(s, m.start())[0]
            prev = a - 1
            while prev >= 0 and (s[prev].isspace() or s[prev] == ","):
                prev -= 1
            if _RELATIVE.match(s[a:]) and prev >= 0:
                a = _clause(s, prev)[0]
            hits.append(_Hit(a, end, cue.weight, _squash(m.group())))
    if "de" in langs and not hits and _score(_label_hits(s, OPINION, langs)) < SUGGEST_AT:
        hits.extend(_konjunktiv_i(s))  # "Kritiker meinen, es gehe …" is a belief: opinion
    spans = []
    for hit in hits:
        a, b = _trim(s, *_cap(s, hit))
        if a < b:
            spans.append(replace(hit, start=a, end=b))
    return _merge(spans)


def _cap(s: str, hit: _Hit) -> tuple[int, int]:
    """At most MAX_SOURCE_WORDS words either side of the cue: a clause without punctuation
    (a pasted table, a run-on sentence) must not make the whole piece one attribution."""
    cue_at = s.find(hit.cue.split(" ")[0], hit.start, hit.end) if hit.cue else -1
    if cue_at < 0 or len(s[hit.start : hit.end].split()) <= 2 * MAX_SOURCE_WORDS:
        return hit.start, hit.end
    before = list(_TOKEN.finditer(s, hit.start, cue_at))[-MAX_SOURCE_WORDS:]
    after = list(itertools.islice(_TOKEN.finditer(s, cue_at, hit.end), MAX_SOURCE_WORDS + 1))
    start = before[0].start() if before else cue_at
    end = after[-1].end() if after else hit.end
    return start, min(end, hit.end)


def _konjunktiv_i(s: str) -> list[_Hit]:
    """German reported speech without a speech verb in the sentence ("Der Schaden gehe in
    die Millionen"): Konjunktiv I says someone else said it. The span is the verb."""
    hits = []
    for m in _WORD.finditer(s):
        word = m.group()
        if not _is_konjunktiv_i(word, s, m.start(), m.end()):
            continue
        hits.append(_Hit(m.start(), m.end(), 0.6, word, code="reported_speech"))
    return hits[:1]


# Reported intentions ("man werde prüfen") are not states to check.
_K1_INTENTIONS = frozenset(_words("werde wolle solle könne müsse dürfe möge plane"))

_NOT_REPORTED = re.compile(
    r"\bes\s+sei\s+denn\b|\bsei\s+es\b|\bGott\s+sei\b|\bwie\s+dem\s+auch\s+sei\b",
    re.IGNORECASE,
)


def _is_konjunktiv_i(word: str, s: str, start: int, end: int) -> bool:
    if not word.islower() or word in NOT_KONJUNKTIV_I_DE:
        return False
    if word not in KONJUNKTIV_I_DE and not (
        word.endswith("e") and len(word) > 3 and _lemma(word, "de") == word + "n"
    ):
        return False
    before = s[max(0, start - 12) : start].lower().split()
    if before and before[-1] in ("ich", "„ich", "“ich"):
        return False  # "ich gehe": first person indicative
    window = s[max(0, start - 20) : end + 12]
    return not _NOT_REPORTED.search(window)


def _merge(hits: list[_Hit]) -> list[_Hit]:
    """Overlapping attribution spans become one; the strongest cue names it."""
    merged: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if merged and hit.start < merged[-1].end:
            last = merged[-1]
            strongest = last if last.weight >= hit.weight else hit
            merged[-1] = replace(strongest, start=last.start, end=max(last.end, hit.end))
        else:
            merged.append(hit)
    return merged


# --------------------------------------------------------------------------- suggest


def suggest(text: str, language: str) -> list[Suggestion]:
    """Suggestions for a whole text, sorted by start; spans are never empty and always
    inside the text, and no two share (start, end, label)."""
    langs = _languages(language)
    found: dict[tuple[int, int, str], Suggestion] = {}
    for start, end in _pieces(text, sentences(text, language)):
        if not any(c.isalnum() for c in text[start:end]):
            continue
        for item in _suggest_sentence(text[start:end], start, langs):
            key = (item.start, item.end, item.label)
            if key not in found or found[key].score < item.score:
                found[key] = item
    order = {label: i for i, label in enumerate(LABELS)}
    return sorted(found.values(), key=lambda s: (s.start, s.end, order[s.label]))


def _pieces(text: str, spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Sentences, with any longer than MAX_SENTENCE_CHARS cut at whitespace."""
    for start, end in spans:
        pieces: list[tuple[int, int]] = []
        while end - start > MAX_SENTENCE_CHARS:
            space = text.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS)
            cut = space if space > start else start + MAX_SENTENCE_CHARS
            _add_trimmed(pieces, text, start, cut)
            start = cut
        _add_trimmed(pieces, text, start, end)
        yield from pieces


def _suggest_sentence(s: str, offset: int, langs: tuple[str, ...]) -> Iterator[Suggestion]:
    quotes = [(q.start(), q.end()) for q in _QUOTES.finditer(s)]
    for label in (SPECULATION, OPINION):
        hits = _label_hits(s, label, langs)
        score = _score(hits)
        if score < SUGGEST_AT:
            continue
        top = max(hits, key=lambda h: (h.weight, -h.start))
        a, b = 0, len(s)  # the whole sentence, its full stop included
        for qa, qb in quotes:
            inside = [h for h in hits if qa <= h.start < qb]
            if inside and _score(inside) >= SUGGEST_AT and (qb - qa) < len(s):
                a, b = qa, qb
                top = max(inside, key=lambda h: (h.weight, -h.start))
                score = _score(inside)
                break
        if a < b:
            reasons = (Reason(top.code, top.cue),)
            yield Suggestion(offset + a, offset + b, label, reasons, round(min(score, 0.99), 3))
    sources = _source_spans(s, langs)
    for hit in sources:
        if hit.weight < SUGGEST_AT:
            continue
        flags = vague_source_flags(s[hit.start : hit.end], langs[0] if len(langs) == 1 else None)
        reasons = (Reason(hit.code, hit.cue),)
        yield Suggestion(
            offset + hit.start, offset + hit.end, SOURCE, reasons, round(hit.weight, 3), flags
        )
    masked = _mask(s, sources)
    attribution = max(sources, key=lambda h: h.weight).cue if sources else ""
    score, reasons = _checkworthiness(masked, langs, s, attribution)
    # A hedged statement is speculation, not also a claim; weak cues that only together make
    # it speculation (a plan with a date to come: "will bis 2030 … modernisieren") leave the
    # claim in it.
    if score >= CLAIM_AT and not any(
        h.weight >= SUGGEST_AT for h in _label_hits(s, SPECULATION, langs)
    ):
        yield Suggestion(offset, offset + len(s), CLAIM, reasons, score)


def _mask(s: str, hits: list[_Hit]) -> str:
    """Blank out attributions (keeping offsets) so they do not count towards a claim."""
    chars = list(s)
    for hit in hits:
        for i in range(hit.start, hit.end):
            chars[i] = " "
    return "".join(chars)


# --------------------------------------------------------------------------- key phrase

_HEDGE_WORDS = re.compile(
    r"\b(?:könnte|könnten|dürfte|dürften|würde|würden|möglicherweise|womöglich|vermutlich"
    r"|mutmaßlich|angeblich|wahrscheinlich|anscheinend|vielleicht|eventuell|voraussichtlich"
    r"|offenbar|scheinbar|leider|could|may|might|would|possibly|probably|presumably"
    r"|reportedly|allegedly|purportedly|perhaps|apparently|likely|maybe|clearly|obviously"
    r"|frankly|(?:is|are|was|were)\s+(?:widely\s+)?expected\s+to|(?:is|are|was|were)\s+said"
    r"\s+to)\b",
    re.IGNORECASE,
)
_PUNCT_EDGES = " \t\r\n\f\v.,;:!?\"'„“”»«‹›()[]–—-"


def key_phrase(span_text: str, language: str) -> str:
    """The claim's most checkable words, for finding it on a source page that words it
    differently: the attribution is cut away, hedges and quotation marks are dropped, and a
    long result is cut to its densest KEY_PHRASE_WORDS-word window."""
    langs = _languages(language)
    pieces: list[str] = []
    pos = 0
    for hit in _source_spans(span_text, langs):
        pieces.append(span_text[pos : hit.start])
        pos = hit.end
    pieces.append(span_text[pos:])
    # Hedges go inline, so "Acme could cut 2,000 jobs" becomes "Acme cut 2,000 jobs".
    pieces = [_HEDGE_WORDS.sub(" ", re.sub(r"[\"„“”»«‹›]", " ", p)) for p in pieces]
    best = max(pieces, key=lambda p: (_checkable(p, langs), len(p.split())))
    words = best.split()
    if len(words) > KEY_PHRASE_WORDS:
        windows = [
            " ".join(words[i : i + KEY_PHRASE_WORDS])
            for i in range(len(words) - KEY_PHRASE_WORDS + 1)
        ]
        scores = [_checkable(w, langs) for w in windows]
        top = max(scores)
        tied = [w for w, score in zip(windows, scores, strict=True) if score == top]
        best = tied[len(tied) // 2]  # of equal windows, the middle one keeps context both sides
    phrase = " ".join(best.split()).strip(_PUNCT_EDGES)
    phrase = re.sub(r"^(?:dass|that|und|and|but|aber|sowie)\s+", "", phrase, flags=re.IGNORECASE)
    return phrase or " ".join(span_text.split())


def _checkable(piece: str, langs: tuple[str, ...]) -> float:
    """Figures count double: they are what a source page is most likely to repeat."""
    numeric = ("amount", "percentage", "number")
    return sum(h.weight * (2 if h.code in numeric else 1) for h in _claim_hits(piece, langs))
