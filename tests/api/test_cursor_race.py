"""The sync cursor under concurrent writers: a transaction that commits late is never
passed over, and a reader following the cursor while many writers run ends with exactly
the rows of the database, every version of every annotation seen."""

import itertools
import json
import random
import threading
import time
import urllib.request
from collections import defaultdict

import pytest
from django.db import connection, transaction

from annotations import changes, services
from annotations.models import Annotation, Change
from tests.conftest import wait_for
from tests.factories import api_token, make_annotation, make_article

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 6
WRITING_SECONDS = 5.0
WORDS = 400


def test_a_change_committed_late_is_not_passed_over(editor):
    slow_article, fast_article = make_article(editor), make_article(editor)
    start = changes.read("", limit=changes.MAX_PAGE).position
    written, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                make_annotation(editor, slow_article, "Schiene")
                written.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert written.wait(timeout=30)
    fast = make_annotation(editor, fast_article, "Schiene")  # committed now
    slow_change_ids = None
    try:
        # The fast writer's rows have the higher ids: a cursor by id (or by time) would
        # read them now and then never see the slow writer's rows below them.
        page = changes.read(start, kinds=["annotation"])
        assert page.changes == []
        assert page.position == start
    finally:
        release.set()
        thread.join(timeout=30)
    slow = Annotation.objects.exclude(pk=fast.pk).get(article=slow_article)
    slow_change_ids = list(
        Change.objects.filter(kind="annotation", object_id=slow.pk).values_list("id", flat=True)
    )
    fast_change_ids = list(
        Change.objects.filter(kind="annotation", object_id=fast.pk).values_list("id", flat=True)
    )
    assert max(slow_change_ids) < min(fast_change_ids)
    page = changes.read(start, kinds=["annotation"])
    assert [change.object_id for change in page.changes] == [slow.pk, fast.pk]


class Writer(threading.Thread):
    """Creates, edits and withdraws annotations on its own article through the services,
    sometimes several in one longer transaction, until the deadline."""

    def __init__(self, actor, article_id: int, deadline: float, seed: int) -> None:
        super().__init__()
        self.actor, self.article_id, self.deadline = actor, article_id, deadline
        self.random = random.Random(seed)
        self.live: list[int] = []
        self.next_word = 0
        self.writes = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline and self.next_word < WORDS - 3:
                if self.random.random() < 0.3:
                    with transaction.atomic():  # one transaction, several changes
                        for _step in range(self.random.randint(2, 4)):
                            self.step()
                else:
                    self.step()
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            connection.close()

    def step(self) -> None:
        roll = self.random.random()
        if roll < 0.45 or not self.live:
            start = self.next_word * 8
            self.next_word += 1
            annotation = services.annotation_create(
                actor=self.actor,
                article_id=self.article_id,
                label="claim",
                start=start,
                end=start + 7,
            )
            self.live.append(annotation.pk)
        elif roll < 0.85:
            services.annotation_update(
                actor=self.actor,
                annotation_id=self.random.choice(self.live),
                changes={"note": f"note {self.random.random()}"},
                expected_version=None,
            )
        else:
            pk = self.live.pop(self.random.randrange(len(self.live)))
            services.annotation_withdraw(actor=self.actor, annotation_id=pk)
        self.writes += 1


def _get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_a_reader_following_the_cursor_during_many_writers_ends_with_the_database(
    editor, live_server
):
    # Words of seven letters and a space: span n is [8n, 8n + 7).
    body = " ".join(f"wort{n:03d}" for n in range(WORDS))
    articles = [make_article(editor, body=body).pk for _writer in range(WRITERS)]
    start = changes.read("", limit=changes.MAX_PAGE).position
    token = api_token(editor)
    deadline = time.monotonic() + WRITING_SECONDS
    writers = [Writer(editor, article, deadline, seed) for seed, article in enumerate(articles)]
    done = threading.Event()

    # Reader 1: the reader function, every change row with its version.
    rows_seen: list[Change] = []
    # Reader 2: the API over HTTP, each annotation as it is now or a tombstone.
    api_state: dict[int, object] = {}
    api_cursor = [changes.encode(start)]

    def read_log() -> None:
        position = start
        try:
            while not done.is_set():
                page = changes.read(position, kinds=["annotation"], limit=200)
                rows_seen.extend(page.changes)
                position = page.position
        finally:
            connection.close()

    def read_api(cursor: str) -> str:
        while True:
            answer = _get(
                f"{live_server.url}/api/v1/annotations/?cursor={cursor}&page_size=100", token
            )
            for item in answer["results"]:
                api_state[item["id"]] = "gone" if item["deleted"] else item["object"]["version"]
            cursor = answer["next_cursor"]
            if not answer["has_more"]:
                return cursor

    def follow_api() -> None:
        while not done.is_set():
            api_cursor[0] = read_api(api_cursor[0])

    readers = [threading.Thread(target=read_log), threading.Thread(target=follow_api)]
    for thread in [*writers, *readers]:
        thread.start()
    for writer in writers:
        writer.join(timeout=60)
    assert [writer.error for writer in writers] == [None] * WRITERS

    # The writers have committed; the readers catch up with every row they wrote.
    logged = set(
        Change.objects.filter(
            kind="annotation",
            object_id__in=Annotation.objects.filter(article_id__in=articles).values("id"),
        ).values_list("id", flat=True)
    )
    wait_for(lambda: {row.pk for row in rows_seen} >= logged, message="the log reader")
    done.set()
    for thread in readers:
        thread.join(timeout=60)
    api_cursor[0] = read_api(api_cursor[0])

    # Each change row once, none missing.
    seen_ids = [row.pk for row in rows_seen]
    assert len(seen_ids) == len(set(seen_ids))
    assert set(seen_ids) == set(
        Change.objects.filter(kind="annotation")
        .exclude(txid__lt=start.txid)
        .exclude(txid=start.txid, id__lte=start.change_id)
        .values_list("id", flat=True)
    )
    # Every version of every annotation, and the last change says whether it is live.
    versions: dict[int, set[int]] = defaultdict(set)
    last_op: dict[int, str] = {}
    for row in rows_seen:
        versions[row.object_id].add(row.version)
        last_op[row.object_id] = row.op
    current = dict(Annotation.objects.filter(article_id__in=articles).values_list("id", "version"))
    withdrawn = set(
        Annotation.objects.filter(article_id__in=articles, status="withdrawn").values_list(
            "id", flat=True
        )
    )
    assert set(versions) == set(current)
    assert {pk: versions[pk] for pk in current} == {
        pk: set(range(1, version + 1)) for pk, version in current.items()
    }
    assert {pk for pk, op in last_op.items() if op == "tombstone"} == withdrawn
    # The API reader holds exactly the database: live annotations at their versions,
    # withdrawn ones as tombstones.
    assert api_state == {
        pk: "gone" if pk in withdrawn else version for pk, version in current.items()
    }
    # The run wrote enough to race: hundreds of changes from every writer.
    assert all(writer.writes > 20 for writer in writers), [w.writes for w in writers]
    # And they raced: transactions committed out of the order of their ids, which a
    # cursor by id would have skipped.
    out_of_id_order = sum(
        1 for before, after in itertools.pairwise(rows_seen) if after.pk < before.pk
    )
    assert out_of_id_order > 0
