"""Reading single values from sources' answers: numbers, ORCID iDs, arXiv ids, page ranges.

Sources' JSON is read defensively: a field may be missing, null or of another type than its
documentation says, and each reader gives an empty value then rather than failing the work."""

import re
from typing import Any

from django.core.exceptions import ValidationError

from profiles.validators import normalize_orcid, validate_orcid
from publications.identifiers import ARXIV_ID_PATTERN, normalize_doi

_ARXIV_ID = re.compile(ARXIV_ID_PATTERN)
_ARXIV_URL = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(v\d+)?(?:\.pdf)?/?$", re.IGNORECASE
)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+?)(v\d+)?$", re.IGNORECASE)
_LANGUAGE = re.compile(r"^[a-z]{2}$")
# A first and a last page joined by hyphens or any dash, as sources write ranges.
_PAGE_RANGE = re.compile(r"^\s*([^\s\-–—]+)\s*(?:-+|[\u2010-\u2015\u2212])\s*([^\s\-–—]+)\s*$")
# Pages as the model stores them: "12–34", with an en dash.
PAGE_DASH = "–"


def as_str(value: Any) -> str:
    """A text field: strings stripped, numbers written out, anything else empty."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def as_int(value: Any) -> int | None:
    """A whole number, or None: ``2019`` and ``"2019"`` are read, ``true`` and ``"n/a"`` are not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def bare_orcid(value: str) -> str:
    """``https://orcid.org/0000-0002-1825-0097`` -> ``0000-0002-1825-0097``; empty unless the
    result is well formed and its check character is right."""
    if not value:
        return ""
    orcid = normalize_orcid(value)
    try:
        validate_orcid(orcid)
    except ValidationError:
        return ""
    return orcid


def language_code(value: Any) -> str:
    """An ISO 639-1 code ("en"), or empty for anything else."""
    code = as_str(value).lower()
    return code if _LANGUAGE.match(code) else ""


def page_range(first: str, last: str = "") -> str:
    """``("12", "19")`` -> ``"12–19"``; one page when there is no last or it is the first."""
    first, last = first.strip(), last.strip()
    if not first:
        return last
    return f"{first}{PAGE_DASH}{last}" if last and last != first else first


def pages_text(value: str) -> str:
    """A page or range as a source writes it ("12-19", "12--19") -> "12–19"."""
    match = _PAGE_RANGE.match(value)
    return page_range(match.group(1), match.group(2)) if match else value.strip()


def arxiv_from_doi(doi: str) -> tuple[str, str]:
    """The arXiv id and version in an arXiv DOI (10.48550/arXiv.2101.00001v2), else empty."""
    match = _ARXIV_DOI.match(normalize_doi(doi)) if doi else None
    return _arxiv_parts(match)


def arxiv_from_url(url: str) -> tuple[str, str]:
    """The arXiv id and version in an arxiv.org abstract or PDF address, else empty."""
    return _arxiv_parts(_ARXIV_URL.match(url.strip()) if url else None)


def _arxiv_parts(match: re.Match | None) -> tuple[str, str]:
    if not match:
        return "", ""
    arxiv_id = match.group(1)
    if not _ARXIV_ID.match(arxiv_id):
        return "", ""
    return arxiv_id, match.group(2) or ""
