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
    publications: Iterable[Publication | int], skip_researcher: Researcher | None = None
) -> SafeString:
    """The ``<li>`` of each publication, from the cache when it holds them.

    ``publications`` holds publications, or their primary keys (a page of
    :class:`config.pagination.CachedIdPaginator`). A profile, the publication list and the topic
    pages show the same items again and again: each is kept under the page cache's generation
    (so any change drops it), the page's language and whose profile it is on (the owner is left
    out of the coauthors). Only the items not in the cache are read from the database, with
    their authors and topics, in at most three queries.
    """
    entries = list(publications)
    known = {entry.pk: entry for entry in entries if isinstance(entry, Publication)}
    ids = [entry.pk if isinstance(entry, Publication) else entry for entry in entries]
    generation, language = pages_generation(), get_language()
    owner = skip_researcher.pk if skip_researcher is not None else ""
    keys = {pk: f"publication_item:{generation}:{language}:{owner}:{pk}" for pk in ids}
    items = cache.get_many(list(keys.values()))
    missing_ids = [pk for pk in ids if keys[pk] not in items]
    if missing_ids:
        unread = [pk for pk in missing_ids if pk not in known]
        if unread:
            known.update(Publication.objects.in_bulk(unread))
        # A publication deleted since its page of ids was cached is left out.
        missing = [known[pk] for pk in missing_ids if pk in known]
        prefetch_related_objects(missing, authors_prefetch(), topics_prefetch())
        item_template = get_template(ITEM_TEMPLATE)
        rendered = {
            keys[p.pk]: item_template.render({"publication": p, "skip_researcher": skip_researcher})
            for p in missing
        }
        cache.set_many(rendered, settings.PAGE_CACHE_SECONDS or None)
        items.update(rendered)
    return format_html_join(
        "\n", "<li>{}</li>", ((SafeString(items[keys[pk]]),) for pk in ids if keys[pk] in items)
    )
