"""The bank editor in the Django admin: pages open, publishing works, scope holds."""

import json

import pytest
from django.urls import reverse

from procurement.questionbank.models import BankVersion, Question
from procurement.questionbank.services import bank_load, version_new_draft
from tests.conftest import SMALL_BANK

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_bank(org):
    return bank_load(raw=SMALL_BANK, source="s.yaml", organisation=org).version


@pytest.fixture
def other_bank(other_org):
    return bank_load(raw=SMALL_BANK, source="s.yaml", organisation=other_org).version


def admin_url(name, *args):
    return reverse(f"admin:questionbank_{name}", args=args)


def test_admin_pages_open_for_site_staff(login, personas, shipped_version):
    client = login(personas["staff"])
    question = shipped_version.questions.first()
    for url in (
        reverse("admin:index"),
        admin_url("questionbank_changelist"),
        admin_url("questionbank_change", shipped_version.bank.pk),
        admin_url("bankversion_changelist"),
        admin_url("bankversion_change", shipped_version.pk),
        admin_url("section_changelist"),
        admin_url("section_change", shipped_version.sections.first().pk),
        admin_url("question_changelist") + "?q=notice",
        admin_url("question_change", question.pk),
        admin_url("bankversion_add"),
    ):
        assert client.get(url).status_code == 200, url


def test_publish_goes_through_the_admin_action(login, personas, shipped_version):
    draft = version_new_draft(version=shipped_version)
    draft.changelog = "Reworded SUP-05."
    draft.save()
    response = login(personas["staff"]).post(
        admin_url("bankversion_changelist"),
        {"action": "publish_versions", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == BankVersion.Status.PUBLISHED and draft.number == 2
    assert "Published" in response.content.decode()


def test_publish_action_reports_every_problem_and_keeps_the_draft(login, personas, org_bank):
    draft = version_new_draft(version=org_bank)
    Question.objects.filter(version=draft, code="OPS-02").update(bands=[{"from": 0, "to": 10, "points": 4}])
    response = login(personas["admin"]).post(
        admin_url("bankversion_changelist"), {"action": "publish_versions", "_selected_action": [draft.pk]}, follow=True
    )
    page = response.content.decode()
    assert "was not published" in page and "OPS-02" in page
    assert reverse("questionbank:version_publish", args=[draft.pk]) in page
    draft.refresh_from_db()
    assert draft.status == BankVersion.Status.DRAFT


def test_new_draft_and_export_actions(login, personas, shipped_version):
    client = login(personas["staff"])
    client.post(
        admin_url("bankversion_changelist"),
        {"action": "new_draft_from_versions", "_selected_action": [shipped_version.pk]},
    )
    assert BankVersion.objects.filter(based_on=shipped_version, status="draft").count() == 1
    response = client.post(
        admin_url("bankversion_changelist"),
        {"action": "export_yaml", "_selected_action": [shipped_version.pk]},
        follow=True,
    )
    assert response["Content-Type"].startswith("application/yaml")
    assert b"slug: ai-vendor-due-diligence" in response.content


def test_admin_post_to_a_published_question_is_refused(login, personas, shipped_version):
    question = shipped_version.questions.get(code="SUP-05")
    client = login(personas["staff"])
    page = client.get(admin_url("question_change", question.pk)).content.decode()
    assert 'name="text"' not in page  # rendered read-only
    response = client.post(
        admin_url("question_change", question.pk),
        {"section": question.section_id, "code": "SUP-05", "text": "Hacked", "answer_type": "text", "weight": 2},
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.text != "Hacked"


def test_admin_edits_a_draft_question(login, personas, org_bank):
    draft = version_new_draft(version=org_bank)
    question = draft.questions.get(code="OPS-05")
    client = login(personas["admin"])
    data = {
        "section": question.section_id,
        "code": "OPS-05",
        "order": 4,
        "text": "Describe the tested runbook",
        "help_text": "",
        "answer_type": "text",
        "unit": "",
        "bands": "[]",
        "allow_na": "on",
        "weight": 2,
        "audience": "vendor",
        "show_if_question": "",
        "show_if_values": "[]",
        "framework_refs": "[]",
        "choices-TOTAL_FORMS": 0,
        "choices-INITIAL_FORMS": 0,
    }
    response = client.post(admin_url("question_change", question.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.text == "Describe the tested runbook"


def test_org_admin_edits_own_bank_but_only_views_shipped_ones(login, personas, org_bank, shipped_version):
    client = login(personas["admin"])
    own_draft = version_new_draft(version=org_bank)
    page = client.get(admin_url("question_change", own_draft.questions.first().pk)).content.decode()
    assert 'name="text"' in page
    shipped_draft = version_new_draft(version=shipped_version)
    page = client.get(admin_url("question_change", shipped_draft.questions.first().pk)).content.decode()
    assert 'name="text"' not in page
    response = client.post(
        admin_url("bankversion_changelist"), {"action": "publish_versions", "_selected_action": [shipped_draft.pk]}
    )
    shipped_draft.refresh_from_db()
    assert shipped_draft.status == "draft", response


def test_other_organisations_banks_are_404_in_the_admin(login, personas, other_bank):
    client = login(personas["admin"])
    assert client.get(admin_url("bankversion_change", other_bank.pk)).status_code == 404
    assert client.get(admin_url("question_change", other_bank.questions.first().pk)).status_code == 404
    assert client.get(admin_url("bankversion_export", other_bank.pk)).status_code == 404
    other_bank.bank.name = "Secret bank"
    other_bank.bank.save()
    for name in ("questionbank_changelist", "bankversion_changelist", "section_changelist", "question_changelist"):
        listing = client.get(admin_url(name)).content.decode()
        assert "Other Corp" not in listing and "Secret bank" not in listing, name


@pytest.mark.parametrize("role", ["analyst", "reviewer", "viewer", "nobody"])
def test_non_editors_get_403_from_the_admin(login, personas, role, org_bank):
    client = login(personas[role])
    assert client.get(reverse("admin:index"), follow=True).status_code == 403
    assert client.get(admin_url("bankversion_change", org_bank.pk), follow=True).status_code == 403


def test_anonymous_users_are_sent_to_the_admin_login(client, org_bank):
    response = client.get(admin_url("bankversion_change", org_bank.pk))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_draft_versions_sections_inline_names_every_input(login, personas, org_bank):
    import re

    page = login(personas["admin"]).get(admin_url("bankversion_change", version_new_draft(version=org_bank).pk))
    inputs = re.findall(r"<(?:input|select|textarea)[^>]*name=\"sections-0-[^\"]+\"[^>]*>", page.content.decode())
    visible = [tag for tag in inputs if 'type="hidden"' not in tag]
    assert visible and all(
        'aria-label="Section ' in tag or 'aria-label="Delete this section"' in tag for tag in visible
    )


def test_a_version_save_over_anothers_later_save_is_refused(login, personas, org_bank):
    from procurement.questionbank.services import version_set_rule_params

    draft = version_new_draft(version=org_bank)
    client = login(personas["admin"])
    page = client.get(admin_url("bankversion_change", draft.pk))
    assert 'name="rule_params"' not in page.content.decode()  # the Scoring rules page edits them
    form = page.context["adminform"].form
    version_set_rule_params(version=draft, params=draft.rule_params)  # another admin saves meanwhile
    data = {"bank": draft.bank_id, "changelog": "Mine", "loaded_at": form["loaded_at"].initial}
    data |= {"sections-TOTAL_FORMS": "0", "sections-INITIAL_FORMS": "0"}
    response = client.post(admin_url("bankversion_change", draft.pk), data)
    assert response.status_code == 200 and "Someone else saved this draft" in response.content.decode()
    draft.refresh_from_db()
    assert draft.changelog == ""


# --- Customising the shipped bank, uploading files, deleting drafts ----------------------------


def test_an_org_admin_copies_the_shipped_bank_into_the_organisation(login, personas, org, shipped_version):
    client = login(personas["admin"])
    response = client.post(
        admin_url("bankversion_changelist"),
        {"action": "new_draft_from_versions", "_selected_action": [shipped_version.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "cannot edit and were skipped" not in page and "copied into" in page
    copy = BankVersion.objects.get(bank__organisation=org, status="draft")
    assert copy.based_on == shipped_version and copy.bank.slug == shipped_version.bank.slug
    assert copy.questions.count() == shipped_version.questions.count()
    # The copy is theirs to edit; the shipped bank is untouched and still read-only to them.
    assert 'name="text"' in client.get(admin_url("question_change", copy.questions.first().pk)).content.decode()
    assert shipped_version.bank.versions.count() == 1


def test_the_customise_button_copies_and_opens_the_draft(login, personas, org, shipped_version):
    client = login(personas["admin"])
    preview = client.get(reverse("questionbank:version_preview", args=[shipped_version.pk])).content.decode()
    assert 'id="copy-form"' in preview and "Customise for my" in preview
    response = client.post(reverse("questionbank:version_copy", args=[shipped_version.pk]))
    copy = BankVersion.objects.get(bank__organisation=org)
    assert response["Location"] == reverse("questionbank:version_preview", args=[copy.pk])
    assert (
        login(personas["analyst"]).post(reverse("questionbank:version_copy", args=[shipped_version.pk])).status_code
        == 403
    )
    assert BankVersion.objects.filter(bank__organisation=org).count() == 1


def test_an_org_admin_publishes_the_copy_with_its_changelog(login, personas, org, shipped_version):
    from procurement.questionbank.services import bank_copy_to_organisation, version_publish

    copy = bank_copy_to_organisation(version=shipped_version, organisation=org)
    assert version_publish(version=copy, by=personas["admin"]).number == 1
    assert copy.bank.organisation == org and shipped_version.bank.organisation is None


def test_yaml_upload_makes_a_draft_of_the_organisations_bank(login, personas, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(personas["admin"])
    assert client.get(admin_url("bankversion_upload")).status_code == 200
    upload = SimpleUploadedFile("small.yaml", SMALL_BANK.encode(), content_type="application/yaml")
    response = client.post(admin_url("bankversion_upload"), {"file": upload})
    version = BankVersion.objects.get(bank__organisation=org)
    assert response.status_code == 302 and version.status == "draft"


def test_yaml_upload_lists_every_problem_with_line_and_code_and_saves_nothing(login, personas, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SMALL_BANK.replace("type: yes_no", "type: maybe").replace("{from: 90, to: null", "{from: 80, to: null")
    upload = SimpleUploadedFile("bad.yaml", bad.encode(), content_type="application/yaml")
    response = login(personas["admin"]).post(admin_url("bankversion_upload"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400 and "Nothing was saved" in page
    assert (
        "bad.yaml:" in page
        and "(OPS-01)" in page
        and "&#x27;type&#x27; must be one of" in page
        and "bad.yaml:23 (OPS-01)" in page
        and "(OPS-02)" in page
    )
    assert not BankVersion.objects.filter(bank__organisation=org).exists()


def test_members_who_are_not_editors_cannot_upload(login, personas):
    assert login(personas["analyst"]).get(admin_url("bankversion_upload")).status_code in (302, 403)


def test_delete_is_offered_for_drafts_only(login, personas, org_bank):
    draft = version_new_draft(version=org_bank)
    client = login(personas["admin"])
    changelist = client.get(admin_url("bankversion_changelist")).content.decode()
    assert 'value="delete_selected"' not in changelist and 'value="delete_drafts"' in changelist
    response = client.post(
        admin_url("bankversion_changelist"),
        {"action": "delete_drafts", "_selected_action": [draft.pk, org_bank.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Deleted" in page and "published versions never change" in page
    assert not BankVersion.objects.filter(pk=draft.pk).exists() and BankVersion.objects.filter(pk=org_bank.pk).exists()
    assert "deletelink" not in client.get(admin_url("bankversion_change", org_bank.pk)).content.decode()


def test_publish_action_without_a_changelog_points_to_the_publish_page(login, personas, org_bank):
    draft = version_new_draft(version=org_bank)
    response = login(personas["admin"]).post(
        admin_url("bankversion_changelist"), {"action": "publish_versions", "_selected_action": [draft.pk]}, follow=True
    )
    page = response.content.decode()
    assert "Write a changelog before publishing" in page
    assert reverse("questionbank:version_publish", args=[draft.pk]) in page
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_retiring_says_how_many_assessments_still_pin_the_version(login, personas, assessment, shipped_version):
    response = login(personas["staff"]).post(
        admin_url("bankversion_changelist"),
        {"action": "retire_versions", "_selected_action": [shipped_version.pk]},
        follow=True,
    )
    assert "Still pinned by 1 assessment: they keep it until moved" in response.content.decode()


def test_retiring_names_the_organisations_own_assessments_that_pin_the_version(login, personas, org, service):
    from procurement.assessments.services import assessment_create

    v1 = bank_load(raw=SMALL_BANK, source="s", organisation=org).version
    pinned = assessment_create(service=service, bank=v1.bank, by=personas["analyst"])
    response = login(personas["admin"]).post(
        admin_url("bankversion_changelist"), {"action": "retire_versions", "_selected_action": [v1.pk]}, follow=True
    )
    detail = reverse("assessments:detail", args=[pinned.pk])
    assert f'Still pinned by your organisation\'s <a href="{detail}">A-{pinned.pk}</a>: they keep it' in (
        response.content.decode().replace("&#x27;", "'")
    )


# --- The question form: bands, show-if and references as fields --------------------------------


def _question_post(client, question) -> dict:
    """The question form's current values, as the admin page would post them."""
    form = client.get(admin_url("question_change", question.pk)).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    data |= {"choices-TOTAL_FORMS": 0, "choices-INITIAL_FORMS": 0}
    for i, choice in enumerate(question.choices.order_by("order", "pk")):
        data |= {
            f"choices-{i}-id": choice.pk,
            f"choices-{i}-question": question.pk,
            f"choices-{i}-order": choice.order,
            f"choices-{i}-value": choice.value,
            f"choices-{i}-label": choice.label,
            f"choices-{i}-points": "" if choice.points is None else choice.points,
            f"choices-{i}-renamed_from": json.dumps(choice.renamed_from),
        }
        data["choices-TOTAL_FORMS"] = data["choices-INITIAL_FORMS"] = i + 1
    return data


def test_the_question_form_shows_bands_show_if_and_references_as_fields(login, personas, org_bank):
    draft = version_new_draft(version=org_bank)
    client = login(personas["admin"])
    page = client.get(admin_url("question_change", draft.questions.get(code="OPS-02").pk)).content.decode()
    assert 'name="band_0_from" value="0"' in page and 'name="band_1_from" value="90"' in page
    assert 'name="bands"' not in page and 'name="framework_refs"' not in page
    page = client.get(admin_url("question_change", draft.questions.get(code="OPS-03").pk)).content.decode()
    assert '<option value="OPS-01:yes" selected>' in page and '<option value="IN-01:low">' in page


def test_overlapping_bands_are_refused_in_words_and_nothing_is_saved(login, personas, org_bank):
    draft = version_new_draft(version=org_bank)
    question = draft.questions.get(code="OPS-02")
    client = login(personas["admin"])
    data = _question_post(client, question) | {"band_1_from": "80"}
    response = client.post(admin_url("question_change", question.pk), data)
    page = response.content.decode()
    assert response.status_code == 200 and "gap or overlap between 0-90 and 80-None" in page
    question.refresh_from_db()
    assert question.bands[1]["from"] == 90


def test_show_if_from_two_questions_and_a_reference_without_clause_are_refused(login, personas, org_bank):
    draft = version_new_draft(version=org_bank)
    question = draft.questions.get(code="OPS-03")
    client = login(personas["admin"])
    data = _question_post(client, question) | {
        "show_if_choice": ["OPS-01:yes", "IN-01:high"],
        "ref_0_framework": "DORA",
        "ref_0_clause": "",
    }
    page = client.post(admin_url("question_change", question.pk), data).content.decode()
    assert "Pick answers of one question only (IN-01, OPS-01)" in page and "Give the DORA clause" in page


def test_editing_through_the_forms_exports_what_a_hand_edited_file_would(login, personas, org_bank):
    """Form round trip: bands, show-if and references edited in the admin, exported as YAML,
    equal the same edits made by hand in the file."""
    from procurement.questionbank.document import parse_document
    from procurement.questionbank.services import bank_export, version_publish

    draft = version_new_draft(version=org_bank)
    client = login(personas["admin"])
    ops02 = draft.questions.get(code="OPS-02")
    data = _question_post(client, ops02) | {
        "band_1_from": "60",
        "band_0_to": "60",
        "band_1_points": "1",
        "band_2_from": "",
        "ref_0_framework": "DORA",
        "ref_0_clause": "Art 28(8)",
        "ref_1_framework": "other",
        "ref_1_clause": "Internal policy 7",
    }
    assert client.post(admin_url("question_change", ops02.pk), data).status_code == 302
    ops03 = draft.questions.get(code="OPS-03")
    data = _question_post(client, ops03) | {"show_if_choice": ["OPS-01:yes"]}
    assert client.post(admin_url("question_change", ops03.pk), data).status_code == 302
    version_publish(version=draft, changelog="first")
    exported = parse_document(bank_export(bank=draft.bank), source="exported.yaml")

    by_hand = SMALL_BANK.replace(
        "    - {from: 0, to: 90, points: 4}\n    - {from: 90, to: null, points: 0}\n",
        "    - {from: 0, to: 60, points: 4}\n    - {from: 60, to: null, points: 1}\n"
        "    refs: [DORA Art 28(8), Internal policy 7]\n",
    ).replace("show_if: {question: OPS-01, in: [yes, partial]}", "show_if: {question: OPS-01, in: [yes]}")
    assert exported["sections"] == parse_document(by_hand, source="by-hand.yaml")["sections"]


def test_two_admins_editing_one_question_the_later_save_is_refused_not_merged(login, personas, org_bank):
    draft = version_new_draft(version=org_bank)
    question = draft.questions.get(code="OPS-05")
    client = login(personas["admin"])
    opened = _question_post(client, question)  # the first admin opens the form
    question.text = "Describe the runbook (edited by a colleague)"
    question.save()  # a colleague saves meanwhile
    response = client.post(admin_url("question_change", question.pk), opened | {"text": "Mine"})
    assert response.status_code == 200 and "Someone else saved this question after you opened it" in (
        response.content.decode()
    )
    question.refresh_from_db()
    assert question.text == "Describe the runbook (edited by a colleague)"


def _posted(form) -> dict:
    """What the browser posts for an unbound form: each field's initial value, by its HTML name."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[form.add_prefix(name)] = "on" if value is True else value
    return data


def test_a_question_row_saved_over_someone_elses_later_save_is_refused_and_theirs_kept(login, personas, org_bank):
    # The section page's question rows: two admins editing one draft are never silently merged.
    draft = version_new_draft(version=org_bank)
    section = draft.sections.get(code="OPS")
    client = login(personas["admin"])
    url = admin_url("section_change", section.pk)
    page = client.get(url)
    assert page.status_code == 200
    formset = page.context["inline_admin_formsets"][0].formset
    data = _posted(page.context["adminform"].form)
    data |= {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
    for form in formset.forms:
        data |= _posted(form)
    row = next(f for f in formset.forms if f.instance.code == "OPS-01")
    data[row.add_prefix("text")] = "Is there a tested fallback? (mine)"
    theirs = Question.objects.get(pk=row.instance.pk)
    theirs.text = "Is there a fallback? (theirs)"
    theirs.save()  # another admin, meanwhile
    refused = client.post(url, data)
    assert refused.status_code == 200 and "Someone else saved this question after you opened the page" in (
        refused.content.decode()
    )
    assert Question.objects.get(pk=theirs.pk).text == "Is there a fallback? (theirs)"
    # Unchanged rows are not checked: the same post without the edited line saves the section.
    data[row.add_prefix("text")] = theirs.text
    data[row.add_prefix("loaded_at")] = Question.objects.get(pk=theirs.pk).updated_at.isoformat()
    assert client.post(url, data).status_code == 302
