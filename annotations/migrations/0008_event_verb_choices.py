"""Event.verb becomes a choice of Event.Verb (the values are the strings stored so far, so
every row stays valid; choices are not a database constraint), and UserPreference holds the
language of each user's emails."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0007_outbox_unfinished_work"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="verb",
            field=models.CharField(
                choices=[
                    ("article.created", "Article created"),
                    ("article.import_requested", "Import requested"),
                    ("article.imported", "Article imported"),
                    ("article.import_failed", "Import failed"),
                    ("article.updated", "Article edited"),
                    ("article.analysed", "Article analysed"),
                    ("article.warning_acknowledged", "Warning acknowledged"),
                    ("article.published", "Article published"),
                    ("article.corrected", "Published verdict corrected"),
                    ("article.withdrawn", "Article withdrawn"),
                    ("article.archived", "Article archived"),
                    ("article.restored", "Article restored"),
                    ("annotation.created", "Span marked"),
                    ("annotation.updated", "Span edited"),
                    ("annotation.withdrawn", "Span withdrawn"),
                    ("annotation.fuzzy", "Span moved by a text change"),
                    ("annotation.orphaned", "Span orphaned by a text change"),
                    ("annotation.assigned", "Span assigned"),
                    ("assignment.declined", "Assignment declined"),
                    ("verdict.proposed", "Verdict proposed"),
                    ("verdict.approved", "Verdict approved"),
                    ("verdict.rejected", "Verdict rejected"),
                    ("verdict.set_aside", "Verdict set aside"),
                    ("evidence.added", "Evidence added"),
                    ("evidence.reused", "Evidence reused"),
                    ("evidence.removed", "Evidence removed"),
                    ("evidence.health", "Evidence flagged"),
                    ("evidence.recheck_requested", "Evidence recheck"),
                    ("comment.added", "Comment added"),
                    ("source_check.requested", "Source check requested"),
                    ("source_check.finished", "Source check finished"),
                    ("suggestion.accepted", "Suggestion accepted"),
                    ("suggestion.dismissed", "Suggestion dismissed"),
                    ("jobs.swept", "Background jobs swept"),
                    ("worker.ping", "Worker ping"),
                ],
                max_length=60,
            ),
        ),
        migrations.CreateModel(
            name="UserPreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("language", models.CharField(max_length=10)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="preference",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
