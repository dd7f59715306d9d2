"""WeasyPrint in one module: a fetcher that serves only static files and data:
URIs, and the renderer. Nothing a user typed can make WeasyPrint fetch a URL."""

from __future__ import annotations

import mimetypes
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


def render_pdf(html: str) -> tuple[bytes, int]:
    """PDF bytes and page count."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=SafeURLFetcher()).render()
    return document.write_pdf(), len(document.pages)
