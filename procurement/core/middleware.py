"""Request-body cap: refuse an oversized body before anything reads it.

Django's own DATA_UPLOAD_MAX_MEMORY_SIZE counts only non-file form fields: a multipart
body with a file part is read and spooled to a temporary file in full, even on the
login page, and CsrfViewMiddleware parses it before any view runs. This middleware
sits first in MIDDLEWARE and answers 413 from the Content-Length header alone.

A body without Content-Length (``Transfer-Encoding: chunked``) gets 411: Django's
WSGIRequest reads at most Content-Length bytes, i.e. none, so such a body would be
silently dropped rather than limited; browsers never send one for a form.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

# Views that take a file: evidence on section saves (staff and portal), the answers import, and
# the REST API's evidence and contract document uploads (the evidence upload's URL resolves to the
# name of the GET on the same path).
UPLOAD_VIEWS = frozenset(
    {"assessments:section", "assessments:import", "portal:section", "api:evidence", "api:contract_document_add"}
)

TOO_LARGE = "Request body too large: the limit here is {limit} KiB.\n"
LENGTH_REQUIRED = "A request body needs a Content-Length header.\n"


def body_limit(request: HttpRequest) -> int:
    """The largest body, in bytes, accepted for ``request``'s URL."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return settings.REQUEST_BODY_MAX_BYTES
    if match.view_name in UPLOAD_VIEWS:
        return settings.UPLOAD_REQUEST_MAX_BYTES
    return settings.REQUEST_BODY_MAX_BYTES


def _plain(text: str, status: int, path: str = "") -> HttpResponse:
    if path.startswith("/api/"):  # the REST API answers every error in JSON
        return JsonResponse({"detail": text.strip()}, status=status)
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "HTTP_TRANSFER_ENCODING" in request.META:
            return _plain(LENGTH_REQUIRED, 411, request.path_info)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # WSGIRequest then reads nothing either
        # Only an unusually large body pays for the URL lookup.
        if length > settings.REQUEST_BODY_MAX_BYTES:
            limit = body_limit(request)
            if length > limit:
                return _plain(TOO_LARGE.format(limit=limit // 1024), 413, request.path_info)
        return self.get_response(request)
