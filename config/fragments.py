"""Parts of public pages rendered once per language and change of the data.

A profile, the lists and the topic pages show the same publications and researcher cards again
and again: each rendered item is kept in the cache under the page cache's generation (so any
change of the data drops it, see :mod:`config.page_cache`) and the page's language.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import get_template
from django.utils.translation import get_language

from .page_cache import generational_cache


def rendered_items(
    entries: Iterable[models.Model | int],
    *,
    model: type[models.Model],
    template_name: str,
    name: str,
    context: dict[str, Any] | None = None,
    variant: object = "",
    prefetch: Callable[[], Sequence[str | Prefetch]] | None = None,
) -> list[str]:
    """``template_name`` rendered for each of ``entries`` (objects of ``model``, or their
    primary keys, as in a page of :class:`config.pagination.CachedIdPaginator`), in order.

    The template sees the object as ``name`` and the rest of ``context``; ``variant`` names
    what else the rendering depends on (the context's values). Only the items not in the cache
    are read from the database (the objects not given, then the lookups ``prefetch()`` returns)
    and rendered. An entry deleted since its page of primary keys was cached is left out.
    """
    entries = list(entries)
    known = {entry.pk: entry for entry in entries if isinstance(entry, model)}
    ids = [entry.pk if isinstance(entry, model) else entry for entry in entries]
    prefix = f"fragment:{template_name}:{get_language()}:{variant}"
    keys = {pk: f"{prefix}:{pk}" for pk in ids}
    store = generational_cache()
    fragments = store.get_many(list(keys.values()))
    missing_ids = [pk for pk in ids if keys[pk] not in fragments]
    if missing_ids:
        unread = [pk for pk in missing_ids if pk not in known]
        if unread:
            known.update(model._default_manager.in_bulk(unread))
        missing = [known[pk] for pk in missing_ids if pk in known]
        if prefetch:
            prefetch_related_objects(missing, *prefetch())
        template = get_template(template_name)
        rendered = {
            keys[obj.pk]: template.render({**(context or {}), name: obj}) for obj in missing
        }
        store.set_many(rendered, settings.PAGE_CACHE_SECONDS or None)
        fragments.update(rendered)
    return [fragments[keys[pk]] for pk in ids if keys[pk] in fragments]
