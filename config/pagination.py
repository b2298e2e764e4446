"""Pagination whose counts and pages are read from the database once per change of the data."""

from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .page_cache import cached_data


class CachedIdPaginator(Paginator):
    """Pages of a queryset whose count and each page's primary keys are kept in the cache under
    the page cache's generation (see :func:`config.page_cache.cached_data`): any change of the
    data drops them, as it drops the pages.

    A page read from the database holds the objects; a page read from the cache holds their
    primary keys only, which the ``publication_items`` tag renders from its own cache, reading
    from the database only the rows it has not rendered yet. The cache key is the query's SQL
    and parameters, so two requests that ask for the same rows, with whatever query string,
    share it; or ``key``, when the caller knows what identifies the rows (building the SQL
    costs more than reading a page from the cache).
    """

    def __init__(self, queryset: QuerySet, per_page: int, *, key: object = None) -> None:
        super().__init__(queryset, per_page)
        if key is None:
            sql, params = queryset.query.sql_with_params()
            key = (sql, params)
        self.query_key = (queryset.model._meta.label, key)

    @cached_property
    def count(self) -> int:
        return cached_data("paginator_count", self.query_key, self.object_list.count)

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

        ids = cached_data("paginator_page", (self.query_key, bottom, top), read)
        return self._get_page(ids if rows is None else rows, number, self)
