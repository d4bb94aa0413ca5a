"""Word lists for annotations/cues.py: evaluative words and German reported-speech verbs.

Pure data, no Django. Hand-kept rather than taken from a package: the subjectivity lexicons
that ship with permissively licensed Python packages are English-only and tuned to product
reviews ("great battery"), where news evaluation is mostly about conduct ("halbherzig",
"reckless"); a short list a desk can read and extend does better here.

Weights are how sure one word alone makes an opinion: 0.5 is enough to suggest it, lower
weights only count together with another cue. Words are looked up by lemma (simplemma), so
one entry covers inflected forms ("peinlichen", "remarkably").
"""

from __future__ import annotations

__all__ = [
    "ABBREVIATIONS",
    "EVALUATIVE",
    "EVALUATIVE_HEADS_DE",
    "FINAL_ABBREVIATIONS",
    "INFLECTED_ONLY",
    "KONJUNKTIV_I_DE",
    "NOT_KONJUNKTIV_I_DE",
    "PERFORMANCE_NOUNS_EN",
    "STRONG_VERBS",
    "SURMISING_GROUPS_EN",
]


def _words(text: str) -> tuple[str, ...]:
    """A word list written as running text, one place to read and extend."""
    return tuple(text.split())


def _weighted(text: str) -> dict[str, float]:
    """Lines of "weight word word …" as {word: weight}."""
    out: dict[str, float] = {}
    for line in text.strip().splitlines():
        weight, *words = line.split()
        for word in words:
            out[word] = float(weight)
    return out


EVALUATIVE: dict[str, dict[str, float]] = {
    "de": _weighted("""
        0.85 skandalös unverantwortlich töricht lächerlich empörend beschämend miserabel
        0.85 lobenswert verantwortungslos dilettantisch stümperhaft erbärmlich jämmerlich
        0.85 schändlich ungeheuerlich unerträglich inakzeptabel unzumutbar heuchlerisch
        0.85 scheinheilig Etikettenschwindel Mogelpackung Augenwischerei Armutszeugnis
        0.85 Schnapsidee Frechheit Unverschämtheit Heuchelei Doppelmoral Trauerspiel
        0.8 peinlich absurd begrüßenswert unverständlich naiv unsinnig verfehlt halbherzig
        0.8 grotesk großartig blamabel desaströs armselig zynisch dreist fahrlässig
        0.8 kurzsichtig ideenlos planlos ambitionslos grandios genial brillant famos
        0.8 herausragend meisterhaft Blamage Debakel Fiasko Farce Zumutung Unding Unsinn
        0.8 Irrsinn Wahnsinn Symbolpolitik Meisterwerk Glanzleistung Glücksgriff verwerflich
        0.75 bemerkenswert enttäuschend mutlos überfällig katastrophal beeindruckend fragwürdig
        0.75 erfreulich bedauerlich sinnlos ärgerlich ungerecht kläglich verheerend gelungen
        0.75 misslungen berührend bewegend mitreißend vorbildlich überzeugend fantastisch
        0.75 wunderbar furchtbar schrecklich erschreckend unfassbar chaotisch langweilig
        0.75 Desaster Katastrophe Lichtblick Tiefpunkt Witz
        0.7 spannend entscheidend Skandal fatal mutig zweifelhaft überzogen klug hervorragend
        0.7 unfair alarmierend beschämt
        0.6 enttäuschen vernünftig besorgniserregend unglücklich fehlgeleitet
        0.55 dramatisch bedenklich problematisch
        0.45 endlich
        0.4 dringend
        0.3 richtig falsch
    """),
    "en": _weighted("""
        0.85 outrageous shameful irresponsible scandalous disgraceful foolish misguided
        0.85 ridiculous deplorable laudable commendable pathetic inexcusable indefensible
        0.85 unconscionable hypocritical spineless cowardly incompetent shambolic
        0.85 travesty debacle fiasco farce sham charade whitewash shambles
        0.8 absurd reckless embarrassing baffling unacceptable naive pointless half-hearted
        0.8 grotesque awful brilliant superb masterful masterly magnificent dreadful
        0.8 appalling disastrous abysmal woeful shoddy sloppy dismal lacklustre lackluster
        0.8 uninspired toothless short-sighted shortsighted cynical egregious intolerable
        0.8 fearless wonderful stunning disgrace masterpiece gimmick folly hypocrisy
        0.75 remarkable remarkably disappointing impressive questionable overdue terrible
        0.75 unjust catastrophic shocking mediocre feeble tedious moving gripping
        0.75 heartbreaking admirable troubling alarming nonsense
        0.7 exciting excellent unfair bold dull boring worrying
        0.6 crucial brave excessive sensible wise compelling
        0.55 dramatic
        0.5 welcome gamble
        0.45 finally
    """),
}

# Judging only when inflected before a noun ("ein gelungener Abend"); the bare form is
# mostly "succeeded" ("es ist gelungen, …").
INFLECTED_ONLY = frozenset({"gelungen"})

# Heads of German compounds that judge whatever they are compounded with:
# "Etikettenschwindel", "Finanzdebakel", "Behördenposse".
EVALUATIVE_HEADS_DE = (
    "schwindel",
    "skandal",
    "desaster",
    "debakel",
    "fiasko",
    "farce",
    "posse",
    "irrsinn",
    "wahnsinn",
    "trauerspiel",
    "mogelpackung",
)

# Nouns after which a plain adjective judges a performance: "a weak speech", "a strong
# showing". Alone, "weak" and "strong" describe markets and currencies.
# Groups whose "believe", "suspect" or "fear" is a surmise about facts, not an opinion:
# "Police believe the fire was started deliberately" (regex alternation, lowercase plurals).
SURMISING_GROUPS_EN = (
    "police|investigators|detectives|prosecutors|officials|authorities|scientists|researchers"
    "|authors|doctors|analysts|economists|experts|forecasters|meteorologists|observers"
    "|engineers|firefighters|officers|agencies|groups|geologists|biologists|virologists"
    "|epidemiologists|seismologists|historians|archaeologists|climatologists|demographers"
)

PERFORMANCE_NOUNS_EN = (
    "speech|performance|showing|response|answer|effort|argument|excuse|display|debut"
    "|leadership|campaign|budget|plan|proposal|deal|compromise|record|start|season|game|match"
)

# German Konjunktiv I, the mood of reported speech ("der Schaden gehe in die Millionen", "es
# sei eingegangen"). Most forms are found by rule (see cues._konjunktiv_i); these are the
# irregular ones and the ones simplemma does not lemmatise to an infinitive.
KONJUNKTIV_I_DE = frozenset(
    _words("""
    sei seien habe werde könne müsse solle wolle dürfe möge wisse gebe gehe komme liege
    stehe bleibe handle handele fehle brauche plane arbeite prüfe reiche drohe lasse sehe
    halte trage zahle führe stelle befinde verfüge rechne erwarte gelte laufe bestehe
    """)
)
# Words ending in -e that look like a Konjunktiv I but are not, or are idioms.
NOT_KONJUNKTIV_I_DE = frozenset(
    _words("""
    bitte gerne heute ohne alleine beide ende danke eine keine meine deine seine
    ihre unsere eure diese jene jede welche manche solche viele wenige andere alle etliche
    einige mehrere gerade lage weise
    """)
)

# Abbreviations whose full stop does not end a sentence (sentence splitting).
ABBREVIATIONS = {
    "de": frozenset(
        _words("""
        abb abs abschn abt allg anm art aufl bd bes best betr bsp bspw bzgl bzw ca chr dipl dr
        dt ehem eig eigtl einschl engl entspr erg ev evang evtl exkl franz gebr gegr gem ges
        ggf ggü hl hr hrsg inkl insb ing ital jh jhd jr kap kath kfm lfd lt mag max med min
        mind mio mrd mtl mwst nat nr näml od orig pkt prof rd sog sr st std str tel tsd urspr
        verh vgl vs zit zt zzgl zw
        """)
    ),
    "en": frozenset(
        _words("""
        adm al apr approx aug ave blvd capt cf cmdr col dec dept dr ed eds est feb fig ft gen
        gov hon jan jr jul jun lt messrs mr mrs ms mt nov oct pres prof rep rev sen sep sept
        sgt sr st vol vs
        """)
    ),
}
# Abbreviations that often end a sentence: split after them when the next word is capitalised.
FINAL_ABBREVIATIONS = frozenset(_words("etc usw usf inc corp ltd co plc llc bros ff"))

# Verbs that report a checkable event, by lemma.
STRONG_VERBS = {
    "de": frozenset(
        _words("""
        steigen sinken fallen wachsen schrumpfen verdoppeln halbieren beschließen verabschieden
        stimmen verhängen liefern ausliefern sammeln einsammeln beschäftigen verletzen töten
        übernehmen kaufen verkaufen entlassen streichen abbauen zahlen bezahlen melden verbuchen
        erzielen investieren verurteilen gewinnen verlieren eröffnen schließen starten einführen
        genehmigen verbieten ankündigen unterzeichnen erreichen verdienen veröffentlichen
        festnehmen anklagen klagen bieten akquirieren fusionieren erhöhen senken kürzen
        einstellen ernennen wählen treten liegen kommen modernisieren bauen errichten schaffen
        prüfen ermitteln untersuchen verlegen verlängern ersetzen vorstellen präsentieren
        gründen beantragen zulassen stoppen aussetzen zurücktreten vereinbaren einigen
        absagen verschieben blockieren ablehnen annullieren kündigen
        """)
    ),
    "en": frozenset(
        _words("""
        rise rose fall fell grow grew double halve pass vote fine raise ship employ injure kill
        acquire buy sell lay cut pay post earn invest sentence win won lose lost open close launch
        approve ban announce sign reach hit add generate deliver hire fire arrest charge sue bid
        merge increase decrease reduce appoint elect take took modernise modernize build plan
        create investigate probe relocate extend replace present unveil found file suspend
        withdraw resign agree halt stop step scrap cancel postpone block reject
        """)
    ),
}
