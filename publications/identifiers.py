"""DOIs and arXiv identifiers: normal forms, validation, and model fields that apply both."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

DOI_PATTERN = r"^10\.\d{4,9}/\S+$"
ARXIV_ID_PATTERN = r"^(\d{4}\.\d{4,5}|[a-z][a-z.\-]*/\d{7})$"

_DOI_RE = re.compile(DOI_PATTERN)
_ARXIV_RE = re.compile(ARXIV_ID_PATTERN)
_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ARXIV_PREFIX = re.compile(r"^(https?://(www\.)?arxiv\.org/(abs|pdf)/|arxiv:\s*)", re.IGNORECASE)
_ARXIV_VERSION = re.compile(r"v\d+$")
# What would end a BibTeX field or a line of RIS early: no identifier or address holds it.
_BREAKING = re.compile(r"[{}\s]")


def normalize_doi(value: str) -> str:
    """Lower-case DOI without resolver prefix: "https://doi.org/10.1/ABC" -> "10.1/abc"."""
    return _DOI_PREFIX.sub("", value.strip()).lower()


def normalize_arxiv_id(value: str) -> str:
    """arXiv id without prefix, URL, ".pdf" or version: "arXiv:2307.11888v2" -> "2307.11888"."""
    value = _ARXIV_PREFIX.sub("", value.strip())
    value = value.removesuffix(".pdf")
    return _ARXIV_VERSION.sub("", value)


def validate_doi(value: str) -> None:
    if not _DOI_RE.match(value):
        raise ValidationError(
            _("Enter a DOI such as 10.48550/arXiv.2307.11888."), code="doi_format"
        )
    validate_no_breaking_characters(value)


def validate_no_breaking_characters(value: str) -> None:
    """Refuse braces, spaces and line breaks, which no DOI or web address holds as such."""
    if _BREAKING.search(value):
        raise ValidationError(
            _("A DOI or a web address cannot hold braces, spaces or line breaks."),
            code="breaking_characters",
        )


def validate_arxiv_id(value: str) -> None:
    if not _ARXIV_RE.match(value):
        raise ValidationError(
            _("Enter an arXiv identifier such as 2307.11888 or math/0211159."),
            code="arxiv_format",
        )


# How long an identifier may be as pasted, address included.
PASTED_MAX_LENGTH = 300


class DOIField(models.CharField):
    """A DOI kept in its normal form, whatever form the editor pasted."""

    description = _("DOI")
    default_validators = [validate_doi]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        # A pasted address is longer than the identifier it holds: the form lets it through,
        # and to_python() shortens it before the model checks the length.
        return super().formfield(**{"max_length": PASTED_MAX_LENGTH, **kwargs})

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_doi(value) if value else value


class ArxivIdField(models.CharField):
    """An arXiv identifier kept without version, whatever form the editor pasted."""

    description = _("arXiv identifier")
    default_validators = [validate_arxiv_id]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        # A pasted address is longer than the identifier it holds: the form lets it through,
        # and to_python() shortens it before the model checks the length.
        return super().formfield(**{"max_length": PASTED_MAX_LENGTH, **kwargs})

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_arxiv_id(value) if value else value
