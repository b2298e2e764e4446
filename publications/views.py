"""Public pages about publications."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from profiles.models import sorted_topics

from .selectors import publication_get_published


@require_safe
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = publication_get_published(pk=pk)
    context = {"publication": publication, "topics": sorted_topics(publication.topics.all())}
    return render(request, "publications/publication_detail.html", context)
