"""Training the suggestion model in the background: the beat's check enqueues a training
through the outbox, and the real worker stores the new version."""

from __future__ import annotations

from annotations import services, tasks
from annotations.models import Article, Job, SuggestionModel
from tests.background import wait_until_idle, worker_test
from tests.conftest import wait_for
from tests.factories import make_annotation, make_article

RUMOURS = [
    "Die Buschtrommeln melden, dass der Vorstand bald geht.",
    "Die Buschtrommeln melden, dass die Firma bald verkauft.",
    "Die Buschtrommeln melden, dass der Trainer bald wechselt.",
]


@worker_test
def test_enough_decisions_train_a_version_in_the_background(worker, editor, settings, celery_app):
    settings.FACTCHECK_MODEL_RETRAIN_AFTER = 3
    settings.FACTCHECK_MODEL_MIN_EXAMPLES = 1
    article = make_article(editor, body=" ".join([*RUMOURS, "Der Zug fährt am Montag."]))
    for sentence in RUMOURS:
        make_annotation(editor, article, sentence, label="speculation")
    Article.objects.filter(pk=article.pk).update(status=Article.Status.IN_REVIEW)

    assert services.suggestion_models_train_due() == ["de"]

    row = wait_for(
        lambda: SuggestionModel.objects.filter(language="de").first(),
        timeout=60,
        message="the training to store a version",
    )
    assert row.version == 1 and row.is_active
    job = Job.objects.get(task=tasks.suggestion_model_train.name)
    wait_for(lambda: Job.objects.filter(pk=job.pk, state=Job.State.DONE).exists())
    wait_until_idle(celery_app)
