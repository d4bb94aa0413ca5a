"""The forms of the chiefs' webhooks page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WebhookSubscription


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Receiver URL"),
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://cms.example.org/hooks/factcheck"}),
        help_text=_("An http(s) address that takes POST requests."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookSubscription.EventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class RedeliverSinceForm(forms.Form):
    since = forms.DateTimeField(
        label=_("Send again everything since"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
