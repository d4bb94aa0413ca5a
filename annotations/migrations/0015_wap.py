"""Web Annotation Protocol: the IRIs a client sends with an annotation (canonical, via),
notes on a whole article received through the protocol (PageNote), and their event verbs."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0014_evidence_archive"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="annotation",
            name="canonical",
            field=models.CharField(blank=True, default="", max_length=2000),
        ),
        migrations.AddField(
            model_name="annotation",
            name="via",
            field=models.CharField(blank=True, default="", max_length=2000),
        ),
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
                    ("suggestion_model.trained", "Suggestion model trained"),
                    ("suggestion_model.rolled_back", "Suggestion model rolled back"),
                    ("page_note.created", "Note on the article added"),
                    ("page_note.updated", "Note on the article edited"),
                    ("page_note.withdrawn", "Note on the article withdrawn"),
                    ("webhook.created", "Webhook subscription created"),
                    ("webhook.updated", "Webhook subscription changed"),
                    ("webhook.secret_rotated", "Webhook secret rotated"),
                    ("webhook.deleted", "Webhook subscription deleted"),
                    ("webhook.disabled", "Webhook subscription disabled"),
                    ("webhook.redelivered", "Webhook deliveries sent again"),
                    ("jobs.swept", "Background jobs swept"),
                    ("worker.ping", "Worker ping"),
                ],
                max_length=60,
            ),
        ),
        migrations.CreateModel(
            name="PageNote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("body", models.JSONField(blank=True, default=list)),
                ("target", models.JSONField(blank=True, default=dict)),
                ("canonical", models.CharField(blank=True, default="", max_length=2000)),
                ("via", models.CharField(blank=True, default="", max_length=2000)),
                ("is_withdrawn", models.BooleanField(default=False)),
                ("version", models.PositiveIntegerField(default=1)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="page_notes",
                        to="annotations.article",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="page_notes_created",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["article", "id"],
                "indexes": [models.Index(fields=["article", "id"], name="page_note_article")],
            },
        ),
    ]
