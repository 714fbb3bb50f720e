"""Checking uploaded photos and documents by their content, not their name or the browser's word.

The one checker for every upload of the app (study records, mobile members' evidence, declaration
evidence).

JPEG and PNG are decoded and re-encoded with Pillow (dropping EXIF, GPS and anything hidden after the
image data); a PDF must look like one at both ends. Nothing touches storage until the file passed.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A 5 MB JPEG can still unpack to a huge bitmap: refuse anything bigger than a 40-megapixel photo.
MAX_PIXELS = 40_000_000

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PDF_MAGIC = b"%PDF-"
BAD_TYPE = "只能上传 JPG、PNG 图片或 PDF 文件。"
TOO_LARGE = f"图片过大：最多 {MAX_PIXELS // 10_000} 万像素、{MAX_UPLOAD_BYTES // 1024 // 1024} MB，请缩小或压缩后再上传"


@dataclass(frozen=True)
class CheckedFile:
    content: ContentFile
    content_type: str
    original_name: str
    size: int


def _refuse(message: str):
    raise ValidationError(message)


def _megapixels(img) -> int:
    return round(img.width * img.height / 10_000)


def _reencode(data: bytes, fmt: str) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != fmt:
                    _refuse("文件内容与图片格式不符。")
                if probe.width * probe.height > MAX_PIXELS:
                    _refuse(
                        f"{TOO_LARGE}（此图 {probe.width}×{probe.height}，约 {_megapixels(probe)} 万像素）。"
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                img = ImageOps.exif_transpose(img)
                out = io.BytesIO()
                if fmt == "JPEG":
                    img.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
                else:
                    if img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                        img = img.convert("RGBA")
                    img.save(out, "PNG", optimize=True)
                return out.getvalue()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # Pillow stops at its own limit while reading the header: the image is big, not broken.
            _refuse(f"{TOO_LARGE}。")
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            _refuse("图片文件已损坏或无法识别。")
    raise AssertionError("unreachable")


def check_upload(uploaded) -> CheckedFile:
    """Return a safe copy of an uploaded JPEG, PNG or PDF, or raise ValidationError in Chinese."""
    if uploaded is None:
        _refuse("请选择要上传的文件。")
    if uploaded.size > MAX_UPLOAD_BYTES:
        _refuse(f"文件不能超过 5 MB（当前 {uploaded.size / 1024 / 1024:.1f} MB）。")
    uploaded.seek(0)
    data = uploaded.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        _refuse("文件不能超过 5 MB。")
    if not data:
        _refuse("文件是空的。")
    if data.startswith(JPEG_MAGIC):
        body, content_type, ext = _reencode(data, "JPEG"), "image/jpeg", "jpg"
    elif data.startswith(PNG_MAGIC):
        body, content_type, ext = _reencode(data, "PNG"), "image/png", "png"
    elif data.startswith(PDF_MAGIC):
        if b"%%EOF" not in data[-2048:]:
            _refuse("PDF 文件不完整或已损坏。")
        body, content_type, ext = data, "application/pdf", "pdf"
    else:
        _refuse(BAD_TYPE)
    name = (getattr(uploaded, "name", "") or f"附件.{ext}").replace("/", "_").replace("\\", "_")[-100:]
    # Stored under a random name: the original name is shown, never used as a path.
    content = ContentFile(body, name=f"{uuid.uuid4().hex}.{ext}")
    return CheckedFile(content=content, content_type=content_type, original_name=name, size=len(body))
