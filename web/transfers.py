"""Files over HTTP, for pages and API alike: the file storage the settings choose, uploads
streamed into intake spools as they arrive, and a stored file sent back safely.

Werkzeug's form parser writes each uploaded file into whatever the request's stream
factory returns; on the endpoints that take files (`streamed`), that is an intake.Spool,
which hashes as it goes and keeps nothing past the per-file limit. The request as a whole
is capped a little above that limit, and a body declared larger is refused before a byte
of it is read. Pages check their CSRF token by reading the form, so the spooling has to be
in place before any view or blueprint hook runs: it is set by an app-wide hook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from flask import Flask, Request, Response, current_app, request, send_file

from web.schemas.forms import tidy
from web.settings import Settings
from workflows import limits
from workflows.files.intake import KINDS, Refused, Spool
from workflows.files.storage import LocalStorage, S3Storage, Storage

# The form around the file (its field names, a CSRF token, multipart boundaries).
FORM_OVERHEAD = 256 * 1024
MAX_UPLOAD_REQUEST = limits.MAX_FILE_BYTES + FORM_OVERHEAD
# What the HTTP server may read of a body before the app answers (waitress reads it whole
# first): well past an upload's size, so that a file a little too large still gets the
# app's own message, yet bounded, so that no body can fill the disk.
MAX_SERVER_BODY = 5 * limits.MAX_FILE_BYTES
FIELD = "file"
# A file shown in the browser runs nothing and loads nothing: a sandboxed document with no
# sources but itself (the image, the PDF viewer).
SANDBOX = (
    "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; "
    "style-src 'unsafe-inline'; frame-ancestors 'self'"
)

Refusal = Callable[[Refused], Any]
_STREAMED: dict[str, Refusal] = {}


def streamed(endpoint: str, refuse: Refusal) -> None:
    """Let `endpoint` take files into spools; `refuse` answers a body too large to read."""
    _STREAMED[endpoint] = refuse


class UploadRequest(Request):
    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        if self.endpoint in _STREAMED:
            spool: IO[bytes] = Spool()  # type: ignore[assignment]
            return spool
        return super()._get_file_stream(
            total_content_length, content_type, filename, content_length
        )


def _before_upload() -> Any:
    refuse = _STREAMED.get(request.endpoint or "")
    if refuse is None:
        return None
    request.max_content_length = MAX_UPLOAD_REQUEST
    if (request.content_length or 0) > MAX_UPLOAD_REQUEST:
        return refuse(Refused("file_too_large", most=limits.MAX_FILE_BYTES // limits.MIB))
    return None


def storage_for(settings: Settings) -> Storage:
    if settings.file_store == "s3":
        return S3Storage(
            settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
        )
    return LocalStorage(settings.files_path)


def configure(app: Flask, settings: Settings) -> None:
    app.request_class = UploadRequest
    app.extensions["laurel.files"] = storage_for(settings)
    # Ahead of every other hook: the pages' CSRF check reads the form, and with it the files.
    app.before_request_funcs.setdefault(None, []).insert(0, _before_upload)


def storage() -> Storage:
    found: Storage = current_app.extensions["laurel.files"]
    return found


def document() -> str | None:
    """The required document the uploader says the file is (workflows.checklist), if any."""
    return tidy(request.form.get("document", "")) or None


def upload(field: str = FIELD) -> tuple[Spool, str]:
    """The one file sent in `field` (its spool and the name as sent); Refused when there
    is none, or more than one."""
    sent = request.files.getlist(field)
    if not sent:
        raise Refused("file_missing")
    if len(sent) > 1:
        raise Refused("file_one_at_a_time")
    stream = sent[0].stream
    if not isinstance(stream, Spool):  # a request this endpoint was not declared for
        raise Refused("file_missing")
    return stream, sent[0].filename or ""


def send(stream: Any, *, name: str, media_type: str, size: int, sha256: str) -> Response:
    """A stored file as a response: PDF and images inline, DOCX and XLSX as attachments,
    always with its stored type (never sniffed), its name, a sandbox and no caching."""
    response = send_file(
        stream,
        mimetype=media_type,
        as_attachment=not KINDS[media_type].inline,
        download_name=name,
        conditional=False,
        etag=sha256,
        max_age=0,
    )
    response.content_length = size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
