"""Limits, "not disclosed", the CST-11 rename on upgrade and the due date, through the staff
form, the vendor portal, answer-file imports and the services."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.models import Answer, AnswerChange
from procurement.assessments.records import record_build
from procurement.assessments.selectors import assessment_score
from procurement.portal import services as portal
from procurement.questionbank.services import bank_load
from procurement.reports.context import report_context_from_record
from procurement.vendors.models import VendorContact

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "fixtures/banks/ai-vendor-due-diligence.yaml"
SHIPPED_V1 = ROOT / "fixtures/banks/history/ai-vendor-due-diligence-v1.yaml"
SHIPPED_V2 = ROOT / "fixtures/banks/history/ai-vendor-due-diligence-v2.yaml"


def section_url(a, code):
    return reverse("assessments:section", args=[a.pk, code])


def post(client, a, code, data):
    return client.post(section_url(a, code), {"revision": services.section_revisions(a).get(code, 0), **data})


# --- Limits in the staff form ---------------------------------------------------------------


def test_the_staff_form_refuses_minus_30_days_naming_question_value_and_range(login, personas, assessment):
    client = login(personas["analyst"])
    response = post(client, assessment, "INT", {"q-INT-06": "-30"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "INT-06: -30 days is outside the allowed range (from 0 to 3650 days)." in page
    assert 'value="-30"' in page  # what was typed comes back
    assert not Answer.objects.filter(assessment=assessment, question_code="INT-06").exists()


def test_the_staff_form_saves_an_unusual_value_and_shows_the_warning(login, personas, assessment):
    client = login(personas["analyst"])
    response = post(client, assessment, "INT", {"q-INT-06": "2000"})
    assert response.status_code == 302
    assert Answer.objects.get(assessment=assessment, question_code="INT-06").value == 2000
    page = client.get(section_url(assessment, "INT")).content.decode()
    assert "INT-06: 2000 days is unusual (expected at most 1095 days); it is saved, but check it." in page
    assert "Allowed: from 0 to 3650 days" in page


def test_a_soc2_period_end_in_2199_is_refused(login, personas, assessment):
    client = login(personas["analyst"])
    response = post(client, assessment, "SEC", {"q-SEC-01": "inclusive", "q-SEC-01A": "2199-12-31"})
    assert response.status_code == 400
    assert "SEC-01A: 31 Dec 2199 is outside the allowed range" in response.content.decode()
    assert Answer.objects.get(assessment=assessment, question_code="SEC-01").value == "inclusive"
    assert not Answer.objects.filter(assessment=assessment, question_code="SEC-01A").exists()


def test_autosave_keeps_the_valid_answers_and_says_some_need_attention(login, personas, assessment):
    client = login(personas["analyst"])
    response = client.post(
        section_url(assessment, "SUP"), {"revision": 0, "q-SUP-05": "-30", "q-SUP-03": "45"}, HTTP_HX_REQUEST="true"
    )
    assert "some answers need attention" in response.content.decode()
    assert set(Answer.objects.filter(assessment=assessment).values_list("question_code", flat=True)) == {"SUP-03"}


# --- Limits in the vendor portal ---------------------------------------------------------------


@pytest.fixture
def vendor_client(client, assessment, personas, django_capture_on_commit_callbacks):
    contact = VendorContact.objects.create(vendor=assessment.service.vendor, name="Vera", email="vera@lab.example")
    with django_capture_on_commit_callbacks(execute=True):
        (invitation,) = portal.invite(
            assessment=assessment, contacts=[contact], by=personas["analyst"], base_url="http://testserver"
        )
    assert client.get(portal.invitation_link(invitation, base_url="")).status_code == 302
    return client


def test_the_portal_refuses_out_of_range_and_takes_not_disclosed(vendor_client, assessment):
    url = reverse("portal:section", args=[assessment.pk, "SUP"])
    response = vendor_client.post(url, {"revision": 0, "q-SUP-05": "-30"})
    assert response.status_code == 400
    assert "SUP-05: -30 days is outside the allowed range (from 0 to 3650 days)." in response.content.decode()
    assert not Answer.objects.filter(assessment=assessment).exists()
    page = vendor_client.get(url).content.decode()
    assert 'name="nd-SUP-05"' in page and "Vendor does not disclose" in page
    assert vendor_client.post(url, {"revision": 0, "nd-SUP-05": "on"}).status_code == 302
    answer = Answer.objects.get(assessment=assessment, question_code="SUP-05")
    assert answer.undisclosed and answer.value is None


# --- Not disclosed: stored, scored at worst, labelled everywhere -----------------------------


def test_not_disclosed_is_an_answer_scored_at_worst_and_labelled(login, personas, assessment):
    client = login(personas["analyst"])
    assert post(client, assessment, "RES", {"nd-RES-04": "on"}).status_code == 302
    answer = Answer.objects.get(assessment=assessment, question_code="RES-04")
    assert answer.undisclosed and not answer.na
    result = {q.code: q for q in assessment_score(assessment).questions}["RES-04"]
    assert result.status == "scored" and result.points == 4
    history = client.get(reverse("assessments:history", args=[assessment.pk, "RES-04"])).content.decode()
    assert "Not disclosed by the vendor" in history and "{" not in history.split("<main")[-1].split("</main>")[0]
    report = report_context_from_record(record_build(assessment))
    assert "Not disclosed by the vendor" in str(report)
    exported = client.get(reverse("assessments:export", args=[assessment.pk]), {"format": "yaml"})
    assert "RES-04: not disclosed" in exported.content.decode()


def test_not_disclosed_with_a_value_or_with_na_is_refused(login, personas, assessment):
    client = login(personas["analyst"])
    both = post(client, assessment, "RES", {"nd-RES-04": "on", "q-RES-04": "3"})
    assert both.status_code == 400 and "Either give a value or tick" in both.content.decode()
    na = post(client, assessment, "RES", {"nd-RES-04": "on", "na-RES-04": "on", "nar-RES-04": "n/a"})
    assert na.status_code == 400 and "not both" in na.content.decode()
    assert not Answer.objects.filter(assessment=assessment, question_code="RES-04").exists()


def test_not_disclosed_counts_as_answered_for_submitting(assessment, personas):
    services.answers_save(
        assessment=assessment,
        values={"RES-04": services.AnswerInput(undisclosed=True)},
        by=personas["analyst"],
        base_revisions=None,
    )
    assert ("RES", "RES-04") not in services.required_missing(assessment)
    # Back to a value: the flag is cleared on the same row, and the history says both.
    services.answers_save(
        assessment=assessment, values={"RES-04": services.AnswerInput(3)}, by=personas["analyst"], base_revisions=None
    )
    answer = Answer.objects.get(assessment=assessment, question_code="RES-04")
    assert not answer.undisclosed and answer.value == 3
    changes = list(AnswerChange.objects.filter(question_code="RES-04").values_list("old_value", "new_value"))
    assert changes[-1] == (
        {"value": None, "na": False, "na_reason": "", "undisclosed": True},
        {
            "value": 3,
            "na": False,
            "na_reason": "",
        },
    )


# --- Answer-file imports ---------------------------------------------------------------------------


def test_an_import_outside_a_limit_writes_nothing_and_names_line_code_and_range(login, personas, assessment):
    content = b"SUP-03: 45\nSUP-05: -30\n"
    response = login(personas["analyst"]).post(
        reverse("assessments:import", args=[assessment.pk]), {"file": SimpleUploadedFile("a.yaml", content)}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "a.yaml:2 (SUP-05): SUP-05: -30 days is outside the allowed range (from 0 to 3650 days)." in page
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_an_import_takes_quoted_and_plain_choice_values_and_not_disclosed(login, personas, assessment):
    content = b"CST-11: '10_30'\nSUP-05: not disclosed\nSUP-03: 045\nSUP-14: 800\n"
    client = login(personas["analyst"])
    response = client.post(
        reverse("assessments:import", args=[assessment.pk]),
        {"file": SimpleUploadedFile("a.yaml", content)},
        follow=True,
    )
    assert response.status_code == 200
    stored = {a.question_code: a for a in Answer.objects.filter(assessment=assessment)}
    assert stored["CST-11"].value == "10_30" and stored["SUP-03"].value == 45 and stored["SUP-05"].undisclosed
    assert "Imported, but check: a.yaml:4 (SUP-14): SUP-14: 800 % is unusual" in response.content.decode()


def test_score_answers_refuses_out_of_range_values(tmp_path, shipped_version):
    path = tmp_path / "a.yaml"
    path.write_text("as_of: 2026-11-22\nanswers:\n  INT-06: -30\n")
    with pytest.raises(CommandError, match=r"INT-06: -30 days is outside the allowed range \(from 0 to 3650 days\)"):
        call_command("score_answers", str(path), stdout=io.StringIO())


def test_score_answers_scores_the_shipped_profiles(shipped_version):
    for name in ("lab-api-leased-capacity", "hyperscaler-pinned-region", "thin-saas-reseller"):
        out = io.StringIO()
        call_command("score_answers", str(ROOT / f"fixtures/profiles/{name}.yaml"), "--json", stdout=out)
        assert '"decision"' in out.getvalue()


# --- The shipped bank's version 2 and the CST-11 rename ---------------------------------------


@pytest.fixture
def shipped_v1_and_v2(db):
    v1 = bank_load(raw=SHIPPED_V1.read_bytes(), source=str(SHIPPED_V1)).version
    v2 = bank_load(raw=SHIPPED_V2.read_bytes(), source=str(SHIPPED_V2)).version
    return v1, v2


@pytest.mark.usefixtures("no_banks")
def test_loading_the_history_then_the_current_file_gives_versions_1_and_2_and_nothing_more(shipped_v1_and_v2):
    v1, v2 = shipped_v1_and_v2
    assert (v1.number, v2.number) == (1, 2) and v2.based_on == v1
    assert "Version 2." in v2.changelog
    again = bank_load(raw=SHIPPED_V1.read_bytes(), source=str(SHIPPED_V1))
    assert not again.created and again.version == v1 and "already v1" in again.message
    assert v1.bank.versions.count() == 2
    assert list(v1.questions.get(code="CST-11").choices.values_list("value", flat=True)) == [
        "under_10",
        "1030",
        "30100",
        "over_100",
    ]


def test_upgrading_maps_cst_11s_old_values_and_an_assessment_left_on_v1_keeps_its_own(
    login, personas, service, shipped_v1_and_v2
):
    v1, v2 = shipped_v1_and_v2
    on_v1 = []
    for _ in range(2):
        a = services.assessment_create(service=service, bank=v1.bank, by=personas["analyst"])
        a.bank_version = v1
        a.save(update_fields=["bank_version"])
        services.answers_save(
            assessment=a,
            values={"CST-11": services.AnswerInput("1030"), "SUP-05": services.AnswerInput(90)},
            by=personas["analyst"],
            base_revisions=None,
        )
        on_v1.append(a)
    moved, kept = on_v1
    client = login(personas["analyst"])
    page = client.get(reverse("assessments:upgrade", args=[moved.pk])).content.decode()
    assert "Choices renamed (answers kept, mapped to the new values):" in page and "CST-11" in page
    assert "These answers will be cleared" not in page or "CST-11" not in page.split("will be cleared")[1][:80]
    client.post(reverse("assessments:upgrade", args=[moved.pk]))
    moved.refresh_from_db()
    assert moved.bank_version == v2
    assert moved.answers.get(question_code="CST-11").value == "10_30"
    assert moved.answers.get(question_code="SUP-05").value == 90
    change = AnswerChange.objects.filter(assessment=moved, question_code="CST-11").last()
    assert change.old_value["value"] == "1030" and change.new_value["value"] == "10_30"
    assert "choice renamed" in change.by_label
    assert {q.code: q for q in assessment_score(moved).questions}["CST-11"].points == 1
    # Pinned to version 1, the other keeps "1030", still scored as its choice.
    assert kept.answers.get(question_code="CST-11").value == "1030"
    assert {q.code: q for q in assessment_score(kept).questions}["CST-11"].points == 1


# --- Due date and the invitation's link --------------------------------------------------------


def test_a_due_date_in_the_past_is_refused_with_a_message(login, personas, service, shipped_version):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = login(personas["analyst"]).post(
        reverse("assessments:create"),
        {"service": service.pk, "bank": shipped_version.bank.pk, "due_date": yesterday.isoformat()},
    )
    assert response.status_code == 200
    assert "is in the past; choose today" in response.content.decode()
    assert not service.assessments.exists()


def test_the_invitation_link_covers_the_due_date_by_default(assessment, personas, settings):
    settings.PORTAL_LINK_DAYS = 14
    assessment.due_date = timezone.localdate() + dt.timedelta(days=40)
    assessment.save(update_fields=["due_date"])
    contact = VendorContact.objects.create(vendor=assessment.service.vendor, name="Vic", email="vic@lab.example")
    (invitation,) = portal.invite(assessment=assessment, contacts=[contact], by=personas["analyst"], base_url="")
    assert timezone.localdate(invitation.expires_at) >= assessment.due_date
    assert portal.default_link_days(assessment) == 41
    assessment.due_date = timezone.localdate() + dt.timedelta(days=400)
    assert portal.default_link_days(assessment) == portal.MAX_DAYS
    assessment.due_date = None
    assert portal.default_link_days(assessment) == 14


def test_the_invite_form_offers_days_that_reach_the_due_date(login, personas, assessment):
    assessment.due_date = timezone.localdate() + dt.timedelta(days=30)
    assessment.save(update_fields=["due_date"])
    VendorContact.objects.create(vendor=assessment.service.vendor, name="Vic", email="vic@lab.example")
    page = login(personas["analyst"]).get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert 'name="days" value="31"' in page and "The link stays valid" in page


def test_create_assessment_refuses_an_intake_outside_its_limits_and_creates_nothing(tmp_path, service, shipped_version):
    intake = tmp_path / "intake.yaml"
    intake.write_text("INT-01: customer_or_regulated\nINT-06: -30\nINT-05: 1e3\n")
    args = ["--vendor", "Frontier Lab", "--service", "Frontier API", "--bank", "ai-vendor-due-diligence"]
    with pytest.raises(CommandError) as exc:
        call_command("create_assessment", *args, "--intake", str(intake))
    assert "INT-06: -30 days is outside the allowed range (from 0 to 3650 days)." in str(exc.value)
    assert "(INT-05): '1e3' is not a number" in str(exc.value)
    assert not service.assessments.exists()
