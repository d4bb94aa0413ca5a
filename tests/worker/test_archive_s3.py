"""The archive on an S3-compatible store, end to end: moto's S3 server on a loopback port,
the archive storage made by factcheck/settings.py from the ARCHIVE_S3_* variables a newsroom
sets, and the real worker fetching a real loopback site. The WARC file lands in the bucket,
`warcio` accepts the object as downloaded, the archived copy and the verdict's evidence
bundle are read back from the bucket, and a store that fails loses nothing else.

The session's worker is a thread of this process (tests/conftest.py), so the storage that
the test's settings name is the one it writes to; those settings are made from the
environment by a fresh interpreter, as a web process or worker reads them at start. The
last test runs the desk as a newsroom does: gunicorn and `celery -A factcheck worker` as
processes given the ARCHIVE_S3_* variables alone, driven over HTTP.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import httpx
import pytest
from django.core.files.storage import storages
from django.urls import reverse
from moto.server import ThreadedMotoServer
from rest_framework.test import APIClient

from annotations import bundle, services, warc
from annotations.models import Capture, SourceCheck
from tests import archive_support
from tests.archive_support import (
    CLAIM,
    SOURCE_PAGE,
    approve_with_evidence,
    finished,
    warcio,
)
from tests.background import worker_test
from tests.conftest import wait_for
from tests.factories import api_token
from tests.worker.test_faults import Desk, database_url, free_port, stop

site = archive_support.site

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-central-1"
PREFIX = "desk-archive"
ACCESS_KEY = "desk-archive-key"
SECRET_KEY = "desk-archive-secret"  # moto's server takes any key


@dataclass
class Bucket:
    """The bucket the archive storage writes to, and a client of our own to look in it."""

    name: str
    client: object

    def keys(self) -> list[str]:
        answer = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in answer.get("Contents", []))

    def download(self, key: str, folder: Path) -> Path:
        path = folder / key.rsplit("/", 1)[-1]
        self.client.download_file(self.name, key, str(path))
        return path


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """moto's S3-compatible server on a free loopback port; its endpoint URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def archive_environment(endpoint_url: str, bucket: str) -> dict[str, str]:
    """The variables the README tells a newsroom to set for an S3-compatible store."""
    return {
        "ARCHIVE_STORAGE": "s3",
        "ARCHIVE_S3_BUCKET": bucket,
        "ARCHIVE_S3_PREFIX": PREFIX,
        "ARCHIVE_S3_ENDPOINT_URL": endpoint_url,
        "ARCHIVE_S3_REGION": REGION,
        "ARCHIVE_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "ARCHIVE_S3_SECRET_ACCESS_KEY": SECRET_KEY,
    }


def archive_storage_from(variables: dict[str, str]) -> dict:
    """STORAGES["archive"] as factcheck/settings.py makes it from `variables`, read in a fresh
    interpreter (boto3's own AWS_* variables left out, so only ours can count)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ARCHIVE_"))}
    script = "import json, factcheck.settings as s; print(json.dumps(s.STORAGES['archive']))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, **variables},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def s3_archive(settings, endpoint_url: str, bucket: str) -> dict:
    """Point the archive storage at `bucket` through the documented variables. The settings
    fixture's change makes Django drop the storages it had made (django.test.signals)."""
    storage = archive_storage_from(archive_environment(endpoint_url, bucket))
    settings.STORAGES = {**settings.STORAGES, "archive": storage}
    return storage


@pytest.fixture
def new_bucket(s3_server) -> Bucket:
    """A new, empty bucket on the server."""
    name = f"desk-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return Bucket(name=name, client=client)


@pytest.fixture
def bucket(new_bucket, s3_server, settings) -> Bucket:
    """A new bucket, and this process's archive storage (the session worker's) pointed at it."""
    s3_archive(settings, s3_server, new_bucket.name)
    return new_bucket


@pytest.fixture(autouse=True)
def signing_key(settings) -> str:
    """A desk key of this test's own (the var/ file stays untouched)."""
    settings.BUNDLE_SIGNING_KEY = bundle.new_private_key_text()
    return settings.BUNDLE_SIGNING_KEY


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def verify(path: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m annotations.bundle verify`, as a reader runs it: no settings, no database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}
    return subprocess.run(
        [sys.executable, "-m", "annotations.bundle", "verify", str(path), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


# --- the settings ---------------------------------------------------------------------------


def test_the_documented_variables_make_a_private_s3_storage_without_a_custom_domain():
    storage = archive_storage_from(archive_environment("http://127.0.0.1:9", "desk-archive"))

    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "desk-archive",
            "location": PREFIX,
            "endpoint_url": "http://127.0.0.1:9",
            "region_name": REGION,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "default_acl": None,
            "file_overwrite": False,
            "custom_domain": None,
            "object_parameters": {"ContentType": "application/gzip"},
        },
    }


# --- the real flow --------------------------------------------------------------------------


@worker_test
def test_a_checked_source_is_archived_in_the_bucket_and_read_back_from_it(
    worker, site, bucket, editor, reviewer, chief, claim, tmp_path
):
    url = site.add("/beleg", SOURCE_PAGE)
    site.redirect("/kurz", "/beleg")

    verdict = approve_with_evidence(editor, reviewer, chief, claim, site.url("/kurz"))
    check = finished(verdict.evidence.get().checks.get())

    assert check.status == SourceCheck.Status.DONE
    capture = Capture.objects.get(checks=check)
    # One object, under the prefix, named as the capture row says.
    [key] = bucket.keys()
    assert key == f"{PREFIX}/{capture.warc_name}"
    head = bucket.client.head_object(Bucket=bucket.name, Key=key)
    assert head["ContentLength"] == capture.warc_size
    # The gzip members are the file itself, not a transfer encoding a reader would undo.
    assert head["ContentType"] == "application/gzip"
    assert "ContentEncoding" not in head
    # Private: the owner's grant and nobody else's.
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert grants[0]["Grantee"]["Type"] == "CanonicalUser"

    # warcio accepts the object as downloaded, and it is the file the row describes.
    path = bucket.download(key, tmp_path)
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == capture.warc_sha256
    checked = warcio("check", "-v", str(path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "digest pass" in checked.stdout
    assert "failed" not in checked.stdout
    index = warcio("index", "-f", "warc-type,warc-target-uri", str(path))
    assert index.returncode == 0, index.stderr
    assert [tuple(json.loads(line).values()) for line in index.stdout.splitlines()] == [
        ("warcinfo",),
        ("request", site.url("/kurz")),
        ("response", site.url("/kurz")),
        ("request", url),
        ("response", url),
        ("conversion", url),
    ]
    assert warc.read_response(data).body == SOURCE_PAGE.encode()

    # The archived copy: the page view renders the response read from the bucket.
    client = APIClient()
    client.force_login(reviewer)
    copy = reverse("annotations:evidence-archive", args=[check.evidence_id])
    text = client.get(copy)
    assert text.status_code == 200
    assert f'<mark class="archived-quote" id="passage">{CLAIM}</mark>' in text.content.decode()
    page = client.get(copy, {"view": "page"})
    assert page.status_code == 200
    assert "Die Opposition nannte die Summe zu klein" in page.content.decode()

    # The verdict's bundle carries the object's bytes and passes the verifying command.
    response = api(editor).get(f"/api/v1/verdicts/{verdict.pk}/bundle/")
    assert response.status_code == 200, response.content[:300]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.read(f"warc/capture-{capture.pk}.warc.gz") == data
    bundle_path = tmp_path / "bundle.zip"
    bundle_path.write_bytes(response.content)
    desk_key = tmp_path / "desk-key.json"
    desk_key.write_bytes(APIClient().get("/api/v1/bundle-key/").content)
    result = verify(bundle_path, "--public-key", str(desk_key))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"OK verdict {verdict.pk}: ")
    assert "1 file(s) match their SHA-256" in result.stdout


@worker_test
def test_a_recheck_of_an_unchanged_source_writes_nothing_new_to_the_bucket(
    worker, site, bucket, editor, claim
):
    url = site.add("/beleg", SOURCE_PAGE)
    evidence = services.evidence_add(actor=editor, annotation_id=claim.pk, url=url)
    first = finished(evidence.checks.get())
    [rerun] = services.source_checks_request(actor=editor, annotation_id=claim.pk)
    second = finished(rerun)

    assert first.capture_id == second.capture_id is not None
    assert len(bucket.keys()) == 1
    assert site.requests["/beleg"] == 2


# --- a store that fails ---------------------------------------------------------------------


@worker_test
def test_a_missing_bucket_leaves_the_check_done_without_an_archived_copy(
    worker, site, s3_server, settings, editor, claim
):
    s3_archive(settings, s3_server, f"nowhere-{uuid.uuid4().hex[:12]}")
    url = site.add("/beleg", SOURCE_PAGE)

    evidence = services.evidence_add(actor=editor, annotation_id=claim.pk, url=url)
    check = finished(evidence.checks.get())

    assert check.status == SourceCheck.Status.DONE
    assert check.capture_id is None
    assert check.quote_found is True
    assert Capture.objects.count() == 0


@worker_test
def test_an_unreachable_store_gives_503s_for_the_copy_and_the_bundle(
    worker, site, bucket, settings, editor, reviewer, chief, claim
):
    url = site.add("/beleg", SOURCE_PAGE)
    verdict = approve_with_evidence(editor, reviewer, chief, claim, url)
    check = finished(verdict.evidence.get().checks.get())
    assert check.capture_id is not None
    # The same bucket behind an endpoint where nothing answers (a port just closed).
    closed = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    closed.start()
    host, port = closed.get_host_and_port()
    closed.stop()
    s3_archive(settings, f"http://{host}:{port}", bucket.name)
    assert storages["archive"].endpoint_url == f"http://{host}:{port}"

    client = APIClient()
    client.force_login(reviewer)
    copy = reverse("annotations:evidence-archive", args=[check.evidence_id])
    page = client.get(copy, {"view": "page"})
    assert page.status_code == 503
    assert "The archived file cannot be read right now" in page.content.decode()
    # The text is kept in the database: the text view still answers.
    assert client.get(copy).status_code == 200
    response = api(editor).get(f"/api/v1/verdicts/{verdict.pk}/bundle/")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The archived files cannot be read right now; try again later."
    }


# --- the web app and a worker as a newsroom runs them ---------------------------------------


@pytest.fixture
def desk_processes(s3_server, new_bucket, site, celery_app, tmp_path) -> Iterator[str]:
    """gunicorn and `celery -A factcheck worker`, each started with the ARCHIVE_S3_* variables
    and nothing else of this process's settings (no AWS_* either), on a queue of their own;
    the web app's URL."""
    queue = f"{celery_app.conf.task_default_queue}-s3"
    signing_key = bundle.new_private_key_text()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ARCHIVE_"))},
        **archive_environment(s3_server, new_bucket.name),
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "FETCH_ALLOW_HOSTS": site.host_port,
        "BUNDLE_SIGNING_KEY": signing_key,
        "EMAIL_URL": "consolemail://",
    }
    port = free_port()
    commands = {
        "web": ["gunicorn", "factcheck.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        "worker": [
            *("celery", "-A", "factcheck", "worker", "--queues", queue, "--concurrency", "1"),
            *(
                "--hostname",
                f"s3-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
            ),
        ],
    }
    started: dict[str, tuple[subprocess.Popen, Path]] = {}
    for name, command in commands.items():
        log_path = tmp_path / f"{name}.log"
        with open(log_path, "w") as log:
            started[name] = (
                subprocess.Popen(
                    [sys.executable, "-m", *command],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                ),
                log_path,
            )
    url = f"http://127.0.0.1:{port}"

    def serving() -> bool:
        for process, log_path in started.values():
            assert process.poll() is None, log_path.read_text()[-3000:]
        try:
            return httpx.get(f"{url}/login/", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    wait_for(serving, timeout=60, message="gunicorn to serve")
    yield url
    for process, _ in started.values():
        stop(process)
    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)


@pytest.mark.django_db(transaction=True)
def test_a_web_app_and_worker_started_with_the_s3_variables_archive_to_the_bucket(
    desk_processes, new_bucket, site, editor, reviewer, chief, tmp_path
):
    url = site.add("/beleg", SOURCE_PAGE)
    as_editor = Desk(desk_processes, editor)
    article_id = as_editor.article("Schiene")
    span_id = as_editor.span(article_id, CLAIM)
    assigned = as_editor.post(f"/api/v1/annotations/{span_id}/assign/", {"reviewer": "reviewer"})
    assert assigned.status_code == 200, assigned.text
    verdict_id = Desk(desk_processes, reviewer).created(
        f"/api/v1/annotations/{span_id}/verdicts/",
        {
            "rating": "true",
            "rationale": "Die Mitteilung nennt die Summe.",
            "evidence": [{"url": url}],
        },
    )
    approved = Desk(desk_processes, chief).post(f"/api/v1/verdicts/{verdict_id}/approve/", {})
    assert approved.status_code == 200, approved.text

    check = finished(SourceCheck.objects.get(annotation_id=span_id), timeout=60)

    assert check.status == SourceCheck.Status.DONE
    capture = Capture.objects.get(checks=check)
    assert new_bucket.keys() == [f"{PREFIX}/{capture.warc_name}"]
    data = new_bucket.download(new_bucket.keys()[0], tmp_path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == capture.warc_sha256
    as_reviewer = Desk(desk_processes, reviewer).http
    page = as_reviewer.get(f"/evidence/{check.evidence_id}/archive/", params={"view": "page"})
    assert page.status_code == 200
    assert "Die Opposition nannte die Summe zu klein" in page.text
    response = as_editor.http.get(f"/api/v1/verdicts/{verdict_id}/bundle/")
    assert response.status_code == 200, response.text[:300]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.read(f"warc/capture-{capture.pk}.warc.gz") == data
    (tmp_path / "bundle.zip").write_bytes(response.content)
    (tmp_path / "key.json").write_bytes(httpx.get(f"{desk_processes}/api/v1/bundle-key/").content)
    result = verify(tmp_path / "bundle.zip", "--public-key", str(tmp_path / "key.json"))
    assert result.returncode == 0, result.stdout + result.stderr
