"""Who an attribution names, and which claimant that is (annotations.claimant_match): pure,
no database."""

from hypothesis import given
from hypothesis import strategies as st

from annotations import cues
from annotations.claimant_match import (
    Attribution,
    best_claimant,
    claim_speakers,
    speaker_name,
)

NAMES = [
    (1, "Olaf Scholz"),
    (1, "Scholz"),
    (2, "Statistisches Bundesamt"),
    (2, "Destatis"),
    (3, "World Health Organization"),
    (4, "Olaf Schulz"),
]


def speakers_of(text: str, language: str) -> dict[tuple[int, int], str]:
    found = cues.suggest(text, language)
    attributions = [
        Attribution(s.start, s.end, s.cue, tuple(f.code for f in s.flags))
        for s in found
        if s.label == "source"
    ]
    claims = [(s.start, s.end) for s in found if s.label == "claim"]
    return claim_speakers(text, claims, attributions)


def test_the_speaker_is_the_name_after_the_cue_without_time_or_place():
    assert (
        speaker_name("sagte Bundeskanzler Olaf Scholz am Montag in Berlin", "sagte")
        == "Bundeskanzler Olaf Scholz"
    )


def test_the_speaker_keeps_the_small_words_inside_a_name():
    assert speaker_name("said the Bank of England on Tuesday", "said") == "Bank of England"
    assert speaker_name("laut dem Bundesministerium für Gesundheit", "laut") == (
        "Bundesministerium für Gesundheit"
    )


def test_an_attribution_to_a_pronoun_names_nobody():
    assert speaker_name("sagte er", "sagte") == ""
    assert speaker_name("she said", "said") == ""


def test_a_german_claim_sentence_names_its_speaker():
    text = (
        "Die Arbeitslosigkeit ist im Mai auf 5,8 Prozent gestiegen, sagte Bundeskanzler "
        "Olaf Scholz am Montag in Berlin."
    )
    assert list(speakers_of(text, "de").values()) == ["Bundeskanzler Olaf Scholz"]


def test_an_english_claim_sentence_names_an_organisation():
    text = (
        "According to the World Health Organization, 1.3 million people die in road "
        "crashes every year."
    )
    assert list(speakers_of(text, "en").values()) == ["World Health Organization"]


def test_a_vague_attribution_names_no_speaker():
    assert speakers_of("Insidern zufolge wurden 300 Stellen gestrichen.", "de") == {}


def test_a_title_before_the_name_still_finds_the_claimant():
    assert best_claimant("Bundeskanzler Olaf Scholz", NAMES).claimant_id == 1


def test_an_inflected_name_finds_the_claimant():
    assert best_claimant("Statistischen Bundesamt", NAMES).claimant_id == 2


def test_an_alias_finds_the_claimant():
    assert best_claimant("destatis", NAMES).claimant_id == 2


def test_a_first_name_alone_is_no_match_for_a_full_name():
    assert best_claimant("Olaf", [(1, "Olaf Scholz")]) is None


def test_a_different_person_with_a_similar_name_is_no_match():
    assert best_claimant("Olaf Schulze", [(1, "Olaf Scholz")]) is None


def test_an_unknown_speaker_matches_nobody():
    assert best_claimant("Joe Biden", NAMES) is None


@given(st.text(max_size=80), st.lists(st.tuples(st.integers(1, 9), st.text(max_size=40))))
def test_any_speaker_and_names_give_a_known_id_or_none(speaker, names):
    match = best_claimant(speaker, names)
    assert match is None or (
        match.claimant_id in {pk for pk, _name in names} and 0 <= match.score <= 100
    )


@given(st.text(max_size=120), st.text(max_size=20))
def test_a_speaker_is_never_longer_than_a_name_may_be(attribution, cue):
    name = speaker_name(attribution, cue)
    assert len(name) <= 200
    assert name == "" or len(name) >= 3
