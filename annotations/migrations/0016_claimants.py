"""Claimants (issue 16): who made a claim, a person or an organisation with aliases, named on
claim spans; a claim suggestion's speaker; the claimant events."""

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0015_wap"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="suggestion",
            name="speaker",
            field=models.CharField(blank=True, default="", max_length=200),
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
                    ("claimant.created", "Claimant created"),
                    ("claimant.updated", "Claimant edited"),
                    ("claimant.merged", "Claimants merged"),
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
            name="Claimant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                (
                    "kind",
                    models.CharField(
                        choices=[("person", "Person"), ("organisation", "Organisation")],
                        max_length=20,
                    ),
                ),
                ("aliases", models.JSONField(blank=True, default=list)),
                ("url", models.CharField(blank=True, max_length=2000)),
                ("description", models.TextField(blank=True)),
                ("search_text", models.TextField(blank=True, default="", editable=False)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="claimants_created",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["name", "id"],
            },
        ),
        migrations.AddField(
            model_name="annotation",
            name="claimant",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="claims",
                to="annotations.claimant",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimant",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                models.F("kind"),
                name="claimant_name_unique_per_kind",
            ),
        ),
    ]
