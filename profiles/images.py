"""Reading uploaded portraits safely and storing a clean, bounded copy of them."""

import io
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.base import ContentFile, File
from django.utils.text import slugify
from PIL import Image, ImageOps, UnidentifiedImageError

PORTRAIT_FORMATS = ("JPEG", "PNG", "WEBP")
PORTRAIT_MAX_BYTES = 5 * 1024 * 1024
PORTRAIT_MAX_PIXELS = 25_000_000
# Pages show portraits far smaller; link previews (og:image) want 1200 px.
PORTRAIT_LONGEST_SIDE = 1200

PORTRAIT_FOLDER = "portraits"
# A longer upload name is shortened to a slug of its first words: the stored name stays
# readable, and leaves room in the field for the suffix that keeps it unique.
PORTRAIT_NAME_MAX_LENGTH = 60
PORTRAIT_EXTENSION_MAX_LENGTH = 10

_SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}
_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


@dataclass(frozen=True)
class ImageHeader:
    format: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def image_header(file: File) -> ImageHeader:
    """Format and size of a JPEG, PNG or WebP image, read from its header without decoding it.

    Raises PIL.UnidentifiedImageError for any other content, whatever the file's name, and
    PIL.Image.DecompressionBombError (or the warning, when warnings are errors) for a JPEG or
    PNG beyond Pillow's own limit.
    """
    file.seek(0)
    head = file.read(30)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        # Pillow's WebP reader reserves memory for the whole canvas as soon as it opens a
        # file, so the size is read here first.
        return ImageHeader("WEBP", *_webp_canvas_size(head))
    file.seek(0)
    with Image.open(file, formats=("JPEG", "PNG")) as image:
        return ImageHeader(image.format, image.width, image.height)


def _webp_canvas_size(head: bytes) -> tuple[int, int]:
    """Width and height from the first 30 bytes of a WebP file (RFC 9649)."""

    def little_endian(start: int, end: int) -> int:
        return int.from_bytes(head[start:end], "little")

    chunk = head[12:16]
    if len(head) == 30:
        if chunk == b"VP8X":
            return 1 + little_endian(24, 27), 1 + little_endian(27, 30)
        if chunk == b"VP8L" and head[20] == 0x2F:
            bits = little_endian(21, 25)
            return 1 + (bits & 0x3FFF), 1 + (bits >> 14 & 0x3FFF)
        if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
            return little_endian(26, 28) & 0x3FFF, little_endian(28, 30) & 0x3FFF
    raise UnidentifiedImageError("not a WebP image with a readable size")


def portrait_reencode(file: File) -> ContentFile:
    """A new file holding the portrait upright, fitted in the bounded size, without metadata.

    Only call it on a file whose header was checked: this decodes every pixel. It keeps the
    format of the upload (so a PNG keeps its transparency) and, for RGB images, its colour
    profile; it drops everything else (EXIF with any GPS position, XMP, comments, text chunks).
    """
    file.seek(0)
    with Image.open(file, formats=PORTRAIT_FORMATS) as source:
        image_format = source.format
        mode = "RGBA" if source.has_transparency_data else "RGB"
        # A colour profile describes the upload's own channels: it no longer fits once converted.
        icc_profile = source.info.get("icc_profile") if source.mode == mode else None
        image = source if source.mode == mode else source.convert(mode)
        # The box is square, so fitting before turning upright gives the same result, and
        # lets Pillow decode a large JPEG at a reduced scale.
        image.thumbnail((PORTRAIT_LONGEST_SIDE, PORTRAIT_LONGEST_SIDE))
        image = ImageOps.exif_transpose(image)
        image.info = {}
        buffer = io.BytesIO()
        image.save(
            buffer, format=image_format, icc_profile=icc_profile, **_SAVE_OPTIONS[image_format]
        )
    name = PurePath(file.name or "portrait").stem + _EXTENSIONS[image_format]
    return ContentFile(buffer.getvalue(), name=name)


def portrait_upload_to(instance, filename: str) -> str:
    """Where a portrait is stored: its upload name, or a slug of its first words when that
    name is long, in the portraits folder, with its extension."""
    return f"{PORTRAIT_FOLDER}/{portrait_short_name(filename)}"


def portrait_short_name(filename: str) -> str:
    """``filename`` as it is when it fits, else a slug cut at a word boundary, extension kept."""
    path = PurePath(filename)
    extension = path.suffix[:PORTRAIT_EXTENSION_MAX_LENGTH].lower()
    if len(path.stem) <= PORTRAIT_NAME_MAX_LENGTH and len(path.suffix) == len(extension):
        return path.name
    slug = slugify(path.stem) or "portrait"
    if len(slug) > PORTRAIT_NAME_MAX_LENGTH:
        cut = slug[: PORTRAIT_NAME_MAX_LENGTH + 1]
        # At the last word boundary, unless that leaves too little of the name.
        boundary = cut.rfind("-")
        slug = cut[:boundary] if boundary >= PORTRAIT_NAME_MAX_LENGTH // 2 else cut[:-1]
    return (slug.strip("-_") or "portrait") + extension
