"""Template filters for showing publication text."""

import re

from django import template
from django.utils.translation import gettext as _

from publications.services.versions import describe

register = template.Library()

EXCERPT_LENGTH = 140
# An abstract only a little longer than the excerpt is shown whole rather than cut.
EXCERPT_SLACK = 40


@register.filter
def abstract_excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The start of ``text`` cut at a word boundary near ``length`` characters, or "" if short.

    An empty result means the text is short enough to be shown whole.
    """
    text = " ".join((text or "").split())
    if len(text) <= length + EXCERPT_SLACK:
        return ""
    cut = text.rfind(" ", 0, length + 1)
    if cut <= 0:
        cut = length
    return text[:cut].rstrip(" ,;:.-–—(") + "…"


@register.filter
def venue_and_year(publication) -> str:
    """The year, then where it appeared: "2024 · ICLR 2025", but "NeurIPS 2024" rather than
    "2024 · NeurIPS 2024" when the venue already names the year. A book names its publisher,
    a thesis or a report its institution."""
    year = str(publication.year)
    where = publication.venue or publication.institution or publication.publisher
    if not where:
        return year
    if re.search(rf"\b{year}\b", where):
        return where
    return f"{year} · {where}"


@register.filter
def citation_details(publication) -> str:
    """Which part of the venue: "vol. 12, no. 3, pp. 45–67" (in the reader's language)."""
    parts = []
    if publication.volume:
        parts.append(_("vol. %(volume)s") % {"volume": publication.volume})
    if publication.issue:
        parts.append(_("no. %(issue)s") % {"issue": publication.issue})
    if publication.number and not publication.issue:
        parts.append(_("no. %(number)s") % {"number": publication.number})
    if publication.pages:
        label = _("pp. %(pages)s") if "–" in publication.pages else _("p. %(pages)s")
        parts.append(label % {"pages": publication.pages})
    return ", ".join(parts)


@register.filter
def version_label(version) -> str:
    """One line for another version of a work: "arXiv preprint, 2023"."""
    return describe(version)
