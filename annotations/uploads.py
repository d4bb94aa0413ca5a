"""Uploaded article files (.txt, .md, .html) turned into a title and text: pure, no models."""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import fetch, text
from .l10n import grouped
from .storable import text_problem

IMPORT_EXTENSIONS = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
}


class UploadError(ValueError):
    """A file that cannot become an article; `too_large` when only its size is wrong (the
    service boundary answers 413 then, 400 otherwise), `field` the form field to name."""

    def __init__(self, message: str, *, field: str = "file", too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.too_large = too_large


def _size_check(body: str, limit: int) -> None:
    if len(body) > limit:
        raise UploadError(
            _("the article has %(count)s characters; the limit is %(limit)s")
            % {"count": grouped(len(body)), "limit": grouped(limit)},
            field="text",
            too_large=True,
        )


def decode_upload(*, filename: str, payload: bytes, max_chars: int) -> tuple[str, str]:
    """Turn an uploaded .txt/.md/.html file into (title, text) of at most `max_chars`
    characters. Raises UploadError with the message a user sees."""
    # PostgreSQL cannot store a NUL, in the title made of the name or in the text.
    problem = text_problem(filename, _("the file name"))
    if problem is not None:
        raise UploadError(problem)
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in IMPORT_EXTENSIONS:
        raise UploadError(
            _("unsupported file type '%(type)s': use .txt, .md or .html")
            % {"type": suffix or filename}
        )
    if not payload.strip():
        raise UploadError(_("the file is empty"))
    try:
        decoded = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError(
            _(
                "the file is not UTF-8 (invalid byte at position %(position)s); "
                "save it as UTF-8 and try again"
            )
            % {"position": exc.start}
        ) from exc
    if "\x00" in decoded:
        raise UploadError(
            _(
                "the file contains a NUL character (U+0000) at position %(position)s, so it "
                "is not a text file; save it as UTF-8 text and try again"
            )
            % {"position": decoded.index("\x00")}
        )
    _size_check(decoded, max_chars)
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if IMPORT_EXTENSIONS[suffix] == "text/html":
        title, body = fetch.extract(payload, "text/html", "utf-8")
        title = title or stem
    else:
        body = decoded
        first = next((line for line in decoded.splitlines() if line.strip()), stem)
        title = first.lstrip("# ").strip()[:200] if suffix == ".md" else stem
    body = text.normalise(body)
    if not body.strip():
        raise UploadError(_("no article text was found in the file"))
    _size_check(body, max_chars)
    return title, body
