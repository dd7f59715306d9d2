from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.assessments import services
from procurement.assessments.evidence import evidence_store
from procurement.assessments.models import Answer, Assessment, Evidence
from procurement.assessments.services import AnswerInput
from procurement.questionbank.services import bank_load

pytestmark = pytest.mark.django_db


def section_url(a, code="SUP"):
    return reverse("assessments:section", args=[a.pk, code])


# --- Scope and roles ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "analyst", "reviewer", "viewer"])
def test_every_member_can_read_the_assessment(login, personas, assessment, role):
    client = login(personas[role])
    for url in (
        reverse("assessments:detail", args=[assessment.pk]),
        section_url(assessment),
        reverse("assessments:review", args=[assessment.pk]),
        reverse("assessments:history", args=[assessment.pk, "SUP-05"]),
        reverse("assessments:list"),
    ):
        assert client.get(url).status_code == 200, url


def test_other_organisations_get_404_everywhere(login, personas, assessment):
    client = login(personas["outsider"])
    pk = assessment.pk
    for method, url in (
        ("get", reverse("assessments:detail", args=[pk])),
        ("get", section_url(assessment)),
        ("post", section_url(assessment)),
        ("get", reverse("assessments:review", args=[pk])),
        ("post", reverse("assessments:submit", args=[pk])),
        ("post", reverse("assessments:decide", args=[pk])),
        ("post", reverse("assessments:override", args=[pk])),
        ("get", reverse("assessments:history", args=[pk, "SUP-05"])),
    ):
        assert getattr(client, method)(url).status_code == 404, url
    assert f"A-{pk}" not in client.get(reverse("assessments:list")).content.decode()


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_read_only_roles_cannot_save_answers(login, personas, assessment, role):
    response = login(personas[role]).post(section_url(assessment), {"revision": 0, "q-SUP-05": "90"})
    assert response.status_code == 403
    assert not Answer.objects.filter(question_code="SUP-05").exists()


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_only_reviewers_decide(login, personas, in_review, role):
    response = login(personas[role]).post(reverse("assessments:decide", args=[in_review.pk]), {"outcome": "approve"})
    assert response.status_code == 403
    in_review.refresh_from_db()
    assert in_review.status == Assessment.Status.IN_REVIEW


def test_anonymous_is_sent_to_login(client, assessment):
    response = client.get(reverse("assessments:detail", args=[assessment.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Filling in ------------------------------------------------------------------------


def test_save_then_reload_shows_what_was_typed(login, personas, assessment):
    client = login(personas["analyst"])
    response = client.post(section_url(assessment), {"revision": 0, "q-SUP-05": "90", "q-SUP-01": "categories"})
    assert response.status_code == 302
    page = client.get(section_url(assessment)).content.decode()
    assert 'name="q-SUP-05" id="in-SUP-05" value="90"' in page
    assert 'value="categories"' in page and "checked" in page


def test_invalid_input_comes_back_with_messages_and_nothing_else_is_lost(login, personas, assessment):
    client = login(personas["analyst"])
    response = client.post(section_url(assessment), {"revision": 0, "q-SUP-05": "ninety", "q-SUP-03": "45"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a number (in days)." in page and 'value="ninety"' in page and "is-invalid" in page
    assert Answer.objects.get(question_code="SUP-03").value == 45  # the valid answer was saved


def test_autosave_returns_a_status_line_and_the_new_revision(login, personas, assessment):
    client = login(personas["analyst"])
    response = client.post(section_url(assessment), {"revision": 0, "q-SUP-05": "120"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "Saved" in body and 'name="revision" value="1"' in body
    assert Answer.objects.get(question_code="SUP-05").value == 120


def test_stale_save_shows_both_versions_and_overwrites_nothing(login, personas, assessment):
    services.answers_save(
        assessment=assessment, values={"SUP-05": AnswerInput(365)}, by=personas["admin"], base_revisions={"SUP": 0}
    )
    response = login(personas["analyst"]).post(section_url(assessment), {"revision": 0, "q-SUP-05": "30"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "was changed while you were editing" in page and "365" in page and "30" in page
    assert Answer.objects.get(question_code="SUP-05").value == 365


def test_stale_autosave_says_so_instead_of_saving(login, personas, assessment):
    services.answers_save(
        assessment=assessment, values={"SUP-05": AnswerInput(365)}, by=personas["admin"], base_revisions={"SUP": 0}
    )
    response = login(personas["analyst"]).post(
        section_url(assessment), {"revision": 0, "q-SUP-05": "30"}, headers={"HX-Request": "true"}
    )
    assert "Not saved" in response.content.decode()
    assert Answer.objects.get(question_code="SUP-05").value == 365


def test_a_locked_assessment_refuses_a_save_with_a_message(login, personas, decided):
    response = login(personas["analyst"]).post(section_url(decided), {"revision": 0, "q-SUP-05": "30"}, follow=True)
    assert response.redirect_chain[-1][0] == decided.get_absolute_url() and "answers are locked" in (
        response.content.decode()
    )


def test_a_viewer_cannot_save_a_section(login, personas, assessment):
    assert login(personas["viewer"]).post(section_url(assessment), {"revision": 0}).status_code == 403


def test_submit_with_gaps_lists_them_with_links(login, personas, assessment):
    response = login(personas["analyst"]).post(reverse("assessments:submit", args=[assessment.pk]))
    page = response.content.decode()
    assert response.status_code == 400 and "still need an answer" in page
    assert f"/assessments/{assessment.pk}/sections/SUP/#q-SUP-05" in page


# --- Evidence uploads ----------------------------------------------------------------


def upload(client, assessment, name, content, content_type="application/octet-stream"):
    f = SimpleUploadedFile(name, content, content_type=content_type)
    revision = services.section_revisions(assessment).get("SEC", 0)
    return client.post(section_url(assessment, "SEC"), {"revision": revision, "q-SEC-01": "inclusive", "q-SEC-01B": f})


def test_a_pdf_is_stored_and_served_only_to_members(login, personas, assessment):
    client = login(personas["analyst"])
    assert upload(client, assessment, "../../etc/SOC 2\x07 report.pdf", b"%PDF-1.7\n...").status_code == 302
    item = Evidence.objects.get()
    assert item.original_name == "SOC 2 report.pdf" and item.content_type == "application/pdf"
    url = reverse("assessments:evidence", args=[assessment.pk, item.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert login(personas["outsider"]).get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 this is an exe", "content is none of those"),
        ("empty.pdf", b"", "The file is empty"),
        ("notes.txt", b"\x00\x01\x02binary", "content is none of those"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(login, personas, assessment, name, content, message):
    response = upload(login(personas["analyst"]), assessment, name, content)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Evidence.objects.exists()
    assert Answer.objects.get(question_code="SEC-01").value == "inclusive"  # the rest was saved


def test_oversized_upload_is_refused(login, personas, assessment, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    response = upload(login(personas["analyst"]), assessment, "big.pdf", b"%PDF-" + b"x" * 2000)
    assert response.status_code == 400 and "the limit is 1 KiB" in response.content.decode()


def test_autosave_stores_no_file_and_save_stores_it_once(login, personas, assessment):
    """The double upload: a file chosen, autosave fires (posting the whole form), then Save."""
    client = login(personas["analyst"])
    pdf = b"%PDF-1.7\n% SOC 2\n"
    autosave = client.post(
        section_url(assessment, "SEC"),
        {"revision": 0, "q-SEC-01": "inclusive", "q-SEC-01B": SimpleUploadedFile("soc2.pdf", pdf)},
        headers={"HX-Request": "true"},
    )
    assert "Saved" in autosave.content.decode() and not Evidence.objects.exists()
    assert Answer.objects.get(question_code="SEC-01").value == "inclusive"
    revision = services.section_revisions(assessment)["SEC"]
    for _ in range(2):  # Save pressed twice with the same file
        client.post(
            section_url(assessment, "SEC"), {"revision": revision, "q-SEC-01B": SimpleUploadedFile("soc2.pdf", pdf)}
        )
    assert Evidence.objects.count() == 1


def test_the_same_file_on_another_question_or_with_other_content_is_stored(personas, assessment):
    store = partial(evidence_store, assessment=assessment, by=personas["analyst"], field="f")
    first = store(question_code="SEC-01B", upload=SimpleUploadedFile("a.pdf", b"%PDF-1 a"))
    assert store(question_code="SEC-01B", upload=SimpleUploadedFile("b.pdf", b"%PDF-1 a")).pk == first.pk
    store(question_code="SEC-02", upload=SimpleUploadedFile("a.pdf", b"%PDF-1 a"))
    store(question_code="SEC-01B", upload=SimpleUploadedFile("a.pdf", b"%PDF-1 b"))
    assert Evidence.objects.count() == 3


def test_assessment_quota_refuses_the_file_that_would_pass_it(login, personas, assessment, settings):
    settings.EVIDENCE_MAX_FILES_PER_ASSESSMENT = 2
    client = login(personas["analyst"])
    for i in range(2):
        assert upload(client, assessment, f"r{i}.pdf", b"%%PDF-1.7 %d" % i).status_code == 302
    third = upload(client, assessment, "r2.pdf", b"%PDF-1.7 third")
    assert third.status_code == 400 and "already holds 2 files" in third.content.decode()
    settings.EVIDENCE_MAX_FILES_PER_ASSESSMENT = 100
    settings.EVIDENCE_MAX_BYTES_PER_ASSESSMENT = 40
    big = upload(client, assessment, "r3.pdf", b"%PDF-1.7 " + b"x" * 30)
    assert big.status_code == 400 and "MiB limit" in big.content.decode()
    assert Evidence.objects.count() == 2


# --- Review ----------------------------------------------------------------------------


def test_reviewer_overrides_with_reason_and_approves(login, personas, in_review, accept_residual):
    client = login(personas["reviewer"])
    page = client.get(reverse("assessments:review", args=[in_review.pk])).content.decode()
    # LOC's risk: 46.0 before version 4, 54.0 with LOC-02 and LOC-03 self-attested (one more point each).
    assert "Notice gap (mitigated)" in page and "Risk 54.0" in page
    client.post(
        reverse("assessments:override", args=[in_review.pk]), {"question_code": "SUP-05", "points": 1, "reason": ""}
    )
    assert not in_review.overrides.exists()
    client.post(
        reverse("assessments:override", args=[in_review.pk]),
        {"question_code": "SUP-05", "points": 1, "reason": "Lease renewed"},
    )
    assert in_review.overrides.get().reason == "Lease renewed"
    client.post(
        reverse("assessments:finding", args=[in_review.pk]),
        {"kind": "condition", "text": "Renew lease", "owner_user": personas["analyst"].pk},
    )
    accept_residual(in_review)
    url = reverse("assessments:decide", args=[in_review.pk])
    state = client.get(url, {"outcome": "approve"}).context["form"]["state"].value()
    response = client.post(url, {"outcome": "approve", "note": "OK", "state": state})
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == "approved" and in_review.frozen_record["overrides"][0]["reason"] == "Lease renewed"
    assert in_review.frozen_record["findings"][0]["text"] == "Renew lease"


def test_question_history_lists_every_change(login, personas, assessment):
    for value in (30, 60, 90):
        services.answers_save(
            assessment=assessment, values={"SUP-05": AnswerInput(value)}, by=personas["analyst"], base_revisions=None
        )
    page = (
        login(personas["reviewer"]).get(reverse("assessments:history", args=[assessment.pk, "SUP-05"])).content.decode()
    )
    assert page.count("<tr>") == 4  # header + three changes
    # Values as a person reads them, never the stored dict.
    assert "90 days" in page and "&#x27;na&#x27;" not in page and "'na'" not in page


# --- Lists ------------------------------------------------------------------------------


def test_list_filters_by_status_and_search(login, personas, assessment, in_review):
    client = login(personas["viewer"])
    page = client.get(reverse("assessments:list") + "?status=in_review").content.decode()
    assert f"A-{in_review.pk}" in page and f"A-{assessment.pk}<" not in page.replace(f"A-{in_review.pk}", "")
    assert "No assessments match" in client.get(reverse("assessments:list") + "?q=zzz").content.decode()


def _more_like(assessment, n: int, **fields) -> None:
    """n more assessments of the same service and bank, in one insert."""
    same = {f: getattr(assessment, f) for f in ("organisation", "service", "bank_version", "created_by")}
    Assessment.objects.bulk_create([Assessment(**same, **fields) for _ in range(n)])


def test_list_pages_keep_the_filters_and_draw_badges(login, personas, assessment):
    from procurement.assessments.views import PAGE_SIZE

    _more_like(
        assessment, PAGE_SIZE + 1, owner=personas["analyst"], risk_band="high", recommendation="approve_with_conditions"
    )
    client = login(personas["viewer"])
    page = client.get(reverse("assessments:list") + "?band=high&q=" + assessment.service.name).content.decode()
    assert "Page 1 of 2" in page
    assert f'href="?band=high&amp;q={assessment.service.name.replace(" ", "+")}&amp;page=2"' in page
    assert '<span class="badge band-high">High</span>' in page
    assert '<span class="badge text-bg-primary">Approve with conditions</span>' in page
    second = client.get(reverse("assessments:list") + "?band=high&page=2").content.decode()
    assert second.count('<span class="badge band-high">High</span>') == 1 and 'href="?band=high&amp;page=1"' in second


def test_list_past_the_count_limit_says_more_than(login, personas, assessment, monkeypatch):
    from procurement.assessments import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "LIST_COUNT_LIMIT", 4)
    _more_like(assessment, 4)
    page = login(personas["viewer"]).get(reverse("assessments:list")).content.decode()
    assert "Page 1 of more than 2</span>" in page and "More than 4 match: narrow them with the filters." in page
    Assessment.objects.filter(pk=assessment.pk).delete()
    page = login(personas["viewer"]).get(reverse("assessments:list")).content.decode()
    assert "Page 1 of 2</span>" in page and "More than" not in page


def test_list_and_home_queries_do_not_grow_with_rows(login, personas, assessment):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(personas["viewer"])
    counts = []
    for _ in range(2):
        counts.append([])
        for url in (reverse("assessments:list"), reverse("core:home")):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts[-1].append(len(ctx.captured_queries))
        _more_like(assessment, 20, owner=personas["analyst"], due_date=assessment.created_at.date())
    assert counts[0] == counts[1], counts


def test_analyst_creates_an_assessment_through_the_form(login, personas, service, shipped_version):
    client = login(personas["analyst"])
    response = client.post(
        reverse("assessments:create"),
        {
            "service": service.pk,
            "bank": shipped_version.bank.pk,
            "owner": personas["analyst"].pk,
            "reviewers": [personas["reviewer"].pk],
        },
    )
    created = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/assessments/{created.pk}/sections/INT/")
    assert list(created.reviewers.all()) == [personas["reviewer"]]
    assert login(personas["viewer"]).get(reverse("assessments:create")).status_code == 403


# --- Query count guard ---------------------------------------------------------------


def _bank_with_section_of(n: int) -> str:
    questions = "\n".join(
        f"  - code: BIG-{i:02d}\n    text: Question {i}\n    type: single_choice\n"
        f"    choices:\n    - {{value: a, label: A, points: 0}}\n    - {{value: b, label: B, points: 4}}"
        for i in range(n)
    )
    head = f"format: 1\nbank: {{slug: big-{n}, name: Big {n}}}\n"
    return head + f"sections:\n- code: BIG\n  title: Big\n  questions:\n{questions}\n"


def test_section_page_queries_do_not_grow_with_questions(login, personas, service, django_assert_num_queries):
    client = login(personas["analyst"])
    counts = []
    for n in (15, 60):
        bank = bank_load(raw=_bank_with_section_of(n), source=f"big-{n}").bank
        a = services.assessment_create(service=service, bank=bank, by=personas["analyst"])
        services.answers_save(
            assessment=a,
            values={f"BIG-{i:02d}": AnswerInput("a") for i in range(n)},
            by=personas["analyst"],
            base_revisions=None,
        )
        url = section_url(a, "BIG")
        client.get(url)  # warm the per-version structure cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    with django_assert_num_queries(counts[1]):
        client.get(url)


def test_the_intake_section_shows_the_services_required_geography_by_name(login, personas, assessment):
    """INT-09 asks how strict residency is; the geography itself is the service's taxonomy field."""
    assessment.service.required_regions = "eu,aws:eu-west-2"
    assessment.service.save()
    page = login(personas["analyst"]).get(section_url(assessment, "INT")).content.decode()
    line = page.split('id="intake-geography"')[1].split("</p>")[0]
    assert "EU, AWS eu-west-2 (United Kingdom)" in line and "change it" in line
    assert 'id="intake-geography"' not in login(personas["analyst"]).get(section_url(assessment)).content.decode()
