"""Vendor documents: the type read from the content, macro and zip-bomb refusal, one copy per vendor."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.vendors import documents
from procurement.vendors.documents import (
    DOCX,
    XLSX,
    DocumentRejected,
    document_store,
    download_name,
    sniff,
    upload_check,
)
from procurement.vendors.models import Document, Vendor
from tests.documents import DOCM_MAIN, docx, image, many_parts, pdf, xlsx, zip_bomb

XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


@pytest.mark.parametrize(
    ("name", "build", "expected"),
    [
        ("report.pdf", pdf, "application/pdf"),
        ("diagram.png", lambda: image("PNG"), "image/png"),
        ("photo.jpg", lambda: image("JPEG"), "image/jpeg"),
        ("notes.txt", lambda: "Résumé of controls\n".encode(), "text/plain"),
        ("list.csv", lambda: b"a,b\n1,2\n", "text/csv"),
        ("dpa.docx", docx, DOCX),
        ("controls.xlsx", xlsx, XLSX),
        # The content decides, not the name: a workbook named .pdf is a workbook.
        ("misnamed.pdf", xlsx, XLSX),
        ("no-suffix", pdf, "application/pdf"),
    ],
)
def test_accepted_types_are_recognised_by_their_content(name, build, expected):
    assert sniff(build(), name) == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.pdf", b"MZ\x90\x00 an executable"),
        ("page.txt", b"\x00\x01binary"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("archive.docx", b"PK\x03\x04 not really a zip"),
        ("plain.zip", None),
        ("odt.docx", None),
    ],
)
def test_other_content_is_refused_whatever_its_name(name, content):
    if name == "plain.zip":  # a well-formed ZIP that is not an Office file
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("readme.txt", "hello")
        content = out.getvalue()
    if name == "odt.docx":  # an OOXML package whose main part is missing
        content = docx(main="application/vnd.oasis.opendocument.text")
    with pytest.raises(DocumentRejected):
        sniff(content, name)


@pytest.mark.parametrize(
    "content",
    [
        docx(main=DOCM_MAIN),
        docx(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"}),
        docx(main=XLSM_MAIN),
    ],
    ids=["docm-main-part", "vba-project-part", "xlsm-main-part"],
)
def test_macro_enabled_files_are_refused(content):
    with pytest.raises(DocumentRejected, match="macros"):
        sniff(content, "innocent.docx")


def test_a_zip_bomb_is_refused_from_its_directory():
    bomb = zip_bomb(50)
    assert len(bomb) < 200 * 1024  # 50 MiB of zeros in well under 200 KiB
    with pytest.raises(DocumentRejected, match="zip bomb"):
        sniff(bomb, "big.docx")


def test_a_zip_that_unpacks_past_the_total_limit_is_refused():
    """Parts of 1 MiB each pass the ratio check; together they pass the 200 MiB total."""
    parts = {f"word/media/part{i}.bin": bytes(1024 * 1024) for i in range(201)}
    with pytest.raises(DocumentRejected, match="201 MiB unpacked"):
        sniff(docx(extra=parts), "long.docx")


def test_a_zip_with_too_many_parts_is_refused():
    with pytest.raises(DocumentRejected, match="2,002 parts"):
        sniff(many_parts(documents.ZIP_MAX_ENTRIES), "many.docx")
    assert sniff(many_parts(10), "few.docx") == DOCX


def test_upload_check_cleans_the_name_and_hashes_the_bytes():
    checked = upload_check(SimpleUploadedFile("../x/DPA\x07 v2.docx", docx()))
    assert checked.name == "DPA v2.docx" and checked.content_type == DOCX and len(checked.sha256) == 64


@pytest.mark.django_db
def test_the_same_bytes_are_stored_once_per_vendor(org, personas):
    acme = Vendor.objects.create(organisation=org, name="Acme")
    other = Vendor.objects.create(organisation=org, name="Other")
    checked = upload_check(SimpleUploadedFile("dpa.docx", docx()))
    first, created = document_store(vendor=acme, checked=checked, by=personas["analyst"])
    again, created_again = document_store(
        vendor=acme, checked=upload_check(SimpleUploadedFile("renamed.docx", docx())), by=None, by_label="Vera"
    )
    theirs, _ = document_store(vendor=other, checked=checked, by=None)
    assert created and not created_again and again.pk == first.pk and again.original_name == "dpa.docx"
    assert theirs.pk != first.pk and Document.objects.count() == 2
    assert first.type_label == "Word document (DOCX)" and first.uploaded_by_label


ACCEPTED = {"application/pdf", "image/png", "image/jpeg", "text/plain", "text/csv", "text/markdown", DOCX, XLSX}


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"%PDF-", b"\xff\xd8\xff"]),
    body=st.binary(max_size=2048),
    name=st.sampled_from(["a.docx", "a.txt", "a.pdf", "a", "a.xlsx"]),
)
def test_any_bytes_are_either_an_accepted_type_or_refused_with_a_message(prefix, body, name):
    try:
        assert sniff(prefix + body, name) in ACCEPTED
    except DocumentRejected as exc:
        assert exc.message


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(min_value=1, max_value=2000), flip=st.integers(min_value=0, max_value=255))
def test_a_damaged_docx_is_refused_with_a_message_never_an_error(cut, flip):
    """Truncated or bit-flipped packages: zipfile's own errors never escape the check."""
    good = docx()
    damaged = bytearray(good[: max(4, len(good) - cut)])
    damaged[min(len(damaged) - 1, cut)] ^= flip
    try:
        assert sniff(bytes(damaged), "x.docx") in ACCEPTED
    except DocumentRejected as exc:
        assert exc.message


@pytest.mark.parametrize(
    ("name", "content_type", "saved_as"),
    [
        ('x"<img src=x onerror=alert(1)>.html', "application/pdf", 'x"<img src=x onerror=alert(1)>.html.pdf'),
        ("report.PDF", "application/pdf", "report.PDF"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("notes", "text/plain", "notes.txt"),
        ("sheet.xlsx.exe", XLSX, "sheet.xlsx.exe.xlsx"),
    ],
)
def test_a_download_is_saved_under_a_name_that_ends_as_its_content_is(name, content_type, saved_as):
    # The red team's PDF/HTML polyglot named .html would have run as a web page opened from disk.
    assert download_name(name, content_type) == saved_as
