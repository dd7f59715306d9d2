"""The provider table in the questionnaire: the form, answer files, the review label, recording it as the chain."""

import json

import pytest
from django.urls import reverse

from procurement.assessments import services
from procurement.assessments.answer_files import AnswerFileError, dump_answers, parse_answers
from procurement.assessments.models import Answer
from procurement.assessments.selectors import bank_structure
from procurement.vendors.models import Provider, SupplyLink

pytestmark = pytest.mark.django_db


def _post_rows(client, assessment, rows: list[dict], **extra):
    data = {"revision": services.section_revisions(assessment).get("SUP", 0), **extra}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"q-SUP-16.{i}.{key}"] = value
    return client.post(reverse("assessments:section", args=[assessment.pk, "SUP"]), data)


LEASE = {
    "provider": "Rival DC",
    "kind": "colocation",
    "owner": "Rival AI",
    "role": "inference_compute",
    "share": "40",
    "arrangement": "lease",
    "notice_days": "90",
    "regions": "us-east",
    "competitor": "on",
}


def test_the_table_is_saved_from_the_form_and_shown_again(login, personas, assessment):
    client = login(personas["analyst"])
    page = client.get(reverse("assessments:section", args=[assessment.pk, "SUP"])).content.decode()
    assert 'name="q-SUP-16.0.provider"' in page and 'name="q-SUP-16.2.provider"' in page
    response = _post_rows(client, assessment, [LEASE, {"kind": "other"}])
    assert response.status_code == 302
    (row,) = Answer.objects.get(question_code="SUP-16").value
    assert row["provider"] == "Rival DC" and row["notice_days"] == 90 and row["competitor"] is True
    page = client.get(reverse("assessments:section", args=[assessment.pk, "SUP"])).content.decode()
    assert 'value="Rival DC"' in page and 'name="q-SUP-16.1.provider" value=""' in page


def test_bad_rows_come_back_with_messages_and_the_rest_is_saved(login, personas, assessment):
    client = login(personas["analyst"])
    response = _post_rows(client, assessment, [{**LEASE, "share": "400", "role": ""}], **{"q-SUP-03": "45"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Row 1: share is a percentage from 0 to 100." in body and "Row 1: role must be one of" in body
    assert 'value="400"' in body  # what was typed is kept on the page
    assert not Answer.objects.filter(question_code="SUP-16").exists()
    assert Answer.objects.get(question_code="SUP-03").value == 45


def test_answer_files_carry_the_table_in_json_yaml_and_csv(assessment):
    questions = bank_structure(assessment.bank_version).question_index
    rows = [{**LEASE, "competitor": True}]
    for fmt in ("json", "yaml", "csv"):
        text = dump_answers({"SUP-16": {"value": rows, "na": False, "na_reason": ""}}, fmt=fmt)
        parsed = parse_answers(text.encode(), fmt=fmt, source=f"a.{fmt}", questions=questions)
        assert parsed["SUP-16"].value[0]["provider"] == "Rival DC", fmt
    with pytest.raises(AnswerFileError) as exc:
        parse_answers(
            json.dumps({"SUP-16": [{**LEASE, "share": "x"}]}).encode(), fmt="json", source="a.json", questions=questions
        )
    assert "SUP-16: Row 1: share is a percentage" in exc.value.problems[0]
    with pytest.raises(AnswerFileError):
        parse_answers(b"code,value\nSUP-16,not json\n", fmt="csv", source="a.csv", questions=questions)


def test_the_review_label_describes_the_rows(login, personas, complete_assessment):
    client = login(personas["reviewer"])
    page = client.get(reverse("assessments:review", args=[complete_assessment.pk])).content.decode()
    assert "Rival AI data centre (Ohio) (inference, 40%, lease, 90 d notice, us-east, competitor)" in page


def test_analyst_records_the_table_as_the_services_chain(login, personas, complete_assessment, org):
    Provider.objects.create(organisation=org, name="hyperscale cloud US-EAST", kind="hyperscaler")  # matched by name
    client = login(personas["analyst"])
    url = reverse("assessments:chain_from_answer", args=[complete_assessment.pk, "SUP-16"])
    page = client.get(complete_assessment.get_absolute_url()).content.decode()
    assert "Record the providers listed in SUP-16 as the supply chain" in page
    response = client.post(url, follow=True)
    assert "2 link(s) added, 0 updated" in response.content.decode()
    assert Provider.objects.filter(organisation=org).count() == 2
    lease = SupplyLink.objects.get(provider__name="Rival AI data centre (Ohio)")
    assert lease.service == complete_assessment.service and lease.arrangement == "lease" and lease.competitor
    complete_assessment.refresh_from_db()
    assert complete_assessment.reassess_reason == ""  # recording its own answer does not flag it
    client.post(url)
    assert SupplyLink.objects.count() == 2  # again: updated, not duplicated
    assert "chain-diagram" in client.get(complete_assessment.get_absolute_url()).content.decode()


def test_recording_needs_an_editor_and_a_provider_table(login, personas, complete_assessment):
    url = reverse("assessments:chain_from_answer", args=[complete_assessment.pk, "SUP-16"])
    assert login(personas["viewer"]).post(url).status_code == 403
    client = login(personas["analyst"])
    response = client.post(
        reverse("assessments:chain_from_answer", args=[complete_assessment.pk, "SUP-05"]), follow=True
    )
    assert "SUP-05 is not a provider table." in response.content.decode()
    assert not SupplyLink.objects.exists()
