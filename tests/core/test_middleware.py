"""RequestBodyLimitMiddleware: oversized bodies are refused from their headers, uploads still fit."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from procurement.assessments.models import Evidence
from procurement.core.middleware import UPLOAD_VIEWS, body_limit

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
BOUNDARY = "BoUnDaRy"


class CountingInput(io.RawIOBase):
    """A wsgi.input that makes up a multipart body of ``size`` bytes and counts what is read of it."""

    def __init__(self, size: int) -> None:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.head, self.tail, self.size, self.bytes_read = head, tail, size, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.bytes_read
        n = left if n is None or n < 0 else min(n, left)
        out = bytearray()
        for i in range(self.bytes_read, self.bytes_read + n):
            if i < len(self.head):
                out.append(self.head[i])
            elif i >= self.size - len(self.tail):
                out.append(self.tail[i - (self.size - len(self.tail))])
            else:
                out.append(0x78)
        self.bytes_read += n
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:
        return self.read(size if size and size > 0 else 64 * 1024)


def _post(client, path: str, stream: CountingInput, *, length: int | None):
    environ = {"wsgi.input": stream, "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}"}
    if length is not None:
        environ["CONTENT_LENGTH"] = str(length)
    else:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
        environ["wsgi.input_terminated"] = True
    return client.generic("POST", path, **environ)


def test_a_50_mb_anonymous_login_post_is_refused_having_read_only_its_headers(client):
    stream = CountingInput(50 * MIB)
    response = _post(client, reverse("login"), stream, length=stream.size)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain") and b"too large" in response.content
    assert stream.bytes_read == 0


def test_a_body_just_over_the_default_limit_is_refused_and_one_under_is_read(client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 4096
    over = CountingInput(4097)
    assert _post(client, reverse("login"), over, length=over.size).status_code == 413
    assert over.bytes_read == 0
    under = CountingInput(4096)
    assert _post(client, reverse("login"), under, length=under.size).status_code == 200  # the form, with errors
    assert under.bytes_read == 4096


def test_a_body_without_content_length_is_refused_unread(client):
    stream = CountingInput(50 * MIB)
    response = _post(client, reverse("login"), stream, length=None)
    assert response.status_code == 411 and stream.bytes_read == 0


def test_upload_endpoints_get_the_larger_limit(settings, assessment):
    assert settings.UPLOAD_REQUEST_MAX_BYTES >= settings.EVIDENCE_MAX_BYTES + MIB
    paths = {
        "assessments:section": reverse("assessments:section", args=[assessment.pk, "SUP"]),
        "assessments:import": reverse("assessments:import", args=[assessment.pk]),
        "portal:section": reverse("portal:section", args=[assessment.pk, "SUP"]),
        # The API's evidence upload: POST on the path whose GET is named api:evidence.
        "api:evidence": reverse("api:evidence_upload", args=[assessment.pk]),
        "api:contract_document_add": reverse("api:contract_document_add", args=[1, 1]),
    }
    assert set(paths) == UPLOAD_VIEWS
    for path in paths.values():
        assert body_limit(RequestFactory().post(path)) == settings.UPLOAD_REQUEST_MAX_BYTES
    for path in [reverse("login"), reverse("portal:enter", args=["x"]), "/no/such/page/"]:
        assert body_limit(RequestFactory().post(path)) == settings.REQUEST_BODY_MAX_BYTES


def test_an_upload_endpoint_refuses_a_body_over_its_own_limit_unread(client, assessment, settings):
    stream = CountingInput(settings.UPLOAD_REQUEST_MAX_BYTES + 1)
    response = _post(client, reverse("portal:section", args=[assessment.pk, "SUP"]), stream, length=stream.size)
    assert response.status_code == 413 and stream.bytes_read == 0


def test_a_10_mib_evidence_file_still_uploads(login, personas, assessment, settings):
    """The portal's twin is tests/portal/test_views.py::test_vendor_uploads_a_10_mib_evidence_file."""
    assert settings.EVIDENCE_MAX_BYTES == 10 * MIB
    content = b"%PDF-1.7\n" + b"x" * (10 * MIB - 9)
    data = {"q-SEC-01": "inclusive", "q-SEC-01B": SimpleUploadedFile("soc2.pdf", content), "revision": 0}
    response = login(personas["analyst"]).post(reverse("assessments:section", args=[assessment.pk, "SEC"]), data)
    assert response.status_code == 302
    assert Evidence.objects.get().file.size == 10 * MIB
