import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from annotations import services
from annotations.models import Article
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
