"""WeasyPrint in one module: a fetcher that serves only static files and data:
URIs, and the renderer. Nothing a user typed can make WeasyPrint fetch a URL."""

from __future__ import annotations

import functools
import mimetypes
import threading
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


@functools.cache
def _report_html_class():
    from weasyprint import HTML

    class ReportHTML(HTML):
        """HTML laid out with the report's small user-agent stylesheet (static/css/report-ua.css)."""

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
