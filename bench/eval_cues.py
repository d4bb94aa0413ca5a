"""Precision, recall and F1 of annotations/cues.py against the labelled sentences.

Sentence level: a sentence is predicted label L when any suggestion with label L overlaps it.
The sentences of one language are joined with newlines into one text and run through
`suggest()` once, as an article would be.

    .venv/bin/python bench/eval_cues.py            # all rows
    .venv/bin/python bench/eval_cues.py --split dev
    .venv/bin/python bench/eval_cues.py --errors   # list every miss and false alarm

Speed (first call with and without warm_up, 100 KB per language): bench/cues_speed.py.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from annotations.cues import LABELS, suggest  # noqa: E402

DATA = ROOT / "tests" / "data"
LANGUAGES = ("de", "en")


@dataclass(frozen=True)
class Row:
    split: str
    labels: frozenset[str]
    sentence: str


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load(language: str, split: str | None = None) -> list[Row]:
    rows = []
    path = DATA / f"cues_{language}.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        if not line.strip() or line.startswith("#") or line.startswith("split\t"):
            continue
        row_split, labels, sentence = line.split("\t")
        if split and row_split != split:
            continue
        picked = frozenset(x for x in labels.split(",") if x != "-")
        rows.append(Row(row_split, picked, sentence))
    return rows


def predict(rows: list[Row], language: str) -> list[frozenset[str]]:
    """The labels predicted for each row's sentence."""
    text = "\n".join(r.sentence for r in rows)
    spans = []
    pos = 0
    for r in rows:
        spans.append((pos, pos + len(r.sentence)))
        pos += len(r.sentence) + 1
    found = suggest(text, language)
    out = []
    for a, b in spans:
        out.append(frozenset(s.label for s in found if s.start < b and a < s.end))
    return out


def evaluate(language: str, split: str | None = None) -> dict[str, Score]:
    rows = load(language, split)
    predicted = predict(rows, language)
    scores = {}
    for label in LABELS:
        tp = sum(
            1 for r, p in zip(rows, predicted, strict=True) if label in r.labels and label in p
        )
        fp = sum(
            1 for r, p in zip(rows, predicted, strict=True) if label not in r.labels and label in p
        )
        fn = sum(
            1 for r, p in zip(rows, predicted, strict=True) if label in r.labels and label not in p
        )
        scores[label] = Score(tp, fp, fn)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "holdout", "late", "blind"))
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    print(f"split: {args.split or 'all'}")
    print(f"{'lang':4} {'label':12} {'n':>3} {'P':>5} {'R':>5} {'F1':>5}   tp fp fn")
    for language in LANGUAGES:
        for label, s in evaluate(language, args.split).items():
            n = s.tp + s.fn
            print(
                f"{language:4} {label:12} {n:3d} {s.precision:5.2f} {s.recall:5.2f} "
                f"{s.f1:5.2f}   {s.tp:2d} {s.fp:2d} {s.fn:2d}"
            )
    if args.errors:
        for language in LANGUAGES:
            rows = load(language, args.split)
            for r, p in zip(rows, predict(rows, language), strict=True):
                if set(r.labels) != set(p):
                    missed = ",".join(sorted(r.labels - p)) or "-"
                    extra = ",".join(sorted(p - r.labels)) or "-"
                    print(f"{language} missed={missed:20} extra={extra:20} {r.sentence}")


if __name__ == "__main__":
    main()
