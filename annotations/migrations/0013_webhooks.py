"""Outbound webhooks (issue 15): chiefs' subscriptions (URL, event types, signing secret)
and their deliveries, the outbox rows the worker sends in cursor order; the verbs of their
management. (The event verb choices list every verb of models.Event.Verb at the time.)"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0012_change_log"),
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
            name="WebhookSubscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.CharField(max_length=2000)),
                ("description", models.CharField(blank=True, max_length=200)),
                ("event_types", models.JSONField(default=list)),
                ("secret", models.CharField(max_length=100)),
                ("previous_secret", models.CharField(blank=True, max_length=100)),
                ("previous_secret_until", models.DateTimeField(blank=True, null=True)),
                ("is_active", models.BooleanField(default=True)),
                ("disabled_reason", models.CharField(blank=True, max_length=500)),
                ("failing_since", models.DateTimeField(blank=True, null=True)),
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
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["created_at", "id"]},
        ),
        migrations.CreateModel(
            name="WebhookDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("event_type", models.CharField(max_length=60)),
                ("message_id", models.CharField(max_length=64, unique=True)),
                ("payload", models.TextField()),
                ("txid", models.BigIntegerField(blank=True, null=True)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("sending", "Sending"),
                            ("delivered", "Delivered"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=20,
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("last_status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("last_duration_ms", models.PositiveIntegerField(blank=True, null=True)),
                ("last_response", models.TextField(blank=True)),
                ("last_error", models.TextField(blank=True)),
                ("delivered_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "event",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="annotations.event",
                    ),
                ),
                (
                    "subscription",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="annotations.webhooksubscription",
                    ),
                ),
            ],
            options={
                "ordering": ["txid", "id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("state__in", ["pending", "sending"])),
                        fields=["subscription", "txid", "id"],
                        name="webhook_delivery_unfinished",
                    ),
                    models.Index(
                        fields=["subscription", "created_at"], name="webhook_delivery_log"
                    ),
                ],
            },
        ),
    ]
