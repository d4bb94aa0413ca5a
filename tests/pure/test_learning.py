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
