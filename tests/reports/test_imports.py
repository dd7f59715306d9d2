"""import_assessment treats the record file as untrusted: signatures, --trust and imported banks (F12)."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from procurement.assessments.models import Assessment
from procurement.questionbank.models import BankVersion, QuestionBank
from procurement.questionbank.services import bank_export, bank_load
from procurement.reports import services
from procurement.reports.context import report_context_from_record
from procurement.reports.exports import record_json
from procurement.reports.imports import assessment_import
from procurement.reports.signing import Verdict, envelope_verify
from tests.conftest import decided_world, module_world

pytestmark = pytest.mark.django_db

# The decided assessment (and the organisations and people around it) once for the module.
module_world_rows, world, org, other_org, personas, decided = module_world(
    decided_world, "org", "other_org", "personas", "decided"
)

MARK = "Imported without a verified signature"
OTHER_KEY = "the-other-installation's-record-signing-key"


def _import(tmp_path, envelope: dict | str, *options: str) -> Assessment:
    """Run the command on the envelope; the new assessment."""
    path = tmp_path / "record.json"
    path.write_text(envelope if isinstance(envelope, str) else json.dumps(envelope))
    before = set(Assessment.objects.values_list("pk", flat=True))
    call_command("import_assessment", str(path), "--org", "other", *options)
    (pk,) = set(Assessment.objects.values_list("pk", flat=True)) - before
    return Assessment.objects.get(pk=pk)


def _refused(tmp_path, envelope: dict, match: str) -> None:
    count = Assessment.objects.count()
    path = tmp_path / "record.json"
    path.write_text(json.dumps(envelope))
    with pytest.raises(CommandError, match=match):
        call_command("import_assessment", str(path), "--org", "other")
    assert Assessment.objects.count() == count


def test_a_decision_forged_in_an_exported_record_is_refused_without_trust(tmp_path, decided, other_org):
    envelope = json.loads(record_json(decided.frozen_record))
    assert decided.frozen_record["decision"]["outcome"] == "rejected"
    envelope["record"]["decision"]["outcome"] = "approved"
    _refused(tmp_path, envelope, "changed after it was exported")
    assert not Assessment.objects.filter(organisation=other_org).exists()


def test_any_field_changed_after_export_is_refused(tmp_path, decided, other_org):
    exported = json.loads(record_json(decided.frozen_record))
    changes = [
        lambda r: r["score"].update(residual="low"),
        lambda r: r["answers"][next(iter(r["answers"]))].update(value="forged"),
        lambda r: r["bank"]["document"]["sections"][0]["questions"][0].update(text="Softer question?"),
        lambda r: r["vendor"].update(name="Someone Else Ltd"),
    ]
    for change in changes:
        envelope = copy.deepcopy(exported)
        change(envelope["record"])
        _refused(tmp_path, envelope, "changed after it was exported")


def test_a_record_without_a_signature_is_refused(tmp_path, decided, other_org):
    envelope = json.loads(record_json(decided.frozen_record))
    del envelope["signature"]
    _refused(tmp_path, envelope, "carries no signature")
    envelope["signature"] = "trust me"
    _refused(tmp_path, envelope, "carries no signature")


def test_a_trusted_unverified_import_is_marked_on_the_page_the_list_and_the_report(
    tmp_path, decided, other_org, personas, login, monkeypatch, django_capture_on_commit_callbacks
):
    envelope = json.loads(record_json(decided.frozen_record))
    envelope["record"]["decision"]["outcome"] = "approved"
    imported = _import(tmp_path, envelope, "--trust")
    assert imported.origin == Assessment.Origin.IMPORTED_UNVERIFIED and imported.is_unverified_import
    assert imported.status == Assessment.Status.APPROVED  # loaded as it says, but marked

    client = login(personas["outsider"])  # an admin of the other organisation
    detail = client.get(reverse("assessments:detail", args=[imported.pk])).content.decode()
    assert 'id="unverified-import"' in detail and MARK in detail
    listed = client.get(reverse("assessments:list")).content.decode()
    assert MARK in listed
    preview = client.get(reverse("reports:preview", args=[imported.pk])).content.decode()
    assert 'id="unverified-import"' in preview and MARK in preview
    ctx = report_context_from_record(imported.frozen_record, unverified_import=imported.is_unverified_import)
    assert ctx["unverified_import"] and ctx["unverified_import_warning"].startswith(MARK)

    # The PDF (rendered off the request path from the stored record) carries it on the cover.
    rendered: list[str] = []
    monkeypatch.setattr(services, "render_pdf", lambda html: (rendered.append(html), (b"%PDF-", 1))[1])
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request(assessment=imported)
    (html,) = rendered
    cover = html.split('<section class="summary">')[0]
    assert 'id="unverified-import"' in cover and MARK in cover


def test_an_export_imported_on_the_same_installation_verifies_and_is_not_marked(
    tmp_path, decided, other_org, personas, login
):
    exported = login(personas["analyst"]).get(reverse("reports:export_json", args=[decided.pk])).content.decode()
    assert envelope_verify(json.loads(exported)) is Verdict.VERIFIED
    banks, versions = QuestionBank.objects.count(), BankVersion.objects.count()
    imported = _import(tmp_path, exported)
    assert imported.origin == Assessment.Origin.IMPORTED and not imported.is_unverified_import
    assert imported.frozen_record == decided.frozen_record and imported.frozen_hash == decided.frozen_hash
    assert imported.bank_version == decided.bank_version  # exact content: the version is reused
    assert Assessment.objects.get(service=imported.service, is_newest=True) == imported  # its service's newest
    # The decision row says what the record says: who, in which role and under which authority.
    row, original = imported.decision, decided.decision
    assert (row.outcome, row.by_label, row.role, row.authority, row.note) == (
        original.outcome,
        original.by_label,
        original.role,
        original.authority,
        original.note,
    )
    assert (QuestionBank.objects.count(), BankVersion.objects.count()) == (banks, versions)
    client = login(personas["outsider"])
    for url in (reverse("assessments:detail", args=[imported.pk]), reverse("reports:preview", args=[imported.pk])):
        assert MARK not in client.get(url).content.decode()
    assert MARK not in client.get(reverse("assessments:list")).content.decode()


def test_an_import_with_a_changed_bank_never_adds_a_version_to_the_existing_bank(
    tmp_path, decided, other_org, shipped_version, client, personas
):
    # The target organisation has its own bank under the record's slug.
    own = bank_load(raw=bank_export(bank=shipped_version.bank), source="own.yaml", organisation=other_org).version.bank
    slug = decided.frozen_record["bank"]["slug"]
    assert own.slug == slug
    record = copy.deepcopy(decided.frozen_record)
    record["bank"]["document"]["sections"][0]["questions"][0]["text"] = "A question this installation never had?"
    own_versions = list(own.versions.values_list("pk", "status", "number"))
    shipped_versions = shipped_version.bank.versions.count()

    imported = _import(tmp_path, record_json(record))

    assert list(own.versions.values_list("pk", "status", "number")) == own_versions
    assert shipped_version.bank.versions.count() == shipped_versions
    separate = imported.bank_version.bank
    assert separate.organisation == other_org and separate not in (own, shipped_version.bank)
    assert separate.slug == f"{slug}-imported-1" and separate.name == f"{own.name} (imported)"
    (version,) = separate.versions.all()
    assert version.status == BankVersion.Status.RETIRED  # pinned by the record, offered to nobody
    assert imported.frozen_record == record
    # Nobody can start an assessment on it (it was listed, and then refused, before).
    client.force_login(personas["outsider"])  # an admin of other_org
    banks = client.get(reverse("assessments:create")).context["form"].fields["bank"].queryset
    assert separate not in banks and shipped_version.bank in banks

    # The same bank content again reuses that version; different content gets its own bank.
    again = _import(tmp_path, record_json(record))
    assert again.bank_version == version
    record["bank"]["document"]["sections"][0]["questions"][0]["text"] = "Yet another wording?"
    third = _import(tmp_path, record_json(record))
    assert third.bank_version.bank.slug == f"{slug}-imported-2"
    assert list(own.versions.values_list("pk", "status", "number")) == own_versions


def test_a_record_from_another_installation_verifies_with_that_installations_key(tmp_path, decided, other_org):
    envelope = json.loads(record_json(decided.frozen_record, key=OTHER_KEY))
    _refused(tmp_path, envelope, "signed by another installation")
    imported = _import(tmp_path, envelope, "--key", OTHER_KEY)
    assert imported.origin == Assessment.Origin.IMPORTED
    key_file = tmp_path / "key.txt"
    key_file.write_text(OTHER_KEY + "\n")
    assert _import(tmp_path, envelope, "--key-file", str(key_file)).origin == Assessment.Origin.IMPORTED
    with pytest.raises(CommandError, match="changed after it was exported"):
        envelope["record"]["score"]["residual"] = "low"
        _import(tmp_path, envelope, "--key", OTHER_KEY)


def test_the_service_refuses_an_unverified_record_unless_trusted(decided, other_org):
    from django.core.exceptions import ValidationError

    envelope = json.loads(record_json(decided.frozen_record))
    del envelope["signature"]
    with pytest.raises(ValidationError, match="carries no signature"):
        assessment_import(raw=json.dumps(envelope).encode(), organisation=other_org)
    result = assessment_import(raw=json.dumps(envelope).encode(), organisation=other_org, trust=True)
    assert result.verdict is Verdict.UNSIGNED and not result.verified
    assert result.assessment.origin == Assessment.Origin.IMPORTED_UNVERIFIED


def test_a_malformed_trusted_record_is_a_message_not_a_traceback(tmp_path, other_org):
    envelope = {"format": "ai-due-diligence-record", "version": 1, "record": {"vendor": {}}}
    path = tmp_path / "record.json"
    path.write_text(json.dumps(envelope))
    before = Assessment.objects.count()
    with pytest.raises(CommandError, match="incomplete or malformed"):
        call_command("import_assessment", str(path), "--org", "other", "--trust")
    assert Assessment.objects.count() == before
