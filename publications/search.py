"""Everything about searching publications: the text search configurations, the query, its
ranking, the misspelt-name fallback, and the hint that makes PostgreSQL count a search's
matches through the search index."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TypeVar

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from psycopg.pq import TransactionStatus

from core.caching import memo
from core.text import fold, name_key

from .models import Authorship

T = TypeVar("T")
# The PostgreSQL text search configurations the search vector is built with (see the migration
# that creates them): French and English stemming, and plain words for names, all unaccented.
SEARCH_CONFIGS = ("directory_fr", "directory_en", "directory_simple")
# A misspelt name matches at most this many publications (the best-known authors sign hundreds).
SIMILAR_NAME_LIMIT = 5000


class TextSearch:
    """What a visitor typed in the search box, as a condition on publications: their title,
    abstract, venue or author names, accents and case ignored. Full-text search on PostgreSQL,
    every word on other databases.

    A list applies it to its results and to each of its facets: what it looks up besides the
    query (the authors with a similar name) is looked up once.
    """

    def __init__(self, text: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
        self.text = text
        self.using = using

    def matching(self, publications: QuerySet) -> QuerySet:
        """The ``publications`` that match, best matches first on PostgreSQL."""
        if connections[self.using].vendor == "postgresql":
            return self._full_text_search(publications)
        for word in fold(self.text).split():
            by_author = Authorship.objects.filter(
                publication=OuterRef("pk"), author__name_key__contains=word
            )
            publications = publications.filter(Q(search_text__contains=word) | Exists(by_author))
        return publications

    def _full_text_search(self, publications: QuerySet) -> QuerySet:
        """PostgreSQL full-text search, best matches first.

        The text is read as a web search ("exact phrase", -excluded, or), stemmed in French and
        in English and matched without accents against the stored ``search_vector`` (title, then
        authors and venue, then abstract), through its GIN index. Author names are also matched
        by trigram similarity, so that a misspelt name still finds its publications, ranked
        after the full-text matches.
        """
        query = (
            SearchQuery(self.text, config=SEARCH_CONFIGS[0], search_type="websearch")
            | SearchQuery(self.text, config=SEARCH_CONFIGS[1], search_type="websearch")
            | SearchQuery(self.text, config=SEARCH_CONFIGS[2], search_type="websearch")
        )
        matches = Q(search_vector=query)
        if self.by_similar_author_name:
            matches |= Q(pk__in=self.by_similar_author_name)
        # One condition on the publication's own columns (not a subquery), so that PostgreSQL
        # can start from the GIN index, or from another filter's few rows (a topic) and check
        # the search on each.
        return (
            publications.filter(matches)
            .annotate(search_rank=SearchRank(F("search_vector"), query))
            .order_by("-search_rank", "-year", "-pk")
        )

    @cached_property
    def by_similar_author_name(self) -> list[int]:
        """The publications signed by an author whose name holds a word similar to the text
        (trigram word similarity, through the names' trigram index), once per change of the
        data."""
        key = name_key(self.text)

        def read() -> list[int]:
            signed = Authorship.objects.using(self.using).filter(
                author__name_key__trigram_word_similar=key
            )
            return list(
                signed.order_by()
                .values_list("publication_id", flat=True)
                .distinct()[:SIMILAR_NAME_LIMIT]
            )

        return memo("similar_author_name", key, read) if key else []


def publications_matching(publications: QuerySet, text: str) -> QuerySet:
    """The ``publications`` matching ``text`` (see :class:`TextSearch`)."""
    return TextSearch(text, using=publications.db).matching(publications)


def read_through_the_search_index(read: Callable[[], T], *, using: str = DEFAULT_DB_ALIAS) -> T:
    """``read()``, each of its queries planned on PostgreSQL without sequential scans: for
    counting a search's matches, and their facets.

    PostgreSQL does not count what it costs to decompress each stored search vector: to count
    the matches of a word found in most publications, or their kinds, it reads every row's
    vector rather than the full-text index, which gives the same rows much faster
    (bench/search.py measures both). The hint is set just before each query of ``read()`` and
    taken back just after it, so that no other query is planned with it.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return read()
    with connection.execute_wrapper(_without_sequential_scans):
        return read()


def _without_sequential_scans(execute, sql, params, many, context):
    execute("SET enable_seqscan = off", None, False, context)
    try:
        return execute(sql, params, many, context)
    finally:
        # On a cursor of its own: the query's cursor still holds its rows. After a query failed
        # within a transaction, nothing runs until the rollback, which takes the SET back.
        database = context["connection"].connection
        if database.info.transaction_status != TransactionStatus.INERROR:
            database.execute("RESET enable_seqscan")


@contextmanager
def search_vectors_deferred(
    publications: Callable[[], Iterable[int]], using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """Writes in this block leave the search vectors to its end, on PostgreSQL: then the vectors
    of ``publications()`` (the primary keys of what was written) are computed, once each.

    The database's triggers compute a publication's vector when it is inserted, before it has
    authors, and again when its authorships are: a bulk write of thousands of publications
    would compute each vector twice. The block is a transaction in which the triggers stand
    aside (migration 0009); if it fails, nothing it wrote is kept.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using, savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL directory.defer_search_vectors = on")
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL directory.defer_search_vectors = off")
            cursor.execute("SELECT publications_refresh_search(%s)", [list(publications())])
