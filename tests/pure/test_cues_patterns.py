"""Pure tests of the cue patterns of issue 14: opinions without stock words, hedged and
reported futures, attributions, claims beside a source, timetables, questions and source
spans. Each pattern has a sentence it must fire on and one it must leave alone."""

from __future__ import annotations

import weakref

import pytest

from annotations import machine_text
from annotations.cues import Suggestion, suggest, warm_up


def found(text: str, language: str, label: str) -> list[Suggestion]:
    return [item for item in suggest(text, language) if item.label == label]


def spans(text: str, language: str, label: str) -> list[str]:
    return [text[item.start : item.end] for item in found(text, language, label)]


def labels_of(text: str, language: str) -> set[str]:
    return {item.label for item in suggest(text, language)}


# --------------------------------------------------------------------------- opinion


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Die angebliche Steuerentlastung ist ein Etikettenschwindel.", "de"),
        ("Das neue Förderprogramm entpuppt sich als Mogelpackung.", "de"),
        ("Die Lage in den Notaufnahmen ist schlicht dramatisch.", "de"),
        ("Der Umbau des Rathauses wird zum Finanzdebakel.", "de"),
        ("Der Auftritt der Band war ein gelungener, berührender Abend.", "de"),
        ("The chancellor gave a weak speech to a half-empty hall.", "en"),
        ("The rescue of the bank was a travesty for taxpayers.", "en"),
        ("Her fearless reporting exposed the scheme.", "en"),
    ],
)
def test_evaluative_nouns_and_adjectives_are_opinion(sentence, language):
    assert "opinion" in labels_of(sentence, language)


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Die Aktie der Reederei schloss schwach.", "de"),
        ("Erstmals ist es einem Team gelungen, den Prozessor zu kühlen.", "de"),
        ("Der Sitzungssaal ist schlicht eingerichtet.", "de"),
        ("The euro was weak against the dollar on Friday.", "en"),
        ("The firm posted strong demand for its chips.", "en"),
    ],
)
def test_descriptive_uses_of_the_same_words_are_not_opinion(sentence, language):
    assert "opinion" not in labels_of(sentence, language)


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Das Land muss endlich in seine Schulen investieren.", "de"),
        ("Die Stadt darf nicht länger zusehen, wie die Mieten steigen.", "de"),
        ("The league must finally take concussions seriously.", "en"),
        ("Lawmakers must act before the next flood season.", "en"),
    ],
)
def test_demands_are_opinion(sentence, language):
    assert "opinion" in labels_of(sentence, language)


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Unternehmen müssen ihre Bilanz bis Ende März vorlegen.", "de"),
        ("Drivers must carry their licence at all times.", "en"),
    ],
)
def test_a_rule_stated_with_muss_or_must_is_not_opinion(sentence, language):
    assert "opinion" not in labels_of(sentence, language)


def test_an_exclamation_of_the_writer_is_opinion():
    text = "Und wieder zahlen die Pendler die Zeche!"
    (item,) = found(text, "de", "opinion")
    assert [r.code for r in item.reasons] == ["exclamation"]


def test_a_quoted_exclamation_is_reported_not_the_writers_opinion():
    assert "opinion" not in labels_of("„Alle sofort raus hier!“, rief der Hausmeister.", "de")


def test_an_evaluation_inside_a_quote_is_spanned_by_the_quote():
    text = "„Das Paket ist eine Mogelpackung“, sagte die Verbraucherschützerin Anna Kern."
    assert spans(text, "de", "opinion") == ["„Das Paket ist eine Mogelpackung“"]


def test_an_evaluative_word_inside_a_factual_sentence_is_still_opinion():
    text = "Die Stadt hat 40 Millionen Euro in das desaströse Bauprojekt gesteckt."
    assert "opinion" in labels_of(text, "de")


# --------------------------------------------------------------------------- questions


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Was bedeutet das Urteil für Vermieter?", "de"),
        ("Wie geht es nach der Wahl weiter?", "de"),
        ("What does the ruling mean for landlords?", "en"),
        ("When will the new line open?", "en"),
    ],
)
def test_neutral_questions_are_neither_opinion_nor_claim(sentence, language):
    assert labels_of(sentence, language) == set()


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Glaubt wirklich jemand, dass die Bahn pünktlich wird?", "de"),
        ("Ist das nicht genau die Politik, die man versprochen hatte?", "de"),
        ("Why should renters pay for the landlord's mistakes?", "en"),
        ("Does anyone seriously believe the deficit will vanish?", "en"),
    ],
)
def test_rhetorical_questions_are_opinion(sentence, language):
    assert "opinion" in labels_of(sentence, language)


# --------------------------------------------------------------------------- hedges


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Die Sanierung der 40 Brücken soll im Frühjahr erfolgen.", "de"),
        ("Die Ermittler rechnen damit, dass 200 Haushalte betroffen sind.", "de"),
        ("Es gibt Hinweise, dass der Brand in der Küche ausbrach.", "de"),
        ("Dem Vernehmen nach verlässt der Trainer den Verein im Sommer.", "de"),
        ("Eine Entscheidung wird noch in dieser Woche erwartet.", "de"),
        ("Wie hoch der Schaden ist, lässt sich noch nicht sagen.", "de"),
        ("The 12-mile line is slated to open in 2027.", "en"),
        ("Revenue is projected to reach $4 billion next year.", "en"),
        ("Whether the 300 new jobs will last remains to be seen.", "en"),
        ("It is too early to say how many of the 80 homes are lost.", "en"),
    ],
)
def test_hedges_and_reported_futures_are_speculation_and_not_claims(sentence, language):
    labels = labels_of(sentence, language)
    assert "speculation" in labels
    assert "claim" not in labels


def test_a_dated_plan_is_not_a_hedge():
    text = "Die neue Brücke soll im März 2026 für den Verkehr freigegeben werden."
    assert "speculation" not in labels_of(text, "de")


def test_a_figure_that_is_not_hedged_stays_a_claim():
    text = "Revenue reached $4 billion last year, the company said."
    assert labels_of(text, "en") >= {"claim", "source"}


# --------------------------------------------------------------------------- attributions


@pytest.mark.parametrize(
    ("sentence", "language", "exact"),
    [
        (
            "Vor gefälschten Paketmails warnt die Verbraucherzentrale Bremen.",
            "de",
            "warnt die Verbraucherzentrale Bremen",
        ),
        (
            "Wie die Stadtwerke mitteilen, ist die Leitung repariert.",
            "de",
            "Wie die Stadtwerke mitteilen",
        ),
        (
            "Das geht aus einem Bericht des Bundesrechnungshofs hervor.",
            "de",
            "geht aus einem Bericht des Bundesrechnungshofs hervor",
        ),
        (
            "Die Kosten seien stark gestiegen, berichtet die „Süddeutsche Zeitung“.",
            "de",
            "berichtet die „Süddeutsche Zeitung“",
        ),
        ("Critics say the tunnel will cost twice as much.", "en", "Critics say"),
        (
            "The mayor resigned after an audit found irregularities in the budget.",
            "en",
            "an audit found",
        ),
        ("Census data show the town lost 900 residents.", "en", "Census data show"),
    ],
)
def test_attributions_span_the_speaker_and_verb(sentence, language, exact):
    assert exact in spans(sentence, language, "source")


@pytest.mark.parametrize(
    ("sentence", "language", "handle"),
    [
        ("Laut @stadtwerke_kiel fällt der Strom am Abend aus.", "de", "@stadtwerke_kiel"),
        ("Per @cityhall_press, the bridge stays closed until Monday.", "en", "@cityhall_press"),
    ],
)
def test_a_handle_after_a_preposition_is_a_source_flagged_as_a_bare_handle(
    sentence, language, handle
):
    (item,) = found(sentence, language, "source")
    assert sentence[item.start : item.end].endswith(handle)
    assert {"vague", "bare_handle"} <= {flag.code for flag in item.flags}


def test_per_before_a_unit_is_not_a_source():
    text = "Fares rose 4 per cent, or 30 cents per day for commuters."
    assert "source" not in labels_of(text, "en")


def test_german_reported_speech_in_konjunktiv_i_is_an_attribution():
    text = "Der Schaden gehe in die Millionen."
    (item,) = found(text, "de", "source")
    assert text[item.start : item.end] == "gehe"
    assert [r.code for r in item.reasons] == ["reported_speech"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Ich gehe davon aus, dass die Brücke hält.",
        "Die Kinder gehen morgen wieder in die Schule.",
        "Der Vertrag gilt, es sei denn, eine Seite kündigt.",
        "Kritiker meinen, das Gesetz gehe nicht weit genug.",
    ],
)
def test_indicative_or_idiomatic_forms_are_not_reported_speech(sentence):
    assert "source" not in labels_of(sentence, "de")


# --------------------------------------------------------------------------- claims


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Verletzt wurde nach Angaben der Feuerwehr niemand.", "de"),
        ("Wie die Polizei mitteilte, wurde der Fahrer noch am Unfallort festgenommen.", "de"),
        ("The agency said in a statement that it had patched the flaw.", "en"),
        ("People close to the club said the coach had already signed.", "en"),
    ],
)
def test_a_sourced_statement_is_both_claim_and_source(sentence, language):
    assert labels_of(sentence, language) >= {"claim", "source"}


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Das Bundesverfassungsgericht hat das Wahlgesetz gekippt.", "de"),
        ("The city council has approved the new zoning rules.", "en"),
    ],
)
def test_a_claim_needs_no_number(sentence, language):
    assert "claim" in labels_of(sentence, language)


def test_a_reported_intention_is_a_source_but_not_a_claim():
    text = "Man werde die Beschwerden sorgfältig prüfen, erklärte eine Sprecherin der Bahn."
    assert labels_of(text, "de") == {"source"}


def test_a_hedged_figure_keeps_only_the_hedge():
    text = "Der Umsatz könnte im dritten Quartal um 14 Prozent auf 2,3 Milliarden Euro steigen."
    assert labels_of(text, "de") == {"speculation"}


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Die Ausstellung ist dienstags bis sonntags von 10 bis 18 Uhr geöffnet.", "de"),
        ("Das Bürgertelefon ist unter 0431 901-2345 erreichbar.", "de"),
        ("Dieser Artikel wurde am Montag um 16.45 Uhr aktualisiert.", "de"),
        ("The hotline is open from 9 a.m. to 5 p.m. on weekdays.", "en"),
        ("Call 020 7946 0958 for tickets.", "en"),
    ],
)
def test_timetables_and_phone_numbers_are_not_claims(sentence, language):
    assert "claim" not in labels_of(sentence, language)


@pytest.mark.parametrize(
    "sentence",
    [
        "Wer etwas gesehen hat, wird gebeten, sich unter 089 2910-0 zu melden.",
        "Auskünfte gibt die Gemeindeverwaltung unter der Rufnummer 116 117.",
        "Die Stadtwerke nehmen Störungsmeldungen unter 0341 121-3333 entgegen.",
    ],
)
def test_a_switchboard_number_or_a_number_to_call_is_not_a_claim(sentence):
    assert "claim" not in labels_of(sentence, "de")


def test_a_figure_beside_a_phone_number_is_still_a_claim():
    text = "Seit Montag gingen unter der Rufnummer 0800 111 0111 mehr als 4000 Anrufe ein."
    assert "claim" in labels_of(text, "de")


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Eintritt: 7 Euro, ermäßigt 5 Euro, Kinder unter sechs Jahren frei.", "de"),
        ("Karten gibt es für 25 Euro an der Abendkasse.", "de"),
        ("Bewerbungsschluss für die 40 Ausbildungsplätze ist der 15. Februar.", "de"),
        ("Spenden bitte an: Tafel Nord, IBAN DE02 1203 0000 0000 2020 51.", "de"),
        ("Tickets cost 12 dollars from the box office in the foyer.", "en"),
    ],
)
def test_service_information_is_not_a_claim(sentence, language):
    assert "claim" not in labels_of(sentence, language)


def test_a_decision_about_a_price_is_still_a_claim():
    text = "Der Eintritt kostet ab März 9 statt 6 Euro, beschloss der Gemeinderat am Montag."
    assert "claim" in labels_of(text, "de")
    assert "claim" in labels_of("Die Zahl der Anmeldungen stieg um 18 Prozent.", "de")


@pytest.mark.parametrize(
    "sentence",
    [
        "Wann beginnt eigentlich die Schonzeit für Hechte?",
        "Was kostet eigentlich ein Liter Heizöl?",
    ],
)
def test_a_w_question_with_eigentlich_is_an_explainers_heading_not_opinion(sentence):
    assert "opinion" not in labels_of(sentence, "de")


def test_eigentlich_in_a_yes_no_question_is_still_rhetorical():
    assert "opinion" in labels_of("Braucht diese Stadt eigentlich noch ein Parkhaus?", "de")


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Herzlich willkommen zum Liveblog vom Stadtmarathon!", "de"),
        ("Guten Abend aus dem Landtag in Kiel!", "de"),
        ("Good morning from the newsroom in Leeds!", "en"),
    ],
)
def test_a_greeting_with_an_exclamation_mark_is_not_opinion(sentence, language):
    assert "opinion" not in labels_of(sentence, language)


@pytest.mark.parametrize(
    "sentence",
    [
        "Die Brücke hätte schon vor Jahren saniert werden müssen.",
        "Ein offenes Wort wäre hier angebrachter gewesen.",
        "Der Verein erwartet vom Verband, dass er die Strafe zurücknimmt.",
    ],
)
def test_a_counterfactual_past_or_a_demand_is_opinion_not_speculation(sentence):
    assert labels_of(sentence, "de") & {"opinion", "speculation"} == {"opinion"}


def test_a_participle_before_haette_is_no_hedge_but_a_plain_one_is():
    text = "Ein Erfolg, den ihr vor einem Jahr kaum jemand vorhergesagt hätte."
    assert "speculation" not in labels_of(text, "de")
    assert "speculation" in labels_of("Eine Klage hätte kaum Aussicht auf Erfolg.", "de")
    assert "speculation" in labels_of("Die Reederei erwartet, dass die Frachtraten fallen.", "de")


def test_a_figure_beside_a_clock_time_is_still_a_claim():
    text = "Um 14 Uhr meldete die Polizei 23 Verletzte und 3 Tote."
    assert "claim" in labels_of(text, "de")


# --------------------------------------------------------------------------- source spans


@pytest.mark.parametrize(
    ("sentence", "language", "cue"),
    [
        ("A senior EU official said the summit would be postponed.", "en", "senior EU official"),
        ("Die Gespräche seien gescheitert, so ein Diplomat.", "de", "ein Diplomat"),
        ("One person briefed on the talks said a deal was close.", "en", "person"),
    ],
)
def test_an_unnamed_person_as_the_source_gets_the_anonymous_flag(sentence, language, cue):
    (item,) = found(sentence, language, "source")
    anonymous = [flag for flag in item.flags if flag.code == "anonymous"]
    assert anonymous and cue in anonymous[0].cue


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("A spokesperson for the ministry said the plan stands.", "en"),
        ("Ein Sprecher der Stadt sagte, die Halle bleibe geschlossen.", "de"),
        ("Laut einem Insider-Report von Reuters steigt der Preis.", "de"),
    ],
)
def test_a_spokesperson_or_a_named_report_is_not_anonymous(sentence, language):
    for item in found(sentence, language, "source"):
        assert "anonymous" not in {flag.code for flag in item.flags}


def test_a_run_on_sentence_gives_a_source_span_cut_around_its_cue():
    filler = "und die Stadt hat am Montag neue Pläne für den Bau vorgestellt "
    text = filler * 8 + "sagte der Bürgermeister " + filler * 8
    assert len(text) > 1000
    (item,) = [s for s in found(text, "de", "source") if "sagte" in text[s.start : s.end]]
    assert "sagte der Bürgermeister" in text[item.start : item.end]
    assert item.end - item.start < 200


# --------------------------------------------------------------------------- plumbing


def test_every_reason_the_new_rules_give_has_a_sentence():
    texts = {
        "de": "Der Schaden gehe in die Millionen. Und wieder zahlen die Pendler die Zeche! "
        "Verletzt wurde nach Angaben der Feuerwehr niemand.",
        "en": "The council has approved the rules, officials say. What a farce this is!",
    }
    reasons = {
        r.code for lang, text in texts.items() for s in suggest(text, lang) for r in s.reasons
    }
    assert {"reported_speech", "exclamation", "attributed", "event"} <= reasons
    assert reasons - {"cue"} <= set(machine_text.MESSAGES)


def test_warm_up_changes_no_result():
    text = "Der Umsatz stieg laut dpa um 3 Prozent, hieß es."
    before = suggest(text, "de")
    warm_up()
    warm_up()
    assert suggest(text, "de") == before


def test_the_worker_warms_the_cue_rules_up_when_it_starts():
    from celery.signals import worker_init, worker_process_init

    import factcheck.celery

    # Look at the connected receivers rather than send the signal: sending it would also
    # run Celery's Django fixup outside a worker.
    for signal in (worker_init, worker_process_init):
        receivers = [ref() if isinstance(ref, weakref.ref) else ref for _, ref in signal.receivers]
        assert factcheck.celery._warm_up_cues in receivers


# --------------------------------------------------------------------------- speculation:
# surmises, open questions and plans not yet carried out


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Die Archäologen vermuten, dass die Mauer älter ist als die Kirche.", "de"),
        ("Der Tierschutzverein befürchtet weitere Fälle im Landkreis.", "de"),
        ("Die Stadtwerke gehen davon aus, dass der Preis im Herbst sinkt.", "de"),
        ("Die Trainerin schloss einen Wechsel des Torwarts nicht aus.", "de"),
        ("Die Gutachter halten einen Einsturz der Halle für möglich.", "de"),
        ("Der Bürgermeister stellte eine neue Turnhalle in Aussicht.", "de"),
        ("Die Reederei erwägt, die Fährlinie einzustellen.", "de"),
        ("Ob das Freibad im Juni öffnet, entscheidet der Stadtrat.", "de"),
        ("Eine Einigung im Tarifstreit gilt als unwahrscheinlich.", "de"),
        ("Ein Ende der Baustelle ist nicht in Sicht.", "de"),
        ("Die Zugspitzbahn wird wohl bis März stillstehen.", "de"),
        ("Der Verband erwartet für den Sommer weniger Gäste.", "de"),
        ("Laut Insidern will die Brauerei ihre Abfüllung verkaufen.", "de"),
        ("Der Landkreis kündigte an, bis 2028 zwei Kliniken zusammenzulegen.", "de"),
        ("Geologists believe the quake was triggered by mining.", "en"),
        ("Researchers suspect that the virus jumped from bats.", "en"),
        ("Whether the bridge can be saved is unclear.", "en"),
        ("The cause of the outage remains unknown.", "en"),
        ("A rate cut in June is possible, economists say.", "en"),
        ("Further closures cannot be ruled out.", "en"),
        ("The zoo hopes to welcome a second panda next year.", "en"),
        ("The council is considering a ban on e-scooters.", "en"),
        ("The bakery chain plans to open 40 shops by 2027.", "en"),
        ("There is no sign of a settlement, and no end in sight.", "en"),
    ],
)
def test_surmises_open_questions_and_plans_are_speculation(sentence, language):
    assert "speculation" in labels_of(sentence, language)


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Die Ermittler haben die Täter am Montag festgenommen.", "de"),
        ("Die Gefahr ging von einem defekten Kabel aus.", "de"),
        ("Die Bäckerei schließt am Samstag um 14 Uhr.", "de"),
        ("Der Verein hält an seinem Trainer fest.", "de"),
        ("Ob Jung, ob Alt: Der Marktplatz war voll.", "de"),
        ("Die Gäste fühlten sich sichtlich wohl.", "de"),
        ("Das Ergebnis fiel wie erwartet aus.", "de"),
        ("Die Brauerei hat ihre Abfüllung 2019 verkauft.", "de"),
        ("Die Partei wollte sich dazu nicht äußern.", "de"),
        ("The suspect was arrested at a petrol station.", "en"),
        ("The minister believes the tax cut will help families.", "en"),
        ("The delay was due to a signal failure.", "en"),
        ("Please reply as soon as possible.", "en"),
        ("The bakery chain opened 40 shops in 2023.", "en"),
        ("The bridge was repaired last year.", "en"),
    ],
)
def test_facts_and_opinions_near_those_words_are_not_speculation(sentence, language):
    assert "speculation" not in labels_of(sentence, language)


def test_a_belief_of_investigators_is_speculation_not_opinion():
    sentence = "Detectives believe the two men knew each other."
    assert labels_of(sentence, "en") >= {"speculation"}
    assert "opinion" not in labels_of(sentence, "en")
    assert "opinion" in labels_of("The coach believes her team can win the cup.", "en")


def test_holding_something_possible_is_speculation_holding_it_wrong_is_opinion():
    assert "opinion" not in labels_of("Fachleute halten einen Rückgang für möglich.", "de")
    assert "opinion" in labels_of("Die Opposition hält den Plan für falsch.", "de")


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Die Stadtwerke wollen bis 2029 rund 300 Ladesäulen aufstellen.", "de"),
        ("The ferry operator plans to add 12 routes by 2028.", "en"),
    ],
)
def test_a_plan_with_a_date_to_come_is_speculation_and_keeps_its_claim(sentence, language):
    assert labels_of(sentence, language) >= {"speculation", "claim"}
    # The weak cues show the words they matched, not the name of their kind.
    cue = found(sentence, language, "speculation")[0].cue
    assert cue in sentence


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Die Stadtwerke wollen mehr Ladesäulen, und sie planen sie selbst.", "de"),
        ("The ferry operator plans to add routes and plans to hire crews.", "en"),
    ],
)
def test_one_kind_of_weak_cue_alone_is_not_speculation(sentence, language):
    assert "speculation" not in labels_of(sentence, language)
