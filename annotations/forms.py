"""Forms of the HTML pages. They check shape and size with messages in the user's language;
the services validate everything again and its errors land on the same form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .l10n import grouped
from .models import Article
from .uploads import IMPORT_EXTENSIONS

LANGUAGE_CHOICES = [("", _("Detect automatically")), ("de", _("German")), ("en", _("English"))]


def _check_length(body: str) -> str:
    limit = settings.FACTCHECK_MAX_ARTICLE_CHARS
    if len(body) > limit:
        raise forms.ValidationError(
            _("The text has %(count)s characters; the limit is %(limit)s."),
            params={"count": grouped(len(body)), "limit": grouped(limit)},
        )
    return body


class PasteImportForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    text = forms.CharField(
        label=_("Article text"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    outlet = forms.CharField(label=_("Outlet"), max_length=200, required=False)
    source_url = forms.URLField(
        label=_("Original URL"), max_length=2000, required=False, assume_scheme="https"
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The page checks the length before sending (import.js): the same limit.
        self.fields["text"].widget.attrs["data-max-chars"] = settings.FACTCHECK_MAX_ARTICLE_CHARS

    def clean_text(self) -> str:
        body = self.cleaned_data["text"]
        if not body.strip():
            raise forms.ValidationError(_("The article text is empty."))
        return _check_length(body)


class UploadImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.txt, .md or .html)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(IMPORT_EXTENSIONS))}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    outlet = forms.CharField(label=_("Outlet"), max_length=200, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix not in IMPORT_EXTENSIONS:
            raise forms.ValidationError(
                _("“%(name)s” is not a .txt, .md or .html file."), params={"name": name}
            )
        return upload


class UrlImportForm(forms.Form):
    url = forms.URLField(
        label=_("Article URL"),
        max_length=2000,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Only http and https addresses can be fetched."))
        return url


class ArticleFilterForm(forms.Form):
    """The filters of the articles list; anything malformed is ignored, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Article.Status.choices],
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), ("de", _("German")), ("en", _("English"))],
    )
    attention = forms.BooleanField(label=_("Needs attention"), required=False)
