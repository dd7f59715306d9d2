"""Moving an assessment to a newer bank version: reworded questions keep their answers,
changed ones are asked again, and the counts are this assessment's."""

import pytest
from django.urls import reverse

from procurement.assessments import services
from procurement.assessments.models import AnswerChange
from procurement.assessments.selectors import reworded_since_answered
from procurement.questionbank.services import version_new_draft, version_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(assessment, personas):
    services.answers_save(
        assessment=assessment,
        values={
            "SUP-05": services.AnswerInput(90),
            "SUP-03": services.AnswerInput(45),
            "CST-11": services.AnswerInput("under_10"),
        },
        by=personas["analyst"],
        base_revisions=None,
    )
    return assessment


def _publish_with(shipped_version, edit, changelog="Edited."):
    draft = version_new_draft(version=shipped_version)
    edit(draft)
    return version_publish(version=draft, changelog=changelog)


def _reword_and_rescore(draft):
    q = draft.questions.get(code="SUP-03")
    q.text = q.text.replace("largest single provider", "single largest provider")
    q.save()
    q = draft.questions.get(code="SUP-05")
    q.bands = [{"from": 0, "to": 60, "points": 4}, {"from": 60, "to": None, "points": 1}]
    q.save()


def test_a_reworded_question_keeps_its_answer_and_a_rescored_one_is_asked_again(answered, personas, shipped_version):
    v2 = _publish_with(shipped_version, _reword_and_rescore)
    diff = services.assessment_upgrade(assessment=answered, target=v2, by=personas["analyst"])
    assert "SUP-03" in diff.editorial and "SUP-03" in diff.unchanged and diff.changed == ["SUP-05"]
    assert set(answered.answers.values_list("question_code", flat=True)) == {"SUP-03", "CST-11"}
    assert diff.kept == ["CST-11", "SUP-03"] and diff.cleared == ["SUP-05"]
    note = AnswerChange.objects.filter(question_code="SUP-03").last()
    assert "wording changed since answered" in note.by_label and note.new_value == note.old_value
    cleared = AnswerChange.objects.get(question_code="SUP-05", new_value__isnull=True)
    assert "asked again" in cleared.by_label


def test_the_editor_marks_a_rewording_substantive_and_it_is_asked_again(answered, personas, shipped_version):
    def edit(draft):
        q = draft.questions.get(code="SUP-03")
        q.text = "What share of serving capacity sits with the largest provider, excluding our own?"
        q.change_kind = "substantive"
        q.save()

    v2 = _publish_with(shipped_version, edit)
    diff = services.assessment_upgrade(assessment=answered, target=v2, by=personas["analyst"])
    assert diff.cleared == ["SUP-03"] and diff.details["SUP-03"].marked == "substantive"


def test_the_counts_are_this_assessments_answers_not_the_banks_questions(login, answered, personas, shipped_version):
    v2 = _publish_with(shipped_version, _reword_and_rescore)
    client = login(personas["analyst"])
    page = client.get(reverse("assessments:upgrade", args=[answered.pk])).content.decode()
    assert "These answers will be cleared: SUP-05" in page
    assert '<div class="fs-4">2</div>answers kept' in page
    assert "single <ins>largest" in page or "<ins>single largest" in page or "<del>" in page
    assert "Editorial (answers kept)" in page and "Substantive (asked again)" in page
    response = client.post(reverse("assessments:upgrade", args=[answered.pk]), follow=True)
    text = response.content.decode()
    assert "Moved to v2: 2 answers kept, 1 cleared, 0 new questions." in text
    answered.refresh_from_db()
    assert answered.bank_version == v2
    assert "2 answers kept (1 to reworded questions), 1 answer cleared" in answered.timeline.get(kind="upgrade").note


def test_an_editorial_mark_carries_through_one_version_but_not_past_a_substantive_one(
    answered, personas, shipped_version
):
    def weightier(draft):
        q = draft.questions.get(code="SUP-03")
        q.weight = 4
        q.save()

    v2 = _publish_with(shipped_version, weightier)
    assert services.version_diff(shipped_version, v2).changed == ["SUP-03"]

    def back_marked(draft):
        q = draft.questions.get(code="SUP-03")
        q.weight, q.change_kind = 2, "editorial"
        q.save()

    v3 = _publish_with(v2, back_marked)
    assert "SUP-03" in services.version_diff(v2, v3).editorial
    assert services.version_diff(shipped_version, v3).changed == ["SUP-03"]


def test_the_section_page_marks_a_kept_answer_to_a_reworded_question_until_it_changes(
    login, answered, personas, shipped_version
):
    v2 = _publish_with(shipped_version, _reword_and_rescore)
    services.assessment_upgrade(assessment=answered, target=v2, by=personas["analyst"])
    client = login(personas["analyst"])
    url = reverse("assessments:section", args=[answered.pk, "SUP"])
    page = client.get(url).content.decode()
    assert 'id="rw-SUP-03"' in page and "Wording changed since answered" in page
    assert 'id="rw-SUP-05"' not in page
    services.answers_save(
        assessment=answered, values={"SUP-03": services.AnswerInput(50)}, by=personas["analyst"], base_revisions=None
    )
    assert 'id="rw-SUP-03"' not in client.get(url).content.decode()


def test_new_limits_keep_answers_inside_them_and_ask_again_for_those_outside(
    login, assessment, personas, shipped_version
):
    services.answers_save(
        assessment=assessment,
        values={"SUP-05": services.AnswerInput(900), "SUP-03": services.AnswerInput(45)},
        by=personas["analyst"],
        base_revisions=None,
    )

    def tighter(draft):
        for code, limits in (("SUP-05", {"min": 0, "max": 730}), ("SUP-03", {"min": 0, "max": 90})):
            q = draft.questions.get(code=code)
            q.limits = limits
            q.save()

    v2 = _publish_with(shipped_version, tighter)
    page = login(personas["analyst"]).get(reverse("assessments:upgrade", args=[assessment.pk])).content.decode()
    assert "These answers will be cleared: SUP-05" in page
    diff = services.assessment_upgrade(assessment=assessment, target=v2, by=personas["analyst"])
    assert diff.cleared == ["SUP-05"] and "SUP-03" in diff.kept
    change = AnswerChange.objects.filter(question_code="SUP-05").last()
    assert "outside the new limits" in change.by_label
    assert not AnswerChange.objects.filter(question_code="SUP-03", by_label__contains="wording").exists()


def test_the_respondent_confirms_a_reworded_answer_still_holds_and_the_badge_goes(
    login, answered, personas, shipped_version
):
    v2 = _publish_with(shipped_version, _reword_and_rescore)
    services.assessment_upgrade(assessment=answered, target=v2, by=personas["analyst"])
    client = login(personas["analyst"])
    url = reverse("assessments:section", args=[answered.pk, "SUP"])
    page = client.get(url).content.decode()
    assert 'id="rw-SUP-03"' in page and 'name="confirm_wording" value="SUP-03"' in page
    # The review page tells the reviewer it is not checked yet.
    assert 'id="rw-SUP-03"' in client.get(reverse("assessments:review", args=[answered.pk])).content.decode()
    revision = services.section_revisions(answered).get("SUP", 0)
    response = client.post(url, {"revision": revision, "confirm_wording": "SUP-03", "q-SUP-03": "45"}, follow=True)
    text = response.content.decode()
    assert "SUP-03: the answer still holds after the rewording" in text
    assert 'id="rw-SUP-03"' not in text
    note = AnswerChange.objects.filter(question_code="SUP-03").last()
    assert note.by == personas["analyst"] and "still holds" in note.by_label and note.new_value == note.old_value
    assert answered.timeline.filter(kind="wording confirmed", note__contains="SUP-03").exists()
    assert 'id="rw-SUP-03"' not in client.get(reverse("assessments:review", args=[answered.pk])).content.decode()
    # A second press (or a code never reworded) records nothing more.
    assert services.answers_confirm_wording(assessment=answered, codes=["SUP-03", "CST-11"], by=None) == []


def test_the_section_page_reads_no_answer_history_where_no_question_differs_from_an_earlier_version(
    answered, personas, shipped_version, django_assert_num_queries
):
    codes = ["SUP-03", "SUP-05", "CST-11"]
    assert reworded_since_answered(answered, codes) == set()
    with django_assert_num_queries(0):  # the shipped bank has no earlier version here
        assert reworded_since_answered(answered, codes) == set()
    v2 = _publish_with(shipped_version, _reword_and_rescore)
    services.assessment_upgrade(assessment=answered, target=v2, by=personas["analyst"])
    answered.refresh_from_db()
    # On v2, SUP-03 (reworded) and SUP-05 (rescored) differ from v1 and are read; CST-11 never is.
    assert reworded_since_answered(answered, codes) == {"SUP-03"}
    with django_assert_num_queries(0):
        assert reworded_since_answered(answered, ["CST-11"]) == set()
