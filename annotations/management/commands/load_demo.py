"""Demo users and two pre-annotated articles (German and English). Idempotent."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from annotations import selectors, services
from annotations.models import Annotation, Article

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
USERS = [
    ("editor", ["editor"]),
    ("reviewer", ["reviewer"]),
    ("reviewer2", ["reviewer"]),
    ("chief", ["chief", "editor"]),
]
EVIDENCE_BID = "https://example.org/openai-bid-letter"
EVIDENCE_VALUATION = "https://example.org/openai-funding-round"


def _span(body: str, quote: str) -> tuple[int, int]:
    start = body.index(quote)
    return start, start + len(quote)


class Command(BaseCommand):
    help = "Create the demo users (editor, reviewer, reviewer2, chief) and demo articles."

    def handle(self, *args, **options) -> None:
        password = os.environ.get("DEMO_PASSWORD", "demo")
        users = self._users(password)
        created = []
        for name, builder in (("de.txt", self._german), ("en.txt", self._english)):
            title, body = self._read(name)
            if selectors.article_titled(title):
                continue
            with transaction.atomic():
                article = services.article_create(
                    actor=users["editor"],
                    title=title,
                    body=body,
                    language=name[:2],
                    outlet="Demo-Agentur" if name.startswith("de") else "Demo Wire",
                    source_url="",
                )
                builder(article, users)
            created.append(article.title)
        for title in created:
            self.stdout.write(f"created demo article: {title}")
        if not created:
            self.stdout.write("demo data already present; nothing changed")
        self.stdout.write("demo users: editor, reviewer, reviewer2, chief — password: " + password)

    def _users(self, password: str) -> dict:
        users = {}
        for username, groups in USERS:
            users[username], _made = services.user_ensure(
                username=username,
                email=f"{username}@example.org",
                roles=list(groups),
                password=password,
            )
        return users

    def _read(self, name: str) -> tuple[str, str]:
        raw = (DEMO_DIR / name).read_text(encoding="utf-8")
        title, _, body = raw.partition("\n")
        return title.strip(), body.strip("\n") + "\n"

    def _annotate(
        self, article: Article, user, label: str, quote: str, note: str = ""
    ) -> Annotation:
        start, end = _span(article.text, quote)
        return services.annotation_create(
            actor=user,
            article_id=article.pk,
            label=label,
            start=start,
            end=end,
            exact=quote,
            note=note,
        )

    def _german(self, article: Article, users: dict) -> None:
        editor, chief = users["editor"], users["chief"]
        bid = self._annotate(
            article,
            editor,
            "claim",
            "hat nach eigenen Angaben 97,4 Milliarden US-Dollar für die Kontrolle über den "
            "ChatGPT-Entwickler OpenAI geboten",
            "Betrag und Bieter gegen das Schreiben der Anwälte prüfen.",
        )
        valuation = self._annotate(
            article,
            editor,
            "claim",
            "Die Bewertung von OpenAI war zuletzt bei einer Finanzierungsrunde auf 157 Milliarden "
            "Dollar gestiegen",
        )
        self._annotate(
            article,
            editor,
            "speculation",
            "Der Verwaltungsrat könnte das Angebot dennoch prüfen müssen",
        )
        self._annotate(
            article,
            editor,
            "speculation",
            "der die geplante Umwandlung in ein gewinnorientiertes Unternehmen "
            "deutlich verteuern dürfte",
        )
        # Overlaps the speculation above: an evaluation inside a hedged sentence.
        self._annotate(
            article,
            editor,
            "opinion",
            "Beobachter halten das Gebot für einen geschickten Schachzug, "
            "der die geplante Umwandlung",
        )
        self._annotate(
            article, editor, "opinion", "Für die Branche ist der Streit jedenfalls spannend."
        )
        self._annotate(
            article,
            editor,
            "source",
            "Source / Quelle: Via",
            "Nennt keine Quelle: Agentur oder Medium fehlen.",
        )
        services.annotation_assign(actor=editor, annotation_id=bid.pk, reviewer=users["reviewer"])
        proposed = services.verdict_propose(
            actor=users["reviewer"],
            annotation_id=bid.pk,
            rating="true",
            rationale="Das Angebot über 97,4 Mrd. USD ist durch das Schreiben der Anwälte belegt.",
            evidence=[
                services.EvidenceInput(url=EVIDENCE_BID, title="Schreiben an den Verwaltungsrat")
            ],
        )
        services.verdict_approve(actor=chief, verdict_id=proposed.pk, note="Belege geprüft.")
        services.annotation_assign(
            actor=editor, annotation_id=valuation.pk, reviewer=users["reviewer2"]
        )
        services.verdict_propose(
            actor=users["reviewer2"],
            annotation_id=valuation.pk,
            rating="mostly-true",
            rationale="Die Runde im Oktober bewertete OpenAI mit 157 Mrd. USD; die Zahl stimmt.",
            evidence=[services.EvidenceInput(url=EVIDENCE_VALUATION, title="Finanzierungsrunde")],
        )

    def _english(self, article: Article, users: dict) -> None:
        editor = users["editor"]
        budget = self._annotate(
            article,
            editor,
            "claim",
            "approved a transport budget of 412 million euros, the largest in the city's history "
            "and 18 percent more than last year",
            "Compare with last year's adopted budget.",
        )
        self._annotate(
            article,
            editor,
            "speculation",
            "the regional government may cut its own subsidy next year",
        )
        self._annotate(article, editor, "source", "According to people familiar with the matter")
        self._annotate(article, editor, "opinion", "clearly unrealistic in its timing")
        self._annotate(
            article,
            editor,
            "source",
            "Source: City council press release, https://example.org/council/budget-2026",
        )
        services.annotation_assign(
            actor=editor, annotation_id=budget.pk, reviewer=users["reviewer"]
        )
