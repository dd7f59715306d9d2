"""A bank version's effect on the organisation's own recent assessments (before and after it is
published), and moving the open ones to it."""

import pytest
from django.urls import reverse

from procurement.assessments import services
from procurement.assessments.bank_rescoring import assessments_rescored
from procurement.questionbank.services import (
    bank_copy_to_organisation,
    bank_load,
    version_new_draft,
    version_publish,
)
from tests.conftest import SMALL_BANK

pytestmark = pytest.mark.django_db

ANSWERS = {
    "IN-01": services.AnswerInput("high"),
    "OPS-01": services.AnswerInput("yes"),
    "OPS-02": services.AnswerInput(60),
    "OPS-03": services.AnswerInput("other_cloud"),
    "OPS-05": services.AnswerInput("Runbook R-7"),
}


def _answered(service, version, personas):
    a = services.assessment_create(service=service, bank=version.bank, by=personas["analyst"])
    services.answers_save(assessment=a, values=ANSWERS, by=personas["analyst"], base_revisions=None)
    return a


def _reword_and_shorten_notice(draft):
    """OPS-01 reworded (editorial, its answer kept); OPS-02's bands moved (substantive, asked again)."""
    q = draft.questions.get(code="OPS-01")
    q.text = "Is there a tested fallback?"
    q.save()
    q = draft.questions.get(code="OPS-02")
    q.bands = [{"from": 0, "to": 30, "points": 4}, {"from": 30, "to": None, "points": 0}]
    q.save()


def test_a_draft_rescores_the_organisations_assessments_on_the_bank_it_was_copied_from(
    org, personas, service, other_service
):
    shipped = bank_load(raw=SMALL_BANK, source="s").version
    mine = _answered(service, shipped, personas)
    services.assessment_create(service=other_service, bank=shipped.bank, by=None)  # another organisation's
    draft = bank_copy_to_organisation(version=shipped, organisation=org)
    _reword_and_shorten_notice(draft)
    rows, total = assessments_rescored(organisation=org, version=draft)
    assert total == 1 and [r.assessment for r in rows] == [mine]
    row = rows[0]
    assert row.counts.kept == 4 and row.counts.kept_reworded == 1 and row.counts.cleared == ["OPS-02"]
    # OPS-02 (60 days of notice, 0 points under v1's bands) counts as unanswered under the draft.
    assert row.missing_before == 1 and row.missing_after == 2 and row.changed
    assert not row.movable and "another bank" in row.why_not


def test_the_admin_moves_the_ticked_open_assessments_to_the_new_version(login, org, personas, service):
    v1 = bank_load(raw=SMALL_BANK, source="s", organisation=org).version
    ticked, left = _answered(service, v1, personas), _answered(service, v1, personas)
    draft = version_new_draft(version=v1)
    _reword_and_shorten_notice(draft)
    client = login(personas["admin"])
    url = reverse("assessments:bank_rescoring", args=[draft.pk])
    page = client.get(url).content.decode()
    assert f'id="rescore-A-{ticked.pk}"' in page and "Can move once this draft is published." in page
    assert "0 of 2</strong> would get another\n  recommendation" in page and "2 more would score otherwise" in page
    assert 'name="move"' not in page
    v2 = version_publish(version=draft, changelog="OPS-01 reworded; OPS-02 bands at 30 days.")
    url = reverse("assessments:bank_rescoring", args=[v2.pk])
    assert f'name="move"\n                value="{ticked.pk}"' in client.get(url).content.decode()
    response = client.post(url, {"move": [ticked.pk]}, follow=True)
    assert f"Moved to v2: A-{ticked.pk} (4 kept, 1 cleared)." in response.content.decode()
    ticked.refresh_from_db()
    left.refresh_from_db()
    assert ticked.bank_version == v2 and left.bank_version == v1
    assert set(ticked.answers.values_list("question_code", flat=True)) == {"IN-01", "OPS-01", "OPS-03", "OPS-05"}
    # Moved, it is no longer listed (it is on the version); the other one still is.
    page = client.get(url).content.decode()
    assert f'id="rescore-A-{ticked.pk}"' not in page and f'id="rescore-A-{left.pk}"' in page


def test_viewers_may_not_and_another_organisation_cannot_see_the_draft(login, org, personas):
    draft = version_new_draft(version=bank_load(raw=SMALL_BANK, source="s", organisation=org).version)
    url = reverse("assessments:bank_rescoring", args=[draft.pk])
    assert login(personas["viewer"]).get(url).status_code == 403
    assert login(personas["outsider"]).get(url).status_code == 404
