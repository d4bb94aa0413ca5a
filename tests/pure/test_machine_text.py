"""Pure tests of annotations/machine_text.py: stored codes worded in the reader's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from annotations import cues, machine_text
from annotations.machine_text import flag_text, flags_for_display, reason_text, render

ROOT = Path(__file__).parents[2] / "annotations"


def _codes_in(path: Path) -> set[str]:
    source = path.read_text(encoding="utf-8")
    return set(re.findall(r'\b(?:code|error_code)="(\w+)"', source))


@pytest.mark.parametrize(
    "module", ["fetch.py", "services/source_checks.py", "services/article_imports.py"]
)
def test_every_error_code_a_module_stores_has_a_sentence(module):
    codes = _codes_in(ROOT / module)
    assert codes, module
    assert codes <= set(machine_text.MESSAGES)


def test_every_reason_a_cue_rule_gives_has_a_sentence():
    messages = {why for _, why in cues._VAGUE_PHRASES}
    for span in (
        "Quelle: Via",
        "via @someone",
        "Source: Internet",
        "a source who declined to be named",
        "a source who asked not to be named because it is private",
    ):
        messages |= {flag.message for flag in cues.vague_source_flags(span)}
    assert messages <= set(machine_text.MESSAGES)


def test_a_stored_error_is_worded_with_its_parameters():
    with translation.override("en"):
        assert render("dns_failed", {"host": "www.example.invalid"}) == (
            "could not resolve www.example.invalid"
        )


def test_an_unknown_code_falls_back_to_the_stored_english_text():
    with translation.override("de"):
        assert render("from_a_newer_version", {"x": 1}, fallback="HTTP 404") == "HTTP 404"
        assert render("", None, fallback="could not resolve x") == "could not resolve x"


def test_parameters_that_do_not_fit_fall_back_instead_of_failing():
    with translation.override("en"):
        assert render("dns_failed", {}, fallback="old text") == "old text"
        assert render("dns_failed", {}) == "could not resolve %(host)s"


def test_a_result_inside_the_parameters_is_worded_too():
    last = machine_text.stored("dns_failed", {"host": "a.invalid"}, "could not resolve a.invalid")
    with translation.override("en"):
        assert render("gave_up_after", {"attempts": 4, "last": last}) == (
            "gave up after 4 attempts: could not resolve a.invalid"
        )


def test_an_old_flag_without_a_code_keeps_its_stored_explanation():
    old = {"code": "vague", "cue": "Via", "explanation": '"Via" names no source.'}
    with translation.override("de"):
        assert flag_text(old) == '"Via" names no source.'
        (shown,) = flags_for_display([old])
    assert shown["explanation"] == '"Via" names no source.'
    assert shown["code"] == "vague"


def test_flags_for_display_never_name_a_flag_by_its_raw_code():
    with translation.override("en"):
        shown = flags_for_display(
            [{"code": "no_source_named"}, {"code": "bare_handle"}, {"code": "something_new"}]
        )
    assert [flag["name"] for flag in shown] == [
        "No source named",
        "Handle without a link",
        "something new",
    ]


def test_a_suggestions_reasons_are_worded_and_joined():
    reasons = [
        {"code": "verb", "params": {"words": "kaufen"}},
        {"code": "actor", "params": {"words": "Elon"}},
        {"code": "cue", "params": {"words": "laut"}},
    ]
    with translation.override("en"):
        assert reason_text(reasons) == "verb “kaufen”, actor “Elon”, laut"
        assert reason_text([], fallback='verb "kaufen"') == 'verb "kaufen"'


def test_numbers_are_written_the_readers_way():
    with translation.override("en"):
        assert render("timeout", {"seconds": 30.0}) == "no answer within 30 s"
        assert render("timeout", {"seconds": 2.5}) == "no answer within 2.5 s"
