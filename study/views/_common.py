from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404


def error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# Our stored names end with the extension the content check chose (config.uploads).
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def serve_upload(field_file, name: str, content_type: str | None = None) -> FileResponse:
    """Serve a stored upload after the view's permission check: images inline, PDFs as a download,
    never sniffed, framed or cached."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = content_type or CONTENT_TYPES.get(
        field_file.name.rsplit(".", 1)[-1], "application/octet-stream"
    )
    response = FileResponse(
        handle, as_attachment=not content_type.startswith("image/"), filename=name, content_type=content_type
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response
