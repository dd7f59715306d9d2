"""WeasyPrint in one module: a fetcher that serves only static files and data:
URIs, and the renderer. Nothing a user typed can make WeasyPrint fetch a URL."""

from __future__ import annotations

import functools
import mimetypes
import re
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_PREFIX = "static:///"


class FetchRefused(ValueError):
    pass


def resolve_static(url: str) -> Path:
    """The file behind ``static:///path``, or FetchRefused."""
    if not url.startswith(STATIC_PREFIX):
        raise FetchRefused(f"refused to fetch {url[:80]!r}")
    parts = urlsplit(url)
    relative = unquote(parts.path).lstrip("/")
    if not relative or ".." in Path(relative).parts or "\\" in relative or parts.query or parts.fragment:
        raise FetchRefused(f"refused to fetch {url[:80]!r}")
    found = finders.find(relative)
    if not found:
        raise FetchRefused(f"no static file {relative!r}")
    path = Path(found).resolve()
    roots = [Path(d).resolve() for d in settings.STATICFILES_DIRS]
    if not any(path.is_relative_to(root) for root in roots):
        raise FetchRefused(f"refused to fetch {url[:80]!r}")
    return path


class SafeURLFetcher(URLFetcher):
    """Serves ``static:///...`` from the project's static files and ``data:`` URIs. Nothing else:
    no file://, no http(s), no redirects."""

    def __init__(self):
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = resolve_static(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime}, 200)


REPORT_STYLESHEETS = ("css/report.css",)
UA_STYLESHEET = "css/report-ua.css"


@functools.cache
def _fetcher() -> SafeURLFetcher:
    # Building one costs ~20 ms (an SSL context); it holds no per-document state.
    return SafeURLFetcher()


_sheets: dict[str, tuple[int, object]] = {}
_sheets_lock = threading.Lock()


def stylesheet(name: str):
    """The static stylesheet ``name`` parsed once per process (again when the file changes)."""
    from weasyprint import CSS

    path = resolve_static(STATIC_PREFIX + name)
    stamp = path.stat().st_mtime_ns
    with _sheets_lock:
        cached = _sheets.get(name)
        if cached is None or cached[0] != stamp:
            css = CSS(string=path.read_text(), base_url=STATIC_PREFIX + name, url_fetcher=_fetcher())
            cached = _sheets[name] = (stamp, css)
    return cached[1]


_fonts = threading.local()


def _font_config():
    """One WeasyPrint FontConfiguration per thread of the worker process, reused by every render.
    A new one per render loaded fontconfig's configuration and started a cold Pango font map
    (fonts opened and shaped afresh each time). Pango's font map is not thread-safe, hence one
    per thread. The PDF embeds the glyphs each document uses, so the bytes do not depend on
    what earlier renders cached."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


# Reading the HTML. WeasyPrint parses with tinyhtml5, an HTML5 parser in pure Python: ~9% of a
# report's render (0.45 of 5.3 billion instructions for the demo report). Our templates write
# well-formed markup, so expat (C, in the standard library) reads the same tree in a fraction of
# that; the few places where an HTML5 parser builds something XML does not say are made the same
# below, and tests/reports/test_pdf.py holds both trees equal for the demo reports. Markup expat
# refuses, or that an XML parser would read differently (control characters, a line break inside
# an attribute value, which XML turns into a space, comments, declarations), goes to tinyhtml5.
_DOCTYPE = re.compile(r"\A\s*<!doctype html>", re.IGNORECASE)
_VOID = re.compile(r"<(meta|col|br|hr|img|link|wbr|input)\b([^>]*?)\s*/?>")
_NOT_FOR_XML = re.compile(r'<[!?]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|="[^"]*[\t\n\r][^"]*"')
_SVG = "{http://www.w3.org/2000/svg}svg"
_XMLNS = "{http://www.w3.org/2000/xmlns/}xmlns"


def _parse_xml(html: str):
    """The element tree tinyhtml5 builds for ``html`` (with ``namespace_html_elements=False``),
    read by expat; None when ``html`` is not markup expat reads the same way."""
    source = _DOCTYPE.sub("", html, count=1)
    if _NOT_FOR_XML.search(source):
        return None
    source = _VOID.sub(r"<\1\2/>", source)
    try:
        # No declaration, entity definition, comment or processing instruction gets here
        # (_NOT_FOR_XML), and what people type is escaped by the templates.
        root = ET.fromstring(source)  # noqa: S314
    except ET.ParseError:
        return None
    body = root.find("body")
    if root.tag != "html" or root.find("head") is None or body is None or len(root) != 2:
        return None
    # HTML5 drops white space before <head>, and moves white space after </body> (and after
    # </html>) to the end of the body; XML keeps the first and drops the last.
    if root.text is not None and not root.text.strip():
        root.text = None
    trailing = (body.tail or "") + source[len(source.rstrip()) :]
    if trailing.strip():
        return None
    body.tail = None
    if trailing:
        if len(body):
            body[-1].tail = (body[-1].tail or "") + trailing
        else:
            body.text = (body.text or "") + trailing
    for svg in root.iter(_SVG):  # HTML5 keeps the xmlns declaration as an attribute
        svg.set(_XMLNS, "http://www.w3.org/2000/svg")
    for table in root.iter("table"):  # HTML5 puts rows written straight in a table into a <tbody>
        rows = [child for child in table if child.tag == "tr"]
        if rows and len(rows) != len(table):
            return None
        if rows:
            tbody = ET.Element("tbody")
            tbody.extend(rows)
            table[:] = [tbody]
    return root


def parse_html(html: str):
    """The report's element tree: expat when it reads ``html`` the way tinyhtml5 does, else tinyhtml5."""
    root = _parse_xml(html)
    if root is None:
        import tinyhtml5

        root = tinyhtml5.parse(html, namespace_html_elements=False)
    return root


@functools.cache
def _report_html_class():
    import cssselect2
    from weasyprint import HTML

    class ReportHTML(HTML):
        """HTML laid out with the report's small user-agent stylesheet (static/css/report-ua.css),
        read by ``parse_html`` (what weasyprint.HTML.__init__ does for a string, with a faster parser)."""

        def __init__(self, *, string, base_url, url_fetcher):
            root = parse_html(string)
            if root.find(".//base") is not None:  # WeasyPrint resolves <base href>; we never write one
                raise ValueError("the report has a <base> element")
            self.base_url = base_url
            self.url_fetcher = url_fetcher
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms=False):
            return [stylesheet(UA_STYLESHEET)]

    return ReportHTML


def render_document(html: str, *, stylesheets=REPORT_STYLESHEETS, ua: bool = True):
    """The laid-out WeasyPrint document. The stylesheets are static files parsed once per
    process, the font configuration is kept per thread; ``ua=False`` uses WeasyPrint's full
    HTML5 user-agent sheet instead of ours."""
    from weasyprint import HTML

    html_class = _report_html_class() if ua else HTML
    return html_class(string=html, base_url=STATIC_PREFIX, url_fetcher=_fetcher()).render(
        stylesheets=[stylesheet(name) for name in stylesheets], font_config=_font_config()
    )


# Tagged PDF/UA-1 (docs/accessibility.md): a structure tree (headings, lists, tables with header
# cells, figures with their SVG <title> as alternative text), the document language from
# <html lang>, XMP metadata and DisplayDocTitle. About 5% more render time than untagged.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(html: str, *, stylesheets=REPORT_STYLESHEETS) -> tuple[bytes, int]:
    """PDF bytes and page count."""
    document = render_document(html, stylesheets=stylesheets)
    return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)
