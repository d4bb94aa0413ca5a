"""Import an article from a .txt, .md or .html file (UTF-8)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotations import policy, selectors, services


class Command(BaseCommand):
    help = "Import an article file (.txt, .md, .html; UTF-8). Writes nothing on any error."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument("--title", default="")
        parser.add_argument("--language", default="")
        parser.add_argument("--source-url", default="")
        parser.add_argument("--outlet", default="")
        parser.add_argument(
            "--user", default="", help="username recorded as the importer (an editor or chief)"
        )

    def handle(
        self,
        *args,
        path: str,
        title: str,
        language: str,
        source_url: str,
        outlet: str,
        user: str,
        **options,
    ) -> None:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        actor = self._actor(user)
        try:
            payload = file.read_bytes()
            found_title, body = services.decode_upload(filename=file.name, payload=payload)
            article = services.article_create(
                actor=actor,
                title=title or found_title,
                body=body,
                language=language or None,
                source_url=source_url,
                outlet=outlet,
            )
        except services.ServiceError as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        self.stdout.write(
            f"imported article {article.pk}: {article.title} "
            f"({len(article.text):,} characters, language {article.language})"
        )

    def _actor(self, username: str):
        if username:
            actor = selectors.user_named(username)
            if actor is None:
                raise CommandError(f"unknown user '{username}'")
        else:
            # The first editor or chief; commands run by operators on the server.
            actor = selectors.first_editor()
            if actor is None:
                raise CommandError("no editor or chief exists; create one or pass --user")
        if not policy.can_edit_article(actor):
            raise CommandError(f"'{actor.username}' is not an editor or chief")
        return actor
