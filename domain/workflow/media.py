"""Photos and signatures: checked from their content, re-encoded, stored once by SHA-256, served
only to people who may see the journey.

- The type comes from the bytes (magic number, then a full decode by Pillow), never from a file
  name or a declared content type. A PDF or HTML file named `.jpg`, a truncated image or a
  decompression bomb is refused with 422; a file over the limit with 413.
- What is stored is Pillow's re-encoding of the decoded pixels (EXIF orientation applied,
  metadata such as GPS dropped), so no uploaded byte sequence is ever served back as is.
- Files live under `MEDIA_ROOT` as `ab/cd/<sha256>.<ext>` plus a `<sha256>.thumb.jpg`; the same
  content is written once. Paths are built from the hash only, never from user input.
- A file is written before its row commits; if the transaction then fails, the file stays as an
  unreferenced blob (harmless, content-addressed, and reused by the next identical upload).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import ctypes
import ctypes.util
import hashlib
import io
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config import get_settings
from db.enums import MediaKind
from db.models import Journey, Media
from domain.access.rbac import Principal, journey_scope
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.errors import NotFound, TooLarge, ValidationFailed
from domain.journeys.access import load_journey
from domain.unit_of_work import read_session, unit_of_work
from domain.workflow.pixel_budget import PixelBudget
from domain.workflow.access import crew_ids, refuse_if_cancelled, require_any_worker, require_row_id

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_SIGNATURE_BYTES = 1024 * 1024
#: Pixel count above which an image is refused before it is decoded (decompression bombs).
MAX_PIXELS = 40_000_000
#: Photos are stored at most this many pixels on their longest side (a 12 MP phone photo fits).
MAX_STORED_SIDE = 4096
THUMBNAIL_SIDE = 320
#: Decoded pixels of all uploads being processed at once (`PixelBudget`): one image at the size
#: limit, or a few phone photos (12 MP) side by side. 8 uploads at the limit at once stay under
#: +400 MB resident (bench/upload_memory.py).
DECODE_PIXEL_BUDGET = 48_000_000
DECODE_BUDGET = PixelBudget(DECODE_PIXEL_BUDGET)
#: A signature needs at least this many dark pixels (a blank or single-dot pad is refused).
MIN_SIGNATURE_INK_PIXELS = 150
SIGNATURE_DATA_URL_PREFIX = "data:image/png;base64,"

#: Pillow format → (content type, extension). Only these are accepted.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
_STORED_PATH = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}\.(jpg|png|webp|thumb\.jpg)$")


class MediaTooLarge(TooLarge):
    pass


def max_bytes(kind: MediaKind) -> int:
    return MAX_SIGNATURE_BYTES if kind is MediaKind.SIGNATURE else MAX_PHOTO_BYTES


def sniff_format(data: bytes) -> str | None:
    """The image format the leading bytes announce (JPEG, PNG, WEBP), else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """A validated, re-encoded image and its thumbnail, ready to store."""

    content: bytes
    thumbnail: bytes
    content_type: str
    ext: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def path(self) -> str:
        sha = self.sha256
        return f"{sha[:2]}/{sha[2:4]}/{sha}.{self.ext}"

    @property
    def thumbnail_path(self) -> str:
        sha = self.sha256
        return f"{sha[:2]}/{sha[2:4]}/{sha}.thumb.jpg"


def _decode(data: bytes, fmt: str) -> Image.Image:
    """Fully decode the image, or raise `ValidationFailed` (damaged, truncated, bomb, other type)."""
    what = FORMATS[fmt][1].upper()
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationFailed(f"the image is too large: at most {MAX_PIXELS // 1_000_000} megapixels")
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=[fmt])
        image.load()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise ValidationFailed(f"the file is not a valid {what} image (damaged or truncated)") from exc
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on a white background (transparent signatures, palette PNGs)."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        _flatten(image).save(out, "JPEG", quality=88, optimize=True)
    elif fmt == "WEBP":
        image.convert("RGBA" if "A" in image.getbands() else "RGB").save(out, "WEBP", quality=85)
    else:
        keep = image if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else image.convert("RGB")
        keep.save(out, "PNG")
    return out.getvalue()


def prepare_image(data: bytes, kind: MediaKind) -> PreparedImage:
    """Validate an upload and re-encode it (CPU-bound: run it in a worker thread)."""
    limit = max_bytes(kind)
    if len(data) > limit:
        raise MediaTooLarge(f"the file is too large: at most {limit // (1024 * 1024)} MB")
    if not data:
        raise ValidationFailed("the file is empty")
    fmt = sniff_format(data)
    if fmt is None:
        raise ValidationFailed("not an image: photos must be JPEG, PNG or WebP")
    if kind is MediaKind.SIGNATURE and fmt != "PNG":
        raise ValidationFailed("a signature must be a PNG image")
    image = _decode(data, fmt)
    if kind is MediaKind.SIGNATURE:
        ink = sum(_flatten(image).convert("L").histogram()[:160])
        if ink < MIN_SIGNATURE_INK_PIXELS:
            raise ValidationFailed("the signature is blank: sign on the pad first")
    # Memory: shrink first (in place: the full-size buffer goes), then turn (in place, on the
    # smaller image; the bound is square, so the order does not change the result), and make the
    # thumbnail from a reduced copy rather than a full one.
    if max(image.size) > MAX_STORED_SIDE:
        image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
    image = ImageOps.exif_transpose(image, in_place=True) or image
    thumb = _flatten(ImageOps.contain(image, (THUMBNAIL_SIDE, THUMBNAIL_SIDE)))
    thumb_bytes = io.BytesIO()
    thumb.save(thumb_bytes, "JPEG", quality=80)
    content_type, ext = FORMATS[fmt]
    return PreparedImage(content=_encode(image, fmt), thumbnail=thumb_bytes.getvalue(), content_type=content_type,
                         ext=ext, width=image.width, height=image.height)


def declared_pixels(data: bytes) -> int:
    """The pixel count an image's header announces (nothing is decoded); 0 if it has none."""
    fmt = sniff_format(data)
    if fmt is None:
        return 0
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
            width, height = probe.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        return 0
    return int(width) * int(height)


_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6") if sys.platform == "linux" else None


def _prepare_and_give_back(data: bytes, kind: MediaKind) -> PreparedImage:
    """`prepare_image`, then hand the freed decode buffers back to the system: glibc keeps freed
    memory in the worker thread's arena, so without `malloc_trim` the process stays as large as
    its largest decode ever was."""
    try:
        return prepare_image(data, kind)
    finally:
        if _LIBC is not None and hasattr(_LIBC, "malloc_trim"):
            _LIBC.malloc_trim(0)


async def prepare_within_budget(data: bytes, kind: MediaKind) -> PreparedImage:
    """`prepare_image` in a worker thread, once the image's pixels fit in the decode budget."""
    async with DECODE_BUDGET.reserve(declared_pixels(data)):
        return await asyncio.to_thread(_prepare_and_give_back, data, kind)


def signature_png(data_url: str) -> bytes:
    """The PNG bytes of a canvas' `toDataURL("image/png")`."""
    if not isinstance(data_url, str) or not data_url.startswith(SIGNATURE_DATA_URL_PREFIX):
        raise ValidationFailed("the signature must be a PNG data URL")
    encoded = data_url[len(SIGNATURE_DATA_URL_PREFIX):]
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise MediaTooLarge(f"the signature is too large: at most {MAX_SIGNATURE_BYTES // (1024 * 1024)} MB")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed("the signature data is not valid base64") from exc


def _media_root() -> Path:
    return get_settings().media_root.resolve()


def _write_once(root: Path, relative: str, content: bytes) -> None:
    """Write atomically (temp file, then rename); an existing file has this content already."""
    target = root / relative
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _write_files(image: PreparedImage) -> None:
    root = _media_root()
    _write_once(root, image.path, image.content)
    _write_once(root, image.thumbnail_path, image.thumbnail)


async def store_media(session: AsyncSession, principal: Principal, journey: Journey, kind: MediaKind,
                      data: bytes) -> Media:
    """Validate, store and add the media row to the session's transaction (the caller has
    checked the principal may work on the journey). Identical content on the same journey
    reuses the existing row."""
    image = await prepare_within_budget(data, kind)
    sha = image.sha256
    existing = await session.scalar(
        select(Media).where(Media.journey_id == journey.id, Media.sha256 == sha, Media.kind == kind)
    )
    if existing is not None:
        return existing
    await asyncio.to_thread(_write_files, image)
    media = Media(company_id=journey.company_id, journey_id=journey.id, kind=kind, content_type=image.content_type,
                  size_bytes=len(image.content), sha256=sha, path=image.path, thumbnail_path=image.thumbnail_path,
                  width=image.width, height=image.height, created_by_id=principal.user_id)
    session.add(media)
    await session.flush()
    audit.record(session, principal, "media.stored", "media", media.id, company_id=journey.company_id,
                 new=audit.snapshot(media, ("journey_id", "kind", "content_type", "size_bytes", "sha256")))
    return media


@dataclass(frozen=True, slots=True)
class MediaInfo:
    id: int
    journey_id: int
    kind: MediaKind
    content_type: str
    size_bytes: int
    sha256: str
    width: int | None
    height: int | None


def media_info(media: Media) -> MediaInfo:
    return MediaInfo(id=media.id, journey_id=media.journey_id, kind=media.kind, content_type=media.content_type,
                     size_bytes=media.size_bytes, sha256=media.sha256, width=media.width, height=media.height)


@audited_write
async def upload_media(principal: Principal, journey_id: int, kind: MediaKind, data: bytes) -> MediaInfo:
    """Store a photo or signature for a journey the principal works on; its id is then used to
    record an item. (No event: nothing on screen changes until the item is recorded.)"""
    async with unit_of_work() as session:
        journey, _location = await load_journey(session, principal, journey_id)
        refuse_if_cancelled(journey)
        require_any_worker(principal, await crew_ids(session, journey.id))
        return media_info(await store_media(session, principal, journey, kind, data))


@dataclass(frozen=True, slots=True)
class MediaFile:
    path: Path
    content_type: str


async def media_file(principal: Principal, media_id: int, *, thumbnail: bool = False) -> MediaFile:
    """The file of a media the principal may see (through its journey's scope)."""
    require_row_id(media_id, "media")
    async with read_session() as session:
        media = await session.scalar(
            select(Media).join(Journey, Media.journey_id == Journey.id).where(Media.id == media_id,
                                                                               journey_scope(principal))
        )
    if media is None:
        raise NotFound("media not found")
    relative = media.thumbnail_path if thumbnail else media.path
    root = _media_root()
    path = (root / relative).resolve() if relative and _STORED_PATH.match(relative) else None
    if path is None or not path.is_relative_to(root) or not path.is_file():
        raise NotFound("media file missing")
    return MediaFile(path=path, content_type="image/jpeg" if thumbnail else media.content_type)
