"""Everything about searching publications: the text search configurations, the query, its
ranking, the misspelt-name fallback, and the hints that make PostgreSQL use the search index."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from core.caching import memo
from core.text import fold, name_key

from .models import Authorship

# The PostgreSQL text search configurations the search vector is built with (see the migration
# that creates them): French and English stemming, and plain words for names, all unaccented.
SEARCH_CONFIGS = ("directory_fr", "directory_en", "directory_simple")
# A misspelt name matches at most this many publications (the best-known authors sign hundreds).
SIMILAR_NAME_LIMIT = 5000


def publications_matching(publications: QuerySet, text: str) -> QuerySet:
    """The ``publications`` matching ``text`` in their title, abstract, venue or author names,
    accents and case ignored: full-text search on PostgreSQL, every word on other databases."""
    if connections[publications.db].vendor == "postgresql":
        return _full_text_search(publications, text)
    for word in fold(text).split():
        by_author = Authorship.objects.filter(
            publication=OuterRef("pk"), author__name_key__contains=word
        )
        publications = publications.filter(Q(search_text__contains=word) | Exists(by_author))
    return publications


def _full_text_search(publications: QuerySet, text: str) -> QuerySet:
    """PostgreSQL full-text search, best matches first.

    ``text`` is read as a web search ("exact phrase", -excluded, or), stemmed in French and in
    English and matched without accents against the stored ``search_vector`` (title, then
    authors and venue, then abstract), through its GIN index. Author names are also matched by
    trigram similarity, so that a misspelt name still finds its publications, ranked after the
    full-text matches.
    """
    query = (
        SearchQuery(text, config=SEARCH_CONFIGS[0], search_type="websearch")
        | SearchQuery(text, config=SEARCH_CONFIGS[1], search_type="websearch")
        | SearchQuery(text, config=SEARCH_CONFIGS[2], search_type="websearch")
    )
    matches = Q(search_vector=query)
    by_author_name = publications_by_similar_author_name(name_key(text))
    if by_author_name:
        matches |= Q(pk__in=by_author_name)
    # One condition on the publication's own columns (not a subquery), so that PostgreSQL can
    # start from the GIN index, or from another filter's few rows (a topic) and check the
    # search on each.
    return (
        publications.filter(matches)
        .annotate(search_rank=SearchRank(F("search_vector"), query))
        .order_by("-search_rank", "-year", "-pk")
    )


def publications_by_similar_author_name(key: str) -> list[int]:
    """The publications signed by an author whose name holds a word similar to ``key``
    (trigram word similarity, through the names' trigram index), once per change of the data."""

    def read() -> list[int]:
        signed = Authorship.objects.filter(author__name_key__trigram_word_similar=key)
        return list(
            signed.order_by()
            .values_list("publication_id", flat=True)
            .distinct()[:SIMILAR_NAME_LIMIT]
        )

    return memo("similar_author_name", key, read) if key else []


@contextmanager
def through_the_search_index(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Queries in this block, on PostgreSQL, read a search's matches through its index.

    PostgreSQL does not count what it costs to decompress each stored search vector: to count
    the matches of a word found in most publications, or their years, it reads every row's
    vector rather than the full-text index, which gives the same rows much faster
    (bench/search.py measures both). The block is a transaction that turns sequential scans off
    once its first query comes, until the transaction ends; a block without queries costs
    nothing.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    hinted = False

    def hint(execute, sql, params, many, context):
        nonlocal hinted
        if not hinted:
            hinted = True
            execute("SET LOCAL enable_seqscan = off", None, False, context)
        return execute(sql, params, many, context)

    with transaction.atomic(using=using, savepoint=False), connection.execute_wrapper(hint):
        yield


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
