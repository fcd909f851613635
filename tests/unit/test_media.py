"""Photos and signatures: type from content, re-encoding, limits, storage by hash, scoped reads."""

from __future__ import annotations

import asyncio
import base64
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from db.enums import MediaKind
from db.models import Media
from domain.workflow import media
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.unit_of_work import read_session, unit_of_work
from tests.journey_factory import World, jpeg_bytes, make_world, png_bytes, signature_bytes


def _encode(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "fmt"),
    [(jpeg_bytes(), "JPEG"), (png_bytes(), "PNG"),
     (_encode(Image.new("RGB", (50, 50), "red"), "WEBP"), "WEBP"), (b"GIF89a....", None), (b"%PDF-1.7", None),
     (b"<html><script>alert(1)</script>", None), (b"RIFF\x00\x00\x00\x00WAVE", None)],
)
def test_the_format_comes_from_the_bytes(data: bytes, fmt: str | None) -> None:
    assert media.sniff_format(data) == fmt


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(jpeg_bytes((1200, 900)), "image/jpeg"), (png_bytes(), "image/png"),
     (_encode(Image.new("RGBA", (400, 300), (10, 200, 30, 128)), "WEBP"), "image/webp")],
)
def test_accepted_images_are_re_encoded_with_a_small_thumbnail(data: bytes, content_type: str) -> None:
    prepared = media.prepare_image(data, MediaKind.PHOTO)
    assert prepared.content_type == content_type
    assert media.sniff_format(prepared.content) is not None
    with Image.open(io.BytesIO(prepared.thumbnail)) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) <= media.THUMBNAIL_SIDE
    with Image.open(io.BytesIO(prepared.content)) as stored:
        assert stored.size == (prepared.width, prepared.height)
    assert prepared.path == f"{prepared.sha256[:2]}/{prepared.sha256[2:4]}/{prepared.sha256}.{prepared.ext}"


def test_oversized_files_are_refused_before_decoding() -> None:
    with pytest.raises(media.MediaTooLarge) as refused:
        media.prepare_image(b"\xff\xd8\xff" + b"\0" * media.MAX_PHOTO_BYTES, MediaKind.PHOTO)
    assert refused.value.status_code == 413 and "10 MB" in refused.value.message


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>", "not an image"),
        (b"<!doctype html><html><body>hi</body></html>", "not an image"),
        (_encode(Image.new("RGB", (20, 20)), "GIF"), "not an image"),
        (_encode(Image.new("RGB", (20, 20)), "BMP"), "not an image"),
        (b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>", "not a valid JPG"),
        (b"\x89PNG\r\n\x1a\n%PDF-1.7 pretending", "not a valid PNG"),
        (jpeg_bytes()[: len(jpeg_bytes()) // 2], "not a valid JPG"),
        (png_bytes()[:-40], "not a valid PNG"),
        (b"", "the file is empty"),
    ],
)
def test_disguised_damaged_and_truncated_files_are_refused(data: bytes, problem: str) -> None:
    with pytest.raises(ValidationFailed, match=problem):
        media.prepare_image(data, MediaKind.PHOTO)


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = _encode(Image.new("1", (10_000, 5_000)), "PNG")  # 50 megapixels in a few KB
    assert len(bomb) < 100_000
    with pytest.raises(ValidationFailed, match="at most 40 megapixels"):
        media.prepare_image(bomb, MediaKind.PHOTO)


def test_metadata_is_dropped_and_orientation_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    exif[0x010F] = "SecretCam"
    original = _encode(Image.new("RGB", (400, 200), "green"), "JPEG", exif=exif.tobytes())
    prepared = media.prepare_image(original, MediaKind.PHOTO)
    with Image.open(io.BytesIO(prepared.content)) as stored:
        assert stored.size == (200, 400)
        assert dict(stored.getexif()) == {}


def test_huge_photos_are_scaled_down_for_storage() -> None:
    prepared = media.prepare_image(jpeg_bytes((5000, 2000)), MediaKind.PHOTO)
    assert (prepared.width, prepared.height) == (media.MAX_STORED_SIDE, 1638)


def test_signatures_must_be_png_and_not_blank() -> None:
    assert media.prepare_image(signature_bytes(), MediaKind.SIGNATURE).content_type == "image/png"
    with pytest.raises(ValidationFailed, match="must be a PNG"):
        media.prepare_image(jpeg_bytes(), MediaKind.SIGNATURE)
    blank = _encode(Image.new("RGBA", (600, 200), (0, 0, 0, 0)), "PNG")
    with pytest.raises(ValidationFailed, match="blank"):
        media.prepare_image(blank, MediaKind.SIGNATURE)
    with pytest.raises(media.MediaTooLarge, match="1 MB"):
        media.prepare_image(b"\x89PNG\r\n\x1a\n" + b"\0" * media.MAX_SIGNATURE_BYTES, MediaKind.SIGNATURE)


def test_signature_data_urls() -> None:
    png = signature_bytes()
    assert media.signature_png(media.SIGNATURE_DATA_URL_PREFIX + base64.b64encode(png).decode()) == png
    with pytest.raises(ValidationFailed, match="PNG data URL"):
        media.signature_png("data:image/svg+xml;base64,PHN2Zz4=")
    with pytest.raises(ValidationFailed, match="base64"):
        media.signature_png(media.SIGNATURE_DATA_URL_PREFIX + "not base64 at all!")


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


async def test_same_content_is_stored_once(world: World, media_root: Path) -> None:
    other = await make_world(company_name="Second Movers")
    photo = jpeg_bytes(colour="purple")
    first = await media.upload_media(world["driver"], world.journey_id, MediaKind.PHOTO, photo)
    again = await media.upload_media(world["mover"], world.journey_id, MediaKind.PHOTO, photo)
    elsewhere = await media.upload_media(other["driver"], other.journey_id, MediaKind.PHOTO, photo)
    assert first.id == again.id and elsewhere.id != first.id
    assert first.sha256 == elsewhere.sha256
    files = await asyncio.to_thread(lambda: list(media_root.rglob(f"{first.sha256}*")))
    assert sorted(f.name for f in files) == [f"{first.sha256}.jpg", f"{first.sha256}.thumb.jpg"]
    assert files[0].parent == media_root / first.sha256[:2] / first.sha256[2:4]
    async with read_session() as session:
        assert await session.scalar(select(func.count()).select_from(Media)) == 2


async def test_only_people_of_the_journey_upload(world: World) -> None:
    with pytest.raises(NotFound):
        await media.upload_media(world["other_driver"], world.journey_id, MediaKind.PHOTO, jpeg_bytes())
    with pytest.raises(Forbidden):
        await media.upload_media(world["auditor"], world.journey_id, MediaKind.PHOTO, jpeg_bytes())


async def test_reading_media_follows_the_journey_scope(world: World) -> None:
    stored = await media.upload_media(world["driver"], world.journey_id, MediaKind.PHOTO, jpeg_bytes())
    for who in ("driver", "mover", "manager", "dispatcher", "admin", "auditor"):
        found = await media.media_file(world[who], stored.id)
        assert found.content_type == "image/jpeg" and found.path.is_file()
    thumb = await media.media_file(world["driver"], stored.id, thumbnail=True)
    assert thumb.path.name.endswith(".thumb.jpg")
    for who in ("other_driver", "outsider_manager"):
        with pytest.raises(NotFound):
            await media.media_file(world[who], stored.id)


async def test_a_tampered_path_is_never_served(world: World, tmp_path: Path) -> None:
    stored = await media.upload_media(world["driver"], world.journey_id, MediaKind.PHOTO, jpeg_bytes())
    async with unit_of_work() as session:
        row = await session.get(Media, stored.id)
        assert row is not None
        row.path = "../../../../etc/passwd"
        row.thumbnail_path = "/etc/passwd"
    for thumbnail in (False, True):
        with pytest.raises(NotFound, match="missing"):
            await media.media_file(world["driver"], stored.id, thumbnail=thumbnail)
