"""Every file that leaves the site goes through here: built once, and recorded in the security log.

A view that answers with a file of members' data (rosters, workbooks, report PDFs, sheets, evidence,
attachments) is wrapped in `@personal_download` and builds its response with `file_response` or
`stored_file_response`, naming what the file is and whose data it holds (its scope). The decorator logs
each file it lets out as an EXPORT event: who (the user), what and scope (the detail), when (the event's
time), from where (address and path). A refusal (403/404) or a waiting page is not a download and is not
logged as one. tests/security/test_downloads.py walks the URLconf and fails for a file response that
was not logged this way.
"""

from __future__ import annotations

import functools

from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from .services import log_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
# Our stored upload names end with the extension the content check chose (config.uploads).
STORED_TYPES = {"pdf": PDF, "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


def file_response(
    content, *, filename: str, content_type: str, what: str, scope: str, as_attachment: bool = True
) -> HttpResponse:
    """A download of `content` (bytes, or an open binary file that is streamed and closed afterwards)."""
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    else:
        response = FileResponse(
            content, as_attachment=as_attachment, filename=filename, content_type=content_type
        )
    response["Cache-Control"] = "private, no-store"
    response.download_what = what
    response.download_scope = scope
    return response


def stored_file_response(
    field_file, *, filename: str, what: str, scope: str, content_type: str | None = None
):
    """A stored upload, after the view's permission check: images open in the browser, anything else is
    downloaded rather than rendered on our origin; never sniffed, framed, scripted or cached."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    ext = field_file.name.rsplit(".", 1)[-1].lower()
    content_type = content_type or STORED_TYPES.get(ext, "application/octet-stream")
    response = file_response(
        handle,
        filename=filename,
        content_type=content_type,
        what=what,
        scope=scope,
        as_attachment=not content_type.startswith("image/"),
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


def is_file(response) -> bool:
    return response.status_code == 200 and (
        isinstance(response, FileResponse) or response.has_header("Content-Disposition")
    )


def personal_download(view):
    """Log every file `view` lets out as an export of personal data (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if is_file(response):
            # A file built without file_response is still logged, by its path.
            what = getattr(response, "download_what", "") or "文件"
            scope = getattr(response, "download_scope", "") or request.path
            log_export(request, f"{what}；范围：{scope}")
        return response

    wrapper.personal_download = True
    return wrapper
