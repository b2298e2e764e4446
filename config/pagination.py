"""Pagination whose counts and pages are read from the database once per change of the data."""

from collections.abc import Callable
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from profiles.filters import printable

from .page_cache import cached_data


def chosen_page_number(requested: str | None, *, last: int) -> tuple[int, str]:
    """The page a query string's ``page`` asks for, between 1 and ``last``, and a notice naming
    the number when it could not be used ("" when it could): a bad parameter is shown to the
    visitor, never silently replaced."""
    if not requested:
        return 1, ""
    shown = printable(requested.strip())
    try:
        number = int(requested)
    except ValueError:  # not a number, or one too long to be read
        notice = _("“%(page)s” is not a page number: the first page is shown.")
        return 1, notice % {"page": shown}
    if 1 <= number <= last:
        return number, ""
    if number < 1 or last == 1:
        return 1, _("There is no page %(page)s: the first page is shown.") % {"page": shown}
    notice = _("There is no page %(page)s: the last page (%(last)s) is shown.")
    return last, notice % {"page": shown, "last": last}


def chosen_page(paginator: Paginator, requested: str | None) -> tuple[Page, str]:
    """The page of ``paginator`` that ``requested`` names, or the nearest one with a notice
    (see :func:`chosen_page_number`)."""
    number, notice = chosen_page_number(requested, last=paginator.num_pages)
    return paginator.page(number), notice


class CachedIdPaginator(Paginator):
    """Pages of a queryset whose count and each page's primary keys are kept in the cache under
    the page cache's generation (see :func:`config.page_cache.cached_data`): any change of the
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
        return cached_data("paginator_count", self.query_key, lambda: self.object_list.count())

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
