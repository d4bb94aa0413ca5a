"""The model that learns from the desk, end to end on PostgreSQL: decisions become training
examples, a trained version adds suggestions the rules missed, a rollback restores the
version before, and a desk without decisions gets the rules alone."""

from __future__ import annotations

import pytest

from annotations import cues, learning, selectors, services, tasks
from annotations.models import Article, Event, Job, Label, Suggestion, SuggestionModel
from annotations.services.base import Conflict, Forbidden
from tests.factories import SuggestionFactory, UserFactory, make_annotation, make_article

RUMOURS = [
    f"Die Buschtrommeln melden, dass {who} bald {what}."
    for who in ("der Vorstand", "die Ministerin", "der Trainer", "die Firma")
    for what in ("geht", "verkauft", "wechselt")
]
PLAIN = [
    f"{who} {what} am Montag."
    for who in ("Der Zug", "Die Sitzung", "Das Konzert", "Der Markt")
    for what in ("beginnt", "endet", "öffnet")
]
NEW_TEXT = "Die Buschtrommeln melden, dass die Bahn bald umbaut. Der Bus endet am Montag."


@pytest.fixture(autouse=True)
def _small_desk(settings):
    settings.FACTCHECK_MODEL_MIN_EXAMPLES = 20
    settings.FACTCHECK_MODEL_SUGGEST_AT = 0.6
    settings.FACTCHECK_MODEL_RETRAIN_AFTER = 3


def reviewed_article(editor, sentences: list[str], tagged: list[str]) -> Article:
    """An article of `sentences` whose `tagged` ones the editor marked as speculation, sent
    to review (so its untagged sentences count as the desk's weak no)."""
    article = make_article(editor, body=" ".join(sentences), title="Gerüchte")
    for sentence in tagged:
        make_annotation(editor, article, sentence, label="speculation")
    Article.objects.filter(pk=article.pk).update(status=Article.Status.IN_REVIEW)
    return article


def desk_decides(editor) -> None:
    for i in range(0, len(RUMOURS), 3):
        reviewed_article(editor, RUMOURS[i : i + 3] + PLAIN[i : i + 3], RUMOURS[i : i + 3])


def speculation_on_first_sentence(article: Article) -> list[Suggestion]:
    first = article.text.index(" Der Bus")
    return list(
        Suggestion.objects.filter(article=article, label__slug="speculation", start__lt=first)
    )


def test_the_rules_do_not_know_the_word_the_desk_teaches():
    found = cues.suggest(NEW_TEXT, "de")
    assert not [s for s in found if s.label == "speculation"]


def test_a_desk_without_decisions_gets_the_rules_alone(editor):
    assert services.suggestion_model_train(language="de") is None
    assert not SuggestionModel.objects.exists()
    article = make_article(editor, body=NEW_TEXT)
    services.article_analyse(article_id=article.pk)
    stored = sorted(
        (s.start, s.end, s.label.slug)
        for s in Suggestion.objects.filter(article=article).select_related("label")
    )
    assert stored == sorted((s.start, s.end, s.label) for s in cues.suggest(NEW_TEXT, "de"))


def test_decisions_become_examples_spans_yes_dismissals_no_untagged_weak_no(editor):
    article = reviewed_article(editor, [RUMOURS[0], PLAIN[0]], [RUMOURS[0]])
    SuggestionFactory(
        article=article,
        quote="Der Zug",
        label=Label.objects.get(slug="opinion"),
        status=Suggestion.Status.DISMISSED,
    )
    found = {(e.sentence, e.label): e for e in selectors.training_examples("de")}
    assert found[(RUMOURS[0], "speculation")].positive
    assert found[(PLAIN[0], "opinion")] == learning.Example(PLAIN[0], "opinion", False, 1.0)
    assert found[(PLAIN[0], "speculation")].weight == selectors.learning.WEAK_NEGATIVE
    assert not found[(PLAIN[0], "speculation")].positive
    assert selectors.training_examples("en") == []


def test_a_trained_model_adds_the_suggestion_the_rules_missed(editor):
    desk_decides(editor)
    version = services.suggestion_model_train(language="de")
    assert version.is_active and version.version == 1
    assert version.training_size >= 20
    assert version.scores["n"] > 0
    article = make_article(editor, body=NEW_TEXT)
    services.article_analyse(article_id=article.pk)
    [added] = speculation_on_first_sentence(article)
    assert added.reasons[0]["code"] == learning.MODEL_REASON
    assert "buschtrommeln" in added.reasons[0]["params"]["words"]
    assert not Suggestion.objects.filter(
        article=article, label__slug="speculation", start__gte=NEW_TEXT.index("Der Bus")
    ).exists()


def test_a_model_with_too_few_examples_is_stored_but_not_used(editor, settings):
    settings.FACTCHECK_MODEL_MIN_EXAMPLES = 10_000
    desk_decides(editor)
    version = services.suggestion_model_train(language="de")
    assert not version.is_active
    article = make_article(editor, body=NEW_TEXT)
    services.article_analyse(article_id=article.pk)
    assert speculation_on_first_sentence(article) == []
    event = Event.objects.get(verb=Event.Verb.SUGGESTION_MODEL_TRAINED)
    assert event.data["active"] is False


def test_rollback_restores_the_previous_version(editor):
    staff = UserFactory(username="admin", is_staff=True)
    desk_decides(editor)
    first = services.suggestion_model_train(language="de")
    second = services.suggestion_model_train(language="de")
    assert second.previous == first and second.is_active
    now = services.suggestion_model_rollback(actor=staff, language="de")
    assert now.pk == first.pk
    assert list(SuggestionModel.objects.filter(is_active=True)) == [first]
    event = Event.objects.get(verb=Event.Verb.SUGGESTION_MODEL_ROLLED_BACK)
    assert (event.actor, event.data) == (staff, {"language": "de", "from": 2, "to": 1})


def test_rollback_without_an_earlier_version_is_a_conflict(editor):
    staff = UserFactory(username="admin", is_staff=True)
    desk_decides(editor)
    services.suggestion_model_train(language="de")
    with pytest.raises(Conflict) as refused:
        services.suggestion_model_rollback(actor=staff, language="de")
    assert refused.value.message == ("there is no earlier suggestion model for de to roll back to")


def test_an_editor_cannot_roll_back(editor):
    with pytest.raises(Forbidden) as refused:
        services.suggestion_model_rollback(actor=editor, language="de")
    assert refused.value.message == "only staff can roll back the suggestion model"


def test_enough_new_decisions_enqueue_one_training(editor):
    assert services.suggestion_models_train_due() == []
    reviewed_article(editor, RUMOURS[:3], RUMOURS[:3])
    assert services.suggestion_models_train_due() == ["de"]
    assert services.suggestion_models_train_due() == []  # one is waiting already
    [job] = Job.objects.filter(task=tasks.suggestion_model_train.name)
    assert job.args == ["de"]


def test_nightly_training_needs_only_one_new_decision(editor):
    reviewed_article(editor, RUMOURS[:1], RUMOURS[:1])
    assert services.suggestion_models_train_due() == []
    assert services.suggestion_models_train_due(nightly=True) == ["de"]
