"""The `seed_demo` fixture: a browser test that starts from the demo data gets the database as
`manage.py seed_demo` leaves it, whatever the tests before it wrote (tests/browser/conftest.py)."""

import pytest
from django.db import connection

from procurement.assessments.models import Assessment
from procurement.core.models import Organisation
from procurement.core.services import DEMO_ORG

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # elsewhere the fixture runs the command itself (make pytest-postgres-all)
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the copy is SQLite's backup API"),
]


def _demo() -> tuple:
    org = Organisation.objects.get(slug=DEMO_ORG[1])
    rows = Assessment.objects.filter(organisation=org).order_by("pk")
    return tuple(rows.values_list("pk", "status", "recommendation", "service__name"))


def test_a_second_seed_replaces_whatever_was_written_with_the_seeded_demo(seed_demo):
    seed_demo()
    seeded = _demo()
    assert len(seeded) > 5 and {"draft", "approved"} <= {status for _, status, _, _ in seeded}
    Assessment.objects.filter(pk=seeded[0][0]).delete()
    Organisation.objects.create(name="Written by a test", slug="written-by-a-test")
    seed_demo()
    assert _demo() == seeded
    assert not Organisation.objects.filter(slug="written-by-a-test").exists()
