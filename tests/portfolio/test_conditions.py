"""The Open conditions page, its CSV and XLSX exports, and the work queue on the home page."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from procurement.assessments import services

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def items(in_review, personas):
    today = timezone.localdate()
    late = services.finding_add(
        assessment=in_review,
        kind="condition",
        text=FORMULA,
        owner_user=personas["analyst"],
        due_date=today - dt.timedelta(days=3),
        by=personas["reviewer"],
    )
    later = services.finding_add(
        assessment=in_review,
        kind="finding",
        text="Fallback untested",
        owner_user=personas["admin"],
        due_date=today + dt.timedelta(days=30),
        by=personas["reviewer"],
    )
    return late, later


def test_the_page_lists_open_items_with_overdue_marked(login, personas, items):
    page = login(personas["viewer"]).get(reverse("portfolio:conditions")).content.decode()
    assert "2 items." in page and "Fallback untested" in page and "overdue" in page
    assert reverse("assessments:finding_detail", args=[items[0].assessment_id, items[0].pk]) in page


def test_the_page_filters_by_overdue_and_owner(login, personas, items):
    client = login(personas["viewer"])
    page = client.get(reverse("portfolio:conditions"), {"overdue": "1"}).content.decode()
    assert "1 item." in page and "Fallback untested" not in page
    page = client.get(reverse("portfolio:conditions"), {"owner": personas["admin"].pk}).content.decode()
    assert "1 item." in page and "Fallback untested" in page


def test_a_bad_filter_is_a_message_not_an_error(login, personas, items):
    response = login(personas["viewer"]).get(reverse("portfolio:conditions"), {"owner": personas["outsider"].pk})
    assert response.status_code == 400 and "Choose an owner from the list." in response.content.decode()


def test_the_page_shows_nothing_of_another_organisation(login, personas, items):
    page = login(personas["outsider"]).get(reverse("portfolio:conditions")).content.decode()
    assert "Fallback untested" not in page and "Nothing open" in page


def test_the_csv_export_neutralises_formula_like_text(login, personas, items):
    response = login(personas["viewer"]).get(reverse("portfolio:conditions_export", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["Kind", "Condition or finding"]
    assert rows[1][1] == "'" + FORMULA and rows[1][7] == "yes" and rows[1][9].startswith("http://testserver/")
    assert rows[2][1] == "Fallback untested"


def test_the_xlsx_export_keeps_text_as_text_and_dates_as_dates(login, personas, items):
    response = login(personas["viewer"]).get(reverse("portfolio:conditions_export", args=["xlsx"]), {"overdue": "1"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2
    cell = sheet.cell(row=2, column=2)
    assert cell.value == FORMULA and cell.data_type == "s"
    assert sheet.cell(row=2, column=7).value.date() == items[0].due_date


def test_an_unknown_export_format_is_404(login, personas):
    assert login(personas["viewer"]).get(reverse("portfolio:conditions_export", args=["pdf"])).status_code == 404


def test_the_nav_links_to_open_conditions(login, personas):
    page = login(personas["viewer"]).get(reverse("core:home")).content.decode()
    assert reverse("portfolio:conditions") in page


def test_the_home_queue_has_a_heading_count_and_link_per_group(login, personas, items, in_review):
    page = login(personas["analyst"]).get(reverse("core:home")).content.decode()
    overdue = page[page.index('id="queue-conditions_overdue"') :]
    overdue = overdue[: overdue.index("</section>")]
    assert "My conditions overdue" in overdue and ">1</span>" in overdue.replace("\n", "").replace(" ", "")
    assert reverse("assessments:finding_detail", args=[in_review.pk, items[0].pk]) in overdue
    assert "None due soon." in page  # an empty group says so


def test_the_home_queue_shows_a_reviewer_what_waits_for_review(login, personas, in_review):
    page = login(personas["reviewer"]).get(reverse("core:home")).content.decode()
    assert "Waiting for my review" in page and reverse("assessments:review", args=[in_review.pk]) in page
    assert "To fill in" not in page
