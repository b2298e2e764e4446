"""Public pages about researchers and research topics (the profile's parts: profile.py)."""

import functools
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from core.caching import PAGE, MemoRows, cached_page, memo
from core.charts import YearChart, year_chart
from core.drafts import preview_response
from core.listing import chosen_page, chosen_page_number
from publications.exports import export_filename, export_response
from publications.models import Publication
from publications.selectors import (
    coauthors_of_researcher,
    publication_years_of_researcher,
    publication_years_of_topic,
    publications_of_researcher,
    publications_of_researcher_matching,
    published_counts_by_topic,
    topic_publications,
)

from ..filters import ResearcherFilter
from ..models import Researcher, ResearchTopic
from ..selectors import (
    researcher_get_for_profile,
    researcher_get_published,
    researcher_search,
    researcher_topics,
    topic_get,
    topic_index,
)
from .profile import (
    PUBLICATIONS_PER_PAGE,
    profile_filters,
    profile_frame,
    profile_publications,
)

RESEARCHERS_PER_PAGE = 24
TOPIC_LATEST_PUBLICATIONS = 10


@cached_page(query=(ResearcherFilter, PAGE))
@require_safe
def researcher_list(request: HttpRequest) -> HttpResponse:
    search = researcher_search(params=request.GET)
    # The results are only built when the cache does not hold them for these parameters.
    rows = MemoRows(Researcher, lambda: search.researchers, key=search.results_key)
    paginator = Paginator(rows, RESEARCHERS_PER_PAGE)
    page, page_notice = chosen_page(paginator, request.GET.get("page"))
    context = {
        "search": search,
        "page_obj": page,
        "page_notice": page_notice,
        "query": search.filterset.form.cleaned_data.get("q") or "",
    }
    return render(request, "profiles/researcher_list.html", context)


@cached_page(query=("q", "topic", "year", PAGE))
@require_safe
def researcher_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A researcher's page: who they are, then their publications, which the visitor narrows
    by topic, year or words without leaving it."""
    researcher, preview = researcher_get_for_profile(slug=slug, user=request.user)
    # Read when something not kept asks for them: a topic filter, a part to write.
    topics = functools.cache(lambda: researcher_topics(researcher=researcher))
    filters = profile_filters(request.GET, topics)
    years = publication_years_of_researcher(researcher=researcher)
    rows = MemoRows(
        Publication,
        lambda: publications_of_researcher_matching(researcher=researcher, **filters.selection),
        key=("profile", researcher.pk, filters.key),
        count=filters.count_from(years),
    )
    page, page_notice = chosen_page(Paginator(rows, PUBLICATIONS_PER_PAGE), request.GET.get("page"))
    context = {
        **profile_frame(researcher, topics, years),
        **profile_publications(researcher, topics, years, filters, page),
        "page_notice": page_notice,
    }
    if preview:
        return preview_response(request, "profiles/researcher_detail.html", context, researcher)
    return render(request, "profiles/researcher_detail.html", context)


@cached_page
@require_safe
def researcher_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """All the researcher's published publications as a citation file."""
    researcher = researcher_get_published(slug=slug)
    publications = publications_of_researcher(researcher=researcher).with_authors().with_topics()
    filename = export_filename(researcher.full_name, "publications")
    return export_response(publications, fmt=fmt, filename=filename)


@cached_page
@require_safe
def topic_list(request: HttpRequest) -> HttpResponse:
    # Hundreds of topics, each with its counts: read once per change of the data and language
    # (the names and their order are the language's), and rendered once too ({% memo %}).
    context = {"topics": memo("topic_index", get_language(), _topic_index_rows)}
    return render(request, "profiles/topic_list.html", context)


def _topic_index_rows() -> list[dict]:
    return [
        {
            "name": topic.name,
            "url": topic.get_absolute_url(),
            "researcher_count": topic.researcher_count,
            "publication_count": topic.publication_count,
            "publications_url": topic.get_publications_url(),
        }
        for topic in topic_index(publication_counts=published_counts_by_topic())
    ]


@cached_page(query=(PAGE,))
@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = topic_get(slug=slug)
    if topic.slug != slug:  # the other language's slug: the page's address before, moved for good
        query = iri_to_uri(request.META.get("QUERY_STRING", ""))  # as the visitor sent it
        return HttpResponsePermanentRedirect(topic.get_absolute_url() + (query and f"?{query}"))
    years = publication_years_of_topic(topic=topic)
    rows = MemoRows(
        Publication,
        lambda: topic_publications(topic=topic),
        key=("topic_page", topic.pk),
        count=lambda: sum(years.values()),  # the chart's counts: no query of its own
    )
    latest = Paginator(rows, TOPIC_LATEST_PUBLICATIONS).page(1)
    # The page is one page: the latest publications, and a link to all of them in the list.
    _number, page_notice = chosen_page_number(request.GET.get("page"), last=1)
    context = {
        "topic": topic,
        "latest_publications": latest,
        "publication_count": latest.paginator.count,
        "page_notice": page_notice,
        "year_chart": topic_year_chart(topic, years),
    }
    return render(request, "profiles/topic_detail.html", context)


def topic_year_chart(topic: ResearchTopic, years: dict[int, int]) -> YearChart | None:
    """The topic's publications per year, each year's bar leading to the publication list
    filtered by the topic and that year."""
    list_url = reverse("publications:publication_list")

    def link(year: int) -> str:
        query = {"topic": topic.slug, "year_from": year, "year_to": year}
        return f"{list_url}?{urlencode(query)}"

    return year_chart(years, link=link)


# A researcher's coauthors: a page of a hundred names stays light on a phone.
COAUTHORS_PER_PAGE = 100


@cached_page(query=(PAGE,))
@require_safe
def researcher_coauthors(request: HttpRequest, slug: str) -> HttpResponse:
    """Everyone who signed published works with the researcher, the most frequent first: the
    profile shows the first few. A draft's coauthors have no page."""
    researcher, preview = researcher_get_for_profile(slug=slug, user=request.user)
    if preview:
        raise Http404
    coauthors = coauthors_of_researcher(researcher=researcher)
    page, page_notice = chosen_page(
        Paginator(coauthors, COAUTHORS_PER_PAGE), request.GET.get("page")
    )
    context = {"researcher": researcher, "page_obj": page, "page_notice": page_notice}
    return render(request, "profiles/researcher_coauthors.html", context)
