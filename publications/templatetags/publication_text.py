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


_YEAR_IN_TEXT = re.compile(r"\b(19|20)\d{2}\b")


@register.filter
def venue_and_year(publication) -> str:
    """ "NeurIPS 2024" rather than "NeurIPS 2024 · 2024": a venue that names its year says it."""
    if not publication.venue:
        return str(publication.year)
    if _YEAR_IN_TEXT.search(publication.venue):
        return publication.venue
    return f"{publication.venue} · {publication.year}"
