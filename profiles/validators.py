"""Validation of researcher identifiers and portraits."""

import re

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

from .images import PORTRAIT_MAX_BYTES, PORTRAIT_MAX_PIXELS, image_header

ORCID_PATTERN = r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$"
_ORCID_RE = re.compile(ORCID_PATTERN)
_ORCID_PREFIX = re.compile(r"^(https?://)?(www\.)?orcid\.org/", re.IGNORECASE)

# The identifiers of the sources publications are harvested from, as stored. Digits are
# spelt [0-9] so that the database and Python agree on what a digit is.
OPENALEX_AUTHOR_PATTERN = r"^A[0-9]+$"
# Numbered (123/4567) or named after the person (b/YoshuaBengio), "-1" telling homonyms apart.
DBLP_PID_PATTERN = r"^([0-9]{1,4}/[0-9]+|[a-z]/[A-Za-z0-9_=]+)(-[0-9]+)?$"
SEMANTIC_SCHOLAR_AUTHOR_PATTERN = r"^[0-9]+$"
# Said by the form and by the database's check alike.
OPENALEX_AUTHOR_MESSAGE = _("Enter an OpenAlex author id in the form A5023888391.")
DBLP_PID_MESSAGE = _("Enter a DBLP person id in the form 123/4567 or b/YoshuaBengio.")
SEMANTIC_SCHOLAR_AUTHOR_MESSAGE = _("Enter a Semantic Scholar author id in the form 1751762.")
# What follows an identifier in an address: a slash, a query, a fragment.
_ADDRESS_END = r"/?([?#].*)?$"
_OPENALEX_URL = re.compile(
    r"^(https?://)?(www\.|api\.)?openalex\.org/(authors/)?(?P<id>[^/?#]+)" + _ADDRESS_END,
    re.IGNORECASE,
)
_DBLP_URL = re.compile(
    r"^(https?://)?(www\.)?dblp\.(org|uni-trier\.de|dagstuhl\.de)/pid/(?P<id>[^?#]+?)"
    r"(\.(html|xml|bib|rdf|nt|ttl|rss))?" + _ADDRESS_END,
    re.IGNORECASE,
)
_SEMANTIC_SCHOLAR_URL = re.compile(
    r"^(https?://)?(www\.|api\.)?semanticscholar\.org/(graph/v1/)?author/([^/?#]+/)?"
    r"(?P<id>[^/?#]+)" + _ADDRESS_END,
    re.IGNORECASE,
)
_MEGABYTE = 1024 * 1024
_MEGAPIXEL = 1_000_000


def normalize_orcid(value: str) -> str:
    """Reduce an ORCID iD as people paste it (URL, spaces, lower-case x) to 0000-0000-0000-000X."""
    value = _ORCID_PREFIX.sub("", value.strip()).upper().replace(" ", "")
    digits = value.replace("-", "")
    if len(digits) == 16 and "-" not in value:
        value = "-".join(digits[i : i + 4] for i in range(0, 16, 4))
    return value


def orcid_check_digit(base_digits: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def validate_orcid(value: str) -> None:
    """Accept only a well-formed ORCID iD whose check character is right."""
    if not _ORCID_RE.match(value):
        raise ValidationError(
            _("Enter an ORCID iD in the form 0000-0002-1825-0097."), code="orcid_format"
        )
    digits = value.replace("-", "")
    if orcid_check_digit(digits[:15]) != digits[15]:
        raise ValidationError(
            _("This ORCID iD is not valid: its last character does not match its checksum."),
            code="orcid_checksum",
        )


def _identifier_in(address: re.Pattern, value: str) -> str:
    """The identifier that a pasted ``value`` holds: the one in its address when it is an
    address of the source, else ``value`` itself without surrounding spaces."""
    value = value.strip()
    match = address.match(value)
    return match["id"] if match else value


def normalize_openalex_author_id(value: str) -> str:
    """Reduce an OpenAlex author id as people paste it (openalex.org address, lower-case a) to
    A5023888391."""
    return _identifier_in(_OPENALEX_URL, value).upper()


def normalize_dblp_pid(value: str) -> str:
    """Reduce a DBLP person id as people paste it (its dblp.org page, .html or .xml or not) to
    123/4567 or b/YoshuaBengio; case is kept, it is part of the id."""
    pid = _identifier_in(_DBLP_URL, value)
    # The key of the person's record in DBLP's data is the id under "homepages/".
    return pid.removeprefix("homepages/")


def normalize_semantic_scholar_author_id(value: str) -> str:
    """Reduce a Semantic Scholar author id as people paste it (the author's page, with or
    without their name in it) to its digits."""
    return _identifier_in(_SEMANTIC_SCHOLAR_URL, value)


def _format_validator(pattern: str, message, code: str):
    """A validator that refuses a value not wholly in ``pattern``, the database's rule too."""
    expression = re.compile(pattern)

    def validate(value: str) -> None:
        if not expression.fullmatch(value):
            raise ValidationError(message, code=code)

    return validate


validate_openalex_author_id = _format_validator(
    OPENALEX_AUTHOR_PATTERN, OPENALEX_AUTHOR_MESSAGE, "openalex_id_format"
)
validate_dblp_pid = _format_validator(DBLP_PID_PATTERN, DBLP_PID_MESSAGE, "dblp_pid_format")
validate_semantic_scholar_author_id = _format_validator(
    SEMANTIC_SCHOLAR_AUTHOR_PATTERN, SEMANTIC_SCHOLAR_AUTHOR_MESSAGE, "semantic_scholar_id_format"
)


def validate_portrait(file: File) -> None:
    """Refuse a portrait that is too heavy, not a JPEG, PNG or WebP image, or has too many pixels.

    It is decided from the file's size and the image's header alone: no pixel is decoded, so a
    small file declaring a huge image (a decompression bomb) costs no memory.
    """
    if file.size > PORTRAIT_MAX_BYTES:
        # Rounded up, with two decimals when one would hide how little the file is over.
        decimals = 1 if file.size - PORTRAIT_MAX_BYTES >= _MEGABYTE // 10 else 2
        raise ValidationError(
            _("The portrait is %(size)s MB, %(excess)s MB over the limit of %(limit)s MB."),
            code="portrait_too_heavy",
            params={
                "size": _rounded_up(file.size, _MEGABYTE, decimals),
                "excess": _rounded_up(file.size - PORTRAIT_MAX_BYTES, _MEGABYTE, decimals),
                "limit": PORTRAIT_MAX_BYTES // _MEGABYTE,
            },
        )
    try:
        header = image_header(file)
    # The warning is raised only where warnings are errors, as in the tests.
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The portrait is more than %(megapixels)s megapixels; the limit is %(limit)s."),
            code="portrait_too_many_pixels",
            params={
                "megapixels": _rounded_up(Image.MAX_IMAGE_PIXELS or 0, _MEGAPIXEL),
                "limit": PORTRAIT_MAX_PIXELS // _MEGAPIXEL,
            },
        ) from None
    except OSError:  # Not an image of these formats, or a header cut short.
        raise ValidationError(_("Use a JPEG, PNG or WebP image."), code="portrait_format") from None
    if header.pixels > PORTRAIT_MAX_PIXELS:
        raise ValidationError(
            _("The portrait is %(megapixels)s megapixels; the limit is %(limit)s."),
            code="portrait_too_many_pixels",
            params={
                "megapixels": _rounded_up(header.pixels, _MEGAPIXEL),
                "limit": PORTRAIT_MAX_PIXELS // _MEGAPIXEL,
            },
        )


def _rounded_up(amount: int, unit: int, decimals: int = 1) -> str:
    """``amount`` in ``unit``s with at most ``decimals`` decimals, in the active language;
    rounded up, so that a file just over a limit never reads as the limit itself. Counted in
    whole numbers: a float would round 1.1 up to 1.2."""
    scale = 10**decimals
    return floatformat(-(-amount * scale // unit) / scale, -decimals)
