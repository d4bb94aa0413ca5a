"""The app's configuration."""

from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Fact-check annotations"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import change_triggers

        # SQLite loses a table's triggers when a migration rebuilds it: put the change
        # log's back after every migrate (annotations.change_triggers).
        post_migrate.connect(change_triggers.sqlite_reinstall, sender=self)
