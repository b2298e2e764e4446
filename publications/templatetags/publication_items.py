"""Publication list items, each rendered once per language and change of the data."""

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe

from core.fragments import rendered_items
from profiles.models import Researcher
from publications.models import Publication, authors_prefetch, topics_prefetch

register = template.Library()


@register.simple_tag
def publication_items(
    publications: Iterable[Publication | int], skip_researcher: Researcher | None = None
) -> SafeString:
    """The ``<li>`` of each publication (or primary key), from the cache when it holds them.

    On a profile, the owner is left out of the coauthors: the items are kept apart for each
    owner. The items not in the cache have their rows, authors, versions and topics read in at
    most four queries.
    """
    items = rendered_items(
        publications,
        model=Publication,
        template_name="includes/publication_item.html",
        name="publication",
        context={"skip_researcher": skip_researcher},
        variant=skip_researcher.pk if skip_researcher is not None else "",
        prefetch=lambda: (authors_prefetch(), "versions", topics_prefetch()),
    )
    # Each item is an escaped template's output.
    return mark_safe("\n".join(f"<li>{item}</li>" for item in items))  # noqa: S308
