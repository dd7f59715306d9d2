"""The REST API answers every error in JSON, including the two it never sees as an endpoint:
Django's 404 for a path under /api/ that names no endpoint, and django-ninja's 405 for a method
an endpoint does not take (both are HTML or plain text otherwise)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

PREFIX = "/api/"


class JsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code not in (404, 405)
            or not request.path_info.startswith(PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        if response.status_code == 404:
            return JsonResponse({"detail": "Not found: no endpoint here (see /api/v1/openapi.json)."}, status=404)
        allowed = response.get("Allow", "")
        refused = JsonResponse(
            {"detail": f"This endpoint does not take {request.method}; it takes {allowed}."}, status=405
        )
        refused["Allow"] = allowed
        return refused
