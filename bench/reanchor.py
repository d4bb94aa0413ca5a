"""Benchmark re-anchoring: 1,000 annotations on a 100 KB German article after 5 % edits.

Run with `python bench/reanchor.py [SEED [EDIT_SHARE]]`. Everything is seeded, so runs are
comparable. CPU time is printed next to wall time because a busy machine inflates the latter.
The budget (DESIGN.md) is 0.5 s on one core; no annotation may ever be anchored at a wrong
position.

"5 % edits" means: insertions, deletions and replacements at random places until the
characters deleted plus inserted reach 5 % of the article length. An annotation is
recoverable when no edit touched its text; its true new position is tracked through the
edits.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotations.text import ANCHORED, FUZZY, ORPHANED, quote_at, reanchor_many

SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 20240611
TEXT_SIZE = 100_000  # code points
ANNOTATIONS = 1_000
EDIT_SHARE = float(sys.argv[2]) if len(sys.argv) > 2 else 0.05
RUNS = 5

SUBJECTS = [
    "Die Bundesregierung",
    "Der Bürgermeister von München",
    "Die Ministerin für Umwelt und Verbraucherschutz",
    "Ein Sprecher des Verkehrsministeriums",
    "Die Opposition im Landtag",
    "Der Verband der Automobilindustrie",
    "Die Gewerkschaft Verdi",
    "Eine Studie der Universität Göttingen",
    "Der Präsident des Statistischen Bundesamts",
    "Die Fraktion der Grünen",
    "Die Stadtwerke Düsseldorf",
    "Der Aufsichtsrat der Flughafengesellschaft",
    "Die Europäische Zentralbank",
    "Eine Mehrheit der Befragten",
    "Der Vorsitzende des Haushaltsausschusses",
    "Die Polizei in Köln",
    "Das Gesundheitsamt Lübeck",
    "Die Verbraucherzentrale Sachsen",
    "Der Deutsche Wetterdienst",
    "Eine Sprecherin der Deutschen Bahn",
    "Der Oberbürgermeister von Fürth",
    "Die Industrie- und Handelskammer",
]
VERBS = [
    "kündigte am {day} an, dass",
    "erklärte am {day}, dass",
    "teilte mit, dass",
    "behauptete in einem Interview, dass",
    "räumte ein, dass",
    "warnte davor, dass",
    "betonte vor Journalisten, dass",
    "bestätigte, dass",
    "bestritt energisch, dass",
    "schätzt, dass",
    "hält es für möglich, dass",
]
CLAUSES = [
    "die Preise für Strom im {month} um {pct} Prozent steigen würden",
    "im kommenden Jahr rund {n} neue Wohnungen gebaut werden sollen",
    "die Zahl der Übernachtungen um {pct} Prozent gestiegen sei",
    "der Ausbau der Schiene {n} Millionen Euro kosten werde",
    "mehr als {n} Menschen von der Sperrung betroffen seien",
    "die Straßenbahn ab {month} deutlich häufiger fahren solle",
    "die Schulden der Stadt auf {n} Millionen Euro gewachsen seien",
    "die Maßnahmen bereits nach wenigen Wochen Wirkung zeigten",
    "über die Größe des Projekts noch nicht entschieden sei",
    "die Löhne seit {year} stärker als die Inflation gestiegen seien",
    "jeder {nth}. Haushalt keinen Zugang zu schnellem Internet habe",
    "die Wartezeit beim Bürgeramt auf {n} Tage gesunken sei",
    "die Kita-Gebühren ab {month} für alle Familien entfallen",
    "der Anteil erneuerbarer Energien bei {pct} Prozent liege",
    "die Grundsteuer nicht erhöht werden müsse",
    "der Neubau der Brücke frühestens {year} fertig werde",
    "die Zahl der Einbrüche im Vergleich zu {year} halbiert worden sei",
    "die Förderung für Lastenräder um {n} Euro gekürzt werde",
]
TAILS = [
    "",
    "",
    " Das sei ein großer Erfolg für die Region.",
    " Kritiker halten diese Zahl für deutlich übertrieben.",
    " „Wir sind auf einem guten Weg“, sagte {name}.",
    " Belege dafür wurden bislang nicht veröffentlicht.",
    " Quelle: eigene Berechnungen.",
    " „Das ist schlicht falsch“, entgegnete {name}.",
    " Eine Überprüfung durch unabhängige Gutachter steht noch aus.",
    " Nach Angaben von {name} gilt das auch für die Nachbarkreise.",
]
NAMES = [
    "Jürgen Müller",
    "Özlem Yılmaz",
    "Sören Weiß",
    "Käthe Schäfer",
    "Björn Krüger",
    "Anna Łukasiewicz",
    "Günther Öztürk",
    "Lena Groß",
]
DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September"]


def sentence(rng: random.Random) -> str:
    values = {
        "day": rng.choice(DAYS),
        "month": rng.choice(MONTHS),
        "pct": f"{rng.randint(1, 60)},{rng.randint(0, 9)}",
        "n": str(rng.randint(2, 9000)),
        "year": str(rng.randint(1995, 2031)),
        "nth": str(rng.randint(3, 12)),
        "name": rng.choice(NAMES),
    }
    parts = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(CLAUSES) + "."]
    return (" ".join(parts) + rng.choice(TAILS)).format(**values)


def article(rng: random.Random) -> tuple[str, list[tuple[int, int]]]:
    """The text and the [start, end) of every sentence in it."""
    text = ""
    sentences: list[tuple[int, int]] = []
    while len(text) < TEXT_SIZE:
        if text:
            text += "\n\n"
        for index in range(rng.randint(3, 7)):
            if index:
                text += " "
            body = sentence(rng)
            sentences.append((len(text), len(text) + len(body)))
            text += body
    return text, sentences


def spans(rng: random.Random, text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Annotation spans on word boundaries: whole sentences, clauses and single words."""
    chosen = []
    for _ in range(ANNOTATIONS):
        start, end = rng.choice(sentences)
        kind = rng.random()
        if kind < 0.45:
            chosen.append((start, end))
            continue
        starts = [start] + [i + 1 for i in range(start, end) if text[i] == " "]
        ends = [i for i in range(start, end) if text[i] == " "] + [end]
        if kind < 0.85:
            first = rng.randrange(max(1, len(starts) - 3))
            last = min(len(starts) - 1, first + rng.randint(2, 11))
        else:
            first = rng.randrange(len(starts))
            last = min(len(starts) - 1, first + rng.randint(0, 1))
        chosen.append((starts[first], ends[last]))
    return chosen


@dataclass(frozen=True)
class Edit:
    start: int  # old-text [start, end) removed, then `inserted` put in its place
    end: int
    inserted: str

    @property
    def delta(self) -> int:
        return len(self.inserted) - (self.end - self.start)


def edits(rng: random.Random, text: str) -> list[Edit]:
    """Non-overlapping random edits until 5 % of the characters changed."""
    taken: list[tuple[int, int]] = []
    chosen: list[Edit] = []
    changed = 0
    while changed < EDIT_SHARE * len(text):
        start = rng.randrange(len(text))
        kind = rng.random()
        removed = 0 if kind < 0.4 else rng.randint(1, 40)
        end = min(len(text), start + removed)
        if kind < 0.4 or kind >= 0.7:
            if rng.random() < 0.5:
                at = rng.randrange(len(text) - 40)
                inserted = text[at : at + rng.randint(1, 40)]
            else:
                inserted = " " + " ".join(rng.choice(sentence(rng).split()) for _ in range(3))
            if inserted == text[start:end]:
                continue
        else:
            inserted = ""
        # One character of unchanged text between edits keeps their effects apart.
        if any(start <= b and end >= a - 1 for a, b in taken):
            continue
        taken.append((start, end + 1))
        chosen.append(Edit(start, end, inserted))
        changed += (end - start) + len(inserted)
    return sorted(chosen, key=lambda edit: edit.start)


def apply(text: str, changes: list[Edit]) -> str:
    for edit in reversed(changes):
        text = text[: edit.start] + edit.inserted + text[edit.end :]
    return text


def true_position(start: int, end: int, changes: list[Edit]) -> tuple[int, int] | None:
    """Where an untouched span lands; None when an edit touched its text."""
    shift = 0
    for edit in changes:
        if edit.end > edit.start and edit.start < end and edit.end > start:
            return None
        if edit.end == edit.start and start < edit.start < end:
            return None
        if edit.end <= start:
            shift += edit.delta
    return start + shift, end + shift


def new_position(position: int, changes: list[Edit]) -> int:
    """Where an old position lands; inside a removed stretch, where the stretch was."""
    shift = 0
    for edit in changes:
        if edit.end <= position:
            shift += edit.delta
        elif edit.start < position:
            return edit.start + shift
    return position + shift


def main() -> None:
    rng = random.Random(SEED)
    old_text, sentences = article(rng)
    chosen = spans(rng, old_text, sentences)
    changes = edits(rng, old_text)
    new_text = apply(old_text, changes)
    rows = []
    for key, (start, end) in enumerate(chosen):
        quote = quote_at(old_text, start, end)
        rows.append((key, start, end, quote.exact, quote.prefix, quote.suffix))
    truth = {key: true_position(start, end, changes) for key, (start, end) in enumerate(chosen)}
    # Where the remains of each annotation are in the new text.
    region = {
        key: (new_position(start, changes), new_position(end, changes))
        for key, (start, end) in enumerate(chosen)
    }

    wall, cpu = [], []
    for _ in range(RUNS):
        wall_began, cpu_began = time.perf_counter(), time.process_time()
        anchors = reanchor_many(old_text, new_text, rows)
        wall.append(time.perf_counter() - wall_began)
        cpu.append(time.process_time() - cpu_began)

    def in_region(key: int) -> bool:
        low, high = region[key]
        return anchors[key].start < max(high, low + 1) and anchors[key].end > low

    recoverable = [key for key, position in truth.items() if position is not None]
    touched = [key for key, position in truth.items() if position is None]
    placed = [key for key in recoverable if (anchors[key].start, anchors[key].end) == truth[key]]
    # An edit inside a span can leave its quote intact after all (inserting "dass des die "
    # inside "dass die Maßnahmen" reads as an insertion before it); anchoring there is right.
    reread = [key for key in touched if anchors[key].state == ANCHORED and in_region(key)]
    wrong = [
        key
        for key, anchor in anchors.items()
        if anchor.state == ANCHORED
        and key not in reread
        and (truth[key] is None or (anchor.start, anchor.end) != truth[key])
    ]
    astray = [key for key in touched if anchors[key].state == FUZZY and not in_region(key)]
    mislabelled = [
        key
        for key, anchor in anchors.items()
        if anchor.state != ORPHANED and new_text[anchor.start : anchor.end] != anchor.exact
    ]
    states = Counter(anchor.state for anchor in anchors.values())
    touched_states = Counter(anchors[key].state for key in touched)

    def counts(counter: Counter[str]) -> str:
        return ", ".join(f"{state} {counter[state]}" for state in (ANCHORED, FUZZY, ORPHANED))

    print(f"text: {len(old_text):,} -> {len(new_text):,} code points, {len(changes)} edits")
    print(f"annotations: {len(rows):,} ({len(recoverable):,} untouched by the edits)")
    print(
        f"time: {statistics.median(wall) * 1000:.1f} ms wall, "
        f"{statistics.median(cpu) * 1000:.1f} ms CPU (median of {RUNS})"
    )
    print(
        f"accuracy: {100 * len(placed) / len(recoverable):.2f} % of untouched annotations "
        "at their true position"
    )
    print(f"wrongly anchored: {len(wrong)}")
    print(f"exact not matching the text: {len(mislabelled)}")
    print(f"states: {counts(states)}")
    print(f"touched by an edit: {counts(touched_states)}")
    print(f"  anchored where the edit left the quote intact: {len(reread)}")
    print(f"  fuzzy away from their edited passage: {len(astray)}")
    for key in [key for key in recoverable if key not in placed][:5]:
        print(f"  missed {key}: {rows[key][1:3]} -> true {truth[key]}, got {anchors[key]}")
    for key in wrong[:5]:
        print(f"  WRONG {key}: {rows[key][1:4]} -> true {truth[key]}, got {anchors[key]}")
    for key in astray[:5]:
        print(f"  ASTRAY {key}: {rows[key][1:4]} -> got {anchors[key]}")
    if wrong or mislabelled:
        sys.exit(1)


if __name__ == "__main__":
    main()
