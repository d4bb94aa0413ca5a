"""A small model that learns from the desk's decisions, beside the cue rules.

Pure: no Django, no database. Per language, one linear classifier per label (logistic
regression) over the words, word pairs and lemmas of a sentence and over what the cue rules
(`cues.suggest`) say about it. It is trained on the desk's decisions (`Example`: a sentence,
a label, whether the desk said yes or no, and how much that counts), scored on a held-out
part of them, and serialised to bytes for the database as compressed JSON (its weights by
feature name; never pickle, so a stored model is data, not code).

Each label's threshold is chosen on the held-out part: the one at which "the rules or the
model" scores the best F-beta there, precision weighing about twice as much as recall
(SUGGEST_AT while there are too few held-out examples), and never below the language's
MIN_THRESHOLD for the label (in German the model's opinions and sources from probabilities
near 0.5 were wrong about as often as right, on the desk's data and on the spent blind set).

The rules stay the first word: `combine` keeps the rule suggestions and adds the model's
for sentences the rules left without that label, each with the words that weighed most, so
an editor still sees why it was made. The one exception is the veto (VETO_BELOW, German):
a rule's claim in a sentence to which a model, with a threshold of its own for claims,
gives less than that probability is dropped; the rules' claims are their least precise
label.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import simplemma
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from . import cues

__all__ = [
    "MODEL_REASON",
    "Example",
    "Model",
    "Prediction",
    "combine",
    "dumps",
    "features",
    "loads",
    "predict",
    "probabilities",
    "score",
    "train",
]

# The reason code of a model's suggestion (machine_text words it: "the desk’s model: …").
MODEL_REASON = "model_words"
# A sentence gets the model's suggestion for a label from this probability on, while its
# held-out part is too small to choose a threshold (THRESHOLD_MIN_POSITIVES yes of the desk).
SUGGEST_AT = 0.7
# The thresholds tried on the held-out part, and the held-out yes needed to choose one.
THRESHOLDS = tuple(round(0.3 + 0.05 * i, 2) for i in range(13))  # 0.3 … 0.9
THRESHOLD_MIN_POSITIVES = 8
# A label's threshold is the one with the best F-beta of "the rules or the model" on the
# held-out part, with beta below 1 so that precision weighs about twice as much as recall
# (an editor stops reading suggestions that are often wrong).
BETA = 0.7
# Per language and label, the lowest threshold the held-out part may choose: where the
# rules did not say the label, the model alone adds it from this probability on (measured
# with bench/eval_cues.py --model over salted splits of the desk set, issue 14).
MIN_THRESHOLD: dict[str, dict[str, float]] = {"de": {"opinion": 0.55, "source": 0.6}}
# Per language and label, the probability below which the model drops a rule's suggestion
# of that label for a sentence (only a classifier whose threshold was chosen on its held-out
# part, that is one with enough of the desk's decisions, gets a veto). English: the veto
# raised precision on the desk's data and the spent blind set but cost recall on the rules'
# own gold, so it waits for more evidence.
VETO_BELOW: dict[str, dict[str, float]] = {"de": {"claim": 0.4}}
# The stored bytes: this prefix, then zlib-compressed JSON.
_MAGIC = b"FCSM1\n"
# Of the training examples, the share (by a hash of the sentence, so the same every time)
# kept aside to score the model before it is fitted on all of them.
HELD_OUT = 0.2
# Words named as the reason of a model's suggestion.
TOP_WORDS = 3
# Sentences longer than this are cut for the features; their tail adds little but time.
MAX_FEATURE_CHARS = 1000

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
# Feature name prefixes whose rest is words of the text (shown as reasons); the others
# (rule=, code=, shape=) are the rules' verdicts and the sentence's shape.
_WORDY = ("w=", "b=", "l=")


@dataclass(frozen=True)
class Example:
    """One decision of the desk about one sentence and one label: `positive` when the desk
    tagged it (or accepted the suggestion), not when it dismissed it or left it untagged;
    `weight` says how much that counts (an untagged sentence is a weak no)."""

    sentence: str
    label: str
    positive: bool
    weight: float = 1.0


@dataclass(frozen=True)
class Prediction:
    """The model's suggestion: the sentence [start, end) in code points, the label, the
    probability, and the words of the sentence that weighed most for it."""

    start: int
    end: int
    label: str
    probability: float
    words: tuple[str, ...]
    # A veto: the model drops the rules' suggestions of `label` in this sentence.
    veto: bool = False


@dataclass(frozen=True)
class Classifier:
    """One label's linear classifier: a weight per feature name, the intercept, the
    probability from which it suggests the label, and the one below which it drops the
    rules' suggestion of the label (0: never)."""

    weights: dict[str, float]
    intercept: float
    threshold: float = SUGGEST_AT
    veto: float = 0.0

    def probability(self, found: dict[str, float]) -> float:
        z = self.intercept + sum(self.weights.get(name, 0.0) * v for name, v in found.items())
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@dataclass
class Model:
    """A fitted model of one language: a classifier per label (labels with only one kind of
    example have none), with its held-out scores."""

    language: str
    classifiers: dict[str, Classifier]
    size: int
    scores: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- features


@lru_cache(maxsize=65536)
def _lemma(token: str, language: str) -> str:
    return simplemma.lemmatize(token, lang=language)


def _language(language: str) -> str:
    return (language or "").strip().lower().replace("_", "-").split("-")[0]


def features(
    sentence: str, language: str, rule_labels: Iterable[cues.Suggestion] | None = None
) -> dict[str, float]:
    """The features of one sentence: lowercased words (`w=`), word pairs (`b=`), lemmas
    (`l=`, German or English), the labels and reason codes the cue rules give it (`rule=`,
    `code=`; computed here unless `rule_labels` passes the rules' suggestions for it), and
    its shape (`shape=`: a digit, a question, quotation marks)."""
    sentence = sentence[:MAX_FEATURE_CHARS]
    lang = _language(language)
    tokens = [m.group().lower() for m in _WORD.finditer(sentence)]
    found: dict[str, float] = {}
    for i, token in enumerate(tokens):
        found[f"w={token}"] = 1.0
        if i:
            found[f"b={tokens[i - 1]} {token}"] = 1.0
        if lang in ("de", "en"):
            found[f"l={_lemma(token, lang).lower()}"] = 1.0
    suggestions = cues.suggest(sentence, language) if rule_labels is None else rule_labels
    for item in suggestions:
        found[f"rule={item.label}"] = 1.0
        for reason in item.reasons:
            found[f"code={item.label}:{reason.code}"] = 1.0
    if any(c.isdigit() for c in sentence):
        found["shape=digit"] = 1.0
    if sentence.rstrip().endswith("?"):
        found["shape=question"] = 1.0
    if any(c in sentence for c in '"“”„«»'):
        found["shape=quote"] = 1.0
    return found


# --------------------------------------------------------------------------- training


def _held_out(sentence: str) -> bool:
    # Salted, so that it is independent of any other split by a plain hash of the sentence
    # (bench/learning_curve.py takes its test part by the first byte of one).
    digest = hashlib.sha256(b"held-out\0" + sentence.encode("utf-8")).digest()
    return digest[0] < 256 * HELD_OUT


def _fit(
    examples: Sequence[Example],
    rows: dict[str, dict[str, float]],
    language: str,
    thresholds: dict[str, float] | None = None,
    vetoes: dict[str, float] | None = None,
) -> Model:
    vectorizer = DictVectorizer()
    vectorizer.fit([rows[e.sentence] for e in examples])
    names = vectorizer.feature_names_
    classifiers: dict[str, Classifier] = {}
    for label in cues.LABELS:
        mine = [e for e in examples if e.label == label]
        if len({e.positive for e in mine}) < 2:
            continue
        matrix = vectorizer.transform([rows[e.sentence] for e in mine])
        fitted = LogisticRegression(C=1.0, class_weight="balanced", max_iter=500)
        fitted.fit(matrix, [int(e.positive) for e in mine], sample_weight=[e.weight for e in mine])
        weights = {
            name: round(float(w), 5) for name, w in zip(names, fitted.coef_[0], strict=True) if w
        }
        threshold = (thresholds or {}).get(label, SUGGEST_AT)
        veto = (vetoes or {}).get(label, 0.0)
        intercept = round(float(fitted.intercept_[0]), 5)
        classifiers[label] = Classifier(weights, intercept, threshold, veto)
    return Model(language, classifiers, size=len(examples))


def _thresholds(
    model: Model, examples: Sequence[Example], rows: dict[str, dict[str, float]]
) -> dict[str, float]:
    """Per label, the threshold at which "the rules or the model" has the best F-beta
    (BETA) on `examples` (the held-out part; ties go to the higher threshold), from the
    language's MIN_THRESHOLD on, for labels with THRESHOLD_MIN_POSITIVES yes there;
    SUGGEST_AT for the others."""
    chosen = {}
    lowest = MIN_THRESHOLD.get(_language(model.language), {})
    for label, classifier in model.classifiers.items():
        mine = [e for e in examples if e.label == label]
        if sum(e.positive for e in mine) < THRESHOLD_MIN_POSITIVES:
            chosen[label] = max(SUGGEST_AT, lowest.get(label, 0.0))
            continue
        said = [
            (f"rule={label}" in rows[e.sentence], classifier.probability(rows[e.sentence]), e)
            for e in mine
        ]
        best = (-1.0, SUGGEST_AT)
        b2 = BETA * BETA
        for threshold in THRESHOLDS:
            if threshold < lowest.get(label, 0.0):
                continue
            tp = sum(1 for r, p, e in said if (r or p >= threshold) and e.positive)
            fp = sum(1 for r, p, e in said if (r or p >= threshold) and not e.positive)
            fn = sum(1 for r, p, e in said if not (r or p >= threshold) and e.positive)
            f_beta = (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0
            if f_beta >= best[0]:
                best = (f_beta, threshold)
        chosen[label] = best[1]
    return chosen


def train(examples: Iterable[Example], language: str) -> Model:
    """Fit a model on `examples` and score it: first fitted without the held-out part
    (HELD_OUT of the sentences, chosen by hash), its thresholds chosen and its scores taken
    there, then fitted on all with those thresholds. `scores` holds P/R/F1 per label and
    micro-averaged, with the counts they come from, and the `thresholds` (empty when either
    part has no example)."""
    examples = list(examples)
    rows = {e.sentence: features(e.sentence, language) for e in examples}
    kept = [e for e in examples if not _held_out(e.sentence)]
    held = [e for e in examples if _held_out(e.sentence)]
    scores: dict[str, Any] = {}
    thresholds: dict[str, float] = {}
    vetoes: dict[str, float] = {}
    if kept and held:
        first = _fit(kept, rows, language)
        thresholds = _thresholds(first, held, rows)
        first.classifiers = {
            label: replace(c, threshold=thresholds[label]) for label, c in first.classifiers.items()
        }
        scores = score(first, held)
        vetoes = {
            label: below
            for label, below in VETO_BELOW.get(_language(language), {}).items()
            if label in first.classifiers
            and sum(e.positive for e in held if e.label == label) >= THRESHOLD_MIN_POSITIVES
        }
    model = _fit(examples, rows, language, thresholds, vetoes)
    if scores:
        scores["thresholds"] = {label: c.threshold for label, c in model.classifiers.items()}
        scores["vetoes"] = {label: c.veto for label, c in model.classifiers.items() if c.veto}
    model.scores = scores
    return model


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def score(model: Model, examples: Sequence[Example]) -> dict[str, Any]:
    """P/R/F1 of the model alone on `examples` (its yes from each label's threshold), per
    label and micro-averaged (`"micro"`), with `n`, the number of examples."""
    counts = {label: [0, 0, 0] for label in cues.LABELS}
    said_yes = probabilities(model, [e.sentence for e in examples], [None] * len(examples))
    for i, e in enumerate(examples):
        classifier = model.classifiers.get(e.label)
        chance = said_yes.get(e.label, [0.0] * len(examples))[i]
        said = classifier is not None and chance >= classifier.threshold
        tp_fp_fn = counts[e.label]
        if said and e.positive:
            tp_fp_fn[0] += 1
        elif said:
            tp_fp_fn[1] += 1
        elif e.positive:
            tp_fp_fn[2] += 1
    out: dict[str, Any] = {label: _prf(*c) for label, c in counts.items()}
    out["micro"] = _prf(*(sum(c[k] for c in counts.values()) for k in range(3)))
    out["n"] = len(examples)
    return out


# --------------------------------------------------------------------------- predicting


def probabilities(
    model: Model, sentences: Sequence[str], rules: Sequence[list[cues.Suggestion] | None]
) -> dict[str, list[float]]:
    """Per label (that has a classifier), the probability of yes for each sentence;
    `rules` the rules' suggestions for each sentence (None: worked out here)."""
    if not sentences or not model.classifiers:
        return {}
    rows = [features(s, model.language, r) for s, r in zip(sentences, rules, strict=True)]
    return {
        label: [classifier.probability(row) for row in rows]
        for label, classifier in model.classifiers.items()
    }


def _top_words(model: Model, sentence: str, label: str, rule: list | None) -> tuple[str, ...]:
    """The words of `sentence` whose features weighed most for `label`."""
    weights = model.classifiers[label].weights
    found = features(sentence, model.language, rule)
    ranked = sorted(
        ((weights.get(name, 0.0) * value, name) for name, value in found.items()), reverse=True
    )
    words: list[str] = []
    for weight, name in ranked:
        if weight <= 0 or len(words) >= TOP_WORDS:
            break
        word = name[2:]
        if name.startswith(_WORDY) and word not in words:
            words.append(word)
    return tuple(words)


def predict(
    model: Model,
    text: str,
    language: str,
    *,
    rules: Sequence[cues.Suggestion] | None = None,
    at: float | None = None,
) -> list[Prediction]:
    """The model's suggestions for `text`: each sentence (cues.sentences) and label whose
    probability reaches the label's threshold (or `at`, when given), with the words that
    weighed most; and its vetoes (`veto` set): each sentence where a rule suggests a label
    to which the model gives less than that label's `veto`. `rules` are the rules'
    suggestions for the whole text, when the caller has them already."""
    spans = [
        (a, b) for a, b in cues.sentences(text, language) if any(c.isalnum() for c in text[a:b])
    ]
    if rules is None:
        rules = cues.suggest(text, language)
    per_sentence = _by_span(spans, rules)
    sentences = [text[a:b] for a, b in spans]
    found = []
    for label, chances in probabilities(model, sentences, per_sentence).items():
        threshold = model.classifiers[label].threshold if at is None else at
        veto = model.classifiers[label].veto
        for i, probability in enumerate(chances):
            if probability < veto and any(r.label == label for r in per_sentence[i]):
                a, b = spans[i]
                found.append(Prediction(a, b, label, round(probability, 3), (), veto=True))
            elif probability >= threshold:
                words = _top_words(model, sentences[i], label, per_sentence[i])
                a, b = spans[i]
                found.append(Prediction(a, b, label, round(probability, 3), words))
    return sorted(found, key=lambda p: (p.start, p.end, cues.LABELS.index(p.label)))


def _by_span(
    spans: Sequence[tuple[int, int]], items: Iterable[cues.Suggestion]
) -> list[list[cues.Suggestion]]:
    """For each of `spans` (sorted, not overlapping: sentences), the items that overlap it;
    linear in the items rather than spans × items, for texts of thousands of sentences."""
    starts = [a for a, _b in spans]
    out: list[list[cues.Suggestion]] = [[] for _ in spans]
    for item in items:
        i = max(bisect.bisect_right(starts, item.start) - 1, 0)
        while i < len(spans) and spans[i][0] < item.end:
            if item.start < spans[i][1]:
                out[i].append(item)
            i += 1
    return out


def combine(
    rules: Sequence[cues.Suggestion], predictions: Iterable[Prediction]
) -> list[cues.Suggestion]:
    """The rules' suggestions, but those inside a sentence the model vetoes for their label,
    plus the model's (sentences, as `predict` gives them) for each sentence that no rule
    suggestion of the same label overlaps; a model suggestion's reason is `MODEL_REASON`
    with its top words. Sorted as `cues.suggest` sorts."""
    predictions = list(predictions)
    vetoes = [p for p in predictions if p.veto]
    predictions = [p for p in predictions if not p.veto]
    out = [
        r
        for r in rules
        if not any(v.label == r.label and v.start <= r.start and r.end <= v.end for v in vetoes)
    ]
    spans = sorted({(p.start, p.end) for p in predictions})
    overlapping = _by_span(spans, rules)
    covered = {
        (span, r.label) for span, found in zip(spans, overlapping, strict=True) for r in found
    }
    for p in predictions:
        if ((p.start, p.end), p.label) in covered:
            continue
        reason = cues.Reason(MODEL_REASON, ", ".join(p.words))
        out.append(cues.Suggestion(p.start, p.end, p.label, (reason,), p.probability))
    order = {label: i for i, label in enumerate(cues.LABELS)}
    return sorted(out, key=lambda s: (s.start, s.end, order.get(s.label, len(order))))


# --------------------------------------------------------------------------- storage


def dumps(model: Model) -> bytes:
    """The model as bytes for the database: a prefix and zlib-compressed JSON of its weights
    by feature name (data only, so loading it runs no code)."""
    document = {
        "language": model.language,
        "size": model.size,
        "scores": model.scores,
        "classifiers": {
            label: {
                "weights": c.weights,
                "intercept": c.intercept,
                "threshold": c.threshold,
                "veto": c.veto,
            }
            for label, c in model.classifiers.items()
        },
    }
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return _MAGIC + zlib.compress(payload.encode("utf-8"), 6)


def loads(blob: bytes) -> Model:
    """A model from `dumps`. Raises TypeError for bytes that are not one."""
    blob = bytes(blob)
    if not blob.startswith(_MAGIC):
        raise TypeError("not a suggestion model")
    try:
        document = json.loads(zlib.decompress(blob[len(_MAGIC) :]).decode("utf-8"))
        classifiers = {
            label: Classifier(
                {str(k): float(v) for k, v in c["weights"].items()},
                float(c["intercept"]),
                float(c["threshold"]),
                float(c.get("veto", 0.0)),
            )
            for label, c in document["classifiers"].items()
            if label in cues.LABELS
        }
        return Model(
            str(document["language"]), classifiers, int(document["size"]), document["scores"]
        )
    except (ValueError, KeyError, TypeError, AttributeError, zlib.error) as error:
        raise TypeError(f"not a suggestion model: {error}") from error
