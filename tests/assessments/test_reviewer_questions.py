"""Reviewer-only questions (audience ``reviewer``, the shipped bank's CON-12): reviewers and org
admins answer them on the review page through answers_save (history, stale-write check);
analysts and vendors never get an input for them."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.models import Answer, AnswerChange, Assessment
from procurement.assessments.services import AnswerInput

pytestmark = pytest.mark.django_db

CODE = "CON-12"
CHECK = "Clause 14.2 gives 90 days' notice, as answered in CON-01."


def _save(assessment, by, value=CHECK, base=None):
    return services.answers_save(assessment=assessment, values={CODE: AnswerInput(value)}, by=by, base_revisions=base)


def _answer_url(assessment, section="CON"):
    return reverse("assessments:review_answers", args=[assessment.pk, section])


def _revision(assessment, section="CON"):
    return services.section_revisions(assessment).get(section, 0)


# --- The service ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_a_reviewer_or_admin_answers_a_reviewer_question_during_the_review(personas, in_review, role):
    _save(in_review, personas[role])
    answer = Answer.objects.get(assessment=in_review, question_code=CODE)
    assert answer.value == CHECK and answer.updated_by == personas[role]
    change = AnswerChange.objects.get(assessment=in_review, question_code=CODE)
    assert change.by == personas[role] and change.new_value["value"] == CHECK
    in_review.refresh_from_db()
    assert in_review.status == Assessment.Status.IN_REVIEW


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_nobody_else_can_answer_a_reviewer_question(personas, assessment, role):
    with pytest.raises(ValidationError, match="Only a reviewer or an organisation admin can answer CON-12"):
        _save(assessment, personas[role])
    assert not Answer.objects.filter(question_code=CODE).exists()


def test_a_vendor_save_cannot_carry_a_reviewer_answer(assessment):
    with pytest.raises(ValidationError, match="Only a reviewer"):
        services.answers_save(
            assessment=assessment,
            values={CODE: AnswerInput("typed in the portal"), "SUP-05": AnswerInput(90)},
            by=None,
            by_label="Vera <vera@frontier.example> (vendor contact)",
            base_revisions=None,
        )
    assert not Answer.objects.exists()


def test_the_review_does_not_open_the_other_answers(personas, in_review):
    with pytest.raises(ValidationError, match="in review; answers can only change"):
        services.answers_save(
            assessment=in_review,
            values={CODE: AnswerInput(CHECK), "SUP-05": AnswerInput(7)},
            by=personas["admin"],
            base_revisions=None,
        )
    assert not Answer.objects.filter(question_code=CODE).exists()


def test_a_reviewer_check_on_a_draft_does_not_start_the_respondents_work(personas, assessment):
    _save(assessment, personas["reviewer"])
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT


def test_reviewer_answers_freeze_with_the_decision(personas, in_review):
    _save(in_review, personas["reviewer"])
    decided = services.assessment_decide(
        assessment=in_review, by=personas["reviewer"], approve=False, note="No", authenticated_at=timezone.now()
    )
    assert decided.frozen_record["answers"][CODE]["value"] == CHECK
    with pytest.raises(ValidationError, match="decided; its reviewer-only answers are frozen"):
        _save(decided, personas["reviewer"], "changed afterwards")
    assert Answer.objects.get(question_code=CODE).value == CHECK


def test_a_stale_reviewer_save_is_refused(personas, in_review):
    base = _revision(in_review)
    _save(in_review, personas["reviewer"], base={"CON": base})
    with pytest.raises(services.StaleSection):
        _save(in_review, personas["admin"], "the admin's version", base={"CON": base})
    assert Answer.objects.get(question_code=CODE).value == CHECK


# --- The review page ------------------------------------------------------------------------


def _inputs(page: str) -> bool:
    return bool(re.search(rf'name="q-{CODE}"', page))


def test_reviewers_get_an_input_on_the_review_page_and_others_only_read(login, personas, in_review):
    url = reverse("assessments:review", args=[in_review.pk])
    page = login(personas["reviewer"]).get(url).content.decode()
    assert "Reviewer checks" in page and _inputs(page) and "Save reviewer answers" in page
    for role in ("analyst", "viewer"):
        page = login(personas[role]).get(url).content.decode()
        assert "Reviewer checks" in page and not _inputs(page)
        assert "To be answered by the reviewer" in page


def test_analysts_get_no_input_on_the_section_page_and_a_posted_value_is_ignored(login, personas, assessment):
    client = login(personas["analyst"])
    url = reverse("assessments:section", args=[assessment.pk, "CON"])
    assert not _inputs(client.get(url).content.decode())
    client.post(url, {"revision": _revision(assessment), f"q-{CODE}": "typed by the analyst", "q-CON-01": "90"})
    assert not Answer.objects.filter(question_code=CODE).exists()
    assert Answer.objects.filter(question_code="CON-01").exists()


def test_the_reviewer_saves_on_the_review_page_and_everyone_sees_the_answer(login, personas, in_review):
    client = login(personas["reviewer"])
    response = client.post(_answer_url(in_review), {"revision": _revision(in_review), f"q-{CODE}": CHECK})
    assert response.status_code == 302 and response["Location"].endswith("/review/#checks-CON")
    assert Answer.objects.get(question_code=CODE).updated_by == personas["reviewer"]
    page = login(personas["viewer"]).get(reverse("assessments:review", args=[in_review.pk])).content.decode()
    assert "Clause 14.2 gives 90 days" in page and "To be answered by the reviewer" not in page
    history = client.get(reverse("assessments:history", args=[in_review.pk, CODE])).content.decode()
    assert "Clause 14.2 gives 90 days" in history


def test_a_stale_save_on_the_review_page_shows_both_versions_and_writes_nothing(login, personas, in_review):
    loaded = _revision(in_review)
    _save(in_review, personas["admin"], "the admin's check", base={"CON": loaded})
    client = login(personas["reviewer"])
    response = client.post(_answer_url(in_review), {"revision": loaded, f"q-{CODE}": CHECK})
    page = response.content.decode()
    assert response.status_code == 409
    assert "the admin&#x27;s check" in page and "Clause 14.2" in page
    assert "Reload their version and answer again" in page
    assert Answer.objects.get(question_code=CODE).value == "the admin's check"


def test_bad_input_on_the_review_page_comes_back_with_a_message_and_what_was_typed(login, personas, in_review):
    client = login(personas["reviewer"])
    response = client.post(_answer_url(in_review), {"revision": _revision(in_review), f"q-{CODE}": "Clause\x01 14"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Not saved: correct the answer marked below." in page and "control character" in page
    assert not Answer.objects.filter(question_code=CODE).exists()


def test_a_section_without_reviewer_questions_is_404(login, personas, in_review):
    client = login(personas["reviewer"])
    assert client.post(_answer_url(in_review, "SUP"), {"revision": 0}).status_code == 404
    assert client.post(_answer_url(in_review, "NOPE"), {"revision": 0}).status_code == 404


@pytest.mark.parametrize(("role", "status"), [("analyst", 403), ("viewer", 403), ("outsider", 404)])
def test_only_reviewers_post_reviewer_answers(login, personas, in_review, role, status):
    response = login(personas[role]).post(_answer_url(in_review), {"revision": 0, f"q-{CODE}": "x"})
    assert response.status_code == status
    assert not Answer.objects.filter(question_code=CODE).exists()


def test_after_the_decision_the_review_page_shows_the_answer_without_an_input(login, personas, in_review):
    _save(in_review, personas["reviewer"])
    services.assessment_decide(
        assessment=in_review, by=personas["reviewer"], approve=False, note="No", authenticated_at=timezone.now()
    )
    page = login(personas["reviewer"]).get(reverse("assessments:review", args=[in_review.pk])).content.decode()
    assert "Clause 14.2 gives 90 days" in page and not _inputs(page)
