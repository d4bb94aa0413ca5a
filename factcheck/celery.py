import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@worker_process_init.connect
def _warm_up_cues(**_kwargs) -> None:
    """Load the cue rules' lemmatiser when a worker starts (1–4 s for German), before the
    pool forks, so no article's first suggestions wait for it."""
    from annotations import cues

    cues.warm_up()
