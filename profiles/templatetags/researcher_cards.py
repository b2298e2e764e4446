"""Researcher cards, each rendered once per language and change of the data."""

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe

from core.fragments import rendered_items
from profiles.models import Researcher

register = template.Library()


@register.simple_tag
def researcher_cards(researchers: Iterable[Researcher | int], heading: str = "h2") -> SafeString:
    """The card (an ``<li>``) of each researcher (or primary key), from the cache when it holds
    them; ``heading`` is the element of the name, after the page's own headings."""
    cards = rendered_items(
        researchers,
        model=Researcher,
        template_name="includes/researcher_card.html",
        name="researcher",
        context={"heading": heading},
        variant=heading,
    )
    return mark_safe("\n".join(cards))  # noqa: S308 (each card is an escaped template's output)
