"""annotations.text: pure, so property tests and no database.

Alphabets mix umlauts, ß, German quotes, astral characters (two UTF-16 units each),
combining marks and CRLF, because those are what break offset code.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annotations.text import (
    ANCHORED,
    CONTEXT,
    FUZZY,
    ORPHANED,
    Quote,
    SpanError,
    SpanRef,
    codepoint_to_utf16,
    find_quote,
    normalise,
    quote_at,
    reanchor,
    reanchor_many,
    segments,
    utf16_to_codepoint,
    validate_span,
)

# Timing has no place in tests (see bench/), so no deadline; a busy machine must not fail them.
# Applied per test, so other modules keep their own Hypothesis settings.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)

PIECES = [
    "a", "e", "n", "r", "s", "t", " ", " ", ".", ",", "\n",
    "ä", "ö", "ü", "Ä", "ß", "„", "“", "‚", "‘", "–",
    "😀", "𝔘", "🇩🇪", "e\u0301", "a\u0308", "\r\n", "\r",
]  # fmt: skip
raw_texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
texts = raw_texts.map(normalise)

# Article text around a span, and the span itself, which holds a marker character that the
# surrounding and inserted text never contain: the quote then occurs exactly once, so its
# true new position is known.
PLAIN = [piece for piece in PIECES if piece not in ("😀", "𝔘", "🇩🇪")]
MARKERS = ["😀", "𝔘", "🇩🇪"]
plain = st.lists(st.sampled_from(PLAIN), max_size=50).map(lambda p: normalise("".join(p)))
marked = st.tuples(plain, st.lists(st.sampled_from(MARKERS), min_size=1, max_size=3), plain).map(
    lambda parts: normalise(parts[0] + "".join(parts[1]) + parts[2])
)


@st.composite
def text_and_span(draw: st.DrawFn) -> tuple[str, int, int]:
    """(text, start, end): any non-empty span, the whole text and both ends included."""
    text = draw(texts.filter(bool))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


@st.composite
def annotated(draw: st.DrawFn) -> tuple[str, int, int]:
    """(text, start, end): a marked quote with plain text either side (maybe none)."""
    before, quote, after = draw(plain), draw(marked), draw(plain)
    return before + quote + after, len(before), len(before) + len(quote)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def stored(text: str, start: int, end: int) -> dict[str, object]:
    quote = quote_at(text, start, end)
    return {
        "start": start,
        "end": end,
        "exact": quote.exact,
        "prefix": quote.prefix,
        "suffix": quote.suffix,
    }


# -- normalise -------------------------------------------------------------------------------


def test_normalise_turns_crlf_and_lone_cr_into_newlines():
    assert normalise("eins\r\nzwei\rdrei\n") == "eins\nzwei\ndrei\n"


def test_normalise_composes_combining_marks():
    assert normalise("Mu\u0308ller") == "Müller"


def test_normalise_strips_a_leading_byte_order_mark():
    assert normalise("\ufeffÜberschrift") == "Überschrift"


@relaxed
@given(raw_texts)
def test_normalised_text_is_nfc_without_carriage_returns_and_stays_the_same(raw: str):
    text = normalise(raw)
    assert "\r" not in text
    assert unicodedata.is_normalized("NFC", text)
    assert normalise(text) == text


# -- validate_span ---------------------------------------------------------------------------


def test_validate_span_rejects_a_negative_start():
    with pytest.raises(SpanError) as error:
        validate_span("Text", -1, 2)
    assert str(error.value) == "start must be 0 or more (got -1)"


def test_validate_span_rejects_an_empty_span():
    with pytest.raises(SpanError) as error:
        validate_span("Ein Text", 5, 5)
    assert str(error.value) == "start 5 must be before end 5"


def test_validate_span_rejects_a_start_after_the_end():
    with pytest.raises(SpanError) as error:
        validate_span("Ein Text", 6, 2)
    assert str(error.value) == "start 6 must be before end 2"


def test_validate_span_rejects_an_end_past_the_text():
    with pytest.raises(SpanError) as error:
        validate_span("x" * 790, 10, 812)
    assert str(error.value) == "end 812 is past the end of the text (790 characters)"


def test_validate_span_says_character_for_a_one_character_text():
    with pytest.raises(SpanError) as error:
        validate_span("x", 0, 2)
    assert str(error.value) == "end 2 is past the end of the text (1 character)"


def test_validate_span_shows_the_text_found_when_exact_does_not_match():
    text = "Der Bürgermeister sagte, die Straße werde gesperrt."
    with pytest.raises(SpanError) as error:
        validate_span(text, 4, 17, exact="Oberbürgermeister")
    assert str(error.value) == "exact does not match the text at 4–17: found 'Bürgermeister'"


def test_validate_span_shortens_a_long_mismatch_to_sixty_characters():
    text = "Die Bundesregierung hat am Montag angekündigt, dass die Preise für Strom steigen."
    with pytest.raises(SpanError) as error:
        validate_span(text, 0, 75, exact="etwas anderes")
    shown = text[:59] + "…"
    assert str(error.value) == f"exact does not match the text at 0–75: found '{shown}'"


def test_validate_span_accepts_exact_in_decomposed_form():
    validate_span("Größe", 0, 5, exact="Gro\u0308ße")


@relaxed
@given(text_and_span())
def test_every_span_inside_the_text_is_valid_with_its_own_text(case: tuple[str, int, int]):
    text, start, end = case
    validate_span(text, start, end, exact=text[start:end])


# -- quote_at --------------------------------------------------------------------------------


@relaxed
@given(text_and_span())
def test_quote_at_takes_up_to_32_code_points_either_side(case: tuple[str, int, int]):
    text, start, end = case
    quote = quote_at(text, start, end)
    assert quote.exact == text[start:end]
    assert quote.prefix == text[max(0, start - CONTEXT) : start]
    assert quote.suffix == text[end : end + CONTEXT]
    assert len(quote.prefix) == min(CONTEXT, start)


def test_quote_at_of_the_whole_text_has_no_context():
    assert quote_at("„Ja“ 😀", 0, 6) == Quote(exact="„Ja“ 😀", prefix="", suffix="")


def test_quote_at_rejects_an_invalid_span():
    with pytest.raises(SpanError):
        quote_at("Text", 2, 9)


# -- UTF-16 offsets --------------------------------------------------------------------------


@relaxed
@given(texts, st.data())
def test_codepoint_offsets_convert_to_the_utf16_offsets_a_browser_counts(
    text: str, data: st.DataObject
):
    offset = data.draw(st.integers(0, len(text)))
    assert codepoint_to_utf16(text, offset) == utf16_units(text[:offset])


@relaxed
@given(texts)
def test_every_codepoint_offset_survives_a_utf16_round_trip(text: str):
    for offset in range(len(text) + 1):
        assert utf16_to_codepoint(text, codepoint_to_utf16(text, offset)) == offset


@relaxed
@given(texts)
def test_utf16_offsets_inside_a_surrogate_pair_are_rejected_and_all_others_convert(text: str):
    boundaries = {codepoint_to_utf16(text, offset) for offset in range(len(text) + 1)}
    for unit in range(utf16_units(text) + 1):
        if unit in boundaries:
            assert codepoint_to_utf16(text, utf16_to_codepoint(text, unit)) == unit
        else:
            with pytest.raises(SpanError):
                utf16_to_codepoint(text, unit)


def test_utf16_offset_after_an_emoji_counts_two_units_for_it():
    assert utf16_to_codepoint("a😀b", 3) == 2
    assert codepoint_to_utf16("a😀b", 2) == 3


def test_utf16_offset_inside_an_emoji_is_rejected_with_a_message():
    with pytest.raises(SpanError) as error:
        utf16_to_codepoint("a😀b", 2)
    assert str(error.value) == "UTF-16 offset 2 falls inside a surrogate pair (the middle of '😀')"


def test_utf16_offset_past_the_end_is_rejected_with_a_message():
    with pytest.raises(SpanError) as error:
        utf16_to_codepoint("a😀b", 5)
    assert str(error.value) == "UTF-16 offset 5 is past the end of the text (4 UTF-16 code units)"


def test_negative_offsets_are_rejected_in_both_directions():
    with pytest.raises(SpanError) as error:
        utf16_to_codepoint("abc", -1)
    assert str(error.value) == "offset must be 0 or more (got -1)"
    with pytest.raises(SpanError) as error:
        codepoint_to_utf16("abc", -1)
    assert str(error.value) == "offset must be 0 or more (got -1)"


def test_codepoint_offset_past_the_end_is_rejected_with_a_message():
    with pytest.raises(SpanError) as error:
        codepoint_to_utf16("a😀b", 4)
    assert str(error.value) == "offset 4 is past the end of the text (3 characters)"


# -- segments --------------------------------------------------------------------------------

span_refs = st.lists(
    st.builds(SpanRef, key=st.integers(1, 9), start=st.integers(-3, 70), end=st.integers(-3, 70)),
    max_size=8,
)


@relaxed
@given(texts, span_refs)
def test_segments_cover_the_text_in_order_and_list_the_spans_covering_each(
    text: str, spans: list[SpanRef]
):
    pieces = segments(text, spans)
    assert "".join(piece.text for piece in pieces) == text
    position = 0
    for piece in pieces:
        assert piece.start == position < piece.end
        assert piece.text == text[piece.start : piece.end]
        covering = tuple(
            span.key
            for span in spans
            if 0 <= span.start < span.end <= len(text)
            and span.start <= piece.start
            and piece.end <= span.end
        )
        assert piece.keys == covering
        position = piece.end
    assert position == len(text)


@relaxed
@given(texts, span_refs)
def test_segments_are_cut_at_every_boundary_of_a_valid_span(text: str, spans: list[SpanRef]):
    cuts = {piece.start for piece in segments(text, spans)} | {len(text)}
    for span in spans:
        if 0 <= span.start < span.end <= len(text):
            assert {span.start, span.end} <= cuts


def test_segments_split_overlapping_spans_into_three_marked_pieces():
    pieces = segments("Die Preise steigen stark.", [SpanRef(1, 4, 18), SpanRef(2, 11, 24)])
    assert [(piece.text, piece.keys) for piece in pieces] == [
        ("Die ", ()),
        ("Preise ", (1,)),
        ("steigen", (1, 2)),
        (" stark", (2,)),
        (".", ()),
    ]


def test_segments_ignore_empty_and_out_of_range_spans():
    pieces = segments("Text", [SpanRef(1, 2, 2), SpanRef(2, 3, 9), SpanRef(3, -1, 2)])
    assert [(piece.text, piece.keys) for piece in pieces] == [("Text", ())]


def test_segments_of_an_empty_text_are_empty():
    assert segments("", [SpanRef(1, 0, 1)]) == []


# -- reanchor: edits outside the span --------------------------------------------------------


@relaxed
@given(annotated(), plain.filter(bool), st.data())
def test_reanchor_keeps_span_when_text_is_inserted_outside_it(
    case: tuple[str, int, int], inserted: str, data: st.DataObject
):
    text, start, end = case
    at = data.draw(st.sampled_from([*range(0, start + 1), *range(end, len(text) + 1)]))
    new_text = text[:at] + inserted + text[at:]
    shift = len(inserted) if at <= start else 0

    anchor = reanchor(new_text, **stored(text, start, end), old_length=len(text))

    assert (anchor.state, anchor.start, anchor.end) == (ANCHORED, start + shift, end + shift)
    assert anchor.exact == text[start:end] == new_text[anchor.start : anchor.end]


@relaxed
@given(annotated(), st.data())
def test_reanchor_keeps_span_when_text_is_deleted_outside_it(
    case: tuple[str, int, int], data: st.DataObject
):
    text, start, end = case
    assume(start > 0 or end < len(text))
    cut_start = data.draw(st.sampled_from([*range(0, start), *range(end, len(text))]))
    limit = start if cut_start < start else len(text)
    cut_end = data.draw(st.integers(cut_start + 1, limit))
    new_text = text[:cut_start] + text[cut_end:]
    shift = cut_end - cut_start if cut_start < start else 0

    anchor = reanchor(new_text, **stored(text, start, end))

    assert (anchor.state, anchor.start, anchor.end) == (ANCHORED, start - shift, end - shift)
    assert anchor.exact == text[start:end]


@relaxed
@given(annotated(), plain, st.data())
def test_reanchor_many_moves_every_span_with_edits_outside_it(
    case: tuple[str, int, int], inserted: str, data: st.DataObject
):
    text, start, end = case
    at = data.draw(st.sampled_from([*range(0, start + 1), *range(end, len(text) + 1)]))
    removed = data.draw(st.integers(0, (start if at <= start else len(text)) - at))
    new_text = text[:at] + inserted + text[at + removed :]
    assume(new_text != text)
    shift = len(inserted) - removed if at <= start else 0
    quote = quote_at(text, start, end)

    anchors = reanchor_many(
        text, new_text, [(7, start, end, quote.exact, quote.prefix, quote.suffix)]
    )

    assert anchors[7].state == ANCHORED
    assert (anchors[7].start, anchors[7].end) == (start + shift, end + shift)
    assert anchors[7].exact == quote.exact


def test_reanchor_keeps_span_when_text_is_inserted_before_it():
    text = "Die Stadt plant neue Radwege. Der Bürgermeister sagte, die Kosten lägen bei 4,2 Mio. €."
    start = text.index("die Kosten")
    end = text.index(" €.")
    new_text = "Eilmeldung: " + text.replace("plant", "plant dieses Jahr")
    anchor = reanchor(new_text, **stored(text, start, end), old_length=len(text))
    assert anchor.state == ANCHORED
    assert new_text[anchor.start : anchor.end] == "die Kosten lägen bei 4,2 Mio."
    assert anchor.start == new_text.index("die Kosten")


def test_reanchor_picks_the_occurrence_whose_context_matches():
    text = (
        "Im Januar sagte die Ministerin: „Das ist richtig.“ Später, im März, widersprach der "
        "Verband und sagte: „Das ist richtig.“ Danach schwieg er."
    )
    start = text.rindex("„Das ist richtig.“")
    end = start + len("„Das ist richtig.“")
    new_text = text.replace("Im Januar", "Bereits im Januar des Jahres 2023")
    anchor = reanchor(new_text, **stored(text, start, end))
    assert anchor.state == ANCHORED
    assert anchor.start == new_text.rindex("„Das ist richtig.“")


def test_reanchor_finds_span_in_crlf_text_once_it_is_normalised():
    text = "Erste Zeile\nZweite Zeile mit Größe 😀\nDritte Zeile"
    start, end = text.index("Größe"), text.index(" 😀")
    new_text = normalise("Neu\r\n" + text.replace("\n", "\r\n"))
    anchor = reanchor(new_text, **stored(text, start, end))
    assert (anchor.state, new_text[anchor.start : anchor.end]) == (ANCHORED, "Größe")


def test_reanchor_many_follows_the_copy_that_was_not_edited_when_a_sentence_repeats():
    sentence = "Eine Überprüfung durch unabhängige Gutachter steht noch aus."
    text = f"Die Stadt plant eine Brücke. {sentence} Der Verband klagt. {sentence} Ende."
    second = text.rindex(sentence)
    quote = quote_at(text, second, second + len(sentence))
    new_text = text.replace(f"{sentence} Der", "Eine Prüfung steht aus. Der", 1)
    anchors = reanchor_many(
        text,
        new_text,
        [(1, second, second + len(sentence), quote.exact, quote.prefix, quote.suffix)],
    )
    assert anchors[1].state == ANCHORED
    assert anchors[1].start == new_text.rindex(sentence)


# -- reanchor: edits inside the span ---------------------------------------------------------


@relaxed
@given(annotated(), plain, st.data())
def test_reanchor_never_anchors_a_span_whose_text_was_edited(
    case: tuple[str, int, int], inserted: str, data: st.DataObject
):
    text, start, end = case
    cut_start = data.draw(st.integers(start, end - 1))
    cut_end = data.draw(st.integers(cut_start, end))
    assume(cut_start > start or cut_end > cut_start)  # not a pure insertion before the span
    new_text = text[:cut_start] + inserted + text[cut_end:]
    assume(new_text != text)
    exact = text[start:end]

    for anchor in (
        reanchor(new_text, **stored(text, start, end)),
        reanchor_many(text, new_text, [(1, *stored(text, start, end).values())])[1],
    ):
        if anchor.state == ANCHORED:
            # Only when the edit left the quote intact: the text gained or lost a copy of
            # its own edge ("aX" + "a" inserted reads as an insertion before the span).
            assert new_text[anchor.start : anchor.end] == exact
        elif anchor.state == FUZZY:
            assert anchor.exact == new_text[anchor.start : anchor.end] != exact
            assert anchor.score >= 75
        else:
            assert anchor.state == ORPHANED
            assert anchor.exact == exact


def test_reanchor_marks_an_edited_quote_fuzzy_and_updates_exact():
    text = "Laut Ministerium wurden 4,2 Milliarden Euro für den Ausbau der Schiene freigegeben."
    start = text.index("4,2")
    end = text.index(" für")
    new_text = "Update: " + text.replace("4,2 Milliarden", "4,3 Milliarden")
    anchor = reanchor(new_text, **stored(text, start, end))
    assert anchor.state == FUZZY
    assert anchor.exact == "4,3 Milliarden Euro"
    assert new_text[anchor.start : anchor.end] == anchor.exact


def test_reanchor_many_marks_an_edited_quote_fuzzy_and_updates_exact():
    text = "Laut Ministerium wurden 4,2 Milliarden Euro für den Ausbau der Schiene freigegeben."
    start, end = text.index("4,2"), text.index(" für")
    new_text = text.replace("4,2 Milliarden", "4,3 Milliarden")
    anchors = reanchor_many(text, new_text, [(3, *stored(text, start, end).values())])
    assert (anchors[3].state, anchors[3].exact) == (FUZZY, "4,3 Milliarden Euro")


def test_reanchor_orphans_a_span_whose_text_was_deleted():
    text = "Erster Satz. Der Sprecher bestritt, dass die Preise steigen würden. Letzter Satz."
    start, end = text.index("Der Sprecher"), text.index(" Letzter")
    new_text = "Erster Satz. Letzter Satz."
    anchor = reanchor(new_text, **stored(text, start, end))
    assert anchor.state == ORPHANED
    assert anchor.exact == text[start:end]
    assert 0 <= anchor.start < anchor.end <= len(new_text)


def test_reanchor_does_not_move_to_a_look_alike_with_a_low_score():
    text = (
        "Der Bürgermeister erklärte am Montag, die Straßenbahn fahre ab Mai häufiger. "
        "Die Opposition sprach von einem Wahlgeschenk."
    )
    start, end = text.index("die Straßenbahn"), text.index(". Die")
    new_text = (
        "Die Opposition sprach von einem Wahlgeschenk. Im Nachbarort hieß es dagegen, "
        "die Straßenbahn fahre ab Juni seltener."
    )
    anchor = reanchor(new_text, **stored(text, start, end))
    assert anchor.state == ORPHANED
    many = reanchor_many(text, new_text, [(1, *stored(text, start, end).values())])
    assert many[1].state == ORPHANED


def test_reanchor_many_does_not_take_an_old_look_alike_for_an_edited_span():
    claim = "die Preise für Strom um 12 Prozent steigen würden"
    text = (
        f"Der Versorger teilte mit, dass {claim}. Ein Sprecher der Stadt teilte mit, "
        f"dass {claim}. Weitere Angaben gab es nicht."
    )
    start = text.index(claim)
    quote = quote_at(text, start, start + len(claim))
    new_text = text.replace(f"Versorger teilte mit, dass {claim}", "Versorger schwieg", 1)
    anchors = reanchor_many(
        text, new_text, [(1, start, start + len(claim), quote.exact, quote.prefix, quote.suffix)]
    )
    assert anchors[1].state == ORPHANED


def test_reanchor_many_returns_one_anchor_per_key():
    text = "Alpha beta gamma delta."
    rows = [
        (10, 0, 5, "Alpha", "", " beta gamma delta."),
        (11, 6, 10, "beta", "Alpha ", " gamma delta."),
    ]
    anchors = reanchor_many(text, "Vorweg: " + text, rows)
    assert {key: (a.state, a.start) for key, a in anchors.items()} == {
        10: (ANCHORED, 8),
        11: (ANCHORED, 14),
    }


# -- find_quote ------------------------------------------------------------------------------


def test_find_quote_ignores_typographic_quotes():
    source = "Die Ministerin sagte: „Wir schaffen das“, und ging."
    match = find_quote(source, '"Wir schaffen das"')
    assert (match.found, match.score) == (True, 100.0)
    assert source[match.start : match.end] == "„Wir schaffen das“"


def test_find_quote_ignores_line_breaks_and_runs_of_spaces():
    source = "Der Rat hat die Verhandlungen\n   über den Haushalt\r\nvertagt."
    match = find_quote(source, "die Verhandlungen über den Haushalt vertagt")
    assert (match.found, match.score) == (True, 100.0)
    assert source[match.start : match.end] == "die Verhandlungen\n   über den Haushalt\r\nvertagt"


def test_find_quote_joins_words_hyphenated_at_a_line_break():
    source = "Die Ver-\nhandlung wurde auf Mittwoch vertagt."
    match = find_quote(source, "Die Verhandlung wurde")
    assert (match.found, match.score) == (True, 100.0)
    assert source[match.start : match.end] == "Die Ver-\nhandlung wurde"


def test_find_quote_ignores_soft_hyphens_dashes_and_case():
    source = "IN NORD\u00adRHEIN–WESTFALEN stieg die Zahl."
    match = find_quote(source, "in Nordrhein-Westfalen stieg")
    assert (match.found, match.score) == (True, 100.0)


def test_find_quote_accepts_a_quote_with_a_small_typo():
    source = "Laut Polizei waren mehr als 5000 Menschen von der Sperrung betroffen."
    match = find_quote(source, "mehr als 5000 Menschen von der Sperung betroffen")
    assert match.found
    assert 85 <= match.score < 100
    assert "Sperrung" in match.excerpt


def test_find_quote_reports_an_absent_quote_as_not_found():
    source = "Der Wetterdienst warnt vor Sturm an der Küste. " * 20
    match = find_quote(source, "Die Inflation ist im Mai deutlich gesunken")
    assert not match.found
    assert match.score < 85


def test_find_quote_with_an_empty_quote_finds_nothing():
    assert find_quote("Irgendein Text", "  ") == find_quote("Irgendein Text", "")
    match = find_quote("Irgendein Text", "")
    assert (match.found, match.score, match.excerpt) == (False, 0.0, "")


def test_find_quote_excerpt_shows_the_passage_with_context_around_it():
    source = ("Lorem ipsum dolor sit amet. " * 20) + "Der Kern der Sache." + (" Ende." * 40)
    match = find_quote(source, "Kern der Sache")
    assert "Kern der Sache" in match.excerpt
    assert match.excerpt.startswith("…") and match.excerpt.endswith("…")
    assert len(match.excerpt) <= len("Kern der Sache") + 2 * 80 + 2


@relaxed
@given(texts, st.data())
def test_find_quote_finds_any_passage_of_the_source_verbatim(source: str, data: st.DataObject):
    start = data.draw(st.integers(0, len(source)))
    end = data.draw(st.integers(start, len(source)))
    passage = source[start:end]
    assume(any(character.isalnum() for character in passage))
    match = find_quote(source, passage)
    assert (match.found, match.score) == (True, 100.0)
    assert find_quote(source[match.start : match.end], passage).score == 100.0


@pytest.mark.parametrize(
    ("source", "quote"),
    [
        ("Er sagte: »Das stimmt nicht.«", 'Er sagte: "Das stimmt nicht."'),
        ("Sie meinte, ‚das geht‘ so nicht", "Sie meinte, 'das geht' so nicht"),
        ("It’s a “claim”", 'It\'s a "claim"'),
    ],
)
def test_find_quote_treats_all_quotation_marks_alike(source: str, quote: str):
    assert find_quote(source, quote).score == 100.0


# -- reanchor_many on an article -------------------------------------------------------------

ARTICLE = (
    "Die Stadtwerke Düsseldorf erklärten am Montag, die Preise für Strom würden um 12 Prozent "
    "steigen. „Das ist schlicht falsch“, entgegnete Özlem Yılmaz von der Verbraucherzentrale.\n\n"
    "Der Bürgermeister räumte ein, dass die Straßenbahn erst ab Mai häufiger fahre. Eine "
    "Überprüfung durch unabhängige Gutachter steht noch aus. Nach Angaben der Polizei waren "
    "mehr als 5000 Menschen von der Sperrung betroffen 😀.\n\n"
    "Eine Überprüfung durch unabhängige Gutachter steht noch aus. Kritiker halten die Zahl "
    "für übertrieben; Belege wurden bislang nicht veröffentlicht."
)
ARTICLE_SPANS = [
    (ARTICLE.index(phrase), ARTICLE.index(phrase) + len(phrase))
    for phrase in (
        "die Preise für Strom würden um 12 Prozent steigen",
        "„Das ist schlicht falsch“",
        "Straßenbahn",
        "Nach Angaben der Polizei waren mehr als 5000 Menschen von der Sperrung betroffen 😀.",
        "Kritiker halten die Zahl für übertrieben",
        "Belege wurden bislang nicht veröffentlicht.",
    )
] + [(0, len(ARTICLE))]
# Inserted text never occurs in the article, so an insertion cannot make a quote ambiguous.
inserted_text = st.text(alphabet="0123456789#@", min_size=1, max_size=40)


@st.composite
def scattered_edits(draw: st.DrawFn) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, inserted) edits of ARTICLE, in order."""
    cuts = sorted(draw(st.sets(st.integers(0, len(ARTICLE)), min_size=2, max_size=16)))
    edits = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if draw(st.booleans()):
            edits.append((start, start, draw(inserted_text)))
        else:
            edits.append((start, min(end, start + 30), draw(st.sampled_from(["", "#"]))))
    return edits


@relaxed
@given(scattered_edits())
def test_reanchor_many_moves_untouched_spans_and_never_anchors_touched_ones_elsewhere(
    edits: list[tuple[int, int, str]],
):
    new_text = ARTICLE
    for start, end, inserted in reversed(edits):
        new_text = new_text[:start] + inserted + new_text[end:]
    rows = [
        (key, *stored(ARTICLE, start, end).values())
        for key, (start, end) in enumerate(ARTICLE_SPANS)
    ]

    anchors = reanchor_many(ARTICLE, new_text, rows)

    for key, (start, end) in enumerate(ARTICLE_SPANS):
        touched = any((a < end and b > start) if b > a else start < a < end for a, b, _ in edits)
        shift = sum(len(ins) - (b - a) for a, b, ins in edits if b <= start)
        anchor = anchors[key]
        if not touched:
            assert (anchor.state, anchor.start, anchor.end) == (
                ANCHORED,
                start + shift,
                end + shift,
            )
        elif anchor.state == ANCHORED:
            assert anchor.start < end + shift + 40 and anchor.end > start + shift - 40
