"""Publication list items, each rendered once per language and change of the data."""

from collections.abc import Iterable

from django import template
from django.conf import settings
from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.template.loader import get_template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from config.page_cache import pages_generation
from profiles.models import Researcher
from publications.models import Publication, authors_prefetch, topics_prefetch

register = template.Library()

ITEM_TEMPLATE = "includes/publication_item.html"


@register.simple_tag
def publication_items(
    publications: Iterable[Publication], skip_researcher: Researcher | None = None
) -> SafeString:
    """The ``<li>`` of each publication, from the cache when it holds them.

    A profile, the publication list and the topic pages show the same items again and again:
    each is kept under the page cache's generation (so any change drops it), the page's
    language and whose profile it is on (the owner is left out of the coauthors). Only the
    items not in the cache have their authors and topics read, in two queries.
    """
    publications = list(publications)
    generation, language = pages_generation(), get_language()
    owner = skip_researcher.pk if skip_researcher is not None else ""
    keys = {p.pk: f"publication_item:{generation}:{language}:{owner}:{p.pk}" for p in publications}
    items = cache.get_many(list(keys.values()))
    missing = [p for p in publications if keys[p.pk] not in items]
    if missing:
        prefetch_related_objects(missing, authors_prefetch(), topics_prefetch())
        item_template = get_template(ITEM_TEMPLATE)
        rendered = {
            keys[p.pk]: item_template.render({"publication": p, "skip_researcher": skip_researcher})
            for p in missing
        }
        cache.set_many(rendered, settings.PAGE_CACHE_SECONDS or None)
        items.update(rendered)
    return format_html_join(
        "\n", "<li>{}</li>", ((SafeString(items[keys[p.pk]]),) for p in publications)
    )
