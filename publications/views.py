"""Public pages about publications."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.caching import PAGE, MemoRows, cached_page
from core.drafts import preview_response
from core.listing import chosen_page
from profiles.models import sorted_topics

from .citations import citation_summary, page_notices
from .exports import citation_key, export_response
from .filters import PublicationFilter
from .models import Publication
from .selectors import (
    publication_get_for_page,
    publication_get_published,
    publication_search,
)
from .structured_data import highwire_tags, publication_article

PUBLICATIONS_PER_PAGE = 20
# A filtered list exports at most this many publications, newest first.
EXPORT_LIMIT = 5000


@cached_page(query=(PublicationFilter, PAGE))
@require_safe
def publication_list(request: HttpRequest) -> HttpResponse:
    search = publication_search(params=request.GET)
    # The results are only built when the cache does not hold them for these parameters.
    rows = MemoRows(
        Publication,
        lambda: search.publications,
        key=search.results_key,
        count=lambda: search.count,
    )
    page, page_notice = chosen_page(Paginator(rows, PUBLICATIONS_PER_PAGE), request.GET.get("page"))
    cleaned = search.filterset.form.cleaned_data
    context = {
        "search": search,
        "page_obj": page,
        "page_notice": page_notice,
        "query": cleaned.get("q") or "",
        "year_from": cleaned.get("year_from"),
        "year_to": cleaned.get("year_to"),
        "sort": search.sort,
        "researcher": cleaned.get("researcher"),
    }
    return render(request, "publications/publication_list.html", context)


@cached_page
@require_safe
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication, preview = publication_get_for_page(pk=pk, user=request.user)
    context = {
        "publication": publication,
        "topics": sorted_topics(publication.topics.all()),
        "citation_summary": citation_summary(publication, publication.citations_source or ""),
        "citation_years": publication.citation_years.all(),
        "notices": page_notices(publication.notices.all()),
        "article": publication_article(publication, request),
        "highwire": highwire_tags(publication),
    }
    if preview:
        return preview_response(
            request, "publications/publication_detail.html", context, publication
        )
    return render(request, "publications/publication_detail.html", context)


@cached_page
@require_safe
def publication_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    publication = publication_get_published(pk=pk)
    return export_response([publication], fmt=fmt, filename=citation_key(publication))


@cached_page(query=(PublicationFilter,))
@require_safe
def publication_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The publication list with its filters applied, as a file."""
    queryset = Publication.objects.published().newest_first()
    publications = PublicationFilter(request.GET, queryset=queryset).qs.with_authors()
    return export_response(publications[:EXPORT_LIMIT], fmt=fmt, filename="publications")
