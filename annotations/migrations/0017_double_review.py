"""Blind double review and the dashboard (issue 16): a claim for two reviewers, blind and
sealed verdicts, and when each span first reached each step (backfilled from its rows)."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def first_steps_backfill(apps, schema_editor):
    """When each existing span first reached each step, from its assignments and verdicts
    (the first proposal stands for `proposed`), in three set-based UPDATEs."""
    annotation = apps.get_model("annotations", "Annotation")
    assignment = apps.get_model("annotations", "Assignment")
    verdict = apps.get_model("annotations", "Verdict")

    def first(model, column, **where):
        rows = model.objects.filter(annotation=OuterRef("pk"), **where).order_by()
        return Subquery(rows.values("annotation").annotate(at=Min(column)).values("at")[:1])

    annotation.objects.update(
        first_assigned_at=first(assignment, "created_at"),
        first_proposed_at=first(verdict, "created_at"),
        first_approved_at=first(verdict, "decided_at", approved_revision__isnull=False),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0016_claimants"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="verdict",
            name="verdict_one_proposed_per_annotation",
        ),
        migrations.AddField(
            model_name="annotation",
            name="double_review",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="annotation",
            name="first_approved_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="annotation",
            name="first_assigned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="annotation",
            name="first_proposed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="verdict",
            name="is_blind",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="verdict",
            name="is_sealed",
            field=models.BooleanField(db_default=False, default=False),
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
                    ("double_review.requested", "Blind double review requested"),
                    ("verdict.proposed_blind", "Blind verdict proposed"),
                    ("double_review.revealed", "Blind verdicts revealed"),
                    ("double_review.decided", "Double review decided"),
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
        migrations.AddIndex(
            model_name="verdict",
            index=models.Index(
                condition=models.Q(("is_blind", True)),
                fields=["annotation", "id"],
                name="verdict_blind",
            ),
        ),
        migrations.AddConstraint(
            model_name="verdict",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_blind", False), ("status", "proposed")),
                fields=("annotation",),
                name="verdict_one_proposed_per_annotation",
            ),
        ),
        migrations.AddConstraint(
            model_name="verdict",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_blind", True), ("status", "proposed")),
                fields=("annotation", "author"),
                name="verdict_one_blind_proposal_per_reviewer",
            ),
        ),
        migrations.RunPython(first_steps_backfill, migrations.RunPython.noop),
    ]
