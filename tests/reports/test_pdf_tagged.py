"""The report PDF is tagged PDF/UA-1 (docs/accessibility.md): pdfinfo says Tagged, the catalogue
names the language, and the structure tree has headings, tables with header cells and figures
with text alternatives (the section chart and the supply-chain diagram)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections import Counter

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from procurement.assessments.models import Assessment
from procurement.assessments.records import assessment_record
from procurement.reports.services import report_pdf

pytestmark = pytest.mark.django_db


def structure(data: bytes) -> tuple[dict, Counter, list[str]]:
    """The catalogue, the count of each structure type, and the figures' /Alt texts."""
    catalogue = PdfReader(io.BytesIO(data)).trailer["/Root"]
    kinds: Counter = Counter()
    alts: list[str] = []
    stack = [catalogue["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if not isinstance(node, dict):
            continue
        if kind := node.get("/S"):
            kinds[str(kind)[1:]] += 1
            if kind == "/Figure":
                alts.append(" ".join(str(node.get("/Alt", "")).split()))
        children = node.get("/K")
        if children is not None:
            stack.extend(children if isinstance(children, list) else [children])
    return catalogue, kinds, alts


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils (pdfinfo) is not installed")
def test_the_report_is_tagged_with_language_headings_table_headers_and_chart_alt_text(decided, artifacts_dir):
    data, _ = report_pdf(decided.frozen_record)
    (artifacts_dir / "report-tagged.pdf").write_bytes(data)
    pdfinfo = shutil.which("pdfinfo")
    info = subprocess.run([pdfinfo, "-"], input=data, capture_output=True, check=True).stdout.decode()  # noqa: S603
    assert "Tagged:          yes" in info

    catalogue, kinds, alts = structure(data)
    assert catalogue["/Lang"] == "en"
    assert bool(catalogue["/MarkInfo"]["/Marked"])
    assert bool(catalogue["/ViewerPreferences"]["/DisplayDocTitle"])
    assert "/Metadata" in catalogue  # the XMP stream PDF/UA asks for
    assert kinds["H1"] >= 5 and kinds["H2"] >= 5
    assert kinds["Table"] >= 2 and kinds["TH"] >= 5 and kinds["TD"] > kinds["TH"]
    assert kinds["L"] >= 1 and kinds["LI"] >= 1
    chart = [alt for alt in alts if alt.startswith("Section risk, 0 to 100")]
    assert len(chart) == 1
    for section in decided.frozen_record["bank"]["document"]["sections"]:
        if section.get("weight", 1):
            assert section["code"] in chart[0]


def test_the_supply_chain_diagram_has_a_text_alternative(artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    assessment = Assessment.objects.filter(service__name="Frontier API", status="submitted").get()
    data, _ = report_pdf(assessment_record(assessment))
    _, _, alts = structure(data)
    chain = [alt for alt in alts if alt.startswith("Supply chain of Frontier API")]
    assert len(chain) == 1 and "risky links are drawn red and dashed" in chain[0]
