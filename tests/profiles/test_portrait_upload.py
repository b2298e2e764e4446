"""Portraits as an editor uploads them in the admin: what is refused, and what is stored."""

import io
import os
import resource
import struct
import time
import zlib
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from profiles.models import Researcher
from tests.admin_forms import researcher_form_data
from tests.factories import ResearcherFactory
from tests.pages import edit_snapshot

pytestmark = pytest.mark.django_db

RED, BLUE = (255, 0, 0), (0, 0, 255)
FORMAT_MESSAGE = "Use a JPEG, PNG or WebP image."


def encoded(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    # The browser's content type is left generic: only the content may decide.
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def add_researcher(client, portrait: SimpleUploadedFile):
    return client.post(
        reverse("admin:profiles_researcher_add"),
        researcher_form_data(portrait=portrait),
        HTTP_ACCEPT_LANGUAGE="en",
    )


def is_close(color: tuple[int, ...], expected: tuple[int, ...]) -> bool:
    """Equal but for JPEG's small colour errors."""
    return all(abs(a - b) <= 16 for a, b in zip(color[:3], expected, strict=True))


def stored_files() -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob("*.*"))


def assert_refused(response, message: str) -> None:
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Researcher.objects.exists()
    assert stored_files() == []


def six_megabyte_png() -> bytes:
    """A real PNG of a little over 6 MB: random pixels do not compress."""
    noise = Image.frombytes("RGB", (1450, 1450), os.urandom(1450 * 1450 * 3))
    return encoded(noise, "PNG", compress_level=1)


def png_declaring(width: int, height: int, mode: str = "L") -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels: a decompression bomb."""
    data = bytearray(encoded(Image.new(mode, (8, 8)), "PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(data[12:29]))
    return bytes(data)


def webp_declaring(width: int, height: int) -> bytes:
    """A tiny lossless WebP whose header claims ``width`` x ``height`` pixels."""
    data = bytearray(encoded(Image.new("RGBA", (8, 8)), "WEBP", lossless=True))
    assert data[12:16] == b"VP8L"
    bits = struct.unpack("<I", data[21:25])[0] & ~0x0FFFFFFF
    data[21:25] = struct.pack("<I", bits | (width - 1) | (height - 1) << 14)
    return bytes(data)


@contextmanager
def address_space_limited(*, headroom: int):
    """The process may take at most ``headroom`` more bytes of address space meanwhile.

    Pillow's pixel buffers are allocated outside Python, where tracemalloc cannot see them;
    with this limit, decoding even part of a huge image fails instead.
    """
    in_use = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (in_use + headroom, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# Accepted and re-encoded -------------------------------------------------------------------


def test_a_photo_is_stored_upright_without_its_exif_gps_position_or_comment(editor_client):
    photo = Image.new("RGB", (300, 200), RED)
    photo.paste(BLUE, (150, 0, 300, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # The camera was turned: show it rotated 90° clockwise.
    exif[ExifTags.Base.Model] = "Phone 12"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (45.0, 30.0, 17.0)
    content = encoded(photo, "JPEG", exif=exif, comment="At home, 12 Elm Street", quality=95)
    assert b"Phone 12" in content
    assert b"Elm Street" in content

    response = add_researcher(editor_client, upload("IMG_0042.JPG", content))

    assert response.status_code == 302
    researcher = Researcher.objects.get()
    assert researcher.portrait.name == "portraits/IMG_0042.jpg"
    stored_bytes = Path(researcher.portrait.path).read_bytes()
    assert stored_bytes != content
    assert b"Exif" not in stored_bytes
    assert b"Phone 12" not in stored_bytes
    assert b"Elm Street" not in stored_bytes
    with Image.open(researcher.portrait.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
        # Upright: the left (red) half of the sensor is now at the top.
        assert stored.size == (200, 300)
        assert is_close(stored.getpixel((100, 20)), RED)
        assert is_close(stored.getpixel((100, 280)), BLUE)
    assert (researcher.portrait_width, researcher.portrait_height) == (200, 300)


def test_a_large_png_is_scaled_down_and_keeps_its_transparency(editor_client):
    logo = Image.new("RGBA", (3000, 2000), (0, 0, 0, 0))
    logo.paste((0, 128, 0, 255), (1500, 0, 3000, 2000))

    response = add_researcher(editor_client, upload("portrait.png", encoded(logo, "PNG")))

    assert response.status_code == 302
    researcher = Researcher.objects.get()
    with Image.open(researcher.portrait.path) as stored:
        assert stored.format == "PNG"
        assert stored.size == (1200, 800)
        assert stored.mode == "RGBA"
        assert stored.getpixel((100, 400)) == (0, 0, 0, 0)
        assert stored.getpixel((1100, 400)) == (0, 128, 0, 255)
    assert (researcher.portrait_width, researcher.portrait_height) == (1200, 800)


def test_a_small_webp_is_accepted_and_not_enlarged(editor_client):
    picture = Image.new("RGB", (400, 300), BLUE)

    response = add_researcher(editor_client, upload("portrait.webp", encoded(picture, "WEBP")))

    assert response.status_code == 302
    researcher = Researcher.objects.get()
    with Image.open(researcher.portrait.path) as stored:
        assert stored.format == "WEBP"
        assert stored.size == (400, 300)
    assert (researcher.portrait_width, researcher.portrait_height) == (400, 300)


def test_a_new_portrait_on_the_change_form_replaces_the_dimensions(editor_client):
    researcher = ResearcherFactory(slug="razvan-pascanu")
    first = Image.new("RGB", (2400, 1600), RED)
    researcher.portrait.save("old.jpg", SimpleUploadedFile("old.jpg", encoded(first, "JPEG")))
    assert (researcher.portrait_width, researcher.portrait_height) == (2400, 1600)
    photo = Image.new("RGB", (1600, 2400), BLUE)

    url = reverse("admin:profiles_researcher_change", args=[researcher.pk])
    response = editor_client.post(
        url,
        {
            **researcher_form_data(portrait=upload("new.jpg", encoded(photo, "JPEG"))),
            **edit_snapshot(editor_client, url),
        },
    )

    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.portrait.name == "portraits/new.jpg"
    assert (researcher.portrait_width, researcher.portrait_height) == (800, 1200)
    with Image.open(researcher.portrait.path) as stored:
        assert stored.size == (800, 1200)


def test_a_researcher_whose_portrait_file_is_missing_can_still_be_edited(editor_client):
    researcher = ResearcherFactory(slug="razvan-pascanu")
    image = Image.new("RGB", (400, 500), RED)
    researcher.portrait.save("lost.jpg", SimpleUploadedFile("lost.jpg", encoded(image, "JPEG")))
    os.remove(researcher.portrait.path)  # e.g. a database restored without its media files

    url = reverse("admin:profiles_researcher_change", args=[researcher.pk])
    response = editor_client.post(
        url,
        {
            **researcher_form_data(position_fr="Professeur titulaire"),
            **edit_snapshot(editor_client, url),
        },
    )

    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.position_fr == "Professeur titulaire"
    assert researcher.portrait.name == "portraits/lost.jpg"
    assert (researcher.portrait_width, researcher.portrait_height) == (400, 500)


# Refused -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        encoded(Image.new("RGB", (64, 64), RED), "GIF"),
        encoded(Image.new("RGB", (64, 64), RED), "BMP"),
        encoded(Image.new("RGB", (64, 64), RED), "TIFF"),
        b"Just a text file, renamed.\n",
        b"",
    ],
    ids=["gif", "bmp", "tiff", "text", "empty"],
)
def test_anything_but_jpeg_png_or_webp_is_refused_whatever_its_name(editor_client, content):
    response = add_researcher(editor_client, upload("portrait.jpg", content))

    if content:
        assert_refused(response, FORMAT_MESSAGE)
    else:
        assert_refused(response, "The submitted file is empty.")


def test_a_file_over_5_mb_is_refused(editor_client):
    content = six_megabyte_png()
    assert 6 * 1024 * 1024 < len(content) < 6.1 * 1024 * 1024

    response = add_researcher(editor_client, upload("portrait.png", content))

    assert_refused(response, "The portrait is 6.1 MB, 1.1 MB over the limit of 5 MB.")


def test_the_size_is_written_the_french_way_by_default(editor_client):
    response = editor_client.post(
        reverse("admin:profiles_researcher_add"),
        researcher_form_data(portrait=upload("portrait.png", six_megabyte_png())),
    )

    assert response.status_code == 200
    assert "6,1" in response.content.decode()
    assert not Researcher.objects.exists()


def test_an_image_over_25_megapixels_is_refused(editor_client):
    content = encoded(Image.new("L", (6000, 5000), 128), "JPEG")
    assert len(content) < 1024 * 1024

    response = add_researcher(editor_client, upload("portrait.jpg", content))

    assert_refused(response, "The portrait is 30 megapixels; the limit is 25.")


def test_a_damaged_image_is_refused(editor_client):
    content = encoded(Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)), "PNG")

    response = add_researcher(editor_client, upload("portrait.png", content[: len(content) // 2]))

    assert_refused(response, "Upload a valid image.")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # Beyond Pillow's own limit: it refuses to open the file.
        (png_declaring(50_000, 50_000), "The portrait is more than 89.5 megapixels"),
        # Below Pillow's limit: only the portrait's own limit stands in the way.
        (png_declaring(16_000, 5_000, "RGB"), "The portrait is 80 megapixels; the limit is 25."),
        # Pillow's WebP reader would reserve 650 MB on opening this one.
        (webp_declaring(9_000, 9_000), "The portrait is 81 megapixels; the limit is 25."),
    ],
    ids=["png-2500-megapixels", "png-80-megapixels", "webp-81-megapixels"],
)
def test_a_decompression_bomb_is_refused_quickly_without_memory(editor_client, content, message):
    assert len(content) < 100
    portrait = upload("portrait.png", content)

    started = time.perf_counter()
    with address_space_limited(headroom=64 * 1024 * 1024):
        response = add_researcher(editor_client, portrait)
    elapsed = time.perf_counter() - started

    assert_refused(response, message)
    assert elapsed < 2
