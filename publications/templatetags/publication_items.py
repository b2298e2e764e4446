"""Publication list items, each rendered once per language and change of the data."""

from django import template
from django.conf import settings
from django.core.paginator import Page
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core.caching import memo_many
from profiles.models import Researcher
from publications.items import publication_items as items_build

register = template.Library()


@register.simple_tag
def publication_items(page: Page, skip_researcher: Researcher | None = None) -> SafeString:
    """The ``<li>`` of each publication of ``page``, a page of :class:`core.caching.MemoRows`.

    On a profile, the owner is left out of the coauthors: the items are kept apart for each
    owner, and for each choice of showing citation counts. The publications whose item memo()
    does not hold have their rows (unless the page read them), authors, versions and topics
    read in at most four queries.
    """
    ids = list(page)
    owner = skip_researcher.pk if skip_researcher is not None else None

    def render(missing: list[int]) -> dict[int, str]:
        publications = page.paginator.object_list.in_bulk(missing)
        template = get_template("includes/publication_item.html")
        return {
            item.pk: template.render({"item": item, "coauthors": owner is not None})
            for item in items_build(publications.values(), skip_researcher_id=owner)
        }

    parts = (get_language(), owner, settings.SHOW_CITATION_COUNTS)
    items = memo_many("publication_item", parts, ids, render)
    # Each item is an escaped template's output.
    return mark_safe("\n".join(f"<li>{items[pk]}</li>" for pk in ids if pk in items))  # noqa: S308
