"""Model lifecycle (issue 23, part 3): the model version in use and the vendor's announced
deprecation and retirement per service; a retirement inside our days to migrate is a finding of
the one model-retirement rule, with a due date; importing a vendor's deprecation notice (page
and command) validates like answer files and flags the services; retirement reminders on the
shared schedule, run twice, sent once."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from procurement.assessments.models import Assessment
from procurement.assessments.selectors import assessment_score
from procurement.core.models import OutboxMessage
from procurement.portfolio.evidence_services import model_lifecycle_update, model_notices_import
from procurement.vendors.models import ModelLifecycle
from procurement.vendors.selectors import model_retirements

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def retirement_hit(assessment):
    result = assessment_score(assessment)
    return next((h for h in result.knockouts + result.flags if h.name == "model_retirement_notice"), None)


def test_a_retirement_inside_our_days_to_migrate_is_a_finding_with_a_due_date(complete_assessment):
    """The profile gives 180 days' notice and needs 180 days to migrate: quiet until the vendor
    announces a retirement 60 days away."""
    assert retirement_hit(complete_assessment) is None
    retires = TODAY + dt.timedelta(days=60)
    model_lifecycle_update(
        service=complete_assessment.service,
        values={"model_version": "fx-1-2026-01", "retires_on": retires, "replacement": "fx-2"},
        by_label="Ann Analyst",
    )
    hit = retirement_hit(complete_assessment)
    assert hit is not None and hit.compared["due_date"] == retires.isoformat()
    assert f"retires on {retires.day} {retires:%b %Y}, in 60 days" in hit.reasons[0]
    assert "We need 180 days" in hit.reasons[0]


def test_an_earlier_retirement_rescores_open_assessments_and_flags_a_decided_service(decided):
    service = decided.service
    record = decided.frozen_record
    model_lifecycle_update(
        service=service, values={"retires_on": TODAY + dt.timedelta(days=30), "model_version": "cb-3"}, by_label="x"
    )
    decided.refresh_from_db()
    assert f"The vendor retires cb-3 (used by ClaimsBot SaaS) on {TODAY + dt.timedelta(days=30):%d %b %Y}" in (
        decided.reassess_reason
    )
    assert decided.frozen_record == record
    Assessment.objects.filter(pk=decided.pk).update(reassess_reason="")
    model_lifecycle_update(service=service, values={"retires_on": TODAY + dt.timedelta(days=90)}, by_label="x")
    assert Assessment.objects.get(pk=decided.pk).reassess_reason == ""  # a later date is no news


def test_a_retirement_before_its_deprecation_is_refused(service):
    with pytest.raises(ValidationError) as caught:
        model_lifecycle_update(
            service=service,
            values={"deprecated_on": dt.date(2027, 3, 1), "retires_on": dt.date(2027, 1, 1)},
            by_label="x",
        )
    assert "before the deprecation date" in caught.value.message_dict["retires_on"][0]
    assert not ModelLifecycle.objects.exists()


def test_model_retirements_gives_dated_rows_of_the_organisation_only(service, other_service, personas):
    model_lifecycle_update(service=service, values={"retires_on": TODAY + dt.timedelta(days=10)}, by_label="x")
    model_lifecycle_update(service=other_service, values={"retires_on": TODAY + dt.timedelta(days=10)}, by_label="x")
    rows = model_retirements(organisation=service.vendor.organisation, until=TODAY + dt.timedelta(days=30))
    assert [(r.kind, r.service_id, r.due) for r in rows] == [
        ("model_retirement", service.pk, TODAY + dt.timedelta(days=10))
    ]
    assert rows[0].title == "fx-1 retires" and rows[0].owner == personas["analyst"]


def test_the_service_page_shows_a_retiring_model(client, personas, service):
    model_lifecycle_update(
        service=service,
        values={"model_version": "fx-1-2026-01", "retires_on": TODAY + dt.timedelta(days=45), "replacement": "fx-2"},
        by_label="x",
    )
    client.force_login(personas["viewer"])
    page = client.get(service.get_absolute_url()).content.decode()
    assert "fx-1-2026-01" in page and f"{TODAY + dt.timedelta(days=45):%-d %b %Y}" in page and "fx-2" in page


def test_the_lifecycle_form_refuses_far_dates_with_a_message(client, personas, service):
    client.force_login(personas["analyst"])
    url = reverse("vendors:model_lifecycle", args=[service.vendor_id, service.pk])
    response = client.post(url, {"model_version": "fx-1", "retires_on": "2099-01-01"})
    assert response.status_code == 400 and "more than 10 years away" in response.content.decode()
    assert not ModelLifecycle.objects.exists()
    assert client.post(url, {"model_version": "fx-1", "retires_on": "2027-05-31"}).status_code == 302
    assert ModelLifecycle.objects.get().retires_on == dt.date(2027, 5, 31)
    assert 'value="2027-05-31"' in client.get(url).content.decode()  # opens with what is recorded


# --- Deprecation notices -----------------------------------------------------------------------

CSV_NOTICE = b"model,service,deprecation_date,retirement_date,replacement\nfx-1,,2026-12-01,2027-02-28,fx-2\n"


def test_a_notice_file_sets_the_dates_of_every_matching_service_and_flags_them(service, personas, decided):
    decided.service.model_name = "FX-1"
    decided.service.vendor = service.vendor
    decided.service.save()
    preview = model_notices_import(vendor=service.vendor, raw=CSV_NOTICE, filename="n.csv", by=None, commit=False)
    assert preview.problems == [] and len(preview.changed) == 2 and not ModelLifecycle.objects.exists()
    done = model_notices_import(
        vendor=service.vendor, raw=CSV_NOTICE, filename="n.csv", by=personas["analyst"], commit=True
    )
    assert sorted(done.changed) == [
        "ClaimsBot SaaS: retires 28 Feb 2027, replacement fx-2 (row 2)",
        "Frontier API: retires 28 Feb 2027, replacement fx-2 (row 2)",
    ]
    life = ModelLifecycle.objects.get(service=service)
    assert (life.deprecated_on, life.retires_on, life.replacement) == (
        dt.date(2026, 12, 1),
        dt.date(2027, 2, 28),
        "fx-2",
    )
    assert life.source.startswith("Deprecation notice n.csv")
    decided.refresh_from_db()
    assert "The vendor retires FX-1 (used by ClaimsBot SaaS) on 28 Feb 2027; replacement: fx-2." in (
        decided.reassess_reason
    )


def test_a_yaml_notice_names_the_service(service):
    raw = b"notices:\n- {service: Frontier API, retirement_date: 2027-03-31}\n"
    result = model_notices_import(vendor=service.vendor, raw=raw, filename="n.yaml", by=None, commit=True)
    assert result.problems == [] and ModelLifecycle.objects.get().retires_on == dt.date(2027, 3, 31)


@pytest.mark.parametrize(
    ("raw", "name", "problem"),
    [
        (
            b"model,retirement_date\nfx-1,2027-02-30\n",
            "n.csv",
            "row 2, column retirement_date: '2027-02-30' is not a valid date",
        ),
        (b"model,retirement_date\nfx-1,\n", "n.csv", "row 2, column retirement_date: the retirement date is missing"),
        (
            b"model,retirement_date\nfx-9,2027-01-01\n",
            "n.csv",
            "row 2, column model: no service of Frontier Lab matches",
        ),
        (b"model,retirement_date,colour\nfx-1,2027-01-01,red\n", "n.csv", "row 2, column colour: not a column"),
        (
            b"model,deprecation_date,retirement_date\nfx-1,2027-05-01,2027-01-01\n",
            "n.csv",
            "is before the deprecation date",
        ),
        (b"model,retirement_date\nfx-1,2199-01-01\n", "n.csv", "more than 10 years away"),
        (b"notices:\n- model: fx-1\n  retirement_date: 2027-01-01\n  replacement: &a fx-2\n", "n.yaml", "YAML"),
        (
            b"notices:\n- model: fx-1\n\n- model: fx-1\n  retirement_date: soon\n",
            "n.yaml",
            "line 4, column retirement_date",
        ),
        (b"", "n.csv", "The file is empty"),
    ],
)
def test_a_bad_notice_names_every_problem_with_row_and_column_and_writes_nothing(service, raw, name, problem):
    result = model_notices_import(vendor=service.vendor, raw=raw, filename=name, by=None, commit=True)
    assert any(problem in p for p in result.problems), result.problems
    assert not ModelLifecycle.objects.exists()


def test_one_bad_row_stops_the_good_ones_too(service):
    raw = b"model,retirement_date\nfx-1,2027-01-01\nfx-1,31/01/2027\n"
    result = model_notices_import(vendor=service.vendor, raw=raw, filename="n.csv", by=None, commit=True)
    assert result.problems == ["row 3, column retirement_date: '31/01/2027' is not a date (YYYY-MM-DD)."]
    assert not ModelLifecycle.objects.exists()


def test_the_import_page_previews_then_imports(client, personas, service):
    client.force_login(personas["analyst"])
    url = reverse("vendors:model_notice_import", args=[service.vendor_id])
    bad = client.post(url, {"file": SimpleUploadedFile("n.csv", b"model,retirement_date\nfx-1,someday\n")})
    assert bad.status_code == 400 and "row 2, column retirement_date" in bad.content.decode()
    preview = client.post(url, {"file": SimpleUploadedFile("n.csv", CSV_NOTICE)})
    assert preview.status_code == 200 and "Frontier API: retires 28 Feb 2027" in preview.content.decode()
    assert not ModelLifecycle.objects.exists()
    assert client.post(url, {"action": "import"}).status_code == 302
    assert ModelLifecycle.objects.get().retires_on == dt.date(2027, 2, 28)


def test_the_import_command_refuses_a_bad_file_and_imports_a_good_one(tmp_path, service):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"model,retirement_date\nfx-1,1999-01-01\n")
    with pytest.raises(CommandError, match=r"bad.csv: row 2, column retirement_date: 1999-01-01 is before"):
        call_command("import_model_notice", str(bad), "--organisation", "acme", "--vendor", "Frontier Lab")
    good = tmp_path / "good.csv"
    good.write_bytes(CSV_NOTICE)
    out = io.StringIO()
    call_command("import_model_notice", str(good), "--organisation", "acme", "--vendor", "Frontier Lab", stdout=out)
    assert "Changed and flagged: 1 service(s)." in out.getvalue()
    assert ModelLifecycle.objects.get().retires_on == dt.date(2027, 2, 28)


# --- Reminders -----------------------------------------------------------------------------------


def test_model_retirement_reminders_run_twice_are_sent_once(service, personas):
    personas["analyst"].email = "analyst@acme.example"
    personas["analyst"].save()
    retires = TODAY + dt.timedelta(days=40)
    life, _ = model_lifecycle_update(service=service, values={"retires_on": retires}, by_label="x")
    for _ in range(2):
        call_command(
            "send_notifications", "--date", (retires - dt.timedelta(days=30)).isoformat(), stdout=io.StringIO()
        )
    sent = OutboxMessage.objects.filter(key__contains=f"model:{life.pk}:")
    assert (
        sent.count() == 1 and "Model retires in 30 days: Frontier Lab — Frontier API" in sent.get().payload["subject"]
    )
