"""Template filters that word stored machine results in the reader's language
(annotations.machine_text): a check's error, a flag, an import's failure, a suggestion's
reason. `{% load machine_text %}`, then `{{ check|check_error }}`, `{{ flag|flag_text }}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from .. import machine_text

register = template.Library()


@register.filter
def check_error(check: Any) -> str:
    """A source check's error, or "" when it has none."""
    return machine_text.check_error(check) if check else ""


@register.filter
def flag_text(flag: Mapping[str, Any] | str) -> str:
    """What a stored flag means; its name when it carries no explanation (an old row)."""
    if not isinstance(flag, Mapping):
        return machine_text.flag_name(str(flag))
    return machine_text.flag_text(flag) or machine_text.flag_name(str(flag.get("code") or ""))


@register.filter
def flag_name(flag: Mapping[str, Any] | str) -> str:
    """A stored flag's short name ("Vague source")."""
    code = flag.get("code") if isinstance(flag, Mapping) else flag
    return machine_text.flag_name(str(code or ""))


@register.filter
def import_error(article: Any) -> str:
    """Why an article's import failed."""
    return machine_text.import_error(article) if article else ""


@register.filter
def suggestion_reason(suggestion: Any) -> str:
    """Why a suggestion was made."""
    return machine_text.suggestion_reason(suggestion) if suggestion else ""
