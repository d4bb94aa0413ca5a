import base64
from datetime import UTC, datetime, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from annotations import learning, services, textdiff
from annotations.models import (
    Annotation,
    Article,
    ArticleRevision,
    Assignment,
    Capture,
    CaptureDiff,
    Change,
    Claimant,
    Comment,
    Event,
    Evidence,
    IdempotencyKey,
    InsightSnapshot,
    Job,
    Label,
    PageNote,
    Rating,
    SourceCheck,
    Suggestion,
    SuggestionModel,
    TimingWeek,
    UserPreference,
    Verdict,
    WebhookDelivery,
    WebhookSubscription,
)
from annotations.services.tokens import api_token_create

GERMAN_TEXT = (
    "Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau "
    "der Schiene freigegeben. „Das ist ein guter Tag für Pendler“, sagte die Ministerin. "
    "Kritiker meinen, das Geld könnte zu spät kommen. Grüße an alle Größenfans 😀 und 𝔘.\n\n"
    "Source / Quelle: Via\n"
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


def make_article(
    actor, *, title="Schienenausbau", body=GERMAN_TEXT, language="de", **extra
) -> Article:
    return services.article_create(actor=actor, title=title, body=body, language=language, **extra)


def make_annotation(actor, article, quote: str, label: str = "claim", **extra):
    start = article.text.index(quote)
    return services.annotation_create(
        actor=actor,
        article_id=article.pk,
        label=label,
        start=start,
        end=start + len(quote),
        exact=quote,
        **extra,
    )


def api_token(user) -> str:
    """A new API token for `user`, as POST /api/v1/auth/token/ would issue it (the row
    keeps only its digest)."""
    token, _expiry = api_token_create(user=user)
    return token


# --- a factory per model ------------------------------------------------------------------
# Rows as a test needs them, written directly: for tests that set up a state (a check that
# failed, a verdict long approved) without walking the workflow to it. Tests of the
# workflow itself go through the services (make_article, make_annotation above).


class LabelRef(factory.django.DjangoModelFactory):
    """A seeded label (migration 0002), by slug."""

    class Meta:
        model = Label
        django_get_or_create = ("slug",)

    slug = "claim"
    name = factory.LazyAttribute(lambda label: label.slug.title())


class RatingRef(factory.django.DjangoModelFactory):
    """A seeded rating (migration 0002), by slug."""

    class Meta:
        model = Rating
        django_get_or_create = ("slug",)

    slug = "false"
    name = factory.LazyAttribute(lambda rating: rating.slug.title())


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Artikel {n}")
    text = GERMAN_TEXT
    language = "de"
    status = Article.Status.IN_REVIEW
    created_by = factory.SubFactory(UserFactory, roles=["editor"])


class ArticleRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleRevision

    article = factory.SubFactory(ArticleFactory)
    number = factory.Sequence(lambda n: n + 2)
    text = factory.LazyAttribute(lambda revision: revision.article.text)


class ClaimantFactory(factory.django.DjangoModelFactory):
    """A person the desk quotes; its search text as services.claimants writes it."""

    class Meta:
        model = Claimant

    name = factory.Sequence(lambda n: f"Sprecherin {n}")
    kind = Claimant.Kind.PERSON
    aliases = factory.LazyAttribute(lambda c: [c.name.split()[0]])
    search_text = factory.LazyAttribute(
        lambda c: "\n".join(v.lower() for v in (c.name, *c.aliases))
    )
    created_by = factory.SubFactory(UserFactory, roles=["editor"])


class AnnotationFactory(factory.django.DjangoModelFactory):
    """The span "Bundesregierung" of the German text, or `quote=` another of its words."""

    class Meta:
        model = Annotation

    class Params:
        quote = "Bundesregierung"

    article = factory.SubFactory(ArticleFactory)
    label = factory.SubFactory(LabelRef)
    start = factory.LazyAttribute(lambda a: a.article.text.index(a.quote))
    end = factory.LazyAttribute(lambda a: a.start + len(a.quote))
    exact = factory.LazyAttribute(lambda a: a.quote)
    created_by = factory.SelfAttribute("article.created_by")


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    annotation = factory.SubFactory(AnnotationFactory)
    reviewer = factory.SubFactory(UserFactory, roles=["reviewer"])
    assigned_by = factory.SelfAttribute("annotation.created_by")


class VerdictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Verdict

    annotation = factory.SubFactory(AnnotationFactory)
    rating = factory.SubFactory(RatingRef)
    rationale = "Der Haushaltsplan nennt eine andere Summe."
    author = factory.SubFactory(UserFactory, roles=["reviewer"])
    quote = factory.SelfAttribute("annotation.exact")
    article_revision = factory.SelfAttribute("annotation.article.revision")


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    annotation = factory.SubFactory(AnnotationFactory)
    url = factory.Sequence(lambda n: f"https://example.org/beleg/{n}")
    added_by = factory.SelfAttribute("annotation.created_by")


class SourceCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceCheck

    evidence = factory.SubFactory(EvidenceFactory)
    annotation = factory.SelfAttribute("evidence.annotation")
    url = factory.SelfAttribute("evidence.url")


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suggestion

    class Params:
        quote = "Bundesregierung"

    article = factory.SubFactory(ArticleFactory)
    revision = factory.SelfAttribute("article.revision")
    label = factory.SubFactory(LabelRef)
    start = factory.LazyAttribute(lambda s: s.article.text.index(s.quote))
    end = factory.LazyAttribute(lambda s: s.start + len(s.quote))
    exact = factory.LazyAttribute(lambda s: s.quote)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    annotation = factory.SubFactory(AnnotationFactory)
    author = factory.SelfAttribute("annotation.created_by")
    body = "Bitte die Primärquelle verlinken."


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    annotation = factory.SubFactory(AnnotationFactory)
    article = factory.SelfAttribute("annotation.article")
    actor = factory.SelfAttribute("annotation.created_by")
    verb = Event.Verb.ANNOTATION_CREATED


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    task = "annotations.analyse_article"
    args = factory.LazyFunction(lambda: [ArticleFactory().pk])


class IdempotencyKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdempotencyKey

    user = factory.SubFactory(UserFactory, roles=["editor"])
    key = factory.Sequence(lambda n: f"key-{n}")
    method = "POST"
    path = "/api/v1/annotations/"
    fingerprint = "0" * 64


class UserPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserPreference

    user = factory.SubFactory(UserFactory)
    language = "de"


class SuggestionModelFactory(factory.django.DjangoModelFactory):
    """A stored version of the desk's model (inactive; its bytes a tiny real model)."""

    class Meta:
        model = SuggestionModel

    language = "de"
    version = factory.Sequence(lambda n: n + 1)
    training_size = 2
    blob = factory.LazyFunction(
        lambda: learning.dumps(
            learning.train(
                [
                    learning.Example("Angeblich geht er.", "speculation", True),
                    learning.Example("Er geht.", "speculation", False),
                ],
                "de",
            )
        )
    )


class CaptureFactory(factory.django.DjangoModelFactory):
    """A capture row; its file is not written (the archive tests write real ones)."""

    class Meta:
        model = Capture

    url = factory.Sequence(lambda n: f"https://example.org/quelle-{n}")
    requested_url = factory.SelfAttribute("url")
    url_sha256 = factory.Sequence(lambda n: f"{n:064x}")
    http_status = 200
    content_type = "text/html"
    payload_sha256 = factory.Sequence(lambda n: f"{n + 1:064x}")
    text = "Das Ministerium gab 4,2 Milliarden Euro frei."
    text_sha256 = "0" * 64
    warc_name = factory.LazyAttribute(
        lambda o: f"{o.payload_sha256[:2]}/{o.payload_sha256}.warc.gz"
    )
    warc_sha256 = "0" * 64
    warc_size = 1024


class CaptureDiffFactory(factory.django.DjangoModelFactory):
    """The stored diff between two captures of one source, as the worker writes it."""

    class Meta:
        model = CaptureDiff

    old = factory.SubFactory(CaptureFactory)
    new = factory.SubFactory(
        CaptureFactory,
        url=factory.SelfAttribute("..old.url"),
        text="Das Ministerium gab 4,5 Milliarden Euro frei.",
    )
    diff = factory.LazyAttribute(lambda o: textdiff.diff(o.old.text, o.new.text).as_json())


class ChangeFactory(factory.django.DjangoModelFactory):
    """A row of the change log as a trigger writes it (the database fills in txid and
    changed_at); the triggers log every real write by themselves."""

    class Meta:
        model = Change

    kind = Change.Kind.ARTICLE
    object_id = factory.LazyFunction(lambda: ArticleFactory().pk)
    version = 1
    op = Change.Op.UPSERT


class PageNoteFactory(factory.django.DjangoModelFactory):
    """A Web Annotation Protocol note on a whole article (its target selects no text)."""

    class Meta:
        model = PageNote

    article = factory.SubFactory(ArticleFactory)
    created_by = factory.SelfAttribute("article.created_by")
    body = factory.LazyFunction(lambda: [{"type": "TextualBody", "value": "Eine Notiz."}])
    target = factory.LazyAttribute(lambda o: {"source": f"urn:article:{o.article.pk}"})


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookSubscription

    url = "http://127.0.0.1:9/hooks"
    event_types = factory.LazyFunction(lambda: ["annotation.created"])
    secret = factory.Sequence(lambda n: "whsec_" + base64.b64encode(f"{n:032d}".encode()).decode())


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    subscription = factory.SubFactory(WebhookSubscriptionFactory)
    event_type = "annotation.created"
    message_id = factory.Sequence(lambda n: f"msg_{n:024d}")
    payload = '{"type": "annotation.created"}'


class TimingWeekFactory(factory.django.DjangoModelFactory):
    """A past week's stored timings as the dashboard stores them (selectors.insights); the
    triggers of insights_triggers delete it when a claim's step time in it changes."""

    class Meta:
        model = TimingWeek

    step = 0
    week_start = factory.Sequence(
        lambda n: datetime(2026, 1, 5, tzinfo=UTC) - timedelta(weeks=n + 1)
    )
    week_end = factory.LazyAttribute(lambda o: o.week_start + timedelta(weeks=1))
    items = 2
    median = 3.0
    p90 = 3.8


class InsightSnapshotFactory(factory.django.DjangoModelFactory):
    """The dashboard's stored counts before a week (selectors.insights), one per kind."""

    class Meta:
        model = InsightSnapshot
        django_get_or_create = ("kind",)

    kind = InsightSnapshot.Kind.VERDICTS
    upto = datetime(2026, 1, 5, tzinfo=UTC)
    data = factory.LazyFunction(lambda: {"counts": []})
