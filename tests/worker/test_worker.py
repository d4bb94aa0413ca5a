"""Tasks run in a real Celery worker against Redis: a ping, and the analysis of the demo."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from annotations import tasks
from annotations.models import Event
from tests.conftest import wait_for
from tests.factories import api_token


@pytest.mark.worker
def test_ping_task_runs_in_the_real_worker_and_writes_an_event(worker):
    tasks.ping.delay("hello from the test")
    event = wait_for(
        lambda: Event.objects.filter(verb="worker.ping", data__note="hello from the test").first(),
        message="the worker's ping event",
    )
    assert event.actor is None


@pytest.mark.worker
def test_the_demo_article_gets_its_suggestions_from_the_worker_after_an_upload(worker, editor):
    """The brief's sample: the shipped German demo, uploaded as a .txt file through the API.
    Within seconds the real worker has analysed it: the closing `Source / Quelle: Via` is
    suggested as a vague source and the hedged sentences as speculation."""
    demo = Path(tasks.__file__).parent / "demo" / "de.txt"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(editor)}")
    upload = SimpleUploadedFile("openai.txt", demo.read_bytes(), content_type="text/plain")
    response = client.post("/api/v1/articles/import/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    article = response.json()["id"]

    def suggestions():
        body = client.get(f"/api/v1/articles/{article}/suggestions/", {"page_size": 500}).json()
        return body["results"]

    found = wait_for(suggestions, timeout=20, message="the worker's suggestions for the demo")
    by_text = {(item["exact"], item["label"]): item for item in found}
    via = by_text[("Source / Quelle: Via", "source")]
    assert "vague" in {flag["code"] for flag in via["flags"]}
    speculation = {exact for exact, label in by_text if label == "speculation"}
    assert any("könnte" in exact for exact in speculation)
    assert any("angedeutet" in exact for exact in speculation)
