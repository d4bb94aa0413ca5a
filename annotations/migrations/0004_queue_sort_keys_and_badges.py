"""The queue's sort keys on Assignment, and distinct label badges.

- `Assignment.priority` and `checkworthiness` copy the annotation's (services.py keeps
  them in step), backfilled here with one UPDATE … FROM, which PostgreSQL and SQLite
  (3.33+) both run as a join rather than a subquery per row.
- Pending assignments of withdrawn annotations are closed, as `annotation_withdraw` does:
  the queue then needs no anti-join against withdrawn annotations.
- The queue's index is rebuilt to cover its page query (see models.Assignment), after the
  backfill so that it is built once.
- Labels get abbreviations for their badges: Speculation and Source no longer both show "S".
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

BACKFILL = """
UPDATE annotations_assignment
SET priority = an.priority, checkworthiness = an.checkworthiness
FROM annotations_annotation AS an
WHERE an.id = annotations_assignment.annotation_id
"""

ABBREVIATIONS = {
    # slug: (English, German), unique within each language
    "claim": ("C", "B"),
    "opinion": ("O", "M"),
    "speculation": ("Sp", "S"),
    "source": ("So", "Q"),
}


def close_withdrawn(apps, schema_editor):
    Assignment = apps.get_model("annotations", "Assignment")
    Assignment.objects.filter(state="pending", annotation__status="withdrawn").update(
        state="done", updated_at=timezone.now()
    )


def abbreviate_labels(apps, schema_editor):
    Label = apps.get_model("annotations", "Label")
    for slug, (english, german) in ABBREVIATIONS.items():
        Label.objects.filter(slug=slug, abbreviation="").update(
            abbreviation=english, abbreviation_de=german
        )


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0003_postgres_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="assignment",
            name="assignment_queue",
        ),
        migrations.AddField(
            model_name="assignment",
            name="checkworthiness",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="assignment",
            name="priority",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "Low"), (2, "Normal"), (3, "High"), (4, "Urgent")],
                db_default=2,
                default=2,
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunPython(close_withdrawn, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("state", "pending")),
                fields=[
                    "reviewer",
                    "-priority",
                    "due_at",
                    "checkworthiness",
                    "created_at",
                    "id",
                    "annotation",
                    "assigned_by",
                ],
                name="assignment_queue",
            ),
        ),
        migrations.AddField(
            model_name="label",
            name="abbreviation",
            field=models.CharField(blank=True, max_length=3),
        ),
        migrations.AddField(
            model_name="label",
            name="abbreviation_de",
            field=models.CharField(blank=True, max_length=3),
        ),
        migrations.RunPython(abbreviate_labels, migrations.RunPython.noop),
    ]
