"""Every model of the app has a factory in tests/factories.py that writes a valid row."""

import pytest
from django.apps import apps

from tests import factories

pytestmark = pytest.mark.django_db

FACTORIES = {
    "Article": factories.ArticleFactory,
    "ArticleRevision": factories.ArticleRevisionFactory,
    "Label": factories.LabelRef,
    "Rating": factories.RatingRef,
    "Annotation": factories.AnnotationFactory,
    "Claimant": factories.ClaimantFactory,
    "Assignment": factories.AssignmentFactory,
    "Verdict": factories.VerdictFactory,
    "Evidence": factories.EvidenceFactory,
    "SourceCheck": factories.SourceCheckFactory,
    "Capture": factories.CaptureFactory,
    "Suggestion": factories.SuggestionFactory,
    "SuggestionModel": factories.SuggestionModelFactory,
    "Comment": factories.CommentFactory,
    "Event": factories.EventFactory,
    "Job": factories.JobFactory,
    "IdempotencyKey": factories.IdempotencyKeyFactory,
    "UserPreference": factories.UserPreferenceFactory,
    "Change": factories.ChangeFactory,
    "PageNote": factories.PageNoteFactory,
    "WebhookSubscription": factories.WebhookSubscriptionFactory,
    "WebhookDelivery": factories.WebhookDeliveryFactory,
    "TimingWeek": factories.TimingWeekFactory,
    "InsightSnapshot": factories.InsightSnapshotFactory,
    "CaptureDiff": factories.CaptureDiffFactory,
}


def test_every_model_of_the_app_has_a_factory():
    models = {model.__name__ for model in apps.get_app_config("annotations").get_models()}
    assert models == set(FACTORIES)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_each_factory_writes_a_row_that_passes_the_models_validation(name):
    row = FACTORIES[name]()
    row.refresh_from_db()
    row.full_clean(validate_unique=False)
    assert type(row).objects.filter(pk=row.pk).exists()


def test_a_factory_annotation_sits_on_its_quote():
    annotation = factories.AnnotationFactory(quote="Schiene")
    assert annotation.article.text[annotation.start : annotation.end] == "Schiene"
