"""Speculation and opinion cue patterns for annotations/cues.py, as data.

Each row is (pattern, weight[, name]): a regular expression matched case-insensitively
(write `(?-i:…)` where case carries meaning), how sure one match alone makes the label
(0.5 suggests it; weaker cues only count together), and optionally a name shown instead of
the matched words ("soll … haben"); a row weaker than 0.5 with a name is a kind of weak cue
that counts once however often it matches, and shows its words. Pure data, no Django.
"""

from __future__ import annotations

from annotations.cue_lexicon import PERFORMANCE_NOUNS_EN, SURMISING_GROUPS_EN

__all__ = ["OPINION_CUES", "SPECULATION_CUES", "Row"]

Row = tuple[str, float] | tuple[str, float, str]

# Not right after one of SURMISING_GROUPS_EN (look-behinds must be of fixed width, one each).
_NOT_AFTER_GROUPS = "".join(rf"(?<!\b{group}\s)" for group in SURMISING_GROUPS_EN.split("|"))

SPECULATION_CUES: dict[str, tuple[Row, ...]] = {
    "de": (
        (r"\b(?:könnte|könnten|könntest|könntet)\b", 0.85),
        (r"\b(?:dürfte|dürften)\b", 0.85),
        (r"\b(?:würde|würden|würdest)\b", 0.7),
        (r"\b(?:müsste|müssten)\b", 0.6),
        # Not the counterfactual past ("hätte … müssen", "wäre … gewesen"; cues.py drops
        # "… zugetraut hätte"): a judgement of what was done, an opinion cue below.
        (
            r"\b(?:wäre|wären|hätte|hätten)\b"
            r"(?![^,.;:!?]{0,60}?\b(?:gewesen|dürfen|müssen|sollen|können)\b)",
            0.55,
        ),
        (r"\b(?:möglicherweise|womöglich|vermutlich|mutmaßlich|angeblich)\b", 0.85),
        (r"\b(?:wahrscheinlich|anscheinend)\b", 0.8),
        (r"\b(?:vielleicht|eventuell|voraussichtlich|offenbar|offenbart)\b", 0.75),
        (r"\bscheinbar\b", 0.6),
        (r"\bdenkbar\b|\bes\s+ist\s+möglich\b|\bnicht\s+auszuschließen\b", 0.7),
        (
            r"\b(?:erwarten(?!\s+(?:von|vom)\b)|prognostizieren|prognostiziert)\b"
            r"|\b(?:rechnen|rechnet|rechnete|rechneten|rechne)\s+(?:\w+\s+){0,3}?(?:da)?mit\b",
            0.6,
        ),
        # A reported plan without a date is a hedge: "soll im Frühjahr erfolgen" (but "soll
        # im Januar in Kraft treten" is a dated plan, a claim).
        (
            r"\bsoll(?:en)?\b[^,.;:!?]{0,40}?\b(?:im\s+(?:Frühjahr|Frühling|Sommer|Herbst"
            r"|Winter|Laufe\s+des)|in\s+Kürze|in\s+den\s+(?:kommenden|nächsten)\s+\w+|bald"
            r"|demnächst|zeitnah|später|irgendwann|möglichst\s+bald)\b",
            0.6,
        ),
        (r"\bes\s+gibt\s+(?:\w+\s+)?(?:Hinweise|Anzeichen|Indizien|Signale)\b", 0.7),
        (r"\b(?:Hinweise|Anzeichen|Indizien)\s+(?:darauf|dafür)\b", 0.7),
        (r"\bdem\s+Vernehmen\s+nach\b|\bVerlautbarungen\s+zufolge\b", 0.8),
        (r"\b(?:wird|werden)\b[^.;!?]{0,60}?\b(?:erwartet|gerechnet)\b", 0.7, "wird … erwartet"),
        (
            r"\b(?:lässt|ließ)\s+sich\s+(?:\w+\s+){0,2}?(?:noch\s+)?nicht\s+(?:sagen|absehen"
            r"|abschätzen|beurteilen|beziffern)\b|\b(?:ist|bleibt|war)\s+(?:noch\s+|bislang\s+"
            r"|bisher\s+)?(?:unklar|offen|ungewiss|fraglich)\b|\bbleibt\s+abzuwarten\b"
            r"|\b(?:noch\s+)?nicht\s+absehbar\b|\bsteht\s+(?:noch\s+)?nicht\s+fest\b",
            0.7,
        ),
        # Hearsay: "soll … gewusst haben", "soll … worden sein", "soll … geflohen sein";
        # not a plan: "soll … abgeschlossen werden", "soll … abgeschlossen sein".
        (
            r"\bsoll(?:en)?\b[^,.;:!?]{0,80}?(?:\b\w+(?:t|en)\s+haben|\b(?:worden|gewesen"
            r"|\w*ge(?:kommen|gangen|flohen|reist|storben|fahren|flogen|laufen|blieben))\s+sein)\b",
            0.85,
            "soll … haben",
        ),
        (r"\bangedeutet\b", 0.75),
        (r"\bdeutet(?:e|en)?\b[^.;!?]{0,60}?\ban\b", 0.75, "deutete … an"),
        (r"\b(?:Gerücht\w*|spekuliert\w*|Spekulation\w*)", 0.7),
        (r"\bnicht\s+ausgeschlossen\b", 0.7),
        # Not a demand: "erwarten von allen Beteiligten, dass sie …".
        (
            r"\berwart(?:et|en|e)\b(?!\s+(?:von|vom)\b)[^.;!?]{0,40}?\bdass\b",
            0.7,
            "erwartet, dass",
        ),
        (r"\bwird\s+erwartet\b", 0.7),
        (r"\b(?:droht|drohen)\b", 0.55),
        (r"^\s*Sollte(?:n)?\b", 0.6, "Sollte …"),
        # Surmises of the people named: "Die Ermittler vermuten, dass", "gehen davon aus",
        # "schließt nicht aus", "hält einen Rücktritt für möglich", "stellt in Aussicht".
        (r"\b(?:vermut|befürcht)(?:e|en|et|ete|eten)\b", 0.75),
        (
            r"\b(?:geh(?:t|en|e)|ging(?:en)?)\s+(?:\w+\s+){0,3}?davon\s+aus\b",
            0.75,
            "gehen davon aus",
        ),
        (
            r"\b(?:schlie(?:ß|ss)(?:t|en|e)?|schloss(?:en)?)\b[^.;!?]{0,60}?\bnicht\s+aus\b",
            0.75,
            "schließt … nicht aus",
        ),
        (
            r"\b(?:halte|halten|hält|hielt|hielten)\b[^.;!?,]{0,60}?\bfür\s+(?:\w+\s+)?"
            r"(?:möglich|wahrscheinlich\w*|unwahrscheinlich|(?:un)?realistisch|denkbar"
            r"|ausgeschlossen|fraglich)\b",
            0.75,
            "hält … für möglich",
        ),
        (r"\bin\s+Aussicht\b|\berwäg(?:t|en|e|te|ten)\b|\bin\s+Erwägung\b", 0.7),
        # An open question: "Ob …, ist offen", "Unklar ist, ob", "gilt als unsicher".
        (r"^\W*Ob\b[^.;:!?]{3,}?,(?!\s*ob\b)", 0.7, "Ob …,"),
        (r"\b(?:unklar|offen|fraglich|ungewiss)\s+(?:ist|bleibt|blieb),?\s+ob\b", 0.7),
        (r"\bblieb\s+(?:\w+\s+)?(?:unklar|offen|ungewiss)\b", 0.7),
        (
            r"\bgilt\b[^.;!?]{0,40}?\bals\s+(?:\w+\s+){0,3}?(?:wahrscheinlich\w*|unwahrscheinlich"
            r"|sicher|offen|denkbar|möglich|ausgeschlossen|fraglich|unsicher|ungewiss|Favorit\w*)\b",
            0.75,
            "gilt als …",
        ),
        (r"\bunwahrscheinlich\b", 0.75),
        (r"\bunrealistisch\b", 0.6),
        (
            r"\b(?:nicht|kein\w*)\s+(?:\w+\s+)?in\s+Sicht\b|\bsteht\s+(?:\w+\s+)?noch\s+aus\b"
            r"|\bin\s+weiter\s+Ferne\b|\bFrage\s+der\s+Zeit\b",
            0.7,
        ),
        (
            r"\b(?:kaum|nicht)\s+(?:mehr\s+|noch\s+)*(?:abzuwenden|auszuschließen|zu\s+erreichen"
            r"|zu\s+rechnen|zu\s+verhindern|zu\s+stoppen)\b",
            0.7,
        ),
        # "wohl" as a hedge ("wird wohl ausfallen"), not "sehr wohl", "sich wohl fühlen".
        (
            r"^(?![^.;!?]*\bfühl)[^.;!?]*?(?<!sehr\s)(?<!sich\s)(?-i:\bwohl\b)"
            r"(?!\s+(?:aber|oder|fühl\w*)\b)",
            0.6,
            "wohl",
        ),
        (r"(?<!wie\s)\berwartet\b(?!\s+(?:von|vom)\b)", 0.6),
        # Forecasts: "Laut Stauprognose wird es eng", "Am Sonntag wird es heiß".
        (r"\w*(?-i:[Pp]rognose)\w*|\b(?-i:wird)\s+es\b", 0.6),
        (
            r"\b(?:vieles|einiges|manches|alles|es)\s+spricht\s+(?:\w+\s+)?dafür\b"
            r"|\bspricht\s+(?:\w+\s+)?dafür,\s+dass\b|\bin\s+greifbare[rn]?\s+Nähe\b",
            0.7,
        ),
        (
            r"\bweiß\s+(?:\w+\s+)?niemand\b|\bnicht\s+(?:\w+\s+)?(?:gesagt|bekannt|entschieden)\b,?"
            r"\s+(?:wann|ob|wie|wer|warum)\b",
            0.7,
        ),
        # Weak alone, a hedge together (two of different kinds): an announced plan or intention,
        # an unconfirmed report, a date to come. "Laut Insidern will der Konzern …", "Das
        # Unternehmen kündigte an, bis 2027 … abzubauen", "soll bis zum Herbst 2026 …".
        (
            r"(?-i:\b(?:will|wolle|wollen|soll|sollen)\b)|\b(?:plant|planen|plante|planten)\b"
            r"|\bkündig(?:t|te|ten|en)\b[^.;!?]{0,80}?\ban\b|\bprüf(?:t|e|en)\b"
            r"|\bverhandel(?:t|n)\b|\barbeite[tn]\s+(?:\w+\s+){0,3}?an\s+(?:einem|einer|einen|der|dem|den)\b"
            r"|\bsteh(?:t|en)\s+(?:\w+\s+){0,3}?(?:kurz\s+)?vor\s+(?:einem|einer|dem|der)\b",
            0.35,
            "a plan",
        ),
        (
            r"\bInsider(?:n|kreisen)?\b|\bnach\s+(?:ersten\s+)?"
            r"(?:Informationen|Erkenntnissen)\b|\bheißt\s+es\b|\bparteiintern\b|\bverlautet\w*"
            r"|\b\w*(?:Regierungs|Partei|Fraktions|Koalitions|Branchen|Finanz|Unternehmens"
            r"|Sicherheits|Verhandlungs|Ermittler|Diplomaten|Verbands|Vereins|Konzern|Militär)kreise[n]?\b"
            r"|\b(?:informierten|aus)\s+Kreisen\b"
            r"|\bzu\s+hören\b|\bunter\s+Berufung\s+auf\b|\bwie\s+[^,.;]{0,40}?\bberichte[nt]\b",
            0.35,
            "a report",
        ),
        (
            r"\bbis\s+(?:zum\s+|zur\s+)?(?:(?:Ende|Mitte|Anfang|Frühjahr|Sommer|Herbst|Winter)\s+)?"
            r"20[2-9]\d\b|\bab\s+20[2-9]\d\b|\b(?:im|zum|in\s+den|bis\s+zum)\s+(?:kommenden|nächsten)\b"
            r"|\bnoch\s+(?:in\s+diesem|in\s+dieser|vor\s+der|vor\s+dem|heute)\b|\bvorerst\b",
            0.35,
            "a date to come",
        ),
    ),
    "en": (
        (
            r"\bcould\b(?!\s+not\s+(?:immediately\s+)?(?:say|confirm|comment|be\s+reached"
            r"|provide|verify|determine|find|identify|disclose|specify|give))",
            0.8,
        ),
        # Case-sensitive: "may" is a hedge, "May" a month unless it starts the sentence.
        (r"(?-i:\bmay\b|^May\b(?!\s+\d))", 0.75),
        (r"\bmight\b", 0.8),
        (r"\bwould\b", 0.6),
        (r"\b(?:is|are|was|were|be|been)\s+(?:widely\s+)?expected\s+to\b", 0.8),
        (r"\b(?:is|are|was|were)\s+(?:un)?likely\s+to\b", 0.8),
        (r"\b(?:possibly|probably|presumably|reportedly|allegedly|purportedly)\b", 0.85),
        (r"\b(?:perhaps|apparently|likely|unlikely)\b", 0.7),
        (r"\bmaybe\b", 0.6),
        (r"\b(?:expects?|predicts?|forecasts?)\b", 0.6),
        (r"\bit\s+is\s+(?:possible|conceivable)\b", 0.7),
        (r"\brumou?r(?:ed|s)?\b", 0.8),
        (r"\b(?:is|are|was|were)\s+said\s+to\b", 0.8),
        (r"\b(?:appears?|seems?)\s+to\b", 0.6),
        (r"\b(?:hinted|signall?ed)\b", 0.6),
        (r"\bspeculat\w+", 0.7),
        (r"\b(?:unconfirmed|alleged)\b", 0.7),
        (r"(?:\bnot|\bcannot|n't)\s+(?:be\s+|been\s+)?rul(?:ed|e)\s+out\b", 0.7),
        (r"\b(?:slated|projected|poised|tipped|forecast)\s+to\b", 0.7),
        (
            r"\b(?:remains|remain)\s+to\s+be\s+seen\b|\btoo\s+(?:early|soon)\s+to\s+(?:say|tell)\b",
            0.75,
        ),
        (
            r"\b(?:it\s+is|it\s+was|it\s+remains|remains|remained|is\s+still|was\s+still)"
            r"\s+(?:not\s+yet\s+clear|unclear|uncertain)\b|\bnot\s+(?:yet\s+)?clear\s+(?:whether|if|when|how)\b",
            0.7,
        ),
        (r"\bthere\s+(?:are|were|is|was)\s+(?:\w+\s+)?(?:signs|indications|hints)\b", 0.7),
        (r"\b(?:is|are|was|were)\s+(?:widely\s+)?(?:believed|thought|understood)\s+to\b", 0.75),
        # Surmises of investigators and experts: "Police believe", "Scientists suspect that".
        (
            rf"\b(?:{SURMISING_GROUPS_EN})\s+(?:\w+\s+)?(?:believe|suspect|fear|think)s?\b"
            r"|\bsuspects?\s+that\b",
            0.75,
        ),
        # An open question: "Whether … remains to be seen", "The motive remains unknown".
        (r"^\W*Whether\b", 0.7, "Whether …"),
        (
            r"\b(?:not\s+(?:yet|immediately)\s+(?:known|clear)|remains?\s+unknown|open\s+question"
            r"|anyone's\s+guess|far\s+from\s+(?:certain|clear)|doubtful)\b",
            0.7,
        ),
        (
            r"\bno\s+(?:\w+\s+)?in\s+sight\b|\bnot\s+in\s+sight\b"
            r"|\bno\s+(?:official\s+)?confirmation\s+(?:yet|so\s+far)\b",
            0.7,
        ),
        (r"(?<!as\s)(?<!if\s)(?<!where\s)(?<!made\s)\bpossible\b(?!\s+to\b)", 0.6),
        (
            r"\b(?:investigating|examining|checking|assessing|weighing|deciding|determine|show)"
            r"\s+whether\b|\bprojected\b|\bwithin\s+reach\b",
            0.6,
        ),
        (
            r"\b(?:many|some|several|all|the)\s+signs\s+(?:suggest|point|indicate)\b"
            r"|\b(?:a|some|every)\s+(?:real\s+|good\s+|strong\s+|fair\s+)?chance\s+(?:that|of)\b"
            r"|\bthere\s+is\s+a\s+(?:\w+\s+)?chance\b",
            0.7,
        ),
        (
            r"\b(?:not|n't)\s+(?:yet\s+)?(?:said|known|decided)\s+(?:when|whether|if|how"
            r"|who|why|what)\b|\bnobody\s+(?:yet\s+)?knows\b",
            0.7,
        ),
        # Intentions not yet carried out: "hopes to reopen", "is considering", "in talks to".
        (r"\b(?:hopes?|aims?|intends?|aiming|hoping)\s+to\b", 0.6),
        (r"\b(?:is|are|was|were)\s+(?:\w+\s+)?considering\b|\bleaning\s+towards?\b", 0.7),
        (r"\bin\s+talks\s+(?:to|with|over|about)\b|\bclosing\s+in\s+on\b", 0.6),
        (
            r"\b(?:is|are|was|were)\s+(?:set|due)\s+(?:to|for)\s+"
            r"(?!(?:appear|face|stand|the|a|an|its|his|her|their)\b)",
            0.6,
            "is set to",
        ),
        # Weak alone, a hedge together: a plan, an unconfirmed report, a date to come.
        (r"\bplans?\s+to\b|\bpreparing\b|\bworking\s+on\b", 0.35, "a plan"),
        (
            r"\bpeople\s+(?:familiar|close|briefed)\b|\bsources\s+(?:close|familiar|said)\b"
            r"|\binsiders?\b|\breports?\s+that\b|\bciting\s+(?:people|sources)\b",
            0.35,
            "a report",
        ),
        (
            r"\bby\s+(?:the\s+end\s+of\s+)?(?:20[2-9]\d|next\s+\w+)\b|\bnext\s+(?:year|week|month"
            r"|fall|spring|summer|winter|season)\b|\bin\s+the\s+coming\b",
            0.35,
            "a date to come",
        ),
    ),
}

OPINION_CUES: dict[str, tuple[Row, ...]] = {
    "de": (
        (r"\b(?:glaubt|glauben|glaube|glaubte|glaubten)\b", 0.75),
        (
            r"\b(?:ist|sind|bin|war|waren|zeigt\s+sich|zeigte\s+sich)\s+(?:\w+\s+){0,2}?überzeugt\b",
            0.8,
        ),
        (r"\b(?:meint|meinen|meinte|meinten|meine)\b(?=\s*[,:]|\s+dass\b)", 0.75),
        (r"\b(?:ich|wir)\s+(?:finde|finden|denke|denken|meine|meinen)\b", 0.8),
        # Not a surmise: "hält einen Rücktritt für möglich" is speculation.
        (
            r"\b(?:halte|halten|hält|hielt|hielten)\b[^.;!?,]{0,60}?\bfür\s+(?!(?:\w+\s+)?"
            r"(?:möglich|wahrscheinlich\w*|unwahrscheinlich|(?:un)?realistisch|denkbar"
            r"|ausgeschlossen|fraglich)\b)\w+",
            0.7,
            "hält … für",
        ),
        (r"\b(?:meiner|unserer)\s+(?:Meinung|Ansicht|Auffassung|Einschätzung)\s+nach\b", 0.9),
        (r"\baus\s+(?:meiner|unserer)\s+Sicht\b", 0.85),
        (r"\bhöchste\s+Zeit\b", 0.85),
        (r"\b(?:leider|glücklicherweise|bedauerlicherweise|erfreulicherweise)\b", 0.7),
        (r"\bzum\s+Glück\b", 0.7),
        (
            r"\b(?:ist|war|wäre|sei|bleibt|sind|waren)\b(?:\s+[\w-]+){0,4}?\s+(?:ein|eine)\s+"
            r"(?:\w+\s+)?(?:Fehler|Skandal|Armutszeugnis|Katastrophe|Desaster|Farce|Meilenstein"
            r"|Glücksfall|Zumutung|Affront|Trauerspiel|Schlag\s+ins\s+Gesicht)\b",
            0.8,
            "ist … ein Fehler",
        ),
        (r"\b(?:ich|wir|man)\s+(?:\w+\s+){0,2}?hoffen\b|\bbleibt\s+zu\s+hoffen\b", 0.75),
        (r"\b(?:ein|eine)\s+historische[rn]?\s+(?:Tag|Schritt|Moment|Entscheidung|Chance)\b", 0.7),
        (r"\bkritisier(?:t|te|ten|en)\b", 0.55),
        # Lowercase only: a sentence-initial "Sollte …" is a condition (speculation).
        (r"\b(?-i:sollte|sollten)\b", 0.55),
        # Demands: "muss endlich handeln", "darf nicht länger zusehen".
        (
            r"\b(?:muss|müssen|müsste|müssten)\b[^.;!?]{0,60}?\b(?:endlich|sofort|jetzt|dringend"
            r"|unbedingt|schleunigst|umgehend|nun|mehr\s+tun)\b",
            0.75,
            "muss endlich",
        ),
        (
            r"\bdarf\s+(?:\w+\s+)?nicht\s+(?:länger|mehr|sein)\b|\bes\s+ist\s+an\s+der\s+Zeit\b",
            0.75,
        ),
        (r"\bgehör(?:t|en)\s+(?:\w+\s+){0,3}?(?:abgeschafft|verboten|gestoppt|bestraft)\b", 0.75),
        (r"\b(?:muss|müssen)\b", 0.4),
        # The counterfactual past judges what was done: "hätte nie eröffnet werden dürfen",
        # "wäre ehrlicher gewesen"; and a demand: "erwarten von allen, dass".
        (
            r"\b(?:wäre|wären|hätte|hätten)\b[^,.;:!?]{0,60}?\b(?:gewesen|dürfen|müssen|sollen)\b",
            0.6,
            "hätte … müssen",
        ),
        (r"\berwart(?:e|en|et)\s+(?:von|vom)\b[^.;!?]{0,60}?\bdass\b", 0.6, "erwarten von … dass"),
        # Intensified judgements: "schlicht dramatisch", "geradezu absurd".
        (r"\b(?:schlicht|schlichtweg|geradezu|schlechterdings|regelrecht)\s+\w+", 0.35),
    ),
    "en": (
        # Not a surmise: "Police believe the fire was started deliberately" is speculation.
        (rf"{_NOT_AFTER_GROUPS}\b(?:believes?|believed)\b", 0.75),
        (r"\b(?:I|we)\s+(?:think|feel|believe|find)\b", 0.85),
        (r"\bthinks\b", 0.7),
        (r"\b(?:is|are|was|were|remains?)\s+(?:\w+\s+)?convinced\b", 0.8),
        (r"\bin\s+(?:my|our)\s+(?:view|opinion)\b|\bto\s+my\s+mind\b", 0.9),
        (r"\b(?:argues?|argued)\b", 0.6),
        (
            r"\b(?:clearly|obviously|frankly|undoubtedly|unfortunately|fortunately|sadly"
            r"|arguably|surely)\b",
            0.7,
        ),
        (r"\bhigh\s+time\b", 0.85),
        (r"\b(?:good|bad|great)\s+news\b", 0.7),
        (
            r"\b(?:is|was|are|were|has\s+been|have\s+been|would\s+be|remains)\b(?:\s+[\w-]+){0,4}?"
            r"\s+an?\s+(?:\w+\s+)?(?:mistake|scandal|disgrace|disaster|farce|milestone|blunder"
            r"|embarrassment|slap\s+in\s+the\s+face)\b",
            0.8,
            "is … a mistake",
        ),
        (r"\b(?:I|we|one)\s+(?:\w+\s+){0,2}?hope\b|\blet'?s\s+hope\b", 0.75),
        (r"\ba\s+historic\s+(?:day|step|moment|decision|opportunity)\b", 0.7),
        (r"\b(?:should|ought\s+to)\b", 0.55),
        (r"\bcriticis(?:ed|es)\b|\bcriticiz(?:ed|es)\b", 0.55),
        # Demands: "must finally act", "must act now".
        (
            r"\bmust\b(?:\s+\w+){0,3}?\s+(?:finally|now|immediately|urgently|at\s+once)\b"
            r"|\bmust\s+(?:act|stop|end|do\s+more|step\s+up|be\s+held|not\s+be\s+allowed|never)\b",
            0.75,
            "must finally",
        ),
        (r"\bit\s+is\s+time\s+(?:for|to)\b|\benough\s+is\s+enough\b", 0.75),
        (r"\bmust\b(?!\s+have\b)", 0.4),
        (
            r"\ba\s+(?:weak|strong|poor|lame|solid|fine|sorry|dismal|bold|timid)\s+"
            rf"(?:{PERFORMANCE_NOUNS_EN})\b",
            0.7,
        ),
        (r"\b(?:simply|downright|utterly)\s+\w+", 0.35),
    ),
}
