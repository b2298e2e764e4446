"""Public pages about researchers and research topics."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.caching import PAGE, MemoRows, cached_page, memo
from core.drafts import preview_response
from core.listing import chosen_page, chosen_page_number, printable
from publications.exports import export_filename, export_response
from publications.models import Publication
from publications.selectors import (
    publications_of_researcher,
    published_counts_by_topic,
    researcher_topic_counts,
    topic_publications,
)
from publications.structured_data import researcher_person

from .filters import ResearcherFilter
from .models import Researcher
from .selectors import (
    researcher_get_for_profile,
    researcher_get_published,
    researcher_search,
    researcher_topics,
    topic_get,
    topic_index,
)

PUBLICATIONS_PER_PAGE = 20
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


@cached_page(query=("topic", PAGE))
@require_safe
def researcher_detail(request: HttpRequest, slug: str) -> HttpResponse:
    researcher, preview = researcher_get_for_profile(slug=slug, user=request.user)
    topics = researcher_topics(researcher=researcher)
    counts = researcher_topic_counts(researcher=researcher)

    # The owner's publications can be narrowed to one of the owner's topics, on the profile.
    messages = []
    chosen_topic = None
    requested = request.GET.get("topic", "")
    if requested:
        chosen_topic = next((topic for topic in topics if topic.slug == requested), None)
        if chosen_topic is None:
            messages.append(
                _("“%(topic)s” is not one of this researcher's topics: all publications are shown.")
                % {"topic": printable(requested)}
            )

    def publications() -> QuerySet[Publication]:
        rows = publications_of_researcher(researcher=researcher)
        return rows.filter(topics=chosen_topic) if chosen_topic else rows

    key = ("profile", researcher.pk, chosen_topic.pk if chosen_topic else None)
    paginator = Paginator(MemoRows(Publication, publications, key=key), PUBLICATIONS_PER_PAGE)
    page, page_notice = chosen_page(paginator, request.GET.get("page"))
    context = {
        "researcher": researcher,
        "topics": topics,
        "person": researcher_person(researcher, topics, request),
        "topic_filter": [
            (topic, counts.get(topic.pk, 0)) for topic in topics if counts.get(topic.pk)
        ],
        "chosen_topic": chosen_topic,
        "filter_messages": messages,
        "page_obj": page,
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
    rows = MemoRows(
        Publication, lambda: topic_publications(topic=topic), key=("topic_page", topic.pk)
    )
    latest = Paginator(rows, TOPIC_LATEST_PUBLICATIONS).page(1)
    # The page is one page: the latest publications, and a link to all of them in the list.
    _number, page_notice = chosen_page_number(request.GET.get("page"), last=1)
    context = {
        "topic": topic,
        "latest_publications": latest,
        "publication_count": latest.paginator.count,
        "page_notice": page_notice,
    }
    return render(request, "profiles/topic_detail.html", context)
