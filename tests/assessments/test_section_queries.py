"""What the section page and its autosave read (docs/performance.md, "Section page and autosave,
fourth pass"): the section's assessment is read with only the columns the page and its saves use,
so a column left out would be read by a query of its own; the autosave reads no answers before
the save and scores what it saved; the save takes the bank version the row lock finds."""

import pytest
from django.urls import reverse

from procurement.assessments import services
from procurement.assessments.models import Assessment
from procurement.assessments.selectors import assessment_for_section, assessment_score
from procurement.assessments.services import AnswerInput
from procurement.questionbank.services import bank_load

pytestmark = pytest.mark.django_db

# The page: session, user with membership, assessment, revisions, answers, documents, evidence links.
SECTION_PAGE_QUERIES = 7
# An autosave that changes one answer: session, user with membership, assessment; in the save's
# transaction the locked row, revisions, answers, the answer's update, its history, the revision;
# the rescore's overrides, contract, providers, links, model lifecycle, acceptances, evidence and
# the summary's update.
AUTOSAVE_QUERIES = 19


@pytest.fixture
def small_assessment(small_bank_yaml, service, personas):
    bank = bank_load(raw=small_bank_yaml, source="small.yaml").bank
    return services.assessment_create(service=service, bank=bank, by=personas["analyst"])


def _url(a):
    return reverse("assessments:section", args=[a.pk, "OPS"])


def _summary(a):
    row = Assessment.objects.get(pk=a.pk)
    return (row.risk_band, row.recommendation, row.overall_risk, row.recommendation_unanswered)


def _fresh_summary(a):
    from procurement.assessments.services.status import missing_count

    result = assessment_score(Assessment.objects.select_related("bank_version", "service").get(pk=a.pk))
    return (result.residual or "", result.decision, result.overall_risk, missing_count(result))


def test_the_section_page_reads_a_fixed_number_of_queries(login, personas, small_assessment, django_assert_num_queries):
    client = login(personas["analyst"])
    client.get(_url(small_assessment))  # the per-version structure, once per process
    with django_assert_num_queries(SECTION_PAGE_QUERIES):
        page = client.get(_url(small_assessment))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Frontier Lab — Frontier API" in body and "Small bank v1" in body


def test_an_autosave_reads_a_fixed_number_of_queries_and_leaves_the_recommendation_fresh(
    login, personas, small_assessment, django_assert_num_queries
):
    client = login(personas["analyst"])
    url = _url(small_assessment)
    services.answers_save(
        assessment=small_assessment, values={"OPS-01": AnswerInput("yes")}, by=personas["analyst"], base_revisions=None
    )
    before = _summary(small_assessment)
    with django_assert_num_queries(AUTOSAVE_QUERIES):
        response = client.post(url, {"revision": 1, "q-OPS-01": "no"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'name="revision" value="2"' in response.content.decode()
    after = _summary(small_assessment)
    assert after != before
    assert after == _fresh_summary(small_assessment)


def test_an_autosave_that_changes_nothing_returns_the_sections_revision(login, personas, small_assessment):
    client = login(personas["analyst"])
    url = _url(small_assessment)
    client.post(url, {"revision": 0, "q-OPS-02": "30"}, headers={"HX-Request": "true"})
    again = client.post(url, {"revision": 1, "q-OPS-02": "30"}, headers={"HX-Request": "true"})
    assert 'name="revision" value="1"' in again.content.decode()
    stale = client.post(url, {"revision": 0, "q-OPS-02": "45"}, headers={"HX-Request": "true"})
    assert "Not saved" in stale.content.decode()
    assert Assessment.objects.get(pk=small_assessment.pk).answers.get(question_code="OPS-02").value == 30


def test_a_save_scores_under_the_bank_version_the_lock_finds_not_the_one_read_before(
    small_bank_yaml, personas, small_assessment
):
    """The section page's assessment carries its bank version; if the row moved to another
    version before the save took its lock, the save scores under the row's version."""
    read_before = assessment_for_section(personas["analyst"], small_assessment.pk)
    # Version 2: a notice of 30 days now scores 0 points instead of 4.
    inverted = small_bank_yaml.replace("{from: 0, to: 90, points: 4}", "{from: 0, to: 90, points: 0}").replace(
        "{from: 90, to: null, points: 0}", "{from: 90, to: null, points: 4}"
    )
    v2 = bank_load(raw=inverted, source="small-v2.yaml").version
    assert v2.pk != read_before.bank_version_id
    Assessment.objects.filter(pk=small_assessment.pk).update(bank_version=v2)
    services.answers_save(
        assessment=read_before, values={"OPS-02": AnswerInput(30)}, by=personas["analyst"], base_revisions=None
    )
    assert _summary(small_assessment) == _fresh_summary(small_assessment)
    under_v1 = assessment_score(read_before)  # the version read before, for contrast
    assert under_v1.overall_risk != _summary(small_assessment)[2]
