"""The model that learns from the desk (annotations.learning): features, training with
held-out scores, predictions with their words, combination with the rules, bytes."""

from __future__ import annotations

import pytest

from annotations import cues, learning

# "Buschtrommeln" is no cue of the rules: only the desk's decisions can teach it.
RUMOURS = [
    f"Die Buschtrommeln melden, dass {who} bald {what}."
    for who in ("der Vorstand", "die Ministerin", "der Trainer", "die Firma", "der Verein")
    for what in ("geht", "verkauft", "wechselt", "schließt")
]
PLAIN = [
    f"{who} {what} am {day}."
    for who in ("Der Zug", "Die Sitzung", "Das Konzert", "Der Markt", "Die Schule")
    for what in ("beginnt", "endet", "öffnet", "pausiert")
    for day in ("Montag",)
]


def examples() -> list[learning.Example]:
    return [learning.Example(s, "speculation", True) for s in RUMOURS] + [
        learning.Example(s, "speculation", False) for s in PLAIN
    ]


@pytest.fixture(scope="module")
def model() -> learning.Model:
    return learning.train(examples(), "de")


def test_features_hold_words_pairs_lemmas_and_the_rules_verdicts():
    found = learning.features("Die Regierung hat 4,2 Milliarden Euro ausgegeben.", "de")
    assert "w=regierung" in found
    assert "b=milliarden euro" in found
    assert "l=ausgeben" in found
    assert "rule=claim" in found
    assert "shape=digit" in found


def test_training_scores_each_label_on_the_held_out_part(model):
    assert set(model.classifiers) == {"speculation"}
    held = model.scores["n"]
    assert 0 < held < len(examples())
    assert model.scores["speculation"]["tp"] + model.scores["speculation"]["fn"] > 0
    assert set(model.scores["micro"]) >= {"precision", "recall", "f1"}


def test_a_label_with_one_kind_of_example_gets_no_classifier():
    only_yes = [learning.Example(s, "opinion", True) for s in RUMOURS]
    assert learning.train(only_yes, "de").classifiers == {}


def test_predict_finds_the_learnt_sentence_and_names_its_words(model):
    text = "Die Buschtrommeln melden, dass die Bahn bald verkauft. Der Bus endet am Montag."
    found = learning.predict(model, text, "de", at=0.5)
    assert [(p.start, p.label) for p in found] == [(0, "speculation")]
    assert found[0].end == text.index(" Der Bus")
    assert "buschtrommeln" in found[0].words


def test_combine_adds_only_what_the_rules_missed(model):
    text = "Die Buschtrommeln melden, dass die Bahn bald verkauft."
    prediction = learning.Prediction(0, len(text), "speculation", 0.9, ("buschtrommeln",))
    rule = cues.Suggestion(0, len(text), "speculation", (cues.Reason("cue", "bald"),), 0.6)
    assert learning.combine([rule], [prediction]) == [rule]
    added = learning.combine([], [prediction])
    assert added[0].reasons == (cues.Reason(learning.MODEL_REASON, "buschtrommeln"),)
    assert added[0].score == 0.9


def test_a_model_survives_its_bytes(model):
    again = learning.loads(learning.dumps(model))
    text = "Die Buschtrommeln melden, dass der Verein bald wechselt."
    assert learning.predict(again, text, "de") == learning.predict(model, text, "de")


def test_bytes_of_something_else_are_refused():
    import pickle

    with pytest.raises(TypeError):
        learning.loads(pickle.dumps({"not": "a model"}))


def test_the_stored_bytes_are_json_data_not_code(model):
    import json
    import zlib

    blob = learning.dumps(model)
    document = json.loads(zlib.decompress(blob[len(b"FCSM1\n") :]))
    assert set(document["classifiers"]) == {"speculation"}
    assert document["classifiers"]["speculation"]["weights"]["w=buschtrommeln"] > 0


def test_each_label_gets_a_threshold_chosen_on_its_held_out_part():
    # Enough held-out yes (THRESHOLD_MIN_POSITIVES) for speculation, none for opinion.
    rumours = [
        f"Die Buschtrommeln melden, dass {who} {when} {what}."
        for who in ("der Vorstand", "die Ministerin", "der Trainer", "die Firma", "der Verein")
        for when in ("bald", "demnächst", "im Mai")
        for what in ("geht", "verkauft", "wechselt", "schließt")
    ]
    plain = [s.replace("Die Buschtrommeln melden, dass", "Gestern hieß es,") for s in rumours]
    examples = [learning.Example(s, "speculation", True) for s in rumours] + [
        learning.Example(s, "speculation", False) for s in plain
    ]
    examples += [learning.Example(s, "opinion", False) for s in rumours[:5]]
    examples += [learning.Example(plain[0], "opinion", True)]
    model = learning.train(examples, "de")
    chosen = model.scores["thresholds"]
    assert chosen["speculation"] in learning.THRESHOLDS
    assert model.classifiers["speculation"].threshold == chosen["speculation"]
    assert chosen["opinion"] == learning.SUGGEST_AT


def _model(
    language: str, label: str, weight: float, other: float = -3.0, **kwargs
) -> learning.Model:
    """A model with one classifier: probability 1/(1+e^-weight) for a sentence with the word
    "buschtrommeln", 1/(1+e^-other) for any other (about 0.05)."""
    classifier = learning.Classifier({"w=buschtrommeln": weight - other}, other, **kwargs)
    return learning.Model(language, {label: classifier}, size=1)


def test_a_german_opinion_threshold_is_never_chosen_below_its_minimum():
    # Near 0.45 the model is right ten times in twelve: the best F-beta alone would pick a
    # threshold below 0.5; in German the floor for opinions holds.
    maybe = [f"Die Buschtrommeln melden Nummer {i}." for i in range(12)]
    held = [learning.Example(s, "opinion", i < 10) for i, s in enumerate(maybe)]
    held += [learning.Example(f"Der Zug fährt um {i}.", "opinion", False) for i in range(10)]
    rows = {e.sentence: learning.features(e.sentence, "de") for e in held}
    weight = -0.2  # probability 0.45
    english = learning._thresholds(_model("en", "opinion", weight), held, rows)["opinion"]
    german = learning._thresholds(_model("de", "opinion", weight), held, rows)["opinion"]
    assert english < 0.5
    assert german >= learning.MIN_THRESHOLD["de"]["opinion"] > english


def test_a_model_vetoes_a_rule_claim_it_finds_unlikely_and_keeps_the_others():
    text = "Die Buschtrommeln melden 40 Millionen Euro Verlust. Die Firma verlor 40 Millionen."
    rules = cues.suggest(text, "de")
    claims = [r for r in rules if r.label == "claim"]
    assert len(claims) == 2
    # "buschtrommeln": probability below 0.01; any other sentence 0.95.
    model = _model("de", "claim", -5.0, 3.0, threshold=0.6, veto=0.4)
    found = learning.predict(model, text, "de", rules=rules)
    assert [(p.start, p.label) for p in found if p.veto] == [(0, "claim")]
    kept = [s for s in learning.combine(rules, found) if s.label == "claim"]
    assert kept == claims[1:]
    without_veto = _model("de", "claim", -5.0, 3.0, threshold=0.6)
    assert learning.combine(rules, learning.predict(without_veto, text, "de", rules=rules)) == (
        rules
    )


def test_the_veto_survives_the_bytes_and_old_bytes_have_none():
    import json
    import zlib

    model = _model("de", "claim", -5.0, threshold=0.6, veto=0.4)
    assert learning.loads(learning.dumps(model)).classifiers["claim"].veto == 0.4
    blob = learning.dumps(model)
    document = json.loads(zlib.decompress(blob[len(b"FCSM1\n") :]))
    del document["classifiers"]["claim"]["veto"]
    old = b"FCSM1\n" + zlib.compress(json.dumps(document).encode("utf-8"))
    assert learning.loads(old).classifiers["claim"].veto == 0.0
