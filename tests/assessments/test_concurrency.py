"""Two clients save the same section at the same moment: one wins, the other sees the conflict."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from procurement.assessments.models import Answer


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_never_silently_overwrite(personas, assessment):
    url = reverse("assessments:section", args=[assessment.pk, "SUP"])
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}
    failures: list[BaseException] = []

    def save(user_key: str, days: int) -> None:
        try:
            client = Client()
            client.force_login(personas[user_key])
            barrier.wait()
            statuses[user_key] = client.post(url, {"revision": 0, "q-SUP-05": str(days)}).status_code
        except BaseException as exc:  # surfaced below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=("analyst", 30)), threading.Thread(target=save, args=("admin", 365))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    assert sorted(statuses.values()) == [302, 409], statuses
    winner = "analyst" if statuses["analyst"] == 302 else "admin"
    assert Answer.objects.get(assessment=assessment, question_code="SUP-05").value == (
        30 if winner == "analyst" else 365
    )
