"""Learning curve of the model that learns from the desk (annotations.learning).

Reads the desk's labelled sentences from bench/data/desk_<language>.tsv (columns: labels,
sentence; labels a comma-separated subset of claim, opinion, speculation, source, or "-"),
splits them deterministically (a quarter, by a hash of the sentence, is the test part),
trains on the first 0, 50, 200 and 800 training sentences (each a yes or no of the desk for
every label; 0 is the rules alone) and scores, on the test part, the rules alone against the
rules plus the model (and with the model dropping the rule labels it strongly rejects,
"drop<…"): micro and per-label P/R/F1 at sentence level, per language.

    DEBUG=1 .venv/bin/python bench/learning_curve.py
    DEBUG=1 .venv/bin/python bench/learning_curve.py --data /tmp/desk --sizes 0 20 40

Never reads tests/data (the cue rules' own gold and blind rows).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from annotations import cues, learning  # noqa: E402

DATA = ROOT / "bench" / "data"
LANGUAGES = ("de", "en")
SIZES = (0, 50, 200, 800)
TEST_SHARE = 64  # of 256: a quarter
# The optional third system: rules plus model, where the model may also drop a rule's label
# it gives less than this probability (to see whether dropping helps before it is used).
DROP_BELOW = 0.0
# The model's suggestions from this probability (the app's FACTCHECK_MODEL_SUGGEST_AT);
# None: each label's threshold as the model chose it on its own held-out part.
SUGGEST_AT: float | None = None


@dataclass(frozen=True)
class Row:
    labels: frozenset[str]
    sentence: str

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.sentence.encode("utf-8")).digest()


def load(path: Path) -> list[Row]:
    """The rows of one desk file; a header line ("labels…") and # comments are skipped."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("labels\t"):
            continue
        labels, sentence = line.split("\t", 1)
        picked = frozenset(x.strip() for x in labels.split(",") if x.strip() not in ("-", ""))
        unknown = picked - set(cues.LABELS)
        if unknown:
            raise ValueError(f"{path.name}: unknown labels {sorted(unknown)} in {line!r}")
        rows.append(Row(picked, sentence.strip()))
    return rows


def split(rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """(train, test): test is the quarter whose hash starts below TEST_SHARE; train is in
    hash order, so its first N rows are the same N whatever the file's order."""
    ordered = sorted(rows, key=lambda r: r.digest)
    return (
        [r for r in ordered if r.digest[0] >= TEST_SHARE],
        [r for r in ordered if r.digest[0] < TEST_SHARE],
    )


def examples(rows: list[Row]) -> list[learning.Example]:
    return [
        learning.Example(r.sentence, label, label in r.labels)
        for r in rows
        for label in cues.LABELS
    ]


def predicted(
    rows: list[Row], language: str, model: learning.Model | None, drop_below: float = 0.0
) -> list[set[str]]:
    """The labels the rules (and the model, when given) suggest for each row's sentence,
    the sentences joined with newlines into one text as an article would be. With
    `drop_below`, a rule's label is dropped where the model gives it less than that."""
    text = "\n".join(r.sentence for r in rows)
    spans, pos = [], 0
    for r in rows:
        spans.append((pos, pos + len(r.sentence)))
        pos += len(r.sentence) + 1
    found = cues.suggest(text, language)
    rules = [[s for s in found if s.start < b and a < s.end] for a, b in spans]
    if model is not None:
        added = learning.predict(model, text, language, rules=found, at=SUGGEST_AT)
        found = learning.combine(found, added)
    said = [{s.label for s in found if s.start < b and a < s.end} for a, b in spans]
    if model is not None and drop_below:
        chances = learning.probabilities(model, [r.sentence for r in rows], rules)
        for i, labels in enumerate(said):
            labels -= {
                label for label in labels if chances.get(label, [1.0] * len(rows))[i] < drop_below
            }
    return said


def scores(rows: list[Row], said: list[set[str]]) -> dict[str, tuple[float, float, float]]:
    counts = {label: [0, 0, 0] for label in cues.LABELS}
    for row, labels in zip(rows, said, strict=True):
        for label in cues.LABELS:
            c = counts[label]
            if label in labels and label in row.labels:
                c[0] += 1
            elif label in labels:
                c[1] += 1
            elif label in row.labels:
                c[2] += 1
    counts["micro"] = [sum(c[k] for c in counts.values()) for k in range(3)]
    out = {}
    for label, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out[label] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    return out


def curve(language: str, data: Path, sizes: tuple[int, ...]) -> None:
    path = data / f"desk_{language}.tsv"
    if not path.exists():
        print(f"{language}: no {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        return
    train, test = split(load(path))
    print(f"\n{language}: {len(train)} training rows, {len(test)} test rows")
    print(
        f"{'rows':>5} {'system':12} {'P':>5} {'R':>5} {'F1':>5}  "
        + "  ".join(f"{label[:5]:>5}" for label in cues.LABELS)
        + "   (per-label F1)  seconds"
    )
    rules = scores(test, predicted(test, language, None))
    # A size beyond the training rows is all of them, once.
    for size in sorted({min(size, len(train)) for size in sizes}):
        used = train[:size]
        started = time.perf_counter()
        model = learning.train(examples(used), language) if used else None
        seconds = time.perf_counter() - started
        if model is None:
            line(len(used), "rules", rules, seconds)
            continue
        line(len(used), "rules+model", scores(test, predicted(test, language, model)), seconds)
        if DROP_BELOW:
            dropping = scores(test, predicted(test, language, model, DROP_BELOW))
            line(len(used), f"  drop<{DROP_BELOW}", dropping, seconds)


def line(size: int, name: str, result: dict[str, tuple[float, float, float]], seconds: float):
    p, r, f = result["micro"]
    per_label = "  ".join(f"{result[label][2]:5.2f}" for label in cues.LABELS)
    print(f"{size:5d} {name:12} {p:5.3f} {r:5.3f} {f:5.3f}  {per_label}   {seconds:6.1f}")


def main() -> None:
    global SUGGEST_AT, DROP_BELOW
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of desk_<lang>.tsv")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--at", type=float, default=None, help="suggest from p (default: chosen)")
    parser.add_argument("--drop", type=float, default=DROP_BELOW, help="drop rule labels below p")
    args = parser.parse_args()
    SUGGEST_AT, DROP_BELOW = args.at, args.drop
    at = "its own held-out thresholds" if SUGGEST_AT is None else f"p >= {SUGGEST_AT}"
    print(f"model suggests from {at}; test = a quarter of rows by hash")
    for language in LANGUAGES:
        curve(language, args.data, tuple(args.sizes))


if __name__ == "__main__":
    main()
