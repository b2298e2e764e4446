"""Researcher cards, each rendered once per language and change of the data."""

from django import template
from django.core.paginator import Page
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core.caching import memo_many

register = template.Library()


@register.simple_tag
def researcher_cards(page: Page, heading: str = "h2") -> SafeString:
    """The card (an ``<li>``) of each researcher of ``page``, a page of
    :class:`core.caching.MemoRows`; ``heading`` is the element of the name, after the page's own
    headings. Only the researchers whose card memo() does not hold are read, in one query."""
    ids = list(page)

    def render(missing: list[int]) -> dict[int, str]:
        card = get_template("includes/researcher_card.html")
        researchers = page.paginator.object_list.in_bulk(missing)
        return {
            pk: card.render({"researcher": researcher, "heading": heading})
            for pk, researcher in researchers.items()
        }

    cards = memo_many("researcher_card", (get_language(), heading), ids, render)
    # Each card is an escaped template's output.
    return mark_safe("\n".join(cards[pk] for pk in ids if pk in cards))  # noqa: S308
