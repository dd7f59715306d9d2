import pytest
from django.urls import reverse

from procurement.questionbank.services import bank_load, version_new_draft
from tests.conftest import SMALL_BANK

pytestmark = pytest.mark.django_db


def test_preview_shows_every_section_question_and_help(login, personas, shipped_version):
    response = login(personas["viewer"]).get(reverse("questionbank:version_preview", args=[shipped_version.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for section in shipped_version.sections.all():
        assert f'id="section-{section.code}"' in page
    for question in shipped_version.questions.all():
        assert f'id="q-{question.code}"' in page
    assert "The vendor&#x27;s promises to us are capped by its own leases" in page
    assert 'data-show-if-question="SEC-01"' in page


def test_preview_filters_by_audience(login, personas, shipped_version):
    url = reverse("questionbank:version_preview", args=[shipped_version.pk])
    page = login(personas["analyst"]).get(url + "?audience=buyer").content.decode()
    assert 'id="q-INT-01"' in page and 'id="q-SUP-05"' not in page


def test_preview_of_another_organisations_draft_is_404(login, personas, other_org):
    version = version_new_draft(version=bank_load(raw=SMALL_BANK, source="s", organisation=other_org).version)
    response = login(personas["admin"]).get(reverse("questionbank:version_preview", args=[version.pk]))
    assert response.status_code == 404


def test_any_member_downloads_a_version_as_the_bank_file_it_loads_from(login, personas, org):
    from procurement.questionbank.document import parse_document
    from procurement.questionbank.services import version_to_document

    v1 = bank_load(raw=SMALL_BANK, source="s", organisation=org).version
    client = login(personas["viewer"])
    assert (
        reverse("questionbank:version_download", args=[v1.pk])
        in client.get(reverse("questionbank:version_preview", args=[v1.pk])).content.decode()
    )
    response = client.get(reverse("questionbank:version_download", args=[v1.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="small-v1.yaml"'
    assert parse_document(response.content, source="small-v1.yaml") == version_to_document(v1)


def test_preview_requires_login(client, shipped_version):
    response = client.get(reverse("questionbank:version_preview", args=[shipped_version.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- What changed, and publishing -------------------------------------------------------


@pytest.fixture
def org_draft(org):
    v1 = bank_load(raw=SMALL_BANK, source="s", organisation=org).version
    draft = version_new_draft(version=v1)
    q = draft.questions.get(code="OPS-01")
    q.text = "Is there a tested fallback?"
    q.save()
    choice = draft.questions.get(code="IN-01").choices.get(value="low")
    choice.points = 0
    choice.save()
    return draft


def test_compare_shows_each_change_in_words_with_its_kind(login, personas, org_draft):
    page = login(personas["viewer"]).get(reverse("questionbank:version_compare", args=[org_draft.pk])).content.decode()
    assert "Is there a <ins>tested </ins>fallback?" in page
    assert "Points for “Low”" in page and "<del>1 point</del> → <ins>0 points</ins>" in page
    assert 'id="change-OPS-01"' in page and "Editorial (answers kept)" in page
    assert 'id="change-IN-01"' in page and "Substantive (asked again)" in page


def test_publishing_needs_a_changelog_and_keeps_the_draft_without_one(login, personas, org_draft):
    client = login(personas["admin"])
    url = reverse("questionbank:version_publish", args=[org_draft.pk])
    response = client.post(url, {"changelog": "   "})
    assert response.status_code == 400
    assert "Write a changelog before publishing" in response.content.decode()
    org_draft.refresh_from_db()
    assert org_draft.status == "draft"


def test_publishing_with_a_changelog_and_an_editors_mark(login, personas, org_draft):
    client = login(personas["admin"])
    url = reverse("questionbank:version_publish", args=[org_draft.pk])
    page = client.get(url).content.decode()
    assert 'name="mark-IN-01"' in page and 'name="mark-OPS-01"' in page
    response = client.post(url, {"changelog": "Fallback reworded; low criticity scores 0.", "mark-IN-01": "editorial"})
    assert response.status_code == 302
    moving = reverse("assessments:bank_rescoring", args=[org_draft.pk])
    assert f'<a href="{moving}">Your assessments on earlier versions</a>' in client.get(response.url).content.decode()
    org_draft.refresh_from_db()
    assert org_draft.status == "published" and org_draft.number == 2
    assert org_draft.changelog == "Fallback reworded; low criticity scores 0."
    assert org_draft.questions.get(code="IN-01").change_kind == "editorial"
    page = client.get(reverse("questionbank:version_compare", args=[org_draft.pk])).content.decode()
    assert "marked by the editor" in page and "Substantive (asked again)" not in page


def test_publishing_a_draft_that_would_not_load_lists_every_problem(login, personas, org_draft):
    from procurement.questionbank.models import Question

    Question.objects.filter(version=org_draft, code="OPS-02").update(bands=[{"from": 0, "to": 10, "points": 4}])
    Question.objects.filter(version=org_draft, code="OPS-03").update(show_if_question="OPS-05")
    client = login(personas["admin"])
    url = reverse("questionbank:version_publish", args=[org_draft.pk])
    # Opening the page already says what stops it, each problem linked to the question's form.
    ops02 = org_draft.questions.get(code="OPS-02").pk
    edit = reverse("admin:questionbank_question_change", args=[ops02])
    page = client.get(url).content.decode()
    assert "Not published" not in page and f'<a href="{edit}"\n          class="alert-link">Edit OPS-02</a>' in page
    response = client.post(url, {"changelog": "Try"})
    page = response.content.decode()
    assert response.status_code == 400 and "Not published" in page
    assert "OPS-02" in page and "the last band ends at 10" in page and "OPS-03" in page
    assert f'href="{edit}"' in page and "Edit OPS-03</a>" in page
    org_draft.refresh_from_db()
    assert org_draft.status == "draft"


def test_a_draft_changed_after_the_publish_page_opened_is_not_published_unseen(login, personas, org_draft):
    client = login(personas["admin"])
    url = reverse("questionbank:version_publish", args=[org_draft.pk])
    form = client.get(url).context["form"]
    q = org_draft.questions.get(code="OPS-01")
    q.text = "Is there a tested and documented fallback?"  # another editor, meanwhile
    q.save()
    response = client.post(url, {"changelog": "Fallback reworded.", "seen": form["seen"].initial})
    page = response.content.decode()
    assert response.status_code == 409 and "someone changed this draft after you opened this page" in page
    assert "documented" in page and "Fallback reworded." in page
    org_draft.refresh_from_db()
    assert org_draft.status == "draft"
    seen = response.context["form"]["seen"].initial
    assert client.post(url, {"changelog": "Fallback reworded.", "seen": seen}).status_code == 302


def test_an_org_admin_cannot_publish_the_shipped_bank(login, personas, shipped_version):
    draft = version_new_draft(version=shipped_version)
    response = login(personas["admin"]).post(
        reverse("questionbank:version_publish", args=[draft.pk]), {"changelog": "Mine now"}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- Rule parameters through a form, with a preview -----------------------------------------


@pytest.fixture
def shipped_copy(org, shipped_version):
    from procurement.questionbank.services import bank_copy_to_organisation

    return bank_copy_to_organisation(version=shipped_version, organisation=org)


def _rule_form_data(client, url):
    """The form's current values, as a browser would post them."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = [str(v) for v in value] if isinstance(value, list) else ("" if value is None else str(value))
    return data


def test_rules_page_says_what_each_rule_does_and_rescores_the_profiles(login, personas, shipped_copy):
    page = login(personas["admin"]).get(reverse("questionbank:version_rules", args=[shipped_copy.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Fires when the shortest notice we can rely on" in text and "days we need to migrate away" in text
    assert "lab api leased capacity" in text and "Executive risk acceptance required" in text
    assert 'name="p-bands-high"' in text and 'name="p-rules-notice_gap-severity"' in text


def test_preview_shows_the_effect_of_a_threshold_without_saving(login, personas, shipped_copy):
    client = login(personas["admin"])
    url = reverse("questionbank:version_rules", args=[shipped_copy.pk])
    data = _rule_form_data(client, url) | {"p-bands-high": "30", "preview": "1"}
    response = client.post(url, data)
    assert response.status_code == 200
    lab = next(p for p in response.context["profiles"] if p.name == "lab api leased capacity")
    assert lab.before.decision == "Executive risk acceptance required" and lab.after.decision == "Reject"
    shipped_copy.refresh_from_db()
    assert shipped_copy.rule_params["bands"]["high"] == 45


def test_saving_a_band_and_a_rule_threshold_through_the_form(login, personas, shipped_copy):
    client = login(personas["admin"])
    url = reverse("questionbank:version_rules", args=[shipped_copy.pk])
    data = _rule_form_data(client, url) | {
        "p-bands-high": "40",
        "p-rules-single_upstream_provider-condition-all-0-lt": "48",
        "p-rules-capacity_headroom-flag_below": "1.5",
        "save": "1",
    }
    assert client.post(url, data).status_code == 302
    shipped_copy.refresh_from_db()
    params = shipped_copy.rule_params
    assert params["bands"]["high"] == 40
    assert params["rules"]["single_upstream_provider"]["condition"]["all"][0] == {"question": "INT-05", "lt": 48}
    assert params["rules"]["capacity_headroom"]["flag_below"] == 1.5
    # Nothing else moved: the form round-trips the rest unchanged.
    original = shipped_copy.based_on.rule_params
    assert {k: v for k, v in params.items() if k not in ("bands", "rules")} == {
        k: v for k, v in original.items() if k not in ("bands", "rules")
    }


def test_a_rules_save_over_anothers_later_save_is_refused_and_keeps_the_typed_values(login, personas, shipped_copy):
    from procurement.questionbank.services import version_set_rule_params

    client = login(personas["admin"])
    url = reverse("questionbank:version_rules", args=[shipped_copy.pk])
    data = _rule_form_data(client, url) | {"loaded_at": shipped_copy.updated_at.isoformat(), "p-bands-high": "40"}
    theirs = {**shipped_copy.rule_params, "bands": {**shipped_copy.rule_params["bands"], "high": 50}}
    version_set_rule_params(version=shipped_copy, params=theirs)  # another admin, meanwhile
    response = client.post(url, data | {"save": "1"})
    text = response.content.decode()
    assert response.status_code == 409 and "someone else saved this draft after you opened this page" in text
    assert 'name="p-bands-high" value="40"' in text
    shipped_copy.refresh_from_db()
    assert shipped_copy.rule_params["bands"]["high"] == 50
    # Warned, a second Save is deliberate and replaces theirs.
    data["loaded_at"] = response.context["loaded_at"]
    assert client.post(url, data | {"save": "1"}).status_code == 302
    shipped_copy.refresh_from_db()
    assert shipped_copy.rule_params["bands"]["high"] == 40


def test_the_self_attested_point_is_a_checkbox_of_the_form(login, personas, shipped_copy):
    client = login(personas["admin"])
    url = reverse("questionbank:version_rules", args=[shipped_copy.pk])
    data = _rule_form_data(client, url)
    assert data["p-self_attested_point"] == "True"  # version 4 turns it on
    data.pop("p-self_attested_point")  # an unticked checkbox is not posted
    assert client.post(url, data | {"save": "1"}).status_code == 302
    shipped_copy.refresh_from_db()
    assert shipped_copy.rule_params["self_attested_point"] is False


def test_values_that_would_not_work_are_refused_in_words_and_nothing_is_saved(login, personas, shipped_copy):
    client = login(personas["admin"])
    url = reverse("questionbank:version_rules", args=[shipped_copy.pk])
    data = _rule_form_data(client, url) | {"p-bands-high": "70", "p-bands-moderate": "abc", "save": "1"}
    response = client.post(url, data)
    assert response.status_code == 400 and "Enter a number." in response.content.decode()
    data |= {"p-bands-moderate": "25"}
    response = client.post(url, data)
    text = response.content.decode()
    assert response.status_code == 400 and "Not saved" in text and "bands" in text
    shipped_copy.refresh_from_db()
    assert shipped_copy.rule_params["bands"]["high"] == 45


def test_the_json_view_is_for_site_staff_and_goes_through_the_same_check(login, personas, shipped_version):
    draft = version_new_draft(version=shipped_version)
    client = login(personas["staff"])
    url = reverse("questionbank:version_rules", args=[draft.pk])
    assert "Advanced: the rule parameters as JSON" in client.get(url).content.decode()
    response = client.post(url, {"raw": '{"bands": {"moderate": 25,', "save": "1"})
    assert response.status_code == 400 and "This is not valid JSON" in response.content.decode()
    response = client.post(url, {"raw": '{"bands": {"moderate": 50, "high": 45, "critical": 65}}', "save": "1"})
    assert response.status_code == 400 and "bands" in response.content.decode()
    draft.refresh_from_db()
    assert draft.rule_params["bands"]["moderate"] == 25
    admin_page = login(personas["admin"]).get(
        reverse("questionbank:version_rules", args=[draft.pk])
    )  # an org admin may not edit the shipped bank
    assert admin_page.status_code == 403


# --- Taking the shipped bank's later changes into an organisation's draft -----------------------


def test_an_org_draft_takes_chosen_upstream_changes_question_by_question(login, personas, org, shipped_version):
    from procurement.questionbank.services import bank_copy_to_organisation, version_publish

    mine = version_publish(version=bank_copy_to_organisation(version=shipped_version, organisation=org))
    draft = version_new_draft(version=mine)
    own = draft.questions.get(code="SUP-05")
    own.help_text = "Our own help."
    own.save()
    shipped_draft = version_new_draft(version=shipped_version)
    for code, text in (("SUP-03", "Reworded upstream?"), ("SUP-04", "Also reworded upstream?")):
        q = shipped_draft.questions.get(code=code)
        q.text = text
        q.save()
    version_publish(version=shipped_draft, changelog="Two rewordings.")

    client = login(personas["admin"])
    url = reverse("questionbank:version_upstream", args=[draft.pk])
    assert "take its changes" in client.get(reverse("questionbank:version_preview", args=[draft.pk])).content.decode()
    page = client.get(url).content.decode()
    assert 'value="SUP-03"' in page and 'value="SUP-04"' in page and "Reworded <ins>upstream?" not in page
    response = client.post(url, {"take": ["SUP-03"]}, follow=True)
    assert "Taken into" in response.content.decode()
    assert draft.questions.get(code="SUP-03").text == "Reworded upstream?"
    assert draft.questions.get(code="SUP-04").text != "Also reworded upstream?"
    assert draft.questions.get(code="SUP-05").help_text == "Our own help."
    draft.refresh_from_db()
    assert "SUP-03" in draft.changelog
    page = client.get(url).content.decode()
    assert "(already in your draft)" in page
