"""Bulk import of vendors, services and contacts: a preview that is exactly the import, all or
nothing, every problem by row and column, CSV and XLSX, the page and the command."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from procurement.core.tables import TableError, table_read
from procurement.vendors.models import AIService, Vendor, VendorContact

pytestmark = pytest.mark.django_db

GOOD = (
    "vendor,vendor_website,service,service_kind,service_model_name,contact_name,contact_email,contact_role\n"
    "Frontier Lab,https://frontier.example,Frontier API,API,frontier-2,Vera Vendor,vera@frontier.example,Sales\n"
    "Frontier Lab,,Frontier Chat,Product / SaaS,,,,\n"
    "Nimbus Cloud,,,,,Nina,nina@nimbus.example,\n"
    "'=Formula Corp,,,,,,,\n"
)


def _upload(client, content: bytes, name: str = "vendors.csv"):
    return client.post(reverse("vendors:import"), {"file": SimpleUploadedFile(name, content), "action": "preview"})


def test_the_preview_lists_what_will_change_and_writes_nothing_until_confirmed(login, personas, org):
    client = login(personas["analyst"])
    preview = _upload(client, GOOD.encode())
    page = preview.content.decode()
    assert preview.status_code == 200, page[page.find("alert") : page.find("alert") + 800]
    assert "will create 7, update 0" in page
    assert "service Frontier Lab — Frontier API" in page and "contact Nina &lt;nina@nimbus.example&gt;" in page
    assert not Vendor.objects.exists()

    done = client.post(reverse("vendors:import"), {"action": "import"}, follow=True)
    assert "7 created, 0 updated" in done.content.decode()
    frontier = Vendor.objects.get(organisation=org, name="Frontier Lab")
    assert frontier.website == "https://frontier.example"
    services = sorted(frontier.services.values_list("name", "kind"))
    assert services == [("Frontier API", "api"), ("Frontier Chat", "product")]
    assert VendorContact.objects.get(email="vera@frontier.example").role == "Sales"
    # The apostrophe an export puts before formula-like text comes off; the name is stored as text.
    assert Vendor.objects.filter(name="=Formula Corp").exists()


def test_a_second_import_updates_matches_and_leaves_the_rest(login, personas, org):
    client = login(personas["analyst"])
    _upload(client, GOOD.encode())
    client.post(reverse("vendors:import"), {"action": "import"})
    again = (
        "vendor,service,service_model_name,contact_email,contact_role\n"
        "frontier lab,FRONTIER API,frontier-3,VERA@frontier.example,CTO\n"
    )
    page = _upload(client, again.encode()).content.decode()
    assert "will create 0, update 2 and leave" in page, page[page.find("<main") : page.find("<main") + 1500]
    client.post(reverse("vendors:import"), {"action": "import"})
    assert AIService.objects.get(name="Frontier API").model_name == "frontier-3"
    assert VendorContact.objects.get(email="vera@frontier.example").role == "CTO"
    assert Vendor.objects.filter(organisation=org).count() == 3


def test_any_problem_imports_nothing_and_each_is_named_by_row_and_column(login, personas):
    client = login(personas["analyst"])
    bad = (
        "vendor,service,service_kind,contact_name,contact_email\n"
        "Good Vendor,Good Service,api,Gail,gail@good.example\n"
        ",Orphan,api,,\n"
        "Bad Vendor,Bad Service,quantum,Bob,not-an-email\n"
    )
    response = _upload(client, bad.encode())
    page = response.content.decode()
    assert response.status_code == 400 and "Nothing was imported" in page
    assert "Row 3, column vendor: every row names its vendor." in page
    assert "Row 4, column service_kind: Select a valid choice. quantum is not one of the available choices." in page
    assert "Row 4, column contact_email: Enter a valid email address." in page
    assert client.post(reverse("vendors:import"), {"action": "import"}, follow=True).status_code == 200
    assert not Vendor.objects.exists()


def test_an_xlsx_workbook_imports_like_a_csv(login, personas):
    book = Workbook()
    sheet = book.active
    sheet.append(["Vendor", "Service", "Service kind"])
    sheet.append(["Sheet Vendor", "Sheet Service", "Hosted inference"])
    out = io.BytesIO()
    book.save(out)
    client = login(personas["admin"])
    page = _upload(client, out.getvalue(), "vendors.xlsx").content.decode()
    assert "will create 2" in page
    client.post(reverse("vendors:import"), {"action": "import"})
    assert AIService.objects.get(name="Sheet Service").vendor.name == "Sheet Vendor"


def test_unreadable_files_get_a_message(login, personas):
    client = login(personas["analyst"])
    assert "not UTF-8" in _upload(client, b"vendor\n\xff\xfe bad").content.decode()
    assert "not a valid XLSX" in _upload(client, b"PK\x03\x04 broken", "x.xlsx").content.decode()
    assert "header but no rows" in _upload(client, b"vendor,service\n").content.decode()


def test_a_zip_bomb_workbook_is_refused_unopened():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    with pytest.raises(TableError, match="unpacks to far more than its size"):
        table_read(out.getvalue(), filename="bomb.xlsx")


def test_the_template_has_every_column_and_re_imports(login, personas):
    client = login(personas["analyst"])
    template = client.get(reverse("vendors:import_template"))
    assert template["Content-Disposition"].startswith("attachment")
    header = template.content.decode().splitlines()[0].split(",")
    assert header[:3] == ["vendor", "vendor_website", "vendor_description"]
    assert "service_annual_spend" in header and "contact_email" in header
    page = _upload(client, template.content).content.decode()
    assert "will create 3" in page


def test_the_command_does_the_same_with_a_dry_run(tmp_path, org, personas):
    path = tmp_path / "vendors.csv"
    path.write_text(GOOD)
    out = io.StringIO()
    call_command("import_vendors", str(path), "--organisation", org.slug, "--dry-run", stdout=out)
    assert "Would import: 7 created" in out.getvalue() and not Vendor.objects.exists()
    call_command("import_vendors", str(path), "--organisation", org.slug, stdout=out)
    assert Vendor.objects.filter(organisation=org).count() == 3
    path.write_text("vendor,contact_email\nX,nope\n")
    with pytest.raises(CommandError, match="Row 2, column contact_email"):
        call_command("import_vendors", str(path), "--organisation", org.slug)


def test_a_workbook_declaring_a_huge_sheet_is_read_within_the_limits():
    """Red-team finding: a few KB declaring A1:XFD5001 made read-only openpyxl pad every row to
    16,384 cells (700 MB). The reader ignores the declared size and reads at most the limits."""
    book = Workbook()
    sheet = book.active
    sheet.append(["vendor"])
    sheet.append(["Tiny"])
    out = io.BytesIO()
    book.save(out)
    raw = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(raw)) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"]
    if b"<dimension" in sheet_xml:
        sheet_xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD5001"/>', sheet_xml)
    else:
        sheet_xml = sheet_xml.replace(b"<sheetData>", b'<dimension ref="A1:XFD5001"/><sheetData>', 1)
    parts["xl/worksheets/sheet1.xml"] = sheet_xml
    assert b"XFD5001" in parts["xl/worksheets/sheet1.xml"]
    forged = io.BytesIO()
    with zipfile.ZipFile(forged, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    rows = table_read(forged.getvalue(), filename="huge.xlsx")
    assert [r.cells for r in rows] == [{"vendor": "Tiny"}]
