"""Public pages about researchers and research topics."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .models import sorted_topics
from .selectors import (
    researcher_directory,
    researcher_get_published,
    researcher_publications,
    topic_get,
    topic_publications,
)

PUBLICATIONS_PER_PAGE = 20
RESEARCHERS_PER_PAGE = 24


@require_safe
def researcher_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(researcher_directory(), RESEARCHERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "profiles/researcher_list.html", {"page_obj": page})


@require_safe
def researcher_detail(request: HttpRequest, slug: str) -> HttpResponse:
    researcher = researcher_get_published(slug=slug)
    publications = researcher_publications(researcher=researcher)
    page = Paginator(publications, PUBLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "researcher": researcher,
        "topics": sorted_topics(researcher.topics.all()),
        "page_obj": page,
    }
    return render(request, "profiles/researcher_detail.html", context)


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = topic_get(slug=slug)
    publications = topic_publications(topic=topic)
    page = Paginator(publications, PUBLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "profiles/topic_detail.html", {"topic": topic, "page_obj": page})
