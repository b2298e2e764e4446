"""Template filters for showing publication text."""

import re

from django import template

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
    """The year, then the venue: "2024 · ICLR 2025", but "NeurIPS 2024" rather than
    "2024 · NeurIPS 2024" when the venue already names the year."""
    year = str(publication.year)
    if not publication.venue:
        return year
    if re.search(rf"\b{year}\b", publication.venue):
        return publication.venue
    return f"{year} · {publication.venue}"
