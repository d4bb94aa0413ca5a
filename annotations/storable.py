"""Refuse request input that PostgreSQL cannot store, with a 400 that names where it is.

PostgreSQL text cannot hold a NUL character, and psycopg cannot encode a lone surrogate
(which a JSON ``"\\ud800"`` escape produces), so either one reaching a query ends in a 500.
Deeply nested JSON makes Python's decoder raise RecursionError, another 500. The checks
live in three places that together see every input:

- the API's parsers (``annotations/api/parsers.py``) for JSON, form and multipart bodies;
- ``StorableInputMiddleware`` for every query string and the HTML forms' POST fields;
- ``services.decode_upload`` for the text of uploaded files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .error_pages import error_page

# Levels of JSON arrays and objects. The deepest body the API takes (an article with its
# fields, a verdict with its evidence list) is 3; 64 leaves room and stays far below the
# point where Python's decoder runs out of stack (about 1,000).
MAX_JSON_DEPTH = 64
# Field names are echoed in messages: a long one is shortened.
_NAME_CHARS = 60


def is_storable(value: str) -> bool:
    """Whether PostgreSQL can store ``value``: no NUL, no lone surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_problem(value: str, where: str) -> str | None:
    """The message for ``value`` found at ``where`` (e.g. "the field 'reviewer'"), or None
    when PostgreSQL can store it."""
    return None if is_storable(value) else _refusal(value, where)


def _refusal(value: str, where: str) -> str:
    if "\x00" in value:
        return _(
            "%(where)s contains a NUL character (U+0000), which cannot be stored; "
            "remove it and try again"
        ) % {"where": where}
    surrogate = next(char for char in value if "\ud800" <= char <= "\udfff")
    return _(
        "%(where)s contains a lone surrogate (U+%(code)04X), which is not valid Unicode "
        "text; remove it and try again"
    ) % {"where": where, "code": ord(surrogate)}


def too_deep_message() -> str:
    return _("the JSON body is nested more than %(limit)s levels deep") % {"limit": MAX_JSON_DEPTH}


class Problem(NamedTuple):
    """Why a request is refused: the message, and the field it is about, if one is."""

    message: str
    field: str | None = None

    def body(self) -> dict[str, Any]:
        """The API's error shape: ``detail``, and the field's own list of messages."""
        if self.field is None:
            return {"detail": self.message}
        return {self.field: [self.message], "detail": self.message}


def json_problem(data: object) -> Problem | None:
    """What makes a parsed JSON body unfit to store; None when nothing does.

    Walks the body without recursion, in document order, so the first problem is named.
    """
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if not is_storable(value):
                field = _shorten(path) if path else None
                return Problem(_refusal(value, _field(path)), field)
            continue
        if isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, list):
            items = [(f"[{index}]", item) for index, item in enumerate(value)]
        else:
            continue
        if depth >= MAX_JSON_DEPTH:
            return Problem(too_deep_message())
        children = []
        for key, item in items:
            if isinstance(value, dict):
                if not is_storable(key):
                    return Problem(_refusal(key, _field_name_in(path)))
                child = f"{path}.{key}" if path else key
            else:
                child = f"{path}{key}"
            children.append((item, child, depth + 1))
        stack.extend(reversed(children))
    return None


def fields_problem(fields: Iterable[tuple[str, list]], *, query: bool = False) -> Problem | None:
    """The first unstorable name or value in ``QueryDict.lists()``; None when there is none.

    Uploaded files among the values are skipped: their names and text are checked by
    ``services.decode_upload``.
    """
    for name, values in fields:
        if not is_storable(name):
            return Problem(_refusal(name, _("a parameter name") if query else _("a field name")))
        for value in values:
            if isinstance(value, str) and not is_storable(value):
                where = _("the query parameter '%(name)s'") if query else _("the field '%(name)s'")
                field = _shorten(name)
                return Problem(_refusal(value, where % {"name": field}), field)
    return None


def _field(path: str) -> str:
    if not path:
        return _("the request body")
    return _("the field '%(name)s'") % {"name": _shorten(path)}


def _field_name_in(path: str) -> str:
    if not path:
        return _("a field name")
    return _("a field name in '%(name)s'") % {"name": _shorten(path)}


def _shorten(name: str) -> str:
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1] + "…"


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class StorableInputMiddleware:
    """400 for a query string, or an HTML form's POST fields, that cannot be stored.

    Comes after LocaleMiddleware, so the message is in the user's language. API bodies are
    left to the API's parsers: reading request.POST here would change how DRF answers a
    form body sent to a JSON-only endpoint (empty data instead of 415).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path.startswith("/api/")
        problem = fields_problem(request.GET.lists(), query=True)
        if (
            problem is None
            and not is_api
            and request.method == "POST"
            and request.content_type in FORM_TYPES
        ):
            problem = fields_problem(request.POST.lists())
        if problem is None:
            return self.get_response(request)
        if is_api:
            return JsonResponse(problem.body(), status=400)
        # The app's 400 page, in the language LocaleMiddleware activated.
        return error_page(400, message=problem.message)
