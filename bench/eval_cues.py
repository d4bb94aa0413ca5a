"""Precision, recall and F1 of annotations/cues.py on every labelled set, the blind one marked.

Sentence level: a sentence is predicted label L when any suggestion with label L overlaps it.
The sentences of one set and language are joined with newlines into one text and run through
`suggest()` once, as an article would be. The sets:

- `cues`: tests/data/cues_<lang>.tsv, the rules' own gold (split dev/holdout/late/blind; its
  old "blind" split was tuned on since, so it no longer counts as blind);
- `desk`: bench/data/desk_<lang>.tsv, the stand-in desk decisions of the learning curve
  (bench/learning_curve.py); the rules were tuned on its training part;
- `blind2`: tests/data/blind2_<lang>.tsv, written by someone who had not seen the rules; it
  was scored once as the blind set (stop 20) and is spent: a dev set since, tuned on;
- `blind3`: tests/data/blind3_<lang>.tsv, written without sight of the rules; scored once as
  the blind set (stop 21, speculation recall missed) and spent: a dev set since, tuned on;
- `blind4`: tests/data/blind4_<lang>.tsv, written without sight of the rules and never opened
  while tuning: **BLIND**. Scored once, at the end of stop 21 (BENCHMARKS.md); a new
  measurement needs a new set.

    .venv/bin/python bench/eval_cues.py                 # every set, the blind one marked
    .venv/bin/python bench/eval_cues.py --set cues --split dev --errors
    .venv/bin/python bench/eval_cues.py --set desk      # not the blind one
    .venv/bin/python bench/eval_cues.py --set blind4 --model   # the blind one, once, at the end
    .venv/bin/python bench/eval_cues.py --model         # also: rules + a desk model

With `--model`, each set is scored a second time with the rules plus the model that learns
from the desk (annotations.learning), trained on the training part of the desk set only (the
same split as bench/learning_curve.py); the desk set is then scored on its test part alone.

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

from annotations import learning  # noqa: E402
from annotations.cues import LABELS, suggest  # noqa: E402

DATA = ROOT / "tests" / "data"
LANGUAGES = ("de", "en")
# name: (file pattern, blind?, what it is)
SETS = {
    "cues": (DATA / "cues_{language}.tsv", False, "the rules' own gold (tuned on)"),
    "desk": (ROOT / "bench" / "data" / "desk_{language}.tsv", False, "stand-in desk decisions"),
    "blind2": (
        DATA / "blind2_{language}.tsv",
        False,
        "spent blind set, a dev set since its one scoring at stop 20",
    ),
    "blind3": (
        DATA / "blind3_{language}.tsv",
        False,
        "spent blind set, a dev set since its one scoring at stop 21",
    ),
    "blind4": (DATA / "blind4_{language}.tsv", True, "written without sight of the rules"),
}


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


def load(language: str, split: str | None = None, name: str = "cues") -> list[Row]:
    """The rows of one set and language: "split, labels, sentence" or "labels, sentence"
    per line (a header line and # comments skipped)."""
    rows = []
    path = Path(str(SETS[name][0]).format(language=language))
    if not path.exists():
        return rows
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith(("split\t", "labels\t")):
            continue
        cells = line.split("\t")
        row_split, labels, sentence = cells if len(cells) == 3 else ("", *cells)
        if split and row_split != split:
            continue
        picked = frozenset(x.strip() for x in labels.split(",") if x.strip() not in ("-", ""))
        unknown = picked - set(LABELS)
        if unknown:
            raise ValueError(f"{path.name}: unknown labels {sorted(unknown)} in {line!r}")
        rows.append(Row(row_split, picked, sentence.strip()))
    return rows


def desk_model(language: str):
    """The desk model of `language`, trained on the desk set's training part."""
    from bench import learning_curve

    train, _test = learning_curve.split(learning_curve.load(desk_path(language)))
    return learning.train(learning_curve.examples(train), language) if train else None


def desk_path(language: str) -> Path:
    return Path(str(SETS["desk"][0]).format(language=language))


def desk_test_part(rows: list[Row]) -> list[Row]:
    from bench import learning_curve

    kept = {
        r.sentence
        for r in learning_curve.split([learning_curve.Row(r.labels, r.sentence) for r in rows])[1]
    }
    return [r for r in rows if r.sentence in kept]


def predict(rows: list[Row], language: str, model=None) -> list[frozenset[str]]:
    """The labels predicted for each row's sentence (by the rules, plus `model`'s)."""
    return [frozenset(found) for found in predict_why(rows, language, model)]


def predict_why(rows: list[Row], language: str, model=None) -> list[dict[str, list[str]]]:
    """For each row's sentence, each predicted label with what said it: the rules' reason
    codes, or "model p=…" with the words that weighed most."""
    text = "\n".join(r.sentence for r in rows)
    spans = []
    pos = 0
    for r in rows:
        spans.append((pos, pos + len(r.sentence)))
        pos += len(r.sentence) + 1
    found = suggest(text, language)
    if model is not None:
        found = learning.combine(found, learning.predict(model, text, language, rules=found))
    out = []
    for a, b in spans:
        why: dict[str, list[str]] = {}
        for s in found:
            if s.start < b and a < s.end:
                if s.reasons and s.reasons[0].code == learning.MODEL_REASON:
                    said = f"model p={s.score:.2f} ({s.reasons[0].words})"
                else:
                    said = "rule " + "+".join(f"{r.code}:{r.words}" for r in s.reasons)
                why.setdefault(s.label, []).append(said)
        out.append(why)
    return out


def evaluate(
    language: str, split: str | None = None, name: str = "cues", model=None
) -> dict[str, Score]:
    rows = load(language, split, name)
    if model is not None and name == "desk":
        rows = desk_test_part(rows)
    predicted = predict(rows, language, model)
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
    scores["micro"] = Score(
        *(sum(getattr(x, k) for x in scores.values()) for k in ("tp", "fp", "fn"))
    )
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="sets", action="append", choices=tuple(SETS))
    parser.add_argument("--split", choices=("dev", "holdout", "late", "blind"))
    parser.add_argument("--errors", action="store_true", help="list every miss and false alarm")
    parser.add_argument("--model", action="store_true", help="also score rules + a desk model")
    args = parser.parse_args()
    models = {language: desk_model(language) for language in LANGUAGES} if args.model else {}
    for name in args.sets or tuple(SETS):
        pattern, blind, what = SETS[name]
        mark = "BLIND" if blind else "not blind"
        if not any(load(language, None, name) for language in LANGUAGES):
            files = ", ".join(
                Path(str(pattern).format(language=language)).name for language in LANGUAGES
            )
            print(f"\n== set {name} [{mark}]: skipped, no {files} yet")
            continue
        split = args.split if name == "cues" else None
        for system in ("rules", "rules + desk model") if args.model else ("rules",):
            part = ", its test part" if system != "rules" and name == "desk" else ""
            print(f"\n== set {name} [{mark}]: {what}{part}" + (f", split {split}" if split else ""))
            print(f"   system: {system}")
            print(f"{'lang':4} {'label':12} {'n':>4} {'P':>5} {'R':>5} {'F1':>5}    tp   fp   fn")
            for language in LANGUAGES:
                if not load(language, split, name):
                    print(f"{language:4} (no {Path(str(pattern).format(language=language)).name})")
                    continue
                model = models.get(language) if system != "rules" else None
                for label, s in evaluate(language, split, name, model).items():
                    print(
                        f"{language:4} {label:12} {s.tp + s.fn:4d} {s.precision:5.2f} "
                        f"{s.recall:5.2f} {s.f1:5.2f}  {s.tp:4d} {s.fp:4d} {s.fn:4d}"
                    )
        if args.errors:
            for system in ("rules", "rules + desk model") if args.model else ("rules",):
                print(f"\n-- errors of set {name} [{mark}], system: {system}")
                for language in LANGUAGES:
                    model = models.get(language) if system != "rules" else None
                    rows = load(language, split, name)
                    if model is not None and name == "desk":
                        rows = desk_test_part(rows)
                    for r, why in zip(rows, predict_why(rows, language, model), strict=True):
                        p = set(why)
                        if set(r.labels) != p:
                            missed = ",".join(sorted(r.labels - p)) or "-"
                            extra = ",".join(sorted(p - r.labels)) or "-"
                            said = "; ".join(
                                f"{label}: {' / '.join(why[label])}"
                                for label in sorted(p - r.labels)
                            )
                            print(
                                f"{language} missed={missed:20} extra={extra:20} {r.sentence}"
                                + (f"\n      [{said}]" if said else "")
                            )


if __name__ == "__main__":
    main()
