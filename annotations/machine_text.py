"""Machine results in the reader's language: stored as codes with parameters, worded late.

A worker, a rule or the publish gate finds something a person will read: a fetch that
failed, a vague attribution, the cue that made a suggestion. It stores a code and its
parameters (``{"code": "dns_failed", "params": {"host": "www.example.org"}}``), never a
sentence, and the pages, the API and the emails word it here in the language of whoever
reads it: the request's active language, or the recipient's for an email.

``MESSAGES`` is the one table of those sentences. A parameter that is itself a stored result
(a dict with a ``code``) is worded first, so "gave up after 4 attempts: could not resolve
…" is two codes. A code missing from the table (a row written before codes existed, or by a
newer version) falls back to the English text stored beside it, never to an error or a raw
code.

No database: callers pass the stored values, or an object carrying them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.formats import localize, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

__all__ = [
    "FLAG_NAMES",
    "MESSAGES",
    "analysis_message",
    "check_error",
    "flag_name",
    "flag_text",
    "flags_for_display",
    "import_error",
    "job_error",
    "reason_text",
    "render",
    "stored",
    "suggestion_reason",
]

MESSAGES: dict[str, Promise] = {
    # --- fetching a source or an article (fetch.FetchError.code) ---------------------------
    "dns_failed": _("could not resolve %(host)s"),
    "dns_temporary": _("could not resolve %(host)s (temporary DNS failure)"),
    "host_invalid": _("the host name “%(host)s” is not valid"),
    "address_blocked": _(
        "blocked: the address %(address)s is in %(network)s, %(name)s (%(rfc)s), "
        "not reachable from the internet"
    ),
    "address_blocked_nat64": _(
        "blocked: the address %(address)s leads to %(embedded)s, which is in %(network)s, "
        "%(name)s (%(rfc)s), not reachable from the internet"
    ),
    "url_invalid": _("not a valid URL"),
    "url_scheme": _("only http and https URLs are accepted"),
    "url_no_host": _("the URL has no host"),
    "url_userinfo": _("URLs with a user name or password are not accepted"),
    "timeout": _("no answer within %(seconds)s s"),
    "too_many_redirects": _("too many redirects (more than %(count)s)"),
    "http_status": _("HTTP %(status)s"),
    "not_text": _("not a web page or text: %(type)s"),
    "connection_refused": _("the server refused the connection"),
    "connection_reset": _("the server reset the connection"),
    "connection_lost": _("the connection was lost while reading"),
    "network_unreachable": _("the network is unreachable"),
    "host_unreachable": _("the host is unreachable"),
    "connect_failed": _("could not connect: %(detail)s"),
    "bad_response": _("the server sent an invalid or incomplete HTTP response"),
    "request_failed": _("the request failed: %(detail)s"),
    "tls_certificate": _("the server’s TLS certificate was not accepted: %(detail)s"),
    "tls_handshake": _("the TLS handshake failed: %(detail)s"),
    "content_encoding": _("unsupported content encoding: %(encoding)s"),
    "decompress_failed": _("the response could not be decompressed"),
    # --- the workers' own outcomes ----------------------------------------------------------
    "gave_up": _("gave up after %(attempts)s attempts"),
    "gave_up_after": _("gave up after %(attempts)s attempts: %(last)s"),
    "overtime": _("took longer than %(seconds)s s"),
    # A background job (services.jobs): what broke is in the job's English `error`, which
    # the admin shows; readers get the kind of failure.
    "job_failed": _("the background job failed; the admin can see the details"),
    "task_error": _(
        "the background job stopped on an internal error (%(kind)s); the admin can see the details"
    ),
    "task_unknown": _("the background job “%(task)s” no longer exists"),
    "import_blocked": _("blocked: %(reason)s"),
    "no_article_text": _("no article text was found at the URL"),
    "article_too_long": _("the article has %(count)s characters; the limit is %(limit)s"),
    # --- why an attribution is vague or anonymous (cues.vague_source_flags) ---------------
    "reports_unnamed": _("“%(cue)s” cites unnamed reports: which outlet reported it, and when?"),
    "insiders_unnamed": _("“%(cue)s” cites unnamed insiders; nobody can be asked."),
    "circles_unnamed": _("“%(cue)s” cites unnamed circles; no person or document is named."),
    "attributed_to_no_one": _("“%(cue)s” attributes the statement to no one."),
    "sources_or_rumours": _("“%(cue)s” attributes the statement to unnamed sources or rumours."),
    "people_familiar": _("“%(cue)s” cites unnamed people familiar with the matter."),
    "sources_unnamed": _(
        "“%(cue)s” cites unnamed sources: which people or documents, and why are they unnamed?"
    ),
    "people_familiar_no_reason": _(
        "“%(cue)s” cites unnamed people familiar with the matter; no reason for the anonymity "
        "is given."
    ),
    "no_one_in_particular": _("“%(cue)s” attributes the statement to no one in particular."),
    "anonymous_with_reason": _(
        "Anonymous source (“%(cue)s”); a reason is given, so it is not vague, but the desk "
        "should know who it is."
    ),
    "anonymous_without_reason": _(
        "Anonymous source (“%(cue)s”) with no reason given for the anonymity; the reader "
        "cannot weigh or check it."
    ),
    "unnamed_person": _(
        "“%(cue)s” is an unnamed person; the desk should know who it is and why they are not named."
    ),
    "names_nothing": _("“%(text)s” names no outlet, author, document or link."),
    "no_source_at_all": _("“%(text)s” names no source at all."),
    "handle_only": _(
        "Only a social-media handle (“%(handle)s”), with no link to the post; the reader "
        "cannot find the statement."
    ),
    "not_a_source": _("“%(cue)s” is not an outlet, author or document."),
    "no_checkable_source": _("“%(text)s” names no checkable source."),
    # --- what a source check found beside the quote -----------------------------------------
    "key_phrase": _(
        "The claim’s exact words are not in the source; its key phrase “%(phrase)s” is."
    ),
    "truncated": _(
        "The page is larger than the fetch limit; only its first %(megabytes)s MB were read "
        "and searched."
    ),
    "unreachable": _("The source answered when it was checked on %(date)s; now: %(error)s."),
    "changed": _(
        "The source’s text changed since it was checked on %(date)s; read it again before "
        "relying on it."
    ),
    # --- the cues that made a suggestion (cues.Reason.code; "cue" is the words alone) -----
    "amount": _("amount “%(words)s”"),
    "percentage": _("percentage “%(words)s”"),
    "number": _("number “%(words)s”"),
    "date": _("date “%(words)s”"),
    "comparison": _("comparison “%(words)s”"),
    "verb": _("verb “%(words)s”"),
    "actor": _("actor “%(words)s”"),
    "rhetorical_question": _("rhetorical question"),
    "exclamation": _("exclamation"),
    "event": _("completed or reported event “%(words)s”"),
    "attributed": _("statement attributed with “%(words)s”"),
    "reported_speech": _("reported speech (Konjunktiv I) “%(words)s”"),
    # The desk's model (learning.MODEL_REASON): the words that weighed most.
    "model_words": _("learnt from the desk’s decisions: “%(words)s”"),
    # --- the publish gate's warnings (selectors.gate), also read back in the history --------
    "gate_evidence_unchecked": _(
        "the evidence %(url)s behind an approved verdict could not be checked"
    ),
    "gate_evidence_changed": _(
        "the evidence %(url)s behind an approved verdict changed or vanished"
    ),
    "gate_source_vague": _("the source “%(exact)s” is vague: it names no checkable source"),
    "gate_source_anonymous": _("the source “%(exact)s” is anonymous"),
}

# The short names of the flags of source checks and suggestions, by flag code.
FLAG_NAMES: dict[str, Promise] = {
    "vague": _("Vague source"),
    "anonymous": _("Anonymous source"),
    "bare_handle": _("Handle without a link"),
    "no_source_named": _("No source named"),
    "unreachable": _("Unreachable"),
    "changed": _("Changed"),
    "key_phrase": _("Key phrase"),
    "truncated": _("Cut at the size limit"),
}


def stored(code: str, params: Mapping[str, Any] | None = None, text: str = "") -> dict[str, Any]:
    """A result as it is kept inside another's parameters (``{code, params, text}``), with
    its English ``text`` for readers that do not know the code."""
    return {"code": code, "params": dict(params or {}), "text": text}


def _param(value: Any) -> Any:
    if isinstance(value, Mapping) and "code" in value:
        return render(value.get("code") or "", value.get("params"), fallback=value.get("text", ""))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a 30.0 s timeout reads "30 s"
    if isinstance(value, int):
        return number_format(value, force_grouping=True)  # 588,000 or 588.000
    return localize(value)  # 2.5 or 2,5


def render(code: str, params: Mapping[str, Any] | None = None, *, fallback: str = "") -> str:
    """The result `code` with `params`, in the active language; `fallback` (the stored
    English text) for a code this table does not know or parameters that do not fit it."""
    message = MESSAGES.get(code or "")
    if message is None:
        return fallback
    values = {name: _param(value) for name, value in (params or {}).items()}
    try:
        return str(message) % values
    except (KeyError, TypeError, ValueError):
        return fallback or str(message)


def check_error(check: Any) -> str:
    """A source check's error (`error_code`, `error_params`, else the stored `error`)."""
    return render(
        getattr(check, "error_code", ""), getattr(check, "error_params", None), fallback=check.error
    )


def import_error(article: Any) -> str:
    """An article's import failure (`import_error_code` and params, else the stored text)."""
    return render(
        getattr(article, "import_error_code", ""),
        getattr(article, "import_error_params", None),
        fallback=article.import_error,
    )


def job_error(job: Any) -> str:
    """A background job's error (`error_code` and params) in the active language; "" when
    it has none. A row without a code (written before codes existed) reads as a plain
    failure: its English `error` is a detail for the admin, not for readers."""
    code = getattr(job, "error_code", "")
    if not code and not job.error:
        return ""
    generic = str(MESSAGES["job_failed"])
    return render(code or "job_failed", getattr(job, "error_params", None), fallback=generic)


def analysis_message(state: str, *, suggestions: int = 0, error: str = "") -> str:
    """What the annotate page says about the machine analysis of the text (selectors
    .Analysis), in the active language; "" when there is nothing to say."""
    if state == "queued" and error:
        return gettext("The analysis failed and will be tried again: %(error)s") % {"error": error}
    if state == "queued":
        return gettext("Waiting for the machine analysis of this text…")
    if state == "running":
        return gettext("The machine analysis of this text is running…")
    if state == "failed":
        return gettext("The machine analysis failed: %(error)s") % {
            "error": error or MESSAGES["job_failed"]
        }
    if state == "done" and suggestions:
        return ngettext(
            "Analysis finished: %(count)s suggestion.",
            "Analysis finished: %(count)s suggestions.",
            suggestions,
        ) % {"count": number_format(suggestions, force_grouping=True)}
    if state == "done":
        return gettext("Analysis finished: nothing to suggest in this text.")
    return ""


def flag_name(code: str) -> str:
    """A flag's short name ("Vague source"); a code this table does not know, as stored."""
    name = FLAG_NAMES.get(code)
    return str(name) if name is not None else code.replace("_", " ")


def flag_text(flag: Mapping[str, Any]) -> str:
    """What a stored flag (`{code, cue, message, params}`, or an old row's
    `{code, cue, explanation}`) means, in the active language."""
    return render(
        flag.get("message") or "", flag.get("params"), fallback=flag.get("explanation") or ""
    )


def flags_for_display(flags: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Stored flags as readers get them: `code`, `cue` and `params` as stored, `name` and
    `explanation` worded in the active language."""
    shown = []
    for flag in flags or ():
        if not isinstance(flag, Mapping):
            flag = {"code": str(flag)}
        code = str(flag.get("code") or "")
        shown.append(
            {
                "code": code,
                "cue": flag.get("cue", ""),
                "params": dict(flag.get("params") or {}),
                "name": flag_name(code),
                "explanation": flag_text(flag),
            }
        )
    return shown


def reason_text(reasons: Iterable[Mapping[str, Any]] | None, *, fallback: str = "") -> str:
    """The cues that made a suggestion (stored `[{code, params: {words}}]`), worded and
    joined; `fallback` (an old row's `cue`) when none are stored."""
    parts = []
    for reason in reasons or ():
        code = reason.get("code") or ""
        params = reason.get("params") or {}
        if code == "cue":
            parts.append(str(params.get("words", "")))
        else:
            parts.append(render(code, params, fallback=str(params.get("words", ""))))
    text = ", ".join(part for part in parts if part)
    return text or fallback


def suggestion_reason(suggestion: Any) -> str:
    """Why a suggestion was made (its `reasons`, else its stored `cue`), in the active
    language: 'Verb „kaufen“, Akteur „Elon“' for a German reader."""
    return reason_text(getattr(suggestion, "reasons", None), fallback=suggestion.cue)
