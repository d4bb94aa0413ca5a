"""The admin page of the suggestion model: versions with their scores, and the rollback."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from annotations.models import Event, SuggestionModel

CHANGELIST = "admin:annotations_suggestionmodel_changelist"


@pytest.fixture
def versions(db) -> tuple[SuggestionModel, SuggestionModel]:
    scores = {"micro": {"precision": 0.8, "recall": 0.5, "f1": 0.615}, "claim": {"f1": 0.7}}
    first = SuggestionModel.objects.create(
        language="de", version=1, training_size=120, scores=scores, blob=b"x"
    )
    second = SuggestionModel.objects.create(
        language="de",
        version=2,
        training_size=180,
        scores={"micro": {"precision": 0.9, "recall": 0.6, "f1": 0.72}},
        blob=b"y",
        is_active=True,
        previous=first,
    )
    return first, second


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-x-1")


def test_the_admin_lists_each_version_with_its_size_and_scores(client, root, versions):
    client.force_login(root)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    page = response.content.decode()
    assert "0.615" in page and "0.72" in page
    assert "180" in page and "claim 0.7" in page
    assert "Roll back to the previous version" in page


def test_the_rollback_action_activates_the_previous_version(client, root, versions):
    first, second = versions
    client.force_login(root)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "roll_back", "_selected_action": [second.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "The suggestion model (de) is back at version 1." in response.content.decode()
    assert list(SuggestionModel.objects.filter(is_active=True)) == [first]
    assert Event.objects.filter(verb=Event.Verb.SUGGESTION_MODEL_ROLLED_BACK).count() == 1


def test_a_second_rollback_without_an_earlier_version_says_so(client, root, versions):
    client.force_login(root)
    client.post(reverse(CHANGELIST), {"action": "roll_back", "_selected_action": [versions[1].pk]})
    response = client.post(
        reverse(CHANGELIST),
        {"action": "roll_back", "_selected_action": [versions[0].pk]},
        follow=True,
    )
    assert "no earlier suggestion model for de" in response.content.decode()


def test_an_editor_cannot_open_the_admin_page(client, editor, versions):
    client.force_login(editor)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_admin_shows_each_labels_threshold_and_a_veto(client, root, db):
    SuggestionModel.objects.create(
        language="de",
        version=7,
        training_size=900,
        scores={
            "micro": {"precision": 0.9, "recall": 0.8, "f1": 0.85},
            "thresholds": {"claim": 0.45, "opinion": 0.55},
            "vetoes": {"claim": 0.4},
        },
        blob=b"x",
    )
    client.force_login(root)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "claim 0.45 (veto &lt; 0.4)" in page
    assert "opinion 0.55" in page and "opinion 0.55 (veto" not in page
