"""Query-string filters of the list endpoints.

The filter sets validate the query string (a bad value answers 400 naming the parameter)
and describe it in the OpenAPI schema; the filtering itself is done by the selectors, so
the pages and the API filter the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from rest_framework.exceptions import ValidationError

from ..models import NEWSROOM_ROLES, Annotation, Article, Claimant, Suggestion


class ValidatingFilterSet(django_filters.FilterSet):
    class Meta:
        # The declared filters only, none made from the model's fields. A subclass names
        # its model (`class Meta(ValidatingFilterSet.Meta)`).
        fields: list[str] = []

    def cleaned(self) -> dict[str, Any]:
        """The given filters, validated; raises ValidationError (400) otherwise."""
        if not self.is_valid():
            raise ValidationError(self.errors)
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value is not None and value != ""
        }


class IntegerFilter(django_filters.NumberFilter):
    """A whole number: `article=1.5` is refused, not rounded."""

    field_class = forms.IntegerField


def values_filter(values: Iterable[str], help_text: str) -> django_filters.ChoiceFilter:
    """One of `values`. The schema lists them and shows `help_text`, which says what each
    means; a choice's label would be shown nowhere."""
    return django_filters.ChoiceFilter(
        choices=[(value, value) for value in values], help_text=help_text
    )


class ArticleFilter(ValidatingFilterSet):
    status = django_filters.ChoiceFilter(
        choices=Article.Status.choices,
        help_text="Archived articles are listed only with status=archived.",
    )
    language = django_filters.CharFilter(max_length=35, help_text="BCP 47 tag or its prefix.")
    q = django_filters.CharFilter(
        max_length=500, help_text="Full-text search in each article's language."
    )
    # Named like DRF's OrderingFilter; validated here and applied by the selector.
    ordering = values_filter(
        ["-created_at", "-checkworthiness"],
        "-created_at (default), or -checkworthiness: by the article's most check-worthy "
        "claim, over its live claim spans and pending claim suggestions.",
    )

    class Meta(ValidatingFilterSet.Meta):
        model = Article


class AnnotationFilter(ValidatingFilterSet):
    article = IntegerFilter(min_value=1, max_value=2**63 - 1)
    label = django_filters.CharFilter(max_length=40, help_text="Label slug.")
    status = django_filters.ChoiceFilter(choices=Annotation.Status.choices)
    assignee = django_filters.CharFilter(max_length=150, help_text="Reviewer username or id.")
    rating = django_filters.CharFilter(
        max_length=40, help_text="Rating slug of the current verdict."
    )
    updated_since = django_filters.IsoDateTimeFilter(
        help_text="ISO 8601 date-time; annotations changed at or after it."
    )

    class Meta(ValidatingFilterSet.Meta):
        model = Annotation

    def cleaned(self) -> dict[str, Any]:
        values = super().cleaned()
        if "updated_since" in values:
            # PostgreSQL takes UTC offsets up to ±15:59 only; ISO 8601 allows ±23:59.
            try:
                values["updated_since"] = values["updated_since"].astimezone(UTC)
            except OverflowError:
                raise ValidationError({"updated_since": ["Enter a valid date/time."]}) from None
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        if str(values.get("assignee", "")).isdecimal() and int(values["assignee"]) > 2**63 - 1:
            raise ValidationError({"assignee": ["unknown reviewer"]})
        return values


class BulkExportFilter(AnnotationFilter):
    format = values_filter(["jsonl", "csv"], "jsonl (default) or csv.")


class SuggestionFilter(ValidatingFilterSet):
    status = django_filters.ChoiceFilter(
        choices=Suggestion.Status.choices, help_text="Default: pending."
    )

    class Meta(ValidatingFilterSet.Meta):
        model = Suggestion


class QueueFilter(ValidatingFilterSet):
    ordering = values_filter(
        ["queue", "-checkworthiness"],
        "queue (default): overdue first, then priority, then due date, with "
        "check-worthiness breaking ties; or -checkworthiness.",
    )

    class Meta(ValidatingFilterSet.Meta):
        model = Annotation


class ClaimantFilter(ValidatingFilterSet):
    q = django_filters.CharFilter(
        max_length=200, help_text="Part of the name or of an alias, in any case."
    )
    kind = django_filters.ChoiceFilter(choices=Claimant.Kind.choices)

    class Meta(ValidatingFilterSet.Meta):
        model = Claimant


class UserFilter(ValidatingFilterSet):
    role = values_filter(NEWSROOM_ROLES, "Only users holding this role.")

    class Meta(ValidatingFilterSet.Meta):
        model = get_user_model()
