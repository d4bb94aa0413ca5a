"""Forms of the review pages. They only shape the input; the services decide what is valid
(rationale length, evidence for a claim, URL schemes), and their messages land on these forms,
so a reviewer reads the same words the API answers."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .l10n import due_at_of_day

# Which form field shows a service error about which input.
SERVICE_FIELDS = {
    "rating": "rating",
    "rationale": "rationale",
    "evidence": "evidence_url",
    "url": "url",
    "body": "body",
    "reason": "reason",
    "note": "note",
    "due_at": "due_day",
}


class VerdictForm(forms.Form):
    rating = forms.CharField(label=_("Rating"), error_messages={"required": _("Choose a rating.")})
    # Not required here: an empty or short rationale gets the service's message, with the
    # number of characters it needs.
    rationale = forms.CharField(
        label=_("Rationale"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    evidence_url = forms.CharField(label=_("Evidence URL"), required=False, max_length=2000)
    evidence_title = forms.CharField(label=_("Title of the source"), required=False, max_length=500)

    def evidence(self) -> list[services.EvidenceInput]:
        url = self.cleaned_data.get("evidence_url", "").strip()
        if not url:
            return []
        return [services.EvidenceInput(url=url, title=self.cleaned_data.get("evidence_title", ""))]


class EvidenceForm(forms.Form):
    url = forms.CharField(
        label=_("URL"), max_length=2000, error_messages={"required": _("Enter the source's URL.")}
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=500)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EvidenceReuseForm(forms.Form):
    """The "reuse evidence" button of a similar earlier verdict: which verdict."""

    reuse_verdict = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DueChangeForm(forms.Form):
    """A pending assignment's new due date: a day at the desk (what a date input sends), or
    nothing to remove it. Whether it may change, and whether it is past, the service says."""

    reviewer = forms.CharField(max_length=150)
    due_day = forms.DateField(
        label=_("Due date"),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter the due date as a day, such as 2031-05-17.")},
    )

    def due_at(self) -> datetime | None:
        day = self.cleaned_data.get("due_day")
        return due_at_of_day(day) if day else None


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def service_error_on(form: forms.Form, error: services.ServiceError) -> None:
    """Put a service's message on the field it names, or on the form as a whole."""
    field = SERVICE_FIELDS.get(error.field or "")
    form.add_error(field if field in form.fields else None, error.message)
