"""Money over HTTP: the service form reads 250k, refuses what it cannot read and keeps the record;
the portfolio converts with the organisation's rates or refuses to mix currencies; admins set rates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.core.models import AuditEvent, CurrencyRate
from procurement.core.services import currency_rate_set
from procurement.portfolio.selectors import portfolio_load
from procurement.vendors.models import AIService, Provider, SupplyLink

pytestmark = pytest.mark.django_db


def _post_service(client, service, **data):
    base = {"name": service.name, "kind": service.kind, "model_name": service.model_name}
    return client.post(reverse("vendors:service_edit", args=[service.vendor_id, service.pk]), base | data)


def test_the_service_form_reads_250k_as_250000_and_the_pages_show_it_with_the_currency(login, personas, service):
    client = login(personas["analyst"])
    response = _post_service(client, service, annual_spend="250k", currency="EUR")
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.annual_spend == Decimal("250000") and service.currency == "EUR"
    page = client.get(service.get_absolute_url()).content.decode()
    assert '<span id="service-spend">EUR 250,000</span>' in page
    vendor_page = client.get(service.vendor.get_absolute_url()).content.decode()
    assert "EUR 250,000" in vendor_page and "250000.00" not in vendor_page


def test_the_service_form_is_a_text_input_never_a_number_input(login, personas, service):
    page = login(personas["analyst"]).get(reverse("vendors:service_edit", args=[service.vendor_id, service.pk]))
    field = page.content.decode().split('name="annual_spend"')[0].rsplit("<input", 1)[1]
    assert 'type="text"' in field and "number" not in field


def test_a_currency_typed_in_the_amount_is_used_when_it_agrees(login, personas, service):
    response = _post_service(login(personas["analyst"]), service, annual_spend="$1.2m", currency="USD")
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.annual_spend, service.currency) == (Decimal("1200000"), "USD")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e9", "“1e9” is not an amount we can read: exponents"),
        ("-30", "“-30” is not an amount we can read: amounts cannot be negative"),
        ("250.000", "“250.000” is not an amount we can read: more than two decimals"),
        ("$250k", "The amount says USD but the currency chosen is EUR: change one of them."),
    ],
)
def test_the_service_form_refuses_what_it_cannot_read_and_keeps_the_record(login, personas, service, typed, message):
    AIService.objects.filter(pk=service.pk).update(annual_spend=Decimal("1000"), currency="EUR")
    response = _post_service(login(personas["analyst"]), service, annual_spend=typed, currency="EUR")
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert f'value="{typed}"' in page  # what was typed comes back to be corrected
    service.refresh_from_db()
    assert (service.annual_spend, service.currency) == (Decimal("1000"), "EUR")


@pytest.fixture
def mixed(org, personas):
    """Two services of ``org`` on one cloud: one spending EUR 100,000, one USD 200,000."""
    cloud = Provider.objects.create(organisation=org, name="Cloud", kind="hyperscaler", owner="Cloud Inc")
    lab = Provider.objects.create(organisation=org, name="Lab", kind="model_lab", owner="Lab Inc")
    from procurement.vendors.models import Vendor

    vendor = Vendor.objects.create(organisation=org, name="V")
    eur = AIService.objects.create(vendor=vendor, name="E", annual_spend=Decimal("100000"), currency="EUR")
    usd = AIService.objects.create(vendor=vendor, name="U", annual_spend=Decimal("200000"), currency="USD")
    SupplyLink.objects.create(service=eur, provider=cloud, role="inference_compute", share=100, regions="eu-west-1")
    SupplyLink.objects.create(service=usd, provider=lab, role="inference_compute", share=100, regions="us-east-1")
    return {"eur": eur, "usd": usd, "cloud": cloud, "lab": lab}


def test_the_portfolio_refuses_to_mix_currencies_and_says_which_lack_a_rate(login, personas, org, mixed):
    p = portfolio_load(org)
    assert p.spend.missing == ["USD"] and all(sc.annual_spend == 0 for sc in p.service_chains)
    page = login(personas["admin"]).get(reverse("portfolio:index")).content.decode()
    warning = page.split('id="spend-missing-rates"')[1].split("</div>")[0]
    assert "no rate into EUR (USD)" in " ".join(warning.split())
    assert reverse("portfolio:currency_rates") in warning
    assert 'id="concentration-withheld"' in page
    assert "EUR 100,000" not in page  # no partial sums either


def test_the_portfolio_converts_spend_with_the_organisations_rates(login, personas, org, mixed):
    currency_rate_set(organisation=org, currency="USD", rate=Decimal("0.9"), as_of=dt.date(2026, 11, 1))
    p = portfolio_load(org)
    spend = {sc.key: sc.annual_spend for sc in p.service_chains}
    assert p.spend.ok and spend == {str(mixed["eur"].pk): 100000.0, str(mixed["usd"].pk): 180000.0}
    page = login(personas["viewer"]).get(reverse("portfolio:index")).content.decode()
    providers = page.split('id="providers"')[1].split("</section>")[0]
    assert "EUR 180,000" in providers and "EUR 100,000" in providers
    assert "converted with the organisation's rates (oldest set 1 Nov 2026)" in " ".join(page.split())


def test_an_admin_sets_a_dated_rate_and_the_change_is_recorded(login, personas, org, mixed):
    client = login(personas["admin"])
    page = client.get(reverse("portfolio:currency_rates")).content.decode()
    assert 'id="rates-missing"' in page and "USD" in page.split('id="rates-missing"')[1].split("</div>")[0]
    response = client.post(
        reverse("portfolio:currency_rates"),
        {"action": "rate", "currency": "USD", "rate": "0.92", "as_of": "2026-11-02"},
    )
    assert response.status_code == 302
    rate = CurrencyRate.objects.get(organisation=org)
    assert (rate.currency, rate.to_currency, rate.rate, rate.as_of) == (
        "USD",
        "EUR",
        Decimal("0.92"),
        dt.date(2026, 11, 2),
    )
    assert rate.set_by == personas["admin"]
    assert AuditEvent.objects.filter(organisation=org, note__contains="1 USD = 0.92 EUR").exists()
    assert 'id="rates-missing"' not in client.get(reverse("portfolio:currency_rates")).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"currency": "USD", "rate": "1e3"}, "“1e3” is not a rate"),
        ({"currency": "USD", "rate": "-1"}, "“-1” is not a rate"),
        ({"currency": "USD", "rate": "0"}, "“0” is not a rate"),
        ({"currency": "EUR", "rate": "1"}, "EUR is the reporting currency"),
        ({"currency": "XYZ", "rate": "1"}, "Select a valid choice"),
        ({"currency": "USD", "rate": "1", "as_of": "2999-01-01"}, "cannot be in the future"),
    ],
)
def test_bad_rates_get_a_message_and_change_nothing(login, personas, org, data, message):
    response = login(personas["admin"]).post(
        reverse("portfolio:currency_rates"), {"action": "rate", "as_of": "2026-11-01"} | data
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not CurrencyRate.objects.exists()


def test_changing_the_reporting_currency_keeps_old_rates_on_record(login, personas, org, mixed):
    currency_rate_set(organisation=org, currency="USD", rate=Decimal("0.9"), as_of=dt.date(2026, 11, 1))
    client = login(personas["admin"])
    assert (
        client.post(reverse("portfolio:currency_rates"), {"action": "reporting", "currency": "USD"}).status_code == 302
    )
    org.refresh_from_db()
    assert org.reporting_currency == "USD"
    p = portfolio_load(org)
    assert p.spend.missing == ["EUR"]  # the USD->EUR rate says nothing about EUR->USD
    assert CurrencyRate.objects.filter(organisation=org).count() == 1


def test_only_admins_of_the_organisation_reach_the_rates(login, personas):
    for persona, status in (("analyst", 403), ("viewer", 403), ("outsider", 200), ("nobody", 404)):
        assert login(personas[persona]).get(reverse("portfolio:currency_rates")).status_code == status


def test_the_scenario_csv_names_the_currency_and_writes_amounts_to_the_cent(login, personas, org, mixed):
    currency_rate_set(organisation=org, currency="USD", rate=Decimal("0.9"), as_of=dt.date(2026, 11, 1))
    client = login(personas["analyst"])
    response = client.get(reverse("portfolio:scenario_export", args=["csv"]), {"provider": mixed["lab"].pk})
    rows = response.content.decode().splitlines()
    assert "spend at risk (EUR)" in rows[1] and "180000.00" in rows[2]


def test_without_a_rate_the_scenario_csv_leaves_spend_at_risk_empty(login, personas, mixed):
    client = login(personas["analyst"])
    response = client.get(reverse("portfolio:scenario_export", args=["csv"]), {"provider": mixed["lab"].pk})
    header, row = (line.split(",") for line in response.content.decode().splitlines()[1:3])
    assert header[6] == "spend at risk" and row[6] == ""
