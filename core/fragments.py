"""Parts of public pages rendered once per language and change of the data.

A profile, the lists and the topic pages show the same publications and researcher cards again
and again: each rendered item is kept in the cache under the page cache's generation (so any
change of the data drops it, see :mod:`core.caching`) and the page's language.
"""

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.template.loader import get_template
from django.utils.translation import get_language

from .caching import generational_cache, memo


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
    primary keys, as in a page of :class:`core.pagination.CachedIdPaginator`), in order.

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


class CachedIdPaginator(Paginator):
    """Pages of a queryset whose count and each page's primary keys are kept in the cache under
    the page cache's generation (see :func:`config.page_cache.memo`): any change of the
    data drops them, as it drops the pages.

    ``key`` says what identifies the rows (a list's name and parameters, a researcher...):
    reading a page from the cache is cheaper than building its SQL. The queryset may be given
    as a function that builds it, called only when the cache does not hold what is asked;
    ``count``, a function giving the number of rows, when the caller keeps it already.

    A page read from the database holds the objects; a page read from the cache holds their
    primary keys only, which the ``publication_items`` and ``researcher_cards`` tags render from
    their own cache, reading from the database only the rows they have not rendered yet.
    """

    def __init__(
        self,
        queryset: QuerySet | Callable[[], QuerySet],
        per_page: int,
        *,
        key: object,
        count: Callable[[], int] | None = None,
    ) -> None:
        self._build = None if isinstance(queryset, QuerySet) else queryset
        super().__init__(None if self._build else queryset, per_page)
        self.query_key = key
        self._count = count

    @property
    def object_list(self) -> QuerySet:
        if self._object_list is None:
            self._object_list = self._build()
        return self._object_list

    @object_list.setter
    def object_list(self, value) -> None:
        self._object_list = value

    def _check_object_list_is_ordered(self) -> None:
        if self._object_list is not None:  # a queryset to build is checked when built, if ever
            super()._check_object_list_is_ordered()

    @cached_property
    def count(self) -> int:
        if self._count is not None:
            return self._count()
        return memo("paginator_count", self.query_key, lambda: self.object_list.count())

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = None

        def read() -> list:
            nonlocal rows
            rows = list(self.object_list[bottom:top])
            return [row.pk for row in rows]

        ids = memo("paginator_page", (self.query_key, bottom, top), read)
        return self._get_page(ids if rows is None else rows, number, self)
