"""Shared pieces of the archive tests: a private archive storage, a source page with the
claim, a claim with an approved verdict, and the warcio command line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotations import services
from annotations.models import SourceCheck
from tests.conftest import wait_for
from tests.source_site import SourceSite, running_site

CLAIM = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
SOURCE_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Bund gibt Geld für die Schiene frei</title></head><body><article>
<h1>Bund gibt Geld für die Schiene frei</h1>
<p>Das Verkehrsministerium teilte am Mittwoch mit, dass insgesamt 4,2 Milliarden Euro für
den Ausbau der Schiene freigegeben wurden. Die Mittel fließen vor allem in den Osten.</p>
<p>Die Opposition nannte die Summe zu klein für das marode Netz der Bahn.</p>
<p>Der Verband der Pendler begrüßte die Entscheidung und forderte mehr Tempo.</p>
</article></body></html>
"""
CHANGED_PAGE = SOURCE_PAGE.replace("4,2 Milliarden", "3,9 Milliarden")
UNFINISHED = (SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING)
WARCIO = str(Path(sys.executable).with_name("warcio"))


@pytest.fixture
def archive_dir(settings, tmp_path) -> Path:
    """The archive storage in a folder of this test's own."""
    folder = tmp_path / "archive"
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def site(settings) -> Iterator[SourceSite]:
    """A source site the fetcher may reach (it is in FETCH_ALLOW_HOSTS)."""
    with running_site() as source:
        settings.FETCH_ALLOW_HOSTS = [source.host_port]
        settings.FACTCHECK_RETRY_BACKOFF_SECONDS = 0.05
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        yield source


def stored_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def warcio(*args: str) -> subprocess.CompletedProcess:
    """The warcio command line of the installed package."""
    return subprocess.run([WARCIO, *args], capture_output=True, text=True, timeout=60, check=False)


def finished(check: SourceCheck, timeout: float = 30.0) -> SourceCheck:
    return wait_for(
        lambda: SourceCheck.objects.exclude(status__in=UNFINISHED).filter(pk=check.pk).first(),
        timeout=timeout,
        message=f"check {check.pk} to finish",
    )


def approve_with_evidence(editor, reviewer, chief, claim, url: str):
    """Assign, propose with `url` as evidence, approve; returns the verdict."""
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="true",
        rationale="Das Ministerium bestätigt die Summe in seiner Mitteilung.",
        evidence=[services.EvidenceInput(url=url)],
    )
    return services.verdict_approve(actor=chief, verdict_id=verdict.pk)
