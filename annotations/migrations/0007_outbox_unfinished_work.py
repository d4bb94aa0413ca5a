"""Give the work left unfinished before the outbox a job each, so that the outbox sweep
(which sends jobs, not rows of other tables) finishes it: source checks still `pending` or
`running`, and articles still `importing`. The sweep sends these jobs (never sent) once
they are FACTCHECK_STALE_CHECK_SECONDS old."""

from django.db import migrations


def adopt_unfinished_work(apps, schema_editor):
    Job = apps.get_model("annotations", "Job")
    SourceCheck = apps.get_model("annotations", "SourceCheck")
    Article = apps.get_model("annotations", "Article")
    checks = SourceCheck.objects.filter(status__in=["pending", "running"]).values_list(
        "pk", flat=True
    )
    imports = Article.objects.filter(status="importing").values_list("pk", flat=True)
    Job.objects.bulk_create(
        [Job(task="annotations.check_source", args=[pk]) for pk in checks.iterator()]
        + [Job(task="annotations.import_url", args=[pk]) for pk in imports.iterator()],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("annotations", "0006_auth_cache_table")]

    operations = [migrations.RunPython(adopt_unfinished_work, migrations.RunPython.noop)]
