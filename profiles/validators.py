"""Validation of researcher identifiers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ORCID_PATTERN = r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$"
_ORCID_RE = re.compile(ORCID_PATTERN)
_ORCID_PREFIX = re.compile(r"^(https?://)?(www\.)?orcid\.org/", re.IGNORECASE)


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
